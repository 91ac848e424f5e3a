/* vigil-camera-setup-files.c
 *
 * Where a camera's setup is kept: a folder per camera under the user's data folder, holding
 * the road mask as polygons and calibration.json, the calibration form. Files are written
 * whole (g_file_set_contents() writes a temporary file and renames it), so the camera's mask
 * cache never reads half a file and sees the new one by its new inode.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-camera-setup"

#include "config.h"

#include <errno.h>
#include <math.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "vigil-camera-setup-private.h"
#include "vigil-error.h"
#include "vigil-tracker.h"

#define MASK_FILE        "mask.json"
#define CALIBRATION_FILE "calibration.json"

static const char *const kind_names[] = { "none", "scale", "points" };

char *
vigil_camera_setup_get_folder (const char *camera_id)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (camera_id != NULL, NULL);

  /* One file name whatever the id holds; a leading dot would hide it (or be ".."). */
  name = g_uri_escape_string (camera_id, NULL, FALSE);
  if (name[0] == '.' || name[0] == '\0')
    {
      g_autofree char *escaped = g_steal_pointer (&name);

      name = g_strconcat ("%2E", escaped + (escaped[0] == '.'), NULL);
    }
  return g_build_filename (g_get_user_data_dir (), "vigil", "cameras", name, NULL);
}

gboolean
_vigil_camera_setup_make_folder (const char  *folder,
                                 GError     **error)
{
  int saved_errno;

  if (g_mkdir_with_parents (folder, 0700) == 0)
    return TRUE;
  saved_errno = errno;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               /* Translators: a folder, then why it cannot be made. */
               _("%s: cannot create the folder: %s"), folder, g_strerror (saved_errno));
  return FALSE;
}

/* The calibration --------------------------------------------------------------------------- */

gboolean
_vigil_camera_setup_form_to_calibration (const CalibrationForm  *form,
                                         VigilCalibration       *out,
                                         GError                **error)
{
  memset (out, 0, sizeof *out);
  switch (form->kind)
    {
    case VIGIL_CALIBRATION_SCALE:
      if (!(form->pixels_per_metre > 0) || !isfinite (form->pixels_per_metre))
        {
          g_set_error_literal (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                               _("The scale must be more than 0 pixels per metre."));
          return FALSE;
        }
      vigil_calibration_init_scale (out, form->pixels_per_metre);
      return TRUE;
    case VIGIL_CALIBRATION_POINTS:
      if (!vigil_calibration_init_homography (out, form->image, form->ground, NULL))
        {
          g_set_error_literal (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                               _("Three of the four points lie on one line, on the frame or "
                                 "on the road: place them at the corners of a patch of "
                                 "road."));
          return FALSE;
        }
      return TRUE;
    case VIGIL_CALIBRATION_NONE:
    default:
      return TRUE;
    }
}

static void
add_numbers (JsonBuilder  *builder,
             const char   *name,
             const double *values)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < 8; i++)
    json_builder_add_double_value (builder, values[i]);
  json_builder_end_array (builder);
}

gboolean
_vigil_camera_setup_write_form (const char             *folder,
                                const CalibrationForm  *form,
                                GError                **error)
{
  g_autofree char *path = g_build_filename (folder, CALIBRATION_FILE, NULL);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind_names[form->kind]);
  json_builder_set_member_name (builder, "pixels_per_metre");
  json_builder_add_double_value (builder, form->pixels_per_metre);
  add_numbers (builder, "image_points", form->image);
  add_numbers (builder, "ground_points", form->ground);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  return g_file_set_contents (path, text, -1, error);
}

/* NULL (a member that is not there) is no number either. */
static gboolean
is_number (JsonNode *node)
{
  GType type = node != NULL ? json_node_get_value_type (node) : G_TYPE_INVALID;

  return type == G_TYPE_DOUBLE || type == G_TYPE_INT64;
}

static gboolean
read_numbers (JsonObject *object,
              const char *name,
              double     *out)
{
  JsonArray *array;

  if (!json_object_has_member (object, name) ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, name)))
    return FALSE;
  array = json_object_get_array_member (object, name);
  if (json_array_get_length (array) != 8)
    return FALSE;
  for (guint i = 0; i < 8; i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (!is_number (node))
        return FALSE;
      out[i] = json_node_get_double (node);
    }
  return TRUE;
}

/* The file is the user's to edit: any member may be missing or of another type. */
static gboolean
read_form_file (const char       *path,
                CalibrationForm  *form,
                GError          **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root, *kind = NULL, *pixels_per_metre = NULL;
  JsonObject *object = NULL;
  CalibrationForm read = { .kind = G_N_ELEMENTS (kind_names) };

  if (!json_parser_load_from_file (parser, path, &local_error))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   /* Translators: a file, then why it cannot be read. */
                   _("%s: cannot read the calibration: %s"), path, local_error->message);
      return FALSE;
    }
  /* An empty file parses, to no root at all. */
  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      object = json_node_get_object (root);
      kind = json_object_get_member (object, "kind");
      pixels_per_metre = json_object_get_member (object, "pixels_per_metre");
    }
  if (kind != NULL && json_node_get_value_type (kind) == G_TYPE_STRING)
    for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
      if (g_str_equal (json_node_get_string (kind), kind_names[i]))
        read.kind = i;
  if (object == NULL || read.kind == G_N_ELEMENTS (kind_names) || !is_number (pixels_per_metre) ||
      !read_numbers (object, "image_points", read.image) ||
      !read_numbers (object, "ground_points", read.ground))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   _("%s: not a calibration: expected “kind” (none, scale or points), "
                     "“pixels_per_metre”, and eight numbers in “image_points” and "
                     "“ground_points”"), path);
      return FALSE;
    }
  read.pixels_per_metre = json_node_get_double (pixels_per_metre);
  *form = read;
  return TRUE;
}

gboolean
_vigil_camera_setup_read_form (const char       *folder,
                               CalibrationForm  *form,
                               GError          **error)
{
  g_autofree char *path = g_build_filename (folder, CALIBRATION_FILE, NULL);

  return !g_file_test (path, G_FILE_TEST_EXISTS) || read_form_file (path, form, error);
}

/* The mask ---------------------------------------------------------------------------------- */

gboolean
_vigil_camera_setup_save_mask (VigilCamera            *camera,
                               const char             *folder,
                               const VigilRoadShapes  *shapes,
                               GError                **error)
{
  g_autofree char *path = g_build_filename (folder, MASK_FILE, NULL);
  g_autoptr(GError) local_error = NULL;

  if (shapes->polygons->len == 0)
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved_errno = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       /* Translators: a file, then why it cannot be removed. */
                       _("%s: cannot remove the old road mask: %s"), path,
                       g_strerror (saved_errno));
          return FALSE;
        }
      return vigil_camera_set_mask_file (camera, NULL, error);
    }
  if (!vigil_road_shapes_save (shapes, path, error))
    return FALSE;
  if (!vigil_camera_set_mask_file (camera, path, &local_error))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   /* Translators: %s says why the camera refused the mask. */
                   _("The camera refused the road mask: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Saved setup ------------------------------------------------------------------------------- */

gboolean
vigil_camera_setup_load_saved (VigilCamera  *camera,
                               GError      **error)
{
  g_autofree char *folder = NULL;
  g_autofree char *mask = NULL;
  g_autofree char *calibration_path = NULL;
  g_autoptr(GError) mask_error = NULL;
  VigilCalibration calibration;
  CalibrationForm form;

  g_return_val_if_fail (VIGIL_IS_CAMERA (camera), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  folder = vigil_camera_setup_get_folder (vigil_camera_get_id (camera));
  mask = g_build_filename (folder, MASK_FILE, NULL);
  calibration_path = g_build_filename (folder, CALIBRATION_FILE, NULL);

  if (g_file_test (mask, G_FILE_TEST_EXISTS))
    vigil_camera_set_mask_file (camera, mask, &mask_error);
  if (g_file_test (calibration_path, G_FILE_TEST_EXISTS))
    {
      if (!read_form_file (calibration_path, &form, error))
        return FALSE;
      if (!_vigil_camera_setup_form_to_calibration (&form, &calibration, error))
        {
          g_prefix_error (error, "%s: ", calibration_path);
          return FALSE;
        }
      vigil_camera_set_calibration (camera, &calibration);
    }
  if (mask_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&mask_error));
      return FALSE;
    }
  return TRUE;
}
