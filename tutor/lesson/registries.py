"""What the tutor knows about the registry the learner chose, for the lesson's text.

One place turns the ``registry`` and ``username`` variables into the *derived* variables
(``{registry_name}``, ``{registry_web}``, ``{repositories_url}``, ``{registry_prefix}``,
``{image_prefix}``) and the conditions (``hub``, ``web``, ``practice``) that ``{if ...}`` text tests, so
the lesson, the login dialog and the commands all speak of the same registry. Derived
values are always computed, never set by hand: a learner who changes the registry changes
every sentence with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from tutor import reference


@dataclass(frozen=True)
class Registry:
    key: str  # "docker.io", or host[:port] in lower case
    name: str  # for sentences: "Docker Hub", "the registry at 127.0.0.1:5000"
    web: str = ""  # the site a learner signs in to; empty: the registry has no web pages
    repositories: str = ""  # page listing the learner's repositories, with {username}
    token_help: str = ""  # what to type as the password, for the login dialog
    practice: bool = False  # the tutor's own practice registry (docker-tutor practice-registry)
    secret: str = "password or access token"  # what the login field asks for; "password" where no tokens exist
    # Where a repository is made public, for advice; empty: no public repositories we know of (a
    # registry that asks everyone to log in, or a private ECR registry).
    visibility: str = ""

    @property
    def hub(self) -> bool:
        return self.key == reference.DOCKER_HUB


_HUB = Registry(
    reference.DOCKER_HUB, "Docker Hub", "hub.docker.com", "https://hub.docker.com/repositories/{username}",
    "Docker Hub recommends a personal access token instead of your password, and you need one if your "
    "account has two-factor authentication. Create it at hub.docker.com → Account Settings → Security "
    "(Personal access tokens), give it Read & Write, and paste it here as the password.",
    visibility="on hub.docker.com: the repository's Settings → Visibility",
)
_GHCR = Registry(
    "ghcr.io", "GitHub Container Registry", "github.com", "https://github.com/{username}?tab=packages",
    "GitHub Container Registry does not take your GitHub password. Create a personal access token "
    "(classic) at github.com → Settings → Developer settings → Personal access tokens, give it the "
    "write:packages scope, and paste it here as the password.",
    visibility="on github.com: the package's Package settings → Change visibility",
)
# Private ECR registries are ACCOUNT.dkr.ecr.REGION.amazonaws.com; the region picks the console page.
_ECR = re.compile(r"\d{12}\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?")

# The names a lesson may use as {if NAME}; each is true or false for the chosen registry.
CONDITIONS = {
    "hub": "the registry is Docker Hub",
    "web": "the registry has a web site ({registry_web} is set)",
    "practice": "the registry is the tutor's own practice registry (docker-tutor practice-registry)",
}
# Derived variables that are empty for some registries, and the condition that guards them.
GUARDED = {"registry_web": "web", "repositories_url": "web"}
DERIVED = ("registry_name", "registry_web", "repositories_url", "registry_prefix", "image_prefix")


@lru_cache(maxsize=64)
def describe(registry: str | None) -> Registry:
    """The facts for ``registry`` as written in settings ("" and any Docker Hub alias mean Docker Hub)."""
    if reference.is_hub(registry):
        return _HUB
    key = reference.registry_key(registry)
    if key == _GHCR.key:
        return _GHCR
    if ecr := _ECR.fullmatch(key):
        region = ecr.group(1)
        return Registry(
            key, "Amazon ECR", "console.aws.amazon.com",
            f"https://console.aws.amazon.com/ecr/private-registry/repositories?region={region}",
            "Amazon ECR does not take your AWS password. Run "
            f"aws ecr get-login-password --region {region} and paste what it prints here (it is valid "
            "for 12 hours); the username must be AWS.",
        )
    if _is_practice(key):
        return Registry(
            key, f"the practice registry at {key}",
            token_help="The practice registry showed your password once, when it made your account (on saving "
                       "the settings, or with `docker-tutor practice-registry start`). Lost it? Run "
                       "`docker-tutor practice-registry password` in a terminal for a new one.",
            practice=True, secret="password",
        )
    return Registry(
        key, f"the registry at {key}",
        token_help=f"There is no token page for the registry at {key}: use the password set up for "
                   "this username by whoever runs the registry (for a registry you run yourself, the one "
                   "you put in its htpasswd file).",
        secret="password",
    )


def _is_practice(key: str) -> bool:
    """Is ``key`` the practice registry set up on this machine? Only loopback hosts are looked up
    (one small file), so Docker Hub, GHCR or a company registry never cost a read."""
    if not key.startswith("127.0.0.1:"):
        return False
    from tutor.practice.state import known_address

    return key == known_address()


def refresh() -> None:
    """Forget the facts worked out so far: the practice registry was just set up or moved to another port."""
    describe.cache_clear()
    _derived.cache_clear()


def derived(values: Mapping[str, str]) -> dict[str, str]:
    """The derived variables for these values. An unset ``{username}`` stays visible in them."""
    return dict(_derived(values.get("registry", ""), values.get("username", "")))


@lru_cache(maxsize=64)
def _derived(registry: str, username: str) -> tuple[tuple[str, str], ...]:
    facts = describe(registry)
    user = username or "{username}"
    # The prefix follows the command builder's rule: Docker Hub's host is left out, any other is kept
    # as written, so `{image_prefix}/app` names exactly what `docker push` is given.
    prefix = "" if facts.hub else f"{registry}/"
    return (
        ("registry_name", facts.name),
        ("registry_web", facts.web),
        ("repositories_url", facts.repositories.replace("{username}", user)),
        ("registry_prefix", prefix),
        ("image_prefix", f"{prefix}{user}"),
    )


def conditions(values: Mapping[str, str]) -> dict[str, bool]:
    facts = describe(values.get("registry", ""))
    return {"hub": facts.hub, "web": bool(facts.web), "practice": facts.practice}
