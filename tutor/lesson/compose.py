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


NO_COMMAND = "(no command to type: the tutor asks the registry itself)"


def verify_commands(item: VerifyItem, values: Mapping[str, str]) -> list[str]:
    """What the action pane lists for a Verify item: the commands its checks stand for, or, when
    the tutor asks the registry itself, a note that there is nothing to type."""
    return [command for check in item.checks for command in check.probe.commands(values)] or [NO_COMMAND]


def stale_text(earlier: list[str], can_run: bool) -> str:
    """A step done with other names than today's settings give: what ran then, and what to do now."""
    ran = "\n".join(f"  {command}" for command in earlier) or "  (other commands)"
    again = "the commands above have not run yet: press r" if can_run else "press v to check it again"
    return f"Done earlier, but with other names:\n{ran}\nYour settings changed since, so {again}."


def step_pane(step: Step, commands: list[str], values: Mapping[str, str]) -> tuple[list[str], str, str | None]:
    """What the action pane lists under a step before it runs: its commands, or a note of what to do
    instead; the pane's state ("idle" or "manual") and its title (None: the state's own)."""
    urls = [url for action in step.actions if action.kind == "manual" and (url := action.url(values))]
    if commands:
        return commands, "idle", None if step.verify else "r runs it"
    if urls:
        return ([f"(in your browser: {url})" for url in urls], "manual",
                "Do it in the browser, then press d · v checks it for you" if step.verify else None)
    if step.verify:  # nothing to open: the tutor itself asks the registry or the engine
        return ["(nothing to run here: v asks the registry and ticks the step)"], "manual", "v checks it for you"
    return ["(nothing to run here: follow the text)"], "manual", "Press d when you have done it"


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
