/* vigil-kafka-dispatch.c
 *
 * What a consumed record becomes on the Kafka source's consumer thread: a sample goes through
 * its rig's sensor stream (windows, late records, alarms, the live bus and the health models'
 * cycles), a label joins its rig's batch, an unusable record becomes a dead letter and a
 * traffic frame goes to vigil-kafka-traffic.c. Rigs and their streams are made on their first
 * record, restored from the store's checkpoint when the source resumes, and each stream keeps
 * the partition marks that decide where its partitions resume.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-kafka"

#include "config.h"

#include <math.h>

#include "vigil-kafka-source-private.h"
#include "vigil-time.h"

/* Rigs and streams --------------------------------------------------------------------------- */

static void
stream_free (Stream *st)
{
  if (st == NULL)
    return;

  _vigil_sensor_stage_clear (&st->stage);
  g_clear_pointer (&st->marks, g_array_unref);
  g_free (st->values);
  g_free (st);
}

void
_vigil_kafka_rig_free (Rig *rig)
{
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    stream_free (rig->streams[s]);
  g_clear_pointer (&rig->predictor, vigil_predictor_free);
  g_clear_pointer (&rig->batch, vigil_store_batch_free);
  g_free (rig->name);
  g_free (rig);
}

/* The predictor's output, on the consumer thread (it calls add_cycle). */
static void
emit_predictions (GArray   *predictions,
                  GArray   *transitions,
                  gpointer  user_data)
{
  Rig *rig = user_data;
  guint raised = 0;
  guint first = rig->batch->transitions->len;

  g_array_append_vals (rig->batch->predictions, predictions->data, predictions->len);
  for (guint i = 0; i < predictions->len; i++)
    rig->predicted_next = MAX (rig->predicted_next,
                               (gint64) g_array_index (predictions, VigilPrediction, i).cycle + 1);
  for (guint i = 0; i < transitions->len; i++)
    {
      VigilAlarmTransition t = g_array_index (transitions, VigilAlarmTransition, i);

      t.comment = g_strdup (t.comment);
      g_array_append_val (rig->batch->transitions, t);
      raised += t.to == VIGIL_ALARM_ACTIVE_UNACKED && t.from != VIGIL_ALARM_ACTIVE_UNACKED;
    }
  atomic_fetch_add (&rig->shared->alarms_raised, raised);

  if (rig->shared->live != NULL)
    {
      vigil_live_add_predictions (rig->shared->live,
                                  (VigilPrediction *) (gpointer) predictions->data,
                                  predictions->len);
      _vigil_publish_transitions (rig->shared->live, rig->batch, first);
    }
}

static gint64
ensure_session (VigilKafkaSource  *self,
                const char        *name,
                GError           **error)
{
  g_autofree char *rules_json = NULL;
  g_autofree char *source = NULL;
  VigilSessionInfo info;
  gint64 *cached = g_hash_table_lookup (self->sessions, name);
  gint64 id;

  if (cached != NULL)
    return *cached;

  rules_json = vigil_rule_set_to_json (self->rules);
  source = name[0] != '\0' ? g_strdup_printf ("kafka:%s/%s", self->group, name)
                           : g_strdup_printf ("kafka:%s", self->group);
  info = (VigilSessionInfo) {
    .kind = "hydraulic",
    .source = source,
    .start_us = self->options.start_us,
    .window_us = self->options.window_us,
    .slide_us = self->options.slide_us,
    .lateness_us = self->options.lateness_us,
    .rules_json = rules_json,
  };
  id = vigil_store_ensure_session (self->store, &info, error);
  if (id > 0)
    g_hash_table_insert (self->sessions, g_strdup (name), g_memdup2 (&id, sizeof id));

  return id;
}

static Rig *
get_rig (VigilKafkaSource  *self,
         const char        *name,
         GError           **error)
{
  Rig *rig = g_hash_table_lookup (self->rigs, name);
  gint64 session_id;

  if (rig != NULL)
    return rig;

  session_id = ensure_session (self, name, error);
  if (session_id <= 0)
    return NULL;

  rig = g_new0 (Rig, 1);
  rig->source = self;
  rig->name = g_strdup (name);
  rig->session_id = session_id;
  rig->batch = vigil_store_batch_new (session_id);
  if (self->live_rig == NULL)
    self->live_rig = g_strdup (name);
  rig->shared = g_str_equal (self->live_rig, name) ? &self->shared_live : &self->shared_quiet;

  /* Models predict once every sensor of the rig finished a cycle: a rig publishes all 17. */
  rig->predictor = vigil_predictor_new ((1u << VIGIL_N_SENSORS) - 1, self->rules,
                                        emit_predictions, rig);
  if (!vigil_predictor_add_champions (rig->predictor, self->store, NULL, error))
    {
      _vigil_kafka_rig_free (rig);
      return NULL;
    }
  if (vigil_predictor_get_n_models (rig->predictor) == 0)
    g_clear_pointer (&rig->predictor, vigil_predictor_free);

  g_hash_table_insert (self->rigs, rig->name, rig);
  atomic_store (&self->n_rigs, g_hash_table_size (self->rigs));

  return rig;
}

/* Start of the oldest window still open under @watermark_us. */
gint64
_vigil_kafka_source_oldest_open_start (VigilKafkaSource *self,
                                       gint64            watermark_us)
{
  return vigil_floor_div (watermark_us - self->options.window_us, self->options.slide_us)
         * self->options.slide_us + self->options.slide_us;
}

gint64
_vigil_kafka_stream_get_watermark (Stream *st)
{
  return MAX (vigil_window_op_get_watermark (st->stage.op, st->stage.sensor), st->restored_wm);
}

/* The alarm states are what the stored windows made them. */
static gboolean
restore_alarms (VigilKafkaSource  *self,
                Rig               *rig,
                Stream            *st,
                GError           **error)
{
  g_autoptr(GArray) windows = NULL;
  g_autoptr(GArray) scratch = g_array_new (FALSE, FALSE, sizeof (VigilAlarmTransition));
  VigilStoreFilter filter;

  g_array_set_clear_func (scratch, vigil_alarm_transition_clear);
  vigil_store_filter_init (&filter);
  filter.session_id = rig->session_id;
  filter.sensors = 1u << st->stage.sensor;
  windows = vigil_store_read_windows (self->store, &filter, error);
  if (windows == NULL)
    return FALSE;

  for (guint i = 0; i < windows->len; i++)
    {
      vigil_alarm_machine_process (st->stage.alarms,
                                   &g_array_index (windows, VigilWindowStats, i), scratch);
      g_array_set_size (scratch, 0);
    }
  atomic_store (&rig->shared->health[st->stage.sensor],
                vigil_alarm_machine_get_health (st->stage.alarms, st->stage.sensor));

  return TRUE;
}

static Stream *
get_stream (VigilKafkaSource  *self,
            Rig               *rig,
            VigilSensor        sensor,
            GError           **error)
{
  Stream *st = rig->streams[sensor];
  VigilStoreKafkaStream row;
  g_autoptr(GError) local_error = NULL;

  if (st != NULL)
    return st;

  st = g_new0 (Stream, 1);
  st->restored_wm = G_MININT64;
  st->max_event_us = G_MININT64;
  st->idle_wm = G_MININT64;
  st->cycle = -1;
  st->marks = g_array_new (FALSE, FALSE, sizeof (Mark));
  st->dt_us = VIGIL_USEC_PER_SEC / vigil_sensor_get_info (sensor)->rate_hz;
  st->n_values = vigil_sensor_samples_per_cycle (sensor);
  if (!_vigil_sensor_stage_init (&st->stage, sensor, self->rules, self->options.window_us,
                                 self->options.slide_us, self->options.lateness_us, error))
    {
      stream_free (st);
      return NULL;
    }
  if (rig->predictor != NULL)
    st->values = g_new (double, st->n_values);

  if (self->use_stored &&
      vigil_store_read_kafka_stream (self->store, self->group, rig->session_id, sensor, &row,
                                     &local_error))
    {
      if (!restore_alarms (self, rig, st, error))
        {
          stream_free (st);
          return NULL;
        }
      st->next_late_seq = row.next_late_seq;
      if (row.watermark_us >= FINISHED_WATERMARK)
        st->drop_first = TRUE;
      else if (row.watermark_us != G_MININT64)
        {
          st->restored_wm = row.watermark_us;
          st->stage.drop_before_us = _vigil_kafka_source_oldest_open_start (self, row.watermark_us);
        }
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      stream_free (st);
      return NULL;
    }

  rig->streams[sensor] = st;
  return st;
}

void
_vigil_kafka_source_flush_live_run (Rig    *rig,
                                    Stream *st)
{
  if (st->run_n > 0 && rig->shared->live != NULL)
    vigil_live_add_samples_run (rig->shared->live, st->stage.sensor, st->run_t0, st->dt_us,
                                st->run, st->run_n);
  st->run_n = 0;
}

static void
publish_sample (Rig    *rig,
                Stream *st,
                gint64  time_us,
                double  value)
{
  if (rig->shared->live == NULL)
    return;

  if (st->run_n == LIVE_RUN || (st->run_n > 0 && time_us != st->run_t0 + st->run_n * st->dt_us))
    _vigil_kafka_source_flush_live_run (rig, st);
  if (st->run_n == 0)
    st->run_t0 = time_us;
  st->run[st->run_n++] = value;
}

static void
add_mark (Stream    *st,
          Partition *p,
          gint64     offset,
          gint64     bucket)
{
  Mark *last = st->marks->len > 0 ? &g_array_index (st->marks, Mark, st->marks->len - 1) : NULL;
  Mark mark = { bucket, p, offset };

  if (last != NULL && last->bucket == bucket && last->partition == p)
    return;
  g_array_append_val (st->marks, mark);
}

/* Late records get their numbers from the stream, so that numbers stay unique across
 * restarts; those of records an earlier run processed are stored already. */
static void
number_late (VigilKafkaSource *self,
             Stream           *st,
             VigilStoreBatch  *batch,
             guint             first,
             gboolean          replayed)
{
  if (replayed)
    {
      g_array_set_size (batch->late, first);
      return;
    }

  for (guint i = first; i < batch->late->len; i++)
    g_array_index (batch->late, VigilLateRecord, i).seq = st->next_late_seq++;
  atomic_fetch_add (&self->late, batch->late->len - first);
}

static void
gather_cycle (Rig                    *rig,
              Stream                 *st,
              const VigilKafkaSample *s)
{
  if ((gint64) s->cycle != st->cycle)
    {
      st->cycle = s->cycle;
      st->n_filled = 0;
      st->cycle_start_us = s->time_us - (gint64) s->sample_idx * st->dt_us;
      for (guint i = 0; i < st->n_values; i++)
        st->values[i] = NAN;
    }
  if (s->sample_idx >= st->n_values || !isnan (st->values[s->sample_idx]))
    return;

  st->values[s->sample_idx] = s->value;
  if (++st->n_filled == st->n_values)
    vigil_predictor_add_cycle (rig->predictor, s->cycle,
                               st->cycle_start_us + VIGIL_CYCLE_SECONDS * VIGIL_USEC_PER_SEC,
                               st->stage.sensor, st->values, st->n_values);
}

static gboolean
handle_sample (VigilKafkaSource        *self,
               Partition               *p,
               gint64                   offset,
               const VigilKafkaSample  *s,
               GError                 **error)
{
  gboolean replayed = offset < p->replay_until;
  VigilStoreBatch *batch;
  Stream *st;
  Rig *rig;
  guint first_window, first_late, first_transition;

  if ((rig = get_rig (self, s->rig, error)) == NULL ||
      (st = get_stream (self, rig, s->sensor, error)) == NULL)
    return FALSE;
  batch = rig->batch;

  if (!st->seen)
    {
      /* Joining a partition part way (latest, committed offsets, a new stream), windows
       * reaching back before the first sample would be partial. */
      if (st->drop_first || (!p->stored && offset > 0 && (s->cycle != 0 || s->sample_idx != 0)))
        st->stage.drop_before_us = s->time_us;
      st->seen = TRUE;
    }
  add_mark (st, p, offset, vigil_floor_div (s->time_us, self->options.slide_us));

  first_window = batch->windows->len;
  first_late = batch->late->len;
  first_transition = batch->transitions->len;
  if (st->restored_wm != G_MININT64 &&
      vigil_floor_div (s->time_us, self->options.slide_us) * self->options.slide_us
      + self->options.window_us <= _vigil_kafka_stream_get_watermark (st))
    {
      /* Late under the stored watermark, as it was the first time. */
      VigilLateRecord r = {
        .key = s->sensor,
        .event_us = s->time_us,
        .watermark_us = _vigil_kafka_stream_get_watermark (st),
        .value = s->value,
      };

      g_array_append_val (batch->late, r);
    }
  else
    vigil_window_op_push (st->stage.op, s->sensor, s->time_us, s->value, batch->windows,
                          batch->late);
  number_late (self, st, batch, first_late, replayed);

  if (batch->windows->len > first_window || batch->late->len > first_late)
    {
      _vigil_sensor_stage_process (rig->shared, &st->stage, batch, first_window, first_late);
      _vigil_publish_transitions (rig->shared->live, batch, first_transition);
    }
  if (st->restored_wm != G_MININT64 &&
      vigil_window_op_get_watermark (st->stage.op, s->sensor) >= st->restored_wm)
    st->restored_wm = G_MININT64;

  st->max_event_us = MAX (st->max_event_us, s->time_us);
  publish_sample (rig, st, s->time_us, s->value);
  if (rig->predictor != NULL)
    gather_cycle (rig, st, s);
  if (!replayed)
    atomic_fetch_add (&self->samples, 1);

  return TRUE;
}

static gboolean
handle_dead_letter (VigilKafkaSource         *self,
                    const rd_kafka_message_t *rkm,
                    const char               *topic,
                    const char               *reason,
                    gboolean                  replayed,
                    GError                  **error)
{
  VigilKafkaTopic info;
  VigilStoreDeadLetter d;
  gint64 session_id;

  vigil_kafka_topic_parse (topic, &info);
  session_id = ensure_session (self, info.rig, error);
  if (session_id <= 0)
    return FALSE;

  d = (VigilStoreDeadLetter) {
    .session_id = session_id,
    .topic = g_strdup (topic),
    .partition = rkm->partition,
    .offset = rkm->offset,
    .received_us = g_get_real_time (),
    .excerpt = vigil_kafka_excerpt (rkm->payload, rkm->len),
    .reason = g_strdup (reason),
  };
  g_array_append_val (self->dead_letters, d);

  if (!replayed)
    {
      atomic_fetch_add (&self->n_dead, 1);
      if (self->live != NULL)
        vigil_live_add_dead_letters (self->live, 1);
    }

  return TRUE;
}

/* Records ------------------------------------------------------------------------------------- */

gboolean
_vigil_kafka_source_handle_message (VigilKafkaSource    *self,
                                    rd_kafka_message_t  *rkm,
                                    GError             **error)
{
  const char *topic = rd_kafka_topic_name (rkm->rkt);
  VigilKafkaMessage msg;
  Partition *p;
  gboolean replayed;
  gboolean ok = TRUE;

  if (rkm->err != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      g_autofree char *text = NULL;

      if (rkm->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
        return TRUE;
      text = g_strdup_printf ("%s [%d]: %s", topic != NULL ? topic : "(no topic)",
                              rkm->partition, rd_kafka_message_errstr (rkm));
      _vigil_kafka_source_set_state (self, VIGIL_KAFKA_SOURCE_RETRYING, text);
      return TRUE;
    }

  _vigil_kafka_source_set_state (self, VIGIL_KAFKA_SOURCE_CONNECTED, NULL);
  p = _vigil_kafka_source_get_partition (self, topic, rkm->partition);
  /* Fetched before its partition was taken away. */
  if (!p->assigned)
    return TRUE;
  replayed = rkm->offset < p->replay_until;

  switch (vigil_kafka_fast_parser_parse (self->parser, topic, rkm->partition, rkm->offset,
                                         rkm->payload, rkm->len, &msg))
    {
    case VIGIL_KAFKA_SAMPLE:
      ok = handle_sample (self, p, rkm->offset, &msg.sample, error);
      break;

    case VIGIL_KAFKA_LABEL:
      {
        Rig *rig = get_rig (self, msg.label.rig, error);

        ok = rig != NULL;
        if (ok)
          g_array_append_val (rig->batch->labels, msg.label.label);
        if (ok && !replayed)
          atomic_fetch_add (&self->labels, 1);
      }
      break;

    case VIGIL_KAFKA_INVALID:
      ok = handle_dead_letter (self, rkm, topic, msg.reason, replayed, error);
      break;

    case VIGIL_KAFKA_TRAFFIC:
      ok = _vigil_kafka_source_handle_traffic (self, rkm, &msg.traffic, replayed, error);
      break;

    case VIGIL_KAFKA_ANALYTICS:
    default:
      /* Window results: Vigil's own output, which "^hydraulic-.*" matches. */
      break;
    }

  p->next_offset = MAX (p->next_offset, rkm->offset + 1);
  self->dirty = TRUE;
  self->since_checkpoint++;
  self->idle_done = FALSE;
  atomic_store (&self->last_activity_us, g_get_monotonic_time ());
  atomic_fetch_add (&self->messages, 1);

  return ok;
}
