#!/usr/bin/env bash
# Fidelity of `formcheck pose` to the reference (legacy MediaPipe Pose 0.10.14, full model), on the
# peer's real-footage inputs and stills, in video mode (tracking) and static mode; plus MediaPipe
# against itself on the same clip with ±1 grey level of noise, which shows how far video-mode
# tracking drifts from imperceptible input differences alone.
# Needs the peer: bash ../shared/tools/peer/setup.sh && bash ../shared/tools/peer/make_inputs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PEER="$(cd .. && pwd)/shared/tools/peer"; PY=/tmp/peer-venv/bin/python; IN=/tmp/peer-inputs
OUT="${FORMCHECK_FIDELITY_DIR:-/tmp/formcheck-fidelity}"; mkdir -p "$OUT"
[ -x "$PY" ] && [ -d "$IN" ] || { echo "fidelity.sh: set up the peer first (see the header)" >&2; exit 2; }
cargo build --release --locked -q
BIN=./target/release/formcheck
score() { python3 "$PEER/compare.py" "$1" "$2" | grep -E "^(detection|BODY12)" | sed 's/^/    /'; }
for f in messi5.jpg basketball1.png grass_720p.mp4 grass_1080p.mp4 scene_720p.mp4 vtest.avi; do
  for mode in video static; do
    flag=(); [ "$mode" = static ] && flag=(--static)
    "$PY" "$PEER/mp_pose.py" "$IN/$f" --out "$OUT/ref.jsonl" "${flag[@]}" >/dev/null 2>&1
    # --most-prominent: MediaPipe takes up the most prominent person after a loss; the product stays
    # with the person tracked first (see README, Speed)
    "$BIN" pose "$IN/$f" --jsonl "$OUT/ours.jsonl" --most-prominent "${flag[@]}" 2>/dev/null
    echo "$f ($mode mode): formcheck vs MediaPipe"; score "$OUT/ref.jsonl" "$OUT/ours.jsonl"
  done
done
ffmpeg -hide_banner -loglevel error -y -i "$IN/grass_720p.mp4" -c:v libx264 -crf 0 -preset ultrafast "$OUT/clean.mp4"
ffmpeg -hide_banner -loglevel error -y -i "$IN/grass_720p.mp4" -vf "noise=alls=1:allf=t" -c:v libx264 -crf 0 -preset ultrafast "$OUT/noisy.mp4"
"$PY" "$PEER/mp_pose.py" "$OUT/clean.mp4" --out "$OUT/mp_clean.jsonl" >/dev/null 2>&1
"$PY" "$PEER/mp_pose.py" "$OUT/noisy.mp4" --out "$OUT/mp_noisy.jsonl" >/dev/null 2>&1
echo "grass_720p: MediaPipe vs MediaPipe on the same frames with ±1 grey level of noise (video mode)"
score "$OUT/mp_clean.jsonl" "$OUT/mp_noisy.jsonl"
