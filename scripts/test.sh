#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this):
#   1. install Debian packages (scripts/deps.sh)
#   2. style gate (clang-format, banned calls)
#   3. normal build + every test (ctest)
#   4. ASan+UBSan build + every test (loop counts reduced, see cmake/wufei_test.cmake)
#   5. clang build of everything with libFuzzer (the second compiler: the
#      whole tree, warning-free) + a short smoke run of every fuzz target
#   (and, compile only, a Release build and a kiosk without SDL
#   (-DWUFEI_UI=OFF) between 3 and 4)
# A run with fewer tests registered than WUFEI_MIN_TESTS (below) fails: a
# suite that silently lost its tests is not green.
# Storage tests run twice in both builds: NAME on SQLite and NAME_pg on a
# throwaway PostgreSQL cluster (tests/pg/pg-cluster.sh, a ctest fixture;
# one cluster per build folder, in BUILD/pgtest). Measured: the ~33 twins
# take 190 s of test time, 2 minutes at -j2, in the normal build (2 busy
# cores); under ASan about twice that: some 5-6 minutes on the ~13 before
# them, well under 30, so all of them run in both builds. A cluster still
# running after ctest (it must be removed even when tests fail) fails the
# run. Under CI (CI=1 or
# WUFEI_CI=1) a skipped test fails too.
# The packaging tests (label packaging: the .deb files, their own Release
# build) run in the normal build only: under ASan they would build and check
# the same packages again.
# Options: --quick (normal build only), --no-fuzz, --no-sanitize,
# --install (also the slow install test on a debootstrap root, tests/install;
# as root, with Debian's archive reachable the first time).
# Build folders: build-test/, build-test-asan/, build-test-fuzz/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

quick=0 fuzz=1 sanitize=1 install=0
for a in "$@"; do
  case "$a" in
    --install) install=1 ;;
    --quick) quick=1; fuzz=0; sanitize=0 ;;
    --no-fuzz) fuzz=0 ;;
    --no-sanitize) sanitize=0 ;;
    *) echo "usage: scripts/test.sh [--quick] [--no-fuzz] [--no-sanitize] [--install]" >&2; exit 2 ;;
  esac
done

jobs=$(nproc)
# The suite registers more than this (about 30 of them the _pg twins);
# raise it as tests are added.
min_tests=${WUFEI_MIN_TESTS:-130}
ci=0
[ -n "${CI:-}${WUFEI_CI:-}" ] && ci=1
bash scripts/deps.sh
start=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$1" "$(( $(date +%s) - start ))"; }

passed=0 failed=0
run_ctest() { # build-dir [ctest options...]
  local dir=$1 log
  shift
  log="$dir/ctest.log"
  set +e
  ctest --test-dir "$dir" -j"$jobs" --output-on-failure --no-tests=error "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  set -e
  local registered skipped
  registered=$(ctest --test-dir "$dir" -N | sed -nE 's/^Total Tests: ([0-9]+)/\1/p')
  if [ "${registered:-0}" -lt "$min_tests" ]; then
    echo "test: only ${registered:-0} tests registered in $dir, expected at least $min_tests" >&2
    failed=$((failed + 1))
  fi
  skipped=$(grep -c -- '\*\*\*Skipped' "$log" || true)
  if [ "$ci" -eq 1 ] && [ "$skipped" -gt 0 ]; then
    echo "test: $skipped test(s) skipped in $dir; under CI a skip is a failure" >&2
    failed=$((failed + skipped))
  fi
  if [ -f "$dir/pgtest/url" ]; then
    echo "test: the PostgreSQL test cluster of $dir is still running after ctest; stopping it" >&2
    bash tests/pg/pg-cluster.sh stop "$dir/pgtest" || true
    failed=$((failed + 1))
  fi
  local total fail
  total=$(sed -nE 's/.*tests passed, ([0-9]+) tests failed out of ([0-9]+).*/\2/p' "$log" | tail -1)
  fail=$(sed -nE 's/.*tests passed, ([0-9]+) tests failed out of ([0-9]+).*/\1/p' "$log" | tail -1)
  total=${total:-0} fail=${fail:-0}
  if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
  passed=$((passed + total - fail)) failed=$((failed + fail))
  return 0
}

step "style"
style_rc=0
bash scripts/check-style.sh || style_rc=1

step "normal build"
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-test -j"$jobs"
step "normal tests"
run_ctest build-test

if [ $quick -eq 0 ]; then
  # Release (-O3) sees truncation warnings -O2 does not; bench/run and
  # packages build this way, so it must compile cleanly too.
  step "release build (compile only)"
  cmake -S . -B build-test-release -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build-test-release -j"$jobs"
  step "kiosk without SDL (compile only)"
  cmake -S . -B build-test-noui -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWUFEI_UI=OFF >/dev/null
  cmake --build build-test-noui -j"$jobs" --target wufei-kiosk
fi

if [ $sanitize -eq 1 ]; then
  step "ASan+UBSan build"
  cmake -S . -B build-test-asan -DCMAKE_BUILD_TYPE=Debug -DWUFEI_SANITIZE=ON >/dev/null
  cmake --build build-test-asan -j"$jobs"
  step "ASan+UBSan tests"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_ctest build-test-asan -LE packaging
fi

if [ $install -eq 1 ]; then
  # The install test (tests/install): the packages on a debootstrap root.
  # Not in .ci/run: cold it adds about 4 minutes, and the suite would pass
  # 30 (docs/OPERATIONS.md, "Install test on a clean Debian 12 root").
  step "install test (debootstrap root)"
  cmake -S . -B build-test -DWUFEI_INSTALL_TEST=ON >/dev/null
  cmake --build build-test -j"$jobs" --target wufei_pty_shim
  run_ctest build-test -L install
  cmake -S . -B build-test -DWUFEI_INSTALL_TEST=OFF >/dev/null
fi

if [ $fuzz -eq 1 ]; then
  step "clang build of everything + fuzz targets (libFuzzer)"
  cmake -S . -B build-test-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DWUFEI_FUZZ=ON >/dev/null
  cmake --build build-test-fuzz -j"$jobs"
  cmake --build build-test-fuzz -j"$jobs" --target fuzz_all
  step "fuzz smoke"
  if bash tests/fuzz/smoke.sh build-test-fuzz "${WUFEI_FUZZ_SECONDS:-10}"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
fi

step "done"
[ $style_rc -eq 0 ] && passed=$((passed + 1)) || failed=$((failed + 1))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
