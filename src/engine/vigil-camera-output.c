/* vigil-camera-output.c
 *
 * What a camera gives out: the snapshot and the history the UI reads, the live alarms, its
 * session and batches in the store, and the operator's actions on its alarms.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-camera"

#include "config.h"

#include <string.h>

#include "vigil-camera-private.h"
#include "vigil-error.h"

/* The history keeps an hour; trimmed by this much at a time, not one row per second. */
#define HISTORY_US     (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
#define HISTORY_SLACK  64
/* A started camera hands the store a batch per closed second, or sooner when it grows. */
#define BATCH_ROWS     4096

void
vigil_camera_snapshot_free (VigilCameraSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  g_clear_pointer (&snapshot->frame, vigil_frame_unref);
  g_clear_pointer (&snapshot->mask, vigil_frame_unref);
  g_clear_pointer (&snapshot->detections, g_array_unref);
  g_clear_error (&snapshot->error);
  g_free (snapshot);
}

/* Publishing, under lock ------------------------------------------------------------------ */

void
_vigil_camera_set_failure (VigilCamera  *self,
                           const GError *error)
{
  g_mutex_lock (&self->lock);
  g_clear_error (&self->error);
  self->error = error != NULL ? g_error_copy (error) : NULL;
  self->serial++;
  g_mutex_unlock (&self->lock);
}

void
_vigil_camera_set_state (VigilCamera           *self,
                         VigilFrameSourceState  state,
                         const GError          *error)
{
  g_mutex_lock (&self->lock);
  self->state = state;
  if (error != NULL)
    {
      g_clear_error (&self->error);
      self->error = g_error_copy (error);
    }
  self->serial++;
  g_mutex_unlock (&self->lock);
}

static void
trim_history (GArray *history,
              gint64  latest_end_us)
{
  guint n = 0;

  while (n < history->len &&
         g_array_index (history, VigilTrafficStats, n).end_us <= latest_end_us - HISTORY_US)
    n++;
  if (n >= HISTORY_SLACK || n == history->len)
    g_array_remove_range (history, 0, n);
}

static void
append_history (GArray *history,
                GArray *rows)
{
  if (rows->len == 0)
    return;
  g_array_append_vals (history, rows->data, rows->len);
  trim_history (history, g_array_index (rows, VigilTrafficStats, rows->len - 1).end_us);
}

/* What one frame gave, for the snapshot, the history and the live alarms. */
void
_vigil_camera_publish (VigilCamera     *self,
                       VigilFrame      *frame,
                       GArray          *detections,
                       VigilStoreBatch *step)
{
  g_mutex_lock (&self->lock);
  if (frame != NULL)
    {
      g_clear_pointer (&self->snap_frame, vigil_frame_unref);
      self->snap_frame = vigil_frame_ref (frame);
    }
  /* Time that went on without a frame leaves the last frame's picture as it was. */
  if (detections != NULL)
    {
      g_clear_pointer (&self->snap_mask, vigil_frame_unref);
      self->snap_mask = self->mask != NULL ? vigil_frame_ref (self->mask) : NULL;
      g_array_set_size (self->snap_detections, 0);
      g_array_append_vals (self->snap_detections, detections->data, detections->len);
    }
  if (step->traffic_seconds->len > 0)
    self->snap_second = g_array_index (step->traffic_seconds, VigilTrafficStats,
                                       step->traffic_seconds->len - 1);
  append_history (self->history_seconds, step->traffic_seconds);
  append_history (self->history_minutes, step->traffic_minutes);
  if (frame != NULL || detections != NULL)
    {
      self->n_frames++;
      /* A frame analysed: a mask that failed before is fine again. */
      if (self->error != NULL && self->error->domain == VIGIL_ENGINE_ERROR &&
          self->state != VIGIL_FRAME_SOURCE_FAILED && self->state != VIGIL_FRAME_SOURCE_RETRYING)
        g_clear_error (&self->error);
    }
  self->serial++;
  g_mutex_unlock (&self->lock);

  if (step->transitions->len > 0)
    vigil_live_add_transitions (self->live, (VigilAlarmTransition *) (gpointer)
                                step->transitions->data, step->transitions->len);
  vigil_live_set_position (self->live, self->position_us);
}

/* Moves what @step computed into @batch (NULL: nowhere). */
void
_vigil_camera_merge_batch (VigilStoreBatch *batch,
                           VigilStoreBatch *step)
{
  if (batch == NULL)
    return;
  g_array_append_vals (batch->detections, step->detections->data, step->detections->len);
  g_array_append_vals (batch->traffic_seconds, step->traffic_seconds->data,
                       step->traffic_seconds->len);
  g_array_append_vals (batch->traffic_minutes, step->traffic_minutes->data,
                       step->traffic_minutes->len);
  for (guint i = 0; i < step->transitions->len; i++)
    {
      VigilAlarmTransition t = g_array_index (step->transitions, VigilAlarmTransition, i);

      t.comment = g_strdup (t.comment);
      g_array_append_val (batch->transitions, t);
    }
}

/* A started camera: hands what closed to the store. */
void
_vigil_camera_submit_pending (VigilCamera *self,
                              gboolean     force)
{
  if (self->pending == NULL)
    return;
  if (vigil_store_batch_is_empty (self->pending))
    return;
  if (!force && self->pending->traffic_seconds->len == 0 &&
      vigil_store_batch_get_size (self->pending) < BATCH_ROWS)
    return;
  vigil_store_submit (self->store, g_steal_pointer (&self->pending));
  self->pending = vigil_store_batch_new (self->session_id);
}

/* The store's session --------------------------------------------------------------------- */

static char *
session_source (VigilCamera *self)
{
  if (self->location == NULL)
    return g_strdup_printf ("pushed:%s", self->id);
  if (strstr (self->location, "://") != NULL)
    return g_strdup (self->location);
  return g_canonicalize_filename (self->location, NULL);
}

gint64
vigil_camera_ensure_session (VigilCamera  *self,
                             VigilStore   *store,
                             GError      **error)
{
  g_autofree char *rules_json = NULL;
  g_autofree char *source = NULL;
  VigilSessionInfo info;
  gint64 id;

  g_return_val_if_fail (VIGIL_IS_CAMERA (self), 0);
  g_return_val_if_fail (VIGIL_IS_STORE (store), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  g_mutex_lock (&self->pipeline_lock);
  if (!_vigil_camera_ensure_pipeline (self, error))
    {
      g_mutex_unlock (&self->pipeline_lock);
      return 0;
    }
  g_mutex_unlock (&self->pipeline_lock);

  rules_json = vigil_rule_set_to_json (self->rules);
  source = session_source (self);
  info = (VigilSessionInfo) {
    .kind = "traffic",
    .source = source,
    .start_us = self->start_us,
    .window_us = VIGIL_TRAFFIC_MINUTE_US,
    .slide_us = VIGIL_TRAFFIC_SLIDE_US,
    .lateness_us = VIGIL_TRAFFIC_LATENESS_US,
    .rules_json = rules_json,
    .camera = self->id,
  };
  id = vigil_store_ensure_session (store, &info, error);
  if (id <= 0)
    return 0;

  g_mutex_lock (&self->lock);
  self->session_id = id;
  g_mutex_unlock (&self->lock);

  return id;
}

/* Readers --------------------------------------------------------------------------------- */

VigilCameraSnapshot *
vigil_camera_dup_snapshot (VigilCamera *self)
{
  VigilCameraSnapshot *snapshot;

  g_return_val_if_fail (VIGIL_IS_CAMERA (self), NULL);

  snapshot = g_new0 (VigilCameraSnapshot, 1);
  g_mutex_lock (&self->lock);
  snapshot->frame = self->snap_frame != NULL ? vigil_frame_ref (self->snap_frame) : NULL;
  snapshot->mask = self->snap_mask != NULL ? vigil_frame_ref (self->snap_mask) : NULL;
  snapshot->detections = g_array_sized_new (FALSE, FALSE, sizeof (VigilDetection),
                                            self->snap_detections->len);
  g_array_append_vals (snapshot->detections, self->snap_detections->data,
                       self->snap_detections->len);
  snapshot->second = self->snap_second;
  snapshot->state = self->state;
  snapshot->error = self->error != NULL ? g_error_copy (self->error) : NULL;
  snapshot->n_frames = self->n_frames;
  snapshot->serial = self->serial;
  g_mutex_unlock (&self->lock);

  return snapshot;
}

GArray *
vigil_camera_dup_history (VigilCamera *self,
                          gboolean     minutes,
                          gint64       from_us,
                          gint64       to_us)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (VigilTrafficStats));
  GArray *history;

  g_return_val_if_fail (VIGIL_IS_CAMERA (self), out);

  g_mutex_lock (&self->lock);
  history = minutes ? self->history_minutes : self->history_seconds;
  for (guint i = 0; i < history->len; i++)
    {
      const VigilTrafficStats *row = &g_array_index (history, VigilTrafficStats, i);

      if (row->end_us > from_us && row->start_us < to_us)
        g_array_append_val (out, *row);
    }
  g_mutex_unlock (&self->lock);

  return out;
}

VigilLive *
vigil_camera_get_live (VigilCamera *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA (self), NULL);

  return self->live;
}

gint64
vigil_camera_get_session_id (VigilCamera *self)
{
  gint64 id;

  g_return_val_if_fail (VIGIL_IS_CAMERA (self), 0);

  g_mutex_lock (&self->lock);
  id = self->session_id;
  g_mutex_unlock (&self->lock);

  return id;
}

/* Operator actions ------------------------------------------------------------------------ */

static gboolean
operator_action (VigilCamera  *self,
                 const char   *rule,
                 gint64        duration_us,
                 const char   *comment,
                 GError      **error)
{
  g_autoptr(VigilStoreBatch) step = vigil_store_batch_new (0);
  gboolean ok;

  g_mutex_lock (&self->pipeline_lock);
  if (self->alarms == NULL)
    {
      g_mutex_unlock (&self->pipeline_lock);
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Camera %s has not started", self->id);
      return FALSE;
    }
  /* At the camera's event time, as everything else in its journal. */
  if (duration_us == 0)
    ok = vigil_alarm_machine_acknowledge (self->alarms, rule, VIGIL_KEY_CAMERA,
                                          self->position_us, comment, step->transitions,
                                          error);
  else
    ok = vigil_alarm_machine_shelve (self->alarms, rule, VIGIL_KEY_CAMERA, self->position_us,
                                     self->position_us + duration_us, comment,
                                     step->transitions, error);
  if (ok)
    {
      _vigil_camera_publish (self, NULL, NULL, step);
      if (self->pending != NULL)
        {
          _vigil_camera_merge_batch (self->pending, step);
          _vigil_camera_submit_pending (self, TRUE);
        }
      else if (self->store != NULL && self->session_id > 0)
        {
          VigilStoreBatch *batch = vigil_store_batch_new (self->session_id);

          _vigil_camera_merge_batch (batch, step);
          vigil_store_submit (self->store, batch);
        }
    }
  g_mutex_unlock (&self->pipeline_lock);

  return ok;
}

gboolean
vigil_camera_acknowledge (VigilCamera  *self,
                          const char   *rule,
                          const char   *comment,
                          GError      **error)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA (self), FALSE);
  g_return_val_if_fail (rule != NULL, FALSE);

  return operator_action (self, rule, 0, comment, error);
}

gboolean
vigil_camera_shelve (VigilCamera  *self,
                     const char   *rule,
                     gint64        duration_us,
                     const char   *comment,
                     GError      **error)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA (self), FALSE);
  g_return_val_if_fail (rule != NULL, FALSE);
  g_return_val_if_fail (duration_us > 0, FALSE);

  return operator_action (self, rule, duration_us, comment, error);
}
