/* vigil-store-private.h
 *
 * What the parts of the store (connection and writer thread, schema, exports) share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "vigil-csv.h"
#include "vigil-store.h"

G_BEGIN_DECLS

/* "Vigl": PRAGMA application_id of every Vigil store. */
#define VIGIL_STORE_APPLICATION_ID 0x5669676C

typedef enum
{
  VIGIL_STORE_STMT_WINDOW,
  VIGIL_STORE_STMT_LATE,
  VIGIL_STORE_STMT_LABEL,
  VIGIL_STORE_STMT_JOURNAL,
  VIGIL_STORE_STMT_ALARM_RAISE,
  VIGIL_STORE_STMT_ALARM_UPDATE,
  VIGIL_STORE_STMT_PREDICTION,
  VIGIL_STORE_STMT_DEAD_LETTER,
  VIGIL_STORE_STMT_KAFKA_OFFSET,
  VIGIL_STORE_STMT_KAFKA_STREAM,
  VIGIL_STORE_STMT_KAFKA_RESET_OFFSETS,
  VIGIL_STORE_STMT_KAFKA_RESET_STREAMS,
  VIGIL_STORE_STMT_DETECTION,
  VIGIL_STORE_STMT_TRAFFIC_SECOND,
  VIGIL_STORE_STMT_TRAFFIC_MINUTE,
  VIGIL_STORE_STMT_SESSION_INSERT,
  VIGIL_STORE_STMT_SESSION_SELECT,
  VIGIL_STORE_STMT_BEGIN,
  VIGIL_STORE_STMT_COMMIT,
  VIGIL_STORE_STMT_ROLLBACK,
  VIGIL_STORE_N_STMTS
} VigilStoreStmt;

struct _VigilStore
{
  GObject       parent_instance;

  char         *path;
  gboolean      readonly;

  /* Exports and lookups read through their own connection, so they never see the writer's
   * open transaction and never wait for it (WAL). */
  GMutex        read_lock;                          /* guards read_db */
  sqlite3      *read_db;

  /* Used only by the writer thread while it runs, by open and close otherwise. */
  sqlite3      *write_db;
  sqlite3_stmt *stmts[VIGIL_STORE_N_STMTS];
  GThread      *writer;

  /* Guarded by lock. */
  GMutex        lock;
  GCond         work_cond;      /* writer: something queued, or stopping */
  GCond         space_cond;     /* producers: room in the queue */
  GCond         done_cond;      /* flush and ensure_session: progress */
  GQueue        batches;        /* of VigilStoreBatch, at most QUEUE_CAPACITY */
  GQueue        requests;       /* of SessionRequest, borrowed from waiting callers */
  guint64       n_submitted;    /* batches ever queued */
  guint64       n_taken;        /* batches the writer took off the queue */
  guint64       n_committed;    /* batches committed (or discarded after an error) */
  guint         n_waiting;      /* callers of flush and close waiting for a commit */
  GError       *write_error;    /* the first write error; later batches are discarded */
  gboolean      stopping;
  gboolean      closed;
};

gboolean _vigil_store_set_error       (GError          **error,
                                       sqlite3          *db,
                                       int               rc,
                                       const char       *path,
                                       const char       *what);
gboolean _vigil_store_open_db         (const char       *path,
                                       int               flags,
                                       sqlite3         **out_db,
                                       GError          **error);
/* Checks that @db is empty (version 0) or a Vigil store this Vigil can read. */
gboolean _vigil_store_inspect         (sqlite3          *db,
                                       const char       *path,
                                       int              *out_version,
                                       GError          **error);
/* Brings @db from whatever version it has to VIGIL_STORE_SCHEMA_VERSION, in one transaction. */
gboolean _vigil_store_migrate         (sqlite3          *db,
                                       const char       *path,
                                       GError          **error);
gboolean _vigil_store_prepare_writer  (VigilStore       *self,
                                       GError          **error);
/* Binds NAN as NULL. */
void     _vigil_store_bind_double     (sqlite3_stmt     *stmt,
                                       int               index,
                                       double            value);
/* Steps and resets one of the writer's statements. */
gboolean _vigil_store_step            (VigilStore       *self,
                                       sqlite3_stmt     *stmt,
                                       const char       *what,
                                       GError          **error);
/* Writes every row of @batch into the open transaction of the writer's connection. */
gboolean _vigil_store_write_batch     (VigilStore       *self,
                                       VigilStoreBatch  *batch,
                                       GError          **error);
/* Writes @batch's dead letters and its Kafka checkpoint (vigil-kafka-offsets.c). */
gboolean _vigil_store_write_kafka     (VigilStore       *self,
                                       VigilStoreBatch  *batch,
                                       GError          **error);
/* Writes @batch's detections and per-second and per-minute rows (vigil-store-traffic.c). */
gboolean _vigil_store_write_traffic   (VigilStore       *self,
                                       VigilStoreBatch  *batch,
                                       GError          **error);
/* INSERT OR IGNORE, then the id: the first creation of a session is the one kept. */
gboolean _vigil_store_write_session   (VigilStore              *self,
                                       const char              *key,
                                       const VigilSessionInfo  *info,
                                       gint64                  *out_id,
                                       GError                 **error);
/* SQL function vigil_sensor_index(name): VigilSensor order of a sensor name, NULL if unknown. */
gboolean _vigil_store_register_functions (sqlite3       *db,
                                          const char    *path,
                                          GError       **error);
/* Resolves filter session 0 to the latest one; *out_session_id is 0 when the file has none. */
gboolean _vigil_store_resolve_session (VigilStore       *self,
                                       gint64            session_id,
                                       gint64           *out_session_id,
                                       GError          **error);

/* Reading (vigil-store-read.c). */
typedef gboolean (*VigilStoreReadFunc) (VigilStore  *self,
                                        gpointer     data,
                                        GError     **error);
/* Runs @func with read_lock held inside one read transaction, so that everything it reads
 * comes from the same state of the file; fails when the store is closed. */
gboolean _vigil_store_read            (VigilStore          *self,
                                       const char          *what,
                                       VigilStoreReadFunc   func,
                                       gpointer             data,
                                       GError             **error);
/* Whether @table has @column: a file opened read-only keeps the schema it was written with.
 * Called with read_lock held. */
gboolean _vigil_store_has_column      (VigilStore          *self,
                                       const char          *table,
                                       const char          *column);
/* Statements on the read connection (read_lock held): prepared, and finalized after @rc, the
 * last step's result; failures name the file and @what. */
sqlite3_stmt *_vigil_store_prepare_read (VigilStore        *self,
                                         const char        *sql,
                                         const char        *what,
                                         GError           **error);
gboolean _vigil_store_finish_read     (VigilStore          *self,
                                       sqlite3_stmt        *stmt,
                                       int                  rc,
                                       const char          *what,
                                       GError             **error);
const char *_vigil_store_column_text  (sqlite3_stmt        *stmt,
                                       int                  column);
/* NULL reads back as NAN. */
double   _vigil_store_column_double   (sqlite3_stmt        *stmt,
                                       int                  column);
/* Refuses an empty or backwards time range. */
gboolean _vigil_store_check_filter    (const VigilStoreFilter *filter,
                                       GError             **error);

/* CSV exports (vigil-store-export.c). */
typedef enum
{
  VIGIL_STORE_COLUMN_TEXT,
  VIGIL_STORE_COLUMN_INT,
  VIGIL_STORE_COLUMN_DOUBLE,
  VIGIL_STORE_COLUMN_TIME,
} VigilStoreColumnKind;

/* Writes column @column of the current row as @kind; NULL is an empty field. */
void     _vigil_store_write_csv_column (VigilCsvWriter      *csv,
                                        sqlite3_stmt        *stmt,
                                        int                  column,
                                        VigilStoreColumnKind kind);

G_END_DECLS
