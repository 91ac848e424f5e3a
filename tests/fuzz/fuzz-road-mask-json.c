/* fuzz-road-mask-json.c
 *
 * Road masks drawn in labelme JSON (vigil-road-mask.c). The input is the file. Shapes that
 * load are polygons of at least three finite points, save and load again to the same shapes,
 * and rasterise to a frame of the size asked; a refusal is an IO or PARSE error naming the
 * file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "vigil-road-mask.h"

#include "fuzz-common.h"

static const int mask_codes[] = { VIGIL_ENGINE_ERROR_IO, VIGIL_ENGINE_ERROR_PARSE, -1 };

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  return 0;
}

static void
check_same_shapes (const VigilRoadShapes *a,
                   const VigilRoadShapes *b)
{
  FUZZ_CHECK (a->width == b->width && a->height == b->height);
  FUZZ_CHECK (a->polygons->len == b->polygons->len);
  for (guint i = 0; i < a->polygons->len; i++)
    {
      const VigilRoadPolygon *pa = g_ptr_array_index (a->polygons, i);
      const VigilRoadPolygon *pb = g_ptr_array_index (b->polygons, i);

      FUZZ_CHECK (strcmp (pa->label, pb->label) == 0);
      FUZZ_CHECK (pa->points->len == pb->points->len);
      for (guint k = 0; k < pa->points->len; k++)
        {
          VigilPoint *qa = &g_array_index (pa->points, VigilPoint, k);
          VigilPoint *qb = &g_array_index (pb->points, VigilPoint, k);

          FUZZ_CHECK (qa->x == qb->x && qa->y == qb->y);
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(VigilRoadShapes) shapes = NULL;
  g_autoptr(VigilRoadShapes) again = NULL;
  g_autoptr(VigilFrame) frame = NULL;
  g_autoptr(VigilFrame) mask = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fuzz_write_file ("mask.json", data, size);
  g_autofree char *saved = g_build_filename (fuzz_scratch_dir (), "saved.json", NULL);

  shapes = vigil_road_shapes_load (path, "cam-1", &error);
  if (shapes == NULL)
    {
      fuzz_check_error (error, "mask.json", mask_codes);
      return 0;
    }

  FUZZ_CHECK (shapes->polygons->len > 0);
  for (guint i = 0; i < shapes->polygons->len; i++)
    {
      const VigilRoadPolygon *polygon = g_ptr_array_index (shapes->polygons, i);

      FUZZ_CHECK (polygon->label != NULL && g_utf8_validate (polygon->label, -1, NULL));
      FUZZ_CHECK (strcmp (polygon->label, "road") == 0 || strcmp (polygon->label, "cam-1") == 0);
      FUZZ_CHECK (polygon->points->len >= 3);
      for (guint k = 0; k < polygon->points->len; k++)
        {
          VigilPoint *p = &g_array_index (polygon->points, VigilPoint, k);

          FUZZ_CHECK (isfinite (p->x) && isfinite (p->y));
        }
    }

  FUZZ_CHECK (vigil_road_shapes_save (shapes, saved, &error));
  again = vigil_road_shapes_load (saved, "cam-1", &error);
  if (again == NULL)
    fprintf (stderr, "saved shapes refused: %s\n", error->message);
  FUZZ_CHECK (again != NULL);
  check_same_shapes (shapes, again);

  /* Small frames: the point is the arithmetic, not the pixels. */
  frame = vigil_road_shapes_rasterize (shapes, 40, 30, 0, 0);
  FUZZ_CHECK (frame != NULL && frame->width == 40 && frame->height == 30);
  FUZZ_CHECK (frame->format == VIGIL_FRAME_GRAY8);
  for (guint y = 0; y < frame->height; y++)
    for (guint x = 0; x < frame->width; x++)
      FUZZ_CHECK (frame->data[(gsize) y * frame->stride + x] == 0 ||
                  frame->data[(gsize) y * frame->stride + x] == 255);

  mask = vigil_road_mask_load (path, "cam-1", 40, 30, 64, 48, &error);
  if (mask == NULL)
    fuzz_check_error (error, "mask.json", mask_codes);
  else
    {
      FUZZ_CHECK (mask->width == 40 && mask->height == 30);
      FUZZ_CHECK (vigil_road_mask_count (mask) > 0);
    }
  return 0;
}
