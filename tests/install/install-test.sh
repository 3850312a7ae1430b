#!/usr/bin/env bash
# shellcheck disable=SC2016 # dpkg-query formats are literal
# The install test: the .deb packages on a clean Debian 12 root, as a
# technician installs them (issue 14, "Proof"). As root:
#   tests/install/install-test.sh [--debs DIR] [--keep]
#  1. a fresh minbase bookworm root (tests/install/rootfs.sh, cached), with
#     proc, sys, dev and a private devpts mounted (unmounted on every exit)
#  2. the packages built with scripts/package.sh (or taken from --debs DIR),
#     installed with apt-get, which pulls their Debian dependencies; no
#     service is started by a maintainer script (policy-rc.d, and there is
#     no systemd in a chroot)
#  3. checks users, groups, state folders (owner, mode), conffiles, that no
#     journal was created and that the kiosk's first start asks for
#     `ledger init`
#  4. starts wufei-central exactly as its unit's ExecStart says (User= too),
#     from its default /etc/wufei/central.ini; enrols a kiosk (keygen,
#     ledger init, kiosk add --pubkey) and a catalogue; runs wufei-devsim
#     and wufei-kiosk headless for one drop, and checks central holds it
#  5. upgrades to packages rebuilt from a copy of the tree whose default
#     kiosk.ini changed, over a local edit of /etc/wufei/kiosk.ini: the edit
#     is kept, the new default lands beside it as kiosk.ini.dpkg-dist, the
#     journal is untouched and the kiosk still runs
#  6. apt-get remove (binaries gone, data kept), apt-get purge (the
#     packages' /etc/wufei files gone, data kept)
# Every check prints what it checks; the first one that fails ends the test
# with a message saying what was expected and what was found.
# The services run in a private network namespace (their loopback only):
# central's fixed port from its default config cannot meet another test's.
# Environment:
#   WUFEI_INSTALL_CACHE  cache folder (default /var/cache/wufei-test): the
#                        root's tarball and apt's downloaded .debs
#   WUFEI_INSTALL_SHIM   libwufei_pty_shim.so (default build/lib/...): test
#                        support that makes wufei-devsim's pseudo-terminals
#                        answer libserialport like UARTs, as in the demo; it
#                        is copied into the root for this test only
#   WUFEI_INSTALL_WORK   where the run's files go (default a temp folder)
# --keep leaves the root and the logs (after unmounting) for a look.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/install
debs='' keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --debs) debs=$(cd "$2" && pwd); shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: tests/install/install-test.sh [--debs DIR] [--keep]" >&2; exit 2 ;;
  esac
done

t0=$(date +%s)
step() { printf '\n== [%ss] %s\n' "$(($(date +%s) - t0))" "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
die() {
  printf '\ninstall-test: FAILED: %s\n' "$*" >&2
  exit 1
}
[ "$(id -u)" -eq 0 ] || die "must run as root (chroot, mounts, apt-get in the root)"
for t in debootstrap chroot nsenter unshare ip dpkg-deb; do
  command -v "$t" >/dev/null || die "$t is missing (scripts/deps.sh installs what the test needs)"
done
cache=${WUFEI_INSTALL_CACHE:-/var/cache/wufei-test}
shim=${WUFEI_INSTALL_SHIM:-$top/build/lib/libwufei_pty_shim.so}
[ -f "$shim" ] || die "no pty shim at $shim: build the target wufei_pty_shim or set WUFEI_INSTALL_SHIM"
work=${WUFEI_INSTALL_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/wufei-install.XXXXXX")}
mkdir -p "$work"
work=$(cd "$work" && pwd)
root=$work/root
netns_pid=

# the process that holds the services' network namespace (unshare's child)
ns_holder() { pgrep -P "$netns_pid" | head -1; }

# --- cleanup: every exit path ----------------------------------------------
mounted() { findmnt -rn -o TARGET | grep -q "^$root\(/\|$\)"; }
cleanup() {
  local rc=$?
  set +e
  # processes whose root is this chroot (ours only), then the namespace holder
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -9 "${p#/proc/}" 2>/dev/null
  done
  # (unshare --fork ignores SIGTERM itself: end the holder, it follows)
  if [ -n "$netns_pid" ]; then
    kill "$(ns_holder)" 2>/dev/null
    wait "$netns_pid" 2>/dev/null
  fi
  exec 3>&- 4>&- 2>/dev/null
  for m in $(findmnt -rn -o TARGET | grep "^$root/" | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m"
  done
  if mounted; then
    echo "install-test: something is still mounted under $root; not removing it" >&2
  elif [ $keep -eq 0 ] && [ -z "${WUFEI_INSTALL_WORK:-}" ]; then
    rm -rf "$work"
  else
    echo "install-test: the root and logs are in $work" >&2
  fi
  printf 'install-test: %s after %ss\n' "$([ $rc -eq 0 ] && echo ok || echo failed)" \
    "$(($(date +%s) - t0))"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. the root ------------------------------------------------------------
step "a clean Debian 12 root (debootstrap minbase, cache $cache)"
bash "$here/rootfs.sh" "$cache" "$root" >/dev/null
[ -x "$root/usr/bin/apt-get" ] || die "the unpacked root has no apt-get"
ok "unpacked into $root"
mount -t proc proc "$root/proc"
mount -t sysfs -o ro sysfs "$root/sys" 2>/dev/null || mount --bind -o ro /sys "$root/sys"
mount -t tmpfs -o mode=755,nosuid tmpfs "$root/dev"
for n in null zero full random urandom tty; do
  touch "$root/dev/$n"
  mount --bind "/dev/$n" "$root/dev/$n"
done
mkdir -p "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
ln -s /proc/self/fd "$root/dev/fd"
mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
mkdir -p "$cache/apt-archives/partial"
mount --bind "$cache/apt-archives" "$root/var/cache/apt/archives"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
# dpkg without fsync: a throwaway root (halves the install's time)
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/02-wufei-test-unsafe-io"
printf '#!/bin/sh\n# install test: no service starts in the chroot\nexit 101\n' \
  >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
ok "proc, sys, dev, devpts, apt's archive cache mounted; policy-rc.d says 101"

# A network namespace with only a loopback, for the services.
unshare --net --fork --kill-child -- sh -c 'ip link set lo up && exec sleep 86400' >/dev/null 2>&1 &
netns_pid=$!
for _ in $(seq 50); do
  h=$(ns_holder)
  [ -n "$h" ] && [ "$(readlink "/proc/$h/ns/net")" != "$(readlink /proc/self/ns/net)" ] && break
  sleep 0.1
done

ENVV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
  DEBIAN_FRONTEND=noninteractive)
# in_root CMD...: in the chroot, with the host's network (apt-get)
in_root() { chroot "$root" "${ENVV[@]}" "$@"; }
# in_root_apt CMD...: in_root, one run at a time on the shared archive cache
in_root_apt() { flock "$cache/.apt-lock" chroot "$root" "${ENVV[@]}" "$@"; }
# in_ns CMD...: in the chroot and the private network namespace
in_ns() { nsenter --net="/proc/$(ns_holder)/ns/net" chroot "$root" "${ENVV[@]}" "$@"; }
in_ns true || die "cannot enter the private network namespace"

# --- 2. the packages ----------------------------------------------------------
pkg_version() { dpkg-deb -f "$1" Version; }
if [ -z "$debs" ]; then
  step "the packages (scripts/package.sh)"
  v1=$(sed -nE 's/^project\(wufei VERSION ([0-9.]+).*/\1/p' "$top/CMakeLists.txt")
  bash "$top/scripts/package.sh" "$work/debs1" "$v1" >"$work/package1.log" 2>&1 ||
    { tail -30 "$work/package1.log" >&2; die "scripts/package.sh failed ($work/package1.log)"; }
  debs=$work/debs1
fi
shopt -s nullglob
set1=("$debs"/wufei-*.deb)
shopt -u nullglob
[ ${#set1[@]} -ge 3 ] || die "expected the wufei-*.deb packages in $debs, found ${#set1[@]}"
for p in wufei-kiosk wufei-central wufei-devsim; do
  ls "$debs/${p}"_*.deb >/dev/null 2>&1 || die "no ${p}_*.deb in $debs"
done
v1=$(pkg_version "$(ls "$debs"/wufei-kiosk_*.deb)")
ok "${#set1[@]} packages, version $v1: $(cd "$debs" && echo wufei-*.deb)"

step "apt-get install ./wufei-*.deb (pulls the Debian dependencies)"
mkdir -p "$root/tmp/debs1"
cp "${set1[@]}" "$root/tmp/debs1/"
in_root apt-get update -qq >"$work/apt-update.log" 2>&1 ||
  { tail "$work/apt-update.log" >&2; die "apt-get update failed in the root"; }
in_root_apt sh -c 'apt-get install -y ./tmp/debs1/wufei-*.deb' >"$work/apt-install.log" 2>&1 ||
  { tail -30 "$work/apt-install.log" >&2; die "apt-get install of the packages failed ($work/apt-install.log)"; }
for p in wufei-kiosk wufei-central wufei-devsim; do
  s=$(in_root dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null || true)
  [ "$s" = "install ok installed $v1" ] || die "$p: dpkg says '$s', expected 'install ok installed $v1'"
done
ok "wufei-kiosk, wufei-central, wufei-devsim $v1 installed; $(grep -c '^Setting up' "$work/apt-install.log") packages set up"
# shellcheck source=tests/install/checks.sh disable=SC2016
source "$here/checks.sh"

check_installed
check_unenrolled_start

# --- 4. central, a kiosk, one drop ------------------------------------------
step "wufei-central from its default config, as its unit starts it"
central_start
site_config
check_first_start
enrol
step "wufei-devsim and wufei-kiosk headless: one drop"
kiosk_start first
one_drop
kiosk_quit
central_holds_drop

# --- 5. upgrade -----------------------------------------------------------------
upgrade
# --- 6. remove, purge -------------------------------------------------------
remove_purge
step "all checks passed"
