/* vigil-store-traffic.c
 *
 * A camera's session in the store: writing every frame's detections and the per-second and
 * per-minute rows, reading them back, and exporting them as CSV for one camera or all of
 * them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-store"

#include "config.h"

#include <math.h>

#include "vigil-csv.h"
#include "vigil-error.h"
#include "vigil-store-private.h"
#include "vigil-time.h"

/* Writing (writer thread only) -------------------------------------------------------------- */

static gboolean
bad_value (VigilStore  *self,
           const char  *table,
           const char  *what,
           guint        value,
           GError     **error)
{
  g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
               "Could not write to %s: %u is not a %s (table %s)", self->path, value, what,
               table);
  return FALSE;
}

static gboolean
write_detections (VigilStore       *self,
                  VigilStoreBatch  *batch,
                  GError          **error)
{
  sqlite3_stmt *stmt = self->stmts[VIGIL_STORE_STMT_DETECTION];

  for (guint i = 0; batch->detections != NULL && i < batch->detections->len; i++)
    {
      const VigilStoreDetection *d = &g_array_index (batch->detections, VigilStoreDetection, i);
      const char *klass = vigil_vehicle_class_get_name (d->detection.klass);

      if (klass == NULL)
        return bad_value (self, "traffic_detections", "vehicle class", d->detection.klass,
                          error);

      sqlite3_bind_int64 (stmt, 1, batch->session_id);
      sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) d->frame);
      sqlite3_bind_int64 (stmt, 3, d->index);
      sqlite3_bind_int64 (stmt, 4, d->time_us);
      if (d->detection.track_id >= 0)
        sqlite3_bind_int64 (stmt, 5, d->detection.track_id);
      else
        sqlite3_bind_null (stmt, 5);
      sqlite3_bind_text (stmt, 6, klass, -1, SQLITE_STATIC);
      _vigil_store_bind_double (stmt, 7, d->detection.x);
      _vigil_store_bind_double (stmt, 8, d->detection.y);
      _vigil_store_bind_double (stmt, 9, d->detection.w);
      _vigil_store_bind_double (stmt, 10, d->detection.h);
      sqlite3_bind_int64 (stmt, 11, d->detection.area);
      _vigil_store_bind_double (stmt, 12, d->detection.speed_kmh);
      if (!_vigil_store_step (self, stmt, "write detections", error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_periods (VigilStore       *self,
               gint64            session_id,
               GArray           *periods,
               VigilStoreStmt    which,
               const char       *table,
               GError          **error)
{
  sqlite3_stmt *stmt = self->stmts[which];
  g_autofree char *what = g_strdup_printf ("write %s", table);

  for (guint i = 0; periods != NULL && i < periods->len; i++)
    {
      const VigilTrafficStats *t = &g_array_index (periods, VigilTrafficStats, i);
      const char *status = vigil_traffic_status_get_name (t->status);

      if (status == NULL)
        return bad_value (self, table, "traffic status", t->status, error);

      sqlite3_bind_int64 (stmt, 1, session_id);
      sqlite3_bind_int64 (stmt, 2, t->start_us);
      sqlite3_bind_int64 (stmt, 3, t->end_us);
      sqlite3_bind_int64 (stmt, 4, t->frames);
      _vigil_store_bind_double (stmt, 5, t->vehicles);
      sqlite3_bind_int64 (stmt, 6, t->unique_vehicles);
      for (int c = 0; c < VIGIL_N_VEHICLE_CLASSES; c++)
        {
          sqlite3_bind_int64 (stmt, 7 + c, t->per_class[c]);
          _vigil_store_bind_double (stmt, 7 + VIGIL_N_VEHICLE_CLASSES + c,
                                    t->per_class_vehicles[c]);
        }
      _vigil_store_bind_double (stmt, 15, t->density_pct);
      _vigil_store_bind_double (stmt, 16, t->speed_kmh);
      _vigil_store_bind_double (stmt, 17, t->dwell_s);
      sqlite3_bind_text (stmt, 18, status, -1, SQLITE_STATIC);
      if (!_vigil_store_step (self, stmt, what, error))
        return FALSE;
    }

  return TRUE;
}

G_STATIC_ASSERT (VIGIL_N_VEHICLE_CLASSES == 4);

gboolean
_vigil_store_write_traffic (VigilStore       *self,
                            VigilStoreBatch  *batch,
                            GError          **error)
{
  return write_detections (self, batch, error) &&
         write_periods (self, batch->session_id, batch->traffic_seconds,
                        VIGIL_STORE_STMT_TRAFFIC_SECOND, "traffic_seconds", error) &&
         write_periods (self, batch->session_id, batch->traffic_minutes,
                        VIGIL_STORE_STMT_TRAFFIC_MINUTE, "traffic_minutes", error);
}

/* Reading helpers (read_lock held) ---------------------------------------------------------- */

/* The filter is half-open [from, to); BETWEEN is inclusive, and G_MAXINT64 means open. */
static void
bind_range (sqlite3_stmt           *stmt,
            gint64                  session_id,
            const VigilStoreFilter *filter)
{
  sqlite3_bind_int64 (stmt, 1, session_id);
  sqlite3_bind_int64 (stmt, 2, filter->from_us);
  sqlite3_bind_int64 (stmt, 3, filter->to_us == G_MAXINT64 ? G_MAXINT64 : filter->to_us - 1);
}

/* A file opened read-only may predate cameras: it then has no camera's session. */
static gboolean
has_cameras (VigilStore *self)
{
  return _vigil_store_has_column (self, "sessions", "camera");
}

typedef struct
{
  gint64  id;
  char   *camera;
} CameraSession;

static void
camera_session_clear (gpointer data)
{
  CameraSession *s = data;

  g_clear_pointer (&s->camera, g_free);
}

/* Camera sessions of session ?1 (0: any) and camera ?2 (NULL: any). */
#define CAMERA_SESSIONS_SQL \
  "SELECT id, camera FROM sessions WHERE camera IS NOT NULL" \
  " AND (?1 = 0 OR id = ?1) AND (?2 IS NULL OR camera = ?2)"

/* The camera sessions that @session_id (0: any) and @camera (NULL: any) select, by camera,
 * then id; the latest one only when @latest. */
static GArray *
find_camera_sessions (VigilStore  *self,
                      gint64       session_id,
                      const char  *camera,
                      gboolean     latest,
                      GError     **error)
{
  g_autoptr(GArray) sessions = g_array_new (FALSE, FALSE, sizeof (CameraSession));
  sqlite3_stmt *stmt;
  int rc;

  g_array_set_clear_func (sessions, camera_session_clear);
  if (!has_cameras (self))
    return g_steal_pointer (&sessions);

  stmt = _vigil_store_prepare_read (self,
                                    latest ? CAMERA_SESSIONS_SQL " ORDER BY id DESC LIMIT 1"
                                           : CAMERA_SESSIONS_SQL " ORDER BY camera, id",
                                    "find the camera sessions", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, session_id);
  sqlite3_bind_text (stmt, 2, camera, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CameraSession s = { sqlite3_column_int64 (stmt, 0),
                          g_strdup (_vigil_store_column_text (stmt, 1)) };

      g_array_append_val (sessions, s);
    }

  if (!_vigil_store_finish_read (self, stmt, rc, "find the camera sessions", error))
    return NULL;

  return g_steal_pointer (&sessions);
}

/* Every camera of the file, comma-separated, in *out_cameras ("" when it has none). */
static gboolean
list_cameras (VigilStore  *self,
              char       **out_cameras,
              GError     **error)
{
  g_autoptr(GString) names = g_string_new (NULL);
  sqlite3_stmt *stmt;
  int rc;

  if (has_cameras (self))
    {
      stmt = _vigil_store_prepare_read (self,
                                        "SELECT DISTINCT camera FROM sessions"
                                        " WHERE camera IS NOT NULL ORDER BY camera",
                                        "find the cameras", error);
      if (stmt == NULL)
        return FALSE;

      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "",
                                _vigil_store_column_text (stmt, 0));

      if (!_vigil_store_finish_read (self, stmt, rc, "find the cameras", error))
        return FALSE;
    }

  *out_cameras = g_string_free (g_steal_pointer (&names), FALSE);

  return TRUE;
}

/* Says why @session_id and @camera select no camera session. */
static gboolean
no_camera_session (VigilStore  *self,
                   gint64       session_id,
                   const char  *camera,
                   GError     **error)
{
  g_autofree char *cameras = NULL;
  g_autoptr(GArray) any = NULL;
  gint64 found = 0;

  if (session_id != 0)
    {
      if (!_vigil_store_resolve_session (self, session_id, &found, error))
        return FALSE;

      any = find_camera_sessions (self, session_id, NULL, FALSE, error);
      if (any == NULL)
        return FALSE;

      if (any->len == 0)
        g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                     "Session %" G_GINT64_FORMAT " of %s is not a camera's session", session_id,
                     self->path);
      else
        g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                     "Session %" G_GINT64_FORMAT " of %s is camera “%s”, not “%s”", session_id,
                     self->path, g_array_index (any, CameraSession, 0).camera, camera);
      return FALSE;
    }

  if (!list_cameras (self, &cameras, error))
    return FALSE;

  if (*cameras == '\0')
    g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                 "%s holds no camera's session", self->path);
  else
    g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                 "%s has no camera “%s” (its cameras: %s)", self->path, camera, cameras);

  return FALSE;
}

/* The session a read means: @session_id itself, which must be a camera's, or the latest
 * camera's session (0 in *out_id when the file has none). */
static gboolean
resolve_camera_session (VigilStore  *self,
                        gint64       session_id,
                        gint64      *out_id,
                        char       **out_camera,
                        GError     **error)
{
  g_autoptr(GArray) sessions = find_camera_sessions (self, session_id, NULL, TRUE, error);
  CameraSession *s;

  if (sessions == NULL)
    return FALSE;

  if (sessions->len == 0)
    {
      *out_id = 0;
      return session_id == 0 || no_camera_session (self, session_id, NULL, error);
    }

  s = &g_array_index (sessions, CameraSession, 0);
  *out_id = s->id;
  *out_camera = g_steal_pointer (&s->camera);

  return TRUE;
}

static gboolean
bad_row (VigilStore  *self,
         const char  *table,
         const char  *row,
         const char  *column,
         const char  *value,
         GError     **error)
{
  g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
               "%s: table %s, row %s: unknown %s “%s”", self->path, table, row, column,
               value != NULL ? value : "(null)");
  return FALSE;
}

static gboolean
status_from_name (const char         *name,
                  VigilTrafficStatus *out)
{
  for (int i = VIGIL_TRAFFIC_NORMAL; i <= VIGIL_TRAFFIC_JAMMED; i++)
    if (g_strcmp0 (name, vigil_traffic_status_get_name ((VigilTrafficStatus) i)) == 0)
      {
        *out = (VigilTrafficStatus) i;
        return TRUE;
      }

  return FALSE;
}

/* Reading ----------------------------------------------------------------------------------- */

typedef struct
{
  const VigilStoreFilter *filter;
  gboolean                minutes;
  GArray                 *out;
} ReadRows;

/* Fills @rows (transfer full) with @func's rows of @filter; returns it, or NULL. */
static GArray *
read_rows (VigilStore              *self,
           const VigilStoreFilter  *filter,
           gboolean                 minutes,
           GArray                  *rows,
           const char              *what,
           VigilStoreReadFunc       func,
           GError                 **error)
{
  g_autoptr(GArray) out = rows;
  ReadRows read = { filter, minutes, out };

  if (!_vigil_store_check_filter (filter, error) ||
      !_vigil_store_read (self, what, func, &read, error))
    return NULL;

  return g_steal_pointer (&out);
}

static const char seconds_sql[] =
  "SELECT start_us, end_us, frames, vehicles, unique_vehicles, motorcycle, car, bus, truck,"
  " motorcycle_avg, car_avg, bus_avg, truck_avg, density_pct, speed_kmh, dwell_s, status"
  " FROM traffic_seconds WHERE session_id = ?1 AND start_us BETWEEN ?2 AND ?3"
  " ORDER BY start_us";

static const char minutes_sql[] =
  "SELECT start_us, end_us, frames, vehicles, unique_vehicles, motorcycle, car, bus, truck,"
  " motorcycle_avg, car_avg, bus_avg, truck_avg, density_pct, speed_kmh, dwell_s, status"
  " FROM traffic_minutes WHERE session_id = ?1 AND start_us BETWEEN ?2 AND ?3"
  " ORDER BY start_us";

static gboolean
read_traffic_rows (VigilStore  *self,
                   gpointer     data,
                   GError     **error)
{
  ReadRows *read = data;
  const char *table = read->minutes ? "traffic_minutes" : "traffic_seconds";
  g_autofree char *camera = NULL;
  sqlite3_stmt *stmt;
  gint64 session_id = 0;
  int rc;

  if (!resolve_camera_session (self, read->filter->session_id, &session_id, &camera, error))
    return FALSE;
  if (session_id == 0)
    return TRUE;

  stmt = _vigil_store_prepare_read (self, read->minutes ? minutes_sql : seconds_sql,
                                    "read traffic", error);
  if (stmt == NULL)
    return FALSE;

  bind_range (stmt, session_id, read->filter);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      VigilTrafficStats t = { 0 };
      const char *status = _vigil_store_column_text (stmt, 16);

      if (!status_from_name (status, &t.status))
        {
          g_autofree char *start = vigil_time_format_iso8601 (sqlite3_column_int64 (stmt, 0));
          g_autofree char *row = g_strdup_printf ("(session %" G_GINT64_FORMAT ", start %s)",
                                                  session_id, start);

          /* The name lives in the statement: the message first. */
          bad_row (self, table, row, "status", status, error);
          sqlite3_finalize (stmt);
          return FALSE;
        }

      g_strlcpy (t.camera_id, camera, sizeof t.camera_id);
      t.start_us = sqlite3_column_int64 (stmt, 0);
      t.end_us = sqlite3_column_int64 (stmt, 1);
      t.frames = (guint) sqlite3_column_int64 (stmt, 2);
      t.vehicles = _vigil_store_column_double (stmt, 3);
      t.unique_vehicles = (guint) sqlite3_column_int64 (stmt, 4);
      for (int c = 0; c < VIGIL_N_VEHICLE_CLASSES; c++)
        {
          t.per_class[c] = (guint) sqlite3_column_int64 (stmt, 5 + c);
          t.per_class_vehicles[c] = _vigil_store_column_double (stmt, 9 + c);
        }
      t.density_pct = _vigil_store_column_double (stmt, 13);
      t.speed_kmh = _vigil_store_column_double (stmt, 14);
      t.dwell_s = _vigil_store_column_double (stmt, 15);
      g_array_append_val (read->out, t);
    }

  return _vigil_store_finish_read (self, stmt, rc, "read traffic", error);
}

GArray *
vigil_store_read_traffic (VigilStore              *self,
                          const VigilStoreFilter  *filter,
                          gboolean                 minutes,
                          GError                 **error)
{
  g_return_val_if_fail (VIGIL_IS_STORE (self), NULL);
  g_return_val_if_fail (filter != NULL, NULL);
  g_return_val_if_fail (filter->session_id >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return read_rows (self, filter, minutes, g_array_new (FALSE, FALSE, sizeof (VigilTrafficStats)),
                    "read traffic", read_traffic_rows, error);
}

static const char detections_sql[] =
  "SELECT frame, time_us, idx, track_id, class, x, y, w, h, area, speed_kmh"
  " FROM traffic_detections WHERE session_id = ?1 AND time_us BETWEEN ?2 AND ?3"
  " ORDER BY frame, idx";

static gboolean
read_detection_rows (VigilStore  *self,
                     gpointer     data,
                     GError     **error)
{
  ReadRows *read = data;
  g_autofree char *camera = NULL;
  sqlite3_stmt *stmt;
  gint64 session_id = 0;
  int rc;

  if (!resolve_camera_session (self, read->filter->session_id, &session_id, &camera, error))
    return FALSE;
  if (session_id == 0)
    return TRUE;

  stmt = _vigil_store_prepare_read (self, detections_sql, "read detections", error);
  if (stmt == NULL)
    return FALSE;

  bind_range (stmt, session_id, read->filter);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      VigilStoreDetection d = { 0 };
      const char *klass = _vigil_store_column_text (stmt, 4);

      d.frame = (guint64) sqlite3_column_int64 (stmt, 0);
      d.time_us = sqlite3_column_int64 (stmt, 1);
      d.index = (guint) sqlite3_column_int64 (stmt, 2);

      if (!vigil_vehicle_class_from_name (klass, &d.detection.klass))
        {
          g_autofree char *row = g_strdup_printf ("(session %" G_GINT64_FORMAT ", frame %"
                                                  G_GUINT64_FORMAT ", idx %u)", session_id,
                                                  d.frame, d.index);

          bad_row (self, "traffic_detections", row, "class", klass, error);
          sqlite3_finalize (stmt);
          return FALSE;
        }

      d.detection.track_id = sqlite3_column_type (stmt, 3) == SQLITE_NULL
                             ? -1 : sqlite3_column_int64 (stmt, 3);
      d.detection.x = _vigil_store_column_double (stmt, 5);
      d.detection.y = _vigil_store_column_double (stmt, 6);
      d.detection.w = _vigil_store_column_double (stmt, 7);
      d.detection.h = _vigil_store_column_double (stmt, 8);
      d.detection.area = (guint) sqlite3_column_int64 (stmt, 9);
      d.detection.speed_kmh = _vigil_store_column_double (stmt, 10);
      g_array_append_val (read->out, d);
    }

  return _vigil_store_finish_read (self, stmt, rc, "read detections", error);
}

GArray *
vigil_store_read_detections (VigilStore              *self,
                             const VigilStoreFilter  *filter,
                             GError                 **error)
{
  g_return_val_if_fail (VIGIL_IS_STORE (self), NULL);
  g_return_val_if_fail (filter != NULL, NULL);
  g_return_val_if_fail (filter->session_id >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return read_rows (self, filter, FALSE,
                    g_array_new (FALSE, FALSE, sizeof (VigilStoreDetection)), "read detections",
                    read_detection_rows, error);
}

/* Exports ----------------------------------------------------------------------------------- */

#define MAX_COLUMNS 14

typedef struct
{
  const char *what;                     /* for error messages */
  const char *sql;                      /* ?1 session, ?2 from, ?3 to (both inclusive) */
  const char *header[MAX_COLUMNS + 1];  /* NULL-terminated; the camera, then the columns */
  VigilStoreColumnKind  kinds[MAX_COLUMNS - 1];   /* of the query's columns */
} Export;

static const Export detections_export = {
  "export detections",
  "SELECT frame, time_us, track_id, class, x, y, w, h"
  " FROM traffic_detections WHERE session_id = ?1 AND time_us BETWEEN ?2 AND ?3"
  " ORDER BY frame, idx",
  { "camera", "frame", "timestamp", "track_id", "class", "x", "y", "w", "h", NULL },
  { VIGIL_STORE_COLUMN_INT, VIGIL_STORE_COLUMN_TIME, VIGIL_STORE_COLUMN_INT,
    VIGIL_STORE_COLUMN_TEXT, VIGIL_STORE_COLUMN_DOUBLE, VIGIL_STORE_COLUMN_DOUBLE,
    VIGIL_STORE_COLUMN_DOUBLE, VIGIL_STORE_COLUMN_DOUBLE },
};

static const Export traffic_export = {
  "export traffic",
  "SELECT start_us, end_us, frames, vehicles, unique_vehicles, motorcycle, car, bus, truck,"
  " density_pct, speed_kmh, dwell_s, status"
  " FROM traffic_seconds WHERE session_id = ?1 AND start_us BETWEEN ?2 AND ?3"
  " ORDER BY start_us",
  { "camera", "start", "end", "frames", "vehicles", "unique_vehicles", "motorcycle", "car",
    "bus", "truck", "density_pct", "speed_kmh", "dwell_s", "status", NULL },
  { VIGIL_STORE_COLUMN_TIME, VIGIL_STORE_COLUMN_TIME, VIGIL_STORE_COLUMN_INT,
    VIGIL_STORE_COLUMN_DOUBLE, VIGIL_STORE_COLUMN_INT, VIGIL_STORE_COLUMN_INT,
    VIGIL_STORE_COLUMN_INT, VIGIL_STORE_COLUMN_INT, VIGIL_STORE_COLUMN_INT,
    VIGIL_STORE_COLUMN_DOUBLE, VIGIL_STORE_COLUMN_DOUBLE, VIGIL_STORE_COLUMN_DOUBLE,
    VIGIL_STORE_COLUMN_TEXT },
};

typedef struct
{
  const Export           *export;
  const VigilStoreFilter *filter;
  const char             *camera;
  VigilCsvWriter         *csv;
} ExportRun;

static gboolean
write_session_rows (VigilStore           *self,
                    ExportRun            *run,
                    const CameraSession  *session,
                    GError              **error)
{
  sqlite3_stmt *stmt = _vigil_store_prepare_read (self, run->export->sql, run->export->what, error);
  int n_columns;
  int rc;

  if (stmt == NULL)
    return FALSE;

  n_columns = sqlite3_column_count (stmt);
  g_assert (n_columns <= (int) G_N_ELEMENTS (run->export->kinds));
  bind_range (stmt, session->id, run->filter);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      vigil_csv_writer_text (run->csv, session->camera);
      for (int i = 0; i < n_columns; i++)
        _vigil_store_write_csv_column (run->csv, stmt, i, run->export->kinds[i]);

      if (!vigil_csv_writer_end_row (run->csv, error))
        {
          sqlite3_finalize (stmt);
          return FALSE;
        }
    }

  return _vigil_store_finish_read (self, stmt, rc, run->export->what, error);
}

/* Nothing is written unless the filter selects at least one camera's session, so that a
 * refused export leaves no file behind. */
static gboolean
export_rows (VigilStore  *self,
             gpointer     data,
             GError     **error)
{
  ExportRun *run = data;
  g_autoptr(GArray) sessions = find_camera_sessions (self, run->filter->session_id,
                                                     run->camera, FALSE, error);

  if (sessions == NULL)
    return FALSE;
  if (sessions->len == 0)
    return no_camera_session (self, run->filter->session_id, run->camera, error);

  vigil_csv_writer_header (run->csv, run->export->header);
  if (!vigil_csv_writer_end_row (run->csv, error))
    return FALSE;

  for (guint i = 0; i < sessions->len; i++)
    if (!write_session_rows (self, run, &g_array_index (sessions, CameraSession, i), error))
      return FALSE;

  return TRUE;
}

static gboolean
run_export (VigilStore              *self,
            const Export            *export,
            const VigilStoreFilter  *filter,
            const char              *camera,
            GOutputStream           *out,
            GCancellable            *cancellable,
            GError                 **error)
{
  g_autoptr(VigilCsvWriter) csv = NULL;
  ExportRun run;

  g_return_val_if_fail (VIGIL_IS_STORE (self), FALSE);
  g_return_val_if_fail (filter != NULL, FALSE);
  g_return_val_if_fail (filter->session_id >= 0, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_vigil_store_check_filter (filter, error))
    return FALSE;

  csv = vigil_csv_writer_new (out, cancellable);
  run = (ExportRun) { export, filter, camera, csv };

  return _vigil_store_read (self, export->what, export_rows, &run, error) &&
         vigil_csv_writer_finish (csv, error);
}

gboolean
vigil_store_export_detections (VigilStore             *self,
                               const VigilStoreFilter *filter,
                               const char             *camera,
                               GOutputStream          *out,
                               GCancellable           *cancellable,
                               GError                **error)
{
  return run_export (self, &detections_export, filter, camera, out, cancellable, error);
}

gboolean
vigil_store_export_traffic (VigilStore             *self,
                            const VigilStoreFilter *filter,
                            const char             *camera,
                            GOutputStream          *out,
                            GCancellable           *cancellable,
                            GError                **error)
{
  return run_export (self, &traffic_export, filter, camera, out, cancellable, error);
}
