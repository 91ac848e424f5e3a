/* ui-frame.c
 *
 * How fast Vigil's charts draw, under a real display (Xvfb) with GTK's cairo renderer:
 * (a) one chart over 1,000,000 raw samples at 1000 px: the decimation job and one redraw
 *     (snapshot + render to a texture), against the same samples drawn the plain way, one
 *     cairo line_to per sample, in alternating rounds;
 * (b) 17 charts on screen while a thread feeds a VigilLive at 100x replay speed (728 samples
 *     per event second, so 72,800 a wall second, plus windows and alarms): frames per second
 *     and frame times as the frame clock reports them.
 *
 *   xvfb-run -a -s "-screen 0 1600x1000x24" ui-frame [--rounds N] [--seconds S]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vigil-alarm-machine.h"
#include "vigil-chart-private.h"
#include "vigil-chart-view.h"
#include "vigil-live.h"
#include "vigil-time.h"
#include "vigil-window-op.h"

#define N_POINTS 1000000
#define CHART_WIDTH 1000
#define CHART_HEIGHT 160
#define TARGET_REDRAW_MS 4.0
#define TARGET_FPS 60.0
#define REPLAY_SPEED 100.0
#define NAIVE_STROKE 10

static const gint64 window_us = 60 * G_USEC_PER_SEC;
static const gint64 slide_us = 10 * G_USEC_PER_SEC;

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *values,
            double  p)
{
  g_autoptr(GArray) sorted = g_array_copy (values);
  guint i;

  if (sorted->len == 0)
    return NAN;
  g_array_sort (sorted, compare_double);
  i = (guint) MIN (floor (p * (sorted->len - 1) + 0.5), sorted->len - 1);
  return g_array_index (sorted, double, i);
}

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* A signal with the shape of a rig sensor: a 60 s load cycle of steps, slow drift and noise. */
static double
synthetic_value (VigilSensor sensor,
                 gint64      t_us,
                 GRand      *rand)
{
  static const double levels[] = { 0.0, 0.9, 0.35, 1.0, 0.6, 0.2 };
  double s = (double) (t_us % (60 * G_USEC_PER_SEC)) / G_USEC_PER_SEC;
  double step = levels[(int) (s / 10) % G_N_ELEMENTS (levels)];
  double base = 10 + 10 * sensor;

  return base * (1 + 0.2 * step + 0.02 * sin (t_us / 7e8)) + g_rand_double_range (rand, -0.4, 0.4);
}

static void
main_loop_until (gboolean (*done) (gpointer),
                 gpointer   data)
{
  while (!done (data))
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
is_ready (gpointer data)
{
  GtkWidget *widget = data;

  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0;
}

/* (a) One chart with a million points */

typedef struct
{
  GtkWidget   *window;
  GtkWidget   *chart;
  GskRenderer *renderer;
  gint64      *times;
  float       *values;
  gint64       from_us;
  gint64       to_us;
  float        y_lo;
  float        y_hi;
} Single;

static void
render (Single        *s,
        GskRenderNode *node)
{
  int w = gtk_widget_get_width (s->chart), h = gtk_widget_get_height (s->chart);
  GdkTexture *texture = gsk_renderer_render_texture (s->renderer, node,
                                                     &GRAPHENE_RECT_INIT (0, 0, w, h));

  g_object_unref (texture);
  gsk_render_node_unref (node);
}

static double
time_job (Single *s)
{
  double t0 = now_ms ();

  _vigil_chart_update_now (VIGIL_CHART (s->chart));
  return now_ms () - t0;
}

static double
time_redraw (Single *s)
{
  GtkSnapshot *snapshot;
  double t0;

  /* Without this the widget would hand back the node it drew last. */
  gtk_widget_queue_draw (s->chart);
  t0 = now_ms ();
  snapshot = gtk_snapshot_new ();
  gtk_widget_snapshot_child (s->window, s->chart, snapshot);
  render (s, gtk_snapshot_free_to_node (snapshot));
  return now_ms () - t0;
}

/* The baseline: every sample a line_to, as a plain plotting loop draws a series. */
static double
time_naive (Single *s)
{
  int w = gtk_widget_get_width (s->chart), h = gtk_widget_get_height (s->chart);
  double span = (double) (s->to_us - s->from_us);
  GtkSnapshot *snapshot;
  cairo_t *cr;
  double t0;

  t0 = now_ms ();
  snapshot = gtk_snapshot_new ();
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  cairo_set_source_rgb (cr, 0.2, 0.4, 0.8);
  cairo_set_line_width (cr, 1);
  for (guint i = 0; i < N_POINTS; i++)
    {
      double x = (s->times[i] - s->from_us) / span * w;
      double y = h - (s->values[i] - s->y_lo) / (s->y_hi - s->y_lo) * h;

      cairo_line_to (cr, x, y);
      /* One stroke of a million-point path takes cairo minutes (its cost grows faster than
       * the path); a stroke every NAIVE_STROKE points is the fastest way we found. */
      if (i % NAIVE_STROKE == NAIVE_STROKE - 1)
        {
          cairo_stroke (cr);
          cairo_move_to (cr, x, y);
        }
    }
  cairo_stroke (cr);
  cairo_destroy (cr);
  render (s, gtk_snapshot_free_to_node (snapshot));
  return now_ms () - t0;
}

static void
fill_single (VigilLive *live,
             Single    *s)
{
  g_autoptr(VigilWindowOp) op = vigil_window_op_new (window_us, slide_us, slide_us,
                                                     VIGIL_N_SENSORS, NULL);
  g_autoptr(GArray) windows = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));
  g_autoptr(GArray) late = g_array_new (FALSE, FALSE, sizeof (VigilLateRecord));
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_default ();
  g_autofree double *values = g_new (double, N_POINTS);
  GRand *rand = g_rand_new_with_seed (1);
  gint64 dt_us = G_USEC_PER_SEC / 100;

  s->from_us = VIGIL_DEFAULT_START_US;
  s->to_us = s->from_us + N_POINTS * dt_us;
  s->times = g_new (gint64, N_POINTS);
  s->values = g_new (float, N_POINTS);
  s->y_lo = G_MAXFLOAT;
  s->y_hi = -G_MAXFLOAT;
  for (guint i = 0; i < N_POINTS; i++)
    {
      s->times[i] = s->from_us + i * dt_us;
      values[i] = synthetic_value (VIGIL_SENSOR_PS1, s->times[i], rand);
      s->values[i] = values[i];
      s->y_lo = MIN (s->y_lo, s->values[i]);
      s->y_hi = MAX (s->y_hi, s->values[i]);
    }
  g_rand_free (rand);

  vigil_live_reset (live, s->from_us, s->to_us, 1u << VIGIL_SENSOR_PS1, rules);
  vigil_live_add_samples_run (live, VIGIL_SENSOR_PS1, s->from_us, dt_us, values, N_POINTS);
  vigil_window_op_push_run (op, VIGIL_SENSOR_PS1, s->from_us, dt_us, values, N_POINTS, windows,
                            late);
  vigil_window_op_flush (op, windows);
  vigil_live_add_windows (live, (const VigilWindowStats *) (gpointer) windows->data,
                          windows->len, 0);
  vigil_live_set_position (live, s->to_us);
}

static void
bench_single (guint rounds)
{
  g_autoptr(VigilLive) live = vigil_live_new ();
  g_autoptr(VigilChartView) view = vigil_chart_view_new ();
  g_autoptr(GArray) jobs = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) redraws = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) naives = g_array_new (FALSE, FALSE, sizeof (double));
  Single s = { 0 };
  double job, redraw, naive;

  fill_single (live, &s);
  vigil_chart_view_set_limits (view, s.from_us, s.to_us);
  vigil_chart_view_set_position (view, s.to_us);
  vigil_chart_view_set_span (view, s.to_us - s.from_us);

  s.window = gtk_window_new ();
  gtk_window_set_decorated (GTK_WINDOW (s.window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (s.window), CHART_WIDTH, CHART_HEIGHT);
  s.chart = vigil_chart_new (view, live, VIGIL_SENSOR_PS1);
  gtk_window_set_child (GTK_WINDOW (s.window), s.chart);
  gtk_window_present (GTK_WINDOW (s.window));
  main_loop_until (is_ready, s.chart);
  s.renderer = gsk_cairo_renderer_new ();
  if (!gsk_renderer_realize (s.renderer, NULL, NULL))
    g_error ("cannot realize a cairo renderer");

  /* A warm-up round of each, untimed: fonts, glyph caches, the thread pool. */
  time_job (&s);
  time_redraw (&s);
  time_naive (&s);

  for (guint r = 0; r < rounds; r++)
    {
      job = time_job (&s);
      redraw = time_redraw (&s);
      naive = time_naive (&s);
      g_array_append_val (jobs, job);
      g_array_append_val (redraws, redraw);
      g_array_append_val (naives, naive);
      g_printerr ("ui-frame: round %u of %u: job %.3f ms, redraw %.3f ms, line_to %.1f ms\n",
                  r + 1, rounds, job, redraw, naive);
    }

  job = percentile (jobs, 0.5);
  redraw = percentile (redraws, 0.5);
  naive = percentile (naives, 0.5);
  g_print ("(a) one chart, %d raw samples, %d x %d px, median of %u rounds\n\n",
           N_POINTS, gtk_widget_get_width (s.chart), gtk_widget_get_height (s.chart), rounds);
  g_print ("  %-36s %12s   %s\n", "", "ms", "target");
  g_print ("  %-36s %12.3f\n", "Vigil decimation job (1 px columns)", job);
  g_print ("  %-36s %12.3f   < %.0f: %s\n", "Vigil redraw (snapshot + render)", redraw,
           TARGET_REDRAW_MS, redraw < TARGET_REDRAW_MS ? "met" : "NOT met");
  g_print ("  %-36s %12.3f   < %.0f: %s\n", "Vigil job + redraw", job + redraw,
           TARGET_REDRAW_MS, job + redraw < TARGET_REDRAW_MS ? "met" : "NOT met");
  g_print ("  %-36s %12.1f\n", "baseline: one line_to per sample", naive);
  g_print ("  %-36s %12.1f\n", "ratio baseline / Vigil redraw", naive / redraw);
  g_print ("  %-36s %12.1f\n\n", "ratio baseline / Vigil job + redraw", naive / (job + redraw));

  gsk_renderer_unrealize (s.renderer);
  g_object_unref (s.renderer);
  g_free (s.times);
  g_free (s.values);
  gtk_window_destroy (GTK_WINDOW (s.window));
}

/* (b) 17 live charts */

typedef struct
{
  VigilLive *live;
  gint       stop;
  gint64     start_us;
} Feed;

/* Publishes, every 10 ms of wall time, what the rig produced in the event time elapsed at
 * REPLAY_SPEED: samples of every sensor at its rate, the windows that closed, alarms. */
static gpointer
feed_thread (gpointer data)
{
  Feed *feed = data;
  g_autoptr(VigilRuleSet) rules = vigil_live_dup_rules (feed->live);
  g_autoptr(VigilWindowOp) op = vigil_window_op_new (window_us, slide_us, slide_us,
                                                     VIGIL_N_SENSORS, NULL);
  g_autoptr(VigilAlarmMachine) alarms = vigil_alarm_machine_new (rules,
                                                                 (1u << VIGIL_N_SENSORS) - 1);
  g_autoptr(GArray) windows = g_array_new (FALSE, FALSE, sizeof (VigilWindowStats));
  g_autoptr(GArray) late = g_array_new (FALSE, FALSE, sizeof (VigilLateRecord));
  g_autoptr(GArray) transitions = g_array_new (FALSE, FALSE, sizeof (VigilAlarmTransition));
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  GRand *rand = g_rand_new_with_seed (2);
  gint64 wall0 = g_get_monotonic_time ();
  gint64 next_us[VIGIL_N_SENSORS];

  g_array_set_clear_func (transitions, vigil_alarm_transition_clear);
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    next_us[s] = feed->start_us;

  while (!g_atomic_int_get (&feed->stop))
    {
      gint64 event_us = feed->start_us +
                        (gint64) ((g_get_monotonic_time () - wall0) * REPLAY_SPEED);

      for (guint s = 0; s < VIGIL_N_SENSORS; s++)
        {
          gint64 dt_us = G_USEC_PER_SEC / vigil_sensor_get_info (s)->rate_hz;
          gint64 first_us = next_us[s];

          g_array_set_size (values, 0);
          for (; next_us[s] <= event_us; next_us[s] += dt_us)
            {
              double v = synthetic_value (s, next_us[s], rand);

              g_array_append_val (values, v);
            }
          if (values->len == 0)
            continue;
          vigil_live_add_samples_run (feed->live, s, first_us, dt_us,
                                      (const double *) (gpointer) values->data, values->len);
          vigil_window_op_push_run (op, s, first_us, dt_us,
                                    (const double *) (gpointer) values->data, values->len,
                                    windows, late);
        }

      for (guint i = 0; i < windows->len; i++)
        vigil_alarm_machine_process (alarms, &g_array_index (windows, VigilWindowStats, i),
                                     transitions);
      vigil_live_add_windows (feed->live, (const VigilWindowStats *) (gpointer) windows->data,
                              windows->len, 0);
      vigil_live_add_transitions (feed->live,
                                  (const VigilAlarmTransition *) (gpointer) transitions->data,
                                  transitions->len);
      g_array_set_size (windows, 0);
      g_array_set_size (late, 0);
      g_array_set_size (transitions, 0);
      vigil_live_set_position (feed->live, event_us);
      g_usleep (10000);
    }

  g_rand_free (rand);
  return NULL;
}

typedef struct
{
  VigilLive      *live;
  VigilChartView *view;
  GArray         *frame_ms;
  double          paint_start;
  gboolean        measuring;
  guint           frames;
} Live;

/* What the page does every frame: moves the view to the live position. */
static gboolean
follow_cb (GtkWidget     *widget,
           GdkFrameClock *frame_clock,
           gpointer       user_data)
{
  Live *l = user_data;
  VigilLiveCounters counters;

  vigil_live_get_counters (l->live, &counters);
  vigil_chart_view_set_position (l->view, counters.position_us);
  return G_SOURCE_CONTINUE;
}

static void
before_paint_cb (GdkFrameClock *frame_clock,
                 Live          *l)
{
  l->paint_start = now_ms ();
}

static void
after_paint_cb (GdkFrameClock *frame_clock,
                Live          *l)
{
  double ms = now_ms () - l->paint_start;

  if (!l->measuring)
    return;
  l->frames++;
  g_array_append_val (l->frame_ms, ms);
}

/* The part of a frame that is the charts' own: the window's content drawn and rendered to a
 * texture with a cairo renderer, without presenting it to the display. Median of @n. */
static double
time_offscreen (GtkWidget *window,
                GtkWidget *content,
                guint      n)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  GskRenderer *renderer = gsk_cairo_renderer_new ();
  int w = gtk_widget_get_width (window), h = gtk_widget_get_height (window);

  if (!gsk_renderer_realize (renderer, NULL, NULL))
    g_error ("cannot realize a cairo renderer");
  for (guint i = 0; i < n; i++)
    {
      GtkSnapshot *snapshot;
      GskRenderNode *node;
      GdkTexture *texture;
      double t0;

      for (GtkWidget *c = gtk_widget_get_first_child (content); c != NULL;
           c = gtk_widget_get_next_sibling (c))
        gtk_widget_queue_draw (c);
      t0 = now_ms ();
      snapshot = gtk_snapshot_new ();
      gtk_widget_snapshot_child (window, content, snapshot);
      node = gtk_snapshot_free_to_node (snapshot);
      texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
      t0 = now_ms () - t0;
      g_array_append_val (times, t0);
      g_object_unref (texture);
      gsk_render_node_unref (node);
    }
  gsk_renderer_unrealize (renderer);
  g_object_unref (renderer);
  return percentile (times, 0.5);
}

static gboolean
stop_cb (gpointer data)
{
  gboolean *done = data;

  *done = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
bench_live (double seconds)
{
  g_autoptr(VigilRuleSet) rules = vigil_rule_set_new_default ();
  g_autoptr(GArray) frame_ms = g_array_new (FALSE, FALSE, sizeof (double));
  Live l = { vigil_live_new (), vigil_chart_view_new (), frame_ms, 0, FALSE, 0 };
  Feed feed = { l.live, 0, VIGIL_DEFAULT_START_US };
  GtkWidget *window, *grid;
  GdkFrameClock *clock;
  GThread *thread;
  gboolean done = FALSE;
  double t0, wall_s, fps, median, p95, offscreen;
  VigilLiveCounters counters;
  guint64 samples0;

  vigil_live_reset (l.live, feed.start_us, G_MAXINT64, (1u << VIGIL_N_SENSORS) - 1, rules);
  vigil_chart_view_set_limits (l.view, feed.start_us, G_MAXINT64);
  vigil_chart_view_set_position (l.view, feed.start_us);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1600, 1000);
  grid = gtk_grid_new ();
  gtk_grid_set_row_homogeneous (GTK_GRID (grid), TRUE);
  gtk_grid_set_column_homogeneous (GTK_GRID (grid), TRUE);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 6);
  for (guint s = 0; s < VIGIL_N_SENSORS; s++)
    gtk_grid_attach (GTK_GRID (grid), vigil_chart_new (l.view, l.live, s), s % 2, s / 2, 1, 1);
  gtk_window_set_child (GTK_WINDOW (window), grid);
  gtk_widget_add_tick_callback (window, follow_cb, &l, NULL);
  gtk_window_present (GTK_WINDOW (window));
  main_loop_until (is_ready, window);

  clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), &l);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &l);

  thread = g_thread_new ("feed", feed_thread, &feed);

  /* Two wall seconds (200 event seconds) first, so the charts are full when timing starts. */
  g_timeout_add (2000, stop_cb, &done);
  main_loop_until (is_true, &done);

  done = FALSE;
  l.measuring = TRUE;
  vigil_live_get_counters (l.live, &counters);
  samples0 = counters.samples;
  t0 = now_ms ();
  g_timeout_add ((guint) (seconds * 1000), stop_cb, &done);
  main_loop_until (is_true, &done);
  wall_s = (now_ms () - t0) / 1000;
  l.measuring = FALSE;

  vigil_live_get_counters (l.live, &counters);
  offscreen = time_offscreen (window, grid, 30);
  g_atomic_int_set (&feed.stop, 1);
  g_thread_join (thread);

  fps = l.frames / wall_s;
  median = percentile (frame_ms, 0.5);
  p95 = percentile (frame_ms, 0.95);
  g_print ("(b) 17 live charts in a 1600 x 1000 window, fed at %.0fx replay speed, %.1f s\n\n",
           REPLAY_SPEED, wall_s);
  g_print ("  %-36s %12s   %s\n", "", "", "target");
  g_print ("  %-36s %12.1f   >= %.0f: %s\n", "frames/s", fps, TARGET_FPS,
           fps >= TARGET_FPS * 0.97 ? "met" : "NOT met");
  g_print ("  %-36s %12.2f   < %.1f\n", "frame time, median (ms)", median, 1000 / TARGET_FPS);
  g_print ("  %-36s %12.2f   < %.1f\n", "frame time, p95 (ms)", p95, 1000 / TARGET_FPS);
  g_print ("  %-36s %12.2f\n", "offscreen snapshot + render (ms)", offscreen);
  g_print ("  %-36s %12.0f   %.0f (728 x %.0f)\n", "samples fed per wall second",
           (counters.samples - samples0) / wall_s, 728 * REPLAY_SPEED, REPLAY_SPEED);
  g_print ("\n");

  g_signal_handlers_disconnect_by_data (clock, &l);
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (l.view);
  g_object_unref (l.live);
}

/* When and where it ran, as bench/hydraulic-replay says it. */
static void
print_machine (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format_iso8601 (now);
  g_autofree char *cpuinfo = NULL;
  g_autofree char *model = NULL;
  const char *line;

  if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL) &&
      (line = strstr (cpuinfo, "model name")) != NULL && (line = strchr (line, ':')) != NULL)
    model = g_strstrip (g_strndup (line + 1, strcspn (line + 1, "\n")));

  g_print ("  date      %s\n", date);
  g_print ("  machine   %u cores, %s\n", g_get_num_processors (),
           model != NULL ? model : "unknown CPU");
  g_print ("  toolkit   GTK %u.%u.%u, libadwaita %u.%u.%u\n", gtk_get_major_version (),
           gtk_get_minor_version (), gtk_get_micro_version (), adw_get_major_version (),
           adw_get_minor_version (), adw_get_micro_version ());
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  int rounds = 15;
  double seconds = 10;
  const GOptionEntry entries[] = {
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Timed rounds of (a) (default 15)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Wall seconds of (b) (default 10)", "S" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, "Chart redraw and live frame rate; run it under Xvfb.");
  if (!g_option_context_parse (context, &argc, &argv, &error) || rounds < 1 || seconds <= 0)
    {
      g_printerr ("ui-frame: %s\n", error != NULL ? error->message : "bad --rounds or --seconds");
      return 2;
    }

  /* The renderer the figures are about, whatever the environment says. */
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  if (!gtk_init_check ())
    {
      g_printerr ("ui-frame: no display; run it as xvfb-run -a -s \"-screen 0 1600x1000x24\" %s\n",
                  argv[0]);
      return 2;
    }
  adw_init ();

  g_print ("UI frame times: Vigil's charts, GSK cairo renderer\n");
  print_machine ();
  g_print ("\n");
  bench_single ((guint) rounds);
  bench_live (seconds);
  return 0;
}
