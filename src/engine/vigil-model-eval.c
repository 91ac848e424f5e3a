/* vigil-model-eval.c
 *
 * How a model is judged: the classes of a set of labels, the metrics of a set of predictions
 * against the truth, and the stratified test split and k folds of a labelled set. The split and the folds use their own
 * xoshiro256** generator so that a seed means the same rows on every platform and GLib version.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-model"

#include "config.h"

#include <math.h>
#include <string.h>

#include "vigil-model.h"
#include "vigil-model-private.h"
#include "vigil-rng-private.h"

static int
compare_int (gconstpointer a,
             gconstpointer b)
{
  int x = *(const int *) a;
  int y = *(const int *) b;

  return (x > y) - (x < y);
}

guint
_vigil_classes_add (const int *values,
                    guint      n,
                    int       *classes,
                    guint      n_classes)
{
  guint k = n_classes;

  /* an insertion into at most VIGIL_MODEL_MAX_CLASSES values: one pass, no copy */
  for (guint i = 0; i < n; i++)
    {
      int v = values[i];
      guint at = k;

      while (at > 0 && classes[at - 1] > v)
        at--;
      if (at > 0 && classes[at - 1] == v)
        continue;
      if (k == VIGIL_MODEL_MAX_CLASSES)
        return VIGIL_MODEL_MAX_CLASSES + 1;
      memmove (classes + at + 1, classes + at, sizeof (int) * (k - at));
      classes[at] = v;
      k++;
    }
  return k;
}

guint
_vigil_class_index (const int *classes,
                    guint      n_classes,
                    int        value)
{
  guint lo = 0, hi = n_classes - 1;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (classes[mid] < value)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

void
vigil_metrics_compute (const int    *truth,
                       const int    *pred,
                       guint         n,
                       VigilMetrics *out)
{
  guint k, correct = 0;
  double f1_sum = 0;

  g_return_if_fail (truth != NULL || n == 0);
  g_return_if_fail (pred != NULL || n == 0);
  g_return_if_fail (out != NULL);

  memset (out, 0, sizeof *out);
  if (n == 0)
    return;

  k = _vigil_classes_add (truth, n, out->classes, 0);
  if (k <= VIGIL_MODEL_MAX_CLASSES)
    k = _vigil_classes_add (pred, n, out->classes, k);
  g_return_if_fail (k <= VIGIL_MODEL_MAX_CLASSES);
  out->n_classes = k;

  for (guint i = 0; i < n; i++)
    {
      guint t = _vigil_class_index (out->classes, k, truth[i]);
      guint p = _vigil_class_index (out->classes, k, pred[i]);

      out->confusion[t][p]++;
      correct += t == p;
    }
  out->accuracy = (double) correct / n;

  for (guint c = 0; c < k; c++)
    {
      guint tp = out->confusion[c][c], row = 0, col = 0;

      for (guint o = 0; o < k; o++)
        {
          row += out->confusion[c][o];
          col += out->confusion[o][c];
        }
      out->recall[c] = row > 0 ? (double) tp / row : 0.0;
      /* 2TP + FP + FN = row + col, never 0 for a class that occurs in truth or pred */
      f1_sum += 2.0 * tp / (row + col);
    }
  out->macro_f1 = f1_sum / k;
}

typedef VigilRng Rng;

static void
rng_init (Rng     *rng,
          guint64  seed)
{
  vigil_rng_init_from (rng, seed);
}

static guint64
rng_below (Rng     *rng,
           guint64  bound)
{
  guint64 limit = G_MAXUINT64 - G_MAXUINT64 % bound;
  guint64 v;

  do
    v = vigil_rng_next (rng);
  while (v >= limit);
  return v % bound;
}

typedef void (*DealFunc) (const guint *rows,
                          guint        count,
                          gpointer     user_data);

/* By label, then by row: each class becomes a run of its rows in their original order. */
static int
compare_row_label (gconstpointer a,
                   gconstpointer b,
                   gpointer      labels)
{
  guint ra = *(const guint *) a;
  guint rb = *(const guint *) b;
  int by_label = compare_int ((const int *) labels + ra, (const int *) labels + rb);

  return by_label != 0 ? by_label : (ra > rb) - (ra < rb);
}

/* Calls @deal for every class in increasing order of value with its rows: in their original
 * order, then shuffled by one generator seeded with @seed and carried from class to class. */
static void
for_each_class_shuffled (const int *labels,
                         guint      n,
                         guint64    seed,
                         DealFunc   deal,
                         gpointer   user_data)
{
  g_autofree guint *order = g_new (guint, n);
  Rng rng;

  rng_init (&rng, seed);
  for (guint i = 0; i < n; i++)
    order[i] = i;
  g_qsort_with_data (order, n, sizeof (guint), compare_row_label, (gpointer) labels);

  for (guint start = 0, end; start < n; start = end)
    {
      guint *run = order + start;
      guint count;

      for (end = start + 1; end < n && labels[order[end]] == labels[order[start]]; end++)
        ;
      count = end - start;
      for (guint j = count; j > 1; j--)
        {
          guint other = (guint) rng_below (&rng, j);
          guint tmp = run[j - 1];

          run[j - 1] = run[other];
          run[other] = tmp;
        }
      deal (run, count, user_data);
    }
}

typedef struct
{
  double  test_fraction;
  guint8 *out_is_test;
} SplitData;

static void
deal_split (const guint *rows,
            guint        count,
            gpointer     user_data)
{
  SplitData *data = user_data;
  guint n_test = (guint) floor (data->test_fraction * count + 0.5);

  for (guint j = 0; j < count; j++)
    data->out_is_test[rows[j]] = j < n_test;
}

void
vigil_split_stratified (const int *labels,
                        guint      n,
                        double     test_fraction,
                        guint64    seed,
                        guint8    *out_is_test)
{
  SplitData data = { test_fraction, out_is_test };

  g_return_if_fail (labels != NULL || n == 0);
  g_return_if_fail (out_is_test != NULL || n == 0);
  g_return_if_fail (test_fraction >= 0 && test_fraction <= 1);

  for_each_class_shuffled (labels, n, seed, deal_split, &data);
}

typedef struct
{
  guint  k;
  guint  next;  /* carried across classes so that fold sizes stay even too */
  guint *out_fold;
} FoldData;

static void
deal_folds (const guint *rows,
            guint        count,
            gpointer     user_data)
{
  FoldData *data = user_data;

  for (guint j = 0; j < count; j++)
    {
      data->out_fold[rows[j]] = data->next;
      data->next = (data->next + 1) % data->k;
    }
}

void
vigil_folds_stratified (const int *labels,
                        guint      n,
                        guint      k,
                        guint64    seed,
                        guint     *out_fold)
{
  FoldData data = { k, 0, out_fold };

  g_return_if_fail (labels != NULL || n == 0);
  g_return_if_fail (out_fold != NULL || n == 0);
  g_return_if_fail (k >= 1);

  for_each_class_shuffled (labels, n, seed, deal_folds, &data);
}
