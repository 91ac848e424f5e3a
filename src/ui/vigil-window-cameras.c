/* vigil-window-cameras.c
 *
 * The window's cameras: opened beside the rig (from a folder, a video or the Open dialog) or
 * generated for the demo, and run by the Cameras page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-window"

#include "config.h"

#include <glib/gi18n.h>

#include "vigil-camera-replay.h"
#include "vigil-demo.h"
#include "vigil-window-private.h"

/* The demo's cameras: 20 s each at 10 frames/s, looped; a couple of seconds to generate. */
#define DEMO_CAMERAS 3
#define DEMO_CAMERA_FRAMES 200

gboolean
_vigil_window_has_cameras (VigilWindow *self)
{
  return g_list_model_get_n_items (vigil_cameras_page_get_cameras (self->cameras_page)) > 0 ||
         vigil_camera_replay_get_recording (vigil_cameras_page_get_replay (self->cameras_page))
         != NULL;
}

static void
on_setup_failed (VigilWindow *self,
                 VigilCamera *camera,
                 const char  *message)
{
  /* Translators: a camera's name, then why its saved road mask or calibration is not used. */
  g_autofree char *text = g_strdup_printf (_("Camera %s: %s"), vigil_camera_get_id (camera),
                                           message);

  vigil_window_toast (self, text);
}

void
_vigil_window_init_cameras (VigilWindow *self)
{
  g_signal_connect_object (self->cameras_page, "setup-failed", G_CALLBACK (on_setup_failed),
                           self, G_CONNECT_SWAPPED);
}

VigilCamera *
vigil_window_open_camera (VigilWindow               *self,
                          const VigilCameraOptions  *options,
                          GError                   **error)
{
  g_autoptr(VigilRuleSet) rules = NULL;
  VigilCameraOptions with_rules;
  VigilCamera *camera;

  g_return_val_if_fail (VIGIL_IS_WINDOW (self), NULL);
  g_return_val_if_fail (options != NULL, NULL);

  with_rules = *options;
  if (with_rules.rules == NULL)
    {
      rules = _vigil_window_rules_from_settings (self, error);
      if (rules == NULL)
        return NULL;
      with_rules.rules = rules;
    }

  camera = vigil_cameras_page_add (self->cameras_page, &with_rules, error);
  if (camera != NULL)
    vigil_window_show_page (self, "cameras");

  return camera;
}

VigilCamera *
vigil_window_open_camera_path (VigilWindow  *self,
                               const char   *path,
                               const char   *camera_id,
                               const char   *mask_file,
                               GError      **error)
{
  GtkApplication *app;
  VigilCameraSource source;
  VigilCameraOptions options;
  VigilCamera *camera;

  g_return_val_if_fail (VIGIL_IS_WINDOW (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (!vigil_camera_source_inspect (path, &source, error))
    return NULL;

  vigil_camera_options_init (&options);
  options.camera_id = camera_id != NULL && *camera_id != '\0' ? camera_id : source.camera_id;
  options.location = source.location;
  options.mask_file = mask_file != NULL ? mask_file : source.mask_file;
  options.fps = source.fps;
  options.pixels_per_metre = source.pixels_per_metre;
  camera = vigil_window_open_camera (self, &options, error);
  vigil_camera_source_clear (&source);
  /* The path given, not its frames/ folder: that one would open without the folder's mask and
   * under another name. */
  app = gtk_window_get_application (GTK_WINDOW (self));
  if (camera != NULL && app != NULL)
    vigil_application_add_recent (VIGIL_APPLICATION (app), path);

  return camera;
}

/* Played at real time over and over, with the rules the demo was made for. */
static void
open_demo_cameras (VigilWindow *self,
                   const char  *dir)
{
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_default ();
  g_autoptr(GError) error = NULL;

  for (guint i = 1; i <= DEMO_CAMERAS; i++)
    {
      g_autofree char *id = g_strdup_printf ("cam_%02u", i);
      g_autofree char *folder = g_build_filename (dir, id, NULL);
      VigilCameraSource camera;
      VigilCameraOptions options;

      if (!vigil_camera_source_inspect (folder, &camera, &error))
        break;
      vigil_camera_options_init (&options);
      options.camera_id = camera.camera_id;
      options.location = camera.location;
      options.mask_file = camera.mask_file;
      options.fps = camera.fps;
      options.pixels_per_metre = camera.pixels_per_metre;
      options.loop = TRUE;
      options.rules = rules;
      if (vigil_cameras_page_add (self->cameras_page, &options, &error) == NULL)
        {
          vigil_camera_source_clear (&camera);
          break;
        }
      vigil_camera_source_clear (&camera);
    }

  if (error != NULL)
    vigil_window_toast (self, error->message);
}

static void
demo_cameras_ready (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(VigilWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_task_propagate_pointer (G_TASK (result), &error);

  if (dir == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        vigil_window_toast (self, error->message);
      return;
    }

  /* The rig opens first, on the page people expect; its cameras join it. */
  if (self->generating)
    {
      g_free (self->demo_cameras);
      self->demo_cameras = g_steal_pointer (&dir);
    }
  else
    open_demo_cameras (self, dir);
}

static void
demo_cameras_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  g_autofree char *dir = vigil_demo_get_cameras_dir (DEMO_CAMERAS, DEMO_CAMERA_FRAMES,
                                                     VIGIL_WINDOW_DEMO_SEED);
  GError *error = NULL;

  if (!vigil_demo_ensure_cameras (dir, DEMO_CAMERAS, DEMO_CAMERA_FRAMES, VIGIL_WINDOW_DEMO_SEED,
                                  cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&dir), g_free);
}

void
_vigil_window_generate_demo_cameras (VigilWindow *self)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, demo_cameras_ready,
                                      g_object_ref (self));

  g_task_set_source_tag (task, vigil_window_open_demo);
  g_task_run_in_thread (task, demo_cameras_thread);
}

void
_vigil_window_open_waiting_demo_cameras (VigilWindow *self)
{
  g_autofree char *cameras = g_steal_pointer (&self->demo_cameras);

  if (cameras != NULL)
    open_demo_cameras (self, cameras);
}
