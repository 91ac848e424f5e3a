/* vigil-model.c
 *
 * Every model, binary or not, is one XGBoost multi:softprob booster over class indices 0..k-1,
 * so there is one code path for training, prediction and probabilities; Vigil keeps the class
 * values beside it. A random forest is XGBoost's: one boosting round growing n_trees parallel
 * trees with learning rate 1. The split and the folds use their own xoshiro256** generator so
 * that a seed means the same rows on every platform and GLib version.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-model"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <xgboost/c_api.h>

#include "vigil-error.h"
#include "vigil-model.h"

/* The blob: MAGIC, then little-endian fields (see save_header()), then XGBoost's UBJSON. */
#define MAGIC "VIGILXGB"
#define MAGIC_LEN 8
#define FORMAT_VERSION 1

struct _VigilModel
{
  /* XGBoost hands out result buffers that live until the next call on the same booster */
  GMutex           lock;
  BoosterHandle    booster;  /* owned, guarded by lock */

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
      /* XGBoost's hist grower needs a finite depth; 12 levels is more than the data fill */
      params->max_depth = 12;
      params->learning_rate = 1.0;
      /* the share of distinct rows a bootstrap sample holds, drawn without repeats instead */
      params->subsample = 0.632;
      params->colsample = 0.0;
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

  if (p->algorithm != VIGIL_ALGORITHM_RF && p->algorithm != VIGIL_ALGORITHM_GBT)
    bad = "unknown algorithm";
  else if (p->n_trees == 0 || p->n_trees > 100000)
    bad = "the number of trees must be from 1 to 100000";
  else if (p->max_depth == 0 || p->max_depth > 64)
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

static int
compare_int (gconstpointer a,
             gconstpointer b)
{
  int x = *(const int *) a;
  int y = *(const int *) b;

  return (x > y) - (x < y);
}

/* Sorted distinct values of @values into @out; returns their number, or max_out + 1 when there
 * are more than @max_out. */
static guint
distinct_sorted (const int *values,
                 guint      n,
                 int       *out,
                 guint      max_out)
{
  g_autofree int *sorted = g_memdup2 (values, sizeof (int) * n);
  guint n_out = 0;

  qsort (sorted, n, sizeof (int), compare_int);
  for (guint i = 0; i < n; i++)
    {
      if (i > 0 && sorted[i] == sorted[i - 1])
        continue;
      if (n_out == max_out)
        return max_out + 1;
      out[n_out++] = sorted[i];
    }
  return n_out;
}

static int
class_index (const int *classes,
             guint      n_classes,
             int        value)
{
  const int *found = bsearch (&value, classes, n_classes, sizeof (int), compare_int);

  return found != NULL ? (int) (found - classes) : -1;
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

static gboolean
configure_booster (BoosterHandle            booster,
                   const VigilModelParams  *p,
                   guint                    n_features,
                   guint                    n_classes,
                   GError                 **error)
{
  double colsample = p->colsample;

  if (colsample <= 0)
    colsample = p->algorithm == VIGIL_ALGORITHM_RF ? sqrt ((double) n_features) / n_features : 1.0;

  /* XGBoost seeds a 32-bit generator; folding the high half in lets every bit of ours count */
  return set_param (booster, "objective", "multi:softprob", error) &&
         set_param_uint (booster, "num_class", n_classes, error) &&
         set_param (booster, "tree_method", "hist", error) &&
         set_param_uint (booster, "seed", (p->seed ^ (p->seed >> 32)) & G_MAXINT32, error) &&
         set_param_uint (booster, "nthread", resolve_threads (p->n_threads), error) &&
         set_param_uint (booster, "max_depth", p->max_depth, error) &&
         set_param_double (booster, "subsample", p->subsample, error) &&
         set_param_double (booster, "colsample_bynode", colsample, error) &&
         (p->algorithm == VIGIL_ALGORITHM_RF
          ? set_param_uint (booster, "num_parallel_tree", p->n_trees, error) &&
            set_param_double (booster, "learning_rate", 1.0, error)
          : set_param_double (booster, "learning_rate", p->learning_rate, error));
}

static VigilModel *
model_new (BoosterHandle           booster,
           const VigilModelParams *params,
           guint                   n_features,
           const int              *classes,
           guint                   n_classes)
{
  VigilModel *model = g_new0 (VigilModel, 1);

  g_mutex_init (&model->lock);
  model->booster = booster;
  model->params = *params;
  model->n_features = n_features;
  model->n_classes = n_classes;
  memcpy (model->classes, classes, sizeof (int) * n_classes);
  return model;
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
  DMatrixHandle dmat = NULL;
  BoosterHandle booster = NULL;
  guint n_classes, n_rounds;
  gboolean ok;

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

  n_classes = distinct_sorted (labels, n_rows, classes, VIGIL_MODEL_MAX_CLASSES);
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

  y = g_new (float, n_rows);
  for (guint i = 0; i < n_rows; i++)
    y[i] = (float) class_index (classes, n_classes, labels[i]);

  if (!check_cancelled (cancellable, error))
    return NULL;

  ok = xgb_check (XGDMatrixCreateFromMat (x, n_rows, n_features, NAN, &dmat),
                  "build the training matrix", error) &&
       xgb_check (XGDMatrixSetFloatInfo (dmat, "label", y, n_rows), "set the labels", error) &&
       xgb_check (XGBoosterCreate (&dmat, 1, &booster), "create a booster", error) &&
       configure_booster (booster, params, n_features, n_classes, error);

  n_rounds = params->algorithm == VIGIL_ALGORITHM_RF ? 1 : params->n_trees;
  for (guint round = 0; ok && round < n_rounds; round++)
    ok = check_cancelled (cancellable, error) &&
         xgb_check (XGBoosterUpdateOneIter (booster, (int) round, dmat), "train", error);

  if (dmat != NULL)
    XGDMatrixFree (dmat);
  if (!ok)
    {
      if (booster != NULL)
        XGBoosterFree (booster);
      return NULL;
    }
  return model_new (booster, params, n_features, classes, n_classes);
}

void
vigil_model_free (VigilModel *model)
{
  if (model == NULL)
    return;
  XGBoosterFree (model->booster);
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

#define PREDICT_CONFIG \
  "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, " \
  "\"strict_shape\": true}"

gboolean
vigil_model_predict (VigilModel  *model,
                     const float *x,
                     guint        n_rows,
                     float       *out_proba,
                     int         *out_pred,
                     GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  DMatrixHandle dmat = NULL;
  const bst_ulong *shape = NULL;
  bst_ulong dim = 0;
  const float *result = NULL;
  gboolean ok;
  guint k;

  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (x != NULL || n_rows == 0, FALSE);
  g_return_val_if_fail (out_proba != NULL || n_rows == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_rows == 0)
    return TRUE;

  k = model->n_classes;
  locker = g_mutex_locker_new (&model->lock);
  ok = xgb_check (XGDMatrixCreateFromMat (x, n_rows, model->n_features, NAN, &dmat),
                  "build the matrix to predict", error) &&
       xgb_check (XGBoosterPredictFromDMatrix (model->booster, dmat, PREDICT_CONFIG,
                                               &shape, &dim, &result),
                  "predict", error);
  if (ok && (dim != 2 || shape[0] != n_rows || shape[1] != k))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_FAILED,
                   "XGBoost predicted an unexpected shape for %u rows of %u classes",
                   n_rows, k);
      ok = FALSE;
    }
  if (ok)
    memcpy (out_proba, result, sizeof (float) * n_rows * k);
  if (dmat != NULL)
    XGDMatrixFree (dmat);
  if (!ok)
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

static void
put_u32 (GByteArray *out,
         guint32     v)
{
  v = GUINT32_TO_LE (v);
  g_byte_array_append (out, (const guint8 *) &v, sizeof v);
}

static void
put_u64 (GByteArray *out,
         guint64     v)
{
  v = GUINT64_TO_LE (v);
  g_byte_array_append (out, (const guint8 *) &v, sizeof v);
}

static void
put_double (GByteArray *out,
            double      v)
{
  guint64 bits;

  memcpy (&bits, &v, sizeof bits);
  put_u64 (out, bits);
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
  put_u32 (out, FORMAT_VERSION);
  put_u32 (out, p->algorithm);
  put_u32 (out, p->n_trees);
  put_u32 (out, p->max_depth);
  put_double (out, p->learning_rate);
  put_double (out, p->subsample);
  put_double (out, p->colsample);
  put_u64 (out, p->seed);
  put_u32 (out, p->n_threads);
  put_u32 (out, model->n_features);
  put_u32 (out, model->n_classes);
  for (guint i = 0; i < model->n_classes; i++)
    put_u32 (out, (guint32) model->classes[i]);

  locker = g_mutex_locker_new (&model->lock);
  if (!xgb_check (XGBoosterSaveModelToBuffer (model->booster, "{\"format\": \"ubj\"}", &len, &buf),
                  "serialize the model", error))
    return NULL;
  put_u64 (out, len);
  g_byte_array_append (out, (const guint8 *) buf, len);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
  gboolean      short_read;
} Reader;

static const guint8 *
take (Reader *r,
      gsize   n)
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

static guint32
get_u32 (Reader *r)
{
  const guint8 *p = take (r, 4);
  guint32 v = 0;

  if (p != NULL)
    memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static guint64
get_u64 (Reader *r)
{
  const guint8 *p = take (r, 8);
  guint64 v = 0;

  if (p != NULL)
    memcpy (&v, p, 8);
  return GUINT64_FROM_LE (v);
}

static double
get_double (Reader *r)
{
  guint64 bits = get_u64 (r);
  double v;

  memcpy (&v, &bits, sizeof v);
  return v;
}

static gboolean
parse_error (GError     **error,
             const char  *what)
{
  g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
               "Not a Vigil model: %s", what);
  return FALSE;
}

/* Reads everything before XGBoost's part; leaves @r at its first byte. */
static gboolean
load_header (Reader            *r,
             VigilModelParams  *p,
             guint             *n_features,
             int               *classes,
             guint             *n_classes,
             GError           **error)
{
  const guint8 *magic = take (r, MAGIC_LEN);
  guint32 version;

  if (magic == NULL || memcmp (magic, MAGIC, MAGIC_LEN) != 0)
    return parse_error (error, "the data does not start with the model signature");
  version = get_u32 (r);
  if (r->short_read)
    return parse_error (error, "the header is truncated");
  if (version != FORMAT_VERSION)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "Model format version %u is not known (this Vigil reads version %d)",
                   version, FORMAT_VERSION);
      return FALSE;
    }
  memset (p, 0, sizeof *p);
  p->algorithm = get_u32 (r);
  p->n_trees = get_u32 (r);
  p->max_depth = get_u32 (r);
  p->learning_rate = get_double (r);
  p->subsample = get_double (r);
  p->colsample = get_double (r);
  p->seed = get_u64 (r);
  p->n_threads = get_u32 (r);
  *n_features = get_u32 (r);
  *n_classes = get_u32 (r);
  if (r->short_read)
    return parse_error (error, "the header is truncated");
  if (!check_params (p, NULL))
    return parse_error (error, "the parameters are out of range");
  if (*n_features == 0 || *n_classes < 2 || *n_classes > VIGIL_MODEL_MAX_CLASSES)
    return parse_error (error, "the feature or class count is out of range");
  for (guint i = 0; i < *n_classes; i++)
    {
      classes[i] = (int) get_u32 (r);
      if (i > 0 && classes[i] <= classes[i - 1])
        return parse_error (error, "the classes are not in increasing order");
    }
  if (r->short_read)
    return parse_error (error, "the class list is truncated");
  return TRUE;
}

VigilModel *
vigil_model_load (GBytes  *bytes,
                  GError **error)
{
  Reader r = { 0 };
  VigilModelParams params;
  int classes[VIGIL_MODEL_MAX_CLASSES];
  guint n_features, n_classes;
  guint64 xgb_len;
  const guint8 *xgb;
  BoosterHandle booster = NULL;
  bst_ulong booster_features = 0;
  gboolean ok;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  r.data = g_bytes_get_data (bytes, &r.len);
  if (!load_header (&r, &params, &n_features, classes, &n_classes, error))
    return NULL;
  xgb_len = get_u64 (&r);
  if (r.short_read || xgb_len != r.len - r.pos)
    {
      parse_error (error, "the XGBoost model is truncated or followed by other data");
      return NULL;
    }
  xgb = take (&r, xgb_len);

  ok = xgb_check (XGBoosterCreate (NULL, 0, &booster), "create a booster", error) &&
       xgb_check (XGBoosterLoadModelFromBuffer (booster, xgb, xgb_len),
                  "read the model", error) &&
       set_param_uint (booster, "nthread", resolve_threads (params.n_threads), error) &&
       xgb_check (XGBoosterGetNumFeature (booster, &booster_features),
                  "read the model's feature count", error);
  if (ok && booster_features != n_features)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "Not a Vigil model: XGBoost's model has %" G_GUINT64_FORMAT
                   " features where the header says %u", (guint64) booster_features, n_features);
      ok = FALSE;
    }
  if (!ok)
    {
      if (booster != NULL)
        XGBoosterFree (booster);
      if (error != NULL && *error != NULL && (*error)->code == VIGIL_ENGINE_ERROR_FAILED)
        (*error)->code = VIGIL_ENGINE_ERROR_PARSE;
      return NULL;
    }
  return model_new (booster, &params, n_features, classes, n_classes);
}

gboolean
vigil_model_get_importance (VigilModel  *model,
                            float       *out,
                            GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  bst_ulong n_names = 0, dim = 0;
  const char **names = NULL;
  const bst_ulong *shape = NULL;
  const float *scores = NULL;
  double total = 0;

  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (out, 0, sizeof (float) * model->n_features);
  locker = g_mutex_locker_new (&model->lock);
  if (!xgb_check (XGBoosterFeatureScore (model->booster, "{\"importance_type\": \"total_gain\"}",
                                         &n_names, &names, &dim, &shape, &scores),
                  "compute feature importance", error))
    return FALSE;

  /* Without feature names XGBoost calls feature i "fi" and lists only those it split on. */
  for (bst_ulong i = 0; i < n_names; i++)
    {
      guint64 index = 0;

      if (names[i][0] != 'f' ||
          !g_ascii_string_to_unsigned (names[i] + 1, 10, 0, model->n_features - 1, &index, NULL))
        {
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_FAILED,
                       "XGBoost named an unknown feature “%s”", names[i]);
          return FALSE;
        }
      out[index] = scores[i];
      total += scores[i];
    }
  for (guint i = 0; total > 0 && i < model->n_features; i++)
    out[i] = (float) (out[i] / total);
  return TRUE;
}

void
vigil_metrics_compute (const int    *truth,
                       const int    *pred,
                       guint         n,
                       VigilMetrics *out)
{
  g_autofree int *both = NULL;
  guint k, correct = 0;
  double f1_sum = 0;

  g_return_if_fail (truth != NULL || n == 0);
  g_return_if_fail (pred != NULL || n == 0);
  g_return_if_fail (out != NULL);

  memset (out, 0, sizeof *out);
  if (n == 0)
    return;

  both = g_new (int, (gsize) n * 2);
  memcpy (both, truth, sizeof (int) * n);
  memcpy (both + n, pred, sizeof (int) * n);
  k = distinct_sorted (both, n * 2, out->classes, VIGIL_MODEL_MAX_CLASSES);
  g_return_if_fail (k <= VIGIL_MODEL_MAX_CLASSES);
  out->n_classes = k;

  for (guint i = 0; i < n; i++)
    {
      int t = class_index (out->classes, k, truth[i]);
      int p = class_index (out->classes, k, pred[i]);

      out->confusion[t][p]++;
      correct += t == p;
    }
  out->accuracy = (double) correct / n;

  for (guint c = 0; c < k; c++)
    {
      guint tp = out->confusion[c][c], row = 0, col = 0;

      for (guint o = 0; o < k; o++)
        {
          row += out->confusion[c][o];
          col += out->confusion[o][c];
        }
      out->recall[c] = row > 0 ? (double) tp / row : 0.0;
      /* 2TP + FP + FN = row + col, never 0 for a class that occurs in truth or pred */
      f1_sum += 2.0 * tp / (row + col);
    }
  out->macro_f1 = f1_sum / k;
}

/* xoshiro256**, seeded through splitmix64 as its authors recommend. */
typedef struct
{
  guint64 s[4];
} Rng;

static guint64
splitmix64 (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static void
rng_init (Rng     *rng,
          guint64  seed)
{
  for (guint i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&seed);
}

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

static guint64
rng_next (Rng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

/* Uniform in [0, bound), without the bias of a plain modulo. */
static guint64
rng_below (Rng     *rng,
           guint64  bound)
{
  guint64 limit = G_MAXUINT64 - G_MAXUINT64 % bound;
  guint64 v;

  do
    v = rng_next (rng);
  while (v >= limit);
  return v % bound;
}

typedef void (*DealFunc) (const guint *rows,
                          guint        count,
                          gpointer     user_data);

/* By label, then by row: each class becomes a run of its rows in their original order. */
static int
compare_row_label (gconstpointer a,
                   gconstpointer b,
                   gpointer      labels)
{
  guint ra = *(const guint *) a;
  guint rb = *(const guint *) b;
  int by_label = compare_int ((const int *) labels + ra, (const int *) labels + rb);

  return by_label != 0 ? by_label : (ra > rb) - (ra < rb);
}

/* Calls @deal for every class in increasing order of value with its rows: in their original
 * order, then shuffled by one generator seeded with @seed and carried from class to class. */
static void
for_each_class_shuffled (const int *labels,
                         guint      n,
                         guint64    seed,
                         DealFunc   deal,
                         gpointer   user_data)
{
  g_autofree guint *order = g_new (guint, n);
  Rng rng;

  rng_init (&rng, seed);
  for (guint i = 0; i < n; i++)
    order[i] = i;
  g_qsort_with_data (order, n, sizeof (guint), compare_row_label, (gpointer) labels);

  for (guint start = 0, end; start < n; start = end)
    {
      guint *run = order + start;
      guint count;

      for (end = start + 1; end < n && labels[order[end]] == labels[order[start]]; end++)
        ;
      count = end - start;
      for (guint j = count; j > 1; j--)
        {
          guint other = (guint) rng_below (&rng, j);
          guint tmp = run[j - 1];

          run[j - 1] = run[other];
          run[other] = tmp;
        }
      deal (run, count, user_data);
    }
}

typedef struct
{
  double  test_fraction;
  guint8 *out_is_test;
} SplitData;

static void
deal_split (const guint *rows,
            guint        count,
            gpointer     user_data)
{
  SplitData *data = user_data;
  guint n_test = (guint) floor (data->test_fraction * count + 0.5);

  for (guint j = 0; j < count; j++)
    data->out_is_test[rows[j]] = j < n_test;
}

void
vigil_split_stratified (const int *labels,
                        guint      n,
                        double     test_fraction,
                        guint64    seed,
                        guint8    *out_is_test)
{
  SplitData data = { test_fraction, out_is_test };

  g_return_if_fail (labels != NULL || n == 0);
  g_return_if_fail (out_is_test != NULL || n == 0);
  g_return_if_fail (test_fraction >= 0 && test_fraction <= 1);

  for_each_class_shuffled (labels, n, seed, deal_split, &data);
}

typedef struct
{
  guint  k;
  guint  next;  /* carried across classes so that fold sizes stay even too */
  guint *out_fold;
} FoldData;

static void
deal_folds (const guint *rows,
            guint        count,
            gpointer     user_data)
{
  FoldData *data = user_data;

  for (guint j = 0; j < count; j++)
    {
      data->out_fold[rows[j]] = data->next;
      data->next = (data->next + 1) % data->k;
    }
}

void
vigil_folds_stratified (const int *labels,
                        guint      n,
                        guint      k,
                        guint64    seed,
                        guint     *out_fold)
{
  FoldData data = { k, 0, out_fold };

  g_return_if_fail (labels != NULL || n == 0);
  g_return_if_fail (out_fold != NULL || n == 0);
  g_return_if_fail (k >= 1);

  for_each_class_shuffled (labels, n, seed, deal_folds, &data);
}
