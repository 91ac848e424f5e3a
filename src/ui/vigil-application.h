/* vigil-application.h
 *
 * The application: settings, app-wide actions, windows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define VIGIL_TYPE_APPLICATION (vigil_application_get_type ())
G_DECLARE_FINAL_TYPE (VigilApplication, vigil_application, VIGIL, APPLICATION,
                      AdwApplication)

VigilApplication *vigil_application_new          (void);
GSettings        *vigil_application_get_settings (VigilApplication *self);
/* Puts @path first in the recent sources (at most ten are kept). */
void              vigil_application_add_recent   (VigilApplication *self,
                                                  const char       *path);

G_END_DECLS
