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

/* The last cycle a generator can write is VIGIL_HYDRAULIC_MAX_CYCLES - 1 (about 320 GB). */
#define VIGIL_HYDRAULIC_MAX_CYCLES 1000000

gboolean vigil_hydraulic_generate (const char    *out_dir,
                                   guint          n_cycles,
                                   guint64        seed,
                                   GCancellable  *cancellable,
                                   GError       **error);

/* Writes cycles first_cycle .. first_cycle + n_cycles - 1 of the dataset that
 * vigil_hydraulic_generate() writes with the same seed: the same rows, numbered from 0 in the
 * ground truth (times count from the first cycle written). out_n_faults (may be NULL) gets the
 * number of rows written to the ground truth. */
gboolean vigil_hydraulic_generate_range (const char    *out_dir,
                                         guint          first_cycle,
                                         guint          n_cycles,
                                         guint64        seed,
                                         guint         *out_n_faults,
                                         GCancellable  *cancellable,
                                         GError       **error);

G_END_DECLS
