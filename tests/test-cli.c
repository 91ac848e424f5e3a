/* test-cli.c
 *
 * vigil-cli as scripts use it: exit statuses, one-line errors, the replay summary line and
 * the CSV exports, run as real subprocesses.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"
#include "vigil-test-cli.h"
#include "vigil-test-util.h"

#include <string.h>

#include <glib/gstdio.h>

typedef struct
{
  char *dir;
  char *rig;     /* a 10-cycle generated rig */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_auto(Result) r = { 0 };

  f->dir = g_dir_make_tmp ("vigil-cli-XXXXXX", NULL);
  f->rig = g_build_filename (f->dir, "rig", NULL);
  run (&r, "generate", "hydraulic", "--out", f->rig, "--cycles", "10", "--seed", "3", NULL);
  g_assert_cmpint (r.status, ==, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  vigil_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->rig);
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p; p++)
    n += *p == '\n';
  return n;
}

/* The last line of a replay, parsed. */
static void
parse_summary (const char *out,
               guint64    *samples,
               guint64    *windows,
               guint64    *late,
               guint64    *alarms)
{
  g_autoptr(GRegex) re = g_regex_new ("^replay: samples=(\\d+) windows=(\\d+) late=(\\d+) "
                                      "alarms=(\\d+) seconds=\\d+\\.\\d{3} samples_per_s=\\d+$",
                                      G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  guint n = g_strv_length (lines);
  const char *last;
  g_autofree char *s1 = NULL, *s2 = NULL, *s3 = NULL, *s4 = NULL;

  g_assert_cmpuint (n, >=, 2);
  last = lines[n - 2];   /* the text ends with a newline */
  g_assert_true (g_regex_match (re, last, 0, &match));
  s1 = g_match_info_fetch (match, 1);
  s2 = g_match_info_fetch (match, 2);
  s3 = g_match_info_fetch (match, 3);
  s4 = g_match_info_fetch (match, 4);
  *samples = g_ascii_strtoull (s1, NULL, 10);
  *windows = g_ascii_strtoull (s2, NULL, 10);
  *late = g_ascii_strtoull (s3, NULL, 10);
  *alarms = g_ascii_strtoull (s4, NULL, 10);
}

static void
test_help (void)
{
  const char *commands[] = { "replay", "export", "generate", "demo" };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(Result) r = { 0 };

      run (&r, commands[i], "--help", NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, "Usage:"));
    }

  {
    g_auto(Result) r = { 0 };

    run (&r, "--help", NULL);
    g_assert_cmpint (r.status, ==, 0);
    for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
      g_assert_nonnull (strstr (r.out, commands[i]));
  }
  {
    g_auto(Result) r = { 0 };

    run (&r, "frobnicate", NULL);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "unknown command “frobnicate”"));
  }
}

static void
test_replay_and_export (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->dir, "out.sqlite", NULL);
  g_autofree char *csv = g_build_filename (f->dir, "windows.csv", NULL);
  g_autofree char *contents = NULL;
  g_auto(Result) r = { 0 };
  g_auto(Result) w = { 0 };
  g_auto(Result) a = { 0 };
  g_auto(Result) ps1 = { 0 };
  g_auto(Result) file = { 0 };
  guint64 samples, windows, late, alarms;

  run (&r, "replay", "hydraulic", f->rig, "--db", db, "--speed", "max", NULL);
  g_assert_cmpint (r.status, ==, 0);
  parse_summary (r.out, &samples, &windows, &late, &alarms);
  /* 10 cycles of 43680 samples; per sensor 600 s / 10 s slides + 5 windows reaching back. */
  g_assert_cmpuint (samples, ==, 10 * 43680);
  g_assert_cmpuint (windows, ==, 17 * (60 + 5));
  g_assert_cmpuint (late, ==, 0);

  run (&w, "export", "windows", "--db", db, "--out", "-", NULL);
  g_assert_cmpint (w.status, ==, 0);
  g_assert_true (g_str_has_prefix (w.out, "sensor,window_start,window_end,count,avg,min,max,"
                                          "stddev,range\n"));
  g_assert_cmpuint (count_lines (w.out), ==, windows + 1);

  /* One alarm row per alarm raised. */
  run (&a, "export", "alarms", "--db", db, "--out", "-", NULL);
  g_assert_cmpint (a.status, ==, 0);
  g_assert_cmpuint (count_lines (a.out), ==, alarms + 1);

  /* A minute of PS1: the windows starting at 00:01:00 ... 00:01:50. */
  run (&ps1, "export", "windows", "--db", db, "--sensor", "PS1", "--from",
       "2025-01-01T00:01:00Z", "--to", "2025-01-01T00:02:00Z", "--out", "-", NULL);
  g_assert_cmpint (ps1.status, ==, 0);
  g_assert_cmpuint (count_lines (ps1.out), ==, 7);
  g_assert_nonnull (strstr (ps1.out, "\nPS1,2025-01-01T00:01:00.000Z,2025-01-01T00:02:00.000Z,"
                                     "6000,"));
  g_assert_nonnull (strstr (ps1.out, "\nPS1,2025-01-01T00:01:50.000Z,"));
  g_assert_null (strstr (ps1.out, "PS2"));

  run (&file, "export", "windows", "--db", db, "--out", csv, NULL);
  g_assert_cmpint (file.status, ==, 0);
  g_assert_true (g_file_get_contents (csv, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, w.out);
}

static void
test_tumbling (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->dir, "t.sqlite", NULL);
  g_auto(Result) r = { 0 };
  guint64 samples, windows, late, alarms;

  run (&r, "replay", "hydraulic", f->rig, "--db", db, "--window", "30", "--slide", "30s",
       "--lateness", "0", NULL);
  g_assert_cmpint (r.status, ==, 0);
  parse_summary (r.out, &samples, &windows, &late, &alarms);
  g_assert_cmpuint (windows, ==, 17 * 20);
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->dir, "e.sqlite", NULL);
  g_autofree char *rules = g_build_filename (f->dir, "rules.json", NULL);
  struct { const char *args[12]; int status; const char *message; } cases[] = {
    { { "replay", "hydraulic", f->rig, NULL }, 2, "--db FILE is required" },
    { { "replay", "hydraulic", "/nonexistent/rig", "--db", db, NULL }, 1,
      "vigil-cli: /nonexistent/rig is not a directory\n" },
    { { "replay", "hydraulic", f->rig, "--db", db, "--rules", rules, NULL }, 1,
      "rules.json:4:" },
    { { "replay", "hydraulic", f->rig, "--db", db, "--speed", "fast", NULL }, 1,
      "--speed: “fast” is not a speed" },
    { { "replay", "hydraulic", f->rig, "--db", db, "--window", "-5", NULL }, 1, "--window:" },
    { { "replay", "hydraulic", f->rig, "--db", db, "--start", "tomorrow", NULL }, 1, "--start:" },
    { { "replay", "radar", f->rig, "--db", db, NULL }, 2,
      "only “hydraulic” datasets and “traffic” cameras can be replayed" },
    { { "replay", "traffic", f->rig, "--db", db, NULL }, 2, "--camera ID is required" },
    { { "export", "windows", "--db", "/nonexistent/x.sqlite", "--out", "-", NULL }, 1,
      "/nonexistent/x.sqlite" },
  };

  g_assert_true (g_file_set_contents (rules, "{\n  \"rules\": [\n    { \"name\": \"x\",\n"
                                             "      \"sensor\": \"PS9\", \"statistic\": \"max\","
                                             " \"operator\": \">\", \"threshold\": 1,"
                                             " \"severity\": \"warning\" }\n  ]\n}\n", -1, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Result) r = { 0 };
      const char **a = cases[i].args;

      run (&r, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11]);
      g_assert_cmpint (r.status, ==, cases[i].status);
      g_assert_nonnull (strstr (r.err, cases[i].message));
      /* Errors are one line; usage errors add a hint line. */
      g_assert_cmpuint (count_lines (r.err), <=, cases[i].status == 2 ? 2 : 1);
    }

  /* The failed runs opened the store but replayed nothing into it. */
  {
    g_auto(Result) r = { 0 };

    run (&r, "export", "windows", "--db", db, "--out", "-", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (r.out, ==, "sensor,window_start,window_end,count,avg,min,max,stddev,range\n");
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/help", test_help);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/cli/replay-and-export", test_replay_and_export);
  ADD ("/cli/tumbling", test_tumbling);
  ADD ("/cli/errors", test_errors);
#undef ADD

  return g_test_run ();
}
