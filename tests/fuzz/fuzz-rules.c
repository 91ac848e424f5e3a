/* fuzz-rules.c
 *
 * Rules files (vigil-rules-reader.c). The input is the file. A rule set that loads has rules
 * that can be evaluated (a name, finite thresholds, delays that are not negative, keys that
 * exist) and its canonical JSON loads again into the same canonical JSON; a refusal is a PARSE
 * or INVALID error that starts with the file's name.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "vigil-rules.h"
#include "vigil-sensor.h"

#include "fuzz-common.h"

static const int rules_codes[] = { VIGIL_ENGINE_ERROR_PARSE, VIGIL_ENGINE_ERROR_INVALID, -1 };

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(VigilRuleSet) rules = NULL;
  g_autoptr(VigilRuleSet) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_again = NULL;

  rules = vigil_rule_set_new_from_data ((const char *) data, (gssize) size, "fuzz.json",
                                        &error);
  if (rules == NULL)
    {
      fuzz_check_error (error, NULL, rules_codes);
      if (!g_str_has_prefix (error->message, "fuzz.json"))
        fprintf (stderr, "the error does not start with the file: %s\n", error->message);
      FUZZ_CHECK (g_str_has_prefix (error->message, "fuzz.json"));
      return 0;
    }

  for (guint i = 0; i < vigil_rule_set_get_n_rules (rules); i++)
    {
      const VigilRule *rule = vigil_rule_set_get_rule (rules, i);

      FUZZ_CHECK (rule->name != NULL && rule->name[0] != '\0');
      FUZZ_CHECK (g_utf8_validate (rule->name, -1, NULL));
      FUZZ_CHECK (isfinite (rule->threshold) && isfinite (rule->clear_threshold));
      FUZZ_CHECK (rule->on_delay_us >= 0 && rule->off_delay_us >= 0);
      FUZZ_CHECK (rule->sensors != 0);
      FUZZ_CHECK ((rule->sensors >> VIGIL_N_KEYS) == 0);
      FUZZ_CHECK ((guint) rule->stat < 12 && (guint) rule->compare < 4);
      FUZZ_CHECK (vigil_stat_to_string (rule->stat) != NULL);
      FUZZ_CHECK (vigil_compare_to_string (rule->compare) != NULL);
      FUZZ_CHECK (rule->line >= 1);
    }

  json = vigil_rule_set_to_json (rules);
  again = vigil_rule_set_new_from_data (json, -1, "canonical.json", &error);
  if (again == NULL)
    fprintf (stderr, "canonical JSON refused: %s\n%s\n", error->message, json);
  FUZZ_CHECK (again != NULL);
  FUZZ_CHECK (vigil_rule_set_get_n_rules (again) == vigil_rule_set_get_n_rules (rules));
  json_again = vigil_rule_set_to_json (again);
  if (strcmp (json, json_again) != 0)
    fprintf (stderr, "canonical JSON changed:\n%s\n%s\n", json, json_again);
  FUZZ_CHECK (strcmp (json, json_again) == 0);
  return 0;
}
