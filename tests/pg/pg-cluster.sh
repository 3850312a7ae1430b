#!/usr/bin/env bash
# pg-cluster.sh start|stop|status|stop-server|start-server STATE_DIR — a throwaway PostgreSQL for the
# tests: Debian's server binaries, initdb into a fresh folder under /tmp, a
# Unix socket in that folder only (no TCP port anyone else could reach),
# trust for the one local user, durability off (it is thrown away). Runs
# the server as the unprivileged user wufei-pgtest when started as root (as
# CI is: PostgreSQL refuses to run as root), else as the caller.
#
# start: stops and removes what a previous run left (this STATE_DIR's
#        cluster, and any cluster whose STATE_DIR no longer exists, e.g. of a
#        deleted build folder), starts a new cluster and writes its admin URL
#        to STATE_DIR/url. With WUFEI_PG_WATCH_PARENT=1 in the environment
#        (the ctest fixture sets it) a watchdog also stops the cluster as soon
#        as the process that ran `start` (ctest) is gone: an interrupted or
#        killed ctest never runs the fixture's cleanup.
# stop:  stops it (immediately) and removes its data and STATE_DIR/url;
#        safe to run when nothing is running (ctest runs it as the fixture's
#        cleanup, also after failed tests)
# stop-server:  stops the server (fast: open connections are ended) and
#        keeps its data and url (a PostgreSQL restart, for tests of centrals
#        that outlive one)
# start-server: starts the stopped server again on the same data and url
# Several clusters run at once (one per STATE_DIR: each build folder has
# its own): each has its own data folder and socket folder.
set -euo pipefail

cmd=${1:-}
state=${2:-}
if [ -z "$cmd" ] || [ -z "$state" ]; then
  echo "usage: pg-cluster.sh start|stop|status|stop-server|start-server STATE_DIR" >&2
  exit 2
fi
state=$(realpath -m "$state")
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "pg-cluster: PostgreSQL's server is not installed (scripts/deps.sh installs postgresql)" >&2
  exit 1
fi
# One data folder per state folder, under /tmp: short enough for the socket
# path and reachable by the unprivileged user whatever the checkout's modes.
data=/tmp/wufei-pg-$(printf '%s' "$state" | md5sum | cut -c1-12)
user=wufei-pgtest

as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

# stop_data DATA — stops the cluster in DATA (if it runs) and removes DATA.
stop_data() {
  if [ -f "$1/db/postmaster.pid" ]; then
    as_server "$bindir/pg_ctl" -D "$1/db" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$1"
}

stop() {
  stop_data "$data"
  rm -f "$state/url"
}

# Clusters of earlier runs whose state folder is gone (each records its own
# in DATA/state; one without that record is left alone: not known to be ours).
remove_stale() {
  local d st
  for d in /tmp/wufei-pg-*; do
    st=$(cat "$d/state" 2>/dev/null) || continue # not ours, or going
    if [ -n "$st" ] && [ ! -d "$st" ]; then
      echo "pg-cluster: removing the stale cluster $d (its $st is gone)" >&2
      stop_data "$d" 2>/dev/null || true # another start may be removing it too
    fi
  done
}

# watch PID ID — in the background, detached from ctest's pipes: once PID is
# gone, stops the cluster if it is still the one started with ID.
watch() {
  local pid=$1 id=$2
  (
    trap '' INT HUP # a Ctrl-C meant for ctest: the watchdog is what cleans up after it
    while kill -0 "$pid" 2>/dev/null && [ "$(cat "$data/id" 2>/dev/null)" = "$id" ]; do
      sleep 2
    done
    if [ "$(cat "$data/id" 2>/dev/null)" = "$id" ]; then
      stop
    fi
  ) </dev/null >/dev/null 2>&1 &
  disown
}

# The server on the data folder, with the options every start uses.
server_up() {
  opts="-c listen_addresses= -c unix_socket_directories=$data -c port=5432"
  opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  opts="$opts -c max_connections=400 -c shared_buffers=64MB"
  if ! as_server "$bindir/pg_ctl" -D "$data/db" -o "$opts" -l "$data/server.log" -w -t 60 start \
    >/dev/null; then
    cat "$data/server.log" >&2 || true
    exit 1
  fi
}

case "$cmd" in
start)
  stop
  remove_stale
  mkdir -p "$state"
  if [ "$(id -u)" -eq 0 ] && ! id "$user" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user"
  fi
  mkdir -m 700 "$data"
  printf '%s\n' "$state" >"$data/state"
  run_id="$$-$(date +%s%N)"
  printf '%s\n' "$run_id" >"$data/id"
  if [ "$(id -u)" -eq 0 ]; then chown "$user" "$data"; fi
  as_server "$bindir/initdb" -D "$data/db" -U wufei --auth=trust --no-sync -E UTF8 \
    --locale=C.UTF-8 >"$data/initdb.log" 2>&1 || { cat "$data/initdb.log" >&2; exit 1; }
  server_up
  printf 'postgresql://wufei@/postgres?host=%s&port=5432\n' "$data" >"$state/url"
  if [ "${WUFEI_PG_WATCH_PARENT:-}" = 1 ]; then
    watch "$PPID" "$run_id"
  fi
  echo "pg-cluster: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') at $data"
  ;;
stop)
  stop
  ;;
stop-server)
  as_server "$bindir/pg_ctl" -D "$data/db" -m fast -w -t 60 stop >/dev/null
  ;;
start-server)
  if [ ! -d "$data/db" ]; then
    echo "pg-cluster: no cluster at $data (start makes one)" >&2
    exit 1
  fi
  server_up
  ;;
status)
  as_server "$bindir/pg_ctl" -D "$data/db" status
  ;;
*)
  echo "pg-cluster: unknown command '$cmd'" >&2
  exit 2
  ;;
esac
