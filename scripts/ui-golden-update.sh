#!/usr/bin/env bash
# Refreshes the golden screenshots in tests/ui/golden/ after a reviewed
# change of the screens: draws every screen of tests/ui/golden_views.c in
# both languages at every size (ctest test_golden with WUFEI_GOLDEN_UPDATE=1),
# removes goldens no screen makes any more, shrinks the PNGs losslessly
# (optipng), then runs the test again as it runs in CI. Review the images
# (git diff --stat tests/ui/golden; look at them) before committing.
#   scripts/ui-golden-update.sh            # build/ (WUFEI_BUILD_DIR=... for another)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${WUFEI_BUILD_DIR:-$top/build}
golden=$top/tests/ui/golden
[ -f "$build/CMakeCache.txt" ] || cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target test_golden >/dev/null
mkdir -p "$golden"
rm -f "$golden"/*.png
(cd "$build" && WUFEI_GOLDEN_UPDATE=1 ctest -R '^test_golden$' --output-on-failure >/dev/null) || {
  echo "ui-golden-update: drawing the screens failed:" >&2
  (cd "$build" && WUFEI_GOLDEN_UPDATE=1 ctest -R '^test_golden$' --output-on-failure | tail -30) >&2
  exit 1
}
if command -v optipng >/dev/null; then
  find "$golden" -name '*.png' -print0 | xargs -0 -P "$(nproc)" -n 8 optipng -quiet -o2
else
  echo "ui-golden-update: optipng not installed (scripts/deps.sh): PNGs left unshrunk" >&2
fi
(cd "$build" && ctest -R '^test_golden$' --output-on-failure >/dev/null) || {
  echo "ui-golden-update: the fresh goldens do not pass test_golden" >&2
  exit 1
}
n=$(find "$golden" -name '*.png' | wc -l)
kib=$(du -sk "$golden" | cut -f1)
echo "ui-golden-update: $n goldens, $kib KiB in tests/ui/golden/"
if [ "$kib" -gt 8192 ]; then
  echo "ui-golden-update: warning: over 8 MiB; consider fewer views or sizes" >&2
fi
git -C "$top" status --short -- tests/ui/golden | head -20
