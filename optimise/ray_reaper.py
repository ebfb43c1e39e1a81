"""A local Ray cluster dies with the driver that started it, even when the driver is SIGKILLed.

Ray's own processes outlive a killed driver: its dashboard and runtime-env agents notice the
raylet's death within about 2 s, then report it to the GCS (which died too) with a 60 s timeout
before exiting (``ray/_private/process_watcher.py``, ``publish_error_to_driver``), so a killed run
left them behind for 30-90 s (issue 12). :func:`start_reaper` starts a small watcher that follows
the driver's process tree (every descendant, by parent pid and start time, polled five times a second)
and blocks on a pipe from the driver; when the pipe closes (the driver exited or was killed), it
SIGKILLs every recorded descendant still alive, their children, and Ray processes of the
driver's session orphaned before they were recorded. The tree is tracked rather
than a marker in the environment because Ray renames its processes (``setproctitle``), which
overwrites what ``/proc/PID/environ`` shows. Linux only (``/proc``); elsewhere a no-op.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_WATCHER = r"""
import os, select, signal, sys, time

driver = int(sys.argv[1])
me = os.getpid()

def table():
    out = {}  # pid -> (parent pid, start time, session id, name)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    head, tail = f.read().rsplit(")", 1)
                rest = tail.split()
                out[int(entry)] = (int(rest[1]), int(rest[19]), rest[3], head.split("(", 1)[1])
            except (OSError, IndexError, ValueError):
                pass
    return out

_, driver_start, driver_session, _ = table()[driver]

def ray_orphan(pid, info):
    # a Ray process whose parent died before it was recorded (started in the last poll interval):
    # re-parented to init, same session as the driver, started after it, Ray's by name or command
    ppid, start, session, name = info
    if ppid != 1 or session != driver_session or start < driver_start:
        return False
    if name.startswith("ray::") or name in ("raylet", "gcs_server"):
        return True
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"/ray/" in f.read()
    except OSError:
        return False

def grow(known, procs):
    changed = True
    while changed:
        changed = False
        for pid, (ppid, start, _, _) in procs.items():
            if pid != me and pid not in known and (ppid == driver or ppid in known):
                known[pid] = start
                changed = True

known = {}
while True:
    grow(known, table())
    ready, _, _ = select.select([sys.stdin], [], [], 0.2)
    if ready and not os.read(sys.stdin.fileno(), 4096):
        break  # the driver's end of the pipe closed
for _ in range(20):  # kill what was recorded and anything they started meanwhile
    procs = table()
    grow(known, procs)
    known.update({pid: info[1] for pid, info in procs.items() if pid not in known and ray_orphan(pid, info)})
    alive = [pid for pid, start in known.items() if pid in procs and procs[pid][1] == start]
    if not alive:
        break
    for pid in alive:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    time.sleep(0.25)
"""

_watchers: list[subprocess.Popen[bytes]] = []  # their pipes stay open for the driver's lifetime


def start_reaper() -> bool:
    """Start the watcher of this driver's process tree (once per process); returns False where
    ``/proc`` is missing. Call before starting a local Ray cluster."""
    if not Path("/proc/self/stat").exists():
        return False
    if not _watchers:
        _watchers.append(subprocess.Popen(
            [sys.executable, "-c", _WATCHER, str(os.getpid())], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True))
    return True
