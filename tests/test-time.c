/* test-time.c
 *
 * ISO-8601 and duration parsing, and the output format every CSV uses.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <time.h>

#include "vigil-error.h"
#include "vigil-time.h"

/* Independent reference: the C library's timegm. */
static gint64
reference_us (int y, int mo, int d, int h, int mi, int s)
{
  struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                   .tm_hour = h, .tm_min = mi, .tm_sec = s };

  return (gint64) timegm (&tm) * G_GINT64_CONSTANT (1000000);
}

static void
test_parse_forms (void)
{
  struct { const char *text; gint64 expected; } cases[] = {
    { "2025-01-01T00:00:00Z", reference_us (2025, 1, 1, 0, 0, 0) },
    { "2025-01-01", reference_us (2025, 1, 1, 0, 0, 0) },
    { "2025-12-28T14:56:20.123456", reference_us (2025, 12, 28, 14, 56, 20) + 123456 },
    { "2025-12-01T08:00:00.200", reference_us (2025, 12, 1, 8, 0, 0) + 200000 },
    { "2024-02-29 23:59:59.5Z", reference_us (2024, 2, 29, 23, 59, 59) + 500000 },
    { "2025-06-01T12:00:00+02:00", reference_us (2025, 6, 1, 10, 0, 0) },
    { "2025-06-01T12:00:00-0130", reference_us (2025, 6, 1, 13, 30, 0) },
    { "1969-12-31T23:59:59.999Z", -1000 },
    { "2000-03-01T00:00:00Z", reference_us (2000, 3, 1, 0, 0, 0) },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 us = 0;

      g_assert_true (vigil_time_parse_iso8601 (cases[i].text, &us, &error));
      g_assert_no_error (error);
      g_assert_cmpint (us, ==, cases[i].expected);
    }

  g_assert_cmpint (VIGIL_DEFAULT_START_US, ==, reference_us (2025, 1, 1, 0, 0, 0));
}

static void
test_parse_bad (void)
{
  const char *bad[] = {
    "", "2025", "2025-13-01", "2025-02-30", "2023-02-29", "2025-01-01T25:00:00Z",
    "2025-01-01T00:00:00ZZ", "2025-01-01T00:00:00.Z", "yesterday", "2025-1-1",
    "2025-01-01T00:00:00+25:00",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 us = 0;

      g_assert_false (vigil_time_parse_iso8601 (bad[i], &us, &error));
      g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
      g_assert_nonnull (strstr (error->message, bad[i]));
    }
}

static void
test_format (void)
{
  struct { gint64 us; const char *expected; } cases[] = {
    { reference_us (2025, 1, 1, 0, 0, 0), "2025-01-01T00:00:00.000Z" },
    { reference_us (2025, 1, 1, 0, 1, 0) + 10000, "2025-01-01T00:01:00.010Z" },
    { reference_us (2024, 2, 29, 23, 59, 59) + 999999, "2024-02-29T23:59:59.999Z" },
    { -1, "1969-12-31T23:59:59.999Z" },
    { 0, "1970-01-01T00:00:00.000Z" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = vigil_time_format_iso8601 (cases[i].us);
      gint64 back = 0;

      g_assert_cmpstr (text, ==, cases[i].expected);
      /* Formatting keeps milliseconds: parsing gives the time truncated to them. */
      g_assert_true (vigil_time_parse_iso8601 (text, &back, NULL));
      g_assert_cmpint (back, ==, vigil_floor_div (cases[i].us, 1000) * 1000);
    }
}

static void
test_durations (void)
{
  struct { const char *text; gint64 us; } ok[] = {
    { "60", 60000000 }, { "0.5", 500000 }, { "250ms", 250000 }, { "10s", 10000000 },
    { "5m", 300000000 }, { "2h", 7200000000 }, { "1d", 86400000000 }, { "0", 0 },
  };
  const char *bad[] = { "", "-1", "ten", "10 s", "5x", "nan", "1e400" };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      gint64 us = -1;

      g_assert_true (vigil_duration_parse (ok[i].text, &us, NULL));
      g_assert_cmpint (us, ==, ok[i].us);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 us = -1;

      g_assert_false (vigil_duration_parse (bad[i], &us, &error));
      g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
    }
}

static void
test_floor_div (void)
{
  g_assert_cmpint (vigil_floor_div (7, 2), ==, 3);
  g_assert_cmpint (vigil_floor_div (-7, 2), ==, -4);
  g_assert_cmpint (vigil_floor_div (-8, 2), ==, -4);
  g_assert_cmpint (vigil_floor_div (0, 5), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/time/parse", test_parse_forms);
  g_test_add_func ("/engine/time/parse-bad", test_parse_bad);
  g_test_add_func ("/engine/time/format", test_format);
  g_test_add_func ("/engine/time/durations", test_durations);
  g_test_add_func ("/engine/time/floor-div", test_floor_div);

  return g_test_run ();
}
