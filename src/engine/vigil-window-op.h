/* vigil-window-op.h
 *
 * Event-time sliding windows with a watermark, per key. Windows are aligned to multiples of
 * the slide since the Unix epoch; a window is final when the key's watermark (its largest
 * event time minus the allowed lateness) passes its end. Records that arrive after every
 * window they belong to has closed are late: counted and handed back, never dropped silently.
 * Not thread-safe: one owner thread per operator (work is partitioned by key).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "vigil-records.h"

G_BEGIN_DECLS

typedef struct _VigilWindowOp VigilWindowOp;

VigilWindowOp *vigil_window_op_new            (gint64          window_us,
                                               gint64          slide_us,
                                               gint64          lateness_us,
                                               guint           n_keys,
                                               GError        **error);
void           vigil_window_op_free           (VigilWindowOp  *self);

/* One record. Closed windows are appended to @windows (VigilWindowStats), a late record
 * to @late (VigilLateRecord). */
void           vigil_window_op_push           (VigilWindowOp  *self,
                                               guint           key,
                                               gint64          time_us,
                                               double          value,
                                               GArray         *windows,
                                               GArray         *late);
/* A regular run: @values[i] at @t0_us + i * @dt_us. Same results as pushing one by one. */
void           vigil_window_op_push_run       (VigilWindowOp  *self,
                                               guint           key,
                                               gint64          t0_us,
                                               gint64          dt_us,
                                               const double   *values,
                                               gsize           n_values,
                                               GArray         *windows,
                                               GArray         *late);
/* Moves @key's watermark to at least @watermark_us (an idle source says time went on). */
void           vigil_window_op_advance        (VigilWindowOp  *self,
                                               guint           key,
                                               gint64          watermark_us,
                                               GArray         *windows);
/* End of stream: closes every window that holds data, for every key. */
void           vigil_window_op_flush          (VigilWindowOp  *self,
                                               GArray         *windows);

/* G_MININT64 while @key has seen nothing. */
gint64         vigil_window_op_get_watermark  (VigilWindowOp  *self,
                                               guint           key);
guint64        vigil_window_op_get_late_count (VigilWindowOp  *self,
                                               guint           key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilWindowOp, vigil_window_op_free)

G_END_DECLS
