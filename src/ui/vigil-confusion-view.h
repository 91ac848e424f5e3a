/* vigil-confusion-view.h
 *
 * A model's confusion matrix as a heat map: true classes down, predicted classes across, in
 * the dataset's units, the count in each cell and its colour by the row's share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "vigil-model.h"

G_BEGIN_DECLS

#define VIGIL_TYPE_CONFUSION_VIEW (vigil_confusion_view_get_type ())
G_DECLARE_FINAL_TYPE (VigilConfusionView, vigil_confusion_view, VIGIL, CONFUSION_VIEW, GtkWidget)

GtkWidget          *vigil_confusion_view_new         (void);
/* Copies @metrics; NULL shows nothing. */
void                vigil_confusion_view_set_metrics (VigilConfusionView *self,
                                                      const VigilMetrics *metrics);
/* What is shown, or NULL. */
const VigilMetrics *vigil_confusion_view_get_metrics (VigilConfusionView *self);
/* The share of row @true_class's count in cell (@true_class, @predicted), 0 to 1: what
 * colours the cell. */
double              vigil_confusion_view_get_share   (VigilConfusionView *self,
                                                      guint               true_class,
                                                      guint               predicted);

G_END_DECLS
