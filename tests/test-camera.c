/* test-camera.c
 *
 * VigilCamera end to end: generated cameras through the whole pipeline into a store, the
 * stored rows against a recomputation from the stored detections, idempotent replays, masks,
 * failures, pushed and processed frames, the jam rule, classes by track, and
 * `vigil-cli replay traffic`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "vigil-alarm-machine.h"
#include "vigil-camera.h"
#include "vigil-error.h"
#include "vigil-road-mask.h"
#include "vigil-store.h"
#include "vigil-tracker.h"
#include "vigil-traffic-analytics.h"
#include "vigil-traffic-generator.h"
#include "vigil-test-cli.h"
#include "vigil-test-gstreamer.h"
#include "vigil-test-util.h"

#define WIDTH  192
#define HEIGHT 108
#define FRAMES 60
#define FPS    20

typedef struct
{
  char *dir;
  char *camera_dir;
  char *frames;
  char *mask;
  char *db;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  VigilTrafficGeneratorParams params;

  f->dir = g_dir_make_tmp ("vigil-camera-XXXXXX", &error);
  g_assert_no_error (error);
  f->camera_dir = g_build_filename (f->dir, "cam_01", NULL);
  f->frames = g_build_filename (f->camera_dir, VIGIL_TRAFFIC_FRAMES_DIR, NULL);
  f->mask = g_build_filename (f->camera_dir, VIGIL_TRAFFIC_MASK_FILE, NULL);
  f->db = g_build_filename (f->dir, "vigil.db", NULL);
  if (data == NULL)
    return;

  vigil_traffic_generator_params_init (&params);
  params.n_frames = FRAMES;
  params.width = WIDTH;
  params.height = HEIGHT;
  params.fps = FPS;
  params.seed = 7;
  g_assert_true (vigil_traffic_generate (f->dir, &params, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  vigil_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->camera_dir);
  g_free (f->frames);
  g_free (f->mask);
  g_free (f->db);
}

/* Replays the generated camera into @db; returns its session. */
static gint64
replay (Fixture    *f,
        const char *mask)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = vigil_store_open (f->db, &error);
  g_autoptr(VigilCamera) camera = vigil_camera_new ("cam_01", f->frames);
  g_autoptr(VigilCameraSnapshot) snapshot = NULL;
  gint64 session;

  g_assert_no_error (error);
  vigil_camera_set_fps (camera, FPS);
  vigil_camera_set_store (camera, store);
  if (mask != NULL)
    {
      g_assert_true (vigil_camera_set_mask_file (camera, mask, &error));
      g_assert_no_error (error);
    }
  g_assert_true (vigil_camera_start (camera, &error));
  g_assert_no_error (error);
  g_assert_cmpint (vigil_camera_wait (camera), ==, VIGIL_FRAME_SOURCE_FINISHED);
  vigil_camera_stop (camera);
  snapshot = vigil_camera_dup_snapshot (camera);
  g_assert_cmpuint (snapshot->n_frames, ==, FRAMES);
  g_assert_null (snapshot->error);
  g_assert_nonnull (snapshot->frame);
  g_assert_cmpuint (snapshot->frame->width, ==, WIDTH);
  session = vigil_camera_get_session_id (camera);
  g_assert_cmpint (session, >, 0);
  g_assert_true (vigil_store_close (store, &error));
  g_assert_no_error (error);

  return session;
}

static GArray *
read_rows (const char *db,
           gint64      session,
           gboolean    detections)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = vigil_store_open_readonly (db, &error);
  VigilStoreFilter filter;
  GArray *rows;

  g_assert_no_error (error);
  vigil_store_filter_init (&filter);
  filter.session_id = session;
  rows = detections ? vigil_store_read_detections (store, &filter, &error)
                    : vigil_store_read_traffic (store, &filter, FALSE, &error);
  g_assert_no_error (error);

  return rows;
}

static gboolean
bottom_centre_on (VigilFrame           *mask,
                  const VigilDetection *d)
{
  gint64 x = (gint64) floor (d->x + d->w / 2), y = (gint64) ceil (d->y + d->h) - 1;

  if (x < 0 || y < 0 || x >= mask->width || y >= mask->height)
    return FALSE;
  return mask->data[(gsize) y * mask->stride + (gsize) x] != 0;
}

/* Every second of the folder from the stored detections: vehicles in the mask per frame,
 * density from their areas, distinct tracks, mean speed. */
static void
check_seconds (GArray     *seconds,
               GArray     *detections,
               VigilFrame *mask)
{
  guint64 road = vigil_road_mask_count (mask);
  guint n_seconds = (FRAMES + FPS - 1) / FPS;

  g_assert_cmpuint (seconds->len, ==, n_seconds);
  for (guint s = 0; s < n_seconds; s++)
    {
      const VigilTrafficStats *row = &g_array_index (seconds, VigilTrafficStats, s);
      g_autoptr(GHashTable) tracks = g_hash_table_new (g_int64_hash, g_int64_equal);
      guint first = s * FPS, last = MIN (FRAMES, first + FPS);
      double vehicles = 0, density = 0, speed = 0;
      guint n_speed = 0;

      g_assert_cmpint (row->start_us, ==, (gint64) s * G_USEC_PER_SEC);
      g_assert_cmpuint (row->frames, ==, last - first);
      for (guint frame = first; frame < last; frame++)
        {
          double pixels = 0;

          for (guint i = 0; i < detections->len; i++)
            {
              const VigilStoreDetection *d = &g_array_index (detections, VigilStoreDetection, i);

              if (d->frame != frame || !bottom_centre_on (mask, &d->detection))
                continue;
              g_assert_cmpint (d->time_us, ==, (gint64) frame * G_USEC_PER_SEC / FPS);
              vehicles++;
              pixels += d->detection.area;
              if (d->detection.track_id >= 0)
                g_hash_table_add (tracks, (gpointer) &d->detection.track_id);
              if (!isnan (d->detection.speed_kmh))
                speed += d->detection.speed_kmh, n_speed++;
            }
          density += MIN (100.0, 100.0 * pixels / road);
        }
      g_assert_cmpfloat_with_epsilon (row->vehicles, vehicles / (last - first), 1e-9);
      g_assert_cmpfloat_with_epsilon (row->density_pct, density / (last - first), 1e-9);
      g_assert_cmpuint (row->unique_vehicles, ==, g_hash_table_size (tracks));
      if (n_speed == 0)
        g_assert_true (isnan (row->speed_kmh));
      else
        g_assert_cmpfloat_with_epsilon (row->speed_kmh, speed / n_speed, 1e-9);
    }
}

static void
test_generated_store (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) seconds = NULL;
  g_autoptr(GArray) detections = NULL;
  g_autoptr(GArray) again = NULL;
  g_autoptr(GArray) again_detections = NULL;
  g_autoptr(VigilFrame) mask = NULL;
  gint64 session, session2;

  session = replay (f, f->mask);
  seconds = read_rows (f->db, session, FALSE);
  detections = read_rows (f->db, session, TRUE);
  g_assert_cmpuint (detections->len, >, FRAMES / 2);

  mask = vigil_road_mask_load (f->mask, "cam_01", WIDTH, HEIGHT, 0, 0, &error);
  g_assert_no_error (error);
  check_seconds (seconds, detections, mask);

  /* Twice: the same session, the same rows. */
  session2 = replay (f, f->mask);
  g_assert_cmpint (session2, ==, session);
  again = read_rows (f->db, session, FALSE);
  again_detections = read_rows (f->db, session, TRUE);
  g_assert_cmpuint (again->len, ==, seconds->len);
  g_assert_cmpuint (again_detections->len, ==, detections->len);
  for (guint i = 0; i < seconds->len; i++)
    {
      VigilTrafficStats *a = &g_array_index (seconds, VigilTrafficStats, i);
      VigilTrafficStats *b = &g_array_index (again, VigilTrafficStats, i);

      g_assert_cmpint (a->start_us, ==, b->start_us);
      g_assert_cmpuint (a->frames, ==, b->frames);
      assert_same_double (a->vehicles, b->vehicles);
      assert_same_double (a->density_pct, b->density_pct);
      g_assert_cmpuint (a->unique_vehicles, ==, b->unique_vehicles);
    }
}

static void
test_missing_source (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "no-such-folder", NULL);
  g_autoptr(VigilCamera) bad = vigil_camera_new ("cam_02", missing);
  g_autoptr(VigilCamera) good = vigil_camera_new ("cam_01", f->frames);
  g_autoptr(VigilCameraSnapshot) bad_snapshot = NULL;
  g_autoptr(VigilCameraSnapshot) good_snapshot = NULL;

  vigil_camera_set_fps (good, FPS);
  g_assert_true (vigil_camera_set_mask_file (good, f->mask, &error));
  g_assert_no_error (error);
  g_assert_true (vigil_camera_start (bad, &error));
  g_assert_no_error (error);
  g_assert_true (vigil_camera_start (good, &error));
  g_assert_no_error (error);

  g_assert_cmpint (vigil_camera_wait (bad), ==, VIGIL_FRAME_SOURCE_FAILED);
  g_assert_cmpint (vigil_camera_wait (good), ==, VIGIL_FRAME_SOURCE_FINISHED);
  bad_snapshot = vigil_camera_dup_snapshot (bad);
  good_snapshot = vigil_camera_dup_snapshot (good);
  g_assert_cmpint (bad_snapshot->state, ==, VIGIL_FRAME_SOURCE_FAILED);
  g_assert_nonnull (bad_snapshot->error);
  g_assert_nonnull (strstr (bad_snapshot->error->message, "no-such-folder"));
  g_assert_cmpuint (bad_snapshot->n_frames, ==, 0);
  g_assert_cmpint (good_snapshot->state, ==, VIGIL_FRAME_SOURCE_FINISHED);
  g_assert_cmpuint (good_snapshot->n_frames, ==, FRAMES);
  g_assert_nonnull (good_snapshot->mask);
  /* Every second of the folder is in the history, the last one in the snapshot. */
  {
    g_autoptr(GArray) history = vigil_camera_dup_history (good, FALSE, G_MININT64, G_MAXINT64);

    g_assert_cmpuint (history->len, ==, (FRAMES + FPS - 1) / FPS);
    g_assert_cmpint (good_snapshot->second.start_us, ==,
                     g_array_index (history, VigilTrafficStats, history->len - 1).start_us);
  }
}

static void
test_bad_mask (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *bad = g_build_filename (f->dir, "broken-mask.json", NULL);
  g_autofree char *good = g_build_filename (f->dir, "good-mask.json", NULL);
  g_autoptr(VigilCamera) camera = vigil_camera_new ("cam_01", NULL);
  g_autoptr(VigilRoadShapes) shapes = vigil_road_shapes_new (WIDTH, HEIGHT);
  const double xy[] = { 0, 0, WIDTH - 1, 0, WIDTH - 1, HEIGHT - 1, 0, HEIGHT - 1 };

  vigil_road_shapes_add (shapes, "road", xy, 4);
  g_assert_true (vigil_road_shapes_save (shapes, good, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (bad, "{\"shapes\": 12", -1, NULL));

  g_assert_true (vigil_camera_set_mask_file (camera, good, &error));
  g_assert_no_error (error);
  g_assert_false (vigil_camera_set_mask_file (camera, bad, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "broken-mask.json"));
  g_assert_cmpstr (vigil_camera_get_mask_file (camera), ==, good);
}

static VigilDetection
box (double x,
     double y,
     double w,
     double h)
{
  VigilDetection d = { -1, VIGIL_VEHICLE_CAR, x, y, w, h, 0, NAN };

  return d;
}

/* Frames processed on the caller's thread into batches; a mask that changes between two
 * frames counts the second one with the new road. */
static void
test_process_and_mask_change (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *left = g_build_filename (f->dir, "left.json", NULL);
  g_autoptr(VigilCamera) camera = vigil_camera_new ("cam_09", NULL);
  g_autoptr(VigilRoadShapes) shapes = vigil_road_shapes_new (100, 50);
  g_autoptr(VigilStoreBatch) batch = vigil_store_batch_new (1);
  g_autoptr(VigilCameraSnapshot) snapshot = NULL;
  const double xy[] = { 0, 0, 49, 0, 49, 49, 0, 49 };
  /* One vehicle on each half: 10 x 10 pixels. */
  VigilDetection two[] = { box (10, 20, 10, 10), box (70, 20, 10, 10) };
  const VigilTrafficStats *row;

  vigil_road_shapes_add (shapes, "road", xy, 4);
  g_assert_true (vigil_road_shapes_save (shapes, left, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < 10; i++)
    {
      g_assert_true (vigil_camera_process_frame (camera, NULL, i * 100000, 100, 50, two, 2,
                                                 batch, &error));
      g_assert_no_error (error);
    }
  g_assert_true (vigil_camera_set_mask_file (camera, left, &error));
  g_assert_no_error (error);
  for (guint i = 10; i < 20; i++)
    {
      g_assert_true (vigil_camera_process_frame (camera, NULL, i * 100000, 100, 50, two, 2,
                                                 batch, &error));
      g_assert_no_error (error);
    }
  vigil_camera_advance (camera, G_MAXINT64, batch);

  g_assert_cmpuint (batch->detections->len, ==, 40);
  g_assert_cmpuint (batch->traffic_seconds->len, ==, 2);
  row = &g_array_index (batch->traffic_seconds, VigilTrafficStats, 0);
  g_assert_cmpuint (row->frames, ==, 10);
  g_assert_cmpfloat (row->vehicles, ==, 2);
  g_assert_cmpfloat_with_epsilon (row->density_pct, 100.0 * 200 / 5000, 1e-9);
  row = &g_array_index (batch->traffic_seconds, VigilTrafficStats, 1);
  g_assert_cmpfloat (row->vehicles, ==, 1);
  g_assert_cmpfloat_with_epsilon (row->density_pct, 100.0 * 100 / 2500, 1e-9);
  g_assert_cmpuint (g_array_index (batch->detections, VigilStoreDetection, 39).frame, ==, 19);

  snapshot = vigil_camera_dup_snapshot (camera);
  g_assert_cmpuint (snapshot->n_frames, ==, 20);
  g_assert_nonnull (snapshot->mask);
  g_assert_cmpuint (vigil_road_mask_count (snapshot->mask), ==, 2500);
  g_assert_cmpint (snapshot->second.start_us, ==, G_USEC_PER_SEC);
}

/* The two traffic_data forms, pushed to a started camera, count as the same vehicles. */
static void
test_pushed_kafka (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  VigilKafkaPoint points[] = { { 10, 20 }, { 20, 20 }, { 20, 30 }, { 10, 30 } };
  VigilKafkaPolygon polygon = { 0, 4 };
  VigilKafkaObject with_polygon = { .track_id = 5, .class_id = 2, .first_polygon = 0,
                                    .n_polygons = 1 };
  VigilKafkaObject with_box = { .track_id = -1, .class_id = 2, .has_bbox = TRUE,
                                .bbox = { 0.15, 0.5, 0.1, 0.2 } };
  VigilKafkaTraffic old_form = { "cam_05", 0, NULL, NULL, 0, &with_polygon, 1, &polygon, 1,
                                 points, 4 };
  VigilKafkaTraffic new_form = { "cam_05", 0, NULL, NULL, 0, &with_box, 1, NULL, 0, NULL, 0 };
  VigilCameraSnapshot *snapshots[2];

  for (guint form = 0; form < 2; form++)
    {
      g_autoptr(VigilCamera) camera = vigil_camera_new ("cam_05", NULL);
      g_autoptr(GArray) detections = g_array_new (FALSE, FALSE, sizeof (VigilDetection));
      g_autoptr(GArray) history = NULL;
      const VigilTrafficStats *row;

      g_assert_true (vigil_traffic_detections_from_kafka (form == 0 ? &old_form : &new_form, 100,
                                                          50, detections, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (vigil_camera_start (camera, &error));
      g_assert_no_error (error);
      for (guint i = 0; i < 30; i++)
        {
          g_assert_true (vigil_camera_push_frame (camera, NULL, i * 100000, 100, 50,
                                                  (VigilDetection *) (gpointer) detections->data,
                                                  detections->len, &error));
          g_assert_no_error (error);
        }
      g_assert_cmpint (vigil_camera_wait (camera), ==, VIGIL_FRAME_SOURCE_FINISHED);
      history = vigil_camera_dup_history (camera, FALSE, G_MININT64, G_MAXINT64);
      g_assert_cmpuint (history->len, ==, 3);
      row = &g_array_index (history, VigilTrafficStats, 0);
      g_assert_cmpuint (row->frames, ==, 10);
      g_assert_cmpfloat (row->vehicles, ==, 1);
      /* Both forms cover the pixel centres 10..19 x 20..29 of a 100 x 50 road. */
      g_assert_cmpfloat_with_epsilon (row->density_pct, 2.0, 1e-9);
      g_assert_cmpfloat (row->per_class_vehicles[VIGIL_VEHICLE_BUS], ==, 1);
      snapshots[form] = vigil_camera_dup_snapshot (camera);
    }
  g_assert_cmpuint (snapshots[0]->n_frames, ==, 30);
  g_assert_cmpuint (snapshots[1]->n_frames, ==, 30);
  /* The polygon's track id is kept; the box's track comes from the tracker. */
  g_assert_cmpint (g_array_index (snapshots[0]->detections, VigilDetection, 0).track_id, ==, 5);
  g_assert_cmpint (g_array_index (snapshots[1]->detections, VigilDetection, 0).track_id, ==, 1);
  vigil_camera_snapshot_free (snapshots[0]);
  vigil_camera_snapshot_free (snapshots[1]);
}

/* A jam of @jam_s seconds (the whole frame covered: JAMMED without calibration) in a
 * stream at 1 frame/s, then a minute of free road: the raises of traffic_jammed. */
static GArray *
jam_raises (guint jam_s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilCamera) camera = vigil_camera_new ("cam_07", NULL);
  g_autoptr(VigilStoreBatch) batch = vigil_store_batch_new (1);
  VigilDetection full = box (0, 0, 100, 50);
  GArray *raises = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 start = 1000 * G_USEC_PER_SEC;

  for (guint s = 0; s < 10 + jam_s + 60; s++)
    {
      gboolean jammed = s >= 10 && s < 10 + jam_s;

      g_assert_true (vigil_camera_process_frame (camera, NULL, start + s * G_USEC_PER_SEC, 100,
                                                 50, &full, jammed ? 1 : 0, batch, &error));
      g_assert_no_error (error);
    }
  vigil_camera_advance (camera, G_MAXINT64, batch);
  for (guint i = 0; i < batch->transitions->len; i++)
    {
      const VigilAlarmTransition *t = &g_array_index (batch->transitions,
                                                      VigilAlarmTransition, i);

      g_assert_cmpuint (t->key, ==, VIGIL_KEY_CAMERA);
      if (g_str_equal (t->rule, "traffic_jammed") && t->to == VIGIL_ALARM_ACTIVE_UNACKED &&
          t->from != VIGIL_ALARM_ACTIVE_UNACKED)
        g_array_append_val (raises, t->at_us);
    }
  return raises;
}

static void
test_jam_rule (void)
{
  g_autoptr(GArray) long_jam = jam_raises (150);
  g_autoptr(GArray) short_jam = jam_raises (90);
  gint64 jam_start = (1000 + 10) * G_USEC_PER_SEC;

  g_assert_cmpuint (long_jam->len, ==, 1);
  g_assert_cmpint (g_array_index (long_jam, gint64, 0), ==, jam_start + 120 * G_USEC_PER_SEC);
  g_assert_cmpuint (short_jam->len, ==, 0);
}

static VigilDetection
sized (double x,
       double w,
       gint64 track_id)
{
  return (VigilDetection) { track_id, VIGIL_VEHICLE_CAR, x, 40, w, 25, 0, NAN };
}

/* Classes one frame's detections as the camera does: by each box, then (the tracker having
 * given ids) by track. Every detection arrives as a car, as the tracker's majority could. */
static void
classify (VigilVehicleSizer *sizer,
          VigilDetection    *d,
          guint              n)
{
  vigil_vehicle_sizer_classify (sizer, d, n);
  for (guint i = 0; i < n; i++)
    d[i].klass = VIGIL_VEHICLE_CAR;
  vigil_vehicle_sizer_classify_tracks (sizer, d, n);
}

/* 10 px per metre on a 300 x 100 frame: a side within 3 px of the edge is cut. */
static void
test_sizer_tracks (void)
{
  g_autoptr(VigilVehicleSizer) sizer = vigil_vehicle_sizer_new ();
  g_autoptr(VigilVehicleSizer) relative = vigil_vehicle_sizer_new ();
  VigilCalibration calibration;
  VigilDetection d[4];

  vigil_calibration_init_scale (&calibration, 10);
  vigil_vehicle_sizer_set_calibration (sizer, &calibration);
  vigil_vehicle_sizer_set_frame_size (sizer, 300, 100);

  /* Track 1, a 14 m truck seen whole, then leaving on the right (10 m of it, then 4 m);
   * track 2 only ever cut on the left (5 m, 9 m, 3 m); track 3 a car whose box once took in
   * the car behind; a tentative 2 m box. */
  d[0] = sized (50, 140, 1), d[1] = sized (0, 50, 2), d[2] = sized (100, 45, 3);
  d[3] = sized (200, 20, -1);
  classify (sizer, d, 4);
  g_assert_cmpint (d[0].klass, ==, VIGIL_VEHICLE_TRUCK);
  g_assert_cmpint (d[1].klass, ==, VIGIL_VEHICLE_CAR);
  g_assert_cmpint (d[2].klass, ==, VIGIL_VEHICLE_CAR);
  g_assert_cmpint (d[3].klass, ==, VIGIL_VEHICLE_CAR);  /* left as the tracker said */

  d[0] = sized (200, 100, 1), d[1] = sized (0, 90, 2), d[2] = sized (110, 90, 3);
  classify (sizer, d, 3);
  g_assert_cmpint (d[0].klass, ==, VIGIL_VEHICLE_TRUCK);
  g_assert_cmpint (d[1].klass, ==, VIGIL_VEHICLE_BUS);
  g_assert_cmpint (d[2].klass, ==, VIGIL_VEHICLE_CAR);  /* one vote of bus against one of car:
                                                        * the first class wins the tie */
  d[0] = sized (260, 40, 1), d[1] = sized (0, 30, 2), d[2] = sized (120, 45, 3);
  classify (sizer, d, 3);
  g_assert_cmpint (d[0].klass, ==, VIGIL_VEHICLE_TRUCK);
  g_assert_cmpint (d[1].klass, ==, VIGIL_VEHICLE_BUS);
  g_assert_cmpint (d[2].klass, ==, VIGIL_VEHICLE_CAR);

  /* Relative sizes leave cut boxes out of the median: with them it would be 20 px, and the
   * 100 px box 22 m long. */
  vigil_vehicle_sizer_set_frame_size (relative, 300, 100);
  {
    VigilDetection many[9];

    for (guint i = 0; i < 5; i++)
      many[i] = sized (i % 2 == 0 ? 0 : 280, 20, -1);
    for (guint i = 5; i < 8; i++)
      many[i] = sized (40 * i - 100, 45, -1);
    many[8] = sized (160, 100, -1);
    vigil_vehicle_sizer_classify (relative, many, 9);
    g_assert_cmpint (many[5].klass, ==, VIGIL_VEHICLE_CAR);
    g_assert_cmpint (many[8].klass, ==, VIGIL_VEHICLE_BUS);   /* 10 m x 2.5 m */
  }
}

static void
test_cli_replay (Fixture       *f,
                 gconstpointer  data)
{
  g_auto(Result) r = { 0 };
  g_auto(Result) bad = { 0 };
  g_autofree char *missing = g_build_filename (f->dir, "nowhere.json", NULL);
  g_autoptr(GArray) seconds = NULL;
  g_autoptr(GArray) detections = NULL;
  g_autofree char *expected = NULL;
  g_auto(GStrv) envp = cli_gstreamer_env (f->dir);

  run_env (&r, envp, "replay", "traffic", f->frames, "--camera", "cam_01", "--mask", f->mask,
           "--fps", "20", "--db", f->db, NULL);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpint (r.status, ==, 0);
  seconds = read_rows (f->db, 0, FALSE);
  detections = read_rows (f->db, 0, TRUE);
  expected = g_strdup_printf ("replay: frames=%u detections=%u seconds=%u minutes=",
                              FRAMES, detections->len, seconds->len);
  g_assert_true (g_str_has_prefix (r.out, expected));
  g_assert_cmpuint (seconds->len, ==, (FRAMES + FPS - 1) / FPS);

  run_env (&bad, envp, "replay", "traffic", f->frames, "--camera", "cam_01", "--mask", missing,
           "--db", f->db, NULL);
  g_assert_cmpint (bad.status, ==, 1);
  g_assert_nonnull (strstr (bad.err, "nowhere.json"));

  /* Without a calibration no speed is known. */
  for (guint i = 0; i < detections->len; i++)
    g_assert_true (isnan (g_array_index (detections, VigilStoreDetection, i).detection.speed_kmh));
}

/* Replays the generated camera with a scale calibration into its own store; returns the
 * stored detections. */
static GArray *
replay_scaled (Fixture    *f,
               const char *pixels_per_metre,
               char      **envp)
{
  g_auto(Result) r = { 0 };
  g_autofree char *name = g_strdup_printf ("scaled-%s.db", pixels_per_metre);
  g_autofree char *db = g_build_filename (f->dir, name, NULL);

  run_env (&r, envp, "replay", "traffic", f->frames, "--camera", "cam_01", "--mask", f->mask,
           "--fps", "20", "--pixels-per-metre", pixels_per_metre, "--db", db, NULL);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpint (r.status, ==, 0);

  return read_rows (db, 0, TRUE);
}

/* --pixels-per-metre calibrates the camera: a scale twice as fine gives every tracked vehicle
 * half the speed, and the same boxes and tracks. */
static void
test_cli_replay_scale (Fixture       *f,
                       gconstpointer  data)
{
  g_auto(GStrv) envp = cli_gstreamer_env (f->dir);
  g_autoptr(GArray) coarse = replay_scaled (f, "8", envp);
  g_autoptr(GArray) fine = replay_scaled (f, "16", envp);
  const char *bad_values[] = { "0", "-3", "nan", "inf", "8px", "" };
  guint known = 0;

  g_assert_cmpuint (coarse->len, >, 0);
  g_assert_cmpuint (coarse->len, ==, fine->len);
  for (guint i = 0; i < coarse->len; i++)
    {
      const VigilStoreDetection *a = &g_array_index (coarse, VigilStoreDetection, i);
      const VigilStoreDetection *b = &g_array_index (fine, VigilStoreDetection, i);

      g_assert_cmpint (a->frame, ==, b->frame);
      g_assert_cmpint (a->detection.track_id, ==, b->detection.track_id);
      g_assert_cmpfloat (a->detection.x, ==, b->detection.x);
      g_assert_cmpfloat (a->detection.w, ==, b->detection.w);
      g_assert_cmpint (isnan (a->detection.speed_kmh), ==, isnan (b->detection.speed_kmh));
      if (isnan (a->detection.speed_kmh))
        continue;
      known++;
      g_assert_cmpfloat_with_epsilon (a->detection.speed_kmh, 2 * b->detection.speed_kmh,
                                      1e-9 * (1 + a->detection.speed_kmh));
    }
  /* Vehicles move in the generated scene: most tracked boxes have a speed. */
  g_assert_cmpuint (known, >, coarse->len / 2);

  for (guint i = 0; i < G_N_ELEMENTS (bad_values); i++)
    {
      g_auto(Result) bad = { 0 };

      run_env (&bad, envp, "replay", "traffic", f->frames, "--camera", "cam_01",
               "--pixels-per-metre", bad_values[i], "--db", f->db, NULL);
      g_assert_cmpint (bad.status, ==, 2);
      g_assert_nonnull (strstr (bad.err, "--pixels-per-metre must be a positive number"));
    }
  /* Refused before anything was opened: no store was created. */
  g_assert_false (g_file_test (f->db, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/camera/generated-store", Fixture, "gen", fixture_set_up,
              test_generated_store, fixture_tear_down);
  g_test_add ("/engine/camera/missing-source", Fixture, "gen", fixture_set_up,
              test_missing_source, fixture_tear_down);
  g_test_add ("/engine/camera/bad-mask", Fixture, NULL, fixture_set_up, test_bad_mask,
              fixture_tear_down);
  g_test_add ("/engine/camera/process-mask-change", Fixture, NULL, fixture_set_up,
              test_process_and_mask_change, fixture_tear_down);
  g_test_add ("/engine/camera/pushed-kafka", Fixture, NULL, fixture_set_up, test_pushed_kafka,
              fixture_tear_down);
  g_test_add_func ("/engine/camera/jam-rule", test_jam_rule);
  g_test_add_func ("/engine/camera/sizer-tracks", test_sizer_tracks);
  g_test_add ("/engine/camera/cli-replay", Fixture, "gen", fixture_set_up, test_cli_replay,
              fixture_tear_down);
  g_test_add ("/engine/camera/cli-replay-scale", Fixture, "gen", fixture_set_up,
              test_cli_replay_scale, fixture_tear_down);

  return g_test_run ();
}
