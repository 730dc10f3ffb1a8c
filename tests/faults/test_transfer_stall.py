"""Fault suite, transfers: a registry that goes silent in the middle of a blob upload (after the
connection and the first bytes), or in the middle of a download, stops the transfer within the
inactivity bound and says which transfer stopped and who stopped answering; no bar is left
drawn as if still moving, and the step is not marked done. The bound is lowered for the tests
(DOCKER_TUTOR_TRANSFER_TIMEOUT); the registry is real, a loopback proxy goes silent in front of it."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.fixtures.fault_proxy import fault_proxy  # noqa: F401 - fixture
from tests.fixtures.transfers import docker_login, image_with_fresh_layer, learner_env, run_do, step_status
from tutor.docker_ops import Failed, LayerProgress, Succeeded, pull, push, rmi
from tutor.docker_ops.engine import TRANSFER_IDLE_ENV

pytestmark = pytest.mark.integration

BOUND = "3"


async def test_push_that_goes_silent_mid_upload_ends_within_the_bound_and_names_the_layer(
        registry_basic, docker_engine, offline_base, fault_proxy, tmp_path):
    proxy = fault_proxy(registry_basic.host)
    tag = uuid.uuid4().hex[:8]
    env = learner_env(tmp_path, docker_engine.host, **{TRANSFER_IDLE_ENV: BOUND})
    ref = f"{proxy.host}/{registry_basic.username}/poll-backend:{tag}"
    image_with_fresh_layer(docker_engine.client, offline_base, ref, tmp_path / "ctx", 8 << 20)
    docker_login(proxy.host, registry_basic.username, registry_basic.password, env)
    proxy.set("silent_after", after=1 << 20)  # requests pass; an upload stalls after its first MB

    ran = run_do("push", {"username": registry_basic.username, "registry": proxy.host, "tag": tag}, env, timeout=60)

    assert proxy.stalled.is_set(), "the proxy never went silent: the fault was not injected"
    assert ran.code == 1, ran.output
    assert "Traceback" not in ran.output
    failure = next(line for line in ran.lines if line.startswith("✘"))
    assert f"{proxy.host} stopped answering during the upload of layer " in failure, ran.output
    assert "no data for 3 seconds" in failure and "stopped the push" in failure
    assert "not uploaded again" in ran.output
    assert ran.seconds < 40
    # The bar drawn with \r was ended before the verdict, which starts a line of its own.
    assert "\r✘" not in ran.output and "█" not in failure
    assert step_status(env, "push") == "failed"
    # The first image's failure ends the step: the frontend was never pushed, nor marked.
    assert "poll-frontend" not in ran.output.split("✘", 1)[1]


async def test_a_stalled_push_leaves_no_bar_moving_in_the_action_pane(registry_basic, docker_engine, offline_base,
                                                                      fault_proxy, tmp_path, monkeypatch):
    """The same fault through the app's action pane: the layer that was moving shows Stopped."""
    from textual.app import App

    from tutor.docker_ops import credentials
    from tutor.widgets.action_pane import ActionPane
    from tutor.widgets.layer_bars import LayerRow

    monkeypatch.setenv(TRANSFER_IDLE_ENV, BOUND)
    proxy = fault_proxy(registry_basic.host)
    ref = f"{proxy.host}/{registry_basic.username}/fault-pane:{uuid.uuid4().hex[:8]}"
    image_with_fresh_layer(docker_engine.client, offline_base, ref, tmp_path / "ctx", 8 << 20)
    credentials.remember(proxy.host, registry_basic.username, registry_basic.password)
    proxy.set("silent_after", after=1 << 20)

    class Pane(App):
        def compose(self):
            yield ActionPane()

    app = Pane()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            pane = app.query_one(ActionPane)
            events = []
            async for event in push(ref):
                events.append(event)
                pane.show_event(event)
                await pilot.pause()
            await pilot.pause()
            assert isinstance(events[-1], Failed) and events[-1].hint.code == "transfer_stalled"
            assert any(isinstance(e, LayerProgress) and e.status == "pushing" for e in events)
            states = pane.query_one("LayerBars").layer_states
            assert "Stopped" in states.values(), states
            assert not {"Pushing", "Preparing", "Waiting"} & set(states.values()), states
            for row in app.query(LayerRow):
                assert row.query_one("ProgressBar").total is not None  # an indeterminate bar animates
            assert "stopped answering during the upload of layer" in pane.result_text
    finally:
        credentials.forget(proxy.host)


async def test_pull_that_stalls_mid_download_is_bounded_and_named(registry_basic, docker_engine, offline_base,
                                                                  fault_proxy, tmp_path, monkeypatch):
    monkeypatch.setenv(TRANSFER_IDLE_ENV, BOUND)
    proxy = fault_proxy(registry_basic.host)
    auth = registry_basic.auth_config()
    ref = f"{proxy.host}/{registry_basic.username}/fault-pull:{uuid.uuid4().hex[:8]}"
    image_with_fresh_layer(docker_engine.client, offline_base, ref, tmp_path / "ctx", 8 << 20)
    pushed = [e async for e in push(ref, auth)]
    assert isinstance(pushed[-1], Succeeded), pushed[-1]
    assert isinstance([e async for e in rmi(ref)][-1], Succeeded)
    proxy.set("stall_response", after=1 << 20)  # answers pass; a layer download stops after 1 MB

    started = time.monotonic()
    events = [e async for e in pull(ref, auth)]
    assert proxy.stalled.is_set()
    failure = events[-1]
    assert isinstance(failure, Failed), failure
    assert failure.hint.code == "transfer_stalled", failure.hint
    assert f"{proxy.host} stopped answering during the download of layer " in failure.hint.what
    assert "received" in failure.hint.what and "pull again" in failure.hint.next_step
    assert time.monotonic() - started < 30


async def test_a_slow_registry_is_not_mistaken_for_a_stalled_one(registry_basic, docker_engine, offline_base,
                                                                 fault_proxy, tmp_path, monkeypatch):
    """Progress that keeps moving, however slowly, never trips the bound: here the push takes
    longer than the bound, at 1.5 MB/s."""
    monkeypatch.setenv(TRANSFER_IDLE_ENV, BOUND)
    proxy = fault_proxy(registry_basic.host).set("throttle", rate=1.5e6)
    ref = f"{proxy.host}/{registry_basic.username}/fault-slow:{uuid.uuid4().hex[:8]}"
    image_with_fresh_layer(docker_engine.client, offline_base, ref, tmp_path / "ctx", 6 << 20)
    started = time.monotonic()
    events = [e async for e in push(ref, registry_basic.auth_config())]
    took = time.monotonic() - started
    assert isinstance(events[-1], Succeeded), events[-1]
    assert took > float(BOUND), f"the push took {took:.1f} s: too fast to prove anything"
    moving = [e.current for e in events if isinstance(e, LayerProgress) and e.status == "pushing" and e.current]
    assert len(set(moving)) > 3  # the bar moved on the way
