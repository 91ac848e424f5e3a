/* fuzz-road-mask-png.c
 *
 * Road masks as images (a PNG whose non-zero pixels are road), through vigil_road_mask_load()
 * and GStreamer's decoders. The input is the file. A mask that loads is a GRAY8 frame of the
 * size asked with at least one road pixel, whatever the image's own size; a refusal is an
 * IO or PARSE error naming the file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vigil-road-mask.h"

#include "fuzz-common.h"

static const int mask_codes[] = { VIGIL_ENGINE_ERROR_IO, VIGIL_ENGINE_ERROR_PARSE, -1 };

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
  g_autoptr(VigilFrame) mask = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fuzz_write_file ("mask.png", data, size);

  mask = vigil_road_mask_load (path, NULL, 40, 30, 0, 0, &error);
  if (mask == NULL)
    {
      fuzz_check_error (error, "mask.png", mask_codes);
      return 0;
    }
  FUZZ_CHECK (mask->format == VIGIL_FRAME_GRAY8);
  FUZZ_CHECK (mask->width == 40 && mask->height == 30 && mask->stride >= 40);
  FUZZ_CHECK (vigil_road_mask_count (mask) > 0);
  FUZZ_CHECK (vigil_road_mask_count (mask) <= 40 * 30);
  return 0;
}
