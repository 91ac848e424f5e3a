/* vigil-preferences-window.h
 *
 * Preferences: the style, how datasets are replayed by default, notifications and the list
 * of recent sources, each bound to its key in the application's settings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define VIGIL_TYPE_PREFERENCES_WINDOW (vigil_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (VigilPreferencesWindow, vigil_preferences_window, VIGIL,
                      PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget *vigil_preferences_window_new            (GSettings               *settings);
/* What choosing a rules file does: a file the engine refuses is not kept, and its error is
 * shown in a toast. Returns whether @file was kept. */
gboolean   vigil_preferences_window_set_rules_file (VigilPreferencesWindow  *self,
                                                    GFile                   *file);

G_END_DECLS
