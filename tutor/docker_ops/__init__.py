"""Docker actions for the lesson: each is an async generator of typed events (see ``events``).

    async for event in push("alice/poll-backend:v1"):
        ...  # CommandLine, then Output / LayerProgress / Notice, then Succeeded or Failed

Iterate inside ``contextlib.aclosing`` (or run the loop in a task and cancel it) so that
stopping early also stops the engine-side work. Nothing here imports the docker SDK until
an action runs.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

# The package's names, each loaded from its module when first asked for (PEP 562), so that the
# pure-string modules here (``commandline``, ``docker_config``) load nothing else with them.
_WHERE = {
    "build": "build",
    "CommandLine": "events", "Event": "events", "Failed": "events", "LayerProgress": "events",
    "Notice": "events", "Output": "events", "Ready": "events", "Succeeded": "events",
    "ImageRow": "images", "images": "images", "rmi": "images", "tag": "images",
    "login": "login", "pull": "pull", "push": "push", "run": "run", "stop_all": "run",
}

__all__ = [
    "CommandLine", "Event", "Failed", "ImageRow", "LayerProgress", "Notice", "Output", "Ready", "Succeeded",
    "build", "images", "login", "pull", "push", "rmi", "run", "stop_all", "tag",
]

if TYPE_CHECKING:
    from tutor.docker_ops.build import build
    from tutor.docker_ops.events import (
        CommandLine, Event, Failed, LayerProgress, Notice, Output, Ready, Succeeded,
    )
    from tutor.docker_ops.images import ImageRow, images, rmi, tag
    from tutor.docker_ops.login import login
    from tutor.docker_ops.pull import pull
    from tutor.docker_ops.push import push
    from tutor.docker_ops.run import run, stop_all


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """Keeps ``run``, ``push``, ``login``… the actions: importing the submodule of the same name
    (``tutor.docker_ops.run``) would otherwise bind the module over the function here."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _WHERE and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
