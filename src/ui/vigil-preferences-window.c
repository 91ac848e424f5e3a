/* vigil-preferences-window.c
 *
 * Every row is bound to its settings key, so a change applies at once and other windows see
 * it; nothing is applied on close. The rules file is the exception: it is parsed before it
 * is kept, so a file the engine refuses never becomes the default.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "vigil-preferences-window.h"
#include "vigil-rules.h"
#include "vigil-ui-util.h"
#include "vigil-window-op.h"

struct _VigilPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* Owned */
  GSettings            *settings;
  GtkFileChooserNative *chooser;
  char                 *rules_error;    /* the rules file last chosen was refused */
  char                 *window_error;   /* the window options are refused */

  /* Template widgets */
  AdwComboRow          *style_row;
  AdwComboRow          *speed_row;
  GtkSpinButton        *window_spin;
  GtkSpinButton        *slide_spin;
  GtkSpinButton        *lateness_spin;
  AdwActionRow         *rules_row;
  GtkWidget            *rules_reset_button;
  GtkLabel             *replay_error_label;
  GtkSwitch            *notify_switch;
  AdwActionRow         *recent_row;
  GtkWidget            *clear_recent_button;
};

G_DEFINE_FINAL_TYPE (VigilPreferencesWindow, vigil_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The combo rows' items, in order, as the settings name them. */
static const char * const style_names[] = { "default", "light", "dark", NULL };
static const char * const speed_names[] = { "1x", "10x", "100x", "max", NULL };

/* Mappings between settings and properties ---------------------------------------------------- */

static gboolean
choice_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char * const *names = user_data;
  const char *name = g_variant_get_string (variant, NULL);

  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (name, names[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  return FALSE;
}

static GVariant *
choice_set_mapping (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  const char * const *names = user_data;
  guint index = g_value_get_uint (value);

  if (index >= g_strv_length ((char **) names))
    return NULL;

  return g_variant_new_string (names[index]);
}

/* GSettings maps a double property only to a double key; these keys hold whole seconds. */
static gboolean
seconds_get_mapping (GValue   *value,
                     GVariant *variant,
                     gpointer  user_data)
{
  g_value_set_double (value, g_variant_get_uint32 (variant));

  return TRUE;
}

static GVariant *
seconds_set_mapping (const GValue       *value,
                     const GVariantType *expected_type,
                     gpointer            user_data)
{
  return g_variant_new_uint32 ((guint32) CLAMP (g_value_get_double (value), 0, G_MAXUINT32));
}

/* Rows that follow the settings --------------------------------------------------------------- */

/* A toast shows one line: the whole message stays below the rows until it is dealt with. */
static void
update_replay_error (VigilPreferencesWindow *self)
{
  g_autofree char *text = g_strjoin ("\n", self->rules_error != NULL ? self->rules_error : "",
                                     self->window_error != NULL ? self->window_error : "",
                                     NULL);

  gtk_label_set_text (self->replay_error_label, g_strstrip (text));
  gtk_widget_set_visible (GTK_WIDGET (self->replay_error_label), *text != '\0');
}

/* The replay's window operators refuse some combinations; say so before a dataset is opened. */
static void
on_window_option_changed (VigilPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  VigilWindowOp *op;

  op = vigil_window_op_new (gtk_spin_button_get_value_as_int (self->window_spin)
                            * G_USEC_PER_SEC,
                            gtk_spin_button_get_value_as_int (self->slide_spin)
                            * G_USEC_PER_SEC,
                            gtk_spin_button_get_value_as_int (self->lateness_spin)
                            * G_USEC_PER_SEC,
                            1, &error);
  g_clear_pointer (&self->window_error, g_free);
  if (op != NULL)
    vigil_window_op_free (op);
  else
    self->window_error = g_strdup (error->message);

  update_replay_error (self);
}

static void
update_rules_row (VigilPreferencesWindow *self)
{
  g_autofree char *path = g_settings_get_string (self->settings, "rules-file");

  adw_action_row_set_subtitle (self->rules_row, *path != '\0' ? path : _("Built-in rules"));
  gtk_widget_set_visible (self->rules_reset_button, *path != '\0');
}

static void
update_recent_row (VigilPreferencesWindow *self)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-sources");
  guint n = g_strv_length (recent);
  g_autofree char *subtitle = NULL;

  if (n == 0)
    subtitle = g_strdup (_("None: the Open dialog lists no recent source"));
  else
    /* Translators: how many folders and recordings the Open dialog lists as recent. */
    subtitle = g_strdup_printf (ngettext ("%u source listed in the Open dialog",
                                          "%u sources listed in the Open dialog", n), n);
  adw_action_row_set_subtitle (self->recent_row, subtitle);
  gtk_widget_set_sensitive (self->clear_recent_button, n > 0);
}

/* Actions ----------------------------------------------------------------------------------- */

gboolean
vigil_preferences_window_set_rules_file (VigilPreferencesWindow *self,
                                         GFile                  *file)
{
  g_autoptr(VigilRuleSet) rules = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (VIGIL_IS_PREFERENCES_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  path = g_file_get_path (file);
  if (path == NULL)
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (_("Only a local rules file can be used")));
      return FALSE;
    }

  rules = vigil_rule_set_new_from_file (path, &error);
  g_clear_pointer (&self->rules_error, g_free);
  if (rules == NULL)
    {
      AdwToast *toast = adw_toast_new (error->message);

      /* The message names the file and the line: long enough to need time to read. */
      adw_toast_set_timeout (toast, 10);
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
      self->rules_error = g_strdup (error->message);
      update_replay_error (self);
      return FALSE;
    }

  update_replay_error (self);
  g_settings_set_string (self->settings, "rules-file", path);
  return TRUE;
}

static void
on_rules_chosen (GtkNativeDialog        *chooser,
                 int                     response,
                 VigilPreferencesWindow *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);

  if (file != NULL)
    vigil_preferences_window_set_rules_file (self, file);
}

static void
on_choose_rules_clicked (VigilPreferencesWindow *self)
{
  g_autoptr(GtkFileFilter) filter = vigil_ui_file_filter_new (_("Rules Files (*.json)"), "*.json",
                                                              "application/json");
  GtkFileChooserNative *chooser = vigil_ui_file_chooser_new (&self->chooser, GTK_WINDOW (self),
                                                             _("Choose an Alarm Rules File"),
                                                             GTK_FILE_CHOOSER_ACTION_OPEN,
                                                             _("_Select"), filter, TRUE);

  g_signal_connect (chooser, "response", G_CALLBACK (on_rules_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_rules_reset_clicked (VigilPreferencesWindow *self)
{
  g_clear_pointer (&self->rules_error, g_free);
  update_replay_error (self);
  g_settings_reset (self->settings, "rules-file");
}

static void
on_clear_recent_clicked (VigilPreferencesWindow *self)
{
  g_settings_reset (self->settings, "recent-sources");
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("Recent sources cleared")));
}

/* Class --------------------------------------------------------------------------------------- */

static void
bind_settings (VigilPreferencesWindow *self)
{
  g_settings_bind_with_mapping (self->settings, "color-scheme", self->style_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, choice_get_mapping, choice_set_mapping,
                                (gpointer) style_names, NULL);
  g_settings_bind_with_mapping (self->settings, "replay-speed", self->speed_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, choice_get_mapping, choice_set_mapping,
                                (gpointer) speed_names, NULL);
  g_settings_bind_with_mapping (self->settings, "window-size",
                                gtk_spin_button_get_adjustment (self->window_spin), "value",
                                G_SETTINGS_BIND_DEFAULT, seconds_get_mapping,
                                seconds_set_mapping, NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "window-slide",
                                gtk_spin_button_get_adjustment (self->slide_spin), "value",
                                G_SETTINGS_BIND_DEFAULT, seconds_get_mapping,
                                seconds_set_mapping, NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "window-lateness",
                                gtk_spin_button_get_adjustment (self->lateness_spin), "value",
                                G_SETTINGS_BIND_DEFAULT, seconds_get_mapping,
                                seconds_set_mapping, NULL, NULL);
  g_settings_bind (self->settings, "notify-critical", self->notify_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_object (self->settings, "changed::rules-file",
                           G_CALLBACK (update_rules_row), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::recent-sources",
                           G_CALLBACK (update_recent_row), self, G_CONNECT_SWAPPED);
  update_rules_row (self);
  update_recent_row (self);
  on_window_option_changed (self);
}

static void
vigil_preferences_window_constructed (GObject *object)
{
  VigilPreferencesWindow *self = VIGIL_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (vigil_preferences_window_parent_class)->constructed (object);

  bind_settings (self);
}

static void
vigil_preferences_window_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  VigilPreferencesWindow *self = VIGIL_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vigil_preferences_window_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  VigilPreferencesWindow *self = VIGIL_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vigil_preferences_window_dispose (GObject *object)
{
  VigilPreferencesWindow *self = VIGIL_PREFERENCES_WINDOW (object);

  vigil_ui_clear_file_chooser (&self->chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), VIGIL_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (vigil_preferences_window_parent_class)->dispose (object);
}

static void
vigil_preferences_window_finalize (GObject *object)
{
  VigilPreferencesWindow *self = VIGIL_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->rules_error, g_free);
  g_clear_pointer (&self->window_error, g_free);

  G_OBJECT_CLASS (vigil_preferences_window_parent_class)->finalize (object);
}

static void
vigil_preferences_window_class_init (VigilPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = vigil_preferences_window_constructed;
  object_class->set_property = vigil_preferences_window_set_property;
  object_class->get_property = vigil_preferences_window_get_property;
  object_class->dispose = vigil_preferences_window_dispose;
  object_class->finalize = vigil_preferences_window_finalize;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vigilmonitor/Vigil/ui/"
                                               "vigil-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, VigilPreferencesWindow, style_row);
  gtk_widget_class_bind_template_child (widget_class, VigilPreferencesWindow, speed_row);
  gtk_widget_class_bind_template_child (widget_class, VigilPreferencesWindow, window_spin);
  gtk_widget_class_bind_template_child (widget_class, VigilPreferencesWindow, slide_spin);
  gtk_widget_class_bind_template_child (widget_class, VigilPreferencesWindow, lateness_spin);
  gtk_widget_class_bind_template_child (widget_class, VigilPreferencesWindow, rules_row);
  gtk_widget_class_bind_template_child (widget_class, VigilPreferencesWindow,
                                        rules_reset_button);
  gtk_widget_class_bind_template_child (widget_class, VigilPreferencesWindow,
                                        replay_error_label);
  gtk_widget_class_bind_template_child (widget_class, VigilPreferencesWindow, notify_switch);
  gtk_widget_class_bind_template_child (widget_class, VigilPreferencesWindow, recent_row);
  gtk_widget_class_bind_template_child (widget_class, VigilPreferencesWindow,
                                        clear_recent_button);
  gtk_widget_class_bind_template_callback (widget_class, on_window_option_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_rules_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_rules_reset_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_clear_recent_clicked);
}

static void
vigil_preferences_window_init (VigilPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
vigil_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (VIGIL_TYPE_PREFERENCES_WINDOW, "settings", settings, NULL);
}
