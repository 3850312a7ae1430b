# pg-durable.bash — sourced by the PostgreSQL benchmarks: a throwaway
# PostgreSQL cluster with the durability a real server has (fsync on,
# synchronous_commit on, full_page_writes on: Debian's defaults), its data
# on the disk under the bench build folder (not tmpfs), its socket in a
# short folder under /tmp, reachable only through that socket. Runs the
# server as wufei-pgtest when started as root (PostgreSQL refuses root).
#
#   pg_durable_start NAME   starts it; prints nothing; sets PG_URL (admin
#                           URL, database postgres) and PG_BIN
#   pg_durable_db NAME      creates database NAME, prints its URL
#   pg_durable_stop         stops it and removes its data (also on exit)
#
# WUFEI_BENCH_PG_OPTS adds server settings (e.g. "-c shared_buffers=1GB").

pg_durable_start() {
  local name=$1
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    echo "pg-durable: PostgreSQL's server is not installed (scripts/deps.sh installs it)" >&2
    return 1
  fi
  PG_DATA="${WUFEI_BENCH_BUILD:-/var/tmp}/pg-$name"
  PG_USER=wufei-pgtest
  pg_durable_stop
  PG_SOCK=$(mktemp -d /tmp/wufei-pgb-XXXXXX)
  mkdir -p "$PG_DATA"
  if [ "$(id -u)" -eq 0 ]; then
    id "$PG_USER" >/dev/null 2>&1 ||
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_USER"
    chown "$PG_USER" "$PG_DATA" "$PG_SOCK"
  fi
  chmod 700 "$PG_DATA"
  trap pg_durable_stop EXIT
  _pg_as "$PG_BIN/initdb" -D "$PG_DATA/db" -U wufei --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$PG_DATA/initdb.log" 2>&1 || { cat "$PG_DATA/initdb.log" >&2; return 1; }
  local opts="-c listen_addresses= -c unix_socket_directories=$PG_SOCK -c port=5432"
  opts="$opts -c fsync=on -c synchronous_commit=on -c full_page_writes=on"
  opts="$opts -c max_connections=400 -c shared_buffers=256MB ${WUFEI_BENCH_PG_OPTS:-}"
  _pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA/db" -o "$opts" -l "$PG_DATA/server.log" -w -t 60 start \
    >/dev/null || { cat "$PG_DATA/server.log" >&2; return 1; }
  PG_URL="postgresql://wufei@/postgres?host=$PG_SOCK&port=5432"
}

pg_durable_db() {
  psql -q -X -v ON_ERROR_STOP=1 "$PG_URL" -c "CREATE DATABASE \"$1\"" >/dev/null || return 1
  printf 'postgresql://wufei@/%s?host=%s&port=5432\n' "$1" "$PG_SOCK"
}

pg_durable_stop() {
  if [ -n "${PG_DATA:-}" ] && [ -f "$PG_DATA/db/postmaster.pid" ]; then
    _pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA/db" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  fi
  if [ -n "${PG_DATA:-}" ]; then rm -rf "$PG_DATA"; fi
  if [ -n "${PG_SOCK:-}" ]; then rm -rf "$PG_SOCK"; fi
}

_pg_as() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$PG_USER" -- "$@"
  else
    "$@"
  fi
}
