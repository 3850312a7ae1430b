#!/usr/bin/env bash
# scripts/package.sh OUTDIR VERSION: every package at VERSION (the install
# test's upgrade builds 0.1.0+test2 this way), the kiosk and central pinned
# to wufei-common at VERSION, the changelog naming it; OUTDIR holds only the
# four packages; a version dpkg would refuse is refused before building.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
set +e
out=$(bash "$SRC/scripts/package.sh" "$tmp/bad" "not a version" 2>&1)
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "package.sh took the version 'not a version' (exit $rc)"
printf '%s\n' "$out" | grep -q 'not a Debian version' || fail "no clear message: $out"
[ ! -e "$tmp/bad" ] || fail "package.sh made OUTDIR for a refused version"
ok "a bad version is refused: $out"

mkdir -p "$tmp/out" && echo x >"$tmp/out/notes.txt"
v=0.1.0+test2
bash "$SRC/scripts/package.sh" "$tmp/out" "$v" >"$tmp/list"
[ "$(wc -l <"$tmp/list")" -eq 4 ] || fail "package.sh printed $(wc -l <"$tmp/list") paths, not 4"
[ -f "$tmp/out/notes.txt" ] || fail "package.sh removed a file in OUTDIR that was not a package"
WUFEI_DEBS=$tmp/out
for p in $PKGS; do
	d=$(deb "$p")
	grep -qxF "$d" "$tmp/list" || fail "package.sh did not print $d"
	[ "$(dpkg-deb -f "$d" Version)" = "$v" ] || fail "$p is not version $v"
	dpkg-deb --fsys-tarfile "$d" | tar -xO "./usr/share/doc/$p/changelog.gz" | zcat | head -1 |
		grep -qF "($v)" || fail "$p's changelog does not name $v"
done
for p in wufei-kiosk wufei-central; do
	dpkg-deb -f "$(deb "$p")" Depends | grep -qF "wufei-common (= $v)" || fail "$p not pinned to wufei-common $v"
done
dpkg --compare-versions "$v" gt 0.1.0 || fail "$v does not sort after 0.1.0 (an upgrade)"
ok "package.sh OUTDIR $v: four packages at $v, pinned, changelogs named"
