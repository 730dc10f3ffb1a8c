"""The failure hint, and ``hint(code, **facts)``: one hint from the catalogue of every source.

The catalogue is the union of the sources' tables (``TEXTS``: code -> (what, next step), and
``GENERIC``: what a placeholder says when the caller does not know the fact), each defined once
in its own module; a code or a placeholder belongs to exactly one of them. ``COMMON`` holds the
placeholders that the sentences of several sources use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class FailureHint:
    """What went wrong and what to do next, for a failure of docker, a registry or a node."""

    code: str
    what: str
    next_step: str
    # The low-level message, never shown as the hint itself: for docker's failures its own reason in
    # one short line (docker_reason), which the action pane shows as "Docker said: ...".
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.what} {self.next_step}"


# Placeholders that the sentences of more than one source use.
COMMON = {
    "ref": "the image",
    "registry": "the registry",
    "registry_label": "the registry",
    "username": "you",
    "node": "the node",
    "detail": "no details were given",
    "seconds": "several",
    "port": "the published port",
    "name": "NAME",
    "context": "given",
    "path": "known_hosts",
    "status": "with an error",
    "wait": "a while",
    "verb": "transfer",
    "retry": "try again",
    "resume": "",
    "transfer": "the transfer",
    "logged_in": "your user",
    "fingerprint": "shown above",
}


@cache
def tables() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """The whole catalogue and every placeholder's generic wording, each source's tables merged.

    Built at the first hint, not at import: the sources' modules import ``hint`` from here.
    """
    from tutor.hints import docker, doctor, follow, node, practice, registry

    sources = (docker, registry, node, doctor, follow, practice)
    catalogue = {code: texts for source in sources for code, texts in source.TEXTS.items()}
    generic = {**COMMON, **{key: words for source in sources for key, words in source.GENERIC.items()}}
    return catalogue, generic


class _Facts(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return tables()[1].get(key, key.upper())


def hint(code: str, detail: str = "", **facts: object) -> FailureHint:
    """The catalogue's hint ``code`` with ``facts`` filled in (unknown facts read generically)."""
    from tutor.hints.practice import for_practice

    catalogue = tables()[0]
    code = for_practice(code, facts)
    what, next_step = catalogue.get(code, catalogue["unknown"])
    known = _Facts({k: str(v) for k, v in facts.items() if v not in (None, "")})
    if detail:
        known["detail"] = first_line(detail)
    if "token_help" not in known and "{token_help}" in what + next_step:
        # What this registry takes as the password (a Docker Hub token, a GitHub PAT ...).
        from tutor.lesson.registries import describe

        known["token_help"] = describe(known.get("registry")).token_help
    if "secret" not in known and "{secret}" in what + next_step:
        from tutor.lesson.registries import describe

        known["secret"] = describe(known.get("registry")).secret  # "password" where no tokens exist
    if "password_advice" not in known and "{password_advice}" in next_step:
        from tutor.hints.registry import password_advice

        known["password_advice"] = password_advice(code, known.get("registry"))
    if "login_command" not in known and "{login_command}" in what + next_step:
        # Advice typed by hand, where docker asks for the password itself. Imported here:
        # docker_ops imports this module.
        from tutor.docker_ops.commandline import login_by_hand

        known["login_command"] = login_by_hand(known.get("registry"))
    if "build_command" not in known and "{build_command}" in next_step:
        from tutor.docker_ops.commandline import build

        known["build_command"] = build(known.get("ref") or "IMAGE", ".")
    what, next_step = (_as_typed(text, known) for text in (what, next_step))
    return FailureHint(code, what.format_map(known), next_step.format_map(known), detail)


# Facts that hold what the learner typed (a folder, a file, a name): our messages mark code with
# backticks, so backticks of theirs must show as typed, not turn the folder's name into code.
_TYPED_FACTS = ("context", "dockerfile", "path", "username", "project_dir")


def _as_typed(template: str, facts: dict[str, str]) -> str:
    """``template`` with each typed fact holding a backtick, where it stands in prose (not inside a
    `code` span of ours), filled in as a code span that shows its backticks literally."""
    if not any("`" in facts.get(name, "") for name in _TYPED_FACTS):
        return template
    from tutor.visible import quoted

    parts, inside = [], False
    for part in re.split(r"(`|\{\w+\})", template):
        name = part[1:-1] if part.startswith("{") else ""
        if part == "`":
            inside = not inside
        elif name in _TYPED_FACTS and "`" in facts.get(name, "") and not inside:
            facts[f"{name}_as_typed"] = quoted(facts[name])
            part = f"{{{name}_as_typed}}"
        parts.append(part)
    return "".join(parts)


def first_line(text: str, limit: int = 300) -> str:
    line = next((part.strip() for part in text.strip().splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def class_names(exc: BaseException) -> set[str]:
    """The names of ``exc``'s classes: docker's and asyncssh's exceptions are recognised by name, so
    that recognising them imports neither library."""
    return {cls.__name__ for cls in type(exc).__mro__}
