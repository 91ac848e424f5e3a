/* test-source-faults.c
 *
 * Sources that fail while they run, with another source running beside them in the same
 * process (and, for the replays, the same store), whose rows or frames must equal a run
 * alone:
 * - a dataset file truncated, overwritten or replaced under a running replay: a clear error
 *   naming the file and the replay stopped (truncated, overwritten), or the file it opened
 *   read to its end (replaced); what it stored is each time a part of the untouched run;
 * - a camera (HTTP, multipart PNG) that stalls: reported as stalled, retried, and every
 *   frame delivered once.
 * (A broker that goes away under a consumer is test-kafka-consume's /broker-down.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gst/gst.h>
#include <sqlite3.h>

#include "vigil-error.h"
#include "vigil-frame-source.h"
#include "vigil-hydraulic-generator.h"
#include "vigil-hydraulic-replay.h"
#include "vigil-kafka-source.h"
#include "vigil-rules.h"
#include "vigil-sensor.h"
#include "vigil-store.h"
#include "vigil-test-cli.h"
#include "vigil-test-gstreamer.h"
#include "vigil-test-util.h"

/* The rig that changes is more than the 1 MiB its reader reads at once (30 rows of PS1), so
 * that a change lands in what it has not read yet; the other is small. */
#define RIG_A_CYCLES 30
#define RIG_B_CYCLES 6
#define N_FRAMES 12
/* Bounds on waiting for something to happen: generous, never what a test measures. */
#define WAIT_LIMIT_US (120 * G_USEC_PER_SEC)

/* Made once: the rig that fails, the rig beside it (each with its store replayed alone), and
 * camera frames. */
static char *data_dir;
static char *rig_a;
static char *rig_b;
static char *ref_a;
static char *ref_b;
static char *frames_dir;

typedef struct
{
  char *dir;
  char *db;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("vigil-source-faults-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "store.vigil", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  vigil_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db);
}

static void
wait_until_deadline (gint64 deadline)
{
  g_assert_cmpint (g_get_monotonic_time (), <, deadline);
  g_usleep (20000);
}

/* Rows of a session ------------------------------------------------------------------------- */

/* The rows a session computed (windows, late records, labels, journal), one line each, sorted,
 * for the session of @path whose source is @source. */
static char *
session_rows (const char *path,
              const char *source)
{
  const char *tables[] = {
    "SELECT 'w', sensor, window_start, window_end, count, avg, min, max, stddev, \"range\""
    " FROM windows WHERE session_id = ?1 ORDER BY 2, 3",
    "SELECT 'l', sensor, seq, event_us, watermark_us, value FROM late_records"
    " WHERE session_id = ?1 ORDER BY 2, 3",
    "SELECT 'c', cycle, start_us, cooler, valve, pump, accumulator, stable FROM cycle_labels"
    " WHERE session_id = ?1 ORDER BY 2",
    "SELECT 'j', rule, sensor, at_us, seq, from_state, to_state, value FROM alarm_journal"
    " WHERE session_id = ?1 ORDER BY 2, 3, 4, 5",
  };
  GString *out = g_string_new (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 id;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id FROM sessions WHERE source = ?1", -1, &stmt,
                                       NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, source, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  id = sqlite3_column_int64 (stmt, 0);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_assert_cmpint (sqlite3_prepare_v2 (db, tables[t], -1, &stmt, NULL), ==, SQLITE_OK);
      sqlite3_bind_int64 (stmt, 1, id);
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
    }
  sqlite3_close (db);

  return g_string_free (out, FALSE);
}

/* Every window of @part is one of @whole's, identical. Returns how many. */
static guint
assert_windows_within (const char *part,
                       const char *whole)
{
  g_auto(GStrv) lines = g_strsplit (part, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *needle = NULL;

      if (!g_str_has_prefix (lines[i], "w|"))
        continue;
      needle = g_strconcat (lines[i], "\n", NULL);
      if (strstr (whole, needle) == NULL)
        g_error ("a stored window is not the untouched run's: %s", lines[i]);
      n++;
    }

  return n;
}

static void
replay_alone (const char *rig,
              const char *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = vigil_store_open (db, &error);
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_default ();
  g_autoptr(VigilHydraulicReplay) replay = NULL;

  g_assert_no_error (error);
  replay = vigil_hydraulic_replay_new (rig, store, rules, NULL);
  g_assert_true (vigil_hydraulic_replay_run (replay, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (vigil_store_close (store, &error));
  g_assert_no_error (error);
}

static void
copy_dir (const char *from,
          const char *to)
{
  g_autoptr(GDir) dir = g_dir_open (from, 0, NULL);
  const char *name;

  g_assert_cmpint (g_mkdir_with_parents (to, 0755), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *src = g_build_filename (from, name, NULL);
      g_autofree char *dst = g_build_filename (to, name, NULL);
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (src, &contents, &len, &error));
      g_assert_true (g_file_set_contents (dst, contents, len, &error));
      g_assert_no_error (error);
    }
}

/* A dataset file that changes under a replay ------------------------------------------------ */

typedef enum
{
  CHANGE_TRUNCATE,    /* cut in the middle of a row */
  CHANGE_OVERWRITE,   /* the same file, its last rows overwritten with text */
  CHANGE_REPLACE,     /* another file renamed over it */
} Change;

static void
change_file (const char *path,
             Change      change)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  switch (change)
    {
    case CHANGE_TRUNCATE:
      {
        /* 25 and a half rows of 30 are left. */
        const char *p = contents;

        for (guint row = 0; row < 25; row++)
          p = strchr (p, '\n') + 1;
        g_assert_cmpint (truncate (path, (p - contents) + (strchr (p, '\n') - p) / 2), ==, 0);
      }
      break;

    case CHANGE_OVERWRITE:
      {
        /* In place (the same inode): the last row becomes words. */
        FILE *file = fopen (path, "r+");
        const char *last = g_strrstr_len (contents, len - 1, "\n") + 1;

        g_assert_nonnull (file);
        g_assert_cmpint (fseek (file, last - contents, SEEK_SET), ==, 0);
        g_assert_cmpint (fputs ("this row was overwritten", file), >=, 0);
        g_assert_cmpint (fclose (file), ==, 0);
      }
      break;

    case CHANGE_REPLACE:
      {
        /* Another rig's file under the same name: the replay keeps the file it opened. */
        g_autofree char *other = g_strconcat (path, ".new", NULL);
        g_autofree char *name = g_path_get_basename (path);
        g_autofree char *from = g_build_filename (rig_b, name, NULL);
        g_autofree char *replacement = NULL;
        gsize replacement_len;

        g_assert_true (g_file_get_contents (from, &replacement, &replacement_len, &error));
        g_assert_true (g_file_set_contents (other, replacement, replacement_len, &error));
        g_assert_cmpint (g_rename (other, path), ==, 0);
      }
      break;
    }
  g_assert_no_error (error);
}

static void
test_dataset_changes (Fixture       *f,
                      gconstpointer  data)
{
  Change change = GPOINTER_TO_INT (data);
  g_autofree char *rig = g_build_filename (f->dir, "rig", NULL);
  g_autofree char *ps1 = g_build_filename (rig, "PS1.txt", NULL);
  g_autofree char *canonical_rig = NULL;
  g_autofree char *canonical_b = g_canonicalize_filename (rig_b, NULL);
  g_autofree char *canonical_a = g_canonicalize_filename (rig_a, NULL);
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_default ();
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilHydraulicReplay) changing = NULL;
  g_autoptr(VigilHydraulicReplay) beside = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) beside_error = NULL;
  g_autofree char *whole_a = session_rows (ref_a, canonical_a);
  g_autofree char *whole_b = session_rows (ref_b, canonical_b);
  g_autofree char *rows = NULL;
  g_autofree char *rows_b = NULL;
  VigilReplayOptions options;
  VigilReplayStats st;
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_US;
  gboolean ok;

  copy_dir (rig_a, rig);
  canonical_rig = g_canonicalize_filename (rig, NULL);
  store = vigil_store_open (f->db, &error);
  g_assert_no_error (error);

  /* Both paced, so that the change lands while both run: 3 s and 6 s. */
  vigil_replay_options_init (&options);
  options.speed = 600;
  changing = vigil_hydraulic_replay_new (rig, store, rules, &options);
  options.speed = 60;
  beside = vigil_hydraulic_replay_new (rig_b, store, rules, &options);
  g_assert_true (vigil_hydraulic_replay_start (changing, &error));
  g_assert_no_error (error);
  g_assert_true (vigil_hydraulic_replay_start (beside, &error));
  g_assert_no_error (error);

  do
    {
      wait_until_deadline (deadline);
      vigil_hydraulic_replay_get_stats (changing, &st);
    }
  while (st.cycles_done < 1);
  change_file (ps1, change);

  ok = vigil_hydraulic_replay_wait (changing, &error);
  g_assert_true (vigil_hydraulic_replay_wait (beside, &beside_error));
  g_assert_no_error (beside_error);
  g_assert_true (vigil_store_close (store, &beside_error));
  g_assert_no_error (beside_error);

  rows = session_rows (f->db, canonical_rig);
  switch (change)
    {
    case CHANGE_TRUNCATE:
    case CHANGE_OVERWRITE:
      {
        /* File, line and column, as a bad row that was there from the start. */
        g_autofree char *pattern = g_strdup ("PS1.txt:26: column *: row ends after * values, "
                                             "expected 6000");
        g_autofree char *pattern_last = g_strdup_printf ("PS1.txt:%d: column 1: *",
                                                         RIG_A_CYCLES);

        g_assert_false (ok);
        g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
        if (!g_pattern_match_simple (change == CHANGE_TRUNCATE ? pattern : pattern_last,
                                     error->message))
          g_error ("“%s” does not say where", error->message);
        vigil_hydraulic_replay_get_stats (changing, &st);
        g_assert_cmpuint (st.cycles_done, <, RIG_A_CYCLES);
        g_test_message ("%s; %u windows kept", error->message,
                        assert_windows_within (rows, whole_a));
      }
      break;

    case CHANGE_REPLACE:
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpstr (rows, ==, whole_a);
      break;
    }

  /* The replay beside it stored what it stores alone. */
  rows_b = session_rows (f->db, canonical_b);
  g_assert_cmpstr (rows_b, ==, whole_b);
}

/* Cameras over HTTP ---------------------------------------------------------------------- */

/* What the server does on its n-th connection: send frames [first, last) as a multipart
 * stream, then close or stall until released. A
 * connection past the plan is closed at once (a camera that is dead). */
typedef enum
{
  AFTER_CLOSE,
  AFTER_STALL,
} After;

typedef struct
{
  guint first;
  guint last;
  After after;
} Serve;

typedef struct
{
  GSocketListener *listener;
  guint16          port;
  GThread         *thread;
  const Serve     *plan;
  guint            n_plan;
  GBytes          *frames[N_FRAMES];

  GMutex           lock;
  GCond            cond;
  gboolean         released;   /* guarded by lock */
  gboolean         quit;       /* guarded by lock */
  guint            n_accepted; /* guarded by lock */
  GPtrArray       *handlers;   /* the accept thread's: a thread per connection */
} Server;

typedef struct
{
  Server            *server;
  GSocketConnection *connection;
  const Serve       *serve;
} Handler;

static gboolean
send_all (GOutputStream *out,
          const void    *data,
          gsize          len)
{
  return g_output_stream_write_all (out, data, len, NULL, NULL, NULL);
}

static gboolean
send_part (GOutputStream *out,
           GBytes        *png,
           gsize          len)
{
  g_autofree char *head = g_strdup_printf ("--vigilframe\r\nContent-Type: image/png\r\n"
                                           "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
                                           g_bytes_get_size (png));

  return send_all (out, head, strlen (head)) &&
         send_all (out, g_bytes_get_data (png, NULL), len) &&
         (len < g_bytes_get_size (png) || send_all (out, "\r\n", 2));
}

static void
serve_connection (Server            *s,
                  GSocketConnection *connection,
                  const Serve       *serve)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  const char *head = "HTTP/1.0 200 OK\r\n"
                     "Content-Type: multipart/x-mixed-replace; boundary=vigilframe\r\n\r\n";
  char request[4096];

  /* The request itself does not matter. */
  if (g_input_stream_read (in, request, sizeof request, NULL, NULL) <= 0 || serve == NULL ||
      !send_all (out, head, strlen (head)))
    return;

  for (guint i = serve->first; i < serve->last; i++)
    if (!send_part (out, s->frames[i], g_bytes_get_size (s->frames[i])))
      return;

  if (serve->after == AFTER_STALL)
    {
      g_mutex_lock (&s->lock);
      while (!s->released && !s->quit)
        g_cond_wait (&s->cond, &s->lock);
      g_mutex_unlock (&s->lock);
    }
}

/* Each connection on its own thread, so that a stalled one does not hold up the next. */
static gpointer
handler_thread (gpointer data)
{
  Handler *h = data;

  serve_connection (h->server, h->connection, h->serve);
  g_io_stream_close (G_IO_STREAM (h->connection), NULL, NULL);
  g_object_unref (h->connection);
  g_free (h);

  return NULL;
}

static gpointer
server_thread (gpointer data)
{
  Server *s = data;

  for (;;)
    {
      g_autoptr(GSocketConnection) connection = NULL;
      guint n;

      connection = g_socket_listener_accept (s->listener, NULL, NULL, NULL);
      g_mutex_lock (&s->lock);
      n = s->n_accepted++;
      if (s->quit)
        {
          g_mutex_unlock (&s->lock);
          break;
        }
      g_mutex_unlock (&s->lock);
      if (connection == NULL)
        continue;
      {
        Handler *h = g_new0 (Handler, 1);

        h->server = s;
        h->connection = g_steal_pointer (&connection);
        h->serve = n < s->n_plan ? &s->plan[n] : NULL;
        g_ptr_array_add (s->handlers, g_thread_new ("http-connection", handler_thread, h));
      }
    }

  for (guint i = 0; i < s->handlers->len; i++)
    g_thread_join (s->handlers->pdata[i]);
  g_ptr_array_unref (s->handlers);

  return NULL;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static void
server_start (Server      *s,
              const Serve *plan,
              guint        n_plan)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (frames_dir, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  memset (s, 0, sizeof *s);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  /* Numbered with leading zeros: their order is the frames'. */
  g_ptr_array_sort (names, compare_names);
  g_assert_cmpuint (names->len, ==, N_FRAMES);
  for (guint i = 0; i < N_FRAMES; i++)
    {
      g_autofree char *path = g_build_filename (frames_dir, names->pdata[i], NULL);
      char *contents = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (path, &contents, &len, &error));
      s->frames[i] = g_bytes_new_take (contents, len);
    }

  s->plan = plan;
  s->n_plan = n_plan;
  s->handlers = g_ptr_array_new ();
  g_mutex_init (&s->lock);
  g_cond_init (&s->cond);
  s->listener = g_socket_listener_new ();
  s->port = g_socket_listener_add_any_inet_port (s->listener, NULL, &error);
  g_assert_no_error (error);
  s->thread = g_thread_new ("http-camera", server_thread, s);
}

static void
server_release (Server *s)
{
  g_mutex_lock (&s->lock);
  s->released = TRUE;
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
}

static void
server_stop (Server *s)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) wake = NULL;

  g_mutex_lock (&s->lock);
  s->quit = TRUE;
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
  /* The thread waits in accept(): one more connection lets it see quit. */
  wake = g_socket_client_connect_to_host (client, "127.0.0.1", s->port, NULL, NULL);
  g_thread_join (s->thread);
  g_socket_listener_close (s->listener);
  g_object_unref (s->listener);
  for (guint i = 0; i < N_FRAMES; i++)
    g_bytes_unref (s->frames[i]);
  g_mutex_clear (&s->lock);
  g_cond_clear (&s->cond);
}

/* What a frame source delivered and said. */
typedef struct
{
  GMutex     lock;
  GPtrArray *checksums;   /* of each frame's pixels, in delivery order */
  GPtrArray *errors;      /* message of each RETRYING or FAILED */
  guint      n_retrying;
} Sink;

static void
on_frame (VigilFrameSource *source,
          VigilFrame       *frame,
          gpointer          data)
{
  Sink *sink = data;
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint y = 0; y < frame->height; y++)
    g_checksum_update (sum, frame->data + (gsize) y * frame->stride, frame->width * 3);
  g_mutex_lock (&sink->lock);
  g_ptr_array_add (sink->checksums, g_strdup (g_checksum_get_string (sum)));
  g_mutex_unlock (&sink->lock);
}

static void
on_state (VigilFrameSource      *source,
          VigilFrameSourceState  state,
          const GError          *error,
          gpointer               data)
{
  Sink *sink = data;

  g_test_message ("%s: %s%s%s", vigil_frame_source_get_camera_id (source),
                  vigil_frame_source_state_get_name (state), error != NULL ? ": " : "",
                  error != NULL ? error->message : "");
  g_mutex_lock (&sink->lock);
  if (error != NULL)
    g_ptr_array_add (sink->errors, g_strdup (error->message));
  sink->n_retrying += state == VIGIL_FRAME_SOURCE_RETRYING;
  g_mutex_unlock (&sink->lock);
}

static void
sink_init (Sink *sink)
{
  g_mutex_init (&sink->lock);
  sink->checksums = g_ptr_array_new_with_free_func (g_free);
  sink->errors = g_ptr_array_new_with_free_func (g_free);
  sink->n_retrying = 0;
}

static void
sink_clear (Sink *sink)
{
  g_mutex_clear (&sink->lock);
  g_ptr_array_unref (sink->checksums);
  g_ptr_array_unref (sink->errors);
}

static VigilFrameSource *
make_source (const char *camera,
             const char *location,
             Sink       *sink)
{
  VigilFrameSource *source = vigil_frame_source_new (camera, location);

  vigil_frame_source_set_frame_func (source, on_frame, sink, NULL);
  vigil_frame_source_set_state_func (source, on_state, sink, NULL);

  return source;
}

/* The frames of the folder, read alone. */
static GPtrArray *
folder_alone (void)
{
  g_autoptr(VigilFrameSource) source = NULL;
  g_autoptr(GError) error = NULL;
  Sink sink;
  GPtrArray *sums;

  sink_init (&sink);
  source = make_source ("cam_02", frames_dir, &sink);
  g_assert_true (vigil_frame_source_start (source, &error));
  g_assert_cmpint (vigil_frame_source_wait (source), ==, VIGIL_FRAME_SOURCE_FINISHED);
  g_clear_object (&source);
  sums = g_ptr_array_ref (sink.checksums);
  sink_clear (&sink);
  g_assert_cmpuint (sums->len, ==, N_FRAMES);

  return sums;
}

static void
assert_same_frames (GPtrArray *a,
                    GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpstr (a->pdata[i], ==, b->pdata[i]);
}

/* A camera that sends five frames and then nothing on an open connection is reported as
 * stalled and reconnected; the rest of its frames come on the new connection, none twice.
 * A folder camera beside it delivers what it delivers alone. */
static void
test_camera_stalls (Fixture       *f,
                    gconstpointer  data)
{
  const Serve plan[] = { { 0, 5, AFTER_STALL }, { 5, N_FRAMES, AFTER_CLOSE } };
  g_autoptr(GPtrArray) alone = folder_alone ();
  g_autoptr(VigilFrameSource) camera = NULL;
  g_autoptr(VigilFrameSource) beside = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *expected = NULL;
  Server server;
  Sink sink, beside_sink;

  server_start (&server, plan, G_N_ELEMENTS (plan));
  uri = g_strdup_printf ("http://127.0.0.1:%u/cam_09", server.port);
  sink_init (&sink);
  sink_init (&beside_sink);
  camera = make_source ("cam_09", uri, &sink);
  vigil_frame_source_set_reconnect (camera, TRUE);
  vigil_frame_source_set_retry_delay (camera, 10, 40);
  vigil_frame_source_set_stall_timeout (camera, 500);
  beside = make_source ("cam_02", frames_dir, &beside_sink);
  vigil_frame_source_set_stall_timeout (beside, 500);

  g_assert_true (vigil_frame_source_start (camera, &error));
  g_assert_no_error (error);
  g_assert_true (vigil_frame_source_start (beside, &error));
  g_assert_no_error (error);

  g_assert_cmpint (vigil_frame_source_wait (camera), ==, VIGIL_FRAME_SOURCE_FINISHED);
  g_assert_cmpint (vigil_frame_source_wait (beside), ==, VIGIL_FRAME_SOURCE_FINISHED);
  server_release (&server);

  /* Said once, with the camera, the address and the cause; every frame once, in order. */
  g_assert_cmpuint (sink.n_retrying, ==, 1);
  g_assert_cmpuint (vigil_frame_source_get_n_retries (camera), ==, 1);
  g_assert_cmpuint (sink.errors->len, ==, 1);
  expected = g_strdup_printf ("Camera cam_09 (%s): the stream stalled (no frame for 0.5 s)", uri);
  g_assert_cmpstr (sink.errors->pdata[0], ==, expected);
  assert_same_frames (sink.checksums, alone);

  g_assert_cmpuint (beside_sink.n_retrying, ==, 0);
  g_assert_cmpuint (beside_sink.errors->len, ==, 0);
  assert_same_frames (beside_sink.checksums, alone);

  g_clear_object (&camera);
  g_clear_object (&beside);
  server_stop (&server);
  sink_clear (&sink);
  sink_clear (&beside_sink);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cameras = NULL;
  g_auto(Result) gen = { 0 };
  int status;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  data_dir = g_dir_make_tmp ("vigil-source-faults-data-XXXXXX", &error);
  g_assert_no_error (error);
  rig_a = g_build_filename (data_dir, "rig-a", NULL);
  rig_b = g_build_filename (data_dir, "rig-b", NULL);
  ref_a = g_build_filename (data_dir, "a.vigil", NULL);
  ref_b = g_build_filename (data_dir, "b.vigil", NULL);
  g_assert_true (vigil_hydraulic_generate (rig_a, RIG_A_CYCLES, 5, NULL, &error));
  g_assert_true (vigil_hydraulic_generate (rig_b, RIG_B_CYCLES, 9, NULL, &error));
  g_assert_no_error (error);
  replay_alone (rig_a, ref_a);
  replay_alone (rig_b, ref_b);
  cameras = g_build_filename (data_dir, "cameras", NULL);
  run (&gen, "generate", "traffic", "--out", cameras, "--frames", G_STRINGIFY (N_FRAMES),
       "--width", "64", "--height", "48", NULL);
  g_assert_cmpint (gen.status, ==, 0);
  frames_dir = g_build_filename (cameras, "cam_01", "frames", NULL);

  g_test_add ("/engine/source-faults/dataset/truncated", Fixture,
              GINT_TO_POINTER (CHANGE_TRUNCATE), fixture_set_up, test_dataset_changes,
              fixture_tear_down);
  g_test_add ("/engine/source-faults/dataset/overwritten", Fixture,
              GINT_TO_POINTER (CHANGE_OVERWRITE), fixture_set_up, test_dataset_changes,
              fixture_tear_down);
  g_test_add ("/engine/source-faults/dataset/replaced", Fixture,
              GINT_TO_POINTER (CHANGE_REPLACE), fixture_set_up, test_dataset_changes,
              fixture_tear_down);
  g_test_add ("/engine/source-faults/camera/stalls", Fixture, NULL, fixture_set_up,
              test_camera_stalls, fixture_tear_down);

  status = g_test_run ();

  vigil_test_remove_tree (data_dir);
  g_free (data_dir);
  g_free (rig_a);
  g_free (rig_b);
  g_free (ref_a);
  g_free (ref_b);
  g_free (frames_dir);

  return status;
}
