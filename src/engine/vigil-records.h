/* vigil-records.h
 *
 * The plain structs that flow between Vigil's operators and sinks in batches (GArrays):
 * window results, late records, cycle labels and alarm transitions. No GObject per event.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One closed event-time window of one key. For hydraulic sources the key is a VigilSensor. */
typedef struct
{
  guint   key;
  gint64  start_us;   /* inclusive */
  gint64  end_us;     /* exclusive */
  guint64 count;
  double  avg;
  double  min;
  double  max;
  double  stddev;     /* sample standard deviation (n - 1); NAN when count < 2 */
  double  range;      /* max - min */
} VigilWindowStats;

/* A record that arrived after every window it belongs to had closed. Kept, never lost. */
typedef struct
{
  guint   key;
  guint64 seq;          /* 0, 1, 2... per key, in arrival order: makes re-replays idempotent */
  gint64  event_us;
  gint64  watermark_us; /* the key's watermark when the record arrived */
  double  value;
} VigilLateRecord;

/* The condition of the rig's components during one cycle (a row of profile.txt). */
typedef struct
{
  guint  cycle;         /* 0-based */
  gint64 start_us;      /* event time of the cycle's first sample */
  int    cooler;        /* % : 3, 20, 100 */
  int    valve;         /* % : 100, 90, 80, 73 */
  int    pump;          /* leakage: 0, 1, 2 */
  int    accumulator;   /* bar: 130, 115, 100, 90 */
  int    stable;        /* 0 stable, 1 not yet stable */
} VigilCycleLabel;

/* Classes a prediction can hold (the hydraulic targets have at most four). */
#define VIGIL_PREDICTION_MAX_CLASSES 16

/* What a health model predicted for one component in one cycle. */
typedef struct
{
  guint  cycle;                                   /* 0-based cycle of the source */
  gint64 end_us;                                  /* event time the cycle ended */
  guint  target;                                  /* VigilTarget */
  gint64 model_id;                                /* the registry's id of the model */
  int    predicted;                               /* the class, in the dataset's units */
  guint  n_classes;
  int    classes[VIGIL_PREDICTION_MAX_CLASSES];   /* increasing */
  float  proba[VIGIL_PREDICTION_MAX_CLASSES];     /* summing to 1 */
} VigilPrediction;

typedef enum
{
  VIGIL_SEVERITY_WARNING,
  VIGIL_SEVERITY_CRITICAL,
} VigilSeverity;

/* ISA-18.2 alarm states. Shelving is a flag beside the state: the state machine keeps
 * running while an alarm is shelved, only annunciation is suppressed. */
typedef enum
{
  VIGIL_ALARM_NORMAL,           /* condition false, nothing to acknowledge */
  VIGIL_ALARM_PENDING,          /* condition true, on-delay running */
  VIGIL_ALARM_ACTIVE_UNACKED,   /* raised, not yet acknowledged */
  VIGIL_ALARM_ACTIVE_ACKED,     /* raised and acknowledged */
  VIGIL_ALARM_CLEARING,         /* past the clear threshold, off-delay running */
  VIGIL_ALARM_CLEARED_UNACKED,  /* returned to normal without acknowledgement */
} VigilAlarmState;

typedef enum
{
  VIGIL_ALARM_CAUSE_CONDITION,  /* a window result moved the state */
  VIGIL_ALARM_CAUSE_TIMER,      /* an on- or off-delay elapsed */
  VIGIL_ALARM_CAUSE_ACK,        /* an operator acknowledged */
  VIGIL_ALARM_CAUSE_SHELVE,     /* an operator shelved */
  VIGIL_ALARM_CAUSE_UNSHELVE,   /* shelving expired or was lifted */
} VigilAlarmCause;

/* One line of the alarm journal. */
typedef struct
{
  const char      *rule;        /* interned (g_intern_string): valid for the process lifetime */
  guint            key;         /* the sensor */
  VigilSeverity    severity;
  VigilAlarmState  from;
  VigilAlarmState  to;
  VigilAlarmCause  cause;
  gboolean         shelved;     /* shelved after this transition */
  gint64           at_us;       /* event time of the transition */
  gint64           raised_us;   /* event time the alarm instance was raised; 0 before raising */
  gint64           shelved_until_us;
  guint            seq;         /* orders transitions of one alarm at the same at_us */
  double           value;       /* the statistic that caused it; NAN for operator actions */
  char            *comment;     /* owned; operator's comment or NULL */
  gint64           model_id;    /* on a component: the model whose prediction raised it; else 0 */
} VigilAlarmTransition;

const char *vigil_severity_to_string    (VigilSeverity    severity);
const char *vigil_alarm_state_to_string (VigilAlarmState  state);
gboolean    vigil_alarm_state_is_active (VigilAlarmState  state);
const char *vigil_alarm_cause_to_string (VigilAlarmCause  cause);

/* GArray clear func for arrays of VigilAlarmTransition (frees the comment). */
void        vigil_alarm_transition_clear (gpointer        transition);

G_END_DECLS
