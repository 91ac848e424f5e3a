/* test-kafka-produce.c
 *
 * The producing half of Kafka on the local broker (librdkafka's mock cluster, on loopback):
 * hydraulic datasets and camera frames published by the producer and read back with a plain
 * librdkafka consumer, the analytics publisher alone and behind `replay --publish` and
 * `consume --publish` (every window published is a stored row, none missing, none twice),
 * `vigil-cli broker` as a subprocess and the usage errors of `broker` and `produce`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <librdkafka/rdkafka.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "vigil-hydraulic-generator.h"
#include "vigil-kafka-broker.h"
#include "vigil-kafka-message.h"
#include "vigil-kafka-producer.h"
#include "vigil-kafka-publish.h"
#include "vigil-sensor.h"
#include "vigil-test-cli.h"
#include "vigil-test-gstreamer.h"
#include "vigil-test-sqlite.h"
#include "vigil-test-util.h"
#include "vigil-time.h"

/* 2025-12-28T14:56:20.123456Z: a start that is not on a whole second. */
#define START_US G_GINT64_CONSTANT (1766933780123456)

typedef struct
{
  char   *topic;
  gint32  partition;
  char   *key;
  GBytes *value;
} Record;

static void
record_free (gpointer data)
{
  Record *r = data;

  g_free (r->topic);
  g_free (r->key);
  g_bytes_unref (r->value);
  g_free (r);
}

/* Every record of @topics, from the beginning of each partition to its end. */
static GPtrArray *
read_topics (const char         *bootstrap,
             const char * const *topics)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (record_free);
  rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new (16);
  rd_kafka_conf_t *conf = rd_kafka_conf_new ();
  gint64 expected = 0;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  char errstr[512];
  rd_kafka_t *rk;

  g_assert_cmpint (rd_kafka_conf_set (conf, "bootstrap.servers", bootstrap, errstr,
                                      sizeof errstr), ==, RD_KAFKA_CONF_OK);
  g_assert_cmpint (rd_kafka_conf_set (conf, "group.id", "test-kafka-produce", errstr,
                                      sizeof errstr), ==, RD_KAFKA_CONF_OK);
  g_assert_cmpint (rd_kafka_conf_set (conf, "enable.auto.commit", "false", errstr,
                                      sizeof errstr), ==, RD_KAFKA_CONF_OK);
  rk = rd_kafka_new (RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  g_assert_nonnull (rk);

  for (guint t = 0; topics[t] != NULL; t++)
    {
      const struct rd_kafka_metadata *metadata = NULL;
      rd_kafka_topic_t *topic = rd_kafka_topic_new (rk, topics[t], NULL);

      g_assert_cmpint (rd_kafka_metadata (rk, 0, topic, &metadata, 10000), ==,
                       RD_KAFKA_RESP_ERR_NO_ERROR);
      g_assert_cmpint (metadata->topic_cnt, ==, 1);
      g_assert_cmpint (metadata->topics[0].err, ==, RD_KAFKA_RESP_ERR_NO_ERROR);
      for (int p = 0; p < metadata->topics[0].partition_cnt; p++)
        {
          int64_t low = 0, high = 0;

          g_assert_cmpint (rd_kafka_query_watermark_offsets (rk, topics[t], p, &low, &high,
                                                             10000), ==,
                           RD_KAFKA_RESP_ERR_NO_ERROR);
          /* The broker kept everything (nothing fell out of its 5 MiB). */
          g_assert_cmpint (low, ==, 0);
          expected += high;
          rd_kafka_topic_partition_list_add (assignment, topics[t], p)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
        }
      rd_kafka_metadata_destroy (metadata);
      rd_kafka_topic_destroy (topic);
    }

  g_assert_cmpint (rd_kafka_assign (rk, assignment), ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  while ((gint64) records->len < expected)
    {
      rd_kafka_message_t *m = rd_kafka_consumer_poll (rk, 200);
      Record *r;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (m == NULL)
        continue;
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
        {
          rd_kafka_message_destroy (m);
          continue;
        }
      g_assert_cmpint (m->err, ==, RD_KAFKA_RESP_ERR_NO_ERROR);
      r = g_new0 (Record, 1);
      r->topic = g_strdup (rd_kafka_topic_name (m->rkt));
      r->partition = m->partition;
      r->key = g_strndup (m->key, m->key_len);
      r->value = g_bytes_new (m->payload, m->len);
      g_ptr_array_add (records, r);
      rd_kafka_message_destroy (m);
    }

  rd_kafka_topic_partition_list_destroy (assignment);
  rd_kafka_consumer_close (rk);
  rd_kafka_destroy (rk);
  return g_steal_pointer (&records);
}

/* The rows of a dataset file, read here with plain string functions (not the engine's
 * reader). */
static GPtrArray *
read_rows (const char *dir,
           const char *file)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      GArray *row;

      if (lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], "\t", -1);
      row = g_array_new (FALSE, FALSE, sizeof (double));
      for (guint j = 0; fields[j] != NULL; j++)
        {
          double v = g_ascii_strtod (fields[j], NULL);

          g_array_append_val (row, v);
        }
      g_ptr_array_add (rows, row);
    }
  return rows;
}

static char *
make_rig (guint cycles)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("vigil-produce-XXXXXX", &error);

  g_assert_no_error (error);
  g_assert_true (vigil_hydraulic_generate (dir, cycles, 7, NULL, &error));
  g_assert_no_error (error);
  return dir;
}

/* Checks every record of a hydraulic run against the files. */
static void
check_hydraulic (const char *dir,
                 GPtrArray  *records,
                 guint       cycles,
                 guint32     sensors,
                 const char *rig,
                 gboolean    rig_in_topic)
{
  g_autoptr(VigilKafkaParser) parser = vigil_kafka_parser_new ();
  g_autoptr(GPtrArray) profile = read_rows (dir, "profile.txt");
  GPtrArray *rows[VIGIL_N_SENSORS] = { NULL };
  guint8 *seen[VIGIL_N_SENSORS] = { NULL };
  guint counts[VIGIL_N_SENSORS] = { 0 };
  gboolean label_seen[16] = { FALSE };
  guint n_labels = 0;

  g_assert_cmpuint (cycles, <=, G_N_ELEMENTS (label_seen));
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    if (sensors & (1u << s))
      {
        g_autofree char *file = g_strconcat (vigil_sensor_get_info (s)->name, ".txt", NULL);

        rows[s] = read_rows (dir, file);
        g_assert_cmpuint (rows[s]->len, ==, cycles);
        seen[s] = g_new0 (guint8, cycles * vigil_sensor_get_info (s)->rate_hz * 60);
      }

  for (guint i = 0; i < records->len; i++)
    {
      const Record *r = g_ptr_array_index (records, i);
      g_autofree char *expected_topic = NULL;
      VigilKafkaMessage m;
      gsize len;
      const char *payload = g_bytes_get_data (r->value, &len);

      g_assert_cmpint (vigil_kafka_parser_parse (parser, r->topic, r->partition, 0, payload,
                                                 len, &m), !=, VIGIL_KAFKA_INVALID);
      if (m.kind == VIGIL_KAFKA_SAMPLE)
        {
          const VigilKafkaSample *s = &m.sample;
          guint rate = vigil_sensor_get_info (s->sensor)->rate_hz;
          const GArray *row;

          g_assert_true (sensors & (1u << s->sensor));
          g_assert_cmpuint (s->cycle, <, cycles);
          g_assert_cmpuint (s->sample_idx, <, rate * 60);
          g_assert_cmpuint (s->sampling_rate_hz, ==, rate);
          row = g_ptr_array_index (rows[s->sensor], s->cycle);
          g_assert_cmpfloat (s->value, ==, g_array_index (row, double, s->sample_idx));
          g_assert_cmpint (s->time_us, ==, START_US + (gint64) s->cycle * 60000000
                                           + (gint64) s->sample_idx * (1000000 / rate));
          g_assert_cmpstr (s->rig, ==, rig != NULL ? rig : "");
          expected_topic = rig != NULL && rig_in_topic
                           ? g_strdup_printf ("%s.hydraulic-%s", rig,
                                              vigil_sensor_get_info (s->sensor)->name)
                           : g_strdup_printf ("hydraulic-%s",
                                              vigil_sensor_get_info (s->sensor)->name);
          g_assert_cmpstr (r->topic, ==, expected_topic);
          g_assert_cmpstr (r->key, ==, rig != NULL ? rig : vigil_sensor_get_info (s->sensor)->name);
          g_assert_cmpuint (seen[s->sensor][s->cycle * rate * 60 + s->sample_idx]++, ==, 0);
          counts[s->sensor]++;
        }
      else
        {
          const VigilCycleLabel *l = &m.label.label;
          const GArray *row;

          g_assert_cmpint (m.kind, ==, VIGIL_KAFKA_LABEL);
          g_assert_cmpuint (l->cycle, <, cycles);
          g_assert_false (label_seen[l->cycle]);
          label_seen[l->cycle] = TRUE;
          row = g_ptr_array_index (profile, l->cycle);
          g_assert_cmpuint (row->len, ==, 5);
          g_assert_cmpint (l->cooler, ==, (int) g_array_index (row, double, 0));
          g_assert_cmpint (l->valve, ==, (int) g_array_index (row, double, 1));
          g_assert_cmpint (l->pump, ==, (int) g_array_index (row, double, 2));
          g_assert_cmpint (l->accumulator, ==, (int) g_array_index (row, double, 3));
          g_assert_cmpint (l->stable, ==, (int) g_array_index (row, double, 4));
          g_assert_cmpint (l->start_us, ==, START_US + (gint64) l->cycle * 60000000);
          g_assert_cmpstr (m.label.rig, ==, rig != NULL ? rig : "");
          g_assert_cmpstr (r->key, ==, rig != NULL ? rig : "labels");
          n_labels++;
        }
    }

  g_assert_cmpuint (n_labels, ==, cycles);
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      g_assert_cmpuint (counts[s], ==,
                        sensors & (1u << s) ? cycles * vigil_sensor_get_info (s)->rate_hz * 60 : 0);
      g_clear_pointer (&rows[s], g_ptr_array_unref);
      g_free (seen[s]);
    }
}

static const char *const all_hydraulic_topics[] = {
  "hydraulic-PS1", "hydraulic-PS2", "hydraulic-PS3", "hydraulic-PS4", "hydraulic-PS5",
  "hydraulic-PS6", "hydraulic-EPS1", "hydraulic-FS1", "hydraulic-FS2", "hydraulic-TS1",
  "hydraulic-TS2", "hydraulic-TS3", "hydraulic-TS4", "hydraulic-VS1", "hydraulic-CE",
  "hydraulic-CP", "hydraulic-SE", "hydraulic-labels", NULL
};

static VigilKafkaProducer *
new_producer (const char *bootstrap)
{
  g_autoptr(GError) error = NULL;
  VigilKafkaConnection connection;
  VigilKafkaProducer *producer;

  vigil_kafka_connection_init (&connection, bootstrap);
  producer = vigil_kafka_producer_new (&connection, &error);
  g_assert_no_error (error);
  vigil_kafka_connection_clear (&connection);
  return producer;
}

static void
test_hydraulic (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_rig (2);
  g_autoptr(VigilKafkaBroker) broker = vigil_kafka_broker_new (1, 0, 3, &error);
  g_autoptr(VigilKafkaProducer) producer = NULL;
  g_autoptr(GPtrArray) records = NULL;
  VigilKafkaHydraulicOptions options;
  VigilKafkaProducerStats stats;

  g_assert_no_error (error);
  producer = new_producer (vigil_kafka_broker_get_bootstrap (broker));
  vigil_kafka_hydraulic_options_init (&options);
  options.start_us = START_US;
  g_assert_true (vigil_kafka_producer_send_hydraulic (producer, dir, &options, NULL, &error));
  g_assert_no_error (error);

  vigil_kafka_producer_get_stats (producer, &stats);
  g_assert_cmpuint (stats.queued, ==, 2 * VIGIL_SAMPLES_PER_CYCLE + 2);
  g_assert_cmpuint (stats.delivered, ==, 2 * VIGIL_SAMPLES_PER_CYCLE + 2);
  g_assert_cmpuint (stats.errors, ==, 0);
  g_assert_cmpuint (stats.purged, ==, 0);
  g_assert_cmpuint (stats.bytes, >, stats.delivered * 100);

  records = read_topics (vigil_kafka_broker_get_bootstrap (broker), all_hydraulic_topics);
  g_assert_cmpuint (records->len, ==, 2 * VIGIL_SAMPLES_PER_CYCLE + 2);
  check_hydraulic (dir, records, 2, (1u << VIGIL_N_SENSORS) - 1, NULL, FALSE);

  /* Keyed by sensor: each topic's records are on one partition. */
  for (guint i = 1; i < records->len; i++)
    {
      const Record *a = g_ptr_array_index (records, i - 1);
      const Record *b = g_ptr_array_index (records, i);

      if (strcmp (a->topic, b->topic) == 0)
        g_assert_cmpint (a->partition, ==, b->partition);
    }

  vigil_test_remove_tree (dir);
}

/* Leaves FS1, TS1 and profile.txt: a small rig. */
static void
keep_few_sensors (const char *dir)
{
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    if (s != VIGIL_SENSOR_FS1 && s != VIGIL_SENSOR_TS1)
      {
        g_autofree char *file = g_strconcat (vigil_sensor_get_info (s)->name, ".txt", NULL);
        g_autofree char *path = g_build_filename (dir, file, NULL);

        g_assert_cmpint (g_remove (path), ==, 0);
      }
}

static void
test_rig (gconstpointer data)
{
  gboolean in_message = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_rig (2);
  g_autoptr(VigilKafkaBroker) broker = vigil_kafka_broker_new (1, 0, 1, &error);
  g_autoptr(VigilKafkaProducer) producer = NULL;
  g_autoptr(GPtrArray) records = NULL;
  const char *const prefixed[] = { "rig-a.hydraulic-FS1", "rig-a.hydraulic-TS1",
                                   "rig-a.hydraulic-labels", NULL };
  const char *const plain[] = { "hydraulic-FS1", "hydraulic-TS1", "hydraulic-labels", NULL };
  VigilKafkaHydraulicOptions options;

  g_assert_no_error (error);
  keep_few_sensors (dir);
  producer = new_producer (vigil_kafka_broker_get_bootstrap (broker));
  vigil_kafka_hydraulic_options_init (&options);
  options.start_us = START_US;
  options.rig = "rig-a";
  options.rig_in_message = in_message;
  g_assert_true (vigil_kafka_producer_send_hydraulic (producer, dir, &options, NULL, &error));
  g_assert_no_error (error);

  records = read_topics (vigil_kafka_broker_get_bootstrap (broker), in_message ? plain : prefixed);
  g_assert_cmpuint (records->len, ==, 2 * (600 + 60 + 1));
  check_hydraulic (dir, records, 2, (1u << VIGIL_SENSOR_FS1) | (1u << VIGIL_SENSOR_TS1),
                   "rig-a", !in_message);
  vigil_test_remove_tree (dir);
}

typedef struct
{
  VigilKafkaProducer *producer;
  GCancellable       *cancellable;
} CancelData;

static gpointer
cancel_after_first (gpointer data)
{
  CancelData *cd = data;
  VigilKafkaProducerStats stats;

  do
    {
      g_usleep (1000);
      vigil_kafka_producer_get_stats (cd->producer, &stats);
    }
  while (stats.delivered == 0);
  g_cancellable_cancel (cd->cancellable);
  return NULL;
}

/* A run in real time (a minute a cycle) stops at once when cancelled. */
static void
test_cancel (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_rig (1);
  g_autoptr(VigilKafkaBroker) broker = vigil_kafka_broker_new (1, 0, 1, &error);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  VigilKafkaHydraulicOptions options;
  VigilKafkaProducerStats stats;
  CancelData cd;
  GThread *thread;

  g_assert_no_error (error);
  cd.producer = new_producer (vigil_kafka_broker_get_bootstrap (broker));
  cd.cancellable = cancellable;
  vigil_kafka_hydraulic_options_init (&options);
  options.speed = 1;
  thread = g_thread_new ("cancel", cancel_after_first, &cd);
  g_assert_false (vigil_kafka_producer_send_hydraulic (cd.producer, dir, &options, cancellable,
                                                       &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_thread_join (thread);

  vigil_kafka_producer_get_stats (cd.producer, &stats);
  g_assert_cmpuint (stats.delivered, >, 0);
  g_assert_cmpuint (stats.delivered, <, VIGIL_SAMPLES_PER_CYCLE);
  g_assert_cmpuint (stats.delivered + stats.purged + stats.errors, ==, stats.queued);
  vigil_kafka_producer_free (cd.producer);
  vigil_test_remove_tree (dir);
}

static void
test_camera_partition (void)
{
  gint32 p = -1;

  g_assert_true (vigil_kafka_camera_partition ("cam_03", &p));
  g_assert_cmpint (p, ==, 2);
  g_assert_true (vigil_kafka_camera_partition ("cam_10", &p));
  g_assert_cmpint (p, ==, 9);
  g_assert_true (vigil_kafka_camera_partition ("cam_11", &p));
  g_assert_cmpint (p, ==, 0);
  g_assert_true (vigil_kafka_camera_partition ("7", &p));
  g_assert_cmpint (p, ==, 6);
  g_assert_false (vigil_kafka_camera_partition ("cam", &p));
  g_assert_false (vigil_kafka_camera_partition ("cam_0", &p));
  g_assert_false (vigil_kafka_camera_partition ("", &p));
}

static void
write_image (const char *path,
             const char *encoder,
             int         pattern)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;

  description = g_strdup_printf ("videotestsrc num-buffers=1 pattern=%d ! "
                                 "video/x-raw,format=RGB,width=64,height=48 ! videoconvert ! "
                                 "%s ! filesink location=\"%s\"", pattern, encoder, path);
  pipeline = gst_parse_launch (description, &error);
  g_assert_no_error (error);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  bus = gst_element_get_bus (pipeline);
  message = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  g_assert_cmpint (GST_MESSAGE_TYPE (message), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

static void
test_traffic (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vigil-produce-XXXXXX", &error);
  g_autofree char *frames = g_build_filename (dir, "frames", NULL);
  g_autofree char *csv = g_build_filename (dir, "detections.csv", NULL);
  /* In the order of their numbers: 1, 2, 10 (the strings sort 1, 10, 2). */
  const char *names[] = { "in1.jpg", "in2.png", "in10.jpg" };
  const char *encoders[] = { "jpegenc", "pngenc", "jpegenc" };
  const char *const topics[] = { "traffic_data", NULL };
  g_autoptr(VigilKafkaBroker) broker = NULL;
  g_autoptr(VigilKafkaProducer) producer = NULL;
  g_autoptr(VigilKafkaParser) parser = vigil_kafka_parser_new ();
  g_autoptr(GPtrArray) records = NULL;
  VigilKafkaTrafficOptions options;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (frames, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (frames, names[i], NULL);

      write_image (path, encoders[i], (int) i);
    }
  /* A stray file without a number is left out. */
  {
    g_autofree char *path = g_build_filename (frames, "notes.png", NULL);

    g_assert_true (g_file_set_contents (path, "x", 1, NULL));
  }
  g_assert_true (g_file_set_contents (csv,
    "camera,frame,timestamp,track_id,class,x,y,w,h\n"
    "cam_13,0,2025-01-01T00:00:00.000,4,car,16,12,32,24\n"
    "cam_13,0,2025-01-01T00:00:00.000,5,3,48,0,32,24\n"
    "cam_07,1,2025-01-01T00:00:00.200,6,bus,0,0,10,10\n"
    "cam_13,2,2025-01-01T00:00:00.400,7,motorcycle,0,24,16,24\n", -1, NULL));

  broker = vigil_kafka_broker_new (1, 0, 1, &error);
  g_assert_no_error (error);
  producer = new_producer (vigil_kafka_broker_get_bootstrap (broker));
  vigil_kafka_traffic_options_init (&options);
  options.camera_id = "cam_13";
  options.fps = 5;
  options.speed = 0;
  options.start_us = START_US;
  options.detections = csv;
  g_assert_true (vigil_kafka_producer_send_traffic (producer, frames, &options, NULL, &error));
  g_assert_no_error (error);

  records = read_topics (vigil_kafka_broker_get_bootstrap (broker), topics);
  g_assert_cmpuint (records->len, ==, 3);
  for (guint i = 0; i < records->len; i++)
    {
      const Record *r = g_ptr_array_index (records, i);
      g_autofree char *path = g_build_filename (frames, names[i], NULL);
      g_autofree char *file = NULL;
      g_autofree guchar *image = NULL;
      gsize file_len, image_len, len;
      const char *payload = g_bytes_get_data (r->value, &len);
      VigilKafkaMessage m;

      g_assert_cmpint (r->partition, ==, 2);
      g_assert_cmpstr (r->key, ==, "cam_13");
      g_assert_cmpint (vigil_kafka_parser_parse (parser, r->topic, r->partition, i, payload, len,
                                                 &m), ==, VIGIL_KAFKA_TRAFFIC);
      g_assert_cmpstr (m.traffic.camera_id, ==, "cam_13");
      /* Milliseconds, as the seed's: the start's 123.456 ms becomes 123 ms. */
      g_assert_cmpint (m.traffic.time_us, ==, START_US - 456 + (gint64) i * 200000);
      g_assert_nonnull (m.traffic.image_id);
      g_assert_cmpint (atoi (m.traffic.image_id), ==, (int) i);

      image = vigil_kafka_decode_image (m.traffic.image, m.traffic.image_len, &image_len, &error);
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (path, &file, &file_len, NULL));
      if (g_str_has_suffix (names[i], ".jpg"))
        g_assert_cmpmem (image, image_len, file, file_len);
      else
        {
          g_assert_cmpuint (image_len, >, 3);
          g_assert_cmpint (image[0], ==, 0xFF);
          g_assert_cmpint (image[1], ==, 0xD8);
        }

      if (i == 0)
        {
          g_assert_cmpuint (m.traffic.n_objects, ==, 2);
          g_assert_cmpint (m.traffic.objects[0].class_id, ==, 1);
          g_assert_true (m.traffic.objects[0].has_bbox);
          g_assert_cmpfloat (m.traffic.objects[0].bbox[0], ==, 0.5);
          g_assert_cmpfloat (m.traffic.objects[0].bbox[1], ==, 0.5);
          g_assert_cmpfloat (m.traffic.objects[0].bbox[2], ==, 0.5);
          g_assert_cmpfloat (m.traffic.objects[0].bbox[3], ==, 0.5);
          /* Cut at the right edge: x 48-64 of 64, y 0-24 of 48. */
          g_assert_cmpint (m.traffic.objects[1].class_id, ==, 3);
          g_assert_cmpfloat (m.traffic.objects[1].bbox[0], ==, 0.875);
          g_assert_cmpfloat (m.traffic.objects[1].bbox[1], ==, 0.25);
          g_assert_cmpfloat (m.traffic.objects[1].bbox[2], ==, 0.25);
          g_assert_cmpfloat (m.traffic.objects[1].bbox[3], ==, 0.5);
        }
      else if (i == 1)
        g_assert_cmpuint (m.traffic.n_objects, ==, 0);
      else
        {
          g_assert_cmpuint (m.traffic.n_objects, ==, 1);
          g_assert_cmpint (m.traffic.objects[0].class_id, ==, 0);
          g_assert_cmpfloat (m.traffic.objects[0].bbox[0], ==, 0.125);
          g_assert_cmpfloat (m.traffic.objects[0].bbox[1], ==, 0.75);
          g_assert_cmpfloat (m.traffic.objects[0].bbox[2], ==, 0.25);
          g_assert_cmpfloat (m.traffic.objects[0].bbox[3], ==, 0.5);
        }
    }

  vigil_test_remove_tree (dir);
}

/* A video file: every frame re-encoded to JPEG, in order. */
static void
test_traffic_video (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vigil-produce-XXXXXX", &error);
  g_autofree char *video = g_build_filename (dir, "clip.avi", NULL);
  g_autofree char *description = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;
  g_autoptr(VigilKafkaBroker) broker = NULL;
  g_autoptr(VigilKafkaProducer) producer = NULL;
  g_autoptr(VigilKafkaParser) parser = vigil_kafka_parser_new ();
  g_autoptr(GPtrArray) records = NULL;
  const char *const topics[] = { "traffic_data", NULL };
  VigilKafkaTrafficOptions options;

  g_assert_no_error (error);
  description = g_strdup_printf ("videotestsrc num-buffers=5 ! "
                                 "video/x-raw,width=64,height=48,framerate=5/1 ! jpegenc ! "
                                 "avimux ! filesink location=\"%s\"", video);
  pipeline = gst_parse_launch (description, &error);
  g_assert_no_error (error);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  bus = gst_element_get_bus (pipeline);
  message = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  g_assert_cmpint (GST_MESSAGE_TYPE (message), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  broker = vigil_kafka_broker_new (1, 0, 1, &error);
  g_assert_no_error (error);
  producer = new_producer (vigil_kafka_broker_get_bootstrap (broker));
  vigil_kafka_traffic_options_init (&options);
  options.camera_id = "cam_1";
  options.speed = 0;
  options.start_us = START_US;
  g_assert_true (vigil_kafka_producer_send_traffic (producer, video, &options, NULL, &error));
  g_assert_no_error (error);

  records = read_topics (vigil_kafka_broker_get_bootstrap (broker), topics);
  g_assert_cmpuint (records->len, ==, 5);
  for (guint i = 0; i < records->len; i++)
    {
      const Record *r = g_ptr_array_index (records, i);
      g_autofree guchar *image = NULL;
      gsize image_len, len;
      const char *payload = g_bytes_get_data (r->value, &len);
      VigilKafkaMessage m;

      g_assert_cmpint (r->partition, ==, 0);
      g_assert_cmpstr (r->key, ==, "cam_1");
      g_assert_cmpint (vigil_kafka_parser_parse (parser, r->topic, r->partition, i, payload, len,
                                                 &m), ==, VIGIL_KAFKA_TRAFFIC);
      g_assert_cmpint (atoi (m.traffic.image_id), ==, (int) i);
      /* The default 10 frames per second. */
      g_assert_cmpint (m.traffic.time_us, ==, START_US - 456 + (gint64) i * 100000);
      g_assert_cmpuint (m.traffic.n_objects, ==, 0);
      image = vigil_kafka_decode_image (m.traffic.image, m.traffic.image_len, &image_len, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (image_len, >, 3);
      g_assert_cmpint (image[0], ==, 0xFF);
      g_assert_cmpint (image[1], ==, 0xD8);
    }

  /* Not a video. */
  g_assert_true (g_file_set_contents (video, "not a video", -1, NULL));
  g_assert_false (vigil_kafka_producer_send_traffic (producer, video, &options, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  vigil_test_remove_tree (dir);
}

static void
test_publish (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilKafkaBroker) broker = vigil_kafka_broker_new (1, 0, 2, &error);
  g_autoptr(VigilKafkaPublisher) publisher = NULL;
  g_autoptr(VigilKafkaParser) parser = vigil_kafka_parser_new ();
  g_autoptr(GPtrArray) records = NULL;
  const char *const topics[] = { "hydraulic-analytics", NULL };
  const VigilWindowStats windows[] = {
    { VIGIL_SENSOR_PS1, START_US, START_US + 60000000, 6000, 151.25, 140.0, 190.5,
      3.14159265358979, 50.5 },
    { VIGIL_KEY_COMPONENT, START_US, START_US + 60000000, 1, 1, 1, 1, NAN, 0 },
    { VIGIL_SENSOR_SE, START_US + 10000000, START_US + 70000000, 1, 60.1, 60.1, 60.1, NAN, 0 },
  };
  VigilKafkaConnection connection;
  VigilKafkaPublishStats stats;

  g_assert_no_error (error);
  vigil_kafka_connection_init (&connection, vigil_kafka_broker_get_bootstrap (broker));
  publisher = vigil_kafka_publisher_new (&connection, NULL, &error);
  g_assert_no_error (error);
  vigil_kafka_connection_clear (&connection);

  vigil_kafka_publisher_add_windows (publisher, windows, G_N_ELEMENTS (windows));
  g_assert_true (vigil_kafka_publisher_flush (publisher, 30000, &error));
  g_assert_no_error (error);
  vigil_kafka_publisher_get_stats (publisher, &stats);
  g_assert_cmpuint (stats.queued, ==, 2);
  g_assert_cmpuint (stats.delivered, ==, 2);
  g_assert_cmpuint (stats.skipped, ==, 1);
  g_assert_cmpuint (stats.dropped, ==, 0);
  g_assert_cmpuint (stats.errors, ==, 0);

  records = read_topics (vigil_kafka_broker_get_bootstrap (broker), topics);
  g_assert_cmpuint (records->len, ==, 2);
  for (guint i = 0; i < records->len; i++)
    {
      const Record *r = g_ptr_array_index (records, i);
      gsize len;
      const char *payload = g_bytes_get_data (r->value, &len);
      const VigilWindowStats *w;
      VigilKafkaMessage m;

      g_assert_cmpint (vigil_kafka_parser_parse (parser, r->topic, r->partition, i, payload, len,
                                                 &m), ==, VIGIL_KAFKA_ANALYTICS);
      w = m.analytics.stats.key == VIGIL_SENSOR_PS1 ? &windows[0] : &windows[2];
      g_assert_cmpstr (r->key, ==, vigil_sensor_get_info (w->key)->name);
      g_assert_cmpuint (m.analytics.stats.key, ==, w->key);
      g_assert_cmpint (m.analytics.stats.start_us, ==, w->start_us);
      g_assert_cmpint (m.analytics.stats.end_us, ==, w->end_us);
      g_assert_cmpuint (m.analytics.stats.count, ==, w->count);
      g_assert_cmpfloat (m.analytics.stats.avg, ==, w->avg);
      g_assert_cmpfloat (m.analytics.stats.min, ==, w->min);
      g_assert_cmpfloat (m.analytics.stats.max, ==, w->max);
      g_assert_cmpfloat (m.analytics.stats.range, ==, w->range);
      if (isnan (w->stddev))
        g_assert_true (isnan (m.analytics.stats.stddev));
      else
        g_assert_cmpfloat (m.analytics.stats.stddev, ==, w->stddev);
    }

  /* Not an analytics topic. */
  vigil_kafka_connection_init (&connection, vigil_kafka_broker_get_bootstrap (broker));
  g_assert_null (vigil_kafka_publisher_new (&connection, "hydraulic-PS1", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  vigil_kafka_connection_clear (&connection);
}

/* Every record on hydraulic-analytics is a window row of @db, field for field, and there are
 * as many records as rows: none left out, none twice. @rig is the "rig" each record names. */
static void
check_published (const char *bootstrap,
                 const char *db_path,
                 const char *rig,
                 guint       expected)
{
  const char *const topics[] = { "hydraulic-analytics", NULL };
  g_autoptr(VigilKafkaParser) parser = vigil_kafka_parser_new ();
  g_autoptr(GPtrArray) records = read_topics (bootstrap, topics);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3 *db = open_db (db_path);
  sqlite3_stmt *row = prepare (db, "SELECT window_start, window_end, count, avg, min, max,"
                                   " stddev, \"range\" FROM windows"
                                   " WHERE sensor = ?1 AND window_start = ?2");

  g_assert_cmpuint (records->len, ==, expected);
  g_assert_cmpint (query_int (db, "SELECT COUNT(*) FROM windows"), ==, records->len);
  for (guint i = 0; i < records->len; i++)
    {
      const Record *r = g_ptr_array_index (records, i);
      gsize len;
      const char *payload = g_bytes_get_data (r->value, &len);
      const char *sensor;
      VigilWindowStats stored;
      VigilKafkaMessage m;

      g_assert_cmpint (vigil_kafka_parser_parse (parser, r->topic, r->partition, i, payload, len,
                                                 &m), ==, VIGIL_KAFKA_ANALYTICS);
      g_assert_cmpstr (m.analytics.rig, ==, rig);
      sensor = vigil_sensor_get_info (m.analytics.stats.key)->name;
      g_assert_cmpstr (r->key, ==, sensor);
      g_assert_true (g_hash_table_add (seen, g_strdup_printf ("%s@%" G_GINT64_FORMAT, sensor,
                                                              m.analytics.stats.start_us)));

      sqlite3_bind_text (row, 1, sensor, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (row, 2, m.analytics.stats.start_us);
      g_assert_cmpint (sqlite3_step (row), ==, SQLITE_ROW);
      stored = column_window (row, 0, m.analytics.stats.key);
      g_assert_cmpint (m.analytics.stats.end_us, ==, stored.end_us);
      g_assert_cmpuint (m.analytics.stats.count, ==, stored.count);
      assert_same_double (m.analytics.stats.avg, stored.avg);
      assert_same_double (m.analytics.stats.min, stored.min);
      assert_same_double (m.analytics.stats.max, stored.max);
      assert_same_double (m.analytics.stats.stddev, stored.stddev);
      assert_same_double (m.analytics.stats.range, stored.range);
      sqlite3_reset (row);
    }

  sqlite3_finalize (row);
  sqlite3_close (db);
}

/* The summary's publish line, with nothing lost. */
static void
check_publish_line (const char *out,
                    guint       windows)
{
  g_autofree char *expected = g_strdup_printf ("publish: topic=hydraulic-analytics windows=%u "
                                               "delivered=%u dropped=0 errors=0 undelivered=0\n",
                                               windows, windows);

  g_assert_nonnull (strstr (out, expected));
}

/* `replay --publish`: 2 cycles of 17 sensors, 60 s windows every 10 s: every window that
 * holds a sample, those the ends cut included, starts from -50 s to 110 s, 17 a sensor. */
#define PUBLISHED_PER_SENSOR 17
static void
test_publish_replay (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_rig (2);
  g_autofree char *db = g_build_filename (dir, "store.sqlite", NULL);
  g_autoptr(VigilKafkaBroker) broker = vigil_kafka_broker_new (1, 0, 3, &error);
  g_auto(Result) r = { 0 };
  g_auto(Result) usage = { 0 };
  sqlite3 *store;
  gint64 n;

  g_assert_no_error (error);
  run (&r, "replay", "hydraulic", dir, "--db", db, "--publish",
       vigil_kafka_broker_get_bootstrap (broker), NULL);
  g_assert_cmpint (r.status, ==, 0);

  store = open_db (db);
  n = query_int (store, "SELECT COUNT(*) FROM windows");
  sqlite3_close (store);
  g_assert_cmpint (n, ==, PUBLISHED_PER_SENSOR * VIGIL_N_SENSORS);
  check_publish_line (r.out, (guint) n);
  check_published (vigil_kafka_broker_get_bootstrap (broker), db, "", (guint) n);

  /* The brokers come with --publish. */
  run (&usage, "replay", "hydraulic", dir, "--db", db, "--brokers", "127.0.0.1:9", NULL);
  g_assert_cmpint (usage.status, ==, 2);
  g_assert_nonnull (strstr (usage.err, "--publish"));

  vigil_test_remove_tree (dir);
}

/* `consume --publish` to the cluster consumed, and `--publish=BROKERS` to another one: rig-a's
 * windows name it, and the store's rows are what was published. */
static void
test_publish_consume (gconstpointer data)
{
  gboolean other = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_rig (2);
  g_autofree char *db = g_build_filename (dir, "store.sqlite", NULL);
  g_autoptr(VigilKafkaBroker) broker = vigil_kafka_broker_new (1, 0, 3, &error);
  g_autoptr(VigilKafkaBroker) target = NULL;
  g_autoptr(VigilKafkaProducer) producer = NULL;
  g_autofree char *publish = NULL;
  g_auto(Result) r = { 0 };
  VigilKafkaHydraulicOptions options;
  sqlite3 *store;
  gint64 n;

  g_assert_no_error (error);
  producer = new_producer (vigil_kafka_broker_get_bootstrap (broker));
  vigil_kafka_hydraulic_options_init (&options);
  options.rig = "rig-a";
  options.rig_in_message = TRUE;
  g_assert_true (vigil_kafka_producer_send_hydraulic (producer, dir, &options, NULL, &error));
  g_assert_no_error (error);

  if (other)
    {
      target = vigil_kafka_broker_new (1, 0, 2, &error);
      g_assert_no_error (error);
      publish = g_strdup_printf ("--publish=%s", vigil_kafka_broker_get_bootstrap (target));
    }
  else
    publish = g_strdup ("--publish");
  run (&r, "consume", "--brokers", vigil_kafka_broker_get_bootstrap (broker), "--db", db,
       "--exit-when-idle", "3", publish, NULL);
  g_assert_cmpint (r.status, ==, 0);

  store = open_db (db);
  n = query_int (store, "SELECT COUNT(*) FROM windows");
  sqlite3_close (store);
  g_assert_cmpint (n, ==, PUBLISHED_PER_SENSOR * VIGIL_N_SENSORS);
  check_publish_line (r.out, (guint) n);
  check_published (vigil_kafka_broker_get_bootstrap (other ? target : broker), db, "rig-a",
                   (guint) n);

  vigil_test_remove_tree (dir);
}

/* A port that was free a moment ago. */
static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* Brokers that are not there: the replay is not held up, and every window is counted as not
 * delivered once the ten seconds of the end are up. */
static void
test_publish_unreachable (void)
{
  g_autofree char *dir = make_rig (1);
  g_autofree char *db = g_build_filename (dir, "store.sqlite", NULL);
  g_autofree char *brokers = g_strdup_printf ("127.0.0.1:%u", free_port ());
  g_autofree char *expected = NULL;
  g_auto(Result) r = { 0 };
  sqlite3 *store;
  gint64 n;

  run (&r, "replay", "hydraulic", dir, "--db", db, "--publish", brokers, NULL);
  g_assert_cmpint (r.status, ==, 0);
  store = open_db (db);
  n = query_int (store, "SELECT COUNT(*) FROM windows");
  sqlite3_close (store);
  /* One cycle: windows starting from -50 s to 50 s, 11 a sensor. */
  g_assert_cmpint (n, ==, 11 * VIGIL_N_SENSORS);
  expected = g_strdup_printf ("publish: topic=hydraulic-analytics windows=%" G_GINT64_FORMAT
                              " delivered=0 dropped=0 errors=0 undelivered=%" G_GINT64_FORMAT
                              "\n", n, n);
  g_assert_nonnull (strstr (r.out, expected));
  g_assert_nonnull (strstr (r.err, "still wait for the Kafka brokers"));

  vigil_test_remove_tree (dir);
}

static void
test_broker_cli (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *port = g_strdup_printf ("%u", free_port ());
  g_autofree char *expected = g_strdup_printf ("bootstrap 127.0.0.1:%s", port);
  g_autofree char *dir = make_rig (1);
  g_autoptr(GSubprocess) broker = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autoptr(VigilKafkaProducer) producer = NULL;
  g_autoptr(GPtrArray) records = NULL;
  VigilKafkaHydraulicOptions options;
  const char *const topics[] = { "hydraulic-FS1", "hydraulic-TS1", "hydraulic-labels", NULL };

  g_assert_nonnull (g_getenv ("VIGIL_CLI"));
  broker = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, g_getenv ("VIGIL_CLI"),
                             "broker", "--port", port, "--partitions", "2", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (broker));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, expected);

  keep_few_sensors (dir);
  producer = new_producer (line + strlen ("bootstrap "));
  vigil_kafka_hydraulic_options_init (&options);
  options.start_us = START_US;
  g_assert_true (vigil_kafka_producer_send_hydraulic (producer, dir, &options, NULL, &error));
  g_assert_no_error (error);
  records = read_topics (line + strlen ("bootstrap "), topics);
  g_assert_cmpuint (records->len, ==, 600 + 60 + 1);
  check_hydraulic (dir, records, 1, (1u << VIGIL_SENSOR_FS1) | (1u << VIGIL_SENSOR_TS1), NULL,
                   FALSE);

  g_clear_pointer (&producer, vigil_kafka_producer_free);
  g_subprocess_send_signal (broker, SIGTERM);
  g_assert_true (g_subprocess_wait (broker, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (broker));
  g_assert_cmpint (g_subprocess_get_exit_status (broker), ==, 0);
  vigil_test_remove_tree (dir);
}

static void
test_usage (void)
{
  struct
  {
    const char *args[10];
    const char *message;
  } cases[] = {
    { { "broker", "--port", "70000" }, "--port must be 0 to 65535" },
    { { "broker", "--partitions", "0" }, "--partitions must be 1 to" },
    { { "broker", "extra" }, "unexpected argument" },
    { { "produce" }, "say what to publish" },
    { { "produce", "hydraulic", "/nonexistent" }, "--brokers HOST:PORT is required" },
    { { "produce", "hydraulic", "/x", "--brokers", "localhost" }, "not host:port" },
    { { "produce", "hydraulic", "/x", "--brokers", "h:1", "--speed", "fast" },
      "is not a speed" },
    { { "produce", "hydraulic", "/x", "--brokers", "h:1", "--start", "yesterday" }, "--start" },
    { { "produce", "hydraulic", "/x", "--brokers", "h:1", "--security", "tls" },
      "is not one of plaintext" },
    { { "produce", "hydraulic", "/x", "--brokers", "h:1", "--security", "sasl_ssl" },
      "needs --username" },
    { { "produce", "hydraulic", "/x", "--brokers", "h:1", "--camera", "cam_1" },
      "are for traffic" },
    { { "produce", "traffic", "/x", "--brokers", "h:1" }, "--camera ID is required" },
    { { "produce", "traffic", "/x", "--brokers", "h:1", "--camera", "cam_1", "--fps", "0.0" },
      "--fps must be above 0" },
    { { "produce", "traffic", "/x", "--brokers", "127.0.0.1:1", "--camera", "north" },
      "ending with the camera's number" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Result) r = { 0 };
      const char *const *a = cases[i].args;

      run (&r, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], NULL);
      g_test_message ("%s %s: %s", a[0], a[1] != NULL ? a[1] : "", r.err);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, cases[i].message));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  g_test_add_func ("/kafka/produce/camera-partition", test_camera_partition);
  g_test_add_func ("/kafka/produce/hydraulic", test_hydraulic);
  g_test_add_data_func ("/kafka/produce/rig-prefix", GINT_TO_POINTER (FALSE), test_rig);
  g_test_add_data_func ("/kafka/produce/rig-field", GINT_TO_POINTER (TRUE), test_rig);
  g_test_add_func ("/kafka/produce/cancel", test_cancel);
  g_test_add_func ("/kafka/produce/traffic", test_traffic);
  g_test_add_func ("/kafka/produce/traffic-video", test_traffic_video);
  g_test_add_func ("/kafka/publish/analytics", test_publish);
  g_test_add_func ("/kafka/publish/replay", test_publish_replay);
  g_test_add_func ("/kafka/publish/unreachable", test_publish_unreachable);
  g_test_add_data_func ("/kafka/publish/consume-same", GINT_TO_POINTER (FALSE),
                        test_publish_consume);
  g_test_add_data_func ("/kafka/publish/consume-other", GINT_TO_POINTER (TRUE),
                        test_publish_consume);
  g_test_add_func ("/kafka/broker/cli", test_broker_cli);
  g_test_add_func ("/kafka/produce/usage", test_usage);

  return g_test_run ();
}
