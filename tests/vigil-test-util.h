/* vigil-test-util.h
 *
 * Small helpers every test program may use (header-only: tests are single-file programs).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>

#include "vigil-records.h"

G_BEGIN_DECLS

/* Removes a temporary file or directory tree a test made; failing to is a test failure, so a
 * test that leaves a file open or a directory busy is noticed. */
static inline void
vigil_test_remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          vigil_test_remove_tree (child);
        }
      g_assert_cmpint (g_rmdir (path), ==, 0);
    }
  else if (g_file_test (path, G_FILE_TEST_EXISTS))
    g_assert_cmpint (g_unlink (path), ==, 0);
}

/* Bit-for-bit equal, NAN equal to NAN (an empty statistic). */
static inline void
assert_same_double (double a,
                    double b)
{
  if (isnan (a) || isnan (b))
    g_assert_true (isnan (a) && isnan (b));
  else
    g_assert_cmpfloat (a, ==, b);
}

/* Two arrays of VigilWindowStats equal row for row, every field bit for bit. */
static inline void
assert_same_windows (GArray *a,
                     GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);

  for (guint i = 0; i < a->len; i++)
    {
      const VigilWindowStats *x = &g_array_index (a, VigilWindowStats, i);
      const VigilWindowStats *y = &g_array_index (b, VigilWindowStats, i);

      g_assert_cmpuint (x->key, ==, y->key);
      g_assert_cmpint (x->start_us, ==, y->start_us);
      g_assert_cmpint (x->end_us, ==, y->end_us);
      g_assert_cmpuint (x->count, ==, y->count);
      assert_same_double (x->avg, y->avg);
      assert_same_double (x->min, y->min);
      assert_same_double (x->max, y->max);
      assert_same_double (x->stddev, y->stddev);
      assert_same_double (x->range, y->range);
    }
}

/* Every row of the tab-separated file @path as a GArray of doubles, parsed here with
 * g_ascii_strtod, not by the engine's reader, so tests can check the engine against it. */
static inline GPtrArray *
vigil_test_parse_rows (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) cells = NULL;
      GArray *row;

      if (lines[i][0] == '\0')
        continue;

      cells = g_strsplit (lines[i], "\t", -1);
      row = g_array_new (FALSE, FALSE, sizeof (double));
      for (guint j = 0; cells[j] != NULL; j++)
        {
          double v = g_ascii_strtod (cells[j], NULL);

          g_array_append_val (row, v);
        }
      g_ptr_array_add (rows, row);
    }

  return rows;
}

G_END_DECLS
