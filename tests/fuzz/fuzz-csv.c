/* fuzz-csv.c
 *
 * The CSV every export writes (vigil-csv.c), read back by an independent RFC 4180 reader
 * here: the input is cut into fields at each 0x00 byte, the first byte of a field says how it
 * is written (text, a double from 8 raw bytes, an integer, a time), and the row must read back
 * as the same number of fields with the same values.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "vigil-csv.h"
#include "vigil-time.h"

#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  return 0;
}

/* Reads one RFC 4180 record ending in "\n" from @p; the fields go to @fields. Returns where
 * the record ended (after its "\n"), or NULL if it is malformed. */
static const char *
read_record (const char *p,
             GPtrArray  *fields)
{
  for (;;)
    {
      GString *field = g_string_new (NULL);

      if (*p == '"')
        {
          p++;
          for (;;)
            {
              if (*p == '\0')
                {
                  g_string_free (field, TRUE);
                  return NULL;
                }
              if (*p == '"' && p[1] == '"')
                {
                  g_string_append_c (field, '"');
                  p += 2;
                }
              else if (*p == '"')
                {
                  p++;
                  break;
                }
              else
                g_string_append_c (field, *p++);
            }
        }
      else
        {
          while (*p != ',' && *p != '\n' && *p != '\0')
            {
              /* An unquoted field holds no quote, CR or LF. */
              if (*p == '"' || *p == '\r')
                {
                  g_string_free (field, TRUE);
                  return NULL;
                }
              g_string_append_c (field, *p++);
            }
        }
      g_ptr_array_add (fields, g_string_free (field, FALSE));
      if (*p == ',')
        p++;
      else if (*p == '\n')
        return p + 1;
      else
        return NULL;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GString) row = g_string_new (NULL);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) is_time = g_array_new (FALSE, FALSE, sizeof (gboolean));
  const uint8_t *p = data, *end = data + size;
  const char *after;

  while (p < end)
    {
      const uint8_t *stop = memchr (p, 0, (size_t) (end - p));
      gsize len;
      GString *field = g_string_new (NULL);
      gboolean time_field = FALSE;

      if (stop == NULL)
        stop = end;
      len = (gsize) (stop - p);

      if (expected->len > 0)
        g_string_append_c (row, ',');

      if (len >= 9 && p[0] == 'd')
        {
          double v;
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          memcpy (&v, p + 1, sizeof v);
          vigil_csv_append_double (row, v);
          /* Written with 17 digits, any finite double reads back exactly. */
          if (isfinite (v))
            g_string_append (field, g_ascii_formatd (buf, sizeof buf, "%.17g", v));
        }
      else if (len >= 9 && p[0] == 'i')
        {
          gint64 v;

          memcpy (&v, p + 1, sizeof v);
          vigil_csv_append_int (row, v);
          g_string_append_printf (field, "%" G_GINT64_FORMAT, v);
        }
      else if (len >= 9 && p[0] == 't')
        {
          gint64 v;

          memcpy (&v, p + 1, sizeof v);
          /* Event times are within the years 0-9999 the format writes. */
          v = v % (G_GINT64_CONSTANT (253402300800) * VIGIL_USEC_PER_SEC);
          if (v < 0)
            v = -v;
          vigil_csv_append_time (row, v);
          time_field = TRUE;
          g_string_append_printf (field, "%" G_GINT64_FORMAT, vigil_floor_div (v, 1000) * 1000);
        }
      else
        {
          g_autofree char *text = fuzz_strndup (p, len);

          vigil_csv_append_text (row, text);
          g_string_append (field, text);
        }
      g_ptr_array_add (expected, g_string_free (field, FALSE));
      g_array_append_val (is_time, time_field);
      p = stop + 1;
    }
  g_string_append_c (row, '\n');

  if (expected->len == 0)
    return 0;

  after = read_record (row->str, fields);
  if (after == NULL)
    fprintf (stderr, "unreadable row: %s", row->str);
  FUZZ_CHECK (after != NULL);
  FUZZ_CHECK (*after == '\0');
  FUZZ_CHECK (fields->len == expected->len);
  for (guint i = 0; i < fields->len; i++)
    {
      const char *want = g_ptr_array_index (expected, i);
      const char *got = g_ptr_array_index (fields, i);

      if (g_array_index (is_time, gboolean, i))
        {
          gint64 us = 0;

          FUZZ_CHECK (vigil_time_parse_iso8601 (got, &us, NULL));
          FUZZ_CHECK (g_ascii_strtoll (want, NULL, 10) == us);
          continue;
        }
      if (strcmp (want, got) != 0)
        fprintf (stderr, "field %u: wrote “%s”, read “%s”\n", i, want, got);
      FUZZ_CHECK (strcmp (want, got) == 0);
    }
  return 0;
}
