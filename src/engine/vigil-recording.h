/* vigil-recording.h
 *
 * A recorded session (a store file) played back into the live bus on a timeline that
 * pauses, changes speed and seeks: seeking shows charts and alarm states as they were at
 * that moment of the recording. Every function may be called from any thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "vigil-live.h"
#include "vigil-rules.h"
#include "vigil-store.h"

G_BEGIN_DECLS

#define VIGIL_TYPE_RECORDING (vigil_recording_get_type ())
G_DECLARE_FINAL_TYPE (VigilRecording, vigil_recording, VIGIL, RECORDING, GObject)

/* Reads session @session_id (0: the latest) of the store at @path into memory, opening the
 * file read-only: it is never changed. The store's refusals (not a Vigil file, a newer
 * schema, a damaged file) reach the caller as they are; an unknown session is NOT_FOUND. */
VigilRecording            *vigil_recording_open         (const char      *path,
                                                         gint64           session_id,
                                                         GError         **error);
const char                *vigil_recording_get_path     (VigilRecording  *self);
const VigilSessionSummary *vigil_recording_get_summary  (VigilRecording  *self);
/* The rules the session was recorded with. */
VigilRuleSet              *vigil_recording_get_rules    (VigilRecording  *self);
/* Where the timeline ends: the session's end, or its last journal entry if that is later. */
gint64                     vigil_recording_get_end      (VigilRecording  *self);

/* Resets @live to the recording and plays it from the position (the session's start unless
 * a seek or an earlier playback moved it) on a thread of its own, at @speed event seconds per
 * wall second (0: all at once). The live shows the position when this returns. Fails if it
 * is already playing. */
gboolean                   vigil_recording_start        (VigilRecording  *self,
                                                         VigilLive       *live,
                                                         double           speed,
                                                         GError         **error);
/* Once this returns, the position no longer moves until unpaused or seeked. */
void                       vigil_recording_set_paused   (VigilRecording  *self,
                                                         gboolean         paused);
gboolean                   vigil_recording_get_paused   (VigilRecording  *self);
/* 0 is as fast as possible. */
void                       vigil_recording_set_speed    (VigilRecording  *self,
                                                         double           speed);
double                     vigil_recording_get_speed    (VigilRecording  *self);
/* Clamps @at_us to the timeline, then resets the live and publishes everything recorded up
 * to it; the playback goes on from there (or stays paused). Any thread, at any time: when
 * this returns the live shows the recording as of @at_us. Before start (or after stop) it
 * only sets where the next start begins. */
void                       vigil_recording_seek         (VigilRecording  *self,
                                                         gint64           at_us);
/* Event time published so far. */
gint64                     vigil_recording_get_position (VigilRecording  *self);
/* Whether the position reached the end of the timeline (a seek back makes it FALSE again). */
gboolean                   vigil_recording_is_finished  (VigilRecording  *self);
/* Stops the playback and joins its thread; the live keeps what it was shown. Idempotent. */
void                       vigil_recording_stop         (VigilRecording  *self);

G_END_DECLS
