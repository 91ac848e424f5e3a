/* vigil-image.c
 *
 * Still images through GStreamer: appsrc (the whole file or buffer) ! decodebin ! videoconvert !
 * appsink, prerolled, the one decoded picture copied into a VigilFrame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-image"

#include "config.h"

#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "vigil-error.h"
#include "vigil-image.h"

/* A broken file fails at once; this only bounds a decoder that hangs. */
#define PREROLL_TIMEOUT (30 * GST_SECOND)

static gpointer
init_gstreamer (gpointer data)
{
  gst_init (NULL, NULL);
  return NULL;
}

static void
on_pad_added (GstElement *decodebin,
              GstPad     *pad,
              gpointer    user_data)
{
  GstElement *convert = user_data;
  g_autoptr(GstPad) sink = gst_element_get_static_pad (convert, "sink");
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);

  if (gst_pad_is_linked (sink))
    return;
  /* Only a video pad can feed videoconvert; anything else (an image with metadata streams)
   * is left unlinked. */
  if (caps != NULL &&
      !g_str_has_prefix (gst_structure_get_name (gst_caps_get_structure (caps, 0)), "video/"))
    return;
  gst_pad_link (pad, sink);
}

static GstElement *
build_pipeline (GstElement **appsrc,
                GstElement **appsink)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *src = gst_element_factory_make ("appsrc", NULL);
  GstElement *decode = gst_element_factory_make ("decodebin", NULL);
  GstElement *convert = gst_element_factory_make ("videoconvert", NULL);
  GstElement *sink = gst_element_factory_make ("appsink", NULL);
  g_autoptr(GstCaps) caps = NULL;

  if (src == NULL || decode == NULL || convert == NULL || sink == NULL)
    {
      g_clear_object (&src);
      g_clear_object (&decode);
      g_clear_object (&convert);
      g_clear_object (&sink);
      gst_object_unref (pipeline);
      return NULL;
    }

  /* Grey images stay grey (videoconvert passes them through untouched, so label levels are
   * exact); everything else becomes RGB. Palette PNGs are expanded to RGB by pngdec. */
  caps = gst_caps_from_string ("video/x-raw,format=(string){ RGB, GRAY8 }");
  g_object_set (src, "stream-type", 0 /* GST_APP_STREAM_TYPE_STREAM */, "format",
                GST_FORMAT_BYTES, NULL);
  g_object_set (sink, "caps", caps, "sync", FALSE, "max-buffers", 1, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, decode, convert, sink, NULL);
  gst_element_link (src, decode);
  gst_element_link (convert, sink);
  g_signal_connect_object (decode, "pad-added", G_CALLBACK (on_pad_added), convert, 0);
  *appsrc = src;
  *appsink = sink;
  return pipeline;
}

static VigilFrame *
frame_from_sample (GstSample         *sample,
                   VigilFrameFormat   format,
                   const char        *path,
                   GError           **error)
{
  GstVideoInfo info;
  GstVideoFrame vframe;
  VigilFrame *frame;
  VigilFrame *out;
  gboolean gray;

  if (!gst_video_info_from_caps (&info, gst_sample_get_caps (sample)) ||
      !gst_video_frame_map (&vframe, &info, gst_sample_get_buffer (sample), GST_MAP_READ))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "%s: the decoder gave a picture that cannot be read", path);
      return NULL;
    }

  gray = GST_VIDEO_INFO_FORMAT (&info) == GST_VIDEO_FORMAT_GRAY8;
  frame = vigil_frame_new (gray ? VIGIL_FRAME_GRAY8 : VIGIL_FRAME_RGB24,
                           GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info));
  for (guint y = 0; y < frame->height; y++)
    memcpy (frame->data + (gsize) y * frame->stride,
            (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&vframe, 0) +
              (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&vframe, 0),
            (gsize) frame->width * (gray ? 1 : 3));
  gst_video_frame_unmap (&vframe);

  if (format == VIGIL_FRAME_GRAY8)
    {
      out = vigil_frame_to_gray (frame);
      vigil_frame_unref (frame);
      return out;
    }
  if (gray)
    {
      out = vigil_frame_new (VIGIL_FRAME_RGB24, frame->width, frame->height);
      for (guint y = 0; y < frame->height; y++)
        {
          const guint8 *in = frame->data + (gsize) y * frame->stride;
          guint8 *row = out->data + (gsize) y * out->stride;

          for (guint x = 0; x < frame->width; x++)
            row[3 * x] = row[3 * x + 1] = row[3 * x + 2] = in[x];
        }
      vigil_frame_unref (frame);
      return out;
    }
  return frame;
}

/* Decodes @contents (taken), the whole of one image named @name in messages. */
static VigilFrame *
decode_contents (char              *contents,
                 gsize              size,
                 const char        *name,
                 VigilFrameFormat   format,
                 GError           **error)
{
  static GOnce gst_once = G_ONCE_INIT;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;
  g_autoptr(GstSample) sample = NULL;
  GstElement *appsrc = NULL;
  GstElement *appsink = NULL;
  VigilFrame *frame;

  g_once (&gst_once, init_gstreamer, NULL);

  pipeline = build_pipeline (&appsrc, &appsink);
  if (pipeline == NULL)
    {
      g_free (contents);
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_FAILED,
                   "%s: GStreamer lacks appsrc, decodebin, videoconvert or appsink", name);
      return NULL;
    }

  /* The whole image goes in as one buffer: decoders without a parser in front of them
   * (avdec_bmp) take each buffer for a whole picture, and a still image is small. */
  bus = gst_element_get_bus (pipeline);
  gst_app_src_push_buffer (GST_APP_SRC (appsrc), gst_buffer_new_wrapped (contents, size));
  gst_app_src_end_of_stream (GST_APP_SRC (appsrc));
  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  message = gst_bus_timed_pop_filtered (bus, PREROLL_TIMEOUT,
                                        GST_MESSAGE_ERROR | GST_MESSAGE_ASYNC_DONE |
                                        GST_MESSAGE_EOS);
  if (message != NULL && GST_MESSAGE_TYPE (message) == GST_MESSAGE_ASYNC_DONE)
    sample = gst_app_sink_try_pull_preroll (GST_APP_SINK (appsink), 0);

  if (sample == NULL)
    {
      g_autoptr(GError) gst_error = NULL;

      if (message != NULL && GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
        gst_message_parse_error (message, &gst_error, NULL);
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "%s: not an image that can be decoded: %s", name,
                   gst_error != NULL ? gst_error->message
                   : message == NULL ? "the decoder did not answer"
                   : "no picture in the file");
      gst_element_set_state (pipeline, GST_STATE_NULL);
      return NULL;
    }

  frame = frame_from_sample (sample, format, name, error);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return frame;
}

VigilFrame *
vigil_image_load (const char        *path,
                  VigilFrameFormat   format,
                  GError           **error)
{
  g_autoptr(GError) read_error = NULL;
  char *contents = NULL;
  gsize size = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (format == VIGIL_FRAME_GRAY8 || format == VIGIL_FRAME_RGB24, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &size, &read_error))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                   "%s: cannot read the image: %s", path, read_error->message);
      return NULL;
    }
  if (size == 0)
    {
      g_free (contents);
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "%s: not an image that can be decoded: the file is empty", path);
      return NULL;
    }

  return decode_contents (contents, size, path, format, error);
}

VigilFrame *
vigil_image_decode (const void        *data,
                    gsize              len,
                    const char        *name,
                    VigilFrameFormat   format,
                    GError           **error)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (format == VIGIL_FRAME_GRAY8 || format == VIGIL_FRAME_RGB24, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len == 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "%s: not an image that can be decoded: it is empty", name);
      return NULL;
    }

  return decode_contents (g_memdup2 (data, len), len, name, format, error);
}
