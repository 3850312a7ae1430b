# tests/install/checks.sh — the install test's steps (sourced by
# install-test.sh, which defines root, work, top, v1, debs, step, ok, die,
# in_root and in_ns). Each step prints what it checks and dies at the first
# check that fails.
# shellcheck shell=bash disable=SC2154,SC2016 # (dpkg-query formats are literal)

kiosk_no=7 # the kiosk this test enrols
fix_local='language = en ; install test: a local edit' # the technician's edit of kiosk.ini

# ini_get FILE SECTION KEY: the value in the root's FILE (comments cut)
ini_get() {
  awk -v s="[$2]" -v k="$3" '
    /^[[:space:]]*\[/ { sec = $0; gsub(/[[:space:]]/, "", sec) }
    sec == s && $0 ~ "^[[:space:]]*" k "[[:space:]]*=" {
      v = $0; sub(/^[^=]*=[[:space:]]*/, "", v); sub(/[[:space:]]+;.*$/, "", v)
      sub(/[[:space:]]+$/, "", v); print v; exit }' "$root$1"
}
as_user() { local u=$1; shift; in_ns runuser -u "$u" -- "$@"; }
owner_mode() { in_root stat -c '%U %a' "$1" 2>/dev/null || echo "missing"; }

check_installed() {
  step "what the packages put in place"
  for u in wufei-kiosk wufei-central; do
    in_root getent passwd "$u" >/dev/null || die "no system user $u after install (sysusers.d)"
    in_root getent group "$u" >/dev/null || die "no group $u after install (sysusers.d)"
  done
  ok "users and groups wufei-kiosk, wufei-central"
  for b in wufei-kiosk wufei-central wufei-devsim; do
    [ -x "$root/usr/bin/$b" ] || die "/usr/bin/$b is not there"
  done
  ok "/usr/bin/wufei-kiosk, wufei-central, wufei-devsim"
  for d in kiosk central; do
    local om
    om=$(owner_mode "/var/lib/wufei/$d")
    [ "$om" = "wufei-$d 750" ] || die "/var/lib/wufei/$d is '$om', expected owner wufei-$d mode 750"
  done
  ok "/var/lib/wufei/kiosk and /var/lib/wufei/central: owner wufei-*, mode 0750"
  local cf
  cf=$(in_root dpkg-query -W -f='${Conffiles}\n' wufei-kiosk)
  grep -q ' /etc/wufei/kiosk.ini ' <<<"$cf" || die "/etc/wufei/kiosk.ini is not a conffile of wufei-kiosk ($cf)"
  cf=$(in_root dpkg-query -W -f='${Conffiles}\n' wufei-central)
  grep -q ' /etc/wufei/central.ini ' <<<"$cf" || die "/etc/wufei/central.ini is not a conffile of wufei-central ($cf)"
  for f in kiosk.ini central.ini; do
    [ -f "$root/etc/wufei/$f" ] || die "/etc/wufei/$f is missing"
  done
  ok "/etc/wufei/kiosk.ini and /etc/wufei/central.ini installed as conffiles"
  local dbs
  dbs=$(cd "$root" && find var/lib/wufei -type f | tr '\n' ' ')
  [ -z "$dbs" ] || die "the install created files under /var/lib/wufei: $dbs(no journal by accident)"
  ok "no journal and no database created by the install"
}

check_unenrolled_start() {
  step "the kiosk's start on the packaged kiosk.ini, not yet enrolled"
  local rc=0
  as_user wufei-kiosk timeout 60 wufei-kiosk run </dev/null >"$work/unenrolled.log" 2>&1 || rc=$?
  sed 's/^/   | /' "$work/unenrolled.log" | tail -3
  if [ $rc -eq 0 ] || [ $rc -eq 124 ]; then
    die "wufei-kiosk run on the packaged kiosk.ini: exit $rc, expected a refusal"
  fi
  grep -q 'number: required key missing' "$work/unenrolled.log" ||
    die "the unenrolled kiosk did not ask for its [kiosk] number"
  ok "refused (exit $rc), asks for the kiosk's number"
}

check_first_start() {
  step "the kiosk's first start, enrolled but before a journal exists"
  local rc=0
  as_user wufei-kiosk env SDL_VIDEODRIVER=offscreen timeout 60 wufei-kiosk run --screenshots /tmp/first \
    </dev/null >"$work/first-start.log" 2>&1 || rc=$?
  sed 's/^/   | /' "$work/first-start.log" | tail -3
  [ $rc -ne 0 ] || die "wufei-kiosk run started without a journal (exit 0)"
  [ $rc -ne 124 ] || die "wufei-kiosk run without a journal did not stop within 60 s"
  grep -q "ledger init $ledger" "$work/first-start.log" ||
    die "wufei-kiosk run without a journal (exit $rc) did not say to run 'wufei-kiosk ledger init $ledger'"
  [ -z "$(cd "$root" && find var/lib/wufei/kiosk -type f)" ] || die "the first start created a file under /var/lib/wufei/kiosk"
  ok "exit $rc, names 'wufei-kiosk ledger init $ledger', created nothing"
}

central_pid=
central_start() {
  local unit exec user
  for unit in "$root"/{lib,usr/lib}/systemd/system/wufei-central.service ""; do
    [ -f "$unit" ] && break
  done
  [ -n "$unit" ] || die "no wufei-central.service installed"
  exec=$(sed -n 's/^ExecStart=[-@:+!]*//p' "$unit" | head -1)
  user=$(sed -n 's/^User=//p' "$unit" | head -1)
  [ -n "$exec" ] || die "no ExecStart= in ${unit#"$root"}"
  user=${user:-root}
  db=$(ini_get /etc/wufei/central.ini serve db)
  listen=$(ini_get /etc/wufei/central.ini serve listen)
  [ -n "$db" ] || die "/etc/wufei/central.ini has no [serve] db"
  [ -n "$listen" ] || die "/etc/wufei/central.ini has no [serve] listen"
  [ -z "$(ini_get /etc/wufei/central.ini serve tls_cert)" ] ||
    die "the default central.ini sets tls_cert; this test expects plain HTTP behind a proxy"
  port=${listen##*:}
  echo "   ${unit#"$root"}: User=$user ExecStart=$exec"
  echo "   central.ini: db = $db, listen = $listen"
  # shellcheck disable=SC2086 # ExecStart's words, as systemd splits them
  as_user "$user" $exec >"$work/central.out" 2>>"$work/central.log" &
  central_pid=$!
  for _ in $(seq 100); do
    in_ns bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null && break
    kill -0 "$central_pid" 2>/dev/null || { tail "$work/central.log" >&2; die "wufei-central exited at start (log above)"; }
    sleep 0.2
  done
  in_ns bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null || die "wufei-central does not answer on port $port"
  ok "wufei-central serves on $listen as $user"
}

central_stop() {
  [ -n "$central_pid" ] || return 0
  kill "$central_pid" 2>/dev/null || true
  wait "$central_pid" 2>/dev/null || true
  central_pid=
}

cen() { as_user wufei-central wufei-central "$@"; }

# The technician's site settings: the key, and a drop-in with the kiosk's
# number and name, central's address and (here) wufei-devsim's devices.
site_config() {
  step "site settings: kiosk key, kiosk.ini.d drop-in"
  in_root wufei-kiosk keygen --out /etc/wufei/kiosk.key >/dev/null || die "wufei-kiosk keygen failed"
  in_root chown wufei-kiosk:wufei-kiosk /etc/wufei/kiosk.key
  in_root chmod 0600 /etc/wufei/kiosk.key
  [ -f "$root/etc/wufei/kiosk.key.pub" ] || die "keygen wrote no /etc/wufei/kiosk.key.pub"
  ledger=$(ini_get /etc/wufei/kiosk.ini kiosk ledger)
  case "$ledger" in /var/lib/wufei/kiosk/*) ;; *) die "the packaged kiosk.ini's ledger is '$ledger', not under /var/lib/wufei/kiosk/" ;; esac
  mkdir -p "$root/etc/wufei/kiosk.ini.d"
  cat >"$root/etc/wufei/kiosk.ini.d/50-install-test.ini" <<INI
; the install test's site: its kiosk number, central, simulated devices
[kiosk]
number = $kiosk_no
name = Install test kiosk
key_file = /etc/wufei/kiosk.key

[central]
url = http://127.0.0.1:$port

[device.scale]
transport = serial:/tmp/devsim/scale

[device.card]
transport = serial:/tmp/devsim/card

[device.printer]
transport = serial:/tmp/devsim/printer
baud = 115200
qr = raster
INI
  ok "key /etc/wufei/kiosk.key (wufei-kiosk 0600); drop-in kiosk.ini.d/50-install-test.ini: number $kiosk_no, name, central, devices"
  mkdir -p "$root/usr/local/lib/wufei-test"
  cp "$shim" "$root/usr/local/lib/wufei-test/"
}

enrol() {
  step "enrol: ledger init, catalogue and kiosk add --pubkey at central"
  as_user wufei-kiosk wufei-kiosk ledger init "$ledger" --kiosk "$kiosk_no" || die "ledger init failed"
  [ "$(owner_mode "$ledger")" != missing ] || die "ledger init made no $ledger"
  ok "journal $ledger of kiosk $kiosk_no, owner $(owner_mode "$ledger")"
  # the office's commands find the store through /etc/wufei/central.ini
  cen rates set --id 1 --code paper --name "纸类 Paper" --unit g --rate 2000 --min 100 --max 50000 \
    --daily-limit 20000 || die "rates set failed"
  cen resident add --id 1001 --card em4100:0014868981 --name "王*" --points 120 || die "resident add failed"
  cen kiosk add "$kiosk_no" --pubkey /etc/wufei/kiosk.key.pub --name "Install test kiosk" ||
    die "kiosk add failed"
  ok "central: rate paper, resident 1001, kiosk $kiosk_no with its public key"
}

kiosk_pid='' devsim_pid=''
kiosk_start() { # LOGNAME
  local log=$work/kiosk-$1.log
  rm -rf "$root/tmp/devsim" "$root/tmp/devsim.in" "$root/tmp/kiosk.in"
  install -d -o "$(stat -c %u "$root/var/lib/wufei/kiosk")" -m 700 "$root/tmp/devsim"
  mkfifo "$root/tmp/devsim.in" "$root/tmp/kiosk.in"
  as_user wufei-kiosk wufei-devsim --dir /tmp/devsim --scale xk3190-a9 --card em4100 --printer escpos \
    <"$root/tmp/devsim.in" >"$work/devsim-$1.out" 2>"$work/devsim-$1.err" &
  devsim_pid=$!
  exec 3>"$root/tmp/devsim.in"
  for _ in $(seq 100); do [ -L "$root/tmp/devsim/printer" ] && break; sleep 0.1; done
  [ -L "$root/tmp/devsim/printer" ] || die "wufei-devsim made no devices: $(tail -3 "$work/devsim-$1.err")"
  klog=$log
  : >"$klog"
  as_user wufei-kiosk env LD_PRELOAD=/usr/local/lib/wufei-test/libwufei_pty_shim.so \
    SDL_VIDEODRIVER=offscreen wufei-kiosk run --screenshots "/tmp/screens-$1" \
    <"$root/tmp/kiosk.in" >"$klog" 2>&1 &
  kiosk_pid=$!
  exec 4>"$root/tmp/kiosk.in"
  from=1
  seen "categories loaded"
  ok "wufei-kiosk runs as wufei-kiosk on wufei-devsim's devices; down-sync from central"
}

sim() { echo "$*" >&3; }
tap() { echo "$*" >&4; }
mark() { from=$(($(wc -l <"$klog") + 1)); }
# seen PATTERN: waits for PATTERN in what the kiosk logged since the mark
# (a cap of 60 s for a kiosk that hangs; the test follows the kiosk's log)
seen() {
  for _ in $(seq 600); do
    tail -n +"$from" "$klog" | grep -q -- "$1" && return 0
    kill -0 "$kiosk_pid" 2>/dev/null || break
    sleep 0.1
  done
  tail -15 "$klog" | sed 's/^/   | /' >&2
  die "the kiosk never logged '$1' (its log: $klog)"
}

one_drop() {
  sim "weight 0"
  sleep 1.5 # the platform seen empty and still
  mark; sim "card 0400E2E1F5"; seen "screen category"
  mark; tap "tap category paper"; sim "weight 1250"; seen "screen confirm"
  mark; tap "tap confirm"; seen "screen receipt"; seen "printer: "
  mark; tap "tap done"; seen "screen attract"
  ok "resident 1001's card, paper, 1.25 kg, confirmed, receipt printed"
}

kiosk_quit() {
  mark; tap "sync"; seen "sync: outbox empty"
  tap "quit"
  local st=0
  wait "$kiosk_pid" || st=$?
  exec 3>&- 4>&-
  kill "$devsim_pid" 2>/dev/null || true
  wait "$devsim_pid" 2>/dev/null || true
  [ $st -eq 0 ] || die "wufei-kiosk exited with status $st"
  ok "synced (outbox empty) and quit with status 0"
}

central_holds_drop() {
  step "central holds the drop"
  local tz day out
  tz=$(ini_get /etc/wufei/kiosk.ini kiosk timezone)
  day=$(TZ=${tz:-UTC} date +%F)
  out=$(cen report records --kiosk "$kiosk_no" --day "$day" --format csv) ||
    die "wufei-central report records failed"
  printf '%s\n' "$out" | sed 's/^/   | /'
  # kiosk,seq,recorded,received,cat,unit,qty,credited,points,resident,...
  grep -q "^$kiosk_no,[0-9]*,[^,]*,[^,]*,1,g,1250,[0-9]*,[0-9]*,1001," <<<"$out" ||
    die "central's records of kiosk $kiosk_no on $day hold no 1250 g paper drop of resident 1001"
  ok "wufei-central report records --kiosk $kiosk_no --day $day shows the 1250 g drop"
}

# The version-2 packages: scripts/package.sh run in a copy of the tree whose
# default kiosk.ini (the file the v1 package shipped) has one more line.
# The copy and its build folder stay in $top/build-install/ (or
# $WUFEI_INSTALL_BUILD): the files keep their times, so a second run
# rebuilds only what changed.
build_v2() {
  local b=${WUFEI_INSTALL_BUILD:-$top/build-install} shipped f found=''
  local src=$b/src
  v2=${v1%-*}+inst1
  newline="; install test: a new default line of version $v2"
  rm -rf "$src"
  mkdir -p "$src"
  if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$top" && git ls-files -z -co --exclude-standard | tar --null -T - -cf -) | tar -C "$src" -xf -
  else # a source tree without git: all but the build folders
    tar -C "$top" --exclude='./build*' --exclude=./demo-out -cf - . | tar -C "$src" -xf -
  fi
  shipped=$work/kiosk.ini.v1
  dpkg-deb --fsys-tarfile "$(ls "$debs"/wufei-kiosk_*.deb)" | tar -xO ./etc/wufei/kiosk.ini >"$shipped"
  for f in $(cd "$src" && find packaging -name 'kiosk.ini*' -type f); do
    cmp -s "$src/$f" "$shipped" && found=$f && break
  done
  [ -n "$found" ] || die "no file under packaging/ is the kiosk.ini the package ships"
  echo "$newline" >>"$src/$found"
  echo "   $found gets: $newline"
  WUFEI_PACKAGE_BUILD=$b/build-package bash "$src/scripts/package.sh" "$work/debs2" "$v2" \
    >"$work/package2.log" 2>&1 ||
    { tail -30 "$work/package2.log" >&2; die "scripts/package.sh (version $v2) failed ($work/package2.log)"; }
  ls "$work"/debs2/wufei-kiosk_*.deb >/dev/null 2>&1 || die "no wufei-kiosk package of version $v2"
  v2=$(pkg_version "$(ls "$work"/debs2/wufei-kiosk_*.deb)")
}

journal_sum() { cat "$root$ledger"* | sha256sum | cut -d' ' -f1; }

upgrade() {
  step "upgrade: packages rebuilt with a changed default kiosk.ini (scripts/package.sh)"
  build_v2
  ok "version $v2 built"
  central_stop
  sed -i "s/^language = .*/$fix_local/" "$root/etc/wufei/kiosk.ini"
  grep -qx "$fix_local" "$root/etc/wufei/kiosk.ini" || die "the packaged kiosk.ini has no 'language =' line to edit"
  local before after
  before=$(journal_sum)
  ok "local edit of /etc/wufei/kiosk.ini: '$fix_local'; journal sha256 ${before:0:16}..."
  mkdir -p "$root/tmp/debs2"
  cp "$work"/debs2/wufei-*.deb "$root/tmp/debs2/"
  in_root_apt sh -c 'apt-get install -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold ./tmp/debs2/wufei-*.deb' \
    >"$work/apt-upgrade.log" 2>&1 ||
    { tail -30 "$work/apt-upgrade.log" >&2; die "apt-get install of version $v2 failed ($work/apt-upgrade.log)"; }
  for p in wufei-kiosk wufei-central wufei-devsim; do
    s=$(in_root dpkg-query -W -f='${Status} ${Version}' "$p")
    [ "$s" = "install ok installed $v2" ] || die "$p after the upgrade: '$s', expected $v2"
  done
  ok "wufei-kiosk, wufei-central, wufei-devsim now $v2"
  grep -qx "$fix_local" "$root/etc/wufei/kiosk.ini" || die "the upgrade lost the local edit of /etc/wufei/kiosk.ini"
  grep -qxF "$newline" "$root/etc/wufei/kiosk.ini" && die "the upgrade wrote the new default over the local edit"
  [ -f "$root/etc/wufei/kiosk.ini.dpkg-dist" ] || die "no /etc/wufei/kiosk.ini.dpkg-dist beside the kept file"
  grep -qxF "$newline" "$root/etc/wufei/kiosk.ini.dpkg-dist" || die "kiosk.ini.dpkg-dist is not the new default"
  ok "kiosk.ini kept with the local edit; the new default is kiosk.ini.dpkg-dist"
  after=$(journal_sum)
  [ "$before" = "$after" ] || die "the upgrade changed the journal ($ledger*)"
  as_user wufei-kiosk wufei-kiosk ledger verify "$ledger" >"$work/verify.log" 2>&1 ||
    die "the journal does not verify after the upgrade: $(tail -2 "$work/verify.log")"
  ok "journal untouched and verifies"
  central_start
  kiosk_start upgraded
  local shown
  shown=$(as_user wufei-kiosk wufei-kiosk run --print-config 2>&1 | grep -m1 '^language' || true)
  [ "$shown" = "language = en" ] || die "--print-config does not show the kept edit (language = en): '$shown'"
  kiosk_quit
  ok "the upgraded kiosk reads the kept kiosk.ini and runs"
  central_stop
}

remove_purge() {
  local pkgs
  pkgs=$(in_root dpkg-query -W -f='${Package}\n' 'wufei-*' | tr '\n' ' ')
  step "apt-get remove $pkgs"
  in_root sh -c "apt-get remove -y $pkgs" >"$work/apt-remove.log" 2>&1 ||
    { tail -20 "$work/apt-remove.log" >&2; die "apt-get remove failed"; }
  for b in wufei-kiosk wufei-central wufei-devsim; do
    [ ! -e "$root/usr/bin/$b" ] || die "/usr/bin/$b is still there after remove"
  done
  ok "binaries gone"
  local centraldb=${db#sqlite:}
  [ -s "$root$ledger" ] || die "remove deleted the journal $ledger"
  [ -s "$root$centraldb" ] || die "remove deleted central's database $centraldb"
  [ -f "$root/etc/wufei/kiosk.ini" ] || die "remove deleted /etc/wufei/kiosk.ini (only purge may)"
  ok "journal, central.db and the conffiles kept"
  # what dpkg still knows after remove: the packages with conffiles left
  pkgs=$(in_root dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'wufei-*' | awk '$1 == "rc" {print $2}' | tr '\n' ' ')
  [ -n "$pkgs" ] || die "after remove dpkg knows no wufei package with configuration left"
  step "apt-get purge $pkgs(the packages whose configuration remove left)"
  in_root sh -c "apt-get purge -y $pkgs" >"$work/apt-purge.log" 2>&1 ||
    { tail -20 "$work/apt-purge.log" >&2; die "apt-get purge failed"; }
  for f in kiosk.ini kiosk.ini.dpkg-dist central.ini; do
    [ ! -e "$root/etc/wufei/$f" ] || die "/etc/wufei/$f is still there after purge"
  done
  [ ! -e "$root/etc/wufei/kiosk.ini.d/50-install-test.ini" ] || die "purge left the drop-ins in kiosk.ini.d/"
  ok "/etc/wufei/kiosk.ini, kiosk.ini.dpkg-dist, kiosk.ini.d/*.ini and central.ini gone"
  # what packaging/README.md says stays: the technician's key, the users
  [ -f "$root/etc/wufei/kiosk.key" ] || die "purge removed /etc/wufei/kiosk.key (the technician's, not the package's)"
  for u in wufei-kiosk wufei-central; do
    in_root getent passwd "$u" >/dev/null ||
      die "purge removed the user $u (its files under /var/lib/wufei would lose their owner)"
  done
  ok "kept as documented: /etc/wufei/kiosk.key, users wufei-kiosk and wufei-central"
  [ -s "$root$ledger" ] || die "purge deleted the journal $ledger"
  [ -s "$root$centraldb" ] || die "purge deleted central's database $centraldb"
  ok "journal and central.db kept (a resident's data is never removed by the packages)"
  echo "   left in /etc/wufei: $(cd "$root/etc/wufei" 2>/dev/null && find . -mindepth 1 | tr '\n' ' ')"
}
