/* vigil-cli-replay-traffic.c
 *
 * vigil-cli replay traffic SOURCE --camera ID --db FILE [...]: one camera's frames through the
 * engine into a store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-cli"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>

#include "vigil-camera.h"
#include "vigil-cli-private.h"
#include "vigil-cli-replay.h"
#include "vigil-error.h"
#include "vigil-store.h"
#include "vigil-time.h"
#include "vigil-tracker.h"

typedef struct
{
  GMainLoop   *loop;
  VigilCamera *camera;
  gboolean     done;
  gboolean     interrupted;
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

  vigil_camera_wait (state->camera);
  g_idle_add (on_done, state);

  return NULL;
}

static guint64
count_raised (VigilLive *live)
{
  g_autoptr(GArray) alarms = vigil_live_dup_alarms (live);

  return alarms->len;
}

static int
run (const char   *source,
     const char   *camera_id,
     const char   *mask,
     double        fps,
     double        pixels_per_metre,
     const char   *db,
     double        speed,
     gint64        start_us,
     VigilRuleSet *rules)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilCamera) camera = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(VigilCameraSnapshot) snapshot = NULL;
  g_autoptr(GArray) seconds = NULL;
  g_autoptr(GArray) minutes = NULL;
  VigilReplayClock *clock = NULL;
  RunState state = { 0 };
  guint sigint, sigterm;
  gint64 t0 = g_get_monotonic_time ();
  GThread *waiter;
  guint64 detections;
  int status = 0;

  camera = vigil_camera_new (camera_id, source);
  vigil_camera_set_fps (camera, fps);
  vigil_camera_set_start_time (camera, start_us);
  vigil_camera_set_rules (camera, rules);
  if (pixels_per_metre > 0)
    {
      VigilCalibration calibration;

      vigil_calibration_init_scale (&calibration, pixels_per_metre);
      vigil_camera_set_calibration (camera, &calibration);
    }
  if (mask != NULL && !vigil_camera_set_mask_file (camera, mask, &error))
    return _vigil_cli_fail (error);

  store = vigil_store_open (db, &error);
  if (store == NULL)
    return _vigil_cli_fail (error);
  vigil_camera_set_store (camera, store);
  if (speed > 0)
    {
      clock = vigil_replay_clock_new (speed, start_us);
      vigil_camera_set_clock (camera, clock);
    }

  if (!vigil_camera_start (camera, &error))
    {
      vigil_store_close (store, NULL);
      g_clear_pointer (&clock, vigil_replay_clock_free);
      return _vigil_cli_fail (error);
    }

  loop = g_main_loop_new (NULL, FALSE);
  state.loop = loop;
  state.camera = camera;
  sigint = g_unix_signal_add (SIGINT, on_signal, &state);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &state);
  waiter = g_thread_new ("vigil-replay-wait", wait_thread, &state);
  g_main_loop_run (loop);
  if (state.interrupted)
    {
      if (clock != NULL)
        vigil_replay_clock_stop (clock);
      vigil_camera_stop (camera);
    }
  while (!state.done)
    g_main_loop_run (loop);
  g_thread_join (waiter);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  vigil_camera_stop (camera);

  snapshot = vigil_camera_dup_snapshot (camera);
  seconds = vigil_camera_dup_history (camera, FALSE, G_MININT64, G_MAXINT64);
  minutes = vigil_camera_dup_history (camera, TRUE, G_MININT64, G_MAXINT64);
  if (!vigil_store_close (store, &error))
    status = _vigil_cli_fail (error);
  else if (snapshot->state == VIGIL_FRAME_SOURCE_FAILED && snapshot->error != NULL)
    status = _vigil_cli_fail (snapshot->error);
  g_clear_pointer (&clock, vigil_replay_clock_free);
  if (status != 0)
    return status;

  detections = 0;
  {
    g_autoptr(VigilStore) reader = vigil_store_open_readonly (db, NULL);
    VigilStoreFilter filter;
    g_autoptr(GArray) rows = NULL;

    vigil_store_filter_init (&filter);
    filter.session_id = vigil_camera_get_session_id (camera);
    if (reader != NULL)
      rows = vigil_store_read_detections (reader, &filter, NULL);
    detections = rows != NULL ? rows->len : 0;
  }

  g_print ("replay: frames=%" G_GUINT64_FORMAT " detections=%" G_GUINT64_FORMAT
           " seconds=%u minutes=%u alarms=%" G_GUINT64_FORMAT " elapsed=%.3f\n",
           snapshot->n_frames, detections, seconds->len, minutes->len,
           count_raised (vigil_camera_get_live (camera)),
           (g_get_monotonic_time () - t0) / 1e6);

  if (state.interrupted)
    {
      g_printerr ("vigil-cli: stopped after %" G_GUINT64_FORMAT " frames; what closed is "
                  "stored\n", snapshot->n_frames);
      return 130;
    }
  return 0;
}

int
_vigil_cli_replay_traffic (int    argc,
                           char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRuleSet) rules = NULL;
  g_autofree char *db = NULL;
  g_autofree char *camera = NULL;
  g_autofree char *mask = NULL;
  g_autofree char *speed_text = NULL;
  g_autofree char *start = NULL;
  g_autofree char *rules_path = NULL;
  g_autofree char *scale_text = NULL;
  double fps = 25, speed = 0, pixels_per_metre = 0;
  gint64 start_us = 0;
  GOptionEntry entries[] = {
    { "camera", 0, 0, G_OPTION_ARG_STRING, &camera, "The camera's id (required)", "ID" },
    { "mask", 0, 0, G_OPTION_ARG_FILENAME, &mask,
      "Road mask: labelme JSON or PNG (default: the whole frame)", "FILE" },
    { "fps", 0, 0, G_OPTION_ARG_DOUBLE, &fps, "Frame rate of an image folder (default 25)", "N" },
    { "pixels-per-metre", 0, 0, G_OPTION_ARG_STRING, &scale_text,
      "Calibration: image pixels per metre along the road (default: none, so no speeds and "
      "classes by relative size)", "N" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "Store to write (created if missing)", "FILE" },
    { "speed", 0, 0, G_OPTION_ARG_STRING, &speed_text,
      "Replay speed: max (default) or a factor, 1 = real time", "max|N" },
    { "start", 0, 0, G_OPTION_ARG_STRING, &start,
      "Event time of the first frame (default 1970-01-01T00:00:00Z)", "ISO" },
    { "rules", 0, 0, G_OPTION_ARG_FILENAME, &rules_path,
      "Alarm rules (JSON); default: the built-in rules", "FILE" },
    { NULL }
  };

  context = g_option_context_new ("traffic SOURCE — replay a camera's frames into a store");
  g_option_context_set_summary (context,
    "Finds, tracks and counts the vehicles of one camera (a folder of numbered images, a video "
    "file or a URI)\ninside its road mask, and stores every frame's detections, the per-second "
    "and per-minute rows\nand the camera's alarms.");
  g_option_context_set_description (context,
    "Ends with one line:\n  replay: frames=N detections=N seconds=N minutes=N alarms=N "
    "elapsed=S\nExit status: 0 done, 1 error, 2 bad usage, 130 stopped by a signal.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return _vigil_cli_usage ("replay", error->message);
  if (argc != 3)
    return _vigil_cli_usage ("replay", "expected one camera source (folder, video or URI)");
  if (camera == NULL || *camera == '\0' || strlen (camera) > VIGIL_CAMERA_ID_MAX)
    return _vigil_cli_usage ("replay", "--camera ID is required (at most 63 characters)");
  if (db == NULL)
    return _vigil_cli_usage ("replay", "--db FILE is required");
  if (!isfinite (fps) || fps <= 0)
    return _vigil_cli_usage ("replay", "--fps must be a positive frame rate");
  if (scale_text != NULL)
    {
      char *end = NULL;

      pixels_per_metre = g_ascii_strtod (scale_text, &end);
      if (end == scale_text || *end != '\0' || !isfinite (pixels_per_metre) ||
          pixels_per_metre <= 0)
        return _vigil_cli_usage ("replay", "--pixels-per-metre must be a positive number");
    }

  if (!_vigil_cli_parse_speed (speed_text, &speed, &error))
    return _vigil_cli_fail (error);
  if (start != NULL && !vigil_time_parse_iso8601 (start, &start_us, &error))
    {
      g_prefix_error (&error, "--start: ");
      return _vigil_cli_fail (error);
    }
  rules = rules_path != NULL ? vigil_rule_set_new_from_file (rules_path, &error)
                             : vigil_rule_set_new_default ();
  if (rules == NULL)
    return _vigil_cli_fail (error);

  return run (argv[2], camera, mask, fps, pixels_per_metre, db, speed, start_us, rules);
}
