#!/usr/bin/env bash
# device_reconnect — unplug/replug a simulated scale repeatedly and report
# down-detection and reconnect p50/p99 (targets 1 s and 2 s).
# Run through bench/run (which builds into $WUFEI_BENCH_BUILD), or directly
# after a build: WUFEI_BIN_DIR=build/bin bash bench/device_reconnect.sh [CYCLES] [PROTOCOL]
set -euo pipefail
bin=${WUFEI_BIN_DIR:?set WUFEI_BIN_DIR (bench/run does)}
cycles=${1:-100}
proto=${2:-mt8217}
exec "$bin/device_reconnect" "$cycles" "$proto"
