"""The practice registry (`docker-tutor practice-registry`, tutor/practice): its own failures, and
the advice of other sources' codes reworded for it (its own command, not a network check or a web
site's settings)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
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
}

GENERIC = {
    "repository": "USER/REPOSITORY",
    "image_state": "the Docker engine has no registry:2 image",
    "install_command": "sudo apt-get install docker-registry",
    "registry_image": "registry:2",
    "part": "registry",
    "how": "did not start",
    "log_file": "its log",
    "log_tail": "(nothing)",
    "next_port": "5001",
    "folder": "folder",
}


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
    "registry_refused": "practice_stopped",
    "registry_unreachable_probe": "practice_stopped",
    "registry_private_repo": "practice_private_repo",
}


def for_practice(code: str, facts: dict[str, object]) -> str:
    """``code``, or its practice wording when the facts name the practice registry (and, for
    ``practice_stopped``, it really is not running)."""
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
