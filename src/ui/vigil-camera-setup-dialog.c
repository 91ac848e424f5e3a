/* vigil-camera-setup-dialog.c
 *
 * The camera goes on while the dialog is open: the frame under the editor follows its latest
 * one on the frame clock, and Save hands the new mask file and calibration to the running
 * camera, which takes them at its next frame (vigil-camera-setup-files.c writes them).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-camera-setup"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "vigil-camera-setup-private.h"
#include "vigil-tracker.h"

/* How often the frame under the editor follows the camera's. */
#define FRAME_INTERVAL_US (G_USEC_PER_SEC / 4)

struct _VigilCameraSetupDialog
{
  AdwWindow        parent_instance;

  /* Owned */
  VigilCamera     *camera;
  VigilFrame      *frame;          /* the frame shown */
  cairo_surface_t *points_image;   /* the frame, for the points view */
  char            *error_text;
  char            *check_text;
  guint            tick_id;
  gint64           last_poll_us;
  gboolean         mask_edited;
  gboolean         loading;
  guint            active_point;   /* where the next click on the points view goes */

  /* Widgets */
  AdwViewStack    *stack;
  GtkWidget       *error_box;
  GtkLabel        *error_label;
  VigilMaskEditor *editor;
  GtkLabel        *mask_status;
  GtkButton       *close_button;
  GtkButton       *clear_button;
  GtkCheckButton  *kind_checks[3];
  GtkWidget       *scale_group;
  GtkSpinButton   *scale_spin;
  GtkWidget       *points_group;
  GtkWidget       *points_view;
  GtkToggleButton *point_toggles[4];
  GtkSpinButton   *image_spins[8];
  GtkSpinButton   *ground_spins[8];
  GtkLabel        *check_label;
  GtkLabel        *calibration_error;
};

G_DEFINE_FINAL_TYPE (VigilCameraSetupDialog, vigil_camera_setup_dialog, ADW_TYPE_WINDOW)

/* State ------------------------------------------------------------------------------------- */

static void
show_error (VigilCameraSetupDialog *self,
            const char             *text)
{
  g_free (self->error_text);
  self->error_text = g_strdup (text != NULL ? text : "");
  gtk_label_set_text (self->error_label, self->error_text);
  gtk_widget_set_visible (self->error_box, text != NULL);
}

const char *
vigil_camera_setup_dialog_get_error (VigilCameraSetupDialog *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_SETUP_DIALOG (self), "");

  return self->error_text != NULL ? self->error_text : "";
}

const char *
vigil_camera_setup_dialog_get_check_text (VigilCameraSetupDialog *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_SETUP_DIALOG (self), "");

  return self->check_text != NULL ? self->check_text : "";
}

static VigilCalibrationKind
selected_kind (VigilCameraSetupDialog *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->kind_checks); i++)
    if (gtk_check_button_get_active (self->kind_checks[i]))
      return i;
  return VIGIL_CALIBRATION_NONE;
}

static void
get_form (VigilCameraSetupDialog *self,
          CalibrationForm                   *form)
{
  form->kind = selected_kind (self);
  form->pixels_per_metre = gtk_spin_button_get_value (self->scale_spin);
  for (guint i = 0; i < 8; i++)
    {
      form->image[i] = gtk_spin_button_get_value (self->image_spins[i]);
      form->ground[i] = gtk_spin_button_get_value (self->ground_spins[i]);
    }
}

gboolean
vigil_camera_setup_dialog_get_calibration (VigilCameraSetupDialog  *self,
                                           VigilCalibration        *out,
                                           GError                 **error)
{
  CalibrationForm form;

  g_return_val_if_fail (VIGIL_IS_CAMERA_SETUP_DIALOG (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  get_form (self, &form);
  return _vigil_camera_setup_form_to_calibration (&form, out, error);
}

/* What the calibration says, in terms a person can check against the road: the scale, or
 * the distance the homography gives between points 1 and 2 and its scale around the points. */
static char *
describe (const CalibrationForm             *form,
          const VigilCalibration *calibration)
{
  double x0, y0, x1, y1, cx = 0, cy = 0, mx, my, ax, ay, d;

  if (form->kind == VIGIL_CALIBRATION_SCALE)
    /* Translators: what a scale calibration means on the frame. */
    return g_strdup_printf (_("1 m on the road is %.1f pixels on the frame; a 4.5 m car is "
                              "%.0f pixels long."), form->pixels_per_metre,
                            4.5 * form->pixels_per_metre);
  if (form->kind != VIGIL_CALIBRATION_POINTS)
    return g_strdup (_("Without a calibration, speeds are not measured."));

  vigil_calibration_to_ground (calibration, form->image[0], form->image[1], &x0, &y0);
  vigil_calibration_to_ground (calibration, form->image[2], form->image[3], &x1, &y1);
  for (guint i = 0; i < 4; i++)
    {
      cx += form->image[2 * i] / 4;
      cy += form->image[2 * i + 1] / 4;
    }
  vigil_calibration_to_ground (calibration, cx, cy, &mx, &my);
  vigil_calibration_to_ground (calibration, cx + 1, cy, &ax, &ay);
  d = hypot (ax - mx, ay - my);
  /* Translators: a check of a four-point calibration: a distance on the road in metres,
   * then how many pixels a metre spans in the middle of the points. */
  return g_strdup_printf (_("Point 1 to point 2: %.2f m on the road. Amid the points, 1 m "
                            "is about %.1f pixels across the frame."),
                          hypot (x1 - x0, y1 - y0), d > 0 ? 1 / d : 0);
}

static void
update_calibration (VigilCameraSetupDialog *self)
{
  g_autoptr(GError) error = NULL;
  VigilCalibration calibration;
  VigilCalibrationKind kind = selected_kind (self);
  CalibrationForm form;

  if (self->loading)
    return;
  get_form (self, &form);
  gtk_widget_set_visible (self->scale_group, kind == VIGIL_CALIBRATION_SCALE);
  gtk_widget_set_visible (self->points_group, kind == VIGIL_CALIBRATION_POINTS);
  g_clear_pointer (&self->check_text, g_free);
  if (_vigil_camera_setup_form_to_calibration (&form, &calibration, &error))
    self->check_text = describe (&form, &calibration);
  gtk_label_set_text (self->check_label, self->check_text != NULL ? self->check_text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->check_label), error == NULL);
  gtk_label_set_text (self->calibration_error, error != NULL ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->calibration_error), error != NULL);
  gtk_widget_queue_draw (self->points_view);
}

static void
set_form (VigilCameraSetupDialog *self,
          const CalibrationForm             *form)
{
  self->loading = TRUE;
  gtk_check_button_set_active (self->kind_checks[form->kind], TRUE);
  gtk_spin_button_set_value (self->scale_spin, form->pixels_per_metre);
  for (guint i = 0; i < 8; i++)
    {
      gtk_spin_button_set_value (self->image_spins[i], form->image[i]);
      gtk_spin_button_set_value (self->ground_spins[i], form->ground[i]);
    }
  self->loading = FALSE;
  update_calibration (self);
}

void
vigil_camera_setup_dialog_set_scale (VigilCameraSetupDialog *self,
                                     double                  pixels_per_metre)
{
  CalibrationForm form;

  g_return_if_fail (VIGIL_IS_CAMERA_SETUP_DIALOG (self));

  get_form (self, &form);
  form.kind = VIGIL_CALIBRATION_SCALE;
  form.pixels_per_metre = pixels_per_metre;
  set_form (self, &form);
}

void
vigil_camera_setup_dialog_set_points (VigilCameraSetupDialog *self,
                                      const double            image_points[8],
                                      const double            ground_points[8])
{
  CalibrationForm form;

  g_return_if_fail (VIGIL_IS_CAMERA_SETUP_DIALOG (self));

  get_form (self, &form);
  form.kind = VIGIL_CALIBRATION_POINTS;
  memcpy (form.image, image_points, sizeof form.image);
  memcpy (form.ground, ground_points, sizeof form.ground);
  set_form (self, &form);
}

void
vigil_camera_setup_dialog_set_calibration_kind (VigilCameraSetupDialog *self,
                                                VigilCalibrationKind    kind)
{
  g_return_if_fail (VIGIL_IS_CAMERA_SETUP_DIALOG (self));
  g_return_if_fail (kind <= VIGIL_CALIBRATION_POINTS);

  gtk_check_button_set_active (self->kind_checks[kind], TRUE);
}

static void
update_mask_status (VigilCameraSetupDialog *self)
{
  g_autoptr(VigilRoadShapes) shapes = vigil_mask_editor_dup_shapes (self->editor);
  g_autofree char *text = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->close_button),
                            vigil_mask_editor_get_n_drawing (self->editor) >= 3);
  gtk_widget_set_sensitive (GTK_WIDGET (self->clear_button),
                            shapes->polygons->len > 0 ||
                            vigil_mask_editor_get_n_drawing (self->editor) > 0);
  if (shapes->polygons->len == 0)
    text = g_strdup (_("No road drawn: the whole frame counts as road."));
  else if (shapes->width > 0 && shapes->height > 0)
    {
      g_autoptr(VigilFrame) mask = vigil_road_shapes_rasterize (shapes, shapes->width,
                                                                shapes->height, 0, 0);
      double share = 100.0 * vigil_road_mask_count (mask) / ((double) shapes->width *
                                                               shapes->height);

      /* Translators: the road mask's share of the frame, e.g. "The road covers 34 % of the
       * frame." */
      text = g_strdup_printf (_("The road covers %.0f %% of the frame."), share);
    }
  gtk_label_set_text (self->mask_status, text != NULL ? text : "");
}

static void
on_editor_changed (VigilCameraSetupDialog *self)
{
  self->mask_edited = TRUE;
  update_mask_status (self);
}

/* Saving ------------------------------------------------------------------------------------ */

gboolean
vigil_camera_setup_dialog_save (VigilCameraSetupDialog  *self,
                                GError                 **error)
{
  g_autofree char *folder = NULL;
  g_autoptr(VigilRoadShapes) shapes = NULL;
  g_autoptr(GError) local_error = NULL;
  VigilCalibration calibration;
  CalibrationForm form;

  g_return_val_if_fail (VIGIL_IS_CAMERA_SETUP_DIALOG (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  folder = vigil_camera_setup_get_folder (vigil_camera_get_id (self->camera));
  shapes = vigil_mask_editor_dup_shapes (self->editor);
  get_form (self, &form);
  if (!_vigil_camera_setup_form_to_calibration (&form, &calibration, &local_error))
    adw_view_stack_set_visible_child_name (self->stack, "calibration");
  else if (_vigil_camera_setup_make_folder (folder, &local_error))
    {
      if (self->mask_edited &&
          !_vigil_camera_setup_save_mask (self->camera, folder, shapes, &local_error))
        adw_view_stack_set_visible_child_name (self->stack, "mask");
      else if (_vigil_camera_setup_write_form (folder, &form, &local_error))
        {
          self->mask_edited = FALSE;
          vigil_camera_set_calibration (self->camera, &calibration);
          show_error (self, NULL);
          return TRUE;
        }
    }

  show_error (self, local_error->message);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static void
on_save_clicked (VigilCameraSetupDialog *self)
{
  if (vigil_camera_setup_dialog_save (self, NULL))
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
activate_save (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  on_save_clicked (VIGIL_CAMERA_SETUP_DIALOG (widget));
}

/* The frame --------------------------------------------------------------------------------- */

static void
set_frame (VigilCameraSetupDialog *self,
           VigilFrame             *frame)
{
  GdkTexture *texture;

  if (frame == NULL || frame == self->frame)
    return;
  g_clear_pointer (&self->frame, vigil_frame_unref);
  self->frame = vigil_frame_ref (frame);
  vigil_mask_editor_set_frame (self->editor, frame);

  /* The points view draws with cairo: the editor's texture, downloaded once per frame. */
  g_clear_pointer (&self->points_image, cairo_surface_destroy);
  texture = vigil_mask_editor_get_texture (self->editor);
  if (texture != NULL)
    {
      self->points_image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                                       gdk_texture_get_width (texture),
                                                       gdk_texture_get_height (texture));
      gdk_texture_download (texture, cairo_image_surface_get_data (self->points_image),
                            cairo_image_surface_get_stride (self->points_image));
      cairo_surface_mark_dirty (self->points_image);
    }
  for (guint i = 0; i < 8; i++)
    gtk_spin_button_set_range (self->image_spins[i], 0,
                               (i % 2 == 0 ? frame->width : frame->height) - 1.0);
  gtk_widget_queue_draw (self->points_view);
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  VigilCameraSetupDialog *self = VIGIL_CAMERA_SETUP_DIALOG (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  g_autoptr(VigilCameraSnapshot) snapshot = NULL;

  if (now - self->last_poll_us < FRAME_INTERVAL_US)
    return G_SOURCE_CONTINUE;
  self->last_poll_us = now;
  snapshot = vigil_camera_dup_snapshot (self->camera);
  if (snapshot != NULL)
    set_frame (self, snapshot->frame);
  return G_SOURCE_CONTINUE;
}

/* The points view: the frame with the four calibration points, numbered. */
static gboolean
points_layout (VigilCameraSetupDialog *self,
               int                     width,
               int                     height,
               double                 *scale,
               double                 *ox,
               double                 *oy)
{
  if (self->frame == NULL)
    return FALSE;
  *scale = MIN ((double) width / self->frame->width, (double) height / self->frame->height);
  *ox = (width - self->frame->width * *scale) / 2;
  *oy = (height - self->frame->height * *scale) / 2;
  return TRUE;
}

static void
draw_points (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        data)
{
  VigilCameraSetupDialog *self = data;
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (area));
  double scale, ox, oy, x[4], y[4];
  GdkRGBA fg, accent;

  gtk_style_context_get_color (context, &fg);
  if (!gtk_style_context_lookup_color (context, "accent_bg_color", &accent))
    gdk_rgba_parse (&accent, "#3584e4");
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.08);
  cairo_paint (cr);
  if (!points_layout (self, width, height, &scale, &ox, &oy))
    return;
  if (self->points_image != NULL)
    {
      cairo_save (cr);
      cairo_translate (cr, ox, oy);
      cairo_scale (cr, scale, scale);
      cairo_set_source_surface (cr, self->points_image, 0, 0);
      cairo_paint (cr);
      cairo_restore (cr);
    }

  for (guint i = 0; i < 4; i++)
    {
      x[i] = ox + (gtk_spin_button_get_value (self->image_spins[2 * i]) + 0.5) * scale;
      y[i] = oy + (gtk_spin_button_get_value (self->image_spins[2 * i + 1]) + 0.5) * scale;
      cairo_line_to (cr, x[i], y[i]);
    }
  cairo_close_path (cr);
  cairo_set_line_width (cr, 2);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_stroke (cr);

  cairo_set_font_size (cr, 12);
  for (guint i = 0; i < 4; i++)
    {
      char number[2] = { (char) ('1' + i), '\0' };
      cairo_text_extents_t extents;

      /* show_text() leaves a current point, which arc() would join with a line. */
      cairo_new_path (cr);
      cairo_arc (cr, x[i], y[i], 10, 0, 2 * G_PI);
      gdk_cairo_set_source_rgba (cr, &accent);
      cairo_fill_preserve (cr);
      cairo_set_line_width (cr, i == self->active_point ? 3 : 1.5);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_stroke (cr);
      cairo_text_extents (cr, number, &extents);
      cairo_move_to (cr, x[i] - extents.x_bearing - extents.width / 2,
                     y[i] - extents.y_bearing - extents.height / 2);
      cairo_show_text (cr, number);
    }
}

static void
on_points_pressed (GtkGestureClick        *gesture,
                   int                     n_press,
                   double                  x,
                   double                  y,
                   VigilCameraSetupDialog *self)
{
  double scale, ox, oy;
  guint i = self->active_point;

  if (!points_layout (self, gtk_widget_get_width (self->points_view),
                      gtk_widget_get_height (self->points_view), &scale, &ox, &oy))
    return;
  gtk_spin_button_set_value (self->image_spins[2 * i], round ((x - ox) / scale - 0.5));
  gtk_spin_button_set_value (self->image_spins[2 * i + 1], round ((y - oy) / scale - 0.5));
  /* On to the next point, so that four clicks place all four. */
  gtk_toggle_button_set_active (self->point_toggles[(i + 1) % 4], TRUE);
}

static void
on_point_toggled (GtkToggleButton        *toggle,
                  VigilCameraSetupDialog *self)
{
  for (guint i = 0; i < 4; i++)
    if (toggle == self->point_toggles[i] && gtk_toggle_button_get_active (toggle))
      self->active_point = i;
  gtk_widget_queue_draw (self->points_view);
}

/* Building ---------------------------------------------------------------------------------- */

static GtkWidget *
label_new (const char *text,
           gboolean    dim)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (dim)
    gtk_widget_add_css_class (label, "dim-label");
  return label;
}

static void
on_close_clicked (VigilCameraSetupDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self->editor), "editor.close-polygon", NULL);
}

static void
on_clear_clicked (VigilCameraSetupDialog *self)
{
  vigil_mask_editor_clear (self->editor);
}

static GtkWidget *
build_mask_page (VigilCameraSetupDialog *self)
{
  GtkWidget *page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *help, *frame;

  g_object_set (page, "margin-start", 12, "margin-end", 12, "margin-bottom", 12, NULL);
  help = label_new (_("Click the corners of the road; click the first corner or press Enter "
                      "to close the polygon. Drag a corner to move it; right-click it, or "
                      "select it and press Delete, to remove it. From the keyboard, the "
                      "arrows move the cursor or the selected corner (with Shift, by 10 "
                      "pixels), Space adds a corner and Tab selects the next one."), TRUE);
  gtk_widget_set_hexpand (help, TRUE);
  gtk_box_append (GTK_BOX (bar), help);
  self->close_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Close Polygon")));
  gtk_widget_set_valign (GTK_WIDGET (self->close_button), GTK_ALIGN_CENTER);
  g_signal_connect_swapped (self->close_button, "clicked", G_CALLBACK (on_close_clicked),
                            self);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->close_button));
  self->clear_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("C_lear")));
  gtk_widget_set_valign (GTK_WIDGET (self->clear_button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->clear_button), "destructive-action");
  g_signal_connect_swapped (self->clear_button, "clicked", G_CALLBACK (on_clear_clicked),
                            self);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->clear_button));
  gtk_box_append (GTK_BOX (page), bar);

  self->editor = VIGIL_MASK_EDITOR (vigil_mask_editor_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->editor), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->editor),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, gtk_label_get_text
                                  (GTK_LABEL (help)), -1);
  g_signal_connect_swapped (self->editor, "changed", G_CALLBACK (on_editor_changed), self);
  frame = gtk_frame_new (NULL);
  gtk_frame_set_child (GTK_FRAME (frame), GTK_WIDGET (self->editor));
  gtk_box_append (GTK_BOX (page), frame);

  self->mask_status = GTK_LABEL (label_new ("", TRUE));
  gtk_box_append (GTK_BOX (page), GTK_WIDGET (self->mask_status));
  return page;
}

static GtkSpinButton *
spin_new (double      lower,
          double      upper,
          guint       digits,
          const char *accessible_name)
{
  GtkSpinButton *spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (lower, upper, 1));

  gtk_spin_button_set_digits (spin, digits);
  gtk_widget_set_valign (GTK_WIDGET (spin), GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible_name, -1);
  return spin;
}

static GtkWidget *
build_points_grid (VigilCameraSetupDialog *self)
{
  const char *headers[] = { _("Frame x (px)"), _("Frame y (px)"), _("Road x (m)"),
                            _("Road y (m)") };
  GtkGrid *grid = GTK_GRID (gtk_grid_new ());

  gtk_grid_set_row_spacing (grid, 6);
  gtk_grid_set_column_spacing (grid, 6);
  for (guint c = 0; c < 4; c++)
    gtk_grid_attach (grid, label_new (headers[c], TRUE), c + 1, 0, 1, 1);
  for (guint i = 0; i < 4; i++)
    {
      /* Translators: one of the four calibration points, "Point 1" to "Point 4". */
      g_autofree char *name = g_strdup_printf (_("Point %u"), i + 1);

      self->point_toggles[i] = GTK_TOGGLE_BUTTON (gtk_toggle_button_new_with_label (name));
      if (i > 0)
        gtk_toggle_button_set_group (self->point_toggles[i], self->point_toggles[0]);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->point_toggles[i]),
                                   _("The next click on the frame places this point"));
      g_signal_connect (self->point_toggles[i], "toggled", G_CALLBACK (on_point_toggled),
                        self);
      gtk_grid_attach (grid, GTK_WIDGET (self->point_toggles[i]), 0, i + 1, 1, 1);
      for (guint c = 0; c < 4; c++)
        {
          g_autofree char *accessible = g_strdup_printf ("%s, %s", name, headers[c]);
          GtkSpinButton *spin = c < 2 ? spin_new (0, 100000, 0, accessible)
                                      : spin_new (-100000, 100000, 2, accessible);

          if (c < 2)
            self->image_spins[2 * i + c] = spin;
          else
            self->ground_spins[2 * i + c - 2] = spin;
          g_signal_connect_swapped (spin, "value-changed", G_CALLBACK (update_calibration),
                                    self);
          gtk_grid_attach (grid, GTK_WIDGET (spin), c + 1, i + 1, 1, 1);
        }
    }
  gtk_toggle_button_set_active (self->point_toggles[0], TRUE);
  return GTK_WIDGET (grid);
}

static GtkWidget *
build_kind_group (VigilCameraSetupDialog *self)
{
  const char *titles[] = { _("No Calibration"), _("Scale"), _("Four Ground Points") };
  const char *subtitles[] = {
    _("Speeds are not measured"),
    _("Pixels per metre along the road, for a camera that looks straight down on it"),
    _("Where four points of the frame lie on the road, for a camera that sees it at an "
      "angle"),
  };
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Method"));
  for (guint i = 0; i < 3; i++)
    {
      GtkWidget *row = adw_action_row_new ();

      self->kind_checks[i] = GTK_CHECK_BUTTON (gtk_check_button_new ());
      if (i > 0)
        gtk_check_button_set_group (self->kind_checks[i], self->kind_checks[0]);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), titles[i]);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitles[i]);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), GTK_WIDGET (self->kind_checks[i]));
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row),
                                             GTK_WIDGET (self->kind_checks[i]));
      g_signal_connect_swapped (self->kind_checks[i], "toggled",
                                G_CALLBACK (update_calibration), self);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }
  gtk_check_button_set_active (self->kind_checks[0], TRUE);
  return group;
}

static GtkWidget *
build_calibration_page (VigilCameraSetupDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *row, *points;
  GtkGesture *gesture;

  g_object_set (box, "margin-start", 12, "margin-end", 12, "margin-bottom", 12, NULL);
  gtk_box_append (GTK_BOX (box), build_kind_group (self));

  self->scale_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->scale_group), _("Scale"));
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Pixels per metre"));
  self->scale_spin = spin_new (0, 10000, 2, _("Pixels per metre"));
  gtk_spin_button_set_increments (self->scale_spin, 0.1, 1);
  g_signal_connect_swapped (self->scale_spin, "value-changed",
                            G_CALLBACK (update_calibration), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->scale_spin));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (self->scale_spin));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->scale_group), row);
  gtk_box_append (GTK_BOX (box), self->scale_group);

  self->points_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->points_group),
                                   _("Ground Points"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->points_group),
                                         _("Click the frame to place the chosen point, or "
                                           "type where it is; then give where each point "
                                           "lies on the road, in metres."));
  points = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  self->points_view = gtk_drawing_area_new ();
  gtk_widget_set_size_request (self->points_view, 320, 200);
  gtk_widget_set_hexpand (self->points_view, TRUE);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->points_view), draw_points, self,
                                  NULL);
  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_points_pressed), self);
  gtk_widget_add_controller (self->points_view, GTK_EVENT_CONTROLLER (gesture));
  gtk_box_append (GTK_BOX (points), self->points_view);
  gtk_box_append (GTK_BOX (points), build_points_grid (self));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->points_group), points);
  gtk_box_append (GTK_BOX (box), self->points_group);

  self->check_label = GTK_LABEL (label_new ("", FALSE));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->check_label));
  self->calibration_error = GTK_LABEL (label_new ("", FALSE));
  gtk_widget_add_css_class (GTK_WIDGET (self->calibration_error), "error");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->calibration_error));

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), box);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  return scrolled;
}

static GtkWidget *
build_error_box (VigilCameraSetupDialog *self)
{
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-error-symbolic");
  GtkWidget *inner;

  self->error_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  g_object_set (self->error_box, "margin-start", 12, "margin-end", 12, "margin-top", 6,
                NULL);
  gtk_widget_add_css_class (self->error_box, "card");
  gtk_widget_add_css_class (icon, "error");
  g_object_set (icon, "margin-start", 12, "margin-top", 12, "margin-bottom", 12,
                "valign", GTK_ALIGN_START, NULL);
  gtk_box_append (GTK_BOX (self->error_box), icon);
  /* The label in a box of its own, margins on the box: a wrapping label with margins of
   * its own measures one pixel short in GTK 4.8. */
  inner = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  g_object_set (inner, "margin-end", 12, "margin-top", 12, "margin-bottom", 12, "hexpand", TRUE,
                NULL);
  self->error_label = GTK_LABEL (label_new ("", FALSE));
  gtk_label_set_wrap_mode (self->error_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (self->error_label, TRUE);
  gtk_box_append (GTK_BOX (inner), GTK_WIDGET (self->error_label));
  gtk_box_append (GTK_BOX (self->error_box), inner);
  gtk_widget_set_visible (self->error_box, FALSE);
  return self->error_box;
}

/* The form from calibration.json, else from the camera's calibration: a homography is shown
 * as four points it maps (which give it back), since the camera keeps no points. */
static void
load_calibration (VigilCameraSetupDialog *self)
{
  g_autofree char *folder = vigil_camera_setup_get_folder (vigil_camera_get_id (self->camera));
  g_autoptr(GError) error = NULL;
  double w = self->frame != NULL ? self->frame->width : 640;
  double h = self->frame != NULL ? self->frame->height : 480;
  const double spread[8] = { 0.3, 0.55, 0.7, 0.55, 0.9, 0.9, 0.1, 0.9 };
  VigilCalibration calibration;
  CalibrationForm form = { VIGIL_CALIBRATION_NONE };

  for (guint i = 0; i < 8; i++)
    form.image[i] = round (spread[i] * ((i % 2 == 0 ? w : h) - 1));
  vigil_camera_get_calibration (self->camera, &calibration);
  if (calibration.has_homography)
    {
      form.kind = VIGIL_CALIBRATION_POINTS;
      for (guint i = 0; i < 4; i++)
        vigil_homography_apply (calibration.homography, form.image[2 * i],
                                form.image[2 * i + 1], &form.ground[2 * i],
                                &form.ground[2 * i + 1]);
    }
  else if (calibration.pixels_per_metre > 0)
    {
      form.kind = VIGIL_CALIBRATION_SCALE;
      form.pixels_per_metre = calibration.pixels_per_metre;
    }
  if (!_vigil_camera_setup_read_form (folder, &form, &error))
    show_error (self, error->message);
  set_form (self, &form);
}

static void
load_mask (VigilCameraSetupDialog *self)
{
  const char *path = vigil_camera_get_mask_file (self->camera);
  g_autoptr(VigilRoadShapes) shapes = NULL;
  g_autoptr(GError) error = NULL;

  if (path != NULL)
    {
      shapes = vigil_road_shapes_load (path, vigil_camera_get_id (self->camera), &error);
      if (shapes == NULL)
        {
          g_autofree char *text = NULL;

          /* Translators: %s says why the camera's mask file cannot be read as polygons (a
           * PNG mask, say). */
          text = g_strdup_printf (_("The camera’s road mask cannot be edited here (%s). Saving "
                                    "replaces it with the polygons drawn."), error->message);
          show_error (self, text);
        }
    }
  vigil_mask_editor_set_shapes (self->editor, shapes);
  self->mask_edited = FALSE;
  update_mask_status (self);
}

static void
vigil_camera_setup_dialog_constructed (GObject *object)
{
  VigilCameraSetupDialog *self = VIGIL_CAMERA_SETUP_DIALOG (object);
  g_autoptr(VigilCameraSnapshot) snapshot = vigil_camera_dup_snapshot (self->camera);
  AdwViewSwitcherTitle *title = ADW_VIEW_SWITCHER_TITLE (adw_view_switcher_title_new ());
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  GtkWidget *save = gtk_button_new_with_mnemonic (_("_Save"));
  AdwViewStackPage *page;

  G_OBJECT_CLASS (vigil_camera_setup_dialog_parent_class)->constructed (object);

  gtk_window_set_title (GTK_WINDOW (self), _("Camera Setup"));
  adw_view_switcher_title_set_stack (title, self->stack);
  adw_view_switcher_title_set_title (title, _("Camera Setup"));
  adw_view_switcher_title_set_subtitle (title, vigil_camera_get_id (self->camera));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (title));
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "window.close");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  gtk_widget_add_css_class (save, "suggested-action");
  g_signal_connect_swapped (save, "clicked", G_CALLBACK (on_save_clicked), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), save);
  gtk_window_set_default_widget (GTK_WINDOW (self), save);

  gtk_box_append (GTK_BOX (content), header);
  gtk_box_append (GTK_BOX (content), build_error_box (self));
  page = adw_view_stack_add_titled (self->stack, build_mask_page (self), "mask",
                                    _("Road Mask"));
  adw_view_stack_page_set_icon_name (page, "document-edit-symbolic");
  page = adw_view_stack_add_titled (self->stack, build_calibration_page (self),
                                    "calibration", _("Calibration"));
  adw_view_stack_page_set_icon_name (page, "preferences-system-symbolic");
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->stack));
  adw_window_set_content (ADW_WINDOW (self), content);

  if (snapshot != NULL)
    set_frame (self, snapshot->frame);
  load_mask (self);
  load_calibration (self);
  self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
}

static void
vigil_camera_setup_dialog_dispose (GObject *object)
{
  VigilCameraSetupDialog *self = VIGIL_CAMERA_SETUP_DIALOG (object);

  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
  g_clear_object (&self->camera);
  g_clear_pointer (&self->frame, vigil_frame_unref);
  g_clear_pointer (&self->points_image, cairo_surface_destroy);

  G_OBJECT_CLASS (vigil_camera_setup_dialog_parent_class)->dispose (object);
}

static void
vigil_camera_setup_dialog_finalize (GObject *object)
{
  VigilCameraSetupDialog *self = VIGIL_CAMERA_SETUP_DIALOG (object);

  g_free (self->error_text);
  g_free (self->check_text);

  G_OBJECT_CLASS (vigil_camera_setup_dialog_parent_class)->finalize (object);
}

enum {
  PROP_0,
  PROP_CAMERA,
  N_PROPS
};

static void
vigil_camera_setup_dialog_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  VigilCameraSetupDialog *self = VIGIL_CAMERA_SETUP_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CAMERA:
      self->camera = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vigil_camera_setup_dialog_class_init (VigilCameraSetupDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = vigil_camera_setup_dialog_constructed;
  object_class->dispose = vigil_camera_setup_dialog_dispose;
  object_class->finalize = vigil_camera_setup_dialog_finalize;
  object_class->set_property = vigil_camera_setup_dialog_set_property;

  g_object_class_install_property (object_class, PROP_CAMERA,
                                   g_param_spec_object ("camera", NULL, NULL, VIGIL_TYPE_CAMERA,
                                                        G_PARAM_WRITABLE |
                                                        G_PARAM_CONSTRUCT_ONLY |
                                                        G_PARAM_STATIC_STRINGS));

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "setup.save", NULL);
  gtk_widget_class_install_action (widget_class, "setup.save", NULL,
                                   activate_save);
}

static void
vigil_camera_setup_dialog_init (VigilCameraSetupDialog *self)
{
  self->stack = ADW_VIEW_STACK (adw_view_stack_new ());
  /* Until the form is built and filled (set_form() ends this). */
  self->loading = TRUE;
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (self), 960, 760);
}

GtkWidget *
vigil_camera_setup_dialog_new (GtkWindow   *parent,
                               VigilCamera *camera)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (VIGIL_IS_CAMERA (camera), NULL);

  return g_object_new (VIGIL_TYPE_CAMERA_SETUP_DIALOG, "camera", camera,
                       "transient-for", parent, NULL);
}

VigilMaskEditor *
vigil_camera_setup_dialog_get_editor (VigilCameraSetupDialog *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_SETUP_DIALOG (self), NULL);

  return self->editor;
}

void
vigil_camera_setup_dialog_set_page (VigilCameraSetupDialog *self,
                                    const char             *name)
{
  g_return_if_fail (VIGIL_IS_CAMERA_SETUP_DIALOG (self));

  adw_view_stack_set_visible_child_name (self->stack, name);
}
