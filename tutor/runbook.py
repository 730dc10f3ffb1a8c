"""Which docker action a lesson action runs, and with which arguments.

The app's Run key and `docker-tutor do STEP` both go through here, so a lesson action
means the same thing in the full-screen tutor and in a plain terminal. An action the
lesson gets wrong (a missing parameter, a bad ``publish``) is refused with a LessonError
naming its line, never half-run or crashed on.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.lesson import Action, LessonError, Step, kinds
from tutor.secret import Secret, reveal

if TYPE_CHECKING:
    from tutor.docker_ops.events import Event

RUNNABLE = {"login", "build", "tag", "push", "images", "rmi", "pull", "run"}


def runnable(step: Step) -> list[Action]:
    """The step's actions the tutor can run (manual ones are done by the learner in a browser)."""
    return [action for action in step.actions if action.kind in RUNNABLE]


def needs_secret(step: Step) -> bool:
    return any(action.kind == "login" for action in runnable(step))


def problems(action: Action, values: Mapping[str, str]) -> list[str]:
    """Why the tutor cannot run ``action`` with these values; empty when it can."""
    if action.kind not in RUNNABLE:
        return [f"the tutor cannot run a '{action.kind}' action"]
    found = kinds.action_problems(action.kind, action.params)
    if found:
        return found
    # Once the variables are filled in, the values must still be good (a port, a container name).
    params = action.resolved(values)
    found = kinds.filled_problems(action.kind, params)
    if not found and action.kind == "run":
        try:  # filled_problems passes over a {variable} left unfilled; running it cannot
            kinds.parse_publish(params["publish"])
        except kinds.PublishError as exc:
            found.append(str(exc))
    return found


def check(actions: Iterable[Action], values: Mapping[str, str], source: Path | None = None) -> None:
    """LessonError for the first action the tutor cannot run, at its line in the lesson."""
    for action in actions:
        if found := problems(action, values):
            raise LessonError(source, action.line, "; ".join(found))


def run_action(action: Action, values: Mapping[str, str], secret: Secret | None = None,
               host_ip: str | None = None, source: Path | None = None) -> AsyncGenerator[Event, None]:
    """Start the docker action behind a lesson action; iterate it for its events.

    LessonError (raised here, before anything runs) when the lesson gets the action wrong.
    """
    from tutor import docker_ops

    check([action], values, source)
    params = action.resolved(values)
    username = values.get("username") or None
    if action.kind == "login":
        registry = params.get("registry") or values.get("registry") or "docker.io"
        return docker_ops.login(registry, params.get("username") or username or "", reveal(secret))
    if action.kind == "images":
        return docker_ops.images(params.get("filter", ""))
    ref = action.image(values) or ""
    if action.kind == "build":
        # As written (docker_ops expands ~), so the command shown is the lesson's.
        return docker_ops.build(params["context"], ref, params.get("dockerfile") or None)
    if action.kind == "tag":
        return docker_ops.tag(params["source"], ref)
    if action.kind == "push":
        return docker_ops.push(ref, username=username, build_context=build_folder(source, ref, values))
    if action.kind == "rmi":
        # The lesson removes an image only to pull it back: never before the registry could give it back.
        return docker_ops.rmi(ref, check_pull=True)
    if action.kind == "pull":
        return docker_ops.pull(ref)
    (port, container_port), *more = kinds.parse_publish(params["publish"])  # run
    return docker_ops.run(ref, port, container_port, host_ip=host_ip, more_ports=more,
                          name=params.get("name") or None)


def build_folder(source: Path | None, ref: str, values: Mapping[str, str]) -> str | None:
    """The folder the lesson at ``source`` builds ``ref`` from, as written there with the values filled
    in (``{project_dir}/backend``), so that advice to build it names the real folder; None when the
    lesson builds no such image or cannot be read (the advice then says ``.``)."""
    if source is None:
        return None
    from tutor.lesson.cache import cached_lesson

    try:
        lesson = cached_lesson(source)
    except (LessonError, OSError):
        return None
    for step in lesson.steps:
        for action in step.actions:
            if action.kind == "build" and action.image(values) == ref:
                return action.resolved(values).get("context") or None
    return None
