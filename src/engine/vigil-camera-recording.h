/* vigil-camera-recording.h
 *
 * A camera's recorded session (a store file) opened read-only to be watched again: its
 * stored detections indexed by frame, its per-second rows and its alarm journal, on a
 * timeline in event time with a playback clock, and the source's frames read again from the
 * session's source path (never re-detected). When the frames are gone the stored rows still
 * play, over an empty frame of the recorded size.
 *
 * The store keeps no frame rate nor frame size, so frame times come from the stored
 * detections (frames without any are placed evenly between their neighbours, at the rate the
 * per-second rows give) and the size from the first frame read, else from camera.json or the
 * road mask beside the source, else from the extent of the stored boxes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "vigil-rules.h"
#include "vigil-store.h"
#include "vigil-traffic.h"

G_BEGIN_DECLS

#define VIGIL_TYPE_CAMERA_RECORDING (vigil_camera_recording_get_type ())
G_DECLARE_FINAL_TYPE (VigilCameraRecording, vigil_camera_recording, VIGIL, CAMERA_RECORDING,
                      GObject)

/* Reads camera session @session_id (0: the latest) of the store at @path, opening the file
 * read-only. The store's refusals (not a Vigil file, a newer schema, a damaged file) reach
 * the caller as they are; an unknown session is NOT_FOUND; a session that is not a camera's
 * (a hydraulic rig) is VIGIL_ENGINE_ERROR_INVALID. A source whose frames cannot be found does
 * not fail: see vigil_camera_recording_get_frames_error(). */
VigilCameraRecording      *vigil_camera_recording_open          (const char            *path,
                                                                 gint64                 session_id,
                                                                 GError               **error);
const char                *vigil_camera_recording_get_path      (VigilCameraRecording  *self);
const VigilSessionSummary *vigil_camera_recording_get_summary   (VigilCameraRecording  *self);
const char                *vigil_camera_recording_get_camera_id (VigilCameraRecording  *self);
/* The rules the session was recorded with. */
VigilRuleSet              *vigil_camera_recording_get_rules     (VigilCameraRecording  *self);

/* The timeline: from the session's start to the end of its last stored second (or its last
 * frame or journal entry, if later). */
gint64                     vigil_camera_recording_get_start     (VigilCameraRecording  *self);
gint64                     vigil_camera_recording_get_end       (VigilCameraRecording  *self);

/* Frames recorded: those the per-second rows counted, or one past the last frame with a
 * detection if that is more. */
guint64                    vigil_camera_recording_get_n_frames  (VigilCameraRecording  *self);
/* Event time of @frame (< n_frames). */
gint64                     vigil_camera_recording_get_frame_time (VigilCameraRecording *self,
                                                                  guint64               frame);
/* The frame on show at @time_us: the last one whose time is at or before it (frame 0 before
 * the first). */
guint64                    vigil_camera_recording_get_frame_at  (VigilCameraRecording  *self,
                                                                 gint64                 time_us);
/* The stored detections of @frame, in their stored order (borrowed; NULL and 0 when it has
 * none). */
const VigilStoreDetection *vigil_camera_recording_get_detections (VigilCameraRecording *self,
                                                                  guint64               frame,
                                                                  guint                *n);
/* Every stored per-second row (VigilTrafficStats, by start; borrowed). */
GArray                    *vigil_camera_recording_get_seconds   (VigilCameraRecording  *self);
/* The row of the last second closed at @time_us, or NULL before the first closed. */
const VigilTrafficStats   *vigil_camera_recording_get_second_at (VigilCameraRecording  *self,
                                                                 gint64                 time_us);
/* The stored alarm journal (VigilAlarmTransition, by time then seq; borrowed). */
GArray                    *vigil_camera_recording_get_journal   (VigilCameraRecording  *self);

/* The recorded frame size (see above); 0 x 0 when nothing tells it. */
void                       vigil_camera_recording_get_frame_size (VigilCameraRecording *self,
                                                                  guint                *width,
                                                                  guint                *height);
/* The road mask beside the source (mask.json or mask.png in its folder, or in the folder
 * above a frames/ folder) at the recorded size, or NULL when there is none or it cannot be
 * read. New reference. */
VigilFrame                *vigil_camera_recording_dup_mask      (VigilCameraRecording  *self);

/* Frames ---------------------------------------------------------------------------------- */

/* Why the source's frames cannot be shown (the source path is gone, or reading it failed),
 * or NULL while they can. New error. Any thread. */
GError                    *vigil_camera_recording_dup_frames_error (VigilCameraRecording *self);
/* Asks for @frame: it is read on a thread of its own (going back restarts the source from
 * its first frame). Returns at once with the frame when it is already read (new reference),
 * else NULL. request and read belong to one owner thread. */
VigilFrame                *vigil_camera_recording_request_frame (VigilCameraRecording  *self,
                                                                 guint64                frame);
/* The same, waiting until @frame is read or cannot be. */
VigilFrame                *vigil_camera_recording_read_frame    (VigilCameraRecording  *self,
                                                                 guint64                frame,
                                                                 GError               **error);

/* Playback clock (any thread): the position moves at @speed event seconds per wall second
 * while playing, and stops at the end. */
void                       vigil_camera_recording_set_paused    (VigilCameraRecording  *self,
                                                                 gboolean               paused);
gboolean                   vigil_camera_recording_get_paused    (VigilCameraRecording  *self);
void                       vigil_camera_recording_set_speed     (VigilCameraRecording  *self,
                                                                 double                 speed);
double                     vigil_camera_recording_get_speed     (VigilCameraRecording  *self);
/* Clamps @at_us to the timeline. */
void                       vigil_camera_recording_seek          (VigilCameraRecording  *self,
                                                                 gint64                 at_us);
gint64                     vigil_camera_recording_get_position  (VigilCameraRecording  *self);
gboolean                   vigil_camera_recording_is_finished   (VigilCameraRecording  *self);

G_END_DECLS
