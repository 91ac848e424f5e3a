/* vigil-window.h
 *
 * The main window: a sidebar of pages, a header bar with the source, play/pause, speed and
 * the timeline, and the player that feeds every page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vigil-application.h"
#include "vigil-cameras-page.h"
#include "vigil-player.h"

G_BEGIN_DECLS

#define VIGIL_TYPE_WINDOW (vigil_window_get_type ())
G_DECLARE_FINAL_TYPE (VigilWindow, vigil_window, VIGIL, WINDOW, AdwApplicationWindow)

VigilWindow *vigil_window_new             (VigilApplication          *app);
VigilPlayer *vigil_window_get_player      (VigilWindow               *self);
/* Generates the demo rig and cameras once (kept in the user's cache) and plays them. */
void         vigil_window_open_demo       (VigilWindow               *self);
/* A folder of images or a video is a camera, another folder a dataset, another file a
 * recording; settings give the options. */
void         vigil_window_open_file       (VigilWindow               *self,
                                           GFile                     *file);
gboolean     vigil_window_open_dataset    (VigilWindow               *self,
                                           const char                *dir,
                                           VigilRuleSet              *rules,
                                           const VigilReplayOptions  *options,
                                           GError                   **error);
/* Subscribes to Kafka with the rules and windows
 * of the preferences, recording into a file of the user's data per cluster and group. */
gboolean     vigil_window_open_kafka      (VigilWindow               *self,
                                           const VigilKafkaConnection *connection,
                                           const char * const        *topics,
                                           const char                *group,
                                           VigilKafkaStart            start,
                                           GError                   **error);
/* Starts a camera beside what plays (the rules of the preferences when @options has none)
 * and shows the Cameras page. The camera is the window's (transfer none). */
VigilCamera *vigil_window_open_camera     (VigilWindow               *self,
                                           const VigilCameraOptions  *options,
                                           GError                   **error);
/* The same for a folder of images or a video file (vigil_camera_source_inspect()); @camera_id
 * and @mask_file (may be NULL) override what the folder gives. */
VigilCamera *vigil_window_open_camera_path (VigilWindow              *self,
                                            const char               *path,
                                            const char               *camera_id,
                                            const char               *mask_file,
                                            GError                  **error);
gboolean     vigil_window_open_recording  (VigilWindow               *self,
                                           const char                *path,
                                           gint64                     session_id,
                                           GError                   **error);
/* The page shown: "overview", "hydraulics", "alarms", "models" or "cameras". */
void         vigil_window_show_page       (VigilWindow               *self,
                                           const char                *name);
const char  *vigil_window_get_page        (VigilWindow               *self);
/* The event-time range the Hydraulics charts show (for exports of the visible range). */
void         vigil_window_get_visible_range (VigilWindow             *self,
                                             gint64                  *from_us,
                                             gint64                  *to_us);
void         vigil_window_toast           (VigilWindow               *self,
                                           const char                *message);
/* Replay speed from its settings name ("1x", "10x", "100x", "max"); 0 is max. */
double       vigil_speed_from_name        (const char                *name);

G_END_DECLS
