/* vigil-trainer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-trainer"

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "vigil-error.h"
#include "vigil-trainer.h"

/* Progress weights: a fold costs about what the main training costs (it trains on a little
 * less data); saving and registering cost a tenth of that. */
#define REGISTER_WEIGHT 0.1

void
vigil_train_request_init (VigilTrainRequest *req,
                          VigilTarget        target,
                          VigilAlgorithm     algorithm)
{
  g_return_if_fail (req != NULL);

  memset (req, 0, sizeof *req);
  req->target = target;
  vigil_model_params_init (&req->params, algorithm);
  req->test_fraction = 0.25;
}

void
vigil_train_result_free (VigilTrainResult *result)
{
  if (result == NULL)
    return;

  g_free (result->importance);
  g_strfreev (result->feature_names);
  g_free (result);
}

/* Training as it goes: what progress reports need. */
typedef struct
{
  VigilTrainProgressFunc  func;
  gpointer                user_data;
  double                  total;
  double                  done;
} Progress;

static void
report (Progress        *p,
        VigilTrainPhase  phase,
        guint            fold,
        guint            n_folds)
{
  if (p->func != NULL)
    p->func (phase, fold, n_folds, phase == VIGIL_TRAIN_PHASE_DONE ? 1 : MIN (p->done / p->total,
                                                                                1),
             p->user_data);
}

static gboolean
check_cancelled (GCancellable  *cancellable,
                 GError       **error)
{
  if (!g_cancellable_is_cancelled (cancellable))
    return TRUE;

  g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_CANCELLED, "Training was cancelled");
  return FALSE;
}

/* Copies the rows with is_test[i] == want into @x and @y; returns their count. */
static guint
take_rows (VigilFeatureTable *table,
           const int         *labels,
           const guint8      *is_test,
           guint8             want,
           float             *x,
           int               *y)
{
  guint n_features = vigil_feature_table_get_n_features (table);
  guint n = 0;

  for (guint i = 0; i < vigil_feature_table_get_n_rows (table); i++)
    {
      if (is_test[i] != want)
        continue;
      memcpy (x + (gsize) n * n_features, vigil_feature_table_get_row (table, i),
              n_features * sizeof (float));
      y[n++] = labels[i];
    }

  return n;
}

/* Stratified k-fold accuracy over every row of @table. */
static gboolean
cross_validate (VigilFeatureTable       *table,
                const int               *labels,
                guint                    k,
                const VigilModelParams  *params,
                Progress                *progress,
                GCancellable            *cancellable,
                double                  *out_mean,
                double                  *out_std,
                GError                 **error)
{
  guint n = vigil_feature_table_get_n_rows (table);
  guint n_features = vigil_feature_table_get_n_features (table);
  g_autofree guint *fold = g_new (guint, n);
  g_autofree guint8 *is_test = g_new (guint8, n);
  g_autofree float *x_train = g_new (float, (gsize) n * n_features);
  g_autofree float *x_test = g_new (float, (gsize) n * n_features);
  g_autofree int *y_train = g_new (int, n);
  g_autofree int *y_test = g_new (int, n);
  g_autofree int *pred = g_new (int, n);
  g_autofree float *proba = g_new (float, (gsize) n * VIGIL_MODEL_MAX_CLASSES);
  g_autofree double *accuracy = g_new (double, k);
  double sum = 0, sum_sq = 0;

  vigil_folds_stratified (labels, n, k, params->seed, fold);

  for (guint f = 0; f < k; f++)
    {
      g_autoptr(VigilModel) model = NULL;
      guint n_train, n_test, correct = 0;

      report (progress, VIGIL_TRAIN_PHASE_CROSS_VALIDATING, f + 1, k);
      if (!check_cancelled (cancellable, error))
        return FALSE;

      for (guint i = 0; i < n; i++)
        is_test[i] = fold[i] == f;
      n_train = take_rows (table, labels, is_test, 0, x_train, y_train);
      n_test = take_rows (table, labels, is_test, 1, x_test, y_test);

      model = vigil_model_train (x_train, n_train, n_features, y_train, params, cancellable,
                                 error);
      if (model == NULL ||
          !vigil_model_predict (model, x_test, n_test, proba, pred, error))
        return FALSE;

      for (guint i = 0; i < n_test; i++)
        correct += pred[i] == y_test[i];
      accuracy[f] = n_test > 0 ? (double) correct / n_test : 0;
      sum += accuracy[f];
      progress->done += 1;
    }

  *out_mean = sum / k;
  for (guint f = 0; f < k; f++)
    sum_sq += (accuracy[f] - *out_mean) * (accuracy[f] - *out_mean);
  *out_std = sqrt (sum_sq / k);

  return TRUE;
}

static gboolean
check_request (const VigilTrainRequest  *req,
               GError                  **error)
{
  if ((guint) req->target >= VIGIL_N_TARGETS)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Unknown training target %d", (int) req->target);
      return FALSE;
    }
  if (!(req->test_fraction > 0 && req->test_fraction < 1))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "The test fraction must be between 0 and 1, not %g", req->test_fraction);
      return FALSE;
    }
  if (req->folds == 1 || req->folds > 100)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Cross-validation takes 2 to 100 folds, not %u", req->folds);
      return FALSE;
    }

  return TRUE;
}

/* Registers the trained model and makes it champion as @req asks; fills @result's ids. */
static gboolean
register_model (VigilStore              *store,
                VigilFeatureTable       *table,
                VigilModel              *model,
                const char              *data_source,
                gint64                   data_from_us,
                gint64                   data_to_us,
                const VigilTrainRequest *req,
                VigilTrainResult        *result,
                GError                 **error)
{
  g_autoptr(GBytes) blob = vigil_model_save (model, error);
  g_autofree char *params_json = NULL;
  g_autofree char *features_json = NULL;
  g_autofree char *metrics_json = NULL;
  VigilModelRecord record = { 0 };
  const char *target = vigil_target_to_string (req->target);

  if (blob == NULL)
    return FALSE;

  params_json = vigil_train_params_to_json (&result->params);
  features_json = vigil_train_features_to_json (table);
  metrics_json = vigil_train_metrics_to_json (&result->metrics, result->folds, result->cv_mean,
                                              result->cv_std);

  record.target = (char *) target;
  record.algorithm = (char *) vigil_algorithm_to_string (result->params.algorithm);
  record.params_json = params_json;
  record.features_json = features_json;
  record.data_source = (char *) data_source;
  record.data_from_us = data_from_us;
  record.data_to_us = data_to_us;
  record.n_train = result->n_train;
  record.n_test = result->n_test;
  record.metrics_json = metrics_json;
  record.model = blob;

  result->model_id = vigil_store_add_model (store, &record, error);
  if (result->model_id == 0)
    return FALSE;

  result->champion_id = vigil_store_get_alias (store, target, VIGIL_CHAMPION_ALIAS, error);
  if (result->champion_id == 0 && error != NULL && *error != NULL)
    return FALSE;
  if (result->champion_id == 0 || req->make_champion)
    {
      if (!vigil_store_set_alias (store, target, VIGIL_CHAMPION_ALIAS, result->model_id, error))
        return FALSE;
      result->champion_id = result->model_id;
    }
  result->is_champion = result->champion_id == result->model_id;

  return TRUE;
}

VigilTrainResult *
vigil_train (VigilStore              *store,
             VigilFeatureTable       *table,
             const char              *data_source,
             gint64                   data_from_us,
             gint64                   data_to_us,
             const VigilTrainRequest *req,
             VigilTrainProgressFunc   progress_func,
             gpointer                 user_data,
             GCancellable            *cancellable,
             GError                 **error)
{
  g_autoptr(VigilTrainResult) result = NULL;
  g_autoptr(VigilModel) model = NULL;
  g_autofree int *labels = NULL;
  g_autofree guint8 *is_test = NULL;
  g_autofree float *x_train = NULL;
  g_autofree float *x_test = NULL;
  g_autofree int *y_train = NULL;
  g_autofree int *y_test = NULL;
  g_autofree int *pred = NULL;
  g_autofree float *proba = NULL;
  Progress progress = { progress_func, user_data, 1 + req->folds + REGISTER_WEIGHT, 0 };
  guint n, n_features;

  g_return_val_if_fail (VIGIL_IS_STORE (store), NULL);
  g_return_val_if_fail (table != NULL, NULL);
  g_return_val_if_fail (data_source != NULL, NULL);
  g_return_val_if_fail (req != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_request (req, error))
    return NULL;

  if (!vigil_feature_table_has_labels (table))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "%s has no cycle labels to train on", data_source);
      return NULL;
    }

  report (&progress, VIGIL_TRAIN_PHASE_SPLITTING, 0, req->folds);

  result = g_new0 (VigilTrainResult, 1);
  result->target = req->target;
  result->folds = req->folds;
  n = vigil_feature_table_get_n_rows (table);
  n_features = result->n_features = vigil_feature_table_get_n_features (table);
  labels = g_new (int, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    labels[i] = vigil_cycle_label_get (vigil_feature_table_get_label (table, i), req->target);

  is_test = g_new (guint8, MAX (n, 1));
  vigil_split_stratified (labels, n, req->test_fraction, req->params.seed, is_test);
  x_train = g_new (float, MAX ((gsize) n * n_features, 1));
  x_test = g_new (float, MAX ((gsize) n * n_features, 1));
  y_train = g_new (int, MAX (n, 1));
  y_test = g_new (int, MAX (n, 1));
  result->n_train = take_rows (table, labels, is_test, 0, x_train, y_train);
  result->n_test = take_rows (table, labels, is_test, 1, x_test, y_test);
  if (result->n_train == 0 || result->n_test == 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "%s has too few cycles (%u) to split into training and test sets",
                   data_source, n);
      return NULL;
    }

  report (&progress, VIGIL_TRAIN_PHASE_TRAINING, 0, req->folds);
  if (!check_cancelled (cancellable, error))
    return NULL;
  model = vigil_model_train (x_train, result->n_train, n_features, y_train, &req->params,
                             cancellable, error);
  if (model == NULL)
    return NULL;
  progress.done += 1;

  report (&progress, VIGIL_TRAIN_PHASE_TESTING, 0, req->folds);
  if (!check_cancelled (cancellable, error))
    return NULL;
  pred = g_new (int, result->n_test);
  proba = g_new (float, (gsize) result->n_test * vigil_model_get_n_classes (model));
  if (!vigil_model_predict (model, x_test, result->n_test, proba, pred, error))
    return NULL;
  vigil_metrics_compute (y_test, pred, result->n_test, &result->metrics);

  result->importance = g_new0 (float, MAX (n_features, 1));
  if (!vigil_model_get_importance (model, result->importance, error))
    return NULL;
  result->feature_names = g_new0 (char *, n_features + 1);
  for (guint j = 0; j < n_features; j++)
    result->feature_names[j] = g_strdup (vigil_feature_table_get_name (table, j));

  if (req->folds > 0 &&
      !cross_validate (table, labels, req->folds, &req->params, &progress, cancellable,
                       &result->cv_mean, &result->cv_std, error))
    return NULL;

  /* The last chance to stop: once registered, the model stays. */
  report (&progress, VIGIL_TRAIN_PHASE_REGISTERING, 0, req->folds);
  if (!check_cancelled (cancellable, error))
    return NULL;
  vigil_model_get_params (model, &result->params);
  if (!register_model (store, table, model, data_source, data_from_us, data_to_us, req, result,
                       error))
    return NULL;
  progress.done = progress.total;
  report (&progress, VIGIL_TRAIN_PHASE_DONE, 0, req->folds);

  return g_steal_pointer (&result);
}

/* JSON ---------------------------------------------------------------------------------------- */

static char *
node_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);

  return json_generator_to_data (generator, NULL);
}

static JsonNode *
parse_json (const char  *text,
            const char  *what,
            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, &local))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "The model's %s is not JSON: %s", what,
                   local != NULL ? local->message : "missing");
      return NULL;
    }

  return json_node_copy (json_parser_get_root (parser));
}

char *
vigil_train_params_to_json (const VigilModelParams *p)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (p != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "algorithm");
  json_builder_add_string_value (b, vigil_algorithm_to_string (p->algorithm));
  json_builder_set_member_name (b, "n_trees");
  json_builder_add_int_value (b, p->n_trees);
  json_builder_set_member_name (b, "max_depth");
  json_builder_add_int_value (b, p->max_depth);
  json_builder_set_member_name (b, "learning_rate");
  json_builder_add_double_value (b, p->learning_rate);
  json_builder_set_member_name (b, "subsample");
  json_builder_add_double_value (b, p->subsample);
  json_builder_set_member_name (b, "colsample");
  json_builder_add_double_value (b, p->colsample);
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, (gint64) p->seed);
  /* only extra trees use it: the other algorithms' lists stay as they were */
  if (p->algorithm == VIGIL_ALGORITHM_ET)
    {
      json_builder_set_member_name (b, "mtry");
      json_builder_add_int_value (b, p->mtry);
    }
  json_builder_end_object (b);

  root = json_builder_get_root (b);

  return node_to_string (root);
}

gboolean
vigil_train_params_from_json (const char        *json,
                              VigilModelParams  *out,
                              GError           **error)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o;
  VigilAlgorithm algorithm = VIGIL_ALGORITHM_RF;

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  root = parse_json (json, "parameter list", error);
  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "The model's parameter list is not a JSON object");
      return FALSE;
    }

  o = json_node_get_object (root);
  if (json_object_has_member (o, "algorithm") &&
      !vigil_algorithm_from_string (json_object_get_string_member (o, "algorithm"), &algorithm))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "The model's parameters name an unknown algorithm");
      return FALSE;
    }

  vigil_model_params_init (out, algorithm);
  out->n_trees = (guint) json_object_get_int_member_with_default (o, "n_trees", out->n_trees);
  out->max_depth = (guint) json_object_get_int_member_with_default (o, "max_depth",
                                                                    out->max_depth);
  out->learning_rate = json_object_get_double_member_with_default (o, "learning_rate",
                                                                   out->learning_rate);
  out->subsample = json_object_get_double_member_with_default (o, "subsample", out->subsample);
  out->colsample = json_object_get_double_member_with_default (o, "colsample", out->colsample);
  out->seed = (guint64) json_object_get_int_member_with_default (o, "seed", 0);
  out->mtry = (guint) json_object_get_int_member_with_default (o, "mtry", out->mtry);

  return TRUE;
}

char *
vigil_train_features_to_json (VigilFeatureTable *table)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (table != NULL, NULL);

  json_builder_begin_array (b);
  for (guint j = 0; j < vigil_feature_table_get_n_features (table); j++)
    json_builder_add_string_value (b, vigil_feature_table_get_name (table, j));
  json_builder_end_array (b);

  root = json_builder_get_root (b);

  return node_to_string (root);
}

char **
vigil_train_features_from_json (const char  *json,
                                GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GStrvBuilder) names = NULL;
  JsonArray *array;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = parse_json (json, "feature list", error);
  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "The model's feature list is not a JSON array");
      return NULL;
    }

  array = json_node_get_array (root);
  names = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) ||
          json_node_get_value_type (element) != G_TYPE_STRING)
        {
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                       "Feature %u of the model's feature list is not a string", i);
          return NULL;
        }
      g_strv_builder_add (names, json_node_get_string (element));
    }

  return g_strv_builder_end (names);
}

char *
vigil_train_metrics_to_json (const VigilMetrics *m,
                             guint               folds,
                             double              cv_mean,
                             double              cv_std)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (m != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "accuracy");
  json_builder_add_double_value (b, m->accuracy);
  json_builder_set_member_name (b, "macro_f1");
  json_builder_add_double_value (b, m->macro_f1);
  json_builder_set_member_name (b, "classes");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->n_classes; i++)
    json_builder_add_int_value (b, m->classes[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "recall");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->n_classes; i++)
    json_builder_add_double_value (b, m->recall[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "confusion");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->n_classes; i++)
    {
      json_builder_begin_array (b);
      for (guint j = 0; j < m->n_classes; j++)
        json_builder_add_int_value (b, m->confusion[i][j]);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  if (folds > 0)
    {
      json_builder_set_member_name (b, "cv_folds");
      json_builder_add_int_value (b, folds);
      json_builder_set_member_name (b, "cv_accuracy_mean");
      json_builder_add_double_value (b, cv_mean);
      json_builder_set_member_name (b, "cv_accuracy_std");
      json_builder_add_double_value (b, cv_std);
    }
  json_builder_end_object (b);

  root = json_builder_get_root (b);

  return node_to_string (root);
}

/* Member @name of @o as an array of @n entries, numbers unless @of_arrays, or NULL with an
 * error naming it. */
static JsonArray *
get_array (JsonObject  *o,
           const char  *name,
           guint        n,
           gboolean     of_arrays,
           GError     **error)
{
  JsonNode *node = json_object_get_member (o, name);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (array = json_node_get_array (node)) != n)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "The model's metrics lack “%s” with %u entries", name, n);
      return NULL;
    }

  for (guint i = 0; i < n && !of_arrays; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) ||
          (json_node_get_value_type (element) != G_TYPE_INT64 &&
           json_node_get_value_type (element) != G_TYPE_DOUBLE))
        {
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                       "Entry %u of the model's “%s” is not a number", i, name);
          return NULL;
        }
    }

  return array;
}

static gboolean
has_number (JsonObject *o,
            const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         (json_node_get_value_type (node) == G_TYPE_INT64 ||
          json_node_get_value_type (node) == G_TYPE_DOUBLE);
}

gboolean
vigil_train_metrics_from_json (const char    *json,
                               VigilMetrics  *out,
                               guint         *out_folds,
                               double        *out_cv_mean,
                               double        *out_cv_std,
                               GError       **error)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o;
  JsonArray *classes, *recall, *confusion;
  guint n;

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  root = parse_json (json, "metrics", error);
  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "The model's metrics are not a JSON object");
      return FALSE;
    }
  o = json_node_get_object (root);

  if (!has_number (o, "accuracy") || !has_number (o, "macro_f1"))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "The model's metrics lack the accuracy or the macro F1");
      return FALSE;
    }
  if (!json_object_has_member (o, "classes") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "classes")) ||
      (n = json_array_get_length (json_object_get_array_member (o, "classes"))) >
      VIGIL_MODEL_MAX_CLASSES)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "The model's metrics lack a list of at most %d classes",
                   VIGIL_MODEL_MAX_CLASSES);
      return FALSE;
    }
  if ((classes = get_array (o, "classes", n, FALSE, error)) == NULL ||
      (recall = get_array (o, "recall", n, FALSE, error)) == NULL ||
      (confusion = get_array (o, "confusion", n, TRUE, error)) == NULL)
    return FALSE;

  memset (out, 0, sizeof *out);
  out->n_classes = n;
  out->accuracy = json_object_get_double_member (o, "accuracy");
  out->macro_f1 = json_object_get_double_member (o, "macro_f1");
  for (guint i = 0; i < n; i++)
    {
      JsonNode *row_node = json_array_get_element (confusion, i);
      JsonArray *row;

      out->classes[i] = (int) json_array_get_int_element (classes, i);
      out->recall[i] = json_array_get_double_element (recall, i);

      if (!JSON_NODE_HOLDS_ARRAY (row_node) ||
          json_array_get_length (row = json_node_get_array (row_node)) != n)
        {
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                       "Row %u of the model's confusion matrix does not have %u counts", i, n);
          return FALSE;
        }
      for (guint j = 0; j < n; j++)
        {
          JsonNode *cell = json_array_get_element (row, j);
          gint64 count = -1;

          if (JSON_NODE_HOLDS_VALUE (cell) && json_node_get_value_type (cell) == G_TYPE_INT64)
            count = json_node_get_int (cell);
          if (count < 0 || count > G_MAXUINT)
            {
              g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                           "The model's confusion matrix holds a bad count at row %u, column %u",
                           i, j);
              return FALSE;
            }
          out->confusion[i][j] = (guint) count;
        }
    }

  if (out_folds != NULL)
    *out_folds = (guint) json_object_get_int_member_with_default (o, "cv_folds", 0);
  if (out_cv_mean != NULL)
    *out_cv_mean = json_object_get_double_member_with_default (o, "cv_accuracy_mean", 0);
  if (out_cv_std != NULL)
    *out_cv_std = json_object_get_double_member_with_default (o, "cv_accuracy_std", 0);

  return TRUE;
}
