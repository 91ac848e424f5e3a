/* vigil-detector.c
 *
 * The background model is Manzanera's sigma-delta estimate on grey levels: the background B
 * steps one level towards each frame (so it tracks the temporal median) and the spread V steps
 * towards N |I - B|; a pixel is foreground when |I - B| > max (V, threshold). Both update only
 * where the cleaned foreground is clear (selective update), and under foreground once every
 * foreground_period frames, so that a queue of stopped vehicles is not learned as road for
 * minutes; a blob that is road the model had learned as a vehicle (a ghost: its outline
 * contrasts in the model, not in the frame, and it does not move) is learned at once instead.
 * The model's passes and the morphology run on 16-byte vectors (GCC/Clang vector
 * extensions: SSE2 on x86-64, NEON on ARM) over rows padded to 16 bytes; shadow removal only
 * looks at foreground pixels, skipping background eight at a time. Blobs are found on runs:
 * holes in the cleaned foreground are background runs that do not reach the border
 * (4-connected), and the vehicles are the 8-connected components of the filled foreground inside
 * the road.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-detector"

#include "config.h"

#include <math.h>
#include <string.h>

#include "vigil-detector.h"
#include "vigil-error.h"

typedef guint8 v16u __attribute__ ((vector_size (16)));

/* Binary rows have a 16-byte margin on each side so the 3-wide passes can read x - 1 and
 * x + 16 without a special case. */
#define MARGIN 16

typedef struct
{
  guint   y;
  guint   x0;          /* first pixel */
  guint   x1;          /* one past the last */
  guint   parent;      /* union-find */
} Run;

typedef struct
{
  guint   area;
  guint   min_x, max_x, min_y, max_y;
  double  sx, sy, sxx, syy, sxy;
  gboolean ghost;
} Blob;

struct _VigilDetector
{
  VigilDetectorParams params;

  guint    src_width;
  guint    src_height;
  guint    width;      /* analysis size */
  guint    height;
  guint    stride;     /* of every analysis buffer: width rounded up to 16, plus margins */
  guint64  frames;     /* since the last reset */

  guint8  *gray;       /* the analysed frame */
  guint8  *background;
  guint8  *spread;
  guint8  *fg;         /* binary buffers, 0 or 255 */
  guint8  *tmp;
  guint8  *previous;   /* the frame before @gray */
  guint8  *road;       /* the mask at analysis size; NULL = whole frame */
  guint    road_pixels;
  VigilFrame *road_source;  /* the mask frame @road was made from */

  GArray  *runs;       /* Run */
  GArray  *row_start;  /* guint: first run of each row, plus one past the end */
  GArray  *blobs;      /* Blob */
};

void
vigil_detector_params_init (VigilDetectorParams *params)
{
  g_return_if_fail (params != NULL);

  *params = (VigilDetectorParams) {
    .analysis_scale = 1,
    .threshold = 17,
    .variance_factor = 3,
    .foreground_period = 64,
    .learning_frames = 32,
    .shadow_low = 0.5,
    .shadow_high = 0.95,
    .shadow_tolerance = 0.02,
    .min_area = 64,
    .max_area_fraction = 0.25,
    .max_aspect = 5.0,
    .min_fill = 0.25,
    .max_elongation = 25.0,
  };
}

static gboolean
check_params (const VigilDetectorParams  *p,
              GError                    **error)
{
  const char *bad = NULL;

  if (p->analysis_scale < 1 || p->analysis_scale > 16)
    bad = "analysis_scale must be 1 to 16";
  else if (p->threshold < 1 || p->threshold > 254)
    bad = "threshold must be 1 to 254 grey levels";
  else if (p->variance_factor > 16)
    bad = "variance_factor must be 0 to 16";
  else if (p->foreground_period < 1)
    bad = "foreground_period must be at least 1 frame";
  else if (p->shadow_high != 0.0 &&
           !(p->shadow_low >= 0.0 && p->shadow_low < p->shadow_high && p->shadow_high < 1.0))
    bad = "the shadow band must satisfy 0 <= shadow_low < shadow_high < 1";
  else if (!(p->shadow_tolerance >= 0.0 && p->shadow_tolerance < 1.0))
    bad = "shadow_tolerance must be in [0, 1)";
  else if (!(p->max_area_fraction > 0.0 && p->max_area_fraction <= 1.0))
    bad = "max_area_fraction must be in (0, 1]";
  else if (!(p->max_aspect >= 1.0))
    bad = "max_aspect must be at least 1";
  else if (!(p->min_fill >= 0.0 && p->min_fill <= 1.0))
    bad = "min_fill must be in [0, 1]";
  else if (!(p->max_elongation >= 1.0))
    bad = "max_elongation must be at least 1";

  if (bad != NULL)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Detector parameters: %s", bad);
      return FALSE;
    }
  return TRUE;
}

VigilDetector *
vigil_detector_new (const VigilDetectorParams  *params,
                    GError                    **error)
{
  VigilDetector *self;
  VigilDetectorParams defaults;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (params == NULL)
    {
      vigil_detector_params_init (&defaults);
      params = &defaults;
    }
  if (!check_params (params, error))
    return NULL;

  self = g_new0 (VigilDetector, 1);
  self->params = *params;
  self->runs = g_array_new (FALSE, FALSE, sizeof (Run));
  self->row_start = g_array_new (FALSE, FALSE, sizeof (guint));
  self->blobs = g_array_new (FALSE, FALSE, sizeof (Blob));
  return self;
}

static void
free_buffers (VigilDetector *self)
{
  g_clear_pointer (&self->gray, g_free);
  g_clear_pointer (&self->background, g_free);
  g_clear_pointer (&self->spread, g_free);
  g_clear_pointer (&self->fg, g_free);
  g_clear_pointer (&self->tmp, g_free);
  g_clear_pointer (&self->previous, g_free);
  g_clear_pointer (&self->road, g_free);
  g_clear_pointer (&self->road_source, vigil_frame_unref);
  self->src_width = self->src_height = 0;
}

void
vigil_detector_free (VigilDetector *self)
{
  if (self == NULL)
    return;
  free_buffers (self);
  g_array_unref (self->runs);
  g_array_unref (self->row_start);
  g_array_unref (self->blobs);
  g_free (self);
}

void
vigil_detector_reset (VigilDetector *self)
{
  g_return_if_fail (self != NULL);

  self->frames = 0;
}

static guint8 *
row_of (const VigilDetector *self,
        guint8              *buffer,
        guint                y)
{
  return buffer + (gsize) y * self->stride + MARGIN;
}

static void
allocate (VigilDetector *self,
          guint          src_width,
          guint          src_height)
{
  guint s = self->params.analysis_scale;
  gsize size;

  free_buffers (self);
  self->src_width = src_width;
  self->src_height = src_height;
  self->width = MAX (src_width / s, 1);
  self->height = MAX (src_height / s, 1);
  self->stride = ((self->width + 15) & ~15u) + 2 * MARGIN;
  size = (gsize) self->stride * self->height;
  self->gray = g_malloc0 (size);
  self->background = g_malloc0 (size);
  self->spread = g_malloc0 (size);
  self->fg = g_malloc0 (size);
  self->tmp = g_malloc0 (size);
  self->previous = g_malloc0 (size);
  self->road_pixels = self->width * self->height;
  self->frames = 0;
}

/* The frame's grey levels at analysis size: block means of scale x scale pixels. */
static void
load_gray (VigilDetector *self,
           VigilFrame    *frame)
{
  guint s = self->params.analysis_scale;
  guint area = s * s;

  for (guint y = 0; y < self->height; y++)
    {
      guint8 *out = row_of (self, self->gray, y);

      if (s == 1 && frame->format == VIGIL_FRAME_GRAY8)
        {
          memcpy (out, frame->data + (gsize) y * frame->stride, self->width);
          continue;
        }
      for (guint x = 0; x < self->width; x++)
        {
          guint sum = 0;

          for (guint dy = 0; dy < s; dy++)
            {
              const guint8 *in = frame->data + (gsize) (y * s + dy) * frame->stride;

              if (frame->format == VIGIL_FRAME_GRAY8)
                for (guint dx = 0; dx < s; dx++)
                  sum += in[x * s + dx];
              else
                for (guint dx = 0; dx < s; dx++)
                  {
                    const guint8 *p = in + 3 * (x * s + dx);

                    /* BT.601 luma as vigil_frame_to_gray() computes it. */
                    sum += (77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8;
                  }
            }
          out[x] = (guint8) ((sum + area / 2) / area);
        }
    }
}

static inline v16u
load16 (const guint8 *p)
{
  v16u v;

  memcpy (&v, p, sizeof v);
  return v;
}

static inline void
store16 (guint8 *p,
         v16u    v)
{
  memcpy (p, &v, sizeof v);
}

static inline v16u
absdiff (v16u a,
         v16u b)
{
  v16u gt = (v16u) (a > b);

  return ((a - b) & gt) | ((b - a) & ~gt);
}

static inline v16u
vmax (v16u a,
      v16u b)
{
  v16u m = (v16u) (a > b);

  return (a & m) | (b & ~m);
}

static inline v16u
vmin (v16u a,
      v16u b)
{
  v16u m = (v16u) (a < b);

  return (a & m) | (b & ~m);
}

static inline v16u
splat (guint8 value)
{
  v16u v;

  memset (&v, value, sizeof v);
  return v;
}

/* Raw foreground: |I - B| > max (V, threshold). */
static void
classify (VigilDetector *self)
{
  v16u threshold = splat ((guint8) self->params.threshold);
  gboolean spread = self->params.variance_factor > 0;
  guint padded = (self->width + 15) & ~15u;

  for (guint y = 0; y < self->height; y++)
    {
      const guint8 *in = row_of (self, self->gray, y);
      const guint8 *bg = row_of (self, self->background, y);
      const guint8 *sp = row_of (self, self->spread, y);
      guint8 *out = row_of (self, self->fg, y);

      for (guint x = 0; x < padded; x += 16)
        {
          v16u d = absdiff (load16 (in + x), load16 (bg + x));
          v16u t = spread ? vmax (load16 (sp + x), threshold) : threshold;

          store16 (out + x, (v16u) (d > t));
        }
    }
}

/* A foreground pixel darker than the background by a ratio in the shadow band, whose four
 * neighbours are darkened by nearly the same ratio (a shadow keeps the road's texture; a
 * vehicle's edges and panels do not), becomes background. Works on fixed point ratios
 * (x 1024). */
static void
remove_shadows (VigilDetector *self)
{
  guint low = (guint) (self->params.shadow_low * 1024.0);
  guint high = (guint) (self->params.shadow_high * 1024.0);
  guint tolerance = (guint) (self->params.shadow_tolerance * 1024.0);

  for (guint y = 1; y + 1 < self->height; y++)
    {
      const guint8 *in = row_of (self, self->gray, y);
      const guint8 *bg = row_of (self, self->background, y);
      guint8 *out = row_of (self, self->fg, y);

      for (guint x = 1; x + 1 < self->width; x++)
        {
          static const int dx[4] = { -1, 1, 0, 0 };
          static const int dy[4] = { 0, 0, -1, 1 };
          guint ratio;
          gboolean shadow = TRUE;
          guint64 word;

          /* Most of a frame is background: skip it eight pixels at a time. */
          memcpy (&word, out + x, 8);
          if (word == 0)
            {
              x += 7;
              continue;
            }
          if (out[x] == 0 || bg[x] == 0 || in[x] >= bg[x])
            continue;
          ratio = (in[x] * 1024u) / bg[x];
          if (ratio < low || ratio > high)
            continue;
          for (guint k = 0; k < 4 && shadow; k++)
            {
              gsize off = (gsize) ((gssize) dy[k] * self->stride + dx[k]);
              guint b = bg[x + off];
              guint r = b == 0 ? 0 : (in[x + off] * 1024u) / b;

              shadow = r + tolerance >= ratio && r <= ratio + tolerance;
            }
          if (shadow)
            out[x] = 0;
        }
    }
}

/* One 3-wide pass along rows (@horizontal) or columns, AND (erode) or OR (dilate), from
 * @src to @dst. Pixels outside the frame repeat the edge, so the border neither grows nor
 * eats blobs. */
static void
morph_pass (VigilDetector *self,
            guint8        *src,
            guint8        *dst,
            gboolean       horizontal,
            gboolean       erode)
{
  guint padded = (self->width + 15) & ~15u;

  for (guint y = 0; y < self->height; y++)
    {
      guint8 *out = row_of (self, dst, y);
      const guint8 *a, *b, *c;
      gssize da = 0, dc = 0;

      if (horizontal)
        {
          guint8 *row = row_of (self, src, y);

          row[-1] = row[0];
          memset (row + self->width, row[self->width - 1], padded + 1 - self->width);
          a = b = c = row;
          da = -1;
          dc = 1;
        }
      else
        {
          a = row_of (self, src, y > 0 ? y - 1 : 0);
          b = row_of (self, src, y);
          c = row_of (self, src, y + 1 < self->height ? y + 1 : y);
        }

      for (guint x = 0; x < padded; x += 16)
        {
          v16u va = load16 (a + x + da);
          v16u vb = load16 (b + x);
          v16u vc = load16 (c + x + dc);

          store16 (out + x, erode ? (va & vb & vc) : (va | vb | vc));
        }
    }
}

/* Opening (3x3) removes specks, closing (3x3) joins a vehicle's pieces; both separable. */
static void
clean (VigilDetector *self)
{
  static const gboolean steps[4] = { TRUE, FALSE, FALSE, TRUE };  /* erode, dilate x 2 */

  for (guint i = 0; i < 4; i++)
    {
      morph_pass (self, self->fg, self->tmp, TRUE, steps[i]);
      morph_pass (self, self->tmp, self->fg, FALSE, steps[i]);
    }
}

static guint
find_root (Run   *runs,
           guint  i)
{
  while (runs[i].parent != i)
    {
      runs[i].parent = runs[runs[i].parent].parent;
      i = runs[i].parent;
    }
  return i;
}

static void
unite (Run   *runs,
       guint  a,
       guint  b)
{
  a = find_root (runs, a);
  b = find_root (runs, b);
  if (a < b)
    runs[b].parent = a;
  else if (b < a)
    runs[a].parent = b;
}

/* Collects the runs of @value (0 or 255) of the binary buffer, row by row, and joins runs of
 * consecutive rows that touch: 8-connected (@diagonal) or 4-connected. */
static void
label_runs (VigilDetector *self,
            const guint8  *buffer,
            guint8         value,
            gboolean       diagonal)
{
  guint prev_first = 0, prev_end = 0;
  Run *runs;

  g_array_set_size (self->runs, 0);
  g_array_set_size (self->row_start, 0);
  for (guint y = 0; y < self->height; y++)
    {
      const guint8 *row = buffer + (gsize) y * self->stride + MARGIN;
      guint first = self->runs->len;
      guint x = 0;

      g_array_append_val (self->row_start, first);
      while (x < self->width)
        {
          Run run;
          guint64 word;

          /* Skip eight pixels at a time where none is @value. */
          if (x + 8 <= self->width)
            {
              memcpy (&word, row + x, 8);
              if (word == (value != 0 ? 0 : G_MAXUINT64))
                {
                  x += 8;
                  continue;
                }
            }
          if (row[x] != value)
            {
              x++;
              continue;
            }
          run.y = y;
          run.x0 = x;
          while (x + 8 <= self->width)
            {
              memcpy (&word, row + x, 8);
              if (word != (value != 0 ? G_MAXUINT64 : 0))
                break;
              x += 8;
            }
          while (x < self->width && row[x] == value)
            x++;
          run.x1 = x;
          run.parent = self->runs->len;
          g_array_append_val (self->runs, run);
        }

      /* Join with the previous row: two pointers over both rows' runs. */
      runs = (Run *) self->runs->data;
      for (guint i = first, j = prev_first; i < self->runs->len && j < prev_end;)
        {
          guint reach = diagonal ? 1 : 0;

          if (runs[j].x1 + reach <= runs[i].x0)
            j++;
          else if (runs[i].x1 + reach <= runs[j].x0)
            i++;
          else
            {
              unite (runs, i, j);
              if (runs[j].x1 < runs[i].x1)
                j++;
              else
                i++;
            }
        }
      prev_first = first;
      prev_end = self->runs->len;
    }
  g_array_append_val (self->row_start, self->runs->len);
}

/* Background regions that do not reach the frame's border are holes in a blob (a vehicle's
 * windows and panels that match the road): they become foreground. */
static void
fill_holes (VigilDetector *self)
{
  Run *runs;
  guint8 *outside;

  label_runs (self, self->fg, 0, FALSE);
  runs = (Run *) self->runs->data;
  outside = g_malloc0 (MAX (self->runs->len, 1));
  for (guint i = 0; i < self->runs->len; i++)
    if (runs[i].y == 0 || runs[i].y + 1 == self->height || runs[i].x0 == 0 ||
        runs[i].x1 == self->width)
      outside[find_root (runs, i)] = 1;
  for (guint i = 0; i < self->runs->len; i++)
    if (!outside[find_root (runs, i)])
      memset (row_of (self, self->fg, runs[i].y) + runs[i].x0, 255, runs[i].x1 - runs[i].x0);
  g_free (outside);
}

static void
apply_road (VigilDetector *self)
{
  guint padded = (self->width + 15) & ~15u;

  if (self->road == NULL)
    return;
  for (guint y = 0; y < self->height; y++)
    {
      guint8 *out = row_of (self, self->fg, y);
      const guint8 *road = row_of (self, self->road, y);

      for (guint x = 0; x < padded; x += 16)
        store16 (out + x, load16 (out + x) & load16 (road + x));
    }
}

/* Background and spread step towards the frame where the cleaned foreground is clear; under
 * foreground only on every foreground_period-th frame. While learning, everywhere, with steps
 * of 8, 4, 2 then 1 level (coarse to fine, so the median is reached within the learning
 * frames even from a first frame full of vehicles). */
static void
update (VigilDetector *self,
        const guint8  *clean_fg)
{
  const VigilDetectorParams *p = &self->params;
  gboolean learning = self->frames < p->learning_frames;
  guint step = 1;
  v16u all = splat (learning || self->frames % p->foreground_period == 0 ? 255 : 0);
  v16u limit, factor = splat ((guint8) MAX (p->variance_factor, 1));
  v16u one = splat (1), two = splat (2);
  guint padded = (self->width + 15) & ~15u;

  if (learning)
    step = 8u >> MIN (3u, (guint) (self->frames * 4 / MAX (p->learning_frames, 1)));
  limit = splat ((guint8) (255 / MAX (p->variance_factor, 1)));

  for (guint y = 0; y < self->height; y++)
    {
      const guint8 *in = row_of (self, self->gray, y);
      const guint8 *fg = clean_fg + (gsize) y * self->stride + MARGIN;
      guint8 *bg = row_of (self, self->background, y);
      guint8 *sp = row_of (self, self->spread, y);

      for (guint x = 0; x < padded; x += 16)
        {
          v16u i = load16 (in + x);
          v16u b = load16 (bg + x);
          v16u clear = ~load16 (fg + x);
          v16u upd = clear | all;
          v16u up = (v16u) (i > b);
          v16u down = (v16u) (i < b);
          v16u d = ((i - b) & up) | ((b - i) & down);
          v16u stp = vmin (d, splat ((guint8) step)) & upd;

          store16 (bg + x, b + (stp & up) - (stp & down));

          if (p->variance_factor > 0)
            {
              v16u s = load16 (sp + x);
              v16u nd = vmin (d, limit) * factor;
              v16u updv = (clear | (learning ? splat (255) : splat (0))) & ~(v16u) (d == 0);

              s = s + (one & updv & (v16u) (nd > s)) - (one & updv & (v16u) (nd < s));
              store16 (sp + x, vmax (s, two));
            }
        }
    }
}

static void
set_road (VigilDetector *self,
          VigilFrame    *mask)
{
  guint s = self->params.analysis_scale;

  if (mask == self->road_source && (mask == NULL) == (self->road == NULL))
    return;
  g_clear_pointer (&self->road, g_free);
  g_clear_pointer (&self->road_source, vigil_frame_unref);
  self->road_pixels = self->width * self->height;
  if (mask == NULL)
    return;

  self->road_source = vigil_frame_ref (mask);
  self->road = g_malloc0 ((gsize) self->stride * self->height);
  self->road_pixels = 0;
  for (guint y = 0; y < self->height; y++)
    {
      const guint8 *in = mask->data + (gsize) (y * s + s / 2) * mask->stride;
      guint8 *out = row_of (self, self->road, y);

      for (guint x = 0; x < self->width; x++)
        {
          out[x] = in[x * s + s / 2] != 0 ? 255 : 0;
          self->road_pixels += out[x] != 0;
        }
    }
}

/* Adds to @contrast the differences across the edge between foreground pixel (x, y) and its
 * neighbour (qx, qy) when the neighbour is background in @outline, in the frame and in the
 * background model. */
static inline void
edge_contrast (const VigilDetector *self,
               const guint8        *outline,
               guint                x,
               guint                y,
               guint                qx,
               guint                qy,
               guint64              contrast[3])
{
  gsize p = (gsize) y * self->stride + MARGIN + x, q = (gsize) qy * self->stride + MARGIN + qx;

  if (outline[q] != 0)
    return;
  contrast[0] += (guint) ABS ((int) self->gray[p] - (int) self->gray[q]);
  contrast[1] += (guint) ABS ((int) self->background[p] - (int) self->background[q]);
  contrast[2]++;
}

/* A ghost is the road uncovered by a vehicle the background model had learned (one stopped
 * when the camera started, or in a queue long enough to be partly learned) that has since
 * driven off: its pixels differ from the model, so they are foreground, and since stopped
 * vehicles must keep counting, the model would take minutes to forget it. A vehicle has an
 * edge in the frame along its outline and none in the model; a ghost the other way round. So a
 * blob whose outline contrasts in the model at least twice as much as in the frame, and by at
 * least the threshold on average, is a ghost: the model takes the frame there at once and the
 * blob is not a detection. @outline is the cleaned foreground before the road mask, so the
 * mask's edge is not taken for an outline. */
static void
drop_ghosts (VigilDetector *self,
             const guint   *index)
{
  Run *runs = (Run *) self->runs->data;
  const guint8 *outline = self->tmp;
  g_autofree guint64 *contrast = NULL;

  if (self->frames < self->params.learning_frames || self->blobs->len == 0)
    return;

  contrast = g_new0 (guint64, 5 * (gsize) self->blobs->len);
  for (guint i = 0; i < self->runs->len; i++)
    {
      const Run *r = &runs[i];
      guint64 *c = contrast + 5 * (gsize) index[find_root (runs, i)];

      if (r->x0 > 0)
        edge_contrast (self, outline, r->x0, r->y, r->x0 - 1, r->y, c);
      if (r->x1 < self->width)
        edge_contrast (self, outline, r->x1 - 1, r->y, r->x1, r->y, c);
      for (guint x = r->x0; x < r->x1; x++)
        {
          gsize at = (gsize) r->y * self->stride + MARGIN + x;

          c[3] += (guint) ABS ((int) self->gray[at] - (int) self->previous[at]);
          c[4]++;
          if (r->y > 0)
            edge_contrast (self, outline, x, r->y, x, r->y - 1, c);
          if (r->y + 1 < self->height)
            edge_contrast (self, outline, x, r->y, x, r->y + 1, c);
        }
    }

  for (guint i = 0; i < self->blobs->len; i++)
    {
      const guint64 *c = contrast + 5 * (gsize) i;

      g_array_index (self->blobs, Blob, i).ghost =
        c[2] >= 8 && c[1] >= 2 * c[0] && c[1] >= (guint64) self->params.threshold * c[2] &&
        2 * c[3] < (guint64) self->params.threshold * c[4];
    }

  for (guint i = 0; i < self->runs->len; i++)
    {
      const Run *r = &runs[i];

      if (!g_array_index (self->blobs, Blob, index[find_root (runs, i)]).ghost)
        continue;
      memcpy (row_of (self, self->background, r->y) + r->x0, row_of (self, self->gray, r->y) + r->x0,
              r->x1 - r->x0);
      memset (row_of (self, self->fg, r->y) + r->x0, 0, r->x1 - r->x0);
    }
}

static void
measure_blobs (VigilDetector *self)
{
  Run *runs;
  guint *index;

  label_runs (self, self->fg, 255, TRUE);
  runs = (Run *) self->runs->data;
  g_array_set_size (self->blobs, 0);
  index = g_new (guint, MAX (self->runs->len, 1));
  for (guint i = 0; i < self->runs->len; i++)
    {
      guint root = find_root (runs, i);
      const Run *r = &runs[i];
      double n = r->x1 - r->x0;
      double sx = n * (r->x0 + r->x1 - 1) / 2.0;
      /* Sum of x^2 over x0 .. x1 - 1. */
      double sxx = ((double) (r->x1 - 1) * r->x1 * (2.0 * r->x1 - 1) -
                    (r->x0 == 0 ? 0.0 : (double) (r->x0 - 1) * r->x0 * (2.0 * r->x0 - 1))) / 6.0;
      Blob *b;

      if (root == i)
        {
          Blob blob = { 0, r->x0, r->x1 - 1, r->y, r->y, 0, 0, 0, 0, 0, FALSE };

          index[i] = self->blobs->len;
          g_array_append_val (self->blobs, blob);
        }
      b = &g_array_index (self->blobs, Blob, index[root]);
      b->area += r->x1 - r->x0;
      b->min_x = MIN (b->min_x, r->x0);
      b->max_x = MAX (b->max_x, r->x1 - 1);
      b->max_y = r->y;
      b->sx += sx;
      b->sy += n * r->y;
      b->sxx += sxx;
      b->syy += n * r->y * (double) r->y;
      b->sxy += sx * r->y;
    }
  drop_ghosts (self, index);
  g_free (index);
}

static GArray *
select_blobs (VigilDetector *self)
{
  const VigilDetectorParams *p = &self->params;
  guint s = p->analysis_scale;
  double max_area = p->max_area_fraction * self->road_pixels * s * s;
  GArray *out = g_array_new (FALSE, FALSE, sizeof (VigilDetection));

  for (guint i = 0; i < self->blobs->len; i++)
    {
      const Blob *b = &g_array_index (self->blobs, Blob, i);
      double area = (double) b->area * s * s;
      double bw = b->max_x + 1 - b->min_x, bh = b->max_y + 1 - b->min_y;
      double mx = b->sx / b->area, my = b->sy / b->area;
      double cxx = b->sxx / b->area - mx * mx + 1.0 / 12.0;
      double cyy = b->syy / b->area - my * my + 1.0 / 12.0;
      double cxy = b->sxy / b->area - mx * my;
      double half_trace = (cxx + cyy) / 2.0;
      double root = sqrt (MAX (half_trace * half_trace - (cxx * cyy - cxy * cxy), 0.0));
      double major = half_trace + root, minor = half_trace - root;
      VigilDetection det;

      if (b->ghost || area < p->min_area || area > max_area)
        continue;
      if (bw > p->max_aspect * bh || bh > p->max_aspect * bw)
        continue;
      if (b->area < p->min_fill * bw * bh)
        continue;
      if (minor <= 0.0 || major > p->max_elongation * minor)
        continue;

      det.track_id = -1;
      det.klass = VIGIL_VEHICLE_CAR;
      det.x = (double) b->min_x * s;
      det.y = (double) b->min_y * s;
      /* The last block of a row or column also covers the pixels the blocks leave over. */
      det.w = (b->max_x + 1 == self->width ? self->src_width : (b->max_x + 1) * s) - det.x;
      det.h = (b->max_y + 1 == self->height ? self->src_height : (b->max_y + 1) * s) - det.y;
      det.area = (guint) area;
      det.speed_kmh = NAN;
      g_array_append_val (out, det);
    }
  return out;
}

GArray *
vigil_detector_process (VigilDetector  *self,
                        VigilFrame     *frame,
                        VigilFrame     *mask,
                        GError        **error)
{
  const VigilDetectorParams *p;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (frame != NULL, NULL);
  g_return_val_if_fail (frame->format == VIGIL_FRAME_GRAY8 ||
                        frame->format == VIGIL_FRAME_RGB24, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  p = &self->params;
  if (mask != NULL &&
      (mask->format != VIGIL_FRAME_GRAY8 || mask->width != frame->width ||
       mask->height != frame->height))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "The road mask (%ux%u%s) does not fit the frame (%ux%u)", mask->width,
                   mask->height, mask->format == VIGIL_FRAME_GRAY8 ? "" : ", not grey",
                   frame->width, frame->height);
      return NULL;
    }

  if (frame->width != self->src_width || frame->height != self->src_height ||
      self->gray == NULL)
    allocate (self, frame->width, frame->height);
  set_road (self, mask);
  load_gray (self, frame);

  if (self->frames == 0)
    {
      memcpy (self->background, self->gray, (gsize) self->stride * self->height);
      memset (self->spread, (int) p->threshold, (gsize) self->stride * self->height);
    }

  classify (self);
  if (p->shadow_high > 0.0)
    remove_shadows (self);
  clean (self);
  fill_holes (self);
  /* The model learns from the whole cleaned foreground, inside the road or not. */
  update (self, self->fg);
  /* The outline of the cleaned foreground, for drop_ghosts(). */
  memcpy (self->tmp, self->fg, (gsize) self->stride * self->height);
  apply_road (self);
  measure_blobs (self);
  self->frames++;
  memcpy (self->previous, self->gray, (gsize) self->stride * self->height);
  return select_blobs (self);
}

VigilFrame *
vigil_detector_get_foreground (VigilDetector *self)
{
  VigilFrame *out;
  guint s;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->gray == NULL || self->frames == 0)
    return NULL;

  s = self->params.analysis_scale;
  out = vigil_frame_new (VIGIL_FRAME_GRAY8, self->src_width, self->src_height);
  for (guint y = 0; y < self->src_height; y++)
    {
      const guint8 *in = row_of (self, self->fg, MIN (y / s, self->height - 1));
      guint8 *row = out->data + (gsize) y * out->stride;

      if (s == 1)
        memcpy (row, in, self->src_width);
      else
        for (guint x = 0; x < self->src_width; x++)
          row[x] = in[MIN (x / s, self->width - 1)];
    }
  return out;
}
