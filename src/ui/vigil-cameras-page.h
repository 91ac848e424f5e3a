/* vigil-cameras-page.h
 *
 * The Cameras page and the window's cameras: each camera runs with its own store (in the
 * user's data, so its alarms persist) and, when paced, its own clock; the page shows them
 * as a grid of live tiles, or one of them in a camera view. Cameras run beside the rig.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vigil-camera-tile.h"
#include "vigil-camera-view.h"
#include "vigil-camera.h"
#include "vigil-kafka-source.h"

G_BEGIN_DECLS

#define VIGIL_TYPE_CAMERAS_PAGE (vigil_cameras_page_get_type ())
G_DECLARE_FINAL_TYPE (VigilCamerasPage, vigil_cameras_page, VIGIL, CAMERAS_PAGE, GtkWidget)

typedef struct
{
  const char   *camera_id;
  const char   *location;    /* a folder of images, a video file or a URI */
  const char   *mask_file;   /* NULL: the whole frame is road */
  double        fps;         /* a folder's frame rate; 0: the default */
  double        pixels_per_metre;  /* the calibration; 0: none (no speeds) */
  double        speed;       /* 1: real time; 0: as fast as frames come */
  gboolean      loop;        /* a folder or file starts over when it ends */
  VigilRuleSet *rules;       /* NULL: the default rules */
} VigilCameraOptions;

void             vigil_camera_options_init       (VigilCameraOptions *options);

/* What a folder or file gives as a camera. */
typedef struct
{
  char   *camera_id;   /* the folder's (or file's, without extension) name */
  char   *location;    /* the folder of images (its frames/ folder if it has one), or the file */
  char   *mask_file;   /* mask.json or mask.png in the folder, or NULL */
  double  fps;         /* from camera.json in the folder; 0 if none */
  double  pixels_per_metre;  /* from camera.json in the folder; 0 if none */
  guint   n_images;    /* images in a folder; 0 for a video file */
} VigilCameraSource;

/* A folder of numbered images (or one holding frames/, as `vigil-cli generate traffic`
 * writes), or a video file. Fails, saying why, for anything else. Blocking I/O. */
gboolean         vigil_camera_source_inspect     (const char         *path,
                                                  VigilCameraSource  *out,
                                                  GError            **error);
void             vigil_camera_source_clear       (VigilCameraSource  *source);
/* Whether @path is a folder of images or a video, without saying why not. */
gboolean         vigil_camera_source_is_camera   (const char         *path);

/* Starts a camera and adds its tile. A camera of the same id is replaced. The mask and
 * calibration saved for its id (vigil_camera_setup_load_saved()) apply from its first frame;
 * ::setup-failed says when they cannot be read. */
VigilCamera     *vigil_cameras_page_add          (VigilCamerasPage         *self,
                                                  const VigilCameraOptions *options,
                                                  GError                  **error);
/* Stops every camera the page started and closes their stores. */
void             vigil_cameras_page_stop_all     (VigilCamerasPage         *self);
/* Shows the cameras @source analyses (NULL: none) after the page's own, following them as
 * they come and are replaced; cheap when they did not change, so call it on every poll. The
 * page never starts, stops or replaces them. */
void             vigil_cameras_page_follow_kafka (VigilCamerasPage         *self,
                                                  VigilKafkaSource         *source);
/* VigilCamera, in the order of their tiles. */
GListModel      *vigil_cameras_page_get_cameras  (VigilCamerasPage         *self);
VigilCameraTile *vigil_cameras_page_get_tile     (VigilCamerasPage         *self,
                                                  guint                     position);
/* Where a camera records. */
char            *vigil_cameras_page_store_path   (const char               *camera_id,
                                                  const char               *location);
/* Opens the camera view on @camera, or goes back to the grid (NULL). */
void             vigil_cameras_page_show_camera  (VigilCamerasPage         *self,
                                                  VigilCamera              *camera);
VigilCameraView *vigil_cameras_page_get_view     (VigilCamerasPage         *self);
/* The camera of the view shown, or NULL while the grid (or the empty state) is. */
VigilCamera     *vigil_cameras_page_get_shown    (VigilCamerasPage         *self);

G_END_DECLS
