"""The lesson's checklist with one node that never answers: its wall time against its slowest
single probe run on its own, in one run.

The checklist of the bundled lesson is checked for real: both images pushed to a token
registry on loopback (built FROM the offline base on the engine in DOCKER_HOST), their
visibility, and a node at a loopback port that accepts the TCP connection and then never
says a word (no SSH banner). The node probe therefore runs into its connection timeout;
every other probe answers in milliseconds. Baseline: each probe item checked alone, the
slowest of them (the node, bounded by the same timeout). Rounds alternate the whole
checklist and the items one by one; the medians are compared.

    DOCKER_HOST=unix:///tmp/dev-engine/docker.sock .venv/bin/python benchmarks/checklist.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import Unavailable, alternate, engine, header, report, token_registry

TAG = "tutor-test-bench"
NODE_TIMEOUT = 3.0  # seconds: the SSH connection's bound (Timeouts.request) in this benchmark


class SilentNode:
    """A loopback port that accepts connections and never answers them (a hung sshd, a tarpit)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def push_images(found, registry) -> list[str]:
    from tests.integration.test_probes_support import build, push, tag_local

    refs = []
    for context in ("backend", "frontend"):
        ref = tag_local(found, build(found, context), registry.ref(f"learner/poll-{context}", TAG))
        push(found, registry, ref)
        registry.set_public(f"learner/poll-{context}")
        refs.append(ref)
    return refs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    header(f"checklist with a node that never answers (connection bound {NODE_TIMEOUT:g} s)")
    try:
        found = engine()
    except Unavailable as why:
        print(f"  skipped: {why}")
        return 0
    from tutor.lesson import get_lesson
    from tutor.probes.node import NodeTarget
    from tutor.probes.runner import CheckContext, Runner, Timeouts

    with tempfile.TemporaryDirectory(prefix="dt-bench-check-") as folder, token_registry() as registry:
        os.environ["DOCKER_CONFIG"] = str(Path(folder) / "docker")  # no stored logins: the probes ask anonymously
        refs = push_images(found, registry)
        key = Path(folder) / "id_ed25519"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
        (Path(folder) / "known_hosts").write_text("")
        node = SilentNode()
        lesson = get_lesson(None)
        target = NodeTarget("127.0.0.1", node.port, "ubuntu", str(key), str(Path(folder) / "known_hosts"),
                            ssh_config="", connect_timeout=NODE_TIMEOUT)
        context = CheckContext(values=lesson.values({"username": "learner", "registry": registry.host, "tag": TAG}),
                               node=target, timeouts=Timeouts(request=NODE_TIMEOUT),
                               no_progress_reason="Not checked here: no quiz answers in this benchmark.")
        probed = [item.id for item in lesson.checklist if item.probe is not None]
        outcomes: dict[str, str] = {}

        def whole() -> float:
            started = time.perf_counter()
            results = asyncio.run(Runner(lesson, context).run_all())
            took = time.perf_counter() - started
            outcomes.update({r.item_id: f"{r.status} ({r.outcome})" for r in results if r.item_id in probed})
            return took

        def slowest_alone() -> float:
            times = []
            for item_id in probed:
                started = time.perf_counter()
                asyncio.run(Runner(lesson, context).run_item(item_id))
                times.append(time.perf_counter() - started)
            return max(times)

        try:
            results = alternate({"slowest probe alone (node)": slowest_alone, "whole checklist": whole}, args.runs)
        finally:
            node.close()
            for ref in refs:
                try:
                    found.client.images.remove(ref)
                except Exception:  # noqa: BLE001 - already gone
                    pass
    report(results, "slowest probe alone (node)", {"whole checklist": "<= 1.10x"})
    print(f"  probe items: {', '.join(f'{k} {v}' for k, v in outcomes.items())}")
    print(f"  medians of {args.runs} alternating runs; the whole checklist is bounded by the node's "
          f"{NODE_TIMEOUT:g} s connection bound, not by the sum of the probes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
