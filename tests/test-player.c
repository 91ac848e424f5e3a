/* test-player.c
 *
 * The replay publishing to the live bus and the player around it, on generated datasets:
 * the live ends with exactly the stored windows and every sample, a replay that starts at a
 * later cycle stores exactly the full run's windows from there on, operator actions from
 * other threads reach the store, the journal and the live in order, pauses hold at any
 * speed, and the player plays, seeks, acts and replays its own recording, and acts on a Kafka
 * subscription's alarms.
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
#include "vigil-kafka-broker.h"
#include "vigil-kafka-producer.h"
#include "vigil-live.h"
#include "vigil-player.h"
#include "vigil-store.h"
#include "vigil-time.h"
#include "vigil-test-sqlite.h"
#include "vigil-test-util.h"

#define N_CYCLES 8
/* Long enough that a replay at full speed takes far longer than two calls in a row. */
#define LONG_CYCLES 120
#define SEED 1
#define CYCLE_US (VIGIL_CYCLE_SECONDS * G_USEC_PER_SEC)
#define START VIGIL_DEFAULT_START_US
#define END (START + N_CYCLES * (gint64) CYCLE_US)

/* Polls that wait for other threads give up after this long: a failure, never a hang. */
#define DEADLINE_US (120 * G_USEC_PER_SEC)

/* Thresholds low enough that seed 1 raises, clears and raises again (as in test-recording). */
static const char flapping_json[] =
  "{\"rules\": ["
  " {\"name\": \"warm_oil\", \"sensor\": \"TS1\", \"statistic\": \"avg\", \"operator\": \">\","
  "  \"threshold\": 45, \"clear\": 44, \"severity\": \"critical\", \"on_delay\": 0,"
  "  \"off_delay\": 0},"
  " {\"name\": \"high_pressure\", \"sensor\": \"PS1\", \"statistic\": \"max\", \"operator\": \">\","
  "  \"threshold\": 178, \"clear\": 175, \"severity\": \"critical\", \"on_delay\": 10,"
  "  \"off_delay\": 10},"
  " {\"name\": \"pressure_swing\", \"family\": \"pressure\", \"statistic\": \"range\","
  "  \"operator\": \">\", \"threshold\": 20, \"clear\": 10, \"severity\": \"warning\","
  "  \"on_delay\": 10, \"off_delay\": 20}"
  "]}";

/* Conditions that hold in every window of every cycle: these alarms surely fire at the
 * first window and never clear. */
static const char always_json[] =
  "{\"rules\": ["
  " {\"name\": \"hot\", \"sensor\": \"TS1\", \"statistic\": \"avg\", \"operator\": \">\","
  "  \"threshold\": 0, \"clear\": -10, \"severity\": \"critical\", \"on_delay\": 0,"
  "  \"off_delay\": 0},"
  " {\"name\": \"busy\", \"sensor\": \"PS1\", \"statistic\": \"max\", \"operator\": \">\","
  "  \"threshold\": 0, \"clear\": -10, \"severity\": \"warning\", \"on_delay\": 0,"
  "  \"off_delay\": 0},"
  " {\"name\": \"shaky\", \"sensor\": \"VS1\", \"statistic\": \"max\", \"operator\": \">\","
  "  \"threshold\": 0, \"clear\": -10, \"severity\": \"warning\", \"on_delay\": 0,"
  "  \"off_delay\": 0}"
  "]}";

/* Made once by main() and only read by the tests. */
static char *tmp_dir;
static char *rig_dir;        /* every sensor */
static char *rig_no_vs1_dir; /* without VS1.txt */

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("vigil-player-test-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  vigil_test_remove_tree (f->dir);
  g_free (f->dir);
}

static VigilRuleSet *
rules_from (const char *json)
{
  g_autoptr(GError) error = NULL;
  VigilRuleSet *rules = vigil_rule_set_new_from_data (json, -1, "test rules", &error);

  g_assert_no_error (error);

  return rules;
}

static char *
path_in (Fixture    *f,
         const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

/* Independent SQL ------------------------------------------------------------------------- */

/* The stored windows of @sensor starting at or after @from_us, in start order. */
static GArray *
sql_windows (const char *path,
             VigilSensor sensor,
             gint64      from_us)
{
  sqlite3 *db = open_db (path);
  sqlite3_stmt *stmt = prepare (db,
    "SELECT window_start, window_end, count, avg, min, max, stddev, \"range\" FROM windows"
    " WHERE sensor = ?1 AND window_start >= ?2 ORDER BY window_start");
  GArray *out = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));

  sqlite3_bind_text (stmt, 1, vigil_sensor_get_info (sensor)->name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, from_us);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      VigilWindowStats w = column_window (stmt, 0, sensor);

      g_array_append_val (out, w);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return out;
}

/* The live shows, sensor by sensor, exactly the windows stored from @from_us on. */
static void
assert_live_windows_stored (VigilLive  *live,
                            const char *db_path,
                            gint64      from_us)
{
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      g_autoptr(GArray) want = sql_windows (db_path, s, from_us);
      g_autoptr(GArray) got = vigil_live_dup_windows (live, s, G_MININT64, G_MAXINT64);

      g_assert_cmpuint (want->len, >, 0);
      assert_same_windows (got, want);
    }
}

/* Replays ----------------------------------------------------------------------------------- */

static void
wait_finished (VigilHydraulicReplay *replay)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;

  while (!vigil_hydraulic_replay_is_finished (replay) && g_get_monotonic_time () < deadline)
    g_usleep (2000);
  g_assert_true (vigil_hydraulic_replay_is_finished (replay));
}

/* Replays @dir into a store at @db_path, to the end. */
static void
replay_into (const char               *dir,
             const char               *db_path,
             VigilRuleSet             *rules,
             const VigilReplayOptions *options,
             VigilLive                *live)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = vigil_store_open (db_path, &error);
  g_autoptr(VigilHydraulicReplay) replay = NULL;

  g_assert_no_error (error);
  replay = vigil_hydraulic_replay_new (dir, store, rules, options);
  if (live != NULL)
    vigil_hydraulic_replay_set_live (replay, live);
  g_assert_true (vigil_hydraulic_replay_start (replay, &error));
  g_assert_no_error (error);
  wait_finished (replay);
  g_assert_true (vigil_hydraulic_replay_wait (replay, &error));
  g_assert_no_error (error);
  g_assert_true (vigil_store_close (store, &error));
  g_assert_no_error (error);
}

/* At maximum speed with a live: the live ends with exactly what was stored, every sample,
 * the alarms as the store derived them, and the position at the end. */
static void
test_replay_live (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRuleSet) rules = rules_from (flapping_json);
  g_autofree char *db_path = path_in (f, "live.sqlite");
  g_autoptr(VigilStore) store = vigil_store_open (db_path, &error);
  g_autoptr(VigilLive) live = vigil_live_new ();
  g_autoptr(VigilHydraulicReplay) replay = NULL;
  g_autoptr(GArray) alarms = NULL;
  g_autoptr(GArray) journal = NULL;
  g_autoptr(VigilRuleSet) live_rules = NULL;
  VigilLiveCounters counters;
  VigilReplayOptions options;
  VigilReplayStats stats;
  sqlite3 *db;
  sqlite3_stmt *stmt;
  guint matched = 0;

  g_assert_no_error (error);
  vigil_replay_options_init (&options);
  replay = vigil_hydraulic_replay_new (rig_dir, store, rules, &options);
  vigil_hydraulic_replay_set_live (replay, live);
  g_assert_cmpint (vigil_hydraulic_replay_get_position (replay), ==, START);
  g_assert_true (vigil_hydraulic_replay_start (replay, &error));
  g_assert_no_error (error);

  /* The workers publish their last position before they end. */
  wait_finished (replay);
  g_assert_cmpint (vigil_hydraulic_replay_get_position (replay), ==, END);
  vigil_live_get_counters (live, &counters);
  g_assert_cmpint (counters.position_us, ==, END);
  g_assert_true (vigil_hydraulic_replay_wait (replay, &error));
  g_assert_no_error (error);
  g_assert_true (vigil_hydraulic_replay_is_finished (replay));

  g_assert_cmpint (counters.start_us, ==, START);
  g_assert_cmpint (counters.end_us, ==, END);
  g_assert_cmphex (counters.sensors, ==, (1u << VIGIL_N_SENSORS) - 1);
  g_assert_cmpuint (counters.samples, ==, (guint64) N_CYCLES * VIGIL_SAMPLES_PER_CYCLE);
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    g_assert_cmpuint (vigil_series_get_length (vigil_live_get_series (live, s)), ==,
                      N_CYCLES * vigil_sensor_samples_per_cycle (s));
  live_rules = vigil_live_dup_rules (live);
  g_assert_true (live_rules == rules);

  assert_live_windows_stored (live, db_path, G_MININT64);
  db = open_db (db_path);
  g_assert_cmpuint (counters.windows, ==, query_int (db, "SELECT count(*) FROM windows"));
  g_assert_cmpuint (counters.late, ==, query_int (db, "SELECT count(*) FROM late_records"));

  /* Health as the workers' own alarm machines count it. */
  vigil_hydraulic_replay_get_stats (replay, &stats);
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    g_assert_cmpuint (counters.health[s], ==, stats.health[s]);
  g_assert_cmpuint (counters.rig_health, ==, stats.rig_health);

  /* Every alarm instance, as the store derived it from the same journal. */
  journal = vigil_live_dup_journal (live);
  g_assert_cmpuint (journal->len, ==, query_int (db, "SELECT count(*) FROM alarm_journal"));
  alarms = vigil_live_dup_alarms (live);
  g_assert_cmpuint (alarms->len, ==, query_int (db, "SELECT count(*) FROM alarms"));
  g_assert_cmpuint (alarms->len, >=, 3);
  stmt = prepare (db, "SELECT rule, sensor, raised_us, state, coalesce(cleared_us, 0),"
                      " coalesce(acknowledged_us, 0), severity FROM alarms");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    for (guint i = 0; i < alarms->len; i++)
      {
        const VigilLiveAlarm *a = &g_array_index (alarms, VigilLiveAlarm, i);

        if (g_strcmp0 (a->rule, (const char *) sqlite3_column_text (stmt, 0)) != 0 ||
            g_strcmp0 (vigil_sensor_get_info (a->sensor)->name,
                       (const char *) sqlite3_column_text (stmt, 1)) != 0 ||
            a->raised_us != sqlite3_column_int64 (stmt, 2))
          continue;
        g_assert_cmpstr (vigil_alarm_state_to_string (a->state), ==,
                         (const char *) sqlite3_column_text (stmt, 3));
        g_assert_cmpint (a->cleared_us, ==, sqlite3_column_int64 (stmt, 4));
        g_assert_cmpint (a->acked_us, ==, sqlite3_column_int64 (stmt, 5));
        g_assert_cmpstr (vigil_severity_to_string (a->severity), ==,
                         (const char *) sqlite3_column_text (stmt, 6));
        matched++;
      }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (matched, ==, alarms->len);
  sqlite3_close (db);

  g_assert_true (vigil_store_close (store, &error));
  g_assert_no_error (error);
}

/* Starting at cycle k: every window stored starts at or after it and is exactly the full
 * run's window with the same sensor and start; none is missing. */
static void
test_first_cycle (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRuleSet) rules = rules_from (flapping_json);
  g_autofree char *full_path = path_in (f, "full.sqlite");
  const guint firsts[] = { 3, N_CYCLES - 1 };
  VigilReplayOptions options;

  vigil_replay_options_init (&options);
  replay_into (rig_dir, full_path, rules, &options, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (firsts); i++)
    {
      g_autofree char *name = g_strdup_printf ("from-%u.sqlite", firsts[i]);
      g_autofree char *part_path = path_in (f, name);
      g_autoptr(VigilLive) live = vigil_live_new ();
      gint64 from_us = START + firsts[i] * (gint64) CYCLE_US;
      VigilLiveCounters counters;
      sqlite3 *db;

      options.first_cycle = firsts[i];
      replay_into (rig_dir, part_path, rules, &options, live);

      db = open_db (part_path);
      g_assert_cmpint (query_int (db, "SELECT min(window_start) FROM windows"), >=, from_us);
      g_assert_cmpint (query_int (db, "SELECT count(*) FROM cycle_labels"), ==,
                       N_CYCLES - firsts[i]);
      sqlite3_close (db);

      for (guint s = 0; s < VIGIL_N_SENSORS; s++)
        {
          g_autoptr(GArray) part = sql_windows (part_path, s, G_MININT64);
          g_autoptr(GArray) full = sql_windows (full_path, s, from_us);

          g_assert_cmpuint (part->len, >, 0);
          assert_same_windows (part, full);
        }

      /* The live shows the dataset's whole range, and only what this replay computed. */
      vigil_live_get_counters (live, &counters);
      g_assert_cmpint (counters.start_us, ==, START);
      g_assert_cmpint (counters.end_us, ==, END);
      g_assert_cmpint (counters.position_us, ==, END);
      g_assert_cmpuint (counters.samples, ==,
                        (guint64) (N_CYCLES - firsts[i]) * VIGIL_SAMPLES_PER_CYCLE);
      assert_live_windows_stored (live, part_path, G_MININT64);
    }

  /* Past the end: refused before anything is written. */
  for (guint first = N_CYCLES; first <= N_CYCLES + 1; first++)
    {
      g_autofree char *path = path_in (f, "none.sqlite");
      g_autoptr(VigilStore) store = vigil_store_open (path, &error);
      g_autoptr(VigilHydraulicReplay) replay = NULL;
      g_autofree char *words = g_strdup_printf ("has %u cycles", N_CYCLES);
      sqlite3 *db;

      g_assert_no_error (error);
      options.first_cycle = first;
      replay = vigil_hydraulic_replay_new (rig_dir, store, rules, &options);
      g_assert_false (vigil_hydraulic_replay_start (replay, &error));
      g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, words));
      g_clear_error (&error);
      g_assert_true (vigil_store_close (store, &error));

      db = open_db (path);
      g_assert_cmpint (query_int (db, "SELECT count(*) FROM sessions"), ==, 0);
      sqlite3_close (db);
    }
}

/* Operator actions -------------------------------------------------------------------------- */

typedef struct
{
  VigilHydraulicReplay *replay;
} Operator;

/* What an operator does from the UI's action thread while the replay is paused. */
static gpointer
operator_main (gpointer data)
{
  Operator *op = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (vigil_hydraulic_replay_acknowledge (op->replay, "hot", VIGIL_SENSOR_TS1,
                                                     "checked the cooler", &error));
  g_assert_no_error (error);
  g_assert_true (vigil_hydraulic_replay_shelve (op->replay, "busy", VIGIL_SENSOR_PS1,
                                                120 * G_USEC_PER_SEC, "planned work", &error));
  g_assert_no_error (error);

  /* Acknowledged already: nothing to acknowledge. */
  g_assert_false (vigil_hydraulic_replay_acknowledge (op->replay, "hot", VIGIL_SENSOR_TS1,
                                                      NULL, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (vigil_hydraulic_replay_acknowledge (op->replay, "no_such_rule",
                                                      VIGIL_SENSOR_TS1, NULL, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A rule that does not cover the sensor. */
  g_assert_false (vigil_hydraulic_replay_acknowledge (op->replay, "hot", VIGIL_SENSOR_PS1,
                                                      NULL, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);

  return NULL;
}

static const VigilLiveAlarm *
find_alarm (GArray     *alarms,
            const char *rule,
            VigilSensor sensor)
{
  /* Newest first: the current instance. */
  for (guint i = 0; i < alarms->len; i++)
    {
      const VigilLiveAlarm *a = &g_array_index (alarms, VigilLiveAlarm, i);

      if (g_str_equal (a->rule, rule) && a->sensor == sensor)
        return a;
    }

  return NULL;
}

/* The current instance, which must be there. */
static const VigilLiveAlarm *
get_alarm (GArray     *alarms,
           const char *rule,
           VigilSensor sensor)
{
  const VigilLiveAlarm *a = find_alarm (alarms, rule, sensor);

  if (a == NULL)
    g_error ("no alarm “%s” on %s", rule, vigil_sensor_get_info (sensor)->name);

  return a;
}

static gboolean
live_has_alarm (VigilLive  *live,
                const char *rule,
                VigilSensor sensor)
{
  g_autoptr(GArray) alarms = vigil_live_dup_alarms (live);

  return find_alarm (alarms, rule, sensor) != NULL;
}

/* One journal row of the stored session. */
typedef struct
{
  gint64  at_us;
  gint64  raised_us;
  gint64  shelved_until_us;
  int     shelved;
  char   *to_state;
  char   *comment;
} JournalRow;

static void
journal_row_clear (JournalRow *row)
{
  g_clear_pointer (&row->to_state, g_free);
  g_clear_pointer (&row->comment, g_free);
}

/* The one row of @rule on @sensor with @cause; fails if there is not exactly one. */
static void
sql_journal_row (const char *db_path,
                 const char *rule,
                 const char *sensor,
                 const char *cause,
                 JournalRow *row)
{
  sqlite3 *db = open_db (db_path);
  sqlite3_stmt *stmt = prepare (db,
    "SELECT at_us, coalesce(raised_us, 0), coalesce(shelved_until_us, 0), shelved, to_state,"
    " comment FROM alarm_journal WHERE rule = ?1 AND sensor = ?2 AND cause = ?3");

  sqlite3_bind_text (stmt, 1, rule, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, sensor, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, cause, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  *row = (JournalRow) {
    .at_us = sqlite3_column_int64 (stmt, 0),
    .raised_us = sqlite3_column_int64 (stmt, 1),
    .shelved_until_us = sqlite3_column_int64 (stmt, 2),
    .shelved = sqlite3_column_int (stmt, 3),
    .to_state = g_strdup ((const char *) sqlite3_column_text (stmt, 4)),
    .comment = g_strdup ((const char *) sqlite3_column_text (stmt, 5)),
  };
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* The alarms row of the instance of @rule on @sensor raised at @raised_us. */
static void
sql_alarm_row (const char *db_path,
               const char *rule,
               const char *sensor,
               gint64      raised_us,
               gint64     *acked_us,
               char      **comment,
               gint64     *shelved_until_us,
               char      **state)
{
  sqlite3 *db = open_db (db_path);
  sqlite3_stmt *stmt = prepare (db,
    "SELECT coalesce(acknowledged_us, 0), ack_comment, coalesce(shelved_until_us, 0), state"
    " FROM alarms WHERE rule = ?1 AND sensor = ?2 AND raised_us = ?3");

  sqlite3_bind_text (stmt, 1, rule, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, sensor, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, raised_us);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  *acked_us = sqlite3_column_int64 (stmt, 0);
  *comment = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  *shelved_until_us = sqlite3_column_int64 (stmt, 2);
  *state = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
test_operator_actions (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRuleSet) rules = rules_from (always_json);
  g_autofree char *db_path = path_in (f, "actions.sqlite");
  g_autoptr(VigilStore) store = vigil_store_open (db_path, &error);
  g_autoptr(VigilLive) live = vigil_live_new ();
  g_autoptr(VigilHydraulicReplay) replay = NULL;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;
  VigilReplayOptions options;
  VigilLiveCounters counters;
  Operator op;
  GThread *thread;
  JournalRow ack = { 0 }, shelve = { 0 }, unshelve = { 0 }, late_ack = { 0 };
  gint64 hot_raised, busy_raised, acked_us, until_us;
  g_autofree char *comment = NULL;
  g_autofree char *state = NULL;

  g_assert_no_error (error);
  vigil_replay_options_init (&options);
  /* 480 event seconds at 20x: 24 wall seconds, far longer than it takes to act. */
  options.speed = 20;
  replay = vigil_hydraulic_replay_new (rig_dir, store, rules, &options);
  vigil_hydraulic_replay_set_live (replay, live);

  /* Not started: nothing to act on. */
  g_assert_false (vigil_hydraulic_replay_acknowledge (replay, "hot", VIGIL_SENSOR_TS1, NULL,
                                                      &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (vigil_hydraulic_replay_start (replay, &error));
  g_assert_no_error (error);

  /* Paused once both alarms are up. */
  while (!(live_has_alarm (live, "hot", VIGIL_SENSOR_TS1) &&
           live_has_alarm (live, "busy", VIGIL_SENSOR_PS1)) &&
         g_get_monotonic_time () < deadline)
    g_usleep (2000);
  vigil_hydraulic_replay_set_paused (replay, TRUE);
  g_assert_false (vigil_hydraulic_replay_is_finished (replay));

  op.replay = replay;
  thread = g_thread_new ("operator", operator_main, &op);
  g_thread_join (thread);
  g_assert_true (vigil_store_flush (store, &error));
  g_assert_no_error (error);

  /* The acknowledgement: journaled, stored on the instance, shown by the live. */
  sql_journal_row (db_path, "hot", "TS1", "ack", &ack);
  g_assert_cmpstr (ack.to_state, ==, "active-acked");
  g_assert_cmpstr (ack.comment, ==, "checked the cooler");
  hot_raised = ack.raised_us;
  g_assert_cmpint (hot_raised, >, START);
  g_assert_cmpint (ack.at_us, >=, hot_raised);
  g_assert_cmpint (ack.at_us, <, END);
  sql_alarm_row (db_path, "hot", "TS1", hot_raised, &acked_us, &comment, &until_us, &state);
  g_assert_cmpint (acked_us, ==, ack.at_us);
  g_assert_cmpstr (comment, ==, "checked the cooler");
  g_assert_cmpstr (state, ==, "active-acked");
  g_clear_pointer (&comment, g_free);
  g_clear_pointer (&state, g_free);

  /* The shelving, until its start plus the duration. */
  sql_journal_row (db_path, "busy", "PS1", "shelve", &shelve);
  busy_raised = shelve.raised_us;
  g_assert_cmpint (shelve.shelved, ==, 1);
  g_assert_cmpint (shelve.shelved_until_us, ==, shelve.at_us + 120 * G_USEC_PER_SEC);
  g_assert_cmpstr (shelve.comment, ==, "planned work");
  sql_alarm_row (db_path, "busy", "PS1", busy_raised, &acked_us, &comment, &until_us, &state);
  g_assert_cmpint (until_us, ==, shelve.at_us + 120 * G_USEC_PER_SEC);
  g_assert_cmpint (acked_us, ==, 0);
  g_assert_null (comment);
  g_clear_pointer (&state, g_free);

  {
    g_autoptr(GArray) alarms = vigil_live_dup_alarms (live);
    const VigilLiveAlarm *hot = get_alarm (alarms, "hot", VIGIL_SENSOR_TS1);
    const VigilLiveAlarm *busy = get_alarm (alarms, "busy", VIGIL_SENSOR_PS1);

    g_assert_cmpuint (hot->state, ==, VIGIL_ALARM_ACTIVE_ACKED);
    g_assert_cmpint (hot->raised_us, ==, hot_raised);
    g_assert_cmpint (hot->acked_us, ==, ack.at_us);
    g_assert_cmpstr (hot->comment, ==, "checked the cooler");
    g_assert_true (busy->shelved);
    g_assert_cmpint (busy->shelved_until_us, ==, shelve.at_us + 120 * G_USEC_PER_SEC);
    g_assert_null (busy->comment);
  }

  /* On to the end at full speed. */
  vigil_hydraulic_replay_set_speed (replay, 0);
  vigil_hydraulic_replay_set_paused (replay, FALSE);
  wait_finished (replay);
  g_assert_true (vigil_hydraulic_replay_wait (replay, &error));
  g_assert_no_error (error);

  /* Joined: an acknowledgement still works, at the end of the stream, and is stored. */
  g_assert_true (vigil_hydraulic_replay_acknowledge (replay, "busy", VIGIL_SENSOR_PS1,
                                                     "after the end", &error));
  g_assert_no_error (error);
  g_assert_true (vigil_store_flush (store, &error));
  g_assert_no_error (error);

  sql_journal_row (db_path, "busy", "PS1", "ack", &late_ack);
  g_assert_cmpint (late_ack.at_us, ==, END);
  g_assert_cmpstr (late_ack.comment, ==, "after the end");
  sql_alarm_row (db_path, "busy", "PS1", busy_raised, &acked_us, &comment, &until_us, &state);
  g_assert_cmpint (acked_us, ==, END);
  g_assert_cmpstr (comment, ==, "after the end");
  /* The shelving ran out meanwhile, at its end. */
  g_assert_cmpint (until_us, ==, 0);
  sql_journal_row (db_path, "busy", "PS1", "unshelve", &unshelve);
  g_assert_cmpint (unshelve.at_us, ==, shelve.at_us + 120 * G_USEC_PER_SEC);
  g_assert_cmpint (unshelve.shelved, ==, 0);

  {
    g_autoptr(GArray) alarms = vigil_live_dup_alarms (live);
    const VigilLiveAlarm *busy = get_alarm (alarms, "busy", VIGIL_SENSOR_PS1);

    g_assert_cmpuint (busy->state, ==, VIGIL_ALARM_ACTIVE_ACKED);
    g_assert_cmpint (busy->acked_us, ==, END);
    g_assert_cmpstr (busy->comment, ==, "after the end");
    g_assert_false (busy->shelved);
  }

  /* Health: hot (critical) on TS1, busy and shaky (warnings) on PS1 and VS1. */
  vigil_live_get_counters (live, &counters);
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    g_assert_cmpuint (counters.health[s], ==,
                      s == VIGIL_SENSOR_TS1 ? 80
                      : s == VIGIL_SENSOR_PS1 || s == VIGIL_SENSOR_VS1 ? 90 : 100);
  g_assert_cmpuint (counters.rig_health, ==, 80);

  journal_row_clear (&ack);
  journal_row_clear (&shelve);
  journal_row_clear (&unshelve);
  journal_row_clear (&late_ack);
  g_assert_true (vigil_store_close (store, &error));
  g_assert_no_error (error);
}

/* A sensor the dataset lacks, though a rule covers it. */
static void
test_action_missing_sensor (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRuleSet) rules = rules_from (always_json);
  g_autofree char *db_path = path_in (f, "no-vs1.sqlite");
  g_autoptr(VigilStore) store = vigil_store_open (db_path, &error);
  g_autoptr(VigilHydraulicReplay) replay = NULL;
  VigilReplayOptions options;

  g_assert_no_error (error);
  vigil_replay_options_init (&options);
  replay = vigil_hydraulic_replay_new (rig_no_vs1_dir, store, rules, &options);
  g_assert_true (vigil_hydraulic_replay_start (replay, &error));
  g_assert_no_error (error);
  g_assert_cmphex (vigil_hydraulic_replay_get_sensors (replay), ==,
                   ((1u << VIGIL_N_SENSORS) - 1) & ~(1u << VIGIL_SENSOR_VS1));
  wait_finished (replay);
  g_assert_true (vigil_hydraulic_replay_wait (replay, &error));

  g_assert_false (vigil_hydraulic_replay_acknowledge (replay, "shaky", VIGIL_SENSOR_VS1, NULL,
                                                      &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "VS1"));
  g_clear_error (&error);
  g_assert_false (vigil_hydraulic_replay_shelve (replay, "shaky", VIGIL_SENSOR_VS1,
                                                 G_USEC_PER_SEC, NULL, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The sensors it has still take actions. */
  g_assert_true (vigil_hydraulic_replay_acknowledge (replay, "busy", VIGIL_SENSOR_PS1, NULL,
                                                     &error));
  g_assert_no_error (error);
  g_assert_true (vigil_store_close (store, &error));
  g_assert_no_error (error);
}

/* Pause and speed ----------------------------------------------------------------------------- */

typedef struct
{
  VigilLive *live;
  gint64     last_position;
} Watch;

/* Reads the live's position and samples; the position never goes back. */
static void
watch_read (Watch   *w,
            gint64  *position,
            guint64 *samples)
{
  VigilLiveCounters counters;

  vigil_live_get_counters (w->live, &counters);
  g_assert_cmpint (counters.position_us, >=, w->last_position);
  w->last_position = counters.position_us;
  *position = counters.position_us;
  *samples = counters.samples;
}

/* Waits until neither moves for 300 ms (what a worker past its wait still hands on arrives
 * well within that), and returns where they held. Fails if they never hold. */
static void
watch_until_held (Watch   *w,
                  gint64  *position,
                  guint64 *samples)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;
  gint64 since = g_get_monotonic_time ();

  watch_read (w, position, samples);
  while (g_get_monotonic_time () - since < 300000)
    {
      gint64 p;
      guint64 n;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10000);
      watch_read (w, &p, &n);
      if (p != *position || n != *samples)
        {
          *position = p;
          *samples = n;
          since = g_get_monotonic_time ();
        }
    }
}

/* Waits until both moved past where they were; @spin only yields between readings, to
 * notice as early as possible. */
static void
watch_until_moved (Watch    *w,
                   gint64    position,
                   guint64   samples,
                   gboolean  spin)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;
  gint64 p = position;
  guint64 n = samples;

  while ((p <= position || n <= samples) && g_get_monotonic_time () < deadline)
    {
      if (spin)
        g_thread_yield ();
      else
        g_usleep (2000);
      watch_read (w, &p, &n);
    }
  g_assert_cmpint (p, >, position);
  g_assert_cmpuint (n, >, samples);
}

static void
test_pause_speed (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRuleSet) rules = rules_from (flapping_json);
  g_autofree char *full_path = path_in (f, "full.sqlite");
  g_autofree char *db_path = path_in (f, "paced.sqlite");
  g_autofree char *long_rig = path_in (f, "long-rig");
  const gint64 end = START + LONG_CYCLES * (gint64) CYCLE_US;
  g_autoptr(VigilStore) store = vigil_store_open (db_path, &error);
  g_autoptr(VigilLive) live = vigil_live_new ();
  g_autoptr(VigilHydraulicReplay) replay = NULL;
  VigilReplayOptions options;
  Watch w;
  gint64 held, held_again;
  guint64 samples, samples_again;

  g_assert_no_error (error);
  g_assert_true (vigil_hydraulic_generate_range (long_rig, 0, LONG_CYCLES, SEED, NULL, NULL,
                                                 &error));
  g_assert_no_error (error);
  vigil_replay_options_init (&options);
  replay_into (long_rig, full_path, rules, &options, NULL);

  /* 7200 event seconds at 30x: 240 wall seconds if nothing changed the pace (the test
   * switches to 1000x). Paced slices are a tenth of a wall second: 3 event seconds here,
   * which cut the 10 s panes in pieces a full-speed replay does not, so equal windows show
   * that the sums do not depend on how a replay is sliced. */
  options.speed = 30;
  replay = vigil_hydraulic_replay_new (long_rig, store, rules, &options);
  vigil_hydraulic_replay_set_live (replay, live);
  g_assert_true (vigil_hydraulic_replay_start (replay, &error));
  g_assert_no_error (error);
  w = (Watch) { live, G_MININT64 };
  watch_until_moved (&w, START, 0, FALSE);

  /* Paused: position and samples hold, and nothing finishes. */
  vigil_hydraulic_replay_set_paused (replay, TRUE);
  watch_until_held (&w, &held, &samples);
  g_assert_cmpint (held, <, end);
  g_assert_false (vigil_hydraulic_replay_is_finished (replay));

  /* Maximum speed while paused: still paused. */
  vigil_hydraulic_replay_set_speed (replay, 0);
  watch_until_held (&w, &held_again, &samples_again);
  g_assert_cmpint (held_again, ==, held);
  g_assert_cmpuint (samples_again, ==, samples);
  g_assert_false (vigil_hydraulic_replay_is_finished (replay));

  /* Resumed at maximum speed: once the position moves, workers are past their waits at
   * full speed. Paused then, they stop at their next wait on the clock, a cycle or so later;
   * the rest of the replay at full speed takes far longer than noticing the move. */
  vigil_hydraulic_replay_set_paused (replay, FALSE);
  watch_until_moved (&w, held, samples, TRUE);
  vigil_hydraulic_replay_set_paused (replay, TRUE);
  watch_until_held (&w, &held_again, &samples_again);
  g_assert_cmpint (held_again, >, held);
  g_assert_cmpint (held_again, <, end);
  g_assert_false (vigil_hydraulic_replay_is_finished (replay));

  /* From maximum speed back to a pace, resumed: it moves on from there. The pace goes on
   * from the slowest stream; streams that ran ahead at full speed hold their workers until
   * their next slice is due, up to a block of cycles at this speed: 1000x keeps that short
   * (its slices are whole cycles, whole panes too). */
  g_test_message ("held at cycle %" G_GINT64_FORMAT " of %u", (held_again - START) / CYCLE_US,
                  LONG_CYCLES);
  vigil_hydraulic_replay_set_speed (replay, 1000);
  vigil_hydraulic_replay_set_paused (replay, FALSE);
  watch_until_moved (&w, held_again, samples_again, FALSE);

  /* Then to the end at full speed: the pacing changed nothing that was computed. */
  vigil_hydraulic_replay_set_speed (replay, 0);
  wait_finished (replay);
  g_assert_true (vigil_hydraulic_replay_wait (replay, &error));
  g_assert_no_error (error);
  watch_read (&w, &held, &samples);
  g_assert_cmpint (held, ==, end);
  g_assert_cmpuint (samples, ==, (guint64) LONG_CYCLES * VIGIL_SAMPLES_PER_CYCLE);
  g_assert_true (vigil_store_close (store, &error));
  g_assert_no_error (error);

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      g_autoptr(GArray) paced = sql_windows (db_path, s, G_MININT64);
      g_autoptr(GArray) full = sql_windows (full_path, s, G_MININT64);

      assert_same_windows (paced, full);
    }
  assert_live_windows_stored (live, db_path, G_MININT64);
}

/* The player -------------------------------------------------------------------------------- */

/* Polls like a frame clock until the player reaches @state. */
static void
poll_until (VigilPlayer      *player,
            VigilPlayerState  state)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;

  while (vigil_player_get_state (player) != state && g_get_monotonic_time () < deadline)
    {
      vigil_player_poll (player);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  g_assert_cmpint (vigil_player_get_state (player), ==, state);
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} ActionResult;

static void
on_action_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ActionResult *r = user_data;

  r->ok = vigil_player_action_finish (VIGIL_PLAYER (source), result, &r->error);
  r->done = TRUE;
}

/* Iterates the default main context until the callback ran. */
static void
wait_action (ActionResult *r)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;

  while (!r->done && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_true (r->done);
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_player (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRuleSet) rules = rules_from (always_json);
  g_autofree char *db_path = path_in (f, "player.sqlite");
  g_autofree char *canonical_rig = g_canonicalize_filename (rig_dir, NULL);
  g_autofree char *canonical_db = g_canonicalize_filename (db_path, NULL);
  g_autofree char *missing = path_in (f, "no-such-rig");
  g_autoptr(VigilPlayer) player = vigil_player_new ();
  VigilLive *live = vigil_player_get_live (player);
  const gint64 seek_cycle_us = START + 5 * (gint64) CYCLE_US;
  ActionResult ack = { 0 }, unknown = { 0 }, refused = { 0 };
  VigilReplayOptions options;
  VigilLiveCounters counters;
  gint64 start, end, session_id;
  guint state_changes = 0;
  sqlite3 *db;

  g_signal_connect (player, "notify::state", G_CALLBACK (on_notify), &state_changes);
  g_assert_cmpint (vigil_player_get_state (player), ==, VIGIL_PLAYER_EMPTY);
  g_assert_cmpint (vigil_player_get_kind (player), ==, VIGIL_SOURCE_NONE);
  g_assert_null (vigil_player_get_source (player));
  g_assert_false (vigil_player_get_can_act (player));

  /* A folder that is not there: nothing opens. */
  vigil_replay_options_init (&options);
  g_assert_false (vigil_player_open_dataset (player, missing, db_path, rules, &options,
                                             &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (vigil_player_get_state (player), ==, VIGIL_PLAYER_EMPTY);
  g_assert_cmpint (vigil_player_get_kind (player), ==, VIGIL_SOURCE_NONE);
  g_assert_null (vigil_player_get_db_path (player));

  g_assert_true (vigil_player_open_dataset (player, rig_dir, db_path, rules, &options, &error));
  g_assert_no_error (error);
  g_assert_cmpint (vigil_player_get_state (player), ==, VIGIL_PLAYER_PLAYING);
  g_assert_cmpint (vigil_player_get_kind (player), ==, VIGIL_SOURCE_DATASET);
  g_assert_cmpstr (vigil_player_get_source (player), ==, canonical_rig);
  g_assert_cmpstr (vigil_player_get_db_path (player), ==, db_path);
  g_assert_cmpfloat (vigil_player_get_speed (player), ==, 0);
  g_assert_true (vigil_player_get_can_act (player));
  poll_until (player, VIGIL_PLAYER_FINISHED);
  g_assert_null (vigil_player_get_error (player));

  db = open_db (db_path);
  session_id = query_int (db, "SELECT id FROM sessions");
  sqlite3_close (db);
  g_assert_cmpint (vigil_player_get_session_id (player), ==, session_id);
  vigil_player_get_range (player, &start, &end);
  g_assert_cmpint (start, ==, START);
  g_assert_cmpint (end, ==, END);
  g_assert_cmpint (vigil_player_get_position (player), ==, END);
  assert_live_windows_stored (live, db_path, G_MININT64);

  /* Acting after the end: through a thread, back on this main context. */
  g_assert_true (vigil_player_get_can_act (player));
  vigil_player_acknowledge_async (player, "hot", VIGIL_SENSOR_TS1, "from the player", NULL,
                                  on_action_done, &ack);
  vigil_player_acknowledge_async (player, "no_such_rule", VIGIL_SENSOR_TS1, NULL, NULL,
                                  on_action_done, &unknown);
  wait_action (&ack);
  wait_action (&unknown);
  g_assert_no_error (ack.error);
  g_assert_true (ack.ok);
  g_assert_false (unknown.ok);
  g_assert_error (unknown.error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&unknown.error);
  {
    g_autoptr(GArray) alarms = vigil_live_dup_alarms (live);
    const VigilLiveAlarm *hot = get_alarm (alarms, "hot", VIGIL_SENSOR_TS1);

    g_assert_cmpint (hot->acked_us, ==, END);
    g_assert_cmpstr (hot->comment, ==, "from the player");
  }

  /* A seek restarts from the cycle holding the time, and plays. */
  g_assert_true (vigil_player_seek (player, seek_cycle_us + 30 * G_USEC_PER_SEC, &error));
  g_assert_no_error (error);
  g_assert_cmpint (vigil_player_get_state (player), ==, VIGIL_PLAYER_PLAYING);
  vigil_live_get_counters (live, &counters);
  g_assert_cmpint (counters.position_us, >=, seek_cycle_us);
  g_assert_cmpint (counters.start_us, ==, START);
  g_assert_cmpint (counters.end_us, ==, END);
  poll_until (player, VIGIL_PLAYER_FINISHED);
  g_assert_cmpint (vigil_player_get_position (player), ==, END);
  vigil_live_get_counters (live, &counters);
  g_assert_cmpuint (counters.samples, ==, (guint64) (N_CYCLES - 5) * VIGIL_SAMPLES_PER_CYCLE);
  /* The same session: its windows from there on, as stored. */
  g_assert_cmpint (vigil_player_get_session_id (player), ==, session_id);
  assert_live_windows_stored (live, db_path, seek_cycle_us);

  /* The recording just written, played back at full speed: nothing to act on. */
  g_assert_true (vigil_player_open_recording (player, db_path, 0, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (vigil_player_get_kind (player), ==, VIGIL_SOURCE_RECORDING);
  g_assert_cmpstr (vigil_player_get_source (player), ==, canonical_db);
  g_assert_cmpstr (vigil_player_get_db_path (player), ==, canonical_db);
  g_assert_cmpint (vigil_player_get_session_id (player), ==, session_id);
  g_assert_false (vigil_player_get_can_act (player));
  poll_until (player, VIGIL_PLAYER_FINISHED);
  assert_live_windows_stored (live, db_path, G_MININT64);

  vigil_player_acknowledge_async (player, "hot", VIGIL_SENSOR_TS1, NULL, NULL, on_action_done,
                                  &refused);
  wait_action (&refused);
  g_assert_false (refused.ok);
  g_assert_error (refused.error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_test_message ("%s", refused.error->message);
  g_assert_nonnull (strstr (refused.error->message, canonical_db));
  g_clear_error (&refused.error);

  /* The acknowledgement made before the seek was stored on its instance, at the end. */
  db = open_db (db_path);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM alarms WHERE rule = 'hot'"
                                            " AND ack_comment = 'from the player'"
                                            " AND acknowledged_us = %" G_GINT64_FORMAT, END);

    g_assert_cmpint (query_int (db, sql), ==, 1);
  }
  sqlite3_close (db);

  vigil_player_close (player);
  g_assert_cmpint (vigil_player_get_state (player), ==, VIGIL_PLAYER_EMPTY);
  g_assert_cmpint (vigil_player_get_kind (player), ==, VIGIL_SOURCE_NONE);
  g_assert_null (vigil_player_get_source (player));
  g_assert_null (vigil_player_get_db_path (player));
  g_assert_false (vigil_player_get_can_act (player));
  g_assert_cmpint (vigil_player_get_session_id (player), ==, 0);
  g_assert_cmpuint (state_changes, >=, 6);
}

/* A paced dataset paused from the player holds; resumed at full speed, it finishes. */
static void
test_player_pause (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRuleSet) rules = rules_from (always_json);
  g_autofree char *db_path = path_in (f, "paused.sqlite");
  g_autoptr(VigilPlayer) player = vigil_player_new ();
  VigilReplayOptions options;
  Watch w = { vigil_player_get_live (player), G_MININT64 };
  gint64 held;
  guint64 samples;

  vigil_replay_options_init (&options);
  options.speed = 30;
  g_assert_true (vigil_player_open_dataset (player, rig_dir, db_path, rules, &options, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (vigil_player_get_speed (player), ==, 30);
  watch_until_moved (&w, START, 0, FALSE);

  vigil_player_set_paused (player, TRUE);
  g_assert_cmpint (vigil_player_get_state (player), ==, VIGIL_PLAYER_PAUSED);
  watch_until_held (&w, &held, &samples);
  vigil_player_poll (player);
  g_assert_cmpint (vigil_player_get_state (player), ==, VIGIL_PLAYER_PAUSED);
  g_assert_cmpint (held, <, END);

  vigil_player_set_speed (player, 0);
  g_assert_cmpfloat (vigil_player_get_speed (player), ==, 0);
  vigil_player_set_paused (player, FALSE);
  g_assert_cmpint (vigil_player_get_state (player), ==, VIGIL_PLAYER_PLAYING);
  poll_until (player, VIGIL_PLAYER_FINISHED);
  g_assert_cmpint (vigil_player_get_position (player), ==, END);
  assert_live_windows_stored (vigil_player_get_live (player), db_path, G_MININT64);
}

/* A Kafka subscription in the player: alarms raised from Kafka data are acknowledged and
 * shelved through the player, applied on the consumer's thread and stored with their comments
 * before the action returns. */
static void
test_player_kafka_actions (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRuleSet) rules = rules_from (always_json);
  g_autofree char *db_path = path_in (f, "kafka.sqlite");
  g_autoptr(VigilKafkaBroker) broker = vigil_kafka_broker_new (1, 0, 1, &error);
  g_autoptr(VigilKafkaProducer) producer = NULL;
  g_autoptr(VigilPlayer) player = vigil_player_new ();
  g_autoptr(VigilKafkaSource) idle = NULL;
  VigilLive *live = vigil_player_get_live (player);
  ActionResult ack = { 0 }, shelve = { 0 }, unknown = { 0 };
  VigilKafkaConnection connection;
  VigilKafkaHydraulicOptions produce;
  VigilKafkaSourceStats stats;
  VigilReplayOptions options;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;
  gint64 at_us;
  sqlite3 *db;

  g_assert_no_error (error);
  vigil_kafka_connection_init (&connection, vigil_kafka_broker_get_bootstrap (broker));
  producer = vigil_kafka_producer_new (&connection, &error);
  g_assert_no_error (error);
  vigil_kafka_hydraulic_options_init (&produce);
  g_assert_true (vigil_kafka_producer_send_hydraulic (producer, rig_dir, &produce, NULL,
                                                      &error));
  g_assert_no_error (error);

  /* A source that never started takes no action. */
  {
    g_autoptr(VigilStore) store = vigil_store_open (db_path, &error);

    g_assert_no_error (error);
    idle = vigil_kafka_source_new (&connection, store, rules, NULL);
    g_assert_false (vigil_kafka_source_acknowledge (idle, NULL, "hot", VIGIL_SENSOR_TS1, NULL,
                                                    &error));
    g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
    g_clear_error (&error);
    g_clear_object (&idle);
    g_assert_true (vigil_store_close (store, &error));
    g_assert_no_error (error);
  }

  vigil_replay_options_init (&options);
  g_assert_true (vigil_player_open_kafka (player, &connection, NULL, "test-player",
                                          VIGIL_KAFKA_START_EARLIEST, db_path, rules, &options,
                                          &error));
  g_assert_no_error (error);
  vigil_kafka_connection_clear (&connection);
  g_assert_cmpint (vigil_player_get_kind (player), ==, VIGIL_SOURCE_KAFKA);
  g_assert_true (vigil_player_get_can_act (player));

  /* The three rules hold from the first window of their sensors on. */
  do
    {
      vigil_player_poll (player);
      g_usleep (10000);
      vigil_kafka_source_get_stats (vigil_player_get_kafka_source (player), &stats);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
  while (stats.alarms_raised < 3);

  vigil_player_acknowledge_async (player, "hot", VIGIL_SENSOR_TS1, "seen on Kafka", NULL,
                                  on_action_done, &ack);
  vigil_player_shelve_async (player, "busy", VIGIL_SENSOR_PS1, 3600 * (gint64) G_USEC_PER_SEC,
                             "shelved on Kafka", NULL, on_action_done, &shelve);
  vigil_player_acknowledge_async (player, "no_such_rule", VIGIL_SENSOR_TS1, NULL, NULL,
                                  on_action_done, &unknown);
  wait_action (&ack);
  wait_action (&shelve);
  wait_action (&unknown);
  g_assert_no_error (ack.error);
  g_assert_true (ack.ok);
  g_assert_no_error (shelve.error);
  g_assert_true (shelve.ok);
  g_assert_false (unknown.ok);
  g_assert_error (unknown.error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&unknown.error);

  /* Stored before the action returned, while the subscription still runs. */
  db = open_db (db_path);
  at_us = query_int (db, "SELECT at_us FROM alarm_journal WHERE rule = 'hot' AND sensor = 'TS1'"
                         " AND to_state = 'active-acked' AND comment = 'seen on Kafka'");
  g_assert_cmpint (at_us, >, START);
  g_assert_cmpint (at_us, <=, END);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM alarm_journal WHERE rule = 'busy'"
                                  " AND sensor = 'PS1' AND shelved = 1"
                                  " AND comment = 'shelved on Kafka'"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM alarms WHERE rule = 'hot'"
                                  " AND sensor = 'TS1' AND ack_comment = 'seen on Kafka'"), ==, 1);
  sqlite3_close (db);
  {
    g_autoptr(GArray) alarms = vigil_live_dup_alarms (live);
    const VigilLiveAlarm *hot = get_alarm (alarms, "hot", VIGIL_SENSOR_TS1);
    const VigilLiveAlarm *busy = get_alarm (alarms, "busy", VIGIL_SENSOR_PS1);

    g_assert_cmpint (hot->state, ==, VIGIL_ALARM_ACTIVE_ACKED);
    g_assert_cmpint (hot->acked_us, ==, at_us);
    g_assert_cmpstr (hot->comment, ==, "seen on Kafka");
    g_assert_true (busy->shelved);
  }

  /* Closed: the subscription takes no more actions. */
  vigil_player_close (player);
  g_assert_false (vigil_player_get_can_act (player));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *vs1 = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = g_dir_make_tmp ("vigil-player-XXXXXX", &error);
  g_assert_no_error (error);
  rig_dir = g_build_filename (tmp_dir, "rig", NULL);
  rig_no_vs1_dir = g_build_filename (tmp_dir, "rig-no-vs1", NULL);
  g_assert_true (vigil_hydraulic_generate_range (rig_dir, 0, N_CYCLES, SEED, NULL, NULL,
                                                 &error));
  g_assert_no_error (error);
  g_assert_true (vigil_hydraulic_generate_range (rig_no_vs1_dir, 0, 2, SEED, NULL, NULL,
                                                 &error));
  g_assert_no_error (error);
  vs1 = g_build_filename (rig_no_vs1_dir, "VS1.txt", NULL);
  g_assert_cmpint (g_unlink (vs1), ==, 0);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/engine/replay-live/matches-store", test_replay_live);
  ADD ("/engine/replay-live/first-cycle", test_first_cycle);
  ADD ("/engine/replay-live/operator-actions", test_operator_actions);
  ADD ("/engine/replay-live/action-missing-sensor", test_action_missing_sensor);
  ADD ("/engine/replay-live/pause-speed", test_pause_speed);
  ADD ("/engine/player/dataset-and-recording", test_player);
  ADD ("/engine/player/pause", test_player_pause);
  ADD ("/engine/player/kafka-actions", test_player_kafka_actions);
#undef ADD

  status = g_test_run ();

  vigil_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (rig_dir);
  g_free (rig_no_vs1_dir);

  return status;
}
