"""Domain and service modules never import Textual; start-up never imports heavy libraries."""

from __future__ import annotations

import subprocess
import sys

import pytest

DOMAIN_MODULES = ["tutor.store", "tutor.paths", "tutor.cli"]
OPTIONAL_DOMAIN = ["tutor.reference", "tutor.hints", "tutor.lesson", "tutor.docker_ops", "tutor.probes", "tutor.quiz"]
HEAVY = ["docker", "asyncssh", "httpx"]


def _loaded_after(module: str) -> set[str]:
    code = f"import sys, importlib; importlib.import_module({module!r}); print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def _present(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


@pytest.mark.parametrize("module", DOMAIN_MODULES + OPTIONAL_DOMAIN)
def test_domain_code_does_not_import_textual_or_heavy_libraries(module):
    if not _present(module):
        pytest.skip(f"{module} not written yet")
    loaded = _loaded_after(module)
    assert not any(name == "textual" or name.startswith("textual.") for name in loaded)
    assert not [name for name in HEAVY if name in loaded]


def test_cli_parser_build_imports_nothing_heavy():
    code = "import sys; from tutor.cli import build_parser; build_parser(); print('\\n'.join(sys.modules))"
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    assert not [name for name in HEAVY + ["textual", "markdown_it"] if name in loaded]
