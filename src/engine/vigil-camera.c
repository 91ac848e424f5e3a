/* vigil-camera.c
 *
 * One camera's pipeline: frames (from its source's thread, a worker fed by pushed frames, or
 * the caller's thread) through the mask, the detector, classes by size, the tracker, the
 * analytics and the alarm rules; the camera's settings and threads. What the frames give goes
 * out through vigil-camera-output.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-camera"

#include "config.h"

#include <math.h>
#include <string.h>

#include "vigil-camera-private.h"
#include "vigil-error.h"
#include "vigil-road-mask.h"

/* Pushed frames waiting for the camera's worker: a few frames of slack, then back-pressure. */
#define QUEUE_CAPACITY 8
/* Masks are shared by every camera of the process: one load per file and size. */
#define MASK_CACHE_CAPACITY 32
/* The tracker's speed is the slope of a vehicle's positions over this window: its speed at
 * the window's middle, half a window late. A vehicle braking for a queue loses several km/h in
 * half a second, so a short window (still ten frames at 25 frames/s) measures it better than
 * the tracker's default second. */
#define SPEED_WINDOW_S 0.5

typedef struct
{
  VigilFrame *frame;        /* owned; may be NULL */
  gint64      time_us;
  guint       width;
  guint       height;
  GArray     *detections;   /* owned; NULL: run the detector */
  gboolean    end;          /* the stream ended: flush */
} Pushed;

G_DEFINE_FINAL_TYPE (VigilCamera, vigil_camera, G_TYPE_OBJECT)

static VigilRoadMaskCache *
mask_cache (void)
{
  static VigilRoadMaskCache *cache;

  if (g_once_init_enter (&cache))
    g_once_init_leave (&cache, vigil_road_mask_cache_new (MASK_CACHE_CAPACITY));
  return cache;
}

static void
pushed_free (Pushed *p)
{
  g_clear_pointer (&p->frame, vigil_frame_unref);
  g_clear_pointer (&p->detections, g_array_unref);
  g_free (p);
}

static void
vigil_camera_dispose (GObject *object)
{
  VigilCamera *self = VIGIL_CAMERA (object);

  if (self->started)
    vigil_camera_stop (self);
  g_clear_object (&self->source);
  g_clear_object (&self->live);

  G_OBJECT_CLASS (vigil_camera_parent_class)->dispose (object);
}

static void
vigil_camera_finalize (GObject *object)
{
  VigilCamera *self = VIGIL_CAMERA (object);

  g_queue_clear_full (&self->queue, (GDestroyNotify) pushed_free);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->location, g_free);
  g_clear_pointer (&self->rules, vigil_rule_set_unref);
  g_clear_pointer (&self->mask_path, g_free);
  g_clear_pointer (&self->snap_frame, vigil_frame_unref);
  g_clear_pointer (&self->snap_mask, vigil_frame_unref);
  g_clear_pointer (&self->snap_detections, g_array_unref);
  g_clear_error (&self->error);
  g_clear_pointer (&self->history_seconds, g_array_unref);
  g_clear_pointer (&self->history_minutes, g_array_unref);
  g_clear_pointer (&self->detector, vigil_detector_free);
  g_clear_pointer (&self->tracker, vigil_tracker_free);
  g_clear_pointer (&self->sizer, vigil_vehicle_sizer_free);
  g_clear_pointer (&self->analytics, vigil_traffic_analytics_free);
  g_clear_pointer (&self->alarms, vigil_alarm_machine_free);
  g_clear_pointer (&self->mask, vigil_frame_unref);
  g_clear_pointer (&self->pending, vigil_store_batch_free);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->pipeline_lock);
  g_mutex_clear (&self->queue_lock);
  g_cond_clear (&self->queue_cond);

  G_OBJECT_CLASS (vigil_camera_parent_class)->finalize (object);
}

static void
vigil_camera_class_init (VigilCameraClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vigil_camera_dispose;
  object_class->finalize = vigil_camera_finalize;
}

static void
vigil_camera_init (VigilCamera *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->pipeline_lock);
  g_mutex_init (&self->queue_lock);
  g_cond_init (&self->queue_cond);
  g_queue_init (&self->queue);
  self->fps = 25;
  vigil_detector_params_init (&self->detector_params);
  self->rules = vigil_rule_set_new_default ();
  self->live = vigil_live_new ();
  self->history_seconds = g_array_new (FALSE, FALSE, sizeof (VigilTrafficStats));
  self->history_minutes = g_array_new (FALSE, FALSE, sizeof (VigilTrafficStats));
  self->snap_detections = g_array_new (FALSE, FALSE, sizeof (VigilDetection));
  self->state = VIGIL_FRAME_SOURCE_IDLE;
}

VigilCamera *
vigil_camera_new (const char *camera_id,
                  const char *location)
{
  VigilCamera *self;

  g_return_val_if_fail (camera_id != NULL && *camera_id != '\0', NULL);
  g_return_val_if_fail (strlen (camera_id) <= VIGIL_CAMERA_ID_MAX, NULL);

  self = g_object_new (VIGIL_TYPE_CAMERA, NULL);
  self->id = g_strdup (camera_id);
  self->location = g_strdup (location);

  return self;
}

const char *
vigil_camera_get_id (VigilCamera *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA (self), NULL);

  return self->id;
}

const char *
vigil_camera_get_location (VigilCamera *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA (self), NULL);

  return self->location;
}

void
vigil_camera_set_fps (VigilCamera *self,
                      double       fps)
{
  g_return_if_fail (VIGIL_IS_CAMERA (self));
  g_return_if_fail (fps > 0);

  self->fps = fps;
}

void
vigil_camera_set_start_time (VigilCamera *self,
                             gint64       start_us)
{
  g_return_if_fail (VIGIL_IS_CAMERA (self));

  self->start_us = start_us;
}

void
vigil_camera_set_clock (VigilCamera      *self,
                        VigilReplayClock *clock)
{
  g_return_if_fail (VIGIL_IS_CAMERA (self));

  self->clock = clock;
}

void
vigil_camera_set_detector_params (VigilCamera               *self,
                                  const VigilDetectorParams *params)
{
  g_return_if_fail (VIGIL_IS_CAMERA (self));

  if (params != NULL)
    self->detector_params = *params;
  else
    vigil_detector_params_init (&self->detector_params);
}

void
vigil_camera_set_rules (VigilCamera  *self,
                        VigilRuleSet *rules)
{
  g_return_if_fail (VIGIL_IS_CAMERA (self));
  g_return_if_fail (rules != NULL);

  g_clear_pointer (&self->rules, vigil_rule_set_unref);
  self->rules = vigil_rule_set_ref (rules);
}

void
vigil_camera_set_store (VigilCamera *self,
                        VigilStore  *store)
{
  g_return_if_fail (VIGIL_IS_CAMERA (self));

  self->store = store;
}

/* Settings that apply at the next frame --------------------------------------------------- */

gboolean
vigil_camera_set_mask_file (VigilCamera  *self,
                            const char   *path,
                            GError      **error)
{
  g_autoptr(VigilFrame) check = NULL;
  guint width, height;

  g_return_val_if_fail (VIGIL_IS_CAMERA (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (path != NULL)
    {
      /* Checked at the stream's size when it is known, else at a common one: what cannot be
       * read fails here, not silently later. */
      g_mutex_lock (&self->lock);
      width = self->snap_frame != NULL ? self->snap_frame->width : 640;
      height = self->snap_frame != NULL ? self->snap_frame->height : 480;
      g_mutex_unlock (&self->lock);
      check = vigil_road_mask_cache_get (mask_cache (), path, self->id, width, height, 0, 0,
                                         error);
      if (check == NULL)
        return FALSE;
    }

  g_mutex_lock (&self->lock);
  g_free (self->mask_path);
  self->mask_path = g_strdup (path);
  self->mask_generation++;
  g_mutex_unlock (&self->lock);

  return TRUE;
}

const char *
vigil_camera_get_mask_file (VigilCamera *self)
{
  const char *path;

  g_return_val_if_fail (VIGIL_IS_CAMERA (self), NULL);

  /* The owner sets it; interned so that the pointer stays valid after a change. */
  g_mutex_lock (&self->lock);
  path = g_intern_string (self->mask_path);
  g_mutex_unlock (&self->lock);

  return path;
}

void
vigil_camera_set_calibration (VigilCamera            *self,
                              const VigilCalibration *calibration)
{
  g_return_if_fail (VIGIL_IS_CAMERA (self));

  g_mutex_lock (&self->lock);
  if (calibration != NULL)
    self->calibration = *calibration;
  else
    memset (&self->calibration, 0, sizeof self->calibration);
  self->calibration_generation++;
  g_mutex_unlock (&self->lock);
}

void
vigil_camera_get_calibration (VigilCamera      *self,
                              VigilCalibration *out)
{
  g_return_if_fail (VIGIL_IS_CAMERA (self));
  g_return_if_fail (out != NULL);

  g_mutex_lock (&self->lock);
  *out = self->calibration;
  g_mutex_unlock (&self->lock);
}

/* The pipeline, under pipeline_lock ------------------------------------------------------- */

gboolean
_vigil_camera_ensure_pipeline (VigilCamera  *self,
                               GError      **error)
{
  VigilTrackerParams tracker_params;

  if (self->analytics != NULL)
    return TRUE;

  self->detector = vigil_detector_new (&self->detector_params, error);
  if (self->detector == NULL)
    return FALSE;
  vigil_tracker_params_init (&tracker_params);
  tracker_params.speed_window_s = SPEED_WINDOW_S;
  self->tracker = vigil_tracker_new (&tracker_params, NULL);
  self->sizer = vigil_vehicle_sizer_new ();
  self->analytics = vigil_traffic_analytics_new (self->id, 0);
  self->alarms = vigil_alarm_machine_new (self->rules, 1u << VIGIL_KEY_CAMERA);
  self->position_us = self->start_us;
  self->calibration_applied = G_MAXUINT;
  self->mask_applied = G_MAXUINT;

  return TRUE;
}

/* Brings the mask, the frame size and the calibration up to date for a frame of @width x
 * @height. A mask that cannot be loaded fails the frame: counting the whole frame instead
 * would be silently wrong. */
static gboolean
update_settings (VigilCamera  *self,
                 guint         width,
                 guint         height,
                 GError      **error)
{
  g_autofree char *path = NULL;
  g_autoptr(VigilFrame) mask = NULL;
  VigilCalibration calibration;
  guint mask_generation, calibration_generation;
  guint64 road_pixels;

  g_mutex_lock (&self->lock);
  path = g_strdup (self->mask_path);
  mask_generation = self->mask_generation;
  calibration = self->calibration;
  calibration_generation = self->calibration_generation;
  g_mutex_unlock (&self->lock);

  if (calibration_generation != self->calibration_applied)
    {
      vigil_tracker_set_calibration (self->tracker, &calibration);
      vigil_vehicle_sizer_set_calibration (self->sizer, &calibration);
      self->calibration_applied = calibration_generation;
    }
  if (width != self->width || height != self->height)
    {
      vigil_tracker_set_frame_size (self->tracker, width, height);
      vigil_vehicle_sizer_set_frame_size (self->sizer, width, height);
      self->width = width;
      self->height = height;
    }

  /* Asked every frame: the cache notices a file saved again and reloads it. */
  if (path != NULL)
    {
      mask = vigil_road_mask_cache_get (mask_cache (), path, self->id, width, height, 0, 0,
                                        error);
      if (mask == NULL)
        return FALSE;
    }
  if (mask != self->mask || mask_generation != self->mask_applied)
    {
      g_clear_pointer (&self->mask, vigil_frame_unref);
      self->mask = g_steal_pointer (&mask);
      self->mask_applied = mask_generation;
    }

  road_pixels = self->mask != NULL ? vigil_road_mask_count (self->mask)
                                   : (guint64) width * height;
  if (road_pixels != self->road_pixels)
    {
      vigil_traffic_analytics_set_road_pixels (self->analytics, road_pixels);
      self->road_pixels = road_pixels;
    }

  return TRUE;
}

static gboolean
on_road (VigilFrame           *mask,
         guint                 width,
         guint                 height,
         const VigilDetection *d)
{
  gint64 x = (gint64) floor (d->x + d->w / 2), y = (gint64) ceil (d->y + d->h) - 1;

  /* The bottom-centre: where the vehicle stands on the road. */
  if (x < 0 || y < 0 || x >= width || y >= height)
    return FALSE;
  return mask == NULL || mask->data[(gsize) y * mask->stride + (gsize) x] != 0;
}

/* Road pixels (pixel centres) inside a box that came with a frame. */
static guint
box_road_pixels (VigilFrame           *mask,
                 guint                 width,
                 guint                 height,
                 const VigilDetection *d)
{
  gint64 x0 = MAX ((gint64) ceil (d->x - 0.5), 0);
  gint64 y0 = MAX ((gint64) ceil (d->y - 0.5), 0);
  gint64 x1 = MIN ((gint64) ceil (d->x + d->w - 0.5), (gint64) width);
  gint64 y1 = MIN ((gint64) ceil (d->y + d->h - 0.5), (gint64) height);
  guint n = 0;

  if (x1 <= x0 || y1 <= y0)
    return 0;
  if (mask == NULL)
    return (guint) ((x1 - x0) * (y1 - y0));
  for (gint64 y = y0; y < y1; y++)
    for (gint64 x = x0; x < x1; x++)
      n += mask->data[(gsize) y * mask->stride + (gsize) x] != 0;
  return n;
}

static void
close_seconds (VigilCamera     *self,
               VigilStoreBatch *step)
{
  for (guint i = 0; i < step->traffic_seconds->len; i++)
    vigil_alarm_machine_process_traffic (self->alarms,
                                         &g_array_index (step->traffic_seconds,
                                                         VigilTrafficStats, i),
                                         step->transitions);
}

/* One frame through the whole pipeline; what it computed goes to @batch (may be NULL). */
static gboolean
analyse (VigilCamera           *self,
         VigilFrame            *frame,
         guint64                index,
         gint64                 time_us,
         guint                  width,
         guint                  height,
         const VigilDetection  *given,
         guint                  n_given,
         gboolean               detect,
         VigilStoreBatch       *batch,
         GError               **error)
{
  g_autoptr(VigilStoreBatch) step = vigil_store_batch_new (0);
  g_autoptr(GArray) detections = NULL;
  g_autoptr(GArray) inside = g_array_new (FALSE, FALSE, sizeof (VigilDetection));
  g_autoptr(GError) local_error = NULL;
  double vehicle_pixels = 0;

  if (frame != NULL)
    width = frame->width, height = frame->height;
  if (width == 0 || height == 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Camera %s: a frame without a size", self->id);
      return FALSE;
    }
  if (!update_settings (self, width, height, &local_error))
    {
      g_prefix_error (&local_error, "Camera %s: ", self->id);
      _vigil_camera_set_failure (self, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (detect)
    {
      detections = vigil_detector_process (self->detector, frame, self->mask, error);
      if (detections == NULL)
        return FALSE;
      vigil_vehicle_sizer_classify (self->sizer, (VigilDetection *) (gpointer) detections->data,
                                    detections->len);
    }
  else
    {
      detections = g_array_sized_new (FALSE, FALSE, sizeof (VigilDetection), n_given);
      g_array_append_vals (detections, given, n_given);
      /* Boxes from elsewhere: their pixels are the road they cover. */
      for (guint i = 0; i < detections->len; i++)
        {
          VigilDetection *d = &g_array_index (detections, VigilDetection, i);

          d->area = box_road_pixels (self->mask, width, height, d);
        }
    }
  vigil_tracker_update (self->tracker, time_us, (VigilDetection *) (gpointer) detections->data,
                        detections->len);
  if (detect)
    vigil_vehicle_sizer_classify_tracks (self->sizer, (VigilDetection *) (gpointer)
                                         detections->data, detections->len);

  for (guint i = 0; i < detections->len; i++)
    {
      const VigilDetection *d = &g_array_index (detections, VigilDetection, i);
      VigilStoreDetection row = { index, time_us, i, *d };

      g_array_append_val (step->detections, row);
      if (!on_road (self->mask, width, height, d))
        continue;
      g_array_append_val (inside, *d);
      vehicle_pixels += d->area;
    }
  vigil_traffic_analytics_push (self->analytics, time_us, (VigilDetection *) (gpointer)
                                inside->data, inside->len, vehicle_pixels,
                                step->traffic_seconds, step->traffic_minutes);
  close_seconds (self, step);
  self->position_us = MAX (self->position_us, time_us);

  _vigil_camera_publish (self, frame, detections, step);
  _vigil_camera_merge_batch (batch, step);

  return TRUE;
}

/* Closes what @time_us closes (G_MAXINT64: everything) into @batch. */
static void
advance (VigilCamera     *self,
         gint64           time_us,
         VigilStoreBatch *batch)
{
  g_autoptr(VigilStoreBatch) step = vigil_store_batch_new (0);

  if (time_us == G_MAXINT64)
    vigil_traffic_analytics_flush (self->analytics, step->traffic_seconds,
                                   step->traffic_minutes);
  else
    vigil_traffic_analytics_advance (self->analytics, time_us, step->traffic_seconds,
                                     step->traffic_minutes);
  close_seconds (self, step);
  vigil_alarm_machine_advance (self->alarms, time_us == G_MAXINT64 ? self->position_us : time_us,
                               step->transitions);
  if (time_us != G_MAXINT64)
    self->position_us = MAX (self->position_us, time_us);
  _vigil_camera_publish (self, NULL, NULL, step);
  _vigil_camera_merge_batch (batch, step);
}

static void
end_stream (VigilCamera *self)
{
  g_mutex_lock (&self->pipeline_lock);
  if (!self->ended && self->analytics != NULL)
    {
      self->ended = TRUE;
      advance (self, G_MAXINT64, self->pending);
      _vigil_camera_submit_pending (self, TRUE);
    }
  g_mutex_unlock (&self->pipeline_lock);
}

static void
run_frame (VigilCamera          *self,
           VigilFrame           *frame,
           guint64               index,
           gint64                time_us,
           guint                 width,
           guint                 height,
           const VigilDetection *given,
           guint                 n_given,
           gboolean              detect)
{
  g_autoptr(GError) error = NULL;

  g_mutex_lock (&self->pipeline_lock);
  if (!analyse (self, frame, index, time_us, width, height, given, n_given, detect,
                self->pending, &error))
    {
      /* The frame is lost, the camera goes on: the snapshot says why. */
      _vigil_camera_set_failure (self, error);
      g_mutex_unlock (&self->pipeline_lock);
      return;
    }
  _vigil_camera_submit_pending (self, FALSE);
  g_mutex_unlock (&self->pipeline_lock);
}

/* Threads --------------------------------------------------------------------------------- */

static void
on_source_frame (VigilFrameSource *source,
                 VigilFrame       *frame,
                 gpointer          user_data)
{
  VigilCamera *self = user_data;

  run_frame (self, frame, frame->index, frame->time_us, 0, 0, NULL, 0, TRUE);
}

static void
on_source_state (VigilFrameSource      *source,
                 VigilFrameSourceState  state,
                 const GError          *error,
                 gpointer               user_data)
{
  VigilCamera *self = user_data;

  /* A file or folder that ended (or a source that gave up) closes every open period. */
  if (state == VIGIL_FRAME_SOURCE_FINISHED || state == VIGIL_FRAME_SOURCE_FAILED)
    end_stream (self);
  _vigil_camera_set_state (self, state, error);
}

static gpointer
worker_thread (gpointer data)
{
  VigilCamera *self = data;

  for (;;)
    {
      Pushed *p;

      g_mutex_lock (&self->queue_lock);
      while (!self->stopping && g_queue_is_empty (&self->queue))
        g_cond_wait (&self->queue_cond, &self->queue_lock);
      if (self->stopping)
        {
          g_mutex_unlock (&self->queue_lock);
          _vigil_camera_set_state (self, VIGIL_FRAME_SOURCE_STOPPED, NULL);
          return NULL;
        }
      p = g_queue_pop_head (&self->queue);
      g_cond_broadcast (&self->queue_cond);
      g_mutex_unlock (&self->queue_lock);

      if (p->end)
        {
          pushed_free (p);
          end_stream (self);
          _vigil_camera_set_state (self, VIGIL_FRAME_SOURCE_FINISHED, NULL);
          return NULL;
        }
      run_frame (self, p->frame, self->next_index++, p->time_us, p->width, p->height,
                 p->detections != NULL ? (VigilDetection *) (gpointer) p->detections->data
                                       : NULL,
                 p->detections != NULL ? p->detections->len : 0, p->detections == NULL);
      pushed_free (p);
    }
}

gboolean
vigil_camera_start (VigilCamera  *self,
                    GError      **error)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (VIGIL_IS_CAMERA (self), FALSE);
  g_return_val_if_fail (!self->started, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->store != NULL)
    {
      if (vigil_camera_ensure_session (self, self->store, error) <= 0)
        return FALSE;
      self->pending = vigil_store_batch_new (self->session_id);
    }
  else
    {
      g_mutex_lock (&self->pipeline_lock);
      if (!_vigil_camera_ensure_pipeline (self, error))
        {
          g_mutex_unlock (&self->pipeline_lock);
          return FALSE;
        }
      g_mutex_unlock (&self->pipeline_lock);
    }

  vigil_live_reset (self->live, self->start_us, G_MAXINT64, 0, self->rules);
  vigil_live_set_position (self->live, self->start_us);
  _vigil_camera_set_state (self, VIGIL_FRAME_SOURCE_CONNECTING, NULL);
  self->started = TRUE;

  if (self->location == NULL)
    {
      name = g_strdup_printf ("vigil-cam-%s", self->id);
      self->worker = g_thread_new (name, worker_thread, self);
      _vigil_camera_set_state (self, VIGIL_FRAME_SOURCE_PLAYING, NULL);
      return TRUE;
    }

  self->source = vigil_frame_source_new (self->id, self->location);
  vigil_frame_source_set_format (self->source, VIGIL_FRAME_RGB24);
  vigil_frame_source_set_fps (self->source, self->fps);
  vigil_frame_source_set_start_time (self->source, self->start_us);
  vigil_frame_source_set_clock (self->source, self->clock);
  vigil_frame_source_set_frame_func (self->source, on_source_frame, self, NULL);
  vigil_frame_source_set_state_func (self->source, on_source_state, self, NULL);
  if (!vigil_frame_source_start (self->source, error))
    {
      _vigil_camera_set_state (self, VIGIL_FRAME_SOURCE_FAILED, error != NULL ? *error : NULL);
      return FALSE;
    }

  return TRUE;
}

void
vigil_camera_stop (VigilCamera *self)
{
  g_return_if_fail (VIGIL_IS_CAMERA (self));

  if (!self->started)
    return;

  if (self->source != NULL)
    vigil_frame_source_stop (self->source);
  if (self->worker != NULL)
    {
      g_mutex_lock (&self->queue_lock);
      self->stopping = TRUE;
      g_cond_broadcast (&self->queue_cond);
      g_mutex_unlock (&self->queue_lock);
      g_thread_join (g_steal_pointer (&self->worker));
    }

  g_mutex_lock (&self->pipeline_lock);
  _vigil_camera_submit_pending (self, TRUE);
  g_mutex_unlock (&self->pipeline_lock);
  self->started = FALSE;
}

VigilFrameSourceState
vigil_camera_wait (VigilCamera *self)
{
  VigilFrameSourceState state;

  g_return_val_if_fail (VIGIL_IS_CAMERA (self), VIGIL_FRAME_SOURCE_IDLE);

  if (self->source != NULL)
    {
      state = vigil_frame_source_wait (self->source);
      end_stream (self);
      return state;
    }
  if (self->worker != NULL)
    {
      Pushed *end = g_new0 (Pushed, 1);

      end->end = TRUE;
      g_mutex_lock (&self->queue_lock);
      g_queue_push_tail (&self->queue, end);
      g_cond_broadcast (&self->queue_cond);
      g_mutex_unlock (&self->queue_lock);
      g_thread_join (g_steal_pointer (&self->worker));
      self->started = FALSE;
    }

  g_mutex_lock (&self->lock);
  state = self->state;
  g_mutex_unlock (&self->lock);

  return state;
}

gboolean
vigil_camera_push_frame (VigilCamera           *self,
                         VigilFrame            *frame,
                         gint64                 time_us,
                         guint                  width,
                         guint                  height,
                         const VigilDetection  *detections,
                         guint                  n_detections,
                         GError               **error)
{
  Pushed *p;

  g_return_val_if_fail (VIGIL_IS_CAMERA (self), FALSE);
  g_return_val_if_fail (frame != NULL || (width > 0 && height > 0), FALSE);
  g_return_val_if_fail (detections != NULL || n_detections == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->worker == NULL)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Camera %s: frames are pushed to a started camera without a location",
                   self->id);
      return FALSE;
    }

  p = g_new0 (Pushed, 1);
  p->frame = frame != NULL ? vigil_frame_ref (frame) : NULL;
  p->time_us = time_us;
  p->width = width;
  p->height = height;
  /* A frame that comes with its objects skips the detector, even when it has none. */
  if (frame == NULL || detections != NULL)
    {
      p->detections = g_array_sized_new (FALSE, FALSE, sizeof (VigilDetection), n_detections);
      g_array_append_vals (p->detections, detections, n_detections);
    }

  g_mutex_lock (&self->queue_lock);
  while (!self->stopping && g_queue_get_length (&self->queue) >= QUEUE_CAPACITY)
    g_cond_wait (&self->queue_cond, &self->queue_lock);
  if (self->stopping)
    {
      g_mutex_unlock (&self->queue_lock);
      pushed_free (p);
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Camera %s is stopping", self->id);
      return FALSE;
    }
  g_queue_push_tail (&self->queue, p);
  g_cond_broadcast (&self->queue_cond);
  g_mutex_unlock (&self->queue_lock);

  return TRUE;
}

gboolean
vigil_camera_process_frame (VigilCamera           *self,
                            VigilFrame            *frame,
                            gint64                 time_us,
                            guint                  width,
                            guint                  height,
                            const VigilDetection  *detections,
                            guint                  n_detections,
                            VigilStoreBatch       *batch,
                            GError               **error)
{
  gboolean ok;

  g_return_val_if_fail (VIGIL_IS_CAMERA (self), FALSE);
  g_return_val_if_fail (frame != NULL || (width > 0 && height > 0), FALSE);
  g_return_val_if_fail (detections != NULL || n_detections == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->pipeline_lock);
  if (!_vigil_camera_ensure_pipeline (self, error))
    {
      g_mutex_unlock (&self->pipeline_lock);
      return FALSE;
    }
  ok = analyse (self, frame, self->next_index++, time_us, width, height, detections,
                n_detections, frame != NULL && detections == NULL, batch, error);
  g_mutex_unlock (&self->pipeline_lock);

  return ok;
}

void
vigil_camera_advance (VigilCamera     *self,
                      gint64           time_us,
                      VigilStoreBatch *batch)
{
  g_return_if_fail (VIGIL_IS_CAMERA (self));

  g_mutex_lock (&self->pipeline_lock);
  if (self->analytics != NULL)
    advance (self, time_us, batch);
  g_mutex_unlock (&self->pipeline_lock);
}
