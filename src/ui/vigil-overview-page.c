/* vigil-overview-page.c
 *
 * Reads the live bus on the frame clock while mapped; text is refreshed a few times a
 * second so people can read the numbers, lists only when the alarms changed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-overview"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "vigil-health-trend.h"
#include "vigil-overview-page.h"
#include "vigil-ui-util.h"

#define REFRESH_US (G_USEC_PER_SEC / 4)
#define MAX_ALARM_ROWS 8

struct _VigilOverviewPage
{
  GtkWidget          parent_instance;

  /* Owned */
  VigilPlayer       *player;
  guint              tick_id;
  gint64             last_refresh_us;
  guint64            alarm_serial;
  guint32            sensors;          /* whose tiles exist */
  GtkLabel          *tile_values[VIGIL_N_SENSORS];
  GtkWidget         *tiles[VIGIL_N_SENSORS];
  GtkLabel          *rate_label;
  GtkLabel          *latency_label;
  GtkLabel          *late_label;
  GtkLabel          *dead_label;
  GtkLabel          *totals_label;
  guint64            prediction_serial;
  GtkWidget         *condition_tiles[VIGIL_N_COMPONENTS];
  GtkLabel          *condition_values[VIGIL_N_COMPONENTS];
  GtkLabel          *condition_details[VIGIL_N_COMPONENTS];

  /* Template widgets */
  GtkWidget         *scroller;
  GtkLabel          *health_label;
  GtkLevelBar       *health_bar;
  GtkLabel          *health_caption;
  VigilHealthTrend  *health_trend;
  GtkFlowBox        *sensor_box;
  GtkListBox        *alarm_list;
  GtkLabel          *prediction_caption;
  GtkFlowBox        *condition_box;
  AdwActionRow      *rate_row;
  AdwActionRow      *latency_row;
  AdwActionRow      *late_row;
  AdwActionRow      *dead_row;
  GtkListBox        *kafka_list;
  AdwExpanderRow    *kafka_row;
  GtkLabel          *kafka_label;
  GPtrArray         *kafka_rows;    /* AdwActionRow per assigned partition, in order */
  AdwActionRow      *totals_row;
};

G_DEFINE_FINAL_TYPE (VigilOverviewPage, vigil_overview_page, GTK_TYPE_WIDGET)

static GtkLabel *
add_value_label (AdwActionRow *row)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_add_css_class (label, "numeric");
  gtk_widget_add_css_class (label, "vigil-counter");
  adw_action_row_add_suffix (row, label);

  return GTK_LABEL (label);
}

static const char *
health_class (guint health)
{
  if (health >= 90)
    return "success";
  if (health >= 60)
    return "warning";
  return "error";
}

static void
set_health_class (GtkWidget *widget,
                  guint      health)
{
  gtk_widget_remove_css_class (widget, "success");
  gtk_widget_remove_css_class (widget, "warning");
  gtk_widget_remove_css_class (widget, "error");
  gtk_widget_add_css_class (widget, health_class (health));
}

static void
rebuild_tiles (VigilOverviewPage *self,
               guint32            sensors)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->sensor_box))) != NULL)
    gtk_flow_box_remove (self->sensor_box, child);
  memset (self->tiles, 0, sizeof self->tiles);
  memset (self->tile_values, 0, sizeof self->tile_values);

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      const VigilSensorInfo *info = vigil_sensor_get_info (s);
      GtkWidget *tile, *name, *value;

      if (!(sensors & (1u << s)))
        continue;

      tile = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      gtk_widget_add_css_class (tile, "card");
      gtk_widget_add_css_class (tile, "vigil-sensor-tile");
      name = gtk_label_new (info->name);
      gtk_widget_add_css_class (name, "caption-heading");
      gtk_widget_set_tooltip_text (name, vigil_ui_quantity_name (s));
      value = gtk_label_new ("100");
      gtk_widget_add_css_class (value, "title-2");
      gtk_widget_add_css_class (value, "numeric");
      gtk_box_append (GTK_BOX (tile), name);
      gtk_box_append (GTK_BOX (tile), value);
      gtk_flow_box_append (self->sensor_box, tile);

      self->tiles[s] = tile;
      self->tile_values[s] = GTK_LABEL (value);
    }
  self->sensors = sensors;
}

static void
build_condition_tiles (VigilOverviewPage *self)
{
  for (guint t = 0; t < VIGIL_N_COMPONENTS; t++)
    {
      GtkWidget *tile = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *name = gtk_label_new (vigil_ui_key_name (VIGIL_KEY_COMPONENT + t));
      GtkWidget *value = gtk_label_new (NULL);
      GtkWidget *detail = gtk_label_new (NULL);

      gtk_widget_add_css_class (tile, "card");
      gtk_widget_add_css_class (tile, "vigil-sensor-tile");
      gtk_widget_add_css_class (name, "caption-heading");
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_widget_add_css_class (value, "heading");
      gtk_label_set_xalign (GTK_LABEL (value), 0);
      gtk_label_set_wrap (GTK_LABEL (value), TRUE);
      gtk_widget_add_css_class (detail, "caption");
      gtk_widget_add_css_class (detail, "dim-label");
      gtk_widget_add_css_class (detail, "numeric");
      gtk_label_set_xalign (GTK_LABEL (detail), 0);
      gtk_box_append (GTK_BOX (tile), name);
      gtk_box_append (GTK_BOX (tile), value);
      gtk_box_append (GTK_BOX (tile), detail);
      gtk_flow_box_append (self->condition_box, tile);

      self->condition_tiles[t] = tile;
      self->condition_values[t] = GTK_LABEL (value);
      self->condition_details[t] = GTK_LABEL (detail);
    }
}

/* Each component's condition in the latest cycle its champion predicted, coloured from
 * its best condition (success) to its worst (error). */
static void
refresh_conditions (VigilOverviewPage *self,
                    VigilLive         *live)
{
  guint latest_cycle = 0;
  guint n = 0;

  for (guint t = 0; t < VIGIL_N_COMPONENTS; t++)
    {
      VigilPrediction p;
      g_autofree char *condition = NULL;
      g_autofree char *detail = NULL;
      g_autofree char *tooltip = NULL;
      g_autofree char *model = NULL;
      float probability = 0;
      guint rank = 0;
      guint n_ranks = 0;

      if (!vigil_live_get_prediction (live, t, &p))
        {
          gtk_widget_set_visible (gtk_widget_get_parent (self->condition_tiles[t]), FALSE);
          continue;
        }
      gtk_widget_set_visible (gtk_widget_get_parent (self->condition_tiles[t]), TRUE);
      n++;
      latest_cycle = MAX (latest_cycle, p.cycle + 1);

      for (guint c = 0; c < p.n_classes; c++)
        if (p.classes[c] == p.predicted)
          probability = p.proba[c];
      condition = vigil_ui_condition_name (t, p.predicted, &rank, &n_ranks);
      model = g_strdup_printf ("%" G_GINT64_FORMAT, p.model_id);
      /* Translators: under a predicted condition: the model's confidence and the model's id
       * in the registry, e.g. "92 % · model 3". */
      detail = g_strdup_printf (_("%.0f %% · model %s"), probability * 100, model);
      /* Translators: tooltip of a predicted condition: the cycle it is for. */
      tooltip = g_strdup_printf (_("Predicted for cycle %u"), p.cycle + 1);
      gtk_label_set_text (self->condition_values[t], condition);
      gtk_label_set_text (self->condition_details[t], detail);
      gtk_widget_set_tooltip_text (self->condition_tiles[t], tooltip);
      /* Only the last of three or more conditions is a failure; "not yet stable" is not. */
      set_health_class (GTK_WIDGET (self->condition_values[t]),
                        rank == 0 ? 100 : rank + 1 == n_ranks && n_ranks >= 3 ? 0 : 70);
    }

  if (n == 0)
    {
      gtk_label_set_text (self->prediction_caption,
                          _("No champion model predicts this rig yet: train one on the Models "
                            "page"));
    }
  else
    {
      /* Translators: beside "Predicted Condition": the cycle the predictions are for. */
      g_autofree char *caption = g_strdup_printf (_("By the champion models, cycle %u"),
                                                  latest_cycle);

      gtk_label_set_text (self->prediction_caption, caption);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->condition_box), n > 0);
}

static GtkWidget *
alarm_row_new (const VigilLiveAlarm *a)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (a->severity == VIGIL_SEVERITY_CRITICAL
                                                  ? "dialog-error-symbolic"
                                                  : "dialog-warning-symbolic");
  g_autofree char *title = g_strdup_printf ("%s · %s", vigil_ui_key_name (a->sensor), a->rule);
  g_autofree char *raised = vigil_ui_format_time (a->raised_us);
  g_autofree char *value = vigil_ui_format_alarm_value (a->sensor, a->value);
  /* Translators: an alarm's subtitle: the value with its unit, and when it was raised. */
  g_autofree char *subtitle = g_strdup_printf (_("%s, raised %s"), value, raised);

  gtk_widget_add_css_class (icon, a->severity == VIGIL_SEVERITY_CRITICAL ? "error" : "warning");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);

  return row;
}

static void
rebuild_alarms (VigilOverviewPage *self,
                VigilLive         *live)
{
  g_autoptr(GArray) alarms = vigil_live_dup_alarms (live);
  GtkWidget *child;
  guint shown = 0;
  guint active = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->alarm_list))) != NULL)
    gtk_list_box_remove (self->alarm_list, child);

  for (guint i = 0; i < alarms->len; i++)
    {
      const VigilLiveAlarm *a = &g_array_index (alarms, VigilLiveAlarm, i);

      if (!vigil_alarm_state_is_active (a->state))
        continue;
      active++;
      if (shown++ < MAX_ALARM_ROWS)
        gtk_list_box_append (self->alarm_list, alarm_row_new (a));
    }

  if (active == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No active alarms"));
      gtk_list_box_append (self->alarm_list, row);
    }
  else if (active > MAX_ALARM_ROWS)
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *text = g_strdup_printf (ngettext ("%u more active alarm",
                                                         "%u more active alarms",
                                                         active - MAX_ALARM_ROWS),
                                               active - MAX_ALARM_ROWS);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_list_box_append (self->alarm_list, row);
    }
}

static void
on_alarm_row_activated (VigilOverviewPage *self,
                        GtkListBoxRow     *row)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.page", "s", "alarms");
}

static const char *
kafka_state_name (VigilKafkaSourceState state)
{
  switch (state)
    {
    case VIGIL_KAFKA_SOURCE_CONNECTING:
      return _("Connecting");
    case VIGIL_KAFKA_SOURCE_CONNECTED:
      return _("Connected");
    case VIGIL_KAFKA_SOURCE_RETRYING:
      return _("Retrying");
    case VIGIL_KAFKA_SOURCE_FAILED:
      return _("Failed");
    case VIGIL_KAFKA_SOURCE_STOPPED:
    default:
      return _("Stopped");
    }
}

static char *
format_lag (gint64 lag)
{
  g_autofree char *count = NULL;

  if (lag < 0)
    return g_strdup ("—");
  count = g_strdup_printf ("%" G_GINT64_FORMAT, lag);
  /* Translators: how many messages a partition is behind; %s is the number. */
  return g_strdup_printf (ngettext ("%s message behind", "%s messages behind",
                                    (gulong) MIN (lag, G_MAXLONG)),
                          count);
}

/* The subscription's state, its last error and how far behind each partition is. */
static void
refresh_kafka (VigilOverviewPage *self)
{
  VigilKafkaSource *kafka = vigil_player_get_kafka_source (self->player);
  g_autoptr(GArray) lags = NULL;
  g_autofree char *error = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *total = NULL;
  VigilKafkaSourceStats stats;

  gtk_widget_set_visible (GTK_WIDGET (self->kafka_list), kafka != NULL);
  if (kafka == NULL)
    return;

  vigil_kafka_source_get_stats (kafka, &stats);
  error = vigil_kafka_source_dup_last_error (kafka);
  if (error != NULL && stats.state != VIGIL_KAFKA_SOURCE_CONNECTED)
    /* Translators: a Kafka connection's state, then the last error. */
    subtitle = g_strdup_printf (_("%s: %s"), kafka_state_name (stats.state), error);
  else
    /* Translators: a Kafka connection's state, then how many partitions it reads. */
    subtitle = g_strdup_printf (ngettext ("%s, %u partition", "%s, %u partitions",
                                          stats.n_partitions),
                                kafka_state_name (stats.state), stats.n_partitions);
  adw_expander_row_set_subtitle (self->kafka_row, subtitle);
  total = format_lag (stats.lag);
  gtk_label_set_text (self->kafka_label, total);

  lags = vigil_kafka_source_dup_lag (kafka);
  while (self->kafka_rows->len > lags->len)
    {
      GtkWidget *row = g_ptr_array_steal_index (self->kafka_rows, self->kafka_rows->len - 1);

      adw_expander_row_remove (self->kafka_row, row);
    }
  for (guint i = 0; i < lags->len; i++)
    {
      const VigilKafkaPartitionLag *lag = &g_array_index (lags, VigilKafkaPartitionLag, i);
      g_autofree char *title = g_strdup_printf ("%s [%d]", lag->topic, lag->partition);
      g_autofree char *value = format_lag (lag->lag);
      AdwActionRow *row;

      if (i == self->kafka_rows->len)
        {
          row = ADW_ACTION_ROW (adw_action_row_new ());
          adw_expander_row_add_row (self->kafka_row, GTK_WIDGET (row));
          g_ptr_array_add (self->kafka_rows, row);
        }
      row = g_ptr_array_index (self->kafka_rows, i);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (row, value);
    }
}

static void
refresh_counters (VigilOverviewPage       *self,
                  const VigilLiveCounters *c)
{
  g_autofree char *health = g_strdup_printf ("%u", c->rig_health);
  g_autofree char *rate = g_strdup_printf ("%.0f", c->samples_per_s);
  g_autofree char *latency = isnan (c->window_latency_ms)
                             ? g_strdup ("—")
                             : g_strdup_printf (_("%.1f ms"), c->window_latency_ms);
  g_autofree char *late = g_strdup_printf ("%" G_GUINT64_FORMAT, c->late);
  g_autofree char *dead = g_strdup_printf ("%" G_GUINT64_FORMAT, c->dead_letters);
  g_autofree char *samples = g_strdup_printf ("%" G_GUINT64_FORMAT, c->samples);
  g_autofree char *windows = g_strdup_printf ("%" G_GUINT64_FORMAT, c->windows);
  /* Translators: totals, e.g. "12345678 samples, 4080 windows". */
  g_autofree char *totals = g_strdup_printf (_("%s samples, %s windows"), samples, windows);
  guint worst = VIGIL_N_SENSORS;

  gtk_label_set_text (self->health_label, health);
  set_health_class (GTK_WIDGET (self->health_label), c->rig_health);
  gtk_level_bar_set_value (self->health_bar, c->rig_health);

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      g_autofree char *value = NULL;

      if (self->tile_values[s] == NULL)
        continue;
      value = g_strdup_printf ("%u", c->health[s]);
      gtk_label_set_text (self->tile_values[s], value);
      set_health_class (GTK_WIDGET (self->tile_values[s]), c->health[s]);
      if (worst == VIGIL_N_SENSORS || c->health[s] < c->health[worst])
        worst = s;
    }

  if (worst < VIGIL_N_SENSORS && c->health[worst] < 100)
    {
      /* Translators: says which sensor sets the rig's health, e.g. "Lowest: PS1 (80)". */
      g_autofree char *caption = g_strdup_printf (_("Lowest: %s (%u)"),
                                                  vigil_sensor_get_info (worst)->name,
                                                  c->health[worst]);
      gtk_label_set_text (self->health_caption, caption);
    }
  else
    gtk_label_set_text (self->health_caption, _("No active alarms"));

  gtk_label_set_text (self->rate_label, rate);
  gtk_label_set_text (self->latency_label, latency);
  gtk_label_set_text (self->late_label, late);
  gtk_label_set_text (self->dead_label, dead);
  gtk_label_set_text (self->totals_label, totals);
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  VigilOverviewPage *self = VIGIL_OVERVIEW_PAGE (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  VigilLive *live;
  VigilLiveCounters counters;
  guint64 alarm_serial;

  if (self->player == NULL || now - self->last_refresh_us < REFRESH_US)
    return G_SOURCE_CONTINUE;
  self->last_refresh_us = now;

  live = vigil_player_get_live (self->player);
  vigil_live_get_counters (live, &counters);

  if (counters.sensors != self->sensors)
    rebuild_tiles (self, counters.sensors);

  alarm_serial = vigil_live_get_alarm_serial (live);
  if (alarm_serial != self->alarm_serial)
    {
      self->alarm_serial = alarm_serial;
      rebuild_alarms (self, live);
    }

  if (vigil_live_get_prediction_serial (live) != self->prediction_serial)
    {
      self->prediction_serial = vigil_live_get_prediction_serial (live);
      refresh_conditions (self, live);
    }

  refresh_counters (self, &counters);
  refresh_kafka (self);
  vigil_health_trend_set_points (self->health_trend, vigil_live_dup_health (live),
                                 counters.start_us, MAX (counters.position_us,
                                                         counters.start_us + 1));

  return G_SOURCE_CONTINUE;
}

static void
vigil_overview_page_map (GtkWidget *widget)
{
  VigilOverviewPage *self = VIGIL_OVERVIEW_PAGE (widget);

  GTK_WIDGET_CLASS (vigil_overview_page_parent_class)->map (widget);

  self->last_refresh_us = 0;
  self->alarm_serial = G_MAXUINT64;
  self->prediction_serial = G_MAXUINT64;
  self->tick_id = gtk_widget_add_tick_callback (widget, on_tick, NULL, NULL);
}

static void
vigil_overview_page_unmap (GtkWidget *widget)
{
  VigilOverviewPage *self = VIGIL_OVERVIEW_PAGE (widget);

  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (widget, self->tick_id);
  self->tick_id = 0;

  GTK_WIDGET_CLASS (vigil_overview_page_parent_class)->unmap (widget);
}

static void
vigil_overview_page_dispose (GObject *object)
{
  VigilOverviewPage *self = VIGIL_OVERVIEW_PAGE (object);
  GtkWidget *child;

  g_clear_object (&self->player);
  g_clear_pointer (&self->kafka_rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), VIGIL_TYPE_OVERVIEW_PAGE);
  /* The template's top box has no id, so dispose_template() leaves it to us. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (vigil_overview_page_parent_class)->dispose (object);
}

static void
vigil_overview_page_class_init (VigilOverviewPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vigil_overview_page_dispose;
  widget_class->map = vigil_overview_page_map;
  widget_class->unmap = vigil_overview_page_unmap;

  g_type_ensure (VIGIL_TYPE_HEALTH_TREND);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vigilmonitor/Vigil/ui/"
                                               "vigil-overview-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, VigilOverviewPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, VigilOverviewPage, health_label);
  gtk_widget_class_bind_template_child (widget_class, VigilOverviewPage, health_bar);
  gtk_widget_class_bind_template_child (widget_class, VigilOverviewPage, health_caption);
  gtk_widget_class_bind_template_child (widget_class, VigilOverviewPage, health_trend);
  gtk_widget_class_bind_template_child (widget_class, VigilOverviewPage, sensor_box);
  gtk_widget_class_bind_template_child (widget_class, VigilOverviewPage, alarm_list);
  gtk_widget_class_bind_template_child (widget_class, VigilOverviewPage, prediction_caption);
  gtk_widget_class_bind_template_child (widget_class, VigilOverviewPage, condition_box);
  gtk_widget_class_bind_template_child (widget_class, VigilOverviewPage, rate_row);
  gtk_widget_class_bind_template_child (widget_class, VigilOverviewPage, latency_row);
  gtk_widget_class_bind_template_child (widget_class, VigilOverviewPage, late_row);
  gtk_widget_class_bind_template_child (widget_class, VigilOverviewPage, dead_row);
  gtk_widget_class_bind_template_child (widget_class, VigilOverviewPage, kafka_list);
  gtk_widget_class_bind_template_child (widget_class, VigilOverviewPage, kafka_row);
  gtk_widget_class_bind_template_child (widget_class, VigilOverviewPage, totals_row);
  gtk_widget_class_bind_template_callback (widget_class, on_alarm_row_activated);
}

static void
vigil_overview_page_init (VigilOverviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rate_label = add_value_label (self->rate_row);
  self->latency_label = add_value_label (self->latency_row);
  self->late_label = add_value_label (self->late_row);
  self->dead_label = add_value_label (self->dead_row);
  self->kafka_rows = g_ptr_array_new ();
  self->kafka_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->kafka_label), "numeric");
  gtk_widget_set_valign (GTK_WIDGET (self->kafka_label), GTK_ALIGN_CENTER);
  adw_expander_row_add_action (self->kafka_row, GTK_WIDGET (self->kafka_label));
  self->totals_label = add_value_label (self->totals_row);
  self->alarm_serial = G_MAXUINT64;
  self->prediction_serial = G_MAXUINT64;
  build_condition_tiles (self);
}

void
vigil_overview_page_set_player (VigilOverviewPage *self,
                                VigilPlayer       *player)
{
  g_return_if_fail (VIGIL_IS_OVERVIEW_PAGE (self));

  g_set_object (&self->player, player);
  self->sensors = G_MAXUINT32;
}
