"""Time to the first interactive screen: docker-tutor against a bare Textual app, in one run.

Each sample is a fresh interpreter that builds the app, shows its first screen
headlessly and exits on Textual's Ready event, so interpreter start-up, imports,
lesson parsing and the first render all count. Samples alternate between the two
apps; the figure that matters is the ratio of the medians (target: about 1.15).

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
from textual.app import App
from textual.widgets import Footer, Header, Static
class Bare(App):
    def compose(self):
        yield Header(); yield Static("hello"); yield Footer()
    def on_ready(self):
        self.exit()
Bare().run(headless=True, size=(120, 40))
"""

TUTOR = """
from tutor.session import Session
from tutor.app import TutorApp
class Bench(TutorApp):
    def on_ready(self):
        self.exit()
Bench(Session.open()).run(headless=True, size=(120, 40))
"""


def sample(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="dt-bench-"))
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state")}
    settings = home / "config" / "docker-tutor" / "settings.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text('username = "alice"\n')
    for code in (BARE, TUTOR):  # warm the file cache and byte-code
        sample(code, env)
    bare, tutor = [], []
    for _ in range(args.runs):
        bare.append(sample(BARE, env))
        tutor.append(sample(TUTOR, env))
    b, t = statistics.median(bare), statistics.median(tutor)
    print(f"bare Textual app   median {b * 1000:7.1f} ms  (min {min(bare) * 1000:.1f})")
    print(f"docker-tutor       median {t * 1000:7.1f} ms  (min {min(tutor) * 1000:.1f})")
    print(f"ratio              {t / b:.2f}x  over {args.runs} runs each")


if __name__ == "__main__":
    main()
