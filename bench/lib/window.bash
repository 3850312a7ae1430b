# bench/lib/window.bash — sourced by bench/idle_cpu.sh, input_latency.sh and
# startup.sh: an Xvfb display, a kiosk configuration with a new journal, and
# optionally wufei-devsim's streaming scale over TCP (no pty shim needed).
# Everything lives in $work and is stopped on exit.
bin=${WUFEI_BIN_DIR:?set WUFEI_BIN_DIR (bench/run does)}
src=${WUFEI_SOURCE_DIR:?set WUFEI_SOURCE_DIR (bench/run does)}
work=$(mktemp -d /tmp/wufei-bench-window.XXXXXX)
pids=()
cleanup() {
  exec 3>&- 4>&- 2>/dev/null || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

W=${WUFEI_BENCH_W:-1080}
H=${WUFEI_BENCH_H:-1920}

# Xvfb on a free display (it writes the number once it accepts clients).
start_xvfb() {
  exec 5> >(cat >"$work/display")
  Xvfb -displayfd 5 -screen 0 "${W}x${H}x24" -nolisten tcp >"$work/xvfb.log" 2>&1 &
  pids+=($!)
  exec 5>&-
  for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
  [ -s "$work/display" ] || { cat "$work/xvfb.log" >&2; echo "Xvfb did not start" >&2; exit 1; }
  export DISPLAY=":$(head -1 "$work/display")"
}

# wufei-devsim with one streaming scale (xk3190-a9, kg, a frame every 100 ms)
# on TCP; commands go to fd 3. Extra arguments go to devsim.
start_devsim() {
  mkfifo "$work/devsim.in"
  "$bin/wufei-devsim" --dir "$work/dev" --tcp --scale xk3190-a9 "$@" \
    <"$work/devsim.in" >"$work/devsim.out" 2>"$work/devsim.err" &
  pids+=($!)
  exec 3>"$work/devsim.in"
  for _ in $(seq 100); do [ -s "$work/devsim.out" ] && break; sleep 0.1; done
  scale_tcp=$(grep -o '"tcp":"tcp:[^"]*"' "$work/devsim.out" | head -1 | sed 's/"tcp":"//; s/"$//')
  [ -n "$scale_tcp" ] || { cat "$work/devsim.err" >&2; echo "devsim did not start" >&2; exit 1; }
}

# kiosk.ini in $work (journal, key, the demo's fixture); with the scale if
# start_devsim ran. Extra lines for [session] come as arguments.
make_kiosk() {
  "$bin/wufei-kiosk" keygen --out "$work/k.key" >/dev/null
  "$bin/wufei-kiosk" ledger init "$work/j.db" --kiosk 9 >/dev/null
  {
    printf '[kiosk]\nnumber = 9\nname = 基准 Bench\nledger = %s/j.db\nkey_file = %s/k.key\n' "$work" "$work"
    printf 'fixture = %s/packaging/demo/fixture.json\n' "$src"
    printf '[screen]\nwidth = %d\nheight = %d\nfullscreen = true\nlanguage = zh\n' "$W" "$H"
    printf '[session]\n'
    for l in "$@"; do printf '%s\n' "$l"; done
    if [ -n "${scale_tcp:-}" ]; then
      printf '[device.scale]\nrole = scale\ntransport = %s\nprotocol = xk3190-a9\nunit = kg\n' "$scale_tcp"
    fi
  } >"$work/k.ini"
}

# Starts the kiosk in its window; console lines go to fd 4. Arguments are put
# before it (e.g. wufei-bench-mono-exec FILE). Sets $kiosk_pid.
start_kiosk() {
  mkfifo "$work/kiosk.in"
  local devices=--no-devices
  [ -n "${scale_tcp:-}" ] && devices=
  "$@" "$bin/wufei-kiosk" run --config "$work/k.ini" --window $devices \
    <"$work/kiosk.in" >"$work/kiosk.log" 2>&1 &
  kiosk_pid=$!
  pids+=($kiosk_pid)
  exec 4>"$work/kiosk.in"
}

# Waits (up to 30 s) until the kiosk's log holds $1.
wait_log() {
  for _ in $(seq 300); do grep -qF "$1" "$work/kiosk.log" && return 0; sleep 0.1; done
  cat "$work/kiosk.log" >&2
  echo "the kiosk never logged '$1'" >&2
  exit 1
}

# CPU time (user + system) of a process in clock ticks.
cpu_ticks() {
  awk '{print $14 + $15}' "/proc/$1/stat"
}
