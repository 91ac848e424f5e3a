/* vigil-kafka-message.c
 *
 * The reference parser of Kafka messages (json-glib), dead-letter excerpts, batches and the
 * decoding of traffic images.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-kafka"

#include "config.h"

#include <math.h>
#include <string.h>

#include "vigil-error.h"
#include "vigil-kafka-private.h"
#include "vigil-time.h"

/* Bytes of a string quoted in a reason. */
#define QUOTE_BYTES 40

char *
vigil_kafka_excerpt (const void *payload,
                     gsize       len)
{
  GString *out = g_string_sized_new (MIN (len, VIGIL_KAFKA_EXCERPT_BYTES) + 8);

  g_return_val_if_fail (payload != NULL || len == 0, NULL);

  _vigil_kafka_append_escaped (out, payload, len, VIGIL_KAFKA_EXCERPT_BYTES, TRUE);

  return g_string_free (out, FALSE);
}

/* "“text”" with the text escaped and cut. */
static const char *
quoted (GString    *buf,
        const char *text)
{
  g_string_assign (buf, "“");
  _vigil_kafka_append_escaped (buf, (const guchar *) text, strlen (text), QUOTE_BYTES, TRUE);
  g_string_append (buf, "”");

  return buf->str;
}

static void
on_object_member (JsonParser *json,
                  JsonObject *object,
                  const char *name,
                  gpointer    user_data)
{
  VigilKafkaParser *self = user_data;
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->member_counts, object)) + 1;

  g_hash_table_insert (self->member_counts, object, GUINT_TO_POINTER (count));
  if (self->duplicate == NULL && json_object_get_size (object) < count)
    self->duplicate = g_strdup (name);
}

VigilKafkaParser *
vigil_kafka_parser_new (void)
{
  VigilKafkaParser *self = g_new0 (VigilKafkaParser, 1);

  self->json = json_parser_new_immutable ();
  g_signal_connect (self->json, "object-member", G_CALLBACK (on_object_member), self);
  self->reason = g_string_new (NULL);
  self->scratch = g_string_new (NULL);
  self->member_counts = g_hash_table_new (NULL, NULL);
  self->objects = g_array_new (FALSE, FALSE, sizeof (VigilKafkaObject));
  self->polygons = g_array_new (FALSE, FALSE, sizeof (VigilKafkaPolygon));
  self->points = g_array_new (FALSE, FALSE, sizeof (VigilKafkaPoint));

  return self;
}

void
vigil_kafka_parser_free (VigilKafkaParser *self)
{
  if (self == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->json, self);
  g_object_unref (self->json);
  g_string_free (self->reason, TRUE);
  g_string_free (self->scratch, TRUE);
  g_hash_table_unref (self->member_counts);
  g_free (self->duplicate);
  g_array_unref (self->objects);
  g_array_unref (self->polygons);
  g_array_unref (self->points);
  g_free (self->topic);
  g_free (self);
}

static gboolean
is_name (const char *text,
         gsize       len)
{
  if (len == 0 || len > VIGIL_KAFKA_NAME_MAX)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '.' && text[i] != '_' && text[i] != '-')
      return FALSE;

  return TRUE;
}

gboolean
vigil_kafka_topic_parse (const char      *topic,
                         VigilKafkaTopic *out)
{
  const char *base;
  VigilSensor sensor;

  g_return_val_if_fail (topic != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  out->kind = VIGIL_KAFKA_INVALID;
  out->sensor = -1;

  base = strrchr (topic, '.');
  if (base != NULL)
    {
      if (!is_name (topic, (gsize) (base - topic)))
        return FALSE;
      memcpy (out->rig, topic, (gsize) (base - topic));
      base++;
    }
  else
    base = topic;

  if (g_str_equal (base, "hydraulic-labels"))
    out->kind = VIGIL_KAFKA_LABEL;
  else if (g_str_equal (base, "hydraulic-analytics"))
    out->kind = VIGIL_KAFKA_ANALYTICS;
  else if (g_str_has_prefix (base, "hydraulic-") && base[strlen ("hydraulic-")] != '\0')
    {
      out->kind = VIGIL_KAFKA_SAMPLE;
      if (vigil_sensor_from_name (base + strlen ("hydraulic-"), &sensor))
        out->sensor = (int) sensor;
    }
  else if (g_str_equal (base, "traffic_data"))
    out->kind = VIGIL_KAFKA_TRAFFIC;

  if (out->kind == VIGIL_KAFKA_INVALID)
    out->rig[0] = '\0';

  return out->kind != VIGIL_KAFKA_INVALID;
}

/* Fields. Each returns FALSE with the reason set. */

static JsonNode *
get_member (VigilKafkaParser *self,
            JsonObject       *object,
            const char       *name,
            gboolean          required)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL && required)
    _vigil_kafka_fail (self, "“%s” is missing", name);

  return node;
}

static gboolean
node_is (JsonNode *node,
         GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
node_get_int (VigilKafkaParser *self,
              JsonNode         *node,
              const char       *name,
              gint64            min,
              gint64            max,
              gint64           *out)
{
  if (!node_is (node, G_TYPE_INT64))
    return _vigil_kafka_fail (self, "“%s” is not an integer", name);

  *out = json_node_get_int (node);
  if (*out < min || *out > max)
    return _vigil_kafka_fail (self, "“%s” %" G_GINT64_FORMAT " is out of range (%"
                              G_GINT64_FORMAT " to %" G_GINT64_FORMAT ")", name, *out, min, max);

  return TRUE;
}

static gboolean
get_int (VigilKafkaParser *self,
         JsonObject       *object,
         const char       *name,
         gint64            min,
         gint64            max,
         gint64           *out)
{
  JsonNode *node = get_member (self, object, name, TRUE);

  return node != NULL && node_get_int (self, node, name, min, max, out);
}

static gboolean
node_get_number (VigilKafkaParser *self,
                 JsonNode         *node,
                 const char       *name,
                 double           *out)
{
  if (node_is (node, G_TYPE_INT64))
    *out = (double) json_node_get_int (node);
  else if (node_is (node, G_TYPE_DOUBLE))
    *out = json_node_get_double (node);
  else
    return _vigil_kafka_fail (self, "“%s” is not a number", name);

  /* json-glib gives ±inf for a literal beyond the range of a double. */
  if (!isfinite (*out))
    return _vigil_kafka_fail (self, "“%s” is too large for a double", name);

  return TRUE;
}

static gboolean
get_number (VigilKafkaParser *self,
            JsonObject       *object,
            const char       *name,
            double           *out)
{
  JsonNode *node = get_member (self, object, name, TRUE);

  return node != NULL && node_get_number (self, node, name, out);
}

static const char *
get_string (VigilKafkaParser *self,
            JsonObject       *object,
            const char       *name,
            gboolean          required)
{
  JsonNode *node = get_member (self, object, name, required);

  if (node == NULL)
    return NULL;
  if (!node_is (node, G_TYPE_STRING))
    {
      _vigil_kafka_fail (self, "“%s” is not a string", name);
      return NULL;
    }

  return json_node_get_string (node);
}

static gboolean
check_time_range (VigilKafkaParser *self,
                  const char       *text,
                  gint64            time_us)
{
  g_autoptr(GString) q = g_string_new (NULL);

  if (time_us < VIGIL_KAFKA_MIN_TIME_US || time_us >= VIGIL_KAFKA_MAX_TIME_US)
    return _vigil_kafka_fail (self, "timestamp %s is out of range (years 1970 to 2200)",
                              quoted (q, text));

  return TRUE;
}

static gboolean
get_iso_time (VigilKafkaParser *self,
              JsonObject       *object,
              const char       *name,
              gint64           *out_us)
{
  g_autoptr(GString) q = g_string_new (NULL);
  const char *text = get_string (self, object, name, TRUE);

  if (text == NULL)
    return FALSE;
  if (!vigil_time_parse_iso8601 (text, out_us, NULL))
    return _vigil_kafka_fail (self, "“%s” %s is not an ISO-8601 time", name, quoted (q, text));

  return check_time_range (self, text, *out_us);
}

static gboolean
get_sensor (VigilKafkaParser *self,
            JsonObject       *object,
            VigilSensor      *out)
{
  g_autoptr(GString) q = g_string_new (NULL);
  const char *name = get_string (self, object, "sensor", TRUE);

  if (name == NULL)
    return FALSE;
  if (!vigil_sensor_from_name (name, out))
    return _vigil_kafka_fail (self, "unknown sensor %s", quoted (q, name));

  return TRUE;
}

/* The optional "rig", reconciled with the topic's prefix. */
static gboolean
get_rig (VigilKafkaParser *self,
         JsonObject       *object,
         char              rig[VIGIL_KAFKA_NAME_MAX + 1])
{
  g_autoptr(GString) q = g_string_new (NULL);
  const char *name;

  strcpy (rig, self->topic_info.rig);
  if (json_object_get_member (object, "rig") == NULL)
    return TRUE;
  name = get_string (self, object, "rig", TRUE);
  if (name == NULL)
    return FALSE;
  if (!is_name (name, strlen (name)))
    return _vigil_kafka_fail (self, "“rig” %s is not a rig name (1 to %d letters, digits, "
                              "“.”, “_” or “-”)", quoted (q, name), VIGIL_KAFKA_NAME_MAX);
  if (rig[0] != '\0' && strcmp (rig, name) != 0)
    return _vigil_kafka_fail (self, "“rig” %s does not match the topic’s rig “%s”",
                              quoted (q, name), rig);
  strcpy (rig, name);

  return TRUE;
}

static gboolean
parse_sample (VigilKafkaParser *self,
              JsonObject       *object,
              VigilKafkaSample *out)
{
  const VigilSensorInfo *info;
  gint64 cycle, idx, rate;

  memset (out, 0, sizeof *out);
  if (!get_sensor (self, object, &out->sensor))
    return FALSE;
  info = vigil_sensor_get_info (out->sensor);
  if (self->topic_info.sensor >= 0 && self->topic_info.sensor != (int) out->sensor)
    return _vigil_kafka_fail (self, "sensor “%s” does not match topic “%s”", info->name,
                              self->topic);

  if (!get_int (self, object, "cycle", 0, G_MAXUINT, &cycle))
    return FALSE;
  if (!get_int (self, object, "sample_idx", 0, G_MAXINT64, &idx))
    return FALSE;
  if (idx >= vigil_sensor_samples_per_cycle (out->sensor))
    return _vigil_kafka_fail (self, "“sample_idx” %" G_GINT64_FORMAT " is out of range for %s "
                              "(0 to %u)", idx, info->name,
                              vigil_sensor_samples_per_cycle (out->sensor) - 1);
  if (!get_number (self, object, "value", &out->value))
    return FALSE;
  if (!get_iso_time (self, object, "timestamp", &out->time_us))
    return FALSE;
  if (!get_int (self, object, "sampling_rate_hz", G_MININT64, G_MAXINT64, &rate))
    return FALSE;
  if (rate != info->rate_hz)
    return _vigil_kafka_fail (self, "“sampling_rate_hz” %" G_GINT64_FORMAT " does not match %s "
                              "(%u Hz)", rate, info->name, info->rate_hz);

  out->cycle = (guint) cycle;
  out->sample_idx = (guint) idx;
  out->sampling_rate_hz = info->rate_hz;

  return get_rig (self, object, out->rig);
}

/* Label timestamps are float epoch seconds. Whole seconds and the fraction are converted
 * apart so that every microsecond below 2^33 s comes back exactly. */
static gboolean
seconds_to_us (VigilKafkaParser *self,
               double            seconds,
               gint64           *out_us)
{
  double whole = floor (seconds);

  if (seconds < VIGIL_KAFKA_MIN_TIME_US / 1e6 || seconds >= VIGIL_KAFKA_MAX_TIME_US / 1e6)
    return _vigil_kafka_fail (self, "timestamp %.17g is out of range (years 1970 to 2200)",
                              seconds);

  *out_us = (gint64) whole * VIGIL_USEC_PER_SEC + (gint64) llround ((seconds - whole) * 1e6);

  return TRUE;
}

static gboolean
get_label_value (VigilKafkaParser *self,
                 JsonObject       *object,
                 const char       *name,
                 const int        *allowed,
                 guint             n_allowed,
                 int              *out)
{
  g_autoptr(GString) list = g_string_new (NULL);
  gint64 v;

  if (!get_int (self, object, name, G_MININT64, G_MAXINT64, &v))
    return FALSE;

  for (guint i = 0; i < n_allowed; i++)
    {
      if (v == allowed[i])
        {
          *out = allowed[i];
          return TRUE;
        }
      g_string_append_printf (list, "%s%d", i == 0 ? "" : ", ", allowed[i]);
    }

  return _vigil_kafka_fail (self, "“%s” %" G_GINT64_FORMAT " is not one of %s", name, v,
                            list->str);
}

static gboolean
parse_label (VigilKafkaParser *self,
             JsonObject       *object,
             VigilKafkaLabel  *out)
{
  static const int cooler[] = { 3, 20, 100 };
  static const int valve[] = { 100, 90, 80, 73 };
  static const int pump[] = { 0, 1, 2 };
  static const int accumulator[] = { 130, 115, 100, 90 };
  static const int stable[] = { 0, 1 };
  gint64 cycle;
  double seconds;

  memset (out, 0, sizeof *out);
  if (!get_int (self, object, "cycle", 0, G_MAXUINT, &cycle))
    return FALSE;
  out->label.cycle = (guint) cycle;

  if (!get_label_value (self, object, "label_cooler", cooler, G_N_ELEMENTS (cooler),
                        &out->label.cooler) ||
      !get_label_value (self, object, "label_valve", valve, G_N_ELEMENTS (valve),
                        &out->label.valve) ||
      !get_label_value (self, object, "label_pump", pump, G_N_ELEMENTS (pump),
                        &out->label.pump) ||
      !get_label_value (self, object, "label_accumulator", accumulator,
                        G_N_ELEMENTS (accumulator), &out->label.accumulator) ||
      !get_label_value (self, object, "label_stable", stable, G_N_ELEMENTS (stable),
                        &out->label.stable))
    return FALSE;

  if (!get_number (self, object, "timestamp", &seconds) ||
      !seconds_to_us (self, seconds, &out->label.start_us))
    return FALSE;

  return get_rig (self, object, out->rig);
}

static gboolean
parse_analytics (VigilKafkaParser    *self,
                 JsonObject          *object,
                 VigilKafkaAnalytics *out)
{
  VigilWindowStats *w = &out->stats;
  VigilSensor sensor;
  JsonNode *node;
  gint64 count;

  memset (out, 0, sizeof *out);
  if (!get_sensor (self, object, &sensor))
    return FALSE;
  w->key = sensor;
  if (!get_iso_time (self, object, "window_start", &w->start_us) ||
      !get_iso_time (self, object, "window_end", &w->end_us))
    return FALSE;
  if (w->end_us <= w->start_us)
    return _vigil_kafka_fail (self, "“window_end” is not after “window_start”");

  if (!get_number (self, object, "avg_value", &w->avg) ||
      !get_number (self, object, "max_value", &w->max) ||
      !get_number (self, object, "min_value", &w->min))
    return FALSE;

  node = get_member (self, object, "stddev_value", TRUE);
  if (node == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_NULL (node))
    w->stddev = NAN;
  else if (!node_get_number (self, node, "stddev_value", &w->stddev))
    return FALSE;
  else if (w->stddev < 0)
    return _vigil_kafka_fail (self, "“stddev_value” is negative");

  if (!get_number (self, object, "range_value", &w->range))
    return FALSE;
  if (!get_int (self, object, "sample_count", 1, G_MAXINT64, &count))
    return FALSE;
  w->count = (guint64) count;

  return get_rig (self, object, out->rig);
}

/* "objects[3].bbox" */
static const char *
object_field (GString    *buf,
              guint       index,
              const char *name)
{
  g_string_printf (buf, "objects[%u].%s", index, name);

  return buf->str;
}

static gboolean
parse_point (VigilKafkaParser *self,
             JsonNode         *node,
             const char       *name)
{
  JsonArray *pair;
  VigilKafkaPoint pt;

  if (!JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (pair = json_node_get_array (node)) != 2)
    return _vigil_kafka_fail (self, "“%s” holds a point that is not [x, y]", name);
  if (!node_get_number (self, json_array_get_element (pair, 0), name, &pt.x) ||
      !node_get_number (self, json_array_get_element (pair, 1), name, &pt.y))
    return FALSE;
  g_array_append_val (self->points, pt);

  return TRUE;
}

static gboolean
parse_segmentation (VigilKafkaParser *self,
                    JsonNode         *node,
                    const char       *name,
                    VigilKafkaObject *obj)
{
  JsonArray *polygons;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return _vigil_kafka_fail (self, "“%s” is not a list of polygons", name);
  polygons = json_node_get_array (node);
  obj->first_polygon = self->polygons->len;
  obj->n_polygons = json_array_get_length (polygons);

  for (guint i = 0; i < obj->n_polygons; i++)
    {
      JsonNode *poly_node = json_array_get_element (polygons, i);
      VigilKafkaPolygon poly = { self->points->len, 0 };
      JsonArray *points;

      if (!JSON_NODE_HOLDS_ARRAY (poly_node))
        return _vigil_kafka_fail (self, "“%s” is not a list of polygons", name);
      points = json_node_get_array (poly_node);
      poly.n_points = json_array_get_length (points);
      for (guint j = 0; j < poly.n_points; j++)
        if (!parse_point (self, json_array_get_element (points, j), name))
          return FALSE;
      g_array_append_val (self->polygons, poly);
    }

  return TRUE;
}

static gboolean
parse_traffic_object (VigilKafkaParser *self,
                      JsonNode         *node,
                      guint             index)
{
  g_autoptr(GString) name = g_string_new (NULL);
  VigilKafkaObject obj = { .track_id = -1 };
  JsonObject *o;
  JsonNode *member;
  gint64 v = 0;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return _vigil_kafka_fail (self, "“objects[%u]” is not an object", index);
  o = json_node_get_object (node);

  object_field (name, index, "class_id");
  if ((member = json_object_get_member (o, "class_id")) == NULL)
    return _vigil_kafka_fail (self, "“%s” is missing", name->str);
  if (!node_get_int (self, member, name->str, 0, 3, &v))
    return FALSE;
  obj.class_id = (int) v;

  if ((member = json_object_get_member (o, "track_id")) != NULL &&
      !node_get_int (self, member, object_field (name, index, "track_id"), 0, G_MAXINT64,
                     &obj.track_id))
    return FALSE;

  if ((member = json_object_get_member (o, "world_coordinates")) != NULL)
    {
      JsonObject *wc;

      object_field (name, index, "world_coordinates");
      if (!JSON_NODE_HOLDS_OBJECT (member) ||
          json_object_get_member (wc = json_node_get_object (member), "x") == NULL ||
          json_object_get_member (wc, "y") == NULL)
        return _vigil_kafka_fail (self, "“%s” is not {\"x\": …, \"y\": …}", name->str);
      if (!node_get_number (self, json_object_get_member (wc, "x"), name->str, &obj.world_x) ||
          !node_get_number (self, json_object_get_member (wc, "y"), name->str, &obj.world_y))
        return FALSE;
      obj.has_world = TRUE;
    }

  if ((member = json_object_get_member (o, "bbox")) != NULL)
    {
      JsonArray *box;

      object_field (name, index, "bbox");
      if (!JSON_NODE_HOLDS_ARRAY (member) ||
          json_array_get_length (box = json_node_get_array (member)) != 4)
        return _vigil_kafka_fail (self, "“%s” is not [x centre, y centre, width, height]",
                                  name->str);
      for (guint i = 0; i < 4; i++)
        {
          if (!node_get_number (self, json_array_get_element (box, i), name->str, &obj.bbox[i]))
            return FALSE;
          if (obj.bbox[i] < 0 || obj.bbox[i] > 1)
            return _vigil_kafka_fail (self, "“%s” is not normalised (values from 0 to 1)",
                                      name->str);
        }
      obj.has_bbox = TRUE;
    }

  if ((member = json_object_get_member (o, "segmentation")) != NULL &&
      !parse_segmentation (self, member, object_field (name, index, "segmentation"), &obj))
    return FALSE;

  g_array_append_val (self->objects, obj);

  return TRUE;
}

/* The raw text of the top-level string member @name (its key written without escapes). */
static gboolean
find_top_string (VigilKafkaParser *self,
                 const guchar     *payload,
                 const char       *name,
                 const char      **out,
                 gsize            *out_len)
{
  gsize n = strlen (name);

  for (guint i = 0; i < self->n_top; i++)
    {
      const VigilKafkaMemberSpan *m = &self->top[i];

      if (m->key_len == n && memcmp (payload + m->key_off, name, n) == 0 &&
          payload[m->value_off] == '"')
        {
          *out = (const char *) payload + m->value_off + 1;
          *out_len = m->value_len - 2;
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
parse_traffic (VigilKafkaParser  *self,
               JsonObject        *object,
               const guchar      *payload,
               VigilKafkaTraffic *out)
{
  g_autoptr(GString) q = g_string_new (NULL);
  const char *camera;
  JsonNode *node;
  JsonArray *objects;

  memset (out, 0, sizeof *out);
  g_array_set_size (self->objects, 0);
  g_array_set_size (self->polygons, 0);
  g_array_set_size (self->points, 0);

  camera = get_string (self, object, "camera_id", TRUE);
  if (camera == NULL)
    return FALSE;
  if (!is_name (camera, strlen (camera)))
    return _vigil_kafka_fail (self, "“camera_id” %s is not a camera name (1 to %d letters, "
                              "digits, “.”, “_” or “-”)", quoted (q, camera), VIGIL_KAFKA_NAME_MAX);
  strcpy (out->camera_id, camera);

  if (!get_iso_time (self, object, "timestamp", &out->time_us))
    return FALSE;

  if ((node = json_object_get_member (object, "image_id")) != NULL)
    {
      if (node_is (node, G_TYPE_STRING))
        g_string_assign (self->scratch, json_node_get_string (node));
      else if (node_is (node, G_TYPE_INT64))
        g_string_printf (self->scratch, "%" G_GINT64_FORMAT, json_node_get_int (node));
      else
        return _vigil_kafka_fail (self, "“image_id” is not a string or an integer");
      out->image_id = self->scratch->str;
    }

  if (json_object_get_member (object, "image") != NULL)
    {
      if (get_string (self, object, "image", TRUE) == NULL)
        return FALSE;
      if (!find_top_string (self, payload, "image", &out->image, &out->image_len))
        return _vigil_kafka_fail (self, "“image” is written with escapes in its name");
    }

  node = get_member (self, object, "objects", TRUE);
  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return _vigil_kafka_fail (self, "“objects” is not a list");
  objects = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (objects); i++)
    if (!parse_traffic_object (self, json_array_get_element (objects, i), i))
      return FALSE;

  out->objects = (const VigilKafkaObject *) (gpointer) self->objects->data;
  out->n_objects = self->objects->len;
  out->polygons = (const VigilKafkaPolygon *) (gpointer) self->polygons->data;
  out->n_polygons = self->polygons->len;
  out->points = (const VigilKafkaPoint *) (gpointer) self->points->data;
  out->n_points = self->points->len;

  return TRUE;
}

static void
update_topic (VigilKafkaParser *self,
              const char       *topic)
{
  if (self->topic != NULL && strcmp (self->topic, topic) == 0)
    return;

  g_free (self->topic);
  self->topic = g_strdup (topic);
  vigil_kafka_topic_parse (topic, &self->topic_info);
}

static gboolean
parse_payload (VigilKafkaParser  *self,
               const guchar      *payload,
               gsize              len,
               VigilKafkaMessage *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) q = g_string_new (NULL);
  JsonNode *root;
  JsonObject *object;

  if (self->topic_info.kind == VIGIL_KAFKA_INVALID)
    return _vigil_kafka_fail (self, "topic %s is not one Vigil reads", quoted (q, self->topic));

  if (!_vigil_kafka_check_json (self, payload, len))
    return FALSE;

  g_hash_table_remove_all (self->member_counts);
  g_clear_pointer (&self->duplicate, g_free);
  if (!json_parser_load_from_data (self->json, (const char *) payload, (gssize) len, &error))
    return _vigil_kafka_fail (self, "not JSON: %s", error->message);
  if (self->duplicate != NULL)
    return _vigil_kafka_fail (self, "key %s appears more than once", quoted (q, self->duplicate));

  root = json_parser_get_root (self->json);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return _vigil_kafka_fail (self, "not a JSON object");
  object = json_node_get_object (root);

  switch (self->topic_info.kind)
    {
    case VIGIL_KAFKA_SAMPLE:
      return parse_sample (self, object, &out->sample);
    case VIGIL_KAFKA_LABEL:
      return parse_label (self, object, &out->label);
    case VIGIL_KAFKA_ANALYTICS:
      return parse_analytics (self, object, &out->analytics);
    case VIGIL_KAFKA_TRAFFIC:
      return parse_traffic (self, object, payload, &out->traffic);
    case VIGIL_KAFKA_INVALID:
    default:
      g_assert_not_reached ();
    }
}

VigilKafkaKind
vigil_kafka_parser_parse (VigilKafkaParser  *self,
                          const char        *topic,
                          gint32             partition,
                          gint64             offset,
                          const void        *payload,
                          gsize              len,
                          VigilKafkaMessage *out)
{
  g_return_val_if_fail (self != NULL, VIGIL_KAFKA_INVALID);
  g_return_val_if_fail (topic != NULL, VIGIL_KAFKA_INVALID);
  g_return_val_if_fail (payload != NULL || len == 0, VIGIL_KAFKA_INVALID);
  g_return_val_if_fail (out != NULL, VIGIL_KAFKA_INVALID);

  update_topic (self, topic);
  out->topic = topic;
  out->partition = partition;
  out->offset = offset;
  out->reason = NULL;

  if (parse_payload (self, payload != NULL ? payload : (const guchar *) "", len, out))
    out->kind = self->topic_info.kind;
  else
    {
      out->kind = VIGIL_KAFKA_INVALID;
      out->reason = self->reason->str;
    }

  return out->kind;
}

void
vigil_kafka_dead_letter_clear (gpointer dead_letter)
{
  VigilKafkaDeadLetter *d = dead_letter;

  g_clear_pointer (&d->topic, g_free);
  g_clear_pointer (&d->excerpt, g_free);
  g_clear_pointer (&d->reason, g_free);
}

void
vigil_kafka_batch_init (VigilKafkaBatch *batch)
{
  g_return_if_fail (batch != NULL);

  batch->samples = g_array_new (FALSE, FALSE, sizeof (VigilKafkaSample));
  batch->labels = g_array_new (FALSE, FALSE, sizeof (VigilKafkaLabel));
  batch->analytics = g_array_new (FALSE, FALSE, sizeof (VigilKafkaAnalytics));
  batch->traffic = g_array_new (FALSE, FALSE, sizeof (guint));
  batch->dead_letters = g_array_new (FALSE, FALSE, sizeof (VigilKafkaDeadLetter));
  g_array_set_clear_func (batch->dead_letters, vigil_kafka_dead_letter_clear);
}

void
vigil_kafka_batch_reset (VigilKafkaBatch *batch)
{
  g_return_if_fail (batch != NULL);

  g_array_set_size (batch->samples, 0);
  g_array_set_size (batch->labels, 0);
  g_array_set_size (batch->analytics, 0);
  g_array_set_size (batch->traffic, 0);
  g_array_set_size (batch->dead_letters, 0);
}

void
vigil_kafka_batch_clear (VigilKafkaBatch *batch)
{
  g_return_if_fail (batch != NULL);

  g_clear_pointer (&batch->samples, g_array_unref);
  g_clear_pointer (&batch->labels, g_array_unref);
  g_clear_pointer (&batch->analytics, g_array_unref);
  g_clear_pointer (&batch->traffic, g_array_unref);
  g_clear_pointer (&batch->dead_letters, g_array_unref);
}

typedef VigilKafkaKind (*ParseFunc) (gpointer           parser,
                                     const char        *topic,
                                     gint32             partition,
                                     gint64             offset,
                                     const void        *payload,
                                     gsize              len,
                                     VigilKafkaMessage *out);

static void
parse_batch (ParseFunc               parse,
             gpointer                parser,
             const VigilKafkaRecord *records,
             gsize                   n_records,
             VigilKafkaBatch        *batch)
{
  for (gsize i = 0; i < n_records; i++)
    {
      const VigilKafkaRecord *r = &records[i];
      VigilKafkaMessage m;

      switch (parse (parser, r->topic, r->partition, r->offset, r->payload, r->len, &m))
        {
        case VIGIL_KAFKA_SAMPLE:
          g_array_append_val (batch->samples, m.sample);
          break;
        case VIGIL_KAFKA_LABEL:
          g_array_append_val (batch->labels, m.label);
          break;
        case VIGIL_KAFKA_ANALYTICS:
          g_array_append_val (batch->analytics, m.analytics);
          break;
        case VIGIL_KAFKA_TRAFFIC:
          {
            guint index = (guint) i;

            g_array_append_val (batch->traffic, index);
          }
          break;
        case VIGIL_KAFKA_INVALID:
        default:
          {
            VigilKafkaDeadLetter d = {
              g_strdup (r->topic), r->partition, r->offset,
              vigil_kafka_excerpt (r->payload, r->len), g_strdup (m.reason),
            };

            g_array_append_val (batch->dead_letters, d);
          }
          break;
        }
    }
}

void
vigil_kafka_parser_parse_batch (VigilKafkaParser       *self,
                                const VigilKafkaRecord *records,
                                gsize                   n_records,
                                VigilKafkaBatch        *batch)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (records != NULL || n_records == 0);
  g_return_if_fail (batch != NULL && batch->samples != NULL);

  parse_batch ((ParseFunc) vigil_kafka_parser_parse, self, records, n_records, batch);
}

void
vigil_kafka_fast_parser_parse_batch (VigilKafkaFastParser   *self,
                                     const VigilKafkaRecord *records,
                                     gsize                   n_records,
                                     VigilKafkaBatch        *batch)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (records != NULL || n_records == 0);
  g_return_if_fail (batch != NULL && batch->samples != NULL);

  parse_batch ((ParseFunc) vigil_kafka_fast_parser_parse, self, records, n_records, batch);
}

guchar *
vigil_kafka_decode_image (const char  *image,
                          gsize        image_len,
                          gsize       *out_len,
                          GError     **error)
{
  static const char unescaped[] = "\"\\/\b\f\n\r\t";
  static const char escapes[] = "\"\\/bfnrt";
  g_autoptr(GString) text = g_string_sized_new (image_len + 1);
  gsize n = 0;

  g_return_val_if_fail (image != NULL || image_len == 0, NULL);
  g_return_val_if_fail (out_len != NULL, NULL);

  for (gsize i = 0; i < image_len; i++)
    {
      char c = image[i];

      if (c == '\\' && i + 1 < image_len && strchr (escapes, image[i + 1]) != NULL)
        c = unescaped[strchr (escapes, image[++i]) - escapes];
      if (g_ascii_isspace (c))
        continue;
      if (!g_ascii_isalnum (c) && c != '+' && c != '/' && c != '=')
        {
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                       "The image is not base64: unexpected byte 0x%02x at offset %"
                       G_GSIZE_FORMAT, (guchar) image[i], i);
          return NULL;
        }
      g_string_append_c (text, c);
      n++;
    }

  if (n % 4 != 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "The image is not base64: %" G_GSIZE_FORMAT " characters, not a multiple of 4",
                   n);
      return NULL;
    }

  if (n == 0)
    {
      *out_len = 0;
      return g_malloc0 (1);
    }

  return g_base64_decode_inplace (g_string_free (g_steal_pointer (&text), FALSE), out_len);
}
