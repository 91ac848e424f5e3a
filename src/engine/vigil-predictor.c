/* vigil-predictor.c
 *
 * Live health predictions. Workers finish a sensor's cycle in any order and at any time, so
 * the features of a cycle gather in a slot until every sensor of the source has handed its
 * cycle over; then each model predicts the cycle, the rules on components run, and the result
 * is emitted under the lock, so the store and the bus see component alarms in order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-predictor"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "vigil-alarm-machine.h"
#include "vigil-error.h"
#include "vigil-predictor.h"

#define CHAMPION "champion"

typedef struct
{
  VigilModel *model;       /* owned; NULL: nothing predicts this target */
  gint64      model_id;
  guint      *columns;     /* owned; per model feature, its index in a slot's features */
  guint       n_columns;
  float      *row;         /* owned; the model's input, n_columns floats */
  int         classes[VIGIL_PREDICTION_MAX_CLASSES];
  guint       n_classes;
} Predictor;

typedef struct
{
  guint32 have;            /* sensors handed over so far */
  float   features[];      /* VIGIL_N_SENSORS × vigil_features_per_sensor() */
} Slot;

struct _VigilPredictor
{
  guint32                 sensors;
  guint                   per_sensor;
  VigilPredictorEmitFunc  emit;
  gpointer                user_data;

  GMutex                  lock;
  /* Guarded by lock. */
  Predictor               targets[VIGIL_N_TARGETS];
  guint32                 needed;       /* sensors some model takes features of */
  GHashTable             *slots;        /* cycle -> Slot * */
  VigilAlarmMachine      *alarms;       /* NULL without rules on components */
  gint64                  now_us;       /* end of the latest cycle predicted */
  GArray                 *predictions;  /* scratch for emit */
  GArray                 *transitions;  /* scratch for emit */
};

VigilPredictor *
vigil_predictor_new (guint32                 sensors,
                     VigilRuleSet           *rules,
                     VigilPredictorEmitFunc  emit,
                     gpointer                user_data)
{
  VigilPredictor *self;
  gboolean on_components = FALSE;

  g_return_val_if_fail (emit != NULL, NULL);

  self = g_new0 (VigilPredictor, 1);
  self->sensors = sensors & ((1u << VIGIL_N_SENSORS) - 1);
  self->per_sensor = vigil_features_per_sensor ();
  self->emit = emit;
  self->user_data = user_data;
  g_mutex_init (&self->lock);
  self->slots = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->predictions = g_array_new (FALSE, FALSE, sizeof (VigilPrediction));
  self->transitions = g_array_new (FALSE, FALSE, sizeof (VigilAlarmTransition));
  g_array_set_clear_func (self->transitions, vigil_alarm_transition_clear);

  for (guint r = 0; rules != NULL && r < vigil_rule_set_get_n_rules (rules); r++)
    on_components |= vigil_rule_is_on_component (vigil_rule_set_get_rule (rules, r));
  if (on_components)
    self->alarms = vigil_alarm_machine_new (rules, VIGIL_COMPONENT_KEYS);

  return self;
}

static void
predictor_clear (Predictor *p)
{
  g_clear_pointer (&p->model, vigil_model_free);
  g_clear_pointer (&p->columns, g_free);
  g_clear_pointer (&p->row, g_free);
  memset (p, 0, sizeof *p);
}

void
vigil_predictor_free (VigilPredictor *self)
{
  if (self == NULL)
    return;

  for (guint t = 0; t < VIGIL_N_TARGETS; t++)
    predictor_clear (&self->targets[t]);
  g_clear_pointer (&self->slots, g_hash_table_unref);
  g_clear_pointer (&self->alarms, vigil_alarm_machine_free);
  g_clear_pointer (&self->predictions, g_array_unref);
  g_clear_pointer (&self->transitions, g_array_unref);
  g_mutex_clear (&self->lock);
  g_free (self);
}

/* "PS1_first_energy" -> its index among a slot's features, if this source has PS1. */
static gboolean
feature_column (VigilPredictor *self,
                const char     *name,
                guint          *out)
{
  const char *sep = name != NULL ? strchr (name, '_') : NULL;
  g_autofree char *sensor_name = NULL;
  VigilSensor sensor;

  if (sep == NULL)
    return FALSE;

  sensor_name = g_strndup (name, sep - name);
  if (!vigil_sensor_from_name (sensor_name, &sensor) || (self->sensors & (1u << sensor)) == 0)
    return FALSE;

  for (guint f = 0; f < self->per_sensor; f++)
    if (strcmp (sep + 1, vigil_features_get_name (f)) == 0)
      {
        *out = sensor * self->per_sensor + f;
        return TRUE;
      }

  return FALSE;
}

static void
update_needed_locked (VigilPredictor *self)
{
  self->needed = 0;
  for (guint t = 0; t < VIGIL_N_TARGETS; t++)
    for (guint c = 0; c < self->targets[t].n_columns; c++)
      self->needed |= 1u << (self->targets[t].columns[c] / self->per_sensor);
}

gboolean
vigil_predictor_add_model (VigilPredictor  *self,
                           VigilTarget      target,
                           gint64           model_id,
                           VigilModel      *model,
                           const char      *features_json,
                           GError         **error)
{
  g_autoptr(VigilModel) owned = model;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autofree guint *columns = NULL;
  JsonNode *root;
  JsonArray *names;
  Predictor *p;
  guint n;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (target < VIGIL_N_TARGETS, FALSE);
  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (features_json != NULL, FALSE);

  if (!json_parser_load_from_data (parser, features_json, -1, NULL) ||
      !JSON_NODE_HOLDS_ARRAY (root = json_parser_get_root (parser)))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "model %" G_GINT64_FORMAT ": its feature list is not a JSON array", model_id);
      return FALSE;
    }

  names = json_node_get_array (root);
  n = json_array_get_length (names);
  if (n != vigil_model_get_n_features (model) ||
      vigil_model_get_n_classes (model) > VIGIL_PREDICTION_MAX_CLASSES)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "model %" G_GINT64_FORMAT ": it takes %u features but names %u", model_id,
                   vigil_model_get_n_features (model), n);
      return FALSE;
    }

  columns = g_new (guint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (names, i);
      const char *name = JSON_NODE_HOLDS_VALUE (element) &&
                         json_node_get_value_type (element) == G_TYPE_STRING
                         ? json_node_get_string (element) : NULL;

      if (!feature_column (self, name, &columns[i]))
        g_string_append_printf (missing, "%s%s", missing->len > 0 ? ", " : "",
                                name != NULL ? name : "(not a name)");
    }

  if (missing->len > 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "model %" G_GINT64_FORMAT " (%s) needs features this source lacks: %s",
                   model_id, vigil_target_to_string (target), missing->str);
      return FALSE;
    }

  g_mutex_lock (&self->lock);
  p = &self->targets[target];
  predictor_clear (p);
  p->model = g_steal_pointer (&owned);
  p->model_id = model_id;
  p->columns = g_steal_pointer (&columns);
  p->n_columns = n;
  p->row = g_new0 (float, MAX (n, 1));
  p->n_classes = vigil_model_get_n_classes (p->model);
  for (guint c = 0; c < p->n_classes; c++)
    p->classes[c] = vigil_model_get_class (p->model, c);
  update_needed_locked (self);
  g_mutex_unlock (&self->lock);

  return TRUE;
}

gboolean
vigil_predictor_add_champions (VigilPredictor  *self,
                               VigilStore      *store,
                               GString         *notes,
                               GError         **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (VIGIL_IS_STORE (store), FALSE);

  for (guint t = 0; t < VIGIL_N_TARGETS; t++)
    {
      const char *target = vigil_target_to_string ((VigilTarget) t);
      g_autoptr(VigilModelRecord) record = NULL;
      g_autoptr(VigilModel) model = NULL;
      g_autoptr(GError) local_error = NULL;
      gint64 id = vigil_store_get_alias (store, target, CHAMPION, error);

      if (id == 0 && error != NULL && *error != NULL)
        return FALSE;
      if (id == 0)
        continue;

      if ((record = vigil_store_get_model (store, id, error)) == NULL)
        return FALSE;

      /* A model this source cannot use is no reason to stop watching the rig. */
      model = vigil_model_load (record->model, &local_error);
      if (model == NULL ||
          !vigil_predictor_add_model (self, (VigilTarget) t, id, g_steal_pointer (&model),
                                      record->features_json, &local_error))
        {
          if (notes != NULL)
            g_string_append_printf (notes, "%s\n", local_error->message);
          g_debug ("left out the %s champion: %s", target, local_error->message);
        }
    }

  return TRUE;
}

guint
vigil_predictor_get_n_models (VigilPredictor *self)
{
  guint n = 0;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  for (guint t = 0; t < VIGIL_N_TARGETS; t++)
    n += self->targets[t].model != NULL;
  g_mutex_unlock (&self->lock);

  return n;
}

/* Called with the lock held. */
static void
emit_locked (VigilPredictor *self)
{
  if (self->predictions->len > 0 || self->transitions->len > 0)
    self->emit (self->predictions, self->transitions, self->user_data);
  g_array_set_size (self->predictions, 0);
  g_array_set_size (self->transitions, 0);
}

/* Called with the lock held. */
static void
predict_locked (VigilPredictor *self,
                guint           cycle,
                gint64          end_us,
                const Slot     *slot)
{
  self->now_us = MAX (self->now_us, end_us);

  for (guint t = 0; t < VIGIL_N_TARGETS; t++)
    {
      Predictor *p = &self->targets[t];
      VigilPrediction prediction = { 0 };
      g_autoptr(GError) error = NULL;
      guint first = self->transitions->len;

      if (p->model == NULL)
        continue;

      for (guint c = 0; c < p->n_columns; c++)
        p->row[c] = slot->features[p->columns[c]];

      prediction.cycle = cycle;
      prediction.end_us = end_us;
      prediction.target = t;
      prediction.model_id = p->model_id;
      prediction.n_classes = p->n_classes;
      memcpy (prediction.classes, p->classes, sizeof p->classes);
      if (!vigil_model_predict (p->model, p->row, 1, prediction.proba, &prediction.predicted,
                                &error))
        {
          /* The model was checked when it was added; this is XGBoost failing. */
          g_warning ("could not predict %s of cycle %u: %s",
                     vigil_target_to_string ((VigilTarget) t), cycle + 1, error->message);
          continue;
        }
      g_array_append_val (self->predictions, prediction);

      if (self->alarms == NULL)
        continue;
      vigil_alarm_machine_process_prediction (self->alarms, VIGIL_KEY_COMPONENT + t, end_us,
                                              prediction.classes, prediction.proba,
                                              prediction.n_classes, prediction.predicted,
                                              self->transitions);
      for (guint i = first; i < self->transitions->len; i++)
        g_array_index (self->transitions, VigilAlarmTransition, i).model_id = p->model_id;
    }

  emit_locked (self);
}

void
vigil_predictor_add_cycle (VigilPredictor *self,
                           guint           cycle,
                           gint64          end_us,
                           VigilSensor     sensor,
                           const double   *values,
                           guint           n_values)
{
  Slot *slot;

  g_return_if_fail (self != NULL);
  g_return_if_fail ((guint) sensor < VIGIL_N_SENSORS);
  g_return_if_fail (values != NULL || n_values == 0);

  g_mutex_lock (&self->lock);

  /* Without a model nothing is gathered: a replay without champions pays nothing. */
  if (self->needed == 0 || (self->sensors & (1u << sensor)) == 0)
    {
      g_mutex_unlock (&self->lock);
      return;
    }

  slot = g_hash_table_lookup (self->slots, GUINT_TO_POINTER (cycle));
  if (slot == NULL)
    {
      slot = g_malloc0 (sizeof (Slot)
                        + sizeof (float) * VIGIL_N_SENSORS * self->per_sensor);
      g_hash_table_insert (self->slots, GUINT_TO_POINTER (cycle), slot);
    }
  g_mutex_unlock (&self->lock);

  /* The features take most of the time and need no lock: each sensor's part of the slot has
   * one writer, and the slot lives until every sensor is in. */
  if (self->needed & (1u << sensor))
    vigil_features_compute (sensor, values, n_values,
                            slot->features + sensor * self->per_sensor);

  g_mutex_lock (&self->lock);
  slot->have |= 1u << sensor;
  if (slot->have == self->sensors)
    {
      predict_locked (self, cycle, end_us, slot);
      g_hash_table_remove (self->slots, GUINT_TO_POINTER (cycle));
    }
  g_mutex_unlock (&self->lock);
}

typedef enum { ACTION_ACK, ACTION_SHELVE } Action;

static gboolean
operator_action (VigilPredictor  *self,
                 Action           action,
                 const char      *rule,
                 guint            key,
                 gint64           duration_us,
                 const char      *comment,
                 GError         **error)
{
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (rule != NULL, FALSE);

  g_mutex_lock (&self->lock);
  if (self->alarms == NULL)
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                   "no alarm rule watches %s", vigil_key_get_name (key) != NULL
                                               ? vigil_key_get_name (key) : "that");
      return FALSE;
    }

  if (action == ACTION_ACK)
    ok = vigil_alarm_machine_acknowledge (self->alarms, rule, key, self->now_us, comment,
                                          self->transitions, error);
  else
    ok = vigil_alarm_machine_shelve (self->alarms, rule, key, self->now_us,
                                     self->now_us + duration_us, comment, self->transitions,
                                     error);
  if (ok && key >= VIGIL_KEY_COMPONENT && key < VIGIL_KEY_CAMERA)
    for (guint i = 0; i < self->transitions->len; i++)
      g_array_index (self->transitions, VigilAlarmTransition, i).model_id =
        self->targets[key - VIGIL_KEY_COMPONENT].model_id;
  emit_locked (self);
  g_mutex_unlock (&self->lock);

  return ok;
}

gboolean
vigil_predictor_acknowledge (VigilPredictor  *self,
                             const char      *rule,
                             guint            key,
                             const char      *comment,
                             GError         **error)
{
  return operator_action (self, ACTION_ACK, rule, key, 0, comment, error);
}

gboolean
vigil_predictor_shelve (VigilPredictor  *self,
                        const char      *rule,
                        guint            key,
                        gint64           duration_us,
                        const char      *comment,
                        GError         **error)
{
  g_return_val_if_fail (duration_us > 0, FALSE);

  return operator_action (self, ACTION_SHELVE, rule, key, duration_us, comment, error);
}

void
vigil_predictor_finish (VigilPredictor *self)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  g_hash_table_remove_all (self->slots);
  if (self->alarms != NULL)
    vigil_alarm_machine_advance (self->alarms, G_MAXINT64 / 2, self->transitions);
  emit_locked (self);
  g_mutex_unlock (&self->lock);
}
