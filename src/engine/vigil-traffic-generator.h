/* vigil-traffic-generator.h
 *
 * Synthetic traffic cameras: a straight four-lane road seen from above (two lanes each way),
 * vehicles of the four classes driven by a car-following model at known speeds, a red light
 * just past each end of the view that makes a queue stop for many seconds and start again,
 * lighting drift and sensor noise. Written as camera folders that Vigil and its evaluation
 * read:
 *
 *   DIR/cam_01/frames/000000.png ...   RGB frames
 *   DIR/cam_01/mask.json               labelme road polygon
 *   DIR/cam_01/camera.json             {"camera_id","fps","width","height","pixels_per_metre"}
 *   DIR/cam_01/ground-truth.csv        frame,timestamp,track_id,class,x,y,w,h,speed_kmh
 *
 * The ground truth has every vehicle whose body shows in a frame: the box is the body (not its
 * shadow) in pixels, clipped to the frame; timestamp is frame / fps in seconds; track ids
 * count from 1 per camera; speed is the vehicle's true speed (the model has no perspective, so
 * pixels_per_metre holds everywhere). The same seed writes the same bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vigil-traffic.h"

G_BEGIN_DECLS

#define VIGIL_TRAFFIC_GROUND_TRUTH "ground-truth.csv"
#define VIGIL_TRAFFIC_MASK_FILE    "mask.json"
#define VIGIL_TRAFFIC_CAMERA_FILE  "camera.json"
#define VIGIL_TRAFFIC_FRAMES_DIR   "frames"

#define VIGIL_TRAFFIC_MAX_CAMERAS 999
#define VIGIL_TRAFFIC_MAX_FRAMES  1000000

typedef struct
{
  guint   n_cameras;   /* cam_01 .. */
  guint   n_frames;    /* per camera */
  guint   width;       /* default 640 */
  guint   height;      /* default 360 */
  double  fps;         /* default 25 */
  guint64 seed;
} VigilTrafficGeneratorParams;

/* Defaults: 1 camera, 750 frames (30 s), 640 x 360 at 25 frames/s, seed 1. */
void     vigil_traffic_generator_params_init (VigilTrafficGeneratorParams        *params);

/* Writes params->n_cameras camera folders into @out_dir (created if missing). */
gboolean vigil_traffic_generate              (const char                         *out_dir,
                                              const VigilTrafficGeneratorParams  *params,
                                              GCancellable                       *cancellable,
                                              GError                            **error);

/* One row of ground truth. */
typedef struct
{
  guint64           frame;
  gint64            time_us;      /* frame / fps */
  gint64            track_id;     /* from 1 */
  VigilVehicleClass klass;
  double            x;            /* body box in pixels, clipped to the frame */
  double            y;
  double            w;
  double            h;
  double            speed_kmh;
} VigilTrafficTruth;

/* The simulation behind one camera, for tests and tools that want the truth without the
 * files: vigil_traffic_generate() writes exactly what the scene of each camera gives. */
typedef struct _VigilTrafficScene VigilTrafficScene;

/* @camera counts from 1 (cam_01). */
VigilTrafficScene *vigil_traffic_scene_new   (const VigilTrafficGeneratorParams  *params,
                                              guint                               camera);
void               vigil_traffic_scene_free  (VigilTrafficScene                  *self);
double             vigil_traffic_scene_get_pixels_per_metre (VigilTrafficScene   *self);
/* The road band (the mask's polygon is this rectangle across the frame), in pixels. */
void               vigil_traffic_scene_get_road (VigilTrafficScene               *self,
                                                 double                          *top,
                                                 double                          *bottom);
/* Advances one frame: appends its vehicles to @truth (VigilTrafficTruth) and, if @frame is
 * not NULL, draws it (RGB24). FALSE after the last frame. */
gboolean           vigil_traffic_scene_next  (VigilTrafficScene                  *self,
                                              GArray                             *truth,
                                              VigilFrame                        **frame);

/* Writes @frame (GRAY8 or RGB24) as a PNG file. */
gboolean           vigil_traffic_write_png   (const VigilFrame                   *frame,
                                              const char                         *path,
                                              GError                            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilTrafficScene, vigil_traffic_scene_free)

G_END_DECLS
