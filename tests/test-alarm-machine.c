/* test-alarm-machine.c
 *
 * The ISA-18.2 alarm state machine: every transition, written out by hand, with on- and
 * off-delays, hysteresis, acknowledgement, shelving, NAN statistics and the health score.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "vigil-alarm-machine.h"
#include "vigil-error.h"

#define S(seconds) ((gint64) (seconds) * G_USEC_PER_SEC)
#define BIT(sensor) (1u << (sensor))
#define ALL_SENSORS ((1u << VIGIL_N_SENSORS) - 1)

#define NORMAL VIGIL_ALARM_NORMAL
#define PENDING VIGIL_ALARM_PENDING
#define UNACKED VIGIL_ALARM_ACTIVE_UNACKED
#define ACKED VIGIL_ALARM_ACTIVE_ACKED
#define CLEARING VIGIL_ALARM_CLEARING
#define CLEARED VIGIL_ALARM_CLEARED_UNACKED
#define CONDITION VIGIL_ALARM_CAUSE_CONDITION
#define TIMER VIGIL_ALARM_CAUSE_TIMER
#define ACK VIGIL_ALARM_CAUSE_ACK
#define SHELVE VIGIL_ALARM_CAUSE_SHELVE
#define UNSHELVE VIGIL_ALARM_CAUSE_UNSHELVE

typedef struct
{
  const char *rules;
  guint32     sensors;
} MachineSpec;

typedef struct
{
  VigilRuleSet      *rules;
  VigilAlarmMachine *machine;
  GArray            *out;
  guint              checked;   /* journal entries already compared */
} Fixture;

/* One journal entry; rule and key default to the first rule and its first sensor. */
typedef struct
{
  VigilAlarmState  from;
  VigilAlarmState  to;
  VigilAlarmCause  cause;
  gint64           at_s;
  gint64           raised_s;
  double           value;
  guint            seq;
  gboolean         shelved;
  gint64           until_s;
  const char      *comment;
  const char      *rule;
  guint            key;
} Expected;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const MachineSpec *spec = data;
  g_autoptr(GError) error = NULL;

  f->rules = vigil_rule_set_new_from_data (spec->rules, -1, "test.json", &error);
  g_assert_no_error (error);
  f->machine = vigil_alarm_machine_new (f->rules, spec->sensors);
  f->out = g_array_new (FALSE, TRUE, sizeof (VigilAlarmTransition));
  g_array_set_clear_func (f->out, vigil_alarm_transition_clear);
  f->checked = 0;
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_array_unref (f->out);
  vigil_alarm_machine_free (f->machine);
  vigil_rule_set_unref (f->rules);
}

static VigilSeverity
severity_of (Fixture    *f,
             const char *rule,
             guint       key)
{
  for (guint i = 0; i < vigil_rule_set_get_n_rules (f->rules); i++)
    {
      const VigilRule *r = vigil_rule_set_get_rule (f->rules, i);

      if (g_str_equal (r->name, rule) && (r->sensors & BIT (key)) != 0)
        return r->severity;
    }
  g_assert_not_reached ();
}

static void
expect (Fixture        *f,
        const Expected *expected,
        guint           n)
{
  const VigilRule *first = vigil_rule_set_get_rule (f->rules, 0);

  g_assert_cmpuint (f->out->len, ==, f->checked + n);

  for (guint i = 0; i < n; i++)
    {
      const Expected *e = &expected[i];
      const VigilAlarmTransition *t = &g_array_index (f->out, VigilAlarmTransition,
                                                      f->checked + i);
      const char *rule = e->rule != NULL ? e->rule : first->name;
      guint key = e->rule != NULL ? e->key : (guint) g_bit_nth_lsf (first->sensors, -1);

      g_test_message ("entry %u: %s on %u %s -> %s", f->checked + i, t->rule, t->key,
                      vigil_alarm_state_to_string (t->from), vigil_alarm_state_to_string (t->to));
      g_assert_true (t->rule == g_intern_string (rule));
      g_assert_cmpuint (t->key, ==, key);
      g_assert_cmpint (t->severity, ==, severity_of (f, rule, key));
      g_assert_cmpstr (vigil_alarm_state_to_string (t->from), ==,
                       vigil_alarm_state_to_string (e->from));
      g_assert_cmpstr (vigil_alarm_state_to_string (t->to), ==,
                       vigil_alarm_state_to_string (e->to));
      g_assert_cmpstr (vigil_alarm_cause_to_string (t->cause), ==,
                       vigil_alarm_cause_to_string (e->cause));
      g_assert_cmpint (t->at_us, ==, S (e->at_s));
      g_assert_cmpint (t->raised_us, ==, S (e->raised_s));
      if (isnan (e->value))
        g_assert_true (isnan (t->value));
      else
        g_assert_cmpfloat (t->value, ==, e->value);
      g_assert_cmpuint (t->seq, ==, e->seq);
      g_assert_cmpint (t->shelved, ==, e->shelved);
      g_assert_cmpint (t->shelved_until_us, ==, S (e->until_s));
      g_assert_cmpstr (t->comment, ==, e->comment);
    }

  f->checked += n;
}

#define EXPECT(f, ...) \
  G_STMT_START { \
    const Expected expected_[] = { __VA_ARGS__ }; \
    expect ((f), expected_, G_N_ELEMENTS (expected_)); \
  } G_STMT_END
#define EXPECT_NONE(f) expect ((f), NULL, 0)

/* Every statistic is @value, so whichever one a rule reads sees it. */
static guint
feed (Fixture *f,
      guint    key,
      gint64   end_s,
      double   value)
{
  VigilWindowStats w = {
    .key = key, .start_us = S (end_s - 60), .end_us = S (end_s),
    .count = 100, .avg = value, .min = value, .max = value, .stddev = value, .range = value,
  };

  return vigil_alarm_machine_process (f->machine, &w, f->out);
}

static guint
feed_stats (Fixture *f,
            guint    key,
            gint64   end_s,
            guint64  count,
            double   avg,
            double   min,
            double   max,
            double   stddev,
            double   range)
{
  VigilWindowStats w = {
    .key = key, .start_us = S (end_s - 60), .end_us = S (end_s),
    .count = count, .avg = avg, .min = min, .max = max, .stddev = stddev, .range = range,
  };

  return vigil_alarm_machine_process (f->machine, &w, f->out);
}

static void
ack (Fixture    *f,
     const char *rule,
     guint       key,
     gint64      at_s,
     const char *comment)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *copy = g_strdup (comment);

  /* The journal keeps its own copy of the comment. */
  g_assert_true (vigil_alarm_machine_acknowledge (f->machine, rule, key, S (at_s), copy, f->out,
                                                  &error));
  g_assert_no_error (error);
}

static void
ack_fails (Fixture    *f,
           const char *rule,
           guint       key,
           gint        code,
           const char *message)
{
  g_autoptr(GError) error = NULL;
  guint len = f->out->len;

  g_assert_false (vigil_alarm_machine_acknowledge (f->machine, rule, key, S (1000), "x", f->out,
                                                   &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, code);
  g_assert_cmpstr (error->message, ==, message);
  g_assert_cmpuint (f->out->len, ==, len);
}

static void
shelve (Fixture    *f,
        const char *rule,
        guint       key,
        gint64      at_s,
        gint64      until_s,
        const char *comment)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vigil_alarm_machine_shelve (f->machine, rule, key, S (at_s), S (until_s),
                                             comment, f->out, &error));
  g_assert_no_error (error);
}

static void
assert_state (Fixture         *f,
              const char      *rule,
              guint            key,
              VigilAlarmState  state)
{
  g_assert_cmpstr (vigil_alarm_state_to_string (vigil_alarm_machine_get_state (f->machine, rule,
                                                                               key)),
                   ==, vigil_alarm_state_to_string (state));
}

/* Raise and clear at once, with a hysteresis band between 45 and 50. */
static const MachineSpec hot_spec = {
  "{\"rules\": [{\"name\": \"hot\", \"sensor\": \"TS1\", \"statistic\": \"max\","
  " \"operator\": \">\", \"threshold\": 50, \"clear\": 45, \"severity\": \"critical\"}]}",
  ALL_SENSORS,
};

static void
test_immediate (Fixture       *f,
                gconstpointer  data)
{
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 60, 40), ==, 0);
  EXPECT_NONE (f);

  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 70, 55), ==, 1);
  EXPECT (f, { NORMAL, UNACKED, CONDITION, 70, 70, 55, 0 });

  /* Inside the band, and above the threshold again: an active alarm stays as it is. */
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 80, 48), ==, 0);
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 90, 52), ==, 0);
  EXPECT_NONE (f);
  assert_state (f, "hot", VIGIL_SENSOR_TS1, UNACKED);

  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 100, 45), ==, 0);
  EXPECT (f, { UNACKED, CLEARED, CONDITION, 100, 70, 45, 1 });

  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 110, 47), ==, 0);
  EXPECT_NONE (f);

  /* Raised again before anyone acknowledged: a new instance. */
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 120, 60), ==, 1);
  EXPECT (f, { CLEARED, UNACKED, CONDITION, 120, 120, 60, 2 });

  ack (f, "hot", VIGIL_SENSOR_TS1, 125, "seen");
  EXPECT (f, { UNACKED, ACKED, ACK, 125, 120, NAN, 3, .comment = "seen" });

  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 130, 44), ==, 0);
  EXPECT (f, { ACKED, NORMAL, CONDITION, 130, 120, 44, 4 });

  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 140, 51), ==, 1);
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 150, 40), ==, 0);
  ack (f, "hot", VIGIL_SENSOR_TS1, 155, NULL);
  EXPECT (f,
          { NORMAL, UNACKED, CONDITION, 140, 140, 51, 5 },
          { UNACKED, CLEARED, CONDITION, 150, 140, 40, 6 },
          { CLEARED, NORMAL, ACK, 155, 140, NAN, 7 });
  assert_state (f, "hot", VIGIL_SENSOR_TS1, NORMAL);
}

static const MachineSpec on_delay_spec = {
  "{\"rules\": [{\"name\": \"warm\", \"sensor\": \"TS1\", \"statistic\": \"avg\","
  " \"operator\": \">\", \"threshold\": 40, \"clear\": 35, \"severity\": \"warning\","
  " \"on_delay\": 20}]}",
  ALL_SENSORS,
};

static void
test_on_delay (Fixture       *f,
               gconstpointer  data)
{
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 10, 41), ==, 0);
  EXPECT (f, { NORMAL, PENDING, CONDITION, 10, 0, 41, 0 });

  /* Below the threshold, though not past the clear threshold: the on-delay starts over. */
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 20, 38), ==, 0);
  EXPECT (f, { PENDING, NORMAL, CONDITION, 20, 0, 38, 1 });

  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 30, 38), ==, 0);
  EXPECT_NONE (f);

  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 40, 42), ==, 0);
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 50, 43), ==, 0);
  EXPECT (f, { NORMAL, PENDING, CONDITION, 40, 0, 42, 2 });
  assert_state (f, "warm", VIGIL_SENSOR_TS1, PENDING);
  g_assert_cmpuint (vigil_alarm_machine_get_health (f->machine, VIGIL_SENSOR_TS1), ==, 100);

  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 60, 44), ==, 1);
  EXPECT (f, { PENDING, UNACKED, TIMER, 60, 60, 44, 3 });
  g_assert_cmpuint (vigil_alarm_machine_get_health (f->machine, VIGIL_SENSOR_TS1), ==, 90);

  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 70, 38), ==, 0);
  EXPECT_NONE (f);

  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 80, 35), ==, 0);
  EXPECT (f, { UNACKED, CLEARED, CONDITION, 80, 60, 35, 4 });

  /* A new instance from CLEARED_UNACKED waits out the on-delay too, and may never come. */
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 90, 41), ==, 0);
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 100, 30), ==, 0);
  EXPECT (f,
          { CLEARED, PENDING, CONDITION, 90, 0, 41, 5 },
          { PENDING, NORMAL, CONDITION, 100, 0, 30, 6 });
}

static const MachineSpec off_delay_spec = {
  "{\"rules\": [{\"name\": \"hot\", \"sensor\": \"TS1\", \"statistic\": \"max\","
  " \"operator\": \">\", \"threshold\": 50, \"clear\": 45, \"severity\": \"critical\","
  " \"off_delay\": 20}]}",
  ALL_SENSORS,
};

static void
test_off_delay (Fixture       *f,
                gconstpointer  data)
{
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 10, 55), ==, 1);
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 20, 44), ==, 0);
  EXPECT (f,
          { NORMAL, UNACKED, CONDITION, 10, 10, 55, 0 },
          { UNACKED, CLEARING, CONDITION, 20, 10, 44, 1 });
  g_assert_cmpuint (vigil_alarm_machine_get_health (f->machine, VIGIL_SENSOR_TS1), ==, 80);

  /* Back inside the band while clearing: active again, not a new alarm. */
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 30, 47), ==, 0);
  EXPECT (f, { CLEARING, UNACKED, CONDITION, 30, 10, 47, 2 });

  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 40, 45), ==, 0);
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 50, 30), ==, 0);
  EXPECT (f, { UNACKED, CLEARING, CONDITION, 40, 10, 45, 3 });

  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 60, 30), ==, 0);
  EXPECT (f, { CLEARING, CLEARED, TIMER, 60, 10, 30, 4 });
  g_assert_cmpuint (vigil_alarm_machine_get_health (f->machine, VIGIL_SENSOR_TS1), ==, 100);

  ack (f, "hot", VIGIL_SENSOR_TS1, 65, "checked");
  EXPECT (f, { CLEARED, NORMAL, ACK, 65, 10, NAN, 5, .comment = "checked" });

  /* Acknowledged before the clear: clearing ends in NORMAL. */
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 70, 60), ==, 1);
  ack (f, "hot", VIGIL_SENSOR_TS1, 71, NULL);
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 80, 40), ==, 0);
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 90, 51), ==, 0);
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 100, 40), ==, 0);
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 110, 40), ==, 0);
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 120, 40), ==, 0);
  EXPECT (f,
          { NORMAL, UNACKED, CONDITION, 70, 70, 60, 6 },
          { UNACKED, ACKED, ACK, 71, 70, NAN, 7 },
          { ACKED, CLEARING, CONDITION, 80, 70, 40, 8 },
          { CLEARING, ACKED, CONDITION, 90, 70, 51, 9 },
          { ACKED, CLEARING, CONDITION, 100, 70, 40, 10 },
          { CLEARING, NORMAL, TIMER, 120, 70, 40, 11 });

  /* Acknowledged while clearing: it stays clearing, remembers, and may turn active again. */
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 130, 60), ==, 1);
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 140, 40), ==, 0);
  ack (f, "hot", VIGIL_SENSOR_TS1, 145, "on it");
  EXPECT (f,
          { NORMAL, UNACKED, CONDITION, 130, 130, 60, 12 },
          { UNACKED, CLEARING, CONDITION, 140, 130, 40, 13 },
          { CLEARING, CLEARING, ACK, 145, 130, NAN, 14, .comment = "on it" });

  ack_fails (f, "hot", VIGIL_SENSOR_TS1, VIGIL_ENGINE_ERROR_INVALID,
             "alarm “hot” on TS1 has nothing to acknowledge (it is clearing, already "
             "acknowledged)");

  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 150, 52), ==, 0);
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 160, 40), ==, 0);
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 180, 40), ==, 0);
  EXPECT (f,
          { CLEARING, ACKED, CONDITION, 150, 130, 52, 15 },
          { ACKED, CLEARING, CONDITION, 160, 130, 40, 16 },
          { CLEARING, NORMAL, TIMER, 180, 130, 40, 17 });
}

/* "hot" on every temperature sensor, evaluated on TS1 and TS2 only; "warm" on TS1. */
static const MachineSpec two_rules_spec = {
  "{\"rules\": [\n"
  "  {\"name\": \"hot\", \"family\": \"temperature\", \"statistic\": \"max\", \"operator\": \">\","
  " \"threshold\": 50, \"severity\": \"critical\"},\n"
  "  {\"name\": \"warm\", \"sensor\": \"TS1\", \"statistic\": \"avg\", \"operator\": \">\","
  " \"threshold\": 40, \"severity\": \"warning\", \"on_delay\": 60}\n"
  "]}",
  BIT (VIGIL_SENSOR_TS1) | BIT (VIGIL_SENSOR_TS2),
};

static void
test_acknowledge_errors (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  ack_fails (f, "hot", VIGIL_SENSOR_TS1, VIGIL_ENGINE_ERROR_INVALID,
             "alarm “hot” on TS1 has nothing to acknowledge (it is normal)");

  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 10, 45), ==, 0);
  ack_fails (f, "warm", VIGIL_SENSOR_TS1, VIGIL_ENGINE_ERROR_INVALID,
             "alarm “warm” on TS1 has nothing to acknowledge (it is pending)");

  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 20, 55), ==, 1);
  ack (f, "hot", VIGIL_SENSOR_TS1, 21, "mine");
  ack_fails (f, "hot", VIGIL_SENSOR_TS1, VIGIL_ENGINE_ERROR_INVALID,
             "alarm “hot” on TS1 has nothing to acknowledge (it is active-acked)");

  ack_fails (f, "cold", VIGIL_SENSOR_TS1, VIGIL_ENGINE_ERROR_NOT_FOUND,
             "no alarm rule is named “cold”");
  ack_fails (f, "warm", VIGIL_SENSOR_TS2, VIGIL_ENGINE_ERROR_NOT_FOUND,
             "alarm “warm” is not watched on TS2");
  /* The rule applies to TS3, but this machine does not evaluate TS3. */
  ack_fails (f, "hot", VIGIL_SENSOR_TS3, VIGIL_ENGINE_ERROR_NOT_FOUND,
             "alarm “hot” is not watched on TS3");
  ack_fails (f, "hot", 40, VIGIL_ENGINE_ERROR_NOT_FOUND, "alarm “hot” is not watched on key 40");

  g_assert_false (vigil_alarm_machine_shelve (f->machine, "hot", VIGIL_SENSOR_TS1, S (30), S (30),
                                              NULL, f->out, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "cannot shelve alarm “hot” on TS1: shelving must end after it begins");
  g_clear_error (&error);
  g_assert_false (vigil_alarm_machine_shelve (f->machine, "cold", VIGIL_SENSOR_TS1, S (30),
                                              S (40), NULL, f->out, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);

  /* Refusals leave no trace in the journal. */
  EXPECT (f,
          { NORMAL, PENDING, CONDITION, 10, 0, 45, 0, .rule = "warm", .key = VIGIL_SENSOR_TS1 },
          { NORMAL, UNACKED, CONDITION, 20, 20, 55, 0, .rule = "hot", .key = VIGIL_SENSOR_TS1 },
          { UNACKED, ACKED, ACK, 21, 20, NAN, 1, .comment = "mine", .rule = "hot",
            .key = VIGIL_SENSOR_TS1 });
}

static void
test_shelve_process (Fixture       *f,
                     gconstpointer  data)
{
  shelve (f, "hot", VIGIL_SENSOR_TS1, 5, 35, "maintenance");
  EXPECT (f, { NORMAL, NORMAL, SHELVE, 5, 0, NAN, 0, TRUE, 35, "maintenance" });

  /* Shelved alarms still run; only annunciation is suppressed, and health is honest. */
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 10, 60), ==, 1);
  EXPECT (f, { NORMAL, UNACKED, CONDITION, 10, 10, 60, 1, TRUE, 35 });
  g_assert_cmpuint (vigil_alarm_machine_get_health (f->machine, VIGIL_SENSOR_TS1), ==, 80);

  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 30, 60), ==, 0);
  EXPECT_NONE (f);

  /* The window ending at 40 is the first to see that shelving ended at 35. */
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 40, 40), ==, 0);
  EXPECT (f,
          { UNACKED, UNACKED, UNSHELVE, 35, 10, NAN, 2 },
          { UNACKED, CLEARED, CONDITION, 40, 10, 40, 3 });

  /* Shelving again replaces the end time. */
  shelve (f, "hot", VIGIL_SENSOR_TS1, 41, 100, NULL);
  shelve (f, "hot", VIGIL_SENSOR_TS1, 42, 60, "shorter");
  EXPECT (f,
          { CLEARED, CLEARED, SHELVE, 41, 10, NAN, 4, TRUE, 100 },
          { CLEARED, CLEARED, SHELVE, 42, 10, NAN, 5, TRUE, 60, "shorter" });

  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 50, 40), ==, 0);
  EXPECT_NONE (f);
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 60, 40), ==, 0);
  EXPECT (f, { CLEARED, CLEARED, UNSHELVE, 60, 10, NAN, 6 });
}

static const MachineSpec hot_family_spec = {
  "{\"rules\": [{\"name\": \"hot\", \"family\": \"temperature\", \"statistic\": \"max\","
  " \"operator\": \">\", \"threshold\": 50, \"severity\": \"critical\"}]}",
  BIT (VIGIL_SENSOR_TS1) | BIT (VIGIL_SENSOR_TS2),
};

static void
test_shelve_advance (Fixture       *f,
                     gconstpointer  data)
{
  shelve (f, "hot", VIGIL_SENSOR_TS1, 0, 50, NULL);
  EXPECT (f, { NORMAL, NORMAL, SHELVE, 0, 0, NAN, 0, TRUE, 50 });

  /* A window of another sensor does not touch TS1's alarm. */
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS2, 60, 40), ==, 0);
  vigil_alarm_machine_advance (f->machine, S (49), f->out);
  EXPECT_NONE (f);

  vigil_alarm_machine_advance (f->machine, S (50), f->out);
  EXPECT (f, { NORMAL, NORMAL, UNSHELVE, 50, 0, NAN, 1 });
  vigil_alarm_machine_advance (f->machine, S (100), f->out);
  EXPECT_NONE (f);

  shelve (f, "hot", VIGIL_SENSOR_TS2, 60, 80, NULL);
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 61, 70), ==, 1);
  shelve (f, "hot", VIGIL_SENSOR_TS1, 62, 70, "noisy");
  vigil_alarm_machine_advance (f->machine, S (90), f->out);
  EXPECT (f,
          { NORMAL, NORMAL, SHELVE, 60, 0, NAN, 0, TRUE, 80, .rule = "hot",
            .key = VIGIL_SENSOR_TS2 },
          { NORMAL, UNACKED, CONDITION, 61, 61, 70, 2 },
          { UNACKED, UNACKED, SHELVE, 62, 61, NAN, 3, TRUE, 70, "noisy" },
          { UNACKED, UNACKED, UNSHELVE, 70, 61, NAN, 4 },
          { NORMAL, NORMAL, UNSHELVE, 80, 0, NAN, 1, .rule = "hot", .key = VIGIL_SENSOR_TS2 });
}

/* Two rules on a standard deviation, which is NAN for windows of fewer than two samples. */
static const MachineSpec nan_spec = {
  "{\"rules\": [\n"
  "  {\"name\": \"shaky\", \"sensor\": \"TS1\", \"statistic\": \"stddev\", \"operator\": \">\","
  " \"threshold\": 1, \"clear\": 0.5, \"severity\": \"critical\"},\n"
  "  {\"name\": \"shaky_slow\", \"sensor\": \"TS1\", \"statistic\": \"stddev\","
  " \"operator\": \">\", \"threshold\": 1, \"clear\": 0.5, \"severity\": \"warning\","
  " \"on_delay\": 20, \"off_delay\": 20}\n"
  "]}",
  ALL_SENSORS,
};

static guint
feed_stddev (Fixture *f,
             gint64   end_s,
             double   stddev)
{
  return feed_stats (f, VIGIL_SENSOR_TS1, end_s, isnan (stddev) ? 1 : 10, 30, 29, 31, stddev, 2);
}

static void
test_nan (Fixture       *f,
          gconstpointer  data)
{
  const char *slow = "shaky_slow";
  const guint ts1 = VIGIL_SENSOR_TS1;

  g_assert_cmpuint (feed_stddev (f, 10, NAN), ==, 0);
  EXPECT_NONE (f);

  g_assert_cmpuint (feed_stddev (f, 20, 2), ==, 1);
  EXPECT (f,
          { NORMAL, UNACKED, CONDITION, 20, 20, 2, 0 },
          { NORMAL, PENDING, CONDITION, 20, 0, 2, 0, .rule = slow, .key = ts1 });

  /* NAN does not clear an active alarm, but it does break an on-delay. */
  g_assert_cmpuint (feed_stddev (f, 30, NAN), ==, 0);
  EXPECT (f, { PENDING, NORMAL, CONDITION, 30, 0, NAN, 1, .rule = slow, .key = ts1 });

  g_assert_cmpuint (feed_stddev (f, 40, 2), ==, 0);
  g_assert_cmpuint (feed_stddev (f, 60, 2), ==, 1);
  g_assert_cmpuint (feed_stddev (f, 70, 0.4), ==, 0);
  EXPECT (f,
          { NORMAL, PENDING, CONDITION, 40, 0, 2, 2, .rule = slow, .key = ts1 },
          { PENDING, UNACKED, TIMER, 60, 60, 2, 3, .rule = slow, .key = ts1 },
          { UNACKED, CLEARED, CONDITION, 70, 20, 0.4, 1 },
          { UNACKED, CLEARING, CONDITION, 70, 60, 0.4, 4, .rule = slow, .key = ts1 });

  /* Nor does NAN confirm a clear: the off-delay is broken too. */
  g_assert_cmpuint (feed_stddev (f, 80, NAN), ==, 0);
  EXPECT (f, { CLEARING, UNACKED, CONDITION, 80, 60, NAN, 5, .rule = slow, .key = ts1 });

  g_assert_cmpuint (feed_stddev (f, 90, NAN), ==, 0);
  EXPECT_NONE (f);
  assert_state (f, "shaky", ts1, CLEARED);
  assert_state (f, slow, ts1, UNACKED);
}

/* >=, < and <= at their edges; > is covered above (a max of exactly 45 clears "hot"). */
static const MachineSpec operators_spec = {
  "{\"rules\": [\n"
  "  {\"name\": \"ge\", \"sensor\": \"FS1\", \"statistic\": \"avg\", \"operator\": \">=\","
  " \"threshold\": 10, \"clear\": 8, \"severity\": \"warning\"},\n"
  "  {\"name\": \"lt\", \"sensor\": \"FS2\", \"statistic\": \"avg\", \"operator\": \"<\","
  " \"threshold\": 5, \"clear\": 6, \"severity\": \"warning\"},\n"
  "  {\"name\": \"le\", \"sensor\": \"CE\", \"statistic\": \"avg\", \"operator\": \"<=\","
  " \"threshold\": 20, \"clear\": 25, \"severity\": \"critical\"}\n"
  "]}",
  ALL_SENSORS,
};

static void
test_operators (Fixture       *f,
                gconstpointer  data)
{
  struct {
    const char *rule;
    guint key;
    double values[5];
    VigilAlarmState states[5];
  } cases[] = {
    { "ge", VIGIL_SENSOR_FS1, { 9.9, 10, 8.5, 8, 7.99 },
      { NORMAL, UNACKED, UNACKED, UNACKED, CLEARED } },
    { "lt", VIGIL_SENSOR_FS2, { 5, 4.9, 5.5, 5.99, 6 },
      { NORMAL, UNACKED, UNACKED, UNACKED, CLEARED } },
    { "le", VIGIL_SENSOR_CE, { 20.1, 20, 22, 25, 25.01 },
      { NORMAL, UNACKED, UNACKED, UNACKED, CLEARED } },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      for (guint i = 0; i < 5; i++)
        {
          feed (f, cases[c].key, 10 * (i + 1), cases[c].values[i]);
          assert_state (f, cases[c].rule, cases[c].key, cases[c].states[i]);
        }
    }
  g_assert_cmpuint (f->out->len, ==, 6);
}

static const MachineSpec health_spec = {
  "{\"rules\": [\n"
  "  {\"name\": \"max_hi\", \"family\": \"temperature\", \"statistic\": \"max\","
  " \"operator\": \">\", \"threshold\": 50, \"severity\": \"critical\", \"off_delay\": 30},\n"
  "  {\"name\": \"avg_hi\", \"family\": \"temperature\", \"statistic\": \"avg\","
  " \"operator\": \">\", \"threshold\": 40, \"severity\": \"critical\"},\n"
  "  {\"name\": \"min_hi\", \"family\": \"temperature\", \"statistic\": \"min\","
  " \"operator\": \">\", \"threshold\": 30, \"severity\": \"critical\"},\n"
  "  {\"name\": \"stddev_hi\", \"family\": \"temperature\", \"statistic\": \"stddev\","
  " \"operator\": \">\", \"threshold\": 1, \"severity\": \"critical\"},\n"
  "  {\"name\": \"avg_vhi\", \"family\": \"temperature\", \"statistic\": \"avg\","
  " \"operator\": \">\", \"threshold\": 45, \"severity\": \"critical\"},\n"
  "  {\"name\": \"range_hi\", \"family\": \"temperature\", \"statistic\": \"range\","
  " \"operator\": \">\", \"threshold\": 10, \"severity\": \"warning\"},\n"
  "  {\"name\": \"count_lo\", \"family\": \"temperature\", \"statistic\": \"count\","
  " \"operator\": \"<\", \"threshold\": 50, \"severity\": \"warning\"}\n"
  "]}",
  BIT (VIGIL_SENSOR_TS1) | BIT (VIGIL_SENSOR_TS2),
};

static guint
health (Fixture *f,
        guint    key)
{
  return vigil_alarm_machine_get_health (f->machine, key);
}

static void
test_health (Fixture       *f,
             gconstpointer  data)
{
  for (guint key = 0; key < VIGIL_N_SENSORS; key++)
    g_assert_cmpuint (health (f, key), ==, 100);

  /* Five criticals and two warnings: 100 - 5 * 20 - 2 * 10 floors at 0. */
  g_assert_cmpuint (feed_stats (f, VIGIL_SENSOR_TS1, 10, 40, 50, 35, 60, 2, 25), ==, 7);
  g_assert_cmpuint (health (f, VIGIL_SENSOR_TS1), ==, 0);

  /* max_hi (critical) and range_hi (warning). */
  g_assert_cmpuint (feed_stats (f, VIGIL_SENSOR_TS2, 10, 100, 30, 20, 60, 0.5, 40), ==, 2);
  g_assert_cmpuint (health (f, VIGIL_SENSOR_TS2), ==, 70);

  /* TS3 is outside the machine: ignored. */
  g_assert_cmpuint (feed_stats (f, VIGIL_SENSOR_TS3, 10, 40, 50, 35, 60, 2, 25), ==, 0);
  g_assert_cmpuint (health (f, VIGIL_SENSOR_TS3), ==, 100);
  g_assert_cmpuint (f->out->len, ==, 9);

  /* Only max_hi and avg_hi stay above their thresholds. */
  g_assert_cmpuint (feed_stats (f, VIGIL_SENSOR_TS1, 20, 100, 42, 20, 60, 0.5, 5), ==, 0);
  g_assert_cmpuint (f->out->len, ==, 14);
  g_assert_cmpuint (health (f, VIGIL_SENSOR_TS1), ==, 60);
  shelve (f, "avg_hi", VIGIL_SENSOR_TS1, 21, 1000, NULL);
  g_assert_cmpuint (health (f, VIGIL_SENSOR_TS1), ==, 60);

  /* Clearing still counts; acknowledged or not, only the end of the off-delay restores it. */
  g_assert_cmpuint (feed_stats (f, VIGIL_SENSOR_TS2, 20, 100, 30, 20, 48, 0.5, 5), ==, 0);
  assert_state (f, "max_hi", VIGIL_SENSOR_TS2, CLEARING);
  assert_state (f, "range_hi", VIGIL_SENSOR_TS2, CLEARED);
  g_assert_cmpuint (health (f, VIGIL_SENSOR_TS2), ==, 80);
  ack (f, "max_hi", VIGIL_SENSOR_TS2, 21, NULL);
  g_assert_cmpuint (health (f, VIGIL_SENSOR_TS2), ==, 80);
  g_assert_cmpuint (feed_stats (f, VIGIL_SENSOR_TS2, 50, 100, 30, 20, 48, 0.5, 5), ==, 0);
  assert_state (f, "max_hi", VIGIL_SENSOR_TS2, NORMAL);
  g_assert_cmpuint (health (f, VIGIL_SENSOR_TS2), ==, 100);
  g_assert_cmpuint (health (f, VIGIL_SENSOR_TS1), ==, 60);
  g_assert_cmpuint (health (f, 1000), ==, 100);
}

static void
test_outside_mask (Fixture       *f,
                   gconstpointer  data)
{
  vigil_alarm_machine_free (f->machine);
  f->machine = vigil_alarm_machine_new (f->rules, BIT (VIGIL_SENSOR_TS1));

  /* TS2: the rule applies but the machine does not watch it; PS1: the rule does not apply;
   * keys past the last sensor belong to no one. */
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS2, 10, 60), ==, 0);
  g_assert_cmpuint (feed (f, VIGIL_SENSOR_PS1, 10, 600), ==, 0);
  g_assert_cmpuint (feed (f, VIGIL_N_SENSORS, 10, 60), ==, 0);
  g_assert_cmpuint (feed (f, 1000, 10, 60), ==, 0);
  EXPECT_NONE (f);
  assert_state (f, "hot", VIGIL_SENSOR_TS2, NORMAL);
  g_assert_cmpuint (health (f, VIGIL_SENSOR_TS2), ==, 100);

  g_assert_cmpuint (feed (f, VIGIL_SENSOR_TS1, 10, 60), ==, 1);
  EXPECT (f, { NORMAL, UNACKED, CONDITION, 10, 10, 60, 0 });
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, spec, func) \
  g_test_add ("/engine/alarm/" path, Fixture, &(spec), fixture_setup, func, fixture_teardown)

  ADD ("immediate", hot_spec, test_immediate);
  ADD ("on-delay", on_delay_spec, test_on_delay);
  ADD ("off-delay", off_delay_spec, test_off_delay);
  ADD ("acknowledge-errors", two_rules_spec, test_acknowledge_errors);
  ADD ("shelve/process", hot_spec, test_shelve_process);
  ADD ("shelve/advance", hot_family_spec, test_shelve_advance);
  ADD ("nan-stddev", nan_spec, test_nan);
  ADD ("operators", operators_spec, test_operators);
  ADD ("health", health_spec, test_health);
  ADD ("outside-mask", hot_family_spec, test_outside_mask);

#undef ADD

  return g_test_run ();
}
