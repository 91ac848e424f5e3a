/* vigil-records.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vigil-records.h"

static const char * const severity_names[] = { "warning", "critical" };

static const char * const state_names[] = {
  "normal", "pending", "active-unacked", "active-acked", "clearing", "cleared-unacked",
};

static const char * const cause_names[] = {
  "condition", "timer", "ack", "shelve", "unshelve",
};

const char *
vigil_severity_to_string (VigilSeverity severity)
{
  g_return_val_if_fail ((guint) severity < G_N_ELEMENTS (severity_names), NULL);

  return severity_names[severity];
}

const char *
vigil_alarm_state_to_string (VigilAlarmState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (state_names), NULL);

  return state_names[state];
}

gboolean
vigil_alarm_state_is_active (VigilAlarmState state)
{
  return state == VIGIL_ALARM_ACTIVE_UNACKED ||
         state == VIGIL_ALARM_ACTIVE_ACKED ||
         state == VIGIL_ALARM_CLEARING;
}

const char *
vigil_alarm_cause_to_string (VigilAlarmCause cause)
{
  g_return_val_if_fail ((guint) cause < G_N_ELEMENTS (cause_names), NULL);

  return cause_names[cause];
}

void
vigil_alarm_transition_clear (gpointer transition)
{
  VigilAlarmTransition *t = transition;

  g_clear_pointer (&t->comment, g_free);
}
