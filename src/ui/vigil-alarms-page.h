/* vigil-alarms-page.h
 *
 * Alarms: every alarm instance with its state, filters, acknowledge and shelve, and the
 * journal of every transition.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vigil-player.h"

G_BEGIN_DECLS

#define VIGIL_TYPE_ALARMS_PAGE (vigil_alarms_page_get_type ())
G_DECLARE_FINAL_TYPE (VigilAlarmsPage, vigil_alarms_page, VIGIL, ALARMS_PAGE, GtkWidget)

typedef enum
{
  VIGIL_ALARM_FILTER_ALL,
  VIGIL_ALARM_FILTER_ACTIVE,
  VIGIL_ALARM_FILTER_UNACKED,
  VIGIL_ALARM_FILTER_SHELVED,
  VIGIL_ALARM_FILTER_CLEARED,
} VigilAlarmFilter;

void        vigil_alarms_page_set_player          (VigilAlarmsPage  *self,
                                                   VigilPlayer      *player);
/* Re-reads the live bus now (the page also does it on its frame clock while shown). */
void        vigil_alarms_page_refresh             (VigilAlarmsPage  *self);
/* The alarms listed (VigilAlarmObject) after filters, newest first. */
GListModel *vigil_alarms_page_get_alarms          (VigilAlarmsPage  *self);
GListModel *vigil_alarms_page_get_journal         (VigilAlarmsPage  *self);
void        vigil_alarms_page_set_filters         (VigilAlarmsPage  *self,
                                                   VigilAlarmFilter  state,
                                                   int               severity);
/* Selects the @position-th listed alarm. */
void        vigil_alarms_page_select              (VigilAlarmsPage  *self,
                                                   guint             position);
/* Ask for a comment (or a duration) in a dialog, then act on the selected alarm. */
void        vigil_alarms_page_acknowledge_selected (VigilAlarmsPage *self);
void        vigil_alarms_page_shelve_selected     (VigilAlarmsPage  *self);
/* The dialog those opened and not yet answered, or NULL. */
AdwMessageDialog *vigil_alarms_page_get_dialog    (VigilAlarmsPage  *self);

G_END_DECLS
