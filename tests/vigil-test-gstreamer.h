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
 * HTTP cameras go through GStreamer's souphttpsrc, whose libsoup 2.4 session runs on a thread
 * of its own: when a pipeline is freed while a read is in flight (a camera that stalled and
 * is being retried), libsoup's pending sources and the session that a GStreamer structure
 * held are freed after the process exits, if at all. Excused by libsoup's name and by the
 * structure's freeing function; Vigil's own code is never in those stacks.
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
         "leak:gst_structure_free\n"
         "leak:libsoup-2.4.so\n";
}
