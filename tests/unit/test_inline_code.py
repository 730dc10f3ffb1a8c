"""inline_text: `code` spans styled without their backticks, everything else literal (no markup parsing)."""

from __future__ import annotations

import pytest

from tutor.widgets.inline_code import CODE_STYLE, inline_text, strip_code


def code_spans(text) -> list[str]:
    return [text.plain[span.start:span.end] for span in text.spans if span.style == CODE_STYLE]


def test_each_span_is_styled_and_loses_its_backticks():
    text = inline_text("Run `docker push alice/app:v1`, then `docker pull alice/app:v1`.")
    assert text.plain == "Run docker push alice/app:v1, then docker pull alice/app:v1."
    assert code_spans(text) == ["docker push alice/app:v1", "docker pull alice/app:v1"]


@pytest.mark.parametrize("written", [
    "[bold]not bold[/bold] and [red]not red[/]",
    "a [link=https://example.com]link[/link] stays text",
    ":rocket: stays a word, \\[escaped] stays as typed",
])
def test_markup_is_kept_as_written(written):
    text = inline_text(written)
    assert text.plain == written and not text.spans


def test_markup_inside_code_is_kept_too():
    assert code_spans(inline_text("type `echo [b]x[/b]` here")) == ["echo [b]x[/b]"]


def test_a_longer_fence_holds_a_backtick_and_one_space_each_side_is_dropped():
    text = inline_text("the tag ``` `latest` ``` is ambiguous, and `` a`b `` too")
    assert code_spans(text) == ["`latest`", "a`b"]


@pytest.mark.parametrize("written", ["an odd ` backtick", "``", "`` no close `", "price: 5`"])
def test_unmatched_backticks_are_left_alone(written):
    text = inline_text(written)
    assert text.plain == written and not code_spans(text)


def test_base_style_and_strip_code():
    text = inline_text("see `x`", style="bold")
    assert str(text.style) == "bold"
    assert strip_code("press `r` to re-check `all`") == "press r to re-check all"
