/* test-hydraulic-generator.c
 *
 * The synthetic rig generator: same seed same bytes, the UCI layout to the character, levels and
 * condition effects like the real rig's, and injected faults that are where the ground truth
 * says they are.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "vigil-error.h"
#include "vigil-hydraulic-generator.h"
#include "vigil-sensor.h"
#include "vigil-test-util.h"

typedef struct
{
  char *dir;
} Fixture;

typedef struct
{
  guint        cycle;
  VigilSensor  sensor;
  char        *fault;
  double       start_s;
  double       end_s;
  double       magnitude;
  char        *magnitude_text;
} TruthRow;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("vigil-generator-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  vigil_test_remove_tree (fx->dir);
  g_free (fx->dir);
}

static char *
generate (Fixture    *fx,
          const char *name,
          guint       first_cycle,
          guint       n_cycles,
          guint64     seed)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_build_filename (fx->dir, name, NULL);
  guint n_faults = G_MAXUINT;

  g_assert_true (vigil_hydraulic_generate_range (dir, first_cycle, n_cycles, seed, &n_faults,
                                                 NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_faults, !=, G_MAXUINT);
  return dir;
}

static char *
read_text (const char *dir,
           const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static char *
sensor_file (VigilSensor sensor)
{
  return g_strconcat (vigil_sensor_get_info (sensor)->name, ".txt", NULL);
}

static char *
read_sensor (const char  *dir,
             VigilSensor  sensor)
{
  g_autofree char *name = sensor_file (sensor);

  return read_text (dir, name);
}

/* The values of line `row` (0-based), which must hold exactly n_cols tab-separated numbers. */
static double *
parse_row (const char *text,
           guint       row,
           guint       n_cols)
{
  const char *p = text;
  double *values = g_new (double, n_cols);

  for (guint r = 0; r < row; r++)
    {
      p = strchr (p, '\n');
      g_assert_nonnull (p);
      p++;
    }

  for (guint i = 0; i < n_cols; i++)
    {
      char *end = NULL;

      values[i] = g_ascii_strtod (p, &end);
      g_assert_true (end != p);
      g_assert_cmpint (*end, ==, i + 1 < n_cols ? '\t' : '\n');
      p = end + 1;
    }
  return values;
}

/* A whole sensor file: n_rows lines of n_cols numbers, nothing after. */
static double *
parse_matrix (const char *text,
              guint       n_rows,
              guint       n_cols)
{
  const char *p = text;
  double *values = g_new (double, (gsize) n_rows * n_cols);

  for (gsize i = 0; i < (gsize) n_rows * n_cols; i++)
    {
      char *end = NULL;

      values[i] = g_ascii_strtod (p, &end);
      g_assert_true (end != p);
      g_assert_cmpint (*end, ==, (i + 1) % n_cols != 0 ? '\t' : '\n');
      p = end + 1;
    }
  g_assert_cmpint (*p, ==, '\0');
  return values;
}

static double
mean_of (const double *values,
         guint         n)
{
  double sum = 0;

  for (guint i = 0; i < n; i++)
    sum += values[i];
  return sum / n;
}

static void
min_max_of (const double *values,
            guint         n,
            double       *out_min,
            double       *out_max)
{
  *out_min = INFINITY;
  *out_max = -INFINITY;
  for (guint i = 0; i < n; i++)
    {
      *out_min = MIN (*out_min, values[i]);
      *out_max = MAX (*out_max, values[i]);
    }
}

/* profile.txt as n_rows x 5 ints. */
static int *
read_profile (const char *dir,
              guint       n_rows)
{
  g_autofree char *text = read_text (dir, "profile.txt");
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  int *profile = g_new (int, n_rows * 5);

  g_assert_cmpuint (g_strv_length (lines), ==, n_rows + 1);
  g_assert_cmpstr (lines[n_rows], ==, "");
  for (guint r = 0; r < n_rows; r++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[r], "\t", -1);

      g_assert_cmpuint (g_strv_length (fields), ==, 5);
      for (guint c = 0; c < 5; c++)
        {
          guint64 v = 0;

          g_assert_true (g_ascii_string_to_unsigned (fields[c], 10, 0, 200, &v, NULL));
          profile[r * 5 + c] = (int) v;
        }
    }
  return profile;
}

static void
truth_row_free (gpointer data)
{
  TruthRow *row = data;

  g_free (row->fault);
  g_free (row->magnitude_text);
  g_free (row);
}

static GPtrArray *
read_truth (const char *dir)
{
  g_autofree char *text = read_text (dir, VIGIL_HYDRAULIC_GROUND_TRUTH);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *rows = g_ptr_array_new_with_free_func (truth_row_free);
  guint n = g_strv_length (lines);

  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpstr (lines[0], ==, "cycle,sensor,fault,start_s,end_s,magnitude");
  g_assert_cmpstr (lines[n - 1], ==, "");
  for (guint i = 1; i + 1 < n; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", -1);
      TruthRow *row = g_new0 (TruthRow, 1);
      guint64 cycle = 0;

      g_assert_cmpuint (g_strv_length (f), ==, 6);
      g_assert_true (g_ascii_string_to_unsigned (f[0], 10, 0, G_MAXUINT, &cycle, NULL));
      row->cycle = (guint) cycle;
      g_assert_true (vigil_sensor_from_name (f[1], &row->sensor));
      row->fault = g_strdup (f[2]);
      row->start_s = g_ascii_strtod (f[3], NULL);
      row->end_s = g_ascii_strtod (f[4], NULL);
      row->magnitude = g_ascii_strtod (f[5], NULL);
      row->magnitude_text = g_strdup (f[5]);
      g_ptr_array_add (rows, row);
    }
  return rows;
}

static gboolean
cycle_has_fault (GPtrArray *truth,
                 guint      cycle)
{
  for (guint i = 0; i < truth->len; i++)
    {
      if (((TruthRow *) g_ptr_array_index (truth, i))->cycle == cycle)
        return TRUE;
    }
  return FALSE;
}

static const char * const all_files[] = {
  "PS1.txt", "PS2.txt", "PS3.txt", "PS4.txt", "PS5.txt", "PS6.txt", "EPS1.txt", "FS1.txt",
  "FS2.txt", "TS1.txt", "TS2.txt", "TS3.txt", "TS4.txt", "VS1.txt", "CE.txt", "CP.txt", "SE.txt",
  "profile.txt", VIGIL_HYDRAULIC_GROUND_TRUTH,
};

/* Lines first .. first + n - 1 of a text, newlines included. */
static char *
lines_of (const char *text,
          guint       first,
          guint       n)
{
  const char *start = text;
  const char *end;

  for (guint i = 0; i < first; i++)
    start = strchr (start, '\n') + 1;
  end = start;
  for (guint i = 0; i < n; i++)
    end = strchr (end, '\n') + 1;
  return g_strndup (start, end - start);
}

static void
test_determinism (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *a = generate (fx, "a", 0, 6, 5);
  g_autofree char *b = generate (fx, "b", 0, 6, 5);
  g_autofree char *other = generate (fx, "other", 0, 6, 6);
  g_autofree char *prefix = generate (fx, "prefix", 0, 4, 5);
  g_autofree char *range = generate (fx, "range", 2, 3, 5);
  g_autoptr(GPtrArray) truth_a = read_truth (a);
  g_autoptr(GPtrArray) truth_range = read_truth (range);
  guint n_in_range = 0;

  for (guint i = 0; i < G_N_ELEMENTS (all_files); i++)
    {
      g_autofree char *ta = read_text (a, all_files[i]);
      g_autofree char *tb = read_text (b, all_files[i]);

      g_assert_cmpstr (ta, ==, tb);

      if (i < VIGIL_N_SENSORS)
        {
          g_autofree char *to = read_text (other, all_files[i]);
          g_autofree char *tp = read_text (prefix, all_files[i]);
          g_autofree char *tr = read_text (range, all_files[i]);
          g_autofree char *head = lines_of (ta, 0, 4);
          g_autofree char *middle = lines_of (ta, 2, 3);

          g_assert_cmpstr (ta, !=, to);
          /* The first cycles of a longer run are a shorter run; a range is a slice. */
          g_assert_cmpstr (tp, ==, head);
          g_assert_cmpstr (tr, ==, middle);
        }
    }

  /* Seed 5 injects a fault in cycle 3: the range renumbers it and shifts its times. */
  for (guint i = 0; i < truth_a->len; i++)
    {
      TruthRow *ra = g_ptr_array_index (truth_a, i);
      TruthRow *rr;

      if (ra->cycle < 2 || ra->cycle > 4)
        continue;
      g_assert_cmpuint (n_in_range, <, truth_range->len);
      rr = g_ptr_array_index (truth_range, n_in_range++);
      g_assert_cmpuint (rr->cycle, ==, ra->cycle - 2);
      g_assert_cmpint (rr->sensor, ==, ra->sensor);
      g_assert_cmpstr (rr->fault, ==, ra->fault);
      g_assert_cmpfloat_with_epsilon (rr->start_s, ra->start_s - 120.0, 1e-9);
      g_assert_cmpfloat_with_epsilon (rr->end_s, ra->end_s - 120.0, 1e-9);
      g_assert_cmpstr (rr->magnitude_text, ==, ra->magnitude_text);
    }
  g_assert_cmpuint (n_in_range, >=, 1);
  g_assert_cmpuint (n_in_range, ==, truth_range->len);
}

/* The UCI number format, checked independently of the generator's formatter. */
static void
assert_number_format (GRegex     *regex,
                      const char *text,
                      gsize       len)
{
  g_autofree char *number = g_strndup (text, len);

  if (!g_regex_match (regex, number, 0, NULL))
    g_error ("“%s” is not a plain number with at most 3 decimals", number);
}

static void
test_layout (Fixture       *fx,
             gconstpointer  data)
{
  const guint n_cycles = 28;
  g_autofree char *dir = generate (fx, "layout", 0, n_cycles, 2);
  g_autoptr(GRegex) regex = g_regex_new ("^(0|[1-9][0-9]*)(\\.[0-9]{0,2}[1-9])?$", 0, 0, NULL);
  g_autoptr(GPtrArray) truth = read_truth (dir);
  g_autofree int *profile = read_profile (dir, n_cycles);
  static const int allowed[5][4] = {
    { 3, 20, 100, 3 }, { 100, 90, 80, 73 }, { 0, 1, 2, 0 }, { 130, 115, 100, 90 }, { 0, 1, 0, 1 },
  };

  for (VigilSensor s = 0; s < VIGIL_N_SENSORS; s++)
    {
      g_autofree char *text = read_sensor (dir, s);
      guint n_cols = vigil_sensor_get_info (s)->rate_hz * 60;
      guint lines = 0;
      guint cols = 1;
      const char *field = text;

      g_assert_cmpuint (n_cols, ==, vigil_sensor_samples_per_cycle (s));
      g_assert_true (g_str_has_suffix (text, "\n"));
      for (const char *p = text; *p != '\0'; p++)
        {
          if (*p != '\t' && *p != '\n')
            continue;
          assert_number_format (regex, field, p - field);
          field = p + 1;
          if (*p == '\n')
            {
              g_assert_cmpuint (cols, ==, n_cols);
              lines++;
              cols = 1;
            }
          else
            {
              cols++;
            }
        }
      g_assert_cmpuint (lines, ==, n_cycles);
    }

  for (guint r = 0; r < n_cycles; r++)
    {
      for (guint c = 0; c < 5; c++)
        {
          int v = profile[r * 5 + c];

          g_assert_true (v == allowed[c][0] || v == allowed[c][1] || v == allowed[c][2] ||
                         v == allowed[c][3]);
        }
    }

  /* Seed 2 overheats cycle 18 and sticks PS3 in cycle 27. */
  g_assert_cmpuint (truth->len, ==, 5);
  for (guint i = 0; i < truth->len; i++)
    {
      TruthRow *row = g_ptr_array_index (truth, i);

      g_assert_true (i == 0 || row->cycle >= ((TruthRow *) truth->pdata[i - 1])->cycle);
      g_assert_cmpuint (row->cycle, <, n_cycles);
      g_assert_true (g_str_equal (row->fault, "pressure_spike") ||
                     g_str_equal (row->fault, "overheating") ||
                     g_str_equal (row->fault, "stuck_sensor"));
      g_assert_cmpfloat (row->start_s, >=, row->cycle * 60.0);
      g_assert_cmpfloat (row->end_s, >, row->start_s);
      g_assert_cmpfloat (row->end_s, <=, (row->cycle + 1) * 60.0);
      assert_number_format (regex, row->magnitude_text, strlen (row->magnitude_text));
    }
  g_assert_cmpstr (((TruthRow *) truth->pdata[0])->fault, ==, "overheating");
  g_assert_cmpuint (((TruthRow *) truth->pdata[0])->cycle, ==, 18);
  g_assert_cmpstr (((TruthRow *) truth->pdata[4])->fault, ==, "stuck_sensor");
  g_assert_cmpuint (((TruthRow *) truth->pdata[4])->cycle, ==, 27);
}

/* Range of the per-cycle means of a real 1 Hz sensor over the cycles with the given cooler. */
static void
real_mean_range (VigilSensor  sensor,
                 int          cooler,
                 double      *out_min,
                 double      *out_max)
{
  const char *shared = g_getenv ("VIGIL_SHARED_DATA");
  g_autofree char *dir = NULL;
  g_autofree char *text = NULL;
  g_autofree int *profile = NULL;
  g_autofree double *values = NULL;
  const guint n_real = 1800;

  g_assert_nonnull (shared);
  dir = g_build_filename (shared, "hydraulic-uci", NULL);
  text = read_sensor (dir, sensor);
  profile = read_profile (dir, n_real);

  *out_min = INFINITY;
  *out_max = -INFINITY;
  values = parse_matrix (text, n_real, 60);
  for (guint r = 0; r < n_real; r++)
    {
      double mean = mean_of (values + r * 60, 60);

      if (profile[r * 5] != cooler)
        continue;
      *out_min = MIN (*out_min, mean);
      *out_max = MAX (*out_max, mean);
    }
  g_assert_true (*out_min < *out_max);
}

typedef struct
{
  char      *dir;
  guint      n_cycles;
  int       *profile;
  GPtrArray *truth;
} Excerpt;

static void
excerpt_load (Excerpt *ex,
              Fixture *fx,
              const char *name,
              guint    first_cycle,
              guint    n_cycles)
{
  ex->dir = generate (fx, name, first_cycle, n_cycles, 1);
  ex->n_cycles = n_cycles;
  ex->profile = read_profile (ex->dir, n_cycles);
  ex->truth = read_truth (ex->dir);
}

static void
excerpt_clear (Excerpt *ex)
{
  g_free (ex->dir);
  g_free (ex->profile);
  g_ptr_array_unref (ex->truth);
}

/* Overall mean, lowest and highest value of a sensor over the fault-free cycles. */
static void
excerpt_stats (Excerpt     *ex,
               VigilSensor  sensor,
               double      *sum,
               guint64     *count,
               double      *lowest,
               double      *highest)
{
  g_autofree char *text = read_sensor (ex->dir, sensor);
  guint n = vigil_sensor_samples_per_cycle (sensor);
  g_autofree double *values = parse_matrix (text, ex->n_cycles, n);

  for (guint c = 0; c < ex->n_cycles; c++)
    {
      const double *row = values + (gsize) c * n;
      double lo, hi;

      if (cycle_has_fault (ex->truth, c))
        continue;
      min_max_of (row, n, &lo, &hi);
      *sum += mean_of (row, n) * n;
      *count += n;
      *lowest = MIN (*lowest, lo);
      *highest = MAX (*highest, hi);
    }
}

static void
test_realism (Fixture       *fx,
              gconstpointer  data)
{
  /* The start of the seed-1 run (cooler 3 %, the oil warming up) and cycles 1560-1619 (cooler
   * 100 %): the real rig also sweeps the cooler in long blocks. */
  Excerpt ex[2];
  /* Overall means from PROVENANCE.md, with room for the conditions of 120 cycles. */
  static const struct { VigilSensor sensor; double mean_lo, mean_hi, lowest, highest; } high[] = {
    { VIGIL_SENSOR_PS1, 155.0, 172.0, 135.0, 205.0 },
    { VIGIL_SENSOR_PS2, 100.0, 125.0, 0.0, 175.0 },
    { VIGIL_SENSOR_PS3, 0.6, 1.8, 0.0, 16.0 },
    { VIGIL_SENSOR_PS5, 8.5, 9.5, 8.0, 10.0 },
    { VIGIL_SENSOR_PS6, 8.0, 9.0, 7.5, 9.5 },
    { VIGIL_SENSOR_EPS1, 2450.0, 2720.0, 2100.0, 3300.0 },
    { VIGIL_SENSOR_FS1, 3.0, 8.0, 0.0, 30.0 },
    { VIGIL_SENSOR_FS2, 9.0, 11.0, 8.5, 11.5 },
  };
  double ts1[3] = { 0 }, ce[3] = { 0 };
  guint n_by_cooler[3] = { 0 };
  guint64 ps4_zero = 0, ps4_all = 0;

  excerpt_load (&ex[0], fx, "start", 0, 60);
  excerpt_load (&ex[1], fx, "late", 1560, 60);

  for (VigilSensor s = VIGIL_SENSOR_TS1; s <= VIGIL_SENSOR_SE; s++)
    {
      double real_lo[2], real_hi[2];

      real_mean_range (s, 3, &real_lo[0], &real_hi[0]);
      real_mean_range (s, 100, &real_lo[1], &real_hi[1]);

      for (guint e = 0; e < 2; e++)
        {
          g_autofree char *text = read_sensor (ex[e].dir, s);
          g_autofree double *values = parse_matrix (text, ex[e].n_cycles, 60);

          for (guint c = 0; c < ex[e].n_cycles; c++)
            {
              const double *row = values + c * 60;
              int cooler = ex[e].profile[c * 5];
              guint gi = cooler == 3 ? 0 : cooler == 20 ? 1 : 2;
              double mean = mean_of (row, 60);
              double margin = 0.05 * (real_hi[e] - real_lo[e]);

              /* The start is all cooler 3 %, the late excerpt all 100 %. */
              g_assert_cmpint (cooler, ==, e == 0 ? 3 : 100);

              if (s == VIGIL_SENSOR_SE)
                {
                  g_assert_cmpfloat (row[0], >, 0);
                  for (guint i = 1; i <= 8; i++)
                    g_assert_cmpfloat (row[i], ==, 0);
                }

              if (cycle_has_fault (ex[e].truth, c))
                continue;

              g_assert_cmpfloat (mean, >=, real_lo[e] - margin);
              g_assert_cmpfloat (mean, <=, real_hi[e] + margin);
              if (s <= VIGIL_SENSOR_TS4)
                {
                  for (guint i = 0; i < 60; i++)
                    g_assert_cmpfloat (row[i], <=, 75.0);
                }
              if (s == VIGIL_SENSOR_TS1)
                {
                  ts1[gi] += mean;
                  n_by_cooler[gi]++;
                }
              if (s == VIGIL_SENSOR_CE)
                ce[gi] += mean;
            }
        }
    }

  /* A failing cooler heats the oil and cools less (real: 55.0 vs 36.0 °C, CE 19.6 vs 46.9 %). */
  g_assert_cmpuint (n_by_cooler[0], >, 40);
  g_assert_cmpuint (n_by_cooler[2], >, 40);
  g_assert_cmpfloat (ts1[0] / n_by_cooler[0], >, ts1[2] / n_by_cooler[2] + 5.0);
  g_assert_cmpfloat (ce[0] / n_by_cooler[0], <, ce[2] / n_by_cooler[2] - 15.0);

  for (guint h = 0; h < G_N_ELEMENTS (high); h++)
    {
      double sum = 0, lowest = INFINITY, highest = -INFINITY;
      guint64 count = 0;

      for (guint e = 0; e < 2; e++)
        excerpt_stats (&ex[e], high[h].sensor, &sum, &count, &lowest, &highest);
      g_test_message ("%s: mean %.3f, %.3f to %.3f", vigil_sensor_get_info (high[h].sensor)->name,
                      sum / count, lowest, highest);
      g_assert_cmpfloat (sum / count, >=, high[h].mean_lo);
      g_assert_cmpfloat (sum / count, <=, high[h].mean_hi);
      g_assert_cmpfloat (lowest, >=, high[h].lowest);
      g_assert_cmpfloat (highest, <=, high[h].highest);
    }

  /* PS4 reads 0 while the valve switches cleanly, as in these warm-up cycles. */
  for (guint e = 0; e < 2; e++)
    {
      g_autofree char *text = read_sensor (ex[e].dir, VIGIL_SENSOR_PS4);
      g_autofree double *values = parse_matrix (text, ex[e].n_cycles, 6000);

      for (guint c = 0; c < ex[e].n_cycles; c++)
        {
          const double *row = values + (gsize) c * 6000;

          if (cycle_has_fault (ex[e].truth, c))
            continue;
          for (guint i = 0; i < 6000; i++)
            ps4_zero += row[i] == 0;
          ps4_all += 6000;
        }
    }
  g_assert_cmpuint (ps4_zero, ==, ps4_all);

  excerpt_clear (&ex[0]);
  excerpt_clear (&ex[1]);
}

static double *
read_matrix (const char  *dir,
             VigilSensor  sensor,
             guint        n_rows)
{
  g_autofree char *text = read_sensor (dir, sensor);

  return parse_matrix (text, n_rows, vigil_sensor_samples_per_cycle (sensor));
}

/* Index of the first PS2 sample above 50 bar after 9 s: when the valve lets the load on. */
static guint
load_onset (const double *ps2)
{
  for (guint i = 900; i < 2000; i++)
    {
      if (ps2[i] > 50.0)
        return i;
    }
  g_assert_not_reached ();
}

static void
test_conditions (Fixture       *fx,
                 gconstpointer  data)
{
  /* Cycles 186-329 of the seed-1 run sweep pump leakage and valve lag at cooler 3 %. */
  Excerpt ex;
  g_autofree double *fs1 = NULL;
  g_autofree double *se = NULL;
  g_autofree double *ps2 = NULL;
  double fs1_by_pump[3] = { 0 }, se_by_pump[3] = { 0 };
  double se_start[2] = { 0 }, onset[2] = { 0 };
  guint n_pump[3] = { 0 }, n_valve[2] = { 0 };

  excerpt_load (&ex, fx, "sweep", 186, 144);
  fs1 = read_matrix (ex.dir, VIGIL_SENSOR_FS1, ex.n_cycles);
  se = read_matrix (ex.dir, VIGIL_SENSOR_SE, ex.n_cycles);
  ps2 = read_matrix (ex.dir, VIGIL_SENSOR_PS2, ex.n_cycles);

  for (guint c = 0; c < ex.n_cycles; c++)
    {
      const double *fs1_row = fs1 + c * 600;
      const double *se_row = se + c * 60;
      const double *ps2_row = ps2 + (gsize) c * 6000;
      int valve = ex.profile[c * 5 + 1];
      int pump = ex.profile[c * 5 + 2];

      if (cycle_has_fault (ex.truth, c) || ex.profile[c * 5 + 4] != 0)
        continue;
      fs1_by_pump[pump] += mean_of (fs1_row, 600);
      se_by_pump[pump] += mean_of (se_row, 60);
      n_pump[pump]++;
      if (valve == 100 || valve == 73)
        {
          guint v = valve == 100 ? 0 : 1;

          se_start[v] += se_row[9];
          onset[v] += load_onset (ps2_row);
          n_valve[v]++;
        }
    }

  for (guint p = 0; p < 3; p++)
    g_assert_cmpuint (n_pump[p], >=, 20);
  g_assert_cmpuint (n_valve[0], >=, 10);
  g_assert_cmpuint (n_valve[1], >=, 10);

  /* Internal leakage loses flow and efficiency. */
  g_assert_cmpfloat (fs1_by_pump[0] / n_pump[0], >, fs1_by_pump[1] / n_pump[1]);
  g_assert_cmpfloat (fs1_by_pump[1] / n_pump[1], >, fs1_by_pump[2] / n_pump[2]);
  g_assert_cmpfloat (se_by_pump[0] / n_pump[0], >, se_by_pump[2] / n_pump[2] + 1.0);
  /* A valve near failure switches late and wastes the start of the load (real SE at 9 s:
   * 65 % at valve 100 %, 32 % at 73 %). */
  g_assert_cmpfloat (onset[1] / n_valve[1], >, onset[0] / n_valve[0] + 15.0);
  g_assert_cmpfloat (se_start[1] / n_valve[1], <, se_start[0] / n_valve[0] - 20.0);

  excerpt_clear (&ex);
}

/* Mean of a sensor over the nearest cycle without a fault: the level before it overheated. */
static double
neighbour_mean (const char *text,
                GPtrArray  *truth,
                guint       cycle,
                guint       n_cycles)
{
  for (guint d = 1; d < n_cycles; d++)
    {
      for (int sign = -1; sign <= 1; sign += 2)
        {
          gint64 c = (gint64) cycle + sign * (gint64) d;

          if (c >= 0 && c < n_cycles && !cycle_has_fault (truth, (guint) c))
            {
              g_autofree double *row = parse_row (text, (guint) c, 60);

              return mean_of (row, 60);
            }
        }
    }
  g_assert_not_reached ();
}

static void
test_ground_truth (Fixture       *fx,
                   gconstpointer  data)
{
  const guint n_cycles = 130;
  g_autofree char *dir = generate (fx, "faults", 0, n_cycles, 1);
  g_autoptr(GPtrArray) truth = read_truth (dir);
  char *texts[VIGIL_N_SENSORS] = { NULL };
  guint n_spike = 0, n_heat = 0, n_stuck = 0;

  for (VigilSensor s = 0; s < VIGIL_N_SENSORS; s++)
    texts[s] = read_sensor (dir, s);

  for (guint i = 0; i < truth->len; i++)
    {
      TruthRow *row = g_ptr_array_index (truth, i);
      const VigilSensorInfo *info = vigil_sensor_get_info (row->sensor);
      guint n = vigil_sensor_samples_per_cycle (row->sensor);
      double cycle_start = row->cycle * 60.0;
      guint first = (guint) lround ((row->start_s - cycle_start) * info->rate_hz);
      guint end = (guint) lround ((row->end_s - cycle_start) * info->rate_hz);
      g_autofree double *values = parse_row (texts[row->sensor], row->cycle, n);
      double lo, hi, span_lo, span_hi;

      g_assert_cmpuint (first, <, end);
      g_assert_cmpuint (end, <=, n);
      min_max_of (values, n, &lo, &hi);
      min_max_of (values + first, end - first, &span_lo, &span_hi);

      if (g_str_equal (row->fault, "pressure_spike"))
        {
          n_spike++;
          g_assert_cmpint (info->family, ==, VIGIL_FAMILY_PRESSURE);
          g_assert_cmpfloat (row->magnitude, >=, 60.0);
          g_assert_cmpfloat (row->magnitude, <=, 120.0);
          g_assert_cmpfloat (row->end_s - row->start_s, >=, 0.05 - 1e-9);
          g_assert_cmpfloat (row->end_s - row->start_s, <=, 0.5 + 1e-9);
          g_assert_cmpfloat (hi - lo, >, 50.0);
          g_assert_cmpfloat (span_hi, >=, row->magnitude - 0.5);
        }
      else if (g_str_equal (row->fault, "overheating"))
        {
          double before = neighbour_mean (texts[row->sensor], truth, row->cycle, n_cycles);

          n_heat++;
          g_assert_cmpint (info->family, ==, VIGIL_FAMILY_TEMPERATURE);
          g_assert_cmpuint (end - first, >=, 10);
          g_assert_cmpfloat (span_hi, >, 60.0);
          g_assert_cmpfloat (span_hi, >=, before + row->magnitude - 2.0);
        }
      else
        {
          g_assert_cmpstr (row->fault, ==, "stuck_sensor");
          n_stuck++;
          g_assert_cmpuint (end - first, >=, 10 * info->rate_hz);
          g_assert_cmpuint (end - first, <=, 60 * info->rate_hz);
          for (guint j = first; j < end; j++)
            g_assert_cmpfloat (values[j], ==, row->magnitude);
        }
    }

  /* Seed 1 injects all three kinds in its first 130 cycles; overheating lists TS1-TS4. */
  g_assert_cmpuint (n_spike, >=, 1);
  g_assert_cmpuint (n_stuck, >=, 1);
  g_assert_cmpuint (n_heat, >=, 4);
  g_assert_cmpuint (n_heat % 4, ==, 0);

  for (VigilSensor s = 0; s < VIGIL_N_SENSORS; s++)
    g_free (texts[s]);
}

static void
test_errors (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *file = g_build_filename (fx->dir, "a-file", NULL);
  g_autofree char *below_file = g_build_filename (file, "out", NULL);
  g_autofree char *cancelled = g_build_filename (fx->dir, "cancelled", NULL);
  g_autoptr(GDir) left = NULL;

  g_assert_false (vigil_hydraulic_generate (fx->dir, 0, 1, NULL, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (vigil_hydraulic_generate_range (fx->dir, VIGIL_HYDRAULIC_MAX_CYCLES - 1, 2, 1,
                                                  NULL, NULL, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (file, "not a directory", -1, NULL));
  g_assert_false (vigil_hydraulic_generate (below_file, 1, 1, NULL, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, below_file));
  g_clear_error (&error);

  g_assert_true (g_mkdir_with_parents (cancelled, 0755) == 0);
  g_cancellable_cancel (cancellable);
  g_assert_false (vigil_hydraulic_generate (cancelled, 3, 1, cancellable, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_CANCELLED);
  left = g_dir_open (cancelled, 0, NULL);
  g_assert_null (g_dir_read_name (left));
}

static void
run_cli (const char * const  *args,
         int                  expected_status,
         char               **out_stdout,
         char               **out_stderr)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *cli = g_getenv ("VIGIL_CLI");
  g_autofree char *built = g_test_build_filename (G_TEST_BUILT, "..", "src", "cli", "vigil-cli",
                                                  NULL);
  int status = 0;

  g_ptr_array_add (argv, (gpointer) (cli != NULL ? cli : built));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out_stdout,
                out_stderr, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, expected_status);
}

static void
test_cli (Fixture       *fx,
          gconstpointer  data)
{
  g_autofree char *out = g_build_filename (fx->dir, "cli", "nested", NULL);
  g_autofree char *lib = generate (fx, "lib", 0, 3, 9);
  g_autofree char *expected = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  g_autoptr(GPtrArray) truth = read_truth (lib);
  const char *generate_args[] = {
    "generate", "hydraulic", "--out", out, "--cycles", "3", "--seed", "9", NULL,
  };
  const char *unknown_args[] = { "generate", "pedestrians", "--out", out, NULL };
  const char *zero_args[] = { "generate", "hydraulic", "--out", out, "--cycles", "0", NULL };
  const char *help_args[] = { "generate", "--help", NULL };

  run_cli (generate_args, 0, &stdout_text, &stderr_text);
  expected = g_strdup_printf ("generated 3 cycles of 17 sensors in %s (%u faults, ground truth in "
                              "%s/ground-truth.csv)\n", out, truth->len, out);
  g_assert_cmpstr (stdout_text, ==, expected);
  for (guint i = 0; i < G_N_ELEMENTS (all_files); i++)
    {
      g_autofree char *a = read_text (lib, all_files[i]);
      g_autofree char *b = read_text (out, all_files[i]);

      g_assert_cmpstr (a, ==, b);
    }
  g_clear_pointer (&stdout_text, g_free);
  g_clear_pointer (&stderr_text, g_free);

  /* Traffic cameras are generate's other kind (tested by test-traffic-generator); anything
   * else is refused by name. */
  run_cli (unknown_args, 2, &stdout_text, &stderr_text);
  g_assert_nonnull (strstr (stderr_text, "pedestrians"));
  g_clear_pointer (&stdout_text, g_free);
  g_clear_pointer (&stderr_text, g_free);

  run_cli (zero_args, 2, &stdout_text, &stderr_text);
  g_assert_true (g_str_has_prefix (stderr_text, "vigil-cli generate: "));
  g_clear_pointer (&stdout_text, g_free);
  g_clear_pointer (&stderr_text, g_free);

  run_cli (help_args, 0, &stdout_text, &stderr_text);
  g_assert_nonnull (strstr (stdout_text, "profile.txt"));
  g_assert_nonnull (strstr (stdout_text, "--seed"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/generator/determinism", Fixture, NULL,
              fixture_set_up, test_determinism, fixture_tear_down);
  g_test_add ("/engine/generator/layout", Fixture, NULL,
              fixture_set_up, test_layout, fixture_tear_down);
  g_test_add ("/engine/generator/realism", Fixture, NULL,
              fixture_set_up, test_realism, fixture_tear_down);
  g_test_add ("/engine/generator/conditions", Fixture, NULL,
              fixture_set_up, test_conditions, fixture_tear_down);
  g_test_add ("/engine/generator/ground-truth", Fixture, NULL,
              fixture_set_up, test_ground_truth, fixture_tear_down);
  g_test_add ("/engine/generator/errors", Fixture, NULL,
              fixture_set_up, test_errors, fixture_tear_down);
  g_test_add ("/engine/generator/cli", Fixture, NULL,
              fixture_set_up, test_cli, fixture_tear_down);

  return g_test_run ();
}
