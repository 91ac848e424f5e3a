/* vigil-open-dialog-camera.c
 *
 * The Open dialog's camera: a folder of images or a video file, named as people choose, with
 * the road mask its folder gives or another one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-open-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "vigil-open-dialog-private.h"
#include "vigil-ui-util.h"

const char *
_vigil_open_dialog_camera_error (VigilOpenDialog *self)
{
  g_autofree char *id = g_strstrip (g_strdup (gtk_editable_get_text (
                                                GTK_EDITABLE (self->camera_id_row))));

  if (id[0] == '\0' || strlen (id) > VIGIL_CAMERA_ID_MAX)
    return _("Give the camera a name of at most 63 characters.");

  return NULL;
}

static void
set_mask_path (VigilOpenDialog *self,
               const char      *path)
{
  g_free (self->mask_path);
  self->mask_path = g_strdup (path);
  adw_action_row_set_subtitle (self->camera_mask_row,
                               path != NULL ? path : _("None: the whole frame is road"));
  gtk_widget_set_visible (self->camera_mask_reset_button, path != NULL);
}

void
_vigil_open_dialog_show_camera (VigilOpenDialog *self)
{
  const VigilCameraSource *camera = self->camera;
  g_autofree char *location = NULL;

  gtk_editable_set_text (GTK_EDITABLE (self->camera_id_row), camera->camera_id);
  if (camera->n_images > 0)
    /* Translators: a camera's folder, then how many images it holds. */
    location = g_strdup_printf (ngettext ("%s (%u image)", "%s (%u images)", camera->n_images),
                                camera->location, camera->n_images);
  adw_action_row_set_subtitle (self->camera_location_row,
                               location != NULL ? location : camera->location);
  set_mask_path (self, camera->mask_file);
}

void
_vigil_open_dialog_camera_source_free (VigilCameraSource *camera)
{
  vigil_camera_source_clear (camera);
  g_free (camera);
}

static void
on_camera_mask_chosen (GtkNativeDialog *chooser,
                       int              response,
                       VigilOpenDialog *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);

  if (file != NULL && (path = g_file_get_path (file)) != NULL)
    {
      set_mask_path (self, path);
      _vigil_open_dialog_option_changed (self);
    }
}

static void
on_choose_camera_mask_clicked (VigilOpenDialog *self)
{
  g_autoptr(GtkFileFilter) filter = vigil_ui_file_filter_new (_("Road Masks (labelme JSON, PNG)"),
                                                              "*.json", "image/png");

  _vigil_open_dialog_show_chooser (self, _("Choose a Road Mask"), GTK_FILE_CHOOSER_ACTION_OPEN,
                                   filter, G_CALLBACK (on_camera_mask_chosen));
}

static void
on_camera_mask_reset_clicked (VigilOpenDialog *self)
{
  set_mask_path (self, NULL);
  _vigil_open_dialog_option_changed (self);
}

gboolean
_vigil_open_dialog_open_camera (VigilOpenDialog  *self,
                                GError          **error)
{
  g_autofree char *id = g_strstrip (g_strdup (gtk_editable_get_text (
                                                GTK_EDITABLE (self->camera_id_row))));
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self->window));
  VigilCameraOptions options;

  vigil_camera_options_init (&options);
  options.camera_id = id;
  options.location = self->camera->location;
  options.mask_file = self->mask_path;
  options.fps = self->camera->fps;
  options.pixels_per_metre = self->camera->pixels_per_metre;
  if (vigil_window_open_camera (self->window, &options, error) == NULL)
    return FALSE;

  /* The folder chosen, not its frames/ folder: that one would open without the folder's
   * mask and under another name. */
  if (app != NULL)
    vigil_application_add_recent (VIGIL_APPLICATION (app), self->path);
  return TRUE;
}

void
_vigil_open_dialog_class_add_camera (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, camera_group);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, camera_id_row);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, camera_location_row);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, camera_mask_row);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, camera_mask_reset_button);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_camera_mask_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_camera_mask_reset_clicked);
}
