/* test-kafka-connection.c
 *
 * The Kafka connection description: names parsed both ways, bad broker lists refused naming
 * the entry, SASL needing a user, the librdkafka configuration read back value by value, a
 * description that never holds the password, and the connection test against librdkafka's
 * mock cluster on loopback.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "vigil-kafka-connection.h"

#define PASSWORD "s3cret-Pa55"

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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/kafka-connection/names", test_names);
  g_test_add_func ("/engine/kafka-connection/bad-brokers", test_bad_brokers);
  g_test_add_func ("/engine/kafka-connection/sasl-needs-user", test_sasl_needs_user);
  g_test_add_func ("/engine/kafka-connection/conf-plaintext", test_conf_plaintext);
  g_test_add_func ("/engine/kafka-connection/conf-sasl-ssl", test_conf_sasl_ssl);
  g_test_add_func ("/engine/kafka-connection/describe", test_describe);
  g_test_add_func ("/engine/kafka-connection/list-topics", test_list_topics);

  return g_test_run ();
}
