/* vigil-road-mask.h
 *
 * Where the road is, per camera: polygons from labelme JSON (Vigil saves its own polygons in the
 * same format), or a PNG mask, rasterised to the stream's size as a GRAY8 frame (255 = road,
 * 0 = elsewhere), with a small cache so that each camera loads its mask once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "vigil-traffic.h"

G_BEGIN_DECLS

typedef struct
{
  double x;
  double y;
} VigilPoint;

/* One polygon: its label and its vertices (VigilPoint), in pixels of the frame it was drawn on. */
typedef struct
{
  char   *label;
  GArray *points;
} VigilRoadPolygon;

/* A set of road polygons and the size of the frame they were drawn on (0 x 0 when the file
 * does not say). */
typedef struct
{
  guint      width;
  guint      height;
  GPtrArray *polygons;   /* VigilRoadPolygon */
} VigilRoadShapes;

VigilRoadShapes *vigil_road_shapes_new  (guint             width,
                                         guint             height);
void             vigil_road_shapes_free (VigilRoadShapes  *shapes);
/* Adds a polygon of @n_points vertices (x0, y0, x1, y1, ...). */
void             vigil_road_shapes_add  (VigilRoadShapes  *shapes,
                                         const char       *label,
                                         const double     *xy,
                                         guint             n_points);

/* Reads a labelme JSON file and keeps the shapes labelled "road" or @camera_id (may be NULL):
 * polygons, and rectangles (two corners) as four-point polygons. Fails with
 * VIGIL_ENGINE_ERROR_IO or _PARSE naming the file and what is wrong (not JSON, no "shapes",
 * a shape without points, a point that is not two numbers, fewer than three points, a shape
 * type that has no area, or no shape for the road or the camera at all). */
VigilRoadShapes *vigil_road_shapes_load (const char       *path,
                                         const char       *camera_id,
                                         GError          **error);
/* Writes labelme JSON (version, imageWidth/imageHeight when known, shapes with label, points,
 * shape_type "polygon"), the format vigil_road_shapes_load() reads back. */
gboolean         vigil_road_shapes_save (const VigilRoadShapes *shapes,
                                         const char       *path,
                                         GError          **error);

/* Rasterises the union of the polygons to a @width x @height GRAY8 frame as labelme makes its
 * masks (PIL's polygon fill): points are pixel-centre coordinates (pixel x covers
 * [x - 0.5, x + 0.5)); a pixel is road when it lies on a row span between a pair of edge
 * crossings (even-odd inside each polygon), spans rounded outwards to the nearest pixel, so the
 * boundary's pixels are road. Points are scaled (centre to centre) from the shapes' size to
 * @width x @height; shapes without a size are taken as drawn on @drawn_width x @drawn_height,
 * or on @width x @height when those are 0. */
VigilFrame      *vigil_road_shapes_rasterize (const VigilRoadShapes *shapes,
                                              guint             width,
                                              guint             height,
                                              guint             drawn_width,
                                              guint             drawn_height);

/* Loads any road mask file as a @width x @height GRAY8 frame: labelme JSON (see above; the
 * file's imageWidth/imageHeight, else @drawn_width x @drawn_height, else the stream's size) or
 * an image whose non-zero pixels are road (scaled by nearest pixel centre when its size
 * differs). A mask without a single road pixel is an error too: it would silently count
 * nothing. */
VigilFrame      *vigil_road_mask_load (const char       *path,
                                       const char       *camera_id,
                                       guint             width,
                                       guint             height,
                                       guint             drawn_width,
                                       guint             drawn_height,
                                       GError          **error);

/* Road pixels of a mask frame (non-zero bytes). */
guint64          vigil_road_mask_count (VigilFrame      *mask);

/* Masks by (file, camera, size), reloaded when the file changes (its modification time, size
 * or inode: a file saved by replacing it), the least recently used dropped beyond @capacity.
 * Thread-safe. */
typedef struct _VigilRoadMaskCache VigilRoadMaskCache;

VigilRoadMaskCache *vigil_road_mask_cache_new  (guint                capacity);
void                vigil_road_mask_cache_free (VigilRoadMaskCache  *cache);
/* As vigil_road_mask_load(); returns a new reference to the cached frame. */
VigilFrame         *vigil_road_mask_cache_get  (VigilRoadMaskCache  *cache,
                                                const char          *path,
                                                const char          *camera_id,
                                                guint                width,
                                                guint                height,
                                                guint                drawn_width,
                                                guint                drawn_height,
                                                GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilRoadShapes, vigil_road_shapes_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilRoadMaskCache, vigil_road_mask_cache_free)

G_END_DECLS
