"""The lesson screen answers keys while 100,000 lines stream into the action pane."""

from __future__ import annotations

import asyncio

from textual.widgets import Log

from tutor.app import TutorApp
from tutor.docker_ops.events import Output
from tutor.messages import StepEvent
from tutor.widgets.action_pane import MAX_LOG_LINES

LINES, BATCH = 100_000, 500


async def test_a_key_is_handled_long_before_the_stream_ends(open_session, learner_home):
    app = TutorApp(open_session(username="alice"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.goto("step", "push")
        await pilot.pause()
        posted = 0
        finished = asyncio.Event()

        async def feed() -> None:
            nonlocal posted
            for start in range(0, LINES, BATCH):
                screen.post_message(StepEvent("push", Output(tuple(f"line {n}" for n in range(start, start + BATCH)))))
                posted += 1
                await asyncio.sleep(0)
            finished.set()

        task = asyncio.get_running_loop().create_task(feed())
        while posted < 5:
            await asyncio.sleep(0)
        app.simulate_key("h")
        while screen.session.progress.hints.get("push", 0) == 0 and not finished.is_set():
            await asyncio.sleep(0.001)
        handled_at = posted
        await task
        await pilot.pause()
        assert screen.session.progress.hints.get("push") == 1
        assert handled_at < LINES // BATCH // 2, f"the key waited for {handled_at} of {LINES // BATCH} batches"
        log = screen.query_one("#output", Log)
        assert log.line_count == MAX_LOG_LINES  # bounded: the pane never holds the whole build log
