/* vigil-traffic-chart.h
 *
 * A camera's per-second charts (vehicles, density, speed), shared by the live camera view and
 * the replay of a recorded session: the series, their values as shown, the chart card and the
 * drawing of a span of seconds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "vigil-traffic.h"

G_BEGIN_DECLS

typedef enum
{
  VIGIL_TRAFFIC_SERIES_VEHICLES,
  VIGIL_TRAFFIC_SERIES_DENSITY,
  VIGIL_TRAFFIC_SERIES_SPEED,
  VIGIL_TRAFFIC_N_SERIES
} VigilTrafficSeries;

/* NAN when the second has no value (a speed with no vehicle). */
double     vigil_traffic_series_value  (const VigilTrafficStats  *second,
                                        VigilTrafficSeries        series);
/* "12.5", "7.1 %", "43 km/h", or "–" for NAN. */
char      *vigil_traffic_series_format (VigilTrafficSeries        series,
                                        double                    value);

/* A card with the series' title, a value label (@out_value) and a drawing area (@out_area)
 * drawn by @draw_func with @user_data; the area's "series" data is @series. */
GtkWidget *vigil_traffic_chart_new     (VigilTrafficSeries        series,
                                        GtkDrawingAreaDrawFunc    draw_func,
                                        gpointer                  user_data,
                                        GtkWidget               **out_area,
                                        GtkLabel                **out_value);
/* The series of @area (as set by vigil_traffic_chart_new()). */
VigilTrafficSeries vigil_traffic_chart_get_series (GtkDrawingArea *area);

/* Draws the grid, then @seconds (VigilTrafficStats, in time order) from @from_us to @to_us,
 * each second at its end, scaled to the largest value; seconds ending before @from_us are
 * left out. Returns how many points were drawn. */
guint      vigil_traffic_chart_draw    (GtkWidget                *area,
                                        cairo_t                  *cr,
                                        int                       width,
                                        int                       height,
                                        GArray                   *seconds,
                                        VigilTrafficSeries        series,
                                        gint64                    from_us,
                                        gint64                    to_us);

G_END_DECLS
