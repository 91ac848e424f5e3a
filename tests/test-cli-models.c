/* test-cli-models.c
 *
 * `vigil-cli train`, `models` and `predict` as scripts use them, run as real subprocesses on a
 * generated rig and on the real UCI recording; the CSV is checked against the same model
 * loaded through the engine's API.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "vigil-error.h"
#include "vigil-features.h"
#include "vigil-hydraulic-generator.h"
#include "vigil-model.h"
#include "vigil-store.h"
#include "vigil-test-cli.h"
#include "vigil-test-util.h"

/* The generator's first block (185 to 215 cycles) is stable; 300 cycles reach the valve and
 * pump blocks after it, so "stable" has both classes. */
#define RIG_CYCLES 300
#define RIG_SEED 3

typedef struct
{
  char *dir;
  char *rig;
  char *db;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("vigil-cli-models-XXXXXX", &error);
  g_assert_no_error (error);
  f->rig = g_build_filename (f->dir, "rig", NULL);
  f->db = g_build_filename (f->dir, "models.vigil", NULL);
  g_assert_true (vigil_hydraulic_generate (f->rig, RIG_CYCLES, RIG_SEED, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  vigil_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->rig);
  g_free (f->db);
}

static char *
uci_dir (void)
{
  const char *shared = g_getenv ("VIGIL_SHARED_DATA");

  g_assert_nonnull (shared);

  return g_build_filename (shared, "hydraulic-uci", NULL);
}

/* The value after "@key: " on its own line of @out. */
static char *
line_value (const char *out,
            const char *key)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autofree char *prefix = g_strdup_printf ("%s: ", key);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i] + strlen (prefix));

  g_error ("no “%s” line in:\n%s", key, out);
}

/* Trains with @extra arguments (NULL-terminated after @target) and returns the model id and
 * the printed accuracy. */
static gint64
train (Fixture     *f,
       const char  *dataset,
       const char  *target,
       const char  *extra,
       char       **out_accuracy)
{
  g_auto(Result) r = { 0 };
  g_autofree char *id = NULL;

  run (&r, "train", "--db", f->db, "--dataset", dataset, "--target", target, "--seed", "5",
       extra, NULL);
  if (r.status != 0)
    g_error ("train failed (%d): %s", r.status, r.err);
  g_assert_cmpstr (r.err, ==, "");

  id = line_value (r.out, "model id");
  *out_accuracy = line_value (r.out, "accuracy");

  return g_ascii_strtoll (id, NULL, 10);
}

/* The line of `vigil-cli models` for @id, split on blanks. */
static GStrv
models_row (Fixture *f,
            gint64   id)
{
  g_auto(Result) r = { 0 };
  g_auto(GStrv) lines = NULL;

  run (&r, "models", "--db", f->db, NULL);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (r.out, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "id "));

  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (lines[i], " ", -1);
      GPtrArray *kept = g_ptr_array_new ();

      for (guint j = 0; fields[j] != NULL; j++)
        if (*fields[j] != '\0')
          g_ptr_array_add (kept, g_strdup (fields[j]));
      g_ptr_array_add (kept, NULL);

      if (kept->len > 1 && g_ascii_strtoll (kept->pdata[0], NULL, 10) == id)
        return (GStrv) g_ptr_array_free (kept, FALSE);
      g_strfreev ((GStrv) g_ptr_array_free (kept, FALSE));
    }

  g_error ("model %" G_GINT64_FORMAT " not listed:\n%s", id, r.out);
}

/* Checks the CSV @path against model @id of the store predicting @dataset through the
 * engine's own API. */
static void
check_predictions (Fixture    *f,
                   gint64      id,
                   const char *dataset,
                   const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilModelRecord) record = NULL;
  g_autoptr(VigilModel) model = NULL;
  g_autoptr(VigilFeatureTable) table = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) header = g_string_new ("cycle,predicted");
  g_autofree char *contents = NULL;
  g_autofree float *x = NULL;
  g_autofree float *proba = NULL;
  g_autofree int *pred = NULL;
  g_auto(GStrv) lines = NULL;
  JsonArray *names;
  guint n_rows, n_features, n_classes;

  store = vigil_store_open_readonly (f->db, &error);
  g_assert_no_error (error);
  record = vigil_store_get_model (store, id, &error);
  g_assert_no_error (error);
  model = vigil_model_load (record->model, &error);
  g_assert_no_error (error);
  table = vigil_feature_table_new_from_dataset (dataset, NULL, &error);
  g_assert_no_error (error);

  /* The model's columns by name, wherever the dataset has them. */
  g_assert_true (json_parser_load_from_data (parser, record->features_json, -1, &error));
  names = json_node_get_array (json_parser_get_root (parser));
  n_features = json_array_get_length (names);
  g_assert_cmpuint (n_features, ==, vigil_model_get_n_features (model));
  n_rows = vigil_feature_table_get_n_rows (table);
  x = g_new (float, (gsize) n_rows * n_features);
  for (guint j = 0; j < n_features; j++)
    {
      const char *name = json_array_get_string_element (names, j);
      guint column = G_MAXUINT;

      for (guint k = 0; k < vigil_feature_table_get_n_features (table); k++)
        if (g_str_equal (vigil_feature_table_get_name (table, k), name))
          column = k;
      g_assert_cmpuint (column, !=, G_MAXUINT);
      for (guint i = 0; i < n_rows; i++)
        x[(gsize) i * n_features + j] = vigil_feature_table_get_row (table, i)[column];
    }

  n_classes = vigil_model_get_n_classes (model);
  g_assert_cmpuint (n_classes, >=, 2);
  proba = g_new (float, (gsize) n_rows * n_classes);
  pred = g_new (int, n_rows);
  g_assert_true (vigil_model_predict (model, x, n_rows, proba, pred, &error));
  g_assert_no_error (error);

  for (guint c = 0; c < n_classes; c++)
    g_string_append_printf (header, ",p_%d", vigil_model_get_class (model, c));

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpstr (lines[0], ==, header->str);
  g_assert_cmpuint (g_strv_length (lines), ==, n_rows + 2);
  g_assert_cmpstr (lines[n_rows + 1], ==, "");

  for (guint i = 0; i < n_rows; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i + 1], ",", -1);
      double sum = 0;
      guint best = 0;

      g_assert_cmpuint (g_strv_length (fields), ==, 2 + n_classes);
      g_assert_cmpint (g_ascii_strtoll (fields[0], NULL, 10), ==, i + 1);
      g_assert_cmpint (g_ascii_strtoll (fields[1], NULL, 10), ==, pred[i]);
      for (guint c = 0; c < n_classes; c++)
        {
          double p = g_ascii_strtod (fields[2 + c], NULL);

          g_assert_cmpfloat ((float) p, ==, proba[(gsize) i * n_classes + c]);
          sum += p;
          if (p > g_ascii_strtod (fields[2 + best], NULL))
            best = c;
        }
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-4);
      g_assert_cmpint (g_ascii_strtoll (fields[1], NULL, 10), ==,
                       vigil_model_get_class (model, best));
    }
}

static void
test_generated (Fixture       *f,
                gconstpointer  data)
{
  g_auto(Result) r = { 0 };
  g_autofree char *accuracy = NULL;
  g_autofree char *csv = g_build_filename (f->dir, "stable.csv", NULL);
  g_auto(GStrv) row = NULL;
  gint64 id;

  id = train (f, f->rig, "stable", "--folds=3", &accuracy);
  g_assert_cmpint (id, ==, 1);

  row = models_row (f, id);
  g_assert_cmpuint (g_strv_length (row), ==, 8);
  g_assert_cmpstr (row[1], ==, "stable");
  g_assert_cmpstr (row[2], ==, "rf");
  g_assert_cmpstr (row[3], ==, "20");
  g_assert_cmpstr (row[4], ==, accuracy);
  g_assert_cmpstr (row[7], ==, "champion");

  run (&r, "predict", "--db", f->db, "--target", "stable", "--dataset", f->rig, "--out", csv,
       NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_cmpstr (r.err, ==, "");
  check_predictions (f, id, f->rig, csv);
}

static void
test_uci (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *uci = uci_dir ();
  g_autofree char *acc_first = NULL;
  g_autofree char *acc_second = NULL;
  g_autofree char *acc_third = NULL;
  g_autofree char *acc_et = NULL;
  g_autofree char *model_et = NULL;
  g_autofree char *csv = g_build_filename (f->dir, "cooler.csv", NULL);
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Result) r = { 0 };
  g_auto(GStrv) row = NULL;
  gint64 first, second, third, et;

  first = train (f, uci, "cooler", "--algorithm=rf", &acc_first);
  second = train (f, uci, "cooler", "--algorithm=gbt", &acc_second);
  row = models_row (f, first);
  g_assert_cmpstr (row[4], ==, acc_first);
  g_assert_cmpstr (row[7], ==, "champion");
  g_clear_pointer (&row, g_strfreev);
  /* A later model does not take the title from the champion... */
  row = models_row (f, second);
  g_assert_cmpstr (row[2], ==, "gbt");
  g_assert_cmpstr (row[3], ==, "100");
  g_assert_cmpstr (row[4], ==, acc_second);
  g_assert_cmpstr (row[7], ==, "-");
  g_clear_pointer (&row, g_strfreev);
  /* ...unless told to. */
  third = train (f, uci, "cooler", "--champion", &acc_third);
  store = vigil_store_open_readonly (f->db, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vigil_store_get_alias (store, "cooler", "champion", &error), ==, third);
  g_assert_cmpint (third, ==, second + 1);
  /* The same data, seed and parameters: the same model. */
  g_assert_cmpstr (acc_third, ==, acc_first);

  run (&r, "predict", "--db", f->db, "--model", "1", "--dataset", uci, "--out", csv, NULL);
  g_assert_cmpint (r.status, ==, 0);
  check_predictions (f, first, uci, csv);
  result_clear (&r);

  /* To standard output, with the gbt model. */
  run (&r, "predict", "--db", f->db, "--model", "2", "--dataset", uci, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_file_set_contents (csv, r.out, -1, &error));
  g_assert_no_error (error);
  check_predictions (f, second, uci, csv);
  result_clear (&r);

  /* Extra trees, listed with their 100 trees and predicting from the registry. */
  et = train (f, uci, "cooler", "--algorithm=et", &acc_et);
  row = models_row (f, et);
  g_assert_cmpstr (row[2], ==, "et");
  g_assert_cmpstr (row[3], ==, "100");
  g_assert_cmpstr (row[4], ==, acc_et);
  g_clear_pointer (&row, g_strfreev);
  model_et = g_strdup_printf ("%" G_GINT64_FORMAT, et);
  run (&r, "predict", "--db", f->db, "--model", model_et, "--dataset", uci, "--out", csv, NULL);
  g_assert_cmpint (r.status, ==, 0);
  check_predictions (f, et, uci, csv);
}

/* Trained on a recorded session (the store's four features per sensor), applied to the
 * dataset folder the session was replayed from. */
static void
test_session (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *csv = g_build_filename (f->dir, "session.csv", NULL);
  g_autofree char *id_text = NULL;
  g_autofree char *db_abs = NULL;
  g_autofree char *source = NULL;
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilModelRecord) record = NULL;
  g_autoptr(VigilSessionSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Result) r = { 0 };
  gint64 id;

  run (&r, "replay", "hydraulic", f->rig, "--db", f->db, "--slide", "60", NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);

  run (&r, "train", "--db", f->db, "--session", "1", "--target", "stable", NULL);
  g_assert_cmpint (r.status, ==, 0);
  id_text = line_value (r.out, "model id");
  id = g_ascii_strtoll (id_text, NULL, 10);
  result_clear (&r);

  store = vigil_store_open_readonly (f->db, &error);
  g_assert_no_error (error);
  record = vigil_store_get_model (store, id, &error);
  g_assert_no_error (error);
  summary = vigil_store_get_session (store, 1, &error);
  g_assert_no_error (error);
  db_abs = g_canonicalize_filename (f->db, NULL);
  source = g_strdup_printf ("%s#session=1", db_abs);
  g_assert_cmpstr (record->data_source, ==, source);
  g_assert_cmpint (record->data_from_us, ==, summary->start_us);
  g_assert_cmpint (record->data_to_us, ==, summary->end_us);
  g_assert_cmpint (record->n_train + record->n_test, ==, RIG_CYCLES);
  g_assert_true (g_str_has_prefix (record->features_json,
                                   "[\"PS1_mean\",\"PS1_std\",\"PS1_min\",\"PS1_max\","
                                   "\"PS2_mean\""));

  run (&r, "predict", "--db", f->db, "--target", "stable", "--dataset", f->rig, "--out", csv,
       NULL);
  g_assert_cmpint (r.status, ==, 0);
  check_predictions (f, id, f->rig, csv);
}

static void
assert_fails (const Result *r,
              int           status,
              const char   *pattern)
{
  g_assert_cmpint (r->status, ==, status);
  g_assert_cmpstr (r->out, ==, "");
  if (status == 1)
    {
      /* One line. */
      g_assert_true (strchr (r->err, '\n') == r->err + strlen (r->err) - 1);
    }
  if (!g_pattern_match_simple (pattern, r->err))
    g_error ("“%s” does not match “%s”", r->err, pattern);
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *uci = uci_dir ();
  g_autofree char *accuracy = NULL;
  g_autofree char *csv = g_build_filename (f->dir, "out.csv", NULL);
  g_autofree char *pattern = NULL;

  /* The real recording has only its 1 Hz sensors: a rig model needs what it lacks. */
  train (f, f->rig, "stable", "--test-fraction=0.3", &accuracy);
  {
    g_auto(Result) r = { 0 };

    run (&r, "predict", "--db", f->db, "--model", "1", "--dataset", uci, "--out", csv, NULL);
    pattern = g_strdup_printf ("vigil-cli: %s lacks features the model needs: PS1_mean, "
                               "PS1_std, *, FS2_last_energy\n", uci);
    assert_fails (&r, 1, pattern);
    g_assert_false (g_file_test (csv, G_FILE_TEST_EXISTS));
  }
  {
    g_auto(Result) r = { 0 };

    run (&r, "predict", "--db", f->db, "--model", "7", "--dataset", f->rig, NULL);
    assert_fails (&r, 1, "vigil-cli: * has no model 7\n");
  }
  {
    g_auto(Result) r = { 0 };

    run (&r, "predict", "--db", f->db, "--target", "pump", "--dataset", f->rig, NULL);
    assert_fails (&r, 1, "vigil-cli: * has no champion model for pump *\n");
  }
  {
    g_auto(Result) r = { 0 };

    /* Every cycle of the rig has the same cooler: nothing to learn, nothing registered. */
    run (&r, "train", "--db", f->db, "--dataset", f->rig, "--target", "cooler", NULL);
    assert_fails (&r, 1, "vigil-cli: *\n");
  }
  {
    g_auto(Result) r = { 0 };

    run (&r, "train", "--db", f->db, "--target", "cooler", NULL);
    assert_fails (&r, 2, "*--dataset DIR or --session ID*");
  }
  {
    g_auto(Result) r = { 0 };

    run (&r, "train", "--db", f->db, "--dataset", f->rig, "--target", "hull", NULL);
    assert_fails (&r, 2, "*--target must be*");
  }
  {
    g_auto(Result) r = { 0 };

    run (&r, "predict", "--db", f->db, "--model", "1", "--target", "stable", "--dataset",
         f->rig, NULL);
    assert_fails (&r, 2, "*either --model ID or --target T*");
  }
  {
    g_auto(Result) r = { 0 };
    g_auto(GStrv) lines = NULL;

    /* Only the first model was registered. */
    run (&r, "models", "--db", f->db, NULL);
    g_assert_cmpint (r.status, ==, 0);
    lines = g_strsplit (r.out, "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 3);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/models/generated", Fixture, NULL, fixture_set_up, test_generated,
              fixture_tear_down);
  g_test_add ("/cli/models/uci", Fixture, NULL, fixture_set_up, test_uci, fixture_tear_down);
  g_test_add ("/cli/models/session", Fixture, NULL, fixture_set_up, test_session,
              fixture_tear_down);
  g_test_add ("/cli/models/errors", Fixture, NULL, fixture_set_up, test_errors,
              fixture_tear_down);

  return g_test_run ();
}
