/* vigil-rng-private.h
 *
 * The engine's random numbers: xoshiro256**, seeded through splitmix64 as its authors
 * recommend. Small, fast and the same on every platform, so a seed gives the same rigs,
 * splits and folds everywhere. Each user draws its own ranges from vigil_rng_next().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint64 s[4];
} VigilRng;

static inline guint64
vigil_splitmix64 (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/* Fills the state from @x, which the splitmix64 steps advance. */
static inline void
vigil_rng_init_from (VigilRng *rng,
                     guint64   x)
{
  for (guint i = 0; i < 4; i++)
    rng->s[i] = vigil_splitmix64 (&x);
}

static inline guint64
_vigil_rotl (guint64 x,
             int     k)
{
  return (x << k) | (x >> (64 - k));
}

static inline guint64
vigil_rng_next (VigilRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = _vigil_rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = _vigil_rotl (s[3], 45);
  return result;
}

G_END_DECLS
