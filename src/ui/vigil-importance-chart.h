/* vigil-importance-chart.h
 *
 * A model's feature importance: the most important features as horizontal bars, largest
 * first, each with its name and share of the total gain.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define VIGIL_IMPORTANCE_CHART_MAX_BARS 15

#define VIGIL_TYPE_IMPORTANCE_CHART (vigil_importance_chart_get_type ())
G_DECLARE_FINAL_TYPE (VigilImportanceChart, vigil_importance_chart, VIGIL, IMPORTANCE_CHART,
                      GtkWidget)

GtkWidget  *vigil_importance_chart_new        (void);
/* @values and @names: @n each, copied; the chart keeps the VIGIL_IMPORTANCE_CHART_MAX_BARS
 * largest values above 0 (ties in feature order). @n 0 shows nothing. */
void        vigil_importance_chart_set_values (VigilImportanceChart *self,
                                               const float          *values,
                                               const char * const   *names,
                                               guint                 n);
/* Bars shown, and the feature name of bar @i (0: the longest). */
guint       vigil_importance_chart_get_n_bars (VigilImportanceChart *self);
const char *vigil_importance_chart_get_name   (VigilImportanceChart *self,
                                               guint                 i);

G_END_DECLS
