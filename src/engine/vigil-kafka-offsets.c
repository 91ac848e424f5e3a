/* vigil-kafka-offsets.c
 *
 * Exactly once for Kafka: where each partition resumes. The consumer's side computes a
 * checkpoint (per partition the earliest record open state needs and the offset past the last
 * record processed; per sensor stream its watermark), hands it to the store with the results
 * it accounts for, and positions partitions from it on every assignment, eager or
 * cooperative. The store's side writes dead letters and the checkpoint in the writer's
 * transaction and reads them back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-kafka"

#include "config.h"

#include "vigil-error.h"
#include "vigil-kafka-source-private.h"
#include "vigil-sensor.h"
#include "vigil-store-private.h"
#include "vigil-time.h"

/* Writer thread ------------------------------------------------------------------------------ */

static gboolean
write_dead_letters (VigilStore       *self,
                    VigilStoreBatch  *batch,
                    GError          **error)
{
  sqlite3_stmt *stmt = self->stmts[VIGIL_STORE_STMT_DEAD_LETTER];

  for (guint i = 0; batch->dead_letters != NULL && i < batch->dead_letters->len; i++)
    {
      const VigilStoreDeadLetter *d = &g_array_index (batch->dead_letters,
                                                      VigilStoreDeadLetter, i);

      sqlite3_bind_int64 (stmt, 1, d->session_id);
      sqlite3_bind_text (stmt, 2, d->topic, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 3, d->partition);
      sqlite3_bind_int64 (stmt, 4, d->offset);
      sqlite3_bind_int64 (stmt, 5, d->received_us);
      sqlite3_bind_text (stmt, 6, d->excerpt, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 7, d->reason, -1, SQLITE_STATIC);
      if (!_vigil_store_step (self, stmt, "write dead letters", error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
reset_group (VigilStore  *self,
             const char  *group,
             GError     **error)
{
  VigilStoreStmt which[] = { VIGIL_STORE_STMT_KAFKA_RESET_OFFSETS,
                             VIGIL_STORE_STMT_KAFKA_RESET_STREAMS };

  for (guint i = 0; i < G_N_ELEMENTS (which); i++)
    {
      sqlite3_stmt *stmt = self->stmts[which[i]];

      sqlite3_bind_text (stmt, 1, group, -1, SQLITE_STATIC);
      if (!_vigil_store_step (self, stmt, "forget a consumer group's offsets", error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_checkpoint (VigilStore       *self,
                  VigilStoreBatch  *batch,
                  GError          **error)
{
  sqlite3_stmt *offset = self->stmts[VIGIL_STORE_STMT_KAFKA_OFFSET];
  sqlite3_stmt *stream = self->stmts[VIGIL_STORE_STMT_KAFKA_STREAM];
  gint64 now = g_get_real_time ();

  if (batch->kafka_reset && !reset_group (self, batch->kafka_group, error))
    return FALSE;

  for (guint i = 0; i < batch->kafka_offsets->len; i++)
    {
      const VigilStoreKafkaOffset *o = &g_array_index (batch->kafka_offsets,
                                                       VigilStoreKafkaOffset, i);

      sqlite3_bind_text (offset, 1, batch->kafka_group, -1, SQLITE_STATIC);
      sqlite3_bind_text (offset, 2, o->topic, -1, SQLITE_STATIC);
      sqlite3_bind_int (offset, 3, o->partition);
      sqlite3_bind_int64 (offset, 4, o->resume_offset);
      sqlite3_bind_int64 (offset, 5, o->next_offset);
      sqlite3_bind_int64 (offset, 6, now);
      if (!_vigil_store_step (self, offset, "write Kafka offsets", error))
        return FALSE;
    }

  for (guint i = 0; i < batch->kafka_streams->len; i++)
    {
      const VigilStoreKafkaStream *s = &g_array_index (batch->kafka_streams,
                                                       VigilStoreKafkaStream, i);

      if (s->sensor >= VIGIL_N_SENSORS)
        {
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                       "Could not write to %s: key %u is not a hydraulic sensor", self->path,
                       s->sensor);
          return FALSE;
        }
      sqlite3_bind_text (stream, 1, batch->kafka_group, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stream, 2, s->session_id);
      sqlite3_bind_text (stream, 3, vigil_sensor_get_info (s->sensor)->name, -1, SQLITE_STATIC);
      if (s->watermark_us != G_MININT64)
        sqlite3_bind_int64 (stream, 4, s->watermark_us);
      else
        sqlite3_bind_null (stream, 4);
      sqlite3_bind_int64 (stream, 5, (sqlite3_int64) s->next_late_seq);
      if (!_vigil_store_step (self, stream, "write Kafka stream state", error))
        return FALSE;
    }

  return TRUE;
}

gboolean
_vigil_store_write_kafka (VigilStore       *self,
                          VigilStoreBatch  *batch,
                          GError          **error)
{
  if (!write_dead_letters (self, batch, error))
    return FALSE;

  if (batch->kafka_group == NULL)
    return TRUE;

  return write_checkpoint (self, batch, error);
}

/* Readers ------------------------------------------------------------------------------------ */

/* Prepares @sql on the read connection, with read_lock held by the caller. */
static sqlite3_stmt *
prepare_read (VigilStore  *self,
              const char  *sql,
              const char  *what,
              GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (self->read_db == NULL)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_FAILED,
                   "The store %s is closed", self->path);
      return NULL;
    }

  rc = sqlite3_prepare_v2 (self->read_db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _vigil_store_set_error (error, self->read_db, rc, self->path, what);
      return NULL;
    }

  return stmt;
}

GArray *
vigil_store_read_kafka_offsets (VigilStore  *self,
                                const char  *group,
                                GError     **error)
{
  g_autoptr(GArray) out = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (VIGIL_IS_STORE (self), NULL);
  g_return_val_if_fail (group != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  out = g_array_new (FALSE, FALSE, sizeof (VigilStoreKafkaOffset));
  g_array_set_clear_func (out, vigil_store_kafka_offset_clear);

  g_mutex_lock (&self->read_lock);
  stmt = prepare_read (self, "SELECT topic, \"partition\", resume_offset, next_offset"
                             " FROM kafka_offsets WHERE group_id = ?1"
                             " ORDER BY topic, \"partition\"", "read Kafka offsets", error);
  if (stmt == NULL)
    {
      g_mutex_unlock (&self->read_lock);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, group, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      VigilStoreKafkaOffset o = {
        .topic = g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
        .partition = sqlite3_column_int (stmt, 1),
        .resume_offset = sqlite3_column_int64 (stmt, 2),
        .next_offset = sqlite3_column_int64 (stmt, 3),
      };

      g_array_append_val (out, o);
    }
  if (rc != SQLITE_DONE)
    _vigil_store_set_error (error, self->read_db, rc, self->path, "read Kafka offsets");
  sqlite3_finalize (stmt);
  g_mutex_unlock (&self->read_lock);

  return rc == SQLITE_DONE ? g_steal_pointer (&out) : NULL;
}

gboolean
vigil_store_read_kafka_stream (VigilStore             *self,
                               const char             *group,
                               gint64                  session_id,
                               guint                   sensor,
                               VigilStoreKafkaStream  *out,
                               GError                **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (VIGIL_IS_STORE (self), FALSE);
  g_return_val_if_fail (group != NULL, FALSE);
  g_return_val_if_fail (sensor < VIGIL_N_SENSORS, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->read_lock);
  stmt = prepare_read (self, "SELECT watermark_us, next_late_seq FROM kafka_streams"
                             " WHERE group_id = ?1 AND session_id = ?2 AND sensor = ?3",
                       "read Kafka stream state", error);
  if (stmt == NULL)
    {
      g_mutex_unlock (&self->read_lock);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, group, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, session_id);
  sqlite3_bind_text (stmt, 3, vigil_sensor_get_info (sensor)->name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out = (VigilStoreKafkaStream) {
      .session_id = session_id,
      .sensor = sensor,
      .watermark_us = sqlite3_column_type (stmt, 0) == SQLITE_NULL
                      ? G_MININT64 : sqlite3_column_int64 (stmt, 0),
      .next_late_seq = (guint64) sqlite3_column_int64 (stmt, 1),
    };
  else if (rc != SQLITE_DONE)
    _vigil_store_set_error (error, self->read_db, rc, self->path, "read Kafka stream state");
  sqlite3_finalize (stmt);
  g_mutex_unlock (&self->read_lock);

  return rc == SQLITE_ROW;
}

gint64
vigil_store_count_dead_letters (VigilStore  *self,
                                gint64       session_id,
                                GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 n = -1;
  int rc;

  g_return_val_if_fail (VIGIL_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  g_mutex_lock (&self->read_lock);
  stmt = prepare_read (self, "SELECT count(*) FROM dead_letters"
                             " WHERE ?1 = 0 OR session_id = ?1", "count dead letters", error);
  if (stmt == NULL)
    {
      g_mutex_unlock (&self->read_lock);
      return -1;
    }
  sqlite3_bind_int64 (stmt, 1, session_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  else
    _vigil_store_set_error (error, self->read_db, rc, self->path, "count dead letters");
  sqlite3_finalize (stmt);
  g_mutex_unlock (&self->read_lock);

  return n;
}

/* The consumer's side ------------------------------------------------------------------------ */

/* Where @st's state begins: open windows, and cycles the predictor still waits for. */
static gint64
stream_keep_from (VigilKafkaSource *self,
                  Rig              *rig,
                  Stream           *st)
{
  gint64 wm = _vigil_kafka_stream_get_watermark (st);
  gint64 keep = wm == G_MININT64 ? G_MININT64 : _vigil_kafka_source_oldest_open_start (self, wm);

  if (rig->predictor != NULL && st->cycle >= 0 && st->cycle >= rig->predicted_next)
    {
      gint64 held = MIN (st->cycle - rig->predicted_next, MAX_HELD_CYCLES);

      keep = MIN (keep, st->cycle_start_us - held * VIGIL_CYCLE_SECONDS * VIGIL_USEC_PER_SEC);
    }

  return keep;
}

static void
add_stream_checkpoint (VigilKafkaSource *self,
                       Rig              *rig,
                       Stream           *st,
                       VigilStoreBatch  *main)
{
  gint64 keep = stream_keep_from (self, rig, st);
  gint64 keep_bucket = keep == G_MININT64 ? G_MININT64
                                           : vigil_floor_div (keep, self->options.slide_us);
  guint kept = 0;
  VigilStoreKafkaStream row = {
    .session_id = rig->session_id,
    .sensor = st->stage.sensor,
    .watermark_us = _vigil_kafka_stream_get_watermark (st),
    .next_late_seq = st->next_late_seq,
  };

  for (guint i = 0; i < st->marks->len; i++)
    {
      Mark *m = &g_array_index (st->marks, Mark, i);

      if (m->bucket < keep_bucket)
        continue;
      m->partition->resume = MIN (m->partition->resume, m->offset);
      g_array_index (st->marks, Mark, kept++) = *m;
    }
  g_array_set_size (st->marks, kept);

  g_array_append_val (main->kafka_streams, row);
}

static void
commit_to_kafka (VigilKafkaSource *self)
{
  rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new (8);
  GHashTableIter iter;
  Partition *p;

  g_hash_table_iter_init (&iter, self->partitions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &p))
    if (p->assigned && p->next_offset >= 0)
      rd_kafka_topic_partition_list_add (list, p->topic, p->partition)->offset = p->next_offset;

  /* Lag tools only: resuming uses the store's offsets. */
  if (list->cnt > 0 && !rd_kafka_assignment_lost (self->rk))
    rd_kafka_commit (self->rk, list, 1);
  rd_kafka_topic_partition_list_destroy (list);
}

/* Writes everything since the last checkpoint, with the offsets, in one transaction. */
gboolean
_vigil_kafka_source_checkpoint (VigilKafkaSource *self)
{
  g_autoptr(VigilStoreBatch) main = NULL;
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  Partition *p;
  Rig *rig;

  self->last_checkpoint_us = g_get_monotonic_time ();
  self->since_checkpoint = 0;
  if (!self->dirty || _vigil_kafka_source_failed (self))
    return !_vigil_kafka_source_failed (self);

  main = vigil_store_batch_new (0);
  main->kafka_group = g_strdup (self->group);
  main->kafka_reset = self->reset_pending;

  g_hash_table_iter_init (&iter, self->partitions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &p))
    p->resume = p->next_offset >= 0 ? MAX (p->next_offset, p->replay_until) : G_MAXINT64;

  g_hash_table_iter_init (&iter, self->rigs);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &rig))
    {
      gint64 position = G_MAXINT64;

      for (guint s = 0; s < VIGIL_N_SENSORS; s++)
        if (rig->streams[s] != NULL)
          {
            _vigil_kafka_source_flush_live_run (rig, rig->streams[s]);
            add_stream_checkpoint (self, rig, rig->streams[s], main);
            if (rig->streams[s]->seen)
              position = MIN (position, rig->streams[s]->max_event_us);
          }
      /* Where every sensor of the rig on the bus has got to. */
      if (rig->shared->live != NULL && position != G_MAXINT64)
        vigil_live_set_position (rig->shared->live, position);
      _vigil_kafka_source_publish_rig (self, rig);
      if (!vigil_store_batch_is_empty (rig->batch))
        {
          vigil_store_batch_attach (main, g_steal_pointer (&rig->batch));
          rig->batch = vigil_store_batch_new (rig->session_id);
        }
    }

  _vigil_kafka_source_checkpoint_cameras (self, main);

  g_array_append_vals (main->dead_letters, self->dead_letters->data, self->dead_letters->len);
  /* The strings moved with the structs. */
  g_array_set_clear_func (self->dead_letters, NULL);
  g_array_set_size (self->dead_letters, 0);
  g_array_set_clear_func (self->dead_letters, vigil_store_dead_letter_clear);

  g_hash_table_iter_init (&iter, self->partitions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &p))
    {
      VigilStoreKafkaOffset o;

      if (p->next_offset < 0)
        continue;
      o = (VigilStoreKafkaOffset) {
        .topic = g_strdup (p->topic),
        .partition = p->partition,
        .resume_offset = MIN (p->resume, MAX (p->next_offset, p->replay_until)),
        .next_offset = MAX (p->next_offset, p->replay_until),
      };
      g_array_append_val (main->kafka_offsets, o);
    }

  vigil_store_submit (self->store, g_steal_pointer (&main));
  if (!vigil_store_flush (self->store, &error))
    {
      _vigil_kafka_source_fail (self, g_steal_pointer (&error));
      return FALSE;
    }

  self->reset_pending = FALSE;
  self->use_stored = TRUE;
  self->dirty = FALSE;
  atomic_fetch_add (&self->checkpoints, 1);
  commit_to_kafka (self);

  return TRUE;
}

/* Flushes and drops every stream: a checkpoint is written first. */
static void
drop_state (VigilKafkaSource *self)
{
  _vigil_kafka_source_checkpoint (self);
  g_hash_table_remove_all (self->rigs);
  _vigil_kafka_source_drop_cameras (self);
}

/* Rebalancing -------------------------------------------------------------------------------- */

static void
on_assign (VigilKafkaSource                *self,
           rd_kafka_topic_partition_list_t *parts)
{
  g_autoptr(GArray) stored = NULL;
  g_autoptr(GError) error = NULL;

  if (self->use_stored)
    {
      stored = vigil_store_read_kafka_offsets (self->store, self->group, &error);
      if (stored == NULL)
        {
          _vigil_kafka_source_fail (self, g_steal_pointer (&error));
          return;
        }
    }

  for (int i = 0; i < parts->cnt; i++)
    {
      rd_kafka_topic_partition_t *tp = &parts->elems[i];
      Partition *p = _vigil_kafka_source_get_partition (self, tp->topic, tp->partition);

      p->assigned = TRUE;
      p->stored = FALSE;
      p->next_offset = -1;
      p->replay_until = -1;
      tp->offset = self->options.start == VIGIL_KAFKA_START_EARLIEST ? RD_KAFKA_OFFSET_BEGINNING
                   : self->options.start == VIGIL_KAFKA_START_LATEST ? RD_KAFKA_OFFSET_END
                   : RD_KAFKA_OFFSET_INVALID;

      for (guint j = 0; stored != NULL && j < stored->len; j++)
        {
          const VigilStoreKafkaOffset *o = &g_array_index (stored, VigilStoreKafkaOffset, j);

          if (o->partition == tp->partition && g_str_equal (o->topic, tp->topic))
            {
              tp->offset = o->resume_offset;
              p->replay_until = o->next_offset;
              p->stored = TRUE;
            }
        }
      g_debug ("assigned %s [%d] at %" G_GINT64_FORMAT " (processed up to %" G_GINT64_FORMAT
               ")", tp->topic, tp->partition, tp->offset, p->replay_until);
    }

  atomic_store (&self->last_activity_us, g_get_monotonic_time ());
  _vigil_kafka_source_set_state (self, VIGIL_KAFKA_SOURCE_CONNECTED, NULL);
}

/* State built from partitions that go must be rebuilt by whoever gets them; the rest is
 * dropped too and rebuilt here from the checkpoint just written. */
static void
on_revoke (VigilKafkaSource                *self,
           rd_kafka_topic_partition_list_t *parts,
           gboolean                         cooperative)
{
  GHashTableIter iter;
  Partition *p;

  drop_state (self);

  for (int i = 0; i < parts->cnt; i++)
    {
      g_autofree char *key = _vigil_kafka_partition_key (parts->elems[i].topic, parts->elems[i].partition);

      g_hash_table_remove (self->partitions, key);
    }

  if (!cooperative)
    {
      g_hash_table_remove_all (self->partitions);
      return;
    }

  g_clear_pointer (&self->reseek, rd_kafka_topic_partition_list_destroy);
  self->reseek = rd_kafka_topic_partition_list_new (8);
  g_hash_table_iter_init (&iter, self->partitions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &p))
    {
      if (!p->assigned || p->next_offset < 0)
        continue;
      rd_kafka_topic_partition_list_add (self->reseek, p->topic, p->partition)->offset =
        MIN (p->resume, MAX (p->next_offset, p->replay_until));
      p->replay_until = MAX (p->next_offset, p->replay_until);
      p->stored = TRUE;
      p->next_offset = -1;
    }
}

void
_vigil_kafka_source_on_rebalance (rd_kafka_t                      *rk,
              rd_kafka_resp_err_t              err,
              rd_kafka_topic_partition_list_t *parts,
              void                            *opaque)
{
  VigilKafkaSource *self = opaque;
  gboolean cooperative = g_strcmp0 (rd_kafka_rebalance_protocol (rk), "COOPERATIVE") == 0;
  rd_kafka_error_t *kerror = NULL;
  rd_kafka_resp_err_t rerr = RD_KAFKA_RESP_ERR_NO_ERROR;

  switch (err)
    {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
      on_assign (self, parts);
      if (cooperative)
        kerror = rd_kafka_incremental_assign (rk, parts);
      else
        rerr = rd_kafka_assign (rk, parts);
      break;

    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
      on_revoke (self, parts, cooperative);
      if (cooperative)
        kerror = rd_kafka_incremental_unassign (rk, parts);
      else
        rerr = rd_kafka_assign (rk, NULL);
      break;

    default:
      _vigil_kafka_source_set_state (self, VIGIL_KAFKA_SOURCE_RETRYING, rd_kafka_err2str (err));
      drop_state (self);
      g_hash_table_remove_all (self->partitions);
      rerr = rd_kafka_assign (rk, NULL);
      break;
    }

  if (kerror != NULL)
    {
      _vigil_kafka_source_set_state (self, VIGIL_KAFKA_SOURCE_RETRYING, rd_kafka_error_string (kerror));
      rd_kafka_error_destroy (kerror);
    }
  else if (rerr != RD_KAFKA_RESP_ERR_NO_ERROR)
    _vigil_kafka_source_set_state (self, VIGIL_KAFKA_SOURCE_RETRYING, rd_kafka_err2str (rerr));
}

void
_vigil_kafka_source_update_lag (VigilKafkaSource *self)
{
  g_autoptr(GArray) lag = g_array_new (FALSE, FALSE, sizeof (VigilKafkaPartitionLag));
  VigilKafkaSourceState state;
  GHashTableIter iter;
  Partition *p;

  self->last_lag_us = g_get_monotonic_time ();
  g_array_set_clear_func (lag, vigil_kafka_partition_lag_clear);

  g_hash_table_iter_init (&iter, self->partitions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &p))
    {
      VigilKafkaPartitionLag l;
      int64_t low = -1, high = -1;

      if (!p->assigned)
        continue;
      if (rd_kafka_get_watermark_offsets (self->rk, p->topic, p->partition, &low, &high) ==
          RD_KAFKA_RESP_ERR_NO_ERROR && high >= 0)
        p->high = high;
      l = (VigilKafkaPartitionLag) {
        .topic = g_strdup (p->topic),
        .partition = p->partition,
        .position = p->next_offset,
        .high = p->high,
        .lag = p->high >= 0 ? p->high - MAX (p->next_offset, 0) : -1,
      };
      g_array_append_val (lag, l);
    }

  g_mutex_lock (&self->state_lock);
  g_clear_pointer (&self->lag, g_array_unref);
  self->lag = g_steal_pointer (&lag);
  state = self->state;
  g_mutex_unlock (&self->state_lock);

  /* librdkafka reconnects on its own but says nothing when it is back: ask a broker. */
  if (state == VIGIL_KAFKA_SOURCE_RETRYING)
    {
      const struct rd_kafka_metadata *md = NULL;

      if (rd_kafka_metadata (self->rk, 0, NULL, &md, 500) == RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          _vigil_kafka_source_set_state (self, VIGIL_KAFKA_SOURCE_CONNECTED, NULL);
          rd_kafka_metadata_destroy (md);
        }
    }
}

void
_vigil_kafka_source_reseek (VigilKafkaSource *self)
{
  rd_kafka_error_t *kerror;

  if (self->reseek->cnt > 0)
    {
      kerror = rd_kafka_seek_partitions (self->rk, self->reseek, 10000);
      if (kerror != NULL)
        {
          _vigil_kafka_source_set_state (self, VIGIL_KAFKA_SOURCE_RETRYING, rd_kafka_error_string (kerror));
          rd_kafka_error_destroy (kerror);
        }
    }
  g_clear_pointer (&self->reseek, rd_kafka_topic_partition_list_destroy);
}
