/* vigil-chart.c
 *
 * What a chart shows is computed off the main thread: on its frame clock, when the data, the
 * alarms, the view's range or the width changed and no job is running, the chart starts one
 * GTask that decimates the raw series to one column per pixel, reduces the windows in range to
 * at most one point per column, and picks the rules, alarms and y scale that go with them.
 * The result replaces the chart's data; drawing then only maps columns to pixels. Columns are
 * aligned to multiples of their width in event time, so a range that slides by a few pixels a
 * frame reuses the same columns and the signal does not shimmer; they are drawn where the
 * current range puts them, so the picture moves smoothly between two jobs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "vigil-chart-private.h"
#include "vigil-time.h"
#include "vigil-ui-util.h"

typedef struct
{
  VigilLive   *live;
  VigilSensor  sensor;
  ChartData   *data;         /* filled in by the job; what it was asked for set beforehand */
} Job;

G_DEFINE_FINAL_TYPE (VigilChart, vigil_chart, GTK_TYPE_WIDGET)

static void
chart_data_free (gpointer data)
{
  ChartData *d = data;

  g_free (d->min);
  g_free (d->max);
  g_clear_pointer (&d->windows, g_array_unref);
  g_clear_pointer (&d->thresholds, g_array_unref);
  g_clear_pointer (&d->alarms, g_array_unref);
  g_free (d);
}

static void
job_free (gpointer data)
{
  Job *job = data;

  g_clear_object (&job->live);
  g_clear_pointer (&job->data, chart_data_free);
  g_free (job);
}

/* A step of 1, 2, 2.5 or 5 times a power of ten, about @range / @n. */
static double
nice_step (double range,
           guint  n)
{
  double raw = range / n;
  double magnitude = pow (10, floor (log10 (raw)));
  double f = raw / magnitude;

  if (f <= 1)
    return magnitude;
  if (f <= 2)
    return 2 * magnitude;
  if (f <= 2.5)
    return 2.5 * magnitude;
  if (f <= 5)
    return 5 * magnitude;
  return 10 * magnitude;
}


/* Windows as points at their ends; with more windows than columns, one point per column: the
 * mean of their averages, the extremes of their bands. */
static void
reduce_windows (ChartData *d,
                GArray    *windows)
{
  gboolean per_column = windows->len > d->n_columns;
  gint64 last_column = G_MININT64;
  guint merged = 0;

  d->windows = g_array_sized_new (FALSE, FALSE, sizeof (ChartWindowPoint),
                                  MIN (windows->len, d->n_columns + 2));
  d->window_gap_us = 0;

  for (guint i = 0; i < windows->len; i++)
    {
      const VigilWindowStats *w = &g_array_index (windows, VigilWindowStats, i);
      gint64 column = vigil_floor_div (w->end_us - d->from_us, d->column_us);
      ChartWindowPoint p = { w->end_us, w->avg, w->min, w->max };

      d->window_gap_us = MAX (d->window_gap_us, w->end_us - w->start_us);
      if (isnan (w->avg) || w->count == 0)
        continue;

      if (per_column && column == last_column)
        {
          ChartWindowPoint *last = &g_array_index (d->windows, ChartWindowPoint,
                                                   d->windows->len - 1);

          last->avg = (last->avg * merged + p.avg) / (merged + 1);
          last->min = MIN (last->min, p.min);
          last->max = MAX (last->max, p.max);
          last->at_us = p.at_us;
          merged++;
          continue;
        }
      g_array_append_val (d->windows, p);
      last_column = column;
      merged = 1;
    }
}

/* The rules of @sensor whose statistic is a value of the signal, so that their thresholds
 * belong on its axis. */
static void
collect_thresholds (ChartData    *d,
                    VigilRuleSet *rules,
                    VigilSensor   sensor)
{
  guint n = vigil_rule_set_get_n_rules (rules);

  d->thresholds = g_array_new (FALSE, FALSE, sizeof (ChartThreshold));
  for (guint i = 0; i < n; i++)
    {
      const VigilRule *rule = vigil_rule_set_get_rule (rules, i);
      ChartThreshold t = { rule->name, rule->severity, rule->compare, rule->threshold };

      if ((rule->sensors & (1u << sensor)) == 0)
        continue;
      if (rule->stat != VIGIL_STAT_AVG && rule->stat != VIGIL_STAT_MIN &&
          rule->stat != VIGIL_STAT_MAX)
        continue;
      g_array_append_val (d->thresholds, t);
    }
}

static void
collect_alarms (ChartData   *d,
                GArray      *alarms,
                VigilSensor  sensor)
{
  gint64 to_us = d->from_us + d->column_us * d->n_columns;

  d->alarms = g_array_new (FALSE, FALSE, sizeof (ChartAlarmSpan));
  for (guint i = 0; i < alarms->len; i++)
    {
      const VigilLiveAlarm *a = &g_array_index (alarms, VigilLiveAlarm, i);
      ChartAlarmSpan span = { a->raised_us, a->cleared_us, a->severity };

      if (a->sensor != sensor || a->raised_us >= to_us)
        continue;
      if (a->cleared_us != 0 && a->cleared_us <= d->from_us)
        continue;
      g_array_append_val (d->alarms, span);
    }
}

/* A scale of round numbers holding the data and the thresholds near it; a threshold far
 * off would squash the signal into a line. */
static void
choose_scale (ChartData *d)
{
  double lo = INFINITY, hi = -INFINITY, range, pad;

  for (guint c = 0; c < d->n_columns; c++)
    if (!isnan (d->min[c]))
      {
        lo = MIN (lo, d->min[c]);
        hi = MAX (hi, d->max[c]);
      }
  for (guint i = 0; i < d->windows->len; i++)
    {
      const ChartWindowPoint *p = &g_array_index (d->windows, ChartWindowPoint, i);

      lo = MIN (lo, p->min);
      hi = MAX (hi, p->max);
    }

  d->has_values = isfinite (lo) && isfinite (hi);
  if (!d->has_values)
    {
      lo = 0;
      hi = 1;
    }

  range = hi - lo;
  for (guint i = 0; i < d->thresholds->len && d->has_values; i++)
    {
      double v = g_array_index (d->thresholds, ChartThreshold, i).value;

      if (v >= lo - range / 2 && v <= hi + range / 2)
        {
          lo = MIN (lo, v);
          hi = MAX (hi, v);
        }
    }

  range = hi - lo;
  pad = range > 0 ? range * 0.04 : MAX (fabs (hi) * 0.1, 1.0);
  /* A quantity that never goes below zero keeps zero as its floor. */
  lo = lo >= 0 ? MAX (lo - pad, 0) : lo - pad;
  hi += pad;
  d->y_step = nice_step (hi - lo, 4);
  d->y_lo = floor (lo / d->y_step) * d->y_step;
  d->y_hi = ceil (hi / d->y_step) * d->y_step;
}

/* Runs on a worker thread: reads the live bus, never the widget. */
static void
job_compute (Job *job)
{
  ChartData *d = job->data;
  VigilSeries *series = vigil_live_get_series (job->live, job->sensor);
  g_autoptr(GArray) windows = NULL;
  g_autoptr(GArray) alarms = NULL;
  g_autoptr(VigilRuleSet) rules = NULL;
  gint64 to_us = d->from_us + d->column_us * d->n_columns;

  d->min = g_new (float, d->n_columns);
  d->max = g_new (float, d->n_columns);
  d->n_samples = vigil_series_decimate (series, d->from_us, to_us, d->n_columns, d->min, d->max);
  d->has_latest = vigil_series_lookup (series, G_MAXINT64, &d->latest_us, &d->latest);

  windows = vigil_live_dup_windows (job->live, job->sensor, d->from_us, to_us);
  reduce_windows (d, windows);

  rules = vigil_live_dup_rules (job->live);
  collect_thresholds (d, rules, job->sensor);

  alarms = vigil_live_dup_alarms (job->live);
  collect_alarms (d, alarms, job->sensor);

  choose_scale (d);
}

static void
job_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;

  job_compute (job);
  g_task_return_pointer (task, g_steal_pointer (&job->data), chart_data_free);
}

int
_vigil_chart_plot_width (int width)
{
  return MAX (width - 2 * CHART_PAD_X - CHART_GUTTER_W, 1);
}

/* A job for the current range and width, serials read before the data so that anything
 * arriving meanwhile starts another. */
static Job *
job_new (VigilChart *self)
{
  Job *job = g_new0 (Job, 1);
  ChartData *d = g_new0 (ChartData, 1);
  gint64 from_us = vigil_chart_view_get_from (self->view);
  gint64 span_us = vigil_chart_view_get_span (self->view);
  int n_px;

  d->data_serial = vigil_live_get_data_serial (self->live);
  d->alarm_serial = vigil_live_get_alarm_serial (self->live);
  d->view_serial = vigil_chart_view_get_serial (self->view);
  d->width = gtk_widget_get_width (GTK_WIDGET (self));

  n_px = _vigil_chart_plot_width (d->width);
  d->column_us = MAX (span_us / n_px, 1);
  d->from_us = vigil_floor_div (from_us, d->column_us) * d->column_us;
  /* One more column than pixels: the aligned start is up to a column before the range. */
  d->n_columns = (guint) ((from_us + span_us - d->from_us + d->column_us - 1) / d->column_us);

  job->live = g_object_ref (self->live);
  job->sensor = self->sensor;
  job->data = d;
  return job;
}

static void
set_data (VigilChart *self,
          ChartData  *data)
{
  g_clear_pointer (&self->data, chart_data_free);
  self->data = data;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
job_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  VigilChart *self = VIGIL_CHART (source);
  ChartData *data = g_task_propagate_pointer (G_TASK (result), NULL);

  /* NULL: cancelled, the widget is going away. */
  if (data == NULL)
    return;

  self->job_running = FALSE;
  set_data (self, data);
}

static gboolean
is_current (VigilChart *self)
{
  ChartData *d = self->data;

  return d != NULL &&
         d->data_serial == vigil_live_get_data_serial (self->live) &&
         d->alarm_serial == vigil_live_get_alarm_serial (self->live) &&
         d->view_serial == vigil_chart_view_get_serial (self->view) &&
         d->width == gtk_widget_get_width (GTK_WIDGET (self));
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data)
{
  VigilChart *self = VIGIL_CHART (widget);
  guint64 view_serial = vigil_chart_view_get_serial (self->view);
  g_autoptr(GTask) task = NULL;

  /* The range moved: redraw the columns we have where the new range puts them. */
  if (view_serial != self->drawn_view_serial)
    {
      self->drawn_view_serial = view_serial;
      gtk_widget_queue_draw (widget);
    }

  if (self->job_running || gtk_widget_get_width (widget) <= 0 || is_current (self))
    return G_SOURCE_CONTINUE;

  task = g_task_new (self, self->cancellable, job_done, NULL);
  g_task_set_source_tag (task, tick_cb);
  g_task_set_task_data (task, job_new (self), job_free);
  self->job_running = TRUE;
  g_task_run_in_thread (task, job_thread);

  return G_SOURCE_CONTINUE;
}

void
_vigil_chart_update_now (VigilChart *self)
{
  Job *job;

  g_return_if_fail (VIGIL_IS_CHART (self));

  job = job_new (self);
  job_compute (job);
  set_data (self, g_steal_pointer (&job->data));
  job_free (job);
}

/* Widget */

static void
on_hover_changed (VigilChart *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           VigilChart               *self)
{
  ChartFrame f;

  _vigil_chart_get_frame (self, &f);
  self->pointer_x = x;
  if (x >= f.plot.origin.x && x < f.plot.origin.x + f.plot.size.width)
    vigil_chart_view_set_hover (self->view, _vigil_chart_time_at (&f, x));
  else
    vigil_chart_view_set_hover (self->view, G_MININT64);
}

static void
leave_cb (GtkEventControllerMotion *controller,
          VigilChart               *self)
{
  vigil_chart_view_set_hover (self->view, G_MININT64);
}

/* Ctrl+scroll zooms around the pointer; Shift+scroll and horizontal scrolling pan. A plain
 * vertical scroll is left to the page, which scrolls through its charts. */
static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           VigilChart               *self)
{
  GdkModifierType state;
  ChartFrame f;
  double x;

  state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  _vigil_chart_get_frame (self, &f);
  if (state & GDK_CONTROL_MASK)
    {
      if (dy == 0)
        return FALSE;
      x = CLAMP (self->pointer_x, f.plot.origin.x, f.plot.origin.x + f.plot.size.width);
      vigil_chart_view_zoom (self->view, _vigil_chart_time_at (&f, x), pow (1.25, dy));
      return TRUE;
    }
  if (state & GDK_SHIFT_MASK)
    dx = dx != 0 ? dx : dy;
  if (dx == 0)
    return FALSE;
  vigil_chart_view_pan (self->view, (gint64) (dx * f.span_us / 10));
  return TRUE;
}

static void
drag_begin_cb (GtkGestureDrag *gesture,
               double          x,
               double          y,
               VigilChart     *self)
{
  self->drag_last_x = 0;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
}

static void
drag_update_cb (GtkGestureDrag *gesture,
                double          offset_x,
                double          offset_y,
                VigilChart     *self)
{
  ChartFrame f;
  double dx = offset_x - self->drag_last_x;

  if (dx == 0)
    return;
  _vigil_chart_get_frame (self, &f);
  self->drag_last_x = offset_x;
  vigil_chart_view_pan (self->view, (gint64) (-dx / f.plot.size.width * f.span_us));
}

static void
drag_end_cb (GtkGestureDrag *gesture,
             double          offset_x,
             double          offset_y,
             VigilChart     *self)
{
  gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
}

/* A double click goes back to following the live position. */
static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            VigilChart      *self)
{
  if (n_press == 2)
    vigil_chart_view_go_live (self->view);
}

static void
vigil_chart_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 480;
    }
  else
    {
      *minimum = 96;
      *natural = 140;
    }
}

static void
vigil_chart_map (GtkWidget *widget)
{
  VigilChart *self = VIGIL_CHART (widget);

  GTK_WIDGET_CLASS (vigil_chart_parent_class)->map (widget);
  /* Only a chart on screen follows the data. */
  self->tick_id = gtk_widget_add_tick_callback (widget, tick_cb, NULL, NULL);
}

static void
vigil_chart_unmap (GtkWidget *widget)
{
  VigilChart *self = VIGIL_CHART (widget);

  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (widget, self->tick_id);
  self->tick_id = 0;
  GTK_WIDGET_CLASS (vigil_chart_parent_class)->unmap (widget);
}

static void
vigil_chart_css_changed (GtkWidget         *widget,
                         GtkCssStyleChange *change)
{
  VigilChart *self = VIGIL_CHART (widget);

  GTK_WIDGET_CLASS (vigil_chart_parent_class)->css_changed (widget, change);
  self->palette_valid = FALSE;
  g_hash_table_remove_all (self->layouts);
  gtk_widget_queue_draw (widget);
}

static void
vigil_chart_dispose (GObject *object)
{
  VigilChart *self = VIGIL_CHART (object);

  g_cancellable_cancel (self->cancellable);
  if (self->view != NULL)
    g_signal_handlers_disconnect_by_data (self->view, self);
  g_clear_object (&self->view);
  g_clear_object (&self->live);
  g_clear_pointer (&self->data, chart_data_free);
  g_hash_table_remove_all (self->layouts);

  G_OBJECT_CLASS (vigil_chart_parent_class)->dispose (object);
}

static void
vigil_chart_finalize (GObject *object)
{
  VigilChart *self = VIGIL_CHART (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->layouts, g_hash_table_unref);

  G_OBJECT_CLASS (vigil_chart_parent_class)->finalize (object);
}

static void
vigil_chart_class_init (VigilChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vigil_chart_dispose;
  object_class->finalize = vigil_chart_finalize;

  widget_class->snapshot = _vigil_chart_snapshot;
  widget_class->measure = vigil_chart_measure;
  widget_class->map = vigil_chart_map;
  widget_class->unmap = vigil_chart_unmap;
  widget_class->css_changed = vigil_chart_css_changed;

  gtk_widget_class_set_css_name (widget_class, "vigilchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
vigil_chart_init (VigilChart *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkEventController *controller;
  GtkGesture *gesture;

  self->cancellable = g_cancellable_new ();
  self->layouts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  gtk_widget_set_hexpand (widget, TRUE);
  gtk_widget_set_overflow (widget, GTK_OVERFLOW_HIDDEN);
  /* Not "card": the chart draws a card of its own (see _vigil_chart_snapshot). */
  gtk_widget_add_css_class (widget, "vigil-chart");

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "enter", G_CALLBACK (motion_cb), self);
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (controller, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (widget, controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (widget, controller);

  gesture = gtk_gesture_drag_new ();
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (gesture, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));
}

GtkWidget *
vigil_chart_new (VigilChartView *view,
                 VigilLive      *live,
                 VigilSensor     sensor)
{
  VigilChart *self;
  g_autofree char *label = NULL;

  g_return_val_if_fail (VIGIL_IS_CHART_VIEW (view), NULL);
  g_return_val_if_fail (VIGIL_IS_LIVE (live), NULL);
  g_return_val_if_fail ((guint) sensor < VIGIL_N_SENSORS, NULL);

  self = g_object_new (VIGIL_TYPE_CHART, NULL);
  self->view = g_object_ref (view);
  self->live = g_object_ref (live);
  self->sensor = sensor;
  g_signal_connect_swapped (view, "notify::hover-us", G_CALLBACK (on_hover_changed), self);

  /* Translators: the accessible name of a chart, e.g. "PS1 Pressure chart" */
  label = g_strdup_printf (_("%s %s chart"), vigil_sensor_get_info (sensor)->name,
                           vigil_ui_quantity_name (sensor));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  return GTK_WIDGET (self);
}

VigilChartView *
vigil_chart_get_view (VigilChart *self)
{
  g_return_val_if_fail (VIGIL_IS_CHART (self), NULL);

  return self->view;
}

VigilSensor
vigil_chart_get_sensor (VigilChart *self)
{
  g_return_val_if_fail (VIGIL_IS_CHART (self), 0);

  return self->sensor;
}
