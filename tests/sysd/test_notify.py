#!/usr/bin/env python3
"""sd_notify as systemd would see it, from the real programs.

The test binds its own AF_UNIX datagram socket, gives it as NOTIFY_SOCKET
with WATCHDOG_USEC, and reads what arrives:

wufei-kiosk (run live, as cage's child: WATCHDOG_PID is its parent's, as
under wufei-kiosk.service): READY=1 once its loop runs; WATCHDOG=1 again
and again while healthy, also with its scale down (an adapter that is not
plugged in is not a reason to restart); no WATCHDOG=1 while its journal is
not the file it opened (moved away under it), with a STATUS= saying so,
though the process still runs; pings again once the journal is back;
STOPPING=1 on SIGTERM. A drop while another process holds the journal's
write lock: the loop waits for the journal and no ping goes out; once the
lock goes, the drop is recorded and the pings come back.

wufei-central serve: READY=1 once listening (after it printed where),
WATCHDOG=1 repeatedly, STOPPING=1 on SIGTERM.

Waits are for events, with generous limits only so a broken build cannot
hang the suite; the one quiet stretch asserted (no ping while unhealthy)
is ten ping intervals long. Needs: the build's wufei-kiosk and
wufei-central (WUFEI_BIN).
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BIN = os.environ["WUFEI_BIN"]
USEC = 400000          # WATCHDOG_USEC: pings every 200 ms
PING_S = USEC / 2e6
WAIT_S = 60            # only so that a hang ends; never a pass condition


def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)


class Notify:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.path = path
        self.seen = []

    def next(self, timeout):
        self.sock.settimeout(timeout)
        try:
            msg = self.sock.recv(4096).decode()
        except socket.timeout:
            return None
        self.seen.append(msg)
        return msg

    def wait_for(self, want, what, proc=None):
        """The first message holding the line want (or starting with it, for STATUS=)."""
        end = time.monotonic() + WAIT_S
        while time.monotonic() < end:
            if proc is not None and proc.poll() is not None:
                fail(f"{what}: the process exited ({proc.returncode})")
            msg = self.next(1.0)
            if msg is None:
                continue
            for line in msg.split("\n"):
                if line == want or (want.endswith("…") and line.startswith(want[:-1])):
                    return msg
        fail(f"{what}: no '{want}' came; seen: {self.seen[-5:]}")

    def pings(self, n, what, proc):
        for _ in range(n):
            self.wait_for("WATCHDOG=1", what, proc)


def env_for(sock_path):
    env = dict(os.environ)
    env.update(NOTIFY_SOCKET=sock_path, WATCHDOG_USEC=str(USEC))
    env.pop("WATCHDOG_PID", None)
    return env


def kiosk(t):
    def run(*args):
        subprocess.run([f"{BIN}/wufei-kiosk", *args], check=True, capture_output=True)
    run("keygen", "--out", f"{t}/kiosk.key")
    run("ledger", "init", f"{t}/journal.db", "--kiosk", "1")
    with open(f"{t}/kiosk.ini", "w") as f:
        f.write(f"""[kiosk]
number = 1
name = watchdog test
ledger = {t}/journal.db
key_file = {t}/kiosk.key

[device.scale]
role = scale
transport = serial:{t}/no-such-adapter
protocol = xk3190-a9
""")
    n = Notify(f"{t}/notify.sock")
    # as under cage: the kiosk is a child of the unit's main process, whose
    # PID WATCHDOG_PID names (the trailing ':' keeps bash from exec'ing)
    p = subprocess.Popen(
        ["bash", "-c", 'export WATCHDOG_PID=$$; "$0" run --config "$1"; :',
         f"{BIN}/wufei-kiosk", f"{t}/kiosk.ini"],
        env=env_for(n.path), stdin=subprocess.PIPE, stdout=open(f"{t}/kiosk.log", "w"),
        stderr=subprocess.STDOUT, start_new_session=True)
    try:
        first = n.wait_for("READY=1", "kiosk ready", p)
        if "STATUS=running; journal ok; scale down" not in first.split("\n"):
            n.wait_for("STATUS=running; journal ok; scale down", "kiosk: the scale is down", p)
        n.pings(3, "kiosk pings with its scale down", p)

        os.rename(f"{t}/journal.db", f"{t}/journal.moved")
        msg = n.wait_for("STATUS=UNHEALTHY (watchdog pings stopped): journal …",
                         "kiosk: journal moved away", p)
        if "moved or replaced" not in msg and "gone" not in msg:
            fail(f"the status does not say what is wrong with the journal: {msg!r}")
        if "WATCHDOG=1" in msg:
            fail("a ping came with the unhealthy status")
        quiet_until = time.monotonic() + 10 * PING_S
        while time.monotonic() < quiet_until:
            m = n.next(max(0.01, quiet_until - time.monotonic()))
            if m is not None and "WATCHDOG=1" in m:
                fail(f"a ping while the journal is gone: {m!r}")
        if p.poll() is not None:
            fail("the kiosk exited: it should keep running (systemd decides)")

        os.rename(f"{t}/journal.moved", f"{t}/journal.db")
        n.wait_for("STATUS=running; journal ok; scale down", "kiosk: journal back", p)
        n.pings(2, "kiosk pings again", p)

        os.killpg(p.pid, signal.SIGTERM)
        n.wait_for("STOPPING=1", "kiosk stopping")
        p.wait(timeout=WAIT_S)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    log = open(f"{t}/kiosk.log").read()
    if "watchdog: pinging systemd every 200 ms" not in log:
        fail(f"the kiosk's log does not say it pings: {log[-800:]}")


def wait_log(path, text, what, proc):
    end = time.monotonic() + WAIT_S
    while time.monotonic() < end:
        if text in open(path).read():
            return
        if proc.poll() is not None:
            fail(f"{what}: the kiosk exited")
        time.sleep(0.05)
    fail(f"{what}: the log never said '{text}': {open(path).read()[-600:]}")


def kiosk_stalled(t):
    """A drop while another process holds the journal's write lock: the loop
    waits for the journal (LEDGER_BUSY_MAX_MS) and no ping goes out; once
    the lock is let go the drop is recorded and the pings come back."""
    import sqlite3
    subprocess.run([f"{BIN}/wufei-kiosk", "ledger", "init", f"{t}/j2.db", "--kiosk", "1"],
                   check=True, capture_output=True)
    src = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(f"{t}/k2.ini", "w") as f:
        f.write(f"""[kiosk]
number = 1
name = watchdog test
ledger = {t}/j2.db
key_file = {t}/kiosk.key
fixture = {src}/packaging/demo/fixture.json
""")
    n = Notify(f"{t}/notify2.sock")
    log = f"{t}/kiosk2.log"
    p = subprocess.Popen([f"{BIN}/wufei-kiosk", "run", "--no-devices", "--config", f"{t}/k2.ini"],
                         env=env_for(n.path), stdin=subprocess.PIPE, stdout=open(log, "w"),
                         stderr=subprocess.STDOUT)
    lock = None
    try:
        n.wait_for("READY=1", "kiosk (no devices) ready", p)
        n.pings(2, "kiosk pings", p)
        p.stdin.write(b"weight 0 for 1500\ncard em4100:0014868981\ntap category paper\n"
                      b"weight 0 for 1500\nweight 1250 for 2500\n")
        p.stdin.flush()
        wait_log(log, "screen confirm", "the visit reaches confirm", p)
        lock = sqlite3.connect(f"{t}/j2.db", timeout=30, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")
        p.stdin.write(b"tap confirm\n")
        p.stdin.flush()
        # the loop now waits for the journal: a stretch of ten ping intervals without one
        end, last = time.monotonic() + WAIT_S, time.monotonic()
        while time.monotonic() - last < 10 * PING_S:
            if time.monotonic() > end:
                fail("the kiosk kept pinging while its loop waited for the journal")
            m = n.next(0.05)
            if m is not None and "WATCHDOG=1" in m:
                last = time.monotonic()
        if p.poll() is not None:
            fail("the kiosk exited while the journal was locked")
        if "journal: recorded" in open(log).read():
            fail("the drop was recorded although the journal was locked")
        lock.execute("ROLLBACK")
        lock.close()
        lock = None
        wait_log(log, "journal: recorded seq", "the drop is recorded once the lock is gone", p)
        n.pings(2, "pings come back after the stall", p)
        p.stdin.close()
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=WAIT_S)
    finally:
        if lock is not None:
            lock.close()
        if p.poll() is None:
            p.kill()
            p.wait()


def central(t):
    n = Notify(f"{t}/central.sock")
    p = subprocess.Popen(
        [f"{BIN}/wufei-central", "serve", "--db", f"sqlite:{t}/central.db",
         "--listen", "127.0.0.1:0"],
        env=env_for(n.path), stdout=subprocess.PIPE, stderr=open(f"{t}/central.log", "w"),
        text=True)
    try:
        line = p.stdout.readline()
        if "listening on" not in line:
            fail(f"central did not start: {line!r} {open(f'{t}/central.log').read()}")
        msg = n.wait_for("READY=1", "central ready", p)
        if "STATUS=serving http on port" not in msg:
            fail(f"central's READY has no STATUS: {msg!r}")
        n.pings(3, "central pings", p)
        p.send_signal(signal.SIGTERM)
        n.wait_for("STOPPING=1", "central stopping")
        if p.wait(timeout=WAIT_S) != 0:
            fail(f"central exited {p.returncode}")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def main():
    t = tempfile.mkdtemp(prefix="wufei-notify-")
    try:
        kiosk(t)
        kiosk_stalled(t)
        central(t)
    finally:
        shutil.rmtree(t, ignore_errors=True)
    print("ok: kiosk READY, pings while healthy (scale down too), none while its journal "
          "is moved away, back after; central READY and pings")


main()
