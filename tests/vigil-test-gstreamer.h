/* vigil-test-gstreamer.h
 *
 * For the tests that load GStreamer, included once by the test's own source file: what
 * AddressSanitizer's leak check needs to know about GLib (unused otherwise).
 *
 * GLib allocates its first quark table in its library constructor and, by design (readers
 * take no lock), never frees it once GStreamer's many quarks make the table grow. Only
 * allocations made while a library loads are excused, which needs full stacks (GLib has no
 * frame pointers) from the slow unwinder.
 *
 * GObject also allocates while it disposes an object that a GStreamer structure held (an HTTP
 * source's context, when its pipeline is freed), and those few bytes are not freed before the
 * process exits: excused by the freeing function's name. Seen only with HTTP cameras.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

const char *__asan_default_options (void);
const char *__lsan_default_suppressions (void);

const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}

const char *
__lsan_default_suppressions (void)
{
  return "leak:_dl_init\n"
         "leak:gst_structure_free\n";
}
