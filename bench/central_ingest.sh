#!/usr/bin/env bash
# central_ingest: records/s acknowledged through wufei-central's HTTP sync path
# into SQLite, divided by the rate of the same rows inserted through the same
# storage interface in 500-row transactions (same run). Target 0.3.
# Run through bench/run (builds Release first); RECORDS may be given (default 20000).
set -euo pipefail
bin="${WUFEI_BIN_DIR:-$(cd "$(dirname "$0")/.." && pwd)/build/bin}"
exec "$bin/wufei-bench-central-ingest" "${1:-20000}"
