#!/usr/bin/env bash
# The systemd units (packaging/systemd/) pass `systemd-analyze verify`, and
# what they promise cannot silently go: the watchdog and restart policy of
# both kiosk units, the central unit's hardening (checked line by line, and
# its exposure by `systemd-analyze security --offline` under 2.0).
#
# verify wants every ExecStart binary to exist and be executable, so the
# units are copied to a temporary directory with /usr/bin/wufei-* rewritten
# to this build's binaries (WUFEI_BIN; the kiosk units start it through
# /bin/sh, so for them it is checked below: the rewritten path exists); not --root=, which would need a
# whole installed tree (cage included) under that root. /usr/bin/cage must
# be installed (scripts/deps.sh). --man=no: the man pages are installed by
# the packages, not on a build machine.
# Needs: systemd-analyze (package systemd), the build's wufei-kiosk and wufei-central.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${WUFEI_BIN:?set WUFEI_BIN to the build bin directory}
UNITS=(wufei-kiosk.service wufei-kiosk-kmsdrm.service wufei-central.service)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for u in "${UNITS[@]}"; do
	[ -f "$SRC/packaging/systemd/$u" ] || fail "packaging/systemd/$u is missing"
	sed "s|/usr/bin/wufei-|$BIN/wufei-|g" "$SRC/packaging/systemd/$u" >"$T/$u"
done
[ -x /usr/bin/cage ] || fail "/usr/bin/cage is not installed (scripts/deps.sh)"
for b in wufei-kiosk wufei-central; do [ -x "$BIN/$b" ] || fail "$BIN/$b not built"; done
# every wufei binary a unit names, also inside sh -c, is one this build makes
while read -r p; do
	[ -x "$BIN/${p#/usr/bin/}" ] || fail "a unit runs $p, which this build does not make"
done < <(grep -ho '/usr/bin/wufei-[a-z-]*' "$SRC"/packaging/systemd/*.service | sort -u)

(cd "$T" && SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no "${UNITS[@]}") >"$T/verify" 2>&1 ||
	{ cat "$T/verify" >&2; fail "systemd-analyze verify"; }
if [ -s "$T/verify" ]; then
	cat "$T/verify" >&2
	fail "systemd-analyze verify said something (above)"
fi

# has UNIT LINE: the unit holds exactly this line.
has() { grep -qxF "$2" "$SRC/packaging/systemd/$1" || fail "$1 lacks '$2'"; }
for u in wufei-kiosk.service wufei-kiosk-kmsdrm.service; do
	for l in Type=notify NotifyAccess=all Restart=on-failure User=wufei-kiosk \
		StartLimitBurst=5 StartLimitIntervalSec=600 TTYPath=/dev/tty1 PAMName=login \
		NoNewPrivileges=yes; do
		has "$u" "$l"
	done
	dog=$(sed -n 's/^WatchdogSec=\([0-9]*\)$/\1/p' "$SRC/packaging/systemd/$u")
	[ -n "$dog" ] || fail "$u: no WatchdogSec"
	# the loop waits up to LEDGER_BUSY_MAX_MS for a busy journal without pinging
	busy=$(sed -n 's/^#define LEDGER_BUSY_MAX_MS *\([0-9]*\).*/\1/p' "$SRC/kiosk/journal/ledger.h")
	[ -n "$busy" ] || fail "LEDGER_BUSY_MAX_MS not found in kiosk/journal/ledger.h"
	[ "$((dog * 1000))" -gt "$busy" ] ||
		fail "$u: WatchdogSec=$dog is not longer than the journal's busy wait (${busy} ms)"
	grep -q "^ExecStart=.*/bin/sh -c 'exec /usr/bin/wufei-kiosk run --window --config /etc/wufei/kiosk.ini </dev/null'\$" \
		"$SRC/packaging/systemd/$u" ||
		fail "$u: ExecStart is not the kiosk in its window (--window: the screen, touches and a keyboard-wedge reader) on kiosk.ini with standard input /dev/null"
done
for u in wufei-kiosk.service wufei-kiosk-kmsdrm.service; do
	# the kiosk works offline: no wait for a network before its screen
	if grep -v '^#' "$SRC/packaging/systemd/$u" | grep -q 'network-online'; then
		fail "$u waits for network-online.target"
	fi
done
has wufei-kiosk.service Environment=SDL_VIDEODRIVER=wayland
has wufei-kiosk.service Conflicts=getty@tty1.service\ wufei-kiosk-kmsdrm.service
grep -q '^ExecStart=/usr/bin/cage ' "$SRC/packaging/systemd/wufei-kiosk.service" ||
	fail "wufei-kiosk.service does not run cage"
has wufei-kiosk-kmsdrm.service Environment=SDL_VIDEODRIVER=kmsdrm
has wufei-kiosk-kmsdrm.service Conflicts=getty@tty1.service\ wufei-kiosk.service
for l in Type=notify User=wufei-central ProtectSystem=strict PrivateTmp=yes NoNewPrivileges=yes \
	ReadWritePaths=/var/lib/wufei/central ProtectHome=yes PrivateDevices=yes \
	CapabilityBoundingSet= Restart=on-failure \
	"ExecStart=/usr/bin/wufei-central serve --config /etc/wufei/central.ini"; do
	has wufei-central.service "$l"
done
# One writable place only.
[ "$(grep -c '^ReadWritePaths=' "$SRC/packaging/systemd/wufei-central.service")" -eq 1 ] ||
	fail "wufei-central.service: more than one ReadWritePaths="

(cd "$T" && systemd-analyze security --offline=yes --threshold=20 wufei-central.service) \
	>"$T/sec" 2>&1 || { tail -5 "$T/sec" >&2; fail "wufei-central.service: exposure above 2.0"; }
grep '^→' "$T/sec" || true
echo "ok: ${UNITS[*]} verified; watchdog, restart and hardening present"
