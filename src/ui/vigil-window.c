/* vigil-window.c
 *
 * The window reads the player and its live bus once per frame (tick callback) and updates
 * the header; each page does the same for its own widgets while it is mapped. Nothing here
 * runs per sample or per window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-window"

#include "config.h"

#include <glib/gi18n.h>

#include "vigil-camera-replay.h"
#include "vigil-demo.h"
#include "vigil-error.h"
#include "vigil-time.h"
#include "vigil-ui-util.h"
#include "vigil-window-private.h"

#define DEMO_CYCLES 240
/* A drag of the timeline seeks once it rests this long. */
#define SEEK_DELAY_MS 150

G_DEFINE_FINAL_TYPE (VigilWindow, vigil_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SPEED_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

double
vigil_speed_from_name (const char *name)
{
  if (g_strcmp0 (name, "1x") == 0)
    return 1;
  if (g_strcmp0 (name, "100x") == 0)
    return 100;
  if (g_strcmp0 (name, "max") == 0)
    return 0;

  return 10;
}

void
vigil_window_toast (VigilWindow *self,
                    const char  *message)
{
  AdwToast *toast;

  g_return_if_fail (VIGIL_IS_WINDOW (self));

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
update_title (VigilWindow *self)
{
  const char *source = vigil_player_get_source (self->player);
  VigilSourceKind source_kind = vigil_player_get_kind (self->player);
  g_autofree char *name = NULL;
  const char *kind = NULL;

  /* Brokers are host:port lists, not paths. */
  if (source != NULL)
    name = source_kind == VIGIL_SOURCE_KAFKA ? g_strdup (source) : g_path_get_basename (source);

  switch (source_kind)
    {
    case VIGIL_SOURCE_KAFKA:
      kind = _("Kafka");
      break;
    case VIGIL_SOURCE_DATASET:
      kind = _("Dataset");
      break;
    case VIGIL_SOURCE_RECORDING:
      kind = _("Recording");
      break;
    case VIGIL_SOURCE_NONE:
    default:
      break;
    }

  /* Cameras alone: the header says how many play, or which recorded camera is watched. */
  if (name == NULL && self->cameras_page != NULL && _vigil_window_has_cameras (self))
    {
      guint n = g_list_model_get_n_items (vigil_cameras_page_get_cameras (self->cameras_page));
      VigilCameraRecording *replay = vigil_camera_replay_get_recording (
                                       vigil_cameras_page_get_replay (self->cameras_page));

      if (n == 0 && replay != NULL)
        {
          name = g_strdup (vigil_camera_recording_get_camera_id (replay));
          kind = _("Camera Recording");
          source = vigil_camera_recording_get_path (replay);
        }
      else
        name = g_strdup_printf (ngettext ("%u Camera", "%u Cameras", n), n);
    }

  adw_window_title_set_title (self->source_title, name != NULL ? name : _("No Source"));
  adw_window_title_set_subtitle (self->source_title, kind != NULL ? kind : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->source_title), source);
}

static void
update_play_button (VigilWindow *self)
{
  gboolean playing = vigil_player_get_state (self->player) == VIGIL_PLAYER_PLAYING;
  double speed = vigil_player_get_speed (self->player);
  g_autofree char *speed_label = NULL;

  gtk_button_set_icon_name (self->play_button, playing ? "media-playback-pause-symbolic"
                                                       : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button), playing ? _("Pause")
                                                                       : _("Play"));
  if (speed <= 0)
    speed_label = g_strdup (_("Max"));
  else
    /* Translators: a replay speed, e.g. "10×" is ten times real time. */
    speed_label = g_strdup_printf (_("%g×"), speed);
  gtk_menu_button_set_label (self->speed_button, speed_label);
}

static void
update_empty_state (VigilWindow *self)
{
  gboolean no_rig = vigil_player_get_kind (self->player) == VIGIL_SOURCE_NONE;
  gboolean empty = no_rig && !_vigil_window_has_cameras (self);
  gboolean live = vigil_player_get_kind (self->player) == VIGIL_SOURCE_KAFKA;

  if (empty)
    gtk_stack_set_visible_child_name (self->stack, "empty");
  else if (no_rig && g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "cameras") != 0)
    {
      /* Cameras without a rig: the rig's pages would stay empty. The Cameras row may be
       * selected already (the window went empty on it), so the stack is told too. */
      vigil_window_show_page (self, "cameras");
      gtk_stack_set_visible_child_name (self->stack, "cameras");
    }
  else if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "empty") == 0)
    {
      GtkListBoxRow *row = gtk_list_box_get_selected_row (self->sidebar);

      gtk_stack_set_visible_child_name (self->stack, row != NULL
                                        ? gtk_widget_get_name (GTK_WIDGET (row)) : "overview");
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->sidebar), !empty);
  gtk_widget_set_visible (GTK_WIDGET (self->timeline), !no_rig);
  gtk_widget_set_visible (GTK_WIDGET (self->position_label), !no_rig);
  gtk_widget_set_visible (GTK_WIDGET (self->play_button), !no_rig && !live);
  gtk_widget_set_visible (GTK_WIDGET (self->speed_button), !no_rig && !live);
  /* The timeline of a subscription shows how far it got; it does not seek. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->timeline), !live);
}

static void
on_player_state_changed (VigilWindow *self)
{
  const GError *error = vigil_player_get_error (self->player);

  switch (vigil_player_get_state (self->player))
    {
    case VIGIL_PLAYER_FINISHED:
      vigil_window_toast (self, _("Replay finished"));
      break;
    case VIGIL_PLAYER_FAILED:
      {
        g_autofree char *message = g_strdup_printf (_("The replay stopped: %s"),
                                                    error != NULL ? error->message : "");
        vigil_window_toast (self, message);
      }
      break;
    case VIGIL_PLAYER_EMPTY:
    case VIGIL_PLAYER_PLAYING:
    case VIGIL_PLAYER_PAUSED:
    default:
      break;
    }

  update_play_button (self);
  update_title (self);
  update_empty_state (self);
  _vigil_window_update_actions (self);
}

/* @camera_id: the camera whose alarms these are, NULL for the rig's. */
static void
notify_critical_alarms (VigilWindow *self,
                        const char  *camera_id,
                        GArray      *alarms)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  for (guint i = 0; i < alarms->len; i++)
    {
      const VigilLiveAlarm *a = &g_array_index (alarms, VigilLiveAlarm, i);
      g_autofree char *key = NULL;
      g_autoptr(GNotification) notification = NULL;
      g_autofree char *title = NULL;
      g_autofree char *body = NULL;
      g_autofree char *value = NULL;

      if (a->severity != VIGIL_SEVERITY_CRITICAL || a->state != VIGIL_ALARM_ACTIVE_UNACKED ||
          a->shelved)
        continue;

      key = g_strdup_printf ("%s/%s/%d/%" G_GINT64_FORMAT, camera_id != NULL ? camera_id : "",
                             a->rule, a->sensor, a->raised_us);
      if (g_hash_table_contains (self->notified, key))
        continue;
      g_hash_table_add (self->notified, g_steal_pointer (&key));

      if (app == NULL || !g_settings_get_boolean (self->settings, "notify-critical"))
        continue;

      /* Translators: a notification title, e.g. "Critical alarm on PS1". */
      title = g_strdup_printf (_("Critical alarm on %s"),
                               camera_id != NULL ? camera_id : vigil_ui_key_name (a->sensor));
      value = vigil_ui_format_alarm_value (a->sensor, a->value);
      /* Translators: a notification body: the rule's name and the value that raised it. */
      body = g_strdup_printf (_("%s: %s"), a->rule, value);
      notification = g_notification_new (title);
      g_notification_set_body (notification, body);
      g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_URGENT);
      /* The Alarms page lists the rig's alarms; a camera's are in its view. */
      if (camera_id == NULL)
        g_notification_set_default_action_and_target (notification, "app.show-alarms", NULL);
      g_application_send_notification (app, "critical-alarm", notification);
    }
}

static guint
count_unacked (GArray *alarms)
{
  guint unacked = 0;

  for (guint i = 0; i < alarms->len; i++)
    {
      const VigilLiveAlarm *a = &g_array_index (alarms, VigilLiveAlarm, i);

      if ((a->state == VIGIL_ALARM_ACTIVE_UNACKED || a->state == VIGIL_ALARM_CLEARED_UNACKED) &&
          !a->shelved && !a->superseded)
        unacked++;
    }

  return unacked;
}

/* The badge counts the alarms to acknowledge of the rig and of every camera; each of them
 * announces its new critical ones. */
static void
update_alarms (VigilWindow *self)
{
  VigilLive *rig = vigil_player_get_live (self->player);
  GListModel *cameras = vigil_cameras_page_get_cameras (self->cameras_page);
  guint n_cameras = g_list_model_get_n_items (cameras);
  guint64 serial = vigil_live_get_alarm_serial (rig);
  g_autoptr(GArray) alarms = NULL;
  guint unacked;

  /* A camera that starts over is a new one, its serial counting anew: its live alarms are
   * part of what is compared. */
  for (guint i = 0; i < n_cameras; i++)
    {
      g_autoptr(VigilCamera) camera = g_list_model_get_item (cameras, i);
      VigilLive *live = vigil_camera_get_live (camera);

      serial = (serial * 1000003) ^ GPOINTER_TO_SIZE (live) ^ vigil_live_get_alarm_serial (live);
    }
  if (serial == self->alarm_serial)
    return;
  self->alarm_serial = serial;

  alarms = vigil_live_dup_alarms (rig);
  unacked = count_unacked (alarms);
  notify_critical_alarms (self, NULL, alarms);
  for (guint i = 0; i < n_cameras; i++)
    {
      g_autoptr(VigilCamera) camera = g_list_model_get_item (cameras, i);

      g_clear_pointer (&alarms, g_array_unref);
      alarms = vigil_live_dup_alarms (vigil_camera_get_live (camera));
      unacked += count_unacked (alarms);
      notify_critical_alarms (self, vigil_camera_get_id (camera), alarms);
    }

  if (unacked > 0)
    {
      g_autofree char *text = g_strdup_printf ("%u", unacked);

      gtk_label_set_text (self->alarm_badge, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->alarm_badge), unacked > 0);
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  VigilWindow *self = VIGIL_WINDOW (widget);
  VigilLive *live = vigil_player_get_live (self->player);
  VigilLiveCounters counters;
  gint64 timeline_end_us;

  vigil_player_poll (self->player);
  /* A subscription's cameras join the Cameras page while it runs. */
  vigil_cameras_page_follow_kafka (self->cameras_page,
                                   vigil_player_get_kafka_source (self->player));
  update_alarms (self);
  if (vigil_player_get_kind (self->player) == VIGIL_SOURCE_NONE)
    return G_SOURCE_CONTINUE;

  vigil_live_get_counters (live, &counters);

  /* A live source has no end: its timeline reaches as far as it got. */
  timeline_end_us = counters.end_us != G_MAXINT64
                    ? counters.end_us : MAX (counters.position_us, counters.start_us + 1);
  if (self->seek_timeout_id == 0 && timeline_end_us > counters.start_us)
    {
      g_autofree char *text = vigil_ui_format_time (counters.position_us);

      gtk_adjustment_configure (self->timeline_adjustment,
                                counters.position_us / 1e6, counters.start_us / 1e6,
                                timeline_end_us / 1e6, 60, 600, 0);
      gtk_label_set_text (self->position_label, text);
    }

  /* The time axis follows the replay even while Hydraulics is not shown, so an export of
   * the visible range means what the charts would show. */
  {
    VigilChartView *view = vigil_hydraulics_page_get_view (self->hydraulics_page);

    vigil_chart_view_set_limits (view, counters.start_us, counters.end_us);
    vigil_chart_view_set_position (view, counters.position_us);
  }

  return G_SOURCE_CONTINUE;
}

static gboolean
seek_timeout (gpointer data)
{
  VigilWindow *self = data;
  g_autoptr(GError) error = NULL;

  self->seek_timeout_id = 0;
  if (!vigil_player_seek (self->player, (gint64) (self->seek_target_s * 1e6), &error))
    vigil_window_toast (self, error->message);

  return G_SOURCE_REMOVE;
}

static gboolean
on_timeline_change_value (VigilWindow   *self,
                          GtkScrollType  scroll,
                          double         value)
{
  g_autofree char *text = vigil_ui_format_time ((gint64) (value * 1e6));

  /* The label follows the drag; the seek waits for the drag to rest. */
  gtk_label_set_text (self->position_label, text);
  self->seek_target_s = CLAMP (value, gtk_adjustment_get_lower (self->timeline_adjustment),
                               gtk_adjustment_get_upper (self->timeline_adjustment));
  g_clear_handle_id (&self->seek_timeout_id, g_source_remove);
  self->seek_timeout_id = g_timeout_add (SEEK_DELAY_MS, seek_timeout, self);

  return FALSE;
}

static void
on_sidebar_row_selected (VigilWindow   *self,
                         GtkListBoxRow *row)
{
  const char *name;

  if (row == NULL)
    return;

  name = gtk_widget_get_name (GTK_WIDGET (row));
  if (vigil_player_get_kind (self->player) != VIGIL_SOURCE_NONE ||
      _vigil_window_has_cameras (self))
    gtk_stack_set_visible_child_name (self->stack, name);
  g_settings_set_string (self->settings, "sidebar-page", name);
}

static void
on_sidebar_row_activated (VigilWindow   *self,
                          GtkListBoxRow *row)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
on_back_clicked (VigilWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

void
vigil_window_show_page (VigilWindow *self,
                        const char  *name)
{
  GtkListBoxRow *row = NULL;

  g_return_if_fail (VIGIL_IS_WINDOW (self));

  if (g_strcmp0 (name, "overview") == 0)
    row = self->overview_row;
  else if (g_strcmp0 (name, "hydraulics") == 0)
    row = self->hydraulics_row;
  else if (g_strcmp0 (name, "alarms") == 0)
    row = self->alarms_row;
  else if (g_strcmp0 (name, "models") == 0)
    row = self->models_row;
  else if (g_strcmp0 (name, "cameras") == 0)
    row = self->cameras_row;
  g_return_if_fail (row != NULL);

  gtk_list_box_select_row (self->sidebar, row);
  adw_leaflet_set_visible_child (self->leaflet, self->content_box);
}

const char *
vigil_window_get_page (VigilWindow *self)
{
  g_return_val_if_fail (VIGIL_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

void
vigil_window_get_visible_range (VigilWindow *self,
                                gint64      *from_us,
                                gint64      *to_us)
{
  g_return_if_fail (VIGIL_IS_WINDOW (self));

  vigil_hydraulics_page_get_visible_range (self->hydraulics_page, from_us, to_us);
}

VigilPlayer *
vigil_window_get_player (VigilWindow *self)
{
  g_return_val_if_fail (VIGIL_IS_WINDOW (self), NULL);

  return self->player;
}

static void
replay_options_from_settings (VigilWindow        *self,
                              VigilReplayOptions *options)
{
  g_autofree char *speed = g_settings_get_string (self->settings, "replay-speed");

  vigil_replay_options_init (options);
  options->window_us = g_settings_get_uint (self->settings, "window-size") * G_USEC_PER_SEC;
  options->slide_us = g_settings_get_uint (self->settings, "window-slide") * G_USEC_PER_SEC;
  options->lateness_us = g_settings_get_uint (self->settings, "window-lateness")
                         * G_USEC_PER_SEC;
  options->speed = vigil_speed_from_name (speed);
}

VigilRuleSet *
_vigil_window_rules_from_settings (VigilWindow  *self,
                                   GError      **error)
{
  g_autofree char *path = g_settings_get_string (self->settings, "rules-file");

  if (path[0] == '\0')
    return vigil_rule_set_new_default ();

  return vigil_rule_set_new_from_file (path, error);
}

/* Where a replayed dataset is recorded: one file per dataset folder, in the user's data. */
static char *
recording_path_for (const char *dir)
{
  g_autofree char *canonical = g_canonicalize_filename (dir, NULL);
  g_autofree char *base = g_path_get_basename (canonical);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, canonical, -1);
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "vigil", "recordings",
                                              NULL);
  g_autofree char *name = g_strdup_printf ("%s-%.8s.sqlite", base, hash);

  g_mkdir_with_parents (folder, 0700);
  return g_build_filename (folder, name, NULL);
}

/* Where a Kafka subscription is recorded: one file per cluster and consumer group, so that a
 * reconnection resumes from the offsets stored with what it computed. */
static char *
recording_path_for_kafka (const char *brokers,
                          const char *group)
{
  g_autofree char *key = g_strconcat (brokers, "\n", group, NULL);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "vigil", "recordings",
                                              NULL);
  g_autofree char *name = NULL;
  GString *safe = g_string_new (NULL);

  /* The group names the file, in characters every file system takes. */
  for (const char *c = group; *c != '\0' && safe->len < 40; c++)
    g_string_append_c (safe, g_ascii_isalnum (*c) || *c == '-' || *c == '_' ? *c : '_');
  name = g_strdup_printf ("kafka-%s-%.8s.sqlite", safe->str, hash);
  g_string_free (safe, TRUE);

  g_mkdir_with_parents (folder, 0700);
  return g_build_filename (folder, name, NULL);
}

/* After an attempt to open a source: remembers it when it opened, and shows what is open
 * either way (a failed open leaves the window empty). */
static gboolean
source_opened (VigilWindow *self,
               gboolean     opened)
{
  VigilApplication *app = VIGIL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  if (opened)
    {
      /* The recent list holds files and folders; a cluster is remembered by its dialog. */
      if (app != NULL && vigil_player_get_kind (self->player) != VIGIL_SOURCE_KAFKA)
        vigil_application_add_recent (app, vigil_player_get_source (self->player));
      g_hash_table_remove_all (self->notified);
    }
  on_player_state_changed (self);

  return opened;
}

gboolean
vigil_window_open_dataset (VigilWindow               *self,
                           const char                *dir,
                           VigilRuleSet              *rules,
                           const VigilReplayOptions  *options,
                           GError                   **error)
{
  g_autofree char *db = NULL;

  g_return_val_if_fail (VIGIL_IS_WINDOW (self), FALSE);

  db = recording_path_for (dir);
  return source_opened (self, vigil_player_open_dataset (self->player, dir, db, rules, options,
                                                         error));
}

gboolean
vigil_window_open_kafka (VigilWindow                *self,
                         const VigilKafkaConnection *connection,
                         const char * const         *topics,
                         const char                 *group,
                         VigilKafkaStart             start,
                         GError                    **error)
{
  g_autoptr(VigilRuleSet) rules = NULL;
  g_autofree char *db = NULL;
  VigilReplayOptions options;

  g_return_val_if_fail (VIGIL_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (connection != NULL && group != NULL, FALSE);

  rules = _vigil_window_rules_from_settings (self, error);
  if (rules == NULL)
    return FALSE;
  replay_options_from_settings (self, &options);
  db = recording_path_for_kafka (connection->brokers, group);
  return source_opened (self, vigil_player_open_kafka (self->player, connection, topics, group,
                                                       start, db, rules, &options, error));
}

/* Whether session @session_id (0: the latest) of the store at @path is a camera's. A file
 * that cannot be read says so when the player opens it. */
static gboolean
is_camera_session (const char *path,
                   gint64      session_id)
{
  g_autoptr(VigilStore) store = vigil_store_open_readonly (path, NULL);
  g_autoptr(VigilSessionSummary) summary = NULL;

  if (store == NULL)
    return FALSE;
  summary = vigil_store_get_session (store, session_id, NULL);
  vigil_store_close (store, NULL);
  return summary != NULL && g_strcmp0 (summary->kind, "traffic") == 0;
}

/* A camera's recorded session plays on the Cameras page, beside whatever else is open. */
static gboolean
open_camera_recording (VigilWindow  *self,
                       const char   *path,
                       gint64        session_id,
                       GError      **error)
{
  g_autoptr(VigilCameraRecording) recording = NULL;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  recording = vigil_camera_recording_open (path, session_id, error);
  if (recording == NULL)
    return FALSE;

  vigil_cameras_page_show_replay (self->cameras_page, recording);
  if (app != NULL)
    vigil_application_add_recent (VIGIL_APPLICATION (app), path);
  update_empty_state (self);
  vigil_window_show_page (self, "cameras");
  gtk_stack_set_visible_child_name (self->stack, "cameras");
  update_title (self);
  _vigil_window_update_actions (self);
  return TRUE;
}

gboolean
vigil_window_open_recording (VigilWindow  *self,
                             const char   *path,
                             gint64        session_id,
                             GError      **error)
{
  g_autofree char *speed = NULL;

  g_return_val_if_fail (VIGIL_IS_WINDOW (self), FALSE);

  if (is_camera_session (path, session_id))
    return open_camera_recording (self, path, session_id, error);

  speed = g_settings_get_string (self->settings, "replay-speed");
  return source_opened (self, vigil_player_open_recording (self->player, path, session_id,
                                                           vigil_speed_from_name (speed),
                                                           error));
}

void
vigil_window_open_file (VigilWindow *self,
                        GFile       *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_path (file);
  gboolean ok;

  g_return_if_fail (VIGIL_IS_WINDOW (self));

  if (path == NULL)
    {
      vigil_window_toast (self, _("Only local files and folders can be opened"));
      return;
    }

  if (vigil_camera_source_is_camera (path))
    ok = vigil_window_open_camera_path (self, path, NULL, NULL, &error) != NULL;
  else if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(VigilRuleSet) rules = _vigil_window_rules_from_settings (self, &error);
      VigilReplayOptions options;

      replay_options_from_settings (self, &options);
      ok = rules != NULL && vigil_window_open_dataset (self, path, rules, &options, &error);
    }
  else
    ok = vigil_window_open_recording (self, path, 0, &error);

  if (!ok)
    vigil_window_toast (self, error->message);
}

static void
demo_ready (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(VigilWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(VigilRuleSet) rules = NULL;
  VigilReplayOptions options;

  self->generating = FALSE;
  adw_status_page_set_description (self->empty_page,
                                   _("Watch the generated demo rig and cameras, or open a "
                                     "dataset folder, a recorded session or a camera."));
  _vigil_window_update_actions (self);

  if (dir == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      vigil_window_toast (self, error->message);
    }
  else
    {
      /* The demo always uses the rules it was made for, at a speed that shows alarms soon. */
      rules = vigil_rule_set_new_default ();
      replay_options_from_settings (self, &options);
      if (!vigil_window_open_dataset (self, dir, rules, &options, &error))
        vigil_window_toast (self, error->message);
    }

  /* Without the rig too, should it have failed. */
  _vigil_window_open_waiting_demo_cameras (self);
}

static void
demo_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_autofree char *dir = vigil_demo_get_dir (DEMO_CYCLES, VIGIL_WINDOW_DEMO_SEED);
  g_autofree char *db = NULL;
  g_autoptr(GError) error = NULL;

  if (!vigil_demo_ensure (dir, DEMO_CYCLES, VIGIL_WINDOW_DEMO_SEED, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Champions trained on a sibling rig predict the demo's cycles from the first one; the
   * demo still runs, without predictions, if they cannot be trained. */
  db = recording_path_for (dir);
  if (!vigil_demo_ensure_models (db, DEMO_CYCLES, VIGIL_WINDOW_DEMO_SEED, cancellable, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_warning ("The demo runs without health models: %s", error->message);
    }

  g_task_return_pointer (task, g_steal_pointer (&dir), g_free);
}

void
vigil_window_open_demo (VigilWindow *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (VIGIL_IS_WINDOW (self));

  if (self->generating)
    return;

  self->generating = TRUE;
  adw_status_page_set_description (self->empty_page, _("Generating the demo rig…"));
  _vigil_window_update_actions (self);

  task = g_task_new (self, self->cancellable, demo_ready, g_object_ref (self));
  g_task_set_source_tag (task, vigil_window_open_demo);
  g_task_run_in_thread (task, demo_thread);

  /* The cameras are made beside the rig, on the other core. */
  _vigil_window_generate_demo_cameras (self);
}

static gboolean
vigil_window_close_request (GtkWindow *window)
{
  VigilWindow *self = VIGIL_WINDOW (window);

  /* What the replay computed is stored before the window goes. */
  g_cancellable_cancel (self->cancellable);
  vigil_player_close (self->player);
  vigil_cameras_page_stop_all (self->cameras_page);

  return GTK_WINDOW_CLASS (vigil_window_parent_class)->close_request (window);
}

static void
vigil_window_dispose (GObject *object)
{
  VigilWindow *self = VIGIL_WINDOW (object);

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  g_clear_handle_id (&self->seek_timeout_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->player != NULL)
    vigil_player_close (self->player);
  if (self->cameras_page != NULL)
    vigil_cameras_page_stop_all (self->cameras_page);

  gtk_widget_dispose_template (GTK_WIDGET (self), VIGIL_TYPE_WINDOW);

  G_OBJECT_CLASS (vigil_window_parent_class)->dispose (object);
}

static void
vigil_window_finalize (GObject *object)
{
  VigilWindow *self = VIGIL_WINDOW (object);

  g_clear_object (&self->player);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->notified, g_hash_table_unref);
  g_clear_pointer (&self->demo_cameras, g_free);

  G_OBJECT_CLASS (vigil_window_parent_class)->finalize (object);
}

static void
vigil_window_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  VigilWindow *self = VIGIL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SPEED_NAME:
      g_value_take_string (value, g_settings_get_string (self->settings, "replay-speed"));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vigil_window_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  VigilWindow *self = VIGIL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SPEED_NAME:
      {
        const char *name = g_value_get_string (value);
        g_autofree char *old = g_settings_get_string (self->settings, "replay-speed");

        vigil_player_set_speed (self->player, vigil_speed_from_name (name));
        if (g_strcmp0 (old, name) != 0)
          {
            g_settings_set_string (self->settings, "replay-speed", name);
            g_object_notify_by_pspec (object, pspec);
          }
      }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vigil_window_class_init (VigilWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vigil_window_dispose;
  object_class->finalize = vigil_window_finalize;
  object_class->get_property = vigil_window_get_property;
  object_class->set_property = vigil_window_set_property;

  /* "1x", "10x", "100x" or "max": the replay speed, as the win.speed action sets it. */
  properties[PROP_SPEED_NAME] =
    g_param_spec_string ("speed-name", NULL, NULL, "10x",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  GTK_WINDOW_CLASS (klass)->close_request = vigil_window_close_request;

  g_type_ensure (VIGIL_TYPE_OVERVIEW_PAGE);
  g_type_ensure (VIGIL_TYPE_HYDRAULICS_PAGE);
  g_type_ensure (VIGIL_TYPE_ALARMS_PAGE);
  g_type_ensure (VIGIL_TYPE_MODELS_PAGE);
  g_type_ensure (VIGIL_TYPE_CAMERAS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vigilmonitor/Vigil/ui/vigil-window.ui");
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, overview_row);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, hydraulics_row);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, alarms_row);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, models_row);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, cameras_row);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, alarm_badge);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, content_box);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, play_button);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, speed_button);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, source_title);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, timeline);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, timeline_adjustment);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, position_label);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, overview_page);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, hydraulics_page);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, alarms_page);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, models_page);
  gtk_widget_class_bind_template_child (widget_class, VigilWindow, cameras_page);
  gtk_widget_class_bind_template_callback (widget_class, on_timeline_change_value);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_row_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);

  _vigil_window_class_add_actions (widget_class);
}

static void
vigil_window_init (VigilWindow *self)
{
  /* Before the template: its menus read the win.speed property action. */
  self->settings = g_settings_new (APP_ID);
  self->player = vigil_player_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->notified = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized",
                   G_SETTINGS_BIND_DEFAULT);

  vigil_overview_page_set_player (self->overview_page, self->player);
  vigil_hydraulics_page_set_player (self->hydraulics_page, self->player);
  vigil_alarms_page_set_player (self->alarms_page, self->player);
  vigil_models_page_set_player (self->models_page, self->player);

  g_signal_connect_object (self->player, "notify::state", G_CALLBACK (on_player_state_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->player, "notify::speed", G_CALLBACK (update_play_button), self,
                           G_CONNECT_SWAPPED);
  /* Cameras open and close beside the rig: the window is empty only without either. */
  g_signal_connect_object (vigil_cameras_page_get_cameras (self->cameras_page), "items-changed",
                           G_CALLBACK (on_player_state_changed), self, G_CONNECT_SWAPPED);
  _vigil_window_init_cameras (self);
  self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);

  {
    g_autofree char *page = g_settings_get_string (self->settings, "sidebar-page");

    if (g_strcmp0 (page, "hydraulics") == 0)
      gtk_list_box_select_row (self->sidebar, self->hydraulics_row);
    else if (g_strcmp0 (page, "alarms") == 0)
      gtk_list_box_select_row (self->sidebar, self->alarms_row);
    else if (g_strcmp0 (page, "models") == 0)
      gtk_list_box_select_row (self->sidebar, self->models_row);
    else if (g_strcmp0 (page, "cameras") == 0)
      gtk_list_box_select_row (self->sidebar, self->cameras_row);
    else
      gtk_list_box_select_row (self->sidebar, self->overview_row);
  }

  if (g_str_has_suffix (APP_ID, ".Devel"))
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  on_player_state_changed (self);
}

VigilWindow *
vigil_window_new (VigilApplication *app)
{
  return g_object_new (VIGIL_TYPE_WINDOW, "application", app, NULL);
}
