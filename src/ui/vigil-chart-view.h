/* vigil-chart-view.h
 *
 * The time axis a group of charts shares: the visible event-time range, whether it follows
 * the live position, and where the pointer hovers, so that zooming, panning or hovering one
 * chart moves them all. Plain GObject state; the charts draw it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define VIGIL_TYPE_CHART_VIEW (vigil_chart_view_get_type ())
G_DECLARE_FINAL_TYPE (VigilChartView, vigil_chart_view, VIGIL, CHART_VIEW, GObject)

/* The narrowest and widest range zooming reaches. */
#define VIGIL_CHART_VIEW_MIN_SPAN_US G_GINT64_CONSTANT (1000000)
#define VIGIL_CHART_VIEW_MAX_SPAN_US (G_GINT64_CONSTANT (31) * 24 * 3600 * 1000000)
/* The span of a new view: two load cycles of a rig. */
#define VIGIL_CHART_VIEW_DEFAULT_SPAN_US G_GINT64_CONSTANT (120000000)

VigilChartView *vigil_chart_view_new             (void);

/* The live position: where the newest data is. Following live, the range ends there. */
void            vigil_chart_view_set_position    (VigilChartView *self,
                                                  gint64          position_us);
gint64          vigil_chart_view_get_position    (VigilChartView *self);
/* The source's range [@start_us, @end_us] (@end_us G_MAXINT64 when unbounded); zooming and
 * panning stay inside it and before the live position. */
void            vigil_chart_view_set_limits      (VigilChartView *self,
                                                  gint64          start_us,
                                                  gint64          end_us);

gint64          vigil_chart_view_get_from        (VigilChartView *self);
gint64          vigil_chart_view_get_to          (VigilChartView *self);
gint64          vigil_chart_view_get_span        (VigilChartView *self);
/* Keeps the range's right edge (the live position when following). */
void            vigil_chart_view_set_span        (VigilChartView *self,
                                                  gint64          span_us);
gboolean        vigil_chart_view_get_follow_live (VigilChartView *self);
void            vigil_chart_view_go_live         (VigilChartView *self);

/* @factor < 1 zooms in, keeping @anchor_us where it is on screen. Stops following live. */
void            vigil_chart_view_zoom            (VigilChartView *self,
                                                  gint64          anchor_us,
                                                  double          factor);
/* Moves the range later by @delta_us (earlier when negative). Stops following live. */
void            vigil_chart_view_pan             (VigilChartView *self,
                                                  gint64          delta_us);

/* G_MININT64 when the pointer is over no chart. */
gint64          vigil_chart_view_get_hover       (VigilChartView *self);
void            vigil_chart_view_set_hover       (VigilChartView *self,
                                                  gint64          hover_us);

/* Changes whenever the range changes. */
guint64         vigil_chart_view_get_serial      (VigilChartView *self);

G_END_DECLS
