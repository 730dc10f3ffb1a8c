"""The base images a Dockerfile needs, from its FROM lines (build arguments filled in as the builder does)."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field


def _instructions(text: str) -> list[str]:
    """Instructions with their continuation lines joined and comments dropped."""
    found, current = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not current):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        found.append(current + line)
        current = ""
    if current.strip():
        found.append(current.strip())
    return found


_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_]\w*)(?::?([-+])([^}]*))?\}|([A-Za-z_]\w*))")


def _expand(word: str, args: dict[str, str | None]) -> str | None:
    """``word`` with build arguments replaced, as the builder does; None when one has no value here."""
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1) or match.group(4)
        known, op, alternative = args.get(name), match.group(2), match.group(3) or ""
        if op == "-":
            return known or alternative
        if op == "+":
            return alternative if known else ""
        if known is None:
            missing = True
            return ""
        return known

    expanded = _VARIABLE.sub(value, word)
    return None if missing or not expanded else expanded


@dataclass
class FromLines:
    images: list[str] = field(default_factory=list)  # base images, as written (variables filled)
    unresolved: list[str] = field(default_factory=list)  # FROM words naming a build argument without a value


def base_images(text: str) -> FromLines:
    """The images a Dockerfile's FROM lines need: not ``scratch``, not an earlier stage's name.

    ``ARG`` lines before the first FROM give defaults, as in ``ARG NODE=20`` / ``FROM node:${NODE}``.
    """
    args: dict[str, str | None] = {}
    stages: set[str] = set()
    result = FromLines()
    seen_from = False
    for instruction in _instructions(text):
        keyword, _, rest = instruction.partition(" ")
        keyword = keyword.upper()
        if keyword == "ARG" and not seen_from:
            try:
                words = shlex.split(rest)
            except ValueError:
                words = rest.split()
            for word in words:
                name, eq, default = word.partition("=")
                args[name] = default if eq else None
        elif keyword == "FROM":
            seen_from = True
            words = [w for w in rest.split() if not w.startswith("--")]
            if not words:
                continue
            image = _expand(words[0], args)
            if image is None:
                result.unresolved.append(words[0])
            elif image.lower() != "scratch" and image.lower() not in stages and image not in result.images:
                result.images.append(image)
            if len(words) >= 3 and words[1].lower() == "as":
                stages.add(words[2].lower())
    return result
