/* vigil-mask-editor.h
 *
 * A polygon editor for a camera's road mask, drawn over the camera's frame: polygons are
 * drawn by clicking vertices (or from the keyboard, at a cursor moved with the arrow keys),
 * closed on their first vertex or with Enter, and their vertices dragged, nudged, cycled
 * with Tab and deleted. Coordinates are kept in pixels of the source frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "vigil-road-mask.h"
#include "vigil-traffic.h"

G_BEGIN_DECLS

#define VIGIL_TYPE_MASK_EDITOR (vigil_mask_editor_get_type ())
G_DECLARE_FINAL_TYPE (VigilMaskEditor, vigil_mask_editor, VIGIL, MASK_EDITOR, GtkWidget)

/* The label of the polygons the editor draws (vigil_road_shapes_load() keeps it). */
#define VIGIL_MASK_EDITOR_LABEL "road"

GtkWidget       *vigil_mask_editor_new            (void);

/* The frame under the polygons (a new reference is kept; NULL shows none). When its size
 * differs from the previous frame's, the polygons are scaled with it. */
void             vigil_mask_editor_set_frame      (VigilMaskEditor       *self,
                                                   VigilFrame            *frame);
/* The frame as a texture, as drawn; NULL without one. */
GdkTexture      *vigil_mask_editor_get_texture    (VigilMaskEditor       *self);
/* Replaces the polygons (none for NULL), scaled from the shapes' size to the frame's when
 * both are known. The polygon being drawn is dropped. Does not emit ::changed. */
void             vigil_mask_editor_set_shapes     (VigilMaskEditor       *self,
                                                   const VigilRoadShapes *shapes);
/* The closed polygons in pixels of the frame, with the frame's size (or the size the shapes
 * were set with, before any frame). */
VigilRoadShapes *vigil_mask_editor_dup_shapes     (VigilMaskEditor       *self);
guint            vigil_mask_editor_get_n_polygons (VigilMaskEditor       *self);
/* Vertices of the polygon being drawn, 0 when none is. */
guint            vigil_mask_editor_get_n_drawing  (VigilMaskEditor       *self);

/* The selected vertex: @polygon is its closed polygon's index, or the number of closed
 * polygons for the polygon being drawn. FALSE when none is selected. */
gboolean         vigil_mask_editor_get_selection  (VigilMaskEditor       *self,
                                                   guint                 *polygon,
                                                   guint                 *vertex);
gboolean         vigil_mask_editor_select         (VigilMaskEditor       *self,
                                                   guint                  polygon,
                                                   guint                  vertex);
/* The keyboard cursor, in frame pixels: where "editor.add-vertex" adds a vertex. */
void             vigil_mask_editor_get_cursor     (VigilMaskEditor       *self,
                                                   double                *x,
                                                   double                *y);
void             vigil_mask_editor_set_cursor     (VigilMaskEditor       *self,
                                                   double                 x,
                                                   double                 y);

/* Where a frame pixel is drawn in the widget, and back; FALSE without a frame size or a
 * widget size. */
gboolean         vigil_mask_editor_frame_to_widget (VigilMaskEditor      *self,
                                                    double                x,
                                                    double                y,
                                                    double               *out_x,
                                                    double               *out_y);
gboolean         vigil_mask_editor_widget_to_frame (VigilMaskEditor      *self,
                                                    double                x,
                                                    double                y,
                                                    double               *out_x,
                                                    double               *out_y);

/* What the pointer does, in widget coordinates: a primary click at (@x, @y) selects the
 * vertex there, closes the polygon being drawn on its first vertex, or adds a vertex to it;
 * a drag from (@x, @y) to (@to_x, @to_y) moves the vertex under (@x, @y), if any. The
 * gestures call these. */
void             vigil_mask_editor_click          (VigilMaskEditor       *self,
                                                   double                 x,
                                                   double                 y);
void             vigil_mask_editor_drag           (VigilMaskEditor       *self,
                                                   double                 x,
                                                   double                 y,
                                                   double                 to_x,
                                                   double                 to_y);

/* Removes every polygon, drawn or being drawn ("editor.clear"). */
void             vigil_mask_editor_clear          (VigilMaskEditor       *self);

/* The keyboard's actions, also bound to keys:
 *   editor.add-vertex      Space, Insert   a vertex at the cursor
 *   editor.close-polygon   Enter           closes the polygon being drawn (3 vertices or more)
 *   editor.cancel          Escape          drops the polygon being drawn, else the selection
 *   editor.delete-vertex   Delete, BackSpace
 *   editor.move  (ii)      arrows (by 1 pixel), Shift+arrows (by 10): the selected vertex,
 *                          else the cursor
 *   editor.next-vertex     Tab, Shift+Tab (editor.previous-vertex): past the last vertex, the
 *                          focus moves on
 *   editor.clear           Ctrl+Delete
 */

G_END_DECLS
