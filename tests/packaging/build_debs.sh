#!/usr/bin/env bash
# Fixture: builds the packages once for the packaging tests (CMakeLists.txt).
set -euo pipefail
rm -rf "$WUFEI_DEBS"
bash "$WUFEI_SOURCE_DIR/scripts/package.sh" "$WUFEI_DEBS" >"$WUFEI_DEBS.list"
cat "$WUFEI_DEBS.list"
