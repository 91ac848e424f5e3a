/* vigil-cli-broker.c
 *
 * `vigil-cli broker`: a local Kafka-protocol broker to try `produce` and `consume` without a
 * cluster, until SIGINT or SIGTERM.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-cli"

#include "config.h"

#include <glib-unix.h>
#include <stdio.h>

#include "vigil-cli-private.h"
#include "vigil-kafka-broker.h"

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

int
_vigil_cli_broker (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(VigilKafkaBroker) broker = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  int port = 0;
  int partitions = VIGIL_KAFKA_BROKER_DEFAULT_PARTITIONS;
  guint sigint, sigterm;
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port,
      "Bootstrap port on 127.0.0.1 (default: one the system picks)", "N" },
    { "partitions", 0, 0, G_OPTION_ARG_INT, &partitions,
      "Partitions of each hydraulic topic (default 4; traffic_data always has 10)", "N" },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
    "Runs a Kafka-protocol broker inside this process, so that “vigil-cli produce” and\n"
    "“vigil-cli consume” (or any Kafka client) can be tried without a cluster. It prints one\n"
    "line, “bootstrap 127.0.0.1:PORT”, the address to give as --brokers, and runs until\n"
    "interrupted (Ctrl+C or SIGTERM).\n"
    "\n"
    "Topics ready: hydraulic-PS1 … hydraulic-SE (the 17 sensors), hydraulic-labels and\n"
    "hydraulic-analytics, and traffic_data with 10 partitions. Other topics are created with\n"
    "4 partitions when first used.\n"
    "\n"
    "Limits: this is librdkafka's mock cluster, for trying Vigil and for tests, not for\n"
    "production. It listens on loopback only (127.0.0.1), without TLS or SASL. Everything is\n"
    "kept in memory and lost when it stops. Each partition keeps only its newest 5 MiB of\n"
    "record batches (at most 100 000 batches): older messages are dropped, so a consumer that\n"
    "starts late misses them. Production uses a real Kafka cluster.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return _vigil_cli_usage ("broker", error->message);
  if (argc > 1)
    return _vigil_cli_usage ("broker", "unexpected argument; the broker takes only options");
  if (port < 0 || port > G_MAXUINT16)
    {
      g_autofree char *message = g_strdup_printf ("--port must be 0 to 65535, not %d", port);
      return _vigil_cli_usage ("broker", message);
    }
  if (partitions < 1 || partitions > VIGIL_KAFKA_BROKER_MAX_PARTITIONS)
    {
      g_autofree char *message = g_strdup_printf ("--partitions must be 1 to %d, not %d",
                                                  VIGIL_KAFKA_BROKER_MAX_PARTITIONS, partitions);
      return _vigil_cli_usage ("broker", message);
    }

  broker = vigil_kafka_broker_new (1, (guint16) port, (guint) partitions, &error);
  if (broker == NULL)
    return _vigil_cli_fail (error);

  printf ("bootstrap %s\n", vigil_kafka_broker_get_bootstrap (broker));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  sigint = g_unix_signal_add (SIGINT, on_signal, loop);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, loop);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  g_printerr ("vigil-cli broker: stopped; its messages are gone\n");
  return 0;
}
