"""Low-level failures map to short hints that say what happened and what to do next."""

from __future__ import annotations

import re
import socket

import docker.errors
import pytest
import requests

from tutor import hints
from tutor.docker_ops.build import _BuildLog


@pytest.mark.parametrize("code", sorted(hints.CATALOGUE))
def test_every_hint_reads_well_without_any_facts(code):
    hint = hints.hint(code)
    assert hint.code == code
    for text in (hint.what, hint.next_step):
        assert text and not re.search(r"[{}]", text), text
    # A sentence or two each, not an essay.
    assert len(hint.what) + len(hint.next_step) < 400


def test_facts_fill_the_hint_and_unknown_codes_fall_back():
    hint = hints.hint("port_in_use", port=3000)
    assert "Port 3000 " in hint.what
    assert str(hint) == f"{hint.what} {hint.next_step}"
    fallback = hints.hint("no-such-code", detail="engine said no\nsecond line")
    assert fallback.code == "no-such-code" and "engine said no" in fallback.what and "second" not in fallback.what


@pytest.mark.parametrize("message, action, code", [
    ("toomanyrequests: You have reached your pull rate limit.", "pull", "rate_limited"),
    ("received unexpected HTTP status: 429 Too Many Requests", "push", "rate_limited"),
    ("write /var/lib/docker/tmp/GetImageBlob1: no space left on device", "build", "disk_full"),
    ("Get \"https://registry-1.docker.io/v2/\": unauthorized: incorrect username or password", "login",
     "login_rejected"),
    ("login attempt to http://127.0.0.1:5000/v2/ failed with status: 401 Unauthorized", "login", "login_rejected"),
    ("Error saving credentials: error storing credentials - err: exec: \"docker-credential-desktop\": "
     "executable file not found in $PATH", "login", "credential_helper_broken"),
    ("Get \"https://127.0.0.1:5000/v2/\": http: server gave HTTP response to HTTPS client", "push",
     "registry_plain_http"),
    ("Get \"https://ghcr.iox/v2/\": dial tcp: lookup ghcr.iox: no such host", "pull", "registry_unreachable"),
    ("Get \"http://127.0.0.1:5157/v2/\": dial tcp 127.0.0.1:5157: connect: connection refused", "push",
     "registry_refused"),
    ("Get \"https://127.0.0.1:5157/v2/\": dial tcp 127.0.0.1:5157: connect: connection refused", "login",
     "registry_refused"),
    ("An image does not exist locally with the tag: alice/poll", "push", "tag_missing"),
    ("pull access denied for nobody/x, repository does not exist or may require 'docker login'", "pull",
     "pull_not_found"),
    ("manifest for 127.0.0.1:5000/learner/x:v9 not found: manifest unknown", "pull", "pull_not_found"),
    ("driver failed programming external connectivity on endpoint x: Bind for 0.0.0.0:3000 failed: "
     "port is already allocated", "run", "port_in_use"),
    ("conflict: unable to remove repository reference \"x\" (must force) - container abc is using its "
     "referenced image def", "rmi", "image_in_use"),
    ("Cannot locate specified Dockerfile: Dockerfile", "build", "dockerfile_missing"),
    ("invalid reference format: repository name must be lowercase", "tag", "invalid_reference"),
    ("the moon is in the wrong phase", "build", "unknown"),
])
def test_docker_messages_map_to_their_hint(message, action, code):
    hint = hints.from_docker(message, action, username="alice")
    assert hint.code == code
    # Docker's own reason rides along, in one line, for the pane's "Docker said: ..." line.
    assert hint.detail == hints.docker_reason(message) and hint.detail and "\n" not in hint.detail


@pytest.mark.parametrize("message", [
    "denied: requested access to the resource is denied",
    "failed to authorize: insufficient_scope: authorization failed",
    "unauthorized: authentication required",
])
def test_denied_push_names_the_learners_own_namespace(message):
    hint = hints.from_docker(message, "push", ref="bob/poll-backend:v1", logged_in="alice", namespace="bob",
                             corrected="alice/poll-backend:v1", registry="docker.io")
    assert hint.code == "push_denied"
    assert "logged in to docker.io as alice" in hint.what and "bob/poll-backend:v1 is named under bob/" in hint.what
    assert "docker tag bob/poll-backend:v1 alice/poll-backend:v1" in hint.next_step
    assert "docker push alice/poll-backend:v1" in hint.next_step


def test_denied_push_under_the_settings_username_says_who_is_logged_in():
    """Issue 11: settings username someoneelse, docker logged in as learner."""
    ref = "127.0.0.1:5000/someoneelse/poll-backend:v1"
    hint = hints.from_docker("denied: requested access to the resource is denied", "push", ref=ref,
                             registry="127.0.0.1:5000", username="someoneelse", logged_in="learner",
                             namespace="someoneelse", corrected="127.0.0.1:5000/learner/poll-backend:v1")
    assert hint.code == "push_denied"
    assert hint.what.startswith("You are logged in to 127.0.0.1:5000 as learner, but")
    assert "someoneelse/" in hint.what and "refused to let someoneelse" not in hint.what
    assert hint.next_step.startswith("Set your username to learner in the settings, or log in as someoneelse "
                                     "(`docker login -u someoneelse 127.0.0.1:5000`).")
    assert (f"`docker tag {ref} 127.0.0.1:5000/learner/poll-backend:v1`, then "
            "`docker push 127.0.0.1:5000/learner/poll-backend:v1`") in hint.next_step


def test_settings_are_not_blamed_when_they_already_name_the_logged_in_user():
    hint = hints.from_docker("denied", "push", ref="bob/app:v1", registry="docker.io", username="alice",
                             logged_in="alice", namespace="bob", corrected="alice/app:v1")
    assert "settings" not in hint.next_step
    assert hint.next_step.startswith("Name the image under alice/, or log in as bob (`docker login -u bob`).")


@pytest.mark.parametrize(("ref", "namespace", "named"), [
    ("poll-backend:v1", "library", "is named under library/, Docker Hub's namespace for official images"),
    ("127.0.0.1:5000/poll-backend:v1", None, "has no username/ part in its name"),
])
def test_an_image_without_a_user_namespace_is_said_to_have_none(ref, namespace, named):
    registry = "127.0.0.1:5000" if ref.startswith("127.") else "docker.io"
    corrected = ref.replace("poll-backend", "alice/poll-backend")
    hint = hints.from_docker("denied", "push", ref=ref, registry=registry, logged_in="alice", namespace=namespace,
                             corrected=corrected)
    assert hint.code == "push_denied" and named in hint.what
    assert "log in as" not in hint.next_step  # nobody owns library/ or a bare name
    assert f"`docker tag {ref} {corrected}`" in hint.next_step


def test_a_refusal_in_the_users_own_namespace_asks_for_a_fresh_login_never_a_tag_to_itself():
    hint = hints.from_docker("denied: requested access to the resource is denied", "push", ref="alice/app:v1",
                             registry="docker.io", username="alice", logged_in="alice", namespace="alice",
                             corrected="alice/app:v1")
    assert hint.code == "push_denied_own"
    assert "docker tag" not in hint.next_step and "`docker login`" in hint.next_step
    assert "Read & Write" in hint.next_step


def test_denied_push_without_any_login_says_log_in_first():
    hint = hints.from_docker("unauthorized: authentication required", "push", ref="bob/app:v1", registry="docker.io",
                             namespace="bob")
    assert hint.code == "push_unauthenticated"
    assert hint.what == "Nobody is logged in to docker.io, so it will not let you push bob/app:v1."
    assert "`docker login`" in hint.next_step and "as bob" in hint.next_step
    other = hints.from_docker("denied", "push", registry="ghcr.io")
    assert "`docker login ghcr.io`" in other.next_step
    # A username in the settings is not a login.
    assert hints.from_docker("denied", "push", username="bob", namespace="bob").code == "push_unauthenticated"


def test_rejected_login_mentions_access_tokens_for_two_factor_accounts():
    hint = hints.from_docker("unauthorized: incorrect username or password", "login", registry="docker.io",
                             username="alice")
    assert "alice" in hint.what
    assert "access token" in hint.next_step and "Account Settings → Security" in hint.next_step


@pytest.mark.parametrize("error, code", [
    (docker.errors.DockerException("Error while fetching server API version: ('Connection aborted.', "
                                   "FileNotFoundError(2, 'No such file or directory'))"), "engine_unreachable"),
    (docker.errors.DockerException("Error while fetching server API version: ('Connection aborted.', "
                                   "ConnectionRefusedError(111, 'Connection refused'))"), "engine_unreachable"),
    (docker.errors.DockerException("Error while fetching server API version: ('Connection aborted.', "
                                   "PermissionError(13, 'Permission denied'))"), "engine_permission"),
    (requests.exceptions.ConnectionError("('Connection aborted.', PermissionError(13, 'Permission denied'))"),
     "engine_permission"),
    (requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected('Remote end closed "
                                         "connection without response'))"), "engine_unreachable"),
])
def test_engine_problems_say_how_to_fix_them(error, code):
    hint = hints.from_docker(error, "images", host="unix:///var/run/docker.sock")
    assert hint.code == code
    assert "unix:///var/run/docker.sock" in hint.what
    expected = "systemctl start docker" if code == "engine_unreachable" else "usermod -aG docker"
    assert expected in hint.next_step
    # Beside it ("Docker said: ..."), the reason in words, not the SDK's exception repr.
    assert hint.detail in ("no engine listens at its socket", "the connection was refused",
                           "permission denied on its socket", "the connection broke"), hint.detail


def test_a_local_file_problem_is_not_blamed_on_the_engine():
    hint = hints.from_docker(PermissionError(13, "Permission denied: 'secret.key'"), "build")
    assert hint.code == "unknown" and "secret.key" in hint.what


def test_api_errors_use_the_engines_own_words():
    denied = docker.errors.APIError("500 Server Error", explanation="denied: requested access to the resource is denied")
    assert hints.from_docker(denied, "push", logged_in="alice", namespace="bob").code == "push_denied"
    missing = docker.errors.ImageNotFound("No such image: alice/poll:v1")
    assert hints.from_docker(missing, "rmi", ref="alice/poll:v1").code == "image_missing"
    assert hints.from_docker(missing, "push", ref="alice/poll:v1").code == "tag_missing"


def _failed_build(*steps: str, error: str):
    log = _BuildLog()
    for _ in log.handle([{"stream": f"{step}\n"} for step in steps] + [{"error": error}]):
        pass
    return log.failure_hint({"ref": "alice/poll:v1"})


def test_a_failing_from_step_is_an_unpullable_base_image():
    hint = _failed_build("Step 1/4 : FROM --platform=linux/amd64 node:20-alpine AS deps",
                         error="Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io: "
                               "no such host")
    assert hint.code == "base_image_unavailable"
    assert "node:20-alpine" in hint.what and "docker pull node:20-alpine" in hint.next_step


def test_a_failing_run_step_names_the_step_and_a_rate_limit_wins_over_both():
    hint = _failed_build("Step 1/3 : FROM node:20-alpine", " ---> abc", "Step 2/3 : RUN npm ci",
                         error="The command '/bin/sh -c npm ci' returned a non-zero code: 1")
    assert hint.code == "build_step_failed"
    assert "step 2 of 3 (RUN npm ci)" in hint.what and "non-zero code: 1" in hint.what
    limited = _failed_build("Step 1/3 : FROM node:20-alpine", error="toomanyrequests: rate limit reached")
    assert limited.code == "rate_limited"


def test_login_advice_names_the_registry_except_for_any_docker_hub_alias():
    for hub in ("docker.io", "registry-1.docker.io", "registry.hub.docker.com", "index.docker.io"):
        assert "(`docker login`)" in hints.hint("push_unauthenticated", registry=hub, ref="a/b:v1").next_step
    other = hints.hint("push_unauthenticated", registry="127.0.0.1:5000", ref="a/b:v1").next_step
    assert "(`docker login 127.0.0.1:5000`)" in other


@pytest.mark.parametrize("ref, where", [
    ("alice/poll-backend:v1", "hub.docker.com: the repository's Settings"),
    ("ghcr.io/alice/poll-backend:v1", "github.com: the package's Package settings"),
])
def test_a_private_repository_is_made_public_where_the_registry_has_public_ones(ref, where):
    found = hints.from_registry("private", ref=ref)
    assert found.code == "registry_private_repo"
    assert found.next_step.startswith("Make the repository public (on ") and where in found.next_step


def test_a_registry_without_public_repositories_is_not_told_to_make_one_public():
    # An htpasswd registry refuses every anonymous pull: there is no Docker Hub-style Visibility
    # setting, so the node's credentials come first and nothing names Docker Hub.
    found = hints.from_registry("private", ref="127.0.0.1:5000/alice/poll-backend:v1")
    assert found.code == "registry_private_login_only"
    assert found.next_step.startswith("Give the node credentials: /etc/rancher/k3s/registries.yaml")
    assert "Docker Hub" not in str(found) and "Visibility" not in str(found)
    assert "if 127.0.0.1:5000 lets you make one public" in found.next_step


def test_a_refused_connection_says_the_registry_is_not_running_there():
    # "Check your network connection" is no help when the registry at 127.0.0.1 simply is not started.
    found = hints.from_docker("Get \"http://127.0.0.1:5157/v2/\": dial tcp 127.0.0.1:5157: connect: "
                              "connection refused", "push", registry="127.0.0.1:5157")
    assert found.what.startswith("Nothing is listening at 127.0.0.1:5157")
    assert found.next_step.startswith("Start the registry") and "network" not in found.next_step


def test_a_port_in_use_offers_the_command_for_another_host_port():
    message = ("driver failed programming external connectivity on endpoint x: Bind for 0.0.0.0:3000 failed: "
               "port is already allocated")
    found = hints.from_docker(message, "run", port=3000, container_port=3000, ref="alice/poll-backend:v1")
    assert "`docker run -p 3001:3000 alice/poll-backend:v1` and open http://localhost:3001" in found.next_step
    # Without the run's facts it still reads as one sentence.
    assert hints.from_docker(message, "run").next_step.endswith("or choose another host port.")


@pytest.mark.parametrize("error, words", [
    (docker.errors.DockerException("Error while fetching server API version: ('Connection aborted.', "
                                   "FileNotFoundError(2, 'No such file or directory'))"), "no engine listens at its socket"),
    (requests.exceptions.ConnectionError("('Connection aborted.', PermissionError(13, 'Permission denied'))"),
     "permission denied on its socket"),
    (requests.exceptions.ConnectionError("('Connection aborted.', ConnectionRefusedError(111, 'Connection refused'))"),
     "the connection was refused"),
    (docker.errors.DockerException("Error while fetching server API version: ('Connection aborted.', "
                                   "RemoteDisconnected('Remote end closed connection without response'))"),
     "the connection broke"),
    (requests.exceptions.ReadTimeout("UnixHTTPConnectionPool(host='localhost', port=None): Read timed out."),
     "it did not answer in time"),
])
def test_a_lost_engine_is_said_in_words_not_as_an_exception(error, words):
    assert hints.engine_lost_reason(error) == words


def test_a_taken_container_name_and_a_lesson_mistake_have_their_own_hints():
    message = ('Conflict. The container name "/web" is already in use by container "4f2a". You have to remove '
               '(or rename) that container to be able to reuse that name.')
    taken = hints.from_docker(message, "run", name="web")
    assert taken.code == "container_name_in_use" and "`docker rm -f web`" in taken.next_step
    broken = hints.from_lesson_error(ValueError("lessons/x.md:12: publish 'abc' is not a port mapping"))
    assert broken.code == "lesson_invalid"
    assert "lessons/x.md:12: publish 'abc'" in broken.what and "docker-tutor lint" in broken.next_step


def test_node_reasons_are_worded_here():
    refused = hints.node_connect_reason("node_login_failed", "ubuntu@1.2.3.4", PermissionError("Permission denied"),
                                        seconds=10)
    assert refused == "The node ubuntu@1.2.3.4 refused the login (Permission denied)."
    assert "did not answer within 7.5 seconds" in hints.node_connect_reason("node_timeout", "n", TimeoutError(),
                                                                            seconds=7.5)
    assert "key /k.pem could not be read" in hints.node_connect_reason("node_identity_unreadable", "n",
                                                                       FileNotFoundError("no"), seconds=1,
                                                                       identity="/k.pem")
    denied = hints.from_node_pull("pull access denied, repository does not exist", ref="alice/app:v1")
    assert "private (the node has no credentials" in hints.node_pull_reason(denied.code, "alice/app:v1", denied)
    odd = hints.from_node_pull("something odd happened\nsecond line", ref="alice/app:v1")
    assert hints.node_pull_reason(odd.code, "alice/app:v1", odd) == (
        "The node could not pull alice/app:v1: something odd happened.")


# --- docker's own reason, kept beside the hint ------------------------------------------------

@pytest.mark.parametrize(("message", "reason"), [
    # A FROM (or pull) on a host that does not resolve: the name and "no such host", not the DNS server.
    ('Get "https://nonexistent.invalid/v2/": dial tcp: lookup nonexistent.invalid on 10.255.255.53:53: no such host',
     "lookup nonexistent.invalid: no such host"),
    ('Get "http://127.0.0.1:5157/v2/": dial tcp 127.0.0.1:5157: connect: connection refused',
     "dial tcp 127.0.0.1:5157: connect: connection refused"),
    # The host stays when only the URL named it.
    ('Get "https://127.0.0.1:5000/v2/": http: server gave HTTP response to HTTPS client',
     "127.0.0.1:5000: http: server gave HTTP response to HTTPS client"),
    ("Error response from daemon: Get \"https://ghcr.io/v2/\": unauthorized: incorrect username or password",
     "ghcr.io: unauthorized: incorrect username or password"),
    # What repeats itself goes.
    ("pull access denied for learner/x, repository does not exist or may require 'docker login': denied: "
     "requested access to the resource is denied",
     "pull access denied for learner/x, repository does not exist or may require 'docker login'"),
    ("manifest for learner/x:v9 not found: manifest unknown: manifest unknown",
     "manifest for learner/x:v9 not found: manifest unknown"),
    ("denied: requested access to the resource is denied", "denied: requested access to the resource is denied"),
    ("no such image: learner/x:v1: No such image: learner/x:v1", "No such image: learner/x:v1"),
    # Colour codes, bells and carriage returns are not text; only the first line with words counts.
    ("\n\x1b[31mThe command '/bin/sh -c npm ci' returned a non-zero code: 1\x1b[0m\x07\r\nsecond line",
     "The command '/bin/sh -c npm ci' returned a non-zero code: 1"),
    ("tab\there\x00\x1b]0;title\x07!", "tab here!"),
    ("", ""),
])
def test_docker_reason_is_the_telling_part_in_one_clean_line(message, reason):
    assert hints.docker_reason(message) == reason


def test_a_long_reason_is_cut_at_a_word_with_an_ellipsis():
    message = "failed to register layer: " + " ".join(f"word{i}" for i in range(80))
    reason = hints.docker_reason(message)
    assert len(reason) <= hints.REASON_LIMIT and reason.endswith("…")
    assert reason.startswith("failed to register layer: word0 ") and not reason[:-1].endswith(" ")
    assert reason[:-1].split()[-1] in message.split()  # no word is cut in half


def test_a_base_image_failure_keeps_dockers_reason_beside_the_hint():
    """Issue 11 (16): FROM a host that does not resolve; the hint blames the base image and docker's
    "no such host" stays visible in the detail."""
    hint = _failed_build("Step 1/2 : FROM nonexistent.invalid/x:1",
                         error='Get "https://nonexistent.invalid/v2/": dial tcp: lookup nonexistent.invalid on '
                               '10.255.255.53:53: no such host')
    assert hint.code == "base_image_unavailable" and "nonexistent.invalid/x:1" in hint.what
    assert hint.detail == "lookup nonexistent.invalid: no such host"
    step = _failed_build("Step 1/2 : FROM base", "Step 2/2 : RUN make",
                         error="The command '/bin/sh -c make' returned a non-zero code: 2\n")
    assert step.code == "build_step_failed" and step.detail == "The command '/bin/sh -c make' returned a non-zero code: 2"


@pytest.mark.parametrize("action", ["build", "push", "pull"])
def test_every_docker_failure_of_build_push_and_pull_carries_a_clean_reason(action):
    import docker.errors

    for error in ("toomanyrequests: You have reached your pull rate limit.\n\nsee https://docs.docker.com",
                  docker.errors.APIError("500 Server Error", explanation="no space left on device\x1b[0m"),
                  docker.errors.DockerException("Error while fetching server API version: ('Connection aborted.', "
                                                "FileNotFoundError(2, 'No such file or directory'))"),
                  "\x1b[1mthe moon is in the wrong phase\x1b[0m\r\n"):
        hint = hints.from_docker(error, action)
        assert hint.detail, (action, error)
        assert "\n" not in hint.detail and "\x1b" not in hint.detail and "\r" not in hint.detail
        assert len(hint.detail) <= hints.REASON_LIMIT


# --- the node: sudo's own PATH is not a missing k3s ------------------------------------------

def test_sudo_not_finding_k3s_is_secure_path_once_k3s_is_known_to_be_installed():
    message = "sudo: k3s: command not found"
    assert hints.classify_node_message(message) == "node_k3s_missing"  # on its own, it may be either
    assert hints.classify_node_message(message, k3s_found=True) == "node_sudo_secure_path"
    hint = hints.hint("node_sudo_secure_path", k3s_path="/usr/local/bin/k3s", k3s_dir="/usr/local/bin",
                      ref="alice/app:v1")
    assert "installed at /usr/local/bin/k3s" in hint.what and "secure_path" in hint.what
    assert "`sudo /usr/local/bin/k3s crictl pull alice/app:v1`" in hint.next_step
    assert "`sudo $(command -v k3s) crictl pull alice/app:v1`" in hint.next_step
    assert "get.k3s.io" not in str(hint)


@pytest.mark.parametrize("message", ["bash: line 1: sudo: command not found", "sh: 1: sudo: not found"])
def test_sudo_that_is_not_installed_is_about_sudo(message):
    assert hints.classify_node_message(message, k3s_found=True) == "node_sudo_not_allowed"


def test_node_advice_types_k3s_the_way_this_node_needs():
    root = hints.hint("node_pull_failed", ref="alice/app:v1", k3s_command="/usr/local/bin/k3s", detail="odd")
    assert "`/usr/local/bin/k3s crictl pull alice/app:v1`" in root.next_step and "sudo" not in root.next_step
    assert "`sudo k3s crictl pull alice/app:v1`" in hints.hint("node_pull_timeout", ref="alice/app:v1").next_step
    reason = hints.node_pulled_reason("alice/app:v1", "sha256:" + "a" * 64, "/usr/local/bin/k3s")
    assert reason.startswith("The node pulled alice/app:v1") and "`sudo /usr/local/bin/k3s crictl pull" in reason


def test_login_rejected_advice_follows_the_registry():
    hub = hints.hint("login_rejected", registry="docker.io", username="alice")
    plain = hints.hint("login_rejected", registry="127.0.0.1:5000", username="alice")
    ghcr = hints.hint("login_rejected", registry="ghcr.io", username="alice")
    assert "access token" in hub.next_step and "hub.docker.com" in hub.next_step
    assert "htpasswd" in plain.next_step and "hub.docker.com" not in plain.next_step
    assert "write:packages" in ghcr.next_step


# --- the package: one table per source, each code and placeholder in one of them ------------------

SOURCES = ("docker", "registry", "node", "doctor", "follow", "practice")


def test_each_code_and_each_placeholder_belongs_to_one_source():
    import importlib
    from pathlib import Path

    from tutor.hints import catalogue

    modules = [importlib.import_module(f"tutor.hints.{name}") for name in SOURCES]
    codes = [code for module in modules for code in module.TEXTS]
    assert len(codes) == len(set(codes)) and set(codes) == set(hints.CATALOGUE)
    keys = [*catalogue.COMMON, *(key for module in modules for key in module.GENERIC)]
    assert len(keys) == len(set(keys)), sorted(key for key in set(keys) if keys.count(key) > 1)
    # Every generic wording is said somewhere (no leftover of a sentence that is gone).
    said = " ".join(text for pair in hints.CATALOGUE.values() for text in pair)
    assert not [key for key in keys if f"{{{key}}}" not in said]
    package = Path(catalogue.__file__).parent
    assert not [p.name for p in package.glob("*.py") if len(p.read_text().splitlines()) > 400]


def test_the_failure_hint_is_not_the_lessons_hint():
    import tutor.lesson

    assert hints.FailureHint is not tutor.lesson.Hint and not hasattr(hints, "Hint")


def test_a_node_pull_hint_comes_from_one_mapping_whatever_the_caller_found():
    sudo = "sudo: k3s: command not found"
    assert hints.from_node_pull(sudo).code == "node_k3s_missing"
    assert hints.from_node_pull(sudo, k3s_found=True).code == "node_sudo_secure_path"
    # What the message cannot say: the caller's own finding, without a detail when nothing was printed.
    late = hints.from_node_pull("", code="node_pull_timeout", ref="alice/app:v1", seconds="120")
    assert (late.code, late.detail) == ("node_pull_timeout", "") and "120 seconds" in late.what
    wrong = hints.from_node_pull("pulling image: exec format error", code="node_arch_mismatch", ref="alice/app:v1",
                                 image_platform="linux/arm64", node_platform="linux/amd64")
    assert wrong.detail == "exec format error" and "linux/arm64" in wrong.what
    # The row's reason is the hint's own sentence where that is short, never a second wording of it.
    for code, made in (("node_pull_timeout", late), ("node_arch_mismatch", wrong)):
        assert hints.node_pull_reason(code, "alice/app:v1", made) == made.what
    missing = hints.from_node_pull("manifest unknown", ref="alice/app:v9")
    assert hints.node_pull_reason(missing.code, "alice/app:v9", missing) == missing.what == (
        "The node could not pull alice/app:v9: the registry has no such image or tag.")


@pytest.mark.parametrize("registry, token", [
    ("docker.io", "on Docker Hub, use an access token"),
    ("ghcr.io", "access token"),
    ("127.0.0.1:5000", None),
])
def test_token_advice_only_where_the_registry_issues_tokens(registry, token):
    """A registry that has only passwords (htpasswd) is never told to use an access token."""
    own = hints.from_docker("denied: requested access to the resource is denied", "push", ref="alice/app:v1",
                            registry=registry, username="alice", logged_in="alice", namespace="alice",
                            corrected="alice/app:v1")
    rejected = hints.from_registry("credentials-rejected", username="alice", registry=registry,
                                   registry_label=registry, ref="alice/app:v1")
    incomplete = hints.hint("login_incomplete", registry=registry)
    assert own.code == "push_denied_own" and rejected.code == "registry_credentials_rejected"
    for found in (own, rejected, incomplete):
        said = f"{found.what} {found.next_step}"
        if token is None:
            assert "token" not in said and "Docker Hub" not in said, said
        elif found is not incomplete:
            assert token in found.next_step, said
    assert incomplete.what.endswith(" a password.") if token is None else "password or access token" in incomplete.what
    assert own.next_step.startswith("Log in again (`docker login") and own.next_step.endswith(".")


def _caused(outer: Exception, *causes: BaseException) -> Exception:
    """An exception chained as httpx chains them (httpx error <- httpcore error <- OSError)."""
    current = outer
    for cause in causes:
        current.__cause__ = cause
        current = cause  # type: ignore[assignment]
    return outer


@pytest.mark.parametrize("error, problem, said, step", [
    (_caused(OSError("All connection attempts failed"), ConnectionRefusedError(111, "Connect call failed")),
     "refused", "127.0.0.1:5000 refused the connection: no registry is listening at that address.",
     "Start the registry"),
    (type("ConnectTimeout", (Exception,), {})("timed out"), "no-answer",
     "127.0.0.1:5000 did not answer within 10 seconds.", "VPN, proxy or firewall"),
    (type("ReadTimeout", (Exception,), {})(""), "silent",
     "127.0.0.1:5000 accepted the connection but sent no answer within 10 seconds.", "overloaded"),
    (_caused(OSError("[Errno -2] Name or service not known"), socket.gaierror(-2, "Name or service not known")),
     "name-not-found", "127.0.0.1:5000 was not found: the name regsitry.example could not be looked up", "spelling"),
    (socket.gaierror(-3, "Temporary failure in name resolution"), "lookup-failed",
     "no name server answered for regsitry.example", "are you online?"),
    (OSError("something odd"), "unreachable", "127.0.0.1:5000 could not be reached (something odd).", "network"),
])
def test_a_registry_that_cannot_be_reached_is_said_in_words(error, problem, said, step):
    assert hints.transport_problem(error) == problem
    found = hints.from_registry("unreachable", detail=str(error) or "x", problem=problem, seconds=10.0,
                                host="regsitry.example", registry="127.0.0.1:5000", registry_label="127.0.0.1:5000",
                                ref="127.0.0.1:5000/alice/app:v1")
    assert found.code == "registry_unreachable_probe"  # the code stays (doctor --json names it)
    assert said in found.what and step in found.next_step
    assert "All connection attempts failed" not in found.what + found.next_step
