"""What the practice registry holds, asked through its own API (the catalog and each tag list).

Learners never get the catalog (Docker Hub has none either), so this signs its own short token
with the token service's key, for the catalog and for reading every repository.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from tutor.practice import policy, tokens
from tutor.practice.state import Layout

PAGE = 1000  # repositories per catalog page
STATUS_SUBJECT = "docker-tutor practice-registry status"  # no learner's name can contain spaces


@dataclass(frozen=True)
class Repository:
    name: str
    tags: tuple[str, ...]
    visibility: str


class ContentsError(RuntimeError):
    pass


def _get(url: str, token: str) -> dict:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with opener.open(request, timeout=10) as answer:
            return json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raise ContentsError(f"the registry answered {exc.code} to {url}") from None
    except (OSError, ValueError) as exc:
        raise ContentsError(f"the registry did not answer {url}: {exc}") from None


def repositories(layout: Layout, url: str) -> list[Repository]:
    """Every repository with its tags (sorted), and whether it is public or private."""
    identity = tokens.load(layout.key, layout.cert)
    if identity is None:  # never a new key here: the running registry trusts the old one only
        raise ContentsError(f"the token service's key in {layout.root} is missing or unreadable")
    catalog = tokens.sign(identity, STATUS_SUBJECT, [{"type": "registry", "name": "catalog", "actions": ["*"]}], 60)
    names: list[str] = []
    last = ""
    while True:
        page = _get(f"{url}/v2/_catalog?n={PAGE}" + (f"&last={last}" if last else ""), catalog)
        found = [n for n in page.get("repositories") or [] if isinstance(n, str)]
        names += found
        if len(found) < PAGE:
            break
        last = found[-1]
    visibility = policy.load(layout.repositories)
    result = []
    for name in sorted(names):
        token = tokens.sign(identity, STATUS_SUBJECT, [{"type": "repository", "name": name, "actions": ["pull"]}], 60)
        try:
            tags = _get(f"{url}/v2/{name}/tags/list", token).get("tags") or []
        except ContentsError:
            tags = []  # a repository whose last tag was deleted answers 404 here
        result.append(Repository(name, tuple(sorted(t for t in tags if isinstance(t, str))), visibility.of(name)))
    return result
