/* vigil-rules.c
 *
 * Alarm rules: the built-in set, matching a window, and the canonical JSON a session stores.
 * Reading rules files is in vigil-rules-reader.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-rules"

#include "config.h"

#include <math.h>
#include <string.h>

#include "vigil-error.h"
#include "vigil-rules-private.h"
#include "vigil-time.h"

const char * const _vigil_stat_names[_VIGIL_N_STATS] = {
  "count", "avg", "min", "max", "stddev", "range", "probability", "predicted",
  "density", "speed", "vehicles", "status",
};

const char * const _vigil_compare_names[_VIGIL_N_COMPARES] = { ">", ">=", "<", "<=" };

const char *
vigil_stat_to_string (VigilStat stat)
{
  g_return_val_if_fail ((guint) stat < G_N_ELEMENTS (_vigil_stat_names), NULL);

  return _vigil_stat_names[stat];
}

const char *
vigil_compare_to_string (VigilCompare compare)
{
  g_return_val_if_fail ((guint) compare < G_N_ELEMENTS (_vigil_compare_names), NULL);

  return _vigil_compare_names[compare];
}

VigilRuleSet *
_vigil_rule_set_alloc (guint n_rules)
{
  VigilRuleSet *self = g_malloc0 (sizeof (VigilRuleSet) + n_rules * sizeof (VigilRule));

  g_atomic_ref_count_init (&self->ref_count);
  self->n_rules = n_rules;

  return self;
}

VigilRuleSet *
vigil_rule_set_ref (VigilRuleSet *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
vigil_rule_set_unref (VigilRuleSet *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    g_free (self);
}

guint
vigil_rule_set_get_n_rules (VigilRuleSet *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_rules;
}

const VigilRule *
vigil_rule_set_get_rule (VigilRuleSet *self,
                         guint         index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_rules, NULL);

  return &self->rules[index];
}

static void
init_rule (VigilRule     *rule,
           const char    *name,
           guint32        sensors,
           VigilStat      stat,
           double         threshold,
           VigilSeverity  severity)
{
  rule->name = g_intern_static_string (name);
  rule->severity = severity;
  rule->stat = stat;
  rule->compare = VIGIL_COMPARE_GT;
  rule->threshold = threshold;
  rule->clear_threshold = threshold;
  rule->on_delay_us = 0;
  rule->off_delay_us = 0;
  rule->sensors = sensors;
  rule->line = 0;
}

/* A rule on a component's predicted condition: raised at @threshold or more, cleared below
 * @clear. */
static void
init_prediction_rule (VigilRule     *rule,
                      const char    *name,
                      guint          key,
                      VigilStat      stat,
                      int            klass,
                      double         threshold,
                      double         clear,
                      VigilSeverity  severity)
{
  init_rule (rule, name, 1u << key, stat, threshold, severity);
  rule->compare = VIGIL_COMPARE_GE;
  rule->clear_threshold = clear;
  rule->klass = klass;
}

/* Status JAMMED held for @on_delay_s. */
static void
init_traffic_rule (VigilRule     *rule,
                   const char    *name,
                   double         on_delay_s,
                   VigilSeverity  severity)
{
  init_rule (rule, name, 1u << VIGIL_KEY_CAMERA, VIGIL_STAT_STATUS, VIGIL_TRAFFIC_JAMMED,
             severity);
  rule->compare = VIGIL_COMPARE_GE;
  rule->on_delay_us = (gint64) (on_delay_s * VIGIL_USEC_PER_SEC);
  rule->off_delay_us = 30 * VIGIL_USEC_PER_SEC;
}

/* The rules of the Spark pipeline Vigil replaces, and Vigil's rules on predictions and cameras;
 * data/rules/default.json spells out the same. */
VigilRuleSet *
vigil_rule_set_new_default (void)
{
  VigilRuleSet *self = _vigil_rule_set_alloc (9);
  guint32 pressure = 0;

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    if (vigil_sensor_get_info ((VigilSensor) s)->family == VIGIL_FAMILY_PRESSURE)
      pressure |= 1u << s;

  init_rule (&self->rules[0], "high_pressure", 1u << VIGIL_SENSOR_PS1, VIGIL_STAT_MAX, 180,
             VIGIL_SEVERITY_CRITICAL);
  init_rule (&self->rules[1], "high_temperature", 1u << VIGIL_SENSOR_TS1, VIGIL_STAT_MAX, 45,
             VIGIL_SEVERITY_CRITICAL);
  init_rule (&self->rules[2], "pressure_spike", pressure, VIGIL_STAT_RANGE, 50,
             VIGIL_SEVERITY_WARNING);

  /* Vigil's own: the champion models' predictions of a component close to failure. */
  init_prediction_rule (&self->rules[3], "cooler_failure_predicted", VIGIL_N_SENSORS + 0,
                        VIGIL_STAT_PROBABILITY, 3, 0.8, 0.5, VIGIL_SEVERITY_CRITICAL);
  init_prediction_rule (&self->rules[4], "valve_failure_predicted", VIGIL_N_SENSORS + 1,
                        VIGIL_STAT_PROBABILITY, 73, 0.8, 0.5, VIGIL_SEVERITY_CRITICAL);
  init_prediction_rule (&self->rules[5], "pump_leakage_predicted", VIGIL_N_SENSORS + 2,
                        VIGIL_STAT_PREDICTED, 0, 2, 1, VIGIL_SEVERITY_WARNING);
  init_prediction_rule (&self->rules[6], "accumulator_failure_predicted", VIGIL_N_SENSORS + 3,
                        VIGIL_STAT_PROBABILITY, 90, 0.8, 0.5, VIGIL_SEVERITY_CRITICAL);

  /* Cameras: a jam that lasts is what operators most need to see; one that goes on for ten
   * minutes needs someone to act. Both end after half a minute of moving traffic, so that a
   * queue creeping forward does not clear and raise them again. */
  init_traffic_rule (&self->rules[7], "traffic_jammed", 120, VIGIL_SEVERITY_WARNING);
  init_traffic_rule (&self->rules[8], "traffic_standstill", 600, VIGIL_SEVERITY_CRITICAL);

  return self;
}

static double
window_stat (const VigilWindowStats *window,
             VigilStat               stat)
{
  switch (stat)
    {
    case VIGIL_STAT_COUNT:
      return (double) window->count;
    case VIGIL_STAT_AVG:
      return window->avg;
    case VIGIL_STAT_MIN:
      return window->min;
    case VIGIL_STAT_MAX:
      return window->max;
    case VIGIL_STAT_STDDEV:
      return window->stddev;
    case VIGIL_STAT_RANGE:
      return window->range;
    case VIGIL_STAT_PROBABILITY:
    case VIGIL_STAT_PREDICTED:
    case VIGIL_STAT_DENSITY:
    case VIGIL_STAT_SPEED:
    case VIGIL_STAT_VEHICLES:
    case VIGIL_STAT_STATUS:
      return NAN;
    default:
      g_assert_not_reached ();
    }
}

gboolean
vigil_rule_is_on_camera (const VigilRule *rule)
{
  g_return_val_if_fail (rule != NULL, FALSE);

  return (rule->sensors & (1u << VIGIL_KEY_CAMERA)) != 0;
}

gboolean
vigil_rule_is_on_component (const VigilRule *rule)
{
  g_return_val_if_fail (rule != NULL, FALSE);

  return (rule->sensors & VIGIL_COMPONENT_KEYS) != 0;
}

static gboolean
compare (const VigilRule *rule,
         double           v)
{
  /* Every comparison with NAN is false, so a NAN statistic never matches. */
  switch (rule->compare)
    {
    case VIGIL_COMPARE_GT:
      return v > rule->threshold;
    case VIGIL_COMPARE_GE:
      return v >= rule->threshold;
    case VIGIL_COMPARE_LT:
      return v < rule->threshold;
    case VIGIL_COMPARE_LE:
      return v <= rule->threshold;
    default:
      g_assert_not_reached ();
    }
}

gboolean
vigil_rule_matches (const VigilRule        *rule,
                    const VigilWindowStats *window,
                    double                 *out_value)
{
  double v;

  g_return_val_if_fail (rule != NULL, FALSE);
  g_return_val_if_fail (window != NULL, FALSE);

  v = vigil_rule_is_on_component (rule) || vigil_rule_is_on_camera (rule)
      ? NAN : window_stat (window, rule->stat);
  if (out_value != NULL)
    *out_value = v;

  return compare (rule, v);
}

gboolean
vigil_rule_matches_prediction (const VigilRule *rule,
                               const int       *classes,
                               const float     *proba,
                               guint            n_classes,
                               int              predicted,
                               double          *out_value)
{
  double v = NAN;

  g_return_val_if_fail (rule != NULL, FALSE);
  g_return_val_if_fail (n_classes == 0 || (classes != NULL && proba != NULL), FALSE);

  if (rule->stat == VIGIL_STAT_PREDICTED)
    {
      v = predicted;
    }
  else if (rule->stat == VIGIL_STAT_PROBABILITY)
    {
      v = 0;
      for (guint i = 0; i < n_classes; i++)
        if (classes[i] == rule->klass)
          v = proba[i];
    }
  if (out_value != NULL)
    *out_value = v;

  return compare (rule, v);
}

gboolean
vigil_rule_matches_traffic (const VigilRule         *rule,
                            const VigilTrafficStats *stats,
                            double                  *out_value)
{
  double v = NAN;

  g_return_val_if_fail (rule != NULL, FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);

  if (vigil_rule_is_on_camera (rule))
    {
      switch (rule->stat)
        {
        case VIGIL_STAT_DENSITY:
          v = stats->density_pct;
          break;
        case VIGIL_STAT_SPEED:
          v = stats->speed_kmh;
          break;
        case VIGIL_STAT_VEHICLES:
          v = stats->vehicles;
          break;
        case VIGIL_STAT_STATUS:
          v = (double) stats->status;
          break;
        case VIGIL_STAT_COUNT:
        case VIGIL_STAT_AVG:
        case VIGIL_STAT_MIN:
        case VIGIL_STAT_MAX:
        case VIGIL_STAT_STDDEV:
        case VIGIL_STAT_RANGE:
        case VIGIL_STAT_PROBABILITY:
        case VIGIL_STAT_PREDICTED:
        default:
          break;
        }
    }
  if (out_value != NULL)
    *out_value = v;

  return compare (rule, v);
}

static void
append_number (GString *out,
               double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.17g", value));
}

static void
append_rule (GString         *out,
             const VigilRule *rule)
{
  gboolean first = TRUE;

  /* Names are restricted to [A-Za-z0-9_-], sensor names are ours: nothing needs escaping. */
  g_string_append_printf (out, "    {\n      \"name\": \"%s\",\n", rule->name);
  if (vigil_rule_is_on_component (rule))
    {
      g_string_append_printf (out, "      \"component\": \"%s\",\n",
                              vigil_key_get_name (g_bit_nth_lsf (rule->sensors, -1)));
    }
  else if (vigil_rule_is_on_camera (rule))
    {
      g_string_append (out, "      \"camera\": true,\n");
    }
  else
    {
      g_string_append (out, "      \"sensors\": [");
      for (guint s = 0; s < VIGIL_N_SENSORS; s++)
        {
          if ((rule->sensors & (1u << s)) == 0)
            continue;
          g_string_append_printf (out, "%s\"%s\"", first ? "" : ", ",
                                  vigil_sensor_get_info ((VigilSensor) s)->name);
          first = FALSE;
        }
      g_string_append (out, "],\n");
    }
  g_string_append_printf (out, "      \"statistic\": \"%s\",\n", _vigil_stat_names[rule->stat]);
  if (rule->stat == VIGIL_STAT_PROBABILITY)
    g_string_append_printf (out, "      \"class\": %d,\n", rule->klass);
  g_string_append_printf (out, "      \"operator\": \"%s\",\n", _vigil_compare_names[rule->compare]);
  g_string_append (out, "      \"threshold\": ");
  append_number (out, rule->threshold);
  g_string_append (out, ",\n      \"clear\": ");
  append_number (out, rule->clear_threshold);
  g_string_append_printf (out, ",\n      \"severity\": \"%s\",\n      \"on_delay\": ",
                          vigil_severity_to_string (rule->severity));
  append_number (out, (double) rule->on_delay_us / VIGIL_USEC_PER_SEC);
  g_string_append (out, ",\n      \"off_delay\": ");
  append_number (out, (double) rule->off_delay_us / VIGIL_USEC_PER_SEC);
  g_string_append (out, "\n    }");
}

char *
vigil_rule_set_to_json (VigilRuleSet *self)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new ("{\n  \"rules\": [");
  for (guint i = 0; i < self->n_rules; i++)
    {
      g_string_append (out, i == 0 ? "\n" : ",\n");
      append_rule (out, &self->rules[i]);
    }
  g_string_append (out, self->n_rules > 0 ? "\n  ]\n}\n" : "]\n}\n");

  return g_string_free (out, FALSE);
}
