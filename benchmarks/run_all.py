"""Every benchmark, one after the other: `make bench` (not part of `make test`).

Each prints its figures as ratios against a baseline measured in the same run, from
medians of alternating samples. Benchmarks that need the Docker engine use DOCKER_HOST
(e.g. unix:///tmp/dev-engine/docker.sock) and say "skipped" without one. Choose some with
ONLY=startup,push (the names below, without .py).

    .venv/bin/python benchmarks/run_all.py [NAME ...]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

BENCHMARKS = [
    ("startup", ["--runs", "11"]),
    ("startup", ["--instructions"]),
    ("startup", ["--what-if"]),
    ("startup", ["--profile"]),
    ("keys_while_streaming", []),
    ("push", []),
    ("push_fixed", ["--instructions"]),
    ("checklist", []),
    ("roster", []),
    ("grading_class", []),
    ("grading_agreement", [str(HERE.parent / "tests" / "data" / "grading_dev.jsonl")]),
]


def main() -> int:
    wanted = set(sys.argv[1:]) or set(filter(None, os.environ.get("ONLY", "").split(",")))
    unknown = wanted - {name for name, _ in BENCHMARKS}
    if unknown:
        print(f"no benchmark named {', '.join(sorted(unknown))}; there are: "
              f"{', '.join(dict.fromkeys(name for name, _ in BENCHMARKS))}")
        return 2
    failed = []
    began = time.monotonic()
    for name, args in BENCHMARKS:
        if wanted and name not in wanted:
            continue
        if {"--instructions", "--what-if"} & set(args) and not shutil.which("valgrind"):
            print(f"== start-up {args[0]}: skipped (no valgrind: apt-get install valgrind)", flush=True)
            continue
        started = time.monotonic()
        done = subprocess.run([sys.executable, str(HERE / f"{name}.py"), *args], cwd=HERE.parent)
        print(f"   ({name} {' '.join(args[:2])}: {time.monotonic() - started:.0f} s)\n", flush=True)
        if done.returncode:
            failed.append(name)
    print(f"all benchmarks: {time.monotonic() - began:.0f} s" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
