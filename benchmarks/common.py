"""What every benchmark shares: alternating samples and their medians, the ratio lines they
print, the machine they ran on, and the real services of tests/fixtures started outside pytest.

Figures are ratios against a baseline measured in the same run: the machine is shared (two
cores, other people's tests), so samples of the programs compared alternate, one of each per
round, and the medians are compared. Services listen on loopback only; images are built
FROM the offline busybox base, never pulled.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks reuse the test fixtures' services
    sys.path.insert(0, str(ROOT))


class Unavailable(Exception):
    """A service a benchmark needs cannot start here (no engine, no docker-registry ...)."""


def machine() -> str:
    memory = ""
    try:
        with open("/proc/meminfo") as info:
            kib = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB memory"
    except (OSError, StopIteration, ValueError):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} cores{memory}, load {load:.1f} when it started"


def compile_tutor() -> None:
    """Byte-code for our modules, as an installed package has: under PYTHONDONTWRITEBYTECODE (set in
    the development sessions) an editable install would compile them again in every sample."""
    import compileall

    import tutor

    compileall.compile_dir(Path(tutor.__file__).parent, quiet=1)


def child_env(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a program a benchmark times: byte-code may be written and read, as on a learner's machine."""
    return {name: value for name, value in env.items() if name != "PYTHONDONTWRITEBYTECODE"}


def header(title: str) -> None:
    print(f"== {title}  [{machine()}]", flush=True)


def alternate(samplers: dict[str, Callable[[], float]], runs: int, warm: bool = True) -> dict[str, list[float]]:
    """``runs`` rounds, one sample of each sampler per round in turn (after one unrecorded warm-up
    round when ``warm``): a burst of someone else's load hits all of them alike."""
    if warm:
        for sample in samplers.values():
            sample()
    found: dict[str, list[float]] = {name: [] for name in samplers}
    for _ in range(runs):
        for name, sample in samplers.items():
            found[name].append(sample())
    return found


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{low * 1000:.0f}-{high * 1000:.0f} ms" if high < 10 else f"{low:.2f}-{high:.2f} s"


def seconds(value: float) -> str:
    return f"{value * 1000:7.1f} ms" if value < 10 else f"{value:7.2f} s "


def ratio_line(name: str, value: float, base: float, base_name: str, target: str = "") -> str:
    """One figure: its median, and its ratio to the baseline measured in the same run."""
    goal = f"  (target {target})" if target else ""
    return f"  {name:44} {seconds(value)}  {value / base:5.2f}x {base_name}{goal}"


def report(results: dict[str, list[float]], base_name: str, targets: dict[str, str] | None = None) -> None:
    base = median(results[base_name])
    for name, values in results.items():
        line = ratio_line(name, median(values), base, f"vs {base_name}", (targets or {}).get(name, ""))
        print(f"{line}   [{len(values)} runs, {spread(values)}]", flush=True)


# --- services from tests/fixtures, outside pytest ----------------------------------------------


@contextmanager
def fixture_errors() -> Iterator[None]:
    """The fixtures skip (pytest's Skipped) when a service cannot start: here that is Unavailable."""
    try:
        yield
    except BaseException as exc:  # noqa: BLE001 - pytest's outcomes derive from BaseException
        if type(exc).__name__ in ("Skipped", "Failed"):
            raise Unavailable(str(getattr(exc, "msg", exc))) from None
        raise


def docker_host() -> str:
    """The engine named by DOCKER_HOST (the shared development engine); Unavailable when none answers."""
    host = os.environ.get("DOCKER_HOST", "")
    if not host:
        raise Unavailable("set DOCKER_HOST to a running engine, e.g. unix:///tmp/dev-engine/docker.sock")
    from tests.fixtures import engine

    if not engine._answers(host):
        raise Unavailable(f"no Docker engine answers at {host}")
    return host


def engine():
    """The test fixtures' Engine for DOCKER_HOST, with the offline base image built."""
    from tests.fixtures.engine import Engine, _client
    from tests.integration.test_probes_support import ensure_base

    host = docker_host()
    found = Engine(_client(host), Path(host.removeprefix("unix://")), host, None, managed=False)
    with fixture_errors():
        ensure_base(found)
    return found


@contextmanager
def basic_registry() -> Iterator:
    """A fresh htpasswd registry (tests/fixtures/registry.py's, own storage) with the account ``learner``."""
    from tests.fixtures.registry import LEARNER, SERVICE, Registry, _serve, _write_htpasswd

    work = Path(tempfile.mkdtemp(prefix="dt-bench-registry-"))
    try:
        with fixture_errors():
            users = {LEARNER: secrets.token_urlsafe(18)}
            _write_htpasswd(work / "htpasswd", users)
            with _serve(work, {"htpasswd": {"realm": SERVICE, "path": str(work / "htpasswd")}}) as host:
                yield Registry("htpasswd", host, f"http://{host}", LEARNER, users[LEARNER], users, None, None)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@contextmanager
def token_registry() -> Iterator:
    """A registry behind token auth with a Docker Hub-like issuer (public and private repositories)."""
    from tests.fixtures.registry import ISSUER, LEARNER, SERVICE, Registry, _serve
    from tests.fixtures.token_issuer import SigningIdentity, TokenIssuer

    work = Path(tempfile.mkdtemp(prefix="dt-bench-registry-"))
    users = {LEARNER: secrets.token_urlsafe(18)}
    issuer = TokenIssuer(SERVICE, ISSUER, users, SigningIdentity.generate(ISSUER))
    server = issuer.serve("127.0.0.1", 0)
    try:
        auth = {"token": {"realm": server.realm, "service": SERVICE, "issuer": ISSUER,
                          "rootcertbundle": str(issuer.write_bundle(work / "issuer.pem"))}}
        with fixture_errors(), _serve(work, auth) as host:
            yield Registry("token", host, f"http://{host}", LEARNER, users[LEARNER], users, server.realm, SERVICE,
                           issuer)
    finally:
        server.close()
        shutil.rmtree(work, ignore_errors=True)


def scratch(prefix: str) -> Path:
    """A temporary folder removed when the benchmark ends."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def isolated_home(username: str = "alice", **settings: str) -> dict[str, str]:
    """Environment for a tutor with its own config, state and cache folders (settings saved when
    ``username`` is given; none at all for a first start)."""
    home = scratch("dt-bench-")
    if username:
        path = home / "config" / "docker-tutor" / "settings.toml"
        path.parent.mkdir(parents=True)
        lines = [f'username = "{username}"'] + [f'{key} = "{value}"' for key, value in settings.items()]
        path.write_text("\n".join(lines) + "\n")
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
            "XDG_CACHE_HOME": str(home / "cache")}
