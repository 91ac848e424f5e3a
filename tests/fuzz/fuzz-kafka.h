/* fuzz-kafka.h
 *
 * What the Kafka message targets share: every payload goes through the reference parser and
 * the fast one, which must agree on everything (kind, values, reasons); a message that parses
 * is checked against the format's bounds and, for the forms Vigil writes, written and parsed
 * again to the same values; a dead letter has a reason and a readable excerpt. Included by one
 * fuzz-kafka-*.c each, which picks the topics.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <math.h>

#include "vigil-kafka-message.h"
#include "vigil-sensor.h"

#include "fuzz-common.h"

static VigilKafkaParser *reference;
static VigilKafkaParser *rewritten;
static VigilKafkaFastParser *fast;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  reference = vigil_kafka_parser_new ();
  rewritten = vigil_kafka_parser_new ();
  fast = vigil_kafka_fast_parser_new ();
  return 0;
}

static inline gboolean
same_double (double a,
             double b)
{
  return memcmp (&a, &b, sizeof a) == 0 || (isnan (a) && isnan (b));
}

static inline void
check_rig (const char *rig)
{
  size_t len = strnlen (rig, VIGIL_KAFKA_NAME_MAX + 1);

  FUZZ_CHECK (len <= VIGIL_KAFKA_NAME_MAX);
  for (size_t i = 0; i < len; i++)
    FUZZ_CHECK (g_ascii_isalnum (rig[i]) || rig[i] == '.' || rig[i] == '_' || rig[i] == '-');
}

static inline void
check_time (gint64 us)
{
  FUZZ_CHECK (us >= VIGIL_KAFKA_MIN_TIME_US && us < VIGIL_KAFKA_MAX_TIME_US);
}

static inline void
check_same_sample (const VigilKafkaSample *a,
                   const VigilKafkaSample *b)
{
  FUZZ_CHECK (a->sensor == b->sensor);
  FUZZ_CHECK (a->cycle == b->cycle);
  FUZZ_CHECK (a->sample_idx == b->sample_idx);
  FUZZ_CHECK (a->sampling_rate_hz == b->sampling_rate_hz);
  FUZZ_CHECK (a->time_us == b->time_us);
  FUZZ_CHECK (same_double (a->value, b->value));
  FUZZ_CHECK (strcmp (a->rig, b->rig) == 0);
}

static inline void
check_same_label (const VigilKafkaLabel *a,
                  const VigilKafkaLabel *b)
{
  FUZZ_CHECK (a->label.cycle == b->label.cycle);
  FUZZ_CHECK (a->label.start_us == b->label.start_us);
  FUZZ_CHECK (a->label.cooler == b->label.cooler);
  FUZZ_CHECK (a->label.valve == b->label.valve);
  FUZZ_CHECK (a->label.pump == b->label.pump);
  FUZZ_CHECK (a->label.accumulator == b->label.accumulator);
  FUZZ_CHECK (a->label.stable == b->label.stable);
  FUZZ_CHECK (strcmp (a->rig, b->rig) == 0);
}

static inline void
check_same_analytics (const VigilKafkaAnalytics *a,
                      const VigilKafkaAnalytics *b)
{
  FUZZ_CHECK (a->stats.key == b->stats.key);
  FUZZ_CHECK (a->stats.start_us == b->stats.start_us);
  FUZZ_CHECK (a->stats.end_us == b->stats.end_us);
  FUZZ_CHECK (a->stats.count == b->stats.count);
  FUZZ_CHECK (same_double (a->stats.avg, b->stats.avg));
  FUZZ_CHECK (same_double (a->stats.min, b->stats.min));
  FUZZ_CHECK (same_double (a->stats.max, b->stats.max));
  FUZZ_CHECK (same_double (a->stats.stddev, b->stats.stddev));
  FUZZ_CHECK (same_double (a->stats.range, b->stats.range));
  FUZZ_CHECK (strcmp (a->rig, b->rig) == 0);
}

static inline gboolean
same_text (const char *a,
           const char *b)
{
  return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp (a, b) == 0);
}

static inline void
check_same_traffic (const VigilKafkaTraffic *a,
                    const VigilKafkaTraffic *b)
{
  FUZZ_CHECK (strcmp (a->camera_id, b->camera_id) == 0);
  FUZZ_CHECK (a->time_us == b->time_us);
  FUZZ_CHECK (same_text (a->image_id, b->image_id));
  FUZZ_CHECK (a->image == b->image && a->image_len == b->image_len);
  FUZZ_CHECK (a->n_objects == b->n_objects);
  FUZZ_CHECK (a->n_polygons == b->n_polygons);
  FUZZ_CHECK (a->n_points == b->n_points);
  for (guint i = 0; i < a->n_objects; i++)
    {
      const VigilKafkaObject *x = &a->objects[i], *y = &b->objects[i];

      FUZZ_CHECK (x->track_id == y->track_id && x->class_id == y->class_id);
      FUZZ_CHECK (x->has_world == y->has_world && x->has_bbox == y->has_bbox);
      FUZZ_CHECK (same_double (x->world_x, y->world_x) && same_double (x->world_y, y->world_y));
      for (guint k = 0; k < 4; k++)
        FUZZ_CHECK (same_double (x->bbox[k], y->bbox[k]));
      FUZZ_CHECK (x->first_polygon == y->first_polygon && x->n_polygons == y->n_polygons);
    }
  for (guint i = 0; i < a->n_polygons; i++)
    FUZZ_CHECK (a->polygons[i].first_point == b->polygons[i].first_point &&
                a->polygons[i].n_points == b->polygons[i].n_points);
  for (guint i = 0; i < a->n_points; i++)
    FUZZ_CHECK (same_double (a->points[i].x, b->points[i].x) &&
                same_double (a->points[i].y, b->points[i].y));
}

/* What a traffic message holds must be usable as it is: indexes in range, finite numbers. */
static inline void
check_traffic (const VigilKafkaTraffic *t,
               const uint8_t           *payload,
               size_t                   len)
{
  check_rig (t->camera_id);
  FUZZ_CHECK (t->camera_id[0] != '\0');
  check_time (t->time_us);
  FUZZ_CHECK (t->image_id == NULL || g_utf8_validate (t->image_id, -1, NULL));
  if (t->image != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree guchar *bytes = NULL;
      gsize n = 0;
      static const int codes[] = { VIGIL_ENGINE_ERROR_PARSE, -1 };

      /* The image borrows from the payload. */
      FUZZ_CHECK ((const uint8_t *) t->image >= payload &&
                  (const uint8_t *) t->image + t->image_len <= payload + len);
      bytes = vigil_kafka_decode_image (t->image, t->image_len, &n, &error);
      if (bytes == NULL)
        fuzz_check_error (error, NULL, codes);
      else
        /* Base64 never grows: 3 bytes from every 4 characters. */
        FUZZ_CHECK (n <= t->image_len / 4 * 3 + 3);
    }
  for (guint i = 0; i < t->n_objects; i++)
    {
      const VigilKafkaObject *o = &t->objects[i];

      FUZZ_CHECK (o->class_id >= 0 && o->class_id <= 3);
      FUZZ_CHECK (o->track_id >= -1);
      FUZZ_CHECK (!o->has_world || (isfinite (o->world_x) && isfinite (o->world_y)));
      if (o->has_bbox)
        for (guint k = 0; k < 4; k++)
          FUZZ_CHECK (isfinite (o->bbox[k]));
      FUZZ_CHECK (o->first_polygon <= t->n_polygons);
      FUZZ_CHECK (o->n_polygons <= t->n_polygons - o->first_polygon);
    }
  for (guint i = 0; i < t->n_polygons; i++)
    {
      FUZZ_CHECK (t->polygons[i].first_point <= t->n_points);
      FUZZ_CHECK (t->polygons[i].n_points <= t->n_points - t->polygons[i].first_point);
    }
  for (guint i = 0; i < t->n_points; i++)
    FUZZ_CHECK (isfinite (t->points[i].x) && isfinite (t->points[i].y));
}

/* Writes what was parsed and parses it again under the same topic. */
static inline void
check_rewrite (const VigilKafkaMessage *m)
{
  g_autoptr(GString) out = g_string_new (NULL);
  VigilKafkaMessage again;
  VigilKafkaKind kind;

  switch (m->kind)
    {
    case VIGIL_KAFKA_SAMPLE:
      vigil_kafka_write_sample (out, &m->sample);
      break;
    case VIGIL_KAFKA_LABEL:
      vigil_kafka_write_label (out, &m->label);
      break;
    case VIGIL_KAFKA_ANALYTICS:
      vigil_kafka_write_analytics (out, &m->analytics);
      break;
    case VIGIL_KAFKA_INVALID:
    case VIGIL_KAFKA_TRAFFIC:
    default:
      return;
    }

  kind = vigil_kafka_parser_parse (rewritten, m->topic, 0, 0, out->str, out->len, &again);
  if (kind != m->kind)
    fprintf (stderr, "wrote %s\nread back as a dead letter: %s\n", out->str,
             again.reason != NULL ? again.reason : "(no reason)");
  FUZZ_CHECK (kind == m->kind);
  if (kind == VIGIL_KAFKA_SAMPLE)
    check_same_sample (&m->sample, &again.sample);
  else if (kind == VIGIL_KAFKA_LABEL)
    check_same_label (&m->label, &again.label);
  else
    check_same_analytics (&m->analytics, &again.analytics);
}

static inline void
fuzz_kafka_message (const char    *topic,
                    const uint8_t *payload,
                    size_t         len)
{
  VigilKafkaMessage a, b;
  VigilKafkaKind ka, kb;
  VigilKafkaTopic info;

  vigil_kafka_topic_parse (topic, &info);
  ka = vigil_kafka_parser_parse (reference, topic, 3, 42, payload, len, &a);
  kb = vigil_kafka_fast_parser_parse (fast, topic, 3, 42, payload, len, &b);

  FUZZ_CHECK (ka == a.kind && kb == b.kind);
  if (ka != kb)
    fprintf (stderr, "reference: %d (%s), fast: %d (%s)\n", ka,
             ka == VIGIL_KAFKA_INVALID ? a.reason : "", kb,
             kb == VIGIL_KAFKA_INVALID ? b.reason : "");
  FUZZ_CHECK (ka == kb);
  FUZZ_CHECK (ka == VIGIL_KAFKA_INVALID || ka == info.kind);
  FUZZ_CHECK (a.partition == 3 && a.offset == 42 && b.partition == 3 && b.offset == 42);

  switch (ka)
    {
    case VIGIL_KAFKA_INVALID:
      {
        g_autofree char *excerpt = vigil_kafka_excerpt (payload, len);

        FUZZ_CHECK (a.reason != NULL && a.reason[0] != '\0' && b.reason != NULL);
        FUZZ_CHECK (g_utf8_validate (a.reason, -1, NULL));
        if (strcmp (a.reason, b.reason) != 0)
          fprintf (stderr, "reference: %s\nfast: %s\n", a.reason, b.reason);
        FUZZ_CHECK (strcmp (a.reason, b.reason) == 0);
        FUZZ_CHECK (g_utf8_validate (excerpt, -1, NULL));
        /* Each byte kept is at most 4 characters ("\xff"), and "…" may follow. */
        FUZZ_CHECK (strlen (excerpt) <= 4 * VIGIL_KAFKA_EXCERPT_BYTES + 3);
      }
      break;
    case VIGIL_KAFKA_SAMPLE:
      check_same_sample (&a.sample, &b.sample);
      FUZZ_CHECK ((int) a.sample.sensor == info.sensor);
      FUZZ_CHECK (a.sample.sampling_rate_hz == vigil_sensor_get_info (a.sample.sensor)->rate_hz);
      FUZZ_CHECK (a.sample.sample_idx < a.sample.sampling_rate_hz * VIGIL_CYCLE_SECONDS);
      FUZZ_CHECK (isfinite (a.sample.value));
      check_time (a.sample.time_us);
      check_rig (a.sample.rig);
      FUZZ_CHECK (info.rig[0] == '\0' || strcmp (info.rig, a.sample.rig) == 0);
      break;
    case VIGIL_KAFKA_LABEL:
      check_same_label (&a.label, &b.label);
      check_time (a.label.label.start_us);
      check_rig (a.label.rig);
      break;
    case VIGIL_KAFKA_ANALYTICS:
      check_same_analytics (&a.analytics, &b.analytics);
      FUZZ_CHECK (a.analytics.stats.key < VIGIL_N_SENSORS);
      check_time (a.analytics.stats.start_us);
      check_rig (a.analytics.rig);
      break;
    case VIGIL_KAFKA_TRAFFIC:
      check_same_traffic (&a.traffic, &b.traffic);
      check_traffic (&a.traffic, payload, len);
      break;
    default:
      FUZZ_CHECK (!"an unknown kind");
    }

  check_rewrite (&a);
}
