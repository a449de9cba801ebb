# Sourced by scripts/setup.sh: installs the npm packages of the accessibility check (axe-core and
# puppeteer-core, at the versions pinned in tests/a11y/package.json) into
# ${FORMCHECK_NODE_DIR:-$HOME/.cache/formcheck/node-a11y}, where tests/html_report.rs finds them.
# Skipped when that folder already holds the same package.json and both packages. A new install
# is made beside it and moved into place when complete, so an interrupted one leaves nothing used.
install_a11y_packages() {
  local pins dir part
  pins="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/a11y/package.json"
  dir="${FORMCHECK_NODE_DIR:-$HOME/.cache/formcheck/node-a11y}"
  if cmp -s "$pins" "$dir/package.json" &&
    [ -f "$dir/node_modules/axe-core/package.json" ] && [ -f "$dir/node_modules/puppeteer-core/package.json" ]; then
    return 0
  fi
  echo "setup: installing the npm packages axe-core and puppeteer-core (pinned in tests/a11y/package.json) into $dir"
  part="$dir.part"
  rm -rf "$part"
  mkdir -p "$part"
  cp "$pins" "$part/package.json"
  # --ignore-scripts: puppeteer-core fetches no browser (Debian's chromium is used); no lock file
  # is written, the two packages are pinned exactly.
  (cd "$part" && npm install --no-audit --no-fund --no-package-lock --ignore-scripts --loglevel=error)
  rm -rf "$dir"
  mv "$part" "$dir"
}
