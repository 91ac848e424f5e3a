/* vigil-camera-view.h
 *
 * One camera, large: its live frame, charts of vehicles, density and speed over the last
 * minutes, the camera's alarms with Acknowledge and Shelve, and the road mask and
 * calibration dialog. Emits "back" when people ask to return to the grid.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vigil-camera-tile.h"
#include "vigil-camera.h"

G_BEGIN_DECLS

#define VIGIL_TYPE_CAMERA_VIEW (vigil_camera_view_get_type ())
G_DECLARE_FINAL_TYPE (VigilCameraView, vigil_camera_view, VIGIL, CAMERA_VIEW, GtkWidget)

GtkWidget        *vigil_camera_view_new             (void);
void              vigil_camera_view_set_camera      (VigilCameraView *self,
                                                     VigilCamera     *camera);
VigilCamera      *vigil_camera_view_get_camera      (VigilCameraView *self);
VigilCameraTile  *vigil_camera_view_get_frame       (VigilCameraView *self);
/* Re-reads the camera's history and alarms now (the view also does on its frame clock). */
void              vigil_camera_view_refresh         (VigilCameraView *self);
/* The seconds the charts show (VigilTrafficStats), oldest first. */
GArray           *vigil_camera_view_get_history     (VigilCameraView *self);
/* The alarms listed (VigilLiveAlarm), newest raised first. */
GArray           *vigil_camera_view_get_alarms      (VigilCameraView *self);
void              vigil_camera_view_select_alarm    (VigilCameraView *self,
                                                     guint            position);
/* Ask for a comment (and a duration) in a dialog, then act on the selected alarm. */
void              vigil_camera_view_acknowledge_selected (VigilCameraView *self);
void              vigil_camera_view_shelve_selected (VigilCameraView *self);
/* The dialog those opened and not yet answered, or NULL. */
AdwMessageDialog *vigil_camera_view_get_dialog      (VigilCameraView *self);

G_END_DECLS
