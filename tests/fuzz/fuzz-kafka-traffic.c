/* fuzz-kafka-traffic.c
 *
 * traffic_data messages: camera id, time, image id, a base64 JPEG, and objects in either form
 * (polygons with track ids, or normalised boxes). The whole input is the payload; the checks
 * are fuzz-kafka.h's, the decoded image's included.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fuzz-kafka.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  fuzz_kafka_message ("traffic_data", data, size);
  return 0;
}
