"""Fault suite, the registry: a real docker-registry behind a loopback proxy that answers 500 or
429 (with Retry-After), or accepts connections and never answers. Each ends, in bounded time,
with the cause in words (never "the output above has the details") and the next step."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.fixtures.fault_proxy import fault_proxy  # noqa: F401 - fixture
from tests.fixtures.transfers import image_with_fresh_layer
from tutor.docker_ops import Failed, Succeeded, login, pull, push, rmi
from tutor.docker_ops.engine import TRANSFER_IDLE_ENV
from tutor.probes import registry as probe

pytestmark = pytest.mark.integration

GENERIC = "The output above has the details"


@pytest.fixture
def bounded(monkeypatch):
    monkeypatch.setenv(TRANSFER_IDLE_ENV, "3")


@pytest.fixture
def pushed(registry_basic, docker_engine, offline_base, fault_proxy, tmp_path):
    """An image on the registry, pushed through a proxy that passes everything; the local copy removed."""
    proxy = fault_proxy(registry_basic.host)
    ref = f"{proxy.host}/{registry_basic.username}/fault-reg:{uuid.uuid4().hex[:8]}"
    image_with_fresh_layer(docker_engine.client, offline_base, ref, tmp_path / "ctx", 1 << 20)
    return proxy, ref


def verdict(events):
    assert isinstance(events[-1], (Failed, Succeeded)), events[-1]
    return events[-1]


async def test_a_registry_answering_500_on_push_is_said_and_docker_is_not_left_retrying(
        registry_basic, pushed, monkeypatch):
    # A bound longer than docker's first back-off: the tutor hears docker retry and asks the registry itself.
    monkeypatch.setenv(TRANSFER_IDLE_ENV, "30")
    proxy, ref = pushed
    proxy.set("answer", status=500)
    started = time.monotonic()
    events = [e async for e in push(ref, registry_basic.auth_config())]
    failure = verdict(events)
    assert isinstance(failure, Failed)
    assert failure.hint.code == "registry_server_error", failure.hint
    assert f"{proxy.host} answered HTTP 500 Internal Server Error during the push" in failure.hint.what
    assert GENERIC not in str(failure.hint) and "docker kept retrying" in failure.hint.next_step
    assert proxy.requests > 1
    assert time.monotonic() - started < 40  # docker alone would retry for about a minute


async def test_a_registry_answering_500_on_pull_and_login_is_said(registry_basic, pushed, bounded):
    proxy, ref = pushed
    assert isinstance(verdict([e async for e in push(ref, registry_basic.auth_config())]), Succeeded)
    assert isinstance(verdict([e async for e in rmi(ref)]), Succeeded)
    proxy.set("answer", status=500)
    failure = verdict([e async for e in pull(ref, registry_basic.auth_config())])
    assert isinstance(failure, Failed) and failure.hint.code == "registry_server_error", failure.hint
    assert "HTTP 500 Internal Server Error during the pull" in failure.hint.what
    failure = verdict([e async for e in login(proxy.host, registry_basic.username, registry_basic.password)])
    assert isinstance(failure, Failed) and failure.hint.code == "registry_server_error", failure.hint
    assert "during the login" in failure.hint.what and GENERIC not in str(failure.hint)


async def test_a_429_with_retry_after_on_push_says_the_real_wait_in_bounded_time(registry_basic, pushed, bounded):
    proxy, ref = pushed
    proxy.set("answer", status=429, headers={"Retry-After": "2"},
              body={"errors": [{"code": "TOOMANYREQUESTS", "message": "You have reached your rate limit."}]})
    started = time.monotonic()
    failure = verdict([e async for e in push(ref, registry_basic.auth_config())])
    # Docker drops the Retry-After header: the tutor asked the registry for it.
    assert isinstance(failure, Failed) and failure.hint.code == "rate_limited_wait", failure.hint
    assert f"{proxy.host} is rate limiting you (HTTP 429) and asks to wait 2 seconds" in failure.hint.what
    assert "a few minutes" not in str(failure.hint) and "push again" in failure.hint.next_step
    assert time.monotonic() - started < 30


async def test_a_rate_limited_pull_says_the_registrys_own_wait(registry_basic, pushed, bounded):
    proxy, ref = pushed
    assert isinstance(verdict([e async for e in push(ref, registry_basic.auth_config())]), Succeeded)
    assert isinstance(verdict([e async for e in rmi(ref)]), Succeeded)
    proxy.set("answer", status=429, headers={"Retry-After": "2"},
              body={"errors": [{"code": "TOOMANYREQUESTS", "message": "You have reached your pull rate limit."}]})
    failure = verdict([e async for e in pull(ref, registry_basic.auth_config())])
    assert isinstance(failure, Failed) and failure.hint.code == "rate_limited_wait", failure.hint
    assert "asks to wait 2 seconds" in failure.hint.what and "pull again" in failure.hint.next_step
    # The checklist's probe reads the same header and says when to check again.
    checked = await probe.probe_image(ref, credentials=None, timeout=5)
    assert checked.outcome == "rate-limited" and checked.retry_after == 2
    assert "asks to wait 2 seconds" in checked.reason


async def test_a_registry_that_accepts_and_never_answers_bounds_push_and_login(registry_basic, pushed, bounded):
    proxy, ref = pushed
    proxy.set("blackhole")
    started = time.monotonic()
    failure = verdict([e async for e in push(ref, registry_basic.auth_config())])
    assert isinstance(failure, Failed) and failure.hint.code == "registry_no_answer", failure.hint
    assert f"{proxy.host} accepted the connection but did not answer" in failure.hint.what
    assert GENERIC not in str(failure.hint)
    failure = verdict([e async for e in login(proxy.host, registry_basic.username, registry_basic.password)])
    assert isinstance(failure, Failed) and failure.hint.code == "registry_no_answer", failure.hint
    assert "did not answer the login" in failure.hint.what and "nothing for 3 seconds" in failure.hint.what
    assert time.monotonic() - started < 40


async def test_a_pull_without_credentials_says_log_in_first(registry_basic, pushed, docker_config):
    proxy, ref = pushed
    assert isinstance(verdict([e async for e in push(ref, registry_basic.auth_config())]), Succeeded)
    assert isinstance(verdict([e async for e in rmi(ref)]), Succeeded)
    failure = verdict([e async for e in pull(ref)])  # a fresh DOCKER_CONFIG: nobody logged in
    assert isinstance(failure, Failed) and failure.hint.code == "pull_unauthenticated", failure.hint
    assert "no basic auth credentials" in failure.hint.what
    assert f"`docker login {proxy.host}`" in failure.hint.next_step


async def test_docker_retrying_a_layer_while_rate_limited_is_said_and_the_push_goes_on(
        registry_basic, docker_engine, offline_base, fault_proxy, tmp_path, monkeypatch):
    """Fault: the connection drops in the middle of a layer (docker says "Retrying in 5 seconds"),
    and the registry is rate limiting with Retry-After: 2 when the tutor asks it why. The learner is
    told the real wait and that docker retries by itself, instead of watching a silent countdown;
    the push then finishes."""
    from tutor.docker_ops.events import Notice

    monkeypatch.setenv(TRANSFER_IDLE_ENV, "30")  # longer than docker's first back-off
    proxy = fault_proxy(registry_basic.host)
    ref = f"{proxy.host}/{registry_basic.username}/fault-retry:{uuid.uuid4().hex[:8]}"
    image_with_fresh_layer(docker_engine.client, offline_base, ref, tmp_path / "ctx", 60 << 20)
    proxy.set("throttle", rate=10e6)
    events = []
    dropped = False
    async for event in push(ref, registry_basic.auth_config()):
        events.append(event)
        if not dropped and proxy.bytes_up > 20e6:
            # From now on the next request (the tutor's own question) is answered 429; docker's retry passes.
            proxy.set("answer", status=429, count=proxy.requests + 1, headers={"Retry-After": "2"},
                      body={"errors": [{"code": "TOOMANYREQUESTS", "message": "slow down"}]})
            proxy.drop()
            dropped = True
    assert dropped, "the push finished before the connection could be cut"
    notices = [e.text for e in events if isinstance(e, Notice)]
    assert any(f"{proxy.host} is rate limiting (HTTP 429) and asks to wait 2 seconds; docker retries by itself"
               in text for text in notices), notices
    assert isinstance(verdict(events), Succeeded), events[-1]
    assert proxy.requests >= 1
