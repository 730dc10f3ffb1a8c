"""A roster against a real token registry that rate limits (tests/fixtures/rate_limit_proxy.py):
everyone pauses for a Retry-After, fewer requests go out at once after a 429, and the roster
gives up (and says so, per learner) only when its total time bound is reached."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import threading
import time

import pytest

from tests.fixtures.registry import Registry
from tests.integration.test_probes_support import RegistryWriter
from tutor import cli
from tutor.lesson import get_lesson
from tutor.probes.roster import Learner, RosterCheck
from tutor.probes.runner import Timeouts

pytestmark = pytest.mark.integration

TAG = "tutor-test-rl"


@pytest.fixture(autouse=True)
def no_logins(tmp_path, monkeypatch) -> None:
    (tmp_path / "docker").mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.fixture(scope="module")
def learners(registry_token: Registry) -> list[str]:
    """Eight learners with both of the lesson's images pushed (over the registry's API) and public."""
    writer = RegistryWriter(registry_token)
    names = [f"tutor-test-rl{n}" for n in range(8)]
    try:
        layer_tar = io.BytesIO()
        with tarfile.open(fileobj=layer_tar, mode="w") as tar:
            body = b"rate limited roster\n"
            info = tarfile.TarInfo("srv/note.txt")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
        layer = gzip.compress(layer_tar.getvalue(), mtime=0)
        config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                             "rootfs": {"type": "layers", "diff_ids": []}}).encode()
        for name in names:
            for context in ("backend", "frontend"):
                repo = f"{name}/poll-{context}"
                writer.put_manifest(repo, TAG, {
                    "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                    "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                               "size": len(config), "digest": writer.upload(repo, config)},
                    "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                                "size": len(layer), "digest": writer.upload(repo, layer)}]})
                registry_token.set_public(repo)
    finally:
        writer.close()
    return names


def arrivals(proxy) -> list[tuple[float, bool]]:
    """(when, answered 429) for every request the proxy sees from now on."""
    seen: list[tuple[float, bool]] = []
    decide, lock = proxy._should_limit, threading.Lock()

    def timed() -> bool:
        limited = decide()
        with lock:
            seen.append((time.monotonic(), limited))
        return limited

    proxy._should_limit = timed
    return seen


def test_a_window_limit_slows_the_roster_down_and_every_learner_is_checked(capsys, tmp_path, registry_token,
                                                                          learners, rate_limit_proxy):
    proxy = rate_limit_proxy(registry_token)
    proxy.limit_rate(8, 1.0, retry_after=1)  # 8 learners need 32 requests: several windows
    seen = arrivals(proxy)
    roster = tmp_path / "class.csv"
    roster.write_text("username\n" + "\n".join(learners) + "\n")
    started = time.monotonic()
    code = cli.main(["check", "--roster", str(roster), "--registry", proxy.host, "--tag", TAG, "--json"])
    took = time.monotonic() - started
    report = json.loads(capsys.readouterr().out)
    assert [row["username"] for row in report["rows"]] == learners
    for row in report["rows"]:
        items = {item["item_id"]: item for item in row["items"]}
        assert items["images-on-hub"]["outcome"] == "public" and items["private-repo"]["status"] == "passed", row
        assert all(item["outcome"] != "rate-limited" and "gave up" not in item["reason"] for item in row["items"])
    assert code == 0
    assert proxy.limited >= 1 and report["rate_limit_waits"] >= 1  # the limit was really reached
    # Honoured: after a 429 nothing new reaches the registry until its second has passed (requests
    # already on their way may still arrive just after it).
    first = next(at for at, limited in seen if limited)
    assert not [at for at, _ in seen if first + 0.4 < at < first + 0.9], seen
    assert took >= 1.0
    # And it slowed down instead of retrying into the limit: most requests were answered.
    assert proxy.limited < proxy.requests / 2, (proxy.limited, proxy.requests)


async def test_a_limit_that_outlasts_the_bound_is_given_up_and_said_per_learner(registry_token, learners,
                                                                              rate_limit_proxy):
    proxy = rate_limit_proxy(registry_token)
    proxy.limit_next(10_000, retry_after=1)  # never lifts
    lesson = get_lesson("04")
    roster = RosterCheck(lesson, {"registry": proxy.host, "tag": TAG}, Timeouts(request=5), parallel=4, bound=2.5)
    started = time.monotonic()
    rows = await roster.check_all([Learner(name) for name in learners[:3]])
    took = time.monotonic() - started
    assert took < 2.5 + 2.0, took  # bounded: the last pause that fits, and one more try
    for row in rows:
        limited = [item for item in row.items if item.outcome == "rate-limited"]
        assert limited and row.status == "error", row
        assert all("The roster gave up on this item after" in item.reason for item in limited)
        assert row.retries >= 1  # it did wait and ask again before giving up
    # Every pause was waited out: about one round of requests per second, not a stream.
    assert proxy.requests <= 12 * (2.5 + 1), proxy.requests


@pytest.mark.parametrize("fresh, tokens", [(20.0, 1), (0.0, 8)])
async def test_the_challenge_is_met_once_and_a_group_of_learners_shares_one_token(registry_token, learners,
                                                                                 rate_limit_proxy, monkeypatch,
                                                                                 fresh, tokens):
    from tutor.probes import roster as roster_module

    # fresh=0: every group's tokens count as too old to hand on, so each learner asks its own.
    monkeypatch.setattr(roster_module, "TOKEN_FRESH", fresh)
    proxy = rate_limit_proxy(registry_token)
    before = registry_token.issuer.issued
    roster = RosterCheck(get_lesson("04"), {"registry": proxy.host, "tag": TAG}, Timeouts(request=5), parallel=8)
    rows = await roster.check_all([Learner(name) for name in learners])
    assert [row.status for row in rows] == ["passed"] * len(learners)
    # One anonymous GET /v2/ before anyone (answered 401 with the challenge), then each learner's
    # two HEADs, each carrying a token already: no learner met the challenge itself.
    assert proxy.seen[0] == ("GET", "/v2/") and proxy.requests == 1 + 2 * len(learners), proxy.seen
    assert sorted(path for _, path in proxy.seen[1:]) == sorted(
        f"/v2/{name}/poll-{context}/manifests/{TAG}" for name in learners for context in ("backend", "frontend"))
    assert registry_token.issuer.issued - before == tokens
