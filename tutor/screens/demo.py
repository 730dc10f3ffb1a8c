"""Demo mode on the lesson screen: goes to each step, types its commands out in the action pane,
presses r (or v) for the presenter, and waits for space before going on.

The plan (which steps, what to type) is tutor.demo's; running a step is the lesson screen's
own r and v, so a demo runs exactly what a learner's keys would.
"""

from __future__ import annotations

import asyncio

from textual.content import Content

from tutor.demo import CHECK, RUN, SHOW, DemoOptions, demo_script, keystroke_delay, typing_frames
from tutor.widgets.action_pane import ActionPane

POLL = 0.05  # how often the driver looks whether the step's run is over
SEPARATOR = " · demo: "  # between the pane's state word and what space does now


class DemoDriver:
    def __init__(self, screen, options: DemoOptions) -> None:
        self.screen = screen  # the LessonScreen
        self.options = options
        self.waiting = ""  # what space does now: "run", "next", or "" (space means nothing)
        self.visited: list[str] = []  # step ids, in the order the demo reached them
        self._go = asyncio.Event()

    def proceed(self) -> None:
        """Space: go on from the current wait."""
        if self.waiting:
            self._go.set()

    async def run(self) -> None:
        screen, pane = self.screen, self.screen.query_one(ActionPane)
        script = demo_script(screen.session)
        for number, stop in enumerate(script, 1):
            screen.goto("step", stop.step_id)
            self.visited.append(stop.step_id)
            await self._type(pane, list(stop.commands))
            if stop.mode != SHOW and self.options.pause:
                await self._wait("run", pane, "space runs it", keep_state=False)
            shown = (screen.current.kind, screen.current.id) if screen.current is not None else None
            if stop.mode != SHOW and shown != ("step", stop.step_id):
                screen.goto("step", stop.step_id)  # the presenter looked elsewhere meanwhile: r runs this one
            if stop.mode == RUN:
                screen.action_run()
            elif stop.mode == CHECK:
                screen.action_verify()
            serving = await self._until_idle() if stop.mode != SHOW else False
            last = number == len(script)
            await self._wait("next", pane, "space ends it" if last else "space for the next step")
            if serving:  # a container still answers: space stops and removes it, as esc would
                screen.action_cancel()
                await self._until_idle()
        self.screen.notify(f"End of the demo: {len(script)} steps. Every key works as usual again.",
                           title="Demo")

    async def _type(self, pane: ActionPane, commands: list[str]) -> None:
        # Paced by the clock, not by the frames: on a busy machine a frame may take longer than a
        # keystroke, and then the next characters come at once instead of the typing slowing down.
        loop = asyncio.get_running_loop()
        due = loop.time()
        for index, count in typing_frames(commands):
            pane.show_typing(commands, index, count)
            due += keystroke_delay(commands[index][count - 1], self.options.chars_per_second)
            await asyncio.sleep(max(0.0, due - loop.time()))

    async def _until_idle(self) -> bool:
        """Wait while the step runs (or its login dialog is open); True when it ended serving a container."""
        screen = self.screen
        await asyncio.sleep(POLL)  # the run's worker (or the dialog) starts first
        while screen.app.screen is not screen or screen.running():
            if screen.serving():
                return True
            await asyncio.sleep(POLL)
        return False

    async def _wait(self, what: str, pane: ActionPane, label: str, keep_state: bool = True) -> None:
        # After a run the pane's state word (Done, Failed) stays, with what space does now beside it.
        state = pane.border_title.plain if isinstance(pane.border_title, Content) else str(pane.border_title or "")
        state = state.split(SEPARATOR)[0] if keep_state else ""  # an earlier wait's words are not the pane's
        pane.border_title = Content(f"{state}{SEPARATOR}{label}" if state else f"demo: {label}")
        self._go.clear()
        self.waiting = what
        self.screen.refresh_bindings()
        try:
            await self._go.wait()
        finally:
            self.waiting = ""
            self.screen.refresh_bindings()
