/* vigil-test-util.h
 *
 * Small helpers every test program may use (header-only: tests are single-file programs).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <glib/gstdio.h>

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

G_END_DECLS
