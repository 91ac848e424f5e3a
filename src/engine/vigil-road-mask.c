/* vigil-road-mask.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-road-mask"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "vigil-error.h"
#include "vigil-image.h"
#include "vigil-road-mask.h"

static void
polygon_free (gpointer data)
{
  VigilRoadPolygon *polygon = data;

  g_free (polygon->label);
  g_array_unref (polygon->points);
  g_free (polygon);
}

VigilRoadShapes *
vigil_road_shapes_new (guint width,
                       guint height)
{
  VigilRoadShapes *shapes = g_new0 (VigilRoadShapes, 1);

  shapes->width = width;
  shapes->height = height;
  shapes->polygons = g_ptr_array_new_with_free_func (polygon_free);
  return shapes;
}

void
vigil_road_shapes_free (VigilRoadShapes *shapes)
{
  if (shapes == NULL)
    return;
  g_ptr_array_unref (shapes->polygons);
  g_free (shapes);
}

void
vigil_road_shapes_add (VigilRoadShapes *shapes,
                       const char      *label,
                       const double    *xy,
                       guint            n_points)
{
  VigilRoadPolygon *polygon;

  g_return_if_fail (shapes != NULL);
  g_return_if_fail (label != NULL);
  g_return_if_fail (xy != NULL || n_points == 0);

  polygon = g_new0 (VigilRoadPolygon, 1);
  polygon->label = g_strdup (label);
  polygon->points = g_array_sized_new (FALSE, FALSE, sizeof (VigilPoint), n_points);
  for (guint i = 0; i < n_points; i++)
    {
      VigilPoint p = { xy[2 * i], xy[2 * i + 1] };

      g_array_append_val (polygon->points, p);
    }
  g_ptr_array_add (shapes->polygons, polygon);
}

static gboolean
fail (GError     **error,
      const char  *path,
      const char  *format,
      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError     **error,
      const char  *path,
      const char  *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE, "%s: %s", path, message);
  return FALSE;
}

static gboolean
read_point (JsonNode   *node,
            VigilPoint *out)
{
  JsonArray *pair;
  JsonNode *x, *y;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  pair = json_node_get_array (node);
  if (json_array_get_length (pair) != 2)
    return FALSE;
  x = json_array_get_element (pair, 0);
  y = json_array_get_element (pair, 1);
  if (!JSON_NODE_HOLDS_VALUE (x) || !JSON_NODE_HOLDS_VALUE (y) ||
      (json_node_get_value_type (x) != G_TYPE_INT64 &&
       json_node_get_value_type (x) != G_TYPE_DOUBLE) ||
      (json_node_get_value_type (y) != G_TYPE_INT64 &&
       json_node_get_value_type (y) != G_TYPE_DOUBLE))
    return FALSE;
  out->x = json_node_get_double (x);
  out->y = json_node_get_double (y);
  return isfinite (out->x) && isfinite (out->y);
}

static gboolean
read_size (JsonObject *root,
           const char *member,
           guint      *out)
{
  JsonNode *node = json_object_get_member (root, member);
  gint64 value;

  *out = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  value = json_node_get_int (node);
  if (value < 1 || value > 16384)
    return FALSE;
  *out = (guint) value;
  return TRUE;
}

/* One shape of the "shapes" array: FALSE with @error set when it is malformed; TRUE with
 * nothing added when its label is neither "road" nor the camera's. */
static gboolean
read_shape (VigilRoadShapes  *shapes,
            JsonNode         *node,
            guint             index,
            const char       *camera_id,
            const char       *path,
            GError          **error)
{
  JsonObject *shape;
  const char *label, *type;
  JsonArray *points;
  g_autoptr(GArray) xy = g_array_new (FALSE, FALSE, sizeof (double));
  guint n;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, path, "shape %u is not an object", index + 1);
  shape = json_node_get_object (node);
  label = json_object_get_string_member_with_default (shape, "label", NULL);
  if (label == NULL)
    return fail (error, path, "shape %u has no \"label\" string", index + 1);
  if (strcmp (label, "road") != 0 && (camera_id == NULL || strcmp (label, camera_id) != 0))
    return TRUE;

  type = json_object_get_string_member_with_default (shape, "shape_type", "polygon");
  if (!json_object_has_member (shape, "points") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (shape, "points")))
    return fail (error, path, "shape %u (\"%s\") has no \"points\" array", index + 1, label);
  points = json_object_get_array_member (shape, "points");
  n = json_array_get_length (points);
  for (guint i = 0; i < n; i++)
    {
      VigilPoint p;

      if (!read_point (json_array_get_element (points, i), &p))
        return fail (error, path, "shape %u (\"%s\"), point %u is not a pair of numbers [x, y]",
                     index + 1, label, i + 1);
      g_array_append_val (xy, p.x);
      g_array_append_val (xy, p.y);
    }

  if (strcmp (type, "rectangle") == 0)
    {
      double x0, y0, x1, y1;
      double corners[8];

      if (n != 2)
        return fail (error, path, "shape %u (\"%s\") is a rectangle with %u points, not 2",
                     index + 1, label, n);
      x0 = g_array_index (xy, double, 0);
      y0 = g_array_index (xy, double, 1);
      x1 = g_array_index (xy, double, 2);
      y1 = g_array_index (xy, double, 3);
      corners[0] = x0, corners[1] = y0, corners[2] = x1, corners[3] = y0;
      corners[4] = x1, corners[5] = y1, corners[6] = x0, corners[7] = y1;
      vigil_road_shapes_add (shapes, label, corners, 4);
      return TRUE;
    }
  if (strcmp (type, "polygon") != 0)
    return fail (error, path, "shape %u (\"%s\") is a %s, which has no area: draw the road "
                 "as a polygon or a rectangle", index + 1, label, type);
  if (n < 3)
    return fail (error, path, "shape %u (\"%s\") has %u points; a polygon needs at least 3",
                 index + 1, label, n);
  vigil_road_shapes_add (shapes, label, (const double *) xy->data, n);
  return TRUE;
}

static VigilRoadShapes *
shapes_from_json (const char  *path,
                  const char  *contents,
                  gsize        length,
                  const char  *camera_id,
                  GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) json_error = NULL;
  g_autoptr(VigilRoadShapes) shapes = NULL;
  JsonObject *root;
  JsonArray *list;
  guint width, height;

  if (!json_parser_load_from_data (parser, contents, (gssize) length, &json_error))
    {
      fail (error, path, "not JSON: %s", json_error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      fail (error, path, "not a labelme file: the top level is not an object");
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (root, "shapes") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "shapes")))
    {
      fail (error, path, "not a labelme file: no \"shapes\" array");
      return NULL;
    }
  if (!read_size (root, "imageWidth", &width) || !read_size (root, "imageHeight", &height) ||
      (width == 0) != (height == 0))
    {
      fail (error, path, "\"imageWidth\" and \"imageHeight\" must both be sizes of 1 to 16384 "
            "pixels");
      return NULL;
    }

  shapes = vigil_road_shapes_new (width, height);
  list = json_object_get_array_member (root, "shapes");
  for (guint i = 0; i < json_array_get_length (list); i++)
    if (!read_shape (shapes, json_array_get_element (list, i), i, camera_id, path, error))
      return NULL;
  if (shapes->polygons->len == 0)
    {
      if (camera_id != NULL)
        fail (error, path, "no shape is labelled \"road\" or \"%s\"", camera_id);
      else
        fail (error, path, "no shape is labelled \"road\"");
      return NULL;
    }
  return g_steal_pointer (&shapes);
}

VigilRoadShapes *
vigil_road_shapes_load (const char  *path,
                        const char  *camera_id,
                        GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) read_error = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &read_error))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                   "%s: cannot read the road mask: %s", path, read_error->message);
      return NULL;
    }
  return shapes_from_json (path, contents, length, camera_id, error);
}

gboolean
vigil_road_shapes_save (const VigilRoadShapes  *shapes,
                        const char             *path,
                        GError                **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) write_error = NULL;

  g_return_val_if_fail (shapes != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, "5.10.1");
  if (shapes->width > 0 && shapes->height > 0)
    {
      json_builder_set_member_name (builder, "imageWidth");
      json_builder_add_int_value (builder, shapes->width);
      json_builder_set_member_name (builder, "imageHeight");
      json_builder_add_int_value (builder, shapes->height);
    }
  json_builder_set_member_name (builder, "shapes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < shapes->polygons->len; i++)
    {
      const VigilRoadPolygon *polygon = g_ptr_array_index (shapes->polygons, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "label");
      json_builder_add_string_value (builder, polygon->label);
      json_builder_set_member_name (builder, "shape_type");
      json_builder_add_string_value (builder, "polygon");
      json_builder_set_member_name (builder, "points");
      json_builder_begin_array (builder);
      for (guint k = 0; k < polygon->points->len; k++)
        {
          const VigilPoint *p = &g_array_index (polygon->points, VigilPoint, k);

          json_builder_begin_array (builder);
          json_builder_add_double_value (builder, p->x);
          json_builder_add_double_value (builder, p->y);
          json_builder_end_array (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);
  if (!g_file_set_contents (path, text, -1, &write_error))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                   "%s: cannot write the road mask: %s", path, write_error->message);
      return FALSE;
    }
  return TRUE;
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Rounding to the nearest pixel as PIL does it, ties away from the span (up at the left end,
 * down at the right end). */
static double
round_up (double v)
{
  return v >= 0.0 ? floor (v + 0.5) : -floor (fabs (v) + 0.5);
}

static double
round_down (double v)
{
  return v >= 0.0 ? ceil (v - 0.5) : -ceil (fabs (v) - 0.5);
}

static void
fill_span (VigilFrame *mask,
           gint64      y,
           double      a,
           double      b)
{
  gint64 x0, x1;

  if (y < 0 || y >= mask->height)
    return;
  x0 = (gint64) CLAMP (round_up (a), 0.0, (double) mask->width);
  x1 = (gint64) CLAMP (round_down (b) + 1.0, 0.0, (double) mask->width);
  if (x1 > x0)
    memset (mask->data + (gsize) y * mask->stride + x0, 255, (gsize) (x1 - x0));
}

/* Rasterises @polygon into @mask the way labelme makes its masks (PIL's polygon fill), so that
 * a mask drawn in labelme covers here the pixels it covers there: points are in pixel-centre
 * coordinates; on each row y the crossings of the edges whose closed y range holds y (an edge
 * ending on the row, unless on the polygon's last row, counts twice so that vertices pair up)
 * are sorted and filled pairwise, each span rounded outwards to the nearest pixel; horizontal
 * edges are filled as spans of their own. Inside a polygon the rule is even-odd. */
static void
fill_polygon (VigilFrame             *mask,
              const VigilRoadPolygon *polygon,
              double                  sx,
              double                  sy,
              double                 *crossings)
{
  const VigilPoint *src = (const VigilPoint *) polygon->points->data;
  guint n = polygon->points->len;
  g_autofree VigilPoint *p = g_new (VigilPoint, n);
  double min_y = G_MAXDOUBLE, max_y = -G_MAXDOUBLE;
  gint64 first, last;

  /* Scaling maps pixel centres to pixel centres. */
  for (guint i = 0; i < n; i++)
    {
      p[i].x = (src[i].x + 0.5) * sx - 0.5;
      p[i].y = (src[i].y + 0.5) * sy - 0.5;
      min_y = MIN (min_y, p[i].y);
      max_y = MAX (max_y, p[i].y);
    }

  for (guint i = 0, j = n - 1; i < n; j = i++)
    if (p[i].y == p[j].y && p[i].y == floor (p[i].y))
      fill_span (mask, (gint64) p[i].y, MIN (p[i].x, p[j].x), MAX (p[i].x, p[j].x));

  first = MAX ((gint64) ceil (min_y), 0);
  last = MIN ((gint64) floor (max_y), (gint64) mask->height - 1);
  for (gint64 y = first; y <= last; y++)
    {
      guint count = 0;

      for (guint i = 0, j = n - 1; i < n; j = i++)
        {
          double ylo = MIN (p[i].y, p[j].y), yhi = MAX (p[i].y, p[j].y);

          if (ylo == yhi || y < ylo || y > yhi)
            continue;
          crossings[count] = p[j].x + (y - p[j].y) * (p[i].x - p[j].x) / (p[i].y - p[j].y);
          count++;
          if (y == yhi && y < max_y)
            {
              crossings[count] = crossings[count - 1];
              count++;
            }
        }
      qsort (crossings, count, sizeof (double), compare_double);
      for (guint k = 1; k < count; k += 2)
        fill_span (mask, y, crossings[k - 1], crossings[k]);
    }
}

VigilFrame *
vigil_road_shapes_rasterize (const VigilRoadShapes *shapes,
                             guint                  width,
                             guint                  height,
                             guint                  drawn_width,
                             guint                  drawn_height)
{
  VigilFrame *mask;
  double sx = 1.0, sy = 1.0;
  guint from_w = shapes->width, from_h = shapes->height;
  guint max_points = 0;
  g_autofree double *crossings = NULL;

  g_return_val_if_fail (shapes != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  if (from_w == 0 || from_h == 0)
    {
      from_w = drawn_width;
      from_h = drawn_height;
    }
  if (from_w > 0 && from_h > 0)
    {
      sx = (double) width / from_w;
      sy = (double) height / from_h;
    }

  mask = vigil_frame_new (VIGIL_FRAME_GRAY8, width, height);
  for (guint i = 0; i < shapes->polygons->len; i++)
    max_points = MAX (max_points,
                      ((VigilRoadPolygon *) g_ptr_array_index (shapes->polygons, i))->points->len);
  crossings = g_new (double, 2 * MAX (max_points, 1));
  for (guint i = 0; i < shapes->polygons->len; i++)
    fill_polygon (mask, g_ptr_array_index (shapes->polygons, i), sx, sy, crossings);
  return mask;
}

guint64
vigil_road_mask_count (VigilFrame *mask)
{
  guint64 count = 0;

  g_return_val_if_fail (mask != NULL && mask->format == VIGIL_FRAME_GRAY8, 0);

  for (guint y = 0; y < mask->height; y++)
    {
      const guint8 *row = mask->data + (gsize) y * mask->stride;

      for (guint x = 0; x < mask->width; x++)
        count += row[x] != 0;
    }
  return count;
}

/* An image mask: any non-zero channel is road; scaled by nearest pixel centre. */
static VigilFrame *
mask_from_image (const char  *path,
                 guint        width,
                 guint        height,
                 GError     **error)
{
  g_autoptr(VigilFrame) image = vigil_image_load (path, VIGIL_FRAME_RGB24, error);
  VigilFrame *mask;

  if (image == NULL)
    return NULL;
  mask = vigil_frame_new (VIGIL_FRAME_GRAY8, width, height);
  for (guint y = 0; y < height; y++)
    {
      guint sy = (guint) (((guint64) y * 2 + 1) * image->height / (2 * (guint64) height));
      const guint8 *in = image->data + (gsize) sy * image->stride;
      guint8 *out = mask->data + (gsize) y * mask->stride;

      for (guint x = 0; x < width; x++)
        {
          guint sx = (guint) (((guint64) x * 2 + 1) * image->width / (2 * (guint64) width));
          const guint8 *p = in + 3 * sx;

          out[x] = (p[0] | p[1] | p[2]) != 0 ? 255 : 0;
        }
    }
  return mask;
}

static gboolean
looks_like_json (const char *contents,
                 gsize       length)
{
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isspace (contents[i]))
      return contents[i] == '{' || contents[i] == '[';
  return FALSE;
}

VigilFrame *
vigil_road_mask_load (const char  *path,
                      const char  *camera_id,
                      guint        width,
                      guint        height,
                      guint        drawn_width,
                      guint        drawn_height,
                      GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) read_error = NULL;
  g_autoptr(VigilFrame) mask = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &read_error))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                   "%s: cannot read the road mask: %s", path, read_error->message);
      return NULL;
    }

  if (looks_like_json (contents, length))
    {
      g_autoptr(VigilRoadShapes) shapes =
        shapes_from_json (path, contents, length, camera_id, error);

      if (shapes == NULL)
        return NULL;
      mask = vigil_road_shapes_rasterize (shapes, width, height, drawn_width, drawn_height);
    }
  else
    {
      mask = mask_from_image (path, width, height, error);
      if (mask == NULL)
        return NULL;
    }

  if (vigil_road_mask_count (mask) == 0)
    {
      fail (error, path, "the road mask covers no pixel of a %ux%u frame", width, height);
      return NULL;
    }
  return g_steal_pointer (&mask);
}

typedef struct
{
  VigilFrame *mask;
  gint64      mtime;
  gint64      size;
  guint64     inode;
  guint64     used;
} CacheEntry;

struct _VigilRoadMaskCache
{
  GMutex      lock;       /* guards everything below */
  GHashTable *entries;    /* key string -> CacheEntry */
  guint       capacity;
  guint64     clock;
};

static void
cache_entry_free (gpointer data)
{
  CacheEntry *entry = data;

  vigil_frame_unref (entry->mask);
  g_free (entry);
}

VigilRoadMaskCache *
vigil_road_mask_cache_new (guint capacity)
{
  VigilRoadMaskCache *cache = g_new0 (VigilRoadMaskCache, 1);

  g_mutex_init (&cache->lock);
  cache->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cache_entry_free);
  cache->capacity = MAX (capacity, 1);
  return cache;
}

void
vigil_road_mask_cache_free (VigilRoadMaskCache *cache)
{
  if (cache == NULL)
    return;
  g_hash_table_unref (cache->entries);
  g_mutex_clear (&cache->lock);
  g_free (cache);
}

static void
cache_evict (VigilRoadMaskCache *cache)
{
  while (g_hash_table_size (cache->entries) > cache->capacity)
    {
      GHashTableIter iter;
      gpointer key, value;
      gpointer oldest = NULL;
      guint64 oldest_used = G_MAXUINT64;

      g_hash_table_iter_init (&iter, cache->entries);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (((CacheEntry *) value)->used < oldest_used)
          {
            oldest_used = ((CacheEntry *) value)->used;
            oldest = key;
          }
      g_hash_table_remove (cache->entries, oldest);
    }
}

VigilFrame *
vigil_road_mask_cache_get (VigilRoadMaskCache  *cache,
                           const char          *path,
                           const char          *camera_id,
                           guint                width,
                           guint                height,
                           guint                drawn_width,
                           guint                drawn_height,
                           GError             **error)
{
  g_autofree char *key = NULL;
  GStatBuf st;
  gint64 mtime = -1, size = -1;
  guint64 inode = 0;
  CacheEntry *entry;
  VigilFrame *mask;

  g_return_val_if_fail (cache != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_stat (path, &st) == 0)
    {
      mtime = (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec;
      size = st.st_size;
      inode = st.st_ino;
    }
  key = g_strdup_printf ("%s\n%s\n%ux%u\n%ux%u", path, camera_id != NULL ? camera_id : "",
                         width, height, drawn_width, drawn_height);

  g_mutex_lock (&cache->lock);
  entry = g_hash_table_lookup (cache->entries, key);
  if (entry != NULL && entry->mtime == mtime && entry->size == size &&
      entry->inode == inode)
    {
      entry->used = ++cache->clock;
      mask = vigil_frame_ref (entry->mask);
      g_mutex_unlock (&cache->lock);
      return mask;
    }
  g_mutex_unlock (&cache->lock);

  /* Loading happens outside the lock: another camera's lookup need not wait for it. */
  mask = vigil_road_mask_load (path, camera_id, width, height, drawn_width, drawn_height,
                               error);
  if (mask == NULL)
    return NULL;

  entry = g_new0 (CacheEntry, 1);
  entry->mask = vigil_frame_ref (mask);
  entry->mtime = mtime;
  entry->size = size;
  entry->inode = inode;
  g_mutex_lock (&cache->lock);
  entry->used = ++cache->clock;
  g_hash_table_replace (cache->entries, g_steal_pointer (&key), entry);
  cache_evict (cache);
  g_mutex_unlock (&cache->lock);
  return mask;
}
