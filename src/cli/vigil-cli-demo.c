/* vigil-cli-demo.c
 *
 * vigil-cli demo: what a newcomer runs first. Generates a rig (once, cached), replays it
 * and says what Vigil found, next to the faults the generator injected.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-cli"

#include "config.h"

#include <stdlib.h>

#include <glib/gstdio.h>

#include "vigil-cli-private.h"
#include "vigil-cli-replay.h"
#include "vigil-demo.h"
#include "vigil-hydraulic-generator.h"
#include "vigil-time.h"


typedef struct
{
  guint       cycle;
  VigilSensor sensor;
  char       *fault;
  gint64      start_us;   /* event time */
  gint64      end_us;
} Fault;

static void
fault_clear (gpointer data)
{
  g_free (((Fault *) data)->fault);
}

/* ground-truth.csv: cycle,sensor,fault,start_s,end_s,magnitude */
static GArray *
load_ground_truth (const char  *dir,
                   gint64       start_us,
                   GError     **error)
{
  g_autofree char *path = g_build_filename (dir, VIGIL_HYDRAULIC_GROUND_TRUTH, NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GArray) faults = g_array_new (FALSE, TRUE, sizeof (Fault));

  g_array_set_clear_func (faults, fault_clear);

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = NULL;
      Fault fault = { 0 };

      g_strchomp (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      f = g_strsplit (lines[i], ",", -1);
      if (g_strv_length (f) < 5 || !vigil_sensor_from_name (f[1], &fault.sensor))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "%s:%u: expected cycle,sensor,fault,start_s,end_s,magnitude", path, i + 1);
          return NULL;
        }
      fault.cycle = (guint) g_ascii_strtoull (f[0], NULL, 10);
      fault.fault = g_strdup (f[2]);
      fault.start_us = start_us + (gint64) (g_ascii_strtod (f[3], NULL) * 1e6);
      fault.end_us = start_us + (gint64) (g_ascii_strtod (f[4], NULL) * 1e6);
      g_array_append_val (faults, fault);
    }

  return g_steal_pointer (&faults);
}

/* Was an alarm raised on the fault's sensor while a window that saw it was closing? */
static gboolean
fault_met (VigilHydraulicReplay *replay,
           VigilRuleSet         *rules,
           const Fault          *fault,
           gint64                window_us)
{
  for (guint r = 0; r < vigil_rule_set_get_n_rules (rules); r++)
    {
      const GArray *raises = vigil_hydraulic_replay_get_raises (replay, r, fault->sensor);

      for (guint i = 0; i < raises->len; i++)
        {
          gint64 t = g_array_index (raises, gint64, i);

          if (t > fault->start_us && t <= fault->end_us + window_us)
            return TRUE;
        }
    }

  return FALSE;
}

static void
print_report (VigilHydraulicReplay     *replay,
              VigilRuleSet             *rules,
              const VigilReplayOptions *options,
              const VigilReplayStats   *st,
              GArray                   *faults)
{
  const char *kinds[] = { "pressure_spike", "overheating", "stuck_sensor" };
  guint lowest = VIGIL_N_SENSORS;

  g_print ("\nAlarms raised\n  %-18s %-9s %-6s %6s  %s\n", "RULE", "SEVERITY", "SENSOR",
           "COUNT", "FIRST");
  for (guint r = 0; r < vigil_rule_set_get_n_rules (rules); r++)
    {
      const VigilRule *rule = vigil_rule_set_get_rule (rules, r);

      for (guint s = 0; s < VIGIL_N_SENSORS; s++)
        {
          const GArray *raises = vigil_hydraulic_replay_get_raises (replay, r, s);
          char first[64];

          if (raises->len == 0)
            continue;
          vigil_time_format_iso8601_buf (g_array_index (raises, gint64, 0), first, sizeof first);
          g_print ("  %-18s %-9s %-6s %6u  %s\n", rule->name,
                   vigil_severity_to_string (rule->severity), vigil_sensor_get_info (s)->name,
                   raises->len, first);
        }
    }
  if (st->alarms_raised == 0)
    g_print ("  none\n");

  if (faults != NULL)
    {
      g_print ("\nFaults the generator injected (ground truth) and the alarms that met them\n");
      for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
        {
          guint n = 0, met = 0;

          for (guint i = 0; i < faults->len; i++)
            {
              const Fault *f = &g_array_index (faults, Fault, i);

              if (!g_str_equal (f->fault, kinds[k]))
                continue;
              n++;
              met += fault_met (replay, rules, f, options->window_us);
            }
          g_print ("  %-15s %3u injected, %3u with an alarm on the same sensor within a window\n",
                   kinds[k], n, met);
        }
    }

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    if ((vigil_hydraulic_replay_get_sensors (replay) & (1u << s)) &&
        (lowest == VIGIL_N_SENSORS || st->health[s] < st->health[lowest]))
      lowest = s;
  g_print ("\nHealth at the end of the replay: rig %u/100", st->rig_health);
  if (lowest < VIGIL_N_SENSORS && st->health[lowest] < 100)
    g_print (" (lowest: %s)", vigil_sensor_get_info (lowest)->name);
  g_print ("\n");
}

int
_vigil_cli_demo (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRuleSet) rules = NULL;
  g_autoptr(VigilHydraulicReplay) replay = NULL;
  g_autoptr(GArray) faults = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *cache = NULL;
  g_auto(VigilCliReplayArgs) args = { 0 };
  VigilReplayOptions options;
  VigilReplayStats stats;
  gboolean interrupted = FALSE;
  int cycles = 240;
  gint64 seed = 1;
  GOptionEntry entries[] = {
    { "cycles", 0, 0, G_OPTION_ARG_INT, &cycles, "Cycles of the demo rig (default 240: 4 h)",
      "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the generated rig (default 1)", "S" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir,
      "Where the demo rig lives (default: in the user's cache)", "DIR" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "Store to write (default: beside the rig)",
      "FILE" },
    { "speed", 0, 0, G_OPTION_ARG_STRING, &args.speed,
      "Replay speed: max (default) or a factor, 1 = real time", "max|N" },
    { "rules", 0, 0, G_OPTION_ARG_FILENAME, &args.rules, "Alarm rules (JSON)", "FILE" },
    { NULL }
  };

  context = g_option_context_new ("— replay a generated demo rig and say what Vigil found");
  g_option_context_set_summary (context,
    "Generates a hydraulic rig with injected faults (once; it is kept in the cache), replays\n"
    "it through windows, rules and alarms into a store, and prints the alarms next to the\n"
    "faults the generator injected.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return _vigil_cli_usage ("demo", error->message);
  if (argc != 1)
    return _vigil_cli_usage ("demo", "no arguments expected");
  if (cycles < 1 || cycles > 100000)
    return _vigil_cli_usage ("demo", "--cycles must be between 1 and 100000");
  if (seed < 0)
    return _vigil_cli_usage ("demo", "--seed must not be negative");

  cache = g_build_filename (g_get_user_cache_dir (), "vigil", NULL);
  if (dir == NULL)
    {
      dir = vigil_demo_get_dir ((guint) cycles, (guint64) seed);
    }
  if (db == NULL)
    {
      g_autofree char *name = g_strdup_printf ("demo-%d-seed%" G_GINT64_FORMAT ".sqlite", cycles,
                                               seed);
      db = g_build_filename (cache, name, NULL);
      g_mkdir_with_parents (cache, 0755);
    }

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    g_print ("Generating a demo rig: %d cycles of 17 sensors in %s ...\n", cycles, dir);
  if (!vigil_demo_ensure (dir, (guint) cycles, (guint64) seed, NULL, &error))
    return _vigil_cli_fail (error);

  if (!_vigil_cli_replay_options_parse (&args, &options, &rules, &error))
    return _vigil_cli_fail (error);

  /* Champions trained on a sibling rig (another seed) predict each replayed cycle. */
  if (!vigil_demo_ensure_models (db, (guint) cycles, (guint64) seed, NULL, &error))
    return _vigil_cli_fail (error);

  g_print ("Replaying %s into %s ...\n", dir, db);
  if (!_vigil_cli_run_replay (dir, db, rules, &options, &stats, &interrupted, &replay, &error))
    return _vigil_cli_fail (error);

  faults = load_ground_truth (dir, options.start_us, &error);
  if (faults == NULL)
    {
      g_printerr ("vigil-cli: no ground truth to compare with: %s\n", error->message);
      g_clear_error (&error);
    }

  print_report (replay, rules, &options, &stats, faults);
  g_print ("\nHealth models: %u champions, trained on a sibling rig, predicted every cycle "
           "(vigil-cli models --db %s)\n", vigil_hydraulic_replay_get_n_models (replay), db);

  g_print ("\nExport what was found:\n"
           "  vigil-cli export alarms --db %s --out alarms.csv\n"
           "  vigil-cli export windows --db %s --sensor PS1 --out ps1-windows.csv\n\n",
           db, db);
  _vigil_cli_print_summary (&stats);

  return interrupted ? 130 : 0;
}
