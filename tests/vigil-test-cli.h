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

/* Runs vigil-cli with the arguments up to NULL; fails the test unless it exits normally. */
static inline void
run (Result     *r,
     const char *first,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("VIGIL_CLI");
  const char *arg;
  va_list ap;
  int wait_status;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *) cli);
  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &r->out, &r->err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r->status = WEXITSTATUS (wait_status);
}

G_END_DECLS
