/* vigil-chart-view.c
 *
 * The range is kept as its two edges; following live, the page moves it every frame through
 * the position, so setters compare before they notify and the serial lets charts poll for a
 * change on their frame clock instead of connecting to every notification.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-chart-view"

#include "config.h"

#include <math.h>

#include "vigil-chart-view.h"

struct _VigilChartView
{
  GObject  parent_instance;

  gint64   from_us;
  gint64   to_us;
  gint64   position_us;
  gint64   hover_us;
  gint64   start_us;        /* limits; meaningful when has_limits */
  gint64   end_us;
  guint64  serial;
  guint    follow_live : 1;
  guint    has_position : 1;
  guint    has_limits : 1;
};

G_DEFINE_FINAL_TYPE (VigilChartView, vigil_chart_view, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_FROM_US,
  PROP_TO_US,
  PROP_SPAN_US,
  PROP_POSITION_US,
  PROP_FOLLOW_LIVE,
  PROP_HOVER_US,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Moves the edges, notifying what changed. */
static void
set_range (VigilChartView *self,
           gint64          from_us,
           gint64          to_us)
{
  gboolean span_changed = to_us - from_us != self->to_us - self->from_us;

  if (from_us == self->from_us && to_us == self->to_us)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  if (from_us != self->from_us)
    {
      self->from_us = from_us;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FROM_US]);
    }
  if (to_us != self->to_us)
    {
      self->to_us = to_us;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TO_US]);
    }
  if (span_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPAN_US]);
  self->serial++;
  g_object_thaw_notify (G_OBJECT (self));
}

static void
set_follow_live (VigilChartView *self,
                 gboolean        follow_live)
{
  if (self->follow_live == !!follow_live)
    return;

  self->follow_live = !!follow_live;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOW_LIVE]);
}

/* The latest time the range may reach: the source's end, and no later than the live position
 * (nothing is there yet). G_MAXINT64 when nothing bounds it. */
static gint64
right_limit (VigilChartView *self)
{
  gint64 hi = self->has_limits ? self->end_us : G_MAXINT64;

  if (self->has_position)
    hi = MIN (hi, self->position_us);
  if (self->has_limits)
    hi = MAX (hi, self->start_us);
  return hi;
}

static gint64
max_span (VigilChartView *self)
{
  gint64 hi = right_limit (self);

  if (!self->has_limits || hi == G_MAXINT64)
    return VIGIL_CHART_VIEW_MAX_SPAN_US;
  return CLAMP (hi - self->start_us, VIGIL_CHART_VIEW_DEFAULT_SPAN_US,
                VIGIL_CHART_VIEW_MAX_SPAN_US);
}

/* Places a range of @span_us starting near @from_us inside the limits. A range wider than
 * what the limits hold is aligned on the right, as following live would show it. */
static void
place (VigilChartView *self,
       gint64          from_us,
       gint64          span_us)
{
  gint64 hi = right_limit (self);

  span_us = CLAMP (span_us, VIGIL_CHART_VIEW_MIN_SPAN_US, max_span (self));

  if (hi != G_MAXINT64 && self->has_limits && span_us >= hi - self->start_us)
    from_us = hi - span_us;
  else
    {
      if (hi != G_MAXINT64)
        from_us = MIN (from_us, hi - span_us);
      if (self->has_limits)
        from_us = MAX (from_us, self->start_us);
    }

  set_range (self, from_us, from_us + span_us);
}

static void
follow (VigilChartView *self)
{
  gint64 span_us = self->to_us - self->from_us;

  set_range (self, self->position_us - span_us, self->position_us);
}

static void
vigil_chart_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  VigilChartView *self = VIGIL_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_FROM_US:
      g_value_set_int64 (value, self->from_us);
      break;
    case PROP_TO_US:
      g_value_set_int64 (value, self->to_us);
      break;
    case PROP_SPAN_US:
      g_value_set_int64 (value, vigil_chart_view_get_span (self));
      break;
    case PROP_POSITION_US:
      g_value_set_int64 (value, self->position_us);
      break;
    case PROP_FOLLOW_LIVE:
      g_value_set_boolean (value, self->follow_live);
      break;
    case PROP_HOVER_US:
      g_value_set_int64 (value, self->hover_us);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vigil_chart_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  VigilChartView *self = VIGIL_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_SPAN_US:
      vigil_chart_view_set_span (self, g_value_get_int64 (value));
      break;
    case PROP_POSITION_US:
      vigil_chart_view_set_position (self, g_value_get_int64 (value));
      break;
    case PROP_FOLLOW_LIVE:
      if (g_value_get_boolean (value))
        vigil_chart_view_go_live (self);
      else
        set_follow_live (self, FALSE);
      break;
    case PROP_HOVER_US:
      vigil_chart_view_set_hover (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vigil_chart_view_class_init (VigilChartViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = vigil_chart_view_get_property;
  object_class->set_property = vigil_chart_view_set_property;

  properties[PROP_FROM_US] =
    g_param_spec_int64 ("from-us", NULL, NULL, G_MININT64, G_MAXINT64, 0, ro);
  properties[PROP_TO_US] =
    g_param_spec_int64 ("to-us", NULL, NULL, G_MININT64, G_MAXINT64, 0, ro);
  properties[PROP_SPAN_US] =
    g_param_spec_int64 ("span-us", NULL, NULL,
                        VIGIL_CHART_VIEW_MIN_SPAN_US, VIGIL_CHART_VIEW_MAX_SPAN_US,
                        VIGIL_CHART_VIEW_DEFAULT_SPAN_US, rw);
  properties[PROP_POSITION_US] =
    g_param_spec_int64 ("position-us", NULL, NULL, G_MININT64, G_MAXINT64, 0, rw);
  properties[PROP_FOLLOW_LIVE] =
    g_param_spec_boolean ("follow-live", NULL, NULL, TRUE, rw);
  properties[PROP_HOVER_US] =
    g_param_spec_int64 ("hover-us", NULL, NULL, G_MININT64, G_MAXINT64, G_MININT64, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vigil_chart_view_init (VigilChartView *self)
{
  self->from_us = -VIGIL_CHART_VIEW_DEFAULT_SPAN_US;
  self->to_us = 0;
  self->hover_us = G_MININT64;
  self->follow_live = TRUE;
}

VigilChartView *
vigil_chart_view_new (void)
{
  return g_object_new (VIGIL_TYPE_CHART_VIEW, NULL);
}

void
vigil_chart_view_set_position (VigilChartView *self,
                               gint64          position_us)
{
  g_return_if_fail (VIGIL_IS_CHART_VIEW (self));

  if (self->has_position && position_us == self->position_us)
    return;

  self->position_us = position_us;
  self->has_position = TRUE;
  if (self->follow_live)
    follow (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION_US]);
}

gint64
vigil_chart_view_get_position (VigilChartView *self)
{
  g_return_val_if_fail (VIGIL_IS_CHART_VIEW (self), 0);

  return self->position_us;
}

void
vigil_chart_view_set_limits (VigilChartView *self,
                             gint64          start_us,
                             gint64          end_us)
{
  g_return_if_fail (VIGIL_IS_CHART_VIEW (self));
  g_return_if_fail (start_us <= end_us);

  self->start_us = start_us;
  self->end_us = end_us;
  self->has_limits = TRUE;
  if (!self->follow_live)
    place (self, self->from_us, self->to_us - self->from_us);
}

gint64
vigil_chart_view_get_from (VigilChartView *self)
{
  g_return_val_if_fail (VIGIL_IS_CHART_VIEW (self), 0);

  return self->from_us;
}

gint64
vigil_chart_view_get_to (VigilChartView *self)
{
  g_return_val_if_fail (VIGIL_IS_CHART_VIEW (self), 0);

  return self->to_us;
}

gint64
vigil_chart_view_get_span (VigilChartView *self)
{
  g_return_val_if_fail (VIGIL_IS_CHART_VIEW (self), 0);

  return self->to_us - self->from_us;
}

void
vigil_chart_view_set_span (VigilChartView *self,
                           gint64          span_us)
{
  g_return_if_fail (VIGIL_IS_CHART_VIEW (self));

  span_us = CLAMP (span_us, VIGIL_CHART_VIEW_MIN_SPAN_US, VIGIL_CHART_VIEW_MAX_SPAN_US);
  if (self->follow_live)
    set_range (self, self->to_us - span_us, self->to_us);
  else
    place (self, self->to_us - span_us, span_us);
}

gboolean
vigil_chart_view_get_follow_live (VigilChartView *self)
{
  g_return_val_if_fail (VIGIL_IS_CHART_VIEW (self), FALSE);

  return self->follow_live;
}

void
vigil_chart_view_go_live (VigilChartView *self)
{
  g_return_if_fail (VIGIL_IS_CHART_VIEW (self));

  set_follow_live (self, TRUE);
  if (self->has_position)
    follow (self);
}

void
vigil_chart_view_zoom (VigilChartView *self,
                       gint64          anchor_us,
                       double          factor)
{
  double span, new_span, left;

  g_return_if_fail (VIGIL_IS_CHART_VIEW (self));
  g_return_if_fail (factor > 0 && isfinite (factor));

  span = (double) (self->to_us - self->from_us);
  new_span = CLAMP (span * factor, (double) VIGIL_CHART_VIEW_MIN_SPAN_US,
                    (double) max_span (self));
  /* The anchor keeps its fraction of the width. */
  left = (double) (anchor_us - self->from_us) / span * new_span;

  set_follow_live (self, FALSE);
  place (self, anchor_us - (gint64) left, (gint64) new_span);
}

void
vigil_chart_view_pan (VigilChartView *self,
                      gint64          delta_us)
{
  g_return_if_fail (VIGIL_IS_CHART_VIEW (self));

  set_follow_live (self, FALSE);
  place (self, self->from_us + delta_us, self->to_us - self->from_us);
}

gint64
vigil_chart_view_get_hover (VigilChartView *self)
{
  g_return_val_if_fail (VIGIL_IS_CHART_VIEW (self), G_MININT64);

  return self->hover_us;
}

void
vigil_chart_view_set_hover (VigilChartView *self,
                            gint64          hover_us)
{
  g_return_if_fail (VIGIL_IS_CHART_VIEW (self));

  if (hover_us == self->hover_us)
    return;

  self->hover_us = hover_us;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOVER_US]);
}

guint64
vigil_chart_view_get_serial (VigilChartView *self)
{
  g_return_val_if_fail (VIGIL_IS_CHART_VIEW (self), 0);

  return self->serial;
}
