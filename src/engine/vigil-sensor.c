/* vigil-sensor.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "vigil-sensor.h"

static const VigilSensorInfo sensors[VIGIL_N_SENSORS] = {
  { "PS1",  100, VIGIL_FAMILY_PRESSURE,    "bar",   "Pressure" },
  { "PS2",  100, VIGIL_FAMILY_PRESSURE,    "bar",   "Pressure" },
  { "PS3",  100, VIGIL_FAMILY_PRESSURE,    "bar",   "Pressure" },
  { "PS4",  100, VIGIL_FAMILY_PRESSURE,    "bar",   "Pressure" },
  { "PS5",  100, VIGIL_FAMILY_PRESSURE,    "bar",   "Pressure" },
  { "PS6",  100, VIGIL_FAMILY_PRESSURE,    "bar",   "Pressure" },
  { "EPS1", 100, VIGIL_FAMILY_POWER,       "W",     "Motor power" },
  { "FS1",   10, VIGIL_FAMILY_FLOW,        "l/min", "Volume flow" },
  { "FS2",   10, VIGIL_FAMILY_FLOW,        "l/min", "Volume flow" },
  { "TS1",    1, VIGIL_FAMILY_TEMPERATURE, "°C",    "Temperature" },
  { "TS2",    1, VIGIL_FAMILY_TEMPERATURE, "°C",    "Temperature" },
  { "TS3",    1, VIGIL_FAMILY_TEMPERATURE, "°C",    "Temperature" },
  { "TS4",    1, VIGIL_FAMILY_TEMPERATURE, "°C",    "Temperature" },
  { "VS1",    1, VIGIL_FAMILY_VIBRATION,   "mm/s",  "Vibration" },
  { "CE",     1, VIGIL_FAMILY_COOLING,     "%",     "Cooling efficiency" },
  { "CP",     1, VIGIL_FAMILY_COOLING,     "kW",    "Cooling power" },
  { "SE",     1, VIGIL_FAMILY_EFFICIENCY,  "%",     "Efficiency factor" },
};

/* The columns of profile.txt, as health models name what they predict. */
static const char * const component_names[VIGIL_N_COMPONENTS] = {
  "cooler", "valve", "pump", "accumulator", "stable",
};

static const char * const family_names[VIGIL_N_FAMILIES] = {
  "pressure", "power", "flow", "temperature", "vibration", "cooling", "efficiency",
};

const VigilSensorInfo *
vigil_sensor_get_info (VigilSensor sensor)
{
  g_return_val_if_fail ((guint) sensor < VIGIL_N_SENSORS, NULL);

  return &sensors[sensor];
}

gboolean
vigil_sensor_from_name (const char  *name,
                        VigilSensor *out_sensor)
{
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < VIGIL_N_SENSORS; i++)
    {
      if (g_ascii_strcasecmp (name, sensors[i].name) == 0)
        {
          if (out_sensor != NULL)
            *out_sensor = (VigilSensor) i;
          return TRUE;
        }
    }

  return FALSE;
}

guint
vigil_sensor_samples_per_cycle (VigilSensor sensor)
{
  g_return_val_if_fail ((guint) sensor < VIGIL_N_SENSORS, 0);

  return sensors[sensor].rate_hz * VIGIL_CYCLE_SECONDS;
}

const char *
vigil_sensor_family_get_name (VigilSensorFamily family)
{
  g_return_val_if_fail ((guint) family < VIGIL_N_FAMILIES, NULL);

  return family_names[family];
}

gboolean
vigil_sensor_family_from_name (const char        *name,
                               VigilSensorFamily *out_family)
{
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < VIGIL_N_FAMILIES; i++)
    {
      if (g_ascii_strcasecmp (name, family_names[i]) == 0)
        {
          if (out_family != NULL)
            *out_family = (VigilSensorFamily) i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
vigil_key_get_name (guint key)
{
  if (key < VIGIL_N_SENSORS)
    return sensors[key].name;
  if (key < VIGIL_KEY_CAMERA)
    return component_names[key - VIGIL_KEY_COMPONENT];
  if (key == VIGIL_KEY_CAMERA)
    return "camera";

  return NULL;
}

gboolean
vigil_key_from_name (const char *name,
                     guint      *out_key)
{
  VigilSensor sensor;

  g_return_val_if_fail (name != NULL, FALSE);

  if (vigil_sensor_from_name (name, &sensor))
    {
      if (out_key != NULL)
        *out_key = sensor;
      return TRUE;
    }

  for (guint i = 0; i < VIGIL_N_COMPONENTS; i++)
    {
      if (strcmp (name, component_names[i]) == 0)
        {
          if (out_key != NULL)
            *out_key = VIGIL_KEY_COMPONENT + i;
          return TRUE;
        }
    }

  if (strcmp (name, "camera") == 0)
    {
      if (out_key != NULL)
        *out_key = VIGIL_KEY_CAMERA;
      return TRUE;
    }

  return FALSE;
}
