/* vigil-store-models.c
 *
 * The model registry of a store: trained models with their metrics and serialized form, and
 * the aliases ("champion") that name one model per target.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-store"

#include "config.h"

#include "vigil-error.h"
#include "vigil-store-private.h"

#define RECORD_COLUMNS \
  "m.id, m.target, m.algorithm, m.params_json, m.features, m.data_source, m.data_from_us," \
  " m.data_to_us, m.n_train, m.n_test, m.metrics_json, m.created_us," \
  " (SELECT coalesce (group_concat (a.alias, ','), '') FROM" \
  "   (SELECT alias FROM model_aliases WHERE model_id = m.id ORDER BY alias) AS a)"

void
vigil_model_record_free (VigilModelRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->target);
  g_free (record->algorithm);
  g_free (record->params_json);
  g_free (record->features_json);
  g_free (record->data_source);
  g_free (record->metrics_json);
  g_clear_pointer (&record->model, g_bytes_unref);
  g_free (record->aliases);
  g_free (record);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return g_strdup (text != NULL ? text : "");
}

static VigilModelRecord *
record_from_row (sqlite3_stmt *stmt,
                 gboolean      with_blob)
{
  VigilModelRecord *record = g_new0 (VigilModelRecord, 1);

  record->id = sqlite3_column_int64 (stmt, 0);
  record->target = column_text (stmt, 1);
  record->algorithm = column_text (stmt, 2);
  record->params_json = column_text (stmt, 3);
  record->features_json = column_text (stmt, 4);
  record->data_source = column_text (stmt, 5);
  record->data_from_us = sqlite3_column_int64 (stmt, 6);
  record->data_to_us = sqlite3_column_int64 (stmt, 7);
  record->n_train = sqlite3_column_int64 (stmt, 8);
  record->n_test = sqlite3_column_int64 (stmt, 9);
  record->metrics_json = column_text (stmt, 10);
  record->created_us = sqlite3_column_int64 (stmt, 11);
  record->aliases = column_text (stmt, 12);
  if (with_blob)
    record->model = g_bytes_new (sqlite3_column_blob (stmt, 13),
                                 (gsize) sqlite3_column_bytes (stmt, 13));

  return record;
}

static gboolean
is_closed (VigilStore *self)
{
  gboolean closed;

  g_mutex_lock (&self->lock);
  closed = self->closed;
  g_mutex_unlock (&self->lock);

  return closed;
}

static gboolean
fail_closed (VigilStore  *self,
             GError     **error)
{
  g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_FAILED,
               "The store %s is closed", self->path);
  return FALSE;
}

/* Called with read_lock held. A read-only store of schema 1 has no registry. */
static gboolean
has_registry (VigilStore  *self,
              gboolean    *out_has,
              GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->read_db,
                           "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'models'",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _vigil_store_set_error (error, self->read_db, rc, self->path, "read the models");

  *out_has = rc == SQLITE_ROW;

  return TRUE;
}

/* Writes go through a connection of their own: the writer thread owns the store's write
 * connection, and SQLite serializes the two (WAL, busy timeout) without our help. */
static sqlite3 *
open_writer (VigilStore  *self,
             GError     **error)
{
  sqlite3 *db = NULL;

  if (!_vigil_store_open_db (self->path, SQLITE_OPEN_READWRITE, &db, error))
    return NULL;

  if (sqlite3_exec (db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK)
    {
      _vigil_store_set_error (error, db, sqlite3_errcode (db), self->path, "configure");
      sqlite3_close (db);
      return NULL;
    }

  return db;
}

static void
bind_time_or_null (sqlite3_stmt *stmt,
                   int           index,
                   gint64        time_us)
{
  if (time_us != 0)
    sqlite3_bind_int64 (stmt, index, time_us);
  else
    sqlite3_bind_null (stmt, index);
}

gint64
vigil_store_add_model (VigilStore              *self,
                       const VigilModelRecord  *record,
                       GError                 **error)
{
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  gconstpointer blob;
  gsize blob_size;
  gint64 id = 0;
  int rc;

  g_return_val_if_fail (VIGIL_IS_STORE (self), 0);
  g_return_val_if_fail (!self->readonly, 0);
  g_return_val_if_fail (record != NULL, 0);
  g_return_val_if_fail (record->target != NULL && record->algorithm != NULL, 0);
  g_return_val_if_fail (record->params_json != NULL && record->features_json != NULL, 0);
  g_return_val_if_fail (record->data_source != NULL && record->metrics_json != NULL, 0);
  g_return_val_if_fail (record->model != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (is_closed (self))
    return fail_closed (self, error);

  db = open_writer (self, error);
  if (db == NULL)
    return 0;

  blob = g_bytes_get_data (record->model, &blob_size);

  rc = sqlite3_prepare_v2 (db,
                           "INSERT INTO models (target, algorithm, params_json, features,"
                           " data_source, data_from_us, data_to_us, n_train, n_test,"
                           " metrics_json, model, created_us)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, record->target, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, record->algorithm, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, record->params_json, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, record->features_json, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, record->data_source, -1, SQLITE_STATIC);
      bind_time_or_null (stmt, 6, record->data_from_us);
      bind_time_or_null (stmt, 7, record->data_to_us);
      sqlite3_bind_int64 (stmt, 8, record->n_train);
      sqlite3_bind_int64 (stmt, 9, record->n_test);
      sqlite3_bind_text (stmt, 10, record->metrics_json, -1, SQLITE_STATIC);
      /* A zero-length blob binds as NULL, which NOT NULL refuses: an empty model is none. */
      sqlite3_bind_blob64 (stmt, 11, blob_size > 0 ? blob : "", blob_size, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 12, record->created_us != 0 ? record->created_us
                                                            : g_get_real_time ());
      rc = sqlite3_step (stmt);
    }

  if (rc == SQLITE_DONE)
    id = sqlite3_last_insert_rowid (db);
  else
    _vigil_store_set_error (error, db, rc, self->path, "register the model");

  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return id;
}

GPtrArray *
vigil_store_list_models (VigilStore  *self,
                         GError     **error)
{
  g_autoptr(GPtrArray) models = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean has = FALSE;
  int rc = SQLITE_DONE;

  g_return_val_if_fail (VIGIL_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  models = g_ptr_array_new_with_free_func ((GDestroyNotify) vigil_model_record_free);

  g_mutex_lock (&self->read_lock);
  if (self->read_db == NULL)
    {
      g_mutex_unlock (&self->read_lock);
      fail_closed (self, error);
      return NULL;
    }

  if (!has_registry (self, &has, error))
    {
      g_mutex_unlock (&self->read_lock);
      return NULL;
    }

  if (has)
    {
      rc = sqlite3_prepare_v2 (self->read_db,
                               "SELECT " RECORD_COLUMNS " FROM models AS m ORDER BY m.id DESC",
                               -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
          g_ptr_array_add (models, record_from_row (stmt, FALSE));
      if (rc != SQLITE_DONE)
        _vigil_store_set_error (error, self->read_db, rc, self->path, "read the models");
      sqlite3_finalize (stmt);
    }
  g_mutex_unlock (&self->read_lock);

  if (rc != SQLITE_DONE)
    return NULL;

  return g_steal_pointer (&models);
}

VigilModelRecord *
vigil_store_get_model (VigilStore  *self,
                       gint64       id,
                       GError     **error)
{
  VigilModelRecord *record = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean has = FALSE;
  int rc = SQLITE_DONE;

  g_return_val_if_fail (VIGIL_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&self->read_lock);
  if (self->read_db == NULL)
    {
      g_mutex_unlock (&self->read_lock);
      fail_closed (self, error);
      return NULL;
    }

  if (!has_registry (self, &has, error))
    {
      g_mutex_unlock (&self->read_lock);
      return NULL;
    }

  if (has)
    {
      rc = sqlite3_prepare_v2 (self->read_db,
                               "SELECT " RECORD_COLUMNS ", m.model FROM models AS m"
                               " WHERE m.id = ?1",
                               -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          sqlite3_bind_int64 (stmt, 1, id);
          rc = sqlite3_step (stmt);
        }
      if (rc == SQLITE_ROW)
        record = record_from_row (stmt, TRUE);
      else if (rc != SQLITE_DONE)
        _vigil_store_set_error (error, self->read_db, rc, self->path, "read the model");
      sqlite3_finalize (stmt);
    }
  g_mutex_unlock (&self->read_lock);

  if (rc == SQLITE_DONE)
    g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                 "%s has no model %" G_GINT64_FORMAT, self->path, id);

  return record;
}

gboolean
vigil_store_set_alias (VigilStore  *self,
                       const char  *target,
                       const char  *alias,
                       gint64       model_id,
                       GError     **error)
{
  g_autofree char *model_target = NULL;
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (VIGIL_IS_STORE (self), FALSE);
  g_return_val_if_fail (!self->readonly, FALSE);
  g_return_val_if_fail (target != NULL && alias != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (is_closed (self))
    return fail_closed (self, error);

  db = open_writer (self, error);
  if (db == NULL)
    return FALSE;

  rc = sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      _vigil_store_set_error (error, db, rc, self->path, "set the alias");
      goto out;
    }

  rc = sqlite3_prepare_v2 (db, "SELECT target FROM models WHERE id = ?1", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, model_id);
      rc = sqlite3_step (stmt);
    }
  if (rc == SQLITE_ROW)
    model_target = column_text (stmt, 0);
  else if (rc != SQLITE_DONE)
    _vigil_store_set_error (error, db, rc, self->path, "set the alias");
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                   "%s has no model %" G_GINT64_FORMAT, self->path, model_id);
      goto rollback;
    }
  if (rc != SQLITE_ROW)
    goto rollback;

  if (!g_str_equal (model_target, target))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Model %" G_GINT64_FORMAT " of %s predicts %s, not %s", model_id,
                   self->path, model_target, target);
      goto rollback;
    }

  rc = sqlite3_prepare_v2 (db,
                           "INSERT INTO model_aliases (target, alias, model_id)"
                           " VALUES (?1, ?2, ?3)"
                           " ON CONFLICT (target, alias)"
                           " DO UPDATE SET model_id = excluded.model_id",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, target, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, alias, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, model_id);
      rc = sqlite3_step (stmt);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (rc == SQLITE_DONE)
    rc = sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK && rc != SQLITE_DONE)
    {
      _vigil_store_set_error (error, db, rc, self->path, "set the alias");
      goto rollback;
    }

  ok = TRUE;
  goto out;

rollback:
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
out:
  sqlite3_close (db);
  return ok;
}

gint64
vigil_store_get_alias (VigilStore  *self,
                       const char  *target,
                       const char  *alias,
                       GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean has = FALSE;
  gint64 id = 0;
  int rc = SQLITE_DONE;

  g_return_val_if_fail (VIGIL_IS_STORE (self), 0);
  g_return_val_if_fail (target != NULL && alias != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  g_mutex_lock (&self->read_lock);
  if (self->read_db == NULL)
    {
      g_mutex_unlock (&self->read_lock);
      fail_closed (self, error);
      return 0;
    }

  if (!has_registry (self, &has, error))
    {
      g_mutex_unlock (&self->read_lock);
      return 0;
    }

  if (has)
    {
      rc = sqlite3_prepare_v2 (self->read_db,
                               "SELECT model_id FROM model_aliases WHERE target = ?1"
                               " AND alias = ?2",
                               -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          sqlite3_bind_text (stmt, 1, target, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 2, alias, -1, SQLITE_STATIC);
          rc = sqlite3_step (stmt);
        }
      if (rc == SQLITE_ROW)
        id = sqlite3_column_int64 (stmt, 0);
      else if (rc != SQLITE_DONE)
        _vigil_store_set_error (error, self->read_db, rc, self->path, "read the alias");
      sqlite3_finalize (stmt);
    }
  g_mutex_unlock (&self->read_lock);

  return id;
}
