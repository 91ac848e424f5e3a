/* vigil-features.h
 *
 * Per-cycle features of a hydraulic rig for health models: one row per cycle, a few numbers
 * per sensor, computed from a dataset folder (every feature) or from a recorded session's
 * cycle-aligned windows (what the windows give exactly), with the cycle's labels.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vigil-records.h"
#include "vigil-sensor.h"
#include "vigil-store.h"

G_BEGIN_DECLS

/* What a model predicts: one column of profile.txt. */
typedef enum
{
  VIGIL_TARGET_COOLER,
  VIGIL_TARGET_VALVE,
  VIGIL_TARGET_PUMP,
  VIGIL_TARGET_ACCUMULATOR,
  VIGIL_TARGET_STABLE,
  VIGIL_N_TARGETS
} VigilTarget;

/* "cooler", "valve", "pump", "accumulator", "stable". */
const char *vigil_target_to_string   (VigilTarget             target);
gboolean    vigil_target_from_string (const char             *name,
                                      VigilTarget            *out);
/* The class in the dataset's own units, e.g. 3/20/100 for the cooler. */
int         vigil_cycle_label_get    (const VigilCycleLabel  *label,
                                      VigilTarget             target);

/* Rows are cycles, columns features, named "<SENSOR>_<feature>" for every sensor present, in
 * VigilSensor order; absent sensors are left out, never zero-filled.
 *
 * From a dataset folder each sensor has vigil_features_per_sensor() features, in this order:
 *   mean
 *   std           population standard deviation (divides by n, numpy's default ddof=0)
 *   min, max
 *   slope         least-squares slope of value against time in seconds since the cycle began
 *   q25, q50, q75 quartiles, interpolated linearly between order statistics (numpy's
 *                 default "linear" method: position (n - 1) q of the sorted values)
 *   first_energy  mean of the squares of the samples of the first 5 seconds
 *   last_energy   the same over the last 5 seconds
 * From a store each sensor has the first four (mean, std, min, max), the same definitions. */
typedef struct _VigilFeatureTable VigilFeatureTable;

/* Streams every sensor file of @dir a row at a time; labels come from profile.txt when it
 * is there. Errors name the file and the line. */
VigilFeatureTable *vigil_feature_table_new_from_dataset (const char         *dir,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
/* Session @session_id (0: the latest) of @store. Its windows must be 60 s long and start
 * where cycles start (INVALID otherwise). A cycle without a complete window for every
 * sensor of the session, or without a label in a session that has labels, is left out and
 * counted (vigil_feature_table_get_n_skipped()). */
VigilFeatureTable *vigil_feature_table_new_from_store   (VigilStore         *store,
                                                         gint64              session_id,
                                                         GError            **error);
void               vigil_feature_table_free             (VigilFeatureTable  *self);

guint                  vigil_feature_table_get_n_rows     (VigilFeatureTable *self);
guint                  vigil_feature_table_get_n_features (VigilFeatureTable *self);
/* "PS1_mean", "PS1_std", ... */
const char            *vigil_feature_table_get_name       (VigilFeatureTable *self,
                                                           guint              feature);
const float           *vigil_feature_table_get_row        (VigilFeatureTable *self,
                                                           guint              row);
/* n_rows * n_features floats, row-major. */
const float           *vigil_feature_table_get_data       (VigilFeatureTable *self);
gboolean               vigil_feature_table_has_labels     (VigilFeatureTable *self);
/* NULL without labels. */
const VigilCycleLabel *vigil_feature_table_get_label      (VigilFeatureTable *self,
                                                           guint              row);
/* 0-based cycle of @row in the source. */
guint                  vigil_feature_table_get_cycle      (VigilFeatureTable *self,
                                                           guint              row);
/* The sensors that have columns: bit (1 << VigilSensor) each. */
guint32                vigil_feature_table_get_sensors    (VigilFeatureTable *self);
/* Cycles of the source left out (always 0 from a dataset). */
guint                  vigil_feature_table_get_n_skipped  (VigilFeatureTable *self);

/* The features of one cycle of one sensor, the dataset definitions above (for predicting a
 * cycle live): writes vigil_features_per_sensor() floats to @out. */
guint       vigil_features_per_sensor (void);
/* The name of the @feature-th of them: "mean", "std", ... ("PS1_mean" is PS1's "mean"). */
const char *vigil_features_get_name   (guint feature);
void        vigil_features_compute    (VigilSensor   sensor,
                                       const double *values,
                                       guint         n_values,
                                       float        *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilFeatureTable, vigil_feature_table_free)

G_END_DECLS
