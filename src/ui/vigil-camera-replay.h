/* vigil-camera-replay.h
 *
 * A recorded camera session watched again on the Cameras page: the source's frames with the
 * stored boxes, track ids and classes drawn over them, the road mask, the per-second charts,
 * the session's stored alarms, and a timeline (play and pause, speed, seek by slider and
 * keyboard, the position).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vigil-camera-draw.h"
#include "vigil-camera-recording.h"
#include "vigil-cameras-page.h"
#include "vigil-traffic-chart.h"

G_BEGIN_DECLS

#define VIGIL_TYPE_CAMERA_REPLAY (vigil_camera_replay_get_type ())
G_DECLARE_FINAL_TYPE (VigilCameraReplay, vigil_camera_replay, VIGIL, CAMERA_REPLAY, GtkWidget)

GtkWidget            *vigil_camera_replay_new            (void);
/* Shows @recording from its start, paused; NULL empties the view. */
void                  vigil_camera_replay_set_recording  (VigilCameraReplay       *self,
                                                          VigilCameraRecording    *recording);
VigilCameraRecording *vigil_camera_replay_get_recording  (VigilCameraReplay       *self);
void                  vigil_camera_replay_set_playing    (VigilCameraReplay       *self,
                                                          gboolean                 playing);
void                  vigil_camera_replay_seek           (VigilCameraReplay       *self,
                                                          gint64                   at_us);
/* What the frame clock does: follows the position (frame, boxes, charts, alarms). */
void                  vigil_camera_replay_refresh        (VigilCameraReplay       *self);

/* What is on show, for tests and accessibility. */
VigilCameraDraw      *vigil_camera_replay_get_draw       (VigilCameraReplay       *self);
/* The frame whose pixels (or, without them, whose boxes) are on show; G_MAXUINT64 for none. */
guint64               vigil_camera_replay_get_shown_frame (VigilCameraReplay      *self);
const char           *vigil_camera_replay_get_position_text (VigilCameraReplay    *self);
/* Points the chart of @series drew last. */
guint                 vigil_camera_replay_get_n_chart_points (VigilCameraReplay   *self,
                                                              VigilTrafficSeries   series);
/* The alarm rows on show (the journal up to the position), and the missing-frames notice
 * (NULL while the frames show). */
guint                 vigil_camera_replay_get_n_alarm_rows (VigilCameraReplay     *self);
const char           *vigil_camera_replay_get_notice     (VigilCameraReplay       *self);

/* The Cameras page's side (vigil-cameras-page.c): shows @recording in the page's replay view
 * (NULL closes it); the view it shows it in. */
void                  vigil_cameras_page_show_replay     (VigilCamerasPage        *page,
                                                          VigilCameraRecording    *recording);
VigilCameraReplay    *vigil_cameras_page_get_replay      (VigilCamerasPage        *page);

G_END_DECLS
