/* vigil-ui-util.h
 *
 * Translated names of the engine's quantities and small formatting helpers the pages share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "vigil-records.h"
#include "vigil-sensor.h"

G_BEGIN_DECLS

const char *vigil_ui_quantity_name   (VigilSensor      sensor);
const char *vigil_ui_severity_name   (VigilSeverity    severity);
const char *vigil_ui_state_name      (VigilAlarmState  state);
const char *vigil_ui_cause_name      (VigilAlarmCause  cause);
/* "2026-01-01 00:01:00" in UTC, as the CSV reports write it; "" for 0. */
char       *vigil_ui_format_time     (gint64           us);

G_END_DECLS
