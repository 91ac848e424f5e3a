/* vigil-replay-clock.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-replay-clock"

#include "config.h"

#include "vigil-replay-clock.h"

struct _VigilReplayClock
{
  double  speed;
  gint64  event_origin_us;
  gint64  wall_origin_us;

  GMutex  mutex;
  GCond   cond;
  gboolean stopped;   /* guarded by mutex */
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

gboolean
vigil_replay_clock_is_paced (VigilReplayClock *self)
{
  return self->speed > 0;
}

gint64
vigil_replay_clock_due (VigilReplayClock *self,
                        gint64            event_us)
{
  if (self->speed <= 0)
    return self->wall_origin_us;

  return self->wall_origin_us
         + (gint64) ((double) (event_us - self->event_origin_us) / self->speed);
}

gboolean
vigil_replay_clock_wait (VigilReplayClock *self,
                         gint64            event_us)
{
  gint64 due = vigil_replay_clock_due (self, event_us);
  gboolean running;

  g_mutex_lock (&self->mutex);
  if (self->speed > 0)
    {
      while (!self->stopped && g_get_monotonic_time () < due)
        g_cond_wait_until (&self->cond, &self->mutex, due);
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
