#!/usr/bin/python3
# bench/kafka_json_python.py
#
# The Python side of bench/kafka-json: the same seed-format messages through json.loads and
# the same event-time windows (60 s sliding every 10 s, 10 s allowed lateness, windows closed
# as the watermark passes their end, then flushed), in plain Python, on one thread, the way
# the seed's consumer handled a message value (msg.value() is bytes).
#
#   kafka_json_python.py FILE [--check VIGIL_WINDOWS_CSV]
#
# The file ("TOPIC<TAB>JSON" lines) is read and split before the clock starts. Prints
#   python: messages=N samples=S windows=W seconds=T messages_per_s=R
# and with --check one line "check windows: OK ..." or "check windows: MISMATCH ...", comparing
# every window with Vigil's: start, end, count, min, max and range exactly, mean and standard
# deviation to 1e-9 relative.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import csv
import datetime
import json
import math
import sys
import time

WINDOW_US = 60_000_000
SLIDE_US = 10_000_000
LATENESS_US = 10_000_000
PANE_US = math.gcd(WINDOW_US, SLIDE_US)
PANES_PER_WINDOW = WINDOW_US // PANE_US
EPOCH = datetime.datetime(1970, 1, 1)
ONE_US = datetime.timedelta(microseconds=1)


class Key:
    """Panes of one sensor: [n, shift, sum(x - shift), sum((x - shift)^2), min, max]."""

    __slots__ = ("panes", "max_us", "next_start")

    def __init__(self, first_pane):
        self.panes = {}
        self.max_us = None
        # The first window holding the first record starts PANES_PER_WINDOW - 1 panes earlier.
        self.next_start = (first_pane - PANES_PER_WINDOW + 1) * PANE_US


def close_window(sensor, key, start, out):
    n = 0
    mean = m2 = 0.0
    lo = math.inf
    hi = -math.inf
    first = start // PANE_US
    for p in range(first, first + PANES_PER_WINDOW):
        pane = key.panes.get(p)
        if pane is None:
            continue
        pn, shift, s1, s2, pmin, pmax = pane
        pmean = shift + s1 / pn
        pm2 = s2 - s1 * s1 / pn
        if n == 0:
            n, mean, m2 = pn, pmean, pm2
        else:
            total = n + pn
            delta = pmean - mean
            mean += delta * pn / total
            m2 += pm2 + delta * delta * n * pn / total
            n = total
        lo = min(lo, pmin)
        hi = max(hi, pmax)
    if n:
        std = math.sqrt(max(m2, 0.0) / (n - 1)) if n > 1 else math.nan
        out.append((sensor, start, start + WINDOW_US, n, mean, lo, hi, std, hi - lo))
    # Panes no later window needs.
    key.panes.pop(first, None)


def run(records):
    keys = {}
    windows = []
    samples = 0
    for _topic, payload in records:
        msg = json.loads(payload)
        sensor = msg["sensor"]
        value = float(msg["value"])
        t = (datetime.datetime.fromisoformat(msg["timestamp"]) - EPOCH) // ONE_US
        p = t // PANE_US
        key = keys.get(sensor)
        if key is None:
            key = keys[sensor] = Key(p)
        pane = key.panes.get(p)
        if pane is None:
            key.panes[p] = [1, value, 0.0, 0.0, value, value]
        else:
            d = value - pane[1]
            pane[0] += 1
            pane[2] += d
            pane[3] += d * d
            if value < pane[4]:
                pane[4] = value
            if value > pane[5]:
                pane[5] = value
        samples += 1
        if key.max_us is None or t > key.max_us:
            key.max_us = t
            watermark = t - LATENESS_US
            while key.next_start + WINDOW_US <= watermark:
                close_window(sensor, key, key.next_start, windows)
                key.next_start += SLIDE_US
    for sensor, key in keys.items():
        last = max(key.panes) * PANE_US if key.panes else key.next_start - SLIDE_US
        while key.next_start <= last:
            close_window(sensor, key, key.next_start, windows)
            key.next_start += SLIDE_US
    return samples, windows


def close(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-300) or abs(a - b) < 1e-12


def check(windows, path):
    mine = {(w[0], w[1]): w for w in windows}
    with open(path, newline="") as f:
        theirs = list(csv.DictReader(f))
    if len(theirs) != len(mine):
        return f"MISMATCH ({len(theirs)} windows from Vigil, {len(mine)} from Python)"
    for row in theirs:
        w = mine.get((row["sensor"], int(row["start_us"])))
        if w is None:
            return f"MISMATCH (Vigil's window {row['sensor']} {row['start_us']} not found)"
        exact = (int(row["end_us"]) == w[2] and int(row["count"]) == w[3] and
                 float(row["min"]) == w[5] and float(row["max"]) == w[6] and
                 float(row["range"]) == w[8])
        if not exact or not close(float(row["avg"]), w[4]) or \
                not close(float(row["stddev"]), w[7]):
            return f"MISMATCH ({row['sensor']} {row['start_us']}: Vigil {dict(row)}, Python {w})"
    return f"OK ({len(theirs)} windows: start, end, count, min, max, range equal; " \
           "mean, stddev to 1e-9)"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file")
    parser.add_argument("--check")
    args = parser.parse_args()

    with open(args.file, "rb") as f:
        records = [tuple(line.split(b"\t", 1)) for line in f.read().split(b"\n") if line]

    t0 = time.perf_counter()
    samples, windows = run(records)
    seconds = time.perf_counter() - t0

    print(f"python: messages={len(records)} samples={samples} windows={len(windows)} "
          f"seconds={seconds:.3f} messages_per_s={len(records) / seconds:.0f}")
    if args.check:
        print("check windows: " + check(windows, args.check))
    return 0


if __name__ == "__main__":
    sys.exit(main())
