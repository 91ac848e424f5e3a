/* vigil-hydraulic-reader.h
 *
 * Reading hydraulic datasets in the UCI layout: a directory with any subset of the 17 sensor
 * files (PS1.txt ... SE.txt: one row per cycle, tab-separated, 6000/600/60 values) and
 * profile.txt (5 integers per cycle). Files are streamed a row at a time, never held whole.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vigil-records.h"
#include "vigil-sensor.h"

G_BEGIN_DECLS

/* What a dataset directory holds, found before anything is replayed. */
typedef struct
{
  char    *dir;
  guint32  sensors;        /* bit (1 << VigilSensor) per sensor file present */
  gboolean has_profile;
  guint    n_cycles;       /* rows in every file (they agree, or the scan fails) */
  guint64  n_samples;      /* n_cycles * samples per cycle of the present sensors */
} VigilHydraulicDataset;

/* Looks at @dir: which files exist, that they all hold the same number of rows (a quick
 * count of lines) and that each one's first row has the shape of its file; the other rows
 * are checked while streaming. */
VigilHydraulicDataset *vigil_hydraulic_dataset_scan (const char             *dir,
                                                     GCancellable           *cancellable,
                                                     GError                **error);
void                   vigil_hydraulic_dataset_free (VigilHydraulicDataset  *dataset);

/* One file read a row at a time. */
typedef struct _VigilRowReader VigilRowReader;

/* @n_columns: values each row must have (6000, 600, 60 or 5 for profile.txt). */
VigilRowReader *vigil_row_reader_open       (const char      *path,
                                             guint            n_columns,
                                             GError         **error);
void            vigil_row_reader_free       (VigilRowReader  *self);
/* Reads the next row into @values (n_columns doubles). Returns 1 for a row, 0 at the end of
 * the file, -1 with @error set (naming file, line and column) on a malformed row. */
int             vigil_row_reader_next       (VigilRowReader  *self,
                                             double          *values,
                                             GError         **error);
const char     *vigil_row_reader_get_name   (VigilRowReader  *self);
/* Rows read so far, which is also the line number of the last row read. */
guint           vigil_row_reader_get_rows   (VigilRowReader  *self);

/* Reads profile.txt rows as labels. Returns 1, 0 or -1 like vigil_row_reader_next(). */
int             vigil_row_reader_next_label (VigilRowReader  *self,
                                             VigilCycleLabel *label,
                                             GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilHydraulicDataset, vigil_hydraulic_dataset_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilRowReader, vigil_row_reader_free)

G_END_DECLS
