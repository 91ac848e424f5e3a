/* fuzz-image.c
 *
 * Camera frames received as image bytes (the JPEG of a traffic_data message, decoded by
 * vigil_image_decode() through GStreamer). The input is the image. A picture that decodes
 * decodes the same in colour and in grey: the same size, and the grey frame is the colour
 * one's BT.601 luma; a refusal is a PARSE error naming the source.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vigil-image.h"

#include "fuzz-common.h"

static const int image_codes[] = { VIGIL_ENGINE_ERROR_PARSE, -1 };

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(VigilFrame) rgb = NULL;
  g_autoptr(VigilFrame) gray = NULL;
  g_autoptr(VigilFrame) luma = NULL;
  g_autoptr(GError) error = NULL;

  rgb = vigil_image_decode (data, size, "cam-1 frame", VIGIL_FRAME_RGB24, &error);
  if (rgb == NULL)
    {
      fuzz_check_error (error, "cam-1 frame", image_codes);
      return 0;
    }
  FUZZ_CHECK (rgb->format == VIGIL_FRAME_RGB24);
  FUZZ_CHECK (rgb->width > 0 && rgb->height > 0 && rgb->stride >= rgb->width * 3);

  gray = vigil_image_decode (data, size, "cam-1 frame", VIGIL_FRAME_GRAY8, &error);
  FUZZ_CHECK (gray != NULL);
  FUZZ_CHECK (gray->format == VIGIL_FRAME_GRAY8);
  FUZZ_CHECK (gray->width == rgb->width && gray->height == rgb->height);

  luma = vigil_frame_to_gray (rgb);
  for (guint y = 0; y < gray->height; y++)
    FUZZ_CHECK (memcmp (gray->data + (gsize) y * gray->stride,
                        luma->data + (gsize) y * luma->stride, gray->width) == 0);
  return 0;
}
