/* fuzz-targets.h
 *
 * Every fuzz target, as FUZZ_TARGET (name, C identifier); meson.build builds the same list.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

FUZZ_TARGET ("time", time)
FUZZ_TARGET ("csv", csv)
FUZZ_TARGET ("hydraulic-row", hydraulic_row)
FUZZ_TARGET ("kafka-sample", kafka_sample)
FUZZ_TARGET ("kafka-label", kafka_label)
FUZZ_TARGET ("kafka-analytics", kafka_analytics)
FUZZ_TARGET ("kafka-traffic", kafka_traffic)
FUZZ_TARGET ("rules", rules)
FUZZ_TARGET ("road-mask-json", road_mask_json)
FUZZ_TARGET ("road-mask-png", road_mask_png)
FUZZ_TARGET ("image", image)
FUZZ_TARGET ("session", session)
