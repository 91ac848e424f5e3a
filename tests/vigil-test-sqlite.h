/* vigil-test-sqlite.h
 *
 * Reading a store's file straight through SQLite, as tests do to check the engine against an
 * independent query (header-only: tests are single-file programs).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <math.h>
#include <sqlite3.h>

#include "vigil-records.h"

G_BEGIN_DECLS

static inline sqlite3 *
open_db (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);

  return db;
}

static inline sqlite3_stmt *
prepare (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);

  return stmt;
}

/* The first column of the first row of @sql. */
static inline gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = prepare (db, sql);
  gint64 value;

  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

/* NULL reads as NAN, as the engine stores a statistic it does not have. */
static inline double
column_double (sqlite3_stmt *stmt,
               int           column)
{
  return sqlite3_column_type (stmt, column) == SQLITE_NULL ? NAN
                                                           : sqlite3_column_double (stmt, column);
}

/* A window of sensor @key whose window_start, window_end, count, avg, min, max, stddev and
 * range are the row's columns from @first on. */
static inline VigilWindowStats
column_window (sqlite3_stmt *stmt,
               int           first,
               guint         key)
{
  return (VigilWindowStats) {
    .key = key,
    .start_us = sqlite3_column_int64 (stmt, first),
    .end_us = sqlite3_column_int64 (stmt, first + 1),
    .count = (guint64) sqlite3_column_int64 (stmt, first + 2),
    .avg = column_double (stmt, first + 3),
    .min = column_double (stmt, first + 4),
    .max = column_double (stmt, first + 5),
    .stddev = column_double (stmt, first + 6),
    .range = column_double (stmt, first + 7),
  };
}

G_END_DECLS
