#!/usr/bin/env bash
# lintian on the packages: no error (E:), and every warning (W:) is one
# packaging/README.md lists with its reason (section "Lintian warnings",
# lines "- `tag`"). A warning nobody explained fails the test.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
debs=()
for p in $PKGS; do debs+=("$(deb "$p")"); done
out=$(lintian --no-cfg --fail-on none "${debs[@]}" 2>&1 | grep -v 'running with root privileges') || true
printf '%s\n' "$out"
if printf '%s\n' "$out" | grep -q '^E: '; then
	fail "lintian found errors (E: above)"
fi
readme=$SRC/packaging/README.md
# shellcheck disable=SC2016 # the backquotes are README's, not the shell's
listed=$(sed -n '/^## Lintian warnings/,/^## /p' "$readme" | sed -n 's/^- `\([a-z0-9.+-]*\)`.*/\1/p')
n=0
while read -r tag; do
	[ -n "$tag" ] || continue
	printf '%s\n' "$listed" | grep -qx "$tag" ||
		fail "lintian warns $tag: fix it or explain it in packaging/README.md, \"Lintian warnings\""
	n=$((n + 1))
done < <(printf '%s\n' "$out" | sed -n 's/^W: [^:]*: \([^ ]*\).*/\1/p' | sort -u)
ok "lintian: no errors; $n warning tag(s), each explained in packaging/README.md"
