#!/usr/bin/python3
# bench/hydraulic_pandas.py
#
# The pandas baseline of bench/hydraulic-replay: the same sliding windows Vigil computes over a
# hydraulic rig directory in the UCI layout, written the way a careful pandas user would.
#
# Event time of sample i of a sensor at rate r in cycle k is START + k * 60 s + i / r. Windows
# last 60 s and slide every 10 s, aligned to multiples of 10 s since the Unix epoch; per window
# and sensor: count, mean, min, max, sample standard deviation (n - 1) and range, for every
# window that holds data. Each file is read with read_csv, flattened to one long Series indexed
# by event time, aggregated into 10 s panes with resample, and each window combines its six
# panes: rolling sums, minima and maxima, and Chan's parallel formula for the variance.
#
# The last stdout line is: pandas: samples=N windows=N seconds=S samples_per_s=N
# Progress goes to stderr. --check SENSOR=CSV compares this script's windows of SENSOR with a
# `vigil-cli export windows` CSV (after the timed part) and prints OK or MISMATCH.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import math
import os
import sys
import time

import numpy as np
import pandas as pd

SENSORS = {
    "PS1": 100, "PS2": 100, "PS3": 100, "PS4": 100, "PS5": 100, "PS6": 100, "EPS1": 100,
    "FS1": 10, "FS2": 10,
    "TS1": 1, "TS2": 1, "TS3": 1, "TS4": 1, "VS1": 1, "CE": 1, "CP": 1, "SE": 1,
}
CYCLE_US = 60_000_000
PANE = "10s"
PANES_PER_WINDOW = 6
DEFAULT_START = "2025-01-01T00:00:00Z"

# Values must agree to this relative tolerance; a difference below ABS_FLOOR times the data's
# magnitude (max(1, |mean|)) also agrees, so that a standard deviation that is zero on one side
# and a rounding residue on the other is not a mismatch.
REL_TOL = 1e-9
ABS_FLOOR = 1e-12


def log(message):
    print(f"pandas: {message}", file=sys.stderr, flush=True)


def sensor_windows(path, rate_hz, start):
    """Returns (samples, windows DataFrame indexed by window start) for one sensor file."""
    frame = pd.read_csv(path, sep="\t", header=None, engine="c", dtype=np.float64)
    n_cycles, width = frame.shape

    # One long Series in event-time order: rows are cycles, columns samples within a cycle.
    values = frame.to_numpy().ravel()
    step_us = 1_000_000 // rate_hz
    offsets = (np.arange(n_cycles, dtype=np.int64)[:, None] * CYCLE_US
               + np.arange(width, dtype=np.int64)[None, :] * step_us).ravel()
    index = start + pd.to_timedelta(offsets, unit="us")
    series = pd.Series(values, index=index)
    samples = int(series.count())

    panes = series.resample(PANE, origin="epoch").agg(["count", "sum", "min", "max", "var"])
    # Room for the windows that end after the last pane: up to five more panes.
    last = panes.index[-1] + (PANES_PER_WINDOW - 1) * pd.Timedelta(PANE)
    panes = panes.reindex(pd.date_range(panes.index[0], last, freq=PANE))
    panes["count"] = panes["count"].fillna(0).astype(np.float64)
    panes["sum"] = panes["sum"].fillna(0.0)
    pane_m2 = (panes["var"] * (panes["count"] - 1)).fillna(0.0)
    pane_mean = (panes["sum"] / panes["count"]).where(panes["count"] > 0, 0.0)

    # The row of pane p holds the window made of panes p-5 .. p, which starts five panes earlier.
    rolling = panes[["count", "sum", "min", "max"]].rolling(PANES_PER_WINDOW, min_periods=1)
    windows = pd.DataFrame({
        "count": rolling["count"].sum(),
        "sum": rolling["sum"].sum(),
        "min": rolling["min"].min(),
        "max": rolling["max"].max(),
    })
    windows["mean"] = windows["sum"] / windows["count"]

    # Chan et al.: M2 of a union = sum of the parts' M2 + sum of n_j (mean_j - mean)^2, the
    # second term taken around the window's own mean so nothing large cancels.
    pad = PANES_PER_WINDOW - 1
    n_view = np.lib.stride_tricks.sliding_window_view(
        np.concatenate([np.zeros(pad), panes["count"].to_numpy()]), PANES_PER_WINDOW)
    mean_view = np.lib.stride_tricks.sliding_window_view(
        np.concatenate([np.zeros(pad), pane_mean.to_numpy()]), PANES_PER_WINDOW)
    m2_view = np.lib.stride_tricks.sliding_window_view(
        np.concatenate([np.zeros(pad), pane_m2.to_numpy()]), PANES_PER_WINDOW)
    window_mean = windows["mean"].to_numpy()
    m2 = m2_view.sum(axis=1) + (n_view * (mean_view - window_mean[:, None]) ** 2).sum(axis=1)

    count = windows["count"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = np.where(count >= 2, m2 / (count - 1), np.nan)
    windows["stddev"] = np.sqrt(np.maximum(variance, 0.0))
    windows["range"] = windows["max"] - windows["min"]
    windows.index = windows.index - pad * pd.Timedelta(PANE)
    windows.index.name = "window_start"
    windows = windows[windows["count"] > 0].drop(columns="sum")
    windows["count"] = windows["count"].astype(np.int64)
    return samples, windows


def pick_column(columns, names, what, path):
    for name in names:
        if name in columns:
            return name
    raise SystemExit(f"pandas: {path}: no {what} column (looked for {', '.join(names)}; "
                     f"the file has {', '.join(columns)})")


def load_vigil_windows(path, sensor):
    """Vigil's windows of @sensor from a `vigil-cli export windows` CSV, indexed like ours."""
    table = pd.read_csv(path, keep_default_na=True, na_values=["", "nan", "NaN", "-nan"])
    columns = list(table.columns)
    sensor_col = next((c for c in ("sensor", "key", "sensor_name") if c in columns), None)
    if sensor_col is not None:
        table = table[table[sensor_col].astype(str) == sensor]
    start_col = pick_column(columns, ["window_start", "start", "start_time"], "window start", path)
    cols = {
        "count": pick_column(columns, ["sample_count", "count", "n"], "count", path),
        "mean": pick_column(columns, ["avg_value", "avg", "mean"], "mean", path),
        "min": pick_column(columns, ["min_value", "min"], "min", path),
        "max": pick_column(columns, ["max_value", "max"], "max", path),
        "stddev": pick_column(columns, ["stddev_value", "stddev", "std"], "stddev", path),
        "range": pick_column(columns, ["range_value", "range"], "range", path),
    }
    out = pd.DataFrame({k: pd.to_numeric(table[v], errors="coerce") for k, v in cols.items()})
    out.index = pd.to_datetime(table[start_col], utc=True)
    out.index.name = "window_start"
    return out.sort_index()


def check(sensor, ours, csv_path):
    """Prints and returns whether Vigil's exported windows equal ours."""
    theirs = load_vigil_windows(csv_path, sensor)
    problems = []
    if theirs.index.has_duplicates:
        problems.append(f"{int(theirs.index.duplicated().sum())} duplicate window starts in {csv_path}")
    only_ours = ours.index.difference(theirs.index)
    only_theirs = theirs.index.difference(ours.index)
    if len(only_ours):
        problems.append(f"{len(only_ours)} windows missing from Vigil's export (first {only_ours[0]})")
    if len(only_theirs):
        problems.append(f"{len(only_theirs)} windows only in Vigil's export (first {only_theirs[0]})")

    common = ours.index.intersection(theirs.index)
    a = ours.loc[common]
    b = theirs.loc[~theirs.index.duplicated()].loc[common]
    scale = np.maximum(1.0, np.abs(a["mean"].to_numpy()))
    for field in ("count", "mean", "min", "max", "stddev", "range"):
        x = a[field].to_numpy(dtype=np.float64)
        y = b[field].to_numpy(dtype=np.float64)
        both_nan = np.isnan(x) & np.isnan(y)
        diff = np.abs(x - y)
        ok = both_nan | (diff <= REL_TOL * np.maximum(np.abs(x), np.abs(y))) | (diff <= ABS_FLOOR * scale)
        if field == "count":
            ok = both_nan | (x == y)
        bad = np.flatnonzero(~ok)
        if len(bad):
            i = bad[0]
            problems.append(f"{field} differs in {len(bad)} windows (first at {common[i]}: "
                            f"vigil {y[i]!r}, pandas {x[i]!r})")

    if problems:
        print(f"check {sensor}: MISMATCH: " + "; ".join(problems))
        return False
    print(f"check {sensor}: OK ({len(common)} windows equal to {REL_TOL:g} relative)")
    return True


def main():
    parser = argparse.ArgumentParser(
        description="Vigil's hydraulic windows computed with pandas (the baseline of "
                    "bench/hydraulic-replay).")
    parser.add_argument("directory", help="a hydraulic rig directory in the UCI layout")
    parser.add_argument("--start", default=DEFAULT_START,
                        help=f"event time of the first sample (default {DEFAULT_START})")
    parser.add_argument("--sensors", default=",".join(SENSORS),
                        help="comma-separated sensors to process (default: all 17)")
    parser.add_argument("--check", action="append", default=[], metavar="SENSOR=CSV",
                        help="compare SENSOR's windows with Vigil's exported CSV (repeatable)")
    args = parser.parse_args()

    start = pd.Timestamp(args.start)
    start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
    if start.value % 1000:
        parser.error("--start must be a whole number of microseconds")

    sensors = [s.strip() for s in args.sensors.split(",") if s.strip()]
    for sensor in sensors:
        if sensor not in SENSORS:
            parser.error(f"unknown sensor {sensor!r} (known: {', '.join(SENSORS)})")
    checks = {}
    for item in args.check:
        sensor, sep, path = item.partition("=")
        if not sep or sensor not in SENSORS or not path:
            parser.error(f"--check wants SENSOR=CSV, got {item!r}")
        if sensor not in sensors:
            parser.error(f"--check {sensor}: that sensor is not among --sensors")
        checks[sensor] = path

    paths = {s: os.path.join(args.directory, f"{s}.txt") for s in sensors}
    missing = [p for p in paths.values() if not os.path.isfile(p)]
    if missing:
        raise SystemExit(f"pandas: missing sensor files: {', '.join(missing)}")

    total_samples = 0
    total_windows = 0
    kept = {}
    began = time.perf_counter()
    for sensor in sensors:
        t0 = time.perf_counter()
        samples, windows = sensor_windows(paths[sensor], SENSORS[sensor], start)
        total_samples += samples
        total_windows += len(windows)
        if sensor in checks:
            kept[sensor] = windows
        log(f"{sensor}: {samples} samples, {len(windows)} windows, "
            f"{time.perf_counter() - t0:.2f} s")
        del windows
    seconds = time.perf_counter() - began

    results = [check(sensor, kept[sensor], path) for sensor, path in checks.items()]
    ok = all(results)
    rate = total_samples / seconds if seconds > 0 else math.inf
    print(f"pandas: samples={total_samples} windows={total_windows} seconds={seconds:.3f} "
          f"samples_per_s={rate:.0f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
