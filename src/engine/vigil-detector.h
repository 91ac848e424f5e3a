/* vigil-detector.h
 *
 * Vigil's own vehicle detector: a per-pixel background model of grey levels, foreground cleaned
 * by morphology and hole filling, connected components inside the road mask, and filters on
 * area, shape and fill, giving one box per vehicle.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "vigil-traffic.h"

G_BEGIN_DECLS

typedef struct
{
  /* Analysis resolution: the frame is averaged over scale x scale blocks first (1 = every
   * pixel). Boxes and the foreground mask are always in source pixels. */
  guint  analysis_scale;
  /* A pixel is foreground when it differs from the background by more than
   * max (threshold, its own spread); grey levels. */
  guint  threshold;
  /* The spread of a pixel follows variance_factor x |I - B| of its background frames
   * (Manzanera's sigma-delta estimate); 0 turns it off (threshold alone). */
  guint  variance_factor;
  /* The background moves by one grey level per frame where the pixel is background, but only
   * every foreground_period frames under foreground: a vehicle stopped in a queue with a
   * contrast of C levels stays detected for about (C - threshold) x foreground_period frames. */
  guint  foreground_period;
  /* Frames at the start of a stream (or after a reset) where the whole background learns, in
   * coarse-to-fine steps, so that it starts from the traffic's median rather than the first
   * frame. */
  guint  learning_frames;
  /* Soft shadows: a foreground pixel darker than the background by a ratio in
   * [shadow_low, shadow_high] whose four neighbours are darkened by the same ratio (within
   * shadow_tolerance of it) is shadow. shadow_high = 0 turns shadow removal off. */
  double shadow_low;
  double shadow_high;
  double shadow_tolerance;
  /* Blob filters, in source pixels: a component counts when its area inside the road is in
   * [min_area, max_area_fraction x road area], its box's width / height in
   * [1 / max_aspect, max_aspect], its area / box area >= min_fill and the ratio of the
   * principal axes of its second moments <= max_elongation. */
  guint  min_area;
  double max_area_fraction;
  double max_aspect;
  double min_fill;
  double max_elongation;
} VigilDetectorParams;

/* The defaults: one set for every camera, chosen by measurement (bench/README.md). */
void vigil_detector_params_init (VigilDetectorParams *params);

typedef struct _VigilDetector VigilDetector;

/* @params: NULL for the defaults. Fails (VIGIL_ENGINE_ERROR_INVALID) on out-of-range
 * parameters, naming the parameter. */
VigilDetector *vigil_detector_new     (const VigilDetectorParams  *params,
                                       GError                    **error);
void           vigil_detector_free    (VigilDetector              *self);
/* Forgets the background: the next frame starts learning again. */
void           vigil_detector_reset   (VigilDetector              *self);

/* Feeds one frame (GRAY8 or RGB24) and returns the vehicles found in it (VigilDetection,
 * track_id -1, boxes in source pixels, area = foreground pixels inside the road). @mask:
 * GRAY8 of the frame's size, non-zero = road, or NULL for the whole frame; only foreground
 * inside it makes blobs. A frame of another size than the previous ones restarts the model.
 * Fails (VIGIL_ENGINE_ERROR_INVALID) when the mask's size differs from the frame's. */
GArray        *vigil_detector_process (VigilDetector              *self,
                                       VigilFrame                 *frame,
                                       VigilFrame                 *mask,
                                       GError                    **error);

/* The last processed frame's cleaned foreground inside the mask, 255 = foreground, as a new
 * GRAY8 frame of the source size; NULL before the first frame. */
VigilFrame    *vigil_detector_get_foreground (VigilDetector        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilDetector, vigil_detector_free)

G_END_DECLS
