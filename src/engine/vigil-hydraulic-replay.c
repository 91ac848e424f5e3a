/* vigil-hydraulic-replay.c
 *
 * Each worker thread owns a set of sensors (balanced by sample rate) and everything about
 * them: their files, their windows, their alarm state machines. Sensors never cross
 * threads, so order per sensor holds without locks and results do not depend on
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
#include "vigil-hydraulic-replay.h"
#include "vigil-replay-clock.h"
#include "vigil-time.h"
#include "vigil-window-op.h"

#define BATCH_ROWS 8192

typedef struct _Worker Worker;

struct _VigilHydraulicReplay
{
  GObject parent_instance;

  /* Set at construction, read-only afterwards */
  char               *dir;
  VigilStore         *store;
  VigilRuleSet       *rules;
  VigilReplayOptions  options;

  /* Set by start(), read-only while workers run */
  VigilHydraulicDataset *dataset;
  gint64              session_id;
  VigilReplayClock   *clock;
  Worker             *workers;
  guint               n_workers;
  gint64              started_us;
  gint64              finished_us;  /* 0 while running */
  gboolean            started;
  gboolean            joined;

  /* Written by workers */
  atomic_bool         stop_requested;
  atomic_uint_fast64_t samples;
  atomic_uint_fast64_t windows;
  atomic_uint_fast64_t late;
  atomic_uint_fast64_t alarms_raised;
  atomic_uint         health[VIGIL_N_SENSORS];
  /* [rule * VIGIL_N_SENSORS + sensor]: gint64 raise times. Each sensor belongs to one
   * worker, so each array has one writer; read only after the workers are joined. */
  GArray            **raises;

  GMutex              error_mutex;
  GError             *error;       /* guarded by error_mutex: the first error wins */
};

struct _Worker
{
  VigilHydraulicReplay *replay;  /* borrowed */
  guint                 index;
  guint32               sensors;
  GThread              *thread;
  atomic_uint           cycles_done;
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
  };
}

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

  vigil_store_submit (self->store, g_steal_pointer (batch));
  *batch = vigil_store_batch_new (self->session_id);
}

static void
tally_raises (VigilHydraulicReplay *self,
              GArray               *transitions,
              guint                 from)
{
  guint n_rules = vigil_rule_set_get_n_rules (self->rules);

  for (guint i = from; i < transitions->len; i++)
    {
      const VigilAlarmTransition *t = &g_array_index (transitions, VigilAlarmTransition, i);

      if (t->to != VIGIL_ALARM_ACTIVE_UNACKED || t->from == VIGIL_ALARM_ACTIVE_UNACKED)
        continue;

      /* Rule names are interned: pointers compare. */
      for (guint r = 0; r < n_rules; r++)
        if (vigil_rule_set_get_rule (self->rules, r)->name == t->rule)
          {
            g_array_append_val (self->raises[r * VIGIL_N_SENSORS + t->key], t->at_us);
            break;
          }
    }
}

/* Runs the windows closed since the last call through the alarm machine. */
static void
process_windows (VigilHydraulicReplay *self,
                 VigilAlarmMachine    *alarms,
                 VigilStoreBatch      *batch,
                 guint                 from)
{
  guint raised = 0;
  guint first_transition = batch->transitions->len;

  for (guint i = from; i < batch->windows->len; i++)
    {
      const VigilWindowStats *w = &g_array_index (batch->windows, VigilWindowStats, i);

      raised += vigil_alarm_machine_process (alarms, w, batch->transitions);
      atomic_store (&self->health[w->key], vigil_alarm_machine_get_health (alarms, w->key));
    }

  if (raised > 0)
    tally_raises (self, batch->transitions, first_transition);

  atomic_fetch_add (&self->windows, batch->windows->len - from);
  atomic_fetch_add (&self->alarms_raised, raised);
}

typedef struct
{
  VigilSensor     sensor;
  VigilRowReader *reader;
  double         *values;
  guint           n_values;
  gint64          dt_us;
} Stream;

static gpointer
worker_main (gpointer data)
{
  Worker *worker = data;
  VigilHydraulicReplay *self = worker->replay;
  const VigilReplayOptions *opt = &self->options;
  g_autoptr(VigilWindowOp) op = NULL;
  g_autoptr(VigilAlarmMachine) alarms = NULL;
  g_autoptr(VigilRowReader) profile = NULL;
  g_autoptr(VigilStoreBatch) batch = vigil_store_batch_new (self->session_id);
  g_autoptr(GError) error = NULL;
  Stream streams[VIGIL_N_SENSORS];
  guint n_streams = 0;
  gint64 chunk_us;
  gboolean finished = FALSE;

  op = vigil_window_op_new (opt->window_us, opt->slide_us, opt->lateness_us, VIGIL_N_SENSORS,
                            &error);
  if (op == NULL)
    goto out;
  alarms = vigil_alarm_machine_new (self->rules, worker->sensors);

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      g_autofree char *file = NULL;
      g_autofree char *path = NULL;
      Stream *st;

      if (!(worker->sensors & (1u << s)))
        continue;

      file = g_strconcat (vigil_sensor_get_info (s)->name, ".txt", NULL);
      path = g_build_filename (self->dir, file, NULL);
      st = &streams[n_streams];
      st->sensor = s;
      st->n_values = vigil_sensor_samples_per_cycle (s);
      st->dt_us = VIGIL_USEC_PER_SEC / vigil_sensor_get_info (s)->rate_hz;
      st->values = g_new (double, st->n_values);
      st->reader = vigil_row_reader_open (path, st->n_values, &error);
      n_streams++;
      if (st->reader == NULL)
        goto out;
    }

  /* Labels travel with the first worker. */
  if (worker->index == 0 && self->dataset->has_profile)
    {
      g_autofree char *path = g_build_filename (self->dir, "profile.txt", NULL);

      profile = vigil_row_reader_open (path, 5, &error);
      if (profile == NULL)
        goto out;
    }

  /* Paced replays hand samples on in slices of about a tenth of a wall second. */
  chunk_us = VIGIL_CYCLE_SECONDS * VIGIL_USEC_PER_SEC;
  if (vigil_replay_clock_is_paced (self->clock))
    chunk_us = CLAMP ((gint64) (opt->speed * 100000), 10000, chunk_us);

  for (guint k = 0; k < self->dataset->n_cycles; k++)
    {
      gint64 cycle_start = opt->start_us + (gint64) k * VIGIL_CYCLE_SECONDS * VIGIL_USEC_PER_SEC;
      guint64 samples = 0;

      if (atomic_load (&self->stop_requested))
        goto out;

      for (guint i = 0; i < n_streams; i++)
        {
          Stream *st = &streams[i];
          int r = vigil_row_reader_next (st->reader, st->values, &error);

          if (r == 0)
            g_set_error (&error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                         "%s:%u: the file ends after %u cycles, but the dataset had %u when the "
                         "replay started", vigil_row_reader_get_name (st->reader), k + 1, k,
                         self->dataset->n_cycles);
          if (r <= 0)
            goto out;
        }

      if (profile != NULL)
        {
          VigilCycleLabel label;
          int r = vigil_row_reader_next_label (profile, &label, &error);

          if (r == 0)
            g_set_error (&error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                         "profile.txt:%u: the file ends after %u cycles", k + 1, k);
          if (r <= 0)
            goto out;
          label.start_us = cycle_start;
          g_array_append_val (batch->labels, label);
        }

      for (gint64 off = 0; off < VIGIL_CYCLE_SECONDS * VIGIL_USEC_PER_SEC; off += chunk_us)
        {
          gint64 end = MIN (off + chunk_us, VIGIL_CYCLE_SECONDS * VIGIL_USEC_PER_SEC);
          guint first = batch->windows->len;

          /* A slice is due when its last sample has happened. */
          if (vigil_replay_clock_is_paced (self->clock) &&
              !vigil_replay_clock_wait (self->clock, cycle_start + end))
            goto out;

          for (guint i = 0; i < n_streams; i++)
            {
              Stream *st = &streams[i];
              guint a = (guint) ((off + st->dt_us - 1) / st->dt_us);
              guint b = (guint) MIN ((end + st->dt_us - 1) / st->dt_us, st->n_values);

              if (b <= a)
                continue;
              vigil_window_op_push_run (op, st->sensor, cycle_start + a * st->dt_us, st->dt_us,
                                        st->values + a, b - a, batch->windows, batch->late);
              samples += b - a;
            }

          process_windows (self, alarms, batch, first);
          if (vigil_replay_clock_is_paced (self->clock))
            submit_batch (self, &batch);
        }

      atomic_fetch_add (&self->samples, samples);
      atomic_store (&worker->cycles_done, k + 1);

      if (vigil_store_batch_get_size (batch) >= BATCH_ROWS)
        submit_batch (self, &batch);
    }

  /* End of stream: the last windows close. */
  {
    guint first = batch->windows->len;

    vigil_window_op_flush (op, batch->windows);
    process_windows (self, alarms, batch, first);
    vigil_alarm_machine_advance (alarms, G_MAXINT64 / 2, batch->transitions);
  }
  finished = TRUE;

out:
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    if (worker->sensors & (1u << s))
      atomic_fetch_add (&self->late, op != NULL ? vigil_window_op_get_late_count (op, s) : 0);

  /* Whatever closed is kept, even when the replay stops early or fails. */
  submit_batch (self, &batch);

  for (guint i = 0; i < n_streams; i++)
    {
      g_clear_pointer (&streams[i].reader, vigil_row_reader_free);
      g_free (streams[i].values);
    }

  if (error != NULL)
    set_error (self, g_steal_pointer (&error));

  g_debug ("worker %u %s", worker->index, finished ? "finished" : "stopped");

  return NULL;
}

/* Greedy partition of the present sensors over the workers, heaviest sensor first. */
static void
partition_sensors (VigilHydraulicReplay *self)
{
  guint64 load[64] = { 0 };
  guint n_present = 0;
  guint n;

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    n_present += (self->dataset->sensors >> s) & 1;

  /* One worker per processor: the store's writer thread is light (a few hundred thousand
   * rows for a hundred million samples) and more workers than cores only add switching. */
  n = self->options.n_workers;
  if (n == 0)
    n = g_get_num_processors ();
  n = CLAMP (n, 1, MIN (n_present, G_N_ELEMENTS (load)));

  self->n_workers = n;
  self->workers = g_new0 (Worker, n);
  for (guint i = 0; i < n; i++)
    {
      self->workers[i].replay = self;
      self->workers[i].index = i;
    }

  /* Sensors come in rate order (100 Hz first), so greedy assignment balances well. */
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      guint best = 0;

      if (!(self->dataset->sensors & (1u << s)))
        continue;
      for (guint i = 1; i < n; i++)
        if (load[i] < load[best])
          best = i;
      self->workers[best].sensors |= 1u << s;
      load[best] += vigil_sensor_samples_per_cycle (s);
    }
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
  g_clear_pointer (&self->workers, g_free);
  if (self->raises != NULL)
    for (guint i = 0; i < vigil_rule_set_get_n_rules (self->rules) * VIGIL_N_SENSORS; i++)
      g_array_unref (self->raises[i]);
  g_clear_pointer (&self->raises, g_free);
  g_clear_pointer (&self->rules, vigil_rule_set_unref);
  g_clear_object (&self->store);
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
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    atomic_store (&self->health[s], 100);
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

  return self;
}

gboolean
vigil_hydraulic_replay_start (VigilHydraulicReplay  *self,
                              GError               **error)
{
  g_autofree char *rules_json = NULL;
  g_autoptr(VigilWindowOp) check = NULL;
  VigilSessionInfo info;

  g_return_val_if_fail (VIGIL_IS_HYDRAULIC_REPLAY (self), FALSE);
  g_return_val_if_fail (!self->started, FALSE);

  if (self->options.speed < 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "The replay speed must be positive (or 0 for as fast as possible)");
      return FALSE;
    }

  /* Refuse bad window settings before anything is written. */
  check = vigil_window_op_new (self->options.window_us, self->options.slide_us,
                               self->options.lateness_us, 1, error);
  if (check == NULL)
    return FALSE;

  self->dataset = vigil_hydraulic_dataset_scan (self->dir, NULL, error);
  if (self->dataset == NULL)
    return FALSE;

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
  self->session_id = vigil_store_ensure_session (self->store, &info, error);
  if (self->session_id <= 0)
    return FALSE;

  partition_sensors (self);
  self->clock = vigil_replay_clock_new (self->options.speed, self->options.start_us);
  self->started_us = g_get_monotonic_time ();
  self->started = TRUE;

  for (guint i = 0; i < self->n_workers; i++)
    {
      g_autofree char *name = g_strdup_printf ("vigil-replay-%u", i);

      self->workers[i].thread = g_thread_new (name, worker_main, &self->workers[i]);
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
      for (guint i = 0; i < self->n_workers; i++)
        g_clear_pointer (&self->workers[i].thread, g_thread_join);
      self->joined = TRUE;

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
  stats->windows = atomic_load (&self->windows);
  stats->late = atomic_load (&self->late);
  stats->alarms_raised = atomic_load (&self->alarms_raised);
  stats->n_cycles = self->dataset != NULL ? self->dataset->n_cycles : 0;
  stats->cycles_done = stats->n_cycles;
  for (guint i = 0; i < self->n_workers; i++)
    stats->cycles_done = MIN (stats->cycles_done, atomic_load (&self->workers[i].cycles_done));

  stats->rig_health = 100;
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      stats->health[s] = atomic_load (&self->health[s]);
      if (self->dataset != NULL && (self->dataset->sensors & (1u << s)))
        stats->rig_health = MIN (stats->rig_health, stats->health[s]);
    }

  now = self->finished_us != 0 ? self->finished_us : g_get_monotonic_time ();
  stats->seconds = self->started ? (now - self->started_us) / 1e6 : 0;
}

gint64
vigil_hydraulic_replay_get_session (VigilHydraulicReplay *self)
{
  g_return_val_if_fail (VIGIL_IS_HYDRAULIC_REPLAY (self), 0);

  return self->session_id;
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
