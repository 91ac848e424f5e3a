/* vigil-kafka-source.c
 *
 * One consumer thread polls, parses and runs every rig's sensor streams through the stages the
 * file replay uses, so each store transaction it submits is one consistent cut: the results
 * of every record up to an offset, with that offset. Rebalancing is handled as librdkafka's
 * examples do: the protocol decides between assign() and incremental_(un)assign(); before
 * partitions go, a checkpoint is written and all stream state is dropped, to be rebuilt from
 * the store (and, cooperatively, by seeking the partitions kept back to where they resume).
 *
 * Where a partition resumes: each stream remembers, per slide of event time, the first
 * offset of every partition that fed it. What open windows (and, with health models, cycles
 * not yet predicted) still need lies at or after the oldest such mark they cover; before it,
 * nothing is needed. Rebuilding, the stored watermark decides which records are late exactly
 * as it did the first time, windows that closed before the checkpoint are left out, and late
 * records before the processed offset are not stored again.
 *
 * This file has the consumer thread's loop and the object; records become rig state in
 * vigil-kafka-dispatch.c (traffic frames in vigil-kafka-traffic.c), checkpoints and
 * rebalancing are in vigil-kafka-offsets.c, publishing and operator actions in
 * vigil-kafka-actions.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-kafka"

#include "config.h"

#include <string.h>

#include "vigil-error.h"
#include "vigil-kafka-source-private.h"
#include "vigil-time.h"

G_DEFINE_FINAL_TYPE (VigilKafkaSource, vigil_kafka_source, G_TYPE_OBJECT)

static const char * const default_topics[] = {
  "^hydraulic-.*", "hydraulic-labels", "traffic_data", NULL
};

void
vigil_kafka_source_options_init (VigilKafkaSourceOptions *options)
{
  g_return_if_fail (options != NULL);

  *options = (VigilKafkaSourceOptions) {
    .group = DEFAULT_GROUP,
    .topics = NULL,
    .start = VIGIL_KAFKA_START_STORED,
    .start_us = VIGIL_DEFAULT_START_US,
    .window_us = 60 * VIGIL_USEC_PER_SEC,
    .slide_us = 10 * VIGIL_USEC_PER_SEC,
    .lateness_us = 10 * VIGIL_USEC_PER_SEC,
    .idle_us = 5 * VIGIL_USEC_PER_SEC,
    .checkpoint_us = 250 * G_TIME_SPAN_MILLISECOND,
    .properties = NULL,
  };
}

void
vigil_kafka_partition_lag_clear (gpointer data)
{
  VigilKafkaPartitionLag *lag = data;

  g_clear_pointer (&lag->topic, g_free);
}

static const char *const start_names[] = {
  [VIGIL_KAFKA_START_STORED] = "stored",
  [VIGIL_KAFKA_START_EARLIEST] = "earliest",
  [VIGIL_KAFKA_START_LATEST] = "latest",
};

const char *
vigil_kafka_start_to_string (VigilKafkaStart start)
{
  g_return_val_if_fail ((guint) start < G_N_ELEMENTS (start_names), NULL);

  return start_names[start];
}

gboolean
vigil_kafka_start_from_string (const char      *text,
                               VigilKafkaStart *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (start_names); i++)
    if (strcmp (text, start_names[i]) == 0)
      {
        *out = (VigilKafkaStart) i;
        return TRUE;
      }
  return FALSE;
}

const char *
vigil_kafka_source_state_to_string (VigilKafkaSourceState state)
{
  switch (state)
    {
    case VIGIL_KAFKA_SOURCE_STOPPED: return "stopped";
    case VIGIL_KAFKA_SOURCE_CONNECTING: return "connecting";
    case VIGIL_KAFKA_SOURCE_CONNECTED: return "connected";
    case VIGIL_KAFKA_SOURCE_RETRYING: return "retrying";
    case VIGIL_KAFKA_SOURCE_FAILED: return "failed";
    default: return "unknown";
    }
}

/* State and errors ----------------------------------------------------------------------- */

void
_vigil_kafka_source_set_state (VigilKafkaSource      *self,
                               VigilKafkaSourceState  state,
                               const char            *error_text)
{
  g_mutex_lock (&self->state_lock);
  if (self->state != VIGIL_KAFKA_SOURCE_FAILED)
    self->state = state;
  if (error_text != NULL)
    {
      g_free (self->last_error);
      self->last_error = g_strdup (error_text);
    }
  g_mutex_unlock (&self->state_lock);
}

/* The source gives up: the store cannot take its results. */
void
_vigil_kafka_source_fail (VigilKafkaSource *self,
                          GError           *error)
{
  g_mutex_lock (&self->state_lock);
  g_free (self->last_error);
  self->last_error = g_strdup (error->message);
  self->state = VIGIL_KAFKA_SOURCE_FAILED;
  if (self->error == NULL)
    self->error = error;
  else
    g_error_free (error);
  g_mutex_unlock (&self->state_lock);

  atomic_store (&self->stop_requested, TRUE);
}

gboolean
_vigil_kafka_source_failed (VigilKafkaSource *self)
{
  gboolean ret;

  g_mutex_lock (&self->state_lock);
  ret = self->error != NULL;
  g_mutex_unlock (&self->state_lock);

  return ret;
}

static void
on_error (rd_kafka_t *rk,
          int         err,
          const char *reason,
          void       *opaque)
{
  VigilKafkaSource *self = opaque;
  g_autofree char *where = vigil_kafka_connection_describe (&self->connection);
  g_autofree char *text = g_strdup_printf ("%s: %s", where, reason);

  /* librdkafka reconnects by itself, with back-off; the state says so until it is back. */
  _vigil_kafka_source_set_state (self, VIGIL_KAFKA_SOURCE_RETRYING, text);
}

static void
on_log (const rd_kafka_t *rk,
        int               level,
        const char       *facility,
        const char       *message)
{
  g_debug ("%s: %s", facility, message);
}

/* Partitions ---------------------------------------------------------------------------------- */

char *
_vigil_kafka_partition_key (const char *topic,
                            gint32      partition)
{
  return g_strdup_printf ("%s\n%d", topic, partition);
}

Partition *
_vigil_kafka_source_get_partition (VigilKafkaSource *self,
                                   const char       *topic,
                                   gint32            partition)
{
  g_autofree char *key = _vigil_kafka_partition_key (topic, partition);
  Partition *p = g_hash_table_lookup (self->partitions, key);

  if (p == NULL)
    {
      p = g_new0 (Partition, 1);
      p->topic = g_strdup (topic);
      p->partition = partition;
      p->next_offset = -1;
      p->replay_until = -1;
      p->high = -1;
      g_hash_table_insert (self->partitions, g_steal_pointer (&key), p);
    }

  return p;
}

static void
partition_free (Partition *p)
{
  g_free (p->topic);
  g_free (p);
}

/* Idle, lag and the end ------------------------------------------------------------------------ */

/* Time went on without records: every stream's windows that its latest sample ends close. */
static void
advance_idle (VigilKafkaSource *self)
{
  GHashTableIter iter;
  Rig *rig;

  g_hash_table_iter_init (&iter, self->rigs);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &rig))
    for (guint s = 0; s < VIGIL_N_SENSORS; s++)
      {
        Stream *st = rig->streams[s];
        guint first;

        if (st == NULL || st->max_event_us == G_MININT64 || st->idle_wm >= st->max_event_us ||
            _vigil_kafka_stream_get_watermark (st) >= st->max_event_us)
          continue;
        first = rig->batch->transitions->len;
        _vigil_sensor_stage_advance (rig->shared, &st->stage, st->max_event_us, rig->batch);
        _vigil_publish_transitions (rig->shared->live, rig->batch, first);
        st->idle_wm = st->max_event_us;
        self->dirty = TRUE;
      }

  self->idle_done = TRUE;
  _vigil_kafka_source_checkpoint (self);
}

static void
finish_streams (VigilKafkaSource *self)
{
  GHashTableIter iter;
  Rig *rig;

  g_hash_table_iter_init (&iter, self->rigs);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &rig))
    {
      for (guint s = 0; s < VIGIL_N_SENSORS; s++)
        {
          Stream *st = rig->streams[s];
          guint first;

          if (st == NULL || !st->seen)
            continue;
          first = rig->batch->transitions->len;
          _vigil_kafka_source_flush_live_run (rig, st);
          _vigil_sensor_stage_finish (rig->shared, &st->stage, rig->batch);
          _vigil_publish_transitions (rig->shared->live, rig->batch, first);
          self->dirty = TRUE;
        }
      if (rig->predictor != NULL)
        vigil_predictor_finish (rig->predictor);
    }
  _vigil_kafka_source_finish_cameras (self);
}

static gpointer
consumer_main (gpointer data)
{
  VigilKafkaSource *self = data;

  while (!atomic_load (&self->stop_requested))
    {
      rd_kafka_message_t *rkm = rd_kafka_consumer_poll (self->rk, POLL_MS);
      gint64 now;

      if (self->reseek != NULL)
        {
          /* Anything polled before the seek is read again from where it resumes. */
          g_clear_pointer (&rkm, rd_kafka_message_destroy);
          _vigil_kafka_source_reseek (self);
        }

      if (rkm != NULL)
        {
          g_autoptr(GError) error = NULL;

          if (!_vigil_kafka_source_handle_message (self, rkm, &error))
            _vigil_kafka_source_fail (self, g_steal_pointer (&error));
          rd_kafka_message_destroy (rkm);
        }

      now = g_get_monotonic_time ();
      if (now - self->last_checkpoint_us >= self->options.checkpoint_us ||
          self->since_checkpoint >= CHECKPOINT_RECORDS)
        _vigil_kafka_source_checkpoint (self);
      if (!self->idle_done && atomic_load (&self->last_activity_us) != 0 &&
          now - atomic_load (&self->last_activity_us) >= self->options.idle_us)
        advance_idle (self);
      if (now - self->last_lag_us >= LAG_INTERVAL_US)
        _vigil_kafka_source_update_lag (self);
      if (atomic_load (&self->n_actions) > 0)
        _vigil_kafka_source_run_actions (self);
    }

  if (!_vigil_kafka_source_failed (self))
    {
      finish_streams (self);
      _vigil_kafka_source_checkpoint (self);
    }
  _vigil_kafka_source_close_actions (self);
  /* Leaves the group: the revocation writes nothing new and drops the state. */
  rd_kafka_consumer_close (self->rk);
  g_hash_table_remove_all (self->rigs);
  _vigil_kafka_source_set_state (self, VIGIL_KAFKA_SOURCE_STOPPED, NULL);
  atomic_store (&self->finished_us, g_get_monotonic_time ());

  return NULL;
}

/* Object --------------------------------------------------------------------------------------- */

static void
vigil_kafka_source_finalize (GObject *object)
{
  VigilKafkaSource *self = (VigilKafkaSource *) object;

  if (self->started && !self->joined)
    {
      vigil_kafka_source_stop (self);
      vigil_kafka_source_wait (self, NULL);
    }

  g_hash_table_destroy (self->rigs);
  g_hash_table_destroy (self->partitions);
  g_hash_table_destroy (self->sessions);
  _vigil_kafka_source_free_cameras (self);
  g_clear_pointer (&self->reseek, rd_kafka_topic_partition_list_destroy);
  g_clear_pointer (&self->rk, rd_kafka_destroy);
  g_clear_pointer (&self->parser, vigil_kafka_fast_parser_free);
  g_clear_pointer (&self->dead_letters, g_array_unref);
  g_clear_pointer (&self->lag, g_array_unref);
  g_clear_pointer (&self->rules, vigil_rule_set_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->live);
  vigil_kafka_connection_clear (&self->connection);
  g_free (self->group);
  g_strfreev (self->topics);
  g_strfreev (self->properties);
  g_free (self->live_rig);
  g_free (self->last_error);
  g_clear_error (&self->error);
  g_mutex_clear (&self->state_lock);
  g_mutex_clear (&self->actions_lock);

  G_OBJECT_CLASS (vigil_kafka_source_parent_class)->finalize (object);
}

static void
vigil_kafka_source_class_init (VigilKafkaSourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vigil_kafka_source_finalize;
}

static void
vigil_kafka_source_init (VigilKafkaSource *self)
{
  g_mutex_init (&self->state_lock);
  g_mutex_init (&self->actions_lock);
  self->partitions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) partition_free);
  self->rigs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                      (GDestroyNotify) _vigil_kafka_rig_free);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->dead_letters = g_array_new (FALSE, FALSE, sizeof (VigilStoreDeadLetter));
  g_array_set_clear_func (self->dead_letters, vigil_store_dead_letter_clear);
}

VigilKafkaSource *
vigil_kafka_source_new (const VigilKafkaConnection    *connection,
                        VigilStore                    *store,
                        VigilRuleSet                  *rules,
                        const VigilKafkaSourceOptions *options)
{
  VigilKafkaSource *self;
  VigilKafkaSourceOptions defaults;

  g_return_val_if_fail (connection != NULL, NULL);
  g_return_val_if_fail (VIGIL_IS_STORE (store), NULL);
  g_return_val_if_fail (rules != NULL, NULL);

  if (options == NULL)
    {
      vigil_kafka_source_options_init (&defaults);
      options = &defaults;
    }

  self = g_object_new (VIGIL_TYPE_KAFKA_SOURCE, NULL);
  vigil_kafka_connection_copy (connection, &self->connection);
  self->store = g_object_ref (store);
  self->rules = vigil_rule_set_ref (rules);
  self->options = *options;
  self->group = g_strdup (options->group != NULL ? options->group : DEFAULT_GROUP);
  self->topics = g_strdupv ((char **) (options->topics != NULL ? options->topics
                                                              : default_topics));
  self->properties = options->properties != NULL ? g_strdupv ((char **) options->properties)
                                                 : g_new0 (char *, 1);
  self->options.group = self->group;
  self->options.topics = (const char * const *) self->topics;
  self->options.properties = (const char * const *) self->properties;
  _vigil_stage_shared_init (&self->shared_live, self->rules, NULL, NULL);
  _vigil_stage_shared_init (&self->shared_quiet, self->rules, NULL, NULL);

  return self;
}

void
vigil_kafka_source_set_live (VigilKafkaSource *self,
                             VigilLive        *live)
{
  g_return_if_fail (VIGIL_IS_KAFKA_SOURCE (self));
  g_return_if_fail (!self->started);

  g_set_object (&self->live, live);
  self->shared_live.live = live;
}

static gboolean
set_conf (rd_kafka_conf_t  *conf,
          const char       *key,
          const char       *value,
          GError          **error)
{
  char errstr[512];

  if (rd_kafka_conf_set (conf, key, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
    {
      /* Never the value: it may be a password, and librdkafka's message can quote it. */
      if (strstr (key, "password") != NULL || strstr (key, "secret") != NULL ||
          strstr (key, ".pem") != NULL || g_str_has_suffix (key, ".key"))
        g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                     "Kafka setting %s: the value was refused", key);
      else
        g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                     "Kafka setting %s: %s", key, errstr);
      return FALSE;
    }

  return TRUE;
}

static rd_kafka_conf_t *
make_conf (VigilKafkaSource  *self,
           GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  rd_kafka_conf_t *conf = vigil_kafka_connection_new_conf (&self->connection, &local_error);

  if (conf == NULL)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID, "%s",
                   local_error->message);
      return NULL;
    }

  if (!set_conf (conf, "group.id", self->group, error) ||
      !set_conf (conf, "enable.auto.commit", "false", error) ||
      !set_conf (conf, "enable.auto.offset.store", "false", error) ||
      !set_conf (conf, "auto.offset.reset",
                 self->options.start == VIGIL_KAFKA_START_LATEST ? "latest" : "earliest", error))
    goto fail;

  for (guint i = 0; self->properties[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (self->properties[i], "=", 2);

      if (kv[0] == NULL || kv[1] == NULL || kv[0][0] == '\0')
        {
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                       "Kafka setting “%s”: expected KEY=VALUE", self->properties[i]);
          goto fail;
        }
      if (!set_conf (conf, g_strstrip (kv[0]), kv[1], error))
        goto fail;
    }

  rd_kafka_conf_set_opaque (conf, self);
  rd_kafka_conf_set_rebalance_cb (conf, _vigil_kafka_source_on_rebalance);
  rd_kafka_conf_set_error_cb (conf, on_error);
  rd_kafka_conf_set_log_cb (conf, on_log);

  return conf;

fail:
  rd_kafka_conf_destroy (conf);
  return NULL;
}

static gboolean
check_options (VigilKafkaSource  *self,
               GError           **error)
{
  if (self->group[0] == '\0')
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "The consumer group may not be empty");
      return FALSE;
    }
  if (self->topics[0] == NULL)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "No topic to consume");
      return FALSE;
    }
  for (guint i = 0; self->topics[i] != NULL; i++)
    if (self->topics[i][0] == '\0')
      {
        g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                     "Topic %u of the list is empty", i + 1);
        return FALSE;
      }
  if (self->options.idle_us <= 0 || self->options.checkpoint_us <= 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "The idle time and the checkpoint interval must be positive");
      return FALSE;
    }

  return TRUE;
}

gboolean
vigil_kafka_source_start (VigilKafkaSource  *self,
                          GError           **error)
{
  rd_kafka_topic_partition_list_t *subscription;
  g_autoptr(VigilWindowOp) check = NULL;
  rd_kafka_conf_t *conf;
  rd_kafka_resp_err_t err;
  char errstr[512];

  g_return_val_if_fail (VIGIL_IS_KAFKA_SOURCE (self), FALSE);
  g_return_val_if_fail (!self->started, FALSE);

  /* Bad window settings are refused before anything is registered. */
  check = vigil_window_op_new (self->options.window_us, self->options.slide_us,
                               self->options.lateness_us, 1, error);
  if (check == NULL || !check_options (self, error))
    return FALSE;

  if ((conf = make_conf (self, error)) == NULL)
    return FALSE;
  self->rk = rd_kafka_new (RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (self->rk == NULL)
    {
      rd_kafka_conf_destroy (conf);
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Could not make a Kafka consumer: %s", errstr);
      return FALSE;
    }
  rd_kafka_poll_set_consumer (self->rk);

  subscription = rd_kafka_topic_partition_list_new (g_strv_length (self->topics));
  for (guint i = 0; self->topics[i] != NULL; i++)
    rd_kafka_topic_partition_list_add (subscription, self->topics[i], RD_KAFKA_PARTITION_UA);
  err = rd_kafka_subscribe (self->rk, subscription);
  rd_kafka_topic_partition_list_destroy (subscription);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Could not subscribe to %s: %s", self->topics[0], rd_kafka_err2str (err));
      return FALSE;
    }

  self->parser = vigil_kafka_fast_parser_new ();
  self->use_stored = self->options.start == VIGIL_KAFKA_START_STORED;
  self->reset_pending = !self->use_stored;
  self->dirty = self->reset_pending;
  self->state = VIGIL_KAFKA_SOURCE_CONNECTING;
  if (self->live != NULL)
    vigil_live_reset (self->live, self->options.start_us, G_MAXINT64,
                      (1u << VIGIL_N_SENSORS) - 1, self->rules);
  self->started_us = g_get_monotonic_time ();
  self->last_checkpoint_us = self->started_us;
  self->started = TRUE;
  self->thread = g_thread_new ("vigil-kafka", consumer_main, self);

  return TRUE;
}

void
vigil_kafka_source_stop (VigilKafkaSource *self)
{
  g_return_if_fail (VIGIL_IS_KAFKA_SOURCE (self));

  atomic_store (&self->stop_requested, TRUE);
}

gboolean
vigil_kafka_source_wait (VigilKafkaSource  *self,
                         GError           **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (VIGIL_IS_KAFKA_SOURCE (self), FALSE);
  g_return_val_if_fail (self->started, FALSE);

  if (!self->joined)
    {
      g_clear_pointer (&self->thread, g_thread_join);
      self->joined = TRUE;
    }

  g_mutex_lock (&self->state_lock);
  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      ok = FALSE;
    }
  g_mutex_unlock (&self->state_lock);

  return ok;
}

void
vigil_kafka_source_get_stats (VigilKafkaSource      *self,
                              VigilKafkaSourceStats *stats)
{
  gint64 now, finished, last;

  g_return_if_fail (VIGIL_IS_KAFKA_SOURCE (self));
  g_return_if_fail (stats != NULL);

  *stats = (VigilKafkaSourceStats) { 0 };
  stats->messages = atomic_load (&self->messages);
  stats->samples = atomic_load (&self->samples);
  stats->labels = atomic_load (&self->labels);
  stats->late = atomic_load (&self->late);
  stats->dead_letters = atomic_load (&self->n_dead);
  stats->checkpoints = atomic_load (&self->checkpoints);
  stats->windows = atomic_load (&self->shared_live.windows) +
                   atomic_load (&self->shared_quiet.windows);
  stats->alarms_raised = atomic_load (&self->shared_live.alarms_raised) +
                         atomic_load (&self->shared_quiet.alarms_raised);
  stats->n_rigs = atomic_load (&self->n_rigs);
  stats->frames = atomic_load (&self->frames);
  stats->n_cameras = atomic_load (&self->n_cameras);
  stats->rig_health = 100;
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      stats->health[s] = atomic_load (&self->shared_live.health[s]);
      stats->rig_health = MIN (stats->rig_health, stats->health[s]);
    }

  g_mutex_lock (&self->state_lock);
  stats->state = self->state;
  stats->lag = -1;
  for (guint i = 0; self->lag != NULL && i < self->lag->len; i++)
    {
      const VigilKafkaPartitionLag *l = &g_array_index (self->lag, VigilKafkaPartitionLag, i);

      stats->n_partitions++;
      if (l->lag >= 0)
        stats->lag = MAX (stats->lag, 0) + l->lag;
    }
  g_mutex_unlock (&self->state_lock);

  now = g_get_monotonic_time ();
  finished = atomic_load (&self->finished_us);
  if (finished != 0)
    now = finished;
  stats->seconds = self->started ? (now - self->started_us) / 1e6 : 0;
  /* Waiting for the group to assign partitions is not idleness. */
  last = atomic_load (&self->last_activity_us);
  stats->idle_seconds = last != 0 ? (now - last) / 1e6 : 0;
}

VigilKafkaSourceState
vigil_kafka_source_get_state (VigilKafkaSource *self)
{
  VigilKafkaSourceState state;

  g_return_val_if_fail (VIGIL_IS_KAFKA_SOURCE (self), VIGIL_KAFKA_SOURCE_STOPPED);

  g_mutex_lock (&self->state_lock);
  state = self->state;
  g_mutex_unlock (&self->state_lock);

  return state;
}

char *
vigil_kafka_source_dup_last_error (VigilKafkaSource *self)
{
  char *text;

  g_return_val_if_fail (VIGIL_IS_KAFKA_SOURCE (self), NULL);

  g_mutex_lock (&self->state_lock);
  text = g_strdup (self->last_error);
  g_mutex_unlock (&self->state_lock);

  return text;
}

GArray *
vigil_kafka_source_dup_lag (VigilKafkaSource *self)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (VigilKafkaPartitionLag));

  g_return_val_if_fail (VIGIL_IS_KAFKA_SOURCE (self), out);

  g_array_set_clear_func (out, vigil_kafka_partition_lag_clear);
  g_mutex_lock (&self->state_lock);
  for (guint i = 0; self->lag != NULL && i < self->lag->len; i++)
    {
      VigilKafkaPartitionLag l = g_array_index (self->lag, VigilKafkaPartitionLag, i);

      l.topic = g_strdup (l.topic);
      g_array_append_val (out, l);
    }
  g_mutex_unlock (&self->state_lock);

  return out;
}
