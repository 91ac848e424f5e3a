/* vigil-trainer.h
 *
 * Training a health model the way `vigil-cli train` and the Models page both do it: labels of
 * a feature table, a stratified split, training, test metrics, optional stratified k-fold
 * cross-validation, then the model registered in a store (champion when its target has none).
 * Also the registry's JSON columns, written and read back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vigil-features.h"
#include "vigil-model.h"
#include "vigil-store.h"

G_BEGIN_DECLS

/* The alias that names the model predicting a target live. */
#define VIGIL_CHAMPION_ALIAS "champion"

typedef struct
{
  VigilTarget      target;
  VigilModelParams params;
  double           test_fraction;  /* of each class held out for testing, in (0, 1) */
  guint            folds;          /* 0: no cross-validation; else 2 to 100 */
  gboolean         make_champion;  /* even when the target already has a champion */
} VigilTrainRequest;

/* The CLI's defaults: vigil_model_params_init (@algorithm), seed 0, a quarter held out, no
 * cross-validation, champion only when the target has none. */
void vigil_train_request_init (VigilTrainRequest *req,
                               VigilTarget        target,
                               VigilAlgorithm     algorithm);

typedef enum
{
  VIGIL_TRAIN_PHASE_SPLITTING,
  VIGIL_TRAIN_PHASE_TRAINING,
  VIGIL_TRAIN_PHASE_TESTING,
  VIGIL_TRAIN_PHASE_CROSS_VALIDATING,  /* fold is 1 to n_folds */
  VIGIL_TRAIN_PHASE_REGISTERING,
  VIGIL_TRAIN_PHASE_DONE,              /* fraction 1 */
} VigilTrainPhase;

/* Called on the thread that called vigil_train() when a phase (or a fold) begins, with the
 * fraction of the work done so far: never decreasing, 1 at VIGIL_TRAIN_PHASE_DONE. */
typedef void (*VigilTrainProgressFunc) (VigilTrainPhase  phase,
                                        guint            fold,
                                        guint            n_folds,
                                        double           fraction,
                                        gpointer         user_data);

typedef struct
{
  gint64            model_id;
  gint64            champion_id;   /* the target's champion afterwards */
  gboolean          is_champion;   /* champion_id == model_id */
  VigilTarget       target;
  VigilModelParams  params;        /* as the model reports them */
  guint             n_train;
  guint             n_test;
  guint             n_features;
  VigilMetrics      metrics;       /* on the test rows */
  guint             folds;
  double            cv_mean;       /* accuracy over the folds; 0 without folds */
  double            cv_std;        /* population standard deviation */
  float            *importance;    /* n_features, vigil_model_get_importance() */
  char            **feature_names; /* n_features, NULL-terminated */
} VigilTrainResult;

void              vigil_train_result_free (VigilTrainResult        *result);

/* Trains on every row of @table (which must have labels), tests on the held-out rows and
 * registers the model in @store, with @data_source and the event-time range (0: none) as
 * where it learnt. Cancelling @cancellable stops between phases, folds and boosting rounds
 * with VIGIL_ENGINE_ERROR_CANCELLED and registers nothing. INVALID for a table without
 * labels, too few rows to split, or a bad request. @progress may be NULL. */
VigilTrainResult *vigil_train             (VigilStore              *store,
                                           VigilFeatureTable       *table,
                                           const char              *data_source,
                                           gint64                   data_from_us,
                                           gint64                   data_to_us,
                                           const VigilTrainRequest *req,
                                           VigilTrainProgressFunc   progress,
                                           gpointer                 user_data,
                                           GCancellable            *cancellable,
                                           GError                 **error);

/* The registry's JSON columns (VigilModelRecord). */

char     *vigil_train_params_to_json    (const VigilModelParams  *params);
/* Fields the object lacks keep vigil_model_params_init()'s values for its algorithm. PARSE
 * for anything that is not such an object. */
gboolean  vigil_train_params_from_json  (const char              *json,
                                         VigilModelParams        *out,
                                         GError                 **error);
char     *vigil_train_features_to_json  (VigilFeatureTable       *table);
/* The names, NULL-terminated; PARSE unless a JSON array of strings. */
char    **vigil_train_features_from_json (const char             *json,
                                          GError                **error);
/* @folds 0 leaves the cross-validation out. */
char     *vigil_train_metrics_to_json   (const VigilMetrics      *metrics,
                                         guint                    folds,
                                         double                   cv_mean,
                                         double                   cv_std);
/* The test metrics (confusion, recall, accuracy, macro F1; classes at most
 * VIGIL_MODEL_MAX_CLASSES) and the cross-validation (folds 0 when there was none); the out
 * arguments but @out may be NULL. PARSE naming what is wrong otherwise. */
gboolean  vigil_train_metrics_from_json (const char              *json,
                                         VigilMetrics            *out,
                                         guint                   *out_folds,
                                         double                  *out_cv_mean,
                                         double                  *out_cv_std,
                                         GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilTrainResult, vigil_train_result_free)

G_END_DECLS
