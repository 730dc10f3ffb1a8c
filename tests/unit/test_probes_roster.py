"""Rosters (reading the class CSV, the shared Retry-After gate) and the check command's input checks."""

from __future__ import annotations

import json
import time

import pytest

from tutor import cli
from tutor.probes import roster


def write(tmp_path, text: str):
    path = tmp_path / "class.csv"
    path.write_text(text)
    return path


def test_read_roster_with_and_without_nodes(tmp_path):
    learners = roster.read_roster(write(tmp_path, "Username,Node\nalice01,ubuntu@1.2.3.4\n\nbobby02,\n"))
    assert [(one.username, one.node, one.line) for one in learners] == [("alice01", "ubuntu@1.2.3.4", 2),
                                                                ("bobby02", "", 4)]
    only = roster.read_roster(write(tmp_path, "\ufeffusername\ncarol03\n"))  # a BOM from a spreadsheet
    assert [one.username for one in only] == ["carol03"]


@pytest.mark.parametrize("text, words", [
    ("name,node\nalice01,\n", "username"),
    ("username\n", "no learners"),
    ("username\nAlice01\n", ":2: Docker Hub usernames are lowercase"),
    ("username\nalice01\nalice01\n", ":3: alice01 is listed twice"),
    ("username,node\nalice01,ubuntu@host:0\n", ":2: "),
])
def test_bad_rosters_name_the_line(tmp_path, text, words):
    with pytest.raises(roster.RosterError, match=words):
        roster.read_roster(write(tmp_path, text))


def test_missing_roster_file(tmp_path):
    with pytest.raises(roster.RosterError, match="no such roster file"):
        roster.read_roster(tmp_path / "nope.csv")


def test_usernames_follow_the_registrys_rules(tmp_path):
    path = write(tmp_path, "username\nab-c\n")
    with pytest.raises(roster.RosterError):
        roster.read_roster(path)  # Docker IDs have no '-'
    assert roster.read_roster(path, "127.0.0.1:5000")[0].username == "ab-c"


async def test_rate_gate_pauses_everyone_for_the_longest_wait():
    gate = roster.RateGate()
    await gate.wait()  # nothing held: no wait
    gate.hold(0.2)
    gate.hold(0.05)
    started = time.monotonic()
    await gate.wait()
    assert 0.15 <= time.monotonic() - started < 1.0
    assert gate.waits == 2
    gate.hold(10_000)
    assert gate.resume_at - time.monotonic() <= roster.MAX_WAIT


async def test_rate_gate_halves_on_a_429_once_per_pause_and_grows_back():
    import asyncio

    gate = roster.RateGate(ceiling=8)
    gate.slow_down(0.1)
    gate.slow_down(0.1)  # a second 429 from a request already out: the same pause, no second halving
    assert gate.limit == 4 and gate.lowest == 4 and gate.waits == 2
    in_flight, most = 0, 0

    async def request() -> None:
        nonlocal in_flight, most
        async with gate.slot():
            in_flight += 1
            most = max(most, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1
        gate.answered()

    started = time.monotonic()
    await asyncio.gather(*(request() for _ in range(40)))
    assert time.monotonic() - started >= 0.09  # nobody went before the pause ended
    assert most <= 8 and gate.limit == 8  # answers without 429 bring it back up to the ceiling, not past it
    gate.slow_down(None)  # no Retry-After: the default wait
    assert gate.resume_at - time.monotonic() == pytest.approx(roster.DEFAULT_WAIT, abs=0.1) and gate.limit == 4


# --- the command's input checks (nothing here reaches a network) ----------------------------------


def test_check_help_lists_the_flags(capsys):
    with pytest.raises(SystemExit):
        cli.main(["check", "--help"])
    out = capsys.readouterr().out
    for flag in ("--user", "--tag", "--registry", "--node", "--identity", "--known-hosts", "--json", "--config",
                 "--lesson", "--timeout", "--roster"):
        assert flag in out


@pytest.mark.parametrize("args, words", [
    (["--user", "Alice"], "--user: Docker Hub usernames are lowercase"),
    (["--user", "alice", "--node", "ubuntu@"], "--node:"),
    (["--user", "alice", "--timeout", "0"], "timeouts must be positive"),
    (["--user", "alice", "--item", "nope"], "no checklist item nope"),
    (["--user", "alice", "--lesson", "99"], "no lesson named '99'"),
    (["--user", "alice", "--registry", "http://ghcr.io"], "invalid registry host"),
    (["--user", "alice", "--tag", ":bad"], "invalid tag format"),
])
def test_bad_input_is_a_message_and_exit_2(capsys, args, words, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert cli.main(["check", *args]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_nothing_configured_skips_everything_honestly(capsys, tmp_path, monkeypatch):
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "HOME"):
        monkeypatch.setenv(var, str(tmp_path / var))
    assert cli.main(["check", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["username"] is None
    items = {item["item_id"]: item for item in report["items"]}
    assert {item["status"] for item in items.values()} == {"skipped"}
    assert "username (--user)" in items["images-on-hub"]["reason"]
    assert items["naming"]["reason"].startswith("Not answered yet")


def test_settings_file_gives_the_defaults(capsys, tmp_path, monkeypatch):
    from tutor import store

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    settings = tmp_path / "settings.toml"
    store.save_settings(store.Settings(username="alice", registry="127.0.0.1:1", tag="v7"), settings)
    assert cli.main(["check", "--config", str(settings), "--item", "images-on-hub", "--json", "--timeout", "2"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["username"], report["registry"], report["tag"]) == ("alice", "127.0.0.1:1", "v7")
    [item] = report["items"]
    assert item["outcome"] == "unreachable"
    assert set(item["evidence"]["images"]) == {"127.0.0.1:1/alice/poll-backend:v7", "127.0.0.1:1/alice/poll-frontend:v7"}
