"""The rules of an image reference and the checks that explain a broken one.

:mod:`tutor.reference` parses and composes names; this module holds what both ask when a name
is wrong: the rule each error starts with (:class:`ImageNameError`), the grammar's regular
expressions, and the checks of the registry, repository path, tag and digest, each with a hint
a learner can act on.
"""

from __future__ import annotations

import re

MAX_PATH_LENGTH = 255
MAX_TAG_LENGTH = 128

# Each rule is the first part of an error message, so callers can compare err.rule.
RULE_EMPTY = "image reference must not be empty"
RULE_FORMAT = "invalid reference format"
RULE_LOWERCASE = "repository name must be lowercase"
RULE_TOO_LONG = f"repository name must not be more than {MAX_PATH_LENGTH} characters"
RULE_TAG = "invalid tag format"
RULE_DIGEST = "invalid digest format"
RULE_DIGEST_ALGORITHM = "unsupported digest algorithm"
RULE_IMAGE_ID = "repository name cannot be a 64-character hexadecimal string"
RULE_USERNAME = "invalid username"
RULE_REGISTRY = "invalid registry host"

PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
DOMAIN_LABEL = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
REGISTRY = re.compile(
    rf"(?:{DOMAIN_LABEL}(?:\.{DOMAIN_LABEL})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
)
TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
DIGEST_ALGORITHM = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*")
HEX = re.compile(r"[0-9a-fA-F]+")
IMAGE_ID = re.compile(r"[a-f0-9]{64}")
HUB_USERNAME = re.compile(r"[a-z0-9]+")
# Algorithms the engine accepts, with the hex length of each.
DIGEST_HEX_LENGTH = {"sha256": 64, "sha384": 96, "sha512": 128}


class ImageNameError(ValueError):
    """An image reference breaks a rule; ``str()`` is ``"<rule>: <reference>"``."""

    def __init__(self, rule: str, reference: str, hint: str | None = None) -> None:
        self.rule = rule
        self.reference = reference
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"{self.rule}: {self.reference}" if self.reference else self.rule

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):  # keep it picklable despite the custom __init__
        return (type(self), (self.rule, self.reference, self.hint))


# --- checks shared by parse() and build() ------------------------------------------------


def looks_like_registry(part: str) -> bool:
    """Docker's test for whether the first path part names a registry host."""
    return part == "localhost" or "." in part or ":" in part


def split_registry(name: str) -> tuple[str | None, str]:
    first, sep, rest = name.partition("/")
    if sep and looks_like_registry(first):
        return first, rest
    return None, name


def check_remote(remote: str, ref: str, registry: str | None, suffix: str) -> None:
    """The repository path after the registry: lowercase components joined by '/'."""
    if not remote:
        raise ImageNameError(RULE_FORMAT, ref, "add the repository name after the registry, e.g. "
                             f"{registry or 'ghcr.io'}/yourusername/app")
    if remote != remote.lower():
        fixed = (f"{registry}/" if registry is not None else "") + remote.lower() + suffix
        hint = "repository names use lowercase letters only"
        if parses(fixed):
            hint += f": use {fixed}"
        raise ImageNameError(RULE_LOWERCASE, ref, hint)
    for part in remote.split("/"):
        if not part:
            raise ImageNameError(RULE_FORMAT, ref, "a repository name has no empty parts: remove the extra '/'")
        if not PATH_COMPONENT.fullmatch(part):
            hint = explain_component(part)
            if part.startswith("["):
                hint = "a registry address must be followed by '/' and a repository, e.g. [::1]:5000/app"
            raise ImageNameError(RULE_FORMAT, ref, hint)


def explain_component(part: str) -> str:
    """Why one '/'-separated part of a repository name is not valid."""
    allowed = "lowercase letters, digits and the separators '.', '_', '__' or '-'"
    bad = next((ch for ch in part if not (ch in "._-" or (ch.isascii() and ch.isalnum()))), None)
    if bad == ":":
        return (f"{part!r} contains ':'; a tag comes once, after the last '/' (e.g. app:v1), "
                "and a port only belongs to a registry (e.g. localhost:5000/app)")
    if bad is not None:
        return f"{part!r} contains {bad!r}; a repository name uses only {allowed}"
    if part[0] in "._-" or part[-1] in "._-":
        return f"{part!r} must start and end with a lowercase letter or digit"
    for run in re.finditer(r"[._-]{2,}", part):
        if run.group() != "__" and set(run.group()) != {"-"}:
            return f"{part!r} has the separators {run.group()!r} in a row; use one of '.', '_', '__' or '-'"
    return f"{part!r} is not a valid name part: use {allowed}"


def check_registry_host(host: str, ref: str, rule: str = RULE_FORMAT) -> None:
    if REGISTRY.fullmatch(host):
        return
    if host.startswith("[") or host.count(":") > 1:
        hint = ("an IPv6 registry goes in brackets with hex digits and ':' only, "
                "e.g. [::1]:5000/app")
    elif ":" in host and not host.rsplit(":", 1)[1].isdigit():
        hint = f"the port after ':' must be a number, e.g. {host.split(':', 1)[0] or 'localhost'}:5000"
    else:
        hint = ("a registry host is made of letters, digits and '-' (not at the ends), "
                "separated by '.', e.g. ghcr.io or 127.0.0.1:5000")
    raise ImageNameError(rule, ref, f"{host!r} is not a valid registry address; {hint}")


def check_tag(tag: str, ref: str) -> None:
    if TAG.fullmatch(tag):
        return
    if not tag:
        hint = "write a tag after ':' (e.g. app:v1), or leave out the ':' to mean :latest"
    elif len(tag) > MAX_TAG_LENGTH:
        hint = f"a tag has at most {MAX_TAG_LENGTH} characters; this one has {len(tag)}"
    elif tag[0] in ".-":
        hint = f"a tag cannot start with {tag[0]!r}; start it with a letter, digit or '_'"
    else:
        bad = next(ch for ch in tag if not (ch in "._-" or (ch.isascii() and ch.isalnum())))
        hint = f"a tag uses only letters, digits, '_', '.' and '-'; {bad!r} is not allowed"
    raise ImageNameError(RULE_TAG, ref, hint)


def check_digest(digest: str, ref: str) -> None:
    example = "sha256:<64 lowercase hex digits>"
    if "@" in digest:
        raise ImageNameError(RULE_FORMAT, ref, "a reference has at most one '@' (before the digest)")
    algorithm, colon, hex_part = digest.partition(":")
    if not colon or not DIGEST_ALGORITHM.fullmatch(algorithm) or not HEX.fullmatch(hex_part):
        raise ImageNameError(RULE_DIGEST, ref, f"a digest after '@' looks like {example}")
    expected = DIGEST_HEX_LENGTH.get(algorithm)
    if expected is None:
        if len(hex_part) < 32:
            raise ImageNameError(RULE_DIGEST, ref, f"a digest after '@' looks like {example}")
        raise ImageNameError(RULE_DIGEST_ALGORITHM, ref, "use sha256 (sha384 and sha512 also work)")
    if len(hex_part) != expected:
        raise ImageNameError(
            RULE_DIGEST, ref,
            f"a {algorithm} digest has exactly {expected} hex digits; this one has {len(hex_part)}",
        )
    if hex_part != hex_part.lower():
        raise ImageNameError(RULE_DIGEST, ref, f"write the hex digits in lowercase: {algorithm}:{hex_part.lower()}")


def parses(text: str) -> bool:
    from tutor.reference import parse  # the whole grammar, to offer only a fix that parses

    try:
        parse(text)
    except ImageNameError:
        return False
    return True
