/* vigil-kafka-publish.h
 *
 * A sink that publishes closed windows to Kafka (hydraulic-analytics) in the seed's format,
 * one message per window keyed by the sensor's name, so each sensor's windows stay in order
 * on one partition. It never blocks the engine: add_windows() formats and queues and returns;
 * when the bounded queue is full (the brokers are away or slower than the engine), windows
 * are dropped and counted rather than waited for. A thread of its own serves the delivery
 * reports, which are all checked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "vigil-kafka-connection.h"
#include "vigil-records.h"

G_BEGIN_DECLS

/* Messages waiting for the brokers before windows are dropped. */
#define VIGIL_KAFKA_PUBLISH_QUEUE_MAX 100000

typedef struct
{
  guint64 queued;      /* windows accepted */
  guint64 delivered;   /* acknowledged by the brokers */
  guint64 dropped;     /* refused because the queue was full */
  guint64 errors;      /* accepted but not delivered */
  guint64 skipped;     /* windows whose key is not a sensor (not part of the format) */
} VigilKafkaPublishStats;

typedef struct _VigilKafkaPublisher VigilKafkaPublisher;

/* @topic: NULL for "hydraulic-analytics"; a rig's prefixed topic ("rig-a.hydraulic-analytics")
 * names the rig for consumers, as vigil_kafka_topic_parse() reads it. */
VigilKafkaPublisher *vigil_kafka_publisher_new         (const VigilKafkaConnection  *connection,
                                                        const char                  *topic,
                                                        GError                     **error);
/* Waits up to about ten seconds for what is queued (not at all after a flush() that timed
 * out: the caller waited already), then drops the rest. */
void                 vigil_kafka_publisher_free        (VigilKafkaPublisher         *self);
/* Any thread; never blocks. Windows of a key that is not a sensor are skipped. */
void                 vigil_kafka_publisher_add_windows (VigilKafkaPublisher         *self,
                                                        const VigilWindowStats      *windows,
                                                        guint                        n_windows);
/* The same with the message's "rig" field set to @rig ("" or NULL: none), for a consumer of
 * several rigs publishing to one topic. @rig must be a valid rig name (vigil-kafka-message.h). */
void                 vigil_kafka_publisher_add_rig_windows (VigilKafkaPublisher     *self,
                                                            const char              *rig,
                                                            const VigilWindowStats  *windows,
                                                            guint                    n_windows);
/* Waits until everything queued is delivered or failed, at most @timeout_ms. FALSE with
 * G_IO_ERROR_TIMED_OUT if messages are still waiting. */
gboolean             vigil_kafka_publisher_flush       (VigilKafkaPublisher         *self,
                                                        guint                        timeout_ms,
                                                        GError                     **error);
/* Any thread. */
void                 vigil_kafka_publisher_get_stats   (VigilKafkaPublisher         *self,
                                                        VigilKafkaPublishStats      *stats);
/* The last delivery or connection error, or NULL; for logs and the UI. */
char                *vigil_kafka_publisher_dup_last_error (VigilKafkaPublisher      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilKafkaPublisher, vigil_kafka_publisher_free)

G_END_DECLS
