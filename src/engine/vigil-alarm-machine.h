/* vigil-alarm-machine.h
 *
 * The ISA-18.2 alarm state machine for every (rule, sensor) pair a worker owns, driven by
 * window results (or a component's predictions, or a camera's seconds of traffic) in event
 * time, plus the health score that summarises active alarms.
 * Not thread-safe: one owner thread feeds it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "vigil-records.h"
#include "vigil-rules.h"

G_BEGIN_DECLS

typedef struct _VigilAlarmMachine VigilAlarmMachine;

/* @sensors: bit (1 << key) for each key (sensor or component) this machine evaluates. */
VigilAlarmMachine *vigil_alarm_machine_new         (VigilRuleSet       *rules,
                                                    guint32             sensors);
void               vigil_alarm_machine_free        (VigilAlarmMachine  *self);

/* Evaluates every rule that applies to @window->key, appending transitions to @out
 * (a GArray of VigilAlarmTransition with vigil_alarm_transition_clear as its clear func).
 * Windows of one key arrive in start order; keys outside the machine are ignored.
 * Returns the number of alarms raised: transitions into ACTIVE_UNACKED that start an alarm
 * instance (from NORMAL, PENDING or CLEARED_UNACKED), shelved or not. A return from CLEARING
 * to ACTIVE_UNACKED continues the same instance and is not counted.
 * Shelving that ended at or before @window->end_us is journaled first, at its end time. */
guint              vigil_alarm_machine_process     (VigilAlarmMachine       *self,
                                                    const VigilWindowStats  *window,
                                                    GArray                  *out);
/* Event time moved on without a window (idle or end of stream): expire shelving that ends
 * at or before @now_us. Delays are not run by it: they advance with windows only. */
/* A component's predicted condition for the cycle ending at @at_us (key VIGIL_KEY_COMPONENT +
 * VigilTarget): evaluates the rules on that component as vigil_alarm_machine_process() does a
 * window's. @classes (sorted) and @proba hold @n_classes values. Returns how many raised. */
guint              vigil_alarm_machine_process_prediction (VigilAlarmMachine *self,
                                                           guint              key,
                                                           gint64             at_us,
                                                           const int         *classes,
                                                           const float       *proba,
                                                           guint              n_classes,
                                                           int                predicted,
                                                           GArray            *out);
/* A camera's closed second (key VIGIL_KEY_CAMERA): evaluates the rules on cameras at its end.
 * The condition is taken to hold over the whole second, so delays count from its start: a
 * rule with an on-delay of 120 s raises at the end of the 120th second in a row that met it,
 * and an off-delay of 30 s clears at the end of the 30th that did not. Returns how many
 * raised. */
guint              vigil_alarm_machine_process_traffic (VigilAlarmMachine       *self,
                                                        const VigilTrafficStats *stats,
                                                        GArray                  *out);
void               vigil_alarm_machine_advance     (VigilAlarmMachine  *self,
                                                    gint64              now_us,
                                                    GArray             *out);
/* Operator actions, journaled at @at_us with the comment. Errors: NOT_FOUND for an unknown
 * rule or a sensor the rule or the machine does not cover, INVALID for nothing to
 * acknowledge or @until_us <= @at_us. Shelving a shelved alarm replaces its end time. */
gboolean           vigil_alarm_machine_acknowledge (VigilAlarmMachine  *self,
                                                    const char         *rule,
                                                    guint               key,
                                                    gint64              at_us,
                                                    const char         *comment,
                                                    GArray             *out,
                                                    GError            **error);
gboolean           vigil_alarm_machine_shelve      (VigilAlarmMachine  *self,
                                                    const char         *rule,
                                                    guint               key,
                                                    gint64              at_us,
                                                    gint64              until_us,
                                                    const char         *comment,
                                                    GArray             *out,
                                                    GError            **error);
/* NORMAL for an alarm the machine does not have. */
VigilAlarmState    vigil_alarm_machine_get_state   (VigilAlarmMachine  *self,
                                                    const char         *rule,
                                                    guint               key);
/* 100 - 20 per active critical - 10 per active warning on @key, never below 0. */
guint              vigil_alarm_machine_get_health  (VigilAlarmMachine  *self,
                                                    guint               key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilAlarmMachine, vigil_alarm_machine_free)

G_END_DECLS
