/* test-kafka-connection.c
 *
 * The Kafka connection description: names parsed both ways, bad broker lists refused naming
 * the entry, SASL needing a user, the librdkafka configuration read back value by value, a
 * description that never holds the password, the connection test against librdkafka's
 * mock cluster on loopback, TLS verification on by default whatever the protocol, and a SASL
 * password that appears in no error and no log line of a failing connection, librdkafka's own
 * debug output included; and vigil-cli consume refusing secrets and security overrides in -X
 * settings, and warning when --no-verify turns verification off.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-kafka-connection"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "vigil-kafka-connection.h"
#include "vigil-test-cli.h"

#define PASSWORD "s3cret-Pa55"

/* Every log line of the program, kept for the tests that look for a leaked password; then
 * warnings and errors written as usual. librdkafka's threads log too, hence the lock. */
static GMutex log_lock;
static GString *log_text;

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_mutex_lock (&log_lock);
  for (gsize i = 0; i < n_fields; i++)
    if (fields[i].length < 0)
      g_string_append_printf (log_text, "%s=%s\n", fields[i].key, (const char *) fields[i].value);
  g_mutex_unlock (&log_lock);

  /* GTest's own handler has already printed what g_message() and g_debug() sent, as TAP
   * comments; librdkafka's debug output, sent straight here, runs to thousands of lines. */
  if (log_level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static char *
steal_log (void)
{
  char *text;

  g_mutex_lock (&log_lock);
  text = g_strdup (log_text->str);
  g_string_truncate (log_text, 0);
  g_mutex_unlock (&log_lock);
  return text;
}

/* The value librdkafka holds for @name, as text. */
static char *
conf_get (rd_kafka_conf_t *conf,
          const char      *name)
{
  char value[1024];
  size_t size = sizeof value;

  g_assert_cmpint (rd_kafka_conf_get (conf, name, value, &size), ==, RD_KAFKA_CONF_OK);

  return g_strdup (value);
}

static void
assert_conf (rd_kafka_conf_t *conf,
             const char      *name,
             const char      *expected)
{
  g_autofree char *value = conf_get (conf, name);

  g_assert_cmpstr (value, ==, expected);
}

static void
test_names (void)
{
  static const char * const security[] = { "plaintext", "ssl", "sasl_plaintext", "sasl_ssl" };
  static const char * const mechanism[] = { "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512" };
  VigilKafkaSecurity s;
  VigilKafkaSaslMechanism m;

  for (guint i = 0; i < G_N_ELEMENTS (security); i++)
    {
      g_autofree char *upper = g_ascii_strup (security[i], -1);

      g_assert_cmpstr (vigil_kafka_security_to_string ((VigilKafkaSecurity) i), ==, security[i]);
      g_assert_true (vigil_kafka_security_from_string (upper, &s));
      g_assert_cmpint (s, ==, (VigilKafkaSecurity) i);
    }
  for (guint i = 0; i < G_N_ELEMENTS (mechanism); i++)
    {
      g_autofree char *lower = g_ascii_strdown (mechanism[i], -1);

      g_assert_cmpstr (vigil_kafka_sasl_mechanism_to_string ((VigilKafkaSaslMechanism) i), ==,
                       mechanism[i]);
      g_assert_true (vigil_kafka_sasl_mechanism_from_string (lower, &m));
      g_assert_cmpint (m, ==, (VigilKafkaSaslMechanism) i);
    }

  s = VIGIL_KAFKA_SECURITY_SSL;
  g_assert_false (vigil_kafka_security_from_string ("tls", &s));
  g_assert_false (vigil_kafka_security_from_string (NULL, &s));
  g_assert_cmpint (s, ==, VIGIL_KAFKA_SECURITY_SSL);
  m = VIGIL_KAFKA_SASL_PLAIN;
  g_assert_false (vigil_kafka_sasl_mechanism_from_string ("SCRAM-SHA-1", &m));
  g_assert_false (vigil_kafka_sasl_mechanism_from_string ("GSSAPI", &m));
  g_assert_cmpint (m, ==, VIGIL_KAFKA_SASL_PLAIN);
}

static void
test_bad_brokers (void)
{
  static const struct
  {
    const char *brokers;
    const char *named;     /* what the message must quote */
  } cases[] = {
    { "", "none given" },
    { "localhost", "'localhost'" },
    { "a:9092,b", "'b'" },
    { "a:9092, :9093", "':9093'" },
    { "kafka:0", "'kafka:0'" },
    { "kafka:65536", "'kafka:65536'" },
    { "kafka:90x2", "'kafka:90x2'" },
    { "a:9092,,b:9092", "''" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      VigilKafkaConnection c;

      vigil_kafka_connection_init (&c, cases[i].brokers);
      g_assert_null (vigil_kafka_connection_new_conf (&c, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_true (g_str_has_prefix (error->message, "brokers: "));
      g_assert_nonnull (strstr (error->message, cases[i].named));
      vigil_kafka_connection_clear (&c);
    }

  {
    g_autoptr(GError) error = NULL;
    VigilKafkaConnection c;

    vigil_kafka_connection_init (&c, NULL);
    g_assert_null (vigil_kafka_connection_new_conf (&c, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    vigil_kafka_connection_clear (&c);
  }
}

static void
test_sasl_needs_user (void)
{
  static const VigilKafkaSecurity sasl[] = { VIGIL_KAFKA_SECURITY_SASL_PLAINTEXT,
                                             VIGIL_KAFKA_SECURITY_SASL_SSL };

  for (guint i = 0; i < G_N_ELEMENTS (sasl); i++)
    {
      g_autoptr(GError) error = NULL;
      VigilKafkaConnection c;

      vigil_kafka_connection_init (&c, "broker:9093");
      c.security = sasl[i];
      c.password = g_strdup (PASSWORD);
      g_assert_null (vigil_kafka_connection_new_conf (&c, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_true (g_str_has_prefix (error->message, "username: "));
      g_assert_nonnull (strstr (error->message, vigil_kafka_security_to_string (sasl[i])));
      g_assert_null (strstr (error->message, PASSWORD));
      g_clear_error (&error);

      c.username = g_strdup ("");
      g_assert_null (vigil_kafka_connection_new_conf (&c, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      vigil_kafka_connection_clear (&c);
    }
}

static void
test_conf_plaintext (void)
{
  g_autoptr(GError) error = NULL;
  VigilKafkaConnection c;
  rd_kafka_conf_t *conf;

  vigil_kafka_connection_init (&c, "k1:9092, k2:9093");
  conf = vigil_kafka_connection_new_conf (&c, &error);
  g_assert_no_error (error);
  g_assert_nonnull (conf);
  assert_conf (conf, "bootstrap.servers", "k1:9092, k2:9093");
  assert_conf (conf, "security.protocol", "plaintext");
  assert_conf (conf, "client.id", "vigil");
  rd_kafka_conf_destroy (conf);

  c.client_id = g_strdup ("vigil-test");
  /* Without SASL a stray user name is not passed on. */
  c.username = g_strdup ("nobody");
  conf = vigil_kafka_connection_new_conf (&c, &error);
  g_assert_no_error (error);
  assert_conf (conf, "client.id", "vigil-test");
  {
    char user[256] = "";
    size_t size = sizeof user;

    if (rd_kafka_conf_get (conf, "sasl.username", user, &size) == RD_KAFKA_CONF_OK)
      g_assert_cmpstr (user, ==, "");
  }
  rd_kafka_conf_destroy (conf);
  vigil_kafka_connection_clear (&c);
}

static void
test_conf_sasl_ssl (void)
{
  g_autoptr(GError) error = NULL;
  VigilKafkaConnection c;
  rd_kafka_conf_t *conf;

  vigil_kafka_connection_init (&c, "secure:9094");
  c.security = VIGIL_KAFKA_SECURITY_SASL_SSL;
  c.mechanism = VIGIL_KAFKA_SASL_SCRAM_SHA_512;
  c.username = g_strdup ("alice");
  c.password = g_strdup (PASSWORD);
  c.ca_file = g_strdup ("/etc/ssl/certs/ca-certificates.crt");
  conf = vigil_kafka_connection_new_conf (&c, &error);
  g_assert_no_error (error);
  g_assert_nonnull (conf);
  assert_conf (conf, "bootstrap.servers", "secure:9094");
  assert_conf (conf, "security.protocol", "sasl_ssl");
  assert_conf (conf, "sasl.mechanisms", "SCRAM-SHA-512");
  assert_conf (conf, "sasl.username", "alice");
  assert_conf (conf, "sasl.password", PASSWORD);
  assert_conf (conf, "ssl.ca.location", "/etc/ssl/certs/ca-certificates.crt");
  assert_conf (conf, "enable.ssl.certificate.verification", "true");
  assert_conf (conf, "ssl.endpoint.identification.algorithm", "https");
  rd_kafka_conf_destroy (conf);

  /* Verification off, and SASL over plaintext with PLAIN. */
  c.security = VIGIL_KAFKA_SECURITY_SSL;
  c.verify_peer = FALSE;
  conf = vigil_kafka_connection_new_conf (&c, &error);
  g_assert_no_error (error);
  assert_conf (conf, "security.protocol", "ssl");
  assert_conf (conf, "enable.ssl.certificate.verification", "false");
  assert_conf (conf, "ssl.endpoint.identification.algorithm", "none");
  rd_kafka_conf_destroy (conf);

  c.security = VIGIL_KAFKA_SECURITY_SASL_PLAINTEXT;
  c.mechanism = VIGIL_KAFKA_SASL_PLAIN;
  conf = vigil_kafka_connection_new_conf (&c, &error);
  g_assert_no_error (error);
  assert_conf (conf, "security.protocol", "sasl_plaintext");
  assert_conf (conf, "sasl.mechanisms", "PLAIN");
  rd_kafka_conf_destroy (conf);
  vigil_kafka_connection_clear (&c);
}

static void
test_describe (void)
{
  VigilKafkaConnection c, copy;
  g_autofree char *plain = NULL;
  g_autofree char *sasl = NULL;
  g_autofree char *unverified = NULL;
  g_autofree char *copied = NULL;

  vigil_kafka_connection_init (&c, "broker1:9092");
  plain = vigil_kafka_connection_describe (&c);
  g_assert_cmpstr (plain, ==, "broker1:9092 (plaintext)");

  c.security = VIGIL_KAFKA_SECURITY_SASL_SSL;
  c.mechanism = VIGIL_KAFKA_SASL_SCRAM_SHA_512;
  c.username = g_strdup ("alice");
  c.password = g_strdup (PASSWORD);
  sasl = vigil_kafka_connection_describe (&c);
  g_assert_cmpstr (sasl, ==, "broker1:9092 (sasl_ssl, SCRAM-SHA-512 as alice)");
  g_assert_null (strstr (sasl, PASSWORD));

  c.verify_peer = FALSE;
  unverified = vigil_kafka_connection_describe (&c);
  g_assert_null (strstr (unverified, PASSWORD));
  g_assert_nonnull (strstr (unverified, "not verified"));

  /* A copy owns its strings: clearing the original leaves it whole. */
  vigil_kafka_connection_copy (&c, &copy);
  vigil_kafka_connection_clear (&c);
  g_assert_cmpstr (copy.password, ==, PASSWORD);
  g_assert_cmpstr (copy.username, ==, "alice");
  copied = vigil_kafka_connection_describe (&copy);
  g_assert_cmpstr (copied, ==, unverified);
  vigil_kafka_connection_clear (&copy);
  g_assert_null (copy.password);
}

static void
test_list_topics (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) topics = NULL;
  rd_kafka_conf_t *conf = rd_kafka_conf_new ();
  rd_kafka_mock_cluster_t *mcluster;
  VigilKafkaConnection c;
  char errstr[256];
  rd_kafka_t *rk;

  rd_kafka_conf_set (conf, "log_level", "0", NULL, 0);
  rk = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  g_assert_nonnull (rk);
  mcluster = rd_kafka_mock_cluster_new (rk, 1);
  g_assert_cmpint (rd_kafka_mock_topic_create (mcluster, "hydraulic-PS1", 1, 1), ==, 0);
  g_assert_cmpint (rd_kafka_mock_topic_create (mcluster, "hydraulic-labels", 1, 1), ==, 0);
  g_assert_cmpint (rd_kafka_mock_topic_create (mcluster, "hydraulic-CE", 2, 1), ==, 0);

  vigil_kafka_connection_init (&c, rd_kafka_mock_cluster_bootstraps (mcluster));
  topics = vigil_kafka_connection_list_topics (&c, 10000, &error);
  g_assert_no_error (error);
  g_assert_nonnull (topics);
  g_assert_cmpuint (g_strv_length (topics), ==, 3);
  g_assert_cmpstr (topics[0], ==, "hydraulic-CE");
  g_assert_cmpstr (topics[1], ==, "hydraulic-PS1");
  g_assert_cmpstr (topics[2], ==, "hydraulic-labels");
  vigil_kafka_connection_clear (&c);

  /* Nobody there: a timeout naming the brokers. */
  rd_kafka_mock_cluster_destroy (mcluster);
  rd_kafka_destroy (rk);
  vigil_kafka_connection_init (&c, "127.0.0.1:1");
  g_clear_pointer (&topics, g_strfreev);
  topics = vigil_kafka_connection_list_topics (&c, 1500, &error);
  g_assert_null (topics);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "127.0.0.1:1"));
  vigil_kafka_connection_clear (&c);
}

/* Verification is set explicitly for every protocol, not left to librdkafka's defaults (its
 * host name check was off before 2.0): a security.protocol changed after Vigil's
 * configuration still verifies. verify_peer means nothing without TLS and turns nothing off. */
static void
test_verification_default (void)
{
  for (guint i = 0; i <= VIGIL_KAFKA_SECURITY_SASL_SSL; i++)
    for (int verify = 0; verify <= 1; verify++)
      {
        g_autoptr(GError) error = NULL;
        gboolean tls = i == VIGIL_KAFKA_SECURITY_SSL || i == VIGIL_KAFKA_SECURITY_SASL_SSL;
        gboolean expect_on = verify || !tls;
        VigilKafkaConnection c;
        rd_kafka_conf_t *conf;

        vigil_kafka_connection_init (&c, "broker:9093");
        g_assert_true (c.verify_peer);
        c.security = (VigilKafkaSecurity) i;
        c.username = g_strdup ("alice");
        c.password = g_strdup (PASSWORD);
        c.verify_peer = verify;
        conf = vigil_kafka_connection_new_conf (&c, &error);
        g_assert_no_error (error);
        assert_conf (conf, "enable.ssl.certificate.verification", expect_on ? "true" : "false");
        assert_conf (conf, "ssl.endpoint.identification.algorithm", expect_on ? "https" : "none");

        /* What a -X security.protocol=ssl after Vigil's settings would get. */
        g_assert_cmpint (rd_kafka_conf_set (conf, "security.protocol", "ssl", NULL, 0), ==,
                         RD_KAFKA_CONF_OK);
        assert_conf (conf, "enable.ssl.certificate.verification", expect_on ? "true" : "false");
        rd_kafka_conf_destroy (conf);
        vigil_kafka_connection_clear (&c);
      }
}

static void
forward_log (const rd_kafka_t *rk,
             int               level,
             const char       *facility,
             const char       *message)
{
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_DEBUG, "MESSAGE", "librdkafka: %s: %s", facility,
                    message);
}

/* A SASL connection that fails (to a port where nobody listens, then to the mock cluster,
 * which does not speak SASL): the password is in no error message and in no log line, with
 * librdkafka's whole debug output routed to the log the way the engine routes its messages
 * (configuration dumps included). The captured log must name the brokers, which proves it
 * saw the failure. */
static void
test_no_password_in_logs (void)
{
  static const VigilKafkaSecurity sasl[] = { VIGIL_KAFKA_SECURITY_SASL_PLAINTEXT,
                                           VIGIL_KAFKA_SECURITY_SASL_SSL };
  rd_kafka_conf_t *mock_conf = rd_kafka_conf_new ();
  rd_kafka_mock_cluster_t *mcluster;
  g_autofree char *mock_brokers = NULL;
  rd_kafka_t *mock_rk;
  char errstr[256];

  rd_kafka_conf_set (mock_conf, "log_level", "0", NULL, 0);
  mock_rk = rd_kafka_new (RD_KAFKA_PRODUCER, mock_conf, errstr, sizeof errstr);
  g_assert_nonnull (mock_rk);
  mcluster = rd_kafka_mock_cluster_new (mock_rk, 1);
  mock_brokers = g_strdup (rd_kafka_mock_cluster_bootstraps (mcluster));

  for (guint i = 0; i < G_N_ELEMENTS (sasl); i++)
    {
      const char *const brokers[] = { "127.0.0.1:1", mock_brokers };

      for (guint b = 0; b < G_N_ELEMENTS (brokers); b++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *logged = NULL;
          g_auto(GStrv) topics = NULL;
          VigilKafkaConnection c;
          rd_kafka_conf_t *conf;
          rd_kafka_t *rk;

          vigil_kafka_connection_init (&c, brokers[b]);
          c.security = sasl[i];
          c.mechanism = i == 0 ? VIGIL_KAFKA_SASL_PLAIN : VIGIL_KAFKA_SASL_SCRAM_SHA_512;
          c.username = g_strdup ("alice");
          c.password = g_strdup (PASSWORD);
          c.verify_peer = FALSE;   /* the mock's TLS, if any, has no certificate to check */
          g_free (steal_log ());

          topics = vigil_kafka_connection_list_topics (&c, 1000, &error);
          g_assert_null (topics);
          g_assert_nonnull (error);
          g_assert_nonnull (strstr (error->message, brokers[b]));
          g_assert_null (strstr (error->message, PASSWORD));
          g_message ("list topics failed: %s", error->message);

          conf = vigil_kafka_connection_new_conf (&c, NULL);
          g_assert_nonnull (conf);
          g_assert_cmpint (rd_kafka_conf_set (conf, "debug", "all", errstr, sizeof errstr),
                           ==, RD_KAFKA_CONF_OK);
          rd_kafka_conf_set_log_cb (conf, forward_log);
          rk = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
          g_assert_nonnull (rk);
          for (int poll = 0; poll < 10; poll++)
            rd_kafka_poll (rk, 50);
          rd_kafka_destroy (rk);

          logged = steal_log ();
          g_assert_nonnull (strstr (logged, brokers[b]));
          /* librdkafka's configuration dump, which has a line for the password. */
          g_assert_nonnull (strstr (logged, "sasl.password"));
          if (strstr (logged, PASSWORD) != NULL)
            g_error ("the password was logged:\n%s", logged);
          vigil_kafka_connection_clear (&c);
        }
    }

  rd_kafka_mock_cluster_destroy (mcluster);
  rd_kafka_destroy (mock_rk);
}

/* Secrets in -X settings are refused before anything else happens (no prompt, no store
 * created) without quoting the value, and so are settings that would quietly undo the
 * connection options; --no-verify is accepted, with a warning on stderr. */
static void
test_cli_settings (void)
{
  static const struct
  {
    const char *setting;
    const char *message;    /* what stderr must say */
  } refused[] = {
    { "sasl.password=" PASSWORD, "no secrets on the command line" },
    { " SSL.Key.Password =" PASSWORD, "no secrets on the command line" },
    { "sasl.oauthbearer.client.secret=" PASSWORD, "no secrets on the command line" },
    { "ssl.key.pem=" PASSWORD, "no secrets on the command line" },
    { "enable.ssl.certificate.verification=false", "--no-verify" },
    { "ssl.endpoint.identification.algorithm=none", "--no-verify" },
    { "security.protocol=sasl_ssl", "--security" },
    { "bootstrap.servers=elsewhere:9092", "--brokers" },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vigil-kafka-connection-XXXXXX", &error);
  g_autofree char *db = NULL;

  g_assert_no_error (error);
  db = g_build_filename (dir, "refused.sqlite", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_auto(Result) r = { 0 };

      run (&r, "consume", "--brokers", "127.0.0.1:1", "--db", db, "-X", "session.timeout.ms=6000",
           "-X", refused[i].setting, NULL);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, refused[i].message));
      g_assert_null (strstr (r.err, PASSWORD));
      g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
    }

  /* --start is checked after the connection: a bad one stops the command right after the
   * warning, before any connection. */
  {
    g_auto(Result) r = { 0 };

    run (&r, "consume", "--brokers", "127.0.0.1:1", "--db", db, "--security", "ssl",
         "--no-verify", "--start", "nowhere", NULL);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "warning: --no-verify"));
    g_assert_nonnull (strstr (r.err, "127.0.0.1:1"));
  }
  {
    g_auto(Result) r = { 0 };

    run (&r, "consume", "--brokers", "127.0.0.1:1", "--db", db, "--security", "ssl",
         "--start", "nowhere", NULL);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_null (strstr (r.err, "warning"));
  }
  {
    g_auto(Result) r = { 0 };
    g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "VIGIL_KAFKA_PASSWORD", PASSWORD,
                                           TRUE);

    run_env (&r, envp, "consume", "--brokers", "127.0.0.1:1", "--db", db, "--security",
             "sasl_plaintext", "--username", "alice", "--start", "nowhere", NULL);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "--start"));
    g_assert_null (strstr (r.err, PASSWORD));
    g_assert_null (strstr (r.out, PASSWORD));
  }

  g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  log_text = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  g_test_add_func ("/engine/kafka-connection/names", test_names);
  g_test_add_func ("/engine/kafka-connection/bad-brokers", test_bad_brokers);
  g_test_add_func ("/engine/kafka-connection/sasl-needs-user", test_sasl_needs_user);
  g_test_add_func ("/engine/kafka-connection/conf-plaintext", test_conf_plaintext);
  g_test_add_func ("/engine/kafka-connection/conf-sasl-ssl", test_conf_sasl_ssl);
  g_test_add_func ("/engine/kafka-connection/describe", test_describe);
  g_test_add_func ("/engine/kafka-connection/list-topics", test_list_topics);
  g_test_add_func ("/engine/kafka-connection/verification-default", test_verification_default);
  g_test_add_func ("/engine/kafka-connection/no-password-in-logs", test_no_password_in_logs);
  g_test_add_func ("/engine/kafka-connection/cli-settings", test_cli_settings);

  return g_test_run ();
}
