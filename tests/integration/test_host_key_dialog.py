"""The host-key question in the app against the real sshd of tests/fixtures/node.py: the dialog shows the
fingerprint the node really offered with "Don't trust" focused; choosing Trust (the button, by mouse)
records exactly that key in the tutor's known_hosts and the node is checked again; a key that differs
from the recorded one is refused with its warning and never offered for trust."""

from __future__ import annotations

import subprocess

import pytest
from textual.widgets import Button

from tests.integration.test_checklist_trust import app, node  # noqa: F401 - fixtures: an unknown node, the app on it
from tests.ui.learner import screen_name, screen_text, stack_names, until
from tutor.probes.node import tutor_known_hosts

pytestmark = pytest.mark.integration

CHECK_SECONDS = 60  # an SSH login and k3s's answer on a busy machine


def _node_key(node) -> tuple[str, str]:
    """The node's host key (type, base64) as its own known_hosts file holds it."""
    return tuple(node.known_hosts.read_text().split()[1:3])


async def _open_checklist(pilot) -> None:
    await pilot.pause()
    await pilot.press("c")
    await until(pilot, lambda: "ChecklistScreen" in stack_names(pilot.app), "the checklist is open")


async def test_the_dialog_shows_the_fingerprint_and_the_trust_button_records_the_key(app, node):  # noqa: F811
    known_hosts = tutor_known_hosts()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await _open_checklist(pilot)
        await until(pilot, lambda: screen_name(app) == "HostKeyDialog", "the host-key question", CHECK_SECONDS)
        shown = screen_text(app)
        assert "Trust this host key?" in shown and node.host_key_fingerprint in shown
        assert f"{node.host} (port {node.port})" in shown
        assert str(app.focused.label) == "Don't trust"  # what enter alone would choose

        trust = next(b for b in app.screen.query(Button) if str(b.label).startswith("Trust"))
        assert not known_hosts.exists()
        await pilot.click(trust)
        await until(pilot, lambda: screen_name(app) == "ChecklistScreen", "the question is answered")
        assert known_hosts.read_text().split() == [f"[{node.host}]:{node.port}", *_node_key(node)]
        # (The toast's path is folded over its lines, among the checklist's: its start is enough.)
        await until(pilot, lambda: "Trusted; remembered in" in screen_text(app), "the screen says the key is kept")
        # Checked again, over SSH this time: no second question, and no word of an unknown key.
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen_name(app) == "ChecklistScreen"
        assert "does not know yet" not in screen_text(app) and "did not trust" not in screen_text(app)
        # Logged in this time: the pulls themselves fail (no registry), where before nothing could be checked.
        await until(pilot, lambda: "My EC2 instance can pull both images. failed" in screen_text(app),
                    "the node's row says its pulls failed", CHECK_SECONDS)


async def test_a_changed_host_key_is_refused_with_its_warning_and_never_offered_for_trust(app, node, tmp_path):  # noqa: F811
    other = tmp_path / "other_host_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    key_type, blob = other.with_suffix(".pub").read_text().split()[:2]
    known_hosts = tutor_known_hosts()  # the tutor's own file names another key for this node
    known_hosts.parent.mkdir(parents=True, exist_ok=True)
    recorded = f"[{node.host}]:{node.port} {key_type} {blob}\n"
    known_hosts.write_text(recorded)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await _open_checklist(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        for _ in range(len(app.session.lesson.checklist)):  # down the list to the node's item: its details
            if "▸ ! My EC2 instance" in screen_text(app):
                break
            await pilot.press("down")
            await pilot.pause()
        await until(pilot, lambda: "different host key" in screen_text(app), "the changed key's warning")
        shown = screen_text(app)
        assert "HostKeyDialog" not in stack_names(app)  # no question: a changed key is not the learner's to wave on
        assert "WARNING" in shown and node.host_key_fingerprint in shown.replace(" ", "")
        assert "the tutor will not connect" in shown
        assert "ssh-keygen -R" in shown  # what to do if the instance was really recreated
        assert "Trust host key" not in shown  # t is not offered in the footer ...
        await pilot.press("t")
        await pilot.pause(0.3)
        assert stack_names(app) == ["LessonScreen", "ChecklistScreen"]  # ... and does nothing
    assert known_hosts.read_text() == recorded
