"""The docker CLI command for each action, in the CLI's own words: the one place they are written.

The lesson text, the app's action pane and ``docker-tutor do`` all show these strings, so
what a learner reads is what the tutor runs. Secrets never appear: login reads the password
from stdin. Pure string work (the standard library and tutor.reference only), so the
lesson model may import it without loading any docker machinery.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

from tutor.reference import is_hub

# A word the shell leaves alone. Braces only as an unfilled lesson variable such as {username}
# (`{a,b}` would be brace-expanded), and `~` never first (it would expand to a home folder).
_PLAIN = re.compile(r"[\w@%+=:,./~-]+")
_VARIABLE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


def arg(value: str) -> str:
    """One argument, quoted only when the shell needs it, so commands stay readable:
    ``{username}`` is left as written and ``~/my app`` becomes ``~/'my app'`` (still expanded)."""
    if value.startswith("~/"):
        return "~/" + (arg(value[2:]) if value[2:] else "")
    if value and not value.startswith("~") and _PLAIN.fullmatch(_VARIABLE.sub("x", value)):
        return value
    return shlex.quote(value)


def join(*words: str) -> str:
    return " ".join(arg(word) for word in words)


def login_args(registry: str | None, username: str) -> list[str]:
    """The argv of the login the tutor runs; Docker Hub goes unnamed (a bare `docker login` means it)."""
    target = [] if is_hub(registry) else [registry or ""]
    return ["docker", "login", "-u", username, "--password-stdin", *target]


def login(registry: str | None, username: str) -> str:
    return join(*login_args(registry, username))


def login_by_hand(registry: str | None) -> str:
    """What to type in a shell, where docker then asks for the password without echoing it.

    Only for advice in hints: an action always shows :func:`login`, the form the tutor runs.
    """
    return "docker login" if is_hub(registry) else join("docker", "login", registry or "")


def build(tag: str, context: str, dockerfile: str | None = None) -> str:
    """``dockerfile`` is a path inside ``context``, as the tutor's build takes it; the CLI reads ``-f``
    from the current folder, so the command names it through the context."""
    if dockerfile and not PurePosixPath(dockerfile).is_absolute():
        dockerfile = str(PurePosixPath(context) / dockerfile)
    file_args = ("-f", dockerfile) if dockerfile else ()
    return join("docker", "build", "-t", tag, *file_args, context)


def tag(source: str, target: str) -> str:
    return join("docker", "tag", source, target)


def push(ref: str) -> str:
    return join("docker", "push", ref)


def pull(ref: str) -> str:
    return join("docker", "pull", ref)


def rmi(ref: str) -> str:
    return join("docker", "rmi", ref)


def images(pattern: str | None) -> str:
    return f"docker images | grep {arg(pattern)}" if pattern else "docker images"


def port_mapping(port: int | str, container_port: int | str | None = None, host_ip: str | None = None) -> str:
    """``docker run -p``'s HOST:CONTAINER (``IP:HOST:CONTAINER`` with an address)."""
    mapping = f"{port}:{container_port if container_port not in (None, '') else port}"
    return f"{host_ip}:{mapping}" if host_ip else mapping


def run(ref: str, port: int, container_port: int | None = None, host_ip: str | None = None, *,
        more_ports: Sequence[tuple[int, int]] = (), name: str | None = None) -> str:
    mappings = [port_mapping(port, container_port, host_ip)]
    mappings += [port_mapping(host, inside, host_ip) for host, inside in more_ports]
    return run_mapped(ref, mappings, name)


def run_mapped(ref: str, mappings: Iterable[str], name: str | None = None) -> str:
    """``docker run`` with ``-p`` mappings already written out (see :func:`port_mapping`)."""
    words = ["docker", "run"]
    for mapping in mappings:
        words += ["-p", mapping]
    if name:
        words += ["--name", name]
    return join(*words, ref)
