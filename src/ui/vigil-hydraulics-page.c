/* vigil-hydraulics-page.c
 *
 * The page owns the shared time axis (VigilChartView) and moves it with the replay on each
 * frame; every chart decimates and draws itself from the live bus.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-hydraulics"

#include "config.h"

#include <glib/gi18n.h>

#include "vigil-chart.h"
#include "vigil-hydraulics-page.h"
#include "vigil-ui-util.h"

/* Zoom steps of the toolbar buttons. */
#define ZOOM_FACTOR 2.0

typedef struct
{
  const char         *title;
  VigilSensorFamily   families[4];
  guint               n_families;
} Group;

/* The groups the operators asked for; N_() here, translated when shown. */
static const Group groups[] = {
  { N_("Pressure"), { VIGIL_FAMILY_PRESSURE }, 1 },
  { N_("Flow"), { VIGIL_FAMILY_FLOW }, 1 },
  { N_("Temperature"), { VIGIL_FAMILY_TEMPERATURE }, 1 },
  { N_("Power, Vibration and Efficiency"),
    { VIGIL_FAMILY_POWER, VIGIL_FAMILY_VIBRATION, VIGIL_FAMILY_COOLING,
      VIGIL_FAMILY_EFFICIENCY }, 4 },
};

struct _VigilHydraulicsPage
{
  GtkWidget       parent_instance;

  /* Owned */
  VigilPlayer    *player;
  VigilChartView *view;
  GPtrArray      *charts;      /* VigilChart, borrowed from charts_box */
  guint32         sensors;     /* whose charts exist */
  guint           tick_id;
  guint64         view_serial;

  /* Template widgets */
  GtkLabel       *range_label;
  GtkWidget      *live_button;
  GtkBox         *charts_box;
};

G_DEFINE_FINAL_TYPE (VigilHydraulicsPage, vigil_hydraulics_page, GTK_TYPE_WIDGET)

static gboolean
in_group (const Group *group,
          VigilSensor  sensor)
{
  VigilSensorFamily family = vigil_sensor_get_info (sensor)->family;

  for (guint i = 0; i < group->n_families; i++)
    if (group->families[i] == family)
      return TRUE;

  return FALSE;
}

static void
rebuild_charts (VigilHydraulicsPage *self,
                guint32              sensors)
{
  VigilLive *live = vigil_player_get_live (self->player);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->charts_box))) != NULL)
    gtk_box_remove (self->charts_box, child);
  g_ptr_array_set_size (self->charts, 0);

  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      GtkWidget *heading = NULL;

      for (guint s = 0; s < VIGIL_N_SENSORS; s++)
        {
          GtkWidget *chart;

          if (!(sensors & (1u << s)) || !in_group (&groups[g], s))
            continue;

          if (heading == NULL)
            {
              heading = gtk_label_new (_(groups[g].title));
              gtk_label_set_xalign (GTK_LABEL (heading), 0);
              gtk_widget_add_css_class (heading, "heading");
              gtk_widget_set_margin_top (heading, 12);
              gtk_box_append (self->charts_box, heading);
            }

          chart = vigil_chart_new (self->view, live, s);
          gtk_box_append (self->charts_box, chart);
          g_ptr_array_add (self->charts, chart);
        }
    }

  self->sensors = sensors;
}

static void
update_toolbar (VigilHydraulicsPage *self)
{
  g_autofree char *from = vigil_ui_format_time (vigil_chart_view_get_from (self->view));
  g_autofree char *to = vigil_ui_format_time (vigil_chart_view_get_to (self->view));
  /* Translators: the time range the charts show, "from – to". */
  g_autofree char *text = g_strdup_printf (_("%s – %s"), from, to);

  gtk_label_set_text (self->range_label, text);
  gtk_widget_set_visible (self->live_button, !vigil_chart_view_get_follow_live (self->view));
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  VigilHydraulicsPage *self = VIGIL_HYDRAULICS_PAGE (widget);
  VigilLiveCounters counters;
  guint64 serial;

  if (self->player == NULL)
    return G_SOURCE_CONTINUE;

  vigil_live_get_counters (vigil_player_get_live (self->player), &counters);
  if (counters.sensors != self->sensors)
    rebuild_charts (self, counters.sensors);

  /* The window moves the time axis with the replay each frame, shown or not. */
  serial = vigil_chart_view_get_serial (self->view);
  if (serial != self->view_serial)
    {
      self->view_serial = serial;
      update_toolbar (self);
    }

  return G_SOURCE_CONTINUE;
}

static void
on_zoom_in_clicked (VigilHydraulicsPage *self)
{
  gint64 from = vigil_chart_view_get_from (self->view);
  gint64 to = vigil_chart_view_get_to (self->view);

  vigil_chart_view_zoom (self->view, from + (to - from) / 2, 1 / ZOOM_FACTOR);
}

static void
on_zoom_out_clicked (VigilHydraulicsPage *self)
{
  gint64 from = vigil_chart_view_get_from (self->view);
  gint64 to = vigil_chart_view_get_to (self->view);

  vigil_chart_view_zoom (self->view, from + (to - from) / 2, ZOOM_FACTOR);
}

static void
vigil_hydraulics_page_map (GtkWidget *widget)
{
  VigilHydraulicsPage *self = VIGIL_HYDRAULICS_PAGE (widget);

  GTK_WIDGET_CLASS (vigil_hydraulics_page_parent_class)->map (widget);

  self->view_serial = G_MAXUINT64;
  self->tick_id = gtk_widget_add_tick_callback (widget, on_tick, NULL, NULL);
}

static void
vigil_hydraulics_page_unmap (GtkWidget *widget)
{
  VigilHydraulicsPage *self = VIGIL_HYDRAULICS_PAGE (widget);

  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (widget, self->tick_id);
  self->tick_id = 0;

  GTK_WIDGET_CLASS (vigil_hydraulics_page_parent_class)->unmap (widget);
}

static void
vigil_hydraulics_page_dispose (GObject *object)
{
  VigilHydraulicsPage *self = VIGIL_HYDRAULICS_PAGE (object);
  GtkWidget *child;

  g_clear_pointer (&self->charts, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), VIGIL_TYPE_HYDRAULICS_PAGE);
  /* The template's top box has no id, so dispose_template() leaves it to us. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->player);
  g_clear_object (&self->view);

  G_OBJECT_CLASS (vigil_hydraulics_page_parent_class)->dispose (object);
}

static void
vigil_hydraulics_page_class_init (VigilHydraulicsPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vigil_hydraulics_page_dispose;
  widget_class->map = vigil_hydraulics_page_map;
  widget_class->unmap = vigil_hydraulics_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vigilmonitor/Vigil/ui/"
                                               "vigil-hydraulics-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, VigilHydraulicsPage, range_label);
  gtk_widget_class_bind_template_child (widget_class, VigilHydraulicsPage, live_button);
  gtk_widget_class_bind_template_child (widget_class, VigilHydraulicsPage, charts_box);
  gtk_widget_class_bind_template_callback (widget_class, on_zoom_in_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_zoom_out_clicked);
}

static void
vigil_hydraulics_page_init (VigilHydraulicsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->view = vigil_chart_view_new ();
  self->charts = g_ptr_array_new ();
}

void
vigil_hydraulics_page_set_player (VigilHydraulicsPage *self,
                                  VigilPlayer         *player)
{
  g_return_if_fail (VIGIL_IS_HYDRAULICS_PAGE (self));

  g_set_object (&self->player, player);
  self->sensors = G_MAXUINT32;
}

VigilChartView *
vigil_hydraulics_page_get_view (VigilHydraulicsPage *self)
{
  g_return_val_if_fail (VIGIL_IS_HYDRAULICS_PAGE (self), NULL);

  return self->view;
}

void
vigil_hydraulics_page_get_visible_range (VigilHydraulicsPage *self,
                                         gint64              *from_us,
                                         gint64              *to_us)
{
  g_return_if_fail (VIGIL_IS_HYDRAULICS_PAGE (self));

  if (from_us != NULL)
    *from_us = vigil_chart_view_get_from (self->view);
  if (to_us != NULL)
    *to_us = vigil_chart_view_get_to (self->view);
}

void
vigil_hydraulics_page_go_live (VigilHydraulicsPage *self)
{
  g_return_if_fail (VIGIL_IS_HYDRAULICS_PAGE (self));

  vigil_chart_view_go_live (self->view);
}

GPtrArray *
vigil_hydraulics_page_get_charts (VigilHydraulicsPage *self)
{
  g_return_val_if_fail (VIGIL_IS_HYDRAULICS_PAGE (self), NULL);

  return self->charts;
}
