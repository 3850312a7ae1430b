#!/usr/bin/env bash
# npm-setup.sh BUILD_DIR — the browser test's npm packages (puppeteer-core,
# axe-core: tests/web/package.json, exact versions in package-lock.json)
# into BUILD_DIR/node_modules with `npm ci`. Offline-tolerant: when npm ci
# fails but BUILD_DIR holds the packages of this same lock from before, it
# says so and goes on. Exits non-zero only when there are no packages.
set -euo pipefail
src="$(cd "$(dirname "$0")" && pwd)"
dst="$1"
mkdir -p "$dst"
stamp="$dst/node_modules/.wufei-lock"
if [ -f "$stamp" ] && cmp -s "$stamp" "$src/package-lock.json"; then
  exit 0 # these packages are installed already
fi
cp "$src/package.json" "$src/package-lock.json" "$dst/"
if (cd "$dst" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error); then
  cp "$src/package-lock.json" "$stamp"
  exit 0
fi
if [ -d "$dst/node_modules/puppeteer-core" ] && [ -d "$dst/node_modules/axe-core" ]; then
  echo "npm-setup: npm ci failed (offline?); using the packages installed before" >&2
  exit 0
fi
exit 1
