"""Time to a usable screen: docker-tutor against a bare Textual app, in one run.

Programs, each started in a fresh interpreter so that interpreter start-up, imports,
lesson loading and the first render all count:

- bare: Header, one Static, Footer (the yardstick of issues 6 and 15);
- same widgets: the lesson screen's widgets (outline of the same size, step text area,
  action pane with its lazily mounted log, footer with the same keys) filled with constant
  text, without a line of docker-tutor: what Textual itself needs to draw this screen;
- docker-tutor (everyday start): the real app on the bundled lesson, settings saved, lesson
  cache warm; stamped at the first frame and when the current step's text is drawn;
- docker-tutor, following off: the same with DOCKER_TUTOR_FOLLOW=0 (the app starts following
  the engine half a second after start, importing the docker SDK, often before the step text);
- docker-tutor, 20-step lesson: the same on a lesson of 20 steps (growth with lesson length);
- docker-tutor (first start): no settings, no lesson cache, a fresh folder for every sample;
  stamped when the first-run form is usable (drawn, its first field focused).

Two moments are stamped: the first frame (Textual's Ready event: the DOM is mounted and the
first frame drawn) and the complete screen (step text drawn, or first-run form usable).

Wall clock (default): the child prints time.time() and the parent subtracts the moment it
spawned it; samples alternate between the programs and the ratios of the medians are what
matter. On a shared machine they wander by +-0.1x from run to run.

Instructions (--instructions, needs valgrind): each program runs once under cachegrind and
stops with os._exit at the stamp, so the count covers exactly the work up to that moment.
Counts repeat to 0.1%, which makes them the figure to compare changes with. They are counted
with following off: under valgrind's fifty-fold slowdown the follower's half-second timer
fires before the first frame, which it does not do at full speed.

Profile (--profile): where the everyday start's time goes up to the step text: cProfile's
own time per package (imports included) and the slowest imports by `python -X importtime`.

    .venv/bin/python benchmarks/startup.py [--runs 15] [--instructions] [--profile]
"""

from __future__ import annotations

import argparse
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import compile_tutor, header, isolated_home, scratch

# Each program prints two stamps (first frame, complete screen). With BENCH_STOP set it
# leaves at once at that moment instead, without tearing down (for instruction counts).
_STAMP = """
import os, time
if os.environ.get("BENCH_PROFILE"):
    import cProfile
    _profile = cProfile.Profile()
    _profile.enable()
def stamp(moment, first=None):
    if os.environ.get("BENCH_PROFILE") and moment == "complete":
        _profile.disable()
        _profile.dump_stats(os.environ["BENCH_PROFILE"])
        os._exit(0)
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

# As tutor/cli.py's run_app starts the app: no garbage collection until its first frame.
_AS_THE_CLI = """
import gc
gc.disable()
"""

TUTOR = _STAMP + _AS_THE_CLI + """
if os.environ.get("BENCH_STOP"):
    # Under valgrind's slowdown the step text's half-second swap timer would fire before the
    # picture is on screen and count the Markdown widget's import, which at full speed comes after.
    from tutor.widgets import step_text
    step_text.SWAP_AFTER = 60.0
from tutor.session import Session
from tutor.app import TutorApp
class Bench(TutorApp):
    first_frame = None
    def on_ready(self):
        stamp("first")
        self.first_frame = time.time()
    def on_step_text_readable(self, message):
        # The step text is drawn: from the last start's picture (in the first frame) or, without
        # one, by the Markdown widget (its blocks mounted and drawn).
        self.done()
    def done(self):
        stamp("complete", self.first_frame)
        # A warm-up run stays a moment, as a learner does: the step text's picture is kept then.
        self.set_timer(float(os.environ.get("BENCH_LINGER") or 0), self.exit)
lessons = tuple(filter(None, [os.environ.get("BENCH_LESSONS")]))
Bench(Session.open(os.environ.get("BENCH_LESSON") or None, lessons_dirs=lessons)).run(headless=True, size=(120, 40))
"""

FIRST_START = _STAMP + _AS_THE_CLI + """
from textual.widgets import Input
from tutor.session import Session
from tutor.app import TutorApp
from tutor.screens.settings import SettingsScreen
class Bench(TutorApp):
    first_frame = None
    def on_ready(self):
        stamp("first")
        self.first_frame = time.time()
        self.wait_for_form()
    def wait_for_form(self):
        # The form is a first start's first screen (the lesson screen comes once it is saved):
        # usable once it is the current screen with its first field focused, and drawn again after
        # that (its footer's keys are drawn then).
        if isinstance(self.screen, SettingsScreen) and isinstance(self.focused, Input):
            self.call_after_refresh(self.done)
        else:
            self.set_timer(0.002, self.wait_for_form)
    def done(self):
        stamp("complete", self.first_frame)
        self.exit()
Bench(Session.open(lesson_later=True)).run(headless=True, size=(120, 40))  # as tutor/cli.py opens it
"""

# What if the step text were drawn from a pre-rendered form: the step's source in one Static,
# no Markdown widget or parser (--what-if; instructions only). A floor, not a design: the
# real pre-rendered form would carry the Markdown widget's styles.
PLAIN_STEP = _STAMP + """
from textual.widgets import Static
from tutor.session import Session
from tutor.app import TutorApp
from tutor.widgets import step_text
class Bench(TutorApp):
    first_frame = None
    def on_ready(self):
        stamp("first")
        self.first_frame = time.time()
    def done(self):
        stamp("complete", self.first_frame)
        self.exit()
async def plain(self):
    await self.mount(Static(self._source, markup=False))
    self.app.call_after_refresh(self.app.done)
step_text.StepText._create_markdown = plain
Bench(Session.open()).run(headless=True, size=(120, 40))
"""

BARE_NAME, TUTOR_NAME, LONG_NAME, FIRST_NAME = ("bare Textual app", "docker-tutor", "docker-tutor, 20-step lesson",
                                                "docker-tutor first start")
QUIET_NAME = "docker-tutor, following off"
PROGRAMS = {BARE_NAME: BARE, "same widgets, no docker-tutor": SAME_WIDGETS, TUTOR_NAME: TUTOR, QUIET_NAME: TUTOR,
            LONG_NAME: TUTOR, FIRST_NAME: FIRST_START}
COMPLETE = {TUTOR_NAME: "step text", QUIET_NAME: "step text", LONG_NAME: "step text", FIRST_NAME: "form usable"}
TARGETS = {TUTOR_NAME: "<= 1.35x", FIRST_NAME: "<= 1.30x"}
LONG_STEPS = 20


def long_lesson(folder: Path) -> Path:
    """The bundled lesson with copies of its build step added until it has LONG_STEPS steps: the
    same first step and text, a longer outline, more to parse and to cache."""
    from tutor.lesson import get_lesson

    real = get_lesson(None)
    text = real.source.read_text(encoding="utf-8")
    start = text.index("### Build both images")
    section = text[start:text.index("\n### ", start + 1) + 1]
    copies = "".join(
        section.replace("{#build verify=local}", f"{{#build-{n}}}").replace("id=build-backend", f"id=build-backend-{n}")
        .replace("id=build-frontend", f"id=build-frontend-{n}").replace("Build both images", f"Build them again ({n})")
        for n in range(LONG_STEPS - len(real.steps)))
    text = text.replace(section, section + copies).replace(f'id = "{real.id}"', 'id = "tutor-bench-long"', 1)
    path = folder / "tutor-bench-long.md"
    path.write_text(text, encoding="utf-8")
    from tutor.lesson import load_lesson

    assert len(load_lesson(path).steps) == LONG_STEPS, "the long lesson did not get its steps"
    return folder


def bench_env() -> dict[str, str]:
    return {**os.environ, **isolated_home("alice")}


def program_env(name: str, everyday: dict[str, str], lessons: Path) -> dict[str, str]:
    """The environment of one sample: a first start gets a folder nobody used yet."""
    if name == FIRST_NAME:
        return {**os.environ, **isolated_home("")}
    if name == LONG_NAME:
        return {**everyday, "BENCH_LESSON": "tutor-bench-long", "BENCH_LESSONS": str(lessons)}
    if name == QUIET_NAME:
        return {**everyday, "DOCKER_TUTOR_FOLLOW": "0"}
    return everyday


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


def wall_clock(env: dict[str, str], lessons: Path, runs: int) -> None:
    for name, code in PROGRAMS.items():  # warm the file cache, byte-code, the lesson caches and the picture
        sample(code, {**program_env(name, env, lessons), "BENCH_LINGER": "1.5"})
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in PROGRAMS}
    for _ in range(runs):
        for name, code in PROGRAMS.items():
            results[name].append(sample(code, program_env(name, env, lessons)))
    base = statistics.median(first for first, _ in results[BARE_NAME])
    print(f"  baseline: {BARE_NAME}, first frame, median {base * 1000:.1f} ms")
    for name, samples in results.items():
        first = statistics.median(f for f, _ in samples)
        print(f"  {name:30} first frame  median {first * 1000:7.1f} ms  {first / base:.2f}x bare first frame")
    for name, moment in COMPLETE.items():
        complete = statistics.median(c for _, c in results[name])
        target = f"  (target {TARGETS[name]})" if name in TARGETS else ""
        print(f"  {name:30} {moment:12} median {complete * 1000:7.1f} ms  {complete / base:.2f}x bare first frame"
              f"{target}")
    print(f"  medians of {runs} alternating runs each")


def instruction_counts(env: dict[str, str], lessons: Path) -> None:
    if not shutil.which("valgrind"):
        sys.exit("--instructions needs valgrind (apt install valgrind)")
    env = {**env, "DOCKER_TUTOR_FOLLOW": "0"}  # see the module's notes
    # Fill the lesson caches and keep the step text's picture, as a learner's second start finds them.
    sample(TUTOR, {**env, "BENCH_LINGER": "1.5"})
    sample(TUTOR, {**program_env(LONG_NAME, env, lessons), "BENCH_LINGER": "1.5"})
    names = [name for name in PROGRAMS if name != QUIET_NAME]
    jobs = [(name, "first") for name in names] + [(name, "complete") for name in COMPLETE if name != QUIET_NAME]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        counts = dict(zip(jobs, pool.map(
            lambda job: instructions(PROGRAMS[job[0]], {**program_env(job[0], env, lessons),
                                                        "DOCKER_TUTOR_FOLLOW": "0"}, job[1]), jobs)))
    base = counts[(BARE_NAME, "first")]
    for (name, moment), count in counts.items():
        label = "first frame" if moment == "first" else COMPLETE[name]
        print(f"  {name:30} {label:12} {count / 1e6:8.0f} M instructions  {count / base:.2f}x bare first frame")


def package_of(filename: str) -> str:
    """A profile entry's file, as the package that owns the time."""
    if filename.startswith("~") or filename.startswith("<"):
        return "interpreter (builtins, import machinery)"
    parts = Path(filename).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    if "tutor" in parts:
        return "tutor"
    return "Python's standard library"


def profile(env: dict[str, str], top: int = 12) -> None:
    """cProfile of the everyday start up to the step text, and -X importtime's slowest imports."""
    sample(TUTOR, env)  # warm cache
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "startup.prof"
        subprocess.run([sys.executable, "-c", TUTOR], check=True, env={**env, "BENCH_PROFILE": str(out)},
                       capture_output=True, timeout=300)
        stats = pstats.Stats(str(out))
    totals: dict[str, float] = {}
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():
        totals[package_of(filename)] = totals.get(package_of(filename), 0.0) + own
    whole = sum(totals.values())
    print(f"  cProfile, everyday start to the step text: {whole * 1000:.0f} ms of own time (profiled, so slower)")
    for package, own in sorted(totals.items(), key=lambda kv: -kv[1])[:top]:
        print(f"    {package:42} {own * 1000:7.0f} ms  {own / whole:5.1%}")
    # Cumulative time of a few things that are not packages: building the DOM, CSS, the first render.
    cumulative = {}
    for (filename, _, function), (_, _, _, cum, _) in stats.stats.items():
        key = f"{Path(filename).parent.name}/{Path(filename).name}:{function}"
        cumulative[key] = max(cumulative.get(key, 0.0), cum)
    wanted = ("textual/app.py:_process_messages", "textual/css/stylesheet.py:parse", "textual/stylesheet.py:parse",
              "textual/css/stylesheet.py:apply", "textual/screen.py:_refresh_layout", "textual/_compositor.py:render_update",
              "widgets/step_text.py:_create_markdown", "textual/widgets/_markdown.py:_update_from_parse", "tutor/session.py:open",
              "screens/lesson.py:on_mount", "screens/lesson.py:compose")
    print("  cumulative (includes what it calls):")
    for key in wanted:
        if key in cumulative:
            print(f"    {key:58} {cumulative[key] * 1000:7.0f} ms")
    imports = subprocess.run([sys.executable, "-X", "importtime", "-c", TUTOR], env={**env, "BENCH_STOP": "complete"},
                             capture_output=True, text=True, timeout=300).stderr
    own: dict[str, int] = {}
    for line in imports.splitlines():
        found = re.match(r"import time:\s+(\d+) \|", line)
        if found:
            package = line.rsplit("|", 1)[1].strip().split(".")[0]
            own[package] = own.get(package, 0) + int(found.group(1))
    print(f"  -X importtime up to the step text: {sum(own.values()) / 1000:.0f} ms of imports; own time by package:")
    for package, micros in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        print(f"    {package:42} {micros / 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--instructions", action="store_true", help="count instructions with valgrind instead")
    parser.add_argument("--profile", action="store_true", help="where the everyday start's time goes")
    parser.add_argument("--what-if", action="store_true",
                        help="instructions to a step text drawn as one plain Static (no Markdown widget)")
    args = parser.parse_args()
    compile_tutor()
    # The bundled lessons parsed beside them, as a wheel ships them (setup.py): a first start uses them.
    from tutor.lesson.shipped import write_parsed
    from tutor.paths import lessons_dir

    for lesson in lessons_dir().glob("*.md"):
        write_parsed(lesson)
    env = bench_env()
    lessons = long_lesson(scratch("dt-bench-lessons-"))
    if args.what_if:
        header("start-up, what if the step text needed no Markdown widget (instructions)")
        quiet = {**env, "DOCKER_TUTOR_FOLLOW": "0"}
        sample(TUTOR, {**quiet, "BENCH_LINGER": "1.5"})
        jobs = [(BARE, "first"), (TUTOR, "complete"), (PLAIN_STEP, "complete")]
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            bare, real, plain = pool.map(lambda job: instructions(job[0], quiet, job[1]), jobs)
        for name, count in (("bare Textual app, first frame", bare), ("docker-tutor, step text (Markdown)", real),
                            ("docker-tutor, step text as a plain Static", plain)):
            print(f"  {name:44} {count / 1e6:8.0f} M instructions  {count / bare:.2f}x bare first frame")
    elif args.profile:
        header("start-up profile")
        profile(env)
    elif args.instructions:
        header("start-up, instructions counted by valgrind")
        instruction_counts(env, lessons)
    else:
        header("start-up, wall clock")
        wall_clock(env, lessons, args.runs)


if __name__ == "__main__":
    main()
