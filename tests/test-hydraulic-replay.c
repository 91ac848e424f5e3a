/* test-hydraulic-replay.c
 *
 * The replay pipeline end to end into SQLite: exact window rows against an independent
 * computation, idempotent re-replays, results independent of the number of workers, a real
 * multi-threaded stop and resume, and bad files that stop the replay without losing what
 * was stored.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "vigil-error.h"
#include "vigil-hydraulic-generator.h"
#include "vigil-hydraulic-replay.h"
#include "vigil-replay-clock.h"
#include "vigil-time.h"
#include "vigil-test-util.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("vigil-replay-XXXXXX", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  vigil_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* Value of sample i of cycle k of a small hand-made rig: distinct, with decimals. */
static double
sample_value (guint sensor_seed,
              guint k,
              guint i)
{
  return ((sensor_seed * 7919 + k * 104729 + i * 1299709) % 100000) / 1000.0 + 100;
}

/* Writes PS1 (100 Hz), FS1 (10 Hz) and TS1 (1 Hz) for @cycles cycles, plus profile.txt. */
static char *
write_small_rig (Fixture *f,
                 guint    cycles)
{
  char *rig = g_build_filename (f->dir, "rig", NULL);
  const VigilSensor sensors[] = { VIGIL_SENSOR_PS1, VIGIL_SENSOR_FS1, VIGIL_SENSOR_TS1 };
  g_autoptr(GString) profile = g_string_new (NULL);
  g_autofree char *profile_path = g_build_filename (rig, "profile.txt", NULL);

  g_mkdir_with_parents (rig, 0755);
  for (guint s = 0; s < G_N_ELEMENTS (sensors); s++)
    {
      const VigilSensorInfo *info = vigil_sensor_get_info (sensors[s]);
      g_autofree char *file = g_strconcat (info->name, ".txt", NULL);
      g_autofree char *path = g_build_filename (rig, file, NULL);
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint k = 0; k < cycles; k++)
        {
          for (guint i = 0; i < info->rate_hz * 60; i++)
            {
              char buf[G_ASCII_DTOSTR_BUF_SIZE];

              g_string_append_printf (text, "%s%s", i > 0 ? "\t" : "",
                                      g_ascii_formatd (buf, sizeof buf, "%.3f",
                                                       sample_value (sensors[s], k, i)));
            }
          g_string_append_c (text, '\n');
        }
      g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
    }

  for (guint k = 0; k < cycles; k++)
    g_string_append_printf (profile, "%d\t100\t0\t130\t%d\n", k % 2 ? 3 : 100, k == 0);
  g_assert_true (g_file_set_contents (profile_path, profile->str, -1, NULL));

  return rig;
}

/* The value as written to the file (3 decimals) and read back by the C library. */
static double
written_value (guint sensor_seed,
               guint k,
               guint i)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_ascii_strtod (g_ascii_formatd (buf, sizeof buf, "%.3f",
                                          sample_value (sensor_seed, k, i)), NULL);
}

static sqlite3 *
open_db (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  return db;
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 v;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

static char *
query_text (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *v;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  v = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return v;
}

/* Every row of every result table, in key order, as text. The session's creation time
 * differs between two files by nature; @with_created says whether to include it. */
static char *
dump_results (const char *path,
              gboolean    with_created)
{
  const char *queries[] = {
    "SELECT sensor, window_start, window_end, count, quote(avg), quote(min), quote(max),"
    " quote(stddev), quote(range) FROM windows ORDER BY 1, 2",
    "SELECT rule, sensor, at_us, seq, from_state, to_state, cause, quote(value)"
    " FROM alarm_journal ORDER BY 1, 2, 3, 4",
    "SELECT rule, sensor, raised_us, state, quote(value), cleared_us FROM alarms ORDER BY 1, 2, 3",
    "SELECT sensor, seq, event_us, quote(value) FROM late_records ORDER BY 1, 2",
    "SELECT cycle, start_us, cooler, valve, pump, accumulator, stable FROM cycle_labels"
    " ORDER BY 1",
    "SELECT key, kind, source, start_us, window_us, slide_us, lateness_us, rules_json"
    " FROM sessions ORDER BY 1",
    "SELECT created_us FROM sessions ORDER BY key",
  };
  sqlite3 *db = open_db (path);
  GString *out = g_string_new (NULL);

  for (guint q = 0; q < G_N_ELEMENTS (queries) - (with_created ? 0 : 1); q++)
    {
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, queries[q], -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          for (int c = 0; c < sqlite3_column_count (stmt); c++)
            g_string_append_printf (out, "%s|", (const char *) sqlite3_column_text (stmt, c));
          g_string_append_c (out, '\n');
        }
      sqlite3_finalize (stmt);
      g_string_append (out, "--\n");
    }
  sqlite3_close (db);

  return g_string_free (out, FALSE);
}

static gboolean
replay (const char               *dir,
        const char               *db,
        const VigilReplayOptions *options,
        GError                  **error)
{
  g_autoptr(VigilStore) store = vigil_store_open (db, error);
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_default ();
  g_autoptr(VigilHydraulicReplay) replay = NULL;
  gboolean ok;

  if (store == NULL)
    return FALSE;
  replay = vigil_hydraulic_replay_new (dir, store, rules, options);
  ok = vigil_hydraulic_replay_run (replay, NULL, error);
  if (!vigil_store_close (store, ok ? error : NULL))
    ok = FALSE;

  return ok;
}

/* Window rows in SQLite equal a brute-force computation over the values written. */
static void
test_windows_exact (Fixture       *f,
                    gconstpointer  data)
{
  const guint cycles = 5;
  g_autofree char *rig = write_small_rig (f, cycles);
  g_autofree char *db_path = g_build_filename (f->dir, "out.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  VigilReplayOptions options;
  const VigilSensor sensors[] = { VIGIL_SENSOR_PS1, VIGIL_SENSOR_FS1, VIGIL_SENSOR_TS1 };
  sqlite3 *db;
  guint checked = 0;

  vigil_replay_options_init (&options);
  options.start_us += 3 * VIGIL_USEC_PER_SEC;   /* cycles not on the slide grid */
  g_assert_true (replay (rig, db_path, &options, &error));
  g_assert_no_error (error);

  db = open_db (db_path);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM cycle_labels"), ==, cycles);
  g_assert_cmpint (query_int (db, "SELECT cooler FROM cycle_labels WHERE cycle = 1"), ==, 3);
  g_assert_cmpint (query_int (db, "SELECT start_us FROM cycle_labels WHERE cycle = 4"), ==,
                   options.start_us + 240 * VIGIL_USEC_PER_SEC);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM late_records"), ==, 0);

  for (guint s = 0; s < G_N_ELEMENTS (sensors); s++)
    {
      const VigilSensorInfo *info = vigil_sensor_get_info (sensors[s]);
      gint64 dt = VIGIL_USEC_PER_SEC / info->rate_hz;
      gint64 t_first = options.start_us;
      gint64 t_last = options.start_us + (gint64) cycles * 60 * VIGIL_USEC_PER_SEC - dt;
      gint64 slide = options.slide_us, window = options.window_us;
      sqlite3_stmt *stmt = NULL;
      guint rows = 0;

      g_assert_cmpint (sqlite3_prepare_v2 (db,
        "SELECT window_start, window_end, count, avg, min, max, stddev, range FROM windows"
        " WHERE sensor = ? ORDER BY window_start", -1, &stmt, NULL), ==, SQLITE_OK);
      sqlite3_bind_text (stmt, 1, info->name, -1, SQLITE_STATIC);

      for (gint64 ws = vigil_floor_div (t_first - window, slide) * slide + slide; ws <= t_last;
           ws += slide)
        {
          long double sum = 0, m2 = 0, mean;
          double mn = INFINITY, mx = -INFINITY;
          guint64 n = 0;

          for (guint k = 0; k < cycles; k++)
            for (guint i = 0; i < info->rate_hz * 60; i++)
              {
                gint64 t = options.start_us + (gint64) k * 60 * VIGIL_USEC_PER_SEC + i * dt;
                double v = written_value (sensors[s], k, i);

                if (t < ws || t >= ws + window)
                  continue;
                sum += v;
                n++;
                mn = MIN (mn, v);
                mx = MAX (mx, v);
              }
          mean = sum / n;
          for (guint k = 0; k < cycles; k++)
            for (guint i = 0; i < info->rate_hz * 60; i++)
              {
                gint64 t = options.start_us + (gint64) k * 60 * VIGIL_USEC_PER_SEC + i * dt;
                double v = written_value (sensors[s], k, i);

                if (t >= ws && t < ws + window)
                  m2 += (v - mean) * (v - mean);
              }

          g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
          g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, ws);
          g_assert_cmpint (sqlite3_column_int64 (stmt, 1), ==, ws + window);
          g_assert_cmpint (sqlite3_column_int64 (stmt, 2), ==, (gint64) n);
          g_assert_cmpfloat_with_epsilon (sqlite3_column_double (stmt, 3), (double) mean, 1e-9);
          g_assert_cmpfloat (sqlite3_column_double (stmt, 4), ==, mn);
          g_assert_cmpfloat (sqlite3_column_double (stmt, 5), ==, mx);
          if (n >= 2)
            g_assert_cmpfloat_with_epsilon (sqlite3_column_double (stmt, 6),
                                            (double) sqrtl (m2 / (n - 1)), 1e-9);
          else
            g_assert_cmpint (sqlite3_column_type (stmt, 6), ==, SQLITE_NULL);
          g_assert_cmpfloat (sqlite3_column_double (stmt, 7), ==, mx - mn);
          rows++;
        }
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_finalize (stmt);
      /* Samples from 3 s to 302.99 s: window starts -50 s ... 300 s. */
      g_assert_cmpuint (rows, ==, 36);
      checked += rows;
    }
  g_assert_cmpuint (checked, ==, 108);
  sqlite3_close (db);
}

/* The same data into the same file twice leaves the same rows; any worker count too. */
static void
test_idempotent (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *rig = g_build_filename (f->dir, "gen", NULL);
  g_autofree char *a = g_build_filename (f->dir, "a.sqlite", NULL);
  g_autofree char *b = g_build_filename (f->dir, "b.sqlite", NULL);
  g_autofree char *first = NULL, *second = NULL, *other = NULL;
  g_autoptr(GError) error = NULL;
  VigilReplayOptions options;
  sqlite3 *db;

  g_assert_true (vigil_hydraulic_generate (rig, 30, 5, NULL, &error));
  g_assert_no_error (error);

  vigil_replay_options_init (&options);
  options.n_workers = 3;
  g_assert_true (replay (rig, a, &options, &error));
  first = dump_results (a, TRUE);
  g_assert_true (replay (rig, a, &options, &error));
  second = dump_results (a, TRUE);
  g_assert_cmpstr (first, ==, second);

  db = open_db (a);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sessions"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM windows"), ==, 17 * (180 + 5));
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM alarms"), >, 0);
  sqlite3_close (db);

  /* One worker or many, in whatever order they pick up sensors: same rows. Several runs,
   * because which worker submits first differs from run to run. */
  options.n_workers = 1;
  g_assert_true (replay (rig, b, &options, &error));
  other = dump_results (b, FALSE);
  for (guint run = 0; run < 6; run++)
    {
      g_autofree char *c = g_strdup_printf ("%s/c%u.sqlite", f->dir, run);
      g_autofree char *again = NULL;

      options.n_workers = 2 + run % 3;
      g_assert_true (replay (rig, c, &options, &error));
      again = dump_results (c, FALSE);
      g_assert_true (g_str_equal (again, other));
    }
}

/* Stop a paced replay from another thread, then resume into the same store: the end state
 * is the same as one uninterrupted run. */
static void
test_stop_resume (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *rig = g_build_filename (f->dir, "gen", NULL);
  g_autofree char *full = g_build_filename (f->dir, "full.sqlite", NULL);
  g_autofree char *resumed = g_build_filename (f->dir, "resumed.sqlite", NULL);
  g_autofree char *full_dump = NULL, *resumed_dump = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_default ();
  VigilReplayOptions options;
  VigilReplayStats stats;

  g_assert_true (vigil_hydraulic_generate (rig, 40, 9, NULL, &error));
  vigil_replay_options_init (&options);
  g_assert_true (replay (rig, full, &options, &error));
  full_dump = dump_results (full, FALSE);

  {
    g_autoptr(VigilStore) store = vigil_store_open (resumed, &error);
    g_autoptr(VigilHydraulicReplay) r = NULL;
    VigilReplayOptions paced = options;

    /* 40 cycles of 60 s at 400x: 6 s. Stopped well before. */
    paced.speed = 400;
    r = vigil_hydraulic_replay_new (rig, store, rules, &paced);
    g_assert_true (vigil_hydraulic_replay_start (r, &error));
    do
      {
        g_usleep (20000);
        vigil_hydraulic_replay_get_stats (r, &stats);
      }
    while (stats.cycles_done < 3);
    vigil_hydraulic_replay_stop (r);
    g_assert_true (vigil_hydraulic_replay_wait (r, &error));
    g_assert_no_error (error);
    g_assert_true (vigil_hydraulic_replay_was_stopped (r));
    vigil_hydraulic_replay_get_stats (r, &stats);
    g_assert_cmpuint (stats.cycles_done, >=, 3);
    g_assert_cmpuint (stats.cycles_done, <, 40);
    g_assert_true (vigil_store_close (store, &error));
  }

  {
    /* What the stopped run stored is a prefix of the full run's windows, value for value. */
    sqlite3 *db = open_db (resumed);
    gint64 n = query_int (db, "SELECT count(*) FROM windows");
    g_autofree char *attach = g_strdup_printf ("ATTACH '%s' AS f", full);

    g_assert_cmpint (n, >, 0);
    g_assert_cmpint (n, <, 17 * (240 + 5));
    g_assert_cmpint (sqlite3_exec (db, attach, NULL, NULL, NULL), ==, SQLITE_OK);
    g_assert_cmpint (query_int (db, "SELECT count(*) FROM windows w JOIN f.windows x USING"
                                    " (sensor, window_start) WHERE w.avg IS x.avg AND"
                                    " w.stddev IS x.stddev AND w.count = x.count"), ==, n);
    sqlite3_close (db);
  }

  g_assert_true (replay (rig, resumed, &options, &error));
  g_assert_no_error (error);
  resumed_dump = dump_results (resumed, FALSE);
  g_assert_cmpstr (full_dump, ==, resumed_dump);
}

/* A bad value in the middle of PS1 stops the replay with file, line and column; what had
 * been computed before stays stored. */
static void
test_bad_row_midway (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *rig = write_small_rig (f, 12);
  g_autofree char *ps1 = g_build_filename (rig, "PS1.txt", NULL);
  g_autofree char *db_path = g_build_filename (f->dir, "out.sqlite", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *quick_check = NULL;
  g_autoptr(GError) error = NULL;
  VigilReplayOptions options;
  char *line;
  sqlite3 *db;

  g_assert_true (g_file_get_contents (ps1, &contents, NULL, NULL));
  /* Line 10, column 3 becomes "1O3.5". */
  line = contents;
  for (guint i = 0; i < 9; i++)
    line = strchr (line, '\n') + 1;
  line = strchr (strchr (line, '\t') + 1, '\t') + 1;
  memcpy (line, "1O3.5", 5);
  g_assert_true (g_file_set_contents (ps1, contents, -1, NULL));

  vigil_replay_options_init (&options);
  options.n_workers = 2;
  g_assert_false (replay (rig, db_path, &options, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "PS1.txt:10: column 3: “1O3.5"));

  /* Cycles 0-8 of PS1 streamed (up to 539.99 s), so its watermark reached 529.99 s and the
   * windows starting at -50 s ... 460 s had closed: all 52 are stored, however far the other
   * sensors had got when the replay stopped. The file is sound. */
  db = open_db (db_path);
  quick_check = query_text (db, "PRAGMA quick_check");
  g_assert_cmpstr (quick_check, ==, "ok");
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM windows WHERE sensor = 'PS1'"), ==, 52);
  g_assert_cmpint (query_int (db, "SELECT max(window_start) FROM windows WHERE sensor = 'PS1'"),
                   ==, options.start_us + 460 * VIGIL_USEC_PER_SEC);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM cycle_labels"), >, 0);
  sqlite3_close (db);
}

/* Files that disagree are refused before anything is written. */
static void
test_mismatched_files (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *rig = write_small_rig (f, 3);
  g_autofree char *ts1 = g_build_filename (rig, "TS1.txt", NULL);
  g_autofree char *db_path = g_build_filename (f->dir, "out.sqlite", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  VigilReplayOptions options;
  sqlite3 *db;

  g_assert_true (g_file_get_contents (ts1, &contents, NULL, NULL));
  *strrchr (contents, '\n') = '\0';
  *(strrchr (contents, '\n') + 1) = '\0';
  g_assert_true (g_file_set_contents (ts1, contents, -1, NULL));

  vigil_replay_options_init (&options);
  g_assert_false (replay (rig, db_path, &options, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "TS1.txt has 2 cycles but PS1.txt has 3"));

  db = open_db (db_path);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sessions"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM windows"), ==, 0);
  sqlite3_close (db);
}

/* The pacing schedule is absolute: event time e is due at origin + (e - e0) / speed, and a
 * wait never returns before that. */
static void
test_clock (void)
{
  g_autoptr(VigilReplayClock) clock = vigil_replay_clock_new (1000, 5 * VIGIL_USEC_PER_SEC);
  gint64 origin = vigil_replay_clock_due (clock, 5 * VIGIL_USEC_PER_SEC);

  g_assert_cmpint (vigil_replay_clock_due (clock, 65 * VIGIL_USEC_PER_SEC) - origin, ==, 60000);
  g_assert_cmpint (vigil_replay_clock_due (clock, 5 * VIGIL_USEC_PER_SEC + 1000) - origin, ==, 1);

  for (guint i = 1; i <= 5; i++)
    {
      gint64 e = 5 * VIGIL_USEC_PER_SEC + i * 10 * VIGIL_USEC_PER_SEC;

      g_assert_true (vigil_replay_clock_wait (clock, e));
      g_assert_cmpint (g_get_monotonic_time (), >=, vigil_replay_clock_due (clock, e));
    }

  vigil_replay_clock_stop (clock);
  g_assert_false (vigil_replay_clock_wait (clock, 1000 * VIGIL_USEC_PER_SEC));
}

static void
test_bad_options (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *rig = write_small_rig (f, 1);
  g_autofree char *db_path = g_build_filename (f->dir, "out.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  VigilReplayOptions options;

  vigil_replay_options_init (&options);
  options.slide_us = 2 * options.window_us;
  g_assert_false (replay (rig, db_path, &options, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/engine/replay/windows-exact", test_windows_exact);
  ADD ("/engine/replay/idempotent", test_idempotent);
  ADD ("/engine/replay/stop-resume", test_stop_resume);
  ADD ("/engine/replay/bad-row-midway", test_bad_row_midway);
  ADD ("/engine/replay/mismatched-files", test_mismatched_files);
  ADD ("/engine/replay/bad-options", test_bad_options);
#undef ADD
  g_test_add_func ("/engine/replay/clock", test_clock);

  return g_test_run ();
}
