/* vigil-kafka-message.h
 *
 * The JSON messages of the Kafka topics Vigil reads and writes (DESIGN.md, "Data formats"),
 * decoded into plain structs: hydraulic samples, cycle labels, window results and traffic
 * frames. Two parsers give the same answers: the reference (json-glib) and a fast path for
 * hydraulic samples (simdjson On-Demand, vigil-kafka-fast.cc) that hands anything it is not
 * sure of to the reference. A message that cannot be used becomes a dead letter with a short
 * reason naming the field and what is wrong; the stream goes on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "vigil-records.h"
#include "vigil-sensor.h"

G_BEGIN_DECLS

/* Longest rig or camera name: letters, digits, '.', '_' and '-' (what a Kafka topic name may
 * hold, so a rig can also be a topic prefix). */
#define VIGIL_KAFKA_NAME_MAX 31

/* Bytes of a payload kept in a dead letter's excerpt. */
#define VIGIL_KAFKA_EXCERPT_BYTES 200

/* Event times outside [1970-01-01, 2201-01-01) UTC are rejected as absurd: a rig clock that
 * was never set or a sentinel like 9999-12-31 would otherwise open windows centuries away
 * and hold the watermark there. The upper bound also keeps a label's float seconds exact to
 * the microsecond (below 2^33 s). */
#define VIGIL_KAFKA_MIN_TIME_US G_GINT64_CONSTANT (0)
#define VIGIL_KAFKA_MAX_TIME_US G_GINT64_CONSTANT (7289654400000000)

typedef enum
{
  VIGIL_KAFKA_INVALID,     /* a dead letter: see the message's reason */
  VIGIL_KAFKA_SAMPLE,      /* hydraulic-<SENSOR> */
  VIGIL_KAFKA_LABEL,       /* hydraulic-labels */
  VIGIL_KAFKA_ANALYTICS,   /* hydraulic-analytics */
  VIGIL_KAFKA_TRAFFIC,     /* traffic_data */
} VigilKafkaKind;

/* What a topic name says. A rig may publish under a prefix: "rig-a.hydraulic-PS1" is rig
 * "rig-a"'s PS1 (the prefix is everything before the last '.'). */
typedef struct
{
  VigilKafkaKind kind;     /* VIGIL_KAFKA_INVALID for a topic Vigil does not read */
  int            sensor;   /* the VigilSensor a hydraulic-<SENSOR> topic names, or -1 */
  char           rig[VIGIL_KAFKA_NAME_MAX + 1];  /* the prefix, or "" */
} VigilKafkaTopic;

/* FALSE (and kind VIGIL_KAFKA_INVALID) for a topic that is not one of the above. */
gboolean vigil_kafka_topic_parse (const char      *topic,
                                  VigilKafkaTopic *out);

/* {"sensor":"PS1","cycle":12,"sample_idx":345,"value":151.2,
 *  "timestamp":"2025-12-28T14:56:20.123456","sampling_rate_hz":100} and an optional "rig".
 * The timestamp has no zone: UTC. 64 bytes, one cache line. */
typedef struct
{
  VigilSensor sensor;
  guint       cycle;
  guint       sample_idx;         /* 0 .. rate * 60 - 1 */
  guint       sampling_rate_hz;   /* always the sensor's own rate */
  gint64      time_us;            /* event time */
  double      value;
  char        rig[VIGIL_KAFKA_NAME_MAX + 1];  /* from the message or the topic; "" if neither */
} VigilKafkaSample;

/* {"cycle":12,"label_cooler":3,"label_valve":100,"label_pump":0,"label_accumulator":130,
 *  "label_stable":1,"timestamp":1766933780.5}: the timestamp (epoch seconds) becomes
 * label.start_us, exact to the microsecond. */
typedef struct
{
  VigilCycleLabel label;
  char            rig[VIGIL_KAFKA_NAME_MAX + 1];
} VigilKafkaLabel;

/* {"sensor","window_start","window_end","avg_value","max_value","min_value","stddev_value",
 *  "range_value","sample_count"}: stats.key is the VigilSensor; stddev_value null is NAN. */
typedef struct
{
  VigilWindowStats stats;
  char             rig[VIGIL_KAFKA_NAME_MAX + 1];
} VigilKafkaAnalytics;

typedef struct
{
  double x;
  double y;
} VigilKafkaPoint;

typedef struct
{
  guint first_point;
  guint n_points;
} VigilKafkaPolygon;

/* One detected object, in either form of the traffic message. */
typedef struct
{
  gint64   track_id;       /* -1 when the message has none (the newer form) */
  int      class_id;       /* 0 motorcycle, 1 car, 2 bus, 3 truck */
  gboolean has_world;
  double   world_x;        /* metres */
  double   world_y;
  gboolean has_bbox;
  double   bbox[4];        /* x centre, y centre, width, height: normalised 0-1 */
  guint    first_polygon;  /* "segmentation": into VigilKafkaTraffic.polygons */
  guint    n_polygons;
} VigilKafkaObject;

/* A traffic_data message. Pointers borrow from the parser (until its next parse) or, for the
 * image, from the payload. */
typedef struct
{
  char                     camera_id[VIGIL_KAFKA_NAME_MAX + 1];
  gint64                   time_us;
  const char              *image_id;    /* NULL if absent; a number is given as its digits */
  const char              *image;       /* the base64 text as it is in the payload, JSON
                                         * escapes included; NULL if absent. Not decoded:
                                         * see vigil_kafka_decode_image() */
  gsize                    image_len;
  const VigilKafkaObject  *objects;
  guint                    n_objects;
  const VigilKafkaPolygon *polygons;
  guint                    n_polygons;
  const VigilKafkaPoint   *points;
  guint                    n_points;
} VigilKafkaTraffic;

typedef struct
{
  VigilKafkaKind  kind;
  const char     *topic;        /* as given to the parser */
  gint32          partition;
  gint64          offset;
  const char     *reason;       /* VIGIL_KAFKA_INVALID only: borrowed until the next parse */
  union
  {
    VigilKafkaSample    sample;
    VigilKafkaLabel     label;
    VigilKafkaAnalytics analytics;
    VigilKafkaTraffic   traffic;
  };
} VigilKafkaMessage;

/* The reference parser (json-glib). One per thread; reused, it allocates little. */
typedef struct _VigilKafkaParser VigilKafkaParser;

VigilKafkaParser *vigil_kafka_parser_new   (void);
void              vigil_kafka_parser_free  (VigilKafkaParser  *self);
/* Decodes one message of @topic into @out and returns its kind. @payload need not be
 * NUL-terminated. */
VigilKafkaKind    vigil_kafka_parser_parse (VigilKafkaParser  *self,
                                            const char        *topic,
                                            gint32             partition,
                                            gint64             offset,
                                            const void        *payload,
                                            gsize              len,
                                            VigilKafkaMessage *out);

/* The fast path: hydraulic samples through simdjson On-Demand, everything else (other topics,
 * and any sample it does not take on its own) through an embedded reference parser, so its
 * answers, reasons included, are the reference's. One per thread. */
typedef struct _VigilKafkaFastParser VigilKafkaFastParser;

VigilKafkaFastParser *vigil_kafka_fast_parser_new           (void);
void                  vigil_kafka_fast_parser_free          (VigilKafkaFastParser *self);
VigilKafkaKind        vigil_kafka_fast_parser_parse         (VigilKafkaFastParser *self,
                                                             const char           *topic,
                                                             gint32                partition,
                                                             gint64                offset,
                                                             const void           *payload,
                                                             gsize                 len,
                                                             VigilKafkaMessage    *out);
/* Messages handed to the reference so far. */
guint64               vigil_kafka_fast_parser_get_fallbacks (VigilKafkaFastParser *self);
/* The fast path's timestamp parser: only the seed's layouts, "2025-12-28T14:56:20" and
 * "2025-12-28T14:56:20.123456" (UTC, years 1970-2200); FALSE for anything else, which the
 * reference then reads with vigil_time_parse_iso8601(). Where it answers, it answers the same. */
gboolean              vigil_kafka_parse_seed_time           (const char           *text,
                                                             gsize                 len,
                                                             gint64               *out_us);

/* Batches: what a consumer poll returns. */
typedef struct
{
  const char *topic;
  gint32      partition;
  gint64      offset;
  const void *payload;
  gsize       len;
} VigilKafkaRecord;

typedef struct
{
  char   *topic;          /* owned */
  gint32  partition;
  gint64  offset;
  char   *excerpt;        /* owned: vigil_kafka_excerpt() of the payload */
  char   *reason;         /* owned */
} VigilKafkaDeadLetter;

/* Results of a batch, appended in record order. Traffic messages borrow from the parser, so
 * a batch only lists them (indexes into the records) for vigil_*_parse() one at a time. */
typedef struct
{
  GArray *samples;        /* VigilKafkaSample */
  GArray *labels;         /* VigilKafkaLabel */
  GArray *analytics;      /* VigilKafkaAnalytics */
  GArray *traffic;        /* guint */
  GArray *dead_letters;   /* VigilKafkaDeadLetter */
} VigilKafkaBatch;

void vigil_kafka_batch_init                (VigilKafkaBatch        *batch);
/* Empties the arrays and keeps their memory for the next batch. */
void vigil_kafka_batch_reset               (VigilKafkaBatch        *batch);
void vigil_kafka_batch_clear               (VigilKafkaBatch        *batch);
void vigil_kafka_parser_parse_batch        (VigilKafkaParser       *self,
                                            const VigilKafkaRecord *records,
                                            gsize                   n_records,
                                            VigilKafkaBatch        *batch);
void vigil_kafka_fast_parser_parse_batch   (VigilKafkaFastParser   *self,
                                            const VigilKafkaRecord *records,
                                            gsize                   n_records,
                                            VigilKafkaBatch        *batch);
void vigil_kafka_dead_letter_clear         (gpointer                dead_letter);

/* The first VIGIL_KAFKA_EXCERPT_BYTES of a payload as valid UTF-8 for the dead-letter table:
 * control characters and invalid bytes escaped (\n, \t, \x01, \xff), "…" if cut. */
char    *vigil_kafka_excerpt       (const void  *payload,
                                    gsize        len);

/* Decodes a traffic message's image (JSON string escapes, then base64). */
guchar  *vigil_kafka_decode_image  (const char  *image,
                                    gsize        image_len,
                                    gsize       *out_len,
                                    GError     **error);

/* The messages Vigil produces, appended to @out in the seed's format: no spaces, the keys in
 * the order above, floats in their shortest exact form (Python's repr), timestamps as Python's
 * datetime.isoformat() (microseconds unless zero). "rig" is written when set. */
void     vigil_kafka_write_sample    (GString                   *out,
                                      const VigilKafkaSample    *sample);
void     vigil_kafka_write_label     (GString                   *out,
                                      const VigilKafkaLabel     *label);
void     vigil_kafka_write_analytics (GString                   *out,
                                      const VigilKafkaAnalytics *analytics);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilKafkaParser, vigil_kafka_parser_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VigilKafkaFastParser, vigil_kafka_fast_parser_free)

G_END_DECLS
