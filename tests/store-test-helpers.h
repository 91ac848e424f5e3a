/* store-test-helpers.h
 *
 * What test-store and test-store-export share: a temporary directory per test, two sessions,
 * the batches both submit, and opening, flushing and closing a store that must succeed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <math.h>

#include <glib/gstdio.h>

#include "vigil-records.h"
#include "vigil-sensor.h"
#include "vigil-store.h"
#include "vigil-time.h"
#include "vigil-test-util.h"

G_BEGIN_DECLS

#define T0 VIGIL_DEFAULT_START_US
#define SEC(s) ((gint64) ((s) * 1000000.0))

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static inline void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("vigil-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "test.vigil", NULL);
}

static inline void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  vigil_test_remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* Helpers ------------------------------------------------------------------------------------ */

static const VigilSessionInfo session_a = {
  "hydraulic", "/data/rig-a", T0, SEC (60), SEC (10), SEC (10), "{\"rules\":[]}",
};

static const VigilSessionInfo session_b = {
  "hydraulic", "/data/rig-a", T0, SEC (30), SEC (10), SEC (10), "{\"rules\":[]}",
};

static inline VigilWindowStats
window (VigilSensor sensor,
        gint64      start_us,
        guint64     count,
        double      avg,
        double      min,
        double      max,
        double      stddev)
{
  VigilWindowStats w = { sensor, start_us, start_us + SEC (60), count, avg, min, max, stddev,
                         max - min };

  return w;
}

static inline void
add_transition (GArray          *array,
                const char      *rule,
                VigilSensor      sensor,
                VigilSeverity    severity,
                VigilAlarmState  from,
                VigilAlarmState  to,
                VigilAlarmCause  cause,
                gint64           at_us,
                gint64           raised_us,
                double           value,
                const char      *comment)
{
  VigilAlarmTransition t = {
    .rule = g_intern_string (rule),
    .key = sensor,
    .severity = severity,
    .from = from,
    .to = to,
    .cause = cause,
    .at_us = at_us,
    .raised_us = raised_us,
    .value = value,
    .comment = g_strdup (comment),
  };

  g_array_append_val (array, t);
}

/* The alarm sequence of the alarm tests: PS1 raised, acknowledged, clearing, back, cleared;
 * SE raised and shelved. */
static inline VigilStoreBatch *
alarm_batch (gint64 session_id)
{
  VigilStoreBatch *batch = vigil_store_batch_new (session_id);
  GArray *a = batch->transitions;
  const gint64 r = T0 + SEC (60);
  VigilAlarmTransition *shelve;

  add_transition (a, "high_pressure", VIGIL_SENSOR_PS1, VIGIL_SEVERITY_CRITICAL,
                  VIGIL_ALARM_NORMAL, VIGIL_ALARM_PENDING, VIGIL_ALARM_CAUSE_CONDITION,
                  T0 + SEC (50), 0, 160.5, NULL);
  add_transition (a, "high_pressure", VIGIL_SENSOR_PS1, VIGIL_SEVERITY_CRITICAL,
                  VIGIL_ALARM_PENDING, VIGIL_ALARM_ACTIVE_UNACKED, VIGIL_ALARM_CAUSE_TIMER,
                  r, r, 161.25, NULL);
  add_transition (a, "low_efficiency", VIGIL_SENSOR_SE, VIGIL_SEVERITY_WARNING,
                  VIGIL_ALARM_NORMAL, VIGIL_ALARM_ACTIVE_UNACKED, VIGIL_ALARM_CAUSE_CONDITION,
                  r, r, 0.1, NULL);
  add_transition (a, "low_efficiency", VIGIL_SENSOR_SE, VIGIL_SEVERITY_WARNING,
                  VIGIL_ALARM_ACTIVE_UNACKED, VIGIL_ALARM_ACTIVE_UNACKED,
                  VIGIL_ALARM_CAUSE_SHELVE, T0 + SEC (65), r, NAN, "maintenance");
  shelve = &g_array_index (a, VigilAlarmTransition, a->len - 1);
  shelve->shelved = TRUE;
  shelve->shelved_until_us = T0 + SEC (3665);
  add_transition (a, "high_pressure", VIGIL_SENSOR_PS1, VIGIL_SEVERITY_CRITICAL,
                  VIGIL_ALARM_ACTIVE_UNACKED, VIGIL_ALARM_ACTIVE_ACKED, VIGIL_ALARM_CAUSE_ACK,
                  T0 + SEC (75.5), r, NAN, "checked, \"ok\"");
  add_transition (a, "high_pressure", VIGIL_SENSOR_PS1, VIGIL_SEVERITY_CRITICAL,
                  VIGIL_ALARM_ACTIVE_ACKED, VIGIL_ALARM_CLEARING, VIGIL_ALARM_CAUSE_CONDITION,
                  T0 + SEC (90), r, 150.5, NULL);
  add_transition (a, "high_pressure", VIGIL_SENSOR_PS1, VIGIL_SEVERITY_CRITICAL,
                  VIGIL_ALARM_CLEARING, VIGIL_ALARM_ACTIVE_ACKED, VIGIL_ALARM_CAUSE_CONDITION,
                  T0 + SEC (100), r, 170.75, NULL);
  add_transition (a, "high_pressure", VIGIL_SENSOR_PS1, VIGIL_SEVERITY_CRITICAL,
                  VIGIL_ALARM_ACTIVE_ACKED, VIGIL_ALARM_CLEARING, VIGIL_ALARM_CAUSE_CONDITION,
                  T0 + SEC (110), r, 149.5, NULL);
  add_transition (a, "high_pressure", VIGIL_SENSOR_PS1, VIGIL_SEVERITY_CRITICAL,
                  VIGIL_ALARM_CLEARING, VIGIL_ALARM_NORMAL, VIGIL_ALARM_CAUSE_TIMER,
                  T0 + SEC (120), r, 148.25, NULL);

  return batch;
}

/* Windows of the export tests, in an order the export must not keep. */
static inline VigilStoreBatch *
windows_batch (gint64 session_id)
{
  VigilStoreBatch *batch = vigil_store_batch_new (session_id);
  VigilWindowStats w[] = {
    window (VIGIL_SENSOR_PS2, T0, 6000, 0.1, 0, 1.5, 0.25),
    window (VIGIL_SENSOR_SE, T0 + SEC (10.25), 1, 68.5, 68.5, 68.5, NAN),
    window (VIGIL_SENSOR_PS1, T0, 6000, 151.25, 140, 160.5, 2.5),
    window (VIGIL_SENSOR_TS1, T0 + SEC (10.25), 60, 35.625, 35, 36.25, 0.1),
    window (VIGIL_SENSOR_EPS1, T0 + SEC (10.25), 6000, 2500, 2400, 2600, 50.5),
  };

  g_array_append_vals (batch->windows, w, G_N_ELEMENTS (w));

  return batch;
}

static inline GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (contents, len);
}

static inline VigilStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  VigilStore *store = vigil_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);

  return store;
}

static inline gint64
ensure_session (VigilStore             *store,
                const VigilSessionInfo *info)
{
  g_autoptr(GError) error = NULL;
  gint64 id = vigil_store_ensure_session (store, info, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  return id;
}

static inline void
flush_store (VigilStore *store)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vigil_store_flush (store, &error));
  g_assert_no_error (error);
}

static inline void
close_store (VigilStore *store)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vigil_store_close (store, &error));
  g_assert_no_error (error);
}

G_END_DECLS
