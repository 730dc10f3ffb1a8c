"""Learners' accounts on the practice registry: usernames and scrypt hashes of their passwords.

A password is generated, shown once by the command that made it, and only its hash is kept
(``hashlib.scrypt``: memory-hard like bcrypt or argon2, and in the standard library, so no
dependency). The token service reads the same file, and sees new accounts without a restart.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import secrets
from pathlib import Path

from tutor.practice.state import read_json, write_json

# scrypt cost: about 30 ms and 16 MiB per check here. The token service checks a password once per
# token, and docker asks for one token per push or pull, so this is felt by nobody.
_N, _R, _P = 2**14, 8, 1
PASSWORD_BYTES = 15  # 20 URL-safe characters: 120 random bits


class AccountsError(ValueError):
    """The class file cannot be used; the message names the line."""


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def check_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        expected = base64.b64decode(digest)
        found = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                               dklen=len(expected), maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):
        return False  # a hand-edited entry that is no hash at all matches no password
    return hmac.compare_digest(found, expected)


def new_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def load(path: Path) -> dict[str, str]:
    """username -> hash; entries that are not text are left out (an unreadable file: no accounts)."""
    return {user: value for user, value in read_json(path).items() if isinstance(user, str) and isinstance(value, str)}


def load_for_change(path: Path) -> dict[str, str]:
    """The accounts before a change; AccountsError for a file that exists but cannot be read, which
    must not be saved over: it holds every learner's account."""
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise AccountsError(f"{path} cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    if not isinstance(data, dict):
        raise AccountsError(f"{path} does not hold a table of accounts")
    return {user: value for user, value in data.items() if isinstance(user, str) and isinstance(value, str)}


def save(path: Path, accounts: dict[str, str]) -> None:
    write_json(path, dict(sorted(accounts.items())), private=True)


def add(path: Path, usernames: list[str], passwords: dict[str, str] | None = None,
        replace: bool = False) -> dict[str, str]:
    """Create the accounts that do not exist yet (all of them with ``replace``); returns username ->
    the plain password of each one created, for the caller to show once. ``passwords`` gives some
    of them a password chosen by the instructor instead of a generated one."""
    accounts = load_for_change(path)
    made: dict[str, str] = {}
    for user in usernames:
        if user in accounts and not replace:
            continue
        password = (passwords or {}).get(user) or new_password()
        accounts[user] = hash_password(password)
        made[user] = password
    if made:
        save(path, accounts)
    return made


def read_class_file(path: Path) -> tuple[list[str], dict[str, str]]:
    """The accounts a class file asks for: a CSV with a ``username`` column (the same file as
    ``docker-tutor check --roster``) and, optionally, a ``password`` column; or one username per line.

    Returns the usernames in order and the passwords given (the rest are generated)."""
    from tutor.reference import validate_username

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AccountsError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    lines = text.splitlines()
    header = next((line for line in lines if line.strip()), "")
    rows: list[tuple[int, str, str]] = []
    if "username" in [cell.strip().lower() for cell in next(csv.reader([header]), [])]:
        reader = csv.DictReader(lines)
        fields = {name.strip().lower(): name for name in reader.fieldnames or []}
        for number, row in enumerate(reader, start=2):
            user = (row.get(fields["username"]) or "").strip()
            password = (row.get(fields["password"]) or "") if "password" in fields else ""
            if user:
                rows.append((number, user, password))
    else:
        rows = [(number, line.strip(), "") for number, line in enumerate(lines, start=1)
                if line.strip() and not line.lstrip().startswith("#")]
    if not rows:
        raise AccountsError(f"{path} names no accounts: give a `username` column, or one username per line")
    users: list[str] = []
    passwords: dict[str, str] = {}
    for number, user, password in rows:
        if problem := validate_username(user, registry="127.0.0.1"):
            raise AccountsError(f"{path}, line {number}: {problem}")
        if user in users:
            raise AccountsError(f"{path}, line {number}: {user} is named twice")
        users.append(user)
        if password:
            passwords[user] = password
    return users, passwords
