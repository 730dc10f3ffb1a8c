"""``docker-tutor ref REF``: show how Docker reads an image reference."""

from __future__ import annotations

import argparse
import json

from tutor import reference
from tutor.commands import fail

# (key, label) in display order; the keys are also the JSON keys.
FIELDS: tuple[tuple[str, str], ...] = (
    ("registry", "registry"),
    ("namespace", "namespace"),
    ("repository", "repository"),
    ("tag", "tag"),
    ("digest", "digest"),
    ("full", "full"),
    ("short", "short (docker images)"),
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ref",
        help="explain an image reference: registry, namespace, repository, tag",
        description="Show how Docker reads an image reference: which registry it lives on, "
        "its namespace and repository, the tag or digest, and the fully qualified form. "
        "A reference that starts with '-' goes after '--': docker-tutor ref -- -app",
    )
    parser.add_argument(
        "reference", metavar="REF",
        help="an image reference, e.g. nginx, yourusername/poll-backend:v1, ghcr.io/you/app:v1",
    )
    parser.add_argument("--json", action="store_true", help="print the breakdown as JSON")
    parser.set_defaults(handler=run)


def breakdown(ref: reference.ImageRef) -> dict[str, str | None]:
    return {
        "registry": ref.registry,
        "namespace": ref.namespace,
        "repository": ref.repository,
        "tag": ref.tag,
        "digest": ref.digest,
        "full": ref.full,
        "short": ref.short,
    }


def _notes(text: str, ref: reference.ImageRef) -> list[str]:
    """What Docker filled in that the learner did not type."""
    notes = []
    typed = text.strip()
    name_part = typed.split("@", 1)[0]
    first, slash, _ = name_part.partition("/")
    if ref.is_docker_hub and not (slash and reference.is_hub(first)):
        notes.append("no registry given, so Docker uses Docker Hub (docker.io)")
    if ref.is_docker_hub and ref.namespace == reference.OFFICIAL_NAMESPACE and "library/" not in name_part:
        notes.append("'library' is Docker Hub's namespace for official images")
    if ":" not in name_part.rsplit("/", 1)[-1] and "@" not in typed:
        notes.append(f"no tag given, so Docker uses '{reference.DEFAULT_TAG}'")
    return notes


def run(args: argparse.Namespace) -> int:
    try:
        ref = reference.parse(args.reference)
    except reference.ImageNameError as err:
        return fail(str(err), err.hint or "")
    info = breakdown(ref)
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    width = max(len(label) for _, label in FIELDS)
    for key, label in FIELDS:
        value = info[key]
        print(f"{label:<{width}}  {value if value is not None else '(none)'}")
    for note in _notes(args.reference, ref):
        print(f"note: {note}")
    return 0
