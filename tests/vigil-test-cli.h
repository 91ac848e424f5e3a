/* vigil-test-cli.h
 *
 * Running vigil-cli as a real subprocess, as scripts do (header-only: tests are single-file
 * programs). The binary comes from the VIGIL_CLI environment variable the harness sets.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <stdarg.h>
#include <sys/wait.h>

G_BEGIN_DECLS

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

static inline void
result_clear (Result *r)
{
  g_free (r->out);
  g_free (r->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static inline void
run_va (Result      *r,
        char       **envp,
        const char  *first,
        va_list      ap)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("VIGIL_CLI");
  const char *arg;
  int wait_status;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *) cli);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                               &r->out, &r->err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r->status = WEXITSTATUS (wait_status);
}

/* Runs vigil-cli with the arguments up to NULL; fails the test unless it exits normally. */
static inline void
run (Result     *r,
     const char *first,
     ...)
{
  va_list ap;

  va_start (ap, first);
  run_va (r, NULL, first, ap);
  va_end (ap);
}

/* As run(), in the environment @envp (NULL: the test's). */
static inline void
run_env (Result      *r,
         char       **envp,
         const char  *first,
         ...)
{
  va_list ap;

  va_start (ap, first);
  run_va (r, envp, first, ap);
  va_end (ap);
}

static inline char *
cli_join_options (const char *inherited,
                  const char *more)
{
  return inherited != NULL && *inherited != '\0' ? g_strconcat (inherited, ":", more, NULL)
                                                 : g_strdup (more);
}

/* The environment for a vigil-cli command that loads GStreamer, in a sanitizer build: the
 * excuse the tests themselves make for GLib's quark table (vigil-test-gstreamer.h), written
 * into @dir, and LeakSanitizer told not to list what it excused on stderr. Harmless without
 * a sanitizer. Free with g_strfreev(). */
static inline char **
cli_gstreamer_env (const char *dir)
{
  g_autofree char *suppressions = g_build_filename (dir, "lsan-suppressions.txt", NULL);
  g_autofree char *lsan_more = g_strconcat ("suppressions=", suppressions,
                                            ":print_suppressions=0", NULL);
  g_autofree char *asan = cli_join_options (g_getenv ("ASAN_OPTIONS"),
                                            "fast_unwind_on_malloc=0");
  g_autofree char *lsan = cli_join_options (g_getenv ("LSAN_OPTIONS"), lsan_more);
  g_autoptr(GError) error = NULL;
  char **envp = g_get_environ ();

  g_file_set_contents (suppressions, "leak:_dl_init\n", -1, &error);
  g_assert_no_error (error);
  envp = g_environ_setenv (envp, "ASAN_OPTIONS", asan, TRUE);
  return g_environ_setenv (envp, "LSAN_OPTIONS", lsan, TRUE);
}

G_END_DECLS
