/* vigil-traffic-analytics.c
 *
 * Per-second and per-minute traffic statistics of one camera in event time, and the
 * detections of external traffic_data messages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-traffic-analytics"

#include "config.h"

#include <math.h>
#include <string.h>

#include "vigil-error.h"
#include "vigil-time.h"
#include "vigil-traffic-analytics.h"

/* A track unseen for this long is forgotten: its dwell starts again if its id comes back. */
#define FORGET_US (2 * VIGIL_TRAFFIC_MINUTE_US)

typedef struct
{
  VigilVehicleClass klass;    /* the last seen in the period */
  double            dwell_s;  /* the longest seen in the period */
} PeriodTrack;

typedef struct
{
  gint64      start_us;
  gint64      end_us;
  guint       frames;
  double      vehicles;                          /* sums over the frames */
  double      per_class[VIGIL_N_VEHICLE_CLASSES];
  double      density;
  double      speed;                             /* over vehicle-frames with a speed */
  guint64     n_speed;
  GHashTable *tracks;                            /* gint64 id -> PeriodTrack */
} Period;

typedef struct
{
  gint64 first_us;
  gint64 last_us;
} Presence;

struct _VigilTrafficAnalytics
{
  char                   camera_id[VIGIL_CAMERA_ID_MAX + 1];
  guint64                road_pixels;
  VigilTrafficThresholds thresholds;

  gint64                 max_us;        /* largest event time seen; G_MININT64 before any */
  GPtrArray             *seconds;       /* Period, open, by start */
  GPtrArray             *minutes;
  GHashTable            *presence;      /* gint64 track id -> Presence */
  guint64                late_seconds;
  guint64                late_minutes;
};

void
vigil_traffic_thresholds_init (VigilTrafficThresholds *thresholds)
{
  g_return_if_fail (thresholds != NULL);

  thresholds->crowded_density_pct = 15;
  thresholds->jammed_density_pct = 25;
  thresholds->jammed_speed_kmh = 15;
  thresholds->jammed_density_unknown_pct = 50;
}

VigilTrafficStatus
vigil_traffic_status_classify (const VigilTrafficThresholds *thresholds,
                               double                        density_pct,
                               double                        speed_kmh)
{
  g_return_val_if_fail (thresholds != NULL, VIGIL_TRAFFIC_NORMAL);

  if (isnan (speed_kmh) ? density_pct >= thresholds->jammed_density_unknown_pct
                        : density_pct >= thresholds->jammed_density_pct &&
                          speed_kmh < thresholds->jammed_speed_kmh)
    return VIGIL_TRAFFIC_JAMMED;
  if (density_pct >= thresholds->crowded_density_pct)
    return VIGIL_TRAFFIC_CROWDED;
  return VIGIL_TRAFFIC_NORMAL;
}

static void
period_free (gpointer data)
{
  Period *p = data;

  g_hash_table_unref (p->tracks);
  g_free (p);
}

VigilTrafficAnalytics *
vigil_traffic_analytics_new (const char *camera_id,
                             guint64     road_pixels)
{
  VigilTrafficAnalytics *self;

  g_return_val_if_fail (camera_id != NULL, NULL);

  self = g_new0 (VigilTrafficAnalytics, 1);
  g_strlcpy (self->camera_id, camera_id, sizeof self->camera_id);
  self->road_pixels = road_pixels;
  vigil_traffic_thresholds_init (&self->thresholds);
  self->max_us = G_MININT64;
  self->seconds = g_ptr_array_new_with_free_func (period_free);
  self->minutes = g_ptr_array_new_with_free_func (period_free);
  self->presence = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  return self;
}

void
vigil_traffic_analytics_free (VigilTrafficAnalytics *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->seconds);
  g_ptr_array_unref (self->minutes);
  g_hash_table_unref (self->presence);
  g_free (self);
}

void
vigil_traffic_analytics_set_road_pixels (VigilTrafficAnalytics *self,
                                         guint64                road_pixels)
{
  g_return_if_fail (self != NULL);

  self->road_pixels = road_pixels;
}

void
vigil_traffic_analytics_set_thresholds (VigilTrafficAnalytics        *self,
                                        const VigilTrafficThresholds *thresholds)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (thresholds != NULL);

  self->thresholds = *thresholds;
}

guint64
vigil_traffic_analytics_get_late_seconds (VigilTrafficAnalytics *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->late_seconds;
}

guint64
vigil_traffic_analytics_get_late_minutes (VigilTrafficAnalytics *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->late_minutes;
}

/* ---- periods ---- */

static Period *
get_period (GPtrArray *periods,
            gint64     start_us,
            gint64     length_us)
{
  Period *p;
  guint i = periods->len;

  while (i > 0 && ((Period *) periods->pdata[i - 1])->start_us >= start_us)
    {
      if (((Period *) periods->pdata[i - 1])->start_us == start_us)
        return periods->pdata[i - 1];
      i--;
    }
  p = g_new0 (Period, 1);
  p->start_us = start_us;
  p->end_us = start_us + length_us;
  p->tracks = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_ptr_array_insert (periods, (gint) i, p);
  return p;
}

/* What one frame adds to every period it belongs to. */
typedef struct
{
  const VigilDetection *detections;
  guint                 n_detections;
  const double         *dwell_s;      /* per detection; NAN without a track id */
  double                density_pct;
} FrameFacts;

static void
period_add (Period           *p,
            const FrameFacts *f)
{
  p->frames++;
  p->vehicles += f->n_detections;
  p->density += f->density_pct;
  for (guint i = 0; i < f->n_detections; i++)
    {
      const VigilDetection *d = &f->detections[i];
      PeriodTrack *t;

      if ((guint) d->klass < VIGIL_N_VEHICLE_CLASSES)
        p->per_class[d->klass]++;
      if (!isnan (d->speed_kmh))
        {
          p->speed += d->speed_kmh;
          p->n_speed++;
        }
      if (d->track_id < 0)
        continue;
      t = g_hash_table_lookup (p->tracks, &d->track_id);
      if (t == NULL)
        {
          t = g_new0 (PeriodTrack, 1);
          t->dwell_s = f->dwell_s[i];
          g_hash_table_insert (p->tracks, g_memdup2 (&d->track_id, sizeof d->track_id), t);
        }
      t->klass = d->klass;
      t->dwell_s = MAX (t->dwell_s, f->dwell_s[i]);
    }
}

static void
emit (VigilTrafficAnalytics *self,
      const Period          *p,
      GArray                *out)
{
  VigilTrafficStats row;
  GHashTableIter iter;
  gpointer value;
  double dwell = 0;

  memset (&row, 0, sizeof row);
  g_strlcpy (row.camera_id, self->camera_id, sizeof row.camera_id);
  row.start_us = p->start_us;
  row.end_us = p->end_us;
  row.frames = p->frames;
  row.vehicles = p->vehicles / p->frames;
  for (guint k = 0; k < VIGIL_N_VEHICLE_CLASSES; k++)
    row.per_class_vehicles[k] = p->per_class[k] / p->frames;
  row.unique_vehicles = g_hash_table_size (p->tracks);
  g_hash_table_iter_init (&iter, p->tracks);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const PeriodTrack *t = value;

      if ((guint) t->klass < VIGIL_N_VEHICLE_CLASSES)
        row.per_class[t->klass]++;
      dwell += t->dwell_s;
    }
  row.dwell_s = row.unique_vehicles > 0 ? dwell / row.unique_vehicles : NAN;
  row.density_pct = p->density / p->frames;
  row.speed_kmh = p->n_speed > 0 ? p->speed / p->n_speed : NAN;
  row.status = vigil_traffic_status_classify (&self->thresholds, row.density_pct, row.speed_kmh);
  g_array_append_val (out, row);
}

/* Emits, in order, the periods ending at or before @watermark_us (all of them for
 * G_MAXINT64). */
static void
close_periods (VigilTrafficAnalytics *self,
               GPtrArray             *periods,
               gint64                 watermark_us,
               GArray                *out)
{
  guint n = 0;

  while (n < periods->len && ((Period *) periods->pdata[n])->end_us <= watermark_us)
    {
      if (out != NULL)
        emit (self, periods->pdata[n], out);
      n++;
    }
  if (n > 0)
    g_ptr_array_remove_range (periods, 0, n);
}

static gint64
minute_watermark (VigilTrafficAnalytics *self)
{
  return self->max_us == G_MININT64 ? G_MININT64 : self->max_us - VIGIL_TRAFFIC_LATENESS_US;
}

static void
forget_absent (VigilTrafficAnalytics *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->presence);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Presence *) value)->last_us < self->max_us - FORGET_US)
      g_hash_table_iter_remove (&iter);
}

static void
close_due (VigilTrafficAnalytics *self,
           GArray                *seconds,
           GArray                *minutes)
{
  guint n_seconds = self->seconds->len;

  close_periods (self, self->seconds, self->max_us, seconds);
  close_periods (self, self->minutes, minute_watermark (self), minutes);
  if (self->seconds->len < n_seconds)
    forget_absent (self);
}

/* How long the track of @d has been in the mask, from the first frame it was seen in. */
static double
dwell_of (VigilTrafficAnalytics *self,
          const VigilDetection  *d,
          gint64                 time_us)
{
  Presence *p;

  if (d->track_id < 0)
    return NAN;
  p = g_hash_table_lookup (self->presence, &d->track_id);
  if (p == NULL)
    {
      p = g_new (Presence, 1);
      p->first_us = p->last_us = time_us;
      g_hash_table_insert (self->presence, g_memdup2 (&d->track_id, sizeof d->track_id), p);
    }
  p->first_us = MIN (p->first_us, time_us);
  p->last_us = MAX (p->last_us, time_us);
  return (time_us - p->first_us) / 1e6;
}

void
vigil_traffic_analytics_push (VigilTrafficAnalytics *self,
                              gint64                 time_us,
                              const VigilDetection  *detections,
                              guint                  n_detections,
                              double                 vehicle_pixels,
                              GArray                *seconds,
                              GArray                *minutes)
{
  g_autofree double *dwell = NULL;
  FrameFacts facts;
  gint64 second, slot;
  gboolean counted = FALSE;

  g_return_if_fail (self != NULL);
  g_return_if_fail (detections != NULL || n_detections == 0);
  g_return_if_fail (seconds != NULL && minutes != NULL);

  self->max_us = MAX (self->max_us, time_us);

  dwell = g_new (double, MAX (n_detections, 1));
  for (guint i = 0; i < n_detections; i++)
    dwell[i] = dwell_of (self, &detections[i], time_us);
  facts.detections = detections;
  facts.n_detections = n_detections;
  facts.dwell_s = dwell;
  facts.density_pct = self->road_pixels > 0
                      ? MIN (100.0, 100.0 * MAX (vehicle_pixels, 0) / self->road_pixels)
                      : 0;

  /* Seconds allow no lateness: a camera's frames come in order, and the live view wants its
   * second as soon as the next one starts. */
  second = vigil_floor_div (time_us, G_USEC_PER_SEC) * G_USEC_PER_SEC;
  if (second + G_USEC_PER_SEC <= self->max_us)
    self->late_seconds++;
  else
    period_add (get_period (self->seconds, second, G_USEC_PER_SEC), &facts);

  slot = vigil_floor_div (time_us, VIGIL_TRAFFIC_SLIDE_US) * VIGIL_TRAFFIC_SLIDE_US;
  for (gint64 start = slot - VIGIL_TRAFFIC_MINUTE_US + VIGIL_TRAFFIC_SLIDE_US; start <= slot;
       start += VIGIL_TRAFFIC_SLIDE_US)
    if (start + VIGIL_TRAFFIC_MINUTE_US > minute_watermark (self))
      {
        period_add (get_period (self->minutes, start, VIGIL_TRAFFIC_MINUTE_US), &facts);
        counted = TRUE;
      }
  if (!counted)
    self->late_minutes++;

  close_due (self, seconds, minutes);
}

void
vigil_traffic_analytics_advance (VigilTrafficAnalytics *self,
                                 gint64                 time_us,
                                 GArray                *seconds,
                                 GArray                *minutes)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (seconds != NULL && minutes != NULL);

  self->max_us = MAX (self->max_us, time_us);
  close_due (self, seconds, minutes);
}

void
vigil_traffic_analytics_flush (VigilTrafficAnalytics *self,
                               GArray                *seconds,
                               GArray                *minutes)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (seconds != NULL && minutes != NULL);

  close_periods (self, self->seconds, G_MAXINT64, seconds);
  close_periods (self, self->minutes, G_MAXINT64, minutes);
}

/* ---- external detections ---- */

double
vigil_traffic_detections_area (const VigilDetection *detections,
                               guint                 n_detections)
{
  double sum = 0;

  g_return_val_if_fail (detections != NULL || n_detections == 0, 0);

  for (guint i = 0; i < n_detections; i++)
    sum += detections[i].area;
  return sum;
}

static void
clip_box (VigilDetection *d,
          guint           width,
          guint           height)
{
  double x0 = CLAMP (d->x, 0, width), x1 = CLAMP (d->x + d->w, 0, width);
  double y0 = CLAMP (d->y, 0, height), y1 = CLAMP (d->y + d->h, 0, height);

  d->x = x0, d->y = y0, d->w = x1 - x0, d->h = y1 - y0;
}

static void
polygons_to_detection (const VigilKafkaTraffic *message,
                       const VigilKafkaObject  *obj,
                       VigilDetection          *d)
{
  double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
  double area = 0;

  for (guint k = 0; k < obj->n_polygons; k++)
    {
      const VigilKafkaPolygon *poly = &message->polygons[obj->first_polygon + k];
      const VigilKafkaPoint *pts = &message->points[poly->first_point];
      double twice = 0;

      for (guint i = 0; i < poly->n_points; i++)
        {
          const VigilKafkaPoint *a = &pts[i], *b = &pts[(i + 1) % poly->n_points];

          twice += a->x * b->y - b->x * a->y;
          x0 = MIN (x0, a->x), x1 = MAX (x1, a->x);
          y0 = MIN (y0, a->y), y1 = MAX (y1, a->y);
        }
      area += fabs (twice) / 2;
    }
  d->x = x0, d->y = y0, d->w = x1 - x0, d->h = y1 - y0;
  d->area = (guint) MIN (round (area), G_MAXUINT);
}

static gboolean
has_points (const VigilKafkaTraffic *message,
            const VigilKafkaObject  *obj)
{
  for (guint k = 0; k < obj->n_polygons; k++)
    if (message->polygons[obj->first_polygon + k].n_points > 0)
      return TRUE;
  return FALSE;
}

gboolean
vigil_traffic_detections_from_kafka (const VigilKafkaTraffic  *message,
                                     guint                     width,
                                     guint                     height,
                                     GArray                   *detections,
                                     guint                    *out_skipped,
                                     GError                  **error)
{
  guint skipped = 0;
  guint first;

  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (detections != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  first = detections->len;
  for (guint i = 0; i < message->n_objects; i++)
    {
      const VigilKafkaObject *obj = &message->objects[i];
      VigilDetection d = { 0 };

      d.klass = (VigilVehicleClass) CLAMP (obj->class_id, 0, VIGIL_N_VEHICLE_CLASSES - 1);
      d.speed_kmh = NAN;
      if (has_points (message, obj))
        {
          d.track_id = obj->track_id;
          polygons_to_detection (message, obj, &d);
          if (width > 0 && height > 0)
            clip_box (&d, width, height);
        }
      else if (obj->has_bbox)
        {
          if (width == 0 || height == 0)
            {
              g_array_set_size (detections, first);
              g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                           "Camera %s: objects[%u] has a normalised box but the frame size is "
                           "unknown", message->camera_id, i);
              return FALSE;
            }
          d.track_id = -1;
          d.x = (obj->bbox[0] - obj->bbox[2] / 2) * width;
          d.y = (obj->bbox[1] - obj->bbox[3] / 2) * height;
          d.w = obj->bbox[2] * width;
          d.h = obj->bbox[3] * height;
          clip_box (&d, width, height);
          d.area = (guint) MIN (round (d.w * d.h), G_MAXUINT);
        }
      else
        {
          skipped++;
          continue;
        }
      g_array_append_val (detections, d);
    }

  if (out_skipped != NULL)
    *out_skipped = skipped;
  return TRUE;
}
