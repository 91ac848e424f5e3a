/* vigil-recording.c
 *
 * A recording is small next to the samples it summarises (a window per sensor every slide,
 * a journal line per alarm transition), so it is read into memory once, sorted in event
 * time, and played from there: the playback thread walks two cursors (windows by end,
 * transitions by time) up to the position its clock gives. A seek resets the live and
 * replays everything up to the new position at once, which is what makes charts and alarm
 * states show that moment whichever way the timeline moved.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-recording"

#include "config.h"

#include "vigil-error.h"
#include "vigil-recording.h"
#include "vigil-replay-clock.h"

/* Wall time between two steps of a paced playback: about one frame of the UI. */
#define STEP_US (G_USEC_PER_SEC / 30)

/* Windows handed to the live in one call while catching up, so that a seek, a pause or a
 * stop asked for meanwhile waits for one such call at most. */
#define CHUNK_WINDOWS 2048

/* How far the playback thread has published. Used by the playback thread only. */
typedef struct
{
  guint    next_window;     /* first window not yet published */
  guint    next_transition; /* first transition not yet published */
  guint    next_prediction; /* first prediction not yet published */
  gint64   goal_us;         /* where the current paced steps go */
  gint64   next_step_us;    /* monotonic time of the next paced goal */
  double   clock_speed;     /* what the clock was last set to */
  gboolean clock_paused;
} Cursor;

struct _VigilRecording
{
  GObject              parent_instance;

  /* Set by open, read-only afterwards */
  char                *path;
  VigilSessionSummary *summary;
  VigilRuleSet        *rules;
  GArray              *windows;      /* VigilWindowStats, by end, then sensor */
  GArray              *journal;      /* VigilAlarmTransition, by time, then seq */
  GArray              *predictions;  /* VigilPrediction, by cycle (so by time), then target */
  gint64               end_us;
  VigilReplayClock    *clock;        /* driven by the playback thread only */

  /* Set by start before the thread runs, cleared by stop after it is joined */
  VigilLive           *live;

  /* Guarded by lock; cond announces every change of them. The public functions only set
   * these and wait on cond (seek and start until the thread carried the seek out, pause
   * until no step is under way); the playback thread alone calls into the live and the
   * clock, always without the lock, and marks those calls with busy. */
  GMutex               lock;
  GCond                cond;
  GThread             *thread;
  gint64               position_us;  /* published so far */
  double               speed;
  gboolean             paused;
  gboolean             stopping;
  gboolean             busy;
  gint64               seek_us;      /* the latest seek asked for */
  guint64              seek_serial;  /* seeks asked for */
  guint64              seek_done;    /* seeks carried out */
};

G_DEFINE_FINAL_TYPE (VigilRecording, vigil_recording, G_TYPE_OBJECT)

/* Publishing: the playback thread only ---------------------------------------------------- */

static void
publish_transitions (VigilRecording *self,
                     Cursor         *cursor,
                     gint64          up_to_us)
{
  guint first = cursor->next_transition;
  guint last = first;

  while (last < self->journal->len &&
         g_array_index (self->journal, VigilAlarmTransition, last).at_us <= up_to_us)
    last++;

  if (last > first)
    vigil_live_add_transitions (self->live,
                                &g_array_index (self->journal, VigilAlarmTransition, first),
                                last - first);
  cursor->next_transition = last;
}

static void
publish_predictions (VigilRecording *self,
                     Cursor         *cursor,
                     gint64          up_to_us)
{
  guint first = cursor->next_prediction;
  guint last = first;

  while (last < self->predictions->len &&
         g_array_index (self->predictions, VigilPrediction, last).end_us <= up_to_us)
    last++;

  if (last > first)
    vigil_live_add_predictions (self->live,
                                &g_array_index (self->predictions, VigilPrediction, first),
                                last - first);
  cursor->next_prediction = last;
}

/* Publishes at most @max_windows windows of those that end at or before @goal_us, with the
 * transitions that go with them. Returns the position reached: everything at or before it
 * is published. */
static gint64
publish_up_to (VigilRecording *self,
               Cursor         *cursor,
               gint64          goal_us,
               guint           max_windows)
{
  guint first = cursor->next_window;
  guint last = first;
  gint64 reached = goal_us;

  while (last < self->windows->len &&
         g_array_index (self->windows, VigilWindowStats, last).end_us <= goal_us)
    {
      if (last - first == max_windows)
        {
          /* Cut short: reached is just before the first window left out. */
          reached = g_array_index (self->windows, VigilWindowStats, last).end_us - 1;
          break;
        }
      last++;
    }

  if (last > first)
    vigil_live_add_windows (self->live, &g_array_index (self->windows, VigilWindowStats, first),
                            last - first, g_get_monotonic_time ());
  cursor->next_window = last;

  publish_transitions (self, cursor, reached);
  publish_predictions (self, cursor, reached);
  vigil_live_set_position (self->live, reached);

  return reached;
}

/* Shows the recording as of @at_us: from an empty live, everything up to it at once. */
static void
publish_from_start (VigilRecording *self,
                    Cursor         *cursor,
                    gint64          at_us)
{
  vigil_live_reset (self->live, self->summary->start_us, self->end_us, self->summary->sensors,
                    self->rules);
  cursor->next_window = 0;
  cursor->next_transition = 0;
  cursor->next_prediction = 0;
  publish_up_to (self, cursor, at_us, G_MAXUINT);
  vigil_replay_clock_seek (self->clock, at_us);
  cursor->goal_us = at_us;
  cursor->next_step_us = 0;
}

/* Called with the lock held; returns with it held. */
static void
handle_seek (VigilRecording *self,
             Cursor         *cursor)
{
  guint64 serial = self->seek_serial;
  gint64 at_us = self->seek_us;

  self->busy = TRUE;
  g_mutex_unlock (&self->lock);

  publish_from_start (self, cursor, at_us);

  g_mutex_lock (&self->lock);
  self->busy = FALSE;
  self->position_us = at_us;
  self->seek_done = serial;
  g_cond_broadcast (&self->cond);
}

/* Called with the lock held; returns with it held. One step: a chunk towards the end at
 * maximum speed, or towards where the clock is when paced. */
static void
step (VigilRecording *self,
      Cursor         *cursor,
      gboolean        paced)
{
  gboolean new_goal = paced && self->position_us >= cursor->goal_us;
  gint64 from_us = self->position_us;
  gint64 reached;

  self->busy = TRUE;
  g_mutex_unlock (&self->lock);

  if (!paced)
    cursor->goal_us = self->end_us;
  else if (new_goal)
    cursor->goal_us = vigil_replay_clock_get_position (self->clock);
  cursor->goal_us = CLAMP (cursor->goal_us, from_us, self->end_us);

  reached = publish_up_to (self, cursor, cursor->goal_us, CHUNK_WINDOWS);
  /* A paced schedule goes on from here if the speed changes. */
  if (!paced)
    vigil_replay_clock_seek (self->clock, reached);

  g_mutex_lock (&self->lock);
  self->busy = FALSE;
  self->position_us = reached;
  g_cond_broadcast (&self->cond);
}

/* Called with the lock held; returns with it held. Only this thread drives the clock, so
 * that what the clock says and what the thread decided from the settings agree. */
static void
sync_clock (VigilRecording *self,
            Cursor         *cursor)
{
  double speed = self->speed;
  gboolean paused = self->paused;

  /* Paced steps start over from where the playback is. */
  cursor->goal_us = self->position_us;
  cursor->next_step_us = 0;
  self->busy = TRUE;
  g_mutex_unlock (&self->lock);

  vigil_replay_clock_set_paused (self->clock, paused);
  vigil_replay_clock_set_speed (self->clock, speed);
  cursor->clock_speed = speed;
  cursor->clock_paused = paused;

  g_mutex_lock (&self->lock);
  self->busy = FALSE;
  g_cond_broadcast (&self->cond);
}

static gpointer
playback_main (gpointer data)
{
  VigilRecording *self = data;
  Cursor cursor = { 0 };

  cursor.clock_speed = vigil_replay_clock_get_speed (self->clock);
  cursor.clock_paused = vigil_replay_clock_get_paused (self->clock);

  g_mutex_lock (&self->lock);

  while (!self->stopping)
    {
      gboolean paced = self->speed > 0;
      gint64 now;

      if (self->seek_done != self->seek_serial)
        {
          handle_seek (self, &cursor);
          continue;
        }

      if (cursor.clock_speed != self->speed || cursor.clock_paused != self->paused)
        {
          sync_clock (self, &cursor);
          continue;
        }

      if (self->paused || self->position_us >= self->end_us)
        {
          g_cond_wait (&self->cond, &self->lock);
          continue;
        }

      /* Paced and caught up with the last goal: the next one is due a step later. */
      now = g_get_monotonic_time ();
      if (paced && self->position_us >= cursor.goal_us && now < cursor.next_step_us)
        {
          g_cond_wait_until (&self->cond, &self->lock, cursor.next_step_us);
          continue;
        }
      if (paced && self->position_us >= cursor.goal_us)
        cursor.next_step_us = MAX (cursor.next_step_us + STEP_US, now);

      step (self, &cursor, paced);
    }

  g_mutex_unlock (&self->lock);

  return NULL;
}

/* Object ---------------------------------------------------------------------------------- */

static void
vigil_recording_dispose (GObject *object)
{
  VigilRecording *self = VIGIL_RECORDING (object);

  vigil_recording_stop (self);

  G_OBJECT_CLASS (vigil_recording_parent_class)->dispose (object);
}

static void
vigil_recording_finalize (GObject *object)
{
  VigilRecording *self = VIGIL_RECORDING (object);

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->summary, vigil_session_summary_free);
  g_clear_pointer (&self->rules, vigil_rule_set_unref);
  g_clear_pointer (&self->windows, g_array_unref);
  g_clear_pointer (&self->journal, g_array_unref);
  g_clear_pointer (&self->predictions, g_array_unref);
  g_clear_pointer (&self->clock, vigil_replay_clock_free);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (vigil_recording_parent_class)->finalize (object);
}

static void
vigil_recording_class_init (VigilRecordingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vigil_recording_dispose;
  object_class->finalize = vigil_recording_finalize;
}

static void
vigil_recording_init (VigilRecording *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->speed = 1;
}

/* Reads everything the playback needs in one go, then lets go of the file. */
static gboolean
load (VigilRecording  *self,
      VigilStore      *store,
      gint64           session_id,
      GError         **error)
{
  g_autofree char *origin = NULL;
  VigilStoreFilter filter;

  self->summary = vigil_store_get_session (store, session_id, error);
  if (self->summary == NULL)
    return FALSE;

  vigil_store_filter_init (&filter);
  filter.session_id = self->summary->id;
  self->windows = vigil_store_read_windows (store, &filter, error);
  if (self->windows == NULL)
    return FALSE;
  self->journal = vigil_store_read_journal (store, &filter, error);
  if (self->journal == NULL)
    return FALSE;
  self->predictions = vigil_store_read_predictions (store, &filter, error);
  if (self->predictions == NULL)
    return FALSE;

  origin = g_strdup_printf ("%s (rules of session %" G_GINT64_FORMAT ")", self->path,
                            self->summary->id);
  self->rules = vigil_rule_set_new_from_data (self->summary->rules_json, -1, origin, error);
  if (self->rules == NULL)
    return FALSE;

  /* Operator actions may be journaled after the last window closed. */
  self->end_us = self->summary->end_us;
  if (self->journal->len > 0)
    self->end_us = MAX (self->end_us, g_array_index (self->journal, VigilAlarmTransition,
                                                     self->journal->len - 1).at_us);

  return TRUE;
}

VigilRecording *
vigil_recording_open (const char  *path,
                      gint64       session_id,
                      GError     **error)
{
  g_autoptr(VigilRecording) self = NULL;
  g_autoptr(VigilStore) store = NULL;
  gboolean ok;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (session_id >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  store = vigil_store_open_readonly (path, error);
  if (store == NULL)
    return NULL;

  self = g_object_new (VIGIL_TYPE_RECORDING, NULL);
  self->path = g_strdup (path);

  ok = load (self, store, session_id, error);
  vigil_store_close (store, NULL);
  if (!ok)
    return NULL;

  self->position_us = self->summary->start_us;
  self->clock = vigil_replay_clock_new (self->speed, self->position_us);

  return g_steal_pointer (&self);
}

const char *
vigil_recording_get_path (VigilRecording *self)
{
  g_return_val_if_fail (VIGIL_IS_RECORDING (self), NULL);

  return self->path;
}

const VigilSessionSummary *
vigil_recording_get_summary (VigilRecording *self)
{
  g_return_val_if_fail (VIGIL_IS_RECORDING (self), NULL);

  return self->summary;
}

VigilRuleSet *
vigil_recording_get_rules (VigilRecording *self)
{
  g_return_val_if_fail (VIGIL_IS_RECORDING (self), NULL);

  return self->rules;
}

gint64
vigil_recording_get_end (VigilRecording *self)
{
  g_return_val_if_fail (VIGIL_IS_RECORDING (self), 0);

  return self->end_us;
}

/* Called with the lock held: asks the playback thread for a seek and waits until it is
 * carried out (or the playback stops). */
static void
seek_locked (VigilRecording *self,
             gint64          at_us)
{
  guint64 serial = ++self->seek_serial;

  self->seek_us = at_us;
  g_cond_broadcast (&self->cond);
  while (!self->stopping && self->seek_done < serial)
    g_cond_wait (&self->cond, &self->lock);
}

gboolean
vigil_recording_start (VigilRecording  *self,
                       VigilLive       *live,
                       double           speed,
                       GError         **error)
{
  g_return_val_if_fail (VIGIL_IS_RECORDING (self), FALSE);
  g_return_val_if_fail (VIGIL_IS_LIVE (live), FALSE);
  g_return_val_if_fail (speed >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);

  if (self->thread != NULL || self->stopping)
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_FAILED,
                   "The recording %s is already playing", self->path);
      return FALSE;
    }

  g_set_object (&self->live, live);
  self->speed = speed;
  /* The thread's first work: the live as of where the playback begins. */
  self->seek_us = self->position_us;
  self->seek_serial++;

  self->thread = g_thread_try_new ("vigil-recording", playback_main, self, error);
  if (self->thread == NULL)
    {
      self->seek_done = self->seek_serial;
      g_clear_object (&self->live);
      g_mutex_unlock (&self->lock);
      return FALSE;
    }

  while (self->seek_done != self->seek_serial)
    g_cond_wait (&self->cond, &self->lock);

  g_mutex_unlock (&self->lock);

  return TRUE;
}

void
vigil_recording_set_paused (VigilRecording *self,
                            gboolean        paused)
{
  g_return_if_fail (VIGIL_IS_RECORDING (self));

  g_mutex_lock (&self->lock);
  self->paused = !!paused;
  g_cond_broadcast (&self->cond);
  /* A step under way finishes first: once this returns, the position holds. */
  while (self->busy)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

gboolean
vigil_recording_get_paused (VigilRecording *self)
{
  gboolean paused;

  g_return_val_if_fail (VIGIL_IS_RECORDING (self), FALSE);

  g_mutex_lock (&self->lock);
  paused = self->paused;
  g_mutex_unlock (&self->lock);

  return paused;
}

void
vigil_recording_set_speed (VigilRecording *self,
                           double          speed)
{
  g_return_if_fail (VIGIL_IS_RECORDING (self));
  g_return_if_fail (speed >= 0);

  g_mutex_lock (&self->lock);
  self->speed = speed;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

double
vigil_recording_get_speed (VigilRecording *self)
{
  double speed;

  g_return_val_if_fail (VIGIL_IS_RECORDING (self), 0);

  g_mutex_lock (&self->lock);
  speed = self->speed;
  g_mutex_unlock (&self->lock);

  return speed;
}

void
vigil_recording_seek (VigilRecording *self,
                      gint64          at_us)
{
  g_return_if_fail (VIGIL_IS_RECORDING (self));

  at_us = CLAMP (at_us, self->summary->start_us, self->end_us);

  g_mutex_lock (&self->lock);
  if (self->thread != NULL)
    seek_locked (self, at_us);
  else
    self->position_us = at_us;
  g_mutex_unlock (&self->lock);
}

gint64
vigil_recording_get_position (VigilRecording *self)
{
  gint64 position;

  g_return_val_if_fail (VIGIL_IS_RECORDING (self), 0);

  g_mutex_lock (&self->lock);
  position = self->position_us;
  g_mutex_unlock (&self->lock);

  return position;
}

gboolean
vigil_recording_is_finished (VigilRecording *self)
{
  gboolean finished;

  g_return_val_if_fail (VIGIL_IS_RECORDING (self), FALSE);

  g_mutex_lock (&self->lock);
  finished = self->position_us >= self->end_us;
  g_mutex_unlock (&self->lock);

  return finished;
}

void
vigil_recording_stop (VigilRecording *self)
{
  GThread *thread;

  g_return_if_fail (VIGIL_IS_RECORDING (self));

  g_mutex_lock (&self->lock);
  thread = g_steal_pointer (&self->thread);
  if (thread == NULL)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  /* Kept until the thread is joined: start refuses meanwhile, seeks wait no more. */
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  g_thread_join (thread);
  g_clear_object (&self->live);

  g_mutex_lock (&self->lock);
  self->stopping = FALSE;
  g_mutex_unlock (&self->lock);
}
