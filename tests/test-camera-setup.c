/* test-camera-setup.c
 *
 * The road mask editor and the camera setup dialog, under Xvfb: a polygon drawn with clicks
 * and the keyboard's actions, a vertex moved, dragged and deleted, the mask saved and read
 * back to the exact vertices, its raster checked against the polygon's area; homographies
 * that give their points back, calibrations the dialog refuses; and the dialog on a running
 * camera, whose next frame uses the saved mask, restored on a new camera from the saved files.
 * The dialog is rendered to PNGs in the build folder, light and dark.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "vigil-camera-setup-dialog.h"
#include "vigil-error.h"
#include "vigil-mask-editor.h"
#include "vigil-tracker.h"
#include "vigil-traffic-generator.h"
#include "vigil-test-util.h"

#define DEADLINE_S 60
#define WIDTH      640
#define HEIGHT     360

static char *tmp;
static char *shots;

typedef gboolean (*Condition) (gpointer data);

static void
wait_for (Condition   cond,
          gpointer    data,
          const char *what)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
shown (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

/* Lets a few frames pass, so that layouts and drawing catch up. */
static void
settle (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gint64 start = gdk_frame_clock_get_frame_counter (clock);
  guint spins = 0;

  while (gdk_frame_clock_get_frame_counter (clock) < start + 6 && spins++ < 5000)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
screenshot (GtkWidget  *window,
            const char *name)
{
  AdwStyleManager *style = adw_style_manager_get_default ();

  for (guint dark = 0; dark < 2; dark++)
    {
      g_autofree char *file = g_strdup_printf ("%s%s.png", name, dark ? "-dark" : "");
      g_autofree char *path = g_build_filename (shots, file, NULL);
      const char *argv[] = { "import", "-window", "root", path, NULL };
      g_autoptr(GError) error = NULL;
      int status = 0;

      adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                      : ADW_COLOR_SCHEME_FORCE_LIGHT);
      wait_for (shown, window, "a window to screenshot");
      settle (window);
      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                   NULL, NULL, &status, &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_test_message ("screenshot: %s", path);
    }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
}

/* The generator's first frame: a road across the frame, with its band's rows. */
static VigilFrame *
scene_frame (guint   index,
             double *top,
             double *bottom)
{
  VigilTrafficGeneratorParams params;
  g_autoptr(VigilTrafficScene) scene = NULL;
  g_autoptr(GArray) truth = g_array_new (FALSE, FALSE, sizeof (VigilTrafficTruth));
  VigilFrame *frame = NULL;

  vigil_traffic_generator_params_init (&params);
  params.width = WIDTH;
  params.height = HEIGHT;
  scene = vigil_traffic_scene_new (&params, 1);
  for (guint i = 0; i <= index; i++)
    {
      g_clear_pointer (&frame, vigil_frame_unref);
      g_assert_true (vigil_traffic_scene_next (scene, truth, &frame));
    }
  if (top != NULL)
    vigil_traffic_scene_get_road (scene, top, bottom);
  return frame;
}

static void
click_pixel (VigilMaskEditor *editor,
             double           x,
             double           y)
{
  double wx, wy;

  g_assert_true (vigil_mask_editor_frame_to_widget (editor, x, y, &wx, &wy));
  vigil_mask_editor_click (editor, wx, wy);
}

static void
assert_vertices (const VigilRoadPolygon *polygon,
                 const double           *xy,
                 guint                   n)
{
  g_assert_cmpuint (polygon->points->len, ==, n);
  for (guint k = 0; k < n; k++)
    {
      g_assert_cmpfloat (g_array_index (polygon->points, VigilPoint, k).x, ==, xy[2 * k]);
      g_assert_cmpfloat (g_array_index (polygon->points, VigilPoint, k).y, ==, xy[2 * k + 1]);
    }
}

static void
move (VigilMaskEditor *editor,
      int              dx,
      int              dy)
{
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.move", "(ii)", dx, dy);
}

static void
act (VigilMaskEditor *editor,
     const char      *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), action, NULL));
}

/* Shoelace area and perimeter, computed here independently of the rasteriser. */
static void
polygon_measure (const double *xy,
                 guint         n,
                 double       *area,
                 double       *perimeter)
{
  double a = 0, p = 0;

  for (guint k = 0; k < n; k++)
    {
      guint j = (k + 1) % n;

      a += xy[2 * k] * xy[2 * j + 1] - xy[2 * j] * xy[2 * k + 1];
      p += hypot (xy[2 * j] - xy[2 * k], xy[2 * j + 1] - xy[2 * k + 1]);
    }
  *area = fabs (a) / 2;
  *perimeter = p;
}

static void
test_editor (void)
{
  /* The polygon as clicked, then after vertex 1 moves by (3, -2) and vertex 2 goes. */
  const double clicked[] = { 100, 50, 500, 60, 520, 300, 80, 310 };
  const double edited[] = { 100, 50, 503, 58, 80, 310 };
  const double keyed[] = { 200, 200, 210, 200, 210, 210 };
  g_autofree char *path = g_build_filename (tmp, "editor-mask.json", NULL);
  g_autoptr(VigilFrame) frame = scene_frame (0, NULL, NULL);
  g_autoptr(VigilRoadShapes) shapes = NULL;
  g_autoptr(VigilRoadShapes) loaded = NULL;
  g_autoptr(VigilRoadShapes) single = NULL;
  g_autoptr(VigilFrame) raster = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window = gtk_window_new ();
  VigilMaskEditor *editor = VIGIL_MASK_EDITOR (vigil_mask_editor_new ());
  guint polygon, vertex, changes = 0;
  double area, perimeter, x, y, wx, wy;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (editor));
  gtk_window_set_default_size (GTK_WINDOW (window), 700, 420);
  vigil_mask_editor_set_frame (editor, frame);
  g_signal_connect_swapped (editor, "changed", G_CALLBACK (g_atomic_int_inc), &changes);
  gtk_window_present (GTK_WINDOW (window));
  wait_for (shown, editor, "the editor on screen");

  /* Four clicks, then one on the first vertex closes the polygon. */
  for (guint k = 0; k < 4; k++)
    click_pixel (editor, clicked[2 * k], clicked[2 * k + 1]);
  g_assert_cmpuint (vigil_mask_editor_get_n_drawing (editor), ==, 4);
  g_assert_cmpuint (vigil_mask_editor_get_n_polygons (editor), ==, 0);
  click_pixel (editor, clicked[0] + 1, clicked[1] - 1);
  g_assert_cmpuint (vigil_mask_editor_get_n_polygons (editor), ==, 1);
  g_assert_cmpuint (vigil_mask_editor_get_n_drawing (editor), ==, 0);
  g_assert_cmpuint (changes, ==, 5);
  shapes = vigil_mask_editor_dup_shapes (editor);
  assert_vertices (g_ptr_array_index (shapes->polygons, 0), clicked, 4);
  g_clear_pointer (&shapes, vigil_road_shapes_free);

  /* A click on a vertex selects it; arrows move it; Delete removes the next one. */
  click_pixel (editor, 500, 60);
  g_assert_true (vigil_mask_editor_get_selection (editor, &polygon, &vertex));
  g_assert_cmpuint (polygon, ==, 0);
  g_assert_cmpuint (vertex, ==, 1);
  move (editor, 3, 0);
  move (editor, 0, -2);
  g_assert_true (vigil_mask_editor_select (editor, 0, 2));
  act (editor, "editor.delete-vertex");
  shapes = vigil_mask_editor_dup_shapes (editor);
  assert_vertices (g_ptr_array_index (shapes->polygons, 0), edited, 3);
  g_clear_pointer (&shapes, vigil_road_shapes_free);
  /* Deleting moved the selection to the vertex before; Escape drops it. */
  g_assert_true (vigil_mask_editor_get_selection (editor, &polygon, &vertex));
  g_assert_cmpuint (vertex, ==, 1);
  act (editor, "editor.cancel");
  g_assert_false (vigil_mask_editor_get_selection (editor, NULL, NULL));

  /* A polygon from the keyboard: the cursor moves without a selection, Space adds. */
  vigil_mask_editor_set_cursor (editor, 200, 200);
  act (editor, "editor.add-vertex");
  move (editor, 10, 0);
  act (editor, "editor.add-vertex");
  move (editor, 0, 10);
  act (editor, "editor.add-vertex");
  act (editor, "editor.close-polygon");
  g_assert_cmpuint (vigil_mask_editor_get_n_polygons (editor), ==, 2);
  /* Escape cancels a polygon being drawn, and only that. */
  act (editor, "editor.add-vertex");
  act (editor, "editor.add-vertex");
  g_assert_cmpuint (vigil_mask_editor_get_n_drawing (editor), ==, 2);
  act (editor, "editor.cancel");
  g_assert_cmpuint (vigil_mask_editor_get_n_drawing (editor), ==, 0);
  g_assert_cmpuint (vigil_mask_editor_get_n_polygons (editor), ==, 2);

  /* Tab goes through the vertices in order, and past the first one backwards to none. */
  act (editor, "editor.next-vertex");
  act (editor, "editor.next-vertex");
  g_assert_true (vigil_mask_editor_get_selection (editor, &polygon, &vertex));
  g_assert_cmpuint (polygon, ==, 0);
  g_assert_cmpuint (vertex, ==, 1);
  act (editor, "editor.previous-vertex");
  act (editor, "editor.previous-vertex");
  g_assert_false (vigil_mask_editor_get_selection (editor, NULL, NULL));

  /* A drag moves the vertex under the pointer to the pixel under its end. */
  g_assert_true (vigil_mask_editor_frame_to_widget (editor, 100, 50, &x, &y));
  g_assert_true (vigil_mask_editor_frame_to_widget (editor, 120, 70, &wx, &wy));
  vigil_mask_editor_drag (editor, x, y, wx, wy);
  shapes = vigil_mask_editor_dup_shapes (editor);
  g_assert_cmpfloat (g_array_index (((VigilRoadPolygon *) g_ptr_array_index (shapes->polygons,
                                                                             0))->points,
                                    VigilPoint, 0).x, ==, 120);
  vigil_mask_editor_drag (editor, wx, wy, x, y);
  g_clear_pointer (&shapes, vigil_road_shapes_free);

  /* Saved and read back: the exact vertices, with the frame's size. */
  shapes = vigil_mask_editor_dup_shapes (editor);
  g_assert_cmpuint (shapes->width, ==, WIDTH);
  g_assert_cmpuint (shapes->height, ==, HEIGHT);
  g_assert_true (vigil_road_shapes_save (shapes, path, &error));
  g_assert_no_error (error);
  loaded = vigil_road_shapes_load (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->width, ==, WIDTH);
  g_assert_cmpuint (loaded->polygons->len, ==, 2);
  assert_vertices (g_ptr_array_index (loaded->polygons, 0), edited, 3);
  assert_vertices (g_ptr_array_index (loaded->polygons, 1), keyed, 3);

  /* The raster of the big triangle against its shoelace area: within the boundary's pixels
   * (spans are rounded outwards, so the count exceeds the area by up to the perimeter). */
  single = vigil_road_shapes_new (WIDTH, HEIGHT);
  vigil_road_shapes_add (single, "road", edited, 3);
  raster = vigil_road_shapes_rasterize (single, WIDTH, HEIGHT, 0, 0);
  polygon_measure (edited, 3, &area, &perimeter);
  g_test_message ("area %.1f, perimeter %.1f, pixels %" G_GUINT64_FORMAT, area, perimeter,
                  vigil_road_mask_count (raster));
  g_assert_cmpfloat (fabs ((double) vigil_road_mask_count (raster) - area), <=, perimeter);

  /* Clear empties the editor. */
  act (editor, "editor.clear");
  g_assert_cmpuint (vigil_mask_editor_get_n_polygons (editor), ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
}

static const double image_points[8] = { 100, 300, 540, 300, 420, 120, 220, 120 };
static const double ground_points[8] = { 0, 0, 7, 0, 7, 40, 0, 40 };

static void
test_homography (void)
{
  g_autoptr(GError) error = NULL;
  VigilCalibration calibration;
  const double collinear[8] = { 0, 0, 10, 10, 20, 20, 5, 30 };
  double h[9];

  g_assert_true (vigil_homography_from_points (image_points, ground_points, h, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 4; i++)
    {
      double x, y;

      vigil_homography_apply (h, image_points[2 * i], image_points[2 * i + 1], &x, &y);
      g_assert_cmpfloat_with_epsilon (x, ground_points[2 * i], 1e-6);
      g_assert_cmpfloat_with_epsilon (y, ground_points[2 * i + 1], 1e-6);
    }
  g_assert_false (vigil_calibration_init_homography (&calibration, collinear, ground_points,
                                                     &error));
  g_assert_nonnull (error);
}

typedef struct
{
  VigilCamera *camera;
  guint64      n_frames;
} FrameWait;

static gboolean
camera_has_frames (gpointer data)
{
  FrameWait *wait = data;
  g_autoptr(VigilCameraSnapshot) snapshot = vigil_camera_dup_snapshot (wait->camera);

  return snapshot->n_frames >= wait->n_frames && snapshot->frame != NULL;
}

static void
push (VigilCamera *camera,
      guint        index)
{
  g_autoptr(VigilFrame) frame = scene_frame (index, NULL, NULL);
  g_autoptr(GError) error = NULL;
  FrameWait wait = { camera, index + 1 };

  g_assert_true (vigil_camera_push_frame (camera, frame, index * G_USEC_PER_SEC / 25, WIDTH,
                                          HEIGHT, NULL, 0, &error));
  g_assert_no_error (error);
  wait_for (camera_has_frames, &wait, "the camera's frame");
}

static void
assert_same_calibration (const VigilCalibration *a,
                         const VigilCalibration *b)
{
  g_assert_cmpint (a->has_homography, ==, b->has_homography);
  g_assert_cmpfloat (a->pixels_per_metre, ==, b->pixels_per_metre);
  for (guint i = 0; i < 9; i++)
    g_assert_cmpfloat_with_epsilon (a->homography[i], b->homography[i], 1e-12);
}

static void
test_dialog (void)
{
  g_autoptr(VigilCamera) camera = vigil_camera_new ("cam_01", NULL);
  g_autoptr(VigilCamera) again = NULL;
  g_autofree char *folder = vigil_camera_setup_get_folder ("cam_01");
  g_autofree char *mask_path = g_build_filename (folder, "mask.json", NULL);
  g_autofree char *calibration_path = g_build_filename (folder, "calibration.json", NULL);
  g_autoptr(VigilRoadShapes) loaded = NULL;
  g_autoptr(VigilFrame) expected = NULL;
  g_autoptr(VigilCameraSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilFrame) frame = NULL;
  const double collinear[8] = { 100, 300, 200, 300, 300, 300, 220, 120 };
  VigilCalibration calibration, applied, form;
  VigilCameraSetupDialog *dialog;
  VigilMaskEditor *editor;
  double top, bottom, road[8];

  frame = scene_frame (0, &top, &bottom);
  top = ceil (top);
  bottom = floor (bottom);
  {
    const double corners[8] = { 0, top, WIDTH - 1, top, WIDTH - 1, bottom, 0, bottom };

    memcpy (road, corners, sizeof road);
  }

  g_assert_true (g_str_has_prefix (folder, tmp));
  g_assert_true (vigil_camera_start (camera, &error));
  g_assert_no_error (error);
  push (camera, 0);

  dialog = VIGIL_CAMERA_SETUP_DIALOG (vigil_camera_setup_dialog_new (NULL, camera));
  gtk_window_present (GTK_WINDOW (dialog));
  editor = vigil_camera_setup_dialog_get_editor (dialog);
  wait_for (shown, editor, "the dialog's editor");
  g_assert_cmpuint (vigil_mask_editor_get_n_polygons (editor), ==, 0);

  for (guint k = 0; k < 4; k++)
    click_pixel (editor, road[2 * k], road[2 * k + 1]);
  act (editor, "editor.close-polygon");
  g_assert_cmpuint (vigil_mask_editor_get_n_polygons (editor), ==, 1);
  screenshot (GTK_WIDGET (dialog), "camera-setup-mask");

  /* Refused calibrations: an error in the dialog, nothing written or applied. */
  vigil_camera_setup_dialog_set_scale (dialog, 0);
  g_assert_false (vigil_camera_setup_dialog_get_calibration (dialog, &form, NULL));
  g_assert_false (vigil_camera_setup_dialog_save (dialog, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpstr (vigil_camera_setup_dialog_get_error (dialog), !=, "");
  vigil_camera_setup_dialog_set_points (dialog, collinear, ground_points);
  g_assert_false (vigil_camera_setup_dialog_save (dialog, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_clear_error (&error);
  screenshot (GTK_WIDGET (dialog), "camera-setup-calibration-error");
  g_assert_false (g_file_test (calibration_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (mask_path, G_FILE_TEST_EXISTS));
  vigil_camera_get_calibration (camera, &applied);
  g_assert_cmpfloat (applied.pixels_per_metre, ==, 0);
  g_assert_false (applied.has_homography);

  /* A good one: its check gives point 1 to point 2 as entered (7 m). */
  vigil_camera_setup_dialog_set_points (dialog, image_points, ground_points);
  g_assert_true (vigil_camera_setup_dialog_get_calibration (dialog, &form, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (vigil_camera_setup_dialog_get_check_text (dialog), "7.00"));
  screenshot (GTK_WIDGET (dialog), "camera-setup-calibration");

  g_assert_true (vigil_camera_setup_dialog_save (dialog, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (vigil_camera_setup_dialog_get_error (dialog), ==, "");
  g_assert_cmpstr (vigil_camera_get_mask_file (camera), ==, mask_path);
  loaded = vigil_road_shapes_load (mask_path, "cam_01", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->polygons->len, ==, 1);
  assert_vertices (g_ptr_array_index (loaded->polygons, 0), road, 4);
  g_assert_true (vigil_calibration_init_homography (&calibration, image_points, ground_points,
                                                    NULL));
  vigil_camera_get_calibration (camera, &applied);
  assert_same_calibration (&applied, &calibration);
  assert_same_calibration (&form, &calibration);
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* No restart: the camera's next frame is analysed with the saved mask. */
  push (camera, 1);
  snapshot = vigil_camera_dup_snapshot (camera);
  g_assert_nonnull (snapshot->mask);
  expected = vigil_road_shapes_rasterize (loaded, WIDTH, HEIGHT, 0, 0);
  g_assert_cmpuint (vigil_road_mask_count (snapshot->mask), ==,
                    vigil_road_mask_count (expected));
  g_assert_cmpuint (vigil_road_mask_count (expected), ==,
                    (guint64) WIDTH * (guint64) (bottom - top + 1));
  vigil_camera_stop (camera);

  /* The same camera opened again gets both back from the saved files. */
  again = vigil_camera_new ("cam_01", NULL);
  g_assert_true (vigil_camera_setup_load_saved (again, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (vigil_camera_get_mask_file (again), ==, mask_path);
  vigil_camera_get_calibration (again, &applied);
  assert_same_calibration (&applied, &calibration);

  /* A broken calibration file is an error that names it. */
  g_assert_true (g_file_set_contents (calibration_path, "{\"kind\": \"points\"}", -1, NULL));
  g_assert_false (vigil_camera_setup_load_saved (again, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, calibration_path));
}

/* A camera whose folder cannot be made: the dialog says so and stays usable. */
static void
test_save_fails (void)
{
  g_autoptr(VigilCamera) camera = vigil_camera_new ("cam_02", NULL);
  g_autofree char *folder = vigil_camera_setup_get_folder ("cam_02");
  g_autoptr(GError) error = NULL;
  VigilCameraSetupDialog *dialog;

  g_assert_true (g_file_set_contents (folder, "in the way", -1, NULL));
  dialog = VIGIL_CAMERA_SETUP_DIALOG (vigil_camera_setup_dialog_new (NULL, camera));
  gtk_window_present (GTK_WINDOW (dialog));
  wait_for (shown, dialog, "the dialog");
  g_assert_cmpuint (vigil_mask_editor_get_n_polygons (vigil_camera_setup_dialog_get_editor
                                                       (dialog)), ==, 0);
  vigil_camera_setup_dialog_set_scale (dialog, 12.5);
  g_assert_false (vigil_camera_setup_dialog_save (dialog, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (vigil_camera_setup_dialog_get_error (dialog), folder));
  screenshot (GTK_WIDGET (dialog), "camera-setup-error");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpstr (vigil_camera_get_mask_file (camera), ==, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  tmp = g_dir_make_tmp ("vigil-camera-setup-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", tmp, TRUE);
  g_setenv ("XDG_CONFIG_HOME", tmp, TRUE);
  g_setenv ("XDG_CACHE_HOME", tmp, TRUE);
  shots = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "screenshots", NULL);
  g_mkdir_with_parents (shots, 0755);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/camera-setup/editor", test_editor);
  g_test_add_func ("/camera-setup/homography", test_homography);
  g_test_add_func ("/camera-setup/dialog", test_dialog);
  g_test_add_func ("/camera-setup/save-fails", test_save_fails);
  status = g_test_run ();

  vigil_test_remove_tree (tmp);
  g_free (tmp);
  g_free (shots);
  return status;
}
