/* vigil-camera-tile.c
 *
 * The camera publishes a snapshot with a serial; the tile copies it on its frame clock while
 * mapped and asks for a redraw only when the serial moved, so a paused or finished camera
 * costs nothing per frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-camera-tile"

#include "config.h"

#include "vigil-camera-tile.h"

#define TILE_MIN_W 240
#define TILE_NAT_W 360
#define TILE_RADIUS 12
#define NAME_MARGIN 8

struct _VigilCameraTile
{
  GtkWidget        parent_instance;

  /* Owned */
  VigilCamera     *camera;
  VigilCameraDraw *draw;
  guint            tick_id;
  gboolean         large;
};

G_DEFINE_FINAL_TYPE (VigilCameraTile, vigil_camera_tile, GTK_TYPE_WIDGET)

gboolean
vigil_camera_tile_update (VigilCameraTile *self)
{
  g_autoptr(VigilCameraSnapshot) snapshot = NULL;
  g_autofree char *description = NULL;

  g_return_val_if_fail (VIGIL_IS_CAMERA_TILE (self), FALSE);

  snapshot = vigil_camera_dup_snapshot (self->camera);
  if (snapshot != NULL && vigil_camera_draw_get_snapshot (self->draw) != NULL &&
      snapshot->serial == vigil_camera_draw_get_serial (self->draw))
    return FALSE;

  vigil_camera_draw_set_snapshot (self->draw, g_steal_pointer (&snapshot));
  description = vigil_camera_draw_describe (self->draw, vigil_camera_get_id (self->camera));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  description, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));

  return TRUE;
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  vigil_camera_tile_update (VIGIL_CAMERA_TILE (widget));

  return G_SOURCE_CONTINUE;
}

static void
vigil_camera_tile_map (GtkWidget *widget)
{
  VigilCameraTile *self = VIGIL_CAMERA_TILE (widget);

  GTK_WIDGET_CLASS (vigil_camera_tile_parent_class)->map (widget);

  vigil_camera_tile_update (self);
  self->tick_id = gtk_widget_add_tick_callback (widget, on_tick, NULL, NULL);
}

static void
vigil_camera_tile_unmap (GtkWidget *widget)
{
  VigilCameraTile *self = VIGIL_CAMERA_TILE (widget);

  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (widget, self->tick_id);
  self->tick_id = 0;

  GTK_WIDGET_CLASS (vigil_camera_tile_parent_class)->unmap (widget);
}

/* 16:9, the shape of most traffic cameras; other frames are letterboxed inside. */
static void
vigil_camera_tile_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = TILE_MIN_W;
      *natural = VIGIL_CAMERA_TILE (widget)->large ? 2 * TILE_NAT_W : TILE_NAT_W;
    }
  else
    {
      int width = for_size > 0 ? for_size : TILE_NAT_W;

      *minimum = *natural = width * 9 / 16;
    }
}

static GtkSizeRequestMode
vigil_camera_tile_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
vigil_camera_tile_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  VigilCameraTile *self = VIGIL_CAMERA_TILE (widget);
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                               gtk_widget_get_height (widget));
  GskRoundedRect clip;
  g_autoptr(PangoLayout) name = NULL;
  GdkRGBA osd_bg = { 0, 0, 0, 0.7f };
  GdkRGBA osd_fg = { 1, 1, 1, 1 };
  int w, h;

  gsk_rounded_rect_init_from_rect (&clip, &bounds, TILE_RADIUS);
  gtk_snapshot_push_rounded_clip (snapshot, &clip);
  {
    GdkRGBA black = { 0, 0, 0, 1 };

    /* Letterboxing is black, as on any video player. */
    if (vigil_camera_draw_get_snapshot (self->draw) != NULL &&
        vigil_camera_draw_get_snapshot (self->draw)->frame != NULL)
      gtk_snapshot_append_color (snapshot, &black, &bounds);
  }
  vigil_camera_draw_snapshot (self->draw, widget, snapshot, &bounds, self->large);
  if (self->large)
    {
      gtk_snapshot_pop (snapshot);
      return;
    }

  name = gtk_widget_create_pango_layout (widget, vigil_camera_get_id (self->camera));
  {
    PangoAttrList *attrs = pango_attr_list_new ();

    pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
    pango_layout_set_attributes (name, attrs);
    pango_attr_list_unref (attrs);
  }
  pango_layout_get_pixel_size (name, &w, &h);
  gtk_snapshot_append_color (snapshot, &osd_bg,
                             &GRAPHENE_RECT_INIT (0, 0, w + 2 * NAME_MARGIN,
                                                  h + NAME_MARGIN));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (NAME_MARGIN, NAME_MARGIN / 2.f));
  gtk_snapshot_append_layout (snapshot, name, &osd_fg);
  gtk_snapshot_restore (snapshot);
  gtk_snapshot_pop (snapshot);
}

static void
vigil_camera_tile_dispose (GObject *object)
{
  VigilCameraTile *self = VIGIL_CAMERA_TILE (object);

  g_clear_object (&self->camera);

  G_OBJECT_CLASS (vigil_camera_tile_parent_class)->dispose (object);
}

static void
vigil_camera_tile_finalize (GObject *object)
{
  VigilCameraTile *self = VIGIL_CAMERA_TILE (object);

  g_clear_pointer (&self->draw, vigil_camera_draw_free);

  G_OBJECT_CLASS (vigil_camera_tile_parent_class)->finalize (object);
}

static void
vigil_camera_tile_class_init (VigilCameraTileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vigil_camera_tile_dispose;
  object_class->finalize = vigil_camera_tile_finalize;
  widget_class->map = vigil_camera_tile_map;
  widget_class->unmap = vigil_camera_tile_unmap;
  widget_class->measure = vigil_camera_tile_measure;
  widget_class->get_request_mode = vigil_camera_tile_get_request_mode;
  widget_class->snapshot = vigil_camera_tile_snapshot;

  gtk_widget_class_set_css_name (widget_class, "vigil-camera-tile");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
vigil_camera_tile_init (VigilCameraTile *self)
{
  self->draw = vigil_camera_draw_new ();
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
vigil_camera_tile_new (VigilCamera *camera)
{
  VigilCameraTile *self;

  g_return_val_if_fail (VIGIL_IS_CAMERA (camera), NULL);

  self = g_object_new (VIGIL_TYPE_CAMERA_TILE, NULL);
  self->camera = g_object_ref (camera);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  vigil_camera_get_id (camera), -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), vigil_camera_get_location (camera));

  return GTK_WIDGET (self);
}

void
vigil_camera_tile_set_large (VigilCameraTile *self,
                             gboolean         large)
{
  g_return_if_fail (VIGIL_IS_CAMERA_TILE (self));

  large = !!large;
  if (self->large == large)
    return;

  self->large = large;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

VigilCamera *
vigil_camera_tile_get_camera (VigilCameraTile *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_TILE (self), NULL);

  return self->camera;
}

VigilCameraDraw *
vigil_camera_tile_get_draw (VigilCameraTile *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_TILE (self), NULL);

  return self->draw;
}
