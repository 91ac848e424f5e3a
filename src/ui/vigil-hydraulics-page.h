/* vigil-hydraulics-page.h
 *
 * Hydraulics: one chart per sensor, grouped by family, on one linked time axis.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "vigil-chart-view.h"
#include "vigil-player.h"

G_BEGIN_DECLS

#define VIGIL_TYPE_HYDRAULICS_PAGE (vigil_hydraulics_page_get_type ())
G_DECLARE_FINAL_TYPE (VigilHydraulicsPage, vigil_hydraulics_page, VIGIL, HYDRAULICS_PAGE,
                      GtkWidget)

void            vigil_hydraulics_page_set_player        (VigilHydraulicsPage *self,
                                                         VigilPlayer         *player);
VigilChartView *vigil_hydraulics_page_get_view          (VigilHydraulicsPage *self);
void            vigil_hydraulics_page_get_visible_range (VigilHydraulicsPage *self,
                                                         gint64              *from_us,
                                                         gint64              *to_us);
void            vigil_hydraulics_page_go_live           (VigilHydraulicsPage *self);
/* The charts shown, in order (for tests and benchmarks). */
GPtrArray      *vigil_hydraulics_page_get_charts        (VigilHydraulicsPage *self);

G_END_DECLS
