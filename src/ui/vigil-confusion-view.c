/* vigil-confusion-view.c
 *
 * Cells are colour nodes, text is Pango layouts; colours are the stylesheet's named colours,
 * read at each frame, so light and dark both follow the theme.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-confusion"

#include "config.h"

#include <glib/gi18n.h>

#include "vigil-confusion-view.h"

#define CELL_MIN 40
#define CELL_NATURAL 64
#define CELL_MAX 96
#define GAP 2
#define PAD 8

struct _VigilConfusionView
{
  GtkWidget     parent_instance;

  gboolean      has_metrics;
  VigilMetrics  metrics;
};

G_DEFINE_FINAL_TYPE (VigilConfusionView, vigil_confusion_view, GTK_TYPE_WIDGET)

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

static guint
row_total (const VigilMetrics *m,
           guint               i)
{
  guint total = 0;

  for (guint j = 0; j < m->n_classes; j++)
    total += m->confusion[i][j];

  return total;
}

double
vigil_confusion_view_get_share (VigilConfusionView *self,
                                guint               true_class,
                                guint               predicted)
{
  guint total;

  g_return_val_if_fail (VIGIL_IS_CONFUSION_VIEW (self), 0);
  g_return_val_if_fail (self->has_metrics, 0);
  g_return_val_if_fail (true_class < self->metrics.n_classes, 0);
  g_return_val_if_fail (predicted < self->metrics.n_classes, 0);

  total = row_total (&self->metrics, true_class);
  return total > 0 ? (double) self->metrics.confusion[true_class][predicted] / total : 0;
}

static PangoLayout *
make_layout (GtkWidget  *widget,
             const char *text,
             gboolean    small,
             gboolean    bold)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  if (small)
    pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  if (bold)
    pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);

  return layout;
}

/* Draws @text centred on (@x, @y). */
static void
draw_text (GtkWidget     *widget,
           GtkSnapshot   *snapshot,
           const char    *text,
           float          x,
           float          y,
           gboolean       small,
           gboolean       bold,
           const GdkRGBA *color)
{
  g_autoptr(PangoLayout) layout = make_layout (widget, text, small, bold);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (roundf (x - w / 2.f),
                                                          roundf (y - h / 2.f)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

/* The width of the row labels and the height of the column labels. */
static void
get_gutters (VigilConfusionView *self,
             int                *out_left,
             int                *out_top)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int w, h, left = 0;

  for (guint i = 0; i < self->metrics.n_classes; i++)
    {
      g_autofree char *text = g_strdup_printf ("%d", self->metrics.classes[i]);
      g_autoptr(PangoLayout) layout = make_layout (widget, text, FALSE, TRUE);

      pango_layout_get_pixel_size (layout, &w, &h);
      left = MAX (left, w);
    }
  {
    g_autoptr(PangoLayout) layout = make_layout (widget, _("True"), TRUE, FALSE);

    pango_layout_get_pixel_size (layout, &w, &h);
    left = MAX (left, w);
  }

  *out_left = left + 2 * PAD;
  *out_top = 2 * h + 2 * PAD;
}

static float
cell_size (VigilConfusionView *self,
           int                 left,
           int                 top)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  guint n = self->metrics.n_classes;
  float by_width = (float) (width - left) / n;
  float by_height = (float) (height - top) / n;

  return CLAMP (MIN (by_width, by_height), CELL_MIN, CELL_MAX);
}

static void
vigil_confusion_view_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  VigilConfusionView *self = VIGIL_CONFUSION_VIEW (widget);
  const VigilMetrics *m = &self->metrics;
  GdkRGBA fg = lookup_color (widget, "window_fg_color", "rgba(0,0,0,0.8)");
  GdkRGBA accent = lookup_color (widget, "accent_bg_color", "#3584e4");
  GdkRGBA on_accent = lookup_color (widget, "accent_fg_color", "#ffffff");
  GdkRGBA dim = fg;
  GdkRGBA empty = fg;
  int left, top;
  float cell, x0, y0;

  if (!self->has_metrics || m->n_classes == 0)
    return;

  dim.alpha *= 0.6f;
  empty.alpha *= 0.05f;
  get_gutters (self, &left, &top);
  cell = cell_size (self, left, top);
  x0 = left;
  y0 = top;

  draw_text (widget, snapshot, _("Predicted"), x0 + cell * m->n_classes / 2, PAD + (top - 2 * PAD)
             / 4.f, TRUE, FALSE, &dim);
  draw_text (widget, snapshot, _("True"), left / 2.f, y0 - (top - 2 * PAD) / 4.f - PAD / 2.f,
             TRUE, FALSE, &dim);

  for (guint i = 0; i < m->n_classes; i++)
    {
      g_autofree char *label = g_strdup_printf ("%d", m->classes[i]);

      draw_text (widget, snapshot, label, x0 + (i + 0.5f) * cell, y0 - (top - 2 * PAD) / 4.f
                 - PAD / 2.f, FALSE, TRUE, &fg);
      draw_text (widget, snapshot, label, left / 2.f, y0 + (i + 0.5f) * cell, FALSE, TRUE, &fg);
    }

  for (guint i = 0; i < m->n_classes; i++)
    for (guint j = 0; j < m->n_classes; j++)
      {
        double share = vigil_confusion_view_get_share (self, i, j);
        g_autofree char *count = g_strdup_printf ("%u", m->confusion[i][j]);
        graphene_rect_t rect = GRAPHENE_RECT_INIT (x0 + j * cell + GAP / 2.f,
                                                   y0 + i * cell + GAP / 2.f,
                                                   cell - GAP, cell - GAP);
        GdkRGBA fill = accent;

        /* A faint cell for no rows at all, so the grid still reads as a grid. */
        if (m->confusion[i][j] == 0)
          fill = empty;
        else
          fill.alpha = 0.15f + 0.85f * (float) share;
        gtk_snapshot_append_color (snapshot, &fill, &rect);
        draw_text (widget, snapshot, count, rect.origin.x + rect.size.width / 2,
                   rect.origin.y + rect.size.height / 2, FALSE, i == j,
                   share >= 0.5 ? &on_accent : &fg);
      }
}

static void
vigil_confusion_view_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  VigilConfusionView *self = VIGIL_CONFUSION_VIEW (widget);
  guint n = self->has_metrics ? self->metrics.n_classes : 0;
  int left = 0, top = 0;

  if (n > 0)
    get_gutters (self, &left, &top);
  /* Scrolled pages give their content its minimum height: the map keeps its height and
   * gives up width only. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = left + n * CELL_MIN;
      *natural = left + n * CELL_NATURAL;
    }
  else
    *minimum = *natural = top + n * CELL_NATURAL;
}

static void
vigil_confusion_view_class_init (VigilConfusionViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->snapshot = vigil_confusion_view_snapshot;
  widget_class->measure = vigil_confusion_view_measure;
  gtk_widget_class_set_css_name (widget_class, "confusionview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
vigil_confusion_view_init (VigilConfusionView *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Confusion matrix"), -1);
}

GtkWidget *
vigil_confusion_view_new (void)
{
  return g_object_new (VIGIL_TYPE_CONFUSION_VIEW, NULL);
}

/* What a screen reader says: each true class with what it was predicted as. */
static char *
describe (const VigilMetrics *m)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < m->n_classes; i++)
    {
      g_autoptr(GString) cells = g_string_new (NULL);

      for (guint j = 0; j < m->n_classes; j++)
        {
          if (m->confusion[i][j] == 0)
            continue;
          if (cells->len > 0)
            g_string_append (cells, ", ");
          /* Translators: one cell of a confusion matrix, e.g. "20 as 3" (the count of cycles
           * of this row's true class predicted as class 3). */
          g_string_append_printf (cells, _("%u as %d"), m->confusion[i][j], m->classes[j]);
        }
      if (text->len > 0)
        g_string_append (text, "; ");
      /* Translators: one row of a confusion matrix, e.g. "True class 3: 20 as 3, 1 as 20". */
      g_string_append_printf (text, _("True class %d: %s"), m->classes[i], cells->str);
    }

  return g_string_free (text, FALSE);
}

void
vigil_confusion_view_set_metrics (VigilConfusionView *self,
                                  const VigilMetrics *metrics)
{
  g_autofree char *description = NULL;

  g_return_if_fail (VIGIL_IS_CONFUSION_VIEW (self));

  self->has_metrics = metrics != NULL;
  if (metrics != NULL)
    self->metrics = *metrics;

  description = metrics != NULL ? describe (metrics) : g_strdup ("");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  description, -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

const VigilMetrics *
vigil_confusion_view_get_metrics (VigilConfusionView *self)
{
  g_return_val_if_fail (VIGIL_IS_CONFUSION_VIEW (self), NULL);

  return self->has_metrics ? &self->metrics : NULL;
}
