/* fuzz-kafka-label.c
 *
 * Messages of hydraulic-labels: the first byte picks a rig's prefix or none, the
 * rest is the payload. The checks are fuzz-kafka.h's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fuzz-kafka.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char * const topics[] = { "hydraulic-labels", "rig-a.hydraulic-labels" };

  if (size == 0)
    return 0;
  fuzz_kafka_message (topics[data[0] % G_N_ELEMENTS (topics)], data + 1, size - 1);
  return 0;
}
