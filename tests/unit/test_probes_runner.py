"""The runner without registries or nodes: skipped inputs, quiz answers, combining, hints, results."""

from __future__ import annotations

import asyncio
import time

import pytest

from tutor import hints, store
from tutor.lesson import parse_lesson
from tutor.probes import node
from tutor.probes.results import CheckResult, ImageResult, overall_exit_code
from tutor.probes.runner import CheckContext, Runner, Timeouts, worst

LESSON = """+++
id = "tutor-test-runner"
title = "Runner"
order = 99

[variables]
username = ""
tag = "v1"
registry = "docker.io"
+++

## Quiz

### Which tag for {username}? {#which-tag}

- [x] v1
- [ ] latest
  Why: it moves.

#### Explanation

Because.

## Checklist

- [ ] I picked a tag, {username}. {#picked question=which-tag}
- [ ] It is on the registry. {#on-registry probe=registry-images repository=app}
- [ ] The node pulls it. {#node probe=node-pull repositories=app,web}
- [ ] It is here. {#here probe=local-images repository=app}
- [ ] Public, and I know why. {#both probe=repo-visibility repository=app question=which-tag}
"""


@pytest.fixture
def lesson():
    parsed = parse_lesson(LESSON)
    assert not parsed.problems
    return parsed


def runner(lesson, progress=None, **values) -> Runner:
    return Runner(lesson, CheckContext(lesson.values(values), progress=progress))


async def test_items_without_their_inputs_are_skipped_with_why(lesson):
    results = {r.item_id: r for r in await runner(lesson).run_all()}
    assert {r.status for r in results.values()} == {"skipped"}
    assert "username (--user)" in results["on-registry"].reason
    assert "username (--user)" in results["node"].reason
    assert results["picked"].reason.startswith("Not answered yet")
    assert overall_exit_code(list(results.values())) == 0  # nothing ran, nothing failed


async def test_node_item_is_skipped_without_a_node(lesson):
    plan = {r.item_id: r for r in runner(lesson, username="alice").plan()}
    assert plan["node"].status == "skipped" and "No node is configured" in plan["node"].reason
    assert plan["on-registry"].status == "running" and plan["on-registry"].reason == "Checking…"
    target = node.NodeTarget("1.2.3.4")
    withnode = Runner(lesson, CheckContext(lesson.values({"username": "alice"}), node=target))
    assert {r.item_id: r.status for r in withnode.plan()}["node"] == "running"


@pytest.mark.parametrize("verdict, status, outcome", [
    ("correct", "passed", "answered-correctly"),
    ("partly", "failed", "answered-partly"),
    ("incorrect", "failed", "answered-incorrect"),
])
async def test_quiz_linked_items_read_the_last_attempt(lesson, verdict, status, outcome):
    progress = store.Progress(lesson.id)
    progress.add_attempt("which-tag", "latest", "incorrect", 0.0)
    progress.add_attempt("which-tag", "v1", verdict, 1.0)
    result = await runner(lesson, progress, username="alice").run_item("picked")
    assert (result.status, result.outcome) == (status, outcome)
    assert result.evidence["verdict"] == verdict
    assert "Which tag for alice?" in result.reason  # variables filled in
    assert result.text == "I picked a tag, alice."


async def test_quiz_prompts_in_reasons_fall_back_to_the_lessons_defaults():
    """A context holding only some values (the roster passes registry and tag) still fills every variable."""
    lesson = parse_lesson(LESSON.replace("### Which tag for {username}?", "### Which tag for {username}: {tag}?"))
    result = await Runner(lesson, CheckContext({"username": "bob"}, progress=store.Progress(lesson.id))
                          ).run_item("picked")
    assert "Which tag for bob: v1?" in result.reason and "{" not in result.reason
    assert result.text == "I picked a tag, bob."


async def test_a_probe_and_a_question_must_both_pass(lesson, monkeypatch):
    # No registry here: an address nobody listens on makes the probe's part an error.
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    progress = store.Progress(lesson.id)
    progress.add_attempt("which-tag", "v1", "correct", 1.0)
    result = await runner(lesson, progress, username="alice", registry=f"127.0.0.1:{port}").run_item("both")
    assert result.kind == "repo-visibility+quiz"
    assert result.status == "error" and result.outcome == "unreachable"
    assert set(result.evidence) == {"repo-visibility", "quiz"}
    assert "answered" in result.reason and f"127.0.0.1:{port} refused the connection" in result.reason


async def test_local_images_when_the_engine_is_not_there(lesson, monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")
    result = await runner(lesson, username="alice").run_item("here")
    assert (result.status, result.outcome) == ("error", "engine-unreachable")
    assert result.hint.code == "engine_unreachable"


async def test_run_item_refuses_an_unknown_item(lesson):
    with pytest.raises(KeyError):
        await runner(lesson).run_item("nope")


def test_timeouts_bound_each_kind():
    timeouts = Timeouts(request=2, local=3, pull=7)
    assert timeouts.bound("node-pull") > 2 + 7
    assert timeouts.bound("local-images") == 8
    assert timeouts.bound("registry-images") == timeouts.bound("repo-visibility") == 13


def test_worst_and_exit_codes():
    assert worst(["passed", "skipped"]) == "skipped"
    assert worst(["passed", "error", "failed"]) == "failed"
    assert worst([]) == "skipped"
    make = lambda status: CheckResult("x", status, "", "")  # noqa: E731
    assert overall_exit_code([make("passed"), make("skipped")]) == 0
    assert overall_exit_code([make("passed"), make("error")]) == 1
    assert overall_exit_code([make("failed")]) == 1


def test_results_serialise_to_plain_json():
    import json

    hint = hints.hint("registry_missing_tag", ref="alice/app:v1", registry_label="Docker Hub")
    image = ImageResult("alice/app:v1", "missing-tag", False, "gone", hint, {"anonymous_status": 404})
    result = CheckResult("on-registry", "failed", "missing-tag", "gone", hint, {"images": {}}, images=[image])
    data = json.loads(json.dumps(result.to_dict()))
    assert data["hint"]["code"] == "registry_missing_tag"
    assert data["images"][0]["evidence"] == {"anonymous_status": 404}
    assert image.status == "failed"
    assert ImageResult("a", "rate-limited", False, "wait").status == "error"


# --- hints for probes (tutor/hints/) -----------------------------------------------------------------


@pytest.mark.parametrize("message, code", [
    ("sudo: a password is required", "node_sudo_password"),
    ("sudo: a terminal is required to read the password", "node_sudo_password"),
    ("alice is not in the sudoers file.  This incident will be reported.", "node_sudo_not_allowed"),
    ("sudo: k3s: command not found", "node_k3s_missing"),
    ('pulling image: rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/alice/app:v1": '
     'failed to resolve reference "docker.io/alice/app:v1": pull access denied, repository does not exist or may '
     "require authorization: server message: insufficient_scope: authorization failed", "node_needs_credentials"),
    ('pulling image: rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/alice/app:v9": '
     'failed to resolve reference "docker.io/alice/app:v9": docker.io/alice/app:v9: not found', "node_missing_tag"),
    ('pulling image: ... no match for platform in manifest sha256:abc: not found', "node_arch_mismatch"),
    ("pulling image: ... 429 Too Many Requests - Server message: toomanyrequests", "rate_limited"),
    ('pulling image: ... dial tcp: lookup registry-1.docker.io: no such host', "node_registry_unreachable"),
    ("pulling image: something nobody has seen", "node_pull_failed"),
])
def test_node_messages_map_to_hints(message, code):
    assert hints.classify_node_message(message) == code
    made = hints.from_node_pull(message, ref="alice/app:v1")
    assert made.code == code and "{" not in made.what + made.next_step


def test_ssh_errors_map_to_hints():
    import asyncssh

    cases = [
        (asyncssh.HostKeyNotVerifiable("Host key is not trusted"), "node_unknown_host_key"),
        (asyncssh.PermissionDenied("Permission denied"), "node_login_failed"),
        (asyncssh.KeyImportError("Passphrase must be specified"), "node_identity_unreadable"),
        (FileNotFoundError(2, "No such file", "key.pem"), "node_identity_unreadable"),
        (TimeoutError(), "node_timeout"),
        (ConnectionRefusedError(111, "Connect call failed"), "node_unreachable"),
        (OSError("Name or service not known"), "node_unreachable"),
    ]
    for error, code in cases:
        assert hints.classify_ssh_error(error) == code
        assert hints.from_ssh_error(error, node="ubuntu@1.2.3.4").code == code


def test_registry_outcomes_map_to_hints():
    assert hints.from_registry("public") is None
    waited = hints.from_registry("rate-limited", retry_after=12.4, registry_label="Docker Hub")
    assert waited.code == "registry_rate_limited" and "12 seconds" in waited.what
    private = hints.from_registry("private", ref="alice/app:v1")
    assert "registries.yaml" in private.next_step and "imagePullSecret" in private.next_step
    for outcome in ("missing-tag", "missing-or-private", "stale", "credentials-rejected", "unreachable", "error"):
        made = hints.from_registry(outcome, ref="alice/app:v1", registry="docker.io", registry_label="Docker Hub",
                                   username="alice", detail="boom")
        assert made is not None and "{" not in made.what + made.next_step


async def test_a_probe_that_hangs_is_an_error_within_its_bound_and_a_cancel_still_cancels(lesson, monkeypatch):
    started = asyncio.Event()

    async def hang(self, item, probe):
        started.set()
        await asyncio.sleep(3600)

    monkeypatch.setattr(Runner, "probe", hang)
    monkeypatch.setattr(Timeouts, "bound", lambda self, kind: 0.2)
    checks = runner(lesson, username="alice")
    item = lesson.checklist_item("on-registry")
    began = time.monotonic()
    result = await checks.evaluate(item)
    assert (result.status, result.outcome) == ("error", "timeout")
    assert time.monotonic() - began < 2
    started.clear()
    task = asyncio.create_task(checks.evaluate(item))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_a_registry_that_cannot_be_reached_is_said_once_for_all_its_images(lesson):
    from tutor.probes.runner import _summarise

    said = "127.0.0.1:9 refused the connection: no registry is listening at that address."
    images = [ImageResult(f"127.0.0.1:9/alice/{name}:v1", "unreachable", False, said) for name in ("app", "web")]
    result = _summarise(lesson.checklist_item("on-registry"), "registry-images", images, "on 127.0.0.1:9")
    assert result.reason == (f"{said} So 127.0.0.1:9/alice/app:v1 and 127.0.0.1:9/alice/web:v1 could not be checked.")
    missing = [ImageResult(f"alice/{name}:v1", "missing-tag", False, f"no alice/{name}:v1.") for name in ("app", "web")]
    assert _summarise(lesson.checklist_item("on-registry"), "registry-images", missing, "on Docker Hub").reason == (
        "no alice/app:v1. The same goes for alice/web:v1.")
