/* vigil-mask-editor-private.h
 *
 * What the parts of VigilMaskEditor share: the widget's state (vigil-mask-editor.c: the
 * polygons, pointer and keys; vigil-mask-editor-draw.c: the mapping between frame and widget,
 * and the drawing).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vigil-mask-editor.h"

G_BEGIN_DECLS

struct _VigilMaskEditor
{
  GtkWidget   parent_instance;

  /* Owned */
  VigilFrame *frame;
  GdkTexture *texture;
  GPtrArray  *polygons;       /* Polygon (vigil-mask-editor.c), closed */
  GArray     *drawing;        /* VigilPoint: the polygon being drawn */

  guint       width;          /* the frame's size, or the shapes' before a frame; 0: none */
  guint       height;
  int         sel_polygon;    /* -1: no selection; polygons->len: the one being drawn */
  guint       sel_vertex;
  double      cursor_x;       /* the keyboard cursor, frame pixels */
  double      cursor_y;

  /* The pointer, widget coordinates */
  gboolean    hovering;
  double      hover_x;
  double      hover_y;
  int         press_polygon;  /* the vertex a press landed on, -1: none */
  guint       press_vertex;
  gboolean    dragging;
};

/* The vertices of polygon @index, the one being drawn for polygons->len. */
GArray     *_vigil_mask_editor_points_of          (VigilMaskEditor *self,
                                                   guint            index);
GdkTexture *_vigil_mask_editor_texture_from_frame (VigilFrame      *frame);
void        _vigil_mask_editor_snapshot           (GtkWidget       *widget,
                                                   GtkSnapshot     *snapshot);

G_END_DECLS
