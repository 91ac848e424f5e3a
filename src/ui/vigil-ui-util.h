/* vigil-ui-util.h
 *
 * Translated names of the engine's quantities and small formatting helpers the pages share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vigil-records.h"
#include "vigil-sensor.h"

G_BEGIN_DECLS

const char *vigil_ui_quantity_name   (VigilSensor      sensor);
/* What an alarm watches: "PS1", or a component's translated name ("Cooler"). */
const char *vigil_ui_key_name        (guint            key);
/* An alarm's statistic with its unit: "182.40 bar", or "0.93" on a component. */
char       *vigil_ui_format_alarm_value (guint         key,
                                         double        value);
/* A component's (VigilTarget's) condition by its class in the dataset's units, translated
 * ("Close to total failure" for a cooler at 3 %). @out_rank (may be NULL): 0 for the best
 * condition, growing as it worsens; @out_n_ranks (may be NULL): how many the component has. */
char       *vigil_ui_condition_name  (guint            target,
                                      int              klass,
                                      guint           *out_rank,
                                      guint           *out_n_ranks);
const char *vigil_ui_severity_name   (VigilSeverity    severity);
const char *vigil_ui_state_name      (VigilAlarmState  state);
const char *vigil_ui_cause_name      (VigilAlarmCause  cause);
/* "2026-01-01 00:01:00" in UTC, as the CSV reports write it; "" for 0. */
char       *vigil_ui_format_time     (gint64           us);

/* The style's named colour @name (e.g. "accent_color") for @widget, or @fallback (CSS) when
 * the style has none. */
void        vigil_ui_lookup_color    (GtkWidget       *widget,
                                      const char      *name,
                                      const char      *fallback,
                                      GdkRGBA         *out);

/* A filter named @name for files matching @pattern or of @mime_type (may be NULL). */
GtkFileFilter        *vigil_ui_file_filter_new     (const char              *name,
                                                    const char              *pattern,
                                                    const char              *mime_type);
/* Destroys the chooser in @slot, if any (closing it if it is shown). */
void                  vigil_ui_clear_file_chooser  (GtkFileChooserNative   **slot);
/* Puts in @slot, instead of what was there, a modal native chooser for @parent (through the
 * file chooser portal where there is one), with @filter (may be NULL) and, after it, "All
 * Files" when @all_files. Returned not yet shown, owned by @slot. */
GtkFileChooserNative *vigil_ui_file_chooser_new    (GtkFileChooserNative   **slot,
                                                    GtkWindow               *parent,
                                                    const char              *title,
                                                    GtkFileChooserAction     action,
                                                    const char              *accept_label,
                                                    GtkFileFilter           *filter,
                                                    gboolean                 all_files);

/* The dialog that acknowledges or shelves alarm @rule on @where (a sensor's or a camera's
 * name), raised at @raised_us: a comment entry and, with @with_duration, how long to shelve;
 * @response (button @response_label) is the default, "cancel" the other. *out_comment and
 * *out_duration (NULL without a duration) belong to the dialog. Returned not yet shown. */
AdwMessageDialog     *vigil_ui_alarm_dialog_new    (GtkWidget               *parent,
                                                    const char              *heading,
                                                    const char              *rule,
                                                    const char              *where,
                                                    gint64                   raised_us,
                                                    const char              *response,
                                                    const char              *response_label,
                                                    gboolean                 with_duration,
                                                    GtkEditable            **out_comment,
                                                    GtkDropDown            **out_duration);
/* What was typed in such a dialog's comment entry, or NULL for nothing (or no entry). */
const char           *vigil_ui_alarm_dialog_comment  (GtkEditable          *comment);
/* The shelving time chosen in such a dialog. */
gint64                vigil_ui_alarm_dialog_duration (GtkDropDown          *duration);

G_END_DECLS
