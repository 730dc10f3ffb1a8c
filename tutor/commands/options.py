"""The options several commands share, each written once as an argparse parent parser.

A command takes a group with :func:`include`, at the place in its own list where the group
goes: ``parents=`` would put every shared option first, and the order of ``--help`` (like
each flag, default and help text) is part of the commands' public face.
"""

from __future__ import annotations

import argparse


def _parent() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(add_help=False)


def include(parser: argparse.ArgumentParser, *parents: argparse.ArgumentParser) -> None:
    """Add the parents' options to *parser* here, as ``ArgumentParser(parents=...)`` would."""
    for parent in parents:
        parser._add_container_actions(parent)


# --lesson, --lessons and --config, as the app takes them: do, watch, serve, demo.
APP_LESSON = _parent()
APP_LESSON.add_argument("--lesson", metavar="LESSON", help="lesson (default: the first)")
APP_LESSON.add_argument("--lessons", action="append", default=[], metavar="DIR", help="another lessons folder")
APP_LESSON.add_argument("--config", metavar="FILE", help="settings file (default: your config folder)")

# The settings file alone (practice-registry).
CONFIG = _parent()
CONFIG.add_argument("--config", metavar="FILE", help="settings file (default: your config folder)")

# The settings file of the commands that check the learner's world (check, doctor).
TUTOR_CONFIG = _parent()
TUTOR_CONFIG.add_argument("--config", metavar="FILE", help="settings file (default: the tutor's own)")

# A lesson by number, name or file (grade, report).
LESSON_PICK = _parent()
LESSON_PICK.add_argument("--lesson", default=None, metavar="LESSON",
                         help="lesson number, name or file (default: the first)")

# One more folder of lessons (grade, report, lesson show, lesson list).
MORE_LESSONS = _parent()
MORE_LESSONS.add_argument("--lessons", action="append", default=[], metavar="DIR",
                          help="also look for lessons in this folder (repeatable)")

# A lesson variable from the command line (do, lesson show).
VAR = _parent()
VAR.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                 help="set a lesson variable, e.g. --var username=alice (repeatable)")

# Whose images, on which registry (check, doctor).
USER = _parent()
USER.add_argument("--user", metavar="U", help="your registry username (the image namespace)")
REGISTRY = _parent()
REGISTRY.add_argument("--registry", metavar="R", help="the registry host: docker.io, ghcr.io, 127.0.0.1:5000 ...")

# The k3s node over SSH (check, doctor); --trust-host-key says when it acts, so each command words it.
NODE = _parent()
NODE.add_argument("--node", metavar="[USER@]HOST[:PORT]",
                  help="the k3s node to check over SSH (an ~/.ssh/config alias works too)")
NODE.add_argument("--identity", metavar="KEY", help="the SSH private key for the node")
NODE.add_argument("--known-hosts", metavar="FILE", dest="known_hosts",
                  help="an extra known_hosts file to trust (the tutor's own and ~/.ssh/known_hosts always are)")
