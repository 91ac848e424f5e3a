/* vigil-alarm-object.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vigil-alarm-object.h"

struct _VigilAlarmObject
{
  GObject        parent_instance;

  VigilLiveAlarm alarm;   /* owns its comment */
};

G_DEFINE_FINAL_TYPE (VigilAlarmObject, vigil_alarm_object, G_TYPE_OBJECT)

static void
vigil_alarm_object_finalize (GObject *object)
{
  vigil_live_alarm_clear (&VIGIL_ALARM_OBJECT (object)->alarm);

  G_OBJECT_CLASS (vigil_alarm_object_parent_class)->finalize (object);
}

static void
vigil_alarm_object_class_init (VigilAlarmObjectClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vigil_alarm_object_finalize;
}

static void
vigil_alarm_object_init (VigilAlarmObject *self)
{
}

VigilAlarmObject *
vigil_alarm_object_new (const VigilLiveAlarm *alarm)
{
  VigilAlarmObject *self;

  g_return_val_if_fail (alarm != NULL, NULL);

  self = g_object_new (VIGIL_TYPE_ALARM_OBJECT, NULL);
  self->alarm = *alarm;
  self->alarm.comment = g_strdup (alarm->comment);

  return self;
}

const VigilLiveAlarm *
vigil_alarm_object_get (VigilAlarmObject *self)
{
  g_return_val_if_fail (VIGIL_IS_ALARM_OBJECT (self), NULL);

  return &self->alarm;
}

gboolean
vigil_alarm_object_same (VigilAlarmObject *self,
                         const char       *rule,
                         VigilSensor       sensor,
                         gint64            raised_us)
{
  g_return_val_if_fail (VIGIL_IS_ALARM_OBJECT (self), FALSE);

  return g_strcmp0 (self->alarm.rule, rule) == 0 && self->alarm.sensor == sensor &&
         self->alarm.raised_us == raised_us;
}
