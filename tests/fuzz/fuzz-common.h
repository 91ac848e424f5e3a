/* fuzz-common.h
 *
 * What every fuzz target shares: an invariant check that aborts in any build (libFuzzer and
 * the regression test both take an abort for a crash), the check that a refusal is a proper
 * engine error, and a scratch folder for parsers that read files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "vigil-error.h"

G_BEGIN_DECLS

int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* Not g_assert: that one disappears under G_DISABLE_ASSERT, and a fuzzer must never stop
 * checking. */
#define FUZZ_CHECK(cond)                                                                    \
  G_STMT_START                                                                              \
  {                                                                                         \
    if (G_UNLIKELY (!(cond)))                                                               \
      {                                                                                     \
        fprintf (stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);       \
        abort ();                                                                           \
      }                                                                                     \
  }                                                                                         \
  G_STMT_END

/* A refusal must be an engine error in one of @codes (a -1-terminated list) whose message is
 * readable text naming @where (NULL: anything). */
static inline void
fuzz_check_error (const GError *error,
                  const char   *where,
                  const int    *codes)
{
  gboolean code_ok = FALSE;

  FUZZ_CHECK (error != NULL);
  FUZZ_CHECK (error->domain == VIGIL_ENGINE_ERROR);
  for (const int *c = codes; *c >= 0; c++)
    code_ok |= error->code == *c;
  if (!code_ok)
    fprintf (stderr, "unexpected error code %d: %s\n", error->code, error->message);
  FUZZ_CHECK (code_ok);
  FUZZ_CHECK (error->message != NULL && error->message[0] != '\0');
  if (!g_utf8_validate (error->message, -1, NULL))
    {
      g_autofree char *escaped = g_strescape (error->message, NULL);
      fprintf (stderr, "error message not UTF-8: %s\n", escaped);
    }
  FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL));
  if (where != NULL && strstr (error->message, where) == NULL)
    fprintf (stderr, "error does not name %s: %s\n", where, error->message);
  FUZZ_CHECK (where == NULL || strstr (error->message, where) != NULL);
}

/* A folder of this process's own for inputs that must be files, removed at exit (only the
 * fixed names the targets use are ever created in it). */
static char *fuzz_scratch;

static inline void
fuzz_scratch_remove (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (fuzz_scratch == NULL)
    return;
  dir = g_dir_open (fuzz_scratch, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fuzz_scratch, name, NULL);
      g_unlink (path);
    }
  g_rmdir (fuzz_scratch);
  g_clear_pointer (&fuzz_scratch, g_free);
}

static inline const char *
fuzz_scratch_dir (void)
{
  if (fuzz_scratch == NULL)
    {
      fuzz_scratch = g_dir_make_tmp ("vigil-fuzz-XXXXXX", NULL);
      FUZZ_CHECK (fuzz_scratch != NULL);
      atexit (fuzz_scratch_remove);
    }
  return fuzz_scratch;
}

/* Writes @data to @name in the scratch folder; returns the path (free it). */
static inline char *
fuzz_write_file (const char    *name,
                 const uint8_t *data,
                 size_t         size)
{
  char *path = g_build_filename (fuzz_scratch_dir (), name, NULL);

  FUZZ_CHECK (g_file_set_contents (path, (const char *) data, (gssize) size, NULL));
  return path;
}

/* A NUL-terminated copy of the input (free it). */
static inline char *
fuzz_strndup (const uint8_t *data,
              size_t         size)
{
  char *text = g_malloc (size + 1);

  memcpy (text, data, size);
  text[size] = '\0';
  return text;
}

G_END_DECLS
