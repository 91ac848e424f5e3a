/* vigil-kafka-connection.h
 *
 * How Vigil reaches a Kafka cluster: bootstrap servers and security (TLS, SASL PLAIN or
 * SCRAM). One description shared by the consumer, the producer and the app's Open dialog, and
 * the single place that turns it into librdkafka configuration.
 *
 * The password is only ever held here, in memory: the app keeps it in the desktop keyring and
 * the CLI reads it from an environment variable or a prompt. Nothing in Vigil logs it, and
 * vigil_kafka_connection_describe() leaves it out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <librdkafka/rdkafka.h>

G_BEGIN_DECLS

typedef enum
{
  VIGIL_KAFKA_SECURITY_PLAINTEXT,
  VIGIL_KAFKA_SECURITY_SSL,
  VIGIL_KAFKA_SECURITY_SASL_PLAINTEXT,
  VIGIL_KAFKA_SECURITY_SASL_SSL,
} VigilKafkaSecurity;

typedef enum
{
  VIGIL_KAFKA_SASL_PLAIN,
  VIGIL_KAFKA_SASL_SCRAM_SHA_256,
  VIGIL_KAFKA_SASL_SCRAM_SHA_512,
} VigilKafkaSaslMechanism;

typedef struct
{
  char                    *brokers;       /* "host:port[,host:port...]" */
  VigilKafkaSecurity       security;
  VigilKafkaSaslMechanism  mechanism;     /* SASL_* security only */
  char                    *username;      /* SASL_* security only */
  char                    *password;      /* SASL_* security only; never logged */
  char                    *ca_file;       /* PEM; NULL: the system's certificate store */
  gboolean                 verify_peer;   /* TRUE unless the operator turns it off */
  char                    *client_id;     /* NULL: "vigil" */
} VigilKafkaConnection;

/* PLAINTEXT to @brokers (may be NULL), peer verification on. */
void                vigil_kafka_connection_init     (VigilKafkaConnection        *self,
                                                     const char                  *brokers);
/* Frees the strings; the password's memory is wiped first. */
void                vigil_kafka_connection_clear    (VigilKafkaConnection        *self);
void                vigil_kafka_connection_copy     (const VigilKafkaConnection  *self,
                                                     VigilKafkaConnection        *out);

/* Names as librdkafka and the command line spell them: "plaintext", "ssl", "sasl_plaintext",
 * "sasl_ssl"; "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512" (case-insensitive when parsed). */
const char         *vigil_kafka_security_to_string  (VigilKafkaSecurity           security);
gboolean            vigil_kafka_security_from_string (const char                 *text,
                                                      VigilKafkaSecurity         *out);
const char         *vigil_kafka_sasl_mechanism_to_string  (VigilKafkaSaslMechanism mechanism);
gboolean            vigil_kafka_sasl_mechanism_from_string (const char            *text,
                                                            VigilKafkaSaslMechanism *out);

/* Checks the description (brokers given and well formed, SASL with a user name) and returns a
 * new librdkafka configuration with bootstrap.servers, security.protocol, sasl.*, ssl.* and
 * client.id set; the caller adds its own role's settings. G_IO_ERROR_INVALID_ARGUMENT names
 * the field at fault. */
rd_kafka_conf_t    *vigil_kafka_connection_new_conf (const VigilKafkaConnection  *self,
                                                     GError                     **error);

/* Connects and asks the cluster for its topics, waiting at most @timeout_ms: what the Open
 * dialog's connection test does. Returns the topic names, sorted (internal ones, starting
 * with "__", left out), or NULL with G_IO_ERROR_TIMED_OUT (no broker answered),
 * G_IO_ERROR_PERMISSION_DENIED (authentication or authorization failed) or another code,
 * the message saying which and naming the brokers. Blocks: call it from a worker thread. */
GStrv               vigil_kafka_connection_list_topics (const VigilKafkaConnection *self,
                                                        guint                       timeout_ms,
                                                        GError                    **error);

/* "broker1:9092 (sasl_ssl, SCRAM-SHA-512 as alice)": for logs, errors and the UI. No
 * password. */
char               *vigil_kafka_connection_describe (const VigilKafkaConnection  *self);

G_END_DECLS
