/* vigil-soak-sources.c
 *
 * The sources of the soak, run as the app runs them: the rig through a VigilPlayer (its live
 * bus read as the UI reads it), the cameras through VigilCamera with a store each, restarted
 * when their folder ends as the Cameras page restarts the demo's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-soak"

#include "config.h"

#include <malloc.h>
#ifdef __SANITIZE_ADDRESS__
/* From the sanitizer runtime (its header is not installed with gcc 12 here). */
size_t __sanitizer_get_current_allocated_bytes (void);
#endif
#include <stdio.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "vigil-soak.h"
#include "vigil-sensor.h"
#include "vigil-time.h"

#define CYCLE_US ((gint64) VIGIL_CYCLE_SECONDS * G_USEC_PER_SEC)

void
soak_point_measure (SoakPoint *point)
{
  g_autofree char *statm = NULL;
  unsigned long size = 0, resident = 0;

  point->rss_kib = 0;
  if (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL) &&
      sscanf (statm, "%lu %lu", &size, &resident) == 2)
    point->rss_kib = (guint64) resident * (guint64) sysconf (_SC_PAGESIZE) / 1024;
#ifdef __SANITIZE_ADDRESS__
  /* AddressSanitizer's allocator replaces malloc's: mallinfo2() would say nothing. */
  point->heap_kib = __sanitizer_get_current_allocated_bytes () / 1024;
#else
  point->heap_kib = mallinfo2 ().uordblks / 1024;
#endif
}

/* Rig ----------------------------------------------------------------------------------------- */

static gint64
floor_to (gint64 t,
          gint64 step)
{
  return (t >= 0 ? t / step : -((-t + step - 1) / step)) * step;
}

guint64
soak_expected_windows (const VigilReplayOptions *options,
                       guint                     n_cycles)
{
  gint64 t0 = options->start_us;
  guint64 total = 0;

  /* A window [s, s + window) aligned on the slide closes for a sensor when it holds at least
   * one of the sensor's samples t0 + i / rate_hz, i < n_cycles * 60 * rate_hz. */
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      gint64 dt = G_USEC_PER_SEC / vigil_sensor_get_info (s)->rate_hz;
      gint64 last_sample = t0 + (gint64) n_cycles * CYCLE_US - dt;
      gint64 first_start = floor_to (t0 - options->window_us, options->slide_us)
                           + options->slide_us;
      gint64 last_start = floor_to (last_sample, options->slide_us);

      total += (guint64) ((last_start - first_start) / options->slide_us + 1);
    }

  return total;
}

static gboolean
rig_open_pass (SoakRig  *rig,
               GError  **error)
{
  return vigil_player_open_dataset (rig->player, rig->dir, rig->db_path, rig->rules,
                                    &rig->options, error);
}

gboolean
soak_rig_start (SoakRig     *rig,
                const char  *dir,
                const char  *db_path,
                guint        n_cycles,
                GError     **error)
{
  memset (rig, 0, sizeof *rig);
  rig->player = vigil_player_new ();
  rig->rules = vigil_rule_set_new_default ();
  rig->dir = g_strdup (dir);
  rig->db_path = g_strdup (db_path);
  rig->problems = g_string_new (NULL);
  rig->pass_ends = g_array_new (FALSE, TRUE, sizeof (SoakPoint));
  rig->t0 = g_get_monotonic_time ();
  rig->n_cycles = n_cycles;
  vigil_replay_options_init (&rig->options);
  rig->options.speed = 0;

  return rig_open_pass (rig, error);
}

/* What the UI reads on its frame clock, read and dropped. */
static void
read_like_the_ui (VigilLive *live)
{
  g_autoptr(GArray) alarms = vigil_live_dup_alarms (live);
  g_autoptr(GArray) journal = vigil_live_dup_journal (live);
  g_autoptr(GArray) health = vigil_live_dup_health (live);
  g_autoptr(GArray) windows = NULL;
  VigilLiveCounters c;

  vigil_live_get_counters (live, &c);
  windows = vigil_live_dup_windows (live, VIGIL_SENSOR_PS1, c.position_us - 10 * 60
                                                            * G_USEC_PER_SEC, c.position_us);
}

static void
rig_pass_finished (SoakRig *rig)
{
  VigilLiveCounters c;
  SoakPoint point;
  guint64 expected = soak_expected_windows (&rig->options, rig->n_cycles);
  gint64 end_us = rig->options.start_us + (gint64) rig->n_cycles * CYCLE_US;

  vigil_live_get_counters (vigil_player_get_live (rig->player), &c);
  if (c.windows != expected)
    g_string_append_printf (rig->problems, "pass %u: %" G_GUINT64_FORMAT " windows closed, %"
                            G_GUINT64_FORMAT " expected\n", rig->passes + 1, c.windows,
                            expected);
  if (c.late != 0)
    g_string_append_printf (rig->problems, "pass %u: %" G_GUINT64_FORMAT " late records\n",
                            rig->passes + 1, c.late);
  if (c.position_us != end_us)
    g_string_append_printf (rig->problems, "pass %u: ended at %" G_GINT64_FORMAT " us, not %"
                            G_GINT64_FORMAT "\n", rig->passes + 1, c.position_us, end_us);
  rig->windows += c.windows;
  rig->late += c.late;
  rig->samples += c.samples;
  rig->passes++;

  /* Always at the same point of a pass, the live bus holding all it keeps: the passes' memory
   * compares without the saw-tooth of the live charts filling up and being reset. */
  point.rig_h = (double) rig->passes * rig->n_cycles / 60.0;
  point.wall_s = (g_get_monotonic_time () - rig->t0) / 1e6;
  soak_point_measure (&point);
  g_array_append_val (rig->pass_ends, point);
}

void
soak_rig_poll (SoakRig *rig)
{
  g_autoptr(GError) error = NULL;
  VigilPlayerState state;

  if (soak_rig_is_done (rig))
    return;

  vigil_player_poll (rig->player);
  state = vigil_player_get_state (rig->player);
  if (state == VIGIL_PLAYER_PLAYING)
    {
      read_like_the_ui (vigil_player_get_live (rig->player));
      return;
    }

  if (state == VIGIL_PLAYER_FAILED)
    {
      g_string_append_printf (rig->problems, "pass %u failed: %s\n", rig->passes + 1,
                              vigil_player_get_error (rig->player)->message);
      vigil_player_close (rig->player);
      return;
    }

  rig_pass_finished (rig);
  if (rig->ending)
    {
      vigil_player_close (rig->player);
      return;
    }

  rig->options.start_us += (gint64) rig->n_cycles * CYCLE_US;
  if (!rig_open_pass (rig, &error))
    g_string_append_printf (rig->problems, "pass %u does not start: %s\n", rig->passes + 1,
                            error->message);
}

gboolean
soak_rig_is_playing (SoakRig *rig)
{
  return vigil_player_get_state (rig->player) == VIGIL_PLAYER_PLAYING;
}

gboolean
soak_rig_is_done (SoakRig *rig)
{
  return vigil_player_get_state (rig->player) == VIGIL_PLAYER_EMPTY;
}

gint64
soak_rig_get_covered (SoakRig *rig)
{
  gint64 covered = (gint64) rig->passes * rig->n_cycles * CYCLE_US;

  if (soak_rig_is_playing (rig))
    covered += vigil_player_get_position (rig->player) - rig->options.start_us;

  return covered;
}

void
soak_rig_get_counts (SoakRig *rig,
                     guint64 *windows,
                     guint64 *late)
{
  VigilLiveCounters c = { 0 };

  if (soak_rig_is_playing (rig))
    vigil_live_get_counters (vigil_player_get_live (rig->player), &c);
  *windows = rig->windows + c.windows;
  *late = rig->late + c.late;
}

void
soak_rig_clear (SoakRig *rig)
{
  if (rig->player != NULL)
    vigil_player_close (rig->player);
  g_clear_object (&rig->player);
  g_clear_pointer (&rig->rules, vigil_rule_set_unref);
  g_clear_pointer (&rig->dir, g_free);
}

/* Cameras ------------------------------------------------------------------------------------- */

static guint
count_frames (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    n += g_str_has_suffix (name, ".png");

  return n;
}

static gboolean
camera_open_pass (SoakCamera  *cam,
                  GError     **error)
{
  g_autoptr(VigilCamera) camera = vigil_camera_new (cam->id, cam->location);
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_default ();
  VigilCalibration calibration = { .pixels_per_metre = cam->pixels_per_metre };

  vigil_camera_set_fps (camera, cam->fps);
  vigil_camera_set_start_time (camera, cam->start_us);
  vigil_camera_set_rules (camera, rules);
  vigil_camera_set_calibration (camera, &calibration);
  if (!vigil_camera_set_mask_file (camera, cam->mask_file, error))
    return FALSE;
  vigil_camera_set_store (camera, cam->store);
  if (!vigil_camera_start (camera, error))
    return FALSE;

  g_clear_object (&cam->camera);
  cam->camera = g_steal_pointer (&camera);
  return TRUE;
}

gboolean
soak_camera_start (SoakCamera  *cam,
                   const char  *folder,
                   const char  *db_path,
                   GError     **error)
{
  g_autofree char *json = g_build_filename (folder, "camera.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  memset (cam, 0, sizeof *cam);
  cam->id = g_path_get_basename (folder);
  cam->location = g_build_filename (folder, "frames", NULL);
  cam->mask_file = g_build_filename (folder, "mask.json", NULL);
  cam->db_path = g_strdup (db_path);
  cam->problems = g_string_new (NULL);
  cam->start_us = VIGIL_DEFAULT_START_US;
  cam->n_images = count_frames (cam->location);

  if (!json_parser_load_from_file (parser, json, error))
    return FALSE;
  object = json_node_get_object (json_parser_get_root (parser));
  cam->fps = json_object_get_double_member (object, "fps");
  cam->pixels_per_metre = json_object_get_double_member (object, "pixels_per_metre");

  cam->store = vigil_store_open (db_path, error);
  return cam->store != NULL && camera_open_pass (cam, error);
}

static void
camera_fail (SoakCamera *cam,
             const char *what)
{
  g_string_append_printf (cam->problems, "%s pass %u: %s\n", cam->id, cam->passes + 1, what);
  vigil_camera_stop (cam->camera);
  cam->done = TRUE;
}

/* A pass ended: it analysed every frame of the folder, the last one at its own time. */
static gboolean
camera_pass_finished (SoakCamera          *cam,
                      VigilCameraSnapshot *s)
{
  gint64 period_us = (gint64) (G_USEC_PER_SEC / cam->fps);
  gint64 last_us = cam->start_us + (gint64) (cam->n_images - 1) * period_us;
  g_autofree char *what = NULL;

  if (s->n_frames != cam->n_images || s->frame == NULL || s->frame->time_us != last_us)
    {
      what = g_strdup_printf ("ended after %" G_GUINT64_FORMAT " frames of %u, the last at %"
                              G_GINT64_FORMAT " us, not %" G_GINT64_FORMAT, s->n_frames,
                              cam->n_images, s->frame != NULL ? s->frame->time_us : 0, last_us);
      camera_fail (cam, what);
      return FALSE;
    }

  /* Everything the pass closed is stored before the next one writes, as in the app. */
  vigil_camera_stop (cam->camera);
  cam->frames += s->n_frames;
  cam->passes++;
  cam->start_us = last_us + period_us;
  return TRUE;
}

void
soak_camera_poll (SoakCamera *cam)
{
  g_autoptr(VigilCameraSnapshot) s = NULL;
  g_autoptr(GArray) history = NULL;
  g_autoptr(GError) error = NULL;

  if (cam->done)
    return;

  s = vigil_camera_dup_snapshot (cam->camera);
  history = vigil_camera_dup_history (cam->camera, FALSE, s->second.start_us - 60
                                                          * G_USEC_PER_SEC, s->second.end_us);
  if (s->error != NULL || s->state == VIGIL_FRAME_SOURCE_FAILED)
    {
      camera_fail (cam, s->error != NULL ? s->error->message : "failed");
      return;
    }
  if (s->state != VIGIL_FRAME_SOURCE_FINISHED || !camera_pass_finished (cam, s))
    return;

  if (cam->ending)
    {
      cam->done = TRUE;
      return;
    }
  if (!camera_open_pass (cam, &error))
    {
      g_string_append_printf (cam->problems, "%s pass %u does not start: %s\n", cam->id,
                              cam->passes + 1, error->message);
      cam->done = TRUE;
    }
}

gboolean
soak_camera_is_playing (SoakCamera *cam)
{
  g_autoptr(VigilCameraSnapshot) s = NULL;

  if (cam->done)
    return FALSE;
  s = vigil_camera_dup_snapshot (cam->camera);
  return s->state == VIGIL_FRAME_SOURCE_PLAYING;
}

guint64
soak_camera_get_frames (SoakCamera *cam)
{
  g_autoptr(VigilCameraSnapshot) s = NULL;

  if (cam->done)
    return cam->frames;
  s = vigil_camera_dup_snapshot (cam->camera);
  return cam->frames + (s->state == VIGIL_FRAME_SOURCE_FINISHED ? 0 : s->n_frames);
}

void
soak_camera_clear (SoakCamera *cam)
{
  g_autoptr(GError) error = NULL;

  if (cam->camera != NULL)
    vigil_camera_stop (cam->camera);
  g_clear_object (&cam->camera);
  if (cam->store != NULL && !vigil_store_close (cam->store, &error))
    g_string_append_printf (cam->problems, "%s: %s\n", cam->id, error->message);
  g_clear_object (&cam->store);
  g_clear_pointer (&cam->location, g_free);
  g_clear_pointer (&cam->mask_file, g_free);
}
