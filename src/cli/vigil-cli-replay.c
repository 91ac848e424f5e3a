/* vigil-cli-replay.c
 *
 * vigil-cli replay hydraulic DIR --db FILE [...]: a dataset through the engine into a store
 * (`replay traffic` is in vigil-cli-replay-traffic.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-cli"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include <glib-unix.h>

#include "vigil-cli-private.h"
#include "vigil-cli-replay.h"
#include "vigil-error.h"
#include "vigil-hydraulic-replay.h"
#include "vigil-kafka-publish.h"
#include "vigil-rules.h"
#include "vigil-store.h"
#include "vigil-time.h"

/* How long the end of a run waits for the brokers to take the last windows. */
#define PUBLISH_FLUSH_MS 10000

typedef struct
{
  GMainLoop            *loop;
  VigilHydraulicReplay *replay;
  GError               *error;
  gboolean              done;
  gboolean              interrupted;
  gboolean              progress;
} RunState;

static gboolean
on_signal (gpointer data)
{
  RunState *state = data;

  state->interrupted = TRUE;
  vigil_hydraulic_replay_stop (state->replay);

  return G_SOURCE_CONTINUE;
}

static gboolean
on_done (gpointer data)
{
  RunState *state = data;

  state->done = TRUE;
  g_main_loop_quit (state->loop);

  return G_SOURCE_REMOVE;
}

static gpointer
wait_thread (gpointer data)
{
  RunState *state = data;

  vigil_hydraulic_replay_wait (state->replay, &state->error);
  g_idle_add (on_done, state);

  return NULL;
}

static gboolean
on_progress (gpointer data)
{
  RunState *state = data;
  VigilReplayStats st;

  vigil_hydraulic_replay_get_stats (state->replay, &st);
  g_printerr ("\rcycle %u of %u, %" G_GUINT64_FORMAT " windows, %" G_GUINT64_FORMAT
              " alarms, rig health %u   ", st.cycles_done, st.n_cycles, st.windows,
              st.alarms_raised, st.rig_health);

  return G_SOURCE_CONTINUE;
}

/* GOption hands its strings over to us. */
void
_vigil_cli_replay_args_clear (VigilCliReplayArgs *args)
{
  g_clear_pointer (&args->speed, g_free);
  g_clear_pointer (&args->window, g_free);
  g_clear_pointer (&args->slide, g_free);
  g_clear_pointer (&args->lateness, g_free);
  g_clear_pointer (&args->rules, g_free);
  g_clear_pointer (&args->start, g_free);
}

gboolean
_vigil_cli_parse_speed (const char  *text,
                        double      *out_speed,
                        GError     **error)
{
  char *end = NULL;
  double v;

  if (text == NULL || g_str_equal (text, "max"))
    {
      *out_speed = 0;
      return TRUE;
    }

  v = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (v) || v <= 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "--speed: “%s” is not a speed (expected max, or a positive factor such as 1 "
                   "for real time or 10)", text);
      return FALSE;
    }

  *out_speed = v;
  return TRUE;
}

gboolean
_vigil_cli_parse_duration_option (const char  *option,
                                  const char  *text,
                                  gint64      *out_us,
                                  GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (text == NULL)
    return TRUE;

  if (!vigil_duration_parse (text, out_us, &local_error))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID, "%s: %s", option,
                   local_error->message);
      return FALSE;
    }

  return TRUE;
}

gboolean
_vigil_cli_replay_options_parse (const VigilCliReplayArgs  *args,
                                 VigilReplayOptions        *options,
                                 VigilRuleSet             **out_rules,
                                 GError                   **error)
{
  g_autoptr(VigilRuleSet) rules = NULL;

  vigil_replay_options_init (options);

  if (!_vigil_cli_parse_speed (args->speed, &options->speed, error) ||
      !_vigil_cli_parse_duration_option ("--window", args->window, &options->window_us, error) ||
      !_vigil_cli_parse_duration_option ("--slide", args->slide, &options->slide_us, error) ||
      !_vigil_cli_parse_duration_option ("--lateness", args->lateness, &options->lateness_us,
                                         error))
    return FALSE;

  if (args->start != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      if (!vigil_time_parse_iso8601 (args->start, &options->start_us, &local_error))
        {
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID, "--start: %s",
                       local_error->message);
          return FALSE;
        }
    }

  if (args->workers < 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "--workers must be 0 (automatic) or more");
      return FALSE;
    }
  options->n_workers = (guint) args->workers;

  rules = args->rules != NULL ? vigil_rule_set_new_from_file (args->rules, error)
                              : vigil_rule_set_new_default ();
  if (rules == NULL)
    return FALSE;

  *out_rules = g_steal_pointer (&rules);
  return TRUE;
}

static gboolean
run_replay (const char                *dir,
            const char                *db,
            VigilRuleSet              *rules,
            const VigilReplayOptions  *options,
            VigilKafkaPublisher       *publisher,
            VigilReplayStats          *out_stats,
            gboolean                  *out_interrupted,
            VigilHydraulicReplay     **out_replay,
            GError                   **error)
{
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilHydraulicReplay) replay = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) close_error = NULL;
  RunState state = { 0 };
  guint sigint, sigterm, progress = 0;
  gint64 t0 = g_get_monotonic_time ();
  GThread *waiter;

  store = vigil_store_open (db, error);
  if (store == NULL)
    return FALSE;

  replay = vigil_hydraulic_replay_new (dir, store, rules, options);
  if (publisher != NULL)
    vigil_hydraulic_replay_set_publisher (replay, publisher);
  if (!vigil_hydraulic_replay_start (replay, error))
    {
      vigil_store_close (store, NULL);
      return FALSE;
    }

  loop = g_main_loop_new (NULL, FALSE);
  state.loop = loop;
  state.replay = replay;
  sigint = g_unix_signal_add (SIGINT, on_signal, &state);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &state);
  if (isatty (STDERR_FILENO))
    progress = g_timeout_add (500, on_progress, &state);

  waiter = g_thread_new ("vigil-replay-wait", wait_thread, &state);
  while (!state.done)
    g_main_loop_run (loop);
  g_thread_join (waiter);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (progress != 0)
    {
      g_source_remove (progress);
      g_printerr ("\r%80s\r", "");
    }

  vigil_hydraulic_replay_get_stats (replay, out_stats);
  out_stats->seconds = (g_get_monotonic_time () - t0) / 1e6;
  *out_interrupted = state.interrupted;

  if (!vigil_store_close (store, state.error == NULL ? &close_error : NULL) && state.error == NULL)
    state.error = g_steal_pointer (&close_error);

  if (state.error != NULL)
    {
      g_propagate_error (error, state.error);
      return FALSE;
    }

  if (out_replay != NULL)
    *out_replay = g_steal_pointer (&replay);

  return TRUE;
}

gboolean
_vigil_cli_run_replay (const char                *dir,
                       const char                *db,
                       VigilRuleSet              *rules,
                       const VigilReplayOptions  *options,
                       VigilReplayStats          *out_stats,
                       gboolean                  *out_interrupted,
                       VigilHydraulicReplay     **out_replay,
                       GError                   **error)
{
  return run_replay (dir, db, rules, options, NULL, out_stats, out_interrupted, out_replay,
                     error);
}

void
_vigil_cli_publisher_finish (VigilKafkaPublisher *publisher)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *last_error = NULL;
  VigilKafkaPublishStats st;

  if (!vigil_kafka_publisher_flush (publisher, PUBLISH_FLUSH_MS, &error))
    g_printerr ("vigil-cli: publish: %s\n", error->message);
  vigil_kafka_publisher_get_stats (publisher, &st);
  last_error = vigil_kafka_publisher_dup_last_error (publisher);
  if (st.errors > 0 && last_error != NULL)
    g_printerr ("vigil-cli: publish: %" G_GUINT64_FORMAT " windows were not delivered: %s\n",
                st.errors, last_error);
  if (st.dropped > 0)
    g_printerr ("vigil-cli: publish: %" G_GUINT64_FORMAT " windows dropped: the brokers did not "
                "keep up with the engine (%d waiting at most)\n", st.dropped,
                VIGIL_KAFKA_PUBLISH_QUEUE_MAX);
  g_print ("publish: topic=hydraulic-analytics windows=%" G_GUINT64_FORMAT " delivered=%"
           G_GUINT64_FORMAT " dropped=%" G_GUINT64_FORMAT " errors=%" G_GUINT64_FORMAT
           " undelivered=%" G_GUINT64_FORMAT "\n", st.queued + st.dropped, st.delivered,
           st.dropped, st.errors, st.queued - MIN (st.queued, st.delivered + st.errors));
  vigil_kafka_publisher_free (publisher);
}

void
_vigil_cli_print_summary (const VigilReplayStats *st)
{
  g_print ("replay: samples=%" G_GUINT64_FORMAT " windows=%" G_GUINT64_FORMAT " late=%"
           G_GUINT64_FORMAT " alarms=%" G_GUINT64_FORMAT " seconds=%.3f samples_per_s=%.0f\n",
           st->samples, st->windows, st->late, st->alarms_raised, st->seconds,
           st->seconds > 0 ? st->samples / st->seconds : 0.0);
}

int
_vigil_cli_replay (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRuleSet) rules = NULL;
  g_autofree char *db = NULL;
  g_autofree char *publish = NULL;
  g_auto(VigilCliReplayArgs) args = { 0 };
  VigilKafkaPublisher *publisher = NULL;
  VigilKafkaConnection connection;
  VigilReplayOptions options;
  VigilReplayStats stats;
  gboolean interrupted = FALSE;
  gboolean ok;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "Store to write (created if missing)", "FILE" },
    { "speed", 0, 0, G_OPTION_ARG_STRING, &args.speed,
      "Replay speed: max (default) or a factor, 1 = real time", "max|N" },
    { "window", 0, 0, G_OPTION_ARG_STRING, &args.window, "Window length (default 60 s)", "S" },
    { "slide", 0, 0, G_OPTION_ARG_STRING, &args.slide,
      "Window slide (default 10 s; equal to --window for tumbling windows)", "S" },
    { "lateness", 0, 0, G_OPTION_ARG_STRING, &args.lateness,
      "Allowed lateness (default 10 s)", "S" },
    { "rules", 0, 0, G_OPTION_ARG_FILENAME, &args.rules,
      "Alarm rules (JSON); default: the built-in rules", "FILE" },
    { "start", 0, 0, G_OPTION_ARG_STRING, &args.start,
      "Event time of cycle 0 (default 2025-01-01T00:00:00Z)", "ISO" },
    { "workers", 0, 0, G_OPTION_ARG_INT, &args.workers,
      "Worker threads (default: one per processor, at most one per sensor)", "N" },
    { "publish", 0, 0, G_OPTION_ARG_STRING, &publish,
      "Also publish every window to the topic hydraulic-analytics of these Kafka brokers, in "
      "the seed's format (security: --help-kafka)", "HOST:PORT[,...]" },
    { NULL }
  };

  vigil_kafka_connection_init (&connection, NULL);
  context = g_option_context_new ("hydraulic DIR — replay a recorded dataset into a store");
  g_option_context_set_summary (context,
    "Streams a hydraulic dataset in the UCI layout (PS1.txt ... SE.txt, profile.txt) through "
    "event-time windows,\nthe alarm rules and the health score, and stores windows, alarms, "
    "late records and cycle labels.\nSample i of a sensor at rate r in cycle k happens at "
    "start + k×60 s + i/r.\n\nDurations are seconds (60, 0.5) or take a unit (250ms, 10s, 5m, "
    "1h).\n\nCameras replay with “replay traffic SOURCE --camera ID --db FILE”: a folder of "
    "numbered images,\na video file or a URI through the detector, the tracker, the traffic "
    "statistics and the\ncamera's alarm rules (their options: “replay traffic --help”).");
  g_option_context_set_description (context,
    "Ends with one line:\n  replay: samples=N windows=N late=N alarms=N seconds=S "
    "samples_per_s=N\nWith --publish, then:\n  publish: topic=hydraulic-analytics windows=N "
    "delivered=N dropped=N errors=N undelivered=N\n(publishing never slows the replay: windows "
    "the brokers cannot take in time are dropped and counted).\nExit status: 0 done, 1 error, "
    "2 bad usage, 130 stopped by a signal.");
  /* Cameras take options of their own (vigil-cli-replay-traffic.c). */
  if (argc >= 2 && g_str_equal (argv[1], "traffic"))
    return _vigil_cli_replay_traffic (argc, argv);

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, _vigil_cli_kafka_option_group (&connection));

  ok = g_option_context_parse (context, &argc, &argv, &error);
  /* The connection is only for publishing: the brokers come with --publish. */
  if (ok && publish == NULL && connection.brokers != NULL)
    {
      vigil_kafka_connection_clear (&connection);
      return _vigil_cli_usage ("replay", "--brokers: say --publish BROKERS instead");
    }
  if (ok && publish != NULL)
    {
      g_free (connection.brokers);
      connection.brokers = g_strdup (publish);
      if (_vigil_cli_kafka_finish_connection (&connection, &error))
        publisher = vigil_kafka_publisher_new (&connection, NULL, &error);
      ok = publisher != NULL;
    }
  vigil_kafka_connection_clear (&connection);
  if (!ok)
    return error->domain == G_OPTION_ERROR ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT)
           ? _vigil_cli_usage ("replay", error->message) : _vigil_cli_fail (error);

  if (argc < 2 || !g_str_equal (argv[1], "hydraulic") || argc != 3 || db == NULL)
    {
      g_clear_pointer (&publisher, vigil_kafka_publisher_free);
      if (argc < 2)
        return _vigil_cli_usage ("replay", "say what to replay: hydraulic DIR, or traffic "
                                 "SOURCE --camera ID");
      if (!g_str_equal (argv[1], "hydraulic"))
        return _vigil_cli_usage ("replay", "only “hydraulic” datasets and “traffic” cameras "
                                 "can be replayed");
      return _vigil_cli_usage ("replay", argc != 3 ? "expected one dataset directory"
                                                   : "--db FILE is required");
    }

  ok = _vigil_cli_replay_options_parse (&args, &options, &rules, &error) &&
       run_replay (argv[2], db, rules, &options, publisher, &stats, &interrupted, NULL, &error);
  if (!ok)
    {
      g_clear_pointer (&publisher, vigil_kafka_publisher_free);
      return _vigil_cli_fail (error);
    }

  _vigil_cli_print_summary (&stats);
  if (publisher != NULL)
    _vigil_cli_publisher_finish (publisher);

  if (interrupted)
    {
      g_printerr ("vigil-cli: stopped after %u of %u cycles; what was computed is stored\n",
                  stats.cycles_done, stats.n_cycles);
      return 130;
    }

  return 0;
}
