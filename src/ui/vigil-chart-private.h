/* vigil-chart-private.h
 *
 * What the parts of VigilChart share: the data a background job computes and the widget's
 * state (vigil-chart.c: the widget, its jobs and input; vigil-chart-draw.c: its drawing), and
 * what benchmarks and screenshots need beyond the public API.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vigil-chart.h"

G_BEGIN_DECLS

/* Layout, in pixels. */
#define CHART_PAD_X 12
#define CHART_PAD_TOP 8
#define CHART_HEADER_H 26
#define CHART_GUTTER_W 44
#define CHART_AXIS_H 16
#define CHART_PAD_BOTTOM 4
#define CHART_RADIUS 12

typedef struct
{
  gint64 at_us;            /* the window's end: when its statistics were known */
  float  avg;
  float  min;
  float  max;
} ChartWindowPoint;

typedef struct
{
  const char    *rule;     /* interned */
  VigilSeverity  severity;
  VigilCompare   compare;
  double         value;
} ChartThreshold;

typedef struct
{
  gint64        raised_us;
  gint64        cleared_us;  /* 0 while the alarm is active */
  VigilSeverity severity;
} ChartAlarmSpan;

/* What a job computed: everything a frame draws apart from the view's current range. */
typedef struct
{
  /* what it was computed for */
  guint64  data_serial;
  guint64  alarm_serial;
  guint64  view_serial;
  int      width;
  gint64   from_us;          /* the first column's start, a multiple of column_us */
  gint64   column_us;
  guint    n_columns;

  float   *min;              /* n_columns each; NAN where a column holds no value */
  float   *max;
  gsize    n_samples;
  GArray  *windows;          /* ChartWindowPoint, in time order */
  gint64   window_gap_us;    /* points further apart than this are not joined */
  GArray  *thresholds;       /* ChartThreshold, on the value axis only */
  GArray  *alarms;           /* ChartAlarmSpan overlapping the range */
  gboolean has_values;
  double   y_lo;
  double   y_hi;
  double   y_step;
  gboolean has_latest;
  gint64   latest_us;
  double   latest;
} ChartData;

typedef struct
{
  GdkRGBA fg;
  GdkRGBA accent;
  GdkRGBA warning;
  GdkRGBA error;
  GdkRGBA card;
  GdkRGBA popover;
} ChartPalette;

/* Where the plot is in the widget and the range it shows this frame. */
typedef struct
{
  graphene_rect_t plot;
  gint64          from_us;
  gint64          span_us;
} ChartFrame;

struct _VigilChart
{
  GtkWidget       parent_instance;

  /* owned */
  VigilChartView *view;
  VigilLive      *live;
  GCancellable   *cancellable;
  ChartData      *data;
  GHashTable     *layouts;       /* "<kind><text>" -> PangoLayout, dropped on style changes */

  VigilSensor     sensor;
  guint           tick_id;
  guint64         drawn_view_serial;
  gboolean        job_running;
  gboolean        palette_valid;
  ChartPalette    palette;

  /* interaction */
  double          pointer_x;
  double          drag_last_x;
};


int          _vigil_chart_plot_width    (int               width);
void         _vigil_chart_get_frame     (VigilChart       *self,
                                         ChartFrame       *frame);
gint64       _vigil_chart_time_at       (const ChartFrame *frame,
                                         double            x);
void         _vigil_chart_snapshot      (GtkWidget        *widget,
                                         GtkSnapshot      *snapshot);

/* Computes what the chart shows for the view's current range on the calling thread, as its
 * background job would, and shows it: no waiting for a frame or a thread. */
void         _vigil_chart_update_now    (VigilChart       *self);

G_END_DECLS
