"""The fixed cost of a push through the tutor: what a plain-terminal command costs before and after
the engine has anything to push, against the docker CLI's own, in one run.

Programs, each a fresh process, alternated, medians compared with `docker version` (the docker CLI
starting, asking the engine once, leaving):

- `docker push` of an image that is not there: the CLI asks the engine and fails;
- python -c pass: the interpreter alone (its start and tear-down), the floor of any Python command;
- `docker-tutor --version`: the interpreter and the tutor's command line;
- `docker-tutor do push` of images that are not there: everything `do push` does except the pushes
  themselves (the lesson and settings read, the engine asked for its version, the images and the
  list of local images, the hint said, the step's state saved).

With --instructions, the Python programs are also counted under valgrind (the Go CLI cannot be).

    DOCKER_HOST=unix:///tmp/dev-engine/docker.sock .venv/bin/python benchmarks/push_fixed.py [--runs 9] [--instructions]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import uuid

from common import Unavailable, alternate, child_env, compile_tutor, docker_host, header, isolated_home, report

BASE = "docker version"


def programs(tag: str) -> dict[str, tuple[list[str], int]]:
    """name -> (command, the exit code it must end with)."""
    tutor = [sys.executable, "-m", "tutor"]
    return {
        BASE: (["docker", "version"], 0),
        "docker push, no such image": (["docker", "push", f"127.0.0.1:1/learner/poll-backend:{tag}"], 1),
        "python -c pass": ([sys.executable, "-c", "pass"], 0),
        "docker-tutor --version": ([*tutor, "--version"], 0),
        "docker-tutor do push, no such images": ([*tutor, "do", "push", "--var", "username=learner", "--var",
                                                  "registry=127.0.0.1:1", "--var", f"tag={tag}"], 1),
    }


def timed(command: list[str], code: int, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    took = time.perf_counter() - started
    if done.returncode != code:
        raise RuntimeError(f"{' '.join(command)} ended with {done.returncode}:\n{done.stdout}{done.stderr}")
    return took


def instructions(command: list[str], env: dict[str, str]) -> int:
    done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                           *command], env=env, capture_output=True, text=True, timeout=600)
    line = next((line for line in done.stderr.splitlines() if "I   refs:" in line or "I refs:" in line), "")
    if not line:
        raise RuntimeError(f"valgrind gave no count:\n{done.stderr[-2000:]}")
    return int(line.rsplit(":", 1)[1].replace(",", "").strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--instructions", action="store_true", help="also count the Python programs' instructions")
    args = parser.parse_args()
    header("push, fixed cost: the tutor's command around a push against the docker CLI's")
    try:
        docker_host()
    except Unavailable as why:
        print(f"  skipped: {why}")
        return 0
    if shutil.which("docker") is None:
        print("  skipped: no docker CLI")
        return 0
    compile_tutor()
    env = child_env({**os.environ, **isolated_home("learner")})
    found = programs(f"tutor-test-missing-{uuid.uuid4().hex[:8]}")
    results = alternate({name: (lambda command=command, code=code: timed(command, code, env))
                         for name, (command, code) in found.items()}, args.runs)
    report(results, BASE)
    print(f"  medians of {args.runs} alternating runs each")
    if args.instructions:
        if shutil.which("valgrind") is None:
            print("  instructions: skipped (no valgrind)")
            return 0
        floor = instructions(found["python -c pass"][0], env)
        for name, (command, _) in found.items():
            if command[0] == sys.executable:
                count = instructions(command, env)
                print(f"  {name:44} {count / 1e6:8.0f} M instructions  {count / floor:5.2f}x python -c pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
