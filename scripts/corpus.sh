#!/usr/bin/env bash
# Grows the rendered evaluation corpus (a development tool: the product's set-up and CI never need it).
#
#   bash scripts/corpus.sh render SEED...     render clips of these seeds (design: scripts/corpus/design.py)
#   bash scripts/corpus.sh ingest [NAME...]   pose every rendered clip not yet in corpus/ and add it
#   bash scripts/corpus.sh grow FROM TO       render then ingest seeds FROM..TO, one clip at a time
#   bash scripts/corpus.sh shared             pose the clips under ../shared/samples and ../shared/renders
#   bash scripts/corpus.sh calibrate          refit the spec's calibration on the calibration part (BlazePose's, and
#                                             the image-only one on the MoveNet landmarks, both models pooled), rewrite
#                                             corpus/pose-error.md, corpus/calibration.md and the synthetic
#                                             bench's noise fit corpus/synth-noise.json
#   bash scripts/corpus.sh pose-model NAME    pose every clip whose video is at hand with another pose model
#                                             (movenet-thunder, movenet-lightning) into corpus/ beside its own
#   bash scripts/corpus.sh requantize         rewrite the landmark files at the precision ingest keeps now
#   bash scripts/corpus.sh figures            print the figures of both parts (calibration first, then validation),
#                                             then the synthetic bench at the fitted noise beside validation
#   bash scripts/corpus.sh crossval [--set NAME=VALUE...]   cross-validated figures of the calibration part
#                                             (refitted without each fold in turn; how decision settings are chosen)
#
# Installs Blender 3.4, numpy and Xvfb from Debian when missing. Renders go to
# ${FORMCHECK_RENDERS:-$HOME/.cache/formcheck/renders} (videos are not committed); what the rule engine needs
# (landmarks from `formcheck pose`, trimmed ground truth, a manifest line) goes to corpus/. Rendering keeps both
# cores busy for ~2-3 min a clip, so it runs at the lowest CPU priority.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RENDER="${FORMCHECK_RENDER_TOOL:-$ROOT/../shared/tools/render}"
WORK="${FORMCHECK_RENDERS:-$HOME/.cache/formcheck/renders}"
BIN="$ROOT/target/release/formcheck"

# shellcheck source=scripts/debian.sh
. "$ROOT/scripts/debian.sh"

need_blender() {
  install_debian_packages corpus blender python3-numpy xvfb xauth ffmpeg
  [ -f "$RENDER/render_clip.py" ] || { echo "corpus: renderer not found at $RENDER" >&2; exit 1; }
}

render_one() {  # render_one PARAMS.json
  local p="$1" log
  log="$WORK/.$(basename "$p" .json).log"
  nice -n 19 xvfb-run -a -s "-screen 0 1280x1280x24" blender -b --factory-startup \
    --python "$RENDER/render_clip.py" -- "$p" "$WORK" > "$log" 2>&1 || { tail -20 "$log" >&2; return 1; }
  grep '^DONE' "$log" || true
}

render() {
  need_blender
  mkdir -p "$WORK/params"
  for seed in "$@"; do
    local names
    mapfile -t names < <(python3 "$ROOT/scripts/corpus/design.py" "$seed" --out "$WORK/params")
    for n in "${names[@]}"; do
      [ -s "$WORK/$n.mp4" ] || [ -s "$WORK/${n%_[ab]}.mp4" ] || render_one "$WORK/params/$n.json"
    done
    # a side switch is rendered as two halves and joined into one clip
    if [ ${#names[@]} -eq 2 ] && [ -s "$WORK/${names[0]}.mp4" ] && [ -s "$WORK/${names[1]}.mp4" ]; then
      python3 "$RENDER/join_pair.py" "$WORK" "${names[0]%_a}"
    fi
  done
}

ingest() {
  [ -x "$BIN" ] || (cd "$ROOT" && cargo build --release --quiet)
  python3 "$ROOT/scripts/corpus/ingest.py" --bin "$BIN" --renders "$WORK" --corpus "$ROOT/corpus" "$@"
}

case "${1:-}" in
  render) shift; render "$@" ;;
  ingest) shift; ingest "$@" ;;
  grow)
    shift; from="$1"; to="$2"
    for ((s = from; s <= to; s++)); do render "$s"; ingest; done ;;
  shared)
    [ -x "$BIN" ] || (cd "$ROOT" && cargo build --release --quiet)
    python3 "$ROOT/scripts/corpus/ingest.py" --bin "$BIN" --corpus "$ROOT/corpus" --shared "$ROOT/../shared" ;;
  calibrate)
    (cd "$ROOT" && cargo build --release --quiet)
    tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
    "$BIN" eval --corpus "$ROOT/corpus" --split calibration --readings "$tmp/readings.csv" \
      --pose-error "$ROOT/corpus/pose-error.md" > /dev/null
    python3 "$ROOT/scripts/corpus/joint_error.py" "$ROOT/corpus/manifest.jsonl" "$ROOT/corpus/pose-error.md" --split calibration
    python3 "$ROOT/scripts/corpus/calibrate.py" "$tmp/readings.csv" "$ROOT/exercises/cable-medius-kickback.toml" \
      --table "$ROOT/corpus/calibration.md" --also "$ROOT/exercises/cable-glute-kickback.toml"
    # a pose model without 3D reads reps its own way: its calibration, on both MoveNets' readings
    : > "$tmp/keypoints.csv"
    for m in movenet-thunder movenet-lightning; do
      "$BIN" eval --corpus "$ROOT/corpus" --split calibration --pose-model "$m" --readings "$tmp/$m.csv" > /dev/null
      if [ -s "$tmp/keypoints.csv" ]; then tail -n +2 "$tmp/$m.csv" >> "$tmp/keypoints.csv"; else cat "$tmp/$m.csv" > "$tmp/keypoints.csv"; fi
    done
    python3 "$ROOT/scripts/corpus/calibrate.py" "$tmp/keypoints.csv" "$ROOT/exercises/cable-medius-kickback.toml" \
      --landmarks keypoints --table "$ROOT/corpus/calibration-keypoints.md" --also "$ROOT/exercises/cable-glute-kickback.toml"
    # the spec is embedded in the binary: rebuild so the new calibration is the one evaluated
    (cd "$ROOT" && cargo build --release --quiet)
    # the synthetic bench's noise per view, fitted to the same part's pose error (about 2 min)
    "$BIN" eval --corpus "$ROOT/corpus" --split calibration --fit-synthetic "$ROOT/corpus/synth-noise.json" | grep '^synthetic' ;;
  requantize)
    python3 "$ROOT/scripts/corpus/requantize.py" "$ROOT/corpus" ;;
  pose-model)
    [ -n "${2:-}" ] || { echo "corpus: pose-model NAME (movenet-thunder, movenet-lightning)" >&2; exit 2; }
    (cd "$ROOT" && cargo build --release --quiet)
    python3 "$ROOT/scripts/corpus/pose_model.py" "$BIN" "$ROOT/corpus" "$WORK" "$2" ;;
  crossval)
    shift
    (cd "$ROOT" && cargo build --release --quiet)
    python3 "$ROOT/scripts/corpus/crossval.py" --bin "$BIN" --corpus "$ROOT/corpus" "$@" ;;
  figures)
    [ -x "$BIN" ] || (cd "$ROOT" && cargo build --release --quiet)
    for split in calibration validation; do "$BIN" eval --corpus "$ROOT/corpus" --split "$split"; echo; done
    for m in movenet-thunder movenet-lightning; do
      echo "== $m (the clips posed with it)"; "$BIN" eval --corpus "$ROOT/corpus" --pose-model "$m" | grep '^corpus/'; echo
    done
    # the synthetic bench at the fitted noise, beside the part it was never fitted on
    "$BIN" eval --corpus "$ROOT/corpus" --split validation --synthetic 50000..50400 | sed -n '/^synthetic bench/,$p' ;;
  *) sed -n '2,21p' "$0"; exit 2 ;;
esac
