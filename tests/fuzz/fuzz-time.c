/* fuzz-time.c
 *
 * Command-line dates and durations (--start, --window, --from ...). The first byte picks the
 * parser, the rest is the text. A date that parses formats back to the same instant (to the
 * millisecond the format keeps); a duration that parses is finite, non-negative and reads back
 * from its own digits; a refusal is a PARSE error quoting the text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vigil-time.h"

#include "fuzz-common.h"

static const int parse_codes[] = { VIGIL_ENGINE_ERROR_PARSE, -1 };

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  return 0;
}

static void
check_date (const char *text)
{
  g_autoptr(GError) error = NULL;
  gint64 us = 0, again = 0, ms;

  if (!vigil_time_parse_iso8601 (text, &us, &error))
    {
      fuzz_check_error (error, NULL, parse_codes);
      return;
    }

  /* Years 0000-9999, a day's offset either way: the format has room for all of them. */
  {
    g_autofree char *formatted = vigil_time_format_iso8601 (us);

    ms = vigil_floor_div (us, 1000) * 1000;
    if (!vigil_time_parse_iso8601 (formatted, &again, &error))
      fprintf (stderr, "“%s” parsed to %" G_GINT64_FORMAT " formats as “%s”, refused: %s\n",
               text, us, formatted, error->message);
    FUZZ_CHECK (error == NULL);
    FUZZ_CHECK (again == ms);
  }
}

static void
check_duration (const char *text)
{
  g_autoptr(GError) error = NULL;
  gint64 us = -1, again = -1;

  if (!vigil_duration_parse (text, &us, &error))
    {
      fuzz_check_error (error, NULL, parse_codes);
      return;
    }
  FUZZ_CHECK (us >= 0);
  FUZZ_CHECK (us <= G_MAXINT64 / 4 + 1);

  /* The same duration written as seconds with six decimals reads back the same. */
  {
    g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT ".%06" G_GINT64_FORMAT,
                                               us / 1000000, us % 1000000);
    FUZZ_CHECK (vigil_duration_parse (digits, &again, &error));
    /* Seconds pass through a double: exact below 2^53 microseconds. */
    FUZZ_CHECK (us > (G_GINT64_CONSTANT (1) << 53) || again == us);
  }
}

static void
check_instant (gint64 us)
{
  g_autofree char *formatted = vigil_time_format_iso8601 (us);
  gint64 again = 0;

  /* The format writes four-digit years: only those read back. */
  if (formatted[0] == '-' || strchr (formatted, 'T') - formatted != 10)
    return;
  FUZZ_CHECK (vigil_time_parse_iso8601 (formatted, &again, NULL));
  FUZZ_CHECK (again == vigil_floor_div (us, 1000) * 1000);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;

  if (size == 0)
    return 0;
  text = fuzz_strndup (data + 1, size - 1);
  /* The text is cut at its first NUL, as a command-line argument would be. */
  switch (data[0] % 3)
    {
    case 0:
      check_date (text);
      break;
    case 1:
      check_duration (text);
      break;
    default:
      if (size >= 9)
        {
          gint64 us;

          memcpy (&us, data + 1, sizeof us);
          check_instant (us);
        }
      break;
    }
  return 0;
}
