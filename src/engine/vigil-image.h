/* vigil-image.h
 *
 * Still images (JPEG, PNG, BMP, anything GStreamer decodes) read into a VigilFrame: camera
 * frames saved as files, PNG road masks and the ground truth the detector is scored on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "vigil-traffic.h"

G_BEGIN_DECLS

/* Decodes the image file @path into a new frame of @format (GRAY8 or RGB24). GRAY8 of a colour
 * image is BT.601 luma (vigil_frame_to_gray()); a grey pixel (R = G = B = v) gives exactly v,
 * whether the file stores it as grey, as RGB or as a palette entry, so label images keep their
 * levels. Safe from any thread. Fails with VIGIL_ENGINE_ERROR_IO (a file that cannot be read)
 * or VIGIL_ENGINE_ERROR_PARSE (not an image GStreamer can decode); the message names the file
 * and the reason. */
VigilFrame *vigil_image_load (const char        *path,
                              VigilFrameFormat   format,
                              GError           **error);
/* The same for an image held in memory (a camera frame received as JPEG bytes); @name says
 * where it came from in messages, as the path does above. Fails with
 * VIGIL_ENGINE_ERROR_PARSE when @data is not an image GStreamer can decode. */
VigilFrame *vigil_image_decode (const void        *data,
                                gsize              len,
                                const char        *name,
                                VigilFrameFormat   format,
                                GError           **error);

G_END_DECLS
