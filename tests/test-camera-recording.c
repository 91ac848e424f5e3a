/* test-camera-recording.c
 *
 * A camera generated and recorded by vigil-cli, opened again with VigilCameraRecording and
 * checked against the store's rows read straight through SQLite: detections per frame, frame
 * times, seconds and journal, the frames read back from the source, the clock and seeks,
 * a source that is gone, a session that is not a camera's and a damaged file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "vigil-camera-recording.h"
#include "vigil-error.h"
#include "vigil-test-cli.h"
#include "vigil-test-gstreamer.h"
#include "vigil-test-sqlite.h"
#include "vigil-test-util.h"

#define N_FRAMES 60
#define FRAME_US (G_USEC_PER_SEC / 25)

static char *dir;       /* the generated camera and its recording, shared by the tests */
static char *camera;    /* dir/gen/cam_01 */
static char *db_path;

static void
record_camera (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = NULL;
  g_auto(Result) gen = { 0 };
  g_auto(Result) rec = { 0 };
  g_autofree char *gen_dir = NULL;
  g_autofree char *frames = NULL;
  g_autofree char *mask = NULL;

  dir = g_dir_make_tmp ("vigil-camera-recording-XXXXXX", &error);
  g_assert_no_error (error);
  envp = cli_gstreamer_env (dir);
  gen_dir = g_build_filename (dir, "gen", NULL);
  camera = g_build_filename (gen_dir, "cam_01", NULL);
  frames = g_build_filename (camera, "frames", NULL);
  mask = g_build_filename (camera, "mask.json", NULL);
  db_path = g_build_filename (dir, "camera.sqlite", NULL);

  run_env (&gen, envp, "generate", "traffic", "--out", gen_dir, "--cameras", "1", "--frames",
           G_STRINGIFY (N_FRAMES), "--seed", "7", NULL);
  g_assert_cmpint (gen.status, ==, 0);
  run_env (&rec, envp, "replay", "traffic", frames, "--camera", "cam_01", "--mask", mask,
           "--db", db_path, NULL);
  g_assert_cmpint (rec.status, ==, 0);
}

static VigilCameraRecording *
open_recording (void)
{
  g_autoptr(GError) error = NULL;
  VigilCameraRecording *rec = vigil_camera_recording_open (db_path, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rec);
  return rec;
}

static void
test_detections (void)
{
  g_autoptr(VigilCameraRecording) rec = open_recording ();
  sqlite3 *db = open_db (db_path);
  sqlite3_stmt *stmt;
  guint64 n_rows = 0;
  gint64 max_frame;

  g_assert_cmpstr (vigil_camera_recording_get_camera_id (rec), ==, "cam_01");
  /* The generator's frames, each counted by one stored second. */
  g_assert_cmpint (query_int (db, "SELECT SUM(frames) FROM traffic_seconds"), ==, N_FRAMES);
  g_assert_cmpuint (vigil_camera_recording_get_n_frames (rec), ==, N_FRAMES);
  max_frame = query_int (db, "SELECT MAX(frame) FROM traffic_detections");
  g_assert_cmpint (max_frame, <, N_FRAMES);

  /* Every stored row, found under its frame at its place. */
  stmt = prepare (db, "SELECT frame, idx, time_us, track_id, class, x, y, w, h"
                      " FROM traffic_detections ORDER BY frame, idx");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      guint64 frame = (guint64) sqlite3_column_int64 (stmt, 0);
      guint idx = (guint) sqlite3_column_int64 (stmt, 1);
      gint64 time_us = sqlite3_column_int64 (stmt, 2);
      g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) FROM traffic_detections"
                                              " WHERE frame = %" G_GUINT64_FORMAT, frame);
      const VigilStoreDetection *d;
      guint n;

      d = vigil_camera_recording_get_detections (rec, frame, &n);
      g_assert_cmpint (n, ==, query_int (db, sql));
      g_assert_cmpuint (idx, <, n);
      d += idx;
      g_assert_cmpuint (d->frame, ==, frame);
      g_assert_cmpint (d->time_us, ==, time_us);
      g_assert_cmpint (d->detection.track_id, ==,
                       sqlite3_column_type (stmt, 3) == SQLITE_NULL
                       ? -1 : sqlite3_column_int64 (stmt, 3));
      g_assert_cmpstr (vigil_vehicle_class_get_name (d->detection.klass), ==,
                       (const char *) sqlite3_column_text (stmt, 4));
      g_assert_cmpfloat (d->detection.x, ==, sqlite3_column_double (stmt, 5));
      g_assert_cmpfloat (d->detection.y, ==, sqlite3_column_double (stmt, 6));
      g_assert_cmpfloat (d->detection.w, ==, sqlite3_column_double (stmt, 7));
      g_assert_cmpfloat (d->detection.h, ==, sqlite3_column_double (stmt, 8));
      g_assert_cmpint (vigil_camera_recording_get_frame_time (rec, frame), ==, time_us);
      g_assert_cmpuint (vigil_camera_recording_get_frame_at (rec, time_us), ==, frame);
      n_rows++;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (n_rows, >, 0);

  /* A folder at the default 25 frames/s from time 0: frame i at i / 25 s, with or without
   * detections; between two frames, the earlier is on show. */
  for (guint64 f = 0; f < N_FRAMES; f++)
    {
      g_assert_cmpint (vigil_camera_recording_get_frame_time (rec, f), ==, (gint64) f * FRAME_US);
      g_assert_cmpuint (vigil_camera_recording_get_frame_at (rec, (gint64) f * FRAME_US +
                                                                  FRAME_US / 2), ==, f);
    }
  {
    guint n = 99;

    g_assert_null (vigil_camera_recording_get_detections (rec, N_FRAMES, &n));
    g_assert_cmpuint (n, ==, 0);
  }

  /* Seconds and journal, as stored. */
  g_assert_cmpint (vigil_camera_recording_get_seconds (rec)->len, ==,
                   query_int (db, "SELECT COUNT(*) FROM traffic_seconds"));
  stmt = prepare (db, "SELECT start_us, end_us, frames, density_pct FROM traffic_seconds"
                      " ORDER BY start_us");
  for (guint i = 0; sqlite3_step (stmt) == SQLITE_ROW; i++)
    {
      const VigilTrafficStats *s = &g_array_index (vigil_camera_recording_get_seconds (rec),
                                                   VigilTrafficStats, i);

      g_assert_cmpint (s->start_us, ==, sqlite3_column_int64 (stmt, 0));
      g_assert_cmpint (s->end_us, ==, sqlite3_column_int64 (stmt, 1));
      g_assert_cmpint (s->frames, ==, sqlite3_column_int64 (stmt, 2));
      assert_same_double (s->density_pct, column_double (stmt, 3));
    }
  sqlite3_finalize (stmt);
  g_assert_cmpint (vigil_camera_recording_get_journal (rec)->len, ==,
                   query_int (db, "SELECT COUNT(*) FROM alarm_journal"));
  g_assert_cmpint (vigil_camera_recording_get_end (rec), ==,
                   MAX (query_int (db, "SELECT MAX(end_us) FROM traffic_seconds"),
                        (N_FRAMES - 1) * FRAME_US));

  sqlite3_close (db);
}

static void
test_frames (void)
{
  g_autoptr(VigilCameraRecording) rec = open_recording ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilFrame) f10 = NULL;
  g_autoptr(VigilFrame) f30 = NULL;
  g_autoptr(VigilFrame) again = NULL;
  g_autoptr(VigilFrame) last = NULL;
  g_autoptr(VigilFrame) mask = NULL;
  guint w, h;

  g_assert_null (vigil_camera_recording_dup_frames_error (rec));

  /* The generator's 640 x 360 (camera.json says so too; the first frame read settles it). */
  f10 = vigil_camera_recording_read_frame (rec, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f10->index, ==, 10);
  g_assert_cmpuint (f10->width, ==, 640);
  g_assert_cmpuint (f10->height, ==, 360);
  g_assert_cmpint (f10->format, ==, VIGIL_FRAME_RGB24);
  vigil_camera_recording_get_frame_size (rec, &w, &h);
  g_assert_cmpuint (w, ==, 640);
  g_assert_cmpuint (h, ==, 360);

  /* Forward, then back (the source starts over): the same pixels for the same frame, other
   * pixels for another (the vehicles moved). */
  f30 = vigil_camera_recording_read_frame (rec, 30, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f30->index, ==, 30);
  again = vigil_camera_recording_read_frame (rec, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->index, ==, 10);
  g_assert_true (again != f10);
  g_assert_cmpmem (again->data, (gsize) again->stride * again->height,
                   f10->data, (gsize) f10->stride * f10->height);
  g_assert_true (memcmp (f30->data, f10->data, (gsize) f10->stride * f10->height) != 0);
  /* Asked again while it is on hand: at once. */
  g_clear_pointer (&again, vigil_frame_unref);
  again = vigil_camera_recording_request_frame (rec, 10);
  g_assert_nonnull (again);
  g_assert_cmpuint (again->index, ==, 10);

  last = vigil_camera_recording_read_frame (rec, N_FRAMES - 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (last->index, ==, N_FRAMES - 1);
  g_assert_null (vigil_camera_recording_read_frame (rec, N_FRAMES, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The road of mask.json: a band across the frame, from y 117.85 to 278.41. */
  mask = vigil_camera_recording_dup_mask (rec);
  g_assert_nonnull (mask);
  g_assert_cmpuint (mask->width, ==, 640);
  g_assert_cmpuint (mask->height, ==, 360);
  g_assert_cmpuint (mask->data[200 * mask->stride + 320], !=, 0);
  g_assert_cmpuint (mask->data[50 * mask->stride + 320], ==, 0);
  g_assert_cmpuint (mask->data[320 * mask->stride + 320], ==, 0);
}

static void
test_seek (void)
{
  g_autoptr(VigilCameraRecording) rec = open_recording ();
  gint64 end = vigil_camera_recording_get_end (rec);
  const VigilTrafficStats *s;

  /* Opens paused at the start. */
  g_assert_true (vigil_camera_recording_get_paused (rec));
  g_assert_cmpint (vigil_camera_recording_get_start (rec), ==, 0);
  g_assert_cmpint (vigil_camera_recording_get_position (rec), ==, 0);
  g_assert_null (vigil_camera_recording_get_second_at (rec, 999999));

  vigil_camera_recording_seek (rec, 1500000);
  g_assert_cmpint (vigil_camera_recording_get_position (rec), ==, 1500000);
  /* 1.5 s lies between frame 37 (1.48 s) and 38 (1.52 s). */
  g_assert_cmpuint (vigil_camera_recording_get_frame_at (rec, 1500000), ==, 37);
  s = vigil_camera_recording_get_second_at (rec, 1500000);
  g_assert_nonnull (s);
  g_assert_cmpint (s->start_us, ==, 0);
  g_assert_cmpint (s->end_us, ==, G_USEC_PER_SEC);
  g_assert_false (vigil_camera_recording_is_finished (rec));

  vigil_camera_recording_set_speed (rec, 2);
  g_assert_cmpfloat (vigil_camera_recording_get_speed (rec), ==, 2);
  /* Paused, speed moves nothing. */
  g_assert_cmpint (vigil_camera_recording_get_position (rec), ==, 1500000);

  vigil_camera_recording_seek (rec, end + 5 * G_USEC_PER_SEC);
  g_assert_cmpint (vigil_camera_recording_get_position (rec), ==, end);
  g_assert_true (vigil_camera_recording_is_finished (rec));
  g_assert_cmpuint (vigil_camera_recording_get_frame_at (rec, end), ==, N_FRAMES - 1);
  /* Playing from the end stays there. */
  vigil_camera_recording_set_paused (rec, FALSE);
  g_assert_false (vigil_camera_recording_get_paused (rec));
  g_assert_cmpint (vigil_camera_recording_get_position (rec), ==, end);

  vigil_camera_recording_seek (rec, -G_USEC_PER_SEC);
  vigil_camera_recording_set_paused (rec, TRUE);
  g_assert_cmpint (vigil_camera_recording_get_position (rec), >=, 0);
  vigil_camera_recording_seek (rec, -G_USEC_PER_SEC);
  g_assert_cmpint (vigil_camera_recording_get_position (rec), ==, 0);
  g_assert_cmpuint (vigil_camera_recording_get_frame_at (rec, -1), ==, 0);
}

static void
test_missing_source (void)
{
  g_autofree char *frames = g_build_filename (camera, "frames", NULL);
  g_autofree char *moved = g_build_filename (dir, "moved-frames", NULL);
  g_autofree char *moved_camera = g_build_filename (dir, "moved-camera", NULL);
  g_autoptr(VigilCameraRecording) rec = NULL;
  g_autoptr(VigilCameraRecording) bare = NULL;
  g_autoptr(GError) frames_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilFrame) mask = NULL;
  sqlite3 *db = open_db (db_path);
  guint n, w, h;

  g_assert_cmpint (g_rename (frames, moved), ==, 0);
  rec = open_recording ();
  frames_error = vigil_camera_recording_dup_frames_error (rec);
  g_assert_error (frames_error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (frames_error->message, frames));
  g_assert_null (vigil_camera_recording_request_frame (rec, 3));
  g_assert_null (vigil_camera_recording_read_frame (rec, 3, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The stored rows still play; camera.json and the mask beside the frames tell the size. */
  vigil_camera_recording_get_detections (rec, (guint64) query_int (db, "SELECT MIN(frame) FROM"
                                                                       " traffic_detections"),
                                         &n);
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (vigil_camera_recording_get_seconds (rec)->len, >, 0);
  vigil_camera_recording_get_frame_size (rec, &w, &h);
  g_assert_cmpuint (w, ==, 640);
  g_assert_cmpuint (h, ==, 360);
  mask = vigil_camera_recording_dup_mask (rec);
  g_assert_nonnull (mask);

  /* With the camera's folder gone too, the extent of the stored boxes. */
  g_assert_cmpint (g_rename (camera, moved_camera), ==, 0);
  bare = open_recording ();
  vigil_camera_recording_get_frame_size (bare, &w, &h);
  g_assert_cmpint (w, ==, query_int (db, "SELECT MAX(CAST(CEIL(x + w) AS INTEGER))"
                                         " FROM traffic_detections"));
  g_assert_cmpint (h, ==, query_int (db, "SELECT MAX(CAST(CEIL(y + h) AS INTEGER))"
                                         " FROM traffic_detections"));
  g_assert_null (vigil_camera_recording_dup_mask (bare));

  g_assert_cmpint (g_rename (moved_camera, camera), ==, 0);
  g_assert_cmpint (g_rename (moved, frames), ==, 0);
  sqlite3_close (db);
}

static void
test_wrong_session (void)
{
  g_autofree char *path = g_build_filename (dir, "rig.sqlite", NULL);
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilCameraRecording) rec = NULL;
  g_autoptr(GError) error = NULL;
  VigilSessionInfo info = {
    .kind = "hydraulic", .source = "/data/rig", .start_us = 0, .window_us = G_USEC_PER_SEC,
    .slide_us = G_USEC_PER_SEC, .lateness_us = 0, .rules_json = "{\"rules\": []}",
  };
  gint64 id;

  store = vigil_store_open (path, &error);
  g_assert_no_error (error);
  id = vigil_store_ensure_session (store, &info, &error);
  g_assert_no_error (error);
  vigil_store_close (store, &error);
  g_assert_no_error (error);

  rec = vigil_camera_recording_open (path, id, &error);
  g_assert_null (rec);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "hydraulic"));
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  /* A session the file does not have. */
  rec = vigil_camera_recording_open (db_path, 42, &error);
  g_assert_null (rec);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
}

static void
test_damaged (void)
{
  g_autofree char *garbage = g_build_filename (dir, "garbage.sqlite", NULL);
  g_autofree char *cut = g_build_filename (dir, "cut.sqlite", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  VigilCameraRecording *rec;
  gsize len;

  g_assert_true (g_file_set_contents (garbage, "this is not a Vigil recording\n", -1, NULL));
  rec = vigil_camera_recording_open (garbage, 0, &error);
  g_assert_null (rec);
  g_assert_nonnull (error);
  g_assert_true (error->domain == VIGIL_ENGINE_ERROR);
  g_clear_error (&error);

  /* The recording cut to its first half: its pages are gone. */
  g_assert_true (g_file_get_contents (db_path, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 8192);
  g_assert_true (g_file_set_contents (cut, contents, (gssize) len / 2, NULL));
  rec = vigil_camera_recording_open (cut, 0, &error);
  g_assert_null (rec);
  g_assert_nonnull (error);
  g_assert_true (error->domain == VIGIL_ENGINE_ERROR);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  record_camera ();

  g_test_add_func ("/engine/camera-recording/detections", test_detections);
  g_test_add_func ("/engine/camera-recording/frames", test_frames);
  g_test_add_func ("/engine/camera-recording/seek", test_seek);
  g_test_add_func ("/engine/camera-recording/missing-source", test_missing_source);
  g_test_add_func ("/engine/camera-recording/wrong-session", test_wrong_session);
  g_test_add_func ("/engine/camera-recording/damaged", test_damaged);

  status = g_test_run ();
  vigil_test_remove_tree (dir);
  g_free (dir);
  g_free (camera);
  g_free (db_path);
  return status;
}
