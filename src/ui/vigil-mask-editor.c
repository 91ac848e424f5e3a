/* vigil-mask-editor.c
 *
 * The road mask editor's polygons, pointer and keys (vigil-mask-editor-draw.c draws them).
 * Vertices are kept on whole pixels: a road mask gains nothing from a finer position, and whole
 * numbers survive the JSON round trip exactly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-mask-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "vigil-mask-editor-private.h"

/* Widget pixels: how near a vertex a click must land to take it, and how far the pointer
 * must move before a press on a vertex becomes a drag. */
#define HIT_RADIUS     9.0
#define DRAG_THRESHOLD 3.0
#define BIG_STEP       10

typedef struct
{
  char   *label;
  GArray *points;   /* VigilPoint, frame pixels */
} Polygon;

G_DEFINE_FINAL_TYPE (VigilMaskEditor, vigil_mask_editor, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
polygon_free (gpointer data)
{
  Polygon *polygon = data;

  g_free (polygon->label);
  g_array_unref (polygon->points);
  g_free (polygon);
}

static Polygon *
polygon_new (const char *label)
{
  Polygon *polygon = g_new0 (Polygon, 1);

  polygon->label = g_strdup (label);
  polygon->points = g_array_new (FALSE, FALSE, sizeof (VigilPoint));
  return polygon;
}

GArray *
_vigil_mask_editor_points_of (VigilMaskEditor *self,
                              guint            index)
{
  if (index < self->polygons->len)
    return ((Polygon *) g_ptr_array_index (self->polygons, index))->points;
  g_assert (index == self->polygons->len);
  return self->drawing;
}

static void
update_accessible (VigilMaskEditor *self)
{
  g_autofree char *text = NULL;
  g_autofree char *polygons = NULL;

  /* Translators: part of the road mask editor's description for screen readers. */
  polygons = g_strdup_printf (ngettext ("%u road polygon", "%u road polygons",
                                        self->polygons->len), self->polygons->len);
  if (self->drawing->len > 0)
    /* Translators: the first %s is "N road polygons", then the vertices of the polygon being
     * drawn. */
    text = g_strdup_printf (ngettext ("%s; drawing a polygon of %u vertex",
                                      "%s; drawing a polygon of %u vertices",
                                      self->drawing->len), polygons, self->drawing->len);
  else
    text = g_strdup (polygons);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  text, -1);
}

static void
emit_changed (VigilMaskEditor *self)
{
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[CHANGED], 0);
}

/* Geometry ----------------------------------------------------------------------------------- */

/* The nearest whole pixel inside the frame. */
static VigilPoint
clamp_point (VigilMaskEditor *self,
             double           x,
             double           y)
{
  VigilPoint p;

  p.x = CLAMP (round (x), 0, MAX (self->width, 1) - 1.0);
  p.y = CLAMP (round (y), 0, MAX (self->height, 1) - 1.0);
  return p;
}

/* The vertex nearest to widget point (@x, @y) within HIT_RADIUS: the polygon being drawn
 * first, then the closed ones from the top (the last drawn). */
static gboolean
find_vertex (VigilMaskEditor *self,
             double           x,
             double           y,
             guint           *out_polygon,
             guint           *out_vertex)
{
  double best = HIT_RADIUS * HIT_RADIUS;
  gboolean found = FALSE;

  for (int i = self->polygons->len; i >= 0; i--)
    {
      GArray *points = _vigil_mask_editor_points_of (self, i);

      for (guint k = 0; k < points->len; k++)
        {
          const VigilPoint *p = &g_array_index (points, VigilPoint, k);
          double wx, wy, d;

          if (!vigil_mask_editor_frame_to_widget (self, p->x, p->y, &wx, &wy))
            return FALSE;
          d = (wx - x) * (wx - x) + (wy - y) * (wy - y);
          if (d < best)
            {
              best = d;
              *out_polygon = i;
              *out_vertex = k;
              found = TRUE;
            }
        }
      /* A vertex of the polygon being drawn wins over one of a closed polygon under it. */
      if (found && (guint) i == self->polygons->len)
        return TRUE;
    }
  return found;
}

static void
rescale (VigilMaskEditor *self,
         GArray          *points,
         double           sx,
         double           sy)
{
  for (guint k = 0; k < points->len; k++)
    {
      VigilPoint *p = &g_array_index (points, VigilPoint, k);

      /* Centre to centre, as vigil_road_shapes_rasterize() scales. */
      p->x = (p->x + 0.5) * sx - 0.5;
      p->y = (p->y + 0.5) * sy - 0.5;
    }
}

/* Editing ------------------------------------------------------------------------------------ */

gboolean
vigil_mask_editor_get_selection (VigilMaskEditor *self,
                                 guint           *polygon,
                                 guint           *vertex)
{
  g_return_val_if_fail (VIGIL_IS_MASK_EDITOR (self), FALSE);

  if (self->sel_polygon < 0)
    return FALSE;
  if (polygon != NULL)
    *polygon = self->sel_polygon;
  if (vertex != NULL)
    *vertex = self->sel_vertex;
  return TRUE;
}

gboolean
vigil_mask_editor_select (VigilMaskEditor *self,
                          guint            polygon,
                          guint            vertex)
{
  GArray *points;

  g_return_val_if_fail (VIGIL_IS_MASK_EDITOR (self), FALSE);

  if (polygon > self->polygons->len)
    return FALSE;
  points = _vigil_mask_editor_points_of (self, polygon);
  if (vertex >= points->len)
    return FALSE;
  self->sel_polygon = polygon;
  self->sel_vertex = vertex;
  /* The cursor follows the selection, so that adding from the keyboard starts there. */
  self->cursor_x = g_array_index (points, VigilPoint, vertex).x;
  self->cursor_y = g_array_index (points, VigilPoint, vertex).y;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

/* Also drops a press held on a vertex: the edits that deselect (Delete, Escape, Clear during
 * a drag) may leave its index naming another vertex, or none. */
static void
deselect (VigilMaskEditor *self)
{
  self->sel_polygon = -1;
  self->sel_vertex = 0;
  self->press_polygon = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
add_vertex (VigilMaskEditor *self,
            double           x,
            double           y)
{
  VigilPoint p = clamp_point (self, x, y);

  if (self->width == 0)
    return;
  g_array_append_val (self->drawing, p);
  self->cursor_x = p.x;
  self->cursor_y = p.y;
  deselect (self);
  emit_changed (self);
}

static gboolean
close_polygon (VigilMaskEditor *self)
{
  Polygon *polygon;

  if (self->drawing->len < 3)
    return FALSE;
  polygon = polygon_new (VIGIL_MASK_EDITOR_LABEL);
  g_array_append_vals (polygon->points, self->drawing->data, self->drawing->len);
  g_array_set_size (self->drawing, 0);
  g_ptr_array_add (self->polygons, polygon);
  deselect (self);
  emit_changed (self);
  return TRUE;
}

static gboolean
cancel (VigilMaskEditor *self)
{
  if (self->drawing->len > 0)
    {
      g_array_set_size (self->drawing, 0);
      deselect (self);
      emit_changed (self);
      return TRUE;
    }
  if (self->sel_polygon >= 0)
    {
      deselect (self);
      return TRUE;
    }
  return FALSE;
}

/* The selected vertex; without one, the last vertex of the polygon being drawn (a step back).
 * A closed polygon left with fewer than three vertices has no area: it goes too. */
static gboolean
delete_vertex (VigilMaskEditor *self)
{
  guint polygon, vertex;
  GArray *points;

  if (self->sel_polygon >= 0)
    {
      polygon = self->sel_polygon;
      vertex = self->sel_vertex;
    }
  else if (self->drawing->len > 0)
    {
      polygon = self->polygons->len;
      vertex = self->drawing->len - 1;
    }
  else
    return FALSE;

  points = _vigil_mask_editor_points_of (self, polygon);
  g_array_remove_index (points, vertex);
  deselect (self);
  if (polygon < self->polygons->len && points->len < 3)
    g_ptr_array_remove_index (self->polygons, polygon);
  else if (points->len > 0)
    /* The vertex before it, so that repeated presses go on removing. */
    vigil_mask_editor_select (self, polygon, vertex > 0 ? vertex - 1 : points->len - 1);
  emit_changed (self);
  return TRUE;
}

static void
move_vertex_to (VigilMaskEditor *self,
                guint            polygon,
                guint            vertex,
                double           x,
                double           y)
{
  GArray *points = _vigil_mask_editor_points_of (self, polygon);
  VigilPoint *p = &g_array_index (points, VigilPoint, vertex);

  *p = clamp_point (self, x, y);
  vigil_mask_editor_select (self, polygon, vertex);
}

static void
move (VigilMaskEditor *self,
      int              dx,
      int              dy)
{
  if (self->sel_polygon >= 0)
    {
      GArray *points = _vigil_mask_editor_points_of (self, self->sel_polygon);
      const VigilPoint *p = &g_array_index (points, VigilPoint, self->sel_vertex);

      move_vertex_to (self, self->sel_polygon, self->sel_vertex, p->x + dx, p->y + dy);
      emit_changed (self);
      return;
    }
  vigil_mask_editor_set_cursor (self, self->cursor_x + dx, self->cursor_y + dy);
}

/* Selects the next (or previous) vertex over every polygon, the one being drawn last. FALSE
 * when that goes past either end: the selection is dropped and the focus may move on. */
static gboolean
cycle (VigilMaskEditor *self,
       gboolean         forward)
{
  guint n_lists = self->polygons->len + 1;
  int polygon = self->sel_polygon;
  int vertex = self->sel_vertex;

  for (;;)
    {
      if (polygon < 0)
        {
          polygon = forward ? 0 : (int) n_lists - 1;
          vertex = forward ? -1 : (int) _vigil_mask_editor_points_of (self, polygon)->len;
        }
      vertex += forward ? 1 : -1;
      if (vertex >= 0 && (guint) vertex < _vigil_mask_editor_points_of (self, polygon)->len)
        return vigil_mask_editor_select (self, polygon, vertex);

      polygon += forward ? 1 : -1;
      if (polygon < 0 || (guint) polygon >= n_lists)
        {
          deselect (self);
          return FALSE;
        }
      vertex = forward ? -1 : (int) _vigil_mask_editor_points_of (self, polygon)->len;
    }
}

void
vigil_mask_editor_clear (VigilMaskEditor *self)
{
  g_return_if_fail (VIGIL_IS_MASK_EDITOR (self));

  if (self->polygons->len == 0 && self->drawing->len == 0)
    return;
  g_ptr_array_set_size (self->polygons, 0);
  g_array_set_size (self->drawing, 0);
  deselect (self);
  emit_changed (self);
}

void
vigil_mask_editor_click (VigilMaskEditor *self,
                         double           x,
                         double           y)
{
  guint polygon, vertex;
  double fx, fy;

  g_return_if_fail (VIGIL_IS_MASK_EDITOR (self));

  if (!vigil_mask_editor_widget_to_frame (self, x, y, &fx, &fy))
    return;
  if (find_vertex (self, x, y, &polygon, &vertex))
    {
      if (polygon == self->polygons->len && vertex == 0 && self->drawing->len >= 3)
        close_polygon (self);
      else
        vigil_mask_editor_select (self, polygon, vertex);
      return;
    }
  add_vertex (self, fx, fy);
}

void
vigil_mask_editor_drag (VigilMaskEditor *self,
                        double           x,
                        double           y,
                        double           to_x,
                        double           to_y)
{
  guint polygon, vertex;
  double fx, fy;

  g_return_if_fail (VIGIL_IS_MASK_EDITOR (self));

  if (!find_vertex (self, x, y, &polygon, &vertex) ||
      !vigil_mask_editor_widget_to_frame (self, to_x, to_y, &fx, &fy))
    return;
  move_vertex_to (self, polygon, vertex, fx, fy);
  emit_changed (self);
}

void
vigil_mask_editor_get_cursor (VigilMaskEditor *self,
                              double          *x,
                              double          *y)
{
  g_return_if_fail (VIGIL_IS_MASK_EDITOR (self));

  *x = self->cursor_x;
  *y = self->cursor_y;
}

void
vigil_mask_editor_set_cursor (VigilMaskEditor *self,
                              double           x,
                              double           y)
{
  VigilPoint p;

  g_return_if_fail (VIGIL_IS_MASK_EDITOR (self));

  p = clamp_point (self, x, y);
  self->cursor_x = p.x;
  self->cursor_y = p.y;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
vigil_mask_editor_get_n_polygons (VigilMaskEditor *self)
{
  g_return_val_if_fail (VIGIL_IS_MASK_EDITOR (self), 0);

  return self->polygons->len;
}

guint
vigil_mask_editor_get_n_drawing (VigilMaskEditor *self)
{
  g_return_val_if_fail (VIGIL_IS_MASK_EDITOR (self), 0);

  return self->drawing->len;
}

/* Frame and shapes --------------------------------------------------------------------------- */

static void
set_size (VigilMaskEditor *self,
          guint            width,
          guint            height)
{
  gboolean had_size = self->width > 0 && self->height > 0;

  if (width == self->width && height == self->height)
    return;
  if (had_size)
    {
      double sx = (double) width / self->width, sy = (double) height / self->height;

      for (guint i = 0; i < self->polygons->len; i++)
        rescale (self, _vigil_mask_editor_points_of (self, i), sx, sy);
      rescale (self, self->drawing, sx, sy);
      self->cursor_x = (self->cursor_x + 0.5) * sx - 0.5;
      self->cursor_y = (self->cursor_y + 0.5) * sy - 0.5;
    }
  self->width = width;
  self->height = height;
  if (!had_size)
    {
      self->cursor_x = floor (width / 2.0);
      self->cursor_y = floor (height / 2.0);
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
vigil_mask_editor_set_frame (VigilMaskEditor *self,
                             VigilFrame      *frame)
{
  g_return_if_fail (VIGIL_IS_MASK_EDITOR (self));

  if (frame == self->frame)
    return;
  g_clear_pointer (&self->frame, vigil_frame_unref);
  g_clear_object (&self->texture);
  if (frame != NULL && frame->width > 0 && frame->height > 0)
    {
      self->frame = vigil_frame_ref (frame);
      self->texture = _vigil_mask_editor_texture_from_frame (frame);
      set_size (self, frame->width, frame->height);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

GdkTexture *
vigil_mask_editor_get_texture (VigilMaskEditor *self)
{
  g_return_val_if_fail (VIGIL_IS_MASK_EDITOR (self), NULL);

  return self->texture;
}

void
vigil_mask_editor_set_shapes (VigilMaskEditor       *self,
                              const VigilRoadShapes *shapes)
{
  g_return_if_fail (VIGIL_IS_MASK_EDITOR (self));

  g_ptr_array_set_size (self->polygons, 0);
  g_array_set_size (self->drawing, 0);
  deselect (self);
  if (shapes != NULL)
    {
      double sx = 1, sy = 1;

      if (self->width == 0 && shapes->width > 0 && shapes->height > 0)
        set_size (self, shapes->width, shapes->height);
      else if (shapes->width > 0 && shapes->height > 0)
        {
          sx = (double) self->width / shapes->width;
          sy = (double) self->height / shapes->height;
        }
      for (guint i = 0; i < shapes->polygons->len; i++)
        {
          const VigilRoadPolygon *from = g_ptr_array_index (shapes->polygons, i);
          Polygon *polygon = polygon_new (from->label);

          g_array_append_vals (polygon->points, from->points->data, from->points->len);
          if (sx != 1 || sy != 1)
            rescale (self, polygon->points, sx, sy);
          g_ptr_array_add (self->polygons, polygon);
        }
    }
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

VigilRoadShapes *
vigil_mask_editor_dup_shapes (VigilMaskEditor *self)
{
  VigilRoadShapes *shapes;

  g_return_val_if_fail (VIGIL_IS_MASK_EDITOR (self), NULL);

  shapes = vigil_road_shapes_new (self->width, self->height);
  for (guint i = 0; i < self->polygons->len; i++)
    {
      const Polygon *polygon = g_ptr_array_index (self->polygons, i);

      vigil_road_shapes_add (shapes, polygon->label, (const double *) polygon->points->data,
                             polygon->points->len);
    }
  return shapes;
}

static void
vigil_mask_editor_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 240 : 135;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 640 : 360;
}

/* Input -------------------------------------------------------------------------------------- */

static void
on_drag_begin (GtkGestureDrag  *gesture,
               double           x,
               double           y,
               VigilMaskEditor *self)
{
  guint polygon, vertex;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->dragging = FALSE;
  self->press_polygon = -1;
  if (find_vertex (self, x, y, &polygon, &vertex))
    {
      self->press_polygon = polygon;
      self->press_vertex = vertex;
    }
}

static void
on_drag_update (GtkGestureDrag  *gesture,
                double           dx,
                double           dy,
                VigilMaskEditor *self)
{
  double x, y, fx, fy;

  if (self->press_polygon < 0)
    return;
  if (!self->dragging && hypot (dx, dy) < DRAG_THRESHOLD)
    return;
  self->dragging = TRUE;
  gtk_gesture_drag_get_start_point (gesture, &x, &y);
  if (vigil_mask_editor_widget_to_frame (self, x + dx, y + dy, &fx, &fy))
    move_vertex_to (self, self->press_polygon, self->press_vertex, fx, fy);
}

static void
on_drag_end (GtkGestureDrag  *gesture,
             double           dx,
             double           dy,
             VigilMaskEditor *self)
{
  double x, y;

  if (self->dragging)
    emit_changed (self);
  else
    {
      gtk_gesture_drag_get_start_point (gesture, &x, &y);
      vigil_mask_editor_click (self, x, y);
    }
  self->dragging = FALSE;
  self->press_polygon = -1;
}

/* A secondary click on a vertex deletes it: the pointer's way to what Delete does. */
static void
on_secondary_pressed (GtkGestureClick *gesture,
                      int              n_press,
                      double           x,
                      double           y,
                      VigilMaskEditor *self)
{
  guint polygon, vertex;

  if (find_vertex (self, x, y, &polygon, &vertex))
    {
      vigil_mask_editor_select (self, polygon, vertex);
      delete_vertex (self);
    }
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           VigilMaskEditor          *self)
{
  self->hovering = TRUE;
  self->hover_x = x;
  self->hover_y = y;
  if (self->drawing->len > 0)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *controller,
          VigilMaskEditor          *self)
{
  self->hovering = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_focus_changed (VigilMaskEditor *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Keys and actions --------------------------------------------------------------------------- */

typedef enum
{
  OP_ADD,
  OP_CLOSE,
  OP_CANCEL,
  OP_DELETE,
  OP_MOVE,
  OP_NEXT,
  OP_PREVIOUS,
  OP_CLEAR,
} Op;

static const char *const op_actions[] = {
  "editor.add-vertex", "editor.close-polygon", "editor.cancel", "editor.delete-vertex",
  "editor.move", "editor.next-vertex", "editor.previous-vertex", "editor.clear",
};

/* FALSE when there was nothing to do, so that a key binding lets the key go on: Escape may
 * still close a dialog, and Tab move the focus on past the last vertex. */
static gboolean
run (VigilMaskEditor *self,
     Op               op,
     int              dx,
     int              dy)
{
  switch (op)
    {
    case OP_ADD:
      add_vertex (self, self->cursor_x, self->cursor_y);
      return self->width > 0;
    case OP_CLOSE:
      return close_polygon (self);
    case OP_CANCEL:
      return cancel (self);
    case OP_DELETE:
      return delete_vertex (self);
    case OP_MOVE:
      if (self->width > 0)
        move (self, dx, dy);
      return self->width > 0;
    case OP_NEXT:
    case OP_PREVIOUS:
      return cycle (self, op == OP_NEXT);
    case OP_CLEAR:
      vigil_mask_editor_clear (self);
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
on_key (GtkWidget *widget,
        GVariant  *args,
        gpointer   data)
{
  guint op;
  int dx, dy;

  g_variant_get (args, "(uii)", &op, &dx, &dy);
  return run (VIGIL_MASK_EDITOR (widget), op, dx, dy);
}

static void
activate_action (GtkWidget  *widget,
                 const char *name,
                 GVariant   *parameter)
{
  int dx = 0, dy = 0;

  if (parameter != NULL)
    g_variant_get (parameter, "(ii)", &dx, &dy);
  for (guint op = 0; op < G_N_ELEMENTS (op_actions); op++)
    if (g_str_equal (name, op_actions[op]))
      run (VIGIL_MASK_EDITOR (widget), op, dx, dy);
}

static void
bind_keys (GtkWidgetClass *widget_class)
{
  static const struct
  {
    guint keyval;
    guint mods;
    Op    op;
    int   dx;
    int   dy;
  } keys[] = {
    { GDK_KEY_space, 0, OP_ADD }, { GDK_KEY_Insert, 0, OP_ADD }, { GDK_KEY_KP_Insert, 0, OP_ADD },
    { GDK_KEY_Return, 0, OP_CLOSE }, { GDK_KEY_KP_Enter, 0, OP_CLOSE },
    { GDK_KEY_Escape, 0, OP_CANCEL },
    { GDK_KEY_Delete, 0, OP_DELETE }, { GDK_KEY_KP_Delete, 0, OP_DELETE },
    { GDK_KEY_BackSpace, 0, OP_DELETE },
    { GDK_KEY_Delete, GDK_CONTROL_MASK, OP_CLEAR },
    { GDK_KEY_Tab, 0, OP_NEXT }, { GDK_KEY_KP_Tab, 0, OP_NEXT },
    { GDK_KEY_Tab, GDK_SHIFT_MASK, OP_PREVIOUS },
    { GDK_KEY_ISO_Left_Tab, GDK_SHIFT_MASK, OP_PREVIOUS },
    { GDK_KEY_Left, 0, OP_MOVE, -1, 0 }, { GDK_KEY_KP_Left, 0, OP_MOVE, -1, 0 },
    { GDK_KEY_Right, 0, OP_MOVE, 1, 0 }, { GDK_KEY_KP_Right, 0, OP_MOVE, 1, 0 },
    { GDK_KEY_Up, 0, OP_MOVE, 0, -1 }, { GDK_KEY_KP_Up, 0, OP_MOVE, 0, -1 },
    { GDK_KEY_Down, 0, OP_MOVE, 0, 1 }, { GDK_KEY_KP_Down, 0, OP_MOVE, 0, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      gtk_widget_class_add_binding (widget_class, keys[i].keyval, keys[i].mods, on_key,
                                    "(uii)", keys[i].op, keys[i].dx, keys[i].dy);
      /* Shift+arrows move by BIG_STEP pixels. */
      if (keys[i].op == OP_MOVE)
        gtk_widget_class_add_binding (widget_class, keys[i].keyval, GDK_SHIFT_MASK, on_key,
                                      "(uii)", OP_MOVE, keys[i].dx * BIG_STEP,
                                      keys[i].dy * BIG_STEP);
    }
  for (guint op = 0; op < G_N_ELEMENTS (op_actions); op++)
    gtk_widget_class_install_action (widget_class, op_actions[op],
                                     op == OP_MOVE ? "(ii)" : NULL, activate_action);
}

/* Class -------------------------------------------------------------------------------------- */

static void
vigil_mask_editor_dispose (GObject *object)
{
  VigilMaskEditor *self = VIGIL_MASK_EDITOR (object);

  g_clear_object (&self->texture);
  g_clear_pointer (&self->frame, vigil_frame_unref);

  G_OBJECT_CLASS (vigil_mask_editor_parent_class)->dispose (object);
}

static void
vigil_mask_editor_finalize (GObject *object)
{
  VigilMaskEditor *self = VIGIL_MASK_EDITOR (object);

  g_ptr_array_unref (self->polygons);
  g_array_unref (self->drawing);

  G_OBJECT_CLASS (vigil_mask_editor_parent_class)->finalize (object);
}

static void
vigil_mask_editor_class_init (VigilMaskEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vigil_mask_editor_dispose;
  object_class->finalize = vigil_mask_editor_finalize;
  widget_class->snapshot = _vigil_mask_editor_snapshot;
  widget_class->measure = vigil_mask_editor_measure;

  /* The polygons changed: closed ones or the one being drawn. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  bind_keys (widget_class);

  gtk_widget_class_set_css_name (widget_class, "mask-editor");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_WIDGET);
}

static void
vigil_mask_editor_init (VigilMaskEditor *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkGesture *secondary = gtk_gesture_click_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();

  self->polygons = g_ptr_array_new_with_free_func (polygon_free);
  self->drawing = g_array_new (FALSE, FALSE, sizeof (VigilPoint));
  self->sel_polygon = -1;
  self->press_polygon = -1;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focus_on_click (GTK_WIDGET (self), TRUE);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (secondary), GDK_BUTTON_SECONDARY);
  g_signal_connect (secondary, "pressed", G_CALLBACK (on_secondary_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (secondary));

  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  g_signal_connect_swapped (focus, "enter", G_CALLBACK (on_focus_changed), self);
  g_signal_connect_swapped (focus, "leave", G_CALLBACK (on_focus_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Road mask editor"),
                                  -1);
  update_accessible (self);
}

GtkWidget *
vigil_mask_editor_new (void)
{
  return g_object_new (VIGIL_TYPE_MASK_EDITOR, NULL);
}
