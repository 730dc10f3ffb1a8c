"""The action and probe kinds a lesson may use, their parameters, and the commands they derive.

A lesson never spells out a CLI command for an action: it names the kind and the parts
(``repository=poll-backend``); the parts and the learner's variables are mapped here onto
:mod:`tutor.docker_ops.commandline`, which also writes the command the tutor runs. That keeps
the text, the Run button and the checks in agreement. ``publish`` is parsed here too, for lint
and for the runbook alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from tutor.docker_ops import commandline
from tutor import reference
from tutor.lesson.variables import render

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
    # `publish` is required: the tutor knows a container is up when it answers on the first port.
    "run": Spec(required=("repository", "publish"), optional=_REF_OPTIONAL + ("name",), builds_ref=True),
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

_CONTAINER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+")  # as the engine checks it
_PORT_MAPPING = re.compile(r"(\d{1,5})(?::(\d{1,5}))?")


class PublishError(ValueError):
    """A ``publish`` value that is not ``HOST:CONTAINER`` port mappings."""


def parse_publish(text: str) -> list[tuple[int, int]]:
    """``3000:3000``, ``3000`` (the same port inside) or several, comma-separated, as (host, container).

    PublishError says what is wrong in words a lesson author can act on.
    """
    mappings: list[tuple[int, int]] = []
    for piece in (part.strip() for part in text.split(",")):
        match = _PORT_MAPPING.fullmatch(piece)
        if not match:
            raise PublishError(f"publish '{piece or text}' is not a port mapping: write HOST:CONTAINER, "
                               "e.g. publish=3000:3000 (several: 8080:80,8443:443)")
        host = int(match.group(1))
        inside = int(match.group(2) or host)
        for port in (host, inside):
            if not 0 < port < 65536:
                raise PublishError(f"publish '{piece}': {port} is not a port (1 to 65535)")
        if any(host == known for known, _ in mappings):
            raise PublishError(f"publish '{text}' uses host port {host} twice")
        mappings.append((host, inside))
    return mappings


def param_problems(what: str, spec: Spec, params: Mapping[str, str]) -> list[str]:
    """Unknown parameters, and required ones missing, for an action or probe described as ``what``."""
    allowed = ", ".join(sorted(spec.allowed)) or "none"
    problems = [f"unknown parameter '{key}' for {what} (parameters: {allowed})"
                for key in params if key not in spec.allowed]
    return problems + [f"{what} needs the parameter {key}=..." for key in spec.required if not params.get(key)]


def action_problems(kind: str, params: Mapping[str, str]) -> list[str]:
    """What is wrong with an action as written: lint reports these, and the tutor will not run it."""
    if not kind:
        return ["action without a kind: add kind=..."]
    spec = ACTION_KINDS.get(kind)
    if spec is None:
        return [f"unknown action kind '{kind}' (kinds: {', '.join(ACTION_KINDS)})"]
    return param_problems(f"action {kind}", spec, params) + filled_problems(kind, params)


def filled_problems(kind: str, params: Mapping[str, str]) -> list[str]:
    """Problems in values with their variables filled in (ones still holding ``{name}`` are skipped)."""
    problems = []
    publish = params.get("publish", "")
    if kind == "run" and publish and "{" not in publish:
        try:
            parse_publish(publish)
        except PublishError as exc:
            problems.append(str(exc))
    name = params.get("name", "")
    if kind == "run" and name and "{" not in name and not _CONTAINER_NAME.fullmatch(name):
        problems.append(f"name '{name}' is not a container name: use letters, digits, '_', '.' and '-'")
    return problems


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
    except reference.ImageNameError:
        return ref


def ref_problem(repository: str, namespace: str = "", registry: str = "", tag: str = "") -> str | None:
    """Why the composed reference is invalid (the rule it breaks), or None."""
    try:
        reference.parse(_join_ref(repository, namespace, registry, tag))
    except reference.ImageNameError as exc:
        return str(exc)
    return None


def _join_ref(repository: str, namespace: str, registry: str, tag: str) -> str:
    ref = repository
    if namespace:
        ref = f"{namespace}/{ref}"
    if not reference.is_hub(registry):  # Docker Hub's host is left out (as {registry_prefix} is)
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
    if not reference.is_hub(params.get("registry", "")):
        return None
    namespace = params.get("namespace", "")
    if namespace in ("", "library"):
        return f"https://hub.docker.com/_/{repository}"
    return f"https://hub.docker.com/r/{namespace}/{repository}"


def action_command(kind: str, params: Mapping[str, str]) -> str | None:
    """The CLI command for an action whose parameters are already filled; None for manual steps.

    Built by :mod:`tutor.docker_ops.commandline`, as the tutor's own run of the action is, so the
    lesson shows what the tutor runs. Unfilled ``{variables}`` stay readable in it.
    """
    if kind == "manual" or kind not in ACTION_KINDS:
        return None
    if kind == "login":
        return commandline.login(params.get("registry", ""), params.get("username", ""))
    if kind == "images":
        return commandline.images(params.get("filter") or None)
    ref = ref_from(params)
    if kind == "build":
        return commandline.build(ref, params.get("context", ""), params.get("dockerfile") or None)
    if kind == "tag":
        return commandline.tag(params.get("source", ""), ref)
    if kind == "run":
        return commandline.run_mapped(ref, publish_words(params.get("publish", "")), params.get("name") or None)
    return {"push": commandline.push, "pull": commandline.pull, "rmi": commandline.rmi}[kind](ref)


def publish_words(publish: str) -> list[str]:
    """The ``-p`` values for ``publish``: normalised as the tutor runs them, or as written when not valid."""
    try:
        return [commandline.port_mapping(host, inside) for host, inside in parse_publish(publish)]
    except PublishError:
        return [piece.strip() for piece in publish.split(",") if piece.strip()]


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
        return [commandline.join("sudo", "k3s", "crictl", "pull", ref_from(params, repo)) for repo in probe_repositories(params)]
    return []


def probe_urls(kind: str, params: Mapping[str, str]) -> list[str]:
    if kind in ("registry-images", "repo-visibility"):
        return [url for repo in probe_repositories(params) if (url := hub_url(params, repo))]
    return []
