"""100,000 build lines into the action pane: the time to take them in against Textual's `Log`
alone, and key latency while they stream against the same with nothing streaming, in one run.

The stream arrives as a step's run delivers it: the pane is given the step's commands and a
running state, the first command starts (drawn before the first line, as the engine takes
that long to start a build), then `Output` batches of up to 500 lines
(tutor.docker_ops.batching) are posted to the lesson screen as fast as the loop allows, which
is harsher than a real build. The baseline for the time is a bare Textual app holding one
`Log`, fed the same batches the same way (write_lines).

Keys arrive as a terminal delivers them: a thread of their own, like the driver's input thread,
hands one to the app (the driver's own `process_message`) every --key-every ms (10), from the
first batch to the last. A key's latency runs from the moment it was due, not from when that
thread got the interpreter: a thread kept waiting for the GIL delivers the keys that came
meanwhile together, each timed from when the terminal had it, so a loop that holds the
interpreter shows in the figure instead of thinning the keys out. Two latencies are kept:
until the bound action runs ("handled"), and until the frame that shows its effect (the action
repaints the log, as scrolling it does) has been drawn ("drawn").
Rounds alternate (idle, pane, Log alone) and the medians are compared; the keys of all
rounds are pooled, and fewer than --min-keys of them while streaming is reported as too few.

    .venv/bin/python benchmarks/keys_while_streaming.py [--lines 100000] [--runs 3] [--key-every 10]
    .venv/bin/python benchmarks/keys_while_streaming.py --profile   # one stream, where the loop goes
    .venv/bin/python benchmarks/keys_while_streaming.py --against DIR [--runs 6]   # this code against DIR's

``--against DIR`` (a checkout of other code, e.g. a worktree of main) compares the key latency of
two versions of the tutor in one run instead: each round streams once with this tree's code and
once with DIR's (DIR's own benchmark and tutor, each stream in a fresh interpreter, the two
alternating), and the keys of each side are pooled.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import deque

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.widgets import Log

from tutor.app import TutorApp
from tutor.docker_ops.events import CommandLine, Output
from tutor.messages import StepEvent
from tutor.session import Session
from tutor.widgets.action_pane import ActionPane

from common import ROOT, header, median, scratch

BATCH = 500
KEY_EVERY = 0.010  # seconds between two key presses (--key-every)
# Reported apart: the first output grows the pane to its running height, and the lesson screen
# is laid out again 3-4 times (the step text above re-wraps) within about this many seconds.
LATER = 0.25
COMMAND = "docker build -t alice/app:v1 ."


def batches(lines: int):
    for start in range(0, lines, BATCH):
        yield tuple(f"Step {n}: building layer {n % 97} ... done" for n in range(start, start + BATCH))


class Timing:
    """What both apps share: the keys' due times, and the two latencies of each key."""

    sent: deque[float]
    handled: list[float]
    drawn: list[float]
    into: list[float]  # how far into the stream each handled key was due (s)
    began = 0.0

    def start_timing(self) -> None:
        self.sent, self.handled, self.drawn, self.into = deque(), [], [], []

    def ping(self, effect) -> None:  # on an App
        due = self.sent.popleft()
        self.handled.append(time.perf_counter() - due)
        self.into.append(due - self.began)
        effect.refresh()  # something to draw, as a key's effect has
        self.call_after_refresh(lambda: self.drawn.append(time.perf_counter() - due))


class Bench(Timing, TutorApp):
    BINDINGS = [*TutorApp.BINDINGS, Binding("f9", "ping", "Ping", show=False)]
    last_into: list[float] = []  # the latest stream's Timing.into

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.start_timing()

    def action_ping(self) -> None:
        self.ping(self.screen.query_one("#output"))


async def measure(lines: int, stream: bool) -> tuple[list[float], list[float], float]:
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
        pane, done = screen.query_one(ActionPane), asyncio.Event()
        # What run_step does before the first event: the commands, the running state, and (a build)
        # the log's room.
        pane.show_command([COMMAND], state="running", output=True)
        screen.post_message(StepEvent("build", CommandLine(COMMAND)))
        await pilot.pause()  # drawn before the engine's first line comes, as in a real build
        if not stream:  # idle: a pane that has shown some output, as a key's effect is drawn there
            screen.post_message(StepEvent("build", Output(next(batches(BATCH)))))
            await pilot.pause()
            await pilot.pause()

        async def feed() -> None:
            for batch in batches(lines):
                screen.post_message(StepEvent("build", Output(batch)))
                await asyncio.sleep(0)
            done.set()

        handled, drawn, took = await press_keys(app, pilot, feed if stream else None, done)
        Bench.last_into = app.into
        if stream:
            last = f"Step {lines - 1}: building layer {(lines - 1) % 97} ... done"
            assert pane.log_lines[-1:] == [last], "the stream did not all arrive"
        return handled, drawn, took


async def press_keys(app, pilot, feed, done: asyncio.Event) -> tuple[list[float], list[float], float]:
    """Keys every KEY_EVERY seconds from another thread until ``feed`` (or two idle seconds)
    is over; then wait until everything is drawn."""
    loop = asyncio.get_running_loop()
    stop = threading.Event()
    driver = app._driver

    def typist() -> None:
        due = time.perf_counter()
        while not stop.is_set():
            now = time.perf_counter()
            while due <= now:  # every key the terminal had by now, each timed from when it was due
                app.sent.append(due)
                driver.process_message(events.Key("f9", None))
                due += KEY_EVERY
            stop.wait(max(0.0, due - time.perf_counter()))

    began = app.began = time.perf_counter()
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
        if not app.sent and len(app.drawn) == len(app.handled):
            break
        await asyncio.sleep(0.005)
    return app.handled, app.drawn, took


class LogAlone(Timing, App):
    """The baseline: Textual's Log by itself, taking the same batches."""

    BINDINGS = [Binding("f9", "ping", "Ping", show=False)]

    def __init__(self) -> None:
        super().__init__()
        self.start_timing()

    def compose(self):
        yield Log()

    def action_ping(self) -> None:
        self.ping(self.query_one(Log))


async def measure_log(lines: int) -> tuple[list[float], list[float], float]:
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
    return (f"  {name:36} keys {len(ms):4}  median {statistics.median(ms):6.1f} ms  p95 {percentile(ms, 0.95):6.1f} ms"
            f"  p99 {percentile(ms, 0.99):6.1f} ms  max {ms[-1]:6.1f} ms")


async def profile(lines: int, top: int) -> None:
    """One stream into the pane with keys, under cProfile from the first batch until all is
    drawn, every screen update timed and every widget render counted: where the event loop is
    held while the lines come."""
    import cProfile
    import pstats
    from collections import Counter

    from textual.screen import Screen
    from textual.widget import Widget

    global press_keys
    updates: list[tuple[float, bool]] = []  # (took, with a layout)
    renders: Counter[str] = Counter()
    profiler, timed_keys = cProfile.Profile(), press_keys
    update, render_lines, streaming = Screen._on_timer_update, Widget.render_lines, False

    def timed(screen) -> None:
        began, layout = time.perf_counter(), screen._layout_required
        update(screen)
        if streaming:
            updates.append((time.perf_counter() - began, layout))

    def counted(widget, crop):
        if streaming:
            renders[f"{type(widget).__name__}#{widget.id}" if widget.id else type(widget).__name__] += 1
        return render_lines(widget, crop)

    async def profiled(*args):
        nonlocal streaming
        streaming = True
        profiler.enable()
        try:
            return await timed_keys(*args)
        finally:
            profiler.disable()
            streaming = False

    Screen._on_timer_update, Widget.render_lines, press_keys = timed, counted, profiled
    try:
        handled, drawn, took = await measure(lines, stream=True)
    finally:
        Screen._on_timer_update, Widget.render_lines, press_keys = update, render_lines, timed_keys
    print(f"  one stream, profiled: {took:.2f} s")
    print(describe("keys handled (profiled)", handled))
    spent = sorted(spent * 1000 for spent, _layout in updates)
    print(f"  screen updates: {len(spent)}, {sum(1 for _spent, layout in updates if layout)} with a layout; "
          f"median {statistics.median(spent) if spent else 0:.1f} ms, max {spent[-1] if spent else 0:.1f} ms, "
          f"total {sum(spent):.0f} ms")
    print("  widgets rendered: " + ", ".join(f"{name} {count}" for name, count in renders.most_common(12)))
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


# One stream into the pane with ROOT's benchmark and tutor, in a fresh interpreter (--against):
# the latencies (s) and how far into the stream each key was due, as JSON.
ONE_STREAM = """
import asyncio, importlib.util, json, os, sys
root, lines, key_every = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
sys.path[:0] = [root, os.path.join(root, "benchmarks")]
spec = importlib.util.spec_from_file_location("theirs", os.path.join(root, "benchmarks", "keys_while_streaming.py"))
theirs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(theirs)
import tutor
assert os.path.dirname(os.path.dirname(os.path.abspath(tutor.__file__))) == os.path.abspath(root), tutor.__file__
theirs.KEY_EVERY = key_every / 1000
handled, drawn, took = asyncio.run(theirs.measure(lines, stream=True))
print(json.dumps({"handled": handled, "drawn": drawn, "into": theirs.Bench.last_into, "took": took}))
"""


def against(other: str, args: argparse.Namespace) -> None:
    """This tree's code and ``other``'s, one stream each per round, alternating."""
    sides = {"this code": str(ROOT), f"against {other}": os.path.abspath(other)}
    pooled = {name: {"handled": [], "drawn": [], "later": [], "took": []} for name in sides}
    loads = []
    for round_ in range(args.runs):
        loads.append(os.getloadavg()[0])
        for name, root in (sides.items() if round_ % 2 == 0 else reversed(sides.items())):
            done = subprocess.run([sys.executable, "-c", ONE_STREAM, root, str(args.lines), str(args.key_every)],
                                  capture_output=True, text=True, check=True)
            sample = json.loads(done.stdout.strip().splitlines()[-1])
            side = pooled[name]
            side["handled"] += sample["handled"]
            side["drawn"] += sample["drawn"]
            side["later"] += [latency for latency, into in zip(sample["handled"], sample["into"]) if into >= LATER]
            side["took"].append(sample["took"])
    print(f"  load average (1 min) at each round: {', '.join(f'{load:.1f}' for load in loads)}")
    for name, side in pooled.items():
        print(f"  {name}: {sides[name]}, stream median {median(side['took']):.2f} s")
        print(describe("handled, streaming into the pane", side["handled"]))
        print(describe(f"handled, after its first {LATER * 1000:.0f} ms", side["later"]))
        print(describe("drawn, streaming into the pane", side["drawn"]))


def main() -> None:
    global KEY_EVERY
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--key-every", type=float, default=KEY_EVERY * 1000, help="ms between two key presses")
    parser.add_argument("--min-keys", type=int, default=100, help="keys while streaming, all runs, to trust a p95")
    parser.add_argument("--profile", type=int, nargs="?", const=30, default=0, metavar="TOP",
                        help="profile one stream into the pane instead; print the TOP functions")
    parser.add_argument("--against", metavar="DIR", help="compare this code's key latency with DIR's, alternating")
    args = parser.parse_args()
    KEY_EVERY = args.key_every / 1000
    home = scratch("dt-bench-")
    # Following off: its first status, half a second after start-up, redraws the footer (a layout
    # of the whole screen) just as the stream begins; no build of the engine's is followed here.
    os.environ.update(XDG_CONFIG_HOME=str(home / "config"), XDG_STATE_HOME=str(home / "state"),
                      XDG_CACHE_HOME=str(home / "cache"), DOCKER_TUTOR_FOLLOW="0")
    (home / "config" / "docker-tutor").mkdir(parents=True)
    (home / "config" / "docker-tutor" / "settings.toml").write_text('username = "alice"\n')
    header(f"{args.lines:,} build lines into the action pane, a key every {args.key_every:g} ms")
    if args.against:
        against(args.against, args)
        return
    if args.profile:
        asyncio.run(profile(args.lines, args.profile))
        return
    idle, idle_drawn, busy, busy_drawn, alone, alone_drawn = [], [], [], [], [], []
    later: list[float] = []  # keys into the pane due after its first LATER seconds of stream
    took, took_alone = [], []
    counts: list[tuple[int, int]] = []  # keys while streaming per run: into the pane, into Log alone
    for _ in range(args.runs):
        handled, drawn, _took = asyncio.run(measure(args.lines, stream=False))
        idle, idle_drawn = idle + handled, idle_drawn + drawn
        handled, drawn, elapsed = asyncio.run(measure(args.lines, stream=True))
        busy, busy_drawn, took = busy + handled, busy_drawn + drawn, took + [elapsed]
        later += [latency for latency, into in zip(handled, Bench.last_into) if into >= LATER]
        keys_alone, drawn, elapsed = asyncio.run(measure_log(args.lines))
        alone, alone_drawn, took_alone = alone + keys_alone, alone_drawn + drawn, took_alone + [elapsed]
        counts.append((len(handled), len(keys_alone)))
    pane, log = median(took), median(took_alone)
    print(f"  ingest: action pane {pane:.2f} s, Textual Log alone {log:.2f} s (baseline): "
          f"{pane / log:.2f}x Log alone (target <= 1.5x); {args.lines / pane:,.0f} lines/s")
    print(describe("handled, idle (baseline)", idle))
    print(describe("handled, streaming into the pane", busy))
    print(describe(f"handled, pane, after its first {LATER * 1000:.0f} ms", later))
    print(describe("handled, streaming into Log alone", alone))
    print(describe("drawn, idle (baseline)", idle_drawn))
    print(describe("drawn, streaming into the pane", busy_drawn))
    print(describe("drawn, streaming into Log alone", alone_drawn))
    print("  keys while streaming per run (pane / Log alone): " + ", ".join(f"{a} / {b}" for a, b in counts))
    if len(busy) < args.min_keys:
        print(f"  TOO FEW KEYS: {len(busy)} while streaming into the pane (wanted {args.min_keys}): the p95 "
              "says little; lower --key-every or raise --runs")
    print(f"  median latency while streaming {statistics.median(busy) / statistics.median(idle):.1f}x idle "
          f"(target p95 <= 30 ms); medians of {args.runs} alternating runs, keys pooled")


if __name__ == "__main__":
    main()
