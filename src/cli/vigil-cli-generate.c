/* vigil-cli-generate.c
 *
 * `vigil-cli generate hydraulic|traffic`: writes a synthetic rig dataset in the UCI layout, or
 * synthetic traffic camera folders.
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
#include "vigil-traffic-generator.h"

#define DEFAULT_CYCLES 2205

typedef struct
{
  int    cameras;
  int    frames;
  int    width;
  int    height;
  double fps;
} TrafficOptions;

static int
generate_traffic (const char           *out_dir,
                  const TrafficOptions *opts,
                  gint64                seed)
{
  g_autoptr(GError) error = NULL;
  VigilTrafficGeneratorParams params;

  if (opts->cameras < 1 || opts->cameras > VIGIL_TRAFFIC_MAX_CAMERAS)
    {
      g_autofree char *message = g_strdup_printf ("--cameras must be 1 to %d, not %d",
                                                  VIGIL_TRAFFIC_MAX_CAMERAS, opts->cameras);
      return _vigil_cli_usage ("generate", message);
    }
  if (opts->frames < 1 || opts->frames > VIGIL_TRAFFIC_MAX_FRAMES)
    {
      g_autofree char *message = g_strdup_printf ("--frames must be 1 to %d, not %d",
                                                  VIGIL_TRAFFIC_MAX_FRAMES, opts->frames);
      return _vigil_cli_usage ("generate", message);
    }
  if (opts->width < 16 || opts->width > 16384 || opts->height < 16 || opts->height > 16384)
    return _vigil_cli_usage ("generate", "--width and --height must be 16 to 16384");
  if (!(opts->fps > 0 && opts->fps <= 1000))
    return _vigil_cli_usage ("generate", "--fps must be above 0 and at most 1000");

  vigil_traffic_generator_params_init (&params);
  params.n_cameras = (guint) opts->cameras;
  params.n_frames = (guint) opts->frames;
  params.width = (guint) opts->width;
  params.height = (guint) opts->height;
  params.fps = opts->fps;
  params.seed = (guint64) seed;
  if (!vigil_traffic_generate (out_dir, &params, NULL, &error))
    return _vigil_cli_fail (error);

  printf ("generated %d cameras of %d frames (%dx%d at %g frames/s) in %s\n", opts->cameras,
          opts->frames, opts->width, opts->height, opts->fps, out_dir);
  return 0;
}

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
  TrafficOptions traffic = { 1, 750, 640, 360, 25 };
  const GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir,
      "Directory to write (created if missing)", "DIR" },
    { "cycles", 'n', 0, G_OPTION_ARG_INT, &cycles,
      "Number of 60-second load cycles (default 2205, as the UCI dataset)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed,
      "Random seed: the same seed and sizes write the same bytes (default 1)", "S" },
    { "cameras", 0, 0, G_OPTION_ARG_INT, &traffic.cameras,
      "Traffic: number of cameras (default 1)", "N" },
    { "frames", 0, 0, G_OPTION_ARG_INT, &traffic.frames,
      "Traffic: frames per camera (default 750)", "N" },
    { "width", 0, 0, G_OPTION_ARG_INT, &traffic.width,
      "Traffic: frame width in pixels (default 640)", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &traffic.height,
      "Traffic: frame height in pixels (default 360)", "H" },
    { "fps", 0, 0, G_OPTION_ARG_DOUBLE, &traffic.fps,
      "Traffic: frames per second (default 25)", "F" },
    { NULL }
  };

  context = g_option_context_new ("hydraulic|traffic");
  g_option_context_set_summary (context,
    "Writes a synthetic hydraulic rig dataset in the layout of the UCI “Condition monitoring\n"
    "of hydraulic systems” dataset, one row per 60 s load cycle: PS1-PS6.txt and EPS1.txt\n"
    "(100 Hz), FS1.txt and FS2.txt (10 Hz), TS1-TS4.txt, VS1.txt, CE.txt, CP.txt and SE.txt\n"
    "(1 Hz); profile.txt with the component conditions of each cycle (cooler, valve, pump\n"
    "leakage, accumulator, stable flag); and " VIGIL_HYDRAULIC_GROUND_TRUTH " listing the\n"
    "injected faults (pressure spikes, overheating, stuck sensors). The same seed writes the\n"
    "same bytes.\n"
    "\n"
    "traffic writes camera folders cam_01, cam_02, ...: frames/000000.png ..., a labelme road\n"
    "mask (mask.json), camera.json (camera_id, fps, width, height, pixels_per_metre) and\n"
    "ground-truth.csv (frame,timestamp,track_id,class,x,y,w,h,speed_kmh: every vehicle in\n"
    "every frame, boxes in pixels). A four-lane road seen from above with the four vehicle\n"
    "classes at known speeds, a queue that stops and starts, lighting drift and noise.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return _vigil_cli_usage ("generate", error->message);

  if (argc < 2)
    return _vigil_cli_usage ("generate",
                             "which dataset? Expected “hydraulic” or “traffic”");
  if (argc > 2)
    return _vigil_cli_usage ("generate",
                             "expected one dataset kind, “hydraulic” or “traffic”");
  if (strcmp (argv[1], "hydraulic") != 0 && strcmp (argv[1], "traffic") != 0)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf ("unknown dataset “%s”; expected “hydraulic” or "
                                 "“traffic”", argv[1]);
      return _vigil_cli_usage ("generate", message);
    }
  if (out_dir == NULL)
    return _vigil_cli_usage ("generate", "--out DIR is required");
  if (seed < 0)
    return _vigil_cli_usage ("generate", "--seed must not be negative");
  if (strcmp (argv[1], "traffic") == 0)
    return generate_traffic (out_dir, &traffic, seed);
  if (cycles < 1 || cycles > VIGIL_HYDRAULIC_MAX_CYCLES)
    {
      g_autofree char *message = g_strdup_printf ("--cycles must be 1 to %d, not %d",
                                                  VIGIL_HYDRAULIC_MAX_CYCLES, cycles);
      return _vigil_cli_usage ("generate", message);
    }

  if (!vigil_hydraulic_generate_range (out_dir, 0, (guint) cycles, (guint64) seed, &n_faults,
                                       NULL, &error))
    return _vigil_cli_fail (error);

  truth = g_build_filename (out_dir, VIGIL_HYDRAULIC_GROUND_TRUTH, NULL);
  printf ("generated %d cycles of %d sensors in %s (%u faults, ground truth in %s)\n",
          cycles, VIGIL_N_SENSORS, out_dir, n_faults, truth);
  return 0;
}
