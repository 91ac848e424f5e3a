/* vigil-open-dialog.h
 *
 * The Open dialog: choose a dataset folder, a recording, or a folder of images or a video
 * as a camera, see what it holds before it plays, set the options, then open it in the
 * window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vigil-window.h"

G_BEGIN_DECLS

#define VIGIL_TYPE_OPEN_DIALOG (vigil_open_dialog_get_type ())
G_DECLARE_FINAL_TYPE (VigilOpenDialog, vigil_open_dialog, VIGIL, OPEN_DIALOG, AdwWindow)

GtkWidget  *vigil_open_dialog_new       (VigilWindow      *window);
/* What the file choosers and the recent list do: inspects @file off the main thread (a
 * folder of images or a video as a camera, another folder as a dataset, another file as a
 * recording). "busy" is TRUE until the answer is shown. */
void        vigil_open_dialog_select    (VigilOpenDialog  *self,
                                         GFile            *file);
gboolean    vigil_open_dialog_get_busy  (VigilOpenDialog  *self);
/* Whether Open would be tried: a source was inspected without error, the options hold. */
gboolean    vigil_open_dialog_get_ready (VigilOpenDialog  *self);
/* What keeps the dialog from being ready, as shown in it; NULL when nothing does. */
const char *vigil_open_dialog_get_error (VigilOpenDialog  *self);
/* What the rules file chooser does; NULL: the built-in rules. A file the engine refuses
 * shows its error and keeps the dialog from being ready. */
void        vigil_open_dialog_set_rules_file (VigilOpenDialog *self,
                                              GFile           *file);
/* Picks a session of the recording shown; FALSE when it has no such session. */
gboolean    vigil_open_dialog_select_session (VigilOpenDialog *self,
                                              gint64           session_id);
/* What the Open button does, without closing the dialog. */
gboolean    vigil_open_dialog_open      (VigilOpenDialog  *self,
                                         GError          **error);

G_END_DECLS
