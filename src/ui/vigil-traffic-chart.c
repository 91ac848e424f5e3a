/* vigil-traffic-chart.c
 *
 * A camera's per-second charts, shared by the live camera view and the replay.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-ui"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "vigil-traffic-chart.h"
#include "vigil-ui-util.h"

#define CHART_HEIGHT 110

/* The scale never shrinks below @min_top, so a quiet road does not look busy. */
static const struct { const char *title; double min_top; } series_info[VIGIL_TRAFFIC_N_SERIES] = {
  { N_("Vehicles"), 4 },
  { N_("Density"), 10 },
  { N_("Speed"), 20 },
};

double
vigil_traffic_series_value (const VigilTrafficStats *second,
                            VigilTrafficSeries       series)
{
  switch (series)
    {
    case VIGIL_TRAFFIC_SERIES_VEHICLES:
      return second->vehicles;
    case VIGIL_TRAFFIC_SERIES_DENSITY:
      return second->density_pct;
    case VIGIL_TRAFFIC_SERIES_SPEED:
    case VIGIL_TRAFFIC_N_SERIES:
    default:
      return second->speed_kmh;
    }
}

char *
vigil_traffic_series_format (VigilTrafficSeries series,
                             double             value)
{
  if (isnan (value))
    return g_strdup ("–");

  switch (series)
    {
    case VIGIL_TRAFFIC_SERIES_VEHICLES:
      return g_strdup_printf ("%.1f", value);
    case VIGIL_TRAFFIC_SERIES_DENSITY:
      return g_strdup_printf (_("%.1f %%"), value);
    case VIGIL_TRAFFIC_SERIES_SPEED:
    case VIGIL_TRAFFIC_N_SERIES:
    default:
      return g_strdup_printf (_("%.0f km/h"), value);
    }
}

GtkWidget *
vigil_traffic_chart_new (VigilTrafficSeries       series,
                         GtkDrawingAreaDrawFunc   draw_func,
                         gpointer                 user_data,
                         GtkWidget              **out_area,
                         GtkLabel               **out_value)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title = gtk_label_new (_(series_info[series].title));
  GtkWidget *value = gtk_label_new ("–");
  GtkWidget *area = gtk_drawing_area_new ();

  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (value, "numeric");
  gtk_box_append (GTK_BOX (top), title);
  gtk_box_append (GTK_BOX (top), value);
  gtk_box_append (GTK_BOX (box), top);

  g_object_set_data (G_OBJECT (area), "series", GUINT_TO_POINTER (series));
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area), CHART_HEIGHT);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_func, user_data, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (area), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _(series_info[series].title), -1);
  gtk_box_append (GTK_BOX (box), area);

  gtk_widget_add_css_class (box, "card");
  gtk_widget_set_hexpand (box, TRUE);
  gtk_widget_set_margin_start (top, 12);
  gtk_widget_set_margin_end (top, 12);
  gtk_widget_set_margin_top (top, 12);
  gtk_widget_set_margin_start (area, 12);
  gtk_widget_set_margin_end (area, 12);
  gtk_widget_set_margin_bottom (area, 12);

  *out_area = area;
  *out_value = GTK_LABEL (value);
  return box;
}

VigilTrafficSeries
vigil_traffic_chart_get_series (GtkDrawingArea *area)
{
  return GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (area), "series"));
}

guint
vigil_traffic_chart_draw (GtkWidget          *area,
                          cairo_t            *cr,
                          int                 width,
                          int                 height,
                          GArray             *seconds,
                          VigilTrafficSeries  series,
                          gint64              from_us,
                          gint64              to_us)
{
  double top = series_info[series].min_top;
  gboolean pen_down = FALSE;
  guint n_points = 0;
  GdkRGBA fg, accent;

  vigil_ui_lookup_color (area, "window_fg_color", "rgba(0,0,0,0.8)", &fg);
  vigil_ui_lookup_color (area, "accent_color", "#1c71d8", &accent);

  /* Grid: the baseline and quarters of the value range. */
  cairo_set_line_width (cr, 1);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.12);
  for (int i = 0; i <= 4; i++)
    {
      double y = round (1 + (height - 2) * i / 4.0) - 0.5;

      cairo_move_to (cr, 0, y);
      cairo_line_to (cr, width, y);
    }
  cairo_stroke (cr);

  if (seconds == NULL || seconds->len == 0 || to_us <= from_us)
    return 0;

  for (guint i = 0; i < seconds->len; i++)
    {
      double v = vigil_traffic_series_value (&g_array_index (seconds, VigilTrafficStats, i),
                                             series);

      if (!isnan (v))
        top = MAX (top, v * 1.15);
    }

  /* Each second at its end, where it closed. */
  cairo_set_line_width (cr, 2);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  gdk_cairo_set_source_rgba (cr, &accent);
  for (guint i = 0; i < seconds->len; i++)
    {
      const VigilTrafficStats *s = &g_array_index (seconds, VigilTrafficStats, i);
      double v = vigil_traffic_series_value (s, series);
      double x = (double) (s->end_us - from_us) / (double) (to_us - from_us) * width;
      double y = height - 1 - v / top * (height - 2);

      if (s->end_us < from_us || isnan (v))
        {
          pen_down = FALSE;
          continue;
        }
      if (pen_down)
        cairo_line_to (cr, x, y);
      else
        {
          cairo_move_to (cr, x, y);
          /* A lone point still shows. */
          cairo_rel_line_to (cr, 0.01, 0);
        }
      pen_down = TRUE;
      n_points++;
    }
  cairo_stroke (cr);

  return n_points;
}
