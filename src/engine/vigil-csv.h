/* vigil-csv.h
 *
 * CSV as Vigil writes it everywhere (RFC 4180): fields quoted only when they must be, numbers
 * with "%.17g" and '.' whatever the locale, empty fields for missing values, times as ISO-8601
 * UTC with milliseconds and Z, rows ending in "\n".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Field writers: each appends one field, without separator, to @out. */
void vigil_csv_append_text   (GString      *out,
                              const char   *text);
void vigil_csv_append_double (GString      *out,
                              double        value);
void vigil_csv_append_int    (GString      *out,
                              gint64        value);
void vigil_csv_append_time   (GString      *out,
                              gint64        time_us);

/* Builds rows in a buffer and writes them to a stream in large chunks. */
typedef struct _VigilCsvWriter VigilCsvWriter;

VigilCsvWriter *vigil_csv_writer_new     (GOutputStream   *out,
                                          GCancellable    *cancellable);
void            vigil_csv_writer_free    (VigilCsvWriter  *self);
/* @columns: NULL-terminated. Writes one row of header names. */
void            vigil_csv_writer_header  (VigilCsvWriter  *self,
                                          const char * const *columns);
void            vigil_csv_writer_text    (VigilCsvWriter  *self,
                                          const char      *text);
void            vigil_csv_writer_double  (VigilCsvWriter  *self,
                                          double           value);
void            vigil_csv_writer_int     (VigilCsvWriter  *self,
                                          gint64           value);
void            vigil_csv_writer_time    (VigilCsvWriter  *self,
                                          gint64           time_us);
void            vigil_csv_writer_empty   (VigilCsvWriter  *self);
/* Ends the row; writes the buffer out when it is large. Fails when writing fails or the
 * cancellable was cancelled (VIGIL_ENGINE_ERROR_CANCELLED). */
gboolean        vigil_csv_writer_end_row (VigilCsvWriter  *self,
                                          GError         **error);
/* Writes what is buffered and flushes the stream (does not close it). */
gboolean        vigil_csv_writer_finish  (VigilCsvWriter  *self,
                                          GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilCsvWriter, vigil_csv_writer_free)

G_END_DECLS
