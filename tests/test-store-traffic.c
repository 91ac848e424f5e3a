/* test-store-traffic.c
 *
 * Cameras in the store: detections and per-second and per-minute rows written and read back
 * exactly, idempotent rewrites, several cameras in one file, session keys, migration of a
 * schema 3 file, camera alarms, and the CSV exports through the engine and vigil-cli.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <sqlite3.h>

#include "vigil-error.h"
#include "vigil-sensor.h"
#include "vigil-store.h"

#include "store-test-helpers.h"
#include "vigil-test-cli.h"

#define RULES "{\"rules\":[]}"

/* Helpers ------------------------------------------------------------------------------------ */

static VigilSessionInfo
camera_info (const char *camera)
{
  return (VigilSessionInfo) {
    .kind = "traffic",
    .source = "/data/road/frames",
    .start_us = T0,
    .window_us = SEC (60),
    .slide_us = SEC (30),
    .lateness_us = SEC (30),
    .rules_json = RULES,
    .camera = camera,
  };
}

static VigilStoreDetection
detection (guint64           frame,
           guint             index,
           gint64            track_id,
           VigilVehicleClass klass,
           double            x,
           double            y,
           double            w,
           double            h,
           guint             area,
           double            speed_kmh)
{
  return (VigilStoreDetection) {
    .frame = frame,
    .time_us = T0 + (gint64) frame * 40000,   /* 25 frames/s */
    .index = index,
    .detection = { track_id, klass, x, y, w, h, area, speed_kmh },
  };
}

/* Camera @seed's detections: three frames, untracked ones, unknown speeds, every class. */
static void
add_detections (GArray *array,
                guint   seed)
{
  VigilStoreDetection d[] = {
    detection (0, 0, 7 + seed, VIGIL_VEHICLE_CAR, 10.5 + seed, 20.25, 30, 15.125, 400, 52.5),
    detection (0, 1, -1, VIGIL_VEHICLE_TRUCK, 100, 0.1, 60.75, 40, 0, NAN),
    detection (1, 0, 7 + seed, VIGIL_VEHICLE_CAR, 12.5 + seed, 20.5, 30, 15.25, 410, 53.125),
    detection (1, 1, 9, VIGIL_VEHICLE_MOTORCYCLE, 1.0 / 3, 2.0 / 3, 5, 8, 33, NAN),
    detection (2, 0, 12, VIGIL_VEHICLE_BUS, 200.125, 90, 80, 40.5, 3000, 40),
  };

  g_array_append_vals (array, d, G_N_ELEMENTS (d));
}

static VigilTrafficStats
period (gint64             start_us,
        gint64             length_us,
        guint              frames,
        double             vehicles,
        double             speed_kmh,
        VigilTrafficStatus status)
{
  VigilTrafficStats t = {
    .start_us = start_us,
    .end_us = start_us + length_us,
    .frames = frames,
    .vehicles = vehicles,
    .unique_vehicles = 4,
    .per_class = { 1, 2, 0, 1 },
    .density_pct = 12.375,
    .speed_kmh = speed_kmh,
    .dwell_s = 3.25,
    .status = status,
    .per_class_vehicles = { 0.5, 1.75, 0, 0.25 },
  };

  return t;
}

static void
add_seconds (GArray *array)
{
  VigilTrafficStats t[] = {
    period (T0, SEC (1), 25, 2.5, 51.25, VIGIL_TRAFFIC_NORMAL),
    period (T0 + SEC (1), SEC (1), 25, 3.125, NAN, VIGIL_TRAFFIC_CROWDED),
    period (T0 + SEC (2), SEC (1), 24, 7, 4.5, VIGIL_TRAFFIC_JAMMED),
  };

  t[2].dwell_s = NAN;
  g_array_append_vals (array, t, G_N_ELEMENTS (t));
}

/* Everything of camera @seed's: detections, seconds and a minute. */
static VigilStoreBatch *
camera_batch (gint64 session_id,
              guint  seed)
{
  VigilStoreBatch *batch = vigil_store_batch_new (session_id);
  VigilTrafficStats minute = period (T0, SEC (60), 75, 4.25, 30.5, VIGIL_TRAFFIC_CROWDED);

  add_detections (batch->detections, seed);
  add_seconds (batch->traffic_seconds);
  g_array_append_val (batch->traffic_minutes, minute);

  return batch;
}

static void
assert_double_eq (double a,
                  double b)
{
  if (isnan (a) || isnan (b))
    g_assert_true (isnan (a) && isnan (b));
  else
    g_assert_cmpfloat (a, ==, b);
}

static void
assert_detection_eq (const VigilStoreDetection *a,
                     const VigilStoreDetection *b)
{
  g_assert_cmpuint (a->frame, ==, b->frame);
  g_assert_cmpint (a->time_us, ==, b->time_us);
  g_assert_cmpuint (a->index, ==, b->index);
  g_assert_cmpint (a->detection.track_id, ==, b->detection.track_id);
  g_assert_cmpint (a->detection.klass, ==, b->detection.klass);
  assert_double_eq (a->detection.x, b->detection.x);
  assert_double_eq (a->detection.y, b->detection.y);
  assert_double_eq (a->detection.w, b->detection.w);
  assert_double_eq (a->detection.h, b->detection.h);
  g_assert_cmpuint (a->detection.area, ==, b->detection.area);
  assert_double_eq (a->detection.speed_kmh, b->detection.speed_kmh);
}

static void
assert_stats_eq (const VigilTrafficStats *a,
                 const VigilTrafficStats *b,
                 const char              *camera)
{
  g_assert_cmpstr (a->camera_id, ==, camera);
  g_assert_cmpint (a->start_us, ==, b->start_us);
  g_assert_cmpint (a->end_us, ==, b->end_us);
  g_assert_cmpuint (a->frames, ==, b->frames);
  assert_double_eq (a->vehicles, b->vehicles);
  g_assert_cmpuint (a->unique_vehicles, ==, b->unique_vehicles);
  for (guint c = 0; c < VIGIL_N_VEHICLE_CLASSES; c++)
    {
      g_assert_cmpuint (a->per_class[c], ==, b->per_class[c]);
      assert_double_eq (a->per_class_vehicles[c], b->per_class_vehicles[c]);
    }
  assert_double_eq (a->density_pct, b->density_pct);
  assert_double_eq (a->speed_kmh, b->speed_kmh);
  assert_double_eq (a->dwell_s, b->dwell_s);
  g_assert_cmpint (a->status, ==, b->status);
}

static GArray *
read_detections (VigilStore *store,
                 gint64      session_id,
                 gint64      from_us,
                 gint64      to_us)
{
  g_autoptr(GError) error = NULL;
  VigilStoreFilter filter;
  GArray *rows;

  vigil_store_filter_init (&filter);
  filter.session_id = session_id;
  filter.from_us = from_us;
  filter.to_us = to_us;
  rows = vigil_store_read_detections (store, &filter, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rows);

  return rows;
}

static GArray *
read_traffic (VigilStore *store,
              gint64      session_id,
              gboolean    minutes)
{
  g_autoptr(GError) error = NULL;
  VigilStoreFilter filter;
  GArray *rows;

  vigil_store_filter_init (&filter);
  filter.session_id = session_id;
  rows = vigil_store_read_traffic (store, &filter, minutes, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rows);

  return rows;
}

static sqlite3 *
open_sqlite (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 30000);

  return db;
}

static void
exec_sqlite (const char *path,
             const char *sql)
{
  sqlite3 *db = open_sqlite (path);
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static gint64
query_int (const char *path,
           const char *sql)
{
  sqlite3 *db = open_sqlite (path);
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return value;
}

static char *
query_text (const char *path,
            const char *sql)
{
  sqlite3 *db = open_sqlite (path);
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return value;
}

/* CSV, parsed on its own (RFC 4180: quoted fields, doubled quotes): rows of GStrv. */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) field = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (quoted)
        {
          if (*p == '"' && p[1] == '"')
            g_string_append_c (field, *p++);
          else if (*p == '"')
            quoted = FALSE;
          else
            g_string_append_c (field, *p);
        }
      else if (*p == '"')
        quoted = TRUE;
      else if (*p == ',' || *p == '\n')
        {
          g_ptr_array_add (fields, g_strdup (field->str));
          g_string_truncate (field, 0);
          if (*p == '\n')
            {
              g_ptr_array_add (fields, NULL);
              g_ptr_array_add (rows, g_ptr_array_steal (fields, NULL));
              g_ptr_array_set_free_func (fields, g_free);
            }
        }
      else if (*p != '\r')
        g_string_append_c (field, *p);
    }

  g_assert_false (quoted);
  g_assert_cmpuint (field->len, ==, 0);   /* every row ends with a newline */

  return rows;
}

/* 2025-01-01T00:00:10.250Z -> microseconds, on its own. */
static gint64
parse_time (const char *text)
{
  int year, month, day, hour, minute, second, ms;
  g_autoptr(GDateTime) dt = NULL;
  char z = 0;

  g_assert_cmpint (sscanf (text, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &year, &month, &day, &hour,
                           &minute, &second, &ms, &z), ==, 8);
  g_assert_cmpint (z, ==, 'Z');
  g_assert_cmpuint (strlen (text), ==, 24);
  dt = g_date_time_new_utc (year, month, day, hour, minute, second);

  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + ms * 1000;
}

static double
parse_double (const char *text)
{
  char *end = NULL;
  double value;

  if (*text == '\0')
    return NAN;
  value = g_ascii_strtod (text, &end);
  g_assert_cmpint (*end, ==, '\0');

  return value;
}

static gint64
parse_int (const char *text)
{
  char *end = NULL;
  gint64 value = g_ascii_strtoll (text, &end, 10);

  g_assert_true (*text != '\0' && *end == '\0');

  return value;
}

static char *
export_to_string (VigilStore     *store,
                  gboolean        traffic,
                  gint64          session_id,
                  const char     *camera,
                  GError        **error)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  VigilStoreFilter filter;
  gboolean ok;

  vigil_store_filter_init (&filter);
  filter.session_id = session_id;
  ok = traffic ? vigil_store_export_traffic (store, &filter, camera, out, NULL, error)
               : vigil_store_export_detections (store, &filter, camera, out, NULL, error);
  if (!ok)
    {
      /* A refusal writes nothing, not even the header. */
      g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)),
                        ==, 0);
      return NULL;
    }

  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));

  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

static const char * const detections_header[] = {
  "camera", "frame", "timestamp", "track_id", "class", "x", "y", "w", "h", NULL,
};

static const char * const traffic_header[] = {
  "camera", "start", "end", "frames", "vehicles", "unique_vehicles", "motorcycle", "car",
  "bus", "truck", "density_pct", "speed_kmh", "dwell_s", "status", NULL,
};

/* @csv holds exactly @expected (in order), camera by camera. */
static void
assert_detections_csv (const char                *csv,
                       const char * const        *cameras,
                       GArray * const            *expected,
                       guint                      n_cameras)
{
  g_autoptr(GPtrArray) rows = parse_csv (csv);
  guint row = 1;

  g_assert_cmpuint (rows->len, >=, 1);
  g_assert_true (g_strv_equal (rows->pdata[0], detections_header));

  for (guint c = 0; c < n_cameras; c++)
    for (guint i = 0; i < expected[c]->len; i++, row++)
      {
        const VigilStoreDetection *d = &g_array_index (expected[c], VigilStoreDetection, i);
        char **f;

        g_assert_cmpuint (row, <, rows->len);
        f = rows->pdata[row];
        g_assert_cmpuint (g_strv_length (f), ==, 9);
        g_assert_cmpstr (f[0], ==, cameras[c]);
        g_assert_cmpint (parse_int (f[1]), ==, d->frame);
        g_assert_cmpint (parse_time (f[2]), ==, d->time_us);
        if (d->detection.track_id < 0)
          g_assert_cmpstr (f[3], ==, "");
        else
          g_assert_cmpint (parse_int (f[3]), ==, d->detection.track_id);
        g_assert_cmpstr (f[4], ==, vigil_vehicle_class_get_name (d->detection.klass));
        assert_double_eq (parse_double (f[5]), d->detection.x);
        assert_double_eq (parse_double (f[6]), d->detection.y);
        assert_double_eq (parse_double (f[7]), d->detection.w);
        assert_double_eq (parse_double (f[8]), d->detection.h);
      }

  g_assert_cmpuint (row, ==, rows->len);
}

static void
assert_traffic_csv (const char         *csv,
                    const char * const *cameras,
                    GArray             *expected,
                    guint               n_cameras)
{
  static const char * const statuses[] = { "NORMAL", "CROWDED", "JAMMED" };
  g_autoptr(GPtrArray) rows = parse_csv (csv);
  guint row = 1;

  g_assert_true (g_strv_equal (rows->pdata[0], traffic_header));
  for (guint c = 0; c < n_cameras; c++)
    for (guint i = 0; i < expected->len; i++, row++)
      {
        const VigilTrafficStats *t = &g_array_index (expected, VigilTrafficStats, i);
        char **f;

        g_assert_cmpuint (row, <, rows->len);
        f = rows->pdata[row];
        g_assert_cmpuint (g_strv_length (f), ==, 14);
        g_assert_cmpstr (f[0], ==, cameras[c]);
        g_assert_cmpint (parse_time (f[1]), ==, t->start_us);
        g_assert_cmpint (parse_time (f[2]), ==, t->end_us);
        g_assert_cmpint (parse_int (f[3]), ==, t->frames);
        assert_double_eq (parse_double (f[4]), t->vehicles);
        g_assert_cmpint (parse_int (f[5]), ==, t->unique_vehicles);
        for (guint k = 0; k < VIGIL_N_VEHICLE_CLASSES; k++)
          g_assert_cmpint (parse_int (f[6 + k]), ==, t->per_class[k]);
        assert_double_eq (parse_double (f[10]), t->density_pct);
        assert_double_eq (parse_double (f[11]), t->speed_kmh);
        assert_double_eq (parse_double (f[12]), t->dwell_s);
        g_assert_cmpstr (f[13], ==, statuses[t->status]);
      }

  g_assert_cmpuint (row, ==, rows->len);
}

/* Tests -------------------------------------------------------------------------------------- */

static void
test_rows (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (VigilStoreDetection));
  g_autoptr(GArray) seconds = g_array_new (FALSE, FALSE, sizeof (VigilTrafficStats));
  g_autoptr(GArray) detections = NULL;
  g_autoptr(GArray) range = NULL;
  g_autoptr(GArray) read_seconds = NULL;
  g_autoptr(GArray) read_minutes = NULL;
  g_autoptr(VigilSessionSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *classes = NULL;
  VigilSessionInfo info = camera_info ("cam_01");
  VigilTrafficStats minute = period (T0, SEC (60), 75, 4.25, 30.5, VIGIL_TRAFFIC_CROWDED);
  gint64 id = ensure_session (store, &info);

  add_detections (expected, 0);
  add_seconds (seconds);
  vigil_store_submit (store, camera_batch (id, 0));
  flush_store (store);

  detections = read_detections (store, 0, G_MININT64, G_MAXINT64);
  g_assert_cmpuint (detections->len, ==, expected->len);
  for (guint i = 0; i < expected->len; i++)
    assert_detection_eq (&g_array_index (detections, VigilStoreDetection, i),
                         &g_array_index (expected, VigilStoreDetection, i));

  /* Frame times are half-open: frame 1 only. */
  range = read_detections (store, id, T0 + 40000, T0 + 80000);
  g_assert_cmpuint (range->len, ==, 2);
  assert_detection_eq (&g_array_index (range, VigilStoreDetection, 0),
                       &g_array_index (expected, VigilStoreDetection, 2));
  assert_detection_eq (&g_array_index (range, VigilStoreDetection, 1),
                       &g_array_index (expected, VigilStoreDetection, 3));

  read_seconds = read_traffic (store, id, FALSE);
  g_assert_cmpuint (read_seconds->len, ==, 3);
  for (guint i = 0; i < seconds->len; i++)
    assert_stats_eq (&g_array_index (read_seconds, VigilTrafficStats, i),
                     &g_array_index (seconds, VigilTrafficStats, i), "cam_01");
  read_minutes = read_traffic (store, 0, TRUE);
  g_assert_cmpuint (read_minutes->len, ==, 1);
  assert_stats_eq (&g_array_index (read_minutes, VigilTrafficStats, 0), &minute, "cam_01");

  /* Unknown values are NULL in the file, not a number standing in for one. */
  close_store (store);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM traffic_detections"
                                       " WHERE track_id IS NULL"), ==, 1);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM traffic_detections"
                                       " WHERE speed_kmh IS NULL"), ==, 2);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM traffic_seconds"
                                       " WHERE speed_kmh IS NULL"), ==, 1);
  classes = query_text (f->path, "SELECT group_concat (class, ',') FROM"
                                 " (SELECT class FROM traffic_detections ORDER BY frame, idx)");
  g_assert_cmpstr (classes, ==, "car,truck,car,motorcycle,bus");

  /* A read-only reader sees the same, and the session says which camera it is. */
  g_clear_object (&store);
  store = vigil_store_open_readonly (f->path, &error);
  g_assert_no_error (error);
  summary = vigil_store_get_session (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (summary->kind, ==, "traffic");
  g_assert_cmpstr (summary->camera, ==, "cam_01");
  g_assert_cmpint (summary->end_us, ==, T0 + SEC (3));
  g_clear_pointer (&detections, g_array_unref);
  detections = read_detections (store, 0, G_MININT64, G_MAXINT64);
  g_assert_cmpuint (detections->len, ==, expected->len);
}

static void
test_idempotent (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  g_autoptr(GArray) minutes = NULL;
  g_autoptr(GArray) detections = NULL;
  VigilSessionInfo info = camera_info ("cam_01");
  VigilStoreBatch *batch;
  VigilTrafficStats later = period (T0, SEC (60), 1500, 6.5, NAN, VIGIL_TRAFFIC_JAMMED);
  VigilTrafficStats next = period (T0 + SEC (30), SEC (60), 10, 1, 20, VIGIL_TRAFFIC_NORMAL);
  gint64 id = ensure_session (store, &info);

  vigil_store_submit (store, camera_batch (id, 0));
  vigil_store_submit (store, camera_batch (id, 0));
  flush_store (store);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM traffic_detections"), ==, 5);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM traffic_seconds"), ==, 3);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM traffic_minutes"), ==, 1);

  /* The same minute emitted again with more frames replaces the first; a detection at the
   * same place of the same frame too. */
  batch = vigil_store_batch_new (id);
  g_array_append_val (batch->traffic_minutes, later);
  g_array_append_val (batch->traffic_minutes, next);
  add_detections (batch->detections, 5);
  vigil_store_submit (store, batch);
  flush_store (store);

  minutes = read_traffic (store, id, TRUE);
  g_assert_cmpuint (minutes->len, ==, 2);
  assert_stats_eq (&g_array_index (minutes, VigilTrafficStats, 0), &later, "cam_01");
  assert_stats_eq (&g_array_index (minutes, VigilTrafficStats, 1), &next, "cam_01");

  detections = read_detections (store, id, G_MININT64, G_MAXINT64);
  g_assert_cmpuint (detections->len, ==, 5);
  g_assert_cmpint (g_array_index (detections, VigilStoreDetection, 0).detection.track_id, ==,
                   12);
  g_assert_cmpfloat (g_array_index (detections, VigilStoreDetection, 0).detection.x, ==, 15.5);
  close_store (store);
}

static void
test_two_cameras (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GArray) a_rows = NULL;
  g_autoptr(GArray) b_rows = NULL;
  g_autoptr(GArray) latest = NULL;
  g_autoptr(GArray) none = NULL;
  g_autoptr(GError) error = NULL;
  VigilSessionInfo a_info = camera_info ("cam_01");
  VigilSessionInfo b_info = camera_info ("cam_02");
  VigilStoreFilter filter;
  gint64 a, b, hydraulic;

  a = ensure_session (store, &a_info);
  b = ensure_session (store, &b_info);
  g_assert_cmpint (a, !=, b);
  g_assert_cmpint (ensure_session (store, &a_info), ==, a);
  hydraulic = ensure_session (store, &session_a);
  g_assert_cmpint (hydraulic, >, b);

  /* Both in one transaction, as a pipeline of several cameras submits them. */
  {
    VigilStoreBatch *batch = camera_batch (a, 0);

    vigil_store_batch_attach (batch, camera_batch (b, 1));
    vigil_store_submit (store, batch);
  }
  flush_store (store);

  a_rows = read_detections (store, a, G_MININT64, G_MAXINT64);
  b_rows = read_detections (store, b, G_MININT64, G_MAXINT64);
  g_assert_cmpuint (a_rows->len, ==, 5);
  g_assert_cmpuint (b_rows->len, ==, 5);
  g_assert_cmpfloat (g_array_index (a_rows, VigilStoreDetection, 0).detection.x, ==, 10.5);
  g_assert_cmpfloat (g_array_index (b_rows, VigilStoreDetection, 0).detection.x, ==, 11.5);

  /* Session 0: the latest camera's session, though a hydraulic one came after it. */
  latest = read_traffic (store, 0, FALSE);
  g_assert_cmpuint (latest->len, ==, 3);
  g_assert_cmpstr (g_array_index (latest, VigilTrafficStats, 0).camera_id, ==, "cam_02");

  /* A hydraulic session has no traffic to read. */
  vigil_store_filter_init (&filter);
  filter.session_id = hydraulic;
  none = vigil_store_read_traffic (store, &filter, FALSE, &error);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_assert_null (none);
  g_assert_nonnull (strstr (error->message, f->path));
  g_clear_error (&error);

  sessions = vigil_store_list_sessions (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 3);
  g_assert_null (((VigilSessionSummary *) sessions->pdata[0])->camera);
  g_assert_cmpstr (((VigilSessionSummary *) sessions->pdata[1])->camera, ==, "cam_02");
  g_assert_cmpstr (((VigilSessionSummary *) sessions->pdata[2])->camera, ==, "cam_01");
  close_store (store);
}

/* SHA-256 of the session key as Vigil wrote it before cameras: length-prefixed kind, source
 * and rules, then the four times, each followed by ';'. */
static char *
key_before_cameras (const VigilSessionInfo *info)
{
  g_autoptr(GString) bytes = g_string_new (NULL);

  g_string_append_printf (bytes, "%zu:%s%zu:%s%zu:%s", strlen (info->kind), info->kind,
                          strlen (info->source), info->source, strlen (info->rules_json),
                          info->rules_json);
  g_string_append_printf (bytes, "%" G_GINT64_FORMAT ";%" G_GINT64_FORMAT ";%" G_GINT64_FORMAT
                          ";%" G_GINT64_FORMAT ";", info->start_us, info->window_us,
                          info->slide_us, info->lateness_us);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, bytes->str, bytes->len);
}

static void
test_session_key (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  g_autofree char *expected = key_before_cameras (&session_a);
  g_autofree char *sql = NULL;
  g_autofree char *key = NULL;
  VigilSessionInfo with_camera = session_a;
  VigilSessionInfo empty_camera = session_a;
  gint64 hydraulic, a, b;

  hydraulic = ensure_session (store, &session_a);
  with_camera.camera = "cam_01";
  empty_camera.camera = "";
  a = ensure_session (store, &with_camera);
  b = ensure_session (store, &empty_camera);
  g_assert_cmpint (a, !=, hydraulic);
  g_assert_cmpint (b, !=, hydraulic);
  g_assert_cmpint (b, !=, a);
  close_store (store);

  sql = g_strdup_printf ("SELECT key FROM sessions WHERE id = %" G_GINT64_FORMAT, hydraulic);
  key = query_text (f->path, sql);
  g_assert_cmpstr (key, ==, expected);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM sessions WHERE camera IS NULL"),
                   ==, 1);
}

/* A file as schema 3 left it: the store's own tables without the cameras'. */
static void
make_v3 (const char *path,
         gint64     *out_session)
{
  g_autoptr(VigilStore) store = open_store (path);
  g_autofree char *key = key_before_cameras (&session_a);
  g_autofree char *sql = NULL;
  gint64 id = ensure_session (store, &session_a);

  vigil_store_submit (store, windows_batch (id));
  vigil_store_submit (store, alarm_batch (id));
  close_store (store);

  sql = g_strdup_printf ("DROP TABLE traffic_detections; DROP TABLE traffic_seconds;"
                         "DROP TABLE traffic_minutes; ALTER TABLE sessions DROP COLUMN camera;"
                         "UPDATE sessions SET key = '%s'; PRAGMA user_version = 3;", key);
  exec_sqlite (path, sql);
  *out_session = id;
}

static void
test_migrate_v3 (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(VigilStore) reader = NULL;
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GArray) windows = NULL;
  g_autoptr(GArray) traffic = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  VigilSessionInfo camera = camera_info ("cam_01");
  VigilStoreFilter filter;
  gint64 id, camera_id;

  make_v3 (f->path, &id);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM pragma_table_info ('sessions')"
                                       " WHERE name = 'camera'"), ==, 0);

  /* Read only: read as it is, with no cameras, and left at schema 3. */
  reader = vigil_store_open_readonly (f->path, &error);
  g_assert_no_error (error);
  sessions = vigil_store_list_sessions (reader, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 1);
  g_assert_null (((VigilSessionSummary *) sessions->pdata[0])->camera);
  g_assert_cmpuint (((VigilSessionSummary *) sessions->pdata[0])->n_windows, ==, 5);
  traffic = read_traffic (reader, 0, FALSE);
  g_assert_cmpuint (traffic->len, ==, 0);
  csv = export_to_string (reader, TRUE, 0, NULL, &error);
  g_assert_null (csv);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&reader);
  g_assert_cmpint (query_int (f->path, "PRAGMA user_version"), ==, 3);

  /* Read-write: migrated, rows kept, the hydraulic session found again by its key. */
  store = open_store (f->path);
  g_assert_cmpint (ensure_session (store, &session_a), ==, id);
  vigil_store_filter_init (&filter);
  filter.session_id = id;
  windows = vigil_store_read_windows (store, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (windows->len, ==, 5);
  camera_id = ensure_session (store, &camera);
  g_assert_cmpint (camera_id, >, id);
  vigil_store_submit (store, camera_batch (camera_id, 0));
  close_store (store);

  g_assert_cmpint (query_int (f->path, "PRAGMA user_version"), ==, 4);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM sessions"), ==, 2);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM alarm_journal"), ==, 9);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM traffic_detections"), ==, 5);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM sessions WHERE camera IS NULL"),
                   ==, 1);

  /* A newer file is still refused, and left alone. */
  exec_sqlite (f->path, "PRAGMA user_version = 5");
  g_assert_null (vigil_store_open (f->path, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_SCHEMA);
  g_assert_cmpint (query_int (f->path, "PRAGMA user_version"), ==, 5);
}

static void
test_camera_alarms (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  g_autoptr(GArray) journal = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sensor = NULL;
  VigilSessionInfo info = camera_info ("cam_03");
  VigilStoreBatch *batch;
  VigilStoreFilter filter;
  gint64 id = ensure_session (store, &info);
  const gint64 r = T0 + SEC (120);

  batch = vigil_store_batch_new (id);
  add_transition (batch->transitions, "jammed", 0, VIGIL_SEVERITY_CRITICAL,
                  VIGIL_ALARM_PENDING, VIGIL_ALARM_ACTIVE_UNACKED, VIGIL_ALARM_CAUSE_TIMER,
                  r, r, 2, NULL);
  add_transition (batch->transitions, "jammed", 0, VIGIL_SEVERITY_CRITICAL,
                  VIGIL_ALARM_ACTIVE_UNACKED, VIGIL_ALARM_ACTIVE_ACKED, VIGIL_ALARM_CAUSE_ACK,
                  r + SEC (5), r, NAN, "seen");
  for (guint i = 0; i < batch->transitions->len; i++)
    g_array_index (batch->transitions, VigilAlarmTransition, i).key = VIGIL_KEY_CAMERA;
  vigil_store_submit (store, batch);
  flush_store (store);

  vigil_store_filter_init (&filter);
  journal = vigil_store_read_journal (store, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (journal->len, ==, 2);
  for (guint i = 0; i < journal->len; i++)
    {
      const VigilAlarmTransition *t = &g_array_index (journal, VigilAlarmTransition, i);

      g_assert_cmpuint (t->key, ==, VIGIL_KEY_CAMERA);
      g_assert_cmpstr (t->rule, ==, "jammed");
    }
  g_assert_cmpstr (g_array_index (journal, VigilAlarmTransition, 1).comment, ==, "seen");
  close_store (store);

  sensor = query_text (f->path, "SELECT group_concat (sensor || ':' || state) FROM alarms");
  g_assert_cmpstr (sensor, ==, "camera:active-acked");
}

static void
test_batch_size (void)
{
  g_autoptr(VigilStoreBatch) batch = vigil_store_batch_new (1);
  VigilTrafficStats t = period (T0, SEC (1), 1, 1, 1, VIGIL_TRAFFIC_NORMAL);

  g_assert_true (vigil_store_batch_is_empty (batch));
  add_detections (batch->detections, 0);
  g_assert_false (vigil_store_batch_is_empty (batch));
  g_assert_cmpuint (vigil_store_batch_get_size (batch), ==, 5);
  g_array_append_val (batch->traffic_seconds, t);
  g_array_append_val (batch->traffic_minutes, t);
  g_array_append_val (batch->traffic_minutes, t);
  g_assert_cmpuint (vigil_store_batch_get_size (batch), ==, 8);
}

static void
test_bad_rows (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(VigilStore) store = open_store (f->path);
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  VigilSessionInfo info = camera_info ("cam_01");
  VigilStoreFilter filter;
  gint64 id = ensure_session (store, &info);

  vigil_store_submit (store, camera_batch (id, 0));
  close_store (store);
  g_clear_object (&store);
  exec_sqlite (f->path, "UPDATE traffic_detections SET class = 'tram' WHERE frame = 1"
                        " AND idx = 1; UPDATE traffic_seconds SET status = 'SLOW'");

  store = vigil_store_open_readonly (f->path, &error);
  g_assert_no_error (error);
  vigil_store_filter_init (&filter);
  rows = vigil_store_read_detections (store, &filter, &error);
  g_assert_null (rows);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "traffic_detections"));
  g_assert_nonnull (strstr (error->message, "frame 1, idx 1"));
  g_assert_nonnull (strstr (error->message, "tram"));
  g_clear_error (&error);

  rows = vigil_store_read_traffic (store, &filter, FALSE, &error);
  g_assert_null (rows);
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "SLOW"));
}

/* Two cameras, plus a hydraulic session, for the exports. */
static void
fill_two_cameras (const char *path,
                  gint64     *out_a,
                  gint64     *out_b)
{
  g_autoptr(VigilStore) store = open_store (path);
  VigilSessionInfo a_info = camera_info ("cam_01");
  VigilSessionInfo b_info = camera_info ("cam_02");

  /* cam_02 first: the exports order by camera, not by session. */
  *out_b = ensure_session (store, &b_info);
  *out_a = ensure_session (store, &a_info);
  vigil_store_submit (store, camera_batch (*out_b, 1));
  vigil_store_submit (store, camera_batch (*out_a, 0));
  vigil_store_submit (store, windows_batch (ensure_session (store, &session_a)));
  close_store (store);
}

static void
test_export (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(GArray) a_rows = g_array_new (FALSE, FALSE, sizeof (VigilStoreDetection));
  g_autoptr(GArray) b_rows = g_array_new (FALSE, FALSE, sizeof (VigilStoreDetection));
  g_autoptr(GArray) seconds = g_array_new (FALSE, FALSE, sizeof (VigilTrafficStats));
  g_autoptr(GError) error = NULL;
  g_autofree char *all = NULL;
  g_autofree char *one = NULL;
  g_autofree char *by_session = NULL;
  g_autofree char *traffic = NULL;
  g_autofree char *traffic_b = NULL;
  const char *both[] = { "cam_01", "cam_02" };
  const char *only_b[] = { "cam_02" };
  GArray *both_rows[2];
  gint64 a, b;

  fill_two_cameras (f->path, &a, &b);
  add_detections (a_rows, 0);
  add_detections (b_rows, 1);
  add_seconds (seconds);
  both_rows[0] = a_rows;
  both_rows[1] = b_rows;

  store = vigil_store_open_readonly (f->path, &error);
  g_assert_no_error (error);

  all = export_to_string (store, FALSE, 0, NULL, &error);
  g_assert_no_error (error);
  assert_detections_csv (all, both, both_rows, 2);
  /* Exactly how an untracked detection and an unknown speed look. */
  g_assert_nonnull (strstr (all, "\ncam_01,0,2025-01-01T00:00:00.000Z,,truck,100,"
                                 "0.10000000000000001,60.75,40\n"));

  one = export_to_string (store, FALSE, 0, "cam_02", &error);
  g_assert_no_error (error);
  assert_detections_csv (one, only_b, &both_rows[1], 1);
  by_session = export_to_string (store, FALSE, b, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (by_session, ==, one);

  traffic = export_to_string (store, TRUE, 0, NULL, &error);
  g_assert_no_error (error);
  assert_traffic_csv (traffic, both, seconds, 2);
  traffic_b = export_to_string (store, TRUE, b, "cam_02", &error);
  g_assert_no_error (error);
  assert_traffic_csv (traffic_b, only_b, seconds, 1);
}

static void
test_export_refusals (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hydraulic_path = g_build_filename (f->dir, "rig.vigil", NULL);
  g_autofree char *message = NULL;
  gint64 a, b, hydraulic;

  fill_two_cameras (f->path, &a, &b);
  hydraulic = b + 2;
  store = vigil_store_open_readonly (f->path, &error);
  g_assert_no_error (error);

  g_assert_null (export_to_string (store, FALSE, 0, "cam_09", &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  message = g_strdup_printf ("%s has no camera “cam_09” (its cameras: cam_01, cam_02)",
                             f->path);
  g_assert_cmpstr (error->message, ==, message);
  g_clear_error (&error);
  g_clear_pointer (&message, g_free);

  g_assert_null (export_to_string (store, TRUE, hydraulic, NULL, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  message = g_strdup_printf ("Session %" G_GINT64_FORMAT " of %s is not a camera's session",
                             hydraulic, f->path);
  g_assert_cmpstr (error->message, ==, message);
  g_clear_error (&error);
  g_clear_pointer (&message, g_free);

  g_assert_null (export_to_string (store, TRUE, a, "cam_02", &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "is camera “cam_01”, not “cam_02”"));
  g_clear_error (&error);

  g_assert_null (export_to_string (store, TRUE, 99, NULL, &error));
  g_assert_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&store);

  store = open_store (hydraulic_path);
  ensure_session (store, &session_a);
  close_store (store);
  g_clear_object (&store);
  store = vigil_store_open_readonly (hydraulic_path, &error);
  g_assert_no_error (error);
  g_assert_null (export_to_string (store, FALSE, 0, NULL, &error));
  message = g_strdup_printf ("%s holds no camera's session", hydraulic_path);
  g_assert_cmpstr (error->message, ==, message);
}

/* vigil-cli ---------------------------------------------------------------------------------- */

static char *
read_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);

  return text;
}

/* vigil-cli exits 2 with a usage line, or 1 with "vigil-cli: ..." and leaves no @out. */
static void
assert_cli_fails (int         status,
                  const char *expected_in_stderr,
                  const char *out,
                  const char *first,
                  ...)
{
  g_auto(Result) r = { 0 };
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *cli = g_getenv ("VIGIL_CLI");
  g_autoptr(GError) error = NULL;
  int wait_status;
  va_list ap;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *) cli);
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &r.out, &r.err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, status);
  if (strstr (r.err, expected_in_stderr) == NULL)
    g_error ("“%s” not in “%s”", expected_in_stderr, r.err);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
}

static void
test_cli (Fixture       *f,
          gconstpointer  data)
{
  g_auto(Result) r1 = { 0 };
  g_auto(Result) r2 = { 0 };
  g_auto(Result) r3 = { 0 };
  g_auto(Result) r4 = { 0 };
  g_autoptr(GArray) a_rows = g_array_new (FALSE, FALSE, sizeof (VigilStoreDetection));
  g_autoptr(GArray) b_rows = g_array_new (FALSE, FALSE, sizeof (VigilStoreDetection));
  g_autoptr(GArray) seconds = g_array_new (FALSE, FALSE, sizeof (VigilTrafficStats));
  g_autoptr(VigilStore) store = NULL;
  g_autofree char *out = g_build_filename (f->dir, "out.csv", NULL);
  g_autofree char *rig = g_build_filename (f->dir, "rig.vigil", NULL);
  g_autofree char *text = NULL;
  g_autofree char *session_text = NULL;
  g_autofree char *missing_message = NULL;
  const char *both[] = { "cam_01", "cam_02" };
  const char *only_a[] = { "cam_01" };
  GArray *both_rows[2];
  gint64 a, b;

  fill_two_cameras (f->path, &a, &b);
  add_detections (a_rows, 0);
  add_detections (b_rows, 1);
  add_seconds (seconds);
  both_rows[0] = a_rows;
  both_rows[1] = b_rows;

  run (&r1, "export", "detections", "--db", f->path, "--out", out, NULL);
  g_assert_cmpint (r1.status, ==, 0);
  text = read_text (out);
  assert_detections_csv (text, both, both_rows, 2);
  g_clear_pointer (&text, g_free);

  session_text = g_strdup_printf ("%" G_GINT64_FORMAT, a);
  run (&r2, "export", "detections", "--db", f->path, "--camera", "cam_01", "--session",
       session_text, "--out", out, NULL);
  g_assert_cmpint (r2.status, ==, 0);
  text = read_text (out);
  assert_detections_csv (text, only_a, both_rows, 1);
  g_clear_pointer (&text, g_free);

  run (&r3, "export", "traffic", "--db", f->path, "--out", out, NULL);
  g_assert_cmpint (r3.status, ==, 0);
  text = read_text (out);
  assert_traffic_csv (text, both, seconds, 2);
  g_clear_pointer (&text, g_free);

  run (&r4, "export", "traffic", "--db", f->path, "--camera", "cam_01", "--out", "-", NULL);
  g_assert_cmpint (r4.status, ==, 0);
  assert_traffic_csv (r4.out, only_a, seconds, 1);
  g_assert_cmpint (g_unlink (out), ==, 0);

  /* Refusals: nothing written, the reason on stderr. */
  missing_message = g_strdup_printf ("%s has no camera “cam_07”", f->path);
  assert_cli_fails (1, missing_message, out, "export", "detections", "--db", f->path,
                    "--camera", "cam_07", "--out", out, NULL);
  assert_cli_fails (1, missing_message, out, "export", "traffic", "--db", f->path,
                    "--camera", "cam_07", "--out", out, NULL);
  store = open_store (rig);
  ensure_session (store, &session_a);
  close_store (store);
  assert_cli_fails (1, "holds no camera's session", out, "export", "traffic", "--db", rig,
                    "--out", out, NULL);
  assert_cli_fails (2, "--sensor does not apply to detections", out, "export", "detections",
                    "--db", f->path, "--sensor", "PS1", "--out", out, NULL);
  assert_cli_fails (2, "--camera applies to detections and traffic", out, "export",
                    "windows", "--db", f->path, "--camera", "cam_01", "--out", out, NULL);
  assert_cli_fails (2, "--db FILE is required", out, "export", "traffic", "--out", out, NULL);
  assert_cli_fails (2, "cannot export “frames”", out, "export", "frames", "--db", f->path,
                    "--out", out, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/engine/store-traffic/rows", test_rows);
  ADD ("/engine/store-traffic/idempotent", test_idempotent);
  ADD ("/engine/store-traffic/two-cameras", test_two_cameras);
  ADD ("/engine/store-traffic/session-key", test_session_key);
  ADD ("/engine/store-traffic/migrate-v3", test_migrate_v3);
  ADD ("/engine/store-traffic/camera-alarms", test_camera_alarms);
  ADD ("/engine/store-traffic/bad-rows", test_bad_rows);
  ADD ("/engine/store-traffic/export", test_export);
  ADD ("/engine/store-traffic/export-refusals", test_export_refusals);
  ADD ("/engine/store-traffic/cli", test_cli);
#undef ADD
  g_test_add_func ("/engine/store-traffic/batch-size", test_batch_size);

  return g_test_run ();
}
