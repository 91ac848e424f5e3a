/* vigil-traffic.h
 *
 * The plain types of Vigil's camera side, shared by the frame sources, road masks, the
 * detector, the tracker and the traffic analytics: a frame, a road mask raster, a detected
 * vehicle, a camera's calibration and a second of traffic statistics.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VIGIL_CAMERA_ID_MAX 63

/* The classes of DESIGN.md's traffic_data messages. */
typedef enum
{
  VIGIL_VEHICLE_MOTORCYCLE = 0,
  VIGIL_VEHICLE_CAR = 1,
  VIGIL_VEHICLE_BUS = 2,
  VIGIL_VEHICLE_TRUCK = 3,
  VIGIL_N_VEHICLE_CLASSES
} VigilVehicleClass;

/* "motorcycle", "car", "bus", "truck"; NULL out of range. */
const char *vigil_vehicle_class_get_name (VigilVehicleClass klass);
gboolean    vigil_vehicle_class_from_name (const char        *name,
                                           VigilVehicleClass *out);

typedef enum
{
  VIGIL_FRAME_GRAY8,   /* one byte per pixel */
  VIGIL_FRAME_RGB24,   /* three bytes per pixel, R G B */
} VigilFrameFormat;

/* A decoded frame. Rows are @stride bytes apart (stride >= width * bytes per pixel). The
 * frame owns @data. Refcounted so that a source, the detector and the UI can share one frame
 * without copying it. */
typedef struct
{
  VigilFrameFormat format;
  guint            width;
  guint            height;
  guint            stride;
  guint8          *data;
  gint64           time_us;   /* event time: the stream's timestamp, or index / fps */
  guint64          index;     /* 0-based position in the source's order */
} VigilFrame;

VigilFrame *vigil_frame_new   (VigilFrameFormat  format,
                               guint             width,
                               guint             height);
VigilFrame *vigil_frame_ref   (VigilFrame       *frame);
void        vigil_frame_unref (VigilFrame       *frame);
/* A GRAY8 copy (ITU-R BT.601 luma) of an RGB24 frame, or a new reference to a GRAY8 one. */
VigilFrame *vigil_frame_to_gray (VigilFrame     *frame);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilFrame, vigil_frame_unref)

/* One vehicle in one frame. Boxes in pixels of the source frame. */
typedef struct
{
  gint64            track_id;   /* -1 before tracking (or when the source has none) */
  VigilVehicleClass klass;
  double            x;          /* box left */
  double            y;          /* box top */
  double            w;
  double            h;
  guint             area;       /* foreground pixels of the blob inside the road; 0 if
                                 * unknown (boxes from a message) */
  double            speed_kmh;  /* from the tracker and the calibration; NAN if unknown */
} VigilDetection;

/* How image pixels map to the road. Either a scale (pixels per metre along the direction of
 * travel) or a homography from image pixels to ground metres, computed from four points. */
typedef struct
{
  gboolean has_homography;
  double   pixels_per_metre;  /* used when !has_homography; 0 = no calibration */
  double   homography[9];     /* row-major 3x3, image (x, y, 1) -> ground (X, Y, W) */
} VigilCalibration;

/* Vehicle classes by size (vigil-traffic.c) ----------------------------------------------- */

/* The class of a vehicle @length_m long and @width_m wide, by the sizes of road vehicles:
 * motorcycles under 3 m (or under 3.5 m and narrower than 1.3 m), cars under 7.5 m, buses
 * (and rigid lorries) up to 13 m, articulated trucks beyond. */
VigilVehicleClass vigil_vehicle_class_from_size (double length_m,
                                                 double width_m);

/* Classes a camera's detections by their size: in metres through the camera's calibration
 * when it has one (the box's long side is the length, its short side the width), else
 * relative to the vehicles it saw before, taking the median long side as a car's 4.5 m;
 * then tracked vehicles by what their track showed. Not thread-safe: one per camera. */
typedef struct _VigilVehicleSizer VigilVehicleSizer;

VigilVehicleSizer *vigil_vehicle_sizer_new             (void);
void               vigil_vehicle_sizer_free            (VigilVehicleSizer      *self);
/* NULL or an empty calibration: relative sizes. Takes effect at the next call. */
void               vigil_vehicle_sizer_set_calibration (VigilVehicleSizer      *self,
                                                        const VigilCalibration *calibration);
/* With a frame size, a box touching the frame's edge is cut: it shows only part of its
 * vehicle, so its size is a lower bound, and relative sizes leave it out. 0 x 0: no edges. */
void               vigil_vehicle_sizer_set_frame_size  (VigilVehicleSizer      *self,
                                                        guint                   width,
                                                        guint                   height);
/* Sets the class of each detection (boxes in source pixels). */
void               vigil_vehicle_sizer_classify        (VigilVehicleSizer      *self,
                                                        VigilDetection         *detections,
                                                        guint                   n_detections);
/* After the tracker, on the same detections: a detection with a track id gets the class most
 * of its track's whole (uncut) boxes had, so that a vehicle leaving the view, or queued
 * across its edge, keeps the class it showed whole; a track seen only cut gets the class of
 * its largest box, a lower bound. Tentative detections (track id -1) keep theirs. */
void               vigil_vehicle_sizer_classify_tracks (VigilVehicleSizer      *self,
                                                        VigilDetection         *detections,
                                                        guint                   n_detections);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilVehicleSizer, vigil_vehicle_sizer_free)

typedef enum
{
  VIGIL_TRAFFIC_NORMAL,
  VIGIL_TRAFFIC_CROWDED,
  VIGIL_TRAFFIC_JAMMED,
} VigilTrafficStatus;

const char *vigil_traffic_status_get_name (VigilTrafficStatus status);  /* "NORMAL", ... */

/* A camera's second (or minute) of traffic. */
typedef struct
{
  char               camera_id[VIGIL_CAMERA_ID_MAX + 1];
  gint64             start_us;
  gint64             end_us;
  guint              frames;
  double             vehicles;          /* mean vehicles inside the mask per frame */
  guint              unique_vehicles;   /* distinct track ids seen */
  guint              per_class[VIGIL_N_VEHICLE_CLASSES];  /* distinct track ids per class */
  double             density_pct;       /* vehicle pixels in the road / road pixels, mean */
  double             speed_kmh;         /* mean over tracked vehicles; NAN if none or no
                                         * calibration */
  double             dwell_s;           /* mean time a vehicle seen in this period has
                                         * been in the mask */
  VigilTrafficStatus status;
  double             per_class_vehicles[VIGIL_N_VEHICLE_CLASSES];  /* mean per frame */
} VigilTrafficStats;

G_END_DECLS
