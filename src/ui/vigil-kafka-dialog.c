/* vigil-kafka-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "vigil-kafka-dialog.h"
#include "vigil-keyring.h"
#include "vigil-ui-util.h"

/* Long enough for a cluster across a WAN to answer, short enough that a wrong address is
 * reported while the operator still looks at the dialog. */
#define TEST_TIMEOUT_MS 8000

/* The combo rows list the engine's values in the enums' own order, so that a row's position
 * is its value. */
#define N_SECURITIES (VIGIL_KAFKA_SECURITY_SASL_SSL + 1)
#define N_MECHANISMS (VIGIL_KAFKA_SASL_SCRAM_SHA_512 + 1)
#define N_STARTS     (VIGIL_KAFKA_START_LATEST + 1)

struct _VigilKafkaDialog
{
  AdwWindow             parent_instance;

  VigilWindow          *window;
  GSettings            *settings;
  GCancellable         *test_cancellable;
  GCancellable         *lookup_cancellable;
  GtkFileChooserNative *ca_chooser;
  char                 *ca_file;
  char                 *test_text;
  char                 *tested_form;   /* form_fingerprint() when the last test started */
  VigilKafkaTestState   test_state;
  /* The keyring filled the password field (so a change of account may replace it). */
  gboolean              password_from_keyring;
  gboolean              loading;

  AdwToastOverlay      *toast_overlay;
  GtkButton            *connect_button;
  AdwEntryRow          *brokers_row;
  AdwComboRow          *security_row;
  AdwComboRow          *mechanism_row;
  AdwEntryRow          *username_row;
  AdwPasswordEntryRow  *password_row;
  AdwActionRow         *ca_row;
  AdwActionRow         *verify_row;
  GtkSwitch            *verify_switch;
  GtkButton            *ca_clear_button;
  AdwEntryRow          *topics_row;
  AdwEntryRow          *group_row;
  AdwComboRow          *start_row;
  AdwActionRow         *test_row;
  GtkImage             *test_icon;
  GtkSpinner           *test_spinner;
  GtkButton            *test_button;
};

G_DEFINE_FINAL_TYPE (VigilKafkaDialog, vigil_kafka_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_WINDOW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The text of an entry row, password rows included. */
static const char *
row_text (gpointer row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

/* The selected row's position: the value it lists, or the first when none is selected. */
static guint
selected (AdwComboRow *row,
          guint        n_values)
{
  guint i = adw_combo_row_get_selected (row);

  return i < n_values ? i : 0;
}

static VigilKafkaSecurity
selected_security (VigilKafkaDialog *self)
{
  return (VigilKafkaSecurity) selected (self->security_row, N_SECURITIES);
}

static gboolean
security_uses_sasl (VigilKafkaSecurity security)
{
  return security == VIGIL_KAFKA_SECURITY_SASL_PLAINTEXT ||
         security == VIGIL_KAFKA_SECURITY_SASL_SSL;
}

static gboolean
security_uses_tls (VigilKafkaSecurity security)
{
  return security == VIGIL_KAFKA_SECURITY_SSL || security == VIGIL_KAFKA_SECURITY_SASL_SSL;
}

GStrv
vigil_kafka_dialog_get_topics (VigilKafkaDialog *self)
{
  g_auto(GStrv) parts = NULL;
  GStrvBuilder *builder;
  GStrv topics;

  g_return_val_if_fail (VIGIL_IS_KAFKA_DIALOG (self), NULL);

  parts = g_regex_split_simple ("[,\\s]+", row_text (self->topics_row), 0, 0);
  builder = g_strv_builder_new ();
  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_strv_builder_add (builder, parts[i]);
  topics = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return topics;
}

/* What keeps the form from holding, for the field at fault; NULL when it holds. */
static char *
check_subscription (VigilKafkaDialog *self)
{
  g_auto(GStrv) topics = vigil_kafka_dialog_get_topics (self);

  if (topics[0] == NULL)
    return g_strdup (_("Give at least one topic"));
  for (guint i = 0; topics[i] != NULL; i++)
    if (topics[i][0] == '^')
      {
        g_autoptr(GRegex) regex = NULL;
        g_autoptr(GError) error = NULL;

        regex = g_regex_new (topics[i], 0, 0, &error);
        if (regex == NULL)
          /* Translators: %s is a topic pattern, then the regular expression's error. */
          return g_strdup_printf (_("The pattern “%s” is not valid: %s"), topics[i],
                                  error->message);
      }
  if (*row_text (self->group_row) == '\0')
    return g_strdup (_("Give a consumer group"));
  return NULL;
}

gboolean
vigil_kafka_dialog_get_connection (VigilKafkaDialog      *self,
                                   VigilKafkaConnection  *out,
                                   GError               **error)
{
  rd_kafka_conf_t *conf;

  g_return_val_if_fail (VIGIL_IS_KAFKA_DIALOG (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  vigil_kafka_connection_init (out, NULL);
  out->brokers = g_strstrip (g_strdup (row_text (self->brokers_row)));
  out->security = selected_security (self);
  out->mechanism = (VigilKafkaSaslMechanism) selected (self->mechanism_row, N_MECHANISMS);
  if (security_uses_sasl (out->security))
    {
      out->username = g_strdup (row_text (self->username_row));
      out->password = g_strdup (row_text (self->password_row));
    }
  if (security_uses_tls (out->security))
    {
      out->ca_file = g_strdup (self->ca_file);
      out->verify_peer = gtk_switch_get_active (self->verify_switch);
    }

  /* The engine's own check, so that the dialog and the consumer agree on what is valid. */
  conf = vigil_kafka_connection_new_conf (out, error);
  if (conf == NULL)
    {
      vigil_kafka_connection_clear (out);
      return FALSE;
    }
  rd_kafka_conf_destroy (conf);
  return TRUE;
}

static void
set_test_result (VigilKafkaDialog    *self,
                 VigilKafkaTestState  state,
                 const char          *title,
                 const char          *text)
{
  static const char *const icons[] = {
    [VIGIL_KAFKA_TEST_NONE] = "network-offline-symbolic",
    [VIGIL_KAFKA_TEST_RUNNING] = "network-transmit-receive-symbolic",
    [VIGIL_KAFKA_TEST_OK] = "emblem-ok-symbolic",
    [VIGIL_KAFKA_TEST_FAILED] = "dialog-error-symbolic",
  };

  self->test_state = state;
  g_free (self->test_text);
  self->test_text = g_strdup (text != NULL ? text : "");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->test_row), title);
  adw_action_row_set_subtitle (self->test_row, self->test_text);
  gtk_image_set_from_icon_name (self->test_icon, icons[state]);
  gtk_widget_remove_css_class (GTK_WIDGET (self->test_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->test_icon), "error");
  if (state == VIGIL_KAFKA_TEST_OK)
    gtk_widget_add_css_class (GTK_WIDGET (self->test_icon), "success");
  else if (state == VIGIL_KAFKA_TEST_FAILED)
    gtk_widget_add_css_class (GTK_WIDGET (self->test_icon), "error");
  gtk_spinner_set_spinning (self->test_spinner, state == VIGIL_KAFKA_TEST_RUNNING);
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), state == VIGIL_KAFKA_TEST_RUNNING);
}

/* Turning verification off is allowed for a test cluster, but never quietly. */
static void
show_verify_state (VigilKafkaDialog *self)
{
  gboolean verify = gtk_switch_get_active (self->verify_switch);

  adw_action_row_set_subtitle (self->verify_row,
                               verify ? _("Turn off only for a test cluster")
                                      : _("Off: anyone on the network path can pose as the "
                                          "brokers"));
  if (verify)
    gtk_widget_remove_css_class (GTK_WIDGET (self->verify_row), "warning");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->verify_row), "warning");
}

static void
update_form (VigilKafkaDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *subscription_error = NULL;
  VigilKafkaConnection connection;
  gboolean connection_ok;

  show_verify_state (self);
  connection_ok = vigil_kafka_dialog_get_connection (self, &connection, &error);
  if (connection_ok)
    vigil_kafka_connection_clear (&connection);
  subscription_error = check_subscription (self);

  gtk_widget_set_sensitive (GTK_WIDGET (self->test_button),
                            connection_ok && self->test_state != VIGIL_KAFKA_TEST_RUNNING);
  gtk_widget_set_sensitive (GTK_WIDGET (self->connect_button),
                            connection_ok && subscription_error == NULL &&
                            self->test_state != VIGIL_KAFKA_TEST_RUNNING);

  /* A test's result stays until the form changes (on_form_changed() resets it). */
  if (self->test_state != VIGIL_KAFKA_TEST_NONE)
    return;
  if (!connection_ok && *row_text (self->brokers_row) != '\0')
    set_test_result (self, VIGIL_KAFKA_TEST_NONE, _("Not Ready"), error->message);
  else if (subscription_error != NULL && connection_ok)
    set_test_result (self, VIGIL_KAFKA_TEST_NONE, _("Not Ready"), subscription_error);
  else
    set_test_result (self, VIGIL_KAFKA_TEST_NONE, _("Not Tested"), NULL);
}

/* Everything the test and Connect depend on, as one string (the password as a digest). */
static char *
form_fingerprint (VigilKafkaDialog *self)
{
  g_autofree char *password = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
                                                             row_text (self->password_row), -1);

  return g_strdup_printf ("%s|%u|%u|%s|%s|%s|%d|%s|%s", row_text (self->brokers_row),
                          adw_combo_row_get_selected (self->security_row),
                          adw_combo_row_get_selected (self->mechanism_row),
                          row_text (self->username_row), password,
                          self->ca_file != NULL ? self->ca_file : "",
                          gtk_switch_get_active (self->verify_switch),
                          row_text (self->topics_row), row_text (self->group_row));
}

static void
on_form_changed (VigilKafkaDialog *self)
{
  g_autofree char *form = NULL;

  if (self->loading)
    return;
  /* Widgets also notify when nothing changed (on realize, say): a test of these very
   * settings stands. */
  form = form_fingerprint (self);
  if (self->test_state != VIGIL_KAFKA_TEST_NONE && g_strcmp0 (form, self->tested_form) == 0)
    return;
  /* A test of other settings says nothing about these: cancel it. */
  g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);
  self->test_state = VIGIL_KAFKA_TEST_NONE;
  update_form (self);
}

static void
on_password_found (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(VigilKafkaDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  char *password = vigil_keyring_lookup_password_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    g_debug ("No keyring to read the Kafka password from: %s", error->message);
  if (password != NULL &&
      (*gtk_editable_get_text (GTK_EDITABLE (self->password_row)) == '\0' ||
       self->password_from_keyring))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
      self->password_from_keyring = TRUE;
    }
  if (password != NULL)
    {
      explicit_bzero (password, strlen (password));
      g_free (password);
    }
}

static void
look_up_password (VigilKafkaDialog *self)
{
  const char *brokers = row_text (self->brokers_row);
  const char *username = row_text (self->username_row);

  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->lookup_cancellable);
  if (*brokers == '\0' || *username == '\0' || !security_uses_sasl (selected_security (self)))
    return;

  self->lookup_cancellable = g_cancellable_new ();
  vigil_keyring_lookup_password_async (brokers, username, self->lookup_cancellable,
                                       on_password_found, g_object_ref (self));
}

static void
on_account_changed (VigilKafkaDialog *self)
{
  if (self->loading)
    return;
  if (self->password_from_keyring)
    {
      /* Someone else's password must not follow the account it was found for. */
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
      self->password_from_keyring = FALSE;
    }
  look_up_password (self);
  on_form_changed (self);
}

static void
update_security_rows (VigilKafkaDialog *self)
{
  VigilKafkaSecurity security = selected_security (self);
  gboolean sasl = security_uses_sasl (security);
  gboolean tls = security_uses_tls (security);

  gtk_widget_set_visible (GTK_WIDGET (self->mechanism_row), sasl);
  gtk_widget_set_visible (GTK_WIDGET (self->username_row), sasl);
  gtk_widget_set_visible (GTK_WIDGET (self->password_row), sasl);
  gtk_widget_set_visible (GTK_WIDGET (self->ca_row), tls);
  gtk_widget_set_visible (GTK_WIDGET (self->verify_row), tls);
}

static void
on_security_changed (VigilKafkaDialog *self)
{
  update_security_rows (self);
  if (self->loading)
    return;
  look_up_password (self);
  on_form_changed (self);
}

static void
show_ca_file (VigilKafkaDialog *self)
{
  g_autofree char *name = self->ca_file != NULL ? g_path_get_basename (self->ca_file) : NULL;

  adw_action_row_set_subtitle (self->ca_row, name != NULL ? name
                                                          : _("The system’s certificates"));
  gtk_widget_set_visible (GTK_WIDGET (self->ca_clear_button), self->ca_file != NULL);
}

static void
on_ca_chosen (GtkNativeDialog  *chooser,
              int               response,
              VigilKafkaDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      g_free (self->ca_file);
      self->ca_file = g_file_get_path (file);
      show_ca_file (self);
      on_form_changed (self);
    }
  vigil_ui_clear_file_chooser (&self->ca_chooser);
}

static void
on_ca_choose_clicked (VigilKafkaDialog *self)
{
  GtkFileChooserNative *chooser;

  chooser = vigil_ui_file_chooser_new (&self->ca_chooser, GTK_WINDOW (self),
                                       _("Certificate Authority"),
                                       GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"),
                                       vigil_ui_file_filter_new (_("PEM Certificates"),
                                                                 "*.pem", NULL),
                                       TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_ca_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_ca_clear_clicked (VigilKafkaDialog *self)
{
  g_clear_pointer (&self->ca_file, g_free);
  show_ca_file (self);
  on_form_changed (self);
}

static gboolean
topic_matches (const char        *topic,
               const char *const *subscription)
{
  for (guint i = 0; subscription[i] != NULL; i++)
    {
      if (subscription[i][0] == '^'
            ? g_regex_match_simple (subscription[i], topic, 0, 0)
            : strcmp (subscription[i], topic) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  VigilKafkaConnection *connection = task_data;
  GError *error = NULL;
  GStrv topics;

  topics = vigil_kafka_connection_list_topics (connection, TEST_TIMEOUT_MS, &error);
  if (topics == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, topics, (GDestroyNotify) g_strfreev);
}

static void
free_connection (gpointer data)
{
  vigil_kafka_connection_clear (data);
  g_free (data);
}

static void
on_tested (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  VigilKafkaDialog *self = VIGIL_KAFKA_DIALOG (source);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) topics = g_task_propagate_pointer (G_TASK (result), &error);
  g_auto(GStrv) subscription = NULL;
  g_autofree char *text = NULL;
  guint n_topics, n_matching = 0;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->test_cancellable);

  if (topics == NULL)
    {
      set_test_result (self, VIGIL_KAFKA_TEST_FAILED, _("Connection Failed"), error->message);
      update_form (self);
      return;
    }

  subscription = vigil_kafka_dialog_get_topics (self);
  n_topics = g_strv_length (topics);
  for (guint i = 0; i < n_topics; i++)
    if (topic_matches (topics[i], (const char *const *) subscription))
      n_matching++;

  /* Translators: the first number counts topics on the cluster, the second those of them
   * Vigil subscribes to. */
  text = g_strdup_printf (ngettext ("%u topic on the cluster, %u of them subscribed",
                                    "%u topics on the cluster, %u of them subscribed",
                                    n_topics),
                          n_topics, n_matching);
  set_test_result (self, VIGIL_KAFKA_TEST_OK, _("Connected"), text);
  update_form (self);
}

void
vigil_kafka_dialog_test (VigilKafkaDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  VigilKafkaConnection *connection;

  g_return_if_fail (VIGIL_IS_KAFKA_DIALOG (self));

  connection = g_new0 (VigilKafkaConnection, 1);
  if (!vigil_kafka_dialog_get_connection (self, connection, &error))
    {
      g_free (connection);
      set_test_result (self, VIGIL_KAFKA_TEST_FAILED, _("Not Ready"), error->message);
      return;
    }

  g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);
  self->test_cancellable = g_cancellable_new ();

  g_free (self->tested_form);
  self->tested_form = form_fingerprint (self);
  set_test_result (self, VIGIL_KAFKA_TEST_RUNNING, _("Connecting…"), connection->brokers);
  update_form (self);

  task = g_task_new (self, self->test_cancellable, on_tested, NULL);
  g_task_set_source_tag (task, vigil_kafka_dialog_test);
  g_task_set_task_data (task, connection, free_connection);
  g_task_run_in_thread (task, test_thread);
}

static void
on_test_clicked (VigilKafkaDialog *self)
{
  vigil_kafka_dialog_test (self);
}

VigilKafkaTestState
vigil_kafka_dialog_get_test_state (VigilKafkaDialog *self)
{
  g_return_val_if_fail (VIGIL_IS_KAFKA_DIALOG (self), VIGIL_KAFKA_TEST_NONE);

  return self->test_state;
}

const char *
vigil_kafka_dialog_get_test_text (VigilKafkaDialog *self)
{
  g_return_val_if_fail (VIGIL_IS_KAFKA_DIALOG (self), "");

  return self->test_text != NULL ? self->test_text : "";
}

static void
on_password_stored (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(VigilWindow) window = user_data;
  g_autoptr(GError) error = NULL;

  if (!vigil_keyring_store_password_finish (result, &error))
    {
      g_autofree char *text = NULL;

      /* Translators: %s says why the keyring refused. */
      text = g_strdup_printf (_("The password could not be kept in the keyring: %s"),
                              error->message);
      vigil_window_toast (window, text);
    }
}

static void
save_settings (VigilKafkaDialog           *self,
               const VigilKafkaConnection *connection,
               const char *const          *topics)
{
  g_settings_delay (self->settings);
  g_settings_set_string (self->settings, "kafka-brokers", connection->brokers);
  g_settings_set_string (self->settings, "kafka-security",
                         vigil_kafka_security_to_string (connection->security));
  g_settings_set_string (self->settings, "kafka-sasl-mechanism",
                         vigil_kafka_sasl_mechanism_to_string (connection->mechanism));
  g_settings_set_string (self->settings, "kafka-username", row_text (self->username_row));
  g_settings_set_string (self->settings, "kafka-ca-file",
                         self->ca_file != NULL ? self->ca_file : "");
  g_settings_set_boolean (self->settings, "kafka-verify",
                          gtk_switch_get_active (self->verify_switch));
  g_settings_set_strv (self->settings, "kafka-topics", topics);
  g_settings_set_string (self->settings, "kafka-group", row_text (self->group_row));
  g_settings_set_string (self->settings, "kafka-start",
                         vigil_kafka_start_to_string (selected (self->start_row, N_STARTS)));
  g_settings_apply (self->settings);
}

gboolean
vigil_kafka_dialog_connect (VigilKafkaDialog  *self,
                            GError           **error)
{
  g_autofree char *subscription_error = NULL;
  g_auto(GStrv) topics = NULL;
  VigilKafkaConnection connection;
  gboolean ok;

  g_return_val_if_fail (VIGIL_IS_KAFKA_DIALOG (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!vigil_kafka_dialog_get_connection (self, &connection, error))
    return FALSE;
  subscription_error = check_subscription (self);
  if (subscription_error != NULL)
    {
      vigil_kafka_connection_clear (&connection);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, subscription_error);
      return FALSE;
    }

  topics = vigil_kafka_dialog_get_topics (self);
  ok = vigil_window_open_kafka (self->window, &connection, (const char *const *) topics,
                                row_text (self->group_row),
                                selected (self->start_row, N_STARTS), error);
  if (ok)
    {
      save_settings (self, &connection, (const char *const *) topics);
      if (security_uses_sasl (connection.security) && *connection.password != '\0')
        vigil_keyring_store_password_async (connection.brokers, connection.username,
                                            connection.password, NULL, on_password_stored,
                                            g_object_ref (self->window));
    }
  vigil_kafka_connection_clear (&connection);
  return ok;
}

static void
on_connect_clicked (VigilKafkaDialog *self)
{
  g_autoptr(GError) error = NULL;

  if (vigil_kafka_dialog_connect (self, &error))
    gtk_window_destroy (GTK_WINDOW (self));
  else
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
}

static void
load_settings (VigilKafkaDialog *self)
{
  g_autofree char *brokers = g_settings_get_string (self->settings, "kafka-brokers");
  g_autofree char *security = g_settings_get_string (self->settings, "kafka-security");
  g_autofree char *mechanism = g_settings_get_string (self->settings, "kafka-sasl-mechanism");
  g_autofree char *username = g_settings_get_string (self->settings, "kafka-username");
  g_autofree char *ca_file = g_settings_get_string (self->settings, "kafka-ca-file");
  g_autofree char *group = g_settings_get_string (self->settings, "kafka-group");
  g_autofree char *start = g_settings_get_string (self->settings, "kafka-start");
  g_auto(GStrv) topics = g_settings_get_strv (self->settings, "kafka-topics");
  g_autofree char *topics_text = g_strjoinv (", ", topics);
  /* The settings' choices are the engine's names; anything else selects the first row. */
  VigilKafkaSecurity security_value = VIGIL_KAFKA_SECURITY_PLAINTEXT;
  VigilKafkaSaslMechanism mechanism_value = VIGIL_KAFKA_SASL_PLAIN;
  VigilKafkaStart start_value = VIGIL_KAFKA_START_STORED;

  vigil_kafka_security_from_string (security, &security_value);
  vigil_kafka_sasl_mechanism_from_string (mechanism, &mechanism_value);
  vigil_kafka_start_from_string (start, &start_value);

  self->loading = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->brokers_row), brokers);
  adw_combo_row_set_selected (self->security_row, security_value);
  adw_combo_row_set_selected (self->mechanism_row, mechanism_value);
  gtk_editable_set_text (GTK_EDITABLE (self->username_row), username);
  self->ca_file = *ca_file != '\0' ? g_steal_pointer (&ca_file) : NULL;
  gtk_switch_set_active (self->verify_switch,
                         g_settings_get_boolean (self->settings, "kafka-verify"));
  gtk_editable_set_text (GTK_EDITABLE (self->topics_row), topics_text);
  gtk_editable_set_text (GTK_EDITABLE (self->group_row), group);
  adw_combo_row_set_selected (self->start_row, start_value);
  self->loading = FALSE;

  update_security_rows (self);
  show_ca_file (self);
  look_up_password (self);
  update_form (self);
}

static void
vigil_kafka_dialog_constructed (GObject *object)
{
  VigilKafkaDialog *self = VIGIL_KAFKA_DIALOG (object);

  G_OBJECT_CLASS (vigil_kafka_dialog_parent_class)->constructed (object);

  gtk_window_set_transient_for (GTK_WINDOW (self), GTK_WINDOW (self->window));
  load_settings (self);
}

static void
vigil_kafka_dialog_dispose (GObject *object)
{
  VigilKafkaDialog *self = VIGIL_KAFKA_DIALOG (object);

  g_cancellable_cancel (self->test_cancellable);
  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->test_cancellable);
  g_clear_object (&self->lookup_cancellable);
  vigil_ui_clear_file_chooser (&self->ca_chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), VIGIL_TYPE_KAFKA_DIALOG);

  G_OBJECT_CLASS (vigil_kafka_dialog_parent_class)->dispose (object);
}

static void
vigil_kafka_dialog_finalize (GObject *object)
{
  VigilKafkaDialog *self = VIGIL_KAFKA_DIALOG (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->window);
  g_free (self->ca_file);
  g_free (self->test_text);
  g_free (self->tested_form);

  G_OBJECT_CLASS (vigil_kafka_dialog_parent_class)->finalize (object);
}

static void
vigil_kafka_dialog_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  VigilKafkaDialog *self = VIGIL_KAFKA_DIALOG (object);

  switch (prop_id)
    {
    case PROP_WINDOW:
      self->window = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vigil_kafka_dialog_class_init (VigilKafkaDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = vigil_kafka_dialog_constructed;
  object_class->dispose = vigil_kafka_dialog_dispose;
  object_class->finalize = vigil_kafka_dialog_finalize;
  object_class->set_property = vigil_kafka_dialog_set_property;

  properties[PROP_WINDOW] =
    g_param_spec_object ("window", NULL, NULL, VIGIL_TYPE_WINDOW,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vigilmonitor/Vigil/ui/"
                                               "vigil-kafka-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, VigilKafkaDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, VigilKafkaDialog, connect_button);
  gtk_widget_class_bind_template_child (widget_class, VigilKafkaDialog, brokers_row);
  gtk_widget_class_bind_template_child (widget_class, VigilKafkaDialog, security_row);
  gtk_widget_class_bind_template_child (widget_class, VigilKafkaDialog, mechanism_row);
  gtk_widget_class_bind_template_child (widget_class, VigilKafkaDialog, username_row);
  gtk_widget_class_bind_template_child (widget_class, VigilKafkaDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, VigilKafkaDialog, ca_row);
  gtk_widget_class_bind_template_child (widget_class, VigilKafkaDialog, verify_row);
  gtk_widget_class_bind_template_child (widget_class, VigilKafkaDialog, verify_switch);
  gtk_widget_class_bind_template_child (widget_class, VigilKafkaDialog, ca_clear_button);
  gtk_widget_class_bind_template_child (widget_class, VigilKafkaDialog, topics_row);
  gtk_widget_class_bind_template_child (widget_class, VigilKafkaDialog, group_row);
  gtk_widget_class_bind_template_child (widget_class, VigilKafkaDialog, start_row);
  gtk_widget_class_bind_template_child (widget_class, VigilKafkaDialog, test_row);
  gtk_widget_class_bind_template_child (widget_class, VigilKafkaDialog, test_icon);
  gtk_widget_class_bind_template_child (widget_class, VigilKafkaDialog, test_spinner);
  gtk_widget_class_bind_template_child (widget_class, VigilKafkaDialog, test_button);
  gtk_widget_class_bind_template_callback (widget_class, on_form_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_account_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_security_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_ca_choose_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_ca_clear_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_test_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_connect_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
vigil_kafka_dialog_init (VigilKafkaDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = g_settings_new (APP_ID);
}

GtkWidget *
vigil_kafka_dialog_new (VigilWindow *window)
{
  g_return_val_if_fail (VIGIL_IS_WINDOW (window), NULL);

  return g_object_new (VIGIL_TYPE_KAFKA_DIALOG, "window", window, NULL);
}
