"""Image references: parse, normalise and compose them the way the Docker engine does.

The grammar is the one of distribution/reference (``ParseNormalizedNamed``)::

    reference  := name [":" tag] ["@" digest]
    name       := [registry "/"] path
    registry   := host [":" port]          host: DNS name, IPv4, or [IPv6]
    path       := component ("/" component)*
    component  := [a-z0-9]+ (separator [a-z0-9]+)*     separator: "." "_" "__" "-"+
    tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
    digest     := algorithm ":" hex            sha256 = 64 lowercase hex digits

Normalisation: with no registry the image lives on Docker Hub (``docker.io``), and a
one-component Docker Hub path gets the ``library/`` namespace of official images.
With neither tag nor digest the tag is ``latest``.

Two deliberate differences from the newest upstream code, both to help learners:
an uppercase first component (``MyUser/app``) is reported as an uppercase repository
name, as Docker Engine 20.x does, rather than taken for a registry host; and
``registry-1.docker.io`` (Docker Hub's API host) and ``registry.hub.docker.com`` count as
Docker Hub. Docker Hub's names are matched in any case (``Docker.IO``), by :func:`is_hub`, the
one predicate every part of the tutor asks, so a login and the image names never disagree.
"""

from __future__ import annotations

import functools

from dataclasses import dataclass, replace

from tutor.image_rules import (  # noqa: F401 - the rules and the error are part of this module's face
    HUB_USERNAME, IMAGE_ID, MAX_PATH_LENGTH, MAX_TAG_LENGTH, PATH_COMPONENT, RULE_DIGEST, RULE_DIGEST_ALGORITHM,
    RULE_EMPTY, RULE_FORMAT, RULE_IMAGE_ID, RULE_LOWERCASE, RULE_REGISTRY, RULE_TAG, RULE_TOO_LONG, RULE_USERNAME,
    ImageNameError, check_digest, check_registry_host, check_remote, check_tag, explain_component,
    looks_like_registry, parses, split_registry,
)

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
# Every host name that means Docker Hub, the one list the tutor uses (docker_config reads it too):
# "index.docker.io" is the legacy name Docker itself folds, "registry.hub.docker.com" an old
# alias that still serves the same registry and may appear in config.json.
HUB_ALIASES = frozenset({DOCKER_HUB, "index.docker.io", DOCKER_HUB_API, "registry.hub.docker.com"})
OFFICIAL_NAMESPACE = "library"
DEFAULT_TAG = "latest"
# Longer input cannot be valid; refusing it early keeps the regexes cheap.
_MAX_INPUT = 4096


def hostname(key: str) -> str:
    """A registry as written anywhere (config.json keys may be URLs, "https://host/v1/"): host[:port], lower case."""
    text = key.strip().lower()
    for scheme in ("https://", "http://"):
        text = text.removeprefix(scheme)
    return text.split("/", 1)[0]


def is_hub(registry: str | None) -> bool:
    """The one answer to "is this Docker Hub?", for settings, names, logins and config.json keys alike:
    an empty registry (docker's default) or any Docker Hub alias, in any case (host names are not
    case-sensitive: "Docker.IO" is Docker Hub) and also written as a URL, as config.json keys may be."""
    return not (registry or "").strip() or hostname(registry or "") in HUB_ALIASES


def registry_key(registry: str | None) -> str:
    """One spelling per registry: "docker.io" for Docker Hub, else host[:port] in lower case."""
    return DOCKER_HUB if is_hub(registry) else hostname(registry or "")


@dataclass(frozen=True)
class ImageRef:
    """A normalised image reference. Get one from :func:`parse` or :func:`build`."""

    registry: str
    path: str
    tag: str | None = None
    digest: str | None = None

    @property
    def namespace(self) -> str | None:
        head, sep, _ = self.path.partition("/")
        return head if sep else None

    @property
    def repository(self) -> str:
        _, sep, rest = self.path.partition("/")
        return rest if sep else self.path

    @property
    def name(self) -> str:
        """Fully qualified name without tag or digest: ``docker.io/library/nginx``."""
        return f"{self.registry}/{self.path}"

    @property
    def full(self) -> str:
        tag = self.tag if (self.tag or self.digest) else DEFAULT_TAG
        return self.name + (f":{tag}" if tag else "") + (f"@{self.digest}" if self.digest else "")

    @property
    def familiar_name(self) -> str:
        """The REPOSITORY column of ``docker images``: Docker Hub and ``library/`` dropped."""
        if not self.is_docker_hub:
            return self.name
        prefix = OFFICIAL_NAMESPACE + "/"
        rest = self.path[len(prefix):]
        if self.path.startswith(prefix) and "/" not in rest:
            return rest
        return self.path

    @property
    def short(self) -> str:
        """REPOSITORY:TAG as ``docker images`` shows it; a digest-only image as name@digest."""
        if self.tag:
            return f"{self.familiar_name}:{self.tag}"
        if self.digest:
            return f"{self.familiar_name}@{self.digest}"
        return f"{self.familiar_name}:{DEFAULT_TAG}"

    @property
    def is_docker_hub(self) -> bool:
        return is_hub(self.registry)

    @property
    def api_registry(self) -> str:
        """The host that serves the Registry HTTP API for this image."""
        return DOCKER_HUB_API if self.is_docker_hub else self.registry

    def with_tag(self, tag: str) -> ImageRef:
        """The same repository under another tag (any digest is dropped: it named other content)."""
        check_tag(tag, f"{self.name}:{tag}")
        return replace(self, tag=tag, digest=None)

    def __str__(self) -> str:
        return self.full


@functools.lru_cache(maxsize=1024)  # the same few names are parsed many times a check (a roster: every learner)
def parse(text: str) -> ImageRef:
    """Parse and normalise an image reference as ``docker pull``/``docker tag`` read it."""
    if not text.strip():
        raise ImageNameError(
            RULE_EMPTY, "", "type an image reference such as nginx or yourusername/poll-backend:v1"
        )
    if len(text) > _MAX_INPUT:
        raise ImageNameError(RULE_TOO_LONG, text[:60] + "...", f"this reference has {len(text)} characters")
    # Docker refuses whitespace anywhere, even at the ends ('user/app:v1 ' is invalid), so nothing
    # is stripped here: what parses is exactly what `docker push` would accept.
    if any(ch.isspace() for ch in text):
        # Quoted, so that a trailing space (or a newline) can be seen in a one-line message.
        raise ImageNameError(RULE_FORMAT, repr(text), _whitespace_hint(text))
    ref = text
    if "://" in ref:
        raise ImageNameError(
            RULE_FORMAT, ref,
            f"leave out the scheme: image references have no http:// or https://, "
            f"e.g. {ref.split('://', 1)[1]}",
        )
    if IMAGE_ID.fullmatch(ref):
        raise ImageNameError(
            RULE_IMAGE_ID, ref,
            "that looks like an image ID; refer to the image by name, e.g. yourusername/app:v1",
        )

    name_and_tag, at, digest = ref.partition("@")
    last_slash = name_and_tag.rfind("/")
    colon = name_and_tag.rfind(":")
    if colon > last_slash:
        name, tag = name_and_tag[:colon], name_and_tag[colon + 1:]
    else:
        name, tag = name_and_tag, None
    if not name:
        raise ImageNameError(
            RULE_FORMAT, ref, "a reference starts with the repository name, e.g. app:v1 or app@sha256:..."
        )

    explicit_registry, remote = split_registry(name)
    check_remote(remote, ref, explicit_registry, suffix=ref[len(name):])
    registry = DOCKER_HUB
    if explicit_registry is not None:
        check_registry_host(explicit_registry, ref)
        registry = DOCKER_HUB if is_hub(explicit_registry) else explicit_registry
    path = remote
    if registry == DOCKER_HUB and "/" not in path:
        path = f"{OFFICIAL_NAMESPACE}/{path}"

    if tag is not None:
        check_tag(tag, ref)
    if at:
        check_digest(digest, ref)
    if len(path) > MAX_PATH_LENGTH:
        raise ImageNameError(
            RULE_TOO_LONG, ref,
            f"the repository path {'(with library/) ' if path != remote else ''}has {len(path)} characters",
        )
    if tag is None and not at:
        tag = DEFAULT_TAG
    return ImageRef(registry=registry, path=path, tag=tag, digest=digest if at else None)


def _whitespace_hint(text: str) -> str:
    """Where the whitespace is, since a trailing space is invisible in the message."""
    inner = text.strip()
    if any(ch.isspace() for ch in inner):
        words = inner.split()
        if words[0] == "docker" and len(words) > 2 and parses(words[-1]):
            # A whole command pasted where only its image name goes.
            return f"give only the image name, not the docker command around it: {words[-1]!r}"
        return f"an image reference contains no spaces or tabs: {text!r} has some inside"
    start, end = text[:1].isspace(), text[-1:].isspace()
    where = "at both ends" if start and end else "at the start" if start else "at the end"
    hint = f"remove the space {where}: {inner!r}"
    return hint if parses(inner) else hint + ", which has another problem too"


def build(username: str, repository: str, tag: str, registry: str = DOCKER_HUB) -> ImageRef:
    """Compose ``[registry/]username/repository:tag`` from its parts and validate each part.

    ``registry="docker.io"`` (or another Docker Hub alias) adds no prefix, as on Docker Hub.
    """
    registry = (registry or DOCKER_HUB).strip()
    hub = is_hub(registry)
    if not hub:
        check_registry_host(registry, registry, RULE_REGISTRY)
        if not looks_like_registry(registry):
            raise ImageNameError(
                RULE_REGISTRY, registry,
                "Docker only reads the first part of a name as a registry when it is localhost "
                f"or contains '.' or ':'; e.g. {registry}.example.com or {registry}:5000",
            )
    problem = validate_username(username, registry=registry)
    if problem:
        raise ImageNameError(RULE_USERNAME, username, problem)
    prefix = "" if hub else registry + "/"
    composed = f"{prefix}{username}/{repository}:{tag}"
    if not repository:
        raise ImageNameError(RULE_FORMAT, composed, "give the repository a name, e.g. poll-backend")
    if any(ch in repository for ch in ":@") or repository.startswith("/"):
        raise ImageNameError(
            RULE_FORMAT, composed, "the repository is only the name (e.g. poll-backend): give the tag separately"
        )
    check_tag(tag, composed)
    return parse(composed)


def validate_username(name: str, registry: str = DOCKER_HUB) -> str | None:
    """None if ``name`` can be the first path component (the namespace), else why not.

    Docker Hub usernames (Docker IDs) are 4-30 lowercase letters and digits; on other
    registries the namespace follows the path-component rule of the reference grammar.
    """
    hub = is_hub(registry)
    where = "Docker Hub usernames" if hub else "Usernames in an image name"
    if not name or not name.strip():
        return "Enter your Docker Hub username." if hub else "Enter a username (the namespace)."
    if name != name.strip():
        return f"Remove the spaces around the username: {name.strip()!r}."
    if "@" in name:
        return ("That looks like an email address. Image names use your username (Docker ID), "
                "not your email." if hub else "A username cannot contain '@'.")
    if "/" in name:
        return "A username is a single part of the image name: it cannot contain '/'."
    lower = name.lower()
    rule = HUB_USERNAME if hub else PATH_COMPONENT
    if lower != name and rule.fullmatch(lower) and (not hub or 4 <= len(lower) <= 30):
        return f"{where} are lowercase: use {lower!r}."
    if hub:
        bad = next((ch for ch in name if not (ch.isascii() and (ch.islower() or ch.isdigit()))), None)
        if bad is not None:
            return f"{where} contain only lowercase letters and digits; {bad!r} is not allowed."
        if not 4 <= len(name) <= 30:
            return f"{where} are 4 to 30 characters long; {name!r} has {len(name)}."
        return None
    if not PATH_COMPONENT.fullmatch(name):
        return f"Not a valid username: {explain_component(name)}."
    if len(name) > MAX_PATH_LENGTH - 2:  # the repository after it needs '/' and a name
        return (f"{where} leave room for the repository: the whole name has at most {MAX_PATH_LENGTH} "
                f"characters, and this username has {len(name)}.")
    return None


MAX_HOST_LENGTH = 253  # a DNS name; a port after it is extra


def validate_registry(registry: str) -> str | None:
    """None if ``registry`` can be the registry part of an image name (as :func:`build` puts it),
    else why not, quoting the value (control characters shown as escapes)."""
    from tutor.visible import visible

    text = registry or ""
    if not text.strip():
        return "Type the registry host, e.g. 127.0.0.1:5000 (or pick Docker Hub)."
    if text in HUB_ALIASES:
        return None
    shown = visible(text if len(text) <= 80 else text[:80] + "…")
    if len(text.rsplit(":", 1)[0] if not text.startswith("[") else text) > MAX_HOST_LENGTH:
        return f"A registry host has at most {MAX_HOST_LENGTH} characters; '{shown}' has {len(text)}."
    try:
        check_registry_host(text, text, RULE_REGISTRY)
    except ImageNameError as exc:
        return f"{exc.hint}.".replace(repr(text), f"'{shown}'")
    if not looks_like_registry(text):
        return (f"'{shown}' is not read as a registry by Docker: the first part of a name is a registry only "
                f"when it is localhost or contains '.' or ':', e.g. {text}.example.com or {text}:5000.")
    return None
