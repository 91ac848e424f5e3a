/* vision-vigil.c
 *
 * The Vigil side of bench/vision. Two commands:
 *
 *   vision-vigil prepare CDNET-DIR FRAMES WIDTH HEIGHT OUT.raw
 *       decodes the first FRAMES frames of a CDnet sequence to grey (vigil_image_load), scales
 *       them bilinearly to WIDTH x HEIGHT and writes them one after the other, row by row,
 *       without padding: the exact bytes both detectors are timed on.
 *   vision-vigil run IN.raw WIDTH HEIGHT ROUNDS
 *       loads the frames into memory, then per round feeds them all to a new VigilDetector
 *       (default parameters) and prints "round R frames_per_s X detections D" (decode and
 *       loading are outside the clock).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil-detector.h"
#include "vigil-image.h"

static int
usage (void)
{
  fprintf (stderr,
           "usage: vision-vigil prepare CDNET-DIR FRAMES WIDTH HEIGHT OUT.raw\n"
           "       vision-vigil run IN.raw WIDTH HEIGHT ROUNDS\n");
  return 2;
}

static void
scale_bilinear (const VigilFrame *in,
                guint8           *out,
                guint             width,
                guint             height)
{
  for (guint y = 0; y < height; y++)
    {
      double fy = MAX ((y + 0.5) * in->height / height - 0.5, 0.0);
      guint y0 = MIN ((guint) fy, in->height - 1), y1 = MIN (y0 + 1, in->height - 1);
      double wy = fy - y0;

      for (guint x = 0; x < width; x++)
        {
          double fx = MAX ((x + 0.5) * in->width / width - 0.5, 0.0);
          guint x0 = MIN ((guint) fx, in->width - 1), x1 = MIN (x0 + 1, in->width - 1);
          double wx = fx - x0;
          const guint8 *r0 = in->data + (gsize) y0 * in->stride;
          const guint8 *r1 = in->data + (gsize) y1 * in->stride;
          double v = (1 - wy) * ((1 - wx) * r0[x0] + wx * r0[x1]) +
                     wy * ((1 - wx) * r1[x0] + wx * r1[x1]);

          out[(gsize) y * width + x] = (guint8) (v + 0.5);
        }
    }
}

static int
prepare (const char *dir,
         guint       frames,
         guint       width,
         guint       height,
         const char *out_path)
{
  g_autofree guint8 *row = g_malloc ((gsize) width * height);
  FILE *out = fopen (out_path, "wb");

  if (out == NULL)
    {
      perror (out_path);
      return 1;
    }
  for (guint n = 1; n <= frames; n++)
    {
      g_autofree char *name = g_strdup_printf ("in%06u.jpg", n);
      g_autofree char *path = g_build_filename (dir, "input", name, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(VigilFrame) frame = vigil_image_load (path, VIGIL_FRAME_GRAY8, &error);

      if (frame == NULL)
        {
          fprintf (stderr, "vision-vigil: %s\n", error->message);
          fclose (out);
          return 1;
        }
      scale_bilinear (frame, row, width, height);
      if (fwrite (row, 1, (gsize) width * height, out) != (gsize) width * height)
        {
          perror (out_path);
          fclose (out);
          return 1;
        }
    }
  return fclose (out) == 0 ? 0 : 1;
}

static int
run (const char *in_path,
     guint       width,
     guint       height,
     guint       rounds)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) vigil_frame_unref);
  gsize length, size = (gsize) width * height;

  if (!g_file_get_contents (in_path, &contents, &length, &error))
    {
      fprintf (stderr, "vision-vigil: %s\n", error->message);
      return 1;
    }
  if (length == 0 || length % size != 0)
    {
      fprintf (stderr, "vision-vigil: %s is not a whole number of %ux%u frames\n", in_path,
               width, height);
      return 1;
    }
  for (gsize off = 0; off < length; off += size)
    {
      VigilFrame *frame = vigil_frame_new (VIGIL_FRAME_GRAY8, width, height);

      for (guint y = 0; y < height; y++)
        memcpy (frame->data + (gsize) y * frame->stride, contents + off + (gsize) y * width,
                width);
      frame->index = frames->len;
      g_ptr_array_add (frames, frame);
    }

  for (guint r = 0; r < rounds; r++)
    {
      g_autoptr(VigilDetector) detector = vigil_detector_new (NULL, NULL);
      guint64 detections = 0;
      gint64 start = g_get_monotonic_time ();
      double seconds;

      for (guint i = 0; i < frames->len; i++)
        {
          g_autoptr(GArray) found =
            vigil_detector_process (detector, g_ptr_array_index (frames, i), NULL, NULL);

          detections += found->len;
        }
      seconds = (g_get_monotonic_time () - start) / 1e6;
      printf ("round %u frames_per_s %.1f detections %" G_GUINT64_FORMAT "\n", r + 1,
              frames->len / seconds, detections);
      fflush (stdout);
    }
  return 0;
}

int
main (int    argc,
      char **argv)
{
  if (argc == 7 && strcmp (argv[1], "prepare") == 0)
    return prepare (argv[2], (guint) atoi (argv[3]), (guint) atoi (argv[4]),
                    (guint) atoi (argv[5]), argv[6]);
  if (argc == 6 && strcmp (argv[1], "run") == 0)
    return run (argv[2], (guint) atoi (argv[3]), (guint) atoi (argv[4]), (guint) atoi (argv[5]));
  return usage ();
}
