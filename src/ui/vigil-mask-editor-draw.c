/* vigil-mask-editor-draw.c
 *
 * How the road mask editor draws, and where a frame pixel lands in the widget. The frame is a
 * texture scaled to fit and letterboxed; the polygons, handles, the rubber band of the polygon
 * being drawn and the keyboard cursor are one cairo node over it. Frame pixel x covers
 * [x - 0.5, x + 0.5), as the rasteriser takes it, so a vertex drawn on a pixel's centre lands
 * on that pixel.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-mask-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "vigil-mask-editor-private.h"
#include "vigil-ui-util.h"

/* Widget pixels: a vertex's handle. */
#define HANDLE_RADIUS 5.0

/* Frame and widget --------------------------------------------------------------------------- */

static gboolean
get_layout (VigilMaskEditor *self,
            double          *scale,
            double          *ox,
            double          *oy)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));

  if (self->width == 0 || self->height == 0 || w <= 0 || h <= 0)
    return FALSE;
  *scale = MIN (w / self->width, h / self->height);
  *ox = (w - self->width * *scale) / 2;
  *oy = (h - self->height * *scale) / 2;
  return TRUE;
}

gboolean
vigil_mask_editor_frame_to_widget (VigilMaskEditor *self,
                                   double           x,
                                   double           y,
                                   double          *out_x,
                                   double          *out_y)
{
  double scale, ox, oy;

  g_return_val_if_fail (VIGIL_IS_MASK_EDITOR (self), FALSE);

  if (!get_layout (self, &scale, &ox, &oy))
    return FALSE;
  *out_x = ox + (x + 0.5) * scale;
  *out_y = oy + (y + 0.5) * scale;
  return TRUE;
}

gboolean
vigil_mask_editor_widget_to_frame (VigilMaskEditor *self,
                                   double           x,
                                   double           y,
                                   double          *out_x,
                                   double          *out_y)
{
  double scale, ox, oy;

  g_return_val_if_fail (VIGIL_IS_MASK_EDITOR (self), FALSE);

  if (!get_layout (self, &scale, &ox, &oy))
    return FALSE;
  *out_x = (x - ox) / scale - 0.5;
  *out_y = (y - oy) / scale - 0.5;
  return TRUE;
}

/* The frame ---------------------------------------------------------------------------------- */

GdkTexture *
_vigil_mask_editor_texture_from_frame (VigilFrame *frame)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize stride = frame->stride;

  if (frame->format == VIGIL_FRAME_RGB24)
    bytes = g_bytes_new_with_free_func (frame->data, (gsize) frame->stride * frame->height,
                                        (GDestroyNotify) vigil_frame_unref,
                                        vigil_frame_ref (frame));
  else
    {
      /* GTK 4.8 has no grey memory format: spread each luma byte to R, G and B. */
      guint8 *rgb = g_malloc ((gsize) frame->width * frame->height * 3);

      for (guint y = 0; y < frame->height; y++)
        {
          const guint8 *row = frame->data + (gsize) y * frame->stride;
          guint8 *out = rgb + (gsize) y * frame->width * 3;

          for (guint x = 0; x < frame->width; x++)
            out[3 * x] = out[3 * x + 1] = out[3 * x + 2] = row[x];
        }
      stride = (gsize) frame->width * 3;
      bytes = g_bytes_new_take (rgb, stride * frame->height);
    }
  return gdk_memory_texture_new (frame->width, frame->height, GDK_MEMORY_R8G8B8, bytes,
                                 stride);
}

/* Drawing ------------------------------------------------------------------------------------ */

static void
trace (VigilMaskEditor *self,
       cairo_t         *cr,
       GArray          *points,
       gboolean         closed)
{
  for (guint k = 0; k < points->len; k++)
    {
      const VigilPoint *p = &g_array_index (points, VigilPoint, k);
      double x, y;

      vigil_mask_editor_frame_to_widget (self, p->x, p->y, &x, &y);
      if (k == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  if (closed)
    cairo_close_path (cr);
}

static void
draw_handles (VigilMaskEditor *self,
              cairo_t         *cr,
              guint            polygon,
              const GdkRGBA   *accent)
{
  GArray *points = _vigil_mask_editor_points_of (self, polygon);

  for (guint k = 0; k < points->len; k++)
    {
      const VigilPoint *p = &g_array_index (points, VigilPoint, k);
      gboolean selected = self->sel_polygon == (int) polygon && self->sel_vertex == k;
      /* The first vertex of the polygon being drawn closes it: shown larger once it can. */
      gboolean closer = polygon == self->polygons->len && k == 0 && points->len >= 3;
      double x, y, r = selected || closer ? HANDLE_RADIUS + 2 : HANDLE_RADIUS;

      vigil_mask_editor_frame_to_widget (self, p->x, p->y, &x, &y);
      cairo_new_path (cr);
      cairo_arc (cr, x, y, r, 0, 2 * G_PI);
      if (selected)
        gdk_cairo_set_source_rgba (cr, accent);
      else
        cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_fill_preserve (cr);
      cairo_set_line_width (cr, 2);
      if (selected)
        cairo_set_source_rgb (cr, 1, 1, 1);
      else
        gdk_cairo_set_source_rgba (cr, accent);
      cairo_stroke (cr);
    }
}

/* A cross in white over a dark halo, visible on any frame. */
static void
draw_cursor (VigilMaskEditor *self,
             cairo_t         *cr)
{
  double x, y;

  vigil_mask_editor_frame_to_widget (self, self->cursor_x, self->cursor_y, &x, &y);
  for (guint pass = 0; pass < 2; pass++)
    {
      cairo_new_path (cr);
      cairo_move_to (cr, x - 10, y);
      cairo_line_to (cr, x - 3, y);
      cairo_move_to (cr, x + 3, y);
      cairo_line_to (cr, x + 10, y);
      cairo_move_to (cr, x, y - 10);
      cairo_line_to (cr, x, y - 3);
      cairo_move_to (cr, x, y + 3);
      cairo_line_to (cr, x, y + 10);
      cairo_set_line_width (cr, pass == 0 ? 4 : 2);
      if (pass == 0)
        cairo_set_source_rgba (cr, 0, 0, 0, 0.6);
      else
        cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_stroke (cr);
    }
}

static void
draw_overlay (VigilMaskEditor *self,
              cairo_t         *cr)
{
  static const double dashes[] = { 6, 4 };
  GdkRGBA accent;

  vigil_ui_lookup_color (GTK_WIDGET (self), "accent_bg_color", "#3584e4", &accent);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  for (guint i = 0; i < self->polygons->len; i++)
    {
      cairo_new_path (cr);
      trace (self, cr, _vigil_mask_editor_points_of (self, i), TRUE);
      cairo_set_source_rgba (cr, accent.red, accent.green, accent.blue, 0.35);
      cairo_fill_preserve (cr);
      cairo_set_line_width (cr, 2);
      gdk_cairo_set_source_rgba (cr, &accent);
      cairo_stroke (cr);
    }

  if (self->drawing->len > 0)
    {
      const VigilPoint *last = &g_array_index (self->drawing, VigilPoint,
                                               self->drawing->len - 1);
      double x, y;

      cairo_new_path (cr);
      trace (self, cr, self->drawing, FALSE);
      /* The rubber band to where the next click would add a vertex. */
      if (self->hovering)
        {
          vigil_mask_editor_frame_to_widget (self, last->x, last->y, &x, &y);
          cairo_move_to (cr, x, y);
          cairo_line_to (cr, self->hover_x, self->hover_y);
        }
      cairo_set_line_width (cr, 4);
      cairo_set_source_rgba (cr, 0, 0, 0, 0.5);
      cairo_stroke_preserve (cr);
      cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0);
      cairo_set_line_width (cr, 2);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }

  for (guint i = 0; i <= self->polygons->len; i++)
    draw_handles (self, cr, i, &accent);
  if (gtk_widget_has_focus (GTK_WIDGET (self)) && self->sel_polygon < 0)
    draw_cursor (self, cr);
}

static void
draw_message (VigilMaskEditor *self,
              GtkSnapshot     *snapshot,
              const char      *text,
              const GdkRGBA   *color)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT ((gtk_widget_get_width (GTK_WIDGET (self)) - w) / 2,
                                                (gtk_widget_get_height (GTK_WIDGET (self)) - h)
                                                / 2));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

void
_vigil_mask_editor_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  VigilMaskEditor *self = VIGIL_MASK_EDITOR (widget);
  double w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  double scale, ox, oy;
  GdkRGBA fg, shade;
  cairo_t *cr;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  /* The letterbox: a shade of the text colour, so it sits right in light and dark. */
  shade = fg;
  shade.alpha = 0.08;
  gtk_snapshot_append_color (snapshot, &shade, &GRAPHENE_RECT_INIT (0, 0, w, h));

  if (!get_layout (self, &scale, &ox, &oy))
    {
      draw_message (self, snapshot, _("No frame from this camera yet"), &fg);
      return;
    }

  if (self->texture != NULL)
    gtk_snapshot_append_texture (snapshot, self->texture,
                                 &GRAPHENE_RECT_INIT (ox, oy, self->width * scale,
                                                      self->height * scale));
  else
    {
      shade.alpha = 0.16;
      gtk_snapshot_append_color (snapshot, &shade,
                                 &GRAPHENE_RECT_INIT (ox, oy, self->width * scale,
                                                      self->height * scale));
      draw_message (self, snapshot, _("No frame from this camera yet"), &fg);
    }

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  draw_overlay (self, cr);
  cairo_destroy (cr);
}
