"""The practice registry's processes: is one alive, start one detached, end one, ask it.

A pid counts only while ``/proc`` shows a command line holding the caller's marker (the state
folder), so a stale pid never makes :func:`end` signal somebody else's process.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from tutor.practice.state import HOST

STOP_TIMEOUT = 10.0


def alive(pid: int | None, marker: str) -> bool:
    """Is ``pid`` a live process whose command line holds ``marker``? (A zombie is not alive.)"""
    if not pid or pid <= 0:
        return False
    proc = Path(f"/proc/{pid}")
    if not Path("/proc/self").exists():  # no /proc (macOS): only whether the pid exists
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X") and marker in cmdline


def reap(pid: int) -> None:
    # A process this very program started (the tutor app starts it from the settings) stays a
    # zombie until its parent waits for it.
    try:
        os.waitpid(pid, os.WNOHANG)
    except (ChildProcessError, OSError):
        pass


def terminate(pid: int | None, marker: str) -> bool:
    """SIGTERM, then SIGKILL after STOP_TIMEOUT; True when it was running."""
    if pid is None or not alive(pid, marker):
        return False
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, 5.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            reap(pid)
            if not alive(pid, marker):
                return True
            time.sleep(0.05)
    return True


LOG_KEEP = 5 * 1024 * 1024  # a log past this size is moved to NAME.1 at the next start


def spawn(argv: list[str], log: Path, env: dict[str, str], cwd: Path) -> subprocess.Popen:
    try:
        if log.stat().st_size > LOG_KEEP:
            os.replace(log, log.with_name(log.name + ".1"))
    except OSError:
        pass  # no log yet
    with open(log, "ab") as out:
        out.write(f"\n--- started {utc_now()}: {' '.join(argv)}\n".encode())
        out.flush()
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env,
                                cwd=cwd, start_new_session=True, close_fds=True)


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def log_tail(log: Path, lines: int = 6) -> str:
    try:
        text = log.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(text[-lines:])


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def http_status(url: str) -> int | None:
    """The HTTP status ``url`` answers with, or None when nothing answers (proxies never used)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):
        return None
