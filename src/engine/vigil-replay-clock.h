/* vigil-replay-clock.h
 *
 * Pacing of a replay: event time maps to wall time at a speed on an absolute schedule, so
 * sleeping late never accumulates drift. The speed can change and the clock can pause while
 * workers wait on it: each change re-anchors the schedule at the event time reached, so the
 * replay goes on from where it was. Safe to share between worker threads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VigilReplayClock VigilReplayClock;

/* @speed: event seconds per wall second (1 = real time); 0 replays as fast as possible.
 * @event_origin_us: the event time that maps to "now". */
VigilReplayClock *vigil_replay_clock_new          (double             speed,
                                                   gint64             event_origin_us);
void              vigil_replay_clock_free         (VigilReplayClock  *self);
gboolean          vigil_replay_clock_is_paced     (VigilReplayClock  *self);
double            vigil_replay_clock_get_speed    (VigilReplayClock  *self);
/* Changes the speed from now on; 0 is as fast as possible. */
void              vigil_replay_clock_set_speed    (VigilReplayClock  *self,
                                                   double             speed);
/* While paused, waits do not return (except on stop) and the schedule does not advance. */
void              vigil_replay_clock_set_paused   (VigilReplayClock  *self,
                                                   gboolean           paused);
gboolean          vigil_replay_clock_get_paused   (VigilReplayClock  *self);
/* The event time that is due now on a paced clock (held while paused). */
gint64            vigil_replay_clock_get_position (VigilReplayClock  *self);
/* Makes @event_us due now: where a paced schedule goes on from after a replay ran at
 * maximum speed (the clock cannot know how far the workers got) or jumped. */
void              vigil_replay_clock_seek         (VigilReplayClock  *self,
                                                   gint64             event_us);
/* Monotonic wall time (g_get_monotonic_time) at which @event_us is due; G_MAXINT64 while
 * paused. */
gint64            vigil_replay_clock_due          (VigilReplayClock  *self,
                                                   gint64             event_us);
/* Sleeps until @event_us is due. Returns FALSE at once if the clock was stopped. */
gboolean          vigil_replay_clock_wait         (VigilReplayClock  *self,
                                                   gint64             event_us);
/* Wakes every waiter and makes every later wait return FALSE. */
void              vigil_replay_clock_stop         (VigilReplayClock  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilReplayClock, vigil_replay_clock_free)

G_END_DECLS
