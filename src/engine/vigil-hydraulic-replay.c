/* vigil-hydraulic-replay.c
 *
 * Each sensor is a stream with everything about it: its file, its windows, its alarm state
 * machines. Worker threads take streams from a shared queue, advance one by a block of
 * cycles (or, when paced, by one slice of event time) and put it back, so seven heavy 100 Hz
 * sensors spread evenly over any number of cores. A stream is in one worker's hands at a
 * time, so order per sensor holds without further locks and results do not depend on
 * scheduling. Workers hand finished windows, late records, alarm transitions and labels to
 * the store's writer thread in batches; the store's bounded queue is the back-pressure.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-replay"

#include "config.h"

#include <stdatomic.h>

#include "vigil-alarm-machine.h"
#include "vigil-error.h"
#include "vigil-hydraulic-reader.h"
#include "vigil-hydraulic-replay-private.h"
#include "vigil-hydraulic-replay.h"
#include "vigil-predictor.h"
#include "vigil-replay-clock.h"
#include "vigil-time.h"
#include "vigil-window-op.h"

#define BATCH_ROWS 8192

/* Cycles a worker advances a stream at full speed before putting it back: long enough that
 * the queue's lock is cold, short enough that the last streams finish together. */
#define BLOCK_CYCLES 8

typedef struct _Stream Stream;

struct _VigilHydraulicReplay
{
  GObject parent_instance;

  /* Set at construction, read-only afterwards */
  char               *dir;
  VigilStore         *store;
  VigilRuleSet       *rules;
  VigilReplayOptions  options;
  VigilLive          *live;         /* optional */
  VigilKafkaPublisher *publisher;   /* optional, borrowed */
  VigilPredictor     *predictor;    /* made by start(); predicts nothing without champions */
  GString            *model_notes;  /* champions left out, a line each */

  /* Set by start(), read-only while workers run */
  VigilHydraulicDataset *dataset;
  gint64              session_id;
  VigilReplayClock   *clock;
  gint64              first_us;     /* event time of the first cycle replayed */
  Stream             *streams;      /* one per present sensor, then profile.txt if present */
  guint               n_streams;
  GThread           **threads;
  guint               n_threads;
  gint64              started_us;
  gint64              finished_us;  /* 0 while running */
  gboolean            started;
  gboolean            joined;

  /* Written by workers */
  atomic_bool         stop_requested;
  atomic_uint         workers_running;
  atomic_uint_fast64_t samples;
  atomic_uint_fast64_t late;
  VigilStageShared    shared;       /* windows, alarms and health counters */
  /* [rule * VIGIL_N_SENSORS + sensor]: gint64 raise times. Each sensor belongs to one
   * worker, so each array has one writer; read only after the workers are joined. */
  GArray            **raises;

  GMutex              error_mutex;
  GError             *error;       /* guarded by error_mutex: the first error wins */

  GMutex              queue_mutex;
  GCond               queue_cond;
  GQueue              ready;       /* guarded by queue_mutex: streams no worker holds */
  guint               n_active;    /* guarded by queue_mutex: streams not yet finished */
};

/* One sensor file (or profile.txt when sensor is VIGIL_N_SENSORS) and its operators.
 * Owned by whichever worker took it from the queue, except for what lock guards. */
struct _Stream
{
  /* Guards alarms and the order in which its transitions reach the store and the live bus:
   * operator actions come from other threads. */
  GMutex              lock;
  VigilSensor         sensor;
  VigilRowReader     *reader;
  double             *values;     /* the current cycle's row */
  guint               n_values;
  gint64              dt_us;
  VigilSensorStage    stage;      /* op and alarms NULL for profile.txt */
  guint               cycle;      /* the cycle being replayed */
  guint               skip;       /* rows still to skip before the first cycle replayed */
  gint64              offset_us;  /* how far into it; 0: its row is not read yet */
  atomic_uint         cycles_done;
  atomic_int_fast64_t position_us; /* event time handed on so far */
};

G_DEFINE_FINAL_TYPE (VigilHydraulicReplay, vigil_hydraulic_replay, G_TYPE_OBJECT)

void
vigil_replay_options_init (VigilReplayOptions *options)
{
  *options = (VigilReplayOptions) {
    .start_us = VIGIL_DEFAULT_START_US,
    .window_us = 60 * VIGIL_USEC_PER_SEC,
    .slide_us = 10 * VIGIL_USEC_PER_SEC,
    .lateness_us = 10 * VIGIL_USEC_PER_SEC,
    .speed = 0,
    .n_workers = 0,
    .first_cycle = 0,
  };
}

/* The per-sensor stage every hydraulic source shares ------------------------------------- */

void
_vigil_stage_shared_init (VigilStageShared  *shared,
                          VigilRuleSet      *rules,
                          VigilLive         *live,
                          GArray           **raises)
{
  shared->rules = rules;
  shared->live = live;
  shared->raises = raises;
  atomic_store (&shared->windows, 0);
  atomic_store (&shared->alarms_raised, 0);
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    atomic_store (&shared->health[s], 100);
}

gboolean
_vigil_sensor_stage_init (VigilSensorStage  *stage,
                          VigilSensor        sensor,
                          VigilRuleSet      *rules,
                          gint64             window_us,
                          gint64             slide_us,
                          gint64             lateness_us,
                          GError           **error)
{
  stage->sensor = sensor;
  stage->drop_before_us = G_MININT64;
  stage->op = vigil_window_op_new (window_us, slide_us, lateness_us, VIGIL_N_SENSORS, error);
  if (stage->op == NULL)
    return FALSE;
  stage->alarms = vigil_alarm_machine_new (rules, 1u << sensor);

  return TRUE;
}

void
_vigil_sensor_stage_clear (VigilSensorStage *stage)
{
  g_clear_pointer (&stage->op, vigil_window_op_free);
  g_clear_pointer (&stage->alarms, vigil_alarm_machine_free);
}

static void
tally_raises (VigilStageShared *shared,
              GArray           *transitions,
              guint             from)
{
  guint n_rules = vigil_rule_set_get_n_rules (shared->rules);

  for (guint i = from; i < transitions->len; i++)
    {
      const VigilAlarmTransition *t = &g_array_index (transitions, VigilAlarmTransition, i);

      if (t->to != VIGIL_ALARM_ACTIVE_UNACKED || t->from == VIGIL_ALARM_ACTIVE_UNACKED)
        continue;

      /* Rule names are interned: pointers compare. */
      for (guint r = 0; r < n_rules; r++)
        if (vigil_rule_set_get_rule (shared->rules, r)->name == t->rule)
          {
            g_array_append_val (shared->raises[r * VIGIL_N_SENSORS + t->key], t->at_us);
            break;
          }
    }
}

void
_vigil_sensor_stage_process (VigilStageShared *shared,
                             VigilSensorStage *stage,
                             VigilStoreBatch  *batch,
                             guint             first_window,
                             guint             first_late)
{
  guint first_transition = batch->transitions->len;
  guint raised = 0;
  guint kept = first_window;

  for (guint i = first_window; i < batch->windows->len; i++)
    {
      const VigilWindowStats *w = &g_array_index (batch->windows, VigilWindowStats, i);

      if (w->start_us >= stage->drop_before_us)
        g_array_index (batch->windows, VigilWindowStats, kept++) = *w;
    }
  g_array_set_size (batch->windows, kept);

  for (guint i = first_window; i < batch->windows->len; i++)
    {
      const VigilWindowStats *w = &g_array_index (batch->windows, VigilWindowStats, i);

      raised += vigil_alarm_machine_process (stage->alarms, w, batch->transitions);
    }
  atomic_store (&shared->health[stage->sensor],
                vigil_alarm_machine_get_health (stage->alarms, stage->sensor));

  if (raised > 0 && shared->raises != NULL)
    tally_raises (shared, batch->transitions, first_transition);
  atomic_fetch_add (&shared->windows, batch->windows->len - first_window);
  atomic_fetch_add (&shared->alarms_raised, raised);

  if (shared->live == NULL)
    return;
  if (batch->windows->len > first_window)
    vigil_live_add_windows (shared->live,
                            &g_array_index (batch->windows, VigilWindowStats, first_window),
                            batch->windows->len - first_window, g_get_monotonic_time ());
  if (batch->late->len > first_late)
    vigil_live_add_late (shared->live, batch->late->len - first_late);
}

void
_vigil_sensor_stage_push_run (VigilStageShared *shared,
                              VigilSensorStage *stage,
                              gint64            t0_us,
                              gint64            dt_us,
                              const double     *values,
                              gsize             n_values,
                              VigilStoreBatch  *batch)
{
  guint first_window = batch->windows->len;
  guint first_late = batch->late->len;

  vigil_window_op_push_run (stage->op, stage->sensor, t0_us, dt_us, values, n_values,
                            batch->windows, batch->late);
  if (shared->live != NULL)
    vigil_live_add_samples_run (shared->live, stage->sensor, t0_us, dt_us, values, n_values);
  _vigil_sensor_stage_process (shared, stage, batch, first_window, first_late);
}

void
_vigil_sensor_stage_advance (VigilStageShared *shared,
                             VigilSensorStage *stage,
                             gint64            watermark_us,
                             VigilStoreBatch  *batch)
{
  guint first_window = batch->windows->len;

  vigil_window_op_advance (stage->op, stage->sensor, watermark_us, batch->windows);
  _vigil_sensor_stage_process (shared, stage, batch, first_window, batch->late->len);
}

void
_vigil_sensor_stage_finish (VigilStageShared *shared,
                            VigilSensorStage *stage,
                            VigilStoreBatch  *batch)
{
  guint first_window = batch->windows->len;

  vigil_window_op_flush (stage->op, batch->windows);
  _vigil_sensor_stage_process (shared, stage, batch, first_window, batch->late->len);
  vigil_alarm_machine_advance (stage->alarms, G_MAXINT64 / 2, batch->transitions);
}

void
_vigil_publish_transitions (VigilLive       *live,
                            VigilStoreBatch *batch,
                            guint            from)
{
  if (live != NULL && batch->transitions->len > from)
    vigil_live_add_transitions (live, &g_array_index (batch->transitions,
                                                      VigilAlarmTransition, from),
                                batch->transitions->len - from);
}

/* The replay ------------------------------------------------------------------------------- */

static void
set_error (VigilHydraulicReplay *self,
           GError               *error)
{
  g_mutex_lock (&self->error_mutex);
  if (self->error == NULL)
    self->error = error;
  else
    g_error_free (error);
  g_mutex_unlock (&self->error_mutex);

  vigil_hydraulic_replay_stop (self);
}

static void
submit_batch (VigilHydraulicReplay  *self,
              VigilStoreBatch      **batch)
{
  if (vigil_store_batch_is_empty (*batch))
    return;

  if (self->publisher != NULL)
    vigil_kafka_publisher_add_windows (self->publisher,
                                       (const VigilWindowStats *) (gpointer)
                                       (*batch)->windows->data, (*batch)->windows->len);
  vigil_store_submit (self->store, g_steal_pointer (batch));
  *batch = vigil_store_batch_new (self->session_id);
}

/* The predictor's output, under its lock: one batch, so component alarms reach the store
 * and the bus in the order they happened. */
static void
emit_predictions (GArray   *predictions,
                  GArray   *transitions,
                  gpointer  user_data)
{
  VigilHydraulicReplay *self = user_data;
  g_autoptr(VigilStoreBatch) batch = vigil_store_batch_new (self->session_id);
  guint raised = 0;

  g_array_append_vals (batch->predictions, predictions->data, predictions->len);
  for (guint i = 0; i < transitions->len; i++)
    {
      VigilAlarmTransition t = g_array_index (transitions, VigilAlarmTransition, i);

      t.comment = g_strdup (t.comment);
      g_array_append_val (batch->transitions, t);
      raised += t.to == VIGIL_ALARM_ACTIVE_UNACKED && t.from != VIGIL_ALARM_ACTIVE_UNACKED;
    }
  atomic_fetch_add (&self->shared.alarms_raised, raised);

  if (self->live != NULL)
    {
      vigil_live_add_predictions (self->live, (VigilPrediction *) (gpointer) predictions->data,
                                  predictions->len);
      if (transitions->len > 0)
        vigil_live_add_transitions (self->live, (VigilAlarmTransition *) (gpointer)
                                                transitions->data, transitions->len);
    }
  vigil_store_submit (self->store, g_steal_pointer (&batch));
}

static gboolean
read_row (VigilHydraulicReplay  *self,
          Stream                *st,
          VigilStoreBatch       *batch,
          GError               **error)
{
  int r;

  if (st->sensor == VIGIL_N_SENSORS)
    {
      VigilCycleLabel label;

      r = vigil_row_reader_next_label (st->reader, &label, error);
      if (r == 1)
        {
          label.start_us = self->options.start_us
                           + (gint64) st->cycle * VIGIL_CYCLE_SECONDS * VIGIL_USEC_PER_SEC;
          g_array_append_val (batch->labels, label);
        }
    }
  else
    r = vigil_row_reader_next (st->reader, st->values, error);

  if (r == 0)
    g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                 "%s:%u: the file ends after %u cycles, but the dataset had %u when the replay "
                 "started", vigil_row_reader_get_name (st->reader), st->cycle + 1, st->cycle,
                 self->dataset->n_cycles);

  return r == 1;
}

/* Called with st->lock held: the transitions made so far reach the store and the live bus
 * before any operator action on the same alarms can. */
static void
submit_transitions (VigilHydraulicReplay  *self,
                    VigilStoreBatch      **batch,
                    guint                  from)
{
  if ((*batch)->transitions->len == 0)
    return;

  _vigil_publish_transitions (self->live, *batch, from);
  submit_batch (self, batch);
}

/* The slowest stream's position: what every chart and counter has caught up to. */
static void
publish_position (VigilHydraulicReplay *self)
{
  gint64 position = G_MAXINT64;

  if (self->live == NULL)
    return;

  for (guint i = 0; i < self->n_streams; i++)
    position = MIN (position, atomic_load (&self->streams[i].position_us));
  vigil_live_set_position (self->live, position);
}

/* Hands the samples of [offset, end) of the current cycle to the windows. */
static guint64
push_slice (VigilHydraulicReplay *self,
            Stream               *st,
            gint64                end_us,
            VigilStoreBatch      *batch)
{
  gint64 cycle_start = self->options.start_us
                       + (gint64) st->cycle * VIGIL_CYCLE_SECONDS * VIGIL_USEC_PER_SEC;
  guint a = (guint) ((st->offset_us + st->dt_us - 1) / st->dt_us);
  guint b = (guint) MIN ((end_us + st->dt_us - 1) / st->dt_us, st->n_values);

  st->offset_us = end_us;
  if (b <= a)
    return 0;

  _vigil_sensor_stage_push_run (&self->shared, &st->stage, cycle_start + a * st->dt_us,
                                st->dt_us, st->values + a, b - a, batch);

  return b - a;
}

/* Advances @st by up to BLOCK_CYCLES cycles, or by one paced slice. Returns FALSE when the
 * stream is finished or failed. */
static gboolean
advance_stream (VigilHydraulicReplay  *self,
                Stream                *st,
                VigilStoreBatch      **batchp,
                GError               **error)
{
  VigilStoreBatch *batch;
  const gint64 cycle_us = VIGIL_CYCLE_SECONDS * VIGIL_USEC_PER_SEC;
  gboolean paced = vigil_replay_clock_is_paced (self->clock);
  gint64 slice_us = cycle_us;
  guint64 samples = 0;

  /* Paced replays hand samples on in slices of about a tenth of a wall second. */
  if (paced)
    slice_us = CLAMP ((gint64) (vigil_replay_clock_get_speed (self->clock) * 100000), 10000,
                      cycle_us);

  /* A replay that starts later (a seek) reads past the rows before its first cycle. */
  for (; st->skip > 0; st->skip--)
    {
      g_autoptr(VigilStoreBatch) scratch = vigil_store_batch_new (0);

      if (!read_row (self, st, scratch, error))
        return FALSE;
    }

  for (guint block = 0; block < BLOCK_CYCLES && st->cycle < self->dataset->n_cycles; block++)
    {
      gint64 end;
      guint first_transition;

      batch = *batchp;
      if (st->offset_us == 0 && !read_row (self, st, batch, error))
        return FALSE;

      /* A slice is due when its last sample has happened; at maximum speed at once, but a
       * pause holds at any speed. */
      end = MIN (st->offset_us + slice_us, cycle_us);
      if (!vigil_replay_clock_wait (self->clock, self->options.start_us
                                                 + (gint64) st->cycle * cycle_us + end))
        return FALSE;

      g_mutex_lock (&st->lock);
      first_transition = batch->transitions->len;
      if (st->stage.op != NULL)
        samples += push_slice (self, st, end, batch);
      else
        st->offset_us = end;
      submit_transitions (self, batchp, first_transition);
      g_mutex_unlock (&st->lock);
      atomic_store (&st->position_us, self->options.start_us + (gint64) st->cycle * cycle_us
                                      + end);

      if (st->offset_us >= cycle_us)
        {
          if (st->stage.op != NULL)
            vigil_predictor_add_cycle (self->predictor, st->cycle, self->options.start_us
                                                                   + (gint64) (st->cycle + 1)
                                                                     * cycle_us,
                                       st->sensor, st->values, st->n_values);
          st->cycle++;
          st->offset_us = 0;
          atomic_store (&st->cycles_done, st->cycle);
        }
      if (paced)
        break;
    }

  atomic_fetch_add (&self->samples, samples);

  if (st->cycle < self->dataset->n_cycles)
    return TRUE;

  /* End of stream: the last windows close. */
  batch = *batchp;
  if (st->stage.op != NULL)
    {
      guint first_transition = batch->transitions->len;

      g_mutex_lock (&st->lock);
      _vigil_sensor_stage_finish (&self->shared, &st->stage, batch);
      submit_transitions (self, batchp, first_transition);
      g_mutex_unlock (&st->lock);
      atomic_fetch_add (&self->late, vigil_window_op_get_late_count (st->stage.op, st->sensor));
    }
  atomic_store (&st->position_us, self->options.start_us
                                  + (gint64) self->dataset->n_cycles * cycle_us);

  return FALSE;
}

static Stream *
take_stream (VigilHydraulicReplay *self)
{
  Stream *st = NULL;

  g_mutex_lock (&self->queue_mutex);
  while (!atomic_load (&self->stop_requested) && self->n_active > 0 &&
         (st = g_queue_pop_head (&self->ready)) == NULL)
    g_cond_wait (&self->queue_cond, &self->queue_mutex);
  g_mutex_unlock (&self->queue_mutex);

  return st;
}

static void
return_stream (VigilHydraulicReplay *self,
               Stream               *st,
               gboolean              more)
{
  g_mutex_lock (&self->queue_mutex);
  if (more)
    g_queue_push_tail (&self->ready, st);
  else
    self->n_active--;
  g_cond_broadcast (&self->queue_cond);
  g_mutex_unlock (&self->queue_mutex);
}

static gpointer
worker_main (gpointer data)
{
  VigilHydraulicReplay *self = data;
  g_autoptr(VigilStoreBatch) batch = vigil_store_batch_new (self->session_id);
  Stream *st;

  while ((st = take_stream (self)) != NULL)
    {
      g_autoptr(GError) error = NULL;
      gboolean more = advance_stream (self, st, &batch, &error);

      if (error != NULL)
        set_error (self, g_steal_pointer (&error));

      /* Transitions went already (advance_stream), in order with operator actions. */
      if (vigil_replay_clock_is_paced (self->clock) ||
          vigil_store_batch_get_size (batch) >= BATCH_ROWS)
        submit_batch (self, &batch);
      publish_position (self);

      /* A store that can no longer write (a full disk) stops the replay: what it would
       * compute from here on could not be kept. */
      if (!vigil_store_check (self->store, &error))
        set_error (self, g_steal_pointer (&error));

      return_stream (self, st, more && !atomic_load (&self->stop_requested));
    }

  /* Whatever closed is kept, even when the replay stops early or fails. */
  submit_batch (self, &batch);
  publish_position (self);
  atomic_fetch_sub (&self->workers_running, 1);

  return NULL;
}

static void
stream_clear (Stream *st)
{
  g_mutex_clear (&st->lock);
  g_clear_pointer (&st->reader, vigil_row_reader_free);
  g_clear_pointer (&st->values, g_free);
  _vigil_sensor_stage_clear (&st->stage);
}

/* One stream per present sensor file, heaviest first so they start first, and profile.txt. */
static gboolean
open_streams (VigilHydraulicReplay  *self,
              GError               **error)
{
  self->streams = g_new0 (Stream, VIGIL_N_SENSORS + 1);

  for (guint s = 0; s <= VIGIL_N_SENSORS; s++)
    {
      g_autofree char *file = NULL;
      g_autofree char *path = NULL;
      Stream *st;

      if (s < VIGIL_N_SENSORS ? !(self->dataset->sensors & (1u << s))
                              : !self->dataset->has_profile)
        continue;

      st = &self->streams[self->n_streams++];
      g_mutex_init (&st->lock);
      st->sensor = s;
      st->cycle = self->options.first_cycle;
      st->skip = self->options.first_cycle;
      atomic_store (&st->position_us, self->first_us);
      atomic_store (&st->cycles_done, st->cycle);
      file = g_strconcat (s < VIGIL_N_SENSORS ? vigil_sensor_get_info (s)->name : "profile",
                          ".txt", NULL);
      path = g_build_filename (self->dir, file, NULL);

      if (s == VIGIL_N_SENSORS)
        {
          st->reader = vigil_row_reader_open (path, 5, error);
          if (st->reader == NULL)
            return FALSE;
          continue;
        }

      st->n_values = vigil_sensor_samples_per_cycle (s);
      st->dt_us = VIGIL_USEC_PER_SEC / vigil_sensor_get_info (s)->rate_hz;
      st->values = g_new (double, st->n_values);
      st->reader = vigil_row_reader_open (path, st->n_values, error);
      if (st->reader == NULL)
        return FALSE;
      if (!_vigil_sensor_stage_init (&st->stage, s, self->rules, self->options.window_us,
                                     self->options.slide_us, self->options.lateness_us, error))
        return FALSE;
      /* A seek has no samples before its first cycle. */
      if (self->options.first_cycle > 0)
        st->stage.drop_before_us = self->first_us;
    }

  for (guint i = 0; i < self->n_streams; i++)
    g_queue_push_tail (&self->ready, &self->streams[i]);
  self->n_active = self->n_streams;

  return TRUE;
}

static void
vigil_hydraulic_replay_finalize (GObject *object)
{
  VigilHydraulicReplay *self = (VigilHydraulicReplay *) object;

  if (self->started && !self->joined)
    {
      vigil_hydraulic_replay_stop (self);
      vigil_hydraulic_replay_wait (self, NULL);
    }

  g_clear_pointer (&self->dataset, vigil_hydraulic_dataset_free);
  g_clear_pointer (&self->clock, vigil_replay_clock_free);
  g_clear_pointer (&self->predictor, vigil_predictor_free);
  if (self->model_notes != NULL)
    g_string_free (g_steal_pointer (&self->model_notes), TRUE);
  for (guint i = 0; i < self->n_streams; i++)
    stream_clear (&self->streams[i]);
  g_clear_pointer (&self->streams, g_free);
  g_clear_pointer (&self->threads, g_free);
  g_queue_clear (&self->ready);
  g_mutex_clear (&self->queue_mutex);
  g_cond_clear (&self->queue_cond);
  if (self->raises != NULL)
    for (guint i = 0; i < vigil_rule_set_get_n_rules (self->rules) * VIGIL_N_SENSORS; i++)
      g_array_unref (self->raises[i]);
  g_clear_pointer (&self->raises, g_free);
  g_clear_pointer (&self->rules, vigil_rule_set_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->live);
  g_clear_error (&self->error);
  g_mutex_clear (&self->error_mutex);
  g_free (self->dir);

  G_OBJECT_CLASS (vigil_hydraulic_replay_parent_class)->finalize (object);
}

static void
vigil_hydraulic_replay_class_init (VigilHydraulicReplayClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vigil_hydraulic_replay_finalize;
}

static void
vigil_hydraulic_replay_init (VigilHydraulicReplay *self)
{
  g_mutex_init (&self->error_mutex);
  g_mutex_init (&self->queue_mutex);
  g_cond_init (&self->queue_cond);
  g_queue_init (&self->ready);
}

VigilHydraulicReplay *
vigil_hydraulic_replay_new (const char               *dir,
                            VigilStore               *store,
                            VigilRuleSet             *rules,
                            const VigilReplayOptions *options)
{
  VigilHydraulicReplay *self;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (VIGIL_IS_STORE (store), NULL);
  g_return_val_if_fail (rules != NULL, NULL);

  self = g_object_new (VIGIL_TYPE_HYDRAULIC_REPLAY, NULL);
  self->dir = g_canonicalize_filename (dir, NULL);
  self->store = g_object_ref (store);
  self->rules = vigil_rule_set_ref (rules);
  self->raises = g_new (GArray *, vigil_rule_set_get_n_rules (rules) * VIGIL_N_SENSORS);
  for (guint i = 0; i < vigil_rule_set_get_n_rules (rules) * VIGIL_N_SENSORS; i++)
    self->raises[i] = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (options != NULL)
    self->options = *options;
  else
    vigil_replay_options_init (&self->options);
  _vigil_stage_shared_init (&self->shared, self->rules, NULL, self->raises);

  return self;
}

gboolean
vigil_hydraulic_replay_start (VigilHydraulicReplay  *self,
                              GError               **error)
{
  g_autofree char *rules_json = NULL;
  VigilSessionInfo info;

  g_return_val_if_fail (VIGIL_IS_HYDRAULIC_REPLAY (self), FALSE);
  g_return_val_if_fail (!self->started, FALSE);

  if (self->options.speed < 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "The replay speed must be positive (or 0 for as fast as possible)");
      return FALSE;
    }

  self->dataset = vigil_hydraulic_dataset_scan (self->dir, NULL, error);
  if (self->dataset == NULL)
    return FALSE;

  if (self->options.first_cycle >= self->dataset->n_cycles)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "%s: cannot start at cycle %u: the dataset has %u cycles", self->dir,
                   self->options.first_cycle + 1, self->dataset->n_cycles);
      return FALSE;
    }
  self->first_us = self->options.start_us + (gint64) self->options.first_cycle
                                            * VIGIL_CYCLE_SECONDS * VIGIL_USEC_PER_SEC;

  rules_json = vigil_rule_set_to_json (self->rules);
  info = (VigilSessionInfo) {
    .kind = "hydraulic",
    .source = self->dir,
    .start_us = self->options.start_us,
    .window_us = self->options.window_us,
    .slide_us = self->options.slide_us,
    .lateness_us = self->options.lateness_us,
    .rules_json = rules_json,
  };
  /* Every file and every window operator (which refuses bad window settings) is made before
   * the session is registered: a refusal writes nothing. */
  if (!open_streams (self, error))
    return FALSE;

  self->session_id = vigil_store_ensure_session (self->store, &info, error);
  if (self->session_id <= 0)
    return FALSE;

  /* The champions in the store's registry predict every cycle as it completes. */
  self->predictor = vigil_predictor_new (self->dataset->sensors, self->rules, emit_predictions,
                                         self);
  self->model_notes = g_string_new (NULL);
  if (!vigil_predictor_add_champions (self->predictor, self->store, self->model_notes, error))
    return FALSE;

  /* One worker per processor: the store's writer thread is light (a few hundred thousand
   * rows for a hundred million samples) and more workers than cores only add switching. */
  self->n_threads = self->options.n_workers != 0 ? self->options.n_workers
                                                 : g_get_num_processors ();
  self->n_threads = CLAMP (self->n_threads, 1, self->n_streams);
  self->threads = g_new0 (GThread *, self->n_threads);
  self->clock = vigil_replay_clock_new (self->options.speed, self->first_us);
  if (self->live != NULL)
    {
      vigil_live_reset (self->live, self->options.start_us,
                        self->options.start_us + (gint64) self->dataset->n_cycles
                                                 * VIGIL_CYCLE_SECONDS * VIGIL_USEC_PER_SEC,
                        self->dataset->sensors, self->rules);
      /* Starting at a later cycle (a seek), the position is there from the start on. */
      vigil_live_set_position (self->live, self->first_us);
    }
  self->started_us = g_get_monotonic_time ();
  self->started = TRUE;
  atomic_store (&self->workers_running, self->n_threads);

  for (guint i = 0; i < self->n_threads; i++)
    {
      g_autofree char *name = g_strdup_printf ("vigil-replay-%u", i);

      self->threads[i] = g_thread_new (name, worker_main, self);
    }

  return TRUE;
}

void
vigil_hydraulic_replay_stop (VigilHydraulicReplay *self)
{
  g_return_if_fail (VIGIL_IS_HYDRAULIC_REPLAY (self));

  atomic_store (&self->stop_requested, TRUE);
  if (self->clock != NULL)
    vigil_replay_clock_stop (self->clock);

  /* Workers waiting for a stream must see the request. */
  g_mutex_lock (&self->queue_mutex);
  g_cond_broadcast (&self->queue_cond);
  g_mutex_unlock (&self->queue_mutex);
}

gboolean
vigil_hydraulic_replay_wait (VigilHydraulicReplay  *self,
                             GError               **error)
{
  g_autoptr(GError) store_error = NULL;

  g_return_val_if_fail (VIGIL_IS_HYDRAULIC_REPLAY (self), FALSE);
  g_return_val_if_fail (self->started, FALSE);

  if (!self->joined)
    {
      for (guint i = 0; i < self->n_threads; i++)
        g_clear_pointer (&self->threads[i], g_thread_join);
      self->joined = TRUE;
      vigil_predictor_finish (self->predictor);

      if (!vigil_store_flush (self->store, &store_error))
        set_error (self, g_steal_pointer (&store_error));
      self->finished_us = g_get_monotonic_time ();
    }

  g_mutex_lock (&self->error_mutex);
  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      g_mutex_unlock (&self->error_mutex);
      return FALSE;
    }
  g_mutex_unlock (&self->error_mutex);

  return TRUE;
}

static void
on_cancelled (GCancellable         *cancellable,
              VigilHydraulicReplay *self)
{
  vigil_hydraulic_replay_stop (self);
}

gboolean
vigil_hydraulic_replay_run (VigilHydraulicReplay  *self,
                            GCancellable          *cancellable,
                            GError               **error)
{
  gulong handler = 0;
  gboolean ok;

  if (!vigil_hydraulic_replay_start (self, error))
    return FALSE;

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), self, NULL);

  ok = vigil_hydraulic_replay_wait (self, error);

  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable, handler);

  return ok;
}

void
vigil_hydraulic_replay_get_stats (VigilHydraulicReplay *self,
                                  VigilReplayStats     *stats)
{
  gint64 now;

  g_return_if_fail (VIGIL_IS_HYDRAULIC_REPLAY (self));

  *stats = (VigilReplayStats) { 0 };
  stats->samples = atomic_load (&self->samples);
  stats->windows = atomic_load (&self->shared.windows);
  stats->late = atomic_load (&self->late);
  stats->alarms_raised = atomic_load (&self->shared.alarms_raised);
  stats->n_cycles = self->dataset != NULL ? self->dataset->n_cycles : 0;
  stats->cycles_done = stats->n_cycles;
  for (guint i = 0; i < self->n_streams; i++)
    stats->cycles_done = MIN (stats->cycles_done, atomic_load (&self->streams[i].cycles_done));

  stats->rig_health = 100;
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      stats->health[s] = atomic_load (&self->shared.health[s]);
      if (self->dataset != NULL && (self->dataset->sensors & (1u << s)))
        stats->rig_health = MIN (stats->rig_health, stats->health[s]);
    }

  now = self->finished_us != 0 ? self->finished_us : g_get_monotonic_time ();
  stats->seconds = self->started ? (now - self->started_us) / 1e6 : 0;
}

guint32
vigil_hydraulic_replay_get_sensors (VigilHydraulicReplay *self)
{
  g_return_val_if_fail (VIGIL_IS_HYDRAULIC_REPLAY (self), 0);

  return self->dataset != NULL ? self->dataset->sensors : 0;
}

gboolean
vigil_hydraulic_replay_was_stopped (VigilHydraulicReplay *self)
{
  g_return_val_if_fail (VIGIL_IS_HYDRAULIC_REPLAY (self), FALSE);

  return atomic_load (&self->stop_requested);
}

const GArray *
vigil_hydraulic_replay_get_raises (VigilHydraulicReplay *self,
                                   guint                 rule_index,
                                   VigilSensor           sensor)
{
  g_return_val_if_fail (VIGIL_IS_HYDRAULIC_REPLAY (self), NULL);
  g_return_val_if_fail (self->joined, NULL);
  g_return_val_if_fail (rule_index < vigil_rule_set_get_n_rules (self->rules), NULL);
  g_return_val_if_fail ((guint) sensor < VIGIL_N_SENSORS, NULL);

  return self->raises[rule_index * VIGIL_N_SENSORS + sensor];
}

void
vigil_hydraulic_replay_set_live (VigilHydraulicReplay *self,
                                 VigilLive            *live)
{
  g_return_if_fail (VIGIL_IS_HYDRAULIC_REPLAY (self));
  g_return_if_fail (!self->started);

  g_set_object (&self->live, live);
  self->shared.live = live;
}

void
vigil_hydraulic_replay_set_publisher (VigilHydraulicReplay *self,
                                      VigilKafkaPublisher  *publisher)
{
  g_return_if_fail (VIGIL_IS_HYDRAULIC_REPLAY (self));
  g_return_if_fail (!self->started);

  self->publisher = publisher;
}

gint64
vigil_hydraulic_replay_get_position (VigilHydraulicReplay *self)
{
  gint64 position = G_MAXINT64;

  g_return_val_if_fail (VIGIL_IS_HYDRAULIC_REPLAY (self), 0);

  if (!self->started)
    return self->options.start_us;

  for (guint i = 0; i < self->n_streams; i++)
    position = MIN (position, atomic_load (&self->streams[i].position_us));

  return position;
}

static gint64
furthest_position (VigilHydraulicReplay *self)
{
  gint64 position = self->first_us;

  for (guint i = 0; i < self->n_streams; i++)
    position = MAX (position, atomic_load (&self->streams[i].position_us));

  return position;
}

void
vigil_hydraulic_replay_set_speed (VigilHydraulicReplay *self,
                                  double                speed)
{
  g_return_if_fail (VIGIL_IS_HYDRAULIC_REPLAY (self));
  g_return_if_fail (speed >= 0);

  if (self->clock == NULL)
    {
      self->options.speed = speed;
      return;
    }

  /* At maximum speed the clock did not follow the workers: pacing resumes from where the
   * fastest stream is, and the others catch up at once (their slices are already due).
   * From the slowest, the streams ahead would hold every worker waiting for their next
   * slice while the slowest waited for a worker. */
  if (!vigil_replay_clock_is_paced (self->clock))
    vigil_replay_clock_seek (self->clock, furthest_position (self));
  vigil_replay_clock_set_speed (self->clock, speed);
}

void
vigil_hydraulic_replay_set_paused (VigilHydraulicReplay *self,
                                   gboolean              paused)
{
  g_return_if_fail (VIGIL_IS_HYDRAULIC_REPLAY (self));
  g_return_if_fail (self->clock != NULL);

  if (paused && !vigil_replay_clock_is_paced (self->clock))
    vigil_replay_clock_seek (self->clock, furthest_position (self));
  vigil_replay_clock_set_paused (self->clock, paused);
}

gboolean
vigil_hydraulic_replay_is_finished (VigilHydraulicReplay *self)
{
  g_return_val_if_fail (VIGIL_IS_HYDRAULIC_REPLAY (self), FALSE);

  return self->started && atomic_load (&self->workers_running) == 0;
}

static Stream *
find_stream (VigilHydraulicReplay  *self,
             VigilSensor            sensor,
             GError               **error)
{
  for (guint i = 0; i < self->n_streams; i++)
    if (self->streams[i].sensor == sensor && self->streams[i].stage.alarms != NULL)
      return &self->streams[i];

  g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
               "%s: the dataset has no %s sensor", self->dir,
               (guint) sensor < VIGIL_N_SENSORS ? vigil_sensor_get_info (sensor)->name : "such");
  return NULL;
}

typedef enum { ACTION_ACK, ACTION_SHELVE } Action;

static gboolean
operator_action (VigilHydraulicReplay  *self,
                 Action                 action,
                 const char            *rule,
                 guint                  sensor,
                 gint64                 duration_us,
                 const char            *comment,
                 GError               **error)
{
  g_autoptr(VigilStoreBatch) batch = NULL;
  Stream *st;
  gint64 at;
  gboolean ok;

  g_return_val_if_fail (VIGIL_IS_HYDRAULIC_REPLAY (self), FALSE);
  g_return_val_if_fail (rule != NULL, FALSE);

  if (!self->started)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "The replay of %s has not started", self->dir);
      return FALSE;
    }
  if (sensor >= VIGIL_KEY_COMPONENT)
    return action == ACTION_ACK
           ? vigil_predictor_acknowledge (self->predictor, rule, sensor, comment, error)
           : vigil_predictor_shelve (self->predictor, rule, sensor, duration_us, comment, error);
  if ((st = find_stream (self, sensor, error)) == NULL)
    return FALSE;

  batch = vigil_store_batch_new (self->session_id);

  g_mutex_lock (&st->lock);
  at = atomic_load (&st->position_us);
  if (action == ACTION_ACK)
    ok = vigil_alarm_machine_acknowledge (st->stage.alarms, rule, sensor, at, comment,
                                          batch->transitions, error);
  else
    ok = vigil_alarm_machine_shelve (st->stage.alarms, rule, sensor, at, at + duration_us, comment,
                                     batch->transitions, error);
  if (ok)
    {
      atomic_store (&self->shared.health[sensor],
                    vigil_alarm_machine_get_health (st->stage.alarms, sensor));
      submit_transitions (self, &batch, 0);
    }
  g_mutex_unlock (&st->lock);

  return ok;
}

gboolean
vigil_hydraulic_replay_acknowledge (VigilHydraulicReplay  *self,
                                    const char            *rule,
                                    guint                  sensor,
                                    const char            *comment,
                                    GError               **error)
{
  return operator_action (self, ACTION_ACK, rule, sensor, 0, comment, error);
}

gboolean
vigil_hydraulic_replay_shelve (VigilHydraulicReplay  *self,
                               const char            *rule,
                               guint                  sensor,
                               gint64                 duration_us,
                               const char            *comment,
                               GError               **error)
{
  g_return_val_if_fail (duration_us > 0, FALSE);

  return operator_action (self, ACTION_SHELVE, rule, sensor, duration_us, comment, error);
}

const char *
vigil_hydraulic_replay_get_model_notes (VigilHydraulicReplay *self)
{
  g_return_val_if_fail (VIGIL_IS_HYDRAULIC_REPLAY (self), NULL);

  return self->model_notes != NULL ? self->model_notes->str : "";
}

guint
vigil_hydraulic_replay_get_n_models (VigilHydraulicReplay *self)
{
  g_return_val_if_fail (VIGIL_IS_HYDRAULIC_REPLAY (self), 0);

  return self->predictor != NULL ? vigil_predictor_get_n_models (self->predictor) : 0;
}

gint64
vigil_hydraulic_replay_get_session_id (VigilHydraulicReplay *self)
{
  g_return_val_if_fail (VIGIL_IS_HYDRAULIC_REPLAY (self), 0);

  return self->session_id;
}
