/* vigil-health-trend.h
 *
 * The rig's health score over event time, drawn as a step line with its coloured bands.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define VIGIL_TYPE_HEALTH_TREND (vigil_health_trend_get_type ())
G_DECLARE_FINAL_TYPE (VigilHealthTrend, vigil_health_trend, VIGIL, HEALTH_TREND, GtkWidget)

/* @points: VigilHealthPoint, oldest first (taken); [@from_us, @to_us) is the time shown. */
void vigil_health_trend_set_points (VigilHealthTrend *self,
                                    GArray           *points,
                                    gint64            from_us,
                                    gint64            to_us);

G_END_DECLS
