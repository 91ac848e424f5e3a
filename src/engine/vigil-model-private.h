/* vigil-model-private.h
 *
 * What training a model and judging it share: the sorted class values of a set of labels
 * (vigil-model-eval.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Adds the distinct values of @values to the @n_classes sorted values of @classes, which has
 * room for VIGIL_MODEL_MAX_CLASSES; returns their new number, or VIGIL_MODEL_MAX_CLASSES + 1
 * when there would be more. */
guint _vigil_classes_add  (const int *values,
                           guint      n,
                           int       *classes,
                           guint      n_classes);

/* @value's index in the sorted @classes, which hold it. */
guint _vigil_class_index  (const int *classes,
                           guint      n_classes,
                           int        value);

G_END_DECLS
