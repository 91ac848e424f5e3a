/* vigil-store.h
 *
 * The store: one SQLite file per recording, written by one writer thread in batched
 * transactions with idempotent keys, read by exports and (later) the UI through their own
 * connections. Schema versioned with PRAGMA user_version and migrated on open.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vigil-records.h"
#include "vigil-traffic.h"

G_BEGIN_DECLS

#define VIGIL_STORE_SCHEMA_VERSION 4

/* What identifies a session: replaying the same source with the same settings into the
 * same file finds the same session again, which is what makes re-replays idempotent. */
typedef struct
{
  const char *kind;         /* "hydraulic" or "traffic" */
  const char *source;       /* absolute path of the dataset directory or camera source, or a
                             * Kafka description */
  gint64      start_us;     /* event time of cycle 0 */
  gint64      window_us;
  gint64      slide_us;
  gint64      lateness_us;
  const char *rules_json;   /* vigil_rule_set_to_json() */
  const char *camera;       /* the camera of a "traffic" session; NULL otherwise */
} VigilSessionInfo;

/* A record a source could not use, kept with where it came from (idempotent: a record seen
 * again is not stored twice). */
typedef struct
{
  gint64  session_id;
  char   *topic;          /* owned */
  gint32  partition;
  gint64  offset;
  gint64  received_us;    /* wall time */
  char   *excerpt;        /* owned: the start of the payload, readable */
  char   *reason;         /* owned */
} VigilStoreDeadLetter;

/* Where a Kafka consumer group resumes a partition: from resume_offset, the earliest record
 * that state still open when the transaction committed needs, with everything before
 * next_offset already written (so only what lies past it is new). */
typedef struct
{
  char   *topic;          /* owned */
  gint32  partition;
  gint64  resume_offset;
  gint64  next_offset;
} VigilStoreKafkaOffset;

/* What a consumer group's sensor stream needs besides its stored windows to go on exactly
 * where a transaction left it. */
typedef struct
{
  gint64  session_id;
  guint   sensor;         /* VigilSensor */
  gint64  watermark_us;   /* G_MININT64 before the first sample */
  guint64 next_late_seq;
} VigilStoreKafkaStream;

/* One vehicle in one frame of a camera's session. */
typedef struct
{
  guint64        frame;      /* 0-based index of the frame in the source's order */
  gint64         time_us;    /* the frame's event time */
  guint          index;      /* the detection's place among the frame's (keys the row) */
  VigilDetection detection;  /* box in pixels of the source frame */
} VigilStoreDetection;

/* A unit of work for the writer thread. All arrays are owned by the batch. A batch is written
 * in one transaction, with the batches attached to it. */
typedef struct
{
  gint64  session_id;
  GArray *windows;      /* VigilWindowStats */
  GArray *late;         /* VigilLateRecord */
  GArray *labels;       /* VigilCycleLabel */
  GArray *transitions;  /* VigilAlarmTransition (clear func set) */
  GArray *predictions;  /* VigilPrediction; keyed by session, cycle and target */
  GArray *dead_letters; /* VigilStoreDeadLetter (clear func set); own session ids */
  /* A camera's session (transitions on VIGIL_KEY_CAMERA belong to it too) */
  GArray *detections;       /* VigilStoreDetection */
  GArray *traffic_seconds;  /* VigilTrafficStats, keyed by session and start */
  GArray *traffic_minutes;  /* VigilTrafficStats, keyed by session and start */
  /* A Kafka consumer group's checkpoint, written after everything else of the batch */
  char      *kafka_group;    /* owned; NULL: none */
  gboolean   kafka_reset;    /* the group's stored offsets and streams are forgotten first */
  GArray    *kafka_offsets;  /* VigilStoreKafkaOffset (clear func set) */
  GArray    *kafka_streams;  /* VigilStoreKafkaStream */
  GPtrArray *attached;       /* VigilStoreBatch of other sessions, written first, in the same
                              * transaction; NULL when none */
} VigilStoreBatch;

VigilStoreBatch *vigil_store_batch_new      (gint64            session_id);
void             vigil_store_batch_free     (VigilStoreBatch  *batch);
gboolean         vigil_store_batch_is_empty (VigilStoreBatch  *batch);
gsize            vigil_store_batch_get_size (VigilStoreBatch  *batch);

/* Filter for reads and exports. Times are half-open [from_us, to_us) on the row's start
 * (window_start, raised_at, journal time). */
typedef struct
{
  gint64  session_id;   /* 0: the most recent session in the file */
  guint32 sensors;      /* bit (1 << VigilSensor) per sensor; 0: all */
  gint64  from_us;      /* G_MININT64: unbounded */
  gint64  to_us;        /* G_MAXINT64: unbounded */
} VigilStoreFilter;

void vigil_store_filter_init (VigilStoreFilter *filter);

#define VIGIL_TYPE_STORE (vigil_store_get_type ())
G_DECLARE_FINAL_TYPE (VigilStore, vigil_store, VIGIL, STORE, GObject)

/* Opens (creating if needed) and migrates @path, then starts the writer thread. When the
 * environment variable VIGIL_STORE_MAX_PAGES holds a positive number, the file may not grow
 * beyond that many pages: writes past it fail as on a full disk (to test what a full disk
 * does without filling one). */
VigilStore *vigil_store_open               (const char              *path,
                                            GError                 **error);
/* Opens an existing store for reading only: never creates, never migrates, never writes. A file
 * of an older schema reads as it is; what that schema lacks (the model registry) reads empty. */
VigilStore *vigil_store_open_readonly      (const char              *path,
                                            GError                 **error);
const char *vigil_store_get_path           (VigilStore              *self);
/* Finds or creates the session described by @info; synchronous. */
gint64      vigil_store_ensure_session     (VigilStore              *self,
                                            const VigilSessionInfo  *info,
                                            GError                 **error);
/* Hands @batch (transfer full) to the writer thread. Blocks while the queue is full:
 * back-pressure on the producers, never unbounded memory. Batches are written in the order
 * they are submitted; rows are keyed, so only one thing depends on that order: the
 * transitions of one alarm must be submitted in the order they happened. */
void        vigil_store_submit             (VigilStore              *self,
                                            VigilStoreBatch         *batch);
/* Waits until everything submitted so far is committed. Returns the first write error. */
gboolean    vigil_store_flush              (VigilStore              *self,
                                            GError                 **error);
/* Without waiting: FALSE with the first write error when a write has failed already, so that
 * a source stops instead of computing what can no longer be stored. */
gboolean    vigil_store_check              (VigilStore              *self,
                                            GError                 **error);
/* Flushes, stops the writer thread and closes the database. Idempotent. */
gboolean    vigil_store_close              (VigilStore              *self,
                                            GError                 **error);
/* Most recent session id in the file, or 0 when there is none. */
gint64      vigil_store_get_latest_session (VigilStore              *self,
                                            GError                 **error);

/* CSV exports, in the formats scripts depend on (header row, RFC 4180, ISO-8601 UTC with
 * milliseconds and Z, %.17g numbers). */
gboolean    vigil_store_export_windows     (VigilStore              *self,
                                            const VigilStoreFilter  *filter,
                                            GOutputStream           *out,
                                            GCancellable            *cancellable,
                                            GError                 **error);
gboolean    vigil_store_export_alarms      (VigilStore              *self,
                                            const VigilStoreFilter  *filter,
                                            GOutputStream           *out,
                                            GCancellable            *cancellable,
                                            GError                 **error);
gboolean    vigil_store_export_journal     (VigilStore              *self,
                                            const VigilStoreFilter  *filter,
                                            GOutputStream           *out,
                                            GCancellable            *cancellable,
                                            GError                 **error);

/* Any of the three exports above. */
typedef gboolean (*VigilStoreExportFunc)  (VigilStore              *self,
                                           const VigilStoreFilter  *filter,
                                           GOutputStream           *out,
                                           GCancellable            *cancellable,
                                           GError                 **error);
/* Sees the complete export in @written before it replaces the target (to count its rows,
 * say); failing leaves the target as it was. */
typedef gboolean (*VigilStoreExportCheck) (const char              *written,
                                           gpointer                 user_data,
                                           GCancellable            *cancellable,
                                           GError                 **error);
/* Writes @export_func's CSV to @path through a temporary file beside it, synced, then renamed
 * over @path: @path is either as it was or the whole export, never half of it. @check may be
 * NULL. IO errors say which file or folder. */
gboolean    vigil_store_export_to_file     (VigilStore              *self,
                                            VigilStoreExportFunc     export_func,
                                            const VigilStoreFilter  *filter,
                                            const char              *path,
                                            VigilStoreExportCheck    check,
                                            gpointer                 check_data,
                                            GCancellable            *cancellable,
                                            GError                 **error);

/* Hands @other (transfer full) to @batch: both commit in one transaction. */
void             vigil_store_batch_attach   (VigilStoreBatch  *batch,
                                             VigilStoreBatch  *other);
void             vigil_store_dead_letter_clear  (gpointer     dead_letter);
void             vigil_store_kafka_offset_clear (gpointer     offset);

/* The stored checkpoint of consumer group @group (vigil-kafka-offsets.c): every partition's
 * VigilStoreKafkaOffset, and one stream's state (FALSE, error unset, when it has none). Read
 * what is committed. */
GArray     *vigil_store_read_kafka_offsets (VigilStore              *self,
                                            const char              *group,
                                            GError                 **error);
gboolean    vigil_store_read_kafka_stream  (VigilStore              *self,
                                            const char              *group,
                                            gint64                   session_id,
                                            guint                    sensor,
                                            VigilStoreKafkaStream   *out,
                                            GError                 **error);
/* Dead letters stored for @session_id (0: all sessions). */
gint64      vigil_store_count_dead_letters (VigilStore              *self,
                                            gint64                   session_id,
                                            GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilStoreBatch, vigil_store_batch_free)

/* Reading a recording back (vigil-store-read.c) ------------------------------------------- */

/* A session as a list of recordings shows it, with what it holds. */
typedef struct
{
  gint64   id;
  char    *kind;
  char    *source;
  char    *camera;         /* a "traffic" session's camera; NULL otherwise */
  gint64   start_us;
  gint64   end_us;         /* the latest window_end (a camera's: latest second's end), or
                            * start_us when it has none */
  gint64   window_us;
  gint64   slide_us;
  gint64   lateness_us;
  char    *rules_json;
  gint64   created_us;     /* wall time the session was first registered */
  guint32  sensors;        /* bit (1 << VigilSensor) per sensor that has windows */
  guint64  n_windows;
  guint64  n_alarms;       /* alarm instances */
  guint    n_cycles;       /* labelled cycles */
} VigilSessionSummary;

void                 vigil_session_summary_free (VigilSessionSummary     *summary);

/* Every session of the file, newest first: a GPtrArray of VigilSessionSummary (freed with
 * the array). */
GPtrArray           *vigil_store_list_sessions  (VigilStore              *self,
                                                 GError                 **error);
/* One session; @session_id 0 is the latest. NOT_FOUND names the file and the id. */
VigilSessionSummary *vigil_store_get_session    (VigilStore              *self,
                                                 gint64                   session_id,
                                                 GError                 **error);
/* The windows of @filter's session (key = VigilSensor; NULL statistics read back as NAN),
 * ordered by window_end, then sensor. */
GArray              *vigil_store_read_windows   (VigilStore              *self,
                                                 const VigilStoreFilter  *filter,
                                                 GError                 **error);
/* The journal of @filter's session (VigilAlarmTransition, rules interned, clear func set),
 * ordered by at_us, then seq. A name this Vigil does not know (a file edited by hand) is a
 * VIGIL_ENGINE_ERROR_PARSE naming the table, the row and the value. */
GArray              *vigil_store_read_journal   (VigilStore              *self,
                                                 const VigilStoreFilter  *filter,
                                                 GError                 **error);

/* The predictions of @filter's session whose cycle ended in the filter's range (VigilPrediction,
 * end_us from the session's start), ordered by cycle, then target. An older file reads none. */
GArray              *vigil_store_read_predictions (VigilStore              *self,
                                                   const VigilStoreFilter  *filter,
                                                   GError                 **error);

/* A camera's session (vigil-store-traffic.c): its per-second (or per-minute) rows whose start
 * is in the filter's range, ordered by start (VigilTrafficStats, camera_id filled in). */
GArray              *vigil_store_read_traffic     (VigilStore              *self,
                                                   const VigilStoreFilter  *filter,
                                                   gboolean                 minutes,
                                                   GError                 **error);
/* Its detections whose frame time is in the filter's range, ordered by frame, then index
 * (VigilStoreDetection). */
GArray              *vigil_store_read_detections  (VigilStore              *self,
                                                   const VigilStoreFilter  *filter,
                                                   GError                 **error);
/* CSV: camera,frame,timestamp,track_id,class,x,y,w,h (frame 0-based in source order, box in
 * source pixels, track_id empty when untracked). The filter's session 0 means every traffic
 * session of the file; @camera (NULL: all) keeps one camera. */
gboolean             vigil_store_export_detections (VigilStore             *self,
                                                    const VigilStoreFilter *filter,
                                                    const char             *camera,
                                                    GOutputStream          *out,
                                                    GCancellable           *cancellable,
                                                    GError                **error);
/* CSV of the per-second rows: camera,start,end,frames,vehicles,unique_vehicles,motorcycle,car,
 * bus,truck,density_pct,speed_kmh,dwell_s,status. Sessions and cameras as above. */
gboolean             vigil_store_export_traffic    (VigilStore             *self,
                                                    const VigilStoreFilter *filter,
                                                    const char             *camera,
                                                    GOutputStream          *out,
                                                    GCancellable           *cancellable,
                                                    GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilSessionSummary, vigil_session_summary_free)

/* The model registry (vigil-store-models.c) ------------------------------------------------ */

/* A trained model as the registry keeps it. Strings and the blob are owned by the record. */
typedef struct
{
  gint64  id;             /* ignored by vigil_store_add_model() */
  char   *target;         /* vigil_target_to_string() */
  char   *algorithm;      /* vigil_algorithm_to_string() */
  char   *params_json;    /* the training parameters, a JSON object */
  char   *features_json;  /* the feature names, in the model's column order: a JSON array */
  char   *data_source;    /* the dataset directory, or the store and session trained on */
  gint64  data_from_us;   /* event-time range of the training data; 0 for none (NULL) */
  gint64  data_to_us;
  gint64  n_train;        /* rows trained on and held out for testing */
  gint64  n_test;
  char   *metrics_json;   /* the test metrics, a JSON object */
  GBytes *model;          /* vigil_model_save(); NULL in vigil_store_list_models() */
  gint64  created_us;     /* 0 in vigil_store_add_model(): now */
  char   *aliases;        /* read only: the aliases naming this model, comma-separated, or "" */
} VigilModelRecord;

void              vigil_model_record_free  (VigilModelRecord        *record);

/* Registers @record (every string and the blob required) and returns its id, or 0 on error.
 * Synchronous: the row is committed when it returns. */
gint64            vigil_store_add_model    (VigilStore              *self,
                                            const VigilModelRecord  *record,
                                            GError                 **error);
/* Every model, newest first, without their blobs: a GPtrArray of VigilModelRecord (freed with
 * the array). */
GPtrArray        *vigil_store_list_models  (VigilStore              *self,
                                            GError                 **error);
/* One model with its blob; NOT_FOUND names the file and the id. */
VigilModelRecord *vigil_store_get_model    (VigilStore              *self,
                                            gint64                   id,
                                            GError                 **error);
/* Points @alias of @target at @model_id, replacing what it named. NOT_FOUND for an unknown
 * model, INVALID when the model predicts another target. Synchronous. */
gboolean          vigil_store_set_alias    (VigilStore              *self,
                                            const char              *target,
                                            const char              *alias,
                                            gint64                   model_id,
                                            GError                 **error);
/* The model @alias of @target names, or 0 when there is none (error unset). */
gint64            vigil_store_get_alias    (VigilStore              *self,
                                            const char              *target,
                                            const char              *alias,
                                            GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilModelRecord, vigil_model_record_free)

G_END_DECLS
