#!/usr/bin/env bash
# Speed figures, all measured in one run on this machine (the numbers in the README came from here):
#   1. `formcheck bench` on a 1080p H.264 clip: decode-only, pose and analyze fps, analyze/decode ratio, peak memory
#   2. `formcheck pose` (every model) vs the MediaPipe reference (mp_pose.py) on the same clip, when the
#      peer venv exists
#   2b. the floor for the full model: decode-only fps on one core and the per-frame pose work on one
#      ONNX Runtime thread (tracking path: crop + landmark model), pipelined over the two cores, and
#      the whole-process fps measured in section 2 as a fraction of it
#   3. live: p50/p95 capture-to-verdict latency on a 30 fps file played in real time
#   4. batch: wall time of 1 vs 2 workers on four 1080p clips
#   5. per-stage criterion benches (detector, landmark model, whole frame)
#   6. live memory: RSS over an hour of looped landmarks through the live coach (about 5 min)
# Usage: bash scripts/bench.sh [--no-criterion]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-browser >/dev/null
cargo build --release --locked -q
BIN=./target/release/formcheck
WORK="${FORMCHECK_BENCH_DIR:-/tmp/formcheck-bench}"
mkdir -p "$WORK"

CLIP="$WORK/kickback_1080p.mp4"   # the bundled sample upscaled to 1080x1920, H.264, 30 fps
[ -s "$CLIP" ] || ffmpeg -hide_banner -loglevel error -y -i samples/01_clean_side.mp4 \
  -vf scale=1080:1920:flags=lanczos -c:v libx264 -preset medium -crf 20 -pix_fmt yuv420p "$CLIP"
CLIPS=("$CLIP")
PEER_CLIP=/tmp/peer-inputs/grass_1080p.mp4   # real footage, from the peer's make_inputs.sh
[ -s "$PEER_CLIP" ] && CLIPS+=("$PEER_CLIP")

echo "== 1. end to end (formcheck bench), BlazePose full, then MoveNet Thunder and Lightning"
for c in "${CLIPS[@]}"; do
  for m in full movenet-thunder movenet-lightning; do echo "  --model $m"; "$BIN" bench "$c" --model "$m"; done
done

declare -A OURS_FPS   # formcheck pose's whole-process fps per clip, for the floor in 2b
echo "== 2. formcheck pose vs MediaPipe reference (same clip, same machine, one after the other)"
PEER_PY=/tmp/peer-venv/bin/python
PEER_DIR="$(cd .. && pwd)/shared/tools/peer"
for c in "${CLIPS[@]}"; do
  t0=$(date +%s.%N); "$BIN" pose "$c" --jsonl "$WORK/ours.jsonl" 2>"$WORK/ours.log"; t1=$(date +%s.%N)
  frames=$(wc -l < "$WORK/ours.jsonl")
  ours=$(python3 -c "print(f'{$frames/($t1-$t0):.1f}')")
  echo "  $(basename "$c"): formcheck pose $ours fps over $frames frames (whole process: model load, decode, inference, JSONL)"
  OURS_FPS["$c"]=$ours
  if [ -x "$PEER_PY" ] && [ -f "$PEER_DIR/mp_pose.py" ]; then
    # Both whole processes, as for formcheck (start-up, model load, decode, inference, output);
    # mp_pose.py's own loop timing (decode + inference only) is printed beside it.
    t0=$(date +%s.%N); line=$("$PEER_PY" "$PEER_DIR/mp_pose.py" "$c" --out "$WORK/ref.jsonl" 2>/dev/null | grep '^summary'); t1=$(date +%s.%N)
    loop=$(sed -E 's/.* fps=([0-9.]+).*/\1/' <<<"$line")
    ref=$(python3 -c "print(f'{$frames/($t1-$t0):.1f}')")
    echo "  $(basename "$c"): mp_pose.py $ref fps whole process ($loop fps in its own loop)  ->  ratio $(python3 -c "print(f'{$ours/$ref:.2f}')")x"
    python3 "$PEER_DIR/compare.py" "$WORK/ref.jsonl" "$WORK/ours.jsonl" | grep -E "^(detection|BODY12)" | sed 's/^/    /'
    for m in lite movenet-thunder movenet-lightning; do
      t0=$(date +%s.%N); "$BIN" pose "$c" --model "$m" --jsonl "$WORK/ours_$m.jsonl" 2>/dev/null; t1=$(date +%s.%N)
      fps=$(python3 -c "print(f'{$frames/($t1-$t0):.1f}')")
      echo "  $(basename "$c"): formcheck pose --model $m $fps fps  ->  $(python3 -c "print(f'{$fps/$ref:.2f}')")x MediaPipe full"
    done
  else
    echo "  (no reference: run ../shared/tools/peer/setup.sh to compare)"
  fi
done

echo "== 2b. the floor on two cores (decode on one, pose on the other), BlazePose full"
# The per-frame pose work is measured on the first frame of grass_1080p (else the sample scaled to
# 1080p), so the floor is given for the clips of that size.
pose_ms=$(FORMCHECK_BENCH_THREADS=1 cargo bench --locked -q -p formcheck-vision --bench pose -- \
  pose_1080p/frame_tracking_path --warm-up-time 1 --measurement-time 4 2>/dev/null |
  sed -nE 's/.*time: +\[[^ ]+ [^ ]+ ([0-9.]+) (ms|µs) .*/\1 \2/p' | head -1)
pose_ms=$(python3 -c "v, u = '$pose_ms'.split(); print(float(v) / (1000 if u == 'µs' else 1))")
echo "  pose work per frame, 1 thread, tracking path: $pose_ms ms"
# Any process linked against Debian's OpenCV first spends this long in the dynamic loader (256
# shared libraries): the median of five `formcheck --version`.
loader_s=$(for i in 1 2 3 4 5; do t0=$(date +%s.%N); "$BIN" --version >/dev/null; t1=$(date +%s.%N); python3 -c "print($t1 - $t0)"; done | sort -n | sed -n 3p)
echo "  start-up in the dynamic loader: $(python3 -c "print(f'{$loader_s:.3f}')") s"
for c in "${CLIPS[@]}"; do
  dec=$(taskset -c 0 "$BIN" bench "$c" --json 2>/dev/null | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['decode_fps'], d['frames'])")
  read -r dec frames <<<"$dec"
  python3 -c "
ours = ${OURS_FPS[$c]}
floor = min($dec, 1000 / $pose_ms)
whole = $frames / ($loader_s + $frames / floor)
print(f'  $(basename "$c"): decode on one core {$dec:.1f} fps, pose on one thread {1000 / $pose_ms:.1f} fps -> floor {floor:.1f} fps '
      f'({whole:.1f} fps with the loader\'s start-up); formcheck pose {ours:.1f} fps = {100 * ours / floor:.0f} % of the floor, '
      f'{100 * ours / whole:.0f} % with start-up')"
done

echo "== 3. live latency (30 fps file at real-time pace, headless, cues spoken)"
SPEAK=(); command -v espeak-ng >/dev/null && SPEAK=(--speak)
"$BIN" live samples/01_clean_side.mp4 --realtime --headless "${SPEAK[@]}" --json "$WORK/live.json" >/dev/null 2>"$WORK/live.log"
python3 -c "
import json; s=json.load(open('$WORK/live.json'))
print(f\"  latency p50 {s['latency_ms']['p50']:.1f} ms, p95 {s['latency_ms']['p95']:.1f} ms, max {s['latency_ms']['max']:.1f} ms; processed {s['processed_frames']}, dropped {s['dropped_frames']}\")"

echo "== 4. batch throughput, four 1080p clips"
rm -rf "$WORK/batch-in" && mkdir -p "$WORK/batch-in"
for i in 1 2 3 4; do cp "$CLIP" "$WORK/batch-in/client$i.mp4"; done
for jobs in 1 2; do
  rm -rf "$WORK/batch-out-$jobs"
  t0=$(date +%s.%N); "$BIN" batch "$WORK/batch-in" --out "$WORK/batch-out-$jobs" --jobs "$jobs" -q 2>/dev/null; t1=$(date +%s.%N)
  python3 -c "print(f'  --jobs $jobs: {$t1-$t0:.1f} s for 4 videos, {4*268/($t1-$t0):.1f} frames/s')"
done

if [ "${1:-}" != "--no-criterion" ]; then
  echo "== 5. per stage (criterion)"
  cargo bench -p formcheck-vision --bench pose 2>/dev/null | grep -E "^pose_1080p|time:" | sed 's/^/  /'
fi

echo "== 6. live memory over an hour of 30 fps source time"
cargo bench --locked -q --bench live_memory 2>/dev/null | sed 's/^/  /'
