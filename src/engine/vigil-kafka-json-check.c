/* vigil-kafka-json-check.c
 *
 * The strict RFC 8259 check of Kafka payloads that runs before json-glib, with the helpers it
 * shares with the parser: the failure reason and the escaping of payload text for a person.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-kafka"

#include "config.h"

#include <string.h>

#include "vigil-kafka-private.h"

/* Deeper JSON than this is refused before json-glib recurses into it. */
#define MAX_DEPTH 64

void
_vigil_kafka_append_escaped (GString      *out,
                             const guchar *p,
                             gsize         len,
                             gsize         max_bytes,
                             gboolean      ellipsis)
{
  gsize i = 0;

  while (i < len && i < max_bytes)
    {
      guchar c = p[i];

      if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else if (c < 0x80)
        g_string_append_c (out, (char) c);
      else
        {
          gssize avail = (gssize) MIN (len - i, 4);
          gunichar u = g_utf8_get_char_validated ((const char *) p + i, avail);

          if (u == (gunichar) -1 || u == (gunichar) -2)
            g_string_append_printf (out, "\\x%02x", c);
          else
            {
              gsize n = (gsize) g_unichar_to_utf8 (u, NULL);

              g_string_append_len (out, (const char *) p + i, (gssize) n);
              i += n;
              continue;
            }
        }
      i++;
    }

  if (ellipsis && i < len)
    g_string_append (out, "…");
}

gboolean
_vigil_kafka_fail (VigilKafkaParser *self,
                   const char       *format,
                   ...)
{
  va_list args;

  va_start (args, format);
  g_string_vprintf (self->reason, format, args);
  va_end (args);

  return FALSE;
}

/* The strict check: RFC 8259 JSON, which json-glib alone is not (it takes hexadecimal and
 * leading-zero numbers, single quotes, comments and a second document after the first, and
 * wraps integers beyond 64 bits). Also refused: "\u0000" (json-glib would cut the string
 * there) and nesting deeper than MAX_DEPTH. */
typedef struct
{
  VigilKafkaParser *self;
  const guchar     *s;
  gsize             len;
  gsize             pos;
} Check;

static gboolean
check_unexpected (Check *c)
{
  static const char * const words[] = { "NaN", "Infinity", "-Infinity" };
  GString *r = c->self->reason;

  if (c->pos >= c->len)
    return _vigil_kafka_fail (c->self, "not JSON: truncated at offset %" G_GSIZE_FORMAT, c->len);

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      gsize n = strlen (words[i]);

      if (c->len - c->pos >= n && memcmp (c->s + c->pos, words[i], n) == 0)
        return _vigil_kafka_fail (c->self, "not JSON: %s at offset %" G_GSIZE_FORMAT
                                  " (JSON has no NaN or Infinity)", words[i], c->pos);
    }

  g_string_assign (r, "not JSON: unexpected “");
  _vigil_kafka_append_escaped (r, c->s + c->pos, c->len - c->pos, 1, FALSE);
  g_string_append_printf (r, "” at offset %" G_GSIZE_FORMAT, c->pos);

  return FALSE;
}

static void
check_skip_space (Check *c)
{
  while (c->pos < c->len &&
         (c->s[c->pos] == ' ' || c->s[c->pos] == '\t' || c->s[c->pos] == '\n' ||
          c->s[c->pos] == '\r'))
    c->pos++;
}

static int
hex4 (const guchar *p)
{
  int v = 0;

  for (guint i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value ((char) p[i]);

      if (d < 0)
        return -1;
      v = v * 16 + d;
    }

  return v;
}

static gboolean
check_string (Check *c)
{
  gsize start = c->pos++;

  for (;;)
    {
      guchar ch;

      if (c->pos >= c->len)
        return _vigil_kafka_fail (c->self, "not JSON: truncated at offset %" G_GSIZE_FORMAT
                                  " (in the string at offset %" G_GSIZE_FORMAT ")", c->len, start);
      ch = c->s[c->pos];
      if (ch == '"')
        {
          c->pos++;
          return TRUE;
        }
      if (ch < 0x20)
        return _vigil_kafka_fail (c->self, "not JSON: control character 0x%02x unescaped in a "
                                  "string at offset %" G_GSIZE_FORMAT, ch, c->pos);
      if (ch != '\\')
        {
          c->pos++;
          continue;
        }

      if (c->pos + 1 >= c->len)
        return _vigil_kafka_fail (c->self, "not JSON: truncated at offset %" G_GSIZE_FORMAT,
                                  c->len);
      ch = c->s[c->pos + 1];
      if (strchr ("\"\\/bfnrt", ch) != NULL && ch != '\0')
        {
          c->pos += 2;
          continue;
        }
      if (ch == 'u')
        {
          int u = c->pos + 6 <= c->len ? hex4 (c->s + c->pos + 2) : -1;

          if (u < 0)
            goto bad_escape;
          if (u == 0)
            return _vigil_kafka_fail (c->self, "not JSON Vigil takes: \\u0000 in a string at "
                                      "offset %" G_GSIZE_FORMAT, c->pos);
          if (u >= 0xdc00 && u <= 0xdfff)
            goto unpaired;
          if (u >= 0xd800 && u <= 0xdbff)
            {
              int low = c->pos + 12 <= c->len && c->s[c->pos + 6] == '\\' &&
                        c->s[c->pos + 7] == 'u' ? hex4 (c->s + c->pos + 8) : -1;

              if (low < 0xdc00 || low > 0xdfff)
                goto unpaired;
              c->pos += 6;
            }
          c->pos += 6;
          continue;

        unpaired:
          return _vigil_kafka_fail (c->self, "not JSON: unpaired surrogate \\u%04x at offset %"
                                    G_GSIZE_FORMAT, (guint) u, c->pos);
        }

    bad_escape:
      g_string_assign (c->self->reason, "not JSON: invalid escape “\\");
      _vigil_kafka_append_escaped (c->self->reason, c->s + c->pos + 1, c->len - c->pos - 1, 1,
                                   FALSE);
      g_string_append_printf (c->self->reason, "” at offset %" G_GSIZE_FORMAT, c->pos);
      return FALSE;
    }
}

static gboolean
check_digits (Check *c)
{
  gsize start = c->pos;

  while (c->pos < c->len && g_ascii_isdigit (c->s[c->pos]))
    c->pos++;

  return c->pos > start;
}

static gboolean
check_number (Check *c)
{
  gsize start = c->pos, int_start;
  gboolean integer = TRUE, negative = FALSE;

  if (c->s[c->pos] == '-')
    {
      negative = TRUE;
      c->pos++;
      if (c->pos < c->len && c->s[c->pos] == 'I')
        {
          c->pos = start;
          return check_unexpected (c);
        }
    }
  int_start = c->pos;
  if (c->pos < c->len && c->s[c->pos] == '0')
    c->pos++;
  else if (!check_digits (c))
    goto bad;
  if (c->pos < c->len && c->s[c->pos] == '.')
    {
      integer = FALSE;
      c->pos++;
      if (!check_digits (c))
        goto bad;
    }
  if (c->pos < c->len && (c->s[c->pos] == 'e' || c->s[c->pos] == 'E'))
    {
      integer = FALSE;
      c->pos++;
      if (c->pos < c->len && (c->s[c->pos] == '+' || c->s[c->pos] == '-'))
        c->pos++;
      if (!check_digits (c))
        goto bad;
    }
  if (c->pos < c->len && (g_ascii_isalnum (c->s[c->pos]) || c->s[c->pos] == '.' ||
                          c->s[c->pos] == '+' || c->s[c->pos] == '-'))
    goto bad;

  if (integer)
    {
      const char *limit = negative ? "9223372036854775808" : "9223372036854775807";
      gsize n = c->pos - int_start;

      if (n > 19 || (n == 19 && memcmp (c->s + int_start, limit, 19) > 0))
        return _vigil_kafka_fail (c->self, "integer at offset %" G_GSIZE_FORMAT
                                  " does not fit in 64 bits", start);
    }

  return TRUE;

bad:
  return _vigil_kafka_fail (c->self, "not JSON: malformed number at offset %" G_GSIZE_FORMAT,
                            start);
}

static gboolean
check_literal (Check *c)
{
  static const char * const literals[] = { "true", "false", "null" };

  for (guint i = 0; i < G_N_ELEMENTS (literals); i++)
    {
      gsize n = strlen (literals[i]);

      if (c->len - c->pos >= n && memcmp (c->s + c->pos, literals[i], n) == 0 &&
          (c->pos + n == c->len || !g_ascii_isalnum (c->s[c->pos + n])))
        {
          c->pos += n;
          return TRUE;
        }
    }

  return check_unexpected (c);
}

static gboolean check_value (Check *c, guint depth);

static gboolean
check_container (Check *c,
                 guint  depth)
{
  gboolean object = c->s[c->pos] == '{';
  char close = object ? '}' : ']';

  if (depth > MAX_DEPTH)
    return _vigil_kafka_fail (c->self, "not JSON Vigil takes: nested deeper than %d levels at "
                              "offset %" G_GSIZE_FORMAT, MAX_DEPTH, c->pos);

  c->pos++;
  check_skip_space (c);
  if (c->pos < c->len && c->s[c->pos] == close)
    {
      c->pos++;
      return TRUE;
    }

  for (;;)
    {
      VigilKafkaMemberSpan span = { 0, };

      check_skip_space (c);
      if (object)
        {
          if (c->pos >= c->len || c->s[c->pos] != '"')
            return check_unexpected (c);
          span.key_off = c->pos + 1;
          if (!check_string (c))
            return FALSE;
          span.key_len = c->pos - 1 - span.key_off;
          check_skip_space (c);
          if (c->pos >= c->len || c->s[c->pos] != ':')
            return check_unexpected (c);
          c->pos++;
          check_skip_space (c);
        }
      span.value_off = c->pos;
      if (!check_value (c, depth + 1))
        return FALSE;
      span.value_len = c->pos - span.value_off;
      if (object && depth == 1 && c->self->n_top < _VIGIL_KAFKA_MAX_TOP_MEMBERS)
        c->self->top[c->self->n_top++] = span;

      check_skip_space (c);
      if (c->pos < c->len && c->s[c->pos] == ',')
        {
          c->pos++;
          continue;
        }
      if (c->pos < c->len && c->s[c->pos] == close)
        {
          c->pos++;
          return TRUE;
        }
      return check_unexpected (c);
    }
}

static gboolean
check_value (Check *c,
             guint  depth)
{
  guchar ch;

  check_skip_space (c);
  if (c->pos >= c->len)
    return check_unexpected (c);

  ch = c->s[c->pos];
  if (ch == '{' || ch == '[')
    return check_container (c, depth);
  if (ch == '"')
    return check_string (c);
  if (ch == '-' || g_ascii_isdigit (ch))
    return check_number (c);
  if (ch == 't' || ch == 'f' || ch == 'n')
    return check_literal (c);

  return check_unexpected (c);
}

gboolean
_vigil_kafka_check_json (VigilKafkaParser *self,
                         const guchar     *payload,
                         gsize             len)
{
  Check c = { self, payload, len, 0 };
  const char *end = NULL;

  self->n_top = 0;

  if (len == 0)
    return _vigil_kafka_fail (self, "empty message");

  if (!g_utf8_validate_len ((const char *) payload, len, &end))
    {
      gsize at = (gsize) ((const guchar *) end - payload);

      if (payload[at] == '\0')
        return _vigil_kafka_fail (self, "not UTF-8 text: NUL byte at offset %" G_GSIZE_FORMAT, at);
      return _vigil_kafka_fail (self, "not UTF-8 text: byte 0x%02x at offset %" G_GSIZE_FORMAT,
                                payload[at], at);
    }

  check_skip_space (&c);
  if (c.pos == len)
    return _vigil_kafka_fail (self, "not JSON: only whitespace");
  if (!check_value (&c, 1))
    return FALSE;
  check_skip_space (&c);
  if (c.pos < len)
    return _vigil_kafka_fail (self, "not JSON: more data after the end at offset %"
                              G_GSIZE_FORMAT, c.pos);

  return TRUE;
}
