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

/* Makes sure the store at @db_path (created if needed) has a champion model for every
 * component it can, so the demo predicts from its first cycle: what lacks one is trained (a
 * random forest with the defaults) on a sibling rig of @n_cycles cycles generated with
 * @seed + 1 into the cache, never on the rig the demo replays. A component that stays in one
 * condition all through the sibling rig gets none. */
gboolean  vigil_demo_ensure_models (const char    *db_path,
                                    guint          n_cycles,
                                    guint64        seed,
                                    GCancellable  *cancellable,
                                    GError       **error);

G_END_DECLS
