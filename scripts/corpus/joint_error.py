"""Appends to the pose-error table the per-view image error of the pose model itself, from the corpus
manifest (measured at ingest against the full per-frame ground truth):
    python3 joint_error.py corpus/manifest.jsonl corpus/pose-error.md [--split calibration]"""
import json
import statistics as st
import sys
from collections import defaultdict

manifest, out = sys.argv[1], sys.argv[2]
split = sys.argv[sys.argv.index("--split") + 1] if "--split" in sys.argv else None
rows = [json.loads(line) for line in open(manifest) if line.strip()]
groups = defaultdict(list)
for r in rows:
    if split is None or r["split"] == split:
        groups[r["views"][0]].append(r["pose_error"])
lines = ["", f"## The pose model's own error per camera view ({split or 'all'} clips)", "",
         "Median over clips of each clip's median 2D error (torso lengths); swap = frames whose legs came out",
         "left/right crossed; missing = frames without a person; hidden = ankle below visibility 0.5.", "",
         "| view | clips | shoulder | hip | knee | ankle | leg swaps | person missing | ankle hidden |",
         "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
for v, pes in sorted(groups.items()):
    med = lambda j: st.median(p["median_err_torso"][j] for p in pes if p["median_err_torso"][j] is not None)
    mean = lambda f: 100 * st.mean(f(p) for p in pes)
    lines.append(f"| {v} | {len(pes)} | {med('shoulder'):.3f} | {med('hip'):.3f} | {med('knee'):.3f} | {med('ankle'):.3f} | "
                 f"{mean(lambda p: p['leg_swap_rate']):.1f} % | {mean(lambda p: p['person_missing_rate']):.1f} % | "
                 f"{mean(lambda p: p['joint_hidden_rate']['ankle']):.1f} % |")
with open(out, "a") as f:
    f.write("\n".join(lines) + "\n")
