/* vigil-model.h
 *
 * Health models: classifiers trained with XGBoost (random forest or gradient boosting) or
 * Vigil's own extremely randomized trees (vigil-forest.h) on plain row-major float matrices,
 * their serialized form (vigil-model.c), and how they are evaluated (metrics, stratified split,
 * stratified k-fold: vigil-model-eval.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Classes a model or a metrics table can hold. The hydraulic targets have at most four. */
#define VIGIL_MODEL_MAX_CLASSES 16

typedef enum
{
  VIGIL_ALGORITHM_RF,   /* "rf": one round of n_trees parallel trees on feature samples */
  VIGIL_ALGORITHM_GBT,  /* "gbt": n_trees rounds of gradient boosting */
  VIGIL_ALGORITHM_ET,   /* "et": n_trees extremely randomized trees (vigil-forest.h) */
} VigilAlgorithm;

const char *vigil_algorithm_to_string   (VigilAlgorithm  algorithm);
gboolean    vigil_algorithm_from_string (const char     *s,
                                         VigilAlgorithm *out);

typedef struct
{
  VigilAlgorithm algorithm;
  guint          n_trees;        /* rf, et: trees in the forest; gbt: boosting rounds */
  guint          max_depth;      /* et: 0 for unlimited */
  double         learning_rate;  /* gbt only; a forest always uses 1 */
  double         subsample;      /* fraction of rows each tree sees, drawn without replacement */
  double         colsample;      /* fraction of features each split considers (rf: drawn once
                                  * per tree level, as XGBoost's exact method does); <= 0: rf
                                  * takes sqrt(n_features) / n_features, gbt takes 1 */
  guint64        seed;
  guint          n_threads;      /* 0: every processor; results do not depend on it. A forest
                                  * grows its parts (10 trees or more each, at most 8 parts)
                                  * side by side; boosting is sequential and uses XGBoost's
                                  * threads only on tables of 2^22 cells (rows x features)
                                  * or more; extra trees are grown a tree at a time by
                                  * threads of Vigil's */
  guint          mtry;           /* et: features tried at each split, 0 for every one (the
                                  * forest's own default is round(sqrt(n))); rf and gbt: 0,
                                  * unused (they use colsample) */
} VigilModelParams;

/* rf: 20 trees (the original pipeline's forest), depth 20, subsample 1, colsample auto, grown
 * by XGBoost's exact method without regularization (min_child_weight 0, lambda 0), so each
 * tree grows until its leaves are pure or 20 deep and the forest votes with its leaves' class
 * shares, as Breiman's does; gbt: 100 rounds, depth 6, learning rate 0.3, subsample 1,
 * colsample 1, XGBoost's hist method (128 bins) with its own regularization (min_child_weight 1,
 * lambda 1); et: 100 trees, depth unlimited, mtry 0 (every feature; learning rate, subsample
 * and colsample 1, unused). Seed 0, n_threads 0. The forests' were chosen by 5-fold
 * cross-validation on the training rows of the hydraulic targets (bench/README.md). */
void vigil_model_params_init (VigilModelParams *params,
                              VigilAlgorithm    algorithm);

typedef struct _VigilModel VigilModel;

/* @x: @n_rows × @n_features floats, row-major, NAN for missing values. @labels: one class value
 * per row in the data's own units (e.g. 3, 20, 100); the model's classes are their distinct
 * values, sorted, from 2 to VIGIL_MODEL_MAX_CLASSES of them (else VIGIL_ENGINE_ERROR_INVALID).
 * Cancelling @cancellable stops between boosting rounds, parts of a forest or extra trees with
 * VIGIL_ENGINE_ERROR_CANCELLED.
 * The same data, parameters and seed give bit-identical probabilities. */
VigilModel *vigil_model_train          (const float             *x,
                                        guint                    n_rows,
                                        guint                    n_features,
                                        const int               *labels,
                                        const VigilModelParams  *params,
                                        GCancellable            *cancellable,
                                        GError                 **error);
void        vigil_model_free           (VigilModel              *model);

guint       vigil_model_get_n_classes  (VigilModel              *model);
/* The @i-th class value, in increasing order. */
int         vigil_model_get_class      (VigilModel              *model,
                                        guint                    i);
guint       vigil_model_get_n_features (VigilModel              *model);
/* The parameters the model was trained with (colsample as given, not resolved). */
void        vigil_model_get_params     (VigilModel              *model,
                                        VigilModelParams        *out);

/* @x: @n_rows × vigil_model_get_n_features() floats. @out_proba: @n_rows × n_classes, each row
 * summing to 1, columns in class order. @out_pred (may be NULL): per row, the class value with
 * the highest probability (the smaller class on a tie). Safe to call from several threads. */
gboolean    vigil_model_predict        (VigilModel              *model,
                                        const float             *x,
                                        guint                    n_rows,
                                        float                   *out_proba,
                                        int                     *out_pred,
                                        GError                 **error);

/* One blob: Vigil's header (format version, parameters, classes, feature count) followed by
 * XGBoost's own model in Universal Binary JSON, one per part of a forest, or by the extra-trees
 * forest's own blob (vigil_forest_save()). Loads what earlier versions saved. */
GBytes     *vigil_model_save           (VigilModel              *model,
                                        GError                 **error);
/* VIGIL_ENGINE_ERROR_PARSE for anything that is not such a blob. */
VigilModel *vigil_model_load           (GBytes                  *bytes,
                                        GError                 **error);

/* Total gain per feature index (rf, gbt) or mean decrease in Gini impurity (et), normalized to
 * sum to 1 (all zeros when the model never splits); @out holds vigil_model_get_n_features()
 * floats, zero for unused features. */
gboolean    vigil_model_get_importance (VigilModel              *model,
                                        float                   *out,
                                        GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilModel, vigil_model_free)

/* Evaluation. */

typedef struct
{
  guint  n_classes;
  int    classes[VIGIL_MODEL_MAX_CLASSES];                            /* sorted */
  guint  confusion[VIGIL_MODEL_MAX_CLASSES][VIGIL_MODEL_MAX_CLASSES]; /* [true][predicted] */
  double accuracy;
  double macro_f1;   /* mean over classes of 2TP / (2TP + FP + FN) */
  double recall[VIGIL_MODEL_MAX_CLASSES];                             /* 0 for a class never true */
} VigilMetrics;

/* The classes are the distinct values of @truth and @pred together (as scikit-learn does), so a
 * prediction of a class that never occurs still lands in the confusion matrix and counts, with
 * F1 0, in the macro F1. At most VIGIL_MODEL_MAX_CLASSES of them. */
void vigil_metrics_compute   (const int    *truth,
                              const int    *pred,
                              guint         n,
                              VigilMetrics *out);

/* Per class (in increasing order of value), the class's rows in order are shuffled with a
 * generator seeded by @seed, and the first round(@test_fraction × count) go to the test set.
 * @out_is_test[i] = 1 for a test row, 0 for a training row. */
void vigil_split_stratified  (const int    *labels,
                              guint         n,
                              double        test_fraction,
                              guint64       seed,
                              guint8       *out_is_test);

/* @out_fold[i] in 0..@k-1: per class, the rows are shuffled and dealt round-robin, so each
 * class's count differs by at most 1 between folds (and so does each fold's size). */
void vigil_folds_stratified  (const int    *labels,
                              guint         n,
                              guint         k,
                              guint64       seed,
                              guint        *out_fold);

G_END_DECLS
