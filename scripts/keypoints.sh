#!/usr/bin/env bash
# Keypoint accuracy of each pose model on rendered clips with ground truth (default: the shared
# samples), scored by scripts/keypoints.py: person found, PCK@0.1 and @0.2 of the torso length,
# median error, knee/ankle pairs swapped; one line per clip and model, then each model's means.
#
#   bash scripts/keypoints.sh [DIR] [MODEL...]      (models default: full lite movenet-thunder movenet-lightning)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${1:-../shared/samples}"; shift || true
MODELS=("$@"); [ ${#MODELS[@]} -gt 0 ] || MODELS=(full lite movenet-thunder movenet-lightning)
cargo build --release --locked -q
BIN=./target/release/formcheck
OUT="$(mktemp -d)"; trap 'rm -rf "$OUT"' EXIT
for truth in "$DIR"/*.json; do
  name="$(basename "$truth" .json)"
  [ -f "$DIR/$name.mp4" ] || continue
  for m in "${MODELS[@]}"; do
    "$BIN" pose "$DIR/$name.mp4" --jsonl "$OUT/$name.$m.jsonl" --model "$m" 2>/dev/null
    python3 scripts/keypoints.py "$truth" "$OUT/$name.$m.jsonl" --label "$name $m" --json | tee -a "$OUT/all.jsonl" >/dev/null
  done
done
python3 - "$OUT/all.jsonl" <<'PY'
import json, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1])]
by = collections.defaultdict(list)
for r in rows:
    name, model = r["label"].rsplit(" ", 1)
    by[model].append(r)
    print(f"{name:28s} {model:18s} found {r['found']:.3f}  PCK@0.1 {r['pck']:.3f}  PCK@0.2 {r['pck2']:.3f}  "
          f"median {r['median']:.3f}  swapped {r['swapped']:.3f}")
print()
print("| model | clips | person found | PCK@0.1 | PCK@0.2 | median error (torso) | knee/ankle swapped |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for model, rs in by.items():
    mean = lambda k: sum(r[k] for r in rs) / len(rs)
    print(f"| {model} | {len(rs)} | {mean('found'):.3f} | {mean('pck'):.3f} | {mean('pck2'):.3f} | "
          f"{mean('median'):.3f} | {mean('swapped'):.3f} |")
PY
