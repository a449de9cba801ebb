#!/usr/bin/env bash
# The main job on the bundled sample: installs what is missing, builds, analyses
# samples/01_clean_side.mp4 and writes the report and the annotated video to out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-browser
cargo build --release --locked
mkdir -p out
./target/release/formcheck analyze samples/01_clean_side.mp4 \
  --json out/01_clean_side.report.json --annotate out/01_clean_side.annotated.mp4 "$@"
echo "demo: wrote out/01_clean_side.report.json and out/01_clean_side.annotated.mp4"
