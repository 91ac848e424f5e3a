/* vigil-kafka-fast.cc
 *
 * The fast path of hydraulic sample messages: simdjson's On-Demand API behind the C interface
 * of vigil-kafka-message.h. It takes a message on its own only when it is sure the reference
 * parser would accept it with the same values; anything else (an error, an unknown or repeated
 * key, a number or time it does not read exactly like the reference) goes to the reference,
 * which gives the answer and the reason. tests/test-kafka-message.c holds the two to that.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-kafka"

#include "config.h"

#include <string.h>
#include <utility>

#include <simdjson.h>

#include "vigil-kafka-message.h"
#include "vigil-time.h"

namespace {

namespace od = simdjson::ondemand;

enum : unsigned
{
  HAVE_SENSOR = 1u << 0,
  HAVE_CYCLE = 1u << 1,
  HAVE_IDX = 1u << 2,
  HAVE_VALUE = 1u << 3,
  HAVE_TIME = 1u << 4,
  HAVE_RATE = 1u << 5,
  HAVE_RIG = 1u << 6,
  HAVE_REQUIRED = (1u << 6) - 1,
};

/* simdjson 3.0.1 misreads some numbers of more than 19 significant digits (it gives
 * 4.1e-16 for 0.1000000000000000055511151231257827); the seed never writes more than 17. */
constexpr int MAX_FAST_DIGITS = 19;

bool
read_digits (const char *p,
             int         n,
             unsigned   *out)
{
  unsigned v = 0;

  for (int i = 0; i < n; i++)
    {
      unsigned d = (unsigned) (unsigned char) p[i] - '0';

      if (d > 9)
        return false;
      v = v * 10 + d;
    }
  *out = v;

  return true;
}

/* Leap days in years 1 .. y (proleptic Gregorian). */
constexpr long
leap_days (long y)
{
  return y / 4 - y / 100 + y / 400;
}

bool
is_name (std::string_view s)
{
  if (s.empty () || s.size () > VIGIL_KAFKA_NAME_MAX)
    return false;
  for (char c : s)
    if (!g_ascii_isalnum (c) && c != '.' && c != '_' && c != '-')
      return false;

  return true;
}

/* Integer tokens go through int64 like json-glib's (so "-0" is +0.0); others must be short
 * enough for simdjson to round exactly. */
bool
read_value (od::value &v,
            double    &out)
{
  std::string_view raw = v.raw_json_token ();
  bool integer = true;
  int digits = 0;

  for (char c : raw)
    {
      if (c >= '0' && c <= '9')
        digits++;
      else if (c == '.')
        integer = false;
      else if (c == 'e' || c == 'E')
        {
          integer = false;
          break;
        }
      else if (c != '-')
        break;
    }

  if (integer)
    {
      int64_t i;

      if (v.get_int64 ().get (i))
        return false;
      out = (double) i;
      return true;
    }

  return digits <= MAX_FAST_DIGITS && !v.get_double ().get (out);
}

bool
read_int (od::value &v,
          int64_t    min,
          int64_t    max,
          int64_t   &out)
{
  return !v.get_int64 ().get (out) && out >= min && out <= max;
}

}  // namespace

extern "C" gboolean
vigil_kafka_parse_seed_time (const char *text,
                             gsize       len,
                             gint64     *out_us)
{
  static const unsigned month_days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  static const unsigned days_before[12] = {
    0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334,
  };
  unsigned y, mo, d, h, mi, s, frac = 0;
  bool leap;
  long days;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_us != NULL, FALSE);

  if (len != 19 && len != 26)
    return FALSE;
  if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || (len == 26 && text[19] != '.'))
    return FALSE;
  if (!read_digits (text, 4, &y) || !read_digits (text + 5, 2, &mo) ||
      !read_digits (text + 8, 2, &d) || !read_digits (text + 11, 2, &h) ||
      !read_digits (text + 14, 2, &mi) || !read_digits (text + 17, 2, &s) ||
      (len == 26 && !read_digits (text + 20, 6, &frac)))
    return FALSE;

  leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59 ||
      d > month_days[mo - 1] + (mo == 2 && leap))
    return FALSE;

  days = 365 * ((long) y - 1970) + leap_days ((long) y - 1) - leap_days (1969) +
         days_before[mo - 1] + (mo > 2 && leap) + d - 1;
  *out_us = ((gint64) days * 86400 + h * 3600 + mi * 60 + s) * VIGIL_USEC_PER_SEC + frac;

  return TRUE;
}

struct _VigilKafkaFastParser
{
  od::parser        json;
  /* The payload copied with simdjson's padding after it: Kafka's buffers have none. */
  char             *buf = nullptr;
  size_t            capacity = 0;
  VigilKafkaParser *reference = nullptr;   /* created on the first fallback */
  char             *topic = nullptr;       /* the last topic, and what it says */
  VigilKafkaTopic   topic_info = {};
  guint64           fallbacks = 0;
};

namespace {

bool
read_sensor (VigilKafkaFastParser *self,
             od::value            &v,
             VigilSensor          &out)
{
  std::string_view s;

  if (v.get_string ().get (s))
    return false;

  /* Only exact names; "ps1" and the like are the reference's to judge. */
  for (guint i = 0; i < VIGIL_N_SENSORS; i++)
    {
      const char *name = vigil_sensor_get_info ((VigilSensor) i)->name;

      if (s.size () == strlen (name) && memcmp (s.data (), name, s.size ()) == 0)
        {
          out = (VigilSensor) i;
          return self->topic_info.sensor < 0 || self->topic_info.sensor == (int) i;
        }
    }

  return false;
}

bool
parse_sample (VigilKafkaFastParser *self,
              const char           *payload,
              size_t                len,
              VigilKafkaSample     *out)
{
  od::document doc;
  od::object obj;
  unsigned seen = 0;
  int64_t cycle = 0, idx = 0, rate = 0;
  const char *location;

  if (len == 0 || payload[0] != '{')
    return false;

  if (self->capacity < len + simdjson::SIMDJSON_PADDING)
    {
      self->capacity = len + simdjson::SIMDJSON_PADDING + 256;
      self->buf = (char *) g_realloc (self->buf, self->capacity);
    }
  memcpy (self->buf, payload, len);
  memset (self->buf + len, 0, simdjson::SIMDJSON_PADDING);

  if (self->json.iterate (self->buf, len, self->capacity).get (doc) ||
      doc.get_object ().get (obj))
    return false;

  out->rig[0] = '\0';
  for (auto result : obj)
    {
      od::field field;
      od::raw_json_string key;
      od::value v;
      unsigned bit;
      const char *k;

      if (std::move (result).get (field))
        return false;
      key = field.key ();
      v = field.value ();

      /* The raw key followed by its closing quote: exact, unescaped names only. Reading
       * past a short key stays within the padding. */
      k = key.raw ();
      if (memcmp (k, "sensor\"", 7) == 0)
        bit = HAVE_SENSOR;
      else if (memcmp (k, "cycle\"", 6) == 0)
        bit = HAVE_CYCLE;
      else if (memcmp (k, "sample_idx\"", 11) == 0)
        bit = HAVE_IDX;
      else if (memcmp (k, "value\"", 6) == 0)
        bit = HAVE_VALUE;
      else if (memcmp (k, "timestamp\"", 10) == 0)
        bit = HAVE_TIME;
      else if (memcmp (k, "sampling_rate_hz\"", 17) == 0)
        bit = HAVE_RATE;
      else if (memcmp (k, "rig\"", 4) == 0)
        bit = HAVE_RIG;
      else
        return false;

      if (seen & bit)
        return false;
      seen |= bit;

      switch (bit)
        {
        case HAVE_SENSOR:
          if (!read_sensor (self, v, out->sensor))
            return false;
          break;
        case HAVE_CYCLE:
          if (!read_int (v, 0, G_MAXUINT, cycle))
            return false;
          break;
        case HAVE_IDX:
          if (!read_int (v, 0, G_MAXINT64, idx))
            return false;
          break;
        case HAVE_VALUE:
          if (!read_value (v, out->value))
            return false;
          break;
        case HAVE_TIME:
          {
            std::string_view s;

            if (v.get_string ().get (s) ||
                !vigil_kafka_parse_seed_time (s.data (), s.size (), &out->time_us))
              return false;
          }
          break;
        case HAVE_RATE:
          if (!read_int (v, 0, G_MAXINT64, rate))
            return false;
          break;
        case HAVE_RIG:
          {
            std::string_view s;

            if (v.get_string ().get (s) || !is_name (s))
              return false;
            memcpy (out->rig, s.data (), s.size ());
            out->rig[s.size ()] = '\0';
          }
          break;
        default:
          g_assert_not_reached ();
        }
    }

  /* Nothing may follow the object. */
  if (doc.current_location ().get (location) != simdjson::OUT_OF_BOUNDS)
    return false;
  if ((seen & HAVE_REQUIRED) != HAVE_REQUIRED)
    return false;

  if (idx >= (int64_t) vigil_sensor_samples_per_cycle (out->sensor) ||
      rate != (int64_t) vigil_sensor_get_info (out->sensor)->rate_hz)
    return false;

  if (self->topic_info.rig[0] != '\0')
    {
      if (!(seen & HAVE_RIG))
        strcpy (out->rig, self->topic_info.rig);
      else if (strcmp (out->rig, self->topic_info.rig) != 0)
        return false;
    }

  out->cycle = (guint) cycle;
  out->sample_idx = (guint) idx;
  out->sampling_rate_hz = (guint) rate;

  return true;
}

}  // namespace

extern "C" VigilKafkaFastParser *
vigil_kafka_fast_parser_new (void)
{
  return new _VigilKafkaFastParser ();
}

extern "C" void
vigil_kafka_fast_parser_free (VigilKafkaFastParser *self)
{
  if (self == nullptr)
    return;

  g_free (self->buf);
  g_free (self->topic);
  vigil_kafka_parser_free (self->reference);
  delete self;
}

extern "C" guint64
vigil_kafka_fast_parser_get_fallbacks (VigilKafkaFastParser *self)
{
  g_return_val_if_fail (self != nullptr, 0);

  return self->fallbacks;
}

extern "C" VigilKafkaKind
vigil_kafka_fast_parser_parse (VigilKafkaFastParser *self,
                               const char           *topic,
                               gint32                partition,
                               gint64                offset,
                               const void           *payload,
                               gsize                 len,
                               VigilKafkaMessage    *out)
{
  g_return_val_if_fail (self != nullptr, VIGIL_KAFKA_INVALID);
  g_return_val_if_fail (topic != nullptr, VIGIL_KAFKA_INVALID);
  g_return_val_if_fail (payload != nullptr || len == 0, VIGIL_KAFKA_INVALID);
  g_return_val_if_fail (out != nullptr, VIGIL_KAFKA_INVALID);

  if (self->topic == nullptr || strcmp (self->topic, topic) != 0)
    {
      g_free (self->topic);
      self->topic = g_strdup (topic);
      vigil_kafka_topic_parse (topic, &self->topic_info);
    }

  if (self->topic_info.kind == VIGIL_KAFKA_SAMPLE &&
      parse_sample (self, (const char *) payload, len, &out->sample))
    {
      out->kind = VIGIL_KAFKA_SAMPLE;
      out->topic = topic;
      out->partition = partition;
      out->offset = offset;
      out->reason = nullptr;
      return VIGIL_KAFKA_SAMPLE;
    }

  if (self->reference == nullptr)
    self->reference = vigil_kafka_parser_new ();
  self->fallbacks++;

  return vigil_kafka_parser_parse (self->reference, topic, partition, offset, payload, len, out);
}
