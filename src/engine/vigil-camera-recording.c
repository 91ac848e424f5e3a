/* vigil-camera-recording.c
 *
 * A camera's session is read into memory once: its detections sorted by frame with an offset
 * per frame, so that the boxes of any frame are found at once, its seconds and its journal.
 * The frames themselves are not kept: a reader runs a VigilFrameSource over the session's
 * source in source order and, in the source's own frame callback, holds the pipeline on the
 * frame asked for (a file or folder waits while the callback works), so that playing forward
 * reads each frame once; asking for an earlier frame starts the source over.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-camera-recording"

#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>

#include "vigil-camera-recording.h"
#include "vigil-error.h"
#include "vigil-frame-source.h"
#include "vigil-road-mask.h"

#define NO_FRAME G_MAXUINT64

/* The frame period when nothing tells it: the frame sources' default 25 frames/s. */
#define DEFAULT_PERIOD_US (G_USEC_PER_SEC / 25)

struct _VigilCameraRecording
{
  GObject              parent_instance;

  /* Set by open, read-only afterwards */
  char                *path;
  VigilSessionSummary *summary;
  VigilRuleSet        *rules;
  GArray              *detections;   /* VigilStoreDetection, by frame then index */
  guint               *first;        /* n_frames + 1 offsets into detections */
  gint64              *frame_times;  /* n_frames */
  guint64              n_frames;
  GArray              *seconds;      /* VigilTrafficStats, by start */
  GArray              *journal;      /* VigilAlarmTransition, by time then seq */
  gint64               end_us;
  char                *mask_file;    /* beside the source, or NULL */
  guint                box_width;    /* the extent of the stored boxes */
  guint                box_height;
  guint                file_width;   /* camera.json's or the mask's, 0 if none */
  guint                file_height;

  /* The reader. lock guards what follows; cond announces every change. */
  GMutex               lock;
  GCond                cond;
  VigilFrameSource    *source;       /* owner thread only */
  guint                generation;   /* the running source's; a stale callback returns */
  guint64              want;         /* frame asked for, NO_FRAME for none */
  guint64              at;           /* frame the callback last saw, NO_FRAME for none */
  gboolean             holding;      /* the callback waits on frame at */
  gboolean             source_ended; /* the running source finished or failed */
  VigilFrame          *frame;        /* the frame asked for last read */
  GError              *frames_error;
  guint                frame_width;  /* of the first frame read */
  guint                frame_height;

  /* The clock, under lock too */
  gboolean             paused;
  double               speed;
  gint64               base_us;      /* position at base_wall_us */
  gint64               base_wall_us; /* monotonic */
};

G_DEFINE_FINAL_TYPE (VigilCameraRecording, vigil_camera_recording, G_TYPE_OBJECT)

/* Reader ---------------------------------------------------------------------------------- */

typedef struct
{
  VigilCameraRecording *self;   /* borrowed: the source is stopped before self goes */
  guint                 generation;
} ReaderCall;

/* The source's thread: waits on a frame until it is not needed any more. */
static void
on_frame (VigilFrameSource *source,
          VigilFrame       *frame,
          gpointer          user_data)
{
  ReaderCall *call = user_data;
  VigilCameraRecording *self = call->self;

  g_mutex_lock (&self->lock);
  if (self->frame_width == 0)
    {
      self->frame_width = frame->width;
      self->frame_height = frame->height;
    }
  self->at = frame->index;
  while (call->generation == self->generation && self->want <= frame->index)
    {
      if (self->want == frame->index &&
          (self->frame == NULL || self->frame->index != frame->index))
        {
          g_clear_pointer (&self->frame, vigil_frame_unref);
          self->frame = vigil_frame_ref (frame);
          g_cond_broadcast (&self->cond);
        }
      /* Held here, the pipeline waits: a later frame asked for lets it go on. */
      self->holding = TRUE;
      g_cond_wait (&self->cond, &self->lock);
    }
  self->holding = FALSE;
  g_mutex_unlock (&self->lock);
}

static void
on_state (VigilFrameSource      *source,
          VigilFrameSourceState  state,
          const GError          *error,
          gpointer               user_data)
{
  ReaderCall *call = user_data;
  VigilCameraRecording *self = call->self;

  if (state != VIGIL_FRAME_SOURCE_FINISHED && state != VIGIL_FRAME_SOURCE_FAILED)
    return;

  g_mutex_lock (&self->lock);
  if (call->generation == self->generation)
    {
      self->source_ended = TRUE;
      if (state == VIGIL_FRAME_SOURCE_FAILED && self->frames_error == NULL && error != NULL)
        self->frames_error = g_error_copy (error);
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->lock);
}

/* Owner thread, without the lock. */
static void
stop_reader (VigilCameraRecording *self)
{
  g_autoptr(VigilFrameSource) source = NULL;

  g_mutex_lock (&self->lock);
  source = g_steal_pointer (&self->source);
  /* A callback of the old source lets go of its frame. */
  self->generation++;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  if (source != NULL)
    vigil_frame_source_stop (source);
}

/* Owner thread, without the lock: a source from the first frame. */
static void
start_reader (VigilCameraRecording *self)
{
  g_autoptr(GError) error = NULL;
  VigilFrameSource *source;
  ReaderCall *call;

  stop_reader (self);

  source = vigil_frame_source_new (self->summary->camera, self->summary->source);
  vigil_frame_source_set_format (source, VIGIL_FRAME_RGB24);
  vigil_frame_source_set_reconnect (source, FALSE);

  g_mutex_lock (&self->lock);
  call = g_new0 (ReaderCall, 1);
  call->self = self;
  call->generation = self->generation;
  self->at = NO_FRAME;
  self->holding = FALSE;
  self->source_ended = FALSE;
  g_mutex_unlock (&self->lock);

  vigil_frame_source_set_frame_func (source, on_frame, call, g_free);
  call = g_memdup2 (call, sizeof *call);
  vigil_frame_source_set_state_func (source, on_state, call, g_free);

  if (!vigil_frame_source_start (source, &error))
    {
      g_mutex_lock (&self->lock);
      self->source_ended = TRUE;
      if (self->frames_error == NULL)
        self->frames_error = g_steal_pointer (&error);
      g_mutex_unlock (&self->lock);
      g_object_unref (source);
      return;
    }

  g_mutex_lock (&self->lock);
  self->source = source;
  g_mutex_unlock (&self->lock);
}

/* Called with the lock held: the frame when it is read. */
static VigilFrame *
ready_frame (VigilCameraRecording *self,
             guint64               frame)
{
  if (self->frame != NULL && self->frame->index == frame)
    return vigil_frame_ref (self->frame);
  return NULL;
}

VigilFrame *
vigil_camera_recording_request_frame (VigilCameraRecording *self,
                                      guint64               frame)
{
  VigilFrame *ready;
  gboolean restart;

  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), NULL);

  g_mutex_lock (&self->lock);
  if (self->frames_error != NULL)
    {
      g_mutex_unlock (&self->lock);
      return NULL;
    }
  self->want = frame;
  if ((ready = ready_frame (self, frame)) != NULL)
    {
      g_mutex_unlock (&self->lock);
      return ready;
    }
  /* Behind the source (or past a frame it let go of), or with no source to go on: over. */
  restart = self->source == NULL || self->source_ended ||
            (self->at != NO_FRAME && (frame < self->at || (frame == self->at && !self->holding)));
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  if (restart)
    start_reader (self);

  return NULL;
}

VigilFrame *
vigil_camera_recording_read_frame (VigilCameraRecording  *self,
                                   guint64                frame,
                                   GError               **error)
{
  VigilFrame *ready;

  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((ready = vigil_camera_recording_request_frame (self, frame)) != NULL)
    return ready;

  g_mutex_lock (&self->lock);
  while ((ready = ready_frame (self, frame)) == NULL && self->frames_error == NULL &&
         !self->source_ended)
    g_cond_wait (&self->cond, &self->lock);
  if (ready == NULL && self->frames_error != NULL)
    g_propagate_error (error, g_error_copy (self->frames_error));
  else if (ready == NULL)
    g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                 "Camera %s: %s has no frame %" G_GUINT64_FORMAT, self->summary->camera,
                 self->summary->source, frame);
  g_mutex_unlock (&self->lock);

  return ready;
}

GError *
vigil_camera_recording_dup_frames_error (VigilCameraRecording *self)
{
  GError *error;

  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), NULL);

  g_mutex_lock (&self->lock);
  error = self->frames_error != NULL ? g_error_copy (self->frames_error) : NULL;
  g_mutex_unlock (&self->lock);

  return error;
}

/* Object ---------------------------------------------------------------------------------- */

static void
vigil_camera_recording_dispose (GObject *object)
{
  stop_reader (VIGIL_CAMERA_RECORDING (object));

  G_OBJECT_CLASS (vigil_camera_recording_parent_class)->dispose (object);
}

static void
vigil_camera_recording_finalize (GObject *object)
{
  VigilCameraRecording *self = VIGIL_CAMERA_RECORDING (object);

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->summary, vigil_session_summary_free);
  g_clear_pointer (&self->rules, vigil_rule_set_unref);
  g_clear_pointer (&self->detections, g_array_unref);
  g_clear_pointer (&self->first, g_free);
  g_clear_pointer (&self->frame_times, g_free);
  g_clear_pointer (&self->seconds, g_array_unref);
  g_clear_pointer (&self->journal, g_array_unref);
  g_clear_pointer (&self->mask_file, g_free);
  g_clear_pointer (&self->frame, vigil_frame_unref);
  g_clear_error (&self->frames_error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (vigil_camera_recording_parent_class)->finalize (object);
}

static void
vigil_camera_recording_class_init (VigilCameraRecordingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vigil_camera_recording_dispose;
  object_class->finalize = vigil_camera_recording_finalize;
}

static void
vigil_camera_recording_init (VigilCameraRecording *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->want = NO_FRAME;
  self->at = NO_FRAME;
  self->speed = 1;
  self->paused = TRUE;
}

/* Opening --------------------------------------------------------------------------------- */

/* Times of the frames without detections: evenly between the frames that have some, at the
 * period those give (or the seconds' frame rate) before the first and after the last. */
static void
fill_frame_times (VigilCameraRecording *self,
                  gboolean             *known)
{
  guint64 first_known = NO_FRAME, last_known = NO_FRAME, prev = NO_FRAME;
  double period = DEFAULT_PERIOD_US;
  guint64 counted = 0;

  for (guint64 i = 0; i < self->n_frames; i++)
    if (known[i])
      {
        if (first_known == NO_FRAME)
          first_known = i;
        last_known = i;
      }

  for (guint i = 0; i < self->seconds->len; i++)
    counted += g_array_index (self->seconds, VigilTrafficStats, i).frames;
  if (first_known != NO_FRAME && last_known > first_known)
    period = (double) (self->frame_times[last_known] - self->frame_times[first_known]) /
             (double) (last_known - first_known);
  else if (counted > 0 && self->seconds->len > 0)
    period = (double) (g_array_index (self->seconds, VigilTrafficStats,
                                      self->seconds->len - 1).end_us -
                       g_array_index (self->seconds, VigilTrafficStats, 0).start_us) /
             (double) counted;

  if (first_known == NO_FRAME)
    {
      for (guint64 i = 0; i < self->n_frames; i++)
        self->frame_times[i] = self->summary->start_us + (gint64) llround ((double) i * period);
      return;
    }

  for (guint64 i = 0; i < self->n_frames; i++)
    {
      if (known[i])
        {
          if (prev != NO_FRAME && i > prev + 1)
            for (guint64 j = prev + 1; j < i; j++)
              self->frame_times[j] = self->frame_times[prev] +
                                     (self->frame_times[i] - self->frame_times[prev]) *
                                     (gint64) (j - prev) / (gint64) (i - prev);
          prev = i;
        }
    }
  for (guint64 i = 0; i < first_known; i++)
    self->frame_times[i] = self->frame_times[first_known] -
                           (gint64) llround ((double) (first_known - i) * period);
  for (guint64 i = last_known + 1; i < self->n_frames; i++)
    self->frame_times[i] = self->frame_times[last_known] +
                           (gint64) llround ((double) (i - last_known) * period);
}

static void
index_detections (VigilCameraRecording *self)
{
  g_autofree gboolean *known = NULL;
  guint64 counted = 0;

  for (guint i = 0; i < self->seconds->len; i++)
    counted += g_array_index (self->seconds, VigilTrafficStats, i).frames;
  self->n_frames = counted;
  if (self->detections->len > 0)
    self->n_frames = MAX (self->n_frames,
                          g_array_index (self->detections, VigilStoreDetection,
                                         self->detections->len - 1).frame + 1);

  self->first = g_new0 (guint, self->n_frames + 1);
  self->frame_times = g_new0 (gint64, MAX (self->n_frames, 1));
  known = g_new0 (gboolean, MAX (self->n_frames, 1));

  for (guint i = self->detections->len; i-- > 0;)
    {
      const VigilStoreDetection *d = &g_array_index (self->detections, VigilStoreDetection, i);

      self->first[d->frame] = i;
      self->frame_times[d->frame] = d->time_us;
      known[d->frame] = TRUE;
      self->box_width = MAX (self->box_width, (guint) ceil (d->detection.x + d->detection.w));
      self->box_height = MAX (self->box_height, (guint) ceil (d->detection.y + d->detection.h));
    }
  /* A frame without detections starts where the next frame's start. */
  self->first[self->n_frames] = self->detections->len;
  for (guint64 f = self->n_frames; f-- > 0;)
    if (!known[f])
      self->first[f] = self->first[f + 1];

  fill_frame_times (self, known);
}

/* The folder the camera's files sit in: the source's own, or the one above a frames/ folder,
 * or a video file's. */
static char *
camera_folder (const char *source)
{
  g_autofree char *base = g_path_get_basename (source);

  if (g_file_test (source, G_FILE_TEST_IS_DIR) && g_strcmp0 (base, "frames") != 0)
    return g_strdup (source);
  return g_path_get_dirname (source);
}

static void
read_size (JsonObject *o,
           const char *width_name,
           const char *height_name,
           guint      *width,
           guint      *height)
{
  if (*width == 0 && json_object_has_member (o, width_name) &&
      json_object_has_member (o, height_name))
    {
      gint64 w = json_object_get_int_member (o, width_name);
      gint64 h = json_object_get_int_member (o, height_name);

      if (w > 0 && h > 0 && w <= G_MAXUINT16 && h <= G_MAXUINT16)
        {
          *width = (guint) w;
          *height = (guint) h;
        }
    }
}

/* Files beside the source that tell the frame size and the road; none is required. */
static void
find_camera_files (VigilCameraRecording *self)
{
  g_autofree char *folder = camera_folder (self->summary->source);
  g_autofree char *camera_json = g_build_filename (folder, "camera.json", NULL);

  for (guint i = 0; i < 2 && self->mask_file == NULL; i++)
    {
      g_autofree char *mask = g_build_filename (folder, i == 0 ? "mask.json" : "mask.png", NULL);

      if (g_file_test (mask, G_FILE_TEST_IS_REGULAR))
        self->mask_file = g_steal_pointer (&mask);
    }

  for (guint i = 0; i < 2; i++)
    {
      const char *file = i == 0 ? camera_json : self->mask_file;
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;

      if (file == NULL || !g_str_has_suffix (file, ".json") ||
          !json_parser_load_from_file (parser, file, NULL))
        continue;
      root = json_parser_get_root (parser);
      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        read_size (json_node_get_object (root), i == 0 ? "width" : "imageWidth",
                   i == 0 ? "height" : "imageHeight", &self->file_width, &self->file_height);
    }
}

static gboolean
load (VigilCameraRecording  *self,
      VigilStore            *store,
      gint64                 session_id,
      GError               **error)
{
  g_autofree char *origin = NULL;
  VigilStoreFilter filter;

  self->summary = vigil_store_get_session (store, session_id, error);
  if (self->summary == NULL)
    return FALSE;
  if (g_strcmp0 (self->summary->kind, "traffic") != 0 || self->summary->camera == NULL)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Session %" G_GINT64_FORMAT " of %s is a %s session, not a camera's",
                   self->summary->id, self->path, self->summary->kind);
      return FALSE;
    }

  vigil_store_filter_init (&filter);
  filter.session_id = self->summary->id;
  if ((self->detections = vigil_store_read_detections (store, &filter, error)) == NULL ||
      (self->seconds = vigil_store_read_traffic (store, &filter, FALSE, error)) == NULL ||
      (self->journal = vigil_store_read_journal (store, &filter, error)) == NULL)
    return FALSE;

  origin = g_strdup_printf ("%s (rules of session %" G_GINT64_FORMAT ")", self->path,
                            self->summary->id);
  self->rules = vigil_rule_set_new_from_data (self->summary->rules_json, -1, origin, error);
  if (self->rules == NULL)
    return FALSE;

  index_detections (self);

  self->end_us = self->summary->end_us;
  if (self->n_frames > 0)
    self->end_us = MAX (self->end_us, self->frame_times[self->n_frames - 1]);
  if (self->journal->len > 0)
    self->end_us = MAX (self->end_us, g_array_index (self->journal, VigilAlarmTransition,
                                                     self->journal->len - 1).at_us);
  return TRUE;
}

VigilCameraRecording *
vigil_camera_recording_open (const char  *path,
                             gint64       session_id,
                             GError     **error)
{
  g_autoptr(VigilCameraRecording) self = NULL;
  g_autoptr(VigilStore) store = NULL;
  gboolean ok;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (session_id >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  store = vigil_store_open_readonly (path, error);
  if (store == NULL)
    return NULL;

  self = g_object_new (VIGIL_TYPE_CAMERA_RECORDING, NULL);
  self->path = g_strdup (path);
  ok = load (self, store, session_id, error);
  vigil_store_close (store, NULL);
  if (!ok)
    return NULL;

  self->base_us = self->summary->start_us;
  find_camera_files (self);
  /* Said at once rather than by a source that would fail on its thread. */
  if (!g_file_test (self->summary->source, G_FILE_TEST_EXISTS))
    self->frames_error = g_error_new (VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                                      "Camera %s: the frames are not available at %s",
                                      self->summary->camera, self->summary->source);

  return g_steal_pointer (&self);
}

/* Getters --------------------------------------------------------------------------------- */

const char *
vigil_camera_recording_get_path (VigilCameraRecording *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), NULL);

  return self->path;
}

const VigilSessionSummary *
vigil_camera_recording_get_summary (VigilCameraRecording *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), NULL);

  return self->summary;
}

const char *
vigil_camera_recording_get_camera_id (VigilCameraRecording *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), NULL);

  return self->summary->camera;
}

VigilRuleSet *
vigil_camera_recording_get_rules (VigilCameraRecording *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), NULL);

  return self->rules;
}

gint64
vigil_camera_recording_get_start (VigilCameraRecording *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), 0);

  return self->summary->start_us;
}

gint64
vigil_camera_recording_get_end (VigilCameraRecording *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), 0);

  return self->end_us;
}

guint64
vigil_camera_recording_get_n_frames (VigilCameraRecording *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), 0);

  return self->n_frames;
}

gint64
vigil_camera_recording_get_frame_time (VigilCameraRecording *self,
                                       guint64               frame)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), 0);
  g_return_val_if_fail (frame < self->n_frames, 0);

  return self->frame_times[frame];
}

guint64
vigil_camera_recording_get_frame_at (VigilCameraRecording *self,
                                     gint64                time_us)
{
  guint64 lo = 0, hi;

  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), 0);

  /* The first frame whose time is after @time_us; the one before it is on show. */
  hi = self->n_frames;
  while (lo < hi)
    {
      guint64 mid = lo + (hi - lo) / 2;

      if (self->frame_times[mid] <= time_us)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo > 0 ? lo - 1 : 0;
}

const VigilStoreDetection *
vigil_camera_recording_get_detections (VigilCameraRecording *self,
                                       guint64               frame,
                                       guint                *n)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), NULL);
  g_return_val_if_fail (n != NULL, NULL);

  *n = 0;
  if (frame >= self->n_frames)
    return NULL;
  *n = self->first[frame + 1] - self->first[frame];
  return *n > 0 ? &g_array_index (self->detections, VigilStoreDetection, self->first[frame])
                : NULL;
}

GArray *
vigil_camera_recording_get_seconds (VigilCameraRecording *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), NULL);

  return self->seconds;
}

const VigilTrafficStats *
vigil_camera_recording_get_second_at (VigilCameraRecording *self,
                                      gint64                time_us)
{
  const VigilTrafficStats *found = NULL;

  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), NULL);

  for (guint i = 0; i < self->seconds->len; i++)
    {
      const VigilTrafficStats *s = &g_array_index (self->seconds, VigilTrafficStats, i);

      if (s->end_us > time_us)
        break;
      found = s;
    }
  return found;
}

GArray *
vigil_camera_recording_get_journal (VigilCameraRecording *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), NULL);

  return self->journal;
}

void
vigil_camera_recording_get_frame_size (VigilCameraRecording *self,
                                       guint                *width,
                                       guint                *height)
{
  guint w, h;

  g_return_if_fail (VIGIL_IS_CAMERA_RECORDING (self));

  g_mutex_lock (&self->lock);
  w = self->frame_width;
  h = self->frame_height;
  g_mutex_unlock (&self->lock);
  if (w == 0)
    {
      w = self->file_width;
      h = self->file_height;
    }
  if (w == 0)
    {
      w = self->box_width;
      h = self->box_height;
    }
  if (width != NULL)
    *width = w;
  if (height != NULL)
    *height = h;
}

VigilFrame *
vigil_camera_recording_dup_mask (VigilCameraRecording *self)
{
  g_autoptr(GError) error = NULL;
  VigilFrame *mask;
  guint w, h;

  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), NULL);

  vigil_camera_recording_get_frame_size (self, &w, &h);
  if (self->mask_file == NULL || w == 0 || h == 0)
    return NULL;
  mask = vigil_road_mask_load (self->mask_file, self->summary->camera, w, h, 0, 0, &error);
  if (mask == NULL)
    g_debug ("No road mask for the replay: %s", error->message);
  return mask;
}

/* Clock ----------------------------------------------------------------------------------- */

/* Called with the lock held. */
static gint64
position_locked (VigilCameraRecording *self)
{
  double moved;

  if (self->paused)
    return self->base_us;
  moved = (double) (g_get_monotonic_time () - self->base_wall_us) * self->speed;
  return (gint64) MIN ((double) self->end_us, (double) self->base_us + moved);
}

/* Called with the lock held: the clock goes on from where it is. */
static void
rebase_locked (VigilCameraRecording *self)
{
  self->base_us = position_locked (self);
  self->base_wall_us = g_get_monotonic_time ();
}

void
vigil_camera_recording_set_paused (VigilCameraRecording *self,
                                   gboolean              paused)
{
  g_return_if_fail (VIGIL_IS_CAMERA_RECORDING (self));

  g_mutex_lock (&self->lock);
  rebase_locked (self);
  self->paused = !!paused;
  g_mutex_unlock (&self->lock);
}

gboolean
vigil_camera_recording_get_paused (VigilCameraRecording *self)
{
  gboolean paused;

  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), TRUE);

  g_mutex_lock (&self->lock);
  paused = self->paused;
  g_mutex_unlock (&self->lock);

  return paused;
}

void
vigil_camera_recording_set_speed (VigilCameraRecording *self,
                                  double                speed)
{
  g_return_if_fail (VIGIL_IS_CAMERA_RECORDING (self));
  g_return_if_fail (speed > 0);

  g_mutex_lock (&self->lock);
  rebase_locked (self);
  self->speed = speed;
  g_mutex_unlock (&self->lock);
}

double
vigil_camera_recording_get_speed (VigilCameraRecording *self)
{
  double speed;

  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), 1);

  g_mutex_lock (&self->lock);
  speed = self->speed;
  g_mutex_unlock (&self->lock);

  return speed;
}

void
vigil_camera_recording_seek (VigilCameraRecording *self,
                             gint64                at_us)
{
  g_return_if_fail (VIGIL_IS_CAMERA_RECORDING (self));

  g_mutex_lock (&self->lock);
  self->base_us = CLAMP (at_us, self->summary->start_us, self->end_us);
  self->base_wall_us = g_get_monotonic_time ();
  g_mutex_unlock (&self->lock);
}

gint64
vigil_camera_recording_get_position (VigilCameraRecording *self)
{
  gint64 position;

  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), 0);

  g_mutex_lock (&self->lock);
  position = position_locked (self);
  g_mutex_unlock (&self->lock);

  return position;
}

gboolean
vigil_camera_recording_is_finished (VigilCameraRecording *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_RECORDING (self), FALSE);

  return vigil_camera_recording_get_position (self) >= self->end_us;
}
