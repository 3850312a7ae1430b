#!/usr/bin/env bash
# test_pg_cluster.sh SCRATCH — what the _pg twins rely on in pg-cluster.sh:
# two clusters (two build folders) run at once; the server never runs as
# root (as wufei-pgtest when we are root, else as the caller, checked as
# nobody when we are root); a cluster
# whose state folder is gone is removed by the next start; the watchdog
# stops a cluster once the process that started it is gone (an interrupted
# ctest). Its own state folders under SCRATCH; ctest's TIMEOUT bounds the
# waits.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
script=$here/pg-cluster.sh
scratch=$(realpath -m "${1:?usage: test_pg_cluster.sh SCRATCH}")
rm -rf "$scratch"
mkdir -p "$scratch"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
data_of() { sed -E 's/.*host=([^&]*).*/\1/' "$1/url"; }
server_user() { ps -o user= -p "$(head -n 1 "$1/db/postmaster.pid")"; }
query() { psql "$(cat "$1/url")" -Atc "$2"; }
e=
trap 'for s in a b c d; do bash "$script" stop "$scratch/$s" >/dev/null 2>&1 || true; done
  if [ -n "$e" ]; then bash "$script" stop "$e/state" >/dev/null 2>&1 || true; rm -rf "$e"; fi' EXIT

# Two at once, each answering on its own socket, neither as root.
bash "$script" start "$scratch/a" >/dev/null
bash "$script" start "$scratch/b" >/dev/null
da=$(data_of "$scratch/a") db=$(data_of "$scratch/b")
[ "$da" != "$db" ] || fail "two state folders share $da"
query "$scratch/a" "CREATE DATABASE only_in_a" >/dev/null
[ "$(query "$scratch/a" "SELECT count(*) FROM pg_database WHERE datname = 'only_in_a'")" = 1 ] ||
  fail "cluster a lost its database"
[ "$(query "$scratch/b" "SELECT count(*) FROM pg_database WHERE datname = 'only_in_a'")" = 0 ] ||
  fail "cluster b answers for a"
want=$([ "$(id -u)" -eq 0 ] && echo wufei-pgtest || id -un)
[ "$(server_user "$da")" = "$want" ] || fail "server runs as $(server_user "$da"), not $want"

# Stop: the data and the URL gone, b untouched.
bash "$script" stop "$scratch/a"
[ ! -e "$da" ] && [ ! -e "$scratch/a/url" ] || fail "stop left $da or its url"
[ "$(query "$scratch/b" "SELECT 1")" = 1 ] || fail "stopping a stopped b"

# A cluster whose state folder was deleted (a removed build folder) is
# removed by the next start of any other; b's folder exists: kept.
bash "$script" start "$scratch/c" >/dev/null
dc=$(data_of "$scratch/c")
rm -rf "$scratch/c"
bash "$script" start "$scratch/a" >/dev/null 2>&1
[ ! -e "$dc" ] || fail "the stale cluster $dc is still there"
[ "$(query "$scratch/b" "SELECT 1")" = 1 ] || fail "a live cluster was taken as stale"

# The watchdog: started by a shell that then exits (as ctest killed), the
# cluster stops and its data goes.
bash -c 'WUFEI_PG_WATCH_PARENT=1 bash "$1" start "$2" >/dev/null; exit 0' _ "$script" "$scratch/d"
dd=$(data_of "$scratch/d")
while [ -e "$dd" ]; do sleep 0.2; done
[ ! -e "$scratch/d/url" ] || fail "the watchdog left the url of a stopped cluster"
# Not root: the server runs as the caller (root checks it as nobody, when
# nobody can read the script).
# Its state folder under /tmp: the build folder may be closed to nobody.
if [ "$(id -u)" -eq 0 ] && runuser -u nobody -- test -r "$script"; then
  e=$(mktemp -d /tmp/wufei-pgtest-nobody.XXXXXX)
  chown nobody "$e"
  runuser -u nobody -- bash "$script" start "$e/state" >/dev/null
  de=$(data_of "$e/state")
  got=$(server_user "$de")
  runuser -u nobody -- bash "$script" stop "$e/state"
  rm -rf "$e"
  [ "$got" = nobody ] || fail "started by nobody, the server runs as $got"
fi
echo "pg-cluster: two at once as $want${got:+ (and as $got when nobody starts it)}, stop, stale removal and the watchdog: ok"
