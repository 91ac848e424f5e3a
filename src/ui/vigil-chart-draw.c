/* vigil-chart-draw.c
 *
 * How a chart draws: the card's header, grid and labels, then, clipped to the plot, alarm
 * bands, the raw signal as a bar per column (colour nodes), the windows, thresholds and
 * alarm marks (one cairo node) and the hover cursor. Colours are the stylesheet's named
 * colours, looked up again when the style changes, so light and dark both follow the theme.
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

#define TIME_LABEL_MIN_PX 96
#define VALUE_LABEL_MIN_PX 22

static void
lookup_color (GtkStyleContext *context,
              const char      *name,
              const char      *fallback_name,
              const char      *fallback,
              GdkRGBA         *out)
{
  if (gtk_style_context_lookup_color (context, name, out))
    return;
  if (fallback_name != NULL && gtk_style_context_lookup_color (context, fallback_name, out))
    return;
  gdk_rgba_parse (out, fallback);
}

static const ChartPalette *
get_palette (VigilChart *self)
{
  GtkStyleContext *context;

  if (self->palette_valid)
    return &self->palette;

  /* Named colours of the libadwaita stylesheet, so light and dark both follow the theme; the
   * last resorts are Adwaita's own values, for a theme that defines neither name. */
  context = gtk_widget_get_style_context (GTK_WIDGET (self));
  gtk_style_context_get_color (context, &self->palette.fg);
  lookup_color (context, "window_fg_color", "theme_fg_color", "rgba(0,0,0,0.8)",
                &self->palette.fg);
  lookup_color (context, "accent_color", "theme_selected_bg_color", "#1c71d8",
                &self->palette.accent);
  lookup_color (context, "warning_color", NULL, "#ae7b03", &self->palette.warning);
  lookup_color (context, "error_color", NULL, "#c01c28", &self->palette.error);
  lookup_color (context, "card_bg_color", "theme_base_color", "#ffffff", &self->palette.card);
  lookup_color (context, "popover_bg_color", "theme_base_color", "#ffffff",
                &self->palette.popover);
  self->palette_valid = TRUE;
  return &self->palette;
}

static GdkRGBA
with_alpha (const GdkRGBA *color,
            float          alpha)
{
  GdkRGBA c = *color;

  c.alpha *= alpha;
  return c;
}

static const GdkRGBA *
severity_color (const ChartPalette *palette,
                VigilSeverity       severity)
{
  return severity == VIGIL_SEVERITY_CRITICAL ? &palette->error : &palette->warning;
}

typedef enum
{
  TEXT_SMALL = 's',
  TEXT_TITLE = 't',
  TEXT_VALUE = 'v',
} TextKind;

/* Layouts are kept between frames: most labels stay the same from one frame to the next. */
static PangoLayout *
get_layout (VigilChart *self,
            TextKind    kind,
            const char *text)
{
  g_autofree char *key = g_strdup_printf ("%c%s", kind, text);
  PangoLayout *layout = g_hash_table_lookup (self->layouts, key);
  PangoAttrList *attrs;

  if (layout != NULL)
    return layout;

  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  attrs = pango_attr_list_new ();
  /* Tabular figures: values that change every frame keep their width. */
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  if (kind == TEXT_SMALL)
    pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  if (kind == TEXT_TITLE || kind == TEXT_VALUE)
    pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);

  if (g_hash_table_size (self->layouts) > 256)
    g_hash_table_remove_all (self->layouts);
  g_hash_table_insert (self->layouts, g_steal_pointer (&key), layout);
  return layout;
}

static void
draw_text (VigilChart    *self,
           GtkSnapshot   *snapshot,
           TextKind       kind,
           const char    *text,
           float          x,
           float          y,
           float          x_align,
           float          y_align,
           const GdkRGBA *color)
{
  PangoLayout *layout = get_layout (self, kind, text);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (roundf (x - w * x_align),
                                                          roundf (y - h * y_align)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

/* Significant figures for a value read on its own. */
static char *
format_value (double      value,
              const char *unit)
{
  int digits = 0;

  if (value != 0 && isfinite (value))
    digits = CLAMP (3 - (int) floor (log10 (fabs (value))), 0, 3);
  return g_strdup_printf ("%.*f %s", digits, value, unit);
}

static char *
format_time (gint64   time_us,
             gboolean with_ms)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (vigil_floor_div (time_us,
                                                                              G_USEC_PER_SEC));
  g_autofree char *hms = NULL;

  if (dt == NULL)
    return g_strdup ("");
  hms = g_date_time_format (dt, "%H:%M:%S");
  if (!with_ms)
    return g_steal_pointer (&hms);
  return g_strdup_printf ("%s.%03d", hms,
                          (int) ((time_us - vigil_floor_div (time_us, G_USEC_PER_SEC)
                                  * G_USEC_PER_SEC) / 1000));
}

static float
x_of (const ChartFrame *f,
      gint64            t)
{
  return f->plot.origin.x + (float) ((double) (t - f->from_us) * f->plot.size.width / f->span_us);
}

static float
y_of (const ChartFrame *f,
      const ChartData  *d,
      double            v)
{
  return f->plot.origin.y + f->plot.size.height -
         (float) ((v - d->y_lo) / (d->y_hi - d->y_lo) * f->plot.size.height);
}

gint64
_vigil_chart_time_at (const ChartFrame *f,
                      double            x)
{
  return f->from_us + (gint64) ((x - f->plot.origin.x) / f->plot.size.width * f->span_us);
}

void
_vigil_chart_get_frame (VigilChart *self,
                        ChartFrame *f)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  f->plot.origin.x = CHART_PAD_X + CHART_GUTTER_W;
  f->plot.origin.y = CHART_PAD_TOP + CHART_HEADER_H;
  f->plot.size.width = _vigil_chart_plot_width (width);
  f->plot.size.height = MAX (height - f->plot.origin.y - CHART_AXIS_H - CHART_PAD_BOTTOM, 1);
  f->from_us = vigil_chart_view_get_from (self->view);
  f->span_us = MAX (vigil_chart_view_get_span (self->view), 1);
}

static void
draw_header (VigilChart         *self,
             GtkSnapshot        *snapshot,
             const ChartPalette *palette)
{
  const VigilSensorInfo *info = vigil_sensor_get_info (self->sensor);
  ChartData *d = self->data;
  GdkRGBA dim = with_alpha (&palette->fg, 0.55f);
  float right = gtk_widget_get_width (GTK_WIDGET (self)) - CHART_PAD_X;
  PangoLayout *title = get_layout (self, TEXT_TITLE, info->name);
  const GdkRGBA *value_color = &palette->fg;
  g_autofree char *value = NULL;
  int w, h;

  pango_layout_get_pixel_size (title, &w, &h);
  draw_text (self, snapshot, TEXT_TITLE, info->name, CHART_PAD_X, CHART_PAD_TOP, 0, 0,
             &palette->fg);
  draw_text (self, snapshot, TEXT_SMALL, vigil_ui_quantity_name (self->sensor),
             CHART_PAD_X + w + 8, CHART_PAD_TOP + h, 0, 1, &dim);

  if (d == NULL || !d->has_latest)
    return;

  /* The latest value takes the colour of the worst alarm still active on the sensor. */
  for (guint i = 0; i < d->alarms->len; i++)
    {
      const ChartAlarmSpan *a = &g_array_index (d->alarms, ChartAlarmSpan, i);

      if (a->cleared_us == 0)
        {
          value_color = severity_color (palette, a->severity);
          if (a->severity == VIGIL_SEVERITY_CRITICAL)
            break;
        }
    }
  value = format_value (d->latest, info->unit);
  draw_text (self, snapshot, TEXT_VALUE, value, right, CHART_PAD_TOP + h, 1, 1, value_color);
}

/* The card under the chart: a rounded background with a hairline border, one cairo path.
 * The stylesheet's .card has the same colours but blurred shadows, and a rounded clip is a
 * mask to the cairo renderer: redrawn with every frame of 17 live charts, either took more
 * time than everything else the charts draw. */
static void
draw_card (VigilChart         *self,
           GtkSnapshot        *snapshot,
           const ChartPalette *palette)
{
  GdkRGBA line = with_alpha (&palette->fg, 0.1f);
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  double r = CHART_RADIUS;
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));

  cairo_new_sub_path (cr);
  cairo_arc (cr, w - r, r, r - 0.5, -G_PI / 2, 0);
  cairo_arc (cr, w - r, h - r, r - 0.5, 0, G_PI / 2);
  cairo_arc (cr, r, h - r, r - 0.5, G_PI / 2, G_PI);
  cairo_arc (cr, r, r, r - 0.5, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
  gdk_cairo_set_source_rgba (cr, &palette->card);
  cairo_fill_preserve (cr);
  gdk_cairo_set_source_rgba (cr, &line);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  cairo_destroy (cr);
}

static const gint64 time_steps_s[] = {
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
};

/* Decimals that show every multiple of @step exactly. */
static int
step_digits (double step)
{
  int digits = 0;

  while (digits < 6 && fabs (step * pow (10, digits) - round (step * pow (10, digits))) > 1e-6)
    digits++;
  return digits;
}

/* Value lines at every step; labels at every step, or every second or fourth one when the
 * plot is too short for them all. */
static void
draw_value_grid (VigilChart         *self,
                 GtkSnapshot        *snapshot,
                 const ChartFrame   *f,
                 const ChartPalette *palette)
{
  ChartData *d = self->data;
  GdkRGBA line = with_alpha (&palette->fg, 0.08f);
  GdkRGBA dim = with_alpha (&palette->fg, 0.55f);
  float step_px = f->plot.size.height * d->y_step / (d->y_hi - d->y_lo);
  gint64 first = llround (d->y_lo / d->y_step), last = llround (d->y_hi / d->y_step);
  gint64 every = 1;
  int digits;

  while (step_px * every < VALUE_LABEL_MIN_PX && every < 64)
    every *= 2;
  digits = step_digits (d->y_step * every);

  for (gint64 k = first; k <= last; k++)
    {
      float y = floorf (y_of (f, d, k * d->y_step));
      g_autofree char *label = NULL;

      gtk_snapshot_append_color (snapshot, &line,
                                 &GRAPHENE_RECT_INIT (f->plot.origin.x, y, f->plot.size.width, 1));
      if (k % every != 0)
        continue;
      label = g_strdup_printf ("%.*f", digits, k == 0 ? 0.0 : k * d->y_step);
      draw_text (self, snapshot, TEXT_SMALL, label, f->plot.origin.x - 6, y + 0.5f, 1, 0.5f, &dim);
    }
}

static void
draw_grid (VigilChart         *self,
           GtkSnapshot        *snapshot,
           const ChartFrame   *f,
           const ChartPalette *palette)
{
  GdkRGBA line = with_alpha (&palette->fg, 0.08f);
  GdkRGBA dim = with_alpha (&palette->fg, 0.55f);
  gint64 step_us = time_steps_s[G_N_ELEMENTS (time_steps_s) - 1] * G_USEC_PER_SEC;

  if (self->data != NULL && self->data->has_values)
    draw_value_grid (self, snapshot, f, palette);
  else
    gtk_snapshot_append_color (snapshot, &line,
                               &GRAPHENE_RECT_INIT (f->plot.origin.x,
                                                    f->plot.origin.y + f->plot.size.height - 1,
                                                    f->plot.size.width, 1));

  /* Time lines at round times, their labels underneath. */
  for (guint i = 0; i < G_N_ELEMENTS (time_steps_s); i++)
    if ((double) time_steps_s[i] * G_USEC_PER_SEC * f->plot.size.width / f->span_us >=
        TIME_LABEL_MIN_PX)
      {
        step_us = time_steps_s[i] * G_USEC_PER_SEC;
        break;
      }
  for (gint64 t = (vigil_floor_div (f->from_us, step_us) + 1) * step_us;
       t < f->from_us + f->span_us; t += step_us)
    {
      float x = floorf (x_of (f, t));
      g_autofree char *label = format_time (t, FALSE);

      gtk_snapshot_append_color (snapshot, &line,
                                 &GRAPHENE_RECT_INIT (x, f->plot.origin.y, 1, f->plot.size.height));
      draw_text (self, snapshot, TEXT_SMALL, label, x, f->plot.origin.y + f->plot.size.height + 2,
                 0.5f, 0, &dim);
    }
}

/* Behind the signal: a translucent band over the time each alarm was raised. */
static void
draw_alarm_bands (VigilChart         *self,
                  GtkSnapshot        *snapshot,
                  const ChartFrame   *f,
                  const ChartPalette *palette)
{
  ChartData *d = self->data;
  float right = f->plot.origin.x + f->plot.size.width;

  for (guint i = 0; i < d->alarms->len; i++)
    {
      const ChartAlarmSpan *a = &g_array_index (d->alarms, ChartAlarmSpan, i);
      GdkRGBA color = with_alpha (severity_color (palette, a->severity), 0.13f);
      float x0 = MAX (x_of (f, a->raised_us), f->plot.origin.x);
      float x1 = a->cleared_us != 0 ? MIN (x_of (f, a->cleared_us), right) : right;

      if (x1 - x0 < 1)
        x1 = x0 + 1;
      gtk_snapshot_append_color (snapshot, &color,
                                 &GRAPHENE_RECT_INIT (x0, f->plot.origin.y, x1 - x0,
                                                      f->plot.size.height));
    }
}

/* The raw signal: a bar per column from its minimum to its maximum, stretched to meet the
 * previous column so that a steep edge stays one stroke. The bars are pixel-aligned
 * rectangles of one path filled once: a colour node each would cost the cairo renderer a fill
 * per column, several times the whole chart's drawing. */
static void
path_raw (cairo_t          *cr,
          const ChartFrame *f,
          const ChartData  *d)
{
  float left = f->plot.origin.x, right = f->plot.origin.x + f->plot.size.width;
  guint prev = G_MAXUINT;

  for (guint c = 0; c < d->n_columns; c++)
    {
      gint64 t0 = d->from_us + (gint64) c * d->column_us;
      float x0, x1, lo, hi, top, bottom;

      if (isnan (d->min[c]))
        continue;

      lo = d->min[c];
      hi = d->max[c];
      if (prev != G_MAXUINT && prev + 1 == c)
        {
          lo = MIN (lo, d->max[prev]);
          hi = MAX (hi, d->min[prev]);
        }
      prev = c;

      x0 = roundf (x_of (f, t0));
      x1 = roundf (x_of (f, t0 + d->column_us));
      if (x1 <= left || x0 >= right)
        continue;
      x0 = MAX (x0, left);
      x1 = MIN (MAX (x1, x0 + 1), right);
      top = floorf (y_of (f, d, hi));
      bottom = MAX (ceilf (y_of (f, d, lo)), top + 1);
      cairo_rectangle (cr, x0, top, x1 - x0, bottom - top);
    }
}

/* Zoomed in to less than a sample per column, joins columns across the empty ones between
 * them, as long as the gap is no more than a few sample intervals: a missing sample stays a
 * gap. */
static void
path_sparse_samples (cairo_t          *cr,
                     VigilChart       *self,
                     const ChartFrame *f,
                     const ChartData  *d)
{
  gint64 interval_us = G_USEC_PER_SEC / vigil_sensor_get_info (self->sensor)->rate_hz;
  guint prev = G_MAXUINT;

  if (d->column_us >= interval_us)
    return;

  for (guint c = 0; c < d->n_columns; c++)
    {
      if (isnan (d->min[c]))
        continue;
      if (prev != G_MAXUINT && prev + 1 < c &&
          (gint64) (c - prev) * d->column_us <= interval_us * 5 / 2)
        {
          gint64 half = d->column_us / 2;

          cairo_move_to (cr, x_of (f, d->from_us + (gint64) prev * d->column_us + half),
                         y_of (f, d, (d->min[prev] + d->max[prev]) / 2));
          cairo_line_to (cr, x_of (f, d->from_us + (gint64) c * d->column_us + half),
                         y_of (f, d, (d->min[c] + d->max[c]) / 2));
        }
      prev = c;
    }
}

/* The end of the run of window points from @start whose neighbours are no further apart than
 * a window's length: a gap in the data stays a gap. */
static guint
window_run_end (const ChartData *d,
                guint            start)
{
  guint end = start + 1;

  while (end < d->windows->len &&
         g_array_index (d->windows, ChartWindowPoint, end).at_us -
         g_array_index (d->windows, ChartWindowPoint, end - 1).at_us <= d->window_gap_us)
    end++;
  return end;
}

/* The windows' min-max band: along their maxima, back along their minima. */
static void
path_window_band (cairo_t          *cr,
                  const ChartFrame *f,
                  const ChartData  *d)
{
  for (guint start = 0, end; start < d->windows->len; start = end)
    {
      end = window_run_end (d, start);
      cairo_new_sub_path (cr);
      for (guint i = start; i < end; i++)
        {
          const ChartWindowPoint *p = &g_array_index (d->windows, ChartWindowPoint, i);

          cairo_line_to (cr, x_of (f, p->at_us), y_of (f, d, p->max));
        }
      for (guint i = end; i > start; i--)
        {
          const ChartWindowPoint *p = &g_array_index (d->windows, ChartWindowPoint, i - 1);

          cairo_line_to (cr, x_of (f, p->at_us), y_of (f, d, p->min));
        }
      cairo_close_path (cr);
    }
}

static void
path_window_avg (cairo_t          *cr,
                 const ChartFrame *f,
                 const ChartData  *d)
{
  for (guint start = 0, end; start < d->windows->len; start = end)
    {
      end = window_run_end (d, start);
      cairo_new_sub_path (cr);
      for (guint i = start; i < end; i++)
        {
          const ChartWindowPoint *p = &g_array_index (d->windows, ChartWindowPoint, i);

          cairo_line_to (cr, x_of (f, p->at_us), y_of (f, d, p->avg));
        }
    }
}

static void
draw_thresholds (cairo_t            *cr,
                 const ChartFrame   *f,
                 const ChartData    *d,
                 const ChartPalette *palette)
{
  static const double dashes[] = { 5, 4 };

  cairo_set_line_width (cr, 1);
  cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0);
  for (guint i = 0; i < d->thresholds->len; i++)
    {
      const ChartThreshold *t = &g_array_index (d->thresholds, ChartThreshold, i);
      double y = floor (y_of (f, d, t->value)) + 0.5;

      if (t->value < d->y_lo || t->value > d->y_hi)
        continue;
      cairo_move_to (cr, f->plot.origin.x, y);
      cairo_line_to (cr, f->plot.origin.x + f->plot.size.width, y);
      gdk_cairo_set_source_rgba (cr, severity_color (palette, t->severity));
      cairo_stroke (cr);
    }
  cairo_set_dash (cr, NULL, 0, 0);
}

/* A small triangle pointing down at the top of the plot where each alarm was raised. */
static void
draw_alarm_marks (cairo_t            *cr,
                  const ChartFrame   *f,
                  const ChartData    *d,
                  const ChartPalette *palette)
{
  for (guint i = 0; i < d->alarms->len; i++)
    {
      const ChartAlarmSpan *a = &g_array_index (d->alarms, ChartAlarmSpan, i);
      double x = x_of (f, a->raised_us);

      if (x < f->plot.origin.x - 5 || x > f->plot.origin.x + f->plot.size.width + 5)
        continue;
      cairo_move_to (cr, x - 5, f->plot.origin.y);
      cairo_line_to (cr, x + 5, f->plot.origin.y);
      cairo_line_to (cr, x, f->plot.origin.y + 7);
      cairo_close_path (cr);
      gdk_cairo_set_source_rgba (cr, severity_color (palette, a->severity));
      cairo_fill (cr);
    }
}

static void
draw_overlay (VigilChart         *self,
              GtkSnapshot        *snapshot,
              const ChartFrame   *f,
              const ChartPalette *palette)
{
  ChartData *d = self->data;
  GdkRGBA raw = with_alpha (&palette->accent, 0.85f);
  GdkRGBA band = with_alpha (&palette->fg, 0.07f);
  GdkRGBA avg = with_alpha (&palette->fg, 0.75f);
  cairo_t *cr;

  cr = gtk_snapshot_append_cairo (snapshot, &f->plot);
  /* Back to front: the windows' band, the raw signal, the windows' average. */
  path_window_band (cr, f, d);
  gdk_cairo_set_source_rgba (cr, &band);
  cairo_fill (cr);

  path_raw (cr, f, d);
  gdk_cairo_set_source_rgba (cr, &raw);
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  cairo_fill (cr);
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_DEFAULT);

  path_sparse_samples (cr, self, f, d);
  cairo_set_line_width (cr, 1.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke (cr);

  path_window_avg (cr, f, d);
  gdk_cairo_set_source_rgba (cr, &avg);
  cairo_stroke (cr);

  draw_thresholds (cr, f, d, palette);
  draw_alarm_marks (cr, f, d, palette);
  cairo_destroy (cr);
}

/* The labels of the thresholds drawn, at the right end just above their lines. */
static void
draw_threshold_labels (VigilChart         *self,
                       GtkSnapshot        *snapshot,
                       const ChartFrame   *f,
                       const ChartPalette *palette)
{
  ChartData *d = self->data;

  for (guint i = 0; i < d->thresholds->len; i++)
    {
      const ChartThreshold *t = &g_array_index (d->thresholds, ChartThreshold, i);
      g_autofree char *label = NULL;

      if (t->value < d->y_lo || t->value > d->y_hi)
        continue;
      label = g_strdup_printf ("%s %s %g", t->rule, vigil_compare_to_string (t->compare),
                               t->value);
      draw_text (self, snapshot, TEXT_SMALL, label, f->plot.origin.x + f->plot.size.width - 4,
                 floorf (y_of (f, d, t->value)) - 1, 1, 1, severity_color (palette, t->severity));
    }
}

/* The window average at @at_us: the last window point at or before it, if it is recent. */
static gboolean
window_avg_at (const ChartData *d,
               gint64           at_us,
               double          *out_avg)
{
  for (guint i = d->windows->len; i > 0; i--)
    {
      const ChartWindowPoint *p = &g_array_index (d->windows, ChartWindowPoint, i - 1);

      if (p->at_us <= at_us)
        {
          *out_avg = p->avg;
          return at_us - p->at_us <= d->window_gap_us;
        }
    }
  return FALSE;
}

static void
draw_hover (VigilChart         *self,
            GtkSnapshot        *snapshot,
            const ChartFrame   *f,
            const ChartPalette *palette)
{
  const VigilSensorInfo *info = vigil_sensor_get_info (self->sensor);
  VigilSeries *series = vigil_live_get_series (self->live, self->sensor);
  gint64 hover_us = vigil_chart_view_get_hover (self->view);
  gint64 interval_us = G_USEC_PER_SEC / info->rate_hz;
  GdkRGBA cursor = with_alpha (&palette->fg, 0.45f);
  GdkRGBA border = with_alpha (&palette->fg, 0.15f);
  g_autofree char *time_text = NULL;
  g_autofree char *value_text = NULL;
  g_autofree char *avg_text = NULL;
  g_autofree char *line1 = NULL;
  g_autofree char *line2 = NULL;
  PangoLayout *l1, *l2;
  gint64 sample_us;
  double value, avg;
  gboolean has_value;
  float x, box_x, box_w, box_h;
  int w1, h1, w2, h2;

  if (hover_us == G_MININT64 || hover_us < f->from_us || hover_us >= f->from_us + f->span_us)
    return;

  x = floorf (x_of (f, hover_us));
  gtk_snapshot_append_color (snapshot, &cursor,
                             &GRAPHENE_RECT_INIT (x, f->plot.origin.y, 1, f->plot.size.height));

  has_value = vigil_series_lookup (series, hover_us, &sample_us, &value) &&
              hover_us - sample_us <= MAX (2 * interval_us, self->data->column_us) &&
              !isnan (value);
  time_text = format_time (hover_us, TRUE);
  value_text = has_value ? format_value (value, info->unit) : g_strdup ("—");
  if (window_avg_at (self->data, hover_us, &avg))
    avg_text = format_value (avg, info->unit);
  line1 = g_strdup_printf ("%s  %s", time_text, value_text);
  /* Translators: the average of the sliding window at the cursor, e.g. "avg 151.2 bar" */
  line2 = avg_text != NULL ? g_strdup_printf (_("window avg %s"), avg_text) : NULL;

  if (has_value && self->data->has_values && value >= self->data->y_lo &&
      value <= self->data->y_hi)
    {
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot,
                                               &GRAPHENE_RECT_INIT (x - 6, f->plot.origin.y - 6, 13,
                                                                    f->plot.size.height + 12));

      cairo_arc (cr, x + 0.5, y_of (f, self->data, value), 3.5, 0, 2 * G_PI);
      gdk_cairo_set_source_rgba (cr, &palette->popover);
      cairo_fill_preserve (cr);
      gdk_cairo_set_source_rgba (cr, &palette->accent);
      cairo_set_line_width (cr, 2);
      cairo_stroke (cr);
      cairo_destroy (cr);
    }

  l1 = get_layout (self, TEXT_SMALL, line1);
  pango_layout_get_pixel_size (l1, &w1, &h1);
  w2 = h2 = 0;
  l2 = line2 != NULL ? get_layout (self, TEXT_SMALL, line2) : NULL;
  if (l2 != NULL)
    pango_layout_get_pixel_size (l2, &w2, &h2);
  box_w = MAX (w1, w2) + 12;
  box_h = h1 + h2 + 8;
  /* Beside the cursor, on the side with room. */
  box_x = x + 8;
  if (box_x + box_w > f->plot.origin.x + f->plot.size.width)
    box_x = x - 8 - box_w;

  {
    GskRoundedRect rect;
    float widths[4] = { 1, 1, 1, 1 };
    GdkRGBA borders[4] = { border, border, border, border };
    /* Shadows darken in either style, as the stylesheet's own do. */
    GdkRGBA shadow = { 0, 0, 0, 0.15f };

    gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (box_x, f->plot.origin.y + 4, box_w,
                                                                 box_h), 6);
    gtk_snapshot_append_outset_shadow (snapshot, &rect, &shadow, 0, 1, 0, 4);
    gtk_snapshot_push_rounded_clip (snapshot, &rect);
    gtk_snapshot_append_color (snapshot, &palette->popover, &rect.bounds);
    gtk_snapshot_pop (snapshot);
    gtk_snapshot_append_border (snapshot, &rect, widths, borders);
  }
  draw_text (self, snapshot, TEXT_SMALL, line1, box_x + 6, f->plot.origin.y + 8, 0, 0,
             &palette->fg);
  if (line2 != NULL)
    draw_text (self, snapshot, TEXT_SMALL, line2, box_x + 6, f->plot.origin.y + 8 + h1, 0, 0,
               &cursor);
}

void
_vigil_chart_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  VigilChart *self = VIGIL_CHART (widget);
  const ChartPalette *palette = get_palette (self);
  ChartData *d = self->data;
  ChartFrame f;

  _vigil_chart_get_frame (self, &f);
  draw_card (self, snapshot, palette);
  draw_header (self, snapshot, palette);
  draw_grid (self, snapshot, &f, palette);

  if (d == NULL || !d->has_values)
    {
      GdkRGBA dim = with_alpha (&palette->fg, 0.55f);

      draw_text (self, snapshot, TEXT_SMALL, _("Waiting for data…"),
                 f.plot.origin.x + f.plot.size.width / 2,
                 f.plot.origin.y + f.plot.size.height / 2, 0.5f, 0.5f, &dim);
      return;
    }

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (f.plot.origin.x, f.plot.origin.y - 1,
                                                         f.plot.size.width,
                                                         f.plot.size.height + 2));
  draw_alarm_bands (self, snapshot, &f, palette);
  draw_overlay (self, snapshot, &f, palette);
  draw_threshold_labels (self, snapshot, &f, palette);
  draw_hover (self, snapshot, &f, palette);
  gtk_snapshot_pop (snapshot);
}

