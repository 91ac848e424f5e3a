/* vigil-cameras-page.c
 *
 * Each camera is a run: the camera, the store it records into and the clock that paces it.
 * A looping camera (the demo's) is replaced by a new run when its folder ends, its event
 * time going on from where the last one stopped, so the same store keeps one timeline.
 * A Kafka subscription's cameras follow the page's own runs: shown, never run by the page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-cameras-page"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "vigil-camera-setup-dialog.h"
#include "vigil-camera-replay.h"
#include "vigil-cameras-page.h"
#include "vigil-error.h"
#include "vigil-time.h"

#define LOOP_CHECK_MS 250

typedef struct
{
  /* owned */
  VigilCamera      *camera;
  VigilStore       *store;
  VigilReplayClock *clock;       /* NULL: as fast as frames come */
  char             *camera_id;
  char             *location;
  char             *mask_file;
  VigilRuleSet     *rules;       /* NULL: the default rules */
  double            fps;
  double            pixels_per_metre;
  double            speed;
  gboolean          loop;
  gint64            start_us;    /* event time of this run's first frame */
} CameraRun;

struct _VigilCamerasPage
{
  GtkWidget        parent_instance;

  /* Owned */
  GListStore      *cameras;    /* VigilCamera: one per run, in the same order, then followed */
  GPtrArray       *runs;       /* CameraRun */
  GPtrArray       *followed;   /* VigilCamera of the followed subscription */
  VigilKafkaSource *kafka;     /* the subscription followed, or NULL */
  guint            kafka_serial;
  guint            loop_id;

  /* Borrowed children */
  GtkStack        *stack;
  GtkFlowBox      *grid;
  VigilCameraView *view;
  VigilCameraReplay *replay;
};

G_DEFINE_FINAL_TYPE (VigilCamerasPage, vigil_cameras_page, GTK_TYPE_WIDGET)

enum {
  SETUP_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
vigil_camera_options_init (VigilCameraOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->speed = 1;
}

char *
vigil_cameras_page_store_path (const char *camera_id,
                               const char *location)
{
  g_autofree char *key = g_strconcat (camera_id, "\n", location, NULL);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "vigil", "recordings",
                                              NULL);
  g_autofree char *name = NULL;
  GString *safe = g_string_new (NULL);

  /* The camera names the file, in characters every file system takes. */
  for (const char *c = camera_id; *c != '\0' && safe->len < 40; c++)
    g_string_append_c (safe, g_ascii_isalnum (*c) || *c == '-' || *c == '_' ? *c : '_');
  name = g_strdup_printf ("camera-%s-%.8s.sqlite", safe->str, hash);
  g_string_free (safe, TRUE);

  g_mkdir_with_parents (folder, 0700);
  return g_build_filename (folder, name, NULL);
}

/* Sources ------------------------------------------------------------------------------------- */

static gboolean
is_image_name (const char *name)
{
  static const char * const suffixes[] = { ".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".ppm",
                                           ".tif", ".tiff" };
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (lower, suffixes[i]))
      return TRUE;

  return FALSE;
}

static guint
count_images (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (is_image_name (name))
      n++;

  return n;
}

static gboolean
is_video (const char *path)
{
  g_autofree char *type = g_content_type_guess (path, NULL, 0, NULL);
  g_autofree char *mime = g_content_type_get_mime_type (type);

  return mime != NULL && g_str_has_prefix (mime, "video/");
}

/* What camera.json (as `vigil-cli generate traffic` writes it) says of a camera. */
static void
read_camera_json (const char        *dir,
                  VigilCameraSource *out)
{
  g_autofree char *path = g_build_filename (dir, "camera.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  JsonObject *object;

  if (!json_parser_load_from_file (parser, path, NULL))
    return;
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return;

  object = json_node_get_object (root);
  out->fps = MAX (json_object_get_double_member_with_default (object, "fps", 0), 0);
  out->pixels_per_metre = MAX (json_object_get_double_member_with_default (object,
                                                                           "pixels_per_metre",
                                                                           0), 0);
}

gboolean
vigil_camera_source_inspect (const char         *path,
                             VigilCameraSource  *out,
                             GError            **error)
{
  g_autofree char *frames = NULL;
  g_autofree char *base = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  base = g_path_get_basename (path);

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      char *dot;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) || !is_video (path))
        {
          g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
                       "%s is neither a folder of images nor a video file", path);
          return FALSE;
        }
      if ((dot = strrchr (base, '.')) != NULL && dot != base)
        *dot = '\0';
      out->camera_id = g_steal_pointer (&base);
      out->location = g_strdup (path);
      return TRUE;
    }

  frames = g_build_filename (path, "frames", NULL);
  out->location = g_file_test (frames, G_FILE_TEST_IS_DIR) ? g_steal_pointer (&frames)
                                                           : g_strdup (path);
  out->n_images = count_images (out->location);
  if (out->n_images == 0)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_NOT_FOUND,
                   "%s holds no images (PNG, JPEG, BMP, PNM or TIFF)", out->location);
      vigil_camera_source_clear (out);
      return FALSE;
    }

  out->camera_id = g_steal_pointer (&base);
  read_camera_json (path, out);
  for (guint i = 0; i < 2 && out->mask_file == NULL; i++)
    {
      g_autofree char *mask = g_build_filename (path, i == 0 ? "mask.json" : "mask.png", NULL);

      if (g_file_test (mask, G_FILE_TEST_IS_REGULAR))
        out->mask_file = g_steal_pointer (&mask);
    }

  return TRUE;
}

void
vigil_camera_source_clear (VigilCameraSource *source)
{
  g_return_if_fail (source != NULL);

  g_clear_pointer (&source->camera_id, g_free);
  g_clear_pointer (&source->location, g_free);
  g_clear_pointer (&source->mask_file, g_free);
  source->fps = 0;
  source->pixels_per_metre = 0;
  source->n_images = 0;
}

gboolean
vigil_camera_source_is_camera (const char *path)
{
  g_autofree char *frames = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    return g_file_test (path, G_FILE_TEST_IS_REGULAR) && is_video (path);

  frames = g_build_filename (path, "frames", NULL);
  return g_file_test (frames, G_FILE_TEST_IS_DIR) || count_images (path) > 0;
}

/* Runs ---------------------------------------------------------------------------------------- */

/* Stops the camera first: it writes into the store and waits on the clock. */
static void
camera_run_stop (CameraRun *run)
{
  if (run->clock != NULL)
    vigil_replay_clock_stop (run->clock);
  if (run->camera != NULL)
    vigil_camera_stop (run->camera);
}

static void
camera_run_free (CameraRun *run)
{
  g_autoptr(GError) error = NULL;

  camera_run_stop (run);
  g_clear_object (&run->camera);
  if (run->store != NULL && !vigil_store_close (run->store, &error))
    g_warning ("%s: %s", run->camera_id, error->message);
  g_clear_object (&run->store);
  g_clear_pointer (&run->clock, vigil_replay_clock_free);
  g_clear_pointer (&run->rules, vigil_rule_set_unref);
  g_free (run->camera_id);
  g_free (run->location);
  g_free (run->mask_file);
  g_free (run);
}

/* A new camera for @run, from @run->start_us on. One that takes over from @previous keeps its
 * mask and calibration, which the setup dialog may have changed; a first one takes the options'
 * and then those saved for its id, if any. Saved ones that cannot be read are left in
 * @setup_error: the camera starts with what could be read. */
static gboolean
camera_run_start (CameraRun    *run,
                  VigilCamera  *previous,
                  GError      **setup_error,
                  GError      **error)
{
  g_autoptr(VigilCamera) camera = vigil_camera_new (run->camera_id, run->location);
  g_autoptr(VigilReplayClock) clock = NULL;
  const char *mask_file = run->mask_file;

  if (run->fps > 0)
    vigil_camera_set_fps (camera, run->fps);
  vigil_camera_set_start_time (camera, run->start_us);
  if (run->speed > 0)
    {
      clock = vigil_replay_clock_new (run->speed, run->start_us);
      vigil_camera_set_clock (camera, clock);
    }
  if (run->rules != NULL)
    vigil_camera_set_rules (camera, run->rules);
  if (previous != NULL)
    {
      VigilCalibration calibration;

      vigil_camera_get_calibration (previous, &calibration);
      vigil_camera_set_calibration (camera, &calibration);
      mask_file = vigil_camera_get_mask_file (previous);
    }
  else if (run->pixels_per_metre > 0)
    {
      VigilCalibration calibration = { .pixels_per_metre = run->pixels_per_metre };

      vigil_camera_set_calibration (camera, &calibration);
    }
  if (mask_file != NULL && !vigil_camera_set_mask_file (camera, mask_file, error))
    return FALSE;
  if (previous == NULL)
    vigil_camera_setup_load_saved (camera, setup_error);
  vigil_camera_set_store (camera, run->store);
  if (!vigil_camera_start (camera, error))
    return FALSE;

  g_clear_object (&run->camera);
  g_clear_pointer (&run->clock, vigil_replay_clock_free);
  run->camera = g_steal_pointer (&camera);
  run->clock = g_steal_pointer (&clock);
  return TRUE;
}

static void update_stack (VigilCamerasPage *self);

static gboolean
camera_run_finished (CameraRun *run,
                     gint64    *next_start_us)
{
  g_autoptr(VigilCameraSnapshot) s = vigil_camera_dup_snapshot (run->camera);
  gint64 period;

  if (s->state != VIGIL_FRAME_SOURCE_FINISHED || s->frame == NULL)
    return FALSE;

  /* The next run starts one frame after this one's last, wherever its times came from. */
  period = s->frame->index > 0 ? (s->frame->time_us - run->start_us) / (gint64) s->frame->index
                               : G_USEC_PER_SEC;
  *next_start_us = s->frame->time_us + MAX (period, 1);
  return TRUE;
}

static gboolean
loop_check (gpointer data)
{
  VigilCamerasPage *self = data;

  for (guint i = 0; i < self->runs->len; i++)
    {
      CameraRun *run = g_ptr_array_index (self->runs, i);
      g_autoptr(VigilCamera) old = NULL;
      g_autoptr(GError) error = NULL;
      gint64 next_start_us;

      if (!run->loop || !camera_run_finished (run, &next_start_us))
        continue;

      /* Everything the last run closed is stored before the next one writes. */
      vigil_camera_stop (run->camera);
      old = g_object_ref (run->camera);
      run->start_us = next_start_us;
      if (!camera_run_start (run, old, NULL, &error))
        {
          g_warning ("%s does not start over: %s", run->camera_id, error->message);
          run->loop = FALSE;
          continue;
        }
      g_list_store_splice (self->cameras, i, 1, (gpointer *) &run->camera, 1);
      if (vigil_camera_view_get_camera (self->view) == old)
        vigil_camera_view_set_camera (self->view, run->camera);
    }

  return G_SOURCE_CONTINUE;
}

static guint
find_run (VigilCamerasPage *self,
          const char       *camera_id)
{
  for (guint i = 0; i < self->runs->len; i++)
    if (g_str_equal (((CameraRun *) g_ptr_array_index (self->runs, i))->camera_id, camera_id))
      return i;

  return G_MAXUINT;
}

VigilCamera *
vigil_cameras_page_add (VigilCamerasPage         *self,
                        const VigilCameraOptions *options,
                        GError                  **error)
{
  g_autofree char *db = NULL;
  g_autoptr(GError) setup_error = NULL;
  CameraRun *run;
  guint old;

  g_return_val_if_fail (VIGIL_IS_CAMERAS_PAGE (self), NULL);
  g_return_val_if_fail (options != NULL && options->camera_id != NULL, NULL);
  g_return_val_if_fail (options->location != NULL, NULL);

  /* The same camera again replaces the one running: they would share a store session. */
  old = find_run (self, options->camera_id);
  if (old != G_MAXUINT)
    {
      if (vigil_cameras_page_get_shown (self) ==
          ((CameraRun *) g_ptr_array_index (self->runs, old))->camera)
        vigil_cameras_page_show_camera (self, NULL);
      g_list_store_remove (self->cameras, old);
      g_ptr_array_remove_index (self->runs, old);
    }

  run = g_new0 (CameraRun, 1);
  run->camera_id = g_strdup (options->camera_id);
  run->location = g_strdup (options->location);
  run->mask_file = g_strdup (options->mask_file);
  run->rules = options->rules != NULL ? vigil_rule_set_ref (options->rules) : NULL;
  run->fps = options->fps;
  run->pixels_per_metre = options->pixels_per_metre;
  run->speed = options->speed;
  run->loop = options->loop;
  run->start_us = VIGIL_DEFAULT_START_US;

  db = vigil_cameras_page_store_path (run->camera_id, run->location);
  run->store = vigil_store_open (db, error);
  if (run->store == NULL || !camera_run_start (run, NULL, &setup_error, error))
    {
      camera_run_free (run);
      return NULL;
    }

  g_ptr_array_add (self->runs, run);
  g_list_store_insert (self->cameras, self->runs->len - 1, run->camera);
  if (run->loop && self->loop_id == 0)
    self->loop_id = g_timeout_add (LOOP_CHECK_MS, loop_check, self);
  update_stack (self);
  if (setup_error != NULL)
    g_signal_emit (self, signals[SETUP_FAILED], 0, run->camera, setup_error->message);

  return run->camera;
}

void
vigil_cameras_page_stop_all (VigilCamerasPage *self)
{
  g_return_if_fail (VIGIL_IS_CAMERAS_PAGE (self));

  g_clear_handle_id (&self->loop_id, g_source_remove);
  for (guint i = 0; i < self->runs->len; i++)
    if (((CameraRun *) g_ptr_array_index (self->runs, i))->camera ==
        vigil_camera_view_get_camera (self->view))
      vigil_camera_view_set_camera (self->view, NULL);
  g_list_store_splice (self->cameras, 0, self->runs->len, NULL, 0);
  g_ptr_array_set_size (self->runs, 0);
  update_stack (self);
}

/* Replaces the followed cameras by @cameras (NULL: none). A subscription appends cameras and
 * replaces one in place after a rebalance, so only the tiles from the first change on are
 * made again. */
static void
set_followed (VigilCamerasPage *self,
              GPtrArray        *cameras)
{
  VigilCamera *shown = vigil_camera_view_get_camera (self->view);
  VigilCamera *successor = NULL;
  gboolean shown_goes = FALSE;
  guint n_new = cameras != NULL ? cameras->len : 0;
  guint first = 0;

  while (first < self->followed->len && first < n_new &&
         g_ptr_array_index (self->followed, first) == g_ptr_array_index (cameras, first))
    first++;
  if (first == self->followed->len && first == n_new)
    return;

  /* A camera made afresh by a rebalance stays open in the view as its successor. */
  for (guint i = first; i < self->followed->len; i++)
    if (g_ptr_array_index (self->followed, i) == shown)
      {
        shown_goes = TRUE;
        if (i < n_new && g_str_equal (vigil_camera_get_id (shown),
                                      vigil_camera_get_id (g_ptr_array_index (cameras, i))))
          successor = g_ptr_array_index (cameras, i);
      }
  if (shown_goes)
    vigil_camera_view_set_camera (self->view, successor);

  g_list_store_splice (self->cameras, self->runs->len + first, self->followed->len - first,
                       n_new > first ? &cameras->pdata[first] : NULL, n_new - first);
  g_ptr_array_set_size (self->followed, first);
  for (guint i = first; i < n_new; i++)
    g_ptr_array_add (self->followed, g_object_ref (g_ptr_array_index (cameras, i)));
  update_stack (self);
}

void
vigil_cameras_page_follow_kafka (VigilCamerasPage *self,
                                 VigilKafkaSource *source)
{
  g_autoptr(GPtrArray) cameras = NULL;
  guint serial;

  g_return_if_fail (VIGIL_IS_CAMERAS_PAGE (self));
  g_return_if_fail (source == NULL || VIGIL_IS_KAFKA_SOURCE (source));

  if (source == NULL)
    {
      g_clear_object (&self->kafka);
      set_followed (self, NULL);
      return;
    }

  serial = vigil_kafka_source_get_cameras_serial (source);
  if (source == self->kafka && serial == self->kafka_serial)
    return;

  g_set_object (&self->kafka, source);
  self->kafka_serial = serial;
  cameras = vigil_kafka_source_dup_cameras (source);
  set_followed (self, cameras);
}

GListModel *
vigil_cameras_page_get_cameras (VigilCamerasPage *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERAS_PAGE (self), NULL);

  return G_LIST_MODEL (self->cameras);
}

VigilCameraTile *
vigil_cameras_page_get_tile (VigilCamerasPage *self,
                             guint             position)
{
  GtkFlowBoxChild *child;

  g_return_val_if_fail (VIGIL_IS_CAMERAS_PAGE (self), NULL);

  child = gtk_flow_box_get_child_at_index (self->grid, (int) position);
  return child != NULL ? VIGIL_CAMERA_TILE (gtk_flow_box_child_get_child (child)) : NULL;
}

static void
update_stack (VigilCamerasPage *self)
{
  const char *name;

  if (vigil_camera_replay_get_recording (self->replay) != NULL)
    name = "replay";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->cameras)) == 0)
    name = "empty";
  else if (vigil_camera_view_get_camera (self->view) != NULL)
    name = "camera";
  else
    name = "grid";

  gtk_stack_set_visible_child_name (self->stack, name);
}

void
vigil_cameras_page_show_camera (VigilCamerasPage *self,
                                VigilCamera      *camera)
{
  VigilCamera *shown;

  g_return_if_fail (VIGIL_IS_CAMERAS_PAGE (self));
  g_return_if_fail (camera == NULL || VIGIL_IS_CAMERA (camera));

  shown = vigil_camera_view_get_camera (self->view);
  vigil_camera_view_set_camera (self->view, camera);
  update_stack (self);

  /* Into the view: its first control (Back) takes the focus, so Escape works at once. */
  if (camera != NULL)
    gtk_widget_child_focus (GTK_WIDGET (self->view), GTK_DIR_TAB_FORWARD);
  else if (shown != NULL)
    {
      /* Back on the grid, focus returns to the tile that was open. */
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->cameras)); i++)
        {
          g_autoptr(VigilCamera) item = g_list_model_get_item (G_LIST_MODEL (self->cameras), i);

          if (item == shown)
            gtk_widget_grab_focus (GTK_WIDGET (gtk_flow_box_get_child_at_index (self->grid,
                                                                                (int) i)));
        }
    }
}

void
vigil_cameras_page_show_replay (VigilCamerasPage     *self,
                                VigilCameraRecording *recording)
{
  g_return_if_fail (VIGIL_IS_CAMERAS_PAGE (self));
  g_return_if_fail (recording == NULL || VIGIL_IS_CAMERA_RECORDING (recording));

  vigil_camera_replay_set_recording (self->replay, recording);
  update_stack (self);
  /* Into the replay: its first control (Back) takes the focus, so Escape works at once. */
  if (recording != NULL)
    gtk_widget_child_focus (GTK_WIDGET (self->replay), GTK_DIR_TAB_FORWARD);
}

VigilCameraReplay *
vigil_cameras_page_get_replay (VigilCamerasPage *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERAS_PAGE (self), NULL);

  return self->replay;
}

VigilCameraView *
vigil_cameras_page_get_view (VigilCamerasPage *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERAS_PAGE (self), NULL);

  return self->view;
}

VigilCamera *
vigil_cameras_page_get_shown (VigilCamerasPage *self)
{
  g_return_val_if_fail (VIGIL_IS_CAMERAS_PAGE (self), NULL);

  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "camera") == 0
         ? vigil_camera_view_get_camera (self->view) : NULL;
}

/* Building ------------------------------------------------------------------------------------ */

static GtkWidget *
create_tile (gpointer item,
             gpointer user_data)
{
  return vigil_camera_tile_new (VIGIL_CAMERA (item));
}

static void
on_child_activated (VigilCamerasPage *self,
                    GtkFlowBoxChild  *child)
{
  VigilCameraTile *tile = VIGIL_CAMERA_TILE (gtk_flow_box_child_get_child (child));

  vigil_cameras_page_show_camera (self, vigil_camera_tile_get_camera (tile));
}

static void
on_view_back (VigilCamerasPage *self)
{
  vigil_cameras_page_show_camera (self, NULL);
}

static void
on_replay_back (VigilCamerasPage *self)
{
  vigil_cameras_page_show_replay (self, NULL);
}

static GtkWidget *
build_empty (void)
{
  GtkWidget *status = adw_status_page_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Open Camera…"));

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (status), "camera-video-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (status), _("No Cameras"));
  adw_status_page_set_description (ADW_STATUS_PAGE (status),
                                   _("Open a folder of numbered images or a video file as a "
                                     "camera, or start the demo to watch generated ones."));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.open");
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "pill");
  gtk_widget_add_css_class (button, "suggested-action");
  adw_status_page_set_child (ADW_STATUS_PAGE (status), button);

  return status;
}

static void
vigil_cameras_page_dispose (GObject *object)
{
  VigilCamerasPage *self = VIGIL_CAMERAS_PAGE (object);

  g_clear_handle_id (&self->loop_id, g_source_remove);
  if (self->stack != NULL)
    {
      vigil_camera_view_set_camera (self->view, NULL);
      vigil_camera_replay_set_recording (self->replay, NULL);
      gtk_widget_unparent (GTK_WIDGET (self->stack));
      self->stack = NULL;
    }
  g_clear_object (&self->cameras);
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  g_clear_pointer (&self->followed, g_ptr_array_unref);
  g_clear_object (&self->kafka);

  G_OBJECT_CLASS (vigil_cameras_page_parent_class)->dispose (object);
}

static void
vigil_cameras_page_class_init (VigilCamerasPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vigil_cameras_page_dispose;

  /* The mask or calibration saved for a camera that opens cannot be read: the message names
   * the file. The camera runs with what could be read. */
  signals[SETUP_FAILED] =
    g_signal_new ("setup-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, VIGIL_TYPE_CAMERA, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "vigil-cameras-page");
}

static void
vigil_cameras_page_init (VigilCamerasPage *self)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();

  self->cameras = g_list_store_new (VIGIL_TYPE_CAMERA);
  self->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) camera_run_free);
  self->followed = g_ptr_array_new_with_free_func (g_object_unref);

  self->stack = GTK_STACK (gtk_stack_new ());
  /* Opening a camera answers at once, as following a link does. */
  gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_stack_add_named (self->stack, build_empty (), "empty");

  self->grid = GTK_FLOW_BOX (gtk_flow_box_new ());
  gtk_flow_box_set_selection_mode (self->grid, GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (self->grid, TRUE);
  gtk_flow_box_set_min_children_per_line (self->grid, 1);
  gtk_flow_box_set_max_children_per_line (self->grid, 4);
  gtk_flow_box_set_row_spacing (self->grid, 12);
  gtk_flow_box_set_column_spacing (self->grid, 12);
  gtk_widget_set_valign (GTK_WIDGET (self->grid), GTK_ALIGN_START);
  gtk_widget_set_margin_start (GTK_WIDGET (self->grid), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->grid), 12);
  gtk_widget_set_margin_top (GTK_WIDGET (self->grid), 12);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->grid), 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->grid), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Cameras"), -1);
  gtk_flow_box_bind_model (self->grid, G_LIST_MODEL (self->cameras), create_tile, self, NULL);
  g_signal_connect_swapped (self->grid, "child-activated", G_CALLBACK (on_child_activated),
                            self);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->grid));
  gtk_stack_add_named (self->stack, scroller, "grid");

  self->view = VIGIL_CAMERA_VIEW (vigil_camera_view_new ());
  g_signal_connect_swapped (self->view, "back", G_CALLBACK (on_view_back), self);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->view), "camera");

  self->replay = VIGIL_CAMERA_REPLAY (vigil_camera_replay_new ());
  g_signal_connect_swapped (self->replay, "back", G_CALLBACK (on_replay_back), self);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->replay), "replay");

  gtk_widget_set_parent (GTK_WIDGET (self->stack), GTK_WIDGET (self));
  update_stack (self);
}
