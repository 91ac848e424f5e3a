/* vigil-alarm-machine.c
 *
 * The ISA-18.2 alarm state machine, one per (rule, sensor) pair, driven by window results in
 * event time, with its journal of transitions and the health score.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-alarm-machine"

#include "config.h"

#include <math.h>
#include <string.h>

#include "vigil-alarm-machine.h"
#include "vigil-error.h"

typedef struct
{
  const VigilRule *rule;              /* borrowed from the machine's rule set */
  guint            key;
  VigilAlarmState  state;
  gboolean         acked;             /* CLEARING: acknowledged before the clear began */
  gboolean         shelved;
  gint64           since_us;          /* PENDING, CLEARING: when the delay began */
  gint64           raised_us;         /* raise time of the current instance; 0 when none */
  gint64           shelved_until_us;
  guint            seq;               /* transitions emitted so far */
} Alarm;

struct _VigilAlarmMachine
{
  VigilRuleSet *rules;                          /* owned */
  Alarm        *alarms;                         /* owned; grouped by key, rule order inside */
  guint         first[VIGIL_N_KEYS + 1];        /* key k owns alarms [first[k], first[k + 1]) */
};

VigilAlarmMachine *
vigil_alarm_machine_new (VigilRuleSet *rules,
                         guint32       sensors)
{
  VigilAlarmMachine *self;
  guint n_rules, n = 0;

  g_return_val_if_fail (rules != NULL, NULL);

  self = g_new0 (VigilAlarmMachine, 1);
  self->rules = vigil_rule_set_ref (rules);
  n_rules = vigil_rule_set_get_n_rules (rules);
  self->alarms = g_new0 (Alarm, (gsize) n_rules * VIGIL_N_KEYS);

  for (guint key = 0; key < VIGIL_N_KEYS; key++)
    {
      self->first[key] = n;
      if ((sensors & (1u << key)) == 0)
        continue;

      for (guint r = 0; r < n_rules; r++)
        {
          const VigilRule *rule = vigil_rule_set_get_rule (rules, r);

          if ((rule->sensors & (1u << key)) == 0)
            continue;
          self->alarms[n].rule = rule;
          self->alarms[n].key = key;
          self->alarms[n].state = VIGIL_ALARM_NORMAL;
          n++;
        }
    }
  self->first[VIGIL_N_KEYS] = n;

  return self;
}

void
vigil_alarm_machine_free (VigilAlarmMachine *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->rules, vigil_rule_set_unref);
  g_free (self->alarms);
  g_free (self);
}

static void
emit (Alarm           *alarm,
      GArray          *out,
      VigilAlarmState  to,
      VigilAlarmCause  cause,
      gint64           at_us,
      double           value,
      const char      *comment)
{
  VigilAlarmTransition t = {
    .rule = alarm->rule->name,
    .key = alarm->key,
    .severity = alarm->rule->severity,
    .from = alarm->state,
    .to = to,
    .cause = cause,
    .shelved = alarm->shelved,
    .at_us = at_us,
    .raised_us = alarm->raised_us,
    .shelved_until_us = alarm->shelved ? alarm->shelved_until_us : 0,
    .seq = alarm->seq++,
    .value = value,
    .comment = g_strdup (comment),
  };

  g_array_append_val (out, t);
  alarm->state = to;
}

/* A transition that ends the current instance carries its raise time, then forgets it. */
static void
emit_end (Alarm           *alarm,
          GArray          *out,
          VigilAlarmState  to,
          VigilAlarmCause  cause,
          gint64           at_us,
          double           value,
          const char      *comment)
{
  emit (alarm, out, to, cause, at_us, value, comment);
  if (to == VIGIL_ALARM_NORMAL)
    alarm->raised_us = 0;
}

static guint
emit_raise (Alarm           *alarm,
            GArray          *out,
            VigilAlarmCause  cause,
            gint64           at_us,
            double           value)
{
  alarm->raised_us = at_us;
  emit (alarm, out, VIGIL_ALARM_ACTIVE_UNACKED, cause, at_us, value, NULL);

  return 1;
}

static void
expire_shelving (Alarm  *alarm,
                 gint64  now_us,
                 GArray *out)
{
  gint64 until_us = alarm->shelved_until_us;

  if (!alarm->shelved || now_us < until_us)
    return;

  /* Journaled at the moment it expired, which may lie before the window that noticed. */
  alarm->shelved = FALSE;
  alarm->shelved_until_us = 0;
  emit (alarm, out, alarm->state, VIGIL_ALARM_CAUSE_UNSHELVE, until_us, NAN, NULL);
}

/* The clearing side of the clear threshold; a NAN statistic is on neither side. */
static gboolean
rule_clears (const VigilRule *rule,
             double           value)
{
  switch (rule->compare)
    {
    case VIGIL_COMPARE_GT:
      return value <= rule->clear_threshold;
    case VIGIL_COMPARE_GE:
      return value < rule->clear_threshold;
    case VIGIL_COMPARE_LT:
      return value >= rule->clear_threshold;
    case VIGIL_COMPARE_LE:
      return value > rule->clear_threshold;
    default:
      g_assert_not_reached ();
    }
}

/* @raise: the rule's condition held at @at_us, with the statistic @value, over an observation
 * that began at @begin_us (delays count from there). Returns 1 if that raised the alarm, 0
 * otherwise. */
static guint
step (Alarm   *alarm,
      gboolean raise,
      double   value,
      gint64   at_us,
      gint64   begin_us,
      GArray  *out)
{
  const VigilRule *rule = alarm->rule;
  gboolean clear = rule_clears (rule, value);

  switch (alarm->state)
    {
    case VIGIL_ALARM_NORMAL:
    case VIGIL_ALARM_CLEARED_UNACKED:
      if (!raise)
        return 0;
      /* A raise after an unacknowledged clear starts a new instance. */
      alarm->raised_us = 0;
      if (rule->on_delay_us == 0 || at_us - begin_us >= rule->on_delay_us)
        return emit_raise (alarm, out, VIGIL_ALARM_CAUSE_CONDITION, at_us, value);
      alarm->since_us = begin_us;
      emit (alarm, out, VIGIL_ALARM_PENDING, VIGIL_ALARM_CAUSE_CONDITION, at_us, value, NULL);
      return 0;

    case VIGIL_ALARM_PENDING:
      if (!raise)
        emit (alarm, out, VIGIL_ALARM_NORMAL, VIGIL_ALARM_CAUSE_CONDITION, at_us, value, NULL);
      else if (at_us - alarm->since_us >= rule->on_delay_us)
        return emit_raise (alarm, out, VIGIL_ALARM_CAUSE_TIMER, at_us, value);
      return 0;

    case VIGIL_ALARM_ACTIVE_UNACKED:
    case VIGIL_ALARM_ACTIVE_ACKED:
      if (!clear)
        return 0;
      alarm->acked = alarm->state == VIGIL_ALARM_ACTIVE_ACKED;
      if (rule->off_delay_us == 0)
        {
          emit_end (alarm, out, alarm->acked ? VIGIL_ALARM_NORMAL : VIGIL_ALARM_CLEARED_UNACKED,
                    VIGIL_ALARM_CAUSE_CONDITION, at_us, value, NULL);
          return 0;
        }
      if (at_us - begin_us >= rule->off_delay_us)
        {
          emit_end (alarm, out, alarm->acked ? VIGIL_ALARM_NORMAL : VIGIL_ALARM_CLEARED_UNACKED,
                    VIGIL_ALARM_CAUSE_CONDITION, at_us, value, NULL);
          return 0;
        }
      alarm->since_us = begin_us;
      emit (alarm, out, VIGIL_ALARM_CLEARING, VIGIL_ALARM_CAUSE_CONDITION, at_us, value, NULL);
      return 0;

    case VIGIL_ALARM_CLEARING:
      if (!clear)
        emit (alarm, out, alarm->acked ? VIGIL_ALARM_ACTIVE_ACKED : VIGIL_ALARM_ACTIVE_UNACKED,
              VIGIL_ALARM_CAUSE_CONDITION, at_us, value, NULL);
      else if (at_us - alarm->since_us >= rule->off_delay_us)
        emit_end (alarm, out, alarm->acked ? VIGIL_ALARM_NORMAL : VIGIL_ALARM_CLEARED_UNACKED,
                  VIGIL_ALARM_CAUSE_TIMER, at_us, value, NULL);
      return 0;

    default:
      g_assert_not_reached ();
    }
}

guint
vigil_alarm_machine_process (VigilAlarmMachine      *self,
                             const VigilWindowStats *window,
                             GArray                 *out)
{
  guint raised = 0;
  guint key;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (window != NULL, 0);
  g_return_val_if_fail (out != NULL, 0);

  key = window->key;
  if (key >= VIGIL_N_SENSORS)
    return 0;

  for (guint i = self->first[key]; i < self->first[key + 1]; i++)
    {
      Alarm *alarm = &self->alarms[i];
      double value;
      gboolean raise = vigil_rule_matches (alarm->rule, window, &value);

      expire_shelving (alarm, window->end_us, out);
      raised += step (alarm, raise, value, window->end_us, window->end_us, out);
    }

  return raised;
}

guint
vigil_alarm_machine_process_prediction (VigilAlarmMachine *self,
                                        guint              key,
                                        gint64             at_us,
                                        const int         *classes,
                                        const float       *proba,
                                        guint              n_classes,
                                        int                predicted,
                                        GArray            *out)
{
  guint raised = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (out != NULL, 0);

  if (key < VIGIL_KEY_COMPONENT || key >= VIGIL_KEY_CAMERA)
    return 0;

  for (guint i = self->first[key]; i < self->first[key + 1]; i++)
    {
      Alarm *alarm = &self->alarms[i];
      double value;
      gboolean raise = vigil_rule_matches_prediction (alarm->rule, classes, proba, n_classes,
                                                      predicted, &value);

      expire_shelving (alarm, at_us, out);
      raised += step (alarm, raise, value, at_us, at_us, out);
    }

  return raised;
}

guint
vigil_alarm_machine_process_traffic (VigilAlarmMachine       *self,
                                     const VigilTrafficStats *stats,
                                     GArray                  *out)
{
  const guint key = VIGIL_KEY_CAMERA;
  guint raised = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (stats != NULL, 0);
  g_return_val_if_fail (out != NULL, 0);

  for (guint i = self->first[key]; i < self->first[key + 1]; i++)
    {
      Alarm *alarm = &self->alarms[i];
      double value;
      gboolean raise = vigil_rule_matches_traffic (alarm->rule, stats, &value);

      expire_shelving (alarm, stats->end_us, out);
      raised += step (alarm, raise, value, stats->end_us, stats->start_us, out);
    }

  return raised;
}

void
vigil_alarm_machine_advance (VigilAlarmMachine *self,
                             gint64             now_us,
                             GArray            *out)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);

  for (guint i = 0; i < self->first[VIGIL_N_KEYS]; i++)
    expire_shelving (&self->alarms[i], now_us, out);
}

static Alarm *
find_alarm (VigilAlarmMachine *self,
            const char        *rule,
            guint              key)
{
  if (key >= VIGIL_N_KEYS)
    return NULL;

  for (guint i = self->first[key]; i < self->first[key + 1]; i++)
    if (strcmp (self->alarms[i].rule->name, rule) == 0)
      return &self->alarms[i];

  return NULL;
}

static Alarm *
lookup_alarm (VigilAlarmMachine  *self,
              const char         *rule,
              guint               key,
              GError            **error)
{
  Alarm *alarm = find_alarm (self, rule, key);
  guint n_rules = vigil_rule_set_get_n_rules (self->rules);
  gboolean known = FALSE;

  if (alarm != NULL)
    return alarm;

  for (guint r = 0; r < n_rules; r++)
    known |= strcmp (vigil_rule_set_get_rule (self->rules, r)->name, rule) == 0;

  if (!known)
    g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                 "no alarm rule is named “%s”", rule);
  else if (key < VIGIL_N_KEYS)
    g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                 "alarm “%s” is not watched on %s", rule, vigil_key_get_name (key));
  else
    g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                 "alarm “%s” is not watched on key %u", rule, key);

  return NULL;
}

gboolean
vigil_alarm_machine_acknowledge (VigilAlarmMachine  *self,
                                 const char         *rule,
                                 guint               key,
                                 gint64              at_us,
                                 const char         *comment,
                                 GArray             *out,
                                 GError            **error)
{
  Alarm *alarm;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (rule != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((alarm = lookup_alarm (self, rule, key, error)) == NULL)
    return FALSE;

  switch (alarm->state)
    {
    case VIGIL_ALARM_ACTIVE_UNACKED:
      emit (alarm, out, VIGIL_ALARM_ACTIVE_ACKED, VIGIL_ALARM_CAUSE_ACK, at_us, NAN, comment);
      return TRUE;

    case VIGIL_ALARM_CLEARING:
      if (alarm->acked)
        break;
      /* Still clearing, but it will end in NORMAL instead of CLEARED_UNACKED. */
      alarm->acked = TRUE;
      emit (alarm, out, VIGIL_ALARM_CLEARING, VIGIL_ALARM_CAUSE_ACK, at_us, NAN, comment);
      return TRUE;

    case VIGIL_ALARM_CLEARED_UNACKED:
      emit_end (alarm, out, VIGIL_ALARM_NORMAL, VIGIL_ALARM_CAUSE_ACK, at_us, NAN, comment);
      return TRUE;

    case VIGIL_ALARM_NORMAL:
    case VIGIL_ALARM_PENDING:
    case VIGIL_ALARM_ACTIVE_ACKED:
    default:
      break;
    }

  g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
               "alarm “%s” on %s has nothing to acknowledge (it is %s%s)", alarm->rule->name,
               vigil_key_get_name (key),
               vigil_alarm_state_to_string (alarm->state),
               alarm->state == VIGIL_ALARM_CLEARING ? ", already acknowledged" : "");

  return FALSE;
}

gboolean
vigil_alarm_machine_shelve (VigilAlarmMachine  *self,
                            const char         *rule,
                            guint               key,
                            gint64              at_us,
                            gint64              until_us,
                            const char         *comment,
                            GArray             *out,
                            GError            **error)
{
  Alarm *alarm;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (rule != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((alarm = lookup_alarm (self, rule, key, error)) == NULL)
    return FALSE;

  if (until_us <= at_us)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "cannot shelve alarm “%s” on %s: shelving must end after it begins",
                   alarm->rule->name, vigil_key_get_name (key));
      return FALSE;
    }

  /* Shelving again replaces the end time, shortening or extending it. */
  alarm->shelved = TRUE;
  alarm->shelved_until_us = until_us;
  emit (alarm, out, alarm->state, VIGIL_ALARM_CAUSE_SHELVE, at_us, NAN, comment);

  return TRUE;
}

VigilAlarmState
vigil_alarm_machine_get_state (VigilAlarmMachine *self,
                               const char        *rule,
                               guint              key)
{
  Alarm *alarm;

  g_return_val_if_fail (self != NULL, VIGIL_ALARM_NORMAL);
  g_return_val_if_fail (rule != NULL, VIGIL_ALARM_NORMAL);

  alarm = find_alarm (self, rule, key);

  return alarm != NULL ? alarm->state : VIGIL_ALARM_NORMAL;
}

guint
vigil_alarm_machine_get_health (VigilAlarmMachine *self,
                                guint              key)
{
  guint penalty = 0;

  g_return_val_if_fail (self != NULL, 0);

  if (key >= VIGIL_N_SENSORS)
    return 100;

  /* Shelving only silences an alarm: the sensor is no healthier for it. */
  for (guint i = self->first[key]; i < self->first[key + 1]; i++)
    {
      const Alarm *alarm = &self->alarms[i];

      if (vigil_alarm_state_is_active (alarm->state))
        penalty += alarm->rule->severity == VIGIL_SEVERITY_CRITICAL ? 20 : 10;
    }

  return penalty >= 100 ? 0 : 100 - penalty;
}
