/* fuzz-hydraulic-row.c
 *
 * Dataset rows (vigil-hydraulic-reader.c). The first byte picks the file's shape (a profile of
 * labels, or sensor rows of 1 to 8, 60, 600 or 6000 values), the rest is the file. Every row
 * read holds finite values that read back bit for bit from their "%.17g" form, every label is
 * one the dataset defines, and a refusal is a PARSE error naming the file and the line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "vigil-hydraulic-reader.h"

#include "fuzz-common.h"

static const int row_codes[] = { VIGIL_ENGINE_ERROR_PARSE, -1 };

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  return 0;
}

static void
check_label (const VigilCycleLabel *label,
             guint                  row)
{
  FUZZ_CHECK (label->cycle == row - 1);
  FUZZ_CHECK (label->cooler == 3 || label->cooler == 20 || label->cooler == 100);
  FUZZ_CHECK (label->valve == 100 || label->valve == 90 || label->valve == 80 ||
              label->valve == 73);
  FUZZ_CHECK (label->pump >= 0 && label->pump <= 2);
  FUZZ_CHECK (label->accumulator == 130 || label->accumulator == 115 ||
              label->accumulator == 100 || label->accumulator == 90);
  FUZZ_CHECK (label->stable == 0 || label->stable == 1);
}

/* Writes @values as a row and reads it back through a reader of its own. */
static void
check_round_trip (const double *values,
                  guint         n_columns)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *path = NULL;
  g_autofree double *again = g_new (double, n_columns);
  g_autoptr(VigilRowReader) reader = NULL;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < n_columns; i++)
    {
      if (i > 0)
        g_string_append_c (line, '\t');
      g_string_append (line, g_ascii_formatd (buf, sizeof buf, "%.17g", values[i]));
    }
  g_string_append_c (line, '\n');
  path = fuzz_write_file ("again.txt", (const uint8_t *) line->str, line->len);
  reader = vigil_row_reader_open (path, n_columns, NULL);
  FUZZ_CHECK (reader != NULL);
  FUZZ_CHECK (vigil_row_reader_next (reader, again, NULL) == 1);
  for (guint i = 0; i < n_columns; i++)
    FUZZ_CHECK (memcmp (&again[i], &values[i], sizeof (double)) == 0 ||
                (again[i] == 0 && values[i] == 0));
  FUZZ_CHECK (vigil_row_reader_next (reader, again, NULL) == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const guint shapes[] = { 5, 1, 2, 3, 4, 6, 7, 8, 60, 600, 6000 };
  g_autoptr(VigilRowReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree double *values = NULL;
  gboolean labels;
  guint n_columns, rows = 0;
  int r;

  if (size == 0)
    return 0;
  labels = data[0] % 2 == 0 && data[0] / 2 % G_N_ELEMENTS (shapes) == 0;
  n_columns = shapes[data[0] / 2 % G_N_ELEMENTS (shapes)];
  path = fuzz_write_file ("PS1.txt", data + 1, size - 1);
  reader = vigil_row_reader_open (path, n_columns, &error);
  FUZZ_CHECK (reader != NULL);
  values = g_new (double, n_columns);

  for (;;)
    {
      if (labels)
        {
          VigilCycleLabel label;

          r = vigil_row_reader_next_label (reader, &label, &error);
          if (r == 1)
            check_label (&label, rows + 1);
        }
      else
        {
          r = vigil_row_reader_next (reader, values, &error);
          if (r == 1)
            {
              for (guint i = 0; i < n_columns; i++)
                FUZZ_CHECK (isfinite (values[i]));
              check_round_trip (values, n_columns);
            }
        }
      if (r <= 0)
        break;
      rows++;
      FUZZ_CHECK (vigil_row_reader_get_rows (reader) == rows);
    }

  if (r < 0)
    {
      /* "PS1.txt:LINE: ..." with the line being read. */
      g_autofree char *where = g_strdup_printf ("PS1.txt:%u:", rows + 1);

      fuzz_check_error (error, where, row_codes);
    }
  else
    FUZZ_CHECK (error == NULL);

  /* Rows end at each '\n': there are never more rows than lines. */
  {
    guint lines = 0;

    for (size_t i = 1; i < size; i++)
      lines += data[i] == '\n';
    FUZZ_CHECK (rows <= lines + 1);
  }
  return 0;
}
