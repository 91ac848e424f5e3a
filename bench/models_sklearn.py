#!/usr/bin/python3
# bench/models_sklearn.py
#
# The scikit-learn side of bench/models: RandomForestClassifier with 20 and with 100 trees,
# trained on exactly the rows, values and splits that Vigil used, read from the CSV that
# bench/models-vigil wrote (features, labels, one is_test_<target>_<split seed> column per
# target and split). Two feature sets, as on Vigil's side: "basic" (<SENSOR>_mean and
# <SENSOR>_std) and "full".
#
# On each of --splits K splits (seeds S to S + K - 1, S: --seed) every model is trained
# --model-seeds M times, with random_state S to S + M - 1. One line per split, feature set,
# target, model and model seed on stdout:
#   sklearn: split=K features=F target=T model=M model_seed=S accuracy=A macro_f1=F1 seconds=S ...
# where seconds is the wall time of fit() alone.
#
# Checks, printed as "check ...: OK" or "check ...: MISMATCH ..." (exit 1 on a mismatch):
#   --data DIR            the CSV's features equal the same features computed here with numpy
#                         from the rig's text files, and each split holds round(25 %) of every
#                         class of its target;
#   --check-vigil P O     Vigil's accuracy and macro F1 (its stdout O) equal scikit-learn's
#                         metrics computed on Vigil's own test predictions P.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import math
import os
import re
import sys
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score

TARGETS = ["cooler", "valve", "pump", "accumulator", "stable"]
MODELS = [("rf20", 20), ("rf100", 100)]
FEATURE_SETS = ["basic", "full"]
TEST_FRACTION = 0.25
CYCLE_SECONDS = 60
ENERGY_SECONDS = 5
# The CSV holds float32 values; numpy computes in float64.
REL_TOL = 1e-6
ABS_TOL = 1e-6


def in_feature_set(feature_set, name):
    return feature_set == "full" or name.endswith("_mean") or name.endswith("_std")


def sensor_features(values):
    """The dataset features of vigil-features.h, per row of @values (cycles x samples)."""
    n = values.shape[1]
    rate = n / CYCLE_SECONDS
    t = np.arange(n) / rate
    tc = t - t.mean()
    slope = ((values - values.mean(axis=1, keepdims=True)) * tc).sum(axis=1) / (tc ** 2).sum()
    k = int(round(ENERGY_SECONDS * rate))
    q25, q50, q75 = np.quantile(values, [0.25, 0.5, 0.75], axis=1)
    return {
        "mean": values.mean(axis=1),
        "std": values.std(axis=1),
        "min": values.min(axis=1),
        "max": values.max(axis=1),
        "slope": slope,
        "q25": q25,
        "q50": q50,
        "q75": q75,
        "first_energy": (values[:, :k] ** 2).mean(axis=1),
        "last_energy": (values[:, -k:] ** 2).mean(axis=1),
    }


def check_features(table, feature_names, data_dir):
    problems = []
    checked = 0
    sensors = sorted({name.split("_", 1)[0] for name in feature_names})
    for sensor in sensors:
        path = os.path.join(data_dir, f"{sensor}.txt")
        raw = pd.read_csv(path, sep="\t", header=None, dtype=np.float64).to_numpy()
        raw = raw[table["cycle"].to_numpy() - 1]
        ours = sensor_features(raw)
        for name in feature_names:
            s, _, feature = name.partition("_")
            if s != sensor:
                continue
            x = table[name].to_numpy(dtype=np.float64)
            y = ours[feature]
            bad = np.flatnonzero(np.abs(x - y) > REL_TOL * np.abs(y) + ABS_TOL)
            checked += len(x)
            if len(bad):
                i = bad[0]
                problems.append(f"{name} differs in {len(bad)} cycles (first cycle "
                                f"{table['cycle'].iloc[i]}: Vigil {x[i]!r}, numpy {y[i]!r})")
    if problems:
        print("check features: MISMATCH: " + "; ".join(problems))
        return False
    print(f"check features: OK ({len(feature_names)} features x {len(table)} cycles = {checked} "
          f"values equal to numpy's from the text files, {REL_TOL:g} relative)")
    return True


def check_splits(table, splits):
    problems = []
    for split in splits:
        for target in TARGETS:
            for value, group in table.groupby(target):
                n_test = int(group[f"is_test_{target}_{split}"].sum())
                want = math.floor(TEST_FRACTION * len(group) + 0.5)
                if n_test != want:
                    problems.append(f"split {split} {target}={value}: {n_test} of {len(group)} "
                                    f"in the test set, not {want}")
    if problems:
        print("check splits: MISMATCH: " + "; ".join(problems))
        return False
    print(f"check splits: OK (every class of every target {TEST_FRACTION:.0%} test, rounded, "
          f"in each of the {len(splits)} splits)")
    return True


def check_vigil(predictions_path, output_path):
    """Vigil's printed metrics against scikit-learn's on Vigil's predictions."""
    predictions = pd.read_csv(predictions_path)
    keys = ["split", "features", "target", "model", "model_seed"]
    printed = {}
    with open(output_path) as f:
        for line in f:
            fields = dict(re.findall(r"(\w+)=(\S+)", line))
            if line.startswith("vigil:"):
                printed[tuple(fields[k] for k in keys)] = fields
    problems = []
    for key in ("split", "model_seed"):
        predictions[key] = predictions[key].astype(str)
    for key, group in predictions.groupby(keys):
        if key not in printed:
            problems.append(f"{'/'.join(key)}: predictions but no metrics")
            continue
        accuracy = accuracy_score(group["truth"], group["predicted"])
        macro_f1 = f1_score(group["truth"], group["predicted"], average="macro")
        for name, ours in (("accuracy", accuracy), ("macro_f1", macro_f1)):
            if f"{ours:.6f}" != printed[key][name]:
                problems.append(f"{'/'.join(key)} {name}: Vigil {printed[key][name]}, "
                                f"scikit-learn {ours:.6f}")
    if len(printed) != predictions.groupby(keys).ngroups:
        problems.append(f"{len(printed)} models printed, predictions of "
                        f"{predictions.groupby(keys).ngroups}")
    if problems:
        print("check vigil-metrics: MISMATCH: " + "; ".join(problems))
        return False
    print(f"check vigil-metrics: OK ({len(printed)} models: Vigil's accuracy and macro F1 equal "
          f"scikit-learn's on Vigil's predictions)")
    return True


def fit_one(x_set, y, test, split, feature_set, target, model_name, n_trees, model_seed, jobs,
            n_features):
    forest = RandomForestClassifier(n_estimators=n_trees, random_state=model_seed, n_jobs=jobs)
    began = time.perf_counter()
    forest.fit(x_set[~test], y[~test])
    seconds = time.perf_counter() - began
    predicted = forest.predict(x_set[test])
    accuracy = accuracy_score(y[test], predicted)
    macro_f1 = f1_score(y[test], predicted, average="macro")
    print(f"sklearn: split={split} features={feature_set} target={target} model={model_name} "
          f"model_seed={model_seed} accuracy={accuracy:.6f} macro_f1={macro_f1:.6f} "
          f"seconds={seconds:.4f} n_features={n_features} n_train={int((~test).sum())} "
          f"n_test={int(test.sum())}", flush=True)


def main():
    parser = argparse.ArgumentParser(
        description="scikit-learn's random forests on the features and split Vigil wrote "
                    "(the baseline of bench/models).")
    parser.add_argument("csv", help="the table bench/models-vigil --csv wrote")
    parser.add_argument("--seed", type=int, default=1, help="first random_state (default 1)")
    parser.add_argument("--model-seeds", type=int, default=1,
                        help="train every model with random_state S to S + M - 1 (default 1)")
    parser.add_argument("--splits", type=int, default=1,
                        help="the splits with seeds S to S + K - 1 (default 1)")
    parser.add_argument("--jobs", type=int, default=2, help="n_jobs (default 2)")
    parser.add_argument("--data", help="check the features against this rig folder")
    parser.add_argument("--check-vigil", nargs=2, metavar=("PREDICTIONS", "OUTPUT"),
                        help="check Vigil's metrics against its predictions")
    args = parser.parse_args()

    table = pd.read_csv(args.csv)
    splits = list(range(args.seed, args.seed + args.splits))
    feature_names = [c for c in table.columns
                     if c != "cycle" and c not in TARGETS and not c.startswith("is_test_")]
    # The CSV's nine significant digits give back Vigil's float32 values exactly.
    x_all = table[feature_names].to_numpy(dtype=np.float32)

    for split in splits:
        for feature_set in FEATURE_SETS:
            columns = [i for i, name in enumerate(feature_names)
                       if in_feature_set(feature_set, name)]
            x_set = x_all[:, columns]
            for target in TARGETS:
                y = table[target].to_numpy()
                test = table[f"is_test_{target}_{split}"].to_numpy() == 1
                for model_seed in range(args.seed, args.seed + args.model_seeds):
                    for model_name, n_trees in MODELS:
                        fit_one(x_set, y, test, split, feature_set, target, model_name, n_trees,
                                model_seed, args.jobs, len(columns))

    ok = True
    if args.data is not None:
        ok = check_features(table, feature_names, args.data) and ok
        ok = check_splits(table, splits) and ok
    if args.check_vigil is not None:
        ok = check_vigil(*args.check_vigil) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
