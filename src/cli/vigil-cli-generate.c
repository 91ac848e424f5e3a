/* vigil-cli-generate.c
 *
 * `vigil-cli generate hydraulic`: writes a synthetic rig dataset in the UCI layout.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "vigil-cli-private.h"
#include "vigil-hydraulic-generator.h"
#include "vigil-sensor.h"

#define DEFAULT_CYCLES 2205

int
_vigil_cli_generate (int    argc,
                     char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out_dir = NULL;
  g_autofree char *truth = NULL;
  int cycles = DEFAULT_CYCLES;
  gint64 seed = 1;
  guint n_faults = 0;
  const GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir,
      "Directory to write (created if missing)", "DIR" },
    { "cycles", 'n', 0, G_OPTION_ARG_INT, &cycles,
      "Number of 60-second load cycles (default 2205, as the UCI dataset)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed,
      "Random seed: the same seed and cycles write the same bytes (default 1)", "S" },
    { NULL }
  };

  context = g_option_context_new ("hydraulic");
  g_option_context_set_summary (context,
    "Writes a synthetic hydraulic rig dataset in the layout of the UCI “Condition monitoring\n"
    "of hydraulic systems” dataset, one row per 60 s load cycle: PS1-PS6.txt and EPS1.txt\n"
    "(100 Hz), FS1.txt and FS2.txt (10 Hz), TS1-TS4.txt, VS1.txt, CE.txt, CP.txt and SE.txt\n"
    "(1 Hz); profile.txt with the component conditions of each cycle (cooler, valve, pump\n"
    "leakage, accumulator, stable flag); and " VIGIL_HYDRAULIC_GROUND_TRUTH " listing the\n"
    "injected faults (pressure spikes, overheating, stuck sensors). The same seed writes the\n"
    "same bytes. Traffic datasets are not available yet.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return _vigil_cli_usage ("generate", error->message);

  if (argc < 2)
    return _vigil_cli_usage ("generate", "which dataset? Expected “hydraulic”");
  if (argc > 2)
    return _vigil_cli_usage ("generate", "expected one dataset kind, “hydraulic”");
  if (strcmp (argv[1], "traffic") == 0)
    return _vigil_cli_usage ("generate",
                             "traffic datasets are not available yet; only “hydraulic” is");
  if (strcmp (argv[1], "hydraulic") != 0)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf ("unknown dataset “%s”; expected “hydraulic”", argv[1]);
      return _vigil_cli_usage ("generate", message);
    }
  if (out_dir == NULL)
    return _vigil_cli_usage ("generate", "--out DIR is required");
  if (cycles < 1 || cycles > VIGIL_HYDRAULIC_MAX_CYCLES)
    {
      g_autofree char *message = g_strdup_printf ("--cycles must be 1 to %d, not %d",
                                                  VIGIL_HYDRAULIC_MAX_CYCLES, cycles);
      return _vigil_cli_usage ("generate", message);
    }
  if (seed < 0)
    return _vigil_cli_usage ("generate", "--seed must not be negative");

  if (!vigil_hydraulic_generate_range (out_dir, 0, (guint) cycles, (guint64) seed, &n_faults,
                                       NULL, &error))
    return _vigil_cli_fail (error);

  truth = g_build_filename (out_dir, VIGIL_HYDRAULIC_GROUND_TRUTH, NULL);
  printf ("generated %d cycles of %d sensors in %s (%u faults, ground truth in %s)\n",
          cycles, VIGIL_N_SENSORS, out_dir, n_faults, truth);
  return 0;
}
