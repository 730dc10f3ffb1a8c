"""``docker-tutor check``: tick the lesson's checklist by looking (engine, registry, node).

``docker-tutor check --roster class.csv`` checks a whole class, one row per learner.
Exit status: 0 when every item that ran passed, 1 when one did not, 2 for unusable input.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from typing import Any

from tutor.commands import fail, warn
from tutor.commands.options import NODE, REGISTRY, TUTOR_CONFIG, USER, include

DEFAULT_LESSON = "04"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check the lesson's checklist: local images, the registry, the k3s node",
        description="Check the lesson's checklist by looking: the images in your Docker engine, the registry "
        "(anonymously, then with docker's stored login), and the k3s node over SSH. Items linked to quiz "
        "questions use your saved answers. Defaults come from the tutor's settings. Exit status 0 means every "
        "item that ran passed.",
    )
    include(parser, USER)
    parser.add_argument("--tag", metavar="T", help="the image tag, e.g. v1")
    include(parser, REGISTRY, NODE)
    parser.add_argument("--trust-host-key", metavar="FINGERPRINT", dest="trust_host_key",
                        help="record the node's host key in the tutor's known_hosts, if it has this SHA256 "
                        "fingerprint (check it on the node first)")
    parser.add_argument("--lesson", default=DEFAULT_LESSON, help=f"the lesson (default {DEFAULT_LESSON})")
    parser.add_argument("--item", metavar="ID", action="append", help="check only this item (repeatable)")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                        help="bound for connecting to the node and each registry request (default 10)")
    parser.add_argument("--pull-timeout", type=float, default=120.0, metavar="SECONDS", dest="pull_timeout",
                        help="bound for each pull on the node (default 120)")
    include(parser, TUTOR_CONFIG)
    parser.add_argument("--roster", metavar="CSV",
                        help="check a class: a CSV with a 'username' column and optionally 'node'")
    parser.add_argument("--parallel", type=int, default=32, metavar="N", help="learners checked at once (--roster)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(handler=run)


class BadInput(Exception):
    """Something the learner typed or configured cannot be used; the message says what to do."""


def run(args: argparse.Namespace) -> int:
    if args.timeout <= 0 or args.pull_timeout <= 0:
        return fail("timeouts must be positive numbers of seconds")
    if args.parallel < 1:
        return fail("--parallel must be at least 1")
    try:
        setup = _setup(args)
        if args.roster:
            return asyncio.run(_run_roster(args, setup))
        return asyncio.run(_run_one(args, setup))
    except BadInput as err:
        return fail(str(err))


def _setup(args: argparse.Namespace) -> dict[str, Any]:
    from tutor import reference, store
    from tutor.lesson import LessonError, get_lesson

    loaded = store.load_settings(store.settings_path(args.config), repair=False)
    if loaded.warning:
        warn(loaded.warning)
    settings = loaded.value
    try:
        lesson = get_lesson(args.lesson)
    except LessonError as err:
        raise BadInput(str(err)) from None
    overrides = settings.variables()
    for key in ("user", "tag", "registry"):
        value = getattr(args, key)
        if value is not None:
            overrides["username" if key == "user" else key] = value.strip()
    values = lesson.values(overrides)
    registry = values.get("registry") or "docker.io"
    if args.user is not None and not args.roster:
        problem = reference.validate_username(values.get("username", ""), registry=registry)
        if problem:
            raise BadInput(f"--user: {problem}")
    try:
        username = "example" if args.roster else (values.get("username") or "example")
        reference.build(username, "app", values.get("tag") or "latest", registry)
    except reference.ImageNameError as err:
        raise BadInput(f"{err}" + (f" ({err.hint})" if err.hint else "")) from None
    if args.item:
        unknown = [i for i in args.item if lesson.checklist_item(i) is None]
        if unknown:
            ids = ", ".join(item.id for item in lesson.checklist)
            raise BadInput(f"no checklist item {', '.join(unknown)} in lesson {lesson.id} (items: {ids})")
    return {"settings": settings, "lesson": lesson, "values": values}


def _node_target(args: argparse.Namespace, settings: Any):
    from tutor.probes import node

    try:
        return node.target_from_settings(settings.node, args.node, args.identity, args.known_hosts,
                                         connect_timeout=args.timeout, pull_timeout=args.pull_timeout)
    except ValueError as err:
        raise BadInput(f"--node: {err}") from None


async def _trust(args: argparse.Namespace, target: Any) -> None:
    """--trust-host-key: record the node's key only if it shows the fingerprint the learner checked."""
    from tutor.probes import node

    if target is None:
        raise BadInput("--trust-host-key needs a node (--node or the settings)")
    key = await node.server_host_key(target)
    if key is None:
        raise BadInput(f"could not read {target.label}'s host key (is it reachable?)")
    shown = node.fingerprint(key)
    wanted = args.trust_host_key.strip()
    if shown != wanted and shown.removeprefix("SHA256:") != wanted:
        raise BadInput(f"{target.label} presents the host key {shown}, not {wanted}: nothing was trusted")
    where = node.resolve(target)
    try:
        path, replaced = node.replace_host_key(where.key_host, where.port, key)
    except OSError as err:
        place = node.tutor_known_hosts()  # the file we meant, not a temporary file beside it
        raise BadInput(f"{target.label}'s host key {shown} matches, but it could not be recorded in {place} "
                       f"({err.strerror or err}): nothing was trusted. Make {place.parent} writable, or pass "
                       "--known-hosts FILE with a known_hosts file that already lists the node") from None
    from tutor.visible import visible

    from tutor import hints

    # A changed key is said with both fingerprints; the old one is no longer trusted.
    print(visible(hints.host_key_replaced(target.label, shown, replaced, str(path),
                                          node.other_keys_elsewhere(target, key))), file=sys.stderr)


async def _run_one(args: argparse.Namespace, setup: dict[str, Any]) -> int:
    from tutor import store
    from tutor.probes.results import overall_exit_code
    from tutor.probes.runner import CheckContext, Runner, Timeouts

    lesson, values = setup["lesson"], setup["values"]
    target = _node_target(args, setup["settings"])
    if args.trust_host_key:
        await _trust(args, target)
    progress_store = store.ProgressStore()
    progress_store.clean_leftovers()
    loaded = progress_store.load(lesson.id)
    if loaded.warning:
        warn(loaded.warning)
    progress = loaded.value
    context = CheckContext(values=values, node=target, progress=progress,
                           timeouts=Timeouts(request=args.timeout, pull=args.pull_timeout))
    runner = Runner(lesson, context)
    if not args.json and sys.stdout.isatty():
        print(f"Checking {len(args.item or lesson.checklist)} item(s)…", file=sys.stderr)
    results = await runner.run_all(args.item)
    for result in results:
        if result.ran:
            progress.set_check(result.item_id, result.status, result.reason, result.evidence)
    try:
        progress_store.save(progress)
    except store.NotOverwritten as exc:
        warn(f"the results could not be saved: {exc}")
    except OSError as exc:
        warn(f"the results could not be saved to {progress_store.path(lesson.id)} ({exc.strerror or exc}); "
             "what was saved before is intact")
    code = overall_exit_code(results)
    header = {"lesson": lesson.id, "username": values.get("username") or None,
              "registry": values.get("registry") or None, "tag": values.get("tag") or None,
              "node": target.label if target is not None else None}
    if args.json:
        print(json.dumps({**header, "passed": code == 0, "items": [r.to_dict() for r in results]}, indent=2))
    else:
        _print_table(header, results)
    return code


def _print_table(header: dict[str, Any], results: list) -> None:
    from tutor.visible import visible

    def print(line: str = "") -> None:  # noqa: A001 - names, hosts and reasons come from input
        sys.stdout.write(visible(line) + "\n")

    from tutor.commands.wrap import terminal_width, wrap

    width = terminal_width()
    bits = [f"{k} {v}" for k, v in header.items() if v and k != "lesson"]
    for line in wrap(f"Checklist of lesson {header['lesson']}" + (f" ({', '.join(bits)})" if bits else ""), width,
                     "  "):
        print(line)
    print()
    from tutor.probes.results import STATUS_WORDS, shown_status

    # The app's checklist words: a quiz item nobody answered yet is "not answered", not "skipped".
    by_status: dict[str, str] = dict(STATUS_WORDS.items())  # CheckStatus keys are the strings results hold
    words = [by_status.get(shown_status(r.status, r.outcome), r.status) for r in results]
    column = max([8, *map(len, words)])
    indent = " " * (column + 3)
    for result, word in zip(results, words, strict=True):
        lines = wrap(f"{result.item_id}: {result.text}", width - len(indent))
        print(f"  {word:<{column}} {lines[0] if lines else result.item_id}")
        for line in lines[1:]:
            print(indent + line)
        for line in wrap(result.reason, width - len(indent)):
            print(indent + line)
        if result.hint is not None and result.status != "passed":
            for line in wrap(f"hint: {result.hint.next_step}", width - len(indent), "  "):
                print(indent + line)
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    print()
    print(", ".join(f"{n} {status}" for status, n in counts.items()) + ".")


async def _run_roster(args: argparse.Namespace, setup: dict[str, Any]) -> int:
    from tutor.probes.roster import RosterCheck, RosterError, read_roster, row_cells, summary_columns
    from tutor.probes.runner import Timeouts

    lesson, values = setup["lesson"], setup["values"]
    try:
        learners = read_roster(args.roster, values.get("registry") or "docker.io")
    except RosterError as err:
        raise BadInput(str(err)) from None
    settings_node = setup["settings"].node
    check = RosterCheck(lesson, {k: v for k, v in values.items() if k != "username"},
                        Timeouts(request=args.timeout, pull=args.pull_timeout),
                        identity=args.identity or settings_node.identity,
                        known_hosts=args.known_hosts or settings_node.known_hosts, parallel=args.parallel)
    rows = await check.check_all(learners)
    code = 0 if all(row.status in ("passed", "skipped") for row in rows) else 1
    if args.json:
        print(json.dumps({"lesson": lesson.id, "registry": values.get("registry"), "tag": values.get("tag"),
                          "learners": len(rows), "rate_limit_waits": check.gate.waits,
                          "rows": [row.to_dict() for row in rows]}, indent=2))
        return code
    from tutor.visible import spreadsheet_safe, visible

    out = csv.writer(sys.stdout)
    out.writerow(summary_columns(lesson))
    for row in rows:
        # The roster's cells come back: as text a spreadsheet will not run, controls shown.
        out.writerow([spreadsheet_safe(visible(cell)) for cell in row_cells(row)])
    passed = sum(1 for row in rows if row.status == "passed")
    print(f"{passed} of {len(rows)} learners passed every item that ran.", file=sys.stderr)
    return code
