/* vigil-sensor.h
 *
 * The 17 sensors of a hydraulic test rig: names, rates, families and units.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* In the order of the UCI dataset's documentation. */
typedef enum
{
  VIGIL_SENSOR_PS1,
  VIGIL_SENSOR_PS2,
  VIGIL_SENSOR_PS3,
  VIGIL_SENSOR_PS4,
  VIGIL_SENSOR_PS5,
  VIGIL_SENSOR_PS6,
  VIGIL_SENSOR_EPS1,
  VIGIL_SENSOR_FS1,
  VIGIL_SENSOR_FS2,
  VIGIL_SENSOR_TS1,
  VIGIL_SENSOR_TS2,
  VIGIL_SENSOR_TS3,
  VIGIL_SENSOR_TS4,
  VIGIL_SENSOR_VS1,
  VIGIL_SENSOR_CE,
  VIGIL_SENSOR_CP,
  VIGIL_SENSOR_SE,
  VIGIL_N_SENSORS
} VigilSensor;

typedef enum
{
  VIGIL_FAMILY_PRESSURE,     /* PS1-PS6, bar */
  VIGIL_FAMILY_POWER,        /* EPS1, W */
  VIGIL_FAMILY_FLOW,         /* FS1-FS2, l/min */
  VIGIL_FAMILY_TEMPERATURE,  /* TS1-TS4, °C */
  VIGIL_FAMILY_VIBRATION,    /* VS1, mm/s */
  VIGIL_FAMILY_COOLING,      /* CE %, CP kW */
  VIGIL_FAMILY_EFFICIENCY,   /* SE % */
  VIGIL_N_FAMILIES
} VigilSensorFamily;

/* Seconds in one load cycle of the rig, and samples of all sensors in one cycle. */
#define VIGIL_CYCLE_SECONDS 60
#define VIGIL_SAMPLES_PER_CYCLE 43680

typedef struct
{
  const char        *name;       /* "PS1"; also the file stem, "PS1.txt" */
  guint              rate_hz;    /* 100, 10 or 1 */
  VigilSensorFamily  family;
  const char        *unit;       /* "bar" */
  const char        *quantity;   /* "Pressure", untranslated */
} VigilSensorInfo;

/* What an alarm watches, its key: a sensor (its VigilSensor), or from VIGIL_KEY_COMPONENT on
 * the predicted condition of one of the rig's components, in VigilTarget order (cooler, valve,
 * pump, accumulator, stable), or VIGIL_KEY_CAMERA, a camera's traffic (each camera has its
 * own session, which says which camera). Every key has a bit in a guint32 mask. */
#define VIGIL_KEY_COMPONENT VIGIL_N_SENSORS
#define VIGIL_N_COMPONENTS  5
#define VIGIL_KEY_CAMERA    (VIGIL_KEY_COMPONENT + VIGIL_N_COMPONENTS)
#define VIGIL_N_KEYS        (VIGIL_KEY_CAMERA + 1)

/* Keys of every component, as a mask. */
#define VIGIL_COMPONENT_KEYS (((1u << VIGIL_N_COMPONENTS) - 1) << VIGIL_KEY_COMPONENT)

const VigilSensorInfo *vigil_sensor_get_info         (VigilSensor         sensor);
gboolean               vigil_sensor_from_name        (const char         *name,
                                                      VigilSensor        *out_sensor);
guint                  vigil_sensor_samples_per_cycle (VigilSensor        sensor);
const char            *vigil_sensor_family_get_name  (VigilSensorFamily   family);
gboolean               vigil_sensor_family_from_name (const char         *name,
                                                      VigilSensorFamily  *out_family);

/* "PS1" for a sensor, "cooler" for a component, "camera"; NULL for a key that is none. */
const char            *vigil_key_get_name            (guint               key);
/* Sensor names in any case, component names in lower case. */
gboolean               vigil_key_from_name           (const char         *name,
                                                      guint              *out_key);

G_END_DECLS
