/* vigil-csv.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-csv"

#include "config.h"

#include <math.h>
#include <string.h>

#include "vigil-csv.h"
#include "vigil-error.h"
#include "vigil-time.h"

/* Big enough that a stream sees few writes, small enough to stay in cache. */
#define CHUNK_SIZE (256 * 1024)

struct _VigilCsvWriter
{
  GOutputStream *out;          /* owned */
  GCancellable  *cancellable;  /* owned, may be NULL */
  GString       *buf;
  gboolean       row_started;  /* a field was written in the current row */
};

void
vigil_csv_append_text (GString    *out,
                       const char *text)
{
  g_return_if_fail (out != NULL);

  if (text == NULL)
    return;

  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

void
vigil_csv_append_double (GString *out,
                         double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_if_fail (out != NULL);

  if (!isfinite (value))
    return;

  g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.17g", value));
}

void
vigil_csv_append_int (GString *out,
                      gint64   value)
{
  g_return_if_fail (out != NULL);

  g_string_append_printf (out, "%" G_GINT64_FORMAT, value);
}

void
vigil_csv_append_time (GString *out,
                       gint64   time_us)
{
  char buf[64];

  g_return_if_fail (out != NULL);

  vigil_time_format_iso8601_buf (time_us, buf, sizeof buf);
  g_string_append (out, buf);
}

VigilCsvWriter *
vigil_csv_writer_new (GOutputStream *out,
                      GCancellable  *cancellable)
{
  VigilCsvWriter *self;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  self = g_new0 (VigilCsvWriter, 1);
  self->out = g_object_ref (out);
  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  self->buf = g_string_sized_new (CHUNK_SIZE + 4096);

  return self;
}

void
vigil_csv_writer_free (VigilCsvWriter *self)
{
  if (self == NULL)
    return;

  g_clear_object (&self->out);
  g_clear_object (&self->cancellable);
  g_string_free (self->buf, TRUE);
  g_free (self);
}

static void
begin_field (VigilCsvWriter *self)
{
  if (self->row_started)
    g_string_append_c (self->buf, ',');
  self->row_started = TRUE;
}

void
vigil_csv_writer_header (VigilCsvWriter     *self,
                         const char * const *columns)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (columns != NULL);

  for (guint i = 0; columns[i] != NULL; i++)
    vigil_csv_writer_text (self, columns[i]);
}

void
vigil_csv_writer_text (VigilCsvWriter *self,
                       const char     *text)
{
  g_return_if_fail (self != NULL);

  begin_field (self);
  vigil_csv_append_text (self->buf, text);
}

void
vigil_csv_writer_double (VigilCsvWriter *self,
                         double          value)
{
  g_return_if_fail (self != NULL);

  begin_field (self);
  vigil_csv_append_double (self->buf, value);
}

void
vigil_csv_writer_int (VigilCsvWriter *self,
                      gint64          value)
{
  g_return_if_fail (self != NULL);

  begin_field (self);
  vigil_csv_append_int (self->buf, value);
}

void
vigil_csv_writer_time (VigilCsvWriter *self,
                       gint64          time_us)
{
  g_return_if_fail (self != NULL);

  begin_field (self);
  vigil_csv_append_time (self->buf, time_us);
}

void
vigil_csv_writer_empty (VigilCsvWriter *self)
{
  g_return_if_fail (self != NULL);

  begin_field (self);
}

static gboolean
write_buffer (VigilCsvWriter  *self,
              GError         **error)
{
  g_autoptr(GError) local_error = NULL;

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_set_error_literal (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_CANCELLED,
                           "The export was cancelled");
      return FALSE;
    }

  if (self->buf->len == 0)
    return TRUE;

  if (!g_output_stream_write_all (self->out, self->buf->str, self->buf->len, NULL,
                                  self->cancellable, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_set_error_literal (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_CANCELLED,
                             "The export was cancelled");
      else
        g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                     "Could not write CSV: %s", local_error->message);
      return FALSE;
    }

  g_string_truncate (self->buf, 0);

  return TRUE;
}

gboolean
vigil_csv_writer_end_row (VigilCsvWriter  *self,
                          GError         **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  g_string_append_c (self->buf, '\n');
  self->row_started = FALSE;

  if (self->buf->len < CHUNK_SIZE)
    return TRUE;

  return write_buffer (self, error);
}

gboolean
vigil_csv_writer_finish (VigilCsvWriter  *self,
                         GError         **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (!self->row_started, FALSE);

  if (!write_buffer (self, error))
    return FALSE;

  if (!g_output_stream_flush (self->out, self->cancellable, &local_error))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                   "Could not write CSV: %s", local_error->message);
      return FALSE;
    }

  return TRUE;
}
