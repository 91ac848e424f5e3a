/* test-kill.c
 *
 * kill -9 at random points of `vigil-cli replay hydraulic`, `replay traffic` and `train`: after
 * every kill the store passes SQLite's integrity check, opens as a Vigil store and holds only
 * rows of an uninterrupted run; running the same command again ends with exactly the rows of
 * the uninterrupted run. For training, "resuming" is running it again: a killed training leaves
 * either its complete model in the registry or nothing, and the rerun registers exactly one
 * model equal to the uninterrupted run's. (A Kafka consume killed the same way is
 * test-kafka-consume's /engine/kafka-consume/kill-9 and traffic-kill-9.)
 *
 * The kill points come from a seeded generator; the seed is printed and VIGIL_TEST_SEED
 * replays it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <sqlite3.h>

#include "vigil-store.h"
#include "vigil-test-cli.h"
#include "vigil-test-util.h"

#define RIG_CYCLES "6"
#define CAMERA_FRAMES "200"
#define N_KILLS 3
#define MAX_ROUNDS 12

typedef struct
{
  char  *dir;
  char  *ref_db;
  char  *db;
  char **envp;
  GRand *rand;
} Fixture;

static guint32 seed;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("vigil-kill-XXXXXX", &error);
  g_assert_no_error (error);
  f->ref_db = g_build_filename (f->dir, "reference.vigil", NULL);
  f->db = g_build_filename (f->dir, "killed.vigil", NULL);
  f->envp = cli_gstreamer_env (f->dir);
  f->rand = g_rand_new_with_seed (seed);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  vigil_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->ref_db);
  g_free (f->db);
  g_strfreev (f->envp);
  g_rand_free (f->rand);
}

/* Rows ------------------------------------------------------------------------------------- */

/* Columns that hold wall-clock times or insertion order, which no two runs share. */
static gboolean
column_is_incidental (const char *table,
                      const char *column)
{
  return g_str_equal (column, "created_us") || g_str_equal (column, "received_us") ||
         g_str_equal (column, "updated_us") ||
         (g_str_equal (table, "alarms") && g_str_equal (column, "id"));
}

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Every row of @table in @db, one line each ("col=value|..."), sorted; reals with %.17g, blobs
 * as their SHA-256. */
static GPtrArray *
dump_table (sqlite3    *db,
            const char *table)
{
  g_autoptr(GString) sql = g_string_new ("SELECT ");
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *info_sql = g_strdup_printf ("PRAGMA table_info (\"%s\")", table);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, info_sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 1);

      if (column_is_incidental (table, name))
        continue;
      g_string_append_printf (sql, "%s\"%s\"", names->len > 0 ? ", " : "", name);
      g_ptr_array_add (names, g_strdup (name));
    }
  sqlite3_finalize (stmt);
  g_string_append_printf (sql, " FROM \"%s\"", table);

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql->str, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      GString *line = g_string_new (table);

      for (guint i = 0; i < names->len; i++)
        {
          g_string_append_printf (line, "|%s=", (const char *) names->pdata[i]);
          switch (sqlite3_column_type (stmt, i))
            {
            case SQLITE_NULL:
              g_string_append (line, "NULL");
              break;
            case SQLITE_INTEGER:
              g_string_append_printf (line, "%lld", sqlite3_column_int64 (stmt, i));
              break;
            case SQLITE_FLOAT:
              g_string_append_printf (line, "%.17g", sqlite3_column_double (stmt, i));
              break;
            case SQLITE_BLOB:
              {
                g_autofree char *sum =
                  g_compute_checksum_for_data (G_CHECKSUM_SHA256, sqlite3_column_blob (stmt, i),
                                               sqlite3_column_bytes (stmt, i));

                g_string_append_printf (line, "blob:%s", sum);
              }
              break;
            default:
              g_string_append (line, (const char *) sqlite3_column_text (stmt, i));
              break;
            }
        }
      g_ptr_array_add (rows, g_string_free (line, FALSE));
    }
  sqlite3_finalize (stmt);
  g_ptr_array_sort (rows, compare_lines);

  return rows;
}

/* The whole store: every table's rows, tables by name. */
static GPtrArray *
dump_store (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_schema WHERE type = 'table'"
                                           " ORDER BY name", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(GPtrArray) table = dump_table (db, (const char *) sqlite3_column_text (stmt, 0));

      for (guint i = 0; i < table->len; i++)
        g_ptr_array_add (rows, g_strdup (table->pdata[i]));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return rows;
}

static void
assert_same_rows (GPtrArray *expected,
                  GPtrArray *actual)
{
  for (guint i = 0; i < MIN (expected->len, actual->len); i++)
    g_assert_cmpstr (actual->pdata[i], ==, expected->pdata[i]);
  g_assert_cmpuint (actual->len, ==, expected->len);
}

/* Rows that are final once written (windows, late records, labels, a camera's detections and
 * periods, the session itself) must each be a row of the uninterrupted run; rows that a run
 * updates as it goes (alarm instances, checkpoints) are compared only at the end. */
static gboolean
row_is_final (const char *row)
{
  const char *final[] = { "windows|", "late_records|", "cycle_labels|", "sessions|",
                          "traffic_detections|", "traffic_seconds|", "traffic_minutes|",
                          "models|" };

  for (guint i = 0; i < G_N_ELEMENTS (final); i++)
    if (g_str_has_prefix (row, final[i]))
      return TRUE;

  return FALSE;
}

/* After a kill: SQLite finds the file sound, Vigil opens it (the writer too, which recovers the
 * WAL), and every final row in it is one of @reference's (when given). Returns how many final
 * rows. */
static guint
check_after_kill (const char *path,
                  GPtrArray  *reference)
{
  g_autoptr(GHashTable) known = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n_final = 0;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  store = vigil_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (vigil_store_close (store, &error));
  g_assert_no_error (error);
  if (reference == NULL)
    return 0;

  for (guint i = 0; i < reference->len; i++)
    g_hash_table_add (known, reference->pdata[i]);
  rows = dump_store (path);
  for (guint i = 0; i < rows->len; i++)
    {
      const char *row = rows->pdata[i];

      if (!row_is_final (row))
        continue;
      if (!g_hash_table_contains (known, row))
        g_error ("after a kill, %s holds a row the uninterrupted run does not: %s", path, row);
      n_final++;
    }

  return n_final;
}

/* Spawning and killing ---------------------------------------------------------------------- */

/* A child outlives no test that fails. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GPid
spawn_cli (char       **envp,
           const char **args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GPid pid;

  g_ptr_array_add (argv, (char *) g_getenv ("VIGIL_CLI"));
  g_assert_nonnull (argv->pdata[0]);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_async (NULL, (char **) argv->pdata, envp,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                                G_SPAWN_STDERR_TO_DEV_NULL, die_with_parent, NULL, &pid, &error));
  g_assert_no_error (error);

  return pid;
}

static void
run_cli (char       **envp,
         const char **args,
         Result      *r)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int wait_status;

  g_ptr_array_add (argv, (char *) g_getenv ("VIGIL_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                               &r->out, &r->err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r->status = WEXITSTATUS (wait_status);
}

/* Runs @args and kills it with SIGKILL after a random delay below @max_delay_us, N_KILLS times
 * (more rounds when a run ended before its kill). @check runs after each round. Returns the
 * number of runs that finished before their kill. */
typedef void (*RoundCheck) (Fixture *f, gpointer data);

static guint
kill_rounds (Fixture     *f,
             const char **args,
             gint64       max_delay_us,
             RoundCheck   check,
             gpointer     check_data)
{
  guint kills = 0, finished = 0;

  for (guint round = 0; round < MAX_ROUNDS && kills < N_KILLS; round++)
    {
      gint64 delay = g_rand_int_range (f->rand, 0, (gint32) max_delay_us);
      GPid pid = spawn_cli (f->envp, args);
      int status = 0;

      g_usleep (delay);
      if (waitpid (pid, &status, WNOHANG) == pid)
        {
          /* It finished first: it must have succeeded. */
          g_test_message ("round %u: %s ended before its kill at %.3f s", round, args[0],
                          delay / 1e6);
          g_assert_true (WIFEXITED (status));
          g_assert_cmpint (WEXITSTATUS (status), ==, 0);
          finished++;
        }
      else
        {
          g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
          g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
          if (WIFSIGNALED (status))
            {
              g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
              kills++;
              g_test_message ("round %u: killed %s at %.3f s", round, args[0], delay / 1e6);
            }
          else
            {
              g_assert_cmpint (WEXITSTATUS (status), ==, 0);
              finished++;
            }
        }
      g_spawn_close_pid (pid);

      if (g_file_test (f->db, G_FILE_TEST_EXISTS))
        check (f, check_data);
    }
  g_assert_cmpuint (kills, ==, N_KILLS);

  return finished;
}

static void
check_replay_round (Fixture  *f,
                    gpointer  data)
{
  GPtrArray *reference = data;

  g_test_message ("  %u final rows stored so far", check_after_kill (f->db, reference));
}

/* Replays -------------------------------------------------------------------------------- */

/* @killed_args is the command to kill (paced, so that kills land inside it), @args the same
 * replay as fast as possible; both write to the placeholder DB. */
static void
kill_and_resume (Fixture     *f,
                 const char **args,
                 const char **killed_args,
                 gint64       max_delay_us,
                 guint        min_rows)
{
  g_autoptr(GStrvBuilder) ref = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) killed = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) resume = g_strv_builder_new ();
  g_auto(GStrv) ref_args = NULL;
  g_auto(GStrv) killed_argv = NULL;
  g_auto(GStrv) resume_args = NULL;
  g_autoptr(GPtrArray) reference = NULL;
  g_autoptr(GPtrArray) resumed = NULL;
  g_auto(Result) r = { 0 };
  g_auto(Result) again = { 0 };

  for (guint i = 0; args[i] != NULL; i++)
    {
      gboolean is_db = g_str_equal (args[i], "DB");

      g_strv_builder_add (ref, is_db ? f->ref_db : args[i]);
      g_strv_builder_add (resume, is_db ? f->db : args[i]);
    }
  for (guint i = 0; killed_args[i] != NULL; i++)
    g_strv_builder_add (killed, g_str_equal (killed_args[i], "DB") ? f->db : killed_args[i]);
  ref_args = g_strv_builder_end (ref);
  killed_argv = g_strv_builder_end (killed);
  resume_args = g_strv_builder_end (resume);

  run_cli (f->envp, (const char **) ref_args, &r);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpint (r.status, ==, 0);
  reference = dump_store (f->ref_db);
  g_assert_cmpuint (reference->len, >=, min_rows);

  kill_rounds (f, (const char **) killed_argv, max_delay_us, check_replay_round, reference);

  /* Resuming is running the same replay again: its keys make it idempotent. */
  run_cli (f->envp, (const char **) resume_args, &again);
  g_assert_cmpstr (again.err, ==, "");
  g_assert_cmpint (again.status, ==, 0);
  check_after_kill (f->db, reference);
  resumed = dump_store (f->db);
  assert_same_rows (reference, resumed);
}

static void
test_replay_hydraulic (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *rig = g_build_filename (f->dir, "rig", NULL);
  g_auto(Result) gen = { 0 };
  const char *args[] = { "replay", "hydraulic", rig, "--db", "DB", NULL };
  /* 6 one-minute cycles at 60 times real time: about 6 s to kill it in. */
  const char *killed[] = { "replay", "hydraulic", rig, "--db", "DB", "--speed", "60", NULL };

  run (&gen, "generate", "hydraulic", "--out", rig, "--cycles", RIG_CYCLES, "--seed", "11", NULL);
  g_assert_cmpint (gen.status, ==, 0);

  /* 17 sensors, 6 windows a minute, 6 minutes and the last ones closing, 6 labels. */
  kill_and_resume (f, args, killed, 6 * G_USEC_PER_SEC, 17 * 36 + 6);
}

static void
test_replay_traffic (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *out = g_build_filename (f->dir, "cameras", NULL);
  g_autofree char *frames = g_build_filename (out, "cam_01", "frames", NULL);
  g_autofree char *mask = g_build_filename (out, "cam_01", "mask.json", NULL);
  g_auto(Result) gen = { 0 };
  const char *args[] = { "replay", "traffic", frames, "--camera", "cam_01", "--mask", mask,
                         "--pixels-per-metre", "5", "--db", "DB", NULL };
  /* 200 frames at 25 frames/s at twice real time: about 4 s to kill it in. */
  const char *killed[] = { "replay", "traffic", frames, "--camera", "cam_01", "--mask", mask,
                           "--pixels-per-metre", "5", "--db", "DB", "--speed", "2", NULL };

  run (&gen, "generate", "traffic", "--out", out, "--frames", CAMERA_FRAMES, "--width", "320",
       "--height", "180", "--seed", "11", NULL);
  g_assert_cmpint (gen.status, ==, 0);

  /* 8 seconds of frames: at least the session and 8 per-second rows. */
  kill_and_resume (f, args, killed, 4 * G_USEC_PER_SEC, 1 + 8);
}

/* Training ------------------------------------------------------------------------------- */

typedef struct
{
  GPtrArray *reference;   /* the uninterrupted run's models rows, id left out */
  guint      n_models;    /* found by the last check */
} TrainCheck;

static GPtrArray *
model_rows (const char *path)
{
  g_autoptr(GPtrArray) rows = dump_store (path);
  GPtrArray *models = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < rows->len; i++)
    {
      const char *row = rows->pdata[i];
      const char *after_id;

      if (!g_str_has_prefix (row, "models|id="))
        continue;
      /* Ids count the models registered before it, not what it is. */
      after_id = strchr (row + strlen ("models|id="), '|');
      g_ptr_array_add (models, g_strdup (after_id));
    }

  return models;
}

static void
check_train_round (Fixture  *f,
                   gpointer  data)
{
  TrainCheck *check = data;
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GPtrArray) all = NULL;

  check_after_kill (f->db, NULL);
  models = model_rows (f->db);
  /* Complete models only: every one the uninterrupted run's, champion the first. */
  for (guint i = 0; i < models->len; i++)
    g_assert_cmpstr (models->pdata[i], ==, check->reference->pdata[0]);
  all = dump_store (f->db);
  for (guint i = 0; i < all->len; i++)
    if (g_str_has_prefix (all->pdata[i], "model_aliases|"))
      g_assert_cmpstr (all->pdata[i], ==, "model_aliases|target=valve|alias=champion|model_id=1");
  check->n_models = models->len;
  g_test_message ("  %u complete models registered", models->len);
}

static void
test_train (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *dataset = g_build_filename (g_getenv ("VIGIL_SHARED_DATA"), "hydraulic-uci",
                                               NULL);
  const char *ref_args[] = { "train", "--db", f->ref_db, "--dataset", dataset, "--target", "valve",
                             "--algorithm", "et", "--trees", "150", "--folds", "5", "--seed", "5",
                             NULL };
  const char *args[] = { "train", "--db", f->db, "--dataset", dataset, "--target", "valve",
                         "--algorithm", "et", "--trees", "150", "--folds", "5", "--seed", "5",
                         NULL };
  g_autoptr(GPtrArray) reference = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_auto(Result) r = { 0 };
  g_auto(Result) again = { 0 };
  TrainCheck check = { 0 };
  gint64 t0;
  guint finished;

  t0 = g_get_monotonic_time ();
  run_cli (f->envp, ref_args, &r);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_suffix (r.out, "model id: 1\n"));
  reference = model_rows (f->ref_db);
  g_assert_cmpuint (reference->len, ==, 1);
  check.reference = reference;

  /* Kill points anywhere in a run as long as the uninterrupted one: opening the store,
   * reading the features, training, registering. */
  finished = kill_rounds (f, args, MAX (g_get_monotonic_time () - t0, G_USEC_PER_SEC),
                          check_train_round, &check);
  /* A run killed after its model committed (while it closed the store, say) registered it. */
  g_assert_cmpuint (check.n_models, >=, finished);
  g_assert_cmpuint (check.n_models, <=, finished + N_KILLS);

  /* The rerun registers exactly one more model, the same as the uninterrupted run's. */
  run_cli (f->envp, args, &again);
  g_assert_cmpstr (again.err, ==, "");
  g_assert_cmpint (again.status, ==, 0);
  after = model_rows (f->db);
  g_assert_cmpuint (after->len, ==, check.n_models + 1);
  for (guint i = 0; i < after->len; i++)
    g_assert_cmpstr (after->pdata[i], ==, reference->pdata[0]);
  /* Its printed metrics too (up to whether it became the champion). */
  g_assert_nonnull (strstr (r.out, "\nchampion: "));
  g_assert_cmpint (strncmp (again.out, r.out, strstr (r.out, "\nchampion: ") - r.out), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  const char *env_seed = g_getenv ("VIGIL_TEST_SEED");

  g_test_init (&argc, &argv, NULL);

  seed = env_seed != NULL ? (guint32) strtoul (env_seed, NULL, 10) : g_random_int ();
  g_test_message ("kill points from seed %u (VIGIL_TEST_SEED=%u replays them)", seed, seed);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/engine/kill/replay-hydraulic", test_replay_hydraulic);
  ADD ("/engine/kill/replay-traffic", test_replay_traffic);
  ADD ("/engine/kill/train", test_train);
#undef ADD

  return g_test_run ();
}
