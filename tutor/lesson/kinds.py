"""The action and probe kinds a lesson may use, their parameters, and the commands they derive.

A lesson never spells out a CLI command for an action: it names the kind and the parts
(``repository=poll-backend``), and the command is built here from those parts and the
learner's variables. That keeps the text, the Run button and the checks in agreement.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from tutor import reference
from tutor.lesson.variables import render

# Registry names under which Docker Hub is reached; references to it omit the host.
DOCKER_HUB = reference.HUB_ALIASES | {""}

# Parameters that make up an image reference, and what each defaults to.
REF_PARAMS = ("repository", "namespace", "registry", "tag")
REF_DEFAULTS = {"namespace": "{username}", "registry": "{registry}", "tag": "{tag}"}


@dataclass(frozen=True)
class Spec:
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    builds_ref: bool = False  # the action/probe names an image through REF_PARAMS

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset(self.required) | frozenset(self.optional)


_REF_OPTIONAL = ("namespace", "registry", "tag")

ACTION_KINDS: dict[str, Spec] = {
    "login": Spec(optional=("registry", "username")),
    "build": Spec(required=("repository", "context"), optional=_REF_OPTIONAL + ("dockerfile",), builds_ref=True),
    "tag": Spec(required=("source", "repository"), optional=_REF_OPTIONAL, builds_ref=True),
    "push": Spec(required=("repository",), optional=_REF_OPTIONAL, builds_ref=True),
    "images": Spec(optional=("filter",)),
    "rmi": Spec(required=("repository",), optional=_REF_OPTIONAL, builds_ref=True),
    "pull": Spec(required=("repository",), optional=_REF_OPTIONAL, builds_ref=True),
    "run": Spec(required=("repository",), optional=_REF_OPTIONAL + ("publish", "name"), builds_ref=True),
    "manual": Spec(optional=("url",)),
}

# Probes check the learner's world. `repositories` is a comma-separated list; a probe
# with `repository` checks one.
_PROBE_REF = ("repository", "repositories", "namespace", "registry", "tag")
PROBE_KINDS: dict[str, Spec] = {
    "local-images": Spec(optional=("filter",) + _PROBE_REF, builds_ref=True),
    "registry-images": Spec(optional=_PROBE_REF, builds_ref=True),
    "node-pull": Spec(optional=_PROBE_REF, builds_ref=True),
    "repo-visibility": Spec(optional=_PROBE_REF, builds_ref=True),
}
# Where the learner would run or look at a probe's check by hand.
PROBE_WHERE = {
    "local-images": "this machine",
    "registry-images": "browser",
    "node-pull": "node",
    "repo-visibility": "browser",
}

_SAFE_ARG = re.compile(r"^[\w@%+=:,./{}~-]+$")


def shell_arg(value: str) -> str:
    """Quote an argument only when the shell needs it (braces left readable, ``~/`` left expandable)."""
    if _SAFE_ARG.match(value):
        return value
    if value.startswith("~/"):
        return "~/" + shlex.quote(value[2:])
    return shlex.quote(value)


def filled(params: Mapping[str, str], values: Mapping[str, str], defaults: Mapping[str, str]) -> dict[str, str]:
    """Parameters with their defaults added and the variables filled in.

    A default such as ``registry={registry}`` applies only when ``values`` has that variable
    at all (a lesson that declares no ``registry`` simply means Docker Hub); a declared but
    empty one, such as an unset ``{username}``, stays visible.
    """
    usable = {key: value for key, value in defaults.items() if value.strip("{}") in values}
    merged = {**usable, **params}
    return {key: render(value, values) for key, value in merged.items()}


def compose_ref(repository: str, namespace: str = "", registry: str = "", tag: str = "") -> str:
    """``[registry/][namespace/]repository[:tag]``; Docker Hub's host is left out, as people write it.

    A valid result is normalised by :mod:`tutor.reference` (short form, as ``docker images``
    shows it); one that is not, e.g. with ``{username}`` still unfilled, is returned as
    composed so the gap stays visible (lint reports invalid ones).
    """
    ref = _join_ref(repository, namespace, registry, tag)
    try:
        return reference.parse(ref).short
    except reference.ReferenceError:
        return ref


def ref_problem(repository: str, namespace: str = "", registry: str = "", tag: str = "") -> str | None:
    """Why the composed reference is invalid (the rule it breaks), or None."""
    try:
        reference.parse(_join_ref(repository, namespace, registry, tag))
    except reference.ReferenceError as exc:
        return str(exc)
    return None


def _join_ref(repository: str, namespace: str, registry: str, tag: str) -> str:
    ref = repository
    if namespace:
        ref = f"{namespace}/{ref}"
    if registry.lower() not in DOCKER_HUB:
        ref = f"{registry}/{ref}"
    if tag:
        ref = f"{ref}:{tag}"
    return ref


def ref_parts(params: Mapping[str, str], repository: str | None = None) -> tuple[str, str, str, str]:
    return (
        repository if repository is not None else params.get("repository", ""),
        params.get("namespace", ""),
        params.get("registry", ""),
        params.get("tag", ""),
    )


def ref_from(params: Mapping[str, str], repository: str | None = None) -> str:
    return compose_ref(*ref_parts(params, repository))


def hub_url(params: Mapping[str, str], repository: str) -> str | None:
    """The repository's page on Docker Hub, or None for any other registry."""
    if params.get("registry", "").lower() not in DOCKER_HUB:
        return None
    namespace = params.get("namespace", "")
    if namespace in ("", "library"):
        return f"https://hub.docker.com/_/{repository}"
    return f"https://hub.docker.com/r/{namespace}/{repository}"


def action_command(kind: str, params: Mapping[str, str]) -> str | None:
    """The CLI command for an action whose parameters are already filled; None for manual steps."""
    if kind == "login":
        words = ["docker", "login", "-u", shell_arg(params.get("username", ""))]
        registry = params.get("registry", "")
        if registry.lower() not in DOCKER_HUB:
            words.append(shell_arg(registry))
        return " ".join(words)
    if kind == "images":
        pattern = params.get("filter", "")
        return f"docker images | grep {shell_arg(pattern)}" if pattern else "docker images"
    if kind == "manual" or kind not in ACTION_KINDS:
        return None
    ref = shell_arg(ref_from(params))
    if kind == "build":
        words = ["docker", "build", "-t", ref]
        if params.get("dockerfile"):
            words += ["-f", shell_arg(params["dockerfile"])]
        return " ".join(words + [shell_arg(params.get("context", ""))])
    if kind == "tag":
        return f"docker tag {shell_arg(params.get('source', ''))} {ref}"
    if kind == "run":
        words = ["docker", "run"]
        for mapping in filter(None, (p.strip() for p in params.get("publish", "").split(","))):
            words += ["-p", shell_arg(mapping)]
        if params.get("name"):
            words += ["--name", shell_arg(params["name"])]
        return " ".join(words + [ref])
    return f"docker {kind} {ref}"  # push, pull, rmi


def action_defaults(kind: str) -> dict[str, str]:
    if kind == "login":
        return {"registry": "{registry}", "username": "{username}"}
    spec = ACTION_KINDS.get(kind)
    return dict(REF_DEFAULTS) if spec and spec.builds_ref else {}


def probe_defaults(kind: str) -> dict[str, str]:
    return dict(REF_DEFAULTS) if kind in PROBE_KINDS else {}


def probe_repositories(params: Mapping[str, str]) -> list[str]:
    names = [params.get("repository", "")] + params.get("repositories", "").split(",")
    return [name.strip() for name in names if name.strip()]


def probe_commands(kind: str, params: Mapping[str, str]) -> list[str]:
    """What the learner would type to run this check by hand (none for browser checks)."""
    if kind == "local-images":
        return [action_command("images", params) or "docker images"]
    if kind == "node-pull":
        return [f"sudo k3s crictl pull {shell_arg(ref_from(params, repo))}" for repo in probe_repositories(params)]
    return []


def probe_urls(kind: str, params: Mapping[str, str]) -> list[str]:
    if kind in ("registry-images", "repo-visibility"):
        return [url for repo in probe_repositories(params) if (url := hub_url(params, repo))]
    return []
