/* vigil-soak.c
 *
 * The soak: in one process, what the app runs at once, at maximum speed and for a long time: a
 * generated hydraulic rig of all 17 sensors, replayed pass after pass (its event time going on)
 * through windows, the default alarm rules and champion models into a store, beside four
 * generated cameras looped as the app loops the demo's, each into its own store. Every few
 * seconds it samples resident memory, open file descriptors and progress, prints the curve,
 * and at the end judges, in TAP: memory flat after the warm-up, descriptors identical, every
 * window closed, nothing late, no camera failed, and the stores hold exactly that.
 *
 *   vigil-soak [--rig-hours H] [--wall-minutes M] [--short] ...   (see --help)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-soak"

#include "config.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "vigil-demo.h"
#include "vigil-soak.h"
#include "vigil-time.h"

#include "../vigil-test-gstreamer.h"
#include "../vigil-test-util.h"

#define POLL_MS          20
#define SEED             7
#define MODEL_CYCLES     240      /* the app's demo trains on a sibling rig of this size */
#define CAMERA_FRAMES    200      /* the app's demo cameras: 20 s at 10 frames/s */
#define STEADY_WAIT_US   (2 * G_USEC_PER_SEC)
/* Memory measured as each rig pass ends, judged on the second half of the passes (README.md
 * says why these bounds) by the rise of the least-squares fit across it: the bytes in use,
 * which a leak grows, may rise by this much; resident memory, which also holds the free space
 * the allocator keeps per thread and moves by tens of MiB from one pass to the next (so its
 * peaks say little), by this much. */
#define HEAP_RISE_MAX_KIB 4096.0
#define RSS_RISE_MAX_KIB  (32 * 1024.0)

typedef struct
{
  double  wall_s;
  double  rig_h;        /* event time the rig covered */
  guint64 rss_kib;
  guint64 heap_kib;     /* malloc's bytes in use (the rest of its arenas is free space) */
  guint   fds;          /* held: not counting the input files being read at that instant */
  guint   fds_all;
  guint   threads;
  guint64 windows;
  guint64 late;
  guint64 frames;       /* camera frames analysed, all cameras */
  guint64 store_kib;
  gboolean warm;        /* every source had finished a pass */
  gboolean steady;      /* every source was playing */
} Sample;

typedef struct
{
  /* options */
  double      rig_hours;
  double      wall_minutes;
  double      pass_hours;
  double      sample_s;
  guint       n_cameras;
  guint       camera_passes;
  /* Resident memory and the descriptors held while running are judged only on long runs: the
   * allocator's per-thread arenas keep growing for about a hundred passes (README.md), which
   * a short run never gets past, and a short run's few samples can catch a camera pass while
   * it restarts. The bytes in use, which a leak grows, and the descriptors left once
   * everything closed, which a descriptor leak grows, are judged on every run. */
  gboolean    long_run;

  /* owned */
  char       *work;
  char       *rig_dir;
  char       *cams_dir;
  GMainLoop  *loop;
  GArray     *samples;     /* Sample */
  SoakRig     rig;
  SoakCamera *cams;

  gint64      t0;
  gint64      last_sample;
  gint64      due_since;   /* a sample waits for every source to be playing, a little */
  guint       ref_fds;     /* held descriptors of the first warm steady sample, and which */
  char       *ref_fd_list;
  gboolean    ending;
} Soak;

/* Measures --------------------------------------------------------------------------------- */

static guint
read_threads (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "\nThreads:")) == NULL)
    return 0;

  return (guint) g_ascii_strtoull (line + strlen ("\nThreads:"), NULL, 10);
}

/* A file read in passing: the inputs' (inside folder @skip1 or @skip2) and the kernel's
 * (/proc, /sys: the runtime reads the CPU quota while a pass starts). */
static gboolean
is_input (const char *target,
          const char *skip1,
          const char *skip2)
{
  g_autofree char *dir1 = skip1 != NULL ? g_strconcat (skip1, G_DIR_SEPARATOR_S, NULL) : NULL;
  g_autofree char *dir2 = skip2 != NULL ? g_strconcat (skip2, G_DIR_SEPARATOR_S, NULL) : NULL;

  if (skip1 == NULL || target == NULL)
    return FALSE;

  return g_str_has_prefix (target, dir1) || g_str_has_prefix (target, dir2) ||
         g_str_has_prefix (target, "/proc/") || g_str_has_prefix (target, "/sys/");
}

static int
sort_strings (gconstpointer a,
              gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* What the held descriptors are, one "fd target" a line. */
static char *
describe_fds (const char *skip1,
              const char *skip2)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      if (!is_input (target, skip1, skip2))
        g_ptr_array_add (lines, g_strdup_printf ("%s %s", name, target));
    }
  g_ptr_array_sort (lines, sort_strings);
  g_ptr_array_add (lines, NULL);

  return g_strjoinv ("\n", (char **) lines->pdata);
}

/* Open descriptors; @held leaves out the files of the inputs (@skip1, @skip2), which readers
 * open and close as they go. */
static guint
count_fds (const char *skip1,
           const char *skip2,
           guint      *held)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;
  guint n = 0;

  *held = 0;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      n++;
      if (!is_input (target, skip1, skip2))
        (*held)++;
    }

  return n;
}

static guint64
file_kib (const char *path)
{
  guint64 total = 0;
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (path, suffixes[i], NULL);
      GStatBuf st;

      if (g_stat (p, &st) == 0)
        total += (guint64) st.st_size;
    }

  return total / 1024;
}

static gboolean
all_playing (Soak *soak)
{
  if (!soak_rig_is_playing (&soak->rig))
    return FALSE;
  for (guint i = 0; i < soak->n_cameras; i++)
    if (!soak_camera_is_playing (&soak->cams[i]))
      return FALSE;

  return TRUE;
}

static void
take_sample (Soak     *soak,
             gboolean  steady)
{
  Sample s = { 0 };
  SoakPoint point;
  gboolean warm = soak->rig.passes > 0;

  s.wall_s = (g_get_monotonic_time () - soak->t0) / 1e6;
  s.rig_h = soak_rig_get_covered (&soak->rig) / 3600e6;
  soak_point_measure (&point);
  s.rss_kib = point.rss_kib;
  s.heap_kib = point.heap_kib;
  s.fds_all = count_fds (soak->rig_dir, soak->cams_dir, &s.fds);
  s.threads = read_threads ();
  soak_rig_get_counts (&soak->rig, &s.windows, &s.late);
  s.store_kib = file_kib (soak->rig.db_path);
  for (guint i = 0; i < soak->n_cameras; i++)
    {
      s.frames += soak_camera_get_frames (&soak->cams[i]);
      s.store_kib += file_kib (soak->cams[i].db_path);
      warm = warm && soak->cams[i].passes > 0;
    }
  s.warm = warm;
  /* A source that ended its pass while being measured was not steady either. */
  s.steady = steady && all_playing (soak);
  g_array_append_val (soak->samples, s);

  /* Which descriptors came or went, for the judgement to name them. */
  if (s.warm && s.steady && soak->ref_fd_list == NULL)
    {
      soak->ref_fds = s.fds;
      soak->ref_fd_list = describe_fds (soak->rig_dir, soak->cams_dir);
    }
  else if (s.warm && s.steady && s.fds != soak->ref_fds)
    {
      g_autofree char *now = describe_fds (soak->rig_dir, soak->cams_dir);

      printf ("# descriptors differ: first\n%s\n# now\n%s\n", soak->ref_fd_list, now);
    }

  if (soak->samples->len == 1)
    printf ("# %8s %9s %9s %9s %4s %4s %4s %11s %5s %10s %9s\n", "wall_s", "rig_h",
            "rss_kib", "heap_kib", "fds", "all", "thr", "windows", "late", "frames",
            "store_kib");
  printf ("# %8.1f %9.2f %9" G_GUINT64_FORMAT " %9" G_GUINT64_FORMAT " %4u %4u %4u %11"
          G_GUINT64_FORMAT " %5" G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT " %9" G_GUINT64_FORMAT
          "%s%s\n", s.wall_s, s.rig_h, s.rss_kib, s.heap_kib, s.fds, s.fds_all, s.threads,
          s.windows, s.late, s.frames,
          s.store_kib, s.warm ? "" : "  (warm-up)", s.steady ? "" : "  (a source between passes)");
  fflush (stdout);
}

/* The run ------------------------------------------------------------------------------------ */

static gboolean
run_is_long_enough (Soak *soak)
{
  if (soak_rig_get_covered (&soak->rig) < (gint64) (soak->rig_hours * 3600e6) ||
      g_get_monotonic_time () - soak->t0 < (gint64) (soak->wall_minutes * 60e6))
    return FALSE;
  for (guint i = 0; i < soak->n_cameras; i++)
    if (soak->cams[i].passes < soak->camera_passes)
      return FALSE;

  return TRUE;
}

static void
begin_ending (Soak *soak)
{
  soak->ending = TRUE;
  soak->rig.ending = TRUE;
  for (guint i = 0; i < soak->n_cameras; i++)
    soak->cams[i].ending = TRUE;
}

static gboolean
everything_done (Soak *soak)
{
  if (!soak_rig_is_done (&soak->rig))
    return FALSE;
  for (guint i = 0; i < soak->n_cameras; i++)
    if (!soak->cams[i].done)
      return FALSE;

  return TRUE;
}

static gboolean
source_failed (Soak *soak)
{
  if (soak->rig.problems->len > 0 || soak_rig_is_done (&soak->rig))
    return TRUE;
  for (guint i = 0; i < soak->n_cameras; i++)
    if (soak->cams[i].problems->len > 0 || soak->cams[i].done)
      return TRUE;

  return FALSE;
}

static gboolean
on_poll (gpointer data)
{
  Soak *soak = data;
  gint64 now = g_get_monotonic_time ();

  soak_rig_poll (&soak->rig);
  for (guint i = 0; i < soak->n_cameras; i++)
    soak_camera_poll (&soak->cams[i]);

  if (soak->ending)
    {
      if (everything_done (soak))
        g_main_loop_quit (soak->loop);
      return G_SOURCE_CONTINUE;
    }

  /* A source that failed (or stopped on its own) ends the run: the judgement says why. */
  if (source_failed (soak))
    {
      take_sample (soak, FALSE);
      begin_ending (soak);
      return G_SOURCE_CONTINUE;
    }

  if (now - soak->last_sample < (gint64) (soak->sample_s * 1e6))
    return G_SOURCE_CONTINUE;
  if (soak->due_since == 0)
    soak->due_since = now;
  if (!all_playing (soak) && now - soak->due_since < STEADY_WAIT_US)
    return G_SOURCE_CONTINUE;

  take_sample (soak, all_playing (soak));
  soak->last_sample = now;
  soak->due_since = 0;

  /* The last sample is the end of the curve: the sources finish their passes and stop. */
  if (run_is_long_enough (soak))
    begin_ending (soak);

  return G_SOURCE_CONTINUE;
}

static gboolean
prepare (Soak    *soak,
         GError **error)
{
  guint pass_cycles = (guint) ceil (soak->pass_hours * 60);
  g_autofree char *models = g_build_filename (soak->work, "models", NULL);
  g_autofree char *rig_db = g_build_filename (soak->work, "rig.sqlite", NULL);

  printf ("# generating a rig of %u cycles (%.2f h) and %u cameras of %u frames in %s\n",
          pass_cycles, pass_cycles / 60.0, soak->n_cameras, CAMERA_FRAMES, soak->work);
  fflush (stdout);
  if (!vigil_demo_ensure (soak->rig_dir, pass_cycles, SEED, NULL, error) ||
      !vigil_demo_ensure_cameras (soak->cams_dir, soak->n_cameras, CAMERA_FRAMES, SEED, NULL,
                                  error))
    return FALSE;

  /* Champions trained on a sibling rig, as the app's demo has them: every pass predicts. */
  return vigil_demo_ensure_models (rig_db, MODEL_CYCLES, SEED, NULL, error);
}

static gboolean
start (Soak    *soak,
       GError **error)
{
  g_autofree char *rig_db = g_build_filename (soak->work, "rig.sqlite", NULL);

  if (!soak_rig_start (&soak->rig, soak->rig_dir, rig_db, (guint) ceil (soak->pass_hours * 60),
                       error))
    return FALSE;

  soak->cams = g_new0 (SoakCamera, soak->n_cameras);
  for (guint i = 0; i < soak->n_cameras; i++)
    {
      g_autofree char *id = g_strdup_printf ("cam_%02u", i + 1);
      g_autofree char *folder = g_build_filename (soak->cams_dir, id, NULL);
      g_autofree char *name = g_strdup_printf ("%s.sqlite", id);
      g_autofree char *db = g_build_filename (soak->work, name, NULL);

      if (!soak_camera_start (&soak->cams[i], folder, db, error))
        return FALSE;
    }

  return TRUE;
}

/* Judgement --------------------------------------------------------------------------------- */

static guint n_tests;
static guint n_failed;

G_GNUC_PRINTF (2, 3) static void
check (gboolean    ok,
       const char *format,
       ...)
{
  g_autofree char *what = NULL;
  va_list ap;

  va_start (ap, format);
  what = g_strdup_vprintf (format, ap);
  va_end (ap);
  printf ("%s %u - %s\n", ok ? "ok" : "not ok", ++n_tests, what);
  n_failed += !ok;
}

/* Least-squares slope of @points[@from..], in KiB per rig hour, of resident memory or of the
 * bytes in use. */
static double
slope_of (GArray   *points,
          guint     from,
          gboolean  heap)
{
  double mx = 0, my = 0, sxx = 0, sxy = 0;
  guint n = points->len - from;

  for (guint i = from; i < points->len; i++)
    {
      const SoakPoint *p = &g_array_index (points, SoakPoint, i);

      mx += p->rig_h / n;
      my += (double) (heap ? p->heap_kib : p->rss_kib) / n;
    }
  for (guint i = from; i < points->len; i++)
    {
      const SoakPoint *p = &g_array_index (points, SoakPoint, i);

      sxx += (p->rig_h - mx) * (p->rig_h - mx);
      sxy += (p->rig_h - mx) * ((double) (heap ? p->heap_kib : p->rss_kib) - my);
    }

  return sxx > 0 ? sxy / sxx : NAN;
}

static guint64
peak_rss (GArray *points,
          guint   from,
          guint   to)
{
  guint64 peak = 0;

  for (guint i = from; i < to; i++)
    peak = MAX (peak, g_array_index (points, SoakPoint, i).rss_kib);

  return peak;
}

static void
print_pass_ends (GArray *points)
{
  guint step = MAX (1, (points->len + 23) / 24);

  printf ("# memory as each rig pass ended (every %u%s pass):\n#   %6s %9s %8s %9s %9s\n",
          step, step == 1 ? "" : "th", "pass", "rig_h", "wall_s", "rss_kib", "heap_kib");
  for (guint i = 0; i < points->len; i++)
    {
      const SoakPoint *p = &g_array_index (points, SoakPoint, i);

      if (i % step == 0 || i == points->len - 1)
        printf ("#   %6u %9.1f %8.1f %9" G_GUINT64_FORMAT " %9" G_GUINT64_FORMAT "\n", i + 1,
                p->rig_h, p->wall_s, p->rss_kib, p->heap_kib);
    }
}

static void
judge_memory (Soak *soak)
{
  GArray *samples = soak->samples;
  GArray *points = soak->rig.pass_ends;
  guint first_warm = samples->len, n_steady = 0, fds = 0, mismatches = 0;
  guint from = (points->len + 1) / 2;
  double heap_slope = NAN, rss_slope = NAN, span_h = 0;
  guint64 peak_first = 0, peak_second = 0;

  print_pass_ends (points);
  /* The first pass is the warm-up (the allocator's arenas grow); the first half of the others
   * is the reference for the second. */
  if (points->len >= 9)
    {
      heap_slope = slope_of (points, from, TRUE);
      rss_slope = slope_of (points, from, FALSE);
      span_h = g_array_index (points, SoakPoint, points->len - 1).rig_h
               - g_array_index (points, SoakPoint, from).rig_h;
      peak_first = peak_rss (points, 1, from);
      peak_second = peak_rss (points, from, points->len);
    }
  check (isfinite (heap_slope) && heap_slope * span_h < HEAP_RISE_MAX_KIB,
         "memory in use flat after the warm-up: over the last %u pass ends (%.1f rig hours) the "
         "least-squares fit rises %+.0f KiB (%+.3f KiB per rig hour), under %.0f KiB",
         points->len - from, span_h, heap_slope * span_h, heap_slope, HEAP_RISE_MAX_KIB);
  if (!soak->long_run)
    printf ("# resident memory (not judged in --short): over the same pass ends the fit rises "
            "%+.0f KiB; peaks %" G_GUINT64_FORMAT " KiB in the second half, %" G_GUINT64_FORMAT
            " KiB in the first\n", rss_slope * span_h, peak_second, peak_first);
  else
    check (isfinite (rss_slope) && rss_slope * span_h < RSS_RISE_MAX_KIB,
           "resident memory flat after the warm-up: over the same pass ends the fit rises "
           "%+.0f KiB (%+.3f KiB per rig hour), under %.0f KiB; peaks %" G_GUINT64_FORMAT
           " KiB in the second half, %" G_GUINT64_FORMAT " KiB in the first",
           rss_slope * span_h, rss_slope, RSS_RISE_MAX_KIB, peak_second, peak_first);

  for (guint i = 0; i < samples->len && first_warm == samples->len; i++)
    if (g_array_index (samples, Sample, i).warm)
      first_warm = i;
  for (guint i = first_warm; i < samples->len; i++)
    {
      const Sample *s = &g_array_index (samples, Sample, i);

      if (!s->steady)
        continue;
      if (n_steady++ == 0)
        fds = s->fds;
      else
        mismatches += s->fds != fds;
    }
  if (!soak->long_run)
    printf ("# open file descriptors (not judged in --short): %u in %u samples, %u differ\n",
            fds, n_steady, mismatches);
  else
    check (n_steady >= 2 && mismatches == 0,
           "open file descriptors identical from the warm-up to the end: %u in %u samples, %u "
           "differ", fds, n_steady, mismatches);
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

static sqlite3 *
open_db (const char *path)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    g_printerr ("%s: %s\n", path, sqlite3_errmsg (db));

  return db;
}

static void
report_problems (GString *problems)
{
  g_auto(GStrv) lines = g_strsplit (problems->str, "\n", 8);

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      printf ("#   %s\n", lines[i]);
}

static void
judge_rig (Soak *soak)
{
  SoakRig *rig = &soak->rig;
  guint64 per_pass = soak_expected_windows (&rig->options, rig->n_cycles);
  double hours = (double) rig->passes * rig->n_cycles / 60.0;
  sqlite3 *db = open_db (rig->db_path);
  gint64 stored, sessions, late_rows, min_rows, max_rows;

  stored = query_int (db, "SELECT COUNT(*) FROM windows");
  sessions = query_int (db, "SELECT COUNT(*) FROM sessions WHERE kind = 'hydraulic'");
  late_rows = query_int (db, "SELECT COUNT(*) FROM late_records");
  min_rows = query_int (db, "SELECT MIN(n) FROM (SELECT COUNT(*) AS n FROM windows"
                            " GROUP BY session_id)");
  max_rows = query_int (db, "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM windows"
                            " GROUP BY session_id)");
  sqlite3_close (db);

  check (rig->problems->len == 0, "every rig pass ran to its end with its windows and nothing "
         "late (%u passes)", rig->passes);
  report_problems (rig->problems);
  check (hours >= soak->rig_hours, "rig time covered: %.2f h of all 17 sensors (%" G_GUINT64_FORMAT
         " samples), at least %.2f h", hours, rig->samples, soak->rig_hours);
  check (rig->windows == rig->passes * per_pass,
         "windows completed: %" G_GUINT64_FORMAT ", expected %u passes x %" G_GUINT64_FORMAT,
         rig->windows, rig->passes, per_pass);
  check (stored == (gint64) (rig->passes * per_pass) && sessions == rig->passes &&
         min_rows == (gint64) per_pass && max_rows == (gint64) per_pass,
         "the store holds them: %" G_GINT64_FORMAT " windows in %" G_GINT64_FORMAT " sessions "
         "of %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, stored, sessions, min_rows, max_rows);
  check (rig->late == 0 && late_rows == 0, "late records: %" G_GUINT64_FORMAT " counted, %"
         G_GINT64_FORMAT " stored, none expected (the generator writes in order)", rig->late,
         late_rows);
}

static void
judge_cameras (Soak *soak)
{
  for (guint i = 0; i < soak->n_cameras; i++)
    {
      SoakCamera *cam = &soak->cams[i];
      guint per_pass = (guint) (cam->n_images / cam->fps);
      sqlite3 *db = open_db (cam->db_path);
      gint64 seconds, sessions, passes_seen, min_seconds, max_seconds;
      g_autofree char *sql = NULL;

      seconds = query_int (db, "SELECT COUNT(*) FROM traffic_seconds");
      sessions = query_int (db, "SELECT COUNT(*) FROM sessions");
      min_seconds = query_int (db, "SELECT MIN(n) FROM (SELECT COUNT(*) AS n FROM "
                                   "traffic_seconds GROUP BY session_id)");
      max_seconds = query_int (db, "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM "
                                   "traffic_seconds GROUP BY session_id)");
      /* A pass is a session (its start differs); its detections are all there. */
      sql = g_strdup_printf ("SELECT COUNT(DISTINCT (time_us - %" G_GINT64_FORMAT ") / %"
                             G_GINT64_FORMAT ") FROM traffic_detections", VIGIL_DEFAULT_START_US,
                             (gint64) per_pass * G_USEC_PER_SEC);
      passes_seen = query_int (db, sql);
      sqlite3_close (db);

      check (cam->problems->len == 0 && cam->passes >= soak->camera_passes,
             "%s never failed: %u passes of %u frames", cam->id, cam->passes, cam->n_images);
      report_problems (cam->problems);
      check (cam->frames == (guint64) cam->passes * cam->n_images &&
             sessions == cam->passes && seconds == (gint64) cam->passes * per_pass &&
             min_seconds == per_pass && max_seconds == per_pass && passes_seen == cam->passes,
             "%s stored every pass: %" G_GUINT64_FORMAT " frames, %" G_GINT64_FORMAT " seconds "
             "(expected %u x %u) in %" G_GINT64_FORMAT " sessions of %" G_GINT64_FORMAT "-%"
             G_GINT64_FORMAT ", detections of %" G_GINT64_FORMAT " passes", cam->id, cam->frames,
             seconds, cam->passes, per_pass, sessions, min_seconds, max_seconds, passes_seen);
    }
}

/* Main -------------------------------------------------------------------------------------- */

static gboolean
parse_args (Soak    *soak,
            int     *argc,
            char  ***argv,
            GError **error)
{
  g_autoptr(GOptionContext) context = NULL;
  gboolean short_run = FALSE, tap = FALSE;
  double pass_hours = 0, sample_s = 0;
  int cameras = 4, camera_passes = 0;
  GOptionEntry entries[] = {
    { "rig-hours", 0, 0, G_OPTION_ARG_DOUBLE, &soak->rig_hours,
      "Rig time to cover at least (default 24)", "H" },
    { "wall-minutes", 0, 0, G_OPTION_ARG_DOUBLE, &soak->wall_minutes,
      "Keep going for at least this long (default 0)", "M" },
    { "pass-hours", 0, 0, G_OPTION_ARG_DOUBLE, &pass_hours,
      "Length of the generated rig, replayed pass after pass (default: the rig time, 24 h at "
      "most)", "H" },
    { "cameras", 0, 0, G_OPTION_ARG_INT, &cameras, "Cameras (default 4)", "N" },
    { "camera-passes", 0, 0, G_OPTION_ARG_INT, &camera_passes,
      "Passes over its folder each camera makes at least (default 2)", "N" },
    { "sample-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &sample_s,
      "Wall seconds between samples (default 10)", "S" },
    { "short", 0, 0, G_OPTION_ARG_NONE, &short_run,
      "CI's run: 24 h of rig time in passes of 2 h, 3 passes per camera, a sample every "
      "0.5 s", NULL },
    { "tap", 0, 0, G_OPTION_ARG_NONE, &tap, "Accepted for the test harness: TAP is always "
      "printed", NULL },
    { NULL }
  };

  context = g_option_context_new ("— run the rig and cameras for long, watch memory and files");
  g_option_context_add_main_entries (context, entries, NULL);
  soak->rig_hours = 24;
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  soak->long_run = !short_run;
  if (short_run)
    {
      pass_hours = pass_hours > 0 ? pass_hours : 2;
      camera_passes = camera_passes > 0 ? camera_passes : 3;
      sample_s = sample_s > 0 ? sample_s : 0.5;
    }
  soak->pass_hours = pass_hours > 0 ? pass_hours : MIN (soak->rig_hours, 24);
  soak->camera_passes = camera_passes > 0 ? (guint) camera_passes : 2;
  soak->sample_s = sample_s > 0 ? sample_s : 10;
  soak->n_cameras = (guint) CLAMP (cameras, 1, 99);
  if (soak->rig_hours <= 0 || soak->pass_hours < 1 / 60.0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--rig-hours and --pass-hours must cover a cycle (a minute) at least");
      return FALSE;
    }

  return TRUE;
}

static void
soak_clear (Soak *soak)
{
  for (guint i = 0; soak->cams != NULL && i < soak->n_cameras; i++)
    {
      soak_camera_clear (&soak->cams[i]);
      g_clear_pointer (&soak->cams[i].id, g_free);
      g_clear_pointer (&soak->cams[i].db_path, g_free);
      if (soak->cams[i].problems != NULL)
        g_string_free (g_steal_pointer (&soak->cams[i].problems), TRUE);
    }
  g_clear_pointer (&soak->cams, g_free);
  if (soak->rig.player != NULL)
    soak_rig_clear (&soak->rig);
  g_clear_pointer (&soak->rig.db_path, g_free);
  g_clear_pointer (&soak->rig.pass_ends, g_array_unref);
  if (soak->rig.problems != NULL)
    g_string_free (g_steal_pointer (&soak->rig.problems), TRUE);
  g_clear_pointer (&soak->samples, g_array_unref);
  g_clear_pointer (&soak->loop, g_main_loop_unref);
  g_clear_pointer (&soak->rig_dir, g_free);
  g_clear_pointer (&soak->cams_dir, g_free);
  g_clear_pointer (&soak->ref_fd_list, g_free);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = NULL;
  Soak soak = { 0 };
  guint fds_before, fds_after, held;

  if (!parse_args (&soak, &argc, &argv, &error))
    {
      g_printerr ("vigil-soak: %s\n", error->message);
      return 2;
    }

  soak.work = g_dir_make_tmp ("vigil-soak-XXXXXX", &error);
  g_assert_no_error (error);
  /* The models' sibling rig goes to the cache: this run's, not the user's. */
  cache = g_build_filename (soak.work, "cache", NULL);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  soak.rig_dir = g_build_filename (soak.work, "rig", NULL);
  soak.cams_dir = g_build_filename (soak.work, "cameras", NULL);
  soak.samples = g_array_new (FALSE, TRUE, sizeof (Sample));
  soak.loop = g_main_loop_new (NULL, FALSE);

  printf ("# vigil-soak: at least %.2f rig hours in passes of %.2f h, %u cameras of %u passes "
          "at least, %.0f wall minutes at least, a sample every %.1f s\n", soak.rig_hours,
          soak.pass_hours, soak.n_cameras, soak.camera_passes, soak.wall_minutes, soak.sample_s);
  if (!prepare (&soak, &error))
    {
      printf ("Bail out! generating the rig and cameras: %s\n", error->message);
      soak_clear (&soak);
      vigil_test_remove_tree (soak.work);
      g_free (soak.work);
      return 1;
    }

  fds_before = count_fds (NULL, NULL, &held);
  soak.t0 = g_get_monotonic_time ();
  if (!start (&soak, &error))
    {
      printf ("Bail out! starting: %s\n", error->message);
      soak_clear (&soak);
      vigil_test_remove_tree (soak.work);
      g_free (soak.work);
      return 1;
    }

  g_timeout_add (POLL_MS, on_poll, &soak);
  g_main_loop_run (soak.loop);

  for (guint i = 0; i < soak.n_cameras; i++)
    soak_camera_clear (&soak.cams[i]);
  soak_rig_clear (&soak.rig);
  fds_after = count_fds (NULL, NULL, &held);

  judge_memory (&soak);
  check (fds_after == fds_before, "open file descriptors once everything closed: %u, as before "
         "it started", fds_after);
  judge_rig (&soak);
  judge_cameras (&soak);
  printf ("1..%u\n", n_tests);

  soak_clear (&soak);
  vigil_test_remove_tree (soak.work);
  g_free (soak.work);

  return n_failed == 0 ? 0 : 1;
}
