/* vigil-cli-consume.c
 *
 * vigil-cli consume --brokers B --db FILE [...]: the engine on Kafka's hydraulic and traffic
 * topics, headless, exactly once into a store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-cli"

#include "config.h"

#include <gio/gio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "vigil-cli-private.h"
#include "vigil-cli-replay.h"
#include "vigil-error.h"
#include "vigil-kafka-source.h"
#include "vigil-rules.h"
#include "vigil-store.h"
#include "vigil-time.h"

/* How often the main loop looks at the source. */
#define CHECK_INTERVAL_MS 100

typedef struct
{
  GMainLoop        *loop;
  VigilKafkaSource *source;
  double            exit_when_idle;  /* seconds; 0: never */
  gboolean          interrupted;
  gboolean          progress;
  char             *reported;        /* the last error printed */
} RunState;

static gboolean
on_signal (gpointer data)
{
  RunState *state = data;

  state->interrupted = TRUE;
  g_main_loop_quit (state->loop);

  return G_SOURCE_CONTINUE;
}

static gboolean
on_check (gpointer data)
{
  RunState *state = data;
  g_autofree char *error = vigil_kafka_source_dup_last_error (state->source);
  VigilKafkaSourceStats st;

  vigil_kafka_source_get_stats (state->source, &st);

  /* Broker trouble is retried, not fatal: say it once, as it changes. */
  if (error != NULL && g_strcmp0 (error, state->reported) != 0)
    {
      g_printerr ("%svigil-cli: Kafka: %s (%s)\n", state->progress ? "\r" : "", error,
                  vigil_kafka_source_state_to_string (st.state));
      g_free (state->reported);
      state->reported = g_steal_pointer (&error);
    }

  if (state->progress)
    g_printerr ("\r%s: %" G_GUINT64_FORMAT " records, %" G_GUINT64_FORMAT " windows, %"
                G_GUINT64_FORMAT " alarms, %" G_GUINT64_FORMAT " dead letters, lag %"
                G_GINT64_FORMAT "   ", vigil_kafka_source_state_to_string (st.state),
                st.messages, st.windows, st.alarms_raised, st.dead_letters, st.lag);

  if (st.state == VIGIL_KAFKA_SOURCE_FAILED ||
      (state->exit_when_idle > 0 && st.idle_seconds >= state->exit_when_idle))
    g_main_loop_quit (state->loop);

  return G_SOURCE_CONTINUE;
}

static gboolean
parse_start (const char       *text,
             VigilKafkaStart  *out,
             GError          **error)
{
  if (text == NULL)
    *out = VIGIL_KAFKA_START_STORED;
  else if (!vigil_kafka_start_from_string (text, out))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--start: “%s” is not one of earliest, latest, stored", text);
      return FALSE;
    }

  return TRUE;
}

/* -X settings the connection options own, which would bypass their checks or make the
 * connection's description (in errors and logs) untrue. */
static const char *const connection_keys[] = {
  "bootstrap.servers", "metadata.broker.list", "security.protocol", "sasl.mechanism",
  "sasl.mechanisms", "sasl.username", "ssl.ca.location", "enable.ssl.certificate.verification",
  "ssl.endpoint.identification.algorithm",
};

/* Refuses an -X setting that carries a secret (`ps` shows every argument, and librdkafka's
 * error would quote it) or overrides a connection option. The message never holds the
 * value. */
static gboolean
check_properties (const char *const  *properties,
                  GError            **error)
{
  for (guint i = 0; properties != NULL && properties[i] != NULL; i++)
    {
      g_autofree char *key = g_strndup (properties[i], strcspn (properties[i], "="));
      g_autofree char *lower = g_ascii_strdown (g_strstrip (key), -1);

      if (strstr (lower, "password") != NULL || strstr (lower, "secret") != NULL ||
          g_str_has_suffix (lower, ".pem") || g_str_has_prefix (lower, "sasl.oauthbearer."))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "-X %s: no secrets on the command line, where `ps` shows them to "
                       "every user (the SASL password comes from $VIGIL_KAFKA_PASSWORD or a "
                       "prompt; keys from files, -X ssl.key.location=FILE)", lower);
          return FALSE;
        }
      for (guint k = 0; k < G_N_ELEMENTS (connection_keys); k++)
        if (strcmp (lower, connection_keys[k]) == 0)
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         "-X %s: set by the connection options (--brokers, --security, "
                         "--sasl-mechanism, --username, --ca-file, --no-verify)", lower);
            return FALSE;
          }
    }

  return TRUE;
}

/* --publish alone publishes to the cluster consumed; --publish=BROKERS to another one. The
 * main group's callbacks get the connection: it comes first, so the struct is at hand. */
typedef struct
{
  VigilKafkaConnection  connection;
  gboolean              enabled;
  char                 *brokers;
} ConsumeArgs;

static gboolean
on_publish (const char  *option_name,
            const char  *value,
            gpointer     data,
            GError     **error)
{
  ConsumeArgs *args = data;

  if (value != NULL && *value == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s=: say which brokers, or leave out the “=”", option_name);
      return FALSE;
    }
  args->enabled = TRUE;
  g_free (args->brokers);
  args->brokers = g_strdup (value);

  return TRUE;
}

static void
consume_args_clear (ConsumeArgs *args)
{
  vigil_kafka_connection_clear (&args->connection);
  g_clear_pointer (&args->brokers, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ConsumeArgs, consume_args_clear)

static gboolean
run_consumer (const VigilKafkaConnection     *connection,
              const char                     *db,
              VigilRuleSet                   *rules,
              const VigilKafkaSourceOptions  *options,
              VigilKafkaPublisher            *publisher,
              double                          exit_when_idle,
              VigilKafkaSourceStats          *out_stats,
              gboolean                       *out_interrupted,
              GError                        **error)
{
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilKafkaSource) source = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) close_error = NULL;
  g_autoptr(GError) run_error = NULL;
  RunState state = { 0 };
  guint sigint, sigterm, check;

  store = vigil_store_open (db, error);
  if (store == NULL)
    return FALSE;

  source = vigil_kafka_source_new (connection, store, rules, options);
  if (publisher != NULL)
    vigil_kafka_source_set_publisher (source, publisher);
  if (!vigil_kafka_source_start (source, error))
    {
      vigil_store_close (store, NULL);
      return FALSE;
    }

  loop = g_main_loop_new (NULL, FALSE);
  state.loop = loop;
  state.source = source;
  state.exit_when_idle = exit_when_idle;
  state.progress = isatty (STDERR_FILENO);
  sigint = g_unix_signal_add (SIGINT, on_signal, &state);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &state);
  check = g_timeout_add (CHECK_INTERVAL_MS, on_check, &state);

  g_main_loop_run (loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_source_remove (check);
  if (state.progress)
    g_printerr ("\r%100s\r", "");
  g_free (state.reported);

  /* The final windows are flushed and stored with the offsets before it returns. */
  vigil_kafka_source_stop (source);
  vigil_kafka_source_wait (source, &run_error);
  vigil_kafka_source_get_stats (source, out_stats);
  *out_interrupted = state.interrupted;

  if (!vigil_store_close (store, run_error == NULL ? &close_error : NULL) && run_error == NULL)
    run_error = g_steal_pointer (&close_error);

  if (run_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&run_error));
      return FALSE;
    }

  return TRUE;
}

/* The summary line, with the traffic counts when any camera was met. */
static void
print_summary (const VigilKafkaSourceStats *st)
{
  g_autoptr(GString) line = g_string_new (NULL);

  g_string_printf (line, "consume: samples=%" G_GUINT64_FORMAT " windows=%" G_GUINT64_FORMAT
                   " late=%" G_GUINT64_FORMAT " alarms=%" G_GUINT64_FORMAT " seconds=%.3f"
                   " samples_per_s=%.0f dead_letters=%" G_GUINT64_FORMAT,
                   st->samples, st->windows, st->late, st->alarms_raised, st->seconds,
                   st->seconds > 0 ? st->samples / st->seconds : 0.0, st->dead_letters);
  if (st->n_cameras > 0)
    g_string_append_printf (line, " frames=%" G_GUINT64_FORMAT " cameras=%u", st->frames,
                            st->n_cameras);
  g_print ("%s\n", line->str);
}

static int
usage_or_fail (GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    return _vigil_cli_usage ("consume", error->message);

  return _vigil_cli_fail (error);
}

int
_vigil_cli_consume (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRuleSet) rules = NULL;
  g_autofree char *db = NULL;
  g_autofree char *group = NULL;
  g_autofree char *topics = NULL;
  g_autofree char *start = NULL;
  g_autofree char *session_start = NULL;
  g_auto(GStrv) properties = NULL;
  g_auto(GStrv) topic_list = NULL;
  g_auto(VigilCliReplayArgs) args = { 0 };
  VigilKafkaSourceOptions options;
  VigilReplayOptions replay_options;
  VigilKafkaSourceStats stats;
  VigilKafkaPublisher *publisher = NULL;
  g_auto(ConsumeArgs) kafka = { 0 };
  double exit_when_idle = 0;
  gboolean interrupted = FALSE;
  gboolean ok;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "Store to write (created if missing)", "FILE" },
    { "group", 0, 0, G_OPTION_ARG_STRING, &group, "Consumer group (default vigil)", "G" },
    { "topics", 0, 0, G_OPTION_ARG_STRING, &topics,
      "Topics, comma-separated; names, or patterns starting with ^ (default "
      "^hydraulic-.*,hydraulic-labels,traffic_data)", "T,..." },
    { "start", 0, 0, G_OPTION_ARG_STRING, &start,
      "Where to begin: stored (default: where the store left off), earliest or latest",
      "WHERE" },
    { "exit-when-idle", 0, 0, G_OPTION_ARG_DOUBLE, &exit_when_idle,
      "Stop (final windows flushed) after that long without a record", "SECONDS" },
    { "session-start", 0, 0, G_OPTION_ARG_STRING, &session_start,
      "Event time of cycle 0, as the producer's --start (default 2025-01-01T00:00:00Z)", "ISO" },
    { "window", 0, 0, G_OPTION_ARG_STRING, &args.window, "Window length (default 60 s)", "S" },
    { "slide", 0, 0, G_OPTION_ARG_STRING, &args.slide, "Window slide (default 10 s)", "S" },
    { "lateness", 0, 0, G_OPTION_ARG_STRING, &args.lateness,
      "Allowed lateness (default 10 s)", "S" },
    { "rules", 0, 0, G_OPTION_ARG_FILENAME, &args.rules,
      "Alarm rules (JSON); default: the built-in rules", "FILE" },
    { "property", 'X', 0, G_OPTION_ARG_STRING_ARRAY, &properties,
      "A librdkafka consumer setting (repeatable; not a secret, not one the connection options "
      "set), e.g. -X session.timeout.ms=6000",
      "KEY=VALUE" },
    { "publish", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, on_publish,
      "Also publish every window stored to hydraulic-analytics, in the seed's format: on the "
      "cluster consumed, or with --publish=HOST:PORT,... on another one (same security "
      "options)", NULL },
    { NULL }
  };

  vigil_kafka_connection_init (&kafka.connection, NULL);
  context = g_option_context_new ("— run the engine on Kafka's hydraulic and traffic topics "
                                  "into a store");
  g_option_context_set_summary (context,
    "Consumes the seed pipeline's topics (hydraulic-<SENSOR> samples, hydraulic-labels) and "
    "runs them\nthrough the same windows, rules, alarms and health models as `replay`, exactly "
    "once into the\nstore: a restart, even after a crash, resumes where the store's last "
    "transaction left off.\nRigs are told apart by the messages' \"rig\" field or a topic "
    "prefix (rig-a.hydraulic-PS1).\nCamera frames on traffic_data (both forms) go through "
    "the camera pipeline of `replay traffic`,\none session per camera id: objects in a message "
    "are used as they are, a frame without\nobjects goes through Vigil's detector.\n"
    "Records that cannot be used go to the store's dead-letter table; the stream goes on.");
  g_option_context_set_description (context,
    "Ends with one line:\n  consume: samples=N windows=N late=N alarms=N seconds=S "
    "samples_per_s=N dead_letters=N\n(and frames=N cameras=N when traffic came)\n"
    "With --publish, then:\n  publish: topic=hydraulic-analytics windows=N delivered=N "
    "dropped=N errors=N undelivered=N\n"
    "Exit status: 0 done, 1 error, 2 bad usage, 130 stopped by a signal.");
  g_option_context_set_main_group (context, _vigil_cli_kafka_option_group (&kafka.connection));
  g_option_context_add_main_entries (context, entries, NULL);

  ok = g_option_context_parse (context, &argc, &argv, &error);
  if (!ok)
    {
      vigil_kafka_connection_clear (&kafka.connection);
      return _vigil_cli_usage ("consume", error->message);
    }
  if (argc != 1 || db == NULL)
    {
      vigil_kafka_connection_clear (&kafka.connection);
      return _vigil_cli_usage ("consume", argc != 1 ? "unexpected arguments"
                                                    : "--db FILE is required");
    }

  vigil_kafka_source_options_init (&options);
  vigil_replay_options_init (&replay_options);
  args.start = g_steal_pointer (&session_start);
  if (!check_properties ((const char *const *) properties, &error) ||
      !_vigil_cli_kafka_finish_connection (&kafka.connection, &error) ||
      !parse_start (start, &options.start, &error))
    {
      vigil_kafka_connection_clear (&kafka.connection);
      return usage_or_fail (error);
    }
  if (!_vigil_cli_replay_options_parse (&args, &replay_options, &rules, &error))
    {
      vigil_kafka_connection_clear (&kafka.connection);
      return _vigil_cli_fail (error);
    }
  if (exit_when_idle < 0 || !isfinite (exit_when_idle))
    {
      vigil_kafka_connection_clear (&kafka.connection);
      return _vigil_cli_usage ("consume", "--exit-when-idle must be a number of seconds");
    }

  if (group != NULL)
    options.group = group;
  if (topics != NULL)
    {
      topic_list = g_strsplit (topics, ",", -1);
      options.topics = (const char * const *) topic_list;
    }
  options.properties = (const char * const *) properties;
  options.start_us = replay_options.start_us;
  options.window_us = replay_options.window_us;
  options.slide_us = replay_options.slide_us;
  options.lateness_us = replay_options.lateness_us;
  /* Windows the last samples end close before the consumer stops for idleness. */
  if (exit_when_idle > 0)
    options.idle_us = MIN (options.idle_us, (gint64) (exit_when_idle * G_USEC_PER_SEC / 2) + 1);

  if (kafka.enabled)
    {
      VigilKafkaConnection target;

      vigil_kafka_connection_copy (&kafka.connection, &target);
      if (kafka.brokers != NULL)
        {
          g_free (target.brokers);
          target.brokers = g_steal_pointer (&kafka.brokers);
        }
      publisher = vigil_kafka_publisher_new (&target, NULL, &error);
      vigil_kafka_connection_clear (&target);
      if (publisher == NULL)
        return usage_or_fail (error);
    }

  ok = run_consumer (&kafka.connection, db, rules, &options, publisher, exit_when_idle, &stats,
                     &interrupted, &error);
  if (!ok)
    {
      g_clear_pointer (&publisher, vigil_kafka_publisher_free);
      return _vigil_cli_fail (error);
    }

  print_summary (&stats);
  if (publisher != NULL)
    _vigil_cli_publisher_finish (publisher);

  return interrupted ? 130 : 0;
}
