/* vigil-cli.c
 *
 * vigil-cli: every capability of Vigil's engine without a display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "vigil-cli-models.h"
#include "vigil-cli-private.h"

typedef struct
{
  const char *name;
  const char *summary;
  int       (*run) (int argc, char **argv);
} Command;

static const Command commands[] = {
  { "broker",   "Run a local Kafka broker in memory to try Vigil with",      _vigil_cli_broker },
  { "consume",  "Run the engine on Kafka (rigs and cameras) into a store",   _vigil_cli_consume },
  { "demo",     "Generate a demo rig, replay it and print what Vigil found", _vigil_cli_demo },
  { "evaluate", "Score the vehicle detector on ground truth (traffic)",     _vigil_cli_evaluate },
  { "export",   "Export a store's windows, alarms, journal, detections or traffic as CSV",
    _vigil_cli_export },
  { "generate", "Write a synthetic dataset (hydraulic rig or traffic cameras)",
    _vigil_cli_generate },
  { "models",   "List the health models registered in a store",              _vigil_cli_models },
  { "predict",  "Predict every cycle of a dataset with a registered model",  _vigil_cli_predict },
  { "produce",  "Publish a dataset to Kafka in the seed pipeline's formats", _vigil_cli_produce },
  { "replay",   "Replay a recorded dataset through the engine into a store", _vigil_cli_replay },
  { "train",    "Train a health model on a dataset or a session and register it",
    _vigil_cli_train },
};

int
_vigil_cli_fail (const GError *error)
{
  g_printerr ("vigil-cli: %s\n", error != NULL ? error->message : "unknown error");
  return 1;
}

int
_vigil_cli_usage (const char *command,
                  const char *message)
{
  g_printerr ("vigil-cli %s: %s\nTry “vigil-cli %s --help”.\n", command, message, command);
  return 2;
}

static void
print_usage (FILE *stream)
{
  fprintf (stream,
           "Usage: vigil-cli COMMAND [OPTIONS...]\n"
           "\n"
           "Vigil watches hydraulic test rigs and traffic cameras. This is its engine without a\n"
           "display. Commands:\n\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (stream, "\n“vigil-cli COMMAND --help” tells more about each.\n");
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  /* Numbers in files and on stdout always use '.' whatever the user's locale. */
  setlocale (LC_NUMERIC, "C");

  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 ||
      strcmp (argv[1], "help") == 0)
    {
      print_usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? 2 : 0;
    }

  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("vigil-cli %s\n", PACKAGE_VERSION);
      return 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (strcmp (argv[1], commands[i].name) == 0)
        {
          g_set_prgname (commands[i].name);
          return commands[i].run (argc - 1, argv + 1);
        }
    }

  g_printerr ("vigil-cli: unknown command “%s”\n", argv[1]);
  print_usage (stderr);
  return 2;
}
