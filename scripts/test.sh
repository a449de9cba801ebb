#!/usr/bin/env bash
# The whole test suite: installs what is missing (idempotently), then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo test --workspace --locked "$@"
