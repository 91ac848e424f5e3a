/* vigil-camera-draw.c
 *
 * Badges and labels sit on the video, not on the theme: they use the on-screen-display look
 * (white on translucent black) and libadwaita's status background colours with their own
 * foregrounds, which read the same over any frame in light and dark.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-camera-draw"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "vigil-camera-draw.h"
#include "vigil-ui-util.h"

#define MASK_ALPHA 0.22
#define PILL_PAD_X 6
#define PILL_PAD_Y 2
#define MARGIN 8

struct _VigilCameraDraw
{
  VigilCameraSnapshot *snapshot;     /* owned; NULL before the first */
  GdkTexture          *frame;        /* the snapshot's frame */
  GdkTexture          *mask;         /* the snapshot's mask, tinted */
  VigilFrame          *mask_source;  /* the mask it was made from (owned reference) */
  GdkRGBA              mask_tint;
  char                *badges[VIGIL_CAMERA_N_BADGES];
};

typedef struct
{
  GdkRGBA accent_bg;
  GdkRGBA accent_fg;
  GdkRGBA status_bg[3];
  GdkRGBA status_fg[3];
  GdkRGBA error_bg;
  GdkRGBA error_fg;
  GdkRGBA mask;
  GdkRGBA fg;
} Palette;

const char *
vigil_camera_status_name (VigilTrafficStatus status)
{
  switch (status)
    {
    case VIGIL_TRAFFIC_CROWDED:
      return C_("traffic status", "Crowded");
    case VIGIL_TRAFFIC_JAMMED:
      return C_("traffic status", "Jammed");
    case VIGIL_TRAFFIC_NORMAL:
    default:
      return C_("traffic status", "Normal");
    }
}

const char *
vigil_camera_status_class (VigilTrafficStatus status)
{
  switch (status)
    {
    case VIGIL_TRAFFIC_CROWDED:
      return "warning";
    case VIGIL_TRAFFIC_JAMMED:
      return "error";
    case VIGIL_TRAFFIC_NORMAL:
    default:
      return "success";
    }
}

const char *
vigil_camera_state_name (VigilFrameSourceState state)
{
  switch (state)
    {
    case VIGIL_FRAME_SOURCE_CONNECTING:
      return C_("camera state", "Connecting");
    case VIGIL_FRAME_SOURCE_PLAYING:
      return C_("camera state", "Playing");
    case VIGIL_FRAME_SOURCE_RETRYING:
      return C_("camera state", "Reconnecting");
    case VIGIL_FRAME_SOURCE_FINISHED:
      return C_("camera state", "Finished");
    case VIGIL_FRAME_SOURCE_FAILED:
      return C_("camera state", "Failed");
    case VIGIL_FRAME_SOURCE_STOPPED:
      return C_("camera state", "Stopped");
    case VIGIL_FRAME_SOURCE_IDLE:
    default:
      return C_("camera state", "Not started");
    }
}

VigilCameraDraw *
vigil_camera_draw_new (void)
{
  VigilCameraDraw *self = g_new0 (VigilCameraDraw, 1);

  vigil_camera_draw_set_snapshot (self, NULL);
  return self;
}

void
vigil_camera_draw_free (VigilCameraDraw *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->snapshot, vigil_camera_snapshot_free);
  g_clear_object (&self->frame);
  g_clear_object (&self->mask);
  g_clear_pointer (&self->mask_source, vigil_frame_unref);
  for (guint i = 0; i < VIGIL_CAMERA_N_BADGES; i++)
    g_free (self->badges[i]);
  g_free (self);
}

/* The frame's pixels are shared with the texture, not copied, when they are RGB already. */
static GdkTexture *
texture_from_frame (VigilFrame *frame)
{
  g_autoptr(GBytes) bytes = NULL;

  if (frame->format == VIGIL_FRAME_RGB24)
    bytes = g_bytes_new_with_free_func (frame->data, (gsize) frame->stride * frame->height,
                                        (GDestroyNotify) vigil_frame_unref,
                                        vigil_frame_ref (frame));
  else
    {
      guint8 *rgb = g_malloc ((gsize) frame->width * 3 * frame->height);

      for (guint y = 0; y < frame->height; y++)
        for (guint x = 0; x < frame->width; x++)
          memset (rgb + ((gsize) y * frame->width + x) * 3, frame->data[y * frame->stride + x],
                  3);
      bytes = g_bytes_new_take (rgb, (gsize) frame->width * 3 * frame->height);
      return gdk_memory_texture_new (frame->width, frame->height, GDK_MEMORY_R8G8B8, bytes,
                                     frame->width * 3);
    }

  return gdk_memory_texture_new (frame->width, frame->height, GDK_MEMORY_R8G8B8, bytes,
                                 frame->stride);
}

static GdkTexture *
texture_from_mask (VigilFrame    *mask,
                   const GdkRGBA *tint)
{
  gsize size = (gsize) mask->width * 4 * mask->height;
  guint8 *pixels = g_malloc0 (size);
  guint8 a = (guint8) lround (tint->alpha * 255);
  guint8 r = (guint8) lround (tint->red * tint->alpha * 255);
  guint8 g = (guint8) lround (tint->green * tint->alpha * 255);
  guint8 b = (guint8) lround (tint->blue * tint->alpha * 255);
  g_autoptr(GBytes) bytes = NULL;

  for (guint y = 0; y < mask->height; y++)
    for (guint x = 0; x < mask->width; x++)
      if (mask->data[y * mask->stride + x] != 0)
        {
          guint8 *p = pixels + ((gsize) y * mask->width + x) * 4;

          p[0] = r;
          p[1] = g;
          p[2] = b;
          p[3] = a;
        }

  bytes = g_bytes_new_take (pixels, size);
  return gdk_memory_texture_new (mask->width, mask->height, GDK_MEMORY_R8G8B8A8_PREMULTIPLIED,
                                 bytes, mask->width * 4);
}

static gboolean
has_second (const VigilCameraSnapshot *s)
{
  return s != NULL && (s->second.start_us != 0 || s->second.end_us != 0);
}

static gboolean
is_failing (const VigilCameraSnapshot *s)
{
  return s != NULL && (s->state == VIGIL_FRAME_SOURCE_FAILED ||
                       s->state == VIGIL_FRAME_SOURCE_RETRYING);
}

static void
update_badges (VigilCameraDraw *self)
{
  const VigilCameraSnapshot *s = self->snapshot;
  char **b = self->badges;

  for (guint i = 0; i < VIGIL_CAMERA_N_BADGES; i++)
    g_clear_pointer (&b[i], g_free);

  if (s != NULL && s->frame != NULL)
    b[VIGIL_CAMERA_BADGE_COUNT] = g_strdup_printf (ngettext ("%u vehicle", "%u vehicles",
                                                             s->detections->len),
                                                   s->detections->len);
  else
    b[VIGIL_CAMERA_BADGE_COUNT] = g_strdup (_("No frame"));

  if (has_second (s))
    /* Translators: the share of the road covered by vehicles, e.g. "12.5 %". */
    b[VIGIL_CAMERA_BADGE_DENSITY] = g_strdup_printf (_("%.1f %%"), s->second.density_pct);
  else
    b[VIGIL_CAMERA_BADGE_DENSITY] = g_strdup (_("– %"));

  if (has_second (s) && !isnan (s->second.speed_kmh))
    /* Translators: a mean speed, e.g. "43 km/h". */
    b[VIGIL_CAMERA_BADGE_SPEED] = g_strdup_printf (_("%.0f km/h"), s->second.speed_kmh);
  else
    b[VIGIL_CAMERA_BADGE_SPEED] = g_strdup (_("– km/h"));

  if (s == NULL)
    b[VIGIL_CAMERA_BADGE_STATUS] = g_strdup (vigil_camera_state_name (VIGIL_FRAME_SOURCE_IDLE));
  else if (is_failing (s) || !has_second (s))
    b[VIGIL_CAMERA_BADGE_STATUS] = g_strdup (vigil_camera_state_name (s->state));
  else
    b[VIGIL_CAMERA_BADGE_STATUS] = g_strdup (vigil_camera_status_name (s->second.status));
}

void
vigil_camera_draw_set_snapshot (VigilCameraDraw     *self,
                                VigilCameraSnapshot *snapshot)
{
  g_return_if_fail (self != NULL);

  if (snapshot == NULL || self->snapshot == NULL || snapshot->frame != self->snapshot->frame)
    {
      g_clear_object (&self->frame);
      if (snapshot != NULL && snapshot->frame != NULL)
        self->frame = texture_from_frame (snapshot->frame);
    }
  if (snapshot == NULL || snapshot->mask != self->mask_source)
    {
      g_clear_object (&self->mask);
      g_clear_pointer (&self->mask_source, vigil_frame_unref);
      if (snapshot != NULL && snapshot->mask != NULL)
        self->mask_source = vigil_frame_ref (snapshot->mask);
    }

  g_clear_pointer (&self->snapshot, vigil_camera_snapshot_free);
  self->snapshot = snapshot;
  update_badges (self);
}

const VigilCameraSnapshot *
vigil_camera_draw_get_snapshot (VigilCameraDraw *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->snapshot;
}

guint64
vigil_camera_draw_get_serial (VigilCameraDraw *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->snapshot != NULL ? self->snapshot->serial : 0;
}

const char *
vigil_camera_draw_get_badge (VigilCameraDraw  *self,
                             VigilCameraBadge  badge)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (badge < VIGIL_CAMERA_N_BADGES, NULL);

  return self->badges[badge];
}

char *
vigil_camera_draw_describe (VigilCameraDraw *self,
                            const char      *camera_id)
{
  g_return_val_if_fail (self != NULL, NULL);

  /* Translators: a camera tile read aloud: camera, vehicles, density, speed, status. */
  return g_strdup_printf (_("%s: %s, density %s, speed %s, %s"), camera_id,
                          self->badges[VIGIL_CAMERA_BADGE_COUNT],
                          self->badges[VIGIL_CAMERA_BADGE_DENSITY],
                          self->badges[VIGIL_CAMERA_BADGE_SPEED],
                          self->badges[VIGIL_CAMERA_BADGE_STATUS]);
}

/* Drawing ------------------------------------------------------------------------------------- */

static void
get_palette (GtkWidget *widget,
             Palette   *p)
{
  vigil_ui_lookup_color (widget, "accent_bg_color", "#3584e4", &p->accent_bg);
  vigil_ui_lookup_color (widget, "accent_fg_color", "#ffffff", &p->accent_fg);
  vigil_ui_lookup_color (widget, "success_bg_color", "#26a269",
                         &p->status_bg[VIGIL_TRAFFIC_NORMAL]);
  vigil_ui_lookup_color (widget, "success_fg_color", "#ffffff",
                         &p->status_fg[VIGIL_TRAFFIC_NORMAL]);
  vigil_ui_lookup_color (widget, "warning_bg_color", "#e5a50a",
                         &p->status_bg[VIGIL_TRAFFIC_CROWDED]);
  vigil_ui_lookup_color (widget, "warning_fg_color", "rgba(0,0,0,0.8)",
                         &p->status_fg[VIGIL_TRAFFIC_CROWDED]);
  vigil_ui_lookup_color (widget, "error_bg_color", "#c01c28", &p->status_bg[VIGIL_TRAFFIC_JAMMED]);
  vigil_ui_lookup_color (widget, "error_fg_color", "#ffffff", &p->status_fg[VIGIL_TRAFFIC_JAMMED]);
  vigil_ui_lookup_color (widget, "window_fg_color", "rgba(0,0,0,0.8)", &p->fg);
  p->error_bg = p->status_bg[VIGIL_TRAFFIC_JAMMED];
  p->error_fg = p->status_fg[VIGIL_TRAFFIC_JAMMED];
  /* The road, tinted with the colour of a free road. */
  p->mask = p->status_bg[VIGIL_TRAFFIC_NORMAL];
  p->mask.alpha = MASK_ALPHA;
}

static PangoLayout *
make_layout (GtkWidget  *widget,
             const char *text,
             gboolean    large,
             gboolean    bold)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_scale_new (large ? 1.0 : 0.8));
  if (bold)
    pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);

  return layout;
}

/* A rounded label at (@x, @y); @align_right puts its right edge there. Returns its width. */
static float
draw_pill (GtkWidget     *widget,
           GtkSnapshot   *snapshot,
           const char    *text,
           float          x,
           float          y,
           gboolean       align_right,
           gboolean       large,
           const GdkRGBA *bg,
           const GdkRGBA *fg)
{
  g_autoptr(PangoLayout) layout = make_layout (widget, text, large, TRUE);
  int w, h;
  GskRoundedRect rect;

  pango_layout_get_pixel_size (layout, &w, &h);
  if (align_right)
    x -= w + 2 * PILL_PAD_X;

  gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (x, y, w + 2 * PILL_PAD_X,
                                                               h + 2 * PILL_PAD_Y),
                                   (h + 2 * PILL_PAD_Y) / 2.f);
  gtk_snapshot_push_rounded_clip (snapshot, &rect);
  gtk_snapshot_append_color (snapshot, bg, &rect.bounds);
  gtk_snapshot_pop (snapshot);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + PILL_PAD_X, y + PILL_PAD_Y));
  gtk_snapshot_append_layout (snapshot, layout, fg);
  gtk_snapshot_restore (snapshot);

  return w + 2 * PILL_PAD_X;
}

static float
pill_height (GtkWidget *widget,
             gboolean   large)
{
  g_autoptr(PangoLayout) layout = make_layout (widget, "0", large, TRUE);
  int h;

  pango_layout_get_pixel_size (layout, NULL, &h);
  return h + 2 * PILL_PAD_Y;
}

static const char *
vehicle_class_label (VigilVehicleClass klass)
{
  switch (klass)
    {
    case VIGIL_VEHICLE_MOTORCYCLE:
      return C_("vehicle class", "motorcycle");
    case VIGIL_VEHICLE_BUS:
      return C_("vehicle class", "bus");
    case VIGIL_VEHICLE_TRUCK:
      return C_("vehicle class", "truck");
    case VIGIL_VEHICLE_CAR:
    case VIGIL_N_VEHICLE_CLASSES:
    default:
      return C_("vehicle class", "car");
    }
}

static void
draw_detections (VigilCameraDraw       *self,
                 GtkWidget             *widget,
                 GtkSnapshot           *snapshot,
                 const graphene_rect_t *frame_rect,
                 const Palette         *p,
                 gboolean               large)
{
  const VigilCameraSnapshot *s = self->snapshot;
  double sx = frame_rect->size.width / s->frame->width;
  double sy = frame_rect->size.height / s->frame->height;
  float line = large ? 2.f : 1.5f;
  GdkRGBA colors[4] = { p->accent_bg, p->accent_bg, p->accent_bg, p->accent_bg };
  float widths[4] = { line, line, line, line };

  gtk_snapshot_push_clip (snapshot, frame_rect);
  for (guint i = 0; i < s->detections->len; i++)
    {
      const VigilDetection *d = &g_array_index (s->detections, VigilDetection, i);
      GskRoundedRect box;

      gsk_rounded_rect_init_from_rect (&box,
                                       &GRAPHENE_RECT_INIT (frame_rect->origin.x + d->x * sx,
                                                            frame_rect->origin.y + d->y * sy,
                                                            MAX (d->w * sx, 2),
                                                            MAX (d->h * sy, 2)),
                                       2);
      gtk_snapshot_append_border (snapshot, &box, widths, colors);

      /* Track ids only where there is room for them to be read; a large view names the
       * class too. */
      if (d->track_id >= 0 && (large || d->w * sx >= 18))
        {
          g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, d->track_id);
          /* Translators: a tracked vehicle's label on a camera's frame: its track id and
           * class, e.g. "7 car". */
          g_autofree char *id = large ? g_strdup_printf (C_("vehicle label", "%s %s"), number,
                                                         vehicle_class_label (d->klass))
                                      : g_strdup (number);
          g_autoptr(PangoLayout) layout = make_layout (widget, id, FALSE, TRUE);
          int w, h;
          float lx = box.bounds.origin.x, ly;

          pango_layout_get_pixel_size (layout, &w, &h);
          ly = box.bounds.origin.y - h;
          if (ly < frame_rect->origin.y)
            ly = box.bounds.origin.y;
          gtk_snapshot_append_color (snapshot, &p->accent_bg,
                                     &GRAPHENE_RECT_INIT (lx, ly, w + 4, h));
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (lx + 2, ly));
          gtk_snapshot_append_layout (snapshot, layout, &p->accent_fg);
          gtk_snapshot_restore (snapshot);
        }
    }
  gtk_snapshot_pop (snapshot);
}

static void
draw_badges (VigilCameraDraw       *self,
             GtkWidget             *widget,
             GtkSnapshot           *snapshot,
             const graphene_rect_t *frame_rect,
             const Palette         *p,
             gboolean               large)
{
  const VigilCameraSnapshot *s = self->snapshot;
  /* The on-screen-display colours of libadwaita's .osd: made for text over video. */
  GdkRGBA osd_bg = { 0, 0, 0, 0.7f };
  GdkRGBA osd_fg = { 1, 1, 1, 1 };
  const GdkRGBA *status_bg = &osd_bg, *status_fg = &osd_fg;
  float h = pill_height (widget, large);
  float x = frame_rect->origin.x + MARGIN;
  float y = frame_rect->origin.y + frame_rect->size.height - MARGIN - h;
  float gap = large ? 8 : 4;

  if (is_failing (s))
    {
      status_bg = &p->error_bg;
      status_fg = &p->error_fg;
    }
  else if (has_second (s))
    {
      status_bg = &p->status_bg[MIN (s->second.status, VIGIL_TRAFFIC_JAMMED)];
      status_fg = &p->status_fg[MIN (s->second.status, VIGIL_TRAFFIC_JAMMED)];
    }
  draw_pill (widget, snapshot, self->badges[VIGIL_CAMERA_BADGE_STATUS],
             frame_rect->origin.x + frame_rect->size.width - MARGIN,
             frame_rect->origin.y + MARGIN, TRUE, large, status_bg, status_fg);

  for (guint i = VIGIL_CAMERA_BADGE_COUNT; i <= VIGIL_CAMERA_BADGE_SPEED; i++)
    x += gap + draw_pill (widget, snapshot, self->badges[i], x, y, FALSE, large, &osd_bg,
                          &osd_fg);
}

static void
fit_frame (const graphene_rect_t *bounds,
           guint                  width,
           guint                  height,
           graphene_rect_t       *out)
{
  double scale = MIN (bounds->size.width / width, bounds->size.height / height);
  double w = width * scale, h = height * scale;

  graphene_rect_init (out, bounds->origin.x + (bounds->size.width - w) / 2,
                      bounds->origin.y + (bounds->size.height - h) / 2, w, h);
}

void
vigil_camera_draw_snapshot (VigilCameraDraw       *self,
                            GtkWidget             *widget,
                            GtkSnapshot           *snapshot,
                            const graphene_rect_t *bounds,
                            gboolean               large)
{
  const VigilCameraSnapshot *s;
  graphene_rect_t frame_rect;
  Palette p;

  g_return_if_fail (self != NULL);
  g_return_if_fail (GTK_IS_WIDGET (widget));

  s = self->snapshot;
  get_palette (widget, &p);

  if (s == NULL || s->frame == NULL)
    {
      GdkRGBA dim = p.fg;

      /* No picture yet: a quiet panel with the source's state, and its error if any. */
      dim.alpha = 0.08f;
      frame_rect = *bounds;
      gtk_snapshot_append_color (snapshot, &dim, bounds);
      if (s != NULL && s->error != NULL)
        {
          g_autoptr(PangoLayout) layout = make_layout (widget, s->error->message, large, FALSE);
          int w, h;

          pango_layout_set_width (layout, (int) (bounds->size.width - 2 * MARGIN) * PANGO_SCALE);
          pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
          pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
          pango_layout_get_pixel_size (layout, &w, &h);
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot,
                                  &GRAPHENE_POINT_INIT (bounds->origin.x + MARGIN,
                                                        bounds->origin.y
                                                        + (bounds->size.height - h) / 2));
          gtk_snapshot_append_layout (snapshot, layout, &p.fg);
          gtk_snapshot_restore (snapshot);
        }
      draw_badges (self, widget, snapshot, &frame_rect, &p, large);
      return;
    }

  fit_frame (bounds, s->frame->width, s->frame->height, &frame_rect);
  gtk_snapshot_append_texture (snapshot, self->frame, &frame_rect);

  if (self->mask_source != NULL)
    {
      if (self->mask == NULL || !gdk_rgba_equal (&self->mask_tint, &p.mask))
        {
          g_clear_object (&self->mask);
          self->mask = texture_from_mask (self->mask_source, &p.mask);
          self->mask_tint = p.mask;
        }
      gtk_snapshot_append_texture (snapshot, self->mask, &frame_rect);
    }

  draw_detections (self, widget, snapshot, &frame_rect, &p, large);
  draw_badges (self, widget, snapshot, &frame_rect, &p, large);
}
