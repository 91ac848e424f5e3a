/* vigil-player.h
 *
 * What the desktop app plays: a hydraulic dataset replayed through the engine into a
 * recording, or a recording replayed from its file. One place for play, pause, speed, seek
 * and operator actions, whatever the source; both publish to the same VigilLive.
 * Main-thread object: its properties change only in vigil_player_poll() and its own methods.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vigil-hydraulic-replay.h"
#include "vigil-kafka-source.h"
#include "vigil-live.h"

G_BEGIN_DECLS

typedef enum
{
  VIGIL_PLAYER_EMPTY,      /* no source */
  VIGIL_PLAYER_PLAYING,
  VIGIL_PLAYER_PAUSED,
  VIGIL_PLAYER_FINISHED,   /* the source ended; seeking plays again */
  VIGIL_PLAYER_FAILED,     /* see vigil_player_get_error() */
} VigilPlayerState;

typedef enum
{
  VIGIL_SOURCE_NONE,
  VIGIL_SOURCE_DATASET,    /* a UCI-layout folder, replayed through the engine */
  VIGIL_SOURCE_RECORDING,  /* a .sqlite file Vigil wrote, replayed as recorded */
  VIGIL_SOURCE_KAFKA,      /* a Kafka subscription, live, stored into a recording */
} VigilSourceKind;

#define VIGIL_TYPE_PLAYER (vigil_player_get_type ())
G_DECLARE_FINAL_TYPE (VigilPlayer, vigil_player, VIGIL, PLAYER, GObject)

VigilPlayer      *vigil_player_new              (void);
VigilLive        *vigil_player_get_live         (VigilPlayer               *self);
/* Replays @dir into the recording at @db_path (created if needed) and plays it. */
gboolean          vigil_player_open_dataset     (VigilPlayer               *self,
                                                 const char                *dir,
                                                 const char                *db_path,
                                                 VigilRuleSet              *rules,
                                                 const VigilReplayOptions  *options,
                                                 GError                   **error);
/* Plays session @session_id (0: the latest) of the recording at @path, read-only. */
gboolean          vigil_player_open_recording   (VigilPlayer               *self,
                                                 const char                *path,
                                                 gint64                     session_id,
                                                 double                     speed,
                                                 GError                   **error);
/* Subscribes to @topics (NULL: the hydraulic defaults) of the cluster @connection
 * describes, in consumer group @group, and plays what arrives live, storing it with its
 * offsets in the recording at @db_path (created if needed). @options gives the windows and
 * the start of cycle 0; its speed and seek are not used: Kafka plays as it comes. */
gboolean          vigil_player_open_kafka       (VigilPlayer               *self,
                                                 const VigilKafkaConnection *connection,
                                                 const char * const        *topics,
                                                 const char                *group,
                                                 VigilKafkaStart            start,
                                                 const char                *db_path,
                                                 VigilRuleSet              *rules,
                                                 const VigilReplayOptions  *options,
                                                 GError                   **error);
/* The running subscription (for its state, lag and dead letters), or NULL. */
VigilKafkaSource *vigil_player_get_kafka_source (VigilPlayer               *self);
/* Stops the source and waits for everything it computed to be stored. */
void              vigil_player_close            (VigilPlayer               *self);

VigilPlayerState  vigil_player_get_state        (VigilPlayer               *self);
VigilSourceKind   vigil_player_get_kind         (VigilPlayer               *self);
/* The dataset folder, the recording file or the brokers; NULL when empty. */
const char       *vigil_player_get_source       (VigilPlayer               *self);
/* The recording that holds what is shown (exports read it); NULL when empty. */
const char       *vigil_player_get_db_path      (VigilPlayer               *self);
gint64            vigil_player_get_session_id   (VigilPlayer               *self);
const GError     *vigil_player_get_error        (VigilPlayer               *self);
/* Whether operators can acknowledge and shelve: a dataset replayed or a Kafka subscription
 * (its rig on the live bus), not a replayed recording. */
gboolean          vigil_player_get_can_act      (VigilPlayer               *self);

void              vigil_player_set_paused       (VigilPlayer               *self,
                                                 gboolean                   paused);
double            vigil_player_get_speed        (VigilPlayer               *self);
void              vigil_player_set_speed        (VigilPlayer               *self,
                                                 double                     speed);
gint64            vigil_player_get_position     (VigilPlayer               *self);
void              vigil_player_get_range        (VigilPlayer               *self,
                                                 gint64                    *start_us,
                                                 gint64                    *end_us);
/* A dataset restarts at the cycle holding @at_us; a recording shows its state as of then. */
gboolean          vigil_player_seek             (VigilPlayer               *self,
                                                 gint64                     at_us,
                                                 GError                   **error);
/* Main thread, once per frame: notices a source that ended or failed. */
void              vigil_player_poll             (VigilPlayer               *self);

/* Operator actions, done off the main thread (the store may apply back-pressure). */
void              vigil_player_acknowledge_async (VigilPlayer              *self,
                                                  const char               *rule,
                                                  guint                     sensor,
                                                  const char               *comment,
                                                  GCancellable             *cancellable,
                                                  GAsyncReadyCallback       callback,
                                                  gpointer                  user_data);
void              vigil_player_shelve_async      (VigilPlayer              *self,
                                                  const char               *rule,
                                                  guint                     sensor,
                                                  gint64                    duration_us,
                                                  const char               *comment,
                                                  GCancellable             *cancellable,
                                                  GAsyncReadyCallback       callback,
                                                  gpointer                  user_data);
gboolean          vigil_player_action_finish     (VigilPlayer              *self,
                                                  GAsyncResult             *result,
                                                  GError                  **error);

G_END_DECLS
