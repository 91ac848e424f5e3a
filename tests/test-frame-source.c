/* test-frame-source.c
 *
 * Frame sources: numbered folders in numeric order with index / fps times, missing and broken
 * sources that say what failed, two cameras at once, a video file made here with GStreamer,
 * a source that recovers after retries, and a paused clock that holds frames back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gst/gst.h>

#include "vigil-error.h"
#include "vigil-frame-source.h"
#include "vigil-test-gstreamer.h"
#include "vigil-test-util.h"
#include "vigil-time.h"
#include "vigil-traffic-generator.h"

#define N_IMAGES 12
#define IMG_W    33     /* odd: GStreamer's RGB rows are padded to 100 bytes, Vigil's to 112 */
#define IMG_H    7

typedef struct
{
  char *dir;
} Fixture;

/* What a source delivered, filled on its thread. */
typedef struct
{
  GMutex                 lock;
  GCond                  cond;
  GPtrArray             *frames;       /* VigilFrame */
  GArray                *states;       /* VigilFrameSourceState */
  VigilFrameSourceState  last;
  char                  *retry_message;
  /* For the recovery test: made on this many retries. */
  guint                  make_on_retry;
  char                  *make_dir;
} Sink;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("vigil-frame-source-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  vigil_test_remove_tree (fx->dir);
  g_free (fx->dir);
}

static void
sink_init (Sink *sink)
{
  memset (sink, 0, sizeof *sink);
  g_mutex_init (&sink->lock);
  g_cond_init (&sink->cond);
  sink->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) vigil_frame_unref);
  sink->states = g_array_new (FALSE, FALSE, sizeof (VigilFrameSourceState));
}

static void
sink_clear (Sink *sink)
{
  g_ptr_array_unref (sink->frames);
  g_array_unref (sink->states);
  g_free (sink->retry_message);
  g_free (sink->make_dir);
  g_mutex_clear (&sink->lock);
  g_cond_clear (&sink->cond);
}

/* The pixel of image @i: grey 10 i + 5, or in colour (10 i + 5, 250 - 10 i, 3 i). */
static guint8
channel (guint i,
         guint c)
{
  return c == 0 ? 10 * i + 5 : c == 1 ? 250 - 10 * i : 3 * i;
}

static void
write_image (const char *path,
             guint       i)
{
  g_autoptr(VigilFrame) frame = vigil_frame_new (VIGIL_FRAME_RGB24, IMG_W, IMG_H);
  g_autoptr(GError) error = NULL;

  for (guint y = 0; y < IMG_H; y++)
    for (guint x = 0; x < IMG_W; x++)
      for (guint c = 0; c < 3; c++)
        frame->data[y * frame->stride + 3 * x + c] = channel (i, c);
  vigil_traffic_write_png (frame, path, &error);
  g_assert_no_error (error);
}

/* Numbered images written in an order that is neither numeric nor alphabetical, with names
 * whose string order differs from their numbers ("f10" before "f2"), and files that are
 * not frames. */
static char *
make_folder (const char *parent,
             const char *name)
{
  static const guint order[N_IMAGES] = { 7, 2, 11, 0, 9, 4, 1, 10, 3, 8, 6, 5 };
  char *dir = g_build_filename (parent, name, NULL);
  g_autofree char *mask = g_build_filename (dir, "mask.png", NULL);
  g_autofree char *notes = g_build_filename (dir, "notes-3.txt", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  for (guint k = 0; k < N_IMAGES; k++)
    {
      g_autofree char *file = g_strdup_printf ("f%u.png", order[k]);
      g_autofree char *path = g_build_filename (dir, file, NULL);

      write_image (path, order[k]);
    }
  write_image (mask, 20);
  g_assert_true (g_file_set_contents (notes, "not a frame", -1, NULL));
  return dir;
}

static void
on_frame (VigilFrameSource *source,
          VigilFrame       *frame,
          gpointer          user_data)
{
  Sink *sink = user_data;

  g_mutex_lock (&sink->lock);
  g_ptr_array_add (sink->frames, vigil_frame_ref (frame));
  g_mutex_unlock (&sink->lock);
}

static void
on_state (VigilFrameSource      *source,
          VigilFrameSourceState  state,
          const GError          *error,
          gpointer               user_data)
{
  Sink *sink = user_data;
  char *make_dir = NULL;

  g_mutex_lock (&sink->lock);
  g_array_append_val (sink->states, state);
  sink->last = state;
  if (state == VIGIL_FRAME_SOURCE_RETRYING)
    {
      g_assert_nonnull (error);
      g_free (sink->retry_message);
      sink->retry_message = g_strdup (error->message);
      if (sink->make_on_retry > 0 && --sink->make_on_retry == 0)
        make_dir = sink->make_dir;
    }
  g_cond_broadcast (&sink->cond);
  g_mutex_unlock (&sink->lock);

  /* The folder appears while the source waits to try again: the next attempt finds it. */
  if (make_dir != NULL)
    {
      g_autofree char *parent = g_path_get_dirname (make_dir);
      g_autofree char *base = g_path_get_basename (make_dir);
      g_autofree char *made = make_folder (parent, base);
    }
}

static VigilFrameSource *
make_source (const char       *camera,
             const char       *location,
             VigilFrameFormat  format,
             Sink             *sink)
{
  VigilFrameSource *source = vigil_frame_source_new (camera, location);

  vigil_frame_source_set_format (source, format);
  vigil_frame_source_set_frame_func (source, on_frame, sink, NULL);
  vigil_frame_source_set_state_func (source, on_state, sink, NULL);
  return source;
}

static void
assert_folder_frames (Sink             *sink,
                      VigilFrameFormat  format,
                      gint64            start_us,
                      double            fps)
{
  g_assert_cmpuint (sink->frames->len, ==, N_IMAGES);
  for (guint i = 0; i < N_IMAGES; i++)
    {
      const VigilFrame *f = sink->frames->pdata[i];
      guint bpp = format == VIGIL_FRAME_RGB24 ? 3 : 1;

      g_assert_cmpint (f->format, ==, format);
      g_assert_cmpuint (f->width, ==, IMG_W);
      g_assert_cmpuint (f->height, ==, IMG_H);
      g_assert_cmpuint (f->stride, >=, IMG_W * bpp);
      g_assert_cmpuint (f->index, ==, i);
      g_assert_cmpint (f->time_us, ==, start_us + (gint64) (i * G_USEC_PER_SEC / fps));
      for (guint y = 0; y < IMG_H; y++)
        for (guint x = 0; x < IMG_W; x++)
          {
            const guint8 *p = f->data + y * f->stride + bpp * x;

            if (format == VIGIL_FRAME_RGB24)
              {
                g_assert_cmpuint (p[0], ==, channel (i, 0));
                g_assert_cmpuint (p[1], ==, channel (i, 1));
                g_assert_cmpuint (p[2], ==, channel (i, 2));
              }
            else
              {
                /* BT.601 luma, as videoconvert computes it: within one level of the
                 * exact value. */
                double luma = 0.299 * channel (i, 0) + 0.587 * channel (i, 1) +
                              0.114 * channel (i, 2);

                g_assert_cmpfloat (p[0], >=, luma - 1.5);
                g_assert_cmpfloat (p[0], <=, luma + 1.5);
              }
          }
    }
}

static void
test_folder_order (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *dir = make_folder (fx->dir, "cam");
  g_autoptr(GError) error = NULL;

  for (guint pass = 0; pass < 2; pass++)
    {
      VigilFrameFormat format = pass == 0 ? VIGIL_FRAME_RGB24 : VIGIL_FRAME_GRAY8;
      g_autoptr(VigilFrameSource) source = NULL;
      Sink sink;

      sink_init (&sink);
      source = make_source ("cam_01", dir, format, &sink);
      vigil_frame_source_set_fps (source, 4);
      vigil_frame_source_set_start_time (source, pass * VIGIL_DEFAULT_START_US);
      g_assert_false (vigil_frame_source_get_reconnect (source));
      g_assert_true (vigil_frame_source_start (source, &error));
      g_assert_no_error (error);
      g_assert_cmpint (vigil_frame_source_wait (source), ==, VIGIL_FRAME_SOURCE_FINISHED);

      assert_folder_frames (&sink, format, pass * VIGIL_DEFAULT_START_US, 4);
      g_assert_cmpuint (vigil_frame_source_get_n_frames (source), ==, N_IMAGES);
      g_assert_null (vigil_frame_source_dup_error (source));
      g_assert_cmpuint (sink.states->len, ==, 3);
      g_assert_cmpint (g_array_index (sink.states, VigilFrameSourceState, 0), ==,
                       VIGIL_FRAME_SOURCE_CONNECTING);
      g_assert_cmpint (g_array_index (sink.states, VigilFrameSourceState, 1), ==,
                       VIGIL_FRAME_SOURCE_PLAYING);
      g_assert_cmpint (g_array_index (sink.states, VigilFrameSourceState, 2), ==,
                       VIGIL_FRAME_SOURCE_FINISHED);
      g_assert_false (vigil_frame_source_start (source, &error));
      g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
      g_clear_error (&error);
      g_clear_object (&source);
      sink_clear (&sink);
    }
}

static void
assert_fails (const char *location,
              const char *camera,
              const char *expected)
{
  g_autoptr(VigilFrameSource) source = NULL;
  g_autoptr(GError) error = NULL;
  Sink sink;

  sink_init (&sink);
  source = make_source (camera, location, VIGIL_FRAME_RGB24, &sink);
  g_assert_true (vigil_frame_source_start (source, &error));
  g_assert_cmpint (vigil_frame_source_wait (source), ==, VIGIL_FRAME_SOURCE_FAILED);
  error = vigil_frame_source_dup_error (source);
  g_assert_nonnull (error);
  g_assert_true (error->domain == VIGIL_ENGINE_ERROR);
  g_assert_nonnull (strstr (error->message, camera));
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_cmpuint (sink.frames->len, ==, 0);
  g_assert_cmpint (sink.last, ==, VIGIL_FRAME_SOURCE_FAILED);
  g_assert_cmpuint (vigil_frame_source_get_n_retries (source), ==, 0);
  g_clear_object (&source);
  sink_clear (&sink);
}

static void
test_missing (Fixture       *fx,
              gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (fx->dir, "no-such-folder", NULL);
  g_autofree char *file = g_build_filename (fx->dir, "no-such-video.avi", NULL);
  g_autofree char *empty = g_build_filename (fx->dir, "empty", NULL);
  g_autofree char *empty_msg = g_strdup_printf ("%s holds no numbered images", empty);
  g_autofree char *folder_msg = g_strdup_printf ("%s does not exist", folder);
  g_autofree char *file_msg = g_strdup_printf ("%s does not exist", file);

  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);
  assert_fails (folder, "cam_07", folder_msg);
  assert_fails (file, "cam_08", file_msg);
  assert_fails (empty, "cam_09", empty_msg);
}

static void
test_two_cameras (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *dir = make_folder (fx->dir, "good");
  g_autofree char *broken = g_build_filename (fx->dir, "broken.avi", NULL);
  g_autoptr(VigilFrameSource) good = NULL;
  g_autoptr(VigilFrameSource) bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) bad_error = NULL;
  Sink good_sink, bad_sink;

  g_assert_true (g_file_set_contents (broken, "this is not a video at all", -1, NULL));
  sink_init (&good_sink);
  sink_init (&bad_sink);
  good = make_source ("cam_01", dir, VIGIL_FRAME_RGB24, &good_sink);
  bad = make_source ("cam_02", broken, VIGIL_FRAME_RGB24, &bad_sink);
  vigil_frame_source_set_fps (good, 10);
  g_assert_true (vigil_frame_source_start (bad, &error));
  g_assert_true (vigil_frame_source_start (good, &error));
  g_assert_no_error (error);

  g_assert_cmpint (vigil_frame_source_wait (bad), ==, VIGIL_FRAME_SOURCE_FAILED);
  g_assert_cmpint (vigil_frame_source_wait (good), ==, VIGIL_FRAME_SOURCE_FINISHED);
  assert_folder_frames (&good_sink, VIGIL_FRAME_RGB24, 0, 10);
  bad_error = vigil_frame_source_dup_error (bad);
  g_assert_nonnull (bad_error);
  g_assert_nonnull (strstr (bad_error->message, "cam_02"));
  g_assert_nonnull (strstr (bad_error->message, broken));
  g_assert_cmpuint (bad_sink.frames->len, ==, 0);

  g_clear_object (&good);
  g_clear_object (&bad);
  sink_clear (&good_sink);
  sink_clear (&bad_sink);
}

/* Runs a gst-launch style pipeline to its end. */
static void
run_pipeline (const char *description)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = gst_parse_launch (description, &error);
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) msg = NULL;

  g_assert_no_error (error);
  bus = gst_element_get_bus (pipeline);
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

static void
test_video (Fixture       *fx,
            gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fx->dir, "clip.avi", NULL);
  g_autofree char *uri = NULL;
  g_autofree char *description = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (gst_init_check (NULL, NULL, &error));
  description = g_strdup_printf ("videotestsrc num-buffers=25 pattern=ball ! "
                                 "video/x-raw,width=64,height=48,framerate=10/1 ! jpegenc ! "
                                 "avimux ! filesink location=\"%s\"", path);
  run_pipeline (description);
  uri = g_filename_to_uri (path, NULL, &error);
  g_assert_no_error (error);

  /* As a path and as a file:// URI: the same frames, stamped from the stream. */
  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(VigilFrameSource) source = NULL;
      gint64 start = pass * VIGIL_DEFAULT_START_US;
      Sink sink;

      sink_init (&sink);
      source = make_source ("cam_05", pass == 0 ? path : uri, VIGIL_FRAME_GRAY8, &sink);
      g_assert_false (vigil_frame_source_get_reconnect (source));
      vigil_frame_source_set_start_time (source, start);
      g_assert_true (vigil_frame_source_start (source, &error));
      g_assert_cmpint (vigil_frame_source_wait (source), ==, VIGIL_FRAME_SOURCE_FINISHED);
      g_assert_cmpuint (sink.frames->len, ==, 25);
      for (guint i = 0; i < sink.frames->len; i++)
        {
          const VigilFrame *f = sink.frames->pdata[i];

          g_assert_cmpuint (f->index, ==, i);
          g_assert_cmpuint (f->width, ==, 64);
          g_assert_cmpuint (f->height, ==, 48);
          g_assert_cmpint (f->time_us, ==, start + i * 100000);
        }
      g_clear_object (&source);
      sink_clear (&sink);
    }
}

static void
test_recovers (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (fx->dir, "later", NULL);
  g_autoptr(VigilFrameSource) source = NULL;
  g_autoptr(GError) error = NULL;
  Sink sink;
  guint n_retrying = 0;

  sink_init (&sink);
  sink.make_on_retry = 3;
  sink.make_dir = g_strdup (dir);
  source = make_source ("cam_03", dir, VIGIL_FRAME_RGB24, &sink);
  vigil_frame_source_set_reconnect (source, TRUE);
  vigil_frame_source_set_retry_delay (source, 5, 20);
  vigil_frame_source_set_fps (source, 2);
  g_assert_true (vigil_frame_source_start (source, &error));
  g_assert_cmpint (vigil_frame_source_wait (source), ==, VIGIL_FRAME_SOURCE_FINISHED);

  /* Three failed attempts that said why, then every frame. */
  g_assert_cmpuint (vigil_frame_source_get_n_retries (source), ==, 3);
  for (guint i = 0; i < sink.states->len; i++)
    n_retrying += g_array_index (sink.states, VigilFrameSourceState, i) ==
                  VIGIL_FRAME_SOURCE_RETRYING;
  g_assert_cmpuint (n_retrying, ==, 3);
  g_assert_nonnull (strstr (sink.retry_message, "cam_03"));
  g_assert_nonnull (strstr (sink.retry_message, dir));
  assert_folder_frames (&sink, VIGIL_FRAME_RGB24, 0, 2);

  g_clear_object (&source);
  sink_clear (&sink);
}

static void
test_paused_clock (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *dir = make_folder (fx->dir, "paced");
  g_autoptr(VigilReplayClock) clock = vigil_replay_clock_new (1, 0);
  g_autoptr(VigilFrameSource) source = NULL;
  g_autoptr(GError) error = NULL;
  Sink sink;

  sink_init (&sink);
  vigil_replay_clock_set_paused (clock, TRUE);
  source = make_source ("cam_04", dir, VIGIL_FRAME_RGB24, &sink);
  vigil_frame_source_set_clock (source, clock);
  g_assert_true (vigil_frame_source_start (source, &error));

  /* The first frame is decoded (PLAYING) but held by the paused clock until the stop. */
  g_mutex_lock (&sink.lock);
  while (sink.last != VIGIL_FRAME_SOURCE_PLAYING)
    g_cond_wait (&sink.cond, &sink.lock);
  g_mutex_unlock (&sink.lock);
  vigil_frame_source_stop (source);
  g_assert_cmpint (vigil_frame_source_get_state (source), ==, VIGIL_FRAME_SOURCE_STOPPED);
  g_assert_cmpuint (sink.frames->len, ==, 0);
  g_assert_cmpuint (vigil_frame_source_get_n_frames (source), ==, 0);

  g_clear_object (&source);
  sink_clear (&sink);
}

static void
test_uri_defaults (void)
{
  g_autoptr(VigilFrameSource) live = vigil_frame_source_new ("cam_06",
                                                             "rtsp://127.0.0.1:1/stream");

  g_assert_true (vigil_frame_source_get_reconnect (live));
  g_assert_cmpstr (vigil_frame_source_get_camera_id (live), ==, "cam_06");
  g_assert_cmpint (vigil_frame_source_get_state (live), ==, VIGIL_FRAME_SOURCE_IDLE);
  g_assert_cmpstr (vigil_frame_source_state_get_name (VIGIL_FRAME_SOURCE_RETRYING), ==,
                   "retrying");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/frame-source/folder-order", Fixture, NULL, fixture_setup,
              test_folder_order, fixture_teardown);
  g_test_add ("/engine/frame-source/missing", Fixture, NULL, fixture_setup, test_missing,
              fixture_teardown);
  g_test_add ("/engine/frame-source/two-cameras", Fixture, NULL, fixture_setup,
              test_two_cameras, fixture_teardown);
  g_test_add ("/engine/frame-source/video", Fixture, NULL, fixture_setup, test_video,
              fixture_teardown);
  g_test_add ("/engine/frame-source/recovers", Fixture, NULL, fixture_setup, test_recovers,
              fixture_teardown);
  g_test_add ("/engine/frame-source/paused-clock", Fixture, NULL, fixture_setup,
              test_paused_clock, fixture_teardown);
  g_test_add_func ("/engine/frame-source/uri-defaults", test_uri_defaults);

  return g_test_run ();
}
