/* vigil-hydraulic-replay-private.h
 *
 * The per-sensor processing every hydraulic source shares (the file replay and the Kafka
 * consumer): event-time windows, partial windows left out, the alarm rules, the health score,
 * the counters and what the live bus is told. A source feeds samples and hands the batch on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stdatomic.h>

#include "vigil-alarm-machine.h"
#include "vigil-live.h"
#include "vigil-rules.h"
#include "vigil-sensor.h"
#include "vigil-store.h"
#include "vigil-window-op.h"

G_BEGIN_DECLS

/* What the stages of one source share. Counters are written by any stage's thread. */
typedef struct
{
  VigilRuleSet         *rules;         /* borrowed */
  VigilLive            *live;          /* borrowed; NULL: nothing is published */
  GArray              **raises;        /* borrowed, [rule * VIGIL_N_SENSORS + sensor] of gint64
                                        * raise times, or NULL; each array has one writer,
                                        * the stage of its sensor */
  atomic_uint_fast64_t  windows;
  atomic_uint_fast64_t  alarms_raised;
  atomic_uint           health[VIGIL_N_SENSORS];
} VigilStageShared;

/* One sensor's operators. Not thread-safe: one owner at a time. */
typedef struct
{
  VigilSensor        sensor;
  VigilWindowOp     *op;
  VigilAlarmMachine *alarms;
  gint64             drop_before_us;  /* windows starting before it are partial (the source
                                       * started later, or they are stored already): left
                                       * out; G_MININT64 keeps every window */
} VigilSensorStage;

void     _vigil_stage_shared_init   (VigilStageShared   *shared,
                                     VigilRuleSet       *rules,
                                     VigilLive          *live,
                                     GArray            **raises);

/* INVALID for window settings the window operator refuses. */
gboolean _vigil_sensor_stage_init   (VigilSensorStage   *stage,
                                     VigilSensor         sensor,
                                     VigilRuleSet       *rules,
                                     gint64              window_us,
                                     gint64              slide_us,
                                     gint64              lateness_us,
                                     GError            **error);
void     _vigil_sensor_stage_clear  (VigilSensorStage   *stage);

/* Windows from @first_window and late records from @first_late were appended to @batch by the
 * stage's operator: leaves the partial windows out, runs the rest through the rules (the
 * transitions go to @batch), updates health and counters and publishes windows and late
 * records. Transitions are not published: the caller does, in order with operator actions. */
void     _vigil_sensor_stage_process (VigilStageShared  *shared,
                                      VigilSensorStage  *stage,
                                      VigilStoreBatch   *batch,
                                      guint              first_window,
                                      guint              first_late);
/* A regular run of samples (@values[i] at @t0_us + i * @dt_us), published as a run too. */
void     _vigil_sensor_stage_push_run (VigilStageShared *shared,
                                       VigilSensorStage *stage,
                                       gint64            t0_us,
                                       gint64            dt_us,
                                       const double     *values,
                                       gsize             n_values,
                                       VigilStoreBatch  *batch);
/* Moves the watermark to @watermark_us (an idle source: time went on). */
void     _vigil_sensor_stage_advance (VigilStageShared  *shared,
                                      VigilSensorStage  *stage,
                                      gint64             watermark_us,
                                      VigilStoreBatch   *batch);
/* End of stream: every window closes and shelving expires. */
void     _vigil_sensor_stage_finish  (VigilStageShared  *shared,
                                      VigilSensorStage  *stage,
                                      VigilStoreBatch   *batch);

/* The transitions from @from on, published to @live (may be NULL). */
void     _vigil_publish_transitions  (VigilLive         *live,
                                      VigilStoreBatch   *batch,
                                      guint              from);

G_END_DECLS
