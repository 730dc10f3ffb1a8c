"""Pushing through the tutor against the docker CLI, the same images to a fresh registry, in one run.

The lesson's push step sends poll-backend and poll-frontend. Three ways of doing it are timed:

- docker push (baseline): the docker CLI, the step's two commands one after the other;
- docker-tutor do push: the plain-terminal command, interpreter start-up included;
- the app's push: the lesson screen at the push step, from the key r arriving to the step done
  (the app itself is already open, as when a learner presses r); and the same with
  following the terminal off (DOCKER_TUTOR_FOLLOW=0), whose engine events it also reacts to.

Each sample gets a registry of its own (docker-registry on loopback, htpasswd, started fresh
and logged in to before the clock starts), so no layer is already there unless the case says
so. Cases: the small test images; the backend with an extra 100 MB layer of random bytes
(incompressible, so 100 MB really travel); and a re-push after a one-line change of the
backend's app file (the 100 MB image pushed first, untimed; then the changed one is timed,
where only the changed layer should travel). Images are built FROM the offline busybox base
on the engine in DOCKER_HOST; nothing is pulled.

    DOCKER_HOST=unix:///tmp/dev-engine/docker.sock .venv/bin/python benchmarks/push.py [--runs 3] [--cases small,...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import (
    ROOT, Unavailable, alternate, basic_registry, child_env, compile_tutor, engine, header, isolated_home, report,
)

TAG = "tutor-test-bench"  # the test harness's clean-up recognises the prefix on a shared engine
LOCAL = "tutor-test/bench-push"
APP_FILE = "app.txt"
APP, QUIET = "the app's push (r)", "the app's push, following off"
CASES = ("small", "100 MB layer", "re-push after a one-line change")


def build_images(found, folder: Path) -> dict[str, dict[str, str]]:
    """Local image ids per case: {"small": {"backend": id, "frontend": id}, "100 MB layer": ..., "changed": ...}."""
    contexts = ROOT / "tests" / "contexts"

    def build(path: Path, name: str) -> str:
        image, _ = found.client.images.build(path=str(path), tag=f"{LOCAL}-{name}:{TAG}", rm=True)
        return image.id

    def big(version: str) -> Path:
        path = folder / f"big-{version}"
        shutil.copytree(contexts / "backend", path)
        blob = folder / "blob"
        if not blob.exists():  # the same 100 MB in both versions: only the app file differs
            blob.write_bytes(os.urandom(100 * 1024 * 1024))
        os.link(blob, path / "blob")
        (path / APP_FILE).write_text("".join(f"line {n}\n" for n in range(50)) + f"version {version}\n")
        dockerfile = (path / "Dockerfile").read_text().replace("WORKDIR /app", "WORKDIR /app\nCOPY blob /data/blob")
        (path / "Dockerfile").write_text(dockerfile + f"COPY {APP_FILE} /app/{APP_FILE}\n")
        return path

    frontend = build(contexts / "frontend", "frontend")
    return {
        "small": {"backend": build(contexts / "backend", "backend"), "frontend": frontend},
        "100 MB layer": {"backend": build(big("1"), "big"), "frontend": frontend},
        "changed": {"backend": build(big("2"), "big-changed"), "frontend": frontend},
    }


class Pusher:
    """One sample of one way of pushing, for one case, against a registry of its own."""

    def __init__(self, found, images: dict[str, dict[str, str]], home: dict[str, str]) -> None:
        self.engine, self.images, self.home = found, images, home

    def refs(self, host: str) -> dict[str, str]:
        return {name: f"{host}/learner/poll-{name}:{TAG}" for name in ("backend", "frontend")}

    def tag(self, case: str, host: str) -> dict[str, str]:
        refs = self.refs(host)
        for name, ref in refs.items():
            repository, _, tag = ref.rpartition(":")
            self.engine.client.images.get(self.images[case][name]).tag(repository, tag)
        return refs

    def untag(self, refs: dict[str, str]) -> None:
        for ref in refs.values():
            try:
                self.engine.client.images.remove(ref)
            except Exception:  # noqa: BLE001 - already gone
                pass

    def sample(self, case: str, how: str) -> float:
        with basic_registry() as registry, tempfile.TemporaryDirectory(prefix="dt-bench-docker-") as config:
            env = child_env({**os.environ, **self.home, "DOCKER_CONFIG": config})
            login = subprocess.run(["docker", "login", "--username", registry.username, "--password-stdin",
                                    registry.host], input=registry.password, env=env, capture_output=True, text=True)
            if login.returncode:
                raise Unavailable(f"docker login to the benchmark registry failed: {login.stderr.strip()}")
            refs = {}
            try:
                if case == "re-push after a one-line change":
                    refs = self.tag("100 MB layer", registry.host)
                    self.cli(refs, env)  # what the registry already holds: the image before the change
                    refs = self.tag("changed", registry.host)
                else:
                    refs = self.tag(case, registry.host)
                if how == QUIET:
                    env["DOCKER_TUTOR_FOLLOW"] = "0"
                return {"docker push": self.cli, "docker-tutor do push": self.do, APP: self.app,
                        QUIET: self.app}[how](refs, env, registry.host)
            finally:
                self.untag(refs)

    @staticmethod
    def cli(refs: dict[str, str], env: dict[str, str], host: str = "") -> float:
        started = time.perf_counter()
        for ref in refs.values():
            subprocess.run(["docker", "push", "--quiet", ref], env=env, check=True, capture_output=True)
        return time.perf_counter() - started

    @staticmethod
    def do(refs: dict[str, str], env: dict[str, str], host: str) -> float:
        command = [sys.executable, "-m", "tutor", "do", "push", "--var", "username=learner", "--var",
                   f"registry={host}", "--var", f"tag={TAG}"]
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        took = time.perf_counter() - started
        if done.returncode:
            raise RuntimeError(f"do push failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        return took

    @staticmethod
    def app(refs: dict[str, str], env: dict[str, str], host: str) -> float:
        saved = dict(os.environ)
        os.environ.update(env)
        settings = Path(env["XDG_CONFIG_HOME"]) / "docker-tutor" / "settings.toml"
        settings.write_text(f'username = "learner"\nregistry = "{host}"\ntag = "{TAG}"\n')
        try:
            return asyncio.run(_app_push())
        finally:
            os.environ.clear()
            os.environ.update(saved)


async def _app_push() -> float:
    from textual import events

    from tutor.app import TutorApp
    from tutor.session import Session

    app = TutorApp(Session.open())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.goto("step", "push")
        await pilot.pause()
        step = app.session.lesson.step("push")
        # The key as a terminal's driver delivers it: Pilot's press would also wait for the process
        # to go idle (up to a second per wait), which is the harness's time, not the learner's.
        key = events.Key("r", "r")
        key.set_sender(app)
        started = time.perf_counter()
        app._driver.send_message(key)
        while not screen.running():  # the key not taken in yet (the step may be done from a sample before)
            if time.perf_counter() - started > 30:
                raise RuntimeError("the app did not start the push step after r")
            await asyncio.sleep(0.001)
        while screen.running() or app.session.step_state(step) not in ("done", "failed"):
            await asyncio.sleep(0.005)
        took = time.perf_counter() - started
        if app.session.step_state(step) != "done":
            raise RuntimeError(f"the app's push failed: {app.session.step_record(step)}")
        return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", default=",".join(CASES), help=f"some of: {', '.join(CASES)}")
    args = parser.parse_args()
    cases = [case for case in CASES if case in args.cases.split(",")]
    header("push: the tutor against docker push, same images, fresh registry each sample")
    compile_tutor()  # every way reads compiled modules, none compiles them per sample
    try:
        found = engine()
    except Unavailable as why:
        print(f"  skipped: {why}")
        return 0
    settings_home = isolated_home("learner")  # the do command's and the app's folders, lesson cache warm
    with tempfile.TemporaryDirectory(prefix="dt-bench-push-") as folder:
        images = build_images(found, Path(folder))
        pusher = Pusher(found, images, settings_home)
        try:
            for case in cases:
                print(f"  {case}:")
                ways = ("docker push", "docker-tutor do push", APP, QUIET)
                results = alternate({how: (lambda how=how, case=case: pusher.sample(case, how)) for how in ways}, args.runs,
                                    warm=case == cases[0])
                report(results, "docker push", {way: "<= 1.03x" for way in ways[1:]})
        finally:
            for name in ("backend", "frontend", "big", "big-changed"):
                try:
                    found.client.images.remove(f"{LOCAL}-{name}:{TAG}", force=True)
                except Exception:  # noqa: BLE001 - already gone
                    pass
    print(f"  medians of {args.runs} alternating runs each; every sample against a registry started for it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
