#!/usr/bin/env python3
"""Keypoint accuracy of `formcheck pose` output against a rendered clip's ground truth.

  python3 scripts/keypoints.py TRUTH.json POSE.jsonl [--label NAME] [--json]

Scores the 12 body joints both pose models give (shoulders, elbows, wrists, hips, knees,
ankles) in the image, frame by frame, against the renderer's projected joints:
  - found:   fraction of frames where the model gave a person;
  - PCK@0.1, PCK@0.2: fraction of joints within 0.1 (0.2) torso lengths (true shoulder-to-hip
             midpoints) of the truth, over the frames with a person (a missing joint is a miss);
             the renderer's joints are the skeleton's pivots, which sit some centimetres from
             where pose models put a hip or shoulder, so both models carry that same bias;
  - median:  median error in torso lengths;
  - swapped: fraction of frames where a left/right pair fits the truth better swapped (knees or
             ankles), the error that confuses the working leg.
Standard library only.
"""

import argparse
import json
import math
import statistics
import sys

BODY12 = ["left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
          "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle"]
# BlazePose indices of the same joints (formcheck pose writes BlazePose's 33 slots).
BLAZE = {"left_shoulder": 11, "right_shoulder": 12, "left_elbow": 13, "right_elbow": 14, "left_wrist": 15,
         "right_wrist": 16, "left_hip": 23, "right_hip": 24, "left_knee": 25, "right_knee": 26,
         "left_ankle": 27, "right_ankle": 28}
MIN_VISIBILITY = 0.0  # a joint the model gives at all is scored where it put it


def load_pose(path):
    frames = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                frames[d["frame"]] = d.get("landmarks")
    return frames


def score(truth, pose):
    dist, hits, hits2, total, swaps, found, n = [], 0, 0, 0, 0, 0, 0
    for fr in truth["frames"]:
        img = fr["image"]
        n += 1
        lm = pose.get(fr["frame"])
        if not lm:
            continue
        found += 1
        mid = lambda a, b: ((img[a][0] + img[b][0]) / 2, (img[a][1] + img[b][1]) / 2)
        sh, hp = mid("left_shoulder", "right_shoulder"), mid("left_hip", "right_hip")
        torso = math.hypot(sh[0] - hp[0], sh[1] - hp[1])
        if torso < 1:
            continue

        def err(name, slot):
            p = lm[BLAZE[slot]]
            if p[3] <= MIN_VISIBILITY and p[0] == 0 and p[1] == 0:
                return None
            return math.hypot(p[0] - img[name][0], p[1] - img[name][1]) / torso

        for j in BODY12:
            total += 1
            e = err(j, j)
            if e is not None:
                dist.append(e)
                hits += e <= 0.1
                hits2 += e <= 0.2
        swapped = False
        for a, b in (("left_knee", "right_knee"), ("left_ankle", "right_ankle")):
            ea, eb, xa, xb = err(a, a), err(b, b), err(a, b), err(b, a)
            if None not in (ea, eb, xa, xb) and xa + xb < 0.5 * (ea + eb) and ea + eb > 0.2:
                swapped = True
        swaps += swapped
    return {
        "frames": n,
        "found": found / n if n else 0.0,
        "pck": hits / total if total else 0.0,
        "pck2": hits2 / total if total else 0.0,
        "median": statistics.median(dist) if dist else float("nan"),
        "swapped": swaps / found if found else 0.0,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("truth")
    ap.add_argument("pose")
    ap.add_argument("--label", default=None)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    s = score(json.load(open(a.truth)), load_pose(a.pose))
    s["label"] = a.label or a.pose
    if a.json:
        print(json.dumps(s))
    else:
        print(f"{s['label']}: found {s['found']:.3f}  PCK@0.1 {s['pck']:.3f}  PCK@0.2 {s['pck2']:.3f}  median {s['median']:.3f} torso  "
              f"knee/ankle pair swapped {s['swapped']:.3f}")


if __name__ == "__main__":
    sys.exit(main())
