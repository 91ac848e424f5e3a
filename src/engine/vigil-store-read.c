/* vigil-store-read.c
 *
 * Reading a recording back: the sessions of a file with what they hold, and the windows and
 * alarm journal of one session as the plain structs the engine publishes, through the
 * store's read connection. Names stored in the file are checked, never trusted: a file
 * edited by hand gets an error that says which row holds what.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-store"

#include "config.h"

#include <math.h>

#include <json-glib/json-glib.h>

#include "vigil-error.h"
#include "vigil-sensor.h"
#include "vigil-store-private.h"
#include "vigil-time.h"

/* The sensor filter and order of vigil-store-export.c, with the session as ?1, the time
 * range as ?2 and ?3 (inclusive) and the sensor bits as ?4. */
#define SENSOR_FILTER "(?4 = 0 OR (?4 >> vigil_sensor_index (sensor)) & 1)"

/* A camera's session has no windows: it ends with its last second. */
static const char summary_sql[] =
  "SELECT s.id, s.kind, s.source, s.start_us, s.window_us, s.slide_us, s.lateness_us,"
  " s.rules_json, s.created_us,"
  " coalesce ((SELECT max(window_end) FROM windows WHERE session_id = s.id),"
  "           (SELECT max(end_us) FROM traffic_seconds WHERE session_id = s.id)),"
  " (SELECT count(*) FROM windows WHERE session_id = s.id),"
  " (SELECT count(*) FROM alarms WHERE session_id = s.id),"
  " (SELECT count(*) FROM cycle_labels WHERE session_id = s.id),"
  " s.camera"
  " FROM sessions s WHERE ?1 = 0 OR s.id = ?1 ORDER BY s.id DESC";

/* The same from a file of a schema before cameras (opened read-only, so never migrated). */
static const char summary_v3_sql[] =
  "SELECT s.id, s.kind, s.source, s.start_us, s.window_us, s.slide_us, s.lateness_us,"
  " s.rules_json, s.created_us,"
  " (SELECT max(window_end) FROM windows WHERE session_id = s.id),"
  " (SELECT count(*) FROM windows WHERE session_id = s.id),"
  " (SELECT count(*) FROM alarms WHERE session_id = s.id),"
  " (SELECT count(*) FROM cycle_labels WHERE session_id = s.id),"
  " NULL"
  " FROM sessions s WHERE ?1 = 0 OR s.id = ?1 ORDER BY s.id DESC";

/* The first window of each sensor names the row of a sensor this Vigil does not know. */
static const char sensors_sql[] =
  "SELECT sensor, min(window_start) FROM windows WHERE session_id = ?1 GROUP BY sensor";

static const char windows_sql[] =
  "SELECT sensor, window_start, window_end, count, avg, min, max, stddev, \"range\""
  " FROM windows"
  " WHERE session_id = ?1 AND window_start BETWEEN ?2 AND ?3 AND " SENSOR_FILTER
  " ORDER BY window_end, vigil_sensor_index (sensor), window_start";

static const char journal_sql[] =
  "SELECT rule, sensor, at_us, seq, severity, from_state, to_state, cause, shelved,"
  " shelved_until_us, raised_us, value, comment,"
  " (SELECT model_id FROM alarms a WHERE a.session_id = j.session_id AND a.rule = j.rule"
  "  AND a.sensor = j.sensor AND a.raised_us = j.raised_us)"
  " FROM alarm_journal j"
  " WHERE session_id = ?1 AND at_us BETWEEN ?2 AND ?3 AND " SENSOR_FILTER
  " ORDER BY at_us, seq, rule, vigil_sensor_index (sensor)";

/* The same from a file of schema 1 (opened read-only, so never migrated): no models. */
static const char journal_v1_sql[] =
  "SELECT rule, sensor, at_us, seq, severity, from_state, to_state, cause, shelved,"
  " shelved_until_us, raised_us, value, comment, NULL"
  " FROM alarm_journal"
  " WHERE session_id = ?1 AND at_us BETWEEN ?2 AND ?3 AND " SENSOR_FILTER
  " ORDER BY at_us, seq, rule, vigil_sensor_index (sensor)";

/* A prediction is made when its cycle ends; the filter's times apply to that moment. */
static const char predictions_sql[] =
  "SELECT p.cycle, p.target, p.model_id, p.predicted, p.proba_json,"
  " s.start_us + (p.cycle + 1) * 60000000 AS end_us"
  " FROM predictions p JOIN sessions s ON s.id = p.session_id"
  " WHERE p.session_id = ?1 AND end_us BETWEEN ?2 AND ?3"
  " ORDER BY p.cycle, p.target";

void
vigil_session_summary_free (VigilSessionSummary *summary)
{
  if (summary == NULL)
    return;

  g_free (summary->kind);
  g_free (summary->source);
  g_free (summary->camera);
  g_free (summary->rules_json);
  g_free (summary);
}

/* Names ------------------------------------------------------------------------------------- */

/* The stored names are those of the *_to_string functions, so those are the tables. */
typedef const char *(*NameFunc) (int value);

static gboolean
lookup_name (const char *name,
             NameFunc    to_string,
             int         n_values,
             int        *out_value)
{
  for (int i = 0; i < n_values; i++)
    if (g_strcmp0 (name, to_string (i)) == 0)
      {
        *out_value = i;
        return TRUE;
      }

  return FALSE;
}

static const char *
severity_name (int value)
{
  return vigil_severity_to_string ((VigilSeverity) value);
}

static const char *
state_name (int value)
{
  return vigil_alarm_state_to_string ((VigilAlarmState) value);
}

static const char *
cause_name (int value)
{
  return vigil_alarm_cause_to_string ((VigilAlarmCause) value);
}

#define N_SEVERITIES (VIGIL_SEVERITY_CRITICAL + 1)
#define N_STATES (VIGIL_ALARM_CLEARED_UNACKED + 1)
#define N_CAUSES (VIGIL_ALARM_CAUSE_UNSHELVE + 1)

/* @row describes the row by its key, for the message. */
static gboolean
bad_name (VigilStore  *self,
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

const char *
_vigil_store_column_text (sqlite3_stmt *stmt,
                          int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

double
_vigil_store_column_double (sqlite3_stmt *stmt,
                            int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NAN;

  return sqlite3_column_double (stmt, column);
}

/* Reading ----------------------------------------------------------------------------------- */

/* Whether the file has the tables of schema 2 (models, predictions): a file of schema 1
 * opened read-only is never migrated. Called with read_lock held. */
static gboolean
has_models (VigilStore *self)
{
  return _vigil_store_has_column (self, "predictions", "target");
}

gboolean
_vigil_store_has_column (VigilStore *self,
                         const char *table,
                         const char *column)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->read_db,
                               "SELECT 1 FROM pragma_table_info (?1) WHERE name = ?2",
                               -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, column, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);

  return rc == SQLITE_ROW;
}

gboolean
_vigil_store_read (VigilStore          *self,
                   const char          *what,
                   VigilStoreReadFunc   func,
                   gpointer             data,
                   GError             **error)
{
  gboolean ok;
  int rc;

  g_mutex_lock (&self->read_lock);

  if (self->read_db == NULL)
    {
      g_mutex_unlock (&self->read_lock);
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_FAILED,
                   "The store %s is closed", self->path);
      return FALSE;
    }

  rc = sqlite3_exec (self->read_db, "BEGIN", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      _vigil_store_set_error (error, self->read_db, rc, self->path, what);
      g_mutex_unlock (&self->read_lock);
      return FALSE;
    }

  ok = func (self, data, error);

  sqlite3_exec (self->read_db, "COMMIT", NULL, NULL, NULL);
  g_mutex_unlock (&self->read_lock);

  return ok;
}

typedef gboolean (*ReadFunc) (VigilStore  *self,
                              gint64       session_id,
                              gpointer     data,
                              GError     **error);

typedef struct
{
  gint64    session_id;
  ReadFunc  func;
  gpointer  data;
} SessionRead;

static gboolean
read_session (VigilStore  *self,
              gpointer     data,
              GError     **error)
{
  SessionRead *read = data;
  gint64 resolved = 0;

  return _vigil_store_resolve_session (self, read->session_id, &resolved, error) &&
         (resolved == 0 || read->func (self, resolved, read->data, error));
}

/* Runs @func in one read transaction with the session of @session_id resolved (0: latest),
 * so that the session found and the rows read come from the same state of the file.
 * @func is not called when the file has no session at all. */
static gboolean
with_session (VigilStore  *self,
              gint64       session_id,
              const char  *what,
              ReadFunc     func,
              gpointer     data,
              GError     **error)
{
  SessionRead read = { session_id, func, data };

  return _vigil_store_read (self, what, read_session, &read, error);
}

sqlite3_stmt *
_vigil_store_prepare_read (VigilStore  *self,
                           const char  *sql,
                           const char  *what,
                           GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->read_db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      _vigil_store_set_error (error, self->read_db, rc, self->path, what);
      sqlite3_finalize (stmt);
      return NULL;
    }

  return stmt;
}

gboolean
_vigil_store_finish_read (VigilStore    *self,
                          sqlite3_stmt  *stmt,
                          int            rc,
                          const char    *what,
                          GError       **error)
{
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    _vigil_store_set_error (error, self->read_db, rc, self->path, what);
  sqlite3_finalize (stmt);

  return rc == SQLITE_DONE || rc == SQLITE_ROW;
}

/* The filter is half-open [from, to); BETWEEN is inclusive, and G_MAXINT64 means open. */
static void
bind_filter (sqlite3_stmt           *stmt,
             gint64                  session_id,
             const VigilStoreFilter *filter)
{
  sqlite3_bind_int64 (stmt, 1, session_id);
  sqlite3_bind_int64 (stmt, 2, filter->from_us);
  sqlite3_bind_int64 (stmt, 3, filter->to_us == G_MAXINT64 ? G_MAXINT64 : filter->to_us - 1);
  sqlite3_bind_int64 (stmt, 4, filter->sensors);
}

gboolean
_vigil_store_check_filter (const VigilStoreFilter  *filter,
                           GError                 **error)
{
  if (filter->from_us >= filter->to_us)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "The start of the time range must come before its end");
      return FALSE;
    }

  return TRUE;
}

/* Sessions ---------------------------------------------------------------------------------- */

static gboolean
read_sensors (VigilStore           *self,
              VigilSessionSummary  *summary,
              GError              **error)
{
  sqlite3_stmt *stmt = _vigil_store_prepare_read (self, sensors_sql, "read the sessions", error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, summary->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *name = _vigil_store_column_text (stmt, 0);
      VigilSensor sensor;

      if (name == NULL || !vigil_sensor_from_name (name, &sensor))
        {
          g_autofree char *start = vigil_time_format_iso8601 (sqlite3_column_int64 (stmt, 1));
          g_autofree char *row = g_strdup_printf ("(session %" G_GINT64_FORMAT ", window_start "
                                                  "%s)", summary->id, start);

          /* The name lives in the statement: the message first. */
          bad_name (self, "windows", row, "sensor", name, error);
          sqlite3_finalize (stmt);
          return FALSE;
        }
      summary->sensors |= 1u << sensor;
    }

  return _vigil_store_finish_read (self, stmt, rc, "read the sessions", error);
}

static VigilSessionSummary *
summary_from_row (sqlite3_stmt *stmt)
{
  VigilSessionSummary *summary = g_new0 (VigilSessionSummary, 1);

  summary->id = sqlite3_column_int64 (stmt, 0);
  summary->kind = g_strdup (_vigil_store_column_text (stmt, 1));
  summary->source = g_strdup (_vigil_store_column_text (stmt, 2));
  summary->start_us = sqlite3_column_int64 (stmt, 3);
  summary->window_us = sqlite3_column_int64 (stmt, 4);
  summary->slide_us = sqlite3_column_int64 (stmt, 5);
  summary->lateness_us = sqlite3_column_int64 (stmt, 6);
  summary->rules_json = g_strdup (_vigil_store_column_text (stmt, 7));
  summary->created_us = sqlite3_column_int64 (stmt, 8);
  summary->end_us = sqlite3_column_type (stmt, 9) == SQLITE_NULL ? summary->start_us
                                                                  : sqlite3_column_int64 (stmt, 9);
  summary->n_windows = (guint64) sqlite3_column_int64 (stmt, 10);
  summary->n_alarms = (guint64) sqlite3_column_int64 (stmt, 11);
  summary->n_cycles = (guint) sqlite3_column_int64 (stmt, 12);
  summary->camera = g_strdup (_vigil_store_column_text (stmt, 13));

  return summary;
}

typedef struct
{
  GPtrArray *out;
  gboolean   all;   /* every session, not only the one resolved */
} ReadSummaries;

static gboolean
read_summaries (VigilStore  *self,
                gint64       session_id,
                gpointer     data,
                GError     **error)
{
  ReadSummaries *read = data;
  gboolean cameras = _vigil_store_has_column (self, "sessions", "camera");
  sqlite3_stmt *stmt = _vigil_store_prepare_read (self, cameras ? summary_sql : summary_v3_sql,
                                                  "read the sessions", error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, read->all ? 0 : session_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (read->out, summary_from_row (stmt));

  if (!_vigil_store_finish_read (self, stmt, rc, "read the sessions", error))
    return FALSE;

  for (guint i = 0; i < read->out->len; i++)
    if (!read_sensors (self, g_ptr_array_index (read->out, i), error))
      return FALSE;

  return TRUE;
}

GPtrArray *
vigil_store_list_sessions (VigilStore  *self,
                           GError     **error)
{
  g_autoptr(GPtrArray) sessions = NULL;
  ReadSummaries read;

  g_return_val_if_fail (VIGIL_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) vigil_session_summary_free);
  read = (ReadSummaries) { sessions, TRUE };
  /* Resolving the latest session finds none in an empty file, which then lists nothing. */
  if (!with_session (self, 0, "read the sessions", read_summaries, &read, error))
    return NULL;

  return g_steal_pointer (&sessions);
}

VigilSessionSummary *
vigil_store_get_session (VigilStore  *self,
                         gint64       session_id,
                         GError     **error)
{
  g_autoptr(GPtrArray) sessions = NULL;
  ReadSummaries read;

  g_return_val_if_fail (VIGIL_IS_STORE (self), NULL);
  g_return_val_if_fail (session_id >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) vigil_session_summary_free);
  read = (ReadSummaries) { sessions, FALSE };
  if (!with_session (self, session_id, "read the session", read_summaries, &read, error))
    return NULL;

  if (sessions->len == 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                   "%s holds no recorded session", self->path);
      return NULL;
    }

  return g_ptr_array_steal_index (sessions, 0);
}

/* Windows ----------------------------------------------------------------------------------- */

typedef struct
{
  const VigilStoreFilter *filter;
  GArray                 *out;
} ReadRows;

/* Fills @rows (transfer full) with @func's rows of @filter's session; returns it, or NULL. */
static GArray *
read_rows (VigilStore              *self,
           const VigilStoreFilter  *filter,
           GArray                  *rows,
           const char              *what,
           ReadFunc                 func,
           GError                 **error)
{
  g_autoptr(GArray) out = rows;
  ReadRows read = { filter, out };

  if (!_vigil_store_check_filter (filter, error) ||
      !with_session (self, filter->session_id, what, func, &read, error))
    return NULL;

  return g_steal_pointer (&out);
}

static gboolean
read_window_rows (VigilStore  *self,
                  gint64       session_id,
                  gpointer     data,
                  GError     **error)
{
  ReadRows *read = data;
  sqlite3_stmt *stmt = _vigil_store_prepare_read (self, windows_sql, "read windows", error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  bind_filter (stmt, session_id, read->filter);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *name = _vigil_store_column_text (stmt, 0);
      VigilWindowStats w;
      VigilSensor sensor;

      if (name == NULL || !vigil_sensor_from_name (name, &sensor))
        {
          g_autofree char *start = vigil_time_format_iso8601 (sqlite3_column_int64 (stmt, 1));
          g_autofree char *row = g_strdup_printf ("(session %" G_GINT64_FORMAT ", window_start "
                                                  "%s)", session_id, start);

          /* The name lives in the statement: the message first. */
          bad_name (self, "windows", row, "sensor", name, error);
          sqlite3_finalize (stmt);
          return FALSE;
        }

      w.key = sensor;
      w.start_us = sqlite3_column_int64 (stmt, 1);
      w.end_us = sqlite3_column_int64 (stmt, 2);
      w.count = (guint64) sqlite3_column_int64 (stmt, 3);
      w.avg = _vigil_store_column_double (stmt, 4);
      w.min = _vigil_store_column_double (stmt, 5);
      w.max = _vigil_store_column_double (stmt, 6);
      w.stddev = _vigil_store_column_double (stmt, 7);
      w.range = _vigil_store_column_double (stmt, 8);
      g_array_append_val (read->out, w);
    }

  return _vigil_store_finish_read (self, stmt, rc, "read windows", error);
}

GArray *
vigil_store_read_windows (VigilStore              *self,
                          const VigilStoreFilter  *filter,
                          GError                 **error)
{
  g_return_val_if_fail (VIGIL_IS_STORE (self), NULL);
  g_return_val_if_fail (filter != NULL, NULL);
  g_return_val_if_fail (filter->session_id >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return read_rows (self, filter, g_array_new (FALSE, FALSE, sizeof (VigilWindowStats)),
                    "read windows", read_window_rows, error);
}

/* Journal ----------------------------------------------------------------------------------- */

/* Fills everything of @t but the rule and the comment from the current row. */
static gboolean
transition_from_row (VigilStore            *self,
                     sqlite3_stmt          *stmt,
                     gint64                 session_id,
                     VigilAlarmTransition  *t,
                     GError               **error)
{
  static const struct
  {
    int         column;
    const char *name;
    NameFunc    to_string;
    int         n_values;
  } names[] = {
    { 4, "severity", severity_name, N_SEVERITIES },
    { 5, "from_state", state_name, N_STATES },
    { 6, "to_state", state_name, N_STATES },
    { 7, "cause", cause_name, N_CAUSES },
  };
  int values[G_N_ELEMENTS (names)];
  const char *sensor_text = _vigil_store_column_text (stmt, 1);
  const char *bad_column = NULL;
  const char *bad_value = NULL;
  guint sensor = 0;

  if (sensor_text == NULL || !vigil_key_from_name (sensor_text, &sensor))
    {
      bad_column = "sensor";
      bad_value = sensor_text;
    }

  for (guint i = 0; bad_column == NULL && i < G_N_ELEMENTS (names); i++)
    {
      const char *text = _vigil_store_column_text (stmt, names[i].column);

      if (!lookup_name (text, names[i].to_string, names[i].n_values, &values[i]))
        {
          bad_column = names[i].name;
          bad_value = text;
        }
    }

  if (bad_column != NULL)
    {
      g_autofree char *at = vigil_time_format_iso8601 (sqlite3_column_int64 (stmt, 2));
      g_autofree char *row = NULL;

      row = g_strdup_printf ("(session %" G_GINT64_FORMAT ", rule %s, sensor %s, at %s, seq %"
                             G_GINT64_FORMAT ")", session_id, _vigil_store_column_text (stmt, 0),
                             sensor_text != NULL ? sensor_text : "(null)", at,
                             (gint64) sqlite3_column_int64 (stmt, 3));

      return bad_name (self, "alarm_journal", row, bad_column, bad_value, error);
    }

  t->key = sensor;
  t->severity = (VigilSeverity) values[0];
  t->from = (VigilAlarmState) values[1];
  t->to = (VigilAlarmState) values[2];
  t->cause = (VigilAlarmCause) values[3];
  t->at_us = sqlite3_column_int64 (stmt, 2);
  t->seq = (guint) sqlite3_column_int64 (stmt, 3);
  t->shelved = sqlite3_column_int (stmt, 8) != 0;
  t->shelved_until_us = sqlite3_column_int64 (stmt, 9);
  t->raised_us = sqlite3_column_int64 (stmt, 10);
  t->value = _vigil_store_column_double (stmt, 11);

  return TRUE;
}

static gboolean
read_journal_rows (VigilStore  *self,
                   gint64       session_id,
                   gpointer     data,
                   GError     **error)
{
  ReadRows *read = data;
  sqlite3_stmt *stmt = _vigil_store_prepare_read (self,
                                                  has_models (self) ? journal_sql : journal_v1_sql,
                                                  "read the alarm journal", error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  bind_filter (stmt, session_id, read->filter);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      VigilAlarmTransition t = { 0 };

      if (!transition_from_row (self, stmt, session_id, &t, error))
        {
          sqlite3_finalize (stmt);
          return FALSE;
        }

      t.rule = g_intern_string (_vigil_store_column_text (stmt, 0));
      t.comment = g_strdup (_vigil_store_column_text (stmt, 12));
      t.model_id = sqlite3_column_int64 (stmt, 13);
      g_array_append_val (read->out, t);
    }

  return _vigil_store_finish_read (self, stmt, rc, "read the alarm journal", error);
}

GArray *
vigil_store_read_journal (VigilStore              *self,
                          const VigilStoreFilter  *filter,
                          GError                 **error)
{
  GArray *journal;

  g_return_val_if_fail (VIGIL_IS_STORE (self), NULL);
  g_return_val_if_fail (filter != NULL, NULL);
  g_return_val_if_fail (filter->session_id >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  journal = g_array_new (FALSE, FALSE, sizeof (VigilAlarmTransition));
  g_array_set_clear_func (journal, vigil_alarm_transition_clear);

  return read_rows (self, filter, journal, "read the alarm journal", read_journal_rows, error);
}

/* Predictions ------------------------------------------------------------------------------- */

/* {"3":0.25,"20":0.5,"100":0.25}, as the writer spells it, in increasing class order. */
static gboolean
proba_from_json (const char      *text,
                 VigilPrediction *p)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;

  object = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (object);
  p->n_classes = 0;
  for (const GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (object, l->data);
      char *end = NULL;
      gint64 klass = g_ascii_strtoll (l->data, &end, 10);

      if (p->n_classes == VIGIL_PREDICTION_MAX_CLASSES || end == l->data || *end != '\0' ||
          klass < G_MININT32 || klass > G_MAXINT32 ||
          (p->n_classes > 0 && klass <= p->classes[p->n_classes - 1]) ||
          json_node_get_value_type (node) != G_TYPE_DOUBLE)
        return FALSE;

      p->classes[p->n_classes] = (int) klass;
      p->proba[p->n_classes] = (float) json_node_get_double (node);
      p->n_classes++;
    }

  return p->n_classes > 0;
}

static gboolean
read_prediction_rows (VigilStore  *self,
                      gint64       session_id,
                      gpointer     data,
                      GError     **error)
{
  ReadRows *read = data;
  sqlite3_stmt *stmt;
  int rc;

  if (!has_models (self))
    return TRUE;

  stmt = _vigil_store_prepare_read (self, predictions_sql, "read predictions", error);
  if (stmt == NULL)
    return FALSE;

  bind_filter (stmt, session_id, read->filter);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      VigilPrediction p = { 0 };
      const char *target = _vigil_store_column_text (stmt, 1);
      const char *proba = _vigil_store_column_text (stmt, 4);
      guint key;

      p.cycle = (guint) sqlite3_column_int64 (stmt, 0);
      p.model_id = sqlite3_column_int64 (stmt, 2);
      p.predicted = sqlite3_column_int (stmt, 3);
      p.end_us = sqlite3_column_int64 (stmt, 5);

      if (target == NULL || !vigil_key_from_name (target, &key) || key < VIGIL_KEY_COMPONENT ||
          !proba_from_json (proba, &p))
        {
          g_autofree char *row = g_strdup_printf ("(session %" G_GINT64_FORMAT ", cycle %u, "
                                                  "target %s)", session_id, p.cycle + 1,
                                                  target != NULL ? target : "(null)");
          gboolean bad_target = target == NULL || !vigil_key_from_name (target, &key) ||
                                key < VIGIL_KEY_COMPONENT;

          sqlite3_finalize (stmt);
          return bad_name (self, "predictions", row, bad_target ? "target" : "proba_json",
                           bad_target ? target : proba, error);
        }
      p.target = key - VIGIL_KEY_COMPONENT;
      g_array_append_val (read->out, p);
    }

  return _vigil_store_finish_read (self, stmt, rc, "read predictions", error);
}

GArray *
vigil_store_read_predictions (VigilStore              *self,
                              const VigilStoreFilter  *filter,
                              GError                 **error)
{
  g_return_val_if_fail (VIGIL_IS_STORE (self), NULL);
  g_return_val_if_fail (filter != NULL, NULL);
  g_return_val_if_fail (filter->session_id >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return read_rows (self, filter, g_array_new (FALSE, FALSE, sizeof (VigilPrediction)),
                    "read predictions", read_prediction_rows, error);
}
