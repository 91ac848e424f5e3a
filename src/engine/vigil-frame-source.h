/* vigil-frame-source.h
 *
 * A camera's frames through GStreamer, on a thread of its own: a folder of numbered images (in
 * the order of the number in their names: 2.jpg before 10.jpg), a video file, or any URI
 * GStreamer can open (rtsp://, v4l2://, http://...). Frames are decoded to GRAY8 or RGB24,
 * timestamped from the stream (or index / fps for a folder), optionally paced by a replay
 * clock, and handed to a callback on the source's thread; while the callback works the
 * pipeline waits (a file or folder) or drops frames (a live URI), so memory stays bounded.
 * A source that fails says why (its state and a GError naming the camera and the source); a
 * live URI then tries again after a delay that doubles up to a limit; a file or folder ends.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "vigil-replay-clock.h"
#include "vigil-traffic.h"

G_BEGIN_DECLS

typedef enum
{
  VIGIL_FRAME_SOURCE_IDLE,         /* not started */
  VIGIL_FRAME_SOURCE_CONNECTING,   /* opening the source */
  VIGIL_FRAME_SOURCE_PLAYING,      /* frames are coming */
  VIGIL_FRAME_SOURCE_RETRYING,     /* failed or disconnected; trying again after a delay */
  VIGIL_FRAME_SOURCE_FINISHED,     /* a file or folder ended */
  VIGIL_FRAME_SOURCE_FAILED,       /* gave up: see the error */
  VIGIL_FRAME_SOURCE_STOPPED,      /* stopped on request */
} VigilFrameSourceState;

/* "idle", "connecting", ... */
const char *vigil_frame_source_state_get_name (VigilFrameSourceState state);

#define VIGIL_TYPE_FRAME_SOURCE (vigil_frame_source_get_type ())

G_DECLARE_FINAL_TYPE (VigilFrameSource, vigil_frame_source, VIGIL, FRAME_SOURCE, GObject)

/* Called on the source's thread for each frame, which it borrows (vigil_frame_ref() to keep
 * it). */
typedef void (*VigilFrameSourceFrameFunc) (VigilFrameSource      *source,
                                           VigilFrame            *frame,
                                           gpointer               user_data);
/* Called on the source's thread at each change of state; @error is set for RETRYING and
 * FAILED. */
typedef void (*VigilFrameSourceStateFunc) (VigilFrameSource      *source,
                                           VigilFrameSourceState  state,
                                           const GError          *error,
                                           gpointer               user_data);

/* @location: a folder, a file, or a URI. */
VigilFrameSource      *vigil_frame_source_new             (const char                *camera_id,
                                                           const char                *location);
const char            *vigil_frame_source_get_camera_id   (VigilFrameSource          *self);
const char            *vigil_frame_source_get_location    (VigilFrameSource          *self);

/* Settings, read when the source starts. */
/* GRAY8 or RGB24 (the default). */
void                   vigil_frame_source_set_format      (VigilFrameSource          *self,
                                                           VigilFrameFormat           format);
/* A folder's frame rate (default 25): frame i is at start + i / fps. */
void                   vigil_frame_source_set_fps         (VigilFrameSource          *self,
                                                           double                     fps);
double                 vigil_frame_source_get_fps         (VigilFrameSource          *self);
/* The event time of the stream's time 0 (default 0). A live URI's frames are in wall time
 * instead. */
void                   vigil_frame_source_set_start_time  (VigilFrameSource          *self,
                                                           gint64                     start_us);
/* Whether a failure (or the end of a live stream) is retried: by default for URIs other
 * than file://, not for files and folders. */
void                   vigil_frame_source_set_reconnect   (VigilFrameSource          *self,
                                                           gboolean                   reconnect);
gboolean               vigil_frame_source_get_reconnect   (VigilFrameSource          *self);
/* The first delay before trying again (default 1 s), doubled after each failure up to
 * @max_ms (default 30 s); back to the first after a frame came. */
void                   vigil_frame_source_set_retry_delay (VigilFrameSource          *self,
                                                           guint                      first_ms,
                                                           guint                      max_ms);
/* A stream that delivered frames and then none for @ms (default 10 s; 0: never) has stalled:
 * it fails with an error saying so, and is retried like any failure (set_reconnect()). */
void                   vigil_frame_source_set_stall_timeout (VigilFrameSource        *self,
                                                             guint                    ms);
/* Paces frames on @clock (borrowed: it must outlive the run); NULL, the default, as fast as
 * they come. Live URIs are never paced. */
void                   vigil_frame_source_set_clock       (VigilFrameSource          *self,
                                                           VigilReplayClock          *clock);
void                   vigil_frame_source_set_frame_func  (VigilFrameSource          *self,
                                                           VigilFrameSourceFrameFunc  func,
                                                           gpointer                   user_data,
                                                           GDestroyNotify             destroy);
void                   vigil_frame_source_set_state_func  (VigilFrameSource          *self,
                                                           VigilFrameSourceStateFunc  func,
                                                           gpointer                   user_data,
                                                           GDestroyNotify             destroy);

/* Starts the thread. Fails if GStreamer cannot start or the source already ran. start, stop
 * and wait belong to one owner thread. */
gboolean               vigil_frame_source_start           (VigilFrameSource          *self,
                                                           GError                   **error);
/* Stops the thread and waits for it (at once, unless the frame callback is busy). Disposing
 * the source stops it too, so its last reference must not be dropped in its callbacks. */
void                   vigil_frame_source_stop            (VigilFrameSource          *self);
/* Waits until the source ends on its own (FINISHED or FAILED; never, for a live URI that
 * retries) and returns that state. */
VigilFrameSourceState  vigil_frame_source_wait            (VigilFrameSource          *self);

/* Safe from any thread. */
VigilFrameSourceState  vigil_frame_source_get_state       (VigilFrameSource          *self);
/* The last failure, or NULL. */
GError                *vigil_frame_source_dup_error       (VigilFrameSource          *self);
/* Frames delivered so far, and failures retried. */
guint64                vigil_frame_source_get_n_frames    (VigilFrameSource          *self);
guint                  vigil_frame_source_get_n_retries   (VigilFrameSource          *self);

G_END_DECLS
