/* vigil-camera-replay.c
 *
 * The replay builds, on its frame clock, the same snapshot a live camera publishes (frame,
 * mask, detections, last closed second) from the recording at the playback position and
 * hands it to a VigilCameraDraw, so boxes, track ids and badges look as they did live. The
 * pixels come from the recording's reader thread: while a frame is being read the previous
 * one stays on show with its own boxes, so boxes never sit over another frame's pixels. The
 * charts draw every stored second of the session with a cursor at the position.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-camera-replay"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "vigil-camera-replay.h"
#include "vigil-ui-util.h"

#define NO_FRAME G_MAXUINT64
/* What the frame looks like when its pixels are gone: a dark grey of the recorded size. */
#define EMPTY_GREY 0x30
#define FALLBACK_WIDTH 640
#define FALLBACK_HEIGHT 360

/* The keyboard's actions (bound in class_init). */
static const char *const key_actions[] = {
  "replay.play", "replay.back-second", "replay.forward-second", "replay.previous-frame",
  "replay.next-frame", "replay.start", "replay.end",
};

static const double speeds[] = { 0.25, 0.5, 1, 2, 4, 8 };
#define DEFAULT_SPEED_INDEX 2

/* The frame: the camera drawing, 16:9 letterboxed. */

#define VIGIL_TYPE_REPLAY_FRAME (vigil_replay_frame_get_type ())
G_DECLARE_FINAL_TYPE (VigilReplayFrame, vigil_replay_frame, VIGIL, REPLAY_FRAME, GtkWidget)

struct _VigilReplayFrame
{
  GtkWidget        parent_instance;
  VigilCameraDraw *draw;   /* owned */
};

G_DEFINE_FINAL_TYPE (VigilReplayFrame, vigil_replay_frame, GTK_TYPE_WIDGET)

static void
vigil_replay_frame_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 320;
      *natural = 960;
    }
  else
    *minimum = *natural = (for_size > 0 ? for_size : 960) * 9 / 16;
}

static GtkSizeRequestMode
vigil_replay_frame_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
vigil_replay_frame_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  VigilReplayFrame *self = VIGIL_REPLAY_FRAME (widget);
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                               gtk_widget_get_height (widget));
  GdkRGBA black = { 0, 0, 0, 1 };
  GskRoundedRect clip;

  gsk_rounded_rect_init_from_rect (&clip, &bounds, 12);
  gtk_snapshot_push_rounded_clip (snapshot, &clip);
  gtk_snapshot_append_color (snapshot, &black, &bounds);
  vigil_camera_draw_snapshot (self->draw, widget, snapshot, &bounds, TRUE);
  gtk_snapshot_pop (snapshot);
}

static void
vigil_replay_frame_finalize (GObject *object)
{
  g_clear_pointer (&VIGIL_REPLAY_FRAME (object)->draw, vigil_camera_draw_free);

  G_OBJECT_CLASS (vigil_replay_frame_parent_class)->finalize (object);
}

static void
vigil_replay_frame_class_init (VigilReplayFrameClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = vigil_replay_frame_finalize;
  widget_class->measure = vigil_replay_frame_measure;
  widget_class->get_request_mode = vigil_replay_frame_get_request_mode;
  widget_class->snapshot = vigil_replay_frame_snapshot;
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
vigil_replay_frame_init (VigilReplayFrame *self)
{
  self->draw = vigil_camera_draw_new ();
}

/* The replay ---------------------------------------------------------------------------------- */

struct _VigilCameraReplay
{
  GtkWidget             parent_instance;

  /* Owned */
  VigilCameraRecording *recording;
  VigilFrame           *mask;
  VigilFrame           *empty;           /* the frame shown when the pixels are gone */
  char                 *notice;
  char                 *position_text;
  guint64               shown_frame;
  gint64                shown_second;    /* end of the second on show, -1 for none */
  gint64                position_us;
  guint                 n_alarm_rows;
  guint                 n_points[VIGIL_TRAFFIC_N_SERIES];
  guint64               serial;
  guint                 tick_id;
  gboolean              updating_scale;

  /* Borrowed children */
  GtkWidget            *header;
  GtkWidget            *scroller;
  GtkLabel             *title;
  GtkLabel             *subtitle;
  GtkWidget            *notice_box;
  GtkLabel             *notice_label;
  VigilReplayFrame     *frame;
  GtkButton            *play_button;
  GtkRange             *scale;
  GtkLabel             *position;
  GtkDropDown          *speed;
  GtkWidget            *charts[VIGIL_TRAFFIC_N_SERIES];
  GtkLabel             *chart_values[VIGIL_TRAFFIC_N_SERIES];
  GtkListBox           *alarm_list;
};

G_DEFINE_FINAL_TYPE (VigilCameraReplay, vigil_camera_replay, GTK_TYPE_WIDGET)

enum {
  SIGNAL_BACK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* "1:02.48": minutes, seconds and hundredths since the session's start. */
static char *
format_offset (gint64 us)
{
  gint64 cs = MAX (us, 0) / 10000;

  return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d.%02d", cs / 6000, (int) (cs / 100 % 60),
                          (int) (cs % 100));
}

/* Charts -------------------------------------------------------------------------------------- */

static void
draw_chart (GtkDrawingArea *area,
            cairo_t        *cr,
            int             width,
            int             height,
            gpointer        user_data)
{
  VigilCameraReplay *self = user_data;
  VigilTrafficSeries series = vigil_traffic_chart_get_series (area);
  GArray *seconds = NULL;
  gint64 from_us = 0, to_us = 0;
  GdkRGBA fg;
  double x;

  if (self->recording != NULL)
    {
      seconds = vigil_camera_recording_get_seconds (self->recording);
      from_us = vigil_camera_recording_get_start (self->recording);
      to_us = MAX (vigil_camera_recording_get_end (self->recording), from_us + 1);
    }
  self->n_points[series] = vigil_traffic_chart_draw (GTK_WIDGET (area), cr, width, height,
                                                     seconds, series, from_us, to_us);
  if (self->recording == NULL)
    return;

  /* Where the playback is. */
  vigil_ui_lookup_color (GTK_WIDGET (area), "window_fg_color", "rgba(0,0,0,0.8)", &fg);
  x = round ((double) (self->position_us - from_us) / (double) (to_us - from_us) * width) + 0.5;
  cairo_set_line_width (cr, 1);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.6);
  cairo_move_to (cr, x, 0);
  cairo_line_to (cr, x, height);
  cairo_stroke (cr);
}

static void
update_charts (VigilCameraReplay       *self,
               const VigilTrafficStats *second)
{
  for (guint i = 0; i < VIGIL_TRAFFIC_N_SERIES; i++)
    {
      g_autofree char *text =
        vigil_traffic_series_format (i, second != NULL ? vigil_traffic_series_value (second, i)
                                                       : NAN);

      gtk_label_set_text (self->chart_values[i], text);
      gtk_widget_queue_draw (self->charts[i]);
    }
}

/* Alarms -------------------------------------------------------------------------------------- */

static GtkWidget *
alarm_row_new (VigilCameraReplay          *self,
               const VigilAlarmTransition *t)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  gint64 start = vigil_camera_recording_get_start (self->recording);
  g_autofree char *at = format_offset (t->at_us - start);
  g_autofree char *subtitle = NULL;

  /* Translators: an alarm's change in a recording: severity, new state, what caused it, and
   * when, e.g. "Warning · Active, unacknowledged · condition · at 0:12.40". */
  subtitle = g_strdup_printf (_("%s · %s · %s · at %s"), vigil_ui_severity_name (t->severity),
                              vigil_ui_state_name (t->to), vigil_ui_cause_name (t->cause), at);
  gtk_widget_add_css_class (icon, t->severity == VIGIL_SEVERITY_CRITICAL ? "error" : "warning");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  vigil_ui_severity_name (t->severity), -1);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), t->rule);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  return row;
}

/* The journal up to the position, newest first. */
static void
update_alarms (VigilCameraReplay *self)
{
  GArray *journal = vigil_camera_recording_get_journal (self->recording);
  guint n = 0;
  GtkWidget *child;

  while (n < journal->len &&
         g_array_index (journal, VigilAlarmTransition, n).at_us <= self->position_us)
    n++;
  if (n == self->n_alarm_rows && gtk_widget_get_first_child (GTK_WIDGET (self->alarm_list)) !=
                                 NULL)
    return;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->alarm_list))) != NULL)
    gtk_list_box_remove (self->alarm_list, child);
  for (guint i = n; i-- > 0;)
    gtk_list_box_append (self->alarm_list,
                         alarm_row_new (self, &g_array_index (journal, VigilAlarmTransition, i)));
  self->n_alarm_rows = n;
}

/* Following the position ---------------------------------------------------------------------- */

static VigilFrame *
empty_frame (VigilCameraReplay *self)
{
  guint w, h;

  if (self->empty != NULL)
    return vigil_frame_ref (self->empty);

  vigil_camera_recording_get_frame_size (self->recording, &w, &h);
  if (w == 0 || h == 0)
    {
      w = FALLBACK_WIDTH;
      h = FALLBACK_HEIGHT;
    }
  self->empty = vigil_frame_new (VIGIL_FRAME_RGB24, w, h);
  memset (self->empty->data, EMPTY_GREY, (gsize) self->empty->stride * h);
  return vigil_frame_ref (self->empty);
}

static void
show_frame (VigilCameraReplay       *self,
            guint64                  frame,
            VigilFrame              *pixels,
            const VigilTrafficStats *second,
            gboolean                 playing)
{
  VigilCameraDraw *draw = self->frame->draw;
  VigilCameraSnapshot *s = g_new0 (VigilCameraSnapshot, 1);
  const VigilStoreDetection *d;
  guint n;

  if (self->mask == NULL)
    self->mask = vigil_camera_recording_dup_mask (self->recording);

  s->frame = pixels;
  s->mask = self->mask != NULL ? vigil_frame_ref (self->mask) : NULL;
  s->detections = g_array_new (FALSE, FALSE, sizeof (VigilDetection));
  d = vigil_camera_recording_get_detections (self->recording, frame, &n);
  for (guint i = 0; i < n; i++)
    g_array_append_val (s->detections, d[i].detection);
  if (second != NULL)
    s->second = *second;
  s->state = playing ? VIGIL_FRAME_SOURCE_PLAYING
                     : vigil_camera_recording_is_finished (self->recording)
                       ? VIGIL_FRAME_SOURCE_FINISHED : VIGIL_FRAME_SOURCE_STOPPED;
  s->n_frames = frame + 1;
  s->serial = ++self->serial;
  vigil_camera_draw_set_snapshot (draw, s);

  self->shown_frame = frame;
  self->shown_second = second != NULL ? second->end_us : -1;
  {
    g_autofree char *description = vigil_camera_draw_describe (
                                     draw, vigil_camera_recording_get_camera_id (self->recording));

    gtk_accessible_update_property (GTK_ACCESSIBLE (self->frame), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    description, -1);
  }
  gtk_widget_queue_draw (GTK_WIDGET (self->frame));
}

static void
update_play_button (VigilCameraReplay *self,
                    gboolean           playing)
{
  const char *label = playing ? _("Pause") : _("Play");

  gtk_button_set_icon_name (self->play_button, playing ? "media-playback-pause-symbolic"
                                                       : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->play_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
update_notice (VigilCameraReplay *self)
{
  g_autoptr(GError) error = vigil_camera_recording_dup_frames_error (self->recording);
  g_autofree char *notice = NULL;

  if (error != NULL)
    /* Translators: the frames of a recorded camera cannot be read; the path is where the
     * recording says they were. The stored boxes and charts still show. */
    notice = g_strdup_printf (_("The frames are not available at %s: the recorded boxes are "
                                "shown without them"),
                              vigil_camera_recording_get_summary (self->recording)->source);
  if (g_strcmp0 (notice, self->notice) == 0)
    return;
  g_free (self->notice);
  self->notice = g_steal_pointer (&notice);
  gtk_label_set_text (self->notice_label, self->notice != NULL ? self->notice : "");
  gtk_widget_set_visible (self->notice_box, self->notice != NULL);
}

void
vigil_camera_replay_refresh (VigilCameraReplay *self)
{
  VigilCameraRecording *rec;
  const VigilTrafficStats *second;
  g_autoptr(VigilFrame) pixels = NULL;
  g_autofree char *at = NULL;
  g_autofree char *length = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *n_frames = NULL;
  gboolean playing;
  guint64 frame;
  gint64 start;

  g_return_if_fail (VIGIL_IS_CAMERA_REPLAY (self));

  if ((rec = self->recording) == NULL)
    return;

  playing = !vigil_camera_recording_get_paused (rec);
  if (playing && vigil_camera_recording_is_finished (rec))
    {
      vigil_camera_recording_set_paused (rec, TRUE);
      playing = FALSE;
      update_play_button (self, FALSE);
    }
  self->position_us = vigil_camera_recording_get_position (rec);
  frame = vigil_camera_recording_get_frame_at (rec, self->position_us);
  second = vigil_camera_recording_get_second_at (rec, self->position_us);

  pixels = vigil_camera_recording_request_frame (rec, frame);
  update_notice (self);
  if (pixels == NULL && self->notice != NULL)
    pixels = empty_frame (self);
  if (pixels != NULL && (frame != self->shown_frame ||
                         pixels != vigil_camera_draw_get_snapshot (self->frame->draw)->frame ||
                         (second != NULL ? second->end_us : -1) != self->shown_second))
    show_frame (self, frame, g_steal_pointer (&pixels), second, playing);
  else if (vigil_camera_draw_get_snapshot (self->frame->draw) == NULL)
    /* Nothing read yet: the boxes over an empty frame until the pixels come. */
    show_frame (self, frame, empty_frame (self), second, playing);

  start = vigil_camera_recording_get_start (rec);
  at = format_offset (self->position_us - start);
  length = format_offset (vigil_camera_recording_get_end (rec) - start);
  g_free (self->position_text);
  shown = g_strdup_printf ("%" G_GUINT64_FORMAT, frame + 1);
  n_frames = g_strdup_printf ("%" G_GUINT64_FORMAT, vigil_camera_recording_get_n_frames (rec));
  /* Translators: the playback position, the recording's length, then the frame on show,
   * e.g. "0:01.48 / 0:02.40 · frame 38 of 60". */
  self->position_text = g_strdup_printf (_("%s / %s · frame %s of %s"), at, length, shown,
                                         n_frames);
  gtk_label_set_text (self->position, self->position_text);

  self->updating_scale = TRUE;
  gtk_range_set_value (self->scale, (double) (self->position_us - start) / G_USEC_PER_SEC);
  self->updating_scale = FALSE;

  update_charts (self, second);
  update_alarms (self);
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  vigil_camera_replay_refresh (VIGIL_CAMERA_REPLAY (widget));

  return G_SOURCE_CONTINUE;
}

/* Controls ------------------------------------------------------------------------------------ */

void
vigil_camera_replay_set_playing (VigilCameraReplay *self,
                                 gboolean           playing)
{
  g_return_if_fail (VIGIL_IS_CAMERA_REPLAY (self));

  if (self->recording == NULL)
    return;
  /* Play at the end starts over. */
  if (playing && vigil_camera_recording_is_finished (self->recording))
    vigil_camera_recording_seek (self->recording, G_MININT64);
  vigil_camera_recording_set_paused (self->recording, !playing);
  update_play_button (self, playing);
  vigil_camera_replay_refresh (self);
}

void
vigil_camera_replay_seek (VigilCameraReplay *self,
                          gint64             at_us)
{
  g_return_if_fail (VIGIL_IS_CAMERA_REPLAY (self));

  if (self->recording == NULL)
    return;
  vigil_camera_recording_seek (self->recording, at_us);
  vigil_camera_replay_refresh (self);
}

static void
seek_by (VigilCameraReplay *self,
         gint64             delta_us)
{
  if (self->recording != NULL)
    vigil_camera_replay_seek (self, vigil_camera_recording_get_position (self->recording) +
                                    delta_us);
}

/* One frame forward or back: to the next frame's time, or the previous one's. */
static void
step_frame (VigilCameraReplay *self,
            int                direction)
{
  VigilCameraRecording *rec = self->recording;
  guint64 frame;

  if (rec == NULL || vigil_camera_recording_get_n_frames (rec) == 0)
    return;
  vigil_camera_recording_set_paused (rec, TRUE);
  update_play_button (self, FALSE);
  frame = vigil_camera_recording_get_frame_at (rec, vigil_camera_recording_get_position (rec));
  if (direction > 0 && frame + 1 < vigil_camera_recording_get_n_frames (rec))
    frame++;
  else if (direction < 0 && frame > 0)
    frame--;
  vigil_camera_replay_seek (self, vigil_camera_recording_get_frame_time (rec, frame));
}

static void
on_play_clicked (VigilCameraReplay *self)
{
  if (self->recording != NULL)
    vigil_camera_replay_set_playing (self, vigil_camera_recording_get_paused (self->recording));
}

static void
on_scale_changed (VigilCameraReplay *self)
{
  if (self->updating_scale || self->recording == NULL)
    return;
  vigil_camera_replay_seek (self, vigil_camera_recording_get_start (self->recording) +
                                  (gint64) llround (gtk_range_get_value (self->scale) *
                                                    G_USEC_PER_SEC));
}

static void
on_speed_changed (VigilCameraReplay *self)
{
  guint i = gtk_drop_down_get_selected (self->speed);

  if (self->recording != NULL && i < G_N_ELEMENTS (speeds))
    vigil_camera_recording_set_speed (self->recording, speeds[i]);
}

static void
on_key_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  VigilCameraReplay *self = VIGIL_CAMERA_REPLAY (widget);
  const char *what = action_name + strlen ("replay.");

  if (self->recording == NULL)
    return;
  if (g_str_equal (what, "play"))
    on_play_clicked (self);
  else if (g_str_equal (what, "back-second"))
    seek_by (self, -G_USEC_PER_SEC);
  else if (g_str_equal (what, "forward-second"))
    seek_by (self, G_USEC_PER_SEC);
  else if (g_str_equal (what, "previous-frame"))
    step_frame (self, -1);
  else if (g_str_equal (what, "next-frame"))
    step_frame (self, 1);
  else if (g_str_equal (what, "start"))
    vigil_camera_replay_seek (self, G_MININT64);
  else if (g_str_equal (what, "end"))
    vigil_camera_replay_seek (self, G_MAXINT64);
}

/* Recording ----------------------------------------------------------------------------------- */

void
vigil_camera_replay_set_recording (VigilCameraReplay    *self,
                                   VigilCameraRecording *recording)
{
  const VigilSessionSummary *summary;
  g_autofree char *subtitle = NULL;
  g_autofree char *id = NULL;
  double length;

  g_return_if_fail (VIGIL_IS_CAMERA_REPLAY (self));
  g_return_if_fail (recording == NULL || VIGIL_IS_CAMERA_RECORDING (recording));

  if (self->recording == recording)
    return;
  g_set_object (&self->recording, recording);
  g_clear_pointer (&self->mask, vigil_frame_unref);
  g_clear_pointer (&self->empty, vigil_frame_unref);
  g_clear_pointer (&self->notice, g_free);
  vigil_camera_draw_set_snapshot (self->frame->draw, NULL);
  self->shown_frame = NO_FRAME;
  self->shown_second = -1;
  self->n_alarm_rows = 0;
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->alarm_list))) != NULL)
      gtk_list_box_remove (self->alarm_list, child);
  }
  gtk_widget_set_visible (self->notice_box, FALSE);
  if (recording == NULL)
    return;

  summary = vigil_camera_recording_get_summary (recording);
  gtk_label_set_text (self->title, summary->camera);
  /* Translators: under a recorded camera's name: the session and the file it is stored in. */
  id = g_strdup_printf ("%" G_GINT64_FORMAT, summary->id);
  subtitle = g_strdup_printf (_("Recorded session %s · %s"), id,
                              vigil_camera_recording_get_path (recording));
  gtk_label_set_text (self->subtitle, subtitle);

  length = (double) (vigil_camera_recording_get_end (recording) -
                     vigil_camera_recording_get_start (recording)) / G_USEC_PER_SEC;
  self->updating_scale = TRUE;
  gtk_range_set_range (self->scale, 0, MAX (length, 0.001));
  self->updating_scale = FALSE;

  vigil_camera_recording_set_paused (recording, TRUE);
  on_speed_changed (self);
  update_play_button (self, FALSE);
  vigil_camera_replay_refresh (self);
}

VigilCameraRecording *
vigil_camera_replay_get_recording (VigilCameraReplay *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_REPLAY (self), NULL);

  return self->recording;
}

VigilCameraDraw *
vigil_camera_replay_get_draw (VigilCameraReplay *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_REPLAY (self), NULL);

  return self->frame->draw;
}

guint64
vigil_camera_replay_get_shown_frame (VigilCameraReplay *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_REPLAY (self), NO_FRAME);

  return self->shown_frame;
}

const char *
vigil_camera_replay_get_position_text (VigilCameraReplay *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_REPLAY (self), NULL);

  return self->position_text;
}

guint
vigil_camera_replay_get_n_chart_points (VigilCameraReplay *self,
                                        VigilTrafficSeries series)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_REPLAY (self), 0);
  g_return_val_if_fail (series < VIGIL_TRAFFIC_N_SERIES, 0);

  return self->n_points[series];
}

guint
vigil_camera_replay_get_n_alarm_rows (VigilCameraReplay *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_REPLAY (self), 0);

  return self->n_alarm_rows;
}

const char *
vigil_camera_replay_get_notice (VigilCameraReplay *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERA_REPLAY (self), NULL);

  return self->notice;
}

/* Building ------------------------------------------------------------------------------------ */

static void
on_back_clicked (VigilCameraReplay *self)
{
  g_signal_emit (self, signals[SIGNAL_BACK], 0);
}

static GtkWidget *
build_header (VigilCameraReplay *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *titles = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *back = gtk_button_new_from_icon_name ("go-previous-symbolic");

  gtk_widget_set_tooltip_text (back, _("Back to Cameras"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (back), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Back to Cameras"), -1);
  gtk_widget_set_valign (back, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (back, "clicked", G_CALLBACK (on_back_clicked), self);
  gtk_box_append (GTK_BOX (box), back);

  self->title = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->title, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->title), "title-2");
  self->subtitle = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->subtitle, 0);
  gtk_label_set_ellipsize (self->subtitle, PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (GTK_WIDGET (self->subtitle), "dim-label");
  gtk_box_append (GTK_BOX (titles), GTK_WIDGET (self->title));
  gtk_box_append (GTK_BOX (titles), GTK_WIDGET (self->subtitle));
  gtk_widget_set_hexpand (titles, TRUE);
  gtk_box_append (GTK_BOX (box), titles);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  return box;
}

/* Said over the frame's place, where the missing pixels would be looked for. */
static GtkWidget *
build_notice (VigilCameraReplay *self)
{
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

  self->notice_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (icon, "warning");
  gtk_widget_set_valign (icon, GTK_ALIGN_CENTER);
  self->notice_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->notice_label, TRUE);
  gtk_label_set_wrap_mode (self->notice_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (self->notice_label, 0);
  gtk_label_set_selectable (self->notice_label, TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->notice_label), TRUE);
  gtk_box_append (GTK_BOX (self->notice_box), icon);
  gtk_box_append (GTK_BOX (self->notice_box), GTK_WIDGET (self->notice_label));
  gtk_widget_add_css_class (self->notice_box, "card");
  gtk_widget_set_margin_start (self->notice_box, 12);
  gtk_widget_set_margin_end (self->notice_box, 12);
  gtk_widget_set_margin_top (self->notice_box, 12);
  for (GtkWidget *c = icon; c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      gtk_widget_set_margin_top (c, 12);
      gtk_widget_set_margin_bottom (c, 12);
    }
  gtk_widget_set_margin_start (icon, 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->notice_label), 12);
  gtk_widget_set_visible (self->notice_box, FALSE);
  return self->notice_box;
}

static GtkWidget *
build_timeline (VigilCameraReplay *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  GtkWidget *scale;

  self->play_button = GTK_BUTTON (gtk_button_new_from_icon_name ("media-playback-start-symbolic"));
  gtk_widget_add_css_class (GTK_WIDGET (self->play_button), "circular");
  g_signal_connect_swapped (self->play_button, "clicked", G_CALLBACK (on_play_clicked), self);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->play_button));

  scale = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, 1, 0.04);
  self->scale = GTK_RANGE (scale);
  gtk_scale_set_draw_value (GTK_SCALE (scale), FALSE);
  /* Arrow keys on the slider move a second, Page keys ten. */
  gtk_range_set_increments (self->scale, 1, 10);
  gtk_widget_set_hexpand (scale, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (scale), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Position in the recording"), -1);
  g_signal_connect_swapped (scale, "value-changed", G_CALLBACK (on_scale_changed), self);
  gtk_box_append (GTK_BOX (box), scale);

  self->position = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->position), "numeric");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->position));

  for (guint i = 0; i < G_N_ELEMENTS (speeds); i++)
    {
      /* Translators: a replay speed, e.g. "2×" is twice real time. */
      g_autofree char *name = g_strdup_printf (_("%g×"), speeds[i]);

      gtk_string_list_append (names, name);
    }
  self->speed = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&names)), NULL));
  gtk_drop_down_set_selected (self->speed, DEFAULT_SPEED_INDEX);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->speed), _("Replay speed"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->speed), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Replay speed"), -1);
  g_signal_connect_swapped (self->speed, "notify::selected", G_CALLBACK (on_speed_changed),
                            self);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->speed));

  gtk_widget_add_css_class (box, "toolbar");
  return box;
}

static GtkWidget *
build_alarms (VigilCameraReplay *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *heading = gtk_label_new (_("Recorded Alarms"));
  GtkWidget *placeholder = gtk_label_new (_("No alarm so far in this recording"));

  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_box_append (GTK_BOX (box), heading);

  self->alarm_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->alarm_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->alarm_list), "boxed-list");
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_label_set_wrap (GTK_LABEL (placeholder), TRUE);
  gtk_widget_set_margin_top (placeholder, 18);
  gtk_widget_set_margin_bottom (placeholder, 18);
  gtk_widget_set_margin_start (placeholder, 12);
  gtk_widget_set_margin_end (placeholder, 12);
  gtk_list_box_set_placeholder (self->alarm_list, placeholder);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->alarm_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Alarms recorded up to this moment"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->alarm_list));

  gtk_widget_set_size_request (box, 320, -1);
  return box;
}

static void
vigil_camera_replay_map (GtkWidget *widget)
{
  VigilCameraReplay *self = VIGIL_CAMERA_REPLAY (widget);

  GTK_WIDGET_CLASS (vigil_camera_replay_parent_class)->map (widget);

  vigil_camera_replay_refresh (self);
  self->tick_id = gtk_widget_add_tick_callback (widget, on_tick, NULL, NULL);
}

static void
vigil_camera_replay_unmap (GtkWidget *widget)
{
  VigilCameraReplay *self = VIGIL_CAMERA_REPLAY (widget);

  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (widget, self->tick_id);
  self->tick_id = 0;

  GTK_WIDGET_CLASS (vigil_camera_replay_parent_class)->unmap (widget);
}

static void
vigil_camera_replay_dispose (GObject *object)
{
  VigilCameraReplay *self = VIGIL_CAMERA_REPLAY (object);

  g_clear_pointer (&self->header, gtk_widget_unparent);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_object (&self->recording);

  G_OBJECT_CLASS (vigil_camera_replay_parent_class)->dispose (object);
}

static void
vigil_camera_replay_finalize (GObject *object)
{
  VigilCameraReplay *self = VIGIL_CAMERA_REPLAY (object);

  g_clear_pointer (&self->mask, vigil_frame_unref);
  g_clear_pointer (&self->empty, vigil_frame_unref);
  g_free (self->notice);
  g_free (self->position_text);

  G_OBJECT_CLASS (vigil_camera_replay_parent_class)->finalize (object);
}

static void
add_key (GtkWidgetClass  *widget_class,
         guint            key,
         GdkModifierType  mods,
         const char      *action)
{
  gtk_widget_class_add_binding_action (widget_class, key, mods, action, NULL);
}

static void
vigil_camera_replay_class_init (VigilCameraReplayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vigil_camera_replay_dispose;
  object_class->finalize = vigil_camera_replay_finalize;
  widget_class->map = vigil_camera_replay_map;
  widget_class->unmap = vigil_camera_replay_unmap;

  signals[SIGNAL_BACK] = g_signal_new ("back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "vigil-camera-replay");
  /* As in a video player: Ctrl+Space plays and pauses (Space stays with the focused button),
   * Ctrl+Left and Ctrl+Right move a second, comma and period a frame, Home and End to the
   * ends; the focused slider takes the arrows itself. Escape and Alt+Left go back. */
  for (guint i = 0; i < G_N_ELEMENTS (key_actions); i++)
    gtk_widget_class_install_action (widget_class, key_actions[i], NULL, on_key_action);
  add_key (widget_class, GDK_KEY_space, GDK_CONTROL_MASK, "replay.play");
  add_key (widget_class, GDK_KEY_k, 0, "replay.play");
  add_key (widget_class, GDK_KEY_Left, GDK_CONTROL_MASK, "replay.back-second");
  add_key (widget_class, GDK_KEY_Right, GDK_CONTROL_MASK, "replay.forward-second");
  add_key (widget_class, GDK_KEY_comma, 0, "replay.previous-frame");
  add_key (widget_class, GDK_KEY_period, 0, "replay.next-frame");
  add_key (widget_class, GDK_KEY_Home, 0, "replay.start");
  add_key (widget_class, GDK_KEY_End, 0, "replay.end");
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_Escape, 0, "back", NULL);
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "back", NULL);
}

static void
vigil_camera_replay_init (VigilCameraReplay *self)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
  GtkWidget *left = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *charts = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *clamp = adw_clamp_new ();

  self->shown_frame = NO_FRAME;
  self->shown_second = -1;
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (
                                                    GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);

  self->header = build_header (self);
  gtk_widget_set_parent (self->header, GTK_WIDGET (self));

  gtk_box_append (GTK_BOX (outer), build_notice (self));

  self->frame = g_object_new (VIGIL_TYPE_REPLAY_FRAME, NULL);
  gtk_box_append (GTK_BOX (left), GTK_WIDGET (self->frame));
  gtk_box_append (GTK_BOX (left), build_timeline (self));
  for (guint i = 0; i < VIGIL_TRAFFIC_N_SERIES; i++)
    gtk_box_append (GTK_BOX (charts), vigil_traffic_chart_new (i, draw_chart, self,
                                                               &self->charts[i],
                                                               &self->chart_values[i]));
  gtk_box_set_homogeneous (GTK_BOX (charts), TRUE);
  gtk_box_append (GTK_BOX (left), charts);
  gtk_widget_set_hexpand (left, TRUE);
  gtk_box_append (GTK_BOX (content), left);
  gtk_box_append (GTK_BOX (content), build_alarms (self));
  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 12);
  gtk_widget_set_margin_top (content, 12);
  gtk_widget_set_margin_bottom (content, 12);

  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 1600);
  adw_clamp_set_child (ADW_CLAMP (clamp), content);
  gtk_box_append (GTK_BOX (outer), clamp);
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), outer);
  gtk_widget_set_vexpand (self->scroller, TRUE);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));
}

GtkWidget *
vigil_camera_replay_new (void)
{
  return g_object_new (VIGIL_TYPE_CAMERA_REPLAY, NULL);
}
