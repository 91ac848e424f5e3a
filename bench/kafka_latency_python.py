#!/usr/bin/python3
# bench/kafka_latency_python.py
#
# The Python side of bench/kafka-json's latency run: what the seed's pipeline does with
# Debian's python3-confluent-kafka. A consumer of the hydraulic topics, json.loads of each
# message, per sensor event-time windows (60 s every 10 s, the given allowed lateness: a
# window closes when the sensor's newest sample is at or past its end plus the lateness),
# pandas for each window's statistics, and each closed window written to SQLite and committed
# at once. Prints "ready" when its partitions are assigned; runs until SIGTERM.
#
#   kafka_latency_python.py --bootstrap HOST:PORT --db FILE [--lateness S]
#                           [--property KEY=VALUE]...
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import datetime
import json
import signal
import sqlite3
import sys

import pandas
from confluent_kafka import Consumer

WINDOW_US = 60_000_000
SLIDE_US = 10_000_000
EPOCH = datetime.datetime(1970, 1, 1)
MICROSECOND = datetime.timedelta(microseconds=1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--lateness", type=float, default=0)
    parser.add_argument("--property", action="append", default=[],
                        help="a librdkafka consumer setting, KEY=VALUE")
    args = parser.parse_args()
    lateness_us = int(args.lateness * 1_000_000)

    db = sqlite3.connect(args.db)
    db.execute("CREATE TABLE windows (sensor TEXT, window_start INTEGER, window_end INTEGER,"
               " count INTEGER, avg REAL, min REAL, max REAL, stddev REAL, range REAL,"
               " PRIMARY KEY (sensor, window_start))")
    db.commit()

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))

    def on_assign(consumer, partitions):
        print("ready", flush=True)

    settings = {"bootstrap.servers": args.bootstrap, "group.id": "bench-python",
                "auto.offset.reset": "earliest", "enable.auto.commit": False}
    settings.update(p.split("=", 1) for p in args.property)
    consumer = Consumer(settings)
    consumer.subscribe(["^hydraulic-.*"], on_assign=on_assign)

    # Per sensor: samples (time, value) not yet behind every open window, and the start of
    # the next window to close.
    samples = {}
    next_start = {}
    while not stopping:
        msg = consumer.poll(0.1)
        if msg is None or msg.error():
            continue
        record = json.loads(msg.value())
        if "sensor" not in record or "value" not in record:
            continue
        sensor = record["sensor"]
        t = (datetime.datetime.fromisoformat(record["timestamp"]) - EPOCH) // MICROSECOND
        buf = samples.setdefault(sensor, [])
        if sensor not in next_start:
            # Every window that holds the first sample, as Vigil's source does from offset 0.
            next_start[sensor] = (t // SLIDE_US) * SLIDE_US - WINDOW_US + SLIDE_US
        buf.append((t, record["value"]))
        watermark = t - lateness_us
        while next_start[sensor] + WINDOW_US <= watermark:
            start = next_start[sensor]
            end = start + WINDOW_US
            values = pandas.Series([v for (ts, v) in buf if start <= ts < end], dtype=float)
            if len(values) > 0:
                db.execute("INSERT INTO windows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (sensor, start, end, int(values.count()), values.mean(),
                            values.min(), values.max(), values.std(),
                            values.max() - values.min()))
                db.commit()
            next_start[sensor] = start + SLIDE_US
            buf[:] = [(ts, v) for (ts, v) in buf if ts >= next_start[sensor]]
    consumer.close()
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
