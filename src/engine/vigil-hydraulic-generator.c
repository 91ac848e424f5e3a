/* vigil-hydraulic-generator.c
 *
 * Synthetic hydraulic rig datasets in the UCI layout: the sensor files written in parallel from
 * the models in vigil-hydraulic-model.c, then profile.txt and the ground truth.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-generator"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "vigil-error.h"
#include "vigil-hydraulic-generator.h"
#include "vigil-hydraulic-model-private.h"
#include "vigil-records.h"
#include "vigil-sensor.h"

/* A row of the widest sensor is 6000 values; no formatted value is longer than this. */
#define MAX_VALUE_CHARS 24
#define OUT_BUFFER_SIZE (4 * 1024 * 1024)

#define N_OUT_FILES (VIGIL_N_SENSORS + 2)
#define OUT_PROFILE VIGIL_N_SENSORS

/* Indexed by VigilHydraulicFaultKind. */
static const char * const fault_names[] = {
  NULL, "pressure_spike", "overheating", "stuck_sensor",
};

typedef struct
{
  char  *path;      /* owned; the final name, used in messages */
  char  *tmp_path;  /* owned; written first, renamed when everything succeeded */
  int    fd;
  char  *buf;       /* owned */
  gsize  len;
} OutFile;

typedef struct
{
  const char          *out_dir;       /* borrowed */
  guint                n_cycles;
  GCancellable        *cancellable;   /* borrowed */

  VigilHydraulicModel  model;
  OutFile              files[N_OUT_FILES];

  /* Shared by the worker threads: the next sensor to write and whether one of them failed.
   * Each worker writes only its sensors' files, errors and stuck-fault magnitudes. */
  gint                 next_job;
  gint                 failed;
  GError              *errors[VIGIL_N_SENSORS];
} Generator;

/* ---- numbers as the UCI files write them ---- */

static inline char *
format_milli (char   *p,
              double  value)
{
  char digits[24];
  guint n = 0;
  guint64 m;
  guint64 whole;
  guint frac;

  /* The files hold no sign: readings below zero are clamped, as the real sensors do. */
  if (!(value > 0))
    value = 0;
  else if (value > 1e12)
    value = 1e12;

  m = (guint64) (value * 1000.0 + 0.5);
  whole = m / 1000;
  frac = (guint) (m % 1000);

  do
    {
      digits[n++] = (char) ('0' + whole % 10);
      whole /= 10;
    }
  while (whole != 0);
  while (n > 0)
    *p++ = digits[--n];

  if (frac != 0)
    {
      *p++ = '.';
      *p++ = (char) ('0' + frac / 100);
      if (frac % 100 != 0)
        {
          *p++ = (char) ('0' + frac / 10 % 10);
          if (frac % 10 != 0)
            *p++ = (char) ('0' + frac % 10);
        }
    }

  return p;
}

/* ---- output files ---- */

static gboolean
out_file_open (OutFile     *file,
               const char  *dir,
               const char  *name,
               GError     **error)
{
  g_autofree char *tmp_name = g_strdup_printf (".%s.tmp", name);
  int saved_errno;

  file->path = g_build_filename (dir, name, NULL);
  file->tmp_path = g_build_filename (dir, tmp_name, NULL);
  file->fd = g_open (file->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  saved_errno = errno;
  if (file->fd < 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                   "Could not create “%s”: %s", file->tmp_path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
out_file_flush (OutFile  *file,
                GError  **error)
{
  gsize done = 0;

  while (done < file->len)
    {
      gssize n = write (file->fd, file->buf + done, file->len - done);

      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                       "Could not write “%s”: %s", file->path, g_strerror (saved_errno));
          return FALSE;
        }
      done += (gsize) n;
    }
  file->len = 0;
  return TRUE;
}

static gboolean
out_file_close (OutFile  *file,
                GError  **error)
{
  int fd = file->fd;
  int saved_errno;

  file->fd = -1;
  g_clear_pointer (&file->buf, g_free);
  if (close (fd) == 0)
    return TRUE;
  saved_errno = errno;
  g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
               "Could not write “%s”: %s", file->path, g_strerror (saved_errno));
  return FALSE;
}

static void
out_file_clear (OutFile  *file,
                gboolean  remove_tmp)
{
  if (file->fd >= 0)
    close (file->fd);
  if (remove_tmp && file->tmp_path != NULL)
    g_unlink (file->tmp_path);
  g_clear_pointer (&file->path, g_free);
  g_clear_pointer (&file->tmp_path, g_free);
  g_clear_pointer (&file->buf, g_free);
  file->fd = -1;
}

/* ---- writing ---- */

static gboolean
set_cancelled (const char  *out_dir,
               GError     **error)
{
  g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_CANCELLED,
               "Generating the dataset in “%s” was cancelled", out_dir);
  return FALSE;
}

static gboolean
write_sensor (Generator    *gen,
              VigilSensor   sensor,
              GError      **error)
{
  OutFile *file = &gen->files[sensor];
  guint rate = vigil_sensor_get_info (sensor)->rate_hz;
  guint n = rate * VIGIL_CYCLE_SECONDS;
  g_autofree double *values = g_new (double, n);

  file->buf = g_malloc (OUT_BUFFER_SIZE);

  for (guint c = 0; c < gen->n_cycles; c++)
    {
      char *p;

      if (g_atomic_int_get (&gen->failed))
        return FALSE;
      if (g_cancellable_is_cancelled (gen->cancellable))
        return set_cancelled (gen->out_dir, error);

      _vigil_hydraulic_model_synth (&gen->model, sensor, gen->model.first_cycle + c, values);

      if (file->len + (gsize) n * MAX_VALUE_CHARS > OUT_BUFFER_SIZE &&
          !out_file_flush (file, error))
        return FALSE;

      p = file->buf + file->len;
      for (guint i = 0; i < n; i++)
        {
          p = format_milli (p, values[i]);
          *p++ = '\t';
        }
      p[-1] = '\n';
      file->len = (gsize) (p - file->buf);
    }

  return out_file_flush (file, error);
}

static gpointer
worker_thread (gpointer data)
{
  Generator *gen = data;

  for (;;)
    {
      int job = g_atomic_int_add (&gen->next_job, 1);

      if (job >= VIGIL_N_SENSORS)
        break;
      if (!write_sensor (gen, (VigilSensor) job, &gen->errors[job]))
        g_atomic_int_set (&gen->failed, 1);
    }

  return NULL;
}

static void
append_seconds (GString *out,
                double   seconds)
{
  char buf[MAX_VALUE_CHARS];
  char *end = format_milli (buf, seconds);

  g_string_append_len (out, buf, end - buf);
}

static void
append_fault_row (GString                   *out,
                  guint                      cycle,
                  VigilSensor                sensor,
                  const VigilHydraulicFault *fault,
                  double                     magnitude)
{
  double rate = vigil_sensor_get_info (sensor)->rate_hz;
  double start = (double) cycle * VIGIL_CYCLE_SECONDS + fault->first / rate;

  g_string_append_printf (out, "%u,%s,%s,", cycle, vigil_sensor_get_info (sensor)->name,
                          fault_names[fault->kind]);
  append_seconds (out, start);
  g_string_append_c (out, ',');
  append_seconds (out, start + fault->n_samples / rate);
  g_string_append_c (out, ',');
  append_seconds (out, magnitude);
  g_string_append_c (out, '\n');
}

/* profile.txt and ground-truth.csv, once the sensors are written (stuck values are known). */
static gboolean
write_tables (Generator  *gen,
              guint      *out_n_faults,
              GError    **error)
{
  g_autoptr(GString) profile = g_string_new (NULL);
  g_autoptr(GString) truth = g_string_new ("cycle,sensor,fault,start_s,end_s,magnitude\n");
  guint n_faults = 0;
  const GString *tables[2];

  for (guint c = 0; c < gen->n_cycles; c++)
    {
      const VigilHydraulicCyclePlan *plan = &gen->model.plans[c + 1];
      const VigilHydraulicFault *fault = &plan->fault;

      g_string_append_printf (profile, "%d\t%d\t%d\t%d\t%d\n", plan->label.cooler,
                              plan->label.valve, plan->label.pump, plan->label.accumulator,
                              plan->label.stable);

      if (fault->kind == VIGIL_HYDRAULIC_FAULT_OVERHEATING)
        {
          for (guint t = 0; t < 4; t++)
            append_fault_row (truth, c, VIGIL_SENSOR_TS1 + t, fault, fault->magnitude[t]);
          n_faults += 4;
        }
      else if (fault->kind != VIGIL_HYDRAULIC_FAULT_NONE)
        {
          append_fault_row (truth, c, fault->sensor, fault, fault->magnitude[0]);
          n_faults++;
        }
    }

  tables[0] = profile;
  tables[1] = truth;
  for (guint j = 0; j < 2; j++)
    {
      OutFile *file = &gen->files[OUT_PROFILE + j];

      file->buf = g_memdup2 (tables[j]->str, tables[j]->len);
      file->len = tables[j]->len;
      if (!out_file_flush (file, error))
        return FALSE;
    }

  if (out_n_faults != NULL)
    *out_n_faults = n_faults;
  return TRUE;
}

static gboolean
open_files (Generator   *gen,
            const char  *out_dir,
            GError     **error)
{
  for (guint j = 0; j < N_OUT_FILES; j++)
    gen->files[j].fd = -1;

  for (guint j = 0; j < N_OUT_FILES; j++)
    {
      g_autofree char *name = NULL;

      if (j < VIGIL_N_SENSORS)
        name = g_strconcat (vigil_sensor_get_info (j)->name, ".txt", NULL);
      else
        name = g_strdup (j == OUT_PROFILE ? "profile.txt" : VIGIL_HYDRAULIC_GROUND_TRUTH);
      if (!out_file_open (&gen->files[j], out_dir, name, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
run_workers (Generator  *gen,
             GError    **error)
{
  GThread *threads[2];
  guint n_threads = CLAMP (g_get_num_processors (), 1, G_N_ELEMENTS (threads));

  for (guint t = 0; t < n_threads; t++)
    threads[t] = g_thread_new ("vigil-generator", worker_thread, gen);
  for (guint t = 0; t < n_threads; t++)
    g_thread_join (threads[t]);

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    {
      if (gen->errors[s] != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&gen->errors[s]));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
finish_files (Generator  *gen,
              GError    **error)
{
  for (guint j = 0; j < N_OUT_FILES; j++)
    {
      if (!out_file_close (&gen->files[j], error))
        return FALSE;
    }

  for (guint j = 0; j < N_OUT_FILES; j++)
    {
      if (g_rename (gen->files[j].tmp_path, gen->files[j].path) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                       "Could not rename “%s” to “%s”: %s", gen->files[j].tmp_path,
                       gen->files[j].path, g_strerror (saved_errno));
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
vigil_hydraulic_generate_range (const char    *out_dir,
                                guint          first_cycle,
                                guint          n_cycles,
                                guint64        seed,
                                guint         *out_n_faults,
                                GCancellable  *cancellable,
                                GError       **error)
{
  Generator gen = { 0 };
  gboolean ok;

  g_return_val_if_fail (out_dir != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_cycles < 1 || n_cycles > VIGIL_HYDRAULIC_MAX_CYCLES ||
      first_cycle > VIGIL_HYDRAULIC_MAX_CYCLES - n_cycles)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                   "Cannot generate %u cycles from cycle %u: cycles must be 1 to %u, ending "
                   "by cycle %u", n_cycles, first_cycle, VIGIL_HYDRAULIC_MAX_CYCLES,
                   VIGIL_HYDRAULIC_MAX_CYCLES);
      return FALSE;
    }

  if (g_cancellable_is_cancelled (cancellable))
    return set_cancelled (out_dir, error);

  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                   "Could not create the directory “%s”: %s", out_dir, g_strerror (saved_errno));
      return FALSE;
    }

  gen.out_dir = out_dir;
  gen.n_cycles = n_cycles;
  gen.cancellable = cancellable;
  _vigil_hydraulic_model_init (&gen.model, seed, first_cycle, n_cycles);

  ok = open_files (&gen, out_dir, error) &&
       run_workers (&gen, error) &&
       write_tables (&gen, out_n_faults, error) &&
       finish_files (&gen, error);

  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    g_clear_error (&gen.errors[s]);
  for (guint j = 0; j < N_OUT_FILES; j++)
    out_file_clear (&gen.files[j], !ok);
  _vigil_hydraulic_model_clear (&gen.model);

  return ok;
}

gboolean
vigil_hydraulic_generate (const char    *out_dir,
                          guint          n_cycles,
                          guint64        seed,
                          GCancellable  *cancellable,
                          GError       **error)
{
  return vigil_hydraulic_generate_range (out_dir, 0, n_cycles, seed, NULL, cancellable, error);
}
