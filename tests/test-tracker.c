/* test-tracker.c
 *
 * The tracker on the generator's ground truth with noise and missed detections (identity
 * switches counted and bounded, speeds against the truth), birth and death by hand, external
 * ids, and the four-point homography.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "vigil-error.h"
#include "vigil-tracker.h"
#include "vigil-traffic-generator.h"

#define FPS 10

typedef struct
{
  guint  n_truth_tracks;       /* ground-truth vehicles seen by the tracker at least once */
  guint  switches;             /* a vehicle's tracker id changed */
  guint  merges;               /* a tracker id given to two vehicles */
  guint  n_speeds;             /* steady vehicles with a speed */
  guint  within_10pct;
  double sum_rel_error;
  guint  n_stopped;            /* vehicles standing still for over a second */
  double max_stopped_kmh;
  gint64 max_id;
  gboolean ids_in_order;       /* ids appear as 1, 2, 3, ... */
} Outcome;

static GArray *
frames_of_truth (const VigilTrafficGeneratorParams *p,
                 double                            *ppm)
{
  g_autoptr(VigilTrafficScene) scene = vigil_traffic_scene_new (p, 1);
  GArray *truth = g_array_new (FALSE, FALSE, sizeof (VigilTrafficTruth));

  while (vigil_traffic_scene_next (scene, truth, NULL))
    ;
  *ppm = vigil_traffic_scene_get_pixels_per_metre (scene);
  return truth;
}

/* The truth speed of @track at @frame, or -1. */
static double
truth_speed (GHashTable *speeds,
             gint64      track,
             guint64     frame)
{
  gint64 key = track * 100000 + (gint64) frame;
  double *v = g_hash_table_lookup (speeds, &key);

  return v != NULL ? *v : -1;
}

/* Runs the tracker over the truth as detections: boxes moved by gaussian noise of @noise
 * pixels, a share @miss of them dropped. */
static void
track_truth (GArray                 *truth,
             const VigilTrackerParams *params,
             const VigilCalibration *cal,
             double                  noise,
             double                  miss,
             guint                   width,
             guint                   height,
             Outcome                *out,
             GArray                 *speeds_out)
{
  g_autoptr(VigilTracker) tracker = vigil_tracker_new (params, cal);
  g_autoptr(GRand) rand = g_rand_new_with_seed (77);
  g_autoptr(GArray) dets = g_array_new (FALSE, FALSE, sizeof (VigilDetection));
  g_autoptr(GArray) truth_of = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) last_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                         g_free);
  g_autoptr(GHashTable) owner = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                       g_free);
  g_autoptr(GHashTable) speeds = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                        g_free);
  g_autoptr(GHashTable) stopped_since = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                               g_free, g_free);
  guint i = 0;

  memset (out, 0, sizeof *out);
  out->ids_in_order = TRUE;
  vigil_tracker_set_frame_size (tracker, width, height);
  for (guint k = 0; k < truth->len; k++)
    {
      const VigilTrafficTruth *t = &g_array_index (truth, VigilTrafficTruth, k);
      gint64 key = t->track_id * 100000 + (gint64) t->frame;

      g_hash_table_insert (speeds, g_memdup2 (&key, 8), g_memdup2 (&t->speed_kmh, 8));
    }

  while (i < truth->len)
    {
      guint64 frame = g_array_index (truth, VigilTrafficTruth, i).frame;
      gint64 time_us = g_array_index (truth, VigilTrafficTruth, i).time_us;

      g_array_set_size (dets, 0);
      g_array_set_size (truth_of, 0);
      for (; i < truth->len && g_array_index (truth, VigilTrafficTruth, i).frame == frame; i++)
        {
          const VigilTrafficTruth *t = &g_array_index (truth, VigilTrafficTruth, i);
          VigilDetection d = { .track_id = -1, .klass = t->klass, .speed_kmh = NAN };
          double dx = noise * g_rand_double_range (rand, -1.7, 1.7);
          double dy = noise * g_rand_double_range (rand, -1.7, 1.7);

          if (g_rand_double (rand) < miss || t->w < 3 || t->h < 3)
            continue;
          d.x = CLAMP (t->x + dx, 0, width);
          d.y = t->y + dy;
          d.w = MIN (t->w + noise * g_rand_double_range (rand, -1.7, 1.7), width - d.x);
          d.h = t->h + noise * g_rand_double_range (rand, -1.7, 1.7);
          g_array_append_val (dets, d);
          g_array_append_val (truth_of, i);
        }
      vigil_tracker_update (tracker, time_us, (VigilDetection *) (gpointer) dets->data,
                            dets->len);

      for (guint j = 0; j < dets->len; j++)
        {
          const VigilDetection *d = &g_array_index (dets, VigilDetection, j);
          const VigilTrafficTruth *t = &g_array_index (truth, VigilTrafficTruth,
                                                       g_array_index (truth_of, guint, j));
          gint64 *prev = g_hash_table_lookup (last_id, &t->track_id);
          gint64 *who = NULL;
          double before;

          if (d->track_id < 0)
            continue;
          if (d->track_id > out->max_id)
            {
              out->ids_in_order &= d->track_id == out->max_id + 1;
              out->max_id = d->track_id;
            }
          if (prev == NULL)
            {
              out->n_truth_tracks++;
              g_hash_table_insert (last_id, g_memdup2 (&t->track_id, 8),
                                   g_memdup2 (&d->track_id, 8));
            }
          else if (*prev != d->track_id)
            {
              out->switches++;
              *prev = d->track_id;
            }
          who = g_hash_table_lookup (owner, &d->track_id);
          if (who == NULL)
            g_hash_table_insert (owner, g_memdup2 (&d->track_id, 8), g_memdup2 (&t->track_id, 8));
          else if (*who != t->track_id)
            {
              out->merges++;
              *who = t->track_id;
            }

          if (speeds_out != NULL)
            g_array_append_val (speeds_out, d->speed_kmh);

          /* Speed against the truth where the truth held steady over the fitting window and
           * the box is whole. */
          before = truth_speed (speeds, t->track_id, t->frame >= FPS ? t->frame - FPS : 0);
          if (!isnan (d->speed_kmh) && t->frame >= FPS && before > 10 &&
              fabs (before - t->speed_kmh) < 0.01 * t->speed_kmh && t->x > 2 &&
              t->x + t->w < width - 2)
            {
              double rel = fabs (d->speed_kmh - t->speed_kmh) / t->speed_kmh;

              out->n_speeds++;
              out->within_10pct += rel <= 0.10;
              out->sum_rel_error += rel;
            }

          if (t->speed_kmh == 0)
            {
              gint64 *since = g_hash_table_lookup (stopped_since, &t->track_id);

              if (since == NULL)
                g_hash_table_insert (stopped_since, g_memdup2 (&t->track_id, 8),
                                     g_memdup2 (&t->time_us, 8));
              else if (t->time_us - *since > 1500000 && !isnan (d->speed_kmh))
                {
                  out->n_stopped++;
                  out->max_stopped_kmh = MAX (out->max_stopped_kmh, d->speed_kmh);
                }
            }
          else
            g_hash_table_remove (stopped_since, &t->track_id);
        }
    }
}

static void
jam_params (VigilTrafficGeneratorParams *p)
{
  vigil_traffic_generator_params_init (p);
  p->n_frames = 600;
  p->width = 320;
  p->height = 180;
  p->fps = FPS;
  p->seed = 3;
}

static void
test_ids_and_speeds (void)
{
  g_autoptr(GArray) truth = NULL;
  VigilTrafficGeneratorParams p;
  VigilCalibration cal;
  Outcome o;
  double ppm;

  jam_params (&p);
  truth = frames_of_truth (&p, &ppm);
  vigil_calibration_init_scale (&cal, ppm);
  track_truth (truth, NULL, &cal, 0.6, 0.05, p.width, p.height, &o, NULL);

  g_test_message ("%u vehicles, %u switches, %u merges, %u/%u speeds within 10 %%, mean "
                  "error %.2f %%, %u stopped (max %.2f km/h)", o.n_truth_tracks, o.switches,
                  o.merges, o.within_10pct, o.n_speeds, 100 * o.sum_rel_error / o.n_speeds,
                  o.n_stopped, o.max_stopped_kmh);
  g_assert_cmpuint (o.n_truth_tracks, >, 50);
  /* Identity switches and merges: at most 2 % of the vehicles each. */
  g_assert_cmpuint (o.switches * 50, <=, o.n_truth_tracks);
  g_assert_cmpuint (o.merges * 50, <=, o.n_truth_tracks);
  g_assert_true (o.ids_in_order);
  /* Steady vehicles: 98 % within 10 % of the truth, 2 % off on average. */
  g_assert_cmpuint (o.n_speeds, >, 300);
  g_assert_cmpuint (o.within_10pct * 100, >=, o.n_speeds * 98);
  g_assert_cmpfloat (o.sum_rel_error / o.n_speeds, <, 0.02);
  /* The queue stands still, and the speeds say so. */
  g_assert_cmpuint (o.n_stopped, >, 200);
  g_assert_cmpfloat (o.max_stopped_kmh, <, 5);
}

static void
test_flat_homography_agrees (void)
{
  g_autoptr(GArray) truth = NULL;
  g_autoptr(GArray) by_scale = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) by_plane = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  VigilTrafficGeneratorParams p;
  VigilCalibration scale, plane;
  Outcome a, b;
  double ppm;
  double image[8] = { 10, 20, 300, 25, 290, 170, 15, 160 };
  double ground[8];
  guint n_known = 0;

  jam_params (&p);
  p.n_frames = 200;
  truth = frames_of_truth (&p, &ppm);
  for (guint i = 0; i < 8; i++)
    ground[i] = image[i] / ppm;
  vigil_calibration_init_scale (&scale, ppm);
  g_assert_true (vigil_calibration_init_homography (&plane, image, ground, &error));
  g_assert_no_error (error);

  /* Exact boxes: the bottom centre the plane uses moves as the centre the scale uses. */
  track_truth (truth, NULL, &scale, 0, 0, p.width, p.height, &a, by_scale);
  track_truth (truth, NULL, &plane, 0, 0, p.width, p.height, &b, by_plane);
  g_assert_cmpuint (by_scale->len, ==, by_plane->len);
  for (guint i = 0; i < by_scale->len; i++)
    {
      double s = g_array_index (by_scale, double, i), h = g_array_index (by_plane, double, i);

      g_assert_cmpint (isnan (s), ==, isnan (h));
      if (!isnan (s))
        {
          g_assert_cmpfloat_with_epsilon (s, h, 1e-6);
          n_known++;
        }
    }
  g_assert_cmpuint (n_known, >, 1000);
  g_assert_cmpuint (a.switches, ==, 0);
}

static void
test_homography_points (void)
{
  /* A perspective view: a road 40 m long and 8 m wide seen narrowing towards the top. */
  const double image[8] = { 100, 400, 540, 400, 380, 120, 260, 120 };
  const double ground[8] = { 0, 0, 8, 0, 8, 40, 0, 40 };
  const double collinear[8] = { 0, 0, 1, 1, 2, 2, 5, 0 };
  g_autoptr(GError) error = NULL;
  double h[9], back[9];
  VigilCalibration cal;

  g_assert_true (vigil_homography_from_points (image, ground, h, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (h[8], ==, 1);
  for (guint i = 0; i < 4; i++)
    {
      double x, y;

      vigil_homography_apply (h, image[2 * i], image[2 * i + 1], &x, &y);
      g_assert_cmpfloat_with_epsilon (x, ground[2 * i], 1e-9);
      g_assert_cmpfloat_with_epsilon (y, ground[2 * i + 1], 1e-9);
    }
  /* Lines stay lines: the image midpoint of the near edge is the ground's. */
  {
    double x, y;

    vigil_homography_apply (h, 320, 400, &x, &y);
    g_assert_cmpfloat_with_epsilon (x, 4, 1e-9);
    g_assert_cmpfloat_with_epsilon (y, 0, 1e-9);
  }
  /* The inverse mapping composes to the identity. */
  g_assert_true (vigil_homography_from_points (ground, image, back, &error));
  for (guint i = 0; i < 4; i++)
    {
      double gx, gy, x, y;
      double px = 150 + 80 * i, py = 150 + 60 * i;

      vigil_homography_apply (h, px, py, &gx, &gy);
      vigil_homography_apply (back, gx, gy, &x, &y);
      g_assert_cmpfloat_with_epsilon (x, px, 1e-7);
      g_assert_cmpfloat_with_epsilon (y, py, 1e-7);
    }

  g_assert_true (vigil_calibration_init_homography (&cal, image, ground, &error));
  g_assert_true (cal.has_homography);
  {
    double x, y;

    g_assert_true (vigil_calibration_to_ground (&cal, 540, 400, &x, &y));
    g_assert_cmpfloat_with_epsilon (x, 8, 1e-9);
  }

  g_assert_false (vigil_homography_from_points (collinear, ground, h, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (vigil_calibration_init_homography (&cal, image, collinear, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
}

/* One box moving right by 5 pixels a frame, seen in the frames @seen says. */
static gint64
step_box (VigilTracker *tracker,
          guint         frame,
          gboolean      seen)
{
  VigilDetection d = { .track_id = -1, .klass = VIGIL_VEHICLE_CAR, .x = 20 + 5.0 * frame,
                       .y = 50, .w = 40, .h = 18, .speed_kmh = NAN };

  vigil_tracker_update (tracker, frame * 100000, &d, seen ? 1 : 0);
  return seen ? d.track_id : G_MININT64;
}

static void
test_birth_and_death (void)
{
  VigilTrackerParams params;
  VigilCalibration cal;
  g_autoptr(VigilTracker) tracker = NULL;
  const VigilTrack *tracks;
  guint n;

  vigil_tracker_params_init (&params);
  params.birth_hits = 3;
  params.death_misses = 4;
  vigil_calibration_init_scale (&cal, 10);
  tracker = vigil_tracker_new (&params, &cal);

  /* Tentative for two frames, an id at the third. */
  g_assert_cmpint (step_box (tracker, 0, TRUE), ==, -1);
  g_assert_cmpint (step_box (tracker, 1, TRUE), ==, -1);
  g_assert_cmpint (step_box (tracker, 2, TRUE), ==, 1);
  for (guint f = 3; f < 12; f++)
    g_assert_cmpint (step_box (tracker, f, TRUE), ==, 1);
  tracks = vigil_tracker_get_tracks (tracker, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (tracks[0].hits, ==, 12);
  g_assert_cmpfloat_with_epsilon (tracks[0].dwell_s, 1.1, 1e-9);
  /* 5 pixels per 0.1 s at 10 pixels per metre: 5 m/s, 18 km/h. */
  g_assert_cmpfloat_with_epsilon (tracks[0].speed_kmh, 18, 1e-9);

  /* Four missed frames are coasted through: the box comes back where it was heading. */
  for (guint f = 12; f < 16; f++)
    step_box (tracker, f, FALSE);
  g_assert_cmpint (step_box (tracker, 16, TRUE), ==, 1);
  /* Five are the end of it; the vehicle comes back as a new track. */
  for (guint f = 17; f < 22; f++)
    step_box (tracker, f, FALSE);
  vigil_tracker_get_tracks (tracker, &n);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpint (step_box (tracker, 22, TRUE), ==, -1);
  g_assert_cmpint (step_box (tracker, 23, TRUE), ==, -1);
  g_assert_cmpint (step_box (tracker, 24, TRUE), ==, 2);
  /* A tentative track that misses a frame is dropped. */
  g_assert_cmpint (vigil_tracker_get_next_id (tracker), ==, 3);
  step_box (tracker, 40, TRUE);
  step_box (tracker, 41, FALSE);
  vigil_tracker_get_tracks (tracker, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (vigil_tracker_get_tracks (tracker, NULL)[0].id, ==, 2);
}

static void
test_external_ids (void)
{
  g_autoptr(VigilTracker) tracker = NULL;
  VigilCalibration cal;
  const VigilTrack *tracks;
  guint n;

  vigil_calibration_init_scale (&cal, 5);
  tracker = vigil_tracker_new (NULL, &cal);
  for (guint f = 0; f < 40; f++)
    {
      VigilDetection d[2] = {
        { .track_id = 42, .klass = VIGIL_VEHICLE_BUS, .x = 10 + 2.0 * f, .y = 10, .w = 60,
          .h = 12, .speed_kmh = NAN },
        { .track_id = 7, .klass = f < 25 ? VIGIL_VEHICLE_TRUCK : VIGIL_VEHICLE_CAR,
          .x = 200, .y = 40, .w = 70, .h = 13, .speed_kmh = NAN },
      };

      vigil_tracker_update (tracker, 1000000 + f * 40000, d, 2);
      g_assert_cmpint (d[0].track_id, ==, 42);
      g_assert_cmpint (d[1].track_id, ==, 7);
      /* The class most detections had. */
      g_assert_cmpint (d[1].klass, ==, VIGIL_VEHICLE_TRUCK);
      /* Speeds once the track has been seen for most of the one-second window. */
      g_assert_cmpint (isnan (d[0].speed_kmh), ==, f < 20);
      if (f >= 20)
        {
          /* 2 pixels per 40 ms at 5 pixels per metre: 10 m/s. */
          g_assert_cmpfloat_with_epsilon (d[0].speed_kmh, 36, 1e-9);
          g_assert_cmpfloat_with_epsilon (d[1].speed_kmh, 0, 1e-9);
        }
    }
  tracks = vigil_tracker_get_tracks (tracker, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpfloat_with_epsilon (tracks[0].dwell_s, 1.56, 1e-9);
  g_assert_cmpint (vigil_tracker_get_next_id (tracker), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/tracker/ids-and-speeds", test_ids_and_speeds);
  g_test_add_func ("/engine/tracker/flat-homography-agrees", test_flat_homography_agrees);
  g_test_add_func ("/engine/tracker/homography-points", test_homography_points);
  g_test_add_func ("/engine/tracker/birth-and-death", test_birth_and_death);
  g_test_add_func ("/engine/tracker/external-ids", test_external_ids);

  return g_test_run ();
}
