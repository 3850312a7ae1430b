#!/usr/bin/env bash
# pg-cluster.sh start|stop|status|stop-server|start-server STATE_DIR — a throwaway PostgreSQL for the
# tests: Debian's server binaries, initdb into a fresh folder under /tmp, a
# Unix socket in that folder only (no TCP port anyone else could reach),
# trust for the one local user, durability off (it is thrown away). Runs
# the server as the unprivileged user wufei-pgtest when started as root (as
# CI is: PostgreSQL refuses to run as root), else as the caller.
#
# start: stops and removes what a previous run left, starts a new cluster
#        and writes its admin URL to STATE_DIR/url
# stop:  stops it (immediately) and removes its data and STATE_DIR/url;
#        safe to run when nothing is running (ctest runs it as the fixture's
#        cleanup, also after failed tests)
# stop-server:  stops the server (fast: open connections are ended) and
#        keeps its data and url (a PostgreSQL restart, for tests of centrals
#        that outlive one)
# start-server: starts the stopped server again on the same data and url
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

stop() {
  if [ -f "$data/db/postmaster.pid" ]; then
    as_server "$bindir/pg_ctl" -D "$data/db" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$data"
  rm -f "$state/url"
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
  mkdir -p "$state"
  if [ "$(id -u)" -eq 0 ] && ! id "$user" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user"
  fi
  mkdir -m 700 "$data"
  if [ "$(id -u)" -eq 0 ]; then chown "$user" "$data"; fi
  as_server "$bindir/initdb" -D "$data/db" -U wufei --auth=trust --no-sync -E UTF8 \
    --locale=C.UTF-8 >"$data/initdb.log" 2>&1 || { cat "$data/initdb.log" >&2; exit 1; }
  server_up
  printf 'postgresql://wufei@/postgres?host=%s&port=5432\n' "$data" >"$state/url"
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
