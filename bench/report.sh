#!/usr/bin/env bash
# report: the office's reports on a year of drops (10 million from 2,000 kiosks
# by default), filled through the store interface; times `daily` for one day and
# for 30 days and `gaps`. Target: the slowest within 1 s.
# Run through bench/run (builds Release first); DROPS and KIOSKS may be given.
# WUFEI_BENCH_DIR chooses the disk (default /var/tmp; ~3 GB for 10 million);
# WUFEI_BENCH_KEEP=1 keeps the filled store for the next run.
set -euo pipefail
bin="${WUFEI_BIN_DIR:-$(cd "$(dirname "$0")/.." && pwd)/build/bin}"
exec "$bin/wufei-bench-report" "${1:-10000000}" "${2:-2000}"
