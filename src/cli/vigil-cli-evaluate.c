/* vigil-cli-evaluate.c
 *
 * `vigil-cli evaluate traffic`: scores Vigil's vehicle detector on ground truth and prints one
 * line per sequence.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vigil-cli-private.h"
#include "vigil-traffic-eval.h"

static void
print_boxes (const char          *kind,
             const char          *name,
             const VigilBoxScore *score)
{
  printf ("%s %s frames=%u precision=%.4f recall=%.4f count_error=%.3f", kind, name,
          score->frames, vigil_box_score_precision (score), vigil_box_score_recall (score),
          vigil_box_score_count_error (score));
}

/* Generated cameras also know speeds and classes: the confusion counts are one group per true
 * class, the detected classes in the order motorcycle, car, bus, truck. */
static void
print_generated (const char          *name,
                 const VigilBoxScore *score)
{
  print_boxes ("generated", name, score);
  printf (" speed_error=%.4f speed_within_%.0fpct=%.4f speeds=%" G_GUINT64_FORMAT
          " speed_abs_error_kmh=%.3f class_accuracy=%.4f confusion=",
          vigil_box_score_speed_error (score), 100 * VIGIL_EVAL_SPEED_TOLERANCE,
          vigil_box_score_speed_within (score), score->speed_n,
          vigil_box_score_speed_abs_error (score), vigil_box_score_class_accuracy (score));
  for (guint t = 0; t < VIGIL_N_VEHICLE_CLASSES; t++)
    {
      printf ("%s%s:", t > 0 ? ";" : "", vigil_vehicle_class_get_name (t));
      for (guint d = 0; d < VIGIL_N_VEHICLE_CLASSES; d++)
        printf ("%s%" G_GUINT64_FORMAT, d > 0 ? "," : "", score->classes[t][d]);
    }
  printf ("\n");
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static int
evaluate_generated (const char                *dir,
                    const VigilDetectorParams *params)
{
  g_autoptr(GDir) listing = NULL;
  g_autoptr(GPtrArray) cameras = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *name;

  listing = g_dir_open (dir, 0, &error);
  if (listing == NULL)
    return _vigil_cli_fail (error);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *truth = g_build_filename (dir, name, "ground-truth.csv", NULL);

      if (g_file_test (truth, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (cameras, g_strdup (name));
    }
  if (cameras->len == 0)
    {
      g_set_error (&error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   "%s: no camera folder with a ground-truth.csv", dir);
      return _vigil_cli_fail (error);
    }
  g_ptr_array_sort (cameras, compare_names);
  for (guint i = 0; i < cameras->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (cameras, i), NULL);
      VigilBoxScore score;

      if (!vigil_eval_generated (path, params, &score, &error))
        return _vigil_cli_fail (error);
      print_generated (g_ptr_array_index (cameras, i), &score);
    }
  return 0;
}

int
_vigil_cli_evaluate (int    argc,
                     char **argv)
{
  g_autofree char *cdnet = NULL;
  g_autofree char *coco = NULL;
  g_autofree char *frames = NULL;
  g_autofree char *mask = NULL;
  g_autofree char *generated = NULL;
  g_autofree char *label = NULL;
  int scale = 1;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  VigilDetectorParams params;
  const GOptionEntry entries[] = {
    { "cdnet", 0, 0, G_OPTION_ARG_FILENAME, &cdnet,
      "A CDnet 2014 sequence folder (input/, groundtruth/, temporalROI.txt)", "DIR" },
    { "coco", 0, 0, G_OPTION_ARG_FILENAME, &coco, "COCO ground truth of --frames", "GT.json" },
    { "frames", 0, 0, G_OPTION_ARG_FILENAME, &frames, "The folder of the COCO images", "DIR" },
    { "mask", 0, 0, G_OPTION_ARG_FILENAME, &mask,
      "Road mask of the COCO frames (labelme JSON or PNG)", "FILE" },
    { "generated", 0, 0, G_OPTION_ARG_FILENAME, &generated,
      "Cameras written by “vigil-cli generate traffic”", "DIR" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &label,
      "The sequence's name on the output line (default: the folder's name)", "NAME" },
    { "scale", 0, 0, G_OPTION_ARG_INT, &scale,
      "Analysis resolution: average SCALE x SCALE pixels (default 1)", "SCALE" },
    { NULL }
  };
  int sources;

  context = g_option_context_new ("traffic — score the vehicle detector on ground truth");
  g_option_context_set_summary (context,
    "Prints one line per sequence: the CDnet per-pixel precision, recall and F-measure, or the\n"
    "box precision, recall (IoU >= 0.3) and mean absolute count error per frame inside the\n"
    "road. Generated cameras go through the camera's whole pipeline with the calibration of\n"
    "their camera.json, and their lines add the tracked speeds against the true ones (mean\n"
    "relative error and the share within 10 % for vehicles at 10 km/h or more, mean absolute\n"
    "error in km/h for all) and the vehicle classes by size (accuracy, and the confusion\n"
    "counts per true class: detected motorcycle,car,bus,truck).");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return _vigil_cli_usage ("evaluate", error->message);
  if (argc != 2 || strcmp (argv[1], "traffic") != 0)
    return _vigil_cli_usage ("evaluate", "expected “evaluate traffic”");
  sources = (cdnet != NULL) + (coco != NULL) + (generated != NULL);
  if (sources != 1)
    return _vigil_cli_usage ("evaluate", "give one of --cdnet, --coco or --generated");
  if (coco != NULL && frames == NULL)
    return _vigil_cli_usage ("evaluate", "--coco needs --frames");
  if ((frames != NULL || mask != NULL) && coco == NULL)
    return _vigil_cli_usage ("evaluate", "--frames and --mask go with --coco");
  if (scale < 1 || scale > 16)
    return _vigil_cli_usage ("evaluate", "--scale must be 1 to 16");

  vigil_detector_params_init (&params);
  params.analysis_scale = (guint) scale;

  if (cdnet != NULL)
    {
      VigilPixelScore score;
      g_autofree char *name = label != NULL ? g_strdup (label) : g_path_get_basename (cdnet);

      if (!vigil_eval_cdnet (cdnet, &params, &score, &error))
        return _vigil_cli_fail (error);
      printf ("cdnet %s frames=%u precision=%.4f recall=%.4f f=%.4f\n", name, score.frames,
              vigil_pixel_score_precision (&score), vigil_pixel_score_recall (&score),
              vigil_pixel_score_f (&score));
      return 0;
    }
  if (coco != NULL)
    {
      VigilBoxScore score;
      g_autofree char *name = label != NULL ? g_strdup (label) : g_path_get_basename (frames);

      if (!vigil_eval_coco (coco, frames, mask, &params, &score, &error))
        return _vigil_cli_fail (error);
      print_boxes ("coco", name, &score);
      printf ("\n");
      return 0;
    }
  return evaluate_generated (generated, &params);
}
