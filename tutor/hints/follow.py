"""Following the learner's terminal (tutor/follow.py): names that are not the lesson's."""

from __future__ import annotations

from tutor.hints.catalogue import FailureHint, hint

TEXTS: dict[str, tuple[str, str]] = {
    "follow_no_namespace": (
        "{did} {name} without {missing} in front: {consequence}",
        "Give the image the lesson's name and push that: `docker tag {name} {expected}`, then "
        "`docker push {expected}`.",
    ),
    "follow_other_namespace": (
        "{did} {name}, under {namespace}/ instead of your username {username}/: {consequence}",
        "Give the image a name under your username and push that: `docker tag {name} {expected}`, then "
        "`docker push {expected}`.",
    ),
    "follow_other_registry": (
        "{did} {name} without {registry}'s host in front: {consequence}",
        "Give the image the name with the registry's host and push that: `docker tag {name} {expected}`, then "
        "`docker push {expected}`.",
    ),
    "follow_latest": (
        "{did} {name}{untagged}, but the lesson asks for the tag {tag}: the checks and your node look for "
        "{expected}.",
        "Give it the version tag as well: `docker tag {name} {expected}`, then `docker push {expected}`.",
    ),
}

GENERIC = {"missing": "your username", "untagged": ""}

_FOLLOW_CODES = {"no-namespace": "follow_no_namespace", "other-namespace": "follow_other_namespace",
                 "other-registry": "follow_other_registry", "latest": "follow_latest"}


def follow_wrong_name(problem: str, name: str, expected: str, *, pushed: bool = False, username: str = "",
                      registry: str = "", tag: str = "") -> FailureHint:
    """A name seen in the learner's terminal that is not the lesson's (problem from follow.wrong_name)."""
    from tutor.reference import ImageNameError, is_hub, parse

    hub = is_hub(registry or "docker.io")
    try:
        seen = parse(name)
    except ImageNameError:
        seen = None
    # A bare name (poll-backend:v1) lacks the registry's host as well when the lesson's is not Docker Hub:
    # then it is Docker Hub that a push of it goes to.
    hostless = not hub and seen is not None and seen.is_docker_hub
    checks = f"the tutor's checks look for {expected}."
    if pushed:
        did = "You pushed"
        consequence = {
            "no-namespace": (f"it went to Docker Hub, not to {registry}, and {checks}" if hostless
                             else f"it went in as a repository of no user, and {checks}"),
            "other-namespace": f"it went to another user's namespace, and {checks}",
            "other-registry": f"it went to Docker Hub, not to {registry}, and {checks}",
        }.get(problem, checks)
    else:
        did = "You named an image"
        denied = ("Docker Hub denies that push (\"requested access to the resource is denied\")" if hub else
                  "a registry that keeps accounts apart refuses that push")
        consequence = {
            "no-namespace": (f"a push would go to Docker Hub's official images (library/), and {denied}."
                             if hub else
                             f"a push would go to Docker Hub's official images (library/), not to {registry}, "
                             f"and {checks}" if hostless else f"a push would not go under your username, and {checks}"),
            "other-namespace": f"{denied}, and {checks}",
            "other-registry": f"a push would go to Docker Hub, not to {registry}, and {checks}",
        }.get(problem, checks)
    namespace = name.split("/")[-2] if name.count("/") >= 1 else ""
    missing = f"the registry's host ({registry}) and your username" if hostless else "your username"
    # "alice/poll:latest with the tag latest" said it twice; a name without a tag is latest unsaid.
    last = name.rsplit("/", 1)[-1]
    untagged = " (no tag, so docker made it latest)" if ":" not in last and "@" not in last else ""
    return hint(_FOLLOW_CODES.get(problem, "unknown"), did=did, name=name, expected=expected,
                consequence=consequence, namespace=namespace, username=username, registry=registry, tag=tag,
                missing=missing, untagged=untagged)
