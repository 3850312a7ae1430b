#!/usr/bin/env bash
# test_kiosk_metrics.sh — the real wufei-kiosk writes its Prometheus text
# file ([metrics] textfile): after a resident's two drops the file shows
# them (drops, grams, points per category) and the outbox holding them;
# promtool accepts it; a reader polling the file while the kiosk runs only
# ever reads whole files; a folder the kiosk cannot write is said in the log.
# Usage: test_kiosk_metrics.sh WUFEI_KIOSK_BINARY SOURCE_DIR. Needs promtool.
set -euo pipefail
kiosk=$1 src=$2
dir=$(mktemp -d /tmp/wufei-kiosk-metrics.XXXXXX)
reader=
cleanup() { [ -n "$reader" ] && kill "$reader" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$kiosk" keygen --out "$dir/kiosk.key" >/dev/null
"$kiosk" ledger init "$dir/journal.db" --kiosk 9 >/dev/null
mkdir "$dir/textfile"
prom=$dir/textfile/wufei-kiosk.prom
cat >"$dir/kiosk.ini" <<INI
[kiosk]
number = 9
name = 东区 "north"
timezone = Asia/Shanghai
ledger = $dir/journal.db
fixture = $src/packaging/demo/fixture.json
key_file = $dir/kiosk.key
[session]
stable_time_ms = 1000
[metrics]
textfile = $prom
interval_s = 1
INI
# two drops, and time after them (20 minutes of the script's clock: up to
# 1200 files at interval_s = 1, about a second) for the reader to race
cat >"$dir/visit.script" <<'SCRIPT'
weight 0 for 1500
card em4100:0014868981
tap category paper
weight 1250 for 1200
tap confirm
expect screen receipt
wait 3000
tap another
tap category batteries
tap more
tap more
tap confirm
expect screen receipt
wait 3000
wait 600000
wait 600000
SCRIPT

# a reader racing the writer: every copy it reads must be whole (its last
# line is the file's last metric)
(
  n=0
  while :; do
    if [ -f "$prom" ]; then
      text=$(cat "$prom")
      last=$(printf '%s\n' "$text" | tail -n 1)
      case $last in
        wufei_kiosk_metrics_timestamp_seconds*) ;;
        *) echo "torn read: last line '$last'" >"$dir/torn" ;;
      esac
      n=$((n + 1))
      echo "$n" >"$dir/reads"
    fi
  done
) &
reader=$!

"$kiosk" run --config "$dir/kiosk.ini" --no-devices --script "$dir/visit.script" >"$dir/log"
kill "$reader"; wait "$reader" 2>/dev/null || true; reader=

[ -f "$prom" ] || fail "no metrics file; log: $(cat "$dir/log")"
[ ! -e "$dir/torn" ] || fail "$(cat "$dir/torn")"
echo "reader read the file $(cat "$dir/reads" 2>/dev/null || echo 0) times while the kiosk ran"
for f in "$dir"/textfile/*; do
  [ "$f" = "$prom" ] || fail "a temp file was left: $f"
done
cat "$prom"
promtool check metrics <"$prom" || fail "promtool refused the file"

want() { grep -qxF "$1" "$prom" || fail "missing: $1"; }
want 'wufei_kiosk_info{kiosk="9",name="东区 \"north\""} 1'
want 'wufei_kiosk_drops_total{kiosk="9",category_id="1",category="paper"} 1'
want 'wufei_kiosk_grams_total{kiosk="9",category_id="1",category="paper"} 1250'
want 'wufei_kiosk_points_total{kiosk="9",category_id="1",category="paper"} 2'
want 'wufei_kiosk_drops_total{kiosk="9",category_id="6",category="batteries"} 1'
want 'wufei_kiosk_points_total{kiosk="9",category_id="6",category="batteries"} 4'
want 'wufei_kiosk_outbox_records{kiosk="9"} 2'
want 'wufei_kiosk_conflicts_held{kiosk="9"} 0'
want 'wufei_kiosk_sync_enabled{kiosk="9"} 0'
grep -q '^wufei_kiosk_journal_bytes{kiosk="9"} [1-9]' "$prom" || fail "no journal size"

# a folder the kiosk cannot write: said in the log, with what to do; the
# kiosk still serves residents
sed -i "s|^textfile = .*|textfile = $dir/missing/wufei-kiosk.prom|" "$dir/kiosk.ini"
printf 'expect screen attract\n' >"$dir/idle.script"
"$kiosk" run --config "$dir/kiosk.ini" --no-devices --script "$dir/idle.script" >"$dir/log2" ||
  fail "the kiosk stopped: $(cat "$dir/log2")"
grep -q "metrics: cannot write $dir/missing/.*writable by the kiosk's user" "$dir/log2" ||
  fail "no log line for the unwritable folder: $(cat "$dir/log2")"
echo "ok"
