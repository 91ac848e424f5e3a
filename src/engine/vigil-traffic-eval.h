/* vigil-traffic-eval.h
 *
 * Scoring the vehicle detector on ground truth: CDnet's per-pixel F-measure, and box matching
 * (precision, recall, count error per frame inside the road) for COCO-annotated frames and
 * Vigil's generated cameras.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "vigil-detector.h"
#include "vigil-traffic.h"

G_BEGIN_DECLS

/* CDnet 2014's standard scoring: ground truth 255 is positive, 0 and 50 (hard shadow) are
 * negative, 85 (outside the region of interest) and 170 (unknown, object boundaries) are
 * not scored. */
typedef struct
{
  guint   frames;
  guint64 tp;
  guint64 fp;
  guint64 fn;
  guint64 tn;
} VigilPixelScore;

/* Adds one frame: @foreground non-zero = detected; @truth the CDnet label image; @roi NULL or
 * a GRAY8 frame whose zero pixels are not scored. All of one size. */
void   vigil_pixel_score_add       (VigilPixelScore       *score,
                                    VigilFrame            *foreground,
                                    VigilFrame            *truth,
                                    VigilFrame            *roi);
double vigil_pixel_score_precision (const VigilPixelScore *score);
double vigil_pixel_score_recall    (const VigilPixelScore *score);
double vigil_pixel_score_f         (const VigilPixelScore *score);

/* Box scoring. A ground-truth box counts when the bottom-centre of the box is inside the road;
 * detections are matched to counted boxes greedily by decreasing IoU (pairs with IoU >= the
 * threshold); an unmatched detection is a false positive unless its bottom-centre is outside
 * the road or it overlaps (IoU >= threshold) a box that does not count. The count error of a
 * frame is |detections inside the road - boxes inside the road|.
 *
 * Matched pairs also score speeds and classes, which only generated data knows (COCO boxes
 * all read as cars without a speed). Speeds: a matched detection with a speed against a true
 * speed of at least VIGIL_EVAL_MIN_SPEED_KMH, as |speed - true| / true; below that a relative
 * error measures the noise of a few pixels rather than the speed (a stopped vehicle's is
 * infinite), so slow vehicles add to the absolute error only. Classes: every matched pair, in
 * a confusion matrix [true class][detected class]. */
typedef struct
{
  guint   frames;
  guint64 tp;
  guint64 fp;
  guint64 fn;
  double  count_error_sum;
  guint64 speed_n;            /* matched, with a speed, true speed >= the minimum */
  double  speed_error_sum;    /* relative */
  guint64 speed_within;       /* of speed_n, within VIGIL_EVAL_SPEED_TOLERANCE */
  guint64 speed_abs_n;        /* matched, with a speed, any true speed */
  double  speed_abs_sum;      /* km/h */
  guint64 classes[VIGIL_N_VEHICLE_CLASSES][VIGIL_N_VEHICLE_CLASSES];
} VigilBoxScore;

#define VIGIL_EVAL_MIN_SPEED_KMH    10.0
#define VIGIL_EVAL_SPEED_TOLERANCE  0.10

double vigil_box_iou (const VigilDetection *a,
                      const VigilDetection *b);

/* @road: NULL for the whole frame. */
void   vigil_box_score_add             (VigilBoxScore         *score,
                                        const VigilDetection  *detections,
                                        guint                  n_detections,
                                        const VigilDetection  *truth,
                                        guint                  n_truth,
                                        VigilFrame            *road,
                                        double                 min_iou);
double vigil_box_score_precision       (const VigilBoxScore   *score);
double vigil_box_score_recall          (const VigilBoxScore   *score);
double vigil_box_score_count_error     (const VigilBoxScore   *score);
/* Mean relative speed error, the share within VIGIL_EVAL_SPEED_TOLERANCE, and the mean
 * absolute error in km/h; NAN without speeds. */
double vigil_box_score_speed_error     (const VigilBoxScore   *score);
double vigil_box_score_speed_within    (const VigilBoxScore   *score);
double vigil_box_score_speed_abs_error (const VigilBoxScore   *score);
/* The share of matched pairs whose detected class is the true one; NAN without pairs. */
double vigil_box_score_class_accuracy  (const VigilBoxScore   *score);

#define VIGIL_EVAL_MIN_IOU 0.3

/* A CDnet sequence folder (input/inNNNNNN.jpg, groundtruth/gtNNNNNN.png, temporalROI.txt,
 * optionally ROI.bmp): every frame through a detector with @params (NULL = defaults), the
 * frames of the temporal ROI scored. */
gboolean vigil_eval_cdnet     (const char                *dir,
                               const VigilDetectorParams *params,
                               VigilPixelScore           *score,
                               GError                   **error);

/* COCO ground truth (images[].file_name in @frames_dir, annotations[].bbox in pixels) over
 * frames taken in the order of the number in their names, the detector restricted to the road
 * mask @mask_path (labelme or PNG; NULL = whole frame). The first @params->learning_frames
 * frames teach the background and are not scored. */
gboolean vigil_eval_coco      (const char                *gt_json,
                               const char                *frames_dir,
                               const char                *mask_path,
                               const VigilDetectorParams *params,
                               VigilBoxScore             *score,
                               GError                   **error);

/* A generated camera folder (frames/NNNNNN.png, mask.json, camera.json, ground-truth.csv with
 * frame,timestamp,track_id,class,x,y,w,h,speed_kmh), scored as vigil_eval_coco() does, with
 * speeds and classes. The frames go through a VigilCamera, as a camera replaying the folder
 * would analyse them: RGB frames at index / fps, the mask, the calibration of camera.json
 * (pixels_per_metre), classes by size and the tracker. */
gboolean vigil_eval_generated (const char                *camera_dir,
                               const VigilDetectorParams *params,
                               VigilBoxScore             *score,
                               GError                   **error);

G_END_DECLS
