"""Lint: everything in a lesson an author can get wrong, as ``file:line: message``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from tutor.lesson import kinds, registries
from tutor.lesson.errors import LessonError, Problem
from tutor.lesson.frontmatter import FENCE
from tutor.lesson.model import Lesson, Probe, Question, Rubric
from tutor.lesson.parser import parse_lesson
from tutor.lesson.variables import RESERVED, names_in, problems
from tutor.paths import PLAIN_ID

_ID = re.compile(rf"^{PLAIN_ID.pattern}$")


def lint_file(path: str | Path, answers: str | Path | None = None) -> list[Problem]:
    """Problems in one lesson file; with ``answers`` (a labelled JSONL file such as
    tests/data/grading_dev.jsonl), also the rubric entries that none of its answers exercises."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(path, 0, f"cannot read the lesson: {exc}")]
    found = lint_text(text, path)
    if answers is not None:
        try:
            found += rubric_coverage(parse_lesson(text, path), answers)
        except LessonError:
            pass  # lint_text has reported it
    return found


def rubric_coverage(lesson: Lesson, answers: str | Path) -> list[Problem]:
    """Rubric concepts and misconceptions that no answer in ``answers`` exercises: an untested
    rule may never fire, or fire on the wrong answers, and nobody would know."""
    import json

    from tutor.quiz.grader import GradeError, grade

    answers = Path(answers)
    try:
        lines = answers.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(lesson.source, 0, f"cannot read the answers {answers}: {exc}")]
    seen: dict[str, set[str]] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            qid, answer = row["question"], row["answer"]
        except (ValueError, KeyError, TypeError):
            return [Problem(lesson.source, 0, f"{answers}:{number}: not a JSON object with question and answer")]
        question = lesson.question(qid) if isinstance(qid, str) else None
        if question is None or question.rubric is None or not isinstance(answer, str):
            continue
        try:
            verdict = grade(question, answer, "text")
        except GradeError:
            continue
        seen.setdefault(qid, set()).update([i.id for i in verdict.found] + [m.id for m in verdict.misconceptions])
    found = []
    for question in lesson.quiz:
        if question.rubric is None:
            continue
        for entry in question.rubric.entries:
            if entry.id not in seen.get(question.id, set()):
                kind = "concept" if entry in question.rubric.concepts else "misconception"
                found.append(Problem(lesson.source, entry.line,
                                     f"warning: rubric {kind} '{entry.id}' of question '{question.id}' is "
                                     f"exercised by no answer in {answers.name}: add one that states it"))
    return found


def duplicate_ids(together: Iterable[str | Path], alone: Iterable[str | Path] = ()) -> list[Problem]:
    """Lessons that share an id with another: they would share a progress file, and the tutor
    opens only the first when asked for the id.

    ``together`` are the lessons the tutor finds side by side (bundled and --lessons folders),
    compared with each other; each of ``alone`` (a file linted on its own) is compared with
    them only. A file named like one of them is a copy meant to shadow it, not a duplicate.
    """
    first: dict[str, tuple[Path, int]] = {}
    found: list[Problem] = []
    for path in map(Path, together):
        if (ident := _front_id(path)) is not None:
            if ident[0] in first:
                found.append(_duplicate(path, ident, first[ident[0]]))
            else:
                first[ident[0]] = (path, ident[1])
    for path in map(Path, alone):
        ident = _front_id(path)
        if ident is not None and ident[0] in first:
            other = first[ident[0]][0]
            if other.name != path.name and other.resolve() != path.resolve():
                found.append(_duplicate(path, ident, first[ident[0]]))
    return found


def _front_id(path: Path) -> tuple[str, int] | None:
    from tutor.lesson.frontmatter import read_front_matter

    try:
        front = read_front_matter(path.read_text(encoding="utf-8").split("\n"), path)
    except (OSError, UnicodeDecodeError, LessonError):
        return None  # lint_file reports why it cannot be read
    ident = front.data.get("id")
    return (ident, front.lines.get("id", 1)) if isinstance(ident, str) and ident else None


def _duplicate(path: Path, ident: tuple[str, int], first: tuple[Path, int]) -> Problem:
    return Problem(path, ident[1], f"duplicate lesson id '{ident[0]}' (also in {first[0]}:{first[1]}): each "
                                   "lesson needs its own id, its progress file is named after it")


def lint_text(text: str, path: Path | None = None) -> list[Problem]:
    try:
        lesson = parse_lesson(text, path)
    except LessonError as exc:
        return [exc.as_problem()]
    return lint_lesson(lesson, text)


def lint_lesson(lesson: Lesson, text: str) -> list[Problem]:
    """All problems in a parsed lesson; ``text`` is its source, scanned for unknown variables."""
    found = _Lint(lesson)
    found.problems.extend(lesson.problems)
    found.front_matter()
    found.ids()
    found.actions()
    found.quiz()
    found.verify()
    found.checklist()
    found.references()
    found.variables(text)
    found.conditions(text)
    return sorted(found.problems, key=lambda p: (p.line, p.message))


class _Lint:
    def __init__(self, lesson: Lesson) -> None:
        self.lesson = lesson
        self.problems: list[Problem] = []

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.lesson.source, line, message))

    def front_matter(self) -> None:
        for key in ("id", "title", "order"):
            if key not in self.lesson.meta_lines:
                what = "missing id" if key == "id" else f"front matter has no '{key}'"
                self.add(1, f"{what}: add {key} = ... between the '+++' lines")
        for name, var in self.lesson.variables.items():
            if name in registries.DERIVED:
                self.add(var.line, f"variable '{name}' is derived by the tutor from the registry and username; "
                                   "use {" + name + "} without declaring it, or pick another name")
            elif name in RESERVED:
                self.add(var.line, f"'{name}' is a word of conditional text ({{if ...}}, {{else}}, {{end}}), "
                                   "not a variable name")

    def ids(self) -> None:
        lesson = self.lesson
        groups: list[tuple[str, Iterable[tuple[str, int]]]] = [
            ("concept", ((c.id, c.line) for c in lesson.concepts)),
            ("step", ((s.id, s.line) for s in lesson.steps)),
            ("hint", ((h.id, h.line) for h in lesson.hints())),
            ("action", ((a.id, a.line) for a in lesson.actions())),
            ("question", ((q.id, q.line) for q in lesson.quiz)),
            ("verify item", ((v.id, v.line) for v in lesson.verify)),
            ("verify check", ((c.id, c.line) for v in lesson.verify for c in v.checks)),
            ("checklist item", ((c.id, c.line) for c in lesson.checklist)),
        ]
        if lesson.id and not _ID.match(lesson.id):
            self.add(lesson.meta_lines.get("id", 1), f"lesson id '{lesson.id}': use lowercase letters, digits and '-'")
        elif not lesson.id and "id" in lesson.meta_lines and \
                not any(p.message.endswith("'id' must be a string") for p in lesson.problems):
            self.add(lesson.meta_lines["id"], "lesson id is empty: use lowercase letters, digits and '-'")
        for what, entries in groups:
            self.unique(what, entries, how="{#id}" if what not in ("action", "verify check") else "id=...")

    def unique(self, what: str, entries: Iterable[tuple[str, int]], how: str) -> None:
        seen: dict[str, int] = {}
        for ident, line in entries:
            if not ident:
                self.add(line, f"missing id: give this {what} an id with {how}")
            elif ident in seen:
                self.add(line, f"duplicate {what} id '{ident}' (first at line {seen[ident]})")
            else:
                seen[ident] = line
                if not _ID.match(ident):
                    self.add(line, f"{what} id '{ident}': use lowercase letters, digits and '-'")

    def actions(self) -> None:
        for action in self.lesson.actions():
            for problem in kinds.action_problems(action.kind, action.params):
                self.add(action.line, problem)

    def probe(self, probe: Probe, owner: str) -> None:
        spec = kinds.PROBE_KINDS.get(probe.kind)
        if spec is None:
            known = ", ".join(kinds.PROBE_KINDS)
            self.add(probe.line, f"{owner} links to a missing probe '{probe.kind}' (probes: {known})")
            return
        for problem in kinds.param_problems(f"probe {probe.kind}", spec, probe.params):
            self.add(probe.line, problem)
        if probe.kind != "local-images" and not kinds.probe_repositories(probe.params):
            self.add(probe.line, f"probe {probe.kind} needs repository=... or repositories=a,b")

    def quiz(self) -> None:
        for question in self.lesson.quiz:
            self.question(question)

    def question(self, q: Question) -> None:
        name = f"'{q.id}'" if q.id else f"at line {q.line}"
        if q.kind == "text":
            if q.rubric is not None and not q.rubric.readable:
                pass  # the parser has reported the broken TOML
            elif q.rubric is None or not q.rubric.concepts:
                self.add(q.line, f"text question {name} has no rubric: add a ```rubric block with [[concept]] entries")
            else:
                self.rubric(q.rubric)
        elif q.kind == "choice":
            if q.choice is None:
                self.add(q.line, f"choice question {name} has no choices: add a list of - [ ] / - [x] entries")
            if q.rubric is not None:
                self.add(q.rubric.line, f"choice question {name} has a rubric it never uses (kind=text?)")
        if q.choice is not None:
            if not q.choice.correct:
                self.add(q.choice.line, f"choice question {name} has no correct option: mark one with [x]")
            for option in q.choice.options:
                if not option.correct and not option.why:
                    self.add(option.line, f"wrong option ({option.key}) of {name} needs a 'Why:' line saying why")
        if not q.explanation:
            self.add(q.line, f"question {name} has no '#### Explanation' to show after answering")

    def rubric(self, rubric: Rubric) -> None:
        entries = [("concept", c.id, c.label, c.phrasings, c.line) for c in rubric.concepts]
        entries += [("misconception", m.id, m.label, m.phrasings, m.line) for m in rubric.misconceptions]
        self.unique("rubric entry", ((e[1], e[4]) for e in entries), how="id = \"...\"")
        for kind, _ident, label, phrasings, line in entries:
            if not label:
                self.add(line, f"rubric {kind} needs a label")
            if not phrasings:
                self.add(line, f"rubric {kind} needs phrasings = [\"...\", ...]")
        for m in rubric.misconceptions:
            if not m.correction:
                self.add(m.line, "rubric misconception needs a correction")
        if rubric.required is not None and rubric.required > len(rubric.concepts):
            self.add(rubric.line, f"rubric requires {rubric.required} concepts but lists {len(rubric.concepts)}")

    def verify(self) -> None:
        verify_ids = {item.id for item in self.lesson.verify}
        for step in self.lesson.steps:
            if step.verify and step.verify not in verify_ids:
                self.add(step.line, f"step '{step.id}' names a missing verify item '{step.verify}'")
        for item in self.lesson.verify:
            for check in item.checks:
                self.probe(check.probe, f"verify check '{check.id}'")

    def checklist(self) -> None:
        questions = {q.id for q in self.lesson.quiz}
        for item in self.lesson.checklist:
            name = f"checklist item '{item.id}'" if item.id else "checklist item"
            if item.probe is None and item.question is None:
                self.add(item.line, f"{name} has nothing to tick it: add probe=KIND or question=ID")
            if item.question is not None and item.question not in questions:
                self.add(item.line, f"{name} links to a missing question '{item.question}'")
            if item.probe is not None:
                self.probe(item.probe, name)

    def references(self) -> None:
        """Image names the actions and probes compose must be valid references (checked with sample values)."""
        sample = {name: var.default or "learner" for name, var in self.lesson.variables.items()}
        for action in self.lesson.actions():
            spec = kinds.ACTION_KINDS.get(action.kind)
            if spec and spec.builds_ref and action.params.get("repository"):
                params = action.resolved(sample)
                self.reference(action.line, f"action '{action.id}'", kinds.ref_parts(params))
                if action.kind == "tag" and params.get("source"):
                    self.reference(action.line, f"action '{action.id}' source", (params["source"], "", "", ""))
        probes = [c.probe for v in self.lesson.verify for c in v.checks]
        probes += [c.probe for c in self.lesson.checklist if c.probe is not None]
        for probe in probes:
            if probe.kind in kinds.PROBE_KINDS:
                params = probe.resolved(sample)
                for repo in kinds.probe_repositories(params):
                    self.reference(probe.line, f"probe {probe.kind}", kinds.ref_parts(params, repo))

    def reference(self, line: int, owner: str, parts: tuple[str, str, str, str]) -> None:
        if any("{" in part for part in parts):
            return  # an unknown variable, reported on its own
        if problem := kinds.ref_problem(*parts):
            self.add(line, f"{owner} names an invalid image: {problem}")

    def variables(self, text: str) -> None:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        # The body starts after the closing +++ (the parser has already checked it exists).
        start = next((i for i in range(1, len(lines)) if lines[i].strip() == FENCE), 0) + 1
        known = self.lesson.variables
        for index in range(start, len(lines)):
            for _offset, name in names_in(lines[index]):
                if name not in known and name not in registries.DERIVED:
                    listed = ", ".join([*known, *registries.DERIVED])
                    self.add(index + 1, f"unknown variable '{{{name}}}' (variables: {listed}; "
                                        f"write {{{{{name}}}}} for literal braces)")

    def conditions(self, text: str) -> None:
        """{if}/{else}/{end} must balance within each piece of text the tutor renders on its own."""
        source = text.replace("\r\n", "\n").replace("\r", "\n")
        starts = [0] + [i + 1 for i, char in enumerate(source) if char == "\n"]
        for piece, line in self.lesson.texts():
            if "{" not in piece:
                continue
            found = problems(piece)
            if not found:
                continue
            # Pieces are slices of the source (titles, prose, fence text): find this one after its owner's line.
            at = source.find(piece, starts[min(max(line - 1, 0), len(starts) - 1)])
            for offset, message in found:
                self.add(source.count("\n", 0, at + offset) + 1 if at >= 0 else line, message)
