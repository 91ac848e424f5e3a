/* test-recording.c
 *
 * Reading a recorded session back and playing it into the live bus: summaries, windows and
 * journal against independent SQL queries, a playback that ends with exactly the stored
 * windows, seeks that show charts and alarm states as of any moment (an independent fold of
 * the journal in SQL), a pause that holds, and files that are refused without being touched.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "vigil-error.h"
#include "vigil-hydraulic-generator.h"
#include "vigil-hydraulic-replay.h"
#include "vigil-live.h"
#include "vigil-recording.h"
#include "vigil-store.h"
#include "vigil-time.h"
#include "vigil-test-sqlite.h"
#include "vigil-test-util.h"

#define N_CYCLES 12
#define SEED 1

/* Thresholds low enough that the 12 cycles of seed 1 raise, clear and raise again, with
 * on- and off-delays so that pending and clearing states are journaled too. */
static const char rules_json[] =
  "{\"rules\": ["
  " {\"name\": \"warm_oil\", \"sensor\": \"TS1\", \"statistic\": \"avg\", \"operator\": \">\","
  "  \"threshold\": 45, \"clear\": 44, \"severity\": \"critical\", \"on_delay\": 0,"
  "  \"off_delay\": 0},"
  " {\"name\": \"high_pressure\", \"sensor\": \"PS1\", \"statistic\": \"max\", \"operator\": \">\","
  "  \"threshold\": 178, \"clear\": 175, \"severity\": \"critical\", \"on_delay\": 10,"
  "  \"off_delay\": 10},"
  " {\"name\": \"pressure_swing\", \"family\": \"pressure\", \"statistic\": \"range\","
  "  \"operator\": \">\", \"threshold\": 20, \"clear\": 10, \"severity\": \"warning\","
  "  \"on_delay\": 10, \"off_delay\": 20},"
  " {\"name\": \"low_efficiency\", \"sensor\": \"SE\", \"statistic\": \"min\", \"operator\": \"<\","
  "  \"threshold\": 40, \"clear\": 50, \"severity\": \"warning\", \"on_delay\": 0,"
  "  \"off_delay\": 10}"
  "]}";

/* Made once by main() and shared read-only by the tests; each test copies what it edits. */
static char *tmp_dir;
static char *recording_path;
static char *rig_dir;

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("vigil-recording-test-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  vigil_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* The recording --------------------------------------------------------------------------- */

static void
make_recording (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRuleSet) rules = NULL;
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilHydraulicReplay) replay = NULL;
  VigilReplayOptions options;

  rig_dir = g_build_filename (tmp_dir, "rig", NULL);
  recording_path = g_build_filename (tmp_dir, "recording.sqlite", NULL);
  g_assert_cmpint (g_mkdir_with_parents (rig_dir, 0755), ==, 0);

  g_assert_true (vigil_hydraulic_generate_range (rig_dir, 0, N_CYCLES, SEED, NULL, NULL,
                                                 &error));
  g_assert_no_error (error);

  rules = vigil_rule_set_new_from_data (rules_json, -1, "test rules", &error);
  g_assert_no_error (error);

  store = vigil_store_open (recording_path, &error);
  g_assert_no_error (error);

  vigil_replay_options_init (&options);
  options.speed = 0;
  replay = vigil_hydraulic_replay_new (rig_dir, store, rules, &options);
  g_assert_true (vigil_hydraulic_replay_run (replay, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (vigil_store_close (store, &error));
  g_assert_no_error (error);
}

/* Independent SQL ------------------------------------------------------------------------- */

static void
exec_db (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

static VigilSensor
sensor_of (const char *name)
{
  VigilSensor sensor = 0;

  g_assert_true (vigil_sensor_from_name (name, &sensor));

  return sensor;
}

/* The windows rows of session @session_id whose end is at or before @until_us, for
 * @sensor (or all when it is VIGIL_N_SENSORS), in @order. */
static GArray *
sql_windows (sqlite3    *db,
             gint64      session_id,
             guint       sensor,
             gint64      until_us,
             const char *order)
{
  g_autofree char *sql = g_strdup_printf (
    "SELECT sensor, window_start, window_end, count, avg, min, max, stddev, \"range\""
    " FROM windows WHERE session_id = ?1 AND window_end <= ?2 AND (?3 = '' OR sensor = ?3)"
    " ORDER BY %s", order);
  sqlite3_stmt *stmt = prepare (db, sql);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));

  sqlite3_bind_int64 (stmt, 1, session_id);
  sqlite3_bind_int64 (stmt, 2, until_us);
  sqlite3_bind_text (stmt, 3, sensor < VIGIL_N_SENSORS ? vigil_sensor_get_info (sensor)->name
                                                       : "", -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      VigilWindowStats w = column_window (stmt, 1,
                                          sensor_of ((const char *) sqlite3_column_text (stmt,
                                                                                         0)));

      g_array_append_val (out, w);
    }
  sqlite3_finalize (stmt);

  return out;
}

/* The state of every alarm instance as of @at_us, folded from the journal rows in SQL:
 * "rule/sensor/raised" -> to_state of its last transition at or before @at_us. */
static GHashTable *
sql_alarm_states (sqlite3 *db,
                  gint64   session_id,
                  gint64   at_us)
{
  sqlite3_stmt *stmt = prepare (db,
    "SELECT j.rule, j.sensor, j.raised_us, j.to_state FROM alarm_journal j"
    " WHERE j.session_id = ?1 AND j.raised_us IS NOT NULL AND j.at_us <= ?2"
    " AND NOT EXISTS (SELECT 1 FROM alarm_journal k"
    "   WHERE k.session_id = j.session_id AND k.rule = j.rule AND k.sensor = j.sensor"
    "   AND k.raised_us = j.raised_us AND k.at_us <= ?2"
    "   AND (k.at_us > j.at_us OR (k.at_us = j.at_us AND k.seq > j.seq)))");
  GHashTable *states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  sqlite3_bind_int64 (stmt, 1, session_id);
  sqlite3_bind_int64 (stmt, 2, at_us);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      char *key = g_strdup_printf ("%s/%s/%" G_GINT64_FORMAT, sqlite3_column_text (stmt, 0),
                                   sqlite3_column_text (stmt, 1),
                                   (gint64) sqlite3_column_int64 (stmt, 2));

      g_assert_true (g_hash_table_insert (states, key,
                                          g_strdup ((const char *) sqlite3_column_text (stmt, 3))));
    }
  sqlite3_finalize (stmt);

  return states;
}

/* The live --------------------------------------------------------------------------------- */

/* What the live shows must be the recording as of @at_us, exactly. */
static void
assert_live_as_of (VigilLive *live,
                   sqlite3   *db,
                   gint64     session_id,
                   gint64     at_us)
{
  g_autoptr(GHashTable) expected = sql_alarm_states (db, session_id, at_us);
  g_autoptr(GArray) alarms = vigil_live_dup_alarms (live);
  VigilLiveCounters counters;
  guint64 n_windows = 0;

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      g_autoptr(GArray) want = sql_windows (db, session_id, s, at_us, "window_start");
      g_autoptr(GArray) got = vigil_live_dup_windows (live, s, G_MININT64, G_MAXINT64);

      assert_same_windows (got, want);
      n_windows += want->len;
    }

  g_assert_cmpuint (alarms->len, ==, g_hash_table_size (expected));
  for (guint i = 0; i < alarms->len; i++)
    {
      const VigilLiveAlarm *a = &g_array_index (alarms, VigilLiveAlarm, i);
      g_autofree char *key = g_strdup_printf ("%s/%s/%" G_GINT64_FORMAT, a->rule,
                                              vigil_sensor_get_info (a->sensor)->name,
                                              a->raised_us);

      g_assert_cmpstr (vigil_alarm_state_to_string (a->state), ==,
                       g_hash_table_lookup (expected, key));
    }

  vigil_live_get_counters (live, &counters);
  g_assert_cmpint (counters.position_us, ==, at_us);
  g_assert_cmpuint (counters.windows, ==, n_windows);
}

/* Polls (no timing asserted) until the playback reaches the end of the timeline. */
static void
wait_finished (VigilRecording *recording)
{
  while (!vigil_recording_is_finished (recording))
    g_usleep (1000);
}

static VigilRecording *
open_recording (const char *path)
{
  g_autoptr(GError) error = NULL;
  VigilRecording *recording = vigil_recording_open (path, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (recording);

  return recording;
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (contents, len);
}

static char *
copy_recording (Fixture    *f,
                const char *name)
{
  g_autoptr(GBytes) bytes = read_bytes (recording_path);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);

  return path;
}

/* Tests ----------------------------------------------------------------------------------- */

static void
test_list_sessions (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = vigil_store_open_readonly (recording_path, &error);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(VigilSessionSummary) latest = NULL;
  g_autofree char *canonical_rig = g_canonicalize_filename (rig_dir, NULL);
  g_autoptr(VigilRuleSet) rules = NULL;
  g_autofree char *canonical_rules = NULL;
  const VigilSessionSummary *s;
  sqlite3 *db = open_db (recording_path);
  sqlite3_stmt *stmt;
  guint32 sensors = 0;

  g_assert_no_error (error);
  sessions = vigil_store_list_sessions (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 1);
  s = g_ptr_array_index (sessions, 0);

  g_assert_cmpint (s->id, ==, query_int (db, "SELECT id FROM sessions"));
  g_assert_cmpstr (s->kind, ==, "hydraulic");
  g_assert_cmpstr (s->source, ==, canonical_rig);
  g_assert_cmpint (s->start_us, ==, VIGIL_DEFAULT_START_US);
  g_assert_cmpint (s->window_us, ==, 60 * G_USEC_PER_SEC);
  g_assert_cmpint (s->slide_us, ==, 10 * G_USEC_PER_SEC);
  g_assert_cmpint (s->lateness_us, ==, 10 * G_USEC_PER_SEC);
  g_assert_cmpint (s->created_us, ==, query_int (db, "SELECT created_us FROM sessions"));
  g_assert_cmpint (s->end_us, ==, query_int (db, "SELECT max(window_end) FROM windows"));
  g_assert_cmpuint (s->n_windows, ==, query_int (db, "SELECT count(*) FROM windows"));
  g_assert_cmpuint (s->n_alarms, ==, query_int (db, "SELECT count(*) FROM alarms"));
  g_assert_cmpuint (s->n_cycles, ==, query_int (db, "SELECT count(*) FROM cycle_labels"));
  g_assert_cmpuint (s->n_cycles, ==, N_CYCLES);
  /* The rules set raises alarms in this recording; the tests below depend on it. */
  g_assert_cmpuint (s->n_alarms, >=, 4);

  stmt = prepare (db, "SELECT DISTINCT sensor FROM windows");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    sensors |= 1u << sensor_of ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  g_assert_cmphex (s->sensors, ==, sensors);
  g_assert_cmphex (s->sensors, ==, (1u << VIGIL_N_SENSORS) - 1);

  rules = vigil_rule_set_new_from_data (rules_json, -1, "test rules", &error);
  g_assert_no_error (error);
  canonical_rules = vigil_rule_set_to_json (rules);
  g_assert_cmpstr (s->rules_json, ==, canonical_rules);

  latest = vigil_store_get_session (store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (latest->id, ==, s->id);
  g_assert_cmpuint (latest->n_windows, ==, s->n_windows);

  g_assert_null (vigil_store_get_session (store, s->id + 41, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);

  sqlite3_close (db);
}

/* Two sessions in one file: listed newest first, each with its own counts. */
static void
test_list_two_sessions (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = copy_recording (f, "two.sqlite");
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(VigilStoreBatch) batch = NULL;
  VigilSessionInfo info = {
    "hydraulic", "/somewhere/else", VIGIL_DEFAULT_START_US, 30 * G_USEC_PER_SEC,
    10 * G_USEC_PER_SEC, 0, "{\"rules\":[]}",
  };
  VigilWindowStats w = { VIGIL_SENSOR_CE, VIGIL_DEFAULT_START_US,
                         VIGIL_DEFAULT_START_US + 30 * G_USEC_PER_SEC, 1, 25, 25, 25, NAN, 0 };
  const VigilSessionSummary *newest, *oldest;
  gint64 id;

  store = vigil_store_open (path, &error);
  g_assert_no_error (error);
  id = vigil_store_ensure_session (store, &info, &error);
  g_assert_no_error (error);
  batch = vigil_store_batch_new (id);
  g_array_append_val (batch->windows, w);
  vigil_store_submit (store, g_steal_pointer (&batch));
  g_assert_true (vigil_store_flush (store, &error));

  sessions = vigil_store_list_sessions (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 2);
  newest = g_ptr_array_index (sessions, 0);
  oldest = g_ptr_array_index (sessions, 1);
  g_assert_cmpint (newest->id, ==, id);
  g_assert_cmpint (oldest->id, <, id);
  g_assert_cmpstr (newest->source, ==, "/somewhere/else");
  g_assert_cmpuint (newest->n_windows, ==, 1);
  g_assert_cmpuint (newest->n_alarms, ==, 0);
  g_assert_cmpuint (newest->n_cycles, ==, 0);
  g_assert_cmphex (newest->sensors, ==, 1u << VIGIL_SENSOR_CE);
  g_assert_cmpint (newest->end_us, ==, w.end_us);
  g_assert_cmpuint (oldest->n_cycles, ==, N_CYCLES);
  g_assert_cmpuint (oldest->n_windows, >, 1);

  g_assert_true (vigil_store_close (store, &error));
  g_assert_no_error (error);
}

static void
test_read_windows (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = vigil_store_open_readonly (recording_path, &error);
  g_autoptr(GArray) all = NULL;
  g_autoptr(GArray) want_all = NULL;
  g_autoptr(GArray) some = NULL;
  g_autoptr(GArray) want_some = NULL;
  VigilStoreFilter filter;
  sqlite3 *db = open_db (recording_path);
  gint64 session_id = query_int (db, "SELECT id FROM sessions");
  gint64 from_us = VIGIL_DEFAULT_START_US + 120 * G_USEC_PER_SEC;
  gint64 to_us = VIGIL_DEFAULT_START_US + 300 * G_USEC_PER_SEC;

  g_assert_no_error (error);
  vigil_store_filter_init (&filter);
  all = vigil_store_read_windows (store, &filter, &error);
  g_assert_no_error (error);
  /* SQL sorts the names as text (CE before PS1); the order wanted is the enum's. */
  want_all = sql_windows (db, session_id, VIGIL_N_SENSORS, G_MAXINT64,
                          "window_end, CASE sensor"
                          " WHEN 'PS1' THEN 0 WHEN 'PS2' THEN 1 WHEN 'PS3' THEN 2"
                          " WHEN 'PS4' THEN 3 WHEN 'PS5' THEN 4 WHEN 'PS6' THEN 5"
                          " WHEN 'EPS1' THEN 6 WHEN 'FS1' THEN 7 WHEN 'FS2' THEN 8"
                          " WHEN 'TS1' THEN 9 WHEN 'TS2' THEN 10 WHEN 'TS3' THEN 11"
                          " WHEN 'TS4' THEN 12 WHEN 'VS1' THEN 13 WHEN 'CE' THEN 14"
                          " WHEN 'CP' THEN 15 WHEN 'SE' THEN 16 END");
  g_assert_cmpuint (all->len, ==, query_int (db, "SELECT count(*) FROM windows"));
  assert_same_windows (all, want_all);

  /* Sensors and a half-open time range on window_start. */
  filter.session_id = session_id;
  filter.sensors = (1u << VIGIL_SENSOR_TS1) | (1u << VIGIL_SENSOR_EPS1);
  filter.from_us = from_us;
  filter.to_us = to_us;
  some = vigil_store_read_windows (store, &filter, &error);
  g_assert_no_error (error);
  want_some = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));
  for (guint i = 0; i < want_all->len; i++)
    {
      const VigilWindowStats *w = &g_array_index (want_all, VigilWindowStats, i);

      if ((w->key == VIGIL_SENSOR_TS1 || w->key == VIGIL_SENSOR_EPS1) &&
          w->start_us >= from_us && w->start_us < to_us)
        g_array_append_val (want_some, *w);
    }
  g_assert_cmpuint (want_some->len, ==, 2 * 18);
  assert_same_windows (some, want_some);

  /* A session that is not there. */
  filter.session_id = session_id + 1;
  g_assert_null (vigil_store_read_windows (store, &filter, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);

  sqlite3_close (db);
}

static void
test_read_journal (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = vigil_store_open_readonly (recording_path, &error);
  g_autoptr(GArray) journal = NULL;
  g_autoptr(GArray) filtered = NULL;
  VigilStoreFilter filter;
  sqlite3 *db = open_db (recording_path);
  sqlite3_stmt *stmt;
  guint i = 0;
  guint n_ts1 = 0;

  g_assert_no_error (error);
  vigil_store_filter_init (&filter);
  journal = vigil_store_read_journal (store, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (journal->len, ==, query_int (db, "SELECT count(*) FROM alarm_journal"));
  g_assert_cmpuint (journal->len, >=, 10);

  /* Within one at_us and seq, the store orders by rule and then sensor. */
  stmt = prepare (db, "SELECT rule, sensor, at_us, seq, severity, from_state, to_state, cause,"
                      " shelved, shelved_until_us, raised_us, value, comment"
                      " FROM alarm_journal ORDER BY at_us, seq, rule, sensor");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const VigilAlarmTransition *t = &g_array_index (journal, VigilAlarmTransition, i++);

      g_assert_true (t->rule == g_intern_string ((const char *) sqlite3_column_text (stmt, 0)));
      g_assert_cmpuint (t->key, ==, sensor_of ((const char *) sqlite3_column_text (stmt, 1)));
      g_assert_cmpint (t->at_us, ==, sqlite3_column_int64 (stmt, 2));
      g_assert_cmpint (t->seq, ==, sqlite3_column_int64 (stmt, 3));
      g_assert_cmpstr (vigil_severity_to_string (t->severity), ==,
                       (const char *) sqlite3_column_text (stmt, 4));
      g_assert_cmpstr (vigil_alarm_state_to_string (t->from), ==,
                       (const char *) sqlite3_column_text (stmt, 5));
      g_assert_cmpstr (vigil_alarm_state_to_string (t->to), ==,
                       (const char *) sqlite3_column_text (stmt, 6));
      g_assert_cmpstr (vigil_alarm_cause_to_string (t->cause), ==,
                       (const char *) sqlite3_column_text (stmt, 7));
      g_assert_cmpint (t->shelved, ==, sqlite3_column_int (stmt, 8));
      g_assert_cmpint (t->shelved_until_us, ==, sqlite3_column_int64 (stmt, 9));
      g_assert_cmpint (t->raised_us, ==, sqlite3_column_int64 (stmt, 10));
      assert_same_double (t->value, column_double (stmt, 11));
      g_assert_cmpstr (t->comment, ==, (const char *) sqlite3_column_text (stmt, 12));
      n_ts1 += t->key == VIGIL_SENSOR_TS1;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (i, ==, journal->len);

  filter.sensors = 1u << VIGIL_SENSOR_TS1;
  filtered = vigil_store_read_journal (store, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (filtered->len, ==, n_ts1);
  g_assert_cmpuint (n_ts1, >, 0);
  for (i = 0; i < filtered->len; i++)
    g_assert_cmpuint (g_array_index (filtered, VigilAlarmTransition, i).key, ==,
                      VIGIL_SENSOR_TS1);

  sqlite3_close (db);
}

/* A file edited by hand: unknown names are errors that say where, never a crash. */
static void
test_bad_names (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *journal_path = copy_recording (f, "journal.sqlite");
  g_autofree char *windows_path = copy_recording (f, "windows.sqlite");
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilRecording) recording = NULL;
  g_autoptr(GArray) rows = NULL;
  VigilStoreFilter filter;

  exec_db (journal_path, "UPDATE alarm_journal SET to_state = 'exploded'"
                         " WHERE at_us = (SELECT max(at_us) FROM alarm_journal)");
  exec_db (windows_path, "UPDATE windows SET sensor = 'PS9'"
                         " WHERE sensor = 'TS2' AND window_start ="
                         " (SELECT min(window_start) FROM windows)");

  vigil_store_filter_init (&filter);
  store = vigil_store_open_readonly (journal_path, &error);
  g_assert_no_error (error);
  rows = vigil_store_read_journal (store, &filter, &error);
  g_assert_null (rows);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, journal_path));
  g_assert_nonnull (strstr (error->message, "alarm_journal"));
  g_assert_nonnull (strstr (error->message, "to_state"));
  g_assert_nonnull (strstr (error->message, "“exploded”"));
  g_clear_error (&error);
  g_clear_object (&store);

  recording = vigil_recording_open (journal_path, 0, &error);
  g_assert_null (recording);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
  g_clear_error (&error);

  store = vigil_store_open_readonly (windows_path, &error);
  g_assert_no_error (error);
  rows = vigil_store_read_windows (store, &filter, &error);
  g_assert_null (rows);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "table windows"));
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, windows_path));
  g_assert_nonnull (strstr (error->message, "2024-12-31T23:59:10"));
  g_assert_nonnull (strstr (error->message, "“PS9”"));
  g_clear_error (&error);

  g_assert_null (vigil_store_list_sessions (store, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "“PS9”"));
  g_clear_error (&error);
  g_clear_object (&store);

  recording = vigil_recording_open (windows_path, 0, &error);
  g_assert_null (recording);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
}

static void
test_play_all (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRecording) recording = open_recording (recording_path);
  g_autoptr(VigilLive) live = vigil_live_new ();
  g_autoptr(VigilRuleSet) live_rules = NULL;
  g_autofree char *live_json = NULL;
  const VigilSessionSummary *summary = vigil_recording_get_summary (recording);
  VigilLiveCounters counters;
  sqlite3 *db = open_db (recording_path);

  g_assert_cmpint (vigil_recording_get_position (recording), ==, summary->start_us);
  g_assert_false (vigil_recording_is_finished (recording));

  g_assert_true (vigil_recording_start (recording, live, 0, &error));
  g_assert_no_error (error);
  g_assert_false (vigil_recording_start (recording, live, 0, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_FAILED);
  wait_finished (recording);

  g_assert_cmpint (vigil_recording_get_position (recording), ==, summary->end_us);
  g_assert_cmpint (vigil_recording_get_end (recording), ==, summary->end_us);
  assert_live_as_of (live, db, summary->id, summary->end_us);

  vigil_live_get_counters (live, &counters);
  g_assert_cmpint (counters.start_us, ==, summary->start_us);
  g_assert_cmpint (counters.end_us, ==, summary->end_us);
  g_assert_cmphex (counters.sensors, ==, summary->sensors);
  g_assert_cmpuint (counters.windows, ==, summary->n_windows);
  live_rules = vigil_live_dup_rules (live);
  live_json = vigil_rule_set_to_json (live_rules);
  g_assert_cmpstr (live_json, ==, summary->rules_json);

  vigil_recording_stop (recording);
  vigil_recording_stop (recording);
  sqlite3_close (db);
}

/* Seeks anywhere, in any order, after the end, while paused: the live shows that moment. */
static void
test_seek (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRecording) recording = open_recording (recording_path);
  g_autoptr(VigilLive) live = vigil_live_new ();
  const VigilSessionSummary *summary = vigil_recording_get_summary (recording);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3 *db = open_db (recording_path);
  sqlite3_stmt *stmt;
  gint64 middle = summary->start_us + (summary->end_us - summary->start_us) / 2;

  g_assert_true (vigil_recording_start (recording, live, 0, &error));
  g_assert_no_error (error);
  wait_finished (recording);
  vigil_recording_set_paused (recording, TRUE);

  /* Backwards after the end, to the middle of the session. */
  vigil_recording_seek (recording, middle);
  g_assert_cmpint (vigil_recording_get_position (recording), ==, middle);
  g_assert_false (vigil_recording_is_finished (recording));
  assert_live_as_of (live, db, summary->id, middle);

  /* Exactly at every journal time and just before it, newest first, then a window end. */
  stmt = prepare (db, "SELECT DISTINCT at_us FROM alarm_journal ORDER BY at_us DESC");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 at_us = sqlite3_column_int64 (stmt, 0);
      gint64 before_us = at_us - 1;

      g_array_append_val (times, at_us);
      g_array_append_val (times, before_us);
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (times->len, >=, 10);

  for (guint i = 0; i < times->len; i++)
    {
      gint64 at_us = g_array_index (times, gint64, i);

      vigil_recording_seek (recording, at_us);
      g_assert_cmpint (vigil_recording_get_position (recording), ==, at_us);
      assert_live_as_of (live, db, summary->id, at_us);
    }

  /* Paused: nothing moves on after a seek. */
  g_assert_cmpint (vigil_recording_get_position (recording), ==,
                   g_array_index (times, gint64, times->len - 1));

  /* Clamped to the session. */
  vigil_recording_seek (recording, G_MININT64);
  g_assert_cmpint (vigil_recording_get_position (recording), ==, summary->start_us);
  assert_live_as_of (live, db, summary->id, summary->start_us);
  vigil_recording_seek (recording, G_MAXINT64);
  g_assert_cmpint (vigil_recording_get_position (recording), ==, summary->end_us);
  g_assert_true (vigil_recording_is_finished (recording));
  assert_live_as_of (live, db, summary->id, summary->end_us);

  /* Unpaused at maximum speed, a seek back plays on to the end. */
  vigil_recording_seek (recording, middle);
  vigil_recording_set_paused (recording, FALSE);
  wait_finished (recording);
  assert_live_as_of (live, db, summary->id, summary->end_us);

  sqlite3_close (db);
}

/* A seek before start sets where the playback begins. */
static void
test_seek_before_start (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRecording) recording = open_recording (recording_path);
  g_autoptr(VigilLive) live = vigil_live_new ();
  const VigilSessionSummary *summary = vigil_recording_get_summary (recording);
  gint64 at_us = summary->start_us + 305 * G_USEC_PER_SEC;
  sqlite3 *db = open_db (recording_path);

  vigil_recording_set_paused (recording, TRUE);
  vigil_recording_seek (recording, at_us);
  g_assert_cmpint (vigil_recording_get_position (recording), ==, at_us);
  g_assert_true (vigil_recording_start (recording, live, 0, &error));
  g_assert_no_error (error);
  assert_live_as_of (live, db, summary->id, at_us);

  /* Stopped, the live keeps what it shows; started again, it plays on to the end. */
  vigil_recording_stop (recording);
  g_assert_cmpint (vigil_recording_get_position (recording), ==, at_us);
  vigil_recording_set_paused (recording, FALSE);
  g_assert_true (vigil_recording_start (recording, live, 0, &error));
  g_assert_no_error (error);
  wait_finished (recording);
  assert_live_as_of (live, db, summary->id, summary->end_us);

  sqlite3_close (db);
}

/* A paced playback paused holds its position; unpaused at full speed it finishes. */
static void
test_pause (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRecording) recording = open_recording (recording_path);
  g_autoptr(VigilLive) live = vigil_live_new ();
  const VigilSessionSummary *summary = vigil_recording_get_summary (recording);
  VigilLiveCounters counters;
  sqlite3 *db = open_db (recording_path);
  gint64 held, since;

  /* 720 event seconds at 100x take seven wall seconds: plenty of room to pause in. */
  g_assert_true (vigil_recording_start (recording, live, 100, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (vigil_recording_get_speed (recording), ==, 100);
  while (vigil_recording_get_position (recording) == summary->start_us)
    g_usleep (1000);

  vigil_recording_set_paused (recording, TRUE);
  g_assert_true (vigil_recording_get_paused (recording));
  held = vigil_recording_get_position (recording);
  g_assert_cmpint (held, >, summary->start_us);
  g_assert_cmpint (held, <, summary->end_us);

  /* At 100x a fifth of a wall second is 20 event seconds: it would have moved. */
  since = g_get_monotonic_time ();
  while (g_get_monotonic_time () - since < G_USEC_PER_SEC / 5)
    {
      g_usleep (10000);
      g_assert_cmpint (vigil_recording_get_position (recording), ==, held);
    }
  vigil_live_get_counters (live, &counters);
  g_assert_cmpint (counters.position_us, ==, held);
  assert_live_as_of (live, db, summary->id, held);

  vigil_recording_set_speed (recording, 0);
  vigil_recording_set_paused (recording, FALSE);
  wait_finished (recording);
  assert_live_as_of (live, db, summary->id, summary->end_us);

  sqlite3_close (db);
}

typedef struct
{
  VigilRecording *recording;
  gint64          start_us;
  gint64          end_us;
} Seeker;

static gpointer
seeker_main (gpointer data)
{
  Seeker *seeker = data;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < 40; i++)
    {
      /* A tenth beyond either end too: seeks clamp. */
      double fraction = g_rand_double_range (rand, -0.1, 1.1);
      gint64 at_us = seeker->start_us
                     + (gint64) (fraction * (double) (seeker->end_us - seeker->start_us));

      vigil_recording_seek (seeker->recording, at_us);
      g_thread_yield ();
    }

  return NULL;
}

/* Seeks from another thread while the playback runs and the live is read: every state the
 * live goes through is a consistent one, and the last seek wins. */
static void
test_seek_while_playing (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRecording) recording = open_recording (recording_path);
  g_autoptr(VigilLive) live = vigil_live_new ();
  const VigilSessionSummary *summary = vigil_recording_get_summary (recording);
  Seeker seeker = { recording, summary->start_us, summary->end_us };
  gint64 at_us = summary->start_us + 455 * G_USEC_PER_SEC;
  sqlite3 *db = open_db (recording_path);
  GThread *thread;
  guint reads = 0;

  g_assert_true (vigil_recording_start (recording, live, 50, &error));
  g_assert_no_error (error);
  thread = g_thread_new ("seeker", seeker_main, &seeker);

  /* Windows of a sensor always come in start order, never twice, whatever the seeks do. */
  while (reads++ < 200)
    {
      for (guint s = 0; s < VIGIL_N_SENSORS; s++)
        {
          g_autoptr(GArray) windows = vigil_live_dup_windows (live, s, G_MININT64, G_MAXINT64);

          for (guint i = 1; i < windows->len; i++)
            g_assert_cmpint (g_array_index (windows, VigilWindowStats, i - 1).start_us, <,
                             g_array_index (windows, VigilWindowStats, i).start_us);
        }
      g_thread_yield ();
    }
  g_thread_join (thread);

  vigil_recording_set_paused (recording, TRUE);
  vigil_recording_seek (recording, at_us);
  assert_live_as_of (live, db, summary->id, at_us);

  vigil_recording_set_speed (recording, 0);
  vigil_recording_set_paused (recording, FALSE);
  wait_finished (recording);
  assert_live_as_of (live, db, summary->id, summary->end_us);

  sqlite3_close (db);
}

/* Disposing a recording that is playing stops it. */
static void
test_dispose_playing (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  VigilRecording *recording = open_recording (recording_path);
  g_autoptr(VigilLive) live = vigil_live_new ();

  g_assert_true (vigil_recording_start (recording, live, 1, &error));
  g_assert_no_error (error);
  g_object_unref (recording);

  g_assert_true (G_OBJECT (live)->ref_count == 1);
}

static char *
checksum_of (const char *path)
{
  g_autoptr(GBytes) bytes = read_bytes (path);

  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

/* Opens @path, expects the refusal, and checks that the file was not touched. */
static void
assert_refused (const char *path,
                gint64      session_id,
                int         code,
                const char *words)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = checksum_of (path);
  g_autofree char *after = NULL;
  g_autoptr(VigilRecording) recording = vigil_recording_open (path, session_id, &error);

  g_assert_null (recording);
  g_assert_error (error, VIGIL_ENGINE_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, words));

  after = checksum_of (path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_refusals (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text_path = g_build_filename (f->dir, "notes.sqlite", NULL);
  g_autofree char *truncated_path = copy_recording (f, "truncated.sqlite");
  g_autofree char *newer_path = copy_recording (f, "newer.sqlite");
  g_autofree char *missing_path = g_build_filename (f->dir, "missing.sqlite", NULL);
  g_autoptr(GBytes) bytes = read_bytes (truncated_path);
  g_autofree char *id_text = NULL;
  sqlite3 *db = open_db (recording_path);
  gint64 session_id = query_int (db, "SELECT id FROM sessions");

  sqlite3_close (db);

  g_assert_true (g_file_set_contents (text_path, "Shopping list\n- oil\n- filters\n", -1, NULL));
  assert_refused (text_path, 0, VIGIL_ENGINE_ERROR_SCHEMA, "not a Vigil store");

  g_assert_true (g_file_set_contents (truncated_path, g_bytes_get_data (bytes, NULL),
                                      g_bytes_get_size (bytes) / 2, &error));
  g_assert_no_error (error);
  assert_refused (truncated_path, 0, VIGIL_ENGINE_ERROR_STORE, "damaged");

  exec_db (newer_path, "PRAGMA user_version = 99");
  assert_refused (newer_path, 0, VIGIL_ENGINE_ERROR_SCHEMA, "newer Vigil");

  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, session_id + 7);
  assert_refused (recording_path, session_id + 7, VIGIL_ENGINE_ERROR_NOT_FOUND, id_text);

  g_assert_null (vigil_recording_open (missing_path, 0, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (missing_path, G_FILE_TEST_EXISTS));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = g_dir_make_tmp ("vigil-recording-XXXXXX", &error);
  g_assert_no_error (error);
  make_recording ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/engine/recording/list-sessions", test_list_sessions);
  ADD ("/engine/recording/list-two-sessions", test_list_two_sessions);
  ADD ("/engine/recording/read-windows", test_read_windows);
  ADD ("/engine/recording/read-journal", test_read_journal);
  ADD ("/engine/recording/bad-names", test_bad_names);
  ADD ("/engine/recording/play-all", test_play_all);
  ADD ("/engine/recording/seek", test_seek);
  ADD ("/engine/recording/seek-before-start", test_seek_before_start);
  ADD ("/engine/recording/pause", test_pause);
  ADD ("/engine/recording/seek-while-playing", test_seek_while_playing);
  ADD ("/engine/recording/dispose-playing", test_dispose_playing);
  ADD ("/engine/recording/refusals", test_refusals);
#undef ADD

  status = g_test_run ();

  vigil_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (recording_path);
  g_free (rig_dir);

  return status;
}
