"""The runner and `docker-tutor check` end to end: real engine, token registry, SSH node, rosters."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.fixtures.node import Node
from tests.fixtures.registry import Registry
from tests.integration.test_probes_support import RegistryWriter, build, push, remove_local, tag_local
from tutor import cli, store
from tutor.lesson import get_lesson, load_lesson
from tutor.probes.runner import CheckContext, Runner, Timeouts

pytestmark = pytest.mark.integration

TAG = "tutor-test-v1"  # the harness removes local images whose name holds "tutor-test"
QUIZ_LINKS = {"naming": "explain-naming", "versioned-tags": "latest-in-k8s", "private-repo": "private-repo"}


@pytest.fixture(autouse=True)
def own_dirs(tmp_path, monkeypatch) -> None:
    """Empty ~ (no ~/.ssh), tutor config (settings, known_hosts), state (progress) and docker config."""
    for var, sub in (("HOME", "home"), ("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"),
                     ("DOCKER_CONFIG", "docker")):
        (tmp_path / sub).mkdir()
        monkeypatch.setenv(var, str(tmp_path / sub))


@pytest.fixture(scope="module")
def pushed(docker_engine, offline_base, registry_token) -> dict[str, str]:
    """The lesson's two images built, tagged for the token registry as learner, pushed, made public,
    and kept locally (as after the lesson's push step)."""
    refs = {}
    for context in ("backend", "frontend"):
        refs[context] = tag_local(docker_engine, build(docker_engine, context),
                                  registry_token.ref(f"learner/poll-{context}", TAG))
        push(docker_engine, registry_token, refs[context])
        registry_token.set_public(f"learner/poll-{context}")
    yield refs
    remove_local(docker_engine, *refs.values())


def node_args(node: Node) -> list[str]:
    return ["--node", f"{node.user}@{node.host}:{node.port}", "--identity", str(node.key_path),
            "--known-hosts", str(node.known_hosts)]


def answer_quiz(verdict: str = "correct") -> None:
    lesson = get_lesson("04")
    progress_store = store.ProgressStore()
    progress = progress_store.load(lesson.id).value
    for question in QUIZ_LINKS.values():
        progress.add_attempt(question, "an answer", verdict, 1.0 if verdict == "correct" else 0.0)
    progress_store.save(progress)


def check(capsys, *args: str) -> tuple[int, str]:
    code = cli.main(["check", *args])
    return code, capsys.readouterr().out


def test_check_json_on_a_fully_pushed_setup_passes_every_item(capsys, ssh_node, registry_token, pushed):
    ssh_node.reset()
    answer_quiz("correct")
    code, out = check(capsys, "--user", "learner", "--registry", registry_token.host, "--tag", TAG,
                      *node_args(ssh_node), "--json")
    report = json.loads(out)
    statuses = {item["item_id"]: item["status"] for item in report["items"]}
    assert statuses == dict.fromkeys(["naming", "versioned-tags", "images-on-hub", "node-can-pull", "private-repo"],
                                     "passed"), json.dumps(report, indent=1)[:3000]
    assert code == 0 and report["passed"] is True
    items = {item["item_id"]: item for item in report["items"]}
    hub = items["images-on-hub"]["evidence"]["images"]
    assert {image["local"] for image in hub.values()} == {"same (pushed from this image)"}
    pulled = items["node-can-pull"]["evidence"]["images"]
    assert {image["outcome"] for image in pulled.values()} == {"pulled"}
    # The results are saved for the app and the report.
    saved = store.ProgressStore().load(get_lesson("04").id).value.checklist
    assert {item: entry["status"] for item, entry in saved.items()} == statuses
    ssh_node.reset()


def test_check_without_quiz_answers_or_node_skips_honestly(capsys, registry_token, pushed):
    code, out = check(capsys, "--user", "learner", "--registry", registry_token.host, "--tag", TAG)
    assert code == 0  # every item that ran passed
    assert re.search(r"^  passed +images-on-hub: ", out, re.MULTILINE)
    assert re.search(r"^  skipped +node-can-pull: ", out, re.MULTILINE)
    assert re.search(r"^  not answered +naming: ", out, re.MULTILINE)  # the app's word too, not "skipped"
    assert "No node is configured" in out and "Not answered yet" in out


def test_check_fails_with_a_hint_when_an_image_is_missing(capsys, registry_token, pushed):
    answer_quiz("partly")
    code, out = check(capsys, "--user", "learner", "--registry", registry_token.host, "--tag", "tutor-test-v404",
                      "--item", "images-on-hub", "--item", "naming", "--json")
    items = {item["item_id"]: item for item in json.loads(out)["items"]}
    assert code == 1
    assert (items["images-on-hub"]["status"], items["images-on-hub"]["outcome"]) == ("failed", "missing-tag")
    assert items["images-on-hub"]["hint"]["code"] == "registry_missing_tag"
    assert (items["naming"]["status"], items["naming"]["outcome"]) == ("failed", "answered-partly")


def test_check_rejects_bad_input_without_a_traceback(capsys):
    assert cli.main(["check", "--user", "Not Valid"]) == 2
    assert cli.main(["check", "--user", "learner", "--node", "ubuntu@host:99999"]) == 2
    assert cli.main(["check", "--user", "learner", "--item", "no-such-item"]) == 2
    assert cli.main(["check", "--roster", "/nonexistent/class.csv"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("error:") == 4


def test_trust_host_key_option_records_only_the_matching_key(capsys, ssh_node, registry_token, pushed):
    args = ["--user", "learner", "--registry", registry_token.host, "--tag", TAG, "--item", "node-can-pull",
            "--node", f"{ssh_node.user}@{ssh_node.host}:{ssh_node.port}", "--identity", str(ssh_node.key_path)]
    code, out = check(capsys, *args, "--json")
    [item] = json.loads(out)["items"]
    assert (code, item["outcome"], item["status"]) == (1, "unknown-host-key", "error")
    assert ssh_node.host_key_fingerprint in item["reason"]
    assert item["evidence"]["fingerprint"] == ssh_node.host_key_fingerprint  # where the app looks for it
    assert (item["evidence"]["known_hosts_host"], item["evidence"]["known_hosts_port"]) == ("127.0.0.1", ssh_node.port)
    assert item["evidence"]["public_key"].startswith("ssh-ed25519 ")
    assert check(capsys, *args, "--trust-host-key", "SHA256:not-the-one")[0] == 2
    code, out = check(capsys, *args, "--trust-host-key", ssh_node.host_key_fingerprint, "--json")
    assert code == 0 and json.loads(out)["items"][0]["status"] == "passed"
    ssh_node.reset()


def _lesson(tmp_path: Path, items: list[str]) -> Path:
    path = tmp_path / "tutor-test-lesson.md"
    path.write_text('+++\nid = "tutor-test-probes"\ntitle = "Probes"\norder = 99\n\n[variables]\n'
                    'username = ""\ntag = "v1"\nregistry = "docker.io"\n+++\n\n## Checklist\n\n'
                    + "\n".join(items) + "\n")
    return path


async def test_five_probes_of_a_second_each_run_together(tmp_path, registry_token, pushed, rate_limit_proxy):
    proxy = rate_limit_proxy(registry_token)
    proxy.delay = 0.5  # each probe makes two registry requests (challenge, then with a token): about 1 s
    items = [f"- [ ] item {n} {{#item-{n} probe=registry-images repository=poll-backend}}" for n in range(5)]
    lesson = load_lesson(_lesson(tmp_path, items))
    runner = Runner(lesson, CheckContext(lesson.values({"username": "learner", "registry": proxy.host, "tag": TAG}),
                                         compare_local=False, timeouts=Timeouts(request=5)))
    started = time.monotonic()
    arrived = []
    async for result in runner.run():
        arrived.append(time.monotonic() - started)
        assert result.status == "passed" and result.outcome == "public"
        assert result.duration >= 0.9  # each one really took about a second
    total = time.monotonic() - started
    assert len(arrived) == 5 and total < 1.6, (arrived, total)


async def test_per_probe_timeout_bounds_a_slow_probe_and_the_others_still_finish(tmp_path, registry_token, pushed,
                                                                                   rate_limit_proxy):
    slow = rate_limit_proxy(registry_token)
    slow.delay = 3.0
    lesson = load_lesson(_lesson(tmp_path, [
        f"- [ ] slow {{#slow probe=registry-images registry={slow.host} repository=poll-backend}}",
        f"- [ ] fast {{#fast probe=registry-images registry={registry_token.host} repository=poll-frontend}}",
    ]))
    runner = Runner(lesson, CheckContext(lesson.values({"username": "learner", "tag": TAG}), compare_local=False,
                                         timeouts=Timeouts(request=1.0)))
    started = time.monotonic()
    order = [r async for r in runner.run()]
    assert [r.item_id for r in order] == ["fast", "slow"]
    assert order[0].status == "passed"
    assert order[1].status == "error" and order[1].outcome in ("unreachable", "timeout")
    assert time.monotonic() - started < Timeouts(request=1.0).bound("registry-images") + 1
    again = await runner.run_item("fast")  # one item re-run on its own
    assert again.status == "passed"


# --- a class at once ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def classroom(registry_token: Registry, pushed) -> dict[str, str]:
    """50 learners: 30 with both images public, 10 private, 10 with only the backend pushed."""
    expected = {}
    copies = []
    for number in range(1, 51):
        name = f"tutor-test-s{number:02d}"
        contexts = ("backend",) if number > 40 else ("backend", "frontend")
        copies += [(f"learner/poll-{context}", f"{name}/poll-{context}") for context in contexts]
        if number <= 30 or number > 40:
            registry_token.set_public(f"{name}/poll-backend")
            registry_token.set_public(f"{name}/poll-frontend")  # public, but never pushed above 40
        expected[name] = "passed" if number <= 30 else "missing-or-private" if number <= 40 else "missing-tag"
    writer = RegistryWriter(registry_token)
    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda pair: writer.copy(pair[0], TAG, pair[1]), copies))
    finally:
        writer.close()
    return expected


def test_roster_of_fifty_learners_honours_retry_after(capsys, tmp_path, registry_token, classroom,
                                                      rate_limit_proxy):
    proxy = rate_limit_proxy(registry_token)
    proxy.limit_next(3, retry_after=1)
    roster = tmp_path / "class.csv"
    roster.write_text("username,node\n" + "".join(f"{name},\n" for name in classroom))
    started = time.monotonic()
    code, out = check(capsys, "--roster", str(roster), "--registry", proxy.host, "--tag", TAG, "--json")
    took = time.monotonic() - started
    report = json.loads(out)
    rows = {row["username"]: row for row in report["rows"]}
    assert list(rows) == list(classroom) and report["learners"] == 50
    for name, expected in classroom.items():
        row = rows[name]
        items = {item["item_id"]: item for item in row["items"]}
        if expected == "passed":
            assert row["status"] == "passed", row
            assert items["images-on-hub"]["outcome"] == "public" and items["private-repo"]["status"] == "passed"
        else:
            assert row["status"] == "failed", row
            assert items["images-on-hub"]["outcome"] == expected
        assert items["node-can-pull"]["status"] == "skipped" and items["naming"]["status"] == "skipped"
        assert all(item["outcome"] != "rate-limited" for item in row["items"])
    assert code == 1  # 20 learners are not done
    assert proxy.limited == 3 and report["rate_limit_waits"] >= 1
    assert took >= 1.0  # the Retry-After of one second was waited out


def test_roster_csv_output(capsys, tmp_path, registry_token, classroom):
    roster = tmp_path / "class.csv"
    names = list(classroom)[28:32]  # two who passed, two with private repositories
    roster.write_text("username\n" + "\n".join(names) + "\n")
    code, out = check(capsys, "--roster", str(roster), "--registry", registry_token.host, "--tag", TAG,
                      "--parallel", "2")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["username"] for r in rows] == names
    assert [r["status"] for r in rows] == ["passed", "passed", "failed", "failed"]
    assert rows[2]["images-on-hub"] == "failed" and "images-on-hub:" in rows[2]["reason"]
    assert code == 1


async def test_roster_learners_are_checked_a_few_at_a_time(registry_token, classroom, rate_limit_proxy):
    from tutor.probes.roster import Learner, RosterCheck

    proxy = rate_limit_proxy(registry_token)
    proxy.delay = 0.2
    lesson = get_lesson("04")
    roster = RosterCheck(lesson, {"registry": proxy.host, "tag": TAG}, Timeouts(request=5), parallel=2)
    learners = [Learner(name) for name in list(classroom)[:6]]
    started = time.monotonic()
    rows = await roster.check_all(learners)
    took = time.monotonic() - started
    assert [r.status for r in rows] == ["passed"] * 6
    # Each learner needs at least one answer delayed 0.2 s (the roster now shares requests and
    # remembers the registry's challenge, so often only one): two at a time means at least three
    # rounds of it, 0.6 s, where all six at once would take one or two.
    assert took >= 0.55, took
