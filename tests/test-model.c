/* test-model.c
 *
 * Health models: metrics against hand-computed tables, the stratified split and folds, XGBoost
 * and extra-trees training on a synthetic problem with a known answer and on the real
 * hydraulic cycles, determinism, serialization and its refusals.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vigil-error.h"
#include "vigil-model.h"

/* The synthetic problem: features 1 and 4 decide the class, the other four are noise. */
#define SYN_ROWS 600
#define SYN_FEATURES 6
#define SYN_A 1
#define SYN_B 4

typedef struct
{
  float   x[SYN_ROWS * SYN_FEATURES];
  int     labels[SYN_ROWS];
  guint8  is_test[SYN_ROWS];
  /* the split, packed */
  float   train_x[SYN_ROWS * SYN_FEATURES];
  int     train_y[SYN_ROWS];
  guint   n_train;
  float   test_x[SYN_ROWS * SYN_FEATURES];
  int     test_y[SYN_ROWS];
  guint   n_test;
} Synthetic;

static void
synthetic_setup (Synthetic     *syn,
                 gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (1234);

  for (guint r = 0; r < SYN_ROWS; r++)
    {
      float *row = syn->x + r * SYN_FEATURES;
      float a, b;

      for (guint f = 0; f < SYN_FEATURES; f++)
        row[f] = (float) g_rand_double (rand);
      a = row[SYN_A];
      b = row[SYN_B];
      syn->labels[r] = a < 0.35f ? 3 : b < 0.5f ? 20 : 100;
    }

  vigil_split_stratified (syn->labels, SYN_ROWS, 0.25, 7, syn->is_test);
  for (guint r = 0; r < SYN_ROWS; r++)
    {
      gboolean test = syn->is_test[r];
      float *dst = test ? syn->test_x + syn->n_test * SYN_FEATURES
                        : syn->train_x + syn->n_train * SYN_FEATURES;

      memcpy (dst, syn->x + r * SYN_FEATURES, sizeof (float) * SYN_FEATURES);
      if (test)
        syn->test_y[syn->n_test++] = syn->labels[r];
      else
        syn->train_y[syn->n_train++] = syn->labels[r];
    }
}

static void
synthetic_teardown (Synthetic     *syn,
                    gconstpointer  data)
{
}

static VigilModel *
train_synthetic (Synthetic      *syn,
                 VigilAlgorithm  algorithm,
                 guint64         seed,
                 guint           n_threads)
{
  VigilModelParams params;
  g_autoptr(GError) error = NULL;
  VigilModel *model;

  vigil_model_params_init (&params, algorithm);
  params.seed = seed;
  params.n_threads = n_threads;
  model = vigil_model_train (syn->train_x, syn->n_train, SYN_FEATURES, syn->train_y, &params,
                             NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (model);
  return model;
}

static void
assert_rows_sum_to_one (const float *proba,
                        guint        n_rows,
                        guint        k)
{
  for (guint r = 0; r < n_rows; r++)
    {
      double sum = 0;

      for (guint c = 0; c < k; c++)
        {
          g_assert_cmpfloat (proba[r * k + c], >=, 0.0f);
          sum += proba[r * k + c];
        }
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
    }
}

static void
test_algorithm_strings (void)
{
  VigilAlgorithm a = VIGIL_ALGORITHM_GBT;

  g_assert_cmpstr (vigil_algorithm_to_string (VIGIL_ALGORITHM_RF), ==, "rf");
  g_assert_cmpstr (vigil_algorithm_to_string (VIGIL_ALGORITHM_GBT), ==, "gbt");
  g_assert_cmpstr (vigil_algorithm_to_string (VIGIL_ALGORITHM_ET), ==, "et");
  g_assert_true (vigil_algorithm_from_string ("et", &a));
  g_assert_cmpint (a, ==, VIGIL_ALGORITHM_ET);
  g_assert_true (vigil_algorithm_from_string ("rf", &a));
  g_assert_cmpint (a, ==, VIGIL_ALGORITHM_RF);
  g_assert_true (vigil_algorithm_from_string ("gbt", &a));
  g_assert_cmpint (a, ==, VIGIL_ALGORITHM_GBT);
  g_assert_false (vigil_algorithm_from_string ("RF", &a));
  g_assert_false (vigil_algorithm_from_string ("", &a));
  g_assert_false (vigil_algorithm_from_string (NULL, &a));
  g_assert_cmpint (a, ==, VIGIL_ALGORITHM_GBT);
}

static void
test_params_init (void)
{
  VigilModelParams p;

  vigil_model_params_init (&p, VIGIL_ALGORITHM_RF);
  g_assert_cmpint (p.algorithm, ==, VIGIL_ALGORITHM_RF);
  g_assert_cmpuint (p.n_trees, ==, 20);
  g_assert_cmpuint (p.max_depth, ==, 20);
  g_assert_cmpfloat (p.subsample, ==, 1.0);
  g_assert_cmpfloat (p.colsample, <=, 0.0);

  vigil_model_params_init (&p, VIGIL_ALGORITHM_GBT);
  g_assert_cmpint (p.algorithm, ==, VIGIL_ALGORITHM_GBT);
  g_assert_cmpuint (p.n_trees, ==, 100);
  g_assert_cmpuint (p.max_depth, ==, 6);
  g_assert_cmpfloat (p.learning_rate, ==, 0.3);
  g_assert_cmpuint (p.mtry, ==, 0);

  vigil_model_params_init (&p, VIGIL_ALGORITHM_ET);
  g_assert_cmpint (p.algorithm, ==, VIGIL_ALGORITHM_ET);
  g_assert_cmpuint (p.n_trees, ==, 100);
  g_assert_cmpuint (p.max_depth, ==, 0);
  g_assert_cmpuint (p.mtry, ==, 0);
}

static void
test_metrics_hand (void)
{
  /* true 1: predicted 1,1,2; true 2: 2,2; true 3: 3,1,1 */
  const int truth[] = { 1, 1, 1, 2, 2, 3, 3, 3 };
  const int pred[] = { 1, 1, 2, 2, 2, 3, 1, 1 };
  const guint expected[3][3] = { { 2, 1, 0 }, { 0, 2, 0 }, { 2, 0, 1 } };
  VigilMetrics m;

  vigil_metrics_compute (truth, pred, G_N_ELEMENTS (truth), &m);
  g_assert_cmpuint (m.n_classes, ==, 3);
  g_assert_cmpint (m.classes[0], ==, 1);
  g_assert_cmpint (m.classes[1], ==, 2);
  g_assert_cmpint (m.classes[2], ==, 3);
  for (guint t = 0; t < 3; t++)
    for (guint p = 0; p < 3; p++)
      g_assert_cmpuint (m.confusion[t][p], ==, expected[t][p]);
  g_assert_cmpfloat_with_epsilon (m.accuracy, 5.0 / 8, 1e-12);
  /* F1: class 1 TP 2 FP 2 FN 1 -> 4/7; class 2 TP 2 FP 1 FN 0 -> 4/5; class 3 TP 1 FN 2 -> 1/2 */
  g_assert_cmpfloat_with_epsilon (m.macro_f1, (4.0 / 7 + 4.0 / 5 + 0.5) / 3, 1e-12);
  g_assert_cmpfloat_with_epsilon (m.recall[0], 2.0 / 3, 1e-12);
  g_assert_cmpfloat_with_epsilon (m.recall[1], 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (m.recall[2], 1.0 / 3, 1e-12);
}

static void
test_metrics_never_predicted (void)
{
  const int truth[] = { 0, 0, 1, 1, 2 };
  const int pred[] = { 0, 0, 1, 1, 1 };
  const int truth2[] = { 5, 5 };
  const int pred2[] = { 5, 7 };
  VigilMetrics m;

  vigil_metrics_compute (truth, pred, G_N_ELEMENTS (truth), &m);
  g_assert_cmpuint (m.n_classes, ==, 3);
  g_assert_cmpuint (m.confusion[2][1], ==, 1);
  g_assert_cmpuint (m.confusion[2][2], ==, 0);
  g_assert_cmpfloat_with_epsilon (m.accuracy, 0.8, 1e-12);
  /* F1 1, 4/5 and 0 for the class never predicted */
  g_assert_cmpfloat_with_epsilon (m.macro_f1, (1.0 + 0.8 + 0.0) / 3, 1e-12);
  g_assert_cmpfloat (m.recall[2], ==, 0.0);

  /* a predicted class that never occurs counts too, with F1 0 */
  vigil_metrics_compute (truth2, pred2, 2, &m);
  g_assert_cmpuint (m.n_classes, ==, 2);
  g_assert_cmpint (m.classes[1], ==, 7);
  g_assert_cmpuint (m.confusion[0][0], ==, 1);
  g_assert_cmpuint (m.confusion[0][1], ==, 1);
  g_assert_cmpfloat_with_epsilon (m.accuracy, 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (m.macro_f1, (2.0 / 3 + 0.0) / 2, 1e-12);
  g_assert_cmpfloat_with_epsilon (m.recall[0], 0.5, 1e-12);
  g_assert_cmpfloat (m.recall[1], ==, 0.0);
}

/* 40 rows of 100, 13 of 20, 7 of 3, interleaved. */
#define STRAT_N 60

static void
strat_labels (int *labels)
{
  guint n100 = 0, n20 = 0, n3 = 0;

  for (guint i = 0; i < STRAT_N; i++)
    {
      if (i % 8 == 3 && n3 < 7)
        labels[i] = 3, n3++;
      else if (i % 4 == 1 && n20 < 13)
        labels[i] = 20, n20++;
      else if (n100 < 40)
        labels[i] = 100, n100++;
      else
        labels[i] = 20, n20++;
    }
  g_assert_cmpuint (n100, ==, 40);
  g_assert_cmpuint (n20, ==, 13);
  g_assert_cmpuint (n3, ==, 7);
}

static guint
class_slot (int label)
{
  return label == 3 ? 0 : label == 20 ? 1 : 2;
}

static void
test_split (void)
{
  int labels[STRAT_N];
  guint8 a[STRAT_N], b[STRAT_N], c[STRAT_N];
  guint n_test[3] = { 0 };

  strat_labels (labels);
  vigil_split_stratified (labels, STRAT_N, 0.25, 42, a);
  for (guint i = 0; i < STRAT_N; i++)
    {
      g_assert_cmpuint (a[i], <=, 1);
      n_test[class_slot (labels[i])] += a[i];
    }
  /* round(0.25 × 7) = 2, round(0.25 × 13) = 3, round(0.25 × 40) = 10 */
  g_assert_cmpuint (n_test[0], ==, 2);
  g_assert_cmpuint (n_test[1], ==, 3);
  g_assert_cmpuint (n_test[2], ==, 10);

  vigil_split_stratified (labels, STRAT_N, 0.25, 42, b);
  g_assert_cmpmem (a, STRAT_N, b, STRAT_N);
  vigil_split_stratified (labels, STRAT_N, 0.25, 43, c);
  g_assert_true (memcmp (a, c, STRAT_N) != 0);

  vigil_split_stratified (labels, STRAT_N, 0.0, 42, c);
  for (guint i = 0; i < STRAT_N; i++)
    g_assert_cmpuint (c[i], ==, 0);
  vigil_split_stratified (labels, STRAT_N, 1.0, 42, c);
  for (guint i = 0; i < STRAT_N; i++)
    g_assert_cmpuint (c[i], ==, 1);
}

static void
test_folds (void)
{
  int labels[STRAT_N];
  guint a[STRAT_N], b[STRAT_N], c[STRAT_N];
  const guint k = 5;
  guint counts[3][5] = { { 0 } }, sizes[5] = { 0 };

  strat_labels (labels);
  vigil_folds_stratified (labels, STRAT_N, k, 9, a);
  for (guint i = 0; i < STRAT_N; i++)
    {
      g_assert_cmpuint (a[i], <, k);
      counts[class_slot (labels[i])][a[i]]++;
      sizes[a[i]]++;
    }
  for (guint s = 0; s < 3; s++)
    {
      guint lo = G_MAXUINT, hi = 0;

      for (guint f = 0; f < k; f++)
        lo = MIN (lo, counts[s][f]), hi = MAX (hi, counts[s][f]);
      g_assert_cmpuint (hi - lo, <=, 1);
    }
  /* 7 of class 3 over 5 folds: two folds hold 2 */
  g_assert_cmpuint (counts[0][0] + counts[0][1] + counts[0][2] + counts[0][3] + counts[0][4],
                    ==, 7);
  for (guint f = 0; f < k; f++)
    g_assert_cmpuint (sizes[f], ==, STRAT_N / k);

  vigil_folds_stratified (labels, STRAT_N, k, 9, b);
  g_assert_cmpmem (a, sizeof a, b, sizeof b);
  vigil_folds_stratified (labels, STRAT_N, k, 10, c);
  g_assert_true (memcmp (a, c, sizeof a) != 0);
}

static double
held_out_accuracy (Synthetic  *syn,
                   VigilModel *model,
                   float      *proba)
{
  g_autoptr(GError) error = NULL;
  int pred[SYN_ROWS];
  VigilMetrics m;
  guint k = vigil_model_get_n_classes (model);

  g_assert_true (vigil_model_predict (model, syn->test_x, syn->n_test, proba, pred, &error));
  g_assert_no_error (error);
  assert_rows_sum_to_one (proba, syn->n_test, k);
  /* the predicted class is the most probable one */
  for (guint r = 0; r < syn->n_test; r++)
    for (guint c = 0; c < k; c++)
      if (vigil_model_get_class (model, c) != pred[r])
        g_assert_cmpfloat (proba[r * k + c], <=, proba[r * k + (pred[r] == 3 ? 0 :
                                                                 pred[r] == 20 ? 1 : 2)]);
  vigil_metrics_compute (syn->test_y, pred, syn->n_test, &m);
  return m.accuracy;
}

static void
test_train (Synthetic     *syn,
            gconstpointer  data)
{
  VigilAlgorithm algorithm = GPOINTER_TO_INT (data);
  g_autoptr(VigilModel) model = train_synthetic (syn, algorithm, 5, 2);
  g_autofree float *proba = g_new (float, SYN_ROWS * 3);
  VigilModelParams params;
  double accuracy;
  guint counts[3] = { 0 };

  for (guint r = 0; r < SYN_ROWS; r++)
    counts[syn->labels[r] == 3 ? 0 : syn->labels[r] == 20 ? 1 : 2]++;
  g_assert_cmpuint (syn->n_test, ==, (guint) (floor (counts[0] / 4.0 + 0.5) +
                                              floor (counts[1] / 4.0 + 0.5) +
                                              floor (counts[2] / 4.0 + 0.5)));
  g_assert_cmpuint (vigil_model_get_n_classes (model), ==, 3);
  g_assert_cmpint (vigil_model_get_class (model, 0), ==, 3);
  g_assert_cmpint (vigil_model_get_class (model, 1), ==, 20);
  g_assert_cmpint (vigil_model_get_class (model, 2), ==, 100);
  g_assert_cmpuint (vigil_model_get_n_features (model), ==, SYN_FEATURES);
  vigil_model_get_params (model, &params);
  g_assert_cmpint (params.algorithm, ==, algorithm);
  g_assert_cmpuint (params.seed, ==, 5);

  accuracy = held_out_accuracy (syn, model, proba);
  g_test_message ("%s held-out accuracy %.4f", vigil_algorithm_to_string (algorithm), accuracy);
  g_assert_cmpfloat (accuracy, >=, 0.95);
}

static void
test_deterministic (Synthetic     *syn,
                    gconstpointer  data)
{
  VigilAlgorithm algorithm = GPOINTER_TO_INT (data);
  g_autoptr(VigilModel) a = train_synthetic (syn, algorithm, 11, 4);
  g_autoptr(VigilModel) b = train_synthetic (syn, algorithm, 11, 4);
  g_autoptr(VigilModel) one_thread = train_synthetic (syn, algorithm, 11, 1);
  g_autoptr(VigilModel) other_seed = train_synthetic (syn, algorithm, 12, 2);
  gsize size = sizeof (float) * SYN_ROWS * 3;
  g_autofree float *pa = g_malloc (size);
  g_autofree float *pb = g_malloc (size);
  g_autofree float *pc = g_malloc (size);
  g_autofree float *pd = g_malloc (size);
  g_autoptr(GError) error = NULL;

  g_assert_true (vigil_model_predict (a, syn->x, SYN_ROWS, pa, NULL, &error));
  g_assert_true (vigil_model_predict (b, syn->x, SYN_ROWS, pb, NULL, &error));
  g_assert_true (vigil_model_predict (one_thread, syn->x, SYN_ROWS, pc, NULL, &error));
  g_assert_true (vigil_model_predict (other_seed, syn->x, SYN_ROWS, pd, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (pa, size, pb, size);
  /* a forest's parts depend on its tree count, not on the threads that grow them */
  g_assert_cmpmem (pa, size, pc, size);
  /* the forests sample the features or thresholds of every split, so the seed must matter */
  if (algorithm != VIGIL_ALGORITHM_GBT)
    g_assert_true (memcmp (pa, pd, size) != 0);
}

static void
test_save_load (Synthetic     *syn,
                gconstpointer  data)
{
  VigilAlgorithm algorithm = GPOINTER_TO_INT (data);
  g_autoptr(VigilModel) model = train_synthetic (syn, algorithm, 3, 2);
  g_autoptr(VigilModel) loaded = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GBytes) blob2 = NULL;
  g_autoptr(GError) error = NULL;
  gsize size = sizeof (float) * SYN_ROWS * 3;
  g_autofree float *pa = g_malloc (size);
  g_autofree float *pb = g_malloc (size);
  int pred_a[SYN_ROWS], pred_b[SYN_ROWS];
  VigilModelParams pm, pl;

  blob = vigil_model_save (model, &error);
  g_assert_no_error (error);
  loaded = vigil_model_load (blob, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);

  g_assert_cmpuint (vigil_model_get_n_classes (loaded), ==, 3);
  for (guint c = 0; c < 3; c++)
    g_assert_cmpint (vigil_model_get_class (loaded, c), ==, vigil_model_get_class (model, c));
  g_assert_cmpuint (vigil_model_get_n_features (loaded), ==, SYN_FEATURES);
  vigil_model_get_params (model, &pm);
  vigil_model_get_params (loaded, &pl);
  g_assert_cmpmem (&pm, sizeof pm, &pl, sizeof pl);

  g_assert_true (vigil_model_predict (model, syn->x, SYN_ROWS, pa, pred_a, &error));
  g_assert_true (vigil_model_predict (loaded, syn->x, SYN_ROWS, pb, pred_b, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (pa, size, pb, size);
  g_assert_cmpmem (pred_a, sizeof pred_a, pred_b, sizeof pred_b);

  /* saving again writes the same bytes */
  blob2 = vigil_model_save (loaded, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (blob, blob2));
}

static void
test_importance (Synthetic     *syn,
                 gconstpointer  data)
{
  VigilAlgorithm algorithm = GPOINTER_TO_INT (data);
  g_autoptr(VigilModel) model = train_synthetic (syn, algorithm, 3, 2);
  g_autoptr(GError) error = NULL;
  float imp[SYN_FEATURES];
  double sum = 0;

  g_assert_true (vigil_model_get_importance (model, imp, &error));
  g_assert_no_error (error);
  for (guint f = 0; f < SYN_FEATURES; f++)
    {
      g_test_message ("%s importance f%u %.4f", vigil_algorithm_to_string (algorithm), f, imp[f]);
      g_assert_cmpfloat (imp[f], >=, 0.0f);
      sum += imp[f];
      if (f != SYN_A && f != SYN_B)
        {
          g_assert_cmpfloat (imp[SYN_A], >, imp[f]);
          g_assert_cmpfloat (imp[SYN_B], >, imp[f]);
        }
    }
  g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
}

typedef struct
{
  VigilModel  *model;
  const float *x;
  float       *proba;
} PredictJob;

static gpointer
predict_thread (gpointer data)
{
  PredictJob *job = data;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 20; i++)
    {
      g_assert_true (vigil_model_predict (job->model, job->x, SYN_ROWS, job->proba, NULL, &error));
      g_assert_no_error (error);
    }
  return NULL;
}

static void
test_predict_threads (Synthetic     *syn,
                      gconstpointer  data)
{
  g_autoptr(VigilModel) model = train_synthetic (syn, VIGIL_ALGORITHM_RF, 3, 1);
  gsize size = sizeof (float) * SYN_ROWS * 3;
  g_autofree float *expected = g_malloc (size);
  PredictJob jobs[4];
  GThread *threads[4];
  g_autoptr(GError) error = NULL;

  g_assert_true (vigil_model_predict (model, syn->x, SYN_ROWS, expected, NULL, &error));
  g_assert_no_error (error);
  for (guint t = 0; t < G_N_ELEMENTS (jobs); t++)
    {
      jobs[t] = (PredictJob) { model, syn->x, g_malloc (size) };
      threads[t] = g_thread_new ("predict", predict_thread, &jobs[t]);
    }
  for (guint t = 0; t < G_N_ELEMENTS (jobs); t++)
    {
      g_thread_join (threads[t]);
      g_assert_cmpmem (jobs[t].proba, size, expected, size);
      g_free (jobs[t].proba);
    }
}

static void
assert_load_fails (const void *data,
                   gsize       len)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilModel) model = vigil_model_load (bytes, &error);

  g_assert_null (model);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
  g_test_message ("refused: %s", error->message);
}

static void
test_load_garbage (Synthetic     *syn,
                   gconstpointer  data)
{
  g_autoptr(VigilModel) model = train_synthetic (syn, VIGIL_ALGORITHM_GBT, 3, 2);
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *copy = NULL;
  const char *text = "this is not a model at all, just some text that is long enough";
  gsize len;
  const guint8 *bytes;

  assert_load_fails ("", 0);
  assert_load_fails (text, strlen (text));
  assert_load_fails ("VIGILXGB", 8);

  blob = vigil_model_save (model, &error);
  g_assert_no_error (error);
  bytes = g_bytes_get_data (blob, &len);
  /* truncated, extended */
  assert_load_fails (bytes, len - 10);
  copy = g_malloc (len + 1);
  memcpy (copy, bytes, len);
  copy[len] = 0;
  assert_load_fails (copy, len + 1);
  /* a newer format version */
  copy[8] = 4;
  assert_load_fails (copy, len);
  copy[8] = 3;
  /* XGBoost's part replaced by text of the same length */
  memset (copy + len - 200, 'x', 200);
  assert_load_fails (copy, len);
}

/* Version 1 held one booster, without the booster count and tree count of version 2, and
 * neither had the mtry of version 3: the same model rewritten those ways loads and predicts
 * the same. */
static void
test_load_old_versions (Synthetic     *syn,
                        gconstpointer  data)
{
  g_autoptr(VigilModel) model = train_synthetic (syn, VIGIL_ALGORITHM_GBT, 3, 2);
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GError) error = NULL;
  /* magic, version, algorithm, trees, depth, 3 doubles, seed, threads: then mtry */
  const gsize mtry_at = 8 + 4 * 4 + 3 * 8 + 8 + 4;
  /* then features, classes */
  gsize header = mtry_at + 4 + 2 * 4 + 4 * vigil_model_get_n_classes (model);
  gsize size = sizeof (float) * SYN_ROWS * 3;
  g_autofree float *pa = g_malloc (size);
  const guint8 *bytes;
  gsize len;
  guint32 n_boosters, part_trees, mtry;

  blob = vigil_model_save (model, &error);
  g_assert_no_error (error);
  bytes = g_bytes_get_data (blob, &len);
  g_assert_cmpuint (bytes[8], ==, 3);
  memcpy (&mtry, bytes + mtry_at, 4);
  memcpy (&n_boosters, bytes + header, 4);
  memcpy (&part_trees, bytes + header + 4, 4);
  g_assert_cmpuint (GUINT32_FROM_LE (mtry), ==, 0);
  g_assert_cmpuint (GUINT32_FROM_LE (n_boosters), ==, 1);
  g_assert_cmpuint (GUINT32_FROM_LE (part_trees), ==, 0);
  g_assert_true (vigil_model_predict (model, syn->x, SYN_ROWS, pa, NULL, &error));
  g_assert_no_error (error);

  for (guint version = 1; version <= 2; version++)
    {
      g_autoptr(GByteArray) old = g_byte_array_new ();
      g_autoptr(GBytes) old_bytes = NULL;
      g_autoptr(VigilModel) loaded = NULL;
      g_autofree float *pb = g_malloc (size);

      g_byte_array_append (old, bytes, mtry_at);
      g_byte_array_append (old, bytes + mtry_at + 4, header - mtry_at - 4);
      if (version == 1)
        g_byte_array_append (old, bytes + header + 8, len - header - 8);
      else
        g_byte_array_append (old, bytes + header, len - header);
      old->data[8] = version;
      old_bytes = g_byte_array_free_to_bytes (g_steal_pointer (&old));
      loaded = vigil_model_load (old_bytes, &error);
      g_assert_no_error (error);
      g_assert_nonnull (loaded);
      g_assert_true (vigil_model_predict (loaded, syn->x, SYN_ROWS, pb, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (pa, size, pb, size);
    }
}

/* An extra-trees model's blob: Vigil's header, then the forest's own, whose damage is refused
 * as the model's. */
static void
test_load_garbage_et (Synthetic     *syn,
                      gconstpointer  data)
{
  g_autoptr(VigilModel) model = train_synthetic (syn, VIGIL_ALGORITHM_ET, 3, 2);
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *copy = NULL;
  gsize len;
  const guint8 *bytes;

  blob = vigil_model_save (model, &error);
  g_assert_no_error (error);
  bytes = g_bytes_get_data (blob, &len);
  for (gsize cut = 1; cut < len; cut = cut * 2 + 1)
    assert_load_fails (bytes, cut);
  assert_load_fails (bytes, len - 1);
  copy = g_memdup2 (bytes, len);
  /* a flipped bit in the middle of the forest */
  copy[len / 2] ^= 1;
  assert_load_fails (copy, len);
  copy[len / 2] ^= 1;
  /* extra trees under a version that had none */
  copy[8] = 2;
  assert_load_fails (copy, len);
}

static void
test_invalid (Synthetic     *syn,
              gconstpointer  data)
{
  int same[SYN_ROWS];
  VigilModelParams params;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  VigilModel *model;

  for (guint r = 0; r < SYN_ROWS; r++)
    same[r] = 20;
  vigil_model_params_init (&params, VIGIL_ALGORITHM_RF);
  model = vigil_model_train (syn->x, SYN_ROWS, SYN_FEATURES, same, &params, NULL, &error);
  g_assert_null (model);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "20"));
  g_clear_error (&error);

  params.n_trees = 0;
  model = vigil_model_train (syn->x, SYN_ROWS, SYN_FEATURES, syn->labels, &params, NULL, &error);
  g_assert_null (model);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  /* extra trees cannot try more features than there are */
  vigil_model_params_init (&params, VIGIL_ALGORITHM_ET);
  params.mtry = SYN_FEATURES + 1;
  model = vigil_model_train (syn->x, SYN_ROWS, SYN_FEATURES, syn->labels, &params, NULL, &error);
  g_assert_null (model);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  vigil_model_params_init (&params, VIGIL_ALGORITHM_GBT);
  g_cancellable_cancel (cancellable);
  model = vigil_model_train (syn->x, SYN_ROWS, SYN_FEATURES, syn->labels, &params, cancellable,
                             &error);
  g_assert_null (model);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_CANCELLED);
}

static void
test_binary_with_missing (Synthetic     *syn,
                          gconstpointer  data)
{
  /* two classes, one logistic column, with NAN cells in training and prediction */
  int labels[SYN_ROWS];
  g_autofree float *x = g_memdup2 (syn->x, sizeof syn->x);
  g_autofree float *proba = g_new (float, SYN_ROWS * 2);
  int pred[SYN_ROWS];
  VigilModelParams params;
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilModel) model = NULL;
  g_autoptr(VigilModel) loaded = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autofree float *proba_loaded = g_new (float, SYN_ROWS * 2);
  VigilMetrics m;

  for (guint r = 0; r < SYN_ROWS; r++)
    {
      labels[r] = x[r * SYN_FEATURES + SYN_A] < 0.5f ? 0 : 1;
      if (r % 10 == 0)
        x[r * SYN_FEATURES + 0] = NAN;
    }
  vigil_model_params_init (&params, GPOINTER_TO_INT (data));
  params.n_threads = 1;
  model = vigil_model_train (x, SYN_ROWS, SYN_FEATURES, labels, &params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vigil_model_get_n_classes (model), ==, 2);
  g_assert_true (vigil_model_predict (model, x, SYN_ROWS, proba, pred, &error));
  g_assert_no_error (error);
  assert_rows_sum_to_one (proba, SYN_ROWS, 2);
  for (guint r = 0; r < SYN_ROWS; r++)
    g_assert_cmpint (pred[r], ==, proba[2 * r + 1] > proba[2 * r] ? 1 : 0);
  vigil_metrics_compute (labels, pred, SYN_ROWS, &m);
  g_assert_cmpfloat (m.accuracy, >=, 0.99);

  /* the one-column logistic output survives a reload */
  blob = vigil_model_save (model, &error);
  g_assert_no_error (error);
  loaded = vigil_model_load (blob, &error);
  g_assert_no_error (error);
  g_assert_true (vigil_model_predict (loaded, x, SYN_ROWS, proba_loaded, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (proba, sizeof (float) * SYN_ROWS * 2, proba_loaded,
                   sizeof (float) * SYN_ROWS * 2);
}

/* The real cycles: mean and standard deviation of each 1 Hz sensor, as the original pipeline. */

static const char *const hydraulic_sensors[] = {
  "CE", "CP", "SE", "TS1", "TS2", "TS3", "TS4", "VS1",
};
#define HYD_FEATURES (2 * G_N_ELEMENTS (hydraulic_sensors))

static guint
read_sensor_features (const char *dir,
                      guint       sensor,
                      float      *x,
                      guint       max_rows)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.txt", dir, hydraulic_sensors[sensor]);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint r = 0; lines[r] != NULL && lines[r][0] != '\0'; r++, n++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[r], "\t", -1);
      double sum = 0, sq = 0, mean;
      guint m = g_strv_length (cells);

      g_assert_cmpuint (r, <, max_rows);
      g_assert_cmpuint (m, ==, 60);
      for (guint c = 0; c < m; c++)
        sum += g_ascii_strtod (cells[c], NULL);
      mean = sum / m;
      for (guint c = 0; c < m; c++)
        {
          double d = g_ascii_strtod (cells[c], NULL) - mean;
          sq += d * d;
        }
      x[r * HYD_FEATURES + 2 * sensor] = (float) mean;
      x[r * HYD_FEATURES + 2 * sensor + 1] = (float) sqrt (sq / m);
    }
  return n;
}

static void
test_hydraulic_cooler (void)
{
  const guint max_rows = 2205;
  g_autofree char *dir = g_build_filename (g_getenv ("VIGIL_SHARED_DATA"), "hydraulic-uci", NULL);
  g_autofree char *profile_path = g_build_filename (dir, "profile.txt", NULL);
  g_autofree char *profile = NULL;
  g_autofree float *x = g_new0 (float, max_rows * HYD_FEATURES);
  g_autofree float *train_x = g_new (float, max_rows * HYD_FEATURES);
  g_autofree float *test_x = g_new (float, max_rows * HYD_FEATURES);
  g_autofree float *proba = g_new (float, max_rows * 3);
  g_autofree int *labels = g_new (int, max_rows);
  g_autofree int *train_y = g_new (int, max_rows);
  g_autofree int *test_y = g_new (int, max_rows);
  g_autofree int *pred = g_new (int, max_rows);
  g_autofree guint8 *is_test = g_new (guint8, max_rows);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilModel) model = NULL;
  VigilModelParams params;
  VigilMetrics m;
  guint n = 0, n_train = 0, n_test = 0;

  g_assert_nonnull (g_getenv ("VIGIL_SHARED_DATA"));
  g_file_get_contents (profile_path, &profile, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (profile, "\n", -1);
  for (; lines[n] != NULL && lines[n][0] != '\0'; n++)
    {
      g_assert_cmpuint (n, <, max_rows);
      labels[n] = atoi (lines[n]);
    }
  g_assert_cmpuint (n, ==, 1800);
  for (guint s = 0; s < G_N_ELEMENTS (hydraulic_sensors); s++)
    g_assert_cmpuint (read_sensor_features (dir, s, x, max_rows), ==, n);

  vigil_split_stratified (labels, n, 0.25, 42, is_test);
  for (guint r = 0; r < n; r++)
    {
      if (is_test[r])
        {
          memcpy (test_x + n_test * HYD_FEATURES, x + r * HYD_FEATURES,
                  sizeof (float) * HYD_FEATURES);
          test_y[n_test++] = labels[r];
        }
      else
        {
          memcpy (train_x + n_train * HYD_FEATURES, x + r * HYD_FEATURES,
                  sizeof (float) * HYD_FEATURES);
          train_y[n_train++] = labels[r];
        }
    }
  /* 595, 594 and 611 cycles of cooler 3, 20 and 100: 149 + 149 (148.5 rounds up) + 153 */
  g_assert_cmpuint (n_test, ==, 451);

  vigil_model_params_init (&params, VIGIL_ALGORITHM_RF);
  params.seed = 42;
  model = vigil_model_train (train_x, n_train, HYD_FEATURES, train_y, &params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vigil_model_get_n_classes (model), ==, 3);
  g_assert_cmpint (vigil_model_get_class (model, 0), ==, 3);
  g_assert_cmpint (vigil_model_get_class (model, 2), ==, 100);
  g_assert_true (vigil_model_predict (model, test_x, n_test, proba, pred, &error));
  g_assert_no_error (error);
  vigil_metrics_compute (test_y, pred, n_test, &m);
  g_test_message ("cooler rf-20 accuracy %.4f macro F1 %.4f", m.accuracy, m.macro_f1);
  g_assert_cmpfloat (m.accuracy, >=, 0.95);
}

static void
add_synthetic (const char    *path,
               VigilAlgorithm algorithm,
               void (*func) (Synthetic *, gconstpointer))
{
  g_test_add (path, Synthetic, GINT_TO_POINTER (algorithm), synthetic_setup, func,
              synthetic_teardown);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/model/algorithm-strings", test_algorithm_strings);
  g_test_add_func ("/engine/model/params-init", test_params_init);
  g_test_add_func ("/engine/model/metrics/hand", test_metrics_hand);
  g_test_add_func ("/engine/model/metrics/never-predicted", test_metrics_never_predicted);
  g_test_add_func ("/engine/model/split/stratified", test_split);
  g_test_add_func ("/engine/model/split/folds", test_folds);
  add_synthetic ("/engine/model/train/rf", VIGIL_ALGORITHM_RF, test_train);
  add_synthetic ("/engine/model/train/gbt", VIGIL_ALGORITHM_GBT, test_train);
  add_synthetic ("/engine/model/train/et", VIGIL_ALGORITHM_ET, test_train);
  add_synthetic ("/engine/model/deterministic/rf", VIGIL_ALGORITHM_RF, test_deterministic);
  add_synthetic ("/engine/model/deterministic/gbt", VIGIL_ALGORITHM_GBT, test_deterministic);
  add_synthetic ("/engine/model/deterministic/et", VIGIL_ALGORITHM_ET, test_deterministic);
  add_synthetic ("/engine/model/save-load/rf", VIGIL_ALGORITHM_RF, test_save_load);
  add_synthetic ("/engine/model/save-load/gbt", VIGIL_ALGORITHM_GBT, test_save_load);
  add_synthetic ("/engine/model/save-load/et", VIGIL_ALGORITHM_ET, test_save_load);
  add_synthetic ("/engine/model/importance/rf", VIGIL_ALGORITHM_RF, test_importance);
  add_synthetic ("/engine/model/importance/gbt", VIGIL_ALGORITHM_GBT, test_importance);
  add_synthetic ("/engine/model/importance/et", VIGIL_ALGORITHM_ET, test_importance);
  add_synthetic ("/engine/model/predict-threads", VIGIL_ALGORITHM_RF, test_predict_threads);
  add_synthetic ("/engine/model/load-garbage", VIGIL_ALGORITHM_GBT, test_load_garbage);
  add_synthetic ("/engine/model/load-garbage/et", VIGIL_ALGORITHM_ET, test_load_garbage_et);
  add_synthetic ("/engine/model/load-old-versions", VIGIL_ALGORITHM_GBT,
                 test_load_old_versions);
  add_synthetic ("/engine/model/invalid", VIGIL_ALGORITHM_RF, test_invalid);
  add_synthetic ("/engine/model/binary-missing/rf", VIGIL_ALGORITHM_RF, test_binary_with_missing);
  add_synthetic ("/engine/model/binary-missing/gbt", VIGIL_ALGORITHM_GBT,
                 test_binary_with_missing);
  add_synthetic ("/engine/model/binary-missing/et", VIGIL_ALGORITHM_ET,
                 test_binary_with_missing);
  g_test_add_func ("/engine/model/hydraulic-cooler", test_hydraulic_cooler);

  return g_test_run ();
}
