/* vigil-forest.h
 *
 * Vigil's own multiclass forest of extremely randomized trees (Geurts, Ernst and Wehenkel,
 * 2006): at each node a few features drawn at random, for each a threshold drawn uniformly
 * between the node's smallest and largest value, the best of those by Gini impurity; trees
 * grown on every row until their leaves are pure. No sorting, so a tree costs a few passes
 * over its rows per level. The model layer (vigil-model.h) wraps it as the "et" algorithm.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Classes a forest can tell apart: as many as a health model (VIGIL_MODEL_MAX_CLASSES). Every
 * node waiting to grow keeps a count per class. */
#define VIGIL_FOREST_MAX_CLASSES 16

typedef struct
{
  guint   n_trees;    /* 1 to 100000 */
  guint   max_depth;  /* 0: unlimited (leaves are pure, or cannot be split) */
  guint   mtry;       /* non-constant features tried at each node; 0: round(sqrt(n_features)) */
  guint64 seed;
  guint   n_threads;  /* 0: every processor; the trees do not depend on it */
} VigilForestParams;

/* 100 trees, unlimited depth, mtry 0 (automatic), seed 0, n_threads 0. */
void vigil_forest_params_init (VigilForestParams *params);

typedef struct _VigilForest VigilForest;

/* @x: @n_rows × @n_features floats, row-major. A NAN is never below a threshold: it goes to
 * the right child, in training and prediction alike. @y: one class index per row, below
 * @n_classes (2 to VIGIL_FOREST_MAX_CLASSES). Tree i draws from its own stretch (i jumps of
 * 2^128) of one xoshiro256** stream seeded by @params->seed, so a seed gives bit-identical
 * trees whatever the thread count. INVALID for bad parameters (mtry above @n_features among
 * them), CANCELLED when @cancellable is cancelled (checked before each tree). */
VigilForest *vigil_forest_train          (const float              *x,
                                          guint                     n_rows,
                                          guint                     n_features,
                                          const guint8             *y,
                                          guint                     n_classes,
                                          const VigilForestParams  *params,
                                          GCancellable             *cancellable,
                                          GError                  **error);
void         vigil_forest_free           (VigilForest              *forest);

guint        vigil_forest_get_n_features (VigilForest              *forest);
guint        vigil_forest_get_n_classes  (VigilForest              *forest);
/* The parameters as given, but n_threads (0 after a load) and mtry (resolved). */
void         vigil_forest_get_params     (VigilForest              *forest,
                                          VigilForestParams        *out);
/* Nodes of every tree, leaves included. */
guint        vigil_forest_get_n_nodes    (VigilForest              *forest);

/* @x: @n_rows × n_features floats. @out_proba: @n_rows × n_classes, per row the mean over the
 * trees of its leaf's class shares (as scikit-learn's predict_proba). Safe from any thread. */
void         vigil_forest_predict        (VigilForest              *forest,
                                          const float              *x,
                                          guint                     n_rows,
                                          float                    *out_proba);

/* Mean decrease in impurity: per tree each feature's share of the weighted Gini decrease of
 * its splits, averaged over the trees and normalized to sum to 1 (all zeros when no tree
 * splits). @out: n_features floats. */
void         vigil_forest_get_importance (VigilForest              *forest,
                                          float                    *out);

/* Little-endian, versioned, ending in a SHA-256 of everything before it. */
GBytes      *vigil_forest_save           (VigilForest              *forest);
/* VIGIL_ENGINE_ERROR_PARSE, saying what is wrong, for a truncated, corrupted or unknown blob. */
VigilForest *vigil_forest_load           (const guint8             *data,
                                          gsize                     len,
                                          GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilForest, vigil_forest_free)

G_END_DECLS
