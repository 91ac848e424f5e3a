/* vigil-ui-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vigil-time.h"
#include "vigil-ui-util.h"

const char *
vigil_ui_quantity_name (VigilSensor sensor)
{
  switch (vigil_sensor_get_info (sensor)->family)
    {
    case VIGIL_FAMILY_PRESSURE:
      return _("Pressure");
    case VIGIL_FAMILY_POWER:
      return _("Motor power");
    case VIGIL_FAMILY_FLOW:
      return _("Volume flow");
    case VIGIL_FAMILY_TEMPERATURE:
      return _("Temperature");
    case VIGIL_FAMILY_VIBRATION:
      return _("Vibration");
    case VIGIL_FAMILY_COOLING:
      return sensor == VIGIL_SENSOR_CE ? _("Cooling efficiency") : _("Cooling power");
    case VIGIL_FAMILY_EFFICIENCY:
      return _("Efficiency factor");
    case VIGIL_N_FAMILIES:
    default:
      return "";
    }
}

const char *
vigil_ui_key_name (guint key)
{
  static const char * const components[VIGIL_N_COMPONENTS] = {
    N_("Cooler"), N_("Valve"), N_("Pump"), N_("Accumulator"), N_("Stability"),
  };

  if (key < VIGIL_N_SENSORS)
    return vigil_sensor_get_info ((VigilSensor) key)->name;
  if (key < VIGIL_KEY_CAMERA)
    return _(components[key - VIGIL_KEY_COMPONENT]);
  if (key == VIGIL_KEY_CAMERA)
    return _("Camera");

  return "";
}

char *
vigil_ui_format_alarm_value (guint  key,
                             double value)
{
  if (key < VIGIL_N_SENSORS)
    return g_strdup_printf ("%.2f %s", value, vigil_sensor_get_info ((VigilSensor) key)->unit);

  /* A component's statistic is a probability or a class: no unit. */
  return g_strdup_printf ("%.2f", value);
}

/* The conditions of the UCI hydraulic rig's documentation, best first. */
typedef struct
{
  int         klass;
  const char *name;
} Condition;

static const Condition conditions[VIGIL_N_COMPONENTS][4] = {
  { { 100, N_("Full efficiency") }, { 20, N_("Reduced efficiency") },
    { 3, N_("Close to total failure") } },
  { { 100, N_("Optimal switching") }, { 90, N_("Small lag") }, { 80, N_("Severe lag") },
    { 73, N_("Close to total failure") } },
  { { 0, N_("No leakage") }, { 1, N_("Weak leakage") }, { 2, N_("Severe leakage") } },
  { { 130, N_("Optimal pressure") }, { 115, N_("Slightly reduced pressure") },
    { 100, N_("Severely reduced pressure") }, { 90, N_("Close to total failure") } },
  { { 0, N_("Stable") }, { 1, N_("Not yet stable") } },
};

char *
vigil_ui_condition_name (guint  target,
                         int    klass,
                         guint *out_rank,
                         guint *out_n_ranks)
{
  guint n = 0;
  const char *name = NULL;

  g_return_val_if_fail (target < VIGIL_N_COMPONENTS, NULL);

  for (; n < G_N_ELEMENTS (conditions[target]) && conditions[target][n].name != NULL; n++)
    if (conditions[target][n].klass == klass)
      {
        name = conditions[target][n].name;
        if (out_rank != NULL)
          *out_rank = n;
      }

  if (out_n_ranks != NULL)
    *out_n_ranks = n;
  if (name != NULL)
    return g_strdup (_(name));

  if (out_rank != NULL)
    *out_rank = 0;
  /* Translators: a predicted condition this Vigil has no name for, e.g. "Class 42". */
  return g_strdup_printf (_("Class %d"), klass);
}

const char *
vigil_ui_severity_name (VigilSeverity severity)
{
  return severity == VIGIL_SEVERITY_CRITICAL ? _("Critical") : _("Warning");
}

const char *
vigil_ui_state_name (VigilAlarmState state)
{
  switch (state)
    {
    case VIGIL_ALARM_NORMAL:
      return _("Normal");
    case VIGIL_ALARM_PENDING:
      return _("Pending");
    case VIGIL_ALARM_ACTIVE_UNACKED:
      return _("Active, unacknowledged");
    case VIGIL_ALARM_ACTIVE_ACKED:
      return _("Active, acknowledged");
    case VIGIL_ALARM_CLEARING:
      return _("Clearing");
    case VIGIL_ALARM_CLEARED_UNACKED:
      return _("Cleared, unacknowledged");
    default:
      return "";
    }
}

const char *
vigil_ui_cause_name (VigilAlarmCause cause)
{
  switch (cause)
    {
    case VIGIL_ALARM_CAUSE_CONDITION:
      return _("Condition");
    case VIGIL_ALARM_CAUSE_TIMER:
      return _("Delay elapsed");
    case VIGIL_ALARM_CAUSE_ACK:
      return _("Acknowledged");
    case VIGIL_ALARM_CAUSE_SHELVE:
      return _("Shelved");
    case VIGIL_ALARM_CAUSE_UNSHELVE:
      return _("Unshelved");
    default:
      return "";
    }
}

void
vigil_ui_lookup_color (GtkWidget  *widget,
                       const char *name,
                       const char *fallback,
                       GdkRGBA    *out)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, out))
    gdk_rgba_parse (out, fallback);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

char *
vigil_ui_format_time (gint64 us)
{
  g_autoptr(GDateTime) dt = NULL;

  if (us == 0)
    return g_strdup ("");

  dt = g_date_time_new_from_unix_utc (vigil_floor_div (us, G_USEC_PER_SEC));
  return dt != NULL ? g_date_time_format (dt, "%F %T") : g_strdup ("");
}

GtkFileFilter *
vigil_ui_file_filter_new (const char *name,
                          const char *pattern,
                          const char *mime_type)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  gtk_file_filter_add_pattern (filter, pattern);
  if (mime_type != NULL)
    gtk_file_filter_add_mime_type (filter, mime_type);

  return filter;
}

void
vigil_ui_clear_file_chooser (GtkFileChooserNative **slot)
{
  if (*slot != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (*slot));
  g_clear_object (slot);
}

GtkFileChooserNative *
vigil_ui_file_chooser_new (GtkFileChooserNative **slot,
                           GtkWindow             *parent,
                           const char            *title,
                           GtkFileChooserAction   action,
                           const char            *accept_label,
                           GtkFileFilter         *filter,
                           gboolean               all_files)
{
  vigil_ui_clear_file_chooser (slot);

  *slot = gtk_file_chooser_native_new (title, parent, action, accept_label, _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (*slot), TRUE);
  if (filter != NULL)
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (*slot), filter);
  if (all_files)
    {
      g_autoptr(GtkFileFilter) all = vigil_ui_file_filter_new (_("All Files"), "*", NULL);

      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (*slot), all);
    }

  return *slot;
}

/* How long an alarm can be shelved for, in the order the dialogs offer. */
static const struct { const char *label; gint64 minutes; } shelve_choices[] = {
  { N_("15 minutes"), 15 },
  { N_("1 hour"), 60 },
  { N_("4 hours"), 240 },
  { N_("8 hours"), 480 },
  { N_("24 hours"), 1440 },
};

AdwMessageDialog *
vigil_ui_alarm_dialog_new (GtkWidget    *parent,
                           const char   *heading,
                           const char   *rule,
                           const char   *where,
                           gint64        raised_us,
                           const char   *response,
                           const char   *response_label,
                           gboolean      with_duration,
                           GtkEditable **out_comment,
                           GtkDropDown **out_duration)
{
  GtkRoot *root = gtk_widget_get_root (parent);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *entry = gtk_entry_new ();
  GtkDropDown *duration = NULL;
  g_autofree char *raised = vigil_ui_format_time (raised_us);
  /* Translators: which alarm a dialog acts on: rule, sensor or camera, and when it was
   * raised. */
  g_autofree char *body = g_strdup_printf (_("“%s” on %s, raised %s"), rule, where, raised);
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root)
                                                                            : NULL,
                                                       heading, body));
  if (with_duration)
    {
      g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);

      for (guint i = 0; i < G_N_ELEMENTS (shelve_choices); i++)
        gtk_string_list_append (labels, _(shelve_choices[i].label));
      duration = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&labels)),
                                                   NULL));
      gtk_drop_down_set_selected (duration, 1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (duration),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Shelve for"), -1);
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (duration));
    }

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Comment (optional)"));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Comment"), -1);
  gtk_box_append (GTK_BOX (box), entry);
  adw_message_dialog_set_extra_child (dialog, box);

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), response, response_label,
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, response, ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, response);
  adw_message_dialog_set_close_response (dialog, "cancel");

  *out_comment = GTK_EDITABLE (entry);
  *out_duration = duration;
  return dialog;
}

const char *
vigil_ui_alarm_dialog_comment (GtkEditable *comment)
{
  const char *text = comment != NULL ? gtk_editable_get_text (comment) : NULL;

  return text != NULL && text[0] != '\0' ? text : NULL;
}

gint64
vigil_ui_alarm_dialog_duration (GtkDropDown *duration)
{
  guint choice = MIN (gtk_drop_down_get_selected (duration), G_N_ELEMENTS (shelve_choices) - 1);

  return shelve_choices[choice].minutes * 60 * G_USEC_PER_SEC;
}
