/* vigil-open-dialog.c
 *
 * A chosen source is inspected on a worker thread (a dataset scan counts every file's lines;
 * a recording's summary counts its rows; a camera's folder counts its images), and only what
 * the inspection found is shown: the dialog never opens something it has not looked at. A
 * newer choice cancels the older inspection, whose answer is then dropped (GTask's
 * check-cancellable).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-open-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "vigil-error.h"
#include "vigil-open-dialog-private.h"
#include "vigil-store.h"
#include "vigil-time.h"
#include "vigil-ui-util.h"
#include "vigil-window-op.h"

/* The speed row's items, in order. */
static const char * const speed_names[] = { "1x", "10x", "100x", "max" };

G_DEFINE_FINAL_TYPE (VigilOpenDialog, vigil_open_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_READY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Formatting ---------------------------------------------------------------------------------- */

static char *
format_utc (gint64 us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (vigil_floor_div (us, G_USEC_PER_SEC));

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

static char *
format_range (gint64 start_us,
              gint64 end_us)
{
  g_autofree char *start = format_utc (start_us);
  g_autofree char *end = format_utc (end_us);

  /* Translators: a time range in UTC, e.g. "2025-01-01 00:00:00 – 2025-01-01 04:00:00 UTC". */
  return g_strdup_printf (_("%s – %s UTC"), start, end);
}

static char *
format_sensors (guint32 mask)
{
  g_autoptr(GString) names = g_string_new (NULL);
  guint n = 0;

  for (guint i = 0; i < VIGIL_N_SENSORS; i++)
    if (mask & (1u << i))
      {
        if (n++ > 0)
          g_string_append (names, ", ");
        g_string_append (names, vigil_sensor_get_info ((VigilSensor) i)->name);
      }

  if (n == 0)
    return g_strdup (_("None"));
  if (n == VIGIL_N_SENSORS)
    /* Translators: how many sensors a rig has, then their names, e.g. "All 17: PS1, …". */
    return g_strdup_printf (_("All %u: %s"), n, names->str);

  return g_string_free (g_steal_pointer (&names), FALSE);
}

static char *
format_duration (gint64 seconds)
{
  gint64 hours = seconds / 3600;
  gint64 minutes = seconds % 3600 / 60;

  if (hours > 0)
    /* Translators: a duration in hours and minutes, e.g. "36 h 45 min". */
    return g_strdup_printf (_("%u h %u min"), (guint) hours, (guint) minutes);

  /* Translators: a duration in minutes, e.g. "45 min". */
  return g_strdup_printf (_("%u min"), (guint) minutes);
}

/* State --------------------------------------------------------------------------------------- */

static const char *
current_error (VigilOpenDialog *self)
{
  if (self->source_error != NULL)
    return self->source_error;
  if (self->open_error != NULL)
    return self->open_error;
  if (self->camera != NULL)
    return _vigil_open_dialog_camera_error (self);

  return self->dataset != NULL ? self->options_error : NULL;
}

static void
update_state (VigilOpenDialog *self)
{
  const char *banner = self->source_error != NULL ? self->source_error : self->open_error;
  gboolean ready;

  ready = !self->busy && self->path != NULL && self->source_error == NULL &&
          (self->camera != NULL ? _vigil_open_dialog_camera_error (self) == NULL
           : self->dataset != NULL ? self->rules != NULL && self->options_error == NULL
                                   : self->sessions != NULL && self->session_id > 0);

  gtk_widget_set_visible (self->busy_box, self->busy);
  gtk_spinner_set_spinning (self->busy_spinner, self->busy);

  gtk_widget_set_visible (self->error_box, banner != NULL);
  if (banner != NULL)
    {
      if (self->source_error == NULL)
        gtk_label_set_text (self->error_title, _("Could not start playing"));
      else if (self->is_dir)
        gtk_label_set_text (self->error_title, _("This folder cannot be replayed"));
      else
        gtk_label_set_text (self->error_title, _("This file cannot be played"));
      gtk_label_set_text (self->error_label, banner);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->options_error_label), self->options_error != NULL);
  if (self->options_error != NULL)
    gtk_label_set_text (self->options_error_label, self->options_error);

  gtk_widget_set_visible (GTK_WIDGET (self->dataset_group), !self->busy && self->dataset != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->camera_group), !self->busy && self->camera != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->options_group), !self->busy && self->dataset != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->sessions_group),
                          !self->busy && self->sessions != NULL);

  gtk_widget_set_sensitive (GTK_WIDGET (self->open_button), ready);
  if (ready != self->ready)
    {
      self->ready = ready;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
    }
}

static void
set_busy (VigilOpenDialog *self,
          gboolean         busy)
{
  if (self->busy == busy)
    return;

  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Checks the window options the way the replay's window operators will. */
static void
validate_options (VigilOpenDialog *self)
{
  g_autoptr(GError) error = NULL;
  VigilWindowOp *op;
  GString *message = g_string_new (self->rules_error);

  op = vigil_window_op_new (gtk_spin_button_get_value_as_int (self->window_spin)
                            * G_USEC_PER_SEC,
                            gtk_spin_button_get_value_as_int (self->slide_spin)
                            * G_USEC_PER_SEC,
                            gtk_spin_button_get_value_as_int (self->lateness_spin)
                            * G_USEC_PER_SEC,
                            1, &error);
  if (op != NULL)
    vigil_window_op_free (op);
  else
    g_string_append_printf (message, "%s%s", message->len > 0 ? "\n" : "", error->message);

  g_clear_pointer (&self->options_error, g_free);
  if (message->len > 0)
    self->options_error = g_string_free (message, FALSE);
  else
    g_string_free (message, TRUE);
}

void
_vigil_open_dialog_option_changed (VigilOpenDialog *self)
{
  validate_options (self);
  g_clear_pointer (&self->open_error, g_free);
  update_state (self);
}

/* Rules files are small: parsed at once, so a mistake shows while the file is in mind. */
static void
set_rules_path (VigilOpenDialog *self,
                const char      *path)
{
  g_autoptr(GError) error = NULL;

  g_free (self->rules_path);
  self->rules_path = path != NULL && *path != '\0' ? g_strdup (path) : NULL;

  g_clear_pointer (&self->rules, vigil_rule_set_unref);
  g_clear_pointer (&self->rules_error, g_free);
  if (self->rules_path == NULL)
    self->rules = vigil_rule_set_new_default ();
  else
    self->rules = vigil_rule_set_new_from_file (self->rules_path, &error);
  if (self->rules == NULL)
    self->rules_error = g_strdup (error->message);

  adw_action_row_set_subtitle (self->rules_row, self->rules_path != NULL
                                                ? self->rules_path : _("Built-in rules"));
  gtk_widget_set_visible (self->rules_reset_button, self->rules_path != NULL);
  _vigil_open_dialog_option_changed (self);
}

/* Showing what was found ---------------------------------------------------------------------- */

static void
show_dataset (VigilOpenDialog *self)
{
  const VigilHydraulicDataset *dataset = self->dataset;
  gint64 start_us = VIGIL_DEFAULT_START_US;
  gint64 seconds = (gint64) dataset->n_cycles * VIGIL_CYCLE_SECONDS;
  g_autofree char *sensors = format_sensors (dataset->sensors);
  g_autofree char *duration = format_duration (seconds);
  g_autofree char *cycles = NULL;
  g_autofree char *range = format_range (start_us, start_us + seconds * G_USEC_PER_SEC);

  /* Translators: "%u cycles" of 60 s each, then how long they last, e.g. "(4 h 0 min)". */
  cycles = g_strdup_printf (ngettext ("%u cycle (%s of rig time)", "%u cycles (%s of rig time)",
                                      dataset->n_cycles),
                            dataset->n_cycles, duration);

  adw_action_row_set_subtitle (self->location_row, dataset->dir);
  adw_action_row_set_subtitle (self->sensors_row, sensors);
  adw_action_row_set_subtitle (self->cycles_row, cycles);
  adw_action_row_set_subtitle (self->labels_row,
                               dataset->has_profile
                               ? _("profile.txt is present: the cycles’ component conditions "
                                   "are recorded with the replay")
                               : _("No profile.txt: the replay has no component conditions"));
  adw_action_row_set_subtitle (self->range_row, range);
}

static void
on_session_toggled (GtkCheckButton  *check,
                    VigilOpenDialog *self)
{
  if (!gtk_check_button_get_active (check))
    return;

  self->session_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (check), "session-id"));
  g_clear_pointer (&self->open_error, g_free);
  update_state (self);
}

static GtkWidget *
session_row_new (VigilOpenDialog           *self,
                 const VigilSessionSummary *s,
                 GtkCheckButton            *group)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  g_autofree char *title = NULL;
  g_autofree char *range = format_range (s->start_us, s->end_us);
  g_autofree char *sensors = format_sensors (s->sensors);
  g_autofree char *windows = NULL;
  g_autofree char *counts = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, s->id);
  g_autofree char *n_windows = g_strdup_printf ("%'" G_GUINT64_FORMAT, s->n_windows);
  g_autofree char *n_alarms = g_strdup_printf ("%'" G_GUINT64_FORMAT, s->n_alarms);
  gboolean is_camera = g_strcmp0 (s->kind, "traffic") == 0;
  g_autofree char *camera = NULL;
  const char *kind = g_strcmp0 (s->kind, "hydraulic") == 0 ? _("Hydraulic rig") : s->kind;

  if (is_camera)
    /* Translators: a recorded camera session, e.g. "Camera cam_01". */
    kind = camera = g_strdup_printf (_("Camera %s"), s->camera != NULL ? s->camera : "");
  /* Translators: a session of a recording, e.g. "Session 3 — Hydraulic rig". */
  title = g_strdup_printf (_("Session %s — %s"), id, kind);
  /* Translators: window settings in seconds, e.g. "Windows of 60 s every 10 s, 10 s late". */
  windows = g_strdup_printf (_("Windows of %g s every %g s, %g s allowed lateness"),
                             s->window_us / 1e6, s->slide_us / 1e6, s->lateness_us / 1e6);
  /* Translators: what a session holds, e.g. "1234 windows · 5 alarms · 240 cycles". */
  counts = g_strdup_printf (_("%s windows · %s alarms · %u labelled cycles"),
                            n_windows, n_alarms, s->n_cycles);
  if (is_camera)
    {
      g_free (counts);
      /* Translators: what a recorded camera session holds, e.g. "2 alarms". */
      counts = g_strdup_printf (ngettext ("%s alarm", "%s alarms",
                                          (unsigned long) MIN (s->n_alarms, G_MAXULONG)),
                                n_alarms);
      /* A camera has seconds and frames, not sensor windows. */
      subtitle = g_strjoin ("\n", s->source != NULL ? s->source : "", range, counts, NULL);
    }
  else
    subtitle = g_strjoin ("\n", s->source != NULL ? s->source : "", range, sensors, windows,
                          counts, NULL);

  g_object_set_data (G_OBJECT (check), "session-id", GSIZE_TO_POINTER ((gsize) s->id));
  if (group != NULL)
    gtk_check_button_set_group (GTK_CHECK_BUTTON (check), group);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  g_signal_connect_object (check, "toggled", G_CALLBACK (on_session_toggled), self, 0);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);

  return row;
}

static void
show_sessions (VigilOpenDialog *self)
{
  GtkWidget *child;
  GtkCheckButton *group = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->sessions_list))) != NULL)
    gtk_list_box_remove (self->sessions_list, child);

  for (guint i = 0; i < self->sessions->len; i++)
    {
      GtkWidget *row = session_row_new (self, g_ptr_array_index (self->sessions, i), group);

      gtk_list_box_append (self->sessions_list, row);
      if (group == NULL)
        group = GTK_CHECK_BUTTON (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row)));
    }

  /* Newest first: the latest session is the default. */
  self->session_id = 0;
  if (group != NULL)
    gtk_check_button_set_active (group, TRUE);
}

/* Inspection ---------------------------------------------------------------------------------- */

typedef struct
{
  char                  *path;
  gboolean               is_dir;
  VigilHydraulicDataset *dataset;
  GPtrArray             *sessions;
  VigilCameraSource     *camera;
} Inspection;

static void
inspection_free (Inspection *inspection)
{
  g_clear_pointer (&inspection->camera, _vigil_open_dialog_camera_source_free);
  g_free (inspection->path);
  g_clear_pointer (&inspection->dataset, vigil_hydraulic_dataset_free);
  g_clear_pointer (&inspection->sessions, g_ptr_array_unref);
  g_free (inspection);
}

static void
inspect_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Inspection *inspection = task_data;
  g_autoptr(VigilStore) store = NULL;
  GError *error = NULL;

  inspection->is_dir = g_file_test (inspection->path, G_FILE_TEST_IS_DIR);
  if (vigil_camera_source_is_camera (inspection->path))
    {
      inspection->camera = g_new0 (VigilCameraSource, 1);
      if (!vigil_camera_source_inspect (inspection->path, inspection->camera, &error))
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      return;
    }
  if (inspection->is_dir)
    {
      inspection->dataset = vigil_hydraulic_dataset_scan (inspection->path, cancellable, &error);
      if (inspection->dataset == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Read-only: looking at a recording never changes it, not even its schema version. */
  store = vigil_store_open_readonly (inspection->path, &error);
  if (store != NULL)
    inspection->sessions = vigil_store_list_sessions (store, &error);
  if (inspection->sessions == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (inspection->sessions->len == 0)
    {
      g_task_return_new_error (task, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                               "%s holds no recorded session", inspection->path);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
inspect_ready (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  VigilOpenDialog *self = VIGIL_OPEN_DIALOG (source);
  Inspection *inspection = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  /* A newer choice, or the dialog closing, cancelled this one: its answer is stale. */
  if (!g_task_propagate_boolean (G_TASK (result), &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);
  self->is_dir = inspection->is_dir;
  if (error != NULL)
    self->source_error = g_strdup (error->message);
  else if (inspection->camera != NULL)
    {
      self->camera = g_steal_pointer (&inspection->camera);
      _vigil_open_dialog_show_camera (self);
    }
  else if (inspection->dataset != NULL)
    {
      self->dataset = g_steal_pointer (&inspection->dataset);
      show_dataset (self);
    }
  else
    {
      self->sessions = g_steal_pointer (&inspection->sessions);
      show_sessions (self);
    }

  update_state (self);
  /* Enter on the recent row just used would choose it again; Enter now means Open. */
  if (self->ready)
    gtk_widget_grab_focus (GTK_WIDGET (self->open_button));
}

void
vigil_open_dialog_select (VigilOpenDialog *self,
                          GFile           *file)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *basename = NULL;
  Inspection *inspection;

  g_return_if_fail (VIGIL_IS_OPEN_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->dataset, vigil_hydraulic_dataset_free);
  g_clear_pointer (&self->sessions, g_ptr_array_unref);
  g_clear_pointer (&self->camera, _vigil_open_dialog_camera_source_free);
  g_clear_pointer (&self->source_error, g_free);
  g_clear_pointer (&self->open_error, g_free);
  self->session_id = 0;
  self->is_dir = FALSE;

  self->path = g_file_get_path (file);
  if (self->path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      self->path = g_steal_pointer (&uri);
      self->source_error = g_strdup (_("Only local folders and files can be opened."));
      adw_window_title_set_subtitle (self->window_title, self->path);
      set_busy (self, FALSE);
      update_state (self);
      return;
    }

  basename = g_path_get_basename (self->path);
  adw_window_title_set_subtitle (self->window_title, basename);

  inspection = g_new0 (Inspection, 1);
  inspection->path = g_strdup (self->path);
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, inspect_ready, NULL);
  g_task_set_source_tag (task, vigil_open_dialog_select);
  g_task_set_task_data (task, inspection, (GDestroyNotify) inspection_free);
  g_task_run_in_thread (task, inspect_thread);

  set_busy (self, TRUE);
  update_state (self);
}

/* File choosers ------------------------------------------------------------------------------- */

static void
on_source_chosen (GtkNativeDialog *chooser,
                  int              response,
                  VigilOpenDialog *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);

  if (file != NULL)
    vigil_open_dialog_select (self, file);
}

void
vigil_open_dialog_set_rules_file (VigilOpenDialog *self,
                                  GFile           *file)
{
  g_autofree char *path = NULL;

  g_return_if_fail (VIGIL_IS_OPEN_DIALOG (self));
  g_return_if_fail (file == NULL || G_IS_FILE (file));

  if (file == NULL)
    {
      set_rules_path (self, NULL);
      return;
    }

  /* A file without a local path is refused by the engine with its URI in the message. */
  path = g_file_get_path (file);
  if (path == NULL)
    path = g_file_get_uri (file);
  set_rules_path (self, path);
}

gboolean
vigil_open_dialog_select_session (VigilOpenDialog *self,
                                  gint64           session_id)
{
  GtkWidget *row;

  g_return_val_if_fail (VIGIL_IS_OPEN_DIALOG (self), FALSE);

  for (row = gtk_widget_get_first_child (GTK_WIDGET (self->sessions_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *check = adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row));

      if ((gint64) GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (check), "session-id"))
          == session_id)
        {
          gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
          return TRUE;
        }
    }

  return FALSE;
}

static void
on_rules_chosen (GtkNativeDialog *chooser,
                 int              response,
                 VigilOpenDialog *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);

  if (file != NULL)
    vigil_open_dialog_set_rules_file (self, file);
}

void
_vigil_open_dialog_show_chooser (VigilOpenDialog      *self,
                                 const char           *title,
                                 GtkFileChooserAction  action,
                                 GtkFileFilter        *filter,
                                 GCallback             on_response)
{
  GtkFileChooserNative *chooser = vigil_ui_file_chooser_new (&self->chooser, GTK_WINDOW (self),
                                                             title, action, _("_Select"), filter,
                                                             filter != NULL);

  g_signal_connect (chooser, "response", on_response, self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_choose_folder_clicked (VigilOpenDialog *self)
{
  _vigil_open_dialog_show_chooser (self, _("Choose a Dataset Folder"),
                                   GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, NULL,
                                   G_CALLBACK (on_source_chosen));
}

/* Kafka has its own dialog: this one hands over to it. */
static void
on_kafka_clicked (VigilOpenDialog *self)
{
  VigilWindow *window = self->window;

  gtk_window_destroy (GTK_WINDOW (self));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.open-kafka", NULL);
}

static void
on_choose_recording_clicked (VigilOpenDialog *self)
{
  g_autoptr(GtkFileFilter) filter = vigil_ui_file_filter_new (_("Recordings and Videos"),
                                                              "*.sqlite", "video/*");

  _vigil_open_dialog_show_chooser (self, _("Choose a Recording or a Video"),
                                   GTK_FILE_CHOOSER_ACTION_OPEN, filter,
                                   G_CALLBACK (on_source_chosen));
}

static void
on_choose_rules_clicked (VigilOpenDialog *self)
{
  g_autoptr(GtkFileFilter) filter = vigil_ui_file_filter_new (_("Rules Files (*.json)"), "*.json",
                                                              "application/json");

  _vigil_open_dialog_show_chooser (self, _("Choose an Alarm Rules File"),
                                   GTK_FILE_CHOOSER_ACTION_OPEN, filter,
                                   G_CALLBACK (on_rules_chosen));
}

static void
on_rules_reset_clicked (VigilOpenDialog *self)
{
  set_rules_path (self, NULL);
}

/* Recent sources ------------------------------------------------------------------------------ */

static void
on_recent_row_activated (VigilOpenDialog *self,
                         GtkListBoxRow   *row)
{
  const char *path = g_object_get_data (G_OBJECT (row), "path");
  g_autoptr(GFile) file = g_file_new_for_path (path);

  vigil_open_dialog_select (self, file);
}

static void
update_recent (VigilOpenDialog *self)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-sources");
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))) != NULL)
    gtk_list_box_remove (self->recent_list, child);

  for (guint i = 0; recent[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = NULL;
      g_autofree char *name = g_path_get_basename (recent[i]);
      gboolean is_camera = vigil_camera_source_is_camera (recent[i]);
      gboolean is_dir = g_file_test (recent[i], G_FILE_TEST_IS_DIR);

      icon = gtk_image_new_from_icon_name (is_camera ? "camera-video-symbolic"
                                           : is_dir ? "folder-symbolic"
                                                    : "text-x-generic-symbolic");
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      is_camera ? _("Camera")
                                      : is_dir ? _("Dataset folder") : _("Recording"), -1);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), recent[i]);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "path", g_strdup (recent[i]), g_free);
      gtk_list_box_append (self->recent_list, row);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->recent_group), recent[0] != NULL);
}

/* Opening ------------------------------------------------------------------------------------- */

gboolean
vigil_open_dialog_open (VigilOpenDialog  *self,
                        GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (VIGIL_IS_OPEN_DIALOG (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!self->ready)
    {
      const char *why = current_error (self);

      g_set_error_literal (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                           why != NULL ? why : self->busy
                           ? _("The source is still being looked at.")
                           : _("Choose a dataset folder or a recording first."));
      return FALSE;
    }

  if (self->window == NULL)
    {
      g_set_error_literal (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_FAILED,
                           _("The window this dialog belongs to is gone."));
      return FALSE;
    }

  if (self->camera != NULL)
    ok = _vigil_open_dialog_open_camera (self, &local_error);
  else if (self->dataset != NULL)
    {
      VigilReplayOptions options;
      guint speed = adw_combo_row_get_selected (self->speed_row);

      vigil_replay_options_init (&options);
      options.window_us = gtk_spin_button_get_value_as_int (self->window_spin) * G_USEC_PER_SEC;
      options.slide_us = gtk_spin_button_get_value_as_int (self->slide_spin) * G_USEC_PER_SEC;
      options.lateness_us = gtk_spin_button_get_value_as_int (self->lateness_spin)
                            * G_USEC_PER_SEC;
      options.speed = vigil_speed_from_name (speed_names[MIN (speed,
                                                              G_N_ELEMENTS (speed_names) - 1)]);
      ok = vigil_window_open_dataset (self->window, self->path, self->rules, &options,
                                      &local_error);
    }
  else
    ok = vigil_window_open_recording (self->window, self->path, self->session_id, &local_error);

  if (!ok)
    {
      g_free (self->open_error);
      self->open_error = g_strdup (local_error->message);
      update_state (self);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

static void
on_open_clicked (VigilOpenDialog *self)
{
  /* A failure is shown in the dialog, which stays open to fix it. */
  if (vigil_open_dialog_open (self, NULL))
    gtk_window_destroy (GTK_WINDOW (self));
}

gboolean
vigil_open_dialog_get_busy (VigilOpenDialog *self)
{
  g_return_val_if_fail (VIGIL_IS_OPEN_DIALOG (self), FALSE);

  return self->busy;
}

gboolean
vigil_open_dialog_get_ready (VigilOpenDialog *self)
{
  g_return_val_if_fail (VIGIL_IS_OPEN_DIALOG (self), FALSE);

  return self->ready;
}

const char *
vigil_open_dialog_get_error (VigilOpenDialog *self)
{
  g_return_val_if_fail (VIGIL_IS_OPEN_DIALOG (self), NULL);

  return current_error (self);
}

/* Class --------------------------------------------------------------------------------------- */

static void
vigil_open_dialog_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  VigilOpenDialog *self = VIGIL_OPEN_DIALOG (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_READY:
      g_value_set_boolean (value, self->ready);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vigil_open_dialog_dispose (GObject *object)
{
  VigilOpenDialog *self = VIGIL_OPEN_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  vigil_ui_clear_file_chooser (&self->chooser);
  g_clear_weak_pointer (&self->window);

  gtk_widget_dispose_template (GTK_WIDGET (self), VIGIL_TYPE_OPEN_DIALOG);

  G_OBJECT_CLASS (vigil_open_dialog_parent_class)->dispose (object);
}

static void
vigil_open_dialog_finalize (GObject *object)
{
  VigilOpenDialog *self = VIGIL_OPEN_DIALOG (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->dataset, vigil_hydraulic_dataset_free);
  g_clear_pointer (&self->sessions, g_ptr_array_unref);
  g_clear_pointer (&self->camera, _vigil_open_dialog_camera_source_free);
  g_clear_pointer (&self->mask_path, g_free);
  g_clear_pointer (&self->rules_path, g_free);
  g_clear_pointer (&self->rules, vigil_rule_set_unref);
  g_clear_pointer (&self->source_error, g_free);
  g_clear_pointer (&self->open_error, g_free);
  g_clear_pointer (&self->rules_error, g_free);
  g_clear_pointer (&self->options_error, g_free);

  G_OBJECT_CLASS (vigil_open_dialog_parent_class)->finalize (object);
}

static void
vigil_open_dialog_class_init (VigilOpenDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = vigil_open_dialog_get_property;
  object_class->dispose = vigil_open_dialog_dispose;
  object_class->finalize = vigil_open_dialog_finalize;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_READY] =
    g_param_spec_boolean ("ready", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vigilmonitor/Vigil/ui/"
                                               "vigil-open-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, open_button);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, folder_button);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, busy_box);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, busy_spinner);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, error_box);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, error_title);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, dataset_group);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, location_row);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, sensors_row);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, cycles_row);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, labels_row);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, range_row);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, options_group);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, speed_row);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, window_spin);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, slide_spin);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, lateness_spin);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, rules_row);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, rules_reset_button);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, options_error_label);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, sessions_group);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, sessions_list);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, recent_group);
  gtk_widget_class_bind_template_child (widget_class, VigilOpenDialog, recent_list);
  gtk_widget_class_bind_template_callback (widget_class, on_open_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_folder_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_recording_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_kafka_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_rules_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_rules_reset_clicked);
  gtk_widget_class_bind_template_callback_full (widget_class, "on_option_changed",
                                                G_CALLBACK (_vigil_open_dialog_option_changed));
  gtk_widget_class_bind_template_callback (widget_class, on_recent_row_activated);
  _vigil_open_dialog_class_add_camera (widget_class);
}

static void
vigil_open_dialog_init (VigilOpenDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* The options start from the preferences; what is changed here applies to this replay only. */
static void
load_settings (VigilOpenDialog *self)
{
  g_autofree char *speed = g_settings_get_string (self->settings, "replay-speed");
  g_autofree char *rules = g_settings_get_string (self->settings, "rules-file");

  for (guint i = 0; i < G_N_ELEMENTS (speed_names); i++)
    if (g_str_equal (speed, speed_names[i]))
      adw_combo_row_set_selected (self->speed_row, i);

  /* The spin buttons' handlers run once the settings are in place, below. */
  g_signal_handlers_block_by_func (self->window_spin, _vigil_open_dialog_option_changed, self);
  g_signal_handlers_block_by_func (self->slide_spin, _vigil_open_dialog_option_changed, self);
  g_signal_handlers_block_by_func (self->lateness_spin, _vigil_open_dialog_option_changed, self);
  gtk_spin_button_set_value (self->window_spin, g_settings_get_uint (self->settings,
                                                                     "window-size"));
  gtk_spin_button_set_value (self->slide_spin, g_settings_get_uint (self->settings,
                                                                    "window-slide"));
  gtk_spin_button_set_value (self->lateness_spin, g_settings_get_uint (self->settings,
                                                                       "window-lateness"));
  g_signal_handlers_unblock_by_func (self->window_spin, _vigil_open_dialog_option_changed, self);
  g_signal_handlers_unblock_by_func (self->slide_spin, _vigil_open_dialog_option_changed, self);
  g_signal_handlers_unblock_by_func (self->lateness_spin, _vigil_open_dialog_option_changed, self);

  set_rules_path (self, rules);
}

GtkWidget *
vigil_open_dialog_new (VigilWindow *window)
{
  VigilOpenDialog *self;
  GtkApplication *app;

  g_return_val_if_fail (VIGIL_IS_WINDOW (window), NULL);

  self = g_object_new (VIGIL_TYPE_OPEN_DIALOG, "transient-for", window, NULL);
  g_set_weak_pointer (&self->window, window);

  app = gtk_window_get_application (GTK_WINDOW (window));
  if (app != NULL)
    self->settings = g_object_ref (vigil_application_get_settings (VIGIL_APPLICATION (app)));
  else
    self->settings = g_settings_new (APP_ID);

  g_signal_connect_object (self->settings, "changed::recent-sources", G_CALLBACK (update_recent),
                           self, G_CONNECT_SWAPPED);
  update_recent (self);
  load_settings (self);
  /* Open starts insensitive: the first step is to choose something. */
  gtk_window_set_focus (GTK_WINDOW (self), self->folder_button);

  return GTK_WIDGET (self);
}
