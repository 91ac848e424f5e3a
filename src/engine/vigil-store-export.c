/* vigil-store-export.c
 *
 * CSV exports of a store: windows, alarm instances and the alarm journal of one session,
 * filtered by sensor and time, in the column layouts scripts depend on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>

#include "vigil-csv.h"
#include "vigil-error.h"
#include "vigil-store-private.h"

#define MAX_COLUMNS 12

typedef struct
{
  const char *what;                   /* for error messages */
  const char *sql;                    /* ?1 session, ?2 from, ?3 to (both inclusive), ?4 sensors */
  const char *header[MAX_COLUMNS];    /* NULL-terminated */
  VigilStoreColumnKind  kinds[MAX_COLUMNS];
} Export;

/* Sensors sort in VigilSensor order (PS1..PS6, EPS1, FS1, FS2, TS1..TS4, VS1, CE, CP, SE)
 * through the vigil_sensor_index() SQL function the read connection registers, so the file
 * keeps plain sensor names and needs no index column. */
#define SENSOR_FILTER "(?4 = 0 OR (?4 >> vigil_sensor_index (sensor)) & 1)"

static const Export windows_export = {
  "export windows",
  "SELECT sensor, window_start, window_end, count, avg, min, max, stddev, \"range\""
  " FROM windows"
  " WHERE session_id = ?1 AND window_start BETWEEN ?2 AND ?3 AND " SENSOR_FILTER
  " ORDER BY window_start, vigil_sensor_index (sensor)",
  { "sensor", "window_start", "window_end", "count", "avg", "min", "max", "stddev", "range",
    NULL },
  { VIGIL_STORE_COLUMN_TEXT, VIGIL_STORE_COLUMN_TIME, VIGIL_STORE_COLUMN_TIME,
    VIGIL_STORE_COLUMN_INT, VIGIL_STORE_COLUMN_DOUBLE, VIGIL_STORE_COLUMN_DOUBLE,
    VIGIL_STORE_COLUMN_DOUBLE, VIGIL_STORE_COLUMN_DOUBLE, VIGIL_STORE_COLUMN_DOUBLE },
};

static const Export alarms_export = {
  "export alarms",
  "SELECT rule, sensor, severity, state, raised_us, acknowledged_us, cleared_us, value, peak,"
  " shelved_until_us, ack_comment"
  " FROM alarms"
  " WHERE session_id = ?1 AND raised_us BETWEEN ?2 AND ?3 AND " SENSOR_FILTER
  " ORDER BY raised_us, rule, vigil_sensor_index (sensor)",
  { "rule", "sensor", "severity", "state", "raised_at", "acknowledged_at", "cleared_at",
    "value", "peak", "shelved_until", "comment", NULL },
  { VIGIL_STORE_COLUMN_TEXT, VIGIL_STORE_COLUMN_TEXT, VIGIL_STORE_COLUMN_TEXT,
    VIGIL_STORE_COLUMN_TEXT, VIGIL_STORE_COLUMN_TIME, VIGIL_STORE_COLUMN_TIME,
    VIGIL_STORE_COLUMN_TIME, VIGIL_STORE_COLUMN_DOUBLE, VIGIL_STORE_COLUMN_DOUBLE,
    VIGIL_STORE_COLUMN_TIME, VIGIL_STORE_COLUMN_TEXT },
};

static const Export journal_export = {
  "export the alarm journal",
  "SELECT at_us, rule, sensor, severity, from_state, to_state, cause, shelved, value, comment"
  " FROM alarm_journal"
  " WHERE session_id = ?1 AND at_us BETWEEN ?2 AND ?3 AND " SENSOR_FILTER
  " ORDER BY at_us, seq, rule, vigil_sensor_index (sensor)",
  { "time", "rule", "sensor", "severity", "from", "to", "cause", "shelved", "value", "comment",
    NULL },
  { VIGIL_STORE_COLUMN_TIME, VIGIL_STORE_COLUMN_TEXT, VIGIL_STORE_COLUMN_TEXT,
    VIGIL_STORE_COLUMN_TEXT, VIGIL_STORE_COLUMN_TEXT, VIGIL_STORE_COLUMN_TEXT,
    VIGIL_STORE_COLUMN_TEXT, VIGIL_STORE_COLUMN_INT, VIGIL_STORE_COLUMN_DOUBLE,
    VIGIL_STORE_COLUMN_TEXT },
};

void
_vigil_store_write_csv_column (VigilCsvWriter       *csv,
                               sqlite3_stmt         *stmt,
                               int                   column,
                               VigilStoreColumnKind  kind)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    {
      vigil_csv_writer_empty (csv);
      return;
    }

  switch (kind)
    {
    case VIGIL_STORE_COLUMN_TEXT:
      vigil_csv_writer_text (csv, _vigil_store_column_text (stmt, column));
      break;

    case VIGIL_STORE_COLUMN_INT:
      vigil_csv_writer_int (csv, sqlite3_column_int64 (stmt, column));
      break;

    case VIGIL_STORE_COLUMN_DOUBLE:
      vigil_csv_writer_double (csv, sqlite3_column_double (stmt, column));
      break;

    case VIGIL_STORE_COLUMN_TIME:
      vigil_csv_writer_time (csv, sqlite3_column_int64 (stmt, column));
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Called with read_lock held, inside a read transaction. */
static gboolean
write_rows (VigilStore              *self,
            const Export            *export,
            const VigilStoreFilter  *filter,
            gint64                   session_id,
            VigilCsvWriter          *csv,
            GError                 **error)
{
  sqlite3_stmt *stmt = NULL;
  int n_columns;
  int rc;

  rc = sqlite3_prepare_v2 (self->read_db, export->sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return _vigil_store_set_error (error, self->read_db, rc, self->path, export->what);

  n_columns = sqlite3_column_count (stmt);
  /* The filter is half-open [from, to); BETWEEN is inclusive, and G_MAXINT64 means open. */
  sqlite3_bind_int64 (stmt, 1, session_id);
  sqlite3_bind_int64 (stmt, 2, filter->from_us);
  sqlite3_bind_int64 (stmt, 3, filter->to_us == G_MAXINT64 ? G_MAXINT64 : filter->to_us - 1);
  sqlite3_bind_int64 (stmt, 4, filter->sensors);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (int i = 0; i < n_columns; i++)
        _vigil_store_write_csv_column (csv, stmt, i, export->kinds[i]);

      if (!vigil_csv_writer_end_row (csv, error))
        {
          sqlite3_finalize (stmt);
          return FALSE;
        }
    }

  if (rc != SQLITE_DONE)
    {
      _vigil_store_set_error (error, self->read_db, rc, self->path, export->what);
      sqlite3_finalize (stmt);
      return FALSE;
    }

  sqlite3_finalize (stmt);

  return TRUE;
}

static gboolean
run_export (VigilStore              *self,
            const Export            *export,
            const VigilStoreFilter  *filter,
            GOutputStream           *out,
            GCancellable            *cancellable,
            GError                 **error)
{
  g_autoptr(VigilCsvWriter) csv = NULL;
  gint64 session_id = 0;
  gboolean ok;
  int rc;

  g_return_val_if_fail (VIGIL_IS_STORE (self), FALSE);
  g_return_val_if_fail (filter != NULL, FALSE);
  g_return_val_if_fail (filter->session_id >= 0, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_vigil_store_check_filter (filter, error))
    return FALSE;

  g_mutex_lock (&self->read_lock);

  if (self->read_db == NULL)
    {
      g_mutex_unlock (&self->read_lock);
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_FAILED,
                   "The store %s is closed", self->path);
      return FALSE;
    }

  /* One read transaction: the session found and the rows read come from the same state. */
  rc = sqlite3_exec (self->read_db, "BEGIN", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      _vigil_store_set_error (error, self->read_db, rc, self->path, export->what);
      g_mutex_unlock (&self->read_lock);
      return FALSE;
    }

  csv = vigil_csv_writer_new (out, cancellable);
  vigil_csv_writer_header (csv, export->header);
  ok = vigil_csv_writer_end_row (csv, error) &&
       _vigil_store_resolve_session (self, filter->session_id, &session_id, error) &&
       (session_id == 0 || write_rows (self, export, filter, session_id, csv, error));

  sqlite3_exec (self->read_db, "COMMIT", NULL, NULL, NULL);
  g_mutex_unlock (&self->read_lock);

  return ok && vigil_csv_writer_finish (csv, error);
}

gboolean
vigil_store_export_windows (VigilStore              *self,
                            const VigilStoreFilter  *filter,
                            GOutputStream           *out,
                            GCancellable            *cancellable,
                            GError                 **error)
{
  return run_export (self, &windows_export, filter, out, cancellable, error);
}

gboolean
vigil_store_export_alarms (VigilStore              *self,
                           const VigilStoreFilter  *filter,
                           GOutputStream           *out,
                           GCancellable            *cancellable,
                           GError                 **error)
{
  return run_export (self, &alarms_export, filter, out, cancellable, error);
}

gboolean
vigil_store_export_journal (VigilStore              *self,
                            const VigilStoreFilter  *filter,
                            GOutputStream           *out,
                            GCancellable            *cancellable,
                            GError                 **error)
{
  return run_export (self, &journal_export, filter, out, cancellable, error);
}

static gboolean
io_error (GError     **error,
          const char  *what,
          const char  *path,
          int          saved_errno)
{
  g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO, "%s %s: %s", what, path,
               g_strerror (saved_errno));
  return FALSE;
}

/* g_file_replace() writes a file that does not exist yet in place, so a failed export would
 * leave half a file: the export goes to a temporary file beside the target first. */
gboolean
vigil_store_export_to_file (VigilStore              *self,
                            VigilStoreExportFunc     export_func,
                            const VigilStoreFilter  *filter,
                            const char              *path,
                            VigilStoreExportCheck    check,
                            gpointer                 check_data,
                            GCancellable            *cancellable,
                            GError                 **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp_name = NULL;
  g_autofree char *tmp_path = NULL;
  g_autoptr(GOutputStream) out = NULL;
  int fd;

  g_return_val_if_fail (VIGIL_IS_STORE (self), FALSE);
  g_return_val_if_fail (export_func != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  tmp_name = g_strdup_printf (".%s.XXXXXX", base);
  tmp_path = g_build_filename (dir, tmp_name, NULL);

  fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0)
    return io_error (error, "Could not create a file in", dir, errno);

  out = g_unix_output_stream_new (fd, FALSE);
  if (!export_func (self, filter, out, cancellable, error))
    {
      close (fd);
      g_unlink (tmp_path);
      return FALSE;
    }

  if (fsync (fd) != 0)
    {
      int saved_errno = errno;

      close (fd);
      g_unlink (tmp_path);
      return io_error (error, "Could not write", path, saved_errno);
    }
  if (close (fd) != 0)
    {
      int saved_errno = errno;

      g_unlink (tmp_path);
      return io_error (error, "Could not write", path, saved_errno);
    }

  if (check != NULL && !check (tmp_path, check_data, cancellable, error))
    {
      g_unlink (tmp_path);
      return FALSE;
    }

  if (g_rename (tmp_path, path) != 0)
    {
      int saved_errno = errno;

      g_unlink (tmp_path);
      return io_error (error, "Could not write", path, saved_errno);
    }

  return TRUE;
}
