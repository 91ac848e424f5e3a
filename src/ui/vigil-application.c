/* vigil-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-application"

#include "config.h"

#include <glib/gi18n.h>

#include "vigil-application.h"
#include "vigil-preferences-window.h"
#include "vigil-window.h"

#define MAX_RECENT 10

struct _VigilApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  gboolean        demo;   /* --demo: open the demo rig in the first window */
};

G_DEFINE_FINAL_TYPE (VigilApplication, vigil_application, ADW_TYPE_APPLICATION)

static void
apply_color_scheme (VigilApplication *self)
{
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");
  AdwColorScheme value = ADW_COLOR_SCHEME_DEFAULT;

  if (g_strcmp0 (scheme, "light") == 0)
    value = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_strcmp0 (scheme, "dark") == 0)
    value = ADW_COLOR_SCHEME_FORCE_DARK;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), value);
}

static void
on_color_scheme_changed (GSettings        *settings,
                         const char       *key,
                         VigilApplication *self)
{
  apply_color_scheme (self);
}

static void
vigil_application_activate (GApplication *app)
{
  VigilApplication *self = VIGIL_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      window = GTK_WINDOW (vigil_window_new (self));
      if (self->demo)
        vigil_window_open_demo (VIGIL_WINDOW (window));
    }

  gtk_window_present (window);
}

static void
vigil_application_open (GApplication  *app,
                        GFile        **files,
                        int            n_files,
                        const char    *hint)
{
  VigilApplication *self = VIGIL_APPLICATION (app);

  for (int i = 0; i < n_files; i++)
    {
      VigilWindow *window = vigil_window_new (self);

      vigil_window_open_file (window, files[i]);
      gtk_window_present (GTK_WINDOW (window));
    }
}

static int
vigil_application_handle_local_options (GApplication *app,
                                        GVariantDict *options)
{
  VigilApplication *self = VIGIL_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("vigil %s\n", PACKAGE_VERSION);
      return 0;
    }
  self->demo = g_variant_dict_contains (options, "demo");

  return -1;
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  GtkApplication *app = user_data;
  GList *windows;

  /* Closing each window stops its replay and flushes its store before the process ends. */
  while ((windows = gtk_application_get_windows (app)) != NULL)
    gtk_window_destroy (windows->data);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  GtkApplication *app = user_data;
  static const char *developers[] = { "The Vigil developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", _("Vigil"),
                         "application-icon", APP_ID,
                         "developer-name", _("The Vigil developers"),
                         "version", PACKAGE_VERSION,
                         "website", "https://github.com/vigilmonitor/vigil",
                         "issue-url", "https://github.com/vigilmonitor/vigil/issues",
                         "comments", _("Watch hydraulic test rigs live: sensor charts, "
                                       "alarms and reports on one desktop."),
                         "developers", developers,
                         /* Translators: put your names here, one per line. */
                         "translator-credits", _("translator-credits"),
                         "copyright", "© 2026 The Vigil developers",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *param,
                       gpointer       user_data)
{
  VigilApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWindow *prefs = GTK_WINDOW (vigil_preferences_window_new (self->settings));

  gtk_window_set_transient_for (prefs, parent);
  gtk_window_present (prefs);
}

/* A notification's default action: the alarms, in the window that raised them. */
static void
show_alarms_activated (GSimpleAction *action,
                       GVariant      *param,
                       gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  if (!VIGIL_IS_WINDOW (window))
    return;

  vigil_window_show_page (VIGIL_WINDOW (window), "alarms");
  gtk_window_present (window);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated },
  { "show-alarms", show_alarms_activated },
  { "about", about_activated },
  { "preferences", preferences_activated },
};

static void
vigil_application_startup (GApplication *app)
{
  VigilApplication *self = VIGIL_APPLICATION (app);
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "win.open", { "<Control>o", NULL } },
    { "win.open-kafka", { "<Control><Shift>o", NULL } },
    { "win.export", { "<Control>e", NULL } },
    { "win.demo", { "<Control>d", NULL } },
    { "win.play-pause", { "<Control>space", NULL } },
    { "win.speed('1x')", { "<Control>1", NULL } },
    { "win.speed('10x')", { "<Control>2", NULL } },
    { "win.speed('100x')", { "<Control>3", NULL } },
    { "win.speed('max')", { "<Control>4", NULL } },
    { "win.seek-backward", { "<Control>Left", NULL } },
    { "win.seek-forward", { "<Control>Right", NULL } },
    { "win.go-live", { "<Control>l", NULL } },
    { "win.page('overview')", { "<Alt>1", NULL } },
    { "win.page('hydraulics')", { "<Alt>2", NULL } },
    { "win.page('alarms')", { "<Alt>3", NULL } },
    { "win.acknowledge", { "<Control>k", NULL } },
    { "win.shelve", { "<Control><Shift>k", NULL } },
    { "win.toggle-sidebar", { "F9", NULL } },
  };

  G_APPLICATION_CLASS (vigil_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions),
                                   app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action,
                                           accels[i].accels);

  self->settings = g_settings_new (APP_ID);
  g_signal_connect (self->settings, "changed::color-scheme",
                    G_CALLBACK (on_color_scheme_changed), self);
  apply_color_scheme (self);
}

static void
vigil_application_dispose (GObject *object)
{
  VigilApplication *self = VIGIL_APPLICATION (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (vigil_application_parent_class)->dispose (object);
}

static void
vigil_application_class_init (VigilApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vigil_application_dispose;
  app_class->activate = vigil_application_activate;
  app_class->open = vigil_application_open;
  app_class->startup = vigil_application_startup;
  app_class->handle_local_options = vigil_application_handle_local_options;
}

static void
vigil_application_init (VigilApplication *self)
{
  static const GOptionEntry options[] = {
    { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Open the generated demo rig and start replaying it"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Watch hydraulic test rigs live."));
}

VigilApplication *
vigil_application_new (void)
{
  return g_object_new (VIGIL_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/vigilmonitor/Vigil",
                       NULL);
}

GSettings *
vigil_application_get_settings (VigilApplication *self)
{
  g_return_val_if_fail (VIGIL_IS_APPLICATION (self), NULL);

  return self->settings;
}

void
vigil_application_add_recent (VigilApplication *self,
                              const char       *path)
{
  g_auto(GStrv) old = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) recent = NULL;
  guint n = 1;

  g_return_if_fail (VIGIL_IS_APPLICATION (self));
  g_return_if_fail (path != NULL);

  old = g_settings_get_strv (self->settings, "recent-sources");
  g_strv_builder_add (builder, path);
  for (guint i = 0; old[i] != NULL && n < MAX_RECENT; i++)
    if (g_strcmp0 (old[i], path) != 0)
      {
        g_strv_builder_add (builder, old[i]);
        n++;
      }
  recent = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-sources", (const char * const *) recent);
}
