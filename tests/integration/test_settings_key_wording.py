"""Advice printed in a plain terminal never names an app key: "in the settings (s)" means nothing
outside the app (the app's checklist and lesson screens have s; doctor, check and do do not)."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.engine import CONTEXTS
from tutor import cli, hints, store

pytestmark = pytest.mark.integration

APP_KEY = re.compile(r" \((?:press )?[a-z]\)")  # "(s)", "(press s)": a key named as if it could be pressed


def test_no_catalogued_advice_names_an_app_key():
    said = [text for what, next_step in hints.CATALOGUE.values() for text in (what, next_step)]
    assert said and not [text for text in said if APP_KEY.search(text)]


def test_doctor_without_a_node_says_where_to_set_it_without_an_app_key(tmp_path, capsys, docker_engine):
    path = tmp_path / "settings.toml"
    store.save_settings(store.Settings(username="learner", registry="127.0.0.1:9", tag="v1",
                                       project_dir=str(CONTEXTS)), path)
    code = cli.main(["doctor", "--config", str(path)])
    out = capsys.readouterr().out
    assert code == 1 and "No k3s node is set" in out
    assert "settings" in out and "--node USER@HOST" in out
    assert not APP_KEY.search(out), out
