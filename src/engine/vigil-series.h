/* vigil-series.h
 *
 * A bounded, append-only time series of raw samples for the live charts: many writers
 * append in batches, readers decimate any time range to min/max per pixel column without
 * walking every sample (per-block summaries). Thread-safe.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VigilSeries VigilSeries;

/* Samples are stored and dropped in chunks of this many. */
#define VIGIL_SERIES_CHUNK_SAMPLES 4096

/* @capacity: samples kept; the oldest are dropped (whole blocks at a time) beyond it: a
 * chunk goes as soon as the samples after it number at least @capacity, so a full series
 * holds from @capacity to @capacity + VIGIL_SERIES_CHUNK_SAMPLES - 1 samples. Values are
 * kept as floats; NAN values are kept but never a column's minimum or maximum. */
VigilSeries *vigil_series_new          (gsize          capacity);
VigilSeries *vigil_series_ref          (VigilSeries   *self);
void         vigil_series_unref        (VigilSeries   *self);
/* Samples at @first_us, @first_us + @dt_us, ... Times must not go back: a sample earlier
 * than the last one appended is dropped (and counted). */
void         vigil_series_append_run   (VigilSeries   *self,
                                        gint64         first_us,
                                        gint64         dt_us,
                                        const double  *values,
                                        gsize          n_values);
void         vigil_series_append       (VigilSeries   *self,
                                        const gint64  *times_us,
                                        const double  *values,
                                        gsize          n_values);
void         vigil_series_clear        (VigilSeries   *self);
gsize        vigil_series_get_length   (VigilSeries   *self);
guint64      vigil_series_get_dropped  (VigilSeries   *self);
/* Changes whenever samples are appended or cleared. */
guint64      vigil_series_get_serial   (VigilSeries   *self);
/* FALSE when empty. */
gboolean     vigil_series_get_bounds   (VigilSeries   *self,
                                        gint64        *first_us,
                                        gint64        *last_us);
/* Splits [@from_us, @to_us) into @n_columns equal columns and writes the smallest and
 * largest sample of each; a column without samples gets NAN in both. Returns the number of
 * samples the range holds. */
gsize        vigil_series_decimate     (VigilSeries   *self,
                                        gint64         from_us,
                                        gint64         to_us,
                                        guint          n_columns,
                                        float         *out_min,
                                        float         *out_max);
/* The last sample at or before @at_us. FALSE if there is none. */
gboolean     vigil_series_lookup       (VigilSeries   *self,
                                        gint64         at_us,
                                        gint64        *out_time_us,
                                        double        *out_value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilSeries, vigil_series_unref)

G_END_DECLS
