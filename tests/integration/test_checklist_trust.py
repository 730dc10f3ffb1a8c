"""The checklist's trust flow in the app against a real sshd whose host key the tutor has never seen:
the check finds the unknown key and asks; enter (the default) trusts nothing and the screen says how to
trust; t and then y remember the key, and the node is checked again for real over SSH."""

from __future__ import annotations

import pytest

from tests.fixtures.node import Node
from tutor.app import TutorApp
from tutor.probes.node import tutor_known_hosts
from tutor.screens.checklist import ChecklistScreen
from tutor.screens.dialogs import HostKeyDialog
from tutor.session import Session
from tutor.store import NodeSettings, Settings, save_settings

pytestmark = pytest.mark.integration

NODE_ITEM = "node-can-pull"


async def _settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _screen_text(app) -> str:
    return " ".join(" ".join(strip.text for strip in app.screen._compositor.render_strips()).split())


@pytest.fixture
def node(ssh_node: Node):
    ssh_node.reset()
    yield ssh_node
    ssh_node.reset()


@pytest.fixture
def app(tmp_path, monkeypatch, node) -> TutorApp:
    # An empty ~ (no ~/.ssh/known_hosts) and tutor config folder: the node's key is unknown here.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    settings = Settings(username="learner", registry="127.0.0.1:9", project_dir="~/poll-app",
                        node=NodeSettings(host=node.host, port=node.port, user=node.user,
                                          identity=str(node.key_path)))
    save_settings(settings, tmp_path / "settings.toml")
    (tmp_path / "state").mkdir()
    return TutorApp(Session.open(config=tmp_path / "settings.toml", state_dir=tmp_path / "state"))


async def test_enter_never_trusts_then_t_and_y_trust_and_the_node_is_checked(app, node):
    known_hosts = tutor_known_hosts()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await _settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, HostKeyDialog), _screen_text(app)
        assert dialog.fingerprint == node.host_key_fingerprint  # the key sshd really offered
        assert node.host_key_fingerprint in _screen_text(app)
        checklist = next(s for s in app.screen_stack if isinstance(s, ChecklistScreen))
        assert checklist.results[NODE_ITEM].outcome == "unknown-host-key"

        await pilot.press("enter")
        await _settle(pilot)
        assert app.screen is checklist
        assert not known_hosts.exists()
        assert checklist.results[NODE_ITEM].outcome == "unknown-host-key"
        shown = _screen_text(app)
        assert "You did not trust this key: nothing was saved and the node was not checked." in shown
        assert "press t" in shown and "press y or choose Trust" in shown

        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, HostKeyDialog)
        await pilot.press("y")
        await _settle(pilot)
        assert app.screen is checklist  # no second question: the key is known now
        assert f"[{node.host}]:{node.port} ssh-ed25519 " in known_hosts.read_text()
        result = checklist.results[NODE_ITEM]
        assert result.outcome != "unknown-host-key", result.reason
        # Logged in over SSH this time: the node's own k3s answered (the pulls then fail: no registry).
        assert result.evidence["node"]["k3s"].startswith("k3s version"), result.evidence
        assert "did not trust" not in _screen_text(app)

        await pilot.press("a")
        await _settle(pilot)
        assert app.screen is checklist
        assert checklist.results[NODE_ITEM].outcome != "unknown-host-key"
