#!/usr/bin/env bash
# A clean Debian 12 (bookworm) root for the install test, cached.
#   tests/install/rootfs.sh [CACHE_DIR [UNPACK_DIR]]
# Makes, once, a minimal root with
#   debootstrap --variant=minbase bookworm DIR <the host's Debian mirror>
# and keeps it as CACHE_DIR/rootfs-<variant>-v<recipe>.tar.gz; later runs
# reuse the tarball. Bump `recipe` below whenever what goes into the root
# changes: an old tarball is then simply not used (and removed).
# With UNPACK_DIR the tarball is unpacked there (a fresh root for one run).
# Prints the tarball's path. Needs root, debootstrap and the network on the
# first run only.
# CACHE_DIR defaults to $WUFEI_INSTALL_CACHE, else /var/cache/wufei-test.
# Also in CACHE_DIR: debootstrap-debs/ (the .debs debootstrap fetched, so a
# recipe bump does not download them again) and apt-archives/ (the install
# test bind-mounts it on the root's /var/cache/apt/archives: the packages'
# dependencies are downloaded once).
set -euo pipefail
variant=minbase
suite=bookworm
recipe=2 # bump when the recipe below changes
cache=${1:-${WUFEI_INSTALL_CACHE:-/var/cache/wufei-test}}
unpack=${2:-}
die() { echo "rootfs: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap and chroot need it)"

# The mirror the host uses (deb822 or one-line sources), else Debian's own.
mirror=$(sed -nE 's/^URIs:[[:space:]]*([^[:space:]]+\/debian)\/?$/\1/p' \
  /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 || true)
[ -n "$mirror" ] || mirror=$(sed -nE 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+\/debian)\/?[[:space:]]+bookworm[[:space:]].*/\2/p' \
  /etc/apt/sources.list 2>/dev/null | head -1 || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
security=${mirror%/debian}/debian-security

mkdir -p "$cache/debootstrap-debs" "$cache/apt-archives/partial"
tarball=$cache/rootfs-$variant-v$recipe.tar.gz
exec 9>"$cache/.lock"
flock 9 # one builder at a time; others wait and reuse its tarball

if [ ! -s "$tarball" ]; then
  command -v debootstrap >/dev/null || die "debootstrap is not installed (scripts/deps.sh installs it)"
  rm -f "$cache"/rootfs-*.tar.gz # older recipes
  work=$(mktemp -d "${TMPDIR:-/tmp}/wufei-rootfs.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  echo "rootfs: debootstrap --variant=$variant $suite from $mirror (once; cached in $tarball)" >&2
  debootstrap --variant="$variant" --cache-dir="$cache/debootstrap-debs" \
    "$suite" "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
  r=$work/root
  # No documentation or manuals: a smaller cache and faster installs
  # (copyright files stay, as Debian asks). Translations stay: the kiosk
  # refuses to start without its own (wufei-common's .mo files).
  cat >"$r/etc/dpkg/dpkg.cfg.d/01-wufei-test-nodoc" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
CFG
  find "$r/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete 2>/dev/null || true
  rm -rf "$r/usr/share/man" "$r/usr/share/info"
  cat >"$r/etc/apt/sources.list" <<SRC
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
SRC
  # apt-get keeps what it downloads (the cache is bind-mounted there).
  echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' >"$r/etc/apt/apt.conf.d/01-wufei-test-keep"
  rm -rf "$r/var/lib/apt/lists"/* "$r/var/cache/apt/archives"/*.deb
  tar -C "$r" --numeric-owner -czf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  rm -rf "$work"
  trap - EXIT
fi
flock -u 9

if [ -n "$unpack" ]; then
  mkdir -p "$unpack"
  tar -C "$unpack" --numeric-owner -xzf "$tarball"
fi
echo "$tarball"
