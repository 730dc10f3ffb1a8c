"""Lesson variables and conditional text: ``{username}`` is filled from the learner's settings,
``{if hub}...{else}...{end}`` keeps only the part that is true for the chosen registry.

Only ``{name}`` with a plain identifier inside is a variable, so Go templates such as
``{{.Repository}}`` and YAML/JSON braces pass through untouched. ``{{name}}`` is the
escape for a literal ``{name}``. A variable without a value stays as ``{name}`` so the
gap is visible (and the app can ask for it) rather than silently empty. Derived variables
(:mod:`tutor.lesson.registries`) are always computed from ``registry`` and ``username``;
they may be empty (``{registry_prefix}`` on Docker Hub), which is a fact, not a gap.

A condition opens and closes inside one piece of text (a paragraph run, a title, an
action's text or parameter, a list entry); conditions nest. A line holding nothing but
``{if ...}``, ``{else}`` or ``{end}`` disappears whole, so block-level conditions leave no
blank line behind. Lint (:func:`problems`) reports unbalanced or unknown conditions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from tutor.lesson import registries

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_IF = rf"(?<!\{{)\{{if\s+(not\s+)?({_NAME})\s*\}}(?!\}})"
# Alternatives in this order: the escape, a condition, then a variable (or else/end).
_TOKEN = re.compile(rf"\{{\{{({_NAME})\}}\}}|{_IF}|\{{({_NAME})\}}")
_TAG = rf"(?<!\{{)\{{(?:if\s+(?:not\s+)?{_NAME}\s*|else|end)\}}(?!\}})"
_TAG_LINE = re.compile(rf"^[ \t]*((?:{_TAG}[ \t]*)+)(?:\n|\Z)", re.MULTILINE)
_TAG_ONLY = re.compile(_TAG)
RESERVED = frozenset({"if", "else", "end"})


def _squeeze(text: str) -> str:
    """A line of nothing but condition tags keeps the tags and loses its spaces and line break."""
    return _TAG_LINE.sub(lambda m: "".join(_TAG_ONLY.findall(m.group(1))), text)


def render(text: str, values: Mapping[str, str]) -> str:
    """Keep the branches whose condition holds and fill ``{name}`` from ``values`` and the derived
    variables; unknown or empty (non-derived) names are left as written."""
    if "{" not in text:
        return text
    derived = registries.derived(values)
    conditions = registries.conditions(values)
    text = _squeeze(text)
    out: list[str] = []
    stack: list[list[bool]] = []  # [condition holds, in the else branch]
    emitting, position = True, 0
    for match in _TOKEN.finditer(text):
        if emitting:
            out.append(text[position:match.start()])
        position = match.end()
        escaped, negated, condition, name = match.groups()
        if condition is not None:
            stack.append([conditions.get(condition, False) != bool(negated), False])
        elif name == "else" and stack and not stack[-1][1]:
            stack[-1][1] = True
        elif name == "end" and stack:
            stack.pop()
        elif emitting:
            if escaped is not None:
                out.append("{" + escaped + "}")
            elif name in derived:
                out.append(derived[name])
            else:
                out.append(values.get(name) or match.group(0))
        emitting = all(holds != in_else for holds, in_else in stack)
    if emitting:
        out.append(text[position:])
    return "".join(out)


def names_in(text: str) -> Iterator[tuple[int, str]]:
    """(offset, name) of every variable ``text`` uses; escapes and condition words excluded."""
    for match in _TOKEN.finditer(text):
        name = match.group(4)
        if name is not None and name not in RESERVED:
            yield match.start(), name


def problems(text: str) -> list[tuple[int, str]]:
    """(offset, message) for each mistake in the conditions of one piece of text."""
    found: list[tuple[int, str]] = []
    known = ", ".join(registries.CONDITIONS)
    stack: list[tuple[int, str, str, bool, bool]] = []  # (offset, tag, condition, negated, in else) per open {if}
    for match in _TOKEN.finditer(text):
        _escaped, negated, condition, name = match.groups()
        start, tag = match.start(), match.group(0)
        if condition is not None:
            if condition not in registries.CONDITIONS:
                found.append((start, f"unknown condition '{condition}' in {tag} (conditions: {known})"))
            stack.append((start, tag, condition, bool(negated), False))
        elif name == "if":
            found.append((start, f"{{if}} needs a condition: {{if hub}}, {{if not web}} (conditions: {known})"))
        elif name == "else":
            if not stack:
                found.append((start, "{else} without an {if ...} before it in the same text"))
            elif stack[-1][4]:
                found.append((start, f"{stack[-1][1]} has a second {{else}}"))
            else:
                stack[-1] = (*stack[-1][:4], True)
        elif name == "end":
            if stack:
                stack.pop()
            else:
                found.append((start, "{end} without an {if ...} before it in the same text"))
        elif name in registries.GUARDED:
            guard = registries.GUARDED[name]
            # Safe only where the guard is known to hold: {if web}, or the else of {if not web}.
            safe = any(cond == guard and negated_ == in_else for _, _, cond, negated_, in_else in stack)
            if not safe:
                found.append((start, f"{{{name}}} is empty when the registry has no web site: "
                                     f"write it inside {{if {guard}}}...{{end}}"))
    for start, tag, *_ in stack:
        found.append((start, f"{tag} is not closed: add {{end}} before this text ends (a condition cannot "
                             "span a heading, an action or verify block, or list entries the tutor reads "
                             "one by one)"))
    return found
