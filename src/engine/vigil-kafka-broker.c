/* vigil-kafka-broker.c
 *
 * The mock cluster of librdkafka, with Vigil's topics, and an optional bootstrap port of the
 * operator's choosing. The mock only listens on ports the system picks, so a chosen port is a
 * small relay to the first broker: a client bootstraps through it, then reaches every broker
 * directly at the addresses the metadata gives (all on loopback).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-kafka"

#include "config.h"

#include <gio/gio.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <string.h>

#include "vigil-kafka-broker.h"
#include "vigil-sensor.h"

#define MAX_TOPIC_NAME 249

struct _VigilKafkaBroker
{
  rd_kafka_t              *rk;
  rd_kafka_mock_cluster_t *cluster;
  guint                    n_brokers;
  char                    *bootstrap;
  guint16                  first_port;    /* the first mock broker's */

  /* The relay of a chosen bootstrap port, run by its own thread and main context. Everything
   * below is touched only by that thread once it runs. */
  GMainContext            *context;
  GSocketService          *service;
  GCancellable            *cancellable;
  GThread                 *thread;
  guint                    n_relays;
  gboolean                 stopping;
};

static void
on_log (const rd_kafka_t *rk,
        int               level,
        const char       *facility,
        const char       *message)
{
  g_debug ("mock broker: %s: %s", facility, message);
}

static guint
replication_factor (VigilKafkaBroker *self)
{
  return MIN (self->n_brokers, 3);
}

static gboolean
valid_topic_name (const char *topic)
{
  gsize len = strlen (topic);

  if (len == 0 || len > MAX_TOPIC_NAME || strcmp (topic, ".") == 0 || strcmp (topic, "..") == 0)
    return FALSE;
  for (const char *p = topic; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

gboolean
vigil_kafka_broker_create_topic (VigilKafkaBroker  *self,
                                 const char        *topic,
                                 guint              partitions,
                                 GError           **error)
{
  rd_kafka_resp_err_t err;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (topic != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!valid_topic_name (topic))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a Kafka topic name (1 to %d letters, digits, '.', '_', '-')",
                   topic, MAX_TOPIC_NAME);
      return FALSE;
    }
  if (partitions < 1 || partitions > VIGIL_KAFKA_BROKER_MAX_PARTITIONS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "a topic has 1 to %d partitions, not %u", VIGIL_KAFKA_BROKER_MAX_PARTITIONS,
                   partitions);
      return FALSE;
    }

  err = rd_kafka_mock_topic_create (self->cluster, topic, (int) partitions,
                                    (int) replication_factor (self));
  if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "topic “%s” already exists", topic);
      return FALSE;
    }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create topic “%s”: %s", topic,
                   rd_kafka_err2str (err));
      return FALSE;
    }
  return TRUE;
}

static gboolean
create_vigil_topics (VigilKafkaBroker  *self,
                     guint              partitions,
                     GError           **error)
{
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      g_autofree char *topic = g_strconcat ("hydraulic-", vigil_sensor_get_info (s)->name, NULL);

      if (!vigil_kafka_broker_create_topic (self, topic, partitions, error))
        return FALSE;
    }
  return vigil_kafka_broker_create_topic (self, "hydraulic-labels", partitions, error) &&
         vigil_kafka_broker_create_topic (self, "hydraulic-analytics", partitions, error) &&
         vigil_kafka_broker_create_topic (self, "traffic_data", VIGIL_KAFKA_TRAFFIC_PARTITIONS,
                                          error);
}

static void
on_relay_done (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  VigilKafkaBroker *self = data;
  g_autoptr(GError) error = NULL;

  if (!g_io_stream_splice_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("bootstrap relay: %s", error->message);
  self->n_relays--;
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           data)
{
  VigilKafkaBroker *self = data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) target = g_inet_socket_address_new (loopback, self->first_port);
  g_autoptr(GSocketConnection) upstream = NULL;
  g_autoptr(GError) error = NULL;

  if (self->stopping)
    return TRUE;

  /* A refused connection (brokers taken down) drops the client's, as a dead broker would. */
  upstream = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (target), self->cancellable,
                                      &error);
  if (upstream == NULL)
    {
      g_debug ("bootstrap relay: %s", error->message);
      return TRUE;
    }

  self->n_relays++;
  g_io_stream_splice_async (G_IO_STREAM (connection), G_IO_STREAM (upstream),
                            G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                            G_PRIORITY_DEFAULT, self->cancellable, on_relay_done, self);
  return TRUE;
}

static gpointer
relay_thread (gpointer data)
{
  VigilKafkaBroker *self = data;

  g_main_context_push_thread_default (self->context);
  while (!self->stopping || self->n_relays > 0)
    g_main_context_iteration (self->context, TRUE);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static gboolean
stop_relay (gpointer data)
{
  VigilKafkaBroker *self = data;

  self->stopping = TRUE;
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  g_cancellable_cancel (self->cancellable);
  return G_SOURCE_REMOVE;
}

/* Binds 127.0.0.1:@port in the relay's context (so accepts are dispatched there) and starts
 * its thread. */
static gboolean
start_relay (VigilKafkaBroker  *self,
             guint16            port,
             GError           **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  gboolean ok;

  self->context = g_main_context_new ();
  self->cancellable = g_cancellable_new ();

  g_main_context_push_thread_default (self->context);
  self->service = g_socket_service_new ();
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
  ok = g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, NULL,
                                      error);
  g_main_context_pop_thread_default (self->context);

  if (!ok)
    {
      g_prefix_error (error, "cannot listen on 127.0.0.1:%u: ", port);
      return FALSE;
    }

  self->thread = g_thread_new ("vigil-kafka-relay", relay_thread, self);
  return TRUE;
}

VigilKafkaBroker *
vigil_kafka_broker_new (guint     n_brokers,
                        guint16   port,
                        guint     partitions,
                        GError  **error)
{
  g_autoptr(VigilKafkaBroker) self = NULL;
  rd_kafka_conf_t *conf;
  const char *bootstraps;
  const char *colon;
  g_autofree char *port_text = NULL;
  char errstr[512];
  guint64 first_port = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n_brokers < 1 || n_brokers > VIGIL_KAFKA_BROKER_MAX_BROKERS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "a local cluster has 1 to %d brokers, not %u", VIGIL_KAFKA_BROKER_MAX_BROKERS,
                   n_brokers);
      return NULL;
    }
  if (partitions < 1 || partitions > VIGIL_KAFKA_BROKER_MAX_PARTITIONS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "a topic has 1 to %d partitions, not %u", VIGIL_KAFKA_BROKER_MAX_PARTITIONS,
                   partitions);
      return NULL;
    }

  self = g_new0 (VigilKafkaBroker, 1);
  self->n_brokers = n_brokers;

  /* The mock needs a client handle for its bookkeeping; this one never connects anywhere. */
  conf = rd_kafka_conf_new ();
  rd_kafka_conf_set_log_cb (conf, on_log);
  rd_kafka_conf_set (conf, "client.id", "vigil-broker", NULL, 0);
  self->rk = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (self->rk == NULL)
    {
      rd_kafka_conf_destroy (conf);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot start the local broker: %s",
                   errstr);
      return NULL;
    }

  self->cluster = rd_kafka_mock_cluster_new (self->rk, (int) n_brokers);
  if (self->cluster == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "cannot start the local broker: no loopback port could be opened");
      return NULL;
    }

  bootstraps = rd_kafka_mock_cluster_bootstraps (self->cluster);
  colon = strchr (bootstraps, ':');
  if (colon != NULL)
    port_text = g_strndup (colon + 1, strcspn (colon + 1, ","));
  if (port_text == NULL ||
      !g_ascii_string_to_unsigned (port_text, 10, 1, G_MAXUINT16, &first_port, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the local broker gave an unexpected address “%s”", bootstraps);
      return NULL;
    }
  self->first_port = (guint16) first_port;

  if (!create_vigil_topics (self, partitions, error))
    return NULL;

  if (port == 0)
    self->bootstrap = g_strdup (bootstraps);
  else
    {
      if (!start_relay (self, port, error))
        return NULL;
      self->bootstrap = g_strdup_printf ("127.0.0.1:%u", port);
    }

  return g_steal_pointer (&self);
}

void
vigil_kafka_broker_free (VigilKafkaBroker *self)
{
  if (self == NULL)
    return;

  if (self->thread != NULL)
    {
      g_main_context_invoke (self->context, stop_relay, self);
      g_thread_join (self->thread);
    }
  g_clear_object (&self->service);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);

  g_clear_pointer (&self->cluster, rd_kafka_mock_cluster_destroy);
  g_clear_pointer (&self->rk, rd_kafka_destroy);
  g_free (self->bootstrap);
  g_free (self);
}

const char *
vigil_kafka_broker_get_bootstrap (VigilKafkaBroker *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->bootstrap;
}

void
vigil_kafka_broker_set_available (VigilKafkaBroker *self,
                                  gboolean          available)
{
  g_return_if_fail (self != NULL);

  for (guint id = 1; id <= self->n_brokers; id++)
    {
      if (available)
        rd_kafka_mock_broker_set_up (self->cluster, (int32_t) id);
      else
        rd_kafka_mock_broker_set_down (self->cluster, (int32_t) id);
    }
}
