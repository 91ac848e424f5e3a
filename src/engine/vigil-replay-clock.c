/* vigil-replay-clock.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-replay-clock"

#include "config.h"

#include "vigil-replay-clock.h"

struct _VigilReplayClock
{
  GMutex   mutex;
  GCond    cond;

  /* Guarded by mutex: event_origin_us is due at wall_origin_us, then @speed onwards. */
  double   speed;
  gint64   event_origin_us;
  gint64   wall_origin_us;
  gboolean paused;
  gboolean stopped;
};

VigilReplayClock *
vigil_replay_clock_new (double speed,
                        gint64 event_origin_us)
{
  VigilReplayClock *self;

  g_return_val_if_fail (speed >= 0, NULL);

  self = g_new0 (VigilReplayClock, 1);
  self->speed = speed;
  self->event_origin_us = event_origin_us;
  self->wall_origin_us = g_get_monotonic_time ();
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);

  return self;
}

void
vigil_replay_clock_free (VigilReplayClock *self)
{
  if (self == NULL)
    return;

  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}

/* Called with the mutex held. */
static gint64
position_locked (VigilReplayClock *self,
                 gint64            now)
{
  if (self->paused || self->speed <= 0)
    return self->event_origin_us;

  return self->event_origin_us + (gint64) ((double) (now - self->wall_origin_us) * self->speed);
}

static gint64
due_locked (VigilReplayClock *self,
            gint64            event_us)
{
  if (self->paused)
    return G_MAXINT64;
  if (self->speed <= 0)
    return self->wall_origin_us;

  return self->wall_origin_us
         + (gint64) ((double) (event_us - self->event_origin_us) / self->speed);
}

/* Called with the mutex held: the schedule from now on starts where it is now. */
static void
reanchor_locked (VigilReplayClock *self)
{
  gint64 now = g_get_monotonic_time ();

  self->event_origin_us = position_locked (self, now);
  self->wall_origin_us = now;
}

gboolean
vigil_replay_clock_is_paced (VigilReplayClock *self)
{
  gboolean paced;

  g_mutex_lock (&self->mutex);
  paced = self->speed > 0;
  g_mutex_unlock (&self->mutex);

  return paced;
}

double
vigil_replay_clock_get_speed (VigilReplayClock *self)
{
  double speed;

  g_mutex_lock (&self->mutex);
  speed = self->speed;
  g_mutex_unlock (&self->mutex);

  return speed;
}

void
vigil_replay_clock_set_speed (VigilReplayClock *self,
                              double            speed)
{
  g_return_if_fail (speed >= 0);

  g_mutex_lock (&self->mutex);
  reanchor_locked (self);
  self->speed = speed;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

void
vigil_replay_clock_set_paused (VigilReplayClock *self,
                               gboolean          paused)
{
  g_mutex_lock (&self->mutex);
  if (self->paused != !!paused)
    {
      reanchor_locked (self);
      self->paused = !!paused;
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->mutex);
}

gboolean
vigil_replay_clock_get_paused (VigilReplayClock *self)
{
  gboolean paused;

  g_mutex_lock (&self->mutex);
  paused = self->paused;
  g_mutex_unlock (&self->mutex);

  return paused;
}

gint64
vigil_replay_clock_get_position (VigilReplayClock *self)
{
  gint64 position;

  g_mutex_lock (&self->mutex);
  position = position_locked (self, g_get_monotonic_time ());
  g_mutex_unlock (&self->mutex);

  return position;
}

void
vigil_replay_clock_seek (VigilReplayClock *self,
                         gint64            event_us)
{
  g_mutex_lock (&self->mutex);
  self->event_origin_us = event_us;
  self->wall_origin_us = g_get_monotonic_time ();
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

gint64
vigil_replay_clock_due (VigilReplayClock *self,
                        gint64            event_us)
{
  gint64 due;

  g_mutex_lock (&self->mutex);
  due = due_locked (self, event_us);
  g_mutex_unlock (&self->mutex);

  return due;
}

gboolean
vigil_replay_clock_wait (VigilReplayClock *self,
                         gint64            event_us)
{
  gboolean running;

  g_mutex_lock (&self->mutex);
  for (;;)
    {
      gint64 due;

      /* At maximum speed everything is due at once, but a pause holds at any speed. */
      if (self->stopped || (self->speed <= 0 && !self->paused))
        break;
      due = due_locked (self, event_us);
      if (g_get_monotonic_time () >= due)
        break;
      /* A change of speed or a pause moves the due time: wake up and look again. */
      g_cond_wait_until (&self->cond, &self->mutex, MIN (due, g_get_monotonic_time ()
                                                                + G_USEC_PER_SEC));
    }
  running = !self->stopped;
  g_mutex_unlock (&self->mutex);

  return running;
}

void
vigil_replay_clock_stop (VigilReplayClock *self)
{
  g_mutex_lock (&self->mutex);
  self->stopped = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}
