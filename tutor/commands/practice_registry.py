"""``docker-tutor practice-registry start|stop|status``: a registry on 127.0.0.1 that behaves like
Docker Hub, for classes without internet or without Docker Hub accounts (see tutor/practice).

Exit status: 0 when it did what was asked (``status``: it runs), 1 when it could not, 2 for a
usage problem, 3 from ``status`` when it is not running (as ``systemctl status``).
"""

from __future__ import annotations

import argparse
import json
import sys

from tutor.commands import fail
from tutor.commands.options import CONFIG, include

EXIT_FAILED, EXIT_NOT_RUNNING = 1, 3
ACTIONS = ("start", "stop", "status", "private", "public", "password")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "practice-registry", help="run an offline registry on 127.0.0.1 that behaves like Docker Hub",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="A real registry on 127.0.0.1 for practising without internet or a Docker Hub\n"
                    "account: accounts with passwords, pushes only into your own namespace, public\n"
                    "and private repositories. Its images and accounts are kept in your data folder\n"
                    "across restarts.",
        epilog="actions:\n"
               "  start            start it (or say where it runs); new accounts' passwords are shown once\n"
               "  stop             stop it; nothing of it keeps running\n"
               "  status           where it runs, since when, and its repositories and tags\n"
               "  private REPO     make a repository private (anonymous pulls refused), e.g. alice/poll-backend\n"
               "  public REPO      make it public again (new repositories are public, as on Docker Hub)\n"
               "  password [USER]  a new password for USER (default: your username), shown once\n\n"
               "exit status: 0 done (status: it runs), 1 it could not be done, 2 usage, 3 status: not running\n")
    parser.add_argument("action", choices=ACTIONS, metavar="ACTION", help="start, stop, status, private, public "
                        "or password")
    parser.add_argument("name", nargs="?", metavar="REPO|USER", help="the repository (private, public) or user")
    parser.add_argument("--port", type=int, metavar="N",
                        help="port on 127.0.0.1 (default: the one used last time, else 5000)")
    parser.add_argument("--user", metavar="NAME", help="the account to make (default: the username in your settings)")
    parser.add_argument("--accounts", metavar="FILE",
                        help="a class: a CSV with a 'username' column (and optionally 'password'), or one "
                             "username per line; every new account's password is printed once")
    parser.add_argument("--json", action="store_true", help="status as JSON")
    include(parser, CONFIG)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tutor.practice.control import PracticeError
    from tutor.practice.state import Layout

    if args.port is not None and not 0 < args.port < 65536:
        return fail("--port must be a number from 1 to 65535")
    if args.action in ("private", "public") and not args.name:
        return fail(f"`practice-registry {args.action}` needs a repository, e.g. "
                    f"`docker-tutor practice-registry {args.action} alice/poll-backend`")
    layout = Layout.default()
    try:
        return {"start": _start, "stop": _stop, "status": _status, "private": _visibility, "public": _visibility,
                "password": _password}[args.action](args, layout)
    except PracticeError as exc:
        found = exc.hint()
        return fail(found.what, found.next_step, code=EXIT_FAILED)
    except BrokenPipeError:
        raise  # `| head` closed standard output: main leaves quietly, the folder is fine
    except OSError as exc:
        from tutor.hints import hint

        found = hint("practice_state_unwritable", folder=layout.root, detail=exc.strerror or str(exc))
        return fail(found.what, found.next_step, code=EXIT_FAILED)


def _settings_username(args: argparse.Namespace) -> str:
    from tutor import store

    return store.load_settings(store.settings_path(args.config), repair=False).value.username


def _wanted_accounts(args: argparse.Namespace) -> tuple[list[str], dict[str, str]] | int:
    """The accounts to make: --accounts FILE, else --user, else the settings' username."""
    from pathlib import Path

    from tutor.hints import hint
    from tutor.practice.accounts import AccountsError, read_class_file
    from tutor.reference import validate_username

    if args.accounts:
        try:
            return read_class_file(Path(args.accounts))
        except AccountsError as exc:
            found = hint("practice_bad_accounts", detail=str(exc))
            return fail(found.what, found.next_step)
    user = args.user or _settings_username(args)
    if not user:
        found = hint("practice_no_username")
        return fail(found.what, found.next_step)
    if problem := validate_username(user, registry="127.0.0.1"):
        return fail(f"{problem} ({user!r})")
    return [user], {}


def _start(args: argparse.Namespace, layout) -> int:
    from tutor.practice import backend, control

    wanted = _wanted_accounts(args)
    if isinstance(wanted, int):
        return wanted
    users, passwords = wanted
    started = control.start(layout, args.port, users, passwords)
    record = started.running
    if started.already:
        print(f"The practice registry already runs at {record.address}, since {_since(record.since)}.")
    else:
        made = f"{record.backend.label} {backend.version(record.backend)}".strip()
        print(f"Practice registry started at {record.address} ({made}; tokens from 127.0.0.1:{record.token_port}).")
    _show_passwords(started.passwords, record.address)
    for user in users:
        if user not in started.passwords:
            print(f"{user} already has an account (its password was shown when it was made; "
                  f"`docker-tutor practice-registry password {user}` makes a new one).")
    print(f"In the tutor: choose \"Practice registry (offline)\" in the settings, or pass "
          f"--var registry={record.address} to `docker-tutor do`.")
    print("New repositories are public, as on Docker Hub; `docker-tutor practice-registry private "
          f"{users[0]}/poll-backend` makes one private.")
    print(f"Its images, accounts and logs are kept in {layout.root}.")
    return 0


def _show_passwords(passwords: dict[str, str], address: str) -> None:
    """The one time a password is shown: only its hash is kept."""
    from tutor.docker_ops.commandline import join
    from tutor.hints import tutor_login

    if not passwords:
        return
    if len(passwords) == 1:
        (user, password), = passwords.items()
        print(f"Account {user}, password: {password}")
        print(f"  Shown only this once (the registry keeps only a hash of it). Log in with "
              f"`{tutor_login(address, user)}` (it asks for the password; add --password-stdin to pipe it in) "
              f"or `{join('docker', 'login', '-u', user, address)}`.")
        return
    print("New accounts (each password is shown only this once; the registry keeps only hashes):")
    width = max(len(user) for user in passwords)
    for user, password in passwords.items():
        print(f"  {user.ljust(width)}  {password}")
    print(f"Each logs in with `{tutor_login(address, 'NAME')}` or `{join('docker', 'login', '-u', 'NAME', address)}`.")


def _stop(args: argparse.Namespace, layout) -> int:
    from tutor.practice import control

    stopped = control.stop(layout)
    if stopped:
        print(f"Practice registry stopped ({' and '.join(stopped)}). Its images and accounts are kept in "
              f"{layout.root}.")
    else:
        print("The practice registry was not running; nothing to stop.")
    return 0


def _status(args: argparse.Namespace, layout) -> int:
    from tutor.practice import contents, control

    record = control.running(layout)
    if record is None:
        if args.json:
            print(json.dumps({"running": False, "folder": str(layout.root)}))
        else:
            print(f"The practice registry is not running (its folder: {layout.root}). "
                  "Start it with `docker-tutor practice-registry start`.")
        return EXIT_NOT_RUNNING
    try:
        held, problem = contents.repositories(layout, record.url), ""
    except contents.ContentsError as exc:
        held, problem = [], str(exc)
    from tutor.practice import accounts

    users = sorted(accounts.load(layout.accounts))
    if args.json:
        print(json.dumps({"running": True, "address": record.address, "since": record.since,
                          "registry": record.backend.label, "token_service": f"127.0.0.1:{record.token_port}",
                          "folder": str(layout.root), "problem": problem or None, "accounts": users,
                          "repositories": [{"name": r.name, "tags": list(r.tags), "visibility": r.visibility}
                                           for r in held]}, indent=2))
        return 0
    print(f"The practice registry runs at {record.address}, since {_since(record.since)}.")
    print(f"  registry: {record.backend.label}" + (f" (pid {record.registry_pid})" if record.registry_pid else ""))
    print(f"  tokens:   127.0.0.1:{record.token_port} (pid {record.token_pid})")
    print(f"  folder:   {layout.root}")
    shown = ", ".join(users[:8]) + (f" and {len(users) - 8} more" if len(users) > 8 else "")
    print(f"  accounts: {shown or 'none yet (start with --user NAME or --accounts FILE)'}")
    if problem:
        print(f"Its repositories could not be listed: {problem}.")
    elif not held:
        print("It holds no repositories yet.")
    else:
        print(f"It holds {len(held)} repositor{'y' if len(held) == 1 else 'ies'}:")
        width = max(len(r.name) for r in held)
        for repo in held:
            tags = ", ".join(repo.tags) or "(no tags)"
            print(f"  {repo.name.ljust(width)}  {repo.visibility:7}  {tags}")
    return 0


def _since(stamp: str) -> str:
    """``2026-12-02T06:10:00Z`` -> "06:10 UTC on 2026-12-02 (12 minutes ago)"."""
    from datetime import UTC, datetime

    try:
        then = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return stamp
    minutes = int((datetime.now(UTC) - then).total_seconds() // 60)
    ago = "just now" if minutes < 1 else f"{minutes} minute{'s' if minutes != 1 else ''} ago" if minutes < 120 \
        else f"{minutes // 60} hours ago"
    return f"{then:%H:%M} UTC on {then:%Y-%m-%d} ({ago})"


def _visibility(args: argparse.Namespace, layout) -> int:
    from tutor.practice import policy
    from tutor.reference import ImageNameError, parse

    name = args.name.strip().removeprefix("/")
    if "/" not in name:  # a bare repository name is in the learner's own namespace
        user = args.user or _settings_username(args)
        if not user:
            return fail(f"give the repository with its namespace, e.g. alice/{name}")
        name = f"{user}/{name}"
    try:
        parse(f"127.0.0.1/{name}:latest")
    except ImageNameError as exc:
        import re

        said = re.sub(r"127\.0\.0\.1/(.*?):latest", r"\1", exc.hint or exc.rule)  # our probe name, not theirs
        return fail(f"{name!r} is not a repository name: {said}",
                    "a repository is NAMESPACE/NAME in lowercase letters, digits and . _ -, e.g. alice/poll-backend")
    layout.make()
    try:
        policy.set_visibility(layout.repositories, name, args.action)
    except policy.PolicyError as exc:
        return fail(str(exc), "fix the file (or move it away: every repository is then public again, "
                              "Docker Hub's default), then try again", code=EXIT_FAILED)
    if args.action == "private":
        print(f"{name} is private: only {policy.owner(name)} may pull it; an anonymous pull is refused.")
    else:
        print(f"{name} is public: anyone may pull it, only {policy.owner(name)} may push.")
    return 0


def _password(args: argparse.Namespace, layout) -> int:
    from tutor.hints import hint
    from tutor.practice import accounts

    user = args.name or args.user or _settings_username(args)
    if not user:
        found = hint("practice_no_username")
        return fail(found.what, found.next_step)
    try:
        known = accounts.load_for_change(layout.accounts)
    except accounts.AccountsError as exc:
        found = hint("practice_accounts_unreadable", detail=str(exc))
        return fail(found.what, found.next_step, code=EXIT_FAILED)
    if user not in known:
        found = hint("practice_no_account", username=user)
        return fail(found.what, found.next_step, code=EXIT_FAILED)
    made = accounts.add(layout.accounts, [user], replace=True)
    from tutor.practice.state import known_address

    _show_passwords(made, known_address(layout) or "127.0.0.1:5000")
    print("The old password no longer works; docker logins made with it must be made again.", file=sys.stderr)
    return 0
