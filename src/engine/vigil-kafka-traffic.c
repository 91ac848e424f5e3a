/* vigil-kafka-traffic.c
 *
 * traffic_data on the Kafka source's consumer thread. Each camera id met becomes a VigilCamera
 * that is never started: its frames are analysed here, at once, and what they produce
 * (detections, closed seconds and minutes, alarm transitions) goes into the camera's own
 * batch, which the next checkpoint writes in the same transaction as the partition offsets
 * of those frames. Exactly once, as for the hydraulic topics.
 *
 * Which frames go through Vigil's detector: a message with objects uses them (polygons with
 * track ids, or normalised boxes), as does one without an image; a frame that comes with an
 * image and no objects is decoded and detected. Frames without an image are taken to be the
 * size of the camera's last image, or before any 1280 x 720 (the seed pipeline's cameras,
 * whose road masks are drawn on that size).
 *
 * Frame numbers (which key the stored detections) must be the same when a crash makes the
 * consumer read a frame again: a message's "image_id", when it is a non-negative integer (the
 * 0-based position in the source that `vigil-cli produce traffic` writes, so a camera
 * consumed from Kafka numbers its frames as `vigil-cli replay traffic` does), else the
 * record's offset (unique per camera, as DESIGN.md keys a camera's frames to one partition).
 *
 * Where a traffic partition resumes: at the first frame of the oldest second or minute that
 * a camera still holds open (each camera remembers the first offset of every second it saw).
 * On a restart or a rebalance the camera is made afresh and the frames before the processed
 * offset rebuild its open periods without storing anything again; what closes from then on
 * is complete, so a crash loses no period and doubles none. What cannot be rebuilt exactly is
 * what came before those frames: the tracker's earlier tracks and, for frames Vigil's
 * detector analyses, its background model, which learn again from the frames re-read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-kafka"

#include "config.h"

#include <errno.h>

#include "vigil-camera.h"
#include "vigil-error.h"
#include "vigil-image.h"
#include "vigil-kafka-source-private.h"
#include "vigil-time.h"
#include "vigil-traffic-analytics.h"

#define DEFAULT_WIDTH 1280
#define DEFAULT_HEIGHT 720

/* The first record of a second of a camera's frames on a partition. */
typedef struct
{
  gint64      second;       /* floor (event time / 1 s) */
  const char *topic;        /* interned */
  gint32      partition;
  gint64      offset;
} CameraMark;

typedef struct
{
  VigilCamera     *camera;
  gint64           session_id;
  VigilStoreBatch *batch;       /* results since the last checkpoint */
  guint            width;       /* of the last image */
  guint            height;
  gint64           max_time_us; /* of the frames analysed; G_MININT64 before the first */
  GArray          *marks;       /* CameraMark, of the periods that may still be open */
} KafkaCamera;

static void
kafka_camera_free (KafkaCamera *cam)
{
  g_clear_object (&cam->camera);
  g_clear_pointer (&cam->batch, vigil_store_batch_free);
  g_clear_pointer (&cam->marks, g_array_unref);
  g_free (cam);
}

static KafkaCamera *
get_camera (VigilKafkaSource  *self,
            const char        *camera_id,
            GError           **error)
{
  g_autoptr(VigilCamera) camera = NULL;
  KafkaCamera *cam;
  gint64 session_id;

  if (self->cameras == NULL)
    self->cameras = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) kafka_camera_free);
  cam = g_hash_table_lookup (self->cameras, camera_id);
  if (cam != NULL)
    return cam;

  camera = vigil_camera_new (camera_id, NULL);
  vigil_camera_set_rules (camera, self->rules);
  session_id = vigil_camera_ensure_session (camera, self->store, error);
  if (session_id <= 0)
    return NULL;

  cam = g_new0 (KafkaCamera, 1);
  cam->camera = g_object_ref (camera);
  cam->session_id = session_id;
  cam->batch = vigil_store_batch_new (session_id);
  cam->width = DEFAULT_WIDTH;
  cam->height = DEFAULT_HEIGHT;
  cam->max_time_us = G_MININT64;
  cam->marks = g_array_new (FALSE, FALSE, sizeof (CameraMark));
  g_hash_table_insert (self->cameras, g_strdup (camera_id), cam);

  /* A camera made afresh after a rebalance takes its predecessor's place. */
  g_mutex_lock (&self->state_lock);
  if (self->camera_list == NULL)
    self->camera_list = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; camera != NULL && i < self->camera_list->len; i++)
    if (g_str_equal (vigil_camera_get_id (g_ptr_array_index (self->camera_list, i)), camera_id))
      {
        g_object_unref (g_ptr_array_index (self->camera_list, i));
        g_ptr_array_index (self->camera_list, i) = g_steal_pointer (&camera);
      }
  if (camera != NULL)
    g_ptr_array_add (self->camera_list, g_steal_pointer (&camera));
  atomic_store (&self->n_cameras, self->camera_list->len);
  g_mutex_unlock (&self->state_lock);
  atomic_fetch_add (&self->cameras_serial, 1);

  return cam;
}

static void
add_mark (KafkaCamera              *cam,
          const rd_kafka_message_t *rkm,
          gint64                    time_us)
{
  CameraMark mark = {
    .second = vigil_floor_div (time_us, G_USEC_PER_SEC),
    .topic = g_intern_string (rd_kafka_topic_name (rkm->rkt)),
    .partition = rkm->partition,
    .offset = rkm->offset,
  };

  for (guint i = cam->marks->len; i > 0; i--)
    {
      const CameraMark *m = &g_array_index (cam->marks, CameraMark, i - 1);

      if (m->second == mark.second && m->partition == mark.partition && m->topic == mark.topic)
        return;
      /* Frames of one camera come in order: only the latest seconds can match. */
      if (m->second < mark.second)
        break;
    }
  g_array_append_val (cam->marks, mark);
}

/* Start of the oldest period still open: the minute windows that the watermark (the latest
 * frame less the lateness) has not passed, one slide earlier to be safe, and the second of
 * the latest frame. */
static gint64
keep_from (KafkaCamera *cam)
{
  gint64 watermark;
  gint64 minute;

  if (cam->max_time_us == G_MININT64)
    return G_MAXINT64;
  watermark = cam->max_time_us - VIGIL_TRAFFIC_LATENESS_US;
  minute = vigil_floor_div (watermark - VIGIL_TRAFFIC_MINUTE_US, VIGIL_TRAFFIC_SLIDE_US) *
           VIGIL_TRAFFIC_SLIDE_US;

  return MIN (minute, vigil_floor_div (cam->max_time_us, G_USEC_PER_SEC) * G_USEC_PER_SEC);
}

static void
add_dead_letter (VigilKafkaSource         *self,
                 KafkaCamera              *cam,
                 const rd_kafka_message_t *rkm,
                 const char               *reason)
{
  VigilStoreDeadLetter d = {
    .session_id = cam->session_id,
    .topic = g_strdup (rd_kafka_topic_name (rkm->rkt)),
    .partition = rkm->partition,
    .offset = rkm->offset,
    .received_us = g_get_real_time (),
    .excerpt = vigil_kafka_excerpt (rkm->payload, rkm->len),
    .reason = g_strdup (reason),
  };

  g_array_append_val (self->dead_letters, d);
  atomic_fetch_add (&self->n_dead, 1);
  if (self->live != NULL)
    vigil_live_add_dead_letters (self->live, 1);
}

/* See the top of the file. */
static guint64
frame_number (const VigilKafkaTraffic  *traffic,
              gint64                    offset)
{
  const char *id = traffic->image_id;
  char *end = NULL;
  guint64 n;

  if (id == NULL || !g_ascii_isdigit (id[0]))
    return (guint64) offset;
  errno = 0;
  n = g_ascii_strtoull (id, &end, 10);
  if (errno != 0 || *end != '\0')
    return (guint64) offset;

  return n;
}

gboolean
_vigil_kafka_source_handle_traffic (VigilKafkaSource          *self,
                                    const rd_kafka_message_t  *rkm,
                                    const VigilKafkaTraffic   *traffic,
                                    gboolean                   replayed,
                                    GError                   **error)
{
  g_autoptr(GArray) detections = NULL;
  g_autoptr(VigilFrame) frame = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(VigilStoreBatch) scratch = NULL;
  VigilStoreBatch *batch;
  VigilDetection none = { 0 };
  const VigilDetection *given = NULL;
  guint n_given = 0;
  KafkaCamera *cam;
  guint64 number;
  guint first;

  cam = get_camera (self, traffic->camera_id, error);
  if (cam == NULL)
    return FALSE;
  /* Processed by an earlier run, which stored what it gave (its dead letter too): it only
   * rebuilds the periods still open. */
  if (replayed)
    {
      scratch = vigil_store_batch_new (cam->session_id);
      batch = scratch;
    }
  else
    batch = cam->batch;

  if (traffic->image != NULL)
    {
      g_autofree guchar *bytes = NULL;
      gsize len = 0;

      bytes = vigil_kafka_decode_image (traffic->image, traffic->image_len, &len, &local_error);
      if (bytes != NULL)
        frame = vigil_image_decode (bytes, len, "“image”", VIGIL_FRAME_RGB24, &local_error);
      if (frame == NULL)
        {
          if (!replayed)
            add_dead_letter (self, cam, rkm, local_error->message);
          return TRUE;
        }
      cam->width = frame->width;
      cam->height = frame->height;
    }

  if (traffic->n_objects > 0 || frame == NULL)
    {
      detections = g_array_new (FALSE, FALSE, sizeof (VigilDetection));
      if (!vigil_traffic_detections_from_kafka (traffic, cam->width, cam->height, detections,
                                                NULL, &local_error))
        {
          if (!replayed)
            add_dead_letter (self, cam, rkm, local_error->message);
          return TRUE;
        }
      /* Objects given, even none: the detector is skipped. */
      given = detections->len > 0 ? (const VigilDetection *) (gpointer) detections->data : &none;
      n_given = detections->len;
    }

  number = frame_number (traffic, rkm->offset);
  if (frame != NULL)
    {
      frame->time_us = traffic->time_us;
      frame->index = number;
    }
  first = batch->detections->len;
  if (!vigil_camera_process_frame (cam->camera, frame, traffic->time_us, cam->width,
                                   cam->height, given, n_given, batch, &local_error))
    {
      if (!replayed)
        add_dead_letter (self, cam, rkm, local_error->message);
      return TRUE;
    }
  for (guint i = first; i < batch->detections->len; i++)
    g_array_index (batch->detections, VigilStoreDetection, i).frame = number;
  cam->max_time_us = MAX (cam->max_time_us, traffic->time_us);
  add_mark (cam, rkm, traffic->time_us);
  if (!replayed)
    atomic_fetch_add (&self->frames, 1);

  return TRUE;
}

void
_vigil_kafka_source_checkpoint_cameras (VigilKafkaSource *self,
                                        VigilStoreBatch  *main)
{
  GHashTableIter iter;
  KafkaCamera *cam;

  if (self->cameras == NULL)
    return;

  g_hash_table_iter_init (&iter, self->cameras);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &cam))
    {
      gint64 keep = keep_from (cam);
      guint kept = 0;

      for (guint i = 0; i < cam->marks->len; i++)
        {
          CameraMark *m = &g_array_index (cam->marks, CameraMark, i);
          g_autofree char *key = NULL;
          Partition *p;

          if (m->second < vigil_floor_div (keep, G_USEC_PER_SEC))
            continue;
          key = _vigil_kafka_partition_key (m->topic, m->partition);
          p = g_hash_table_lookup (self->partitions, key);
          if (p != NULL)
            p->resume = MIN (p->resume, m->offset);
          g_array_index (cam->marks, CameraMark, kept++) = *m;
        }
      g_array_set_size (cam->marks, kept);

      if (!vigil_store_batch_is_empty (cam->batch))
        {
          vigil_store_batch_attach (main, g_steal_pointer (&cam->batch));
          cam->batch = vigil_store_batch_new (cam->session_id);
        }
    }
}

void
_vigil_kafka_source_drop_cameras (VigilKafkaSource *self)
{
  if (self->cameras != NULL)
    g_hash_table_remove_all (self->cameras);
}

void
_vigil_kafka_source_finish_cameras (VigilKafkaSource *self)
{
  GHashTableIter iter;
  KafkaCamera *cam;

  if (self->cameras == NULL)
    return;

  g_hash_table_iter_init (&iter, self->cameras);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &cam))
    {
      vigil_camera_advance (cam->camera, G_MAXINT64, cam->batch);
      self->dirty = TRUE;
    }
}

void
_vigil_kafka_source_free_cameras (VigilKafkaSource *self)
{
  g_clear_pointer (&self->cameras, g_hash_table_destroy);
  g_clear_pointer (&self->camera_list, g_ptr_array_unref);
}

GPtrArray *
vigil_kafka_source_dup_cameras (VigilKafkaSource *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (VIGIL_IS_KAFKA_SOURCE (self), out);

  g_mutex_lock (&self->state_lock);
  for (guint i = 0; self->camera_list != NULL && i < self->camera_list->len; i++)
    g_ptr_array_add (out, g_object_ref (g_ptr_array_index (self->camera_list, i)));
  g_mutex_unlock (&self->state_lock);

  return out;
}

guint
vigil_kafka_source_get_cameras_serial (VigilKafkaSource *self)
{
  g_return_val_if_fail (VIGIL_IS_KAFKA_SOURCE (self), 0);

  return atomic_load (&self->cameras_serial);
}
