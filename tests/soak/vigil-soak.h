/* vigil-soak.h
 *
 * What the soak's two halves share: the sources it runs (vigil-soak-sources.c: the rig's
 * passes through a VigilPlayer and the looping cameras, as the app runs them) and the
 * program that samples and judges them (vigil-soak.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "vigil-camera.h"
#include "vigil-player.h"
#include "vigil-rules.h"
#include "vigil-store.h"

G_BEGIN_DECLS

typedef struct
{
  double  rig_h;      /* rig time covered */
  double  wall_s;     /* since the first pass began */
  guint64 rss_kib;
  guint64 heap_kib;   /* malloc's bytes in use */
} SoakPoint;

void      soak_point_measure        (SoakPoint    *point);

/* The generated rig, replayed pass after pass; each pass goes on in event time from where the
 * last one ended, into a new session of the same store. */
typedef struct
{
  /* owned */
  VigilPlayer        *player;
  VigilRuleSet       *rules;
  char               *dir;
  char               *db_path;
  GString            *problems;     /* one line per thing that went wrong */
  GArray             *pass_ends;    /* SoakPoint: memory as each pass ended */

  VigilReplayOptions  options;      /* start_us is the current pass's */
  gint64              t0;           /* monotonic time of the first pass's start */
  guint               n_cycles;     /* per pass */
  guint               passes;       /* finished */
  guint64             windows;      /* of the finished passes, as the live bus counted them */
  guint64             late;
  guint64             samples;
  gboolean            ending;       /* no new pass after the current one */
} SoakRig;

/* One generated camera, looped as the app loops the demo's: a new VigilCamera over the same
 * folder when one ends, its frames going on in event time, into the same store. */
typedef struct
{
  /* owned */
  VigilCamera *camera;
  VigilStore  *store;
  char        *id;
  char        *location;
  char        *mask_file;
  char        *db_path;
  GString     *problems;

  double       fps;
  double       pixels_per_metre;
  guint        n_images;         /* frames in the folder */
  gint64       start_us;         /* of the current pass */
  guint        passes;           /* finished */
  guint64      frames;           /* of the finished passes */
  gboolean     ending;
  gboolean     done;             /* ended, or failed */
} SoakCamera;

gboolean  soak_rig_start            (SoakRig      *rig,
                                     const char   *dir,
                                     const char   *db_path,
                                     guint         n_cycles,
                                     GError      **error);
/* Main thread, often: notices the end of a pass and starts the next unless ending. */
void      soak_rig_poll             (SoakRig      *rig);
gboolean  soak_rig_is_playing       (SoakRig      *rig);
/* Event time covered since the first pass began, in microseconds. */
gint64    soak_rig_get_covered      (SoakRig      *rig);
/* Windows and late records so far, the current pass's included. */
void      soak_rig_get_counts       (SoakRig      *rig,
                                     guint64      *windows,
                                     guint64      *late);
gboolean  soak_rig_is_done          (SoakRig      *rig);
/* Stops and closes everything but the problems (and the store's path), which the caller reads
 * and then frees. */
void      soak_rig_clear            (SoakRig      *rig);
/* Windows one pass of @n_cycles must close, from the sensors' rates and the window settings
 * alone. */
guint64   soak_expected_windows     (const VigilReplayOptions *options,
                                     guint                     n_cycles);

/* @folder: a camera folder of vigil_traffic_generate(). */
gboolean  soak_camera_start         (SoakCamera   *cam,
                                     const char   *folder,
                                     const char   *db_path,
                                     GError      **error);
void      soak_camera_poll          (SoakCamera   *cam);
gboolean  soak_camera_is_playing    (SoakCamera   *cam);
guint64   soak_camera_get_frames    (SoakCamera   *cam);
/* As soak_rig_clear(): id, db_path and problems stay. */
void      soak_camera_clear         (SoakCamera   *cam);

G_END_DECLS
