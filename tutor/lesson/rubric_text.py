"""A question's rubric: the ```rubric fence of a lesson (TOML) read into a :class:`Rubric`.

Forgiving like the rest of the parser: bad TOML, unknown keys and wrong shapes are reported
through ``problem(line, message)`` with the file line they are on, and the rest is kept.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from typing import Any

from tutor.lesson.blocks import Block
from tutor.lesson.frontmatter import deepest_line
from tutor.lesson.model import Misconception, Rubric, RubricConcept

Report = Callable[[int, str], None]

_TOML_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)")
_RUBRIC_TABLE = re.compile(r"^\s*\[\[\s*(concept|misconception)\s*\]\]")


def parse_rubric(block: Block, problem: Report) -> Rubric:
    """A question's ```rubric fence (TOML) -> :class:`Rubric`; what cannot be read is reported."""
    first = block.line + 1  # file line of the rubric's first content line
    rubric = Rubric([], [], block.line)
    try:
        data = tomllib.loads(block.content)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        # Errors "at end of document" carry no line: point at the rubric's last line.
        line = first + int(found.group(1)) - 1 if found else max(block.end - 1, block.line)
        message = re.sub(r"\s*\(at end of document\)", "", _TOML_LINE.sub("", str(exc)))
        problem(line, f"malformed rubric: {message}")
        rubric.readable = False
        return rubric
    except RecursionError:  # thousands of brackets: tomllib runs out of stack
        line = first + deepest_line(block.content.split("\n"))
        problem(line, "malformed rubric: arrays or tables nested too deeply")
        rubric.readable = False
        return rubric
    table_lines: dict[str, list[int]] = {"concept": [], "misconception": []}
    for offset, text in enumerate(block.content.split("\n")):
        if found := _RUBRIC_TABLE.match(text):
            table_lines[found.group(1)].append(first + offset)
    for key in data:
        if key not in ("concept", "misconception", "required"):
            problem(block.line, f"unknown rubric key '{key}' (known: concept, misconception, required)")
    required = data.get("required")
    if required is not None:
        if isinstance(required, int) and not isinstance(required, bool) and required >= 1:
            rubric.required = required
        else:
            problem(block.line, "rubric 'required' must be a whole number of concepts, 1 or more")
    for kind in ("concept", "misconception"):
        entries = data.get(kind, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            problem(block.line, f"write each rubric {kind} as a [[{kind}]] table")
            continue
        for index, entry in enumerate(entries):
            line = table_lines[kind][index] if index < len(table_lines[kind]) else block.line
            _entry(rubric, kind, entry, line, problem)
    return rubric

def _entry(rubric: Rubric, kind: str, entry: dict[str, Any], line: int, problem: Report) -> None:
    allowed = {"id", "label", "phrasings", "terms", "actor"} | (
        {"correction"} if kind == "misconception" else {"follow_up", "partial"})
    for key in entry:
        if key not in allowed:
            problem(line, f"unknown rubric {kind} key '{key}' (known: {', '.join(sorted(allowed))})")
    keys = ("id", "label", "correction", "actor", "follow_up")
    text = {key: entry[key] if isinstance(entry.get(key), str) else "" for key in keys}
    lists: dict[str, list[str]] = {}
    for key in ("phrasings", "terms"):
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
            problem(line, f"rubric {kind} '{key}' must be a list of strings")
            value = []
        lists[key] = value
    if kind == "concept":
        partial = entry.get("partial", False)
        if not isinstance(partial, bool):
            problem(line, "rubric concept 'partial' must be true or false")
            partial = False
        rubric.concepts.append(RubricConcept(text["id"], text["label"], lists["phrasings"], line,
                                             lists["terms"], text["actor"], text["follow_up"], partial))
    else:
        rubric.misconceptions.append(Misconception(text["id"], text["label"], lists["phrasings"],
                                                   text["correction"], line, lists["terms"], text["actor"]))
