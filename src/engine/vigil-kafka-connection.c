/* vigil-kafka-connection.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-kafka"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "vigil-kafka-connection.h"

static const char *const security_names[] = {
  [VIGIL_KAFKA_SECURITY_PLAINTEXT] = "plaintext",
  [VIGIL_KAFKA_SECURITY_SSL] = "ssl",
  [VIGIL_KAFKA_SECURITY_SASL_PLAINTEXT] = "sasl_plaintext",
  [VIGIL_KAFKA_SECURITY_SASL_SSL] = "sasl_ssl",
};

static const char *const mechanism_names[] = {
  [VIGIL_KAFKA_SASL_PLAIN] = "PLAIN",
  [VIGIL_KAFKA_SASL_SCRAM_SHA_256] = "SCRAM-SHA-256",
  [VIGIL_KAFKA_SASL_SCRAM_SHA_512] = "SCRAM-SHA-512",
};

void
vigil_kafka_connection_init (VigilKafkaConnection *self,
                             const char           *brokers)
{
  g_return_if_fail (self != NULL);

  memset (self, 0, sizeof *self);
  self->brokers = g_strdup (brokers);
  self->security = VIGIL_KAFKA_SECURITY_PLAINTEXT;
  self->mechanism = VIGIL_KAFKA_SASL_PLAIN;
  self->verify_peer = TRUE;
}

static void
wipe_string (char **string)
{
  if (*string != NULL)
    explicit_bzero (*string, strlen (*string));
  g_clear_pointer (string, g_free);
}

void
vigil_kafka_connection_clear (VigilKafkaConnection *self)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->brokers, g_free);
  g_clear_pointer (&self->username, g_free);
  wipe_string (&self->password);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->client_id, g_free);
}

void
vigil_kafka_connection_copy (const VigilKafkaConnection *self,
                             VigilKafkaConnection       *out)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);

  *out = *self;
  out->brokers = g_strdup (self->brokers);
  out->username = g_strdup (self->username);
  out->password = g_strdup (self->password);
  out->ca_file = g_strdup (self->ca_file);
  out->client_id = g_strdup (self->client_id);
}

const char *
vigil_kafka_security_to_string (VigilKafkaSecurity security)
{
  g_return_val_if_fail ((guint) security < G_N_ELEMENTS (security_names), NULL);

  return security_names[security];
}

/* The position of @text in @names, ignoring case; -1 when it is not there. */
static int
find_name (const char *const *names,
           guint              n_names,
           const char        *text)
{
  for (guint i = 0; text != NULL && i < n_names; i++)
    if (g_ascii_strcasecmp (text, names[i]) == 0)
      return (int) i;
  return -1;
}

gboolean
vigil_kafka_security_from_string (const char         *text,
                                  VigilKafkaSecurity *out)
{
  int i = find_name (security_names, G_N_ELEMENTS (security_names), text);

  g_return_val_if_fail (out != NULL, FALSE);

  if (i < 0)
    return FALSE;
  *out = (VigilKafkaSecurity) i;
  return TRUE;
}

const char *
vigil_kafka_sasl_mechanism_to_string (VigilKafkaSaslMechanism mechanism)
{
  g_return_val_if_fail ((guint) mechanism < G_N_ELEMENTS (mechanism_names), NULL);

  return mechanism_names[mechanism];
}

gboolean
vigil_kafka_sasl_mechanism_from_string (const char              *text,
                                        VigilKafkaSaslMechanism *out)
{
  int i = find_name (mechanism_names, G_N_ELEMENTS (mechanism_names), text);

  g_return_val_if_fail (out != NULL, FALSE);

  if (i < 0)
    return FALSE;
  *out = (VigilKafkaSaslMechanism) i;
  return TRUE;
}

static gboolean
uses_sasl (const VigilKafkaConnection *self)
{
  return self->security == VIGIL_KAFKA_SECURITY_SASL_PLAINTEXT ||
         self->security == VIGIL_KAFKA_SECURITY_SASL_SSL;
}

static gboolean
uses_tls (const VigilKafkaConnection *self)
{
  return self->security == VIGIL_KAFKA_SECURITY_SSL ||
         self->security == VIGIL_KAFKA_SECURITY_SASL_SSL;
}

/* Each entry is host:port with a port in 1-65535; hosts are left to the resolver. */
static gboolean
check_brokers (const char  *brokers,
               GError     **error)
{
  g_auto(GStrv) entries = NULL;

  if (brokers == NULL || *brokers == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "brokers: none given (expected host:port[,host:port...])");
      return FALSE;
    }

  entries = g_strsplit (brokers, ",", -1);
  for (guint i = 0; entries[i] != NULL; i++)
    {
      const char *entry = g_strstrip (entries[i]);
      const char *colon = strrchr (entry, ':');
      guint64 port = 0;

      if (colon == NULL || colon == entry ||
          !g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "brokers: '%s' is not host:port with a port from 1 to 65535", entry);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
set (rd_kafka_conf_t  *conf,
     const char       *name,
     const char       *value,
     GError          **error)
{
  char errstr[512];

  if (rd_kafka_conf_set (conf, name, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
    {
      /* librdkafka's message may quote the value; never echo a password back. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s: %s", name,
                   strcmp (name, "sasl.password") == 0 ? "not accepted" : errstr);
      return FALSE;
    }
  return TRUE;
}

rd_kafka_conf_t *
vigil_kafka_connection_new_conf (const VigilKafkaConnection  *self,
                                 GError                     **error)
{
  rd_kafka_conf_t *conf;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_brokers (self->brokers, error))
    return NULL;
  if ((guint) self->security >= G_N_ELEMENTS (security_names) ||
      (guint) self->mechanism >= G_N_ELEMENTS (mechanism_names))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "security: unknown protocol or mechanism");
      return NULL;
    }
  if (uses_sasl (self) && (self->username == NULL || *self->username == '\0'))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "username: %s needs a user name",
                   vigil_kafka_security_to_string (self->security));
      return NULL;
    }

  conf = rd_kafka_conf_new ();
  if (!set (conf, "bootstrap.servers", self->brokers, error) ||
      !set (conf, "client.id", self->client_id != NULL ? self->client_id : "vigil", error) ||
      !set (conf, "security.protocol", vigil_kafka_security_to_string (self->security), error))
    goto fail;

  if (uses_sasl (self) &&
      (!set (conf, "sasl.mechanisms", vigil_kafka_sasl_mechanism_to_string (self->mechanism),
             error) ||
       !set (conf, "sasl.username", self->username, error) ||
       !set (conf, "sasl.password", self->password != NULL ? self->password : "", error)))
    goto fail;

  if (uses_tls (self) && self->ca_file != NULL && *self->ca_file != '\0' &&
      !set (conf, "ssl.ca.location", self->ca_file, error))
    goto fail;

  /* Set whatever the protocol, rather than trusting librdkafka's defaults (host names were
   * not checked before 2.0), so that a later security.protocol=ssl still verifies. Only the
   * operator's explicit choice (--no-verify, the dialog's switch) turns either off. */
  if (!set (conf, "enable.ssl.certificate.verification",
            !uses_tls (self) || self->verify_peer ? "true" : "false", error) ||
      !set (conf, "ssl.endpoint.identification.algorithm",
            !uses_tls (self) || self->verify_peer ? "https" : "none", error))
    goto fail;

  return conf;

fail:
  rd_kafka_conf_destroy (conf);
  return NULL;
}

char *
vigil_kafka_connection_describe (const VigilKafkaConnection *self)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new (self->brokers != NULL ? self->brokers : "(no brokers)");
  g_string_append_printf (out, " (%s", vigil_kafka_security_to_string (self->security));
  if (uses_sasl (self))
    g_string_append_printf (out, ", %s as %s",
                            vigil_kafka_sasl_mechanism_to_string (self->mechanism),
                            self->username != NULL ? self->username : "?");
  if (uses_tls (self) && !self->verify_peer)
    g_string_append (out, ", certificate not verified");
  g_string_append_c (out, ')');
  return g_string_free (out, FALSE);
}

typedef struct
{
  GMutex              lock;
  rd_kafka_resp_err_t fatal;   /* the first authentication error librdkafka reported */
  char               *reason;
} ListState;

static void
list_error_cb (rd_kafka_t *rk,
               int         err,
               const char *reason,
               void       *opaque)
{
  ListState *state = opaque;

  if (err != RD_KAFKA_RESP_ERR__AUTHENTICATION &&
      err != RD_KAFKA_RESP_ERR__SSL &&
      err != RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED &&
      err != RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED &&
      err != RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED)
    return;

  g_mutex_lock (&state->lock);
  if (state->fatal == RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      state->fatal = (rd_kafka_resp_err_t) err;
      state->reason = g_strdup (reason);
    }
  g_mutex_unlock (&state->lock);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GStrv
vigil_kafka_connection_list_topics (const VigilKafkaConnection  *self,
                                    guint                        timeout_ms,
                                    GError                     **error)
{
  g_autofree char *who = NULL;
  const struct rd_kafka_metadata *metadata = NULL;
  rd_kafka_conf_t *conf;
  rd_kafka_t *rk;
  rd_kafka_resp_err_t err;
  ListState state = { 0 };
  GPtrArray *names;
  char errstr[512];

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  conf = vigil_kafka_connection_new_conf (self, error);
  if (conf == NULL)
    return NULL;

  who = vigil_kafka_connection_describe (self);
  g_mutex_init (&state.lock);
  rd_kafka_conf_set_opaque (conf, &state);
  rd_kafka_conf_set_error_cb (conf, list_error_cb);
  /* Quiet: a test that fails says so once, through the error. */
  rd_kafka_conf_set (conf, "log_level", "0", NULL, 0);

  rk = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == NULL)
    {
      rd_kafka_conf_destroy (conf);
      g_mutex_clear (&state.lock);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", who, errstr);
      return NULL;
    }

  err = rd_kafka_metadata (rk, 1, NULL, &metadata, (int) MAX (timeout_ms, 1));
  /* An authentication error arrives through the error callback, served by polling. */
  rd_kafka_poll (rk, 0);

  if (state.fatal != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "%s: %s", who,
                   state.reason != NULL ? state.reason : rd_kafka_err2str (state.fatal));
      names = NULL;
    }
  else if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      if (err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT ||
          err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                     "%s: no broker answered within %u ms (%s)", who, timeout_ms,
                     rd_kafka_err2str (err));
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", who,
                     rd_kafka_err2str (err));
      names = NULL;
    }
  else
    {
      names = g_ptr_array_new ();
      for (int i = 0; i < metadata->topic_cnt; i++)
        if (!g_str_has_prefix (metadata->topics[i].topic, "__"))
          g_ptr_array_add (names, g_strdup (metadata->topics[i].topic));
      g_ptr_array_sort (names, compare_names);
      g_ptr_array_add (names, NULL);
    }

  if (metadata != NULL)
    rd_kafka_metadata_destroy (metadata);
  rd_kafka_destroy (rk);
  g_free (state.reason);
  g_mutex_clear (&state.lock);
  return names != NULL ? (GStrv) g_ptr_array_free (names, FALSE) : NULL;
}
