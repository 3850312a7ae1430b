# shellcheck shell=bash disable=SC2034
# Shared by the packaging tests (sourced): where the packages are, and how a
# check fails (the first failed check ends the test, naming what is wrong).
set -euo pipefail
: "${WUFEI_SOURCE_DIR:?}" "${WUFEI_DEBS:?}"
SRC=$WUFEI_SOURCE_DIR
PKGS="wufei-kiosk wufei-central wufei-devsim wufei-common"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}
ok() { echo "ok: $*"; }

# deb PKG: the path of PKG's .deb in $WUFEI_DEBS (exactly one).
deb() {
	local f
	f=$(find "$WUFEI_DEBS" -maxdepth 1 -name "$1_*.deb")
	if [ -z "$f" ] || [ "$(printf '%s\n' "$f" | wc -l)" -ne 1 ]; then
		fail "expected one $1_*.deb in $WUFEI_DEBS, found: ${f:-none}"
	fi
	printf '%s\n' "$f"
}
