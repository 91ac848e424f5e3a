/* vigil-predictor.h
 *
 * Live health predictions: as the streams of a rig finish a cycle, the predictor gathers each
 * sensor's features of that cycle, and once every sensor has handed its cycle over, the
 * champion model of each component predicts it. Rules on components turn predictions into
 * alarms. Safe to feed from every worker thread at once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vigil-features.h"
#include "vigil-model.h"
#include "vigil-records.h"
#include "vigil-rules.h"
#include "vigil-sensor.h"
#include "vigil-store.h"

G_BEGIN_DECLS

typedef struct _VigilPredictor VigilPredictor;

/* Called with the predictor's lock held, so calls come one at a time and in the order things
 * happened: @predictions (VigilPrediction) and @transitions (VigilAlarmTransition, on component
 * keys) of one cycle, or the transitions of an operator action (no predictions). Either array
 * may be empty; both belong to the predictor. */
typedef void (*VigilPredictorEmitFunc) (GArray   *predictions,
                                        GArray   *transitions,
                                        gpointer  user_data);

/* A predictor for a source with @sensors (bit (1 << VigilSensor) each) that evaluates the
 * rules on components of @rules (may be NULL). It predicts nothing until models are added. */
VigilPredictor *vigil_predictor_new              (guint32                  sensors,
                                                  VigilRuleSet            *rules,
                                                  VigilPredictorEmitFunc   emit,
                                                  gpointer                 user_data);
void            vigil_predictor_free             (VigilPredictor          *self);

/* Predicts @target with @model (transfer full), registered as @model_id, whose columns are the
 * features named by @features_json (a JSON array such as ["PS1_mean", "PS1_std"]), replacing
 * any model for @target. INVALID, naming them, when the source lacks features it needs. */
gboolean        vigil_predictor_add_model        (VigilPredictor          *self,
                                                  VigilTarget              target,
                                                  gint64                   model_id,
                                                  VigilModel              *model,
                                                  const char              *features_json,
                                                  GError                 **error);
/* Adds the champion of every target @store has one for. A champion this source cannot feed
 * (it lacks sensors the model was trained on) is left out: its reason, one line per model, is
 * appended to @notes (may be NULL). Errors are the registry's: a file that cannot be read. */
gboolean        vigil_predictor_add_champions    (VigilPredictor          *self,
                                                  VigilStore              *store,
                                                  GString                 *notes,
                                                  GError                 **error);
guint           vigil_predictor_get_n_models     (VigilPredictor          *self);

/* Hands over the @n_values samples of @sensor in @cycle (0-based), which ended at @end_us.
 * Once every sensor of the source has handed @cycle over, it is predicted and emitted. */
void            vigil_predictor_add_cycle        (VigilPredictor          *self,
                                                  guint                    cycle,
                                                  gint64                   end_us,
                                                  VigilSensor              sensor,
                                                  const double            *values,
                                                  guint                    n_values);

/* Operator actions on component alarms, journaled at the end of the latest cycle predicted
 * (the predictor's event time), emitted like the rest. Errors as the alarm machine's. */
gboolean        vigil_predictor_acknowledge      (VigilPredictor          *self,
                                                  const char              *rule,
                                                  guint                    key,
                                                  const char              *comment,
                                                  GError                 **error);
gboolean        vigil_predictor_shelve           (VigilPredictor          *self,
                                                  const char              *rule,
                                                  guint                    key,
                                                  gint64                   duration_us,
                                                  const char              *comment,
                                                  GError                 **error);
/* The end of the source: expires shelving, drops cycles that never completed. */
void            vigil_predictor_finish           (VigilPredictor          *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilPredictor, vigil_predictor_free)

G_END_DECLS
