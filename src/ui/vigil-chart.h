/* vigil-chart.h
 *
 * A live chart of one sensor: the raw signal as min/max per pixel column, the window average
 * with its min-max band, rule thresholds, alarms and a hover cursor, over the time range of a
 * VigilChartView it shares with other charts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "vigil-chart-view.h"
#include "vigil-live.h"

G_BEGIN_DECLS

#define VIGIL_TYPE_CHART (vigil_chart_get_type ())
G_DECLARE_FINAL_TYPE (VigilChart, vigil_chart, VIGIL, CHART, GtkWidget)

GtkWidget      *vigil_chart_new        (VigilChartView *view,
                                        VigilLive      *live,
                                        VigilSensor     sensor);
VigilChartView *vigil_chart_get_view   (VigilChart     *self);
VigilSensor     vigil_chart_get_sensor (VigilChart     *self);

G_END_DECLS
