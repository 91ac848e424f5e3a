/* vigil-cli-produce.c
 *
 * `vigil-cli produce hydraulic DIR` and `vigil-cli produce traffic SOURCE`: recorded data to
 * Kafka in the seed pipeline's formats, paced like a replay.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-cli"

#include "config.h"

#include <glib-unix.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "vigil-cli-private.h"
#include "vigil-cli-replay.h"
#include "vigil-kafka-producer.h"
#include "vigil-time.h"

typedef enum
{
  KIND_HYDRAULIC,
  KIND_TRAFFIC,
} Kind;

typedef struct
{
  Kind                        kind;
  VigilKafkaProducer         *producer;
  const char                 *source;
  VigilKafkaHydraulicOptions  hydraulic;
  VigilKafkaTrafficOptions    traffic;
  GCancellable               *cancellable;
  GMainLoop                  *loop;
  GError                     *error;
  gboolean                    ok;
  gboolean                    done;
  gboolean                    interrupted;
} Job;

static gboolean
on_signal (gpointer data)
{
  Job *job = data;

  job->interrupted = TRUE;
  g_cancellable_cancel (job->cancellable);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_done (gpointer data)
{
  Job *job = data;

  job->done = TRUE;
  g_main_loop_quit (job->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
on_progress (gpointer data)
{
  Job *job = data;
  VigilKafkaProducerStats st;

  vigil_kafka_producer_get_stats (job->producer, &st);
  g_printerr ("\r%" G_GUINT64_FORMAT " messages delivered, %" G_GUINT64_FORMAT
              " waiting, %" G_GUINT64_FORMAT " errors   ", st.delivered,
              st.queued - st.delivered - st.errors - st.purged, st.errors);
  return G_SOURCE_CONTINUE;
}

static gpointer
send_thread (gpointer data)
{
  Job *job = data;

  if (job->kind == KIND_HYDRAULIC)
    job->ok = vigil_kafka_producer_send_hydraulic (job->producer, job->source, &job->hydraulic,
                                                   job->cancellable, &job->error);
  else
    job->ok = vigil_kafka_producer_send_traffic (job->producer, job->source, &job->traffic,
                                                 job->cancellable, &job->error);
  g_idle_add (on_done, job);
  return NULL;
}

static gboolean
parse_start (const char  *text,
             gint64      *out_us,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (text == NULL)
    return TRUE;
  if (g_str_equal (text, "now"))
    {
      *out_us = g_get_real_time ();
      return TRUE;
    }
  if (!vigil_time_parse_iso8601 (text, out_us, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "--start: %s",
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

static int
run_job (Job *job)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  VigilKafkaProducerStats st;
  guint sigint, sigterm, progress = 0;
  GThread *thread;

  job->loop = loop;
  job->cancellable = cancellable;
  sigint = g_unix_signal_add (SIGINT, on_signal, job);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, job);
  if (isatty (STDERR_FILENO))
    progress = g_timeout_add (500, on_progress, job);

  thread = g_thread_new ("vigil-produce", send_thread, job);
  while (!job->done)
    g_main_loop_run (loop);
  g_thread_join (thread);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (progress != 0)
    {
      g_source_remove (progress);
      g_printerr ("\r%80s\r", "");
    }

  vigil_kafka_producer_get_stats (job->producer, &st);
  g_print ("produce: messages=%" G_GUINT64_FORMAT " bytes=%" G_GUINT64_FORMAT " errors=%"
           G_GUINT64_FORMAT " seconds=%.3f messages_per_s=%.0f\n", st.delivered, st.bytes,
           st.errors + st.purged, st.seconds, st.seconds > 0 ? st.delivered / st.seconds : 0.0);

  if (job->interrupted)
    {
      g_printerr ("vigil-cli produce: interrupted\n");
      g_clear_error (&job->error);
      return 130;
    }
  if (!job->ok)
    {
      int status = g_error_matches (job->error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT)
                   ? _vigil_cli_usage ("produce", job->error->message)
                   : _vigil_cli_fail (job->error);

      g_clear_error (&job->error);
      return status;
    }
  return 0;
}

int
_vigil_cli_produce (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(VigilKafkaProducer) producer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *speed = NULL;
  g_autofree char *start = NULL;
  g_autofree char *rig = NULL;
  g_autofree char *camera = NULL;
  g_autofree char *detections = NULL;
  gboolean rig_field = FALSE;
  double fps = NAN;
  VigilKafkaConnection connection;
  GOptionGroup *group;
  Job job = { 0 };
  int status;
  const GOptionEntry entries[] = {
    { "speed", 0, 0, G_OPTION_ARG_STRING, &speed,
      "Pace: max or a factor, 1 = real time (default: max for hydraulic, 1 for traffic)",
      "max|N" },
    { "start", 0, 0, G_OPTION_ARG_STRING, &start,
      "Event time of the first cycle or frame: ISO 8601 or “now” (default "
      "2025-01-01T00:00:00Z)", "ISO|now" },
    { "rig", 0, 0, G_OPTION_ARG_STRING, &rig,
      "hydraulic: the rig's name, prefixing its topics (NAME.hydraulic-PS1)", "NAME" },
    { "rig-field", 0, 0, G_OPTION_ARG_NONE, &rig_field,
      "hydraulic: put --rig in every message (“rig”) on the plain topics instead", NULL },
    { "camera", 0, 0, G_OPTION_ARG_STRING, &camera,
      "traffic: the camera id, ending with its number (cam_03); required", "ID" },
    { "fps", 0, 0, G_OPTION_ARG_DOUBLE, &fps,
      "traffic: frames per second of event time (default 10)", "N" },
    { "with-detections", 0, 0, G_OPTION_ARG_FILENAME, &detections,
      "traffic: boxes to send with the frames, a CSV with columns "
      VIGIL_KAFKA_DETECTIONS_HEADER, "FILE" },
    { NULL }
  };

  vigil_kafka_connection_init (&connection, NULL);
  context = g_option_context_new ("hydraulic DIR | traffic SOURCE — publish data to Kafka");
  g_option_context_set_summary (context,
    "Publishes recorded data to Kafka in the formats of the seed pipeline (DESIGN.md), paced\n"
    "like “vigil-cli replay”.\n"
    "\n"
    "hydraulic DIR: a dataset in the UCI layout (PS1.txt … SE.txt, profile.txt) as one JSON\n"
    "message per sample on hydraulic-<SENSOR> and one per cycle on hydraulic-labels. Sample i\n"
    "of a sensor at rate r in cycle k carries the event time start + k×60 s + i/r, so that\n"
    "consuming it gives the windows of replaying the files. Keyed by the rig (--rig) or the\n"
    "sensor, so each topic's messages stay in order.\n"
    "\n"
    "traffic SOURCE: a folder of numbered images (in the order of the number in each name;\n"
    "JPEG files are sent as they are, other formats re-encoded) or a video file, one message\n"
    "per frame (base64 JPEG) on traffic_data, keyed by the camera id, on partition\n"
    "(camera number - 1) % 10. Frame n carries the event time start + n / fps.\n"
    "\n"
    "For SASL the password comes from $VIGIL_KAFKA_PASSWORD, or a prompt.");
  g_option_context_set_description (context,
    "Ends with one line:\n  produce: messages=N bytes=N errors=N seconds=S messages_per_s=N\n"
    "Exit status: 0 all delivered, 1 error (data unreadable, or messages not delivered),\n"
    "2 bad usage, 130 stopped by a signal.");
  group = _vigil_cli_kafka_option_group (&connection);
  g_option_context_set_main_group (context, group);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      status = _vigil_cli_usage ("produce", error->message);
      goto out;
    }

  if (argc < 2 || (!g_str_equal (argv[1], "hydraulic") && !g_str_equal (argv[1], "traffic")))
    {
      status = _vigil_cli_usage ("produce", "say what to publish: hydraulic DIR or traffic SOURCE");
      goto out;
    }
  if (argc != 3)
    {
      status = _vigil_cli_usage ("produce", g_str_equal (argv[1], "hydraulic")
                                              ? "expected one dataset directory"
                                              : "expected one image folder or video file");
      goto out;
    }
  job.kind = g_str_equal (argv[1], "hydraulic") ? KIND_HYDRAULIC : KIND_TRAFFIC;
  job.source = argv[2];

  if (job.kind == KIND_HYDRAULIC && (camera != NULL || !isnan (fps) || detections != NULL))
    {
      status = _vigil_cli_usage ("produce",
                                 "--camera, --fps and --with-detections are for traffic");
      goto out;
    }
  if (job.kind == KIND_TRAFFIC && (rig != NULL || rig_field))
    {
      status = _vigil_cli_usage ("produce", "--rig and --rig-field are for hydraulic");
      goto out;
    }
  if (rig_field && rig == NULL)
    {
      status = _vigil_cli_usage ("produce", "--rig-field needs --rig NAME");
      goto out;
    }
  if (job.kind == KIND_TRAFFIC && camera == NULL)
    {
      status = _vigil_cli_usage ("produce", "--camera ID is required for traffic");
      goto out;
    }

  vigil_kafka_hydraulic_options_init (&job.hydraulic);
  vigil_kafka_traffic_options_init (&job.traffic);
  if (job.kind == KIND_HYDRAULIC)
    {
      job.hydraulic.rig = rig;
      job.hydraulic.rig_in_message = rig_field;
      if ((speed != NULL && !_vigil_cli_parse_speed (speed, &job.hydraulic.speed, &error)) ||
          !parse_start (start, &job.hydraulic.start_us, &error))
        {
          status = _vigil_cli_usage ("produce", error->message);
          goto out;
        }
    }
  else
    {
      gint32 partition;

      if (!vigil_kafka_camera_partition (camera, &partition))
        {
          g_autofree char *message = g_strdup_printf ("--camera “%s”: expected an id ending with "
                                                      "the camera's number from 1 (cam_03)",
                                                      camera);
          status = _vigil_cli_usage ("produce", message);
          goto out;
        }
      job.traffic.camera_id = camera;
      job.traffic.detections = detections;
      if (!isnan (fps))
        job.traffic.fps = fps;
      if ((speed != NULL && !_vigil_cli_parse_speed (speed, &job.traffic.speed, &error)) ||
          !parse_start (start, &job.traffic.start_us, &error))
        {
          status = _vigil_cli_usage ("produce", error->message);
          goto out;
        }
      if (!isfinite (job.traffic.fps) || job.traffic.fps <= 0 || job.traffic.fps > 1000)
        {
          status = _vigil_cli_usage ("produce", "--fps must be above 0 and at most 1000");
          goto out;
        }
    }

  if (!_vigil_cli_kafka_finish_connection (&connection, &error))
    {
      status = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT)
               ? _vigil_cli_usage ("produce", error->message) : _vigil_cli_fail (error);
      goto out;
    }

  producer = vigil_kafka_producer_new (&connection, &error);
  if (producer == NULL)
    {
      status = _vigil_cli_fail (error);
      goto out;
    }
  job.producer = producer;
  status = run_job (&job);

out:
  vigil_kafka_connection_clear (&connection);
  return status;
}
