/* test-live.c
 *
 * The engine-to-UI bus and the replay's pacing clock: alarm instances folded from a
 * hand-written journal, health per sensor and for the rig by the formula, windows by range,
 * samples reaching the series, counters and serials, a reset that forgets, writers on real
 * threads against a reader; a clock that pauses, changes speed without jumping and stops.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdatomic.h>

#include "vigil-live.h"
#include "vigil-replay-clock.h"
#include "vigil-time.h"
#include "vigil-test-util.h"

#define S VIGIL_DEFAULT_START_US
#define T(seconds) (S + (gint64) (seconds) * G_USEC_PER_SEC)

/* Polls that wait for another thread give up after this long: a failure, never a hang. */
#define DEADLINE_US (20 * G_USEC_PER_SEC)

static VigilRuleSet *
no_rules (void)
{
  g_autoptr(GError) error = NULL;
  VigilRuleSet *rules = vigil_rule_set_new_from_data ("{\"rules\": []}", -1, "none", &error);

  g_assert_no_error (error);

  return rules;
}

static VigilLive *
new_live (guint32 sensors)
{
  g_autoptr(VigilRuleSet) rules = no_rules ();
  VigilLive *live = vigil_live_new ();

  vigil_live_reset (live, S, T (3600), sensors, rules);

  return live;
}

static VigilWindowStats
make_window (VigilSensor sensor,
             gint64      start_us,
             double      base)
{
  return (VigilWindowStats) {
    .key = sensor,
    .start_us = start_us,
    .end_us = start_us + 60 * G_USEC_PER_SEC,
    .count = 6000,
    .avg = base,
    .min = base - 1,
    .max = base + 2,
    .stddev = 0.5,
    .range = 3,
  };
}

static void
assert_window_equal (const VigilWindowStats *x,
                     const VigilWindowStats *y)
{
  g_assert_cmpuint (x->key, ==, y->key);
  g_assert_cmpint (x->start_us, ==, y->start_us);
  g_assert_cmpint (x->end_us, ==, y->end_us);
  g_assert_cmpuint (x->count, ==, y->count);
  g_assert_cmpfloat (x->avg, ==, y->avg);
  g_assert_cmpfloat (x->min, ==, y->min);
  g_assert_cmpfloat (x->max, ==, y->max);
  g_assert_cmpfloat (x->stddev, ==, y->stddev);
  g_assert_cmpfloat (x->range, ==, y->range);
}

/* Alarm instances ------------------------------------------------------------------------- */

typedef struct
{
  const char      *rule;
  VigilSensor      sensor;
  VigilSeverity    severity;
  VigilAlarmState  state;
  gboolean         shelved;
  gint64           shelved_until_us;
  gint64           raised_us;
  gint64           changed_us;
  gint64           acked_us;
  gint64           cleared_us;
  double           value;
  double           peak;
  const char      *comment;
} ExpectedAlarm;

static void
assert_alarm (const VigilLiveAlarm *a,
              const ExpectedAlarm  *e)
{
  g_assert_cmpstr (a->rule, ==, e->rule);
  g_assert_true (a->rule == g_intern_string (e->rule));
  g_assert_cmpuint (a->sensor, ==, e->sensor);
  g_assert_cmpuint (a->severity, ==, e->severity);
  g_assert_cmpstr (vigil_alarm_state_to_string (a->state), ==,
                   vigil_alarm_state_to_string (e->state));
  g_assert_cmpint (a->shelved, ==, e->shelved);
  g_assert_cmpint (a->shelved_until_us, ==, e->shelved_until_us);
  g_assert_cmpint (a->raised_us, ==, e->raised_us);
  g_assert_cmpint (a->changed_us, ==, e->changed_us);
  g_assert_cmpint (a->acked_us, ==, e->acked_us);
  g_assert_cmpint (a->cleared_us, ==, e->cleared_us);
  assert_same_double (a->value, e->value);
  assert_same_double (a->peak, e->peak);
  g_assert_cmpstr (a->comment, ==, e->comment);
}

typedef struct
{
  guint sensor_health[VIGIL_N_SENSORS];
  guint rig;
} Health;

/* Health folded independently of the live: every instance's latest state, by the formula. */
static void
expected_health (const VigilAlarmTransition *journal,
                 guint                       n,
                 guint32                     sensors,
                 Health                     *out)
{
  g_autoptr(GHashTable) last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer value;
  int penalty[VIGIL_N_SENSORS] = { 0 };

  /* One alarm per rule and sensor: its latest transition says whether it is active. */
  for (guint i = 0; i < n; i++)
    g_hash_table_insert (last, g_strdup_printf ("%s/%u", journal[i].rule, journal[i].key),
                         (gpointer) &journal[i]);

  g_hash_table_iter_init (&iter, last);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const VigilAlarmTransition *t = value;

      if (t->to == VIGIL_ALARM_ACTIVE_UNACKED || t->to == VIGIL_ALARM_ACTIVE_ACKED ||
          t->to == VIGIL_ALARM_CLEARING)
        penalty[t->key] += t->severity == VIGIL_SEVERITY_CRITICAL ? 20 : 10;
    }

  out->rig = 100;
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      out->sensor_health[s] = (guint) MAX (0, 100 - penalty[s]);
      if (sensors & (1u << s))
        out->rig = MIN (out->rig, out->sensor_health[s]);
    }
}

static void
assert_health (VigilLive                  *live,
               const VigilAlarmTransition *journal,
               guint                       n,
               guint32                     sensors)
{
  VigilLiveCounters counters;
  Health want;

  expected_health (journal, n, sensors, &want);
  vigil_live_get_counters (live, &counters);
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    g_assert_cmpuint (counters.health[s], ==, want.sensor_health[s]);
  g_assert_cmpuint (counters.rig_health, ==, want.rig);
}

#define PS1 VIGIL_SENSOR_PS1
#define TS1 VIGIL_SENSOR_TS1
#define VS1 VIGIL_SENSOR_VS1
#define CRIT VIGIL_SEVERITY_CRITICAL
#define WARN VIGIL_SEVERITY_WARNING

static void
test_alarm_instances (void)
{
  /* The source has PS1, TS1 and CE; VS1's alarms are kept but are not the rig's. */
  const guint32 sensors = (1u << PS1) | (1u << TS1) | (1u << VIGIL_SENSOR_CE);
  g_autoptr(VigilLive) live = new_live (sensors);
  const char *high = g_intern_static_string ("high");
  const char *swing = g_intern_static_string ("swing");
  const char *spike = g_intern_static_string ("spike");
  const char *warm = g_intern_static_string ("warm");
  const char *vib = g_intern_static_string ("vib");
  char seen[] = "seen";
  char late[] = "late";
  char maintenance[] = "maintenance";
  /* In event-time order, as one worker per sensor would journal them. */
  const VigilAlarmTransition journal[] = {
#define TR(rule_, key_, sev_, from_, to_, cause_, at_, raised_, value_) \
    .rule = rule_, .key = key_, .severity = sev_, .from = VIGIL_ALARM_##from_, \
    .to = VIGIL_ALARM_##to_, .cause = VIGIL_ALARM_CAUSE_##cause_, .at_us = T (at_), \
    .raised_us = (raised_) == 0 ? 0 : T (raised_), .value = value_
    /* 0: a critical on PS1 is raised. */
    { TR (high, PS1, CRIT, NORMAL, ACTIVE_UNACKED, CONDITION, 60, 60, 180) },
    /* 1: pending is not an instance yet. */
    { TR (swing, PS1, WARN, NORMAL, PENDING, CONDITION, 60, 0, 25) },
    /* 2: a warning on the same sensor. */
    { TR (swing, PS1, WARN, PENDING, ACTIVE_UNACKED, TIMER, 70, 70, 26) },
    /* 3: acknowledged with a comment: still active. */
    { TR (high, PS1, CRIT, ACTIVE_UNACKED, ACTIVE_ACKED, ACK, 80, 60, NAN), .comment = seen },
    /* 4: clearing is still active. */
    { TR (high, PS1, CRIT, ACTIVE_ACKED, CLEARING, CONDITION, 90, 60, 170) },
    /* 5: cleared: its instance ends. */
    { TR (high, PS1, CRIT, CLEARING, NORMAL, TIMER, 100, 60, NAN) },
    /* 6: raised again: a new instance. */
    { TR (high, PS1, CRIT, NORMAL, ACTIVE_UNACKED, CONDITION, 130, 130, 190) },
    /* 7: shelved: silenced, but no healthier; its comment is not an acknowledgement's. */
    { TR (high, PS1, CRIT, ACTIVE_UNACKED, ACTIVE_UNACKED, SHELVE, 140, 130, NAN),
      .shelved = TRUE, .shelved_until_us = T (430), .comment = maintenance },
    /* 8: a second critical on PS1. */
    { TR (spike, PS1, CRIT, NORMAL, ACTIVE_UNACKED, CONDITION, 150, 150, 200) },
    /* 9: the warning returns to normal unacknowledged. */
    { TR (swing, PS1, WARN, ACTIVE_UNACKED, CLEARED_UNACKED, CONDITION, 160, 70, 9) },
    /* 10: another sensor. */
    { TR (warm, TS1, CRIT, NORMAL, ACTIVE_UNACKED, CONDITION, 200, 200, 50) },
    { TR (warm, TS1, CRIT, ACTIVE_UNACKED, CLEARED_UNACKED, CONDITION, 300, 200, 40) },
    /* 12: acknowledging a cleared alarm ends it; it stays cleared since 300. */
    { TR (warm, TS1, CRIT, CLEARED_UNACKED, NORMAL, ACK, 310, 200, NAN), .comment = late },
    /* 13: a sensor the source does not have. */
    { TR (vib, VS1, CRIT, NORMAL, ACTIVE_UNACKED, CONDITION, 320, 320, 5) },
    /* 14: shelving ends. */
    { TR (high, PS1, CRIT, ACTIVE_UNACKED, ACTIVE_UNACKED, UNSHELVE, 430, 130, NAN) },
#undef TR
  };
  /* Newest raised first. */
  const ExpectedAlarm want[] = {
    { vib, VS1, CRIT, VIGIL_ALARM_ACTIVE_UNACKED, FALSE, 0, T (320), T (320), 0, 0, 5, 5,
      NULL },
    { warm, TS1, CRIT, VIGIL_ALARM_NORMAL, FALSE, 0, T (200), T (310), T (310), T (300), 40, 50,
      "late" },
    { spike, PS1, CRIT, VIGIL_ALARM_ACTIVE_UNACKED, FALSE, 0, T (150), T (150), 0, 0, 200, 200,
      NULL },
    { high, PS1, CRIT, VIGIL_ALARM_ACTIVE_UNACKED, FALSE, 0, T (130), T (430), 0, 0, 190, 190,
      NULL },
    { swing, PS1, WARN, VIGIL_ALARM_CLEARED_UNACKED, FALSE, 0, T (70), T (160), 0, T (160), 9,
      26, NULL },
    { high, PS1, CRIT, VIGIL_ALARM_NORMAL, FALSE, 0, T (60), T (100), T (80), T (100), 170, 180,
      "seen" },
  };
  /* The rig's health after each transition: PS1 is the sickest sensor throughout. */
  const guint rig_after[G_N_ELEMENTS (journal)] = {
    80, 80, 70, 70, 70, 90, 70, 70, 50, 60, 60, 60, 60, 60, 60,
  };
  const VigilHealthPoint want_health[] = {
    { T (60), 80 }, { T (70), 70 }, { T (100), 90 }, { T (130), 70 }, { T (150), 50 },
    { T (160), 60 },
  };
  g_autoptr(GArray) alarms = NULL;
  g_autoptr(GArray) health = NULL;
  g_autoptr(GArray) copy = NULL;
  VigilLiveCounters counters;

  /* One at a time: health after each step, by the formula. */
  for (guint i = 0; i < G_N_ELEMENTS (journal); i++)
    {
      guint64 alarm_serial = vigil_live_get_alarm_serial (live);

      vigil_live_add_transitions (live, &journal[i], 1);
      g_assert_cmpuint (vigil_live_get_alarm_serial (live), !=, alarm_serial);
      assert_health (live, journal, i + 1, sensors);
      vigil_live_get_counters (live, &counters);
      g_assert_cmpuint (counters.rig_health, ==, rig_after[i]);

      /* After the shelving: the instance shows it, with its end. */
      if (i == 7)
        {
          g_autoptr(GArray) now = vigil_live_dup_alarms (live);
          const VigilLiveAlarm *a = &g_array_index (now, VigilLiveAlarm, 0);

          g_assert_cmpuint (now->len, ==, 3);
          g_assert_cmpstr (a->rule, ==, "high");
          g_assert_true (a->shelved);
          g_assert_cmpint (a->shelved_until_us, ==, T (430));
          g_assert_null (a->comment);
          g_assert_cmpint (a->acked_us, ==, 0);
        }
    }

  alarms = vigil_live_dup_alarms (live);
  g_assert_cmpuint (alarms->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < alarms->len; i++)
    assert_alarm (&g_array_index (alarms, VigilLiveAlarm, i), &want[i]);

  vigil_live_get_counters (live, &counters);
  g_assert_cmpuint (counters.health[PS1], ==, 60);
  g_assert_cmpuint (counters.health[TS1], ==, 100);
  g_assert_cmpuint (counters.health[VS1], ==, 80);
  g_assert_cmpuint (counters.health[VIGIL_SENSOR_CE], ==, 100);
  g_assert_cmpuint (counters.rig_health, ==, 60);

  health = vigil_live_dup_health (live);
  g_assert_cmpuint (health->len, ==, G_N_ELEMENTS (want_health));
  for (guint i = 0; i < health->len; i++)
    {
      g_assert_cmpint (g_array_index (health, VigilHealthPoint, i).at_us, ==,
                       want_health[i].at_us);
      g_assert_cmpuint (g_array_index (health, VigilHealthPoint, i).rig_health, ==,
                        want_health[i].rig_health);
    }

  /* The journal, pending transitions included, with comments of its own. */
  copy = vigil_live_dup_journal (live);
  g_assert_cmpuint (copy->len, ==, G_N_ELEMENTS (journal));
  for (guint i = 0; i < copy->len; i++)
    {
      const VigilAlarmTransition *t = &g_array_index (copy, VigilAlarmTransition, i);

      g_assert_true (t->rule == journal[i].rule);
      g_assert_cmpuint (t->key, ==, journal[i].key);
      g_assert_cmpint (t->at_us, ==, journal[i].at_us);
      g_assert_cmpint (t->raised_us, ==, journal[i].raised_us);
      g_assert_cmpuint (t->to, ==, journal[i].to);
      g_assert_cmpuint (t->cause, ==, journal[i].cause);
      g_assert_cmpstr (t->comment, ==, journal[i].comment);
      if (t->comment != NULL)
        g_assert_true (t->comment != journal[i].comment);
    }

  /* The copies handed out are the reader's: changing one changes nothing in the live. */
  g_free (g_array_index (alarms, VigilLiveAlarm, 1).comment);
  g_array_index (alarms, VigilLiveAlarm, 1).comment = g_strdup ("edited");
  g_clear_pointer (&alarms, g_array_unref);
  alarms = vigil_live_dup_alarms (live);
  g_assert_cmpstr (g_array_index (alarms, VigilLiveAlarm, 1).comment, ==, "late");
}

/* Six criticals on one sensor: health never goes below 0. */
static void
test_health_floor (void)
{
  g_autoptr(VigilLive) live = new_live (1u << PS1);
  VigilAlarmTransition t[6];
  VigilLiveCounters counters;
  g_autoptr(GArray) health = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    {
      g_autofree char *name = g_strdup_printf ("rule%u", i);

      t[i] = (VigilAlarmTransition) {
        .rule = g_intern_string (name), .key = PS1, .severity = CRIT,
        .from = VIGIL_ALARM_NORMAL, .to = VIGIL_ALARM_ACTIVE_UNACKED,
        .cause = VIGIL_ALARM_CAUSE_CONDITION, .at_us = T (10 * (i + 1)),
        .raised_us = T (10 * (i + 1)), .value = i,
      };
    }
  vigil_live_add_transitions (live, t, G_N_ELEMENTS (t));

  vigil_live_get_counters (live, &counters);
  g_assert_cmpuint (counters.health[PS1], ==, 0);
  g_assert_cmpuint (counters.rig_health, ==, 0);

  /* 80, 60, 40, 20, 0, then 0 again (no change, no point). */
  health = vigil_live_dup_health (live);
  g_assert_cmpuint (health->len, ==, 5);
  for (guint i = 0; i < health->len; i++)
    {
      g_assert_cmpint (g_array_index (health, VigilHealthPoint, i).at_us, ==, T (10 * (i + 1)));
      g_assert_cmpuint (g_array_index (health, VigilHealthPoint, i).rig_health, ==,
                        80 - 20 * i);
    }
}

/* Windows ----------------------------------------------------------------------------------- */

/* Brute force: windows of @sensor in @all that overlap [@from, @to). */
static GArray *
overlapping (GArray *all,
             guint   sensor,
             gint64  from,
             gint64  to)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));

  for (guint i = 0; i < all->len; i++)
    {
      const VigilWindowStats *w = &g_array_index (all, VigilWindowStats, i);

      if (w->key == sensor && w->end_us > from && w->start_us < to)
        g_array_append_val (out, *w);
    }

  return out;
}

static void
test_windows (void)
{
  g_autoptr(VigilLive) live = new_live ((1u << PS1) | (1u << TS1));
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));
  const gint64 ranges[][2] = {
    { G_MININT64, G_MAXINT64 },
    { T (65), T (95) },
    /* Window 0 ends exactly at the start of the range: it does not overlap. */
    { T (60), T (61) },
    /* Window 3 starts exactly at the end of the range: left out. */
    { T (-100), T (30) },
    { T (500), T (900) },
    { T (149), T (150) },
    { T (-60), T (0) },
    { T (150), T (151) },
  };
  VigilLiveCounters counters;

  /* Two sensors interleaved in one batch, then more of PS1 in a second. */
  for (guint i = 0; i < 6; i++)
    {
      VigilWindowStats p = make_window (PS1, T (10 * i), 100 + i);
      VigilWindowStats t = make_window (TS1, T (10 * i), 40 + i);

      g_array_append_val (all, p);
      g_array_append_val (all, t);
    }
  vigil_live_add_windows (live, (VigilWindowStats *) all->data, all->len, 0);
  for (guint i = 6; i < 10; i++)
    {
      VigilWindowStats p = make_window (PS1, T (10 * i), 100 + i);

      vigil_live_add_windows (live, &p, 1, 0);
      g_array_append_val (all, p);
    }

  for (guint r = 0; r < G_N_ELEMENTS (ranges); r++)
    for (guint s = 0; s < VIGIL_N_SENSORS; s++)
      {
        g_autoptr(GArray) want = overlapping (all, s, ranges[r][0], ranges[r][1]);
        g_autoptr(GArray) got = vigil_live_dup_windows (live, s, ranges[r][0], ranges[r][1]);

        g_assert_cmpuint (got->len, ==, want->len);
        for (guint i = 0; i < got->len; i++)
          assert_window_equal (&g_array_index (got, VigilWindowStats, i),
                               &g_array_index (want, VigilWindowStats, i));
      }

  /* The ranges above, counted by hand. */
  {
    g_autoptr(GArray) a = vigil_live_dup_windows (live, PS1, G_MININT64, G_MAXINT64);
    g_autoptr(GArray) b = vigil_live_dup_windows (live, PS1, T (65), T (95));
    g_autoptr(GArray) c = vigil_live_dup_windows (live, PS1, T (60), T (61));
    g_autoptr(GArray) d = vigil_live_dup_windows (live, TS1, T (-100), T (30));
    g_autoptr(GArray) f = vigil_live_dup_windows (live, VIGIL_SENSOR_CE, G_MININT64, G_MAXINT64);

    g_assert_cmpuint (a->len, ==, 10);
    for (guint i = 0; i < a->len; i++)
      g_assert_cmpint (g_array_index (a, VigilWindowStats, i).start_us, ==, T (10 * i));
    g_assert_cmpuint (b->len, ==, 9);
    g_assert_cmpint (g_array_index (b, VigilWindowStats, 0).start_us, ==, T (10));
    g_assert_cmpuint (c->len, ==, 6);
    g_assert_cmpint (g_array_index (c, VigilWindowStats, 0).start_us, ==, T (10));
    g_assert_cmpuint (d->len, ==, 3);
    g_assert_cmpfloat (g_array_index (d, VigilWindowStats, 2).avg, ==, 42);
    g_assert_cmpuint (f->len, ==, 0);
  }

  vigil_live_get_counters (live, &counters);
  g_assert_cmpuint (counters.windows, ==, 16);
  /* No batch said when it closed: no latency to show. */
  g_assert_true (isnan (counters.window_latency_ms));
}

/* Samples ----------------------------------------------------------------------------------- */

static void
test_samples (void)
{
  g_autoptr(VigilLive) live = new_live ((1u << PS1) | (1u << TS1));
  const gint64 dt = G_USEC_PER_SEC / 100;
  double values[250];
  VigilLiveCounters counters;
  VigilSeries *ps1 = vigil_live_get_series (live, PS1);
  gint64 first, last, at;
  double value;
  float mins[5], maxs[5];
  gint64 before, after;
  guint64 serial;

  vigil_live_get_counters (live, &counters);
  g_assert_cmpfloat (counters.samples_per_s, ==, 0);

  /* Halves and quarters survive the series' floats exactly. */
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    values[i] = 100 + (i % 50) * 0.25 - (i / 50) * 0.5;

  before = g_get_monotonic_time ();
  vigil_live_add_samples_run (live, PS1, T (0), dt, values, 200);
  vigil_live_add_samples_run (live, PS1, T (0) + 200 * dt, dt, values + 200, 50);
  vigil_live_add_samples_run (live, TS1, T (0), G_USEC_PER_SEC, values, 7);

  serial = vigil_live_get_data_serial (live);
  vigil_live_add_samples_run (live, PS1, T (10), dt, values, 0);
  g_assert_cmpuint (vigil_live_get_data_serial (live), ==, serial);

  vigil_live_get_counters (live, &counters);
  after = g_get_monotonic_time ();
  g_assert_cmpuint (counters.samples, ==, 257);
  /* The first batch's mark came after @before and the read before @after: at least 257
   * samples over at most that long, unless the machine stalled past the two seconds the
   * rate looks back over. */
  if (after - before < G_USEC_PER_SEC)
    g_assert_cmpfloat (counters.samples_per_s, >=, 257.0 * G_USEC_PER_SEC / (after - before));

  g_assert_true (ps1 == vigil_live_get_series (live, PS1));
  g_assert_cmpuint (vigil_series_get_length (ps1), ==, 250);
  g_assert_cmpuint (vigil_series_get_length (vigil_live_get_series (live, TS1)), ==, 7);
  g_assert_cmpuint (vigil_series_get_length (vigil_live_get_series (live, VS1)), ==, 0);
  g_assert_true (vigil_series_get_bounds (ps1, &first, &last));
  g_assert_cmpint (first, ==, T (0));
  g_assert_cmpint (last, ==, T (0) + 249 * dt);

  /* Sample 137 and sample 213 (from the second run), looked up between samples. */
  g_assert_true (vigil_series_lookup (ps1, T (0) + 137 * dt + dt / 2, &at, &value));
  g_assert_cmpint (at, ==, T (0) + 137 * dt);
  g_assert_cmpfloat (value, ==, values[137]);
  g_assert_true (vigil_series_lookup (ps1, T (0) + 213 * dt, &at, &value));
  g_assert_cmpint (at, ==, T (0) + 213 * dt);
  g_assert_cmpfloat (value, ==, values[213]);

  /* Five columns of 50 samples each: each holds one sawtooth tooth. */
  g_assert_cmpuint (vigil_series_decimate (ps1, T (0), T (0) + 250 * dt, 5, mins, maxs), ==, 250);
  for (guint c = 0; c < 5; c++)
    {
      g_assert_cmpfloat (mins[c], ==, 100 - c * 0.5);
      g_assert_cmpfloat (maxs[c], ==, 100 + 49 * 0.25 - c * 0.5);
    }
}

/* Counters and serials ---------------------------------------------------------------------- */

typedef struct
{
  guint64 data;
  guint64 alarm;
} Serials;

static Serials
serials_of (VigilLive *live)
{
  return (Serials) { vigil_live_get_data_serial (live), vigil_live_get_alarm_serial (live) };
}

static void
assert_serials (VigilLive *live,
                Serials   *before,
                gboolean   data_changed,
                gboolean   alarm_changed)
{
  Serials now = serials_of (live);

  if (data_changed)
    g_assert_cmpuint (now.data, !=, before->data);
  else
    g_assert_cmpuint (now.data, ==, before->data);
  if (alarm_changed)
    g_assert_cmpuint (now.alarm, !=, before->alarm);
  else
    g_assert_cmpuint (now.alarm, ==, before->alarm);
  *before = now;
}

/* Everything a UI reads on a frame, which must not look like a change. */
static void
read_everything (VigilLive *live)
{
  VigilLiveCounters counters;
  g_autoptr(GArray) windows = vigil_live_dup_windows (live, PS1, G_MININT64, G_MAXINT64);
  g_autoptr(GArray) alarms = vigil_live_dup_alarms (live);
  g_autoptr(GArray) journal = vigil_live_dup_journal (live);
  g_autoptr(GArray) health = vigil_live_dup_health (live);
  g_autoptr(VigilRuleSet) rules = vigil_live_dup_rules (live);

  vigil_live_get_counters (live, &counters);
}

static void
test_counters_serials (void)
{
  g_autoptr(VigilLive) live = new_live (1u << PS1);
  VigilWindowStats w = make_window (PS1, T (0), 5);
  VigilAlarmTransition t = {
    .rule = g_intern_static_string ("r"), .key = PS1, .severity = WARN,
    .from = VIGIL_ALARM_NORMAL, .to = VIGIL_ALARM_ACTIVE_UNACKED,
    .cause = VIGIL_ALARM_CAUSE_CONDITION, .at_us = T (60), .raised_us = T (60), .value = 1,
  };
  double values[3] = { 1, 2, 3 };
  VigilLiveCounters counters;
  Serials serials = serials_of (live);
  gint64 before;

  read_everything (live);
  assert_serials (live, &serials, FALSE, FALSE);

  vigil_live_add_samples_run (live, PS1, T (0), G_USEC_PER_SEC, values, 3);
  assert_serials (live, &serials, TRUE, FALSE);
  vigil_live_add_windows (live, &w, 1, 0);
  assert_serials (live, &serials, TRUE, FALSE);
  vigil_live_add_late (live, 3);
  assert_serials (live, &serials, TRUE, FALSE);
  vigil_live_add_late (live, 4);
  assert_serials (live, &serials, TRUE, FALSE);
  vigil_live_add_dead_letters (live, 2);
  assert_serials (live, &serials, TRUE, FALSE);
  vigil_live_set_position (live, T (30));
  assert_serials (live, &serials, TRUE, FALSE);
  /* The same position again is no change. */
  vigil_live_set_position (live, T (30));
  assert_serials (live, &serials, FALSE, FALSE);
  vigil_live_add_transitions (live, &t, 1);
  assert_serials (live, &serials, FALSE, TRUE);
  /* Empty batches change nothing. */
  vigil_live_add_windows (live, NULL, 0, 0);
  vigil_live_add_transitions (live, NULL, 0);
  assert_serials (live, &serials, FALSE, FALSE);
  read_everything (live);
  assert_serials (live, &serials, FALSE, FALSE);

  vigil_live_get_counters (live, &counters);
  g_assert_cmpint (counters.start_us, ==, S);
  g_assert_cmpint (counters.end_us, ==, T (3600));
  g_assert_cmpint (counters.position_us, ==, T (30));
  g_assert_cmphex (counters.sensors, ==, 1u << PS1);
  g_assert_cmpuint (counters.samples, ==, 3);
  g_assert_cmpuint (counters.windows, ==, 1);
  g_assert_cmpuint (counters.late, ==, 7);
  g_assert_cmpuint (counters.dead_letters, ==, 2);
  g_assert_cmpuint (counters.health[PS1], ==, 90);
  g_assert_cmpuint (counters.rig_health, ==, 90);

  /* Latency: the median of what the batches reported, each measured on arrival. Closed
   * 10, 30 and 900 ms before they were handed in, the median is 30 ms plus at most the
   * time the three calls took. */
  before = g_get_monotonic_time ();
  vigil_live_add_windows (live, &w, 1, g_get_monotonic_time () - 10000);
  vigil_live_add_windows (live, &w, 1, g_get_monotonic_time () - 900000);
  vigil_live_add_windows (live, &w, 1, g_get_monotonic_time () - 30000);
  vigil_live_get_counters (live, &counters);
  g_assert_cmpfloat (counters.window_latency_ms, >=, 30);
  g_assert_cmpfloat (counters.window_latency_ms, <=, 30 + (g_get_monotonic_time () - before) / 1e3);
  g_assert_cmpuint (counters.windows, ==, 4);
}

/* Reset ------------------------------------------------------------------------------------- */

static void
test_reset (void)
{
  g_autoptr(VigilLive) live = new_live ((1u << PS1) | (1u << TS1));
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_default ();
  g_autoptr(VigilRuleSet) live_rules = NULL;
  VigilWindowStats w[2] = { make_window (PS1, T (0), 1), make_window (TS1, T (0), 2) };
  VigilAlarmTransition t = {
    .rule = g_intern_static_string ("r"), .key = TS1, .severity = CRIT,
    .from = VIGIL_ALARM_NORMAL, .to = VIGIL_ALARM_ACTIVE_UNACKED,
    .cause = VIGIL_ALARM_CAUSE_CONDITION, .at_us = T (60), .raised_us = T (60), .value = 1,
  };
  double values[4] = { 1, 2, 3, 4 };
  VigilLiveCounters counters;
  Serials serials;

  vigil_live_add_samples_run (live, PS1, T (0), G_USEC_PER_SEC / 100, values, 4);
  vigil_live_add_samples_run (live, TS1, T (0), G_USEC_PER_SEC, values, 4);
  vigil_live_add_windows (live, w, 2, g_get_monotonic_time ());
  vigil_live_add_transitions (live, &t, 1);
  vigil_live_add_late (live, 1);
  vigil_live_add_dead_letters (live, 1);
  vigil_live_set_position (live, T (60));
  vigil_live_get_counters (live, &counters);
  g_assert_cmpuint (counters.rig_health, ==, 80);

  serials = serials_of (live);
  vigil_live_reset (live, T (1000), T (2000), 1u << VIGIL_SENSOR_SE, rules);
  assert_serials (live, &serials, TRUE, TRUE);

  vigil_live_get_counters (live, &counters);
  g_assert_cmpint (counters.start_us, ==, T (1000));
  g_assert_cmpint (counters.end_us, ==, T (2000));
  g_assert_cmpint (counters.position_us, ==, T (1000));
  g_assert_cmphex (counters.sensors, ==, 1u << VIGIL_SENSOR_SE);
  g_assert_cmpuint (counters.samples, ==, 0);
  g_assert_cmpuint (counters.windows, ==, 0);
  g_assert_cmpuint (counters.late, ==, 0);
  g_assert_cmpuint (counters.dead_letters, ==, 0);
  g_assert_cmpfloat (counters.samples_per_s, ==, 0);
  g_assert_true (isnan (counters.window_latency_ms));
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      g_autoptr(GArray) windows = vigil_live_dup_windows (live, s, G_MININT64, G_MAXINT64);

      g_assert_cmpuint (counters.health[s], ==, 100);
      g_assert_cmpuint (windows->len, ==, 0);
      g_assert_cmpuint (vigil_series_get_length (vigil_live_get_series (live, s)), ==, 0);
    }
  g_assert_cmpuint (counters.rig_health, ==, 100);

  {
    g_autoptr(GArray) alarms = vigil_live_dup_alarms (live);
    g_autoptr(GArray) journal = vigil_live_dup_journal (live);
    g_autoptr(GArray) health = vigil_live_dup_health (live);

    g_assert_cmpuint (alarms->len, ==, 0);
    g_assert_cmpuint (journal->len, ==, 0);
    g_assert_cmpuint (health->len, ==, 0);
  }

  live_rules = vigil_live_dup_rules (live);
  g_assert_true (live_rules == rules);

  /* A transition of the forgotten alarm starts afresh: no instance to continue. */
  t.from = VIGIL_ALARM_ACTIVE_UNACKED;
  t.to = VIGIL_ALARM_ACTIVE_ACKED;
  t.cause = VIGIL_ALARM_CAUSE_ACK;
  t.at_us = T (1100);
  vigil_live_add_transitions (live, &t, 1);
  {
    g_autoptr(GArray) alarms = vigil_live_dup_alarms (live);

    g_assert_cmpuint (alarms->len, ==, 1);
    g_assert_cmpint (g_array_index (alarms, VigilLiveAlarm, 0).acked_us, ==, T (1100));
  }
}

/* Bounds ------------------------------------------------------------------------------------ */

/* Far more windows and alarm instances than a live keeps: the newest stay, in order, and the
 * alarm that is still going is never dropped. */
static void
test_bounded (void)
{
  g_autoptr(VigilLive) live = new_live (1u << PS1);
  const guint n_windows = 230000;
  const guint n_instances = 12500;
  g_autoptr(GArray) batch = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));
  g_autoptr(GArray) transitions = g_array_new (FALSE, FALSE, sizeof (VigilAlarmTransition));
  g_autoptr(GArray) windows = NULL;
  g_autoptr(GArray) alarms = NULL;
  g_autoptr(GArray) journal = NULL;
  const char *rule = g_intern_static_string ("flap");
  VigilLiveCounters counters;
  gint64 first_kept;

  for (guint i = 0; i < n_windows; i++)
    {
      VigilWindowStats w = make_window (PS1, T (10 * (gint64) i), i);

      g_array_append_val (batch, w);
      if (batch->len == 1000)
        {
          vigil_live_add_windows (live, (VigilWindowStats *) batch->data, batch->len, 0);
          g_array_set_size (batch, 0);
        }
    }
  windows = vigil_live_dup_windows (live, PS1, G_MININT64, G_MAXINT64);
  g_assert_cmpuint (windows->len, <, n_windows);
  g_assert_cmpuint (windows->len, >, 0);
  first_kept = n_windows - windows->len;
  for (guint i = 0; i < windows->len; i++)
    g_assert_cmpfloat (g_array_index (windows, VigilWindowStats, i).avg, ==, first_kept + i);
  vigil_live_get_counters (live, &counters);
  g_assert_cmpuint (counters.windows, ==, n_windows);

  /* Raise and clear, over and over; the last one stays raised. */
  for (guint i = 0; i < n_instances; i++)
    {
      VigilAlarmTransition raise = {
        .rule = rule, .key = PS1, .severity = CRIT, .from = VIGIL_ALARM_NORMAL,
        .to = VIGIL_ALARM_ACTIVE_UNACKED, .cause = VIGIL_ALARM_CAUSE_CONDITION,
        .at_us = T (20 * (gint64) i), .raised_us = T (20 * (gint64) i), .value = i,
      };
      VigilAlarmTransition clear = raise;

      clear.from = VIGIL_ALARM_ACTIVE_UNACKED;
      clear.to = VIGIL_ALARM_CLEARED_UNACKED;
      clear.at_us += 10 * G_USEC_PER_SEC;
      g_array_append_val (transitions, raise);
      if (i + 1 < n_instances)
        g_array_append_val (transitions, clear);
    }
  vigil_live_add_transitions (live, (VigilAlarmTransition *) transitions->data,
                              transitions->len);

  alarms = vigil_live_dup_alarms (live);
  g_assert_cmpuint (alarms->len, <, n_instances);
  for (guint i = 0; i < alarms->len; i++)
    g_assert_cmpint (g_array_index (alarms, VigilLiveAlarm, i).raised_us, ==,
                     T (20 * (gint64) (n_instances - 1 - i)));
  g_assert_cmpuint (g_array_index (alarms, VigilLiveAlarm, 0).state, ==,
                    VIGIL_ALARM_ACTIVE_UNACKED);

  journal = vigil_live_dup_journal (live);
  g_assert_cmpuint (journal->len, <, transitions->len);
  for (guint i = 0; i < journal->len; i++)
    g_assert_cmpint (g_array_index (journal, VigilAlarmTransition, i).at_us, ==,
                     g_array_index (transitions, VigilAlarmTransition,
                                    transitions->len - journal->len + i).at_us);

  vigil_live_get_counters (live, &counters);
  g_assert_cmpuint (counters.health[PS1], ==, 80);
}

/* Concurrency ------------------------------------------------------------------------------- */

#define N_WRITERS 4
#define N_BATCHES 51
#define WINDOWS_PER_BATCH 20
#define SAMPLES_PER_BATCH 100

static const VigilSensor writer_sensors[N_WRITERS] = {
  VIGIL_SENSOR_PS1, VIGIL_SENSOR_PS2, VIGIL_SENSOR_TS1, VIGIL_SENSOR_CE,
};

typedef struct
{
  VigilLive   *live;
  VigilSensor  sensor;
} Writer;

typedef struct
{
  VigilLive  *live;
  atomic_int *done;
  guint       reads;
} Reader;

static gpointer
writer_main (gpointer data)
{
  Writer *w = data;
  const char *rule = g_intern_static_string ("busy");
  double values[SAMPLES_PER_BATCH];

  for (guint i = 0; i < SAMPLES_PER_BATCH; i++)
    values[i] = w->sensor + i;

  for (guint b = 0; b < N_BATCHES; b++)
    {
      VigilWindowStats windows[WINDOWS_PER_BATCH];
      /* Even batches raise an instance, odd ones clear it. */
      gint64 raised = T (1000 * (b - b % 2));
      VigilAlarmTransition t = {
        .rule = rule, .key = w->sensor, .severity = CRIT,
        .from = b % 2 ? VIGIL_ALARM_ACTIVE_UNACKED : VIGIL_ALARM_NORMAL,
        .to = b % 2 ? VIGIL_ALARM_CLEARED_UNACKED : VIGIL_ALARM_ACTIVE_UNACKED,
        .cause = VIGIL_ALARM_CAUSE_CONDITION, .at_us = T (1000 * b), .raised_us = raised,
        .value = b,
      };

      for (guint i = 0; i < WINDOWS_PER_BATCH; i++)
        windows[i] = make_window (w->sensor, T (10 * (b * WINDOWS_PER_BATCH + i)), b);
      vigil_live_add_windows (w->live, windows, WINDOWS_PER_BATCH, g_get_monotonic_time ());
      vigil_live_add_samples_run (w->live, w->sensor,
                                  T (0) + (gint64) b * SAMPLES_PER_BATCH * G_USEC_PER_SEC / 100,
                                  G_USEC_PER_SEC / 100, values, SAMPLES_PER_BATCH);
      vigil_live_add_transitions (w->live, &t, 1);
      vigil_live_add_late (w->live, 1);
      vigil_live_add_dead_letters (w->live, 2);
      vigil_live_set_position (w->live, T (10 * (b + 1) * WINDOWS_PER_BATCH));
      g_thread_yield ();
    }

  return NULL;
}

static gpointer
reader_main (gpointer data)
{
  Reader *r = data;

  /* Whatever moment it reads, a batch is there whole or not at all, in order. */
  do
    {
      VigilLiveCounters counters;
      g_autoptr(GArray) alarms = vigil_live_dup_alarms (r->live);

      for (guint k = 0; k < N_WRITERS; k++)
        {
          g_autoptr(GArray) windows = vigil_live_dup_windows (r->live, writer_sensors[k],
                                                              G_MININT64, G_MAXINT64);

          g_assert_cmpuint (windows->len % WINDOWS_PER_BATCH, ==, 0);
          for (guint i = 1; i < windows->len; i++)
            g_assert_cmpint (g_array_index (windows, VigilWindowStats, i - 1).start_us, <,
                             g_array_index (windows, VigilWindowStats, i).start_us);
        }
      vigil_live_get_counters (r->live, &counters);
      g_assert_cmpuint (counters.windows % WINDOWS_PER_BATCH, ==, 0);
      g_assert_cmpuint (counters.samples % SAMPLES_PER_BATCH, ==, 0);
      g_assert_cmpuint (counters.dead_letters % 2, ==, 0);
      g_assert_cmpuint (alarms->len, <=, N_WRITERS * (N_BATCHES + 1) / 2);
      r->reads++;
      g_thread_yield ();
    }
  while (!atomic_load (r->done));

  return NULL;
}

static void
test_concurrent (void)
{
  guint32 sensors = 0;
  g_autoptr(VigilLive) live = NULL;
  GThread *writers[N_WRITERS];
  Writer w[N_WRITERS];
  atomic_int done = 0;
  Reader reader;
  GThread *reader_thread;
  VigilLiveCounters counters;
  g_autoptr(GArray) alarms = NULL;
  g_autoptr(GArray) journal = NULL;
  const guint instances = (N_BATCHES + 1) / 2;

  for (guint k = 0; k < N_WRITERS; k++)
    sensors |= 1u << writer_sensors[k];
  live = new_live (sensors);
  reader = (Reader) { live, &done, 0 };

  reader_thread = g_thread_new ("reader", reader_main, &reader);
  for (guint k = 0; k < N_WRITERS; k++)
    {
      w[k] = (Writer) { live, writer_sensors[k] };
      writers[k] = g_thread_new ("writer", writer_main, &w[k]);
    }
  for (guint k = 0; k < N_WRITERS; k++)
    g_thread_join (writers[k]);
  atomic_store (&done, 1);
  g_thread_join (reader_thread);
  g_assert_cmpuint (reader.reads, >, 0);

  vigil_live_get_counters (live, &counters);
  g_assert_cmpuint (counters.windows, ==, N_WRITERS * N_BATCHES * WINDOWS_PER_BATCH);
  g_assert_cmpuint (counters.samples, ==, N_WRITERS * N_BATCHES * SAMPLES_PER_BATCH);
  g_assert_cmpuint (counters.late, ==, N_WRITERS * N_BATCHES);
  g_assert_cmpuint (counters.dead_letters, ==, 2 * N_WRITERS * N_BATCHES);
  g_assert_cmpint (counters.position_us, ==, T (10 * N_BATCHES * WINDOWS_PER_BATCH));
  /* Each sensor ends with its last instance raised: one active critical. */
  for (guint k = 0; k < N_WRITERS; k++)
    {
      g_autoptr(GArray) windows = vigil_live_dup_windows (live, writer_sensors[k],
                                                          G_MININT64, G_MAXINT64);

      g_assert_cmpuint (counters.health[writer_sensors[k]], ==, 80);
      g_assert_cmpuint (windows->len, ==, N_BATCHES * WINDOWS_PER_BATCH);
      for (guint i = 0; i < windows->len; i++)
        {
          VigilWindowStats want = make_window (writer_sensors[k], T (10 * i),
                                               i / WINDOWS_PER_BATCH);

          assert_window_equal (&g_array_index (windows, VigilWindowStats, i), &want);
        }
      g_assert_cmpuint (vigil_series_get_length (vigil_live_get_series (live, writer_sensors[k])),
                        ==, N_BATCHES * SAMPLES_PER_BATCH);
    }
  g_assert_cmpuint (counters.rig_health, ==, 80);

  alarms = vigil_live_dup_alarms (live);
  g_assert_cmpuint (alarms->len, ==, N_WRITERS * instances);
  for (guint k = 0; k < N_WRITERS; k++)
    {
      guint n = 0, active = 0;

      for (guint i = 0; i < alarms->len; i++)
        {
          const VigilLiveAlarm *a = &g_array_index (alarms, VigilLiveAlarm, i);

          if (a->sensor != writer_sensors[k])
            continue;
          n++;
          if (a->state == VIGIL_ALARM_ACTIVE_UNACKED)
            {
              active++;
              g_assert_cmpint (a->raised_us, ==, T (1000 * (N_BATCHES - 1)));
            }
          else
            {
              g_assert_cmpuint (a->state, ==, VIGIL_ALARM_CLEARED_UNACKED);
              g_assert_cmpint (a->cleared_us, ==, a->raised_us + 1000 * G_USEC_PER_SEC);
            }
        }
      g_assert_cmpuint (n, ==, instances);
      g_assert_cmpuint (active, ==, 1);
    }
  journal = vigil_live_dup_journal (live);
  g_assert_cmpuint (journal->len, ==, N_WRITERS * N_BATCHES);
}

/* The replay clock -------------------------------------------------------------------------- */

typedef struct
{
  VigilReplayClock *clock;
  gint64            event_us;
  atomic_int        returned;
  atomic_int        result;
} Waiter;

static gpointer
waiter_main (gpointer data)
{
  Waiter *w = data;

  atomic_store (&w->result, vigil_replay_clock_wait (w->clock, w->event_us));
  atomic_store (&w->returned, 1);

  return NULL;
}

/* Polls until the waiter returned; FALSE if it did not before the deadline. */
static gboolean
waiter_returns (Waiter *w)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;

  while (!atomic_load (&w->returned) && g_get_monotonic_time () < deadline)
    g_usleep (1000);

  return atomic_load (&w->returned);
}

/* For a few hundred milliseconds, the waiter stays put and the clock's position holds. */
static void
assert_held (VigilReplayClock *clock,
             Waiter           *w,
             gint64            position)
{
  gint64 until = g_get_monotonic_time () + 300000;

  while (g_get_monotonic_time () < until)
    {
      g_assert_false (atomic_load (&w->returned));
      g_assert_cmpint (vigil_replay_clock_get_position (clock), ==, position);
      g_usleep (5000);
    }
}

/* Paused, a wait for a time long due does not return; resumed, it does. At real speed and at
 * maximum speed alike. */
static void
test_clock_pause (gconstpointer data)
{
  double speed = *(const double *) data;
  g_autoptr(VigilReplayClock) clock = vigil_replay_clock_new (speed, S);
  Waiter w = { clock, S - G_USEC_PER_SEC, 0, 0 };
  GThread *thread;
  gint64 held;

  vigil_replay_clock_set_paused (clock, TRUE);
  g_assert_true (vigil_replay_clock_get_paused (clock));
  g_assert_cmpint (vigil_replay_clock_due (clock, S - G_USEC_PER_SEC), ==, G_MAXINT64);
  held = vigil_replay_clock_get_position (clock);
  g_assert_cmpint (held, >=, S);

  thread = g_thread_new ("waiter", waiter_main, &w);
  assert_held (clock, &w, held);

  /* A change of speed while paused does not resume it. */
  vigil_replay_clock_set_speed (clock, speed == 0 ? 1 : 0);
  assert_held (clock, &w, held);
  vigil_replay_clock_set_speed (clock, speed);

  vigil_replay_clock_set_paused (clock, FALSE);
  g_assert_false (vigil_replay_clock_get_paused (clock));
  g_assert_true (waiter_returns (&w));
  g_assert_true (atomic_load (&w.result));
  g_thread_join (thread);
  g_assert_cmpint (vigil_replay_clock_get_position (clock), >=, held);
}

static void
test_clock_stop_paused (void)
{
  g_autoptr(VigilReplayClock) clock = vigil_replay_clock_new (1, S);
  Waiter w = { clock, S, 0, 0 };
  GThread *thread;

  vigil_replay_clock_set_paused (clock, TRUE);
  thread = g_thread_new ("waiter", waiter_main, &w);
  g_usleep (20000);
  vigil_replay_clock_stop (clock);
  g_assert_true (waiter_returns (&w));
  g_assert_false (atomic_load (&w.result));
  g_thread_join (thread);

  /* Stopped for good, paused or not. */
  g_assert_false (vigil_replay_clock_wait (clock, S - 1));
  vigil_replay_clock_set_paused (clock, FALSE);
  g_assert_false (vigil_replay_clock_wait (clock, S - 1));
}

/* The position after a change of speed is where it was before: a speed change from 1000x to
 * 1x (and back) re-anchors the schedule. Between the two readings at most the time the calls
 * took passed, at most 1000 event seconds per wall second: that is the whole allowance. An
 * implementation that only swapped the speed would jump by about (1000 - 1) times the wall
 * time since the clock started, a hundred event seconds and more here. */
static void
test_clock_speed (void)
{
  g_autoptr(VigilReplayClock) clock = vigil_replay_clock_new (1000, S);
  gint64 t0, t1, p1, p2, due;

  g_assert_true (vigil_replay_clock_is_paced (clock));
  g_assert_cmpfloat (vigil_replay_clock_get_speed (clock), ==, 1000);
  g_usleep (100000);

  for (guint round = 0; round < 4; round++)
    {
      double to = round % 2 == 0 ? 1 : 1000;

      t0 = g_get_monotonic_time ();
      p1 = vigil_replay_clock_get_position (clock);
      vigil_replay_clock_set_speed (clock, to);
      p2 = vigil_replay_clock_get_position (clock);
      t1 = g_get_monotonic_time ();

      g_assert_cmpfloat (vigil_replay_clock_get_speed (clock), ==, to);
      g_assert_cmpint (p1, >=, S + 100 * G_USEC_PER_SEC);
      g_assert_cmpint (p2, >=, p1);
      g_assert_cmpint (p2, <=, p1 + 1000 * (t1 - t0));
      g_usleep (100000);
    }

  /* At 1x after the last change... */
  vigil_replay_clock_set_speed (clock, 1);
  t0 = g_get_monotonic_time ();
  p1 = vigil_replay_clock_get_position (clock);
  due = vigil_replay_clock_due (clock, p1 + 5 * G_USEC_PER_SEC);
  t1 = g_get_monotonic_time ();
  /* ...an event five seconds ahead is due five wall seconds after the position was read. */
  g_assert_cmpint (due, >=, t0 + 5 * G_USEC_PER_SEC);
  g_assert_cmpint (due, <=, t1 + 5 * G_USEC_PER_SEC);

  /* Maximum speed: nothing to wait for; the position holds where it was. */
  p1 = vigil_replay_clock_get_position (clock);
  vigil_replay_clock_set_speed (clock, 0);
  g_assert_false (vigil_replay_clock_is_paced (clock));
  p2 = vigil_replay_clock_get_position (clock);
  g_assert_cmpint (p2, >=, p1);
  g_assert_true (vigil_replay_clock_wait (clock, G_MAXINT64 / 2));

  /* A seek makes that event due now. */
  vigil_replay_clock_set_speed (clock, 2);
  t0 = g_get_monotonic_time ();
  vigil_replay_clock_seek (clock, T (777));
  p1 = vigil_replay_clock_get_position (clock);
  t1 = g_get_monotonic_time ();
  g_assert_cmpint (p1, >=, T (777));
  g_assert_cmpint (p1, <=, T (777) + 2 * (t1 - t0));
  g_assert_true (vigil_replay_clock_wait (clock, T (777)));
}

int
main (int    argc,
      char **argv)
{
  static const double real_time = 1;
  static const double max_speed = 0;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/live/alarm-instances", test_alarm_instances);
  g_test_add_func ("/engine/live/health-floor", test_health_floor);
  g_test_add_func ("/engine/live/windows", test_windows);
  g_test_add_func ("/engine/live/samples", test_samples);
  g_test_add_func ("/engine/live/counters-serials", test_counters_serials);
  g_test_add_func ("/engine/live/reset", test_reset);
  g_test_add_func ("/engine/live/bounded", test_bounded);
  g_test_add_func ("/engine/live/concurrent", test_concurrent);
  g_test_add_data_func ("/engine/replay-clock/pause", &real_time, test_clock_pause);
  g_test_add_data_func ("/engine/replay-clock/pause-max-speed", &max_speed, test_clock_pause);
  g_test_add_func ("/engine/replay-clock/stop-paused", test_clock_stop_paused);
  g_test_add_func ("/engine/replay-clock/speed", test_clock_speed);

  return g_test_run ();
}
