/* test-trainer.c
 *
 * vigil_train() on a generated rig: what it registers reads back from the registry as it was
 * reported; its test metrics equal those of the registered model, reloaded, predicting the
 * held-out rows chosen here; its cross-validation equals folds trained here; the champion
 * alias moves only when the target has none or when asked; cancelling registers nothing;
 * progress never goes back and ends at 1. The registry's JSON columns round-trip and bad ones
 * are refused with PARSE.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "vigil-error.h"
#include "vigil-features.h"
#include "vigil-hydraulic-generator.h"
#include "vigil-model.h"
#include "vigil-store.h"
#include "vigil-trainer.h"
#include "vigil-test-util.h"

/* The generator's first block (185 to 215 cycles) keeps the valve at 100 %; 260 cycles reach
 * the valve blocks after it, so "valve" has every class and "cooler" only one. */
#define RIG_CYCLES 260
#define RIG_SEED 3
#define TREES 8
#define SEED 11

static char *rig_dir;
static VigilFeatureTable *table;

typedef struct
{
  char       *dir;
  char       *db;
  VigilStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("vigil-trainer-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "models.vigil", NULL);
  f->store = vigil_store_open (f->db, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_true (vigil_store_close (f->store, NULL));
  g_clear_object (&f->store);
  vigil_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db);
}

static void
request_init (VigilTrainRequest *req,
              VigilTarget        target)
{
  vigil_train_request_init (req, target, VIGIL_ALGORITHM_RF);
  req->params.n_trees = TREES;
  req->params.seed = SEED;
}

static VigilTrainResult *
train (Fixture                 *f,
       const VigilTrainRequest *req)
{
  g_autoptr(GError) error = NULL;
  VigilTrainResult *result = vigil_train (f->store, table, rig_dir, 10, 20, req, NULL, NULL,
                                          NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);

  return result;
}

/* The valve label of every row, read from the label structs rather than through
 * vigil_cycle_label_get(). */
static int *
valve_labels (void)
{
  guint n = vigil_feature_table_get_n_rows (table);
  int *labels = g_new (int, n);

  for (guint i = 0; i < n; i++)
    labels[i] = vigil_feature_table_get_label (table, i)->valve;

  return labels;
}

/* Trains here on the rows with @is_test[i] == 0 and predicts the others. */
static void
train_and_predict (const guint8           *is_test,
                   const int              *labels,
                   const VigilModelParams *params,
                   VigilModel             *given,
                   int                    *out_truth,
                   int                    *out_pred,
                   guint                  *out_n_test)
{
  guint n = vigil_feature_table_get_n_rows (table);
  guint n_features = vigil_feature_table_get_n_features (table);
  g_autofree float *x_train = g_new (float, (gsize) n * n_features);
  g_autofree float *x_test = g_new (float, (gsize) n * n_features);
  g_autofree int *y_train = g_new (int, n);
  g_autofree float *proba = g_new (float, (gsize) n * VIGIL_MODEL_MAX_CLASSES);
  g_autoptr(VigilModel) own = NULL;
  g_autoptr(GError) error = NULL;
  guint n_train = 0, n_test = 0;

  for (guint i = 0; i < n; i++)
    {
      const float *row = vigil_feature_table_get_row (table, i);

      if (is_test[i])
        {
          memcpy (x_test + (gsize) n_test * n_features, row, n_features * sizeof (float));
          out_truth[n_test++] = labels[i];
        }
      else
        {
          memcpy (x_train + (gsize) n_train * n_features, row, n_features * sizeof (float));
          y_train[n_train++] = labels[i];
        }
    }

  if (given == NULL)
    {
      own = vigil_model_train (x_train, n_train, n_features, y_train, params, NULL, &error);
      g_assert_no_error (error);
      given = own;
    }
  g_assert_true (vigil_model_predict (given, x_test, n_test, proba, out_pred, &error));
  g_assert_no_error (error);
  *out_n_test = n_test;
}

static void
assert_same_metrics (const VigilMetrics *a,
                     const VigilMetrics *b)
{
  g_assert_cmpuint (a->n_classes, ==, b->n_classes);
  for (guint i = 0; i < a->n_classes; i++)
    {
      g_assert_cmpint (a->classes[i], ==, b->classes[i]);
      g_assert_cmpfloat (a->recall[i], ==, b->recall[i]);
      for (guint j = 0; j < a->n_classes; j++)
        g_assert_cmpuint (a->confusion[i][j], ==, b->confusion[i][j]);
    }
  g_assert_cmpfloat (a->accuracy, ==, b->accuracy);
  g_assert_cmpfloat (a->macro_f1, ==, b->macro_f1);
}

/* @data: the algorithm, rf or et (with mtry 5, which must come back from the registry). */
static void
test_registers (Fixture       *f,
                gconstpointer  data)
{
  VigilAlgorithm algorithm = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilTrainResult) result = NULL;
  g_autoptr(VigilModelRecord) record = NULL;
  g_autoptr(VigilModel) model = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree int *labels = valve_labels ();
  g_autofree guint8 *is_test = NULL;
  g_autofree int *truth = NULL;
  g_autofree int *pred = NULL;
  g_autofree float *importance = NULL;
  guint n = vigil_feature_table_get_n_rows (table);
  guint n_features = vigil_feature_table_get_n_features (table);
  guint expected_test = 0, n_test = 0;
  guint counts[101] = { 0 };
  VigilTrainRequest req;
  VigilMetrics stored, independent;
  VigilModelParams params;
  guint folds = 99;

  request_init (&req, VIGIL_TARGET_VALVE);
  req.params.algorithm = algorithm;
  if (algorithm == VIGIL_ALGORITHM_ET)
    {
      req.params.max_depth = 0;
      req.params.mtry = 5;
    }
  result = train (f, &req);

  /* Each class holds out round(count / 4) rows. */
  for (guint i = 0; i < n; i++)
    counts[labels[i]]++;
  for (guint c = 0; c <= 100; c++)
    expected_test += (guint) round (counts[c] * 0.25);
  g_assert_cmpuint (result->n_test, ==, expected_test);
  g_assert_cmpuint (result->n_train, ==, n - expected_test);
  g_assert_cmpuint (result->n_features, ==, n_features);
  g_assert_cmpuint (result->metrics.n_classes, ==, 4);
  g_assert_cmpint (result->metrics.classes[0], ==, 73);
  g_assert_cmpint (result->metrics.classes[3], ==, 100);
  g_assert_cmpint (result->params.algorithm, ==, algorithm);
  g_assert_cmpuint (result->params.n_trees, ==, TREES);

  /* The registry holds exactly what was reported. */
  list = vigil_store_list_models (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  record = vigil_store_get_model (f->store, result->model_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->target, ==, "valve");
  g_assert_cmpstr (record->algorithm, ==, vigil_algorithm_to_string (algorithm));
  g_assert_cmpstr (record->data_source, ==, rig_dir);
  g_assert_cmpint (record->data_from_us, ==, 10);
  g_assert_cmpint (record->data_to_us, ==, 20);
  g_assert_cmpint (record->n_train, ==, result->n_train);
  g_assert_cmpint (record->n_test, ==, result->n_test);
  g_assert_cmpstr (record->aliases, ==, VIGIL_CHAMPION_ALIAS);

  g_assert_true (vigil_train_metrics_from_json (record->metrics_json, &stored, &folds, NULL, NULL,
                                                &error));
  g_assert_no_error (error);
  g_assert_cmpuint (folds, ==, 0);
  assert_same_metrics (&stored, &result->metrics);

  g_assert_true (vigil_train_params_from_json (record->params_json, &params, &error));
  g_assert_no_error (error);
  g_assert_cmpint (params.algorithm, ==, algorithm);
  g_assert_cmpuint (params.n_trees, ==, TREES);
  g_assert_cmpuint (params.seed, ==, SEED);
  g_assert_cmpuint (params.max_depth, ==, result->params.max_depth);
  g_assert_cmpfloat (params.subsample, ==, result->params.subsample);
  g_assert_cmpuint (params.mtry, ==, algorithm == VIGIL_ALGORITHM_ET ? 5 : 0);
  g_assert_cmpuint (result->params.mtry, ==, params.mtry);

  names = vigil_train_features_from_json (record->features_json, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, n_features);
  for (guint j = 0; j < n_features; j++)
    {
      g_assert_cmpstr (names[j], ==, vigil_feature_table_get_name (table, j));
      g_assert_cmpstr (result->feature_names[j], ==, names[j]);
    }

  /* The stored model, reloaded, predicting the rows a split made here holds out. */
  model = vigil_model_load (record->model, &error);
  g_assert_no_error (error);
  is_test = g_new (guint8, n);
  vigil_split_stratified (labels, n, 0.25, SEED, is_test);
  truth = g_new (int, n);
  pred = g_new (int, n);
  train_and_predict (is_test, labels, NULL, model, truth, pred, &n_test);
  g_assert_cmpuint (n_test, ==, result->n_test);
  vigil_metrics_compute (truth, pred, n_test, &independent);
  assert_same_metrics (&independent, &result->metrics);

  importance = g_new (float, n_features);
  g_assert_true (vigil_model_get_importance (model, importance, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (importance, n_features * sizeof (float), result->importance,
                   n_features * sizeof (float));
}

static void
test_champion (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilTrainResult) first = NULL;
  g_autoptr(VigilTrainResult) second = NULL;
  g_autoptr(VigilTrainResult) third = NULL;
  g_autoptr(VigilTrainResult) stable = NULL;
  VigilTrainRequest req;

  request_init (&req, VIGIL_TARGET_VALVE);
  first = train (f, &req);
  g_assert_true (first->is_champion);
  g_assert_cmpint (first->champion_id, ==, first->model_id);

  /* The target has a champion: a new model does not replace it unless asked. */
  req.params.seed = SEED + 1;
  second = train (f, &req);
  g_assert_false (second->is_champion);
  g_assert_cmpint (second->champion_id, ==, first->model_id);
  g_assert_cmpint (vigil_store_get_alias (f->store, "valve", VIGIL_CHAMPION_ALIAS, &error), ==,
                   first->model_id);
  g_assert_no_error (error);

  req.make_champion = TRUE;
  third = train (f, &req);
  g_assert_true (third->is_champion);
  g_assert_cmpint (vigil_store_get_alias (f->store, "valve", VIGIL_CHAMPION_ALIAS, &error), ==,
                   third->model_id);

  /* Another target has its own champion. */
  request_init (&req, VIGIL_TARGET_STABLE);
  stable = train (f, &req);
  g_assert_true (stable->is_champion);
  g_assert_cmpint (vigil_store_get_alias (f->store, "stable", VIGIL_CHAMPION_ALIAS, &error), ==,
                   stable->model_id);
  g_assert_cmpint (vigil_store_get_alias (f->store, "valve", VIGIL_CHAMPION_ALIAS, &error), ==,
                   third->model_id);
  g_assert_no_error (error);
}

typedef struct
{
  GArray          *phases;     /* VigilTrainPhase */
  GArray          *folds;      /* guint */
  GArray          *fractions;  /* double */
  GCancellable    *cancellable;
  VigilTrainPhase  cancel_at;
  guint            cancel_fold;
} Recorder;

static void
record_progress (VigilTrainPhase phase,
                 guint           fold,
                 guint           n_folds,
                 double          fraction,
                 gpointer        user_data)
{
  Recorder *r = user_data;

  g_array_append_val (r->phases, phase);
  g_array_append_val (r->folds, fold);
  g_array_append_val (r->fractions, fraction);
  if (r->cancellable != NULL && phase == r->cancel_at && fold == r->cancel_fold)
    g_cancellable_cancel (r->cancellable);
}

static void
recorder_init (Recorder *r)
{
  memset (r, 0, sizeof *r);
  r->phases = g_array_new (FALSE, FALSE, sizeof (VigilTrainPhase));
  r->folds = g_array_new (FALSE, FALSE, sizeof (guint));
  r->fractions = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
recorder_clear (Recorder *r)
{
  g_array_unref (r->phases);
  g_array_unref (r->folds);
  g_array_unref (r->fractions);
  g_clear_object (&r->cancellable);
}

static void
test_progress (Fixture       *f,
               gconstpointer  data)
{
  static const VigilTrainPhase expected[] = {
    VIGIL_TRAIN_PHASE_SPLITTING, VIGIL_TRAIN_PHASE_TRAINING, VIGIL_TRAIN_PHASE_TESTING,
    VIGIL_TRAIN_PHASE_CROSS_VALIDATING, VIGIL_TRAIN_PHASE_CROSS_VALIDATING,
    VIGIL_TRAIN_PHASE_CROSS_VALIDATING, VIGIL_TRAIN_PHASE_REGISTERING, VIGIL_TRAIN_PHASE_DONE,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilTrainResult) result = NULL;
  g_autofree int *labels = valve_labels ();
  g_autofree guint *fold = NULL;
  g_autofree guint8 *is_test = NULL;
  g_autofree int *truth = NULL;
  g_autofree int *pred = NULL;
  guint n = vigil_feature_table_get_n_rows (table);
  double accuracy[3], mean = 0, var = 0;
  VigilTrainRequest req;
  Recorder r;

  recorder_init (&r);
  request_init (&req, VIGIL_TARGET_VALVE);
  req.folds = 3;
  result = vigil_train (f->store, table, rig_dir, 0, 0, &req, record_progress, &r, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (r.phases->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < r.phases->len; i++)
    {
      g_assert_cmpint (g_array_index (r.phases, VigilTrainPhase, i), ==, expected[i]);
      if (i > 0)
        g_assert_cmpfloat (g_array_index (r.fractions, double, i), >=,
                           g_array_index (r.fractions, double, i - 1));
    }
  for (guint k = 0; k < 3; k++)
    g_assert_cmpuint (g_array_index (r.folds, guint, 3 + k), ==, k + 1);
  g_assert_cmpfloat (g_array_index (r.fractions, double, 0), ==, 0);
  /* Each fold is a training's worth of work, the first one after the main training. */
  g_assert_cmpfloat (g_array_index (r.fractions, double, 3), >, 0);
  g_assert_cmpfloat (g_array_index (r.fractions, double, 6), <, 1);
  g_assert_cmpfloat (g_array_index (r.fractions, double, 7), ==, 1);

  /* The cross-validation, redone here fold by fold. */
  fold = g_new (guint, n);
  is_test = g_new (guint8, n);
  truth = g_new (int, n);
  pred = g_new (int, n);
  vigil_folds_stratified (labels, n, 3, SEED, fold);
  for (guint k = 0; k < 3; k++)
    {
      guint n_test = 0, correct = 0;

      for (guint i = 0; i < n; i++)
        is_test[i] = fold[i] == k;
      train_and_predict (is_test, labels, &req.params, NULL, truth, pred, &n_test);
      for (guint i = 0; i < n_test; i++)
        correct += truth[i] == pred[i];
      accuracy[k] = (double) correct / n_test;
      mean += accuracy[k] / 3;
    }
  for (guint k = 0; k < 3; k++)
    var += (accuracy[k] - mean) * (accuracy[k] - mean) / 3;
  g_assert_cmpuint (result->folds, ==, 3);
  g_assert_cmpfloat_with_epsilon (result->cv_mean, mean, 1e-12);
  g_assert_cmpfloat_with_epsilon (result->cv_std, sqrt (var), 1e-12);

  {
    g_autoptr(VigilModelRecord) record = vigil_store_get_model (f->store, result->model_id,
                                                                &error);
    VigilMetrics m;
    guint folds = 0;
    double cv_mean = -1, cv_std = -1;

    g_assert_no_error (error);
    g_assert_true (vigil_train_metrics_from_json (record->metrics_json, &m, &folds, &cv_mean,
                                                  &cv_std, &error));
    g_assert_cmpuint (folds, ==, 3);
    g_assert_cmpfloat (cv_mean, ==, result->cv_mean);
    g_assert_cmpfloat (cv_std, ==, result->cv_std);
  }

  recorder_clear (&r);
}

static void
assert_cancelled_at (Fixture         *f,
                     VigilTrainPhase  phase,
                     guint            fold)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilTrainResult) result = NULL;
  g_autoptr(GPtrArray) list = NULL;
  VigilTrainRequest req;
  Recorder r;

  recorder_init (&r);
  r.cancellable = g_cancellable_new ();
  r.cancel_at = phase;
  r.cancel_fold = fold;
  request_init (&req, VIGIL_TARGET_VALVE);
  req.folds = 3;
  result = vigil_train (f->store, table, rig_dir, 0, 0, &req, record_progress, &r,
                        r.cancellable, &error);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_CANCELLED);
  g_assert_null (result);
  /* Nothing after the phase that was cancelled. */
  g_assert_cmpint (g_array_index (r.phases, VigilTrainPhase, r.phases->len - 1), ==, phase);

  g_clear_error (&error);
  list = vigil_store_list_models (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
  g_assert_cmpint (vigil_store_get_alias (f->store, "valve", VIGIL_CHAMPION_ALIAS, &error), ==,
                   0);
  g_assert_no_error (error);
  recorder_clear (&r);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  assert_cancelled_at (f, VIGIL_TRAIN_PHASE_TRAINING, 0);
  assert_cancelled_at (f, VIGIL_TRAIN_PHASE_CROSS_VALIDATING, 2);
  assert_cancelled_at (f, VIGIL_TRAIN_PHASE_REGISTERING, 0);
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) list = NULL;
  VigilTrainRequest req;

  /* The cooler never changes in these cycles: one class is nothing to learn. */
  {
    g_autoptr(GError) error = NULL;

    request_init (&req, VIGIL_TARGET_COOLER);
    g_assert_null (vigil_train (f->store, table, rig_dir, 0, 0, &req, NULL, NULL, NULL,
                                &error));
    g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  }
  {
    g_autoptr(GError) error = NULL;

    request_init (&req, VIGIL_TARGET_VALVE);
    req.folds = 1;
    g_assert_null (vigil_train (f->store, table, rig_dir, 0, 0, &req, NULL, NULL, NULL,
                                &error));
    g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  }
  {
    g_autoptr(GError) error = NULL;

    request_init (&req, VIGIL_TARGET_VALVE);
    req.test_fraction = 1;
    g_assert_null (vigil_train (f->store, table, rig_dir, 0, 0, &req, NULL, NULL, NULL,
                                &error));
    g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  }

  list = vigil_store_list_models (f->store, NULL);
  g_assert_cmpuint (list->len, ==, 0);
}

static void
assert_metrics_refused (const char *json,
                        const char *expected_words)
{
  g_autoptr(GError) error = NULL;
  VigilMetrics m;

  g_assert_false (vigil_train_metrics_from_json (json, &m, NULL, NULL, NULL, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, expected_words));
}

static void
test_json (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *params_json = NULL;
  g_autofree char *metrics_json = NULL;
  g_auto(GStrv) names = NULL;
  VigilModelParams p, q;
  VigilMetrics m = { 0 }, back;
  guint folds = 0;
  double mean = 0, std = 0;

  vigil_model_params_init (&p, VIGIL_ALGORITHM_GBT);
  p.n_trees = 7;
  p.seed = G_GUINT64_CONSTANT (1) << 40;
  p.learning_rate = 0.125;
  params_json = vigil_train_params_to_json (&p);
  g_assert_true (vigil_train_params_from_json (params_json, &q, &error));
  g_assert_no_error (error);
  g_assert_cmpint (q.algorithm, ==, VIGIL_ALGORITHM_GBT);
  g_assert_cmpuint (q.n_trees, ==, 7);
  g_assert_cmpuint (q.max_depth, ==, p.max_depth);
  g_assert_cmpfloat (q.learning_rate, ==, 0.125);
  g_assert_cmpfloat (q.subsample, ==, p.subsample);
  g_assert_cmpfloat (q.colsample, ==, p.colsample);
  g_assert_cmpuint (q.seed, ==, p.seed);
  /* mtry is extra trees' alone: the other lists do not name it */
  g_assert_null (strstr (params_json, "mtry"));
  g_clear_pointer (&params_json, g_free);

  vigil_model_params_init (&p, VIGIL_ALGORITHM_ET);
  p.mtry = 9;
  params_json = vigil_train_params_to_json (&p);
  g_assert_true (vigil_train_params_from_json (params_json, &q, &error));
  g_assert_no_error (error);
  g_assert_cmpint (q.algorithm, ==, VIGIL_ALGORITHM_ET);
  g_assert_cmpuint (q.n_trees, ==, p.n_trees);
  g_assert_cmpuint (q.max_depth, ==, 0);
  g_assert_cmpuint (q.mtry, ==, 9);

  m.n_classes = 3;
  m.classes[0] = 3;
  m.classes[1] = 20;
  m.classes[2] = 100;
  m.confusion[0][0] = 5;
  m.confusion[1][2] = 4000000000u;
  m.confusion[2][1] = 1;
  m.recall[0] = 1;
  m.recall[1] = 1.0 / 3;
  m.accuracy = 0.1 + 0.2;
  m.macro_f1 = 2.0 / 7;
  metrics_json = vigil_train_metrics_to_json (&m, 5, 0.9, 0.05);
  g_assert_true (vigil_train_metrics_from_json (metrics_json, &back, &folds, &mean, &std,
                                                &error));
  g_assert_no_error (error);
  assert_same_metrics (&back, &m);
  g_assert_cmpuint (folds, ==, 5);
  g_assert_cmpfloat (mean, ==, 0.9);
  g_assert_cmpfloat (std, ==, 0.05);

  names = vigil_train_features_from_json ("[\"PS1_mean\",\"TS4_q75\"]", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[1], ==, "TS4_q75");
  g_assert_null (vigil_train_features_from_json ("[\"PS1_mean\",3]", &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
  g_clear_error (&error);
  g_assert_null (vigil_train_features_from_json ("{}", &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
  g_clear_error (&error);
  g_assert_false (vigil_train_params_from_json ("{\"algorithm\":\"svm\"}", &q, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);

  assert_metrics_refused ("not json", "not JSON");
  assert_metrics_refused ("[]", "not a JSON object");
  assert_metrics_refused ("{\"accuracy\":1,\"macro_f1\":1,\"classes\":[1,2],\"recall\":[1,1]}",
                          "confusion");
  assert_metrics_refused ("{\"accuracy\":1,\"macro_f1\":1,\"classes\":[1,2],\"recall\":[1,1],"
                          "\"confusion\":[[1,0],[0]]}", "Row 1");
  assert_metrics_refused ("{\"accuracy\":1,\"macro_f1\":1,\"classes\":[1,2],\"recall\":[1,1],"
                          "\"confusion\":[[1,0],[0,-2]]}", "row 1, column 1");
  assert_metrics_refused ("{\"accuracy\":1,\"macro_f1\":1,\"classes\":[1,\"x\"],"
                          "\"recall\":[1,1],\"confusion\":[[1,0],[0,1]]}", "classes");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmp = g_dir_make_tmp ("vigil-trainer-rig-XXXXXX", &error);
  g_assert_no_error (error);
  rig_dir = g_build_filename (tmp, "rig", NULL);
  g_assert_true (vigil_hydraulic_generate (rig_dir, RIG_CYCLES, RIG_SEED, NULL, &error));
  g_assert_no_error (error);
  table = vigil_feature_table_new_from_dataset (rig_dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vigil_feature_table_get_n_rows (table), ==, RIG_CYCLES);

  g_test_add ("/engine/trainer/registers/rf", Fixture, GINT_TO_POINTER (VIGIL_ALGORITHM_RF),
              fixture_set_up, test_registers, fixture_tear_down);
  g_test_add ("/engine/trainer/registers/et", Fixture, GINT_TO_POINTER (VIGIL_ALGORITHM_ET),
              fixture_set_up, test_registers, fixture_tear_down);
  g_test_add ("/engine/trainer/champion", Fixture, NULL, fixture_set_up, test_champion,
              fixture_tear_down);
  g_test_add ("/engine/trainer/progress", Fixture, NULL, fixture_set_up, test_progress,
              fixture_tear_down);
  g_test_add ("/engine/trainer/cancel", Fixture, NULL, fixture_set_up, test_cancel,
              fixture_tear_down);
  g_test_add ("/engine/trainer/errors", Fixture, NULL, fixture_set_up, test_errors,
              fixture_tear_down);
  g_test_add_func ("/engine/trainer/json", test_json);

  status = g_test_run ();

  vigil_feature_table_free (table);
  vigil_test_remove_tree (tmp);
  g_free (rig_dir);

  return status;
}
