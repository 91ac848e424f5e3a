/* vigil-hydraulic-model.c
 *
 * The hydraulic rig's test plan and the signal models of its sensors, for the generator. The
 * models were fitted by eye to the real 1 Hz files and the two real high-rate cycles in
 * ../shared/data/hydraulic-uci.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-generator"

#include "config.h"

#include <math.h>
#include <string.h>

#include "vigil-hydraulic-model-private.h"
#include "vigil-records.h"
#include "vigil-rng-private.h"
#include "vigil-sensor.h"

/* Faults per cycle: "a handful per 100 cycles", at most one per cycle so they never overlap. */
#define FAULT_PROBABILITY 0.05

/* Independent random streams: what one sensor draws never shifts another sensor's numbers, and
 * a cycle's numbers do not depend on how many cycles are written. */
enum { STREAM_PROFILE = 1, STREAM_CYCLE = 2, STREAM_SENSOR = 16 };

typedef VigilRng Rng;

typedef struct
{
  int cooler;
  int valve;
  int pump;
  int accumulator;
  int stable;
  guint length;
} Block;

/* ---- random numbers (vigil-rng-private.h), one stream per purpose ---- */

static void
rng_init (Rng     *rng,
          guint64  seed,
          guint64  stream,
          guint64  index)
{
  guint64 x = seed;

  x = vigil_splitmix64 (&x) ^ stream;
  x = vigil_splitmix64 (&x) ^ index;
  vigil_rng_init_from (rng, x);
}

static inline double
rng_uniform (Rng *rng)
{
  return (double) (vigil_rng_next (rng) >> 11) * 0x1.0p-53;
}

static inline guint
rng_below (Rng   *rng,
           guint  n)
{
  return (guint) (((vigil_rng_next (rng) >> 32) * n) >> 32);
}

/* Sum of four 16-bit uniforms (Irwin-Hall), scaled to unit variance: one draw per sample keeps
 * 96 million noisy samples cheap, and sensor noise needs no tails beyond 3.4 sigma. */
static inline double
rng_normal (Rng *rng)
{
  guint64 r = vigil_rng_next (rng);
  double sum = (double) ((r & 0xffff) + ((r >> 16) & 0xffff) + ((r >> 32) & 0xffff) + (r >> 48));

  return (sum - 131070.0) * (1.7320508075688772 / 65536.0);
}

/* ---- component conditions: the rig's test plan ---- */

static const int coolers[] = { 3, 20, 100 };
static const int accumulators[] = { 130, 115, 100, 90 };
static const int pumps[] = { 2, 1, 0 };
static const int valves[] = { 73, 80, 90, 100 };

static void
add_block (GArray *blocks,
           int     cooler,
           int     valve,
           int     pump,
           int     accumulator,
           int     stable,
           guint   length)
{
  Block block = { cooler, valve, pump, accumulator, stable, length };

  g_array_append_val (blocks, block);
}

/* The real rig sweeps conditions in nested blocks: cooler outermost (a long settling run after
 * each change), then accumulator, pump leakage, and valve innermost, about ten cycles each. The
 * stable flag is 1 while the rig settles after a cooler, accumulator or pump change. */
static GArray *
schedule_blocks (guint64 seed,
                 guint   n_cycles)
{
  GArray *blocks = g_array_new (FALSE, FALSE, sizeof (Block));
  guint64 total = 0;
  int acc_prev = accumulators[0];
  Rng rng;

  rng_init (&rng, seed, STREAM_PROFILE, 0);

  for (guint round = 0; total < n_cycles; round++)
    {
      int cooler = coolers[round % G_N_ELEMENTS (coolers)];

      add_block (blocks, cooler, 100, 0, acc_prev, 1, 185 + rng_below (&rng, 31));
      for (guint a = 0; a < G_N_ELEMENTS (accumulators); a++)
        {
          if (accumulators[a] != acc_prev)
            add_block (blocks, cooler, 100, 0, accumulators[a], 1, 7 + rng_below (&rng, 5));
          for (guint p = 0; p < G_N_ELEMENTS (pumps); p++)
            {
              add_block (blocks, cooler, 100, pumps[p], accumulators[a], 1, 1);
              for (guint v = 0; v < G_N_ELEMENTS (valves); v++)
                add_block (blocks, cooler, valves[v], pumps[p], accumulators[a], 0,
                           8 + rng_below (&rng, 6));
            }
          acc_prev = accumulators[a];
        }

      total = 0;
      for (guint i = 0; i < blocks->len; i++)
        total += g_array_index (blocks, Block, i).length;
    }

  return blocks;
}

static guint
cooler_index (int cooler)
{
  return cooler == 3 ? 0 : cooler == 20 ? 1 : 2;
}

/* TS1 level (°C) the oil settles at per cooler; the other TS sensors sit at fixed offsets. */
static const double ts_target[3] = { 55.4, 45.3, 36.0 };
static const double ts_offset[4][3] = {
  { 0.0, 0.0, 0.0 },
  { 4.2, 5.0, 5.6 },
  { 1.55, 2.23, 2.92 },
  { -4.6, -4.47, -4.99 },
};
/* Oil temperature follows a cooler change over about this many cycles. */
#define THERMAL_CYCLES 14.0

static void
plan_fault (VigilHydraulicFault           *fault,
            const VigilHydraulicCyclePlan *plan,
            Rng                           *rng)
{
  double kind = rng_uniform (rng);

  memset (fault, 0, sizeof *fault);

  if (kind < 0.4)
    {
      fault->kind = VIGIL_HYDRAULIC_FAULT_PRESSURE_SPIKE;
      fault->sensor = VIGIL_SENSOR_PS1 + rng_below (rng, 6);
      fault->n_samples = 5 + rng_below (rng, 46);
      fault->first = rng_below (rng, 6000 - fault->n_samples + 1);
      fault->magnitude[0] = 60.0 + 60.0 * rng_uniform (rng);
    }
  else if (kind < 0.7)
    {
      gboolean whole = rng_uniform (rng) < 0.2;
      double peak = 62.0 + 10.0 * rng_uniform (rng);
      double mid = 0.5 * (plan->temp_start + plan->temp_end);
      guint ci = cooler_index (plan->label.cooler);

      fault->kind = VIGIL_HYDRAULIC_FAULT_OVERHEATING;
      fault->sensor = VIGIL_SENSOR_TS1;
      fault->n_samples = whole ? 60 : 10 + rng_below (rng, 41);
      fault->first = rng_below (rng, 60 - fault->n_samples + 1);
      for (guint t = 0; t < 4; t++)
        fault->magnitude[t] = MAX (10.0, peak + (t == 1 ? 3.0 : 0.0) - mid - ts_offset[t][ci]);
    }
  else
    {
      guint seconds = 10 + rng_below (rng, 51);
      guint first_second;
      guint rate;

      fault->kind = VIGIL_HYDRAULIC_FAULT_STUCK_SENSOR;
      fault->sensor = rng_below (rng, VIGIL_N_SENSORS);
      /* SE reads exactly 0 in seconds 1-8 of every cycle; a stuck SE starts after them. */
      if (fault->sensor == VIGIL_SENSOR_SE)
        {
          seconds = MIN (seconds, 51);
          first_second = 9 + rng_below (rng, 51 - seconds + 1);
        }
      else
        {
          first_second = rng_below (rng, 60 - seconds + 1);
        }
      rate = vigil_sensor_get_info (fault->sensor)->rate_hz;
      fault->first = first_second * rate;
      fault->n_samples = seconds * rate;
    }
}

static VigilHydraulicCyclePlan *
plan_cycles (guint64 seed,
             guint   first_cycle,
             guint   n_cycles)
{
  g_autoptr(GArray) blocks = schedule_blocks (seed, first_cycle + n_cycles);
  VigilHydraulicCyclePlan *plans = g_new0 (VigilHydraulicCyclePlan, n_cycles + 1);
  /* The rig starts warm from a run at full cooling, as the real recording does (35.6 °C). */
  double temp = ts_target[2];
  double temp_drift = 0;
  double ce_drift = 0;
  double cp_drift = 0;
  double vs_drift = 0;
  guint block = 0;
  guint in_block = 0;

  for (guint k = 0; k < first_cycle + n_cycles; k++)
    {
      const Block *b;
      VigilHydraulicCyclePlan plan = { 0 };
      Rng rng;

      while (in_block >= g_array_index (blocks, Block, block).length)
        {
          block++;
          in_block = 0;
        }
      b = &g_array_index (blocks, Block, block);
      in_block++;

      plan.label.cycle = k;
      plan.label.cooler = b->cooler;
      plan.label.valve = b->valve;
      plan.label.pump = b->pump;
      plan.label.accumulator = b->accumulator;
      plan.label.stable = b->stable;

      rng_init (&rng, seed, STREAM_CYCLE, k);
      plan.temp_start = temp + temp_drift;
      plan.temp_target = ts_target[cooler_index (b->cooler)] + (b->pump > 0 ? 0.3 : 0.0) +
                         0.012 * (100 - b->valve);
      temp += (plan.temp_target - temp) / THERMAL_CYCLES;
      temp_drift = 0.97 * temp_drift + 0.1 * rng_normal (&rng);
      plan.temp_end = temp + temp_drift;
      ce_drift = 0.9 * ce_drift + 0.22 * rng_normal (&rng);
      cp_drift = 0.9 * cp_drift + 0.01 * rng_normal (&rng);
      vs_drift = 0.9 * vs_drift + 0.004 * rng_normal (&rng);
      plan.ce_drift = ce_drift;
      plan.cp_drift = cp_drift;
      plan.vs_drift = vs_drift;

      if (rng_uniform (&rng) < FAULT_PROBABILITY)
        plan_fault (&plan.fault, &plan, &rng);

      if (k + 1 >= first_cycle)
        plans[k + 1 - first_cycle] = plan;
    }

  if (first_cycle == 0)
    {
      plans[0] = plans[1];
      plans[0].fault.kind = VIGIL_HYDRAULIC_FAULT_NONE;
    }

  return plans;
}

void
_vigil_hydraulic_model_init (VigilHydraulicModel *model,
                             guint64              seed,
                             guint                first_cycle,
                             guint                n_cycles)
{
  model->seed = seed;
  model->first_cycle = first_cycle;
  model->plans = plan_cycles (seed, first_cycle, n_cycles);
}

void
_vigil_hydraulic_model_clear (VigilHydraulicModel *model)
{
  g_clear_pointer (&model->plans, g_free);
}

/* ---- the 100 Hz and 10 Hz sensors: one 60 s load cycle ---- */

/* Pressures, motor power and flows follow the same sequence: the pump unloads at 0.06 s, loads
 * at 9.35 s with an overshoot, and the load steps at 19.03, 29.03, 39.03 and 49.03 s (PS2
 * excerpt: 0, 120, 130, 140, 130, 125 bar). The signal follows each new level with a lag and
 * transients that decay exponentially. */
typedef struct
{
  double idle;            /* level while the pump is unloaded */
  double load[5];         /* levels of the five load steps */
  double start_fast;      /* overshoot when the load comes on */
  double start_fast_tau;  /* s */
  double start_slow;
  double start_slow_tau;
  double step_kick[4];    /* transient at each later step */
  double step_tau;
  double follow_tau;      /* how fast the signal reaches a new step level, s */
  double unload_kick;     /* transient when the pump unloads */
  double unload_tau;
  double noise;           /* sensor units */
  double noise_rel;       /* fraction of the signal: pressures read exactly 0 when unloaded */
  double jitter;          /* cycle-to-cycle level jitter */
  double per_leak;        /* load levels drop by this per step of internal pump leakage */
  double per_lag;         /* load levels change by this per % of valve lag */
  double per_degree;      /* levels change by this per °C of oil above 45 °C */
} LoadShape;

static const double event_times[6] = { 0.06, 9.35, 19.03, 29.03, 39.03, 49.03 };

/* Indexed by VigilSensor, PS1 to FS2. */
static const LoadShape load_shapes[] = {
  /* PS1: pump outlet, never unloaded below about 143 bar */
  { 151.0, { 160.0, 168.5, 178.0, 168.5, 163.5 }, 30.0, 0.05, 10.0, 0.5, { 0, 0, 0, 0 }, 0.1,
    0.15, -8.0, 1.5, 0.25, 0.0, 0.4, 1.8, -0.05, -0.08 },
  /* PS2 */
  { 0.0, { 120.0, 130.0, 140.0, 130.0, 125.0 }, 42.0, 0.05, 22.0, 0.45, { 0, 0, 0, 0 }, 0.1,
    0.15, 12.0, 0.15, 0.0, 0.0009, 0.2, 1.5, -0.1, -0.05 },
  /* PS3: return line, small, with peaks at each switch */
  { 0.02, { 1.2, 1.3, 1.45, 1.3, 1.25 }, 11.0, 0.06, 0.5, 0.4, { 1.5, 1.5, -0.6, -0.4 }, 0.1,
    0.1, 0.0, 0.1, 0.0, 0.03, 0.05, 0.05, 0.0, 0.0 },
  /* PS4: reads 0 unless the valve lags */
  { 0.0, { 0.0, 0.0, 0.0, 0.0, 0.0 }, 0.0, 0.05, 0.0, 0.5, { 0, 0, 0, 0 }, 0.1,
    0.3, 0.0, 0.1, 0.0, 0.01, 0.0, 0.0, 0.38, 0.0 },
  /* PS5: cooling circuit */
  { 9.47, { 9.1, 9.07, 9.04, 9.07, 9.09 }, -0.15, 0.3, 0.0, 0.5, { 0, 0, 0, 0 }, 0.1,
    0.5, 0.0, 0.1, 0.008, 0.0, 0.03, 0.0, 0.0, -0.018 },
  /* PS6 */
  { 8.94, { 8.59, 8.57, 8.54, 8.57, 8.58 }, -0.12, 0.3, 0.0, 0.5, { 0, 0, 0, 0 }, 0.1,
    0.5, 0.0, 0.1, 0.008, 0.0, 0.03, 0.0, 0.0, -0.016 },
  /* EPS1: motor power follows the load */
  { 2260.0, { 2560.0, 2650.0, 2740.0, 2650.0, 2600.0 }, 450.0, 0.08, 60.0, 0.5,
    { 0, 0, 0, 0 }, 0.1, 0.15, -10.0, 1.0, 7.0, 0.0, 10.0, -12.0, -0.5, -1.5 },
  /* FS1: dips when the load steps up, surges when it steps down (FS1 excerpt) */
  { 0.0, { 7.95, 7.88, 7.85, 7.87, 7.88 }, 9.5, 0.35, 0.0, 0.5, { -6.8, -6.8, 4.6, 2.6 }, 0.28,
    0.02, 0.0, 0.1, 0.0, 0.0125, 0.05, 0.4, -0.02, 0.0 },
  /* FS2: cooling circuit flow */
  { 10.35, { 10.18, 10.15, 10.12, 10.15, 10.17 }, -0.3, 0.5, 0.0, 0.5, { 0, 0, 0, 0 }, 0.1,
    0.3, 0.0, 0.1, 0.03, 0.0, 0.04, 0.0, 0.0, -0.012 },
};

G_STATIC_ASSERT (G_N_ELEMENTS (load_shapes) == VIGIL_SENSOR_FS2 + 1);

static void
shape_levels (const LoadShape               *shape,
              const VigilHydraulicCyclePlan *plan,
              double                         jitter,
              double                         levels[6])
{
  double hot = 0.5 * (plan->temp_start + plan->temp_end) - 45.0;
  double shift = shape->per_degree * hot + jitter;

  levels[0] = shape->idle != 0 ? shape->idle + shift : 0;
  for (guint j = 0; j < 5; j++)
    levels[j + 1] = shape->load[j] - shape->per_leak * plan->label.pump +
                    shape->per_lag * (100 - plan->label.valve) + shift;
}

static double
cycle_jitter (const VigilHydraulicModel *model,
              VigilSensor                sensor,
              guint64                    cycle)
{
  Rng rng;

  rng_init (&rng, model->seed, STREAM_SENSOR + sensor, cycle);
  return load_shapes[sensor].jitter * rng_normal (&rng);
}

static inline double
decay (double dt,
       double tau)
{
  return exp (-dt / tau);
}

static void
synth_load_cycle (const VigilHydraulicModel *model,
                  VigilSensor                sensor,
                  guint                      k,
                  Rng                       *rng,
                  double                    *out)
{
  const LoadShape *shape = &load_shapes[sensor];
  const VigilHydraulicCyclePlan *plan = &model->plans[k - model->first_cycle + 1];
  const VigilHydraulicCyclePlan *prev = plan - 1;
  guint rate = vigil_sensor_get_info (sensor)->rate_hz;
  guint n = rate * VIGIL_CYCLE_SECONDS;
  double dt = 1.0 / rate;
  double lag = 100 - plan->label.valve;
  /* A low accumulator precharge damps less: bigger overshoot, more ripple. */
  double acc = 130.0 / plan->label.accumulator;
  double noise = shape->noise * (1.0 + 0.8 * (acc - 1.0));
  double levels[6];
  double carry[6];
  double y, level, fast = 0, slow = 0, fast_decay = 1, slow_decay = 1, follow = 1;
  guint i = 0;

  shape_levels (shape, plan, rng_normal (rng) * shape->jitter, levels);
  shape_levels (shape, prev, cycle_jitter (model, sensor, (guint64) k - 1), carry);
  y = level = carry[5];

  for (guint e = 0; e <= G_N_ELEMENTS (event_times); e++)
    {
      guint end = n;

      if (e < G_N_ELEMENTS (event_times))
        {
          /* A lagging valve switches late (0.27 s at 73 %), the pump unloads on time. */
          double t = event_times[e] + (e > 0 ? 0.01 * lag : 0.0);
          end = (guint) ceil (t * rate - 1e-9);
        }

      for (; i < end; i++)
        {
          y += (level + fast + slow - y) * follow;
          fast *= fast_decay;
          slow *= slow_decay;
          out[i] = y + (noise + shape->noise_rel * fabs (y)) * rng_normal (rng);
        }

      if (e == G_N_ELEMENTS (event_times))
        break;

      level = levels[e];
      if (fabs (fast) < 1e-9)
        fast = 0;
      if (fabs (slow) < 1e-9)
        slow = 0;
      if (e == 0)
        {
          follow = 1.0 - decay (dt, 0.02);
          slow += shape->unload_kick / acc;
          slow_decay = decay (dt, shape->unload_tau);
        }
      else if (e == 1)
        {
          follow = 1.0 - decay (dt, 0.02);
          fast += shape->start_fast * pow (acc, 1.5);
          fast_decay = decay (dt, shape->start_fast_tau);
          slow += shape->start_slow;
          slow_decay = decay (dt, shape->start_slow_tau);
        }
      else
        {
          follow = 1.0 - decay (dt, shape->follow_tau * (1.0 + lag / 20.0));
          fast += shape->step_kick[e - 2];
          fast_decay = decay (dt, shape->step_tau);
        }
    }
}

/* ---- the 1 Hz sensors ---- */

/* Mean shape within a cycle, every 5 s from 0 s (the real files, stable cycles). */
static const double slow_templates[][12] = {
  { 0.09, -0.20, -0.39, -0.24, -0.08, 0.01, 0.07, 0.15, 0.19, 0.17, 0.14, 0.11 },    /* TS1 */
  { 0.10, -0.02, -0.16, -0.10, -0.05, -0.04, -0.03, 0.03, 0.07, 0.06, 0.06, 0.08 },  /* TS2 */
  { -0.02, -0.01, -0.03, 0.03, 0.10, 0.09, 0.04, -0.02, -0.04, -0.04, -0.05, -0.04 },/* TS3 */
  { -0.02, -0.03, -0.01, -0.01, -0.01, 0.0, 0.01, 0.02, 0.02, 0.02, 0.01, 0.01 },    /* TS4 */
  { -0.01, 0.07, 0.04, -0.04, -0.03, -0.01, 0.0, 0.02, 0.0, -0.01, -0.03, -0.04 },   /* VS1 */
  { 0.03, 0.06, -0.02, 0.14, 0.36, 0.26, 0.07, -0.13, -0.18, -0.20, -0.21, -0.16 },  /* CE */
  { 0.0, 0.004, -0.006, 0.008, 0.032, 0.022, 0.008, -0.01, -0.012, -0.015, -0.016, -0.013 },
};

/* Within-cycle noise (AR(1), coefficient 0.8) of TS1-TS4, VS1, CE, CP. */
static const double slow_noise[] = { 0.05, 0.05, 0.045, 0.04, 0.025, 0.2, 0.015 };

static const double vs_base[3] = { 0.68, 0.61, 0.555 };
static const double ce_base[3] = { 19.6, 27.2, 46.9 };
static const double cp_base[3] = { 1.52, 1.755, 2.18 };

/* SE of a healthy pump for the parts of the cycle: second 0, 11-18, 19-20, 21-28, 29-30, 31-38,
 * 39-40, 41-48, 49-50, 51-59 (the 9-10 s part depends on valve and accumulator). */
static const double se_levels[10] = { 68.5, 69.2, 56.3, 68.6, 57.5, 69.6, 79.0, 68.6, 73.8, 68.7 };

static double
template_at (const double knots[12],
             guint        second)
{
  guint j = second / 5;
  double frac = (second % 5) / 5.0;

  return knots[j] + (knots[(j + 1) % 12] - knots[j]) * frac;
}

static guint
se_part (guint second)
{
  static const guint starts[] = { 11, 19, 21, 29, 31, 39, 41, 49, 51 };
  guint part = 1;

  for (guint j = 0; j < G_N_ELEMENTS (starts) && second >= starts[j]; j++)
    part = j + 1;
  return part;
}

static void
synth_se (const VigilHydraulicCyclePlan *plan,
          Rng                           *rng,
          double                        *out)
{
  int pump = plan->label.pump;
  double offset = 0.35 * rng_normal (rng) - 1.6 * pump;
  double mid = 0.5 * (plan->temp_start + plan->temp_end);
  /* With hot oil (cooler near failure) a leaking pump loses about half its efficiency under
   * load, as in the real cycles at cooler 3 %. */
  double collapse = pump > 0 ? CLAMP ((mid - 55.0) / 1.5, 0.0, 1.0) : 0.0;
  double startup;
  double value = 0;

  /* A lagging valve and a low accumulator waste the start of the load (SE at 9-10 s). */
  switch (plan->label.valve)
    {
    case 100: startup = 69.8; break;
    case 90: startup = 68.8; break;
    case 80: startup = 57.9; break;
    default: startup = 36.5; break;
    }
  startup -= 0.2 * (130 - plan->label.accumulator);

  out[0] = se_levels[0] + offset + 0.3 * rng_normal (rng);
  for (guint s = 1; s <= 8; s++)
    out[s] = 0;
  /* The real SE holds each value for two seconds from 9 s on. */
  for (guint s = 9; s < 60; s++)
    {
      if ((s - 9) % 2 == 0)
        {
          guint part = se_part (s);

          if (s < 11)
            value = startup;
          else if (part >= 2 && part <= 7)
            value = se_levels[part] * (1.0 - collapse * (0.36 + 0.08 * pump));
          else if (part == 8)
            value = se_levels[part] + 10.0 * collapse;
          else
            value = se_levels[part];
          value += offset + 0.2 * rng_normal (rng);
        }
      out[s] = value;
    }
}

static void
synth_slow (const VigilHydraulicModel *model,
            VigilSensor                sensor,
            guint                      k,
            Rng                       *rng,
            double                    *out)
{
  const VigilHydraulicCyclePlan *plan = &model->plans[k - model->first_cycle + 1];
  guint ci = cooler_index (plan->label.cooler);
  guint t = sensor - VIGIL_SENSOR_TS1;
  double mid = 0.5 * (plan->temp_start + plan->temp_end);
  double lag = 100 - plan->label.valve;
  double base = 0;
  double ar;

  if (sensor == VIGIL_SENSOR_SE)
    {
      synth_se (plan, rng, out);
      return;
    }

  switch (sensor)
    {
    case VIGIL_SENSOR_VS1:
      base = vs_base[ci] + 0.008 * plan->label.pump + 0.0008 * lag + plan->vs_drift;
      break;
    case VIGIL_SENSOR_CE:
      base = ce_base[ci] - 0.35 * (mid - plan->temp_target) + plan->ce_drift;
      break;
    case VIGIL_SENSOR_CP:
      base = cp_base[ci] + 0.025 * (mid - plan->temp_target) + plan->cp_drift;
      break;
    default:
      base = ts_offset[t][ci];
      break;
    }

  ar = slow_noise[t] * rng_normal (rng);
  for (guint s = 0; s < VIGIL_CYCLE_SECONDS; s++)
    {
      double value = base + template_at (slow_templates[t], s) + ar;

      if (sensor <= VIGIL_SENSOR_TS4)
        value += plan->temp_start + (plan->temp_end - plan->temp_start) * (s + 0.5) / 60.0;
      out[s] = value;
      ar = 0.8 * ar + 0.6 * slow_noise[t] * rng_normal (rng);
    }
}

/* ---- faults ---- */

/* The value a stuck sensor holds, as its file writes it (three decimals, no sign). */
static double
round_milli (double value)
{
  if (!(value > 0))
    return 0;
  return floor (value * 1000.0 + 0.5) / 1000.0;
}

static void
apply_fault (VigilHydraulicModel *model,
             VigilSensor          sensor,
             guint                k,
             double              *out)
{
  VigilHydraulicFault *fault = &model->plans[k - model->first_cycle + 1].fault;

  switch (fault->kind)
    {
    case VIGIL_HYDRAULIC_FAULT_PRESSURE_SPIKE:
      if (fault->sensor != sensor)
        return;
      for (guint j = 0; j < fault->n_samples; j++)
        out[fault->first + j] += fault->magnitude[0] * (1.0 - 0.3 * j / fault->n_samples);
      break;

    case VIGIL_HYDRAULIC_FAULT_OVERHEATING:
      if (sensor < VIGIL_SENSOR_TS1 || sensor > VIGIL_SENSOR_TS4)
        return;
      /* Heat builds and fades over 3 s at either end of the span. */
      for (guint j = 0; j < fault->n_samples; j++)
        {
          double ramp = MIN (1.0, MIN ((j + 1) / 3.0, (fault->n_samples - j) / 3.0));

          out[fault->first + j] += fault->magnitude[sensor - VIGIL_SENSOR_TS1] * ramp;
        }
      break;

    case VIGIL_HYDRAULIC_FAULT_STUCK_SENSOR:
      if (fault->sensor != sensor)
        return;
      fault->magnitude[0] = round_milli (out[fault->first]);
      for (guint j = 0; j < fault->n_samples; j++)
        out[fault->first + j] = fault->magnitude[0];
      break;

    case VIGIL_HYDRAULIC_FAULT_NONE:
    default:
      break;
    }
}

/* ---- one sensor, one cycle ---- */

void
_vigil_hydraulic_model_synth (VigilHydraulicModel *model,
                              VigilSensor          sensor,
                              guint                cycle,
                              double              *out)
{
  Rng rng;

  rng_init (&rng, model->seed, STREAM_SENSOR + sensor, cycle);
  if (vigil_sensor_get_info (sensor)->rate_hz == 1)
    synth_slow (model, sensor, cycle, &rng, out);
  else
    synth_load_cycle (model, sensor, cycle, &rng, out);
  apply_fault (model, sensor, cycle, out);
}
