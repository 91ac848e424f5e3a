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

G_END_DECLS
