/* test-store.c
 *
 * The SQLite store: schema and refusals, exact rows, idempotent replays, the writer thread
 * under concurrent producers, write errors and read-only opening.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <sqlite3.h>

#include "vigil-error.h"
#include "vigil-sensor.h"
#include "vigil-store.h"

#include "store-test-helpers.h"

/* Helpers ------------------------------------------------------------------------------------ */

static VigilStoreBatch *
misc_batch (gint64 session_id)
{
  VigilStoreBatch *batch = vigil_store_batch_new (session_id);
  VigilLateRecord late[] = {
    { VIGIL_SENSOR_FS1, 0, T0 + SEC (1.5), T0 + SEC (70), 8.125 },
    { VIGIL_SENSOR_FS1, 1, T0 + SEC (1.6), T0 + SEC (70), NAN },
    { VIGIL_SENSOR_CE, 0, T0 + SEC (2), T0 + SEC (71), 0.1 },
  };
  VigilCycleLabel labels[] = {
    { 0, T0, 3, 100, 0, 130, 1 },
    { 1, T0 + SEC (60), 20, 73, 2, 90, 0 },
  };

  g_array_append_vals (batch->late, late, G_N_ELEMENTS (late));
  g_array_append_vals (batch->labels, labels, G_N_ELEMENTS (labels));

  return batch;
}

static sqlite3 *
open_sqlite (const char *path,
             int         flags)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, flags, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 30000);

  return db;
}

static void
exec_sqlite (const char *path,
             const char *sql)
{
  sqlite3 *db = open_sqlite (path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

/* Rows of @sql, one line each, fields separated by '|'; NULL for NULL, %.17g for reals. */
static char *
query_rows (const char *path,
            const char *sql)
{
  sqlite3 *db = open_sqlite (path, SQLITE_OPEN_READWRITE);
  sqlite3_stmt *stmt = NULL;
  GString *out = g_string_new (NULL);
  int rc;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          if (i > 0)
            g_string_append_c (out, '|');
          switch (sqlite3_column_type (stmt, i))
            {
            case SQLITE_NULL:
              g_string_append (out, "NULL");
              break;
            case SQLITE_INTEGER:
              g_string_append_printf (out, "%lld", (long long) sqlite3_column_int64 (stmt, i));
              break;
            case SQLITE_FLOAT:
              g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.17g",
                                                     sqlite3_column_double (stmt, i)));
              break;
            default:
              g_string_append (out, (const char *) sqlite3_column_text (stmt, i));
              break;
            }
        }
      g_string_append_c (out, '\n');
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return g_string_free (out, FALSE);
}

static gint64
query_int (const char *path,
           const char *sql)
{
  g_autofree char *rows = query_rows (path, sql);

  return g_ascii_strtoll (rows, NULL, 10);
}

/* Every table of the store, ordered by its key. */
static char *
dump_store (const char *path)
{
  static const char * const queries[] = {
    "SELECT id, key, kind, source, start_us, window_us, slide_us, lateness_us, rules_json,"
    " created_us FROM sessions ORDER BY id",
    "SELECT * FROM windows ORDER BY session_id, sensor, window_start",
    "SELECT * FROM late_records ORDER BY session_id, sensor, seq",
    "SELECT * FROM cycle_labels ORDER BY session_id, cycle",
    "SELECT * FROM alarm_journal ORDER BY session_id, rule, sensor, at_us, seq",
    "SELECT * FROM alarms ORDER BY session_id, rule, sensor, raised_us",
    "SELECT * FROM dead_letters ORDER BY id",
  };
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *rows = query_rows (path, queries[i]);

      g_string_append_printf (out, "-- %u\n%s", i, rows);
    }

  return g_string_free (out, FALSE);
}

/* Schema and refusals ------------------------------------------------------------------------ */

static void
test_create_reopen (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilStore) again = NULL;
  g_autoptr(VigilStore) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tables = NULL;
  g_autofree char *created = NULL;
  g_autofree char *created_again = NULL;
  g_autofree char *journal_mode = NULL;
  gint64 a, b;

  store = open_store (f->path);
  g_assert_cmpstr (vigil_store_get_path (store), ==, f->path);
  g_assert_cmpint (vigil_store_get_latest_session (store, &error), ==, 0);
  g_assert_no_error (error);

  a = ensure_session (store, &session_a);
  g_assert_cmpint (ensure_session (store, &session_a), ==, a);
  b = ensure_session (store, &session_b);
  g_assert_cmpint (b, !=, a);
  g_assert_cmpint (vigil_store_get_latest_session (store, &error), ==, b);
  close_store (store);
  close_store (store);

  g_assert_cmpint (query_int (f->path, "PRAGMA user_version"), ==, 4);
  g_assert_cmpint (query_int (f->path, "PRAGMA application_id"), ==, 0x5669676C);
  tables = query_rows (f->path, "SELECT name FROM sqlite_schema WHERE type = 'table'"
                                " ORDER BY name");
  g_assert_cmpstr (tables, ==,
                   "alarm_journal\nalarms\ncycle_labels\ndead_letters\nkafka_offsets\n"
                   "kafka_streams\nlate_records\nmodel_aliases\nmodels\npredictions\nsessions\n"
                   "traffic_detections\ntraffic_minutes\ntraffic_seconds\nwindows\n");
  created = query_rows (f->path, "SELECT id, created_us FROM sessions ORDER BY id");

  /* Reopening finds the same sessions, first creation times kept. */
  again = open_store (f->path);
  g_assert_cmpint (ensure_session (again, &session_a), ==, a);
  g_assert_cmpint (ensure_session (again, &session_b), ==, b);
  g_assert_cmpint (vigil_store_get_latest_session (again, &error), ==, b);
  close_store (again);
  created_again = query_rows (f->path, "SELECT id, created_us FROM sessions ORDER BY id");
  g_assert_cmpstr (created, ==, created_again);

  journal_mode = query_rows (f->path, "PRAGMA journal_mode");
  g_assert_cmpstr (journal_mode, ==, "wal\n");

  reader = vigil_store_open_readonly (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vigil_store_get_latest_session (reader, &error), ==, b);
  g_assert_no_error (error);
}

static void
test_create_empty_file (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilStore) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "missing.vigil", NULL);

  g_file_set_contents (f->path, "", 0, &error);
  g_assert_no_error (error);

  /* An empty file is not a store to read... */
  reader = vigil_store_open_readonly (f->path, &error);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_SCHEMA);
  g_assert_null (reader);
  g_clear_error (&error);

  /* ...but a fine place to create one. */
  store = open_store (f->path);
  ensure_session (store, &session_a);
  close_store (store);
  g_assert_cmpint (query_int (f->path, "PRAGMA user_version"), ==, 4);

  g_clear_object (&store);
  reader = vigil_store_open_readonly (f->path, &error);
  g_assert_no_error (error);

  g_clear_object (&reader);
  reader = vigil_store_open_readonly (missing, &error);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
}

/* Both ways of opening refuse @path with @code and a message naming it (PATH in
 * @message_pattern), and leave it exactly as it was. */
static void
assert_refused (const char *path,
                int         code,
                const char *message_pattern)
{
  g_autoptr(GBytes) before = read_bytes (path);
  g_autoptr(GString) pattern = g_string_new (message_pattern);

  g_string_replace (pattern, "PATH", path, 0);

  for (guint readonly = 0; readonly < 2; readonly++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VigilStore) store = NULL;
      g_autoptr(GBytes) after = NULL;

      store = readonly ? vigil_store_open_readonly (path, &error)
                       : vigil_store_open (path, &error);
      g_assert_null (store);
      g_assert_error (error, VIGIL_ENGINE_ERROR, code);
      if (!g_pattern_match_simple (pattern->str, error->message))
        g_error ("“%s” does not match “%s”", error->message, pattern->str);

      after = read_bytes (path);
      g_assert_true (g_bytes_equal (before, after));
    }
}

static void
test_refuse_newer (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);

  ensure_session (store, &session_a);
  close_store (store);
  exec_sqlite (f->path, "PRAGMA user_version = 5");

  assert_refused (f->path, VIGIL_ENGINE_ERROR_SCHEMA,
                  "PATH was written by a newer Vigil (store schema 5; this Vigil reads up to 4)");
  g_assert_cmpint (query_int (f->path, "PRAGMA user_version"), ==, 5);
}

static void
test_refuse_foreign (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *other = g_build_filename (f->dir, "other.db", NULL);

  exec_sqlite (f->path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);"
                        "INSERT INTO notes (text) VALUES ('not Vigil');");
  assert_refused (f->path, VIGIL_ENGINE_ERROR_SCHEMA,
                  "PATH is a SQLite database but not a Vigil store");

  /* No tables, but another application's id. */
  {
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open (other, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "PRAGMA application_id = 42; PRAGMA user_version = 1",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  assert_refused (other, VIGIL_ENGINE_ERROR_SCHEMA,
                  "PATH is a SQLite database but not a Vigil store");
}

static void
test_refuse_garbage (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GError) error = NULL;
  guint8 bytes[8192];

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) g_rand_int_range (rand, 0, 256);
  g_file_set_contents (f->path, (const char *) bytes, sizeof bytes, &error);
  g_assert_no_error (error);

  assert_refused (f->path, VIGIL_ENGINE_ERROR_SCHEMA,
                  "PATH is not a Vigil store (it is not an SQLite database)");

  g_file_set_contents (f->path, "sensor,value\nPS1,1\n", -1, &error);
  g_assert_no_error (error);
  assert_refused (f->path, VIGIL_ENGINE_ERROR_SCHEMA,
                  "PATH is not a Vigil store (it is not an SQLite database)");
}

static void
write_truncated (const char *from,
                 const char *to,
                 gsize       len)
{
  g_autoptr(GBytes) bytes = read_bytes (from);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (len, <, g_bytes_get_size (bytes));
  g_file_set_contents (to, g_bytes_get_data (bytes, NULL), len, &error);
  g_assert_no_error (error);
}

static void
test_refuse_truncated (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  g_autofree char *cut_pages = g_build_filename (f->dir, "pages.vigil", NULL);
  g_autofree char *cut_odd = g_build_filename (f->dir, "odd.vigil", NULL);
  g_autofree char *cut_header = g_build_filename (f->dir, "header.vigil", NULL);
  g_autoptr(GBytes) bytes = NULL;
  VigilStoreBatch *batch;
  gint64 id;
  gsize size;

  id = ensure_session (store, &session_a);
  batch = vigil_store_batch_new (id);
  for (guint i = 0; i < 3000; i++)
    {
      VigilWindowStats w = window (i % VIGIL_N_SENSORS, T0 + SEC (10) * i, 600, i, 0, i, 1);

      g_array_append_val (batch->windows, w);
    }
  vigil_store_submit (store, batch);
  close_store (store);

  bytes = read_bytes (f->path);
  size = g_bytes_get_size (bytes);
  g_assert_cmpuint (size, >, 16 * 4096);

  /* Whole pages missing, a page cut in the middle, and most of the first page missing. */
  write_truncated (f->path, cut_pages, size / 2 / 4096 * 4096);
  write_truncated (f->path, cut_odd, size / 2 + 1234);
  write_truncated (f->path, cut_header, 1000);
  assert_refused (cut_pages, VIGIL_ENGINE_ERROR_STORE, "PATH is damaged (truncated or corrupted)*");
  assert_refused (cut_odd, VIGIL_ENGINE_ERROR_STORE, "PATH is damaged (truncated or corrupted)*");
  assert_refused (cut_header, VIGIL_ENGINE_ERROR_STORE,
                  "PATH is damaged (truncated or corrupted)*");
}

/* Rows ------------------------------------------------------------------------------------- */

static void
test_rows (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  g_autofree char *windows = NULL;
  g_autofree char *late = NULL;
  g_autofree char *labels = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *sessions = NULL;
  gint64 id;

  id = ensure_session (store, &session_a);
  g_assert_cmpint (id, ==, 1);
  vigil_store_submit (store, windows_batch (id));
  vigil_store_submit (store, misc_batch (id));
  vigil_store_submit (store, alarm_batch (id));
  flush_store (store);

  /* Visible to another connection as soon as flush returns. */
  windows = query_rows (f->path, "SELECT * FROM windows ORDER BY window_start, sensor");
  g_assert_cmpstr (windows, ==,
                   "1|PS1|1735689600000000|1735689660000000|6000|151.25|140|160.5|2.5|20.5\n"
                   "1|PS2|1735689600000000|1735689660000000|6000|0.10000000000000001|0|1.5|"
                   "0.25|1.5\n"
                   "1|EPS1|1735689610250000|1735689670250000|6000|2500|2400|2600|50.5|200\n"
                   "1|SE|1735689610250000|1735689670250000|1|68.5|68.5|68.5|NULL|0\n"
                   "1|TS1|1735689610250000|1735689670250000|60|35.625|35|36.25|"
                   "0.10000000000000001|1.25\n");
  late = query_rows (f->path, "SELECT * FROM late_records ORDER BY sensor, seq");
  g_assert_cmpstr (late, ==,
                   "1|CE|0|1735689602000000|1735689671000000|0.10000000000000001\n"
                   "1|FS1|0|1735689601500000|1735689670000000|8.125\n"
                   "1|FS1|1|1735689601600000|1735689670000000|NULL\n");
  labels = query_rows (f->path, "SELECT * FROM cycle_labels ORDER BY cycle");
  g_assert_cmpstr (labels, ==,
                   "1|0|1735689600000000|3|100|0|130|1\n"
                   "1|1|1735689660000000|20|73|2|90|0\n");
  journal = query_rows (f->path,
                        "SELECT rule, sensor, at_us, seq, severity, from_state, to_state, cause,"
                        " shelved, shelved_until_us, raised_us, value, comment"
                        " FROM alarm_journal ORDER BY at_us, rule");
  g_assert_cmpstr (journal, ==,
                   "high_pressure|PS1|1735689650000000|0|critical|normal|pending|condition|0|"
                   "NULL|NULL|160.5|NULL\n"
                   "high_pressure|PS1|1735689660000000|0|critical|pending|active-unacked|timer|"
                   "0|NULL|1735689660000000|161.25|NULL\n"
                   "low_efficiency|SE|1735689660000000|0|warning|normal|active-unacked|"
                   "condition|0|NULL|1735689660000000|0.10000000000000001|NULL\n"
                   "low_efficiency|SE|1735689665000000|0|warning|active-unacked|active-unacked|"
                   "shelve|1|1735693265000000|1735689660000000|NULL|maintenance\n"
                   "high_pressure|PS1|1735689675500000|0|critical|active-unacked|active-acked|"
                   "ack|0|NULL|1735689660000000|NULL|checked, \"ok\"\n"
                   "high_pressure|PS1|1735689690000000|0|critical|active-acked|clearing|"
                   "condition|0|NULL|1735689660000000|150.5|NULL\n"
                   "high_pressure|PS1|1735689700000000|0|critical|clearing|active-acked|"
                   "condition|0|NULL|1735689660000000|170.75|NULL\n"
                   "high_pressure|PS1|1735689710000000|0|critical|active-acked|clearing|"
                   "condition|0|NULL|1735689660000000|149.5|NULL\n"
                   "high_pressure|PS1|1735689720000000|0|critical|clearing|normal|timer|0|NULL|"
                   "1735689660000000|148.25|NULL\n");
  sessions = query_rows (f->path, "SELECT id, kind, source, start_us, window_us, slide_us,"
                                  " lateness_us, rules_json, length (key) FROM sessions");
  g_assert_cmpstr (sessions, ==,
                   "1|hydraulic|/data/rig-a|1735689600000000|60000000|10000000|10000000|"
                   "{\"rules\":[]}|64\n");
  close_store (store);
}

static void
test_alarm_instances (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  g_autofree char *alarms = NULL;
  gint64 id = ensure_session (store, &session_a);

  vigil_store_submit (store, alarm_batch (id));
  flush_store (store);

  /* Transitions before the raise (raised_us 0) make no instance. */
  alarms = query_rows (f->path,
                       "SELECT session_id, rule, sensor, severity, raised_us, state, value, peak,"
                       " acknowledged_us, ack_comment, cleared_us, shelved_until_us"
                       " FROM alarms ORDER BY raised_us, rule");
  g_assert_cmpstr (alarms, ==,
                   "1|high_pressure|PS1|critical|1735689660000000|normal|161.25|170.75|"
                   "1735689675500000|checked, \"ok\"|1735689720000000|NULL\n"
                   "1|low_efficiency|SE|warning|1735689660000000|active-unacked|"
                   "0.10000000000000001|0.10000000000000001|NULL|NULL|NULL|1735693265000000\n");
  close_store (store);
}

static void
test_idempotent (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  g_autoptr(VigilStore) again = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  gint64 id = ensure_session (store, &session_a);

  vigil_store_submit (store, windows_batch (id));
  vigil_store_submit (store, misc_batch (id));
  vigil_store_submit (store, alarm_batch (id));
  flush_store (store);
  first = dump_store (f->path);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM windows"), ==, 5);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM alarm_journal"), ==, 9);

  g_assert_cmpint (ensure_session (store, &session_a), ==, id);
  vigil_store_submit (store, windows_batch (id));
  vigil_store_submit (store, misc_batch (id));
  vigil_store_submit (store, alarm_batch (id));
  close_store (store);
  second = dump_store (f->path);
  g_assert_cmpstr (first, ==, second);

  /* A re-replay from a new process is the same again. */
  again = open_store (f->path);
  id = ensure_session (again, &session_a);
  vigil_store_submit (again, alarm_batch (id));
  vigil_store_submit (again, misc_batch (id));
  vigil_store_submit (again, windows_batch (id));
  close_store (again);
  third = dump_store (f->path);
  g_assert_cmpstr (first, ==, third);
}

/* Writer thread ------------------------------------------------------------------------------ */

#define N_PRODUCERS 4
#define BATCHES_PER_PRODUCER 2500
#define WINDOWS_PER_BATCH 3

typedef struct
{
  VigilStore *store;
  const char *path;
  gint64      session_id;
  VigilSensor sensor;
} Producer;

static gpointer
producer_main (gpointer data)
{
  Producer *p = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;

  for (guint i = 0; i < BATCHES_PER_PRODUCER; i++)
    {
      VigilStoreBatch *batch = vigil_store_batch_new (p->session_id);

      for (guint j = 0; j < WINDOWS_PER_BATCH; j++)
        {
          guint n = i * WINDOWS_PER_BATCH + j;
          VigilWindowStats w = window (p->sensor, T0 + SEC (10) * n, n, n, 0, n, 1);

          g_array_append_val (batch->windows, w);
        }
      if (i % 10 == 0)
        {
          VigilLateRecord late = { p->sensor, i, T0 + i, T0 + i + 1, i };

          g_array_append_val (batch->late, late);
        }
      vigil_store_submit (p->store, batch);
    }

  /* After this producer's flush, another connection sees all its rows. */
  if (!vigil_store_flush (p->store, &error))
    g_error ("%s", error->message);
  sql = g_strdup_printf ("SELECT count(*), sum(count) FROM windows WHERE sensor = '%s'",
                         vigil_sensor_get_info (p->sensor)->name);

  return query_rows (p->path, sql);
}

static void
test_concurrent (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  Producer producers[N_PRODUCERS];
  GThread *threads[N_PRODUCERS];
  g_autofree char *expected = NULL;
  const gint64 n = BATCHES_PER_PRODUCER * WINDOWS_PER_BATCH;
  gint64 id = ensure_session (store, &session_a);

  /* Each producer's windows count 0..n-1: n rows summing to n (n - 1) / 2. */
  expected = g_strdup_printf ("%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT "\n", n, n * (n - 1) / 2);

  for (guint i = 0; i < N_PRODUCERS; i++)
    {
      producers[i] = (Producer) { store, f->path, id, (VigilSensor) (i * 3) };
      threads[i] = g_thread_new ("producer", producer_main, &producers[i]);
    }
  for (guint i = 0; i < N_PRODUCERS; i++)
    {
      g_autofree char *seen = g_thread_join (threads[i]);

      g_assert_cmpstr (seen, ==, expected);
    }
  close_store (store);

  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM windows"), ==, N_PRODUCERS * n);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM late_records"), ==,
                   N_PRODUCERS * BATCHES_PER_PRODUCER / 10);
  g_assert_cmpint (query_int (f->path, "SELECT count(DISTINCT sensor) FROM windows"), ==,
                   N_PRODUCERS);
}

static void
test_write_error (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) close_error = NULL;
  g_autofree char *rows = NULL;
  VigilStoreBatch *batch;
  gint64 id = ensure_session (store, &session_a);

  batch = vigil_store_batch_new (id);
  g_array_append_vals (batch->windows, (VigilWindowStats[]) {
    window (VIGIL_SENSOR_PS1, T0, 10, 1, 0, 2, 1) }, 1);
  vigil_store_submit (store, batch);
  flush_store (store);

  /* From now on SQLite refuses PS2 windows. */
  exec_sqlite (f->path, "CREATE TRIGGER refuse_ps2 BEFORE INSERT ON windows"
                        " WHEN NEW.sensor = 'PS2' BEGIN SELECT RAISE (ABORT, 'disk on fire'); END");

  batch = vigil_store_batch_new (id);
  g_array_append_vals (batch->windows, (VigilWindowStats[]) {
    window (VIGIL_SENSOR_PS1, T0 + SEC (20), 10, 1, 0, 2, 1),
    window (VIGIL_SENSOR_PS2, T0 + SEC (20), 10, 1, 0, 2, 1) }, 2);
  vigil_store_submit (store, batch);
  for (guint i = 0; i < 200; i++)
    {
      batch = vigil_store_batch_new (id);
      g_array_append_vals (batch->windows, (VigilWindowStats[]) {
        window (VIGIL_SENSOR_PS3, T0 + SEC (10) * i, 10, 1, 0, 2, 1) }, 1);
      vigil_store_submit (store, batch);
    }

  g_assert_false (vigil_store_flush (store, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "disk on fire"));
  g_assert_nonnull (strstr (error->message, f->path));

  /* The first error stays; close reports it too. */
  g_assert_false (vigil_store_close (store, &close_error));
  g_assert_cmpstr (close_error->message, ==, error->message);

  /* Committed before: kept. The failing batch (even its first row) and all after it: not. */
  rows = query_rows (f->path, "SELECT sensor, window_start FROM windows"
                              " ORDER BY window_start, sensor");
  g_assert_cmpstr (rows, ==, "PS1|1735689600000000\n");
}

static void
test_readonly (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  g_autoptr(VigilStore) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  VigilStoreFilter filter;
  gint64 id = ensure_session (store, &session_a);

  vigil_store_submit (store, windows_batch (id));
  close_store (store);
  before = read_bytes (f->path);

  reader = vigil_store_open_readonly (f->path, &error);
  g_assert_no_error (error);
  vigil_store_filter_init (&filter);
  g_assert_true (vigil_store_export_windows (reader, &filter, out, NULL, &error));
  g_assert_no_error (error);

  g_test_expect_message ("vigil-store", G_LOG_LEVEL_CRITICAL, "*!self->readonly*");
  vigil_store_submit (reader, NULL);
  g_test_assert_expected_messages ();

  g_assert_true (vigil_store_close (reader, &error));
  after = read_bytes (f->path);
  g_assert_true (g_bytes_equal (before, after));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/engine/store/create-reopen", test_create_reopen);
  ADD ("/engine/store/create-empty-file", test_create_empty_file);
  ADD ("/engine/store/refuse/newer", test_refuse_newer);
  ADD ("/engine/store/refuse/foreign", test_refuse_foreign);
  ADD ("/engine/store/refuse/garbage", test_refuse_garbage);
  ADD ("/engine/store/refuse/truncated", test_refuse_truncated);
  ADD ("/engine/store/rows", test_rows);
  ADD ("/engine/store/alarm-instances", test_alarm_instances);
  ADD ("/engine/store/idempotent", test_idempotent);
  ADD ("/engine/store/concurrent", test_concurrent);
  ADD ("/engine/store/write-error", test_write_error);
  ADD ("/engine/store/readonly", test_readonly);
#undef ADD

  return g_test_run ();
}
