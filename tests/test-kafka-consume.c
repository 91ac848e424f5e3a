/* test-kafka-consume.c
 *
 * The Kafka source against librdkafka's mock cluster on loopback: a generated rig produced in
 * the seed format and consumed gives the same store as a file replay of the same files;
 * malformed records become dead letters while the rest flows; a consumer killed with SIGKILL
 * at random points and restarted ends with the store of an uninterrupted run; the brokers
 * going away are reported and nothing is lost when they come back. Generated cameras produced
 * on traffic_data, with and without detections, give the per-second and per-minute rows of
 * running the camera pipeline on the same frames, and bad traffic records become dead
 * letters.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <gst/gst.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <math.h>

#include "vigil-camera.h"
#include "vigil-error.h"
#include "vigil-hydraulic-generator.h"
#include "vigil-hydraulic-reader.h"
#include "vigil-hydraulic-replay.h"
#include "vigil-image.h"
#include "vigil-kafka-message.h"
#include "vigil-kafka-producer.h"
#include "vigil-kafka-source.h"
#include "vigil-store.h"
#include "vigil-traffic-generator.h"
#include "vigil-test-gstreamer.h"
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

/* Traffic ------------------------------------------------------------------------------------- */

#define TRAFFIC_FRAMES 30
#define TRAFFIC_FPS 10
/* 2025-12-01T08:00:00Z, the seed's example */
#define TRAFFIC_START_US G_GINT64_CONSTANT (1764576000000000)
#define TRAFFIC_FRAME_US (G_USEC_PER_SEC / TRAFFIC_FPS)

static void
traffic_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  rd_kafka_conf_t *conf = rd_kafka_conf_new ();
  char errstr[256];

  f->tmp = g_dir_make_tmp ("vigil-kafka-traffic-XXXXXX", &error);
  g_assert_no_error (error);
  rd_kafka_conf_set (conf, "log_level", "0", NULL, 0);
  f->mock_rk = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  g_assert_nonnull (f->mock_rk);
  f->mcluster = rd_kafka_mock_cluster_new (f->mock_rk, 1);
  g_assert_nonnull (f->mcluster);
  f->bootstraps = g_strdup (rd_kafka_mock_cluster_bootstraps (f->mcluster));
}

/* The generated PNG frames of @camera_dir as JPEG files in @jpeg_dir: the bytes both the
 * producer and the reference run read. */
static void
write_jpegs (const char *camera_dir,
             const char *jpeg_dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;

  g_assert_cmpint (g_mkdir_with_parents (jpeg_dir, 0700), ==, 0);
  description = g_strdup_printf ("multifilesrc location=\"%s/frames/%%06d.png\" "
                                 "caps=image/png,framerate=10/1 ! pngdec ! videoconvert ! "
                                 "jpegenc ! multifilesink location=\"%s/%%06d.jpg\"",
                                 camera_dir, jpeg_dir);
  pipeline = gst_parse_launch (description, &error);
  g_assert_no_error (error);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  bus = gst_element_get_bus (pipeline);
  message = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
                                        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  g_assert_cmpint (GST_MESSAGE_TYPE (message), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

/* The ground truth of @camera_dir as the detections CSV `produce traffic` takes; returns its
 * rows. */
static guint
write_detections (const char *camera_dir,
                  const char *camera_id,
                  const char *out_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *truth_path = g_build_filename (camera_dir, "ground-truth.csv", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GString) out = g_string_new (VIGIL_KAFKA_DETECTIONS_HEADER "\n");
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents (truth_path, &contents, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "frame,timestamp,track_id,class,x,y,w,h,speed_kmh");
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", -1);

      if (lines[i][0] == '\0')
        continue;
      g_assert_cmpuint (g_strv_length (f), ==, 9);
      g_string_append_printf (out, "%s,%s,%s,%s,%s,%s,%s,%s,%s\n", camera_id, f[0], f[1], f[2],
                              f[3], f[4], f[5], f[6], f[7]);
      n++;
    }
  g_assert_true (g_file_set_contents (out_path, out->str, out->len, &error));
  g_assert_no_error (error);

  return n;
}

/* @v as the newer form carries it: normalised, six decimals. */
static double
on_the_wire (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_ascii_strtod (g_ascii_formatd (buf, sizeof buf, "%.6f", CLAMP (v, 0.0, 1.0)), NULL);
}

/* A box in pixels of a @width x @height frame after its trip through a message: clipped,
 * normalised to six decimals, and back to pixels. */
static void
through_message (VigilDetection *d,
                 guint           width,
                 guint           height)
{
  double x0 = CLAMP (d->x, 0, width), x1 = CLAMP (d->x + d->w, 0, width);
  double y0 = CLAMP (d->y, 0, height), y1 = CLAMP (d->y + d->h, 0, height);
  double xc = on_the_wire ((x0 + x1) / 2 / width), yc = on_the_wire ((y0 + y1) / 2 / height);
  double w = on_the_wire ((x1 - x0) / width), h = on_the_wire ((y1 - y0) / height);

  x0 = CLAMP ((xc - w / 2) * width, 0, width);
  x1 = CLAMP ((xc - w / 2) * width + w * width, 0, width);
  y0 = CLAMP ((yc - h / 2) * height, 0, height);
  y1 = CLAMP ((yc - h / 2) * height + h * height, 0, height);
  d->x = x0, d->y = y0, d->w = x1 - x0, d->h = y1 - y0;
}

/* Per frame, the boxes of a detections CSV as VigilDetection of a @width x @height frame
 * (untracked, as a message's normalised boxes are). */
static GPtrArray *
read_detections (const char *path,
                 guint       width,
                 guint       height)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  for (guint i = 0; i < TRAFFIC_FRAMES; i++)
    g_ptr_array_add (frames, g_array_new (FALSE, FALSE, sizeof (VigilDetection)));
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", -1);
      VigilDetection d = { .track_id = -1, .speed_kmh = NAN };
      guint frame;

      if (lines[i][0] == '\0')
        continue;
      frame = (guint) g_ascii_strtoull (f[1], NULL, 10);
      g_assert_cmpuint (frame, <, TRAFFIC_FRAMES);
      g_assert_true (vigil_vehicle_class_from_name (f[4], &d.klass));
      d.x = g_ascii_strtod (f[5], NULL);
      d.y = g_ascii_strtod (f[6], NULL);
      d.w = g_ascii_strtod (f[7], NULL);
      d.h = g_ascii_strtod (f[8], NULL);
      through_message (&d, width, height);
      d.area = (guint) round (d.w * d.h);
      g_array_append_val (g_ptr_array_index (frames, frame), d);
    }

  return frames;
}

static void
produce_camera (Fixture    *f,
                const char *jpeg_dir,
                const char *camera_id,
                const char *detections)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilKafkaProducer) producer = NULL;
  VigilKafkaConnection connection;
  VigilKafkaTrafficOptions options;

  connection_for (f, &connection);
  producer = vigil_kafka_producer_new (&connection, &error);
  vigil_kafka_connection_clear (&connection);
  g_assert_no_error (error);
  vigil_kafka_traffic_options_init (&options);
  options.camera_id = camera_id;
  options.fps = TRAFFIC_FPS;
  options.speed = 0;
  options.start_us = TRAFFIC_START_US;
  options.detections = detections;
  g_assert_true (vigil_kafka_producer_send_traffic (producer, jpeg_dir, &options, NULL, &error));
  g_assert_no_error (error);
}

/* What `vigil-cli replay traffic DIR --camera ID --fps 10` stores: the camera on the folder. */
static void
replay_folder (const char *db,
               const char *camera_id,
               const char *jpeg_dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = vigil_store_open (db, &error);
  g_autoptr(VigilCamera) camera = vigil_camera_new (camera_id, jpeg_dir);

  g_assert_no_error (error);
  vigil_camera_set_fps (camera, TRAFFIC_FPS);
  vigil_camera_set_start_time (camera, TRAFFIC_START_US);
  vigil_camera_set_store (camera, store);
  g_assert_true (vigil_camera_start (camera, &error));
  g_assert_no_error (error);
  g_assert_cmpint (vigil_camera_wait (camera), !=, VIGIL_FRAME_SOURCE_FAILED);
  g_assert_true (vigil_store_close (store, &error));
  g_assert_no_error (error);
}

/* The same frames with the boxes of @frames given (a frame with none goes through the
 * detector, as a message with an image and no objects does). */
static void
replay_with_detections (const char *db,
                        const char *camera_id,
                        const char *jpeg_dir,
                        GPtrArray  *frames)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = vigil_store_open (db, &error);
  g_autoptr(VigilCamera) camera = vigil_camera_new (camera_id, NULL);
  VigilStoreBatch *batch;
  gint64 session;

  g_assert_no_error (error);
  session = vigil_camera_ensure_session (camera, store, &error);
  g_assert_no_error (error);
  batch = vigil_store_batch_new (session);
  for (guint i = 0; i < frames->len; i++)
    {
      g_autofree char *name = g_strdup_printf ("%06u.jpg", i);
      g_autofree char *path = g_build_filename (jpeg_dir, name, NULL);
      g_autoptr(VigilFrame) frame = vigil_image_load (path, VIGIL_FRAME_RGB24, &error);
      GArray *boxes = g_ptr_array_index (frames, i);
      gint64 time_us = TRAFFIC_START_US + (gint64) i * TRAFFIC_FRAME_US;

      g_assert_no_error (error);
      frame->time_us = time_us;
      frame->index = i;
      g_assert_true (vigil_camera_process_frame (camera, frame, time_us, frame->width,
                                                 frame->height,
                                                 boxes->len > 0 ? (VigilDetection *) (gpointer)
                                                                  boxes->data : NULL,
                                                 boxes->len, batch, &error));
      g_assert_no_error (error);
    }
  vigil_camera_advance (camera, G_MAXINT64, batch);
  vigil_store_submit (store, batch);
  g_assert_true (vigil_store_close (store, &error));
  g_assert_no_error (error);
}

/* The per-second (or per-minute) rows of camera @camera_id in @a and in @b are the same, value
 * for value (REAL compared exactly); returns how many. */
static gint64
assert_same_traffic (const char *a,
                     const char *b,
                     const char *table,
                     const char *camera_id)
{
  static const char columns[] = "start_us, end_us, frames, vehicles, unique_vehicles,"
                                " motorcycle, car, bus, truck, motorcycle_avg, car_avg, bus_avg,"
                                " truck_avg, density_pct, speed_kmh, dwell_s, status";
  sqlite3 *db = NULL;
  g_autofree char *attach = g_strdup_printf ("ATTACH '%s' AS a; ATTACH '%s' AS b", a, b);
  g_autofree char *qa = g_strdup_printf ("SELECT id FROM a.sessions WHERE camera = '%s'",
                                         camera_id);
  g_autofree char *qb = g_strdup_printf ("SELECT id FROM b.sessions WHERE camera = '%s'",
                                         camera_id);
  g_autofree char *diff = NULL;
  g_autofree char *diff_back = NULL;
  gint64 sa, sb, n;

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, attach, NULL, NULL, NULL), ==, SQLITE_OK);
  sa = query_int (db, qa);
  sb = query_int (db, qb);
  diff = g_strdup_printf ("SELECT count(*) FROM (SELECT %s FROM a.%s WHERE session_id = %"
                          G_GINT64_FORMAT " EXCEPT SELECT %s FROM b.%s WHERE session_id = %"
                          G_GINT64_FORMAT ")", columns, table, sa, columns, table, sb);
  diff_back = g_strdup_printf ("SELECT count(*) FROM (SELECT %s FROM b.%s WHERE session_id = %"
                               G_GINT64_FORMAT " EXCEPT SELECT %s FROM a.%s WHERE session_id = %"
                               G_GINT64_FORMAT ")", columns, table, sb, columns, table, sa);
  n = count_rows (db, "a", table, sa);
  g_assert_cmpint (n, ==, count_rows (db, "b", table, sb));
  g_assert_cmpint (query_int (db, diff), ==, 0);
  g_assert_cmpint (query_int (db, diff_back), ==, 0);
  sqlite3_close (db);

  return n;
}

/* The older form: no image, each vehicle a polygon with its track id. Frame @i of cam_03 holds
 * a car (track 7) going right and a truck (track 8) going left, as rectangles. */
#define OLD_FORM_FRAMES 20

static void
old_form_boxes (guint           i,
                VigilDetection  out[2])
{
  out[0] = (VigilDetection) { .track_id = 7, .klass = VIGIL_VEHICLE_CAR, .x = 100 + 20 * i,
                              .y = 300, .w = 80, .h = 40, .speed_kmh = NAN };
  out[1] = (VigilDetection) { .track_id = 8, .klass = VIGIL_VEHICLE_TRUCK, .x = 900 - 10 * i,
                              .y = 400, .w = 160, .h = 60, .speed_kmh = NAN };
  for (guint k = 0; k < 2; k++)
    out[k].area = (guint) (out[k].w * out[k].h);
}

static char *
old_form_message (guint i)
{
  GString *out = g_string_new (NULL);
  VigilDetection d[2];

  old_form_boxes (i, d);
  g_string_printf (out, "{\"camera_id\":\"cam_03\",\"timestamp\":\"2025-12-01T08:00:%02u.%03u\","
                   "\"objects\":[", i / TRAFFIC_FPS, (i % TRAFFIC_FPS) * 100);
  for (guint k = 0; k < 2; k++)
    g_string_append_printf (out, "%s{\"track_id\":%" G_GINT64_FORMAT ",\"class_id\":%d,"
                            "\"world_coordinates\":{\"x\":12.5,\"y\":40.1},"
                            "\"segmentation\":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}",
                            k > 0 ? "," : "", d[k].track_id, (int) d[k].klass, d[k].x, d[k].y,
                            d[k].x + d[k].w, d[k].y, d[k].x + d[k].w, d[k].y + d[k].h, d[k].x,
                            d[k].y + d[k].h);
  g_string_append (out, "]}");

  return g_string_free (out, FALSE);
}

/* The older form's frames have no image: the size is the default, 1280 x 720. */
static void
replay_old_form (const char *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = vigil_store_open (db, &error);
  g_autoptr(VigilCamera) camera = vigil_camera_new ("cam_03", NULL);
  VigilStoreBatch *batch;
  gint64 session;

  g_assert_no_error (error);
  session = vigil_camera_ensure_session (camera, store, &error);
  g_assert_no_error (error);
  batch = vigil_store_batch_new (session);
  for (guint i = 0; i < OLD_FORM_FRAMES; i++)
    {
      VigilDetection d[2];

      old_form_boxes (i, d);
      g_assert_true (vigil_camera_process_frame (camera, NULL, TRAFFIC_START_US +
                                                 (gint64) i * TRAFFIC_FRAME_US, 1280, 720, d, 2,
                                                 batch, &error));
      g_assert_no_error (error);
    }
  vigil_camera_advance (camera, G_MAXINT64, batch);
  vigil_store_submit (store, batch);
  g_assert_true (vigil_store_close (store, &error));
  g_assert_no_error (error);
}

static gint64
camera_session (const char *db,
                const char *camera_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT id FROM sessions WHERE camera = '%s'",
                                          camera_id);

  return query_file_int (db, sql);
}

static void
test_traffic (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cameras = g_build_filename (f->tmp, "cameras", NULL);
  g_autofree char *cam1 = g_build_filename (cameras, "cam_01", NULL);
  g_autofree char *cam2 = g_build_filename (cameras, "cam_02", NULL);
  g_autofree char *jpeg1 = g_build_filename (f->tmp, "jpeg-01", NULL);
  g_autofree char *jpeg2 = g_build_filename (f->tmp, "jpeg-02", NULL);
  g_autofree char *csv = g_build_filename (f->tmp, "detections.csv", NULL);
  g_autofree char *db = g_build_filename (f->tmp, "kafka.db", NULL);
  g_autofree char *reference = g_build_filename (f->tmp, "reference.db", NULL);
  g_autofree char *sql = NULL;
  g_autofree char *undecodable = g_base64_encode ((const guchar *) "not a picture", 13);
  g_autofree char *bad_image = g_strdup_printf ("{\"camera_id\":\"cam_01\",\"timestamp\":"
                                                "\"2025-12-01T08:00:09.000\",\"image_id\":90,"
                                                "\"image\":\"%s\",\"objects\":[]}", undecodable);
  g_autoptr(GPtrArray) boxes = NULL;
  g_autoptr(VigilKafkaParser) parser = vigil_kafka_parser_new ();
  const char *bad[] = {
    "{\"camera_id\":\"cam_01\",\"timestamp\":\"2025-12-01T08:00:09.000\",\"image_id\":91,"
    "\"image\":\"@@@@\",\"objects\":[]}",
    bad_image,
    "{\"timestamp\":\"2025-12-01T08:00:09.000\",\"objects\":[]}",
  };
  VigilTrafficGeneratorParams params;
  VigilKafkaSourceStats st;
  VigilKafkaMessage msg;
  sqlite3 *sdb;
  sqlite3_stmt *stmt;
  rd_kafka_t *rk;
  guint n_truth;

  /* Two small cameras: cam_01's frames alone (Vigil's detector), cam_02's with their true
   * boxes (the newer form's normalised boxes). */
  vigil_traffic_generator_params_init (&params);
  params.n_cameras = 2;
  params.n_frames = TRAFFIC_FRAMES;
  params.width = 160;
  params.height = 96;
  params.fps = TRAFFIC_FPS;
  params.seed = 3;
  g_assert_true (vigil_traffic_generate (cameras, &params, NULL, &error));
  g_assert_no_error (error);
  write_jpegs (cam1, jpeg1);
  write_jpegs (cam2, jpeg2);
  n_truth = write_detections (cam2, "cam_02", csv);
  g_assert_cmpuint (n_truth, >, TRAFFIC_FRAMES);

  /* DESIGN.md: cam_01 on partition 0, cam_02 on 1, cam_03 on 2. */
  g_assert_cmpint (rd_kafka_mock_topic_create (f->mcluster, "traffic_data", 3, 1), ==, 0);
  produce_camera (f, jpeg1, "cam_01", NULL);
  produce_camera (f, jpeg2, "cam_02", csv);
  rk = new_producer (f);
  for (guint i = 0; i < OLD_FORM_FRAMES; i++)
    {
      g_autofree char *m = old_form_message (i);

      g_assert_cmpint (rd_kafka_producev (rk, RD_KAFKA_V_TOPIC ("traffic_data"),
                                          RD_KAFKA_V_PARTITION (2),
                                          RD_KAFKA_V_VALUE (m, strlen (m)),
                                          RD_KAFKA_V_MSGFLAGS (RD_KAFKA_MSG_F_COPY),
                                          RD_KAFKA_V_END), ==, RD_KAFKA_RESP_ERR_NO_ERROR);
    }
  finish_producing (rk);
  /* Offsets 30, 31, 32 of partition 0: not base64, not a picture, no camera. */
  rk = new_producer (f);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_cmpint (rd_kafka_producev (rk, RD_KAFKA_V_TOPIC ("traffic_data"),
                                        RD_KAFKA_V_PARTITION (0),
                                        RD_KAFKA_V_VALUE ((void *) bad[i], strlen (bad[i])),
                                        RD_KAFKA_V_MSGFLAGS (RD_KAFKA_MSG_F_COPY),
                                        RD_KAFKA_V_END), ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  finish_producing (rk);

  consume (f, db, "vigil", NULL, 2 * TRAFFIC_FRAMES + OLD_FORM_FRAMES + G_N_ELEMENTS (bad),
           &st);
  g_assert_cmpuint (st.messages, ==, 2 * TRAFFIC_FRAMES + OLD_FORM_FRAMES + G_N_ELEMENTS (bad));
  g_assert_cmpuint (st.frames, ==, 2 * TRAFFIC_FRAMES + OLD_FORM_FRAMES);
  g_assert_cmpuint (st.n_cameras, ==, 3);
  g_assert_cmpuint (st.dead_letters, ==, G_N_ELEMENTS (bad));
  g_assert_cmpuint (st.samples, ==, 0);

  /* The references: the folder replayed, and the frames with their boxes. */
  replay_folder (reference, "cam_01", jpeg1);
  boxes = read_detections (csv, params.width, params.height);
  replay_with_detections (reference, "cam_02", jpeg2, boxes);
  replay_old_form (reference);

  /* 30 frames at 10 per second: three seconds, in the minutes that start 30 s before and at
   * the first frame. */
  g_assert_cmpint (assert_same_traffic (db, reference, "traffic_seconds", "cam_01"), ==, 3);
  g_assert_cmpint (assert_same_traffic (db, reference, "traffic_minutes", "cam_01"), ==, 2);
  g_assert_cmpint (assert_same_traffic (db, reference, "traffic_seconds", "cam_02"), ==, 3);
  g_assert_cmpint (assert_same_traffic (db, reference, "traffic_minutes", "cam_02"), ==, 2);
  g_assert_cmpint (assert_same_traffic (db, reference, "traffic_seconds", "cam_03"), ==, 2);
  g_assert_cmpint (assert_same_traffic (db, reference, "traffic_minutes", "cam_03"), ==, 2);
  sql = g_strdup_printf ("SELECT sum(frames) FROM traffic_seconds WHERE session_id = %"
                         G_GINT64_FORMAT, camera_session (db, "cam_01"));
  g_assert_cmpint (query_file_int (db, sql), ==, TRAFFIC_FRAMES);

  /* cam_02's detections are the truth's boxes, numbered by the frames' image_id, which is
   * their place in the folder. */
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count(*) FROM traffic_detections WHERE session_id = %"
                         G_GINT64_FORMAT, camera_session (db, "cam_02"));
  g_assert_cmpint (query_file_int (db, sql), ==, n_truth);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count(*) FROM traffic_detections WHERE session_id = %"
                         G_GINT64_FORMAT " AND time_us != %" G_GINT64_FORMAT " + frame * %"
                         G_GINT64_FORMAT, camera_session (db, "cam_02"), TRAFFIC_START_US,
                         (gint64) TRAFFIC_FRAME_US);
  g_assert_cmpint (query_file_int (db, sql), ==, 0);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count(DISTINCT frame) FROM traffic_detections"
                         " WHERE session_id = %" G_GINT64_FORMAT, camera_session (db, "cam_02"));
  g_assert_cmpint (query_file_int (db, sql), ==, TRAFFIC_FRAMES);

  /* cam_03's vehicles keep the message's track ids; without an image_id, a frame is numbered
   * by its offset (here its place: the camera has the partition to itself). */
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count(*) FROM traffic_detections WHERE session_id = %"
                         G_GINT64_FORMAT " AND track_id = 7 + idx AND time_us = %"
                         G_GINT64_FORMAT " + frame * %" G_GINT64_FORMAT,
                         camera_session (db, "cam_03"), TRAFFIC_START_US,
                         (gint64) TRAFFIC_FRAME_US);
  g_assert_cmpint (query_file_int (db, sql), ==, 2 * OLD_FORM_FRAMES);

  /* The bad records by offset, with their reasons; the ones naming a camera in its session. */
  sdb = open_db (db);
  stmt = prepare (sdb, "SELECT topic, \"partition\", \"offset\", reason, excerpt,"
                       " (SELECT camera FROM sessions WHERE id = session_id)"
                       " FROM dead_letters ORDER BY \"offset\"");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *reason;

      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "traffic_data");
      g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 0);
      g_assert_cmpint (sqlite3_column_int64 (stmt, 2), ==, TRAFFIC_FRAMES + i);
      reason = (const char *) sqlite3_column_text (stmt, 3);
      g_assert_nonnull (sqlite3_column_text (stmt, 4));
      switch (i)
        {
        case 0:
          g_assert_cmpstr (reason, ==, "The image is not base64: unexpected byte 0x40 at "
                                       "offset 0");
          g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 5), ==, "cam_01");
          break;
        case 1:
          g_assert_true (g_str_has_prefix (reason, "“image”: not an image that can be "
                                                   "decoded"));
          g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 5), ==, "cam_01");
          break;
        default:
          g_assert_cmpint (vigil_kafka_parser_parse (parser, "traffic_data", 0, 0, bad[i],
                                                     strlen (bad[i]), &msg), ==,
                           VIGIL_KAFKA_INVALID);
          g_assert_cmpstr (reason, ==, msg.reason);
          g_assert_nonnull (strstr (reason, "camera_id"));
          break;
        }
    }
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (sdb);
}

/* Enough frames for several checkpoints (one every 250 ms) to pass while they are consumed. */
#define KILL_FRAMES 200

/* Appends @option to the sanitizer setting @name for the processes spawned from now on;
 * returns the setting as it was (NULL: unset). */
static char *
add_sanitizer_option (const char *name,
                      const char *option)
{
  char *before = g_strdup (g_getenv (name));
  g_autofree char *after = before != NULL ? g_strconcat (before, ":", option, NULL)
                                          : g_strdup (option);

  g_setenv (name, after, TRUE);

  return before;
}

static void
restore_setting (const char *name,
                 const char *value)
{
  if (value != NULL)
    g_setenv (name, value, TRUE);
  else
    g_unsetenv (name);
}

/* A camera's consumer killed at random points and restarted: every detection stored once,
 * under the frame number the message gave it, and every frame's offset stored. */
static void
test_traffic_kill (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED);
  g_autofree char *cameras = g_build_filename (f->tmp, "cameras", NULL);
  g_autofree char *cam1 = g_build_filename (cameras, "cam_01", NULL);
  g_autofree char *jpeg1 = g_build_filename (f->tmp, "jpeg-01", NULL);
  g_autofree char *csv = g_build_filename (f->tmp, "detections.csv", NULL);
  g_autofree char *db = g_build_filename (f->tmp, "killed.db", NULL);
  g_autofree char *whole = g_build_filename (f->tmp, "whole.db", NULL);
  g_autofree char *summary = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *suppressions = g_build_filename (f->tmp, "lsan.supp", NULL);
  g_autofree char *suppressions_option = g_strconcat ("suppressions=", suppressions, NULL);
  g_autofree char *asan_before = NULL;
  g_autofree char *lsan_before = NULL;
  VigilTrafficGeneratorParams params;
  VigilKafkaSourceStats st;
  guint n_truth;
  int out_fd, status;
  GPid pid;

  vigil_traffic_generator_params_init (&params);
  params.n_frames = KILL_FRAMES;
  params.width = 160;
  params.height = 96;
  params.fps = TRAFFIC_FPS;
  params.seed = 5;
  g_assert_true (vigil_traffic_generate (cameras, &params, NULL, &error));
  g_assert_no_error (error);
  write_jpegs (cam1, jpeg1);
  n_truth = write_detections (cam1, "cam_01", csv);
  g_assert_cmpint (rd_kafka_mock_topic_create (f->mcluster, "traffic_data", 1, 1), ==, 0);
  produce_camera (f, jpeg1, "cam_01", csv);

  /* The consumer decodes frames with GStreamer: under LeakSanitizer it would report GLib's
   * own allocation at library load and exit with 1, which vigil-test-gstreamer.h makes this
   * process ignore; the spawned `vigil-cli` is told the same. */
  g_assert_true (g_file_set_contents (suppressions, "leak:_dl_init\n", -1, &error));
  g_assert_no_error (error);
  asan_before = add_sanitizer_option ("ASAN_OPTIONS", "fast_unwind_on_malloc=0");
  lsan_before = add_sanitizer_option ("LSAN_OPTIONS", suppressions_option);

  for (guint round = 0; round < 3; round++)
    {
      gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_US;
      gint64 target = stored_progress (db) + g_rand_int_range (rand, 1, KILL_FRAMES / 4);
      g_autofree char *ignored = NULL;

      pid = spawn_consume (f, db, "killed", &out_fd);
      while (stored_progress (db) < MIN (target, KILL_FRAMES))
        {
          g_assert_cmpint (waitpid (pid, NULL, WNOHANG), ==, 0);
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_usleep (g_rand_int_range (rand, 1000, 20000));
        }
      g_usleep (g_rand_int_range (rand, 0, 200000));
      g_test_message ("killing the consumer at %" G_GINT64_FORMAT " frames stored",
                      stored_progress (db));
      kill (pid, SIGKILL);
      wait_child (pid);
      ignored = read_all (out_fd);
    }

  pid = spawn_consume (f, db, "killed", &out_fd);
  summary = read_all (out_fd);
  status = wait_child (pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_true (g_str_has_prefix (summary, "consume: samples=0 "));
  restore_setting ("ASAN_OPTIONS", asan_before);
  restore_setting ("LSAN_OPTIONS", lsan_before);

  g_assert_cmpint (query_file_int (db, "SELECT sum(next_offset) FROM kafka_offsets"), ==,
                   KILL_FRAMES);
  sql = g_strdup_printf ("SELECT count(*) FROM traffic_detections WHERE session_id = %"
                         G_GINT64_FORMAT, camera_session (db, "cam_01"));
  g_assert_cmpint (query_file_int (db, sql), ==, n_truth);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count(*) FROM traffic_detections WHERE session_id = %"
                         G_GINT64_FORMAT " AND time_us != %" G_GINT64_FORMAT " + frame * %"
                         G_GINT64_FORMAT, camera_session (db, "cam_01"), TRAFFIC_START_US,
                         (gint64) TRAFFIC_FRAME_US);
  g_assert_cmpint (query_file_int (db, sql), ==, 0);
  g_assert_cmpint (query_file_int (db, "SELECT count(*) FROM sessions"), ==, 1);

  /* The 20 s of frames are all in minutes still open at every kill: each restart re-read
   * them from the first, so the rows are those of an uninterrupted run. */
  consume (f, whole, "whole", NULL, KILL_FRAMES, &st);
  g_assert_cmpuint (st.frames, ==, KILL_FRAMES);
  g_assert_cmpint (assert_same_traffic (whole, db, "traffic_seconds", "cam_01"), ==,
                   KILL_FRAMES / TRAFFIC_FPS);
  g_assert_cmpint (assert_same_traffic (whole, db, "traffic_minutes", "cam_01"), ==, 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

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
  g_test_add ("/engine/kafka-consume/traffic", Fixture, NULL, traffic_set_up, test_traffic,
              fixture_tear_down);
  g_test_add ("/engine/kafka-consume/traffic-kill-9", Fixture, NULL, traffic_set_up,
              test_traffic_kill, fixture_tear_down);

  return g_test_run ();
}
