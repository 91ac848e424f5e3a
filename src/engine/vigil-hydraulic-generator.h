/* vigil-hydraulic-generator.h
 *
 * Writes synthetic hydraulic rig datasets in the UCI layout: 17 sensor files, profile.txt
 * and a ground-truth file of the faults it injected. Same seed, same bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Name of the ground-truth file written beside the sensor files. */
#define VIGIL_HYDRAULIC_GROUND_TRUTH "ground-truth.csv"

gboolean vigil_hydraulic_generate (const char    *out_dir,
                                   guint          n_cycles,
                                   guint64        seed,
                                   GCancellable  *cancellable,
                                   GError       **error);

G_END_DECLS
