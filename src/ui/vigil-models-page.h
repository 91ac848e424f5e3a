/* vigil-models-page.h
 *
 * The Models page: the health models registered in the open source's recording, each with
 * its metrics, confusion matrix and feature importance; training a new one on the open
 * dataset and choosing the champion a target predicts with live.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "vigil-confusion-view.h"
#include "vigil-importance-chart.h"
#include "vigil-player.h"
#include "vigil-trainer.h"

G_BEGIN_DECLS

#define VIGIL_TYPE_MODELS_PAGE (vigil_models_page_get_type ())
G_DECLARE_FINAL_TYPE (VigilModelsPage, vigil_models_page, VIGIL, MODELS_PAGE, GtkWidget)

void                  vigil_models_page_set_player          (VigilModelsPage         *self,
                                                             VigilPlayer             *player);
/* Reads the registry again, off the main thread. */
void                  vigil_models_page_refresh             (VigilModelsPage         *self);
/* Whether a read, a write or a training is under way. */
gboolean              vigil_models_page_get_busy            (VigilModelsPage         *self);

/* The models listed, newest first. */
guint                 vigil_models_page_get_n_models        (VigilModelsPage         *self);
gint64                vigil_models_page_get_model_id        (VigilModelsPage         *self,
                                                             guint                    i);
/* The model whose details are shown (0: none); selecting loads them off the main thread. */
gint64                vigil_models_page_get_selected        (VigilModelsPage         *self);
void                  vigil_models_page_select              (VigilModelsPage         *self,
                                                             gint64                   id);
VigilConfusionView   *vigil_models_page_get_confusion_view  (VigilModelsPage         *self);
VigilImportanceChart *vigil_models_page_get_importance_chart (VigilModelsPage        *self);
/* Makes the selected model its target's champion (the Make Champion button). */
void                  vigil_models_page_make_champion       (VigilModelsPage         *self);

/* Whether the Train button can be used: a dataset is open (a recording is read-only). */
gboolean              vigil_models_page_get_can_train       (VigilModelsPage         *self);
/* Presents the Train dialog (the Train button) and returns it. */
GtkWindow            *vigil_models_page_show_train_dialog   (VigilModelsPage         *self);
/* Puts @req in the dialog's fields. */
void                  vigil_models_page_set_train_request   (VigilModelsPage         *self,
                                                             const VigilTrainRequest *req);
/* The dialog's Train button: trains on the open dataset with the dialog's fields. */
void                  vigil_models_page_start_training      (VigilModelsPage         *self);
/* The dialog's message after a failed training, or NULL. */
const char           *vigil_models_page_get_train_error     (VigilModelsPage         *self);

G_END_DECLS
