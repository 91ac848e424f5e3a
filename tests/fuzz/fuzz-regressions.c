/* fuzz-regressions.c
 *
 * test-fuzz-regressions: every stored input of every fuzz target (the crashes found,
 * corpus-regressions/TARGET/, and the small seed set, seeds/TARGET/) fed once through the
 * target's own LLVMFuzzerTestOneInput, built with whatever compiler builds the rest, so that
 * the plain and sanitizer test runs keep every bug ever found fixed. Each target's source is
 * compiled with its entry points renamed (meson.build), which lets one program hold them all.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "../vigil-test-gstreamer.h"

typedef int (*FuzzInit) (int *argc, char ***argv);
typedef int (*FuzzOne) (const uint8_t *data, size_t size);

#define FUZZ_TARGET(name, sym)                                                              \
  int vigil_fuzz_##sym##_init (int *argc, char ***argv);                                    \
  int vigil_fuzz_##sym##_one (const uint8_t *data, size_t size);
#include "fuzz-targets.h"
#undef FUZZ_TARGET

typedef struct
{
  const char *name;
  FuzzInit    init;
  FuzzOne     one;
  gboolean    initialised;
} Target;

static Target targets[] = {
#define FUZZ_TARGET(name, sym) { name, vigil_fuzz_##sym##_init, vigil_fuzz_##sym##_one, FALSE },
#include "fuzz-targets.h"
#undef FUZZ_TARGET
};

typedef struct
{
  Target *target;
  char   *path;
} Input;

static void
input_free (gpointer data)
{
  Input *input = data;

  g_free (input->path);
  g_free (input);
}

static void
run_input (gconstpointer data)
{
  const Input *input = data;
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  if (!input->target->initialised)
    {
      int argc = 1;
      char *argv0 = (char *) "test-fuzz-regressions";
      char *argv_buf[] = { argv0, NULL };
      char **argv = argv_buf;

      input->target->init (&argc, &argv);
      input->target->initialised = TRUE;
    }
  g_assert_true (g_file_get_contents (input->path, &contents, &len, &error));
  g_assert_no_error (error);
  /* A crash or a failed invariant aborts the whole program, which fails the test. */
  g_assert_cmpint (input->target->one ((const uint8_t *) contents, len), ==, 0);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Adds one test per file of FOLDER/TARGET/ (sorted, so the numbering is stable). Returns how
 * many. */
static guint
add_inputs (GPtrArray  *keep,
            const char *folder,
            Target     *target)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "fuzz", folder, target->name,
                                                     NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return 0;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      Input *input = g_new0 (Input, 1);
      g_autofree char *test_path = NULL;

      input->target = target;
      input->path = g_build_filename (dir_path, g_ptr_array_index (names, i), NULL);
      test_path = g_strdup_printf ("/fuzz/%s/%s/%s", target->name, folder,
                                   (const char *) g_ptr_array_index (names, i));
      g_test_add_data_func (test_path, input, run_input);
      g_ptr_array_add (keep, input);
    }
  return names->len;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (input_free);
  guint n = 0;

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      n += add_inputs (keep, "seeds", &targets[i]);
      n += add_inputs (keep, "corpus-regressions", &targets[i]);
    }
  /* Without inputs the test would prove nothing: the seed set is part of the checkout. */
  if (n == 0)
    {
      g_printerr ("no inputs found under %s\n", g_test_get_dir (G_TEST_DIST));
      return 1;
    }

  return g_test_run ();
}
