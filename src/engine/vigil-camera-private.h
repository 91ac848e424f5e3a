/* vigil-camera-private.h
 *
 * What a camera's pipeline and threads (vigil-camera.c) and its output side
 * (vigil-camera-output.c: the snapshot, the history, the live alarms, the store's session and
 * batches, the operator's actions) share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vigil-alarm-machine.h"
#include "vigil-camera.h"
#include "vigil-tracker.h"
#include "vigil-traffic-analytics.h"

G_BEGIN_DECLS

struct _VigilCamera
{
  GObject                parent_instance;

  /* Immutable */
  char                  *id;
  char                  *location;
  VigilLive             *live;            /* owned */

  /* Settings read at start, owner thread */
  double                 fps;
  gint64                 start_us;
  VigilReplayClock      *clock;           /* borrowed */
  VigilDetectorParams    detector_params;
  VigilRuleSet          *rules;           /* owned */
  VigilStore            *store;           /* borrowed */

  /* lock guards the settings that apply at the next frame and everything published; never
   * held while calling out */
  GMutex                 lock;
  char                  *mask_path;
  guint                  mask_generation;
  VigilCalibration       calibration;
  guint                  calibration_generation;
  VigilFrame            *snap_frame;
  VigilFrame            *snap_mask;
  GArray                *snap_detections;
  VigilTrafficStats      snap_second;
  VigilFrameSourceState  state;
  GError                *error;
  guint64                n_frames;
  guint64                serial;
  GArray                *history_seconds;  /* VigilTrafficStats */
  GArray                *history_minutes;
  gint64                 session_id;

  /* pipeline_lock guards the pipeline: the thread that analyses frames and operator actions */
  GMutex                 pipeline_lock;
  VigilDetector         *detector;
  VigilTracker          *tracker;
  VigilVehicleSizer     *sizer;
  VigilTrafficAnalytics *analytics;
  VigilAlarmMachine     *alarms;
  VigilFrame            *mask;             /* the mask in use, or NULL for the whole frame */
  guint                  mask_applied;
  guint                  calibration_applied;
  guint                  width;
  guint                  height;
  guint64                road_pixels;
  guint64                next_index;       /* pushed frames' index */
  gint64                 position_us;
  VigilStoreBatch       *pending;          /* started with a store: not submitted yet */
  gboolean               ended;

  /* Threads, owner thread; the queue under queue_lock */
  VigilFrameSource      *source;
  GThread               *worker;
  GMutex                 queue_lock;
  GCond                  queue_cond;
  GQueue                 queue;
  gboolean               stopping;
  gboolean               started;
};

/* vigil-camera.c; under pipeline_lock. */
gboolean _vigil_camera_ensure_pipeline (VigilCamera            *self,
                                        GError                **error);

/* vigil-camera-output.c */
/* The last failure, shown in the snapshot (NULL clears it). */
void     _vigil_camera_set_failure     (VigilCamera            *self,
                                        const GError           *error);
void     _vigil_camera_set_state       (VigilCamera            *self,
                                        VigilFrameSourceState   state,
                                        const GError           *error);
/* Under pipeline_lock: what a frame (or time going on, @frame and @detections NULL, or an
 * operator's action) gave, into the snapshot, the history and the live alarms. */
void     _vigil_camera_publish         (VigilCamera            *self,
                                        VigilFrame             *frame,
                                        GArray                 *detections,
                                        VigilStoreBatch        *step);
/* Moves what @step computed into @batch (NULL: nowhere). */
void     _vigil_camera_merge_batch     (VigilStoreBatch        *batch,
                                        VigilStoreBatch        *step);
/* Under pipeline_lock, a started camera with a store: hands what closed to the store, at
 * once when @force. */
void     _vigil_camera_submit_pending  (VigilCamera            *self,
                                        gboolean                force);

G_END_DECLS
