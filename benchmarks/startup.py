"""Time to the first interactive screen: docker-tutor against a bare Textual app, in one run.

Three programs, each started in a fresh interpreter so that interpreter start-up, imports,
lesson loading and the first render all count:

- bare: Header, one Static, Footer (the issue's yardstick);
- same widgets: the lesson screen's widgets (outline tree of the same size, step text area,
  action pane with its lazily mounted log, footer with the same keys) filled with constant
  text, without a line of docker-tutor: what Textual itself needs to draw this screen;
- docker-tutor: the real app on the bundled lesson, with settings saved and its cache warm.

Two moments are stamped: the first frame (Textual's Ready event: the DOM is mounted and the
first frame drawn) and, for docker-tutor, the step text drawn as well (its Markdown is
created after the first frame, as Textual's Markdown fills itself after it anyway).

Wall clock (default): the child prints time.time() and the parent subtracts the moment it
spawned it; samples alternate between the programs and the ratios of the medians are what
matter. On a shared machine they wander by +-0.1x from run to run.

Instructions (--instructions, needs valgrind): each program runs once under cachegrind and
stops with os._exit at the stamp, so the count covers exactly the work up to that moment.
Counts repeat to 0.1%, which makes them the figure to compare changes with.

    .venv/bin/python benchmarks/startup.py [--runs 15] [--instructions]
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# Each program prints two stamps (first frame, complete screen). With BENCH_STOP set it
# leaves at once at that moment instead, without tearing down (for instruction counts).
_STAMP = """
import os, time
def stamp(moment, first=None):
    if os.environ.get("BENCH_STOP") == moment:
        os._exit(0)
    if moment == "complete":
        print(first, time.time(), flush=True)
"""

BARE = _STAMP + """
from textual.app import App
from textual.widgets import Footer, Header, Static
class Bare(App):
    def compose(self):
        yield Header(); yield Static("hello"); yield Footer()
    def on_ready(self):
        stamp("first"); stamp("complete", time.time()); self.exit()
Bare().run(headless=True, size=(120, 40))
"""

SAME_WIDGETS = _STAMP + """
from textual.app import App
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.lazy import Lazy
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Log, Static, Tree
KEYS = "r Show me,v Check it,h Hint,d Done,n Next,c Checklist,z Quiz,s Settings".split(",")
class Lesson(Screen):
    BINDINGS = [Binding(k[0], "noop", k[2:]) for k in KEYS]
    def compose(self):
        yield Header()
        with Horizontal():
            tree = Tree("Lesson")
            tree.show_root = False
            for heading, count in [("Concepts", 5), ("Your task", 6), ("Quiz", 8), ("Verify", 3), ("Checklist", 5)]:
                node = tree.root.add(heading, expand=True)
                for n in range(count):
                    node.add_leaf(f"· {n + 1}. An entry of the lesson's outline")
            yield tree
            with Vertical():
                yield VerticalScroll()
                with Vertical() as pane:
                    pane.border_title = "r runs it"
                    with Horizontal():
                        yield Label("$")
                        yield Static("docker build -t alice/poll-backend:v1 backend")
                    yield Vertical()
                    yield Lazy(Log())
                    yield Static("")
        yield Footer()
class SameWidgets(App):
    def get_default_screen(self):
        return Lesson()
    def on_ready(self):
        stamp("first"); stamp("complete", time.time()); self.exit()
SameWidgets().run(headless=True, size=(120, 40))
"""

TUTOR = _STAMP + """
from tutor.session import Session
from tutor.app import TutorApp
class Bench(TutorApp):
    first_frame = None
    def on_ready(self):
        stamp("first")
        self.first_frame = time.time()
    def on_markdown_table_of_contents_updated(self, message):
        # The step's blocks are mounted (its text starts with a heading; an empty document has
        # no contents); stamp once they have been drawn too.
        if message.table_of_contents:
            self.call_after_refresh(self.done)
    def done(self):
        stamp("complete", self.first_frame)
        self.exit()
Bench(Session.open()).run(headless=True, size=(120, 40))
"""

PROGRAMS = {"bare Textual app": BARE, "same widgets, no docker-tutor": SAME_WIDGETS, "docker-tutor": TUTOR}


def bench_env() -> dict[str, str]:
    home = Path(tempfile.mkdtemp(prefix="dt-bench-"))
    settings = home / "config" / "docker-tutor" / "settings.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text('username = "alice"\n')
    return {**os.environ, "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
            "XDG_CACHE_HOME": str(home / "cache")}


def sample(code: str, env: dict[str, str]) -> tuple[float, float]:
    """Seconds from spawning the interpreter to its first frame, and to its complete screen."""
    start = time.time()
    out = subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True,
                         timeout=120).stdout
    first, complete = (float(x) for x in out.split()[-2:])
    return first - start, complete - start


def instructions(code: str, env: dict[str, str], moment: str) -> int:
    """Instructions executed from the interpreter's start to *moment*, counted by cachegrind."""
    done = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, "-c", code], env={**env, "BENCH_STOP": moment}, capture_output=True, text=True, timeout=600)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if not found:
        sys.exit(f"valgrind gave no count:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def wall_clock(env: dict[str, str], runs: int) -> None:
    for code in PROGRAMS.values():  # warm the file cache, byte-code and the lesson cache
        sample(code, env)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in PROGRAMS}
    for _ in range(runs):
        for name, code in PROGRAMS.items():
            results[name].append(sample(code, env))
    base = statistics.median(first for first, _ in results["bare Textual app"])
    for name, samples in results.items():
        first = statistics.median(f for f, _ in samples)
        print(f"{name:30} first frame  median {first * 1000:7.1f} ms  {first / base:.2f}x")
    complete = statistics.median(c for _, c in results["docker-tutor"])
    print(f"{'docker-tutor':30} step text    median {complete * 1000:7.1f} ms  {complete / base:.2f}x")
    print(f"over {runs} runs each")


def instruction_counts(env: dict[str, str]) -> None:
    if not shutil.which("valgrind"):
        sys.exit("--instructions needs valgrind (apt install valgrind)")
    sample(TUTOR, env)  # fill the lesson cache, as a learner's second start finds it
    jobs = [(name, moment) for name in PROGRAMS for moment in ("first",)] + [("docker-tutor", "complete")]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        counts = dict(zip(jobs, pool.map(lambda job: instructions(PROGRAMS[job[0]], env, job[1]), jobs)))
    base = counts[("bare Textual app", "first")]
    for (name, moment), count in counts.items():
        label = "first frame" if moment == "first" else "step text"
        print(f"{name:30} {label:12} {count / 1e6:8.0f} M instructions  {count / base:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--instructions", action="store_true", help="count instructions with valgrind instead")
    args = parser.parse_args()
    # Byte-code for our modules, as an installed package has; an editable install under
    # PYTHONDONTWRITEBYTECODE would otherwise compile them again at every start.
    import tutor

    compileall.compile_dir(Path(tutor.__file__).parent, quiet=1)
    env = bench_env()
    if args.instructions:
        instruction_counts(env)
    else:
        wall_clock(env, args.runs)


if __name__ == "__main__":
    main()
