/* models-vigil.c
 *
 * Vigil's side of bench/models: the per-cycle feature table of a hydraulic rig folder, the
 * stratified test split of each target (25 %, a fixed seed), and for each target Vigil's
 * random forest (20 and 100 trees), gradient boosting (100 rounds) and extra trees (100 trees)
 * trained on the training rows and scored on the test rows, for two feature sets: mean and
 * standard deviation per sensor ("basic", the original pipeline's features for the sensors
 * the data has) and every feature ("full").
 *
 *   models-vigil --data DIR [--seed S] [--splits K] [--model-seeds M] [--threads N]
 *                [--csv FILE] [--predictions FILE]
 *
 * K splits per target, with seeds S to S + K - 1; on each, every model is trained M times,
 * with seeds S to S + M - 1. --csv writes the table, the labels and every split, so that
 * scikit-learn trains on exactly the same rows and values; --predictions writes every test
 * prediction, so that the metrics can be recomputed independently. One line per split, feature
 * set, target, model and model seed on stdout:
 *   vigil: split=K features=F target=T model=M model_seed=S accuracy=A macro_f1=F1 seconds=S ...
 * where seconds is the wall time of vigil_model_train() alone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-bench-models"

#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "vigil-features.h"
#include "vigil-model.h"

#define TEST_FRACTION 0.25

typedef struct
{
  const char     *name;
  VigilAlgorithm  algorithm;
  guint           n_trees;
} ModelSpec;

static const ModelSpec models[] = {
  { "rf20", VIGIL_ALGORITHM_RF, 20 },
  { "rf100", VIGIL_ALGORITHM_RF, 100 },
  { "gbt100", VIGIL_ALGORITHM_GBT, 100 },
  { "et100", VIGIL_ALGORITHM_ET, 100 },
};

static const char *const feature_sets[] = { "basic", "full" };

/* Whether feature @name belongs to @set: "basic" keeps "<SENSOR>_mean" and "<SENSOR>_std". */
static gboolean
in_feature_set (const char *set,
                const char *name)
{
  if (g_str_equal (set, "full"))
    return TRUE;
  return g_str_has_suffix (name, "_mean") || g_str_has_suffix (name, "_std");
}

/* Columns: cycle, each target's label, is_test_<target>_<split seed> for every split and
 * target, then the features. @is_test: per split, per target, per row. */
static gboolean
write_csv (VigilFeatureTable  *table,
           const guint8       *is_test,
           guint64             first_split,
           guint               n_splits,
           const char         *path,
           GError            **error)
{
  guint n_rows = vigil_feature_table_get_n_rows (table);
  guint n_features = vigil_feature_table_get_n_features (table);
  guint n_masks = n_splits * VIGIL_N_TARGETS;
  g_autoptr(GString) out = g_string_new ("cycle");

  for (guint t = 0; t < VIGIL_N_TARGETS; t++)
    g_string_append_printf (out, ",%s", vigil_target_to_string (t));
  for (guint m = 0; m < n_masks; m++)
    g_string_append_printf (out, ",is_test_%s_%" G_GUINT64_FORMAT,
                            vigil_target_to_string (m % VIGIL_N_TARGETS),
                            first_split + m / VIGIL_N_TARGETS);
  for (guint f = 0; f < n_features; f++)
    g_string_append_printf (out, ",%s", vigil_feature_table_get_name (table, f));
  g_string_append_c (out, '\n');

  for (guint r = 0; r < n_rows; r++)
    {
      const VigilCycleLabel *label = vigil_feature_table_get_label (table, r);
      const float *row = vigil_feature_table_get_row (table, r);

      g_string_append_printf (out, "%u", vigil_feature_table_get_cycle (table, r) + 1);
      for (guint t = 0; t < VIGIL_N_TARGETS; t++)
        g_string_append_printf (out, ",%d", vigil_cycle_label_get (label, t));
      for (guint m = 0; m < n_masks; m++)
        g_string_append_printf (out, ",%u", is_test[(gsize) m * n_rows + r]);
      /* Nine significant digits give back the same float32 on the other side. */
      for (guint f = 0; f < n_features; f++)
        g_string_append_printf (out, ",%.9g", (double) row[f]);
      g_string_append_c (out, '\n');
    }
  return g_file_set_contents (path, out->str, out->len, error);
}

static guint
count_test (const guint8 *is_test,
            guint         n)
{
  guint count = 0;

  for (guint i = 0; i < n; i++)
    count += is_test[i];
  return count;
}

/* The columns of @set, gathered into a dense matrix of the rows where is_test == @want_test. */
static float *
gather (VigilFeatureTable *table,
        const guint8      *is_test,
        guint8             want_test,
        const guint       *columns,
        guint              n_columns,
        VigilTarget        target,
        int               *labels_out)
{
  guint n_rows = vigil_feature_table_get_n_rows (table);
  g_autoptr(GArray) x = g_array_new (FALSE, FALSE, sizeof (float));
  guint k = 0;

  for (guint r = 0; r < n_rows; r++)
    {
      const float *row;

      if (is_test[r] != want_test)
        continue;
      row = vigil_feature_table_get_row (table, r);
      for (guint c = 0; c < n_columns; c++)
        g_array_append_val (x, row[columns[c]]);
      labels_out[k++] = vigil_cycle_label_get (vigil_feature_table_get_label (table, r), target);
    }
  return (float *) g_array_free (g_steal_pointer (&x), FALSE);
}

/* Every model of every feature set and target on one split (@is_test: per target, per row),
 * with model seeds @first_model_seed to @first_model_seed + @model_seeds - 1. */
static gboolean
train_split (VigilFeatureTable  *table,
             const guint8       *is_test,
             guint64             split_seed,
             guint64             first_model_seed,
             guint               model_seeds,
             guint               threads,
             GString            *predictions,
             GError            **error)
{
  guint n_rows = vigil_feature_table_get_n_rows (table);
  guint n_features = vigil_feature_table_get_n_features (table);

  for (guint s = 0; s < G_N_ELEMENTS (feature_sets); s++)
    {
      g_autofree guint *columns = g_new (guint, n_features);
      guint n_columns = 0;

      for (guint f = 0; f < n_features; f++)
        if (in_feature_set (feature_sets[s], vigil_feature_table_get_name (table, f)))
          columns[n_columns++] = f;

      for (guint t = 0; t < VIGIL_N_TARGETS; t++)
        {
          const guint8 *split = is_test + (gsize) t * n_rows;
          guint n_test = count_test (split, n_rows);
          g_autofree int *y_train = g_new (int, n_rows - n_test);
          g_autofree int *y_test = g_new (int, n_test);
          g_autofree int *cycles = g_new (int, n_test);
          g_autofree float *x_train = gather (table, split, 0, columns, n_columns, t, y_train);
          g_autofree float *x_test = gather (table, split, 1, columns, n_columns, t, y_test);
          guint k = 0;

          for (guint r = 0; r < n_rows; r++)
            if (split[r])
              cycles[k++] = (int) vigil_feature_table_get_cycle (table, r) + 1;

          for (guint m = 0; m < G_N_ELEMENTS (models) * model_seeds; m++)
            {
              const ModelSpec *spec = &models[m % G_N_ELEMENTS (models)];
              guint64 model_seed = first_model_seed + m / G_N_ELEMENTS (models);
              g_autoptr(VigilModel) model = NULL;
              g_autofree float *proba = NULL;
              g_autofree int *pred = g_new (int, n_test);
              VigilModelParams params;
              VigilMetrics metrics;
              gint64 began;
              double seconds;

              vigil_model_params_init (&params, spec->algorithm);
              params.n_trees = spec->n_trees;
              params.seed = model_seed;
              params.n_threads = threads;

              began = g_get_monotonic_time ();
              model = vigil_model_train (x_train, n_rows - n_test, n_columns, y_train, &params,
                                         NULL, error);
              seconds = (double) (g_get_monotonic_time () - began) / G_USEC_PER_SEC;
              if (model == NULL)
                {
                  g_prefix_error (error, "%s %s: ", vigil_target_to_string (t), spec->name);
                  return FALSE;
                }
              proba = g_new (float, (gsize) n_test * vigil_model_get_n_classes (model));
              if (!vigil_model_predict (model, x_test, n_test, proba, pred, error))
                {
                  g_prefix_error (error, "%s %s: ", vigil_target_to_string (t), spec->name);
                  return FALSE;
                }
              vigil_metrics_compute (y_test, pred, n_test, &metrics);
              printf ("vigil: split=%" G_GUINT64_FORMAT " features=%s target=%s model=%s"
                      " model_seed=%" G_GUINT64_FORMAT " accuracy=%.6f macro_f1=%.6f"
                      " seconds=%.4f n_features=%u n_train=%u n_test=%u\n",
                      split_seed, feature_sets[s], vigil_target_to_string (t), spec->name, model_seed,
                      metrics.accuracy, metrics.macro_f1, seconds, n_columns, n_rows - n_test,
                      n_test);
              fflush (stdout);

              for (guint i = 0; i < n_test; i++)
                g_string_append_printf (predictions,
                                        "%" G_GUINT64_FORMAT ",%s,%s,%s,%" G_GUINT64_FORMAT
                                        ",%d,%d,%d\n", split_seed, feature_sets[s], vigil_target_to_string (t),
                                        spec->name, model_seed, cycles[i], y_test[i],
                                        pred[i]);
            }
        }
    }
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *predictions_path = NULL;
  g_autoptr(GString) predictions =
    g_string_new ("split,features,target,model,model_seed,cycle,truth,predicted\n");
  g_autoptr(VigilFeatureTable) table = NULL;
  g_autofree guint8 *is_test = NULL;
  g_autofree int *labels = NULL;
  gint64 seed = 1;
  int model_seeds = 1;
  int n_splits = 1;
  int threads = 2;
  guint n_rows;
  const GOptionEntry entries[] = {
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &data, "Hydraulic rig folder with profile.txt", "DIR" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed,
      "Seed of the first split and the first model seed (default 1)", "S" },
    { "splits", 0, 0, G_OPTION_ARG_INT, &n_splits,
      "Stratified splits with seeds S to S + K - 1 (default 1)", "K" },
    { "model-seeds", 0, 0, G_OPTION_ARG_INT, &model_seeds,
      "Train every model with seeds S to S + M - 1 (default 1)", "M" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Training threads (default 2)", "N" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "Write features, labels and split here",
      "FILE" },
    { "predictions", 0, 0, G_OPTION_ARG_FILENAME, &predictions_path,
      "Write every test prediction here", "FILE" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, "Vigil's health models on a rig folder (bench/models).");
  if (!g_option_context_parse (context, &argc, &argv, &error) || data == NULL || seed < 0 ||
      threads < 1 || model_seeds < 1 || n_splits < 1)
    {
      g_printerr ("models-vigil: %s\n",
                  error != NULL ? error->message
                                : "--data is required; --seed >= 0, --splits >= 1, "
                                  "--model-seeds >= 1, --threads >= 1");
      return 2;
    }

  table = vigil_feature_table_new_from_dataset (data, NULL, &error);
  if (table == NULL)
    {
      g_printerr ("models-vigil: %s\n", error->message);
      return 1;
    }
  if (!vigil_feature_table_has_labels (table))
    {
      g_printerr ("models-vigil: %s has no profile.txt\n", data);
      return 1;
    }
  n_rows = vigil_feature_table_get_n_rows (table);

  /* Each target has its own splits, stratified on its own classes. */
  is_test = g_new (guint8, (gsize) n_splits * VIGIL_N_TARGETS * n_rows);
  labels = g_new (int, n_rows);
  for (guint t = 0; t < VIGIL_N_TARGETS; t++)
    {
      for (guint r = 0; r < n_rows; r++)
        labels[r] = vigil_cycle_label_get (vigil_feature_table_get_label (table, r), t);
      for (guint k = 0; k < (guint) n_splits; k++)
        vigil_split_stratified (labels, n_rows, TEST_FRACTION, (guint64) seed + k,
                                is_test + ((gsize) k * VIGIL_N_TARGETS + t) * n_rows);
    }

  if (csv != NULL && !write_csv (table, is_test, (guint64) seed, (guint) n_splits, csv, &error))
    {
      g_printerr ("models-vigil: %s\n", error->message);
      return 1;
    }

  for (guint k = 0; k < (guint) n_splits; k++)
    if (!train_split (table, is_test + (gsize) k * VIGIL_N_TARGETS * n_rows, (guint64) seed + k,
                      (guint64) seed, (guint) model_seeds, (guint) threads, predictions, &error))
      {
        g_printerr ("models-vigil: %s\n", error->message);
        return 1;
      }

  if (predictions_path != NULL &&
      !g_file_set_contents (predictions_path, predictions->str, predictions->len, &error))
    {
      g_printerr ("models-vigil: %s\n", error->message);
      return 1;
    }
  return 0;
}
