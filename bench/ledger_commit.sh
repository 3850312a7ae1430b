#!/usr/bin/env bash
# ledger_commit: median drop-transaction commit vs median bare single-row
# insert commit (same pragmas: WAL, synchronous=FULL), on a real disk; then
# the drop commit on a journal pre-filled with 1,000,000 records vs an empty
# one. Targets 1.5 and 1.2. Run through bench/run (builds Release first).
# Arguments: [SAMPLES [FILL]]. WUFEI_BENCH_DIR picks the disk (default: a
# directory under the build tree); tmpfs is refused.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin="${WUFEI_BIN_DIR:-$top/build/bin}"
base="${WUFEI_BENCH_DIR:-$(dirname "$bin")}"
fs=$(stat -f -c %T "$base")
case "$fs" in
  tmpfs|ramfs) echo "ledger_commit: $base is $fs; set WUFEI_BENCH_DIR to a directory on a real disk" >&2; exit 1;;
esac
dir=$(mktemp -d "$base/ledger-commit.XXXXXX")
trap 'rm -rf "$dir"' EXIT
# The SIGKILL crash loop at its bench count (1,000 kills; CI runs 200).
# WUFEI_BENCH_KILLS=0 skips it.
kills=${WUFEI_BENCH_KILLS:-1000}
crash="$(dirname "$bin")/tests/test_ledger_crash"
if [ "$kills" != 0 ] && [ -x "$crash" ]; then
  if TMPDIR="$dir" WUFEI_LEDGER_KILLS="$kills" WUFEI_TEST_FILTER=test_sigkill "$crash" 2>&1 | grep '^#'; then
    echo "crash loop: $kills SIGKILLs, every reported drop present"
  else
    echo "crash loop: FAILED" >&2
    exit 1
  fi
fi
"$bin/wufei-bench-ledger-commit" "$dir" "${1:-300}" "${2:-1000000}"
