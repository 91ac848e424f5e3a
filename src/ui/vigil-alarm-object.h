/* vigil-alarm-object.h
 *
 * One alarm instance (a copy of a VigilLiveAlarm) as an item of the Alarms page's list.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "vigil-live.h"

G_BEGIN_DECLS

#define VIGIL_TYPE_ALARM_OBJECT (vigil_alarm_object_get_type ())
G_DECLARE_FINAL_TYPE (VigilAlarmObject, vigil_alarm_object, VIGIL, ALARM_OBJECT, GObject)

VigilAlarmObject     *vigil_alarm_object_new      (const VigilLiveAlarm *alarm);
const VigilLiveAlarm *vigil_alarm_object_get      (VigilAlarmObject     *self);
/* Whether two objects are the same instance: rule, sensor and raising time. */
gboolean              vigil_alarm_object_same     (VigilAlarmObject     *self,
                                                   const char           *rule,
                                                   VigilSensor           sensor,
                                                   gint64                raised_us);

G_END_DECLS
