"""The one place that turns low-level failures into hints a learner can act on.

A ``FailureHint`` has a stable ``code`` (tests, the UI and the progress store key on it), ``what``
happened and the ``next_step`` to take, each a sentence or two, plus the ``detail``: the
original message (for docker's failures, its one-line reason from ``docker_reason``).

Layout: one module per source of failures, each with its sentences (``TEXTS``: code -> (what,
next step) templates; ``GENERIC``: what a placeholder says when the caller does not know the
fact) and the functions that map its failures to those codes:

* ``docker``: the engine, build, tag, rmi and run (``from_docker``, ``from_build``);
* ``registry``: login, push and pull refusals, rate limits, the registry probe (``from_registry``);
* ``node``: SSH errors and what the node printed when pulling (``from_ssh_error``, ``from_node_pull``);
* ``doctor``, ``follow``, ``practice``: the pre-flight doctor, the followed terminal, the
  practice registry.

``catalogue`` holds ``FailureHint`` and ``hint(code, **facts)``, which fills a code's templates
from any source. Everything is importable from here (``from tutor.hints import hint``).

Nothing here imports docker or any other heavy library: exceptions are recognised by
class name so that this package stays cheap to import from the UI.
"""

from __future__ import annotations

from tutor.hints.catalogue import FailureHint, hint, tables
from tutor.hints.docker import (
    REASON_LIMIT,
    action_facts,
    classify_docker_message,
    docker_reason,
    engine_lost_reason,
    engine_problem,
    from_build,
    from_docker,
    from_lesson_error,
    quiet_build_notice,
    retag_advice,
)
from tutor.hints.follow import follow_wrong_name
from tutor.hints.node import (
    classify_node_message,
    classify_ssh_error,
    from_node_pull,
    from_ssh_error,
    host_key_replaced,
    known_hosts_unreadable_reason,
    node_command_timeout_reason,
    node_connect_reason,
    node_pull_reason,
    node_pulled_reason,
    node_stalled_reason,
    node_wrong_platform_reason,
    pull_reason,
)
from tutor.hints.practice import practice_started_notice, practice_starting_notice
from tutor.hints.registry import (
    RETRY,
    from_registry,
    pull_checked,
    retrying_notice,
    transport_problem,
    tutor_login,
    wait_words,
)

# Every code's (what, next step), whichever source it comes from.
CATALOGUE = tables()[0]

__all__ = [
    "CATALOGUE", "REASON_LIMIT", "RETRY", "FailureHint", "action_facts", "classify_docker_message",
    "classify_node_message", "classify_ssh_error", "docker_reason", "engine_lost_reason", "engine_problem", "follow_wrong_name",
    "from_build", "from_docker", "from_lesson_error", "from_node_pull", "from_registry", "from_ssh_error", "hint",
    "host_key_replaced", "known_hosts_unreadable_reason", "node_command_timeout_reason", "node_connect_reason",
    "node_pull_reason", "node_pulled_reason", "node_stalled_reason", "node_wrong_platform_reason",
    "practice_started_notice", "practice_starting_notice", "pull_checked", "pull_reason", "quiet_build_notice",
    "retag_advice", "retrying_notice", "transport_problem", "tutor_login", "wait_words",
]
