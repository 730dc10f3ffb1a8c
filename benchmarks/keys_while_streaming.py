"""Key latency while a build streams 100,000 lines into the action pane, against the same
measurement with nothing streaming, in one run.

The stream arrives as the docker actions deliver it: `Output` batches of up to 500 lines
(tutor.docker_ops.batching), posted to the lesson screen as fast as the loop allows, which
is harsher than a real build. Every 25 ms a key is pressed; its latency is the time from
pressing to the bound action running.

    .venv/bin/python benchmarks/keys_while_streaming.py [--lines 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from textual.binding import Binding

from tutor.app import TutorApp
from tutor.docker_ops.events import Output
from tutor.screens.lesson import StepEvent
from tutor.session import Session

BATCH = 500


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
            for start in range(0, lines, BATCH):
                batch = tuple(f"Step {n}: building layer {n % 97} ... done" for n in range(start, start + BATCH))
                screen.post_message(StepEvent("build", Output(batch)))
                await asyncio.sleep(0)
            done.set()

        began = time.perf_counter()
        if stream:
            asyncio.get_running_loop().create_task(feed())
        else:
            asyncio.get_running_loop().call_later(2.0, done.set)
        while not done.is_set():
            app.sent.append(time.perf_counter())
            app.simulate_key("f9")
            await asyncio.sleep(0.025)
        await pilot.pause()
        elapsed = time.perf_counter() - began
        return app.latencies, elapsed


def describe(name: str, latencies: list[float]) -> str:
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[int(len(ms) * 0.95) - 1] if ms else float("nan")
    return f"{name:24} keys {len(ms):4}  median {statistics.median(ms):6.1f} ms  p95 {p95:6.1f} ms  max {ms[-1]:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="dt-bench-"))
    os.environ.update(XDG_CONFIG_HOME=str(home / "config"), XDG_STATE_HOME=str(home / "state"))
    (home / "config" / "docker-tutor").mkdir(parents=True)
    (home / "config" / "docker-tutor" / "settings.toml").write_text('username = "alice"\n')
    idle, _ = asyncio.run(measure(args.lines, stream=False))
    busy, elapsed = asyncio.run(measure(args.lines, stream=True))
    print(describe("idle (baseline)", idle))
    print(describe(f"streaming {args.lines:,} lines", busy))
    print(f"stream took {elapsed:.2f} s ({args.lines / elapsed:,.0f} lines/s); "
          f"median latency ratio {statistics.median(busy) / statistics.median(idle):.1f}x")


if __name__ == "__main__":
    main()
