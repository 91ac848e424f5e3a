/* vigil-overview-page.h
 *
 * The Overview: rig health and its trend, health per sensor, active alarms, and the
 * engine's counters.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "vigil-player.h"

G_BEGIN_DECLS

#define VIGIL_TYPE_OVERVIEW_PAGE (vigil_overview_page_get_type ())
G_DECLARE_FINAL_TYPE (VigilOverviewPage, vigil_overview_page, VIGIL, OVERVIEW_PAGE, GtkWidget)

void vigil_overview_page_set_player (VigilOverviewPage *self,
                                     VigilPlayer       *player);

G_END_DECLS
