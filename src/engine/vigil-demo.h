/* vigil-demo.h
 *
 * The demo rig a newcomer sees first: a generated hydraulic dataset with injected faults,
 * made once and kept in the user's cache.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Where the demo rig of @n_cycles cycles and @seed lives in the user's cache. */
char     *vigil_demo_get_dir (guint          n_cycles,
                              guint64        seed);
/* Generates the rig into @dir unless a complete one is already there. */
gboolean  vigil_demo_ensure  (const char    *dir,
                              guint          n_cycles,
                              guint64        seed,
                              GCancellable  *cancellable,
                              GError       **error);

G_END_DECLS
