/* vigil-kafka-write.c
 *
 * The writers of the Kafka messages Vigil produces, in the seed's format: floats as Python's
 * repr(), times as datetime.isoformat().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-kafka"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "vigil-kafka-message.h"
#include "vigil-time.h"

/* Python's repr() of a float: the shortest digits that read back to the same double, in
 * fixed notation when the decimal point falls within 16 digits, else with an exponent. */
static void
append_double (GString *out,
               double   v)
{
  static const char * const formats[] = {
    "%.0e", "%.1e", "%.2e", "%.3e", "%.4e", "%.5e", "%.6e", "%.7e", "%.8e",
    "%.9e", "%.10e", "%.11e", "%.12e", "%.13e", "%.14e", "%.15e", "%.16e",
  };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char digits[24];
  const char *p;
  gsize n = 0;
  int exp10, point;

  if (!isfinite (v))
    {
      g_string_append (out, "null");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buf, sizeof buf, formats[i], v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }

  p = buf;
  if (*p == '-')
    {
      g_string_append_c (out, '-');
      p++;
    }
  for (; *p != 'e'; p++)
    if (g_ascii_isdigit (*p))
      digits[n++] = *p;
  exp10 = atoi (p + 1);
  while (n > 1 && digits[n - 1] == '0')
    n--;
  point = exp10 + 1;      /* digits before the decimal point */

  if (point > -4 && point <= 16)
    {
      if (point <= 0)
        {
          g_string_append (out, "0.");
          for (int i = point; i < 0; i++)
            g_string_append_c (out, '0');
          g_string_append_len (out, digits, (gssize) n);
        }
      else if ((gsize) point >= n)
        {
          g_string_append_len (out, digits, (gssize) n);
          for (gsize i = n; i < (gsize) point; i++)
            g_string_append_c (out, '0');
          g_string_append (out, ".0");
        }
      else
        {
          g_string_append_len (out, digits, point);
          g_string_append_c (out, '.');
          g_string_append_len (out, digits + point, (gssize) (n - (gsize) point));
        }
    }
  else
    {
      g_string_append_c (out, digits[0]);
      if (n > 1)
        {
          g_string_append_c (out, '.');
          g_string_append_len (out, digits + 1, (gssize) (n - 1));
        }
      g_string_append_printf (out, "e%c%02d", exp10 < 0 ? '-' : '+', ABS (exp10));
    }
}

/* Python's datetime.isoformat() of a naive UTC time: microseconds only when not zero. */
static void
append_time (GString *out,
             gint64   time_us)
{
  gint64 secs = vigil_floor_div (time_us, VIGIL_USEC_PER_SEC);
  gint64 days = vigil_floor_div (secs, 86400);
  gint64 sod = secs - days * 86400;
  int frac = (int) (time_us - secs * VIGIL_USEC_PER_SEC);
  /* Howard Hinnant's civil_from_days. */
  gint64 z = days + 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  guint doe = (guint) (z - era * 146097);
  guint yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  guint doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  guint mp = (5 * doy + 2) / 153;
  guint d = doy - (153 * mp + 2) / 5 + 1;
  guint m = mp < 10 ? mp + 3 : mp - 9;
  gint64 y = (gint64) yoe + era * 400 + (m <= 2);

  g_string_append_printf (out, "\"%04" G_GINT64_FORMAT "-%02u-%02uT%02d:%02d:%02d", y, m, d,
                          (int) (sod / 3600), (int) (sod / 60 % 60), (int) (sod % 60));
  if (frac != 0)
    g_string_append_printf (out, ".%06d", frac);
  g_string_append_c (out, '"');
}

static void
append_rig (GString    *out,
            const char *rig)
{
  if (rig[0] != '\0')
    g_string_append_printf (out, ",\"rig\":\"%s\"", rig);
}

void
vigil_kafka_write_sample (GString                *out,
                          const VigilKafkaSample *sample)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (sample != NULL);
  g_return_if_fail ((guint) sample->sensor < VIGIL_N_SENSORS);

  g_string_append_printf (out, "{\"sensor\":\"%s\",\"cycle\":%u,\"sample_idx\":%u,\"value\":",
                          vigil_sensor_get_info (sample->sensor)->name, sample->cycle,
                          sample->sample_idx);
  append_double (out, sample->value);
  g_string_append (out, ",\"timestamp\":");
  append_time (out, sample->time_us);
  g_string_append_printf (out, ",\"sampling_rate_hz\":%u",
                          vigil_sensor_get_info (sample->sensor)->rate_hz);
  append_rig (out, sample->rig);
  g_string_append_c (out, '}');
}

void
vigil_kafka_write_label (GString               *out,
                         const VigilKafkaLabel *label)
{
  const VigilCycleLabel *l;
  gint64 secs;
  char frac[8];
  int n;

  g_return_if_fail (out != NULL);
  g_return_if_fail (label != NULL);

  l = &label->label;
  g_string_append_printf (out, "{\"cycle\":%u,\"label_cooler\":%d,\"label_valve\":%d,"
                          "\"label_pump\":%d,\"label_accumulator\":%d,\"label_stable\":%d,"
                          "\"timestamp\":", l->cycle, l->cooler, l->valve, l->pump,
                          l->accumulator, l->stable);

  /* Exact decimal seconds: the parser reads back the same microsecond. */
  secs = vigil_floor_div (l->start_us, VIGIL_USEC_PER_SEC);
  g_snprintf (frac, sizeof frac, "%06d", (int) (l->start_us - secs * VIGIL_USEC_PER_SEC));
  for (n = 6; n > 1 && frac[n - 1] == '0'; n--)
    ;
  frac[n] = '\0';
  g_string_append_printf (out, "%" G_GINT64_FORMAT ".%s", secs, frac);
  append_rig (out, label->rig);
  g_string_append_c (out, '}');
}

void
vigil_kafka_write_analytics (GString                   *out,
                             const VigilKafkaAnalytics *analytics)
{
  const VigilWindowStats *w;

  g_return_if_fail (out != NULL);
  g_return_if_fail (analytics != NULL);
  g_return_if_fail (analytics->stats.key < VIGIL_N_SENSORS);

  w = &analytics->stats;
  g_string_append_printf (out, "{\"sensor\":\"%s\",\"window_start\":",
                          vigil_sensor_get_info (w->key)->name);
  append_time (out, w->start_us);
  g_string_append (out, ",\"window_end\":");
  append_time (out, w->end_us);
  g_string_append (out, ",\"avg_value\":");
  append_double (out, w->avg);
  g_string_append (out, ",\"max_value\":");
  append_double (out, w->max);
  g_string_append (out, ",\"min_value\":");
  append_double (out, w->min);
  g_string_append (out, ",\"stddev_value\":");
  append_double (out, w->stddev);
  g_string_append (out, ",\"range_value\":");
  append_double (out, w->range);
  g_string_append_printf (out, ",\"sample_count\":%" G_GUINT64_FORMAT, w->count);
  append_rig (out, analytics->rig);
  g_string_append_c (out, '}');
}
