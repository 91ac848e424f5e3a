/* test-kafka-consume.c
 *
 * The Kafka source against librdkafka's mock cluster on loopback: a generated rig produced in
 * the seed format and consumed gives the same store as a file replay of the same files;
 * malformed records become dead letters while the rest flows; a consumer killed with SIGKILL
 * at random points and restarted ends with the store of an uninterrupted run; the brokers
 * going away are reported and nothing is lost when they come back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "vigil-error.h"
#include "vigil-hydraulic-generator.h"
#include "vigil-hydraulic-reader.h"
#include "vigil-hydraulic-replay.h"
#include "vigil-kafka-message.h"
#include "vigil-kafka-source.h"
#include "vigil-store.h"
#include "vigil-test-sqlite.h"
#include "vigil-test-util.h"
#include "vigil-time.h"

#define N_CYCLES 3
#define SEED 7
/* Bounds on waiting for the consumer: generous, never what a test measures. */
#define WAIT_LIMIT_US (180 * G_USEC_PER_SEC)

typedef struct
{
  char                    *tmp;
  char                    *dataset;
  char                    *reference;    /* store of the file replay */
  rd_kafka_t              *mock_rk;
  rd_kafka_mock_cluster_t *mcluster;
  char                    *bootstraps;
  guint64                  n_records;    /* produced: samples and labels */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_default ();
  g_autoptr(VigilHydraulicReplay) replay = NULL;
  rd_kafka_conf_t *conf = rd_kafka_conf_new ();
  char errstr[256];

  f->tmp = g_dir_make_tmp ("vigil-kafka-consume-XXXXXX", &error);
  g_assert_no_error (error);
  f->dataset = g_build_filename (f->tmp, "rig", NULL);
  g_assert_true (vigil_hydraulic_generate (f->dataset, N_CYCLES, SEED, NULL, &error));
  g_assert_no_error (error);

  /* What the consumer must reproduce: the file replay of the same data. */
  f->reference = g_build_filename (f->tmp, "reference.db", NULL);
  store = vigil_store_open (f->reference, &error);
  g_assert_no_error (error);
  replay = vigil_hydraulic_replay_new (f->dataset, store, rules, NULL);
  g_assert_true (vigil_hydraulic_replay_run (replay, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (vigil_store_close (store, &error));

  rd_kafka_conf_set (conf, "log_level", "0", NULL, 0);
  f->mock_rk = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  g_assert_nonnull (f->mock_rk);
  f->mcluster = rd_kafka_mock_cluster_new (f->mock_rk, 1);
  g_assert_nonnull (f->mcluster);
  f->bootstraps = g_strdup (rd_kafka_mock_cluster_bootstraps (f->mcluster));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  rd_kafka_mock_cluster_destroy (f->mcluster);
  rd_kafka_destroy (f->mock_rk);
  vigil_test_remove_tree (f->tmp);
  g_free (f->tmp);
  g_free (f->dataset);
  g_free (f->reference);
  g_free (f->bootstraps);
}

/* Producing ------------------------------------------------------------------------------------ */

static rd_kafka_t *
new_producer (Fixture *f)
{
  rd_kafka_conf_t *conf = rd_kafka_conf_new ();
  char errstr[256];
  rd_kafka_t *rk;

  g_assert_cmpint (rd_kafka_conf_set (conf, "bootstrap.servers", f->bootstraps, errstr,
                                      sizeof errstr), ==, RD_KAFKA_CONF_OK);
  rd_kafka_conf_set (conf, "linger.ms", "5", NULL, 0);
  rd_kafka_conf_set (conf, "log_level", "0", NULL, 0);
  rk = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  g_assert_nonnull (rk);

  return rk;
}

static void
produce (rd_kafka_t *rk,
         const char *topic,
         const char *payload,
         gsize       len)
{
  rd_kafka_resp_err_t err;

  while ((err = rd_kafka_producev (rk, RD_KAFKA_V_TOPIC (topic),
                                   RD_KAFKA_V_VALUE ((void *) payload, len),
                                   RD_KAFKA_V_MSGFLAGS (RD_KAFKA_MSG_F_COPY),
                                   RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
    rd_kafka_poll (rk, 10);
  g_assert_cmpint (err, ==, RD_KAFKA_RESP_ERR_NO_ERROR);
}

static void
finish_producing (rd_kafka_t *rk)
{
  g_assert_cmpint (rd_kafka_flush (rk, 60000), ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  g_assert_cmpint (rd_kafka_outq_len (rk), ==, 0);
  rd_kafka_destroy (rk);
}

static void
create_topics (Fixture *f)
{
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      g_autofree char *topic = g_strconcat ("hydraulic-", vigil_sensor_get_info (s)->name, NULL);

      g_assert_cmpint (rd_kafka_mock_topic_create (f->mcluster, topic, 1, 1), ==, 0);
    }
  g_assert_cmpint (rd_kafka_mock_topic_create (f->mcluster, "hydraulic-labels", 1, 1), ==, 0);
}

/* Cycles [first, first + n) of the dataset as the seed's producer sends them: each sensor's
 * samples in order on its topic, then the labels. Returns the records sent. */
static guint64
produce_paced (Fixture *f,
               guint    first,
               guint    n,
               gulong   pause_us)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  rd_kafka_t *rk = new_producer (f);
  guint64 sent = 0;

  for (guint s = 0; s <= VIGIL_N_SENSORS; s++)
    {
      g_autofree char *file = g_strconcat (s < VIGIL_N_SENSORS ? vigil_sensor_get_info (s)->name
                                                               : "profile", ".txt", NULL);
      g_autofree char *path = g_build_filename (f->dataset, file, NULL);
      g_autofree char *topic = g_strconcat ("hydraulic-", s < VIGIL_N_SENSORS
                                                          ? vigil_sensor_get_info (s)->name
                                                          : "labels", NULL);
      guint n_values = s < VIGIL_N_SENSORS ? vigil_sensor_samples_per_cycle (s) : 5;
      g_autoptr(VigilRowReader) reader = vigil_row_reader_open (path, n_values, &error);
      g_autofree double *values = g_new (double, n_values);

      g_assert_no_error (error);
      for (guint c = 0; c < first + n; c++)
        {
          gint64 cycle_start = VIGIL_DEFAULT_START_US
                               + (gint64) c * VIGIL_CYCLE_SECONDS * VIGIL_USEC_PER_SEC;

          if (s == VIGIL_N_SENSORS)
            {
              VigilKafkaLabel label = { 0 };

              g_assert_cmpint (vigil_row_reader_next_label (reader, &label.label, &error), ==, 1);
              if (c < first)
                continue;
              label.label.cycle = c;
              label.label.start_us = cycle_start;
              g_string_truncate (out, 0);
              vigil_kafka_write_label (out, &label);
              produce (rk, topic, out->str, out->len);
              sent++;
              continue;
            }

          g_assert_cmpint (vigil_row_reader_next (reader, values, &error), ==, 1);
          if (c < first)
            continue;
          for (guint i = 0; i < n_values; i++)
            {
              guint rate = vigil_sensor_get_info (s)->rate_hz;
              VigilKafkaSample sample = {
                .sensor = s,
                .cycle = c,
                .sample_idx = i,
                .sampling_rate_hz = rate,
                .time_us = cycle_start + (gint64) i * (VIGIL_USEC_PER_SEC / rate),
                .value = values[i],
              };

              g_string_truncate (out, 0);
              vigil_kafka_write_sample (out, &sample);
              produce (rk, topic, out->str, out->len);
              sent++;
            }
          if (pause_us > 0)
            {
              rd_kafka_flush (rk, 60000);
              g_usleep (pause_us);
            }
        }
    }
  finish_producing (rk);

  return sent;
}

static guint64
produce_cycles (Fixture *f,
                guint    first,
                guint    n)
{
  return produce_paced (f, first, n, 0);
}

/* Produces the whole dataset a sensor's cycle at a time, so that a consumer running meanwhile
 * is caught at every stage. */
static gpointer
producer_thread (gpointer data)
{
  Fixture *f = data;

  return GSIZE_TO_POINTER (produce_paced (f, 0, N_CYCLES, 500000));
}

/* Consuming ---------------------------------------------------------------------------------- */

static void
connection_for (Fixture              *f,
                VigilKafkaConnection *connection)
{
  vigil_kafka_connection_init (connection, f->bootstraps);
}

/* Consumes in this process until @n_records were read and the source has been idle, then
 * stops it (final windows flushed). */
static void
consume (Fixture                *f,
         const char             *db,
         const char             *group,
         const char * const     *properties,
         guint64                 n_records,
         VigilKafkaSourceStats  *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = vigil_store_open (db, &error);
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_default ();
  g_autoptr(VigilKafkaSource) source = NULL;
  VigilKafkaConnection connection;
  VigilKafkaSourceOptions options;
  VigilKafkaSourceStats st;
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_US;

  g_assert_no_error (error);
  connection_for (f, &connection);
  vigil_kafka_source_options_init (&options);
  options.group = group;
  options.properties = properties;
  options.idle_us = G_USEC_PER_SEC;
  source = vigil_kafka_source_new (&connection, store, rules, &options);
  vigil_kafka_connection_clear (&connection);
  g_assert_true (vigil_kafka_source_start (source, &error));
  g_assert_no_error (error);

  do
    {
      g_usleep (50000);
      vigil_kafka_source_get_stats (source, &st);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
  while (st.messages < n_records || st.idle_seconds < 1.5);

  vigil_kafka_source_stop (source);
  g_assert_true (vigil_kafka_source_wait (source, &error));
  g_assert_no_error (error);
  vigil_kafka_source_get_stats (source, out);
  g_assert_cmpint (out->state, ==, VIGIL_KAFKA_SOURCE_STOPPED);
  g_assert_true (vigil_store_close (store, &error));
}

/* Comparing stores ---------------------------------------------------------------------------- */

static const struct
{
  const char *table;
  const char *columns;
} compared[] = {
  { "windows", "sensor, window_start, window_end, count, avg, min, max, stddev, \"range\"" },
  { "alarm_journal", "rule, sensor, at_us, seq, severity, from_state, to_state, cause, shelved,"
                     " shelved_until_us, raised_us, value, comment" },
  { "alarms", "rule, sensor, severity, raised_us, state, value, peak, acknowledged_us,"
              " ack_comment, cleared_us, shelved_until_us" },
  { "cycle_labels", "cycle, start_us, cooler, valve, pump, accumulator, stable" },
  { "late_records", "sensor, seq, event_us, watermark_us, value" },
  { "predictions", "cycle, target, model_id, predicted, proba_json" },
};

static gint64
count_rows (sqlite3    *db,
            const char *schema,
            const char *table,
            gint64      session)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s.%s WHERE session_id = %"
                                          G_GINT64_FORMAT, schema, table, session);

  return query_int (db, sql);
}

/* Every row of the compared tables of session @sa in @a equals one of session @sb in @b, value
 * for value (REAL compared exactly), and the counts agree. Returns the windows compared. */
static gint64
assert_same_store (const char *a,
                   const char *sql_a,
                   const char *b,
                   const char *sql_b)
{
  sqlite3 *db = NULL;
  g_autofree char *attach = g_strdup_printf ("ATTACH '%s' AS a; ATTACH '%s' AS b", a, b);
  g_autofree char *qa = g_strdup_printf ("SELECT id FROM a.sessions WHERE %s", sql_a);
  g_autofree char *qb = g_strdup_printf ("SELECT id FROM b.sessions WHERE %s", sql_b);
  gint64 sa, sb, n_windows;

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, attach, NULL, NULL, NULL), ==, SQLITE_OK);
  sa = query_int (db, qa);
  sb = query_int (db, qb);

  for (guint i = 0; i < G_N_ELEMENTS (compared); i++)
    {
      g_autofree char *diff = g_strdup_printf (
        "SELECT count(*) FROM (SELECT %s FROM a.%s WHERE session_id = %" G_GINT64_FORMAT
        " EXCEPT SELECT %s FROM b.%s WHERE session_id = %" G_GINT64_FORMAT ")",
        compared[i].columns, compared[i].table, sa, compared[i].columns, compared[i].table, sb);
      g_autofree char *diff_back = g_strdup_printf (
        "SELECT count(*) FROM (SELECT %s FROM b.%s WHERE session_id = %" G_GINT64_FORMAT
        " EXCEPT SELECT %s FROM a.%s WHERE session_id = %" G_GINT64_FORMAT ")",
        compared[i].columns, compared[i].table, sb, compared[i].columns, compared[i].table, sa);

      g_test_message ("%s: %" G_GINT64_FORMAT " rows", compared[i].table,
                      count_rows (db, "a", compared[i].table, sa));
      g_assert_cmpint (count_rows (db, "a", compared[i].table, sa), ==,
                       count_rows (db, "b", compared[i].table, sb));
      g_assert_cmpint (query_int (db, diff), ==, 0);
      g_assert_cmpint (query_int (db, diff_back), ==, 0);
    }
  n_windows = count_rows (db, "a", "windows", sa);
  sqlite3_close (db);

  return n_windows;
}

static gint64
query_file_int (const char *path,
                const char *sql)
{
  sqlite3 *db = open_db (path);
  gint64 value = query_int (db, sql);

  sqlite3_close (db);
  return value;
}

/* The offsets the group committed to Kafka, read by a client of the same group. */
static gint64
committed_offset (Fixture    *f,
                  const char *group,
                  const char *topic)
{
  rd_kafka_conf_t *conf = rd_kafka_conf_new ();
  rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new (1);
  char errstr[256];
  rd_kafka_t *rk;
  gint64 offset;

  rd_kafka_conf_set (conf, "bootstrap.servers", f->bootstraps, NULL, 0);
  rd_kafka_conf_set (conf, "group.id", group, NULL, 0);
  rd_kafka_conf_set (conf, "log_level", "0", NULL, 0);
  rk = rd_kafka_new (RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  g_assert_nonnull (rk);
  rd_kafka_topic_partition_list_add (list, topic, 0);
  g_assert_cmpint (rd_kafka_committed (rk, list, 10000), ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  offset = list->elems[0].offset;
  rd_kafka_topic_partition_list_destroy (list);
  rd_kafka_destroy (rk);

  return offset;
}

/* Tests ---------------------------------------------------------------------------------------- */

#define KAFKA_SESSION "source LIKE 'kafka:%'"
#define REPLAY_SESSION "kind = 'hydraulic'"

static void
test_equals_replay (Fixture       *f,
                    gconstpointer  data)
{
  const char *properties = data;
  const char * const props[] = { properties, NULL };
  g_autofree char *db = g_build_filename (f->tmp, "kafka.db", NULL);
  VigilKafkaSourceStats st;
  guint64 samples = 0;

  create_topics (f);
  f->n_records = produce_cycles (f, 0, N_CYCLES);
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    samples += (guint64) N_CYCLES * vigil_sensor_samples_per_cycle (s);
  g_assert_cmpuint (f->n_records, ==, samples + N_CYCLES);

  consume (f, db, "vigil", properties != NULL ? props : NULL, f->n_records, &st);

  g_assert_cmpuint (st.messages, ==, f->n_records);
  g_assert_cmpuint (st.samples, ==, samples);
  g_assert_cmpuint (st.labels, ==, N_CYCLES);
  g_assert_cmpuint (st.dead_letters, ==, 0);
  g_assert_cmpuint (st.n_rigs, ==, 1);
  g_assert_cmpuint (st.checkpoints, >, 0);
  g_assert_cmpint (assert_same_store (f->reference, REPLAY_SESSION, db, KAFKA_SESSION), >, 0);
  /* The rules raise alarms on this rig, so alarms are compared, not just absent. */
  g_assert_cmpint (query_file_int (f->reference, "SELECT count(*) FROM alarms"), >, 0);

  /* Every partition is stored as fully processed, and committed to Kafka for lag tools. */
  g_assert_cmpint (query_file_int (db, "SELECT count(*) FROM kafka_offsets WHERE group_id ="
                                       " 'vigil'"), ==, VIGIL_N_SENSORS + 1);
  g_assert_cmpint (query_file_int (db, "SELECT next_offset FROM kafka_offsets WHERE topic ="
                                       " 'hydraulic-PS1'"), ==,
                   N_CYCLES * vigil_sensor_samples_per_cycle (VIGIL_SENSOR_PS1));
  g_assert_cmpint (query_file_int (db, "SELECT next_offset FROM kafka_offsets WHERE topic ="
                                       " 'hydraulic-labels'"), ==, N_CYCLES);
  g_assert_cmpint (committed_offset (f, "vigil", "hydraulic-SE"), ==, N_CYCLES * 60);
}

/* A restart after a clean stop resumes: new cycles open new windows, nothing is doubled. */
static void
test_resume (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->tmp, "kafka.db", NULL);
  VigilKafkaSourceStats st;
  guint64 first, second;

  create_topics (f);
  first = produce_cycles (f, 0, 1);
  consume (f, db, "vigil", NULL, first, &st);
  g_assert_cmpuint (st.messages, ==, first);
  second = produce_cycles (f, 1, 1);
  consume (f, db, "vigil", NULL, second, &st);

  /* Only the new records were read again... */
  g_assert_cmpuint (st.messages, ==, second);
  g_assert_cmpuint (st.samples, ==, VIGIL_SAMPLES_PER_CYCLE);
  g_assert_cmpint (query_file_int (db, "SELECT count(*) FROM cycle_labels"), ==, 2);
  /* ...and the windows the stop closed stay as they were: the first cycle's samples are in
   * six windows each, the second cycle's only in the windows starting in it (a sample in its
   * k-th ten seconds in k of them: 1 + 2 + ... + 6 = 21 per six slides, 3.5 on average). */
  g_assert_cmpint (query_file_int (db, "SELECT sum(count) FROM windows"), ==,
                   6 * VIGIL_SAMPLES_PER_CYCLE + 7 * VIGIL_SAMPLES_PER_CYCLE / 2);
  g_assert_cmpint (query_file_int (db, "SELECT count(*) FROM windows WHERE window_start >"
                                       " 1735689600000000 + 60000000 - 60000000 AND"
                                       " window_start < 1735689600000000 + 60000000 AND"
                                       " count > 6000"), ==, 0);
}

typedef struct
{
  const char *payload;
  const char *reason_word;   /* the reason names this */
} BadRecord;

static const BadRecord bad_records[] = {
  { "{\"sensor\":\"PS1\",\"cycle\":0,", "JSON" },
  { "{\"cycle\":0,\"sample_idx\":1,\"value\":1.5,\"timestamp\":\"2025-01-01T00:00:00.010000\","
    "\"sampling_rate_hz\":100}", "sensor" },
  { "{\"sensor\":\"PS1\",\"cycle\":0,\"sample_idx\":1,\"value\":\"high\","
    "\"timestamp\":\"2025-01-01T00:00:00.010000\",\"sampling_rate_hz\":100}", "value" },
  { "{\"sensor\":\"PS9\",\"cycle\":0,\"sample_idx\":1,\"value\":1.5,"
    "\"timestamp\":\"2025-01-01T00:00:00.010000\",\"sampling_rate_hz\":100}", "PS9" },
  { "{\"sensor\":\"PS1\",\"cycle\":0,\"sample_idx\":1,\"value\":1.5,"
    "\"timestamp\":\"9999-12-31T23:59:59\",\"sampling_rate_hz\":100}", "timestamp" },
  { "\xff\xfe not even text", "UTF-8" },
};

static void
test_dead_letters (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->tmp, "kafka.db", NULL);
  g_autoptr(VigilKafkaParser) parser = vigil_kafka_parser_new ();
  g_autoptr(GString) out = g_string_new (NULL);
  rd_kafka_t *rk;
  VigilKafkaSourceStats st;
  sqlite3 *sdb;
  sqlite3_stmt *stmt;
  guint64 produced = 0;
  guint n_bad = 0;
  guint n_values = vigil_sensor_samples_per_cycle (VIGIL_SENSOR_PS1);
  g_autoptr(GArray) bad_offsets = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_assert_cmpint (rd_kafka_mock_topic_create (f->mcluster, "hydraulic-PS1", 1, 1), ==, 0);

  /* One cycle of PS1, a bad record after every 1000th good one. */
  rk = new_producer (f);
  for (guint i = 0; i < n_values; i++)
    {
      VigilKafkaSample sample = {
        .sensor = VIGIL_SENSOR_PS1,
        .cycle = 0,
        .sample_idx = i,
        .sampling_rate_hz = 100,
        .time_us = VIGIL_DEFAULT_START_US + (gint64) i * 10000,
        .value = 150.0 + (i % 7),
      };

      g_string_truncate (out, 0);
      vigil_kafka_write_sample (out, &sample);
      produce (rk, "hydraulic-PS1", out->str, out->len);
      produced++;
      if (i % 1000 == 999 && n_bad < G_N_ELEMENTS (bad_records))
        {
          const char *p = bad_records[n_bad].payload;
          gint64 offset = (gint64) produced;

          produce (rk, "hydraulic-PS1", p, strlen (p));
          g_array_append_val (bad_offsets, offset);
          produced++;
          n_bad++;
        }
    }
  finish_producing (rk);
  g_assert_cmpuint (n_bad, ==, G_N_ELEMENTS (bad_records));

  consume (f, db, "vigil", NULL, produced, &st);
  g_assert_cmpuint (st.messages, ==, produced);
  g_assert_cmpuint (st.samples, ==, n_values);
  g_assert_cmpuint (st.dead_letters, ==, n_bad);

  /* The good records all reached the windows: each sample is in six windows, and the window
   * that starts with the cycle holds all of them. */
  g_assert_cmpint (query_file_int (db, "SELECT count FROM windows WHERE window_start ="
                                       " 1735689600000000"), ==, n_values);
  g_assert_cmpint (query_file_int (db, "SELECT sum(count) FROM windows"), ==, 6 * n_values);

  /* Each bad record by topic, partition and offset, with the reference parser's reason. */
  sdb = open_db (db);
  stmt = prepare (sdb, "SELECT topic, \"partition\", \"offset\", reason, excerpt FROM dead_letters"
                       " ORDER BY \"offset\"");
  for (guint i = 0; i < n_bad; i++)
    {
      VigilKafkaMessage msg;
      const char *p = bad_records[i].payload;

      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "hydraulic-PS1");
      g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 0);
      g_assert_cmpint (sqlite3_column_int64 (stmt, 2), ==, g_array_index (bad_offsets, gint64, i));
      g_assert_cmpint (vigil_kafka_parser_parse (parser, "hydraulic-PS1", 0, 0, p, strlen (p),
                                                 &msg), ==, VIGIL_KAFKA_INVALID);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 3), ==, msg.reason);
      g_assert_nonnull (strstr ((const char *) sqlite3_column_text (stmt, 3),
                                bad_records[i].reason_word));
      g_assert_nonnull (sqlite3_column_text (stmt, 4));
    }
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (sdb);
}

/* A consumer outlives no test that fails: it would wait for its group forever. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* `vigil-cli consume` as a subprocess. */
static GPid
spawn_consume (Fixture    *f,
               const char *db,
               const char *group,
               int        *out_stdout)
{
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("VIGIL_CLI");
  const char *argv[] = {
    cli, "consume", "--brokers", f->bootstraps, "--db", db, "--group", group,
    "--exit-when-idle", "3", "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500",
    "-X", "max.poll.interval.ms=6000", NULL
  };
  GPid pid;

  g_assert_nonnull (cli);
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                                           die_with_parent, NULL, &pid, NULL, out_stdout, NULL,
                                           &error));
  g_assert_no_error (error);

  return pid;
}

static int
wait_child (GPid pid)
{
  int status = 0;

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return status;
}

static char *
read_all (int fd)
{
  g_autoptr(GIOChannel) channel = g_io_channel_unix_new (fd);
  char *text = NULL;

  g_io_channel_set_close_on_unref (channel, TRUE);
  g_assert_cmpint (g_io_channel_read_to_end (channel, &text, NULL, NULL), ==, G_IO_STATUS_NORMAL);

  return text;
}

/* The checkpoints written so far (one row per partition each time). */
static gint64
stored_progress (const char *db)
{
  sqlite3 *sdb;
  gint64 n = 0;

  if (!g_file_test (db, G_FILE_TEST_EXISTS))
    return 0;
  if (sqlite3_open_v2 (db, &sdb, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    return 0;
  {
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_prepare_v2 (sdb, "SELECT coalesce(sum(next_offset), 0) FROM kafka_offsets", -1,
                            &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
      n = sqlite3_column_int64 (stmt, 0);
    sqlite3_finalize (stmt);
  }
  sqlite3_close (sdb);

  return n;
}

static void
test_kill (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->tmp, "killed.db", NULL);
  g_autofree char *whole = g_build_filename (f->tmp, "whole.db", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED);
  g_autofree char *summary = NULL;
  VigilKafkaSourceStats st;
  guint kills = 0;
  int out_fd, status;
  GPid pid;

  GThread *producer;
  guint64 total = 0;

  create_topics (f);
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    total += (guint64) N_CYCLES * vigil_sensor_samples_per_cycle (s);
  f->n_records = total + N_CYCLES;
  producer = g_thread_new ("producer", producer_thread, f);

  /* Killed at random points while records arrive, each time once it stored some more. */
  for (guint round = 0; round < 8; round++)
    {
      gint64 before = stored_progress (db);
      gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_US;
      gint64 target = before + g_rand_int_range (rand, 0, 2000);
      g_autofree char *ignored = NULL;

      pid = spawn_consume (f, db, "killed", &out_fd);
      while (stored_progress (db) <= target && (guint64) stored_progress (db) < f->n_records)
        {
          /* Still running: it only stops for idleness, and it has records left. */
          g_assert_cmpint (waitpid (pid, NULL, WNOHANG), ==, 0);
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_usleep (g_rand_int_range (rand, 1000, 50000));
        }
      if ((guint64) stored_progress (db) >= f->n_records)
        {
          /* It caught up: let it finish; the rest is for the restart. */
          kill (pid, SIGKILL);
          wait_child (pid);
          g_free (read_all (out_fd));
          break;
        }
      g_usleep (g_rand_int_range (rand, 0, 300000));
      g_test_message ("killing the consumer at %" G_GINT64_FORMAT " records stored",
                      stored_progress (db));
      kill (pid, SIGKILL);
      status = wait_child (pid);
      g_assert_true (WIFSIGNALED (status));
      ignored = read_all (out_fd);
      kills++;
    }
  g_assert_cmpuint (GPOINTER_TO_SIZE (g_thread_join (producer)), ==, f->n_records);
  g_assert_cmpuint (kills, >=, 3);

  /* The restart finishes the job and says so. */
  pid = spawn_consume (f, db, "killed", &out_fd);
  summary = read_all (out_fd);
  status = wait_child (pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_true (g_str_has_prefix (summary, "consume: samples="));
  g_assert_nonnull (strstr (summary, " dead_letters=0\n"));

  /* An uninterrupted run of its own group is the reference. */
  consume (f, whole, "whole", NULL, f->n_records, &st);
  g_assert_cmpuint (st.samples, ==, f->n_records - N_CYCLES);
  assert_same_store (whole, KAFKA_SESSION, db, KAFKA_SESSION);
  /* And both are the file replay's. */
  assert_same_store (f->reference, REPLAY_SESSION, db, KAFKA_SESSION);
  g_assert_cmpint (query_file_int (db, "SELECT sum(next_offset) FROM kafka_offsets"), ==,
                   (gint64) f->n_records);
}

typedef struct
{
  Fixture          *f;
  VigilKafkaSource *source;
} BrokerWatch;

static void
test_broker_down (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->tmp, "kafka.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_default ();
  g_autoptr(VigilKafkaSource) source = NULL;
  g_autofree char *last_error = NULL;
  VigilKafkaConnection connection;
  VigilKafkaSourceOptions options;
  VigilKafkaSourceStats st;
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_US;
  guint64 first;

  create_topics (f);
  first = produce_cycles (f, 0, 1);

  store = vigil_store_open (db, &error);
  g_assert_no_error (error);
  connection_for (f, &connection);
  vigil_kafka_source_options_init (&options);
  options.idle_us = G_USEC_PER_SEC;
  source = vigil_kafka_source_new (&connection, store, rules, &options);
  vigil_kafka_connection_clear (&connection);
  g_assert_true (vigil_kafka_source_start (source, &error));
  g_assert_no_error (error);

  do
    {
      g_usleep (50000);
      vigil_kafka_source_get_stats (source, &st);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
  while (st.messages < first);
  g_assert_cmpint (st.state, ==, VIGIL_KAFKA_SOURCE_CONNECTED);

  /* The broker goes away: reported, not fatal. */
  rd_kafka_mock_broker_set_down (f->mcluster, 1);
  while (vigil_kafka_source_get_state (source) != VIGIL_KAFKA_SOURCE_RETRYING)
    {
      g_usleep (50000);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
  last_error = vigil_kafka_source_dup_last_error (source);
  g_assert_nonnull (last_error);
  g_assert_nonnull (strstr (last_error, f->bootstraps));

  /* Back again, with the rest of the data: consumed, nothing lost or doubled. */
  rd_kafka_mock_broker_set_up (f->mcluster, 1);
  f->n_records = first + produce_cycles (f, 1, N_CYCLES - 1);
  do
    {
      g_usleep (50000);
      vigil_kafka_source_get_stats (source, &st);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
  while (st.messages < f->n_records || st.idle_seconds < 1.5);
  g_assert_cmpint (st.state, ==, VIGIL_KAFKA_SOURCE_CONNECTED);

  vigil_kafka_source_stop (source);
  g_assert_true (vigil_kafka_source_wait (source, &error));
  g_assert_no_error (error);
  vigil_kafka_source_get_stats (source, &st);
  g_assert_cmpuint (st.messages, ==, f->n_records);
  g_assert_true (vigil_store_close (store, &error));
  assert_same_store (f->reference, REPLAY_SESSION, db, KAFKA_SESSION);
}

static void
test_bad_settings (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->tmp, "kafka.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = vigil_store_open (db, &error);
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_default ();
  const char * const bad_property[] = { "no.such.setting=1", NULL };
  const char * const no_value[] = { "session.timeout.ms", NULL };
  VigilKafkaConnection connection;
  VigilKafkaSourceOptions options;

  g_assert_no_error (error);
  connection_for (f, &connection);

  vigil_kafka_source_options_init (&options);
  options.properties = bad_property;
  {
    g_autoptr(VigilKafkaSource) source = vigil_kafka_source_new (&connection, store, rules,
                                                                 &options);

    g_assert_false (vigil_kafka_source_start (source, &error));
    g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "no.such.setting"));
    g_clear_error (&error);
  }

  options.properties = no_value;
  {
    g_autoptr(VigilKafkaSource) source = vigil_kafka_source_new (&connection, store, rules,
                                                                 &options);

    g_assert_false (vigil_kafka_source_start (source, &error));
    g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "KEY=VALUE"));
    g_clear_error (&error);
  }

  vigil_kafka_source_options_init (&options);
  options.slide_us = 2 * options.window_us;
  {
    g_autoptr(VigilKafkaSource) source = vigil_kafka_source_new (&connection, store, rules,
                                                                 &options);

    g_assert_false (vigil_kafka_source_start (source, &error));
    g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
    g_clear_error (&error);
  }

  vigil_kafka_connection_clear (&connection);
  g_assert_true (vigil_store_close (store, &error));
  /* A refusal registers nothing. */
  g_assert_cmpint (query_file_int (db, "SELECT count(*) FROM sessions"), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/kafka-consume/equals-replay", Fixture, NULL, fixture_set_up,
              test_equals_replay, fixture_tear_down);
  g_test_add ("/engine/kafka-consume/cooperative", Fixture,
              "partition.assignment.strategy=cooperative-sticky", fixture_set_up,
              test_equals_replay, fixture_tear_down);
  g_test_add ("/engine/kafka-consume/resume", Fixture, NULL, fixture_set_up, test_resume,
              fixture_tear_down);
  g_test_add ("/engine/kafka-consume/dead-letters", Fixture, NULL, fixture_set_up,
              test_dead_letters, fixture_tear_down);
  g_test_add ("/engine/kafka-consume/kill-9", Fixture, NULL, fixture_set_up, test_kill,
              fixture_tear_down);
  g_test_add ("/engine/kafka-consume/broker-down", Fixture, NULL, fixture_set_up,
              test_broker_down, fixture_tear_down);
  g_test_add ("/engine/kafka-consume/bad-settings", Fixture, NULL, fixture_set_up,
              test_bad_settings, fixture_tear_down);

  return g_test_run ();
}
