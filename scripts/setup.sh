#!/usr/bin/env bash
# Installs what formcheck needs on a Debian 12 machine, idempotently; each step is skipped when done.
#   - Debian packages: OpenCV 4.6 dev files (+ clang/libclang for the `opencv` crate's binding
#     generator), ffmpeg (test clips and stream tests), opencv-doc (its vtest.avi: real footage of
#     people walking, for the "no exercise" test), chromium (the HTML report's browser test),
#     xvfb (the live window's test on a virtual display), espeak-ng (`live --speak` and `--speak-to`);
#     nodejs and npm where the machine has no node or npm (the accessibility check drives Chromium
#     from node).
#   - ONNX Runtime 1.31.1: the shared library from the PyPI wheel onnxruntime==1.31.1, unpacked into
#     ${FORMCHECK_ORT_DIR:-$HOME/.cache/formcheck/onnxruntime-1.31.1}. ORT_DYLIB_PATH overrides at run time.
#   - The accessibility check's npm packages (axe-core, puppeteer-core), at the versions pinned in
#     tests/a11y/package.json, into ${FORMCHECK_NODE_DIR:-$HOME/.cache/formcheck/node-a11y}.
# Usage: bash scripts/setup.sh [--no-browser]
set -euo pipefail

ORT_VERSION=1.31.1
ORT_DIR="${FORMCHECK_ORT_DIR:-$HOME/.cache/formcheck/onnxruntime-$ORT_VERSION}"
ORT_LIB="$ORT_DIR/libonnxruntime.so.$ORT_VERSION"

want=(pkg-config libopencv-dev clang libclang-dev ffmpeg opencv-doc espeak-ng)
browser=yes
[ "${1:-}" = "--no-browser" ] && browser=no
if [ "$browser" = yes ]; then
  want+=(chromium xvfb)
  # Only where missing: a node from elsewhere (with its own npm) must not be replaced.
  command -v node >/dev/null || want+=(nodejs)
  command -v npm >/dev/null || want+=(npm)
fi

# shellcheck source=scripts/debian.sh
. "$(dirname "$0")/debian.sh"
install_debian_packages setup "${want[@]}"

if [ ! -s "$ORT_LIB" ]; then
  echo "setup: fetching ONNX Runtime $ORT_VERSION (the PyPI package onnxruntime==$ORT_VERSION)"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
    "onnxruntime==$ORT_VERSION" -d "$tmp"
  mkdir -p "$ORT_DIR"
  # Only the C library is needed; unpack it next to a temporary name, then rename (atomic).
  python3 - "$tmp" "$ORT_DIR" "$ORT_VERSION" <<'PY'
import glob, os, sys, zipfile
tmp, out, ver = sys.argv[1:4]
wheel = glob.glob(os.path.join(tmp, "onnxruntime-*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        base = name.rsplit("/", 1)[-1]
        if name.startswith("onnxruntime/capi/") and base.startswith("libonnxruntime"):
            dst = os.path.join(out, base)
            with open(dst + ".part", "wb") as f:
                f.write(z.read(name))
            os.replace(dst + ".part", dst)
PY
fi
[ -s "$ORT_LIB" ] || { echo "setup: $ORT_LIB is missing after install" >&2; exit 1; }

if [ "$browser" = yes ]; then
  # shellcheck source=scripts/a11y.sh
  . "$(dirname "$0")/a11y.sh"
  install_a11y_packages
fi
echo "setup: ok (ONNX Runtime at $ORT_LIB)"
