/* test-features.c
 *
 * Per-cycle features against an independent computation: real cycles of the UCI data (1 Hz
 * files and the 100 Hz and 10 Hz excerpts) parsed and recomputed here in plain loops,
 * quantiles by sorting; names, absent sensors, labels equal to profile.txt's rows; features
 * from a replayed store equal to those of the dataset it replayed; sessions whose windows are
 * not cycles refused; cycles without every window skipped and counted; malformed rows named.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "vigil-error.h"
#include "vigil-features.h"
#include "vigil-hydraulic-generator.h"
#include "vigil-hydraulic-replay.h"
#include "vigil-store.h"
#include "vigil-time.h"
#include "vigil-test-util.h"

#define N_STORE_CYCLES 6
#define SEED 7

static const char * const suffixes[] = {
  "mean", "std", "min", "max", "slope", "q25", "q50", "q75", "first_energy", "last_energy",
};

/* The 1 Hz files of the shared data, in VigilSensor order. */
static const char * const uci_sensors[] = {
  "TS1", "TS2", "TS3", "TS4", "VS1", "CE", "CP", "SE",
};

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("vigil-features-test-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  vigil_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* Independent parsing and statistics -------------------------------------------------------- */

static char *
uci_path (const char *file)
{
  const char *shared = g_getenv ("VIGIL_SHARED_DATA");

  g_assert_nonnull (shared);

  return g_build_filename (shared, "hydraulic-uci", file, NULL);
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

/* The ten features of @x sampled at @rate Hz, by the textbook formulas: slope from the normal
 * equations in raw sums, quantiles from a sorted copy. */
static void
expected_features (const double *x,
                   guint         n,
                   guint         rate,
                   double       *out)
{
  g_autofree double *sorted = g_memdup2 (x, n * sizeof (double));
  double sum = 0, sq = 0, mn = x[0], mx = x[0], st = 0, stt = 0, stx = 0, mean;
  guint edge = 5 * rate;
  double first = 0, last = 0;

  for (guint i = 0; i < n; i++)
    {
      double t = (double) i / rate;

      sum += x[i];
      if (x[i] < mn)
        mn = x[i];
      if (x[i] > mx)
        mx = x[i];
      st += t;
      stt += t * t;
      stx += t * x[i];
    }
  mean = sum / n;
  for (guint i = 0; i < n; i++)
    sq += (x[i] - mean) * (x[i] - mean);
  for (guint i = 0; i < edge; i++)
    {
      first += x[i] * x[i];
      last += x[n - edge + i] * x[n - edge + i];
    }

  qsort (sorted, n, sizeof (double), cmp_double);

  out[0] = mean;
  out[1] = sqrt (sq / n);
  out[2] = mn;
  out[3] = mx;
  out[4] = (n * stx - st * sum) / (n * stt - st * st);
  for (guint k = 0; k < 3; k++)
    {
      double h = (n - 1) * (k + 1) / 4.0;
      guint lo = (guint) h;

      out[5 + k] = lo + 1 < n ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo])
                              : sorted[lo];
    }
  out[8] = first / edge;
  out[9] = last / edge;
}

/* Within 1e-5 of @expected, relative; a value near zero (a flat slope) is measured against
 * @scale, the size of the cycle's values, since its own size says nothing. */
static void
assert_close (double      actual,
              double      expected,
              double      scale,
              const char *what)
{
  double tol = 1e-5 * MAX (fabs (expected), 1e-6 * scale);

  if (!(fabs (actual - expected) <= tol))
    g_error ("%s: %.9g, expected %.9g", what, actual, expected);
}

static double
max_abs (const double *x,
         guint         n)
{
  double m = 0;

  for (guint i = 0; i < n; i++)
    m = MAX (m, fabs (x[i]));

  return m;
}

static VigilFeatureTable *
uci_table (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = uci_path (NULL);
  VigilFeatureTable *table = vigil_feature_table_new_from_dataset (dir, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (table);

  return table;
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (from, &text, &len, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (to, text, len, &error));
  g_assert_no_error (error);
}

/* Targets ------------------------------------------------------------------------------------ */

static void
test_targets (void)
{
  static const char * const names[] = { "cooler", "valve", "pump", "accumulator", "stable" };
  VigilCycleLabel label = { .cooler = 20, .valve = 73, .pump = 2, .accumulator = 115,
                            .stable = 1 };
  const int classes[] = { 20, 73, 2, 115, 1 };
  VigilTarget t = VIGIL_N_TARGETS;

  g_assert_cmpint (VIGIL_N_TARGETS, ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_cmpstr (vigil_target_to_string (i), ==, names[i]);
      g_assert_true (vigil_target_from_string (names[i], &t));
      g_assert_cmpint (t, ==, i);
      g_assert_cmpint (vigil_cycle_label_get (&label, i), ==, classes[i]);
    }

  g_assert_false (vigil_target_from_string ("Cooler", &t));
  g_assert_false (vigil_target_from_string ("", &t));
  g_assert_false (vigil_target_from_string (NULL, &t));
}

/* One cycle ---------------------------------------------------------------------------------- */

/* 1, 2 ... 60 at 1 Hz, worked out by hand. */
static void
test_compute_ramp (void)
{
  const double expected[] = {
    30.5, 17.318102282486574 /* sqrt (3599 / 12) */, 1, 60, 1, 15.75, 30.5, 45.25,
    11 /* (1 + 4 + 9 + 16 + 25) / 5 */, 3366 /* (56² + ... + 60²) / 5 */,
  };
  double ramp[60];
  float out[G_N_ELEMENTS (expected)];

  g_assert_cmpuint (vigil_features_per_sensor (), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < 60; i++)
    ramp[i] = i + 1;

  vigil_features_compute (VIGIL_SENSOR_TS1, ramp, 60, out);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    assert_close (out[i], expected[i], 60, suffixes[i]);
}

/* Real cycles -------------------------------------------------------------------------------- */

static void
test_names (void)
{
  g_autoptr(VigilFeatureTable) table = uci_table ();
  guint k = 0;

  g_assert_cmpuint (vigil_feature_table_get_n_features (table), ==,
                    G_N_ELEMENTS (uci_sensors) * G_N_ELEMENTS (suffixes));
  for (guint s = 0; s < G_N_ELEMENTS (uci_sensors); s++)
    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *name = g_strdup_printf ("%s_%s", uci_sensors[s], suffixes[i]);

        g_assert_cmpstr (vigil_feature_table_get_name (table, k++), ==, name);
      }
}

static void
test_real_cycles (void)
{
  static const guint cycles[] = { 0, 1, 733, 1799 };
  g_autoptr(VigilFeatureTable) table = uci_table ();
  guint n_features = vigil_feature_table_get_n_features (table);
  guint n_per = G_N_ELEMENTS (suffixes);

  g_assert_cmpuint (vigil_feature_table_get_n_rows (table), ==, 1800);
  for (guint r = 0; r < 1800; r++)
    g_assert_cmpuint (vigil_feature_table_get_cycle (table, r), ==, r);
  g_assert_true (vigil_feature_table_get_data (table) + 1799 * n_features ==
                 vigil_feature_table_get_row (table, 1799));

  for (guint s = 0; s < G_N_ELEMENTS (uci_sensors); s++)
    {
      g_autofree char *file = g_strconcat (uci_sensors[s], ".txt", NULL);
      g_autofree char *path = uci_path (file);
      g_autoptr(GPtrArray) rows = vigil_test_parse_rows (path);

      g_assert_cmpuint (rows->len, ==, 1800);
      for (guint c = 0; c < G_N_ELEMENTS (cycles); c++)
        {
          GArray *row = g_ptr_array_index (rows, cycles[c]);
          const double *x = (const double *) row->data;
          const float *got = vigil_feature_table_get_row (table, cycles[c]) + s * n_per;
          double want[G_N_ELEMENTS (suffixes)];
          float live[G_N_ELEMENTS (suffixes)];
          VigilSensor sensor;

          g_assert_cmpuint (row->len, ==, 60);
          expected_features (x, 60, 1, want);
          for (guint i = 0; i < n_per; i++)
            {
              g_autofree char *what = g_strdup_printf ("%s cycle %u %s", uci_sensors[s],
                                                       cycles[c], suffixes[i]);

              assert_close (got[i], want[i], max_abs (x, 60), what);
            }

          /* The live computation is the same definition, to the bit. */
          g_assert_true (vigil_sensor_from_name (uci_sensors[s], &sensor));
          vigil_features_compute (sensor, x, 60, live);
          g_assert_cmpmem (live, sizeof live, got, sizeof live);
        }
    }
}

static void
test_labels (void)
{
  g_autoptr(VigilFeatureTable) table = uci_table ();
  g_autofree char *path = uci_path ("profile.txt");
  g_autoptr(GPtrArray) rows = vigil_test_parse_rows (path);

  g_assert_true (vigil_feature_table_has_labels (table));
  g_assert_cmpuint (rows->len, ==, vigil_feature_table_get_n_rows (table));
  for (guint r = 0; r < rows->len; r++)
    {
      GArray *row = g_ptr_array_index (rows, r);
      const VigilCycleLabel *label = vigil_feature_table_get_label (table, r);

      g_assert_cmpuint (row->len, ==, VIGIL_N_TARGETS);
      g_assert_nonnull (label);
      g_assert_cmpuint (label->cycle, ==, r);
      for (guint t = 0; t < VIGIL_N_TARGETS; t++)
        g_assert_cmpint (vigil_cycle_label_get (label, t), ==,
                         (int) g_array_index (row, double, t));
    }
}

/* Only 3 files: 3 sensors' columns, the same values as in the full table, no labels. */
static void
test_absent_sensors (Fixture       *f,
                     gconstpointer  data)
{
  static const char * const kept[] = { "TS2", "CE", "SE" };
  static const guint kept_index[] = { 1, 5, 7 };   /* in uci_sensors */
  g_autoptr(VigilFeatureTable) full = uci_table ();
  g_autoptr(VigilFeatureTable) table = NULL;
  g_autoptr(GError) error = NULL;
  guint n_per = G_N_ELEMENTS (suffixes);

  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      g_autofree char *file = g_strconcat (kept[i], ".txt", NULL);
      g_autofree char *from = uci_path (file);
      g_autofree char *to = g_build_filename (f->dir, file, NULL);

      copy_file (from, to);
    }

  table = vigil_feature_table_new_from_dataset (f->dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vigil_feature_table_get_n_features (table), ==, 3 * n_per);
  g_assert_cmpuint (vigil_feature_table_get_n_rows (table), ==, 1800);
  g_assert_cmphex (vigil_feature_table_get_sensors (table), ==,
                   (1u << VIGIL_SENSOR_TS2) | (1u << VIGIL_SENSOR_CE) | (1u << VIGIL_SENSOR_SE));
  g_assert_false (vigil_feature_table_has_labels (table));
  g_assert_null (vigil_feature_table_get_label (table, 0));

  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    for (guint j = 0; j < n_per; j++)
      {
        g_autofree char *name = g_strdup_printf ("%s_%s", kept[i], suffixes[j]);

        g_assert_cmpstr (vigil_feature_table_get_name (table, i * n_per + j), ==, name);
      }

  for (guint r = 0; r < 1800; r++)
    for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
      g_assert_cmpmem (vigil_feature_table_get_row (table, r) + i * n_per, n_per * sizeof (float),
                       vigil_feature_table_get_row (full, r) + kept_index[i] * n_per,
                       n_per * sizeof (float));
}

/* The real 100 Hz and 10 Hz excerpts: time in seconds and 5 s edges follow the rate. */
static void
test_high_rate (Fixture       *f,
                gconstpointer  data)
{
  static const struct { const char *excerpt; const char *file; guint rate; guint n; } files[] = {
    { "PS2_first2cycles.txt", "PS2.txt", 100, 6000 },
    { "FS1_first2cycles.txt", "FS1.txt", 10, 600 },
  };
  g_autoptr(VigilFeatureTable) table = NULL;
  g_autoptr(GError) error = NULL;
  guint n_per = G_N_ELEMENTS (suffixes);

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *excerpt = g_build_filename ("high-rate-excerpt", files[i].excerpt, NULL);
      g_autofree char *from = uci_path (excerpt);
      g_autofree char *to = g_build_filename (f->dir, files[i].file, NULL);

      copy_file (from, to);
    }

  table = vigil_feature_table_new_from_dataset (f->dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vigil_feature_table_get_n_rows (table), ==, 2);
  g_assert_cmpuint (vigil_feature_table_get_n_features (table), ==, 2 * n_per);
  /* VigilSensor order: PS2 before FS1. */
  g_assert_cmpstr (vigil_feature_table_get_name (table, 0), ==, "PS2_mean");
  g_assert_cmpstr (vigil_feature_table_get_name (table, n_per), ==, "FS1_mean");

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, files[i].file, NULL);
      g_autoptr(GPtrArray) rows = vigil_test_parse_rows (path);

      g_assert_cmpuint (rows->len, ==, 2);
      for (guint c = 0; c < 2; c++)
        {
          GArray *row = g_ptr_array_index (rows, c);
          const double *x = (const double *) row->data;
          const float *got = vigil_feature_table_get_row (table, c) + i * n_per;
          double want[G_N_ELEMENTS (suffixes)];

          g_assert_cmpuint (row->len, ==, files[i].n);
          expected_features (x, files[i].n, files[i].rate, want);
          for (guint k = 0; k < n_per; k++)
            {
              g_autofree char *what = g_strdup_printf ("%s cycle %u %s", files[i].file, c,
                                                       suffixes[k]);

              assert_close (got[k], want[k], max_abs (x, files[i].n), what);
            }
        }
    }
}

/* Bad input ---------------------------------------------------------------------------------- */

static void
write_text (const char *dir,
            const char *file,
            const char *text)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

/* @n values "1" "2" ... separated by tabs, then a newline. */
static void
append_row (GString *s,
            guint    n)
{
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, i == 0 ? "%u" : "\t%u", i + 1);
  g_string_append_c (s, '\n');
}

static void
test_bad_row (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GString) good = g_string_new (NULL);
  g_autoptr(GString) bad = g_string_new (NULL);
  g_autoptr(VigilFeatureTable) table = NULL;
  g_autoptr(GError) error = NULL;

  /* Three rows each; the third row of VS1.txt is one value short. */
  for (guint r = 0; r < 3; r++)
    {
      append_row (good, 60);
      append_row (bad, r == 2 ? 59 : 60);
    }
  write_text (f->dir, "TS1.txt", good->str);
  write_text (f->dir, "VS1.txt", bad->str);

  table = vigil_feature_table_new_from_dataset (f->dir, NULL, &error);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
  g_assert_null (table);
  g_assert_nonnull (strstr (error->message, "VS1.txt:3:"));
  g_assert_nonnull (strstr (error->message, "expected 60"));
}

static void
test_bad_label (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GString) rows = g_string_new (NULL);
  g_autoptr(VigilFeatureTable) table = NULL;
  g_autoptr(GError) error = NULL;

  append_row (rows, 60);
  append_row (rows, 60);
  write_text (f->dir, "CE.txt", rows->str);
  write_text (f->dir, "profile.txt", "3\t100\t0\t130\t1\n21\t100\t0\t130\t1\n");

  table = vigil_feature_table_new_from_dataset (f->dir, NULL, &error);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
  g_assert_null (table);
  g_assert_nonnull (strstr (error->message, "profile.txt:2:"));
}

/* From a store ------------------------------------------------------------------------------- */

/* Replays a generated dataset of N_STORE_CYCLES into @f->dir/rig.vigil with the default
 * options changed by @window_us and @start_shift_us; returns the dataset's directory. */
static char *
record (Fixture *f,
        gint64   window_us,
        gint64   start_shift_us)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRuleSet) rules = NULL;
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilHydraulicReplay) replay = NULL;
  g_autofree char *path = g_build_filename (f->dir, "rig.vigil", NULL);
  char *rig = g_build_filename (f->dir, "rig", NULL);
  VigilReplayOptions options;

  g_assert_cmpint (g_mkdir_with_parents (rig, 0755), ==, 0);
  g_assert_true (vigil_hydraulic_generate_range (rig, 0, N_STORE_CYCLES, SEED, NULL, NULL,
                                                 &error));
  g_assert_no_error (error);

  rules = vigil_rule_set_new_from_data ("{\"rules\": []}", -1, "no rules", &error);
  g_assert_no_error (error);
  store = vigil_store_open (path, &error);
  g_assert_no_error (error);

  vigil_replay_options_init (&options);
  options.speed = 0;
  if (window_us != 0)
    options.window_us = window_us;
  options.start_us += start_shift_us;
  replay = vigil_hydraulic_replay_new (rig, store, rules, &options);
  g_assert_true (vigil_hydraulic_replay_run (replay, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (vigil_store_close (store, &error));
  g_assert_no_error (error);

  return rig;
}

static VigilStore *
open_recording (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "rig.vigil", NULL);
  VigilStore *store = vigil_store_open_readonly (path, &error);

  g_assert_no_error (error);

  return store;
}

static void
test_store (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *rig = record (f, 0, 0);
  g_autoptr(VigilStore) store = open_recording (f);
  g_autoptr(VigilFeatureTable) stored = NULL;
  g_autoptr(VigilFeatureTable) direct = NULL;
  g_autoptr(GError) error = NULL;
  guint n_per = G_N_ELEMENTS (suffixes);

  direct = vigil_feature_table_new_from_dataset (rig, NULL, &error);
  g_assert_no_error (error);
  stored = vigil_feature_table_new_from_store (store, 0, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (vigil_feature_table_get_n_rows (direct), ==, N_STORE_CYCLES);
  g_assert_cmpuint (vigil_feature_table_get_n_rows (stored), ==, N_STORE_CYCLES);
  g_assert_cmpuint (vigil_feature_table_get_n_skipped (stored), ==, 0);
  g_assert_cmpuint (vigil_feature_table_get_n_features (direct), ==, VIGIL_N_SENSORS * n_per);
  g_assert_cmpuint (vigil_feature_table_get_n_features (stored), ==, VIGIL_N_SENSORS * 4);
  g_assert_true (vigil_feature_table_has_labels (stored));

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    for (guint i = 0; i < 4; i++)
      {
        g_autofree char *name = g_strdup_printf ("%s_%s", vigil_sensor_get_info (s)->name,
                                                 suffixes[i]);

        g_assert_cmpstr (vigil_feature_table_get_name (stored, s * 4 + i), ==, name);
      }

  for (guint r = 0; r < N_STORE_CYCLES; r++)
    {
      const VigilCycleLabel *a = vigil_feature_table_get_label (direct, r);
      const VigilCycleLabel *b = vigil_feature_table_get_label (stored, r);

      g_assert_cmpuint (vigil_feature_table_get_cycle (stored, r), ==, r);
      g_assert_cmpuint (b->cycle, ==, r);
      for (guint t = 0; t < VIGIL_N_TARGETS; t++)
        g_assert_cmpint (vigil_cycle_label_get (a, t), ==, vigil_cycle_label_get (b, t));

      for (guint s = 0; s < VIGIL_N_SENSORS; s++)
        {
          const float *x = vigil_feature_table_get_row (direct, r) + s * n_per;
          const float *y = vigil_feature_table_get_row (stored, r) + s * 4;
          double scale = MAX (fabs (x[2]), fabs (x[3]));

          for (guint i = 0; i < 4; i++)
            {
              g_autofree char *what = g_strdup_printf ("cycle %u %s_%s", r,
                                                       vigil_sensor_get_info (s)->name,
                                                       suffixes[i]);

              assert_close (y[i], x[i], scale, what);
            }
        }
    }
}

static void
exec_sql (Fixture    *f,
          const char *sql)
{
  g_autofree char *path = g_build_filename (f->dir, "rig.vigil", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_changes (db), >, 0);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

/* Cycle 2 loses PS3's window, cycle 4 its label, cycle 5 VS1's window gets a sample short:
 * three rows left out, the others intact. */
static void
test_store_skipped (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *rig = record (f, 0, 0);
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilFeatureTable) table = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *del_window = NULL;
  g_autofree char *short_window = NULL;
  const guint kept[] = { 0, 1, 3 };

  del_window = g_strdup_printf ("DELETE FROM windows WHERE sensor = 'PS3' AND window_start = %"
                                G_GINT64_FORMAT, VIGIL_DEFAULT_START_US + 120 * G_USEC_PER_SEC);
  short_window = g_strdup_printf ("UPDATE windows SET count = 59 WHERE sensor = 'VS1' AND"
                                  " window_start = %" G_GINT64_FORMAT,
                                  VIGIL_DEFAULT_START_US + 300 * G_USEC_PER_SEC);
  exec_sql (f, del_window);
  exec_sql (f, "DELETE FROM cycle_labels WHERE cycle = 4");
  exec_sql (f, short_window);

  store = open_recording (f);
  table = vigil_feature_table_new_from_store (store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vigil_feature_table_get_n_rows (table), ==, G_N_ELEMENTS (kept));
  g_assert_cmpuint (vigil_feature_table_get_n_skipped (table), ==, 3);
  for (guint r = 0; r < G_N_ELEMENTS (kept); r++)
    {
      g_assert_cmpuint (vigil_feature_table_get_cycle (table, r), ==, kept[r]);
      g_assert_cmpuint (vigil_feature_table_get_label (table, r)->cycle, ==, kept[r]);
    }
}

static void
test_store_refused (Fixture       *f,
                    gconstpointer  data)
{
  gint64 window_us = GPOINTER_TO_INT (data) == 0 ? 30 * G_USEC_PER_SEC : 0;
  gint64 shift_us = GPOINTER_TO_INT (data) == 0 ? 0 : 5 * G_USEC_PER_SEC;
  g_autofree char *rig = record (f, window_us, shift_us);
  g_autoptr(VigilStore) store = open_recording (f);
  g_autoptr(VigilFeatureTable) table = NULL;
  g_autoptr(GError) error = NULL;

  table = vigil_feature_table_new_from_store (store, 0, &error);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_assert_null (table);
  g_assert_nonnull (strstr (error->message, "do not cover whole cycles"));
  g_assert_nonnull (strstr (error->message, "rig.vigil"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/features/targets", test_targets);
  g_test_add_func ("/engine/features/compute-ramp", test_compute_ramp);
  g_test_add_func ("/engine/features/names", test_names);
  g_test_add_func ("/engine/features/real-cycles", test_real_cycles);
  g_test_add_func ("/engine/features/labels", test_labels);
  g_test_add ("/engine/features/absent-sensors", Fixture, NULL, fixture_set_up,
              test_absent_sensors, fixture_tear_down);
  g_test_add ("/engine/features/high-rate", Fixture, NULL, fixture_set_up, test_high_rate,
              fixture_tear_down);
  g_test_add ("/engine/features/bad-row", Fixture, NULL, fixture_set_up, test_bad_row,
              fixture_tear_down);
  g_test_add ("/engine/features/bad-label", Fixture, NULL, fixture_set_up, test_bad_label,
              fixture_tear_down);
  g_test_add ("/engine/features/store", Fixture, NULL, fixture_set_up, test_store,
              fixture_tear_down);
  g_test_add ("/engine/features/store-skipped", Fixture, NULL, fixture_set_up,
              test_store_skipped, fixture_tear_down);
  g_test_add ("/engine/features/store-window-30s", Fixture, GINT_TO_POINTER (0), fixture_set_up,
              test_store_refused, fixture_tear_down);
  g_test_add ("/engine/features/store-misaligned", Fixture, GINT_TO_POINTER (1), fixture_set_up,
              test_store_refused, fixture_tear_down);

  return g_test_run ();
}
