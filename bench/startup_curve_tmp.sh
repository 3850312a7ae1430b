#!/usr/bin/env bash
# startup — (1) from the kiosk's process start (wufei-bench-mono-exec) to the
# first frame it presents in its window on Xvfb, drawn with the CJK font
# (language zh, fontconfig's Noto Sans CJK), from the kiosk's frame log
# (WUFEI_FRAME_LOG, CLOCK_MONOTONIC); (2) its resident memory (VmRSS) after
# DROPS drops (1,000) against after BASE (100), the drops driven through its
# console (card, category, weight, confirm, done). Targets: 300 ms, 0 KiB.
# Run through bench/run, or after a build:
#   WUFEI_BIN_DIR=build/bin WUFEI_SOURCE_DIR=. bash bench/startup.sh [DROPS [BASE]]
set -euo pipefail
drops=${1:-1000}
base=${2:-100}
source "$(dirname "$0")/lib/window.bash"
start_xvfb
make_kiosk "stable_time_ms = 100"
export WUFEI_FRAME_LOG="$work/kiosk-frames"
start_kiosk "$bin/wufei-bench-mono-exec" "$work/start-ns"
wait_log "screen attract"
for _ in $(seq 100); do [ -s "$work/kiosk-frames" ] && break; sleep 0.1; done
t0=$(head -1 "$work/start-ns")
t1=$(head -1 "$work/kiosk-frames" | cut -d' ' -f1)
start_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) / 1e6 }')

# One drop through the console; the platform seen empty first (a new bag).
drop_lines() {
  printf 'weight 0 for 200\ncard em4100:0014868981\ntap category paper\n'
  printf 'weight 1250 for 200\ntap confirm\ntap done\n'
}
receipts() { grep -c "receipt: seq " "$work/kiosk.log" || true; }
# Drops until the log shows $1 receipts, then the kiosk's VmRSS in KiB.
drops_until() {
  while [ "$(receipts)" -lt "$1" ]; do
    local have
    have=$(receipts)
    for _ in $(seq "$(($1 - have))"); do drop_lines; done >&4
    for _ in $(seq 6000); do
      [ "$(receipts)" -ge "$1" ] && break
      kill -0 "$kiosk_pid" || { cat "$work/kiosk.log" >&2; exit 1; }
      sleep 0.1
    done
  done
  sleep 1 # the last receipt drawn
  awk '/^VmRSS:/ { print $2 }' "/proc/$kiosk_pid/status"
}
for n in 100 300 600 1000 1500 2000 3000; do echo "rss at $n: $(drops_until $n)"; done; rss_base=1; rss_end=1; drops=3000
echo "quit" >&4
wait "$kiosk_pid" || true
grep -q "run ended: $drops drops recorded" "$work/kiosk.log" ||
  { tail -5 "$work/kiosk.log" >&2; echo "startup: not every drop was recorded" >&2; exit 1; }
echo "rss: ${rss_base} KiB after $base drops, ${rss_end} KiB after $drops"
echo "startup: ${start_ms} ms, rss growth $((rss_end - rss_base)) KiB (target 300 ms, 0)"
