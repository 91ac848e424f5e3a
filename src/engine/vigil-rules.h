/* vigil-rules.h
 *
 * Alarm rules: conditions on window statistics per sensor or sensor family, on a component's
 * predicted condition, or on a camera's seconds of traffic, loaded from a JSON rules file or
 * built in. A VigilRuleSet is immutable once loaded and shared between threads by reference.
 *
 * A rule on cameras says `"camera": true` instead of sensors and applies to every camera (each
 * watches its own traffic, key VIGIL_KEY_CAMERA); its statistic is one of a closed second's:
 * density (%), speed (km/h), vehicles (mean in the mask per frame) or status (0 NORMAL,
 * 1 CROWDED, 2 JAMMED). Its delays count from the start of the first second that met the
 * condition, so "JAMMED for 2 minutes" is status >= 2 with on_delay 120.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "vigil-records.h"
#include "vigil-sensor.h"
#include "vigil-traffic.h"

G_BEGIN_DECLS

typedef enum
{
  VIGIL_STAT_COUNT,
  VIGIL_STAT_AVG,
  VIGIL_STAT_MIN,
  VIGIL_STAT_MAX,
  VIGIL_STAT_STDDEV,
  VIGIL_STAT_RANGE,
  /* Of a component's predicted condition (rules on a component only): */
  VIGIL_STAT_PROBABILITY,   /* the probability the model gives the rule's class */
  VIGIL_STAT_PREDICTED,     /* the class predicted, in the dataset's units (3, 20, 100 ...) */
  /* Of a camera's second of traffic (rules on cameras only): */
  VIGIL_STAT_DENSITY,       /* density, % of the road */
  VIGIL_STAT_SPEED,         /* mean speed, km/h (NAN, never matching, without calibration) */
  VIGIL_STAT_VEHICLES,      /* mean vehicles in the mask per frame */
  VIGIL_STAT_STATUS,        /* VigilTrafficStatus: 0 NORMAL, 1 CROWDED, 2 JAMMED */
} VigilStat;

typedef enum
{
  VIGIL_COMPARE_GT,   /* ">"  */
  VIGIL_COMPARE_GE,   /* ">=" */
  VIGIL_COMPARE_LT,   /* "<"  */
  VIGIL_COMPARE_LE,   /* "<=" */
} VigilCompare;

typedef struct
{
  const char    *name;             /* interned; e.g. "high_pressure" */
  VigilSeverity  severity;
  VigilStat      stat;
  VigilCompare   compare;
  double         threshold;        /* raise when stat <compare> threshold */
  double         clear_threshold;  /* clear when stat is back past this (hysteresis) */
  gint64         on_delay_us;      /* condition must hold this long before raising */
  gint64         off_delay_us;     /* clear condition must hold this long before clearing */
  guint32        sensors;          /* bit (1 << key) per key the rule applies to: sensors,
                                    * one component (VIGIL_KEY_COMPONENT + VigilTarget), or
                                    * VIGIL_KEY_CAMERA */
  int            klass;            /* VIGIL_STAT_PROBABILITY: the class; 0 otherwise */
  guint          line;             /* line in the rules file where the rule starts; 0 if built in */
} VigilRule;

typedef struct _VigilRuleSet VigilRuleSet;

/* The rules of the pipeline Vigil replaces, Vigil's rules on predictions and on cameras
 * (data/rules/default.json holds the same). */
VigilRuleSet    *vigil_rule_set_new_default   (void);
/* Refusals are VIGIL_ENGINE_ERROR_PARSE (not JSON, or not the shape of a rules file) or
 * _INVALID (a value out of place), worded "ORIGIN:LINE: rule “name”: reason". */
VigilRuleSet    *vigil_rule_set_new_from_file (const char    *path,
                                               GError       **error);
VigilRuleSet    *vigil_rule_set_new_from_data (const char    *data,
                                               gssize         length,
                                               const char    *origin,
                                               GError       **error);
VigilRuleSet    *vigil_rule_set_ref           (VigilRuleSet  *self);
void             vigil_rule_set_unref         (VigilRuleSet  *self);
guint            vigil_rule_set_get_n_rules   (VigilRuleSet  *self);
const VigilRule *vigil_rule_set_get_rule      (VigilRuleSet  *self,
                                               guint          index);
/* Canonical JSON of the rules (stable bytes for equal rule sets): stored with a session.
 * Every member written, sensors as a "sensors" array in VigilSensor order, numbers "%.17g". */
char            *vigil_rule_set_to_json       (VigilRuleSet  *self);

/* Whether @window meets the raise condition; @out_value gets the statistic. NAN never matches,
 * and neither does a window for a rule on a component. */
gboolean         vigil_rule_matches           (const VigilRule        *rule,
                                               const VigilWindowStats *window,
                                               double                 *out_value);

/* The same for a component's predicted condition: @classes (sorted) and @proba hold
 * @n_classes values, @predicted is the class predicted. A class the model does not have has
 * probability 0. */
gboolean         vigil_rule_matches_prediction (const VigilRule *rule,
                                                const int       *classes,
                                                const float     *proba,
                                                guint            n_classes,
                                                int              predicted,
                                                double          *out_value);
/* Whether @rule watches a component's predicted condition rather than sensors. */
gboolean         vigil_rule_is_on_component   (const VigilRule        *rule);
/* Whether @rule watches cameras' traffic. */
gboolean         vigil_rule_is_on_camera      (const VigilRule        *rule);
/* The same for a camera's closed second (or minute) of traffic; a rule on anything else never
 * matches it. */
gboolean         vigil_rule_matches_traffic   (const VigilRule         *rule,
                                               const VigilTrafficStats *stats,
                                               double                  *out_value);

const char      *vigil_stat_to_string         (VigilStat      stat);
const char      *vigil_compare_to_string      (VigilCompare   compare);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilRuleSet, vigil_rule_set_unref)

G_END_DECLS
