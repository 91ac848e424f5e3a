/* vigil-tracker.c
 *
 * Tracks vehicles from frame to frame, measures their speed on the road, and the ground-plane
 * homography that measurement can use.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-tracker"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vigil-error.h"
#include "vigil-tracker.h"

/* Enough samples for a one-second window at 120 frames/s. */
#define HISTORY 128

/* Sides of a box cut by the frame's edge. */
enum
{
  CUT_LEFT = 1 << 0,
  CUT_RIGHT = 1 << 1,
  CUT_TOP = 1 << 2,
  CUT_BOTTOM = 1 << 3,
};

typedef struct
{
  gint64   t_us;
  double   x0;          /* the box, pixels */
  double   y0;
  double   x1;
  double   y1;
  guint    cut;         /* CUT_* */
} Sample;

typedef struct
{
  VigilTrack pub;
  gboolean   external;           /* pub.id came with the detections */
  guint      votes[VIGIL_N_VEHICLE_CLASSES];
  Sample     history[HISTORY];   /* ring, oldest at head */
  guint      head;
  guint      n_history;
  double     vx;                 /* pixels per second, fitted over the window */
  double     vy;
} Track;

typedef struct
{
  guint  track;
  guint  detection;
  double cost;
} Pair;

struct _VigilTracker
{
  VigilTrackerParams params;
  VigilCalibration   calibration;
  guint              frame_width;    /* 0: unknown */
  guint              frame_height;
  GArray            *tracks;         /* Track */
  GArray            *view;           /* VigilTrack, rebuilt after each update */
  GArray            *pairs;          /* Pair, scratch */
  GArray            *matched;        /* gint: the track index of each detection, scratch */
  gint64             next_id;
};

void
vigil_tracker_params_init (VigilTrackerParams *params)
{
  g_return_if_fail (params != NULL);

  params->birth_hits = 3;
  params->death_misses = 10;
  params->min_iou = 0.1;
  params->max_distance = 1.0;
  params->speed_window_s = 1.0;
}

VigilTracker *
vigil_tracker_new (const VigilTrackerParams *params,
                   const VigilCalibration   *calibration)
{
  VigilTracker *self = g_new0 (VigilTracker, 1);

  if (params != NULL)
    self->params = *params;
  else
    vigil_tracker_params_init (&self->params);
  self->params.birth_hits = MAX (self->params.birth_hits, 1);
  if (!(self->params.speed_window_s > 0))
    self->params.speed_window_s = 1.0;
  if (calibration != NULL)
    self->calibration = *calibration;
  self->tracks = g_array_new (FALSE, FALSE, sizeof (Track));
  self->view = g_array_new (FALSE, FALSE, sizeof (VigilTrack));
  self->pairs = g_array_new (FALSE, FALSE, sizeof (Pair));
  self->matched = g_array_new (FALSE, FALSE, sizeof (gint));
  self->next_id = 1;
  return self;
}

void
vigil_tracker_free (VigilTracker *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->tracks);
  g_array_unref (self->view);
  g_array_unref (self->pairs);
  g_array_unref (self->matched);
  g_free (self);
}

void
vigil_tracker_set_calibration (VigilTracker           *self,
                               const VigilCalibration *calibration)
{
  g_return_if_fail (self != NULL);

  if (calibration != NULL)
    self->calibration = *calibration;
  else
    memset (&self->calibration, 0, sizeof self->calibration);
  for (guint i = 0; i < self->tracks->len; i++)
    {
      Track *t = &g_array_index (self->tracks, Track, i);

      t->pub.speed_kmh = NAN;
    }
}

void
vigil_tracker_set_frame_size (VigilTracker *self,
                              guint         width,
                              guint         height)
{
  g_return_if_fail (self != NULL);

  self->frame_width = width;
  self->frame_height = height;
}

/* ---- calibration ---- */

void
vigil_calibration_init_scale (VigilCalibration *calibration,
                              double            pixels_per_metre)
{
  g_return_if_fail (calibration != NULL);

  memset (calibration, 0, sizeof *calibration);
  calibration->pixels_per_metre = pixels_per_metre > 0 ? pixels_per_metre : 0;
}

static double
triangle_area2 (const double *p,
                guint         a,
                guint         b,
                guint         c)
{
  return (p[2 * b] - p[2 * a]) * (p[2 * c + 1] - p[2 * a + 1]) -
         (p[2 * c] - p[2 * a]) * (p[2 * b + 1] - p[2 * a + 1]);
}

/* Three of the four points on one line leave the homography undetermined. Relative to the
 * spread of the points, so that the test means the same in pixels and in metres. */
static gboolean
has_collinear_triple (const double p[8])
{
  double spread = 0;

  for (guint i = 0; i < 4; i++)
    for (guint j = i + 1; j < 4; j++)
      spread = MAX (spread, hypot (p[2 * i] - p[2 * j], p[2 * i + 1] - p[2 * j + 1]));
  if (spread == 0)
    return TRUE;
  for (guint skip = 0; skip < 4; skip++)
    {
      guint idx[3];
      guint n = 0;

      for (guint i = 0; i < 4; i++)
        if (i != skip)
          idx[n++] = i;
      if (fabs (triangle_area2 (p, idx[0], idx[1], idx[2])) < 1e-9 * spread * spread)
        return TRUE;
    }
  return FALSE;
}

/* Hartley's normalisation: centroid to the origin, mean distance sqrt(2). */
static void
normalise (const double  p[8],
           double        out[8],
           double        t[9])
{
  double cx = 0, cy = 0, d = 0, s;

  for (guint i = 0; i < 4; i++)
    cx += p[2 * i] / 4, cy += p[2 * i + 1] / 4;
  for (guint i = 0; i < 4; i++)
    d += hypot (p[2 * i] - cx, p[2 * i + 1] - cy) / 4;
  s = G_SQRT2 / d;
  for (guint i = 0; i < 4; i++)
    {
      out[2 * i] = s * (p[2 * i] - cx);
      out[2 * i + 1] = s * (p[2 * i + 1] - cy);
    }
  t[0] = s, t[1] = 0, t[2] = -s * cx;
  t[3] = 0, t[4] = s, t[5] = -s * cy;
  t[6] = 0, t[7] = 0, t[8] = 1;
}

static void
mat3_mul (const double a[9],
          const double b[9],
          double       out[9])
{
  for (guint r = 0; r < 3; r++)
    for (guint c = 0; c < 3; c++)
      out[3 * r + c] = a[3 * r] * b[c] + a[3 * r + 1] * b[3 + c] + a[3 * r + 2] * b[6 + c];
}

/* Gaussian elimination with partial pivoting on the 8x9 augmented matrix. */
static gboolean
solve8 (double  m[8][9],
        double  x[8])
{
  for (guint col = 0; col < 8; col++)
    {
      guint pivot = col;

      for (guint r = col + 1; r < 8; r++)
        if (fabs (m[r][col]) > fabs (m[pivot][col]))
          pivot = r;
      if (fabs (m[pivot][col]) < 1e-12)
        return FALSE;
      if (pivot != col)
        for (guint c = 0; c < 9; c++)
          {
            double tmp = m[col][c];

            m[col][c] = m[pivot][c];
            m[pivot][c] = tmp;
          }
      for (guint r = col + 1; r < 8; r++)
        {
          double f = m[r][col] / m[col][col];

          for (guint c = col; c < 9; c++)
            m[r][c] -= f * m[col][c];
        }
    }
  for (int r = 7; r >= 0; r--)
    {
      double s = m[r][8];

      for (guint c = r + 1; c < 8; c++)
        s -= m[r][c] * x[c];
      x[r] = s / m[r][r];
    }
  return TRUE;
}

gboolean
vigil_homography_from_points (const double   from[8],
                              const double   to[8],
                              double         homography[9],
                              GError       **error)
{
  double nf[8], nt[8], tf[9], tt[9], tt_inv[9], hn[9], tmp[9], out[9];
  double m[8][9];
  double x[8];

  g_return_val_if_fail (from != NULL && to != NULL && homography != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (has_collinear_triple (from) || has_collinear_triple (to))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Cannot compute a homography: three of the four %s points lie on one line",
                   has_collinear_triple (from) ? "image" : "ground");
      return FALSE;
    }

  normalise (from, nf, tf);
  normalise (to, nt, tt);
  for (guint i = 0; i < 4; i++)
    {
      double x0 = nf[2 * i], y0 = nf[2 * i + 1], u = nt[2 * i], v = nt[2 * i + 1];
      double r0[9] = { x0, y0, 1, 0, 0, 0, -u * x0, -u * y0, u };
      double r1[9] = { 0, 0, 0, x0, y0, 1, -v * x0, -v * y0, v };

      memcpy (m[2 * i], r0, sizeof r0);
      memcpy (m[2 * i + 1], r1, sizeof r1);
    }
  if (!solve8 (m, x))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Cannot compute a homography: the four point pairs are degenerate");
      return FALSE;
    }
  memcpy (hn, x, sizeof x);
  hn[8] = 1;

  /* H = Tto^-1 Hn Tfrom; the inverse of a similarity is another similarity. */
  tt_inv[0] = 1 / tt[0], tt_inv[1] = 0, tt_inv[2] = -tt[2] / tt[0];
  tt_inv[3] = 0, tt_inv[4] = 1 / tt[4], tt_inv[5] = -tt[5] / tt[4];
  tt_inv[6] = 0, tt_inv[7] = 0, tt_inv[8] = 1;
  mat3_mul (hn, tf, tmp);
  mat3_mul (tt_inv, tmp, out);
  if (fabs (out[8]) < 1e-300)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Cannot compute a homography: the image origin maps to infinity");
      return FALSE;
    }
  for (guint i = 0; i < 9; i++)
    homography[i] = out[i] / out[8];
  return TRUE;
}

void
vigil_homography_apply (const double  homography[9],
                        double        x,
                        double        y,
                        double       *out_x,
                        double       *out_y)
{
  const double *h = homography;
  double w;

  g_return_if_fail (homography != NULL);

  w = h[6] * x + h[7] * y + h[8];
  if (out_x != NULL)
    *out_x = (h[0] * x + h[1] * y + h[2]) / w;
  if (out_y != NULL)
    *out_y = (h[3] * x + h[4] * y + h[5]) / w;
}

gboolean
vigil_calibration_init_homography (VigilCalibration  *calibration,
                                   const double       image_points[8],
                                   const double       ground_points[8],
                                   GError           **error)
{
  double h[9];

  g_return_val_if_fail (calibration != NULL, FALSE);

  if (!vigil_homography_from_points (image_points, ground_points, h, error))
    return FALSE;
  memset (calibration, 0, sizeof *calibration);
  calibration->has_homography = TRUE;
  memcpy (calibration->homography, h, sizeof h);
  return TRUE;
}

gboolean
vigil_calibration_to_ground (const VigilCalibration *calibration,
                             double                  x,
                             double                  y,
                             double                 *out_x,
                             double                 *out_y)
{
  g_return_val_if_fail (calibration != NULL, FALSE);

  if (calibration->has_homography)
    {
      vigil_homography_apply (calibration->homography, x, y, out_x, out_y);
      return TRUE;
    }
  if (!(calibration->pixels_per_metre > 0))
    return FALSE;
  if (out_x != NULL)
    *out_x = x / calibration->pixels_per_metre;
  if (out_y != NULL)
    *out_y = y / calibration->pixels_per_metre;
  return TRUE;
}

/* ---- tracks ---- */

static const Sample *
sample_at (const Track *t,
           guint        k)
{
  return &t->history[(t->head + k) % HISTORY];
}

static void
push_sample (Track        *t,
             const Sample *s,
             gint64        window_us)
{
  if (t->n_history == HISTORY)
    t->head = (t->head + 1) % HISTORY, t->n_history--;
  t->history[(t->head + t->n_history) % HISTORY] = *s;
  t->n_history++;
  while (t->n_history > 1 && s->t_us - sample_at (t, 0)->t_us > window_us)
    t->head = (t->head + 1) % HISTORY, t->n_history--;
}

typedef enum
{
  REF_NONE,
  REF_LOW,      /* the left (top) side */
  REF_CENTRE,
  REF_HIGH,     /* the right (bottom) side */
} Ref;

/* Which point of a box moves with the vehicle: its centre, or while one side is cut by the
 * frame's edge, the other side. On a ground plane, vertically, the bottom: where the vehicle
 * touches the road. */
static Ref
reference (guint    cut,
           guint    cut_low,
           guint    cut_high,
           gboolean ground_plane)
{
  if (ground_plane)
    return cut & cut_high ? REF_NONE : REF_HIGH;
  if ((cut & cut_low) && (cut & cut_high))
    return REF_NONE;
  return cut & cut_high ? REF_LOW : cut & cut_low ? REF_HIGH : REF_CENTRE;
}

static gboolean
ref_valid (Ref   ref,
           guint cut,
           guint cut_low,
           guint cut_high)
{
  switch (ref)
    {
    case REF_LOW:
      return !(cut & cut_low);
    case REF_HIGH:
      return !(cut & cut_high);
    case REF_CENTRE:
      return !(cut & (cut_low | cut_high));
    case REF_NONE:
    default:
      return FALSE;
    }
}

static double
ref_value (Ref    ref,
           double lo,
           double hi)
{
  return ref == REF_LOW ? lo : ref == REF_HIGH ? hi : (lo + hi) / 2;
}

/* Least-squares slopes over time (per second) of the points of the samples that satisfy
 * @valid. FALSE with fewer than two, or less than @min_span_us between the first and the
 * last. */
static gboolean
fit_slopes (const Track            *t,
            const VigilCalibration *cal,
            Ref                     rx,
            Ref                     ry,
            gint64                  min_span_us,
            double                 *vx,
            double                 *vy)
{
  double st = 0, sx = 0, sy = 0, stt = 0, stx = 0, sty = 0, d;
  gint64 t0 = 0, t1 = 0;
  guint n = 0;

  for (guint k = 0; k < t->n_history; k++)
    {
      const Sample *s = sample_at (t, k);
      double tt, x = ref_value (rx, s->x0, s->x1), y = ref_value (ry, s->y0, s->y1);

      if (cal != NULL &&
          (!ref_valid (rx, s->cut, CUT_LEFT, CUT_RIGHT) ||
           !ref_valid (ry, s->cut, CUT_TOP, CUT_BOTTOM) ||
           !vigil_calibration_to_ground (cal, x, y, &x, &y)))
        continue;
      if (n == 0)
        t0 = s->t_us;
      t1 = s->t_us;
      tt = (s->t_us - t0) / 1e6;
      st += tt, sx += x, sy += y, stt += tt * tt, stx += tt * x, sty += tt * y;
      n++;
    }
  if (n < 2 || t1 - t0 < MAX (min_span_us, 1))
    return FALSE;
  d = n * stt - st * st;
  *vx = (n * stx - st * sx) / d;
  *vy = (n * sty - st * sy) / d;
  return TRUE;
}

/* The speed on the road over the window, from the points of the boxes that move with the
 * vehicle given how the latest box is cut. */
static double
fit_speed (VigilTracker *self,
           const Track  *t,
           guint         cut)
{
  gboolean plane = self->calibration.has_homography;
  Ref rx = reference (cut, CUT_LEFT, CUT_RIGHT, FALSE);
  Ref ry = reference (cut, CUT_TOP, CUT_BOTTOM, plane);
  gint64 window_us = (gint64) (self->params.speed_window_s * G_USEC_PER_SEC);
  double vx, vy;

  if (rx == REF_NONE || ry == REF_NONE ||
      !fit_slopes (t, &self->calibration, rx, ry, window_us * 4 / 5, &vx, &vy))
    return NAN;
  return hypot (vx, vy) * 3.6;
}

static void
predict (const Track *t,
         gint64       time_us,
         double      *cx,
         double      *cy)
{
  double dt = (time_us - t->pub.last_us) / 1e6;

  *cx = t->pub.x + t->pub.w / 2 + t->vx * dt;
  *cy = t->pub.y + t->pub.h / 2 + t->vy * dt;
}

static double
iou (double ax, double ay, double aw, double ah,
     double bx, double by, double bw, double bh)
{
  double ix = MIN (ax + aw, bx + bw) - MAX (ax, bx);
  double iy = MIN (ay + ah, by + bh) - MAX (ay, by);
  double inter, uni;

  if (ix <= 0 || iy <= 0)
    return 0;
  inter = ix * iy;
  uni = aw * ah + bw * bh - inter;
  return uni > 0 ? inter / uni : 0;
}

/* A side within this of the frame's edge is taken as cut: detected boxes are noisy. */
static guint
cut_sides (VigilTracker         *self,
           const VigilDetection *d)
{
  double mx = MAX (2.0, 0.01 * self->frame_width);
  double my = MAX (2.0, 0.01 * self->frame_height);
  guint cut = 0;

  if (self->frame_width == 0 || self->frame_height == 0)
    return 0;
  if (d->x <= mx)
    cut |= CUT_LEFT;
  if (d->x + d->w >= self->frame_width - mx)
    cut |= CUT_RIGHT;
  if (d->y <= my)
    cut |= CUT_TOP;
  if (d->y + d->h >= self->frame_height - my)
    cut |= CUT_BOTTOM;
  return cut;
}

static VigilVehicleClass
majority (const Track *t)
{
  guint best = 0;

  for (guint k = 1; k < VIGIL_N_VEHICLE_CLASSES; k++)
    if (t->votes[k] > t->votes[best])
      best = k;
  return (VigilVehicleClass) best;
}

/* Records a matched detection in @t and writes the track's answers back into it. */
static void
observe (VigilTracker   *self,
         Track          *t,
         gint64          time_us,
         VigilDetection *d)
{
  gint64 window_us = (gint64) (self->params.speed_window_s * G_USEC_PER_SEC);
  Sample s;

  s.t_us = time_us;
  s.x0 = d->x;
  s.y0 = d->y;
  s.x1 = d->x + d->w;
  s.y1 = d->y + d->h;
  s.cut = cut_sides (self, d);
  if (t->pub.hits == 0)
    t->pub.first_us = time_us;
  push_sample (t, &s, window_us);

  t->pub.x = d->x, t->pub.y = d->y, t->pub.w = d->w, t->pub.h = d->h;
  t->pub.hits++;
  t->pub.misses = 0;
  t->pub.last_us = time_us;
  t->pub.dwell_s = (time_us - t->pub.first_us) / 1e6;
  if ((guint) d->klass < VIGIL_N_VEHICLE_CLASSES)
    t->votes[d->klass]++;
  t->pub.klass = majority (t);
  /* The box's motion in the image predicts where to look next; centres will do for that. */
  if (!fit_slopes (t, NULL, REF_CENTRE, REF_CENTRE, 0, &t->vx, &t->vy))
    t->vx = t->vy = 0;
  t->pub.speed_kmh = fit_speed (self, t, s.cut);

  if (t->pub.id < 0 && t->pub.hits >= self->params.birth_hits)
    t->pub.id = self->next_id++;
  d->track_id = t->pub.id;
  d->klass = t->pub.klass;
  d->speed_kmh = t->pub.id >= 0 ? t->pub.speed_kmh : NAN;
}

static Track *
new_track (VigilTracker *self)
{
  Track t = { 0 };

  t.pub.id = -1;
  t.pub.speed_kmh = NAN;
  g_array_append_val (self->tracks, t);
  return &g_array_index (self->tracks, Track, self->tracks->len - 1);
}

static int
compare_pairs (gconstpointer a,
               gconstpointer b)
{
  const Pair *pa = a, *pb = b;

  if (pa->cost != pb->cost)
    return pa->cost < pb->cost ? -1 : 1;
  /* Ties broken by position so that the result never depends on qsort's order. */
  if (pa->track != pb->track)
    return pa->track < pb->track ? -1 : 1;
  return pa->detection < pb->detection ? -1 : pa->detection > pb->detection;
}

static void
associate (VigilTracker   *self,
           gint64          time_us,
           VigilDetection *detections,
           guint           n,
           gint           *det_track)
{
  g_autofree gboolean *track_used = g_new0 (gboolean, self->tracks->len);

  g_array_set_size (self->pairs, 0);
  for (guint i = 0; i < self->tracks->len; i++)
    {
      const Track *t = &g_array_index (self->tracks, Track, i);
      double cx, cy, gate;

      if (t->external)
        continue;
      predict (t, time_us, &cx, &cy);
      /* Before its motion is known a track may have moved anywhere near. */
      gate = t->pub.hits < 2 ? 2 * self->params.max_distance : self->params.max_distance;
      for (guint j = 0; j < n; j++)
        {
          const VigilDetection *d = &detections[j];
          double o, dist;
          Pair p;

          if (d->track_id >= 0)
            continue;
          o = iou (cx - t->pub.w / 2, cy - t->pub.h / 2, t->pub.w, t->pub.h, d->x, d->y, d->w,
                   d->h);
          /* Along each axis in units of the boxes' mean size: a long bus is near a car a
           * lane away in pixels, not in lanes. */
          dist = hypot ((d->x + d->w / 2 - cx) / MAX ((t->pub.w + d->w) / 2, 1.0),
                        (d->y + d->h / 2 - cy) / MAX ((t->pub.h + d->h) / 2, 1.0));
          if (o < self->params.min_iou && dist > gate)
            continue;
          p.track = i;
          p.detection = j;
          p.cost = (1 - o) + dist;
          g_array_append_val (self->pairs, p);
        }
    }
  g_array_sort (self->pairs, compare_pairs);

  for (guint k = 0; k < self->pairs->len; k++)
    {
      const Pair *p = &g_array_index (self->pairs, Pair, k);

      if (track_used[p->track] || det_track[p->detection] >= 0)
        continue;
      track_used[p->track] = TRUE;
      det_track[p->detection] = (gint) p->track;
    }
}

static gint
find_external (VigilTracker *self,
               gint64        id)
{
  for (guint i = 0; i < self->tracks->len; i++)
    {
      const Track *t = &g_array_index (self->tracks, Track, i);

      if (t->external && t->pub.id == id)
        return (gint) i;
    }
  return -1;
}

void
vigil_tracker_update (VigilTracker   *self,
                      gint64          time_us,
                      VigilDetection *detections,
                      guint           n_detections)
{
  gint *det_track;
  guint n_old;

  g_return_if_fail (self != NULL);
  g_return_if_fail (detections != NULL || n_detections == 0);

  g_array_set_size (self->matched, n_detections);
  det_track = (gint *) (gpointer) self->matched->data;
  for (guint j = 0; j < n_detections; j++)
    det_track[j] = detections[j].track_id >= 0 ? find_external (self, detections[j].track_id)
                                               : -1;

  associate (self, time_us, detections, n_detections, det_track);

  /* Tracks first, so that new ones do not move the array under the indexes. */
  n_old = self->tracks->len;
  {
    g_autofree gboolean *seen = g_new0 (gboolean, n_old);

    for (guint j = 0; j < n_detections; j++)
      if (det_track[j] >= 0)
        {
          seen[det_track[j]] = TRUE;
          observe (self, &g_array_index (self->tracks, Track, det_track[j]), time_us,
                   &detections[j]);
        }
    for (guint i = 0; i < n_old; i++)
      if (!seen[i])
        g_array_index (self->tracks, Track, i).pub.misses++;
  }

  for (guint j = 0; j < n_detections; j++)
    if (det_track[j] < 0)
      {
        Track *t = new_track (self);

        if (detections[j].track_id >= 0)
          {
            t->external = TRUE;
            t->pub.id = detections[j].track_id;
          }
        observe (self, t, time_us, &detections[j]);
      }

  /* A tentative track must match every frame; a confirmed one may coast M frames. */
  for (guint i = self->tracks->len; i-- > 0;)
    {
      const Track *t = &g_array_index (self->tracks, Track, i);

      if (t->pub.misses > 0 && (t->pub.id < 0 || t->pub.misses > self->params.death_misses))
        g_array_remove_index (self->tracks, i);
    }

  g_array_set_size (self->view, self->tracks->len);
  for (guint i = 0; i < self->tracks->len; i++)
    g_array_index (self->view, VigilTrack, i) = g_array_index (self->tracks, Track, i).pub;
}

const VigilTrack *
vigil_tracker_get_tracks (VigilTracker *self,
                          guint        *n_tracks)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (n_tracks != NULL)
    *n_tracks = self->view->len;
  return (const VigilTrack *) (gpointer) self->view->data;
}

gint64
vigil_tracker_get_next_id (VigilTracker *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->next_id;
}
