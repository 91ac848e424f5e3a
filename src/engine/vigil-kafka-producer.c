/* vigil-kafka-producer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-kafka"

#include "config.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <librdkafka/rdkafka.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "vigil-hydraulic-reader.h"
#include "vigil-kafka-message.h"
#include "vigil-kafka-producer.h"
#include "vigil-replay-clock.h"
#include "vigil-sensor.h"
#include "vigil-time.h"
#include "vigil-traffic.h"

/* The hydraulic base tick: 100 Hz, the fastest sensors' rate. */
#define TICK_US          10000
#define TICKS_PER_CYCLE  (VIGIL_CYCLE_SECONDS * VIGIL_USEC_PER_SEC / TICK_US)
/* Delivery reports are served every this many messages. */
#define POLL_EVERY       1000
/* A cancelled run still gives what is in flight this long to arrive. */
#define CANCEL_FLUSH_MS  3000
#define DEFAULT_FPS      10.0
#define N_TRAFFIC_PARTITIONS 10

struct _VigilKafkaProducer
{
  rd_kafka_t     *rk;

  atomic_ulong    queued;
  atomic_ulong    delivered;
  atomic_ulong    bytes;
  atomic_ulong    errors;
  atomic_ulong    purged;
  atomic_llong    started_us;     /* monotonic; 0 before the first run */
  atomic_llong    finished_us;    /* 0 while a run goes on */

  /* Touched by the thread that runs a send (callbacks are served by its polls). */
  char           *first_error;
  char           *fatal_error;
  char           *last_warning;
};

void
vigil_kafka_hydraulic_options_init (VigilKafkaHydraulicOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->start_us = VIGIL_DEFAULT_START_US;
}

void
vigil_kafka_traffic_options_init (VigilKafkaTrafficOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->fps = DEFAULT_FPS;
  options->speed = 1;
  options->start_us = VIGIL_DEFAULT_START_US;
}

static gboolean
valid_name (const char *name)
{
  gsize len = strlen (name);

  if (len == 0 || len > VIGIL_KAFKA_NAME_MAX)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

gboolean
vigil_kafka_camera_partition (const char *camera_id,
                              gint32     *out_partition)
{
  const char *digits;
  guint64 number = 0;

  g_return_val_if_fail (camera_id != NULL, FALSE);
  g_return_val_if_fail (out_partition != NULL, FALSE);

  digits = camera_id + strlen (camera_id);
  while (digits > camera_id && g_ascii_isdigit (digits[-1]))
    digits--;
  if (*digits == '\0' || strlen (digits) > 9 ||
      !g_ascii_string_to_unsigned (digits, 10, 1, G_MAXUINT32, &number, NULL))
    return FALSE;

  *out_partition = (gint32) ((number - 1) % N_TRAFFIC_PARTITIONS);
  return TRUE;
}

static void
on_delivery (rd_kafka_t                *rk,
             const rd_kafka_message_t  *message,
             void                      *opaque)
{
  VigilKafkaProducer *self = opaque;

  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      atomic_fetch_add (&self->delivered, 1);
      atomic_fetch_add (&self->bytes, message->len);
    }
  else if (message->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
           message->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT)
    atomic_fetch_add (&self->purged, 1);
  else
    {
      atomic_fetch_add (&self->errors, 1);
      if (self->first_error == NULL)
        self->first_error = g_strdup_printf ("%s [%d]: %s",
                                             rd_kafka_topic_name (message->rkt),
                                             (int) message->partition,
                                             rd_kafka_err2str (message->err));
    }
}

static void
on_error (rd_kafka_t *rk,
          int         err,
          const char *reason,
          void       *opaque)
{
  VigilKafkaProducer *self = opaque;
  char fatal[512];

  if (err == RD_KAFKA_RESP_ERR__FATAL)
    {
      rd_kafka_fatal_error (rk, fatal, sizeof fatal);
      g_free (self->fatal_error);
      self->fatal_error = g_strdup (fatal);
      return;
    }

  /* librdkafka retries on its own; say what goes wrong once, not at every retry. */
  if (g_strcmp0 (self->last_warning, reason) != 0)
    {
      g_message ("Kafka: %s", reason);
      g_free (self->last_warning);
      self->last_warning = g_strdup (reason);
    }
}

static void
on_log (const rd_kafka_t *rk,
        int               level,
        const char       *facility,
        const char       *message)
{
  g_debug ("librdkafka: %s: %s", facility, message);
}

static gboolean
set (rd_kafka_conf_t  *conf,
     const char       *name,
     const char       *value,
     GError          **error)
{
  char errstr[512];

  if (rd_kafka_conf_set (conf, name, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", name, errstr);
      return FALSE;
    }
  return TRUE;
}

VigilKafkaProducer *
vigil_kafka_producer_new (const VigilKafkaConnection  *connection,
                          GError                     **error)
{
  g_autoptr(VigilKafkaProducer) self = NULL;
  rd_kafka_conf_t *conf;
  char errstr[512];

  g_return_val_if_fail (connection != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  conf = vigil_kafka_connection_new_conf (connection, error);
  if (conf == NULL)
    return NULL;

  /* Idempotence keeps each partition in order and free of duplicates through retries;
   * lz4 lets a broker that keeps a few MiB per partition (the local one) hold more. */
  if (!set (conf, "enable.idempotence", "true", error) ||
      !set (conf, "compression.codec", "lz4", error) ||
      !set (conf, "linger.ms", "20", error) ||
      !set (conf, "queue.buffering.max.messages", "500000", error))
    {
      rd_kafka_conf_destroy (conf);
      return NULL;
    }

  self = g_new0 (VigilKafkaProducer, 1);
  rd_kafka_conf_set_opaque (conf, self);
  rd_kafka_conf_set_dr_msg_cb (conf, on_delivery);
  rd_kafka_conf_set_error_cb (conf, on_error);
  rd_kafka_conf_set_log_cb (conf, on_log);

  self->rk = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (self->rk == NULL)
    {
      rd_kafka_conf_destroy (conf);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create a Kafka producer: %s",
                   errstr);
      return NULL;
    }

  return g_steal_pointer (&self);
}

void
vigil_kafka_producer_free (VigilKafkaProducer *self)
{
  if (self == NULL)
    return;

  if (self->rk != NULL)
    {
      rd_kafka_purge (self->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      rd_kafka_flush (self->rk, 1000);
      rd_kafka_destroy (self->rk);
    }
  g_free (self->first_error);
  g_free (self->fatal_error);
  g_free (self->last_warning);
  g_free (self);
}

void
vigil_kafka_producer_get_stats (VigilKafkaProducer      *self,
                                VigilKafkaProducerStats *stats)
{
  gint64 started, finished;

  g_return_if_fail (self != NULL);
  g_return_if_fail (stats != NULL);

  stats->queued = atomic_load (&self->queued);
  stats->delivered = atomic_load (&self->delivered);
  stats->bytes = atomic_load (&self->bytes);
  stats->errors = atomic_load (&self->errors);
  stats->purged = atomic_load (&self->purged);
  started = atomic_load (&self->started_us);
  finished = atomic_load (&self->finished_us);
  if (started == 0)
    stats->seconds = 0;
  else
    stats->seconds = ((finished != 0 ? finished : g_get_monotonic_time ()) - started) / 1e6;
}

/* A send in progress. */
typedef struct
{
  VigilKafkaProducer *self;
  GCancellable       *cancellable;
  VigilReplayClock   *clock;
  gulong              cancel_id;
  guint64             errors_before;
  guint               since_poll;
} Run;

static void
on_cancelled (GCancellable *cancellable,
              gpointer      data)
{
  vigil_replay_clock_stop (data);
}

static void
run_begin (Run                *run,
           VigilKafkaProducer *self,
           double              speed,
           gint64              start_us,
           GCancellable       *cancellable)
{
  memset (run, 0, sizeof *run);
  run->self = self;
  run->cancellable = cancellable;
  run->clock = vigil_replay_clock_new (speed, start_us);
  if (cancellable != NULL)
    run->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), run->clock,
                                            NULL);
  run->errors_before = atomic_load (&self->errors);
  g_clear_pointer (&self->first_error, g_free);
  atomic_store (&self->finished_us, 0);
  atomic_store (&self->started_us, g_get_monotonic_time ());
}

static gboolean
run_stopped (Run      *run,
             GError  **error)
{
  if (run->self->fatal_error != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the Kafka producer failed: %s",
                   run->self->fatal_error);
      return TRUE;
    }
  return g_cancellable_set_error_if_cancelled (run->cancellable, error);
}

/* Queues one message, waiting (and serving delivery reports) while librdkafka's queue is
 * full. FALSE with @error set when it cannot be queued or the run stopped. */
static gboolean
run_produce (Run            *run,
             rd_kafka_topic_t *topic,
             gint32          partition,
             const char     *key,
             const GString  *payload,
             GError        **error)
{
  VigilKafkaProducer *self = run->self;

  for (;;)
    {
      rd_kafka_resp_err_t err;

      if (rd_kafka_produce (topic, partition, RD_KAFKA_MSG_F_COPY, payload->str, payload->len,
                            key, strlen (key), NULL) == 0)
        break;

      err = rd_kafka_last_error ();
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot send to %s: %s",
                       rd_kafka_topic_name (topic), rd_kafka_err2str (err));
          return FALSE;
        }
      rd_kafka_poll (self->rk, 100);
      if (run_stopped (run, error))
        return FALSE;
    }

  atomic_fetch_add (&self->queued, 1);
  if (++run->since_poll >= POLL_EVERY)
    {
      run->since_poll = 0;
      rd_kafka_poll (self->rk, 0);
      if (run_stopped (run, error))
        return FALSE;
    }
  return TRUE;
}

/* Waits for what was queued: all of it normally, a few seconds' worth after a cancellation
 * or a failure (the rest purged). Returns @ok, turned FALSE if any message of the run failed;
 * @error keeps the first reason. */
static gboolean
run_end (Run      *run,
         gboolean  ok,
         GError  **error)
{
  VigilKafkaProducer *self = run->self;
  guint64 failed;

  if (run->cancel_id != 0)
    g_cancellable_disconnect (run->cancellable, run->cancel_id);
  g_clear_pointer (&run->clock, vigil_replay_clock_free);

  while (ok && rd_kafka_flush (self->rk, 200) != RD_KAFKA_RESP_ERR_NO_ERROR)
    if (run_stopped (run, error))
      ok = FALSE;

  if (!ok)
    {
      rd_kafka_flush (self->rk, CANCEL_FLUSH_MS);
      rd_kafka_purge (self->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      rd_kafka_flush (self->rk, CANCEL_FLUSH_MS);
    }
  rd_kafka_poll (self->rk, 0);
  atomic_store (&self->finished_us, g_get_monotonic_time ());

  failed = atomic_load (&self->errors) - run->errors_before;
  if (ok && failed > 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%" G_GUINT64_FORMAT " messages were not delivered (first: %s)", failed,
                   self->first_error != NULL ? self->first_error : "unknown error");
      ok = FALSE;
    }
  return ok;
}

/* Hydraulic datasets ---------------------------------------------------------------------- */

typedef struct
{
  VigilRowReader   *reader;
  rd_kafka_topic_t *topic;
  double           *values;
  guint             n_values;
  guint             ticks_per_sample;
} SensorStream;

static char *
topic_name (const VigilKafkaHydraulicOptions *options,
            const char                       *base)
{
  if (options->rig != NULL && options->rig[0] != '\0' && !options->rig_in_message)
    return g_strconcat (options->rig, ".", base, NULL);
  return g_strdup (base);
}

static gboolean
send_cycles (Run                              *run,
             const VigilHydraulicDataset      *dataset,
             SensorStream                     *streams,
             VigilRowReader                   *profile,
             rd_kafka_topic_t                 *labels_topic,
             const VigilKafkaHydraulicOptions *options,
             GError                          **error)
{
  const gboolean has_rig = options->rig != NULL && options->rig[0] != '\0';
  const char *rig_field = has_rig && options->rig_in_message ? options->rig : "";
  const gint64 cycle_us = VIGIL_CYCLE_SECONDS * VIGIL_USEC_PER_SEC;
  g_autoptr(GString) payload = g_string_sized_new (256);
  guint slice_ticks = TICKS_PER_CYCLE;
  VigilKafkaSample sample = { 0 };
  VigilKafkaLabel label = { 0 };

  /* Paced runs send in slices of about a hundredth of a wall second. */
  if (options->speed > 0)
    slice_ticks = (guint) CLAMP (options->speed * 10000 / TICK_US, 1, TICKS_PER_CYCLE);

  g_strlcpy (sample.rig, rig_field, sizeof sample.rig);
  g_strlcpy (label.rig, rig_field, sizeof label.rig);

  for (guint cycle = 0; cycle < dataset->n_cycles; cycle++)
    {
      gint64 cycle_start = options->start_us + (gint64) cycle * cycle_us;
      gboolean has_label = FALSE;

      for (guint s = 0; s < VIGIL_N_SENSORS; s++)
        {
          int r;

          if (streams[s].reader == NULL)
            continue;
          r = vigil_row_reader_next (streams[s].reader, streams[s].values, error);
          if (r == 0)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "%s: the file ends after %u cycles, but the dataset had %u",
                         vigil_row_reader_get_name (streams[s].reader), cycle, dataset->n_cycles);
          if (r != 1)
            return FALSE;
        }
      if (profile != NULL)
        {
          int r = vigil_row_reader_next_label (profile, &label.label, error);

          if (r == 0)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "%s: the file ends after %u cycles, but the dataset had %u",
                         vigil_row_reader_get_name (profile), cycle, dataset->n_cycles);
          if (r != 1)
            return FALSE;
          label.label.cycle = cycle;
          label.label.start_us = cycle_start;
          has_label = TRUE;
        }

      for (guint first = 0; first < TICKS_PER_CYCLE; first += slice_ticks)
        {
          guint last = MIN (first + slice_ticks, TICKS_PER_CYCLE);

          /* A slice goes out once its last tick has happened. */
          if (!vigil_replay_clock_wait (run->clock, cycle_start + (gint64) (last - 1) * TICK_US))
            return !run_stopped (run, error);

          if (first == 0 && has_label)
            {
              g_string_truncate (payload, 0);
              vigil_kafka_write_label (payload, &label);
              if (!run_produce (run, labels_topic, RD_KAFKA_PARTITION_UA,
                                has_rig ? options->rig : "labels", payload, error))
                return FALSE;
            }

          for (guint tick = first; tick < last; tick++)
            for (guint s = 0; s < VIGIL_N_SENSORS; s++)
              {
                const SensorStream *st = &streams[s];
                const VigilSensorInfo *info;

                if (st->reader == NULL || tick % st->ticks_per_sample != 0)
                  continue;

                info = vigil_sensor_get_info (s);
                sample.sensor = s;
                sample.cycle = cycle;
                sample.sample_idx = tick / st->ticks_per_sample;
                sample.sampling_rate_hz = info->rate_hz;
                sample.time_us = cycle_start + (gint64) sample.sample_idx
                                               * (VIGIL_USEC_PER_SEC / info->rate_hz);
                sample.value = st->values[sample.sample_idx];

                g_string_truncate (payload, 0);
                vigil_kafka_write_sample (payload, &sample);
                if (!run_produce (run, st->topic, RD_KAFKA_PARTITION_UA,
                                  has_rig ? options->rig : info->name, payload, error))
                  return FALSE;
              }
        }
    }
  return TRUE;
}

gboolean
vigil_kafka_producer_send_hydraulic (VigilKafkaProducer                *self,
                                     const char                        *dir,
                                     const VigilKafkaHydraulicOptions  *options,
                                     GCancellable                      *cancellable,
                                     GError                           **error)
{
  g_autoptr(VigilHydraulicDataset) dataset = NULL;
  g_autoptr(VigilRowReader) profile = NULL;
  SensorStream streams[VIGIL_N_SENSORS] = { { 0 } };
  rd_kafka_topic_t *labels_topic = NULL;
  gboolean ok = TRUE;
  Run run;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (options->rig != NULL && options->rig[0] != '\0' && !valid_name (options->rig))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a rig name (1 to %d letters, digits, '.', '_' or '-')",
                   options->rig, VIGIL_KAFKA_NAME_MAX);
      return FALSE;
    }
  if (!isfinite (options->speed) || options->speed < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "the speed must be 0 (as fast as possible) or positive");
      return FALSE;
    }

  dataset = vigil_hydraulic_dataset_scan (dir, cancellable, error);
  if (dataset == NULL)
    return FALSE;
  if (dataset->sensors == 0 && !dataset->has_profile)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s holds no sensor files (PS1.txt … SE.txt) and no profile.txt", dir);
      return FALSE;
    }

  for (guint s = 0; s < VIGIL_N_SENSORS && ok; s++)
    {
      const VigilSensorInfo *info = vigil_sensor_get_info (s);
      g_autofree char *file = NULL;
      g_autofree char *path = NULL;
      g_autofree char *base = NULL;
      g_autofree char *topic = NULL;

      if ((dataset->sensors & (1u << s)) == 0)
        continue;
      file = g_strconcat (info->name, ".txt", NULL);
      path = g_build_filename (dir, file, NULL);
      streams[s].n_values = info->rate_hz * VIGIL_CYCLE_SECONDS;
      streams[s].ticks_per_sample = (guint) (VIGIL_USEC_PER_SEC / info->rate_hz / TICK_US);
      streams[s].reader = vigil_row_reader_open (path, streams[s].n_values, error);
      if (streams[s].reader == NULL)
        {
          ok = FALSE;
          break;
        }
      streams[s].values = g_new (double, streams[s].n_values);
      base = g_strconcat ("hydraulic-", info->name, NULL);
      topic = topic_name (options, base);
      streams[s].topic = rd_kafka_topic_new (self->rk, topic, NULL);
    }

  if (ok && dataset->has_profile)
    {
      g_autofree char *path = g_build_filename (dir, "profile.txt", NULL);
      g_autofree char *topic = topic_name (options, "hydraulic-labels");

      profile = vigil_row_reader_open (path, 5, error);
      ok = profile != NULL;
      if (ok)
        labels_topic = rd_kafka_topic_new (self->rk, topic, NULL);
    }

  if (ok)
    {
      run_begin (&run, self, options->speed, options->start_us, cancellable);
      ok = send_cycles (&run, dataset, streams, profile, labels_topic, options, error);
      ok = run_end (&run, ok, ok ? error : NULL);
    }

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      g_clear_pointer (&streams[s].reader, vigil_row_reader_free);
      g_clear_pointer (&streams[s].topic, rd_kafka_topic_destroy);
      g_free (streams[s].values);
    }
  g_clear_pointer (&labels_topic, rd_kafka_topic_destroy);
  return ok;
}

/* Traffic --------------------------------------------------------------------------------- */

typedef struct
{
  VigilVehicleClass klass;
  double            x, y, w, h;
} Box;

static void
free_boxes (gpointer data)
{
  g_array_unref (data);
}

static gboolean
parse_double (const char *text,
              double     *out)
{
  char *end = NULL;

  *out = g_ascii_strtod (text, &end);
  return end != text && *end == '\0' && isfinite (*out);
}

/* frame index -> GArray of Box, for @camera_id's rows. */
static GHashTable *
read_detections (const char  *path,
                 const char  *camera_id,
                 GError     **error)
{
  g_autoptr(GHashTable) frames = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint line_no;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;

  lines = g_strsplit (contents, "\n", -1);
  if (lines[0] == NULL || strcmp (g_strchomp (lines[0]), VIGIL_KAFKA_DETECTIONS_HEADER) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: the first line must be “%s”", path, VIGIL_KAFKA_DETECTIONS_HEADER);
      return NULL;
    }

  frames = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, free_boxes);
  for (line_no = 1; lines[line_no] != NULL; line_no++)
    {
      g_auto(GStrv) fields = NULL;
      guint64 frame = 0;
      guint64 klass = 0;
      VigilVehicleClass vehicle;
      GArray *boxes;
      Box box;

      g_strchomp (lines[line_no]);
      if (lines[line_no][0] == '\0')
        continue;
      fields = g_strsplit (lines[line_no], ",", -1);
      if (g_strv_length (fields) != 9)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s:%u: expected 9 columns (%s)", path, line_no + 1,
                       VIGIL_KAFKA_DETECTIONS_HEADER);
          return NULL;
        }
      if (strcmp (fields[0], camera_id) != 0)
        continue;

      if (vigil_vehicle_class_from_name (fields[4], &vehicle))
        box.klass = vehicle;
      else if (g_ascii_string_to_unsigned (fields[4], 10, 0, VIGIL_N_VEHICLE_CLASSES - 1, &klass,
                                           NULL))
        box.klass = (VigilVehicleClass) klass;
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s:%u: class “%s” is not motorcycle, car, bus, truck or 0-3", path,
                       line_no + 1, fields[4]);
          return NULL;
        }
      if (!g_ascii_string_to_unsigned (fields[1], 10, 0, G_MAXUINT32, &frame, NULL) ||
          !parse_double (fields[5], &box.x) || !parse_double (fields[6], &box.y) ||
          !parse_double (fields[7], &box.w) || !parse_double (fields[8], &box.h) ||
          box.w < 0 || box.h < 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s:%u: frame must be a whole number and x, y, w, h numbers (w, h not "
                       "negative)", path, line_no + 1);
          return NULL;
        }

      boxes = g_hash_table_lookup (frames, GUINT_TO_POINTER ((guint) frame));
      if (boxes == NULL)
        {
          boxes = g_array_new (FALSE, FALSE, sizeof (Box));
          g_hash_table_insert (frames, GUINT_TO_POINTER ((guint) frame), boxes);
        }
      g_array_append_val (boxes, box);
    }
  return g_steal_pointer (&frames);
}

/* The size a JPEG's first frame header gives. */
static gboolean
jpeg_size (const guchar *d,
           gsize         n,
           guint        *width,
           guint        *height)
{
  gsize i = 2;

  if (n < 4 || d[0] != 0xFF || d[1] != 0xD8)
    return FALSE;

  while (i + 4 <= n)
    {
      guchar marker;
      gsize length;

      if (d[i] != 0xFF)
        return FALSE;
      marker = d[i + 1];
      if (marker == 0xFF)
        {
          i++;
          continue;
        }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
        {
          i += 2;
          continue;
        }
      if (marker == 0xD9 || marker == 0xDA)
        return FALSE;
      length = (gsize) d[i + 2] << 8 | d[i + 3];
      if (length < 2)
        return FALSE;
      if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 &&
          marker != 0xCC)
        {
          if (i + 9 > n)
            return FALSE;
          *height = (guint) d[i + 5] << 8 | d[i + 6];
          *width = (guint) d[i + 7] << 8 | d[i + 8];
          return *width > 0 && *height > 0;
        }
      i += 2 + length;
    }
  return FALSE;
}

typedef struct
{
  guint64  index;
  guint64  number;
  char    *path;
} ImageFile;

static void
image_file_clear (gpointer data)
{
  g_free (((ImageFile *) data)->path);
}

static int
compare_image_files (gconstpointer a,
                     gconstpointer b)
{
  const ImageFile *x = a;
  const ImageFile *y = b;

  if (x->number != y->number)
    return x->number < y->number ? -1 : 1;
  return strcmp (x->path, y->path);
}

static gboolean
is_image_name (const char *name)
{
  static const char *const extensions[] = {
    ".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".ppm", ".pgm", ".pnm", ".webp",
  };

  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++)
    if (g_str_has_suffix (name, extensions[i]))
      return TRUE;
  return FALSE;
}

/* The last number in a file name's stem: "in000123.jpg" is 123. */
static gboolean
name_number (const char *name,
             guint64    *out)
{
  const char *dot = strrchr (name, '.');
  const char *end = dot != NULL ? dot : name + strlen (name);
  const char *start;
  g_autofree char *digits = NULL;

  while (end > name && !g_ascii_isdigit (end[-1]))
    end--;
  start = end;
  while (start > name && g_ascii_isdigit (start[-1]))
    start--;
  if (start == end || end - start > 18)
    return FALSE;
  digits = g_strndup (start, (gsize) (end - start));
  return g_ascii_string_to_unsigned (digits, 10, 0, G_MAXUINT64, out, NULL);
}

static GArray *
list_images (const char  *dir,
             GError     **error)
{
  g_autoptr(GDir) handle = NULL;
  g_autoptr(GArray) files = NULL;
  const char *name;

  handle = g_dir_open (dir, 0, error);
  if (handle == NULL)
    return NULL;

  files = g_array_new (FALSE, FALSE, sizeof (ImageFile));
  g_array_set_clear_func (files, image_file_clear);
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *lower = g_ascii_strdown (name, -1);
      ImageFile file = { 0 };

      if (!is_image_name (lower) || !name_number (name, &file.number))
        continue;
      file.path = g_build_filename (dir, name, NULL);
      g_array_append_val (files, file);
    }
  if (files->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s holds no numbered images (such as frame_001.jpg)", dir);
      return NULL;
    }
  g_array_sort (files, compare_image_files);
  for (guint i = 0; i < files->len; i++)
    g_array_index (files, ImageFile, i).index = i;
  return g_steal_pointer (&files);
}

/* Decodes a file (an image or a video) with GStreamer and hands each frame, as JPEG, to a
 * callback. */
typedef gboolean (*JpegFunc) (const guchar  *jpeg,
                              gsize          len,
                              guint          width,
                              guint          height,
                              gpointer       data,
                              GError       **error);

static void
on_pad_added (GstElement *decodebin,
              GstPad     *pad,
              gpointer    data)
{
  GstElement *convert = data;
  g_autoptr(GstPad) sink = gst_element_get_static_pad (convert, "sink");
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  if (gst_pad_is_linked (sink) || caps == NULL || gst_caps_get_size (caps) == 0 ||
      !g_str_has_prefix (gst_structure_get_name (gst_caps_get_structure (caps, 0)), "video/"))
    return;
  gst_pad_link (pad, sink);
}

static gboolean
bus_error (GstElement  *pipeline,
           const char  *path,
           GError     **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr(GstMessage) message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_autoptr(GError) gst_error = NULL;

  if (message == NULL)
    return FALSE;
  gst_message_parse_error (message, &gst_error, NULL);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: cannot decode: %s", path,
               gst_error->message);
  return TRUE;
}

static gboolean
encode_file (const char    *path,
             JpegFunc       func,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GstElement) pipeline = NULL;
  GstElement *source, *decode, *convert, *encode, *sink;
  gboolean ok = TRUE;
  guint frames = 0;

  if (!gst_init_check (NULL, NULL, error))
    return FALSE;

  pipeline = gst_pipeline_new (NULL);
  source = gst_element_factory_make ("filesrc", NULL);
  decode = gst_element_factory_make ("decodebin", NULL);
  convert = gst_element_factory_make ("videoconvert", NULL);
  encode = gst_element_factory_make ("jpegenc", NULL);
  sink = gst_element_factory_make ("appsink", NULL);
  if (source == NULL || decode == NULL || convert == NULL || encode == NULL || sink == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "GStreamer lacks filesrc, decodebin, videoconvert, jpegenc or appsink "
                           "(gstreamer1.0-plugins-base and -good)");
      g_clear_object (&source);
      g_clear_object (&decode);
      g_clear_object (&convert);
      g_clear_object (&encode);
      g_clear_object (&sink);
      return FALSE;
    }

  g_object_set (source, "location", path, NULL);
  /* Frames are pulled one at a time: the producer, not the decoder, sets the pace. */
  g_object_set (sink, "sync", FALSE, "max-buffers", 2, NULL);
  gst_bin_add_many (GST_BIN (pipeline), source, decode, convert, encode, sink, NULL);
  if (!gst_element_link (source, decode) || !gst_element_link_many (convert, encode, sink, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "cannot build the GStreamer pipeline");
      return FALSE;
    }
  g_signal_connect (decode, "pad-added", G_CALLBACK (on_pad_added), convert);

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      if (!bus_error (pipeline, path, error))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: cannot start decoding", path);
      ok = FALSE;
    }

  while (ok)
    {
      g_autoptr(GstSample) sample = NULL;
      GstBuffer *buffer;
      GstStructure *structure;
      GstMapInfo map;
      int width = 0, height = 0;

      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          bus_error (pipeline, path, error))
        {
          ok = FALSE;
          break;
        }
      sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 100 * GST_MSECOND);
      if (sample == NULL)
        {
          if (gst_app_sink_is_eos (GST_APP_SINK (sink)))
            break;
          continue;
        }

      structure = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
      gst_structure_get_int (structure, "width", &width);
      gst_structure_get_int (structure, "height", &height);
      buffer = gst_sample_get_buffer (sample);
      if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
        continue;
      ok = func (map.data, map.size, (guint) width, (guint) height, data, error);
      gst_buffer_unmap (buffer, &map);
      frames++;
    }

  if (ok && frames == 0 && !bus_error (pipeline, path, error))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: no video frames", path);
  if (frames == 0)
    ok = FALSE;

  gst_element_set_state (pipeline, GST_STATE_NULL);
  return ok;
}

typedef struct
{
  Run                            *run;
  const VigilKafkaTrafficOptions *options;
  rd_kafka_topic_t               *topic;
  gint32                          partition;
  GHashTable                     *detections;   /* NULL when none were given */
  GString                        *payload;
  gint64                          start_ms;
  guint64                         index;
} TrafficRun;

static void
append_bbox_value (GString *out,
                   double   v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.6f", CLAMP (v, 0.0, 1.0)));
}

static gboolean
send_frame (const guchar  *jpeg,
            gsize          len,
            guint          width,
            guint          height,
            gpointer       data,
            GError       **error)
{
  TrafficRun *tr = data;
  GString *out = tr->payload;
  g_autofree char *image = NULL;
  char time[64];
  gint64 time_us;
  gsize n;
  GArray *boxes = NULL;
  gboolean first = TRUE;

  time_us = (tr->start_ms + (gint64) llround ((double) tr->index * 1000 / tr->options->fps))
            * 1000;
  if (!vigil_replay_clock_wait (tr->run->clock, time_us))
    return !run_stopped (tr->run, error);

  /* The seed's timestamps: milliseconds, no zone (UTC). */
  n = vigil_time_format_iso8601_buf (time_us, time, sizeof time);
  if (n > 0 && time[n - 1] == 'Z')
    time[n - 1] = '\0';

  image = g_base64_encode (jpeg, len);
  g_string_truncate (out, 0);
  g_string_append_printf (out, "{\"camera_id\":\"%s\",\"timestamp\":\"%s\",\"image_id\":%"
                          G_GUINT64_FORMAT ",\"image\":\"%s\",\"objects\":[",
                          tr->options->camera_id, time, tr->index, image);

  if (tr->detections != NULL)
    boxes = g_hash_table_lookup (tr->detections, GUINT_TO_POINTER ((guint) tr->index));
  if (boxes != NULL && (width == 0 || height == 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "frame %" G_GUINT64_FORMAT ": its size is unknown, so its boxes cannot be "
                   "normalised", tr->index);
      return FALSE;
    }
  for (guint i = 0; boxes != NULL && i < boxes->len; i++)
    {
      const Box *b = &g_array_index (boxes, Box, i);
      double x0 = CLAMP (b->x, 0, width), x1 = CLAMP (b->x + b->w, 0, width);
      double y0 = CLAMP (b->y, 0, height), y1 = CLAMP (b->y + b->h, 0, height);

      /* Boxes wholly outside the frame say nothing about it. */
      if (x1 <= x0 || y1 <= y0)
        continue;
      g_string_append_printf (out, "%s{\"class_id\":%d,\"bbox\":[", first ? "" : ",",
                              (int) b->klass);
      append_bbox_value (out, (x0 + x1) / 2 / width);
      g_string_append_c (out, ',');
      append_bbox_value (out, (y0 + y1) / 2 / height);
      g_string_append_c (out, ',');
      append_bbox_value (out, (x1 - x0) / width);
      g_string_append_c (out, ',');
      append_bbox_value (out, (y1 - y0) / height);
      g_string_append (out, "]}");
      first = FALSE;
    }
  g_string_append (out, "]}");

  tr->index++;
  return run_produce (tr->run, tr->topic, tr->partition, tr->options->camera_id, out, error);
}

static gboolean
send_image_file (TrafficRun    *tr,
                 const char    *path,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GMappedFile) file = NULL;
  const guchar *data;
  gsize len;
  guint width = 0, height = 0;
  guint64 before = tr->index;

  file = g_mapped_file_new (path, FALSE, error);
  if (file == NULL)
    return FALSE;
  data = (const guchar *) g_mapped_file_get_contents (file);
  len = g_mapped_file_get_length (file);

  if (len > 3 && data[2] == 0xFF && jpeg_size (data, len, &width, &height))
    return send_frame (data, len, width, height, tr, error);

  if (!encode_file (path, send_frame, tr, cancellable, error))
    return FALSE;
  if (tr->index != before + 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: an image in a numbered sequence must hold one frame, not %"
                   G_GUINT64_FORMAT, path, tr->index - before);
      return FALSE;
    }
  return TRUE;
}

gboolean
vigil_kafka_producer_send_traffic (VigilKafkaProducer              *self,
                                   const char                      *source,
                                   const VigilKafkaTrafficOptions  *options,
                                   GCancellable                    *cancellable,
                                   GError                         **error)
{
  g_autoptr(GHashTable) detections = NULL;
  g_autoptr(GArray) images = NULL;
  g_autoptr(GString) payload = NULL;
  rd_kafka_topic_t *topic;
  TrafficRun tr = { 0 };
  gboolean ok = TRUE;
  gint32 partition;
  Run run;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (source != NULL, FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (options->camera_id == NULL || !valid_name (options->camera_id) ||
      !vigil_kafka_camera_partition (options->camera_id, &partition))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "camera id “%s”: expected up to %d letters, digits, '.', '_' or '-' ending "
                   "with the camera's number from 1 (such as cam_03)",
                   options->camera_id != NULL ? options->camera_id : "", VIGIL_KAFKA_NAME_MAX);
      return FALSE;
    }
  if (!isfinite (options->fps) || options->fps <= 0 || options->fps > 1000)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "frames per second must be above 0 and at most 1000");
      return FALSE;
    }
  if (!isfinite (options->speed) || options->speed < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "the speed must be 0 (as fast as possible) or positive");
      return FALSE;
    }

  if (options->detections != NULL)
    {
      detections = read_detections (options->detections, options->camera_id, error);
      if (detections == NULL)
        return FALSE;
    }

  if (g_file_test (source, G_FILE_TEST_IS_DIR))
    {
      images = list_images (source, error);
      if (images == NULL)
        return FALSE;
    }
  else if (!g_file_test (source, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s is neither a folder of images nor a video file", source);
      return FALSE;
    }

  payload = g_string_sized_new (64 * 1024);
  topic = rd_kafka_topic_new (self->rk, "traffic_data", NULL);
  run_begin (&run, self, options->speed, options->start_us, cancellable);
  tr.run = &run;
  tr.options = options;
  tr.topic = topic;
  tr.partition = partition;
  tr.detections = detections;
  tr.payload = payload;
  tr.start_ms = vigil_floor_div (options->start_us, 1000);

  if (images != NULL)
    for (guint i = 0; ok && i < images->len; i++)
      ok = send_image_file (&tr, g_array_index (images, ImageFile, i).path, cancellable, error);
  else
    ok = encode_file (source, send_frame, &tr, cancellable, error);

  ok = run_end (&run, ok, ok ? error : NULL);
  rd_kafka_topic_destroy (topic);
  return ok;
}
