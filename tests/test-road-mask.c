/* test-road-mask.c
 *
 * Road masks: labelme parsing, labels and scaling, the five real masks' areas, PNG masks,
 * Vigil's own save read back, bad files refused with the file and the reason, rasterisation
 * against an independent point-in-polygon test and the shoelace area, and the cache.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "vigil-error.h"
#include "vigil-road-mask.h"
#include "vigil-test-gstreamer.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("vigil-road-mask-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->dir);
}

static char *
write_file (Fixture    *f,
            const char *name,
            const char *contents,
            gssize      length)
{
  char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return path;
}

static guint8
pixel (VigilFrame *mask,
       guint       x,
       guint       y)
{
  return mask->data[(gsize) y * mask->stride + x];
}

/* The share of the frame each real mask covers, as PROVENANCE.md gives it (to 0.1 %). */
static void
test_seed_areas (void)
{
  static const struct
  {
    const char *file;
    double      percent;
  } seeds[] = {
    { "cam_01_02_03_11_12_13.json", 57.8 },
    { "cam_04_05_14_15.json", 21.1 },
    { "cam_06_07_08_16_17_18.json", 56.5 },
    { "cam_09_19.json", 47.9 },
    { "cam_10_20.json", 64.4 },
  };
  const char *data = g_getenv ("VIGIL_SHARED_DATA");

  g_assert_nonnull (data);
  for (guint i = 0; i < G_N_ELEMENTS (seeds); i++)
    {
      g_autofree char *path = g_build_filename (data, "traffic", "seed-road-masks",
                                                seeds[i].file, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(VigilFrame) full = vigil_road_mask_load (path, "cam_01", 1280, 720, 0, 0, &error);
      g_autoptr(VigilFrame) half = NULL;
      double percent, half_percent;

      g_assert_no_error (error);
      percent = 100.0 * vigil_road_mask_count (full) / (1280.0 * 720.0);
      g_assert_cmpfloat (fabs (percent - seeds[i].percent), <=, 0.1);

      /* The files carry no imageWidth: drawn on 1280x720, shown at 640x360. */
      half = vigil_road_mask_load (path, NULL, 640, 360, 1280, 720, &error);
      g_assert_no_error (error);
      half_percent = 100.0 * vigil_road_mask_count (half) / (640.0 * 360.0);
      g_assert_cmpfloat (fabs (half_percent - percent), <=, 0.3);
    }
}

/* Labels "road" and the camera id are kept, others not; imageWidth/imageHeight scale the
 * points; a rectangle is two corners. Every count below is worked out by hand. */
static void
test_labelme_labels_and_scale (Fixture       *f,
                               gconstpointer  data)
{
  static const char json[] =
    "{\"version\": \"5.2.1\", \"imageWidth\": 100, \"imageHeight\": 50, \"shapes\": [\n"
    " {\"label\": \"road\", \"points\": [[0, 0], [10, 0], [10, 10], [0, 10]]},\n"
    " {\"label\": \"cam_07\", \"shape_type\": \"polygon\",\n"
    "  \"points\": [[5, 5], [20, 5], [20, 20], [5, 20]]},\n"
    " {\"label\": \"cam_08\", \"points\": [[50, 0], [60, 0], [60, 10], [50, 10]]},\n"
    " {\"label\": \"tree\", \"points\": [[70, 0], [80, 0], [80, 10], [70, 10]]},\n"
    " {\"label\": \"road\", \"shape_type\": \"rectangle\", \"points\": [[30.5, 40], [40.5, 30]]}\n"
    "]}";
  g_autofree char *path = write_file (f, "mask.json", json, -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilFrame) same = NULL;
  g_autoptr(VigilFrame) doubled = NULL;
  g_autoptr(VigilRoadShapes) shapes = NULL;

  shapes = vigil_road_shapes_load (path, "cam_07", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (shapes->polygons->len, ==, 3);
  g_assert_cmpuint (shapes->width, ==, 100);
  g_assert_cmpuint (shapes->height, ==, 50);

  /* Pixels are counted as labelme (PIL) fills: points are pixel centres, both ends of a span
   * included, ends rounded to the nearest pixel. Squares 0..10 and 5..20: 11 x 11 + 16 x 16
   * - 6 x 6 overlap; the rectangle x 30.5..40.5 gives columns 31..40, y 30..40 rows 30..40:
   * 10 x 11. */
  same = vigil_road_mask_load (path, "cam_07", 100, 50, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vigil_road_mask_count (same), ==, 121 + 256 - 36 + 110);
  g_assert_cmpuint (pixel (same, 31, 30), ==, 255);
  g_assert_cmpuint (pixel (same, 30, 30), ==, 0);
  g_assert_cmpuint (pixel (same, 40, 40), ==, 255);
  g_assert_cmpuint (pixel (same, 41, 40), ==, 0);
  g_assert_cmpuint (pixel (same, 55, 5), ==, 0);     /* cam_08's shape */
  g_assert_cmpuint (pixel (same, 75, 5), ==, 0);     /* the tree */

  /* At 200x100 a pixel centre x goes to 2x + 0.5: the squares cover columns and rows 1..20
   * and 11..40 (overlap 11..20), the rectangle columns 62..81 and rows 61..80. */
  doubled = vigil_road_mask_load (path, "cam_07", 200, 100, 640, 480, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vigil_road_mask_count (doubled), ==, 400 + 900 - 100 + 400);
  g_assert_cmpuint (pixel (doubled, 40, 40), ==, 255);
  g_assert_cmpuint (pixel (doubled, 41, 41), ==, 0);
  g_assert_cmpuint (pixel (doubled, 62, 61), ==, 255);
  g_assert_cmpuint (pixel (doubled, 61, 61), ==, 0);

  /* Without a camera id only "road" counts. */
  g_clear_pointer (&same, vigil_frame_unref);
  same = vigil_road_mask_load (path, NULL, 100, 50, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vigil_road_mask_count (same), ==, 121 + 110);
}

/* A PNG written by hand (8-bit grey, stored deflate blocks), so that the reader is checked
 * against bytes that do not come from the decoder under test. */
static void
put_u32 (GByteArray *out,
         guint32     value)
{
  guint8 b[4] = { value >> 24, value >> 16, value >> 8, value };

  g_byte_array_append (out, b, 4);
}

static guint32
crc32 (const guint8 *data,
       gsize         length)
{
  guint32 crc = 0xffffffffu;

  for (gsize i = 0; i < length; i++)
    {
      crc ^= data[i];
      for (guint k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
  return crc ^ 0xffffffffu;
}

static void
put_chunk (GByteArray   *out,
           const char   *type,
           const guint8 *data,
           gsize         length)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();

  put_u32 (out, (guint32) length);
  g_byte_array_append (body, (const guint8 *) type, 4);
  g_byte_array_append (body, data, (guint) length);
  g_byte_array_append (out, body->data, body->len);
  put_u32 (out, crc32 (body->data, body->len));
}

static GByteArray *
encode_gray_png (const guint8 *pixels,
                 guint         width,
                 guint         height)
{
  static const guint8 signature[8] = { 137, 80, 78, 71, 13, 10, 26, 10 };
  GByteArray *png = g_byte_array_new ();
  g_autoptr(GByteArray) raw = g_byte_array_new ();
  g_autoptr(GByteArray) z = g_byte_array_new ();
  guint8 header[13] = { 0 };
  guint32 a = 1, b = 0;
  guint8 zhead[2] = { 0x78, 0x01 };

  g_byte_array_append (png, signature, 8);
  header[0] = width >> 24, header[1] = width >> 16, header[2] = width >> 8, header[3] = width;
  header[4] = height >> 24, header[5] = height >> 16, header[6] = height >> 8;
  header[7] = height;
  header[8] = 8;     /* bit depth */
  header[9] = 0;     /* grey */
  put_chunk (png, "IHDR", header, 13);

  for (guint y = 0; y < height; y++)
    {
      guint8 filter = 0;

      g_byte_array_append (raw, &filter, 1);
      g_byte_array_append (raw, pixels + (gsize) y * width, width);
    }
  g_assert_cmpuint (raw->len, <, 65536);
  g_byte_array_append (z, zhead, 2);
  {
    guint8 block[5] = { 1, raw->len & 0xff, raw->len >> 8, ~raw->len & 0xff,
                        (~raw->len >> 8) & 0xff };

    g_byte_array_append (z, block, 5);
  }
  g_byte_array_append (z, raw->data, raw->len);
  for (guint i = 0; i < raw->len; i++)
    {
      a = (a + raw->data[i]) % 65521;
      b = (b + a) % 65521;
    }
  put_u32 (z, (b << 16) | a);
  put_chunk (png, "IDAT", z->data, z->len);
  put_chunk (png, "IEND", NULL, 0);
  return png;
}

static void
test_png_mask (Fixture       *f,
               gconstpointer  data)
{
  guint8 pixels[30 * 40] = { 0 };
  g_autoptr(GByteArray) png = NULL;
  g_autoptr(GByteArray) empty = NULL;
  g_autofree char *path = NULL;
  g_autofree char *empty_path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilFrame) same = NULL;
  g_autoptr(VigilFrame) doubled = NULL;
  VigilFrame *none;

  /* Road: columns 10..29 of rows 5..19, at level 1 (any non-zero byte is road). */
  for (guint y = 5; y < 20; y++)
    for (guint x = 10; x < 30; x++)
      pixels[y * 40 + x] = 1;
  png = encode_gray_png (pixels, 40, 30);
  path = write_file (f, "mask.png", (const char *) png->data, png->len);

  same = vigil_road_mask_load (path, "cam_01", 40, 30, 0, 0, &error);
  g_assert_no_error (error);
  for (guint y = 0; y < 30; y++)
    for (guint x = 0; x < 40; x++)
      g_assert_cmpuint (pixel (same, x, y), ==, pixels[y * 40 + x] ? 255 : 0);

  /* Twice the size: each mask pixel becomes a 2x2 block (nearest pixel centre). */
  doubled = vigil_road_mask_load (path, NULL, 80, 60, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vigil_road_mask_count (doubled), ==, 4 * 15 * 20);
  for (guint y = 0; y < 60; y++)
    for (guint x = 0; x < 80; x++)
      g_assert_cmpuint (pixel (doubled, x, y), ==, pixels[(y / 2) * 40 + x / 2] ? 255 : 0);

  /* A mask without road is refused, not taken as "count nothing". */
  memset (pixels, 0, sizeof pixels);
  empty = encode_gray_png (pixels, 40, 30);
  empty_path = write_file (f, "empty.png", (const char *) empty->data, empty->len);
  none = vigil_road_mask_load (empty_path, NULL, 40, 30, 0, 0, &error);
  g_assert_null (none);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, empty_path));
  g_assert_nonnull (strstr (error->message, "covers no pixel"));
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  static const double a[] = { 12.25, 3.5, 300.125, 8.0, 290.0, 200.75, 5.0, 190.0 };
  static const double b[] = { 0.1, 210.3, 319.9, 215.0, 160.0, 239.99 };
  g_autoptr(VigilRoadShapes) shapes = vigil_road_shapes_new (320, 240);
  g_autoptr(VigilRoadShapes) back = NULL;
  g_autofree char *path = g_build_filename (f->dir, "saved.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilFrame) before = NULL;
  g_autoptr(VigilFrame) after = NULL;

  vigil_road_shapes_add (shapes, "cam_03", a, 4);
  vigil_road_shapes_add (shapes, "road", b, 3);
  g_assert_true (vigil_road_shapes_save (shapes, path, &error));
  g_assert_no_error (error);

  back = vigil_road_shapes_load (path, "cam_03", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->width, ==, 320);
  g_assert_cmpuint (back->height, ==, 240);
  g_assert_cmpuint (back->polygons->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      const VigilRoadPolygon *p = g_ptr_array_index (back->polygons, i);
      const double *xy = i == 0 ? a : b;

      g_assert_cmpstr (p->label, ==, i == 0 ? "cam_03" : "road");
      g_assert_cmpuint (p->points->len, ==, i == 0 ? 4 : 3);
      for (guint k = 0; k < p->points->len; k++)
        {
          g_assert_cmpfloat (g_array_index (p->points, VigilPoint, k).x, ==, xy[2 * k]);
          g_assert_cmpfloat (g_array_index (p->points, VigilPoint, k).y, ==, xy[2 * k + 1]);
        }
    }

  before = vigil_road_shapes_rasterize (shapes, 640, 480, 0, 0);
  after = vigil_road_mask_load (path, "cam_03", 640, 480, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vigil_road_mask_count (after), >, 0);
  for (guint y = 0; y < 480; y++)
    g_assert_cmpmem (before->data + y * before->stride, 640, after->data + y * after->stride, 640);
}

static void
test_bad_files (Fixture       *f,
                gconstpointer  data)
{
  static const struct
  {
    const char *name;
    const char *contents;
    const char *reason;
    int         code;
  } cases[] = {
    { "missing.json", NULL, "No such file", VIGIL_ENGINE_ERROR_IO },
    { "truncated.json", "{\"shapes\": [", "not JSON", VIGIL_ENGINE_ERROR_PARSE },
    { "list.json", "[1, 2]", "top level is not an object", VIGIL_ENGINE_ERROR_PARSE },
    { "noshapes.json", "{\"version\": \"5\"}", "no \"shapes\" array", VIGIL_ENGINE_ERROR_PARSE },
    { "nopoints.json", "{\"shapes\": [{\"label\": \"road\"}]}", "shape 1 (\"road\") has no",
      VIGIL_ENGINE_ERROR_PARSE },
    { "badpoint.json",
      "{\"shapes\": [{\"label\": \"road\", \"points\": [[0, 0], [1, \"a\"], [2, 2]]}]}",
      "point 2 is not a pair", VIGIL_ENGINE_ERROR_PARSE },
    { "twopoints.json",
      "{\"shapes\": [{\"label\": \"road\", \"points\": [[0, 0], [5, 5]]}]}",
      "has 2 points", VIGIL_ENGINE_ERROR_PARSE },
    { "circle.json",
      "{\"shapes\": [{\"label\": \"road\", \"shape_type\": \"circle\", "
      "\"points\": [[0, 0], [5, 5]]}]}", "is a circle", VIGIL_ENGINE_ERROR_PARSE },
    { "nolabel.json",
      "{\"shapes\": [{\"label\": \"tree\", \"points\": [[0, 0], [5, 0], [5, 5]]}]}",
      "no shape is labelled \"road\" or \"cam_02\"", VIGIL_ENGINE_ERROR_PARSE },
    { "badsize.json",
      "{\"imageWidth\": 0, \"imageHeight\": 10, \"shapes\": []}", "imageWidth",
      VIGIL_ENGINE_ERROR_PARSE },
    { "outside.json",
      "{\"shapes\": [{\"label\": \"road\", \"points\": [[500, 500], [600, 500], [600, 600]]}]}",
      "covers no pixel", VIGIL_ENGINE_ERROR_PARSE },
    { "garbage.png", "\x89PNG\r\n\x1a\nnot really", "not an image that can be decoded",
      VIGIL_ENGINE_ERROR_PARSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;
      VigilFrame *mask;

      if (cases[i].contents != NULL)
        path = write_file (f, cases[i].name, cases[i].contents, -1);
      else
        path = g_build_filename (f->dir, cases[i].name, NULL);
      mask = vigil_road_mask_load (path, "cam_02", 64, 48, 0, 0, &error);
      g_assert_null (mask);
      g_assert_error (error, VIGIL_ENGINE_ERROR, cases[i].code);
      if (strstr (error->message, path) == NULL || strstr (error->message, cases[i].reason) == NULL)
        g_error ("%s: unexpected message “%s”", cases[i].name, error->message);
    }
}

/* An independent point-in-polygon test (crossing number, even-odd), written differently from
 * the rasteriser's scanlines: per point, over edges. */
static gboolean
inside (const double *xy,
        guint         n,
        double        px,
        double        py)
{
  gboolean in = FALSE;

  for (guint i = 0; i < n; i++)
    {
      guint j = (i + n - 1) % n;
      double xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];

      if ((yi > py) != (yj > py) && px < (xj - xi) * (py - yi) / (yj - yi) + xi)
        in = !in;
    }
  return in;
}

static double
distance_to_boundary (const double *xy,
                      guint         n,
                      double        px,
                      double        py)
{
  double best = G_MAXDOUBLE;

  for (guint i = 0; i < n; i++)
    {
      guint j = (i + 1) % n;
      double ax = xy[2 * i], ay = xy[2 * i + 1], dx = xy[2 * j] - ax, dy = xy[2 * j + 1] - ay;
      double len2 = dx * dx + dy * dy;
      double t = len2 > 0 ? CLAMP (((px - ax) * dx + (py - ay) * dy) / len2, 0.0, 1.0) : 0.0;

      best = MIN (best, hypot (px - ax - t * dx, py - ay - t * dy));
    }
  return best;
}

/* Pixel centres at integer coordinates (labelme's convention): a pixel whose centre is inside
 * and more than half a pixel from the boundary is road, one whose centre is outside and more
 * than a pixel from it is not, and a simple polygon's pixel count is its shoelace area up to
 * the boundary's pixels. */
static void
test_random_polygons (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (4);

  for (guint round = 0; round < 60; round++)
    {
      guint n = 3 + g_rand_int_range (rand, 0, 14);
      gboolean star = round % 2 == 0;   /* star-shaped (simple) or arbitrary (self-crossing) */
      double xy[2 * 16];
      double cx = g_rand_double_range (rand, 20, 100), cy = g_rand_double_range (rand, 20, 80);
      g_autoptr(VigilRoadShapes) shapes = vigil_road_shapes_new (0, 0);
      g_autoptr(VigilFrame) mask = NULL;
      double area = 0.0, perimeter = 0.0;
      guint64 count;

      for (guint i = 0; i < n; i++)
        {
          if (star)
            {
              double angle = 2 * G_PI * (i + g_rand_double_range (rand, 0.05, 0.95)) / n;
              double radius = g_rand_double_range (rand, 3, 60);

              xy[2 * i] = CLAMP (cx + radius * cos (angle), 0.0, 119.0);
              xy[2 * i + 1] = CLAMP (cy + radius * sin (angle), 0.0, 99.0);
            }
          else
            {
              xy[2 * i] = g_rand_double_range (rand, -10, 130);
              xy[2 * i + 1] = g_rand_double_range (rand, -10, 110);
            }
        }
      vigil_road_shapes_add (shapes, "road", xy, n);
      mask = vigil_road_shapes_rasterize (shapes, 120, 100, 0, 0);

      for (guint y = 0; y < 100; y++)
        for (guint x = 0; x < 120; x++)
          {
            gboolean in = inside (xy, n, x, y);
            double d = distance_to_boundary (xy, n, x, y);

            if (in && d > 0.5 && pixel (mask, x, y) == 0)
              g_error ("round %u: pixel %u,%u is inside but not road", round, x, y);
            if (!in && d > 1.0 && pixel (mask, x, y) != 0)
              g_error ("round %u: pixel %u,%u is outside but road", round, x, y);
          }

      if (!star)
        continue;
      for (guint i = 0; i < n; i++)
        {
          guint j = (i + 1) % n;

          area += xy[2 * i] * xy[2 * j + 1] - xy[2 * j] * xy[2 * i + 1];
          perimeter += hypot (xy[2 * j] - xy[2 * i], xy[2 * j + 1] - xy[2 * i + 1]);
        }
      area = fabs (area) / 2.0;
      count = vigil_road_mask_count (mask);
      g_assert_cmpfloat (fabs ((double) count - area), <=, perimeter + n);
    }
}

static void
test_cache (Fixture       *f,
            gconstpointer  data)
{
  static const char first[] =
    "{\"shapes\": [{\"label\": \"road\", \"points\": [[0, 0], [10, 0], [10, 10], [0, 10]]}]}";
  static const char second[] =
    "{\"shapes\": [{\"label\": \"road\", \"points\": [[0, 0], [20, 0], [20, 10], [0, 10]]}]}";
  g_autofree char *path = write_file (f, "cached.json", first, -1);
  g_autoptr(VigilRoadMaskCache) cache = vigil_road_mask_cache_new (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilFrame) a = NULL;
  g_autoptr(VigilFrame) b = NULL;
  g_autoptr(VigilFrame) c = NULL;
  g_autoptr(VigilFrame) d = NULL;
  VigilFrame *bad;

  a = vigil_road_mask_cache_get (cache, path, "cam_01", 64, 48, 0, 0, &error);
  g_assert_no_error (error);
  b = vigil_road_mask_cache_get (cache, path, "cam_01", 64, 48, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_true (a == b);
  g_assert_cmpuint (vigil_road_mask_count (a), ==, 121);

  /* Another size is another mask. */
  c = vigil_road_mask_cache_get (cache, path, "cam_01", 128, 96, 64, 48, &error);
  g_assert_no_error (error);
  g_assert_true (c != a);
  g_assert_cmpuint (vigil_road_mask_count (c), ==, 400);

  /* A saved change (another size of file) is picked up without restarting. */
  g_free (write_file (f, "cached.json", second, -1));
  d = vigil_road_mask_cache_get (cache, path, "cam_01", 64, 48, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vigil_road_mask_count (d), ==, 231);

  /* And a broken file is an error, not the old mask. */
  g_free (write_file (f, "cached.json", "{", -1));
  bad = vigil_road_mask_cache_get (cache, path, "cam_01", 64, 48, 0, 0, &error);
  g_assert_null (bad);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/road-mask/seed-areas", test_seed_areas);
  g_test_add ("/engine/road-mask/labelme-labels-scale", Fixture, NULL, fixture_setup,
              test_labelme_labels_and_scale, fixture_teardown);
  g_test_add ("/engine/road-mask/png", Fixture, NULL, fixture_setup, test_png_mask,
              fixture_teardown);
  g_test_add ("/engine/road-mask/round-trip", Fixture, NULL, fixture_setup, test_round_trip,
              fixture_teardown);
  g_test_add ("/engine/road-mask/bad-files", Fixture, NULL, fixture_setup, test_bad_files,
              fixture_teardown);
  g_test_add_func ("/engine/road-mask/random-polygons", test_random_polygons);
  g_test_add ("/engine/road-mask/cache", Fixture, NULL, fixture_setup, test_cache,
              fixture_teardown);
  return g_test_run ();
}
