/* vigil-player.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-player"

#include "config.h"

#include "vigil-error.h"
#include "vigil-player.h"
#include "vigil-recording.h"
#include "vigil-time.h"

struct _VigilPlayer
{
  GObject               parent_instance;

  VigilLive            *live;

  /* The source: at most one of replay, kafka and recording. */
  VigilSourceKind       kind;
  char                 *source;
  char                 *db_path;
  VigilStore           *store;       /* where a dataset replay writes */
  VigilHydraulicReplay *replay;
  VigilKafkaSource     *kafka;
  VigilRuleSet         *rules;
  VigilReplayOptions    options;
  VigilRecording       *recording;

  VigilPlayerState      state;
  double                speed;
  GError               *error;
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_SPEED,
  PROP_SOURCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (VigilPlayer, vigil_player, G_TYPE_OBJECT)

static void
set_state (VigilPlayer      *self,
           VigilPlayerState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* Stops the running replay and waits for what it computed to be stored. */
static void
stop_replay (VigilPlayer *self)
{
  g_autoptr(GError) error = NULL;

  if (self->replay == NULL)
    return;

  vigil_hydraulic_replay_stop (self->replay);
  if (!vigil_hydraulic_replay_wait (self->replay, &error) && self->error == NULL)
    self->error = g_steal_pointer (&error);
  g_clear_object (&self->replay);
}

/* Stops the subscription and waits for its final windows and offsets to be stored. */
static void
stop_kafka (VigilPlayer *self)
{
  g_autoptr(GError) error = NULL;

  if (self->kafka == NULL)
    return;

  vigil_kafka_source_stop (self->kafka);
  if (!vigil_kafka_source_wait (self->kafka, &error) && self->error == NULL)
    self->error = g_steal_pointer (&error);
  g_clear_object (&self->kafka);
}

void
vigil_player_close (VigilPlayer *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (VIGIL_IS_PLAYER (self));

  stop_replay (self);
  stop_kafka (self);
  if (self->recording != NULL)
    vigil_recording_stop (self->recording);
  g_clear_object (&self->recording);
  if (self->store != NULL && !vigil_store_close (self->store, &error))
    g_warning ("Closing %s: %s", self->db_path, error->message);
  g_clear_object (&self->store);
  g_clear_pointer (&self->rules, vigil_rule_set_unref);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->db_path, g_free);
  g_clear_error (&self->error);
  vigil_replay_options_init (&self->options);
  self->kind = VIGIL_SOURCE_NONE;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
  set_state (self, VIGIL_PLAYER_EMPTY);
}

static void
vigil_player_dispose (GObject *object)
{
  VigilPlayer *self = VIGIL_PLAYER (object);

  if (self->kind != VIGIL_SOURCE_NONE)
    vigil_player_close (self);

  G_OBJECT_CLASS (vigil_player_parent_class)->dispose (object);
}

static void
vigil_player_finalize (GObject *object)
{
  VigilPlayer *self = VIGIL_PLAYER (object);

  g_clear_object (&self->live);

  G_OBJECT_CLASS (vigil_player_parent_class)->finalize (object);
}

static void
vigil_player_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  VigilPlayer *self = VIGIL_PLAYER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_SPEED:
      g_value_set_double (value, self->speed);
      break;
    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vigil_player_class_init (VigilPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vigil_player_dispose;
  object_class->finalize = vigil_player_finalize;
  object_class->get_property = vigil_player_get_property;

  /* VigilPlayerState */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, VIGIL_PLAYER_EMPTY, VIGIL_PLAYER_FAILED,
                      VIGIL_PLAYER_EMPTY,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SPEED] =
    g_param_spec_double ("speed", NULL, NULL, 0, G_MAXDOUBLE, 10,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SOURCE] =
    g_param_spec_string ("source", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vigil_player_init (VigilPlayer *self)
{
  self->live = vigil_live_new ();
  self->speed = 10;
  vigil_replay_options_init (&self->options);
}

VigilPlayer *
vigil_player_new (void)
{
  return g_object_new (VIGIL_TYPE_PLAYER, NULL);
}

VigilLive *
vigil_player_get_live (VigilPlayer *self)
{
  g_return_val_if_fail (VIGIL_IS_PLAYER (self), NULL);

  return self->live;
}

static gboolean
start_replay (VigilPlayer  *self,
              guint         first_cycle,
              GError      **error)
{
  g_autoptr(VigilHydraulicReplay) replay = NULL;
  VigilReplayOptions options = self->options;

  options.speed = self->speed;
  options.first_cycle = first_cycle;
  replay = vigil_hydraulic_replay_new (self->source, self->store, self->rules, &options);
  vigil_hydraulic_replay_set_live (replay, self->live);
  if (!vigil_hydraulic_replay_start (replay, error))
    return FALSE;

  self->replay = g_steal_pointer (&replay);
  return TRUE;
}

gboolean
vigil_player_open_dataset (VigilPlayer               *self,
                           const char                *dir,
                           const char                *db_path,
                           VigilRuleSet              *rules,
                           const VigilReplayOptions  *options,
                           GError                   **error)
{
  g_autoptr(VigilStore) store = NULL;

  g_return_val_if_fail (VIGIL_IS_PLAYER (self), FALSE);
  g_return_val_if_fail (dir != NULL && db_path != NULL && rules != NULL, FALSE);

  vigil_player_close (self);

  store = vigil_store_open (db_path, error);
  if (store == NULL)
    return FALSE;

  self->kind = VIGIL_SOURCE_DATASET;
  self->source = g_canonicalize_filename (dir, NULL);
  self->db_path = g_strdup (db_path);
  self->store = g_steal_pointer (&store);
  self->rules = vigil_rule_set_ref (rules);
  if (options != NULL)
    {
      self->options = *options;
      self->speed = options->speed;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEED]);
    }

  if (!start_replay (self, 0, error))
    {
      vigil_player_close (self);
      return FALSE;
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
  set_state (self, VIGIL_PLAYER_PLAYING);
  return TRUE;
}

gboolean
vigil_player_open_kafka (VigilPlayer                *self,
                         const VigilKafkaConnection *connection,
                         const char * const         *topics,
                         const char                 *group,
                         VigilKafkaStart             start,
                         const char                 *db_path,
                         VigilRuleSet               *rules,
                         const VigilReplayOptions   *options,
                         GError                    **error)
{
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilKafkaSource) kafka = NULL;
  VigilKafkaSourceOptions kafka_options;
  VigilReplayOptions replay_options;

  g_return_val_if_fail (VIGIL_IS_PLAYER (self), FALSE);
  g_return_val_if_fail (connection != NULL && db_path != NULL && rules != NULL, FALSE);

  vigil_player_close (self);

  if (options != NULL)
    replay_options = *options;
  else
    vigil_replay_options_init (&replay_options);

  store = vigil_store_open (db_path, error);
  if (store == NULL)
    return FALSE;

  vigil_kafka_source_options_init (&kafka_options);
  kafka_options.group = group;
  kafka_options.topics = topics;
  kafka_options.start = start;
  kafka_options.start_us = replay_options.start_us;
  kafka_options.window_us = replay_options.window_us;
  kafka_options.slide_us = replay_options.slide_us;
  kafka_options.lateness_us = replay_options.lateness_us;

  kafka = vigil_kafka_source_new (connection, store, rules, &kafka_options);
  vigil_kafka_source_set_live (kafka, self->live);
  if (!vigil_kafka_source_start (kafka, error))
    {
      vigil_store_close (store, NULL);
      return FALSE;
    }

  self->kind = VIGIL_SOURCE_KAFKA;
  self->source = g_strdup (connection->brokers);
  self->db_path = g_strdup (db_path);
  self->store = g_steal_pointer (&store);
  self->rules = vigil_rule_set_ref (rules);
  self->options = replay_options;
  self->kafka = g_steal_pointer (&kafka);
  self->speed = 1;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
  set_state (self, VIGIL_PLAYER_PLAYING);
  return TRUE;
}

VigilKafkaSource *
vigil_player_get_kafka_source (VigilPlayer *self)
{
  g_return_val_if_fail (VIGIL_IS_PLAYER (self), NULL);

  return self->kafka;
}

gboolean
vigil_player_open_recording (VigilPlayer  *self,
                             const char   *path,
                             gint64        session_id,
                             double        speed,
                             GError      **error)
{
  g_autoptr(VigilRecording) recording = NULL;

  g_return_val_if_fail (VIGIL_IS_PLAYER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (speed >= 0, FALSE);

  vigil_player_close (self);

  recording = vigil_recording_open (path, session_id, error);
  if (recording == NULL || !vigil_recording_start (recording, self->live, speed, error))
    return FALSE;

  self->kind = VIGIL_SOURCE_RECORDING;
  self->source = g_canonicalize_filename (path, NULL);
  self->db_path = g_strdup (self->source);
  self->recording = g_steal_pointer (&recording);
  self->speed = speed;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
  set_state (self, VIGIL_PLAYER_PLAYING);
  return TRUE;
}

VigilPlayerState
vigil_player_get_state (VigilPlayer *self)
{
  g_return_val_if_fail (VIGIL_IS_PLAYER (self), VIGIL_PLAYER_EMPTY);

  return self->state;
}

VigilSourceKind
vigil_player_get_kind (VigilPlayer *self)
{
  g_return_val_if_fail (VIGIL_IS_PLAYER (self), VIGIL_SOURCE_NONE);

  return self->kind;
}

const char *
vigil_player_get_source (VigilPlayer *self)
{
  g_return_val_if_fail (VIGIL_IS_PLAYER (self), NULL);

  return self->source;
}

const char *
vigil_player_get_db_path (VigilPlayer *self)
{
  g_return_val_if_fail (VIGIL_IS_PLAYER (self), NULL);

  return self->db_path;
}

gint64
vigil_player_get_session_id (VigilPlayer *self)
{
  g_return_val_if_fail (VIGIL_IS_PLAYER (self), 0);

  if (self->recording != NULL)
    return vigil_recording_get_summary (self->recording)->id;
  if (self->replay != NULL)
    return vigil_hydraulic_replay_get_session_id (self->replay);

  return 0;
}

const GError *
vigil_player_get_error (VigilPlayer *self)
{
  g_return_val_if_fail (VIGIL_IS_PLAYER (self), NULL);

  return self->error;
}

gboolean
vigil_player_get_can_act (VigilPlayer *self)
{
  g_return_val_if_fail (VIGIL_IS_PLAYER (self), FALSE);

  return (self->kind == VIGIL_SOURCE_DATASET && self->replay != NULL) ||
         (self->kind == VIGIL_SOURCE_KAFKA && self->kafka != NULL);
}

void
vigil_player_set_paused (VigilPlayer *self,
                         gboolean     paused)
{
  g_return_if_fail (VIGIL_IS_PLAYER (self));

  /* A subscription cannot hold the brokers back; it plays as messages come. */
  if ((self->state != VIGIL_PLAYER_PLAYING && self->state != VIGIL_PLAYER_PAUSED) ||
      self->kind == VIGIL_SOURCE_KAFKA)
    return;

  if (self->replay != NULL)
    vigil_hydraulic_replay_set_paused (self->replay, paused);
  else if (self->recording != NULL)
    vigil_recording_set_paused (self->recording, paused);

  set_state (self, paused ? VIGIL_PLAYER_PAUSED : VIGIL_PLAYER_PLAYING);
}

double
vigil_player_get_speed (VigilPlayer *self)
{
  g_return_val_if_fail (VIGIL_IS_PLAYER (self), 0);

  return self->speed;
}

void
vigil_player_set_speed (VigilPlayer *self,
                        double       speed)
{
  g_return_if_fail (VIGIL_IS_PLAYER (self));
  g_return_if_fail (speed >= 0);

  if (self->speed == speed || self->kind == VIGIL_SOURCE_KAFKA)
    return;

  self->speed = speed;
  if (self->replay != NULL)
    vigil_hydraulic_replay_set_speed (self->replay, speed);
  else if (self->recording != NULL)
    vigil_recording_set_speed (self->recording, speed);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEED]);
}

gint64
vigil_player_get_position (VigilPlayer *self)
{
  VigilLiveCounters counters;

  g_return_val_if_fail (VIGIL_IS_PLAYER (self), 0);

  vigil_live_get_counters (self->live, &counters);
  return counters.position_us;
}

void
vigil_player_get_range (VigilPlayer *self,
                        gint64      *start_us,
                        gint64      *end_us)
{
  VigilLiveCounters counters;

  g_return_if_fail (VIGIL_IS_PLAYER (self));

  vigil_live_get_counters (self->live, &counters);
  if (start_us != NULL)
    *start_us = counters.start_us;
  if (end_us != NULL)
    *end_us = counters.end_us;
}

gboolean
vigil_player_seek (VigilPlayer  *self,
                   gint64        at_us,
                   GError      **error)
{
  gint64 start, end;

  g_return_val_if_fail (VIGIL_IS_PLAYER (self), FALSE);

  /* Kafka plays what arrives; its past is in the recording, opened as such. */
  if (self->kind == VIGIL_SOURCE_NONE || self->kind == VIGIL_SOURCE_KAFKA)
    return TRUE;

  vigil_player_get_range (self, &start, &end);
  at_us = CLAMP (at_us, start, end - 1);

  if (self->kind == VIGIL_SOURCE_RECORDING)
    {
      vigil_recording_seek (self->recording, at_us);
    }
  else
    {
      const gint64 cycle_us = VIGIL_CYCLE_SECONDS * VIGIL_USEC_PER_SEC;
      guint cycle = (guint) ((at_us - self->options.start_us) / cycle_us);

      stop_replay (self);
      g_clear_error (&self->error);
      if (!start_replay (self, cycle, error))
        {
          set_state (self, VIGIL_PLAYER_FAILED);
          return FALSE;
        }
      if (self->state == VIGIL_PLAYER_PAUSED)
        vigil_hydraulic_replay_set_paused (self->replay, TRUE);
    }

  if (self->state == VIGIL_PLAYER_FINISHED || self->state == VIGIL_PLAYER_FAILED)
    set_state (self, VIGIL_PLAYER_PLAYING);

  return TRUE;
}

void
vigil_player_poll (VigilPlayer *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (VIGIL_IS_PLAYER (self));

  if (self->state != VIGIL_PLAYER_PLAYING)
    return;

  if (self->replay != NULL && vigil_hydraulic_replay_is_finished (self->replay))
    {
      if (!vigil_hydraulic_replay_wait (self->replay, &error))
        {
          g_clear_error (&self->error);
          self->error = g_steal_pointer (&error);
          set_state (self, VIGIL_PLAYER_FAILED);
          return;
        }
      set_state (self, VIGIL_PLAYER_FINISHED);
    }
  else if (self->recording != NULL && vigil_recording_is_finished (self->recording))
    {
      set_state (self, VIGIL_PLAYER_FINISHED);
    }
  else if (self->kafka != NULL &&
           vigil_kafka_source_get_state (self->kafka) == VIGIL_KAFKA_SOURCE_FAILED)
    {
      if (!vigil_kafka_source_wait (self->kafka, &error))
        {
          g_clear_error (&self->error);
          self->error = g_steal_pointer (&error);
        }
      set_state (self, VIGIL_PLAYER_FAILED);
    }
}

typedef struct
{
  gboolean     shelve;
  char        *rule;
  guint        sensor;     /* the key: a sensor or a component */
  gint64       duration_us;
  char        *comment;
} ActionData;

static void
action_data_free (gpointer data)
{
  ActionData *action = data;

  g_free (action->rule);
  g_free (action->comment);
  g_free (action);
}

static void
action_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  VigilHydraulicReplay *replay = g_object_get_data (G_OBJECT (task), "replay");
  VigilKafkaSource *kafka = g_object_get_data (G_OBJECT (task), "kafka");
  ActionData *action = task_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  /* A subscription acts on the rig the live bus shows. */
  if (kafka != NULL && action->shelve)
    ok = vigil_kafka_source_shelve (kafka, NULL, action->rule, action->sensor,
                                    action->duration_us, action->comment, &error);
  else if (kafka != NULL)
    ok = vigil_kafka_source_acknowledge (kafka, NULL, action->rule, action->sensor,
                                         action->comment, &error);
  else if (action->shelve)
    ok = vigil_hydraulic_replay_shelve (replay, action->rule, action->sensor,
                                        action->duration_us, action->comment, &error);
  else
    ok = vigil_hydraulic_replay_acknowledge (replay, action->rule, action->sensor,
                                             action->comment, &error);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
run_action (VigilPlayer         *self,
            ActionData          *action,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, run_action);
  g_task_set_task_data (task, action, action_data_free);

  if (self->kind == VIGIL_SOURCE_RECORDING)
    {
      g_task_return_new_error (task, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                               "%s is a recording: its alarms are as they were recorded",
                               self->source);
      return;
    }
  if (!vigil_player_get_can_act (self))
    {
      g_task_return_new_error (task, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                               "No replay is running to act on");
      return;
    }

  /* The task keeps the source alive even if a seek or another source replaces it
   * meanwhile. */
  if (self->kind == VIGIL_SOURCE_KAFKA)
    g_object_set_data_full (G_OBJECT (task), "kafka", g_object_ref (self->kafka),
                            g_object_unref);
  else
    g_object_set_data_full (G_OBJECT (task), "replay", g_object_ref (self->replay),
                            g_object_unref);
  g_task_run_in_thread (task, action_thread);
}

void
vigil_player_acknowledge_async (VigilPlayer         *self,
                                const char          *rule,
                                guint                sensor,
                                const char          *comment,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  ActionData *action;

  g_return_if_fail (VIGIL_IS_PLAYER (self));
  g_return_if_fail (rule != NULL);

  action = g_new0 (ActionData, 1);
  action->rule = g_strdup (rule);
  action->sensor = sensor;
  action->comment = g_strdup (comment);
  run_action (self, action, cancellable, callback, user_data);
}

void
vigil_player_shelve_async (VigilPlayer         *self,
                           const char          *rule,
                           guint                sensor,
                           gint64               duration_us,
                           const char          *comment,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  ActionData *action;

  g_return_if_fail (VIGIL_IS_PLAYER (self));
  g_return_if_fail (rule != NULL);
  g_return_if_fail (duration_us > 0);

  action = g_new0 (ActionData, 1);
  action->shelve = TRUE;
  action->rule = g_strdup (rule);
  action->sensor = sensor;
  action->duration_us = duration_us;
  action->comment = g_strdup (comment);
  run_action (self, action, cancellable, callback, user_data);
}

gboolean
vigil_player_action_finish (VigilPlayer   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (VIGIL_IS_PLAYER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
