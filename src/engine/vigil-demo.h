/* vigil-demo.h
 *
 * The demo a newcomer sees first: a generated hydraulic rig with injected faults and a few
 * generated traffic cameras, made once and kept in the user's cache.
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

/* Where the demo's cameras live in the user's cache: cam_01, cam_02 ... folders of
 * vigil_traffic_generate(). */
char     *vigil_demo_get_cameras_dir (guint          n_cameras,
                                      guint          n_frames,
                                      guint64        seed);
/* Generates @n_cameras small cameras (VIGIL_DEMO_CAMERA_WIDTH x _HEIGHT at
 * VIGIL_DEMO_CAMERA_FPS) of @n_frames frames each into @dir unless complete ones are there:
 * quick to make, and looped by the app. */
gboolean  vigil_demo_ensure_cameras  (const char    *dir,
                                      guint          n_cameras,
                                      guint          n_frames,
                                      guint64        seed,
                                      GCancellable  *cancellable,
                                      GError       **error);

#define VIGIL_DEMO_CAMERA_WIDTH  320
#define VIGIL_DEMO_CAMERA_HEIGHT 180
#define VIGIL_DEMO_CAMERA_FPS    10

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
