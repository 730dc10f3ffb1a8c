"""A registry's answers: what docker's login, push and pull met there (refusals, rate limits, server
errors, silence), and what the checklist's registry probe saw through the HTTP API (a missing tag, a
private repository, a stale push, rejected credentials)."""

from __future__ import annotations

import re

from tutor.hints.catalogue import FailureHint, first_line, hint

TEXTS: dict[str, tuple[str, str]] = {
    # Logging in.
    "invalid_registry": (
        "{registry} is not a registry address.",
        "Give a host name, with a port if it has one (ghcr.io, 127.0.0.1:5000), or leave it empty for Docker Hub.",
    ),
    "login_incomplete": (
        "Logging in needs both a username (without spaces) and a {secret}.",
        "Enter both and try again.",
    ),
    "login_username_invalid": (
        "The tutor did not log in: {problem}.",
        "Use the username you log in to {registry} with (letters, digits, '.', '_', '-'): set it in the "
        "settings, or pass --var username=NAME to `docker-tutor do`.",
    ),
    "login_rejected": (
        "{registry} rejected the username {username} with this password.",
        "Check both, then log in again. {token_help}",
    ),
    "credential_helper_broken": (
        "Docker is configured to keep credentials in a helper program that cannot be used: {detail}",
        "Install that helper, or remove the `credsStore` / `credHelpers` entry from {config}, then log in again.",
    ),
    "registry_unreachable": (
        "Docker could not reach the registry {registry}.",
        "Check the registry's name and your network connection, then try again.",
    ),
    "registry_refused": (
        "Nothing is listening at {registry}: the connection was refused, so no registry runs on that address.",
        "Start the registry (or correct its host and port in the settings), then try again.",
    ),
    "registry_plain_http": (
        "{registry} answers over plain HTTP, but Docker only talks HTTPS to registries it does not trust.",
        "Use the registry's HTTPS address, or add it to `insecure-registries` in Docker's daemon.json.",
    ),
    "rate_limited": (
        "The registry is rate limiting you: too many requests in a short time.",
        "Wait a few minutes and try again; on Docker Hub, being logged in raises the pull limit.",
    ),
    # The registry's own Retry-After, when the tutor could read it: the real wait, not a guess.
    "rate_limited_wait": (
        "{registry} is rate limiting you (HTTP 429) and asks to wait {wait}.",
        "Wait that long, then {retry}; on Docker Hub, being logged in raises the pull limit.",
    ),
    "registry_server_error": (
        "{registry} answered HTTP {status} during the {verb}: the registry itself has a problem, not your "
        "image or your login.",
        "Try again in a few minutes{retrying}; if it goes on, the registry's status page may say more.",
    ),
    "registry_no_answer": (
        "{registry} accepted the connection but did not answer {during} in time{within}.",
        "The registry is overloaded, or something between you and it (a proxy, VPN or firewall) holds the "
        "connection: try again in a few minutes or from another network, then {retry}.",
    ),
    # A transfer that stopped moving: who stopped answering is checked before blaming anyone.
    "transfer_stalled": (
        "{registry} stopped answering during {transfer}: no data for {seconds} seconds, so the tutor stopped "
        "the {verb}.",
        "Check your network connection (Wi-Fi, VPN), then {retry}{resume}.",
    ),
    # Pushing.
    # Pushing. Registries like Docker Hub let an account push only under its own name, so the
    # account docker sent ({logged_in}) and the namespace the image is named under decide the advice.
    "push_denied": (
        "You are logged in to {registry} as {logged_in}, but {ref} {named_under}: {logged_in} may only push "
        "to repositories under {logged_in}/.",
        "{choice}{retag}",
    ),
    "push_denied_own": (
        "You are logged in to {registry} as {logged_in} and {ref} is named under {logged_in}/, yet the registry "
        "refused the push: the stored login is no longer valid, or it may only read.",
        "Log in again (`{login_command}`){password_advice}.",
    ),
    "push_unauthenticated": (
        "Nobody is logged in to {registry}, so it will not let you push {ref}.",
        "Log in first (`{login_command}`) as {owner}, then push again.",
    ),
    # Pulling and building.
    "pull_unauthenticated": (
        "{registry} wants to know who you are before it lets you pull {ref}, and docker has no login for it "
        "(no basic auth credentials).",
        "Log in first (`{login_command}`), then pull again.",
    ),
    "pull_not_found": (
        "{ref} could not be pulled: it does not exist, or it is private and you are not allowed to read it.",
        "Check the name and tag on the registry; for a private repository log in first or make it public.",
    ),
    # The registry, seen through its HTTP API.
    "registry_missing_tag": (
        "{registry_label} has no {ref}: that tag, or the whole repository, was never pushed there.",
        "Push it (`docker push {ref}`), and check that the name and tag match what you built (`docker images`).",
    ),
    "registry_missing_or_private": (
        "{registry_label} will not show {ref} to the tutor: the repository is private (and not yours), "
        "or it does not exist.",
        "Log in as its owner (`{login_command}`) so the tutor can tell which; push it if it is missing.",
    ),
    "registry_private_repo": (
        "{ref} is private: only logged-in users with access can pull it, so a node without credentials cannot.",
        "Make the repository public ({visibility}), or give the node "
        "credentials: /etc/rancher/k3s/registries.yaml for crictl, an imagePullSecret for pods.",
    ),
    # A registry with no public repositories that we know of (htpasswd asks everyone to log in).
    "registry_private_login_only": (
        "{ref} is private: only logged-in users with access can pull it, so a node without credentials cannot.",
        "Give the node credentials: /etc/rancher/k3s/registries.yaml for crictl, an imagePullSecret for pods. "
        "A registry that asks everyone to log in has no public repositories; if {registry} lets you make one "
        "public, that works too.",
    ),
    "registry_stale": (
        "The {ref} on {registry_label} is not the image you have locally: it was rebuilt or re-tagged after the push.",
        "Push it again (`docker push {ref}`); better, give every new build a new tag (v2), because nodes that "
        "already pulled v1 keep their old copy.",
    ),
    "registry_credentials_rejected": (
        "{registry_label} rejected the credentials docker has stored for {username}.",
        "Log in again (`{login_command}`){password_advice}.",
    ),
    "registry_rate_limited": (
        "{registry_label} is rate limiting requests (HTTP 429) and asks to wait {retry_after} seconds.",
        "Wait that long, then check again; on Docker Hub, being logged in raises the limit.",
    ),
    # How it could not be reached is said in words (UNREACHABLE): refused, silent, no such name ...
    "registry_unreachable_probe": (
        "{registry_label} {failure}.",
        "{failure_next}",
    ),
    "registry_error": (
        "{registry_label} answered with an error: {detail}",
        "Check again in a moment; if it persists, the registry's status page may say more.",
    ),
}

GENERIC = {
    "named_under": "is named under another user's name",
    "owner": "the user the image is named under",
    "choice": "Name the image under your own username. ",
    "retag": "",
    "config": "Docker's config.json",
    "during": "the request",
    "within": "",
    "retrying": "",
    "retry_after": "some",
    "visibility": "in the registry's settings for it",
    "secret": "password or access token",
    "failure": "could not be reached",
    "failure_next": "Check the registry's name (settings) and your network connection, then check again.",
    "password_advice": "",
}

# How a registry could not be reached (transport_problem) -> (what, after its address; the next step).
UNREACHABLE = {
    "refused": ("refused the connection: no registry is listening at that address",
                "Start the registry, or correct its host and port in the settings, then check again."),
    "no-answer": ("did not answer within {seconds}",
                  "Check the registry's address in the settings and your network (a VPN, proxy or firewall can "
                  "hold a connection), then check again."),
    "silent": ("accepted the connection but sent no answer within {seconds}",
               "The registry is overloaded, or something between you and it holds the connection: check again "
               "in a few minutes."),
    "name-not-found": ("was not found: the name {host} could not be looked up (no such host, or no name "
                       "server to ask)",
                       "Check the registry's spelling in the settings and that you are online, then check again."),
    "lookup-failed": ("could not be looked up: no name server answered for {host}",
                      "Check your network connection (are you online?), then check again."),
    "tls": ("did not pass the HTTPS certificate check ({detail})",
            "Check the registry's address; behind a company proxy, its certificate may need installing. Then "
            "check again."),
    "unreachable": ("could not be reached ({detail})",
                    "Check the registry's name (settings) and your network connection, then check again."),
}


def transport_problem(exc: BaseException) -> str:
    """Which of UNREACHABLE's ways an HTTP client's failure to reach a registry is, from the exception
    and its causes (recognised by class name, errno and message: httpx is not imported here)."""
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 8:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    names = {type(e).__name__ for e in chain}
    errnos = {getattr(e, "errno", None) for e in chain}
    text = " ".join(str(e) for e in chain)
    if "ConnectionRefusedError" in names or 111 in errnos or "Connection refused" in text:
        return "refused"
    if names & {"ReadTimeout", "WriteTimeout"}:
        return "silent"
    if any(name.endswith("Timeout") or name == "TimeoutError" for name in names):
        return "no-answer"
    if -3 in errnos or "Temporary failure in name resolution" in text:
        return "lookup-failed"
    if "gaierror" in names or re.search(r"Name or service not known|nodename nor servname|No address associated",
                                        text):
        return "name-not-found"
    if names & {"SSLError", "SSLCertVerificationError"} or "CERTIFICATE_VERIFY_FAILED" in text:
        return "tls"
    return "unreachable"


# Registry probe outcome -> catalogue code (found outcomes have no hint).
_OUTCOMES = {
    "missing-tag": "registry_missing_tag",
    "missing-or-private": "registry_missing_or_private",
    "private": "registry_private_repo",
    "stale": "registry_stale",
    "credentials-rejected": "registry_credentials_rejected",
    "rate-limited": "registry_rate_limited",
    "unreachable": "registry_unreachable_probe",
    "error": "registry_error",
}


def from_registry(outcome: str, detail: str = "", **facts: object) -> FailureHint | None:
    """The hint for a registry probe's outcome; None for outcomes that need none (``public``)."""
    code = _OUTCOMES.get(outcome)
    if code is None:
        return None
    if code == "registry_private_repo":
        code = _private_code(facts)
    if code == "registry_unreachable_probe":
        what, next_step = UNREACHABLE.get(str(facts.pop("problem", "") or "unreachable"), UNREACHABLE["unreachable"])
        seconds = facts.get("seconds")
        filled = {"seconds": wait_words(seconds) if isinstance(seconds, float | int) else "several seconds",
                  "host": facts.get("host") or facts.get("registry") or "the registry's host",
                  "detail": first_line(detail) if detail else "no details were given"}
        facts.update(failure=what.format_map(filled), failure_next=next_step)
    wait = facts.get("retry_after")
    if isinstance(wait, float | int):
        facts["retry_after"] = f"{wait:.0f}"
    return hint(code, detail=detail, **facts)


def _private_code(facts: dict[str, object]) -> str:
    """Making a repository public is advice only where the registry has public repositories (Docker Hub,
    GHCR, the practice registry); elsewhere the node's credentials are the way. Fills in ``visibility``."""
    from tutor.lesson.registries import describe
    from tutor.reference import ImageNameError, parse

    registry = str(facts.get("registry") or "")
    if not registry:
        try:
            registry = parse(str(facts.get("ref") or "")).registry
        except ImageNameError:
            return "registry_private_repo"  # no name to go by: the general advice
    described = describe(registry)
    if described.practice:
        return "registry_private_repo"  # the practice registry's own wording (hints.practice) takes over
    if not described.visibility:
        facts.setdefault("registry", described.key)
        return "registry_private_login_only"
    facts.setdefault("visibility", described.visibility)
    return "registry_private_repo"


# What to give as the password, by code: (Docker Hub, another registry that issues access tokens).
# A registry that has only passwords (an htpasswd one) is told nothing about tokens.
_PASSWORD_ADVICE = {
    "push_denied_own": ("; on Docker Hub, use an access token with Read & Write permission as the password",
                        "; an access token given as the password must be allowed to write"),
    "registry_credentials_rejected": ("; on Docker Hub, use an access token as the password",
                                      "; {name} takes an access token as the password"),
}


def password_advice(code: str, registry: str | None) -> str:
    """The ``{password_advice}`` of ``code`` for ``registry`` (None: not known, said of Docker Hub as a
    clause that names it): token advice only where the registry issues tokens."""
    from tutor.lesson.registries import describe

    hub, token = _PASSWORD_ADVICE.get(code, ("", ""))
    described = describe(registry)
    if described.hub:
        return hub
    return token.replace("{name}", described.name) if "token" in described.secret else ""


RETRY = {"push": "push again", "pull": "pull again", "login": "log in again", "build": "build again"}


def wait_words(seconds: float) -> str:
    """A Retry-After as a learner reads it: "2 seconds", "1 minute", "about 10 minutes"."""
    whole = max(1, round(seconds))
    if whole < 90:
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes = round(whole / 60)
    return f"about {minutes} minutes" if whole < 7200 else f"about {round(whole / 3600)} hours"


def push_refused(facts: dict[str, object]) -> str:
    """Which refusal it is, from who is logged in (``logged_in``: the account docker sent, None for
    nobody), the image's ``namespace``, the settings' ``username`` and the ``corrected`` name (the
    image under the logged-in user). Fills in the facts the chosen wording needs."""
    from tutor.docker_ops.commandline import join
    from tutor.reference import is_hub

    logged_in = str(facts.get("logged_in") or "")
    namespace = str(facts.get("namespace") or "")
    ref, corrected = str(facts.get("ref") or ""), str(facts.get("corrected") or "")
    if not logged_in:
        if namespace and namespace != "library":
            facts.setdefault("owner", f"{namespace}, the user the image is named under")
        else:
            facts.setdefault("owner", "your user, and name the image under your username")
        return "push_unauthenticated"  # with no credentials at all, logging in is the step to take
    if namespace == logged_in:
        return "push_denied_own"
    if not namespace:
        facts["named_under"] = "has no username/ part in its name"
    elif namespace == "library" and is_hub(str(facts.get("registry") or "")):
        facts["named_under"] = "is named under library/, Docker Hub's namespace for official images"
    else:
        facts["named_under"] = f"is named under {namespace}/"
    # The lesson names images after the settings' username: when that is not the account docker
    # uses, changing it there is the lasting fix; logging in as the image's owner is the other one.
    settings = str(facts.get("username") or "")
    first = (f"Set your username to {logged_in} in the settings" if settings and settings != logged_in
             else f"Name the image under {logged_in}/")
    hub = is_hub(str(facts.get("registry") or ""))
    if namespace and namespace != "library":
        login = join("docker", "login", "-u", namespace, *([] if hub else [str(facts.get("registry") or "")]))
        facts["choice"] = f"{first}, or log in as {namespace} (`{login}`). "
    else:
        facts["choice"] = f"{first}. "
    if corrected and ref and corrected != ref:
        facts["retag"] = (f"To push it as {logged_in} now: `{join('docker', 'tag', ref, corrected)}`, "
                          f"then `{join('docker', 'push', corrected)}`.")
    return "push_denied"


def tutor_login(registry: str, username: str) -> str:
    """``docker-tutor do login`` for this registry and user, spelt out so that it logs in there whatever
    the settings hold (or when there are none); it asks for the password without echoing it."""
    from tutor.docker_ops.commandline import join

    return join("docker-tutor", "do", "login", "--var", f"registry={registry}", "--var", f"username={username}")


def retrying_notice(registry: str, wait: str) -> str:
    """Said while docker retries a rate-limited layer by itself, so the countdown is not a silent loop."""
    return (f"{registry} is rate limiting (HTTP 429) and asks to wait {wait}; docker retries by itself, "
            "so this may still work.")


def pull_checked(ref: str, registry: str, outcome: str) -> str:
    """Said before the test pull's removal, once the registry showed it has this very image."""
    who = "anyone" if outcome == "public" else "your stored login"
    return f"Checked first: {registry} has this same {ref} and lets {who} pull it, so removing it is safe."
