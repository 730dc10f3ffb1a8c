"""The checklist screen at 80x24 (Pilot): every item's text, state word and the selected item's whole
reason, hint and next step can be read; markup is shown literally and `code` without backticks; the
host-key dialog never trusts a key on enter and the screen then says how to trust it.

Results are fed to the screen as the probe worker would post them, so every state is on screen at once
and the same on every machine; settings point at loopback ports where nothing listens.
"""

from __future__ import annotations

import hashlib
import base64
from dataclasses import replace

import pytest
from textual.containers import VerticalScroll
from textual.widgets import OptionList

from tutor.app import TutorApp
from tutor.hints import FailureHint
from tutor.messages import CheckDone
from tutor.probes.results import CheckResult
from tutor.screens.checklist import STATE_WIDTH, STATUS_WORDS, ChecklistScreen
from tutor.screens.dialogs import HostKeyDialog
from tutor.store import NodeSettings

NOWHERE_NODE = NodeSettings(host="127.0.0.1", port=9, user="ubuntu")  # nothing listens on port 9
LONG_REASON = ("Not answered yet: the [bold]quiz[/bold] question “Why are versioned tags better than `latest`?” "
               "has no answer from you, so this item cannot be ticked from what the tutor can see.")
LONG_HINT = FailureHint(
    "test_not_answered",
    what="The checklist reads your latest quiz answer for this item; an unanswered question counts as not yet.",
    next_step="Press z to open the quiz, answer the question in your own words (mention what `latest` points at "
              "and what a pod restarted tomorrow would pull), then come back here and press r to check it again.",
)
# ssh-keygen -E sha512 prints fingerprints this long: more than one line of the dialog.
LONG_FINGERPRINT = "SHA512:" + base64.b64encode(hashlib.sha512(b"tutor test host key").digest()).decode().rstrip("=")


def every_state(screen: ChecklistScreen) -> list[CheckResult]:
    """One result per checklist item, one item in each state (the second has the long reason and hint)."""
    ids = [item.id for item in screen.session.lesson.checklist]
    assert len(ids) >= 5, ids
    return [
        CheckResult(ids[0], "passed", "answered-correctly", "Answered correctly in the quiz."),
        CheckResult(ids[1], "failed", "answered-unanswered", LONG_REASON, LONG_HINT),
        CheckResult(ids[2], "error", "unreachable", "The tutor could not reach 127.0.0.1:9 (connection refused).",
                    FailureHint("registry_unreachable", "Nothing answered at 127.0.0.1:9.",
                         "Check the registry's name in the settings (s), then press r.")),
        CheckResult(ids[3], "skipped", "missing-input",
                    "No EC2 node is set: add its host, user and key in the settings (s)."),
        CheckResult(ids[4], "running", "running", "Checking…"),
    ]


def unknown_key(item_id: str, key_line: str, fingerprint: str = LONG_FINGERPRINT) -> CheckResult:
    """What the node probe reports for a host key the tutor has not seen (see probes/node.py)."""
    return CheckResult(item_id, "error", "unknown-host-key",
                       f"ubuntu@127.0.0.1:9 presented a host key the tutor does not know yet ({fingerprint}); "
                       "trust it after checking the fingerprint.",
                       evidence={"known_hosts_host": "127.0.0.1", "known_hosts_port": 9, "fingerprint": fingerprint,
                                 "key_type": "ssh-ed25519", "public_key": key_line})


def screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def squash(text: str) -> str:
    return " ".join(text.split())


def row_texts(app) -> str:
    """The item-text column of the list, lines joined: what a learner reads as the items."""
    items = app.screen.query_one("#checklist-items", OptionList)
    region = items.region
    lines = screen_lines(app)[region.y:region.bottom]
    # pointer, mark, then the text; the state word is the last column.
    return squash(" ".join(line[region.x + 4:region.right - STATE_WIDTH - 1] for line in lines))


def detail_text(screen: ChecklistScreen) -> str:
    return str(screen.query_one("#check-detail").render())


async def open_checklist(pilot, results=()) -> ChecklistScreen:
    await pilot.press("c")
    await pilot.app.workers.wait_for_complete()  # the real checks against nothing finish at once
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ChecklistScreen)
    for result in results or every_state(screen):
        screen.post_message(CheckDone(result))
    await pilot.pause()
    return screen


@pytest.fixture
def app_factory(open_session, monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # the tutor's known_hosts lives here
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    def make(**settings) -> TutorApp:
        settings.setdefault("username", "alice")
        settings.setdefault("registry", "127.0.0.1:9")
        settings.setdefault("node", NOWHERE_NODE)
        return TutorApp(open_session(**settings))

    return make


async def test_every_item_and_state_word_is_readable_at_80x24(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_checklist(pilot)
        shown = row_texts(app)
        sentences = [screen.session.render(item.text) for item in screen.session.lesson.checklist]
        assert any("`" in sentence for sentence in sentences)  # the lesson has code in an item
        for sentence in sentences:
            assert squash(sentence.replace("`", "")) in shown, (sentence, shown)
        assert "`" not in "\n".join(screen_lines(app))  # code is styled, its backticks are gone
        state_column = "\n".join(line[-STATE_WIDTH - 1:] for line in screen_lines(app))
        for status in ("passed", "failed", "error", "skipped", "running"):
            assert STATUS_WORDS[status] in state_column, status


async def test_selected_items_reason_hint_and_next_step_are_all_on_screen(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checklist(pilot)
        await pilot.press("down")
        await pilot.pause()
        shown = squash(" ".join(screen_lines(app)))
        # Markup is text here: "[bold]quiz[/bold]" is printed as written, `latest` without backticks.
        for sentence in (LONG_REASON, LONG_HINT.what, "Next: " + LONG_HINT.next_step):
            assert squash(sentence.replace("`", "")) in shown, sentence


async def test_a_detail_longer_than_the_screen_scrolls_and_says_so(app_factory):
    endless = FailureHint("test_long", what=" ".join(f"Sentence {n} of a very long explanation." for n in range(1, 60)),
                   next_step="The last step: press r.")
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_checklist(pilot)
        first = screen.session.lesson.checklist[0].id
        screen.post_message(CheckDone(CheckResult(first, "failed", "answered-wrong", "Not yet.", endless)))
        await pilot.pause()
        await pilot.pause()
        box = screen.query_one("#check-detail-box", VerticalScroll)
        assert "PgUp/PgDn" in str(box.border_title)
        assert "The last step: press r." not in squash(" ".join(screen_lines(app)))
        for _ in range(10):
            await pilot.press("pagedown")
        await pilot.pause()
        assert box.scroll_y > 0
        assert screen.focused is screen.query_one("#checklist-items")  # the list keeps its arrow keys
        assert "The last step: press r." in squash(" ".join(screen_lines(app)))


async def test_markup_in_an_item_is_shown_as_written(app_factory):
    app = app_factory()
    lesson = app.session.lesson
    lesson.checklist[0] = replace(lesson.checklist[0], text="I typed [red]red[/red] and [b]bold[/] and `code`.")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checklist(pilot)
        assert "I typed [red]red[/red] and [b]bold[/] and code." in row_texts(app)


@pytest.fixture
def key_line() -> str:
    import asyncssh

    return asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()


async def test_enter_never_trusts_a_host_key_and_the_screen_says_how_to(app_factory, key_line, tmp_path):
    from tutor.probes.node import tutor_known_hosts

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_checklist(pilot, results=[])
        node_item = "node-can-pull"
        assert not screen.check_action("trust", ())  # no key to trust: not in the footer
        screen.post_message(CheckDone(unknown_key(node_item, key_line)))
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, HostKeyDialog)  # the check found the key: the question comes at once
        assert dialog.focused.id == "no"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert not tutor_known_hosts().exists()
        assert screen.check_action("trust", ())
        # Not a toast that vanishes: the item is selected and its details say it.
        assert screen._selected_id() == node_item
        said = squash(" ".join(screen_lines(app)))
        assert "You did not trust this key: nothing was saved" in said
        assert LONG_FINGERPRINT in said.replace(" ", "")  # folded over two lines, not cut
        assert "press t" in said and "press y or choose Trust" in said

        for decline in ("escape", "n"):
            await pilot.press("t")
            await pilot.pause()
            assert isinstance(app.screen, HostKeyDialog)
            await pilot.press(decline)
            await pilot.pause()
            assert app.screen is screen and not tutor_known_hosts().exists()

        await pilot.press("t")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is screen
        assert tutor_known_hosts().read_text().split() == ["[127.0.0.1]:9", *key_line.split()[:2]]
        await app.workers.wait_for_complete()
        await pilot.pause()
        # Checked again for real: nothing listens on port 9, so the key question is gone.
        assert screen.results[node_item].outcome != "unknown-host-key"
        assert "did not trust" not in detail_text(screen)


async def test_trust_key_is_offered_only_while_there_is_a_key_to_trust(app_factory, key_line):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_checklist(pilot, results=[])
        assert "Trust host key" not in screen_lines(app)[-1]
        await pilot.press("t")
        await pilot.pause()
        assert app.screen is screen  # nothing to trust: no dialog
        screen.post_message(CheckDone(unknown_key("node-can-pull", key_line)))
        await pilot.pause()
        await pilot.press("escape")  # decline the question the result opened
        await pilot.pause()
        assert app.screen is screen
        footer = screen_lines(app)[-1]
        assert "t Trust host key" in footer and "esc Back" in footer, footer


async def test_host_key_dialog_shows_a_long_fingerprint_whole_at_80x24(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        answers: list[bool | None] = []
        app.push_screen(HostKeyDialog("ec2-203-0-113-10.eu-west-1.compute.amazonaws.com", 2222, LONG_FINGERPRINT,
                                      "ssh-ed25519"), answers.append)
        await pilot.pause()
        box = app.screen.query_one(".dialog").content_region
        lines = [line[box.x:box.right] for line in screen_lines(app)[box.y:box.bottom]]
        assert LONG_FINGERPRINT in "".join(lines).replace(" ", "")  # folded, not cut
        shown = squash(" ".join(lines))
        for words in ("Trust this host key?", "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub",
                      "Enter, n or Esc: do not trust it", "Trust (y)", "Don't trust"):
            assert words in shown, words
        await pilot.press("enter")
        await pilot.pause()
        assert answers == [False]
