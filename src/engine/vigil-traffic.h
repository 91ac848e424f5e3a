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
