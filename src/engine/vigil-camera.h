/* vigil-camera.h
 *
 * One camera's whole pipeline: frames from a VigilFrameSource (or pushed by a caller, such as
 * a Kafka consumer of traffic_data), its road mask, Vigil's detector (skipped for frames that
 * arrive with their objects), vehicle classes by size, the tracker, the traffic analytics and
 * the camera's alarm rules (key VIGIL_KEY_CAMERA). Everything it computes goes to the store
 * when it has one (every frame's detections, the per-second and per-minute rows, the alarm
 * journal, in the camera's own session) and to a snapshot and a short history that the UI
 * reads on its frame clock. Each camera works on its own thread; one that fails says why and
 * leaves the others alone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "vigil-detector.h"
#include "vigil-frame-source.h"
#include "vigil-live.h"
#include "vigil-replay-clock.h"
#include "vigil-rules.h"
#include "vigil-store.h"
#include "vigil-traffic.h"

G_BEGIN_DECLS

/* What the UI draws for a camera: the latest analysed frame with its detections, the mask it
 * was analysed with, the last closed second, and the source's state. */
typedef struct
{
  VigilFrame            *frame;        /* owned reference; NULL before the first frame */
  VigilFrame            *mask;         /* owned reference, GRAY8 of the frame's size; NULL
                                        * when the camera has no mask (the whole frame) */
  GArray                *detections;   /* VigilDetection of that frame, tracked */
  VigilTrafficStats      second;       /* the last closed second; start_us = end_us = 0
                                        * before the first */
  VigilFrameSourceState  state;
  GError                *error;        /* the last failure (mask, source, store), or NULL */
  guint64                n_frames;     /* frames analysed */
  guint64                serial;       /* changes whenever anything above does */
} VigilCameraSnapshot;

void vigil_camera_snapshot_free (VigilCameraSnapshot *snapshot);

#define VIGIL_TYPE_CAMERA (vigil_camera_get_type ())
G_DECLARE_FINAL_TYPE (VigilCamera, vigil_camera, VIGIL, CAMERA, GObject)

/* @location: a folder of numbered images, a video file or a URI (see VigilFrameSource); NULL
 * for a camera whose frames are pushed with vigil_camera_push_frame(). */
VigilCamera       *vigil_camera_new                (const char                 *camera_id,
                                                    const char                 *location);
const char        *vigil_camera_get_id             (VigilCamera                *self);
const char        *vigil_camera_get_location       (VigilCamera                *self);

/* Settings read at start. */
/* A folder's frame rate (default 25). */
void               vigil_camera_set_fps            (VigilCamera                *self,
                                                    double                      fps);
/* The event time of frame 0 of a folder or file (default 0). */
void               vigil_camera_set_start_time     (VigilCamera                *self,
                                                    gint64                      start_us);
/* Paces frames on @clock (borrowed; must outlive the run); NULL: as fast as they come. */
void               vigil_camera_set_clock          (VigilCamera                *self,
                                                    VigilReplayClock           *clock);
/* NULL: the defaults. */
void               vigil_camera_set_detector_params (VigilCamera               *self,
                                                     const VigilDetectorParams *params);
/* The rules whose key is VIGIL_KEY_CAMERA apply (default: vigil_rule_set_new_default()). */
void               vigil_camera_set_rules          (VigilCamera                *self,
                                                    VigilRuleSet               *rules);
/* Results are also stored in @store (borrowed; must outlive the run), in a session of kind
 * "traffic" for this camera and location, found again by a later run of the same camera on
 * the same source (rows are idempotent). */
void               vigil_camera_set_store          (VigilCamera                *self,
                                                    VigilStore                 *store);

/* Changes that take effect at the next frame, from any thread. */
/* A labelme JSON or PNG road mask, scaled to the stream; NULL: the whole frame is road.
 * A file that cannot be read fails here, naming it, and the previous mask stays. */
gboolean           vigil_camera_set_mask_file      (VigilCamera                *self,
                                                    const char                 *path,
                                                    GError                    **error);
const char        *vigil_camera_get_mask_file      (VigilCamera                *self);
void               vigil_camera_set_calibration    (VigilCamera                *self,
                                                    const VigilCalibration     *calibration);
void               vigil_camera_get_calibration    (VigilCamera                *self,
                                                    VigilCalibration           *out);

/* Starts the camera's thread (its frame source, or a worker for pushed frames). start, stop
 * and wait belong to one owner thread. */
gboolean           vigil_camera_start              (VigilCamera                *self,
                                                    GError                    **error);
/* Stops at once, flushes what closed, and waits. */
void               vigil_camera_stop               (VigilCamera                *self);
/* Waits for a folder or file to end, then closes every open period (flush) and stores it. */
VigilFrameSourceState vigil_camera_wait            (VigilCamera                *self);

/* A pushed frame (a camera without a location): @frame may be NULL when only detections
 * came (then @width x @height give the frame size for the mask and the density); detections
 * with track ids keep them. Blocks while the camera's queue is full. */
gboolean           vigil_camera_push_frame         (VigilCamera                *self,
                                                    VigilFrame                 *frame,
                                                    gint64                      time_us,
                                                    guint                       width,
                                                    guint                       height,
                                                    const VigilDetection       *detections,
                                                    guint                       n_detections,
                                                    GError                    **error);

/* For a caller that owns the thread and the transaction (the Kafka consumer, which stores its
 * offsets in the same transaction as the rows they produced): the camera is never started;
 * its session is found or created in @store, then each frame is analysed at once on the
 * caller's thread and what it computed (detections, closed rows, alarm transitions) is
 * appended to @batch, a batch of that session, instead of being submitted. The snapshot,
 * history and live alarms are kept up to date as for a started camera. */
gint64             vigil_camera_ensure_session     (VigilCamera                *self,
                                                    VigilStore                 *store,
                                                    GError                    **error);
gboolean           vigil_camera_process_frame      (VigilCamera                *self,
                                                    VigilFrame                 *frame,
                                                    gint64                      time_us,
                                                    guint                       width,
                                                    guint                       height,
                                                    const VigilDetection       *detections,
                                                    guint                       n_detections,
                                                    VigilStoreBatch            *batch,
                                                    GError                    **error);
/* Event time went on without a frame, or (@time_us G_MAXINT64) the stream ended: closes what
 * that closes into @batch. */
void               vigil_camera_advance            (VigilCamera                *self,
                                                    gint64                      time_us,
                                                    VigilStoreBatch            *batch);

/* Readers, any thread. */
VigilCameraSnapshot *vigil_camera_dup_snapshot     (VigilCamera                *self);
/* The closed seconds (or minutes) kept in memory, the last hour at most, that overlap
 * [@from_us, @to_us), oldest first: VigilTrafficStats. */
GArray            *vigil_camera_dup_history        (VigilCamera                *self,
                                                    gboolean                    minutes,
                                                    gint64                      from_us,
                                                    gint64                      to_us);
/* The camera's alarms and journal, as for a rig (key VIGIL_KEY_CAMERA). */
VigilLive         *vigil_camera_get_live           (VigilCamera                *self);
/* The camera's session in its store, 0 before start or without a store. */
gint64             vigil_camera_get_session_id     (VigilCamera                *self);

/* Operator actions on the camera's alarms: applied on its thread, journaled and stored.
 * Errors as vigil_alarm_machine_acknowledge() and _shelve(). */
gboolean           vigil_camera_acknowledge        (VigilCamera                *self,
                                                    const char                 *rule,
                                                    const char                 *comment,
                                                    GError                    **error);
gboolean           vigil_camera_shelve             (VigilCamera                *self,
                                                    const char                 *rule,
                                                    gint64                      duration_us,
                                                    const char                 *comment,
                                                    GError                    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilCameraSnapshot, vigil_camera_snapshot_free)

G_END_DECLS
