#!/usr/bin/env bash
# scripts/package.sh OUTDIR [VERSION] — builds the .deb packages from a
# Release build of this source tree and writes them, and nothing else, into
# OUTDIR (created if missing; .deb files already there are replaced):
#   wufei-kiosk_VERSION_ARCH.deb    wufei-central_VERSION_ARCH.deb
#   wufei-devsim_VERSION_ARCH.deb   wufei-common_VERSION_all.deb
# (wufei-common: the translations both the kiosk and central read; the
# kiosk and central depend on it at the same version.) VERSION (default:
# the project's, CMakeLists.txt) is the packages' version, e.g. 0.1.0+test2
# for an upgrade test. Prints the four paths, one a line, on stdout; the
# build's output goes to stderr. The build folder is build-package/ in this
# tree, or $WUFEI_PACKAGE_BUILD. Needs dpkg-dev (dpkg-shlibdeps), fakeroot
# is not needed (CPack writes root:root itself). packaging/README.md.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ -z "$1" ]; then
	echo "usage: scripts/package.sh OUTDIR [VERSION]" >&2
	exit 2
fi
out=$1
version=${2:-}
if [ -n "$version" ] && ! [[ $version =~ ^[0-9][A-Za-z0-9.+~-]*$ ]]; then
	echo "package.sh: '$version' is not a Debian version (digits first, then letters, digits, . + ~ -)" >&2
	exit 2
fi
src=$(cd "$(dirname "$0")/.." && pwd)
build=${WUFEI_PACKAGE_BUILD:-$src/build-package}
for tool in cmake dpkg-shlibdeps dpkg-deb gzip; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "package.sh: $tool is missing: run scripts/deps.sh" >&2
		exit 1
	fi
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Debian's hardening flags (lintian checks them); the changelog's date is
# the last commit's, so the same tree gives the same packages.
hard="-O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection -fcf-protection"
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$src" log -1 --format=%ct 2>/dev/null || date +%s)
	export SOURCE_DATE_EPOCH
fi
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
	-DWUFEI_TESTS=OFF -DWUFEI_PACKAGE=ON -DWUFEI_PACKAGE_VERSION="${version:-}" \
	-DCMAKE_C_FLAGS_RELEASE="$hard -DNDEBUG" \
	-DCMAKE_EXE_LINKER_FLAGS="-Wl,-z,relro -Wl,-z,now" \
	-DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >&2
cmake --build "$build" -j"$(nproc)" --target wufei-kiosk wufei-central wufei-devsim \
	wufei_translations wufei_package_files >&2
rm -rf "$build/_CPack_Packages" "$build"/*.deb
(cd "$build" && cpack -G DEB >&2)
rm -f "$out"/wufei-kiosk_*.deb "$out"/wufei-central_*.deb "$out"/wufei-devsim_*.deb \
	"$out"/wufei-common_*.deb
n=0
for deb in "$build"/*.deb; do
	cp "$deb" "$out/"
	echo "$out/$(basename "$deb")"
	n=$((n + 1))
done
if [ "$n" -ne 4 ]; then
	echo "package.sh: CPack wrote $n packages, not 4 (see $build)" >&2
	exit 1
fi
