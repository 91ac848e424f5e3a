/* vigil-traffic-eval.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-traffic-eval"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "vigil-camera.h"
#include "vigil-error.h"
#include "vigil-image.h"
#include "vigil-road-mask.h"
#include "vigil-tracker.h"
#include "vigil-traffic-eval.h"
#include "vigil-traffic-generator.h"

void
vigil_pixel_score_add (VigilPixelScore *score,
                       VigilFrame      *foreground,
                       VigilFrame      *truth,
                       VigilFrame      *roi)
{
  g_return_if_fail (score != NULL && foreground != NULL && truth != NULL);
  g_return_if_fail (foreground->width == truth->width && foreground->height == truth->height);
  g_return_if_fail (roi == NULL || (roi->width == truth->width && roi->height == truth->height));

  for (guint y = 0; y < truth->height; y++)
    {
      const guint8 *fg = foreground->data + (gsize) y * foreground->stride;
      const guint8 *gt = truth->data + (gsize) y * truth->stride;
      const guint8 *in = roi != NULL ? roi->data + (gsize) y * roi->stride : NULL;

      for (guint x = 0; x < truth->width; x++)
        {
          gboolean detected = fg[x] != 0;

          if (in != NULL && in[x] == 0)
            continue;
          if (gt[x] == 255)
            {
              score->tp += detected;
              score->fn += !detected;
            }
          else if (gt[x] == 0 || gt[x] == 50)
            {
              score->fp += detected;
              score->tn += !detected;
            }
        }
    }
  score->frames++;
}

static double
ratio (guint64 num,
       guint64 den)
{
  return den == 0 ? NAN : (double) num / (double) den;
}

double
vigil_pixel_score_precision (const VigilPixelScore *score)
{
  return ratio (score->tp, score->tp + score->fp);
}

double
vigil_pixel_score_recall (const VigilPixelScore *score)
{
  return ratio (score->tp, score->tp + score->fn);
}

double
vigil_pixel_score_f (const VigilPixelScore *score)
{
  double p = vigil_pixel_score_precision (score), r = vigil_pixel_score_recall (score);

  return p + r > 0.0 ? 2.0 * p * r / (p + r) : NAN;
}

double
vigil_box_iou (const VigilDetection *a,
               const VigilDetection *b)
{
  double ix = MIN (a->x + a->w, b->x + b->w) - MAX (a->x, b->x);
  double iy = MIN (a->y + a->h, b->y + b->h) - MAX (a->y, b->y);
  double inter, uni;

  if (ix <= 0.0 || iy <= 0.0)
    return 0.0;
  inter = ix * iy;
  uni = a->w * a->h + b->w * b->h - inter;
  return uni > 0.0 ? inter / uni : 0.0;
}

static gboolean
on_road (const VigilDetection *box,
         VigilFrame           *road)
{
  double cx = box->x + box->w / 2.0, by = box->y + box->h;
  gint64 x, y;

  if (road == NULL)
    return TRUE;
  /* The bottom-centre point, as the pixel that contains it (the bottom edge itself belongs to
   * the box's last row). */
  x = (gint64) floor (cx);
  y = (gint64) ceil (by) - 1;
  if (x < 0 || y < 0 || x >= road->width || y >= road->height)
    return FALSE;
  return road->data[(gsize) y * road->stride + (gsize) x] != 0;
}

typedef struct
{
  double iou;
  guint  det;
  guint  truth;
} Pair;

static int
compare_pairs (const void *a,
               const void *b)
{
  const Pair *p = a, *q = b;

  if (p->iou != q->iou)
    return p->iou > q->iou ? -1 : 1;
  if (p->det != q->det)
    return p->det < q->det ? -1 : 1;
  return (p->truth > q->truth) - (p->truth < q->truth);
}

static void
score_pair (VigilBoxScore        *score,
            const VigilDetection *detection,
            const VigilDetection *truth)
{
  if ((guint) truth->klass < VIGIL_N_VEHICLE_CLASSES &&
      (guint) detection->klass < VIGIL_N_VEHICLE_CLASSES)
    score->classes[truth->klass][detection->klass]++;
  if (!isfinite (detection->speed_kmh) || !isfinite (truth->speed_kmh))
    return;
  score->speed_abs_n++;
  score->speed_abs_sum += fabs (detection->speed_kmh - truth->speed_kmh);
  if (truth->speed_kmh >= VIGIL_EVAL_MIN_SPEED_KMH)
    {
      double error = fabs (detection->speed_kmh - truth->speed_kmh) / truth->speed_kmh;

      score->speed_n++;
      score->speed_error_sum += error;
      score->speed_within += error <= VIGIL_EVAL_SPEED_TOLERANCE;
    }
}

void
vigil_box_score_add (VigilBoxScore        *score,
                     const VigilDetection *detections,
                     guint                 n_detections,
                     const VigilDetection *truth,
                     guint                 n_truth,
                     VigilFrame           *road,
                     double                min_iou)
{
  g_autofree gboolean *det_in = g_new0 (gboolean, n_detections + 1);
  g_autofree gboolean *truth_in = g_new0 (gboolean, n_truth + 1);
  g_autofree gboolean *det_used = g_new0 (gboolean, n_detections + 1);
  g_autofree gboolean *truth_used = g_new0 (gboolean, n_truth + 1);
  g_autoptr(GArray) pairs = g_array_new (FALSE, FALSE, sizeof (Pair));
  guint det_count = 0, truth_count = 0;

  g_return_if_fail (score != NULL);

  for (guint i = 0; i < n_detections; i++)
    det_count += det_in[i] = on_road (&detections[i], road);
  for (guint j = 0; j < n_truth; j++)
    truth_count += truth_in[j] = on_road (&truth[j], road);

  for (guint i = 0; i < n_detections; i++)
    for (guint j = 0; j < n_truth; j++)
      {
        Pair pair = { vigil_box_iou (&detections[i], &truth[j]), i, j };

        if (truth_in[j] && pair.iou >= min_iou)
          g_array_append_val (pairs, pair);
      }
  g_array_sort (pairs, compare_pairs);
  for (guint k = 0; k < pairs->len; k++)
    {
      const Pair *p = &g_array_index (pairs, Pair, k);

      if (det_used[p->det] || truth_used[p->truth])
        continue;
      det_used[p->det] = truth_used[p->truth] = TRUE;
      score->tp++;
      score_pair (score, &detections[p->det], &truth[p->truth]);
    }

  for (guint j = 0; j < n_truth; j++)
    score->fn += truth_in[j] && !truth_used[j];
  for (guint i = 0; i < n_detections; i++)
    {
      gboolean ignored = FALSE;

      if (det_used[i] || !det_in[i])
        continue;
      for (guint j = 0; j < n_truth && !ignored; j++)
        ignored = !truth_in[j] && vigil_box_iou (&detections[i], &truth[j]) >= min_iou;
      score->fp += !ignored;
    }
  score->count_error_sum += fabs ((double) det_count - (double) truth_count);
  score->frames++;
}

double
vigil_box_score_precision (const VigilBoxScore *score)
{
  return ratio (score->tp, score->tp + score->fp);
}

double
vigil_box_score_recall (const VigilBoxScore *score)
{
  return ratio (score->tp, score->tp + score->fn);
}

double
vigil_box_score_count_error (const VigilBoxScore *score)
{
  return score->frames == 0 ? NAN : score->count_error_sum / score->frames;
}

double
vigil_box_score_speed_error (const VigilBoxScore *score)
{
  return score->speed_n == 0 ? NAN : score->speed_error_sum / score->speed_n;
}

double
vigil_box_score_speed_within (const VigilBoxScore *score)
{
  return ratio (score->speed_within, score->speed_n);
}

double
vigil_box_score_speed_abs_error (const VigilBoxScore *score)
{
  return score->speed_abs_n == 0 ? NAN : score->speed_abs_sum / score->speed_abs_n;
}

double
vigil_box_score_class_accuracy (const VigilBoxScore *score)
{
  guint64 right = 0, all = 0;

  for (guint t = 0; t < VIGIL_N_VEHICLE_CLASSES; t++)
    for (guint d = 0; d < VIGIL_N_VEHICLE_CLASSES; d++)
      {
        all += score->classes[t][d];
        right += t == d ? score->classes[t][d] : 0;
      }
  return ratio (right, all);
}

/* CDnet ---------------------------------------------------------------------------------- */

static gboolean
read_temporal_roi (const char  *dir,
                   guint       *first,
                   guint       *last,
                   GError     **error)
{
  g_autofree char *path = g_build_filename (dir, "temporalROI.txt", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) read_error = NULL;

  if (!g_file_get_contents (path, &text, NULL, &read_error))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                   "%s: %s", path, read_error->message);
      return FALSE;
    }
  if (sscanf (text, "%u %u", first, last) != 2 || *first < 1 || *last < *first)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "%s: expected two frame numbers “FIRST LAST”", path);
      return FALSE;
    }
  return TRUE;
}

gboolean
vigil_eval_cdnet (const char                 *dir,
                  const VigilDetectorParams  *params,
                  VigilPixelScore            *score,
                  GError                    **error)
{
  g_autoptr(VigilDetector) detector = NULL;
  g_autoptr(VigilFrame) roi = NULL;
  g_autofree char *roi_path = NULL;
  guint first, last;

  g_return_val_if_fail (dir != NULL && score != NULL, FALSE);

  memset (score, 0, sizeof *score);
  if (!read_temporal_roi (dir, &first, &last, error))
    return FALSE;
  detector = vigil_detector_new (params, error);
  if (detector == NULL)
    return FALSE;
  roi_path = g_build_filename (dir, "ROI.bmp", NULL);
  if (g_file_test (roi_path, G_FILE_TEST_EXISTS))
    {
      roi = vigil_image_load (roi_path, VIGIL_FRAME_GRAY8, error);
      if (roi == NULL)
        return FALSE;
    }

  for (guint n = 1; n <= last; n++)
    {
      g_autofree char *name = g_strdup_printf ("in%06u.jpg", n);
      g_autofree char *path = g_build_filename (dir, "input", name, NULL);
      g_autoptr(VigilFrame) frame = vigil_image_load (path, VIGIL_FRAME_GRAY8, error);
      g_autoptr(GArray) found = NULL;

      if (frame == NULL)
        return FALSE;
      found = vigil_detector_process (detector, frame, NULL, error);
      if (found == NULL)
        return FALSE;
      if (n >= first)
        {
          g_autofree char *gt_name = g_strdup_printf ("gt%06u.png", n);
          g_autofree char *gt_path = g_build_filename (dir, "groundtruth", gt_name, NULL);
          g_autoptr(VigilFrame) truth = vigil_image_load (gt_path, VIGIL_FRAME_GRAY8, error);
          g_autoptr(VigilFrame) fg = NULL;

          if (truth == NULL)
            return FALSE;
          if (truth->width != frame->width || truth->height != frame->height ||
              (roi != NULL && (roi->width != frame->width || roi->height != frame->height)))
            {
              g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                           "%s: the ground truth or the ROI is not the size of the frame "
                           "(%ux%u)", gt_path, frame->width, frame->height);
              return FALSE;
            }
          fg = vigil_detector_get_foreground (detector);
          vigil_pixel_score_add (score, fg, truth, roi);
        }
    }
  return TRUE;
}

/* Boxes on frames ------------------------------------------------------------------------ */

typedef struct
{
  guint64  number;     /* the number in the file's name: the frame's order */
  char    *path;
  GArray  *truth;      /* VigilDetection */
} EvalFrame;

static void
eval_frame_clear (gpointer data)
{
  EvalFrame *frame = data;

  g_free (frame->path);
  g_array_unref (frame->truth);
}

static guint64
number_in_name (const char *name)
{
  const char *base = strrchr (name, '/');
  const char *p = base != NULL ? base + 1 : name;

  while (*p != '\0' && !g_ascii_isdigit (*p))
    p++;
  return g_ascii_strtoull (p, NULL, 10);
}

static int
compare_frames (gconstpointer a,
                gconstpointer b)
{
  const EvalFrame *p = a, *q = b;

  if (p->number != q->number)
    return p->number < q->number ? -1 : 1;
  return strcmp (p->path, q->path);
}

static gboolean
score_frames (GArray                    *frames,
              VigilFrame                *road,
              const VigilDetectorParams *params,
              VigilBoxScore             *score,
              GError                   **error)
{
  g_autoptr(VigilDetector) detector = vigil_detector_new (params, error);
  VigilDetectorParams defaults;

  if (detector == NULL)
    return FALSE;
  if (params == NULL)
    {
      vigil_detector_params_init (&defaults);
      params = &defaults;
    }
  g_array_sort (frames, compare_frames);
  for (guint i = 0; i < frames->len; i++)
    {
      EvalFrame *f = &g_array_index (frames, EvalFrame, i);
      g_autoptr(VigilFrame) frame = vigil_image_load (f->path, VIGIL_FRAME_GRAY8, error);
      g_autoptr(GArray) found = NULL;

      if (frame == NULL)
        return FALSE;
      if (road != NULL && (road->width != frame->width || road->height != frame->height))
        {
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                       "%s: %ux%u, not the size of the first frame (%ux%u)", f->path,
                       frame->width, frame->height, road->width, road->height);
          return FALSE;
        }
      found = vigil_detector_process (detector, frame, road, error);
      if (found == NULL)
        return FALSE;
      if (i >= params->learning_frames)
        vigil_box_score_add (score, (VigilDetection *) found->data, found->len,
                             (VigilDetection *) f->truth->data, f->truth->len, road,
                             VIGIL_EVAL_MIN_IOU);
    }
  return TRUE;
}

static VigilFrame *
load_road (const char  *mask_path,
           const char  *camera_id,
           const char  *first_frame,
           GError     **error)
{
  g_autoptr(VigilFrame) frame = NULL;

  if (mask_path == NULL || first_frame == NULL)
    return NULL;
  frame = vigil_image_load (first_frame, VIGIL_FRAME_GRAY8, error);
  if (frame == NULL)
    return NULL;
  return vigil_road_mask_load (mask_path, camera_id, frame->width, frame->height, 0, 0, error);
}

static gboolean
read_coco (const char  *gt_json,
           const char  *frames_dir,
           GArray      *frames,
           GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) json_error = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  JsonObject *root;
  JsonArray *images, *annotations;

  if (!json_parser_load_from_file (parser, gt_json, &json_error))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE, "%s: %s", gt_json,
                   json_error->message);
      return FALSE;
    }
  root = JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
         ? json_node_get_object (json_parser_get_root (parser)) : NULL;
  if (root == NULL || !json_object_has_member (root, "images") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "images")) ||
      !json_object_has_member (root, "annotations") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "annotations")))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "%s: not COCO: no \"images\" and \"annotations\" arrays", gt_json);
      return FALSE;
    }

  images = json_object_get_array_member (root, "images");
  g_array_set_size (ids, json_array_get_length (images));
  for (guint i = 0; i < json_array_get_length (images); i++)
    {
      JsonNode *node = json_array_get_element (images, i);
      JsonObject *image = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *name = image != NULL
        ? json_object_get_string_member_with_default (image, "file_name", NULL) : NULL;
      EvalFrame frame;

      if (name == NULL || !json_object_has_member (image, "id"))
        {
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                       "%s: image %u has no \"id\" or \"file_name\"", gt_json, i + 1);
          return FALSE;
        }
      g_array_index (ids, gint64, i) = json_object_get_int_member (image, "id");
      frame.number = number_in_name (name);
      frame.path = g_build_filename (frames_dir, name, NULL);
      frame.truth = g_array_new (FALSE, FALSE, sizeof (VigilDetection));
      g_array_append_val (frames, frame);
    }
  /* Pointers into @frames are only taken once it has stopped growing. */
  for (guint i = 0; i < frames->len; i++)
    g_hash_table_insert (by_id, &g_array_index (ids, gint64, i),
                         &g_array_index (frames, EvalFrame, i));

  annotations = json_object_get_array_member (root, "annotations");
  for (guint i = 0; i < json_array_get_length (annotations); i++)
    {
      JsonNode *node = json_array_get_element (annotations, i);
      JsonObject *a = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonArray *bbox = a != NULL && json_object_has_member (a, "bbox") &&
                        JSON_NODE_HOLDS_ARRAY (json_object_get_member (a, "bbox"))
                        ? json_object_get_array_member (a, "bbox") : NULL;
      gint64 image_id;
      EvalFrame *frame;
      VigilDetection box = { -1, VIGIL_VEHICLE_CAR, 0, 0, 0, 0, 0, NAN };
      double v[4];

      if (bbox == NULL || json_array_get_length (bbox) != 4 ||
          !json_object_has_member (a, "image_id"))
        goto bad;
      for (guint k = 0; k < 4; k++)
        {
          JsonNode *e = json_array_get_element (bbox, k);

          if (!JSON_NODE_HOLDS_VALUE (e) || (json_node_get_value_type (e) != G_TYPE_INT64 &&
                                             json_node_get_value_type (e) != G_TYPE_DOUBLE))
            goto bad;
          v[k] = json_node_get_double (e);
        }
      image_id = json_object_get_int_member (a, "image_id");
      frame = g_hash_table_lookup (by_id, &image_id);
      if (frame == NULL)
        {
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                       "%s: annotation %u names image %" G_GINT64_FORMAT ", which is not "
                       "among the images", gt_json, i + 1, image_id);
          return FALSE;
        }
      box.x = v[0], box.y = v[1], box.w = v[2], box.h = v[3];
      g_array_append_val (frame->truth, box);
      continue;
    bad:
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "%s: annotation %u has no \"image_id\" or no \"bbox\" of four numbers",
                   gt_json, i + 1);
      return FALSE;
    }
  return TRUE;
}

gboolean
vigil_eval_coco (const char                 *gt_json,
                 const char                 *frames_dir,
                 const char                 *mask_path,
                 const VigilDetectorParams  *params,
                 VigilBoxScore              *score,
                 GError                    **error)
{
  g_autoptr(GArray) frames = g_array_new (FALSE, FALSE, sizeof (EvalFrame));
  g_autoptr(VigilFrame) road = NULL;

  g_return_val_if_fail (gt_json != NULL && frames_dir != NULL && score != NULL, FALSE);

  memset (score, 0, sizeof *score);
  g_array_set_clear_func (frames, eval_frame_clear);
  if (!read_coco (gt_json, frames_dir, frames, error))
    return FALSE;
  if (frames->len == 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "%s: no images", gt_json);
      return FALSE;
    }
  g_array_sort (frames, compare_frames);
  if (mask_path != NULL)
    {
      road = load_road (mask_path, NULL, g_array_index (frames, EvalFrame, 0).path, error);
      if (road == NULL)
        return FALSE;
    }
  return score_frames (frames, road, params, score, error);
}

/* Generated cameras ---------------------------------------------------------------------- */

static gboolean
read_generated_truth (const char  *path,
                      GArray      *frames,
                      GError     **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) read_error = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, &read_error))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO, "%s: %s", path,
                   read_error->message);
      return FALSE;
    }
  lines = g_strsplit (text, "\n", -1);
  if (lines[0] == NULL ||
      !g_str_has_prefix (lines[0], "frame,timestamp,track_id,class,x,y,w,h,speed_kmh"))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "%s: line 1: expected the header "
                   "frame,timestamp,track_id,class,x,y,w,h,speed_kmh", path);
      return FALSE;
    }
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = NULL;
      VigilDetection box = { -1, VIGIL_VEHICLE_CAR, 0, 0, 0, 0, 0, NAN };
      guint64 index;
      char *end;

      g_strchomp (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      f = g_strsplit (lines[i], ",", -1);
      if (g_strv_length (f) != 9)
        goto bad;
      index = g_ascii_strtoull (f[0], &end, 10);
      if (*end != '\0' || index >= frames->len)
        goto bad;
      box.track_id = g_ascii_strtoll (f[2], NULL, 10);
      vigil_vehicle_class_from_name (f[3], &box.klass);
      box.x = g_ascii_strtod (f[4], NULL);
      box.y = g_ascii_strtod (f[5], NULL);
      box.w = g_ascii_strtod (f[6], NULL);
      box.h = g_ascii_strtod (f[7], NULL);
      box.speed_kmh = f[8][0] != '\0' ? g_ascii_strtod (f[8], NULL) : NAN;
      g_array_append_val (g_array_index (frames, EvalFrame, index).truth, box);
      continue;
    bad:
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "%s: line %u: expected 9 fields with a frame index below %u", path, i + 1,
                   frames->len);
      return FALSE;
    }
  return TRUE;
}

/* The frame rate and the calibration of a generated camera. */
static gboolean
read_camera_json (const char        *path,
                  double            *fps,
                  VigilCalibration  *calibration,
                  GError           **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) json_error = NULL;
  JsonNode *root;
  JsonObject *object;
  double ppm;

  if (!json_parser_load_from_file (parser, path, &json_error))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE, "%s: %s", path,
                   json_error->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  object = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  *fps = object != NULL ? json_object_get_double_member_with_default (object, "fps", 0) : 0;
  ppm = object != NULL
        ? json_object_get_double_member_with_default (object, "pixels_per_metre", 0) : 0;
  if (!(*fps > 0 && *fps <= 1000) || !(ppm > 0 && isfinite (ppm)))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "%s: expected an object with a positive \"fps\" and "
                   "\"pixels_per_metre\"", path);
      return FALSE;
    }
  vigil_calibration_init_scale (calibration, ppm);
  return TRUE;
}

gboolean
vigil_eval_generated (const char                 *camera_dir,
                      const VigilDetectorParams  *params,
                      VigilBoxScore              *score,
                      GError                    **error)
{
  g_autofree char *frames_dir = g_build_filename (camera_dir, VIGIL_TRAFFIC_FRAMES_DIR, NULL);
  g_autofree char *mask_path = g_build_filename (camera_dir, VIGIL_TRAFFIC_MASK_FILE, NULL);
  g_autofree char *truth_path = g_build_filename (camera_dir, VIGIL_TRAFFIC_GROUND_TRUTH,
                                                  NULL);
  g_autofree char *camera_id = g_path_get_basename (camera_dir);
  g_autoptr(GArray) frames = g_array_new (FALSE, FALSE, sizeof (EvalFrame));
  g_autofree char *camera_json = g_build_filename (camera_dir, VIGIL_TRAFFIC_CAMERA_FILE, NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(VigilFrame) road = NULL;
  g_autoptr(VigilCamera) camera = NULL;
  VigilDetectorParams defaults;
  VigilCalibration calibration;
  double fps;
  const char *name;

  g_return_val_if_fail (camera_dir != NULL && score != NULL, FALSE);

  memset (score, 0, sizeof *score);
  if (params == NULL)
    {
      vigil_detector_params_init (&defaults);
      params = &defaults;
    }
  g_array_set_clear_func (frames, eval_frame_clear);
  dir = g_dir_open (frames_dir, 0, error);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      EvalFrame frame;

      if (!g_str_has_suffix (name, ".png") && !g_str_has_suffix (name, ".jpg"))
        continue;
      frame.number = number_in_name (name);
      frame.path = g_build_filename (frames_dir, name, NULL);
      frame.truth = g_array_new (FALSE, FALSE, sizeof (VigilDetection));
      g_array_append_val (frames, frame);
    }
  if (frames->len == 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                   "%s: no frames", frames_dir);
      return FALSE;
    }
  g_array_sort (frames, compare_frames);
  if (!read_generated_truth (truth_path, frames, error))
    return FALSE;
  if (!read_camera_json (camera_json, &fps, &calibration, error))
    return FALSE;
  road = load_road (mask_path, camera_id, g_array_index (frames, EvalFrame, 0).path, error);
  if (road == NULL)
    return FALSE;

  camera = vigil_camera_new (camera_id, NULL);
  vigil_camera_set_detector_params (camera, params);
  vigil_camera_set_calibration (camera, &calibration);
  if (!vigil_camera_set_mask_file (camera, mask_path, error))
    return FALSE;
  for (guint i = 0; i < frames->len; i++)
    {
      EvalFrame *f = &g_array_index (frames, EvalFrame, i);
      g_autoptr(VigilFrame) frame = vigil_image_load (f->path, VIGIL_FRAME_RGB24, error);
      g_autoptr(VigilStoreBatch) batch = vigil_store_batch_new (0);
      g_autoptr(GArray) found = NULL;

      if (frame == NULL)
        return FALSE;
      /* As a folder source stamps its frames (vigil_camera_set_fps). */
      frame->index = i;
      frame->time_us = (gint64) floor (i * (double) G_USEC_PER_SEC / fps);
      if (!vigil_camera_process_frame (camera, frame, frame->time_us, 0, 0, NULL, 0, batch,
                                       error))
        return FALSE;
      if (i < params->learning_frames)
        continue;
      found = g_array_sized_new (FALSE, FALSE, sizeof (VigilDetection), batch->detections->len);
      for (guint k = 0; k < batch->detections->len; k++)
        g_array_append_val (found, g_array_index (batch->detections, VigilStoreDetection,
                                                  k).detection);
      vigil_box_score_add (score, (VigilDetection *) (gpointer) found->data, found->len,
                           (VigilDetection *) (gpointer) f->truth->data, f->truth->len, road,
                           VIGIL_EVAL_MIN_IOU);
    }
  return TRUE;
}
