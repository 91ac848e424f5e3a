/* vigil-time.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vigil-error.h"
#include "vigil-time.h"

gint64
vigil_floor_div (gint64 a,
                 gint64 b)
{
  gint64 q = a / b;

  g_assert (b > 0);

  if ((a % b) != 0 && a < 0)
    q--;

  return q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static gint64
days_from_civil (gint64 y,
                 guint  m,
                 guint  d)
{
  gint64 era;
  guint yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = (guint) (y - era * 400);
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

  return era * 146097 + (gint64) doe - 719468;
}

static void
civil_from_days (gint64  z,
                 gint64 *out_y,
                 guint  *out_m,
                 guint  *out_d)
{
  gint64 era, y;
  guint doe, yoe, doy, mp, d, m;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (guint) (z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = (gint64) yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;

  *out_y = y + (m <= 2);
  *out_m = m;
  *out_d = d;
}

static gboolean
read_digits (const char **p,
             guint        n,
             guint       *out)
{
  guint v = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      v = v * 10 + (guint) ((*p)[i] - '0');
    }

  *p += n;
  *out = v;

  return TRUE;
}

/**
 * vigil_time_parse_iso8601:
 * @text: "2025-01-01T00:00:00Z", "2025-01-01T00:00:00.250+02:00", "2025-01-01 00:00:00",
 *   or a date alone. Without a zone the time is taken as UTC, like the seed pipelines did.
 *
 * Parses to microseconds since the epoch; fractions below a microsecond are truncated.
 */
gboolean
vigil_time_parse_iso8601 (const char  *text,
                          gint64      *out_us,
                          GError     **error)
{
  const char *p = text;
  guint year, month, day, hour = 0, minute = 0, second = 0;
  gint64 frac_us = 0, offset_s = 0, days;

  g_return_val_if_fail (text != NULL, FALSE);

  if (!read_digits (&p, 4, &year) || *p++ != '-' ||
      !read_digits (&p, 2, &month) || *p++ != '-' ||
      !read_digits (&p, 2, &day))
    goto bad;

  if (month < 1 || month > 12 || day < 1 || day > 31)
    goto bad;

  if (*p == 'T' || *p == 't' || *p == ' ')
    {
      p++;
      if (!read_digits (&p, 2, &hour) || *p++ != ':' || !read_digits (&p, 2, &minute))
        goto bad;
      if (*p == ':')
        {
          p++;
          if (!read_digits (&p, 2, &second))
            goto bad;
          if (*p == '.' || *p == ',')
            {
              gint64 scale = 100000;

              p++;
              if (!g_ascii_isdigit (*p))
                goto bad;
              for (; g_ascii_isdigit (*p); p++)
                {
                  frac_us += (*p - '0') * scale;
                  scale /= 10;
                }
            }
        }
      if (hour > 23 || minute > 59 || second > 60)
        goto bad;

      if (*p == 'Z' || *p == 'z')
        p++;
      else if (*p == '+' || *p == '-')
        {
          int sign = *p == '-' ? -1 : 1;
          guint oh, om = 0;

          p++;
          if (!read_digits (&p, 2, &oh))
            goto bad;
          if (*p == ':')
            p++;
          if (g_ascii_isdigit (*p) && !read_digits (&p, 2, &om))
            goto bad;
          if (oh > 23 || om > 59)
            goto bad;
          offset_s = sign * (gint64) (oh * 3600 + om * 60);
        }
    }

  if (*p != '\0')
    goto bad;

  {
    static const guint mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    gboolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

    if (day > mdays[month - 1] || (month == 2 && day == 29 && !leap))
      goto bad;
  }

  days = days_from_civil (year, month, day);
  *out_us = ((days * 86400 + hour * 3600 + minute * 60 + second) - offset_s) * VIGIL_USEC_PER_SEC
            + frac_us;

  return TRUE;

bad:
  {
    /* An argument need not be UTF-8; the message must be. */
    g_autofree char *shown = g_utf8_make_valid (text, -1);

    g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                 "“%s” is not an ISO-8601 date and time (expected e.g. 2025-01-01T00:00:00Z)",
                 shown);
  }
  return FALSE;
}

/* Writes "YYYY-MM-DDTHH:MM:SS.mmmZ" (milliseconds, truncated toward the past). */
gsize
vigil_time_format_iso8601_buf (gint64  time_us,
                               char   *buf,
                               gsize   buf_len)
{
  gint64 ms = vigil_floor_div (time_us, 1000);
  gint64 secs = vigil_floor_div (ms, 1000);
  gint64 days = vigil_floor_div (secs, 86400);
  gint64 sod = secs - days * 86400;
  gint64 y;
  guint m, d;
  int n;

  civil_from_days (days, &y, &m, &d);
  n = g_snprintf (buf, buf_len, "%04" G_GINT64_FORMAT "-%02u-%02uT%02u:%02u:%02u.%03uZ",
                  y, m, d, (guint) (sod / 3600), (guint) (sod / 60 % 60), (guint) (sod % 60),
                  (guint) (ms - secs * 1000));

  return n < 0 ? 0 : (gsize) n;
}

char *
vigil_time_format_iso8601 (gint64 time_us)
{
  char buf[64];

  vigil_time_format_iso8601_buf (time_us, buf, sizeof buf);

  return g_strdup (buf);
}

/**
 * vigil_duration_parse:
 * @text: seconds ("60", "0.5") or a number with a unit: "250ms", "10s", "5m", "2h", "1d".
 */
gboolean
vigil_duration_parse (const char  *text,
                      gint64      *out_us,
                      GError     **error)
{
  char *end = NULL;
  double value, scale = 1e6;

  g_return_val_if_fail (text != NULL, FALSE);

  if (!g_ascii_isdigit (text[0]) && text[0] != '.')
    goto bad;

  value = g_ascii_strtod (text, &end);
  if (end == text || !isfinite (value) || value < 0)
    goto bad;

  if (g_str_equal (end, "") || g_str_equal (end, "s"))
    scale = 1e6;
  else if (g_str_equal (end, "ms"))
    scale = 1e3;
  else if (g_str_equal (end, "m") || g_str_equal (end, "min"))
    scale = 60e6;
  else if (g_str_equal (end, "h"))
    scale = 3600e6;
  else if (g_str_equal (end, "d"))
    scale = 86400e6;
  else
    goto bad;

  if (value * scale > (double) G_MAXINT64 / 4)
    goto bad;

  *out_us = (gint64) llround (value * scale);
  return TRUE;

bad:
  {
    g_autofree char *shown = g_utf8_make_valid (text, -1);

    g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                 "“%s” is not a duration (expected seconds like 60 or 0.5, or 250ms, 10s, 5m, 2h)",
                 shown);
  }
  return FALSE;
}
