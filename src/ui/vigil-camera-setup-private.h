/* vigil-camera-setup-private.h
 *
 * What the camera setup dialog (vigil-camera-setup-dialog.c) asks of its files
 * (vigil-camera-setup-files.c): the calibration form as calibration.json keeps it, and the
 * reading and writing of a camera's folder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vigil-camera-setup-dialog.h"

G_BEGIN_DECLS

/* The calibration page's form, as calibration.json keeps it: every field, whichever kind is
 * chosen, so that switching kinds loses nothing. */
typedef struct
{
  VigilCalibrationKind kind;
  double               pixels_per_metre;
  double               image[8];    /* frame pixels */
  double               ground[8];   /* metres */
} CalibrationForm;

gboolean _vigil_camera_setup_form_to_calibration (const CalibrationForm  *form,
                                                  VigilCalibration       *out,
                                                  GError                **error);

/* @folder's calibration.json into @form; TRUE leaving @form as it is when there is none, and
 * FALSE leaving it as it is when the file does not hold a calibration form. */
gboolean _vigil_camera_setup_read_form           (const char             *folder,
                                                  CalibrationForm        *form,
                                                  GError                **error);
gboolean _vigil_camera_setup_write_form          (const char             *folder,
                                                  const CalibrationForm  *form,
                                                  GError                **error);
gboolean _vigil_camera_setup_make_folder         (const char             *folder,
                                                  GError                **error);
/* Writes @shapes as @folder's mask (removes it for no polygons) and hands it to @camera. */
gboolean _vigil_camera_setup_save_mask           (VigilCamera            *camera,
                                                  const char             *folder,
                                                  const VigilRoadShapes  *shapes,
                                                  GError                **error);

G_END_DECLS
