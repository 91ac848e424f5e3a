/* vigil-camera-setup-dialog.h
 *
 * A camera's road mask and calibration: the mask drawn as polygons on the camera's latest
 * frame, the calibration as a scale or four ground points; both saved in the user's data
 * folder and applied to the running camera at once, and restored when the camera opens again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vigil-camera.h"
#include "vigil-mask-editor.h"

G_BEGIN_DECLS

#define VIGIL_TYPE_CAMERA_SETUP_DIALOG (vigil_camera_setup_dialog_get_type ())
G_DECLARE_FINAL_TYPE (VigilCameraSetupDialog, vigil_camera_setup_dialog, VIGIL,
                      CAMERA_SETUP_DIALOG, AdwWindow)

typedef enum
{
  VIGIL_CALIBRATION_NONE,     /* speeds unknown */
  VIGIL_CALIBRATION_SCALE,    /* pixels per metre */
  VIGIL_CALIBRATION_POINTS,   /* four image points and their ground coordinates */
} VigilCalibrationKind;

/* A modal dialog for @camera (a reference is kept), transient for @parent (may be NULL). */
GtkWidget       *vigil_camera_setup_dialog_new        (GtkWindow              *parent,
                                                       VigilCamera            *camera);
VigilMaskEditor *vigil_camera_setup_dialog_get_editor (VigilCameraSetupDialog *self);
/* Shows the page "mask" or "calibration". */
void             vigil_camera_setup_dialog_set_page   (VigilCameraSetupDialog *self,
                                                       const char             *name);

/* The calibration form. */
void             vigil_camera_setup_dialog_set_scale  (VigilCameraSetupDialog *self,
                                                       double                  pixels_per_metre);
/* @image_points in frame pixels, @ground_points in metres: x0, y0, ... x3, y3. */
void             vigil_camera_setup_dialog_set_points (VigilCameraSetupDialog *self,
                                                       const double            image_points[8],
                                                       const double            ground_points[8]);
void             vigil_camera_setup_dialog_set_calibration_kind
                                                      (VigilCameraSetupDialog *self,
                                                       VigilCalibrationKind    kind);
/* The form as a calibration; FALSE (and @error says what is wrong) when it does not hold. */
gboolean         vigil_camera_setup_dialog_get_calibration
                                                      (VigilCameraSetupDialog *self,
                                                       VigilCalibration       *out,
                                                       GError                **error);
/* The calibration page's check of the form, as shown ("" before there is one). */
const char      *vigil_camera_setup_dialog_get_check_text (VigilCameraSetupDialog *self);

/* What Save does, without closing the dialog: writes the mask (when it was edited) and the
 * calibration to the camera's folder and applies them to the camera. A failure is also shown
 * in the dialog. */
gboolean         vigil_camera_setup_dialog_save       (VigilCameraSetupDialog *self,
                                                       GError                **error);
/* The error the dialog shows, "" when none. */
const char      *vigil_camera_setup_dialog_get_error  (VigilCameraSetupDialog *self);

/* $XDG_DATA_HOME/vigil/cameras/<camera id>: where a camera's mask.json and calibration.json
 * are kept (the id escaped to one file name). */
char            *vigil_camera_setup_get_folder        (const char             *camera_id);
/* Applies the mask and calibration saved for @camera, if any (TRUE when there are none).
 * Fails naming the file that cannot be read; what could be read is applied. */
gboolean         vigil_camera_setup_load_saved        (VigilCamera            *camera,
                                                       GError                **error);

G_END_DECLS
