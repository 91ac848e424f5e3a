/* vigil-camera-draw.h
 *
 * What a camera tile and the camera view both draw: the analysed frame, its road mask as a
 * translucent overlay, each vehicle's box with its track id, and badges for the vehicles in
 * the frame, the density, the speed and the status. The frame and the mask become textures
 * once per snapshot, not once per frame drawn.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "vigil-camera.h"

G_BEGIN_DECLS

typedef enum
{
  VIGIL_CAMERA_BADGE_COUNT,
  VIGIL_CAMERA_BADGE_DENSITY,
  VIGIL_CAMERA_BADGE_SPEED,
  VIGIL_CAMERA_BADGE_STATUS,
  VIGIL_CAMERA_N_BADGES
} VigilCameraBadge;

typedef struct _VigilCameraDraw VigilCameraDraw;

VigilCameraDraw           *vigil_camera_draw_new          (void);
void                       vigil_camera_draw_free         (VigilCameraDraw          *self);
/* Takes @snapshot (transfer full; may be NULL) as what is drawn from now on. */
void                       vigil_camera_draw_set_snapshot (VigilCameraDraw          *self,
                                                           VigilCameraSnapshot      *snapshot);
/* Borrowed; NULL before the first. */
const VigilCameraSnapshot *vigil_camera_draw_get_snapshot (VigilCameraDraw          *self);
guint64                    vigil_camera_draw_get_serial   (VigilCameraDraw          *self);
/* A badge's text for the snapshot drawn ("7", "12.5 %", "43 km/h", "Normal"). */
const char                *vigil_camera_draw_get_badge    (VigilCameraDraw          *self,
                                                           VigilCameraBadge          badge);
/* One sentence saying what the badges say, for screen readers. */
char                      *vigil_camera_draw_describe     (VigilCameraDraw          *self,
                                                           const char               *camera_id);
/* Draws into @bounds of @widget (whose style gives the colours); the frame keeps its aspect
 * ratio, centred. @large: the camera view's sizes of labels and badges. */
void                       vigil_camera_draw_snapshot     (VigilCameraDraw          *self,
                                                           GtkWidget                *widget,
                                                           GtkSnapshot              *snapshot,
                                                           const graphene_rect_t    *bounds,
                                                           gboolean                  large);

/* Translated names. */
const char                *vigil_camera_status_name       (VigilTrafficStatus        status);
const char                *vigil_camera_state_name        (VigilFrameSourceState     state);
/* "success", "warning" or "error": the style class of a status. */
const char                *vigil_camera_status_class      (VigilTrafficStatus        status);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilCameraDraw, vigil_camera_draw_free)

G_END_DECLS
