#!/usr/bin/env bash
# input_latency — from wufei-devsim writing a scale frame with a new weight
# to the first frame the kiosk presents (in its window on Xvfb, the weigh
# screen) that shows that weight. Both sides log CLOCK_MONOTONIC: devsim per
# frame sent (--frame-log), the kiosk per presented frame with the weight it
# shows (WUFEI_FRAME_LOG). p50 and p99 over COUNT weight changes, one every
# 300 ms (three frames each). Target: p99 20 ms.
# Run through bench/run, or after a build:
#   WUFEI_BIN_DIR=build/bin WUFEI_SOURCE_DIR=. bash bench/input_latency.sh [COUNT]
set -euo pipefail
count=${1:-200}
source "$(dirname "$0")/lib/window.bash"
start_xvfb
start_devsim --frame-log "$work/scale-frames"
# the weigh screen must stay up: no stable weight (a minute), no timeout
make_kiosk "stable_time_ms = 60000" "weigh_s = 3600"
export WUFEI_FRAME_LOG="$work/kiosk-frames"
start_kiosk
wait_log "screen attract"
wait_log "device scale up"
echo "weight 0" >&3
sleep 1
printf 'card em4100:0014868981\ntap category paper\n' >&4
wait_log "screen weigh"
sleep 1
for i in $(seq "$count"); do
  echo "weight $((1000 + 100 * i))" >&3
  sleep 0.3
done
sleep 1
# first frame written with each new weight; the first presented frame on the
# weigh screen showing it, at or after that
awk '
  FNR == NR { if ($3 != last) { t[$3] = $1; order[n++] = $3; last = $3 } next }
  $2 == "weigh" && ($3 in t) && !($3 in seen) && $1 >= t[$3] { seen[$3] = $1 }
  END {
    m = 0
    for (i = 0; i < n; i++) {
      w = order[i]
      if (w < 1100) continue
      if (w in seen) print (seen[w] - t[w]) / 1e6; else { missed++; list = list " " w }
    }
    if (missed) printf "missed %d: never shown:%s\n", missed, list > "/dev/stderr"
  }' "$work/scale-frames" "$work/kiosk-frames" | sort -n >"$work/latency"
n=$(wc -l <"$work/latency")
[ "$n" -gt 0 ] || { echo "input_latency: no weight was ever shown" >&2; exit 1; }
p() { awk -v q="$1" -v n="$n" 'NR == int((n - 1) * q) + 1 { printf "%.1f", $1 }' "$work/latency"; }
grep -F "could not be updated" "$work/kiosk.log" >&2 || true
echo "samples: $n of $count weight changes; max $(tail -1 "$work/latency") ms"
echo "input_latency: p50 $(p 0.5) ms p99 $(p 0.99) ms (target p99 20 ms)"
