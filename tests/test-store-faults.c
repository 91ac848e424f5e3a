/* test-store-faults.c
 *
 * Stores that must be refused, and a disk that fills up. A file that is truncated, not
 * Vigil's, or from a newer schema is refused with a clear message by every way of opening a
 * store (the store, read-only, a recording, and each vigil-cli command that takes --db), and
 * left exactly as it was, byte for byte, side files (-wal, -shm, -journal) included. A full
 * disk (SQLite's page limit, through VIGIL_STORE_MAX_PAGES) fails writes with an error naming
 * the file, stops a replay before its end, and loses nothing committed before.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "vigil-error.h"
#include "vigil-hydraulic-generator.h"
#include "vigil-hydraulic-replay.h"
#include "vigil-recording.h"
#include "vigil-rules.h"
#include "vigil-sensor.h"
#include "vigil-store.h"
#include "vigil-test-cli.h"
#include "vigil-test-gstreamer.h"
#include "vigil-test-util.h"

#define T0 G_GINT64_CONSTANT (1735689600000000)
#define SEC(s) ((gint64) ((s) * G_USEC_PER_SEC))
#define RIG_CYCLES 6
/* The empty schema needs 27 pages of 16 KiB; a few more hold the first minutes of a rig. */
#define MAX_PAGES "29"

static const char * const side_suffixes[] = { "", "-wal", "-shm", "-journal" };

/* Shared by every test: a small rig and a few camera frames, made once. */
static char *data_dir;
static char *rig_dir;
static char *frames_dir;

typedef struct
{
  char  *dir;
  char  *path;
  char **envp;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("vigil-store-faults-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "store.vigil", NULL);
  f->envp = cli_gstreamer_env (f->dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  vigil_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
  g_strfreev (f->envp);
}

/* Helpers ------------------------------------------------------------------------------------ */

static void
exec_sql (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static sqlite3 *
open_sqlite (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                   ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 30000);

  return db;
}

static VigilWindowStats
window (guint  sensor,
        gint64 start,
        double avg)
{
  VigilWindowStats w = { 0 };

  w.key = sensor;
  w.start_us = start;
  w.end_us = start + SEC (60);
  w.count = 600;
  w.avg = avg;
  w.min = avg - 1;
  w.max = avg + 1;
  w.stddev = 0.5;
  w.range = 2;

  return w;
}

static gint64
ensure_session (VigilStore *store,
                const char *source)
{
  g_autoptr(GError) error = NULL;
  VigilSessionInfo info = {
    .kind = "hydraulic", .source = source, .start_us = T0, .window_us = SEC (60),
    .slide_us = SEC (10), .lateness_us = SEC (10), .rules_json = "[]",
  };
  gint64 id = vigil_store_ensure_session (store, &info, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  return id;
}

/* A Vigil store with some windows, closed. */
static void
make_store (const char *path,
            guint       n_windows)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = vigil_store_open (path, &error);
  VigilStoreBatch *batch;
  gint64 id;

  g_assert_no_error (error);
  id = ensure_session (store, "/rigs/a");
  batch = vigil_store_batch_new (id);
  for (guint i = 0; i < n_windows; i++)
    {
      VigilWindowStats w = window (i % VIGIL_N_SENSORS, T0 + SEC (10) * (i / VIGIL_N_SENSORS), i);

      g_array_append_val (batch->windows, w);
    }
  vigil_store_submit (store, batch);
  g_assert_true (vigil_store_close (store, &error));
  g_assert_no_error (error);
}

/* Rows of @sql, one line each, '|' between fields, reals with %.17g. */
static char *
query_rows (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GString *out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        {
          if (i > 0)
            g_string_append_c (out, '|');
          if (sqlite3_column_type (stmt, i) == SQLITE_FLOAT)
            g_string_append_printf (out, "%.17g", sqlite3_column_double (stmt, i));
          else if (sqlite3_column_type (stmt, i) == SQLITE_NULL)
            g_string_append (out, "NULL");
          else
            g_string_append (out, (const char *) sqlite3_column_text (stmt, i));
        }
      g_string_append_c (out, '\n');
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return g_string_free (out, FALSE);
}

static void
assert_integrity_ok (const char *path)
{
  g_autofree char *result = query_rows (path, "PRAGMA integrity_check");

  g_assert_cmpstr (result, ==, "ok\n");
}

/* Refusals ---------------------------------------------------------------------------------- */

/* What is on disk for @path and its side files: NULL for a file that does not exist. */
typedef struct
{
  GBytes *files[G_N_ELEMENTS (side_suffixes)];
} Snapshot;

static void
snapshot_take (Snapshot   *s,
               const char *path)
{
  for (guint i = 0; i < G_N_ELEMENTS (side_suffixes); i++)
    {
      g_autofree char *name = g_strconcat (path, side_suffixes[i], NULL);
      char *contents = NULL;
      gsize len = 0;

      s->files[i] = g_file_get_contents (name, &contents, &len, NULL)
                    ? g_bytes_new_take (contents, len) : NULL;
    }
}

static void
snapshot_clear (Snapshot *s)
{
  for (guint i = 0; i < G_N_ELEMENTS (side_suffixes); i++)
    g_clear_pointer (&s->files[i], g_bytes_unref);
}

/* @shm_rebuilt: SQLite may have rebuilt the -shm (its index of the -wal, no data of its own),
 * which it does when it has to read a -wal that a crash left (vigil-store.c, inspect_readonly). */
static void
assert_unchanged (const Snapshot *before,
                  const char     *path,
                  const char     *how,
                  gboolean        shm_rebuilt)
{
  Snapshot after = { 0 };

  snapshot_take (&after, path);
  for (guint i = 0; i < G_N_ELEMENTS (side_suffixes); i++)
    {
      if (shm_rebuilt && g_str_equal (side_suffixes[i], "-shm") && before->files[i] != NULL)
        {
          g_assert_nonnull (after.files[i]);
          g_assert_cmpuint (g_bytes_get_size (after.files[i]), ==,
                            g_bytes_get_size (before->files[i]));
          continue;
        }

      gboolean same = before->files[i] == NULL
                      ? after.files[i] == NULL
                      : after.files[i] != NULL && g_bytes_equal (before->files[i], after.files[i]);

      if (!same)
        g_error ("%s changed %s%s (%s before, %s after)", how, path, side_suffixes[i],
                 before->files[i] != NULL ? "present" : "absent",
                 after.files[i] != NULL ? "present" : "absent");
    }
  snapshot_clear (&after);
}

static void
assert_message (const char *message,
                const char *pattern,
                const char *path,
                const char *how)
{
  g_autoptr(GString) expected = g_string_new (pattern);

  g_string_replace (expected, "PATH", path, 0);
  if (!g_pattern_match_simple (expected->str, message))
    g_error ("%s: “%s” does not match “%s”", how, message, expected->str);
}

/* Every way of opening a store refuses @path with @code and a message matching @pattern (PATH
 * stands for the path), and leaves the file and its side files as they were (@shm_rebuilt:
 * assert_unchanged()). */
static void
assert_refused_everywhere (Fixture    *f,
                           const char *path,
                           int         code,
                           const char *pattern,
                           gboolean    shm_rebuilt)
{
  g_autofree char *csv = g_build_filename (f->dir, "out.csv", NULL);
  g_autofree char *cli_pattern = g_strconcat ("vigil-cli: ", pattern, "\n", NULL);
  const char *commands[][12] = {
    { "export", "windows", "--db", path, "--out", csv },
    { "models", "--db", path },
    { "predict", "--db", path, "--target", "cooler", "--dataset", rig_dir },
    { "train", "--db", path, "--dataset", rig_dir, "--target", "cooler" },
    { "replay", "hydraulic", rig_dir, "--db", path },
    { "replay", "traffic", frames_dir, "--camera", "cam_01", "--db", path },
    { "consume", "--brokers", "127.0.0.1:9", "--db", path, "--exit-when-idle", "1" },
  };
  Snapshot before = { 0 };

  snapshot_take (&before, path);
  g_assert_nonnull (before.files[0]);

  for (guint how = 0; how < 3; how++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GObject) opened = NULL;
      const char *names[] = { "vigil_store_open", "vigil_store_open_readonly",
                              "vigil_recording_open" };

      if (how == 0)
        opened = (GObject *) vigil_store_open (path, &error);
      else if (how == 1)
        opened = (GObject *) vigil_store_open_readonly (path, &error);
      else
        opened = (GObject *) vigil_recording_open (path, 0, &error);
      g_assert_null (opened);
      g_assert_error (error, VIGIL_ENGINE_ERROR, code);
      assert_message (error->message, pattern, path, names[how]);
      assert_unchanged (&before, path, names[how], shm_rebuilt);
    }

  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *how = NULL;
      g_auto(Result) r = { 0 };
      int wait_status;

      g_ptr_array_add (argv, (char *) g_getenv ("VIGIL_CLI"));
      for (guint i = 0; commands[c][i] != NULL; i++)
        g_ptr_array_add (argv, (char *) commands[c][i]);
      g_ptr_array_add (argv, NULL);
      how = g_strjoinv (" ", (char **) argv->pdata + 1);

      g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, f->envp, G_SPAWN_DEFAULT, NULL,
                                   NULL, &r.out, &r.err, &wait_status, &error));
      g_assert_no_error (error);
      g_assert_true (WIFEXITED (wait_status));
      if (WEXITSTATUS (wait_status) != 1)
        g_error ("vigil-cli %s: exit status %d (stderr: %s)", how, WEXITSTATUS (wait_status),
                 r.err);
      assert_message (r.err, cli_pattern, path, how);
      g_assert_cmpstr (r.out, ==, "");
      assert_unchanged (&before, path, how, shm_rebuilt);
      g_assert_false (g_file_test (csv, G_FILE_TEST_EXISTS));
    }

  snapshot_clear (&before);
}

/* @path as it would be left by a crash of a program writing it: the last changes (@sql) are
 * still in its -wal file, with the -shm beside it. */
static void
crash_copy (const char *from,
            const char *path,
            const char *sql)
{
  sqlite3 *db = open_sqlite (from);

  exec_sql (db, "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;");
  exec_sql (db, sql);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *src = g_strconcat (from, side_suffixes[i], NULL);
      g_autofree char *dst = g_strconcat (path, side_suffixes[i], NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (src, &contents, &len, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_set_contents (dst, contents, len, &error));
      g_assert_no_error (error);
    }
  sqlite3_close (db);
}

static void
test_refuse_newer (Fixture       *f,
                   gconstpointer  data)
{
  const char *message = "PATH was written by a newer Vigil (store schema 5; this Vigil reads up "
                        "to 4)";
  g_autofree char *live = g_build_filename (f->dir, "live.vigil", NULL);
  g_autofree char *crashed = g_build_filename (f->dir, "crashed.vigil", NULL);
  g_autofree char *live2 = g_build_filename (f->dir, "live2.vigil", NULL);
  g_autofree char *crashed2 = g_build_filename (f->dir, "crashed2.vigil", NULL);
  g_autofree char *wal = g_strconcat (crashed, "-wal", NULL);
  sqlite3 *db;

  make_store (f->path, 40);
  db = open_sqlite (f->path);
  exec_sql (db, "PRAGMA user_version = 5");
  sqlite3_close (db);
  assert_refused_everywhere (f, f->path, VIGIL_ENGINE_ERROR_SCHEMA, message, FALSE);

  /* A newer Vigil that crashed with changes in its write-ahead log. */
  make_store (live, 40);
  db = open_sqlite (live);
  exec_sql (db, "PRAGMA user_version = 5");
  sqlite3_close (db);
  crash_copy (live, crashed, "CREATE TABLE from_the_future (x); UPDATE windows SET avg = -avg;");
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  assert_refused_everywhere (f, crashed, VIGIL_ENGINE_ERROR_SCHEMA, message, FALSE);

  /* Its schema change itself only in the log: read through it, the -shm rebuilt at most. */
  make_store (live2, 40);
  crash_copy (live2, crashed2, "PRAGMA user_version = 5; CREATE TABLE from_the_future (x);");
  assert_refused_everywhere (f, crashed2, VIGIL_ENGINE_ERROR_SCHEMA, message, TRUE);
}

static void
test_refuse_foreign (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *other = g_build_filename (f->dir, "other.db", NULL);
  g_autofree char *crashed = g_build_filename (f->dir, "crashed.db", NULL);
  sqlite3 *db = open_sqlite (f->path);

  exec_sql (db, "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);"
                "INSERT INTO notes (text) VALUES ('not Vigil');");
  sqlite3_close (db);
  assert_refused_everywhere (f, f->path, VIGIL_ENGINE_ERROR_SCHEMA,
                             "PATH is a SQLite database but not a Vigil store", FALSE);

  /* Another program's WAL database, caught mid-write. */
  db = open_sqlite (other);
  exec_sql (db, "PRAGMA application_id = 42; PRAGMA user_version = 1;"
                "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
  sqlite3_close (db);
  crash_copy (other, crashed, "INSERT INTO t VALUES (2);");
  assert_refused_everywhere (f, crashed, VIGIL_ENGINE_ERROR_SCHEMA,
                             "PATH is a SQLite database but not a Vigil store", FALSE);
}

static void
test_refuse_garbage (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (f->path, "timestamp,sensor,value\n2025-01-01,PS1,151.2\n", -1, &error);
  g_assert_no_error (error);
  assert_refused_everywhere (f, f->path, VIGIL_ENGINE_ERROR_SCHEMA,
                             "PATH is not a Vigil store (it is not an SQLite database)", FALSE);
}

static void
test_refuse_truncated (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *whole = g_build_filename (f->dir, "whole.vigil", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  make_store (whole, 4000);
  g_assert_true (g_file_get_contents (whole, &contents, &len, &error));
  g_assert_cmpuint (len, >, 8 * 16384);

  /* Whole pages missing, then a page cut in the middle. */
  g_assert_true (g_file_set_contents (f->path, contents, len / 2 / 16384 * 16384, &error));
  g_assert_no_error (error);
  assert_refused_everywhere (f, f->path, VIGIL_ENGINE_ERROR_STORE,
                             "PATH is damaged (truncated or corrupted)*", FALSE);
  g_assert_true (g_file_set_contents (f->path, contents, len / 2 + 777, &error));
  g_assert_no_error (error);
  assert_refused_everywhere (f, f->path, VIGIL_ENGINE_ERROR_STORE,
                             "PATH is damaged (truncated or corrupted)*", FALSE);
}

/* A full disk ------------------------------------------------------------------------------- */

/* What was committed stays when a later write finds the disk full, the error names the file
 * and the cause, every later write is refused with it, and once there is room (no limit) the
 * same file takes writes again. */
static void
test_full_store (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) close_error = NULL;
  g_autoptr(GError) check_error = NULL;
  g_autoptr(VigilStore) store = NULL;
  g_autofree char *committed = NULL;
  g_autofree char *after = NULL;
  g_autofree char *expected = NULL;
  VigilStoreBatch *batch;
  gint64 id;
  guint n_batches = 0;

  g_setenv ("VIGIL_STORE_MAX_PAGES", MAX_PAGES, TRUE);
  store = vigil_store_open (f->path, &error);
  g_unsetenv ("VIGIL_STORE_MAX_PAGES");
  g_assert_no_error (error);
  id = ensure_session (store, "/rigs/full");

  batch = vigil_store_batch_new (id);
  for (guint i = 0; i < 100; i++)
    {
      VigilWindowStats w = window (VIGIL_SENSOR_PS1, T0 + SEC (10) * i, i + 0.25);

      g_array_append_val (batch->windows, w);
    }
  vigil_store_submit (store, batch);
  g_assert_true (vigil_store_flush (store, &error));
  g_assert_no_error (error);
  g_assert_true (vigil_store_check (store, &error));
  committed = query_rows (f->path, "SELECT * FROM windows ORDER BY sensor, window_start");
  g_assert_cmpuint (strlen (committed), >, 0);

  /* Then windows of other sensors until the file would outgrow its pages. */
  do
    {
      batch = vigil_store_batch_new (id);
      for (guint i = 0; i < 500; i++)
        {
          VigilWindowStats w = window (VIGIL_SENSOR_PS2 + n_batches % 16,
                                       T0 + SEC (10) * (i + 500 * (n_batches / 16)), i);

          g_array_append_val (batch->windows, w);
        }
      vigil_store_submit (store, batch);
      n_batches++;
      g_assert_cmpuint (n_batches, <, 1000);
    }
  while (vigil_store_flush (store, &error));

  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_STORE);
  expected = g_strdup_printf ("Could not * in %s: the disk or the database is full (*)", f->path);
  if (!g_pattern_match_simple (expected, error->message))
    g_error ("“%s” does not match “%s”", error->message, expected);
  g_assert_false (vigil_store_check (store, &check_error));
  g_assert_cmpstr (check_error->message, ==, error->message);
  g_assert_false (vigil_store_close (store, &close_error));
  g_assert_cmpstr (close_error->message, ==, error->message);

  /* The first batch is there as it was committed, and the file is sound. */
  assert_integrity_ok (f->path);
  after = query_rows (f->path, "SELECT * FROM windows WHERE sensor = 'PS1'"
                               " ORDER BY sensor, window_start");
  g_assert_cmpstr (after, ==, committed);
  g_test_message ("full after %u batches of 500 windows", n_batches);

  /* Room again: the same file takes the next writes. */
  g_clear_object (&store);
  g_clear_error (&error);
  store = vigil_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ensure_session (store, "/rigs/full"), ==, id);
  batch = vigil_store_batch_new (id);
  g_array_append_vals (batch->windows, (VigilWindowStats[]) {
    window (VIGIL_SENSOR_SE, T0, 42) }, 1);
  vigil_store_submit (store, batch);
  g_assert_true (vigil_store_close (store, &error));
  g_assert_no_error (error);
  g_clear_pointer (&after, g_free);
  after = query_rows (f->path, "SELECT count(*) FROM windows WHERE sensor = 'SE'");
  g_assert_cmpstr (after, ==, "1\n");
}

/* Every window row of @path is one of @reference's, identical; returns how many. */
static guint
assert_windows_subset (const char *path,
                       const char *reference)
{
  const char *sql = "SELECT sensor, window_start, window_end, count, avg, min, max, stddev,"
                    " \"range\" FROM windows ORDER BY sensor, window_start";
  g_autofree char *all = query_rows (reference, sql);
  g_autofree char *some = query_rows (path, sql);
  g_auto(GStrv) lines = g_strsplit (some, "\n", -1);
  g_auto(GStrv) ref_lines = g_strsplit (all, "\n", -1);
  g_autoptr(GHashTable) known = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = 0;

  for (guint i = 0; ref_lines[i] != NULL; i++)
    g_hash_table_add (known, ref_lines[i]);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (*lines[i] == '\0')
        continue;
      if (!g_hash_table_contains (known, lines[i]))
        g_error ("%s holds a window the full replay does not: %s", path, lines[i]);
      n++;
    }

  return n;
}

/* A replay that fills the disk stops before its end with the store's error; the windows it
 * committed are there, each as an uninterrupted replay computes it. */
static void
test_full_replay (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *reference = g_build_filename (f->dir, "reference.vigil", NULL);
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_default ();
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilHydraulicReplay) replay = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  VigilReplayOptions options;
  VigilReplayStats st;
  guint n_kept;

  vigil_replay_options_init (&options);
  store = vigil_store_open (reference, &error);
  g_assert_no_error (error);
  replay = vigil_hydraulic_replay_new (rig_dir, store, rules, &options);
  g_assert_true (vigil_hydraulic_replay_run (replay, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (vigil_store_close (store, &error));
  g_clear_object (&replay);
  g_clear_object (&store);

  /* Paced, so that the first minutes commit on their own before the disk is full. */
  options.speed = 120;
  g_setenv ("VIGIL_STORE_MAX_PAGES", MAX_PAGES, TRUE);
  store = vigil_store_open (f->path, &error);
  g_unsetenv ("VIGIL_STORE_MAX_PAGES");
  g_assert_no_error (error);
  replay = vigil_hydraulic_replay_new (rig_dir, store, rules, &options);
  g_assert_true (vigil_hydraulic_replay_start (replay, &error));
  g_assert_no_error (error);
  g_assert_false (vigil_hydraulic_replay_wait (replay, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_STORE);
  expected = g_strdup_printf ("Could not * in %s: the disk or the database is full (*)", f->path);
  if (!g_pattern_match_simple (expected, error->message))
    g_error ("“%s” does not match “%s”", error->message, expected);

  /* It stopped: not every cycle was read. */
  vigil_hydraulic_replay_get_stats (replay, &st);
  g_assert_cmpuint (st.n_cycles, ==, RIG_CYCLES);
  g_assert_cmpuint (st.cycles_done, <, RIG_CYCLES);
  g_assert_false (vigil_store_close (store, NULL));

  assert_integrity_ok (f->path);
  n_kept = assert_windows_subset (f->path, reference);
  g_assert_cmpuint (n_kept, >, 0);
  g_test_message ("%u windows committed before the disk was full, %u of %u cycles read", n_kept,
                  st.cycles_done, st.n_cycles);
}

/* vigil-cli says it in one line and exits with 1; the store keeps what it committed. */
static void
test_full_cli (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *reference = g_build_filename (f->dir, "reference.vigil", NULL);
  g_autofree char *pattern = NULL;
  g_auto(Result) ref = { 0 };
  g_auto(Result) r = { 0 };
  g_auto(Result) resumed = { 0 };
  char **envp = g_environ_setenv (g_strdupv (f->envp), "VIGIL_STORE_MAX_PAGES", MAX_PAGES, TRUE);
  g_autofree char *all = NULL;
  g_autofree char *again = NULL;
  const char *sql = "SELECT sensor, window_start, window_end, count, avg, min, max, stddev,"
                    " \"range\" FROM windows ORDER BY sensor, window_start";

  run (&ref, "replay", "hydraulic", rig_dir, "--db", reference, NULL);
  g_assert_cmpint (ref.status, ==, 0);

  run_env (&r, envp, "replay", "hydraulic", rig_dir, "--db", f->path, "--speed", "120", NULL);
  g_strfreev (envp);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "");
  pattern = g_strdup_printf ("vigil-cli: Could not * in %s: the disk or the database is full "
                             "(*)\n", f->path);
  if (!g_pattern_match_simple (pattern, r.err))
    g_error ("“%s” does not match “%s”", r.err, pattern);
  assert_integrity_ok (f->path);
  g_assert_cmpuint (assert_windows_subset (f->path, reference), >, 0);

  /* With room again, running it again completes the store. */
  run (&resumed, "replay", "hydraulic", rig_dir, "--db", f->path, NULL);
  g_assert_cmpint (resumed.status, ==, 0);
  all = query_rows (reference, sql);
  again = query_rows (f->path, sql);
  g_assert_cmpstr (again, ==, all);

  /* A limit that is not a number is refused before the file is made. */
  {
    g_autofree char *other = g_build_filename (f->dir, "other.vigil", NULL);
    char **bad = g_environ_setenv (g_strdupv (f->envp), "VIGIL_STORE_MAX_PAGES", "lots", TRUE);
    g_auto(Result) b = { 0 };

    run_env (&b, bad, "replay", "hydraulic", rig_dir, "--db", other, NULL);
    g_strfreev (bad);
    g_assert_cmpint (b.status, ==, 1);
    g_assert_cmpstr (b.err, ==, "vigil-cli: VIGIL_STORE_MAX_PAGES: “lots” is not a number of "
                                "pages\n");
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_auto(Result) gen = { 0 };
  g_autofree char *cameras = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  data_dir = g_dir_make_tmp ("vigil-store-faults-data-XXXXXX", &error);
  g_assert_no_error (error);
  rig_dir = g_build_filename (data_dir, "rig", NULL);
  g_assert_true (vigil_hydraulic_generate (rig_dir, RIG_CYCLES, 5, NULL, &error));
  g_assert_no_error (error);
  cameras = g_build_filename (data_dir, "cameras", NULL);
  run (&gen, "generate", "traffic", "--out", cameras, "--frames", "10", "--width", "64",
       "--height", "48", NULL);
  g_assert_cmpint (gen.status, ==, 0);
  frames_dir = g_build_filename (cameras, "cam_01", "frames", NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/engine/store-faults/refuse/newer", test_refuse_newer);
  ADD ("/engine/store-faults/refuse/foreign", test_refuse_foreign);
  ADD ("/engine/store-faults/refuse/garbage", test_refuse_garbage);
  ADD ("/engine/store-faults/refuse/truncated", test_refuse_truncated);
  ADD ("/engine/store-faults/full/store", test_full_store);
  ADD ("/engine/store-faults/full/replay", test_full_replay);
  ADD ("/engine/store-faults/full/cli", test_full_cli);
#undef ADD

  status = g_test_run ();

  vigil_test_remove_tree (data_dir);
  g_free (data_dir);
  g_free (rig_dir);
  g_free (frames_dir);

  return status;
}
