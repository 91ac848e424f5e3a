/* vigil-cli-models.c
 *
 * `vigil-cli train`, `vigil-cli models` and `vigil-cli predict`: health models trained on a
 * dataset or a recorded session, kept in a store's registry, and applied to a dataset.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-cli"

#include "config.h"

#include <math.h>
#include <stdio.h>

#include <json-glib/json-glib.h>

#include "vigil-cli-models.h"
#include "vigil-cli-private.h"
#include "vigil-error.h"
#include "vigil-features.h"
#include "vigil-model.h"
#include "vigil-store.h"
#include "vigil-time.h"
#include "vigil-trainer.h"

#define CHAMPION "champion"

static const char train_description[] =
  "Computes per-cycle features of a dataset folder (--dataset) or of a session recorded in\n"
  "the store (--session), splits the cycles per class with the seed (--test-fraction of each\n"
  "class held out), trains a classifier for the target on the rest and prints its test\n"
  "metrics: accuracy, macro F1, per-class recall and the confusion matrix (rows: true class,\n"
  "columns: predicted). --folds K adds stratified K-fold cross-validation over every cycle.\n"
  "The model is registered in --db (created if needed) and becomes the target's champion\n"
  "when it has none yet (--champion: always).\n"
  "\n"
  "Targets: cooler, valve, pump, accumulator, stable. Algorithms: rf (random forest, 20 trees\n"
  "by default), gbt (gradient boosting, 100 rounds by default), et (extra trees, 100 trees by\n"
  "default).\n"
  "\n"
  "Example:\n"
  "  vigil-cli train --db models.vigil --dataset hydraulic-uci --target cooler --folds 5";

static const char predict_description[] =
  "Predicts every cycle of a dataset folder with a registered model (--model) or with the\n"
  "champion of a target (--target) and writes CSV: cycle (1-based row of the dataset),\n"
  "predicted (a class in the dataset's units), then p_<class> per class of the model.\n"
  "Without --out the CSV goes to standard output.";

/* Helpers ------------------------------------------------------------------------------------ */

static char *
format_double (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.4f", value));
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL))
    return NULL;

  return json_node_copy (json_parser_get_root (parser));
}

static void
print_metrics (const VigilMetrics *m)
{
  g_autofree char *accuracy = format_double (m->accuracy);
  g_autofree char *macro_f1 = format_double (m->macro_f1);

  g_print ("accuracy: %s\n", accuracy);
  g_print ("macro F1: %s\n", macro_f1);
  g_print ("recall:");
  for (guint i = 0; i < m->n_classes; i++)
    {
      g_autofree char *recall = format_double (m->recall[i]);

      g_print (" %d=%s", m->classes[i], recall);
    }
  g_print ("\nconfusion (rows: true class, columns: predicted):\n%8s", "");
  for (guint j = 0; j < m->n_classes; j++)
    g_print (" %7d", m->classes[j]);
  g_print ("\n");
  for (guint i = 0; i < m->n_classes; i++)
    {
      g_print ("%8d", m->classes[i]);
      for (guint j = 0; j < m->n_classes; j++)
        g_print (" %7u", m->confusion[i][j]);
      g_print ("\n");
    }
}

/* train -------------------------------------------------------------------------------------- */

int
_vigil_cli_train (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilFeatureTable) table = NULL;
  g_autoptr(VigilTrainResult) result = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *dataset = NULL;
  g_autofree char *target_name = NULL;
  g_autofree char *algorithm_name = NULL;
  g_autofree char *data_source = NULL;
  gint64 session_id = 0;
  gint64 seed = 0;
  gint64 data_from_us = 0, data_to_us = 0;
  int trees = 0;
  int folds = 0;
  double test_fraction = 0.25;
  gboolean force_champion = FALSE;
  VigilTarget target;
  VigilAlgorithm algorithm = VIGIL_ALGORITHM_RF;
  VigilTrainRequest req;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path,
      "The store that registers the model (created if needed)", "FILE" },
    { "dataset", 0, 0, G_OPTION_ARG_FILENAME, &dataset, "Train on this dataset folder", "DIR" },
    { "session", 0, 0, G_OPTION_ARG_INT64, &session_id,
      "Train on this session of the store", "ID" },
    { "target", 't', 0, G_OPTION_ARG_STRING, &target_name,
      "What to predict: cooler, valve, pump, accumulator or stable", "T" },
    { "algorithm", 'a', 0, G_OPTION_ARG_STRING, &algorithm_name,
      "rf (random forest, the default), gbt (gradient boosting) or et (extra trees)",
      "rf|gbt|et" },
    { "trees", 0, 0, G_OPTION_ARG_INT, &trees,
      "Trees in the forest, or boosting rounds (default: 20 for rf, 100 for gbt and et)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the split and the training (0)", "S" },
    { "test-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &test_fraction,
      "Fraction of each class held out for testing (0.25)", "F" },
    { "folds", 0, 0, G_OPTION_ARG_INT, &folds, "Also cross-validate with K folds", "K" },
    { "champion", 0, 0, G_OPTION_ARG_NONE, &force_champion,
      "Make the model its target's champion even if it has one", NULL },
    { NULL }
  };

  context = g_option_context_new ("- train a health model and register it");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, train_description);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return _vigil_cli_usage ("train", error->message);

  if (argc != 1)
    return _vigil_cli_usage ("train", "unexpected argument");
  if (db_path == NULL)
    return _vigil_cli_usage ("train", "--db FILE is required");
  if ((dataset == NULL) == (session_id == 0))
    return _vigil_cli_usage ("train", "give either --dataset DIR or --session ID");
  if (session_id < 0)
    return _vigil_cli_usage ("train", "--session takes a positive session id");
  if (target_name == NULL || !vigil_target_from_string (target_name, &target))
    return _vigil_cli_usage ("train", "--target must be cooler, valve, pump, accumulator or "
                                      "stable");
  if (algorithm_name != NULL && !vigil_algorithm_from_string (algorithm_name, &algorithm))
    return _vigil_cli_usage ("train", "--algorithm must be rf, gbt or et");
  if (trees < 0 || trees > 100000)
    return _vigil_cli_usage ("train", "--trees takes a number from 1 to 100000");
  if (seed < 0)
    return _vigil_cli_usage ("train", "--seed takes a non-negative number");
  if (!(test_fraction > 0 && test_fraction < 1))
    return _vigil_cli_usage ("train", "--test-fraction takes a number between 0 and 1");
  if (folds == 1 || folds < 0 || folds > 100)
    return _vigil_cli_usage ("train", "--folds takes a number from 2 to 100");

  store = vigil_store_open (db_path, &error);
  if (store == NULL)
    return _vigil_cli_fail (error);

  if (dataset != NULL)
    {
      table = vigil_feature_table_new_from_dataset (dataset, NULL, &error);
      data_source = g_canonicalize_filename (dataset, NULL);
    }
  else
    {
      g_autoptr(VigilSessionSummary) summary = vigil_store_get_session (store, session_id,
                                                                        &error);
      g_autofree char *db_abs = g_canonicalize_filename (db_path, NULL);

      if (summary == NULL)
        return _vigil_cli_fail (error);
      table = vigil_feature_table_new_from_store (store, session_id, &error);
      data_source = g_strdup_printf ("%s#session=%" G_GINT64_FORMAT, db_abs, session_id);
      data_from_us = summary->start_us;
      data_to_us = summary->end_us;
    }
  if (table == NULL)
    return _vigil_cli_fail (error);

  vigil_train_request_init (&req, target, algorithm);
  if (trees > 0)
    req.params.n_trees = (guint) trees;
  req.params.seed = (guint64) seed;
  req.test_fraction = test_fraction;
  req.folds = (guint) folds;
  req.make_champion = force_champion;

  result = vigil_train (store, table, data_source, data_from_us, data_to_us, &req, NULL, NULL,
                        NULL, &error);
  if (result == NULL)
    return _vigil_cli_fail (error);

  g_print ("target: %s (%s, %u trees, seed %" G_GINT64_FORMAT ")\n",
           vigil_target_to_string (target), vigil_algorithm_to_string (result->params.algorithm),
           result->params.n_trees, seed);
  g_print ("cycles: %u train, %u test, %u features\n", result->n_train, result->n_test,
           result->n_features);
  print_metrics (&result->metrics);
  if (folds > 0)
    {
      g_autofree char *mean = format_double (result->cv_mean);
      g_autofree char *std = format_double (result->cv_std);

      g_print ("cv accuracy (%d folds): %s ± %s\n", folds, mean, std);
    }
  if (result->is_champion)
    g_print ("champion: yes\n");
  else
    g_print ("champion: no (model %" G_GINT64_FORMAT ")\n", result->champion_id);
  g_print ("model id: %" G_GINT64_FORMAT "\n", result->model_id);

  if (!vigil_store_close (store, &error))
    return _vigil_cli_fail (error);

  return 0;
}

/* models ------------------------------------------------------------------------------------- */

static double
member_double (JsonNode   *node,
               const char *name)
{
  JsonObject *object = node != NULL && JSON_NODE_HOLDS_OBJECT (node)
                       ? json_node_get_object (node) : NULL;

  if (object == NULL || !json_object_has_member (object, name))
    return NAN;

  return json_object_get_double_member (object, name);
}

int
_vigil_cli_models (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(GPtrArray) models = NULL;
  g_autofree char *db_path = NULL;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "The store to read", "FILE" },
    { NULL }
  };

  context = g_option_context_new ("- list the models registered in a store");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return _vigil_cli_usage ("models", error->message);

  if (argc != 1)
    return _vigil_cli_usage ("models", "unexpected argument");
  if (db_path == NULL)
    return _vigil_cli_usage ("models", "--db FILE is required");

  store = vigil_store_open_readonly (db_path, &error);
  if (store == NULL)
    return _vigil_cli_fail (error);

  models = vigil_store_list_models (store, &error);
  if (models == NULL)
    return _vigil_cli_fail (error);

  g_print ("%-6s %-12s %-9s %6s %9s %9s %-24s %s\n", "id", "target", "algorithm", "trees",
           "accuracy", "macro_f1", "created", "alias");
  for (guint i = 0; i < models->len; i++)
    {
      VigilModelRecord *r = models->pdata[i];
      g_autoptr(JsonNode) params = parse_json (r->params_json);
      g_autoptr(JsonNode) metrics = parse_json (r->metrics_json);
      g_autofree char *accuracy = format_double (member_double (metrics, "accuracy"));
      g_autofree char *macro_f1 = format_double (member_double (metrics, "macro_f1"));
      g_autofree char *created = vigil_time_format_iso8601 (r->created_us);
      double trees = member_double (params, "n_trees");

      g_print ("%-6" G_GINT64_FORMAT " %-12s %-9s %6.0f %9s %9s %-24s %s\n", r->id, r->target,
               r->algorithm, trees, accuracy, macro_f1, created,
               *r->aliases != '\0' ? r->aliases : "-");
    }

  return 0;
}

/* predict ------------------------------------------------------------------------------------ */

/* The column of @table for each of the model's feature names, or an error naming every name
 * the dataset lacks. */
static guint *
map_features (VigilFeatureTable  *table,
              const char         *features_json,
              const char         *dataset,
              guint              *out_n,
              GError            **error)
{
  g_autoptr(JsonNode) root = parse_json (features_json);
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autofree guint *columns = NULL;
  JsonArray *names;
  guint n;

  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "The model's feature list is not a JSON array");
      return NULL;
    }

  names = json_node_get_array (root);
  n = json_array_get_length (names);
  columns = g_new (guint, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    {
      const char *name = json_array_get_string_element (names, i);
      gboolean found = FALSE;

      for (guint j = 0; name != NULL && j < vigil_feature_table_get_n_features (table); j++)
        if (g_str_equal (name, vigil_feature_table_get_name (table, j)))
          {
            columns[i] = j;
            found = TRUE;
            break;
          }

      if (!found)
        g_string_append_printf (missing, "%s%s", missing->len > 0 ? ", " : "",
                                name != NULL ? name : "(not a string)");
    }

  if (missing->len > 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "%s lacks features the model needs: %s", dataset, missing->str);
      return NULL;
    }

  *out_n = n;

  return g_steal_pointer (&columns);
}

static void
append_float (GString *out,
              float    value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.9g", value));
}

int
_vigil_cli_predict (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilModelRecord) record = NULL;
  g_autoptr(VigilModel) model = NULL;
  g_autoptr(VigilFeatureTable) table = NULL;
  g_autoptr(GString) csv = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *dataset = NULL;
  g_autofree char *target_name = NULL;
  g_autofree char *out_path = NULL;
  g_autofree guint *columns = NULL;
  g_autofree float *x = NULL;
  g_autofree float *proba = NULL;
  g_autofree int *pred = NULL;
  gint64 model_id = 0;
  VigilTarget target;
  guint n_columns = 0, n_rows, n_classes;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "The store holding the model", "FILE" },
    { "model", 'm', 0, G_OPTION_ARG_INT64, &model_id, "The model to predict with", "ID" },
    { "target", 't', 0, G_OPTION_ARG_STRING, &target_name,
      "Predict with this target's champion", "T" },
    { "dataset", 0, 0, G_OPTION_ARG_FILENAME, &dataset, "The dataset folder to predict",
      "DIR" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_path,
      "Where to write the CSV (default: standard output)", "FILE.csv" },
    { NULL }
  };

  context = g_option_context_new ("- predict every cycle of a dataset with a model");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, predict_description);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return _vigil_cli_usage ("predict", error->message);

  if (argc != 1)
    return _vigil_cli_usage ("predict", "unexpected argument");
  if (db_path == NULL)
    return _vigil_cli_usage ("predict", "--db FILE is required");
  if (dataset == NULL)
    return _vigil_cli_usage ("predict", "--dataset DIR is required");
  if ((model_id == 0) == (target_name == NULL))
    return _vigil_cli_usage ("predict", "give either --model ID or --target T");
  if (model_id < 0)
    return _vigil_cli_usage ("predict", "--model takes a positive model id");
  if (target_name != NULL && !vigil_target_from_string (target_name, &target))
    return _vigil_cli_usage ("predict", "--target must be cooler, valve, pump, accumulator or "
                                        "stable");

  store = vigil_store_open_readonly (db_path, &error);
  if (store == NULL)
    return _vigil_cli_fail (error);

  if (target_name != NULL)
    {
      model_id = vigil_store_get_alias (store, target_name, CHAMPION, &error);
      if (error != NULL)
        return _vigil_cli_fail (error);
      if (model_id == 0)
        {
          g_set_error (&error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                       "%s has no champion model for %s (train one first)", db_path,
                       target_name);
          return _vigil_cli_fail (error);
        }
    }

  record = vigil_store_get_model (store, model_id, &error);
  if (record == NULL)
    return _vigil_cli_fail (error);

  model = vigil_model_load (record->model, &error);
  if (model == NULL)
    return _vigil_cli_fail (error);

  table = vigil_feature_table_new_from_dataset (dataset, NULL, &error);
  if (table == NULL)
    return _vigil_cli_fail (error);

  columns = map_features (table, record->features_json, dataset, &n_columns, &error);
  if (columns == NULL)
    return _vigil_cli_fail (error);
  if (n_columns != vigil_model_get_n_features (model))
    {
      g_set_error (&error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "Model %" G_GINT64_FORMAT " lists %u features but takes %u", model_id,
                   n_columns, vigil_model_get_n_features (model));
      return _vigil_cli_fail (error);
    }

  n_rows = vigil_feature_table_get_n_rows (table);
  n_classes = vigil_model_get_n_classes (model);
  x = g_new (float, MAX ((gsize) n_rows * n_columns, 1));
  for (guint i = 0; i < n_rows; i++)
    {
      const float *row = vigil_feature_table_get_row (table, i);

      for (guint j = 0; j < n_columns; j++)
        x[(gsize) i * n_columns + j] = row[columns[j]];
    }

  proba = g_new (float, MAX ((gsize) n_rows * n_classes, 1));
  pred = g_new (int, MAX (n_rows, 1));
  if (n_rows > 0 && !vigil_model_predict (model, x, n_rows, proba, pred, &error))
    return _vigil_cli_fail (error);

  csv = g_string_new ("cycle,predicted");
  for (guint c = 0; c < n_classes; c++)
    g_string_append_printf (csv, ",p_%d", vigil_model_get_class (model, c));
  g_string_append_c (csv, '\n');
  for (guint i = 0; i < n_rows; i++)
    {
      g_string_append_printf (csv, "%u,%d", vigil_feature_table_get_cycle (table, i) + 1,
                              pred[i]);
      for (guint c = 0; c < n_classes; c++)
        {
          g_string_append_c (csv, ',');
          append_float (csv, proba[(gsize) i * n_classes + c]);
        }
      g_string_append_c (csv, '\n');
    }

  if (out_path == NULL || g_str_equal (out_path, "-"))
    {
      fwrite (csv->str, 1, csv->len, stdout);
      if (fflush (stdout) != 0)
        {
          g_set_error (&error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                       "Could not write to standard output");
          return _vigil_cli_fail (error);
        }
      return 0;
    }

  /* Consistent: a temporary file beside the target, synced, renamed over it. */
  if (!g_file_set_contents_full (out_path, csv->str, (gssize) csv->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0666, &error))
    return _vigil_cli_fail (error);

  return 0;
}
