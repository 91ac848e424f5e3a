/* vigil-store.c
 *
 * The store object: opening and recognising the file, the writer thread with its bounded
 * queue of batches, sessions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-store"

#include "config.h"

#include <string.h>

#include "vigil-error.h"
#include "vigil-store-private.h"

/* Batches waiting for the writer before producers block. */
#define QUEUE_CAPACITY 64
/* Rows after which the writer commits even though more are queued, so that readers see
 * progress and the WAL stays small. */
#define ROWS_PER_TRANSACTION 50000
/* How long the writer keeps a transaction open for more batches once the queue ran dry:
 * producers of small batches would otherwise pay one commit per batch. Nobody waits on it:
 * flush and close have the writer commit at once. */
#define COMMIT_DELAY_US (10 * G_TIME_SPAN_MILLISECOND)

typedef struct
{
  const VigilSessionInfo *info;   /* borrowed from the waiting caller */
  char                   *key;
  gint64                  id;
  GError                 *error;
  gboolean                done;   /* guarded by the store's lock */
} SessionRequest;

G_DEFINE_FINAL_TYPE (VigilStore, vigil_store, G_TYPE_OBJECT)

VigilStoreBatch *
vigil_store_batch_new (gint64 session_id)
{
  VigilStoreBatch *batch = g_new0 (VigilStoreBatch, 1);

  batch->session_id = session_id;
  batch->windows = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));
  batch->late = g_array_new (FALSE, FALSE, sizeof (VigilLateRecord));
  batch->labels = g_array_new (FALSE, FALSE, sizeof (VigilCycleLabel));
  batch->transitions = g_array_new (FALSE, FALSE, sizeof (VigilAlarmTransition));
  g_array_set_clear_func (batch->transitions, vigil_alarm_transition_clear);
  batch->predictions = g_array_new (FALSE, FALSE, sizeof (VigilPrediction));
  batch->dead_letters = g_array_new (FALSE, FALSE, sizeof (VigilStoreDeadLetter));
  g_array_set_clear_func (batch->dead_letters, vigil_store_dead_letter_clear);
  batch->detections = g_array_new (FALSE, FALSE, sizeof (VigilStoreDetection));
  batch->traffic_seconds = g_array_new (FALSE, FALSE, sizeof (VigilTrafficStats));
  batch->traffic_minutes = g_array_new (FALSE, FALSE, sizeof (VigilTrafficStats));
  batch->kafka_offsets = g_array_new (FALSE, FALSE, sizeof (VigilStoreKafkaOffset));
  g_array_set_clear_func (batch->kafka_offsets, vigil_store_kafka_offset_clear);
  batch->kafka_streams = g_array_new (FALSE, FALSE, sizeof (VigilStoreKafkaStream));

  return batch;
}

void
vigil_store_dead_letter_clear (gpointer data)
{
  VigilStoreDeadLetter *d = data;

  g_clear_pointer (&d->topic, g_free);
  g_clear_pointer (&d->excerpt, g_free);
  g_clear_pointer (&d->reason, g_free);
}

void
vigil_store_kafka_offset_clear (gpointer data)
{
  VigilStoreKafkaOffset *o = data;

  g_clear_pointer (&o->topic, g_free);
}

void
vigil_store_batch_attach (VigilStoreBatch *batch,
                          VigilStoreBatch *other)
{
  g_return_if_fail (batch != NULL);
  g_return_if_fail (other != NULL && other != batch);

  if (batch->attached == NULL)
    batch->attached = g_ptr_array_new_with_free_func ((GDestroyNotify) vigil_store_batch_free);
  g_ptr_array_add (batch->attached, other);
}

void
vigil_store_batch_free (VigilStoreBatch *batch)
{
  if (batch == NULL)
    return;

  g_clear_pointer (&batch->windows, g_array_unref);
  g_clear_pointer (&batch->late, g_array_unref);
  g_clear_pointer (&batch->labels, g_array_unref);
  g_clear_pointer (&batch->transitions, g_array_unref);
  g_clear_pointer (&batch->predictions, g_array_unref);
  g_clear_pointer (&batch->dead_letters, g_array_unref);
  g_clear_pointer (&batch->detections, g_array_unref);
  g_clear_pointer (&batch->traffic_seconds, g_array_unref);
  g_clear_pointer (&batch->traffic_minutes, g_array_unref);
  g_clear_pointer (&batch->kafka_group, g_free);
  g_clear_pointer (&batch->kafka_offsets, g_array_unref);
  g_clear_pointer (&batch->kafka_streams, g_array_unref);
  g_clear_pointer (&batch->attached, g_ptr_array_unref);
  g_free (batch);
}

gsize
vigil_store_batch_get_size (VigilStoreBatch *batch)
{
  gsize size;

  g_return_val_if_fail (batch != NULL, 0);

  size = (batch->windows != NULL ? batch->windows->len : 0) +
         (batch->late != NULL ? batch->late->len : 0) +
         (batch->labels != NULL ? batch->labels->len : 0) +
         (batch->transitions != NULL ? batch->transitions->len : 0) +
         (batch->predictions != NULL ? batch->predictions->len : 0) +
         (batch->dead_letters != NULL ? batch->dead_letters->len : 0) +
         (batch->detections != NULL ? batch->detections->len : 0) +
         (batch->traffic_seconds != NULL ? batch->traffic_seconds->len : 0) +
         (batch->traffic_minutes != NULL ? batch->traffic_minutes->len : 0) +
         (batch->kafka_offsets != NULL ? batch->kafka_offsets->len : 0) +
         (batch->kafka_streams != NULL ? batch->kafka_streams->len : 0) +
         (batch->kafka_reset ? 1 : 0);
  for (guint i = 0; batch->attached != NULL && i < batch->attached->len; i++)
    size += vigil_store_batch_get_size (g_ptr_array_index (batch->attached, i));

  return size;
}

gboolean
vigil_store_batch_is_empty (VigilStoreBatch *batch)
{
  g_return_val_if_fail (batch != NULL, TRUE);

  return vigil_store_batch_get_size (batch) == 0;
}

void
vigil_store_filter_init (VigilStoreFilter *filter)
{
  g_return_if_fail (filter != NULL);

  filter->session_id = 0;
  filter->sensors = 0;
  filter->from_us = G_MININT64;
  filter->to_us = G_MAXINT64;
}

/* Writer thread ---------------------------------------------------------------------------- */

static gboolean
run_stmt (VigilStore      *self,
          VigilStoreStmt   which,
          const char      *what,
          GError         **error)
{
  return _vigil_store_step (self, self->stmts[which], what, error);
}

static void
checksum_text (GChecksum  *checksum,
               const char *text)
{
  g_autofree char *prefix = g_strdup_printf ("%zu:", strlen (text));

  g_checksum_update (checksum, (const guchar *) prefix, -1);
  g_checksum_update (checksum, (const guchar *) text, -1);
}

static char *
session_key (const VigilSessionInfo *info)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  const char *texts[] = { info->kind, info->source, info->rules_json };
  const gint64 numbers[] = { info->start_us, info->window_us, info->slide_us,
                             info->lateness_us };

  /* Length-prefixed, so that no two different sessions can hash the same bytes. */
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    checksum_text (checksum, texts[i]);
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT ";", numbers[i]);

      g_checksum_update (checksum, (const guchar *) text, -1);
    }
  /* Only after everything else, and only for a camera: sessions without one keep the keys
   * files written before cameras existed hold, so replays into those files still find them.
   * A number ends with ';', so a text after it cannot be mistaken for more of the numbers. */
  if (info->camera != NULL)
    {
      g_checksum_update (checksum, (const guchar *) "camera=", -1);
      checksum_text (checksum, info->camera);
    }

  return g_strdup (g_checksum_get_string (checksum));
}

/* Called with the lock held. The first error wins; later ones are dropped. */
static void
keep_error (VigilStore *self,
            GError     *error)
{
  if (self->write_error == NULL)
    self->write_error = error;
  else
    g_error_free (error);
}

/* Called without the lock. */
static void
commit (VigilStore *self)
{
  GError *error = NULL;

  if (!run_stmt (self, VIGIL_STORE_STMT_COMMIT, "commit", &error))
    sqlite3_exec (self->write_db, "ROLLBACK", NULL, NULL, NULL);

  g_mutex_lock (&self->lock);
  if (error != NULL)
    keep_error (self, error);
  self->n_committed = self->n_taken;
  g_cond_broadcast (&self->done_cond);
  g_mutex_unlock (&self->lock);
}

static void
handle_request (VigilStore     *self,
                SessionRequest *request)
{
  GError *error = NULL;
  gboolean failed;

  g_mutex_lock (&self->lock);
  failed = self->write_error != NULL;
  if (failed)
    error = g_error_copy (self->write_error);
  g_mutex_unlock (&self->lock);

  if (!failed)
    _vigil_store_write_session (self, request->key, request->info, &request->id, &error);

  g_mutex_lock (&self->lock);
  request->error = error;
  request->done = TRUE;
  g_cond_broadcast (&self->done_cond);
  g_mutex_unlock (&self->lock);
}

/* A batch that fails rolls back the whole open transaction: SQLite may already have done so
 * (SQLITE_FULL, SQLITE_IOERR), and a savepoint per batch would copy every page a batch touches
 * into a statement journal, which costs more than the writes themselves. */
static gboolean
apply_batch (VigilStore       *self,
             VigilStoreBatch  *batch,
             gboolean         *in_transaction,
             GError          **error)
{
  if (!*in_transaction)
    {
      if (!run_stmt (self, VIGIL_STORE_STMT_BEGIN, "begin a transaction", error))
        return FALSE;
      *in_transaction = TRUE;
    }

  if (_vigil_store_write_batch (self, batch, error))
    return TRUE;

  *in_transaction = FALSE;
  if (!sqlite3_get_autocommit (self->write_db))
    run_stmt (self, VIGIL_STORE_STMT_ROLLBACK, "roll back", NULL);

  return FALSE;
}

static gpointer
writer_main (gpointer data)
{
  VigilStore *self = data;
  gboolean in_transaction = FALSE;
  guint64 rows_in_transaction = 0;
  gint64 commit_deadline = 0;

  g_mutex_lock (&self->lock);

  for (;;)
    {
      SessionRequest *request;
      VigilStoreBatch *batch;
      GError *error = NULL;
      gboolean failed;

      /* Nothing more queued: make what was written visible, soon. */
      if (in_transaction && g_queue_is_empty (&self->batches))
        {
          if (self->n_waiting == 0 && !self->stopping && g_queue_is_empty (&self->requests))
            {
              if (commit_deadline == 0)
                commit_deadline = g_get_monotonic_time () + COMMIT_DELAY_US;
              if (g_cond_wait_until (&self->work_cond, &self->lock, commit_deadline))
                continue;
            }

          g_mutex_unlock (&self->lock);
          commit (self);
          in_transaction = FALSE;
          rows_in_transaction = 0;
          commit_deadline = 0;
          g_mutex_lock (&self->lock);
          continue;
        }

      if ((request = g_queue_pop_head (&self->requests)) != NULL)
        {
          g_mutex_unlock (&self->lock);
          /* Sessions commit on their own, so a reader finds them as soon as they exist. */
          if (in_transaction)
            {
              commit (self);
              in_transaction = FALSE;
              rows_in_transaction = 0;
              commit_deadline = 0;
            }
          handle_request (self, request);
          g_mutex_lock (&self->lock);
          continue;
        }

      if ((batch = g_queue_pop_head (&self->batches)) == NULL)
        {
          if (self->stopping)
            break;
          g_cond_wait (&self->work_cond, &self->lock);
          continue;
        }

      self->n_taken++;
      failed = self->write_error != NULL;
      g_cond_signal (&self->space_cond);
      g_mutex_unlock (&self->lock);

      if (!failed)
        {
          apply_batch (self, batch, &in_transaction, &error);
          rows_in_transaction += vigil_store_batch_get_size (batch);
        }

      vigil_store_batch_free (batch);

      if (in_transaction && rows_in_transaction >= ROWS_PER_TRANSACTION)
        {
          commit (self);
          in_transaction = FALSE;
          rows_in_transaction = 0;
          commit_deadline = 0;
        }

      g_mutex_lock (&self->lock);
      if (error != NULL)
        keep_error (self, error);
      if (!in_transaction)
        {
          self->n_committed = self->n_taken;
          g_cond_broadcast (&self->done_cond);
        }
    }

  g_mutex_unlock (&self->lock);

  return NULL;
}

/* Object -------------------------------------------------------------------------------------- */

static void
vigil_store_finalize (GObject *object)
{
  VigilStore *self = VIGIL_STORE (object);
  g_autoptr(GError) error = NULL;

  if (!vigil_store_close (self, &error))
    g_debug ("Closing %s: %s", self->path, error->message);

  g_clear_error (&self->write_error);
  g_clear_pointer (&self->path, g_free);
  g_mutex_clear (&self->read_lock);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->work_cond);
  g_cond_clear (&self->space_cond);
  g_cond_clear (&self->done_cond);

  G_OBJECT_CLASS (vigil_store_parent_class)->finalize (object);
}

static void
vigil_store_class_init (VigilStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vigil_store_finalize;
}

static void
vigil_store_init (VigilStore *self)
{
  g_mutex_init (&self->read_lock);
  g_mutex_init (&self->lock);
  g_cond_init (&self->work_cond);
  g_cond_init (&self->space_cond);
  g_cond_init (&self->done_cond);
  g_queue_init (&self->batches);
  g_queue_init (&self->requests);
}

static gboolean
open_reader (VigilStore  *self,
             GError     **error)
{
  return _vigil_store_open_db (self->path, SQLITE_OPEN_READONLY, &self->read_db, error) &&
         _vigil_store_register_functions (self->read_db, self->path, error);
}

static gboolean
exec_pragma (VigilStore  *self,
             const char  *sql,
             GError     **error)
{
  int rc = sqlite3_exec (self->write_db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return _vigil_store_set_error (error, self->write_db, rc, self->path, "configure");

  return TRUE;
}

/* VIGIL_STORE_MAX_PAGES (vigil-store.h): SQLite's own page limit, which fails a write that
 * needs more with SQLITE_FULL, exactly as a full disk does. */
static gboolean
limit_pages (VigilStore  *self,
             GError     **error)
{
  const char *text = g_getenv ("VIGIL_STORE_MAX_PAGES");
  g_autofree char *sql = NULL;
  guint64 pages;

  if (text == NULL || *text == '\0')
    return TRUE;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT32, &pages, NULL))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "VIGIL_STORE_MAX_PAGES: “%s” is not a number of pages", text);
      return FALSE;
    }

  sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GUINT64_FORMAT, pages);
  return exec_pragma (self, sql, error);
}

/* Reads the header of @path through a read-only connection; @immutable: the main file alone,
 * as SQLite's immutable files, which creates no side file and takes no lock. */
static gboolean
inspect_file (const char  *path,
              gboolean     immutable,
              int         *out_version,
              GError     **error)
{
  sqlite3 *db = NULL;
  gboolean ok;

  if (immutable)
    {
      g_autofree char *escaped = g_uri_escape_string (path, G_URI_RESERVED_CHARS_ALLOWED_IN_PATH,
                                                      FALSE);
      g_autofree char *uri = g_strconcat ("file:", escaped, "?immutable=1", NULL);
      int rc = sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
                                SQLITE_OPEN_NOMUTEX, NULL);

      if (rc != SQLITE_OK)
        {
          _vigil_store_set_error (error, db, rc, path, "open");
          sqlite3_close (db);
          return FALSE;
        }
      sqlite3_extended_result_codes (db, TRUE);
    }
  else if (!_vigil_store_open_db (path, SQLITE_OPEN_READONLY, &db, error))
    return FALSE;

  ok = _vigil_store_inspect (db, path, out_version, error);
  sqlite3_close (db);

  return ok;
}

/* Looks at an existing file without changing it, so that a file we refuse is left exactly as
 * it was. Even a read-only connection creates the -wal and -shm files of a database in WAL
 * mode (ours, a newer Vigil's), and rewrites a -shm left by a crash, so the main file is read
 * alone first: without a -wal that is all there is, and what it refuses (another program's
 * file, a newer schema) no -wal can make ours. Only a -wal beside a file of ours is read too,
 * for a newer schema that a crashed newer Vigil left in it; then SQLite may rebuild the -shm,
 * its index of the -wal, which holds no data of its own. */
static gboolean
inspect_readonly (const char  *path,
                  int         *out_version,
                  GError     **error)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autoptr(GError) local_error = NULL;

  if (!g_file_test (wal, G_FILE_TEST_EXISTS))
    return inspect_file (path, TRUE, out_version, error);

  /* A main file cut short by a crash while checkpointing is whole again with its -wal. */
  if (!inspect_file (path, TRUE, out_version, &local_error) &&
      g_error_matches (local_error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_SCHEMA))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return inspect_file (path, FALSE, out_version, error);
}

VigilStore *
vigil_store_open (const char  *path,
                  GError     **error)
{
  g_autoptr(VigilStore) self = NULL;
  int version = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_file_test (path, G_FILE_TEST_EXISTS) && !inspect_readonly (path, &version, error))
    return NULL;

  self = g_object_new (VIGIL_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  if (!_vigil_store_open_db (path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &self->write_db,
                             error) ||
      /* Before WAL, which fixes the page size of a new file; an existing file keeps its own.
       * Big pages, a big cache and rare checkpoints: a replay writes hundreds of thousands
       * of rows a second, and every page written is a system call on the writer thread. */
      !exec_pragma (self, "PRAGMA page_size = 16384", error) ||
      !exec_pragma (self, "PRAGMA journal_mode = WAL", error) ||
      !exec_pragma (self, "PRAGMA synchronous = NORMAL", error) ||
      !exec_pragma (self, "PRAGMA cache_size = -32768", error) ||
      !exec_pragma (self, "PRAGMA wal_autocheckpoint = 2048", error) ||
      !exec_pragma (self, "PRAGMA foreign_keys = ON", error) ||
      !limit_pages (self, error) ||
      !_vigil_store_migrate (self->write_db, path, error) ||
      !_vigil_store_prepare_writer (self, error) ||
      !open_reader (self, error))
    return NULL;

  self->writer = g_thread_try_new ("vigil-store", writer_main, self, error);
  if (self->writer == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

VigilStore *
vigil_store_open_readonly (const char  *path,
                           GError     **error)
{
  g_autoptr(VigilStore) self = NULL;
  int version = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                   "%s does not exist", path);
      return NULL;
    }

  /* Refused without the reader's connection, which would leave WAL side files behind. */
  if (!inspect_readonly (path, &version, error))
    return NULL;

  self = g_object_new (VIGIL_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->readonly = TRUE;

  if (!open_reader (self, error) ||
      !_vigil_store_inspect (self->read_db, path, &version, error))
    return NULL;

  if (version == 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_SCHEMA,
                   "%s is not a Vigil store (it is empty)", path);
      return NULL;
    }

  return g_steal_pointer (&self);
}

const char *
vigil_store_get_path (VigilStore *self)
{
  g_return_val_if_fail (VIGIL_IS_STORE (self), NULL);

  return self->path;
}

gint64
vigil_store_ensure_session (VigilStore              *self,
                            const VigilSessionInfo  *info,
                            GError                 **error)
{
  SessionRequest request = { 0 };
  gint64 id;

  g_return_val_if_fail (VIGIL_IS_STORE (self), 0);
  g_return_val_if_fail (!self->readonly, 0);
  g_return_val_if_fail (info != NULL, 0);
  g_return_val_if_fail (info->kind != NULL && info->source != NULL, 0);
  g_return_val_if_fail (info->rules_json != NULL, 0);
  g_return_val_if_fail (info->camera == NULL || strlen (info->camera) <= VIGIL_CAMERA_ID_MAX, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  request.info = info;
  request.key = session_key (info);

  g_mutex_lock (&self->lock);
  if (self->closed)
    {
      g_mutex_unlock (&self->lock);
      g_free (request.key);
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_FAILED,
                   "The store %s is closed", self->path);
      return 0;
    }
  g_queue_push_tail (&self->requests, &request);
  g_cond_signal (&self->work_cond);
  while (!request.done)
    g_cond_wait (&self->done_cond, &self->lock);
  g_mutex_unlock (&self->lock);

  g_free (request.key);
  id = request.id;
  if (request.error != NULL)
    {
      g_propagate_error (error, request.error);
      return 0;
    }

  return id;
}

void
vigil_store_submit (VigilStore      *self,
                    VigilStoreBatch *batch)
{
  g_return_if_fail (VIGIL_IS_STORE (self));
  g_return_if_fail (!self->readonly);
  g_return_if_fail (batch != NULL);

  g_mutex_lock (&self->lock);

  if (self->closed || self->stopping)
    {
      g_mutex_unlock (&self->lock);
      g_critical ("vigil_store_submit: the store %s is closed", self->path);
      vigil_store_batch_free (batch);
      return;
    }

  while (self->batches.length >= QUEUE_CAPACITY)
    g_cond_wait (&self->space_cond, &self->lock);

  g_queue_push_tail (&self->batches, batch);
  self->n_submitted++;
  g_cond_signal (&self->work_cond);

  g_mutex_unlock (&self->lock);
}

/* Called with the lock held. */
static gboolean
wait_committed (VigilStore  *self,
                guint64      target,
                GError     **error)
{
  self->n_waiting++;
  g_cond_signal (&self->work_cond);
  while (self->n_committed < target)
    g_cond_wait (&self->done_cond, &self->lock);
  self->n_waiting--;

  if (self->write_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->write_error));
      return FALSE;
    }

  return TRUE;
}

gboolean
vigil_store_flush (VigilStore  *self,
                   GError     **error)
{
  gboolean ok;

  g_return_val_if_fail (VIGIL_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  ok = wait_committed (self, self->n_submitted, error);
  g_mutex_unlock (&self->lock);

  return ok;
}

gboolean
vigil_store_check (VigilStore  *self,
                   GError     **error)
{
  gboolean ok;

  g_return_val_if_fail (VIGIL_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  ok = self->write_error == NULL;
  if (!ok)
    g_propagate_error (error, g_error_copy (self->write_error));
  g_mutex_unlock (&self->lock);

  return ok;
}

gboolean
vigil_store_close (VigilStore  *self,
                   GError     **error)
{
  GThread *writer;
  gboolean ok;

  g_return_val_if_fail (VIGIL_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  ok = wait_committed (self, self->n_submitted, error);
  self->stopping = TRUE;
  self->closed = TRUE;
  writer = g_steal_pointer (&self->writer);
  g_cond_signal (&self->work_cond);
  g_mutex_unlock (&self->lock);

  if (writer != NULL)
    g_thread_join (writer);

  for (guint i = 0; i < VIGIL_STORE_N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);

  g_mutex_lock (&self->read_lock);
  g_clear_pointer (&self->read_db, sqlite3_close);
  g_mutex_unlock (&self->read_lock);

  /* The last connection to close checkpoints the WAL into the file and removes it. */
  g_clear_pointer (&self->write_db, sqlite3_close);

  return ok;
}

/* Called with read_lock held. */
gboolean
_vigil_store_resolve_session (VigilStore  *self,
                              gint64       session_id,
                              gint64      *out_session_id,
                              GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  const char *sql = session_id == 0 ? "SELECT id FROM sessions ORDER BY id DESC LIMIT 1"
                                    : "SELECT id FROM sessions WHERE id = ?1";
  int rc;

  g_assert (self->read_db != NULL);

  rc = sqlite3_prepare_v2 (self->read_db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      if (session_id != 0)
        sqlite3_bind_int64 (stmt, 1, session_id);
      rc = sqlite3_step (stmt);
    }

  if (rc == SQLITE_ROW)
    *out_session_id = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  if (rc == SQLITE_DONE && session_id == 0)
    {
      *out_session_id = 0;
      return TRUE;
    }

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                   "%s has no session %" G_GINT64_FORMAT, self->path, session_id);
      return FALSE;
    }

  if (rc != SQLITE_ROW)
    return _vigil_store_set_error (error, self->read_db, rc, self->path, "find the session");

  return TRUE;
}

gint64
vigil_store_get_latest_session (VigilStore  *self,
                                GError     **error)
{
  gint64 id = 0;
  gboolean ok;

  g_return_val_if_fail (VIGIL_IS_STORE (self), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  g_mutex_lock (&self->read_lock);
  if (self->read_db == NULL)
    {
      g_mutex_unlock (&self->read_lock);
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_FAILED,
                   "The store %s is closed", self->path);
      return 0;
    }
  ok = _vigil_store_resolve_session (self, 0, &id, error);
  g_mutex_unlock (&self->read_lock);

  return ok ? id : 0;
}
