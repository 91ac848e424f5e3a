/* test-series.c
 *
 * The chart series: decimation against a brute-force scan of every sample on random data,
 * retention, lookup, refusal of samples that go back in time, and real writer and reader
 * threads sharing series.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "vigil-series.h"

#define CHUNK VIGIL_SERIES_CHUNK_SAMPLES

typedef struct
{
  GArray *times;    /* gint64: every sample kept, in order */
  GArray *values;   /* float: as the series keeps them */
} Reference;

static void
reference_init (Reference *ref)
{
  ref->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  ref->values = g_array_new (FALSE, FALSE, sizeof (float));
}

static void
reference_clear (Reference *ref)
{
  g_array_unref (ref->times);
  g_array_unref (ref->values);
}

static void
reference_add (Reference *ref,
               gint64     t,
               double     v)
{
  float f = (float) v;

  g_array_append_val (ref->times, t);
  g_array_append_val (ref->values, f);
}

/* Brute force: the column of every sample in range is floor((t - from) * n / (to - from)),
 * in 128-bit arithmetic; NAN values are ignored. */
static gsize
reference_decimate (const Reference *ref,
                    gint64           from,
                    gint64           to,
                    guint            n,
                    float           *mn,
                    float           *mx)
{
  gsize count = 0;

  for (guint c = 0; c < n; c++)
    {
      mn[c] = INFINITY;
      mx[c] = -INFINITY;
    }

  for (guint i = 0; i < ref->times->len; i++)
    {
      gint64 t = g_array_index (ref->times, gint64, i);
      float v = g_array_index (ref->values, float, i);
      guint c;

      if (t < from || t >= to)
        continue;
      count++;
      if (n == 0 || isnan (v))
        continue;
      c = (guint) (((__int128) t - from) * n / ((__int128) to - from));
      g_assert_cmpuint (c, <, n);
      mn[c] = MIN (mn[c], v);
      mx[c] = MAX (mx[c], v);
    }

  for (guint c = 0; c < n; c++)
    if (mn[c] > mx[c])
      mn[c] = mx[c] = NAN;

  return count;
}

static void
assert_same_float (float a,
                   float b)
{
  if (isnan (a) || isnan (b))
    {
      g_assert_true (isnan (a));
      g_assert_true (isnan (b));
    }
  else
    g_assert_cmpfloat (a, ==, b);
}

static void
check_decimate (VigilSeries     *series,
                const Reference *ref,
                gint64           from,
                gint64           to,
                guint            n)
{
  g_autofree float *mn = g_new (float, MAX (n, 1));
  g_autofree float *mx = g_new (float, MAX (n, 1));
  g_autofree float *rmn = g_new (float, MAX (n, 1));
  g_autofree float *rmx = g_new (float, MAX (n, 1));
  gsize count, rcount;

  count = vigil_series_decimate (series, from, to, n, mn, mx);
  if (to <= from)
    {
      g_assert_cmpuint (count, ==, 0);
      for (guint c = 0; c < n; c++)
        g_assert_true (isnan (mn[c]) && isnan (mx[c]));
      return;
    }

  rcount = reference_decimate (ref, from, to, n, rmn, rmx);
  g_assert_cmpuint (count, ==, rcount);
  for (guint c = 0; c < n; c++)
    {
      assert_same_float (mn[c], rmn[c]);
      assert_same_float (mx[c], rmx[c]);
    }
}

/* Random data: steps of 0 (equal times), short and long gaps, some NAN values, over more
 * than one chunk; then random ranges and widths, many inside the data, some around or
 * beyond it, some with far more columns than samples. */
static void
test_decimate_random (void)
{
  g_autoptr(VigilSeries) series = vigil_series_new (1000000);
  Reference ref;
  gint64 t = 1735689600000000, first, last;
  guint n_samples = 5 * CHUNK + 1234;
  gsize done = 0;

  reference_init (&ref);
  while (done < n_samples)
    {
      guint batch = g_test_rand_int_range (1, 700);
      g_autofree gint64 *times = NULL;
      g_autofree double *values = NULL;

      batch = MIN (batch, n_samples - done);
      times = g_new (gint64, batch);
      values = g_new (double, batch);

      for (guint i = 0; i < batch; i++)
        {
          switch (g_test_rand_int_range (0, 20))
            {
            case 0: break;
            case 1: t += g_test_rand_int_range (1, 5000000); break;
            default: t += 10000; break;
            }
          times[i] = t;
          if (g_test_rand_int_range (0, 50) == 0)
            values[i] = NAN;
          else
            values[i] = g_test_rand_double_range (-1e3, 1e3);
          reference_add (&ref, times[i], values[i]);
        }
      vigil_series_append (series, times, values, batch);
      done += batch;
    }

  g_assert_cmpuint (vigil_series_get_length (series), ==, n_samples);
  g_assert_cmpuint (vigil_series_get_dropped (series), ==, 0);
  g_assert_true (vigil_series_get_bounds (series, &first, &last));
  g_assert_cmpint (first, ==, g_array_index (ref.times, gint64, 0));
  g_assert_cmpint (last, ==, t);

  for (guint q = 0; q < 400; q++)
    {
      gint64 span = last - first;
      gint64 from = first + (gint64) (g_test_rand_double_range (-0.2, 1.1) * span);
      gint64 to = from + (gint64) (g_test_rand_double () * g_test_rand_double () * span * 1.2);
      guint n;

      switch (q % 4)
        {
        case 0: n = g_test_rand_int_range (1, 2000); break;
        case 1: n = g_test_rand_int_range (1, 20); break;
        case 2: n = g_test_rand_int_range (2000, 20000); break;
        default: n = 0; break;
        }
      check_decimate (series, &ref, from, to, n);
    }

  check_decimate (series, &ref, first, last + 1, 1);
  check_decimate (series, &ref, first, last + 1, 1000);
  check_decimate (series, &ref, last + 1, last + 1000000, 100);
  check_decimate (series, &ref, first - 1000000, first, 100);
  check_decimate (series, &ref, last, first, 10);
  check_decimate (series, &ref, G_MININT64, G_MAXINT64, 7);
  check_decimate (series, &ref, G_MININT64, G_MAXINT64, 0);
  reference_clear (&ref);
}

/* Columns written out by hand: [0, 100) in 4 columns of 25 with samples at 0, 10, 20, 25,
 * 60, 99 and a NAN at 80. */
static void
test_decimate_columns (void)
{
  g_autoptr(VigilSeries) series = vigil_series_new (100);
  const gint64 times[] = { 0, 10, 20, 25, 60, 80, 99 };
  const double values[] = { 5, -1, 3, 7, 2, NAN, 4 };
  float mn[4], mx[4];

  vigil_series_append (series, times, values, G_N_ELEMENTS (times));
  g_assert_cmpuint (vigil_series_decimate (series, 0, 100, 4, mn, mx), ==, 7);
  g_assert_cmpfloat (mn[0], ==, -1);
  g_assert_cmpfloat (mx[0], ==, 5);
  g_assert_cmpfloat (mn[1], ==, 7);
  g_assert_cmpfloat (mx[1], ==, 7);
  g_assert_cmpfloat (mn[2], ==, 2);
  g_assert_cmpfloat (mx[2], ==, 2);
  g_assert_cmpfloat (mn[3], ==, 4);
  g_assert_cmpfloat (mx[3], ==, 4);

  /* [60, 99) in 3 columns of 13: 60 alone, the NAN at 80 alone, nothing in [86, 99). */
  g_assert_cmpuint (vigil_series_decimate (series, 60, 99, 3, mn, mx), ==, 2);
  g_assert_cmpfloat (mn[0], ==, 2);
  g_assert_true (isnan (mn[1]) && isnan (mx[1]));
  g_assert_true (isnan (mn[2]) && isnan (mx[2]));
}

/* Capacity drops the oldest chunks once the samples after them are enough. */
static void
test_retention (void)
{
  const gsize capacity = 10000;
  g_autoptr(VigilSeries) series = vigil_series_new (capacity);
  gint64 total = 0;

  while (total < 100000)
    {
      guint batch = g_test_rand_int_range (1, 9000);
      g_autofree double *values = g_new (double, batch);
      gsize expected_length;
      gint64 kept_from, first, last;

      for (guint i = 0; i < batch; i++)
        values[i] = (double) (total + i);
      vigil_series_append_run (series, (total + 1) * 1000, 1000, values, batch);
      total += batch;

      if ((gsize) total <= capacity)
        expected_length = total;
      else
        expected_length = total - (total - capacity) / CHUNK * CHUNK;
      g_assert_cmpuint (vigil_series_get_length (series), ==, expected_length);
      g_assert_cmpuint (expected_length, >=, MIN ((gsize) total, capacity));
      g_assert_cmpuint (expected_length, <, capacity + CHUNK);

      kept_from = total - expected_length;
      g_assert_true (vigil_series_get_bounds (series, &first, &last));
      g_assert_cmpint (first, ==, (kept_from + 1) * 1000);
      g_assert_cmpint (last, ==, total * 1000);
      g_assert_false (vigil_series_lookup (series, first - 1, NULL, NULL));

      for (gint64 i = kept_from; i < total; i += g_test_rand_int_range (1, 200))
        {
          gint64 at;
          double v;

          g_assert_true (vigil_series_lookup (series, (i + 1) * 1000 + 999, &at, &v));
          g_assert_cmpint (at, ==, (i + 1) * 1000);
          g_assert_cmpfloat (v, ==, (float) i);
        }
    }
  g_assert_cmpuint (vigil_series_get_dropped (series), ==, 0);
}

static void
test_lookup (void)
{
  g_autoptr(VigilSeries) series = vigil_series_new (16);
  const gint64 times[] = { 10, 20, 20, 30 };
  const double values[] = { 1.5, 2.5, 3.5, 4.5 };
  guint64 serial;
  gint64 at = 0;
  double v = 0;

  g_assert_false (vigil_series_get_bounds (series, NULL, NULL));
  g_assert_false (vigil_series_lookup (series, 100, &at, &v));
  serial = vigil_series_get_serial (series);
  vigil_series_append (series, times, values, G_N_ELEMENTS (times));
  g_assert_cmpuint (vigil_series_get_serial (series), !=, serial);

  g_assert_false (vigil_series_lookup (series, 9, &at, &v));
  g_assert_true (vigil_series_lookup (series, 10, &at, &v));
  g_assert_cmpint (at, ==, 10);
  g_assert_cmpfloat (v, ==, 1.5);
  g_assert_true (vigil_series_lookup (series, 19, &at, &v));
  g_assert_cmpint (at, ==, 10);
  /* The last of the samples at the same time. */
  g_assert_true (vigil_series_lookup (series, 20, &at, &v));
  g_assert_cmpint (at, ==, 20);
  g_assert_cmpfloat (v, ==, 3.5);
  g_assert_true (vigil_series_lookup (series, G_MAXINT64, &at, &v));
  g_assert_cmpint (at, ==, 30);
  g_assert_cmpfloat (v, ==, 4.5);

  serial = vigil_series_get_serial (series);
  vigil_series_clear (series);
  g_assert_cmpuint (vigil_series_get_serial (series), !=, serial);
  g_assert_cmpuint (vigil_series_get_length (series), ==, 0);
  g_assert_false (vigil_series_lookup (series, G_MAXINT64, &at, &v));
  g_assert_false (vigil_series_get_bounds (series, NULL, NULL));
}

static void
test_out_of_order (void)
{
  g_autoptr(VigilSeries) series = vigil_series_new (1000);
  const gint64 times[] = { 100, 200, 150, 200, 300, 250, 300 };
  const double values[] = { 1, 2, 3, 4, 5, 6, 7 };
  const double run[] = { 10, 11, 12, 13 };
  float mn[1], mx[1];
  gint64 at;
  double v;

  vigil_series_append (series, times, values, G_N_ELEMENTS (times));
  g_assert_cmpuint (vigil_series_get_length (series), ==, 5);
  g_assert_cmpuint (vigil_series_get_dropped (series), ==, 2);
  g_assert_cmpuint (vigil_series_decimate (series, 0, 1000, 1, mn, mx), ==, 5);
  g_assert_cmpfloat (mn[0], ==, 1);
  g_assert_cmpfloat (mx[0], ==, 7);
  g_assert_true (vigil_series_lookup (series, 299, &at, &v));
  g_assert_cmpfloat (v, ==, 4);

  /* 280 and 290 go back; 300 and 310 do not. */
  vigil_series_append_run (series, 280, 10, run, G_N_ELEMENTS (run));
  g_assert_cmpuint (vigil_series_get_length (series), ==, 7);
  g_assert_cmpuint (vigil_series_get_dropped (series), ==, 4);
  g_assert_true (vigil_series_lookup (series, 1000, &at, &v));
  g_assert_cmpint (at, ==, 310);
  g_assert_cmpfloat (v, ==, 13);

  /* A run going backwards keeps its first sample only. */
  vigil_series_append_run (series, 400, -1, run, G_N_ELEMENTS (run));
  g_assert_cmpuint (vigil_series_get_length (series), ==, 8);
  g_assert_cmpuint (vigil_series_get_dropped (series), ==, 7);

  /* After a clear the series starts again from any time. */
  vigil_series_clear (series);
  vigil_series_append_run (series, 5, 1, run, 2);
  g_assert_cmpuint (vigil_series_get_length (series), ==, 2);
  g_assert_cmpuint (vigil_series_get_dropped (series), ==, 7);
  g_assert_true (vigil_series_get_bounds (series, &at, NULL));
  g_assert_cmpint (at, ==, 5);
}

/* Writers append to series of their own (the value is the sample's time in milliseconds, so
 * any column's minimum and maximum must fall inside the column), all of them race on a shared
 * series, and one small series trims while readers decimate. */

#define N_WRITERS 3
#define N_READERS 2
#define SAMPLES_PER_WRITER 150000
#define SMALL_CAPACITY 5000

typedef struct
{
  VigilSeries *own[N_WRITERS];
  VigilSeries *shared;
  VigilSeries *small;
  gint         writers_left;
  gint         reads;
} Shared;

typedef struct
{
  Shared *shared;
  guint   index;
  guint32 seed;
} Worker;

static gpointer
writer_thread (gpointer data)
{
  Worker *w = data;
  GRand *rand = g_rand_new_with_seed (w->seed);
  double *values = g_new (double, 2000);
  gint64 *times = g_new (gint64, 2000);
  guint done = 0;

  /* Writing starts once the readers are reading, however the threads were scheduled, so
   * reads and writes really overlap. */
  while (g_atomic_int_get (&w->shared->reads) < N_READERS)
    g_thread_yield ();

  while (done < SAMPLES_PER_WRITER)
    {
      guint batch = g_rand_int_range (rand, 1, 2000);

      batch = MIN (batch, SAMPLES_PER_WRITER - done);

      for (guint i = 0; i < batch; i++)
        {
          values[i] = done + i;
          times[i] = (gint64) (done + i) * 1000;
        }
      vigil_series_append_run (w->shared->own[w->index], times[0], 1000, values, batch);
      vigil_series_append (w->shared->shared, times, values, batch);
      if (w->index == 0)
        vigil_series_append_run (w->shared->small, (gint64) done * 1000, 1000, values, batch);
      done += batch;
    }

  g_free (times);
  g_free (values);
  g_rand_free (rand);
  g_atomic_int_add (&w->shared->writers_left, -1);
  return NULL;
}

static void
check_monotonic_columns (VigilSeries *series,
                         GRand       *rand)
{
  float mn[600], mx[600];
  gint64 from = g_rand_int_range (rand, -100000, SAMPLES_PER_WRITER * 1000);
  gint64 to = from + g_rand_int_range (rand, 1, SAMPLES_PER_WRITER * 1000);
  guint n = g_rand_int_range (rand, 1, G_N_ELEMENTS (mn));
  gsize count;

  count = vigil_series_decimate (series, from, to, n, mn, mx);
  g_assert_cmpuint (count, <=, (gsize) (to - from + 999) / 1000);
  for (guint c = 0; c < n; c++)
    {
      __int128 lo = (__int128) from + (((__int128) to - from) * c + n - 1) / n;
      __int128 hi = (__int128) from + (((__int128) to - from) * (c + 1) + n - 1) / n;

      if (isnan (mn[c]))
        {
          g_assert_true (isnan (mx[c]));
          continue;
        }
      g_assert_cmpfloat (mn[c], <=, mx[c]);
      g_assert_true ((__int128) mn[c] * 1000 >= lo);
      g_assert_true ((__int128) mx[c] * 1000 < hi);
    }
}

static gpointer
reader_thread (gpointer data)
{
  Worker *w = data;
  GRand *rand = g_rand_new_with_seed (w->seed);

  do
    {
      gint64 at;
      double v;

      check_monotonic_columns (w->shared->own[g_rand_int_range (rand, 0, N_WRITERS)], rand);
      check_monotonic_columns (w->shared->small, rand);
      if (vigil_series_lookup (w->shared->small, G_MAXINT64, &at, &v))
        g_assert_cmpfloat (v * 1000, ==, (double) at);
      g_atomic_int_inc (&w->shared->reads);
    }
  while (g_atomic_int_get (&w->shared->writers_left) > 0);

  g_rand_free (rand);
  return NULL;
}

static void
test_threads (void)
{
  Shared shared = { 0 };
  Worker workers[N_WRITERS + N_READERS];
  GThread *threads[N_WRITERS + N_READERS];
  gsize small_length;
  gint64 first, last;
  float mn[1], mx[1];

  for (guint i = 0; i < N_WRITERS; i++)
    shared.own[i] = vigil_series_new (SAMPLES_PER_WRITER);
  shared.shared = vigil_series_new ((gsize) SAMPLES_PER_WRITER * N_WRITERS);
  shared.small = vigil_series_new (SMALL_CAPACITY);
  shared.writers_left = N_WRITERS;

  for (guint i = 0; i < N_WRITERS + N_READERS; i++)
    {
      workers[i] = (Worker) { &shared, i, g_test_rand_int () };
      threads[i] = g_thread_new (i < N_WRITERS ? "writer" : "reader",
                                 i < N_WRITERS ? writer_thread : reader_thread, &workers[i]);
    }
  for (guint i = 0; i < N_WRITERS + N_READERS; i++)
    g_thread_join (threads[i]);

  g_assert_cmpint (shared.reads, >, 0);
  for (guint i = 0; i < N_WRITERS; i++)
    {
      g_assert_cmpuint (vigil_series_get_length (shared.own[i]), ==, SAMPLES_PER_WRITER);
      g_assert_cmpuint (vigil_series_get_dropped (shared.own[i]), ==, 0);
      g_assert_cmpuint (vigil_series_decimate (shared.own[i], 0, G_MAXINT64, 1, mn, mx), ==,
                        SAMPLES_PER_WRITER);
      g_assert_cmpfloat (mn[0], ==, 0);
      g_assert_cmpfloat (mx[0], ==, SAMPLES_PER_WRITER - 1);
      for (guint k = 0; k < SAMPLES_PER_WRITER; k += 997)
        {
          gint64 at;
          double v;

          g_assert_true (vigil_series_lookup (shared.own[i], (gint64) k * 1000, &at, &v));
          g_assert_cmpint (at, ==, (gint64) k * 1000);
          g_assert_cmpfloat (v, ==, k);
        }
      vigil_series_unref (shared.own[i]);
    }

  /* Racing writers lose the samples that arrive behind another writer's, never silently. */
  g_assert_cmpuint (vigil_series_get_length (shared.shared) +
                    vigil_series_get_dropped (shared.shared),
                    ==, (guint64) SAMPLES_PER_WRITER * N_WRITERS);
  vigil_series_unref (shared.shared);

  small_length = SAMPLES_PER_WRITER - (SAMPLES_PER_WRITER - SMALL_CAPACITY) / CHUNK * CHUNK;
  g_assert_cmpuint (vigil_series_get_length (shared.small), ==, small_length);
  g_assert_true (vigil_series_get_bounds (shared.small, &first, &last));
  g_assert_cmpint (first, ==, (gint64) (SAMPLES_PER_WRITER - small_length) * 1000);
  g_assert_cmpint (last, ==, (gint64) (SAMPLES_PER_WRITER - 1) * 1000);
  vigil_series_unref (shared.small);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/series/decimate-random", test_decimate_random);
  g_test_add_func ("/engine/series/decimate-columns", test_decimate_columns);
  g_test_add_func ("/engine/series/retention", test_retention);
  g_test_add_func ("/engine/series/lookup", test_lookup);
  g_test_add_func ("/engine/series/out-of-order", test_out_of_order);
  g_test_add_func ("/engine/series/threads", test_threads);

  return g_test_run ();
}
