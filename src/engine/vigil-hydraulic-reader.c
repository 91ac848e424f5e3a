/* vigil-hydraulic-reader.c
 *
 * Rows are parsed straight out of a read buffer. Numbers in these files are short decimals,
 * so the common case is an integer mantissa divided by an exact power of ten, which IEEE
 * division rounds exactly as strtod would; anything longer or with an exponent goes through
 * g_ascii_strtod. Either way the row must hold exactly the expected number of finite values.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-reader"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "vigil-error.h"
#include "vigil-hydraulic-reader.h"

#define READ_CHUNK (1 << 20)

struct _VigilRowReader
{
  char   *path;
  char   *name;       /* basename, for messages */
  int     fd;
  guint   n_columns;
  guint   rows;       /* rows returned so far */
  gboolean eof;

  char   *buf;
  gsize   buf_size;
  gsize   start;      /* first unconsumed byte */
  gsize   len;        /* bytes in buf */
};

static const double pow10_table[] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

VigilRowReader *
vigil_row_reader_open (const char  *path,
                       guint        n_columns,
                       GError     **error)
{
  VigilRowReader *self;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (n_columns > 0, NULL);

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, VIGIL_ENGINE_ERROR,
                   saved == ENOENT ? VIGIL_ENGINE_ERROR_NOT_FOUND : VIGIL_ENGINE_ERROR_IO,
                   "Cannot open %s: %s", path, g_strerror (saved));
      return NULL;
    }

#ifdef POSIX_FADV_SEQUENTIAL
  posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif

  self = g_new0 (VigilRowReader, 1);
  self->path = g_strdup (path);
  self->name = g_path_get_basename (path);
  self->fd = fd;
  self->n_columns = n_columns;
  self->buf_size = READ_CHUNK;
  self->buf = g_malloc (self->buf_size + 1);

  return self;
}

void
vigil_row_reader_free (VigilRowReader *self)
{
  if (self == NULL)
    return;

  if (self->fd >= 0)
    close (self->fd);
  g_free (self->buf);
  g_free (self->name);
  g_free (self->path);
  g_free (self);
}

const char *
vigil_row_reader_get_name (VigilRowReader *self)
{
  return self->name;
}

guint
vigil_row_reader_get_rows (VigilRowReader *self)
{
  return self->rows;
}

/* Makes sure a whole line (or the end of the file) is in the buffer from self->start.
 * Returns the line's end (pointing at '\n' or at buf + len at EOF), or NULL on I/O error. */
static char *
fill_line (VigilRowReader  *self,
           GError         **error)
{
  gsize scanned = 0;

  for (;;)
    {
      char *nl = memchr (self->buf + self->start + scanned, '\n',
                         self->len - self->start - scanned);
      gssize n;

      if (nl != NULL)
        return nl;
      if (self->eof)
        return self->buf + self->len;

      scanned = self->len - self->start;

      /* Keep the partial line, make room for more. */
      if (self->start > 0)
        {
          memmove (self->buf, self->buf + self->start, self->len - self->start);
          self->len -= self->start;
          self->start = 0;
        }
      if (self->buf_size - self->len < READ_CHUNK / 2)
        {
          self->buf_size *= 2;
          self->buf = g_realloc (self->buf, self->buf_size + 1);
        }

      do
        n = read (self->fd, self->buf + self->len, self->buf_size - self->len);
      while (n < 0 && errno == EINTR);

      if (n < 0)
        {
          int saved = errno;
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO,
                       "%s:%u: read failed: %s", self->name, self->rows + 1, g_strerror (saved));
          return NULL;
        }
      if (n == 0)
        self->eof = TRUE;
      self->len += (gsize) n;
    }
}

static gboolean
parse_slow (const char *p,
            const char *end,
            double     *out)
{
  char tmp[64];
  char *tail = NULL;
  gsize len = (gsize) (end - p);

  if (len == 0 || len >= sizeof tmp)
    return FALSE;
  memcpy (tmp, p, len);
  tmp[len] = '\0';

  /* strtod would take "nan", "inf" and hex; a sensor file holds decimal numbers only. */
  for (gsize i = 0; i < len; i++)
    if (!(g_ascii_isdigit (tmp[i]) || tmp[i] == '.' || tmp[i] == '-' || tmp[i] == '+' ||
          tmp[i] == 'e' || tmp[i] == 'E'))
      return FALSE;

  errno = 0;
  *out = g_ascii_strtod (tmp, &tail);

  return tail == tmp + len && isfinite (*out) && errno != ERANGE;
}

/* The common case, straight from the buffer: digits, maybe a point and more digits, ending
 * at a tab or at @eol, 15 significant digits at most. Returns where the number ends, or NULL
 * when the field needs the careful path (sign, exponent, long mantissa, or not a number). */
static inline const char *
parse_plain (const char *p,
             const char *eol,
             double     *out)
{
  const char *start = p;
  guint64 mantissa = 0;
  guint digits, frac = 0;

  while (p < eol && (guint) (*p - '0') < 10)
    mantissa = mantissa * 10 + (guint) (*p++ - '0');
  digits = (guint) (p - start);

  if (p < eol && *p == '.')
    {
      const char *first = ++p;

      while (p < eol && (guint) (*p - '0') < 10)
        mantissa = mantissa * 10 + (guint) (*p++ - '0');
      frac = (guint) (p - first);
      digits += frac;
    }

  if (digits == 0 || digits > 15 || (p < eol && *p != '\t'))
    return NULL;

  *out = (double) mantissa / pow10_table[frac];
  return p;
}

static void
set_bad_value (VigilRowReader  *self,
               guint            column,
               const char      *p,
               const char      *end,
               GError         **error)
{
  /* A damaged file holds any bytes; the message must be UTF-8. */
  g_autofree char *excerpt = g_utf8_make_valid (p, MIN ((gssize) (end - p), 32));

  g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
               "%s:%u: column %u: “%s” is not a number", self->name, self->rows + 1, column,
               excerpt);
}

int
vigil_row_reader_next (VigilRowReader  *self,
                       double          *values,
                       GError         **error)
{
  char *line, *eol, *p;
  guint col = 0;

  g_return_val_if_fail (self != NULL, -1);

  eol = fill_line (self, error);
  if (eol == NULL)
    return -1;

  line = self->buf + self->start;
  if (eol == line && self->eof && self->start >= self->len)
    return 0;

  /* A file saved on Windows is still the same data. */
  if (eol > line && eol[-1] == '\r')
    eol--;

  if (eol == line)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "%s:%u: empty line where a row of %u values was expected", self->name,
                   self->rows + 1, self->n_columns);
      return -1;
    }

  p = line;
  for (;;)
    {
      const char *field_end;

      if (col >= self->n_columns)
        {
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                       "%s:%u: column %u: more than the %u values a row of this file has",
                       self->name, self->rows + 1, col + 1, self->n_columns);
          return -1;
        }

      field_end = parse_plain (p, eol, &values[col]);
      if (field_end == NULL)
        {
          field_end = memchr (p, '\t', (gsize) (eol - p));
          if (field_end == NULL)
            field_end = eol;
          if (!parse_slow (p, field_end, &values[col]))
            {
              set_bad_value (self, col + 1, p, field_end, error);
              return -1;
            }
        }
      col++;

      if (field_end == eol)
        break;
      p = (char *) field_end + 1;
    }

  if (col != self->n_columns)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "%s:%u: column %u: row ends after %u values, expected %u", self->name,
                   self->rows + 1, col + 1, col, self->n_columns);
      return -1;
    }

  /* Step over the line and its '\n' (absent on a last line without one). */
  self->start = (gsize) (eol - self->buf);
  if (self->start < self->len && self->buf[self->start] == '\r')
    self->start++;
  if (self->start < self->len && self->buf[self->start] == '\n')
    self->start++;
  self->rows++;

  return 1;
}

int
vigil_row_reader_next_label (VigilRowReader  *self,
                             VigilCycleLabel *label,
                             GError         **error)
{
  static const struct { const char *what; int allowed[4]; guint n; } columns[] = {
    { "cooler condition (3, 20 or 100 %)", { 3, 20, 100 }, 3 },
    { "valve condition (100, 90, 80 or 73 %)", { 100, 90, 80, 73 }, 4 },
    { "internal pump leakage (0, 1 or 2)", { 0, 1, 2 }, 3 },
    { "accumulator pressure (130, 115, 100 or 90 bar)", { 130, 115, 100, 90 }, 4 },
    { "stable flag (0 or 1)", { 0, 1 }, 2 },
  };
  double v[5];
  int ints[5];
  int r;

  g_return_val_if_fail (self->n_columns == 5, -1);

  r = vigil_row_reader_next (self, v, error);
  if (r <= 0)
    return r;

  for (guint i = 0; i < 5; i++)
    {
      gboolean ok = FALSE;

      for (guint j = 0; j < columns[i].n; j++)
        ok |= v[i] == columns[i].allowed[j];
      if (!ok)
        {
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                       "%s:%u: column %u: %g is not a valid %s", self->name, self->rows, i + 1,
                       v[i], columns[i].what);
          return -1;
        }
      /* Only now: a value out of int's range would make the conversion undefined. */
      ints[i] = (int) v[i];
    }

  label->cycle = self->rows - 1;
  label->cooler = ints[0];
  label->valve = ints[1];
  label->pump = ints[2];
  label->accumulator = ints[3];
  label->stable = ints[4];

  return 1;
}

/* Counts rows (lines, with or without a final newline) without parsing them. */
static gboolean
count_rows (const char    *path,
            guint         *out_rows,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autofree char *buf = g_malloc (READ_CHUNK);
  guint64 lines = 0;
  gboolean last_was_newline = TRUE;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO, "Cannot open %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }

  for (;;)
    {
      gssize n = read (fd, buf, READ_CHUNK);
      const char *p, *end;

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          close (fd);
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_IO, "Cannot read %s: %s",
                       path, g_strerror (saved));
          return FALSE;
        }
      if (n == 0)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (fd);
          return FALSE;
        }

      p = buf;
      end = buf + n;
      while ((p = memchr (p, '\n', (gsize) (end - p))) != NULL)
        {
          lines++;
          p++;
        }
      last_was_newline = buf[n - 1] == '\n';
    }
  close (fd);

  if (!last_was_newline)
    lines++;

  *out_rows = (guint) MIN (lines, G_MAXUINT);
  return TRUE;
}

/* A file of the wrong shape (columns, numbers) is refused before anything is replayed: its
 * first row is read as the replay would read it. */
static gboolean
check_first_row (const char  *path,
                 guint        sensor,
                 GError     **error)
{
  guint n_columns = sensor < VIGIL_N_SENSORS ? vigil_sensor_samples_per_cycle (sensor) : 5;
  g_autoptr(VigilRowReader) reader = vigil_row_reader_open (path, n_columns, error);
  g_autofree double *values = NULL;
  VigilCycleLabel label;

  if (reader == NULL)
    return FALSE;

  if (sensor == VIGIL_N_SENSORS)
    return vigil_row_reader_next_label (reader, &label, error) >= 0;

  values = g_new (double, n_columns);
  return vigil_row_reader_next (reader, values, error) >= 0;
}

VigilHydraulicDataset *
vigil_hydraulic_dataset_scan (const char    *dir,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(VigilHydraulicDataset) ds = NULL;
  const char *first_name = NULL;
  guint first_rows = 0;

  g_return_val_if_fail (dir != NULL, NULL);

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                   "%s is not a directory", dir);
      return NULL;
    }

  ds = g_new0 (VigilHydraulicDataset, 1);
  ds->dir = g_strdup (dir);

  for (guint s = 0; s <= VIGIL_N_SENSORS; s++)
    {
      const char *name = s < VIGIL_N_SENSORS ? vigil_sensor_get_info (s)->name : "profile";
      g_autofree char *file = g_strconcat (name, ".txt", NULL);
      g_autofree char *path = g_build_filename (dir, file, NULL);
      guint rows;

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      if (!count_rows (path, &rows, cancellable, error))
        return NULL;
      if (rows > 0 && !check_first_row (path, s, error))
        return NULL;

      if (first_name == NULL)
        {
          first_name = s < VIGIL_N_SENSORS ? vigil_sensor_get_info (s)->name : "profile";
          first_rows = rows;
        }
      else if (rows != first_rows)
        {
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                       "%s:%u: %s has %u cycles but %s.txt has %u: every file must hold the "
                       "same cycles", file, MIN (rows, first_rows) + 1, file, rows, first_name,
                       first_rows);
          return NULL;
        }

      if (s < VIGIL_N_SENSORS)
        {
          ds->sensors |= 1u << s;
          ds->n_samples += (guint64) rows * vigil_sensor_samples_per_cycle (s);
        }
      else
        ds->has_profile = TRUE;
    }

  if (ds->sensors == 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                   "%s holds no sensor file of a hydraulic rig (PS1.txt ... SE.txt)", dir);
      return NULL;
    }
  if (first_rows == 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "The sensor files in %s are empty", dir);
      return NULL;
    }

  ds->n_cycles = first_rows;

  return g_steal_pointer (&ds);
}

void
vigil_hydraulic_dataset_free (VigilHydraulicDataset *dataset)
{
  if (dataset == NULL)
    return;

  g_free (dataset->dir);
  g_free (dataset);
}
