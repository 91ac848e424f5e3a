/* vigil-time.h
 *
 * Event time in Vigil: microseconds since the Unix epoch (UTC) in a gint64, and the
 * ISO-8601 and duration forms people type and read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VIGIL_USEC_PER_SEC G_GINT64_CONSTANT (1000000)

/* The default start of a replay's event-time clock: 2025-01-01T00:00:00Z. */
#define VIGIL_DEFAULT_START_US G_GINT64_CONSTANT (1735689600000000)

gboolean vigil_time_parse_iso8601   (const char  *text,
                                     gint64      *out_us,
                                     GError     **error);
char    *vigil_time_format_iso8601  (gint64       time_us);
gsize    vigil_time_format_iso8601_buf (gint64    time_us,
                                        char     *buf,
                                        gsize     buf_len);
gboolean vigil_duration_parse       (const char  *text,
                                     gint64      *out_us,
                                     GError     **error);
gint64   vigil_floor_div            (gint64       a,
                                     gint64       b);

G_END_DECLS
