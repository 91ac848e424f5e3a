/* fuzz-kafka-sample.c
 *
 * Hydraulic samples (hydraulic-<SENSOR>, maybe under a rig's prefix). The first byte picks
 * the topic: the sensor (or one Vigil does not know) and the prefix; the rest is the payload.
 * The checks are fuzz-kafka.h's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fuzz-kafka.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char * const prefixes[] = { "", "rig-a.", "line_2.rig-b." };
  g_autofree char *topic = NULL;
  guint sensor;

  if (size == 0)
    return 0;
  sensor = data[0] % (VIGIL_N_SENSORS + 1);
  topic = g_strconcat (prefixes[data[0] / (VIGIL_N_SENSORS + 1) % G_N_ELEMENTS (prefixes)],
                       "hydraulic-",
                       sensor < VIGIL_N_SENSORS ? vigil_sensor_get_info (sensor)->name : "XX1",
                       NULL);
  fuzz_kafka_message (topic, data + 1, size - 1);
  return 0;
}
