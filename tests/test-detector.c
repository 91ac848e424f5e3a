/* test-detector.c
 *
 * Vigil's vehicle detector: the CDnet 2014 highway F-measure through the library, scored here
 * by the test's own code (not vigil-traffic-eval); a synthetic vehicle that stops in a queue
 * and stays detected; detections only inside the road mask; determinism; bad parameters.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "vigil-detector.h"
#include "vigil-error.h"
#include "vigil-image.h"
#include "vigil-test-gstreamer.h"

/* CDnet's rule, written out here: 255 positive, 0 and 50 negative, 85 and 170 not scored,
 * frames 470..1700 (temporalROI.txt), pooled over all frames. */
static void
test_cdnet_highway (void)
{
  const char *data = g_getenv ("VIGIL_SHARED_DATA");
  g_autofree char *dir = NULL;
  g_autoptr(VigilDetector) detector = NULL;
  g_autoptr(GError) error = NULL;
  guint64 tp = 0, fp = 0, fn = 0;
  double precision, recall, f;

  g_assert_nonnull (data);
  dir = g_build_filename (data, "traffic", "cdnet2014-highway", NULL);
  detector = vigil_detector_new (NULL, &error);
  g_assert_no_error (error);

  for (guint n = 1; n <= 1700; n++)
    {
      g_autofree char *in_name = g_strdup_printf ("input/in%06u.jpg", n);
      g_autofree char *in_path = g_build_filename (dir, in_name, NULL);
      g_autoptr(VigilFrame) frame = vigil_image_load (in_path, VIGIL_FRAME_GRAY8, &error);
      g_autoptr(GArray) found = NULL;
      g_autoptr(VigilFrame) fg = NULL;
      g_autoptr(VigilFrame) gt = NULL;
      g_autofree char *gt_name = NULL;
      g_autofree char *gt_path = NULL;

      g_assert_no_error (error);
      found = vigil_detector_process (detector, frame, NULL, &error);
      g_assert_no_error (error);
      if (n < 470)
        continue;

      gt_name = g_strdup_printf ("groundtruth/gt%06u.png", n);
      gt_path = g_build_filename (dir, gt_name, NULL);
      gt = vigil_image_load (gt_path, VIGIL_FRAME_GRAY8, &error);
      g_assert_no_error (error);
      fg = vigil_detector_get_foreground (detector);
      g_assert_cmpuint (fg->width, ==, gt->width);
      g_assert_cmpuint (fg->height, ==, gt->height);
      for (guint y = 0; y < gt->height; y++)
        for (guint x = 0; x < gt->width; x++)
          {
            guint8 label = gt->data[y * gt->stride + x];
            gboolean on = fg->data[y * fg->stride + x] != 0;

            /* The palette PNG's levels must come through the decoder exactly. */
            g_assert_true (label == 0 || label == 50 || label == 85 || label == 170 ||
                           label == 255);
            if (label == 255)
              {
                tp += on;
                fn += !on;
              }
            else if (label == 0 || label == 50)
              fp += on;
          }
    }

  precision = (double) tp / (double) (tp + fp);
  recall = (double) tp / (double) (tp + fn);
  f = 2 * precision * recall / (precision + recall);
  g_test_message ("CDnet highway: precision %.4f recall %.4f F %.4f", precision, recall, f);
  g_assert_cmpfloat (f, >=, 0.92);
}

/* A synthetic road: textured grey with sensor noise (a fixed xorshift, so every run is the
 * same), and dark vehicles as rectangles. */
typedef struct
{
  guint   width;
  guint   height;
  guint32 state;
} Scene;

static guint32
next_random (Scene *scene)
{
  scene->state ^= scene->state << 13;
  scene->state ^= scene->state >> 17;
  scene->state ^= scene->state << 5;
  return scene->state;
}

typedef struct
{
  double x, y, w, h;
  guint8 level;
} Car;

static VigilFrame *
render (Scene     *scene,
        const Car *cars,
        guint      n_cars)
{
  VigilFrame *frame = vigil_frame_new (VIGIL_FRAME_GRAY8, scene->width, scene->height);

  for (guint y = 0; y < scene->height; y++)
    for (guint x = 0; x < scene->width; x++)
      {
        int v = 120 + (int) ((x * 7 + y * 13) % 23);   /* asphalt texture */

        for (guint k = 0; k < n_cars; k++)
          if (x >= cars[k].x && x < cars[k].x + cars[k].w && y >= cars[k].y &&
              y < cars[k].y + cars[k].h)
            v = cars[k].level + (int) ((x + y) % 5);
        v += (int) (next_random (scene) % 7) - 3;          /* noise +-3 */
        frame->data[y * frame->stride + x] = (guint8) CLAMP (v, 0, 255);
      }
  return frame;
}

static double
iou (const VigilDetection *d,
     const Car            *c)
{
  double ix = MIN (d->x + d->w, c->x + c->w) - MAX (d->x, c->x);
  double iy = MIN (d->y + d->h, c->y + c->h) - MAX (d->y, c->y);

  if (ix <= 0 || iy <= 0)
    return 0;
  return ix * iy / (d->w * d->h + c->w * c->h - ix * iy);
}

static gboolean
found_car (GArray    *detections,
           const Car *car)
{
  for (guint i = 0; i < detections->len; i++)
    if (iou (&g_array_index (detections, VigilDetection, i), car) >= 0.7)
      return TRUE;
  return FALSE;
}

/* Drives @car off to the right at 4 px a frame from where it stood at @from_x. Once it is
 * clear of that place (by more than the 2 px the cleanup can join), the car is the only
 * detection: the road it uncovered is not one. */
static void
drive_away (VigilDetector *detector,
            Scene         *scene,
            Car           *car,
            double         from_x)
{
  while (car->x < scene->width)
    {
      g_autoptr(VigilFrame) frame = NULL;
      g_autoptr(GArray) found = NULL;

      car->x += 4;
      frame = render (scene, car, 1);
      found = vigil_detector_process (detector, frame, NULL, NULL);
      if (car->x < from_x + car->w + 8)
        continue;
      if (car->x + car->w <= scene->width)
        {
          g_assert_cmpuint (found->len, ==, 1);
          g_assert_true (found_car (found, car));
        }
      else
        g_assert_cmpuint (found->len, <=, 1);
    }
}

/* A car drives in, stops for 60 s at 30 frames/s (1800 frames) in a queue, and drives away:
 * it is found in every frame of the stop. The background under it learns one level every
 * foreground_period (64) frames, so it has moved 1800 / 64 = 28 levels towards the car when
 * the car leaves: the road it uncovers is 28 levels from the model, 11 above the threshold
 * (17), so without ghost handling it would stay a phantom vehicle for 11 x 64 = 704 frames.
 * Once the car has cleared its place, the only detection is the car itself, and once it has
 * left the frame there is none. */
static void
test_stopped_vehicle (void)
{
  Scene scene = { 200, 120, 2463534242u };
  g_autoptr(VigilDetector) detector = vigil_detector_new (NULL, NULL);
  Car car = { -40, 50, 36, 20, 50 };
  guint frame_index = 0;

  /* An empty road to learn. */
  for (; frame_index < 100; frame_index++)
    {
      g_autoptr(VigilFrame) frame = render (&scene, NULL, 0);
      g_autoptr(GArray) found = vigil_detector_process (detector, frame, NULL, NULL);

      if (frame_index >= 40)
        g_assert_cmpuint (found->len, ==, 0);
    }
  /* Drive in at 2 px a frame to x = 80. */
  while (car.x < 80)
    {
      g_autoptr(VigilFrame) frame = NULL;
      g_autoptr(GArray) found = NULL;

      car.x += 2;
      frame = render (&scene, &car, 1);
      found = vigil_detector_process (detector, frame, NULL, NULL);
      if (car.x >= 2 && car.x + car.w <= scene.width)
        g_assert_true (found_car (found, &car));
    }
  for (guint i = 0; i < 1800; i++)
    {
      g_autoptr(VigilFrame) frame = render (&scene, &car, 1);
      g_autoptr(GArray) found = vigil_detector_process (detector, frame, NULL, NULL);

      if (!found_car (found, &car))
        g_error ("the stopped car was lost after %u frames", i);
      g_assert_cmpuint (found->len, ==, 1);
    }
  drive_away (detector, &scene, &car, car.x);
  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(VigilFrame) frame = render (&scene, NULL, 0);
      g_autoptr(GArray) found = vigil_detector_process (detector, frame, NULL, NULL);

      g_assert_cmpuint (found->len, ==, 0);
    }
}

/* A car already standing in the first frame is learned as road, all 70 levels of it; when it
 * drives off, the road it uncovers would stay a phantom vehicle for (70 - 17) x 64 = 3392
 * frames (two minutes at 30 frames/s) without ghost handling. */
static void
test_ghost_at_start (void)
{
  Scene scene = { 200, 120, 88675123u };
  g_autoptr(VigilDetector) detector = vigil_detector_new (NULL, NULL);
  Car car = { 60, 50, 36, 20, 50 };

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(VigilFrame) frame = render (&scene, &car, 1);
      g_autoptr(GArray) found = vigil_detector_process (detector, frame, NULL, NULL);

      /* Learned: nothing moves, nothing to report. */
      if (i >= 40)
        g_assert_cmpuint (found->len, ==, 0);
    }
  drive_away (detector, &scene, &car, car.x);
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(VigilFrame) frame = render (&scene, NULL, 0);
      g_autoptr(GArray) found = vigil_detector_process (detector, frame, NULL, NULL);

      g_assert_cmpuint (found->len, ==, 0);
    }
}

/* Two cars: one on the road (the lower half), one beside it. Only the first is reported, and
 * the foreground is empty off the road. */
static void
test_inside_mask (void)
{
  Scene scene = { 160, 120, 88172645u };
  g_autoptr(VigilDetector) detector = vigil_detector_new (NULL, NULL);
  g_autoptr(VigilFrame) mask = vigil_frame_new (VIGIL_FRAME_GRAY8, 160, 120);
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilFrame) wrong = vigil_frame_new (VIGIL_FRAME_GRAY8, 80, 60);
  GArray *none;
  guint seen = 0;

  for (guint y = 60; y < 120; y++)
    memset (mask->data + y * mask->stride, 255, 160);

  for (guint i = 0; i < 140; i++)
    {
      Car cars[2] = {
        { -30 + 2.0 * MAX ((int) i - 60, 0), 80, 28, 16, 40 },   /* on the road */
        { -30 + 2.0 * MAX ((int) i - 60, 0), 15, 28, 16, 40 },   /* off it */
      };
      g_autoptr(VigilFrame) frame = render (&scene, cars, 2);
      g_autoptr(GArray) found = vigil_detector_process (detector, frame, mask, &error);
      g_autoptr(VigilFrame) fg = NULL;

      g_assert_no_error (error);
      for (guint k = 0; k < found->len; k++)
        {
          const VigilDetection *d = &g_array_index (found, VigilDetection, k);

          g_assert_cmpfloat (d->y, >=, 60);
          g_assert_cmpint (d->track_id, ==, -1);
          g_assert_true (isnan (d->speed_kmh));
          g_assert_cmpuint (d->area, <=, (guint) (d->w * d->h));
        }
      seen += found_car (found, &cars[0]);
      fg = vigil_detector_get_foreground (detector);
      for (guint y = 0; y < 60; y++)
        for (guint x = 0; x < 160; x++)
          g_assert_cmpuint (fg->data[y * fg->stride + x], ==, 0);
    }
  /* The road car is fully in view from frame 76 to 139 (x from 2 to 130). */
  g_assert_cmpuint (seen, >=, 60);

  none = vigil_detector_process (detector, mask, wrong, &error);
  g_assert_null (none);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
}

static GString *
run_sequence (guint scale)
{
  Scene scene = { 160, 120, 1234567u };
  VigilDetectorParams params;
  g_autoptr(VigilDetector) detector = NULL;
  GString *log = g_string_new (NULL);

  vigil_detector_params_init (&params);
  params.analysis_scale = scale;
  detector = vigil_detector_new (&params, NULL);
  for (guint i = 0; i < 120; i++)
    {
      Car cars[2] = {
        { -30 + 2.5 * i, 30, 26, 14, 45 },
        { 170 - 1.5 * i, 80, 30, 18, 210 },
      };
      g_autoptr(VigilFrame) frame = render (&scene, cars, 2);
      g_autoptr(GArray) found = vigil_detector_process (detector, frame, NULL, NULL);
      g_autoptr(VigilFrame) fg = vigil_detector_get_foreground (detector);

      for (guint k = 0; k < found->len; k++)
        {
          const VigilDetection *d = &g_array_index (found, VigilDetection, k);

          g_string_append_printf (log, "%u %g %g %g %g %u\n", i, d->x, d->y, d->w, d->h,
                                  d->area);
        }
      for (guint y = 0; y < 120; y++)
        for (guint x = 0; x < 160; x++)
          g_string_append_c (log, fg->data[y * fg->stride + x] != 0 ? '1' : '0');
      g_string_append_c (log, '\n');
    }
  return log;
}

static void
test_determinism (void)
{
  g_autoptr(GString) a = run_sequence (1);
  g_autoptr(GString) b = run_sequence (1);
  g_autoptr(GString) c = run_sequence (2);
  g_autoptr(GString) d = run_sequence (2);

  g_assert_cmpstr (a->str, ==, b->str);
  g_assert_cmpstr (c->str, ==, d->str);
  /* Both resolutions find the cars: a bright one and a dark one. */
  g_assert_nonnull (strstr (a->str, "\n60 "));
  g_assert_nonnull (strstr (c->str, "\n60 "));
}

static void
test_bad_params (void)
{
  VigilDetectorParams params;
  g_autoptr(GError) error = NULL;
  VigilDetector *detector;

  vigil_detector_params_init (&params);
  params.analysis_scale = 0;
  detector = vigil_detector_new (&params, &error);
  g_assert_null (detector);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "analysis_scale"));
  g_clear_error (&error);

  vigil_detector_params_init (&params);
  params.shadow_low = 0.9;
  params.shadow_high = 0.5;
  detector = vigil_detector_new (&params, &error);
  g_assert_null (detector);
  g_assert_nonnull (strstr (error->message, "shadow"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/detector/cdnet-highway", test_cdnet_highway);
  g_test_add_func ("/engine/detector/stopped-vehicle", test_stopped_vehicle);
  g_test_add_func ("/engine/detector/ghost-at-start", test_ghost_at_start);
  g_test_add_func ("/engine/detector/inside-mask", test_inside_mask);
  g_test_add_func ("/engine/detector/determinism", test_determinism);
  g_test_add_func ("/engine/detector/bad-params", test_bad_params);
  return g_test_run ();
}
