/* vigil-window-op.c
 *
 * Sliding windows are computed from panes: buckets of gcd(window, slide) that every window
 * is a whole number of. A record updates one pane; a window merges window/pane panes when it
 * closes. Panes keep shifted sums (x - K, with K the pane's first value) so the variance
 * does not cancel catastrophically at PS1 or EPS1 levels, and panes merge with Chan's
 * parallel formula. The live panes of a key sit in a ring indexed by pane number; the ring is
 * big enough for everything between the oldest open window and the newest record.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-window-op"

#include "config.h"

#include <math.h>

#include "vigil-error.h"
#include "vigil-time.h"
#include "vigil-window-op.h"

/* Far enough out to close everything, near enough that window arithmetic cannot overflow. */
#define END_OF_TIME (G_MAXINT64 / 4)

typedef struct
{
  guint64 n;
  double  shift;   /* K: the pane's first value */
  double  s1;      /* sum of (x - K) */
  double  s2;      /* sum of (x - K)^2 */
  double  min;
  double  max;
} Pane;

typedef struct
{
  Pane    *ring;            /* capacity panes, slot = pane index & mask */
  gint64   lo;              /* first live pane index (inclusive) */
  gint64   hi;              /* last live pane index (inclusive); lo > hi when empty */
  gint64   max_event_us;
  gint64   watermark_us;
  gboolean seen;            /* max_event_us and watermark_us are valid */
  guint64  late_count;
} KeyState;

struct _VigilWindowOp
{
  gint64    window_us;
  gint64    slide_us;
  gint64    lateness_us;
  gint64    pane_us;
  guint     panes_per_window;
  gsize     capacity;       /* power of two */
  gint64    mask;
  guint     n_keys;
  KeyState *keys;
};

static gint64
gcd64 (gint64 a,
       gint64 b)
{
  while (b != 0)
    {
      gint64 t = a % b;
      a = b;
      b = t;
    }
  return a;
}

VigilWindowOp *
vigil_window_op_new (gint64   window_us,
                     gint64   slide_us,
                     gint64   lateness_us,
                     guint    n_keys,
                     GError **error)
{
  VigilWindowOp *self;
  gint64 span;

  g_return_val_if_fail (n_keys > 0, NULL);

  if (window_us <= 0 || slide_us <= 0 || lateness_us < 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Window and slide must be longer than zero and lateness not negative");
      return NULL;
    }
  if (slide_us > window_us)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "The slide (%g s) may not be longer than the window (%g s): records between "
                   "windows would belong to none", slide_us / 1e6, window_us / 1e6);
      return NULL;
    }

  self = g_new0 (VigilWindowOp, 1);
  self->window_us = window_us;
  self->slide_us = slide_us;
  self->lateness_us = lateness_us;
  self->pane_us = gcd64 (window_us, slide_us);
  self->panes_per_window = (guint) (window_us / self->pane_us);

  /* Live panes reach from the oldest open window (one slide before the watermark minus a
   * window) to the newest record (lateness past the watermark). */
  span = (window_us + lateness_us + 2 * slide_us) / self->pane_us + 4;
  if (span > (1 << 24))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Window %g s, slide %g s and lateness %g s need %" G_GINT64_FORMAT
                   " panes per key; choose a slide that divides the window more coarsely",
                   window_us / 1e6, slide_us / 1e6, lateness_us / 1e6, span);
      g_free (self);
      return NULL;
    }
  self->capacity = 1;
  while ((gint64) self->capacity < span)
    self->capacity <<= 1;
  self->mask = (gint64) self->capacity - 1;

  self->n_keys = n_keys;
  self->keys = g_new0 (KeyState, n_keys);
  for (guint i = 0; i < n_keys; i++)
    {
      self->keys[i].ring = g_new0 (Pane, self->capacity);
      self->keys[i].lo = 0;
      self->keys[i].hi = -1;
      self->keys[i].max_event_us = G_MININT64;
      self->keys[i].watermark_us = G_MININT64;
    }

  return self;
}

void
vigil_window_op_free (VigilWindowOp *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < self->n_keys; i++)
    g_free (self->keys[i].ring);
  g_free (self->keys);
  g_free (self);
}

static inline Pane *
pane_at (VigilWindowOp *self,
         KeyState      *ks,
         gint64         index)
{
  return &ks->ring[index & self->mask];
}

/* Makes pane @index live, extending the live range (forwards or backwards) with empty panes. */
static Pane *
ensure_pane (VigilWindowOp *self,
             KeyState      *ks,
             gint64         index)
{
  if (ks->lo > ks->hi)
    {
      ks->lo = ks->hi = index;
      *pane_at (self, ks, index) = (Pane) { 0 };
    }
  else if (index > ks->hi)
    {
      g_assert (index - ks->lo < (gint64) self->capacity);
      for (gint64 i = ks->hi + 1; i <= index; i++)
        *pane_at (self, ks, i) = (Pane) { 0 };
      ks->hi = index;
    }
  else if (index < ks->lo)
    {
      g_assert (ks->hi - index < (gint64) self->capacity);
      for (gint64 i = index; i < ks->lo; i++)
        *pane_at (self, ks, i) = (Pane) { 0 };
      ks->lo = index;
    }

  return pane_at (self, ks, index);
}

static inline void
pane_add (Pane   *pane,
          double  value)
{
  double d;

  if (pane->n == 0)
    {
      pane->shift = value;
      pane->min = value;
      pane->max = value;
    }
  d = value - pane->shift;
  pane->n++;
  pane->s1 += d;
  pane->s2 += d * d;
  pane->min = value < pane->min ? value : pane->min;
  pane->max = value > pane->max ? value : pane->max;
}

static void
pane_add_many (Pane         *pane,
               const double *values,
               gsize         n)
{
  double s1, s2, mn, mx, k;

  if (n == 0)
    return;
  if (pane->n == 0)
    {
      pane->shift = values[0];
      pane->min = values[0];
      pane->max = values[0];
    }
  k = pane->shift;
  mn = pane->min;
  mx = pane->max;
  /* Summing on from the pane's own totals adds the values in one order however a replay
   * slices them (paced slices, seeks), so windows come out bit for bit the same. */
  s1 = pane->s1;
  s2 = pane->s2;

  for (gsize i = 0; i < n; i++)
    {
      double x = values[i];
      double d = x - k;

      s1 += d;
      s2 += d * d;
      mn = x < mn ? x : mn;
      mx = x > mx ? x : mx;
    }

  pane->n += n;
  pane->s1 = s1;
  pane->s2 = s2;
  pane->min = mn;
  pane->max = mx;
}

/* Merges the panes of the window starting at @start_us; FALSE when it holds no record. */
static gboolean
compute_window (VigilWindowOp    *self,
                KeyState         *ks,
                guint             key,
                gint64            start_us,
                VigilWindowStats *out)
{
  gint64 first = vigil_floor_div (start_us, self->pane_us);
  gint64 last = first + self->panes_per_window - 1;
  double n = 0, mean = 0, m2 = 0, mn = INFINITY, mx = -INFINITY;

  first = MAX (first, ks->lo);
  last = MIN (last, ks->hi);

  for (gint64 i = first; i <= last; i++)
    {
      const Pane *p = pane_at (self, ks, i);
      double pn, pmean, pm2, delta, total;

      if (p->n == 0)
        continue;

      pn = (double) p->n;
      pmean = p->shift + p->s1 / pn;
      pm2 = MAX (0.0, p->s2 - p->s1 * p->s1 / pn);

      total = n + pn;
      delta = pmean - mean;
      mean += delta * pn / total;
      m2 += pm2 + delta * delta * n * pn / total;
      n = total;
      mn = MIN (mn, p->min);
      mx = MAX (mx, p->max);
    }

  if (n == 0)
    return FALSE;

  out->key = key;
  out->start_us = start_us;
  out->end_us = start_us + self->window_us;
  out->count = (guint64) n;
  out->avg = mean;
  out->min = mn;
  out->max = mx;
  out->stddev = n >= 2 ? sqrt (m2 / (n - 1)) : NAN;
  out->range = mx - mn;

  return TRUE;
}

/* Emits windows whose end lies in (old watermark, @watermark_us] and forgets panes no open
 * window needs any more. */
static void
advance_watermark (VigilWindowOp *self,
                   KeyState      *ks,
                   guint          key,
                   gint64         watermark_us,
                   GArray        *windows)
{
  gint64 first_start, last_start;

  if (ks->seen && watermark_us <= ks->watermark_us)
    return;

  if (ks->lo <= ks->hi)
    {
      /* Windows with end > old watermark and end <= new watermark... */
      last_start = vigil_floor_div (watermark_us - self->window_us, self->slide_us)
                   * self->slide_us;
      first_start = G_MININT64;
      if (ks->seen)
        first_start = vigil_floor_div (ks->watermark_us - self->window_us, self->slide_us)
                      * self->slide_us + self->slide_us;

      /* ...that overlap the live panes. */
      first_start = MAX (first_start,
                         vigil_floor_div (ks->lo * self->pane_us - self->window_us, self->slide_us)
                         * self->slide_us + self->slide_us);
      last_start = MIN (last_start,
                        vigil_floor_div (ks->hi * self->pane_us, self->slide_us) * self->slide_us);

      for (gint64 s = first_start; s <= last_start; s += self->slide_us)
        {
          VigilWindowStats w;

          if (compute_window (self, ks, key, s, &w))
            g_array_append_val (windows, w);
        }

      /* The oldest window still open starts one slide after the last one closed. */
      {
        gint64 oldest_open = vigil_floor_div (watermark_us - self->window_us, self->slide_us)
                             * self->slide_us + self->slide_us;
        gint64 keep_from = vigil_floor_div (oldest_open, self->pane_us);

        if (keep_from > ks->lo)
          ks->lo = MIN (keep_from, ks->hi + 1);
        if (ks->lo > ks->hi)
          {
            ks->lo = 0;
            ks->hi = -1;
          }
      }
    }

  ks->watermark_us = watermark_us;
  ks->seen = TRUE;
}

static inline gboolean
is_late (VigilWindowOp *self,
         KeyState      *ks,
         gint64         time_us)
{
  gint64 last_end;

  if (!ks->seen)
    return FALSE;

  last_end = vigil_floor_div (time_us, self->slide_us) * self->slide_us + self->window_us;

  return last_end <= ks->watermark_us;
}

static void
record_late (KeyState *ks,
             guint     key,
             gint64    time_us,
             double    value,
             GArray   *late)
{
  VigilLateRecord r = {
    .key = key,
    .seq = ks->late_count++,
    .event_us = time_us,
    .watermark_us = ks->watermark_us,
    .value = value,
  };

  if (late != NULL)
    g_array_append_val (late, r);
}

void
vigil_window_op_push (VigilWindowOp *self,
                      guint          key,
                      gint64         time_us,
                      double         value,
                      GArray        *windows,
                      GArray        *late)
{
  KeyState *ks;

  g_return_if_fail (self != NULL);
  g_return_if_fail (key < self->n_keys);

  ks = &self->keys[key];

  if (is_late (self, ks, time_us))
    {
      record_late (ks, key, time_us, value, late);
      return;
    }

  if (!ks->seen || time_us > ks->max_event_us)
    {
      /* Close what this record's arrival closes before its pane is made live, so a jump
       * forward never needs more ring than the live span. */
      advance_watermark (self, ks, key, time_us - self->lateness_us, windows);
      ks->max_event_us = time_us;
    }

  pane_add (ensure_pane (self, ks, vigil_floor_div (time_us, self->pane_us)), value);
}

void
vigil_window_op_push_run (VigilWindowOp *self,
                          guint          key,
                          gint64         t0_us,
                          gint64         dt_us,
                          const double  *values,
                          gsize          n_values,
                          GArray        *windows,
                          GArray        *late)
{
  KeyState *ks;
  gsize i = 0;

  g_return_if_fail (self != NULL);
  g_return_if_fail (key < self->n_keys);
  g_return_if_fail (dt_us > 0);

  ks = &self->keys[key];

  while (i < n_values)
    {
      gint64 t = t0_us + (gint64) i * dt_us;
      gint64 pane, pane_end;
      gsize end;

      if (ks->seen && (t <= ks->max_event_us || is_late (self, ks, t)))
        {
          /* Overlaps what came before, or the watermark was moved past it: each record
           * may be late on its own. */
          vigil_window_op_push (self, key, t, values[i], windows, late);
          i++;
          continue;
        }

      /* The rest of the run is ahead of everything seen: take it a pane at a time. */
      pane = vigil_floor_div (t, self->pane_us);
      pane_end = (pane + 1) * self->pane_us;
      end = (gsize) ((pane_end - t0_us + dt_us - 1) / dt_us);
      end = MIN (end, n_values);

      advance_watermark (self, ks, key, t - self->lateness_us, windows);
      pane_add_many (ensure_pane (self, ks, pane), values + i, end - i);
      ks->max_event_us = t0_us + (gint64) (end - 1) * dt_us;
      advance_watermark (self, ks, key, ks->max_event_us - self->lateness_us, windows);
      i = end;
    }
}

void
vigil_window_op_advance (VigilWindowOp *self,
                         guint          key,
                         gint64         watermark_us,
                         GArray        *windows)
{
  KeyState *ks;

  g_return_if_fail (self != NULL);
  g_return_if_fail (key < self->n_keys);

  ks = &self->keys[key];
  if (!ks->seen)
    return;

  advance_watermark (self, ks, key, watermark_us, windows);
}

void
vigil_window_op_flush (VigilWindowOp *self,
                       GArray        *windows)
{
  g_return_if_fail (self != NULL);

  for (guint key = 0; key < self->n_keys; key++)
    {
      KeyState *ks = &self->keys[key];

      if (!ks->seen)
        continue;

      /* The end of the stream is the end of time: every window closes, and anything that
       * still arrives is late. */
      advance_watermark (self, ks, key, END_OF_TIME, windows);
    }
}

gint64
vigil_window_op_get_watermark (VigilWindowOp *self,
                               guint          key)
{
  g_return_val_if_fail (self != NULL, G_MININT64);
  g_return_val_if_fail (key < self->n_keys, G_MININT64);

  return self->keys[key].seen ? self->keys[key].watermark_us : G_MININT64;
}

guint64
vigil_window_op_get_late_count (VigilWindowOp *self,
                                guint          key)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (key < self->n_keys, 0);

  return self->keys[key].late_count;
}
