/* vigil-journal-entry.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vigil-journal-entry.h"

struct _VigilJournalEntry
{
  GObject              parent_instance;

  VigilAlarmTransition transition;   /* owns its comment */
};

G_DEFINE_FINAL_TYPE (VigilJournalEntry, vigil_journal_entry, G_TYPE_OBJECT)

static void
vigil_journal_entry_finalize (GObject *object)
{
  vigil_alarm_transition_clear (&VIGIL_JOURNAL_ENTRY (object)->transition);

  G_OBJECT_CLASS (vigil_journal_entry_parent_class)->finalize (object);
}

static void
vigil_journal_entry_class_init (VigilJournalEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vigil_journal_entry_finalize;
}

static void
vigil_journal_entry_init (VigilJournalEntry *self)
{
}

VigilJournalEntry *
vigil_journal_entry_new (const VigilAlarmTransition *transition)
{
  VigilJournalEntry *self;

  g_return_val_if_fail (transition != NULL, NULL);

  self = g_object_new (VIGIL_TYPE_JOURNAL_ENTRY, NULL);
  self->transition = *transition;
  self->transition.comment = g_strdup (transition->comment);

  return self;
}

const VigilAlarmTransition *
vigil_journal_entry_get (VigilJournalEntry *self)
{
  g_return_val_if_fail (VIGIL_IS_JOURNAL_ENTRY (self), NULL);

  return &self->transition;
}
