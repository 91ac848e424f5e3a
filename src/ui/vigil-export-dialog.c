/* vigil-export-dialog.c
 *
 * Exports read the recording through their own read-only connection, so a dataset replay
 * that is still writing it goes on undisturbed (SQLite's WAL lets readers and the writer
 * pass). The CSV is the store's own export, the same bytes `vigil-cli export` writes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-export-dialog"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "vigil-error.h"
#include "vigil-export-dialog.h"
#include "vigil-sensor.h"
#include "vigil-store.h"
#include "vigil-time.h"
#include "vigil-ui-util.h"

struct _VigilExportDialog
{
  AdwWindow             parent_instance;

  /* Borrowed (weak) */
  VigilWindow          *window;

  /* Owned */
  GCancellable         *cancellable;     /* loading the sensors, writing */
  GtkFileChooserNative *chooser;
  char                 *db_path;         /* the recording of what the window shows */
  char                 *source;
  gint64                session_id;
  VigilSourceKind       source_kind;
  guint32               available;       /* sensors the source has */
  VigilExportKind       kind;
  VigilExportRange      range;
  gint64                from_us;         /* the chosen range, when range_error is NULL */
  gint64                to_us;
  char                 *range_error;
  char                 *write_error;     /* the last write failed; shown until the next one */
  guint32               sensors;         /* 0: all */
  gboolean              writing;
  gboolean              ready;

  /* Template widgets */
  AdwWindowTitle       *window_title;
  GtkButton            *export_button;
  GtkSpinner           *spinner;
  GtkWidget            *error_box;
  GtkLabel             *error_label;
  GtkCheckButton       *windows_check;
  GtkCheckButton       *alarms_check;
  GtkCheckButton       *journal_check;
  AdwActionRow         *visible_row;
  AdwActionRow         *all_row;
  GtkCheckButton       *visible_check;
  GtkCheckButton       *all_check;
  GtkCheckButton       *chosen_check;
  GtkEditable          *from_row;
  GtkEditable          *to_row;
  GtkLabel             *range_error_label;
  GtkCheckButton       *all_sensors_check;
  GtkCheckButton       *chosen_sensors_check;
  GtkFlowBox           *sensors_flow;
  GtkLabel             *sensors_error_label;
  GtkCheckButton       *sensor_checks[VIGIL_N_SENSORS];
};

G_DEFINE_FINAL_TYPE (VigilExportDialog, vigil_export_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_READY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* File names and the store's export functions, per VigilExportKind. */
static const struct
{
  const char *name;
  VigilStoreExportFunc func;
} kinds[] = {
  { "windows", vigil_store_export_windows },
  { "alarms", vigil_store_export_alarms },
  { "journal", vigil_store_export_journal },
};

static char *
format_utc (gint64 us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (vigil_floor_div (us, G_USEC_PER_SEC));

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : g_strdup ("");
}

static char *
format_range (gint64 from_us,
              gint64 to_us)
{
  g_autofree char *from = format_utc (from_us);
  g_autofree char *to = format_utc (to_us);

  /* Translators: a time range in UTC, e.g. "2025-01-01 00:00:00 – 2025-01-01 04:00:00 UTC". */
  return g_strdup_printf (_("%s – %s UTC"), from, to);
}

/* "YYYY-MM-DD HH:MM:SS" in UTC, as the entries show it; ISO 8601 is taken too. */
static gboolean
parse_utc (const char *text,
           gint64     *out_us)
{
  g_autoptr(GDateTime) dt = NULL;
  int year, month, day, hour, minute, second, end = 0;

  if (sscanf (text, " %4d-%2d-%2d %2d:%2d:%2d %n", &year, &month, &day, &hour, &minute,
              &second, &end) == 6 && text[end] == '\0')
    {
      dt = g_date_time_new_utc (year, month, day, hour, minute, second);
      if (dt == NULL)
        return FALSE;
      *out_us = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
      return TRUE;
    }

  return vigil_time_parse_iso8601 (text, out_us, NULL);
}

/* State ------------------------------------------------------------------------------------- */

static const char *
current_error (VigilExportDialog *self)
{
  if (self->db_path == NULL)
    return _("Nothing to export: open a dataset or a recording first.");
  if (self->range == VIGIL_EXPORT_RANGE_CHOSEN && self->range_error != NULL)
    return self->range_error;
  if (self->sensors == 0 && gtk_check_button_get_active (self->chosen_sensors_check))
    return gtk_label_get_text (self->sensors_error_label);

  return NULL;
}

static void
update_state (VigilExportDialog *self)
{
  gboolean ready = !self->writing && current_error (self) == NULL;
  gboolean range_error = self->range == VIGIL_EXPORT_RANGE_CHOSEN && self->range_error != NULL;
  gboolean no_sensor = self->sensors == 0 &&
                       gtk_check_button_get_active (self->chosen_sensors_check);

  gtk_widget_set_visible (GTK_WIDGET (self->range_error_label), range_error);
  if (range_error)
    gtk_label_set_text (self->range_error_label, self->range_error);
  gtk_widget_set_visible (GTK_WIDGET (self->sensors_error_label), no_sensor);
  if (self->db_path == NULL)
    gtk_label_set_text (self->error_label, current_error (self));
  else if (self->write_error != NULL)
    gtk_label_set_text (self->error_label, self->write_error);
  gtk_widget_set_visible (self->error_box, self->db_path == NULL || self->write_error != NULL);

  gtk_spinner_set_spinning (self->spinner, self->writing);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->writing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), ready);

  if (ready != self->ready)
    {
      self->ready = ready;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
    }
}

static void
on_kind_toggled (VigilExportDialog *self)
{
  if (gtk_check_button_get_active (self->alarms_check))
    self->kind = VIGIL_EXPORT_ALARMS;
  else if (gtk_check_button_get_active (self->journal_check))
    self->kind = VIGIL_EXPORT_JOURNAL;
  else
    self->kind = VIGIL_EXPORT_WINDOWS;
}

static void
on_range_toggled (VigilExportDialog *self)
{
  if (gtk_check_button_get_active (self->all_check))
    self->range = VIGIL_EXPORT_RANGE_ALL;
  else if (gtk_check_button_get_active (self->chosen_check))
    self->range = VIGIL_EXPORT_RANGE_CHOSEN;
  else
    self->range = VIGIL_EXPORT_RANGE_VISIBLE;

  update_state (self);
}

static void
on_range_text_changed (VigilExportDialog *self)
{
  const char *from = gtk_editable_get_text (self->from_row);
  const char *to = gtk_editable_get_text (self->to_row);

  g_clear_pointer (&self->range_error, g_free);
  if (*from == '\0')
    self->range_error = g_strdup (_("Enter when the range starts."));
  else if (*to == '\0')
    self->range_error = g_strdup (_("Enter when the range ends."));
  else if (!parse_utc (from, &self->from_us))
    /* Translators: %s is what was typed in the From entry. */
    self->range_error = g_strdup_printf (_("From: “%s” is not a date and time like "
                                           "2025-01-01 00:00:00"), from);
  else if (!parse_utc (to, &self->to_us))
    self->range_error = g_strdup_printf (_("To: “%s” is not a date and time like "
                                           "2025-01-01 00:00:00"), to);
  else if (self->from_us >= self->to_us)
    self->range_error = g_strdup (_("The start of the range must come before its end."));

  update_state (self);
}

static void
on_sensors_toggled (VigilExportDialog *self)
{
  guint32 mask = 0;

  if (gtk_check_button_get_active (self->chosen_sensors_check))
    for (guint i = 0; i < VIGIL_N_SENSORS; i++)
      if (self->sensor_checks[i] != NULL && gtk_check_button_get_active (self->sensor_checks[i]))
        mask |= 1u << i;

  self->sensors = mask;
  update_state (self);
}

/* The sensors of the source ----------------------------------------------------------------- */

static void
show_sensors (VigilExportDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->sensors_flow))) != NULL)
    gtk_flow_box_remove (self->sensors_flow, child);
  memset (self->sensor_checks, 0, sizeof self->sensor_checks);

  for (guint i = 0; i < VIGIL_N_SENSORS; i++)
    {
      const VigilSensorInfo *info = vigil_sensor_get_info ((VigilSensor) i);
      g_autofree char *tooltip = NULL;
      GtkWidget *check;

      if (!(self->available & (1u << i)))
        continue;

      check = gtk_check_button_new_with_label (info->name);
      /* Translators: a sensor's quantity and unit, e.g. "Pressure (bar)". */
      tooltip = g_strdup_printf (_("%s (%s)"), vigil_ui_quantity_name (i), info->unit);
      gtk_widget_set_tooltip_text (check, tooltip);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                   self->sensors == 0 || (self->sensors & (1u << i)));
      g_signal_connect_object (check, "toggled", G_CALLBACK (on_sensors_toggled), self,
                               G_CONNECT_SWAPPED);
      self->sensor_checks[i] = GTK_CHECK_BUTTON (check);
      gtk_flow_box_append (self->sensors_flow, check);
    }
}

typedef struct
{
  char            *db_path;
  char            *source;
  gint64           session_id;
  VigilSourceKind  kind;
} SensorsQuery;

static void
sensors_query_free (SensorsQuery *query)
{
  g_free (query->db_path);
  g_free (query->source);
  g_free (query);
}

/* A dataset has the sensors whose files it holds (windows of some may not be stored yet);
 * a recording those it stored windows of. */
static void
sensors_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  SensorsQuery *query = task_data;
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilSessionSummary) summary = NULL;
  GError *error = NULL;
  guint32 mask = 0;

  if (query->kind == VIGIL_SOURCE_DATASET)
    {
      for (guint i = 0; i < VIGIL_N_SENSORS; i++)
        {
          g_autofree char *name = g_strconcat (vigil_sensor_get_info ((VigilSensor) i)->name,
                                               ".txt", NULL);
          g_autofree char *path = g_build_filename (query->source, name, NULL);

          if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
            mask |= 1u << i;
        }
      g_task_return_int (task, mask);
      return;
    }

  store = vigil_store_open_readonly (query->db_path, &error);
  if (store != NULL)
    summary = vigil_store_get_session (store, query->session_id, &error);
  if (summary == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_int (task, summary->sensors);
}

static void
sensors_ready (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  VigilExportDialog *self = VIGIL_EXPORT_DIALOG (source);
  g_autoptr(GError) error = NULL;
  gssize mask = g_task_propagate_int (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Without the list, every sensor is offered: the export simply finds no rows for some. */
  self->available = error == NULL ? (guint32) mask : (1u << VIGIL_N_SENSORS) - 1;
  if (error != NULL)
    g_debug ("Listing the sensors of %s: %s", self->db_path, error->message);
  show_sensors (self);
  /* A subset asked for before the list came now meets the sensors there are. */
  on_sensors_toggled (self);
}

/* Writing ------------------------------------------------------------------------------------- */

typedef struct
{
  char             *db_path;
  char             *path;
  VigilExportKind   kind;
  VigilStoreFilter  filter;
  guint64           rows;
} WriteJob;

static void
write_job_free (WriteJob *job)
{
  g_free (job->db_path);
  g_free (job->path);
  g_free (job);
}

/* Rows of the CSV at @path: line ends outside quoted fields (a comment may hold a line end),
 * less the header. */
static gboolean
count_rows (const char    *path,
            GCancellable  *cancellable,
            guint64       *out_rows,
            GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, cancellable, error);
  char buf[65536];
  gboolean quoted = FALSE;
  guint64 records = 0;
  gssize n;

  if (in == NULL)
    return FALSE;

  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buf, sizeof buf, cancellable,
                                   error)) > 0)
    for (gssize i = 0; i < n; i++)
      {
        if (buf[i] == '"')
          quoted = !quoted;
        else if (buf[i] == '\n' && !quoted)
          records++;
      }

  if (n < 0)
    return FALSE;

  *out_rows = records > 0 ? records - 1 : 0;
  return TRUE;
}

static gboolean
count_written_rows (const char    *written,
                    gpointer       job,
                    GCancellable  *cancellable,
                    GError       **error)
{
  return count_rows (written, cancellable, &((WriteJob *) job)->rows, error);
}

static gboolean
write_file (WriteJob      *job,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(VigilStore) store = vigil_store_open_readonly (job->db_path, error);

  if (store == NULL)
    return FALSE;

  /* The rows are counted in the complete file, before it replaces the target. */
  return vigil_store_export_to_file (store, kinds[job->kind].func, &job->filter, job->path,
                                     count_written_rows, job, cancellable, error);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (write_file (task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
vigil_export_dialog_write_async (VigilExportDialog   *self,
                                 GFile               *file,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *why;
  WriteJob *job;

  g_return_if_fail (VIGIL_IS_EXPORT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vigil_export_dialog_write_async);

  why = current_error (self);
  if (why != NULL)
    {
      g_task_return_new_error (task, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID, "%s", why);
      return;
    }

  job = g_new0 (WriteJob, 1);
  g_task_set_task_data (task, job, (GDestroyNotify) write_job_free);
  job->path = g_file_get_path (file);
  if (job->path == NULL)
    {
      g_task_return_new_error (task, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO, "%s",
                               _("Only a local file can be written."));
      return;
    }
  job->db_path = g_strdup (self->db_path);
  job->kind = self->kind;
  vigil_store_filter_init (&job->filter);
  job->filter.session_id = self->session_id;
  job->filter.sensors = self->sensors;
  if (self->range == VIGIL_EXPORT_RANGE_CHOSEN)
    {
      job->filter.from_us = self->from_us;
      job->filter.to_us = self->to_us;
    }
  else if (self->range == VIGIL_EXPORT_RANGE_VISIBLE && self->window != NULL)
    vigil_window_get_visible_range (self->window, &job->filter.from_us, &job->filter.to_us);

  g_task_run_in_thread (task, write_thread);
}

gboolean
vigil_export_dialog_write_finish (VigilExportDialog  *self,
                                  GAsyncResult       *result,
                                  guint64            *out_rows,
                                  GError            **error)
{
  WriteJob *job;

  g_return_val_if_fail (VIGIL_IS_EXPORT_DIALOG (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  job = g_task_get_task_data (G_TASK (result));
  if (out_rows != NULL)
    *out_rows = job->rows;

  return TRUE;
}

/* The Export button ---------------------------------------------------------------------------- */

/* A path as people read it: in their home folder, with ~. */
static char *
display_path (GFile *file)
{
  g_autofree char *path = g_file_get_path (file);
  const char *home = g_get_home_dir ();
  gsize len = strlen (home);

  if (path != NULL && len > 1 && g_str_has_prefix (path, home) && path[len] == '/')
    return g_strconcat ("~", path + len, NULL);

  return g_file_get_parse_name (file);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  VigilExportDialog *self = VIGIL_EXPORT_DIALOG (source);
  g_autoptr(GFile) file = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *where = display_path (file);
  g_autofree char *message = NULL;
  g_autofree char *count = NULL;
  guint64 rows = 0;

  if (!vigil_export_dialog_write_finish (self, result, &rows, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->writing = FALSE;
  if (error != NULL)
    {
      self->write_error = g_strdup (error->message);
      update_state (self);
      /* Translators: %s says why an export failed. */
      message = g_strdup_printf (_("Could not export: %s"), error->message);
      if (self->window != NULL)
        vigil_window_toast (self->window, message);
      return;
    }

  count = g_strdup_printf ("%'" G_GUINT64_FORMAT, rows);
  /* Translators: how many CSV rows were written, and the file, e.g. "~/rig.csv". */
  message = g_strdup_printf (ngettext ("Exported %s row to %s", "Exported %s rows to %s",
                                       (gulong) MIN (rows, G_MAXULONG)),
                             count, where);
  if (self->window != NULL)
    vigil_window_toast (self->window, message);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_file_chosen (GtkNativeDialog   *chooser,
                int                response,
                VigilExportDialog *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);

  if (file == NULL)
    return;

  self->writing = TRUE;
  g_clear_pointer (&self->write_error, g_free);
  update_state (self);
  vigil_export_dialog_write_async (self, file, self->cancellable, on_written,
                                   g_object_ref (file));
}

static void
on_export_clicked (VigilExportDialog *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *name = g_strdup_printf ("vigil-%s-%s.csv", kinds[self->kind].name, date);
  g_autoptr(GtkFileFilter) filter = NULL;
  GtkFileChooserNative *chooser;

  if (!self->ready)
    return;

  filter = vigil_ui_file_filter_new (_("CSV Files"), "*.csv", "text/csv");
  chooser = vigil_ui_file_chooser_new (&self->chooser, GTK_WINDOW (self), _("Export as CSV"),
                                       GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), filter, FALSE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_signal_connect (chooser, "response", G_CALLBACK (on_file_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Setters (the same state the widgets set) ---------------------------------------------------- */

void
vigil_export_dialog_set_kind (VigilExportDialog *self,
                              VigilExportKind    kind)
{
  GtkCheckButton *checks[] = { self->windows_check, self->alarms_check, self->journal_check };

  g_return_if_fail (VIGIL_IS_EXPORT_DIALOG (self));
  g_return_if_fail ((guint) kind < G_N_ELEMENTS (checks));

  gtk_check_button_set_active (checks[kind], TRUE);
}

void
vigil_export_dialog_set_range (VigilExportDialog *self,
                               VigilExportRange   range,
                               gint64             from_us,
                               gint64             to_us)
{
  g_return_if_fail (VIGIL_IS_EXPORT_DIALOG (self));
  g_return_if_fail (range <= VIGIL_EXPORT_RANGE_CHOSEN);

  if (range == VIGIL_EXPORT_RANGE_CHOSEN)
    {
      g_autofree char *from = format_utc (from_us);
      g_autofree char *to = format_utc (to_us);

      gtk_editable_set_text (self->from_row, from);
      gtk_editable_set_text (self->to_row, to);
      /* The entries show whole seconds; the range is what was asked for. */
      if (self->range_error == NULL)
        {
          self->from_us = from_us;
          self->to_us = to_us;
        }
      gtk_check_button_set_active (self->chosen_check, TRUE);
    }
  else
    gtk_check_button_set_active (range == VIGIL_EXPORT_RANGE_ALL ? self->all_check
                                                                 : self->visible_check, TRUE);
}

void
vigil_export_dialog_set_sensors (VigilExportDialog *self,
                                 guint32            mask)
{
  g_return_if_fail (VIGIL_IS_EXPORT_DIALOG (self));

  mask &= (1u << VIGIL_N_SENSORS) - 1;
  for (guint i = 0; i < VIGIL_N_SENSORS; i++)
    if (self->sensor_checks[i] != NULL)
      gtk_check_button_set_active (self->sensor_checks[i], mask == 0 || (mask & (1u << i)));
  gtk_check_button_set_active (mask == 0 ? self->all_sensors_check : self->chosen_sensors_check,
                               TRUE);
  /* The sensors may still be loading: the mask holds without their check buttons. */
  self->sensors = mask;
  update_state (self);
}

gboolean
vigil_export_dialog_get_ready (VigilExportDialog *self)
{
  g_return_val_if_fail (VIGIL_IS_EXPORT_DIALOG (self), FALSE);

  return self->ready;
}

const char *
vigil_export_dialog_get_error (VigilExportDialog *self)
{
  g_return_val_if_fail (VIGIL_IS_EXPORT_DIALOG (self), NULL);

  return current_error (self);
}

/* Class --------------------------------------------------------------------------------------- */

static void
vigil_export_dialog_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  VigilExportDialog *self = VIGIL_EXPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_READY:
      g_value_set_boolean (value, self->ready);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vigil_export_dialog_dispose (GObject *object)
{
  VigilExportDialog *self = VIGIL_EXPORT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  vigil_ui_clear_file_chooser (&self->chooser);
  g_clear_weak_pointer (&self->window);
  memset (self->sensor_checks, 0, sizeof self->sensor_checks);

  gtk_widget_dispose_template (GTK_WIDGET (self), VIGIL_TYPE_EXPORT_DIALOG);

  G_OBJECT_CLASS (vigil_export_dialog_parent_class)->dispose (object);
}

static void
vigil_export_dialog_finalize (GObject *object)
{
  VigilExportDialog *self = VIGIL_EXPORT_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->db_path, g_free);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->range_error, g_free);
  g_clear_pointer (&self->write_error, g_free);

  G_OBJECT_CLASS (vigil_export_dialog_parent_class)->finalize (object);
}

static void
vigil_export_dialog_class_init (VigilExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = vigil_export_dialog_get_property;
  object_class->dispose = vigil_export_dialog_dispose;
  object_class->finalize = vigil_export_dialog_finalize;

  properties[PROP_READY] =
    g_param_spec_boolean ("ready", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vigilmonitor/Vigil/ui/"
                                               "vigil-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, export_button);
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, error_box);
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, windows_check);
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, alarms_check);
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, journal_check);
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, visible_row);
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, all_row);
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, visible_check);
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, all_check);
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, chosen_check);
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, from_row);
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, to_row);
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, range_error_label);
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, all_sensors_check);
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, chosen_sensors_check);
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, sensors_flow);
  gtk_widget_class_bind_template_child (widget_class, VigilExportDialog, sensors_error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_export_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_kind_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_range_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_range_text_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_sensors_toggled);
}

static void
vigil_export_dialog_init (VigilExportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->kind = VIGIL_EXPORT_WINDOWS;
  self->range = VIGIL_EXPORT_RANGE_VISIBLE;
  on_range_text_changed (self);
}

/* What the window shows now: the ranges offered and the sensors to load. */
static void
load_source (VigilExportDialog *self)
{
  VigilPlayer *player = vigil_window_get_player (self->window);
  g_autoptr(GTask) task = NULL;
  g_autofree char *name = NULL;
  SensorsQuery *query;
  gint64 start_us, end_us, from_us, to_us;

  self->db_path = g_strdup (vigil_player_get_db_path (player));
  self->source = g_strdup (vigil_player_get_source (player));
  self->session_id = vigil_player_get_session_id (player);
  self->source_kind = vigil_player_get_kind (player);
  if (self->db_path == NULL)
    return;

  name = g_path_get_basename (self->source != NULL ? self->source : self->db_path);
  adw_window_title_set_subtitle (self->window_title, name);

  vigil_window_get_visible_range (self->window, &from_us, &to_us);
  vigil_player_get_range (player, &start_us, &end_us);
  if (end_us > start_us && end_us != G_MAXINT64)
    {
      g_autofree char *range = format_range (start_us, end_us);

      adw_action_row_set_subtitle (self->all_row, range);
      /* The chosen range starts as the whole source, to be narrowed. */
      vigil_export_dialog_set_range (self, VIGIL_EXPORT_RANGE_CHOSEN, start_us, end_us);
    }

  /* Charts that have not shown this source yet show none of it: offer everything instead. */
  if (to_us > from_us && from_us < end_us && to_us > start_us)
    {
      g_autofree char *range = format_range (from_us, to_us);

      adw_action_row_set_subtitle (self->visible_row, range);
      gtk_check_button_set_active (self->visible_check, TRUE);
    }
  else
    {
      adw_action_row_set_subtitle (self->visible_row, _("The charts show none of this source "
                                                        "yet"));
      gtk_check_button_set_active (self->all_check, TRUE);
    }

  query = g_new0 (SensorsQuery, 1);
  query->db_path = g_strdup (self->db_path);
  query->source = g_strdup (self->source);
  query->session_id = self->session_id;
  query->kind = self->source_kind;
  task = g_task_new (self, self->cancellable, sensors_ready, NULL);
  g_task_set_source_tag (task, load_source);
  g_task_set_task_data (task, query, (GDestroyNotify) sensors_query_free);
  g_task_run_in_thread (task, sensors_thread);
}

GtkWidget *
vigil_export_dialog_new (VigilWindow *window)
{
  VigilExportDialog *self;

  g_return_val_if_fail (VIGIL_IS_WINDOW (window), NULL);

  self = g_object_new (VIGIL_TYPE_EXPORT_DIALOG, "transient-for", window, NULL);
  g_set_weak_pointer (&self->window, window);
  load_source (self);
  update_state (self);
  /* Enter exports, as the default widget; Escape cancels. */
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->export_button));

  return GTK_WIDGET (self);
}
