"""Domain and service modules never import Textual; start-up never imports heavy libraries."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

# Every domain/service module, named one by one so that a new module is a deliberate addition here.
DOMAIN_MODULES = [
    "tutor.store", "tutor.atomic_files", "tutor.progress", "tutor.pictures",
    "tutor.paths", "tutor.cli", "tutor.reference", "tutor.image_rules", "tutor.docker_ops.docker_config",
    "tutor.session", "tutor.progress_merge", "tutor.runbook", "tutor.secret",
    "tutor.lesson", "tutor.lesson.blocks", "tutor.lesson.cache", "tutor.lesson.compose", "tutor.lesson.errors",
    "tutor.lesson.export", "tutor.lesson.shipped",
    "tutor.lesson.frontmatter", "tutor.lesson.kinds", "tutor.lesson.lint", "tutor.lesson.loader",
    "tutor.lesson.model", "tutor.lesson.parser", "tutor.lesson.rubric_text",
    "tutor.lesson.registries", "tutor.lesson.variables",
    "tutor.docker_ops", "tutor.docker_ops.action", "tutor.docker_ops.batching", "tutor.docker_ops.build",
    "tutor.docker_ops.commandline", "tutor.docker_ops.credentials", "tutor.docker_ops.engine",
    "tutor.docker_ops.engine_api",
    "tutor.docker_ops.events", "tutor.docker_ops.humanize", "tutor.docker_ops.images", "tutor.docker_ops.layers",
    "tutor.docker_ops.login", "tutor.docker_ops.pull", "tutor.docker_ops.push", "tutor.docker_ops.recording",
    "tutor.docker_ops.run", "tutor.docker_ops.cleanup", "tutor.demo",
    "tutor.probes", "tutor.probes.local", "tutor.probes.node", "tutor.probes.registry", "tutor.probes.results",
    "tutor.probes.doctor", "tutor.probes.roster", "tutor.probes.runner", "tutor.probes.registry_auth",
    "tutor.probes.registry_http", "tutor.probes.node_target", "tutor.probes.node_pull", "tutor.probes.ssh",
    "tutor.probes.doctor_setup", "tutor.probes.doctor_registry", "tutor.probes.dockerfile",
    "tutor.quiz", "tutor.quiz.checklist", "tutor.quiz.classroom", "tutor.quiz.grader", "tutor.quiz.match",
    "tutor.quiz.actors", "tutor.quiz.report", "tutor.quiz.report_markdown", "tutor.quiz.roles", "tutor.quiz.claims",
    "tutor.quiz.hedges", "tutor.quiz.lemmas", "tutor.quiz.session", "tutor.quiz.text",
    "tutor.follow", "tutor.follow_names", "tutor.docker_ops.follow",
    "tutor.hints", "tutor.hints.catalogue", "tutor.hints.docker", "tutor.hints.doctor", "tutor.hints.follow",
    "tutor.hints.node", "tutor.hints.practice", "tutor.hints.registry",
]
# The full-screen app may load Textual, but not the heavy libraries before an action runs.
APP_MODULES = ["tutor.app", "tutor.screens.lesson"]
HEAVY = ["docker", "asyncssh", "httpx"]

_SCRIPT = "import sys, json, importlib; importlib.import_module(sys.argv[1]); print(json.dumps(sorted(sys.modules)))"


def _modules_after_importing(module: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", _SCRIPT, module], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"importing {module} failed:\n{done.stderr}"
    return set(json.loads(done.stdout))


@pytest.fixture(scope="module")
def loaded() -> dict[str, set[str]]:
    """What each module loads when imported alone, each in a fresh interpreter (a few side by side)."""
    from concurrent.futures import ThreadPoolExecutor

    modules = DOMAIN_MODULES + APP_MODULES
    with ThreadPoolExecutor(max_workers=6) as pool:
        return dict(zip(modules, pool.map(_modules_after_importing, modules)))


@pytest.mark.parametrize("module", DOMAIN_MODULES)
def test_domain_code_does_not_import_textual_or_heavy_libraries(loaded, module):
    names = loaded[module]
    assert module in names
    assert not [name for name in names if name == "textual" or name.startswith("textual.")]
    assert not [name for name in HEAVY if name in names]


@pytest.mark.parametrize("module", APP_MODULES)
def test_the_app_and_its_lesson_screen_load_no_heavy_library(loaded, module):
    names = loaded[module]
    assert "textual" in names  # the import really happened: the check below means something
    assert not [name for name in HEAVY if name in names]


def test_every_domain_module_is_listed():
    """A new module under a domain package must be added above (and so checked)."""
    from pathlib import Path

    import tutor

    root = Path(tutor.__file__).parent
    on_disk = {f"tutor.{p.parent.name}.{p.stem}" if p.stem != "__init__" else f"tutor.{p.parent.name}"
               for package in ("lesson", "docker_ops", "probes", "quiz", "hints") for p in (root / package).glob("*.py")}
    assert on_disk <= set(DOMAIN_MODULES), sorted(on_disk - set(DOMAIN_MODULES))


def test_cli_parser_build_imports_nothing_heavy():
    code = "import sys; from tutor.cli import build_parser; build_parser(); print('\\n'.join(sys.modules))"
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    assert not [name for name in HEAVY + ["textual", "markdown_it"] if name in loaded]


def test_showing_the_lessons_commands_loads_no_docker_machinery():
    code = ("import sys; from tutor.lesson import get_lesson; lesson = get_lesson('04'); "
            "values = lesson.values({'username': 'alice'}); "
            "print(sum(1 for a in lesson.actions() if a.command(values))); "
            "print(' '.join(m for m in sys.modules if m.startswith('tutor.docker_ops') or m in ('docker', 'asyncio')))")
    # The command lines come from tutor.docker_ops.commandline, pure string work; the package
    # itself loads its actions only when one is asked for.
    pure = {"tutor.docker_ops", "tutor.docker_ops.commandline"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert int(out[0]) > 5, "the lesson's commands were rendered"
    assert set(out[1].split()) <= pure


_FIRST_FRAME = """
import json, sys
from tutor.app import TutorApp
from tutor.session import Session
class FirstFrame(TutorApp):
    def on_ready(self):
        print(json.dumps(sorted(sys.modules)))
        self.exit()
FirstFrame(Session.open()).run(headless=True, size=(100, 30))
"""


def test_first_screen_loads_no_parser_and_no_heavy_library(tmp_path):
    """With the lesson cached, the first frame needs neither markdown-it nor the lesson parser."""
    settings = tmp_path / "config" / "docker-tutor" / "settings.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text('username = "alice"\n')
    env = {**os.environ, **{f"XDG_{kind}_HOME": str(tmp_path / kind.lower()) for kind in ("CONFIG", "STATE", "CACHE")}}
    runs = [subprocess.run([sys.executable, "-c", _FIRST_FRAME], capture_output=True, text=True, env=env, timeout=120)
            for _ in range(2)]
    assert all(run.returncode == 0 for run in runs), runs[-1].stderr
    cold, warm = (set(json.loads(run.stdout.strip().splitlines()[-1])) for run in runs)
    assert "tutor.lesson.parser" in cold and "tutor.lesson.parser" not in warm  # the cache was used
    assert "tutor.screens.lesson" in warm
    assert not [name for name in HEAVY + ["markdown_it", "tutor.lesson.parser"] if name in warm]


def test_version_answers_without_building_any_commands_parser():
    """`docker-tutor --version` prints the version without loading a command's module (each one's
    parser costs an import)."""
    code = ("import sys, contextlib, io\nfrom tutor.cli import main\nout = io.StringIO()\n"
            "with contextlib.redirect_stdout(out):\n    try:\n        main(['--version'])\n"
            "    except SystemExit as exc:\n        code = exc.code\n"
            "print(code, out.getvalue().strip())\n"
            "print(' '.join(m for m in sys.modules if m.startswith('tutor.commands')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    from tutor import __version__

    assert out[0] == f"0 docker-tutor {__version__}"
    assert out[1].split() == []
