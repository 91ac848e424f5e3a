/* vigil-kafka-dialog.h
 *
 * Connect to Kafka: the cluster (brokers, TLS, SASL), the subscription (topics, consumer
 * group, where to start) and a connection test, remembered for next time with the password
 * in the desktop keyring. Connect opens the subscription in the window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vigil-kafka-connection.h"
#include "vigil-window.h"

G_BEGIN_DECLS

#define VIGIL_TYPE_KAFKA_DIALOG (vigil_kafka_dialog_get_type ())
G_DECLARE_FINAL_TYPE (VigilKafkaDialog, vigil_kafka_dialog, VIGIL, KAFKA_DIALOG, AdwWindow)

typedef enum
{
  VIGIL_KAFKA_TEST_NONE,     /* not tested since the form last changed */
  VIGIL_KAFKA_TEST_RUNNING,
  VIGIL_KAFKA_TEST_OK,
  VIGIL_KAFKA_TEST_FAILED,
} VigilKafkaTestState;

GtkWidget           *vigil_kafka_dialog_new            (VigilWindow           *window);
/* The form as a connection; FALSE (and @error says which field) when it does not hold. */
gboolean             vigil_kafka_dialog_get_connection (VigilKafkaDialog      *self,
                                                        VigilKafkaConnection  *out,
                                                        GError               **error);
/* Topic names and ^patterns, as typed (separated by commas or spaces). */
GStrv                vigil_kafka_dialog_get_topics     (VigilKafkaDialog      *self);
/* What the Test button does. */
void                 vigil_kafka_dialog_test           (VigilKafkaDialog      *self);
VigilKafkaTestState  vigil_kafka_dialog_get_test_state (VigilKafkaDialog      *self);
/* What the connection test found, as shown: "" before any test. */
const char          *vigil_kafka_dialog_get_test_text  (VigilKafkaDialog      *self);
/* What the Connect button does, without closing the dialog. */
gboolean             vigil_kafka_dialog_connect        (VigilKafkaDialog      *self,
                                                        GError               **error);

G_END_DECLS
