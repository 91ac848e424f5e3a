/* vigil-camera-tile.h
 *
 * One camera, live: its latest analysed frame with the road mask, the vehicles and the
 * badges (vigil-camera-draw.h), and its name. Read on the frame clock while shown; redrawn
 * only when the camera's snapshot changed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "vigil-camera-draw.h"
#include "vigil-camera.h"

G_BEGIN_DECLS

#define VIGIL_TYPE_CAMERA_TILE (vigil_camera_tile_get_type ())
G_DECLARE_FINAL_TYPE (VigilCameraTile, vigil_camera_tile, VIGIL, CAMERA_TILE, GtkWidget)

GtkWidget       *vigil_camera_tile_new        (VigilCamera     *camera);
VigilCamera     *vigil_camera_tile_get_camera (VigilCameraTile *self);
/* What the tile shows (its snapshot and badges). */
VigilCameraDraw *vigil_camera_tile_get_draw   (VigilCameraTile *self);
/* The camera view's look: larger labels and badges, no name (the view shows it). */
void             vigil_camera_tile_set_large  (VigilCameraTile *self,
                                               gboolean         large);
/* Reads the camera now, as the frame clock would; TRUE if the snapshot changed. */
gboolean         vigil_camera_tile_update     (VigilCameraTile *self);

G_END_DECLS
