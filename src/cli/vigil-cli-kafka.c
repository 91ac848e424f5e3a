/* vigil-cli-kafka.c
 *
 * The Kafka connection options that `consume` and `produce` share, and the password prompt.
 *
 * The group's options are callbacks writing straight into the caller's VigilKafkaConnection.
 * A command that wants them listed in its plain --help (rather than under --help-kafka) makes
 * the group its main group with g_option_context_set_main_group() before adding its own
 * entries with g_option_context_add_main_entries().
 *
 * _vigil_cli_kafka_finish_connection() reports bad usage as G_IO_ERROR_INVALID_ARGUMENT (the
 * command's exit status 2); any other error (the terminal could not be read) is a failure.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-cli"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "vigil-cli-private.h"

#define PASSWORD_VARIABLE "VIGIL_KAFKA_PASSWORD"
#define MAX_PASSWORD      1024

static void
replace_string (char       **field,
                const char  *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

static gboolean
on_brokers (const char  *option_name,
            const char  *value,
            gpointer     data,
            GError     **error)
{
  VigilKafkaConnection *connection = data;

  replace_string (&connection->brokers, value);
  return TRUE;
}

static gboolean
on_security (const char  *option_name,
             const char  *value,
             gpointer     data,
             GError     **error)
{
  VigilKafkaConnection *connection = data;

  if (!vigil_kafka_security_from_string (value, &connection->security))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: “%s” is not one of plaintext, ssl, sasl_plaintext, sasl_ssl",
                   option_name, value);
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_mechanism (const char  *option_name,
              const char  *value,
              gpointer     data,
              GError     **error)
{
  VigilKafkaConnection *connection = data;

  if (!vigil_kafka_sasl_mechanism_from_string (value, &connection->mechanism))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: “%s” is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512",
                   option_name, value);
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_username (const char  *option_name,
             const char  *value,
             gpointer     data,
             GError     **error)
{
  VigilKafkaConnection *connection = data;

  replace_string (&connection->username, value);
  return TRUE;
}

static gboolean
on_ca_file (const char  *option_name,
            const char  *value,
            gpointer     data,
            GError     **error)
{
  VigilKafkaConnection *connection = data;

  replace_string (&connection->ca_file, value);
  return TRUE;
}

static gboolean
on_no_verify (const char  *option_name,
              const char  *value,
              gpointer     data,
              GError     **error)
{
  VigilKafkaConnection *connection = data;

  connection->verify_peer = FALSE;
  return TRUE;
}

GOptionGroup *
_vigil_cli_kafka_option_group (VigilKafkaConnection *connection)
{
  const GOptionEntry entries[] = {
    { "brokers", 'b', 0, G_OPTION_ARG_CALLBACK, on_brokers,
      "Kafka bootstrap servers (required)", "HOST:PORT[,HOST:PORT...]" },
    { "security", 0, 0, G_OPTION_ARG_CALLBACK, on_security,
      "plaintext (default), ssl, sasl_plaintext or sasl_ssl", "PROTOCOL" },
    { "sasl-mechanism", 0, 0, G_OPTION_ARG_CALLBACK, on_mechanism,
      "PLAIN (default), SCRAM-SHA-256 or SCRAM-SHA-512", "MECHANISM" },
    { "username", 0, 0, G_OPTION_ARG_CALLBACK, on_username,
      "SASL user name; the password comes from $" PASSWORD_VARIABLE " or a prompt", "NAME" },
    { "ca-file", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, on_ca_file,
      "PEM file of the certificate authorities to trust (default: the system's)", "FILE" },
    { "no-verify", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, on_no_verify,
      "Do not verify the brokers' TLS certificates (testing only)", NULL },
    { NULL }
  };
  GOptionGroup *group;

  g_return_val_if_fail (connection != NULL, NULL);

  group = g_option_group_new ("kafka", "Kafka connection options:",
                              "Show the Kafka connection options", connection, NULL);
  g_option_group_add_entries (group, entries);
  return group;
}

static gboolean
uses_sasl (const VigilKafkaConnection *connection)
{
  return connection->security == VIGIL_KAFKA_SECURITY_SASL_PLAINTEXT ||
         connection->security == VIGIL_KAFKA_SECURITY_SASL_SSL;
}

static gboolean
uses_tls (const VigilKafkaConnection *connection)
{
  return connection->security == VIGIL_KAFKA_SECURITY_SSL ||
         connection->security == VIGIL_KAFKA_SECURITY_SASL_SSL;
}

/* Reads one line from the terminal with echo off. The terminal's settings are restored
 * before returning, whatever happens. */
static char *
prompt_password (const VigilKafkaConnection  *connection,
                 GError                     **error)
{
  char buffer[MAX_PASSWORD + 2];
  struct termios saved;
  struct termios quiet;
  gboolean echo_off = FALSE;
  size_t length;
  FILE *tty;
  char *line;
  int fd;

  fd = open ("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s needs a password: set %s or run on a terminal",
                   vigil_kafka_security_to_string (connection->security), PASSWORD_VARIABLE);
      return NULL;
    }
  tty = fdopen (fd, "r+");
  if (tty == NULL)
    {
      int saved_errno = errno;

      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot read the password from the terminal: %s", g_strerror (saved_errno));
      return NULL;
    }

  fprintf (tty, "Kafka password for %s at %s: ", connection->username, connection->brokers);
  fflush (tty);

  if (tcgetattr (fd, &saved) == 0)
    {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) (ECHO | ECHONL);
      quiet.c_lflag |= ICANON;
      echo_off = tcsetattr (fd, TCSAFLUSH, &quiet) == 0;
    }

  line = fgets (buffer, sizeof buffer, tty);

  if (echo_off)
    tcsetattr (fd, TCSAFLUSH, &saved);
  fputc ('\n', tty);
  fclose (tty);

  if (line == NULL)
    {
      explicit_bzero (buffer, sizeof buffer);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "no password entered for %s", connection->username);
      return NULL;
    }

  length = strcspn (buffer, "\r\n");
  if (length > MAX_PASSWORD)
    {
      explicit_bzero (buffer, sizeof buffer);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "the password is longer than %d bytes", MAX_PASSWORD);
      return NULL;
    }
  line = g_strndup (buffer, length);
  explicit_bzero (buffer, sizeof buffer);
  return line;
}

gboolean
_vigil_cli_kafka_finish_connection (VigilKafkaConnection  *connection,
                                    GError               **error)
{
  rd_kafka_conf_t *conf;

  g_return_val_if_fail (connection != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (connection->brokers == NULL || *connection->brokers == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "--brokers HOST:PORT is required");
      return FALSE;
    }
  if (!uses_sasl (connection) && connection->username != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "--username needs --security sasl_plaintext or sasl_ssl");
      return FALSE;
    }
  if (!uses_sasl (connection) && connection->mechanism != VIGIL_KAFKA_SASL_PLAIN)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "--sasl-mechanism needs --security sasl_plaintext or sasl_ssl");
      return FALSE;
    }
  if (!uses_tls (connection) && (connection->ca_file != NULL || !connection->verify_peer))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s needs --security ssl or sasl_ssl",
                   connection->ca_file != NULL ? "--ca-file" : "--no-verify");
      return FALSE;
    }
  if (uses_sasl (connection) && (connection->username == NULL || *connection->username == '\0'))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--security %s needs --username",
                   vigil_kafka_security_to_string (connection->security));
      return FALSE;
    }
  if (connection->ca_file != NULL && !g_file_test (connection->ca_file, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--ca-file: “%s” is not a readable file", connection->ca_file);
      return FALSE;
    }

  /* Checks the broker list's syntax the same way the engine will. */
  conf = vigil_kafka_connection_new_conf (connection, error);
  if (conf == NULL)
    return FALSE;
  rd_kafka_conf_destroy (conf);

  /* Turning verification off is the operator's explicit choice; it must not go unnoticed in
   * a script's output either. */
  if (uses_tls (connection) && !connection->verify_peer)
    g_printerr ("vigil-cli: warning: --no-verify: the TLS certificates and host names of %s "
                "are not checked; anyone on the network path can pose as the brokers\n",
                connection->brokers);

  if (uses_sasl (connection) && connection->password == NULL)
    {
      const char *from_environment = g_getenv (PASSWORD_VARIABLE);

      if (from_environment != NULL)
        connection->password = g_strdup (from_environment);
      else
        {
          connection->password = prompt_password (connection, error);
          if (connection->password == NULL)
            return FALSE;
        }
    }
  return TRUE;
}
