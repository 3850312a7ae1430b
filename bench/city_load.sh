#!/usr/bin/env bash
# city_load: 2,000 simulated kiosks, a signed batch each every simulated
# minute (10 minutes of 15 s) plus bursts of 200 at once, against two
# wufei-central serve processes on one PostgreSQL (a throwaway cluster with
# fsync on, bench/lib/pg-durable.bash); p50/p99 sync latency, errors, and
# every record held once. Target p99 500 ms, errors 0.
# Arguments (all optional): KIOSKS MINUTES SECONDS_PER_MINUTE BURST.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin="${WUFEI_BIN_DIR:-$here/../build/bin}"
source "$here/lib/pg-durable.bash"
pg_durable_start city-load
url=$(pg_durable_db city)
rc=0
"$bin/wufei-bench-city-load" "$url" "${1:-2000}" "${2:-10}" "${3:-15}" "${4:-200}" || rc=$?
# Deadlocks between batches (each answered 503 and sent again by its
# kiosk) show in PostgreSQL's log, not in the figures; on stderr, so the
# last line stays the benchmark's figure.
echo "postgresql: $(grep -c 'deadlock detected' "$PG_DATA/server.log" || true) deadlocks" \
  "in its log; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exit "$rc"
