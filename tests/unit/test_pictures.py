"""The step text's picture store: a picture comes back only under the key it was drawn under, and
a missing, foreign or corrupt file is no picture (never an error)."""

from __future__ import annotations

import json

import pytest

from tutor import pictures

ROWS = [[("  Get an account", "bold #e0e0e0 on #121212"), (" ", "on #121212")], [("", "")]]


def key(**changes) -> str:
    args = {"source": "# Get an account", "size": (80, 24), "theme": "textual-dark", "version": "1"} | changes
    return pictures.picture_key(args["source"], args["size"], args["theme"], (), args["version"])


def test_a_picture_comes_back_under_its_key(tmp_path):
    assert pictures.save(tmp_path, key(), ROWS)
    assert pictures.load(tmp_path, key()) == ROWS


@pytest.mark.parametrize("change", [{"source": "# Log in"}, {"size": (120, 40)}, {"theme": "nord"}, {"version": "2"}])
def test_another_source_size_theme_or_version_finds_none(tmp_path, change):
    pictures.save(tmp_path, key(), ROWS)
    assert pictures.load(tmp_path, key(**change)) is None


def test_a_changed_code_file_finds_none(tmp_path):
    code = tmp_path / "app.tcss"
    code.write_text("a {}")
    before = pictures.picture_key("# x", (80, 24), "t", [code])
    code.write_text("a { color: red; }")
    assert pictures.picture_key("# x", (80, 24), "t", [code]) != before


@pytest.mark.parametrize("content", [b"", b"{not json", b"[]", json.dumps({"key": "K", "styles": [1], "rows": []}).encode(),
                                     json.dumps({"key": "K", "styles": [], "rows": [[["a", 3]]]}).encode(),
                                     json.dumps({"key": "K", "styles": ["x"], "rows": [[["a"]]]}).encode(),
                                     json.dumps({"key": "K"}).encode(), b"\xff\xfe"])
def test_a_corrupt_file_is_no_picture(tmp_path, content):
    (tmp_path / pictures.FILE).write_bytes(content)
    assert pictures.load(tmp_path, "K") is None


def test_an_unwritable_folder_is_no_error(tmp_path):
    (tmp_path / "file").write_text("")
    assert not pictures.save(tmp_path / "file", key(), ROWS)
    assert pictures.load(tmp_path / "missing", key()) is None
