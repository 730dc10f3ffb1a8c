"""Starting, stopping and finding the practice registry's two processes.

Both run detached from the command that started them (their own session, output to a log in
the state folder), so the terminal or the tutor can close while they keep serving. Their pids,
ports and start time are in ``running.json``; a pid is only trusted while ``/proc`` shows the
same program with our state folder on its command line, so a stale file after a reboot can
never make ``stop`` signal somebody else's process.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tutor.practice import accounts, backend as backends
from tutor.practice.processes import STOP_TIMEOUT, alive, http_status, log_tail, port_free, spawn, terminate, utc_now
from tutor.practice.state import DEFAULT_PORT, HOST, Layout, read_json, saved_port, write_json

TOKEN_READY_TIMEOUT = 15.0
REGISTRY_READY_TIMEOUT = 30.0
TOKEN_MODULE = "tutor.practice.service"


class PracticeError(RuntimeError):
    """Starting or stopping failed: a ``code`` of tutor.hints' catalogue and the facts its wording needs."""

    def __init__(self, code: str, **facts: object) -> None:
        super().__init__(code)
        self.code, self.facts = code, facts

    def hint(self):
        from tutor.hints import hint

        return hint(self.code, **self.facts)


@dataclass
class Running:
    port: int
    since: str  # ISO 8601, UTC
    backend: backends.Backend
    token_pid: int
    token_port: int
    registry_pid: int | None = None  # the binary
    container: str | None = None  # or the image's container

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def to_dict(self) -> dict:
        return {"port": self.port, "since": self.since, "backend": self.backend.kind, "registry": self.backend.path,
                "token_pid": self.token_pid, "token_port": self.token_port, "registry_pid": self.registry_pid,
                "container": self.container}

    @classmethod
    def from_dict(cls, data: dict) -> Running | None:
        try:
            return cls(int(data["port"]), str(data["since"]), backends.Backend(str(data["backend"]), str(data["registry"])),
                       int(data["token_pid"]), int(data["token_port"]),
                       int(data["registry_pid"]) if data.get("registry_pid") else None, data.get("container") or None)
        except (KeyError, TypeError, ValueError):
            return None


@dataclass
class Started:
    running: Running
    already: bool  # it was running before this start
    passwords: dict[str, str] = field(default_factory=dict, repr=False)  # accounts made now: shown once


# --- the token service and the registry ------------------------------------------------------


def _token_marker(layout: Layout) -> str:
    return f"{TOKEN_MODULE} --state {layout.root}"


def _registry_marker(layout: Layout) -> str:
    return f"serve {layout.config}"  # the registry's own command line, not an editor open on the file


def _start_token_service(layout: Layout) -> tuple[int, int]:
    import tutor

    layout.token_pid.unlink(missing_ok=True)
    env = backends.clean_env()
    # The service imports this very tutor, installed or run from a checkout.
    top = str(Path(tutor.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([top, *filter(None, [env.get("PYTHONPATH")])])
    # The port of the last start when it is free: a tunnel to a node set up for it keeps working.
    last = read_json(layout.settings).get("token_port")
    port = last if isinstance(last, int) and 0 < last < 65536 and port_free(last) else 0
    proc = spawn([sys.executable, "-m", TOKEN_MODULE, "--state", str(layout.root), "--port", str(port)],
                  layout.token_log, env, layout.root)
    deadline = time.monotonic() + TOKEN_READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise PracticeError("practice_start_failed", part="token service", how=f"stopped at once (exit "
                                f"{proc.returncode})", log_file=layout.token_log, log_tail=log_tail(layout.token_log))
        record = read_json(layout.token_pid)
        if record.get("pid") == proc.pid and isinstance(record.get("port"), int) and \
                http_status(f"http://{HOST}:{record['port']}/") is not None:
            return proc.pid, record["port"]
        time.sleep(0.05)
    terminate(proc.pid, _token_marker(layout))
    raise PracticeError("practice_start_failed", part="token service",
                        how=f"did not start within {TOKEN_READY_TIMEOUT:.0f} s", log_file=layout.token_log,
                        log_tail=log_tail(layout.token_log))


def _start_registry(layout: Layout, backend: backends.Backend, port: int) -> tuple[int | None, str | None]:
    url = f"http://{HOST}:{port}/v2/"
    if backend.kind == "binary":
        proc = spawn(backends.binary_argv(backend, layout), layout.registry_log, backends.clean_env(), layout.root)
        pid, container, died = proc.pid, None, proc.poll
    else:
        container = _run_container(layout, backend, port)
        pid, died = None, lambda: None if _container_running(container) else 1
    deadline = time.monotonic() + REGISTRY_READY_TIMEOUT
    while time.monotonic() < deadline:
        if died() is not None:
            log = _container_logs(container) if container else log_tail(layout.registry_log)
            _stop_registry(layout, pid, container)
            raise PracticeError("practice_start_failed", part=f"registry ({backend.label})", how="stopped at once",
                                log_file=layout.registry_log if not container else
                                f"docker logs {backends.container_name(layout)}",
                                log_tail=log)
        if http_status(url) == 401:  # token auth is on: it wants a token for /v2/
            return pid, container
        time.sleep(0.1)
    _stop_registry(layout, pid, container)
    raise PracticeError("practice_start_failed", part=f"registry ({backend.label})",
                        how=f"did not answer on {HOST}:{port} within {REGISTRY_READY_TIMEOUT:.0f} s",
                        log_file=layout.registry_log, log_tail=log_tail(layout.registry_log))


def _docker():
    import docker

    return docker.from_env(timeout=30)


def _run_container(layout: Layout, backend: backends.Backend, port: int) -> str:
    client = _docker()
    try:
        _remove_container(client, layout)
        container = client.containers.run(
            backend.path, ["serve", "/etc/docker/registry/config.yml"], name=backends.container_name(layout),
            detach=True,
            ports={"5000/tcp": (HOST, port)}, volumes=backends.container_mounts(layout),
            # As the learner: the images it stores stay theirs to read and delete.
            user=f"{os.getuid()}:{os.getgid()}", labels={"docker-tutor": "practice-registry",
                                                         "docker-tutor.folder": str(layout.root)})
        return container.id
    finally:
        client.close()


def _remove_container(client, layout: Layout) -> None:
    """A container of an earlier start of this very folder that was left behind (never another's)."""
    try:
        old = client.containers.get(backends.container_name(layout))
    except Exception:  # noqa: BLE001 - none there
        return
    if old.labels.get("docker-tutor.folder") == str(layout.root):
        old.remove(force=True)


def _container_running(container: str | None) -> bool:
    if not container:
        return False
    try:
        client = _docker()
        try:
            return client.containers.get(container).status == "running"
        finally:
            client.close()
    except Exception:  # noqa: BLE001 - gone, or no engine to ask
        return False


def _container_logs(container: str) -> str:
    try:
        client = _docker()
        try:
            return client.containers.get(container).logs(tail=6).decode(errors="replace")
        finally:
            client.close()
    except Exception:  # noqa: BLE001
        return ""


def _stop_registry(layout: Layout, pid: int | None, container: str | None) -> bool:
    if container:
        try:
            client = _docker()
            try:
                found = client.containers.get(container)
                found.stop(timeout=int(STOP_TIMEOUT))
                found.remove(force=True)
                return True
            finally:
                client.close()
        except Exception as exc:  # noqa: BLE001 - gone already, or the engine cannot be asked
            if type(exc).__name__ == "NotFound":
                return False
            raise PracticeError("practice_container_not_stopped", container=backends.container_name(layout),
                                detail=str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__) from None
    return terminate(pid, _registry_marker(layout))


# --- what the commands call ---------------------------------------------------------------


@contextmanager
def _locked(layout: Layout) -> Iterator[None]:
    """One start or stop at a time per folder: the app's settings and a terminal may both ask."""
    layout.make()
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, as before
        yield
        return
    with open(layout.root / ".lock", "w") as handle:  # our own fd is closed in the children (close_fds)
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def running(layout: Layout) -> Running | None:
    """The practice registry, when both of its processes are up."""
    record = Running.from_dict(read_json(layout.running))
    if record is None:
        return None
    registry_up = _container_running(record.container) if record.container else \
        alive(record.registry_pid, _registry_marker(layout))
    return record if registry_up and alive(record.token_pid, _token_marker(layout)) else None


def start(layout: Layout, port: int | None = None, users: Sequence[str] = (),
          passwords: dict[str, str] | None = None) -> Started:
    """Start it (or find it running) and make the accounts that do not exist yet."""
    with _locked(layout):
        return _start(layout, port, users, passwords)


def _start(layout: Layout, port: int | None, users, passwords: dict[str, str] | None) -> Started:
    import re

    from tutor.store import clean_leftovers

    clean_leftovers(layout.root, re.compile(r".+\.(json|pem|yml)"))  # saves a kill -9 cut short
    try:
        accounts.load_for_change(layout.accounts)  # before anything starts: never saved over when unreadable
    except accounts.AccountsError as exc:
        raise PracticeError("practice_accounts_unreadable", detail=str(exc)) from None
    current = running(layout)
    if current is not None:
        if port and port != current.port:
            raise PracticeError("practice_running_elsewhere", address=current.address, port=port)
        return Started(current, True, accounts.add(layout.accounts, list(users), passwords))
    _stop(layout)  # whatever is left of an earlier run that died halfway
    port = port or saved_port(layout) or DEFAULT_PORT
    if not port_free(port):
        raise PracticeError("practice_port_in_use", port=port, next_port=port + 1 if port < 65535 else 5001)
    try:
        backend = backends.find()
    except backends.NoRegistry as exc:
        raise PracticeError("practice_no_registry", **exc.facts) from None
    from tutor.practice import tokens

    tokens.load_or_create(layout.key, layout.cert)  # before the registry, which reads the certificate
    token_pid, token_port = _start_token_service(layout)
    try:
        backends.write_config(layout, backend, port, f"http://{HOST}:{token_port}/token")
        registry_pid, container = _start_registry(layout, backend, port)
    except BaseException:
        terminate(token_pid, _token_marker(layout))
        raise
    record = Running(port, utc_now(), backend, token_pid, token_port, registry_pid, container)
    write_json(layout.running, record.to_dict())
    write_json(layout.settings, {"port": port, "token_port": token_port})
    # Accounts last: a password is shown only when the registry it opens is really there.
    return Started(record, False, accounts.add(layout.accounts, list(users), passwords))


def stop(layout: Layout) -> list[str]:
    """Stop both processes; returns what was stopped (nothing: it was not running)."""
    if not layout.root.is_dir():
        return []
    with _locked(layout):
        return _stop(layout)


def _stop(layout: Layout) -> list[str]:
    record = Running.from_dict(read_json(layout.running))
    stopped = []
    if record is not None:
        try:
            if _stop_registry(layout, record.registry_pid, record.container):
                stopped.append(f"registry ({record.backend.label})")
        finally:  # the token service goes in any case; the record stays while its container may run
            if terminate(record.token_pid, _token_marker(layout)):
                stopped.append("token service")
    # A token service whose start was interrupted before running.json was written.
    orphan = read_json(layout.token_pid).get("pid")
    if isinstance(orphan, int) and terminate(orphan, _token_marker(layout)):
        stopped.append("token service")
    layout.running.unlink(missing_ok=True)
    layout.token_pid.unlink(missing_ok=True)
    return stopped
