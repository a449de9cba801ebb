#!/usr/bin/env bash
# Fidelity of `formcheck pose` to the reference (legacy MediaPipe Pose 0.10.14, full model), on the
# peer's real-footage inputs and stills, in video mode (tracking) and static mode; plus MediaPipe
# against itself on the same clip with ±1 grey level of noise, which shows how far video-mode
# tracking drifts from imperceptible input differences alone.
# Needs the peer: bash ../shared/tools/peer/setup.sh && bash ../shared/tools/peer/make_inputs.sh
#
#   bash scripts/fidelity.sh                 the full model against MediaPipe's full pipeline
#   bash scripts/fidelity.sh --model lite    `--model lite` against MediaPipe's own lite pipeline
#                                            (model_complexity=0; its landmark model is put into the
#                                            peer venv from the npm package, sha256-checked)
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=full
[ "${1:-}" = "--model" ] && MODEL="${2:?--model lite|full}"
case "$MODEL" in full|lite) ;; *) echo "fidelity.sh: --model lite|full" >&2; exit 2 ;; esac
PEER="$(cd .. && pwd)/shared/tools/peer"; PY=/tmp/peer-venv/bin/python; IN=/tmp/peer-inputs
OUT="${FORMCHECK_FIDELITY_DIR:-/tmp/formcheck-fidelity}"; mkdir -p "$OUT"
[ -x "$PY" ] && [ -d "$IN" ] || { echo "fidelity.sh: set up the peer first (see the header)" >&2; exit 2; }
cargo build --release --locked -q
BIN=./target/release/formcheck
REF=("$PY" "$PEER/mp_pose.py")
if [ "$MODEL" = lite ]; then
  modules="$("$PY" -c 'import mediapipe, os; print(os.path.join(os.path.dirname(mediapipe.__file__), "modules", "pose_landmark"))')"
  if [ ! -s "$modules/pose_landmark_lite.tflite" ]; then
    spec="$(sed -n 's/^NPM_SPEC="\(.*\)"$/\1/p' models/convert.sh)"
    want="$(sed -n 's/^ *"pose_landmark_lite": "\([0-9a-f]*\)",$/\1/p' models/convert.py)"
    tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent "$spec" >/dev/null && tar -xzf ./*.tgz package/pose_landmark_lite.tflite)
    got="$(sha256sum "$tmp/package/pose_landmark_lite.tflite" | cut -d' ' -f1)"
    [ -n "$want" ] && [ "$got" = "$want" ] || { echo "fidelity.sh: pose_landmark_lite.tflite sha256 $got, pinned $want" >&2; exit 1; }
    cp "$tmp/package/pose_landmark_lite.tflite" "$modules/"
  fi
  REF=(env PEER_SCRIPT="$PEER/mp_pose.py" "$PY" scripts/peer/mp_pose_lite.py)
fi
score() { python3 "$PEER/compare.py" "$1" "$2" | grep -E "^(detection|BODY12)" | sed 's/^/    /'; }
for f in messi5.jpg basketball1.png grass_720p.mp4 grass_1080p.mp4 scene_720p.mp4 vtest.avi; do
  for mode in video static; do
    flag=(); [ "$mode" = static ] && flag=(--static)
    "${REF[@]}" "$IN/$f" --out "$OUT/ref.jsonl" "${flag[@]}" >/dev/null 2>&1
    # --most-prominent: MediaPipe takes up the most prominent person after a loss; the product stays
    # with the person tracked first (see README, Speed)
    "$BIN" pose "$IN/$f" --jsonl "$OUT/ours.jsonl" --model "$MODEL" --most-prominent "${flag[@]}" 2>/dev/null
    echo "$f ($mode mode): formcheck --model $MODEL vs MediaPipe ($MODEL)"; score "$OUT/ref.jsonl" "$OUT/ours.jsonl"
  done
done
ffmpeg -hide_banner -loglevel error -y -i "$IN/grass_720p.mp4" -c:v libx264 -crf 0 -preset ultrafast "$OUT/clean.mp4"
ffmpeg -hide_banner -loglevel error -y -i "$IN/grass_720p.mp4" -vf "noise=alls=1:allf=t" -c:v libx264 -crf 0 -preset ultrafast "$OUT/noisy.mp4"
"${REF[@]}" "$OUT/clean.mp4" --out "$OUT/mp_clean.jsonl" >/dev/null 2>&1
"${REF[@]}" "$OUT/noisy.mp4" --out "$OUT/mp_noisy.jsonl" >/dev/null 2>&1
echo "grass_720p: MediaPipe vs MediaPipe on the same frames with ±1 grey level of noise (video mode)"
score "$OUT/mp_clean.jsonl" "$OUT/mp_noisy.jsonl"
