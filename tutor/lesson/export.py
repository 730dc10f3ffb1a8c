"""A lesson as plain data (for ``lesson show --json``) or as a short text outline.

Answers (which options are right, the why of wrong ones, rubrics, explanations) are left
out unless asked for, so the JSON can be handed to a learner-facing tool.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tutor.lesson import registries
from tutor.lesson.model import Action, Hint, Lesson, Probe, Question, Step
from tutor.lesson.variables import render


def lesson_to_dict(lesson: Lesson, values: Mapping[str, str], with_answers: bool = False) -> dict[str, Any]:
    r = _Renderer(values, with_answers)
    return {
        "id": lesson.id,
        "title": render(lesson.title, values),
        "order": lesson.order,
        "previous": lesson.previous,
        "next": lesson.next,
        "source": str(lesson.source) if lesson.source else None,
        "variables": {
            name: {"value": values.get(name, ""), "default": var.default, "label": var.label}
            for name, var in lesson.variables.items()
        },
        # Computed from registry and username, for {registry_name} and friends; never set by hand.
        "derived_variables": registries.derived(values),
        "missing_variables": lesson.missing(values),
        "intro": r.text(lesson.intro),
        "section_intros": {k: r.text(v) for k, v in lesson.section_intros.items()},
        "concepts": [{"id": c.id, "line": c.line, "title": r.text(c.title), "body": r.text(c.body)}
                     for c in lesson.concepts],
        "steps": [r.step(step) for step in lesson.steps],
        "quiz": [r.question(q) for q in lesson.quiz],
        "verify": [
            {"id": item.id, "line": item.line, "title": r.text(item.title), "body": r.text(item.body),
             "checks": [{"id": c.id, "line": c.line, **r.probe(c.probe), "expected": r.text(c.expected)}
                        for c in item.checks]}
            for item in lesson.verify
        ],
        "checklist": [
            {"id": c.id, "line": c.line, "text": r.text(c.text), "question": c.question,
             "probe": r.probe(c.probe) if c.probe else None}
            for c in lesson.checklist
        ],
    }


class _Renderer:
    def __init__(self, values: Mapping[str, str], with_answers: bool) -> None:
        self.values = values
        self.with_answers = with_answers

    def text(self, text: str) -> str:
        return render(text, self.values)

    def action(self, action: Action) -> dict[str, Any]:
        return {
            "id": action.id, "kind": action.kind, "line": action.line,
            "params": action.resolved(self.values),
            "command": action.command(self.values),
            "image": action.image(self.values),
            "url": action.url(self.values),
            "text": self.text(action.text),
        }

    def blocks(self, owner: Step | Hint) -> list[dict[str, Any]]:
        return [{"markdown": self.text(b)} if isinstance(b, str) else {"action": b.id} for b in owner.blocks]

    def step(self, step: Step) -> dict[str, Any]:
        return {
            "id": step.id, "line": step.line, "title": self.text(step.title), "optional": step.optional,
            "blocks": self.blocks(step),
            "actions": [self.action(a) for a in step.actions],
            "hints": [
                {"id": h.id, "line": h.line, "title": self.text(h.title), "blocks": self.blocks(h),
                 "actions": [self.action(a) for a in h.actions]}
                for h in step.hints
            ],
        }

    def question(self, q: Question) -> dict[str, Any]:
        data: dict[str, Any] = {"id": q.id, "line": q.line, "kind": q.kind, "kinds": q.kinds,
                                "prompt": self.text(q.prompt), "body": self.text(q.body), "choice": None}
        if q.choice is not None:
            options = []
            for o in q.choice.options:
                option: dict[str, Any] = {"key": o.key, "text": self.text(o.text), "line": o.line}
                if self.with_answers:
                    option.update(correct=o.correct, why=self.text(o.why))
                options.append(option)
            data["choice"] = {"line": q.choice.line, "prompt": self.text(q.choice.prompt) or None,
                              "multiple": q.choice.multiple, "options": options}
        if self.with_answers:
            data["explanation"] = self.text(q.explanation)
            rubric = q.rubric
            data["rubric"] = None if rubric is None else {
                "line": rubric.line, "required": rubric.needed,
                "concepts": [{"id": c.id, "label": self.text(c.label), "phrasings": c.phrasings, "line": c.line}
                             for c in rubric.concepts],
                "misconceptions": [{"id": m.id, "label": self.text(m.label), "phrasings": m.phrasings,
                                    "correction": self.text(m.correction), "line": m.line}
                                   for m in rubric.misconceptions],
            }
        return data

    def probe(self, probe: Probe) -> dict[str, Any]:
        return {"probe": probe.kind, "params": probe.resolved(self.values), "where": probe.where,
                "images": probe.images(self.values), "commands": probe.commands(self.values),
                "urls": probe.urls(self.values)}


def outline(lesson: Lesson, values: Mapping[str, str]) -> str:
    """A readable summary: what the learner will see and run, in order."""
    out: list[str] = [f"{lesson.order:02d} {lesson.id}: {render(lesson.title, values)}"]
    if lesson.source:
        out.append(f"   from {lesson.source}")
    out.append("   variables: " + ", ".join(f"{k}={values.get(k) or '(not set)'}" for k in lesson.variables))
    out.append("")
    out.append("Concepts")
    out += [f"  {c.id:<20} {render(c.title, values)}" for c in lesson.concepts]
    out.append("")
    out.append("Steps")
    for number, step in enumerate(lesson.steps, 1):
        extra = " (optional)" if step.optional else ""
        out.append(f"  {number}. {step.id:<17} {render(step.title, values)}{extra}")
        for action in step.actions:
            out.append("       " + _action_line(action, values))
        for hint in step.hints:
            out.append(f"       hint {hint.id}: {render(hint.title, values)}")
    out.append("")
    out.append("Quiz")
    for q in lesson.quiz:
        out.append(f"  {q.id:<20} [{' + '.join(q.kinds)}] {render(q.prompt, values)}")
    out.append("")
    out.append("Verify")
    for item in lesson.verify:
        out.append(f"  {item.id:<20} {render(item.title, values)}")
        for check in item.checks:
            for command in check.probe.commands(values):
                out.append(f"       $ {command}")
            for url in check.probe.urls(values):
                out.append(f"       open {url}")
    out.append("")
    out.append("Checklist")
    for c in lesson.checklist:
        links = [f"question {c.question}"] if c.question else []
        links += [f"probe {c.probe.kind}"] if c.probe else []
        out.append(f"  {c.id:<20} {render(c.text, values)}  <- {', '.join(links) or 'nothing'}")
    return "\n".join(out) + "\n"


def _action_line(action: Action, values: Mapping[str, str]) -> str:
    command = action.command(values)
    if command:
        return f"$ {command}"
    url = action.url(values)
    return f"[{action.kind}] " + (f"open {url}" if url else render(action.text, values).split("\n")[0])
