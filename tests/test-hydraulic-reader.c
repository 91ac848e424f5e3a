/* test-hydraulic-reader.c
 *
 * Reading UCI-layout files: real data, exact parsing, and every kind of malformed row with
 * the file, line and column it is reported at.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "vigil-error.h"
#include "vigil-hydraulic-reader.h"
#include "vigil-test-util.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("vigil-reader-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  vigil_test_remove_tree (f->dir);
  g_free (f->dir);
}

static char *
write_file (Fixture    *f,
            const char *name,
            const char *contents)
{
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

/* A row of @n values "base.k" joined by tabs. */
static char *
make_row (guint  n,
          double base)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      if (i > 0)
        g_string_append_c (s, '\t');
      g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.3f", base + i * 0.001));
    }
  return g_string_free (s, FALSE);
}

static const char *
shared_data (void)
{
  const char *dir = g_getenv ("VIGIL_SHARED_DATA");

  g_assert_nonnull (dir);
  return dir;
}

/* Every value of the real TS1 file, against strtod over the same text. */
static void
test_real_1hz (void)
{
  g_autofree char *path = g_build_filename (shared_data (), "hydraulic-uci", "TS1.txt", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(VigilRowReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  double values[60];
  const char *p;
  guint rows = 0;
  int r;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  p = contents;

  reader = vigil_row_reader_open (path, 60, &error);
  g_assert_no_error (error);

  while ((r = vigil_row_reader_next (reader, values, &error)) == 1)
    {
      for (guint i = 0; i < 60; i++)
        {
          char *end;
          double expected = strtod (p, &end);

          /* Bit for bit what the C library reads. */
          g_assert_cmpmem (&values[i], sizeof (double), &expected, sizeof (double));
          p = end + 1;
        }
      rows++;
    }
  g_assert_no_error (error);
  g_assert_cmpint (r, ==, 0);
  g_assert_cmpuint (rows, ==, 1800);
  g_assert_cmpuint (vigil_row_reader_get_rows (reader), ==, 1800);
  g_assert_cmpint (*p, ==, '\0');
}

/* The real high-rate excerpts: 6000 and 600 columns; FS1 has no final newline. */
static void
test_real_high_rate (void)
{
  struct { const char *file; guint cols; } files[] = {
    { "PS2_first2cycles.txt", 6000 }, { "FS1_first2cycles.txt", 600 },
  };

  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    {
      g_autofree char *path = g_build_filename (shared_data (), "hydraulic-uci",
                                                "high-rate-excerpt", files[f].file, NULL);
      g_autoptr(VigilRowReader) reader = vigil_row_reader_open (path, files[f].cols, NULL);
      g_autofree double *values = g_new (double, files[f].cols);
      g_autofree char *contents = NULL;
      g_auto(GStrv) fields = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      fields = g_strsplit_set (contents, "\t\n", -1);

      for (guint row = 0; row < 2; row++)
        {
          g_assert_cmpint (vigil_row_reader_next (reader, values, &error), ==, 1);
          g_assert_no_error (error);
          for (guint i = 0; i < files[f].cols; i += 97)
            g_assert_cmpfloat (values[i], ==, strtod (fields[row * files[f].cols + i], NULL));
          g_assert_cmpfloat (values[files[f].cols - 1], ==,
                             strtod (fields[row * files[f].cols + files[f].cols - 1], NULL));
        }
      g_assert_cmpint (vigil_row_reader_next (reader, values, &error), ==, 0);
      g_assert_no_error (error);
    }
}

/* The fast path must agree with strtod on every short decimal, to the bit. */
static void
test_exact_parsing (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = NULL;
  g_autoptr(VigilRowReader) reader = NULL;
  double values[1000];
  const char *fixed[] = { "0", "100.6", "47.25", "2985.001", "0.001", "123456789.123",
                          "1e3", "-4.5", "+7", "1.5E-2", "0.1234567890123456789" };

  for (guint i = 0; i < 1000; i++)
    {
      char *tok;

      if (i < G_N_ELEMENTS (fixed))
        tok = g_strdup (fixed[i]);
      else
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          gsize len;

          g_ascii_formatd (buf, sizeof buf, "%.3f", g_rand_double_range (rand, 0, 5000));
          /* Trailing zeros stripped, as in the real files. */
          len = strlen (buf);
          while (len > 0 && buf[len - 1] == '0')
            buf[--len] = '\0';
          if (buf[len - 1] == '.')
            buf[--len] = '\0';
          tok = g_strdup (buf);
        }
      g_string_append_printf (text, "%s%s", i > 0 ? "\t" : "", tok);
      g_ptr_array_add (tokens, tok);
    }
  g_string_append_c (text, '\n');

  path = write_file (f, "exact.txt", text->str);
  reader = vigil_row_reader_open (path, 1000, NULL);
  g_assert_cmpint (vigil_row_reader_next (reader, values, NULL), ==, 1);

  for (guint i = 0; i < 1000; i++)
    {
      double expected = g_ascii_strtod (g_ptr_array_index (tokens, i), NULL);
      g_assert_cmpmem (&values[i], sizeof (double), &expected, sizeof (double));
    }
}

typedef struct
{
  const char *contents;
  guint       columns;
  const char *message;
} BadCase;

static void
test_malformed (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *good = make_row (4, 1.0);
  g_autofree char *ok_then_short = g_strdup_printf ("%s\n1\t2\t3\n", good);
  g_autofree char *ok_then_long = g_strdup_printf ("%s\n1\t2\t3\t4\t5\n", good);
  BadCase cases[] = {
    { "1\t2\t3\n", 4, "bad.txt:1: column 4: row ends after 3 values, expected 4" },
    { ok_then_short, 4, "bad.txt:2: column 4: row ends after 3 values, expected 4" },
    { ok_then_long, 4, "bad.txt:2: column 5: more than the 4 values a row of this file has" },
    { "1\t2a\t3\t4\n", 4, "bad.txt:1: column 2: “2a” is not a number" },
    { "1\t\t3\t4\n", 4, "bad.txt:1: column 2: “” is not a number" },
    { "1\t2\tnan\t4\n", 4, "bad.txt:1: column 3: “nan” is not a number" },
    { "1\t2\t3\tinf\n", 4, "bad.txt:1: column 4: “inf” is not a number" },
    { "1\t2\t3\t0x10\n", 4, "bad.txt:1: column 4: “0x10” is not a number" },
    { "1\t2\t3\t1e999\n", 4, "bad.txt:1: column 4: “1e999” is not a number" },
    { "1\t2\t3\t4\n\n1\t2\t3\t4\n", 4,
      "bad.txt:2: empty line where a row of 4 values was expected" },
    { "1 2 3 4\n", 4, "bad.txt:1: column 1: “1 2 3 4” is not a number" },
    { "1,5\t2\t3\t4\n", 4, "bad.txt:1: column 1: “1,5” is not a number" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_file (f, "bad.txt", cases[i].contents);
      g_autoptr(VigilRowReader) reader = vigil_row_reader_open (path, cases[i].columns, NULL);
      g_autoptr(GError) error = NULL;
      double values[8];
      int r;

      while ((r = vigil_row_reader_next (reader, values, &error)) == 1)
        ;
      g_assert_cmpint (r, ==, -1);
      g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

/* Windows line endings and a missing final newline are still the same data. */
static void
test_line_endings (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *path = write_file (f, "crlf.txt", "1\t2\r\n3\t4.5\r\n5\t6");
  g_autoptr(VigilRowReader) reader = vigil_row_reader_open (path, 2, NULL);
  double v[2];

  g_assert_cmpint (vigil_row_reader_next (reader, v, NULL), ==, 1);
  g_assert_cmpfloat (v[1], ==, 2);
  g_assert_cmpint (vigil_row_reader_next (reader, v, NULL), ==, 1);
  g_assert_cmpfloat (v[1], ==, 4.5);
  g_assert_cmpint (vigil_row_reader_next (reader, v, NULL), ==, 1);
  g_assert_cmpfloat (v[0], ==, 5);
  g_assert_cmpfloat (v[1], ==, 6);
  g_assert_cmpint (vigil_row_reader_next (reader, v, NULL), ==, 0);
  g_assert_cmpint (vigil_row_reader_next (reader, v, NULL), ==, 0);
}

/* A row longer than the read buffer's first size still parses (buffer grows). */
static void
test_long_rows (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *path = NULL;
  g_autoptr(VigilRowReader) reader = NULL;
  g_autofree double *v = g_new (double, 200000);

  for (guint row = 0; row < 3; row++)
    {
      for (guint i = 0; i < 200000; i++)
        g_string_append_printf (text, "%s%u.%u", i > 0 ? "\t" : "", i, row);
      g_string_append_c (text, '\n');
    }
  path = write_file (f, "long.txt", text->str);
  reader = vigil_row_reader_open (path, 200000, NULL);

  for (guint row = 0; row < 3; row++)
    {
      g_assert_cmpint (vigil_row_reader_next (reader, v, NULL), ==, 1);
      g_assert_cmpfloat (v[199999], ==, 199999 + row / 10.0);
    }
  g_assert_cmpint (vigil_row_reader_next (reader, v, NULL), ==, 0);
}

static void
test_labels (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *path = write_file (f, "profile.txt", "3\t100\t0\t130\t1\n20\t73\t2\t90\t0\n"
                                                        "100\t90\t1\t115\t0\n50\t90\t1\t115\t0\n");
  g_autoptr(VigilRowReader) reader = vigil_row_reader_open (path, 5, NULL);
  g_autoptr(GError) error = NULL;
  VigilCycleLabel l;

  g_assert_cmpint (vigil_row_reader_next_label (reader, &l, NULL), ==, 1);
  g_assert_cmpuint (l.cycle, ==, 0);
  g_assert_cmpint (l.cooler, ==, 3);
  g_assert_cmpint (l.stable, ==, 1);
  g_assert_cmpint (vigil_row_reader_next_label (reader, &l, NULL), ==, 1);
  g_assert_cmpuint (l.cycle, ==, 1);
  g_assert_cmpint (l.valve, ==, 73);
  g_assert_cmpint (l.pump, ==, 2);
  g_assert_cmpint (l.accumulator, ==, 90);
  g_assert_cmpint (vigil_row_reader_next_label (reader, &l, NULL), ==, 1);
  g_assert_cmpint (vigil_row_reader_next_label (reader, &l, &error), ==, -1);
  g_assert_cmpstr (error->message, ==,
                   "profile.txt:4: column 1: 50 is not a valid cooler condition (3, 20 or 100 %)");
}

static void
test_scan (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *row60 = make_row (60, 20);
  g_autofree char *row600 = make_row (600, 5);
  g_autofree char *two60 = g_strdup_printf ("%s\n%s\n", row60, row60);
  g_autofree char *two600 = g_strdup_printf ("%s\n%s", row600, row600);
  g_autofree char *three60 = g_strdup_printf ("%s\n%s\n%s\n", row60, row60, row60);
  g_autoptr(VigilHydraulicDataset) ds = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *a = write_file (f, "TS1.txt", two60);
  g_autofree char *b = write_file (f, "FS2.txt", two600);
  g_autofree char *c = write_file (f, "profile.txt", "3\t100\t0\t130\t1\n3\t100\t0\t130\t1\n");
  g_autofree char *d = NULL;

  ds = vigil_hydraulic_dataset_scan (f->dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->sensors, ==, (1u << VIGIL_SENSOR_TS1) | (1u << VIGIL_SENSOR_FS2));
  g_assert_true (ds->has_profile);
  g_assert_cmpuint (ds->n_cycles, ==, 2);
  g_assert_cmpuint (ds->n_samples, ==, 2 * (60 + 600));
  g_clear_pointer (&ds, vigil_hydraulic_dataset_free);

  /* One more cycle in CE.txt than in the others. */
  d = write_file (f, "CE.txt", three60);
  ds = vigil_hydraulic_dataset_scan (f->dir, NULL, &error);
  g_assert_null (ds);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
  g_assert_cmpstr (error->message, ==,
                   "CE.txt:3: CE.txt has 3 cycles but FS2.txt has 2: every file must hold the "
                   "same cycles");
  g_clear_error (&error);

  ds = vigil_hydraulic_dataset_scan ("/nonexistent/vigil", NULL, &error);
  g_assert_null (ds);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
}

static void
test_scan_empty (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *other = write_file (f, "notes.txt", "hello\n");

  g_assert_null (vigil_hydraulic_dataset_scan (f->dir, NULL, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no sensor file"));
}

static void
test_open_missing (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (vigil_row_reader_open ("/nonexistent/PS1.txt", 6000, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/PS1.txt"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/reader/real-1hz", test_real_1hz);
  g_test_add_func ("/engine/reader/real-high-rate", test_real_high_rate);
  g_test_add_func ("/engine/reader/open-missing", test_open_missing);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/engine/reader/exact-parsing", test_exact_parsing);
  ADD ("/engine/reader/malformed", test_malformed);
  ADD ("/engine/reader/line-endings", test_line_endings);
  ADD ("/engine/reader/long-rows", test_long_rows);
  ADD ("/engine/reader/labels", test_labels);
  ADD ("/engine/reader/scan", test_scan);
  ADD ("/engine/reader/scan-empty", test_scan_empty);
#undef ADD

  return g_test_run ();
}
