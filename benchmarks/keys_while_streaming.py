"""100,000 build lines into the action pane: the time to take them in against Textual's `Log`
alone, and key latency while they stream against the same with nothing streaming, in one run.

The stream arrives as the docker actions deliver it: `Output` batches of up to 500 lines
(tutor.docker_ops.batching), posted to the lesson screen as fast as the loop allows, which
is harsher than a real build. The baseline for the time is a bare Textual app holding one
`Log`, fed the same batches the same way (write_lines). Keys are pressed from a thread of
their own, as a terminal driver's input thread delivers them, every --key-every ms (10) from
the first batch to the last, whatever the event loop is busy with: a key's latency is the
time from pressing to the bound action running. (Pressed from the event loop itself, a key
waited for the loop as well, and only 6-9 keys fell within a stream: too few for a p95.)
Rounds alternate (idle, pane, Log alone) and the medians are compared; the keys of all
rounds are pooled, and fewer than --min-keys of them while streaming is reported as too few.

    .venv/bin/python benchmarks/keys_while_streaming.py [--lines 100000] [--runs 3] [--key-every 10]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import threading
import time

from textual.app import App
from textual.binding import Binding
from textual.widgets import Log

from tutor.app import TutorApp
from tutor.docker_ops.events import Output
from tutor.messages import StepEvent
from tutor.session import Session
from tutor.widgets.action_pane import ActionPane

from common import header, median, scratch

BATCH = 500
KEY_EVERY = 0.010  # seconds between two key presses (--key-every)


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
        # The step settles first (its Markdown, the footer rebuilt for its keys: several full
        # layouts), as it has when a learner presses Run; otherwise the keys measure the move.
        await pilot.pause()
        await pilot.pause(0.5)
        await pilot.pause()
        done = asyncio.Event()

        async def feed() -> None:
            for batch in batches(lines):
                screen.post_message(StepEvent("build", Output(batch)))
                await asyncio.sleep(0)
            done.set()

        keys, took = await press_keys(app, pilot, feed if stream else None, done)
        if stream:
            last = f"Step {lines - 1}: building layer {(lines - 1) % 97} ... done"
            assert screen.query_one(ActionPane).log_lines[-1:] == [last], "the stream did not all arrive"
        return keys, took


async def press_keys(app, pilot, feed, done: asyncio.Event) -> tuple[list[float], float]:
    """Press f9 every KEY_EVERY seconds from another thread until ``feed`` (or two idle seconds)
    is over; then wait until everything is drawn."""
    loop = asyncio.get_running_loop()
    stop = threading.Event()

    def typist() -> None:
        while not stop.is_set():
            app.sent.append(time.perf_counter())
            loop.call_soon_threadsafe(app.simulate_key, "f9")
            stop.wait(KEY_EVERY)

    began = time.perf_counter()
    if feed is not None:
        loop.create_task(feed())
    else:
        loop.call_later(2.0, done.set)
    thread = threading.Thread(target=typist, name="typist", daemon=True)
    thread.start()
    await done.wait()
    stop.set()
    thread.join()
    await pilot.pause()  # everything taken in and drawn: the ingest time includes it
    took = time.perf_counter() - began
    for _ in range(400):  # keys still on their way are measured too
        if not app.sent:
            break
        await asyncio.sleep(0.005)
    return app.latencies, took


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


def percentile(ms: list[float], share: float) -> float:
    """Nearest rank: the value ``share`` of the sorted samples are at or below."""
    return ms[max(0, math.ceil(len(ms) * share) - 1)] if ms else float("nan")


def describe(name: str, latencies: list[float]) -> str:
    ms = sorted(x * 1000 for x in latencies)
    return (f"  {name:30} keys {len(ms):4}  median {statistics.median(ms):6.1f} ms  p95 {percentile(ms, 0.95):6.1f} ms"
            f"  p99 {percentile(ms, 0.99):6.1f} ms  max {ms[-1]:6.1f} ms")


def main() -> None:
    global KEY_EVERY
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--key-every", type=float, default=KEY_EVERY * 1000, help="ms between two key presses")
    parser.add_argument("--min-keys", type=int, default=100, help="keys while streaming, all runs, to trust a p95")
    args = parser.parse_args()
    KEY_EVERY = args.key_every / 1000
    home = scratch("dt-bench-")
    os.environ.update(XDG_CONFIG_HOME=str(home / "config"), XDG_STATE_HOME=str(home / "state"),
                      XDG_CACHE_HOME=str(home / "cache"))
    (home / "config" / "docker-tutor").mkdir(parents=True)
    (home / "config" / "docker-tutor" / "settings.toml").write_text('username = "alice"\n')
    header(f"{args.lines:,} build lines into the action pane, a key every {args.key_every:g} ms")
    idle, busy, alone, took, took_alone = [], [], [], [], []
    counts: list[tuple[int, int]] = []  # keys while streaming per run: into the pane, into Log alone
    for _ in range(args.runs):
        idle += asyncio.run(measure(args.lines, stream=False))[0]
        keys, elapsed = asyncio.run(measure(args.lines, stream=True))
        busy, took = busy + keys, took + [elapsed]
        keys_alone, elapsed = asyncio.run(measure_log(args.lines))
        alone, took_alone = alone + keys_alone, took_alone + [elapsed]
        counts.append((len(keys), len(keys_alone)))
    pane, log = median(took), median(took_alone)
    print(f"  ingest: action pane {pane:.2f} s, Textual Log alone {log:.2f} s (baseline): "
          f"{pane / log:.2f}x Log alone (target <= 1.5x); {args.lines / pane:,.0f} lines/s")
    print(describe("keys, idle (baseline)", idle))
    print(describe("keys, streaming into the pane", busy))
    print(describe("keys, streaming into Log alone", alone))
    print("  keys while streaming per run (pane / Log alone): " + ", ".join(f"{a} / {b}" for a, b in counts))
    if len(busy) < args.min_keys:
        print(f"  TOO FEW KEYS: {len(busy)} while streaming into the pane (wanted {args.min_keys}): the p95 "
              "says little; lower --key-every or raise --runs")
    print(f"  median latency while streaming {statistics.median(busy) / statistics.median(idle):.1f}x idle "
          f"(target p95 <= 30 ms); medians of {args.runs} alternating runs, keys pooled")


if __name__ == "__main__":
    main()
