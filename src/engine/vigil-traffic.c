/* vigil-traffic.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-traffic"

#include "config.h"

#include <math.h>
#include <string.h>

#include "vigil-tracker.h"
#include "vigil-traffic.h"

/* Long sides kept for relative sizes: enough for a stable median, few enough to follow a
 * camera whose view changes. */
#define SIZER_HISTORY 256
#define CAR_LENGTH_M  4.5
/* Tracks end after a few frames without a match and their ids never come back: one not seen
 * for this many frames is forgotten. */
#define TRACK_FORGET_CALLS 256

/* Frames are allocated with the refcount in front of the public struct, so that the struct
 * stays plain. */
typedef struct
{
  VigilFrame      frame;
  gatomicrefcount ref_count;
} FrameBox;

static const char *const class_names[] = {
  [VIGIL_VEHICLE_MOTORCYCLE] = "motorcycle",
  [VIGIL_VEHICLE_CAR] = "car",
  [VIGIL_VEHICLE_BUS] = "bus",
  [VIGIL_VEHICLE_TRUCK] = "truck",
};

G_STATIC_ASSERT (G_N_ELEMENTS (class_names) == VIGIL_N_VEHICLE_CLASSES);

const char *
vigil_vehicle_class_get_name (VigilVehicleClass klass)
{
  if ((guint) klass >= VIGIL_N_VEHICLE_CLASSES)
    return NULL;
  return class_names[klass];
}

gboolean
vigil_vehicle_class_from_name (const char        *name,
                               VigilVehicleClass *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  for (guint i = 0; name != NULL && i < VIGIL_N_VEHICLE_CLASSES; i++)
    if (strcmp (name, class_names[i]) == 0)
      {
        *out = (VigilVehicleClass) i;
        return TRUE;
      }
  return FALSE;
}

const char *
vigil_traffic_status_get_name (VigilTrafficStatus status)
{
  switch (status)
    {
    case VIGIL_TRAFFIC_NORMAL:
      return "NORMAL";
    case VIGIL_TRAFFIC_CROWDED:
      return "CROWDED";
    case VIGIL_TRAFFIC_JAMMED:
      return "JAMMED";
    default:
      return NULL;
    }
}

VigilFrame *
vigil_frame_new (VigilFrameFormat format,
                 guint            width,
                 guint            height)
{
  FrameBox *box;
  guint bpp = format == VIGIL_FRAME_RGB24 ? 3 : 1;

  g_return_val_if_fail (format == VIGIL_FRAME_GRAY8 || format == VIGIL_FRAME_RGB24, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (width <= 16384 && height <= 16384, NULL);

  box = g_new0 (FrameBox, 1);
  g_atomic_ref_count_init (&box->ref_count);
  box->frame.format = format;
  box->frame.width = width;
  box->frame.height = height;
  /* Rows start on 16-byte boundaries for the detector's vector loops. */
  box->frame.stride = (width * bpp + 15) & ~15u;
  box->frame.data = g_malloc0 ((gsize) box->frame.stride * height);
  return &box->frame;
}

VigilFrame *
vigil_frame_ref (VigilFrame *frame)
{
  FrameBox *box = (FrameBox *) frame;

  g_return_val_if_fail (frame != NULL, NULL);

  g_atomic_ref_count_inc (&box->ref_count);
  return frame;
}

void
vigil_frame_unref (VigilFrame *frame)
{
  FrameBox *box = (FrameBox *) frame;

  g_return_if_fail (frame != NULL);

  if (g_atomic_ref_count_dec (&box->ref_count))
    {
      g_free (box->frame.data);
      g_free (box);
    }
}

VigilFrame *
vigil_frame_to_gray (VigilFrame *frame)
{
  VigilFrame *gray;

  g_return_val_if_fail (frame != NULL, NULL);

  if (frame->format == VIGIL_FRAME_GRAY8)
    return vigil_frame_ref (frame);

  gray = vigil_frame_new (VIGIL_FRAME_GRAY8, frame->width, frame->height);
  gray->time_us = frame->time_us;
  gray->index = frame->index;
  for (guint y = 0; y < frame->height; y++)
    {
      const guint8 *in = frame->data + (gsize) y * frame->stride;
      guint8 *out = gray->data + (gsize) y * gray->stride;

      /* BT.601 luma in 8.8 fixed point: 77 R + 150 G + 29 B (sums to 256). */
      for (guint x = 0; x < frame->width; x++)
        out[x] = (guint8) ((77 * in[3 * x] + 150 * in[3 * x + 1] + 29 * in[3 * x + 2] + 128)
                           >> 8);
    }
  return gray;
}

/* Vehicle classes by size -------------------------------------------------------------- */

VigilVehicleClass
vigil_vehicle_class_from_size (double length_m,
                               double width_m)
{
  if (length_m < 3.0 || (length_m < 3.5 && width_m < 1.3))
    return VIGIL_VEHICLE_MOTORCYCLE;
  if (length_m < 7.5)
    return VIGIL_VEHICLE_CAR;
  /* Rigid vehicles stop at 12-13.5 m (EU, US); an articulated truck is longer. */
  if (length_m < 13.0)
    return VIGIL_VEHICLE_BUS;
  return VIGIL_VEHICLE_TRUCK;
}

/* What a track's boxes said about its vehicle. */
typedef struct
{
  guint             whole[VIGIL_N_VEHICLE_CLASSES];  /* votes of its uncut boxes */
  VigilVehicleClass lower_bound;                     /* the largest class of a cut box (the
                                                      * classes go up in size) */
  guint64           last_call;
} TrackClass;

struct _VigilVehicleSizer
{
  VigilCalibration calibration;
  gboolean         calibrated;
  guint            width;
  guint            height;
  double           long_sides[SIZER_HISTORY];  /* pixels; a ring */
  guint            n_long_sides;
  guint            next;
  GHashTable      *tracks;                     /* track id -> TrackClass */
  guint64          calls;
};

VigilVehicleSizer *
vigil_vehicle_sizer_new (void)
{
  VigilVehicleSizer *self = g_new0 (VigilVehicleSizer, 1);

  self->tracks = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  return self;
}

void
vigil_vehicle_sizer_free (VigilVehicleSizer *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->tracks);
  g_free (self);
}

void
vigil_vehicle_sizer_set_frame_size (VigilVehicleSizer *self,
                                    guint              width,
                                    guint              height)
{
  g_return_if_fail (self != NULL);

  self->width = width;
  self->height = height;
}

/* As the tracker does: a side within this of the frame's edge is cut, detected boxes being
 * noisy by a pixel or two. */
static gboolean
is_cut (const VigilVehicleSizer *self,
        const VigilDetection    *d)
{
  double mx = MAX (2.0, 0.01 * self->width), my = MAX (2.0, 0.01 * self->height);

  if (self->width == 0 || self->height == 0)
    return FALSE;
  return d->x <= mx || d->y <= my || d->x + d->w >= self->width - mx ||
         d->y + d->h >= self->height - my;
}

void
vigil_vehicle_sizer_set_calibration (VigilVehicleSizer      *self,
                                     const VigilCalibration *calibration)
{
  g_return_if_fail (self != NULL);

  self->calibrated = calibration != NULL &&
                     (calibration->has_homography || calibration->pixels_per_metre > 0);
  if (self->calibrated)
    self->calibration = *calibration;
}

/* The box's extent on the ground: the bounding box of its corners mapped to metres. */
static void
ground_size (const VigilCalibration *calibration,
             const VigilDetection   *d,
             double                 *out_length,
             double                 *out_width)
{
  double min_x = INFINITY, min_y = INFINITY, max_x = -INFINITY, max_y = -INFINITY;
  double dx, dy;

  for (guint corner = 0; corner < 4; corner++)
    {
      double gx, gy;

      vigil_calibration_to_ground (calibration, d->x + (corner & 1) * d->w,
                                   d->y + (corner >> 1) * d->h, &gx, &gy);
      min_x = MIN (min_x, gx), max_x = MAX (max_x, gx);
      min_y = MIN (min_y, gy), max_y = MAX (max_y, gy);
    }
  dx = max_x - min_x, dy = max_y - min_y;
  *out_length = MAX (dx, dy);
  *out_width = MIN (dx, dy);
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double p = *(const double *) a, q = *(const double *) b;

  return (p > q) - (p < q);
}

/* The scale of relative sizes: most vehicles are cars, so the median long side of the whole
 * boxes seen lately is a car's length. FALSE before any. */
static gboolean
relative_scale (const VigilVehicleSizer *self,
                double                  *pixels_per_metre)
{
  double sorted[SIZER_HISTORY];

  if (self->n_long_sides == 0)
    return FALSE;
  memcpy (sorted, self->long_sides, self->n_long_sides * sizeof (double));
  qsort (sorted, self->n_long_sides, sizeof (double), compare_doubles);
  *pixels_per_metre = sorted[self->n_long_sides / 2] / CAR_LENGTH_M;
  return *pixels_per_metre > 0;
}

/* @pixels_per_metre: the relative scale when the sizer has no calibration. */
static VigilVehicleClass
box_class (const VigilVehicleSizer *self,
           const VigilDetection    *d,
           double                   pixels_per_metre)
{
  double length, width;

  if (self->calibrated)
    {
      ground_size (&self->calibration, d, &length, &width);
      return vigil_vehicle_class_from_size (length, width);
    }
  return vigil_vehicle_class_from_size (MAX (d->w, d->h) / pixels_per_metre,
                                        MIN (d->w, d->h) / pixels_per_metre);
}

void
vigil_vehicle_sizer_classify (VigilVehicleSizer *self,
                              VigilDetection    *detections,
                              guint              n_detections)
{
  double pixels_per_metre = 0;

  g_return_if_fail (self != NULL);
  g_return_if_fail (detections != NULL || n_detections == 0);

  if (!self->calibrated)
    {
      for (guint i = 0; i < n_detections; i++)
        {
          if (is_cut (self, &detections[i]))
            continue;
          self->long_sides[self->next] = MAX (detections[i].w, detections[i].h);
          self->next = (self->next + 1) % SIZER_HISTORY;
          self->n_long_sides = MIN (self->n_long_sides + 1, SIZER_HISTORY);
        }
      if (!relative_scale (self, &pixels_per_metre))
        return;
    }
  for (guint i = 0; i < n_detections; i++)
    detections[i].klass = box_class (self, &detections[i], pixels_per_metre);
}

void
vigil_vehicle_sizer_classify_tracks (VigilVehicleSizer *self,
                                     VigilDetection    *detections,
                                     guint              n_detections)
{
  GHashTableIter iter;
  TrackClass *track;
  double pixels_per_metre = 0;

  g_return_if_fail (self != NULL);
  g_return_if_fail (detections != NULL || n_detections == 0);

  self->calls++;
  if (!self->calibrated && !relative_scale (self, &pixels_per_metre))
    return;
  for (guint i = 0; i < n_detections; i++)
    {
      VigilDetection *d = &detections[i];
      /* Each box's own size: the tracker has given the detection its track's class. */
      VigilVehicleClass klass = box_class (self, d, pixels_per_metre);
      guint best = 0;

      if (d->track_id < 0)
        continue;
      track = g_hash_table_lookup (self->tracks, &d->track_id);
      if (track == NULL)
        {
          track = g_new0 (TrackClass, 1);
          g_hash_table_insert (self->tracks, g_memdup2 (&d->track_id, sizeof d->track_id),
                               track);
        }
      track->last_call = self->calls;
      if (is_cut (self, d))
        track->lower_bound = MAX (track->lower_bound, klass);
      else
        track->whole[klass]++;

      for (guint k = 1; k < VIGIL_N_VEHICLE_CLASSES; k++)
        if (track->whole[k] > track->whole[best])
          best = k;
      d->klass = track->whole[best] > 0 ? (VigilVehicleClass) best : track->lower_bound;
    }

  if (self->calls % TRACK_FORGET_CALLS != 0)
    return;
  g_hash_table_iter_init (&iter, self->tracks);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &track))
    if (track->last_call + TRACK_FORGET_CALLS < self->calls)
      g_hash_table_iter_remove (&iter);
}
