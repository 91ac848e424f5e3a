/* vigil-kafka-source-private.h
 *
 * What the Kafka source's consumer thread (vigil-kafka-source.c), what it makes of records
 * (vigil-kafka-dispatch.c, vigil-kafka-traffic.c), its checkpoints and rebalancing
 * (vigil-kafka-offsets.c) and its publishing and operator actions (vigil-kafka-actions.c)
 * share. Everything here belongs to the consumer thread unless a lock says otherwise.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stdatomic.h>

#include "vigil-hydraulic-replay-private.h"
#include "vigil-kafka-message.h"
#include "vigil-kafka-source.h"
#include "vigil-predictor.h"

G_BEGIN_DECLS

#define DEFAULT_GROUP "vigil"
#define POLL_MS 100
/* Records between checkpoints at most, however fast they come. */
#define CHECKPOINT_RECORDS 200000
#define LAG_INTERVAL_US (G_USEC_PER_SEC)
/* A watermark this far out means the stream was flushed (a stop): it starts again. */
#define FINISHED_WATERMARK (G_MAXINT64 / 8)
#define LIVE_RUN 256
/* Cycles a stream holds back for the predictor when other sensors lag behind. */
#define MAX_HELD_CYCLES 2

typedef struct _Rig Rig;

typedef struct
{
  char     *topic;
  gint32    partition;
  gboolean  assigned;
  gboolean  stored;        /* positioned at a stored resume offset */
  gint64    next_offset;   /* one past the last record processed; -1 none since assigned */
  gint64    replay_until;  /* records before it were processed by an earlier run; -1 none */
  gint64    resume;        /* checkpoint()'s scratch */
  gint64    high;          /* the brokers' high watermark; -1 unknown */
} Partition;

typedef struct
{
  gint64     bucket;       /* floor (event time / slide) */
  Partition *partition;
  gint64     offset;
} Mark;

typedef struct
{
  VigilSensorStage stage;
  gboolean  seen;             /* a sample came since the stream was made */
  gboolean  drop_first;       /* windows before the first sample are partial */
  gint64    restored_wm;      /* stored watermark the operator has not reached; G_MININT64 */
  gint64    max_event_us;
  gint64    idle_wm;          /* where an idle advance moved the watermark */
  guint64   next_late_seq;
  GArray   *marks;            /* Mark */
  gint64    dt_us;

  /* The cycle being gathered for the predictor */
  double   *values;
  guint     n_values;
  gint64    cycle;            /* -1 none */
  guint     n_filled;
  gint64    cycle_start_us;

  /* Samples not yet published to the live bus, a regular run */
  double    run[LIVE_RUN];
  guint     run_n;
  gint64    run_t0;
} Stream;

struct _Rig
{
  VigilKafkaSource *source;
  char             *name;
  gint64            session_id;
  VigilStageShared *shared;         /* the source's, with or without the live bus */
  Stream           *streams[VIGIL_N_SENSORS];
  VigilPredictor   *predictor;      /* NULL without champions */
  gint64            predicted_next; /* the cycle after the latest predicted */
  VigilStoreBatch  *batch;          /* results since the last checkpoint */
};

struct _VigilKafkaSource
{
  GObject parent_instance;

  /* Set at construction, read-only afterwards */
  VigilKafkaConnection     connection;
  VigilStore              *store;
  VigilRuleSet            *rules;
  VigilKafkaSourceOptions  options;     /* strings point into the fields below */
  char                    *group;
  GStrv                    topics;
  GStrv                    properties;
  VigilLive               *live;

  /* Used by the consumer thread only (and by start before it runs) */
  rd_kafka_t              *rk;
  VigilKafkaFastParser    *parser;
  GHashTable              *partitions;  /* "topic\npartition" -> Partition */
  GHashTable              *rigs;        /* name -> Rig */
  GHashTable              *sessions;    /* name -> gint64 *: sessions met so far */
  char                    *live_rig;    /* the rig on the live bus */
  GArray                  *dead_letters; /* VigilStoreDeadLetter since the last checkpoint */
  gboolean                 reset_pending;
  gboolean                 use_stored;
  gboolean                 dirty;
  rd_kafka_topic_partition_list_t *reseek;
  gint64                   last_checkpoint_us;
  guint64                  since_checkpoint;
  gint64                   last_lag_us;
  gboolean                 idle_done;
  VigilStageShared         shared_live;
  VigilStageShared         shared_quiet;
  GHashTable              *cameras;     /* camera id -> KafkaCamera (vigil-kafka-traffic.c) */

  GThread                 *thread;
  gboolean                 started;
  gboolean                 joined;
  gint64                   started_us;
  atomic_int_fast64_t      finished_us;
  atomic_bool              stop_requested;
  atomic_int_fast64_t      last_activity_us;
  atomic_uint_fast64_t     messages;
  atomic_uint_fast64_t     samples;
  atomic_uint_fast64_t     labels;
  atomic_uint_fast64_t     late;
  atomic_uint_fast64_t     n_dead;
  atomic_uint_fast64_t     checkpoints;
  atomic_uint              n_rigs;
  atomic_uint_fast64_t     frames;
  atomic_uint              cameras_serial;
  atomic_uint              n_cameras;

  GMutex                   state_lock;  /* guards the five below */
  VigilKafkaSourceState    state;
  char                    *last_error;
  GArray                  *lag;         /* VigilKafkaPartitionLag */
  GError                  *error;       /* what made it fail */
  GPtrArray               *camera_list; /* VigilCamera met so far, in order of first sight */

  /* Publishing and operator actions (vigil-kafka-actions.c) */
  VigilKafkaPublisher     *publisher;   /* borrowed; NULL: nothing is published */
  GMutex                   actions_lock; /* guards the two below */
  GQueue                   actions;     /* waiting for the consumer thread */
  gboolean                 actions_closed; /* the consumer thread ended: no more are taken */
  atomic_uint              n_actions;   /* the queue's length, read without the lock */
};

/* vigil-kafka-source.c */

void       _vigil_kafka_source_set_state      (VigilKafkaSource                *self,
                                               VigilKafkaSourceState            state,
                                               const char                      *error_text);
/* The source gives up (the store cannot take its results): @error is kept for wait(). */
void       _vigil_kafka_source_fail           (VigilKafkaSource                *self,
                                               GError                          *error);
gboolean   _vigil_kafka_source_failed         (VigilKafkaSource                *self);
char      *_vigil_kafka_partition_key         (const char                      *topic,
                                               gint32                           partition);
Partition *_vigil_kafka_source_get_partition  (VigilKafkaSource                *self,
                                               const char                      *topic,
                                               gint32                           partition);

/* vigil-kafka-dispatch.c */

/* A record consumed: its rig's state, a dead letter or a camera's frame. FALSE when the
 * store failed. */
gboolean   _vigil_kafka_source_handle_message (VigilKafkaSource                *self,
                                               rd_kafka_message_t              *rkm,
                                               GError                         **error);
void       _vigil_kafka_rig_free              (Rig                             *rig);
/* Start of the oldest window still open under @watermark_us. */
gint64     _vigil_kafka_source_oldest_open_start (VigilKafkaSource             *self,
                                                  gint64                        watermark_us);
/* The watermark of @st, the stored one included while the operator has not reached it. */
gint64     _vigil_kafka_stream_get_watermark  (Stream                          *st);
void       _vigil_kafka_source_flush_live_run (Rig                             *rig,
                                               Stream                          *st);

/* vigil-kafka-actions.c */

/* Before @rig's batch goes to the store: its windows go to the publisher, if any. */
void       _vigil_kafka_source_publish_rig    (VigilKafkaSource                *self,
                                               Rig                             *rig);
/* On the consumer thread, between records: applies the operator actions waiting. */
void       _vigil_kafka_source_run_actions    (VigilKafkaSource                *self);
/* On the consumer thread, when it ends: refuses the actions waiting and any later ones. */
void       _vigil_kafka_source_close_actions  (VigilKafkaSource                *self);

/* vigil-kafka-offsets.c */

/* Writes everything since the last checkpoint with the offsets, in one transaction, then
 * commits the offsets to Kafka. FALSE when the source failed. */
gboolean   _vigil_kafka_source_checkpoint     (VigilKafkaSource                *self);
void       _vigil_kafka_source_on_rebalance   (rd_kafka_t                      *rk,
                                               rd_kafka_resp_err_t              err,
                                               rd_kafka_topic_partition_list_t *parts,
                                               void                            *opaque);
/* After a cooperative revocation: the partitions kept go back to where they resume. */
void       _vigil_kafka_source_reseek         (VigilKafkaSource                *self);
/* Publishes each assigned partition's lag; asks a broker whether it is back when retrying. */
void       _vigil_kafka_source_update_lag     (VigilKafkaSource                *self);

/* vigil-kafka-traffic.c */

/* A traffic_data message: its camera's frame analysed into the camera's batch, or a dead
 * letter in the camera's session when its image is unusable. FALSE when the store failed. */
gboolean   _vigil_kafka_source_handle_traffic (VigilKafkaSource                *self,
                                               const rd_kafka_message_t        *rkm,
                                               const VigilKafkaTraffic         *traffic,
                                               gboolean                         replayed,
                                               GError                         **error);
/* Moves every camera's results into @main, the checkpoint's batch, and lowers each partition's
 * resume offset to the first frame of the periods its cameras hold open. */
void       _vigil_kafka_source_checkpoint_cameras (VigilKafkaSource            *self,
                                                   VigilStoreBatch             *main);
/* After a checkpoint, as partitions go: the cameras are made afresh when their frames come
 * again, rebuilt from where their partitions resume. */
void       _vigil_kafka_source_drop_cameras   (VigilKafkaSource                *self);
/* End of the run: every camera closes its open periods. */
void       _vigil_kafka_source_finish_cameras (VigilKafkaSource                *self);
void       _vigil_kafka_source_free_cameras   (VigilKafkaSource                *self);

G_END_DECLS
