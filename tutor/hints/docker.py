"""Docker's failures: the engine, the CLI's names, build, tag, rmi and run, as SDK exceptions or
the text of ``error`` events in build/push/pull streams (login, push and pull refusals by the
registry have their words in ``registry.py``; the rules that recognise them are here)."""

from __future__ import annotations

import re

from tutor.hints.catalogue import FailureHint, class_names, first_line, hint
from tutor.hints.registry import RETRY, push_refused, wait_words
from tutor.visible import CONTROL

TEXTS: dict[str, tuple[str, str]] = {
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
        "Stop whatever holds it (`docker ps` shows containers with published ports) or choose another host "
        "port{other_port_run}.",
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

GENERIC = {
    "host": "its usual socket",
    "tag_advice": ", or give an image of yours that name with `docker tag`",
    "base_image": "named",
    "step": "a step",
    "container_port": "PORT",
    "exit_code": "?",
    "message": "invalid reference format",
    "advice": "Fix the name and try again.",
    "reason": "",
    "other_port_run": "",
}


def from_lesson_error(error: BaseException) -> FailureHint:
    """A lesson mistake met when running a step (``file:line: problem``), for the action pane."""
    return hint("lesson_invalid", detail=str(error))


_DAEMON_PREFIX = re.compile(r"^(?:Error response from daemon:\s*)+", re.IGNORECASE)
_URL_PREFIX = re.compile(r'^(?:Get|Head|Post|Put|Patch|Delete) "(?:https?://)?([^/"]*)[^"]*":\s*')
_LOOKUP = re.compile(r"(?:dial tcp: )?lookup (\S+?)(?: on \S+)?: no such host")
REASON_LIMIT = 160
_HTTP_STATUS = re.compile(r"\b(5\d\d)\b((?: [A-Z][a-z]+)*)")


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
        # Refused: the host answered, nothing listens on the port (most often a registry that is not running).
        ("registry_refused", r"dial tcp \S+: connect: connection refused", {"login", "push", "pull"}),
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


def _docker_message(exc: BaseException) -> str:
    # APIError keeps the engine's own words in `explanation`; str() adds the HTTP status and URL.
    explanation = getattr(exc, "explanation", None)
    if isinstance(explanation, bytes):
        explanation = explanation.decode(errors="replace")
    return str(explanation or exc)


def engine_problem(exc: BaseException) -> str | None:
    """``engine_unreachable`` / ``engine_permission`` when ``exc`` means the engine could not be talked to."""
    names = class_names(exc)
    if "APIError" in names:  # the engine answered; whatever went wrong is not about reaching it
        return None
    text = str(exc)
    # The answer was under way when the connection broke: the engine went away mid-stream.
    if names & {"ChunkedEncodingError", "ProtocolError", "IncompleteRead", "EngineLost"} or re.search(
            r"Connection broken|IncompleteRead|Response ended prematurely", text, re.IGNORECASE):
        return "engine_lost"
    # Only failures of the connection itself: a PermissionError reading a build file is not about the engine.
    connecting = bool(names & {"ConnectionError", "ConnectionRefusedError", "Timeout", "ReadTimeout",
                               "ConnectTimeout", "EngineUnreachable"}) or bool(re.search(
        r"Error while fetching server API version|Connection aborted|Connection refused|Read timed out"
        r"|Max retries exceeded|docker\.sock", text, re.IGNORECASE))
    if not connecting:
        return None
    if re.search(r"permission denied|Errno 13", text, re.IGNORECASE):
        return "engine_permission"
    return "engine_unreachable"


# Why the engine stopped answering, in words: the status of following the learner's terminal
# showed "DockerException: Error while fetching server API version: ('Connection aborted.',
# FileNotFoundError(2, ...))". The first pattern that matches says it.
_ENGINE_LOST = [
    (re.compile(r"No such file or directory|Errno 2\b|FileNotFoundError"), "no engine listens at its socket"),
    (re.compile(r"permission denied|Errno 13", re.IGNORECASE), "permission denied on its socket"),
    (re.compile(r"Connection refused|Errno 111", re.IGNORECASE), "the connection was refused"),
    (re.compile(r"Connection broken|IncompleteRead|Response ended prematurely|Remote end closed|Connection reset"
                r"|Connection aborted", re.IGNORECASE),
     "the connection broke"),
    (re.compile(r"timed out|timeout", re.IGNORECASE), "it did not answer in time"),
]


def engine_lost_reason(exc: BaseException) -> str:
    """A few plain words for why the engine cannot be talked to (no exception class names)."""
    text = str(exc)
    for pattern, words in _ENGINE_LOST:
        if pattern.search(text) or pattern.search(type(exc).__name__):
            return words
    return docker_reason(text) or type(exc).__name__


def action_facts(action: str) -> dict[str, str]:
    """The wording every failure of a docker ``action`` shares: its verb, how to retry it, and
    for a push that a retry does not start over."""
    facts = {"verb": action, "retry": RETRY.get(action, "try again")}
    if action == "push":
        facts["resume"] = "; layers that already reached the registry are not uploaded again"
    return facts


def from_docker(error: BaseException | str, action: str, **facts: object) -> FailureHint:
    """A hint for a docker SDK exception or an ``error`` event's message met during ``action``
    (one of login, build, tag, rmi, images, push, pull, run)."""
    for key, value in action_facts(action).items():
        facts.setdefault(key, value)
    if isinstance(error, BaseException):
        code = engine_problem(error)
        if code is not None:
            # The SDK's reason is a Python repr ("('Connection aborted.', FileNotFoundError(2, ...))"): words instead.
            return hint(code, detail=engine_lost_reason(error), **facts)
        message = _docker_message(error)
        if "ImageNotFound" in class_names(error) and action in ("tag", "rmi", "run", "push"):
            return hint("tag_missing" if action == "push" else "image_missing", detail=docker_reason(message),
                        **facts)
    else:
        message = error
    code = classify_docker_message(message, action)
    if code == "push_denied":
        code = push_refused(facts)
    retry_after = facts.get("retry_after")
    if code == "rate_limited" and isinstance(retry_after, int | float):
        code = "rate_limited_wait"
        facts.setdefault("wait", wait_words(float(retry_after)))
    if code == "registry_server_error" and "status" not in facts:
        status = _HTTP_STATUS.search(message)
        facts["status"] = "".join(status.group(1, 2)) if status else "5xx"
    if code == "port_in_use":
        _another_port(facts)
    if code == "invalid_reference":
        facts.setdefault("message", first_line(message))
    return hint(code, detail=docker_reason(message), **facts)


def _another_port(facts: dict[str, object]) -> None:
    """The tutor's Run publishes the lesson's port; the other port is a command the learner types."""
    port, ref = facts.get("port"), str(facts.get("ref") or "")
    if not isinstance(port, int) or not ref or "other_port_run" in facts:
        return
    from tutor.docker_ops.commandline import run

    inside = facts.get("container_port")
    other = port + 1 if port < 65535 else 8080
    command = run(ref, other, inside if isinstance(inside, int) else port)
    facts["other_port_run"] = f": run it in your terminal as `{command}` and open http://localhost:{other}"


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


def from_build(message: str, *, base_image: str | None = None, step: tuple[str, ...] | str = "",
               **facts: object) -> FailureHint:
    """A failed build. Where the engine's words say nothing better, the blame goes to the base image
    when the failing step is a FROM, else to the step: ``(number, total, instruction)`` or its line."""
    code = classify_docker_message(message, "build")
    if code == "unknown" and base_image:
        return hint("base_image_unavailable", docker_reason(message), **{**facts, "base_image": base_image})
    if code == "unknown" and step:
        label = f"step {step[0]} of {step[1]} ({step[2]})" if isinstance(step, tuple) else step
        return hint("build_step_failed", docker_reason(message), **{**facts, "step": label})
    return from_docker(message, "build", **facts)
