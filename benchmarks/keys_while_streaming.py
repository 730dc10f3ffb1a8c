"""100,000 build lines into the action pane: the time to take them in against Textual's `Log`
alone, and key latency while they stream against the same with nothing streaming, in one run.

The stream arrives as the docker actions deliver it: `Output` batches of up to 500 lines
(tutor.docker_ops.batching), posted to the lesson screen as fast as the loop allows, which
is harsher than a real build. The baseline for the time is a bare Textual app holding one
`Log`, fed the same batches the same way (write_lines). Every 25 ms a key is pressed in both;
its latency is the time from pressing to the bound action running. Rounds alternate
(idle, pane, Log alone) and the medians are compared.

    .venv/bin/python benchmarks/keys_while_streaming.py [--lines 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

from textual.app import App
from textual.binding import Binding
from textual.widgets import Log

from tutor.app import TutorApp
from tutor.docker_ops.events import Output
from tutor.screens.lesson import StepEvent
from tutor.session import Session

from common import header, median, scratch

BATCH = 500


def batches(lines: int):
    for start in range(0, lines, BATCH):
        yield tuple(f"Step {n}: building layer {n % 97} ... done" for n in range(start, start + BATCH))


class Bench(TutorApp):
    BINDINGS = [*TutorApp.BINDINGS, Binding("f9", "ping", "Ping", show=False)]

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.sent: list[float] = []
        self.latencies: list[float] = []

    def action_ping(self) -> None:
        self.latencies.append(time.perf_counter() - self.sent.pop(0))


async def measure(lines: int, stream: bool) -> tuple[list[float], float]:
    app = Bench(Session.open())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.goto("step", "build")
        await pilot.pause()
        done = asyncio.Event()

        async def feed() -> None:
            for batch in batches(lines):
                screen.post_message(StepEvent("build", Output(batch)))
                await asyncio.sleep(0)
            done.set()

        return await press_keys(app, pilot, feed if stream else None, done)


async def press_keys(app, pilot, feed, done: asyncio.Event) -> tuple[list[float], float]:
    """Press f9 every 25 ms until ``feed`` (or two idle seconds) is over and everything is drawn."""
    began = time.perf_counter()
    if feed is not None:
        asyncio.get_running_loop().create_task(feed())
    else:
        asyncio.get_running_loop().call_later(2.0, done.set)
    while not done.is_set():
        app.sent.append(time.perf_counter())
        app.simulate_key("f9")
        await asyncio.sleep(0.025)
    await pilot.pause()
    return app.latencies, time.perf_counter() - began


class LogAlone(App):
    """The baseline: Textual's Log by itself, taking the same batches."""

    BINDINGS = [Binding("f9", "ping", "Ping", show=False)]

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[float] = []
        self.latencies: list[float] = []

    def compose(self):
        yield Log()

    def action_ping(self) -> None:
        self.latencies.append(time.perf_counter() - self.sent.pop(0))


async def measure_log(lines: int) -> tuple[list[float], float]:
    app = LogAlone()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        log, done = app.query_one(Log), asyncio.Event()

        async def feed() -> None:
            for batch in batches(lines):
                log.write_lines(batch)
                await asyncio.sleep(0)
            done.set()

        return await press_keys(app, pilot, feed, done)


def describe(name: str, latencies: list[float]) -> str:
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[int(len(ms) * 0.95) - 1] if ms else float("nan")
    return (f"  {name:30} keys {len(ms):4}  median {statistics.median(ms):6.1f} ms  p95 {p95:6.1f} ms  "
            f"max {ms[-1]:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    home = scratch("dt-bench-")
    os.environ.update(XDG_CONFIG_HOME=str(home / "config"), XDG_STATE_HOME=str(home / "state"),
                      XDG_CACHE_HOME=str(home / "cache"))
    (home / "config" / "docker-tutor").mkdir(parents=True)
    (home / "config" / "docker-tutor" / "settings.toml").write_text('username = "alice"\n')
    header(f"{args.lines:,} build lines into the action pane")
    idle, busy, alone, took, took_alone = [], [], [], [], []
    for _ in range(args.runs):
        idle += asyncio.run(measure(args.lines, stream=False))[0]
        keys, elapsed = asyncio.run(measure(args.lines, stream=True))
        busy, took = busy + keys, took + [elapsed]
        keys, elapsed = asyncio.run(measure_log(args.lines))
        alone, took_alone = alone + keys, took_alone + [elapsed]
    pane, log = median(took), median(took_alone)
    print(f"  ingest: action pane {pane:.2f} s, Textual Log alone {log:.2f} s (baseline): "
          f"{pane / log:.2f}x Log alone (target <= 1.5x); {args.lines / pane:,.0f} lines/s")
    print(describe("keys, idle (baseline)", idle))
    print(describe("keys, streaming into the pane", busy))
    print(describe("keys, streaming into Log alone", alone))
    print(f"  median latency while streaming {statistics.median(busy) / statistics.median(idle):.1f}x idle "
          f"(target p95 <= 30 ms); medians of {args.runs} alternating runs, keys pooled")


if __name__ == "__main__":
    main()
