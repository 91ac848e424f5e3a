/* test-store-export.c
 *
 * The store's CSV exports: field formatting, windows, alarms and the journal under every
 * filter, cancellation, and `vigil-cli export` with its failures.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <sys/wait.h>

#include "vigil-csv.h"
#include "vigil-error.h"
#include "vigil-sensor.h"
#include "vigil-store.h"

#include "store-test-helpers.h"

/* CSV ---------------------------------------------------------------------------------------- */

static void
test_csv_fields (void)
{
  g_autoptr(GString) s = g_string_new (NULL);
  const char *texts[] = { "PS1", "a,b", "say \"hi\"", "two\nlines", "cr\rhere", "", "ü °C" };
  const char *expected_texts[] = {
    "PS1", "\"a,b\"", "\"say \"\"hi\"\"\"", "\"two\nlines\"", "\"cr\rhere\"", "", "ü °C",
  };
  struct { double value; const char *text; } numbers[] = {
    { 0.1, "0.10000000000000001" }, { 42, "42" }, { -2.5, "-2.5" },
    { 1e300, "1.0000000000000001e+300" },
    { 1.0 / 3, "0.33333333333333331" }, { NAN, "" }, { 0, "0" },
  };
  struct { gint64 time_us; const char *text; } times[] = {
    { T0, "2025-01-01T00:00:00.000Z" },
    { T0 + 10250999, "2025-01-01T00:00:10.250Z" },
    { -1, "1969-12-31T23:59:59.999Z" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_string_truncate (s, 0);
      vigil_csv_append_text (s, texts[i]);
      g_assert_cmpstr (s->str, ==, expected_texts[i]);
    }
  g_string_truncate (s, 0);
  vigil_csv_append_text (s, NULL);
  g_assert_cmpstr (s->str, ==, "");

  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      g_string_truncate (s, 0);
      vigil_csv_append_double (s, numbers[i].value);
      g_assert_cmpstr (s->str, ==, numbers[i].text);
    }

  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      g_string_truncate (s, 0);
      vigil_csv_append_time (s, times[i].time_us);
      g_assert_cmpstr (s->str, ==, times[i].text);
    }

  g_string_truncate (s, 0);
  vigil_csv_append_int (s, G_MININT64);
  g_assert_cmpstr (s->str, ==, "-9223372036854775808");
}

/* Exports ------------------------------------------------------------------------------------ */

typedef gboolean (*ExportFunc) (VigilStore *, const VigilStoreFilter *, GOutputStream *,
                                GCancellable *, GError **);

static char *
export_text (VigilStore             *store,
             ExportFunc              func,
             const VigilStoreFilter *filter,
             GError                **error)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  if (!func (store, filter, out, NULL, error))
    return NULL;

  g_assert_true (g_output_stream_close (out, NULL, NULL));
  return g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
}

static void
assert_export (VigilStore             *store,
               ExportFunc              func,
               const VigilStoreFilter *filter,
               const char             *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = export_text (store, func, filter, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, expected);
}

#define WINDOWS_HEADER "sensor,window_start,window_end,count,avg,min,max,stddev,range\n"
#define ROW_PS1 "PS1,2025-01-01T00:00:00.000Z,2025-01-01T00:01:00.000Z,6000,151.25,140,160.5,2.5," \
                "20.5\n"
#define ROW_PS2 "PS2,2025-01-01T00:00:00.000Z,2025-01-01T00:01:00.000Z,6000," \
                "0.10000000000000001,0,1.5,0.25,1.5\n"
#define ROW_EPS1 "EPS1,2025-01-01T00:00:10.250Z,2025-01-01T00:01:10.250Z,6000,2500,2400,2600," \
                 "50.5,200\n"
#define ROW_TS1 "TS1,2025-01-01T00:00:10.250Z,2025-01-01T00:01:10.250Z,60,35.625,35,36.25," \
                "0.10000000000000001,1.25\n"
#define ROW_SE "SE,2025-01-01T00:00:10.250Z,2025-01-01T00:01:10.250Z,1,68.5,68.5,68.5,,0\n"

static void
test_export_windows (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  g_autoptr(VigilStore) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  VigilStoreFilter filter;
  VigilStoreBatch *batch;
  gint64 a, b;

  vigil_store_filter_init (&filter);
  g_assert_cmpint (filter.session_id, ==, 0);
  g_assert_cmpint (filter.sensors, ==, 0);
  g_assert_cmpint (filter.from_us, ==, G_MININT64);
  g_assert_cmpint (filter.to_us, ==, G_MAXINT64);

  /* No session at all: just the header. */
  assert_export (store, vigil_store_export_windows, &filter, WINDOWS_HEADER);

  a = ensure_session (store, &session_a);
  vigil_store_submit (store, windows_batch (a));
  b = ensure_session (store, &session_b);
  batch = vigil_store_batch_new (b);
  g_array_append_vals (batch->windows, (VigilWindowStats[]) {
    window (VIGIL_SENSOR_CP, T0 + SEC (20), 60, 1, 1, 1, 0) }, 1);
  vigil_store_submit (store, batch);
  flush_store (store);

  /* Session 0: the latest. */
  assert_export (store, vigil_store_export_windows, &filter,
                 WINDOWS_HEADER
                 "CP,2025-01-01T00:00:20.000Z,2025-01-01T00:01:20.000Z,60,1,1,1,0,0\n");

  filter.session_id = a;
  assert_export (store, vigil_store_export_windows, &filter,
                 WINDOWS_HEADER ROW_PS1 ROW_PS2 ROW_EPS1 ROW_TS1 ROW_SE);

  filter.sensors = 1u << VIGIL_SENSOR_SE | 1u << VIGIL_SENSOR_PS1;
  assert_export (store, vigil_store_export_windows, &filter, WINDOWS_HEADER ROW_PS1 ROW_SE);

  filter.sensors = 0;
  filter.from_us = T0 + SEC (10.25);
  assert_export (store, vigil_store_export_windows, &filter,
                 WINDOWS_HEADER ROW_EPS1 ROW_TS1 ROW_SE);

  filter.from_us = G_MININT64;
  filter.to_us = T0 + SEC (10.25);
  assert_export (store, vigil_store_export_windows, &filter, WINDOWS_HEADER ROW_PS1 ROW_PS2);

  filter.from_us = T0 + 1;
  assert_export (store, vigil_store_export_windows, &filter, WINDOWS_HEADER);

  filter.from_us = T0 + SEC (20);
  g_assert_null (export_text (store, vigil_store_export_windows, &filter, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  vigil_store_filter_init (&filter);
  filter.session_id = b + 10;
  text = export_text (store, vigil_store_export_windows, &filter, &error);
  g_assert_null (text);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  close_store (store);

  /* The same through a read-only store. */
  reader = vigil_store_open_readonly (f->path, &error);
  g_assert_no_error (error);
  filter.session_id = a;
  assert_export (reader, vigil_store_export_windows, &filter,
                 WINDOWS_HEADER ROW_PS1 ROW_PS2 ROW_EPS1 ROW_TS1 ROW_SE);
}

#define ALARMS_HEADER "rule,sensor,severity,state,raised_at,acknowledged_at,cleared_at,value," \
                      "peak,shelved_until,comment\n"
#define JOURNAL_HEADER "time,rule,sensor,severity,from,to,cause,shelved,value,comment\n"
#define JOURNAL_SE \
  "2025-01-01T00:01:00.000Z,low_efficiency,SE,warning,normal,active-unacked,condition,0," \
  "0.10000000000000001,\n" \
  "2025-01-01T00:01:05.000Z,low_efficiency,SE,warning,active-unacked,active-unacked,shelve,1,," \
  "maintenance\n"

static void
test_export_alarms (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  VigilStoreFilter filter;
  gint64 id = ensure_session (store, &session_a);

  vigil_store_submit (store, alarm_batch (id));
  vigil_store_submit (store, windows_batch (id));
  flush_store (store);

  vigil_store_filter_init (&filter);
  assert_export (store, vigil_store_export_alarms, &filter,
                 ALARMS_HEADER
                 "high_pressure,PS1,critical,normal,2025-01-01T00:01:00.000Z,"
                 "2025-01-01T00:01:15.500Z,2025-01-01T00:02:00.000Z,161.25,170.75,,"
                 "\"checked, \"\"ok\"\"\"\n"
                 "low_efficiency,SE,warning,active-unacked,2025-01-01T00:01:00.000Z,,,"
                 "0.10000000000000001,0.10000000000000001,2025-01-01T01:01:05.000Z,\n");

  filter.sensors = 1u << VIGIL_SENSOR_SE;
  assert_export (store, vigil_store_export_alarms, &filter,
                 ALARMS_HEADER
                 "low_efficiency,SE,warning,active-unacked,2025-01-01T00:01:00.000Z,,,"
                 "0.10000000000000001,0.10000000000000001,2025-01-01T01:01:05.000Z,\n");

  filter.sensors = 0;
  filter.from_us = T0 + SEC (60) + 1;
  assert_export (store, vigil_store_export_alarms, &filter, ALARMS_HEADER);

  vigil_store_filter_init (&filter);
  assert_export (store, vigil_store_export_journal, &filter,
                 JOURNAL_HEADER
                 "2025-01-01T00:00:50.000Z,high_pressure,PS1,critical,normal,pending,condition,"
                 "0,160.5,\n"
                 "2025-01-01T00:01:00.000Z,high_pressure,PS1,critical,pending,active-unacked,"
                 "timer,0,161.25,\n"
                 "2025-01-01T00:01:00.000Z,low_efficiency,SE,warning,normal,active-unacked,"
                 "condition,0,0.10000000000000001,\n"
                 "2025-01-01T00:01:05.000Z,low_efficiency,SE,warning,active-unacked,"
                 "active-unacked,shelve,1,,maintenance\n"
                 "2025-01-01T00:01:15.500Z,high_pressure,PS1,critical,active-unacked,"
                 "active-acked,ack,0,,\"checked, \"\"ok\"\"\"\n"
                 "2025-01-01T00:01:30.000Z,high_pressure,PS1,critical,active-acked,clearing,"
                 "condition,0,150.5,\n"
                 "2025-01-01T00:01:40.000Z,high_pressure,PS1,critical,clearing,active-acked,"
                 "condition,0,170.75,\n"
                 "2025-01-01T00:01:50.000Z,high_pressure,PS1,critical,active-acked,clearing,"
                 "condition,0,149.5,\n"
                 "2025-01-01T00:02:00.000Z,high_pressure,PS1,critical,clearing,normal,timer,0,"
                 "148.25,\n");

  filter.sensors = 1u << VIGIL_SENSOR_SE;
  assert_export (store, vigil_store_export_journal, &filter, JOURNAL_HEADER JOURNAL_SE);

  filter.sensors = 0;
  filter.from_us = T0 + SEC (60);
  filter.to_us = T0 + SEC (75.5);
  assert_export (store, vigil_store_export_journal, &filter,
                 JOURNAL_HEADER
                 "2025-01-01T00:01:00.000Z,high_pressure,PS1,critical,pending,active-unacked,"
                 "timer,0,161.25,\n" JOURNAL_SE);
  close_store (store);
}

static void
test_export_cancelled (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  VigilStoreFilter filter;
  gint64 id = ensure_session (store, &session_a);

  vigil_store_submit (store, windows_batch (id));
  flush_store (store);

  vigil_store_filter_init (&filter);
  g_cancellable_cancel (cancellable);
  g_assert_false (vigil_store_export_windows (store, &filter, out, cancellable, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_CANCELLED);
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)), ==, 0);
  close_store (store);
}

/* vigil-cli export --------------------------------------------------------------------------- */

static const char *
cli_path (void)
{
  const char *cli = g_getenv ("VIGIL_CLI");

  g_assert_nonnull (cli);

  return cli;
}

static int
run_cli (const char * const *args,
         char              **out_stdout,
         char              **out_stderr)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (gpointer) cli_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out_stdout,
                out_stderr, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));

  return WEXITSTATUS (status);
}

static void
assert_cli_fails (const char * const *args,
                  int                 code,
                  const char         *stderr_pattern)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_cli (args, &out, &err), ==, code);
  g_assert_cmpstr (out, ==, "");
  if (!g_pattern_match_simple (stderr_pattern, err))
    g_error ("stderr “%s” does not match “%s”", err, stderr_pattern);
}

static void
test_cli_export (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autofree char *csv = g_build_filename (f->dir, "out.csv", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "missing.vigil", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *contents = NULL;
  gint64 id = ensure_session (store, &session_a);

  vigil_store_submit (store, windows_batch (id));
  vigil_store_submit (store, alarm_batch (id));
  close_store (store);
  before = read_bytes (f->path);

  {
    const char *args[] = { "export", "windows", "--db", f->path, "--out", csv, "--sensor",
                           "PS1", "--sensor", "TS1,SE", "--from", "2025-01-01T00:00:00Z",
                           "--to", "2025-01-01T00:00:10.251Z", NULL };

    g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
    g_assert_cmpstr (out, ==, "");
    g_assert_cmpstr (err, ==, "");
    g_assert_true (g_file_get_contents (csv, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, WINDOWS_HEADER ROW_PS1 ROW_TS1 ROW_SE);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  {
    const char *args[] = { "export", "journal", "--db", f->path, "--out", "-", "--session", "1",
                           "--sensor", "se", NULL };

    g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
    g_assert_cmpstr (out, ==, JOURNAL_HEADER JOURNAL_SE);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  {
    const char *args[] = { "export", "alarms", "--help", NULL };

    g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, "acknowledged_at"));
    g_assert_nonnull (strstr (out, "window_start"));
  }

  /* Failures leave the previous export as it was and no temporary file behind. */
  {
    const char *unknown_sensor[] = { "export", "windows", "--db", f->path, "--out", csv,
                                     "--sensor", "PS7", NULL };
    const char *no_db[] = { "export", "windows", "--out", csv, NULL };
    const char *no_file[] = { "export", "windows", "--db", missing, "--out", csv, NULL };
    const char *no_session[] = { "export", "alarms", "--db", f->path, "--out", csv,
                                 "--session", "9", NULL };
    const char *bad_kind[] = { "export", "samples", "--db", f->path, "--out", csv, NULL };
    const char *bad_time[] = { "export", "windows", "--db", f->path, "--out", csv,
                               "--from", "yesterday", NULL };
    g_autoptr(GDir) dir = NULL;
    const char *name;
    guint n_files = 0;

    assert_cli_fails (unknown_sensor, 2, "*unknown sensor “PS7”*");
    assert_cli_fails (no_db, 2, "*--db*");
    assert_cli_fails (no_file, 1, "vigil-cli: *missing.vigil does not exist\n");
    assert_cli_fails (no_session, 1, "vigil-cli: *has no session 9\n");
    assert_cli_fails (bad_kind, 2, "*samples*");
    assert_cli_fails (bad_time, 2, "*yesterday*");
    g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));

    g_clear_pointer (&contents, g_free);
    g_assert_true (g_file_get_contents (csv, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, WINDOWS_HEADER ROW_PS1 ROW_TS1 ROW_SE);

    dir = g_dir_open (f->dir, 0, NULL);
    while ((name = g_dir_read_name (dir)) != NULL)
      if (!g_str_has_prefix (name, "test.vigil"))
        {
          g_assert_cmpstr (name, ==, "out.csv");
          n_files++;
        }
    g_assert_cmpuint (n_files, ==, 1);
  }

  after = read_bytes (f->path);
  g_assert_true (g_bytes_equal (before, after));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/engine/store/export/windows", test_export_windows);
  ADD ("/engine/store/export/alarms-journal", test_export_alarms);
  ADD ("/engine/store/export/cancelled", test_export_cancelled);
  ADD ("/engine/store/cli-export", test_cli_export);
#undef ADD
  g_test_add_func ("/engine/csv/fields", test_csv_fields);

  return g_test_run ();
}
