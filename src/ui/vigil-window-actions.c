/* vigil-window-actions.c
 *
 * The window's actions (win.*). Every one has a keyboard shortcut (set in
 * vigil-application.c, listed in gtk/help-overlay.ui).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-window"

#include "config.h"

#include <glib/gi18n.h>

#include "vigil-export-dialog.h"
#include "vigil-kafka-dialog.h"
#include "vigil-open-dialog.h"
#include "vigil-window-private.h"

/* How far Ctrl+Left / Ctrl+Right move the replay: one cycle of the rig. */
#define SEEK_STEP_US (60 * G_USEC_PER_SEC)

static void
open_kafka_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  gtk_window_present (GTK_WINDOW (vigil_kafka_dialog_new (VIGIL_WINDOW (widget))));
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  VigilWindow *self = VIGIL_WINDOW (widget);
  GtkWindow *dialog = GTK_WINDOW (vigil_open_dialog_new (self));

  gtk_window_present (dialog);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  VigilWindow *self = VIGIL_WINDOW (widget);
  GtkWindow *dialog = GTK_WINDOW (vigil_export_dialog_new (self));

  gtk_window_present (dialog);
}

static void
demo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  vigil_window_open_demo (VIGIL_WINDOW (widget));
}

static void
play_pause_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  VigilWindow *self = VIGIL_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  switch (vigil_player_get_state (self->player))
    {
    case VIGIL_PLAYER_PLAYING:
      vigil_player_set_paused (self->player, TRUE);
      break;
    case VIGIL_PLAYER_PAUSED:
      vigil_player_set_paused (self->player, FALSE);
      break;
    case VIGIL_PLAYER_FINISHED:
      {
        gint64 start;

        /* Play at the end starts over, as media players do. */
        vigil_player_get_range (self->player, &start, NULL);
        if (!vigil_player_seek (self->player, start, &error))
          vigil_window_toast (self, error->message);
      }
      break;
    case VIGIL_PLAYER_EMPTY:
    case VIGIL_PLAYER_FAILED:
    default:
      break;
    }
}

static void
seek_by (VigilWindow *self,
         gint64       delta_us)
{
  g_autoptr(GError) error = NULL;

  if (!vigil_player_seek (self->player, vigil_player_get_position (self->player) + delta_us,
                          &error))
    vigil_window_toast (self, error->message);
}

static void
seek_forward_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  seek_by (VIGIL_WINDOW (widget), SEEK_STEP_US);
}

static void
seek_backward_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  seek_by (VIGIL_WINDOW (widget), -SEEK_STEP_US);
}

static void
go_live_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  vigil_hydraulics_page_go_live (VIGIL_WINDOW (widget)->hydraulics_page);
}

static void
page_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  vigil_window_show_page (VIGIL_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
acknowledge_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  VigilWindow *self = VIGIL_WINDOW (widget);

  vigil_window_show_page (self, "alarms");
  vigil_alarms_page_acknowledge_selected (self->alarms_page);
}

static void
shelve_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  VigilWindow *self = VIGIL_WINDOW (widget);

  vigil_window_show_page (self, "alarms");
  vigil_alarms_page_shelve_selected (self->alarms_page);
}

static void
toggle_sidebar_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  VigilWindow *self = VIGIL_WINDOW (widget);

  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_navigate (self->leaflet, adw_leaflet_get_visible_child (self->leaflet)
                                         == self->content_box
                                         ? ADW_NAVIGATION_DIRECTION_BACK
                                         : ADW_NAVIGATION_DIRECTION_FORWARD);
  else
    gtk_widget_set_visible (gtk_widget_get_first_child (GTK_WIDGET (self->leaflet)),
                            !gtk_widget_get_visible (gtk_widget_get_first_child (
                                                       GTK_WIDGET (self->leaflet))));
}

void
_vigil_window_class_add_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-kafka", NULL, open_kafka_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.demo", NULL, demo_action);
  gtk_widget_class_install_action (widget_class, "win.play-pause", NULL, play_pause_action);
  /* A property action: the menu shows the speed in use as a radio item. */
  gtk_widget_class_install_property_action (widget_class, "win.speed", "speed-name");
  gtk_widget_class_install_action (widget_class, "win.seek-forward", NULL, seek_forward_action);
  gtk_widget_class_install_action (widget_class, "win.seek-backward", NULL,
                                   seek_backward_action);
  gtk_widget_class_install_action (widget_class, "win.go-live", NULL, go_live_action);
  gtk_widget_class_install_action (widget_class, "win.page", "s", page_action);
  /* The application sets Alt+1 to Alt+3 for the first pages; the Models and Cameras pages,
   * added later, bind their own the same way. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK, "win.page", "s",
                                       "models");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_5, GDK_ALT_MASK, "win.page", "s",
                                       "cameras");
  gtk_widget_class_install_action (widget_class, "win.acknowledge", NULL, acknowledge_action);
  gtk_widget_class_install_action (widget_class, "win.shelve", NULL, shelve_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-sidebar", NULL,
                                   toggle_sidebar_action);
}

void
_vigil_window_update_actions (VigilWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  VigilPlayerState state = vigil_player_get_state (self->player);
  gboolean open = vigil_player_get_kind (self->player) != VIGIL_SOURCE_NONE;
  gboolean can_act = vigil_player_get_can_act (self->player);
  /* A subscription plays as messages arrive: nothing to pause, speed up or seek. */
  gboolean paced = open && vigil_player_get_kind (self->player) != VIGIL_SOURCE_KAFKA;

  gtk_widget_action_set_enabled (widget, "win.demo", !self->generating);
  gtk_widget_action_set_enabled (widget, "win.export", open);
  gtk_widget_action_set_enabled (widget, "win.play-pause", paced && state != VIGIL_PLAYER_FAILED);
  gtk_widget_action_set_enabled (widget, "win.speed", paced);
  gtk_widget_action_set_enabled (widget, "win.seek-forward", paced);
  gtk_widget_action_set_enabled (widget, "win.seek-backward", paced);
  gtk_widget_action_set_enabled (widget, "win.go-live", paced);
  gtk_widget_action_set_enabled (widget, "win.page", open || _vigil_window_has_cameras (self));
  gtk_widget_action_set_enabled (widget, "win.acknowledge", can_act);
  gtk_widget_action_set_enabled (widget, "win.shelve", can_act);
}
