#!/usr/bin/env bash
# wufei-central's config file (central/config.h) as a technician meets it:
# serve started from --config answers /readyz on the port the file names and
# creates the file's database; an option on the command line beats the
# file; a bad key or value is refused naming file:line:key with exit 2; the
# office's commands find their database through --config, and on an
# installed server through /etc/wufei/central.ini with neither option.
# Needs: the build's wufei-central and wufei-kiosk (WUFEI_BIN), curl,
# python3 (a free port); root and unshare for the /etc part (else skipped).
set -euo pipefail
BIN=${WUFEI_BIN:?set WUFEI_BIN to the build bin directory}
T=$(mktemp -d)
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts serve with "$@" in the background; waits for its "listening on" line.
start() {
	"$BIN/wufei-central" serve "$@" >"$T/out" 2>"$T/err" &
	PID=$!
	for _ in $(seq 1 300); do
		grep -q "listening on" "$T/out" 2>/dev/null && return 0
		kill -0 "$PID" 2>/dev/null || { cat "$T/err" >&2; fail "serve exited: $*"; }
		sleep 0.1
	done
	fail "serve never said where it listens"
}
stop() { kill "$PID"; wait "$PID" || true; PID=; }

P1=$(free_port)
cat >"$T/central.ini" <<INI
; a comment
[serve]
db = sqlite:$T/central.db
listen = 127.0.0.1:$P1
threads = 2
max_connections = 50
db_connections = 2
INI

# 1. The file's db and listen reach serve.
start --config "$T/central.ini"
grep -q "127.0.0.1:$P1" "$T/out" || fail "serve does not say the file's port: $(cat "$T/out")"
curl -fsS "http://127.0.0.1:$P1/readyz" >/dev/null || fail "/readyz on the file's port"
[ -f "$T/central.db" ] || fail "the file's database was not created"
stop

# 2. The command line wins: --listen beats the file's listen.
P2=$(free_port)
start --config "$T/central.ini" --listen "127.0.0.1:$P2"
grep -q "127.0.0.1:$P2" "$T/out" || fail "--listen did not beat the file: $(cat "$T/out")"
curl -fsS "http://127.0.0.1:$P2/readyz" >/dev/null || fail "/readyz on --listen's port"
if curl -fsS "http://127.0.0.1:$P1/readyz" >/dev/null 2>&1; then
	fail "the file's port answers although --listen was given"
fi
stop

# 3. The office's commands use the file's db.
"$BIN/wufei-central" kiosk list --config "$T/central.ini" >"$T/list" 2>&1 ||
	fail "kiosk list --config: $(cat "$T/list")"

# 4. Refusals name file, line and key; exit 2; nothing starts.
refused() { # $1 = line number, $2 = key, $3 = the line
	{ printf '[serve]\ndb = sqlite:%s/x.db\n' "$T"; printf '%s\n' "$3"; } >"$T/bad.ini"
	set +e
	"$BIN/wufei-central" serve --config "$T/bad.ini" >"$T/out" 2>"$T/err"
	local rc=$?
	set -e
	[ "$rc" -eq 2 ] || fail "'$3': exit $rc, wanted 2"
	grep -q "$T/bad.ini:$1: $2 " "$T/err" || fail "'$3' not named as bad.ini:$1:$2: $(cat "$T/err")"
	[ ! -f "$T/x.db" ] || fail "'$3': a database was created by a refused config"
}
refused 3 lisen "lisen = 127.0.0.1:1"
refused 3 threads "threads = 65"
refused 3 per_ip_connections "per_ip_connections = -1"
refused 3 db_connections "db_connections = many"
refused 3 listen "listen = 8080"
refused 3 tls_cert "tls_cert = cert.pem"
refused 3 db "db = mysql://x"
refused 3 db "db = sqlite:/elsewhere.db"  # given twice
printf '[server]\nlisten = 127.0.0.1:1\n' >"$T/sect.ini"
set +e
"$BIN/wufei-central" serve --config "$T/sect.ini" 2>"$T/err"
rc=$?
set -e
if ! { [ "$rc" -eq 2 ] && grep -q "sect.ini:2: listen .*\[serve\]" "$T/err"; }; then fail "a wrong section: $rc $(cat "$T/err")"; fi
set +e
"$BIN/wufei-central" kiosk list --config "$T/bad.ini" 2>"$T/err"
rc=$?
set -e
if ! { [ "$rc" -ne 0 ] && grep -q "bad.ini:3: db" "$T/err"; }; then fail "kiosk list with a bad file: $rc"; fi
set +e
"$BIN/wufei-central" serve --config "$T/missing.ini" 2>"$T/err"
rc=$?
set -e
if ! { [ "$rc" -eq 2 ] && grep -q "missing.ini" "$T/err"; }; then fail "a missing file: $rc $(cat "$T/err")"; fi
# 5. An installed server: no --db, no --config, and /etc/wufei/central.ini
# there: the office's commands use its db. /etc is this machine's, so the
# test puts a copy of it with the file over /etc in a private mount
# namespace (unshare -m: root only; said and skipped otherwise).
with_etc() { # runs wufei-central "$@" with $T/etc as /etc
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare -m bash -c 'mount --bind "$1/etc" /etc && shift && exec "$@"' _ "$T" \
		"$BIN/wufei-central" "$@"
}
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
	"$BIN/wufei-kiosk" keygen --out "$T/k.key" >/dev/null
	"$BIN/wufei-central" kiosk add 7 --pubkey "$T/k.key.pub" --name "Seven Oaks" \
		--config "$T/central.ini" >/dev/null || fail "kiosk add --config"
	cp -a /etc "$T/etc"
	mkdir -p "$T/etc/wufei"
	cp "$T/central.ini" "$T/etc/wufei/central.ini"
	with_etc kiosk list >"$T/list" 2>&1 || fail "kiosk list with /etc/wufei/central.ini: $(cat "$T/list")"
	grep -q "Seven Oaks" "$T/list" || fail "kiosk list did not read the file's db: $(cat "$T/list")"
	rm "$T/etc/wufei/central.ini"
	set +e
	with_etc kiosk list >"$T/list" 2>&1
	rc=$?
	set -e
	if ! { [ "$rc" -ne 0 ] && grep -q "/etc/wufei/central.ini" "$T/list"; }; then
		fail "kiosk list without --db or a config file: $rc $(cat "$T/list")"
	fi
else
	echo "skipped: the default /etc/wufei/central.ini (needs root and unshare -m)"
fi

echo "ok: central.ini reaches serve and the office's commands; the command line wins; bad keys named"
