/* vigil-kafka-source.h
 *
 * Consumes the seed-format hydraulic topics of a Kafka cluster into the engine, exactly once
 * into the store: per rig and sensor the same windows, rules, alarms, health, labels and
 * predictions as a file replay. Rigs are told apart by the messages' optional "rig" field or
 * else a topic prefix ("rig-a.hydraulic-PS1"); each rig is a session of the store.
 *
 * Exactly once: auto-commit is off. Every store transaction carries, with the results it
 * writes, each partition's resume offset (the earliest record that state still open needs)
 * and the offset past the last record processed, and each sensor stream's watermark. On start
 * and on every assignment the consumer resumes from there: records before the processed
 * offset rebuild open windows without being counted or stored again, alarm states are rebuilt
 * from the stored windows, and rows are keyed, so a crash at any point changes nothing in the
 * final store. Offsets are committed to Kafka after the store commits, for lag tools only.
 *
 * Traffic: each camera id met on traffic_data becomes a VigilCamera (never started: its
 * frames are analysed on the consumer's thread) in a "traffic" session of its own, and what it
 * computes is written in the same transactions as the offsets of the frames it came from.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vigil-kafka-connection.h"
#include "vigil-kafka-publish.h"
#include "vigil-live.h"
#include "vigil-rules.h"
#include "vigil-sensor.h"
#include "vigil-store.h"

G_BEGIN_DECLS

typedef enum
{
  VIGIL_KAFKA_START_STORED,     /* the store's offsets; else the group's committed ones; else
                                 * the earliest */
  VIGIL_KAFKA_START_EARLIEST,   /* from the beginning: the group's stored offsets are dropped */
  VIGIL_KAFKA_START_LATEST,     /* only what arrives from now on */
} VigilKafkaStart;

/* "stored", "earliest", "latest", as the command line and the settings spell them. */
const char *vigil_kafka_start_to_string   (VigilKafkaStart  start);
gboolean    vigil_kafka_start_from_string (const char      *text,
                                           VigilKafkaStart *out);

typedef enum
{
  VIGIL_KAFKA_SOURCE_STOPPED,     /* not started, or finished */
  VIGIL_KAFKA_SOURCE_CONNECTING,  /* started; waiting for the brokers and an assignment */
  VIGIL_KAFKA_SOURCE_CONNECTED,   /* consuming */
  VIGIL_KAFKA_SOURCE_RETRYING,    /* brokers unreachable, refused or an error: retrying with
                                   * back-off; see the last error */
  VIGIL_KAFKA_SOURCE_FAILED,      /* gave up (the store failed, a bad setting): see wait() */
} VigilKafkaSourceState;

typedef struct
{
  const char         *group;         /* consumer group; NULL: "vigil" */
  const char * const *topics;        /* names, or regular expressions starting with '^';
                                      * NULL: "^hydraulic-.*", "hydraulic-labels" and
                                      * "traffic_data" */
  VigilKafkaStart     start;
  gint64              start_us;      /* event time of cycle 0 (the session's start) */
  gint64              window_us;     /* as the replay's: 60 s, 10 s, 10 s */
  gint64              slide_us;
  gint64              lateness_us;
  gint64              idle_us;       /* no record that long: watermarks move to the latest
                                      * sample, closing the windows it ends (5 s) */
  gint64              checkpoint_us; /* wall time between store transactions (250 ms) */
  const char * const *properties;    /* extra librdkafka settings, "key=value"; may be NULL */
} VigilKafkaSourceOptions;

void vigil_kafka_source_options_init (VigilKafkaSourceOptions *options);

/* A partition's progress: what is processed against what the brokers hold. */
typedef struct
{
  char   *topic;
  gint32  partition;
  gint64  position;     /* next offset to process; -1 before the first record */
  gint64  high;         /* high watermark; -1 while unknown */
  gint64  lag;          /* high - position; -1 while unknown */
} VigilKafkaPartitionLag;

void vigil_kafka_partition_lag_clear (gpointer lag);

typedef struct
{
  VigilKafkaSourceState state;
  guint64 messages;        /* records consumed, replayed ones included */
  guint64 samples;         /* new samples windowed */
  guint64 labels;
  guint64 windows;
  guint64 late;
  guint64 alarms_raised;
  guint64 dead_letters;    /* new ones */
  guint64 checkpoints;     /* store transactions with offsets */
  gint64  lag;             /* sum over the assigned partitions; -1 while unknown */
  guint   n_partitions;    /* assigned */
  guint   n_rigs;
  guint   health[VIGIL_N_SENSORS];  /* of the first rig */
  guint   rig_health;
  double  seconds;         /* wall seconds since start */
  double  idle_seconds;    /* since the last record or assignment; 0 before the first
                            * assignment */
  guint64 frames;          /* traffic frames analysed */
  guint   n_cameras;       /* cameras met on traffic_data */
} VigilKafkaSourceStats;

#define VIGIL_TYPE_KAFKA_SOURCE (vigil_kafka_source_get_type ())
G_DECLARE_FINAL_TYPE (VigilKafkaSource, vigil_kafka_source, VIGIL, KAFKA_SOURCE, GObject)

/* Copies @connection and @options. */
VigilKafkaSource *vigil_kafka_source_new       (const VigilKafkaConnection     *connection,
                                                VigilStore                     *store,
                                                VigilRuleSet                   *rules,
                                                const VigilKafkaSourceOptions  *options);
/* Before start(): the first rig's samples, windows, transitions and predictions are
 * published to @live (reset by start()). */
void              vigil_kafka_source_set_live  (VigilKafkaSource               *self,
                                                VigilLive                      *live);
/* Checks the settings, builds the consumer and starts its thread. INVALID names a bad
 * setting; broker trouble is never an error here (see the state). */
gboolean          vigil_kafka_source_start     (VigilKafkaSource               *self,
                                                GError                        **error);
/* Asks the thread to stop: the final windows are flushed and stored with the offsets. */
void              vigil_kafka_source_stop      (VigilKafkaSource               *self);
/* Joins the thread; returns the error that made the source fail, if any. */
gboolean          vigil_kafka_source_wait      (VigilKafkaSource               *self,
                                                GError                        **error);
/* Any thread, any time. */
void              vigil_kafka_source_get_stats (VigilKafkaSource               *self,
                                                VigilKafkaSourceStats          *stats);
VigilKafkaSourceState vigil_kafka_source_get_state (VigilKafkaSource           *self);
/* The last broker or topic error as a sentence, or NULL when there was none. */
char             *vigil_kafka_source_dup_last_error (VigilKafkaSource          *self);
/* The assigned partitions (VigilKafkaPartitionLag), by topic and partition. */
GArray           *vigil_kafka_source_dup_lag   (VigilKafkaSource               *self);
/* The cameras met on traffic_data so far (VigilCamera references, one per camera id, in order
 * of first sight; they outlive the run). A camera is added when its first message arrives;
 * after a rebalance a camera is made afresh and replaces the one of the same id at the same
 * place. The serial, which starts at 0, changes whenever the list does. Any thread. */
GPtrArray        *vigil_kafka_source_dup_cameras       (VigilKafkaSource       *self);
guint             vigil_kafka_source_get_cameras_serial (VigilKafkaSource      *self);
const char       *vigil_kafka_source_state_to_string (VigilKafkaSourceState     state);

/* Publishing and operator actions ----------------------------------------------------------- */

/* Before start(): every window a checkpoint stores is also handed to @publisher (borrowed: it
 * must outlive wait()), just before the store commits it, with the rig's name in "rig" when
 * the rig has one. A crash between the two publishes those windows again after the restart
 * (at least once), the rows stay exactly once. The publisher never blocks the consumer. */
void              vigil_kafka_source_set_publisher (VigilKafkaSource           *self,
                                                    VigilKafkaPublisher        *publisher);
/* Operator actions on a live alarm of @rig (NULL: the rig on the live bus, the first one),
 * applied on the consumer's thread through its alarm machines, journaled at the event time
 * the sensor has reached (a component's: the end of the latest cycle predicted), published to
 * the live bus and stored before they return. Any thread but the consumer's; blocks until the
 * consumer has taken the action (it looks between records, at least every 100 ms). Errors as
 * vigil_alarm_machine_acknowledge(); NOT_FOUND also for a rig or a sensor not seen yet, INVALID
 * when the source is not running. */
gboolean          vigil_kafka_source_acknowledge   (VigilKafkaSource           *self,
                                                    const char                 *rig,
                                                    const char                 *rule,
                                                    guint                       sensor,
                                                    const char                 *comment,
                                                    GError                    **error);
gboolean          vigil_kafka_source_shelve        (VigilKafkaSource           *self,
                                                    const char                 *rig,
                                                    const char                 *rule,
                                                    guint                       sensor,
                                                    gint64                      duration_us,
                                                    const char                 *comment,
                                                    GError                    **error);

G_END_DECLS
