/* vigil-kafka-actions.c
 *
 * What the Kafka source hands out and takes in besides records: each rig's windows go to the
 * publisher before a checkpoint stores them, and operator actions (acknowledge, shelve) reach
 * the alarm machines. Alarm machines belong to the consumer thread, so an operator's action
 * is queued for it and the caller waits: the thread applies it between two records, publishes
 * the transitions and stores them with a checkpoint before the caller hears back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-kafka"

#include "config.h"

#include "vigil-error.h"
#include "vigil-kafka-source-private.h"

void
vigil_kafka_source_set_publisher (VigilKafkaSource    *self,
                                  VigilKafkaPublisher *publisher)
{
  g_return_if_fail (VIGIL_IS_KAFKA_SOURCE (self));
  g_return_if_fail (!self->started);

  self->publisher = publisher;
}

void
_vigil_kafka_source_publish_rig (VigilKafkaSource *self,
                                 Rig              *rig)
{
  if (self->publisher == NULL || rig->batch->windows->len == 0)
    return;

  vigil_kafka_publisher_add_rig_windows (self->publisher, rig->name,
                                         (const VigilWindowStats *) (gpointer)
                                         rig->batch->windows->data,
                                         rig->batch->windows->len);
}

typedef struct
{
  gboolean  shelve;
  char     *rig;            /* NULL: the rig on the live bus */
  char     *rule;
  guint     key;
  gint64    duration_us;
  char     *comment;

  GMutex    lock;           /* guards the three below */
  GCond     cond;
  gboolean  done;
  GError   *error;          /* NULL: applied */
} Action;

static Action *
action_new (gboolean    shelve,
            const char *rig,
            const char *rule,
            guint       key,
            gint64      duration_us,
            const char *comment)
{
  Action *action = g_new0 (Action, 1);

  action->shelve = shelve;
  action->rig = g_strdup (rig);
  action->rule = g_strdup (rule);
  action->key = key;
  action->duration_us = duration_us;
  action->comment = g_strdup (comment);
  g_mutex_init (&action->lock);
  g_cond_init (&action->cond);

  return action;
}

static void
action_free (Action *action)
{
  g_free (action->rig);
  g_free (action->rule);
  g_free (action->comment);
  g_clear_error (&action->error);
  g_mutex_clear (&action->lock);
  g_cond_clear (&action->cond);
  g_free (action);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Action, action_free)

static void
action_complete (Action *action,
                 GError *error)
{
  g_mutex_lock (&action->lock);
  action->error = error;
  action->done = TRUE;
  g_cond_signal (&action->cond);
  g_mutex_unlock (&action->lock);
}

static gboolean
apply_action (VigilKafkaSource  *self,
              Action            *action,
              GError           **error)
{
  const char *name = action->rig != NULL ? action->rig : self->live_rig;
  Rig *rig = name != NULL ? g_hash_table_lookup (self->rigs, name) : NULL;
  guint first;
  gboolean ok;

  if (rig == NULL)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                   "No record of rig “%s” has arrived yet", name != NULL ? name : "");
      return FALSE;
    }

  first = rig->batch->transitions->len;
  if (action->key >= VIGIL_KEY_COMPONENT)
    {
      if (rig->predictor == NULL)
        {
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                       "No health model predicts the components of this subscription");
          return FALSE;
        }
      /* The predictor hands its transitions to emit_predictions(), which publishes them. */
      ok = action->shelve
           ? vigil_predictor_shelve (rig->predictor, action->rule, action->key,
                                     action->duration_us, action->comment, error)
           : vigil_predictor_acknowledge (rig->predictor, action->rule, action->key,
                                          action->comment, error);
    }
  else
    {
      Stream *st = action->key < VIGIL_N_SENSORS ? rig->streams[action->key] : NULL;
      gint64 at;

      if (st == NULL || !st->seen)
        {
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                       "No %s sample has arrived yet",
                       action->key < VIGIL_N_SENSORS
                       ? vigil_sensor_get_info (action->key)->name : "such");
          return FALSE;
        }
      at = st->max_event_us;
      ok = action->shelve
           ? vigil_alarm_machine_shelve (st->stage.alarms, action->rule, action->key, at,
                                         at + action->duration_us, action->comment,
                                         rig->batch->transitions, error)
           : vigil_alarm_machine_acknowledge (st->stage.alarms, action->rule, action->key, at,
                                              action->comment, rig->batch->transitions, error);
      if (ok)
        {
          atomic_store (&rig->shared->health[action->key],
                        vigil_alarm_machine_get_health (st->stage.alarms, action->key));
          _vigil_publish_transitions (rig->shared->live, rig->batch, first);
        }
    }
  if (!ok)
    return FALSE;

  self->dirty = TRUE;
  if (!_vigil_kafka_source_checkpoint (self))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_FAILED,
                   "The subscription failed before the action was stored");
      return FALSE;
    }

  return TRUE;
}

void
_vigil_kafka_source_run_actions (VigilKafkaSource *self)
{
  for (;;)
    {
      GError *error = NULL;
      Action *action;

      g_mutex_lock (&self->actions_lock);
      action = g_queue_pop_head (&self->actions);
      if (action != NULL)
        atomic_fetch_sub (&self->n_actions, 1);
      g_mutex_unlock (&self->actions_lock);
      if (action == NULL)
        return;

      apply_action (self, action, &error);
      action_complete (action, error);
    }
}

void
_vigil_kafka_source_close_actions (VigilKafkaSource *self)
{
  Action *action;

  g_mutex_lock (&self->actions_lock);
  self->actions_closed = TRUE;
  while ((action = g_queue_pop_head (&self->actions)) != NULL)
    action_complete (action, g_error_new (VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                                          "The Kafka subscription has stopped"));
  atomic_store (&self->n_actions, 0);
  g_mutex_unlock (&self->actions_lock);
}

static gboolean
run_action (VigilKafkaSource  *self,
            Action            *action,
            GError           **error)
{
  gboolean queued = FALSE;

  if (self->thread != NULL && g_thread_self () == self->thread)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Operator actions cannot come from the consumer's own thread");
      return FALSE;
    }

  g_mutex_lock (&self->actions_lock);
  if (self->started && !self->actions_closed)
    {
      g_queue_push_tail (&self->actions, action);
      atomic_fetch_add (&self->n_actions, 1);
      queued = TRUE;
    }
  g_mutex_unlock (&self->actions_lock);

  if (!queued)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "The Kafka subscription is not running");
      return FALSE;
    }

  g_mutex_lock (&action->lock);
  while (!action->done)
    g_cond_wait (&action->cond, &action->lock);
  g_mutex_unlock (&action->lock);

  if (action->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&action->error));
      return FALSE;
    }

  return TRUE;
}

gboolean
vigil_kafka_source_acknowledge (VigilKafkaSource  *self,
                                const char        *rig,
                                const char        *rule,
                                guint              sensor,
                                const char        *comment,
                                GError           **error)
{
  g_autoptr(Action) action = NULL;

  g_return_val_if_fail (VIGIL_IS_KAFKA_SOURCE (self), FALSE);
  g_return_val_if_fail (rule != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  action = action_new (FALSE, rig, rule, sensor, 0, comment);

  return run_action (self, action, error);
}

gboolean
vigil_kafka_source_shelve (VigilKafkaSource  *self,
                           const char        *rig,
                           const char        *rule,
                           guint              sensor,
                           gint64             duration_us,
                           const char        *comment,
                           GError           **error)
{
  g_autoptr(Action) action = NULL;

  g_return_val_if_fail (VIGIL_IS_KAFKA_SOURCE (self), FALSE);
  g_return_val_if_fail (rule != NULL, FALSE);
  g_return_val_if_fail (duration_us > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  action = action_new (TRUE, rig, rule, sensor, duration_us, comment);

  return run_action (self, action, error);
}
