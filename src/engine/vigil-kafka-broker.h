/* vigil-kafka-broker.h
 *
 * A Kafka-protocol broker in the process, to try Vigil without a cluster and to test it:
 * librdkafka's mock cluster, which speaks the real protocol on loopback and keeps everything in
 * memory. Its limits (say them wherever it is offered): loopback only, no TLS or SASL, nothing
 * survives the process, and each partition keeps only its newest 5 MiB of record batches (at
 * most 100 000 batches); older ones are dropped as a full retention would. Production uses a
 * real cluster.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Partitions of Vigil's topics unless asked otherwise; traffic_data always has
 * VIGIL_KAFKA_TRAFFIC_PARTITIONS (DESIGN.md: partition = (camera number - 1) % 10). Topics
 * created on the fly (a rig's prefixed topics) get the mock's own default of 4. */
#define VIGIL_KAFKA_BROKER_DEFAULT_PARTITIONS 4
#define VIGIL_KAFKA_TRAFFIC_PARTITIONS        10
#define VIGIL_KAFKA_BROKER_MAX_PARTITIONS     1000
#define VIGIL_KAFKA_BROKER_MAX_BROKERS        16

typedef struct _VigilKafkaBroker VigilKafkaBroker;

/* Starts @n_brokers mock brokers on loopback and creates Vigil's topics: hydraulic-<SENSOR>
 * for the 17 sensors, hydraulic-labels and hydraulic-analytics with @partitions each, and
 * traffic_data with 10. @port 0 lets the system choose the bootstrap port; otherwise the
 * bootstrap address listens on 127.0.0.1:@port (the brokers themselves always listen on ports
 * of their own, which the bootstrap's metadata announces). */
VigilKafkaBroker *vigil_kafka_broker_new           (guint              n_brokers,
                                                    guint16            port,
                                                    guint              partitions,
                                                    GError           **error);
void              vigil_kafka_broker_free          (VigilKafkaBroker  *self);
/* "127.0.0.1:PORT", for bootstrap.servers. */
const char       *vigil_kafka_broker_get_bootstrap (VigilKafkaBroker  *self);
/* Creates another topic (G_IO_ERROR_EXISTS if it exists). */
gboolean          vigil_kafka_broker_create_topic  (VigilKafkaBroker  *self,
                                                    const char        *topic,
                                                    guint              partitions,
                                                    GError           **error);
/* Takes every broker down (connections dropped, new ones refused) or brings them back: the
 * cluster going away and coming back. Topics and records are kept. */
void              vigil_kafka_broker_set_available (VigilKafkaBroker  *self,
                                                    gboolean           available);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilKafkaBroker, vigil_kafka_broker_free)

G_END_DECLS
