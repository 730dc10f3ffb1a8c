"""The practice registry's rules without its processes: accounts, class files, scopes and the policy
(the integration tests run the same rules through the real registry and token service)."""

from __future__ import annotations

import json

import pytest

from tutor.practice import accounts, policy, tokens


def test_a_password_is_kept_as_a_salted_hash_that_only_it_matches():
    first, second = accounts.hash_password("s3cret-pw"), accounts.hash_password("s3cret-pw")
    assert first != second and "s3cret-pw" not in first  # salted: equal passwords, different hashes
    assert accounts.check_password("s3cret-pw", first) and accounts.check_password("s3cret-pw", second)
    assert not accounts.check_password("s3cret-pW", first)
    assert not accounts.check_password("s3cret-pw", "not a hash") and not accounts.check_password("x", "")


def test_add_makes_only_missing_accounts_and_returns_their_passwords_once(tmp_path):
    path = tmp_path / "accounts.json"
    made = accounts.add(path, ["alice", "bob"], {"bob": "chosen-by-teacher"})
    assert set(made) == {"alice", "bob"} and made["bob"] == "chosen-by-teacher"
    assert len(made["alice"]) >= 20
    kept = json.loads(path.read_text())
    assert accounts.check_password(made["alice"], kept["alice"])
    assert accounts.add(path, ["alice", "carol"]).keys() == {"carol"}  # alice keeps her password
    assert accounts.check_password(made["alice"], accounts.load(path)["alice"])
    renewed = accounts.add(path, ["alice"], replace=True)
    assert not accounts.check_password(made["alice"], accounts.load(path)["alice"])
    assert accounts.check_password(renewed["alice"], accounts.load(path)["alice"])


def test_an_unreadable_accounts_file_is_never_saved_over(tmp_path):
    path = tmp_path / "accounts.json"
    path.write_text("{half")
    with pytest.raises(accounts.AccountsError, match="cannot be read"):
        accounts.add(path, ["alice"])
    assert path.read_text() == "{half"
    assert accounts.load(path) == {}  # the token service: nobody logs in until it is fixed


@pytest.mark.parametrize("text, users, passwords", [
    ("username,node\nalice,ubuntu@n1\nbob,\n", ["alice", "bob"], {}),
    ("Username,Password\nalice,pw-one\nbob,\n", ["alice", "bob"], {"alice": "pw-one"}),
    ("# my class\nalice\n\nbob\n", ["alice", "bob"], {}),
])
def test_a_class_file_is_a_roster_csv_or_one_username_per_line(tmp_path, text, users, passwords):
    path = tmp_path / "class.csv"
    path.write_text(text)
    assert accounts.read_class_file(path) == (users, passwords)


@pytest.mark.parametrize("text, problem", [
    ("username\nalice\nBob Smith\n", "line 3"),
    ("alice\nalice\n", "line 2: alice is named twice"),
    ("username\n", "names no accounts"),
])
def test_a_bad_class_file_names_its_line(tmp_path, text, problem):
    path = tmp_path / "class.csv"
    path.write_text(text)
    with pytest.raises(accounts.AccountsError, match=problem):
        accounts.read_class_file(path)


def test_scopes_as_docker_and_containerd_send_them():
    assert tokens.parse_scopes(["repository:alice/app:pull,push"]) == [("repository", "alice/app", ["pull", "push"])]
    assert tokens.parse_scopes(["repository:alice/app:pull repository:bob/x:pull"]) == [
        ("repository", "alice/app", ["pull"]), ("repository", "bob/x", ["pull"])]
    # A registry with a port in a mount's scope name keeps its colons in the name.
    assert tokens.parse_scopes(["repository:127.0.0.1:5000/a/b:pull"]) == [
        ("repository", "127.0.0.1:5000/a/b", ["pull"])]
    assert tokens.parse_scopes(["", "nonsense"]) == []


def test_the_policy_is_docker_hubs(tmp_path):
    path = tmp_path / "repositories.json"
    shared = policy.set_visibility(path, "alice/secret", policy.PRIVATE)
    wanted = [("repository", "alice/app", ["pull", "push"]), ("repository", "bob/app", ["pull", "push"]),
              ("repository", "alice/secret", ["pull"]), ("registry", "catalog", ["*"])]
    assert policy.grant("alice", wanted, shared) == [
        {"type": "repository", "name": "alice/app", "actions": ["pull", "push"]},
        {"type": "repository", "name": "bob/app", "actions": ["pull"]},  # public: pull, never push
        {"type": "repository", "name": "alice/secret", "actions": ["pull"]}]  # her own private one
    assert policy.grant(None, wanted, shared) == [
        {"type": "repository", "name": "alice/app", "actions": ["pull"]},
        {"type": "repository", "name": "bob/app", "actions": ["pull"]}]  # private and catalog: nothing
    assert policy.grant("bob", [("repository", "alice/secret", ["pull"])], shared) == []
    # A name without a namespace belongs to nobody, whoever asks.
    assert policy.grant("library", [("repository", "app", ["push"])], shared) == []
    back = policy.set_visibility(path, "alice/secret", policy.PUBLIC)
    assert back.of("alice/secret") == policy.PUBLIC and json.loads(path.read_text())["private"] == []


def test_an_unreadable_policy_makes_everything_private_and_is_not_saved_over(tmp_path):
    path = tmp_path / "repositories.json"
    path.write_text("[1, 2")
    broken = policy.load(path)
    assert broken.of("alice/app") == policy.PRIVATE
    assert policy.grant(None, [("repository", "alice/app", ["pull"])], broken) == []
    with pytest.raises(policy.PolicyError):
        policy.set_visibility(path, "alice/app", policy.PUBLIC)
    assert path.read_text() == "[1, 2"
