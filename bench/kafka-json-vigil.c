/* kafka-json-vigil.c
 *
 * Vigil's side of bench/kafka-json: Kafka-format hydraulic sample messages through parsing and
 * event-time windows, transport excluded.
 *
 *   kafka-json-vigil generate FILE [--cycles N] [--seed S]
 *   kafka-json-vigil run FILE --parser fast|reference [--windows CSV]
 *
 * generate writes the seed-format messages of N generated cycles of a rig (vigil-cli generate's
 * data, seed S) in the order a live rig publishes them, by event time: one message a line,
 * "TOPIC<TAB>JSON". run loads such a file into memory (untimed), then times, on one thread,
 * parsing every message in batches of 4096 (vigil_kafka_fast_parser_parse_batch() or the
 * reference's) and pushing every sample into a VigilWindowOp (60 s windows sliding every 10 s,
 * 10 s allowed lateness, as the replay), then the final flush. It prints one line:
 *   vigil: parser=P messages=N samples=S dead=D windows=W late=L fallbacks=F seconds=T
 *          messages_per_s=R
 * --windows writes every window (CSV, %.17g) so that runs can be compared.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-bench-kafka-json"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "vigil-hydraulic-generator.h"
#include "vigil-hydraulic-reader.h"
#include "vigil-kafka-message.h"
#include "vigil-sensor.h"
#include "vigil-time.h"
#include "vigil-window-op.h"

#define BATCH 4096
#define TICKS_PER_CYCLE (VIGIL_CYCLE_SECONDS * 100)   /* 10 ms ticks, the fastest rate */

static gboolean
generate (const char  *path,
          guint        n_cycles,
          guint64      seed,
          GError     **error)
{
  g_autofree char *dir = g_dir_make_tmp ("vigil-kafka-json-XXXXXX", error);
  VigilRowReader *readers[VIGIL_N_SENSORS] = { NULL, };
  double *rows[VIGIL_N_SENSORS] = { NULL, };
  g_autoptr(GString) line = g_string_new (NULL);
  gboolean ok = FALSE;
  FILE *out = NULL;

  if (dir == NULL)
    return FALSE;
  if (!vigil_hydraulic_generate (dir, n_cycles, seed, NULL, error))
    goto out;

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      g_autofree char *file = g_strdup_printf ("%s/%s.txt", dir,
                                               vigil_sensor_get_info ((VigilSensor) s)->name);

      readers[s] = vigil_row_reader_open (file, vigil_sensor_samples_per_cycle ((VigilSensor) s),
                                          error);
      if (readers[s] == NULL)
        goto out;
      rows[s] = g_new (double, vigil_sensor_samples_per_cycle ((VigilSensor) s));
    }

  out = fopen (path, "w");
  if (out == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: cannot write", path);
      goto out;
    }

  for (guint cycle = 0; cycle < n_cycles; cycle++)
    {
      for (guint s = 0; s < VIGIL_N_SENSORS; s++)
        if (vigil_row_reader_next (readers[s], rows[s], error) != 1)
          goto out;

      for (guint tick = 0; tick < TICKS_PER_CYCLE; tick++)
        for (guint s = 0; s < VIGIL_N_SENSORS; s++)
          {
            const VigilSensorInfo *info = vigil_sensor_get_info ((VigilSensor) s);
            guint step = 100 / info->rate_hz;
            VigilKafkaSample sample = {
              .sensor = (VigilSensor) s, .cycle = cycle, .sample_idx = tick / step,
              .sampling_rate_hz = info->rate_hz,
              .time_us = VIGIL_DEFAULT_START_US
                         + ((gint64) cycle * VIGIL_CYCLE_SECONDS) * VIGIL_USEC_PER_SEC
                         + (gint64) tick * 10000,
            };

            if (tick % step != 0)
              continue;
            sample.value = rows[s][sample.sample_idx];
            g_string_printf (line, "hydraulic-%s\t", info->name);
            vigil_kafka_write_sample (line, &sample);
            g_string_append_c (line, '\n');
            fwrite (line->str, 1, line->len, out);
          }
    }
  ok = TRUE;

out:
  if (out != NULL && fclose (out) != 0 && ok)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: cannot write", path);
      ok = FALSE;
    }
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      g_clear_pointer (&readers[s], vigil_row_reader_free);
      g_free (rows[s]);
    }
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);

        g_unlink (file);
      }
    g_rmdir (dir);
  }

  return ok;
}

/* Splits the file in place into records: topics NUL-terminated, payloads not. */
static GArray *
load_records (char  *contents,
              gsize  len)
{
  GArray *records = g_array_new (FALSE, FALSE, sizeof (VigilKafkaRecord));
  char *p = contents, *end = contents + len;

  while (p < end)
    {
      char *nl = memchr (p, '\n', (gsize) (end - p));
      char *tab;
      VigilKafkaRecord r = { 0, };

      if (nl == NULL)
        nl = end;
      tab = memchr (p, '\t', (gsize) (nl - p));
      if (tab != NULL)
        {
          *tab = '\0';
          r.topic = p;
          r.offset = records->len;
          r.payload = tab + 1;
          r.len = (gsize) (nl - tab - 1);
          g_array_append_val (records, r);
        }
      p = nl + 1;
    }

  return records;
}

static gboolean
write_windows (const char  *path,
               GArray      *windows,
               GError     **error)
{
  g_autoptr(GString) csv = g_string_new ("sensor,start_us,end_us,count,avg,min,max,stddev,range\n");

  for (guint i = 0; i < windows->len; i++)
    {
      const VigilWindowStats *w = &g_array_index (windows, VigilWindowStats, i);

      g_string_append_printf (csv, "%s,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%"
                              G_GUINT64_FORMAT ",%.17g,%.17g,%.17g,%.17g,%.17g\n",
                              vigil_sensor_get_info ((VigilSensor) w->key)->name, w->start_us,
                              w->end_us, w->count, w->avg, w->min, w->max, w->stddev, w->range);
    }

  return g_file_set_contents (path, csv->str, (gssize) csv->len, error);
}

static int
run (const char *path,
     const char *parser_name,
     const char *windows_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GArray) records = NULL;
  g_autoptr(GArray) windows = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));
  g_autoptr(GArray) late = g_array_new (FALSE, FALSE, sizeof (VigilLateRecord));
  g_autoptr(VigilWindowOp) op = NULL;
  g_autoptr(VigilKafkaParser) reference = NULL;
  g_autoptr(VigilKafkaFastParser) fast = NULL;
  gboolean use_fast = g_strcmp0 (parser_name, "fast") == 0;
  VigilKafkaBatch batch;
  guint64 samples = 0, dead = 0, late_count = 0, fallbacks = 0;
  gint64 t0, t1;
  gsize len = 0;

  if (!use_fast && g_strcmp0 (parser_name, "reference") != 0)
    {
      g_printerr ("kafka-json-vigil: --parser is fast or reference\n");
      return 2;
    }
  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      g_printerr ("kafka-json-vigil: %s\n", error->message);
      return 1;
    }
  records = load_records (contents, len);
  vigil_kafka_batch_init (&batch);

  t0 = g_get_monotonic_time ();
  op = vigil_window_op_new (60 * VIGIL_USEC_PER_SEC, 10 * VIGIL_USEC_PER_SEC,
                            10 * VIGIL_USEC_PER_SEC, VIGIL_N_SENSORS, &error);
  g_assert_no_error (error);
  if (use_fast)
    fast = vigil_kafka_fast_parser_new ();
  else
    reference = vigil_kafka_parser_new ();

  for (guint first = 0; first < records->len; first += BATCH)
    {
      guint n = MIN (BATCH, records->len - first);
      const VigilKafkaRecord *r = &g_array_index (records, VigilKafkaRecord, first);

      vigil_kafka_batch_reset (&batch);
      if (use_fast)
        vigil_kafka_fast_parser_parse_batch (fast, r, n, &batch);
      else
        vigil_kafka_parser_parse_batch (reference, r, n, &batch);

      for (guint i = 0; i < batch.samples->len; i++)
        {
          const VigilKafkaSample *s = &g_array_index (batch.samples, VigilKafkaSample, i);

          vigil_window_op_push (op, s->sensor, s->time_us, s->value, windows, late);
        }
      samples += batch.samples->len;
      dead += batch.dead_letters->len;
    }
  vigil_window_op_flush (op, windows);
  t1 = g_get_monotonic_time ();

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    late_count += vigil_window_op_get_late_count (op, s);
  if (use_fast)
    fallbacks = vigil_kafka_fast_parser_get_fallbacks (fast);
  vigil_kafka_batch_clear (&batch);

  if (windows_path != NULL && !write_windows (windows_path, windows, &error))
    {
      g_printerr ("kafka-json-vigil: %s\n", error->message);
      return 1;
    }

  printf ("vigil: parser=%s messages=%u samples=%" G_GUINT64_FORMAT " dead=%" G_GUINT64_FORMAT
          " windows=%u late=%" G_GUINT64_FORMAT " fallbacks=%" G_GUINT64_FORMAT
          " seconds=%.3f messages_per_s=%.0f\n", parser_name, records->len, samples, dead,
          windows->len, late_count, fallbacks, (double) (t1 - t0) / 1e6,
          records->len / ((double) (t1 - t0) / 1e6));

  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("generate|run FILE");
  g_autoptr(GError) error = NULL;
  g_autofree char *parser_name = NULL;
  g_autofree char *windows_path = NULL;
  int cycles = 60;
  gint64 seed = 1;
  const GOptionEntry entries[] = {
    { "cycles", 0, 0, G_OPTION_ARG_INT, &cycles, "Cycles to generate (default 60)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the generated rig (default 1)", "S" },
    { "parser", 0, 0, G_OPTION_ARG_STRING, &parser_name, "fast or reference", "P" },
    { "windows", 0, 0, G_OPTION_ARG_FILENAME, &windows_path, "Write the windows here", "CSV" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, "Kafka-format JSON through parse + windows "
                                "(bench/kafka-json).");
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 3 || cycles < 1 ||
      seed < 0)
    {
      g_printerr ("kafka-json-vigil: %s\n", error != NULL ? error->message
                  : "usage: kafka-json-vigil generate|run FILE [options]");
      return 2;
    }

  if (g_str_equal (argv[1], "generate"))
    {
      if (!generate (argv[2], (guint) cycles, (guint64) seed, &error))
        {
          g_printerr ("kafka-json-vigil: %s\n", error->message);
          return 1;
        }
      return 0;
    }
  if (g_str_equal (argv[1], "run"))
    return run (argv[2], parser_name, windows_path);

  g_printerr ("kafka-json-vigil: the command is generate or run, not “%s”\n", argv[1]);
  return 2;
}
