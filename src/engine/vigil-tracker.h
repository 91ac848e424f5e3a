/* vigil-tracker.h
 *
 * A multi-object tracker over per-frame vehicle detections: association by overlap and centre
 * distance to each track's predicted box (greedy by cost), a track's id given after K hits in a
 * row and kept until M frames without a match, ids increasing for the life of the tracker.
 * Speed in km/h from the camera's calibration (pixels per metre, or a ground-plane homography)
 * fitted over a short window; dwell time per track. Also the homography itself: computed from
 * four point pairs and applied. Not thread-safe: one tracker per camera, on its thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "vigil-traffic.h"

G_BEGIN_DECLS

typedef struct
{
  guint  birth_hits;        /* K: matches in a row before a track gets an id (default 3) */
  guint  death_misses;      /* M: frames without a match before a track ends (default 10) */
  double min_iou;           /* a pair overlapping less than this ... (default 0.1) */
  double max_distance;      /* ... must have centres closer than this, along each axis in
                             * units of the boxes' size (default 1; twice that for a
                             * track seen once) */
  double speed_window_s;    /* speed and motion are fitted over this much time (default 1) */
} VigilTrackerParams;

void vigil_tracker_params_init (VigilTrackerParams *params);

typedef struct
{
  gint64            id;          /* -1 while tentative */
  VigilVehicleClass klass;       /* the class most of its detections had */
  double            x;           /* the last matched box */
  double            y;
  double            w;
  double            h;
  guint             hits;        /* matched frames */
  guint             misses;      /* frames since the last match */
  gint64            first_us;    /* time of the first match */
  gint64            last_us;     /* time of the last match */
  double            dwell_s;     /* last_us - first_us: time inside the mask so far */
  double            speed_kmh;   /* NAN until known */
} VigilTrack;

typedef struct _VigilTracker VigilTracker;

/* @params and @calibration may be NULL: defaults, and no calibration (speeds NAN). */
VigilTracker     *vigil_tracker_new             (const VigilTrackerParams *params,
                                                 const VigilCalibration   *calibration);
void              vigil_tracker_free            (VigilTracker             *self);
/* Takes effect at the next frame, for the history of live tracks too. */
void              vigil_tracker_set_calibration (VigilTracker             *self,
                                                 const VigilCalibration   *calibration);
/* With a frame size, boxes touching the frame's edge (vehicles entering or leaving, cut by
 * the border) do not feed the speed: their centres do not move with the vehicle. */
void              vigil_tracker_set_frame_size  (VigilTracker             *self,
                                                 guint                     width,
                                                 guint                     height);
/* The detections of one frame at @time_us (times must not go back). Fills in each
 * detection's track_id (-1 while its track is tentative), speed_kmh, and sets its class to its
 * track's. Detections that arrive with a track id (an external tracker's, the polygon form of
 * traffic_data) keep it and are only measured: a camera's detections either all carry ids or
 * none do. */
void              vigil_tracker_update          (VigilTracker             *self,
                                                 gint64                    time_us,
                                                 VigilDetection           *detections,
                                                 guint                     n_detections);
/* The live tracks, confirmed and tentative; valid until the next update. */
const VigilTrack *vigil_tracker_get_tracks      (VigilTracker             *self,
                                                 guint                    *n_tracks);
/* The id the next confirmed track will get (ids start at 1). */
gint64            vigil_tracker_get_next_id     (VigilTracker             *self);

/* A scale calibration: @pixels_per_metre along the direction of travel. */
void              vigil_calibration_init_scale  (VigilCalibration         *calibration,
                                                 double                    pixels_per_metre);
/* A ground-plane calibration from four image points (x0, y0, ... x3, y3, pixels) and where
 * they lie on the road (metres). Fails with VIGIL_ENGINE_ERROR_INVALID when three of either
 * set are collinear. */
gboolean          vigil_calibration_init_homography (VigilCalibration     *calibration,
                                                     const double          image_points[8],
                                                     const double          ground_points[8],
                                                     GError              **error);
/* The 3x3 homography (row-major, h[8] = 1) that maps each @from point onto its @to point,
 * by the direct linear transform: an 8x8 linear solve. */
gboolean          vigil_homography_from_points  (const double              from[8],
                                                 const double              to[8],
                                                 double                    homography[9],
                                                 GError                  **error);
void              vigil_homography_apply        (const double              homography[9],
                                                 double                    x,
                                                 double                    y,
                                                 double                   *out_x,
                                                 double                   *out_y);
/* Where an image point lies on the road, in metres: divided by pixels_per_metre, or through
 * the homography. FALSE without a calibration. */
gboolean          vigil_calibration_to_ground   (const VigilCalibration   *calibration,
                                                 double                    x,
                                                 double                    y,
                                                 double                   *out_x,
                                                 double                   *out_y);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilTracker, vigil_tracker_free)

G_END_DECLS
