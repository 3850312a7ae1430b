#!/usr/bin/env bash
# tests/fuzz/smoke.sh BUILD_DIR SECONDS — runs every libFuzzer target in
# BUILD_DIR/fuzz for SECONDS each (CI: 10), starting from its seed corpus in
# tests/fuzz/corpus/NAME (fuzz_proto_PROTOCOL: corpus/proto_PROTOCOL; copied:
# the seeds in the tree stay as they are).
# Fails if any target finds a crash, a leak or undefined behaviour.
set -uo pipefail
build=${1:?usage: smoke.sh BUILD_DIR SECONDS}
secs=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rc=0 n=0
for t in "$build"/fuzz/fuzz_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  mkdir -p "$work/$name"
  case $name in
    fuzz_proto_*) seeds=$here/corpus/proto_${name#fuzz_proto_} ;;
    *) seeds=$here/corpus/${name#fuzz_} ;;
  esac
  [ -d "$seeds" ] && cp "$seeds"/* "$work/$name"/ 2>/dev/null
  seeded=$(ls "$work/$name" | wc -l)
  if "$t" -max_total_time="$secs" -print_final_stats=0 -artifact_prefix="$work/$name-" \
      "$work/$name" >"$work/$name.log" 2>&1; then
    echo "fuzz: $name ok ($(grep -Eo '#[0-9]+' "$work/$name.log" | tail -1 | tr -d '#') runs, $seeded seeds)"
  else
    echo "fuzz: $name FAILED"; tail -30 "$work/$name.log"; rc=1
  fi
  n=$((n + 1))
done
[ $n -gt 0 ] || { echo "fuzz: no targets in $build/fuzz"; exit 1; }
exit $rc
