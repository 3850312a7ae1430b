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
# WUFEI_CITY_PROFILE=1: pg_stat_statements on, and the statements that took
# the most time printed (stderr) after the run.
if [ "${WUFEI_CITY_PROFILE:-0}" = 1 ]; then
  WUFEI_BENCH_PG_OPTS="${WUFEI_BENCH_PG_OPTS:-} -c shared_preload_libraries=pg_stat_statements"
  export WUFEI_BENCH_PG_OPTS
fi
pg_durable_start city-load
url=$(pg_durable_db city)
if [ "${WUFEI_CITY_PROFILE:-0}" = 1 ]; then
  psql -q -X "$url" -c "CREATE EXTENSION pg_stat_statements" >/dev/null
fi
rc=0
"$bin/wufei-bench-city-load" "$url" "${1:-2000}" "${2:-10}" "${3:-15}" "${4:-200}" || rc=$?
# Deadlocks between batches (each answered 503 and sent again by its
# kiosk) show in PostgreSQL's log, not in the figures; on stderr, so the
# last line stays the benchmark's figure.
echo "postgresql: $(grep -c 'deadlock detected' "$PG_DATA/server.log" || true) deadlocks" \
  "in its log; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if [ "${WUFEI_CITY_PROFILE:-0}" = 1 ]; then
  psql -X "$url" -c "SELECT round(total_exec_time) AS total_ms, calls, round(mean_exec_time::numeric, 2) AS mean_ms, round(max_exec_time) AS max_ms, left(regexp_replace(query, '\s+', ' ', 'g'), 90) AS query FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15" >&2
fi
exit "$rc"
