/* test-kafka-message.c
 *
 * Kafka message parsing: every form with independently computed values, every kind of bad
 * message with its reason, the fast path against the reference on generated and mutated
 * messages, the writer read back bit for bit, and the real UCI values.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <float.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "vigil-error.h"
#include "vigil-kafka-message.h"
#include "vigil-time.h"

/* Independent of Vigil's time code: the C library's timegm. */
static gint64
utc_us (int y, int mo, int d, int h, int mi, int s)
{
  struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                   .tm_hour = h, .tm_min = mi, .tm_sec = s };

  return (gint64) timegm (&tm) * G_GINT64_CONSTANT (1000000);
}

static gboolean
same_bits (double a,
           double b)
{
  return memcmp (&a, &b, sizeof a) == 0 || (isnan (a) && isnan (b));
}

typedef struct
{
  VigilKafkaParser     *ref;
  VigilKafkaFastParser *fast;
} Parsers;

static void
parsers_setup (Parsers       *p,
               gconstpointer  data)
{
  p->ref = vigil_kafka_parser_new ();
  p->fast = vigil_kafka_fast_parser_new ();
}

static void
parsers_teardown (Parsers       *p,
                  gconstpointer  data)
{
  vigil_kafka_parser_free (p->ref);
  vigil_kafka_fast_parser_free (p->fast);
}

/* NULL if the two messages are the same, else what differs. */
static char *
message_difference (const VigilKafkaMessage *a,
                    const VigilKafkaMessage *b)
{
  if (a->kind != b->kind)
    return g_strdup_printf ("kind %d (%s) against %d (%s)", a->kind,
                            a->reason ? a->reason : "", b->kind, b->reason ? b->reason : "");
  if (a->kind == VIGIL_KAFKA_INVALID)
    return g_strcmp0 (a->reason, b->reason) == 0 ? NULL
           : g_strdup_printf ("reason “%s” against “%s”", a->reason, b->reason);
  if (a->kind == VIGIL_KAFKA_SAMPLE)
    {
      const VigilKafkaSample *x = &a->sample, *y = &b->sample;

      if (x->sensor != y->sensor || x->cycle != y->cycle || x->sample_idx != y->sample_idx ||
          x->sampling_rate_hz != y->sampling_rate_hz || x->time_us != y->time_us ||
          !same_bits (x->value, y->value) || strcmp (x->rig, y->rig) != 0)
        return g_strdup_printf ("sample %d/%u/%u/%u/%" G_GINT64_FORMAT "/%.17g/%s against "
                                "%d/%u/%u/%u/%" G_GINT64_FORMAT "/%.17g/%s",
                                x->sensor, x->cycle, x->sample_idx, x->sampling_rate_hz,
                                x->time_us, x->value, x->rig, y->sensor, y->cycle,
                                y->sample_idx, y->sampling_rate_hz, y->time_us, y->value, y->rig);
    }

  return NULL;
}

/* Parses with both and requires the same answer; returns the reference's kind. */
static VigilKafkaKind
parse_both (Parsers           *p,
            const char        *topic,
            const char        *payload,
            gsize              len,
            VigilKafkaMessage *out)
{
  VigilKafkaMessage fast;
  g_autofree char *diff = NULL;

  vigil_kafka_parser_parse (p->ref, topic, 3, 1234, payload, len, out);
  vigil_kafka_fast_parser_parse (p->fast, topic, 3, 1234, payload, len, &fast);
  diff = message_difference (&fast, out);
  if (diff != NULL)
    {
      g_autofree char *shown = vigil_kafka_excerpt (payload, len);

      g_error ("fast path and reference differ on %s: %s", shown, diff);
    }
  g_assert_cmpstr (out->topic, ==, topic);
  g_assert_cmpint (out->partition, ==, 3);
  g_assert_cmpint (out->offset, ==, 1234);

  return out->kind;
}

static void
test_topics (void)
{
  struct { const char *topic; VigilKafkaKind kind; int sensor; const char *rig; } cases[] = {
    { "hydraulic-PS1", VIGIL_KAFKA_SAMPLE, VIGIL_SENSOR_PS1, "" },
    { "hydraulic-SE", VIGIL_KAFKA_SAMPLE, VIGIL_SENSOR_SE, "" },
    { "hydraulic-all", VIGIL_KAFKA_SAMPLE, -1, "" },
    { "rig-7.hydraulic-EPS1", VIGIL_KAFKA_SAMPLE, VIGIL_SENSOR_EPS1, "rig-7" },
    { "plant.a.hydraulic-labels", VIGIL_KAFKA_LABEL, -1, "plant.a" },
    { "hydraulic-labels", VIGIL_KAFKA_LABEL, -1, "" },
    { "hydraulic-analytics", VIGIL_KAFKA_ANALYTICS, -1, "" },
    { "traffic_data", VIGIL_KAFKA_TRAFFIC, -1, "" },
    { "hydraulic-", VIGIL_KAFKA_INVALID, -1, "" },
    { "weather", VIGIL_KAFKA_INVALID, -1, "" },
    { ".hydraulic-PS1", VIGIL_KAFKA_INVALID, -1, "" },
    { "a-rig-name-longer-than-31-bytes-.hydraulic-PS1", VIGIL_KAFKA_INVALID, -1, "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      VigilKafkaTopic t;

      g_assert_cmpint (vigil_kafka_topic_parse (cases[i].topic, &t), ==,
                       cases[i].kind != VIGIL_KAFKA_INVALID);
      g_assert_cmpint (t.kind, ==, cases[i].kind);
      g_assert_cmpint (t.sensor, ==, cases[i].sensor);
      g_assert_cmpstr (t.rig, ==, cases[i].rig);
    }
}

static void
test_sample (Parsers       *p,
             gconstpointer  data)
{
  const char *seed = "{\"sensor\":\"PS1\",\"cycle\":12,\"sample_idx\":345,\"value\":151.2,"
                     "\"timestamp\":\"2025-12-28T14:56:20.123456\",\"sampling_rate_hz\":100}";
  struct {
    const char *topic;
    const char *payload;
    VigilSensor sensor;
    guint cycle, idx, rate;
    double value;
    gint64 time_us;
    const char *rig;
  } cases[] = {
    { "hydraulic-PS1", seed, VIGIL_SENSOR_PS1, 12, 345, 100, 151.2,
      utc_us (2025, 12, 28, 14, 56, 20) + 123456, "" },
    /* Python's isoformat() leaves out a zero fraction. */
    { "hydraulic-TS1", "{\"sensor\":\"TS1\",\"cycle\":0,\"sample_idx\":59,\"value\":35.57,"
      "\"timestamp\":\"2025-01-01T00:00:59\",\"sampling_rate_hz\":1}",
      VIGIL_SENSOR_TS1, 0, 59, 1, 35.57, utc_us (2025, 1, 1, 0, 0, 59), "" },
    /* Any order, whitespace, an integer value, "-0" as an integer is +0, extra fields. */
    { "hydraulic-FS1", " { \"value\" : -0 , \"sampling_rate_hz\" : 10, \"sensor\" : \"FS1\",\n"
      "\"sample_idx\":599, \"cycle\":4294967295, \"note\":{\"a\":[1,2]},"
      "\"timestamp\":\"2024-02-29T23:59:59.000001\"}\n",
      VIGIL_SENSOR_FS1, G_MAXUINT, 599, 10, 0.0, utc_us (2024, 2, 29, 23, 59, 59) + 1, "" },
    { "hydraulic-SE", "{\"sensor\":\"SE\",\"cycle\":3,\"sample_idx\":0,\"value\":-0.0,"
      "\"timestamp\":\"1970-01-01T00:00:00\",\"sampling_rate_hz\":1,\"rig\":\"rig_2\"}",
      VIGIL_SENSOR_SE, 3, 0, 1, -0.0, 0, "rig_2" },
    /* The rig from the topic; a zone; a case-insensitive sensor name; 1e-400 is 0. */
    { "east.hydraulic-PS2", "{\"sensor\":\"ps2\",\"cycle\":1,\"sample_idx\":1,"
      "\"value\":1e-400,\"timestamp\":\"2025-06-01T12:00:00.5+02:00\",\"sampling_rate_hz\":100}",
      VIGIL_SENSOR_PS2, 1, 1, 100, 0.0, utc_us (2025, 6, 1, 10, 0, 0) + 500000, "east" },
    { "east.hydraulic-PS2", "{\"sensor\":\"PS2\",\"cycle\":1,\"sample_idx\":1,"
      "\"value\":1.7976931348623157e308,\"timestamp\":\"2200-12-31T23:59:59.999999\","
      "\"sampling_rate_hz\":100,\"rig\":\"east\"}",
      VIGIL_SENSOR_PS2, 1, 1, 100, DBL_MAX, utc_us (2200, 12, 31, 23, 59, 59) + 999999, "east" },
    { "hydraulic-all", "{\"sensor\":\"EPS1\",\"cycle\":7,\"sample_idx\":5999,"
      "\"value\":2.2250738585072011e-308,\"timestamp\":\"2025-12-28 14:56:20Z\","
      "\"sampling_rate_hz\":100}",
      VIGIL_SENSOR_EPS1, 7, 5999, 100, 2.2250738585072009e-308,
      utc_us (2025, 12, 28, 14, 56, 20), "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      VigilKafkaMessage m;
      const VigilKafkaSample *s = &m.sample;

      g_assert_cmpint (parse_both (p, cases[i].topic, cases[i].payload,
                                   strlen (cases[i].payload), &m), ==, VIGIL_KAFKA_SAMPLE);
      g_assert_null (m.reason);
      g_assert_cmpint (s->sensor, ==, cases[i].sensor);
      g_assert_cmpuint (s->cycle, ==, cases[i].cycle);
      g_assert_cmpuint (s->sample_idx, ==, cases[i].idx);
      g_assert_cmpuint (s->sampling_rate_hz, ==, cases[i].rate);
      g_assert_true (same_bits (s->value, cases[i].value));
      g_assert_cmpint (s->time_us, ==, cases[i].time_us);
      g_assert_cmpstr (s->rig, ==, cases[i].rig);
    }

  /* The seed's own message never leaves the fast path. */
  g_assert_cmpuint (vigil_kafka_fast_parser_get_fallbacks (p->fast), ==, 3);
}

static void
test_label (Parsers       *p,
            gconstpointer  data)
{
  const char *payload = "{\"cycle\":12,\"label_cooler\":3,\"label_valve\":100,\"label_pump\":0,"
                        "\"label_accumulator\":130,\"label_stable\":1,\"timestamp\":1766933780.5}";
  VigilKafkaMessage m;

  g_assert_cmpint (parse_both (p, "hydraulic-labels", payload, strlen (payload), &m), ==,
                   VIGIL_KAFKA_LABEL);
  g_assert_cmpuint (m.label.label.cycle, ==, 12);
  g_assert_cmpint (m.label.label.cooler, ==, 3);
  g_assert_cmpint (m.label.label.valve, ==, 100);
  g_assert_cmpint (m.label.label.pump, ==, 0);
  g_assert_cmpint (m.label.label.accumulator, ==, 130);
  g_assert_cmpint (m.label.label.stable, ==, 1);
  g_assert_cmpint (m.label.label.start_us, ==, utc_us (2025, 12, 28, 14, 56, 20) + 500000);
  g_assert_cmpstr (m.label.rig, ==, "");

  payload = "{\"cycle\":0,\"label_cooler\":100,\"label_valve\":73,\"label_pump\":2,"
            "\"label_accumulator\":90,\"label_stable\":0,\"timestamp\":1735689600,\"rig\":\"r1\"}";
  g_assert_cmpint (parse_both (p, "hydraulic-labels", payload, strlen (payload), &m), ==,
                   VIGIL_KAFKA_LABEL);
  g_assert_cmpint (m.label.label.start_us, ==, utc_us (2025, 1, 1, 0, 0, 0));
  g_assert_cmpint (m.label.label.valve, ==, 73);
  g_assert_cmpstr (m.label.rig, ==, "r1");
}

static void
test_analytics (Parsers       *p,
                gconstpointer  data)
{
  const char *payload = "{\"sensor\":\"PS1\",\"window_start\":\"2025-01-01T00:00:10\","
                        "\"window_end\":\"2025-01-01T00:01:10Z\",\"avg_value\":163.5,"
                        "\"max_value\":190.5,\"min_value\":142.8,\"stddev_value\":12.25,"
                        "\"range_value\":47.7,\"sample_count\":6000}";
  VigilKafkaMessage m;

  g_assert_cmpint (parse_both (p, "hydraulic-analytics", payload, strlen (payload), &m), ==,
                   VIGIL_KAFKA_ANALYTICS);
  g_assert_cmpuint (m.analytics.stats.key, ==, VIGIL_SENSOR_PS1);
  g_assert_cmpint (m.analytics.stats.start_us, ==, utc_us (2025, 1, 1, 0, 0, 10));
  g_assert_cmpint (m.analytics.stats.end_us, ==, utc_us (2025, 1, 1, 0, 1, 10));
  g_assert_cmpfloat (m.analytics.stats.avg, ==, 163.5);
  g_assert_cmpfloat (m.analytics.stats.max, ==, 190.5);
  g_assert_cmpfloat (m.analytics.stats.min, ==, 142.8);
  g_assert_cmpfloat (m.analytics.stats.stddev, ==, 12.25);
  g_assert_cmpfloat (m.analytics.stats.range, ==, 47.7);
  g_assert_cmpuint (m.analytics.stats.count, ==, 6000);

  payload = "{\"sensor\":\"SE\",\"window_start\":\"2025-01-01T00:00:00\","
            "\"window_end\":\"2025-01-01T00:01:00\",\"avg_value\":0,\"max_value\":0,"
            "\"min_value\":0,\"stddev_value\":null,\"range_value\":0,\"sample_count\":1}";
  g_assert_cmpint (parse_both (p, "hydraulic-analytics", payload, strlen (payload), &m), ==,
                   VIGIL_KAFKA_ANALYTICS);
  g_assert_true (isnan (m.analytics.stats.stddev));
  g_assert_cmpuint (m.analytics.stats.count, ==, 1);
}

static void
test_traffic (Parsers       *p,
              gconstpointer  data)
{
  const char *old_form = "{\"camera_id\":\"cam_03\",\"timestamp\":\"2025-12-01T08:00:00.200\","
    "\"objects\":[{\"track_id\":7,\"class_id\":1,\"world_coordinates\":{\"x\":12.5,\"y\":40.1},"
    "\"segmentation\":[[[10,20],[30.5,20],[30.5,45]],[[1,2],[3,4]]]},"
    "{\"track_id\":9,\"class_id\":3}]}";
  /* "aGk/" is base64 of "hi?"; the slash escaped as some encoders write it. */
  const char *new_form = "{\"camera_id\":\"cam_10\",\"timestamp\":\"2025-12-01T08:00:01Z\","
    "\"image_id\":42,\"image\":\"aGk\\/\",\"objects\":[{\"class_id\":0,"
    "\"bbox\":[0.5,0.25,0.1,1]}]}";
  VigilKafkaMessage m;
  const VigilKafkaTraffic *t = &m.traffic;
  g_autoptr(GError) error = NULL;
  g_autofree guchar *image = NULL;
  gsize image_len = 0;

  g_assert_cmpint (parse_both (p, "traffic_data", old_form, strlen (old_form), &m), ==,
                   VIGIL_KAFKA_TRAFFIC);
  g_assert_cmpstr (t->camera_id, ==, "cam_03");
  g_assert_cmpint (t->time_us, ==, utc_us (2025, 12, 1, 8, 0, 0) + 200000);
  g_assert_null (t->image_id);
  g_assert_null (t->image);
  g_assert_cmpuint (t->n_objects, ==, 2);
  g_assert_cmpint (t->objects[0].track_id, ==, 7);
  g_assert_cmpint (t->objects[0].class_id, ==, 1);
  g_assert_true (t->objects[0].has_world);
  g_assert_cmpfloat (t->objects[0].world_x, ==, 12.5);
  g_assert_cmpfloat (t->objects[0].world_y, ==, 40.1);
  g_assert_false (t->objects[0].has_bbox);
  g_assert_cmpuint (t->objects[0].n_polygons, ==, 2);
  g_assert_cmpuint (t->n_polygons, ==, 2);
  g_assert_cmpuint (t->polygons[t->objects[0].first_polygon].n_points, ==, 3);
  g_assert_cmpuint (t->polygons[t->objects[0].first_polygon + 1].n_points, ==, 2);
  g_assert_cmpuint (t->n_points, ==, 5);
  g_assert_cmpfloat (t->points[1].x, ==, 30.5);
  g_assert_cmpfloat (t->points[2].y, ==, 45);
  g_assert_cmpfloat (t->points[4].y, ==, 4);
  g_assert_cmpint (t->objects[1].track_id, ==, 9);
  g_assert_cmpint (t->objects[1].class_id, ==, 3);
  g_assert_cmpuint (t->objects[1].n_polygons, ==, 0);

  g_assert_cmpint (parse_both (p, "traffic_data", new_form, strlen (new_form), &m), ==,
                   VIGIL_KAFKA_TRAFFIC);
  g_assert_cmpstr (t->camera_id, ==, "cam_10");
  g_assert_cmpstr (t->image_id, ==, "42");
  g_assert_true (t->image == strstr (new_form, "aGk"));
  g_assert_cmpuint (t->image_len, ==, strlen ("aGk\\/"));
  g_assert_cmpuint (t->n_objects, ==, 1);
  g_assert_cmpint (t->objects[0].track_id, ==, -1);
  g_assert_true (t->objects[0].has_bbox);
  g_assert_cmpfloat (t->objects[0].bbox[0], ==, 0.5);
  g_assert_cmpfloat (t->objects[0].bbox[3], ==, 1.0);

  image = vigil_kafka_decode_image (t->image, t->image_len, &image_len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (image, image_len, "hi?", 3);
}

static void
test_decode_image (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree guchar *data = NULL;
  gsize len = 0;

  data = vigil_kafka_decode_image ("aGVs\\nbG8=", 10, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (data, len, "hello", 5);

  g_clear_pointer (&data, g_free);
  data = vigil_kafka_decode_image ("aGVs*bG8=", 9, &len, &error);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
  g_assert_null (data);
  g_assert_nonnull (strstr (error->message, "0x2a at offset 4"));
}

#define SAMPLE_TAIL ",\"timestamp\":\"2025-12-28T14:56:20.123456\",\"sampling_rate_hz\":100}"
#define SAMPLE_HEAD "{\"sensor\":\"PS1\",\"cycle\":12,\"sample_idx\":345"

static void
test_bad (Parsers       *p,
          gconstpointer  data)
{
  static const struct { const char *topic; const char *payload; gssize len; const char *reason; }
  cases[] = {
    { "hydraulic-PS1", "", 0, "empty message" },
    { "hydraulic-PS1", " \n", -1, "not JSON: only whitespace" },
    { "hydraulic-PS1", "sensor=PS1 value=1", -1, "not JSON: unexpected “s” at offset 0" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":151.2,\"timest", -1,
      "not JSON: truncated at offset 65 (in the string at offset 58)" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":151.2", -1, "not JSON: truncated at offset 57" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":NaN" SAMPLE_TAIL, -1,
      "not JSON: NaN at offset 52 (JSON has no NaN or Infinity)" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":-Infinity" SAMPLE_TAIL, -1,
      "not JSON: -Infinity at offset 52 (JSON has no NaN or Infinity)" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":Infinity" SAMPLE_TAIL, -1,
      "not JSON: Infinity at offset 52 (JSON has no NaN or Infinity)" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":0x10" SAMPLE_TAIL, -1,
      "not JSON: malformed number at offset 52" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":01" SAMPLE_TAIL, -1,
      "not JSON: malformed number at offset 52" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":'1'" SAMPLE_TAIL, -1,
      "not JSON: unexpected “'” at offset 52" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":1,}", -1, "not JSON: unexpected “}” at offset 54" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":1" SAMPLE_TAIL "{}", -1,
      "not JSON: more data after the end at offset 118" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":1" SAMPLE_TAIL "/* c */", -1,
      "not JSON: more data after the end at offset 118" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":\"1\x01\"" SAMPLE_TAIL, -1,
      "not JSON: control character 0x01 unescaped in a string at offset 54" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":\"\\q\"" SAMPLE_TAIL, -1,
      "not JSON: invalid escape “\\q” at offset 53" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":\"\\ud800\"" SAMPLE_TAIL, -1,
      "not JSON: unpaired surrogate \\ud800 at offset 53" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":\"a\\u0000\"" SAMPLE_TAIL, -1,
      "not JSON Vigil takes: \\u0000 in a string at offset 54" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":12345678901234567890" SAMPLE_TAIL, -1,
      "integer at offset 52 does not fit in 64 bits" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":1e400" SAMPLE_TAIL, -1,
      "“value” is too large for a double" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":-1e309" SAMPLE_TAIL, -1,
      "“value” is too large for a double" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":\"151.2\"" SAMPLE_TAIL, -1,
      "“value” is not a number" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":null" SAMPLE_TAIL, -1, "“value” is not a number" },
    { "hydraulic-PS1", SAMPLE_HEAD SAMPLE_TAIL, -1, "“value” is missing" },
    { "hydraulic-PS1", "{\"sensor\":\"PS9\",\"cycle\":1}", -1, "unknown sensor “PS9”" },
    { "hydraulic-PS1", "{\"sensor\":\"PS1\\n\\u00e9\\\\\",\"cycle\":1}", -1,
      "unknown sensor “PS1\\né\\”" },
    { "hydraulic-PS1", "{\"sensor\":1}", -1, "“sensor” is not a string" },
    { "hydraulic-PS1", "{\"cycle\":1}", -1, "“sensor” is missing" },
    { "hydraulic-PS1", "{\"sensor\":\"PS2\",\"cycle\":1}", -1,
      "sensor “PS2” does not match topic “hydraulic-PS1”" },
    { "hydraulic-PS1", "{\"sensor\":\"PS1\",\"cycle\":12.0}", -1, "“cycle” is not an integer" },
    { "hydraulic-PS1", "{\"sensor\":\"PS1\",\"cycle\":-1}", -1,
      "“cycle” -1 is out of range (0 to 4294967295)" },
    { "hydraulic-PS1", "{\"sensor\":\"PS1\",\"cycle\":1,\"sample_idx\":6000}", -1,
      "“sample_idx” 6000 is out of range for PS1 (0 to 5999)" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":1,\"timestamp\":12,\"sampling_rate_hz\":100}", -1,
      "“timestamp” is not a string" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":1,\"timestamp\":\"yesterday\"}", -1,
      "“timestamp” “yesterday” is not an ISO-8601 time" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":1,\"timestamp\":\"2025-02-30T00:00:00\"}", -1,
      "“timestamp” “2025-02-30T00:00:00” is not an ISO-8601 time" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":1,\"timestamp\":\"9999-12-31T00:00:00\"}", -1,
      "timestamp “9999-12-31T00:00:00” is out of range (years 1970 to 2200)" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":1,\"timestamp\":\"1969-12-31T23:59:59.999999\"}",
      -1, "timestamp “1969-12-31T23:59:59.999999” is out of range (years 1970 to 2200)" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":1,\"timestamp\":\"2201-01-01T00:00:00\"}", -1,
      "timestamp “2201-01-01T00:00:00” is out of range (years 1970 to 2200)" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":1,\"timestamp\":\"2025-12-28T14:56:20\"}", -1,
      "“sampling_rate_hz” is missing" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":1,\"timestamp\":\"2025-12-28T14:56:20\","
      "\"sampling_rate_hz\":10}", -1, "“sampling_rate_hz” 10 does not match PS1 (100 Hz)" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":1" SAMPLE_TAIL, -1, NULL },
    { "hydraulic-PS1", "{\"sensor\":\"PS1\",\"cycle\":12,\"sample_idx\":345,\"value\":1,"
      "\"value\":2" SAMPLE_TAIL, -1, "key “value” appears more than once" },
    { "hydraulic-PS1", "{\"sensor\":\"PS1\",\"x\":{\"a\":1,\"a\":1}}", -1,
      "key “a” appears more than once" },
    { "hydraulic-PS1", SAMPLE_HEAD ",\"value\":1,\"rig\":\"rig 1\"" SAMPLE_TAIL, -1,
      "“rig” “rig 1” is not a rig name (1 to 31 letters, digits, “.”, “_” or “-”)" },
    { "north.hydraulic-PS1", SAMPLE_HEAD ",\"value\":1,\"rig\":\"south\"" SAMPLE_TAIL, -1,
      "“rig” “south” does not match the topic’s rig “north”" },
    { "hydraulic-PS1", "[1,2]", -1, "not a JSON object" },
    { "hydraulic-PS1", "{\"sensor\":\"PS1\xff\"}", -1,
      "not UTF-8 text: byte 0xff at offset 14" },
    { "hydraulic-PS1", "{\"sensor\":\"PS1\"}\0", 17, "not UTF-8 text: NUL byte at offset 16" },
    { "hydraulic-PS1", "\xef\xbb\xbf{}", -1, "not JSON: unexpected “\xef\xbb\xbf” at offset 0" },
    { "hydraulic-PS1", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", -1,
      "not JSON Vigil takes: nested deeper than 64 levels at offset 64" },
    { "weather", "{}", -1, "topic “weather” is not one Vigil reads" },
    { "hydraulic-labels", "{\"cycle\":1,\"label_cooler\":50}", -1,
      "“label_cooler” 50 is not one of 3, 20, 100" },
    { "hydraulic-labels", "{\"cycle\":1,\"label_cooler\":3,\"label_valve\":100,\"label_pump\":0,"
      "\"label_accumulator\":130,\"label_stable\":1,\"timestamp\":1e12}", -1,
      "timestamp 1000000000000 is out of range (years 1970 to 2200)" },
    { "hydraulic-labels", "{\"cycle\":1,\"label_cooler\":3,\"label_valve\":100,\"label_pump\":0,"
      "\"label_accumulator\":130,\"label_stable\":1,\"timestamp\":\"2025-01-01\"}", -1,
      "“timestamp” is not a number" },
    { "hydraulic-analytics", "{\"sensor\":\"PS1\",\"window_start\":\"2025-01-01T00:01:00\","
      "\"window_end\":\"2025-01-01T00:00:00\"}", -1, "“window_end” is not after “window_start”" },
    { "traffic_data", "{\"camera_id\":\"cam_01\",\"timestamp\":\"2025-12-01T08:00:00\","
      "\"objects\":[{\"class_id\":7}]}", -1, "“objects[0].class_id” 7 is out of range (0 to 3)" },
    { "traffic_data", "{\"camera_id\":\"cam_01\",\"timestamp\":\"2025-12-01T08:00:00\","
      "\"objects\":[{\"class_id\":1,\"bbox\":[0.5,0.5,1.5,0.1]}]}", -1,
      "“objects[0].bbox” is not normalised (values from 0 to 1)" },
    { "traffic_data", "{\"camera_id\":\"cam_01\",\"timestamp\":\"2025-12-01T08:00:00\"}", -1,
      "“objects” is missing" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize len = cases[i].len < 0 ? strlen (cases[i].payload) : (gsize) cases[i].len;
      VigilKafkaMessage m;

      parse_both (p, cases[i].topic, cases[i].payload, len, &m);
      if (cases[i].reason == NULL)
        g_assert_cmpint (m.kind, ==, VIGIL_KAFKA_SAMPLE);
      else
        {
          g_assert_cmpint (m.kind, ==, VIGIL_KAFKA_INVALID);
          g_assert_cmpstr (m.reason, ==, cases[i].reason);
        }
    }
}

static void
test_excerpt (void)
{
  g_autoptr(GString) big = g_string_new (NULL);
  g_autofree char *a = vigil_kafka_excerpt ("{\"a\":\t\"\xc3\xa9\xff\x01\"}\n", 14);
  g_autofree char *b = NULL;
  g_autofree char *c = vigil_kafka_excerpt ("", 0);

  g_assert_cmpstr (a, ==, "{\"a\":\\t\"é\\xff\\x01\"}\\n");

  /* 199 ASCII bytes then "é": the cut may not split it; it ends the excerpt. */
  for (guint i = 0; i < 199; i++)
    g_string_append_c (big, 'x');
  g_string_append (big, "é and more");
  b = vigil_kafka_excerpt (big->str, big->len);
  g_assert_true (g_utf8_validate (b, -1, NULL));
  g_assert_true (g_str_has_suffix (b, "xé…"));
  g_assert_cmpuint (strlen (b), ==, 199 + 2 + strlen ("…"));
  g_assert_cmpstr (c, ==, "");
}

/* The fast timestamp parser against vigil_time_parse_iso8601(). */
static void
test_seed_time (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  const char *bad[] = {
    "2025-12-28T14:56:20.12345", "2025-12-28T14:56:20Z", "2025-12-28 14:56:20",
    "2025-02-29T00:00:00", "2100-02-29T00:00:00", "1969-12-31T23:59:59", "2201-01-01T00:00:00",
    "2025-13-01T00:00:00", "2025-12-28T24:00:00", "2025-12-28T14:60:00", "2025-12-28T14:56:60",
    "2025-12-28T14:56:2x", "+025-12-28T14:56:20",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gint64 us;

      g_assert_false (vigil_kafka_parse_seed_time (bad[i], strlen (bad[i]), &us));
    }

  for (guint i = 0; i < 200000; i++)
    {
      gint64 t = (gint64) (g_rand_double (rand) * VIGIL_KAFKA_MAX_TIME_US);
      g_autoptr(GString) text = g_string_new (NULL);
      VigilKafkaSample s = { .sensor = VIGIL_SENSOR_PS1, .time_us = t };
      const char *q;
      gint64 fast = -1, general = -2;

      if (i % 3 == 0)
        s.time_us -= s.time_us % VIGIL_USEC_PER_SEC;
      vigil_kafka_write_sample (text, &s);
      q = strstr (text->str, "\"timestamp\":\"") + strlen ("\"timestamp\":\"");
      g_string_truncate (text, (gsize) (strchr (q, '"') - text->str));
      g_assert_true (vigil_kafka_parse_seed_time (q, strlen (q), &fast));
      g_assert_true (vigil_time_parse_iso8601 (q, &general, NULL));
      g_assert_cmpint (fast, ==, general);
      g_assert_cmpint (fast, ==, s.time_us);
    }
}

/* Random messages: the seed's form and many others, valid and not. */
static const char *
random_number_text (GRand   *rand,
                    GString *buf)
{
  static const char * const edges[] = {
    "1e-300", "-0.0", "-0", "0", "0.0", "5e-324", "4.9e-324", "2.2250738585072011e-308",
    "1.7976931348623157e308", "1.7976931348623159e308", "1e23", "9007199254740993",
    "-9223372036854775808", "9223372036854775807", "9223372036854775808", "0.1", "1E+2",
    "1e-5", "123456789012345678", "0.30000000000000004", "3.141592653589793238462643383279",
    "0.1000000000000000055511151231257827", "1e400", "-1e-400", "1.5e+08", "100.600",
  };
  double v;

  switch (g_rand_int_range (rand, 0, 6))
    {
    case 0:
      return edges[g_rand_int_range (rand, 0, G_N_ELEMENTS (edges))];
    case 1:
      do
        {
          guint64 bits = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);

          memcpy (&v, &bits, sizeof v);
        }
      while (!isfinite (v));
      g_string_printf (buf, "%.17g", v);
      return buf->str;
    case 2:
      g_string_printf (buf, "%.*f", g_rand_int_range (rand, 0, 4),
                       g_rand_double_range (rand, -1000, 1000));
      return buf->str;
    case 3:
      g_string_printf (buf, "%.17g", g_rand_double_range (rand, -1e6, 1e6));
      return buf->str;
    case 4:
      g_string_printf (buf, "%" G_GINT64_FORMAT, (gint64) g_rand_int (rand) - G_MAXINT32);
      return buf->str;
    default:
      g_string_printf (buf, "%.*e", g_rand_int_range (rand, 0, 20),
                       g_rand_double_range (rand, -1, 1) *
                       pow (10, g_rand_int_range (rand, -320, 310)));
      return buf->str;
    }
}

static void
random_message (GRand   *rand,
                GString *out)
{
  VigilSensor sensor = (VigilSensor) g_rand_int_range (rand, 0, VIGIL_N_SENSORS);
  const VigilSensorInfo *info = vigil_sensor_get_info (sensor);
  g_autoptr(GString) num = g_string_new (NULL);
  g_autoptr(GString) ts = g_string_new (NULL);
  char *fields[8];
  guint n = 0;
  VigilKafkaSample s = { .sensor = sensor };
  gboolean seed_form = g_rand_int_range (rand, 0, 4) == 0;

  s.time_us = (gint64) (g_rand_double (rand) * (VIGIL_KAFKA_MAX_TIME_US + 5e13)) - (gint64) 1e13;
  s.value = g_rand_double_range (rand, -500, 500);
  s.cycle = g_rand_int (rand) % 100000;
  s.sample_idx = (guint) g_rand_int_range (rand, 0, (gint32) info->rate_hz * 60);
  if (seed_form)
    {
      vigil_kafka_write_sample (out, &s);
      return;
    }

  vigil_kafka_write_sample (ts, &s);
  g_string_erase (ts, 0, (gssize) (strstr (ts->str, "\"timestamp\":") - ts->str));
  g_string_truncate (ts, (gsize) (strstr (ts->str, ",\"sampling") - ts->str));
  if (g_rand_int_range (rand, 0, 8) == 0)
    g_string_insert (ts, ts->len - 1, "Z");

  fields[n++] = g_strdup_printf ("\"sensor\":\"%s\"", g_rand_int_range (rand, 0, 20) == 0
                                 ? "PS9" : info->name);
  fields[n++] = g_strdup_printf ("\"cycle\":%u", s.cycle);
  fields[n++] = g_strdup_printf ("\"sample_idx\":%u", g_rand_int_range (rand, 0, 30) == 0
                                 ? info->rate_hz * 60 : s.sample_idx);
  fields[n++] = g_strdup_printf ("\"value\":%s", random_number_text (rand, num));
  fields[n++] = g_strdup (ts->str);
  fields[n++] = g_strdup_printf ("\"sampling_rate_hz\":%u", info->rate_hz);
  if (g_rand_int_range (rand, 0, 4) == 0)
    fields[n++] = g_strdup_printf ("\"rig\":\"%s\"", g_rand_boolean (rand) ? "rig-1" : "r_2.x");
  if (g_rand_int_range (rand, 0, 8) == 0)
    fields[n++] = g_strdup ("\"extra\":[1,{\"a\":null}]");

  for (guint i = n - 1; i > 0; i--)
    {
      guint j = (guint) g_rand_int_range (rand, 0, (gint32) i + 1);
      char *tmp = fields[i];

      fields[i] = fields[j];
      fields[j] = tmp;
    }
  g_string_append_c (out, '{');
  for (guint i = 0; i < n; i++)
    {
      g_string_append_printf (out, "%s%s", i == 0 ? "" : (g_rand_boolean (rand) ? "," : " , "),
                              fields[i]);
      g_free (fields[i]);
    }
  g_string_append_c (out, '}');
}

static void
mutate (GRand   *rand,
        GString *msg)
{
  static const char alphabet[] = "{}[],:\"\\ 0a-.eE\t\xff\x01";
  gsize at = (gsize) g_rand_int_range (rand, 0, (gint32) msg->len);

  switch (g_rand_int_range (rand, 0, 5))
    {
    case 0:
      g_string_truncate (msg, at);
      break;
    case 1:
      msg->str[at] = alphabet[g_rand_int_range (rand, 0, sizeof alphabet)];
      break;
    case 2:
      g_string_erase (msg, (gssize) at, 1);
      break;
    case 3:
      g_string_insert_c (msg, (gssize) at, alphabet[g_rand_int_range (rand, 0, sizeof alphabet)]);
      break;
    default:
      g_string_insert (msg, (gssize) (msg->len - 1), ",\"cycle\":1");
      break;
    }
}

static void
test_fast_equals_reference (Parsers       *p,
                            gconstpointer  data)
{
  static const char * const topics[] = {
    "hydraulic-PS1", "hydraulic-all", "rig-1.hydraulic-all", "hydraulic-TS1",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20251228);
  guint counts[2] = { 0, 0 };

  for (guint i = 0; i < 200000; i++)
    {
      g_autoptr(GString) msg = g_string_new (NULL);
      const char *topic = topics[g_rand_int_range (rand, 0, G_N_ELEMENTS (topics))];
      VigilKafkaMessage m;

      random_message (rand, msg);
      if (i % 2 == 1)
        mutate (rand, msg);
      /* Payloads are not NUL-terminated: the copy has no byte after them. */
      {
        g_autofree char *exact = g_memdup2 (msg->str, msg->len);

        counts[parse_both (p, topic, exact, msg->len, &m) == VIGIL_KAFKA_SAMPLE]++;
      }
    }

  /* Both outcomes well represented, so the comparison tested something. */
  g_test_message ("accepted %u, rejected %u", counts[1], counts[0]);
  g_assert_cmpuint (counts[0], >, 40000);
  g_assert_cmpuint (counts[1], >, 40000);
}

static void
test_fast_takes_seed_messages (Parsers       *p,
                               gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);

  for (guint i = 0; i < 20000; i++)
    {
      g_autoptr(GString) msg = g_string_new (NULL);
      VigilSensor sensor = (VigilSensor) (i % VIGIL_N_SENSORS);
      g_autofree char *topic = g_strdup_printf ("hydraulic-%s",
                                                vigil_sensor_get_info (sensor)->name);
      VigilKafkaSample s = {
        .sensor = sensor, .cycle = i, .sample_idx = i % 60,
        .time_us = VIGIL_DEFAULT_START_US + (gint64) i * 10000 + g_rand_int_range (rand, 0, 2),
        .value = g_rand_double_range (rand, -1e4, 1e4),
      };
      VigilKafkaMessage m;

      vigil_kafka_write_sample (msg, &s);
      g_assert_cmpint (parse_both (p, topic, msg->str, msg->len, &m), ==, VIGIL_KAFKA_SAMPLE);
    }

  g_assert_cmpuint (vigil_kafka_fast_parser_get_fallbacks (p->fast), ==, 0);
}

static void
test_write_exact (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  VigilKafkaSample s = {
    .sensor = VIGIL_SENSOR_PS1, .cycle = 12, .sample_idx = 345, .value = 151.2,
    .time_us = utc_us (2025, 12, 28, 14, 56, 20) + 123456,
  };
  VigilKafkaLabel l = { { .cycle = 12, .cooler = 3, .valve = 100, .pump = 0,
                          .accumulator = 130, .stable = 1,
                          .start_us = utc_us (2025, 12, 28, 14, 56, 20) + 500000 }, "" };
  VigilKafkaAnalytics a = {
    { .key = VIGIL_SENSOR_TS1, .start_us = utc_us (2025, 1, 1, 0, 0, 10),
      .end_us = utc_us (2025, 1, 1, 0, 1, 10), .count = 60, .avg = 35.5, .min = 35.0,
      .max = 36.0, .stddev = NAN, .range = 1.0 }, "rig-2" };
  struct { double v; const char *text; } numbers[] = {
    { 0.0, "0.0" }, { -0.0, "-0.0" }, { 1e16, "1e+16" }, { 1e15, "1000000000000000.0" },
    { 1e-4, "0.0001" }, { 1e-5, "1e-05" }, { 0.1 + 0.2, "0.30000000000000004" },
    { 5e-324, "5e-324" }, { DBL_MAX, "1.7976931348623157e+308" }, { 123.456, "123.456" },
    { -2.5e-7, "-2.5e-07" }, { 1234567.0, "1234567.0" },
  };

  vigil_kafka_write_sample (out, &s);
  g_assert_cmpstr (out->str, ==,
                   "{\"sensor\":\"PS1\",\"cycle\":12,\"sample_idx\":345,\"value\":151.2,"
                   "\"timestamp\":\"2025-12-28T14:56:20.123456\",\"sampling_rate_hz\":100}");

  g_string_truncate (out, 0);
  vigil_kafka_write_label (out, &l);
  g_assert_cmpstr (out->str, ==,
                   "{\"cycle\":12,\"label_cooler\":3,\"label_valve\":100,\"label_pump\":0,"
                   "\"label_accumulator\":130,\"label_stable\":1,\"timestamp\":1766933780.5}");

  g_string_truncate (out, 0);
  vigil_kafka_write_analytics (out, &a);
  g_assert_cmpstr (out->str, ==,
                   "{\"sensor\":\"TS1\",\"window_start\":\"2025-01-01T00:00:10\","
                   "\"window_end\":\"2025-01-01T00:01:10\",\"avg_value\":35.5,"
                   "\"max_value\":36.0,\"min_value\":35.0,\"stddev_value\":null,"
                   "\"range_value\":1.0,\"sample_count\":60,\"rig\":\"rig-2\"}");

  /* Python's repr() of the same floats. */
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      s.value = numbers[i].v;
      g_string_truncate (out, 0);
      vigil_kafka_write_sample (out, &s);
      g_assert_nonnull (strstr (out->str, numbers[i].text));
      g_assert_true (strstr (out->str, numbers[i].text)[-1] == ':');
      g_assert_true (strstr (out->str, numbers[i].text)[strlen (numbers[i].text)] == ',');
    }
}

static void
test_round_trip (Parsers       *p,
                 gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);

  for (guint i = 0; i < 50000; i++)
    {
      g_autoptr(GString) out = g_string_new (NULL);
      VigilSensor sensor = (VigilSensor) g_rand_int_range (rand, 0, VIGIL_N_SENSORS);
      const VigilSensorInfo *info = vigil_sensor_get_info (sensor);
      VigilKafkaSample s = {
        .sensor = sensor, .cycle = g_rand_int (rand),
        .sample_idx = (guint) g_rand_int_range (rand, 0, (gint32) info->rate_hz * 60),
        .sampling_rate_hz = info->rate_hz,
        .time_us = (gint64) (g_rand_double (rand) * (VIGIL_KAFKA_MAX_TIME_US - 1)),
      };
      VigilKafkaLabel l = { { .cycle = g_rand_int (rand), .cooler = 20, .valve = 90,
                              .pump = 1, .accumulator = 115, .stable = i % 2,
                              .start_us = s.time_us }, "" };
      VigilKafkaAnalytics a = { { .key = sensor, .start_us = s.time_us,
                                  .end_us = s.time_us + 60000000, .count = i + 1 }, "" };
      guint64 bits = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
      VigilKafkaMessage m;

      memcpy (&s.value, &bits, sizeof s.value);
      if (!isfinite (s.value))
        s.value = -0.0;
      if (i % 5 == 0)
        strcpy (s.rig, "rig-9");
      a.stats.avg = s.value;
      a.stats.min = g_rand_double (rand);
      a.stats.max = -s.value;
      a.stats.stddev = i % 3 == 0 ? NAN : g_rand_double_range (rand, 0, 1e9);
      a.stats.range = g_rand_double_range (rand, 0, 1e-9);

      vigil_kafka_write_sample (out, &s);
      g_assert_cmpint (parse_both (p, "hydraulic-all", out->str, out->len, &m), ==,
                       VIGIL_KAFKA_SAMPLE);
      g_assert_cmpmem (&m.sample, G_STRUCT_OFFSET (VigilKafkaSample, rig), &s,
                       G_STRUCT_OFFSET (VigilKafkaSample, rig));
      g_assert_cmpstr (m.sample.rig, ==, s.rig);

      g_string_truncate (out, 0);
      vigil_kafka_write_label (out, &l);
      g_assert_cmpint (parse_both (p, "hydraulic-labels", out->str, out->len, &m), ==,
                       VIGIL_KAFKA_LABEL);
      g_assert_cmpuint (m.label.label.cycle, ==, l.label.cycle);
      g_assert_cmpint (m.label.label.start_us, ==, l.label.start_us);
      g_assert_cmpint (m.label.label.cooler, ==, 20);
      g_assert_cmpint (m.label.label.valve, ==, 90);
      g_assert_cmpint (m.label.label.pump, ==, 1);
      g_assert_cmpint (m.label.label.accumulator, ==, 115);
      g_assert_cmpint (m.label.label.stable, ==, (int) (i % 2));

      g_string_truncate (out, 0);
      vigil_kafka_write_analytics (out, &a);
      g_assert_cmpint (parse_both (p, "hydraulic-analytics", out->str, out->len, &m), ==,
                       VIGIL_KAFKA_ANALYTICS);
      g_assert_cmpuint (m.analytics.stats.key, ==, a.stats.key);
      g_assert_cmpint (m.analytics.stats.start_us, ==, a.stats.start_us);
      g_assert_cmpint (m.analytics.stats.end_us, ==, a.stats.end_us);
      g_assert_cmpuint (m.analytics.stats.count, ==, a.stats.count);
      g_assert_true (same_bits (m.analytics.stats.avg, a.stats.avg));
      g_assert_true (same_bits (m.analytics.stats.min, a.stats.min));
      g_assert_true (same_bits (m.analytics.stats.max, a.stats.max));
      g_assert_true (same_bits (m.analytics.stats.stddev, a.stats.stddev));
      g_assert_true (same_bits (m.analytics.stats.range, a.stats.range));
    }
}

/* The real 1 Hz UCI values as the seed would publish them: the writer's text of each value
 * is the file's own (Python's repr of the same float), and both parsers read back the double
 * that strtod reads from the file. */
static void
test_real_data (Parsers       *p,
                gconstpointer  data)
{
  const char *shared = g_getenv ("VIGIL_SHARED_DATA");
  static const char * const files[] = { "TS1", "CE", "SE", "VS1" };
  guint checked = 0;

  g_assert_nonnull (shared);
  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    {
      g_autofree char *path = g_strdup_printf ("%s/hydraulic-uci/%s.txt", shared, files[f]);
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;
      g_autofree char *topic = g_strdup_printf ("hydraulic-%s", files[f]);
      VigilSensor sensor;

      g_assert_true (vigil_sensor_from_name (files[f], &sensor));
      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      lines = g_strsplit (contents, "\n", 0);
      for (guint cycle = 0; cycle < 200 && lines[cycle] != NULL && *lines[cycle]; cycle++)
        {
          g_auto(GStrv) tokens = g_strsplit (lines[cycle], "\t", 0);

          g_assert_cmpuint (g_strv_length (tokens), ==, 60);
          for (guint i = 0; i < 60; i++)
            {
              g_autoptr(GString) out = g_string_new (NULL);
              g_autofree char *expected_text = NULL;
              VigilKafkaSample s = {
                .sensor = sensor, .cycle = cycle, .sample_idx = i,
                .time_us = VIGIL_DEFAULT_START_US + ((gint64) cycle * 60 + i) * 1000000,
                .value = g_ascii_strtod (tokens[i], NULL),
              };
              VigilKafkaMessage m;

              vigil_kafka_write_sample (out, &s);
              expected_text = strchr (tokens[i], '.') != NULL
                              ? g_strdup_printf ("\"value\":%s,", tokens[i])
                              : g_strdup_printf ("\"value\":%s.0,", tokens[i]);
              g_assert_nonnull (strstr (out->str, expected_text));
              g_assert_cmpint (parse_both (p, topic, out->str, out->len, &m), ==,
                               VIGIL_KAFKA_SAMPLE);
              g_assert_true (same_bits (m.sample.value, s.value));
              g_assert_cmpint (m.sample.time_us, ==, s.time_us);
              checked++;
            }
        }
    }

  g_assert_cmpuint (checked, ==, G_N_ELEMENTS (files) * 200 * 60);
  g_assert_cmpuint (vigil_kafka_fast_parser_get_fallbacks (p->fast), ==, 0);
}

static void
test_batch (Parsers       *p,
            gconstpointer  data)
{
  const char *good = "{\"sensor\":\"CP\",\"cycle\":2,\"sample_idx\":3,\"value\":1.5,"
                     "\"timestamp\":\"2025-01-01T00:02:03\",\"sampling_rate_hz\":1}";
  const char *label = "{\"cycle\":2,\"label_cooler\":3,\"label_valve\":100,\"label_pump\":0,"
                      "\"label_accumulator\":130,\"label_stable\":1,\"timestamp\":1735689720}";
  const char *traffic = "{\"camera_id\":\"cam_01\",\"timestamp\":\"2025-12-01T08:00:00\","
                        "\"objects\":[]}";
  VigilKafkaRecord records[] = {
    { "hydraulic-CP", 0, 10, good, strlen (good) },
    { "hydraulic-CP", 0, 11, "{\"sensor\":\"CP\"\n", 15 },
    { "hydraulic-labels", 1, 5, label, strlen (label) },
    { "traffic_data", 2, 7, traffic, strlen (traffic) },
    { "hydraulic-CP", 0, 12, good, strlen (good) },
  };

  for (guint round = 0; round < 2; round++)
    {
      VigilKafkaBatch batch;
      const VigilKafkaDeadLetter *d;

      vigil_kafka_batch_init (&batch);
      for (guint again = 0; again < 2; again++)
        {
          vigil_kafka_batch_reset (&batch);
          if (round == 0)
            vigil_kafka_parser_parse_batch (p->ref, records, G_N_ELEMENTS (records), &batch);
          else
            vigil_kafka_fast_parser_parse_batch (p->fast, records, G_N_ELEMENTS (records),
                                                 &batch);
          g_assert_cmpuint (batch.samples->len, ==, 2);
          g_assert_cmpfloat (g_array_index (batch.samples, VigilKafkaSample, 1).value, ==, 1.5);
          g_assert_cmpint (g_array_index (batch.samples, VigilKafkaSample, 0).time_us, ==,
                           utc_us (2025, 1, 1, 0, 2, 3));
          g_assert_cmpuint (batch.labels->len, ==, 1);
          g_assert_cmpint (g_array_index (batch.labels, VigilKafkaLabel, 0).label.start_us, ==,
                           utc_us (2025, 1, 1, 0, 2, 0));
          g_assert_cmpuint (batch.analytics->len, ==, 0);
          g_assert_cmpuint (batch.traffic->len, ==, 1);
          g_assert_cmpuint (g_array_index (batch.traffic, guint, 0), ==, 3);
          g_assert_cmpuint (batch.dead_letters->len, ==, 1);
          d = &g_array_index (batch.dead_letters, VigilKafkaDeadLetter, 0);
          g_assert_cmpstr (d->topic, ==, "hydraulic-CP");
          g_assert_cmpint (d->partition, ==, 0);
          g_assert_cmpint (d->offset, ==, 11);
          g_assert_cmpstr (d->excerpt, ==, "{\"sensor\":\"CP\"\\n");
          g_assert_cmpstr (d->reason, ==, "not JSON: truncated at offset 15");
        }
      vigil_kafka_batch_clear (&batch);
      g_assert_null (batch.samples);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/kafka/topics", test_topics);
  g_test_add ("/engine/kafka/sample", Parsers, NULL, parsers_setup, test_sample,
              parsers_teardown);
  g_test_add ("/engine/kafka/label", Parsers, NULL, parsers_setup, test_label,
              parsers_teardown);
  g_test_add ("/engine/kafka/analytics", Parsers, NULL, parsers_setup, test_analytics,
              parsers_teardown);
  g_test_add ("/engine/kafka/traffic", Parsers, NULL, parsers_setup, test_traffic,
              parsers_teardown);
  g_test_add_func ("/engine/kafka/decode-image", test_decode_image);
  g_test_add ("/engine/kafka/bad-messages", Parsers, NULL, parsers_setup, test_bad,
              parsers_teardown);
  g_test_add_func ("/engine/kafka/excerpt", test_excerpt);
  g_test_add_func ("/engine/kafka/seed-time", test_seed_time);
  g_test_add ("/engine/kafka/fast-equals-reference", Parsers, NULL, parsers_setup,
              test_fast_equals_reference, parsers_teardown);
  g_test_add ("/engine/kafka/fast-takes-seed-messages", Parsers, NULL, parsers_setup,
              test_fast_takes_seed_messages, parsers_teardown);
  g_test_add_func ("/engine/kafka/write-exact", test_write_exact);
  g_test_add ("/engine/kafka/round-trip", Parsers, NULL, parsers_setup, test_round_trip,
              parsers_teardown);
  g_test_add ("/engine/kafka/real-data", Parsers, NULL, parsers_setup, test_real_data,
              parsers_teardown);
  g_test_add ("/engine/kafka/batch", Parsers, NULL, parsers_setup, test_batch,
              parsers_teardown);

  return g_test_run ();
}
