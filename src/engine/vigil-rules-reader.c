/* vigil-rules-reader.c
 *
 * Reading alarm rules files (JSON). Every refusal names the file and the line, and the
 * reason in words a person can act on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-rules"

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "vigil-error.h"
#include "vigil-rules-private.h"
#include "vigil-time.h"

/* Long enough for any real delay, short enough that microseconds never overflow. */
#define MAX_DELAY_SECONDS 1e9

static const char * const rule_members[] = {
  "name", "sensor", "sensors", "family", "component", "camera", "statistic", "class", "operator",
  "threshold", "clear", "severity", "on_delay", "off_delay",
};

/* json-glib 1.6 keeps no positions in its nodes, so the reader records them from the
 * parser's signals while it parses: the line where each container opens and the line where
 * each scalar value stands. */
typedef struct
{
  const char *origin;
  GHashTable *lines;          /* JsonNode, JsonObject or JsonArray -> line */
  GHashTable *n_members;      /* JsonObject -> members parsed so far */
  GArray     *open_lines;     /* guint: where each container being parsed opened */
  char       *repeated_name;  /* the first member name given twice in one object */
  guint       repeated_line;
  guint       error_line;
  guint       error_column;
} RulesReader;

/* One rule object while it is read. */
typedef struct
{
  RulesReader *reader;
  JsonObject  *object;
  guint        line;
  char        *label;         /* rule “name”, or rule 3 when it has no usable name */
} RuleReader;

static guint
lookup_line (RulesReader *reader,
             gconstpointer key)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (reader->lines, key));
}

static guint
node_line (RulesReader *reader,
           JsonParser  *parser,
           JsonNode    *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return lookup_line (reader, json_node_get_object (node));
  if (JSON_NODE_HOLDS_ARRAY (node))
    return lookup_line (reader, json_node_get_array (node));

  /* Signals come right after the value's last token: a scalar ends on the line it starts. */
  return json_parser_get_current_line (parser);
}

static void
on_container_start (JsonParser  *parser,
                    RulesReader *reader)
{
  guint line = json_parser_get_current_line (parser);

  g_array_append_val (reader->open_lines, line);
}

/* For "object-end" and "array-end" alike. */
static void
on_container_end (JsonParser  *parser,
                  gpointer     container,
                  RulesReader *reader)
{
  guint last = reader->open_lines->len - 1;

  g_hash_table_insert (reader->lines, container,
                       GUINT_TO_POINTER (g_array_index (reader->open_lines, guint, last)));
  g_array_set_size (reader->open_lines, last);
}

static void
on_object_member (JsonParser  *parser,
                  JsonObject  *object,
                  const char  *name,
                  RulesReader *reader)
{
  JsonNode *node = json_object_get_member (object, name);
  guint line = node_line (reader, parser, node);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (reader->n_members, object)) + 1;

  g_hash_table_insert (reader->lines, node, GUINT_TO_POINTER (line));
  g_hash_table_insert (reader->n_members, object, GUINT_TO_POINTER (n));

  /* json-glib keeps the last of two equal names silently; the object did not grow. */
  if (n > json_object_get_size (object) && reader->repeated_name == NULL)
    {
      reader->repeated_name = g_strdup (name);
      reader->repeated_line = line;
    }
}

static void
on_array_element (JsonParser  *parser,
                  JsonArray   *array,
                  guint        index,
                  RulesReader *reader)
{
  JsonNode *node = json_array_get_element (array, index);

  g_hash_table_insert (reader->lines, node,
                       GUINT_TO_POINTER (node_line (reader, parser, node)));
}

static void
on_error (JsonParser   *parser,
          const GError *error,
          RulesReader  *reader)
{
  reader->error_line = json_parser_get_current_line (parser);
  reader->error_column = json_parser_get_current_pos (parser);
}

static void G_GNUC_PRINTF (5, 6)
set_error (GError           **error,
           VigilEngineError   code,
           const char        *origin,
           guint              line,
           const char        *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, VIGIL_ENGINE_ERROR, code, "%s:%u: %s", origin, line, message);
}

static void G_GNUC_PRINTF (5, 6)
set_rule_error (GError           **error,
                VigilEngineError   code,
                RuleReader        *rule,
                guint              line,
                const char        *format,
                ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  set_error (error, code, rule->reader->origin, line, "%s: %s", rule->label, message);
}

static guint
line_at (const char *data,
         const char *position)
{
  guint line = 1;

  for (const char *p = data; p < position; p++)
    if (*p == '\n')
      line++;

  return line;
}

static const char *
node_kind (JsonNode *node)
{
  GType type;

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
    default:
      type = json_node_get_value_type (node);
      if (type == G_TYPE_STRING)
        return "a string";
      if (type == G_TYPE_BOOLEAN)
        return "a boolean";
      return "a number";
    }
}

static gboolean
node_is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
node_is_number (JsonNode *node)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);

  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

static char *
format_number (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.15g", value));
}

static guint
member_line (RuleReader *rule,
             const char *member)
{
  JsonNode *node = json_object_get_member (rule->object, member);

  return node != NULL ? lookup_line (rule->reader, node) : rule->line;
}

/* Returns the member's node, NULL when it is absent (an error if @required) or has the
 * wrong type (always an error). */
static JsonNode *
get_member (RuleReader  *rule,
            const char  *member,
            gboolean     required,
            gboolean     want_number,
            GError     **error)
{
  JsonNode *node = json_object_get_member (rule->object, member);

  if (node == NULL)
    {
      if (required)
        set_rule_error (error, VIGIL_ENGINE_ERROR_PARSE, rule, rule->line,
                        "missing member “%s”", member);
      return NULL;
    }

  if (want_number ? !node_is_number (node) : !node_is_string (node))
    {
      set_rule_error (error, VIGIL_ENGINE_ERROR_PARSE, rule, lookup_line (rule->reader, node),
                      "“%s” must be %s, found %s", member, want_number ? "a number" : "a string",
                      node_kind (node));
      return NULL;
    }

  return node;
}

static gboolean
name_is_valid (const char *name)
{
  static const char allowed[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

  return *name != '\0' && name[strspn (name, allowed)] == '\0';
}

static gboolean
read_name (RuleReader  *rule,
           VigilRule   *out,
           GError     **error)
{
  JsonNode *node = get_member (rule, "name", TRUE, FALSE, error);
  const char *name;

  if (node == NULL)
    return FALSE;

  name = json_node_get_string (node);
  if (!name_is_valid (name))
    {
      set_rule_error (error, VIGIL_ENGINE_ERROR_INVALID, rule, lookup_line (rule->reader, node),
                      "invalid name “%s” (use letters, digits, “_” and “-”)", name);
      return FALSE;
    }

  out->name = g_intern_string (name);

  return TRUE;
}

static gboolean
parse_sensor_name (RuleReader  *rule,
                   JsonNode    *node,
                   guint32     *sensors,
                   GError     **error)
{
  guint line = lookup_line (rule->reader, node);
  VigilSensor sensor;

  if (!vigil_sensor_from_name (json_node_get_string (node), &sensor))
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint s = 0; s < VIGIL_N_SENSORS; s++)
        {
          const char *separator = s == 0 ? "" : s + 1 < VIGIL_N_SENSORS ? ", " : " or ";

          g_string_append_printf (names, "%s%s", separator,
                                  vigil_sensor_get_info ((VigilSensor) s)->name);
        }
      set_rule_error (error, VIGIL_ENGINE_ERROR_INVALID, rule, line,
                      "unknown sensor “%s” (expected %s)", json_node_get_string (node), names->str);
      return FALSE;
    }

  if (*sensors & (1u << sensor))
    {
      set_rule_error (error, VIGIL_ENGINE_ERROR_INVALID, rule, line, "sensor %s is listed twice",
                      vigil_sensor_get_info (sensor)->name);
      return FALSE;
    }

  *sensors |= 1u << sensor;

  return TRUE;
}

static gboolean
read_component (RuleReader  *rule,
                JsonNode    *node,
                guint32     *keys,
                GError     **error)
{
  guint key;

  if (!vigil_key_from_name (json_node_get_string (node), &key) || key < VIGIL_KEY_COMPONENT)
    {
      set_rule_error (error, VIGIL_ENGINE_ERROR_INVALID, rule, lookup_line (rule->reader, node),
                      "unknown component “%s” (expected cooler, valve, pump, accumulator or "
                      "stable)", json_node_get_string (node));
      return FALSE;
    }

  *keys = 1u << key;

  return TRUE;
}

/* Only `"camera": true`: a rule watches every camera, each on its own traffic. */
static gboolean
read_camera (RuleReader  *rule,
             JsonNode    *node,
             guint32     *keys,
             GError     **error)
{
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN ||
      !json_node_get_boolean (node))
    {
      set_rule_error (error, VIGIL_ENGINE_ERROR_INVALID, rule, lookup_line (rule->reader, node),
                      "“camera” must be true (a rule on cameras watches each camera's "
                      "traffic), found %s",
                      JSON_NODE_HOLDS_VALUE (node) &&
                      json_node_get_value_type (node) == G_TYPE_BOOLEAN
                      ? "false" : node_kind (node));
      return FALSE;
    }

  *keys = 1u << VIGIL_KEY_CAMERA;

  return TRUE;
}

static gboolean
read_family (RuleReader  *rule,
             JsonNode    *node,
             guint32     *sensors,
             GError     **error)
{
  VigilSensorFamily family;

  if (!vigil_sensor_family_from_name (json_node_get_string (node), &family))
    {
      set_rule_error (error, VIGIL_ENGINE_ERROR_INVALID, rule, lookup_line (rule->reader, node),
                      "unknown family “%s” (expected pressure, power, flow, temperature, "
                      "vibration, cooling or efficiency)", json_node_get_string (node));
      return FALSE;
    }

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    if (vigil_sensor_get_info ((VigilSensor) s)->family == family)
      *sensors |= 1u << s;

  return TRUE;
}

static gboolean
read_sensor_list (RuleReader  *rule,
                  JsonNode    *node,
                  guint32     *sensors,
                  GError     **error)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) == 0)
    {
      set_rule_error (error, VIGIL_ENGINE_ERROR_PARSE, rule, lookup_line (rule->reader, node),
                      "“sensors” must be an array of sensor names, found %s",
                      JSON_NODE_HOLDS_ARRAY (node) ? "an empty array" : node_kind (node));
      return FALSE;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!node_is_string (element))
        {
          set_rule_error (error, VIGIL_ENGINE_ERROR_PARSE, rule,
                          lookup_line (rule->reader, element),
                          "“sensors” must hold sensor names, found %s", node_kind (element));
          return FALSE;
        }
      if (!parse_sensor_name (rule, element, sensors, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
read_sensors (RuleReader  *rule,
              VigilRule   *out,
              GError     **error)
{
  static const char * const targets[] = { "sensor", "sensors", "family", "component", "camera" };
  const char *given[G_N_ELEMENTS (targets)];
  guint n_given = 0;
  JsonNode *node;

  /* In file order, so that a second target is reported where it stands. */
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      if (!json_object_has_member (rule->object, targets[i]))
        continue;
      given[n_given] = targets[i];
      for (guint j = n_given++;
           j > 0 && member_line (rule, given[j - 1]) > member_line (rule, given[j]);
           j--)
        {
          const char *tmp = given[j - 1];

          given[j - 1] = given[j];
          given[j] = tmp;
        }
    }

  if (n_given == 0)
    {
      set_rule_error (error, VIGIL_ENGINE_ERROR_PARSE, rule, rule->line,
                      "missing “sensor”, “sensors”, “family”, “component” or “camera”");
      return FALSE;
    }
  if (n_given > 1)
    {
      set_rule_error (error, VIGIL_ENGINE_ERROR_PARSE, rule, member_line (rule, given[1]),
                      "both “%s” and “%s” given (use exactly one of sensor, sensors, family, "
                      "component or camera)",
                      given[0], given[1]);
      return FALSE;
    }

  out->sensors = 0;
  if (g_str_equal (given[0], "camera"))
    return read_camera (rule, json_object_get_member (rule->object, "camera"), &out->sensors,
                        error);
  if (g_str_equal (given[0], "sensors"))
    return read_sensor_list (rule, json_object_get_member (rule->object, "sensors"),
                             &out->sensors, error);

  if ((node = get_member (rule, given[0], TRUE, FALSE, error)) == NULL)
    return FALSE;
  if (g_str_equal (given[0], "sensor"))
    return parse_sensor_name (rule, node, &out->sensors, error);
  if (g_str_equal (given[0], "component"))
    return read_component (rule, node, &out->sensors, error);

  return read_family (rule, node, &out->sensors, error);
}

static gboolean
read_choice (RuleReader          *rule,
             const char          *member,
             const char * const  *choices,
             guint                n_choices,
             const char          *expected,
             guint               *out,
             GError             **error)
{
  JsonNode *node = get_member (rule, member, TRUE, FALSE, error);
  const char *text;

  if (node == NULL)
    return FALSE;

  text = json_node_get_string (node);
  for (guint i = 0; i < n_choices; i++)
    {
      if (g_str_equal (text, choices[i]))
        {
          *out = i;
          return TRUE;
        }
    }

  set_rule_error (error, VIGIL_ENGINE_ERROR_INVALID, rule, lookup_line (rule->reader, node),
                  "unknown %s “%s” (expected %s)", member, text, expected);

  return FALSE;
}

/* Reads an optional or required number; @out keeps its value when an optional member is
 * absent. */
static gboolean
read_number (RuleReader  *rule,
             const char  *member,
             gboolean     required,
             double      *out,
             GError     **error)
{
  JsonNode *node = get_member (rule, member, required, TRUE, error);
  double value;

  /* Absent and optional is fine; absent and required, or of the wrong type, is not. */
  if (node == NULL)
    return !required && !json_object_has_member (rule->object, member);

  value = json_node_get_double (node);
  if (!isfinite (value))
    {
      set_rule_error (error, VIGIL_ENGINE_ERROR_INVALID, rule, lookup_line (rule->reader, node),
                      "“%s” must be a finite number", member);
      return FALSE;
    }

  /* -0 would not survive the canonical JSON's round trip as itself. */
  *out = value == 0 ? 0 : value;

  return TRUE;
}

static gboolean
read_delay (RuleReader  *rule,
            const char  *member,
            gint64      *out_us,
            GError     **error)
{
  double seconds = 0;

  if (!read_number (rule, member, FALSE, &seconds, error))
    return FALSE;

  if (seconds < 0 || seconds > MAX_DELAY_SECONDS)
    {
      g_autofree char *text = format_number (seconds);

      set_rule_error (error, VIGIL_ENGINE_ERROR_INVALID, rule, member_line (rule, member),
                      "“%s” must be a number of seconds from 0 to %.0f, found %s", member,
                      MAX_DELAY_SECONDS, text);
      return FALSE;
    }

  *out_us = (gint64) llround (seconds * (double) VIGIL_USEC_PER_SEC);

  return TRUE;
}

static gboolean
clear_on_clearing_side (const VigilRule *rule)
{
  if (rule->compare == VIGIL_COMPARE_GT || rule->compare == VIGIL_COMPARE_GE)
    return rule->clear_threshold <= rule->threshold;

  return rule->clear_threshold >= rule->threshold;
}

static gboolean
check_members (RuleReader  *rule,
               GError     **error)
{
  g_autoptr(GList) members = json_object_get_members (rule->object);
  const char *unknown = NULL;
  guint unknown_line = G_MAXUINT;

  for (const GList *l = members; l != NULL; l = l->next)
    {
      gboolean known = FALSE;
      guint line = member_line (rule, l->data);

      for (guint i = 0; i < G_N_ELEMENTS (rule_members); i++)
        known |= g_str_equal (rule_members[i], l->data);

      if (!known && line < unknown_line)
        {
          unknown = l->data;
          unknown_line = line;
        }
    }

  if (unknown != NULL)
    {
      set_rule_error (error, VIGIL_ENGINE_ERROR_PARSE, rule, unknown_line,
                      "unknown member “%s” (expected name, sensor, sensors, family, component, "
                      "camera, statistic, class, operator, threshold, clear, severity, on_delay "
                      "or off_delay)", unknown);
      return FALSE;
    }

  return TRUE;
}

/* Which kind of key a statistic belongs to: 0 sensors, 1 components, 2 cameras. */
static guint
stat_kind (VigilStat stat)
{
  if (stat == VIGIL_STAT_PROBABILITY || stat == VIGIL_STAT_PREDICTED)
    return 1;
  if (stat >= VIGIL_STAT_DENSITY)
    return 2;
  return 0;
}

/* Window statistics belong to sensors, probability and predicted to components, the traffic
 * statistics to cameras; "class" goes with probability alone. */
static gboolean
read_statistic_use (RuleReader  *rule,
                    VigilRule   *out,
                    VigilStat    stat,
                    GError     **error)
{
  static const char * const wants[][2] = {
    { "sensors", "count, avg, min, max, stddev or range" },
    { "a component", "probability or predicted" },
    { "cameras", "density, speed, vehicles or status" },
  };
  guint kind = vigil_rule_is_on_component (out) ? 1 : vigil_rule_is_on_camera (out) ? 2 : 0;
  double klass = 0;

  out->stat = stat;
  out->klass = 0;

  if (kind != stat_kind (stat))
    {
      if (kind == 0 && stat_kind (stat) == 1)
        set_rule_error (error, VIGIL_ENGINE_ERROR_INVALID, rule, member_line (rule, "statistic"),
                        "the statistic “%s” is of a component's predicted condition: give "
                        "“component” instead of sensors", _vigil_stat_names[stat]);
      else if (kind == 0)
        set_rule_error (error, VIGIL_ENGINE_ERROR_INVALID, rule, member_line (rule, "statistic"),
                        "the statistic “%s” is of a camera's traffic: give “camera”: true "
                        "instead of sensors", _vigil_stat_names[stat]);
      else
        set_rule_error (error, VIGIL_ENGINE_ERROR_INVALID, rule, member_line (rule, "statistic"),
                        "a rule on %s takes the statistic %s, not “%s”", wants[kind][0],
                        wants[kind][1], _vigil_stat_names[stat]);
      return FALSE;
    }

  if (stat != VIGIL_STAT_PROBABILITY)
    {
      if (json_object_has_member (rule->object, "class"))
        {
          set_rule_error (error, VIGIL_ENGINE_ERROR_INVALID, rule, member_line (rule, "class"),
                          "“class” goes only with the statistic probability");
          return FALSE;
        }
      return TRUE;
    }

  if (!read_number (rule, "class", TRUE, &klass, error))
    return FALSE;
  if (klass != floor (klass) || fabs (klass) > G_MAXINT32)
    {
      g_autofree char *text = format_number (klass);

      set_rule_error (error, VIGIL_ENGINE_ERROR_INVALID, rule, member_line (rule, "class"),
                      "“class” must be a whole number in the dataset's units (e.g. 3, 20 or 100 "
                      "for the cooler), found %s", text);
      return FALSE;
    }
  out->klass = (int) klass;

  return TRUE;
}

static gboolean
read_rule (RuleReader  *rule,
           VigilRule   *out,
           GError     **error)
{
  /* Spelled as everywhere else in the engine, from the one table in vigil-records.c. */
  const char * const severity_names[] = {
    vigil_severity_to_string (VIGIL_SEVERITY_WARNING),
    vigil_severity_to_string (VIGIL_SEVERITY_CRITICAL),
  };
  guint stat, compare, severity;

  out->line = rule->line;

  if (!check_members (rule, error) ||
      !read_name (rule, out, error) ||
      !read_sensors (rule, out, error) ||
      !read_choice (rule, "statistic", _vigil_stat_names, G_N_ELEMENTS (_vigil_stat_names),
                    "count, avg, min, max, stddev, range, probability, predicted, density, "
                    "speed, vehicles or status", &stat,
                    error) ||
      !read_statistic_use (rule, out, (VigilStat) stat, error) ||
      !read_choice (rule, "operator", _vigil_compare_names, G_N_ELEMENTS (_vigil_compare_names),
                    ">, >=, < or <=", &compare, error) ||
      !read_number (rule, "threshold", TRUE, &out->threshold, error))
    return FALSE;

  out->compare = (VigilCompare) compare;
  out->clear_threshold = out->threshold;

  if (!read_number (rule, "clear", FALSE, &out->clear_threshold, error))
    return FALSE;

  if (!clear_on_clearing_side (out))
    {
      g_autofree char *clear = format_number (out->clear_threshold);
      g_autofree char *threshold = format_number (out->threshold);
      gboolean above = out->compare == VIGIL_COMPARE_GT || out->compare == VIGIL_COMPARE_GE;

      set_rule_error (error, VIGIL_ENGINE_ERROR_INVALID, rule, member_line (rule, "clear"),
                      "clear %s is on the raising side of threshold %s "
                      "(with “%s” it must be %s %s)",
                      clear, threshold, _vigil_compare_names[compare], above ? "<=" : ">=",
                      threshold);
      return FALSE;
    }

  if (!read_choice (rule, "severity", severity_names, G_N_ELEMENTS (severity_names),
                    "warning or critical", &severity, error) ||
      !read_delay (rule, "on_delay", &out->on_delay_us, error) ||
      !read_delay (rule, "off_delay", &out->off_delay_us, error))
    return FALSE;

  out->severity = (VigilSeverity) severity;

  return TRUE;
}

/* One name may stand for several rules (a threshold per sensor), but never twice on a sensor:
 * operators acknowledge and shelve alarms by rule name and sensor. */
static gboolean
check_names (RulesReader   *reader,
             VigilRuleSet  *set,
             GPtrArray     *objects,
             GError       **error)
{
  for (guint i = 1; i < set->n_rules; i++)
    {
      for (guint j = 0; j < i; j++)
        {
          guint32 both = set->rules[i].sensors & set->rules[j].sensors;
          JsonNode *name;

          if (set->rules[i].name != set->rules[j].name || both == 0)
            continue;

          name = json_object_get_member (g_ptr_array_index (objects, i), "name");
          set_error (error, VIGIL_ENGINE_ERROR_INVALID, reader->origin,
                     lookup_line (reader, name),
                     "rule “%s”: a rule of that name (line %u) already applies to %s",
                     set->rules[i].name, set->rules[j].line,
                     vigil_key_get_name (g_bit_nth_lsf (both, -1)));
          return FALSE;
        }
    }

  return TRUE;
}

static char *
rule_label (JsonNode *node,
            guint     index)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonNode *name = object != NULL ? json_object_get_member (object, "name") : NULL;

  if (name != NULL && node_is_string (name) && name_is_valid (json_node_get_string (name)))
    return g_strdup_printf ("rule “%s”", json_node_get_string (name));

  return g_strdup_printf ("rule %u", index + 1);
}

static VigilRuleSet *
read_rules (RulesReader  *reader,
            JsonObject   *root,
            GError      **error)
{
  g_autoptr(GList) members = json_object_get_members (root);
  g_autoptr(GPtrArray) objects = g_ptr_array_new ();
  g_autoptr(VigilRuleSet) set = NULL;
  JsonNode *rules_node;
  JsonArray *rules;

  for (const GList *l = members; l != NULL; l = l->next)
    {
      if (!g_str_equal (l->data, "rules"))
        {
          set_error (error, VIGIL_ENGINE_ERROR_PARSE, reader->origin,
                     lookup_line (reader, json_object_get_member (root, l->data)),
                     "unknown member “%s” (expected “rules”)", (const char *) l->data);
          return NULL;
        }
    }

  rules_node = json_object_get_member (root, "rules");
  if (rules_node == NULL)
    {
      set_error (error, VIGIL_ENGINE_ERROR_PARSE, reader->origin, lookup_line (reader, root),
                 "missing member “rules” (an array of rules)");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_ARRAY (rules_node))
    {
      set_error (error, VIGIL_ENGINE_ERROR_PARSE, reader->origin, lookup_line (reader, rules_node),
                 "“rules” must be an array, found %s", node_kind (rules_node));
      return NULL;
    }

  rules = json_node_get_array (rules_node);
  set = _vigil_rule_set_alloc (json_array_get_length (rules));

  for (guint i = 0; i < set->n_rules; i++)
    {
      JsonNode *node = json_array_get_element (rules, i);
      g_autofree char *label = rule_label (node, i);
      RuleReader rule = { reader, NULL, lookup_line (reader, node), label };

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          set_error (error, VIGIL_ENGINE_ERROR_PARSE, reader->origin, rule.line,
                     "%s must be an object, found %s", label, node_kind (node));
          return NULL;
        }

      rule.object = json_node_get_object (node);
      g_ptr_array_add (objects, rule.object);
      if (!read_rule (&rule, &set->rules[i], error))
        return NULL;
    }

  if (!check_names (reader, set, objects, error))
    return NULL;

  return g_steal_pointer (&set);
}

static void
set_syntax_error (RulesReader  *reader,
                  const GError *parse_error,
                  GError      **error)
{
  g_autofree char *position = NULL;
  const char *reason = parse_error->message;
  const char *p;

  /* json-glib words it "<data>:LINE:COLUMN: Parse error: REASON"; keep the reason. */
  if (reader->error_line > 0)
    {
      position = g_strdup_printf (":%u:%u: ", reader->error_line, reader->error_column);
      if ((p = strstr (reason, position)) != NULL)
        reason = p + strlen (position);
    }
  if (g_str_has_prefix (reason, "Parse error: "))
    reason += strlen ("Parse error: ");

  set_error (error, VIGIL_ENGINE_ERROR_PARSE, reader->origin, MAX (reader->error_line, 1),
             "invalid JSON (column %u): %s", reader->error_column, reason);
}

static void
rules_reader_clear (RulesReader *reader)
{
  g_clear_pointer (&reader->lines, g_hash_table_unref);
  g_clear_pointer (&reader->n_members, g_hash_table_unref);
  g_clear_pointer (&reader->open_lines, g_array_unref);
  g_clear_pointer (&reader->repeated_name, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RulesReader, rules_reader_clear)

static VigilRuleSet *
read_root (RulesReader  *reader,
           JsonNode     *root,
           const char   *data,
           gsize         length,
           GError      **error)
{
  const char *text = data;

  if (root == NULL)
    {
      set_error (error, VIGIL_ENGINE_ERROR_PARSE, reader->origin, 1,
                 "the file is empty (expected an object with a “rules” array)");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      while (text < data + length && g_ascii_isspace (*text))
        text++;
      set_error (error, VIGIL_ENGINE_ERROR_PARSE, reader->origin, line_at (data, text),
                 "expected an object with a “rules” array, found %s", node_kind (root));
      return NULL;
    }
  /* Before anything else: which of the two values was meant is anyone's guess. */
  if (reader->repeated_name != NULL)
    {
      set_error (error, VIGIL_ENGINE_ERROR_PARSE, reader->origin, reader->repeated_line,
                 "member “%s” is given twice in one object", reader->repeated_name);
      return NULL;
    }

  return read_rules (reader, json_node_get_object (root), error);
}

/* When @data starts with an object or array that closes and more than white space follows,
 * returns where that more begins; otherwise NULL (json-glib then judges the whole text). */
static const char *
container_end (const char *data,
               gsize       length)
{
  const char *p = data, *end = data + length;
  guint depth = 0;

  while (p < end && g_ascii_isspace (*p))
    p++;
  if (p == end || (*p != '{' && *p != '['))
    return NULL;

  for (; p < end; p++)
    {
      if (*p == '"')
        {
          for (p++; p < end && *p != '"'; p++)
            if (*p == '\\')
              p++;
          if (p >= end)
            return NULL;
        }
      else if (*p == '{' || *p == '[')
        depth++;
      else if ((*p == '}' || *p == ']') && --depth == 0)
        break;
    }
  if (p >= end)
    return NULL;

  for (p++; p < end && g_ascii_isspace (*p); p++)
    ;

  return p < end ? p : NULL;
}

VigilRuleSet *
vigil_rule_set_new_from_data (const char  *data,
                              gssize       length,
                              const char  *origin,
                              GError     **error)
{
  g_auto(RulesReader) reader = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) parse_error = NULL;
  const char *invalid;
  const char *trailing;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length < 0)
    length = strlen (data);
  reader.origin = origin != NULL ? origin : "<data>";

  /* Found here rather than by json-glib, which cannot say where. */
  if (!g_utf8_validate (data, length, &invalid))
    {
      set_error (error, VIGIL_ENGINE_ERROR_PARSE, reader.origin, line_at (data, invalid),
                 "the file is not UTF-8 text");
      return NULL;
    }

  reader.lines = g_hash_table_new (NULL, NULL);
  reader.n_members = g_hash_table_new (NULL, NULL);
  reader.open_lines = g_array_new (FALSE, FALSE, sizeof (guint));

  parser = json_parser_new ();
  g_signal_connect (parser, "object-start", G_CALLBACK (on_container_start), &reader);
  g_signal_connect (parser, "array-start", G_CALLBACK (on_container_start), &reader);
  g_signal_connect (parser, "object-end", G_CALLBACK (on_container_end), &reader);
  g_signal_connect (parser, "array-end", G_CALLBACK (on_container_end), &reader);
  g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member), &reader);
  g_signal_connect (parser, "array-element", G_CALLBACK (on_array_element), &reader);
  g_signal_connect (parser, "error", G_CALLBACK (on_error), &reader);

  /* json-glib 1.6 parses a second top-level value, drops it without a word and leaks it:
   * give it only the first one and refuse the rest here. */
  trailing = container_end (data, length);
  if (!json_parser_load_from_data (parser, data, trailing != NULL ? trailing - data : length,
                                   &parse_error))
    {
      set_syntax_error (&reader, parse_error, error);
      return NULL;
    }
  if (trailing != NULL)
    {
      set_error (error, VIGIL_ENGINE_ERROR_PARSE, reader.origin, line_at (data, trailing),
                 "unexpected content after the top-level object");
      return NULL;
    }

  return read_root (&reader, json_parser_get_root (parser), data, length, error);
}

VigilRuleSet *
vigil_rule_set_new_from_file (const char  *path,
                              GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *display = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                   "could not read the rules file: %s", local_error->message);
      return NULL;
    }

  display = g_filename_display_name (path);

  return vigil_rule_set_new_from_data (contents, length, display, error);
}

/* Canonical JSON --------------------------------------------------------------------------- */
