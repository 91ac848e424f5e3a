/* test-traffic-generator.c
 *
 * Synthetic traffic cameras: the same seed writes the same bytes, the folders have the
 * documented layout, the ground truth's boxes lie on vehicles in the frames, its speeds match
 * the boxes' motion, the jam stops for seconds and starts again, and the classes' sizes are
 * ordered. Also `vigil-cli generate traffic`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "vigil-frame-source.h"
#include "vigil-test-cli.h"
#include "vigil-test-gstreamer.h"
#include "vigil-test-util.h"
#include "vigil-traffic-eval.h"
#include "vigil-traffic-generator.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("vigil-traffic-gen-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  vigil_test_remove_tree (fx->dir);
  g_free (fx->dir);
}

static void
small_params (VigilTrafficGeneratorParams *p,
              guint                        n_frames,
              guint64                      seed)
{
  vigil_traffic_generator_params_init (p);
  p->n_cameras = 2;
  p->n_frames = n_frames;
  p->width = 160;
  p->height = 96;
  p->fps = 10;
  p->seed = seed;
}

/* Every frame's truth of one camera, without drawing. */
static GArray *
scene_truth (const VigilTrafficGeneratorParams *p,
             guint                              camera,
             double                            *ppm)
{
  g_autoptr(VigilTrafficScene) scene = vigil_traffic_scene_new (p, camera);
  GArray *truth = g_array_new (FALSE, FALSE, sizeof (VigilTrafficTruth));

  while (vigil_traffic_scene_next (scene, truth, NULL))
    ;
  if (ppm != NULL)
    *ppm = vigil_traffic_scene_get_pixels_per_metre (scene);
  return truth;
}

static char *
read_text (const char *dir,
           const char *a,
           const char *b)
{
  g_autofree char *path = g_build_filename (dir, a, b, NULL);
  char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static void
assert_same_tree (const char *a,
                  const char *b,
                  guint       n_frames)
{
  static const char *const cams[] = { "cam_01", "cam_02" };
  static const char *const files[] = {
    VIGIL_TRAFFIC_MASK_FILE, VIGIL_TRAFFIC_CAMERA_FILE, VIGIL_TRAFFIC_GROUND_TRUTH,
  };

  for (guint c = 0; c < G_N_ELEMENTS (cams); c++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (files); i++)
        {
          g_autofree char *ta = read_text (a, cams[c], files[i]);
          g_autofree char *tb = read_text (b, cams[c], files[i]);

          g_assert_cmpstr (ta, ==, tb);
        }
      for (guint f = 0; f < n_frames; f++)
        {
          g_autofree char *name = g_strdup_printf ("%06u.png", f);
          g_autofree char *pa = g_build_filename (a, cams[c], "frames", name, NULL);
          g_autofree char *pb = g_build_filename (b, cams[c], "frames", name, NULL);
          g_autofree char *da = NULL, *db = NULL;
          gsize la, lb;

          g_assert_true (g_file_get_contents (pa, &da, &la, NULL));
          g_assert_true (g_file_get_contents (pb, &db, &lb, NULL));
          g_assert_cmpmem (da, la, db, lb);
        }
    }
}

static void
test_determinism (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *a = g_build_filename (fx->dir, "a", NULL);
  g_autofree char *b = g_build_filename (fx->dir, "b", NULL);
  g_autofree char *c = g_build_filename (fx->dir, "c", NULL);
  g_autofree char *truth_a = NULL, *truth_c = NULL, *cam2 = NULL;
  g_autoptr(GError) error = NULL;
  VigilTrafficGeneratorParams p;

  small_params (&p, 12, 5);
  g_assert_true (vigil_traffic_generate (a, &p, NULL, &error));
  g_assert_true (vigil_traffic_generate (b, &p, NULL, &error));
  g_assert_no_error (error);
  assert_same_tree (a, b, 12);

  p.seed = 6;
  g_assert_true (vigil_traffic_generate (c, &p, NULL, &error));
  truth_a = read_text (a, "cam_01", VIGIL_TRAFFIC_GROUND_TRUTH);
  truth_c = read_text (c, "cam_01", VIGIL_TRAFFIC_GROUND_TRUTH);
  cam2 = read_text (a, "cam_02", VIGIL_TRAFFIC_GROUND_TRUTH);
  g_assert_cmpstr (truth_a, !=, truth_c);
  g_assert_cmpstr (truth_a, !=, cam2);

  p.n_cameras = 0;
  g_assert_false (vigil_traffic_generate (c, &p, NULL, &error));
  g_assert_nonnull (error);
}

static double
member_number (JsonObject *o,
               const char *name)
{
  g_assert_true (json_object_has_member (o, name));
  return json_node_get_double (json_object_get_member (o, name));
}

static void
test_layout (Fixture       *fx,
             gconstpointer  data)
{
  g_autofree char *out = g_build_filename (fx->dir, "out", NULL);
  g_autofree char *mask_path = g_build_filename (out, "cam_01", VIGIL_TRAFFIC_MASK_FILE, NULL);
  g_autofree char *cam_path = g_build_filename (out, "cam_02", VIGIL_TRAFFIC_CAMERA_FILE, NULL);
  g_autofree char *last = g_build_filename (out, "cam_02", "frames", "000007.png", NULL);
  g_autofree char *beyond = g_build_filename (out, "cam_02", "frames", "000008.png", NULL);
  g_autofree char *csv = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GArray) truth = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  VigilTrafficGeneratorParams p;
  JsonObject *root, *shape;
  JsonArray *points;
  double ppm;
  guint n_rows = 0;

  small_params (&p, 8, 2);
  g_assert_true (vigil_traffic_generate (out, &p, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (last, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (beyond, G_FILE_TEST_EXISTS));

  g_assert_true (json_parser_load_from_file (parser, mask_path, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (root, "version"));
  g_assert_cmpfloat (member_number (root, "imageWidth"), ==, 160);
  g_assert_cmpfloat (member_number (root, "imageHeight"), ==, 96);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "shapes")), ==, 1);
  shape = json_array_get_object_element (json_object_get_array_member (root, "shapes"), 0);
  g_assert_cmpstr (json_object_get_string_member (shape, "label"), ==, "road");
  g_assert_cmpstr (json_object_get_string_member (shape, "shape_type"), ==, "polygon");
  points = json_object_get_array_member (shape, "points");
  g_assert_cmpuint (json_array_get_length (points), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      JsonArray *pt = json_array_get_array_element (points, i);

      g_assert_cmpuint (json_array_get_length (pt), ==, 2);
      g_assert_cmpfloat (json_array_get_double_element (pt, 0), >=, 0);
      g_assert_cmpfloat (json_array_get_double_element (pt, 0), <=, 160);
      g_assert_cmpfloat (json_array_get_double_element (pt, 1), >, 0);
      g_assert_cmpfloat (json_array_get_double_element (pt, 1), <, 96);
    }

  truth = scene_truth (&p, 2, &ppm);
  g_assert_true (json_parser_load_from_file (parser, cam_path, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "camera_id"), ==, "cam_02");
  g_assert_cmpfloat (member_number (root, "fps"), ==, 10);
  g_assert_cmpfloat (member_number (root, "width"), ==, 160);
  g_assert_cmpfloat (member_number (root, "height"), ==, 96);
  g_assert_cmpfloat (member_number (root, "pixels_per_metre"), ==, ppm);

  /* The CSV holds exactly the scene's truth. */
  csv = read_text (out, "cam_02", VIGIL_TRAFFIC_GROUND_TRUTH);
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "frame,timestamp,track_id,class,x,y,w,h,speed_kmh");
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", -1);
      const VigilTrafficTruth *t = &g_array_index (truth, VigilTrafficTruth, n_rows);

      g_assert_cmpuint (g_strv_length (f), ==, 9);
      g_assert_cmpuint (g_ascii_strtoull (f[0], NULL, 10), ==, t->frame);
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[1], NULL), t->frame / 10.0, 1e-9);
      g_assert_cmpint (g_ascii_strtoll (f[2], NULL, 10), ==, t->track_id);
      g_assert_cmpstr (f[3], ==, vigil_vehicle_class_get_name (t->klass));
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[4], NULL), t->x, 0.006);
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[7], NULL), t->h, 0.006);
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[8], NULL), t->speed_kmh, 0.0006);
      n_rows++;
    }
  g_assert_cmpuint (n_rows, ==, truth->len);
  g_assert_cmpuint (n_rows, >, 8);
}

/* Reads a camera's frames folder back through a frame source. */
static void
collect (VigilFrameSource *source,
         VigilFrame       *frame,
         gpointer          user_data)
{
  g_ptr_array_add (user_data, vigil_frame_ref (frame));
}

static double
region_diff (const VigilFrame *a,
             const VigilFrame *b,
             int               x0,
             int               y0,
             int               x1,
             int               y1)
{
  double sum = 0;
  guint n = 0;

  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      for (guint c = 0; c < 3; c++)
        {
          sum += abs ((int) a->data[y * a->stride + 3 * x + c] -
                      (int) b->data[y * b->stride + 3 * x + c]);
          n++;
        }
  return n > 0 ? sum / n : 0;
}

/* Whether frame @f's truth leaves the rectangle free (with a margin for shadows). */
static gboolean
region_free (GArray *truth,
             guint64 f,
             double  x0,
             double  y0,
             double  x1,
             double  y1,
             double  margin)
{
  for (guint i = 0; i < truth->len; i++)
    {
      const VigilTrafficTruth *t = &g_array_index (truth, VigilTrafficTruth, i);

      if (t->frame == f && t->x - margin < x1 && t->x + t->w + margin > x0 &&
          t->y - margin < y1 && t->y + t->h + margin > y0)
        return FALSE;
    }
  return TRUE;
}

static void
test_boxes_on_frames (Fixture       *fx,
                      gconstpointer  data)
{
  g_autofree char *out = g_build_filename (fx->dir, "out", NULL);
  g_autofree char *frames_dir = g_build_filename (out, "cam_01", "frames", NULL);
  g_autoptr(GPtrArray) drawn = g_ptr_array_new_with_free_func ((GDestroyNotify) vigil_frame_unref);
  g_autoptr(GPtrArray) read = g_ptr_array_new_with_free_func ((GDestroyNotify) vigil_frame_unref);
  g_autoptr(GArray) truth = g_array_new (FALSE, FALSE, sizeof (VigilTrafficTruth));
  g_autoptr(VigilTrafficScene) scene = NULL;
  g_autoptr(VigilFrameSource) source = NULL;
  g_autoptr(GError) error = NULL;
  VigilTrafficGeneratorParams p;
  VigilFrame *frame;
  double ppm;
  guint n_checked = 0;

  small_params (&p, 60, 11);
  p.n_cameras = 1;
  p.width = 240;
  p.height = 120;
  g_assert_true (vigil_traffic_generate (out, &p, NULL, &error));
  g_assert_no_error (error);
  scene = vigil_traffic_scene_new (&p, 1);
  ppm = vigil_traffic_scene_get_pixels_per_metre (scene);
  while (vigil_traffic_scene_next (scene, truth, &frame))
    g_ptr_array_add (drawn, frame);
  g_assert_cmpuint (drawn->len, ==, 60);

  /* The PNG files hold exactly the frames drawn. */
  source = vigil_frame_source_new ("cam_01", frames_dir);
  vigil_frame_source_set_frame_func (source, collect, read, NULL);
  g_assert_true (vigil_frame_source_start (source, &error));
  g_assert_cmpint (vigil_frame_source_wait (source), ==, VIGIL_FRAME_SOURCE_FINISHED);
  g_assert_cmpuint (read->len, ==, drawn->len);
  for (guint f = 0; f < read->len; f++)
    {
      const VigilFrame *a = drawn->pdata[f], *b = read->pdata[f];

      g_assert_cmpuint (a->width, ==, b->width);
      for (guint y = 0; y < a->height; y++)
        g_assert_cmpmem (a->data + y * a->stride, a->width * 3, b->data + y * b->stride,
                         b->width * 3);
    }

  /* Inside each box the frame differs from the nearest frame where that spot is empty road;
   * a spot that is empty in both frames does not. */
  for (guint i = 0; i < truth->len; i++)
    {
      const VigilTrafficTruth *t = &g_array_index (truth, VigilTrafficTruth, i);
      int x0 = (int) ceil (t->x) + 1, x1 = (int) floor (t->x + t->w) - 1;
      int y0 = (int) ceil (t->y) + 1, y1 = (int) floor (t->y + t->h) - 1;
      gint64 other = -1;

      if (x1 - x0 < 2 || y1 - y0 < 2)
        continue;
      for (guint d = 1; d < drawn->len && other < 0; d++)
        for (int s = -1; s <= 1 && other < 0; s += 2)
          {
            gint64 g = (gint64) t->frame + s * (gint64) d;

            if (g >= 0 && g < (gint64) drawn->len &&
                region_free (truth, (guint64) g, t->x, t->y, t->x + t->w, t->y + t->h, ppm))
              other = g;
          }
      if (other < 0)
        continue;
      g_assert_cmpfloat (region_diff (drawn->pdata[t->frame], drawn->pdata[other], x0, y0, x1,
                                      y1), >, 12);
      n_checked++;
    }
  g_assert_cmpuint (n_checked, >, 100);

  /* The grass above the road never holds a vehicle: only noise and lighting move it. */
  g_assert_cmpfloat (region_diff (drawn->pdata[0], drawn->pdata[1], 0, 0, 240, 5), <, 6);
}

static void
test_jam (Fixture       *fx,
          gconstpointer  data)
{
  g_autoptr(GArray) truth = NULL;
  g_autoptr(GHashTable) stopped_since = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                               g_free, g_free);
  g_autoptr(GHashTable) long_stops = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                            g_free, NULL);
  VigilTrafficGeneratorParams p;
  guint n_restarted = 0;
  double max_speed = 0;

  small_params (&p, 400, 3);
  p.width = 320;
  p.height = 180;
  truth = scene_truth (&p, 1, NULL);

  for (guint i = 0; i < truth->len; i++)
    {
      const VigilTrafficTruth *t = &g_array_index (truth, VigilTrafficTruth, i);
      gint64 *since = g_hash_table_lookup (stopped_since, &t->track_id);

      max_speed = MAX (max_speed, t->speed_kmh);
      g_assert_cmpfloat (t->speed_kmh, >=, 0);
      if (t->speed_kmh == 0)
        {
          if (since == NULL)
            {
              since = g_new (gint64, 1);
              *since = t->time_us;
              g_hash_table_insert (stopped_since, g_memdup2 (&t->track_id, 8), since);
            }
          else if (t->time_us - *since >= 5 * G_USEC_PER_SEC)
            g_hash_table_add (long_stops, g_memdup2 (&t->track_id, 8));
        }
      else if (since != NULL)
        {
          /* A vehicle that stood for 5 s or more drives off again. */
          if (g_hash_table_contains (long_stops, &t->track_id) && t->speed_kmh > 0)
            n_restarted++;
          g_hash_table_remove (stopped_since, &t->track_id);
        }
    }
  g_assert_cmpuint (g_hash_table_size (long_stops), >=, 5);
  g_assert_cmpuint (n_restarted, >=, 5);
  g_assert_cmpfloat (max_speed, >, 45);
}

static void
test_class_sizes_and_speeds (Fixture       *fx,
                             gconstpointer  data)
{
  g_autoptr(GArray) truth = NULL;
  g_autoptr(GHashTable) last = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                      NULL);
  VigilTrafficGeneratorParams p;
  double area[VIGIL_N_VEHICLE_CLASSES] = { 0 };
  guint n[VIGIL_N_VEHICLE_CLASSES] = { 0 };
  double ppm;
  guint n_speeds = 0;

  small_params (&p, 600, 8);
  p.width = 320;
  p.height = 180;
  truth = scene_truth (&p, 1, &ppm);

  for (guint i = 0; i < truth->len; i++)
    {
      const VigilTrafficTruth *t = &g_array_index (truth, VigilTrafficTruth, i);
      const VigilTrafficTruth *prev = g_hash_table_lookup (last, &t->track_id);
      gboolean whole = t->x > 0 && t->x + t->w < p.width;

      if (whole)
        {
          area[t->klass] += t->w * t->h;
          n[t->klass]++;
        }
      /* Box motion over a frame, at pixels_per_metre, is the speed of the truth. */
      if (whole && prev != NULL && prev->frame + 1 == t->frame && prev->x > 0 &&
          prev->x + prev->w < p.width)
        {
          double kmh = fabs (t->x - prev->x) / ppm * p.fps * 3.6;

          g_assert_cmpfloat_with_epsilon (kmh, t->speed_kmh, 1e-6);
          n_speeds++;
        }
      g_hash_table_insert (last, g_memdup2 (&t->track_id, 8), (gpointer) t);
    }
  for (guint k = 0; k < VIGIL_N_VEHICLE_CLASSES; k++)
    g_assert_cmpuint (n[k], >, 0);
  for (guint k = 0; k + 1 < VIGIL_N_VEHICLE_CLASSES; k++)
    g_assert_cmpfloat (area[k] / n[k], <, area[k + 1] / n[k + 1]);
  /* Cars are 3.9 to 4.9 m long: so are their boxes at the camera's scale. */
  for (guint i = 0; i < truth->len; i++)
    {
      const VigilTrafficTruth *t = &g_array_index (truth, VigilTrafficTruth, i);

      if (t->klass == VIGIL_VEHICLE_CAR && t->x > 0 && t->x + t->w < p.width)
        {
          g_assert_cmpfloat (t->w / ppm, >=, 3.9 - 1e-9);
          g_assert_cmpfloat (t->w / ppm, <=, 4.9 + 1e-9);
        }
    }
  g_assert_cmpuint (n_speeds, >, 1000);
}

static void
test_cli (Fixture       *fx,
          gconstpointer  data)
{
  g_autofree char *cli_out = g_build_filename (fx->dir, "cli", NULL);
  g_autofree char *lib_out = g_build_filename (fx->dir, "lib", NULL);
  g_auto(Result) r = { 0 };
  g_auto(Result) bad = { 0 };
  g_autoptr(GError) error = NULL;
  VigilTrafficGeneratorParams p;

  run (&r, "generate", "traffic", "--out", cli_out, "--cameras", "2", "--frames", "4",
       "--width", "160", "--height", "96", "--fps", "10", "--seed", "9", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "2 cameras of 4 frames"));

  small_params (&p, 4, 9);
  g_assert_true (vigil_traffic_generate (lib_out, &p, NULL, &error));
  g_assert_no_error (error);
  assert_same_tree (cli_out, lib_out, 4);

  run (&bad, "generate", "traffic", "--out", cli_out, "--cameras", "0", NULL);
  g_assert_cmpint (bad.status, ==, 2);
  g_assert_nonnull (strstr (bad.err, "--cameras"));
}

static VigilDetection
box (double            x,
     VigilVehicleClass klass,
     double            speed_kmh)
{
  return (VigilDetection) { -1, klass, x, 10, 40, 20, 0, speed_kmh };
}

/* A frame worked out by hand: every score the evaluation keeps. */
static void
test_eval_hand_made (void)
{
  /* Truth: four vehicles 100 px apart. Detections: three on them, one on nothing. */
  const VigilDetection truth[] = {
    box (0, VIGIL_VEHICLE_CAR, 50),
    box (100, VIGIL_VEHICLE_TRUCK, 40),
    box (200, VIGIL_VEHICLE_BUS, 5),
    box (300, VIGIL_VEHICLE_MOTORCYCLE, 60),
  };
  const VigilDetection detections[] = {
    box (0, VIGIL_VEHICLE_CAR, 56),         /* 12 % fast */
    box (105, VIGIL_VEHICLE_BUS, 38),       /* IoU 7/9; 5 % slow; a truck taken for a bus */
    box (200, VIGIL_VEHICLE_BUS, 8),        /* too slow for a relative error */
    box (500, VIGIL_VEHICLE_CAR, NAN),      /* a false positive */
  };
  VigilBoxScore score = { 0 };

  vigil_box_score_add (&score, detections, G_N_ELEMENTS (detections), truth,
                       G_N_ELEMENTS (truth), NULL, VIGIL_EVAL_MIN_IOU);

  g_assert_cmpuint (score.frames, ==, 1);
  g_assert_cmpuint (score.tp, ==, 3);
  g_assert_cmpuint (score.fp, ==, 1);
  g_assert_cmpuint (score.fn, ==, 1);
  g_assert_cmpfloat_with_epsilon (vigil_box_score_precision (&score), 0.75, 1e-12);
  g_assert_cmpfloat_with_epsilon (vigil_box_score_recall (&score), 0.75, 1e-12);
  g_assert_cmpfloat_with_epsilon (vigil_box_score_count_error (&score), 0.0, 1e-12);

  g_assert_cmpuint (score.speed_n, ==, 2);
  g_assert_cmpuint (score.speed_within, ==, 1);
  g_assert_cmpfloat_with_epsilon (vigil_box_score_speed_error (&score), (0.12 + 0.05) / 2,
                                  1e-12);
  g_assert_cmpfloat_with_epsilon (vigil_box_score_speed_within (&score), 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (vigil_box_score_speed_abs_error (&score), (6.0 + 2 + 3) / 3,
                                  1e-12);

  for (guint t = 0; t < VIGIL_N_VEHICLE_CLASSES; t++)
    for (guint d = 0; d < VIGIL_N_VEHICLE_CLASSES; d++)
      {
        guint64 expected = (t == VIGIL_VEHICLE_CAR && d == VIGIL_VEHICLE_CAR) ||
                           (t == VIGIL_VEHICLE_TRUCK && d == VIGIL_VEHICLE_BUS) ||
                           (t == VIGIL_VEHICLE_BUS && d == VIGIL_VEHICLE_BUS);

        g_assert_cmpuint (score.classes[t][d], ==, expected);
      }
  g_assert_cmpfloat_with_epsilon (vigil_box_score_class_accuracy (&score), 2.0 / 3, 1e-12);

  /* A second frame adds up: the motorcycle found, as a car, at its speed. */
  {
    const VigilDetection more[] = { box (300, VIGIL_VEHICLE_CAR, 60) };

    vigil_box_score_add (&score, more, 1, truth + 3, 1, NULL, VIGIL_EVAL_MIN_IOU);
  }
  g_assert_cmpuint (score.classes[VIGIL_VEHICLE_MOTORCYCLE][VIGIL_VEHICLE_CAR], ==, 1);
  g_assert_cmpfloat_with_epsilon (vigil_box_score_class_accuracy (&score), 2.0 / 4, 1e-12);
  g_assert_cmpuint (score.speed_within, ==, 2);
  g_assert_cmpfloat_with_epsilon (vigil_box_score_speed_error (&score), (0.12 + 0.05) / 3,
                                  1e-12);
}

/* A small generated camera through the camera's pipeline: speeds within the aim of issue 4,
 * classes scored on every matched box, and the CLI printing the same figures. */
static void
test_eval_generated (Fixture       *fx,
                     gconstpointer  data)
{
  g_autofree char *camera = g_build_filename (fx->dir, "cam_01", NULL);
  g_autofree char *speed = NULL;
  g_autofree char *accuracy = NULL;
  g_auto(GStrv) envp = NULL;
  g_auto(Result) r = { 0 };
  g_autoptr(GError) error = NULL;
  VigilTrafficGeneratorParams p;
  VigilBoxScore score;
  guint64 classed = 0, right = 0;

  vigil_traffic_generator_params_init (&p);
  p.n_frames = 250;
  p.width = 480;
  p.height = 270;
  p.seed = 5;
  g_assert_true (vigil_traffic_generate (fx->dir, &p, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (vigil_eval_generated (camera, NULL, &score, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (score.frames, ==, 250 - 32);   /* the detector's learning frames */
  g_assert_cmpfloat (vigil_box_score_recall (&score), >=, 0.8);
  g_assert_cmpuint (score.speed_n, >=, 500);
  g_assert_cmpfloat (vigil_box_score_speed_error (&score), <, VIGIL_EVAL_SPEED_TOLERANCE);
  g_assert_cmpfloat (vigil_box_score_speed_within (&score), >=, 0.8);
  for (guint t = 0; t < VIGIL_N_VEHICLE_CLASSES; t++)
    for (guint d = 0; d < VIGIL_N_VEHICLE_CLASSES; d++)
      {
        classed += score.classes[t][d];
        right += t == d ? score.classes[t][d] : 0;
      }
  g_assert_cmpuint (classed, ==, score.tp);
  g_assert_cmpfloat (vigil_box_score_class_accuracy (&score), ==, (double) right / classed);
  g_assert_cmpfloat (vigil_box_score_class_accuracy (&score), >=, 0.8);

  envp = cli_gstreamer_env (fx->dir);
  run_env (&r, envp, "evaluate", "traffic", "--generated", fx->dir, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "generated cam_01 frames=218 "));
  speed = g_strdup_printf (" speed_error=%.4f ", vigil_box_score_speed_error (&score));
  accuracy = g_strdup_printf (" class_accuracy=%.4f ",
                              vigil_box_score_class_accuracy (&score));
  g_assert_nonnull (strstr (r.out, speed));
  g_assert_nonnull (strstr (r.out, accuracy));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/traffic-generator/determinism", Fixture, NULL, fixture_setup,
              test_determinism, fixture_teardown);
  g_test_add ("/engine/traffic-generator/layout", Fixture, NULL, fixture_setup, test_layout,
              fixture_teardown);
  g_test_add ("/engine/traffic-generator/boxes-on-frames", Fixture, NULL, fixture_setup,
              test_boxes_on_frames, fixture_teardown);
  g_test_add ("/engine/traffic-generator/jam", Fixture, NULL, fixture_setup, test_jam,
              fixture_teardown);
  g_test_add ("/engine/traffic-generator/class-sizes-and-speeds", Fixture, NULL, fixture_setup,
              test_class_sizes_and_speeds, fixture_teardown);
  g_test_add ("/engine/traffic-generator/cli", Fixture, NULL, fixture_setup, test_cli,
              fixture_teardown);
  g_test_add_func ("/engine/traffic-eval/hand-made", test_eval_hand_made);
  g_test_add ("/engine/traffic-eval/generated", Fixture, NULL, fixture_setup,
              test_eval_generated, fixture_teardown);

  return g_test_run ();
}
