/* vigil-alarms-page.c
 *
 * The lists are rebuilt from the live bus when its alarm serial changes (alarms are few;
 * a rebuild keeps the selection on the same instance). Operator actions go to the player,
 * which runs them off the main thread; their result comes back as a toast.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-alarms"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "vigil-alarm-object.h"
#include "vigil-alarms-page.h"
#include "vigil-journal-entry.h"
#include "vigil-ui-util.h"
#include "vigil-window.h"

/* Shelving durations offered, in event time. */
typedef char *(*CellText) (gpointer item);
typedef const char *(*CellStyle) (gpointer item);

struct _VigilAlarmsPage
{
  GtkWidget           parent_instance;

  /* Owned */
  VigilPlayer        *player;
  GListStore         *alarms;
  GListStore         *journal;
  GtkSingleSelection *alarm_selection;
  guint               tick_id;
  guint64             alarm_serial;
  AdwMessageDialog   *dialog;        /* open ack/shelve dialog; weak */
  GtkEditable        *comment;       /* its comment entry */
  GtkDropDown        *duration;      /* its duration choice (shelving) */
  VigilAlarmObject   *target;        /* the alarm it acts on */

  /* Template widgets */
  GtkDropDown        *state_filter;
  GtkDropDown        *severity_filter;
  GtkLabel           *count_label;
  GtkStack           *alarms_stack;
  GtkColumnView      *alarm_view;
  GtkColumnView      *journal_view;
};

G_DEFINE_FINAL_TYPE (VigilAlarmsPage, vigil_alarms_page, GTK_TYPE_WIDGET)

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item)
{
  CellText text = g_object_get_data (G_OBJECT (factory), "text");
  CellStyle style = g_object_get_data (G_OBJECT (factory), "style");
  const char *css = g_object_get_data (G_OBJECT (factory), "css");
  GtkWidget *label = gtk_list_item_get_child (item);
  const char *previous = g_object_get_data (G_OBJECT (label), "style");
  g_autofree char *value = text (gtk_list_item_get_item (item));

  gtk_label_set_text (GTK_LABEL (label), value);
  if (css != NULL)
    gtk_widget_add_css_class (label, css);

  /* Cells are recycled: the style of the row they showed before goes. */
  if (previous != NULL)
    gtk_widget_remove_css_class (label, previous);
  if (style != NULL)
    {
      const char *now = style (gtk_list_item_get_item (item));

      gtk_widget_add_css_class (label, now);
      g_object_set_data (G_OBJECT (label), "style", (gpointer) now);
    }
}

/* Returns the column's factory (owned by the view). */
static GtkListItemFactory *
add_column (GtkColumnView *view,
            const char    *title,
            CellText       text,
            const char    *css,
            gboolean       expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;

  g_object_set_data (G_OBJECT (factory), "text", text);
  g_object_set_data (G_OBJECT (factory), "css", (gpointer) css);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), NULL);

  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (column, expand);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_append_column (view, column);
  g_object_unref (column);

  return factory;
}

static const VigilLiveAlarm *
alarm_of (gpointer item)
{
  return vigil_alarm_object_get (VIGIL_ALARM_OBJECT (item));
}

static const VigilAlarmTransition *
entry_of (gpointer item)
{
  return vigil_journal_entry_get (VIGIL_JOURNAL_ENTRY (item));
}

static char *
format_value (double value)
{
  return isnan (value) ? g_strdup ("") : g_strdup_printf ("%.2f", value);
}

static char *
alarm_severity (gpointer item)
{
  return g_strdup (vigil_ui_severity_name (alarm_of (item)->severity));
}

static const char *
alarm_severity_style (gpointer item)
{
  return alarm_of (item)->severity == VIGIL_SEVERITY_CRITICAL ? "error" : "warning";
}

static char *
alarm_sensor (gpointer item)
{
  return g_strdup (vigil_ui_key_name (alarm_of (item)->sensor));
}

static char *
alarm_rule (gpointer item)
{
  return g_strdup (alarm_of (item)->rule);
}

static char *
alarm_state (gpointer item)
{
  const VigilLiveAlarm *a = alarm_of (item);
  g_autofree char *until = NULL;

  if (a->superseded)
    /* Translators: an alarm state, for an alarm raised again since. */
    return g_strdup_printf (_("%s (raised again)"), vigil_ui_state_name (a->state));
  if (!a->shelved)
    return g_strdup (vigil_ui_state_name (a->state));

  until = vigil_ui_format_time (a->shelved_until_us);
  /* Translators: an alarm state, then until when it is shelved. */
  return g_strdup_printf (_("%s (shelved until %s)"), vigil_ui_state_name (a->state), until);
}

static char *
alarm_value (gpointer item)
{
  return format_value (alarm_of (item)->value);
}

static char *
alarm_peak (gpointer item)
{
  return format_value (alarm_of (item)->peak);
}

static char *
alarm_raised (gpointer item)
{
  return vigil_ui_format_time (alarm_of (item)->raised_us);
}

static char *
alarm_cleared (gpointer item)
{
  return vigil_ui_format_time (alarm_of (item)->cleared_us);
}

static char *
alarm_acked (gpointer item)
{
  const VigilLiveAlarm *a = alarm_of (item);
  g_autofree char *at = vigil_ui_format_time (a->acked_us);

  if (a->acked_us == 0 || a->comment == NULL || a->comment[0] == '\0')
    return g_steal_pointer (&at);

  return g_strdup_printf ("%s — %s", at, a->comment);
}

static char *
entry_time (gpointer item)
{
  return vigil_ui_format_time (entry_of (item)->at_us);
}

static char *
entry_sensor (gpointer item)
{
  return g_strdup (vigil_sensor_get_info (entry_of (item)->key)->name);
}

static char *
entry_rule (gpointer item)
{
  return g_strdup (entry_of (item)->rule);
}

static char *
entry_change (gpointer item)
{
  const VigilAlarmTransition *t = entry_of (item);

  return g_strdup_printf ("%s → %s", vigil_ui_state_name (t->from), vigil_ui_state_name (t->to));
}

static char *
entry_cause (gpointer item)
{
  return g_strdup (vigil_ui_cause_name (entry_of (item)->cause));
}

static char *
entry_value (gpointer item)
{
  return format_value (entry_of (item)->value);
}

static char *
entry_comment (gpointer item)
{
  return g_strdup (entry_of (item)->comment != NULL ? entry_of (item)->comment : "");
}

static gboolean
matches_filters (VigilAlarmsPage      *self,
                 const VigilLiveAlarm *a)
{
  guint severity = gtk_drop_down_get_selected (self->severity_filter);

  if (severity == 1 && a->severity != VIGIL_SEVERITY_CRITICAL)
    return FALSE;
  if (severity == 2 && a->severity != VIGIL_SEVERITY_WARNING)
    return FALSE;

  switch ((VigilAlarmFilter) gtk_drop_down_get_selected (self->state_filter))
    {
    case VIGIL_ALARM_FILTER_ACTIVE:
      return vigil_alarm_state_is_active (a->state);
    case VIGIL_ALARM_FILTER_UNACKED:
      return a->state == VIGIL_ALARM_ACTIVE_UNACKED || a->state == VIGIL_ALARM_CLEARED_UNACKED;
    case VIGIL_ALARM_FILTER_SHELVED:
      return a->shelved;
    case VIGIL_ALARM_FILTER_CLEARED:
      return !vigil_alarm_state_is_active (a->state);
    case VIGIL_ALARM_FILTER_ALL:
    default:
      return TRUE;
    }
}

static void
update_count (VigilAlarmsPage *self,
              guint            active)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->alarms));
  /* Translators: counts of the alarms listed and of those active. */
  g_autofree char *text = g_strdup_printf (ngettext ("%u alarm listed, %u active",
                                                     "%u alarms listed, %u active", n),
                                           n, active);

  gtk_label_set_text (self->count_label, text);
  gtk_stack_set_visible_child_name (self->alarms_stack, n > 0 ? "list" : "empty");
}

static void
rebuild (VigilAlarmsPage *self)
{
  VigilLive *live = vigil_player_get_live (self->player);
  g_autoptr(GArray) alarms = vigil_live_dup_alarms (live);
  g_autoptr(GArray) journal = vigil_live_dup_journal (live);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  VigilAlarmObject *selected = gtk_single_selection_get_selected_item (self->alarm_selection);
  g_autofree char *sel_rule = NULL;
  VigilSensor sel_sensor = 0;
  gint64 sel_raised = 0;
  guint reselect = GTK_INVALID_LIST_POSITION;
  guint active = 0;

  if (selected != NULL)
    {
      sel_rule = g_strdup (vigil_alarm_object_get (selected)->rule);
      sel_sensor = vigil_alarm_object_get (selected)->sensor;
      sel_raised = vigil_alarm_object_get (selected)->raised_us;
    }

  for (guint i = 0; i < alarms->len; i++)
    {
      const VigilLiveAlarm *a = &g_array_index (alarms, VigilLiveAlarm, i);

      if (vigil_alarm_state_is_active (a->state))
        active++;
      if (!matches_filters (self, a))
        continue;
      if (sel_rule != NULL && g_strcmp0 (a->rule, sel_rule) == 0 && a->sensor == sel_sensor &&
          a->raised_us == sel_raised)
        reselect = items->len;
      g_ptr_array_add (items, vigil_alarm_object_new (a));
    }

  /* Newest first, like the alarms. */
  for (guint i = journal->len; i > 0; i--)
    g_ptr_array_add (entries, vigil_journal_entry_new (&g_array_index (journal,
                                                                       VigilAlarmTransition,
                                                                       i - 1)));

  g_list_store_splice (self->alarms, 0, g_list_model_get_n_items (G_LIST_MODEL (self->alarms)),
                       items->pdata, items->len);
  g_list_store_splice (self->journal, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->journal)),
                       entries->pdata, entries->len);
  gtk_single_selection_set_selected (self->alarm_selection, reselect);
  update_count (self, active);
}

void
vigil_alarms_page_refresh (VigilAlarmsPage *self)
{
  g_return_if_fail (VIGIL_IS_ALARMS_PAGE (self));

  if (self->player == NULL)
    return;

  self->alarm_serial = vigil_live_get_alarm_serial (vigil_player_get_live (self->player));
  rebuild (self);
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  VigilAlarmsPage *self = VIGIL_ALARMS_PAGE (widget);

  if (self->player != NULL &&
      vigil_live_get_alarm_serial (vigil_player_get_live (self->player)) != self->alarm_serial)
    vigil_alarms_page_refresh (self);

  return G_SOURCE_CONTINUE;
}

static void
on_filter_changed (VigilAlarmsPage *self)
{
  if (self->player != NULL)
    rebuild (self);
}

static void
action_done (GObject         *source,
             GAsyncResult    *result,
             VigilAlarmsPage *self,
             gboolean         shelve)
{
  g_autoptr(GError) error = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (!vigil_player_action_finish (VIGIL_PLAYER (source), result, &error))
    {
      if (VIGIL_IS_WINDOW (root))
        vigil_window_toast (VIGIL_WINDOW (root), error->message);
      return;
    }

  if (VIGIL_IS_WINDOW (root))
    vigil_window_toast (VIGIL_WINDOW (root), shelve ? _("Alarm shelved")
                                                    : _("Alarm acknowledged"));
  vigil_alarms_page_refresh (self);
}

static void
acknowledge_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(VigilAlarmsPage) self = user_data;

  action_done (source, result, self, FALSE);
}

static void
shelve_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(VigilAlarmsPage) self = user_data;

  action_done (source, result, self, TRUE);
}

static void
on_dialog_response (AdwMessageDialog *dialog,
                    const char       *response,
                    VigilAlarmsPage  *self)
{
  g_autoptr(VigilAlarmObject) target = g_steal_pointer (&self->target);
  const char *comment = vigil_ui_alarm_dialog_comment (self->comment);
  const VigilLiveAlarm *a;

  if (target != NULL && self->player != NULL)
    {
      a = vigil_alarm_object_get (target);
      if (g_strcmp0 (response, "acknowledge") == 0)
        vigil_player_acknowledge_async (self->player, a->rule, a->sensor, comment, NULL,
                                        acknowledge_done, g_object_ref (self));
      else if (g_strcmp0 (response, "shelve") == 0)
        vigil_player_shelve_async (self->player, a->rule, a->sensor,
                                   vigil_ui_alarm_dialog_duration (self->duration), comment,
                                   NULL, shelve_done, g_object_ref (self));
    }

  self->dialog = NULL;
  self->comment = NULL;
  self->duration = NULL;
}

static VigilAlarmObject *
selected_or_toast (VigilAlarmsPage *self)
{
  VigilAlarmObject *selected = gtk_single_selection_get_selected_item (self->alarm_selection);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (selected == NULL && VIGIL_IS_WINDOW (root))
    vigil_window_toast (VIGIL_WINDOW (root), _("Select an alarm first"));

  return selected;
}

static void
present_dialog (VigilAlarmsPage  *self,
                VigilAlarmObject *target,
                const char       *heading,
                const char       *response,
                const char       *response_label,
                gboolean          with_duration)
{
  const VigilLiveAlarm *a = vigil_alarm_object_get (target);
  AdwMessageDialog *dialog;

  dialog = vigil_ui_alarm_dialog_new (GTK_WIDGET (self), heading, a->rule,
                                      vigil_ui_key_name (a->sensor), a->raised_us, response,
                                      response_label, with_duration, &self->comment,
                                      &self->duration);
  g_signal_connect (dialog, "response", G_CALLBACK (on_dialog_response), self);

  g_set_object (&self->target, target);
  self->dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
}

void
vigil_alarms_page_acknowledge_selected (VigilAlarmsPage *self)
{
  VigilAlarmObject *selected;
  const VigilLiveAlarm *a;
  GtkRoot *root;

  g_return_if_fail (VIGIL_IS_ALARMS_PAGE (self));

  if ((selected = selected_or_toast (self)) == NULL)
    return;

  a = vigil_alarm_object_get (selected);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (a->superseded)
    {
      if (VIGIL_IS_WINDOW (root))
        vigil_window_toast (VIGIL_WINDOW (root),
                            _("This alarm was raised again since: acknowledge its latest "
                              "instance"));
      return;
    }
  if (a->state != VIGIL_ALARM_ACTIVE_UNACKED && a->state != VIGIL_ALARM_CLEARED_UNACKED)
    {
      if (VIGIL_IS_WINDOW (root))
        vigil_window_toast (VIGIL_WINDOW (root), _("This alarm is already acknowledged"));
      return;
    }

  present_dialog (self, selected, _("Acknowledge Alarm?"), "acknowledge", _("_Acknowledge"),
                  FALSE);
}

void
vigil_alarms_page_shelve_selected (VigilAlarmsPage *self)
{
  VigilAlarmObject *selected;

  g_return_if_fail (VIGIL_IS_ALARMS_PAGE (self));

  if ((selected = selected_or_toast (self)) == NULL)
    return;

  if (vigil_alarm_object_get (selected)->superseded)
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

      if (VIGIL_IS_WINDOW (root))
        vigil_window_toast (VIGIL_WINDOW (root),
                            _("This alarm was raised again since: shelve its latest instance"));
      return;
    }

  present_dialog (self, selected, _("Shelve Alarm?"), "shelve", _("_Shelve"), TRUE);
}

AdwMessageDialog *
vigil_alarms_page_get_dialog (VigilAlarmsPage *self)
{
  g_return_val_if_fail (VIGIL_IS_ALARMS_PAGE (self), NULL);

  return self->dialog;
}

static void
vigil_alarms_page_map (GtkWidget *widget)
{
  VigilAlarmsPage *self = VIGIL_ALARMS_PAGE (widget);

  GTK_WIDGET_CLASS (vigil_alarms_page_parent_class)->map (widget);

  self->alarm_serial = G_MAXUINT64;
  self->tick_id = gtk_widget_add_tick_callback (widget, on_tick, NULL, NULL);
}

static void
vigil_alarms_page_unmap (GtkWidget *widget)
{
  VigilAlarmsPage *self = VIGIL_ALARMS_PAGE (widget);

  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (widget, self->tick_id);
  self->tick_id = 0;

  GTK_WIDGET_CLASS (vigil_alarms_page_parent_class)->unmap (widget);
}

static void
vigil_alarms_page_dispose (GObject *object)
{
  VigilAlarmsPage *self = VIGIL_ALARMS_PAGE (object);
  GtkWidget *child;

  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  gtk_widget_dispose_template (GTK_WIDGET (self), VIGIL_TYPE_ALARMS_PAGE);
  /* The template's top box has no id, so dispose_template() leaves it to us. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->alarm_selection);
  g_clear_object (&self->alarms);
  g_clear_object (&self->journal);
  g_clear_object (&self->target);
  g_clear_object (&self->player);

  G_OBJECT_CLASS (vigil_alarms_page_parent_class)->dispose (object);
}

static void
vigil_alarms_page_class_init (VigilAlarmsPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vigil_alarms_page_dispose;
  widget_class->map = vigil_alarms_page_map;
  widget_class->unmap = vigil_alarms_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vigilmonitor/Vigil/ui/"
                                               "vigil-alarms-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, VigilAlarmsPage, state_filter);
  gtk_widget_class_bind_template_child (widget_class, VigilAlarmsPage, severity_filter);
  gtk_widget_class_bind_template_child (widget_class, VigilAlarmsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, VigilAlarmsPage, alarms_stack);
  gtk_widget_class_bind_template_child (widget_class, VigilAlarmsPage, alarm_view);
  gtk_widget_class_bind_template_child (widget_class, VigilAlarmsPage, journal_view);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);
}

static void
vigil_alarms_page_init (VigilAlarmsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->alarms = g_list_store_new (VIGIL_TYPE_ALARM_OBJECT);
  self->journal = g_list_store_new (VIGIL_TYPE_JOURNAL_ENTRY);
  self->alarm_selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->alarms)));
  gtk_single_selection_set_autoselect (self->alarm_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->alarm_selection, TRUE);
  gtk_column_view_set_model (self->alarm_view, GTK_SELECTION_MODEL (self->alarm_selection));
  {
    g_autoptr(GtkNoSelection) journal = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (
                                                                self->journal)));

    gtk_column_view_set_model (self->journal_view, GTK_SELECTION_MODEL (journal));
  }

  g_object_set_data (G_OBJECT (add_column (self->alarm_view, _("Severity"), alarm_severity, NULL,
                                           FALSE)),
                     "style", alarm_severity_style);

  add_column (self->alarm_view, _("Sensor"), alarm_sensor, NULL, FALSE);
  add_column (self->alarm_view, _("Rule"), alarm_rule, NULL, FALSE);
  add_column (self->alarm_view, _("State"), alarm_state, NULL, TRUE);
  add_column (self->alarm_view, _("Value"), alarm_value, "numeric", FALSE);
  add_column (self->alarm_view, _("Peak"), alarm_peak, "numeric", FALSE);
  add_column (self->alarm_view, _("Raised"), alarm_raised, "numeric", FALSE);
  add_column (self->alarm_view, _("Cleared"), alarm_cleared, "numeric", FALSE);
  add_column (self->alarm_view, _("Acknowledged"), alarm_acked, NULL, TRUE);

  add_column (self->journal_view, _("Time"), entry_time, "numeric", FALSE);
  add_column (self->journal_view, _("Sensor"), entry_sensor, NULL, FALSE);
  add_column (self->journal_view, _("Rule"), entry_rule, NULL, FALSE);
  add_column (self->journal_view, _("Change"), entry_change, NULL, TRUE);
  add_column (self->journal_view, _("Cause"), entry_cause, NULL, FALSE);
  add_column (self->journal_view, _("Value"), entry_value, "numeric", FALSE);
  add_column (self->journal_view, _("Comment"), entry_comment, NULL, TRUE);

  update_count (self, 0);
}

void
vigil_alarms_page_set_player (VigilAlarmsPage *self,
                              VigilPlayer     *player)
{
  g_return_if_fail (VIGIL_IS_ALARMS_PAGE (self));

  g_set_object (&self->player, player);
  self->alarm_serial = G_MAXUINT64;
}

GListModel *
vigil_alarms_page_get_alarms (VigilAlarmsPage *self)
{
  g_return_val_if_fail (VIGIL_IS_ALARMS_PAGE (self), NULL);

  return G_LIST_MODEL (self->alarms);
}

GListModel *
vigil_alarms_page_get_journal (VigilAlarmsPage *self)
{
  g_return_val_if_fail (VIGIL_IS_ALARMS_PAGE (self), NULL);

  return G_LIST_MODEL (self->journal);
}

void
vigil_alarms_page_set_filters (VigilAlarmsPage  *self,
                               VigilAlarmFilter  state,
                               int               severity)
{
  g_return_if_fail (VIGIL_IS_ALARMS_PAGE (self));

  gtk_drop_down_set_selected (self->state_filter, state);
  gtk_drop_down_set_selected (self->severity_filter,
                              severity < 0 ? 0 : severity == VIGIL_SEVERITY_CRITICAL ? 1 : 2);
}

void
vigil_alarms_page_select (VigilAlarmsPage *self,
                          guint            position)
{
  g_return_if_fail (VIGIL_IS_ALARMS_PAGE (self));

  gtk_single_selection_set_selected (self->alarm_selection, position);
}
