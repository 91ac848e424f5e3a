/* vigil-traffic-generator.c
 *
 * Synthetic traffic cameras: the road scene and its car-following model, the drawing of frames
 * and the camera folders written from them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-traffic-generator"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "vigil-error.h"
#include "vigil-rng-private.h"
#include "vigil-traffic-generator.h"

#define N_LANES       4
#define LANE_M        3.5
#define SHOULDER_M    1.0
#define ROAD_M        (2 * SHOULDER_M + N_LANES * LANE_M)
/* Vehicles enter and leave this far outside the view, so that none pops in. */
#define MARGIN_M      25.0
/* The red light stands this far past the far edge of the view: its queue fills the view. */
#define STOP_PAST_M   4.0
#define STANDSTILL_M  2.0          /* gap kept to the vehicle ahead when stopped */
#define COMFORT_DECEL 3.0          /* m/s², what drivers plan their braking on */
#define WARMUP_S      25.0         /* the road fills before the first frame */
#define NOISE_TABLE   65536

typedef struct
{
  double length_min, length_max;
  double width_min, width_max;
  double speed_min_kmh, speed_max_kmh;
  double accel;                    /* m/s² */
  double share;                    /* of the traffic */
} ClassSpec;

static const ClassSpec class_specs[VIGIL_N_VEHICLE_CLASSES] = {
  [VIGIL_VEHICLE_MOTORCYCLE] = { 1.9, 2.3, 0.7, 0.9, 50, 80, 3.0, 0.12 },
  [VIGIL_VEHICLE_CAR] = { 3.9, 4.9, 1.7, 1.9, 45, 80, 2.0, 0.68 },
  [VIGIL_VEHICLE_BUS] = { 10.5, 12.5, 2.5, 2.55, 40, 60, 1.1, 0.08 },
  [VIGIL_VEHICLE_TRUCK] = { 13.5, 16.5, 2.5, 2.6, 40, 65, 0.9, 0.12 },
};

static const guint8 car_colours[][3] = {
  { 230, 230, 228 }, { 30, 30, 34 }, { 170, 173, 178 }, { 160, 28, 30 },
  { 28, 52, 140 }, { 58, 60, 64 }, { 200, 190, 160 }, { 20, 90, 50 },
};
static const guint8 bus_colours[][3] = {
  { 225, 180, 30 }, { 232, 232, 232 }, { 30, 110, 170 },
};
static const guint8 cab_colours[][3] = {
  { 200, 30, 30 }, { 230, 230, 230 }, { 30, 60, 140 }, { 240, 140, 20 },
};
static const guint8 rider_colours[][3] = {
  { 220, 40, 40 }, { 240, 200, 30 }, { 40, 160, 220 }, { 235, 235, 235 },
};

typedef struct
{
  gint64            id;
  VigilVehicleClass klass;
  double            length;        /* metres */
  double            width;
  double            lateral;       /* offset from the lane centre */
  double            s;             /* front, metres from the lane's entry */
  double            v;             /* m/s, the speed of the last step */
  double            v0;            /* desired speed */
  double            accel;
  gboolean          decided;       /* chose, when the light turned red, whether to stop */
  gboolean          runs_red;
  guint8            body[3];
  guint8            detail[3];
} Vehicle;

typedef struct
{
  GArray   *vehicles;              /* Vehicle, front first */
  gboolean  eastbound;
  double    centre_m;              /* lane centre, metres from the top of the image */
  double    next_spawn_s;
  double    mean_headway_s;
} Lane;

struct _VigilTrafficScene
{
  VigilTrafficGeneratorParams params;
  guint     camera;

  VigilRng  traffic_rng;           /* vehicles and their arrivals */
  VigilRng  pixel_rng;             /* sensor noise */

  double    ppm;
  double    view_m;                /* width of the view along the road */
  double    road_top_m;
  double    red_start_s[2];        /* [0] westbound, [1] eastbound */
  double    red_end_s[2];
  double    light_amplitude;
  double    light_period_s;
  double    light_phase;
  double    light_drift;           /* gain change over the whole run */
  double    duration_s;

  Lane      lanes[N_LANES];
  gint64    next_id;
  guint64   frame;                 /* next frame to give */

  guint8   *background;            /* owned: RGB rows of width * 3 bytes */
  gint16   *noise;                 /* owned: NOISE_TABLE gaussian samples */
};

/* ---- random numbers ---- */

static double
uniform (VigilRng *rng,
         double    lo,
         double    hi)
{
  return lo + (hi - lo) * ((vigil_rng_next (rng) >> 11) * (1.0 / 9007199254740992.0));
}

static double
gaussian (VigilRng *rng)
{
  double u1 = uniform (rng, 1e-12, 1.0);
  double u2 = uniform (rng, 0.0, 1.0);

  return sqrt (-2 * log (u1)) * cos (2 * G_PI * u2);
}

/* ---- the road and its vehicles ---- */

static double
stop_line_s (VigilTrafficScene *self)
{
  return MARGIN_M + self->view_m + STOP_PAST_M;
}

static gboolean
is_red (VigilTrafficScene *self,
        gboolean           eastbound,
        double             t)
{
  return t >= self->red_start_s[eastbound] && t < self->red_end_s[eastbound];
}

static VigilVehicleClass
draw_class (VigilRng *rng)
{
  double u = uniform (rng, 0, 1);

  for (guint k = 0; k < VIGIL_N_VEHICLE_CLASSES - 1; k++)
    {
      if (u < class_specs[k].share)
        return (VigilVehicleClass) k;
      u -= class_specs[k].share;
    }
  return VIGIL_N_VEHICLE_CLASSES - 1;
}

static void
copy_colour (guint8       *out,
             const guint8 *in)
{
  memcpy (out, in, 3);
}

static void
draw_vehicle (VigilTrafficScene *self,
              Vehicle           *veh)
{
  VigilRng *rng = &self->traffic_rng;
  const ClassSpec *spec;

  veh->klass = draw_class (rng);
  spec = &class_specs[veh->klass];
  veh->length = uniform (rng, spec->length_min, spec->length_max);
  veh->width = uniform (rng, spec->width_min, spec->width_max);
  veh->lateral = uniform (rng, -0.25, 0.25);
  veh->v0 = uniform (rng, spec->speed_min_kmh, spec->speed_max_kmh) / 3.6;
  veh->accel = spec->accel;

  switch (veh->klass)
    {
    case VIGIL_VEHICLE_MOTORCYCLE:
      copy_colour (veh->body, car_colours[vigil_rng_next (rng) % 2 ? 1 : 3]);
      copy_colour (veh->detail, rider_colours[vigil_rng_next (rng) % G_N_ELEMENTS (rider_colours)]);
      break;
    case VIGIL_VEHICLE_CAR:
      copy_colour (veh->body, car_colours[vigil_rng_next (rng) % G_N_ELEMENTS (car_colours)]);
      veh->detail[0] = 34, veh->detail[1] = 40, veh->detail[2] = 50;
      break;
    case VIGIL_VEHICLE_BUS:
      copy_colour (veh->body, bus_colours[vigil_rng_next (rng) % G_N_ELEMENTS (bus_colours)]);
      veh->detail[0] = 70, veh->detail[1] = 72, veh->detail[2] = 76;
      break;
    case VIGIL_VEHICLE_TRUCK:
    default:
      copy_colour (veh->detail, cab_colours[vigil_rng_next (rng) % G_N_ELEMENTS (cab_colours)]);
      veh->body[0] = veh->body[1] = veh->body[2] = vigil_rng_next (rng) % 2 ? 205 : 150;
      break;
    }
}

/* The fastest a follower may go this step: no faster than it wants or can accelerate to, slow
 * enough to stop behind what is ahead if that brakes at the same comfortable rate, and never
 * past it. @gap is measured to the leader's new position, so nothing ever overlaps. */
static double
follow_speed (const Vehicle *veh,
              double         gap,
              double         leader_v,
              double         dt)
{
  double v = MIN (veh->v0, veh->v + veh->accel * dt);

  if (isfinite (gap))
    {
      gap = MAX (gap, 0);
      v = MIN (v, sqrt (leader_v * leader_v + 2 * COMFORT_DECEL * gap));
      v = MIN (v, gap / dt);
    }
  /* Closing the last millimetres of a gap is standing still; without this the approach
   * halves forever in floating point and a queue never shows a speed of exactly 0. */
  return v < 1e-3 ? 0 : v;
}

static void
step_lane (VigilTrafficScene *self,
           Lane              *lane,
           double             t,
           double             dt)
{
  double leader_rear = INFINITY;
  double leader_v = 0;
  double stop_s = stop_line_s (self);
  gboolean red = is_red (self, lane->eastbound, t);

  for (guint i = 0; i < lane->vehicles->len; i++)
    {
      Vehicle *veh = &g_array_index (lane->vehicles, Vehicle, i);
      double gap = leader_rear - STANDSTILL_M - veh->s;
      double v_lead = leader_v;

      /* A driver who can still stop comfortably when the light turns red stops at it; one who
       * cannot goes through, as on amber. The choice is made once: braking at the comfortable
       * rate keeps the driver on the edge of it. */
      if (!red)
        veh->decided = FALSE;
      else
        {
          double to_line = stop_s - veh->s;

          if (!veh->decided)
            {
              veh->decided = TRUE;
              veh->runs_red = to_line <= 0 ||
                              veh->v * veh->v / (2 * COMFORT_DECEL) > to_line;
            }
          if (!veh->runs_red && to_line < gap)
            {
              gap = to_line;
              v_lead = 0;
            }
        }

      veh->v = follow_speed (veh, gap, v_lead, dt);
      veh->s += veh->v * dt;
      leader_rear = veh->s - veh->length;
      leader_v = veh->v;
    }

  while (lane->vehicles->len > 0 &&
         g_array_index (lane->vehicles, Vehicle, 0).s - g_array_index (lane->vehicles, Vehicle,
                                                                        0).length >
         2 * MARGIN_M + self->view_m)
    g_array_remove_index (lane->vehicles, 0);

  if (t >= lane->next_spawn_s)
    {
      Vehicle veh = { 0 };
      double gap = INFINITY;
      double v_lead = 0;

      draw_vehicle (self, &veh);
      veh.s = veh.length;
      if (lane->vehicles->len > 0)
        {
          const Vehicle *last = &g_array_index (lane->vehicles, Vehicle, lane->vehicles->len - 1);

          gap = last->s - last->length - STANDSTILL_M - veh.s;
          v_lead = last->v;
        }
      /* A queue backed up to the entry holds the arrival back a step; its draws are taken
       * again then, which keeps the scene a function of the seed alone. */
      if (gap >= 0)
        {
          veh.v = isfinite (gap) ? MIN (veh.v0, sqrt (v_lead * v_lead + 2 * COMFORT_DECEL * gap))
                                 : veh.v0;
          veh.id = self->next_id++;
          g_array_append_val (lane->vehicles, veh);
          lane->next_spawn_s = t + 1.0 - lane->mean_headway_s *
                               log (uniform (&self->traffic_rng, 1e-9, 1.0));
        }
    }
}

static void
step (VigilTrafficScene *self,
      double             t)
{
  double dt = 1.0 / self->params.fps;

  for (guint i = 0; i < N_LANES; i++)
    step_lane (self, &self->lanes[i], t, dt);
}

/* ---- drawing ---- */

static inline guint8
clamp_u8 (double v)
{
  return v <= 0 ? 0 : v >= 255 ? 255 : (guint8) (v + 0.5);
}

static inline double
overlap (double a0,
         double a1,
         double b0,
         double b1)
{
  return MAX (0.0, MIN (a1, b1) - MAX (a0, b0));
}

/* Blends @colour over the rectangle with each pixel weighted by how much of it the rectangle
 * covers, so that vehicles move smoothly by fractions of a pixel. @colour NULL darkens by
 * @shade instead (a shadow). */
static void
fill_rect (guint8       *rgb,
           guint         width,
           guint         height,
           guint         stride,
           double        x0,
           double        y0,
           double        x1,
           double        y1,
           const guint8 *colour,
           double        shade)
{
  int px0 = MAX (0, (int) floor (x0));
  int px1 = MIN ((int) width, (int) ceil (x1));
  int py0 = MAX (0, (int) floor (y0));
  int py1 = MIN ((int) height, (int) ceil (y1));

  for (int py = py0; py < py1; py++)
    {
      double cy = overlap (py, py + 1, y0, y1);
      guint8 *row = rgb + (gsize) py * stride;

      for (int px = px0; px < px1; px++)
        {
          double cov = cy * overlap (px, px + 1, x0, x1);
          guint8 *p = row + 3 * px;

          for (guint c = 0; c < 3; c++)
            p[c] = colour != NULL ? clamp_u8 (p[c] + (colour[c] - p[c]) * cov)
                                  : clamp_u8 (p[c] * (1 - cov * (1 - shade)));
        }
    }
}

static void
make_background (VigilTrafficScene *self)
{
  guint w = self->params.width;
  guint h = self->params.height;
  double ppm = self->ppm;
  double top = self->road_top_m * ppm;
  double bottom = (self->road_top_m + ROAD_M) * ppm;
  double dash_phase = uniform (&self->traffic_rng, 0, 12);
  static const guint8 white[3] = { 235, 235, 235 };
  static const guint8 yellow[3] = { 225, 190, 40 };
  static const guint8 shoulder[3] = { 112, 110, 106 };

  self->background = g_malloc ((gsize) w * h * 3);
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        guint8 *p = self->background + ((gsize) y * w + x) * 3;
        gboolean road = y + 0.5 >= top && y + 0.5 < bottom;
        double tex = uniform (&self->traffic_rng, -1, 1);

        if (road)
          p[0] = clamp_u8 (92 + 5 * tex), p[1] = clamp_u8 (92 + 5 * tex),
          p[2] = clamp_u8 (96 + 5 * tex);
        else
          p[0] = clamp_u8 (64 + 10 * tex), p[1] = clamp_u8 (102 + 12 * tex),
          p[2] = clamp_u8 (56 + 8 * tex);
      }

  fill_rect (self->background, w, h, w * 3, 0, top, w, top + SHOULDER_M * ppm, shoulder, 0);
  fill_rect (self->background, w, h, w * 3, 0, bottom - SHOULDER_M * ppm, w, bottom, shoulder, 0);
  for (guint k = 0; k <= N_LANES; k++)
    {
      double y = top + (SHOULDER_M + k * LANE_M) * ppm;

      if (k == 0 || k == N_LANES)
        fill_rect (self->background, w, h, w * 3, 0, y - 0.08 * ppm, w, y + 0.08 * ppm, white, 0);
      else if (k == N_LANES / 2)
        {
          fill_rect (self->background, w, h, w * 3, 0, y - 0.22 * ppm, w, y - 0.1 * ppm, yellow, 0);
          fill_rect (self->background, w, h, w * 3, 0, y + 0.1 * ppm, w, y + 0.22 * ppm, yellow, 0);
        }
      else
        for (double x = -dash_phase; x < self->view_m; x += 12)
          fill_rect (self->background, w, h, w * 3, x * ppm, y - 0.07 * ppm, (x + 3) * ppm,
                     y + 0.07 * ppm, white, 0);
    }
}

/* The body of @veh in metres across the image: [*x0, *x1) x [*y0, *y1). */
static void
vehicle_extent (VigilTrafficScene *self,
                const Lane        *lane,
                const Vehicle     *veh,
                double            *x0,
                double            *x1,
                double            *y0,
                double            *y1)
{
  double front = veh->s - MARGIN_M;

  if (lane->eastbound)
    *x0 = front - veh->length, *x1 = front;
  else
    *x0 = self->view_m - front, *x1 = self->view_m - front + veh->length;
  *y0 = lane->centre_m + veh->lateral - veh->width / 2;
  *y1 = *y0 + veh->width;
}

/* A part of the vehicle from @a to @b (fractions of its length from the front) and inset
 * @inset metres from its sides. */
static void
fill_part (VigilTrafficScene *self,
           VigilFrame        *frame,
           const Lane        *lane,
           double             x0,
           double             x1,
           double             y0,
           double             y1,
           double             a,
           double             b,
           double             inset,
           const guint8      *colour)
{
  double len = x1 - x0;
  double p0 = lane->eastbound ? x1 - b * len : x0 + a * len;
  double p1 = lane->eastbound ? x1 - a * len : x0 + b * len;
  double ppm = self->ppm;

  fill_rect (frame->data, frame->width, frame->height, frame->stride, p0 * ppm,
             (y0 + inset) * ppm, p1 * ppm, (y1 - inset) * ppm, colour, 0);
}

static void
draw_vehicle_pixels (VigilTrafficScene *self,
                     VigilFrame        *frame,
                     const Lane        *lane,
                     const Vehicle     *veh)
{
  double x0, x1, y0, y1;
  double ppm = self->ppm;
  guint8 roof[3];

  vehicle_extent (self, lane, veh, &x0, &x1, &y0, &y1);
  fill_rect (frame->data, frame->width, frame->height, frame->stride, (x0 + 0.25) * ppm,
             (y0 + 0.35) * ppm, (x1 + 0.25) * ppm, (y1 + 0.35) * ppm, NULL, 0.55);
  fill_rect (frame->data, frame->width, frame->height, frame->stride, x0 * ppm, y0 * ppm,
             x1 * ppm, y1 * ppm, veh->body, 0);

  switch (veh->klass)
    {
    case VIGIL_VEHICLE_MOTORCYCLE:
      fill_part (self, frame, lane, x0, x1, y0, y1, 0.35, 0.7, -0.1, veh->detail);
      break;
    case VIGIL_VEHICLE_CAR:
      fill_part (self, frame, lane, x0, x1, y0, y1, 0.25, 0.45, 0.12, veh->detail);
      fill_part (self, frame, lane, x0, x1, y0, y1, 0.75, 0.85, 0.15, veh->detail);
      break;
    case VIGIL_VEHICLE_BUS:
      for (guint c = 0; c < 3; c++)
        roof[c] = clamp_u8 (veh->body[c] * 1.08);
      fill_part (self, frame, lane, x0, x1, y0, y1, 0.03, 0.97, 0.2, roof);
      fill_part (self, frame, lane, x0, x1, y0, y1, 0.3, 0.42, 0.5, veh->detail);
      break;
    case VIGIL_VEHICLE_TRUCK:
    default:
      {
        static const guint8 gap[3] = { 40, 40, 42 };
        double cab = 2.3 / veh->length;

        fill_part (self, frame, lane, x0, x1, y0, y1, 0, cab, 0.05, veh->detail);
        fill_part (self, frame, lane, x0, x1, y0, y1, cab, cab + 0.3 / veh->length, 0, gap);
      }
      break;
    }
}

static double
light_gain (VigilTrafficScene *self,
            double             t)
{
  return 1 + self->light_amplitude * sin (2 * G_PI * t / self->light_period_s +
                                          self->light_phase) +
         self->light_drift * t / self->duration_s;
}

static VigilFrame *
render (VigilTrafficScene *self,
        double             t)
{
  guint w = self->params.width;
  guint h = self->params.height;
  VigilFrame *frame = vigil_frame_new (VIGIL_FRAME_RGB24, w, h);
  double gain = light_gain (self, t);

  for (guint y = 0; y < h; y++)
    memcpy (frame->data + (gsize) y * frame->stride, self->background + (gsize) y * w * 3, w * 3);

  for (guint i = 0; i < N_LANES; i++)
    for (guint j = 0; j < self->lanes[i].vehicles->len; j++)
      draw_vehicle_pixels (self, frame, &self->lanes[i],
                           &g_array_index (self->lanes[i].vehicles, Vehicle, j));

  for (guint y = 0; y < h; y++)
    {
      guint8 *row = frame->data + (gsize) y * frame->stride;

      for (guint x = 0; x < w; x++)
        {
          guint64 r = vigil_rng_next (&self->pixel_rng);

          for (guint c = 0; c < 3; c++)
            row[3 * x + c] = clamp_u8 (row[3 * x + c] * gain +
                                       self->noise[(r >> (16 * c)) & (NOISE_TABLE - 1)] / 16.0);
        }
    }
  return frame;
}

/* ---- the scene ---- */

void
vigil_traffic_generator_params_init (VigilTrafficGeneratorParams *params)
{
  g_return_if_fail (params != NULL);

  params->n_cameras = 1;
  params->n_frames = 750;
  params->width = 640;
  params->height = 360;
  params->fps = 25;
  params->seed = 1;
}

VigilTrafficScene *
vigil_traffic_scene_new (const VigilTrafficGeneratorParams *params,
                         guint                              camera)
{
  VigilTrafficScene *self;
  guint64 x;
  double sigma;
  double dt;
  double jam_start;
  gint64 warmup_steps;

  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (camera >= 1, NULL);
  g_return_val_if_fail (params->width >= 16 && params->height >= 16, NULL);
  g_return_val_if_fail (params->width <= 16384 && params->height <= 16384, NULL);
  g_return_val_if_fail (params->fps > 0 && params->fps <= 1000, NULL);

  self = g_new0 (VigilTrafficScene, 1);
  self->params = *params;
  self->camera = camera;
  x = params->seed * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15) + camera;
  vigil_rng_init_from (&self->traffic_rng, vigil_splitmix64 (&x));
  vigil_rng_init_from (&self->pixel_rng, vigil_splitmix64 (&x));

  /* Round the scale so that camera.json says exactly what the frames use. */
  self->ppm = params->width / uniform (&self->traffic_rng, 56, 72);
  self->ppm = MIN (self->ppm, 0.8 * params->height / ROAD_M);
  self->ppm = round (self->ppm * 1e4) / 1e4;
  self->view_m = params->width / self->ppm;
  self->road_top_m = (params->height / self->ppm - ROAD_M) *
                     (0.5 + uniform (&self->traffic_rng, -0.1, 0.1));

  self->duration_s = MAX (1.0, params->n_frames / params->fps);
  jam_start = self->duration_s * uniform (&self->traffic_rng, 0.08, 0.15);
  for (guint d = 0; d < 2; d++)
    {
      self->red_start_s[d] = jam_start + d * uniform (&self->traffic_rng, 0, 2);
      self->red_end_s[d] = self->duration_s * uniform (&self->traffic_rng, 0.55, 0.65);
    }
  self->light_amplitude = uniform (&self->traffic_rng, 0.06, 0.12);
  self->light_period_s = uniform (&self->traffic_rng, 40, 90);
  self->light_phase = uniform (&self->traffic_rng, 0, 2 * G_PI);
  self->light_drift = uniform (&self->traffic_rng, -0.12, 0.12);

  for (guint i = 0; i < N_LANES; i++)
    {
      Lane *lane = &self->lanes[i];

      lane->vehicles = g_array_new (FALSE, FALSE, sizeof (Vehicle));
      lane->eastbound = i >= N_LANES / 2;
      lane->centre_m = self->road_top_m + SHOULDER_M + (i + 0.5) * LANE_M;
      lane->mean_headway_s = uniform (&self->traffic_rng, 2.0, 4.0);
      lane->next_spawn_s = -WARMUP_S + uniform (&self->traffic_rng, 0, 2);
    }
  self->next_id = 1;

  sigma = uniform (&self->traffic_rng, 2.0, 3.5);
  self->noise = g_new (gint16, NOISE_TABLE);
  for (guint i = 0; i < NOISE_TABLE; i++)
    self->noise[i] = (gint16) CLAMP (round (16 * sigma * gaussian (&self->traffic_rng)), -2000,
                                     2000);
  make_background (self);

  /* Time runs in whole steps so that frame f is exactly f / fps. */
  dt = 1.0 / params->fps;
  warmup_steps = (gint64) ceil (WARMUP_S * params->fps);
  for (gint64 k = -warmup_steps + 1; k <= 0; k++)
    step (self, k * dt);

  return self;
}

void
vigil_traffic_scene_free (VigilTrafficScene *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < N_LANES; i++)
    g_array_unref (self->lanes[i].vehicles);
  g_free (self->background);
  g_free (self->noise);
  g_free (self);
}

double
vigil_traffic_scene_get_pixels_per_metre (VigilTrafficScene *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->ppm;
}

void
vigil_traffic_scene_get_road (VigilTrafficScene *self,
                              double            *top,
                              double            *bottom)
{
  g_return_if_fail (self != NULL);

  if (top != NULL)
    *top = self->road_top_m * self->ppm;
  if (bottom != NULL)
    *bottom = (self->road_top_m + ROAD_M) * self->ppm;
}

gboolean
vigil_traffic_scene_next (VigilTrafficScene  *self,
                          GArray             *truth,
                          VigilFrame        **frame)
{
  double t;
  double w_px = self->params.width;
  double h_px = self->params.height;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (truth != NULL, FALSE);

  if (self->frame >= self->params.n_frames)
    return FALSE;

  t = self->frame / self->params.fps;
  if (self->frame > 0)
    step (self, t);

  for (guint i = 0; i < N_LANES; i++)
    for (guint j = 0; j < self->lanes[i].vehicles->len; j++)
      {
        const Vehicle *veh = &g_array_index (self->lanes[i].vehicles, Vehicle, j);
        double x0, x1, y0, y1;
        VigilTrafficTruth row;

        vehicle_extent (self, &self->lanes[i], veh, &x0, &x1, &y0, &y1);
        x0 = CLAMP (x0 * self->ppm, 0, w_px);
        x1 = CLAMP (x1 * self->ppm, 0, w_px);
        y0 = CLAMP (y0 * self->ppm, 0, h_px);
        y1 = CLAMP (y1 * self->ppm, 0, h_px);
        /* A sliver under a pixel wide shows nothing a detector could find. */
        if (x1 - x0 < 1 || y1 - y0 < 1)
          continue;

        row.frame = self->frame;
        row.time_us = (gint64) llround (t * G_USEC_PER_SEC);
        row.track_id = veh->id;
        row.klass = veh->klass;
        row.x = x0;
        row.y = y0;
        row.w = x1 - x0;
        row.h = y1 - y0;
        row.speed_kmh = veh->v * 3.6;
        g_array_append_val (truth, row);
      }

  if (frame != NULL)
    *frame = render (self, t);
  self->frame++;
  return TRUE;
}

/* ---- PNG ---- */

static guint32 crc_table[256];

static gpointer
init_crc_table (gpointer data)
{
  for (guint32 n = 0; n < 256; n++)
    {
      guint32 c = n;

      for (guint k = 0; k < 8; k++)
        c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
      crc_table[n] = c;
    }
  return NULL;
}

static guint32
crc32_update (guint32       crc,
              const guint8 *data,
              gsize         len)
{
  for (gsize i = 0; i < len; i++)
    crc = crc_table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

static void
append_chunk (GByteArray   *png,
              const char   *type,
              const guint8 *data,
              gsize         len)
{
  guint8 be[4] = { len >> 24, len >> 16, len >> 8, len };
  guint32 crc = 0xffffffffu;

  g_byte_array_append (png, be, 4);
  g_byte_array_append (png, (const guint8 *) type, 4);
  g_byte_array_append (png, data, len);
  crc = crc32_update (crc, (const guint8 *) type, 4);
  crc = crc32_update (crc, data, len) ^ 0xffffffffu;
  be[0] = crc >> 24, be[1] = crc >> 16, be[2] = crc >> 8, be[3] = crc;
  g_byte_array_append (png, be, 4);
}

gboolean
vigil_traffic_write_png (const VigilFrame  *frame,
                         const char        *path,
                         GError           **error)
{
  static GOnce crc_once = G_ONCE_INIT;
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autoptr(GByteArray) png = g_byte_array_new ();
  g_autoptr(GZlibCompressor) zlib = NULL;
  g_autoptr(GOutputStream) memory = NULL;
  g_autoptr(GOutputStream) deflate = NULL;
  g_autofree guint8 *row = NULL;
  guint bpp;
  gsize row_len;
  guint8 ihdr[13];

  g_return_val_if_fail (frame != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_once (&crc_once, init_crc_table, NULL);
  bpp = frame->format == VIGIL_FRAME_RGB24 ? 3 : 1;
  row_len = (gsize) frame->width * bpp;

  ihdr[0] = frame->width >> 24, ihdr[1] = frame->width >> 16;
  ihdr[2] = frame->width >> 8, ihdr[3] = frame->width;
  ihdr[4] = frame->height >> 24, ihdr[5] = frame->height >> 16;
  ihdr[6] = frame->height >> 8, ihdr[7] = frame->height;
  ihdr[8] = 8;                          /* bits per sample */
  ihdr[9] = bpp == 3 ? 2 : 0;           /* truecolour or greyscale */
  ihdr[10] = ihdr[11] = ihdr[12] = 0;   /* deflate, adaptive filters, no interlace */

  /* Fast compression: sensor noise leaves little for a slower level to find. */
  zlib = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 1);
  memory = g_memory_output_stream_new_resizable ();
  deflate = g_converter_output_stream_new (memory, G_CONVERTER (zlib));
  row = g_malloc (row_len + 1);
  for (guint y = 0; y < frame->height; y++)
    {
      const guint8 *in = frame->data + (gsize) y * frame->stride;

      /* Filter "Sub": each byte minus the same channel of the pixel to its left. */
      row[0] = 1;
      for (gsize i = 0; i < row_len; i++)
        row[1 + i] = in[i] - (i >= bpp ? in[i - bpp] : 0);
      if (!g_output_stream_write_all (deflate, row, row_len + 1, NULL, NULL, error))
        return FALSE;
    }
  if (!g_output_stream_close (deflate, NULL, error))
    return FALSE;

  g_byte_array_append (png, signature, sizeof signature);
  append_chunk (png, "IHDR", ihdr, sizeof ihdr);
  append_chunk (png, "IDAT",
                g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (memory)),
                g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (memory)));
  append_chunk (png, "IEND", NULL, 0);

  if (!g_file_set_contents (path, (const char *) png->data, png->len, error))
    {
      g_prefix_error (error, "Cannot write frame: ");
      return FALSE;
    }
  return TRUE;
}

/* ---- camera folders ---- */

/* JSON written by hand: numbers in the short forms people read ("10.0346", not the 17 digits
 * json-glib's generator prints). */
static char *
format_number (char       *buf,
               const char *format,
               double      value)
{
  return g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, format, value);
}

static gboolean
write_mask (VigilTrafficScene  *scene,
            const char         *path,
            GError            **error)
{
  g_autoptr(GString) json = g_string_new (NULL);
  char w[G_ASCII_DTOSTR_BUF_SIZE];
  char t[G_ASCII_DTOSTR_BUF_SIZE];
  char b[G_ASCII_DTOSTR_BUF_SIZE];
  double top, bottom;

  vigil_traffic_scene_get_road (scene, &top, &bottom);
  format_number (w, "%.0f", scene->params.width);
  format_number (t, "%.2f", top);
  format_number (b, "%.2f", bottom);
  g_string_append_printf (json,
                          "{\n"
                          "  \"version\": \"5.2.1\",\n"
                          "  \"flags\": {},\n"
                          "  \"shapes\": [\n"
                          "    {\n"
                          "      \"label\": \"road\",\n"
                          "      \"points\": [[0, %s], [%s, %s], [%s, %s], [0, %s]],\n"
                          "      \"group_id\": null,\n"
                          "      \"shape_type\": \"polygon\",\n"
                          "      \"flags\": {}\n"
                          "    }\n"
                          "  ],\n"
                          "  \"imagePath\": \"" VIGIL_TRAFFIC_FRAMES_DIR "/000000.png\",\n"
                          "  \"imageData\": null,\n"
                          "  \"imageHeight\": %u,\n"
                          "  \"imageWidth\": %u\n"
                          "}\n",
                          t, w, t, w, b, b, scene->params.height, scene->params.width);
  return g_file_set_contents (path, json->str, json->len, error);
}

static gboolean
write_camera (VigilTrafficScene  *scene,
              const char         *camera_id,
              const char         *path,
              GError            **error)
{
  g_autoptr(GString) json = g_string_new (NULL);
  char fps[G_ASCII_DTOSTR_BUF_SIZE];
  char ppm[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (json,
                          "{\n"
                          "  \"camera_id\": \"%s\",\n"
                          "  \"fps\": %s,\n"
                          "  \"width\": %u,\n"
                          "  \"height\": %u,\n"
                          "  \"pixels_per_metre\": %s\n"
                          "}\n",
                          camera_id, format_number (fps, "%.6g", scene->params.fps),
                          scene->params.width, scene->params.height,
                          format_number (ppm, "%.4f", scene->ppm));
  return g_file_set_contents (path, json->str, json->len, error);
}

static void
append_number (GString    *out,
               const char *format,
               double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (out, ',');
  g_string_append (out, g_ascii_formatd (buf, sizeof buf, format, value));
}

static void
append_truth (GString *csv,
              GArray  *truth)
{
  for (guint i = 0; i < truth->len; i++)
    {
      const VigilTrafficTruth *t = &g_array_index (truth, VigilTrafficTruth, i);

      g_string_append_printf (csv, "%" G_GUINT64_FORMAT, t->frame);
      append_number (csv, "%.6f", t->time_us / 1e6);
      g_string_append_printf (csv, ",%" G_GINT64_FORMAT ",%s", t->track_id,
                              vigil_vehicle_class_get_name (t->klass));
      append_number (csv, "%.2f", t->x);
      append_number (csv, "%.2f", t->y);
      append_number (csv, "%.2f", t->w);
      append_number (csv, "%.2f", t->h);
      append_number (csv, "%.3f", t->speed_kmh);
      g_string_append_c (csv, '\n');
    }
}

static gboolean
generate_camera (const char                        *out_dir,
                 const VigilTrafficGeneratorParams *params,
                 guint                              camera,
                 GCancellable                      *cancellable,
                 GError                           **error)
{
  g_autoptr(VigilTrafficScene) scene = vigil_traffic_scene_new (params, camera);
  g_autoptr(GArray) truth = g_array_new (FALSE, FALSE, sizeof (VigilTrafficTruth));
  g_autoptr(GString) csv = g_string_new ("frame,timestamp,track_id,class,x,y,w,h,speed_kmh\n");
  g_autofree char *camera_id = g_strdup_printf ("cam_%02u", camera);
  g_autofree char *dir = g_build_filename (out_dir, camera_id, NULL);
  g_autofree char *frames_dir = g_build_filename (dir, VIGIL_TRAFFIC_FRAMES_DIR, NULL);
  g_autofree char *mask_path = g_build_filename (dir, VIGIL_TRAFFIC_MASK_FILE, NULL);
  g_autofree char *camera_path = g_build_filename (dir, VIGIL_TRAFFIC_CAMERA_FILE, NULL);
  g_autofree char *truth_path = g_build_filename (dir, VIGIL_TRAFFIC_GROUND_TRUTH, NULL);

  if (g_mkdir_with_parents (frames_dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO, "Cannot create %s: %s",
                   frames_dir, g_strerror (saved));
      return FALSE;
    }

  for (;;)
    {
      g_autoptr(VigilFrame) frame = NULL;
      g_autofree char *name = NULL;
      g_autofree char *path = NULL;
      guint64 index = scene->frame;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      g_array_set_size (truth, 0);
      if (!vigil_traffic_scene_next (scene, truth, &frame))
        break;
      name = g_strdup_printf ("%06" G_GUINT64_FORMAT ".png", index);
      path = g_build_filename (frames_dir, name, NULL);
      if (!vigil_traffic_write_png (frame, path, error))
        return FALSE;
      append_truth (csv, truth);
    }

  if (!write_mask (scene, mask_path, error) ||
      !write_camera (scene, camera_id, camera_path, error))
    return FALSE;
  if (!g_file_set_contents (truth_path, csv->str, csv->len, error))
    return FALSE;
  return TRUE;
}

gboolean
vigil_traffic_generate (const char                         *out_dir,
                        const VigilTrafficGeneratorParams  *params,
                        GCancellable                       *cancellable,
                        GError                            **error)
{
  g_return_val_if_fail (out_dir != NULL, FALSE);
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (params->n_cameras < 1 || params->n_cameras > VIGIL_TRAFFIC_MAX_CAMERAS ||
      params->n_frames < 1 || params->n_frames > VIGIL_TRAFFIC_MAX_FRAMES ||
      params->width < 16 || params->height < 16 || params->width > 16384 ||
      params->height > 16384 || !(params->fps > 0 && params->fps <= 1000))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Traffic generator settings out of range: %u cameras (1-%u), %u frames "
                   "(1-%u), %ux%u pixels (16-16384), %g frames/s (up to 1000)",
                   params->n_cameras, VIGIL_TRAFFIC_MAX_CAMERAS, params->n_frames,
                   VIGIL_TRAFFIC_MAX_FRAMES, params->width, params->height, params->fps);
      return FALSE;
    }

  for (guint c = 1; c <= params->n_cameras; c++)
    if (!generate_camera (out_dir, params, c, cancellable, error))
      return FALSE;
  return TRUE;
}
