/* test-ui.c
 *
 * The real app, under Xvfb: it starts empty, plays a generated rig whose faults are known,
 * its charts fill, a fault's alarm appears in the Alarms list, acknowledging it through the
 * window's action and dialog changes its state (in the list and in the recording), the
 * export dialog's code path writes the rows the CLI writes, a recording replays with a
 * timeline that seeks, and the Models page lists a registered model with its confusion
 * matrix, trains one through its dialog (failing, cancelled, then done) and makes it
 * champion. Generated cameras play beside the rig: their tiles count the vehicles of the
 * frame they show, a tile opens the camera's view from the keyboard, and a camera's alarm is
 * acknowledged there; a Kafka subscription's cameras join them while it runs. Every page is
 * rendered to a PNG in the build folder, light and dark. The tests wait on conditions of the
 * app (with a deadline), never on fixed sleeps.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>

#include "vigil-alarm-object.h"
#include "vigil-alarms-page.h"
#include "vigil-application.h"
#include "vigil-camera-replay.h"
#include "vigil-camera-setup-dialog.h"
#include "vigil-camera-view.h"
#include "vigil-cameras-page.h"
#include "vigil-chart-private.h"
#include "vigil-export-dialog.h"
#include "vigil-hydraulic-generator.h"
#include "vigil-hydraulics-page.h"
#include "vigil-journal-entry.h"
#include "vigil-kafka-broker.h"
#include "vigil-kafka-dialog.h"
#include "vigil-kafka-producer.h"
#include "vigil-keyring.h"
#include "vigil-models-page.h"
#include "vigil-open-dialog.h"
#include "vigil-time.h"
#include "vigil-traffic-generator.h"
#include "vigil-window-private.h"
#include "vigil-test-cli.h"
#include "vigil-test-sqlite.h"
#include "vigil-test-util.h"

#define DEADLINE_S 60
#define RIG_CYCLES 12

typedef struct
{
  char *tmp;
  char *rig;
  char *shots;
  char *keyring;   /* the test keyring's files, outside tmp: its daemon outlives the tests */
} Env;

static Env env;
static VigilApplication *app;
static VigilWindow *window;

/* The test session's notification server: it records the summaries it was asked to show. */
static GPtrArray *notifications;

static const char notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/>"
  "<arg type='i' direction='in'/><arg type='u' direction='out'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "<method name='GetServerInformation'><arg type='s' direction='out'/>"
  "<arg type='s' direction='out'/><arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "</method></interface></node>";

static void
notifications_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *path,
                    const char            *interface,
                    const char            *method,
                    GVariant              *params,
                    GDBusMethodInvocation *invocation,
                    gpointer               data)
{
  if (g_str_equal (method, "Notify"))
    {
      const char *summary = NULL;

      g_variant_get_child (params, 3, "&s", &summary);
      g_ptr_array_add (notifications, g_strdup (summary));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)",
                                                                        notifications->len));
    }
  else if (g_str_equal (method, "GetCapabilities"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new_parsed ("(@as [],)"));
  else if (g_str_equal (method, "GetServerInformation"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ssss)", "test", "vigil",
                                                                      "1", "1.2"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
start_notification_server (void)
{
  static const GDBusInterfaceVTable vtable = { notifications_call };
  /* Kept for the whole run: the name goes with the connection. */
  static GDBusConnection *bus;
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr(GVariant) reply = NULL;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_assert_nonnull (bus);
  notifications = g_ptr_array_new_with_free_func (g_free);
  g_assert_cmpuint (g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications",
                                                       info->interfaces[0], &vtable, NULL, NULL,
                                                       NULL), >, 0);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.Notifications",
                                                      4 /* do not queue */),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       NULL);
  g_assert_nonnull (reply);
  g_assert_cmpuint (g_variant_get_uint32 (g_variant_get_child_value (reply, 0)), ==, 1);
}

static gboolean
notified_ts1 (gpointer data)
{
  for (guint i = 0; i < notifications->len; i++)
    if (strstr (g_ptr_array_index (notifications, i), "TS1") != NULL)
      return TRUE;

  return FALSE;
}

typedef gboolean (*Condition) (gpointer data);

/* Runs the main loop until @cond holds; fails the test at the deadline. */
static void
wait_for (Condition    cond,
          gpointer     data,
          const char  *what)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
player_in_state (gpointer data)
{
  return (int) vigil_player_get_state (window->player) == GPOINTER_TO_INT (data);
}

static gboolean
window_shown (gpointer data)
{
  GtkWidget *widget = data;

  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0;
}

/* Lets a few frames pass, so that tick callbacks and layouts catch up. */
static void
settle (void)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  gint64 start = gdk_frame_clock_get_frame_counter (clock);
  guint spins = 0;

  while (gdk_frame_clock_get_frame_counter (clock) < start + 4 && spins++ < 5000)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
transitions_done (gpointer data)
{
  return !gtk_stack_get_transition_running (window->stack);
}

/* What a person would see: the X server's screen, as `import` (ImageMagick) grabs it, once
 * @win is on screen and the page transitions have ended. */
static void
screenshot_window (GtkWindow  *win,
                   const char *name)
{
  g_autofree char *path = g_build_filename (env.shots, name, NULL);
  const char *argv[] = { "import", "-window", "root", path, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  wait_for (window_shown, win, "a window to screenshot");
  wait_for (transitions_done, NULL, "the page transition");
  settle ();
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_test_message ("screenshot: %s", path);
}

static void
screenshot (const char *name)
{
  screenshot_window (GTK_WINDOW (window), name);
}

static void
screenshot_both (const char *page)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *light = g_strdup_printf ("%s.png", page);
  g_autofree char *dark = g_strdup_printf ("%s-dark.png", page);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  screenshot (light);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  screenshot (dark);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
}

static void
test_starts_empty (void)
{
  g_assert_nonnull (window);
  g_assert_cmpint (vigil_player_get_state (window->player), ==, VIGIL_PLAYER_EMPTY);
  g_assert_cmpstr (vigil_window_get_page (window), ==, "empty");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (window->sidebar)));
  screenshot_both ("empty");
}

static gboolean
cameras_listed (gpointer data)
{
  return g_list_model_get_n_items (vigil_cameras_page_get_cameras (window->cameras_page)) ==
         GPOINTER_TO_UINT (data);
}

/* Every tile shows a frame of its camera. */
static gboolean
tiles_have_frames (gpointer data)
{
  GListModel *cameras = vigil_cameras_page_get_cameras (window->cameras_page);

  if (g_list_model_get_n_items (cameras) == 0)
    return FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (cameras); i++)
    {
      VigilCameraTile *tile = vigil_cameras_page_get_tile (window->cameras_page, i);
      const VigilCameraSnapshot *s;

      if (tile == NULL)
        return FALSE;
      s = vigil_camera_draw_get_snapshot (vigil_camera_tile_get_draw (tile));
      if (s == NULL || s->frame == NULL || s->second.end_us == 0)
        return FALSE;
    }

  return TRUE;
}

static gboolean
demo_has_data (gpointer data)
{
  VigilLiveCounters c;

  vigil_live_get_counters (vigil_player_get_live (window->player), &c);
  return c.windows > 200 && c.samples > 1000000;
}

static void
test_demo (void)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.demo", NULL));
  wait_for (player_in_state, GINT_TO_POINTER (VIGIL_PLAYER_PLAYING), "the demo to play");
  g_assert_cmpint (vigil_player_get_kind (window->player), ==, VIGIL_SOURCE_DATASET);
  g_assert_true (g_str_has_prefix (vigil_player_get_source (window->player), env.tmp));

  /* Max speed, so the test does not wait for rig time. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.speed", "s", "max"));
  g_assert_cmpfloat (vigil_player_get_speed (window->player), ==, 0);
  wait_for (demo_has_data, NULL, "the demo's first windows");
  g_assert_cmpstr (vigil_window_get_page (window), ==, "overview");
  screenshot_both ("overview");

  /* Its cameras play beside the rig. */
  wait_for (cameras_listed, GUINT_TO_POINTER (3), "the demo's three cameras");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "cameras"));
  wait_for (tiles_have_frames, NULL, "frames in the demo's tiles");
  screenshot_both ("cameras-demo");
}

static gboolean
charts_have_data (gpointer data)
{
  GPtrArray *charts = vigil_hydraulics_page_get_charts (window->hydraulics_page);

  if (charts->len != VIGIL_N_SENSORS)
    return FALSE;

  for (guint i = 0; i < charts->len; i++)
    {
      VigilChart *chart = g_ptr_array_index (charts, i);

      if (chart->data == NULL || chart->data->n_samples == 0 || chart->data->windows->len == 0)
        return FALSE;
    }

  return TRUE;
}

static void
test_charts (void)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "hydraulics"));
  g_assert_cmpstr (vigil_window_get_page (window), ==, "hydraulics");
  /* Charts compute their data off the main thread, on their frame clock. */
  wait_for (charts_have_data, NULL, "17 charts with samples and windows");

  /* Every chart shows its own sensor, in family order, once. */
  {
    GPtrArray *charts = vigil_hydraulics_page_get_charts (window->hydraulics_page);
    guint32 seen = 0;

    for (guint i = 0; i < charts->len; i++)
      seen |= 1u << vigil_chart_get_sensor (g_ptr_array_index (charts, i));
    g_assert_cmphex (seen, ==, (1u << VIGIL_N_SENSORS) - 1);
  }
  screenshot_both ("hydraulics");
}

/* Opens the test's own rig (known faults) at maximum speed and waits for its end. */
static void
open_rig (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_default ();
  VigilReplayOptions options;

  vigil_replay_options_init (&options);
  options.speed = 0;
  g_assert_true (vigil_window_open_dataset (window, env.rig, rules, &options, &error));
  g_assert_no_error (error);
  wait_for (player_in_state, GINT_TO_POINTER (VIGIL_PLAYER_FINISHED), "the rig's replay");
}

typedef struct
{
  VigilSensor sensor;
  gint64      start_us;
  gint64      end_us;
} Fault;

/* The first overheating of TS1 in the rig's ground truth. */
static Fault
first_overheating (void)
{
  g_autofree char *path = g_build_filename (env.rig, VIGIL_HYDRAULIC_GROUND_TRUTH, NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  Fault fault = { VIGIL_SENSOR_TS1, 0, 0 };

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", -1);

      if (g_strv_length (f) == 6 && g_str_equal (f[1], "TS1") &&
          g_str_equal (f[2], "overheating"))
        {
          fault.start_us = VIGIL_DEFAULT_START_US + g_ascii_strtoll (f[3], NULL, 10)
                                                    * G_USEC_PER_SEC;
          fault.end_us = VIGIL_DEFAULT_START_US + g_ascii_strtoll (f[4], NULL, 10)
                                                  * G_USEC_PER_SEC;
          return fault;
        }
    }

  g_error ("The test rig has no TS1 overheating");
}

/* The newest listed instance of the fault's rule on its sensor: the one operators act on. */
static guint
find_latest (const Fault *fault)
{
  GListModel *alarms = vigil_alarms_page_get_alarms (window->alarms_page);

  for (guint i = 0; i < g_list_model_get_n_items (alarms); i++)
    {
      g_autoptr(VigilAlarmObject) item = g_list_model_get_item (alarms, i);
      const VigilLiveAlarm *a = vigil_alarm_object_get (item);

      if (a->sensor == fault->sensor && g_str_equal (a->rule, "high_temperature"))
        {
          g_assert_false (a->superseded);
          return i;
        }
    }

  return GTK_INVALID_LIST_POSITION;
}

/* The listed alarm on the fault's sensor that was active while the fault was on. */
static guint
find_fault_alarm (const Fault *fault)
{
  GListModel *alarms = vigil_alarms_page_get_alarms (window->alarms_page);

  for (guint i = 0; i < g_list_model_get_n_items (alarms); i++)
    {
      g_autoptr(VigilAlarmObject) item = g_list_model_get_item (alarms, i);
      const VigilLiveAlarm *a = vigil_alarm_object_get (item);

      if (a->sensor == fault->sensor && g_str_equal (a->rule, "high_temperature") &&
          a->raised_us <= fault->end_us + 60 * G_USEC_PER_SEC &&
          (a->cleared_us == 0 || a->cleared_us >= fault->start_us))
        return i;
    }

  return GTK_INVALID_LIST_POSITION;
}

static void
test_fault_alarm (void)
{
  Fault fault = first_overheating ();

  open_rig ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "alarms"));
  vigil_alarms_page_set_filters (window->alarms_page, VIGIL_ALARM_FILTER_ALL, -1);
  vigil_alarms_page_refresh (window->alarms_page);
  g_assert_cmpuint (find_fault_alarm (&fault), !=, GTK_INVALID_LIST_POSITION);

  /* The severity filter leaves out warnings; the fault's alarm is critical. */
  vigil_alarms_page_set_filters (window->alarms_page, VIGIL_ALARM_FILTER_ALL,
                                 VIGIL_SEVERITY_CRITICAL);
  {
    GListModel *alarms = vigil_alarms_page_get_alarms (window->alarms_page);

    for (guint i = 0; i < g_list_model_get_n_items (alarms); i++)
      {
        g_autoptr(VigilAlarmObject) item = g_list_model_get_item (alarms, i);

        g_assert_cmpint (vigil_alarm_object_get (item)->severity, ==, VIGIL_SEVERITY_CRITICAL);
      }
    g_assert_cmpuint (find_fault_alarm (&fault), !=, GTK_INVALID_LIST_POSITION);
  }
  vigil_alarms_page_set_filters (window->alarms_page, VIGIL_ALARM_FILTER_ALL, -1);

  /* New critical alarms are announced on the desktop, the fault's sensor among them. */
  wait_for (notified_ts1, NULL, "a desktop notification of a critical TS1 alarm");
  screenshot_both ("alarms");
}

typedef struct
{
  Fault           fault;
  VigilAlarmState state;
} AckWait;

static gboolean
alarm_acknowledged (gpointer data)
{
  AckWait *w = data;
  guint pos;

  vigil_alarms_page_refresh (window->alarms_page);
  pos = find_latest (&w->fault);
  if (pos == GTK_INVALID_LIST_POSITION)
    return FALSE;

  {
    g_autoptr(VigilAlarmObject) item =
      g_list_model_get_item (vigil_alarms_page_get_alarms (window->alarms_page), pos);
    const VigilLiveAlarm *a = vigil_alarm_object_get (item);

    w->state = a->state;
    return a->acked_us != 0 && g_strcmp0 (a->comment, "Cooler checked") == 0;
  }
}

static void
test_acknowledge (void)
{
  AckWait w = { first_overheating (), 0 };
  guint pos = find_latest (&w.fault);
  g_autoptr(VigilAlarmObject) before = NULL;
  VigilAlarmState expected;
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  g_assert_cmpuint (pos, !=, GTK_INVALID_LIST_POSITION);
  before = g_list_model_get_item (vigil_alarms_page_get_alarms (window->alarms_page), pos);
  g_assert_cmpint (vigil_alarm_object_get (before)->acked_us, ==, 0);
  /* ISA-18.2: acknowledging an active alarm keeps it active; a cleared one returns to normal. */
  expected = vigil_alarm_state_is_active (vigil_alarm_object_get (before)->state)
             ? VIGIL_ALARM_ACTIVE_ACKED : VIGIL_ALARM_NORMAL;

  vigil_alarms_page_select (window->alarms_page, pos);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.acknowledge", NULL));
  dialog = vigil_alarms_page_get_dialog (window->alarms_page);
  g_assert_nonnull (dialog);
  screenshot_window (GTK_WINDOW (dialog), "acknowledge-dialog.png");

  /* The comment entry is the dialog's only entry. */
  entry = adw_message_dialog_get_extra_child (dialog);
  for (entry = gtk_widget_get_first_child (entry); entry != NULL && !GTK_IS_ENTRY (entry);
       entry = gtk_widget_get_next_sibling (entry))
    ;
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "Cooler checked");
  /* What a click on the button does: libadwaita 1.2's response() alone leaves it open. */
  adw_message_dialog_response (dialog, "acknowledge");
  gtk_window_destroy (GTK_WINDOW (dialog));

  wait_for (alarm_acknowledged, &w, "the acknowledgement");
  g_assert_cmpint (w.state, ==, expected);

  /* The journal shows it as the newest transition. */
  {
    g_autoptr(VigilJournalEntry) newest =
      g_list_model_get_item (vigil_alarms_page_get_journal (window->alarms_page), 0);
    const VigilAlarmTransition *t = vigil_journal_entry_get (newest);

    g_assert_cmpint (t->cause, ==, VIGIL_ALARM_CAUSE_ACK);
    g_assert_cmpstr (t->comment, ==, "Cooler checked");
    g_assert_cmpint (t->to, ==, expected);
  }
}

static gboolean
export_done (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
on_export_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static char *
run_cli_export (const char *db,
                const char *what)
{
  g_autofree char *out = g_build_filename (env.tmp, "cli.csv", NULL);
  g_auto(Result) r = { 0 };
  char *text = NULL;

  run (&r, "export", what, "--db", db, "--sensor", "PS1,TS1", "--out", out, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_file_get_contents (out, &text, NULL, NULL));

  return text;
}

static gint64
query_file_int (const char *path,
                const char *sql)
{
  sqlite3 *db = open_db (path);
  gint64 n = query_int (db, sql);

  sqlite3_close (db);

  return n;
}

static gint64
count_windows (const char *db)
{
  return query_file_int (db, "SELECT count(*) FROM windows WHERE sensor IN ('PS1', 'TS1')");
}

static void
test_export (void)
{
  VigilExportDialog *dialog = VIGIL_EXPORT_DIALOG (vigil_export_dialog_new (window));
  g_autofree char *path = g_build_filename (env.tmp, "dialog.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;
  g_autofree char *expected = NULL;
  const char *db = vigil_player_get_db_path (window->player);
  guint64 rows = 0;

  gtk_window_present (GTK_WINDOW (dialog));
  screenshot_window (GTK_WINDOW (dialog), "export-dialog.png");
  vigil_export_dialog_set_kind (dialog, VIGIL_EXPORT_WINDOWS);
  vigil_export_dialog_set_range (dialog, VIGIL_EXPORT_RANGE_ALL, 0, 0);
  vigil_export_dialog_set_sensors (dialog, (1u << VIGIL_SENSOR_PS1) | (1u << VIGIL_SENSOR_TS1));
  vigil_export_dialog_write_async (dialog, file, NULL, on_export_done, &result);
  wait_for (export_done, &result, "the export");
  g_assert_true (vigil_export_dialog_write_finish (dialog, result, &rows, &error));
  g_assert_no_error (error);

  /* The rows the CLI writes for the same recording and sensors, byte for byte, and as many
   * as the recording holds. */
  g_assert_true (g_file_get_contents (path, &written, NULL, NULL));
  expected = run_cli_export (db, "windows");
  g_assert_cmpstr (written, ==, expected);
  g_assert_cmpint ((gint64) rows, ==, count_windows (db));
  g_assert_cmpint (rows, >, 0);

  gtk_window_destroy (GTK_WINDOW (dialog));
}

static gboolean
shows_position (gpointer data)
{
  return vigil_player_get_position (window->player) == *(gint64 *) data;
}

/* Alarms raised at or before @at_us in the recording: what the list must show. */
static guint
alarms_raised_by (const char *db,
                  gint64      at_us)
{
  sqlite3 *conn = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n;

  g_assert_cmpint (sqlite3_open_v2 (db, &conn, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (conn, "SELECT count(*) FROM alarms WHERE raised_us <= ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, at_us);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = (guint) sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (conn);

  return n;
}

static void
test_recording (void)
{
  g_autofree char *db = g_strdup (vigil_player_get_db_path (window->player));
  g_autoptr(GError) error = NULL;
  gint64 start, end, middle;

  g_assert_true (vigil_window_open_recording (window, db, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (vigil_player_get_kind (window->player), ==, VIGIL_SOURCE_RECORDING);
  /* A recording is as it was recorded: no acknowledging. */
  g_assert_false (vigil_player_get_can_act (window->player));

  vigil_player_get_range (window->player, &start, &end);
  g_assert_cmpint (start, ==, VIGIL_DEFAULT_START_US);
  /* The recording ends with its last window, which reaches past the last sample. */
  g_assert_cmpint (end, ==, query_file_int (db, "SELECT max(window_end) FROM windows"));
  g_assert_cmpint (end, >=, VIGIL_DEFAULT_START_US + RIG_CYCLES * 60 * G_USEC_PER_SEC);

  /* Seeking shows the alarms as of that moment: exactly those raised by then. */
  middle = start + (end - start) / 2;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.play-pause", NULL));
  g_assert_true (vigil_player_seek (window->player, middle, &error));
  wait_for (shows_position, &middle, "the seek");
  vigil_alarms_page_set_filters (window->alarms_page, VIGIL_ALARM_FILTER_ALL, -1);
  vigil_alarms_page_refresh (window->alarms_page);
  g_assert_cmpuint (g_list_model_get_n_items (vigil_alarms_page_get_alarms (window->alarms_page)),
                    ==, alarms_raised_by (db, middle));
  g_assert_cmpuint (alarms_raised_by (db, middle), <, alarms_raised_by (db, end));
  screenshot ("recording-alarms.png");
}

static gboolean
open_dialog_settled (gpointer data)
{
  VigilOpenDialog *dialog = data;

  return !vigil_open_dialog_get_busy (dialog) &&
         (vigil_open_dialog_get_error (dialog) != NULL || vigil_open_dialog_get_ready (dialog));
}

static void
test_open_bad_folder (void)
{
  g_autofree char *bad = g_build_filename (env.tmp, "bad-rig", NULL);
  g_autofree char *ps1 = g_build_filename (bad, "PS1.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (bad);
  VigilOpenDialog *dialog;
  g_autofree char *before = NULL;
  const char *message;
  const char *db = vigil_player_get_db_path (window->player);
  gsize before_len = 0;

  g_assert_true (g_file_get_contents (db, &before, &before_len, NULL));
  g_assert_cmpint (g_mkdir_with_parents (bad, 0755), ==, 0);
  g_assert_true (g_file_set_contents (ps1, "1.0\t2.0\nnot-a-number\n", -1, NULL));

  dialog = VIGIL_OPEN_DIALOG (vigil_open_dialog_new (window));
  gtk_window_present (GTK_WINDOW (dialog));
  vigil_open_dialog_select (dialog, file);
  wait_for (open_dialog_settled, dialog, "the folder's inspection");
  message = vigil_open_dialog_get_error (dialog);
  g_assert_nonnull (message);
  g_assert_false (vigil_open_dialog_get_ready (dialog));
  /* It says which file. */
  g_assert_nonnull (strstr (message, "PS1.txt"));
  screenshot_window (GTK_WINDOW (dialog), "open-dialog-error.png");
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* What was open still plays, and its recording is untouched. */
  g_assert_cmpint (vigil_player_get_kind (window->player), ==, VIGIL_SOURCE_RECORDING);
  {
    g_autofree char *after = NULL;
    gsize after_len = 0;

    g_assert_true (g_file_get_contents (db, &after, &after_len, NULL));
    g_assert_cmpmem (before, before_len, after, after_len);
  }
}

/* The Models page ----------------------------------------------------------------------------- */

/* 260 cycles of the generator reach the valve blocks after its first, steady one. */
#define TRAIN_RIG_CYCLES 260
#define TRAIN_RIG_SEED 3

static gboolean
models_page_idle (gpointer data)
{
  return !vigil_models_page_get_busy (window->models_page);
}

static gboolean
models_page_listed (gpointer data)
{
  return !vigil_models_page_get_busy (window->models_page) &&
         vigil_models_page_get_n_models (window->models_page) == GPOINTER_TO_UINT (data);
}

static gboolean
details_shown (gpointer data)
{
  return !vigil_models_page_get_busy (window->models_page) &&
         vigil_confusion_view_get_metrics (vigil_models_page_get_confusion_view (
                                             window->models_page)) != NULL;
}

static gboolean
page_can_train (gpointer data)
{
  return vigil_models_page_get_can_train (window->models_page);
}

static gint64
champion_of (const char *db,
             const char *target)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = vigil_store_open_readonly (db, &error);
  gint64 id;

  g_assert_no_error (error);
  id = vigil_store_get_alias (store, target, VIGIL_CHAMPION_ALIAS, &error);
  g_assert_no_error (error);

  return id;
}

/* Registers a valve model through the engine, as `vigil-cli train` would. */
static VigilTrainResult *
register_model (const char *db,
                const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = vigil_store_open (db, &error);
  g_autoptr(VigilFeatureTable) table = NULL;
  VigilTrainResult *result;
  VigilTrainRequest req;

  g_assert_no_error (error);
  table = vigil_feature_table_new_from_dataset (dir, NULL, &error);
  g_assert_no_error (error);
  vigil_train_request_init (&req, VIGIL_TARGET_VALVE, VIGIL_ALGORITHM_RF);
  req.params.n_trees = 8;
  req.params.seed = 4;
  result = vigil_train (store, table, dir, 0, 0, &req, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (vigil_store_close (store, &error));

  return result;
}

static void
test_models (void)
{
  g_autofree char *dir = g_build_filename (env.tmp, "train-rig", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_default ();
  g_autoptr(VigilTrainResult) registered = NULL;
  VigilModelsPage *page = window->models_page;
  VigilReplayOptions options;
  VigilTrainRequest req;
  const VigilMetrics *shown;
  const char *db;
  gint64 trained_id;
  GtkWindow *dialog;

  /* A recording is read-only: the page lists its models but trains none. */
  g_assert_cmpint (vigil_player_get_kind (window->player), ==, VIGIL_SOURCE_RECORDING);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "models"));
  g_assert_cmpstr (vigil_window_get_page (window), ==, "models");
  wait_for (models_page_idle, NULL, "the recording's registry");
  g_assert_cmpuint (vigil_models_page_get_n_models (page), ==, 0);
  g_assert_false (vigil_models_page_get_can_train (page));

  /* A dataset with every valve condition, replayed while models are trained on it. */
  g_assert_true (vigil_hydraulic_generate (dir, TRAIN_RIG_CYCLES, TRAIN_RIG_SEED, NULL, &error));
  g_assert_no_error (error);
  vigil_replay_options_init (&options);
  g_assert_true (vigil_window_open_dataset (window, dir, rules, &options, &error));
  g_assert_no_error (error);
  db = vigil_player_get_db_path (window->player);
  wait_for (page_can_train, NULL, "the dataset's registry");
  g_assert_cmpuint (vigil_models_page_get_n_models (page), ==, 0);

  /* A model registered elsewhere (the CLI, say) shows after a refresh, with its metrics. */
  registered = register_model (db, dir);
  g_assert_true (registered->is_champion);
  vigil_models_page_refresh (page);
  wait_for (models_page_listed, GUINT_TO_POINTER (1), "the registered model in the list");
  g_assert_cmpint (vigil_models_page_get_model_id (page, 0), ==, registered->model_id);
  g_assert_cmpint (vigil_models_page_get_selected (page), ==, registered->model_id);
  wait_for (details_shown, NULL, "the model's details");
  shown = vigil_confusion_view_get_metrics (vigil_models_page_get_confusion_view (page));
  g_assert_cmpuint (shown->n_classes, ==, registered->metrics.n_classes);
  for (guint i = 0; i < shown->n_classes; i++)
    {
      guint row = 0;

      g_assert_cmpint (shown->classes[i], ==, registered->metrics.classes[i]);
      for (guint j = 0; j < shown->n_classes; j++)
        {
          g_assert_cmpuint (shown->confusion[i][j], ==, registered->metrics.confusion[i][j]);
          row += shown->confusion[i][j];
        }
      /* The heat map colours each cell by its share of the row. */
      for (guint j = 0; j < shown->n_classes; j++)
        g_assert_cmpfloat_with_epsilon (
          vigil_confusion_view_get_share (vigil_models_page_get_confusion_view (page), i, j),
          (double) shown->confusion[i][j] / row, 1e-12);
    }
  {
    VigilImportanceChart *chart = vigil_models_page_get_importance_chart (page);
    guint best = 0, used = 0;

    for (guint j = 0; j < registered->n_features; j++)
      {
        used += registered->importance[j] > 0;
        if (registered->importance[j] > registered->importance[best])
          best = j;
      }
    g_assert_cmpuint (vigil_importance_chart_get_n_bars (chart), ==, MIN (used, 15));
    g_assert_cmpstr (vigil_importance_chart_get_name (chart, 0), ==,
                     registered->feature_names[best]);
  }

  /* A target with one condition in these cycles cannot be learnt: the dialog says why. */
  dialog = vigil_models_page_show_train_dialog (page);
  vigil_train_request_init (&req, VIGIL_TARGET_COOLER, VIGIL_ALGORITHM_RF);
  vigil_models_page_set_train_request (page, &req);
  vigil_models_page_start_training (page);
  wait_for (models_page_idle, NULL, "the failed training");
  g_assert_nonnull (vigil_models_page_get_train_error (page));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_cmpuint (vigil_models_page_get_n_models (page), ==, 1);

  /* Cancelled at once: nothing is registered. */
  vigil_train_request_init (&req, VIGIL_TARGET_VALVE, VIGIL_ALGORITHM_GBT);
  vigil_models_page_set_train_request (page, &req);
  vigil_models_page_start_training (page);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "window.close", NULL));
  wait_for (models_page_idle, NULL, "the cancelled training");
  g_assert_null (vigil_models_page_get_train_error (page));
  vigil_models_page_refresh (page);
  wait_for (models_page_listed, GUINT_TO_POINTER (1), "the list after a cancelled training");

  /* Trained through the dialog: listed first, selected, not champion (the valve has one). */
  dialog = vigil_models_page_show_train_dialog (page);
  vigil_train_request_init (&req, VIGIL_TARGET_VALVE, VIGIL_ALGORITHM_GBT);
  req.params.n_trees = 12;
  req.params.seed = 9;
  req.folds = 2;
  vigil_models_page_set_train_request (page, &req);
  screenshot_window (dialog, "models-train-dialog.png");
  vigil_models_page_start_training (page);
  wait_for (models_page_listed, GUINT_TO_POINTER (2), "the trained model in the list");
  g_assert_null (vigil_models_page_get_train_error (page));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  trained_id = vigil_models_page_get_model_id (page, 0);
  g_assert_cmpint (trained_id, >, registered->model_id);
  g_assert_cmpint (vigil_models_page_get_selected (page), ==, trained_id);
  wait_for (details_shown, NULL, "the trained model's details");
  g_assert_cmpint (champion_of (db, "valve"), ==, registered->model_id);
  {
    g_autoptr(VigilStore) store = vigil_store_open_readonly (db, &error);
    g_autoptr(VigilModelRecord) record = vigil_store_get_model (store, trained_id, &error);
    VigilMetrics stored;
    guint folds = 0;

    g_assert_no_error (error);
    g_assert_cmpstr (record->algorithm, ==, "gbt");
    g_assert_true (vigil_train_metrics_from_json (record->metrics_json, &stored, &folds, NULL,
                                                  NULL, &error));
    g_assert_cmpuint (folds, ==, 2);
    shown = vigil_confusion_view_get_metrics (vigil_models_page_get_confusion_view (page));
    g_assert_cmpmem (shown->confusion, sizeof shown->confusion, stored.confusion,
                     sizeof stored.confusion);
  }

  /* Make Champion points the alias at it, in the recording. */
  vigil_models_page_make_champion (page);
  wait_for (models_page_idle, NULL, "the new champion");
  g_assert_cmpint (champion_of (db, "valve"), ==, trained_id);
  wait_for (details_shown, NULL, "the champion's details");

  screenshot_both ("models");
}


/* Cameras ------------------------------------------------------------------------------------- */

#define CAM_FRAMES 60
#define CAM_FPS 25

/* What a tile says about the snapshot it shows, against that snapshot itself. */
static void
assert_tile_counts (VigilCameraTile *tile)
{
  VigilCameraDraw *draw = vigil_camera_tile_get_draw (tile);
  const VigilCameraSnapshot *s = vigil_camera_draw_get_snapshot (draw);
  g_autofree char *count = NULL;
  g_autofree char *density = NULL;

  g_assert_nonnull (s);
  g_assert_nonnull (s->frame);
  count = g_strdup_printf (ngettext ("%u vehicle", "%u vehicles", s->detections->len),
                           s->detections->len);
  g_assert_cmpstr (vigil_camera_draw_get_badge (draw, VIGIL_CAMERA_BADGE_COUNT), ==, count);
  density = g_strdup_printf ("%.1f %%", s->second.density_pct);
  g_assert_cmpstr (vigil_camera_draw_get_badge (draw, VIGIL_CAMERA_BADGE_DENSITY), ==, density);
  /* A camera that played shows the status of its last closed second. */
  g_assert_cmpstr (vigil_camera_draw_get_badge (draw, VIGIL_CAMERA_BADGE_STATUS), ==,
                   vigil_camera_status_name (s->second.status));
}

static void
test_cameras_empty (void)
{
  /* The demo's cameras go; the dataset of the models test still plays. */
  vigil_cameras_page_stop_all (window->cameras_page);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "cameras"));
  g_assert_cmpstr (vigil_window_get_page (window), ==, "cameras");
  g_assert_true (cameras_listed (GUINT_TO_POINTER (0)));
  screenshot_both ("cameras-empty");
}

static gboolean
camera_finished (gpointer data)
{
  g_autoptr(VigilCameraSnapshot) s = vigil_camera_dup_snapshot (data);

  return s->state == VIGIL_FRAME_SOURCE_FINISHED;
}

static gboolean
view_has_alarm (gpointer data)
{
  VigilCameraView *view = vigil_cameras_page_get_view (window->cameras_page);
  GArray *alarms;

  vigil_camera_view_refresh (view);
  alarms = vigil_camera_view_get_alarms (view);
  return alarms != NULL && alarms->len > 0 && vigil_camera_view_get_history (view) != NULL &&
         vigil_camera_view_get_history (view)->len > 0;
}

static gboolean
view_alarm_acked (gpointer data)
{
  VigilCameraView *view = vigil_cameras_page_get_view (window->cameras_page);
  const VigilLiveAlarm *a;

  vigil_camera_view_refresh (view);
  a = &g_array_index (vigil_camera_view_get_alarms (view), VigilLiveAlarm, 0);
  return a->acked_us != 0 && g_strcmp0 (a->comment, "Lane checked") == 0;
}

/* The alarms to acknowledge in @live, as the sidebar's badge counts them (computed here from
 * the alarm states, not by the window's code). */
static guint
count_unacked (VigilLive *live)
{
  g_autoptr(GArray) alarms = vigil_live_dup_alarms (live);
  guint n = 0;

  for (guint i = 0; i < alarms->len; i++)
    {
      const VigilLiveAlarm *a = &g_array_index (alarms, VigilLiveAlarm, i);

      if ((a->state == VIGIL_ALARM_ACTIVE_UNACKED || a->state == VIGIL_ALARM_CLEARED_UNACKED) &&
          !a->shelved && !a->superseded)
        n++;
    }

  return n;
}

typedef struct
{
  VigilCamera *camera;
  guint        camera_unacked;  /* what @camera must have to acknowledge */
} BadgeCheck;

/* The badge shows the rig's alarms to acknowledge and every camera's, once @data's camera has
 * as many as it says. */
static gboolean
badge_counts_cameras (gpointer data)
{
  const BadgeCheck *check = data;
  GListModel *cameras = vigil_cameras_page_get_cameras (window->cameras_page);
  guint rig = count_unacked (vigil_player_get_live (vigil_window_get_player (window)));
  guint all = rig;
  g_autofree char *text = NULL;

  if (count_unacked (vigil_camera_get_live (check->camera)) != check->camera_unacked)
    return FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (cameras); i++)
    {
      g_autoptr(VigilCamera) camera = g_list_model_get_item (cameras, i);

      all += count_unacked (vigil_camera_get_live (camera));
    }
  if (all == 0)
    return !gtk_widget_get_visible (GTK_WIDGET (window->alarm_badge));

  text = g_strdup_printf ("%u", all);
  return gtk_widget_get_visible (GTK_WIDGET (window->alarm_badge)) &&
         g_str_equal (gtk_label_get_text (window->alarm_badge), text) &&
         (check->camera_unacked == 0 || all > rig);
}

static gboolean
editor_has_frame (gpointer data)
{
  double x, y;

  return vigil_mask_editor_frame_to_widget (data, 0, 0, &x, &y);
}

static void
test_cameras (void)
{
  g_autofree char *dir = g_build_filename (env.tmp, "cameras", NULL);
  g_autofree char *cam1 = g_build_filename (dir, "cam_01", NULL);
  g_autofree char *cam2 = g_build_filename (dir, "cam_02", NULL);
  g_autofree char *truth = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (cam1);
  g_autoptr(GError) error = NULL;
  /* Any vehicle in the road raises it at once: an alarm the short clip is sure to have. */
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_from_data (
    "{\"rules\": [{\"name\": \"busy_road\", \"camera\": true, \"statistic\": \"vehicles\", "
    "\"operator\": \">\", \"threshold\": 0, \"clear\": 0, \"severity\": \"warning\", "
    "\"on_delay\": 0, \"off_delay\": 0}]}", -1, "test", &error);
  VigilTrafficGeneratorParams params;
  VigilCameraOptions options;
  VigilOpenDialog *dialog;
  VigilCamera *north, *south;
  VigilCameraView *view;
  GtkWidget *focus;
  AdwMessageDialog *ack;
  GtkWidget *entry;
  BadgeCheck badge;

  g_assert_no_error (error);
  vigil_traffic_generator_params_init (&params);
  params.n_cameras = 2;
  params.n_frames = CAM_FRAMES;
  params.width = 320;
  params.height = 180;
  params.fps = CAM_FPS;
  params.seed = 7;
  g_assert_true (vigil_traffic_generate (dir, &params, NULL, &error));
  g_assert_no_error (error);

  /* The Open dialog takes a generated camera folder as a camera, named as people choose. */
  dialog = VIGIL_OPEN_DIALOG (vigil_open_dialog_new (window));
  gtk_window_present (GTK_WINDOW (dialog));
  vigil_open_dialog_select (dialog, file);
  wait_for (open_dialog_settled, dialog, "the camera folder's inspection");
  g_assert_null (vigil_open_dialog_get_error (dialog));
  g_assert_true (vigil_open_dialog_get_ready (dialog));
  screenshot_window (GTK_WINDOW (dialog), "open-dialog-camera.png");
  {
    GtkWidget *row = NULL;

    /* The camera's name is the dialog's only entry row. */
    for (GtkWidget *w = GTK_WIDGET (dialog); w != NULL;)
      {
        if (ADW_IS_ENTRY_ROW (w))
          {
            row = w;
            break;
          }
        if (gtk_widget_get_first_child (w) != NULL)
          w = gtk_widget_get_first_child (w);
        else
          {
            while (w != NULL && gtk_widget_get_next_sibling (w) == NULL)
              w = gtk_widget_get_parent (w);
            w = w != NULL ? gtk_widget_get_next_sibling (w) : NULL;
          }
      }
    g_assert_nonnull (row);
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "cam_01");
    gtk_editable_set_text (GTK_EDITABLE (row), "north");
  }
  g_assert_true (vigil_open_dialog_open (dialog, &error));
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* The second as fast as it goes, with the test's rule. */
  vigil_camera_options_init (&options);
  options.camera_id = "south";
  options.location = truth = g_build_filename (cam2, "frames", NULL);
  options.fps = CAM_FPS;
  options.pixels_per_metre = 5;
  options.speed = 0;
  options.rules = rules;
  south = vigil_window_open_camera (window, &options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (south);
  g_assert_cmpstr (vigil_window_get_page (window), ==, "cameras");
  wait_for (cameras_listed, GUINT_TO_POINTER (2), "two cameras");
  north = g_list_model_get_item (vigil_cameras_page_get_cameras (window->cameras_page), 0);
  g_object_unref (north);
  g_assert_cmpstr (vigil_camera_get_id (north), ==, "north");
  g_assert_nonnull (vigil_camera_get_mask_file (north));
  g_assert_true (g_str_has_suffix (vigil_camera_get_mask_file (north), "mask.json"));

  wait_for (camera_finished, north, "the first camera's end");
  wait_for (camera_finished, south, "the second camera's end");
  wait_for (tiles_have_frames, NULL, "frames in both tiles");
  for (guint i = 0; i < 2; i++)
    {
      VigilCameraTile *tile = vigil_cameras_page_get_tile (window->cameras_page, i);
      g_autoptr(VigilCameraSnapshot) last = vigil_camera_dup_snapshot (
                                              vigil_camera_tile_get_camera (tile));

      /* A finished camera's tile shows its last analysed frame. */
      vigil_camera_tile_update (tile);
      g_assert_cmpuint (vigil_camera_draw_get_serial (vigil_camera_tile_get_draw (tile)), ==,
                        last->serial);
      g_assert_cmpuint (last->n_frames, ==, CAM_FRAMES);
      g_assert_cmpuint (last->frame->index, ==, CAM_FRAMES - 1);
      assert_tile_counts (tile);
      /* Each camera recorded into its own store in the user's data. */
      g_assert_cmpint (vigil_camera_get_session_id (vigil_camera_tile_get_camera (tile)), >, 0);
    }
  {
    g_autofree char *db = vigil_cameras_page_store_path ("south", truth);

    g_assert_true (g_file_test (db, G_FILE_TEST_IS_REGULAR));
  }
  screenshot_both ("cameras");

  /* The keyboard opens a tile: focus it, then Enter (the flow box child's activation). */
  gtk_widget_grab_focus (gtk_widget_get_parent (GTK_WIDGET (
                           vigil_cameras_page_get_tile (window->cameras_page, 1))));
  focus = gtk_window_get_focus (GTK_WINDOW (window));
  g_assert_true (GTK_IS_FLOW_BOX_CHILD (focus));
  g_assert_true (gtk_widget_activate (focus));
  g_assert_true (vigil_cameras_page_get_shown (window->cameras_page) == south);
  view = vigil_cameras_page_get_view (window->cameras_page);
  wait_for (view_has_alarm, NULL, "the camera's alarm and history in its view");
  {
    GArray *history = vigil_camera_view_get_history (view);
    g_autoptr(GArray) all = vigil_camera_dup_history (south, FALSE, G_MININT64, G_MAXINT64);
    const VigilLiveAlarm *a = &g_array_index (vigil_camera_view_get_alarms (view),
                                              VigilLiveAlarm, 0);

    /* 60 frames at 25 frames/s: the seconds the charts show are the camera's. */
    g_assert_cmpuint (history->len, ==, all->len);
    g_assert_cmpuint (history->len, ==, (CAM_FRAMES + CAM_FPS - 1) / CAM_FPS);
    g_assert_cmpstr (a->rule, ==, "busy_road");
    g_assert_cmpuint (a->sensor, ==, VIGIL_KEY_CAMERA);
    g_assert_cmpint (a->acked_us, ==, 0);
  }
  /* The sidebar's badge counts the camera's alarm beside the rig's. */
  badge.camera = south;
  badge.camera_unacked = 1;
  wait_for (badge_counts_cameras, &badge, "the camera's alarm in the sidebar's badge");
  screenshot_both ("camera-view");

  vigil_camera_view_select_alarm (view, 0);
  vigil_camera_view_acknowledge_selected (view);
  ack = vigil_camera_view_get_dialog (view);
  g_assert_nonnull (ack);
  entry = adw_message_dialog_get_extra_child (ack);
  for (entry = gtk_widget_get_first_child (entry); entry != NULL && !GTK_IS_ENTRY (entry);
       entry = gtk_widget_get_next_sibling (entry))
    ;
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "Lane checked");
  adw_message_dialog_response (ack, "acknowledge");
  gtk_window_destroy (GTK_WINDOW (ack));
  wait_for (view_alarm_acked, NULL, "the camera alarm's acknowledgement");
  {
    g_autoptr(GArray) journal = vigil_live_dup_journal (vigil_camera_get_live (south));
    const VigilAlarmTransition *t = &g_array_index (journal, VigilAlarmTransition,
                                                    journal->len - 1);

    g_assert_cmpint (t->cause, ==, VIGIL_ALARM_CAUSE_ACK);
    g_assert_cmpstr (t->comment, ==, "Lane checked");
  }
  badge.camera_unacked = 0;
  wait_for (badge_counts_cameras, &badge, "the acknowledged alarm out of the badge");

  /* Escape goes back to the grid, to the tile that was open. */
  g_signal_emit_by_name (view, "back");
  g_assert_null (vigil_cameras_page_get_shown (window->cameras_page));
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (window)) == focus);

  /* What the setup dialog saves comes back when the camera opens again, from its first frame:
   * the lower half of the frame as road, and 8.5 pixels a metre instead of the options' 5. */
  {
    static const double road[] = { 0, 90, 319, 90, 319, 179, 0, 179 };
    g_autofree char *folder = vigil_camera_setup_get_folder ("south");
    g_autofree char *mask_path = g_build_filename (folder, "mask.json", NULL);
    VigilCameraSetupDialog *setup = VIGIL_CAMERA_SETUP_DIALOG (
                                      vigil_camera_setup_dialog_new (GTK_WINDOW (window), south));
    VigilMaskEditor *editor = vigil_camera_setup_dialog_get_editor (setup);
    g_autoptr(VigilRoadShapes) saved = NULL;
    g_autoptr(VigilFrame) expected = NULL;
    g_autoptr(VigilCameraSnapshot) first = NULL;
    VigilCalibration applied;
    VigilCamera *again;

    gtk_window_present (GTK_WINDOW (setup));
    wait_for (editor_has_frame, editor, "the setup dialog's frame");
    for (guint k = 0; k < 4; k++)
      {
        double x, y;

        g_assert_true (vigil_mask_editor_frame_to_widget (editor, road[2 * k], road[2 * k + 1],
                                                          &x, &y));
        vigil_mask_editor_click (editor, x, y);
      }
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.close-polygon",
                                               NULL));
    g_assert_cmpuint (vigil_mask_editor_get_n_polygons (editor), ==, 1);
    vigil_camera_setup_dialog_set_calibration_kind (setup, VIGIL_CALIBRATION_SCALE);
    vigil_camera_setup_dialog_set_scale (setup, 8.5);
    g_assert_true (vigil_camera_setup_dialog_save (setup, &error));
    g_assert_no_error (error);
    gtk_window_destroy (GTK_WINDOW (setup));
    g_assert_true (g_file_test (mask_path, G_FILE_TEST_IS_REGULAR));

    again = vigil_window_open_camera (window, &options, &error);
    g_assert_no_error (error);
    g_assert_nonnull (again);
    g_assert_true (again != south);
    g_assert_cmpstr (vigil_camera_get_mask_file (again), ==, mask_path);
    vigil_camera_get_calibration (again, &applied);
    g_assert_false (applied.has_homography);
    g_assert_cmpfloat (applied.pixels_per_metre, ==, 8.5);

    saved = vigil_road_shapes_load (mask_path, "south", &error);
    g_assert_no_error (error);
    expected = vigil_road_shapes_rasterize (saved, 320, 180, 0, 0);
    wait_for (camera_finished, again, "the reopened camera's end");
    first = vigil_camera_dup_snapshot (again);
    g_assert_nonnull (first->mask);
    g_assert_cmpuint (vigil_road_mask_count (first->mask), ==, vigil_road_mask_count (expected));
    g_assert_cmpuint (vigil_road_mask_count (expected), ==, 320 * 90);
  }
}

/* Kafka ----------------------------------------------------------------------------------- */

/* Two cycles of a rig: 2 x 60 s of 17 sensors, 728 samples a second in all. */
#define KAFKA_RIG_CYCLES 2
#define KAFKA_SAMPLES_PER_SECOND (6 * 100 + 100 + 2 * 10 + 4 * 1 + 1 + 3 * 1)

static gboolean
kafka_test_done (gpointer data)
{
  VigilKafkaTestState state = vigil_kafka_dialog_get_test_state (data);

  return state == VIGIL_KAFKA_TEST_OK || state == VIGIL_KAFKA_TEST_FAILED;
}

typedef struct
{
  gboolean done;
  char    *password;
  GError  *error;
} KeyringCall;

static void
on_keyring_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  KeyringCall *call = data;

  if (g_task_get_source_tag (G_TASK (result)) == vigil_keyring_lookup_password_async)
    call->password = vigil_keyring_lookup_password_finish (result, &call->error);
  else
    vigil_keyring_store_password_finish (result, &call->error);
  call->done = TRUE;
}

static gboolean
keyring_call_done (gpointer data)
{
  return ((KeyringCall *) data)->done;
}

static gboolean
password_filled (gpointer data)
{
  VigilKafkaConnection connection;
  gboolean filled;

  if (!vigil_kafka_dialog_get_connection (data, &connection, NULL))
    return FALSE;
  filled = g_strcmp0 (connection.password, "s3cret") == 0;
  vigil_kafka_connection_clear (&connection);
  return filled;
}

static gboolean
kafka_all_consumed (gpointer data)
{
  VigilLiveCounters c;

  vigil_live_get_counters (vigil_player_get_live (window->player), &c);
  return c.samples >= GPOINTER_TO_UINT (data) && charts_have_data (NULL);
}

static gboolean
kafka_lag_zero (gpointer data)
{
  VigilKafkaSourceStats stats;
  VigilKafkaSource *kafka = vigil_player_get_kafka_source (window->player);

  vigil_kafka_source_get_stats (kafka, &stats);
  return stats.state == VIGIL_KAFKA_SOURCE_CONNECTED && stats.lag == 0 &&
         stats.n_partitions > 0;
}

/* Frames of two generated cameras on traffic_data: cam_01's with their true boxes, cam_02's
 * alone (Vigil's detector). */
#define KAFKA_CAMERA_FRAMES 20
#define KAFKA_CAMERA_WIDTH 160
#define KAFKA_CAMERA_HEIGHT 96

/* The ground truth of @camera_dir as the detections CSV `produce traffic` takes. */
static void
write_kafka_detections (const char *camera_dir,
                        const char *camera_id,
                        const char *out_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *truth_path = g_build_filename (camera_dir, "ground-truth.csv", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GString) out = g_string_new (VIGIL_KAFKA_DETECTIONS_HEADER "\n");
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (truth_path, &contents, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "frame,timestamp,track_id,class,x,y,w,h,speed_kmh");
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", -1);

      if (lines[i][0] == '\0')
        continue;
      g_assert_cmpuint (g_strv_length (f), ==, 9);
      g_string_append_printf (out, "%s,%s,%s,%s,%s,%s,%s,%s,%s\n", camera_id, f[0], f[1], f[2],
                              f[3], f[4], f[5], f[6], f[7]);
    }
  g_assert_true (g_file_set_contents (out_path, out->str, out->len, &error));
  g_assert_no_error (error);
}

static void
produce_kafka_cameras (VigilKafkaProducer *producer)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (env.tmp, "kafka-cameras", NULL);
  g_autofree char *csv = g_build_filename (env.tmp, "kafka-detections.csv", NULL);
  VigilTrafficGeneratorParams params;

  vigil_traffic_generator_params_init (&params);
  params.n_cameras = 2;
  params.n_frames = KAFKA_CAMERA_FRAMES;
  params.width = KAFKA_CAMERA_WIDTH;
  params.height = KAFKA_CAMERA_HEIGHT;
  params.fps = 10;
  params.seed = 5;
  g_assert_true (vigil_traffic_generate (dir, &params, NULL, &error));
  g_assert_no_error (error);

  for (guint i = 1; i <= 2; i++)
    {
      g_autofree char *id = g_strdup_printf ("cam_%02u", i);
      g_autofree char *camera_dir = g_build_filename (dir, id, NULL);
      g_autofree char *frames = g_build_filename (camera_dir, "frames", NULL);
      VigilKafkaTrafficOptions options;

      vigil_kafka_traffic_options_init (&options);
      options.camera_id = id;
      options.fps = 10;
      options.speed = 0;
      if (i == 1)
        {
          write_kafka_detections (camera_dir, id, csv);
          options.detections = csv;
        }
      g_assert_true (vigil_kafka_producer_send_traffic (producer, frames, &options, NULL,
                                                        &error));
      g_assert_no_error (error);
    }
}

/* The Cameras page shows a tile per camera of the subscription, each with its last frame. */
static gboolean
kafka_cameras_shown (gpointer data)
{
  VigilKafkaSource *kafka = vigil_player_get_kafka_source (window->player);
  g_autoptr(GPtrArray) cameras = vigil_kafka_source_dup_cameras (kafka);

  if (cameras->len != GPOINTER_TO_UINT (data) || !cameras_listed (data))
    return FALSE;
  for (guint i = 0; i < cameras->len; i++)
    {
      g_autoptr(VigilCameraSnapshot) s = vigil_camera_dup_snapshot (cameras->pdata[i]);

      if (s->n_frames < KAFKA_CAMERA_FRAMES)
        return FALSE;
    }

  return tiles_have_frames (NULL);
}

static void
test_kafka (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(VigilKafkaBroker) broker = NULL;
  g_autoptr(VigilKafkaProducer) producer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rig = g_build_filename (env.tmp, "kafka-rig", NULL);
  g_autofree char *expected = NULL;
  VigilKafkaHydraulicOptions produce_options;
  VigilKafkaConnection connection;
  VigilKafkaDialog *dialog;
  KeyringCall call = { 0 };
  const guint n_samples = KAFKA_RIG_CYCLES * 60 * KAFKA_SAMPLES_PER_SECOND;
  /* The topics the broker makes: hydraulic-<SENSOR> for 17 sensors, labels, analytics,
   * traffic_data; the default subscription takes every one (^hydraulic-.* and
   * traffic_data). */
  const guint n_topics = VIGIL_N_SENSORS + 3, n_subscribed = VIGIL_N_SENSORS + 3;

  g_assert_true (vigil_hydraulic_generate (rig, KAFKA_RIG_CYCLES, 5, NULL, &error));
  g_assert_no_error (error);
  broker = vigil_kafka_broker_new (1, 0, 2, &error);
  g_assert_no_error (error);

  /* A cluster that is not there: the test says so, naming it. */
  g_settings_set_string (settings, "kafka-brokers", "127.0.0.1:1");
  dialog = VIGIL_KAFKA_DIALOG (vigil_kafka_dialog_new (window));
  gtk_window_present (GTK_WINDOW (dialog));
  vigil_kafka_dialog_test (dialog);
  wait_for (kafka_test_done, dialog, "the connection test to fail");
  g_assert_cmpint (vigil_kafka_dialog_get_test_state (dialog), ==, VIGIL_KAFKA_TEST_FAILED);
  g_assert_nonnull (strstr (vigil_kafka_dialog_get_test_text (dialog), "127.0.0.1:1"));
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* The password of a SASL account comes back from the keyring, not from the settings. */
  vigil_keyring_store_password_async ("kafka.example:9093", "operator", "s3cret", NULL,
                                      on_keyring_done, &call);
  wait_for (keyring_call_done, &call, "the keyring to store");
  g_assert_no_error (call.error);
  g_settings_set_string (settings, "kafka-brokers", "kafka.example:9093");
  g_settings_set_string (settings, "kafka-security", "sasl_ssl");
  g_settings_set_string (settings, "kafka-username", "operator");
  dialog = VIGIL_KAFKA_DIALOG (vigil_kafka_dialog_new (window));
  gtk_window_present (GTK_WINDOW (dialog));
  wait_for (password_filled, dialog, "the password from the keyring");
  screenshot_window (GTK_WINDOW (dialog), "kafka-dialog-sasl.png");
  gtk_window_destroy (GTK_WINDOW (dialog));
  {
    g_autoptr(GSettingsSchemaSource) schemas = g_settings_schema_source_get_default ();
    g_autoptr(GSettingsSchema) schema = g_settings_schema_source_lookup (schemas, APP_ID, TRUE);
    g_auto(GStrv) keys = g_settings_schema_list_keys (schema);

    /* No setting holds it. */
    for (guint i = 0; keys[i] != NULL; i++)
      {
        g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
        g_autofree char *text = g_variant_print (value, FALSE);

        g_assert_null (strstr (text, "s3cret"));
      }
  }

  /* The local broker: the test finds Vigil's topics. */
  g_settings_set_string (settings, "kafka-brokers", vigil_kafka_broker_get_bootstrap (broker));
  g_settings_set_string (settings, "kafka-security", "plaintext");
  g_settings_set_string (settings, "kafka-group", "vigil-ui-test");
  g_settings_set_string (settings, "kafka-start", "earliest");
  g_settings_reset (settings, "kafka-topics");
  dialog = VIGIL_KAFKA_DIALOG (vigil_kafka_dialog_new (window));
  gtk_window_present (GTK_WINDOW (dialog));
  vigil_kafka_dialog_test (dialog);
  wait_for (kafka_test_done, dialog, "the connection test");
  g_assert_cmpint (vigil_kafka_dialog_get_test_state (dialog), ==, VIGIL_KAFKA_TEST_OK);
  expected = g_strdup_printf ("%u topics on the cluster, %u of them subscribed", n_topics,
                              n_subscribed);
  g_assert_cmpstr (vigil_kafka_dialog_get_test_text (dialog), ==, expected);
  screenshot_window (GTK_WINDOW (dialog), "kafka-dialog.png");

  /* What a rig publishes arrives in the window, every sample of it. */
  vigil_kafka_connection_init (&connection, vigil_kafka_broker_get_bootstrap (broker));
  producer = vigil_kafka_producer_new (&connection, &error);
  g_assert_no_error (error);
  vigil_kafka_hydraulic_options_init (&produce_options);
  produce_options.speed = 0;
  g_assert_true (vigil_kafka_producer_send_hydraulic (producer, rig, &produce_options, NULL,
                                                      &error));
  g_assert_no_error (error);
  produce_kafka_cameras (producer);
  vigil_kafka_connection_clear (&connection);

  g_assert_true (vigil_kafka_dialog_connect (dialog, &error));
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpint (vigil_player_get_kind (window->player), ==, VIGIL_SOURCE_KAFKA);
  g_assert_cmpstr (vigil_player_get_source (window->player), ==,
                   vigil_kafka_broker_get_bootstrap (broker));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "hydraulics"));
  wait_for (kafka_all_consumed, GUINT_TO_POINTER (n_samples), "every sample from Kafka");
  wait_for (kafka_lag_zero, NULL, "the lag to reach zero");
  {
    VigilLiveCounters c;

    g_autofree char *last_sample = NULL;

    vigil_live_get_counters (vigil_player_get_live (window->player), &c);
    g_assert_cmpuint (c.samples, ==, n_samples);
    /* The header follows the subscription: the newest event time is the rig's last second
     * (its cycles start at Vigil's default start, 2025-01-01T00:00:00Z). */
    settle ();
    last_sample = g_strdup_printf ("2025-01-01 00:0%d:59", KAFKA_RIG_CYCLES - 1);
    g_assert_true (g_str_has_prefix (gtk_label_get_text (window->position_label),
                                     last_sample));
  }
  /* A subscription is not paced: nothing to pause or seek. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.play-pause", NULL);
  g_assert_cmpint (vigil_player_get_state (window->player), ==, VIGIL_PLAYER_PLAYING);
  screenshot_both ("hydraulics-kafka");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "overview"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->overview_page)));
  screenshot_both ("overview-kafka");

  /* The subscription's cameras join the Cameras page, in the order they came (the cameras'
   * partitions are consumed side by side: either may come first), as the very cameras it
   * analyses: the page neither starts nor replaces them. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "cameras"));
  wait_for (kafka_cameras_shown, GUINT_TO_POINTER (2), "a tile per camera on traffic_data");
  {
    g_autoptr(GPtrArray) cameras =
      vigil_kafka_source_dup_cameras (vigil_player_get_kafka_source (window->player));
    VigilCameraSetupDialog *setup;
    VigilCalibration applied;

    for (guint i = 0; i < 2; i++)
      {
        VigilCameraTile *tile = vigil_cameras_page_get_tile (window->cameras_page, i);
        const char *other = vigil_camera_get_id (cameras->pdata[1 - i]);
        g_autoptr(VigilCameraSnapshot) last = NULL;

        g_assert_true (vigil_camera_tile_get_camera (tile) == cameras->pdata[i]);
        g_assert_cmpstr (vigil_camera_get_id (cameras->pdata[i]), ==,
                         g_str_equal (other, "cam_01") ? "cam_02" : "cam_01");
        last = vigil_camera_dup_snapshot (cameras->pdata[i]);
        vigil_camera_tile_update (tile);
        g_assert_cmpuint (vigil_camera_draw_get_serial (vigil_camera_tile_get_draw (tile)), ==,
                          last->serial);
        g_assert_cmpuint (last->n_frames, ==, KAFKA_CAMERA_FRAMES);
        g_assert_cmpuint (last->frame->index, ==, KAFKA_CAMERA_FRAMES - 1);
        assert_tile_counts (tile);
      }
    screenshot_both ("cameras-kafka");

    /* Its view opens on it, and the setup dialog calibrates the camera the consumer runs. */
    vigil_cameras_page_show_camera (window->cameras_page, cameras->pdata[1]);
    g_assert_true (vigil_cameras_page_get_shown (window->cameras_page) == cameras->pdata[1]);
    screenshot_both ("camera-view-kafka");
    setup = VIGIL_CAMERA_SETUP_DIALOG (vigil_camera_setup_dialog_new (GTK_WINDOW (window),
                                                                      cameras->pdata[1]));
    gtk_window_present (GTK_WINDOW (setup));
    wait_for (editor_has_frame, vigil_camera_setup_dialog_get_editor (setup),
              "the setup dialog's frame of a Kafka camera");
    vigil_camera_setup_dialog_set_calibration_kind (setup, VIGIL_CALIBRATION_SCALE);
    vigil_camera_setup_dialog_set_scale (setup, 6.5);
    g_assert_true (vigil_camera_setup_dialog_save (setup, &error));
    g_assert_no_error (error);
    gtk_window_destroy (GTK_WINDOW (setup));
    vigil_camera_get_calibration (cameras->pdata[1], &applied);
    g_assert_cmpfloat (applied.pixels_per_metre, ==, 6.5);
  }

  /* They go with the subscription. */
  vigil_player_close (window->player);
  wait_for (cameras_listed, GUINT_TO_POINTER (0), "the subscription's cameras to go");
  g_assert_null (vigil_cameras_page_get_shown (window->cameras_page));
}

static void
setup_env (void)
{
  g_autoptr(GError) error = NULL;

  env.tmp = g_dir_make_tmp ("vigil-ui-XXXXXX", &error);
  g_assert_no_error (error);
  /* The demo and recordings go to this run's own cache and data folders. */
  g_setenv ("XDG_CACHE_HOME", env.tmp, TRUE);
  g_setenv ("XDG_DATA_HOME", env.tmp, TRUE);
  g_setenv ("XDG_CONFIG_HOME", env.tmp, TRUE);

  env.rig = g_build_filename (env.tmp, "rig", NULL);
  g_assert_true (vigil_hydraulic_generate (env.rig, RIG_CYCLES, 1, NULL, &error));
  g_assert_no_error (error);

  env.shots = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "screenshots", NULL);
  g_mkdir_with_parents (env.shots, 0755);
}

/* A keyring of the test's own on the test's session bus: created and unlocked with a
 * password given on its standard input, as a login would. */
static void
start_keyring (void)
{
  const char *login[] = { "gnome-keyring-daemon", "--login", NULL };
  const char *start[] = { "gnome-keyring-daemon", "--start", "--components=secrets", NULL };
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  env.keyring = g_dir_make_tmp ("vigil-ui-keyring-XXXXXX", &error);
  g_assert_no_error (error);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "HOME", env.keyring, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", env.keyring, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", env.keyring, TRUE);

  process = g_subprocess_launcher_spawnv (launcher, login, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, "vigil-test", NULL, NULL, NULL,
                                                &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  g_clear_object (&process);

  process = g_subprocess_launcher_spawnv (launcher, start, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
}

/* A recorded camera watched again -------------------------------------------------------- */

#define REPLAY_FRAMES 50

typedef struct
{
  VigilCameraReplay *replay;
  guint64            frame;
} ShownFrame;

/* The replay shows @frame's own pixels (read back from the source) with its boxes. */
static gboolean
replay_shows_frame (gpointer data)
{
  ShownFrame *want = data;
  const VigilCameraSnapshot *s = vigil_camera_draw_get_snapshot (
                                   vigil_camera_replay_get_draw (want->replay));

  return vigil_camera_replay_get_shown_frame (want->replay) == want->frame && s != NULL &&
         s->frame != NULL && s->frame->index == want->frame && s->frame->width == 640;
}

static gboolean
replay_charts_drawn (gpointer data)
{
  return vigil_camera_replay_get_n_chart_points (data, VIGIL_TRAFFIC_SERIES_VEHICLES) > 0;
}

static gboolean
replay_paused_is (gpointer data)
{
  VigilCameraRecording *rec = vigil_camera_replay_get_recording (
                                vigil_cameras_page_get_replay (window->cameras_page));

  return vigil_camera_recording_get_paused (rec) == (gboolean) GPOINTER_TO_INT (data);
}

static gint64
query_replay (const char *db,
              const char *format,
              ...)
{
  g_autofree char *sql = NULL;
  sqlite3 *conn = open_db (db);
  va_list ap;
  gint64 value;

  va_start (ap, format);
  sql = g_strdup_vprintf (format, ap);
  va_end (ap);
  value = query_int (conn, sql);
  sqlite3_close (conn);
  return value;
}

static guint
shown_boxes (VigilCameraReplay *replay)
{
  return vigil_camera_draw_get_snapshot (vigil_camera_replay_get_draw (replay))->detections->len;
}

static void
test_camera_replay (void)
{
  g_autofree char *gen = g_build_filename (env.tmp, "replay-gen", NULL);
  g_autofree char *camera = g_build_filename (gen, "cam_01", NULL);
  g_autofree char *frames = g_build_filename (camera, "frames", NULL);
  g_autofree char *moved = g_build_filename (env.tmp, "replay-frames-moved", NULL);
  g_autofree char *mask = g_build_filename (camera, "mask.json", NULL);
  g_autofree char *rules = g_build_filename (env.tmp, "replay-rules.json", NULL);
  g_autofree char *db = g_build_filename (env.tmp, "replay.sqlite", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (db);
  g_auto(GStrv) envp = cli_gstreamer_env (env.tmp);
  g_autoptr(GError) error = NULL;
  VigilCameraReplay *replay = vigil_cameras_page_get_replay (window->cameras_page);
  VigilCameraRecording *rec;
  VigilOpenDialog *dialog;
  ShownFrame want = { replay, 37 };
  gint64 first_session, start, at;

  /* Any vehicle in the road raises it at once, so the recording has alarms. */
  g_assert_true (g_file_set_contents (rules,
    "{\"rules\": [{\"name\": \"busy_road\", \"camera\": true, \"statistic\": \"vehicles\", "
    "\"operator\": \">\", \"threshold\": 0, \"clear\": 0, \"severity\": \"warning\", "
    "\"on_delay\": 0, \"off_delay\": 0}]}", -1, NULL));
  {
    g_auto(Result) r = { 0 };

    run_env (&r, envp, "generate", "traffic", "--out", gen, "--cameras", "1", "--frames",
             G_STRINGIFY (REPLAY_FRAMES), "--seed", "11", NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  /* Two sessions of the same camera in one store: the dialog lets the user pick. */
  for (guint i = 0; i < 2; i++)
    {
      g_auto(Result) r = { 0 };

      run_env (&r, envp, "replay", "traffic", frames, "--camera", "cam_01", "--mask", mask,
               "--rules", rules, "--pixels-per-metre", "10", "--db", db, "--start",
               i == 0 ? "2026-01-01T08:00:00Z" : "2026-01-02T08:00:00Z", NULL);
      g_assert_cmpint (r.status, ==, 0);
    }
  g_assert_cmpint (query_replay (db, "SELECT COUNT(*) FROM sessions WHERE kind = 'traffic'"), ==,
                   2);
  first_session = query_replay (db, "SELECT MIN(id) FROM sessions");

  /* Open… takes the store, lists its sessions, and opens the one picked on the Cameras page. */
  dialog = VIGIL_OPEN_DIALOG (vigil_open_dialog_new (window));
  gtk_window_present (GTK_WINDOW (dialog));
  vigil_open_dialog_select (dialog, file);
  wait_for (open_dialog_settled, dialog, "the camera store's inspection");
  g_assert_null (vigil_open_dialog_get_error (dialog));
  g_assert_true (vigil_open_dialog_select_session (dialog, first_session));
  screenshot_window (GTK_WINDOW (dialog), "open-dialog-camera-recording.png");
  g_assert_true (vigil_open_dialog_open (dialog, &error));
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (dialog));

  g_assert_cmpstr (vigil_window_get_page (window), ==, "cameras");
  rec = vigil_camera_replay_get_recording (replay);
  g_assert_nonnull (rec);
  g_assert_cmpint (vigil_camera_recording_get_summary (rec)->id, ==, first_session);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (replay)));
  g_assert_null (vigil_camera_replay_get_notice (replay));
  start = vigil_camera_recording_get_start (rec);

  /* A seek 1.5 s in: frame 37 (1.48 s at 25 frames/s), its stored boxes over its pixels. */
  vigil_camera_replay_seek (replay, start + 1500000);
  wait_for (replay_shows_frame, &want, "frame 37 after the seek");
  g_assert_cmpuint (shown_boxes (replay), ==,
                    query_replay (db, "SELECT COUNT(*) FROM traffic_detections WHERE "
                                  "session_id = %" G_GINT64_FORMAT " AND frame = 37",
                                  first_session));
  g_assert_cmpuint (shown_boxes (replay), >, 0);
  g_assert_true (g_str_has_prefix (vigil_camera_replay_get_position_text (replay),
                                   "0:01.50 / "));
  g_assert_nonnull (strstr (vigil_camera_replay_get_position_text (replay),
                            "frame 38 of " G_STRINGIFY (REPLAY_FRAMES)));
  /* The stored alarms up to the position, and every stored second in the charts. */
  at = vigil_camera_recording_get_position (rec);
  g_assert_cmpint (at, ==, start + 1500000);
  g_assert_cmpuint (vigil_camera_replay_get_n_alarm_rows (replay), ==,
                    query_replay (db, "SELECT COUNT(*) FROM alarm_journal WHERE session_id = "
                                  "%" G_GINT64_FORMAT " AND at_us <= %" G_GINT64_FORMAT,
                                  first_session, at));
  g_assert_cmpuint (vigil_camera_replay_get_n_alarm_rows (replay), >, 0);
  wait_for (replay_charts_drawn, replay, "the replay's charts");
  g_assert_cmpuint (vigil_camera_replay_get_n_chart_points (replay, VIGIL_TRAFFIC_SERIES_VEHICLES),
                    ==, query_replay (db, "SELECT COUNT(*) FROM traffic_seconds WHERE session_id"
                                      " = %" G_GINT64_FORMAT " AND vehicles IS NOT NULL",
                                      first_session));
  g_assert_cmpuint (vigil_camera_replay_get_n_chart_points (replay, VIGIL_TRAFFIC_SERIES_DENSITY),
                    ==, query_replay (db, "SELECT COUNT(*) FROM traffic_seconds WHERE session_id"
                                      " = %" G_GINT64_FORMAT " AND density_pct IS NOT NULL",
                                      first_session));
  screenshot_both ("camera-replay");

  /* The keyboard's actions (period and comma step a frame, Ctrl+Left a second back). */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (replay), "replay.next-frame", NULL));
  want.frame = 38;
  wait_for (replay_shows_frame, &want, "frame 38 after a step");
  g_assert_cmpint (vigil_camera_recording_get_position (rec), ==, start + 38 * 40000);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (replay), "replay.back-second", NULL));
  g_assert_cmpint (vigil_camera_recording_get_position (rec), ==, start + 38 * 40000 - 1000000);
  want.frame = 13;
  wait_for (replay_shows_frame, &want, "frame 13 a second back");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (replay), "replay.end", NULL));
  g_assert_cmpint (vigil_camera_recording_get_position (rec), ==,
                   vigil_camera_recording_get_end (rec));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (replay), "replay.start", NULL));
  g_assert_cmpint (vigil_camera_recording_get_position (rec), ==, start);
  {
    GtkWidget *play = NULL;
    GtkWidget *focus;

    /* Back, Play, the slider and the speed are reached with Tab, in that order. */
    gtk_window_set_focus (GTK_WINDOW (window), NULL);
    for (guint i = 0; i < 4; i++)
      {
        g_assert_true (gtk_widget_child_focus (GTK_WIDGET (replay), GTK_DIR_TAB_FORWARD));
        focus = gtk_window_get_focus (GTK_WINDOW (window));
        g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (replay)));
        if (i == 0)
          g_assert_cmpstr (gtk_widget_get_tooltip_text (focus), ==, "Back to Cameras");
        else if (i == 1)
          play = focus;
        else if (i == 2)
          g_assert_true (GTK_IS_RANGE (focus));
        else
          g_assert_nonnull (gtk_widget_get_ancestor (focus, GTK_TYPE_DROP_DOWN));
      }
    g_assert_true (GTK_IS_BUTTON (play));
    g_assert_cmpstr (gtk_widget_get_tooltip_text (play), ==, "Play");
    /* A button activated from the keyboard clicks once its press has shown. */
    g_assert_true (gtk_widget_activate (play));
    wait_for (replay_paused_is, GINT_TO_POINTER (FALSE), "the replay to play");
    g_assert_cmpstr (gtk_widget_get_tooltip_text (play), ==, "Pause");
    g_assert_true (gtk_widget_activate (play));
    wait_for (replay_paused_is, GINT_TO_POINTER (TRUE), "the replay to pause");
  }

  /* The frames moved away: the stored boxes and charts still play, over an empty frame of
   * the recorded size, and the view says where the frames were looked for. */
  g_assert_cmpint (g_rename (frames, moved), ==, 0);
  g_assert_true (vigil_window_open_recording (window, db, 0, &error));
  g_assert_no_error (error);
  rec = vigil_camera_replay_get_recording (replay);
  g_assert_cmpint (vigil_camera_recording_get_summary (rec)->id, >, first_session);
  vigil_camera_replay_seek (replay, vigil_camera_recording_get_start (rec) + 1500000);
  g_assert_nonnull (vigil_camera_replay_get_notice (replay));
  g_assert_nonnull (strstr (vigil_camera_replay_get_notice (replay), frames));
  g_assert_cmpuint (vigil_camera_replay_get_shown_frame (replay), ==, 37);
  {
    const VigilCameraSnapshot *s = vigil_camera_draw_get_snapshot (
                                     vigil_camera_replay_get_draw (replay));

    g_assert_cmpuint (s->frame->width, ==, 640);
    g_assert_cmpuint (s->frame->height, ==, 360);
  }
  g_assert_cmpuint (shown_boxes (replay), ==,
                    query_replay (db, "SELECT COUNT(*) FROM traffic_detections WHERE "
                                  "session_id = %" G_GINT64_FORMAT " AND frame = 37",
                                  vigil_camera_recording_get_summary (rec)->id));
  screenshot_both ("camera-replay-missing");
  g_assert_cmpint (g_rename (moved, frames), ==, 0);

  /* Back leaves the replay. */
  vigil_cameras_page_show_replay (window->cameras_page, NULL);
  g_assert_null (vigil_camera_replay_get_recording (replay));
}

/* Its daemon may still write there while the session ends: removed as far as it can be. */
static void
remove_keyring_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_keyring_files (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
on_activate (GApplication *application)
{
  window = VIGIL_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (application)));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setup_env ();
  gtk_test_init (&argc, &argv, NULL);
  start_notification_server ();
  start_keyring ();

  app = vigil_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), NULL);
  g_application_register (G_APPLICATION (app), NULL, NULL);
  g_application_activate (G_APPLICATION (app));
  g_assert_nonnull (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  wait_for (window_shown, window, "the window on screen");

  g_test_add_func ("/ui/starts-empty", test_starts_empty);
  g_test_add_func ("/ui/demo", test_demo);
  g_test_add_func ("/ui/charts", test_charts);
  g_test_add_func ("/ui/fault-alarm", test_fault_alarm);
  g_test_add_func ("/ui/acknowledge", test_acknowledge);
  g_test_add_func ("/ui/export", test_export);
  g_test_add_func ("/ui/recording", test_recording);
  g_test_add_func ("/ui/open-bad-folder", test_open_bad_folder);
  g_test_add_func ("/ui/models", test_models);
  g_test_add_func ("/ui/cameras-empty", test_cameras_empty);
  g_test_add_func ("/ui/kafka", test_kafka);
  g_test_add_func ("/ui/cameras-live", test_cameras);
  g_test_add_func ("/ui/camera-replay", test_camera_replay);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
  g_clear_pointer (&notifications, g_ptr_array_unref);
  vigil_test_remove_tree (env.tmp);
  g_free (env.tmp);
  g_free (env.rig);
  g_free (env.shots);
  remove_keyring_files (env.keyring);
  g_free (env.keyring);

  return status;
}
