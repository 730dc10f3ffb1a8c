"""``docker-tutor doctor``: before a class, is everything the milestone needs in place?

One line per check (engine, base images, disk, registry, pull quota, login, node), each
with what to fix. Exit status: 0 when the milestone can be done end to end (warnings
allowed), 1 when a check failed or could not run, 2 for unusable input.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from tutor.commands import fail, warn
from tutor.commands.options import NODE, REGISTRY, TUTOR_CONFIG, USER, include
from tutor.commands.wrap import terminal_width
from tutor.commands.wrap import wrap as _wrap

DEFAULT_LESSON = "04"
EXIT_NOT_READY = 1
LABELS = {"ok": "ok", "warn": "warn", "fail": "FAIL", "skipped": "skip"}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="before a class: check the engine, base images, disk, registry, login and node",
        description="Check everything the milestone needs and say what to fix, one line each: the Docker engine, "
        "the base images of the project's Dockerfiles, free disk space, the registry (and its pull quota), "
        "docker's login to it, and the k3s node over SSH (host key, k3s, sudo). Defaults come from the tutor's "
        "settings. Exit status: 0 when the milestone can be done end to end, 1 when something needs fixing, "
        "2 for unusable input.",
    )
    include(parser, USER, REGISTRY)
    parser.add_argument("--project", metavar="DIR",
                        help="the folder holding backend/ and frontend/ (default: the settings', else the sample app)")
    include(parser, NODE)
    parser.add_argument("--trust-host-key", metavar="FINGERPRINT", dest="trust_host_key",
                        help="record the node's host key in the tutor's known_hosts first, if it has this SHA256 "
                        "fingerprint (check it on the node)")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                        help="bound for each request, connection and node command (default 10)")
    include(parser, TUTOR_CONFIG)
    parser.add_argument("--json", action="store_true", help="print JSON: one object per check")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tutor.commands.check import BadInput

    if args.timeout <= 0:
        return fail("--timeout must be a positive number of seconds")
    try:
        setup, header = _setup(args)
        return asyncio.run(_run(args, setup, header))
    except BadInput as err:
        return fail(str(err))


def _setup(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    from tutor import reference, store
    from tutor.commands.check import BadInput
    from tutor.docker_ops.commandline import join
    from tutor.lesson import LessonError, get_lesson
    from tutor.probes import doctor, node

    loaded = store.load_settings(store.settings_path(args.config), repair=False)
    if loaded.warning:
        warn(loaded.warning)
    settings = loaded.value
    try:
        lesson = get_lesson(DEFAULT_LESSON)
    except LessonError as err:
        raise BadInput(str(err)) from None
    overrides = settings.variables()
    for key, name in (("user", "username"), ("registry", "registry"), ("project", "project_dir")):
        value = getattr(args, key)
        if value is not None:
            overrides[name] = value.strip()
    values = lesson.values(overrides)
    registry = values.get("registry") or reference.DOCKER_HUB
    if args.user is not None:
        problem = reference.validate_username(values.get("username", ""), registry=registry)
        if problem:
            raise BadInput(f"--user: {problem}")
    try:
        reference.build("example", "app", "latest", registry)
    except reference.ImageNameError as err:
        raise BadInput(f"--registry: {err}" + (f" ({err.hint})" if err.hint else "")) from None
    target, problem = None, ""
    try:
        target = node.target_from_settings(settings.node, args.node, args.identity, args.known_hosts,
                                           connect_timeout=args.timeout)
    except ValueError as err:
        if args.node:
            raise BadInput(f"--node: {err}") from None
        problem = str(err)
    # The trust advice repeats what this run was given, so it trusts the very node it checked.
    trust = ["docker-tutor", "doctor"]
    for flag, value in (("--config", args.config), ("--node", args.node), ("--identity", args.identity),
                        ("--known-hosts", args.known_hosts)):
        if value:
            trust += [flag, value]
    trust_command = join(*trust).replace("{", "{{").replace("}", "}}") + " --trust-host-key {fingerprint}"
    setup = doctor.setup_for(lesson, values, node=target, node_problem=problem, timeout=args.timeout,
                             trust_command=trust_command)
    header = {"registry": setup.label, "username": setup.username or None,
              "project": values.get("project_dir") or None, "node": target.label if target else None}
    return setup, header


async def _run(args: argparse.Namespace, setup: Any, header: dict[str, Any]) -> int:
    from tutor.probes import doctor

    if args.trust_host_key:
        from tutor.commands.check import _trust

        await _trust(args, setup.node)
    if not args.json and sys.stdout.isatty():
        print("Checking the engine, the registry and the node…", file=sys.stderr)
    findings = await doctor.Doctor(setup).run()
    ready = doctor.ready(findings)
    if args.json:
        print(json.dumps({**header, "ready": ready, "checks": [f.to_dict() for f in findings]}, indent=2))
    else:
        print_findings(header, findings, ready)
    return 0 if ready else EXIT_NOT_READY


def print_findings(header: dict[str, Any], findings: list, ready: bool, width: int | None = None) -> None:
    from tutor.visible import visible

    def out(line: str = "") -> None:  # hosts, paths and registry words come from input
        sys.stdout.write(visible(line) + "\n")

    width = width or terminal_width()
    about = ", ".join(f"{key} {value}" for key, value in header.items() if value and key != "project")
    title = f"Pre-flight check for the milestone ({about})" if about else "Pre-flight check for the milestone"
    for line in _wrap(title, width, "  "):
        out(line)
    if "username" in header and not header["username"]:
        # First, since the login and pull-quota lines below depend on it.
        for line in _wrap("No username is set: the lesson names your images after it, and the login is made "
                          "as it. Set it in the settings or pass --user NAME.", width):
            out(line)
    out()
    column = max(len(f.id) for f in findings) + 2
    indent = " " * (2 + 6 + column)
    for finding in findings:
        lines = _wrap(finding.message, width - len(indent)) or [""]
        out(f"  {LABELS.get(finding.state, finding.state):<6}{finding.id:<{column}}{lines[0]}")
        for line in lines[1:]:
            out(indent + line)
        if finding.fix and finding.state != "ok":
            for line in _wrap(f"fix: {finding.fix}", width - len(indent), "     "):
                out(indent + line)
    out()
    if ready:
        out("Ready: the milestone can be done end to end on this machine.")
        return
    failed = [f.id for f in findings if f.state == "fail"]
    unchecked = [f.id for f in findings if f.state == "skipped"]
    summary = f"Not ready: {_count(failed, 'failed')} ({', '.join(failed)})" if failed else "Not ready"
    if unchecked:
        summary += f"{';' if failed else ':'} {_count(unchecked, 'could not run')} until then"
    for line in _wrap(summary + ". Fix them and run `docker-tutor doctor` again.", width):
        out(line)


def _count(ids: list[str], what: str) -> str:
    return f"{len(ids)} check{'s' if len(ids) != 1 else ''} {what}"
