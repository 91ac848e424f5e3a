/* vigil-series.c
 *
 * Samples live in fixed-size chunks of parallel time and value arrays, oldest chunk first;
 * every chunk but the newest is full, so a sample's position maps to its chunk by a shift.
 * Each chunk keeps the minimum and maximum of every block of BLOCK samples and of the whole
 * chunk, updated as samples arrive, so decimating a column costs two binary searches, the
 * summaries of the blocks it covers and at most two partial blocks walked sample by sample.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-series"

#include "config.h"

#include <math.h>

#include "vigil-series.h"

#define CHUNK VIGIL_SERIES_CHUNK_SAMPLES
#define CHUNK_SHIFT 12
#define BLOCK 64
#define BLOCKS_PER_CHUNK (CHUNK / BLOCK)

G_STATIC_ASSERT (CHUNK == 1 << CHUNK_SHIFT);
G_STATIC_ASSERT (CHUNK % BLOCK == 0);

typedef struct
{
  gint64 times[CHUNK];
  float  values[CHUNK];
  /* +INFINITY / -INFINITY while a block or the chunk holds no value but NAN */
  float  block_min[BLOCKS_PER_CHUNK];
  float  block_max[BLOCKS_PER_CHUNK];
  float  min;
  float  max;
  guint  len;
} Chunk;

struct _VigilSeries
{
  gatomicrefcount  ref_count;
  gsize            capacity;

  GRWLock          lock;      /* guards everything below */
  GPtrArray       *chunks;    /* Chunk*, oldest first; all full but the last */
  Chunk           *spare;     /* a dropped chunk kept for the next one needed, or NULL */
  gsize            length;
  guint64          dropped;
  guint64          serial;
};

VigilSeries *
vigil_series_new (gsize capacity)
{
  VigilSeries *self;

  g_return_val_if_fail (capacity > 0, NULL);

  self = g_new0 (VigilSeries, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->capacity = capacity;
  g_rw_lock_init (&self->lock);
  self->chunks = g_ptr_array_new_with_free_func (g_free);
  return self;
}

VigilSeries *
vigil_series_ref (VigilSeries *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
vigil_series_unref (VigilSeries *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_ptr_array_unref (self->chunks);
  g_free (self->spare);
  g_rw_lock_clear (&self->lock);
  g_free (self);
}

static Chunk *
chunk_at (VigilSeries *self,
          gsize        index)
{
  return g_ptr_array_index (self->chunks, index >> CHUNK_SHIFT);
}

/* Called with the write lock held. A chunk leaves only when the samples after it are enough;
 * the first one dropped is kept for reuse. */
static void
trim (VigilSeries *self)
{
  guint n_drop = 0;

  while (n_drop + 1 < self->chunks->len
         && self->length - (gsize) (n_drop + 1) * CHUNK >= self->capacity)
    n_drop++;

  if (n_drop == 0)
    return;

  self->length -= (gsize) n_drop * CHUNK;
  if (self->spare == NULL)
    {
      self->spare = g_ptr_array_steal_index (self->chunks, 0);
      n_drop--;
    }
  g_ptr_array_remove_range (self->chunks, 0, n_drop);
}

/* Called with the write lock held: the chunk the next sample goes into. */
static Chunk *
writable_chunk (VigilSeries *self)
{
  Chunk *chunk;

  if (self->chunks->len > 0)
    {
      chunk = g_ptr_array_index (self->chunks, self->chunks->len - 1);
      if (chunk->len < CHUNK)
        return chunk;
      trim (self);
    }

  chunk = self->spare != NULL ? g_steal_pointer (&self->spare) : g_new (Chunk, 1);
  chunk->len = 0;
  chunk->min = INFINITY;
  chunk->max = -INFINITY;
  g_ptr_array_add (self->chunks, chunk);
  return chunk;
}

/* Called with the write lock held. */
static gint64
last_time (VigilSeries *self)
{
  if (self->length == 0)
    return G_MININT64;
  return chunk_at (self, self->length - 1)->times[(self->length - 1) & (CHUNK - 1)];
}

/* Called with the write lock held; @time_us is not before the last sample. */
static inline void
push (VigilSeries *self,
      Chunk      **chunk,
      gint64       time_us,
      double       value)
{
  Chunk *c = *chunk;
  float v = (float) value;
  guint i, b;

  if (c == NULL || c->len == CHUNK)
    c = *chunk = writable_chunk (self);

  i = c->len++;
  b = i / BLOCK;
  c->times[i] = time_us;
  c->values[i] = v;
  if (i % BLOCK == 0)
    {
      c->block_min[b] = INFINITY;
      c->block_max[b] = -INFINITY;
    }
  /* Comparisons with NAN are false: a NAN value never becomes a minimum or a maximum. */
  if (v < c->block_min[b])
    c->block_min[b] = v;
  if (v > c->block_max[b])
    c->block_max[b] = v;
  if (v < c->min)
    c->min = v;
  if (v > c->max)
    c->max = v;
  self->length++;
}

void
vigil_series_append_run (VigilSeries  *self,
                         gint64        first_us,
                         gint64        dt_us,
                         const double *values,
                         gsize         n_values)
{
  Chunk *chunk = NULL;
  gint64 last;
  gsize kept = 0;

  g_return_if_fail (self != NULL);
  g_return_if_fail (values != NULL || n_values == 0);

  if (n_values == 0)
    return;

  g_rw_lock_writer_lock (&self->lock);
  last = last_time (self);
  for (gsize i = 0; i < n_values; i++)
    {
      gint64 t = first_us + (gint64) i * dt_us;

      if (t < last)
        continue;
      push (self, &chunk, t, values[i]);
      last = t;
      kept++;
    }
  self->dropped += n_values - kept;
  trim (self);
  self->serial++;
  g_rw_lock_writer_unlock (&self->lock);
}

void
vigil_series_append (VigilSeries  *self,
                     const gint64 *times_us,
                     const double *values,
                     gsize         n_values)
{
  Chunk *chunk = NULL;
  gint64 last;
  gsize kept = 0;

  g_return_if_fail (self != NULL);
  g_return_if_fail ((times_us != NULL && values != NULL) || n_values == 0);

  if (n_values == 0)
    return;

  g_rw_lock_writer_lock (&self->lock);
  last = last_time (self);
  for (gsize i = 0; i < n_values; i++)
    {
      if (times_us[i] < last)
        continue;
      push (self, &chunk, times_us[i], values[i]);
      last = times_us[i];
      kept++;
    }
  self->dropped += n_values - kept;
  trim (self);
  self->serial++;
  g_rw_lock_writer_unlock (&self->lock);
}

void
vigil_series_clear (VigilSeries *self)
{
  g_return_if_fail (self != NULL);

  g_rw_lock_writer_lock (&self->lock);
  if (self->spare == NULL && self->chunks->len > 0)
    self->spare = g_ptr_array_steal_index (self->chunks, 0);
  g_ptr_array_set_size (self->chunks, 0);
  self->length = 0;
  self->serial++;
  g_rw_lock_writer_unlock (&self->lock);
}

gsize
vigil_series_get_length (VigilSeries *self)
{
  gsize length;

  g_return_val_if_fail (self != NULL, 0);

  g_rw_lock_reader_lock (&self->lock);
  length = self->length;
  g_rw_lock_reader_unlock (&self->lock);
  return length;
}

guint64
vigil_series_get_dropped (VigilSeries *self)
{
  guint64 dropped;

  g_return_val_if_fail (self != NULL, 0);

  g_rw_lock_reader_lock (&self->lock);
  dropped = self->dropped;
  g_rw_lock_reader_unlock (&self->lock);
  return dropped;
}

guint64
vigil_series_get_serial (VigilSeries *self)
{
  guint64 serial;

  g_return_val_if_fail (self != NULL, 0);

  g_rw_lock_reader_lock (&self->lock);
  serial = self->serial;
  g_rw_lock_reader_unlock (&self->lock);
  return serial;
}

gboolean
vigil_series_get_bounds (VigilSeries *self,
                         gint64      *first_us,
                         gint64      *last_us)
{
  gboolean any;

  g_return_val_if_fail (self != NULL, FALSE);

  g_rw_lock_reader_lock (&self->lock);
  any = self->length > 0;
  if (any)
    {
      Chunk *first = g_ptr_array_index (self->chunks, 0);

      if (first_us != NULL)
        *first_us = first->times[0];
      if (last_us != NULL)
        *last_us = last_time (self);
    }
  g_rw_lock_reader_unlock (&self->lock);
  return any;
}

/* Called with a lock held: the first index in [@lo, length) whose time is at least @t (or,
 * with @after, greater than @t); length if none. */
static gsize
search (VigilSeries *self,
        gsize        lo,
        gint64       t,
        gboolean     after)
{
  gsize hi = self->length;

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      gint64 tm = chunk_at (self, mid)->times[mid & (CHUNK - 1)];

      if (tm < t || (after && tm == t))
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static inline void
scan (const float *values,
      guint        a,
      guint        b,
      float       *mn,
      float       *mx)
{
  for (guint i = a; i < b; i++)
    {
      if (values[i] < *mn)
        *mn = values[i];
      if (values[i] > *mx)
        *mx = values[i];
    }
}

/* Minimum and maximum of samples [@a, @b) of @chunk: whole blocks from their summaries. */
static void
chunk_range (const Chunk *chunk,
             guint        a,
             guint        b,
             float       *mn,
             float       *mx)
{
  guint first_block = (a + BLOCK - 1) / BLOCK, end_block = b / BLOCK;

  if (a == 0 && b == chunk->len)
    {
      *mn = MIN (*mn, chunk->min);
      *mx = MAX (*mx, chunk->max);
      return;
    }
  if (first_block >= end_block)
    {
      scan (chunk->values, a, b, mn, mx);
      return;
    }

  scan (chunk->values, a, first_block * BLOCK, mn, mx);
  for (guint k = first_block; k < end_block; k++)
    {
      *mn = MIN (*mn, chunk->block_min[k]);
      *mx = MAX (*mx, chunk->block_max[k]);
    }
  scan (chunk->values, end_block * BLOCK, b, mn, mx);
}

/* Called with a lock held. */
static void
range_min_max (VigilSeries *self,
               gsize        lo,
               gsize        hi,
               float       *out_min,
               float       *out_max)
{
  float mn = INFINITY, mx = -INFINITY;

  while (lo < hi)
    {
      Chunk *chunk = chunk_at (self, lo);
      guint a = lo & (CHUNK - 1);
      guint b = MIN (hi - (lo - a), (gsize) chunk->len);

      chunk_range (chunk, a, b, &mn, &mx);
      lo += b - a;
    }

  if (mn > mx)
    mn = mx = NAN;
  *out_min = mn;
  *out_max = mx;
}

/* The start of column @c of @n over [@from_us, @from_us + @span): a sample at offset d from
 * @from_us is in column floor(d * n / span), where a pixel column would draw it, so column c
 * starts at ceil(span * c / n); computed without overflow whatever the span. */
static gint64
column_start (gint64  from_us,
              guint64 span,
              guint   c,
              guint   n)
{
  guint64 offset = span / n * c + (span % n * c + n - 1) / n;

  return (gint64) ((guint64) from_us + offset);
}

gsize
vigil_series_decimate (VigilSeries *self,
                       gint64       from_us,
                       gint64       to_us,
                       guint        n_columns,
                       float       *out_min,
                       float       *out_max)
{
  guint64 span;
  gsize lo, first, count;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (n_columns == 0 || (out_min != NULL && out_max != NULL), 0);

  if (to_us <= from_us)
    {
      for (guint c = 0; c < n_columns; c++)
        out_min[c] = out_max[c] = NAN;
      return 0;
    }

  span = (guint64) to_us - (guint64) from_us;

  g_rw_lock_reader_lock (&self->lock);
  first = lo = search (self, 0, from_us, FALSE);
  for (guint c = 0; c < n_columns; c++)
    {
      gint64 end = c + 1 == n_columns ? to_us : column_start (from_us, span, c + 1, n_columns);
      gsize hi = search (self, lo, end, FALSE);

      range_min_max (self, lo, hi, &out_min[c], &out_max[c]);
      lo = hi;
    }
  if (n_columns == 0)
    lo = search (self, lo, to_us, FALSE);
  count = lo - first;
  g_rw_lock_reader_unlock (&self->lock);

  return count;
}

gboolean
vigil_series_lookup (VigilSeries *self,
                     gint64       at_us,
                     gint64      *out_time_us,
                     double      *out_value)
{
  gsize i;

  g_return_val_if_fail (self != NULL, FALSE);

  g_rw_lock_reader_lock (&self->lock);
  i = search (self, 0, at_us, TRUE);
  if (i > 0)
    {
      Chunk *chunk = chunk_at (self, i - 1);
      guint k = (i - 1) & (CHUNK - 1);

      if (out_time_us != NULL)
        *out_time_us = chunk->times[k];
      if (out_value != NULL)
        *out_value = chunk->values[k];
    }
  g_rw_lock_reader_unlock (&self->lock);

  return i > 0;
}
