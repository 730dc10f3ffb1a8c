"""`docker-tutor serve`: the real command, its real textual-serve server on a loopback port, and
the tutor it starts for a browser's websocket; and the rule that only loopback is served without
--public."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures.services import free_port
from tests.ui.conftest import write_settings

pytestmark = pytest.mark.integration

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def _tutor(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tutor", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, **kwargs)


@pytest.fixture
def served(tmp_path):
    """`docker-tutor serve --port N` for a learner with settings; yields the base URL."""
    settings = write_settings(tmp_path, username="alice", registry="127.0.0.1:9")
    port = free_port()
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "DOCKER_HOST": "unix:///nonexistent.sock"}
    proc = _tutor("serve", "--port", str(port), "--config", str(settings), env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        import httpx

        for _ in range(200):
            try:
                if httpx.get(f"{url}/", timeout=1).status_code:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.1)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


async def _screen_text(url: str, seconds: float = 60, **headers) -> str:
    """Connect as the page would and gather what the tutor draws, escape sequences taken out."""
    import aiohttp

    seen = ""
    ws_url = url.replace("http://", "ws://") + "/ws?width=80&height=24"
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url, headers=headers) as ws:
        async with asyncio.timeout(seconds):
            async for message in ws:
                if message.type == aiohttp.WSMsgType.BINARY:
                    seen += ANSI.sub("", message.data.decode("utf-8", "replace"))
                    if "Your task" in seen and "Push your images to a registry" in seen:
                        break
    return seen


async def test_serve_answers_on_loopback_and_its_page_starts_the_tutor(served):
    import httpx

    async with httpx.AsyncClient() as client:
        page = await client.get(f"{served}/")
        assert page.status_code == 200
        # The page's websocket goes back to where the browser came from.
        assert f'{served.replace("http://", "ws://")}/ws' in page.text
        assert "textual.js" in page.text
        script = await client.get(f"{served}/static/js/textual.js")
        assert script.status_code == 200 and script.content
    drawn = await _screen_text(served)
    assert "docker-tutor" in drawn and "Your task" in drawn  # the lesson screen, in a tutor of its own


async def test_serve_refuses_other_sites_pages_and_other_host_names(served):
    import aiohttp
    import httpx

    async with httpx.AsyncClient() as client:
        rebound = await client.get(f"{served}/", headers={"Host": "attacker.example"})
        assert rebound.status_code == 403
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await _screen_text(served, seconds=10, Origin="http://attacker.example")
    assert refused.value.status == 403
    # The tutor's own page (same origin) is served.
    assert "Your task" in await _screen_text(served, Origin=served)


def test_serve_refuses_a_non_loopback_host_without_public():
    done = subprocess.run([sys.executable, "-m", "tutor", "serve", "--host", "0.0.0.0", "--port", "1"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "not a loopback address" in done.stderr and "--public" in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_with_public_warns_before_it_listens():
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: the warning comes, then listening fails
    # cleanly, and no port is ever opened beyond loopback.
    done = subprocess.run([sys.executable, "-m", "tutor", "serve", "--host", "192.0.2.1", "--public",
                           "--port", str(free_port())], capture_output=True, text=True, timeout=60)
    assert "anyone on that network can open the tutor and drive it" in done.stderr
    assert "Docker engine" in done.stderr
    assert done.returncode == 1 and "cannot listen on 192.0.2.1" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "::1", "localhost"])
def test_loopback_hosts_need_no_public(host):
    from tutor.commands.serve import is_loopback

    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "192.168.1.20", "myhost", "127.0.0.1.nip.io"])
def test_other_hosts_need_public(host):
    from tutor.commands.serve import is_loopback

    assert not is_loopback(host)


def test_the_served_command_is_quoted_for_the_shell(tmp_path):
    import argparse
    import shlex

    from tutor.commands.serve import app_command

    odd = tmp_path / "my settings; rm -rf ~.toml"
    args = argparse.Namespace(demo=True, lesson=None, config=str(odd), lessons=["a b"])
    command = app_command(args)
    assert shlex.split(command) == [sys.executable, "-m", "tutor", "demo", "--config", str(odd), "--lessons", "a b"]
    assert Path(sys.executable).exists()


def test_serve_says_where_only_once_it_listens_and_its_page_needs_no_internet(tmp_path):
    import httpx

    settings = write_settings(tmp_path, username="alice", registry="127.0.0.1:9")
    port = free_port()
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "DOCKER_HOST": "unix:///nonexistent.sock"}
    proc = _tutor("serve", "--port", str(port), "--config", str(settings), env=env)
    try:
        said = proc.stdout.readline()  # blocks until the line comes: by then the port must answer
        assert said.startswith(f"Open http://127.0.0.1:{port}/ in a browser"), said
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert page.status_code == 200
        # Every address the page loads is this server's own: no web fonts from the internet.
        loaded = re.findall(r'(?:href|src)="([^"]+)"|url\("([^"]+)"\)', page.text)
        urls = [a or b for a, b in loaded]
        assert urls and all(u.startswith(f"http://127.0.0.1:{port}/") for u in urls), urls
        assert "googleapis" not in page.text
        font = next(u for u in urls if u.endswith(".ttf"))
        assert httpx.get(font, timeout=10).status_code == 200
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert "Serving" not in out and "Traceback" not in err


def test_serve_on_a_taken_port_says_only_that(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "tutor", "serve", "--port", str(port)], capture_output=True,
                              text=True, timeout=60)
    assert done.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Open http" not in done.stdout and "Serving" not in done.stdout and "Traceback" not in done.stderr
