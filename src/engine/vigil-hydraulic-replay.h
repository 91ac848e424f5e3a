/* vigil-hydraulic-replay.h
 *
 * Replays a hydraulic dataset directory through the engine: readers, event-time windows,
 * rules and alarms on worker threads partitioned by sensor, results into a VigilStore.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vigil-kafka-publish.h"
#include "vigil-live.h"
#include "vigil-rules.h"
#include "vigil-sensor.h"
#include "vigil-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 start_us;      /* event time of cycle 0; VIGIL_DEFAULT_START_US by default */
  gint64 window_us;     /* 60 s */
  gint64 slide_us;      /* 10 s */
  gint64 lateness_us;   /* 10 s */
  double speed;         /* event seconds per wall second; 0 = as fast as possible */
  guint  n_workers;     /* 0 = chosen from the number of processors */
  guint  first_cycle;   /* where the replay starts (a seek); windows that would reach back
                         * before it are left out rather than stored half full */
} VigilReplayOptions;

void vigil_replay_options_init (VigilReplayOptions *options);

/* Counters people can trust: read at any time from any thread. */
typedef struct
{
  guint64 samples;
  guint64 windows;
  guint64 late;
  guint64 alarms_raised;
  guint   cycles_done;       /* cycles every worker has finished */
  guint   n_cycles;          /* cycles in the dataset */
  guint   health[VIGIL_N_SENSORS]; /* 0-100 */
  guint   rig_health;        /* the lowest sensor health */
  double  seconds;           /* wall seconds since start */
} VigilReplayStats;

#define VIGIL_TYPE_HYDRAULIC_REPLAY (vigil_hydraulic_replay_get_type ())
G_DECLARE_FINAL_TYPE (VigilHydraulicReplay, vigil_hydraulic_replay, VIGIL, HYDRAULIC_REPLAY,
                      GObject)

VigilHydraulicReplay *vigil_hydraulic_replay_new        (const char                *dir,
                                                         VigilStore                *store,
                                                         VigilRuleSet              *rules,
                                                         const VigilReplayOptions  *options);
/* Before start(): the workers also publish raw samples, windows, transitions and their
 * progress to @live (reset by start() to the dataset's range). */
void                  vigil_hydraulic_replay_set_live   (VigilHydraulicReplay      *self,
                                                         VigilLive                 *live);
/* Before start(): every window is also handed to @publisher (borrowed: it must outlive
 * wait()) as it goes to the store; the publisher never blocks the workers. */
void                  vigil_hydraulic_replay_set_publisher (VigilHydraulicReplay   *self,
                                                            VigilKafkaPublisher    *publisher);
/* Scans the dataset, registers the session and starts the workers. */
gboolean              vigil_hydraulic_replay_start      (VigilHydraulicReplay      *self,
                                                         GError                   **error);
/* Asks the workers to stop after their current row; what they closed is still stored. */
void                  vigil_hydraulic_replay_stop       (VigilHydraulicReplay      *self);
/* Joins the workers and flushes the store; returns the first error of any of them. */
gboolean              vigil_hydraulic_replay_wait       (VigilHydraulicReplay      *self,
                                                         GError                   **error);
/* start + wait; @cancellable stops the replay like vigil_hydraulic_replay_stop(). */
gboolean              vigil_hydraulic_replay_run        (VigilHydraulicReplay      *self,
                                                         GCancellable              *cancellable,
                                                         GError                   **error);
/* Pacing while running (any thread). Changing from maximum speed to a pace goes on from the
 * event time the furthest stream reached; the others catch up at once. */
void                  vigil_hydraulic_replay_set_speed  (VigilHydraulicReplay      *self,
                                                         double                     speed);
void                  vigil_hydraulic_replay_set_paused (VigilHydraulicReplay      *self,
                                                         gboolean                   paused);
/* Event time every stream has reached. */
gint64                vigil_hydraulic_replay_get_position (VigilHydraulicReplay    *self);
/* After start(): true once every stream is done (or stopped), before wait() is called. */
gboolean              vigil_hydraulic_replay_is_finished (VigilHydraulicReplay     *self);
/* Operator actions on a live alarm, journaled at the event time its sensor has reached (a
 * component's: the end of the latest cycle predicted), stored and published in order with the
 * workers' own transitions. @key: a sensor or a component (VIGIL_KEY_COMPONENT + target). May
 * block briefly (the store's back-pressure): call from a worker thread, not the UI's. Errors
 * as vigil_alarm_machine_acknowledge(); NOT_FOUND also for a sensor the dataset lacks. */
gboolean              vigil_hydraulic_replay_acknowledge (VigilHydraulicReplay     *self,
                                                          const char               *rule,
                                                          guint                     sensor,
                                                          const char               *comment,
                                                          GError                  **error);
gboolean              vigil_hydraulic_replay_shelve      (VigilHydraulicReplay     *self,
                                                          const char               *rule,
                                                          guint                     sensor,
                                                          gint64                    duration_us,
                                                          const char               *comment,
                                                          GError                  **error);
void                  vigil_hydraulic_replay_get_stats  (VigilHydraulicReplay      *self,
                                                         VigilReplayStats          *stats);
/* After start(): how many champions of the store's registry predict the cycles, and why the
 * others were left out (a line each; "" when none was). */
guint                 vigil_hydraulic_replay_get_n_models (VigilHydraulicReplay    *self);
const char           *vigil_hydraulic_replay_get_model_notes (VigilHydraulicReplay *self);
/* After start(): the session the replay writes. */
gint64                vigil_hydraulic_replay_get_session_id (VigilHydraulicReplay  *self);
guint32               vigil_hydraulic_replay_get_sensors (VigilHydraulicReplay     *self);
gboolean              vigil_hydraulic_replay_was_stopped (VigilHydraulicReplay     *self);
/* After wait(): event times at which @rule raised an alarm on @sensor, in order. */
const GArray         *vigil_hydraulic_replay_get_raises  (VigilHydraulicReplay     *self,
                                                          guint                     rule_index,
                                                          VigilSensor               sensor);

G_END_DECLS
