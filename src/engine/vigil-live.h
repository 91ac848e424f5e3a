/* vigil-live.h
 *
 * The bus between the engine and the UI: sources and workers publish what they computed in
 * batches (raw samples, closed windows, alarm transitions, counters) from any thread; the UI
 * reads coalesced state on its frame clock, checking the serials to see what changed. Nothing
 * here calls back into the UI. Everything is bounded.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "vigil-records.h"
#include "vigil-rules.h"
#include "vigil-sensor.h"
#include "vigil-series.h"

G_BEGIN_DECLS

typedef struct
{
  gint64  start_us;            /* event time where the source starts */
  gint64  end_us;              /* where it ends; G_MAXINT64 for an unbounded source */
  gint64  position_us;         /* event time every stream has reached */
  guint32 sensors;             /* bit (1 << VigilSensor) per sensor the source has */
  guint64 samples;
  guint64 windows;
  guint64 late;
  guint64 dead_letters;
  double  samples_per_s;       /* over the last wall seconds */
  double  window_latency_ms;   /* wall time from a window closing to it reaching this bus
                                * (median of recent batches) */
  guint   health[VIGIL_N_SENSORS];
  guint   rig_health;          /* lowest health of the sensors the source has */
} VigilLiveCounters;

/* One alarm instance as people see it: from its raising on. */
typedef struct
{
  const char      *rule;               /* interned */
  guint            sensor;             /* the key: a VigilSensor, or a component from
                                        * VIGIL_KEY_COMPONENT on (vigil_key_get_name()) */
  VigilSeverity    severity;
  VigilAlarmState  state;
  gboolean         shelved;
  gint64           shelved_until_us;
  gint64           raised_us;
  gint64           changed_us;         /* event time of its last transition */
  gint64           acked_us;           /* 0 until acknowledged */
  gint64           cleared_us;         /* 0 while the condition holds */
  double           value;              /* the statistic at its last condition change */
  double           peak;               /* the largest statistic it reported */
  char            *comment;            /* the acknowledgement's comment, or NULL */
  gboolean         superseded;         /* raised again since: operator actions apply to the
                                        * newer instance of the same rule and sensor */
  gint64           model_id;           /* on a component: the model that raised it; else 0 */
} VigilLiveAlarm;

typedef struct
{
  gint64 at_us;
  guint  rig_health;
} VigilHealthPoint;

#define VIGIL_TYPE_LIVE (vigil_live_get_type ())
G_DECLARE_FINAL_TYPE (VigilLive, vigil_live, VIGIL, LIVE, GObject)

VigilLive     *vigil_live_new                (void);

/* A new source: forgets everything published so far. @rules gives charts their thresholds. */
void           vigil_live_reset              (VigilLive                  *self,
                                              gint64                      start_us,
                                              gint64                      end_us,
                                              guint32                     sensors,
                                              VigilRuleSet               *rules);

/* Writers: any thread, a batch at a time. */
void           vigil_live_add_samples_run    (VigilLive                  *self,
                                              VigilSensor                 sensor,
                                              gint64                      first_us,
                                              gint64                      dt_us,
                                              const double               *values,
                                              gsize                       n_values);
/* @closed_wall_us: monotonic time at which the oldest of them closed (for the latency). */
void           vigil_live_add_windows        (VigilLive                  *self,
                                              const VigilWindowStats     *windows,
                                              guint                       n_windows,
                                              gint64                      closed_wall_us);
void           vigil_live_add_transitions    (VigilLive                  *self,
                                              const VigilAlarmTransition *transitions,
                                              guint                       n_transitions);
void           vigil_live_add_late           (VigilLive                  *self,
                                              guint64                     n_late);
void           vigil_live_add_dead_letters   (VigilLive                  *self,
                                              guint64                     n_dead);
void           vigil_live_set_position       (VigilLive                  *self,
                                              gint64                      position_us);

/* Readers: any thread. The serials change when what they cover changed. */
guint64        vigil_live_get_data_serial    (VigilLive                  *self);
guint64        vigil_live_get_alarm_serial   (VigilLive                  *self);
void           vigil_live_get_counters       (VigilLive                  *self,
                                              VigilLiveCounters          *counters);
VigilRuleSet  *vigil_live_dup_rules          (VigilLive                  *self);
/* The raw samples of @sensor (borrowed; valid until the live object is finalized). */
VigilSeries   *vigil_live_get_series         (VigilLive                  *self,
                                              VigilSensor                 sensor);
/* Windows of @sensor that overlap [@from_us, @to_us), in start order. */
GArray        *vigil_live_dup_windows        (VigilLive                  *self,
                                              VigilSensor                 sensor,
                                              gint64                      from_us,
                                              gint64                      to_us);
/* Every alarm instance kept, newest raised first: VigilLiveAlarm, freed with the array. */
GArray        *vigil_live_dup_alarms         (VigilLive                  *self);
/* The journal kept (the most recent transitions), oldest first. */
GArray        *vigil_live_dup_journal        (VigilLive                  *self);
/* Rig health over event time, one point per change, oldest first. */
GArray        *vigil_live_dup_health         (VigilLive                  *self);

/* The latest prediction of each component (by cycle). */
void           vigil_live_add_predictions    (VigilLive                  *self,
                                              const VigilPrediction      *predictions,
                                              guint                       n_predictions);
guint64        vigil_live_get_prediction_serial (VigilLive               *self);
/* FALSE (and @out zeroed) while @target (a VigilTarget) has no prediction yet. */
gboolean       vigil_live_get_prediction     (VigilLive                  *self,
                                              guint                       target,
                                              VigilPrediction            *out);
void           vigil_live_alarm_clear        (gpointer                    alarm);

G_END_DECLS
