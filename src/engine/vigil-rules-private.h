/* vigil-rules-private.h
 *
 * What the rule set and its JSON reader share inside the engine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vigil-rules.h"

G_BEGIN_DECLS

struct _VigilRuleSet
{
  gatomicrefcount ref_count;
  guint           n_rules;
  VigilRule       rules[];
};

#define _VIGIL_N_STATS 12
#define _VIGIL_N_COMPARES 4

extern const char * const _vigil_stat_names[_VIGIL_N_STATS];
extern const char * const _vigil_compare_names[_VIGIL_N_COMPARES];

VigilRuleSet *_vigil_rule_set_alloc (guint n_rules);

G_END_DECLS
