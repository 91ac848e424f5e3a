/* vigil-window-private.h
 *
 * What vigil-window.c, vigil-window-actions.c and vigil-window-cameras.c share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vigil-alarms-page.h"
#include "vigil-cameras-page.h"
#include "vigil-hydraulics-page.h"
#include "vigil-models-page.h"
#include "vigil-overview-page.h"
#include "vigil-window.h"

G_BEGIN_DECLS

/* The demo rig's and the demo cameras' generator seed. */
#define VIGIL_WINDOW_DEMO_SEED 1

struct _VigilWindow
{
  AdwApplicationWindow  parent_instance;

  /* Owned */
  VigilPlayer          *player;
  GSettings            *settings;
  GCancellable         *cancellable;    /* demo generation, operator actions */
  GHashTable           *notified;       /* alarm instances already announced */
  guint                 tick_id;
  guint64               alarm_serial;   /* of the rig's and cameras' alarms last looked at */
  guint                 seek_timeout_id;
  double                seek_target_s;
  gboolean              generating;
  char                 *demo_cameras;   /* generated, waiting for the rig to open first */

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkListBox           *sidebar;
  GtkListBoxRow        *overview_row;
  GtkListBoxRow        *hydraulics_row;
  GtkListBoxRow        *alarms_row;
  GtkListBoxRow        *models_row;
  GtkListBoxRow        *cameras_row;
  GtkLabel             *alarm_badge;
  GtkWidget            *content_box;
  GtkButton            *play_button;
  GtkMenuButton        *speed_button;
  AdwWindowTitle       *source_title;
  GtkScale             *timeline;
  GtkAdjustment        *timeline_adjustment;
  GtkLabel             *position_label;
  GtkStack             *stack;
  AdwStatusPage        *empty_page;
  VigilOverviewPage    *overview_page;
  VigilHydraulicsPage  *hydraulics_page;
  VigilAlarmsPage      *alarms_page;
  VigilModelsPage      *models_page;
  VigilCamerasPage     *cameras_page;
};

void          _vigil_window_class_add_actions          (GtkWidgetClass  *widget_class);
void          _vigil_window_update_actions             (VigilWindow     *self);
/* The rules of the preferences (the built-in ones when none is chosen). */
VigilRuleSet *_vigil_window_rules_from_settings        (VigilWindow     *self,
                                                        GError         **error);

/* vigil-window-cameras.c */
void          _vigil_window_init_cameras               (VigilWindow     *self);
/* Whether the window runs any camera. */
gboolean      _vigil_window_has_cameras                (VigilWindow     *self);
/* Generates the demo cameras off the main thread; they open once the demo rig has. */
void          _vigil_window_generate_demo_cameras      (VigilWindow     *self);
/* Opens the demo cameras that waited for the rig, if any. */
void          _vigil_window_open_waiting_demo_cameras  (VigilWindow     *self);

G_END_DECLS
