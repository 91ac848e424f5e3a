/* vigil-kafka-producer.h
 *
 * Publishes recorded data to Kafka in the seed pipeline's formats (DESIGN.md), paced like a
 * replay, so that anything fed by that pipeline can be fed by a folder of files:
 *
 * - a hydraulic dataset directory (UCI layout) as one message per sample on
 *   hydraulic-<SENSOR> and one per cycle on hydraulic-labels. Each message carries its event
 *   time from the replay clock: sample i of cycle c at start + c * 60 s + i / rate, a label at
 *   its cycle's start, the times a file replay gives them, so consuming what was produced
 *   gives the windows of replaying the files. Within a cycle messages go out in event-time
 *   order (a tick's samples in sensor order, the cycle's label first). The key is the rig
 *   name when there is one, else the sensor name (samples) or "labels": each topic's messages
 *   land on one partition in order.
 * - camera frames (a folder of numbered images or a video file) as base64 JPEG on traffic_data
 *   in the newer form, keyed by the camera id, on partition (camera number - 1) % 10, with
 *   normalised boxes when a detections CSV is given.
 *
 * The Kafka record's own timestamp is the time it was sent (a broker's retention counts from
 * it); the event time is the message's "timestamp". The producer is idempotent (no duplicates,
 * order kept per partition through retries); every delivery report is checked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vigil-kafka-connection.h"

G_BEGIN_DECLS

typedef struct
{
  guint64 queued;      /* messages handed to librdkafka */
  guint64 delivered;   /* acknowledged by the brokers */
  guint64 bytes;       /* payload bytes delivered */
  guint64 errors;      /* messages the brokers did not take (delivery failed) */
  guint64 purged;      /* messages given up unsent because the run was cancelled */
  double  seconds;     /* wall seconds since the run started (to its end once finished) */
} VigilKafkaProducerStats;

typedef struct
{
  double      speed;           /* event seconds per wall second; 0 = as fast as possible */
  gint64      start_us;        /* event time of cycle 0 (VIGIL_DEFAULT_START_US by default) */
  const char *rig;             /* NULL or "": one rig, plain topics */
  gboolean    rig_in_message;  /* FALSE: the rig prefixes the topics ("RIG.hydraulic-PS1");
                                * TRUE: plain topics and a "rig" field in every message */
} VigilKafkaHydraulicOptions;

void vigil_kafka_hydraulic_options_init (VigilKafkaHydraulicOptions *options);

/* Columns of a detections CSV (the shape `vigil-cli export detections` writes): camera, frame
 * (0-based position in source order), timestamp (ignored: frames are stamped from --fps),
 * track_id, class (name or 0-3), then the box in pixels of the source frame: left, top,
 * width, height. Rows of other cameras are skipped. */
#define VIGIL_KAFKA_DETECTIONS_HEADER "camera,frame,timestamp,track_id,class,x,y,w,h"

typedef struct
{
  const char *camera_id;       /* required: ends with its number, e.g. "cam_03" */
  double      fps;             /* frames per event second (10 by default) */
  double      speed;           /* event seconds per wall second (1 by default); 0 = max */
  gint64      start_us;        /* event time of frame 0 */
  const char *detections;      /* NULL, or a detections CSV */
} VigilKafkaTrafficOptions;

void vigil_kafka_traffic_options_init (VigilKafkaTrafficOptions *options);

/* The partition DESIGN.md gives a camera, (number - 1) % 10, from the digits that end its
 * id; FALSE if it does not end with a number from 1. */
gboolean vigil_kafka_camera_partition (const char *camera_id,
                                       gint32     *out_partition);

typedef struct _VigilKafkaProducer VigilKafkaProducer;

/* Checks @connection and creates the librdkafka producer (it connects lazily). */
VigilKafkaProducer *vigil_kafka_producer_new            (const VigilKafkaConnection  *connection,
                                                         GError                     **error);
/* Gives up anything still queued. */
void                vigil_kafka_producer_free           (VigilKafkaProducer          *self);

/* Each of these blocks until everything it produced is delivered (or failed), and fails if
 * the data could not be read, if any message was not delivered (the count and the first
 * reason in the message), on a fatal producer error, or with G_IO_ERROR_CANCELLED when
 * @cancellable fired: production stops at once, what was already sent is flushed for a few
 * seconds and the rest purged. The stats stay readable afterwards. */
gboolean            vigil_kafka_producer_send_hydraulic (VigilKafkaProducer          *self,
                                                         const char                  *dir,
                                                         const VigilKafkaHydraulicOptions *options,
                                                         GCancellable                *cancellable,
                                                         GError                     **error);
/* @source: a directory of numbered images (in the order of the number in each name; JPEG
 * files are sent as they are, other formats re-encoded to JPEG), or a video file GStreamer
 * can decode (every frame re-encoded to JPEG). */
gboolean            vigil_kafka_producer_send_traffic   (VigilKafkaProducer          *self,
                                                         const char                  *source,
                                                         const VigilKafkaTrafficOptions *options,
                                                         GCancellable                *cancellable,
                                                         GError                     **error);

/* Any thread, at any time; counts accumulate over the producer's runs. */
void                vigil_kafka_producer_get_stats      (VigilKafkaProducer          *self,
                                                         VigilKafkaProducerStats     *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilKafkaProducer, vigil_kafka_producer_free)

G_END_DECLS
