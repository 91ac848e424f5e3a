/* vigil-features.c
 *
 * Per-cycle features for health models, from a dataset folder streamed a row at a time or
 * from a recorded session's cycle-aligned windows, with the cycles' labels.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-features"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vigil-error.h"
#include "vigil-features.h"
#include "vigil-hydraulic-reader.h"
#include "vigil-store-private.h"
#include "vigil-time.h"

#define CYCLE_US ((gint64) VIGIL_CYCLE_SECONDS * VIGIL_USEC_PER_SEC)
/* Seconds at either end of a cycle whose energy is a feature: start-up and shut-down. */
#define ENERGY_SECONDS 5

typedef enum
{
  FEATURE_MEAN,
  FEATURE_STD,
  FEATURE_MIN,
  FEATURE_MAX,
  FEATURE_SLOPE,
  FEATURE_Q25,
  FEATURE_Q50,
  FEATURE_Q75,
  FEATURE_FIRST_ENERGY,
  FEATURE_LAST_ENERGY,
  N_FEATURES
} Feature;

/* What windows give exactly: the first N_STORE_FEATURES of the list above. */
#define N_STORE_FEATURES (FEATURE_MAX + 1)

static const char * const feature_names[N_FEATURES] = {
  "mean", "std", "min", "max", "slope", "q25", "q50", "q75", "first_energy", "last_energy",
};

G_STATIC_ASSERT (VIGIL_N_TARGETS == VIGIL_N_COMPONENTS);

struct _VigilFeatureTable
{
  GPtrArray *names;       /* of char*, n_features */
  GArray    *data;        /* float, n_rows * n_features */
  GArray    *cycles;      /* guint, n_rows */
  GArray    *labels;      /* VigilCycleLabel, n_rows; NULL without labels */
  guint      n_features;
  guint32    sensors;
  guint      n_skipped;
};

/* Targets ----------------------------------------------------------------------------------- */

const char *
vigil_target_to_string (VigilTarget target)
{
  g_return_val_if_fail (target < VIGIL_N_TARGETS, NULL);

  return vigil_key_get_name (VIGIL_KEY_COMPONENT + target);
}

gboolean
vigil_target_from_string (const char  *name,
                          VigilTarget *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  guint key;

  if (name == NULL || !vigil_key_from_name (name, &key) || key < VIGIL_KEY_COMPONENT)
    return FALSE;

  *out = (VigilTarget) (key - VIGIL_KEY_COMPONENT);

  return TRUE;
}

int
vigil_cycle_label_get (const VigilCycleLabel *label,
                       VigilTarget            target)
{
  g_return_val_if_fail (label != NULL, 0);

  switch (target)
    {
    case VIGIL_TARGET_COOLER:
      return label->cooler;
    case VIGIL_TARGET_VALVE:
      return label->valve;
    case VIGIL_TARGET_PUMP:
      return label->pump;
    case VIGIL_TARGET_ACCUMULATOR:
      return label->accumulator;
    case VIGIL_TARGET_STABLE:
      return label->stable;
    case VIGIL_N_TARGETS:
    default:
      g_return_val_if_reached (0);
    }
}

/* One cycle's features ---------------------------------------------------------------------- */

guint
vigil_features_per_sensor (void)
{
  return N_FEATURES;
}

const char *
vigil_features_get_name (guint feature)
{
  g_return_val_if_fail (feature < N_FEATURES, NULL);

  return feature_names[feature];
}

/* Rearranges @a[0..n) so that a[k] holds the value a sorted copy would have there, nothing
 * larger before it and nothing smaller after it: quickselect with a median of three, O(n)
 * where sorting a 100 Hz cycle for three quantiles would take most of a live prediction. */
static void
select_nth (double *a,
            int     n,
            int     k)
{
  int lo = 0, hi = n - 1;

  while (hi > lo)
    {
      int mid = lo + (hi - lo) / 2;
      int i = lo, j = hi;
      double pivot, tmp;

#define SWAP(x, y) (tmp = a[x], a[x] = a[y], a[y] = tmp)
      if (a[mid] < a[lo])
        SWAP (mid, lo);
      if (a[hi] < a[lo])
        SWAP (hi, lo);
      if (a[hi] < a[mid])
        SWAP (hi, mid);
      pivot = a[mid];

      while (i <= j)
        {
          while (a[i] < pivot)
            i++;
          while (a[j] > pivot)
            j--;
          if (i <= j)
            {
              SWAP (i, j);
              i++;
              j--;
            }
        }
#undef SWAP

      /* [lo, j] <= pivot <= [i, hi], and whatever lies between equals the pivot. */
      if (k <= j)
        hi = j;
      else if (k >= i)
        lo = i;
      else
        return;
    }
}

/* numpy's "linear" method: position (n - 1) q of the sorted values. @a is rearranged. */
static double
quantile (double *a,
          guint   n,
          double  q)
{
  double h = (n - 1) * q;
  guint lo = (guint) floor (h);
  double next;

  select_nth (a, (int) n, (int) lo);
  if (lo + 1 >= n)
    return a[lo];

  /* After the selection the next order statistic is the smallest of what follows. */
  next = a[lo + 1];
  for (guint i = lo + 2; i < n; i++)
    next = MIN (next, a[i]);

  return a[lo] + (h - lo) * (next - a[lo]);
}

static double
mean_square (const double *values,
             guint         n)
{
  double sum = 0;

  for (guint i = 0; i < n; i++)
    sum += values[i] * values[i];

  return sum / n;
}

/* @scratch holds @n_values doubles. */
static void
compute (VigilSensor   sensor,
         const double *values,
         guint         n_values,
         double       *scratch,
         float        *out)
{
  double rate = vigil_sensor_get_info (sensor)->rate_hz;
  guint n_edge = MIN (n_values, (guint) (ENERGY_SECONDS * rate));
  double sum = 0, mn = INFINITY, mx = -INFINITY, mean, t_mean;
  double ss = 0, stt = 0, sty = 0;

  for (guint i = 0; i < n_values; i++)
    {
      sum += values[i];
      mn = MIN (mn, values[i]);
      mx = MAX (mx, values[i]);
    }
  mean = sum / n_values;

  /* Second pass about the mean: no cancellation of large squares. Time about its mean
   * too, so the slope's sums stay small. */
  t_mean = (n_values - 1) / 2.0;
  for (guint i = 0; i < n_values; i++)
    {
      double d = values[i] - mean;
      double t = i - t_mean;

      ss += d * d;
      stt += t * t;
      sty += t * d;
    }

  memcpy (scratch, values, n_values * sizeof (double));

  out[FEATURE_MEAN] = mean;
  out[FEATURE_STD] = sqrt (ss / n_values);
  out[FEATURE_MIN] = mn;
  out[FEATURE_MAX] = mx;
  /* Samples are 1 / rate seconds apart. */
  out[FEATURE_SLOPE] = stt > 0 ? sty / stt * rate : 0;
  out[FEATURE_Q25] = quantile (scratch, n_values, 0.25);
  out[FEATURE_Q50] = quantile (scratch, n_values, 0.50);
  out[FEATURE_Q75] = quantile (scratch, n_values, 0.75);
  out[FEATURE_FIRST_ENERGY] = mean_square (values, n_edge);
  out[FEATURE_LAST_ENERGY] = mean_square (values + n_values - n_edge, n_edge);
}

void
vigil_features_compute (VigilSensor   sensor,
                        const double *values,
                        guint         n_values,
                        float        *out)
{
  g_autofree double *scratch = NULL;

  g_return_if_fail (sensor < VIGIL_N_SENSORS);
  g_return_if_fail (values != NULL);
  g_return_if_fail (n_values > 0);
  g_return_if_fail (out != NULL);

  scratch = g_new (double, n_values);
  compute (sensor, values, n_values, scratch, out);
}

/* The table --------------------------------------------------------------------------------- */

/* @n_rows: rows expected, to allocate once. */
static VigilFeatureTable *
table_new (guint32  sensors,
           guint    per_sensor,
           gboolean has_labels,
           guint    n_rows)
{
  VigilFeatureTable *self = g_new0 (VigilFeatureTable, 1);

  self->names = g_ptr_array_new_with_free_func (g_free);
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    if (sensors & (1u << s))
      for (guint f = 0; f < per_sensor; f++)
        g_ptr_array_add (self->names, g_strdup_printf ("%s_%s", vigil_sensor_get_info (s)->name,
                                                       feature_names[f]));

  self->n_features = self->names->len;
  self->sensors = sensors;
  self->data = g_array_sized_new (FALSE, FALSE, sizeof (float), n_rows * self->n_features);
  self->cycles = g_array_sized_new (FALSE, FALSE, sizeof (guint), n_rows);
  if (has_labels)
    self->labels = g_array_sized_new (FALSE, FALSE, sizeof (VigilCycleLabel), n_rows);

  return self;
}

void
vigil_feature_table_free (VigilFeatureTable *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->names);
  g_array_unref (self->data);
  g_array_unref (self->cycles);
  g_clear_pointer (&self->labels, g_array_unref);
  g_free (self);
}

/* Appends a row of @self->n_features floats and returns it to be filled. */
static float *
table_add_row (VigilFeatureTable     *self,
               guint                  cycle,
               const VigilCycleLabel *label)
{
  guint len = self->data->len;

  g_array_set_size (self->data, len + self->n_features);
  g_array_append_val (self->cycles, cycle);
  if (self->labels != NULL)
    g_array_append_vals (self->labels, label, 1);

  return &g_array_index (self->data, float, len);
}

guint
vigil_feature_table_get_n_rows (VigilFeatureTable *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->cycles->len;
}

guint
vigil_feature_table_get_n_features (VigilFeatureTable *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_features;
}

const char *
vigil_feature_table_get_name (VigilFeatureTable *self,
                              guint              feature)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (feature < self->n_features, NULL);

  return g_ptr_array_index (self->names, feature);
}

const float *
vigil_feature_table_get_row (VigilFeatureTable *self,
                             guint              row)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (row < self->cycles->len, NULL);

  return &g_array_index (self->data, float, (gsize) row * self->n_features);
}

const float *
vigil_feature_table_get_data (VigilFeatureTable *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return (const float *) self->data->data;
}

gboolean
vigil_feature_table_has_labels (VigilFeatureTable *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->labels != NULL;
}

const VigilCycleLabel *
vigil_feature_table_get_label (VigilFeatureTable *self,
                               guint              row)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (row < self->cycles->len, NULL);

  if (self->labels == NULL)
    return NULL;

  return &g_array_index (self->labels, VigilCycleLabel, row);
}

guint
vigil_feature_table_get_cycle (VigilFeatureTable *self,
                               guint              row)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (row < self->cycles->len, 0);

  return g_array_index (self->cycles, guint, row);
}

guint32
vigil_feature_table_get_sensors (VigilFeatureTable *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->sensors;
}

guint
vigil_feature_table_get_n_skipped (VigilFeatureTable *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_skipped;
}

/* From a dataset ---------------------------------------------------------------------------- */

typedef struct
{
  VigilRowReader *readers[VIGIL_N_SENSORS + 1];   /* the last one is profile.txt */
  double         *values;                         /* a row of the widest file */
  double         *scratch;
} DatasetReaders;

static void
dataset_readers_clear (DatasetReaders *r)
{
  for (guint i = 0; i <= VIGIL_N_SENSORS; i++)
    g_clear_pointer (&r->readers[i], vigil_row_reader_free);
  g_clear_pointer (&r->values, g_free);
  g_clear_pointer (&r->scratch, g_free);
}

static gboolean
dataset_readers_open (DatasetReaders               *r,
                      const VigilHydraulicDataset  *dataset,
                      GError                      **error)
{
  guint widest = 5;

  for (guint s = 0; s <= VIGIL_N_SENSORS; s++)
    {
      g_autofree char *file = NULL;
      g_autofree char *path = NULL;
      guint n_columns;

      if (s < VIGIL_N_SENSORS ? !(dataset->sensors & (1u << s)) : !dataset->has_profile)
        continue;

      n_columns = s < VIGIL_N_SENSORS ? vigil_sensor_samples_per_cycle (s) : 5;
      file = g_strconcat (s < VIGIL_N_SENSORS ? vigil_sensor_get_info (s)->name : "profile",
                          ".txt", NULL);
      path = g_build_filename (dataset->dir, file, NULL);
      r->readers[s] = vigil_row_reader_open (path, n_columns, error);
      if (r->readers[s] == NULL)
        return FALSE;
      widest = MAX (widest, n_columns);
    }

  r->values = g_new (double, widest);
  r->scratch = g_new (double, widest);

  return TRUE;
}

/* A file shorter than the scan found (it changed since) is an error, not a short table. */
static gboolean
read_row (VigilRowReader  *reader,
          guint            n_cycles,
          double          *values,
          VigilCycleLabel *label,
          GError         **error)
{
  int r = label != NULL ? vigil_row_reader_next_label (reader, label, error)
                        : vigil_row_reader_next (reader, values, error);

  if (r == 0)
    g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                 "%s:%u: the file ends after %u rows, but the dataset has %u cycles",
                 vigil_row_reader_get_name (reader), vigil_row_reader_get_rows (reader) + 1,
                 vigil_row_reader_get_rows (reader), n_cycles);

  return r == 1;
}

static gboolean
read_dataset (VigilFeatureTable            *self,
              const VigilHydraulicDataset  *dataset,
              DatasetReaders               *r,
              GCancellable                 *cancellable,
              GError                      **error)
{
  for (guint c = 0; c < dataset->n_cycles; c++)
    {
      VigilCycleLabel label = { 0 };
      float *row;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (dataset->has_profile)
        {
          if (!read_row (r->readers[VIGIL_N_SENSORS], dataset->n_cycles, NULL, &label, error))
            return FALSE;
          label.cycle = c;
          label.start_us = c * CYCLE_US;
        }

      row = table_add_row (self, c, &label);
      for (guint s = 0; s < VIGIL_N_SENSORS; s++)
        {
          if (r->readers[s] == NULL)
            continue;

          if (!read_row (r->readers[s], dataset->n_cycles, r->values, NULL, error))
            return FALSE;
          compute (s, r->values, vigil_sensor_samples_per_cycle (s), r->scratch, row);
          row += N_FEATURES;
        }
    }

  return TRUE;
}

VigilFeatureTable *
vigil_feature_table_new_from_dataset (const char    *dir,
                                      GCancellable  *cancellable,
                                      GError       **error)
{
  g_autoptr(VigilHydraulicDataset) dataset = NULL;
  g_autoptr(VigilFeatureTable) self = NULL;
  DatasetReaders readers = { 0 };
  gboolean ok;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dataset = vigil_hydraulic_dataset_scan (dir, cancellable, error);
  if (dataset == NULL)
    return NULL;

  self = table_new (dataset->sensors, N_FEATURES, dataset->has_profile, dataset->n_cycles);
  ok = dataset_readers_open (&readers, dataset, error) &&
       read_dataset (self, dataset, &readers, cancellable, error);
  dataset_readers_clear (&readers);

  return ok ? g_steal_pointer (&self) : NULL;
}

/* From a store ------------------------------------------------------------------------------ */

static const char labels_sql[] =
  "SELECT cycle, start_us, cooler, valve, pump, accumulator, stable FROM cycle_labels"
  " WHERE session_id = ?1 ORDER BY cycle";

/* The windows that are exactly one cycle: ?2 is the cycle length, ?3 the start of cycle 0. */
static const char windows_sql[] =
  "SELECT sensor, window_start, count, avg, min, max, stddev FROM windows"
  " WHERE session_id = ?1 AND window_end - window_start = ?2 AND window_start >= ?3"
  " AND (window_start - ?3) % ?2 = 0"
  " ORDER BY window_start";

/* The cycle being gathered from its windows. */
typedef struct
{
  VigilFeatureTable *table;
  const GArray      *labels;      /* VigilCycleLabel by cycle, or NULL */
  guint              next_label;
  gint64             cycle;       /* -1 before the first window */
  guint32            have;        /* sensors with a complete window in this cycle */
  float              row[VIGIL_N_SENSORS * N_STORE_FEATURES];
} Gather;

static const VigilCycleLabel *
find_label (Gather *g,
            guint   cycle)
{
  while (g->next_label < g->labels->len &&
         g_array_index (g->labels, VigilCycleLabel, g->next_label).cycle < cycle)
    g->next_label++;

  if (g->next_label < g->labels->len &&
      g_array_index (g->labels, VigilCycleLabel, g->next_label).cycle == cycle)
    return &g_array_index (g->labels, VigilCycleLabel, g->next_label);

  return NULL;
}

static void
gather_finish_cycle (Gather *g)
{
  const VigilCycleLabel *label = NULL;
  float *row;
  guint k = 0;

  if (g->cycle < 0)
    return;

  if (g->labels != NULL)
    label = find_label (g, (guint) g->cycle);

  if (g->have != g->table->sensors || (g->labels != NULL && label == NULL))
    {
      g->table->n_skipped++;
      return;
    }

  row = table_add_row (g->table, (guint) g->cycle, label);
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    if (g->table->sensors & (1u << s))
      {
        memcpy (row + k, g->row + s * N_STORE_FEATURES, N_STORE_FEATURES * sizeof (float));
        k += N_STORE_FEATURES;
      }
}

static void
gather_window (Gather       *g,
               VigilSensor   sensor,
               gint64        cycle,
               sqlite3_stmt *stmt)
{
  guint64 count = (guint64) sqlite3_column_int64 (stmt, 2);
  float *out = g->row + sensor * N_STORE_FEATURES;
  double sample_std;

  if (cycle != g->cycle)
    {
      gather_finish_cycle (g);
      /* Cycles with no window at all between two that have some. */
      if (g->cycle >= 0)
        g->table->n_skipped += (guint) (cycle - g->cycle - 1);
      g->cycle = cycle;
      g->have = 0;
    }

  /* A window missing samples (a seek, late records) does not describe the whole cycle. */
  if (count != vigil_sensor_samples_per_cycle (sensor) || count < 2 ||
      sqlite3_column_type (stmt, 6) == SQLITE_NULL)
    return;

  /* Stored windows keep the sample standard deviation (n - 1); the features use n. */
  sample_std = sqlite3_column_double (stmt, 6);
  out[FEATURE_MEAN] = sqlite3_column_double (stmt, 3);
  out[FEATURE_STD] = sample_std * sqrt ((count - 1.0) / count);
  out[FEATURE_MIN] = sqlite3_column_double (stmt, 4);
  out[FEATURE_MAX] = sqlite3_column_double (stmt, 5);
  g->have |= 1u << sensor;
}

static sqlite3_stmt *
prepare_read (VigilStore  *store,
              const char  *sql,
              GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (store->read_db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      _vigil_store_set_error (error, store->read_db, rc, store->path, "read features");
      sqlite3_finalize (stmt);
      return NULL;
    }

  return stmt;
}

static gboolean
finish_read (VigilStore    *store,
             sqlite3_stmt  *stmt,
             int            rc,
             GError       **error)
{
  if (rc != SQLITE_DONE)
    _vigil_store_set_error (error, store->read_db, rc, store->path, "read features");
  sqlite3_finalize (stmt);

  return rc == SQLITE_DONE;
}

static GArray *
read_labels (VigilStore  *store,
             gint64       session_id,
             GError     **error)
{
  g_autoptr(GArray) labels = g_array_new (FALSE, FALSE, sizeof (VigilCycleLabel));
  sqlite3_stmt *stmt = prepare_read (store, labels_sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, session_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      VigilCycleLabel label = {
        .cycle = (guint) sqlite3_column_int64 (stmt, 0),
        .start_us = sqlite3_column_int64 (stmt, 1),
        .cooler = sqlite3_column_int (stmt, 2),
        .valve = sqlite3_column_int (stmt, 3),
        .pump = sqlite3_column_int (stmt, 4),
        .accumulator = sqlite3_column_int (stmt, 5),
        .stable = sqlite3_column_int (stmt, 6),
      };

      g_array_append_val (labels, label);
    }

  if (!finish_read (store, stmt, rc, error))
    return NULL;

  return g_steal_pointer (&labels);
}

static gboolean
read_windows (VigilStore                 *store,
              const VigilSessionSummary  *session,
              Gather                     *g,
              GError                    **error)
{
  sqlite3_stmt *stmt = prepare_read (store, windows_sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, session->id);
  sqlite3_bind_int64 (stmt, 2, CYCLE_US);
  sqlite3_bind_int64 (stmt, 3, session->start_us);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      gint64 start_us = sqlite3_column_int64 (stmt, 1);
      VigilSensor sensor;

      if (name == NULL || !vigil_sensor_from_name (name, &sensor))
        {
          g_autofree char *start = vigil_time_format_iso8601 (start_us);

          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                       "%s: table windows, row (session %" G_GINT64_FORMAT ", window_start %s):"
                       " unknown sensor “%s”", store->path, session->id, start,
                       name != NULL ? name : "(null)");
          sqlite3_finalize (stmt);
          return FALSE;
        }

      gather_window (g, sensor, (start_us - session->start_us) / CYCLE_US, stmt);
    }

  if (!finish_read (store, stmt, rc, error))
    return FALSE;

  gather_finish_cycle (g);

  return TRUE;
}

/* Labels and windows in one read transaction, so both come from the same state of a file
 * that may still be recording. */
static gboolean
read_session (VigilStore                 *store,
              const VigilSessionSummary  *session,
              VigilFeatureTable          *self,
              GError                    **error)
{
  g_autoptr(GArray) labels = NULL;
  Gather g = { .table = self, .cycle = -1 };
  gboolean ok = FALSE;
  int rc;

  g_mutex_lock (&store->read_lock);

  if (store->read_db == NULL)
    {
      g_mutex_unlock (&store->read_lock);
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_FAILED,
                   "The store %s is closed", store->path);
      return FALSE;
    }

  rc = sqlite3_exec (store->read_db, "BEGIN", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      _vigil_store_set_error (error, store->read_db, rc, store->path, "read features");
      g_mutex_unlock (&store->read_lock);
      return FALSE;
    }

  labels = read_labels (store, session->id, error);
  if (labels != NULL)
    {
      g.labels = labels->len > 0 ? labels : NULL;
      ok = read_windows (store, session, &g, error);
    }

  sqlite3_exec (store->read_db, "COMMIT", NULL, NULL, NULL);
  g_mutex_unlock (&store->read_lock);

  if (ok && g.labels == NULL)
    g_clear_pointer (&self->labels, g_array_unref);

  return ok;
}

static gint64
floor_mod (gint64 a,
           gint64 b)
{
  gint64 m = a % b;

  return m < 0 ? m + b : m;
}

/* Windows start at multiples of the slide since the epoch: a cycle's window exists when
 * the slide divides both the cycle and the offset of cycle 0. */
static gboolean
check_session (VigilStore                 *store,
               const VigilSessionSummary  *session,
               GError                    **error)
{
  if (session->window_us == CYCLE_US && session->slide_us > 0 &&
      CYCLE_US % session->slide_us == 0 && floor_mod (session->start_us, session->slide_us) == 0)
    return TRUE;

  g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
               "%s: session %" G_GINT64_FORMAT " has windows of %g s every %g s: its windows do "
               "not cover whole cycles of %d s, so they cannot give a cycle's features; record "
               "it with %d s windows that start where cycles start", store->path, session->id,
               session->window_us / 1e6, session->slide_us / 1e6, VIGIL_CYCLE_SECONDS,
               VIGIL_CYCLE_SECONDS);
  return FALSE;
}

VigilFeatureTable *
vigil_feature_table_new_from_store (VigilStore  *store,
                                    gint64       session_id,
                                    GError     **error)
{
  g_autoptr(VigilSessionSummary) session = NULL;
  g_autoptr(VigilFeatureTable) self = NULL;

  g_return_val_if_fail (VIGIL_IS_STORE (store), NULL);
  g_return_val_if_fail (session_id >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  session = vigil_store_get_session (store, session_id, error);
  if (session == NULL || !check_session (store, session, error))
    return NULL;

  self = table_new (session->sensors, N_STORE_FEATURES, TRUE, session->n_cycles);
  if (!read_session (store, session, self, error))
    return NULL;

  return g_steal_pointer (&self);
}
