/* vigil-frame-source.c
 *
 * A camera's frames through GStreamer on a thread of its own: the pipelines for folders, files
 * and URIs, the pull loop, pacing, and the retries of a live source.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-frame-source"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "vigil-error.h"
#include "vigil-frame-source.h"

/* How often the pull loop looks at the bus and at a stop request while no frame comes. */
#define POLL_NS (50 * GST_MSECOND)
/* How often a paced wait looks again at the clock (its speed may change, or pause). */
#define PACE_SLICE_US (100 * 1000)
/* A stream that has not started playing by then is broken (or a network source unreachable). */
#define START_TIMEOUT_S 20

typedef enum
{
  RUN_END,          /* end of stream */
  RUN_ERROR,
  RUN_STOPPED,
} RunResult;

/* The images of a folder, for appsrc's need-data callback on its streaming thread. */
typedef struct
{
  GPtrArray  *files;        /* owned: paths, in frame order */
  guint       next;         /* guarded by the streaming thread alone */
  gint        fps_n;
  gint        fps_d;
} FolderFeed;

struct _VigilFrameSource
{
  GObject                    parent_instance;

  /* Set before start, read-only while the thread runs. */
  char                      *camera_id;
  char                      *location;
  VigilFrameFormat           format;
  double                     fps;
  gint64                     start_us;
  gboolean                   reconnect;
  guint                      retry_first_ms;
  guint                      retry_max_ms;
  guint                      stall_ms;
  VigilReplayClock          *clock;         /* borrowed */
  VigilFrameSourceFrameFunc  frame_func;
  gpointer                   frame_data;
  GDestroyNotify             frame_destroy;
  VigilFrameSourceStateFunc  state_func;
  gpointer                   state_data;
  GDestroyNotify             state_destroy;

  /* Owned by the owner thread. */
  GThread                   *thread;
  gboolean                   started;

  /* Guarded by lock; cond signals stopping. */
  GMutex                     lock;
  GCond                      cond;
  gboolean                   stopping;
  VigilFrameSourceState      state;
  GError                    *error;
  guint64                    n_frames;
  guint                      n_retries;

  /* The source thread's own. */
  guint64                    next_index;    /* frames of a file or URI delivered so far */
  guint                      folder_next;   /* a folder's first image of the next attempt */
  gint64                     live_base_us;  /* wall time of a live stream's time 0 */
  gint64                     last_us;
};

G_DEFINE_FINAL_TYPE (VigilFrameSource, vigil_frame_source, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_CAMERA_ID,
  PROP_LOCATION,
  PROP_FPS,
  PROP_RECONNECT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *const state_names[] = {
  [VIGIL_FRAME_SOURCE_IDLE] = "idle",
  [VIGIL_FRAME_SOURCE_CONNECTING] = "connecting",
  [VIGIL_FRAME_SOURCE_PLAYING] = "playing",
  [VIGIL_FRAME_SOURCE_RETRYING] = "retrying",
  [VIGIL_FRAME_SOURCE_FINISHED] = "finished",
  [VIGIL_FRAME_SOURCE_FAILED] = "failed",
  [VIGIL_FRAME_SOURCE_STOPPED] = "stopped",
};

const char *
vigil_frame_source_state_get_name (VigilFrameSourceState state)
{
  if ((guint) state >= G_N_ELEMENTS (state_names))
    return NULL;
  return state_names[state];
}

/* ---- what the location is ---- */

static gboolean
is_uri (const char *location)
{
  g_autofree char *scheme = g_uri_parse_scheme (location);

  /* "cam:1/frames" may be a folder that happens to look like a URI. */
  return scheme != NULL && g_ascii_strcasecmp (scheme, "file") != 0 &&
         !g_file_test (location, G_FILE_TEST_EXISTS);
}

/* A local path: the location itself, or what a file:// URI names. */
static char *
local_path (const char *location)
{
  if (g_str_has_prefix (location, "file:"))
    return g_filename_from_uri (location, NULL, NULL);
  return g_strdup (location);
}

/* Streams that never end on their own: their end is a disconnection. */
static gboolean
is_live_scheme (const char *location)
{
  static const char *const live[] = {
    "rtsp", "rtsps", "rtspt", "rtspu", "rtmp", "rtmps", "srt", "udp", "rtp", "tcp", "v4l2",
  };
  g_autofree char *scheme = g_uri_parse_scheme (location);

  for (guint i = 0; scheme != NULL && i < G_N_ELEMENTS (live); i++)
    if (g_ascii_strcasecmp (scheme, live[i]) == 0)
      return TRUE;
  return FALSE;
}

/* ---- state ---- */

static void
set_state (VigilFrameSource      *self,
           VigilFrameSourceState  state,
           const GError          *error)
{
  g_mutex_lock (&self->lock);
  self->state = state;
  if (error != NULL)
    {
      g_clear_error (&self->error);
      self->error = g_error_copy (error);
    }
  g_mutex_unlock (&self->lock);

  if (self->state_func != NULL)
    self->state_func (self, state, error, self->state_data);
}

static gboolean
is_stopping (VigilFrameSource *self)
{
  gboolean stopping;

  g_mutex_lock (&self->lock);
  stopping = self->stopping;
  g_mutex_unlock (&self->lock);
  return stopping;
}

/* Sleeps until the monotonic time @deadline_us or a stop request; FALSE on stop. */
static gboolean
sleep_until (VigilFrameSource *self,
             gint64            deadline_us)
{
  gboolean stopping;

  g_mutex_lock (&self->lock);
  while (!self->stopping && g_get_monotonic_time () < deadline_us)
    g_cond_wait_until (&self->cond, &self->lock, deadline_us);
  stopping = self->stopping;
  g_mutex_unlock (&self->lock);
  return !stopping;
}

/* ---- folders ---- */

typedef struct
{
  char    *path;
  guint64  number;
} NumberedFile;

static gboolean
is_image_name (const char *name)
{
  static const char *const exts[] = {
    ".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".ppm", ".pnm", ".tif", ".tiff", ".gif", ".webp",
  };
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; i < G_N_ELEMENTS (exts); i++)
    if (g_str_has_suffix (lower, exts[i]))
      return TRUE;
  return FALSE;
}

/* The last run of digits in the name before its extension: "frame_0012.png" is 12. */
static gboolean
name_number (const char *name,
             guint64    *out)
{
  const char *dot = strrchr (name, '.');
  const char *end = dot != NULL ? dot : name + strlen (name);
  const char *p = end;

  while (p > name && !g_ascii_isdigit (p[-1]))
    p--;
  end = p;
  while (p > name && g_ascii_isdigit (p[-1]))
    p--;
  if (p == end)
    return FALSE;
  *out = 0;
  for (; p < end; p++)
    *out = *out > (G_MAXUINT64 - 9) / 10 ? G_MAXUINT64 : *out * 10 + (guint64) (*p - '0');
  return TRUE;
}

static int
compare_numbered (gconstpointer a,
                  gconstpointer b)
{
  const NumberedFile *fa = a, *fb = b;

  if (fa->number != fb->number)
    return fa->number < fb->number ? -1 : 1;
  return strcmp (fa->path, fb->path);
}

/* The folder's images in the order of their numbers; files without a number in their name
 * (a mask.png beside the frames) are not frames. */
static GPtrArray *
list_folder (VigilFrameSource  *self,
             const char        *path,
             GError           **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GArray) files = g_array_new (FALSE, FALSE, sizeof (NumberedFile));
  g_autoptr(GError) local_error = NULL;
  GPtrArray *out;
  const char *name;

  dir = g_dir_open (path, 0, &local_error);
  if (dir == NULL)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                   "Camera %s: cannot read the folder %s: %s", self->camera_id, path,
                   local_error->message);
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      NumberedFile f;

      if (!is_image_name (name) || !name_number (name, &f.number))
        continue;
      f.path = g_build_filename (path, name, NULL);
      g_array_append_val (files, f);
    }
  if (files->len == 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                   "Camera %s: the folder %s holds no numbered images", self->camera_id, path);
      return NULL;
    }
  g_array_sort (files, compare_numbered);
  out = g_ptr_array_new_full (files->len, g_free);
  for (guint i = 0; i < files->len; i++)
    g_ptr_array_add (out, g_array_index (files, NumberedFile, i).path);
  return out;
}

/* The images' type from the first one's signature. Given to appsrc, it spares decodebin's
 * type finder, which would otherwise gather several small images into one buffer and the
 * decoder would see only the first. */
static GstCaps *
sniff_caps (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, NULL);
  guint8 head[8] = { 0 };
  gsize n = 0;

  if (in == NULL ||
      !g_input_stream_read_all (G_INPUT_STREAM (in), head, sizeof head, &n, NULL, NULL))
    return NULL;
  if (n >= 8 && memcmp (head, "\x89PNG\r\n\x1a\n", 8) == 0)
    return gst_caps_new_empty_simple ("image/png");
  if (n >= 3 && head[0] == 0xff && head[1] == 0xd8 && head[2] == 0xff)
    return gst_caps_new_empty_simple ("image/jpeg");
  if (n >= 2 && head[0] == 'B' && head[1] == 'M')
    return gst_caps_new_empty_simple ("image/bmp");
  return NULL;
}

static void
folder_feed_free (gpointer data)
{
  FolderFeed *feed = data;

  g_ptr_array_unref (feed->files);
  g_free (feed);
}

static void
feed_need_data (GstAppSrc *src,
                guint      length,
                gpointer   user_data)
{
  FolderFeed *feed = user_data;
  g_autoptr(GError) error = NULL;
  const char *path;
  char *contents;
  gsize len;
  GstBuffer *buffer;

  if (feed->next >= feed->files->len)
    {
      gst_app_src_end_of_stream (src);
      return;
    }
  path = feed->files->pdata[feed->next];
  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      gst_element_post_message (GST_ELEMENT (src),
                                gst_message_new_error (GST_OBJECT (src), error, path));
      return;
    }
  buffer = gst_buffer_new_wrapped (contents, len);
  /* The frame's index rides in its timestamp through the decoder. */
  GST_BUFFER_PTS (buffer) = gst_util_uint64_scale (feed->next, GST_SECOND * feed->fps_d,
                                                   feed->fps_n);
  GST_BUFFER_DURATION (buffer) = gst_util_uint64_scale (GST_SECOND, feed->fps_d, feed->fps_n);
  feed->next++;
  gst_app_src_push_buffer (src, buffer);
}

/* ---- pipelines ---- */

static void
on_pad_added (GstElement *decodebin,
              GstPad     *pad,
              gpointer    user_data)
{
  GstElement *convert = user_data;
  g_autoptr(GstPad) sink = gst_element_get_static_pad (convert, "sink");
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  const char *name;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  /* The first video stream; sound and further streams stay unlinked. */
  if (g_str_has_prefix (name, "video/") && !gst_pad_is_linked (sink))
    gst_pad_link (pad, sink);
}

static GstElement *
make_element (VigilFrameSource  *self,
              const char        *factory,
              GError           **error)
{
  GstElement *e = gst_element_factory_make (factory, NULL);

  if (e == NULL)
    g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_FAILED,
                 "Camera %s: the GStreamer element “%s” is not installed", self->camera_id,
                 factory);
  return e;
}

/* A camera's multipart stream (MJPEG over HTTP) holds one stream. Unless the demuxer says so,
 * it never announces that all its pads are there, and decodebin holds the frames back until
 * its queue overruns (2 MB): seconds for a big camera, minutes for a small one. */
static void
on_deep_element_added (GstBin     *bin,
                       GstBin     *sub_bin,
                       GstElement *element,
                       gpointer    data)
{
  GstElementFactory *factory = gst_element_get_factory (element);

  if (factory != NULL &&
      g_str_equal (gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (factory)), "multipartdemux"))
    g_object_set (element, "single-stream", TRUE, NULL);
}

/* source ! decode ! videoconvert ! appsink, where source ! decode is an appsrc feeding
 * decodebin (a folder) or a uridecodebin (a file or URI). Takes @feed. */
static GstElement *
build_pipeline (VigilFrameSource  *self,
                const char        *uri,
                FolderFeed        *feed,
                gboolean           drop,
                GstAppSink       **out_sink,
                GError           **error)
{
  g_autoptr(GstElement) pipeline = gst_pipeline_new (self->camera_id);
  g_autoptr(GstCaps) caps = NULL;
  GstElement *src = NULL, *decode, *convert, *sink;

  if (feed != NULL)
    {
      GstAppSrcCallbacks callbacks = { .need_data = feed_need_data };
      g_autoptr(GstCaps) image_caps = sniff_caps (feed->files->pdata[0]);

      if ((src = make_element (self, "appsrc", error)) == NULL)
        {
          folder_feed_free (feed);
          return NULL;
        }
      gst_bin_add (GST_BIN (pipeline), src);
      g_object_set (src, "format", GST_FORMAT_TIME, "max-buffers", (guint64) 2, "caps",
                    image_caps, NULL);
      gst_app_src_set_callbacks (GST_APP_SRC (src), &callbacks, feed, folder_feed_free);
    }

  decode = make_element (self, feed != NULL ? "decodebin" : "uridecodebin", error);
  if (decode == NULL)
    return NULL;
  gst_bin_add (GST_BIN (pipeline), decode);
  if (src != NULL)
    gst_element_link (src, decode);
  else
    g_object_set (decode, "uri", uri, NULL);

  if ((convert = make_element (self, "videoconvert", error)) == NULL)
    return NULL;
  gst_bin_add (GST_BIN (pipeline), convert);
  if ((sink = make_element (self, "appsink", error)) == NULL)
    return NULL;
  gst_bin_add (GST_BIN (pipeline), sink);
  caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING,
                              self->format == VIGIL_FRAME_GRAY8 ? "GRAY8" : "RGB", NULL);
  /* Two frames in hand at most: the pipeline waits for the callback (or, live, drops). */
  g_object_set (sink, "caps", caps, "sync", FALSE, "max-buffers", 2, "drop", drop,
                "emit-signals", FALSE, NULL);
  gst_element_link (convert, sink);
  g_signal_connect_object (decode, "pad-added", G_CALLBACK (on_pad_added), convert, 0);
  g_signal_connect (pipeline, "deep-element-added", G_CALLBACK (on_deep_element_added), NULL);

  *out_sink = GST_APP_SINK (sink);
  return g_steal_pointer (&pipeline);
}

static VigilFrame *
sample_to_frame (VigilFrameSource *self,
                 GstSample        *sample)
{
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  GstCaps *caps = gst_sample_get_caps (sample);
  GstVideoInfo info;
  GstVideoFrame vf;
  VigilFrame *frame;
  guint bpp = self->format == VIGIL_FRAME_RGB24 ? 3 : 1;

  if (buffer == NULL || caps == NULL || !gst_video_info_from_caps (&info, caps))
    return NULL;
  if (GST_VIDEO_INFO_WIDTH (&info) < 1 || GST_VIDEO_INFO_WIDTH (&info) > 16384 ||
      GST_VIDEO_INFO_HEIGHT (&info) < 1 || GST_VIDEO_INFO_HEIGHT (&info) > 16384)
    return NULL;
  if (!gst_video_frame_map (&vf, &info, buffer, GST_MAP_READ))
    return NULL;

  frame = vigil_frame_new (self->format, GST_VIDEO_INFO_WIDTH (&info),
                           GST_VIDEO_INFO_HEIGHT (&info));
  /* GStreamer pads rows to 4 bytes and VigilFrame to 16: copy row by row. */
  for (guint y = 0; y < frame->height; y++)
    memcpy (frame->data + (gsize) y * frame->stride,
            (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&vf, 0) +
            (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&vf, 0),
            (gsize) frame->width * bpp);
  gst_video_frame_unmap (&vf);
  return frame;
}

/* Gives the frame its index and event time. */
static void
stamp (VigilFrameSource *self,
       VigilFrame       *frame,
       GstClockTime      pts,
       FolderFeed       *feed,
       gboolean          live)
{
  gint64 t;

  if (feed != NULL)
    {
      frame->index = GST_CLOCK_TIME_IS_VALID (pts)
                     ? gst_util_uint64_scale_round (pts, feed->fps_n, GST_SECOND * feed->fps_d)
                     : feed->next;
      t = self->start_us + (gint64) gst_util_uint64_scale (frame->index,
                                                           G_USEC_PER_SEC * feed->fps_d,
                                                           feed->fps_n);
    }
  else
    {
      frame->index = self->next_index;
      if (live)
        {
          gint64 pts_us = GST_CLOCK_TIME_IS_VALID (pts) ? (gint64) (pts / GST_USECOND) : 0;

          if (self->live_base_us == G_MININT64)
            self->live_base_us = g_get_real_time () - pts_us;
          t = self->live_base_us + pts_us;
        }
      else if (GST_CLOCK_TIME_IS_VALID (pts))
        t = self->start_us + (gint64) (pts / GST_USECOND);
      else
        t = self->last_us + 1;
    }
  /* A live camera's event time never goes back, across reconnections included. */
  if (live && self->last_us != G_MININT64 && t <= self->last_us)
    t = self->last_us + 1;
  frame->time_us = t;
  self->last_us = MAX (self->last_us, t);
  self->next_index++;
}

static gboolean
pace (VigilFrameSource *self,
      gint64            time_us)
{
  for (;;)
    {
      gint64 due = vigil_replay_clock_due (self->clock, time_us);
      gint64 now = g_get_monotonic_time ();

      if (due <= now)
        return !is_stopping (self);
      if (!sleep_until (self, MIN (due, now + PACE_SLICE_US)))
        return FALSE;
    }
}

static GError *
message_error (VigilFrameSource *self,
               const char       *what,
               GstMessage       *msg)
{
  g_autoptr(GError) gst_error = NULL;
  g_autofree char *debug = NULL;

  gst_message_parse_error (msg, &gst_error, &debug);
  return g_error_new (VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO, "Camera %s (%s): %s",
                      self->camera_id, what, gst_error->message);
}

/* Pops the bus: an error ends the run, as does the end of the stream. */
static gboolean
check_bus (VigilFrameSource  *self,
           GstBus            *bus,
           const char        *what,
           RunResult         *result,
           GError           **error)
{
  GstMessage *msg;

  while ((msg = gst_bus_pop (bus)) != NULL)
    {
      gboolean done = FALSE;

      if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
        {
          *error = message_error (self, what, msg);
          *result = RUN_ERROR;
          done = TRUE;
        }
      else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS)
        {
          *result = RUN_END;
          done = TRUE;
        }
      gst_message_unref (msg);
      if (done)
        return TRUE;
    }
  return FALSE;
}

/* One attempt: opens the source and delivers its frames until it ends, fails or is stopped.
 * @delivered counts the frames of this attempt. */
static RunResult
run_once (VigilFrameSource  *self,
          guint64           *delivered,
          gboolean          *live,
          GError           **error)
{
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstBus) bus = NULL;
  FolderFeed *feed = NULL;
  GstAppSink *sink = NULL;
  GstStateChangeReturn ret;
  RunResult result = RUN_END;
  const char *what = self->location;
  gint64 start_deadline;
  gint64 last_frame_us = 0;

  *live = FALSE;
  if (is_uri (self->location))
    {
      uri = g_strdup (self->location);
      *live = is_live_scheme (uri);
    }
  else
    {
      path = local_path (self->location);
      if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                       "Camera %s: %s does not exist", self->camera_id,
                       path != NULL ? path : self->location);
          return RUN_ERROR;
        }
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          GPtrArray *files = list_folder (self, path, error);

          if (files == NULL)
            return RUN_ERROR;
          feed = g_new0 (FolderFeed, 1);
          feed->files = files;
          feed->next = MIN (self->folder_next, files->len);
          gst_util_double_to_fraction (self->fps, &feed->fps_n, &feed->fps_d);
        }
      else
        {
          uri = gst_filename_to_uri (path, error);
          if (uri == NULL)
            return RUN_ERROR;
        }
    }

  pipeline = build_pipeline (self, uri, feed, *live, &sink, error);
  if (pipeline == NULL)
    return RUN_ERROR;
  bus = gst_element_get_bus (pipeline);
  ret = gst_element_set_state (pipeline, GST_STATE_PLAYING);
  if (ret == GST_STATE_CHANGE_NO_PREROLL)
    *live = TRUE;
  if (ret == GST_STATE_CHANGE_FAILURE)
    {
      if (!check_bus (self, bus, what, &result, error) || result != RUN_ERROR)
        g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                     "Camera %s (%s): the stream cannot start", self->camera_id, what);
      gst_element_set_state (pipeline, GST_STATE_NULL);
      return RUN_ERROR;
    }

  self->live_base_us = G_MININT64;
  start_deadline = g_get_monotonic_time () + START_TIMEOUT_S * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr(GstSample) sample = NULL;

      if (is_stopping (self))
        {
          result = RUN_STOPPED;
          break;
        }
      if (check_bus (self, bus, what, &result, error))
        break;
      sample = gst_app_sink_try_pull_sample (sink, POLL_NS);
      if (sample != NULL)
        {
          g_autoptr(VigilFrame) frame = sample_to_frame (self, sample);

          if (frame == NULL)
            continue;
          stamp (self, frame, GST_BUFFER_PTS (gst_sample_get_buffer (sample)), feed, *live);
          if (*delivered == 0)
            set_state (self, VIGIL_FRAME_SOURCE_PLAYING, NULL);
          if (self->clock != NULL && !*live && !pace (self, frame->time_us))
            {
              result = RUN_STOPPED;
              break;
            }
          if (feed != NULL)
            self->folder_next = (guint) frame->index + 1;
          if (self->frame_func != NULL)
            self->frame_func (self, frame, self->frame_data);
          (*delivered)++;
          g_mutex_lock (&self->lock);
          self->n_frames++;
          g_mutex_unlock (&self->lock);
          /* After the callback and the pacing: only the stream's own silence counts. */
          last_frame_us = g_get_monotonic_time ();
        }
      else if (gst_app_sink_is_eos (sink))
        {
          result = RUN_END;
          break;
        }
      else if (*delivered == 0 && g_get_monotonic_time () > start_deadline &&
               gst_element_get_state (pipeline, NULL, NULL, 0) != GST_STATE_CHANGE_SUCCESS)
        {
          /* decodebin keeps to itself the errors of a demuxer it is still trying out, and
           * may then wait forever without a word on the bus. */
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                       "Camera %s (%s): the stream did not start within %d s", self->camera_id,
                       what, START_TIMEOUT_S);
          result = RUN_ERROR;
          break;
        }
      else if (*delivered > 0 && self->stall_ms > 0 &&
               g_get_monotonic_time () - last_frame_us > (gint64) self->stall_ms * 1000)
        {
          /* A camera or server that keeps the connection open but sends nothing more would
           * otherwise hold the source in "playing" for ever. */
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                       "Camera %s (%s): the stream stalled (no frame for %.1f s)",
                       self->camera_id, what, self->stall_ms / 1000.0);
          result = RUN_ERROR;
          break;
        }
    }

  gst_element_set_state (pipeline, GST_STATE_NULL);
  return result;
}

static gpointer
source_thread (gpointer data)
{
  VigilFrameSource *self = data;
  guint delay_ms = self->retry_first_ms;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      guint64 delivered = 0;
      gboolean live = FALSE;
      RunResult result;

      set_state (self, VIGIL_FRAME_SOURCE_CONNECTING, NULL);
      result = run_once (self, &delivered, &live, &error);
      if (result == RUN_STOPPED || is_stopping (self))
        {
          set_state (self, VIGIL_FRAME_SOURCE_STOPPED, NULL);
          break;
        }
      if (result == RUN_END && !(live && self->reconnect))
        {
          set_state (self, VIGIL_FRAME_SOURCE_FINISHED, NULL);
          break;
        }
      if (result == RUN_ERROR && !self->reconnect)
        {
          set_state (self, VIGIL_FRAME_SOURCE_FAILED, error);
          break;
        }

      if (error == NULL)
        error = g_error_new (VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                             "Camera %s (%s): the stream ended", self->camera_id,
                             self->location);
      if (delivered > 0)
        delay_ms = self->retry_first_ms;
      g_mutex_lock (&self->lock);
      self->n_retries++;
      g_mutex_unlock (&self->lock);
      set_state (self, VIGIL_FRAME_SOURCE_RETRYING, error);
      if (!sleep_until (self, g_get_monotonic_time () + (gint64) delay_ms * 1000))
        {
          set_state (self, VIGIL_FRAME_SOURCE_STOPPED, NULL);
          break;
        }
      delay_ms = (guint) MIN ((guint64) delay_ms * 2, self->retry_max_ms);
    }
  return NULL;
}

/* ---- GObject ---- */

static void
vigil_frame_source_dispose (GObject *object)
{
  VigilFrameSource *self = VIGIL_FRAME_SOURCE (object);

  vigil_frame_source_stop (self);
  if (self->frame_destroy != NULL)
    g_clear_pointer (&self->frame_data, self->frame_destroy);
  if (self->state_destroy != NULL)
    g_clear_pointer (&self->state_data, self->state_destroy);
  self->frame_func = NULL;
  self->state_func = NULL;

  G_OBJECT_CLASS (vigil_frame_source_parent_class)->dispose (object);
}

static void
vigil_frame_source_finalize (GObject *object)
{
  VigilFrameSource *self = VIGIL_FRAME_SOURCE (object);

  g_free (self->camera_id);
  g_free (self->location);
  g_clear_error (&self->error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (vigil_frame_source_parent_class)->finalize (object);
}

static void
vigil_frame_source_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  VigilFrameSource *self = VIGIL_FRAME_SOURCE (object);

  switch (prop_id)
    {
    case PROP_CAMERA_ID:
      g_value_set_string (value, self->camera_id);
      break;
    case PROP_LOCATION:
      g_value_set_string (value, self->location);
      break;
    case PROP_FPS:
      g_value_set_double (value, self->fps);
      break;
    case PROP_RECONNECT:
      g_value_set_boolean (value, self->reconnect);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vigil_frame_source_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  VigilFrameSource *self = VIGIL_FRAME_SOURCE (object);

  switch (prop_id)
    {
    case PROP_CAMERA_ID:
      self->camera_id = g_value_dup_string (value);
      break;
    case PROP_LOCATION:
      self->location = g_value_dup_string (value);
      self->reconnect = self->location != NULL && is_uri (self->location);
      break;
    case PROP_FPS:
      vigil_frame_source_set_fps (self, g_value_get_double (value));
      break;
    case PROP_RECONNECT:
      vigil_frame_source_set_reconnect (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vigil_frame_source_class_init (VigilFrameSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vigil_frame_source_dispose;
  object_class->finalize = vigil_frame_source_finalize;
  object_class->get_property = vigil_frame_source_get_property;
  object_class->set_property = vigil_frame_source_set_property;

  properties[PROP_CAMERA_ID] =
    g_param_spec_string ("camera-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOCATION] =
    g_param_spec_string ("location", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FPS] =
    g_param_spec_double ("fps", NULL, NULL, 0.001, 1000, 25,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECONNECT] =
    g_param_spec_boolean ("reconnect", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vigil_frame_source_init (VigilFrameSource *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->format = VIGIL_FRAME_RGB24;
  self->fps = 25;
  self->retry_first_ms = 1000;
  self->retry_max_ms = 30000;
  self->stall_ms = 10000;
  self->state = VIGIL_FRAME_SOURCE_IDLE;
  self->last_us = G_MININT64;
}

VigilFrameSource *
vigil_frame_source_new (const char *camera_id,
                        const char *location)
{
  g_return_val_if_fail (camera_id != NULL, NULL);
  g_return_val_if_fail (location != NULL, NULL);

  return g_object_new (VIGIL_TYPE_FRAME_SOURCE, "camera-id", camera_id, "location", location,
                       NULL);
}

const char *
vigil_frame_source_get_camera_id (VigilFrameSource *self)
{
  g_return_val_if_fail (VIGIL_IS_FRAME_SOURCE (self), NULL);

  return self->camera_id;
}

const char *
vigil_frame_source_get_location (VigilFrameSource *self)
{
  g_return_val_if_fail (VIGIL_IS_FRAME_SOURCE (self), NULL);

  return self->location;
}

void
vigil_frame_source_set_format (VigilFrameSource *self,
                               VigilFrameFormat  format)
{
  g_return_if_fail (VIGIL_IS_FRAME_SOURCE (self));
  g_return_if_fail (format == VIGIL_FRAME_GRAY8 || format == VIGIL_FRAME_RGB24);
  g_return_if_fail (!self->started);

  self->format = format;
}

void
vigil_frame_source_set_fps (VigilFrameSource *self,
                            double            fps)
{
  g_return_if_fail (VIGIL_IS_FRAME_SOURCE (self));
  g_return_if_fail (fps > 0 && fps <= 1000);
  g_return_if_fail (!self->started);

  if (self->fps == fps)
    return;
  self->fps = fps;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FPS]);
}

double
vigil_frame_source_get_fps (VigilFrameSource *self)
{
  g_return_val_if_fail (VIGIL_IS_FRAME_SOURCE (self), 0);

  return self->fps;
}

void
vigil_frame_source_set_start_time (VigilFrameSource *self,
                                   gint64            start_us)
{
  g_return_if_fail (VIGIL_IS_FRAME_SOURCE (self));
  g_return_if_fail (!self->started);

  self->start_us = start_us;
}

void
vigil_frame_source_set_reconnect (VigilFrameSource *self,
                                  gboolean          reconnect)
{
  g_return_if_fail (VIGIL_IS_FRAME_SOURCE (self));
  g_return_if_fail (!self->started);

  reconnect = !!reconnect;
  if (self->reconnect == reconnect)
    return;
  self->reconnect = reconnect;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECONNECT]);
}

gboolean
vigil_frame_source_get_reconnect (VigilFrameSource *self)
{
  g_return_val_if_fail (VIGIL_IS_FRAME_SOURCE (self), FALSE);

  return self->reconnect;
}

void
vigil_frame_source_set_retry_delay (VigilFrameSource *self,
                                    guint             first_ms,
                                    guint             max_ms)
{
  g_return_if_fail (VIGIL_IS_FRAME_SOURCE (self));
  g_return_if_fail (first_ms > 0 && max_ms >= first_ms);
  g_return_if_fail (!self->started);

  self->retry_first_ms = first_ms;
  self->retry_max_ms = max_ms;
}

void
vigil_frame_source_set_stall_timeout (VigilFrameSource *self,
                                      guint             ms)
{
  g_return_if_fail (VIGIL_IS_FRAME_SOURCE (self));
  g_return_if_fail (!self->started);

  self->stall_ms = ms;
}

void
vigil_frame_source_set_clock (VigilFrameSource *self,
                              VigilReplayClock *clock)
{
  g_return_if_fail (VIGIL_IS_FRAME_SOURCE (self));
  g_return_if_fail (!self->started);

  self->clock = clock;
}

void
vigil_frame_source_set_frame_func (VigilFrameSource          *self,
                                   VigilFrameSourceFrameFunc  func,
                                   gpointer                   user_data,
                                   GDestroyNotify             destroy)
{
  g_return_if_fail (VIGIL_IS_FRAME_SOURCE (self));
  g_return_if_fail (!self->started);

  if (self->frame_destroy != NULL)
    g_clear_pointer (&self->frame_data, self->frame_destroy);
  self->frame_func = func;
  self->frame_data = user_data;
  self->frame_destroy = destroy;
}

void
vigil_frame_source_set_state_func (VigilFrameSource          *self,
                                   VigilFrameSourceStateFunc  func,
                                   gpointer                   user_data,
                                   GDestroyNotify             destroy)
{
  g_return_if_fail (VIGIL_IS_FRAME_SOURCE (self));
  g_return_if_fail (!self->started);

  if (self->state_destroy != NULL)
    g_clear_pointer (&self->state_data, self->state_destroy);
  self->state_func = func;
  self->state_data = user_data;
  self->state_destroy = destroy;
}

gboolean
vigil_frame_source_start (VigilFrameSource  *self,
                          GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (VIGIL_IS_FRAME_SOURCE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->started)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Camera %s: the frame source was already started", self->camera_id);
      return FALSE;
    }
  if (!gst_init_check (NULL, NULL, &local_error))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_FAILED,
                   "Camera %s: GStreamer cannot start: %s", self->camera_id,
                   local_error->message);
      return FALSE;
    }

  self->started = TRUE;
  name = g_strdup_printf ("vigil-cam-%s", self->camera_id);
  self->thread = g_thread_new (name, source_thread, self);
  return TRUE;
}

static void
join (VigilFrameSource *self)
{
  GThread *thread = g_steal_pointer (&self->thread);

  if (thread == NULL)
    return;
  g_thread_join (thread);
}

void
vigil_frame_source_stop (VigilFrameSource *self)
{
  g_return_if_fail (VIGIL_IS_FRAME_SOURCE (self));

  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  join (self);
}

VigilFrameSourceState
vigil_frame_source_wait (VigilFrameSource *self)
{
  g_return_val_if_fail (VIGIL_IS_FRAME_SOURCE (self), VIGIL_FRAME_SOURCE_IDLE);

  join (self);
  return vigil_frame_source_get_state (self);
}

VigilFrameSourceState
vigil_frame_source_get_state (VigilFrameSource *self)
{
  VigilFrameSourceState state;

  g_return_val_if_fail (VIGIL_IS_FRAME_SOURCE (self), VIGIL_FRAME_SOURCE_IDLE);

  g_mutex_lock (&self->lock);
  state = self->state;
  g_mutex_unlock (&self->lock);
  return state;
}

GError *
vigil_frame_source_dup_error (VigilFrameSource *self)
{
  GError *error;

  g_return_val_if_fail (VIGIL_IS_FRAME_SOURCE (self), NULL);

  g_mutex_lock (&self->lock);
  error = self->error != NULL ? g_error_copy (self->error) : NULL;
  g_mutex_unlock (&self->lock);
  return error;
}

guint64
vigil_frame_source_get_n_frames (VigilFrameSource *self)
{
  guint64 n;

  g_return_val_if_fail (VIGIL_IS_FRAME_SOURCE (self), 0);

  g_mutex_lock (&self->lock);
  n = self->n_frames;
  g_mutex_unlock (&self->lock);
  return n;
}

guint
vigil_frame_source_get_n_retries (VigilFrameSource *self)
{
  guint n;

  g_return_val_if_fail (VIGIL_IS_FRAME_SOURCE (self), 0);

  g_mutex_lock (&self->lock);
  n = self->n_retries;
  g_mutex_unlock (&self->lock);
  return n;
}
