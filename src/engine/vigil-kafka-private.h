/* vigil-kafka-private.h
 *
 * What the reference parser of Kafka messages and its strict JSON check share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "vigil-kafka-message.h"

G_BEGIN_DECLS

/* Top-level members whose raw spans are kept (the traffic image is found through them). */
#define _VIGIL_KAFKA_MAX_TOP_MEMBERS 16

typedef struct
{
  gsize key_off;
  gsize key_len;
  gsize value_off;
  gsize value_len;
} VigilKafkaMemberSpan;

struct _VigilKafkaParser
{
  JsonParser *json;
  GString    *reason;
  GString    *scratch;       /* traffic image_id */

  /* Duplicate keys: json-glib keeps the last, so members are counted per object as they
   * arrive and a count above the object's size names the duplicate. Reset every parse. */
  GHashTable *member_counts; /* JsonObject * -> count */
  char       *duplicate;

  /* The payload's top-level members, from the strict check. */
  VigilKafkaMemberSpan top[_VIGIL_KAFKA_MAX_TOP_MEMBERS];
  guint                n_top;

  GArray     *objects;       /* VigilKafkaObject */
  GArray     *polygons;      /* VigilKafkaPolygon */
  GArray     *points;        /* VigilKafkaPoint */

  char           *topic;     /* the last topic parsed, and what it says */
  VigilKafkaTopic topic_info;
};

/* Text for a person: valid UTF-8, control characters and invalid bytes as escapes, cut after
 * @max_bytes of input (at a character boundary) with "…" when @ellipsis. */
void     _vigil_kafka_append_escaped (GString          *out,
                                      const guchar     *p,
                                      gsize             len,
                                      gsize             max_bytes,
                                      gboolean          ellipsis);
/* Sets the reason of @self; returns FALSE. */
gboolean _vigil_kafka_fail           (VigilKafkaParser *self,
                                      const char       *format,
                                      ...) G_GNUC_PRINTF (2, 3);
/* The strict RFC 8259 check run before json-glib. Records the top-level members in @self->top;
 * returns FALSE with the reason set. */
gboolean _vigil_kafka_check_json     (VigilKafkaParser *self,
                                      const guchar     *payload,
                                      gsize             len);

G_END_DECLS
