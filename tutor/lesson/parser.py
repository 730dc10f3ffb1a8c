"""Markdown lesson text -> :class:`Lesson`.

Layout (see docs/lesson-format.md): TOML front matter, then ``## Concepts``, ``## Steps``,
``## Quiz``, ``## Verify`` and ``## Checklist`` sections whose ``###`` headings start
items carrying ``{#id}``. Inside a step, ``#### Hint: ...`` starts a hint and
```` ```action kind=... ```` fences are actions; a question holds a ```` ```rubric ````
fence (TOML), a ``- [x]`` task list of choices and an ``#### Explanation``.

The parser is forgiving: what it can read past (an unknown section, bad rubric TOML, a
block in the wrong place) becomes a :class:`Problem` on the lesson for lint to report.
Only an unreadable front matter raises :class:`LessonError`.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

from tutor.lesson.blocks import Block, is_task_list, list_item, top_level_blocks
from tutor.lesson.errors import LessonError, Problem
from tutor.lesson.frontmatter import read_front_matter
from tutor.lesson.model import (
    Action, ChecklistItem, Choice, Concept, Hint, Lesson, Option, Probe, Question, Step, Variable, VerifyCheck,
    VerifyItem,
)
from tutor.lesson.rubric_text import parse_rubric

SECTIONS = ("concepts", "steps", "quiz", "verify", "checklist")
FRONT_KEYS = {"id", "title", "order", "previous", "next", "variables"}
QUESTION_KINDS = ("text", "choice")

# A trailing {#id .flag key=value} on a heading or checklist entry. `{username}` alone is a
# variable, not attributes, so attributes must start with # or . or hold an `=`.
_ATTRS = re.compile(r"\s*\{((?:\s*[#.][^{}]*)|(?:[^{}]*=[^{}]*))\}\s*$")
_HINT = re.compile(r"^hint\s*:\s*(.*)$", re.IGNORECASE)
_WHY = re.compile(r"^why(?:\s+not)?\s*:\s*", re.IGNORECASE)


def read_text(path: Path) -> str:
    """A lesson file's text; LessonError when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LessonError(path, 0, "no such lesson file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonError(path, 0, f"cannot read the lesson: {exc}") from None


def load_lesson(path: str | Path, text: str | None = None) -> Lesson:
    """Read and parse one lesson file; LessonError (with file:line) when it cannot be read."""
    path = Path(path)
    return parse_lesson(read_text(path) if text is None else text, path)


def parse_lesson(text: str, source: Path | None = None) -> Lesson:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    front = read_front_matter(lines, source)
    lesson = Lesson(id="", title="", order=0, source=source, meta_lines=front.lines)
    _apply_front_matter(lesson, front.data)
    # Blank out the front matter so markdown-it's line numbers are the file's.
    body = "\n" * (front.end + 1) + "\n".join(lines[front.end + 1:])
    _Builder(lesson, lines).run(top_level_blocks(body))
    return lesson


def split_attrs(text: str) -> tuple[str, dict[str, Any]] | tuple[str, None]:
    """``"Title {#id .optional kind=text}"`` -> ("Title", {"id", "classes", "params"}); None when malformed."""
    found = _ATTRS.search(text)
    attrs: dict[str, Any] = {"id": "", "classes": [], "params": {}}
    if not found:
        return text.strip(), attrs
    try:
        words = shlex.split(found.group(1))
    except ValueError:
        return text[: found.start()].strip(), None
    for word in words:
        if word.startswith("#"):
            attrs["id"] = word[1:]
        elif word.startswith("."):
            attrs["classes"].append(word[1:])
        elif "=" in word and not word.startswith("="):  # "=x" has no key: malformed, not key ''
            key, value = word.split("=", 1)
            attrs["params"][key] = value
        else:
            return text[: found.start()].strip(), None
    return text[: found.start()].strip(), attrs


def split_params(info: str) -> tuple[str, dict[str, str], str]:
    """A fence info string ``action kind=build repository=x`` -> ("action", params, error)."""
    try:
        words = shlex.split(info)
    except ValueError as exc:
        return info.split()[0] if info.split() else "", {}, f"cannot read the block's parameters: {exc}"
    params: dict[str, str] = {}
    for word in words[1:]:
        if "=" not in word:
            return words[0], params, f"malformed parameter '{word}': write key=value"
        key, value = word.split("=", 1)
        params[key] = value
    return (words[0] if words else ""), params, ""


def _apply_front_matter(lesson: Lesson, data: dict[str, Any]) -> None:
    def problem(key: str, message: str) -> None:
        lesson.problems.append(Problem(lesson.source, lesson.meta_lines.get(key, 1), f"malformed front matter: {message}"))

    for key in data:
        if key not in FRONT_KEYS:
            problem(key, f"unknown key '{key}' (known: {', '.join(sorted(FRONT_KEYS))})")
    for key in ("id", "title", "previous", "next"):
        if key in data and not isinstance(data[key], str):
            problem(key, f"'{key}' must be a string")
    lesson.id = data["id"] if isinstance(data.get("id"), str) else ""
    lesson.title = data["title"] if isinstance(data.get("title"), str) else ""
    lesson.previous = data["previous"] if isinstance(data.get("previous"), str) else None
    lesson.next = data["next"] if isinstance(data.get("next"), str) else None
    order = data.get("order", 0)
    if isinstance(order, bool) or not isinstance(order, int):
        problem("order", "'order' must be a whole number")
        order = 0
    lesson.order = order
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        problem("variables", "'variables' must be a table: [variables] then name = \"default\" lines")
        return
    for name, spec in variables.items():
        line = lesson.meta_lines.get(f"variables.{name}", lesson.meta_lines.get("variables", 1))
        if isinstance(spec, str):
            lesson.variables[name] = Variable(name, spec, "", line)
        elif isinstance(spec, dict) and set(spec) <= {"default", "label"} and all(isinstance(v, str) for v in spec.values()):
            lesson.variables[name] = Variable(name, spec.get("default", ""), spec.get("label", ""), line)
        else:
            problem(f"variables.{name}", f"variable '{name}' must be a string default or "
                                         "{ default = \"...\", label = \"...\" }")
            lesson.variables[name] = Variable(name, "", "", line)


class _Builder:
    """Walks the top-level blocks, keeping track of the section and item they belong to."""

    def __init__(self, lesson: Lesson, lines: list[str]) -> None:
        self.lesson = lesson
        self.lines = lines
        self.section: str | None = None  # None before the first ##, "" in an unknown section
        self.item: Concept | Step | Question | VerifyItem | None = None
        self.hint: Hint | None = None
        self.question_part = "body"  # body -> choice prompt (after the rubric) -> explanation
        self.choice_prompt = ""  # prose between a rubric and the fallback choices
        self.prose: list[Block] = []

    def problem(self, line: int, message: str) -> None:
        self.lesson.problems.append(Problem(self.lesson.source, line, message))

    # -- prose --------------------------------------------------------------------------------

    def flush(self) -> None:
        """Hand the prose gathered so far to whatever it belongs to."""
        if not self.prose:
            return
        text = "\n".join(self.lines[self.prose[0].start:self.prose[-1].end]).strip("\n")
        self.prose = []
        if not text.strip():
            return
        target = self.hint or self.item
        if isinstance(target, (Step, Hint)):
            target.blocks.append(text)
        elif isinstance(target, Question):
            if self.question_part == "explanation":
                target.explanation = _join(target.explanation, text)
            elif self.question_part == "choice":
                self.choice_prompt = _join(self.choice_prompt, text)
            else:
                target.body = _join(target.body, text)
        elif isinstance(target, (Concept, VerifyItem)):
            target.body = _join(target.body, text)
        elif self.section is None:
            self.lesson.intro = _join(self.lesson.intro, text)
        elif self.section:
            intros = self.lesson.section_intros
            intros[self.section] = _join(intros.get(self.section, ""), text)

    # -- dispatch -----------------------------------------------------------------------------

    def run(self, blocks: list[Block]) -> None:
        for block in blocks:
            if block.type == "heading":
                self.heading(block)
            elif block.type == "fence" and block.info.split()[:1] in (["action"], ["rubric"], ["verify"]):
                self.flush()
                self.fence(block)
            elif block.type == "list" and self.section == "checklist":
                self.flush()
                self.checklist(block)
            elif block.type == "list" and isinstance(self.item, Question) and self.question_part != "explanation" \
                    and is_task_list(block, self.lines):
                self.flush()
                self.choices(block)
            elif self.section != "":
                self.prose.append(block)
        self.flush()
        self.settle_question()
        for question in self.lesson.quiz:
            if not question.kind:
                question.kind = "text" if question.rubric is not None else "choice"

    def settle_question(self) -> None:
        """Prose after a rubric that no choice list followed is part of the question's body."""
        if self.choice_prompt and isinstance(self.item, Question):
            self.item.body = _join(self.item.body, self.choice_prompt)
        self.choice_prompt = ""

    def heading(self, block: Block) -> None:
        level, line = block.level, block.line
        if level == 1:
            if self.section is not None or self.lesson.intro or self.prose:  # text came before it
                self.problem(line, "a lesson has one '#' title, at the top")
            self.flush()
            return
        if level == 2:
            self.flush()
            self.settle_question()
            self.item = self.hint = None
            name = split_attrs(block.text)[0].lower()
            if name in SECTIONS:
                self.section = name
            else:
                self.section = ""
                self.problem(line, f"unknown section '{block.text}' "
                                   f"(sections: {', '.join(s.capitalize() for s in SECTIONS)})")
            return
        if self.section == "":
            return
        if level == 3 and self.section is not None:
            self.flush()
            self.settle_question()
            self.new_item(block)
            return
        if level == 4 and isinstance(self.item, Step) and (hint := _HINT.match(block.text)):
            self.flush()
            title, attrs = split_attrs(hint.group(1))
            if attrs is None:
                self.problem(line, "malformed attributes: write {#id}")
                attrs = {"id": "", "classes": [], "params": {}}
            self.unexpected_attrs(line, attrs, allowed_params=(), allowed_classes=())
            self.hint = Hint(attrs["id"], title, line)
            self.item.hints.append(self.hint)
            return
        if level == 4 and isinstance(self.item, Question) and block.text.strip().lower() == "explanation":
            self.flush()
            self.settle_question()
            self.question_part = "explanation"
            return
        if level == 4 and isinstance(self.item, Step) and self.hint is not None:
            self.flush()
            self.hint = None  # any other #### ends the hint: what follows is the step's again
        elif level == 4 and _HINT.match(block.text):
            self.problem(line, "a hint belongs inside a step (under a '###' step heading in '## Steps')")
        self.prose.append(block)

    def new_item(self, block: Block) -> None:
        line = block.line
        title, attrs = split_attrs(block.text)
        if attrs is None:
            self.problem(line, "malformed attributes: write {#id} (and key=value pairs)")
            attrs = {"id": "", "classes": [], "params": {}}
        self.hint = None
        self.question_part = "body"
        if self.section == "concepts":
            self.unexpected_attrs(line, attrs, (), ())
            self.item = Concept(attrs["id"], title, line)
            self.lesson.concepts.append(self.item)
        elif self.section == "steps":
            self.unexpected_attrs(line, attrs, ("verify",), ("optional",))
            self.item = Step(attrs["id"], title, line, optional="optional" in attrs["classes"],
                             verify=attrs["params"].get("verify", ""))
            self.lesson.steps.append(self.item)
        elif self.section == "quiz":
            self.unexpected_attrs(line, attrs, ("kind",), ())
            kind = attrs["params"].get("kind", "")
            if kind and kind not in QUESTION_KINDS:
                self.problem(line, f"unknown question kind '{kind}' (kinds: {', '.join(QUESTION_KINDS)})")
            self.item = Question(attrs["id"], title, kind, line)
            self.lesson.quiz.append(self.item)
        elif self.section == "verify":
            self.unexpected_attrs(line, attrs, (), ())
            self.item = VerifyItem(attrs["id"], title, line)
            self.lesson.verify.append(self.item)
        elif self.section == "checklist":
            self.item = None
            self.problem(line, "checklist items are task-list entries: - [ ] text {#id probe=... question=...}")

    def unexpected_attrs(self, line: int, attrs: dict[str, Any], allowed_params: tuple[str, ...],
                         allowed_classes: tuple[str, ...]) -> None:
        for key in attrs["params"]:
            if key not in allowed_params:
                self.problem(line, f"unknown attribute '{key}'")
        for name in attrs["classes"]:
            if name not in allowed_classes:
                self.problem(line, f"unknown attribute '.{name}'")

    # -- structured blocks --------------------------------------------------------------------

    def fence(self, block: Block) -> None:
        name, params, error = split_params(block.info)
        line = block.line
        if error:
            self.problem(line, error)
        body = block.content.strip("\n")
        if name == "action":
            container = self.hint or self.item
            if not isinstance(container, (Step, Hint)):
                self.problem(line, "an action belongs inside a step or a hint")
                return
            kind = params.pop("kind", "")
            given_id = params.pop("id", "")
            auto_id = f"{_slug(container.id) or 'action'}-{len(container.actions) + 1}"
            action = Action(kind, params, line, given_id or auto_id, body)
            container.blocks.append(action)
        elif name == "rubric":
            if not isinstance(self.item, Question) or self.question_part == "explanation":
                self.problem(line, "a rubric belongs inside a quiz question, before its explanation")
                return
            if self.item.rubric is not None:
                self.problem(line, f"question '{self.item.id}' has a second rubric")
                return
            if params:
                self.problem(line, "a rubric block takes no parameters")
            self.item.rubric = parse_rubric(block, self.problem)
            self.question_part = "choice"
        elif name == "verify":
            if not isinstance(self.item, VerifyItem):
                self.problem(line, "a verify block belongs under a '###' heading in '## Verify'")
                return
            kind = params.pop("probe", "")
            given_id = params.pop("id", "")
            check_id = given_id or f"{_slug(self.item.id) or 'check'}-{len(self.item.checks) + 1}"
            self.item.checks.append(VerifyCheck(check_id, Probe(kind, params, line), line, body))

    def choices(self, block: Block) -> None:
        question = self.item
        assert isinstance(question, Question)
        if question.choice is not None:
            self.problem(block.line, f"question '{question.id}' has a second list of choices")
            return
        options = []
        for number, (start, end) in enumerate(block.items):
            item = list_item(self.lines, start, end)
            if item.checkbox is None:
                self.problem(item.line, "every choice starts with [ ] (wrong) or [x] (right)")
            text: list[str] = []
            why: list[str] = []
            for part in item.lines:
                if why or _WHY.match(part):
                    why.append(_WHY.sub("", part, count=1))
                else:
                    text.append(part)
            options.append(Option(chr(ord("a") + number), " ".join(t for t in text if t),
                                  item.checkbox == "x", item.line, " ".join(w for w in why if w)))
        question.choice = Choice(options, block.line, self.choice_prompt)
        self.choice_prompt = ""

    def checklist(self, block: Block) -> None:
        for start, end in block.items:
            item = list_item(self.lines, start, end)
            text, attrs = split_attrs(" ".join(part for part in item.lines if part))
            if attrs is None:
                self.problem(item.line, "malformed attributes: write {#id probe=... question=...}")
                attrs = {"id": "", "classes": [], "params": {}}
            for name in attrs["classes"]:
                self.problem(item.line, f"unknown attribute '.{name}'")
            params = dict(attrs["params"])
            question = params.pop("question", None)
            kind = params.pop("probe", None)
            probe = Probe(kind, params, item.line) if kind is not None else None
            if probe is None and params:
                self.problem(item.line, f"probe parameters ({', '.join(params)}) without probe=KIND")
            self.lesson.checklist.append(ChecklistItem(attrs["id"], text, item.line, probe, question))


def _slug(ident: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", ident.lower()).strip("-")


def _join(first: str, second: str) -> str:
    return f"{first}\n\n{second}" if first else second
