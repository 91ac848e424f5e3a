/* vigil-model.c
 *
 * A model is XGBoost over class indices 0..k-1, Vigil keeping the class values beside it:
 * multi:softprob, which grows one tree per class, or for two classes binary:logistic, whose
 * one tree does the work of softprob's two mirror images. A random forest is XGBoost's: one
 * boosting round growing n_trees parallel trees with learning rate 1, in parts that threads of
 * ours grow side by side. Extra trees are Vigil's own (vigil-forest.c), kept beside the same
 * class values. How a model is judged (metrics, split, folds) is in vigil-model-eval.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-model"

#include "config.h"

#include <math.h>
#include <string.h>

#include <xgboost/c_api.h>

#include "vigil-blob-private.h"
#include "vigil-error.h"
#include "vigil-forest.h"
#include "vigil-model.h"
#include "vigil-model-private.h"

/* The blob: MAGIC, then little-endian fields (see vigil_model_save()), then each booster's
 * tree count and XGBoost's UBJSON, or the size and blob of an extra-trees forest. Version 1
 * held one booster and no count; version 3 added mtry to the header, and extra trees. */
#define MAGIC "VIGILXGB"
#define MAGIC_LEN 8
#define FORMAT_VERSION 3

/* A forest of n trees is grown as CLAMP (n / TREES_PER_PART, 1, MAX_PARTS) boosters, each one
 * round of its share of the trees, so that threads of ours can grow whole parts side by side;
 * the split depends on n alone, never on the thread count. A part costs some milliseconds
 * before its first tree (its matrix, its sorted columns, XGBoost's configuration), so it
 * gets enough trees for that to stay small. */
#define TREES_PER_PART 10
#define MAX_PARTS 8

/* XGBoost's own threads meet at a barrier for every level and block of features. On a table
 * of a few thousand rows each barrier guards little work: two threads train at best twice as
 * fast on an idle machine, but on a busy one a descheduled thread stalls every barrier and
 * training took tens of times longer. Boosting gives XGBoost several threads only from this
 * many cells (rows × features) on; a forest uses threads of its own instead. */
#define XGB_THREADED_CELLS (G_GUINT64_CONSTANT (1) << 22)

/* Extra trees by default: 100 trees, each split trying every feature. Chosen by 5-fold
 * cross-validation on the training rows of the hydraulic targets (bench/README.md): every
 * feature beat round(sqrt(n)), 2 round(sqrt(n)) and n / 2, and 300 trees gained too little
 * over 100 for three times the work. */
#define ET_TREES 100

/* Boosting's histograms: 128 bins per feature, not XGBoost's 256. Most of a boosting round on
 * a table of a few thousand rows is spent scanning each node's bins for the best split, so
 * halving them makes training about a quarter to a half cheaper, and 5-fold cross-validation
 * on the training rows of the hydraulic targets found no loss of accuracy (bench/README.md). */
#define GBT_MAX_BIN 128

G_STATIC_ASSERT (VIGIL_FOREST_MAX_CLASSES >= VIGIL_MODEL_MAX_CLASSES);

struct _VigilModel
{
  /* XGBoost hands out result buffers that live until the next call on the same booster */
  GMutex           lock;
  guint            n_boosters;
  BoosterHandle   *boosters;      /* owned, guarded by lock */
  guint           *n_part_trees;  /* per booster: its trees per class (rf), or 0 (gbt) */
  VigilForest     *forest;        /* et: owned, read-only once trained (no lock); else NULL */

  VigilModelParams params;
  guint            n_features;
  guint            n_classes;
  int              classes[VIGIL_MODEL_MAX_CLASSES];
};

const char *
vigil_algorithm_to_string (VigilAlgorithm algorithm)
{
  switch (algorithm)
    {
    case VIGIL_ALGORITHM_RF:
      return "rf";
    case VIGIL_ALGORITHM_GBT:
      return "gbt";
    case VIGIL_ALGORITHM_ET:
      return "et";
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
vigil_algorithm_from_string (const char     *s,
                             VigilAlgorithm *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  if (g_strcmp0 (s, "rf") == 0)
    *out = VIGIL_ALGORITHM_RF;
  else if (g_strcmp0 (s, "gbt") == 0)
    *out = VIGIL_ALGORITHM_GBT;
  else if (g_strcmp0 (s, "et") == 0)
    *out = VIGIL_ALGORITHM_ET;
  else
    return FALSE;
  return TRUE;
}

void
vigil_model_params_init (VigilModelParams *params,
                         VigilAlgorithm    algorithm)
{
  g_return_if_fail (params != NULL);

  memset (params, 0, sizeof *params);
  params->algorithm = algorithm;
  if (algorithm == VIGIL_ALGORITHM_RF)
    {
      params->n_trees = 20;
      params->max_depth = 20;
      params->learning_rate = 1.0;
      params->subsample = 1.0;
      params->colsample = 0.0;
    }
  else if (algorithm == VIGIL_ALGORITHM_ET)
    {
      params->n_trees = ET_TREES;
      params->max_depth = 0;
      params->learning_rate = 1.0;
      params->subsample = 1.0;
      params->colsample = 1.0;
    }
  else
    {
      params->n_trees = 100;
      params->max_depth = 6;
      params->learning_rate = 0.3;
      params->subsample = 1.0;
      params->colsample = 1.0;
    }
}

static gboolean
xgb_check (int          rc,
           const char  *what,
           GError     **error)
{
  g_autofree char *message = NULL;
  char *trace;

  if (rc == 0)
    return TRUE;
  /* a person needs XGBoost's words, not the stack of its C++ frames after them */
  message = g_strdup (XGBGetLastError ());
  trace = strstr (message, "Stack trace:");
  if (trace != NULL)
    *trace = '\0';
  g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_FAILED,
               "XGBoost could not %s: %s", what, g_strstrip (message));
  return FALSE;
}

static gboolean
check_params (const VigilModelParams  *p,
              GError                 **error)
{
  const char *bad = NULL;

  if (p->algorithm != VIGIL_ALGORITHM_RF && p->algorithm != VIGIL_ALGORITHM_GBT &&
      p->algorithm != VIGIL_ALGORITHM_ET)
    bad = "unknown algorithm";
  else if (p->n_trees == 0 || p->n_trees > 100000)
    bad = "the number of trees must be from 1 to 100000";
  else if (p->algorithm != VIGIL_ALGORITHM_ET && (p->max_depth == 0 || p->max_depth > 64))
    bad = "the maximum depth must be from 1 to 64";
  else if (!(p->learning_rate > 0 && p->learning_rate <= 1))
    bad = "the learning rate must be in (0, 1]";
  else if (!(p->subsample > 0 && p->subsample <= 1))
    bad = "subsample must be in (0, 1]";
  else if (!(p->colsample <= 1) || isnan (p->colsample))
    bad = "colsample must be at most 1 (0 or less: automatic)";

  if (bad == NULL)
    return TRUE;
  g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
               "Invalid model parameters: %s", bad);
  return FALSE;
}

static guint
resolve_threads (guint n_threads)
{
  return n_threads > 0 ? n_threads : MAX (1u, g_get_num_processors ());
}

static gboolean
set_param (BoosterHandle   booster,
           const char     *name,
           const char     *value,
           GError        **error)
{
  g_autofree char *what = g_strdup_printf ("set %s to %s", name, value);

  return xgb_check (XGBoosterSetParam (booster, name, value), what, error);
}

static gboolean
set_param_double (BoosterHandle   booster,
                  const char     *name,
                  double          value,
                  GError        **error)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return set_param (booster, name, g_ascii_dtostr (buf, sizeof buf, value), error);
}

static gboolean
set_param_uint (BoosterHandle   booster,
                const char     *name,
                guint64         value,
                GError        **error)
{
  char buf[32];

  g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, value);
  return set_param (booster, name, buf, error);
}

/* XGBoost's seed for part @part: the parts of a forest need streams of their own, and XGBoost
 * seeds a 32-bit generator, so every bit of ours is mixed in (splitmix64's finalizer). */
static guint64
part_seed (guint64 seed,
           guint   part)
{
  guint64 z = seed + part * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  z ^= z >> 31;
  return (z ^ (z >> 32)) & G_MAXINT32;
}

static gboolean
configure_booster (BoosterHandle            booster,
                   const VigilModelParams  *p,
                   guint                    n_features,
                   guint                    n_classes,
                   guint                    part,
                   guint                    part_trees,
                   guint                    n_threads,
                   GError                 **error)
{
  double colsample = p->colsample;

  if (colsample <= 0)
    colsample = p->algorithm == VIGIL_ALGORITHM_RF ? sqrt ((double) n_features) / n_features : 1.0;

  if (!((n_classes == 2
         ? set_param (booster, "objective", "binary:logistic", error)
         : set_param (booster, "objective", "multi:softprob", error) &&
           set_param_uint (booster, "num_class", n_classes, error)) &&
        set_param_uint (booster, "seed", part_seed (p->seed, part), error) &&
        set_param_uint (booster, "nthread", n_threads, error) &&
        set_param_uint (booster, "max_depth", p->max_depth, error) &&
        set_param_double (booster, "subsample", p->subsample, error) &&
        set_param_double (booster, "colsample_bynode", colsample, error)))
    return FALSE;

  if (p->algorithm == VIGIL_ALGORITHM_GBT)
    return set_param (booster, "tree_method", "hist", error) &&
           set_param_uint (booster, "max_bin", GBT_MAX_BIN, error) &&
           set_param_double (booster, "learning_rate", p->learning_rate, error);

  /* A forest is one Newton step from the uniform prior p = 1/k. Without regularization a
   * leaf's value for class c is (share of c in the leaf - p) / h, h = 2p (1 - p) for softprob
   * and p (1 - p) for logistic, so averaging the trees and taking the largest margin is the
   * vote of the leaves' class shares, as in Breiman's forest; lambda would shrink small leaves
   * toward 0 and min_child_weight, a hessian sum, would stop leaves of fewer than 1 / h rows,
   * where a forest grows its trees until their leaves are pure. The exact grower splits between distinct values,
   * as a forest does, and on deep trees over a few thousand rows it is faster than the
   * histogram one, whose cost grows with the number of nodes. */
  return set_param (booster, "tree_method", "exact", error) &&
         set_param_uint (booster, "num_parallel_tree", part_trees, error) &&
         set_param_double (booster, "learning_rate", 1.0, error) &&
         set_param_double (booster, "min_child_weight", 0.0, error) &&
         set_param_double (booster, "reg_lambda", 0.0, error);
}

/* Takes @boosters and @n_part_trees. */
static VigilModel *
model_new (BoosterHandle          *boosters,
           guint                  *n_part_trees,
           guint                   n_boosters,
           const VigilModelParams *params,
           guint                   n_features,
           const int              *classes,
           guint                   n_classes)
{
  VigilModel *model = g_new0 (VigilModel, 1);

  g_mutex_init (&model->lock);
  model->n_boosters = n_boosters;
  model->boosters = boosters;
  model->n_part_trees = n_part_trees;
  model->params = *params;
  model->n_features = n_features;
  model->n_classes = n_classes;
  memcpy (model->classes, classes, sizeof (int) * n_classes);
  return model;
}

static void
free_boosters (BoosterHandle *boosters,
               guint          n)
{
  for (guint i = 0; boosters != NULL && i < n; i++)
    if (boosters[i] != NULL)
      XGBoosterFree (boosters[i]);
  g_free (boosters);
}

static gboolean
check_cancelled (GCancellable  *cancellable,
                 GError       **error)
{
  if (!g_cancellable_is_cancelled (cancellable))
    return TRUE;
  g_set_error_literal (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_CANCELLED,
                       "Training was cancelled");
  return FALSE;
}

typedef struct
{
  const float            *x;
  const float            *y;
  guint                   n_rows;
  guint                   n_features;
  guint                   n_classes;
  const VigilModelParams *params;
  GCancellable           *cancellable;
  guint                   n_parts;
  guint                  *n_part_trees;
  BoosterHandle          *boosters;   /* [n_parts] */
  GError                **errors;     /* [n_parts] */
  int                     next_part;  /* atomic */
  int                     failed;     /* atomic */
} TrainJob;

static gboolean
train_part (TrainJob  *job,
            guint      part,
            GError   **error)
{
  const VigilModelParams *p = job->params;
  gboolean forest = p->algorithm == VIGIL_ALGORITHM_RF;
  guint64 cells = (guint64) job->n_rows * job->n_features;
  guint n_threads = forest || cells < XGB_THREADED_CELLS ? 1 : resolve_threads (p->n_threads);
  guint n_rounds = forest ? 1 : p->n_trees;
  DMatrixHandle dmat = NULL;
  gboolean ok;

  ok = check_cancelled (job->cancellable, error) &&
       xgb_check (XGDMatrixCreateFromMat (job->x, job->n_rows, job->n_features, NAN, &dmat),
                  "build the training matrix", error) &&
       xgb_check (XGDMatrixSetFloatInfo (dmat, "label", job->y, job->n_rows),
                  "set the labels", error) &&
       xgb_check (XGBoosterCreate (&dmat, 1, &job->boosters[part]), "create a booster", error) &&
       configure_booster (job->boosters[part], p, job->n_features, job->n_classes, part,
                          job->n_part_trees[part], n_threads, error);
  for (guint round = 0; ok && round < n_rounds; round++)
    ok = (round == 0 || check_cancelled (job->cancellable, error)) &&
         xgb_check (XGBoosterUpdateOneIter (job->boosters[part], (int) round, dmat), "train",
                    error);
  if (dmat != NULL)
    XGDMatrixFree (dmat);
  return ok;
}

/* Takes parts until none is left or one has failed. */
static gpointer
train_worker (gpointer data)
{
  TrainJob *job = data;
  int part;

  while (!g_atomic_int_get (&job->failed) &&
         (part = g_atomic_int_add (&job->next_part, 1)) < (int) job->n_parts)
    if (!train_part (job, part, &job->errors[part]))
      g_atomic_int_set (&job->failed, TRUE);
  return NULL;
}

static VigilModel *
train_extra_trees (const float             *x,
                   guint                    n_rows,
                   guint                    n_features,
                   const int               *labels,
                   const VigilModelParams  *params,
                   const int               *classes,
                   guint                    n_classes,
                   GCancellable            *cancellable,
                   GError                 **error)
{
  g_autofree guint8 *y = g_new (guint8, n_rows);
  VigilForestParams fp;
  VigilForest *forest;
  VigilModel *model;

  for (guint i = 0; i < n_rows; i++)
    y[i] = (guint8) _vigil_class_index (classes, n_classes, labels[i]);
  vigil_forest_params_init (&fp);
  fp.n_trees = params->n_trees;
  fp.max_depth = params->max_depth;
  fp.mtry = params->mtry > 0 ? params->mtry : n_features;
  fp.seed = params->seed;
  fp.n_threads = params->n_threads;
  forest = vigil_forest_train (x, n_rows, n_features, y, n_classes, &fp, cancellable, error);
  if (forest == NULL)
    return NULL;
  model = model_new (NULL, NULL, 0, params, n_features, classes, n_classes);
  model->forest = forest;
  return model;
}

VigilModel *
vigil_model_train (const float             *x,
                   guint                    n_rows,
                   guint                    n_features,
                   const int               *labels,
                   const VigilModelParams  *params,
                   GCancellable            *cancellable,
                   GError                 **error)
{
  int classes[VIGIL_MODEL_MAX_CLASSES];
  g_autofree float *y = NULL;
  g_autofree GError **errors = NULL;
  g_autofree GThread **threads = NULL;
  TrainJob job = { 0 };
  guint n_classes, n_threads;

  g_return_val_if_fail (x != NULL, NULL);
  g_return_val_if_fail (labels != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n_rows == 0 || n_features == 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Cannot train on %u rows of %u features", n_rows, n_features);
      return NULL;
    }
  if (!check_params (params, error))
    return NULL;

  n_classes = _vigil_classes_add (labels, n_rows, classes, 0);
  if (n_classes < 2 || n_classes > VIGIL_MODEL_MAX_CLASSES)
    {
      if (n_classes < 2)
        g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                     "Cannot train a classifier: every one of the %u rows has label %d",
                     n_rows, labels[0]);
      else
        g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                     "Cannot train a classifier on more than %d distinct labels",
                     VIGIL_MODEL_MAX_CLASSES);
      return NULL;
    }

  if (params->algorithm == VIGIL_ALGORITHM_ET)
    return train_extra_trees (x, n_rows, n_features, labels, params, classes, n_classes,
                              cancellable, error);

  y = g_new (float, n_rows);
  for (guint i = 0; i < n_rows; i++)
    y[i] = (float) _vigil_class_index (classes, n_classes, labels[i]);

  job.x = x;
  job.y = y;
  job.n_rows = n_rows;
  job.n_features = n_features;
  job.n_classes = n_classes;
  job.params = params;
  job.cancellable = cancellable;
  if (params->algorithm == VIGIL_ALGORITHM_RF)
    {
      job.n_parts = CLAMP (params->n_trees / TREES_PER_PART, 1, MAX_PARTS);
      job.n_part_trees = g_new (guint, job.n_parts);
      for (guint i = 0; i < job.n_parts; i++)
        job.n_part_trees[i] = params->n_trees / job.n_parts + (i < params->n_trees % job.n_parts);
    }
  else
    {
      job.n_parts = 1;
      job.n_part_trees = g_new0 (guint, 1);
    }
  job.boosters = g_new0 (BoosterHandle, job.n_parts);
  job.errors = errors = g_new0 (GError *, job.n_parts);

  /* The calling thread is one of the workers. */
  n_threads = MIN (resolve_threads (params->n_threads), job.n_parts);
  threads = g_new0 (GThread *, n_threads);
  for (guint i = 1; i < n_threads; i++)
    threads[i] = g_thread_new ("vigil-train", train_worker, &job);
  train_worker (&job);
  for (guint i = 1; i < n_threads; i++)
    g_thread_join (threads[i]);

  if (job.failed)
    {
      /* the first failed part in order, whichever thread ran into it first */
      for (guint i = 0; i < job.n_parts; i++)
        if (errors[i] != NULL && error != NULL && *error == NULL)
          g_propagate_error (error, g_steal_pointer (&errors[i]));
        else
          g_clear_error (&errors[i]);
      free_boosters (job.boosters, job.n_parts);
      g_free (job.n_part_trees);
      return NULL;
    }
  return model_new (job.boosters, job.n_part_trees, job.n_parts, params, n_features, classes,
                    n_classes);
}

void
vigil_model_free (VigilModel *model)
{
  if (model == NULL)
    return;
  free_boosters (model->boosters, model->n_boosters);
  g_free (model->n_part_trees);
  vigil_forest_free (model->forest);
  g_mutex_clear (&model->lock);
  g_free (model);
}

guint
vigil_model_get_n_classes (VigilModel *model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->n_classes;
}

int
vigil_model_get_class (VigilModel *model,
                       guint       i)
{
  g_return_val_if_fail (model != NULL, 0);
  g_return_val_if_fail (i < model->n_classes, 0);
  return model->classes[i];
}

guint
vigil_model_get_n_features (VigilModel *model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->n_features;
}

void
vigil_model_get_params (VigilModel       *model,
                        VigilModelParams *out)
{
  g_return_if_fail (model != NULL);
  g_return_if_fail (out != NULL);
  *out = model->params;
}

/* type 0: probabilities; type 1: margins (before the softmax) */
#define PREDICT_CONFIG(type) \
  "{\"type\": " #type ", \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, " \
  "\"strict_shape\": true}"

/* @width: k columns, or 1 (class 1) for a two-class logistic booster; models saved before
 * Vigil used logistic hold two-class softprob boosters. */
static gboolean
predict_booster (BoosterHandle   booster,
                 DMatrixHandle   dmat,
                 gboolean        margin,
                 guint           n_rows,
                 guint           k,
                 const float   **result,
                 guint          *width,
                 GError        **error)
{
  const bst_ulong *shape = NULL;
  bst_ulong dim = 0;

  if (!xgb_check (XGBoosterPredictFromDMatrix (booster, dmat,
                                               margin ? PREDICT_CONFIG (1) : PREDICT_CONFIG (0),
                                               &shape, &dim, result),
                  "predict", error))
    return FALSE;
  *width = dim == 2 ? (guint) shape[1] : 0;
  if (dim != 2 || shape[0] != n_rows || !(*width == k || (*width == 1 && k == 2)))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_FAILED,
                   "XGBoost predicted an unexpected shape for %u rows of %u classes",
                   n_rows, k);
      return FALSE;
    }
  return TRUE;
}

/* A forest in parts: each part's margin is the base score plus the mean of its trees' leaves,
 * so the forest's margin is the mean of the parts' weighted by their tree counts; then the
 * sigmoid or softmax XGBoost would have applied. */
static gboolean
predict_parts (VigilModel   *model,
               DMatrixHandle dmat,
               guint         n_rows,
               float        *out_proba,
               GError      **error)
{
  guint k = model->n_classes, width = k;
  g_autofree double *margin = g_new0 (double, (gsize) n_rows * k);

  for (guint b = 0; b < model->n_boosters; b++)
    {
      double w = (double) model->n_part_trees[b] / model->params.n_trees;
      const float *result = NULL;

      if (!predict_booster (model->boosters[b], dmat, TRUE, n_rows, k, &result, &width, error))
        return FALSE;
      for (gsize i = 0; i < (gsize) n_rows * width; i++)
        margin[i] += w * result[i];
    }
  for (guint r = 0; r < n_rows; r++)
    {
      const double *m = margin + (gsize) r * width;
      float *out = out_proba + (gsize) r * k;
      double top = m[0], sum = 0;

      if (width == 1)
        {
          out[1] = (float) (1 / (1 + exp (-m[0])));
          out[0] = 1 - out[1];
          continue;
        }
      for (guint c = 1; c < k; c++)
        top = MAX (top, m[c]);
      for (guint c = 0; c < k; c++)
        sum += exp (m[c] - top);
      for (guint c = 0; c < k; c++)
        out[c] = (float) (exp (m[c] - top) / sum);
    }
  return TRUE;
}

static gboolean
predict_xgboost (VigilModel   *model,
                 const float  *x,
                 guint         n_rows,
                 float        *out_proba,
                 GError      **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&model->lock);
  DMatrixHandle dmat = NULL;
  const float *result = NULL;
  guint k = model->n_classes, width;
  gboolean ok;

  ok = xgb_check (XGDMatrixCreateFromMat (x, n_rows, model->n_features, NAN, &dmat),
                  "build the matrix to predict", error);
  if (ok && model->n_boosters > 1)
    ok = predict_parts (model, dmat, n_rows, out_proba, error);
  else if (ok)
    {
      ok = predict_booster (model->boosters[0], dmat, FALSE, n_rows, k, &result, &width,
                            error);
      for (guint r = 0; ok && width == 1 && r < n_rows; r++)
        {
          out_proba[2 * r + 1] = result[r];
          out_proba[2 * r] = 1 - result[r];
        }
      if (ok && width == k)
        memcpy (out_proba, result, sizeof (float) * n_rows * k);
    }
  if (dmat != NULL)
    XGDMatrixFree (dmat);
  return ok;
}

gboolean
vigil_model_predict (VigilModel  *model,
                     const float *x,
                     guint        n_rows,
                     float       *out_proba,
                     int         *out_pred,
                     GError     **error)
{
  guint k;

  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (x != NULL || n_rows == 0, FALSE);
  g_return_val_if_fail (out_proba != NULL || n_rows == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_rows == 0)
    return TRUE;

  k = model->n_classes;
  if (model->forest != NULL)
    vigil_forest_predict (model->forest, x, n_rows, out_proba);
  else if (!predict_xgboost (model, x, n_rows, out_proba, error))
    return FALSE;

  for (guint r = 0; out_pred != NULL && r < n_rows; r++)
    {
      const float *p = out_proba + (gsize) r * k;
      guint best = 0;

      for (guint c = 1; c < k; c++)
        if (p[c] > p[best])
          best = c;
      out_pred[r] = model->classes[best];
    }
  return TRUE;
}

GBytes *
vigil_model_save (VigilModel  *model,
                  GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GByteArray) out = NULL;
  const char *buf = NULL;
  bst_ulong len = 0;
  const VigilModelParams *p;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  p = &model->params;
  out = g_byte_array_new ();
  g_byte_array_append (out, (const guint8 *) MAGIC, MAGIC_LEN);
  vigil_blob_put_u32 (out, FORMAT_VERSION);
  vigil_blob_put_u32 (out, p->algorithm);
  vigil_blob_put_u32 (out, p->n_trees);
  vigil_blob_put_u32 (out, p->max_depth);
  vigil_blob_put_double (out, p->learning_rate);
  vigil_blob_put_double (out, p->subsample);
  vigil_blob_put_double (out, p->colsample);
  vigil_blob_put_u64 (out, p->seed);
  vigil_blob_put_u32 (out, p->n_threads);
  vigil_blob_put_u32 (out, p->mtry);
  vigil_blob_put_u32 (out, model->n_features);
  vigil_blob_put_u32 (out, model->n_classes);
  for (guint i = 0; i < model->n_classes; i++)
    vigil_blob_put_u32 (out, (guint32) model->classes[i]);

  if (model->forest != NULL)
    {
      g_autoptr(GBytes) forest = vigil_forest_save (model->forest);

      vigil_blob_put_u64 (out, g_bytes_get_size (forest));
      g_byte_array_append (out, g_bytes_get_data (forest, NULL), g_bytes_get_size (forest));
      return g_byte_array_free_to_bytes (g_steal_pointer (&out));
    }

  vigil_blob_put_u32 (out, model->n_boosters);

  locker = g_mutex_locker_new (&model->lock);
  for (guint b = 0; b < model->n_boosters; b++)
    {
      if (!xgb_check (XGBoosterSaveModelToBuffer (model->boosters[b], "{\"format\": \"ubj\"}",
                                                  &len, &buf),
                      "serialize the model", error))
        return NULL;
      vigil_blob_put_u32 (out, model->n_part_trees[b]);
      vigil_blob_put_u64 (out, len);
      g_byte_array_append (out, (const guint8 *) buf, len);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static gboolean
parse_error (GError     **error,
             const char  *what)
{
  g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
               "Not a Vigil model: %s", what);
  return FALSE;
}

/* Reads everything before the boosters; leaves @r at the first. */
static gboolean
load_header (VigilBlobReader   *r,
             guint32           *version,
             VigilModelParams  *p,
             guint             *n_features,
             int               *classes,
             guint             *n_classes,
             GError           **error)
{
  const guint8 *magic = vigil_blob_take (r, MAGIC_LEN);

  if (magic == NULL || memcmp (magic, MAGIC, MAGIC_LEN) != 0)
    return parse_error (error, "the data does not start with the model signature");
  *version = vigil_blob_get_u32 (r);
  if (r->short_read)
    return parse_error (error, "the header is truncated");
  if (*version < 1 || *version > FORMAT_VERSION)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "Model format version %u is not known (this Vigil reads versions 1 to %d)",
                   *version, FORMAT_VERSION);
      return FALSE;
    }
  memset (p, 0, sizeof *p);
  p->algorithm = vigil_blob_get_u32 (r);
  p->n_trees = vigil_blob_get_u32 (r);
  p->max_depth = vigil_blob_get_u32 (r);
  p->learning_rate = vigil_blob_get_double (r);
  p->subsample = vigil_blob_get_double (r);
  p->colsample = vigil_blob_get_double (r);
  p->seed = vigil_blob_get_u64 (r);
  p->n_threads = vigil_blob_get_u32 (r);
  if (*version >= 3)
    p->mtry = vigil_blob_get_u32 (r);
  *n_features = vigil_blob_get_u32 (r);
  *n_classes = vigil_blob_get_u32 (r);
  if (r->short_read)
    return parse_error (error, "the header is truncated");
  if (!check_params (p, NULL) || (*version < 3 && p->algorithm == VIGIL_ALGORITHM_ET))
    return parse_error (error, "the parameters are out of range");
  if (*n_features == 0 || *n_classes < 2 || *n_classes > VIGIL_MODEL_MAX_CLASSES)
    return parse_error (error, "the feature or class count is out of range");
  for (guint i = 0; i < *n_classes; i++)
    {
      classes[i] = (int) vigil_blob_get_u32 (r);
      if (i > 0 && classes[i] <= classes[i - 1])
        return parse_error (error, "the classes are not in increasing order");
    }
  if (r->short_read)
    return parse_error (error, "the class list is truncated");
  return TRUE;
}

static BoosterHandle
load_booster (const guint8  *xgb,
              guint64        xgb_len,
              guint          n_features,
              GError       **error)
{
  BoosterHandle booster = NULL;
  bst_ulong booster_features = 0;
  gboolean ok;

  /* one thread: a loaded model predicts a few cycles at a time */
  ok = xgb_check (XGBoosterCreate (NULL, 0, &booster), "create a booster", error) &&
       xgb_check (XGBoosterLoadModelFromBuffer (booster, xgb, xgb_len),
                  "read the model", error) &&
       set_param_uint (booster, "nthread", 1, error) &&
       xgb_check (XGBoosterGetNumFeature (booster, &booster_features),
                  "read the model's feature count", error);
  if (ok && booster_features != n_features)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "Not a Vigil model: XGBoost's model has %" G_GUINT64_FORMAT
                   " features where the header says %u", (guint64) booster_features, n_features);
      ok = FALSE;
    }
  if (!ok && booster != NULL)
    {
      XGBoosterFree (booster);
      booster = NULL;
    }
  return booster;
}

/* The rest of @r is the forest's own blob. */
static VigilModel *
load_extra_trees (VigilBlobReader         *r,
                  const VigilModelParams  *params,
                  guint                    n_features,
                  const int               *classes,
                  guint                    n_classes,
                  GError                 **error)
{
  guint64 len = vigil_blob_get_u64 (r);
  VigilForestParams fp;
  VigilForest *forest;
  VigilModel *model;

  if (r->short_read || len != vigil_blob_left (r))
    {
      parse_error (error, "the forest is truncated or followed by other data");
      return NULL;
    }
  forest = vigil_forest_load (vigil_blob_take (r, len), len, error);
  if (forest == NULL)
    return NULL;
  vigil_forest_get_params (forest, &fp);
  if (vigil_forest_get_n_features (forest) != n_features ||
      vigil_forest_get_n_classes (forest) != n_classes || fp.n_trees != params->n_trees)
    {
      vigil_forest_free (forest);
      parse_error (error, "the forest's sizes differ from the header's");
      return NULL;
    }
  model = model_new (NULL, NULL, 0, params, n_features, classes, n_classes);
  model->forest = forest;
  return model;
}

VigilModel *
vigil_model_load (GBytes  *bytes,
                  GError **error)
{
  VigilBlobReader r = { 0 };
  VigilModelParams params;
  int classes[VIGIL_MODEL_MAX_CLASSES];
  guint n_features, n_classes, n_boosters = 1, tree_sum = 0;
  guint32 version;
  BoosterHandle *boosters = NULL;
  guint *n_part_trees = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  r.data = g_bytes_get_data (bytes, &r.len);
  if (!load_header (&r, &version, &params, &n_features, classes, &n_classes, error))
    return NULL;
  if (params.algorithm == VIGIL_ALGORITHM_ET)
    return load_extra_trees (&r, &params, n_features, classes, n_classes, error);
  if (version >= 2)
    {
      n_boosters = vigil_blob_get_u32 (&r);
      if (r.short_read || n_boosters == 0 || n_boosters > MAX_PARTS ||
          (params.algorithm == VIGIL_ALGORITHM_GBT && n_boosters != 1))
        {
          parse_error (error, "the number of boosters is out of range");
          return NULL;
        }
    }

  boosters = g_new0 (BoosterHandle, n_boosters);
  n_part_trees = g_new0 (guint, n_boosters);
  for (guint b = 0; ok && b < n_boosters; b++)
    {
      guint64 xgb_len;

      /* version 1 held one booster with every tree */
      if (version >= 2)
        n_part_trees[b] = vigil_blob_get_u32 (&r);
      else if (params.algorithm == VIGIL_ALGORITHM_RF)
        n_part_trees[b] = params.n_trees;
      tree_sum += n_part_trees[b];
      xgb_len = vigil_blob_get_u64 (&r);
      if (r.short_read || xgb_len > r.len - r.pos ||
          (b == n_boosters - 1 && xgb_len != r.len - r.pos))
        ok = parse_error (error, "the XGBoost model is truncated or followed by other data");
      else
        ok = (boosters[b] = load_booster (vigil_blob_take (&r, xgb_len), xgb_len, n_features,
                                          error)) != NULL;
    }
  if (ok && params.algorithm == VIGIL_ALGORITHM_RF && tree_sum != params.n_trees)
    ok = parse_error (error, "the parts of the forest do not add up to its trees");
  if (!ok)
    {
      free_boosters (boosters, n_boosters);
      g_free (n_part_trees);
      if (error != NULL && *error != NULL && (*error)->code == VIGIL_ENGINE_ERROR_FAILED)
        (*error)->code = VIGIL_ENGINE_ERROR_PARSE;
      return NULL;
    }
  return model_new (boosters, n_part_trees, n_boosters, &params, n_features, classes, n_classes);
}

gboolean
vigil_model_get_importance (VigilModel  *model,
                            float       *out,
                            GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree double *sum = NULL;
  double total = 0;

  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (model->forest != NULL)
    {
      vigil_forest_get_importance (model->forest, out);
      return TRUE;
    }
  sum = g_new0 (double, model->n_features);
  memset (out, 0, sizeof (float) * model->n_features);
  locker = g_mutex_locker_new (&model->lock);
  for (guint b = 0; b < model->n_boosters; b++)
    {
      bst_ulong n_names = 0, dim = 0;
      const char **names = NULL;
      const bst_ulong *shape = NULL;
      const float *scores = NULL;

      if (!xgb_check (XGBoosterFeatureScore (model->boosters[b],
                                             "{\"importance_type\": \"total_gain\"}",
                                             &n_names, &names, &dim, &shape, &scores),
                      "compute feature importance", error))
        return FALSE;

      /* Without feature names XGBoost calls feature i "fi" and lists only those it split on. */
      for (bst_ulong i = 0; i < n_names; i++)
        {
          guint64 index = 0;

          if (names[i][0] != 'f' ||
              !g_ascii_string_to_unsigned (names[i] + 1, 10, 0, model->n_features - 1, &index,
                                           NULL))
            {
              g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_FAILED,
                           "XGBoost named an unknown feature “%s”", names[i]);
              return FALSE;
            }
          sum[index] += scores[i];
          total += scores[i];
        }
    }
  for (guint i = 0; total > 0 && i < model->n_features; i++)
    out[i] = (float) (sum[i] / total);
  return TRUE;
}
