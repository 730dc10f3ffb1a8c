"""Docker actions for the lesson: each is an async generator of typed events (see ``events``).

    async for event in push("alice/poll-backend:v1"):
        ...  # CommandLine, then Output / LayerProgress / Notice, then Succeeded or Failed

Iterate inside ``contextlib.aclosing`` (or run the loop in a task and cancel it) so that
stopping early also stops the engine-side work. Nothing here imports the docker SDK until
an action runs.
"""

from __future__ import annotations

from tutor.docker_ops.build import build
from tutor.docker_ops.events import (
    CommandLine, Event, Failed, LayerProgress, Notice, Output, Ready, Succeeded,
)
from tutor.docker_ops.images import ImageRow, images, rmi, tag
from tutor.docker_ops.login import login
from tutor.docker_ops.pull import pull
from tutor.docker_ops.push import push
from tutor.docker_ops.run import run, stop_all

__all__ = [
    "CommandLine", "Event", "Failed", "ImageRow", "LayerProgress", "Notice", "Output", "Ready", "Succeeded",
    "build", "images", "login", "pull", "push", "rmi", "run", "stop_all", "tag",
]
