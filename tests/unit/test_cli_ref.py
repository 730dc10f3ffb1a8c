"""`docker-tutor ref`: the breakdown of an image reference, as text and JSON, and its errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tutor.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]
SHA = "sha256:" + "c" * 64


def _lines(text: str) -> dict[str, str]:
    """The aligned 'label  value' lines, keyed by label (notes left out)."""
    rows = {}
    for line in text.splitlines():
        if line.startswith("note: "):
            continue
        label, _, value = line.partition("  ")
        rows[label.strip()] = value.strip()
    return rows


def test_official_image_breakdown(capsys):
    assert main(["ref", "nginx"]) == 0
    out = capsys.readouterr().out
    rows = _lines(out)
    assert rows["registry"] == "docker.io"
    assert rows["namespace"] == "library"
    assert rows["repository"] == "nginx"
    assert rows["tag"] == "latest"
    assert rows["digest"] == "(none)"
    assert rows["full"] == "docker.io/library/nginx:latest"
    assert rows["short (docker images)"] == "nginx:latest"
    # What Docker filled in is spelled out for the learner.
    assert "note: no tag given, so Docker uses 'latest'" in out
    assert "official images" in out


def test_values_are_aligned_in_one_column(capsys):
    main(["ref", "yourusername/poll-backend:v1"])
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("note:")]
    columns = {len(line) - len(line.split("  ")[-1].lstrip()) for line in lines}
    assert len(lines) == 7 and len(columns) == 1


def test_user_image_on_docker_hub(capsys):
    assert main(["ref", "yourusername/poll-backend:v1"]) == 0
    out = capsys.readouterr().out
    rows = _lines(out)
    assert rows["namespace"] == "yourusername"
    assert rows["repository"] == "poll-backend"
    assert rows["full"] == "docker.io/yourusername/poll-backend:v1"
    assert "no tag given" not in out
    assert "Docker Hub (docker.io)" in out


@pytest.mark.parametrize("typed", ["Docker.IO/yourusername/poll-backend:v1", "index.docker.io/yourusername/poll-backend:v1"])
def test_a_docker_hub_host_typed_in_any_case_is_not_a_missing_registry(capsys, typed):
    assert main(["ref", typed]) == 0
    out = capsys.readouterr().out
    assert _lines(out)["registry"] == "docker.io" and _lines(out)["short (docker images)"] == "yourusername/poll-backend:v1"
    assert "no registry given" not in out


def test_json_output(capsys):
    assert main(["ref", "--json", f"ghcr.io/yourusername/poll-backend:v1@{SHA}"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {
        "registry": "ghcr.io",
        "namespace": "yourusername",
        "repository": "poll-backend",
        "tag": "v1",
        "digest": SHA,
        "full": f"ghcr.io/yourusername/poll-backend:v1@{SHA}",
        "short": "ghcr.io/yourusername/poll-backend:v1",
    }


def test_json_output_for_a_local_registry_without_namespace(capsys):
    assert main(["ref", "localhost:5000/app", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["registry"] == "localhost:5000"
    assert data["namespace"] is None
    assert data["tag"] == "latest"
    assert data["digest"] is None


def test_invalid_reference_prints_error_and_hint_and_exits_2(capsys):
    assert main(["ref", "MyUser/app"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err_lines = captured.err.splitlines()
    assert err_lines[0] == "error: repository name must be lowercase: MyUser/app"
    assert err_lines[1].startswith("hint: ") and "myuser/app" in err_lines[1]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("app:", "error: invalid tag format: app:"),
        (":v1", "error: invalid reference format: :v1"),
        ("UPPER:v1", "error: repository name must be lowercase: UPPER:v1"),
        ("app@sha256:abc", "error: invalid digest format: app@sha256:abc"),
    ],
)
def test_other_errors(capsys, ref, message):
    assert main(["ref", ref, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[0] == message


@pytest.mark.parametrize("ref", ["user/app:v1 ", " user/app:v1", "user/app:v1\n"])
def test_whitespace_around_a_reference_is_refused_as_docker_does(capsys, ref):
    assert main(["ref", ref]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    error, hint = captured.err.splitlines()
    # Quoted so the learner can see the stray character; the hint gives the name without it.
    assert error == f"error: invalid reference format: {ref!r}"
    assert hint.startswith("hint: remove the space") and "'user/app:v1'" in hint


def test_reference_starting_with_a_dash_goes_after_double_dash(capsys):
    assert main(["ref", "--", "-app"]) == 2
    assert "error: invalid reference format: -app" in capsys.readouterr().err


def test_ref_is_listed_in_help(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    assert "ref" in capsys.readouterr().out


@pytest.mark.parametrize(("ref", "code"), [("Bad..Name:v1", 2), ("nginx", 0)])
def test_python_m_tutor_ref_exit_code(ref, code):
    result = subprocess.run(
        [sys.executable, "-m", "tutor", "ref", ref],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == code
    assert "Traceback" not in result.stderr
    if code:
        assert result.stderr.startswith("error: ")
    else:
        assert "docker.io/library/nginx:latest" in result.stdout
