/* vigil-kafka-publish.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-kafka"

#include "config.h"

#include <gio/gio.h>
#include <librdkafka/rdkafka.h>
#include <stdatomic.h>
#include <string.h>

#include "vigil-kafka-message.h"
#include "vigil-kafka-publish.h"
#include "vigil-sensor.h"

#define DEFAULT_TOPIC     "hydraulic-analytics"
#define POLL_MS           100
#define FREE_FLUSH_MS     10000

struct _VigilKafkaPublisher
{
  rd_kafka_t       *rk;
  rd_kafka_topic_t *topic;
  GThread          *poller;
  atomic_bool       stopping;
  atomic_bool       waited;     /* a flush timed out: free() does not wait again */

  atomic_ulong      queued;
  atomic_ulong      delivered;
  atomic_ulong      dropped;
  atomic_ulong      errors;
  atomic_ulong      skipped;

  GMutex            lock;
  char             *last_error;
};

static void
set_last_error (VigilKafkaPublisher *self,
                const char          *text)
{
  g_mutex_lock (&self->lock);
  if (g_strcmp0 (self->last_error, text) != 0)
    {
      g_free (self->last_error);
      self->last_error = g_strdup (text);
    }
  g_mutex_unlock (&self->lock);
}

static void
on_delivery (rd_kafka_t               *rk,
             const rd_kafka_message_t *message,
             void                     *opaque)
{
  VigilKafkaPublisher *self = opaque;

  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR)
    atomic_fetch_add (&self->delivered, 1);
  else
    {
      atomic_fetch_add (&self->errors, 1);
      set_last_error (self, rd_kafka_err2str (message->err));
    }
}

static void
on_error (rd_kafka_t *rk,
          int         err,
          const char *reason,
          void       *opaque)
{
  set_last_error (opaque, reason);
}

static void
on_log (const rd_kafka_t *rk,
        int               level,
        const char       *facility,
        const char       *message)
{
  g_debug ("librdkafka: %s: %s", facility, message);
}

static gpointer
poll_thread (gpointer data)
{
  VigilKafkaPublisher *self = data;

  while (!atomic_load (&self->stopping))
    rd_kafka_poll (self->rk, POLL_MS);
  return NULL;
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

VigilKafkaPublisher *
vigil_kafka_publisher_new (const VigilKafkaConnection  *connection,
                           const char                  *topic,
                           GError                     **error)
{
  VigilKafkaPublisher *self;
  VigilKafkaTopic parsed;
  rd_kafka_conf_t *conf;
  g_autofree char *max = NULL;
  char errstr[512];

  g_return_val_if_fail (connection != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (topic == NULL)
    topic = DEFAULT_TOPIC;
  if (!vigil_kafka_topic_parse (topic, &parsed) || parsed.kind != VIGIL_KAFKA_ANALYTICS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an analytics topic (hydraulic-analytics, or RIG.hydraulic-analytics)",
                   topic);
      return NULL;
    }

  conf = vigil_kafka_connection_new_conf (connection, error);
  if (conf == NULL)
    return NULL;
  max = g_strdup_printf ("%d", VIGIL_KAFKA_PUBLISH_QUEUE_MAX);
  if (!set (conf, "enable.idempotence", "true", error) ||
      !set (conf, "queue.buffering.max.messages", max, error))
    {
      rd_kafka_conf_destroy (conf);
      return NULL;
    }

  self = g_new0 (VigilKafkaPublisher, 1);
  g_mutex_init (&self->lock);
  rd_kafka_conf_set_opaque (conf, self);
  rd_kafka_conf_set_dr_msg_cb (conf, on_delivery);
  rd_kafka_conf_set_error_cb (conf, on_error);
  rd_kafka_conf_set_log_cb (conf, on_log);

  self->rk = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (self->rk == NULL)
    {
      rd_kafka_conf_destroy (conf);
      g_mutex_clear (&self->lock);
      g_free (self);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create a Kafka producer: %s",
                   errstr);
      return NULL;
    }
  self->topic = rd_kafka_topic_new (self->rk, topic, NULL);
  self->poller = g_thread_new ("vigil-kafka-publish", poll_thread, self);
  return self;
}

void
vigil_kafka_publisher_free (VigilKafkaPublisher *self)
{
  if (self == NULL)
    return;

  atomic_store (&self->stopping, TRUE);
  g_thread_join (self->poller);
  if (!atomic_load (&self->waited))
    rd_kafka_flush (self->rk, FREE_FLUSH_MS);
  rd_kafka_purge (self->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll (self->rk, 0);
  rd_kafka_topic_destroy (self->topic);
  rd_kafka_destroy (self->rk);
  g_mutex_clear (&self->lock);
  g_free (self->last_error);
  g_free (self);
}

void
vigil_kafka_publisher_add_windows (VigilKafkaPublisher    *self,
                                   const VigilWindowStats *windows,
                                   guint                   n_windows)
{
  vigil_kafka_publisher_add_rig_windows (self, NULL, windows, n_windows);
}

void
vigil_kafka_publisher_add_rig_windows (VigilKafkaPublisher    *self,
                                       const char             *rig,
                                       const VigilWindowStats *windows,
                                       guint                   n_windows)
{
  g_autoptr(GString) payload = NULL;
  VigilKafkaAnalytics analytics = { 0 };

  g_return_if_fail (self != NULL);
  g_return_if_fail (windows != NULL || n_windows == 0);
  g_return_if_fail (rig == NULL || strlen (rig) <= VIGIL_KAFKA_NAME_MAX);

  if (rig != NULL)
    g_strlcpy (analytics.rig, rig, sizeof analytics.rig);
  payload = g_string_sized_new (256);
  for (guint i = 0; i < n_windows; i++)
    {
      const char *sensor;

      if (windows[i].key >= VIGIL_N_SENSORS)
        {
          atomic_fetch_add (&self->skipped, 1);
          continue;
        }
      sensor = vigil_sensor_get_info (windows[i].key)->name;
      analytics.stats = windows[i];
      g_string_truncate (payload, 0);
      vigil_kafka_write_analytics (payload, &analytics);

      if (rd_kafka_produce (self->topic, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                            payload->str, payload->len, sensor, strlen (sensor), NULL) == 0)
        atomic_fetch_add (&self->queued, 1);
      else
        {
          rd_kafka_resp_err_t err = rd_kafka_last_error ();

          atomic_fetch_add (&self->dropped, 1);
          if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            set_last_error (self, rd_kafka_err2str (err));
        }
    }
}

gboolean
vigil_kafka_publisher_flush (VigilKafkaPublisher  *self,
                             guint                 timeout_ms,
                             GError              **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* rd_kafka_flush() also serves the delivery reports; the poller thread serving some of
   * them meanwhile is allowed. */
  if (rd_kafka_flush (self->rk, (int) MIN (timeout_ms, (guint) G_MAXINT)) !=
      RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      atomic_store (&self->waited, TRUE);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "%d window results still wait for the Kafka brokers",
                   rd_kafka_outq_len (self->rk));
      return FALSE;
    }
  return TRUE;
}

void
vigil_kafka_publisher_get_stats (VigilKafkaPublisher    *self,
                                 VigilKafkaPublishStats *stats)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (stats != NULL);

  stats->queued = atomic_load (&self->queued);
  stats->delivered = atomic_load (&self->delivered);
  stats->dropped = atomic_load (&self->dropped);
  stats->errors = atomic_load (&self->errors);
  stats->skipped = atomic_load (&self->skipped);
}

char *
vigil_kafka_publisher_dup_last_error (VigilKafkaPublisher *self)
{
  char *text;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->lock);
  text = g_strdup (self->last_error);
  g_mutex_unlock (&self->lock);
  return text;
}
