"""Time to the first interactive screen: docker-tutor against a bare Textual app, in one run.

Each sample is a fresh interpreter, so interpreter start-up, imports, lesson
loading and the first render all count. The child prints wall-clock stamps and
the parent subtracts the moment it spawned it, so the exit is not counted:

- first frame: Textual's Ready event (the DOM is mounted and the first frame drawn);
- step text: the step's Markdown has been parsed, mounted and drawn as well
  (only docker-tutor has it; the bare app's figure is its first frame).

Samples alternate between the two apps; what matters is the ratio of the medians
(target: about 1.15 for the first frame). The machine this runs on is often shared,
so only ratios measured in the same run mean anything.

    .venv/bin/python benchmarks/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import time
from textual.app import App
from textual.widgets import Footer, Header, Static
class Bare(App):
    def compose(self):
        yield Header(); yield Static("hello"); yield Footer()
    def on_ready(self):
        print(time.time(), time.time())
        self.exit()
Bare().run(headless=True, size=(120, 40))
"""

TUTOR = """
import time
from tutor.session import Session
from tutor.app import TutorApp
class Bench(TutorApp):
    first_frame = None
    def on_ready(self):
        self.first_frame = time.time()
    def on_markdown_table_of_contents_updated(self, message):
        # The step's blocks are mounted (its text starts with a heading; an empty document has
        # no contents); stamp once they have been drawn too.
        if message.table_of_contents:
            self.call_after_refresh(self.done)
    def done(self):
        print(self.first_frame, time.time())
        self.exit()
Bench(Session.open()).run(headless=True, size=(120, 40))
"""


def sample(code: str, env: dict[str, str]) -> tuple[float, float]:
    """Seconds from spawning the interpreter to its first frame, and to its complete screen."""
    start = time.time()
    out = subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True).stdout
    first, complete = (float(x) for x in out.split()[-2:])
    return first - start, complete - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="dt-bench-"))
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
           "XDG_CACHE_HOME": str(home / "cache")}
    settings = home / "config" / "docker-tutor" / "settings.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text('username = "alice"\n')
    for code in (BARE, TUTOR):  # warm the file cache, byte-code and any cache of ours
        sample(code, env)
    bare, tutor = [], []
    for _ in range(args.runs):
        bare.append(sample(BARE, env)[0])
        tutor.append(sample(TUTOR, env))
    b = statistics.median(bare)
    first = statistics.median(t[0] for t in tutor)
    complete = statistics.median(t[1] for t in tutor)
    print(f"bare Textual app, first frame     median {b * 1000:7.1f} ms  (min {min(bare) * 1000:.1f})")
    print(f"docker-tutor, first frame         median {first * 1000:7.1f} ms  ratio {first / b:.2f}x")
    print(f"docker-tutor, step text shown     median {complete * 1000:7.1f} ms  ratio {complete / b:.2f}x")
    print(f"over {args.runs} runs each")


if __name__ == "__main__":
    main()
