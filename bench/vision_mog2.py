#!/usr/bin/python3
# bench/vision_mog2.py
#
# The OpenCV side of bench/vision, on Debian's python3-opencv, one thread
# (cv2.setNumThreads(1)).
#
#   vision_mog2.py time IN.raw WIDTH HEIGHT ROUNDS
#       the frames bench/vision-vigil prepared (grey, row by row), loaded before the clock;
#       per round a new createBackgroundSubtractorMOG2() (OpenCV's defaults) applied to every
#       frame; prints "round R frames_per_s X".
#   vision_mog2.py cdnet DIR
#       CDnet's F-measure of MOG2 on the sequence's grey frames (foreground = 255; MOG2 marks
#       shadows 127, which count as background), frames of temporalROI.txt, 85 and 170 not
#       scored: "cdnet precision P recall R f F".
#   vision_mog2.py coco GT.json FRAMES-DIR MASK.json SKIP
#       box precision and recall of MOG2 + the usual cleanup (3x3 opening then closing,
#       connected components of at least 64 pixels inside the road mask) at IoU >= 0.3 against
#       COCO boxes whose bottom-centre is inside the road; the first SKIP frames are learning
#       and not scored (as Vigil's evaluation does): "coco precision P recall R count_error E".
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import re
import sys
import time

import cv2
import numpy as np

cv2.setNumThreads(1)


def time_mog2(path, width, height, rounds):
    frames = np.fromfile(path, dtype=np.uint8).reshape(-1, height, width)
    frames = [np.ascontiguousarray(f) for f in frames]
    for r in range(rounds):
        mog2 = cv2.createBackgroundSubtractorMOG2()
        start = time.perf_counter()
        for f in frames:
            mog2.apply(f)
        seconds = time.perf_counter() - start
        print(f"round {r + 1} frames_per_s {len(frames) / seconds:.1f}", flush=True)


def gray(path):
    image = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise SystemExit(f"vision_mog2.py: cannot read {path}")
    return image


def cdnet(directory):
    first, last = map(int, open(os.path.join(directory, "temporalROI.txt")).read().split()[:2])
    mog2 = cv2.createBackgroundSubtractorMOG2()
    tp = fp = fn = 0
    for n in range(1, last + 1):
        fg = mog2.apply(gray(os.path.join(directory, "input", f"in{n:06d}.jpg"))) == 255
        if n < first:
            continue
        gt = gray(os.path.join(directory, "groundtruth", f"gt{n:06d}.png"))
        positive = gt == 255
        negative = (gt == 0) | (gt == 50)
        tp += int(np.sum(fg & positive))
        fp += int(np.sum(fg & negative))
        fn += int(np.sum(~fg & positive))
    p = tp / (tp + fp)
    r = tp / (tp + fn)
    print(f"cdnet precision {p:.4f} recall {r:.4f} f {2 * p * r / (p + r):.4f}")


def iou(a, b):
    ix = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    iy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if ix <= 0 or iy <= 0:
        return 0.0
    inter = ix * iy
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def on_road(box, road):
    x = int(np.floor(box[0] + box[2] / 2))
    y = int(np.ceil(box[1] + box[3])) - 1
    return 0 <= x < road.shape[1] and 0 <= y < road.shape[0] and road[y, x] != 0


def coco(gt_path, frames_dir, mask_path, skip):
    gt = json.load(open(gt_path))
    images = sorted(gt["images"], key=lambda i: int(re.search(r"\d+", i["file_name"]).group()))
    boxes = {i["id"]: [] for i in images}
    for a in gt["annotations"]:
        boxes[a["image_id"]].append(a["bbox"])
    first = gray(os.path.join(frames_dir, images[0]["file_name"]))
    road = np.zeros(first.shape, np.uint8)
    for shape in json.load(open(mask_path))["shapes"]:
        if shape["label"] == "road":
            cv2.fillPoly(road, [np.round(np.array(shape["points"])).astype(np.int32)], 255)
    mog2 = cv2.createBackgroundSubtractorMOG2()
    kernel = np.ones((3, 3), np.uint8)
    tp = fp = fn = 0
    count_error = 0.0
    scored = 0
    for k, image in enumerate(images):
        fg = (mog2.apply(gray(os.path.join(frames_dir, image["file_name"]))) == 255)
        fg = fg.astype(np.uint8) * 255
        fg = cv2.morphologyEx(fg, cv2.MORPH_OPEN, kernel)
        fg = cv2.morphologyEx(fg, cv2.MORPH_CLOSE, kernel) & road
        n, _, stats, _ = cv2.connectedComponentsWithStats(fg, connectivity=8)
        found = [tuple(map(float, stats[i][:4])) for i in range(1, n) if stats[i][4] >= 64]
        if k < skip:
            continue
        scored += 1
        truth = boxes[image["id"]]
        truth_in = [on_road(b, road) for b in truth]
        found_in = [on_road(d, road) for d in found]
        pairs = sorted(((iou(d, t), i, j) for i, d in enumerate(found)
                        for j, t in enumerate(truth) if truth_in[j]),
                       key=lambda p: (-p[0], p[1], p[2]))
        used_d, used_t = set(), set()
        for v, i, j in pairs:
            if v < 0.3 or i in used_d or j in used_t:
                continue
            used_d.add(i)
            used_t.add(j)
        tp += len(used_d)
        fn += sum(1 for j in range(len(truth)) if truth_in[j] and j not in used_t)
        for i, d in enumerate(found):
            if i in used_d or not found_in[i]:
                continue
            if not any(not truth_in[j] and iou(d, t) >= 0.3 for j, t in enumerate(truth)):
                fp += 1
        count_error += abs(sum(found_in) - sum(truth_in))
    print(f"coco precision {tp / max(tp + fp, 1):.4f} recall {tp / max(tp + fn, 1):.4f} "
          f"count_error {count_error / max(scored, 1):.3f}")


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "time":
        time_mog2(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif len(sys.argv) == 3 and sys.argv[1] == "cdnet":
        cdnet(sys.argv[2])
    elif len(sys.argv) == 6 and sys.argv[1] == "coco":
        coco(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        raise SystemExit(__doc__ if __doc__ else "see the header of bench/vision_mog2.py")


if __name__ == "__main__":
    main()
