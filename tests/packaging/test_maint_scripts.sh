#!/usr/bin/env bash
# The maintainer scripts (packaging/deb/PKG/{postinst,prerm,postrm}) and
# scripts/package.sh: shellcheck clean (POSIX sh for the maintainer scripts),
# `set -e`, and what dpkg needs of them; what they do is run for real in a
# Debian root by the install test (tests/install). Also what a purge must not
# touch: no maintainer script names the journal, central.db or
# /var/lib/wufei in a command that removes.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
n=0
for s in "$SRC"/packaging/deb/wufei-*/{postinst,prerm,postrm}; do
	[ -e "$s" ] || continue
	name=${s#"$SRC"/}
	[ -x "$s" ] || fail "$name is not executable (dpkg runs it directly)"
	[ "$(head -1 "$s")" = "#!/bin/sh" ] || fail "$name does not start with #!/bin/sh"
	grep -qx 'set -e' "$s" || fail "$name has no 'set -e' line"
	sh -n "$s" || fail "$name: sh -n refuses it"
	shellcheck -s sh "$s" || fail "$name: shellcheck (above)"
	if grep -nE '(rm|rmdir|find)[^#]*(/var/lib|journal|central\.db|deluser|userdel)' "$s" |
		grep -v '^[0-9]*:[[:space:]]*#'; then
		fail "$name removes data or users (above): remove and purge keep them"
	fi
	n=$((n + 1))
done
[ "$n" -eq 6 ] || fail "expected the postinst, prerm and postrm of wufei-kiosk and wufei-central, found $n"
for p in wufei-kiosk wufei-central; do
	grep -q "systemd-sysusers" "$SRC/packaging/deb/$p/postinst" ||
		fail "$p/postinst does not apply its sysusers.d file"
	if grep -v '^[[:space:]]*#' "$SRC/packaging/deb/$p/postinst" | grep -q 'ledger\|sqlite'; then
		fail "$p/postinst makes a journal or database: the package creates none"
	fi
done
shellcheck "$SRC/scripts/package.sh" || fail "scripts/package.sh: shellcheck (above)"
(cd "$(dirname "$0")" && shellcheck -x ./*.sh) || fail "tests/packaging: shellcheck (above)"
ok "$n maintainer scripts, package.sh and these tests: shellcheck clean, set -e, sh -n"
