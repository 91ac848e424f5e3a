/* test-predictor.c
 *
 * Live health predictions on the real UCI cycles (the 1 Hz files of the shared data):
 * - rules on a component's predicted condition: read, written back canonically, refused with
 *   their reason when they mix sensors and components;
 * - the predictor, fed every sensor's cycle from two threads in opposite orders, predicts each
 *   cycle once, exactly as the model predicts the dataset's feature row of that cycle;
 * - a replay with a champion in the store's registry stores one prediction per cycle equal to
 *   that model's, raises alarms on the component as the predictions cross the rule (runs
 *   counted here independently), records the model on them, publishes the latest prediction,
 *   and reads it all back;
 * - a champion that needs sensors the source lacks is left out with its reason.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "vigil-error.h"
#include "vigil-features.h"
#include "vigil-hydraulic-replay.h"
#include "vigil-live.h"
#include "vigil-model.h"
#include "vigil-predictor.h"
#include "vigil-rules.h"
#include "vigil-store.h"
#include "vigil-time.h"
#include "vigil-trainer.h"
#include "vigil-test-sqlite.h"
#include "vigil-test-util.h"

/* The 1 Hz files of the shared data, in VigilSensor order. */
static const VigilSensor uci_sensors[] = {
  VIGIL_SENSOR_TS1, VIGIL_SENSOR_TS2, VIGIL_SENSOR_TS3, VIGIL_SENSOR_TS4,
  VIGIL_SENSOR_VS1, VIGIL_SENSOR_CE, VIGIL_SENSOR_CP, VIGIL_SENSOR_SE,
};
#define N_UCI G_N_ELEMENTS (uci_sensors)
#define MODEL_ID_IN_TEST 7

/* The rule the replay test runs: the cooler is predicted close to total failure (3 %). */
static const char component_rules[] =
  "{\"rules\": [\n"
  "  {\"name\": \"cooler_failing\", \"component\": \"cooler\", \"statistic\": \"probability\",\n"
  "   \"class\": 3, \"operator\": \">=\", \"threshold\": 0.5, \"clear\": 0.5,\n"
  "   \"severity\": \"critical\"},\n"
  "  {\"name\": \"high_temperature\", \"sensor\": \"TS1\", \"statistic\": \"max\",\n"
  "   \"operator\": \">\", \"threshold\": 45, \"severity\": \"critical\"}\n"
  "]}\n";

/* What every test shares: the real data read here, a model trained on its features. */
typedef struct
{
  GPtrArray         *rows[N_UCI];   /* per sensor, per cycle: GArray of double */
  VigilFeatureTable *table;
  GBytes            *model_blob;    /* cooler, rf */
  char              *features_json;
  guint              n_cycles;
} Shared;

static Shared shared;

static char *
uci_dir (void)
{
  const char *data = g_getenv ("VIGIL_SHARED_DATA");

  g_assert_nonnull (data);

  return g_build_filename (data, "hydraulic-uci", NULL);
}

static void
shared_init (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = uci_dir ();
  g_autofree int *labels = NULL;
  g_autoptr(VigilModel) model = NULL;
  VigilModelParams params;
  guint n;

  for (guint s = 0; s < N_UCI; s++)
    {
      g_autofree char *file = g_strconcat (vigil_sensor_get_info (uci_sensors[s])->name, ".txt",
                                           NULL);
      g_autofree char *path = g_build_filename (dir, file, NULL);

      shared.rows[s] = vigil_test_parse_rows (path);
    }
  shared.n_cycles = shared.rows[0]->len;

  shared.table = vigil_feature_table_new_from_dataset (dir, NULL, &error);
  g_assert_no_error (error);
  n = vigil_feature_table_get_n_rows (shared.table);
  g_assert_cmpuint (n, ==, shared.n_cycles);

  labels = g_new (int, n);
  for (guint i = 0; i < n; i++)
    labels[i] = vigil_cycle_label_get (vigil_feature_table_get_label (shared.table, i),
                                       VIGIL_TARGET_COOLER);

  /* A small forest: what is tested is the plumbing around it, not its accuracy. */
  vigil_model_params_init (&params, VIGIL_ALGORITHM_RF);
  params.n_trees = 5;
  params.max_depth = 4;
  params.seed = 3;
  params.n_threads = 1;
  model = vigil_model_train (vigil_feature_table_get_data (shared.table), n,
                             vigil_feature_table_get_n_features (shared.table), labels, &params,
                             NULL, &error);
  g_assert_no_error (error);
  shared.model_blob = vigil_model_save (model, &error);
  g_assert_no_error (error);
  shared.features_json = vigil_train_features_to_json (shared.table);
}

static void
shared_clear (void)
{
  for (guint s = 0; s < N_UCI; s++)
    g_clear_pointer (&shared.rows[s], g_ptr_array_unref);
  g_clear_pointer (&shared.table, vigil_feature_table_free);
  g_clear_pointer (&shared.model_blob, g_bytes_unref);
  g_clear_pointer (&shared.features_json, g_free);
}

static VigilModel *
load_model (void)
{
  g_autoptr(GError) error = NULL;
  VigilModel *model = vigil_model_load (shared.model_blob, &error);

  g_assert_no_error (error);

  return model;
}

static guint32
uci_mask (void)
{
  guint32 mask = 0;

  for (guint s = 0; s < N_UCI; s++)
    mask |= 1u << uci_sensors[s];

  return mask;
}

/* The model's own prediction of every cycle's feature row: what the live path must equal. */
static float *
expected_proba (guint *out_n_classes,
                int  **out_pred)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilModel) model = load_model ();
  guint n = shared.n_cycles;
  guint k = vigil_model_get_n_classes (model);
  float *proba = g_new (float, (gsize) n * k);

  *out_pred = g_new (int, n);
  g_assert_true (vigil_model_predict (model, vigil_feature_table_get_data (shared.table), n,
                                      proba, *out_pred, &error));
  g_assert_no_error (error);
  *out_n_classes = k;

  return proba;
}

/* Rules on components ----------------------------------------------------------------------- */

static void
test_component_rules (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_from_data (component_rules, -1, "test.json",
                                                                &error);
  g_autoptr(VigilRuleSet) again = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_again = NULL;
  const VigilRule *rule;
  const int classes[] = { 3, 20, 100 };
  const float proba[] = { 0.5f, 0.25f, 0.25f };
  double value;

  g_assert_no_error (error);
  rule = vigil_rule_set_get_rule (rules, 0);
  g_assert_true (vigil_rule_is_on_component (rule));
  g_assert_false (vigil_rule_is_on_component (vigil_rule_set_get_rule (rules, 1)));
  g_assert_cmphex (rule->sensors, ==, 1u << (VIGIL_KEY_COMPONENT + VIGIL_TARGET_COOLER));
  g_assert_cmpint (rule->stat, ==, VIGIL_STAT_PROBABILITY);
  g_assert_cmpint (rule->klass, ==, 3);

  /* p(3) = 0.5 >= 0.5 raises; a model without class 3 gives it probability 0. */
  g_assert_true (vigil_rule_matches_prediction (rule, classes, proba, 3, 3, &value));
  g_assert_cmpfloat (value, ==, 0.5);
  g_assert_false (vigil_rule_matches_prediction (rule, classes + 1, proba + 1, 2, 20, &value));
  g_assert_cmpfloat (value, ==, 0);

  /* A window never matches a rule on a component. */
  {
    VigilWindowStats w = { .key = VIGIL_SENSOR_TS1, .count = 60, .avg = 1, .min = 1, .max = 1 };

    g_assert_false (vigil_rule_matches (rule, &w, &value));
    g_assert_true (isnan (value));
  }

  json = vigil_rule_set_to_json (rules);
  g_assert_nonnull (strstr (json, "\"component\": \"cooler\""));
  g_assert_nonnull (strstr (json, "\"class\": 3,"));
  again = vigil_rule_set_new_from_data (json, -1, "canonical", &error);
  g_assert_no_error (error);
  json_again = vigil_rule_set_to_json (again);
  g_assert_cmpstr (json, ==, json_again);
}

static void
test_component_rules_refused (void)
{
  static const struct
  {
    const char *rule;
    const char *reason;
  } cases[] = {
    { "\"component\": \"cooler\", \"statistic\": \"max\", \"operator\": \">\", \"threshold\": 1",
      "test.json:2: rule “r”: a rule on a component takes the statistic probability or "
      "predicted, not “max”" },
    { "\"sensor\": \"PS1\", \"statistic\": \"probability\", \"class\": 3, \"operator\": \">\", "
      "\"threshold\": 0.5",
      "test.json:2: rule “r”: the statistic “probability” is of a component's predicted "
      "condition: give “component” instead of sensors" },
    { "\"component\": \"cooler\", \"statistic\": \"probability\", \"operator\": \">\", "
      "\"threshold\": 0.5",
      "test.json:2: rule “r”: missing member “class”" },
    { "\"component\": \"pump\", \"statistic\": \"predicted\", \"class\": 2, \"operator\": \">=\", "
      "\"threshold\": 2",
      "test.json:2: rule “r”: “class” goes only with the statistic probability" },
    { "\"component\": \"valve\", \"statistic\": \"probability\", \"class\": 2.5, \"operator\": "
      "\">\", \"threshold\": 0.5",
      "test.json:2: rule “r”: “class” must be a whole number in the dataset's units (e.g. 3, "
      "20 or 100 for the cooler), found 2.5" },
    { "\"component\": \"boiler\", \"statistic\": \"predicted\", \"operator\": \">\", "
      "\"threshold\": 1",
      "test.json:2: rule “r”: unknown component “boiler” (expected cooler, valve, pump, "
      "accumulator or stable)" },
    { "\"component\": \"cooler\", \"sensor\": \"PS1\", \"statistic\": \"predicted\", "
      "\"operator\": \">\", \"threshold\": 1",
      "test.json:2: rule “r”: both “sensor” and “component” given (use exactly one of "
      "sensor, sensors, family, component or camera)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = g_strdup_printf ("{\"rules\": [\n{\"name\": \"r\", %s, "
                                               "\"severity\": \"warning\"}\n]}\n",
                                               cases[i].rule);
      g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_from_data (text, -1, "test.json",
                                                                    &error);

      g_assert_null (rules);
      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, ==, cases[i].reason);
    }
}

/* The predictor ----------------------------------------------------------------------------- */

typedef struct
{
  GMutex  lock;
  GArray *predictions;
  GArray *transitions;
} Collected;

static void
collect (GArray   *predictions,
         GArray   *transitions,
         gpointer  user_data)
{
  Collected *c = user_data;

  g_mutex_lock (&c->lock);
  g_array_append_vals (c->predictions, predictions->data, predictions->len);
  for (guint i = 0; i < transitions->len; i++)
    {
      VigilAlarmTransition t = g_array_index (transitions, VigilAlarmTransition, i);

      t.comment = g_strdup (t.comment);
      g_array_append_val (c->transitions, t);
    }
  g_mutex_unlock (&c->lock);
}

typedef struct
{
  VigilPredictor *predictor;
  guint           first_sensor;   /* index into uci_sensors */
  guint           n_sensors;
  gboolean        backwards;
} Feeder;

static gpointer
feed (gpointer data)
{
  Feeder *f = data;

  for (guint k = 0; k < shared.n_cycles; k++)
    {
      guint cycle = f->backwards ? shared.n_cycles - 1 - k : k;

      for (guint s = f->first_sensor; s < f->first_sensor + f->n_sensors; s++)
        {
          GArray *row = g_ptr_array_index (shared.rows[s], cycle);

          vigil_predictor_add_cycle (f->predictor, cycle, (gint64) (cycle + 1) * 60000000,
                                     uci_sensors[s], (const double *) (gpointer) row->data,
                                     row->len);
        }
    }

  return NULL;
}

static void
test_predictor_any_order (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilPredictor) predictor = NULL;
  g_autofree float *proba = NULL;
  g_autofree int *pred = NULL;
  g_autofree guint8 *seen = g_new0 (guint8, shared.n_cycles);
  Collected c = { 0 };
  Feeder a, b;
  GThread *ta, *tb;
  guint k;

  g_mutex_init (&c.lock);
  c.predictions = g_array_new (FALSE, FALSE, sizeof (VigilPrediction));
  c.transitions = g_array_new (FALSE, FALSE, sizeof (VigilAlarmTransition));
  g_array_set_clear_func (c.transitions, vigil_alarm_transition_clear);

  predictor = vigil_predictor_new (uci_mask (), NULL, collect, &c);
  g_assert_cmpuint (vigil_predictor_get_n_models (predictor), ==, 0);
  g_assert_true (vigil_predictor_add_model (predictor, VIGIL_TARGET_COOLER, MODEL_ID_IN_TEST,
                                            load_model (), shared.features_json, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (vigil_predictor_get_n_models (predictor), ==, 1);

  a = (Feeder) { predictor, 0, N_UCI / 2, FALSE };
  b = (Feeder) { predictor, N_UCI / 2, N_UCI - N_UCI / 2, TRUE };
  ta = g_thread_new ("feed-a", feed, &a);
  tb = g_thread_new ("feed-b", feed, &b);
  g_thread_join (ta);
  g_thread_join (tb);
  vigil_predictor_finish (predictor);

  proba = expected_proba (&k, &pred);
  g_assert_cmpuint (c.predictions->len, ==, shared.n_cycles);
  g_assert_cmpuint (c.transitions->len, ==, 0);
  for (guint i = 0; i < c.predictions->len; i++)
    {
      const VigilPrediction *p = &g_array_index (c.predictions, VigilPrediction, i);

      g_assert_cmpuint (p->cycle, <, shared.n_cycles);
      g_assert_cmpuint (seen[p->cycle], ==, 0);
      seen[p->cycle] = 1;
      g_assert_cmpuint (p->target, ==, VIGIL_TARGET_COOLER);
      g_assert_cmpint (p->model_id, ==, MODEL_ID_IN_TEST);
      g_assert_cmpint (p->end_us, ==, (gint64) (p->cycle + 1) * 60000000);
      g_assert_cmpuint (p->n_classes, ==, k);
      g_assert_cmpint (p->classes[0], ==, 3);
      g_assert_cmpint (p->classes[2], ==, 100);
      g_assert_cmpint (p->predicted, ==, pred[p->cycle]);
      for (guint j = 0; j < k; j++)
        g_assert_cmpfloat (p->proba[j], ==, proba[(gsize) p->cycle * k + j]);
    }

  g_array_unref (c.predictions);
  g_array_unref (c.transitions);
  g_mutex_clear (&c.lock);
}

static void
test_predictor_lacking_sensors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilPredictor) predictor = NULL;
  Collected c = { 0 };

  /* A source with TS1 alone cannot feed a model trained on all eight 1 Hz sensors. */
  predictor = vigil_predictor_new (1u << VIGIL_SENSOR_TS1, NULL, collect, &c);
  g_assert_false (vigil_predictor_add_model (predictor, VIGIL_TARGET_COOLER, 12, load_model (),
                                             shared.features_json, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "model 12 (cooler) needs features this "
                                                   "source lacks: TS2_mean, TS2_std,"));
  g_assert_cmpuint (vigil_predictor_get_n_models (predictor), ==, 0);
  g_clear_error (&error);

  g_assert_false (vigil_predictor_add_model (predictor, VIGIL_TARGET_COOLER, 13, load_model (),
                                             "{\"not\": \"an array\"}", &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
}

/* A replay with a champion ------------------------------------------------------------------ */

static gint64
register_champion (VigilStore *store)
{
  g_autoptr(GError) error = NULL;
  VigilModelRecord record = {
    .target = (char *) "cooler",
    .algorithm = (char *) "rf",
    .params_json = (char *) "{}",
    .features_json = shared.features_json,
    .data_source = (char *) "test",
    .n_train = shared.n_cycles,
    .n_test = 0,
    .metrics_json = (char *) "{}",
    .model = shared.model_blob,
  };
  gint64 id = vigil_store_add_model (store, &record, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_true (vigil_store_set_alias (store, "cooler", "champion", id, &error));
  g_assert_no_error (error);

  return id;
}

static void
test_replay_predicts (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("vigil-predictor-test-XXXXXX", &error);
  g_autofree char *db_path = g_build_filename (tmp, "rig.sqlite", NULL);
  g_autofree char *dir = uci_dir ();
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilRuleSet) rules = NULL;
  g_autoptr(VigilLive) live = vigil_live_new ();
  g_autoptr(VigilHydraulicReplay) replay = NULL;
  g_autofree float *proba = NULL;
  g_autofree int *pred = NULL;
  g_autoptr(GArray) read_back = NULL;
  g_autoptr(GArray) journal = NULL;
  VigilStoreFilter filter;
  VigilReplayOptions options;
  VigilPrediction latest;
  sqlite3 *db;
  sqlite3_stmt *stmt;
  gint64 model_id;
  guint k, runs = 0, rows = 0, component_transitions = 0;
  gboolean above = FALSE;

  g_assert_no_error (error);
  store = vigil_store_open (db_path, &error);
  g_assert_no_error (error);
  model_id = register_champion (store);
  rules = vigil_rule_set_new_from_data (component_rules, -1, "test.json", &error);
  g_assert_no_error (error);

  vigil_replay_options_init (&options);
  replay = vigil_hydraulic_replay_new (dir, store, rules, &options);
  vigil_hydraulic_replay_set_live (replay, live);
  g_assert_true (vigil_hydraulic_replay_run (replay, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (vigil_hydraulic_replay_get_n_models (replay), ==, 1);
  g_assert_cmpstr (vigil_hydraulic_replay_get_model_notes (replay), ==, "");

  /* Independently: the model on the feature rows, and the runs of p(3) >= 0.5 (no delays:
   * each run raises one alarm instance, and the instance ends when p(3) falls below 0.5). */
  proba = expected_proba (&k, &pred);
  for (guint i = 0; i < shared.n_cycles; i++)
    {
      gboolean now = proba[(gsize) i * k] >= 0.5f;

      runs += now && !above;
      above = now;
    }
  g_assert_cmpuint (runs, >, 0);

  g_assert_true (vigil_live_get_prediction (live, VIGIL_TARGET_COOLER, &latest));
  g_assert_cmpuint (latest.cycle, ==, shared.n_cycles - 1);
  g_assert_cmpint (latest.predicted, ==, pred[shared.n_cycles - 1]);
  g_assert_false (vigil_live_get_prediction (live, VIGIL_TARGET_VALVE, &latest));

  g_assert_true (vigil_store_close (store, &error));
  g_assert_no_error (error);

  db = open_db (db_path);
  stmt = prepare (db, "SELECT cycle, target, model_id, predicted, proba_json FROM predictions"
                      " ORDER BY cycle");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      guint cycle = (guint) sqlite3_column_int (stmt, 0);
      g_autoptr(JsonNode) proba_json = json_from_string ((const char *)
                                                         sqlite3_column_text (stmt, 4), NULL);
      JsonObject *object = json_node_get_object (proba_json);

      g_assert_cmpuint (cycle, ==, rows);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "cooler");
      g_assert_cmpint (sqlite3_column_int64 (stmt, 2), ==, model_id);
      g_assert_cmpint (sqlite3_column_int (stmt, 3), ==, pred[cycle]);
      g_assert_cmpuint (json_object_get_size (object), ==, k);
      g_assert_cmpfloat ((float) json_object_get_double_member (object, "3"), ==,
                         proba[(gsize) cycle * k]);
      g_assert_cmpfloat ((float) json_object_get_double_member (object, "100"), ==,
                         proba[(gsize) cycle * k + 2]);
      rows++;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (rows, ==, shared.n_cycles);

  g_assert_cmpint (query_int (db, "SELECT count(*) FROM alarms WHERE sensor = 'cooler'"), ==,
                   runs);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM alarms WHERE sensor = 'cooler'"
                                  " AND rule = 'cooler_failing' AND severity = 'critical'"
                                  " AND model_id = (SELECT max(id) FROM models)"), ==, runs);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM alarms WHERE sensor = 'TS1'"
                                  " AND model_id IS NOT NULL"), ==, 0);
  sqlite3_close (db);

  /* Read back as a recording does. */
  g_clear_object (&store);
  store = vigil_store_open_readonly (db_path, &error);
  g_assert_no_error (error);
  vigil_store_filter_init (&filter);
  read_back = vigil_store_read_predictions (store, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (read_back->len, ==, shared.n_cycles);
  for (guint i = 0; i < read_back->len; i++)
    {
      const VigilPrediction *p = &g_array_index (read_back, VigilPrediction, i);

      g_assert_cmpuint (p->cycle, ==, i);
      g_assert_cmpint (p->end_us, ==, options.start_us + (gint64) (i + 1) * 60000000);
      g_assert_cmpint (p->model_id, ==, model_id);
      g_assert_cmpint (p->predicted, ==, pred[i]);
      for (guint j = 0; j < k; j++)
        g_assert_cmpfloat (p->proba[j], ==, proba[(gsize) i * k + j]);
    }

  journal = vigil_store_read_journal (store, &filter, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < journal->len; i++)
    {
      const VigilAlarmTransition *t = &g_array_index (journal, VigilAlarmTransition, i);

      if (t->key != VIGIL_KEY_COMPONENT + VIGIL_TARGET_COOLER)
        {
          g_assert_cmpint (t->model_id, ==, 0);
          continue;
        }
      component_transitions++;
      g_assert_cmpstr (t->rule, ==, "cooler_failing");
      g_assert_cmpint (t->model_id, ==, model_id);
      g_assert_cmpint ((t->at_us - options.start_us) % 60000000, ==, 0);
    }
  /* Each run raises and (but perhaps the last) clears. */
  g_assert_cmpuint (component_transitions, >=, 2 * runs - 1);
  g_assert_cmpuint (component_transitions, <=, 2 * runs);

  vigil_test_remove_tree (tmp);
}

static void
test_replay_leaves_out_unfit_champion (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("vigil-predictor-test-XXXXXX", &error);
  g_autofree char *db_path = g_build_filename (tmp, "rig.sqlite", NULL);
  g_autofree char *dir = g_build_filename (tmp, "ts1-only", NULL);
  g_autofree char *src = uci_dir ();
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilHydraulicReplay) replay = NULL;
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_default ();
  VigilReplayOptions options;
  g_autofree char *ts1 = NULL;
  gsize len;
  sqlite3 *db;

  /* The first 20 cycles of TS1 alone. */
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  {
    g_autofree char *from = g_build_filename (src, "TS1.txt", NULL);
    g_autofree char *to = g_build_filename (dir, "TS1.txt", NULL);
    char *cut;
    guint lines = 0;

    g_assert_true (g_file_get_contents (from, &ts1, &len, &error));
    for (cut = ts1; lines < 20 && (cut = strchr (cut, '\n')) != NULL; cut++)
      lines++;
    g_assert_true (g_file_set_contents (to, ts1, cut - ts1, &error));
    g_assert_no_error (error);
  }

  store = vigil_store_open (db_path, &error);
  g_assert_no_error (error);
  register_champion (store);

  vigil_replay_options_init (&options);
  replay = vigil_hydraulic_replay_new (dir, store, rules, &options);
  g_assert_true (vigil_hydraulic_replay_run (replay, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (vigil_hydraulic_replay_get_n_models (replay), ==, 0);
  g_assert_true (g_str_has_prefix (vigil_hydraulic_replay_get_model_notes (replay),
                                   "model 1 (cooler) needs features this source lacks: "
                                   "TS2_mean,"));
  g_assert_true (vigil_store_close (store, &error));

  db = open_db (db_path);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM predictions"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM windows WHERE sensor = 'TS1'"), >, 0);
  sqlite3_close (db);

  vigil_test_remove_tree (tmp);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  shared_init ();

  g_test_add_func ("/predictor/rules/component", test_component_rules);
  g_test_add_func ("/predictor/rules/refused", test_component_rules_refused);
  g_test_add_func ("/predictor/cycles-in-any-order", test_predictor_any_order);
  g_test_add_func ("/predictor/lacking-sensors", test_predictor_lacking_sensors);
  g_test_add_func ("/predictor/replay", test_replay_predicts);
  g_test_add_func ("/predictor/replay/unfit-champion", test_replay_leaves_out_unfit_champion);

  status = g_test_run ();
  shared_clear ();

  return status;
}
