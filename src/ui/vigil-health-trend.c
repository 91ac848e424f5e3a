/* vigil-health-trend.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-health-trend"

#include "config.h"

#include <glib/gi18n.h>

#include "vigil-health-trend.h"
#include "vigil-live.h"

struct _VigilHealthTrend
{
  GtkWidget  parent_instance;

  GArray    *points;   /* VigilHealthPoint, owned */
  gint64     from_us;
  gint64     to_us;
};

G_DEFINE_FINAL_TYPE (VigilHealthTrend, vigil_health_trend, GTK_TYPE_WIDGET)

static GdkRGBA
lookup_color (GtkWidget  *widget,
              const char *name,
              const char *fallback)
{
  GdkRGBA color;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, &color))
    gdk_rgba_parse (&color, fallback);
  G_GNUC_END_IGNORE_DEPRECATIONS

  return color;
}

static void
vigil_health_trend_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  VigilHealthTrend *self = VIGIL_HEALTH_TREND (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  GdkRGBA fg = lookup_color (widget, "window_fg_color", "#000");
  GdkRGBA accent = lookup_color (widget, "accent_color", "#3584e4");
  GdkRGBA grid = fg;
  cairo_t *cr;
  double span = (double) (self->to_us - self->from_us);
  double last_y = height * 0;
  double x0 = 0;

  grid.alpha = 0.12;
  /* Lines at 100, 50 and 0. */
  for (guint i = 0; i <= 2; i++)
    gtk_snapshot_append_color (snapshot, &grid,
                               &GRAPHENE_RECT_INIT (0, MIN (height - 1, i * (height - 1) / 2),
                                                    width, 1));

  if (self->points == NULL || self->points->len == 0 || span <= 0)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_set_line_width (cr, 2);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  for (guint i = 0; i < self->points->len; i++)
    {
      const VigilHealthPoint *p = &g_array_index (self->points, VigilHealthPoint, i);
      double x = CLAMP ((p->at_us - self->from_us) / span, 0, 1) * width;
      double y = (1 - p->rig_health / 100.0) * (height - 2) + 1;

      if (i == 0)
        {
          cairo_move_to (cr, x, y);
          x0 = x;
        }
      else
        {
          cairo_line_to (cr, x, last_y);
          cairo_line_to (cr, x, y);
        }
      last_y = y;
    }
  cairo_line_to (cr, width, last_y);

  gdk_cairo_set_source_rgba (cr, &accent);
  cairo_stroke_preserve (cr);
  cairo_line_to (cr, width, height);
  cairo_line_to (cr, x0, height);
  cairo_close_path (cr);
  accent.alpha = 0.18;
  gdk_cairo_set_source_rgba (cr, &accent);
  cairo_fill (cr);
  cairo_destroy (cr);
}

static void
vigil_health_trend_finalize (GObject *object)
{
  VigilHealthTrend *self = VIGIL_HEALTH_TREND (object);

  g_clear_pointer (&self->points, g_array_unref);

  G_OBJECT_CLASS (vigil_health_trend_parent_class)->finalize (object);
}

static void
vigil_health_trend_class_init (VigilHealthTrendClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vigil_health_trend_finalize;
  GTK_WIDGET_CLASS (klass)->snapshot = vigil_health_trend_snapshot;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "healthtrend");
  gtk_widget_class_set_accessible_role (GTK_WIDGET_CLASS (klass), GTK_ACCESSIBLE_ROLE_IMG);
}

static void
vigil_health_trend_init (VigilHealthTrend *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Rig health over time"), -1);
}

void
vigil_health_trend_set_points (VigilHealthTrend *self,
                               GArray           *points,
                               gint64            from_us,
                               gint64            to_us)
{
  g_return_if_fail (VIGIL_IS_HEALTH_TREND (self));

  g_clear_pointer (&self->points, g_array_unref);
  self->points = points;
  self->from_us = from_us;
  self->to_us = to_us;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
