/* kafka-json-vigil.c
 *
 * Vigil's side of bench/kafka-json: Kafka-format hydraulic sample messages through parsing and
 * event-time windows, transport excluded.
 *
 *   kafka-json-vigil generate FILE [--cycles N] [--seed S]
 *   kafka-json-vigil run FILE --parser fast|reference [--windows CSV]
 *
 * generate writes the seed-format messages of N generated cycles of a rig (vigil-cli generate's
 * data, seed S) in the order a live rig publishes them, by event time: one message a line,
 * "TOPIC<TAB>JSON". run loads such a file into memory (untimed), then times, on one thread,
 * parsing every message in batches of 4096 (vigil_kafka_fast_parser_parse_batch() or the
 * reference's) and pushing every sample into a VigilWindowOp (60 s windows sliding every 10 s,
 * 10 s allowed lateness, as the replay), then the final flush. It prints one line:
 *   vigil: parser=P messages=N samples=S dead=D windows=W late=L fallbacks=F seconds=T
 *          messages_per_s=R
 * --windows writes every window (CSV, %.17g) so that runs can be compared.
 *
 *   kafka-json-vigil latency FILE [--seconds N] [--rate R] [--lateness S] [--python SCRIPT]
 *                            [--fetch-wait-ms W] [--checkpoint-ms C]
 *
 * latency is end to end through librdkafka's mock broker, in this process on loopback: the
 * messages of FILE are produced from the first on, paced at R a second (728, the seed's rate:
 * real time), for N seconds, to a consumer that stores windows in SQLite: Vigil's Kafka
 * source (`vigil-cli consume`'s engine, its defaults: checkpoints every 250 ms) or, with
 * --python, SCRIPT run by /usr/bin/python3 (bench/kafka_latency_python.py). The same watcher
 * thread reads each consumer's windows table every 2 ms and notes when a row first shows:
 * its commit. A window's latency is that time less the time its last sample was produced;
 * windows the data closed count (not those the end of the run flushed). It prints one line:
 *   latency: consumer=C checkpoint_ms=K fetch_wait_ms=W windows=N p50_ms=A p99_ms=B max_ms=M
 *            close_p50_ms=D close_p99_ms=E messages=N seconds=S
 * where close_ is measured from the record that closed the window (its sensor's first sample
 * at or after the window's end plus the lateness) instead. Both consumers fetch with
 * fetch.wait.max.ms=W (default 10): the mock broker answers a waiting fetch only when that time
 * is up, not when a record arrives as a real broker does, so librdkafka's 500 ms default
 * would add about 250 ms to both sides that a real cluster does not. --checkpoint-ms sets
 * Vigil's store transaction interval (default 250, the engine's).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-bench-kafka-json"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <librdkafka/rdkafka.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "vigil-hydraulic-generator.h"
#include "vigil-hydraulic-reader.h"
#include "vigil-kafka-broker.h"
#include "vigil-kafka-message.h"
#include "vigil-kafka-source.h"
#include "vigil-sensor.h"
#include "vigil-time.h"
#include "vigil-window-op.h"

#define BATCH 4096
#define TICKS_PER_CYCLE (VIGIL_CYCLE_SECONDS * 100)   /* 10 ms ticks, the fastest rate */

static gboolean
generate (const char  *path,
          guint        n_cycles,
          guint64      seed,
          GError     **error)
{
  g_autofree char *dir = g_dir_make_tmp ("vigil-kafka-json-XXXXXX", error);
  VigilRowReader *readers[VIGIL_N_SENSORS] = { NULL, };
  double *rows[VIGIL_N_SENSORS] = { NULL, };
  g_autoptr(GString) line = g_string_new (NULL);
  gboolean ok = FALSE;
  FILE *out = NULL;

  if (dir == NULL)
    return FALSE;
  if (!vigil_hydraulic_generate (dir, n_cycles, seed, NULL, error))
    goto out;

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      g_autofree char *file = g_strdup_printf ("%s/%s.txt", dir,
                                               vigil_sensor_get_info ((VigilSensor) s)->name);

      readers[s] = vigil_row_reader_open (file, vigil_sensor_samples_per_cycle ((VigilSensor) s),
                                          error);
      if (readers[s] == NULL)
        goto out;
      rows[s] = g_new (double, vigil_sensor_samples_per_cycle ((VigilSensor) s));
    }

  out = fopen (path, "w");
  if (out == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: cannot write", path);
      goto out;
    }

  for (guint cycle = 0; cycle < n_cycles; cycle++)
    {
      for (guint s = 0; s < VIGIL_N_SENSORS; s++)
        if (vigil_row_reader_next (readers[s], rows[s], error) != 1)
          goto out;

      for (guint tick = 0; tick < TICKS_PER_CYCLE; tick++)
        for (guint s = 0; s < VIGIL_N_SENSORS; s++)
          {
            const VigilSensorInfo *info = vigil_sensor_get_info ((VigilSensor) s);
            guint step = 100 / info->rate_hz;
            VigilKafkaSample sample = {
              .sensor = (VigilSensor) s, .cycle = cycle, .sample_idx = tick / step,
              .sampling_rate_hz = info->rate_hz,
              .time_us = VIGIL_DEFAULT_START_US
                         + ((gint64) cycle * VIGIL_CYCLE_SECONDS) * VIGIL_USEC_PER_SEC
                         + (gint64) tick * 10000,
            };

            if (tick % step != 0)
              continue;
            sample.value = rows[s][sample.sample_idx];
            g_string_printf (line, "hydraulic-%s\t", info->name);
            vigil_kafka_write_sample (line, &sample);
            g_string_append_c (line, '\n');
            fwrite (line->str, 1, line->len, out);
          }
    }
  ok = TRUE;

out:
  if (out != NULL && fclose (out) != 0 && ok)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: cannot write", path);
      ok = FALSE;
    }
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      g_clear_pointer (&readers[s], vigil_row_reader_free);
      g_free (rows[s]);
    }
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);

        g_unlink (file);
      }
    g_rmdir (dir);
  }

  return ok;
}

/* Splits the file in place into records: topics NUL-terminated, payloads not. */
static GArray *
load_records (char  *contents,
              gsize  len)
{
  GArray *records = g_array_new (FALSE, FALSE, sizeof (VigilKafkaRecord));
  char *p = contents, *end = contents + len;

  while (p < end)
    {
      char *nl = memchr (p, '\n', (gsize) (end - p));
      char *tab;
      VigilKafkaRecord r = { 0, };

      if (nl == NULL)
        nl = end;
      tab = memchr (p, '\t', (gsize) (nl - p));
      if (tab != NULL)
        {
          *tab = '\0';
          r.topic = p;
          r.offset = records->len;
          r.payload = tab + 1;
          r.len = (gsize) (nl - tab - 1);
          g_array_append_val (records, r);
        }
      p = nl + 1;
    }

  return records;
}

static gboolean
write_windows (const char  *path,
               GArray      *windows,
               GError     **error)
{
  g_autoptr(GString) csv = g_string_new ("sensor,start_us,end_us,count,avg,min,max,stddev,range\n");

  for (guint i = 0; i < windows->len; i++)
    {
      const VigilWindowStats *w = &g_array_index (windows, VigilWindowStats, i);

      g_string_append_printf (csv, "%s,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%"
                              G_GUINT64_FORMAT ",%.17g,%.17g,%.17g,%.17g,%.17g\n",
                              vigil_sensor_get_info ((VigilSensor) w->key)->name, w->start_us,
                              w->end_us, w->count, w->avg, w->min, w->max, w->stddev, w->range);
    }

  return g_file_set_contents (path, csv->str, (gssize) csv->len, error);
}

static int
run (const char *path,
     const char *parser_name,
     const char *windows_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GArray) records = NULL;
  g_autoptr(GArray) windows = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));
  g_autoptr(GArray) late = g_array_new (FALSE, FALSE, sizeof (VigilLateRecord));
  g_autoptr(VigilWindowOp) op = NULL;
  g_autoptr(VigilKafkaParser) reference = NULL;
  g_autoptr(VigilKafkaFastParser) fast = NULL;
  gboolean use_fast = g_strcmp0 (parser_name, "fast") == 0;
  VigilKafkaBatch batch;
  guint64 samples = 0, dead = 0, late_count = 0, fallbacks = 0;
  gint64 t0, t1;
  gsize len = 0;

  if (!use_fast && g_strcmp0 (parser_name, "reference") != 0)
    {
      g_printerr ("kafka-json-vigil: --parser is fast or reference\n");
      return 2;
    }
  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      g_printerr ("kafka-json-vigil: %s\n", error->message);
      return 1;
    }
  records = load_records (contents, len);
  vigil_kafka_batch_init (&batch);

  t0 = g_get_monotonic_time ();
  op = vigil_window_op_new (60 * VIGIL_USEC_PER_SEC, 10 * VIGIL_USEC_PER_SEC,
                            10 * VIGIL_USEC_PER_SEC, VIGIL_N_SENSORS, &error);
  g_assert_no_error (error);
  if (use_fast)
    fast = vigil_kafka_fast_parser_new ();
  else
    reference = vigil_kafka_parser_new ();

  for (guint first = 0; first < records->len; first += BATCH)
    {
      guint n = MIN (BATCH, records->len - first);
      const VigilKafkaRecord *r = &g_array_index (records, VigilKafkaRecord, first);

      vigil_kafka_batch_reset (&batch);
      if (use_fast)
        vigil_kafka_fast_parser_parse_batch (fast, r, n, &batch);
      else
        vigil_kafka_parser_parse_batch (reference, r, n, &batch);

      for (guint i = 0; i < batch.samples->len; i++)
        {
          const VigilKafkaSample *s = &g_array_index (batch.samples, VigilKafkaSample, i);

          vigil_window_op_push (op, s->sensor, s->time_us, s->value, windows, late);
        }
      samples += batch.samples->len;
      dead += batch.dead_letters->len;
    }
  vigil_window_op_flush (op, windows);
  t1 = g_get_monotonic_time ();

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    late_count += vigil_window_op_get_late_count (op, s);
  if (use_fast)
    fallbacks = vigil_kafka_fast_parser_get_fallbacks (fast);
  vigil_kafka_batch_clear (&batch);

  if (windows_path != NULL && !write_windows (windows_path, windows, &error))
    {
      g_printerr ("kafka-json-vigil: %s\n", error->message);
      return 1;
    }

  printf ("vigil: parser=%s messages=%u samples=%" G_GUINT64_FORMAT " dead=%" G_GUINT64_FORMAT
          " windows=%u late=%" G_GUINT64_FORMAT " fallbacks=%" G_GUINT64_FORMAT
          " seconds=%.3f messages_per_s=%.0f\n", parser_name, records->len, samples, dead,
          windows->len, late_count, fallbacks, (double) (t1 - t0) / 1e6,
          records->len / ((double) (t1 - t0) / 1e6));

  return 0;
}

/* Latency -------------------------------------------------------------------------------------- */

#define WATCH_INTERVAL_US 2000
#define GRACE_US (2 * G_USEC_PER_SEC)

typedef struct
{
  VigilSensor sensor;
  gint64      start_us;
  gint64      end_us;
  gint64      seen_us;     /* monotonic */
} SeenWindow;

typedef struct
{
  char        *db_path;
  atomic_bool  stop;
  GHashTable  *keys;       /* "SENSOR@start" */
  GArray      *windows;    /* SeenWindow, in the order they showed */
} Watcher;

/* Polls the consumer's windows table: a row shows once its transaction committed. */
static gpointer
watch_thread (gpointer data)
{
  Watcher *w = data;
  sqlite3 *db = NULL;

  while (!atomic_load (&w->stop))
    {
      sqlite3_stmt *stmt = NULL;

      if (db == NULL && g_file_test (w->db_path, G_FILE_TEST_EXISTS) &&
          sqlite3_open_v2 (w->db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        g_clear_pointer (&db, sqlite3_close);
      if (db != NULL &&
          sqlite3_prepare_v2 (db, "SELECT sensor, window_start, window_end FROM windows", -1,
                              &stmt, NULL) == SQLITE_OK)
        {
          gint64 now = g_get_monotonic_time ();

          while (sqlite3_step (stmt) == SQLITE_ROW)
            {
              const char *name = (const char *) sqlite3_column_text (stmt, 0);
              gint64 start = sqlite3_column_int64 (stmt, 1);
              g_autofree char *key = g_strdup_printf ("%s@%" G_GINT64_FORMAT, name, start);
              SeenWindow sw = { 0, start, sqlite3_column_int64 (stmt, 2), now };

              if (g_hash_table_contains (w->keys, key) || !vigil_sensor_from_name (name,
                                                                                  &sw.sensor))
                continue;
              g_hash_table_add (w->keys, g_steal_pointer (&key));
              g_array_append_val (w->windows, sw);
            }
        }
      sqlite3_finalize (stmt);
      g_usleep (WATCH_INTERVAL_US);
    }
  sqlite3_close (db);

  return NULL;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Nearest rank. */
static double
percentile_ms (GArray *sorted,
               double  p)
{
  guint rank;

  if (sorted->len == 0)
    return NAN;
  rank = (guint) ceil (p / 100 * sorted->len);
  return g_array_index (sorted, gint64, CLAMP (rank, 1, sorted->len) - 1) / 1000.0;
}

/* Waits for the Python consumer's "ready" (it has its partitions). */
static gboolean
wait_ready (GSubprocess  *python,
            GError      **error)
{
  g_autoptr(GDataInputStream) out =
    g_data_input_stream_new (g_subprocess_get_stdout_pipe (python));

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (out, NULL, NULL, error);

      if (line == NULL)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                         "the Python consumer ended before it was ready");
          return FALSE;
        }
      if (g_str_equal (line, "ready"))
        return TRUE;
    }
}

static int
latency (const char *path,
         double      seconds,
         double      rate,
         double      lateness_s,
         int         fetch_wait_ms,
         int         checkpoint_ms,
         const char *python_script)
{
  g_autofree char *fetch_wait = g_strdup_printf ("fetch.wait.max.ms=%d", fetch_wait_ms);
  const char *properties[] = { fetch_wait, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GArray) records = NULL;
  g_autoptr(VigilKafkaParser) parser = vigil_kafka_parser_new ();
  g_autoptr(VigilKafkaBroker) broker = NULL;
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilKafkaSource) source = NULL;
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_default ();
  g_autoptr(GSubprocess) python = NULL;
  g_autoptr(GArray) lat = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) close_lat = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *dir = NULL;
  gint64 *produced[VIGIL_N_SENSORS];
  guint n_slots[VIGIL_N_SENSORS];
  gint64 lateness_us = (gint64) (lateness_s * G_USEC_PER_SEC);
  Watcher watcher = { 0 };
  GThread *watch;
  rd_kafka_conf_t *conf;
  rd_kafka_t *rk;
  char errstr[512];
  gsize len;
  guint n;
  gint64 t0;

  if (!g_file_get_contents (path, &contents, &len, &error) ||
      (dir = g_dir_make_tmp ("vigil-latency-XXXXXX", &error)) == NULL)
    {
      g_printerr ("kafka-json-vigil: %s\n", error->message);
      return 1;
    }
  records = load_records (contents, len);
  n = (guint) MIN ((double) records->len, ceil (seconds * rate));
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      /* Sample slots of the time produced, by the index of their event time. */
      n_slots[s] = (guint) (ceil (seconds) + 1) * vigil_sensor_get_info (s)->rate_hz;
      produced[s] = g_new0 (gint64, n_slots[s]);
    }

  broker = vigil_kafka_broker_new (1, 0, 1, &error);
  if (broker == NULL)
    {
      g_printerr ("kafka-json-vigil: %s\n", error->message);
      return 1;
    }
  watcher.db_path = g_build_filename (dir, "windows.sqlite", NULL);
  watcher.keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  watcher.windows = g_array_new (FALSE, FALSE, sizeof (SeenWindow));

  if (python_script != NULL)
    {
      g_autofree char *lateness = g_strdup_printf ("%g", lateness_s);

      python = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "/usr/bin/python3",
                                 python_script, "--bootstrap",
                                 vigil_kafka_broker_get_bootstrap (broker), "--db",
                                 watcher.db_path, "--lateness", lateness, "--property",
                                 fetch_wait, NULL);
      if (python == NULL || !wait_ready (python, &error))
        {
          g_printerr ("kafka-json-vigil: %s\n", error->message);
          return 1;
        }
    }
  else
    {
      VigilKafkaConnection connection;
      VigilKafkaSourceOptions options;
      VigilKafkaSourceStats stats;
      gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

      store = vigil_store_open (watcher.db_path, &error);
      if (store == NULL)
        {
          g_printerr ("kafka-json-vigil: %s\n", error->message);
          return 1;
        }
      vigil_kafka_source_options_init (&options);
      options.group = "bench";
      options.start = VIGIL_KAFKA_START_EARLIEST;
      options.lateness_us = lateness_us;
      options.checkpoint_us = (gint64) checkpoint_ms * G_TIME_SPAN_MILLISECOND;
      options.properties = properties;
      vigil_kafka_connection_init (&connection, vigil_kafka_broker_get_bootstrap (broker));
      source = vigil_kafka_source_new (&connection, store, rules, &options);
      vigil_kafka_connection_clear (&connection);
      if (!vigil_kafka_source_start (source, &error))
        {
          g_printerr ("kafka-json-vigil: %s\n", error->message);
          return 1;
        }
      /* The 17 sample topics and the labels, assigned. */
      do
        {
          g_usleep (10000);
          vigil_kafka_source_get_stats (source, &stats);
        }
      while (stats.n_partitions < VIGIL_N_SENSORS + 1 && g_get_monotonic_time () < deadline);
    }

  conf = rd_kafka_conf_new ();
  rd_kafka_conf_set (conf, "bootstrap.servers", vigil_kafka_broker_get_bootstrap (broker),
                     errstr, sizeof errstr);
  rk = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == NULL)
    {
      g_printerr ("kafka-json-vigil: cannot make a Kafka producer: %s\n", errstr);
      return 1;
    }

  watch = g_thread_new ("watcher", watch_thread, &watcher);
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      const VigilKafkaRecord *r = &g_array_index (records, VigilKafkaRecord, i);
      gint64 due = t0 + (gint64) (i * (double) G_USEC_PER_SEC / rate);
      gint64 now = g_get_monotonic_time ();
      VigilKafkaMessage m;

      if (due > now)
        g_usleep ((gulong) (due - now));
      while (rd_kafka_producev (rk, RD_KAFKA_V_TOPIC (r->topic),
                                RD_KAFKA_V_VALUE ((void *) r->payload, r->len),
                                RD_KAFKA_V_MSGFLAGS (RD_KAFKA_MSG_F_COPY),
                                RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
        rd_kafka_poll (rk, 10);
      now = g_get_monotonic_time ();
      rd_kafka_poll (rk, 0);

      if (vigil_kafka_parser_parse (parser, r->topic, 0, i, r->payload, r->len, &m) ==
          VIGIL_KAFKA_SAMPLE)
        {
          gint64 dt = VIGIL_USEC_PER_SEC / vigil_sensor_get_info (m.sample.sensor)->rate_hz;
          gint64 slot = (m.sample.time_us - VIGIL_DEFAULT_START_US) / dt;

          if (slot >= 0 && slot < n_slots[m.sample.sensor])
            produced[m.sample.sensor][slot] = now;
        }
    }
  rd_kafka_flush (rk, 10000);
  g_usleep (GRACE_US);
  atomic_store (&watcher.stop, TRUE);
  g_thread_join (watch);
  rd_kafka_destroy (rk);

  if (python != NULL)
    {
      g_subprocess_send_signal (python, SIGTERM);
      g_subprocess_wait (python, NULL, NULL);
    }
  else
    {
      vigil_kafka_source_stop (source);
      vigil_kafka_source_wait (source, NULL);
      vigil_store_close (store, NULL);
    }

  for (guint i = 0; i < watcher.windows->len; i++)
    {
      const SeenWindow *w = &g_array_index (watcher.windows, SeenWindow, i);
      gint64 dt = VIGIL_USEC_PER_SEC / vigil_sensor_get_info (w->sensor)->rate_hz;
      gint64 last = (w->end_us - VIGIL_DEFAULT_START_US) / dt - 1;
      gint64 closer = (w->end_us + lateness_us - VIGIL_DEFAULT_START_US + dt - 1) / dt;
      gint64 value;

      /* Only windows that a produced record closed. */
      if (last < 0 || closer >= n_slots[w->sensor] || produced[w->sensor][closer] == 0 ||
          produced[w->sensor][last] == 0)
        continue;
      value = w->seen_us - produced[w->sensor][last];
      g_array_append_val (lat, value);
      value = w->seen_us - produced[w->sensor][closer];
      g_array_append_val (close_lat, value);
    }
  g_array_sort (lat, compare_gint64);
  g_array_sort (close_lat, compare_gint64);
  g_print ("latency: consumer=%s checkpoint_ms=%d fetch_wait_ms=%d windows=%u p50_ms=%.1f "
           "p99_ms=%.1f max_ms=%.1f "
           "close_p50_ms=%.1f close_p99_ms=%.1f messages=%u seconds=%.1f\n",
           python != NULL ? "python" : "vigil", python != NULL ? 0 : checkpoint_ms,
           fetch_wait_ms, lat->len, percentile_ms (lat, 50),
           percentile_ms (lat, 99), percentile_ms (lat, 100), percentile_ms (close_lat, 50),
           percentile_ms (close_lat, 99), n, n / rate);

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    g_free (produced[s]);
  g_hash_table_destroy (watcher.keys);
  g_array_unref (watcher.windows);
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);

        g_unlink (file);
      }
    g_rmdir (dir);
  }
  g_free (watcher.db_path);

  return lat->len > 0 ? 0 : 1;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("generate|run|latency FILE");
  g_autoptr(GError) error = NULL;
  g_autofree char *parser_name = NULL;
  g_autofree char *windows_path = NULL;
  g_autofree char *python_script = NULL;
  int cycles = 60;
  gint64 seed = 1;
  double seconds = 90, rate = 728, lateness = 0;
  int fetch_wait_ms = 10, checkpoint_ms = 250;
  const GOptionEntry entries[] = {
    { "fetch-wait-ms", 0, 0, G_OPTION_ARG_INT, &fetch_wait_ms,
      "latency: both consumers' fetch.wait.max.ms (10)", "W" },
    { "checkpoint-ms", 0, 0, G_OPTION_ARG_INT, &checkpoint_ms,
      "latency: Vigil's store transaction interval (250)", "C" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "latency: seconds to produce (90)", "N" },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate, "latency: messages a second (728)", "R" },
    { "lateness", 0, 0, G_OPTION_ARG_DOUBLE, &lateness,
      "latency: allowed lateness of the consumer's windows, seconds (0)", "S" },
    { "python", 0, 0, G_OPTION_ARG_FILENAME, &python_script,
      "latency: the Python consumer to measure instead of Vigil", "SCRIPT" },
    { "cycles", 0, 0, G_OPTION_ARG_INT, &cycles, "Cycles to generate (default 60)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the generated rig (default 1)", "S" },
    { "parser", 0, 0, G_OPTION_ARG_STRING, &parser_name, "fast or reference", "P" },
    { "windows", 0, 0, G_OPTION_ARG_FILENAME, &windows_path, "Write the windows here", "CSV" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, "Kafka-format JSON through parse + windows "
                                "(bench/kafka-json).");
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 3 || cycles < 1 ||
      seed < 0)
    {
      g_printerr ("kafka-json-vigil: %s\n", error != NULL ? error->message
                  : "usage: kafka-json-vigil generate|run|latency FILE [options]");
      return 2;
    }

  if (g_str_equal (argv[1], "generate"))
    {
      if (!generate (argv[2], (guint) cycles, (guint64) seed, &error))
        {
          g_printerr ("kafka-json-vigil: %s\n", error->message);
          return 1;
        }
      return 0;
    }
  if (g_str_equal (argv[1], "run"))
    return run (argv[2], parser_name, windows_path);
  if (g_str_equal (argv[1], "latency"))
    {
      if (!(seconds > 0 && rate > 0 && lateness >= 0) || fetch_wait_ms < 0 || checkpoint_ms < 1)
        {
          g_printerr ("kafka-json-vigil: --seconds, --rate and --checkpoint-ms must be positive"
                      "\n");
          return 2;
        }
      return latency (argv[2], seconds, rate, lateness, fetch_wait_ms, checkpoint_ms,
                      python_script);
    }

  g_printerr ("kafka-json-vigil: the command is generate, run or latency, not “%s”\n", argv[1]);
  return 2;
}
