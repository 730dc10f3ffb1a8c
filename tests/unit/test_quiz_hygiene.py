"""The quiz's domain modules and its commands load without Textual or heavy libraries."""

from __future__ import annotations

import subprocess
import sys

import pytest

MODULES = ["tutor.quiz.text", "tutor.quiz.actors", "tutor.quiz.match", "tutor.quiz.grader", "tutor.quiz.session",
           "tutor.quiz.checklist", "tutor.quiz.classroom", "tutor.quiz.report",
           "tutor.commands.grade", "tutor.commands.report"]


@pytest.mark.parametrize("module", MODULES)
def test_no_textual_and_nothing_heavy(module):
    code = f"import sys, importlib; importlib.import_module({module!r}); print('\\n'.join(sys.modules))"
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    assert not [name for name in loaded if name == "textual" or name.startswith("textual.")]
    assert not {"docker", "asyncssh", "httpx"} & loaded
