/* vigil-camera-view.c
 *
 * The frame is a large camera tile (it polls its own snapshot); the view re-reads the
 * camera's history only when the tile shows a newly closed second, and its alarms only when
 * their serial moved. The charts are cairo curves over the last minutes of closed seconds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-camera-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "vigil-camera-draw.h"
#include "vigil-camera-setup-dialog.h"
#include "vigil-camera-view.h"
#include "vigil-traffic-chart.h"
#include "vigil-ui-util.h"
#include "vigil-window.h"

/* What the charts span, in event time. */
#define CHART_SPAN_US (5 * 60 * G_USEC_PER_SEC)

struct _VigilCameraView
{
  GtkWidget         parent_instance;

  /* Owned */
  VigilCamera      *camera;
  GArray           *history;         /* VigilTrafficStats */
  GArray           *alarms;          /* VigilLiveAlarm */
  gint64            history_end_us;  /* of the newest second read */
  guint64           alarm_serial;
  guint             tick_id;
  char             *target_rule;     /* the alarm the dialog acts on */

  /* Borrowed children */
  GtkWidget        *header;
  GtkLabel         *title;
  GtkLabel         *subtitle;
  GtkWidget        *setup_button;
  GtkWidget        *scroller;
  GtkWidget        *frame_bin;
  VigilCameraTile  *frame;
  GtkWidget        *charts[VIGIL_TRAFFIC_N_SERIES];
  GtkLabel         *chart_values[VIGIL_TRAFFIC_N_SERIES];
  GtkListBox       *alarm_list;
  GtkWidget        *ack_button;
  GtkWidget        *shelve_button;
  AdwMessageDialog *dialog;          /* weak: the open acknowledge or shelve dialog */
  GtkEditable      *comment;
  GtkDropDown      *duration;
};

G_DEFINE_FINAL_TYPE (VigilCameraView, vigil_camera_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_BACK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Charts -------------------------------------------------------------------------------------- */

static void
draw_chart (GtkDrawingArea *area,
            cairo_t        *cr,
            int             width,
            int             height,
            gpointer        user_data)
{
  VigilCameraView *self = user_data;
  gint64 to_us = 0, from_us = 0;

  /* The last minutes, or as much as there is while the camera is young. */
  if (self->history != NULL && self->history->len > 0)
    {
      to_us = g_array_index (self->history, VigilTrafficStats, self->history->len - 1).end_us;
      from_us = MAX (to_us - CHART_SPAN_US,
                     g_array_index (self->history, VigilTrafficStats, 0).start_us);
      if (from_us >= to_us)
        from_us = to_us - G_USEC_PER_SEC;
    }
  vigil_traffic_chart_draw (GTK_WIDGET (area), cr, width, height, self->history,
                            vigil_traffic_chart_get_series (area), from_us, to_us);
}

static void
update_chart_values (VigilCameraView *self)
{
  for (guint i = 0; i < VIGIL_TRAFFIC_N_SERIES; i++)
    {
      g_autofree char *text = NULL;
      double v = NAN;

      if (self->history != NULL && self->history->len > 0)
        v = vigil_traffic_series_value (&g_array_index (self->history, VigilTrafficStats,
                                                        self->history->len - 1), i);
      text = vigil_traffic_series_format (i, v);
      gtk_label_set_text (self->chart_values[i], text);
      gtk_widget_queue_draw (self->charts[i]);
    }
}

/* Alarms -------------------------------------------------------------------------------------- */

static const char *
severity_class (VigilSeverity severity)
{
  return severity == VIGIL_SEVERITY_CRITICAL ? "error" : "warning";
}

static GtkWidget *
alarm_row_new (const VigilLiveAlarm *a)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  g_autofree char *raised = vigil_ui_format_time (a->raised_us);
  g_autofree char *subtitle = NULL;

  /* Translators: an alarm's severity, its state, and when it was raised. */
  subtitle = g_strdup_printf (_("%s · %s · raised %s"), vigil_ui_severity_name (a->severity),
                              a->shelved ? _("Shelved") : vigil_ui_state_name (a->state),
                              raised);
  gtk_widget_add_css_class (icon, severity_class (a->severity));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  vigil_ui_severity_name (a->severity), -1);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), a->rule);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  return row;
}

static const VigilLiveAlarm *
selected_alarm (VigilCameraView *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->alarm_list);
  int index;

  if (row == NULL || self->alarms == NULL)
    return NULL;

  index = gtk_list_box_row_get_index (row);
  if (index < 0 || (guint) index >= self->alarms->len)
    return NULL;

  return &g_array_index (self->alarms, VigilLiveAlarm, index);
}

static void
update_buttons (VigilCameraView *self)
{
  const VigilLiveAlarm *a = selected_alarm (self);
  gboolean unacked = a != NULL && !a->superseded &&
                     (a->state == VIGIL_ALARM_ACTIVE_UNACKED ||
                      a->state == VIGIL_ALARM_CLEARED_UNACKED);

  gtk_widget_set_sensitive (self->ack_button, unacked);
  gtk_widget_set_sensitive (self->shelve_button, a != NULL && !a->superseded);
}

static void
rebuild_alarms (VigilCameraView *self)
{
  VigilLive *live = vigil_camera_get_live (self->camera);
  g_autofree char *selected_rule = NULL;
  gint64 selected_raised = 0;
  GtkWidget *child;

  if (selected_alarm (self) != NULL)
    {
      selected_rule = g_strdup (selected_alarm (self)->rule);
      selected_raised = selected_alarm (self)->raised_us;
    }

  self->alarm_serial = vigil_live_get_alarm_serial (live);
  g_clear_pointer (&self->alarms, g_array_unref);
  self->alarms = vigil_live_dup_alarms (live);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->alarm_list))) != NULL)
    gtk_list_box_remove (self->alarm_list, child);
  for (guint i = 0; i < self->alarms->len; i++)
    {
      const VigilLiveAlarm *a = &g_array_index (self->alarms, VigilLiveAlarm, i);
      GtkWidget *row = alarm_row_new (a);

      gtk_list_box_append (self->alarm_list, row);
      /* The selection follows the alarm, not its place in the list. */
      if (g_strcmp0 (a->rule, selected_rule) == 0 && a->raised_us == selected_raised)
        gtk_list_box_select_row (self->alarm_list, GTK_LIST_BOX_ROW (row));
    }
  update_buttons (self);
}

static void
toast (VigilCameraView *self,
       const char      *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (VIGIL_IS_WINDOW (root))
    vigil_window_toast (VIGIL_WINDOW (root), message);
}

static void
on_dialog_response (AdwMessageDialog *dialog,
                    const char       *response,
                    VigilCameraView  *self)
{
  g_autofree char *rule = g_steal_pointer (&self->target_rule);
  g_autoptr(GError) error = NULL;
  const char *comment = vigil_ui_alarm_dialog_comment (self->comment);
  gboolean ok = TRUE;

  if (rule != NULL && self->camera != NULL && g_strcmp0 (response, "acknowledge") == 0)
    {
      ok = vigil_camera_acknowledge (self->camera, rule, comment, &error);
      toast (self, ok ? _("Alarm acknowledged") : error->message);
    }
  else if (rule != NULL && self->camera != NULL && g_strcmp0 (response, "shelve") == 0)
    {
      ok = vigil_camera_shelve (self->camera, rule,
                                vigil_ui_alarm_dialog_duration (self->duration), comment,
                                &error);
      toast (self, ok ? _("Alarm shelved") : error->message);
    }

  self->dialog = NULL;
  self->comment = NULL;
  self->duration = NULL;
  if (self->camera != NULL)
    rebuild_alarms (self);
}

static void
present_dialog (VigilCameraView *self,
                const char      *heading,
                const char      *response,
                const char      *response_label,
                gboolean         with_duration)
{
  const VigilLiveAlarm *a = selected_alarm (self);
  AdwMessageDialog *dialog;

  if (a == NULL)
    {
      toast (self, _("Select an alarm first"));
      return;
    }

  dialog = vigil_ui_alarm_dialog_new (GTK_WIDGET (self), heading, a->rule,
                                      vigil_camera_get_id (self->camera), a->raised_us, response,
                                      response_label, with_duration, &self->comment,
                                      &self->duration);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_dialog_response), self, 0);

  g_free (self->target_rule);
  self->target_rule = g_strdup (a->rule);
  self->dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
}

void
vigil_camera_view_acknowledge_selected (VigilCameraView *self)
{
  g_return_if_fail (VIGIL_IS_CAMERA_VIEW (self));

  present_dialog (self, _("Acknowledge Alarm?"), "acknowledge", _("_Acknowledge"), FALSE);
}

void
vigil_camera_view_shelve_selected (VigilCameraView *self)
{
  g_return_if_fail (VIGIL_IS_CAMERA_VIEW (self));

  present_dialog (self, _("Shelve Alarm?"), "shelve", _("_Shelve"), TRUE);
}

AdwMessageDialog *
vigil_camera_view_get_dialog (VigilCameraView *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_VIEW (self), NULL);

  return self->dialog;
}

/* Refreshing ---------------------------------------------------------------------------------- */

void
vigil_camera_view_refresh (VigilCameraView *self)
{
  g_return_if_fail (VIGIL_IS_CAMERA_VIEW (self));

  if (self->camera == NULL)
    return;

  vigil_camera_tile_update (self->frame);
  {
    const VigilCameraSnapshot *s = vigil_camera_draw_get_snapshot (
                                     vigil_camera_tile_get_draw (self->frame));
    gint64 end_us = s != NULL ? s->second.end_us : 0;

    if (end_us != self->history_end_us || self->history == NULL)
      {
        self->history_end_us = end_us;
        g_clear_pointer (&self->history, g_array_unref);
        self->history = vigil_camera_dup_history (self->camera, FALSE, end_us - CHART_SPAN_US,
                                                  G_MAXINT64);
        update_chart_values (self);
      }
  }

  if (vigil_live_get_alarm_serial (vigil_camera_get_live (self->camera)) != self->alarm_serial ||
      self->alarms == NULL)
    rebuild_alarms (self);
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  vigil_camera_view_refresh (VIGIL_CAMERA_VIEW (widget));

  return G_SOURCE_CONTINUE;
}

static void
vigil_camera_view_map (GtkWidget *widget)
{
  VigilCameraView *self = VIGIL_CAMERA_VIEW (widget);

  GTK_WIDGET_CLASS (vigil_camera_view_parent_class)->map (widget);

  vigil_camera_view_refresh (self);
  self->tick_id = gtk_widget_add_tick_callback (widget, on_tick, NULL, NULL);
}

static void
vigil_camera_view_unmap (GtkWidget *widget)
{
  VigilCameraView *self = VIGIL_CAMERA_VIEW (widget);

  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (widget, self->tick_id);
  self->tick_id = 0;

  GTK_WIDGET_CLASS (vigil_camera_view_parent_class)->unmap (widget);
}

void
vigil_camera_view_set_camera (VigilCameraView *self,
                              VigilCamera     *camera)
{
  g_return_if_fail (VIGIL_IS_CAMERA_VIEW (self));
  g_return_if_fail (camera == NULL || VIGIL_IS_CAMERA (camera));

  if (self->camera == camera)
    return;

  g_set_object (&self->camera, camera);
  g_clear_pointer (&self->history, g_array_unref);
  g_clear_pointer (&self->alarms, g_array_unref);
  self->history_end_us = 0;
  self->alarm_serial = 0;

  if (self->frame != NULL)
    gtk_box_remove (GTK_BOX (self->frame_bin), GTK_WIDGET (self->frame));
  self->frame = NULL;
  if (camera == NULL)
    return;

  self->frame = VIGIL_CAMERA_TILE (vigil_camera_tile_new (camera));
  vigil_camera_tile_set_large (self->frame, TRUE);
  gtk_box_append (GTK_BOX (self->frame_bin), GTK_WIDGET (self->frame));
  gtk_label_set_text (self->title, vigil_camera_get_id (camera));
  gtk_label_set_text (self->subtitle, vigil_camera_get_location (camera) != NULL
                                      ? vigil_camera_get_location (camera) : "");
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    vigil_camera_view_refresh (self);
}

VigilCamera *
vigil_camera_view_get_camera (VigilCameraView *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_VIEW (self), NULL);

  return self->camera;
}

VigilCameraTile *
vigil_camera_view_get_frame (VigilCameraView *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_VIEW (self), NULL);

  return self->frame;
}

GArray *
vigil_camera_view_get_history (VigilCameraView *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_VIEW (self), NULL);

  return self->history;
}

GArray *
vigil_camera_view_get_alarms (VigilCameraView *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_VIEW (self), NULL);

  return self->alarms;
}

void
vigil_camera_view_select_alarm (VigilCameraView *self,
                                guint            position)
{
  g_return_if_fail (VIGIL_IS_CAMERA_VIEW (self));

  gtk_list_box_select_row (self->alarm_list,
                           gtk_list_box_get_row_at_index (self->alarm_list, position));
}

/* Building ------------------------------------------------------------------------------------ */

static void
on_back_clicked (VigilCameraView *self)
{
  g_signal_emit (self, signals[SIGNAL_BACK], 0);
}

static void
on_setup_clicked (VigilCameraView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->camera == NULL)
    return;

  gtk_window_present (GTK_WINDOW (vigil_camera_setup_dialog_new (GTK_IS_WINDOW (root)
                                                                 ? GTK_WINDOW (root) : NULL,
                                                                 self->camera)));
}

static GtkWidget *
build_header (VigilCameraView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *titles = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *back = gtk_button_new_from_icon_name ("go-previous-symbolic");

  gtk_widget_set_tooltip_text (back, _("Back to Cameras"));
  gtk_widget_set_valign (back, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (back, "clicked", G_CALLBACK (on_back_clicked), self);
  gtk_box_append (GTK_BOX (box), back);

  self->title = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->title, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->title), "title-2");
  self->subtitle = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->subtitle, 0);
  gtk_label_set_ellipsize (self->subtitle, PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (GTK_WIDGET (self->subtitle), "dim-label");
  gtk_box_append (GTK_BOX (titles), GTK_WIDGET (self->title));
  gtk_box_append (GTK_BOX (titles), GTK_WIDGET (self->subtitle));
  gtk_widget_set_hexpand (titles, TRUE);
  gtk_box_append (GTK_BOX (box), titles);

  self->setup_button = gtk_button_new_with_mnemonic (_("Road _Mask & Calibration…"));
  gtk_widget_set_valign (self->setup_button, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (self->setup_button, "clicked", G_CALLBACK (on_setup_clicked), self);
  gtk_box_append (GTK_BOX (box), self->setup_button);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  return box;
}

static GtkWidget *
build_alarms (VigilCameraView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *heading = gtk_label_new (_("Alarms"));
  GtkWidget *placeholder = gtk_label_new (_("No alarms on this camera"));
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_box_append (GTK_BOX (box), heading);

  self->alarm_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->alarm_list, GTK_SELECTION_SINGLE);
  gtk_widget_add_css_class (GTK_WIDGET (self->alarm_list), "boxed-list");
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 18);
  gtk_widget_set_margin_bottom (placeholder, 18);
  gtk_list_box_set_placeholder (self->alarm_list, placeholder);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->alarm_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Alarms of this camera"), -1);
  g_signal_connect_swapped (self->alarm_list, "selected-rows-changed",
                            G_CALLBACK (update_buttons), self);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->alarm_list));

  self->ack_button = gtk_button_new_with_mnemonic (_("_Acknowledge…"));
  self->shelve_button = gtk_button_new_with_mnemonic (_("S_helve…"));
  g_signal_connect_swapped (self->ack_button, "clicked",
                            G_CALLBACK (vigil_camera_view_acknowledge_selected), self);
  g_signal_connect_swapped (self->shelve_button, "clicked",
                            G_CALLBACK (vigil_camera_view_shelve_selected), self);
  gtk_box_append (GTK_BOX (buttons), self->ack_button);
  gtk_box_append (GTK_BOX (buttons), self->shelve_button);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (box), buttons);

  gtk_widget_set_size_request (box, 320, -1);
  return box;
}

static void
vigil_camera_view_dispose (GObject *object)
{
  VigilCameraView *self = VIGIL_CAMERA_VIEW (object);

  g_clear_pointer (&self->header, gtk_widget_unparent);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_object (&self->camera);

  G_OBJECT_CLASS (vigil_camera_view_parent_class)->dispose (object);
}

static void
vigil_camera_view_finalize (GObject *object)
{
  VigilCameraView *self = VIGIL_CAMERA_VIEW (object);

  g_clear_pointer (&self->history, g_array_unref);
  g_clear_pointer (&self->alarms, g_array_unref);
  g_free (self->target_rule);

  G_OBJECT_CLASS (vigil_camera_view_parent_class)->finalize (object);
}

static void
vigil_camera_view_class_init (VigilCameraViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vigil_camera_view_dispose;
  object_class->finalize = vigil_camera_view_finalize;
  widget_class->map = vigil_camera_view_map;
  widget_class->unmap = vigil_camera_view_unmap;

  signals[SIGNAL_BACK] = g_signal_new ("back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "vigil-camera-view");
  /* Escape and Alt+Left go back to the grid, as the back button does. */
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_Escape, 0, "back", NULL);
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "back", NULL);
}

static void
vigil_camera_view_init (VigilCameraView *self)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
  GtkWidget *left = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *charts = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *clamp = adw_clamp_new ();

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (
                                                    GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);

  self->header = build_header (self);
  gtk_widget_set_parent (self->header, GTK_WIDGET (self));

  self->frame_bin = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (left), self->frame_bin);
  for (guint i = 0; i < VIGIL_TRAFFIC_N_SERIES; i++)
    gtk_box_append (GTK_BOX (charts), vigil_traffic_chart_new (i, draw_chart, self,
                                                               &self->charts[i],
                                                               &self->chart_values[i]));
  gtk_box_append (GTK_BOX (left), charts);
  gtk_widget_set_hexpand (left, TRUE);
  gtk_box_append (GTK_BOX (content), left);
  gtk_box_append (GTK_BOX (content), build_alarms (self));
  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 12);
  gtk_widget_set_margin_top (content, 12);
  gtk_widget_set_margin_bottom (content, 12);

  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 1600);
  adw_clamp_set_child (ADW_CLAMP (clamp), content);
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), clamp);
  gtk_widget_set_vexpand (self->scroller, TRUE);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));
  update_buttons (self);
}

GtkWidget *
vigil_camera_view_new (void)
{
  return g_object_new (VIGIL_TYPE_CAMERA_VIEW, NULL);
}
