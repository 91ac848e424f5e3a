/* vigil-open-dialog-private.h
 *
 * What vigil-open-dialog.c and vigil-open-dialog-camera.c share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vigil-cameras-page.h"
#include "vigil-hydraulic-reader.h"
#include "vigil-open-dialog.h"

G_BEGIN_DECLS

struct _VigilOpenDialog
{
  AdwWindow               parent_instance;

  /* Borrowed (weak) */
  VigilWindow            *window;

  /* Owned */
  GSettings              *settings;
  GCancellable           *cancellable;    /* the inspection in flight */
  GtkFileChooserNative   *chooser;        /* the file chooser shown, if any */
  char                   *path;           /* the source chosen */
  gboolean                is_dir;         /* whether it is a folder, once inspected */
  VigilHydraulicDataset  *dataset;        /* what the folder holds, once inspected */
  GPtrArray              *sessions;       /* VigilSessionSummary, once inspected */
  VigilCameraSource      *camera;         /* what the folder or video gives, once inspected */
  char                   *mask_path;      /* the camera's road mask; NULL: the whole frame */
  gint64                  session_id;
  char                   *rules_path;     /* NULL: the built-in rules */
  VigilRuleSet           *rules;
  char                   *source_error;   /* the source cannot be opened */
  char                   *open_error;     /* the last Open failed; cleared by any change */
  char                   *rules_error;    /* the rules file is refused */
  char                   *options_error;  /* the rules or window options are refused */
  gboolean                busy;
  gboolean                ready;

  /* Template widgets */
  AdwWindowTitle         *window_title;
  GtkButton              *open_button;
  GtkWidget              *folder_button;
  GtkWidget              *busy_box;
  GtkSpinner             *busy_spinner;
  GtkWidget              *error_box;
  GtkLabel               *error_title;
  GtkLabel               *error_label;
  AdwPreferencesGroup    *dataset_group;
  AdwActionRow           *location_row;
  AdwActionRow           *sensors_row;
  AdwActionRow           *cycles_row;
  AdwActionRow           *labels_row;
  AdwActionRow           *range_row;
  AdwPreferencesGroup    *camera_group;
  AdwEntryRow            *camera_id_row;
  AdwActionRow           *camera_location_row;
  AdwActionRow           *camera_mask_row;
  GtkWidget              *camera_mask_reset_button;
  AdwPreferencesGroup    *options_group;
  AdwComboRow            *speed_row;
  GtkSpinButton          *window_spin;
  GtkSpinButton          *slide_spin;
  GtkSpinButton          *lateness_spin;
  AdwActionRow           *rules_row;
  GtkWidget              *rules_reset_button;
  GtkLabel               *options_error_label;
  AdwPreferencesGroup    *sessions_group;
  GtkListBox             *sessions_list;
  AdwPreferencesGroup    *recent_group;
  GtkListBox             *recent_list;
};

/* vigil-open-dialog.c */
void        _vigil_open_dialog_show_chooser       (VigilOpenDialog      *self,
                                                   const char           *title,
                                                   GtkFileChooserAction  action,
                                                   GtkFileFilter        *filter,
                                                   GCallback             on_response);
/* Checks the options again and clears the last Open's error. */
void        _vigil_open_dialog_option_changed     (VigilOpenDialog      *self);

/* vigil-open-dialog-camera.c */
void        _vigil_open_dialog_class_add_camera   (GtkWidgetClass       *widget_class);
/* What is wrong with the camera's name, or NULL. */
const char *_vigil_open_dialog_camera_error       (VigilOpenDialog      *self);
/* Shows the camera the inspection found. */
void        _vigil_open_dialog_show_camera        (VigilOpenDialog      *self);
void        _vigil_open_dialog_camera_source_free (VigilCameraSource    *camera);
/* Opens the camera shown in the window, as its rows say, and remembers it. */
gboolean    _vigil_open_dialog_open_camera        (VigilOpenDialog      *self,
                                                   GError              **error);

G_END_DECLS
