#!/usr/bin/env bash
# Installs every Debian package Wufei needs to build, test and run its demo.
# Idempotent and quick when everything is present: it asks dpkg first and only
# calls apt-get for what is missing.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config clang clang-format libclang-rt-14-dev
  libsqlite3-dev sqlite3 libsodium-dev libjansson-dev libinih-dev
  libserialport-dev libmicrohttpd-dev libcurl4-openssl-dev libpq-dev
  libcmocka-dev libqrencode-dev libpng-dev
  libsdl2-dev libsdl2-ttf-dev libfontconfig-dev fonts-noto-cjk fonts-dejavu-core
  libglib2.0-dev chromium tidy gettext zbar-tools faketime util-linux iproute2 procps openssl xdotool
  postgresql postgresql-client xvfb xauth imagemagick optipng
  lintian fakeroot dpkg-dev shellcheck man-db binutils # .deb packages: scripts/package.sh, tests/packaging
  libsystemd-dev systemd cage udev # sd_notify/watchdog, systemd-analyze verify and udevadm test (tests/sysd), the kiosk unit
  libsystemd-dev prometheus # sd_journal_send (common/log); promtool (tests: metrics file, alert rules)
  debootstrap # tests/install: the clean Debian 12 root of the install test
)
# The office pages' browser test (tests/web) runs Node 18 or newer with npm:
# Debian's nodejs and npm, unless a node and an npm are there already (a
# newer Node from elsewhere brings its own npm, which Debian's would fight).
command -v node >/dev/null 2>&1 || PKGS+=(nodejs)
command -v npm >/dev/null 2>&1 || PKGS+=(npm)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
