/* vigil-cli-private.h
 *
 * The subcommands of vigil-cli. Each parses its own options with GOptionContext and returns
 * the process exit status: 0 on success, 1 on an error (one line on stderr), 2 on bad usage.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "vigil-kafka-connection.h"

G_BEGIN_DECLS

int  _vigil_cli_broker   (int argc, char **argv);
int  _vigil_cli_consume  (int argc, char **argv);
int  _vigil_cli_demo     (int argc, char **argv);
int  _vigil_cli_evaluate (int argc, char **argv);
int  _vigil_cli_export   (int argc, char **argv);
int  _vigil_cli_generate (int argc, char **argv);
int  _vigil_cli_produce  (int argc, char **argv);
int  _vigil_cli_replay   (int argc, char **argv);

/* Kafka connection options shared by `consume` and `produce` (vigil-cli-kafka.c): --brokers,
 * --security, --sasl-mechanism, --username, --ca-file, --no-verify, filling @connection
 * (which must stay alive while the group is used). finish() checks them and, for SASL, takes
 * the password from $VIGIL_KAFKA_PASSWORD or else a prompt on the terminal (not echoed). */
GOptionGroup *_vigil_cli_kafka_option_group      (VigilKafkaConnection  *connection);
gboolean      _vigil_cli_kafka_finish_connection (VigilKafkaConnection  *connection,
                                                  GError               **error);

/* Prints "vigil-cli: MESSAGE" on stderr and returns 1, for `return _vigil_cli_fail (error);`. */
int  _vigil_cli_fail     (const GError *error);
/* Prints a usage error with the command's --help hint and returns 2. */
int  _vigil_cli_usage    (const char *command,
                          const char *message);

G_END_DECLS
