"""docker_config: reading docker's stored credentials (config.json auths, credsStore, credHelpers, DOCKER_CONFIG)."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from tutor.docker_ops import docker_config as creds


def write_config(folder: Path, data: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(data))


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def config_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "docker"
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))
    return folder


@pytest.fixture
def helper(tmp_path, monkeypatch):
    """Install a real `docker-credential-NAME` program on PATH answering with fixed JSON (or failing)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")

    def install(name: str, body: str) -> Path:
        record = tmp_path / f"{name}.stdin"
        script = folder / f"docker-credential-{name}"
        script.write_text(f"#!/bin/sh\necho \"$@\" > {record}.args\ncat > {record}\n{body}\n")
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
        return record

    return install


def test_docker_config_env_is_honoured(config_dir):
    write_config(config_dir, {"auths": {"127.0.0.1:5000": {"auth": b64("alice:s3cret")}}})
    found = creds.lookup("127.0.0.1:5000")
    assert (found.username, found.secret, found.source) == ("alice", "s3cret", "config.json")
    assert "s3cret" not in repr(found)


def test_docker_hub_is_found_under_any_of_its_names(config_dir):
    write_config(config_dir, {"auths": {creds.HUB_KEY: {"auth": b64("alice:pw:with:colons")}}})
    for name in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        assert creds.lookup(name).secret == "pw:with:colons"
    assert creds.lookup("ghcr.io") is None


def test_url_shaped_keys_match_their_host(config_dir):
    write_config(config_dir, {"auths": {"https://ghcr.io/v2/": {"auth": b64("bob:tok")}}})
    assert creds.lookup("ghcr.io").username == "bob"


def test_identity_tokens(config_dir):
    write_config(config_dir, {"auths": {"ghcr.io": {"auth": b64("bob:"), "identitytoken": "refresh-me"}}})
    found = creds.lookup("ghcr.io")
    assert found.identity_token and (found.username, found.secret) == ("bob", "refresh-me")


def test_nothing_stored(config_dir):
    assert creds.lookup("docker.io") is None  # no config.json at all
    write_config(config_dir, {"auths": {"docker.io": {}}})
    assert creds.lookup("docker.io") is None


def test_unreadable_config_is_a_credential_error(config_dir):
    config_dir.mkdir()
    (config_dir / "config.json").write_text("{not json")
    with pytest.raises(creds.CredentialError, match="cannot be read"):
        creds.lookup("docker.io")


def test_cred_helpers_entry_wins_and_gets_the_address_on_stdin(config_dir, helper):
    record = helper("tutortest", 'printf \'{"ServerURL":"x","Username":"carol","Secret":"from-helper"}\'')
    write_config(config_dir, {"credHelpers": {"127.0.0.1:5000": "tutortest"},
                              "auths": {"127.0.0.1:5000": {"auth": b64("alice:from-file")}}})
    found = creds.lookup("127.0.0.1:5000")
    assert (found.username, found.secret, found.source) == ("carol", "from-helper", "docker-credential-tutortest")
    assert record.read_text() == "127.0.0.1:5000"
    assert Path(f"{record}.args").read_text().strip() == "get"  # nothing else on its command line


def test_creds_store_for_docker_hub_is_asked_with_the_index_url(config_dir, helper):
    record = helper("store", 'printf \'{"Username":"dave","Secret":"hub-pw"}\'')
    write_config(config_dir, {"credsStore": "store"})
    assert creds.lookup("docker.io").username == "dave"
    assert record.read_text() == creds.HUB_KEY


def test_helper_token_username_means_an_identity_token(config_dir, helper):
    helper("tok", 'printf \'{"Username":"<token>","Secret":"refresh"}\'')
    write_config(config_dir, {"credsStore": "tok"})
    found = creds.lookup("ghcr.io")
    assert found.identity_token and found.secret == "refresh"


def test_helper_with_nothing_stored_falls_back_to_auths(config_dir, helper):
    helper("empty", "echo 'credentials not found in native keychain'; exit 1")
    write_config(config_dir, {"credsStore": "empty"})
    assert creds.lookup("docker.io") is None
    write_config(config_dir, {"credsStore": "empty", "auths": {"docker.io": {"auth": b64("erin:pw")}}})
    assert creds.lookup("docker.io").username == "erin"


def test_missing_or_broken_helper_is_reported_without_its_output(config_dir, helper):
    write_config(config_dir, {"credsStore": "not-installed-anywhere"})
    with pytest.raises(creds.CredentialError, match="not installed") as missing:
        creds.lookup("docker.io")
    assert missing.value.helper == "not-installed-anywhere"
    helper("broken", "echo 'Secret: leaked-if-printed'; exit 3")
    write_config(config_dir, {"credsStore": "broken"})
    with pytest.raises(creds.CredentialError) as broken:
        creds.lookup("docker.io")
    assert "exit code 3" in str(broken.value) and "leaked" not in str(broken.value)
    helper("garbage", "echo not-json")
    write_config(config_dir, {"credsStore": "garbage"})
    with pytest.raises(creds.CredentialError, match="not credentials"):
        creds.lookup("docker.io")


async def test_async_lookup_runs_off_the_loop(config_dir):
    write_config(config_dir, {"auths": {"docker.io": {"auth": b64("frank:pw")}}})
    assert (await creds.lookup_async("docker.io")).username == "frank"


def test_one_set_of_docker_hub_names_everywhere():
    from tutor import reference
    from tutor.docker_ops import commandline
    from tutor.docker_ops import credentials

    for name in ("", "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com",
                 creds.HUB_KEY, "HTTPS://Registry.Hub.Docker.com/v1/"):
        assert creds.is_hub(name), name
        assert reference.registry_key(name) == credentials.registry_key(name) == "docker.io"
        assert creds.server_address(name) == creds.HUB_KEY
        assert commandline.login(name, "alice") == "docker login -u alice --password-stdin"
    assert reference.parse("registry.hub.docker.com/alice/app:v1").short == "alice/app:v1"
    assert not creds.is_hub("ghcr.io") and reference.registry_key("https://GHCR.io/v2/") == "ghcr.io"
    assert creds.same_registry("https://127.0.0.1:5000/v1/", "127.0.0.1:5000")
    assert not creds.same_registry("127.0.0.1:5000", "127.0.0.1:5001")


def test_docker_config_with_a_tilde_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("DOCKER_CONFIG", "~/elsewhere")
    assert creds.docker_config_dir() == tmp_path / "elsewhere"
    assert creds.config_path() == tmp_path / "elsewhere" / "config.json"
    monkeypatch.delenv("DOCKER_CONFIG")
    assert creds.config_path() == tmp_path / ".docker" / "config.json"


def test_sections_of_the_wrong_shape_are_ignored(config_dir):
    write_config(config_dir, {"auths": ["not", "a", "mapping"], "credHelpers": "nor-this"})
    assert creds.lookup("docker.io") is None
    assert creds.storage("docker.io").kind == "none"


def test_storage_matches_url_shaped_keys_and_helpers(config_dir):
    write_config(config_dir, {"auths": {"https://127.0.0.1:5000/v2/": {"auth": b64("a:b")}}})
    assert creds.storage("127.0.0.1:5000").kind == "plaintext"
    assert creds.storage("127.0.0.1:5001").kind == "none"
    write_config(config_dir, {"credHelpers": {"https://ghcr.io": "gh"}, "credsStore": "desktop"})
    assert (creds.storage("ghcr.io").kind, creds.storage("ghcr.io").helper) == ("helper", "gh")
    assert creds.storage("docker.io").helper == "desktop"
    (config_dir / "config.json").write_text("{broken")
    assert creds.storage("docker.io").kind == "none"  # unreadable: nothing to tell the learner


# --- the CLI's current context, and what a push sends the engine -------------------------------


def write_context(folder: Path, name: str, host: str) -> None:
    import hashlib

    meta = folder / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps({"Name": name, "Endpoints": {"docker": {"Host": host}}}))


def test_the_current_context_names_the_engine(config_dir, monkeypatch):
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    assert creds.context_host() is None  # no config at all: the default socket
    write_config(config_dir, {"currentContext": "desktop-linux"})
    write_context(config_dir, "desktop-linux", "unix:///home/me/.docker/desktop/docker.sock")
    write_context(config_dir, "remote", "ssh://me@build-box")
    assert creds.context_host() == "unix:///home/me/.docker/desktop/docker.sock"
    monkeypatch.setenv("DOCKER_CONTEXT", "remote")  # as the docker CLI, the variable wins
    assert creds.context_host() == "ssh://me@build-box"
    monkeypatch.setenv("DOCKER_CONTEXT", "default")
    assert creds.context_host() is None
    monkeypatch.setenv("DOCKER_CONTEXT", "gone")  # a context that is not there: the default socket
    assert creds.context_host() is None


def test_a_push_sends_the_stored_login_and_the_facts_keep_only_the_name(config_dir):
    from tutor.docker_ops import credentials

    write_config(config_dir, {"auths": {"127.0.0.1:5000": {"auth": b64("learner:s3cret")},
                                        "https://index.docker.io/v1/": {"identitytoken": "tok-123"}}})
    assert credentials.push_auth("127.0.0.1:5000") == (
        "learner", {"username": "learner", "password": "s3cret", "serveraddress": "127.0.0.1:5000"})
    assert credentials.push_auth("docker.io") == (
        None, {"identitytoken": "tok-123", "serveraddress": "https://index.docker.io/v1/"})
    assert credentials.push_auth("127.0.0.1:5999") == (None, None)
    credentials.remember("127.0.0.1:5999", "alice", "other")
    try:  # this process's own login comes first
        assert credentials.push_auth("127.0.0.1:5999") == ("alice", {"username": "alice", "password": "other"})
    finally:
        credentials.forget()


def test_a_push_with_an_unreadable_config_sends_no_login_but_a_broken_helper_is_said(config_dir):
    from tutor.docker_ops import credentials

    config_dir.mkdir(parents=True)
    (config_dir / "config.json").write_text("{not json")
    assert credentials.push_auth("127.0.0.1:5000") == (None, None)  # as the docker SDK did
    write_config(config_dir, {"credsStore": "missing-helper"})
    with pytest.raises(creds.CredentialError):
        credentials.push_auth("127.0.0.1:5000")
