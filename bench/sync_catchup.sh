#!/usr/bin/env bash
# sync_catchup: N queued drops on one kiosk (default 100000) to fully
# acknowledged through the kiosk's sync client and a real wufei-central on
# loopback, journal and central database on the build disk (not tmpfs).
# Prints records per second; last line `sync_catchup: <N> records/s (target T)`.
# Run through bench/run (builds Release first); RECORDS may be given.
set -euo pipefail
bin="${WUFEI_BIN_DIR:-$(cd "$(dirname "$0")/.." && pwd)/build/bin}"
export WUFEI_BENCH_DIR="${WUFEI_BENCH_DIR:-${WUFEI_BENCH_BUILD:-$(dirname "$bin")}}"
exec "$bin/wufei-bench-sync-catchup" "${1:-100000}"
