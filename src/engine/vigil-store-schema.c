/* vigil-store-schema.c
 *
 * The store's schema: recognising a Vigil file, creating and migrating it step by step,
 * and the prepared statements that write rows into it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-store"

#include "config.h"

#include <math.h>

#include "vigil-error.h"
#include "vigil-sensor.h"
#include "vigil-store-private.h"

/* How long a connection waits for another one's lock before it reports the file busy. */
#define BUSY_TIMEOUT_MS 30000

/* Version 1. Times are INTEGER microseconds since the epoch (UTC). Sensors, severities,
 * states and causes are stored by name so the file reads well in any SQLite tool. */
static const char schema_v1[] =
  "CREATE TABLE sessions ("
  "  id          INTEGER PRIMARY KEY,"
  "  key         TEXT UNIQUE NOT NULL,"
  "  kind        TEXT NOT NULL,"
  "  source      TEXT NOT NULL,"
  "  start_us    INTEGER NOT NULL,"
  "  window_us   INTEGER NOT NULL,"
  "  slide_us    INTEGER NOT NULL,"
  "  lateness_us INTEGER NOT NULL,"
  "  rules_json  TEXT NOT NULL,"
  "  created_us  INTEGER NOT NULL);"

  "CREATE TABLE windows ("
  "  session_id   INTEGER NOT NULL REFERENCES sessions (id),"
  "  sensor       TEXT NOT NULL,"
  "  window_start INTEGER NOT NULL,"
  "  window_end   INTEGER NOT NULL,"
  "  count        INTEGER NOT NULL,"
  "  avg          REAL,"
  "  min          REAL,"
  "  max          REAL,"
  "  stddev       REAL,"
  "  \"range\"      REAL,"
  "  PRIMARY KEY (session_id, sensor, window_start)) WITHOUT ROWID;"
  "CREATE INDEX windows_by_time ON windows (session_id, window_start);"

  "CREATE TABLE late_records ("
  "  session_id   INTEGER NOT NULL REFERENCES sessions (id),"
  "  sensor       TEXT NOT NULL,"
  "  seq          INTEGER NOT NULL,"
  "  event_us     INTEGER NOT NULL,"
  "  watermark_us INTEGER NOT NULL,"
  "  value        REAL,"
  "  PRIMARY KEY (session_id, sensor, seq)) WITHOUT ROWID;"
  "CREATE INDEX late_records_by_time ON late_records (session_id, event_us);"

  "CREATE TABLE cycle_labels ("
  "  session_id  INTEGER NOT NULL REFERENCES sessions (id),"
  "  cycle       INTEGER NOT NULL,"
  "  start_us    INTEGER NOT NULL,"
  "  cooler      INTEGER NOT NULL,"
  "  valve       INTEGER NOT NULL,"
  "  pump        INTEGER NOT NULL,"
  "  accumulator INTEGER NOT NULL,"
  "  stable      INTEGER NOT NULL,"
  "  PRIMARY KEY (session_id, cycle)) WITHOUT ROWID;"

  "CREATE TABLE alarm_journal ("
  "  session_id       INTEGER NOT NULL REFERENCES sessions (id),"
  "  rule             TEXT NOT NULL,"
  "  sensor           TEXT NOT NULL,"
  "  at_us            INTEGER NOT NULL,"
  "  seq              INTEGER NOT NULL,"
  "  severity         TEXT NOT NULL,"
  "  from_state       TEXT NOT NULL,"
  "  to_state         TEXT NOT NULL,"
  "  cause            TEXT NOT NULL,"
  "  shelved          INTEGER NOT NULL,"
  "  shelved_until_us INTEGER,"
  "  raised_us        INTEGER,"
  "  value            REAL,"
  "  comment          TEXT,"
  "  PRIMARY KEY (session_id, rule, sensor, at_us, seq)) WITHOUT ROWID;"
  "CREATE INDEX alarm_journal_by_time ON alarm_journal (session_id, at_us, seq);"

  /* One row per alarm instance, derived from the journal by the writer. */
  "CREATE TABLE alarms ("
  "  id               INTEGER PRIMARY KEY,"
  "  session_id       INTEGER NOT NULL REFERENCES sessions (id),"
  "  rule             TEXT NOT NULL,"
  "  sensor           TEXT NOT NULL,"
  "  severity         TEXT NOT NULL,"
  "  raised_us        INTEGER NOT NULL,"
  "  state            TEXT NOT NULL,"
  "  value            REAL,"
  "  peak             REAL,"
  "  acknowledged_us  INTEGER,"
  "  ack_comment      TEXT,"
  "  cleared_us       INTEGER,"
  "  shelved_until_us INTEGER,"
  "  UNIQUE (session_id, rule, sensor, raised_us));"
  "CREATE INDEX alarms_by_time ON alarms (session_id, raised_us);"

  /* Written by the Kafka consumer; created now so that it needs no migration. */
  "CREATE TABLE dead_letters ("
  "  id          INTEGER PRIMARY KEY,"
  "  session_id  INTEGER NOT NULL REFERENCES sessions (id),"
  "  source      TEXT NOT NULL,"
  "  topic       TEXT,"
  "  \"partition\" INTEGER,"
  "  \"offset\"    INTEGER,"
  "  received_us INTEGER NOT NULL,"
  "  excerpt     TEXT,"
  "  reason      TEXT NOT NULL,"
  "  UNIQUE (session_id, source, topic, \"partition\", \"offset\"));"
  "CREATE INDEX dead_letters_by_time ON dead_letters (session_id, received_us);"

  /* PRAGMA takes no bound parameters; the value is this constant. */
  "PRAGMA application_id = 1449748332;";

G_STATIC_ASSERT (VIGIL_STORE_APPLICATION_ID == 1449748332);

/* Version 2: the registry of health models, their aliases (a "champion" per target), the
 * predictions they make, and which model raised an alarm (NULL for a rule's alarm). */
static const char schema_v2[] =
  "CREATE TABLE models ("
  "  id           INTEGER PRIMARY KEY,"
  "  target       TEXT NOT NULL,"
  "  algorithm    TEXT NOT NULL,"
  "  params_json  TEXT NOT NULL,"
  "  features     TEXT NOT NULL,"
  "  data_source  TEXT NOT NULL,"
  "  data_from_us INTEGER,"
  "  data_to_us   INTEGER,"
  "  n_train      INTEGER,"
  "  n_test       INTEGER,"
  "  metrics_json TEXT NOT NULL,"
  "  model        BLOB NOT NULL,"
  "  created_us   INTEGER NOT NULL);"

  "CREATE TABLE model_aliases ("
  "  target   TEXT,"
  "  alias    TEXT,"
  "  model_id INTEGER REFERENCES models (id),"
  "  PRIMARY KEY (target, alias));"

  "CREATE TABLE predictions ("
  "  session_id INTEGER,"
  "  cycle      INTEGER,"
  "  target     TEXT,"
  "  model_id   INTEGER,"
  "  predicted  INTEGER,"
  "  proba_json TEXT,"
  "  PRIMARY KEY (session_id, cycle, target));"

  "ALTER TABLE alarms ADD COLUMN model_id INTEGER;";

/* Version 3: where Kafka consumer groups resume, written in the transactions of the results
 * they produced (exactly once). */
static const char schema_v3[] =
  "CREATE TABLE kafka_offsets ("
  "  group_id      TEXT NOT NULL,"
  "  topic         TEXT NOT NULL,"
  "  \"partition\"   INTEGER NOT NULL,"
  "  resume_offset INTEGER NOT NULL,"
  "  next_offset   INTEGER NOT NULL,"
  "  updated_us    INTEGER NOT NULL,"
  "  PRIMARY KEY (group_id, topic, \"partition\")) WITHOUT ROWID;"

  "CREATE TABLE kafka_streams ("
  "  group_id      TEXT NOT NULL,"
  "  session_id    INTEGER NOT NULL REFERENCES sessions (id),"
  "  sensor        TEXT NOT NULL,"
  "  watermark_us  INTEGER,"
  "  next_late_seq INTEGER NOT NULL,"
  "  PRIMARY KEY (group_id, session_id, sensor)) WITHOUT ROWID;";

/* Version 4: cameras. A "traffic" session is one camera (sessions.camera) on one source; it
 * keeps every frame's detections and the camera's per-second and per-minute rows. Its alarms
 * use the journal and alarm tables with the sensor "camera". Statistics a period may lack are
 * NULL rather than NOT NULL: a NAN must not refuse the whole transaction it arrives in. */
static const char schema_v4[] =
  "ALTER TABLE sessions ADD COLUMN camera TEXT;"

  "CREATE TABLE traffic_detections ("
  "  session_id INTEGER NOT NULL REFERENCES sessions (id),"
  "  frame      INTEGER NOT NULL,"
  "  idx        INTEGER NOT NULL,"
  "  time_us    INTEGER NOT NULL,"
  "  track_id   INTEGER,"
  "  class      TEXT NOT NULL,"
  "  x          REAL,"
  "  y          REAL,"
  "  w          REAL,"
  "  h          REAL,"
  "  area       INTEGER NOT NULL,"
  "  speed_kmh  REAL,"
  "  PRIMARY KEY (session_id, frame, idx)) WITHOUT ROWID;"
  "CREATE INDEX traffic_detections_by_time ON traffic_detections (session_id, time_us);"

  "CREATE TABLE traffic_seconds ("
  "  session_id      INTEGER NOT NULL REFERENCES sessions (id),"
  "  start_us        INTEGER NOT NULL,"
  "  end_us          INTEGER NOT NULL,"
  "  frames          INTEGER NOT NULL,"
  "  vehicles        REAL,"
  "  unique_vehicles INTEGER NOT NULL,"
  "  motorcycle      INTEGER NOT NULL,"
  "  car             INTEGER NOT NULL,"
  "  bus             INTEGER NOT NULL,"
  "  truck           INTEGER NOT NULL,"
  "  motorcycle_avg  REAL,"
  "  car_avg         REAL,"
  "  bus_avg         REAL,"
  "  truck_avg       REAL,"
  "  density_pct     REAL,"
  "  speed_kmh       REAL,"
  "  dwell_s         REAL,"
  "  status          TEXT NOT NULL,"
  "  PRIMARY KEY (session_id, start_us)) WITHOUT ROWID;"

  "CREATE TABLE traffic_minutes ("
  "  session_id      INTEGER NOT NULL REFERENCES sessions (id),"
  "  start_us        INTEGER NOT NULL,"
  "  end_us          INTEGER NOT NULL,"
  "  frames          INTEGER NOT NULL,"
  "  vehicles        REAL,"
  "  unique_vehicles INTEGER NOT NULL,"
  "  motorcycle      INTEGER NOT NULL,"
  "  car             INTEGER NOT NULL,"
  "  bus             INTEGER NOT NULL,"
  "  truck           INTEGER NOT NULL,"
  "  motorcycle_avg  REAL,"
  "  car_avg         REAL,"
  "  bus_avg         REAL,"
  "  truck_avg       REAL,"
  "  density_pct     REAL,"
  "  speed_kmh       REAL,"
  "  dwell_s         REAL,"
  "  status          TEXT NOT NULL,"
  "  PRIMARY KEY (session_id, start_us)) WITHOUT ROWID;";

typedef struct
{
  int         from_version;
  const char *sql;
} MigrationStep;

/* Step i brings a file from version i to i + 1. A later schema change appends a step and
 * raises VIGIL_STORE_SCHEMA_VERSION. */
static const MigrationStep migration_steps[] = {
  { 0, schema_v1 },
  { 1, schema_v2 },
  { 2, schema_v3 },
  { 3, schema_v4 },
};

G_STATIC_ASSERT (G_N_ELEMENTS (migration_steps) == VIGIL_STORE_SCHEMA_VERSION);

/* A period's row, written again when the period is emitted again (a minute re-emitted with
 * more frames replaces what was stored). */
#define TRAFFIC_UPSERT(table) \
  "INSERT INTO " table " (session_id, start_us, end_us, frames, vehicles, unique_vehicles," \
  " motorcycle, car, bus, truck, motorcycle_avg, car_avg, bus_avg, truck_avg, density_pct," \
  " speed_kmh, dwell_s, status)" \
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)" \
  " ON CONFLICT (session_id, start_us) DO UPDATE SET" \
  " end_us = excluded.end_us, frames = excluded.frames, vehicles = excluded.vehicles," \
  " unique_vehicles = excluded.unique_vehicles, motorcycle = excluded.motorcycle," \
  " car = excluded.car, bus = excluded.bus, truck = excluded.truck," \
  " motorcycle_avg = excluded.motorcycle_avg, car_avg = excluded.car_avg," \
  " bus_avg = excluded.bus_avg, truck_avg = excluded.truck_avg," \
  " density_pct = excluded.density_pct, speed_kmh = excluded.speed_kmh," \
  " dwell_s = excluded.dwell_s, status = excluded.status"

static const char * const writer_sql[VIGIL_STORE_N_STMTS] = {
  [VIGIL_STORE_STMT_WINDOW] =
    "INSERT INTO windows (session_id, sensor, window_start, window_end, count, avg, min, max,"
    " stddev, \"range\") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    " ON CONFLICT (session_id, sensor, window_start) DO UPDATE SET"
    " window_end = excluded.window_end, count = excluded.count, avg = excluded.avg,"
    " min = excluded.min, max = excluded.max, stddev = excluded.stddev,"
    " \"range\" = excluded.\"range\"",
  [VIGIL_STORE_STMT_LATE] =
    "INSERT INTO late_records (session_id, sensor, seq, event_us, watermark_us, value)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (session_id, sensor, seq) DO UPDATE SET"
    " event_us = excluded.event_us, watermark_us = excluded.watermark_us,"
    " value = excluded.value",
  [VIGIL_STORE_STMT_LABEL] =
    "INSERT INTO cycle_labels (session_id, cycle, start_us, cooler, valve, pump, accumulator,"
    " stable) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    " ON CONFLICT (session_id, cycle) DO UPDATE SET"
    " start_us = excluded.start_us, cooler = excluded.cooler, valve = excluded.valve,"
    " pump = excluded.pump, accumulator = excluded.accumulator, stable = excluded.stable",
  [VIGIL_STORE_STMT_JOURNAL] =
    "INSERT INTO alarm_journal (session_id, rule, sensor, at_us, seq, severity, from_state,"
    " to_state, cause, shelved, shelved_until_us, raised_us, value, comment)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
    " ON CONFLICT (session_id, rule, sensor, at_us, seq) DO UPDATE SET"
    " severity = excluded.severity, from_state = excluded.from_state,"
    " to_state = excluded.to_state, cause = excluded.cause, shelved = excluded.shelved,"
    " shelved_until_us = excluded.shelved_until_us, raised_us = excluded.raised_us,"
    " value = excluded.value, comment = excluded.comment",
  [VIGIL_STORE_STMT_ALARM_RAISE] =
    "INSERT OR IGNORE INTO alarms (session_id, rule, sensor, severity, raised_us, state, value,"
    " peak, model_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
  /* ?1-?4 the instance, ?5 new state, ?6 1 if the new state is active, ?7 1 for an
   * acknowledgement, ?8 time, ?9 comment, ?10 shelved, ?11 shelved until, ?12 value.
   * cleared_us is when the condition last went back to normal (NULL while active); peak is
   * the largest value among the instance's transitions. */
  [VIGIL_STORE_STMT_ALARM_UPDATE] =
    "UPDATE alarms SET state = ?5,"
    " acknowledged_us = CASE WHEN ?7 THEN coalesce(acknowledged_us, ?8)"
    "   ELSE acknowledged_us END,"
    " ack_comment = CASE WHEN ?7 AND acknowledged_us IS NULL THEN ?9 ELSE ack_comment END,"
    " cleared_us = CASE WHEN ?6 THEN NULL ELSE coalesce(cleared_us, ?8) END,"
    " shelved_until_us = CASE WHEN ?10 THEN ?11 ELSE NULL END,"
    " peak = CASE WHEN ?12 IS NULL THEN peak WHEN peak IS NULL OR ?12 > peak THEN ?12"
    "   ELSE peak END"
    " WHERE session_id = ?1 AND rule = ?2 AND sensor = ?3 AND raised_us = ?4",
  [VIGIL_STORE_STMT_PREDICTION] =
    "INSERT INTO predictions (session_id, cycle, target, model_id, predicted, proba_json)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (session_id, cycle, target) DO UPDATE SET"
    " model_id = excluded.model_id, predicted = excluded.predicted,"
    " proba_json = excluded.proba_json",
  [VIGIL_STORE_STMT_DEAD_LETTER] =
    "INSERT OR IGNORE INTO dead_letters (session_id, source, topic, \"partition\", \"offset\","
    " received_us, excerpt, reason) VALUES (?1, 'kafka', ?2, ?3, ?4, ?5, ?6, ?7)",
  [VIGIL_STORE_STMT_KAFKA_OFFSET] =
    "INSERT INTO kafka_offsets (group_id, topic, \"partition\", resume_offset, next_offset,"
    " updated_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (group_id, topic, \"partition\") DO UPDATE SET"
    " resume_offset = excluded.resume_offset, next_offset = excluded.next_offset,"
    " updated_us = excluded.updated_us",
  [VIGIL_STORE_STMT_KAFKA_STREAM] =
    "INSERT INTO kafka_streams (group_id, session_id, sensor, watermark_us, next_late_seq)"
    " VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT (group_id, session_id, sensor) DO UPDATE SET"
    " watermark_us = excluded.watermark_us, next_late_seq = excluded.next_late_seq",
  [VIGIL_STORE_STMT_KAFKA_RESET_OFFSETS] =
    "DELETE FROM kafka_offsets WHERE group_id = ?1",
  [VIGIL_STORE_STMT_KAFKA_RESET_STREAMS] =
    "DELETE FROM kafka_streams WHERE group_id = ?1",
  [VIGIL_STORE_STMT_DETECTION] =
    "INSERT INTO traffic_detections (session_id, frame, idx, time_us, track_id, class, x, y,"
    " w, h, area, speed_kmh) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    " ON CONFLICT (session_id, frame, idx) DO UPDATE SET"
    " time_us = excluded.time_us, track_id = excluded.track_id, class = excluded.class,"
    " x = excluded.x, y = excluded.y, w = excluded.w, h = excluded.h, area = excluded.area,"
    " speed_kmh = excluded.speed_kmh",
  [VIGIL_STORE_STMT_TRAFFIC_SECOND] = TRAFFIC_UPSERT ("traffic_seconds"),
  [VIGIL_STORE_STMT_TRAFFIC_MINUTE] = TRAFFIC_UPSERT ("traffic_minutes"),
  [VIGIL_STORE_STMT_SESSION_INSERT] =
    "INSERT OR IGNORE INTO sessions (key, kind, source, start_us, window_us, slide_us,"
    " lateness_us, rules_json, created_us, camera)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
  [VIGIL_STORE_STMT_SESSION_SELECT] =
    "SELECT id FROM sessions WHERE key = ?1",
  [VIGIL_STORE_STMT_BEGIN] = "BEGIN IMMEDIATE",
  [VIGIL_STORE_STMT_COMMIT] = "COMMIT",
  [VIGIL_STORE_STMT_ROLLBACK] = "ROLLBACK",
};

gboolean
_vigil_store_set_error (GError     **error,
                        sqlite3     *db,
                        int          rc,
                        const char  *path,
                        const char  *what)
{
  /* SQLite quotes what it read (a damaged file's schema holds any bytes): made UTF-8 here. */
  g_autofree char *detail = g_utf8_make_valid (db != NULL ? sqlite3_errmsg (db)
                                               : sqlite3_errstr (rc), -1);

  switch (rc & 0xff)
    {
    case SQLITE_NOTADB:
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_SCHEMA,
                   "%s is not a Vigil store (it is not an SQLite database)", path);
      break;

    case SQLITE_CORRUPT:
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_STORE,
                   "%s is damaged (truncated or corrupted): %s", path, detail);
      break;

    case SQLITE_FULL:
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_STORE,
                   "Could not %s in %s: the disk or the database is full (%s)",
                   what, path, detail);
      break;

    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_PERM:
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                   "Could not %s %s: %s", what, path, detail);
      break;

    default:
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_STORE,
                   "Could not %s in %s: %s", what, path, detail);
      break;
    }

  return FALSE;
}

gboolean
_vigil_store_open_db (const char  *path,
                      int          flags,
                      sqlite3    **out_db,
                      GError     **error)
{
  sqlite3 *db = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      _vigil_store_set_error (error, db, rc, path, "open");
      sqlite3_close (db);
      return FALSE;
    }

  sqlite3_extended_result_codes (db, TRUE);
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
  /* A store is a file from anywhere: its schema may not run functions with side effects from
   * views, triggers or defaults, and SQL may not corrupt it on purpose (writable_schema). */
  sqlite3_db_config (db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
  sqlite3_db_config (db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);

  *out_db = db;

  return TRUE;
}

static gboolean
query_int (sqlite3     *db,
           const char  *path,
           const char  *sql,
           gint64      *out_value,
           GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);

  if (rc != SQLITE_ROW)
    {
      _vigil_store_set_error (error, db, rc, path, "read the store header");
      sqlite3_finalize (stmt);
      return FALSE;
    }

  *out_value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return TRUE;
}

gboolean
_vigil_store_inspect (sqlite3     *db,
                      const char  *path,
                      int         *out_version,
                      GError     **error)
{
  gint64 application_id, version, n_objects;

  /* Reading the schema first makes SQLite check the header and the page count, so a file
   * that is not SQLite or was cut short fails here, before anything else is read. */
  if (!query_int (db, path, "SELECT count(*) FROM sqlite_schema", &n_objects, error) ||
      !query_int (db, path, "PRAGMA application_id", &application_id, error) ||
      !query_int (db, path, "PRAGMA user_version", &version, error))
    return FALSE;

  if (version == 0 && n_objects == 0 &&
      (application_id == 0 || application_id == VIGIL_STORE_APPLICATION_ID))
    {
      *out_version = 0;
      return TRUE;
    }

  if (application_id != VIGIL_STORE_APPLICATION_ID || version <= 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_SCHEMA,
                   "%s is a SQLite database but not a Vigil store", path);
      return FALSE;
    }

  if (version > VIGIL_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_SCHEMA,
                   "%s was written by a newer Vigil (store schema %" G_GINT64_FORMAT
                   "; this Vigil reads up to %d)", path, version, VIGIL_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  *out_version = (int) version;

  return TRUE;
}

static gboolean
exec_sql (sqlite3     *db,
          const char  *path,
          const char  *sql,
          const char  *what,
          GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return _vigil_store_set_error (error, db, rc, path, what);

  return TRUE;
}

gboolean
_vigil_store_migrate (sqlite3     *db,
                      const char  *path,
                      GError     **error)
{
  int version;

  if (!exec_sql (db, path, "BEGIN IMMEDIATE", "lock the store for migration", error))
    return FALSE;

  /* Again, under the lock: another process may have migrated it meanwhile. */
  if (!_vigil_store_inspect (db, path, &version, error))
    goto fail;

  for (; version < VIGIL_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *set_version = NULL;

      g_assert (migration_steps[version].from_version == version);

      if (!exec_sql (db, path, migration_steps[version].sql, "migrate the schema", error))
        goto fail;

      set_version = g_strdup_printf ("PRAGMA user_version = %d", version + 1);
      if (!exec_sql (db, path, set_version, "migrate the schema", error))
        goto fail;
    }

  if (!exec_sql (db, path, "COMMIT", "commit the schema", error))
    goto fail;

  return TRUE;

fail:
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

gboolean
_vigil_store_prepare_writer (VigilStore  *self,
                             GError     **error)
{
  for (guint i = 0; i < VIGIL_STORE_N_STMTS; i++)
    {
      int rc = sqlite3_prepare_v3 (self->write_db, writer_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                   &self->stmts[i], NULL);

      if (rc != SQLITE_OK)
        return _vigil_store_set_error (error, self->write_db, rc, self->path,
                                       "prepare the writer's statements");
    }

  return TRUE;
}

/* Row writers: used by the writer thread only. */

static const char *
sensor_name (guint key)
{
  return key < VIGIL_N_SENSORS ? vigil_sensor_get_info ((VigilSensor) key)->name : NULL;
}

/* Alarms watch sensors and components alike. */
static const char *
alarm_key_name (guint key)
{
  return vigil_key_get_name (key);
}

void
_vigil_store_bind_double (sqlite3_stmt *stmt,
                          int           index,
                          double        value)
{
  if (isnan (value))
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_double (stmt, index, value);
}

static void
bind_time_or_null (sqlite3_stmt *stmt,
                   int           index,
                   gboolean      present,
                   gint64        time_us)
{
  if (present)
    sqlite3_bind_int64 (stmt, index, time_us);
  else
    sqlite3_bind_null (stmt, index);
}

gboolean
_vigil_store_step (VigilStore    *self,
                   sqlite3_stmt  *stmt,
                   const char    *what,
                   GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return _vigil_store_set_error (error, self->write_db, rc, self->path, what);

  return TRUE;
}

static gboolean
bad_key (VigilStore  *self,
         guint        key,
         const char  *table,
         GError     **error)
{
  g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
               "Could not write to %s: key %u does not belong in table %s", self->path, key,
               table);
  return FALSE;
}

static gboolean
write_windows (VigilStore       *self,
               VigilStoreBatch  *batch,
               GError          **error)
{
  sqlite3_stmt *stmt = self->stmts[VIGIL_STORE_STMT_WINDOW];

  for (guint i = 0; batch->windows != NULL && i < batch->windows->len; i++)
    {
      const VigilWindowStats *w = &g_array_index (batch->windows, VigilWindowStats, i);
      const char *sensor = sensor_name (w->key);

      if (sensor == NULL)
        return bad_key (self, w->key, "windows", error);

      sqlite3_bind_int64 (stmt, 1, batch->session_id);
      sqlite3_bind_text (stmt, 2, sensor, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, w->start_us);
      sqlite3_bind_int64 (stmt, 4, w->end_us);
      sqlite3_bind_int64 (stmt, 5, (sqlite3_int64) w->count);
      _vigil_store_bind_double (stmt, 6, w->avg);
      _vigil_store_bind_double (stmt, 7, w->min);
      _vigil_store_bind_double (stmt, 8, w->max);
      _vigil_store_bind_double (stmt, 9, w->stddev);
      _vigil_store_bind_double (stmt, 10, w->range);
      if (!_vigil_store_step (self, stmt, "write windows", error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_late (VigilStore       *self,
            VigilStoreBatch  *batch,
            GError          **error)
{
  sqlite3_stmt *stmt = self->stmts[VIGIL_STORE_STMT_LATE];

  for (guint i = 0; batch->late != NULL && i < batch->late->len; i++)
    {
      const VigilLateRecord *r = &g_array_index (batch->late, VigilLateRecord, i);
      const char *sensor = sensor_name (r->key);

      if (sensor == NULL)
        return bad_key (self, r->key, "late_records", error);

      sqlite3_bind_int64 (stmt, 1, batch->session_id);
      sqlite3_bind_text (stmt, 2, sensor, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) r->seq);
      sqlite3_bind_int64 (stmt, 4, r->event_us);
      sqlite3_bind_int64 (stmt, 5, r->watermark_us);
      _vigil_store_bind_double (stmt, 6, r->value);
      if (!_vigil_store_step (self, stmt, "write late records", error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_labels (VigilStore       *self,
              VigilStoreBatch  *batch,
              GError          **error)
{
  sqlite3_stmt *stmt = self->stmts[VIGIL_STORE_STMT_LABEL];

  for (guint i = 0; batch->labels != NULL && i < batch->labels->len; i++)
    {
      const VigilCycleLabel *l = &g_array_index (batch->labels, VigilCycleLabel, i);

      sqlite3_bind_int64 (stmt, 1, batch->session_id);
      sqlite3_bind_int64 (stmt, 2, l->cycle);
      sqlite3_bind_int64 (stmt, 3, l->start_us);
      sqlite3_bind_int (stmt, 4, l->cooler);
      sqlite3_bind_int (stmt, 5, l->valve);
      sqlite3_bind_int (stmt, 6, l->pump);
      sqlite3_bind_int (stmt, 7, l->accumulator);
      sqlite3_bind_int (stmt, 8, l->stable);
      if (!_vigil_store_step (self, stmt, "write cycle labels", error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_journal_row (VigilStore                  *self,
                   gint64                       session_id,
                   const VigilAlarmTransition  *t,
                   const char                  *sensor,
                   GError                     **error)
{
  sqlite3_stmt *stmt = self->stmts[VIGIL_STORE_STMT_JOURNAL];

  sqlite3_bind_int64 (stmt, 1, session_id);
  sqlite3_bind_text (stmt, 2, t->rule, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, sensor, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, t->at_us);
  sqlite3_bind_int64 (stmt, 5, t->seq);
  sqlite3_bind_text (stmt, 6, vigil_severity_to_string (t->severity), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, vigil_alarm_state_to_string (t->from), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, vigil_alarm_state_to_string (t->to), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, vigil_alarm_cause_to_string (t->cause), -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 10, t->shelved ? 1 : 0);
  bind_time_or_null (stmt, 11, t->shelved, t->shelved_until_us);
  bind_time_or_null (stmt, 12, t->raised_us != 0, t->raised_us);
  _vigil_store_bind_double (stmt, 13, t->value);
  sqlite3_bind_text (stmt, 14, t->comment, -1, SQLITE_STATIC);

  return _vigil_store_step (self, stmt, "write the alarm journal", error);
}

/* Keeps the alarm instance rows in step with the journal. */
static gboolean
write_alarm_instance (VigilStore                  *self,
                      gint64                       session_id,
                      const VigilAlarmTransition  *t,
                      const char                  *sensor,
                      GError                     **error)
{
  sqlite3_stmt *raise = self->stmts[VIGIL_STORE_STMT_ALARM_RAISE];
  sqlite3_stmt *update = self->stmts[VIGIL_STORE_STMT_ALARM_UPDATE];
  const char *to_state = vigil_alarm_state_to_string (t->to);

  if (t->raised_us == 0)
    return TRUE;

  if (t->to == VIGIL_ALARM_ACTIVE_UNACKED)
    {
      sqlite3_bind_int64 (raise, 1, session_id);
      sqlite3_bind_text (raise, 2, t->rule, -1, SQLITE_STATIC);
      sqlite3_bind_text (raise, 3, sensor, -1, SQLITE_STATIC);
      sqlite3_bind_text (raise, 4, vigil_severity_to_string (t->severity), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (raise, 5, t->raised_us);
      sqlite3_bind_text (raise, 6, to_state, -1, SQLITE_STATIC);
      _vigil_store_bind_double (raise, 7, t->value);
      if (t->model_id != 0)
        sqlite3_bind_int64 (raise, 8, t->model_id);
      else
        sqlite3_bind_null (raise, 8);
      if (!_vigil_store_step (self, raise, "write alarms", error))
        return FALSE;
    }

  sqlite3_bind_int64 (update, 1, session_id);
  sqlite3_bind_text (update, 2, t->rule, -1, SQLITE_STATIC);
  sqlite3_bind_text (update, 3, sensor, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (update, 4, t->raised_us);
  sqlite3_bind_text (update, 5, to_state, -1, SQLITE_STATIC);
  sqlite3_bind_int (update, 6, vigil_alarm_state_is_active (t->to) ? 1 : 0);
  sqlite3_bind_int (update, 7, t->cause == VIGIL_ALARM_CAUSE_ACK ? 1 : 0);
  sqlite3_bind_int64 (update, 8, t->at_us);
  sqlite3_bind_text (update, 9, t->comment, -1, SQLITE_STATIC);
  sqlite3_bind_int (update, 10, t->shelved ? 1 : 0);
  sqlite3_bind_int64 (update, 11, t->shelved_until_us);
  _vigil_store_bind_double (update, 12, t->value);

  return _vigil_store_step (self, update, "write alarms", error);
}

static gboolean
write_transitions (VigilStore       *self,
                   VigilStoreBatch  *batch,
                   GError          **error)
{
  for (guint i = 0; batch->transitions != NULL && i < batch->transitions->len; i++)
    {
      const VigilAlarmTransition *t = &g_array_index (batch->transitions,
                                                      VigilAlarmTransition, i);
      const char *sensor = alarm_key_name (t->key);

      if (sensor == NULL)
        return bad_key (self, t->key, "alarm_journal", error);

      if (!write_journal_row (self, batch->session_id, t, sensor, error) ||
          !write_alarm_instance (self, batch->session_id, t, sensor, error))
        return FALSE;
    }

  return TRUE;
}

/* {"3":0.25,"20":0.5,"100":0.25}: class (in the dataset's units) to probability. */
static char *
proba_to_json (const VigilPrediction *p)
{
  GString *out = g_string_new ("{");

  for (guint i = 0; i < p->n_classes; i++)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (out, "%s\"%d\":%s", i > 0 ? "," : "", p->classes[i],
                              g_ascii_formatd (buf, sizeof buf, "%.9g", p->proba[i]));
    }
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

static gboolean
write_predictions (VigilStore       *self,
                   VigilStoreBatch  *batch,
                   GError          **error)
{
  sqlite3_stmt *stmt = self->stmts[VIGIL_STORE_STMT_PREDICTION];

  for (guint i = 0; batch->predictions != NULL && i < batch->predictions->len; i++)
    {
      const VigilPrediction *p = &g_array_index (batch->predictions, VigilPrediction, i);
      const char *target = p->target < VIGIL_N_COMPONENTS
                           ? vigil_key_get_name (VIGIL_KEY_COMPONENT + p->target) : NULL;
      g_autofree char *proba = NULL;

      if (target == NULL)
        return bad_key (self, VIGIL_KEY_COMPONENT + p->target, "predictions", error);

      proba = proba_to_json (p);
      sqlite3_bind_int64 (stmt, 1, batch->session_id);
      sqlite3_bind_int64 (stmt, 2, p->cycle);
      sqlite3_bind_text (stmt, 3, target, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 4, p->model_id);
      sqlite3_bind_int (stmt, 5, p->predicted);
      sqlite3_bind_text (stmt, 6, proba, -1, SQLITE_TRANSIENT);
      if (!_vigil_store_step (self, stmt, "write predictions", error))
        return FALSE;
    }

  return TRUE;
}

gboolean
_vigil_store_write_batch (VigilStore       *self,
                          VigilStoreBatch  *batch,
                          GError          **error)
{
  for (guint i = 0; batch->attached != NULL && i < batch->attached->len; i++)
    if (!_vigil_store_write_batch (self, g_ptr_array_index (batch->attached, i), error))
      return FALSE;

  return write_windows (self, batch, error) &&
         write_late (self, batch, error) &&
         write_labels (self, batch, error) &&
         write_transitions (self, batch, error) &&
         write_predictions (self, batch, error) &&
         _vigil_store_write_traffic (self, batch, error) &&
         _vigil_store_write_kafka (self, batch, error);
}

gboolean
_vigil_store_write_session (VigilStore              *self,
                            const char              *key,
                            const VigilSessionInfo  *info,
                            gint64                  *out_id,
                            GError                 **error)
{
  sqlite3_stmt *insert = self->stmts[VIGIL_STORE_STMT_SESSION_INSERT];
  sqlite3_stmt *select = self->stmts[VIGIL_STORE_STMT_SESSION_SELECT];
  int rc;

  sqlite3_bind_text (insert, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 2, info->kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 3, info->source, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 4, info->start_us);
  sqlite3_bind_int64 (insert, 5, info->window_us);
  sqlite3_bind_int64 (insert, 6, info->slide_us);
  sqlite3_bind_int64 (insert, 7, info->lateness_us);
  sqlite3_bind_text (insert, 8, info->rules_json, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 9, g_get_real_time ());
  sqlite3_bind_text (insert, 10, info->camera, -1, SQLITE_STATIC);
  if (!_vigil_store_step (self, insert, "create a session", error))
    return FALSE;

  sqlite3_bind_text (select, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (select);
  if (rc == SQLITE_ROW)
    *out_id = sqlite3_column_int64 (select, 0);
  sqlite3_reset (select);
  if (rc != SQLITE_ROW)
    return _vigil_store_set_error (error, self->write_db, rc, self->path, "find the session");

  return TRUE;
}

static void
sensor_index_func (sqlite3_context  *context,
                   int               argc,
                   sqlite3_value   **argv)
{
  const char *name = (const char *) sqlite3_value_text (argv[0]);
  guint key;

  /* Sensors in their order, then components (alarms watch both). */
  if (name != NULL && vigil_key_from_name (name, &key))
    sqlite3_result_int (context, (int) key);
  else
    sqlite3_result_null (context);
}

gboolean
_vigil_store_register_functions (sqlite3     *db,
                                 const char  *path,
                                 GError     **error)
{
  int rc = sqlite3_create_function_v2 (db, "vigil_sensor_index", 1,
                                       SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                       NULL, sensor_index_func, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return _vigil_store_set_error (error, db, rc, path, "register SQL functions");

  return TRUE;
}
