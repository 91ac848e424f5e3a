/* test-traffic-analytics.c
 *
 * Traffic analytics: per-second and per-minute rows against an independent computation from
 * known detections, status thresholds and transitions, late frames counted, an idle camera's
 * watermark, and the two external traffic_data forms giving the analytics of equal boxes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "vigil-error.h"
#include "vigil-kafka-message.h"
#include "vigil-time.h"
#include "vigil-tracker.h"
#include "vigil-traffic-analytics.h"

#define T0        VIGIL_DEFAULT_START_US
#define ROAD      10000
#define N_FRAMES  14          /* 3.5 s at 4 frames/s */

typedef struct
{
  gint64         time_us;
  VigilDetection dets[5];
  guint          n;
  double         pixels;
} Frame;

/* A frame of the hand-built stream: vehicles come and go with their ids, classes, speeds. */
static void
make_frame (guint  i,
            Frame *f)
{
  memset (f, 0, sizeof *f);
  f->time_us = T0 + i * 250000;
  for (guint k = 0; k < 4; k++)
    {
      /* Vehicle k is present in frames k .. k + 8. */
      if (i < k || i > k + 8)
        continue;
      f->dets[f->n] = (VigilDetection) {
        .track_id = 10 + k, .klass = (VigilVehicleClass) (k % VIGIL_N_VEHICLE_CLASSES),
        .x = 10.0 * k, .y = 5, .w = 8, .h = 4, .area = 30 + k,
        .speed_kmh = k == 3 ? NAN : 20.0 + 5 * k + i,
      };
      f->n++;
    }
  /* An untracked blob in every third frame: counted, but no id, speed or dwell. */
  if (i % 3 == 0)
    f->dets[f->n++] = (VigilDetection) { .track_id = -1, .klass = VIGIL_VEHICLE_CAR, .w = 3,
                                         .h = 3, .area = 9, .speed_kmh = NAN };
  f->pixels = 100.0 * (i + 1);
}

/* The expected row of [start, end) computed straight from the frames. */
static VigilTrafficStats
expected_row (const Frame *frames,
              guint        n_frames,
              gint64       start,
              gint64       end)
{
  VigilTrafficStats row = { 0 };
  VigilTrafficThresholds th;
  gint64 first_seen[4];
  double dwell_max[4] = { -1, -1, -1, -1 };
  double speed = 0, density = 0, n_speed = 0, dwell = 0;

  for (guint k = 0; k < 4; k++)
    first_seen[k] = frames[k].time_us;  /* vehicle k first shows in frame k */
  row.start_us = start;
  row.end_us = end;
  for (guint i = 0; i < n_frames; i++)
    {
      const Frame *f = &frames[i];

      if (f->time_us < start || f->time_us >= end)
        continue;
      row.frames++;
      row.vehicles += f->n;
      density += 100.0 * f->pixels / ROAD;
      for (guint j = 0; j < f->n; j++)
        {
          const VigilDetection *d = &f->dets[j];

          row.per_class_vehicles[d->klass] += 1;
          if (!isnan (d->speed_kmh))
            speed += d->speed_kmh, n_speed++;
          if (d->track_id >= 0)
            {
              guint k = (guint) (d->track_id - 10);

              dwell_max[k] = MAX (dwell_max[k], (f->time_us - first_seen[k]) / 1e6);
            }
        }
    }
  for (guint k = 0; k < 4; k++)
    if (dwell_max[k] >= 0)
      {
        row.unique_vehicles++;
        row.per_class[k % VIGIL_N_VEHICLE_CLASSES]++;
        dwell += dwell_max[k];
      }
  row.vehicles /= row.frames;
  for (guint c = 0; c < VIGIL_N_VEHICLE_CLASSES; c++)
    row.per_class_vehicles[c] /= row.frames;
  row.density_pct = density / row.frames;
  row.speed_kmh = n_speed > 0 ? speed / n_speed : NAN;
  row.dwell_s = row.unique_vehicles > 0 ? dwell / row.unique_vehicles : NAN;
  vigil_traffic_thresholds_init (&th);
  row.status = vigil_traffic_status_classify (&th, row.density_pct, row.speed_kmh);
  return row;
}

static void
assert_close (double a,
              double b)
{
  g_assert_cmpint (isnan (a), ==, isnan (b));
  if (!isnan (a))
    g_assert_cmpfloat_with_epsilon (a, b, 1e-9);
}

static void
assert_row (const VigilTrafficStats *got,
            const VigilTrafficStats *want,
            const char              *camera)
{
  g_assert_cmpstr (got->camera_id, ==, camera);
  g_assert_cmpint (got->start_us, ==, want->start_us);
  g_assert_cmpint (got->end_us, ==, want->end_us);
  g_assert_cmpuint (got->frames, ==, want->frames);
  assert_close (got->vehicles, want->vehicles);
  g_assert_cmpuint (got->unique_vehicles, ==, want->unique_vehicles);
  for (guint c = 0; c < VIGIL_N_VEHICLE_CLASSES; c++)
    {
      g_assert_cmpuint (got->per_class[c], ==, want->per_class[c]);
      assert_close (got->per_class_vehicles[c], want->per_class_vehicles[c]);
    }
  assert_close (got->density_pct, want->density_pct);
  assert_close (got->speed_kmh, want->speed_kmh);
  assert_close (got->dwell_s, want->dwell_s);
  g_assert_cmpint (got->status, ==, want->status);
}

static void
test_seconds (void)
{
  g_autoptr(VigilTrafficAnalytics) a = vigil_traffic_analytics_new ("cam_01", ROAD);
  g_autoptr(GArray) seconds = g_array_new (FALSE, FALSE, sizeof (VigilTrafficStats));
  g_autoptr(GArray) minutes = g_array_new (FALSE, FALSE, sizeof (VigilTrafficStats));
  Frame frames[N_FRAMES];

  for (guint i = 0; i < N_FRAMES; i++)
    {
      make_frame (i, &frames[i]);
      vigil_traffic_analytics_push (a, frames[i].time_us, frames[i].dets, frames[i].n,
                                    frames[i].pixels, seconds, minutes);
      /* A second's row comes out with the first frame of the next. */
      g_assert_cmpuint (seconds->len, ==, i / 4);
    }
  g_assert_cmpuint (minutes->len, ==, 0);
  vigil_traffic_analytics_flush (a, seconds, minutes);
  g_assert_cmpuint (seconds->len, ==, 4);
  for (guint s = 0; s < 4; s++)
    {
      VigilTrafficStats want = expected_row (frames, N_FRAMES, T0 + s * G_USEC_PER_SEC,
                                             T0 + (s + 1) * G_USEC_PER_SEC);

      assert_row (&g_array_index (seconds, VigilTrafficStats, s), &want, "cam_01");
    }
  /* The stream starts on a minute boundary: windows [-30 s, 30 s) and [0, 60 s). */
  g_assert_cmpuint (minutes->len, ==, 2);
  for (guint m = 0; m < 2; m++)
    {
      gint64 start = T0 - VIGIL_TRAFFIC_SLIDE_US + m * VIGIL_TRAFFIC_SLIDE_US;
      VigilTrafficStats want = expected_row (frames, N_FRAMES, start,
                                             start + VIGIL_TRAFFIC_MINUTE_US);

      assert_row (&g_array_index (minutes, VigilTrafficStats, m), &want, "cam_01");
    }
  g_assert_cmpuint (vigil_traffic_analytics_get_late_seconds (a), ==, 0);
  g_assert_cmpuint (vigil_traffic_analytics_get_late_minutes (a), ==, 0);
}

static void
test_status (void)
{
  static const struct
  {
    double             density;
    double             speed;
    VigilTrafficStatus status;
  } cases[] = {
    { 0, 60, VIGIL_TRAFFIC_NORMAL },
    { 14.99, 5, VIGIL_TRAFFIC_NORMAL },
    { 15, 60, VIGIL_TRAFFIC_CROWDED },
    { 24.99, 2, VIGIL_TRAFFIC_CROWDED },
    { 25, 14.99, VIGIL_TRAFFIC_JAMMED },
    { 25, 15, VIGIL_TRAFFIC_CROWDED },
    { 80, 40, VIGIL_TRAFFIC_CROWDED },
    { 80, 0, VIGIL_TRAFFIC_JAMMED },
    { 49.99, NAN, VIGIL_TRAFFIC_CROWDED },
    { 50, NAN, VIGIL_TRAFFIC_JAMMED },
    { 10, NAN, VIGIL_TRAFFIC_NORMAL },
  };
  /* One second each: density and speed, and the status it must show. */
  static const struct
  {
    double             pixels;
    double             speed;
    VigilTrafficStatus status;
  } seq[] = {
    { 500, 60, VIGIL_TRAFFIC_NORMAL },
    { 2000, 45, VIGIL_TRAFFIC_CROWDED },
    { 3000, 8, VIGIL_TRAFFIC_JAMMED },
    { 3500, 0, VIGIL_TRAFFIC_JAMMED },
    { 3000, 30, VIGIL_TRAFFIC_CROWDED },
    { 800, 55, VIGIL_TRAFFIC_NORMAL },
  };
  g_autoptr(VigilTrafficAnalytics) a = vigil_traffic_analytics_new ("cam_02", ROAD);
  g_autoptr(GArray) seconds = g_array_new (FALSE, FALSE, sizeof (VigilTrafficStats));
  g_autoptr(GArray) minutes = g_array_new (FALSE, FALSE, sizeof (VigilTrafficStats));
  VigilTrafficThresholds th;

  vigil_traffic_thresholds_init (&th);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (vigil_traffic_status_classify (&th, cases[i].density, cases[i].speed), ==,
                     cases[i].status);
  g_assert_cmpstr (vigil_traffic_status_get_name (VIGIL_TRAFFIC_JAMMED), ==, "JAMMED");

  for (guint s = 0; s < G_N_ELEMENTS (seq); s++)
    for (guint f = 0; f < 5; f++)
      {
        VigilDetection d = { .track_id = 1, .klass = VIGIL_VEHICLE_CAR, .w = 10, .h = 10,
                             .speed_kmh = seq[s].speed };

        vigil_traffic_analytics_push (a, T0 + s * G_USEC_PER_SEC + f * 200000, &d, 1,
                                      seq[s].pixels, seconds, minutes);
      }
  vigil_traffic_analytics_flush (a, seconds, minutes);
  g_assert_cmpuint (seconds->len, ==, G_N_ELEMENTS (seq));
  for (guint s = 0; s < G_N_ELEMENTS (seq); s++)
    {
      const VigilTrafficStats *row = &g_array_index (seconds, VigilTrafficStats, s);

      g_assert_cmpfloat_with_epsilon (row->density_pct, seq[s].pixels / 100, 1e-9);
      g_assert_cmpint (row->status, ==, seq[s].status);
    }

  /* More vehicle pixels than road (overlapping boxes) is a full road, not more. */
  vigil_traffic_analytics_push (a, T0 + 100 * G_USEC_PER_SEC, NULL, 0, 3 * ROAD, seconds,
                                minutes);
  vigil_traffic_analytics_flush (a, seconds, minutes);
  g_assert_cmpfloat (g_array_index (seconds, VigilTrafficStats, seconds->len - 1).density_pct,
                     ==, 100);
}

/* One vehicle per frame, every 5 s, with as many vehicles as the frame's number. */
static void
push_count (VigilTrafficAnalytics *a,
            gint64                 t,
            guint                  n,
            GArray                *seconds,
            GArray                *minutes)
{
  VigilDetection d[8];

  for (guint i = 0; i < n; i++)
    d[i] = (VigilDetection) { .track_id = -1, .klass = VIGIL_VEHICLE_TRUCK, .w = 1, .h = 1,
                              .speed_kmh = NAN };
  vigil_traffic_analytics_push (a, t, d, n, 0, seconds, minutes);
}

static void
test_minutes_and_late (void)
{
  g_autoptr(VigilTrafficAnalytics) a = vigil_traffic_analytics_new ("cam_03", ROAD);
  g_autoptr(GArray) seconds = g_array_new (FALSE, FALSE, sizeof (VigilTrafficStats));
  g_autoptr(GArray) minutes = g_array_new (FALSE, FALSE, sizeof (VigilTrafficStats));
  const gint64 s = G_USEC_PER_SEC;

  /* Frames at 0, 5, ..., 200 s with k % 7 vehicles. */
  for (guint k = 0; k <= 40; k++)
    push_count (a, T0 + k * 5 * s, k % 7, seconds, minutes);
  /* Watermark 170 s: the windows ending by then are out, [0 s, 60 s) first. */
  g_assert_cmpuint (minutes->len, ==, 5);
  for (guint m = 0; m < minutes->len; m++)
    {
      const VigilTrafficStats *row = &g_array_index (minutes, VigilTrafficStats, m);
      gint64 start = -30 * s + m * 30 * s;
      double sum = 0;
      guint n = 0;

      g_assert_cmpint (row->start_us, ==, T0 + start);
      g_assert_cmpint (row->end_us, ==, T0 + start + 60 * s);
      for (guint k = 0; k <= 40; k++)
        if (k * 5 * s >= start && k * 5 * s < start + 60 * s)
          sum += k % 7, n++;
      g_assert_cmpuint (row->frames, ==, n);
      g_assert_cmpfloat_with_epsilon (row->vehicles, sum / n, 1e-9);
      g_assert_cmpfloat_with_epsilon (row->per_class_vehicles[VIGIL_VEHICLE_TRUCK], sum / n,
                                      1e-9);
      g_assert_cmpuint (row->unique_vehicles, ==, 0);
      g_assert_true (isnan (row->speed_kmh));
    }

  /* 100 s belongs to [60, 120) and [90, 150): both closed. Late, and counted. */
  push_count (a, T0 + 100 * s, 6, seconds, minutes);
  g_assert_cmpuint (vigil_traffic_analytics_get_late_minutes (a), ==, 1);
  g_assert_cmpuint (vigil_traffic_analytics_get_late_seconds (a), ==, 1);
  /* 145 s: [90, 150) is closed, [120, 180) is not: it counts there. */
  push_count (a, T0 + 145 * s, 6, seconds, minutes);
  g_assert_cmpuint (vigil_traffic_analytics_get_late_minutes (a), ==, 1);
  g_assert_cmpuint (vigil_traffic_analytics_get_late_seconds (a), ==, 2);
  g_assert_cmpuint (minutes->len, ==, 5);

  /* An idle camera's time goes on: [120, 180) closes with its extra frame. */
  vigil_traffic_analytics_advance (a, T0 + 210 * s, seconds, minutes);
  g_assert_cmpuint (minutes->len, ==, 6);
  {
    const VigilTrafficStats *row = &g_array_index (minutes, VigilTrafficStats, 5);
    double sum = 6;

    g_assert_cmpint (row->start_us, ==, T0 + 120 * s);
    g_assert_cmpuint (row->frames, ==, 13);
    for (guint k = 24; k < 36; k++)
      sum += k % 7;
    g_assert_cmpfloat_with_epsilon (row->vehicles, sum / 13, 1e-9);
  }
  vigil_traffic_analytics_flush (a, seconds, minutes);
  /* [150, 210) and [180, 240) hold the rest. */
  g_assert_cmpuint (minutes->len, ==, 8);
  g_assert_cmpuint (seconds->len, ==, 41);
}

/* Both traffic_data forms, parsed as Kafka messages and converted. */
static const char polygon_form[] =
  "{\"camera_id\":\"cam_03\",\"timestamp\":\"2025-12-01T08:00:00.%03u\",\"objects\":["
  "{\"track_id\":7,\"class_id\":1,\"world_coordinates\":{\"x\":12.5,\"y\":40.1},"
  "\"segmentation\":[[[%u,100],[%u,100],[%u,120],[%u,120]]]},"
  "{\"track_id\":9,\"class_id\":3,\"segmentation\":[[[300,200],[360,200],[360,230]],"
  "[[300,200],[360,230],[300,230]]]},"
  "{\"track_id\":11,\"class_id\":0,\"world_coordinates\":{\"x\":1,\"y\":2}}]}";
static const char bbox_form[] =
  "{\"camera_id\":\"cam_04\",\"timestamp\":\"2025-12-01T08:00:00.%03u\",\"image_id\":%u,"
  "\"objects\":[{\"class_id\":1,\"bbox\":[%s,0.5,0.0625,0.05]},"
  "{\"class_id\":2,\"bbox\":[0.98,0.2,0.1,0.1]}]}";

static void
parse_message (VigilKafkaParser  *parser,
               const char        *json,
               VigilKafkaMessage *m)
{
  g_assert_cmpint (vigil_kafka_parser_parse (parser, "traffic_data", 0, 0, json, strlen (json),
                                             m), ==, VIGIL_KAFKA_TRAFFIC);
}

static void
run_both (VigilTrafficAnalytics *from_msgs,
          VigilTrafficAnalytics *from_boxes,
          VigilTracker          *t1,
          VigilTracker          *t2,
          GArray                *msg_dets,
          GArray                *box_dets,
          gint64                 time_us,
          GArray                *out1,
          GArray                *out2,
          GArray                *minutes)
{
  vigil_tracker_update (t1, time_us, (VigilDetection *) (gpointer) msg_dets->data,
                        msg_dets->len);
  vigil_tracker_update (t2, time_us, (VigilDetection *) (gpointer) box_dets->data,
                        box_dets->len);
  vigil_traffic_analytics_push (from_msgs, time_us, (VigilDetection *) (gpointer) msg_dets->data,
                                msg_dets->len,
                                vigil_traffic_detections_area ((VigilDetection *) (gpointer)
                                                               msg_dets->data, msg_dets->len),
                                out1, minutes);
  vigil_traffic_analytics_push (from_boxes, time_us,
                                (VigilDetection *) (gpointer) box_dets->data, box_dets->len,
                                vigil_traffic_detections_area ((VigilDetection *) (gpointer)
                                                               box_dets->data, box_dets->len),
                                out2, minutes);
}

static void
assert_same_rows (GArray *a,
                  GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  g_assert_cmpuint (a->len, >, 0);
  for (guint i = 0; i < a->len; i++)
    assert_row (&g_array_index (a, VigilTrafficStats, i), &g_array_index (b, VigilTrafficStats,
                                                                          i),
                g_array_index (b, VigilTrafficStats, i).camera_id);
}

static void
test_external_forms (void)
{
  g_autoptr(VigilKafkaParser) parser = vigil_kafka_parser_new ();
  g_autoptr(GArray) msg_dets = g_array_new (FALSE, FALSE, sizeof (VigilDetection));
  g_autoptr(GArray) box_dets = g_array_new (FALSE, FALSE, sizeof (VigilDetection));
  g_autoptr(GArray) rows1 = g_array_new (FALSE, FALSE, sizeof (VigilTrafficStats));
  g_autoptr(GArray) rows2 = g_array_new (FALSE, FALSE, sizeof (VigilTrafficStats));
  g_autoptr(GArray) minutes = g_array_new (FALSE, FALSE, sizeof (VigilTrafficStats));
  g_autoptr(GError) error = NULL;
  VigilCalibration cal;
  gint64 base;
  guint skipped = 0;

  g_assert_true (vigil_time_parse_iso8601 ("2025-12-01T08:00:00", &base, NULL));
  vigil_calibration_init_scale (&cal, 10);

  /* Polygons with track ids: boxes around them, their area, and their ids. */
  {
    g_autoptr(VigilTrafficAnalytics) a1 = vigil_traffic_analytics_new ("cam_03", 50000);
    g_autoptr(VigilTrafficAnalytics) a2 = vigil_traffic_analytics_new ("cam_03", 50000);
    g_autoptr(VigilTracker) t1 = vigil_tracker_new (NULL, &cal);
    g_autoptr(VigilTracker) t2 = vigil_tracker_new (NULL, &cal);

    for (guint f = 0; f < 25; f++)
      {
        g_autofree char *json = NULL;
        VigilKafkaMessage m;
        guint x = 50 + 2 * f;
        VigilDetection want[2] = {
          { .track_id = 7, .klass = VIGIL_VEHICLE_CAR, .x = x, .y = 100, .w = 40, .h = 20,
            .area = 800, .speed_kmh = NAN },
          { .track_id = 9, .klass = VIGIL_VEHICLE_TRUCK, .x = 300, .y = 200, .w = 60, .h = 30,
            .area = 1800, .speed_kmh = NAN },
        };

        json = g_strdup_printf (polygon_form, f * 40, x, x + 40, x + 40, x);
        parse_message (parser, json, &m);
        g_array_set_size (msg_dets, 0);
        g_assert_true (vigil_traffic_detections_from_kafka (&m.traffic, 640, 360, msg_dets,
                                                            &skipped, &error));
        g_assert_no_error (error);
        g_assert_cmpuint (skipped, ==, 1);
        g_assert_cmpuint (msg_dets->len, ==, 2);
        for (guint i = 0; i < 2; i++)
          {
            const VigilDetection *d = &g_array_index (msg_dets, VigilDetection, i);

            g_assert_cmpint (d->track_id, ==, want[i].track_id);
            g_assert_cmpint (d->klass, ==, want[i].klass);
            g_assert_cmpfloat (d->x, ==, want[i].x);
            g_assert_cmpfloat (d->y, ==, want[i].y);
            g_assert_cmpfloat (d->w, ==, want[i].w);
            g_assert_cmpfloat (d->h, ==, want[i].h);
            g_assert_cmpuint (d->area, ==, want[i].area);
            g_assert_true (isnan (d->speed_kmh));
          }
        g_array_set_size (box_dets, 0);
        g_array_append_vals (box_dets, want, 2);
        run_both (a1, a2, t1, t2, msg_dets, box_dets, m.traffic.time_us, rows1, rows2,
                  minutes);
        g_assert_cmpint (m.traffic.time_us, ==, base + f * 40000);
      }
    vigil_traffic_analytics_flush (a1, rows1, minutes);
    vigil_traffic_analytics_flush (a2, rows2, minutes);
    assert_same_rows (rows1, rows2);
    /* 2 px per 40 ms at 10 px/m: 5 m/s; the truck stands. */
    g_assert_cmpuint (g_array_index (rows1, VigilTrafficStats, 0).unique_vehicles, ==, 2);
  }

  /* Normalised boxes without ids: pixels of the frame, clipped to it, tracked like any. */
  g_array_set_size (rows1, 0);
  g_array_set_size (rows2, 0);
  {
    g_autoptr(VigilTrafficAnalytics) a1 = vigil_traffic_analytics_new ("cam_04", 50000);
    g_autoptr(VigilTrafficAnalytics) a2 = vigil_traffic_analytics_new ("cam_04", 50000);
    g_autoptr(VigilTracker) t1 = vigil_tracker_new (NULL, &cal);
    g_autoptr(VigilTracker) t2 = vigil_tracker_new (NULL, &cal);

    for (guint f = 0; f < 25; f++)
      {
        g_autofree char *json = NULL;
        char xc[G_ASCII_DTOSTR_BUF_SIZE];
        VigilKafkaMessage m;
        /* Centre x = (100 + 3 f) / 640, box 40 x 18 pixels. */
        VigilDetection want[2] = {
          { .track_id = -1, .klass = VIGIL_VEHICLE_CAR, .x = 80 + 3.0 * f, .y = 171,
            .w = 40, .h = 18, .area = 720, .speed_kmh = NAN },
          /* [0.93, 1.03] x [0.15, 0.25] of 640 x 360, cut at the right edge. */
          { .track_id = -1, .klass = VIGIL_VEHICLE_BUS, .x = 0.93 * 640, .y = 0.15 * 360,
            .w = 640 - 0.93 * 640, .h = 0.1 * 360, .speed_kmh = NAN },
        };

        want[1].area = (guint) round (want[1].w * want[1].h);
        g_ascii_dtostr (xc, sizeof xc, (100 + 3.0 * f) / 640);
        json = g_strdup_printf (bbox_form, f * 40, f, xc);
        parse_message (parser, json, &m);
        g_array_set_size (msg_dets, 0);
        g_assert_true (vigil_traffic_detections_from_kafka (&m.traffic, 640, 360, msg_dets,
                                                            &skipped, &error));
        g_assert_cmpuint (skipped, ==, 0);
        g_assert_cmpuint (msg_dets->len, ==, 2);
        for (guint i = 0; i < 2; i++)
          {
            const VigilDetection *d = &g_array_index (msg_dets, VigilDetection, i);

            g_assert_cmpint (d->track_id, ==, -1);
            g_assert_cmpfloat_with_epsilon (d->x, want[i].x, 1e-9);
            g_assert_cmpfloat_with_epsilon (d->y, want[i].y, 1e-9);
            g_assert_cmpfloat_with_epsilon (d->w, want[i].w, 1e-9);
            g_assert_cmpfloat_with_epsilon (d->h, want[i].h, 1e-9);
            g_assert_cmpuint (d->area, ==, want[i].area);
            /* The equal boxes are the converted ones to the last bit, so that the two runs
             * can be compared exactly. */
            want[i].x = d->x, want[i].y = d->y, want[i].w = d->w, want[i].h = d->h;
          }
        g_array_set_size (box_dets, 0);
        g_array_append_vals (box_dets, want, 2);
        run_both (a1, a2, t1, t2, msg_dets, box_dets, m.traffic.time_us, rows1, rows2,
                  minutes);
      }
    vigil_traffic_analytics_flush (a1, rows1, minutes);
    vigil_traffic_analytics_flush (a2, rows2, minutes);
    assert_same_rows (rows1, rows2);
    g_assert_cmpuint (g_array_index (rows1, VigilTrafficStats, 0).unique_vehicles, ==, 2);

    /* Without a frame size a normalised box has no pixels. */
    {
      g_autofree char *json = g_strdup_printf (bbox_form, 0, 1, "0.5");
      VigilKafkaMessage m;

      parse_message (parser, json, &m);
      g_array_set_size (msg_dets, 0);
      g_assert_false (vigil_traffic_detections_from_kafka (&m.traffic, 0, 0, msg_dets, NULL,
                                                           &error));
      g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "cam_04"));
      g_assert_cmpuint (msg_dets->len, ==, 0);
    }
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/traffic-analytics/seconds-and-minutes", test_seconds);
  g_test_add_func ("/engine/traffic-analytics/status", test_status);
  g_test_add_func ("/engine/traffic-analytics/minutes-and-late", test_minutes_and_late);
  g_test_add_func ("/engine/traffic-analytics/external-forms", test_external_forms);

  return g_test_run ();
}
