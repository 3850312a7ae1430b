#!/usr/bin/env bash
# central_ingest: records/s acknowledged through wufei-central's HTTP sync path
# into SQLite, divided by the rate of the same rows inserted through the same
# storage interface in 500-row transactions (same run). Target 0.3.
# Then on PostgreSQL (a throwaway cluster with fsync on, bench/lib/pg-durable.bash):
# the HTTP path into PostgreSQL divided by COPY of the same rows (the records
# and their points ledger entries), a batch of 500 a transaction, into the
# same tables (same run, taking turns). Target 0.5.
# Run through bench/run (builds Release first); RECORDS may be given (default 20000).
# WUFEI_BENCH_PG=0 skips the PostgreSQL run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin="${WUFEI_BIN_DIR:-$here/../build/bin}"
n=${1:-20000}
"$bin/wufei-bench-central-ingest" "$n"
if [ "${WUFEI_BENCH_PG:-1}" = 0 ]; then
  exit 0
fi
source "$here/lib/pg-durable.bash"
pg_durable_start central-ingest
url_http=$(pg_durable_db ingest_http)
url_copy=$(pg_durable_db ingest_copy)
url_ledger=$(pg_durable_db ingest_copy_ledger)
"$bin/wufei-bench-central-ingest" --pg "$url_http" "$url_copy" "$n" "$url_ledger"
