/* vigil-traffic.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-traffic"

#include "config.h"

#include <string.h>

#include "vigil-traffic.h"

/* Frames are allocated with the refcount in front of the public struct, so that the struct
 * stays plain. */
typedef struct
{
  VigilFrame      frame;
  gatomicrefcount ref_count;
} FrameBox;

static const char *const class_names[] = {
  [VIGIL_VEHICLE_MOTORCYCLE] = "motorcycle",
  [VIGIL_VEHICLE_CAR] = "car",
  [VIGIL_VEHICLE_BUS] = "bus",
  [VIGIL_VEHICLE_TRUCK] = "truck",
};

G_STATIC_ASSERT (G_N_ELEMENTS (class_names) == VIGIL_N_VEHICLE_CLASSES);

const char *
vigil_vehicle_class_get_name (VigilVehicleClass klass)
{
  if ((guint) klass >= VIGIL_N_VEHICLE_CLASSES)
    return NULL;
  return class_names[klass];
}

gboolean
vigil_vehicle_class_from_name (const char        *name,
                               VigilVehicleClass *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  for (guint i = 0; name != NULL && i < VIGIL_N_VEHICLE_CLASSES; i++)
    if (strcmp (name, class_names[i]) == 0)
      {
        *out = (VigilVehicleClass) i;
        return TRUE;
      }
  return FALSE;
}

const char *
vigil_traffic_status_get_name (VigilTrafficStatus status)
{
  switch (status)
    {
    case VIGIL_TRAFFIC_NORMAL:
      return "NORMAL";
    case VIGIL_TRAFFIC_CROWDED:
      return "CROWDED";
    case VIGIL_TRAFFIC_JAMMED:
      return "JAMMED";
    default:
      return NULL;
    }
}

VigilFrame *
vigil_frame_new (VigilFrameFormat format,
                 guint            width,
                 guint            height)
{
  FrameBox *box;
  guint bpp = format == VIGIL_FRAME_RGB24 ? 3 : 1;

  g_return_val_if_fail (format == VIGIL_FRAME_GRAY8 || format == VIGIL_FRAME_RGB24, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (width <= 16384 && height <= 16384, NULL);

  box = g_new0 (FrameBox, 1);
  g_atomic_ref_count_init (&box->ref_count);
  box->frame.format = format;
  box->frame.width = width;
  box->frame.height = height;
  /* Rows start on 16-byte boundaries for the detector's vector loops. */
  box->frame.stride = (width * bpp + 15) & ~15u;
  box->frame.data = g_malloc0 ((gsize) box->frame.stride * height);
  return &box->frame;
}

VigilFrame *
vigil_frame_ref (VigilFrame *frame)
{
  FrameBox *box = (FrameBox *) frame;

  g_return_val_if_fail (frame != NULL, NULL);

  g_atomic_ref_count_inc (&box->ref_count);
  return frame;
}

void
vigil_frame_unref (VigilFrame *frame)
{
  FrameBox *box = (FrameBox *) frame;

  g_return_if_fail (frame != NULL);

  if (g_atomic_ref_count_dec (&box->ref_count))
    {
      g_free (box->frame.data);
      g_free (box);
    }
}

VigilFrame *
vigil_frame_to_gray (VigilFrame *frame)
{
  VigilFrame *gray;

  g_return_val_if_fail (frame != NULL, NULL);

  if (frame->format == VIGIL_FRAME_GRAY8)
    return vigil_frame_ref (frame);

  gray = vigil_frame_new (VIGIL_FRAME_GRAY8, frame->width, frame->height);
  gray->time_us = frame->time_us;
  gray->index = frame->index;
  for (guint y = 0; y < frame->height; y++)
    {
      const guint8 *in = frame->data + (gsize) y * frame->stride;
      guint8 *out = gray->data + (gsize) y * gray->stride;

      /* BT.601 luma in 8.8 fixed point: 77 R + 150 G + 29 B (sums to 256). */
      for (guint x = 0; x < frame->width; x++)
        out[x] = (guint8) ((77 * in[3 * x] + 150 * in[3 * x + 1] + 29 * in[3 * x + 2] + 128)
                           >> 8);
    }
  return gray;
}
