"""Who may do what on the practice registry, as on Docker Hub.

* A signed-in learner may push and pull in their own namespace (``alice/...``), nowhere else.
* Anyone, signed in or not, may pull a public repository.
* A private repository is pulled only by its owner; for anyone else it does not seem to exist
  (the registry answers 401 whether a repository is private or missing, as Docker Hub does).
* Nobody gets the catalog: Docker Hub does not list repositories either.

A repository is public unless made private (Docker Hub's default for a new repository is
public too): ``docker-tutor practice-registry private alice/poll-backend``. ``repositories.json``
holds the exceptions to the default (``"default": "private"`` there makes every new repository
private, for a class that should practise pull secrets), and the token service reads it at every
token, so a change counts at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tutor.practice.state import write_json

PUBLIC, PRIVATE = "public", "private"


@dataclass(frozen=True)
class Visibility:
    default: str = PUBLIC
    private: frozenset[str] = frozenset()
    public: frozenset[str] = frozenset()  # exceptions when the default is private
    broken: bool = False  # the file could not be read: everything is private until it is fixed

    def of(self, repository: str) -> str:
        if repository in self.private:
            return PRIVATE
        if repository in self.public:
            return PUBLIC
        return self.default


class PolicyError(ValueError):
    """repositories.json exists but cannot be read: it is not saved over."""


def load(path: Path) -> Visibility:
    """The policy in ``path``. A file that exists but cannot be read makes every repository private
    until it is fixed: a lost list of private repositories must never make them public."""
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Visibility()
    except (OSError, ValueError):
        return Visibility(default=PRIVATE, broken=True)
    if not isinstance(data, dict):
        return Visibility(default=PRIVATE, broken=True)
    names = lambda key: frozenset(n for n in data.get(key) or [] if isinstance(n, str))  # noqa: E731
    default = PRIVATE if data.get("default") == PRIVATE else PUBLIC
    return Visibility(default, names(PRIVATE), names(PUBLIC))


def set_visibility(path: Path, repository: str, visibility: str) -> Visibility:
    """Make ``repository`` public or private; returns the new policy."""
    current = _for_change(path)
    private, public = set(current.private), set(current.public)
    private.discard(repository)
    public.discard(repository)
    if visibility != current.default:
        (private if visibility == PRIVATE else public).add(repository)
    write_json(path, {"default": current.default, PRIVATE: sorted(private), PUBLIC: sorted(public)})
    return load(path)


def _for_change(path: Path) -> Visibility:
    current = load(path)
    if current.broken:
        raise PolicyError(f"{path} cannot be read, so every repository is private until it is fixed or moved away")
    return current


def owner(repository: str) -> str:
    """The namespace a repository is in ("" for a name without one, which nobody owns)."""
    head, slash, _ = repository.partition("/")
    return head if slash else ""


def allowed(user: str | None, repository: str, visibility: Visibility) -> set[str]:
    """The actions ``user`` (None: anonymous) may take on ``repository``."""
    if user and owner(repository) == user:
        return {"pull", "push"}
    return {"pull"} if visibility.of(repository) == PUBLIC else set()


def grant(user: str | None, wanted: list[tuple[str, str, list[str]]], visibility: Visibility) -> list[dict]:
    """The ``access`` claim for a token asked for ``wanted`` scopes: what is allowed of each."""
    access = []
    for kind, name, actions in wanted:
        if kind != "repository":
            continue  # registry:catalog:* is never granted to a learner
        given = [action for action in actions if action in allowed(user, name, visibility)]
        if given:
            access.append({"type": kind, "name": name, "actions": given})
    return access
