/* vigil-cli-export.c
 *
 * `vigil-cli export windows|alarms|journal|detections|traffic`: one session of a store, or its
 * cameras' sessions, as CSV, to a file (replaced atomically) or to stdout.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-cli"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gunixoutputstream.h>

#include "vigil-cli-private.h"
#include "vigil-error.h"
#include "vigil-sensor.h"
#include "vigil-store.h"
#include "vigil-time.h"

/* A camera export: rows of one camera or of all of them. */
typedef gboolean (*CameraExportFunc) (VigilStore             *self,
                                      const VigilStoreFilter *filter,
                                      const char             *camera,
                                      GOutputStream          *out,
                                      GCancellable           *cancellable,
                                      GError                **error);

typedef struct
{
  const char           *name;
  VigilStoreExportFunc  func;         /* a hydraulic session's rows */
  CameraExportFunc      camera_func;  /* or cameras' rows */
} ExportKind;

static const ExportKind kinds[] = {
  { "windows",    vigil_store_export_windows, NULL },
  { "alarms",     vigil_store_export_alarms, NULL },
  { "journal",    vigil_store_export_journal, NULL },
  { "detections", NULL, vigil_store_export_detections },
  { "traffic",    NULL, vigil_store_export_traffic },
};

/* What vigil_store_export_to_file() hands back to camera_export(): the filter comes first,
 * so the filter it passes on is this whole struct. */
typedef struct
{
  VigilStoreFilter  filter;
  const char       *camera;
  CameraExportFunc  func;
} CameraExport;

static gboolean
camera_export (VigilStore              *store,
               const VigilStoreFilter  *filter,
               GOutputStream           *out,
               GCancellable            *cancellable,
               GError                 **error)
{
  const CameraExport *export = (const CameraExport *) filter;

  return export->func (store, &export->filter, export->camera, out, cancellable, error);
}

static const char description[] =
  "Writes one session of a Vigil store as CSV (RFC 4180, one header row; times are ISO-8601\n"
  "UTC with milliseconds, like 2025-01-01T00:00:10.000Z; numbers have 17 significant digits;\n"
  "an empty field means no value). Without --session the most recent session is exported.\n"
  "--from and --to select rows whose start time t has FROM <= t < TO.\n"
  "\n"
  "windows: one row per sensor and window, by window start then sensor (PS1..SE)\n"
  "  sensor, window_start, window_end (exclusive), count (samples), avg, min, max,\n"
  "  stddev (sample standard deviation; empty below 2 samples), range (max - min)\n"
  "\n"
  "alarms: one row per alarm instance, by raise time, rule and sensor\n"
  "  rule, sensor, severity (warning, critical), state (active-unacked, active-acked,\n"
  "  clearing, cleared-unacked, normal), raised_at, acknowledged_at, cleared_at (when the\n"
  "  condition returned to normal), value (the statistic when raised), peak (its largest\n"
  "  value while the instance lasted), shelved_until, comment (the acknowledgement's)\n"
  "\n"
  "journal: every alarm state transition, by time\n"
  "  time, rule, sensor, severity, from, to (states), cause (condition, timer, ack,\n"
  "  shelve, unshelve), shelved (1 or 0 after the transition), value (empty for operator\n"
  "  actions), comment\n"
  "\n"
  "detections and traffic export cameras: without --session every camera's session in the\n"
  "file, by camera; --camera keeps one camera. --from and --to apply to frame times and to\n"
  "the start of each second. --sensor does not apply.\n"
  "\n"
  "detections: one row per vehicle per frame, by camera, frame, then place in the frame\n"
  "  camera, frame (0-based, in the source's order), timestamp (the frame's), track_id\n"
  "  (empty when untracked), class (motorcycle, car, bus, truck), x, y, w, h (the box, in\n"
  "  pixels of the source frame)\n"
  "\n"
  "traffic: one row per camera and second, by camera then start\n"
  "  camera, start, end (exclusive), frames, vehicles (mean in the road mask per frame),\n"
  "  unique_vehicles (distinct tracks), motorcycle, car, bus, truck (distinct tracks per\n"
  "  class), density_pct (vehicle pixels / road pixels, mean), speed_kmh (mean; empty when\n"
  "  unknown), dwell_s (mean time in the mask), status (NORMAL, CROWDED, JAMMED)\n"
  "\n"
  "Examples:\n"
  "  vigil-cli export windows --db rig.vigil --out ps.csv --sensor PS1,PS2 \\\n"
  "      --from 2025-01-01T00:00:00Z --to 2025-01-01T01:00:00Z\n"
  "  vigil-cli export detections --db road.vigil --camera cam_01 --out cam_01.csv";

static gboolean
parse_sensors (char     **names,
               guint32   *out_mask,
               char     **out_message)
{
  guint32 mask = 0;

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (names[i], ",", -1);

      for (guint j = 0; parts[j] != NULL; j++)
        {
          const char *name = g_strstrip (parts[j]);
          VigilSensor sensor;

          if (*name == '\0')
            continue;

          if (!vigil_sensor_from_name (name, &sensor))
            {
              *out_message = g_strdup_printf ("unknown sensor “%s” (sensors are PS1-PS6, EPS1, "
                                              "FS1, FS2, TS1-TS4, VS1, CE, CP, SE)", name);
              return FALSE;
            }
          mask |= 1u << sensor;
        }
    }

  *out_mask = mask;

  return TRUE;
}

static gboolean
parse_time (const char  *text,
            gint64      *out_us,
            char       **out_message)
{
  g_autoptr(GError) error = NULL;

  if (text == NULL)
    return TRUE;

  if (!vigil_time_parse_iso8601 (text, out_us, &error))
    {
      *out_message = g_strdup (error->message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
export_to_stdout (VigilStore              *store,
                  VigilStoreExportFunc     func,
                  const VigilStoreFilter  *filter,
                  GError                 **error)
{
  g_autoptr(GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);

  return func (store, filter, out, NULL, error);
}

int
_vigil_cli_export (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilStore) store = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;
  g_autofree char *message = NULL;
  g_autofree char *camera = NULL;
  g_auto(GStrv) sensor_names = NULL;
  gint64 session_id = 0;
  const ExportKind *kind = NULL;
  CameraExport export = { 0 };
  VigilStoreFilter *filter = &export.filter;
  VigilStoreExportFunc func;
  gboolean ok;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "The store to read", "FILE" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_path,
      "Where to write the CSV; - for standard output", "FILE.csv" },
    { "sensor", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sensor_names,
      "Only these sensors (repeat it, or separate names with commas)", "NAME" },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from_text, "Only rows starting at or after ISO",
      "ISO" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to_text, "Only rows starting before ISO", "ISO" },
    { "session", 0, 0, G_OPTION_ARG_INT64, &session_id,
      "The session to export (default: the most recent; every camera's for detections and "
      "traffic)", "N" },
    { "camera", 0, 0, G_OPTION_ARG_STRING, &camera,
      "Only this camera (detections and traffic)", "ID" },
    { NULL }
  };

  vigil_store_filter_init (filter);

  context = g_option_context_new ("windows|alarms|journal|detections|traffic - export a store "
                                  "as CSV");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, description);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return _vigil_cli_usage ("export", error->message);

  if (argc != 2)
    return _vigil_cli_usage ("export", "say what to export: windows, alarms, journal, "
                                       "detections or traffic");

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_str_equal (argv[1], kinds[i].name))
      kind = &kinds[i];

  if (kind == NULL)
    {
      message = g_strdup_printf ("cannot export “%s” (windows, alarms, journal, detections or "
                                 "traffic)", argv[1]);
      return _vigil_cli_usage ("export", message);
    }

  if (db_path == NULL)
    return _vigil_cli_usage ("export", "--db FILE is required");
  if (out_path == NULL)
    return _vigil_cli_usage ("export", "--out FILE.csv is required (- for standard output)");
  if (session_id < 0)
    return _vigil_cli_usage ("export", "--session takes a positive session id");
  if (kind->camera_func != NULL && sensor_names != NULL)
    {
      message = g_strdup_printf ("--sensor does not apply to %s (use --camera)", kind->name);
      return _vigil_cli_usage ("export", message);
    }
  if (kind->camera_func == NULL && camera != NULL)
    {
      message = g_strdup_printf ("--camera applies to detections and traffic, not to %s",
                                 kind->name);
      return _vigil_cli_usage ("export", message);
    }
  if (camera != NULL && *camera == '\0')
    return _vigil_cli_usage ("export", "--camera takes a camera id");

  filter->session_id = session_id;
  if (!parse_sensors (sensor_names, &filter->sensors, &message) ||
      !parse_time (from_text, &filter->from_us, &message) ||
      !parse_time (to_text, &filter->to_us, &message))
    return _vigil_cli_usage ("export", message);

  if (filter->from_us >= filter->to_us)
    return _vigil_cli_usage ("export", "--from must come before --to");

  export.camera = camera;
  export.func = kind->camera_func;
  func = kind->camera_func != NULL ? camera_export : kind->func;

  store = vigil_store_open_readonly (db_path, &error);
  if (store == NULL)
    return _vigil_cli_fail (error);

  if (g_str_equal (out_path, "-"))
    ok = export_to_stdout (store, func, filter, &error);
  else
    ok = vigil_store_export_to_file (store, func, filter, out_path, NULL, NULL, NULL, &error);

  if (!ok)
    return _vigil_cli_fail (error);

  return 0;
}
