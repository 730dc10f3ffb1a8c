"""Snapshots of the checklist in its longest state and of the host-key dialog, at 80x24 and 120x40.

Every state is on screen at once (passed, not yet with a long reason and hint, could not check, skipped,
checking…): the results are fed to the screen as the probe worker posts them, after the real checks
against loopback ports where nothing listens have finished, so the picture is the same on every machine.
"""

from __future__ import annotations

import pytest

from tests.ui.test_checklist_screen import LONG_FINGERPRINT, NOWHERE_NODE, open_checklist, unknown_key
from tutor.app import TutorApp

SIZES = [(80, 24), (120, 40)]
# A fixed, well-formed key line: trusting is not part of these pictures, but the result must offer it.
KEY_LINE = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHR1dG9yLXRlc3QtaG9zdC1rZXktMDAwMDAwMDAwMDAw"


@pytest.fixture
def app(open_session, monkeypatch, tmp_path) -> TutorApp:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return TutorApp(open_session(username="alice", registry="127.0.0.1:9", node=NOWHERE_NODE))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_checklist_every_state(snap_compare, app, size):
    async def before(pilot):
        await open_checklist(pilot)
        await pilot.press("down")  # the item with the long reason, hint and next step
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_checklist_host_key_dialog(snap_compare, app, size):
    async def before(pilot):
        await open_checklist(pilot, results=[unknown_key("node-can-pull", KEY_LINE, LONG_FINGERPRINT)])

    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_checklist_host_key_declined(snap_compare, app, size):
    async def before(pilot):
        await open_checklist(pilot, results=[unknown_key("node-can-pull", KEY_LINE, LONG_FINGERPRINT)])
        await pilot.press("enter")  # the dialog's default: not trusted, and the details say how to trust
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=before)
