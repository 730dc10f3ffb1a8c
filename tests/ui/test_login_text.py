"""The login dialog's advice is the chosen registry's: Docker Hub's token page only for Docker Hub."""

from __future__ import annotations

import pytest

from tutor.app import TutorApp
from tutor.screens.login import LoginDialog


async def open_login(app, pilot) -> str:
    """Press r on the login step and return the advice the dialog shows, as drawn on screen."""
    await pilot.pause()
    app.screen.goto("step", "login")
    await pilot.press("r")
    await pilot.pause()
    assert isinstance(app.screen, LoginDialog)
    help_widget = app.screen.query_one("#token-help")
    # What is drawn, line by line, so text cut off by the dialog would be missing here.
    lines = ["".join(segment.text for segment in strip) for strip in help_widget.render_lines(help_widget.region.reset_offset)]
    screen = app.screen.region
    assert screen.contains_region(help_widget.region), "the advice must fit on the screen"
    return " ".join(" ".join(lines).split())


@pytest.fixture
def app_for(open_session, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")  # nothing here needs an engine
    return lambda registry: TutorApp(open_session(username="alice", registry=registry))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_docker_hub_gets_docker_hubs_token_advice(app_for, size):
    app = app_for("docker.io")
    async with app.run_test(size=size) as pilot:
        shown = await open_login(app, pilot)
        assert app.screen.query_one("#secret").placeholder == "password or access token"
    assert "hub.docker.com → Account Settings → Security" in shown
    assert "two-factor" in shown and "paste it here as the password" in shown


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_plain_registry_gets_no_docker_hub_advice(app_for, size):
    app = app_for("127.0.0.1:5000")
    async with app.run_test(size=size) as pilot:
        shown = await open_login(app, pilot)
        title = str(app.screen.query_one(".dialog-title").content)
        placeholder = app.screen.query_one("#secret").placeholder
    assert placeholder == "password"  # such a registry has no access tokens to speak of
    assert "Docker Hub" not in shown and "hub.docker.com" not in shown
    assert "the registry at 127.0.0.1:5000" in shown and "htpasswd" in shown
    assert title == "docker login 127.0.0.1:5000 as alice"


@pytest.mark.parametrize("registry, advice", [
    ("ghcr.io", "write:packages scope"),
    ("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "aws ecr get-login-password --region eu-west-1"),
])
async def test_other_registries_get_their_own_token_advice(app_for, registry, advice):
    app = app_for(registry)
    async with app.run_test(size=(80, 24)) as pilot:
        shown = await open_login(app, pilot)
    assert "Docker Hub" not in shown and advice in shown


async def test_a_registry_that_looks_like_markup_is_shown_as_written(app_for):
    # An IPv6 host in brackets would be a style tag if the advice were read as markup.
    app = app_for("[::1]:5000")
    async with app.run_test(size=(80, 24)) as pilot:
        shown = await open_login(app, pilot)
    assert "the registry at [::1]:5000" in shown
