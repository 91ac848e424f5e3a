/* test-forest.c
 *
 * Vigil's extremely randomized trees on the real hydraulic cycles (mean and standard deviation
 * of each 1 Hz sensor, computed here from the text files): a tree grown to purity fits its
 * training rows, results do not depend on the thread count, a saved forest predicts the same,
 * bad blobs are refused, probabilities and importance add up, and the cooler is learnt.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "vigil-error.h"
#include "vigil-forest.h"
#include "vigil-model.h"
#include "vigil-test-util.h"

static const char *const sensors[] = { "CE", "CP", "SE", "TS1", "TS2", "TS3", "TS4", "VS1" };
#define N_SENSORS G_N_ELEMENTS (sensors)
/* mean and std per sensor, then one constant column */
#define N_FEATURES (2 * N_SENSORS + 1)
#define CONSTANT_FEATURE (N_FEATURES - 1)
#define N_CYCLES 1800

/* The cooler's conditions, as class indices 0, 1, 2 for 3 %, 20 %, 100 %. */
static const int cooler_values[] = { 3, 20, 100 };

typedef struct
{
  float  x[N_CYCLES * N_FEATURES];
  guint8 y[N_CYCLES];
  int    cooler[N_CYCLES];
} Cycles;

static Cycles *cycles;

static void
load_cycles (void)
{
  g_autofree char *dir = g_build_filename (g_getenv ("VIGIL_SHARED_DATA"), "hydraulic-uci", NULL);
  g_autofree char *profile_path = g_build_filename (dir, "profile.txt", NULL);
  g_autoptr(GPtrArray) profile = NULL;

  g_assert_nonnull (g_getenv ("VIGIL_SHARED_DATA"));
  cycles = g_new0 (Cycles, 1);
  profile = vigil_test_parse_rows (profile_path);
  g_assert_cmpuint (profile->len, ==, N_CYCLES);
  for (guint r = 0; r < N_CYCLES; r++)
    {
      int cooler = (int) g_array_index ((GArray *) profile->pdata[r], double, 0);

      cycles->cooler[r] = cooler;
      cycles->y[r] = cooler == 3 ? 0 : cooler == 20 ? 1 : 2;
      g_assert_cmpint (cooler_values[cycles->y[r]], ==, cooler);
      cycles->x[r * N_FEATURES + CONSTANT_FEATURE] = 7.0f;
    }

  for (guint s = 0; s < N_SENSORS; s++)
    {
      g_autofree char *name = g_strdup_printf ("%s.txt", sensors[s]);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GPtrArray) rows = vigil_test_parse_rows (path);

      g_assert_cmpuint (rows->len, ==, N_CYCLES);
      for (guint r = 0; r < N_CYCLES; r++)
        {
          GArray *row = rows->pdata[r];
          double sum = 0, sq = 0, mean;

          for (guint i = 0; i < row->len; i++)
            sum += g_array_index (row, double, i);
          mean = sum / row->len;
          for (guint i = 0; i < row->len; i++)
            sq += pow (g_array_index (row, double, i) - mean, 2);
          cycles->x[r * N_FEATURES + 2 * s] = (float) mean;
          cycles->x[r * N_FEATURES + 2 * s + 1] = (float) sqrt (sq / row->len);
        }
    }
}

static VigilForest *
train (const float *x,
       guint        n_rows,
       const guint8 *y,
       guint        n_trees,
       guint        mtry,
       guint64      seed,
       guint        n_threads)
{
  g_autoptr(GError) error = NULL;
  VigilForestParams params;
  VigilForest *forest;

  vigil_forest_params_init (&params);
  params.n_trees = n_trees;
  params.mtry = mtry;
  params.seed = seed;
  params.n_threads = n_threads;
  forest = vigil_forest_train (x, n_rows, N_FEATURES, y, 3, &params, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (forest);
  return forest;
}

static gsize
proba_size (void)
{
  return sizeof (float) * N_CYCLES * 3;
}

static void
test_params (void)
{
  g_autoptr(VigilForest) forest = train (cycles->x, N_CYCLES, cycles->y, 3, 0, 9, 2);
  VigilForestParams p;

  vigil_forest_params_init (&p);
  g_assert_cmpuint (p.n_trees, ==, 100);
  g_assert_cmpuint (p.max_depth, ==, 0);
  g_assert_cmpuint (p.mtry, ==, 0);

  /* round (sqrt (17)) = 4 */
  vigil_forest_get_params (forest, &p);
  g_assert_cmpuint (p.mtry, ==, 4);
  g_assert_cmpuint (p.n_trees, ==, 3);
  g_assert_cmpuint (p.seed, ==, 9);
  g_assert_cmpuint (vigil_forest_get_n_features (forest), ==, N_FEATURES);
  g_assert_cmpuint (vigil_forest_get_n_classes (forest), ==, 3);
}

/* Rows with equal features but different labels cannot be told apart; without such pairs, one
 * tree grown to purity must give every training row its own label with certainty. */
static void
test_fits_training_rows (void)
{
  g_autoptr(VigilForest) forest = NULL;
  g_autofree float *proba = g_malloc (proba_size ());

  for (guint a = 0; a < N_CYCLES; a++)
    for (guint b = a + 1; b < N_CYCLES; b++)
      if (cycles->y[a] != cycles->y[b])
        g_assert_true (memcmp (cycles->x + a * N_FEATURES, cycles->x + b * N_FEATURES,
                               sizeof (float) * N_FEATURES) != 0);

  forest = train (cycles->x, N_CYCLES, cycles->y, 1, N_FEATURES, 1, 1);
  vigil_forest_predict (forest, cycles->x, N_CYCLES, proba);
  for (guint r = 0; r < N_CYCLES; r++)
    for (guint c = 0; c < 3; c++)
      g_assert_cmpfloat (proba[r * 3 + c], ==, c == cycles->y[r] ? 1.0f : 0.0f);
  /* a full binary tree: one leaf more than inner nodes, at most one leaf per row */
  g_assert_cmpuint (vigil_forest_get_n_nodes (forest) % 2, ==, 1);
  g_assert_cmpuint ((vigil_forest_get_n_nodes (forest) + 1) / 2, <=, N_CYCLES);
}

static void
test_depth_limit (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilForest) stumps = NULL;
  g_autofree float *proba = g_malloc (proba_size ());
  VigilForestParams params;

  vigil_forest_params_init (&params);
  params.n_trees = 25;
  params.max_depth = 1;
  stumps = vigil_forest_train (cycles->x, N_CYCLES, N_FEATURES, cycles->y, 3, &params, NULL,
                               &error);
  g_assert_no_error (error);
  /* every tree one split and two leaves */
  g_assert_cmpuint (vigil_forest_get_n_nodes (stumps), ==, 25 * 3);
  vigil_forest_predict (stumps, cycles->x, N_CYCLES, proba);
  /* two leaves cannot hold three classes purely: some rows are left uncertain */
  for (guint r = 0; r < N_CYCLES; r++)
    if (MAX (proba[r * 3], MAX (proba[r * 3 + 1], proba[r * 3 + 2])) < 1.0f)
      return;
  g_assert_not_reached ();
}

static void
test_threads (void)
{
  /* trained on the first 1200 cycles: on its training rows every tree is sure and right, so
   * only the others show what the seed changes */
  g_autoptr(VigilForest) one = train (cycles->x, 1200, cycles->y, 40, 0, 5, 1);
  g_autoptr(VigilForest) two = train (cycles->x, 1200, cycles->y, 40, 0, 5, 2);
  g_autoptr(VigilForest) four = train (cycles->x, 1200, cycles->y, 40, 0, 5, 4);
  g_autoptr(VigilForest) other_seed = train (cycles->x, 1200, cycles->y, 40, 0, 6, 2);
  g_autoptr(GBytes) blob_one = NULL;
  g_autoptr(GBytes) blob_four = NULL;
  gsize size = proba_size ();
  g_autofree float *p1 = g_malloc (size);
  g_autofree float *p2 = g_malloc (size);
  g_autofree float *p4 = g_malloc (size);
  g_autofree float *p6 = g_malloc (size);

  vigil_forest_predict (one, cycles->x, N_CYCLES, p1);
  vigil_forest_predict (two, cycles->x, N_CYCLES, p2);
  vigil_forest_predict (four, cycles->x, N_CYCLES, p4);
  vigil_forest_predict (other_seed, cycles->x, N_CYCLES, p6);
  g_assert_cmpmem (p1, size, p2, size);
  g_assert_cmpmem (p1, size, p4, size);
  g_assert_true (memcmp (p1, p6, size) != 0);

  /* the same trees, node for node */
  blob_one = vigil_forest_save (one);
  blob_four = vigil_forest_save (four);
  g_assert_true (g_bytes_equal (blob_one, blob_four));
}

static void
test_save_load (void)
{
  g_autoptr(VigilForest) forest = train (cycles->x, N_CYCLES, cycles->y, 30, 0, 3, 2);
  g_autoptr(VigilForest) loaded = NULL;
  g_autoptr(GBytes) blob = vigil_forest_save (forest);
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GError) error = NULL;
  gsize size = proba_size ();
  g_autofree float *pa = g_malloc (size);
  g_autofree float *pb = g_malloc (size);
  float ia[N_FEATURES], ib[N_FEATURES];
  VigilForestParams a, b;
  const guint8 *data;
  gsize len;

  data = g_bytes_get_data (blob, &len);
  loaded = vigil_forest_load (data, len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);

  vigil_forest_predict (forest, cycles->x, N_CYCLES, pa);
  vigil_forest_predict (loaded, cycles->x, N_CYCLES, pb);
  g_assert_cmpmem (pa, size, pb, size);
  vigil_forest_get_importance (forest, ia);
  vigil_forest_get_importance (loaded, ib);
  g_assert_cmpmem (ia, sizeof ia, ib, sizeof ib);
  vigil_forest_get_params (forest, &a);
  vigil_forest_get_params (loaded, &b);
  g_assert_cmpuint (a.n_trees, ==, b.n_trees);
  g_assert_cmpuint (a.mtry, ==, b.mtry);
  g_assert_cmpuint (a.max_depth, ==, b.max_depth);
  g_assert_cmpuint (a.seed, ==, b.seed);
  g_assert_cmpuint (vigil_forest_get_n_nodes (forest), ==, vigil_forest_get_n_nodes (loaded));

  again = vigil_forest_save (loaded);
  g_assert_true (g_bytes_equal (blob, again));
}

static void
assert_refused (const guint8 *data,
                gsize         len,
                const char   *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilForest) forest = vigil_forest_load (data, len, &error);

  g_assert_null (forest);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
  g_test_message ("%" G_GSIZE_FORMAT " bytes refused: %s", len, error->message);
  if (expected != NULL)
    g_assert_nonnull (strstr (error->message, expected));
}

/* Writes the SHA-256 of everything before the last 32 bytes into them, as a forger would. */
static void
resign (guint8 *data,
        gsize   len)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize digest_len = 32;

  g_checksum_update (checksum, data, len - 32);
  g_checksum_get_digest (checksum, data + len - 32, &digest_len);
}

/* Header: magic 8, version, features, classes, trees, depth, mtry (4 each), seed 8. */
#define HEADER_LEN (8 + 6 * 4 + 8)
#define FIRST_NODE (HEADER_LEN + 4 * N_FEATURES + 4)

static void
test_bad_blobs (void)
{
  g_autoptr(VigilForest) forest = train (cycles->x, N_CYCLES, cycles->y, 4, 0, 3, 1);
  g_autoptr(GBytes) blob = vigil_forest_save (forest);
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilForest) reloaded = NULL;
  const gsize cuts[] = { 0, 1, 7, 8, 11, 12, HEADER_LEN - 1, HEADER_LEN, FIRST_NODE + 5 };
  g_autofree guint8 *copy = NULL;
  const guint8 *data;
  guint32 v;
  gsize len;

  data = g_bytes_get_data (blob, &len);
  g_assert_cmpmem (data, 8, "VIGILETF", 8);

  /* truncated anywhere */
  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    assert_refused (data, cuts[i], NULL);
  for (gsize cut = len / 2; cut < len; cut += (len - cut + 1) / 2)
    assert_refused (data, cut, NULL);
  assert_refused (data, len - 1, NULL);

  copy = g_memdup2 (data, len + 1);
  /* a byte too many */
  copy[len] = 0;
  assert_refused (copy, len + 1, NULL);

  /* one flipped bit, in the header's seed, a feature importance, a node's threshold, the last
   * leaf value, the checksum */
  {
    const gsize flips[] = { HEADER_LEN - 1, HEADER_LEN + 4, FIRST_NODE + 4, len - 33, len - 1 };

    for (guint i = 0; i < G_N_ELEMENTS (flips); i++)
      {
        copy[flips[i]] ^= 0x10;
        assert_refused (copy, len, "corrupted");
        copy[flips[i]] ^= 0x10;
      }
  }

  /* a signature, a version */
  copy[0] = 'X';
  assert_refused (copy, len, "signature");
  copy[0] = 'V';
  copy[8] = 2;
  assert_refused (copy, len, "version 2");
  copy[8] = 1;

  /* forged: a valid checksum over a root whose children lie outside the tree */
  memcpy (&v, copy + FIRST_NODE, 4);
  g_assert_cmpuint (GUINT32_FROM_LE (v), <, N_FEATURES);
  v = GUINT32_TO_LE (1000000);
  memcpy (copy + FIRST_NODE + 8, &v, 4);
  resign (copy, len);
  assert_refused (copy, len, "outside its tree");

  /* and an mtry above the feature count */
  memcpy (copy, data, len);
  v = GUINT32_TO_LE (N_FEATURES + 1);
  memcpy (copy + 8 + 5 * 4, &v, 4);
  resign (copy, len);
  assert_refused (copy, len, "out of range");

  /* the untouched copy still loads */
  memcpy (copy, data, len);
  reloaded = vigil_forest_load (copy, len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reloaded);
}

static void
test_proba_and_importance (void)
{
  g_autoptr(VigilForest) forest = train (cycles->x, N_CYCLES, cycles->y, 50, 0, 8, 2);
  g_autofree float *proba = g_malloc (proba_size ());
  float importance[N_FEATURES];
  double total = 0;

  vigil_forest_predict (forest, cycles->x, N_CYCLES, proba);
  for (guint r = 0; r < N_CYCLES; r++)
    {
      double sum = 0;

      for (guint c = 0; c < 3; c++)
        {
          g_assert_cmpfloat (proba[r * 3 + c], >=, 0.0f);
          g_assert_cmpfloat (proba[r * 3 + c], <=, 1.0f);
          sum += proba[r * 3 + c];
        }
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
    }

  vigil_forest_get_importance (forest, importance);
  for (guint f = 0; f < N_FEATURES; f++)
    {
      g_assert_cmpfloat (importance[f], >=, 0.0f);
      total += importance[f];
    }
  g_assert_cmpfloat_with_epsilon (total, 1.0, 1e-5);
  /* a constant column never splits anything */
  g_assert_cmpfloat (importance[CONSTANT_FEATURE], ==, 0.0f);
  /* the cooler's efficiency (CE) tells the cooler's condition better than the pump's
   * vibration (VS1) */
  g_assert_cmpfloat (importance[0], >, importance[2 * 7]);
}

static void
test_cooler_held_out (void)
{
  g_autofree float *train_x = g_new (float, N_CYCLES * N_FEATURES);
  g_autofree float *test_x = g_new (float, N_CYCLES * N_FEATURES);
  g_autofree float *proba = g_malloc (proba_size ());
  guint8 train_y[N_CYCLES], is_test[N_CYCLES];
  int test_y[N_CYCLES], pred[N_CYCLES];
  g_autoptr(VigilForest) forest = NULL;
  guint n_train = 0, n_test = 0;
  VigilMetrics m;

  vigil_split_stratified (cycles->cooler, N_CYCLES, 0.25, 42, is_test);
  for (guint r = 0; r < N_CYCLES; r++)
    {
      float *dst = is_test[r] ? test_x + n_test * N_FEATURES : train_x + n_train * N_FEATURES;

      memcpy (dst, cycles->x + r * N_FEATURES, sizeof (float) * N_FEATURES);
      if (is_test[r])
        test_y[n_test++] = cycles->cooler[r];
      else
        train_y[n_train++] = cycles->y[r];
    }
  g_assert_cmpuint (n_test, ==, 451);

  forest = train (train_x, n_train, train_y, 100, 0, 1, 2);
  vigil_forest_predict (forest, test_x, n_test, proba);
  for (guint r = 0; r < n_test; r++)
    {
      const float *p = proba + r * 3;
      guint best = p[1] > p[0] ? 1 : 0;

      best = p[2] > p[best] ? 2 : best;
      pred[r] = cooler_values[best];
    }
  vigil_metrics_compute (test_y, pred, n_test, &m);
  g_test_message ("cooler, mean + std, 100 extra trees: held-out accuracy %.4f", m.accuracy);
  g_assert_cmpfloat (m.accuracy, >=, 0.99);
}

static void
test_invalid (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  guint8 bad_y[N_CYCLES];
  VigilForestParams params;
  VigilForest *forest;

  vigil_forest_params_init (&params);
  params.mtry = N_FEATURES + 1;
  forest = vigil_forest_train (cycles->x, N_CYCLES, N_FEATURES, cycles->y, 3, &params, NULL,
                               &error);
  g_assert_null (forest);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  vigil_forest_params_init (&params);
  memcpy (bad_y, cycles->y, sizeof bad_y);
  bad_y[100] = 3;
  forest = vigil_forest_train (cycles->x, N_CYCLES, N_FEATURES, bad_y, 3, &params, NULL,
                               &error);
  g_assert_null (forest);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  params.n_trees = 0;
  forest = vigil_forest_train (cycles->x, N_CYCLES, N_FEATURES, cycles->y, 3, &params, NULL,
                               &error);
  g_assert_null (forest);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  vigil_forest_params_init (&params);
  g_cancellable_cancel (cancellable);
  forest = vigil_forest_train (cycles->x, N_CYCLES, N_FEATURES, cycles->y, 3, &params,
                               cancellable, &error);
  g_assert_null (forest);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  load_cycles ();

  g_test_add_func ("/engine/forest/params", test_params);
  g_test_add_func ("/engine/forest/fits-training-rows", test_fits_training_rows);
  g_test_add_func ("/engine/forest/depth-limit", test_depth_limit);
  g_test_add_func ("/engine/forest/threads", test_threads);
  g_test_add_func ("/engine/forest/save-load", test_save_load);
  g_test_add_func ("/engine/forest/bad-blobs", test_bad_blobs);
  g_test_add_func ("/engine/forest/proba-importance", test_proba_and_importance);
  g_test_add_func ("/engine/forest/cooler-held-out", test_cooler_held_out);
  g_test_add_func ("/engine/forest/invalid", test_invalid);

  status = g_test_run ();
  g_free (cycles);
  return status;
}
