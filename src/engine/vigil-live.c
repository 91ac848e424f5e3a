/* vigil-live.c
 *
 * One mutex guards the bus's tables; raw samples go to per-sensor VigilSeries, which lock
 * themselves, so charts decimating never hold up workers publishing windows. Writers hold
 * the lock only to copy a batch in; readers only to copy out what they asked for.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-live"

#include "config.h"

#include <math.h>
#include <string.h>

#include "vigil-live.h"

/* Hours of raw samples kept per sensor for the charts (at the sensor's rate). */
#define SERIES_HOURS 4
/* Windows kept per sensor: weeks of rig time at a 10 s slide. */
#define MAX_WINDOWS 200000
#define MAX_ALARMS 10000
#define MAX_JOURNAL 20000
#define MAX_HEALTH 20000
/* Throughput is measured over this much wall time, from marks taken this often. */
#define RATE_SPAN_US (2 * G_USEC_PER_SEC)
#define RATE_MARK_US (G_USEC_PER_SEC / 4)
#define N_RATE_MARKS 16
#define N_LATENCIES 64

typedef struct
{
  gint64  wall_us;
  guint64 samples;
} RateMark;

struct _VigilLive
{
  GObject       parent_instance;

  /* Created once, each locking itself. */
  VigilSeries  *series[VIGIL_N_SENSORS];

  GMutex        lock;

  /* Guarded by lock. */
  VigilRuleSet *rules;
  gint64        start_us;
  gint64        end_us;
  gint64        position_us;
  guint32       sensors;
  guint64       data_serial;
  guint64       alarm_serial;
  guint64       samples;
  guint64       windows;
  guint64       late;
  guint64       dead_letters;
  GArray       *window_arrays[VIGIL_N_SENSORS];   /* VigilWindowStats, start order */
  GPtrArray    *alarms;        /* VigilLiveAlarm *, in raising order */
  GHashTable   *current;       /* "rule\x1Fsensor" -> the latest instance (in alarms) */
  GArray       *journal;       /* VigilAlarmTransition */
  GArray       *health;        /* VigilHealthPoint */
  guint         sensor_health[VIGIL_N_SENSORS];
  guint64       prediction_serial;
  VigilPrediction predictions[VIGIL_N_COMPONENTS];   /* the latest per target; n_classes 0:
                                                      * none yet */
  RateMark      marks[N_RATE_MARKS];
  guint         next_mark;
  double        latencies_ms[N_LATENCIES];
  guint         n_latencies;
  guint         next_latency;
};

G_DEFINE_FINAL_TYPE (VigilLive, vigil_live, G_TYPE_OBJECT)

void
vigil_live_alarm_clear (gpointer alarm)
{
  VigilLiveAlarm *a = alarm;

  g_clear_pointer (&a->comment, g_free);
}

static void
live_alarm_free (gpointer alarm)
{
  vigil_live_alarm_clear (alarm);
  g_free (alarm);
}

static char *
alarm_key (const char *rule,
           guint       sensor)
{
  return g_strdup_printf ("%s\x1F%u", rule, sensor);
}

/* Called with the lock held. */
static void
clear_locked (VigilLive *self)
{
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      g_array_set_size (self->window_arrays[s], 0);
      self->sensor_health[s] = 100;
    }
  g_hash_table_remove_all (self->current);
  g_ptr_array_set_size (self->alarms, 0);
  g_array_set_size (self->journal, 0);
  g_array_set_size (self->health, 0);
  memset (self->predictions, 0, sizeof self->predictions);
  self->prediction_serial++;
  self->samples = self->windows = self->late = self->dead_letters = 0;
  memset (self->marks, 0, sizeof self->marks);
  self->next_mark = 0;
  self->n_latencies = self->next_latency = 0;
  self->data_serial++;
  self->alarm_serial++;
}

static void
vigil_live_finalize (GObject *object)
{
  VigilLive *self = (VigilLive *) object;

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      g_clear_pointer (&self->series[s], vigil_series_unref);
      g_clear_pointer (&self->window_arrays[s], g_array_unref);
    }
  g_clear_pointer (&self->current, g_hash_table_unref);
  g_clear_pointer (&self->alarms, g_ptr_array_unref);
  g_clear_pointer (&self->journal, g_array_unref);
  g_clear_pointer (&self->health, g_array_unref);
  g_clear_pointer (&self->rules, vigil_rule_set_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (vigil_live_parent_class)->finalize (object);
}

static void
vigil_live_class_init (VigilLiveClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vigil_live_finalize;
}

static void
vigil_live_init (VigilLive *self)
{
  g_mutex_init (&self->lock);

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      gsize capacity = (gsize) vigil_sensor_get_info (s)->rate_hz * 3600 * SERIES_HOURS;

      self->series[s] = vigil_series_new (capacity);
      self->window_arrays[s] = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));
      self->sensor_health[s] = 100;
    }
  self->alarms = g_ptr_array_new_with_free_func (live_alarm_free);
  self->current = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->journal = g_array_new (FALSE, FALSE, sizeof (VigilAlarmTransition));
  g_array_set_clear_func (self->journal, vigil_alarm_transition_clear);
  self->health = g_array_new (FALSE, FALSE, sizeof (VigilHealthPoint));
  self->rules = vigil_rule_set_new_default ();
  self->end_us = G_MAXINT64;
}

VigilLive *
vigil_live_new (void)
{
  return g_object_new (VIGIL_TYPE_LIVE, NULL);
}

void
vigil_live_reset (VigilLive    *self,
                  gint64        start_us,
                  gint64        end_us,
                  guint32       sensors,
                  VigilRuleSet *rules)
{
  g_return_if_fail (VIGIL_IS_LIVE (self));
  g_return_if_fail (rules != NULL);

  /* Series first: a chart that decimates between the two sees an empty series, never old
   * samples under new windows. */
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    vigil_series_clear (self->series[s]);

  g_mutex_lock (&self->lock);
  clear_locked (self);
  g_clear_pointer (&self->rules, vigil_rule_set_unref);
  self->rules = vigil_rule_set_ref (rules);
  self->start_us = start_us;
  self->end_us = end_us;
  self->position_us = start_us;
  self->sensors = sensors;
  g_mutex_unlock (&self->lock);
}

/* Called with the lock held. */
static void
mark_rate_locked (VigilLive *self,
                  gint64     now)
{
  RateMark *last = &self->marks[(self->next_mark + N_RATE_MARKS - 1) % N_RATE_MARKS];

  if (last->wall_us != 0 && now - last->wall_us < RATE_MARK_US)
    return;

  self->marks[self->next_mark] = (RateMark) { now, self->samples };
  self->next_mark = (self->next_mark + 1) % N_RATE_MARKS;
}

void
vigil_live_add_samples_run (VigilLive    *self,
                            VigilSensor   sensor,
                            gint64        first_us,
                            gint64        dt_us,
                            const double *values,
                            gsize         n_values)
{
  g_return_if_fail (VIGIL_IS_LIVE (self));
  g_return_if_fail ((guint) sensor < VIGIL_N_SENSORS);

  if (n_values == 0)
    return;

  vigil_series_append_run (self->series[sensor], first_us, dt_us, values, n_values);

  g_mutex_lock (&self->lock);
  /* The mark before the samples: a rate is samples over the time they took to arrive. */
  mark_rate_locked (self, g_get_monotonic_time ());
  self->samples += n_values;
  self->data_serial++;
  g_mutex_unlock (&self->lock);
}

/* Called with the lock held: keeps the newest @max of @array, dropping a quarter at a time
 * so that trimming is rare. */
static void
trim_array_locked (GArray *array,
                   guint   max)
{
  if (array->len > max)
    g_array_remove_range (array, 0, array->len - max + max / 4);
}

void
vigil_live_add_windows (VigilLive              *self,
                        const VigilWindowStats *windows,
                        guint                   n_windows,
                        gint64                  closed_wall_us)
{
  g_return_if_fail (VIGIL_IS_LIVE (self));
  g_return_if_fail (windows != NULL || n_windows == 0);

  if (n_windows == 0)
    return;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < n_windows; i++)
    {
      const VigilWindowStats *w = &windows[i];

      if (w->key >= VIGIL_N_SENSORS)
        continue;
      g_array_append_val (self->window_arrays[w->key], *w);
      trim_array_locked (self->window_arrays[w->key], MAX_WINDOWS);
      self->windows++;
    }

  if (closed_wall_us > 0)
    {
      self->latencies_ms[self->next_latency] = (g_get_monotonic_time () - closed_wall_us) / 1e3;
      self->next_latency = (self->next_latency + 1) % N_LATENCIES;
      self->n_latencies = MIN (self->n_latencies + 1, N_LATENCIES);
    }
  self->data_serial++;
  g_mutex_unlock (&self->lock);
}

/* Called with the lock held. */
static void
update_health_locked (VigilLive *self,
                      guint      sensor,
                      gint64     at_us)
{
  GHashTableIter iter;
  gpointer value;
  guint penalty = 0;
  guint rig = 100;

  g_hash_table_iter_init (&iter, self->current);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const VigilLiveAlarm *a = value;

      if (a->sensor == sensor && vigil_alarm_state_is_active (a->state))
        penalty += a->severity == VIGIL_SEVERITY_CRITICAL ? 20 : 10;
    }
  self->sensor_health[sensor] = penalty >= 100 ? 0 : 100 - penalty;

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    if (self->sensors & (1u << s))
      rig = MIN (rig, self->sensor_health[s]);

  if (self->health->len == 0 ||
      g_array_index (self->health, VigilHealthPoint, self->health->len - 1).rig_health != rig)
    {
      VigilHealthPoint point = { at_us, rig };

      g_array_append_val (self->health, point);
      trim_array_locked (self->health, MAX_HEALTH);
    }
}

/* Called with the lock held: drops the oldest instances that are no longer current. */
static void
trim_alarms_locked (VigilLive *self)
{
  guint kept = 0;
  guint excess;

  if (self->alarms->len <= MAX_ALARMS)
    return;

  excess = self->alarms->len - MAX_ALARMS + MAX_ALARMS / 4;
  for (guint i = 0; i < self->alarms->len; i++)
    {
      VigilLiveAlarm *a = g_ptr_array_index (self->alarms, i);
      g_autofree char *key = alarm_key (a->rule, a->sensor);

      if (excess > 0 && g_hash_table_lookup (self->current, key) != a)
        {
          live_alarm_free (a);
          excess--;
          continue;
        }
      self->alarms->pdata[kept++] = a;
    }
  self->alarms->len = kept;
}

/* Called with the lock held. */
static void
apply_transition_locked (VigilLive                  *self,
                         const VigilAlarmTransition *t)
{
  g_autofree char *key = NULL;
  VigilLiveAlarm *a;

  /* Before raising (pending and back) there is no instance to show. */
  if (t->raised_us == 0 || t->key >= VIGIL_N_KEYS)
    return;

  key = alarm_key (t->rule, t->key);
  a = g_hash_table_lookup (self->current, key);
  if (a == NULL || a->raised_us != t->raised_us)
    {
      a = g_new0 (VigilLiveAlarm, 1);
      a->rule = g_intern_string (t->rule);
      a->sensor = t->key;
      a->severity = t->severity;
      a->raised_us = t->raised_us;
      a->model_id = t->model_id;
      a->value = a->peak = NAN;
      g_ptr_array_add (self->alarms, a);
      g_hash_table_replace (self->current, g_steal_pointer (&key), a);
      trim_alarms_locked (self);
    }

  a->state = t->to;
  a->shelved = t->shelved;
  a->shelved_until_us = t->shelved ? t->shelved_until_us : 0;
  a->changed_us = t->at_us;
  if (t->cause == VIGIL_ALARM_CAUSE_ACK && a->acked_us == 0)
    {
      a->acked_us = t->at_us;
      g_free (a->comment);
      a->comment = g_strdup (t->comment);
    }
  if (vigil_alarm_state_is_active (t->to) || t->to == VIGIL_ALARM_PENDING)
    a->cleared_us = 0;
  else if (a->cleared_us == 0)
    a->cleared_us = t->at_us;
  if (!isnan (t->value))
    {
      a->value = t->value;
      if (isnan (a->peak) || t->value > a->peak)
        a->peak = t->value;
    }

  /* Health is the sensors'; a component's predicted condition is shown beside it. */
  if (t->key < VIGIL_N_SENSORS)
    update_health_locked (self, t->key, t->at_us);
}

void
vigil_live_add_transitions (VigilLive                  *self,
                            const VigilAlarmTransition *transitions,
                            guint                       n_transitions)
{
  g_return_if_fail (VIGIL_IS_LIVE (self));
  g_return_if_fail (transitions != NULL || n_transitions == 0);

  if (n_transitions == 0)
    return;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < n_transitions; i++)
    {
      VigilAlarmTransition copy = transitions[i];

      copy.comment = g_strdup (copy.comment);
      g_array_append_val (self->journal, copy);
      apply_transition_locked (self, &transitions[i]);
    }
  trim_array_locked (self->journal, MAX_JOURNAL);
  self->alarm_serial++;
  g_mutex_unlock (&self->lock);
}

void
vigil_live_add_late (VigilLive *self,
                     guint64    n_late)
{
  g_return_if_fail (VIGIL_IS_LIVE (self));

  g_mutex_lock (&self->lock);
  self->late += n_late;
  self->data_serial++;
  g_mutex_unlock (&self->lock);
}

void
vigil_live_add_dead_letters (VigilLive *self,
                             guint64    n_dead)
{
  g_return_if_fail (VIGIL_IS_LIVE (self));

  g_mutex_lock (&self->lock);
  self->dead_letters += n_dead;
  self->data_serial++;
  g_mutex_unlock (&self->lock);
}

void
vigil_live_set_position (VigilLive *self,
                         gint64     position_us)
{
  g_return_if_fail (VIGIL_IS_LIVE (self));

  g_mutex_lock (&self->lock);
  if (position_us != self->position_us)
    {
      self->position_us = position_us;
      self->data_serial++;
    }
  g_mutex_unlock (&self->lock);
}

guint64
vigil_live_get_data_serial (VigilLive *self)
{
  guint64 serial;

  g_return_val_if_fail (VIGIL_IS_LIVE (self), 0);

  g_mutex_lock (&self->lock);
  serial = self->data_serial;
  g_mutex_unlock (&self->lock);

  return serial;
}

guint64
vigil_live_get_alarm_serial (VigilLive *self)
{
  guint64 serial;

  g_return_val_if_fail (VIGIL_IS_LIVE (self), 0);

  g_mutex_lock (&self->lock);
  serial = self->alarm_serial;
  g_mutex_unlock (&self->lock);

  return serial;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Called with the lock held. */
static double
samples_per_s_locked (VigilLive *self,
                      gint64     now)
{
  const RateMark *oldest = NULL;

  /* The oldest mark still inside the span; none means nothing arrived lately. */
  for (guint i = 0; i < N_RATE_MARKS; i++)
    {
      const RateMark *m = &self->marks[i];

      if (m->wall_us != 0 && now - m->wall_us <= RATE_SPAN_US &&
          (oldest == NULL || m->wall_us < oldest->wall_us))
        oldest = m;
    }

  if (oldest == NULL || now <= oldest->wall_us)
    return 0;

  return (double) (self->samples - oldest->samples) * G_USEC_PER_SEC / (now - oldest->wall_us);
}

void
vigil_live_get_counters (VigilLive         *self,
                         VigilLiveCounters *counters)
{
  double latencies[N_LATENCIES];

  g_return_if_fail (VIGIL_IS_LIVE (self));
  g_return_if_fail (counters != NULL);

  g_mutex_lock (&self->lock);
  *counters = (VigilLiveCounters) {
    .start_us = self->start_us,
    .end_us = self->end_us,
    .position_us = self->position_us,
    .sensors = self->sensors,
    .samples = self->samples,
    .windows = self->windows,
    .late = self->late,
    .dead_letters = self->dead_letters,
    .samples_per_s = samples_per_s_locked (self, g_get_monotonic_time ()),
    .window_latency_ms = NAN,
    .rig_health = 100,
  };
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      counters->health[s] = self->sensor_health[s];
      if (self->sensors & (1u << s))
        counters->rig_health = MIN (counters->rig_health, self->sensor_health[s]);
    }
  memcpy (latencies, self->latencies_ms, self->n_latencies * sizeof (double));
  if (self->n_latencies > 0)
    {
      qsort (latencies, self->n_latencies, sizeof (double), compare_double);
      counters->window_latency_ms = latencies[self->n_latencies / 2];
    }
  g_mutex_unlock (&self->lock);
}

VigilRuleSet *
vigil_live_dup_rules (VigilLive *self)
{
  VigilRuleSet *rules;

  g_return_val_if_fail (VIGIL_IS_LIVE (self), NULL);

  g_mutex_lock (&self->lock);
  rules = vigil_rule_set_ref (self->rules);
  g_mutex_unlock (&self->lock);

  return rules;
}

VigilSeries *
vigil_live_get_series (VigilLive   *self,
                       VigilSensor  sensor)
{
  g_return_val_if_fail (VIGIL_IS_LIVE (self), NULL);
  g_return_val_if_fail ((guint) sensor < VIGIL_N_SENSORS, NULL);

  return self->series[sensor];
}

/* The first window of @array (start order, equal lengths) that ends after @from_us. */
static guint
first_window_after (GArray *array,
                    gint64  from_us)
{
  guint lo = 0, hi = array->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (array, VigilWindowStats, mid).end_us <= from_us)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

GArray *
vigil_live_dup_windows (VigilLive   *self,
                        VigilSensor  sensor,
                        gint64       from_us,
                        gint64       to_us)
{
  GArray *out;
  GArray *array;

  g_return_val_if_fail (VIGIL_IS_LIVE (self), NULL);
  g_return_val_if_fail ((guint) sensor < VIGIL_N_SENSORS, NULL);

  out = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));

  g_mutex_lock (&self->lock);
  array = self->window_arrays[sensor];
  for (guint i = first_window_after (array, from_us); i < array->len; i++)
    {
      const VigilWindowStats *w = &g_array_index (array, VigilWindowStats, i);

      if (w->start_us >= to_us)
        break;
      g_array_append_val (out, *w);
    }
  g_mutex_unlock (&self->lock);

  return out;
}

GArray *
vigil_live_dup_alarms (VigilLive *self)
{
  GArray *out;

  g_return_val_if_fail (VIGIL_IS_LIVE (self), NULL);

  out = g_array_new (FALSE, FALSE, sizeof (VigilLiveAlarm));
  g_array_set_clear_func (out, vigil_live_alarm_clear);

  g_mutex_lock (&self->lock);
  for (guint i = self->alarms->len; i > 0; i--)
    {
      const VigilLiveAlarm *a = g_ptr_array_index (self->alarms, i - 1);
      g_autofree char *key = alarm_key (a->rule, a->sensor);
      VigilLiveAlarm copy = *a;

      copy.comment = g_strdup (copy.comment);
      copy.superseded = g_hash_table_lookup (self->current, key) != a;
      g_array_append_val (out, copy);
    }
  g_mutex_unlock (&self->lock);

  return out;
}

GArray *
vigil_live_dup_journal (VigilLive *self)
{
  GArray *out;

  g_return_val_if_fail (VIGIL_IS_LIVE (self), NULL);

  out = g_array_new (FALSE, FALSE, sizeof (VigilAlarmTransition));
  g_array_set_clear_func (out, vigil_alarm_transition_clear);

  g_mutex_lock (&self->lock);
  g_array_set_size (out, self->journal->len);
  for (guint i = 0; i < self->journal->len; i++)
    {
      VigilAlarmTransition *t = &g_array_index (out, VigilAlarmTransition, i);

      *t = g_array_index (self->journal, VigilAlarmTransition, i);
      t->comment = g_strdup (t->comment);
    }
  g_mutex_unlock (&self->lock);

  return out;
}

GArray *
vigil_live_dup_health (VigilLive *self)
{
  GArray *out;

  g_return_val_if_fail (VIGIL_IS_LIVE (self), NULL);

  g_mutex_lock (&self->lock);
  out = g_array_sized_new (FALSE, FALSE, sizeof (VigilHealthPoint), self->health->len);
  g_array_append_vals (out, self->health->data, self->health->len);
  g_mutex_unlock (&self->lock);

  return out;
}

void
vigil_live_add_predictions (VigilLive             *self,
                            const VigilPrediction *predictions,
                            guint                  n_predictions)
{
  g_return_if_fail (VIGIL_IS_LIVE (self));
  g_return_if_fail (predictions != NULL || n_predictions == 0);

  if (n_predictions == 0)
    return;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < n_predictions; i++)
    {
      const VigilPrediction *p = &predictions[i];
      VigilPrediction *latest;

      if (p->target >= VIGIL_N_COMPONENTS)
        continue;
      latest = &self->predictions[p->target];
      /* Workers finish cycles out of order now and then: the latest cycle wins. */
      if (latest->n_classes == 0 || p->cycle >= latest->cycle)
        *latest = *p;
    }
  self->prediction_serial++;
  g_mutex_unlock (&self->lock);
}

guint64
vigil_live_get_prediction_serial (VigilLive *self)
{
  guint64 serial;

  g_return_val_if_fail (VIGIL_IS_LIVE (self), 0);

  g_mutex_lock (&self->lock);
  serial = self->prediction_serial;
  g_mutex_unlock (&self->lock);

  return serial;
}

gboolean
vigil_live_get_prediction (VigilLive       *self,
                           guint            target,
                           VigilPrediction *out)
{
  gboolean has;

  g_return_val_if_fail (VIGIL_IS_LIVE (self), FALSE);
  g_return_val_if_fail (target < VIGIL_N_COMPONENTS, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  g_mutex_lock (&self->lock);
  *out = self->predictions[target];
  has = out->n_classes > 0;
  g_mutex_unlock (&self->lock);

  return has;
}
