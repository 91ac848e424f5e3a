/* vigil-blob-private.h
 *
 * Little-endian fields of the engine's binary blobs (models, forests): appended to a
 * GByteArray, and read back by a reader that never reads past the end but remembers that it
 * tried, so that a parser can read a whole header and check once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <string.h>

#include <glib.h>

G_BEGIN_DECLS

static inline void
vigil_blob_put_u32 (GByteArray *out,
                    guint32     v)
{
  v = GUINT32_TO_LE (v);
  g_byte_array_append (out, (const guint8 *) &v, sizeof v);
}

static inline void
vigil_blob_put_u64 (GByteArray *out,
                    guint64     v)
{
  v = GUINT64_TO_LE (v);
  g_byte_array_append (out, (const guint8 *) &v, sizeof v);
}

static inline void
vigil_blob_put_float (GByteArray *out,
                      float       v)
{
  guint32 bits;

  memcpy (&bits, &v, sizeof bits);
  vigil_blob_put_u32 (out, bits);
}

static inline void
vigil_blob_put_double (GByteArray *out,
                       double      v)
{
  guint64 bits;

  memcpy (&bits, &v, sizeof bits);
  vigil_blob_put_u64 (out, bits);
}

typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
  gboolean      short_read;  /* a read went past the end: it gave NULL or 0 */
} VigilBlobReader;

static inline gsize
vigil_blob_left (const VigilBlobReader *r)
{
  return r->len - r->pos;
}

/* The next @n bytes, or NULL (and short_read) when fewer are left. */
static inline const guint8 *
vigil_blob_take (VigilBlobReader *r,
                 gsize            n)
{
  const guint8 *p;

  if (r->short_read || r->len - r->pos < n)
    {
      r->short_read = TRUE;
      return NULL;
    }
  p = r->data + r->pos;
  r->pos += n;
  return p;
}

static inline guint32
vigil_blob_get_u32 (VigilBlobReader *r)
{
  const guint8 *p = vigil_blob_take (r, 4);
  guint32 v = 0;

  if (p != NULL)
    memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static inline guint64
vigil_blob_get_u64 (VigilBlobReader *r)
{
  const guint8 *p = vigil_blob_take (r, 8);
  guint64 v = 0;

  if (p != NULL)
    memcpy (&v, p, 8);
  return GUINT64_FROM_LE (v);
}

static inline float
vigil_blob_get_float (VigilBlobReader *r)
{
  guint32 bits = vigil_blob_get_u32 (r);
  float v;

  memcpy (&v, &bits, sizeof v);
  return v;
}

static inline double
vigil_blob_get_double (VigilBlobReader *r)
{
  guint64 bits = vigil_blob_get_u64 (r);
  double v;

  memcpy (&v, &bits, sizeof v);
  return v;
}

G_END_DECLS
