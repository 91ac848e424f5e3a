/* vigil-journal-entry.h
 *
 * One line of the alarm journal (a copy of a VigilAlarmTransition) as a list item.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "vigil-records.h"

G_BEGIN_DECLS

#define VIGIL_TYPE_JOURNAL_ENTRY (vigil_journal_entry_get_type ())
G_DECLARE_FINAL_TYPE (VigilJournalEntry, vigil_journal_entry, VIGIL, JOURNAL_ENTRY, GObject)

VigilJournalEntry          *vigil_journal_entry_new (const VigilAlarmTransition *transition);
const VigilAlarmTransition *vigil_journal_entry_get (VigilJournalEntry          *self);

G_END_DECLS
