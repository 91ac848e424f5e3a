/* vigil-export-dialog.h
 *
 * The Export dialog: what the shown source computed (windows, alarms or the alarm journal),
 * over a time range and a set of sensors, written as the CLI's CSV.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vigil-window.h"

G_BEGIN_DECLS

typedef enum
{
  VIGIL_EXPORT_WINDOWS,
  VIGIL_EXPORT_ALARMS,
  VIGIL_EXPORT_JOURNAL,
} VigilExportKind;

typedef enum
{
  VIGIL_EXPORT_RANGE_VISIBLE,   /* what the Hydraulics charts show when the file is written */
  VIGIL_EXPORT_RANGE_ALL,
  VIGIL_EXPORT_RANGE_CHOSEN,    /* [from_us, to_us) */
} VigilExportRange;

#define VIGIL_TYPE_EXPORT_DIALOG (vigil_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (VigilExportDialog, vigil_export_dialog, VIGIL, EXPORT_DIALOG, AdwWindow)

GtkWidget *vigil_export_dialog_new         (VigilWindow          *window);
void       vigil_export_dialog_set_kind    (VigilExportDialog    *self,
                                            VigilExportKind       kind);
/* @from_us and @to_us are used only by VIGIL_EXPORT_RANGE_CHOSEN (and shown in its entries). */
void       vigil_export_dialog_set_range   (VigilExportDialog    *self,
                                            VigilExportRange      range,
                                            gint64                from_us,
                                            gint64                to_us);
/* Bit (1 << VigilSensor) per sensor; 0: all the sensors of the source. */
void       vigil_export_dialog_set_sensors (VigilExportDialog    *self,
                                            guint32               mask);
/* Whether Export would be offered; otherwise vigil_export_dialog_get_error() says why. */
gboolean   vigil_export_dialog_get_ready   (VigilExportDialog    *self);
const char *vigil_export_dialog_get_error  (VigilExportDialog    *self);
/* Writes the CSV to @file off the main thread, through a temporary file renamed over it,
 * so @file is never left half written. What the file chooser's answer does. */
void       vigil_export_dialog_write_async (VigilExportDialog    *self,
                                            GFile                *file,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
/* @out_rows: the data rows written (the header row not counted). */
gboolean   vigil_export_dialog_write_finish (VigilExportDialog   *self,
                                             GAsyncResult        *result,
                                             guint64             *out_rows,
                                             GError             **error);

G_END_DECLS
