"""The one place that turns low-level failures into hints a learner can act on.

A hint has a stable ``code`` (tests, the UI and the progress store key on it), ``what``
happened and the ``next_step`` to take, each a sentence or two, plus the ``detail``: the
original message (for docker's failures, its one-line reason from ``docker_reason``).

Layout, so that every source of failures adds its mapping here and nowhere else:

* ``CATALOGUE``: code -> (what, next step) templates. ``{name}`` placeholders are filled
  from the facts the caller knows (``ref``, ``username``, ``registry`` ...); a fact the
  caller does not know falls back to a generic wording from ``_GENERIC``.
* ``hint(code, **facts)``: one hint from the catalogue.
* One section per source: ``from_docker`` (docker SDK exceptions and the ``error`` events
  of build/push/pull streams) is here now; registry HTTP statuses and SSH errors add
  their own ``from_registry_status`` / ``from_ssh_error`` beside it, reusing the
  catalogue codes (``rate_limited``, ``login_rejected`` ...) where the meaning is the same.

Nothing here imports docker or any other heavy library: exceptions are recognised by
class name so that this module stays cheap to import from the UI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tutor.visible import CONTROL


@dataclass(frozen=True)
class Hint:
    code: str
    what: str
    next_step: str
    # The low-level message, never shown as the hint itself: for docker's failures its own reason in
    # one short line (docker_reason), which the action pane shows as "Docker said: ...".
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.what} {self.next_step}"


CATALOGUE: dict[str, tuple[str, str]] = {
    # The Docker engine itself.
    "engine_unreachable": (
        "The tutor cannot reach the Docker engine at {host}: Docker is not running or is listening elsewhere.",
        "Start Docker Desktop, or on Linux run `sudo systemctl start docker`, then try again.",
    ),
    "engine_permission": (
        "Permission denied on the Docker socket {host}: your user may not talk to the Docker engine.",
        "Add yourself to the docker group (`sudo usermod -aG docker $USER`), log out and back in, then try again.",
    ),
    "disk_full": (
        "The disk Docker writes to is full (no space left on device).",
        "Free space, for example with `docker system prune` (removes stopped containers and unused images), "
        "then try again.",
    ),
    # Names.
    "invalid_reference": ("That is not a valid image name ({message}).", "{advice}"),
    "image_missing": (
        "There is no local image called {ref}.",
        "Check the exact name with `docker images`, or build or pull it first.",
    ),
    "tag_missing": (
        "There is no local image called {ref}, so there is nothing to push.",
        "Build it under that name (`{build_command}`){tag_advice}.",
    ),
    # The test pull's removal, refused because the pull that follows could not bring the image back.
    "rmi_kept": (
        "The tutor did not remove {ref}: the pull that follows could not bring it back, so you would be left "
        "without it. {reason}",
        "{advice} Then run this step again.",
    ),
    "image_in_use": (
        "{ref} is still used by a container, so Docker will not remove it.",
        "Remove that container first (`docker ps -a` lists it, `docker rm ID` removes it), then try again.",
    ),
    # Logging in.
    "invalid_registry": (
        "{registry} is not a registry address.",
        "Give a host name, with a port if it has one (ghcr.io, 127.0.0.1:5000), or leave it empty for Docker Hub.",
    ),
    "login_incomplete": (
        "Logging in needs both a username (without spaces) and a password or access token.",
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
    "engine_stalled": (
        "The Docker engine stopped answering during {transfer}: no progress for {seconds} seconds, and it does "
        "not answer a ping either.",
        "Restart Docker (Docker Desktop, or `sudo systemctl restart docker` on Linux), then {retry}.",
    ),
    "engine_lost": (
        "The connection to the Docker engine broke in the middle of the {verb}: Docker was stopped, restarted "
        "or crashed.",
        "Start Docker again (Docker Desktop, or `sudo systemctl start docker` on Linux), check that `docker "
        "version` answers, then {retry}{resume}.",
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
        "Log in again (`{login_command}`); on Docker Hub, use an access token with Read & Write permission "
        "as the password.",
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
    "base_image_unavailable": (
        "The base image {base_image} in the Dockerfile's FROM line could not be pulled.",
        "Check its spelling and your internet connection; `docker pull {base_image}` shows the registry's answer.",
    ),
    "build_context_missing": (
        "The build folder {context} does not exist.",
        "Give the folder that holds your Dockerfile and the files it copies.",
    ),
    "dockerfile_missing": (
        "There is no Dockerfile in {context}.",
        "Build from the folder that holds the Dockerfile, or give its path.",
    ),
    "build_step_failed": (
        "The build stopped at {step}: {detail}",
        "The output above says why; fix the Dockerfile or the files it uses and build again.",
    ),
    # Running.
    "port_in_use": (
        "Port {port} on this machine is already in use, so Docker cannot publish the container there.",
        "Stop whatever holds it (`docker ps` shows containers with published ports) or choose another host port.",
    ),
    "container_name_in_use": (
        "A container called {name} already exists, so Docker will not start another one under that name.",
        "Remove the old one (`docker rm -f {name}`) or choose another name, then run it again.",
    ),
    "container_exited": (
        "The container stopped with exit code {exit_code} before it answered on port {port}.",
        "Its log above says why; `docker logs` shows the same lines.",
    ),
    "container_stopped": (
        "The container stopped with exit code {exit_code}.",
        "Its log above says why; fix the app or its Dockerfile and run it again.",
    ),
    "invalid_port": (
        "{port} is not a port number.",
        "Use a number from 1 to 65535, such as 3000.",
    ),
    "not_answering": (
        "The container runs, but nothing answered HTTP on port {port} within {seconds} seconds.",
        "Check that the app listens on 0.0.0.0:{container_port} inside the container, the port it EXPOSEs.",
    ),
    # The lesson itself (an author's mistake that lint reports too).
    "lesson_invalid": (
        "The tutor will not run this step because the lesson gets it wrong: {detail}",
        "Fix the lesson and check it with `docker-tutor lint`; if you did not write it, tell whoever did.",
    ),
    "unknown": (
        "Docker reported an error: {detail}",
        "The output above has the details; fix the cause and try again.",
    ),
}

# What a placeholder says when the caller does not know the fact.
_GENERIC = {
    "ssh_port": "22",
    "host": "its usual socket",
    "ref": "the image",
    "source": "IMAGE",
    "tag_advice": ", or give an image of yours that name with `docker tag`",
    "username": "you",
    "logged_in": "your user",
    "named_under": "is named under another user's name",
    "owner": "the user the image is named under",
    "choice": "Name the image under your own username. ",
    "retag": "",
    "corrected": "YOUR-USERNAME/REPOSITORY:TAG",
    "registry": "the registry",
    "base_image": "named",
    "context": "given",
    "step": "a step",
    "port": "the published port",
    "container_port": "PORT",
    "exit_code": "?",
    "name": "NAME",
    "seconds": "several",
    "config": "Docker's config.json",
    "message": "invalid reference format",
    "advice": "Fix the name and try again.",
    "reason": "",
    "detail": "no details were given",
    "verb": "transfer",
    "retry": "try again",
    "resume": "",
    "transfer": "the transfer",
    "during": "the request",
    "within": "",
    "status": "with an error",
    "wait": "a while",
    "retrying": "",
}


class _Facts(dict):
    def __missing__(self, key: str) -> str:
        return _GENERIC.get(key, key.upper())


def hint(code: str, detail: str = "", **facts: object) -> Hint:
    """The catalogue's hint ``code`` with ``facts`` filled in (unknown facts read generically)."""
    code = _for_practice(code, facts)
    what, next_step = CATALOGUE.get(code, CATALOGUE["unknown"])
    known = _Facts({k: str(v) for k, v in facts.items() if v not in (None, "")})
    if detail:
        known["detail"] = _first_line(detail)
    if "token_help" not in known and "{token_help}" in what + next_step:
        # What this registry takes as the password (a Docker Hub token, a GitHub PAT ...).
        from tutor.lesson.registries import describe

        known["token_help"] = describe(known.get("registry")).token_help
    if "login_command" not in known and "{login_command}" in what + next_step:
        # Advice typed by hand, where docker asks for the password itself. Imported here:
        # docker_ops imports this module.
        from tutor.docker_ops.commandline import login_by_hand

        known["login_command"] = login_by_hand(known.get("registry"))
    if "build_command" not in known and "{build_command}" in next_step:
        from tutor.docker_ops.commandline import build

        known["build_command"] = build(known.get("ref") or "IMAGE", ".")
    what, next_step = (_as_typed(text, known) for text in (what, next_step))
    return Hint(code, what.format_map(known), next_step.format_map(known), detail)


# Facts that hold what the learner typed (a folder, a file, a name): our messages mark code with
# backticks, so backticks of theirs must show as typed, not turn the folder's name into code.
_TYPED_FACTS = ("context", "dockerfile", "path", "username", "project_dir")


def _as_typed(template: str, facts: dict[str, str]) -> str:
    """``template`` with each typed fact holding a backtick, where it stands in prose (not inside a
    `code` span of ours), filled in as a code span that shows its backticks literally."""
    if not any("`" in facts.get(name, "") for name in _TYPED_FACTS):
        return template
    from tutor.visible import quoted

    parts, inside = [], False
    for part in re.split(r"(`|\{\w+\})", template):
        name = part[1:-1] if part.startswith("{") else ""
        if part == "`":
            inside = not inside
        elif name in _TYPED_FACTS and "`" in facts.get(name, "") and not inside:
            facts[f"{name}_as_typed"] = quoted(facts[name])
            part = f"{{{name}_as_typed}}"
        parts.append(part)
    return "".join(parts)


def from_lesson_error(error: BaseException) -> Hint:
    """A lesson mistake met when running a step (``file:line: problem``), for the action pane."""
    return hint("lesson_invalid", detail=str(error))


_DAEMON_PREFIX = re.compile(r"^(?:Error response from daemon:\s*)+", re.IGNORECASE)
_URL_PREFIX = re.compile(r'^(?:Get|Head|Post|Put|Patch|Delete) "(?:https?://)?([^/"]*)[^"]*":\s*')
_LOOKUP = re.compile(r"(?:dial tcp: )?lookup (\S+?)(?: on \S+)?: no such host")
REASON_LIMIT = 160


def docker_reason(message: str, limit: int = REASON_LIMIT) -> str:
    """Docker's own reason for a failure, as one short line fit to show beside the hint.

    Control characters and terminal escapes go; so does what only repeats or adds noise (the
    daemon's "Error response from daemon:", the URL docker was fetching when the host is named
    anyway, the DNS server's address), and a long reason is cut at a word with an ellipsis.
    """
    # tutor.visible shows control sequences; docker's own lines simply lose them.
    lines = [CONTROL.sub("", line).replace("\t", " ").strip() for line in message.splitlines()]
    text = next((line for line in lines if line), "")
    text = _DAEMON_PREFIX.sub("", text)
    url = _URL_PREFIX.match(text)
    if url:
        text = text[url.end():]
        if url.group(1) and url.group(1) not in text:
            text = f"{url.group(1)}: {text}"
    text = _LOOKUP.sub(r"lookup \1: no such host", text)
    # "pull access denied for X, ... 'docker login': denied: requested access to the resource is denied"
    # says the same thing twice; "manifest unknown: manifest unknown" too.
    parts = text.split(": ")
    # "no such image: X: No such image: X": the whole said twice.
    for i in range(1, len(parts)):
        if ": ".join(parts[:i]).lower() == ": ".join(parts[i:]).lower():
            parts = parts[i:]
            break
    while len(parts) > 1 and (parts[-1].lower() == parts[-2].lower() or (
            parts[-1].startswith("requested access to the resource is denied") and "access denied" in parts[0])):
        parts.pop()
        if parts[-1] == "denied":
            parts.pop()
    text = " ".join(": ".join(parts).split())
    if len(text) > limit:
        cut = text[: limit - 1]
        text = (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2:] else cut).rstrip(" ,;:") + "…"
    return text


def _first_line(text: str, limit: int = 300) -> str:
    line = next((part.strip() for part in text.strip().splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


# ---------------------------------------------------------------------------
# Docker: SDK exceptions, and the text of `error` events in build/push/pull streams.
# ---------------------------------------------------------------------------

# Ordered: the first rule whose pattern matches wins. ``actions`` limits a rule to some
# actions (a 401 means "wrong password" during login but "log in first" during a push).
_DOCKER_RULES: list[tuple[str, re.Pattern[str], frozenset[str] | None]] = [
    (code, re.compile(pattern, re.IGNORECASE), frozenset(actions) if actions else None)
    for code, pattern, actions in [
        ("rate_limited", r"toomanyrequests|too many requests|\b429\b|rate limit", None),
        ("disk_full", r"no space left on device", None),
        ("credential_helper_broken", r"docker-credential-|error (storing|getting|retrieving) credentials", None),
        ("registry_plain_http", r"server gave HTTP response to HTTPS client", None),
        ("registry_server_error", r"(unexpected HTTP status|failed with status|status code):? 5\d\d\b"
                                  r"|\b50[0-4] (Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)",
         {"login", "push", "pull"}),
        ("registry_unreachable", r"dial tcp|no such host|connection refused|i/o timeout|TLS handshake timeout",
         {"login", "push", "pull"}),
        # The connection was made (a dial failure says "dial tcp", matched above), then no answer came.
        ("registry_no_answer", r"context deadline exceeded|Client\.Timeout exceeded|timeout awaiting response"
                               r"|net/http: request canceled", {"login", "push", "pull"}),
        ("invalid_reference", r"invalid reference format|repository name must be lowercase", None),
        ("login_rejected", r"unauthorized|incorrect username or password|401|authentication required|denied",
         {"login"}),
        ("tag_missing", r"does not exist locally|no such image", {"push"}),
        ("push_denied", r"denied|insufficient_scope|forbidden|unauthorized|authentication required"
                        r"|no basic auth credentials", {"push"}),
        ("pull_unauthenticated", r"no basic auth credentials", {"pull"}),
        ("pull_not_found", r"pull access denied|not found|manifest unknown|insufficient_scope|unauthorized|denied",
         {"pull"}),
        ("image_missing", r"no such image|image not known|does not exist", {"tag", "rmi", "run", "images"}),
        ("image_in_use", r"being used by|must be forced|conflict: unable to", {"rmi"}),
        ("port_in_use", r"port is already allocated|address already in use", {"run"}),
        ("container_name_in_use", r"container name \S+ is already in use", {"run"}),
        ("dockerfile_missing", r"Cannot locate specified Dockerfile|Dockerfile.*(no such file|not found)",
         {"build"}),
    ]
]


def classify_docker_message(message: str, action: str) -> str:
    """The catalogue code for an engine/registry message met during ``action``."""
    for code, pattern, actions in _DOCKER_RULES:
        if (actions is None or action in actions) and pattern.search(message):
            return code
    return "unknown"


def _class_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def _docker_message(exc: BaseException) -> str:
    # APIError keeps the engine's own words in `explanation`; str() adds the HTTP status and URL.
    explanation = getattr(exc, "explanation", None)
    if isinstance(explanation, bytes):
        explanation = explanation.decode(errors="replace")
    return str(explanation or exc)


def engine_problem(exc: BaseException) -> str | None:
    """``engine_unreachable`` / ``engine_permission`` when ``exc`` means the engine could not be talked to."""
    names = _class_names(exc)
    if "APIError" in names:  # the engine answered; whatever went wrong is not about reaching it
        return None
    text = str(exc)
    # The answer was under way when the connection broke: the engine went away mid-stream.
    if names & {"ChunkedEncodingError", "ProtocolError", "IncompleteRead"} or re.search(
            r"Connection broken|IncompleteRead|Response ended prematurely", text, re.IGNORECASE):
        return "engine_lost"
    # Only failures of the connection itself: a PermissionError reading a build file is not about the engine.
    connecting = bool(names & {"ConnectionError", "ConnectionRefusedError", "Timeout", "ReadTimeout",
                               "ConnectTimeout"}) or bool(re.search(
        r"Error while fetching server API version|Connection aborted|Connection refused|Read timed out"
        r"|Max retries exceeded|docker\.sock", text, re.IGNORECASE))
    if not connecting:
        return None
    if re.search(r"permission denied|Errno 13", text, re.IGNORECASE):
        return "engine_permission"
    return "engine_unreachable"


def action_facts(action: str) -> dict[str, str]:
    """The wording every failure of a docker ``action`` shares: its verb, how to retry it, and
    for a push that a retry does not start over."""
    facts = {"verb": action, "retry": RETRY.get(action, "try again")}
    if action == "push":
        facts["resume"] = "; layers that already reached the registry are not uploaded again"
    return facts


def from_docker(error: BaseException | str, action: str, **facts: object) -> Hint:
    """A hint for a docker SDK exception or an ``error`` event's message met during ``action``
    (one of login, build, tag, rmi, images, push, pull, run)."""
    for key, value in action_facts(action).items():
        facts.setdefault(key, value)
    if isinstance(error, BaseException):
        code = engine_problem(error)
        if code is not None:
            return hint(code, detail=docker_reason(str(error)), **facts)
        message = _docker_message(error)
        if "ImageNotFound" in _class_names(error) and action in ("tag", "rmi", "run", "push"):
            return hint("tag_missing" if action == "push" else "image_missing", detail=docker_reason(message),
                        **facts)
    else:
        message = error
    code = classify_docker_message(message, action)
    if code == "push_denied":
        code = _push_refused(facts)
    if code == "rate_limited" and isinstance(facts.get("retry_after"), int | float):
        code = "rate_limited_wait"
        facts.setdefault("wait", wait_words(float(facts["retry_after"])))
    if code == "registry_server_error" and "status" not in facts:
        status = _HTTP_STATUS.search(message)
        facts["status"] = "".join(status.group(1, 2)) if status else "5xx"
    if code == "invalid_reference":
        facts.setdefault("message", _first_line(message))
    return hint(code, detail=docker_reason(message), **facts)


def tutor_login(registry: str, username: str) -> str:
    """``docker-tutor do login`` for this registry and user, spelt out so that it logs in there whatever
    the settings hold (or when there are none); it asks for the password without echoing it."""
    from tutor.docker_ops.commandline import join

    return join("docker-tutor", "do", "login", "--var", f"registry={registry}", "--var", f"username={username}")


def retag_advice(ref: str, source: str, own: bool) -> str:
    """The second half of ``tag_missing``'s advice, for the local image ``source`` named like ``ref``:
    re-tagging it when it is the learner's own, only a mention when it is under another user's name
    (pushing a stranger's image as yours is never the advice)."""
    from tutor.docker_ops.commandline import tag

    if own:
        return f", or give your existing image that name (`{tag(source, ref)}`)"
    return (f". The local image {source} has that name too, but it is under another user's name, not yours: "
            "build your own rather than re-tag it")


def quiet_build_notice(where: str, instruction: str, seconds: float) -> str:
    """Said when a build has printed nothing for a while but the engine answers: it is working."""
    doing = f" (`{instruction}`)" if instruction else ""
    return (f"No output for {seconds:g} seconds from {where}{doing}, but the Docker engine answers, so it is "
            "still working: a RUN step can be quiet for minutes. Wait, or stop the build (esc in the tutor, "
            "Ctrl+C in a terminal).")


def retrying_notice(registry: str, wait: str) -> str:
    """Said while docker retries a rate-limited layer by itself, so the countdown is not a silent loop."""
    return (f"{registry} is rate limiting (HTTP 429) and asks to wait {wait}; docker retries by itself, "
            "so this may still work.")


def pull_checked(ref: str, registry: str, outcome: str) -> str:
    """Said before the test pull's removal, once the registry showed it has this very image."""
    who = "anyone" if outcome == "public" else "your stored login"
    return f"Checked first: {registry} has this same {ref} and lets {who} pull it, so removing it is safe."


RETRY = {"push": "push again", "pull": "pull again", "login": "log in again", "build": "build again"}
_HTTP_STATUS = re.compile(r"\b(5\d\d)\b((?: [A-Z][a-z]+)*)")


def wait_words(seconds: float) -> str:
    """A Retry-After as a learner reads it: "2 seconds", "1 minute", "about 10 minutes"."""
    whole = max(1, round(seconds))
    if whole < 90:
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes = round(whole / 60)
    return f"about {minutes} minutes" if whole < 7200 else f"about {round(whole / 3600)} hours"


def _push_refused(facts: dict[str, object]) -> str:
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


def from_build(message: str, *, base_image: str | None = None, step: tuple[str, ...] | str = "",
               **facts: object) -> Hint:
    """A failed build. Where the engine's words say nothing better, the blame goes to the base image
    when the failing step is a FROM, else to the step: ``(number, total, instruction)`` or its line."""
    code = classify_docker_message(message, "build")
    if code == "unknown" and base_image:
        return hint("base_image_unavailable", docker_reason(message), **{**facts, "base_image": base_image})
    if code == "unknown" and step:
        label = f"step {step[0]} of {step[1]} ({step[2]})" if isinstance(step, tuple) else step
        return hint("build_step_failed", docker_reason(message), **{**facts, "step": label})
    return from_docker(message, "build", **facts)


# ---------------------------------------------------------------------------
# Probes: registry HTTP answers, SSH errors, and what a k3s node printed.
# (Added by the checklist probes, tutor/probes/; codes are keyed on by tests and the UI.)
# ---------------------------------------------------------------------------

CATALOGUE.update({
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
        "Make the repository public (Docker Hub: the repository's Settings → Visibility), or give the node "
        "credentials: /etc/rancher/k3s/registries.yaml for crictl, an imagePullSecret for pods.",
    ),
    "registry_stale": (
        "The {ref} on {registry_label} is not the image you have locally: it was rebuilt or re-tagged after the push.",
        "Push it again (`docker push {ref}`); better, give every new build a new tag (v2), because nodes that "
        "already pulled v1 keep their old copy.",
    ),
    "registry_credentials_rejected": (
        "{registry_label} rejected the credentials docker has stored for {username}.",
        "Log in again (`{login_command}`); on Docker Hub use an access token as the password.",
    ),
    "registry_rate_limited": (
        "{registry_label} is rate limiting requests (HTTP 429) and asks to wait {retry_after} seconds.",
        "Wait that long, then check again; on Docker Hub, being logged in raises the limit.",
    ),
    "registry_unreachable_probe": (
        "The tutor could not reach {registry_label}: {detail}",
        "Check the registry's name (settings) and your network connection, then check again.",
    ),
    "registry_error": (
        "{registry_label} answered with an error: {detail}",
        "Check again in a moment; if it persists, the registry's status page may say more.",
    ),
    # A k3s node over SSH.
    "node_unknown_host_key": (
        "The node {node} presented a host key the tutor has not seen before (fingerprint {fingerprint}).",
        "Compare that fingerprint with the node's own (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on "
        "the node, or the EC2 console's system log) and trust the key only if they match.",
    ),
    "node_host_key_changed": (
        "WARNING: the node {node} presented a different host key (now {fingerprint}) from the one recorded "
        "for it. The instance may have been replaced, or someone may be intercepting the connection.",
        "Do not trust it blindly: if you recreated the instance, remove the old entry for {node} from your "
        "known_hosts file (`ssh-keygen -R HOST`) and check again; otherwise stop and investigate.",
    ),
    "node_login_failed": (
        "The node {node} refused to log {user} in with the key given.",
        "Check the user (ubuntu on Ubuntu AMIs, ec2-user on Amazon Linux) and that the key is the instance's "
        "key pair: `ssh -i KEY USER@HOST` should log in.",
    ),
    "node_identity_unreadable": (
        "The SSH key {identity} could not be read: {detail}",
        "Give the private key file of the instance's key pair (the .pem file); a key with a passphrase "
        "must be loaded into ssh-agent instead.",
    ),
    "node_unreachable": (
        "The tutor could not connect to the node {node}: {detail}",
        "Check that the instance is running, its public address, and that its security group allows SSH "
        "(port {ssh_port}) from your IP address.",
    ),
    "node_timeout": (
        "The node {node} did not answer within {seconds} seconds.",
        "Check the address and that the security group allows SSH from your IP: a silent firewall drop "
        "looks exactly like this.",
    ),
    # It answered, so the path through the firewall works: the trouble is on the node.
    "node_stalled_after_banner": (
        "The node {node} answered (its SSH server greeted the tutor with {banner}), but then stopped answering "
        "during the SSH handshake and login: it did not finish within {seconds} seconds.",
        "The network and the security group are fine (the node answered). The instance is overloaded or its "
        "SSH server is stuck: wait a minute and check again, or reboot it from the EC2 console.",
    ),
    "node_command_timeout": (
        "The tutor logged in to {node}, but `{command}` did not finish there within {seconds} seconds; the "
        "tutor ended it.",
        "The connection works (this is not the security group): log in yourself (`ssh USER@HOST`) and run "
        "`{command}` to see what it waits for; an overloaded instance may need a reboot.",
    ),
    "node_known_hosts_unreadable": (
        "The tutor cannot read the known_hosts file {path} on this machine, so it cannot check the node's host "
        "key ({detail}).",
        "Make the file readable by you (`chmod 600 {path}`, owned by your user) or fix or remove the broken "
        "line; it holds the host keys you trusted.",
    ),
    "node_k3s_missing": (
        "k3s is not installed on the node {node}: there is no `k3s` command.",
        "Install it on the node (`curl -sfL https://get.k3s.io | sh -`), then check again.",
    ),
    "node_sudo_password": (
        "On the node, sudo asks {user} for a password, so the tutor cannot run `sudo k3s crictl` by itself.",
        "Use a user with passwordless sudo (ubuntu or ec2-user on EC2), or run "
        "`sudo k3s crictl pull {ref}` on the node yourself.",
    ),
    # sudo runs commands with its own PATH (secure_path), which often lacks /usr/local/bin, where
    # the k3s installer puts k3s: "sudo: k3s: command not found" although k3s is installed.
    "node_sudo_secure_path": (
        "On the node, sudo cannot find k3s: it is installed at {k3s_path}, but sudo looks for commands only in "
        "its own PATH (secure_path in /etc/sudoers), which lacks {k3s_dir}.",
        "Give sudo the full path: `sudo {k3s_path} crictl pull {ref}` (or `sudo $(command -v k3s) crictl pull "
        "{ref}`), or add {k3s_dir} to secure_path with `sudo visudo`.",
    ),
    "node_sudo_not_allowed": (
        "On the node, {user} may not use sudo: {detail}",
        "Log in as the instance's default user (ubuntu or ec2-user), which may use sudo.",
    ),
    "node_needs_credentials": (
        "The node could not pull {ref}: the registry refused (pull access denied). The repository is private, "
        "or it does not exist.",
        "If it is private, make it public or give the node credentials: /etc/rancher/k3s/registries.yaml for "
        "crictl, an imagePullSecret for pods. A pod using it would show ErrImagePull, then ImagePullBackOff.",
    ),
    "node_missing_tag": (
        "The node could not pull {ref}: the registry has no such image or tag.",
        "Push it from your machine (`docker push {ref}`) and check the spelling of the tag; a pod using it "
        "would show ErrImagePull, then ImagePullBackOff.",
    ),
    "node_arch_mismatch": (
        "{ref} is built for {image_platform}, but the node runs {node_platform}: it cannot run there.",
        "Build it for the node's platform and push again: `docker buildx build --platform {node_platform} "
        "-t {ref} --push .` (or several platforms, comma-separated).",
    ),
    "node_registry_unreachable": (
        "The node could not reach the registry to pull {ref}: {detail}",
        "Check the node's outbound network access (security group egress rules, DNS).",
    ),
    "node_pull_timeout": (
        "Pulling {ref} on the node took longer than {seconds} seconds.",
        "A big image on a small instance takes time: run `{k3s_command} crictl pull {ref}` on the node yourself, "
        "then check again (or raise the pull timeout).",
    ),
    "node_pull_failed": (
        "The node could not pull {ref}: {detail}",
        "Run `{k3s_command} crictl pull {ref}` on the node to see the whole message.",
    ),
})

_GENERIC.update({
    "registry_label": "the registry",
    "retry_after": "some",
    "node": "the node",
    "fingerprint": "shown above",
    "user": "this user",
    "identity": "given",
    "image_platform": "another platform",
    "node_arch": "another architecture",
    "node_platform": "linux/ARCH",
    "k3s_command": "sudo k3s",
    "k3s_path": "/usr/local/bin/k3s",
    "k3s_dir": "/usr/local/bin",
    "banner": "an SSH banner",
    "command": "the command",
    "path": "known_hosts",
})

# Registry probe outcome -> catalogue code (found outcomes have no hint).
_REGISTRY_OUTCOMES = {
    "missing-tag": "registry_missing_tag",
    "missing-or-private": "registry_missing_or_private",
    "private": "registry_private_repo",
    "stale": "registry_stale",
    "credentials-rejected": "registry_credentials_rejected",
    "rate-limited": "registry_rate_limited",
    "unreachable": "registry_unreachable_probe",
    "error": "registry_error",
}


def from_registry(outcome: str, detail: str = "", **facts: object) -> Hint | None:
    """The hint for a registry probe's outcome; None for outcomes that need none (``public``)."""
    code = _REGISTRY_OUTCOMES.get(outcome)
    if code is None:
        return None
    wait = facts.get("retry_after")
    if isinstance(wait, float | int):
        facts["retry_after"] = f"{wait:.0f}"
    return hint(code, detail=detail, **facts)


def classify_ssh_error(error: BaseException) -> str:
    """The catalogue code for an exception met while connecting to a node (asyncssh or socket)."""
    names = _class_names(error)
    if "HostKeyNotVerifiable" in names:
        return "node_unknown_host_key"
    if "PermissionDenied" in names:
        return "node_login_failed"
    if "KeyImportError" in names or "FileNotFoundError" in names or "IsADirectoryError" in names:
        return "node_identity_unreadable"
    if names & {"TimeoutError", "ConnectionTimeout"}:
        return "node_timeout"
    return "node_unreachable"


def from_ssh_error(error: BaseException, **facts: object) -> Hint:
    text = str(error).strip() or type(error).__name__
    return hint(classify_ssh_error(error), detail=text, **facts)


# What `sudo -n k3s crictl pull` prints, first matching rule wins.
_NODE_RULES: list[tuple[str, re.Pattern[str]]] = [
    (code, re.compile(pattern, re.IGNORECASE)) for code, pattern in [
        ("node_sudo_password", r"a password is required|a terminal is required|no tty present"),
        ("node_sudo_not_allowed", r"is not in the sudoers file|is not allowed to (run|execute)"
                                  r"|sudo: command not found|sudo: not found"),
        ("node_k3s_missing", r"k3s: command not found|k3s: not found|unable to execute \S*k3s"),
        ("node_arch_mismatch", r"no match for platform|exec format error"),
        ("rate_limited", r"toomanyrequests|too many requests|\b429\b"),
        ("node_registry_unreachable", r"dial tcp|no such host|connection refused|i/o timeout|TLS handshake"
                                      r"|network is unreachable|server gave HTTP response to HTTPS client"),
        ("node_needs_credentials", r"pull access denied|insufficient_scope|unauthorized|authorization failed"
                                   r"|\b401\b|\b403\b|forbidden|access denied"),
        ("node_missing_tag", r"not found|manifest unknown|name unknown"),
    ]
]


_SUDO_NO_K3S = re.compile(r"sudo: \S*k3s: command not found", re.IGNORECASE)


def classify_node_message(message: str, k3s_found: bool = False) -> str:
    """The catalogue code for what a node printed while pulling (``node_pull_failed`` when unknown).

    ``k3s_found``: the node ran `k3s --version` outside sudo, so sudo not finding k3s is sudo's own
    PATH (secure_path) rather than a missing k3s.
    """
    if k3s_found and _SUDO_NO_K3S.search(message):
        return "node_sudo_secure_path"
    for code, pattern in _NODE_RULES:
        if pattern.search(message):
            return code
    return "node_pull_failed"


def from_node_pull(message: str, **facts: object) -> Hint:
    """A hint for a failed `sudo -n k3s crictl pull` from what it printed."""
    return hint(classify_node_message(message), detail=pull_reason(message), **facts)


def pull_reason(message: str) -> str:
    # crictl wraps containerd's words: keep what comes after the last "desc = " or "pulling image: ".
    line = _first_line(message)
    for marker in ("desc = ", "pulling image: "):
        if marker in line:
            line = line.rsplit(marker, 1)[1]
    return line


# Short reasons for a node check's row, beside its (longer) hint.

def node_connect_reason(code: str, node: str, error: BaseException, *, seconds: float, identity: str = "") -> str:
    """Why the tutor could not get onto the node, in one sentence (``code`` from classify_ssh_error)."""
    detail = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return {
        "node_login_failed": f"The node {node} refused the login ({detail}).",
        "node_timeout": f"The node {node} did not answer within {seconds:g} seconds.",
        "node_identity_unreadable": f"The SSH key {identity or 'given'} could not be read ({detail}).",
    }.get(code, f"The tutor could not connect to {node} ({detail}).")


def node_command_timeout_reason(node: str, command: str, seconds: float) -> str:
    return (f"Logged in to {node}, but `{command}` did not finish within {seconds:g} seconds "
            "(the tutor ended it on the node).")


def node_stalled_reason(node: str, banner: str, seconds: float) -> str:
    return f"{node} answered ({banner}) but then stalled: the SSH login did not finish within {seconds:g} seconds."


def known_hosts_unreadable_reason(path: str, error: BaseException) -> str:
    return f"The known_hosts file {path} on this machine cannot be read ({type(error).__name__})."


def host_key_replaced(node: str, new: str, old: list[str], path: str, elsewhere: list[str]) -> str:
    """What `check --trust-host-key` says when the key it records replaces others for the node."""
    if not old and not elsewhere:
        return f"Trusted {node}'s host key {new} (recorded in {path})."
    lines = []
    if old:
        lines.append(f"The host key of {node} CHANGED: it was {', '.join(old)}, it is now {new}. The old key was "
                     f"removed from {path} and is no longer trusted; the new one is recorded there.")
    else:
        lines.append(f"Trusted {node}'s host key {new} (recorded in {path}).")
    if elsewhere:
        lines.append(f"Another file still lists a different key for {node} ({', '.join(elsewhere)}): remove that "
                     "entry with `ssh-keygen -R HOST` (for a port other than 22: `ssh-keygen -R '[HOST]:PORT'`).")
    return " ".join(lines)


def node_pull_reason(code: str, ref: str, found: Hint) -> str:
    """Why the node did not pull ``ref``, in one sentence (``code`` from classify_node_message)."""
    first = found.detail.splitlines()[0][:200] if found.detail else "unknown"
    return {
        "node_needs_credentials": f"The node was refused {ref}: the repository is private (the node has no "
                                  "credentials for it) or does not exist.",
        "node_missing_tag": f"The node could not pull {ref}: the registry has no such image or tag.",
        "node_arch_mismatch": found.what,
        "node_pull_timeout": found.what,
        "node_registry_unreachable": f"The node could not reach the registry for {ref}.",
        "rate_limited": f"The registry rate-limited the node's pull of {ref}.",
        "node_k3s_missing": "k3s is not installed on the node.",
        "node_sudo_password": "sudo on the node asks for a password.",
        "node_sudo_secure_path": "sudo on the node cannot find k3s (its secure_path lacks k3s's folder).",
    }.get(code, f"The node could not pull {ref}: {first}.")


def node_pulled_reason(ref: str, image_id: str, secure_path_k3s: str = "") -> str:
    """``secure_path_k3s``: the full path the tutor had to give sudo, which could not find k3s itself."""
    pulled = f"The node pulled {ref} (image id {image_id[:19]}…)"
    if not secure_path_k3s:
        return pulled + "."
    return (f"{pulled}, but only through the full path: sudo's PATH lacks k3s, so `sudo k3s crictl pull` fails "
            f"there; type `sudo {secure_path_k3s} crictl pull {ref}`.")


def node_wrong_platform_reason(ref: str, image_platform: str, node_platform: str) -> str:
    return (f"The node pulled {ref}, but it is built for {image_platform} and the node is {node_platform}: "
            "its containers would fail with \"exec format error\".")


# ---------------------------------------------------------------------------
# Pre-flight doctor (tutor/probes/doctor.py): what to set up before a class.
# ---------------------------------------------------------------------------

CATALOGUE.update({
    "doctor_project_folder_missing": (
        "The project folder {context} does not exist, so there is nothing to build.",
        "Set the project folder (settings, or --project DIR) to the folder that holds backend/ and frontend/; "
        "left empty, the tutor builds its own sample app.",
    ),
    "doctor_dockerfile_missing": (
        "There is no {dockerfile} in the project ({context}), so that build cannot start.",
        "Set the project folder (settings, or --project DIR) to the folder that holds backend/ and frontend/, "
        "each with its Dockerfile.",
    ),
    "doctor_base_images_missing": (
        "Not in your local images: {where}. Without a network the build stops at its FROM line.",
        "While there is a network, pull {them}: `{pulls}`; after that the builds need none.",
    ),
    "doctor_from_variable": (
        "a FROM line names a build argument the tutor cannot resolve: {words}.",
        "Pull the image it stands for while there is a network (`docker pull IMAGE`).",
    ),
    "doctor_disk_low": (
        "Only {free} is free where Docker keeps its images ({path}); the builds need about {needed}.",
        "Free at least {short}: `docker system df` shows what Docker holds, `docker system prune` removes "
        "stopped containers and dangling images.",
    ),
    "doctor_disk_unmeasured": (
        "The engine ({engine_name}) keeps its images at {path} on a disk this machine cannot measure (a VM or "
        "another host).",
        "Check that it has about {needed} free: `docker system df` shows what Docker holds; Docker Desktop sets "
        "its disk size under Settings → Resources.",
    ),
    "doctor_not_a_registry": (
        "{registry_label} answered HTTP {status} at /v2/ ({detail}): that is not the Registry API.",
        "Check the registry's host and port in the settings; a registry answers /v2/ with 200 or 401.",
    ),
    "doctor_quota_low": (
        "{registry_label} allows {remaining} more pulls{per} for {who}; the lesson needs about {needed}.",
        "Pull the base images now, log in (`{login_command}`) so that pulls count against your own account, "
        "or wait {wait} for the quota to refill.",
    ),
    "doctor_not_logged_in": (
        "docker has no login for {registry_label}, and the push step needs one.",
        "Log in with `{tutor_login}` (or `{login_command}`){hub_password}.",
    ),
    "doctor_not_logged_in_no_user": (
        "docker has no login for {registry_label}, and the push step needs one; no username is set, so the "
        "tutor cannot tell whom to log in as.",
        "Set your username in the settings or pass --user NAME, then log in (`{login_command}` asks for it).",
    ),
    "doctor_login_other_user": (
        "But the lesson names your images under {username}/, and {logged_in} may push only under {logged_in}/.",
        "Set your username to {logged_in} in the settings, or log in as {username} (`{login_as}`).",
    ),
    "doctor_no_node": (
        "No k3s node is set, so the node items of the checklist cannot be done.",
        "Add the node's host, user and key file in the settings, or pass --node USER@HOST --identity KEY.",
    ),
    "doctor_trust_host_key": (
        "The node {node} presented a host key the tutor does not know yet ({fingerprint}).",
        "Compare it with the node's own (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the node, or "
        "the EC2 console's system log); only if they match, trust it: `{trust_command}`.",
    ),
    "doctor_check_timeout": (
        "The check did not finish within {seconds} seconds.",
        "Run `docker-tutor doctor` again; if this check stays slow, raise --timeout.",
    ),
    "doctor_check_crashed": (
        "The check itself failed: {detail}",
        "Run `docker-tutor doctor` again; if it fails the same way, report it with the line above.",
    ),
})

_GENERIC.update({
    "hub_password": "",
    "tutor_login": "docker-tutor do login",
    "trust_command": "docker-tutor doctor --trust-host-key SHA256:…",
    "where": "the base images of your Dockerfiles",
    "pulls": "docker pull IMAGE",
    "them": "them",
    "words": "FROM $VARIABLE",
    "free": "little",
    "short": "some space",
    "needed": "2 GB",
    "engine_name": "Docker",
    "per": "",
    "who": "you",
    "login_as": "docker login",
    "remaining": "no",
})


# ---------------------------------------------------------------------------
# Following the learner's terminal (tutor/follow.py): names that are not the lesson's.
# ---------------------------------------------------------------------------

CATALOGUE.update({
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
})

_GENERIC.update({"missing": "your username", "untagged": ""})

_FOLLOW_CODES = {"no-namespace": "follow_no_namespace", "other-namespace": "follow_other_namespace",
                 "other-registry": "follow_other_registry", "latest": "follow_latest"}


def follow_wrong_name(problem: str, name: str, expected: str, *, pushed: bool = False, username: str = "",
                      registry: str = "", tag: str = "") -> Hint:
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


# --- the practice registry (`docker-tutor practice-registry`, tutor/practice) --------------------

CATALOGUE.update({
    "practice_no_registry": (
        "There is no registry to run: the docker-registry program is not installed, and {image_state}.",
        "Install it with `{install_command}` (or, while you have a network, `docker pull {registry_image}`), then start the "
        "practice registry again.",
    ),
    "practice_port_in_use": (
        "Port {port} on 127.0.0.1 is already in use by another program (another registry?).",
        "Start the practice registry on another port: `docker-tutor practice-registry start --port {next_port}`.",
    ),
    "practice_running_elsewhere": (
        "The practice registry already runs on {address}.",
        "Stop it first (`docker-tutor practice-registry stop`), then start it with `--port {port}`.",
    ),
    "practice_start_failed": (
        "The practice registry's {part} {how}, so the practice registry is not running.",
        "Its log ({log_file}) ends with:\n{log_tail}\nFix what it names, then start it again.",
    ),
    "practice_not_running": (
        "The practice registry is not running.",
        "Start it with `docker-tutor practice-registry start`.",
    ),
    "practice_no_username": (
        "The practice registry needs a username for your account, and none is set.",
        "Save your username in the tutor's settings, or pass `--user NAME` (`--accounts FILE` for a class).",
    ),
    "practice_no_account": (
        "{username} has no account on the practice registry.",
        "Start it with that account: `docker-tutor practice-registry start --user {username}`.",
    ),
    "practice_bad_accounts": (
        "The class file cannot be used: {detail}.",
        "Give a CSV with a `username` column (the same file as `docker-tutor check --roster`) and, if you want "
        "to choose them, a `password` column; or one username per line.",
    ),
    "practice_accounts_unreadable": (
        "The practice registry's accounts cannot be read: {detail}.",
        "Fix that file, or move it away and make the accounts again (`docker-tutor practice-registry start`, "
        "with `--accounts FILE` for a class); until then nobody can log in to it.",
    ),
    "practice_container_not_stopped": (
        "The practice registry's container {container} could not be stopped: {detail}.",
        "Make the Docker engine reachable and run `docker-tutor practice-registry stop` again, or remove it "
        "yourself with `docker rm -f {container}`.",
    ),
    "practice_state_unwritable": (
        "The practice registry's folder {folder} cannot be written: {detail}.",
        "Make it writable or free some space, then try again.",
    ),
    # Said where a registry that cannot be reached gets its advice: the reason line (a probe's, docker's)
    # is shown beside the next step alone, so the next step says it all.
    "practice_stopped": (
        "Nothing answers at {registry}, the practice registry's address: it was stopped, or the machine "
        "restarted.",
        "The practice registry is not running: start it with `docker-tutor practice-registry start`, then try "
        "again.",
    ),
    "practice_private_repo": (
        "{ref} is private on the practice registry: only its owner may pull it, so a node without credentials "
        "cannot.",
        "Make it public again with `docker-tutor practice-registry public {repository}`, or give the node "
        "credentials: /etc/rancher/k3s/registries.yaml for crictl, an imagePullSecret for pods.",
    ),
})
_GENERIC.setdefault("repository", "USER/REPOSITORY")


# The settings' practice registry found stopped before a step that needs it (tutor/practice/ready.py).
def practice_starting_notice(address: str) -> str:
    return (f"The practice registry at {address} is not running (stopped, or the machine restarted), so the "
            "tutor starts it first, as `docker-tutor practice-registry start` does.")


def practice_started_notice(address: str, seconds: float) -> str:
    return f"The practice registry is running again at {address} (started in {seconds:.1f} s)."

# Codes whose advice reads differently for the practice registry: its own command, not a network
# check or a web site's settings. The registry is recognised from the facts (``registry`` or ``ref``).
_PRACTICE_CODES = {
    "registry_unreachable": "practice_stopped",
    "registry_unreachable_probe": "practice_stopped",
    "registry_private_repo": "practice_private_repo",
}


def _for_practice(code: str, facts: dict[str, object]) -> str:
    instead = _PRACTICE_CODES.get(code)
    if instead is None:
        return code
    registry, ref = str(facts.get("registry") or ""), str(facts.get("ref") or "")
    if not registry and ref:
        from tutor.reference import ImageNameError, parse

        try:
            registry = parse(ref).registry
        except ImageNameError:
            return code
    if not registry.startswith("127.0.0.1:"):  # the practice registry is on loopback: others cost nothing
        return code
    from tutor.lesson.registries import describe

    if not describe(registry).practice:
        return code
    if instead == "practice_stopped":
        from tutor.practice import control
        from tutor.practice.state import Layout

        # Running, yet not reached: the generic advice (name, network) is the one that may help.
        return instead if control.running(Layout.default()) is None else code
    if ref:
        from tutor.reference import ImageNameError, parse

        try:
            facts.setdefault("repository", parse(ref).path)
        except ImageNameError:
            pass
    return instead
_GENERIC.update({
    "image_state": "the Docker engine has no registry:2 image",
    "install_command": "sudo apt-get install docker-registry",
    "registry_image": "registry:2",
    "part": "registry",
    "how": "did not start",
    "log_file": "its log",
    "log_tail": "(nothing)",
    "next_port": "5001",
    "folder": "folder",
})
