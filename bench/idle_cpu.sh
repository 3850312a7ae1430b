#!/usr/bin/env bash
# idle_cpu — the kiosk in a window on Xvfb at the attract screen while the
# simulated scale streams 10 readings a second: first a steady weight (the
# baseline), then a weight changing on every reading (someone leaning on the
# platform: devsim's motion, ±20 g). CPU time of the kiosk over wall time,
# one core = 100 %. Target: 1 % with the weight changing.
# Run through bench/run, or after a build:
#   WUFEI_BIN_DIR=build/bin WUFEI_SOURCE_DIR=. bash bench/idle_cpu.sh [SECONDS]
set -euo pipefail
secs=${1:-30}
source "$(dirname "$0")/lib/window.bash"
start_xvfb
start_devsim
make_kiosk
start_kiosk
wait_log "screen attract"
wait_log "device scale up"
hz=$(getconf CLK_TCK)

# CPU % of the kiosk over $1 seconds.
measure() {
  local t0 t1 c0 c1
  c0=$(cpu_ticks "$kiosk_pid"); t0=$(date +%s%N)
  sleep "$1"
  c1=$(cpu_ticks "$kiosk_pid"); t1=$(date +%s%N)
  awk -v c="$((c1 - c0))" -v hz="$hz" -v ns="$((t1 - t0))" \
    'BEGIN { printf "%.2f", 100 * (c / hz) / (ns / 1e9) }'
}

echo "weight 5000" >&3
sleep 2
steady=$(measure "$secs")
echo "motion on" >&3
sleep 2
moving=$(measure "$secs")
grep -q "screen attract" "$work/kiosk.log"
if grep -q "screen weigh\|screen category" "$work/kiosk.log"; then
  echo "idle_cpu: the kiosk left the attract screen" >&2
  exit 1
fi
echo "steady weight: ${steady}% of a core over ${secs} s"
echo "idle_cpu: ${moving}% (target 1%)"
