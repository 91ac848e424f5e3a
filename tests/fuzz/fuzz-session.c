/* fuzz-session.c
 *
 * Recorded sessions: a store file from anywhere, opened as the Sessions page and the player
 * open one (vigil_store_open_readonly(), its reads and exports, vigil_recording_open()). The
 * input is the file. It is opened, read and played from, or refused with an engine error
 * saying why; either way its bytes never change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "vigil-recording.h"
#include "vigil-store.h"

#include "fuzz-common.h"

static const int store_codes[] = {
  VIGIL_ENGINE_ERROR_IO, VIGIL_ENGINE_ERROR_PARSE, VIGIL_ENGINE_ERROR_INVALID,
  VIGIL_ENGINE_ERROR_NOT_FOUND, VIGIL_ENGINE_ERROR_STORE, VIGIL_ENGINE_ERROR_SCHEMA, -1
};

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  return 0;
}

/* Drains one export into memory: it must finish or fail with an error. */
static void
check_export (VigilStore             *store,
              VigilStoreExportFunc    export_func,
              const VigilStoreFilter *filter)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  if (!export_func (store, filter, out, NULL, &error))
    fuzz_check_error (error, NULL, store_codes);
}

static void
read_store (const char *path)
{
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GError) error = NULL;
  VigilStoreFilter filter;

  store = vigil_store_open_readonly (path, &error);
  if (store == NULL)
    {
      fuzz_check_error (error, NULL, store_codes);
      return;
    }

  sessions = vigil_store_list_sessions (store, &error);
  if (sessions == NULL)
    {
      fuzz_check_error (error, NULL, store_codes);
      g_clear_error (&error);
    }

  vigil_store_filter_init (&filter);
  {
    g_autoptr(GArray) windows = vigil_store_read_windows (store, &filter, &error);

    if (windows == NULL)
      {
        fuzz_check_error (error, NULL, store_codes);
        g_clear_error (&error);
      }
  }
  {
    g_autoptr(GArray) journal = vigil_store_read_journal (store, &filter, &error);

    if (journal == NULL)
      {
        fuzz_check_error (error, NULL, store_codes);
        g_clear_error (&error);
      }
  }
  check_export (store, vigil_store_export_windows, &filter);
  check_export (store, vigil_store_export_alarms, &filter);
  check_export (store, vigil_store_export_journal, &filter);

  if (!vigil_store_close (store, &error))
    fuzz_check_error (error, NULL, store_codes);
}

static void
play (const char *path)
{
  g_autoptr(VigilRecording) recording = NULL;
  g_autoptr(GError) error = NULL;

  recording = vigil_recording_open (path, 0, &error);
  if (recording == NULL)
    {
      fuzz_check_error (error, NULL, store_codes);
      return;
    }
  FUZZ_CHECK (vigil_recording_get_summary (recording) != NULL);
  FUZZ_CHECK (vigil_recording_get_rules (recording) != NULL);
  FUZZ_CHECK (vigil_recording_get_end (recording) >=
              vigil_recording_get_summary (recording)->end_us);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *path = fuzz_write_file ("session.vigil", data, size);
  g_autofree char *after = NULL;
  gsize after_len = 0;

  read_store (path);
  play (path);

  FUZZ_CHECK (g_file_get_contents (path, &after, &after_len, NULL));
  FUZZ_CHECK (after_len == size && memcmp (after, data, size) == 0);
  g_unlink (path);
  /* A file that claims WAL mode may get its side files from a reader; they go with it. */
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  return 0;
}
