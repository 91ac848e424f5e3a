/* test-store-models.c
 *
 * The model registry of a store: every field round-trips, aliases, list order, unknown ids,
 * and the migration of a schema-1 file to schema 2.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "store-test-helpers.h"
#include "vigil-error.h"
#include "vigil-test-sqlite.h"

/* Bytes a text column would mangle: NULs, high bytes, no terminator. */
static const guint8 blob_a[] = { 'V', 'M', 0, 1, 0xff, 0x00, 0x80, 0x7f, 0, 0 };
static const guint8 blob_b[] = { 0x42 };

static VigilModelRecord *
make_record (const char   *target,
             const guint8 *blob,
             gsize         blob_size,
             gint64        created_us)
{
  VigilModelRecord *r = g_new0 (VigilModelRecord, 1);

  r->target = g_strdup (target);
  r->algorithm = g_strdup ("rf");
  r->params_json = g_strdup ("{\"n_trees\":20,\"seed\":7}");
  r->features_json = g_strdup ("[\"PS1_mean\",\"TS1_std\",\"CE_slope\"]");
  r->data_source = g_strdup ("/data/rig-a");
  r->data_from_us = T0;
  r->data_to_us = T0 + SEC (3600);
  r->n_train = 90;
  r->n_test = 30;
  r->metrics_json = g_strdup ("{\"accuracy\":0.9666666666666667}");
  r->model = g_bytes_new (blob, blob_size);
  r->created_us = created_us;

  return r;
}

static void
assert_same_record (const VigilModelRecord *got,
                    const VigilModelRecord *want,
                    gint64                  id,
                    gboolean                with_blob)
{
  g_assert_cmpint (got->id, ==, id);
  g_assert_cmpstr (got->target, ==, want->target);
  g_assert_cmpstr (got->algorithm, ==, want->algorithm);
  g_assert_cmpstr (got->params_json, ==, want->params_json);
  g_assert_cmpstr (got->features_json, ==, want->features_json);
  g_assert_cmpstr (got->data_source, ==, want->data_source);
  g_assert_cmpint (got->data_from_us, ==, want->data_from_us);
  g_assert_cmpint (got->data_to_us, ==, want->data_to_us);
  g_assert_cmpint (got->n_train, ==, want->n_train);
  g_assert_cmpint (got->n_test, ==, want->n_test);
  g_assert_cmpstr (got->metrics_json, ==, want->metrics_json);
  g_assert_cmpint (got->created_us, ==, want->created_us);
  if (with_blob)
    {
      g_assert_nonnull (got->model);
      g_assert_true (g_bytes_equal (got->model, want->model));
    }
  else
    {
      g_assert_null (got->model);
    }
}

static gint64
add_model (VigilStore             *store,
           const VigilModelRecord *record)
{
  g_autoptr(GError) error = NULL;
  gint64 id = vigil_store_add_model (store, record, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  return id;
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  g_autoptr(VigilStore) reader = NULL;
  g_autoptr(VigilModelRecord) a = make_record ("cooler", blob_a, sizeof blob_a, T0 + 5);
  g_autoptr(VigilModelRecord) b = make_record ("valve", blob_b, sizeof blob_b, T0 + 9);
  g_autoptr(VigilModelRecord) got = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id_a, id_b, before, id_c;
  sqlite3 *db;

  g_free (b->params_json);
  b->params_json = g_strdup ("{\"n_trees\":100,\"learning_rate\":0.3}");
  g_free (b->algorithm);
  b->algorithm = g_strdup ("gbt");
  b->data_from_us = 0;
  b->data_to_us = 0;

  /* Nothing yet. */
  list = vigil_store_list_models (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);

  id_a = add_model (store, a);
  id_b = add_model (store, b);
  g_assert_cmpint (id_b, >, id_a);

  got = vigil_store_get_model (store, id_a, &error);
  g_assert_no_error (error);
  assert_same_record (got, a, id_a, TRUE);
  g_assert_cmpstr (got->aliases, ==, "");
  g_clear_pointer (&got, vigil_model_record_free);

  got = vigil_store_get_model (store, id_b, &error);
  g_assert_no_error (error);
  assert_same_record (got, b, id_b, TRUE);
  g_clear_pointer (&got, vigil_model_record_free);

  /* A missing range is NULL in the file, not 0. */
  db = open_db (f->path);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM models WHERE data_from_us IS NULL"
                                  " AND data_to_us IS NULL"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT length(model) FROM models ORDER BY id LIMIT 1"),
                   ==, sizeof blob_a);
  sqlite3_close (db);

  /* created_us 0: the time of registration. */
  a->created_us = 0;
  before = g_get_real_time ();
  id_c = add_model (store, a);
  got = vigil_store_get_model (store, id_c, &error);
  g_assert_no_error (error);
  g_assert_cmpint (got->created_us, >=, before);
  g_assert_cmpint (got->created_us, <=, g_get_real_time ());
  g_clear_pointer (&got, vigil_model_record_free);

  /* Newest first, without blobs; a reader opened afterwards sees the same. */
  a->created_us = T0 + 5;
  reader = vigil_store_open_readonly (f->path, &error);
  g_assert_no_error (error);
  list = vigil_store_list_models (reader, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpint (((VigilModelRecord *) list->pdata[0])->id, ==, id_c);
  assert_same_record (list->pdata[1], b, id_b, FALSE);
  assert_same_record (list->pdata[2], a, id_a, FALSE);

  close_store (store);
}

static void
test_not_found (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  g_autoptr(VigilModelRecord) a = make_record ("cooler", blob_a, sizeof blob_a, T0);
  g_autoptr(VigilModelRecord) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gint64 id = add_model (store, a);

  got = vigil_store_get_model (store, id + 1, &error);
  g_assert_null (got);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  message = g_strdup_printf ("%s has no model %" G_GINT64_FORMAT, f->path, id + 1);
  g_assert_cmpstr (error->message, ==, message);
  g_clear_error (&error);

  g_assert_false (vigil_store_set_alias (store, "cooler", "champion", id + 1, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (vigil_store_get_alias (store, "cooler", "champion", &error), ==, 0);
  g_assert_no_error (error);

  close_store (store);
}

static void
test_aliases (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  g_autoptr(VigilModelRecord) c1 = make_record ("cooler", blob_a, sizeof blob_a, T0);
  g_autoptr(VigilModelRecord) c2 = make_record ("cooler", blob_b, sizeof blob_b, T0 + 1);
  g_autoptr(VigilModelRecord) v1 = make_record ("valve", blob_b, sizeof blob_b, T0 + 2);
  g_autoptr(VigilModelRecord) got = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id_c1 = add_model (store, c1);
  gint64 id_c2 = add_model (store, c2);
  gint64 id_v1 = add_model (store, v1);
  sqlite3 *db;

  g_assert_cmpint (vigil_store_get_alias (store, "cooler", "champion", &error), ==, 0);
  g_assert_no_error (error);

  g_assert_true (vigil_store_set_alias (store, "cooler", "champion", id_c1, &error));
  g_assert_no_error (error);
  g_assert_true (vigil_store_set_alias (store, "valve", "champion", id_v1, &error));
  g_assert_no_error (error);
  g_assert_true (vigil_store_set_alias (store, "cooler", "previous", id_c1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (vigil_store_get_alias (store, "cooler", "champion", &error), ==, id_c1);
  g_assert_cmpint (vigil_store_get_alias (store, "valve", "champion", &error), ==, id_v1);
  g_assert_cmpint (vigil_store_get_alias (store, "pump", "champion", &error), ==, 0);

  got = vigil_store_get_model (store, id_c1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->aliases, ==, "champion,previous");
  g_clear_pointer (&got, vigil_model_record_free);

  /* Replacing keeps one row per (target, alias). */
  g_assert_true (vigil_store_set_alias (store, "cooler", "champion", id_c2, &error));
  g_assert_no_error (error);
  g_assert_cmpint (vigil_store_get_alias (store, "cooler", "champion", &error), ==, id_c2);
  g_assert_cmpint (vigil_store_get_alias (store, "cooler", "previous", &error), ==, id_c1);

  /* A model answers for its own target only. */
  g_assert_false (vigil_store_set_alias (store, "valve", "champion", id_c2, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (vigil_store_get_alias (store, "valve", "champion", &error), ==, id_v1);

  list = vigil_store_list_models (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpstr (((VigilModelRecord *) list->pdata[0])->aliases, ==, "champion");
  g_assert_cmpstr (((VigilModelRecord *) list->pdata[1])->aliases, ==, "champion");
  g_assert_cmpstr (((VigilModelRecord *) list->pdata[2])->aliases, ==, "previous");

  close_store (store);

  db = open_db (f->path);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM model_aliases"), ==, 3);
  sqlite3_close (db);
}

static char *
dump (const char *path,
      const char *sql)
{
  GString *out = g_string_new (NULL);
  sqlite3 *db = open_db (path);
  sqlite3_stmt *stmt = prepare (db, sql);

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        g_string_append_printf (out, "%s|", (const char *) sqlite3_column_text (stmt, i));
      g_string_append_c (out, '\n');
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return g_string_free (out, FALSE);
}

static void
exec_rw (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static void
test_migrate_v1 (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  g_autoptr(VigilStore) reader = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilModelRecord) a = make_record ("cooler", blob_a, sizeof blob_a, T0);
  g_autofree char *v1_schema = NULL;
  g_autofree char *windows_before = NULL;
  g_autofree char *alarms_before = NULL;
  g_autofree char *sessions_before = NULL;
  g_autofree char *windows_after = NULL;
  g_autofree char *alarms_after = NULL;
  g_autofree char *sessions_after = NULL;
  g_autofree char *v2_tables = NULL;
  gint64 session;
  gint64 id;
  sqlite3 *db;

  session = ensure_session (store, &session_a);
  vigil_store_submit (store, windows_batch (session));
  vigil_store_submit (store, alarm_batch (session));
  close_store (store);
  g_clear_object (&store);

  /* Back to exactly what schema 1 created: its tables, its columns, its version. */
  exec_rw (f->path, "DROP TABLE traffic_detections; DROP TABLE traffic_seconds;"
                    "DROP TABLE traffic_minutes; ALTER TABLE sessions DROP COLUMN camera;"
                    "DROP TABLE kafka_streams; DROP TABLE kafka_offsets;"
                    "DROP TABLE predictions; DROP TABLE model_aliases; DROP TABLE models;"
                    "ALTER TABLE alarms DROP COLUMN model_id; PRAGMA user_version = 1;");
  v1_schema = dump (f->path, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
  g_assert_cmpstr (v1_schema, ==,
                   "alarm_journal|\nalarms|\ncycle_labels|\ndead_letters|\nlate_records|\n"
                   "sessions|\nwindows|\n");
  windows_before = dump (f->path, "SELECT * FROM windows ORDER BY sensor, window_start");
  alarms_before = dump (f->path, "SELECT * FROM alarms ORDER BY id");
  sessions_before = dump (f->path, "SELECT * FROM sessions ORDER BY id");
  g_assert_cmpuint (strlen (windows_before), >, 0);
  g_assert_cmpuint (strlen (alarms_before), >, 0);

  /* Read only: sessions read, the registry reads empty, the file stays schema 1. */
  reader = vigil_store_open_readonly (f->path, &error);
  g_assert_no_error (error);
  sessions = vigil_store_list_sessions (reader, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 1);
  g_assert_cmpuint (((VigilSessionSummary *) sessions->pdata[0])->n_windows, ==, 5);
  models = vigil_store_list_models (reader, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (models->len, ==, 0);
  g_assert_cmpint (vigil_store_get_alias (reader, "cooler", "champion", &error), ==, 0);
  g_assert_no_error (error);
  g_assert_null (vigil_store_get_model (reader, 1, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&reader);
  db = open_db (f->path);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, 1);
  sqlite3_close (db);

  /* Read-write: migrated, old rows intact, the new tables usable. */
  store = open_store (f->path);
  id = add_model (store, a);
  g_assert_true (vigil_store_set_alias (store, "cooler", "champion", id, &error));
  g_assert_no_error (error);
  close_store (store);

  db = open_db (f->path);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, VIGIL_STORE_SCHEMA_VERSION);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM alarms WHERE model_id IS NULL"), ==,
                   query_int (db, "SELECT count(*) FROM alarms"));
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM predictions"), ==, 0);
  sqlite3_close (db);
  v2_tables = dump (f->path, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
  g_assert_cmpstr (v2_tables, ==,
                   "alarm_journal|\nalarms|\ncycle_labels|\ndead_letters|\nkafka_offsets|\n"
                   "kafka_streams|\nlate_records|\nmodel_aliases|\nmodels|\npredictions|\n"
                   "sessions|\ntraffic_detections|\ntraffic_minutes|\ntraffic_seconds|\n"
                   "windows|\n");
  windows_after = dump (f->path, "SELECT * FROM windows ORDER BY sensor, window_start");
  sessions_after = dump (f->path, "SELECT * FROM sessions ORDER BY id");
  /* The alarms rows gained one column, NULL for every rule alarm. */
  alarms_after = dump (f->path, "SELECT * FROM alarms ORDER BY id");
  g_assert_cmpstr (windows_after, ==, windows_before);
  /* The sessions gained the camera, NULL for a rig. */
  {
    g_autoptr(GString) expected = g_string_new (sessions_before);

    g_string_replace (expected, "|\n", "|(null)|\n", 0);
    g_assert_cmpstr (sessions_after, ==, expected->str);
  }
  {
    g_autoptr(GString) expected = g_string_new (alarms_before);

    g_string_replace (expected, "|\n", "|(null)|\n", 0);
    g_assert_cmpstr (alarms_after, ==, expected->str);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/store-models/round-trip", Fixture, NULL, fixture_set_up, test_round_trip,
              fixture_tear_down);
  g_test_add ("/engine/store-models/not-found", Fixture, NULL, fixture_set_up, test_not_found,
              fixture_tear_down);
  g_test_add ("/engine/store-models/aliases", Fixture, NULL, fixture_set_up, test_aliases,
              fixture_tear_down);
  g_test_add ("/engine/store-models/migrate-v1", Fixture, NULL, fixture_set_up,
              test_migrate_v1, fixture_tear_down);

  return g_test_run ();
}
