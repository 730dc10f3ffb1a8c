"""Image reference parsing against the engine's rules (distribution/reference cases and ours)."""

from __future__ import annotations

import pickle

import pytest

from tutor import reference as r
from tutor.reference import ImageRef, ImageNameError, build, parse, validate_username

SHA = "sha256:" + "f" * 64
SHA_B = "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c"
SHA512 = "sha512:" + "e" * 128
HEX64 = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a"

# input -> (registry, path, tag, digest, full form)
VALID = [
    ("nginx", "docker.io", "library/nginx", "latest", None, "docker.io/library/nginx:latest"),
    ("nginx:latest", "docker.io", "library/nginx", "latest", None, "docker.io/library/nginx:latest"),
    ("nginx:1.25-alpine", "docker.io", "library/nginx", "1.25-alpine", None,
     "docker.io/library/nginx:1.25-alpine"),
    ("yourusername/poll-backend:v1", "docker.io", "yourusername/poll-backend", "v1", None,
     "docker.io/yourusername/poll-backend:v1"),
    ("ghcr.io/yourusername/poll-backend:v1", "ghcr.io", "yourusername/poll-backend", "v1", None,
     "ghcr.io/yourusername/poll-backend:v1"),
    ("localhost:5000/app", "localhost:5000", "app", "latest", None, "localhost:5000/app:latest"),
    ("localhost/app", "localhost", "app", "latest", None, "localhost/app:latest"),
    ("127.0.0.1:5000/learner/app:v1", "127.0.0.1:5000", "learner/app", "v1", None,
     "127.0.0.1:5000/learner/app:v1"),
    ("docker.io/library/nginx", "docker.io", "library/nginx", "latest", None, "docker.io/library/nginx:latest"),
    ("docker.io/nginx", "docker.io", "library/nginx", "latest", None, "docker.io/library/nginx:latest"),
    ("index.docker.io/user/app", "docker.io", "user/app", "latest", None, "docker.io/user/app:latest"),
    ("index.docker.io/debian", "docker.io", "library/debian", "latest", None, "docker.io/library/debian:latest"),
    ("registry-1.docker.io/library/nginx:1.25", "docker.io", "library/nginx", "1.25", None,
     "docker.io/library/nginx:1.25"),
    ("library/debian", "docker.io", "library/debian", "latest", None, "docker.io/library/debian:latest"),
    ("library/foo/bar", "docker.io", "library/foo/bar", "latest", None, "docker.io/library/foo/bar:latest"),
    (f"redis@{SHA_B}", "docker.io", "library/redis", None, SHA_B, f"docker.io/library/redis@{SHA_B}"),
    (f"dmcgowan/myapp@{SHA_B}", "docker.io", "dmcgowan/myapp", None, SHA_B, f"docker.io/dmcgowan/myapp@{SHA_B}"),
    (f"busybox:latest@{SHA}", "docker.io", "library/busybox", "latest", SHA, f"docker.io/library/busybox:latest@{SHA}"),
    (f"test:5000/repo:tag@{SHA}", "test:5000", "repo", "tag", SHA, f"test:5000/repo:tag@{SHA}"),
    (f"xn--7o8h.com/myimage:xn--7o8h.com@{SHA512}", "xn--7o8h.com", "myimage", "xn--7o8h.com", SHA512,
     f"xn--7o8h.com/myimage:xn--7o8h.com@{SHA512}"),
    ("[::1]:5000/app", "[::1]:5000", "app", "latest", None, "[::1]:5000/app:latest"),
    ("[2001:db8::1]/repo:tag", "[2001:db8::1]", "repo", "tag", None, "[2001:db8::1]/repo:tag"),
    ("[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000", "library/debian", "latest", None,
     "[fc00:1:2:3:4:5:6:7]:5000/library/debian:latest"),
    ("test.com:5000", "docker.io", "library/test.com", "5000", None, "docker.io/library/test.com:5000"),
    ("localhost:5000", "docker.io", "library/localhost", "5000", None, "docker.io/library/localhost:5000"),
    ("192.168.1.1", "docker.io", "library/192.168.1.1", "latest", None, "docker.io/library/192.168.1.1:latest"),
    ("192.168.0.1:8/debian", "192.168.0.1:8", "debian", "latest", None, "192.168.0.1:8/debian:latest"),
    ("test_com/foo", "docker.io", "test_com/foo", "latest", None, "docker.io/test_com/foo:latest"),
    ("test-com:8080/foo", "test-com:8080", "foo", "latest", None, "test-com:8080/foo:latest"),
    ("sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux", "some-long-tag", None,
     "sub-dom1.foo.com/bar/baz/quux:some-long-tag"),
    ("b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app",
     "test.example.com", None, "b.gcr.io/test.example.com/my-app:test.example.com"),
    ("docker---rules/docker", "docker.io", "docker---rules/docker", "latest", None,
     "docker.io/docker---rules/docker:latest"),
    ("dock__er/docker", "docker.io", "dock__er/docker", "latest", None, "docker.io/dock__er/docker:latest"),
    ("d/docker", "docker.io", "d/docker", "latest", None, "docker.io/d/docker:latest"),
    ("lowercase:Uppercase", "docker.io", "library/lowercase", "Uppercase", None,
     "docker.io/library/lowercase:Uppercase"),
    ("app:_private", "docker.io", "library/app", "_private", None, "docker.io/library/app:_private"),
    (f"docker.io/{HEX64}", "docker.io", f"library/{HEX64}", "latest", None, f"docker.io/library/{HEX64}:latest"),
    ("Registry.Example.com/team/app:v2", "Registry.Example.com", "team/app", "v2", None,
     "Registry.Example.com/team/app:v2"),
    # 255 characters of path is the limit; Docker Hub's library/ prefix counts towards it.
    ("a" * 247, "docker.io", "library/" + "a" * 247, "latest", None, "docker.io/library/" + "a" * 247 + ":latest"),
    ("a/" * 127 + "a:tag-puts-this-over-max", "docker.io", "a/" * 127 + "a", "tag-puts-this-over-max", None,
     "docker.io/" + "a/" * 127 + "a:tag-puts-this-over-max"),
    ("app:" + "t" * 128, "docker.io", "library/app", "t" * 128, None, "docker.io/library/app:" + "t" * 128),
]


@pytest.mark.parametrize(("text", "registry", "path", "tag", "digest", "full"), VALID, ids=[v[0][:50] for v in VALID])
def test_valid_references_normalise_like_docker(text, registry, path, tag, digest, full):
    ref = parse(text)
    assert (ref.registry, ref.path, ref.tag, ref.digest) == (registry, path, tag, digest)
    assert ref.full == full
    # The full form is canonical: parsing it again gives the same reference.
    assert parse(ref.full) == ref


INVALID = [
    ("", r.RULE_EMPTY),
    ("   ", r.RULE_EMPTY),
    (":v1", r.RULE_FORMAT),
    (":justtag", r.RULE_FORMAT),
    (f"@{SHA}", r.RULE_FORMAT),
    ("app:", r.RULE_TAG),
    ("-app", r.RULE_FORMAT),
    ("-docker/docker", r.RULE_FORMAT),
    ("docker-/docker", r.RULE_FORMAT),
    ("-docker-/docker", r.RULE_FORMAT),
    ("-docker.io/docker/docker", r.RULE_FORMAT),
    ("a..b", r.RULE_FORMAT),
    ("dock..er/docker", r.RULE_FORMAT),
    ("dock_.er/docker", r.RULE_FORMAT),
    ("dock-.er/docker", r.RULE_FORMAT),
    ("a___b", r.RULE_FORMAT),
    ("____/____", r.RULE_FORMAT),
    ("_docker/_docker", r.RULE_FORMAT),
    ("docker///docker", r.RULE_FORMAT),
    ("docker.io/docker///docker", r.RULE_FORMAT),
    ("docker/", r.RULE_FORMAT),
    ("docker.io/", r.RULE_FORMAT),
    ("aa/asdf$$^/aa", r.RULE_FORMAT),
    ("my app:v1", r.RULE_FORMAT),
    # Docker refuses whitespace at the ends too: `docker push 'user/app:v1 '` is an invalid reference.
    ("user/app:v1 ", r.RULE_FORMAT),
    (" user/app:v1", r.RULE_FORMAT),
    ("  nginx:1.25  ", r.RULE_FORMAT),
    ("nginx\n", r.RULE_FORMAT),
    ("\tnginx", r.RULE_FORMAT),
    ("nginx\u00a0", r.RULE_FORMAT),
    ("user/ app", r.RULE_FORMAT),
    ("user/app :v1", r.RULE_FORMAT),
    ("user/app@ " + SHA, r.RULE_FORMAT),
    ("app:v1:v2", r.RULE_FORMAT),
    ("https://github.com/docker/docker", r.RULE_FORMAT),
    ("[fc00::1]", r.RULE_FORMAT),
    ("[fc00::1]:5000", r.RULE_FORMAT),
    ("[2001:db8::1]:tag", r.RULE_FORMAT),
    ("fc00::1:5000/debian", r.RULE_FORMAT),
    ("[fe80::1%eth0]:5000/debian", r.RULE_FORMAT),
    ("[2001:db8:3:4::192.0.2.33]:5000/debian", r.RULE_FORMAT),
    ("host:port/app", r.RULE_FORMAT),
    ("UPPER:v1", r.RULE_LOWERCASE),
    ("Uppercase:tag", r.RULE_LOWERCASE),
    ("MyUser/app", r.RULE_LOWERCASE),
    ("docker/Docker", r.RULE_LOWERCASE),
    ("docker.io/docker/Docker", r.RULE_LOWERCASE),
    ("test:5000/Uppercase/lowercase:tag", r.RULE_LOWERCASE),
    ("[fc00::1]:5000/Debian", r.RULE_LOWERCASE),
    ("app:-x", r.RULE_TAG),
    ("app:.x", r.RULE_TAG),
    ("app:v$1", r.RULE_TAG),
    ("app:" + "t" * 129, r.RULE_TAG),
    ("app@", r.RULE_DIGEST),
    ("app@sha256", r.RULE_DIGEST),
    ("repo@sha256:" + "f" * 34, r.RULE_DIGEST),
    ("app@sha256:" + "F" * 64, r.RULE_DIGEST),
    ("app@sha256:" + "g" * 64, r.RULE_DIGEST),
    ("validname@invaliddigest:" + "f" * 64, r.RULE_DIGEST_ALGORITHM),
    (f"app@{SHA}@{SHA}", r.RULE_FORMAT),
    (HEX64, r.RULE_IMAGE_ID),
    ("a" * 248, r.RULE_TOO_LONG),
    ("a/" * 128 + "a:tag", r.RULE_TOO_LONG),
    ("this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255" * 4 + "/docker", r.RULE_TOO_LONG),
    ("x" * 5000, r.RULE_TOO_LONG),
]


@pytest.mark.parametrize(("text", "rule"), INVALID, ids=[v[0][:50] or "empty" for v in INVALID])
def test_invalid_references_name_the_rule_broken(text, rule):
    with pytest.raises(ImageNameError) as caught:
        parse(text)
    err = caught.value
    assert err.rule == rule
    assert isinstance(err, ValueError)
    assert str(err).startswith(rule)
    if text.strip() and len(text) < 300:
        # The message echoes what the learner typed, exactly; quoted when whitespace would hide in it.
        shown = repr(text) if any(ch.isspace() for ch in text) else text
        assert str(err) == f"{rule}: {shown}" and "\n" not in str(err)
    assert err.hint  # every error comes with a next step


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("user/app:v1 ", "remove the space at the end: 'user/app:v1'"),
        ("\tuser/app:v1", "remove the space at the start: 'user/app:v1'"),
        (" user/app:v1\n", "remove the space at both ends: 'user/app:v1'"),
        ("user/APP ", "another problem"),
        ("user/ app", "inside"),
        # A command pasted whole: its image is named, nothing else of it.
        ("docker push user/app:v1", "give only the image name, not the docker command around it: 'user/app:v1'"),
        ("docker run -p 3000:3000 user/app:v1", "not the docker command around it: 'user/app:v1'"),
        ("docker pull", "inside"),
    ],
)
def test_whitespace_hint_says_where_it_is(text, fragment):
    with pytest.raises(ImageNameError) as caught:
        parse(text)
    assert fragment in caught.value.hint
    if text.strip() == "user/app:v1":
        assert parse(text.strip()).full == "docker.io/user/app:v1"  # the suggested fix really parses


def test_uppercase_error_suggests_the_lowercased_reference():
    with pytest.raises(ImageNameError) as caught:
        parse("MyUser/app")
    assert str(caught.value) == "repository name must be lowercase: MyUser/app"
    assert "myuser/app" in caught.value.hint
    with pytest.raises(ImageNameError) as caught:
        parse("ghcr.io/Team/App:V1")
    # The registry and the tag keep their case; only the repository path is lowercased.
    assert "ghcr.io/team/app:V1" in caught.value.hint


def test_uppercase_is_not_suggested_when_the_lowercased_form_is_still_invalid():
    with pytest.raises(ImageNameError) as caught:
        parse("My-/App")
    assert caught.value.rule == r.RULE_LOWERCASE
    assert "my-/app" not in caught.value.hint


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("app:", "leave out the ':'"),
        ("app:-x", "cannot start with '-'"),
        ("app:" + "t" * 129, "129"),
        ("a..b", "'..'"),
        ("https://ghcr.io/u/app", "ghcr.io/u/app"),
        ("host:port/app", "must be a number"),
        ("fc00::1:5000/app", "brackets"),
        ("app@sha256:abc", "exactly 64"),
        ("app@sha256:" + "A" * 64, "sha256:" + "a" * 64),
        ("app:v1:v2", "after the last '/'"),
        ("a" * 248, "256"),
    ],
)
def test_hints_point_at_the_fix(text, fragment):
    with pytest.raises(ImageNameError) as caught:
        parse(text)
    assert fragment in caught.value.hint


@pytest.mark.parametrize(
    ("text", "namespace", "repository", "familiar", "short"),
    [
        ("nginx", "library", "nginx", "nginx", "nginx:latest"),
        ("user/app:v1", "user", "app", "user/app", "user/app:v1"),
        ("ghcr.io/u/app:v1", "u", "app", "ghcr.io/u/app", "ghcr.io/u/app:v1"),
        ("localhost:5000/app", None, "app", "localhost:5000/app", "localhost:5000/app:latest"),
        ("library/foo/bar", "library", "foo/bar", "library/foo/bar", "library/foo/bar:latest"),
        ("store/foo/bar:1", "store", "foo/bar", "store/foo/bar", "store/foo/bar:1"),
        ("127.0.0.1:8000/private/moonbase", "private", "moonbase", "127.0.0.1:8000/private/moonbase",
         "127.0.0.1:8000/private/moonbase:latest"),
        (f"nginx:1.25@{SHA}", "library", "nginx", "nginx", "nginx:1.25"),
        (f"nginx@{SHA}", "library", "nginx", "nginx", f"nginx@{SHA}"),
    ],
)
def test_namespace_repository_and_docker_images_forms(text, namespace, repository, familiar, short):
    ref = parse(text)
    assert ref.namespace == namespace
    assert ref.repository == repository
    assert ref.familiar_name == familiar
    assert ref.short == short


def test_docker_hub_and_its_api_host():
    hub = parse("yourusername/poll-backend:v1")
    assert hub.is_docker_hub and hub.api_registry == "registry-1.docker.io"
    other = parse("127.0.0.1:5000/learner/app:v1")
    assert not other.is_docker_hub and other.api_registry == "127.0.0.1:5000"
    assert parse("registry-1.docker.io/u/app").is_docker_hub


@pytest.mark.parametrize("spelling", ["docker.io", "Docker.IO", "DOCKER.IO", "Index.Docker.io",
                                      "Registry-1.Docker.IO", "registry.hub.docker.com", "ghcr.io", "GHCR.io",
                                      "127.0.0.1:5000", "Localhost:5000", "my.Registry.example"])
def test_one_answer_to_is_this_docker_hub(spelling):
    """Settings, image names, the login and config.json all ask reference.is_hub: with registry
    'Docker.IO' the login must not go to Docker Hub while the images are named for another registry."""
    from tutor.docker_ops import commandline, docker_config
    from tutor.lesson import registries

    hub = r.is_hub(spelling)
    assert hub == (spelling.lower() in r.HUB_ALIASES)  # only Docker Hub's own names, in any case
    built = build("learner", "app", "v1", registry=spelling)
    assert built.is_docker_hub == hub and (built.registry == r.DOCKER_HUB) == hub
    assert str(built) == (f"{r.DOCKER_HUB}/learner/app:v1" if hub else f"{spelling}/learner/app:v1")
    named = parse(f"{spelling}/learner/app:v1")
    assert named.is_docker_hub == hub and named.short == ("learner/app:v1" if hub else str(named))
    assert registries.describe(spelling).hub == hub
    assert (commandline.login(spelling, "learner") == "docker login -u learner --password-stdin") == hub
    assert (docker_config.server_address(spelling) == docker_config.HUB_KEY) == hub
    assert (r.registry_key(spelling) == r.DOCKER_HUB) == hub
    # Docker Hub's username rule (no separators) applies exactly when the name is for Docker Hub.
    assert (validate_username("learner-x", registry=spelling) is not None) == hub


def test_latest_is_the_default_only_without_a_digest():
    assert parse("nginx").tag == "latest"
    assert parse(f"nginx@{SHA}").tag is None
    # A hand-made ImageRef without tag or digest still prints its tag in full form.
    assert ImageRef("docker.io", "library/nginx").full == "docker.io/library/nginx:latest"


def test_with_tag_retags_and_validates():
    ref = parse(f"user/app:v1@{SHA}")
    retagged = ref.with_tag("v2")
    assert retagged.full == "docker.io/user/app:v2"
    assert ref.tag == "v1"  # frozen: the original is unchanged
    with pytest.raises(ImageNameError) as caught:
        ref.with_tag("bad tag")
    assert caught.value.rule == r.RULE_TAG


def test_str_of_a_reference_is_its_full_form():
    assert str(parse("ghcr.io/u/app:v1")) == "ghcr.io/u/app:v1"


def test_reference_error_survives_pickling():
    err = ImageNameError(r.RULE_TAG, "app:", "add a tag")
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.rule, copy.reference, copy.hint, str(copy)) == (err.rule, err.reference, err.hint, str(err))


def test_build_composes_docker_hub_and_other_registries():
    hub = build("alice", "poll-backend", "v1")
    assert hub.full == "docker.io/alice/poll-backend:v1"
    assert hub.short == "alice/poll-backend:v1"
    assert build("alice", "poll-backend", "v1", registry="index.docker.io") == hub
    local = build("tutor-test", "poll-backend", "v1", registry="127.0.0.1:5000")
    assert local.full == "127.0.0.1:5000/tutor-test/poll-backend:v1"
    assert build("learner", "app", "v1", registry="localhost").registry == "localhost"


@pytest.mark.parametrize(
    ("args", "rule"),
    [
        (("Alice", "poll-backend", "v1"), r.RULE_USERNAME),
        (("bob", "poll-backend", "v1"), r.RULE_USERNAME),
        (("alice", "Poll-Backend", "v1"), r.RULE_LOWERCASE),
        (("alice", "poll-backend", "-v1"), r.RULE_TAG),
        (("alice", "poll-backend", ""), r.RULE_TAG),
        (("alice", "", "v1"), r.RULE_FORMAT),
        (("alice", "poll-backend:v1", "v1"), r.RULE_FORMAT),
        (("alice", "app", "v1", "myregistry"), r.RULE_REGISTRY),
        (("alice", "app", "v1", "bad_host:5000"), r.RULE_REGISTRY),
        (("Al-ice", "app", "v1", "127.0.0.1:5000"), r.RULE_USERNAME),
    ],
)
def test_build_rejects_bad_parts(args, rule):
    with pytest.raises(ImageNameError) as caught:
        build(*args)
    assert caught.value.rule == rule
    assert caught.value.hint


def test_build_suggests_the_lowercased_whole_name():
    with pytest.raises(ImageNameError) as caught:
        build("alice", "Poll-Backend", "v1")
    assert "alice/poll-backend:v1" in caught.value.hint


@pytest.mark.parametrize("name", ["alice", "yourusername", "abcd", "a1b2c3", "x" * 30])
def test_docker_hub_usernames_that_are_fine(name):
    assert validate_username(name) is None


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("Alice", "use 'alice'"),
        ("bob", "4 to 30"),
        ("x" * 31, "4 to 30"),
        ("tutor-test", "'-'"),
        ("al_ice", "'_'"),
        ("alice@example.com", "email"),
        ("", "Enter"),
        (" alice ", "spaces"),
        ("alice/app", "'/'"),
    ],
)
def test_docker_hub_usernames_that_are_not(name, fragment):
    message = validate_username(name)
    assert message is not None and fragment in message


def test_other_registries_use_the_path_component_rule():
    assert validate_username("tutor-test", registry="127.0.0.1:5000") is None
    assert validate_username("me", registry="ghcr.io") is None
    assert validate_username("a__b", registry="ghcr.io") is None
    assert "lowercase" in validate_username("Team", registry="ghcr.io")
    assert "start and end" in validate_username("-team", registry="ghcr.io")
    # Docker Hub's aliases get Docker Hub's rule.
    assert validate_username("tutor-test", registry="index.docker.io") is not None


# --- against docker's own parser ------------------------------------------------------------

def _tricky_references() -> list[str]:
    """Edge cases of every rule, and combinations of awkward parts (deterministic, no randomness)."""
    cases = ["user/app:v1 ", " user/app:v1", "user/app:v1\t", "user/ app", "nginx\u00a0", "localhost:5000",
             "a" * 247, "a" * 248, "x/" + "a" * 253, "x/" + "a" * 254, "127.0.0.1:5000/" + "a" * 255,
             "127.0.0.1:5000/" + "a" * 256, "a/" * 127 + "a:t", "a/" * 128 + "a:t", "app:" + "t" * 128,
             "app:" + "t" * 129, "f" * 64, "x/" + "f" * 64, "f" * 64 + ":v1", "f" * 63, "docker.io/" + "f" * 64,
             "app@" + SHA, "app@sha256:" + "F" * 64, "app@sha384:" + "d" * 96, "app@sha512:" + "e" * 128,
             "app@md5:" + "f" * 32, "app@sha256:" + "f" * 63, "app@foo+bar:" + "f" * 32, "[::1]:5000/a",
             "[::1]/a", "[fe80::1%eth0]/a", "a:0/b", "A:5000/b", "a.b/c", "Docker.io/a", "docker.io/A",
             "index.docker.io/a", "a:b/c:d", "a/b:", "a/b:-x", "a/b:_x", "-a/b", "a//b", "a/b/", "é/app"]
    parts = ["a", "x-y", "a.b", "a__b", "a--b", "a___b", "a..b", "a-", "_a", "localhost", "host:5000", "host:x"]
    tags = ["", ":v1", ":V1.0_x-y", ":.x", ":"]
    for i, first in enumerate(parts):
        for j, second in enumerate(parts[1:] + parts[:1]):
            cases.append(f"{first}/{second}{tags[(i + j) % len(tags)]}")
    return cases


def test_accepts_exactly_what_the_docker_cli_accepts(tmp_path):
    """`docker pull` parses its argument before it talks to the engine: with no engine at all, a
    reference it accepts fails to connect, one it refuses fails as an invalid reference."""
    import os
    import shutil
    import subprocess

    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker CLI to compare with (apt-get install docker.io)")
    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock", "DOCKER_CONFIG": str(tmp_path)}
    disagreements = []
    for text in _tricky_references():
        said = subprocess.run([docker, "pull", "--", text], capture_output=True, text=True, env=env, timeout=30)
        docker_accepts = "Cannot connect to the Docker daemon" in said.stdout + said.stderr
        try:
            parse(text)
            ours = True
        except ImageNameError:
            ours = False
        # The one deliberate difference (module docstring): an uppercase first part is a lowercase mistake
        # to us, a registry host to docker's newest parser.
        if docker_accepts and not ours and text.split("/", 1)[0] != text.split("/", 1)[0].lower():
            continue
        if docker_accepts != ours:
            disagreements.append((text, docker_accepts, (said.stdout + said.stderr).strip()[-80:]))
    assert disagreements == []
