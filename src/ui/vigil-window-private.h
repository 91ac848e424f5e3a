/* vigil-window-private.h
 *
 * What vigil-window.c and vigil-window-actions.c share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vigil-alarms-page.h"
#include "vigil-hydraulics-page.h"
#include "vigil-models-page.h"
#include "vigil-overview-page.h"
#include "vigil-window.h"

G_BEGIN_DECLS

struct _VigilWindow
{
  AdwApplicationWindow  parent_instance;

  /* Owned */
  VigilPlayer          *player;
  GSettings            *settings;
  GCancellable         *cancellable;    /* demo generation, operator actions */
  GHashTable           *notified;       /* alarm instances already announced */
  guint                 tick_id;
  guint64               alarm_serial;   /* of the alarms last looked at */
  guint                 seek_timeout_id;
  double                seek_target_s;
  gboolean              generating;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkListBox           *sidebar;
  GtkListBoxRow        *overview_row;
  GtkListBoxRow        *hydraulics_row;
  GtkListBoxRow        *alarms_row;
  GtkListBoxRow        *models_row;
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
};

void _vigil_window_class_add_actions (GtkWidgetClass *widget_class);
void _vigil_window_update_actions    (VigilWindow    *self);

G_END_DECLS
