/* test-rules.c
 *
 * Alarm rules: the built-in set, default.json, the canonical JSON, matching, and every kind of
 * bad rules file refused with the right line and reason.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "vigil-error.h"
#include "vigil-rules.h"

#define PRESSURE_SENSORS 0x3fu   /* PS1-PS6 are the first six sensors */

static const char default_json[] =
  "{\n"
  "  \"rules\": [\n"
  "    {\n"
  "      \"name\": \"high_pressure\",\n"
  "      \"sensors\": [\"PS1\"],\n"
  "      \"statistic\": \"max\",\n"
  "      \"operator\": \">\",\n"
  "      \"threshold\": 180,\n"
  "      \"clear\": 180,\n"
  "      \"severity\": \"critical\",\n"
  "      \"on_delay\": 0,\n"
  "      \"off_delay\": 0\n"
  "    },\n"
  "    {\n"
  "      \"name\": \"high_temperature\",\n"
  "      \"sensors\": [\"TS1\"],\n"
  "      \"statistic\": \"max\",\n"
  "      \"operator\": \">\",\n"
  "      \"threshold\": 45,\n"
  "      \"clear\": 45,\n"
  "      \"severity\": \"critical\",\n"
  "      \"on_delay\": 0,\n"
  "      \"off_delay\": 0\n"
  "    },\n"
  "    {\n"
  "      \"name\": \"pressure_spike\",\n"
  "      \"sensors\": [\"PS1\", \"PS2\", \"PS3\", \"PS4\", \"PS5\", \"PS6\"],\n"
  "      \"statistic\": \"range\",\n"
  "      \"operator\": \">\",\n"
  "      \"threshold\": 50,\n"
  "      \"clear\": 50,\n"
  "      \"severity\": \"warning\",\n"
  "      \"on_delay\": 0,\n"
  "      \"off_delay\": 0\n"
  "    },\n"
  "    {\n"
  "      \"name\": \"cooler_failure_predicted\",\n"
  "      \"component\": \"cooler\",\n"
  "      \"statistic\": \"probability\",\n"
  "      \"class\": 3,\n"
  "      \"operator\": \">=\",\n"
  "      \"threshold\": 0.80000000000000004,\n"
  "      \"clear\": 0.5,\n"
  "      \"severity\": \"critical\",\n"
  "      \"on_delay\": 0,\n"
  "      \"off_delay\": 0\n"
  "    },\n"
  "    {\n"
  "      \"name\": \"valve_failure_predicted\",\n"
  "      \"component\": \"valve\",\n"
  "      \"statistic\": \"probability\",\n"
  "      \"class\": 73,\n"
  "      \"operator\": \">=\",\n"
  "      \"threshold\": 0.80000000000000004,\n"
  "      \"clear\": 0.5,\n"
  "      \"severity\": \"critical\",\n"
  "      \"on_delay\": 0,\n"
  "      \"off_delay\": 0\n"
  "    },\n"
  "    {\n"
  "      \"name\": \"pump_leakage_predicted\",\n"
  "      \"component\": \"pump\",\n"
  "      \"statistic\": \"predicted\",\n"
  "      \"operator\": \">=\",\n"
  "      \"threshold\": 2,\n"
  "      \"clear\": 1,\n"
  "      \"severity\": \"warning\",\n"
  "      \"on_delay\": 0,\n"
  "      \"off_delay\": 0\n"
  "    },\n"
  "    {\n"
  "      \"name\": \"accumulator_failure_predicted\",\n"
  "      \"component\": \"accumulator\",\n"
  "      \"statistic\": \"probability\",\n"
  "      \"class\": 90,\n"
  "      \"operator\": \">=\",\n"
  "      \"threshold\": 0.80000000000000004,\n"
  "      \"clear\": 0.5,\n"
  "      \"severity\": \"critical\",\n"
  "      \"on_delay\": 0,\n"
  "      \"off_delay\": 0\n"
  "    },\n"
  "    {\n"
  "      \"name\": \"traffic_jammed\",\n"
  "      \"camera\": true,\n"
  "      \"statistic\": \"status\",\n"
  "      \"operator\": \">=\",\n"
  "      \"threshold\": 2,\n"
  "      \"clear\": 2,\n"
  "      \"severity\": \"warning\",\n"
  "      \"on_delay\": 120,\n"
  "      \"off_delay\": 30\n"
  "    },\n"
  "    {\n"
  "      \"name\": \"traffic_standstill\",\n"
  "      \"camera\": true,\n"
  "      \"statistic\": \"status\",\n"
  "      \"operator\": \">=\",\n"
  "      \"threshold\": 2,\n"
  "      \"clear\": 2,\n"
  "      \"severity\": \"critical\",\n"
  "      \"on_delay\": 600,\n"
  "      \"off_delay\": 30\n"
  "    }\n"
  "  ]\n"
  "}\n";

static void
assert_rule (const VigilRule *rule,
             const char      *name,
             guint32          sensors,
             VigilStat        stat,
             VigilCompare     compare,
             double           threshold,
             double           clear,
             VigilSeverity    severity,
             gint64           on_delay_us,
             gint64           off_delay_us)
{
  g_assert_nonnull (rule);
  g_assert_cmpstr (rule->name, ==, name);
  /* Interned: the alarm journal compares names by pointer. */
  g_assert_true (rule->name == g_intern_string (name));
  g_assert_cmphex (rule->sensors, ==, sensors);
  g_assert_cmpint (rule->stat, ==, stat);
  g_assert_cmpint (rule->compare, ==, compare);
  g_assert_cmpfloat (rule->threshold, ==, threshold);
  g_assert_cmpfloat (rule->clear_threshold, ==, clear);
  g_assert_cmpint (rule->severity, ==, severity);
  g_assert_cmpint (rule->on_delay_us, ==, on_delay_us);
  g_assert_cmpint (rule->off_delay_us, ==, off_delay_us);
}

/* Equal rule sets: every field but the line the rule came from. */
static void
assert_sets_equal (VigilRuleSet *a,
                   VigilRuleSet *b)
{
  g_assert_cmpuint (vigil_rule_set_get_n_rules (a), ==, vigil_rule_set_get_n_rules (b));

  for (guint i = 0; i < vigil_rule_set_get_n_rules (a); i++)
    {
      const VigilRule *r = vigil_rule_set_get_rule (b, i);

      assert_rule (vigil_rule_set_get_rule (a, i), r->name, r->sensors, r->stat, r->compare,
                   r->threshold, r->clear_threshold, r->severity, r->on_delay_us,
                   r->off_delay_us);
      g_assert_cmpint (vigil_rule_set_get_rule (a, i)->klass, ==, r->klass);
    }
}

static VigilRuleSet *
load (const char *json)
{
  g_autoptr(GError) error = NULL;
  VigilRuleSet *set = vigil_rule_set_new_from_data (json, -1, "rules.json", &error);

  g_assert_no_error (error);
  g_assert_nonnull (set);

  return set;
}

static void
test_default_set (void)
{
  g_autoptr(VigilRuleSet) set = vigil_rule_set_new_default ();

  g_assert_cmpuint (vigil_rule_set_get_n_rules (set), ==, 9);
  assert_rule (vigil_rule_set_get_rule (set, 0), "high_pressure", 1u << VIGIL_SENSOR_PS1,
               VIGIL_STAT_MAX, VIGIL_COMPARE_GT, 180, 180, VIGIL_SEVERITY_CRITICAL, 0, 0);
  assert_rule (vigil_rule_set_get_rule (set, 1), "high_temperature", 1u << VIGIL_SENSOR_TS1,
               VIGIL_STAT_MAX, VIGIL_COMPARE_GT, 45, 45, VIGIL_SEVERITY_CRITICAL, 0, 0);
  assert_rule (vigil_rule_set_get_rule (set, 2), "pressure_spike", PRESSURE_SENSORS,
               VIGIL_STAT_RANGE, VIGIL_COMPARE_GT, 50, 50, VIGIL_SEVERITY_WARNING, 0, 0);
  assert_rule (vigil_rule_set_get_rule (set, 3), "cooler_failure_predicted",
               1u << (VIGIL_KEY_COMPONENT + 0), VIGIL_STAT_PROBABILITY, VIGIL_COMPARE_GE, 0.8,
               0.5, VIGIL_SEVERITY_CRITICAL, 0, 0);
  g_assert_cmpint (vigil_rule_set_get_rule (set, 3)->klass, ==, 3);
  assert_rule (vigil_rule_set_get_rule (set, 4), "valve_failure_predicted",
               1u << (VIGIL_KEY_COMPONENT + 1), VIGIL_STAT_PROBABILITY, VIGIL_COMPARE_GE, 0.8,
               0.5, VIGIL_SEVERITY_CRITICAL, 0, 0);
  g_assert_cmpint (vigil_rule_set_get_rule (set, 4)->klass, ==, 73);
  assert_rule (vigil_rule_set_get_rule (set, 5), "pump_leakage_predicted",
               1u << (VIGIL_KEY_COMPONENT + 2), VIGIL_STAT_PREDICTED, VIGIL_COMPARE_GE, 2, 1,
               VIGIL_SEVERITY_WARNING, 0, 0);
  assert_rule (vigil_rule_set_get_rule (set, 6), "accumulator_failure_predicted",
               1u << (VIGIL_KEY_COMPONENT + 3), VIGIL_STAT_PROBABILITY, VIGIL_COMPARE_GE, 0.8,
               0.5, VIGIL_SEVERITY_CRITICAL, 0, 0);
  g_assert_cmpint (vigil_rule_set_get_rule (set, 6)->klass, ==, 90);
  assert_rule (vigil_rule_set_get_rule (set, 7), "traffic_jammed", 1u << VIGIL_KEY_CAMERA,
               VIGIL_STAT_STATUS, VIGIL_COMPARE_GE, 2, 2, VIGIL_SEVERITY_WARNING,
               120 * G_USEC_PER_SEC, 30 * G_USEC_PER_SEC);
  assert_rule (vigil_rule_set_get_rule (set, 8), "traffic_standstill", 1u << VIGIL_KEY_CAMERA,
               VIGIL_STAT_STATUS, VIGIL_COMPARE_GE, 2, 2, VIGIL_SEVERITY_CRITICAL,
               600 * G_USEC_PER_SEC, 30 * G_USEC_PER_SEC);
  g_assert_true (vigil_rule_is_on_camera (vigil_rule_set_get_rule (set, 7)));
  g_assert_false (vigil_rule_is_on_component (vigil_rule_set_get_rule (set, 7)));
  for (guint i = 0; i < 9; i++)
    g_assert_cmpuint (vigil_rule_set_get_rule (set, i)->line, ==, 0);

  /* Shared by reference between threads. */
  g_assert_true (vigil_rule_set_ref (set) == set);
  vigil_rule_set_unref (set);
  g_assert_cmpuint (vigil_rule_set_get_n_rules (set), ==, 9);
}

static void
test_default_file (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "rules",
                                                 "default.json", NULL);
  g_autoptr(VigilRuleSet) builtin = vigil_rule_set_new_default ();
  g_autoptr(VigilRuleSet) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json_builtin = NULL;
  g_autofree char *json_file = NULL;

  file = vigil_rule_set_new_from_file (path, &error);
  g_assert_no_error (error);

  assert_sets_equal (file, builtin);
  g_assert_cmpuint (vigil_rule_set_get_rule (file, 0)->line, ==, 3);
  g_assert_cmpuint (vigil_rule_set_get_rule (file, 1)->line, ==, 14);
  g_assert_cmpuint (vigil_rule_set_get_rule (file, 2)->line, ==, 25);

  json_builtin = vigil_rule_set_to_json (builtin);
  json_file = vigil_rule_set_to_json (file);
  g_assert_cmpstr (json_file, ==, json_builtin);
}

static void
test_to_json_default (void)
{
  g_autoptr(VigilRuleSet) set = vigil_rule_set_new_default ();
  g_autoptr(VigilRuleSet) again = NULL;
  g_autofree char *json = vigil_rule_set_to_json (set);
  g_autofree char *json_again = NULL;

  g_assert_cmpstr (json, ==, default_json);

  again = load (json);
  assert_sets_equal (again, set);
  json_again = vigil_rule_set_to_json (again);
  g_assert_cmpstr (json_again, ==, json);
}

static void
test_to_json_round_trip (void)
{
  static const char source[] =
    "{ \"rules\": [\n"
    "  { \"name\": \"cold-oil\", \"sensors\": [\"ts4\", \"Ts2\"], \"statistic\": \"avg\",\n"
    "    \"operator\": \"<=\", \"threshold\": 0.1, \"clear\": 2.5e1, \"severity\": \"warning\",\n"
    "    \"on_delay\": 1.5, \"off_delay\": 0.000001 },\n"
    "  { \"name\": \"few_samples\", \"family\": \"cooling\", \"statistic\": \"count\",\n"
    "    \"operator\": \"<\", \"threshold\": -0, \"severity\": \"critical\", \"off_delay\": 60 },\n"
    "  { \"name\": \"shaky\", \"sensor\": \"VS1\", \"statistic\": \"stddev\",\n"
    "    \"operator\": \">=\", \"threshold\": 1e20, \"clear\": -3, \"severity\": \"warning\" }\n"
    "] }\n";
  static const char expected[] =
    "{\n"
    "  \"rules\": [\n"
    "    {\n"
    "      \"name\": \"cold-oil\",\n"
    "      \"sensors\": [\"TS2\", \"TS4\"],\n"
    "      \"statistic\": \"avg\",\n"
    "      \"operator\": \"<=\",\n"
    "      \"threshold\": 0.10000000000000001,\n"
    "      \"clear\": 25,\n"
    "      \"severity\": \"warning\",\n"
    "      \"on_delay\": 1.5,\n"
    "      \"off_delay\": 9.9999999999999995e-07\n"
    "    },\n"
    "    {\n"
    "      \"name\": \"few_samples\",\n"
    "      \"sensors\": [\"CE\", \"CP\"],\n"
    "      \"statistic\": \"count\",\n"
    "      \"operator\": \"<\",\n"
    "      \"threshold\": 0,\n"
    "      \"clear\": 0,\n"
    "      \"severity\": \"critical\",\n"
    "      \"on_delay\": 0,\n"
    "      \"off_delay\": 60\n"
    "    },\n"
    "    {\n"
    "      \"name\": \"shaky\",\n"
    "      \"sensors\": [\"VS1\"],\n"
    "      \"statistic\": \"stddev\",\n"
    "      \"operator\": \">=\",\n"
    "      \"threshold\": 1e+20,\n"
    "      \"clear\": -3,\n"
    "      \"severity\": \"warning\",\n"
    "      \"on_delay\": 0,\n"
    "      \"off_delay\": 0\n"
    "    }\n"
    "  ]\n"
    "}\n";
  g_autoptr(VigilRuleSet) set = load (source);
  g_autoptr(VigilRuleSet) again = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_again = NULL;

  assert_rule (vigil_rule_set_get_rule (set, 0), "cold-oil",
               (1u << VIGIL_SENSOR_TS2) | (1u << VIGIL_SENSOR_TS4), VIGIL_STAT_AVG,
               VIGIL_COMPARE_LE, 0.1, 25, VIGIL_SEVERITY_WARNING, 1500000, 1);
  assert_rule (vigil_rule_set_get_rule (set, 1), "few_samples",
               (1u << VIGIL_SENSOR_CE) | (1u << VIGIL_SENSOR_CP), VIGIL_STAT_COUNT,
               VIGIL_COMPARE_LT, 0, 0, VIGIL_SEVERITY_CRITICAL, 0, 60000000);
  assert_rule (vigil_rule_set_get_rule (set, 2), "shaky", 1u << VIGIL_SENSOR_VS1,
               VIGIL_STAT_STDDEV, VIGIL_COMPARE_GE, 1e20, -3, VIGIL_SEVERITY_WARNING, 0, 0);
  g_assert_false (signbit (vigil_rule_set_get_rule (set, 1)->threshold));
  g_assert_cmpuint (vigil_rule_set_get_rule (set, 0)->line, ==, 2);
  g_assert_cmpuint (vigil_rule_set_get_rule (set, 1)->line, ==, 5);
  g_assert_cmpuint (vigil_rule_set_get_rule (set, 2)->line, ==, 7);

  json = vigil_rule_set_to_json (set);
  g_assert_cmpstr (json, ==, expected);

  again = load (json);
  assert_sets_equal (again, set);
  json_again = vigil_rule_set_to_json (again);
  g_assert_cmpstr (json_again, ==, json);
}

/* Equal sets written differently give the same bytes. */
static void
test_to_json_stable (void)
{
  static const char written_a[] =
    "{\"rules\": [{\"name\": \"hot\", \"family\": \"temperature\", \"statistic\": \"max\","
    " \"operator\": \">\", \"threshold\": 60, \"severity\": \"critical\"}]}";
  static const char written_b[] =
    "{\n"
    "  \"rules\": [\n"
    "    {\n"
    "      \"off_delay\": 0, \"on_delay\": 0.0, \"severity\": \"critical\", \"clear\": 60.0,\n"
    "      \"threshold\": 6e1, \"operator\": \">\", \"statistic\": \"max\",\n"
    "      \"sensors\": [\"TS4\", \"ts1\", \"TS3\", \"TS2\"], \"name\": \"hot\"\n"
    "    }\n"
    "  ]\n"
    "}\n";
  g_autoptr(VigilRuleSet) a = load (written_a);
  g_autoptr(VigilRuleSet) b = load (written_b);
  g_autofree char *json_a = vigil_rule_set_to_json (a);
  g_autofree char *json_b = vigil_rule_set_to_json (b);

  assert_sets_equal (a, b);
  g_assert_cmphex (vigil_rule_set_get_rule (a, 0)->sensors, ==, 0xfu << VIGIL_SENSOR_TS1);
  g_assert_cmpstr (json_a, ==, json_b);
}

static void
test_empty_rules (void)
{
  g_autoptr(VigilRuleSet) set = load ("{ \"rules\": [ ] }");
  g_autoptr(VigilRuleSet) again = NULL;
  g_autofree char *json = vigil_rule_set_to_json (set);

  g_assert_cmpuint (vigil_rule_set_get_n_rules (set), ==, 0);
  g_assert_cmpstr (json, ==, "{\n  \"rules\": []\n}\n");
  again = load (json);
  g_assert_cmpuint (vigil_rule_set_get_n_rules (again), ==, 0);
}

/* One name may carry a threshold per sensor; only twice on one sensor is refused. */
static void
test_same_name_other_sensors (void)
{
  g_autoptr(VigilRuleSet) set = load (
    "{\"rules\": [\n"
    "  {\"name\": \"hot\", \"sensor\": \"TS1\", \"statistic\": \"max\", \"operator\": \">\","
    " \"threshold\": 45, \"severity\": \"critical\"},\n"
    "  {\"name\": \"hot\", \"sensors\": [\"TS2\", \"TS3\"], \"statistic\": \"max\","
    " \"operator\": \">\", \"threshold\": 50, \"severity\": \"warning\"}\n"
    "]}");

  g_assert_cmpuint (vigil_rule_set_get_n_rules (set), ==, 2);
  g_assert_true (vigil_rule_set_get_rule (set, 0)->name == vigil_rule_set_get_rule (set, 1)->name);
  g_assert_cmpfloat (vigil_rule_set_get_rule (set, 1)->threshold, ==, 50);
}

static void
test_matches (void)
{
  VigilWindowStats w = {
    .key = VIGIL_SENSOR_PS1, .start_us = 0, .end_us = 60000000,
    .count = 6000, .avg = 150, .min = 120, .max = 190, .stddev = 12.5, .range = 70,
  };
  struct {
    VigilStat stat;
    VigilCompare compare;
    double threshold;
    gboolean matches;
    double value;
  } cases[] = {
    { VIGIL_STAT_COUNT, VIGIL_COMPARE_LT, 6000, FALSE, 6000 },
    { VIGIL_STAT_COUNT, VIGIL_COMPARE_LE, 6000, TRUE, 6000 },
    { VIGIL_STAT_AVG, VIGIL_COMPARE_GT, 150, FALSE, 150 },
    { VIGIL_STAT_AVG, VIGIL_COMPARE_GE, 150, TRUE, 150 },
    { VIGIL_STAT_MIN, VIGIL_COMPARE_LT, 120.5, TRUE, 120 },
    { VIGIL_STAT_MIN, VIGIL_COMPARE_GT, 120.5, FALSE, 120 },
    { VIGIL_STAT_MAX, VIGIL_COMPARE_GT, 180, TRUE, 190 },
    { VIGIL_STAT_MAX, VIGIL_COMPARE_LE, 180, FALSE, 190 },
    { VIGIL_STAT_STDDEV, VIGIL_COMPARE_GE, 12.5, TRUE, 12.5 },
    { VIGIL_STAT_STDDEV, VIGIL_COMPARE_LT, 12.5, FALSE, 12.5 },
    { VIGIL_STAT_RANGE, VIGIL_COMPARE_GT, 50, TRUE, 70 },
    { VIGIL_STAT_RANGE, VIGIL_COMPARE_GT, 70, FALSE, 70 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      VigilRule rule = {
        .name = "r", .stat = cases[i].stat, .compare = cases[i].compare,
        .threshold = cases[i].threshold, .clear_threshold = cases[i].threshold,
      };
      double value = -1;

      g_assert_cmpint (vigil_rule_matches (&rule, &w, &value), ==, cases[i].matches);
      g_assert_cmpfloat (value, ==, cases[i].value);
    }

  /* A window of one sample has no standard deviation: no comparison holds. */
  w.count = 1;
  w.stddev = NAN;
  for (VigilCompare c = VIGIL_COMPARE_GT; c <= VIGIL_COMPARE_LE; c++)
    {
      VigilRule rule = { .name = "r", .stat = VIGIL_STAT_STDDEV, .compare = c,
                         .threshold = 0, .clear_threshold = 0 };
      double value = 0;

      g_assert_false (vigil_rule_matches (&rule, &w, &value));
      g_assert_true (isnan (value));
    }
}

static void
test_names (void)
{
  g_assert_cmpstr (vigil_stat_to_string (VIGIL_STAT_COUNT), ==, "count");
  g_assert_cmpstr (vigil_stat_to_string (VIGIL_STAT_STDDEV), ==, "stddev");
  g_assert_cmpstr (vigil_stat_to_string (VIGIL_STAT_RANGE), ==, "range");
  g_assert_cmpstr (vigil_compare_to_string (VIGIL_COMPARE_GT), ==, ">");
  g_assert_cmpstr (vigil_compare_to_string (VIGIL_COMPARE_GE), ==, ">=");
  g_assert_cmpstr (vigil_compare_to_string (VIGIL_COMPARE_LT), ==, "<");
  g_assert_cmpstr (vigil_compare_to_string (VIGIL_COMPARE_LE), ==, "<=");
}

/* Bad files ---------------------------------------------------------------------------- */

/* A file with one rule whose members are given one per line: member k stands on line 3 + k,
 * the rule's "{" on line 3. */
static char *
one_rule (const char *first,
          ...)
{
  GString *s = g_string_new ("{\n  \"rules\": [\n    {\n");
  va_list args;

  va_start (args, first);
  for (const char *m = first; m != NULL; m = va_arg (args, const char *))
    g_string_append_printf (s, "%s      %s", s->str[s->len - 2] == '{' ? "" : ",\n", m);
  va_end (args);
  g_string_append (s, "\n    }\n  ]\n}\n");

  return g_string_free (s, FALSE);
}

typedef struct
{
  char             *text;
  gint              code;
  const char       *message;
} BadCase;

#define RULE_START "\"name\": \"high_pressure\"", "\"sensor\": \"PS1\""
#define RULE_TEST "\"statistic\": \"max\"", "\"operator\": \">\""
#define RULE_END "\"threshold\": 180", "\"severity\": \"critical\""
#define EXPECTED_MEMBERS "(expected name, sensor, sensors, family, component, camera, " \
                         "statistic, class, operator, threshold, clear, severity, on_delay " \
                         "or off_delay)"

static void
test_bad_files (void)
{
  BadCase cases[] = {
    /* JSON syntax: json-glib points at the token after which the comma is missing. */
    { g_strdup ("{\n  \"rules\": [\n    {\n      \"name\": \"x\"\n      \"sensor\": \"PS1\"\n"
                "    }\n  ]\n}\n"),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:4: invalid JSON (column 17): unexpected string constant \"x\", "
      "expected character `,'" },
    { g_strdup ("{\n  \"rules\": [\n    {\"name\": \"x\",}\n  ]\n}\n"),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:3: invalid JSON (column 17): unexpected character `,', "
      "expected character `]'" },
    { g_strdup ("{\n  \"rules\": [\n"),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:3: invalid JSON (column 0): unexpected end of file, expected character `]'" },
    { g_strdup ("{\"rules\": []}\n\n[]\n"),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:3: unexpected content after the top-level object" },
    { g_strdup ("{\n  \"rules\": [],\n  \"rules\": []\n}\n"),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:3: member “rules” is given twice in one object" },
    { g_strdup ("{\"rules\": [\n  {\"name\": \"x\", \"x\": \"\xc3\x28\"}\n]}"),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:2: the file is not UTF-8 text" },

    /* The shape of the file. */
    { g_strdup (""), VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:1: the file is empty (expected an object with a “rules” array)" },
    { g_strdup (" \n\t\n"), VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:1: the file is empty (expected an object with a “rules” array)" },
    { g_strdup ("\n\n[\n  {}\n]\n"), VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:3: expected an object with a “rules” array, found an array" },
    { g_strdup ("\n\"rules\"\n"), VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:2: expected an object with a “rules” array, found a string" },
    { g_strdup ("{\n}\n"), VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:1: missing member “rules” (an array of rules)" },
    { g_strdup ("{\n  \"rules\": [],\n  \"version\": 2\n}\n"), VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:3: unknown member “version” (expected “rules”)" },
    { g_strdup ("{\n  \"rules\":\n    {\n      \"name\": \"x\"\n    }\n}\n"),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:3: “rules” must be an array, found an object" },
    { g_strdup ("{\n  \"rules\": null\n}\n"), VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:2: “rules” must be an array, found null" },
    { g_strdup ("{\n  \"rules\": [\n    \"high_pressure\"\n  ]\n}\n"), VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:3: rule 1 must be an object, found a string" },

    /* Members of a rule. */
    { one_rule (RULE_START, RULE_TEST, "\"treshold\": 180", "\"severity\": \"critical\"", NULL),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:8: rule “high_pressure”: unknown member “treshold” " EXPECTED_MEMBERS },
    { one_rule (RULE_START, RULE_TEST, RULE_END, "\"threshold\": 185", NULL),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:10: member “threshold” is given twice in one object" },
    { one_rule (RULE_START, RULE_TEST, "\"severity\": \"critical\"", NULL),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:3: rule “high_pressure”: missing member “threshold”" },
    { one_rule ("\"sensor\": \"PS1\"", RULE_TEST, RULE_END, NULL),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:3: rule 1: missing member “name”" },
    { one_rule ("\"name\": 7", "\"sensor\": \"PS1\"", RULE_TEST, RULE_END, NULL),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:4: rule 1: “name” must be a string, found a number" },
    { one_rule ("\"name\": \"high pressure\"", "\"sensor\": \"PS1\"", RULE_TEST, RULE_END, NULL),
      VIGIL_ENGINE_ERROR_INVALID,
      "rules.json:4: rule 1: invalid name “high pressure” (use letters, digits, “_” and “-”)" },
    { one_rule ("\"name\": \"\"", "\"sensor\": \"PS1\"", RULE_TEST, RULE_END, NULL),
      VIGIL_ENGINE_ERROR_INVALID,
      "rules.json:4: rule 1: invalid name “” (use letters, digits, “_” and “-”)" },
    { one_rule (RULE_START, RULE_TEST, "\"threshold\": \"180\"", "\"severity\": \"critical\"",
                NULL),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:8: rule “high_pressure”: “threshold” must be a number, found a string" },
    { one_rule (RULE_START, RULE_TEST, RULE_END, "\"on_delay\": true", NULL),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:10: rule “high_pressure”: “on_delay” must be a number, found a boolean" },
    { one_rule (RULE_START, "\"statistic\": [\"max\"]", "\"operator\": \">\"", RULE_END, NULL),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:6: rule “high_pressure”: “statistic” must be a string, found an array" },
    { one_rule (RULE_START, RULE_TEST, "\"threshold\": 1e999", "\"severity\": \"critical\"",
                NULL),
      VIGIL_ENGINE_ERROR_INVALID,
      "rules.json:8: rule “high_pressure”: “threshold” must be a finite number" },

    /* Sensors. */
    { one_rule ("\"name\": \"high_pressure\"", "\"sensor\": \"PS9\"", RULE_TEST, RULE_END,
                NULL),
      VIGIL_ENGINE_ERROR_INVALID,
      "rules.json:5: rule “high_pressure”: unknown sensor “PS9” (expected PS1, PS2, PS3, PS4, "
      "PS5, PS6, EPS1, FS1, FS2, TS1, TS2, TS3, TS4, VS1, CE, CP or SE)" },
    { one_rule ("\"name\": \"high_pressure\"", "\"family\": \"pressur\"", RULE_TEST, RULE_END,
                NULL),
      VIGIL_ENGINE_ERROR_INVALID,
      "rules.json:5: rule “high_pressure”: unknown family “pressur” (expected pressure, power, "
      "flow, temperature, vibration, cooling or efficiency)" },
    { one_rule ("\"name\": \"high_pressure\"", "\"sensors\": [\n        \"PS1\",\n"
                "        \"PS7\"\n      ]", RULE_TEST, RULE_END, NULL),
      VIGIL_ENGINE_ERROR_INVALID,
      "rules.json:7: rule “high_pressure”: unknown sensor “PS7” (expected PS1, PS2, PS3, PS4, "
      "PS5, PS6, EPS1, FS1, FS2, TS1, TS2, TS3, TS4, VS1, CE, CP or SE)" },
    { one_rule ("\"name\": \"high_pressure\"", "\"sensors\": [\"PS1\", \"ps1\"]", RULE_TEST,
                RULE_END, NULL),
      VIGIL_ENGINE_ERROR_INVALID,
      "rules.json:5: rule “high_pressure”: sensor PS1 is listed twice" },
    { one_rule ("\"name\": \"high_pressure\"", "\"sensors\": []", RULE_TEST, RULE_END, NULL),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:5: rule “high_pressure”: “sensors” must be an array of sensor names, "
      "found an empty array" },
    { one_rule ("\"name\": \"high_pressure\"", "\"sensors\": \"PS1\"", RULE_TEST, RULE_END,
                NULL),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:5: rule “high_pressure”: “sensors” must be an array of sensor names, "
      "found a string" },
    { one_rule ("\"name\": \"high_pressure\"", "\"sensors\": [\"PS1\", 2]", RULE_TEST,
                RULE_END, NULL),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:5: rule “high_pressure”: “sensors” must hold sensor names, found a number" },
    { one_rule ("\"name\": \"high_pressure\"", RULE_TEST, RULE_END, NULL),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:3: rule “high_pressure”: missing “sensor”, “sensors”, “family”, “component” or “camera”" },
    { one_rule (RULE_START, RULE_TEST, RULE_END, "\"family\": \"pressure\"", NULL),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:10: rule “high_pressure”: both “sensor” and “family” given (use exactly one "
      "of sensor, sensors, family, component or camera)" },
    { one_rule ("\"name\": \"high_pressure\"", "\"sensors\": [\"PS1\"]", RULE_TEST,
                "\"sensor\": \"PS1\"", RULE_END, NULL),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:8: rule “high_pressure”: both “sensors” and “sensor” given (use exactly one "
      "of sensor, sensors, family, component or camera)" },

    /* Statistic, operator, severity. */
    { one_rule (RULE_START, "\"statistic\": \"maxx\"", "\"operator\": \">\"", RULE_END, NULL),
      VIGIL_ENGINE_ERROR_INVALID,
      "rules.json:6: rule “high_pressure”: unknown statistic “maxx” "
      "(expected count, avg, min, max, stddev, range, probability, predicted, density, speed, "
      "vehicles or status)" },
    { one_rule (RULE_START, "\"statistic\": \"max\"", "\"operator\": \"=>\"", RULE_END, NULL),
      VIGIL_ENGINE_ERROR_INVALID,
      "rules.json:7: rule “high_pressure”: unknown operator “=>” (expected >, >=, < or <=)" },
    { one_rule (RULE_START, RULE_TEST, "\"threshold\": 180", "\"severity\": \"high\"", NULL),
      VIGIL_ENGINE_ERROR_INVALID,
      "rules.json:9: rule “high_pressure”: unknown severity “high” "
      "(expected warning or critical)" },
    { one_rule (RULE_START, RULE_TEST, "\"threshold\": 180", NULL),
      VIGIL_ENGINE_ERROR_PARSE,
      "rules.json:3: rule “high_pressure”: missing member “severity”" },

    /* Clear threshold and delays. */
    { one_rule (RULE_START, RULE_TEST, RULE_END, "\"clear\": 185", NULL),
      VIGIL_ENGINE_ERROR_INVALID,
      "rules.json:10: rule “high_pressure”: clear 185 is on the raising side of threshold 180 "
      "(with “>” it must be <= 180)" },
    { one_rule (RULE_START, "\"statistic\": \"min\"", "\"operator\": \"<\"", "\"threshold\": 10.5",
                "\"clear\": 5", "\"severity\": \"warning\"", NULL),
      VIGIL_ENGINE_ERROR_INVALID,
      "rules.json:9: rule “high_pressure”: clear 5 is on the raising side of threshold 10.5 "
      "(with “<” it must be >= 10.5)" },
    { one_rule (RULE_START, RULE_TEST, RULE_END, "\"on_delay\": -5", NULL),
      VIGIL_ENGINE_ERROR_INVALID,
      "rules.json:10: rule “high_pressure”: “on_delay” must be a number of seconds from 0 to "
      "1000000000, found -5" },
    { one_rule (RULE_START, RULE_TEST, RULE_END, "\"off_delay\": -0.25", NULL),
      VIGIL_ENGINE_ERROR_INVALID,
      "rules.json:10: rule “high_pressure”: “off_delay” must be a number of seconds from 0 to "
      "1000000000, found -0.25" },
    { one_rule (RULE_START, RULE_TEST, RULE_END, "\"off_delay\": 2e9", NULL),
      VIGIL_ENGINE_ERROR_INVALID,
      "rules.json:10: rule “high_pressure”: “off_delay” must be a number of seconds from 0 to "
      "1000000000, found 2000000000" },

    /* The same name twice on one sensor, the second rule written over several lines. */
    { g_strdup ("{\n  \"rules\": [\n"
                "    {\"name\": \"spike\", \"sensor\": \"PS3\", \"statistic\": \"range\","
                " \"operator\": \">\", \"threshold\": 50, \"severity\": \"warning\"},\n"
                "    {\n      \"family\": \"pressure\",\n      \"name\": \"spike\",\n"
                "      \"statistic\": \"max\", \"operator\": \">\", \"threshold\": 190,\n"
                "      \"severity\": \"critical\"\n    }\n  ]\n}\n"),
      VIGIL_ENGINE_ERROR_INVALID,
      "rules.json:6: rule “spike”: a rule of that name (line 3) already applies to PS3" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VigilRuleSet) set = NULL;

      g_test_message ("case %u: %s", i, cases[i].message);
      set = vigil_rule_set_new_from_data (cases[i].text, -1, "rules.json", &error);
      g_assert_null (set);
      g_assert_error (error, VIGIL_ENGINE_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
      g_free (cases[i].text);
    }
}

/* From a file the message names the path the caller gave. */
static void
test_bad_file_path (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) missing_error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vigil-rules-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(VigilRuleSet) set = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "my-rules.json", NULL);
  missing = g_build_filename (dir, "none.json", NULL);
  g_assert_true (g_file_set_contents (path, "{\n  \"rules\": [\n    {\"name\": \"a\","
                                      " \"sensor\": \"TS1\", \"statistic\": \"maxx\"}\n  ]\n}\n",
                                      -1, &error));
  g_assert_no_error (error);

  set = vigil_rule_set_new_from_file (path, &error);
  g_assert_null (set);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  expected = g_strdup_printf ("%s:3: rule “a”: unknown statistic “maxx” "
                              "(expected count, avg, min, max, stddev, range, probability, "
                              "predicted, density, speed, vehicles or status)", path);
  g_assert_cmpstr (error->message, ==, expected);

  set = vigil_rule_set_new_from_file (missing, &missing_error);
  g_assert_null (set);
  g_assert_error (missing_error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO);
  g_assert_nonnull (strstr (missing_error->message, missing));

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Rules on cameras: `"camera": true`, the traffic statistics, and what they refuse. */
static void
test_camera_rules (void)
{
  static const char text[] =
    "{\"rules\": [{\"name\": \"slow\", \"camera\": true, \"statistic\": \"speed\",\n"
    "  \"operator\": \"<\", \"threshold\": 20, \"clear\": 30, \"severity\": \"warning\",\n"
    "  \"on_delay\": 60}]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilRuleSet) set = vigil_rule_set_new_from_data (text, -1, "cam.json", &error);
  g_autoptr(VigilRuleSet) again = NULL;
  g_autofree char *json = NULL;
  VigilTrafficStats stats = { .density_pct = 40, .speed_kmh = 12, .vehicles = 3,
                              .status = VIGIL_TRAFFIC_JAMMED };
  VigilWindowStats window = { .avg = 12, .max = 12, .min = 12 };
  double value = 0;

  g_assert_no_error (error);
  assert_rule (vigil_rule_set_get_rule (set, 0), "slow", 1u << VIGIL_KEY_CAMERA,
               VIGIL_STAT_SPEED, VIGIL_COMPARE_LT, 20, 30, VIGIL_SEVERITY_WARNING,
               60 * G_USEC_PER_SEC, 0);
  g_assert_true (vigil_rule_matches_traffic (vigil_rule_set_get_rule (set, 0), &stats, &value));
  g_assert_cmpfloat (value, ==, 12);
  stats.speed_kmh = NAN;
  g_assert_false (vigil_rule_matches_traffic (vigil_rule_set_get_rule (set, 0), &stats, NULL));
  g_assert_false (vigil_rule_matches (vigil_rule_set_get_rule (set, 0), &window, NULL));

  /* The canonical JSON says "camera": true and reads back as the same rule. */
  json = vigil_rule_set_to_json (set);
  g_assert_nonnull (strstr (json, "\"camera\": true"));
  again = vigil_rule_set_new_from_data (json, -1, "canonical", &error);
  g_assert_no_error (error);
  assert_rule (vigil_rule_set_get_rule (again, 0), "slow", 1u << VIGIL_KEY_CAMERA,
               VIGIL_STAT_SPEED, VIGIL_COMPARE_LT, 20, 30, VIGIL_SEVERITY_WARNING,
               60 * G_USEC_PER_SEC, 0);

  {
    static const struct { const char *text; const char *message; } bad[] = {
      { "{\"rules\": [{\"name\": \"a\", \"camera\": false, \"statistic\": \"status\", "
        "\"operator\": \">=\", \"threshold\": 2, \"severity\": \"warning\"}]}",
        "x:1: rule “a”: “camera” must be true (a rule on cameras watches each camera's "
        "traffic), found false" },
      { "{\"rules\": [{\"name\": \"a\", \"camera\": true, \"statistic\": \"max\", "
        "\"operator\": \">=\", \"threshold\": 2, \"severity\": \"warning\"}]}",
        "x:1: rule “a”: a rule on cameras takes the statistic density, speed, vehicles or "
        "status, not “max”" },
      { "{\"rules\": [{\"name\": \"a\", \"sensor\": \"PS1\", \"statistic\": \"density\", "
        "\"operator\": \">=\", \"threshold\": 2, \"severity\": \"warning\"}]}",
        "x:1: rule “a”: the statistic “density” is of a camera's traffic: give “camera”: true "
        "instead of sensors" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GError) bad_error = NULL;
        g_autoptr(VigilRuleSet) none = vigil_rule_set_new_from_data (bad[i].text, -1, "x",
                                                                     &bad_error);

        g_assert_null (none);
        g_assert_error (bad_error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
        g_assert_cmpstr (bad_error->message, ==, bad[i].message);
      }
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/rules/default-set", test_default_set);
  g_test_add_func ("/engine/rules/default-file", test_default_file);
  g_test_add_func ("/engine/rules/to-json/default", test_to_json_default);
  g_test_add_func ("/engine/rules/to-json/round-trip", test_to_json_round_trip);
  g_test_add_func ("/engine/rules/to-json/stable", test_to_json_stable);
  g_test_add_func ("/engine/rules/empty-rules", test_empty_rules);
  g_test_add_func ("/engine/rules/same-name-other-sensors", test_same_name_other_sensors);
  g_test_add_func ("/engine/rules/matches", test_matches);
  g_test_add_func ("/engine/rules/names", test_names);
  g_test_add_func ("/engine/rules/bad-files", test_bad_files);
  g_test_add_func ("/engine/rules/bad-file-path", test_bad_file_path);
  g_test_add_func ("/engine/rules/camera", test_camera_rules);

  return g_test_run ();
}
