"""The Markdown the lesson screen shows for each part of the lesson, with the learner's values.

Pure text in, text out (no Textual): ``render`` fills a lesson text with the learner's values
(``Session.render``) and ``values`` are those values, for the commands actions stand for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from tutor.lesson.model import Action, ChecklistItem, Concept, Question, Step, VerifyItem

Render = Callable[[str], str]


def blocks_markdown(render: Render, blocks: list[str | Action], values: Mapping[str, str]) -> list[str]:
    """Prose and actions in the order the lesson wrote them; an action appears as its command."""
    parts = []
    for block in blocks:
        if isinstance(block, str):
            parts.append(render(block))
            continue
        command = block.command(values)
        if command:
            parts.append(f"```bash\n{command}\n```")
        if block.text:
            parts.append(render(block.text))
    return parts


def step_markdown(render: Render, values: Mapping[str, str], step: Step, hints_open: int) -> str:
    """The step's text, each action as the command it runs, and the hints opened so far."""
    parts = [f"# {render(step.title)}" + ("  *(optional)*" if step.optional else "")]
    parts += blocks_markdown(render, step.blocks, values)
    for number, hint in enumerate(step.hints[:hints_open], 1):
        parts.append(f"---\n\n**Hint {number} of {len(step.hints)}: {render(hint.title)}**")
        parts += blocks_markdown(render, hint.blocks, values)
    if hints_open < len(step.hints):
        parts.append(f"*Stuck? Press **h** for a hint ({len(step.hints) - hints_open} left).*")
    return "\n\n".join(parts)


def concept_markdown(render: Render, concept: Concept) -> str:
    return f"# {render(concept.title)}\n\n{render(concept.body)}"


def question_markdown(render: Render, question: Question) -> str:
    return (f"# Quiz: {render(question.prompt)}\n\n{render(question.body)}\n\n"
            "*Press **enter** (or **z**) to answer it in the quiz.*")


def verify_markdown(render: Render, values: Mapping[str, str], item: VerifyItem) -> str:
    """A Verify item: what to look for, the commands that show it, and the output to expect."""
    parts = [f"# Verify: {render(item.title)}", render(item.body)]
    for check in item.checks:
        commands = "\n".join(check.probe.commands(values))
        if commands:
            parts.append(f"```bash\n{commands}\n```")
        if check.expected:
            parts.append(f"Expected:\n\n```\n{render(check.expected)}\n```")
    parts.append("*Press **r** or **v** and the tutor checks it for you.*")
    return "\n\n".join(p for p in parts if p)


def checklist_markdown(render: Render, item: ChecklistItem, saved: Mapping[str, str]) -> str:
    """A checklist item and its last result (``saved``: status and reason, empty when unchecked)."""
    state = f"**{saved.get('status', 'not checked yet')}**" + (f": {saved['reason']}" if saved.get("reason") else "")
    return (f"# Checklist: {render(item.text)}\n\nState: {state}\n\n"
            "*Press **enter** (or **c**) to open the checklist and check it for real.*")
