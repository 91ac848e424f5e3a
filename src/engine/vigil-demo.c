/* vigil-demo.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-demo"

#include "config.h"

#include <errno.h>

#include "vigil-demo.h"
#include "vigil-hydraulic-generator.h"

/* Written last: a rig without it was interrupted and is generated again. */
#define STAMP ".vigil-demo-complete"

char *
vigil_demo_get_dir (guint   n_cycles,
                    guint64 seed)
{
  g_autofree char *name = g_strdup_printf ("demo-rig-%u-seed%" G_GUINT64_FORMAT, n_cycles, seed);

  return g_build_filename (g_get_user_cache_dir (), "vigil", name, NULL);
}

gboolean
vigil_demo_ensure (const char    *dir,
                   guint          n_cycles,
                   guint64        seed,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autofree char *stamp = NULL;

  g_return_val_if_fail (dir != NULL, FALSE);

  stamp = g_build_filename (dir, STAMP, NULL);
  if (g_file_test (stamp, G_FILE_TEST_EXISTS))
    return TRUE;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "Cannot create %s: %s",
                   dir, g_strerror (saved));
      return FALSE;
    }

  if (!vigil_hydraulic_generate (dir, n_cycles, seed, cancellable, error))
    return FALSE;

  return g_file_set_contents (stamp, "", 0, error);
}
