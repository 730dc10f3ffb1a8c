"""The parsed lesson: plain dataclasses the screens, the grader and the probes read.

Text fields hold the lesson's own Markdown with ``{variables}`` still in it; fill them
with :meth:`Lesson.render` (or :func:`tutor.lesson.variables.render`). Every element
remembers the 1-based source line it started on, for lint messages and the UI.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tutor.lesson import kinds, registries
from tutor.lesson.errors import Problem
from tutor.lesson.variables import render


@dataclass
class Variable:
    name: str
    default: str = ""
    label: str = ""
    line: int = 0


@dataclass
class Action:
    """Something the learner does in a step; ``kind`` is one of :data:`kinds.ACTION_KINDS`."""

    kind: str
    params: dict[str, str]
    line: int
    id: str = ""
    text: str = ""  # Markdown under the fence: what the action is for, or the manual instructions

    def resolved(self, values: Mapping[str, str]) -> dict[str, str]:
        """Parameters with defaults (``namespace={username}``, ``tag={tag}`` ...) and variables filled."""
        return kinds.filled(self.params, values, kinds.action_defaults(self.kind))

    def command(self, values: Mapping[str, str]) -> str | None:
        """The CLI command this action stands for, e.g. ``docker push alice/poll-backend:v1``."""
        return kinds.action_command(self.kind, self.resolved(values))

    def image(self, values: Mapping[str, str]) -> str | None:
        """The image reference the action works on, if it names one."""
        spec = kinds.ACTION_KINDS.get(self.kind)
        if not spec or not spec.builds_ref:
            return None
        return kinds.ref_from(self.resolved(values))

    def url(self, values: Mapping[str, str]) -> str | None:
        return self.resolved(values).get("url") or None


class _Blocks:
    """Prose and actions in the order written: what steps and hints are made of."""

    blocks: list[str | Action]

    @property
    def body(self) -> str:
        return "\n\n".join(b for b in self.blocks if isinstance(b, str))

    @property
    def actions(self) -> list[Action]:
        return [b for b in self.blocks if isinstance(b, Action)]


@dataclass
class Hint(_Blocks):
    id: str
    title: str
    line: int
    blocks: list[str | Action] = field(default_factory=list)  # Markdown and actions, in order


@dataclass
class Concept:
    id: str
    title: str
    line: int
    body: str = ""


@dataclass
class Step(_Blocks):
    id: str
    title: str
    line: int
    optional: bool = False
    blocks: list[str | Action] = field(default_factory=list)
    hints: list[Hint] = field(default_factory=list)  # revealed one at a time, in this order
    verify: str = ""  # id of the Verify item whose checks prove the step done (`verify=ID`)


@dataclass
class Option:
    key: str  # a, b, c ... in the order written
    text: str
    correct: bool
    line: int
    why: str = ""  # for a wrong option: why it is wrong


@dataclass
class Choice:
    options: list[Option]
    line: int
    prompt: str = ""  # empty: the question's own prompt

    @property
    def correct(self) -> list[str]:
        return [o.key for o in self.options if o.correct]

    @property
    def multiple(self) -> bool:
        return len(self.correct) > 1


@dataclass
class RubricConcept:
    """Something a right answer must say, and the phrasings that count as saying it."""

    id: str
    label: str
    phrasings: list[str]
    line: int
    terms: list[str] = field(default_factory=list)  # key-term groups: "tag|latest + move|overwrite"
    actor: str = ""  # "build": the idea is about what build does, not what another actor does
    follow_up: str = ""  # asked when an answer misses this idea but has others
    partial: bool = False  # shows some understanding, but never counts towards a correct answer


@dataclass
class Misconception:
    """A known wrong idea; an answer that states it is wrong, whatever else it says."""

    id: str
    label: str
    phrasings: list[str]
    correction: str
    line: int
    terms: list[str] = field(default_factory=list)
    actor: str = ""


@dataclass
class Rubric:
    concepts: list[RubricConcept]
    misconceptions: list[Misconception]
    line: int
    required: int | None = None  # how many concepts a right answer needs; None: all of them
    readable: bool = True  # False when its TOML could not be read (lint has reported why)

    @property
    def needed(self) -> int:
        full = sum(1 for c in self.concepts if not c.partial)
        return full if self.required is None else self.required

    @property
    def entries(self) -> list[RubricConcept | Misconception]:
        """Concepts, then misconceptions: every idea the rubric names."""
        return [*self.concepts, *self.misconceptions]

    @property
    def actors(self) -> list[str]:
        """Every actor an entry is bound to, in the order they first appear."""
        found: list[str] = []
        for entry in self.entries:
            if entry.actor and entry.actor not in found:
                found.append(entry.actor)
        return found


@dataclass
class Question:
    id: str
    prompt: str  # the heading text
    kind: str  # "text" (graded by the rubric) or "choice"
    line: int
    body: str = ""  # Markdown shown under the prompt
    rubric: Rubric | None = None
    choice: Choice | None = None  # for a text question: the fallback
    explanation: str = ""  # shown after answering

    @property
    def kinds(self) -> list[str]:
        """The ways the question can be answered, preferred first."""
        if self.kind == "text" and self.choice is not None:
            return ["text", "choice"]
        return [self.kind]


@dataclass
class Probe:
    """A check of the learner's world; ``kind`` is one of :data:`kinds.PROBE_KINDS`."""

    kind: str
    params: dict[str, str]
    line: int

    def resolved(self, values: Mapping[str, str]) -> dict[str, str]:
        return kinds.filled(self.params, values, kinds.probe_defaults(self.kind))

    def images(self, values: Mapping[str, str]) -> list[str]:
        params = self.resolved(values)
        return [kinds.ref_from(params, repo) for repo in kinds.probe_repositories(params)]

    def commands(self, values: Mapping[str, str]) -> list[str]:
        return kinds.probe_commands(self.kind, self.resolved(values))

    def urls(self, values: Mapping[str, str]) -> list[str]:
        return kinds.probe_urls(self.kind, self.resolved(values))

    @property
    def where(self) -> str:
        return kinds.PROBE_WHERE.get(self.kind, "")


@dataclass
class VerifyCheck:
    id: str
    probe: Probe
    line: int
    expected: str = ""  # the shape of the output the learner should see


@dataclass
class VerifyItem:
    id: str
    title: str
    line: int
    body: str = ""
    checks: list[VerifyCheck] = field(default_factory=list)


@dataclass
class ChecklistItem:
    """Ticked when every link is satisfied: the probe succeeds and/or the question is answered right."""

    id: str
    text: str
    line: int
    probe: Probe | None = None
    question: str | None = None


@dataclass
class Lesson:
    id: str
    title: str
    order: int
    previous: str | None = None
    next: str | None = None
    variables: dict[str, Variable] = field(default_factory=dict)
    intro: str = ""  # Markdown before the first section
    section_intros: dict[str, str] = field(default_factory=dict)  # "steps" -> Markdown under "## Steps"
    concepts: list[Concept] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    quiz: list[Question] = field(default_factory=list)
    verify: list[VerifyItem] = field(default_factory=list)
    checklist: list[ChecklistItem] = field(default_factory=list)
    source: Path | None = None
    # Front matter key -> line, for messages about the front matter.
    meta_lines: dict[str, int] = field(default_factory=dict)
    # Things the parser could read past but lint must report (bad rubric TOML, stray blocks ...).
    problems: list[Problem] = field(default_factory=list)
    # Everything lint found, filled in when the lesson is parsed for the tutor (tutor.lesson.cache),
    # so the app can say at once that a lesson it opens has mistakes.
    lint: list[Problem] = field(default_factory=list)

    @property
    def defaults(self) -> dict[str, str]:
        return {name: var.default for name, var in self.variables.items()}

    def values(self, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
        """Variable values: the lesson's defaults, then ``overrides`` (settings, --var) where non-empty,
        then the derived ones (``registry_name`` ...), always computed from the others."""
        values = self.defaults
        values.update({k: v for k, v in (overrides or {}).items() if v})
        values.update(registries.derived(values))
        return values

    def missing(self, values: Mapping[str, str]) -> list[str]:
        """Variables still without a value (the app asks for these; `{username}` has no default)."""
        return [name for name in self.variables if not values.get(name)]

    def render(self, text: str, overrides: Mapping[str, str] | None = None) -> str:
        return render(text, self.values(overrides))

    def texts(self) -> Iterator[tuple[str, int]]:
        """Every piece of text the tutor renders on its own, with the line it starts on (for lint)."""
        yield self.title, self.meta_lines.get("title", 1)
        yield self.intro, 1
        yield from ((text, 1) for text in self.section_intros.values())
        for concept in self.concepts:
            yield from ((concept.title, concept.line), (concept.body, concept.line))
        for step in self.steps:
            yield step.title, step.line
            owners: list[Step | Hint] = [step, *step.hints]
            for owner in owners:
                if isinstance(owner, Hint):
                    yield owner.title, owner.line
                for block in owner.blocks:
                    if isinstance(block, str):
                        yield block, owner.line
                    else:
                        yield block.text, block.line
                        yield from ((value, block.line) for value in block.params.values())
        for q in self.quiz:
            yield from ((q.prompt, q.line), (q.body, q.line), (q.explanation, q.line))
            if q.choice is not None:
                yield q.choice.prompt, q.choice.line
                for option in q.choice.options:
                    yield from ((option.text, option.line), (option.why, option.line))
            if q.rubric is not None:
                for idea in q.rubric.entries:
                    yield idea.label, idea.line
                    if isinstance(idea, Misconception):
                        yield idea.correction, idea.line
        for item in self.verify:
            yield from ((item.title, item.line), (item.body, item.line))
            for check in item.checks:
                yield check.expected, check.line
                yield from ((value, check.line) for value in check.probe.params.values())
        for entry in self.checklist:
            yield entry.text, entry.line
            if entry.probe is not None:
                yield from ((value, entry.line) for value in entry.probe.params.values())

    def actions(self) -> Iterator[Action]:
        for step in self.steps:
            yield from step.actions
            for hint in step.hints:
                yield from hint.actions

    def hints(self) -> Iterator[Hint]:
        for step in self.steps:
            yield from step.hints

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.quiz if q.id == question_id), None)

    def verify_item(self, item_id: str) -> VerifyItem | None:
        return next((v for v in self.verify if v.id == item_id), None)

    def checklist_item(self, item_id: str) -> ChecklistItem | None:
        return next((c for c in self.checklist if c.id == item_id), None)
