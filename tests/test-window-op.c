/* test-window-op.c
 *
 * Event-time windows against an independent brute-force computation, and the watermark's
 * handling of out-of-order and late records written out by hand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil-error.h"
#include "vigil-records.h"
#include "vigil-time.h"
#include "vigil-window-op.h"

#define S(x) ((gint64) ((x) * 1000000.0))

typedef struct
{
  gint64 t;
  double v;
} Sample;

/* Brute force: for every aligned window start that can hold a sample, scan every sample.
 * Mean and variance in two passes in long double. */
static GArray *
reference_windows (const Sample *samples,
                   gsize         n,
                   gint64        window,
                   gint64        slide,
                   guint         key)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));
  gint64 tmin = G_MAXINT64, tmax = G_MININT64;

  for (gsize i = 0; i < n; i++)
    {
      tmin = MIN (tmin, samples[i].t);
      tmax = MAX (tmax, samples[i].t);
    }

  for (gint64 s = vigil_floor_div (tmin - window, slide) * slide + slide; s <= tmax; s += slide)
    {
      long double sum = 0, m2 = 0, mean;
      double mn = INFINITY, mx = -INFINITY;
      guint64 count = 0;
      VigilWindowStats w = { 0 };

      for (gsize i = 0; i < n; i++)
        if (samples[i].t >= s && samples[i].t < s + window)
          {
            sum += samples[i].v;
            count++;
            mn = MIN (mn, samples[i].v);
            mx = MAX (mx, samples[i].v);
          }
      if (count == 0)
        continue;
      mean = sum / count;
      for (gsize i = 0; i < n; i++)
        if (samples[i].t >= s && samples[i].t < s + window)
          m2 += (samples[i].v - mean) * (samples[i].v - mean);

      w.key = key;
      w.start_us = s;
      w.end_us = s + window;
      w.count = count;
      w.avg = (double) mean;
      w.min = mn;
      w.max = mx;
      w.stddev = count >= 2 ? (double) sqrtl (m2 / (count - 1)) : NAN;
      w.range = mx - mn;
      g_array_append_val (out, w);
    }

  return out;
}

static void
assert_close (double a,
              double b,
              double rel)
{
  if (isnan (a) || isnan (b))
    {
      g_assert_true (isnan (a) && isnan (b));
      return;
    }
  g_assert_cmpfloat_with_epsilon (a, b, rel * MAX (1.0, fabs (b)));
}

static void
assert_windows_equal (GArray *got,
                      GArray *expected,
                      double  rel)
{
  g_assert_cmpuint (got->len, ==, expected->len);

  for (guint i = 0; i < got->len; i++)
    {
      const VigilWindowStats *a = &g_array_index (got, VigilWindowStats, i);
      const VigilWindowStats *b = &g_array_index (expected, VigilWindowStats, i);

      g_assert_cmpuint (a->key, ==, b->key);
      g_assert_cmpint (a->start_us, ==, b->start_us);
      g_assert_cmpint (a->end_us, ==, b->end_us);
      g_assert_cmpuint (a->count, ==, b->count);
      g_assert_cmpfloat (a->min, ==, b->min);
      g_assert_cmpfloat (a->max, ==, b->max);
      g_assert_cmpfloat (a->range, ==, b->range);
      assert_close (a->avg, b->avg, rel);
      assert_close (a->stddev, b->stddev, rel);
    }
}

/* Reads a real 1 Hz UCI file with the C library, apart from Vigil's reader. */
static GArray *
load_real_1hz (const char *sensor,
               guint       max_cycles,
               gint64      start)
{
  const char *data_dir = g_getenv ("VIGIL_SHARED_DATA");
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GArray *samples = g_array_new (FALSE, FALSE, sizeof (Sample));

  g_assert_nonnull (data_dir);
  path = g_strdup_printf ("%s/hydraulic-uci/%s.txt", data_dir, sensor);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);

  for (guint k = 0; lines[k] != NULL && lines[k][0] != '\0' && k < max_cycles; k++)
    {
      char *p = lines[k];

      for (guint i = 0; i < 60; i++)
        {
          Sample s = { .t = start + (gint64) k * 60000000 + (gint64) i * 1000000 };

          s.v = strtod (p, &p);
          g_array_append_val (samples, s);
        }
    }

  return samples;
}

static void
test_real_data (void)
{
  const char *sensors[] = { "TS1", "CE", "CP", "SE", "VS1" };
  struct { gint64 window, slide, lateness; } configs[] = {
    { S (60), S (10), S (10) },   /* the defaults */
    { S (60), S (60), S (0) },    /* tumbling */
    { S (25), S (10), S (3) },    /* slide does not divide the window */
    { S (7.5), S (2.5), S (1) },
  };

  for (guint c = 0; c < G_N_ELEMENTS (configs); c++)
    for (guint si = 0; si < G_N_ELEMENTS (sensors); si++)
      {
        g_autoptr(GArray) samples = load_real_1hz (sensors[si], 120, VIGIL_DEFAULT_START_US);
        g_autoptr(GArray) expected = NULL;
        g_autoptr(GArray) got = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));
        g_autoptr(GArray) late = g_array_new (FALSE, FALSE, sizeof (VigilLateRecord));
        g_autoptr(VigilWindowOp) op = NULL;
        g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));

        g_assert_cmpuint (samples->len, ==, 120 * 60);
        expected = reference_windows ((Sample *) samples->data, samples->len, configs[c].window,
                                      configs[c].slide, 3);

        op = vigil_window_op_new (configs[c].window, configs[c].slide, configs[c].lateness, 4,
                                  NULL);
        g_assert_nonnull (op);
        /* A cycle at a time, as the replay feeds it. */
        for (guint k = 0; k < 120; k++)
          {
            const Sample *row = &g_array_index (samples, Sample, k * 60);

            g_array_set_size (values, 0);
            for (guint i = 0; i < 60; i++)
              g_array_append_val (values, row[i].v);
            vigil_window_op_push_run (op, 3, row[0].t, S (1), (double *) values->data, 60, got,
                                      late);
          }
        vigil_window_op_flush (op, got);

        g_assert_cmpuint (late->len, ==, 0);
        assert_windows_equal (got, expected, 1e-12);
      }
}

/* Every statistic by hand for a small out-of-order stream with a late record. */
static void
test_late_and_out_of_order (void)
{
  g_autoptr(VigilWindowOp) op = vigil_window_op_new (S (60), S (10), S (10), 2, NULL);
  g_autoptr(GArray) w = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));
  g_autoptr(GArray) late = g_array_new (FALSE, FALSE, sizeof (VigilLateRecord));
  const VigilWindowStats *x;
  const VigilLateRecord *l;

  vigil_window_op_push (op, 1, S (100), 1.0, w, late);
  g_assert_cmpint (vigil_window_op_get_watermark (op, 1), ==, S (90));
  g_assert_cmpint (vigil_window_op_get_watermark (op, 0), ==, G_MININT64);
  vigil_window_op_push (op, 1, S (95), 2.0, w, late);     /* out of order, within lateness */
  g_assert_cmpuint (w->len, ==, 0);

  vigil_window_op_push (op, 1, S (200), 4.0, w, late);    /* watermark 190 */
  /* Windows ending at or before 190 holding 95 or 100: starts 40, 50, ..., 100. */
  g_assert_cmpuint (w->len, ==, 7);
  x = &g_array_index (w, VigilWindowStats, 0);
  g_assert_cmpint (x->start_us, ==, S (40));
  g_assert_cmpint (x->end_us, ==, S (100));
  g_assert_cmpuint (x->count, ==, 1);
  g_assert_cmpfloat (x->avg, ==, 2.0);
  g_assert_true (isnan (x->stddev));
  g_assert_cmpfloat (x->range, ==, 0.0);
  for (guint i = 1; i < 6; i++)
    {
      x = &g_array_index (w, VigilWindowStats, i);
      g_assert_cmpint (x->start_us, ==, S (40 + 10 * i));
      g_assert_cmpuint (x->count, ==, 2);
      g_assert_cmpfloat (x->avg, ==, 1.5);
      g_assert_cmpfloat (x->min, ==, 1.0);
      g_assert_cmpfloat (x->max, ==, 2.0);
      g_assert_cmpfloat_with_epsilon (x->stddev, sqrt (0.5), 1e-15);
      g_assert_cmpfloat (x->range, ==, 1.0);
    }
  x = &g_array_index (w, VigilWindowStats, 6);
  g_assert_cmpint (x->start_us, ==, S (100));
  g_assert_cmpuint (x->count, ==, 1);
  g_assert_cmpfloat (x->avg, ==, 1.0);

  /* 105 belongs only to windows that already closed: late, kept with the watermark. */
  vigil_window_op_push (op, 1, S (105), 8.0, w, late);
  g_assert_cmpuint (late->len, ==, 1);
  l = &g_array_index (late, VigilLateRecord, 0);
  g_assert_cmpuint (l->key, ==, 1);
  g_assert_cmpuint (l->seq, ==, 0);
  g_assert_cmpint (l->event_us, ==, S (105));
  g_assert_cmpint (l->watermark_us, ==, S (190));
  g_assert_cmpfloat (l->value, ==, 8.0);
  g_assert_cmpuint (vigil_window_op_get_late_count (op, 1), ==, 1);

  /* 185 is out of order but still counts in the windows that are open (starts 140-180);
   * [130, 190) had closed, so it misses that one. */
  vigil_window_op_push (op, 1, S (185), 16.0, w, late);
  g_assert_cmpuint (late->len, ==, 1);
  g_assert_cmpuint (w->len, ==, 7);

  g_array_set_size (w, 0);
  vigil_window_op_flush (op, w);
  /* Starts 140 ... 200: 140 {185}, 150-180 {185, 200}, 190 {200}, 200 {200}. */
  g_assert_cmpuint (w->len, ==, 7);
  x = &g_array_index (w, VigilWindowStats, 0);
  g_assert_cmpint (x->start_us, ==, S (140));
  g_assert_cmpuint (x->count, ==, 1);
  g_assert_cmpfloat (x->avg, ==, 16.0);
  for (guint i = 1; i < 5; i++)
    {
      x = &g_array_index (w, VigilWindowStats, i);
      g_assert_cmpint (x->start_us, ==, S (140 + 10 * i));
      g_assert_cmpuint (x->count, ==, 2);
      g_assert_cmpfloat (x->avg, ==, 10.0);
      g_assert_cmpfloat (x->range, ==, 12.0);
      g_assert_cmpfloat_with_epsilon (x->stddev, sqrt (72.0), 1e-13);
    }
  x = &g_array_index (w, VigilWindowStats, 6);
  g_assert_cmpint (x->start_us, ==, S (200));
  g_assert_cmpint (x->end_us, ==, S (260));
  g_assert_cmpuint (x->count, ==, 1);

  /* After the end of the stream everything is late. */
  vigil_window_op_push (op, 1, S (250), 1.0, w, late);
  g_assert_cmpuint (late->len, ==, 2);
  g_assert_cmpuint (g_array_index (late, VigilLateRecord, 1).seq, ==, 1);
}

/* The watermark moves on without data: windows close, in order, exactly once. */
static void
test_watermark_advance (void)
{
  g_autoptr(VigilWindowOp) op = vigil_window_op_new (S (20), S (10), S (5), 1, NULL);
  g_autoptr(GArray) w = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));
  g_autoptr(GArray) late = g_array_new (FALSE, FALSE, sizeof (VigilLateRecord));

  vigil_window_op_push (op, 0, S (12), 3.0, w, late);
  vigil_window_op_push (op, 0, S (14), 5.0, w, late);
  g_assert_cmpuint (w->len, ==, 0);

  vigil_window_op_advance (op, 0, S (20), w);           /* closes [0, 20) */
  g_assert_cmpuint (w->len, ==, 1);
  g_assert_cmpint (g_array_index (w, VigilWindowStats, 0).start_us, ==, 0);
  g_assert_cmpfloat (g_array_index (w, VigilWindowStats, 0).avg, ==, 4.0);

  vigil_window_op_advance (op, 0, S (15), w);           /* never backwards */
  vigil_window_op_advance (op, 0, S (29), w);
  g_assert_cmpuint (w->len, ==, 1);
  vigil_window_op_advance (op, 0, S (30), w);           /* closes [10, 30) */
  g_assert_cmpuint (w->len, ==, 2);
  g_assert_cmpint (g_array_index (w, VigilWindowStats, 1).start_us, ==, S (10));
  vigil_window_op_flush (op, w);
  g_assert_cmpuint (w->len, ==, 2);
}

/* Long gaps (a source that stops for a day) need no memory in between. */
static void
test_gap (void)
{
  g_autoptr(VigilWindowOp) op = vigil_window_op_new (S (60), S (10), S (10), 1, NULL);
  g_autoptr(GArray) w = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));

  vigil_window_op_push (op, 0, S (0), 1.0, w, NULL);
  vigil_window_op_push (op, 0, S (86400), 2.0, w, NULL);
  g_assert_cmpuint (w->len, ==, 6);   /* starts -50 ... 0 */
  g_assert_cmpint (g_array_index (w, VigilWindowStats, 0).start_us, ==, S (-50));
  vigil_window_op_flush (op, w);
  g_assert_cmpuint (w->len, ==, 12);
  g_assert_cmpint (g_array_index (w, VigilWindowStats, 6).start_us, ==, S (86350));
}

/* PS1 and EPS1 sit far from zero; shifted sums keep the variance. Here 1e9 + tiny noise. */
static void
test_stability (void)
{
  g_autoptr(VigilWindowOp) op = vigil_window_op_new (S (10), S (10), 0, 1, NULL);
  g_autoptr(GArray) w = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));
  double values[1000];
  long double mean = 0, m2 = 0;
  guint32 state = 12345;

  for (guint i = 0; i < 1000; i++)
    {
      state = state * 1664525u + 1013904223u;
      values[i] = 1e9 + (state >> 8) / 16777216.0 * 0.01;
      mean += values[i];
    }
  mean /= 1000;
  for (guint i = 0; i < 1000; i++)
    m2 += (values[i] - mean) * (values[i] - mean);

  /* Two panes of different shifts merged, then one whole window. */
  vigil_window_op_push_run (op, 0, 0, S (0.01), values, 1000, w, NULL);
  vigil_window_op_flush (op, w);
  g_assert_cmpuint (w->len, ==, 1);
  g_assert_cmpuint (g_array_index (w, VigilWindowStats, 0).count, ==, 1000);
  assert_close (g_array_index (w, VigilWindowStats, 0).stddev, (double) sqrtl (m2 / 999), 1e-6);
  assert_close (g_array_index (w, VigilWindowStats, 0).avg, (double) mean, 1e-15);
}

/* push_run must give what pushing one record at a time gives, overlaps included. */
static void
test_run_equals_single (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  guint total_late = 0;

  for (guint round = 0; round < 20; round++)
    {
      g_autoptr(VigilWindowOp) a = vigil_window_op_new (S (6), S (2), S (1), 2, NULL);
      g_autoptr(VigilWindowOp) b = vigil_window_op_new (S (6), S (2), S (1), 2, NULL);
      g_autoptr(GArray) wa = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));
      g_autoptr(GArray) wb = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));
      g_autoptr(GArray) la = g_array_new (FALSE, FALSE, sizeof (VigilLateRecord));
      g_autoptr(GArray) lb = g_array_new (FALSE, FALSE, sizeof (VigilLateRecord));
      gint64 t = 0;

      for (guint run = 0; run < 30; run++)
        {
          double v[50];
          gsize n = (gsize) g_rand_int_range (rand, 1, 50);
          gint64 dt = S (0.01) * g_rand_int_range (rand, 1, 40);
          guint key = (guint) g_rand_int_range (rand, 0, 2);

          /* Sometimes step back into time already seen. */
          t += S (0.01) * g_rand_int_range (rand, -300, 300);
          for (gsize i = 0; i < n; i++)
            v[i] = g_rand_double_range (rand, 100, 200);

          vigil_window_op_push_run (a, key, t, dt, v, n, wa, la);
          for (gsize i = 0; i < n; i++)
            vigil_window_op_push (b, key, t + (gint64) i * dt, v[i], wb, lb);
        }
      vigil_window_op_flush (a, wa);
      vigil_window_op_flush (b, wb);

      g_assert_cmpuint (la->len, ==, lb->len);
      total_late += la->len;
      for (guint i = 0; i < la->len; i++)
        {
          const VigilLateRecord *x = &g_array_index (la, VigilLateRecord, i);
          const VigilLateRecord *y = &g_array_index (lb, VigilLateRecord, i);

          g_assert_cmpuint (x->key, ==, y->key);
          g_assert_cmpuint (x->seq, ==, y->seq);
          g_assert_cmpint (x->event_us, ==, y->event_us);
          g_assert_cmpint (x->watermark_us, ==, y->watermark_us);
          g_assert_cmpfloat (x->value, ==, y->value);
        }
      assert_windows_equal (wa, wb, 1e-9);
    }

  /* The streams above must really have stepped back past the watermark. */
  g_assert_cmpuint (total_late, >, 20);
}

/* After advance() the watermark can be ahead of the newest record: a run that starts
 * after that record but before the watermark is late where it must be. */
static void
test_run_after_advance (void)
{
  g_autoptr(VigilWindowOp) op = vigil_window_op_new (S (10), S (10), S (0), 1, NULL);
  g_autoptr(GArray) w = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));
  g_autoptr(GArray) late = g_array_new (FALSE, FALSE, sizeof (VigilLateRecord));
  const double v[4] = { 1, 2, 3, 4 };

  vigil_window_op_push (op, 0, S (1), 0.5, w, late);
  vigil_window_op_advance (op, 0, S (20), w);          /* closes [0, 10) and [10, 20) */
  g_assert_cmpuint (w->len, ==, 1);
  /* 15, 18 fall in the closed [10, 20); 21, 24 in the open [20, 30). */
  vigil_window_op_push_run (op, 0, S (15), S (3), v, 4, w, late);
  g_assert_cmpuint (late->len, ==, 2);
  g_assert_cmpint (g_array_index (late, VigilLateRecord, 0).event_us, ==, S (15));
  g_assert_cmpint (g_array_index (late, VigilLateRecord, 1).event_us, ==, S (18));
  vigil_window_op_flush (op, w);
  g_assert_cmpuint (w->len, ==, 2);
  g_assert_cmpint (g_array_index (w, VigilWindowStats, 1).start_us, ==, S (20));
  g_assert_cmpuint (g_array_index (w, VigilWindowStats, 1).count, ==, 2);
  g_assert_cmpfloat (g_array_index (w, VigilWindowStats, 1).avg, ==, 3.5);
}

static void
test_bad_settings (void)
{
  struct { gint64 window, slide, lateness; } bad[] = {
    { 0, S (1), 0 }, { S (10), 0, 0 }, { S (10), S (20), 0 }, { S (10), S (5), -1 },
    { S (3600), 1, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      VigilWindowOp *op = vigil_window_op_new (bad[i].window, bad[i].slide, bad[i].lateness, 1,
                                               &error);

      g_assert_null (op);
      g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/window/real-data", test_real_data);
  g_test_add_func ("/engine/window/late-records", test_late_and_out_of_order);
  g_test_add_func ("/engine/window/watermark-advance", test_watermark_advance);
  g_test_add_func ("/engine/window/gap", test_gap);
  g_test_add_func ("/engine/window/stability", test_stability);
  g_test_add_func ("/engine/window/run-equals-single", test_run_equals_single);
  g_test_add_func ("/engine/window/run-after-advance", test_run_after_advance);
  g_test_add_func ("/engine/window/bad-settings", test_bad_settings);

  return g_test_run ();
}
