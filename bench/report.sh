#!/usr/bin/env bash
# report: the office's reports on a year of drops (10 million from 2,000 kiosks
# by default), on SQLite (filled through the store interface) and on
# PostgreSQL (the same records by COPY into a throwaway cluster,
# tests/pg/pg-cluster.sh, removed after); times `daily` for one day and for
# 30 days and `gaps`. Target: the slowest within 1 s, on each backend.
# Run through bench/run (builds Release first); DROPS and KIOSKS may be given,
# and BACKENDS (default "sqlite postgresql") as a third argument.
# WUFEI_BENCH_DIR chooses the SQLite store's disk (default /var/tmp; ~3 GB for
# 10 million); WUFEI_BENCH_KEEP=1 keeps the filled SQLite store for the next
# run. The cluster's state goes under WUFEI_BENCH_BUILD (its data under /tmp).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin="${WUFEI_BIN_DIR:-$here/../build/bin}"
drops=${1:-10000000}
kiosks=${2:-2000}
backends=${3:-sqlite postgresql}
rc=0
for b in $backends; do
  case "$b" in
  sqlite)
    "$bin/wufei-bench-report" "$drops" "$kiosks" || rc=1
    ;;
  postgresql)
    state="${WUFEI_BENCH_BUILD:-$here/../build}/bench-report-pg"
    trap 'bash "$here/../tests/pg/pg-cluster.sh" stop "$state"' EXIT
    bash "$here/../tests/pg/pg-cluster.sh" start "$state" >/dev/null
    url=$(cat "$state/url")
    psql "$url" -qc "CREATE DATABASE bench_report" >/dev/null
    WUFEI_BENCH_PG="${url/\/postgres\?/\/bench_report?}" "$bin/wufei-bench-report" "$drops" \
      "$kiosks" || rc=1
    ;;
  *)
    echo "report: no backend '$b' (sqlite, postgresql)" >&2
    exit 2
    ;;
  esac
done
exit $rc
