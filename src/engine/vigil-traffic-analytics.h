/* vigil-traffic-analytics.h
 *
 * A camera's traffic statistics from its tracked detections, in event time: one row per
 * second (tumbling) and per minute (1 min windows sliding every 30 s), each with the mean
 * vehicles in the mask per frame, the distinct vehicles per class, the density (vehicle pixels
 * inside the road / road pixels), the mean speed, the mean dwell and a status:
 *
 *   JAMMED   density >= 25 % and mean speed < 15 km/h (dense and slow); with no speed known
 *            (no calibration), density >= 50 %
 *   CROWDED  otherwise, density >= 15 %
 *   NORMAL   otherwise
 *
 * Windows close when the watermark (the largest frame time seen minus the allowed lateness:
 * 0 for seconds, as one camera's frames come in order, 30 s for minutes) passes their end. A
 * frame too late for every window it belongs to is counted, never silently lost. Also the
 * conversion of the two traffic_data message forms into detections, so that an external
 * detector's frames go through the same analytics. Not thread-safe: one per camera.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "vigil-kafka-message.h"
#include "vigil-traffic.h"

G_BEGIN_DECLS

#define VIGIL_TRAFFIC_MINUTE_US   (60 * G_USEC_PER_SEC)
#define VIGIL_TRAFFIC_SLIDE_US    (30 * G_USEC_PER_SEC)
#define VIGIL_TRAFFIC_LATENESS_US (30 * G_USEC_PER_SEC)

typedef struct
{
  double crowded_density_pct;        /* 15 */
  double jammed_density_pct;         /* 25 */
  double jammed_speed_kmh;           /* 15: below this, dense traffic is jammed */
  double jammed_density_unknown_pct; /* 50: jammed when no speed is known */
} VigilTrafficThresholds;

void               vigil_traffic_thresholds_init    (VigilTrafficThresholds       *thresholds);
/* The status of a period of @density_pct and @speed_kmh (NAN when unknown). */
VigilTrafficStatus vigil_traffic_status_classify    (const VigilTrafficThresholds *thresholds,
                                                     double                        density_pct,
                                                     double                        speed_kmh);

typedef struct _VigilTrafficAnalytics VigilTrafficAnalytics;

/* @road_pixels: the mask's area in pixels of the frames the detections are in. */
VigilTrafficAnalytics *vigil_traffic_analytics_new     (const char                   *camera_id,
                                                        guint64                       road_pixels);
void                   vigil_traffic_analytics_free    (VigilTrafficAnalytics        *self);
/* When the mask or the frame size changes; from the next frame on. */
void    vigil_traffic_analytics_set_road_pixels (VigilTrafficAnalytics        *self,
                                                 guint64                       road_pixels);
void    vigil_traffic_analytics_set_thresholds  (VigilTrafficAnalytics        *self,
                                                 const VigilTrafficThresholds *thresholds);
/* One frame at @time_us: its detections inside the mask (tracked: track_id and speed_kmh
 * filled in, or -1 and NAN) and the vehicle pixels inside the road (the detector's foreground
 * in the road, or the boxes clipped to the mask; vigil_traffic_detections_area() sums the
 * detections' areas). Rows of periods that close are appended to @seconds and @minutes
 * (VigilTrafficStats), in order of their start. */
void    vigil_traffic_analytics_push            (VigilTrafficAnalytics        *self,
                                                 gint64                        time_us,
                                                 const VigilDetection         *detections,
                                                 guint                         n_detections,
                                                 double                        vehicle_pixels,
                                                 GArray                       *seconds,
                                                 GArray                       *minutes);
/* Event time reached @time_us without a frame (an idle camera says time went on): closes what
 * a frame at @time_us would close, and counts nothing. */
void    vigil_traffic_analytics_advance         (VigilTrafficAnalytics        *self,
                                                 gint64                        time_us,
                                                 GArray                       *seconds,
                                                 GArray                       *minutes);
/* End of stream: closes every period that holds frames. */
void    vigil_traffic_analytics_flush           (VigilTrafficAnalytics        *self,
                                                 GArray                       *seconds,
                                                 GArray                       *minutes);
/* Frames that came after their second's row was out / after both their minute windows. */
guint64 vigil_traffic_analytics_get_late_seconds (VigilTrafficAnalytics       *self);
guint64 vigil_traffic_analytics_get_late_minutes (VigilTrafficAnalytics       *self);

/* The sum of the detections' areas. */
double   vigil_traffic_detections_area       (const VigilDetection     *detections,
                                              guint                     n_detections);

/* Appends the objects of a traffic_data message to @detections (VigilDetection): polygons
 * ("segmentation", pixels) become their bounding box, with the polygons' area (shoelace) as
 * area and the message's track id; normalised boxes become pixels of a @width x @height frame
 * (clipped to it), area the box's, track id -1. Speeds are NAN. Objects with neither (world
 * coordinates only) are skipped and counted in @out_skipped (may be NULL). Fails with
 * VIGIL_ENGINE_ERROR_INVALID for a box without a frame size. */
gboolean vigil_traffic_detections_from_kafka (const VigilKafkaTraffic  *message,
                                              guint                     width,
                                              guint                     height,
                                              GArray                   *detections,
                                              guint                    *out_skipped,
                                              GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilTrafficAnalytics, vigil_traffic_analytics_free)

G_END_DECLS
