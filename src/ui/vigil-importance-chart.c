/* vigil-importance-chart.c
 *
 * Bars are colour nodes, names and values Pango layouts; colours are the stylesheet's named
 * colours, read at each frame, so light and dark both follow the theme.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-importance"

#include "config.h"

#include <glib/gi18n.h>

#include "vigil-importance-chart.h"

#define ROW_H 24
#define BAR_H 14
#define GAP 8
#define VALUE_W 56
#define BAR_MIN_W 80

typedef struct
{
  char  *name;
  float  value;
  guint  index;
} Bar;

struct _VigilImportanceChart
{
  GtkWidget  parent_instance;

  GArray    *bars;   /* Bar, largest first, owned */
};

G_DEFINE_FINAL_TYPE (VigilImportanceChart, vigil_importance_chart, GTK_TYPE_WIDGET)

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

static PangoLayout *
make_layout (GtkWidget  *widget,
             const char *text)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);

  return layout;
}

static char *
format_share (float value)
{
  /* Translators: a feature's share of a model's total gain, e.g. "12.3 %". */
  return g_strdup_printf (_("%.1f %%"), value * 100);
}

static int
names_width (VigilImportanceChart *self)
{
  int width = 0;

  for (guint i = 0; i < self->bars->len; i++)
    {
      g_autoptr(PangoLayout) layout = make_layout (GTK_WIDGET (self),
                                                   g_array_index (self->bars, Bar, i).name);
      int w, h;

      pango_layout_get_pixel_size (layout, &w, &h);
      width = MAX (width, w);
    }

  return width;
}

static void
append_layout (GtkSnapshot   *snapshot,
               PangoLayout   *layout,
               float          x,
               float          y_center,
               const GdkRGBA *color)
{
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (roundf (x), roundf (y_center - h / 2.f)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
vigil_importance_chart_snapshot (GtkWidget   *widget,
                                 GtkSnapshot *snapshot)
{
  VigilImportanceChart *self = VIGIL_IMPORTANCE_CHART (widget);
  GdkRGBA fg = lookup_color (widget, "window_fg_color", "rgba(0,0,0,0.8)");
  GdkRGBA accent = lookup_color (widget, "accent_bg_color", "#3584e4");
  GdkRGBA track = fg;
  int width = gtk_widget_get_width (widget);
  int name_w;
  float bar_x, bar_w, top;

  if (self->bars->len == 0)
    return;

  track.alpha *= 0.06f;
  name_w = names_width (self);
  bar_x = name_w + GAP;
  bar_w = MAX (width - bar_x - GAP - VALUE_W, 1);
  top = g_array_index (self->bars, Bar, 0).value;

  for (guint i = 0; i < self->bars->len; i++)
    {
      const Bar *bar = &g_array_index (self->bars, Bar, i);
      g_autoptr(PangoLayout) name = make_layout (widget, bar->name);
      g_autofree char *share = format_share (bar->value);
      g_autoptr(PangoLayout) value = make_layout (widget, share);
      float y = i * ROW_H + ROW_H / 2.f;
      /* Bars are scaled to the largest, so the ranking reads at a glance; the text says the
       * share. */
      float w = top > 0 ? bar_w * bar->value / top : 0;
      int nw, nh;

      pango_layout_get_pixel_size (name, &nw, &nh);
      append_layout (snapshot, name, name_w - nw, y, &fg);
      gtk_snapshot_append_color (snapshot, &track,
                                 &GRAPHENE_RECT_INIT (bar_x, y - BAR_H / 2.f, bar_w, BAR_H));
      gtk_snapshot_append_color (snapshot, &accent,
                                 &GRAPHENE_RECT_INIT (bar_x, y - BAR_H / 2.f, MAX (w, 1), BAR_H));
      append_layout (snapshot, value, bar_x + bar_w + GAP, y, &fg);
    }
}

static void
vigil_importance_chart_measure (GtkWidget      *widget,
                                GtkOrientation  orientation,
                                int             for_size,
                                int            *minimum,
                                int            *natural,
                                int            *minimum_baseline,
                                int            *natural_baseline)
{
  VigilImportanceChart *self = VIGIL_IMPORTANCE_CHART (widget);

  if (orientation == GTK_ORIENTATION_VERTICAL)
    *minimum = *natural = self->bars->len * ROW_H;
  else
    {
      *minimum = self->bars->len > 0 ? names_width (self) + 2 * GAP + VALUE_W + BAR_MIN_W : 0;
      *natural = *minimum + 3 * BAR_MIN_W;
    }
}

static void
clear_bar (gpointer data)
{
  g_free (((Bar *) data)->name);
}

static void
vigil_importance_chart_finalize (GObject *object)
{
  VigilImportanceChart *self = VIGIL_IMPORTANCE_CHART (object);

  g_clear_pointer (&self->bars, g_array_unref);

  G_OBJECT_CLASS (vigil_importance_chart_parent_class)->finalize (object);
}

static void
vigil_importance_chart_class_init (VigilImportanceChartClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = vigil_importance_chart_finalize;
  widget_class->snapshot = vigil_importance_chart_snapshot;
  widget_class->measure = vigil_importance_chart_measure;
  gtk_widget_class_set_css_name (widget_class, "importancechart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
vigil_importance_chart_init (VigilImportanceChart *self)
{
  self->bars = g_array_new (FALSE, FALSE, sizeof (Bar));
  g_array_set_clear_func (self->bars, clear_bar);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Feature importance"), -1);
}

GtkWidget *
vigil_importance_chart_new (void)
{
  return g_object_new (VIGIL_TYPE_IMPORTANCE_CHART, NULL);
}

static int
compare_bars (gconstpointer a,
              gconstpointer b)
{
  const Bar *x = a, *y = b;

  if (x->value != y->value)
    return x->value > y->value ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

void
vigil_importance_chart_set_values (VigilImportanceChart *self,
                                   const float          *values,
                                   const char * const   *names,
                                   guint                 n)
{
  g_autoptr(GString) description = g_string_new (NULL);

  g_return_if_fail (VIGIL_IS_IMPORTANCE_CHART (self));
  g_return_if_fail (n == 0 || (values != NULL && names != NULL));

  g_array_set_size (self->bars, 0);
  for (guint i = 0; i < n; i++)
    if (values[i] > 0)
      {
        Bar bar = { g_strdup (names[i]), values[i], i };

        g_array_append_val (self->bars, bar);
      }
  g_array_sort (self->bars, compare_bars);
  if (self->bars->len > VIGIL_IMPORTANCE_CHART_MAX_BARS)
    g_array_set_size (self->bars, VIGIL_IMPORTANCE_CHART_MAX_BARS);

  for (guint i = 0; i < self->bars->len; i++)
    {
      const Bar *bar = &g_array_index (self->bars, Bar, i);
      g_autofree char *share = format_share (bar->value);

      g_string_append_printf (description, "%s%s %s", i > 0 ? ", " : "", bar->name, share);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  description->str, -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
vigil_importance_chart_get_n_bars (VigilImportanceChart *self)
{
  g_return_val_if_fail (VIGIL_IS_IMPORTANCE_CHART (self), 0);

  return self->bars->len;
}

const char *
vigil_importance_chart_get_name (VigilImportanceChart *self,
                                 guint                 i)
{
  g_return_val_if_fail (VIGIL_IS_IMPORTANCE_CHART (self), NULL);
  g_return_val_if_fail (i < self->bars->len, NULL);

  return g_array_index (self->bars, Bar, i).name;
}
