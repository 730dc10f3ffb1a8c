"""A class roster checked at once against the same roster checked one learner at a time, in one run.

A token registry on loopback (Docker Hub-like: public and private repositories) holds both
images of every learner, written straight over its HTTP API (no engine needed). The
roster check talks to it through tests/fixtures/rate_limit_proxy.py, which answers 429 with
a Retry-After of one second to requests beyond a rate, so the waits the roster honours are
part of the time (every request waits out a 429's pause, and fewer go out at once after it).
The baseline is the same RosterCheck with one slot (parallel=1): the learners one after the
other. Rounds alternate the two; the medians are compared, for 10, 50 and 200 learners (how the
time grows with the class).

On loopback a request costs only CPU, and two shared cores are all there is: the proxy
also waits --delay seconds before each answer (default 20 ms, a registry in the same region),
the round trip a real class's checks spend waiting, which checking at once overlaps.

The registry's token server and the proxy are Python threads: they run in a process of
their own (this script with --serve), so that they do not share the checking process's GIL.

    .venv/bin/python benchmarks/roster.py [--runs 2] [--learners 10,50,200] [--rate 60] [--delay 0.02]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
import time
from concurrent.futures import ThreadPoolExecutor

from common import Unavailable, alternate, header, median, report, scratch, token_registry

TAG = "tutor-test-bench"
SOURCE = "learner"


def tiny_image(writer, repository: str) -> None:
    """One small layer and a config, as a build would leave them, under ``repository:TAG``."""
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as tar:
        body = f"the {repository} of the benchmark\n".encode()
        info = tarfile.TarInfo("app/index.html")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    layer = gzip.compress(data.getvalue(), mtime=0)
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(config),
                           "digest": writer.upload(repository, config)},
                "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": len(layer),
                            "digest": writer.upload(repository, layer)}]}
    writer.put_manifest(repository, TAG, manifest)


def classroom(registry, learners: int) -> list[str]:
    """``learners`` names, each with poll-backend and poll-frontend pushed and public."""
    from tests.integration.test_probes_support import RegistryWriter

    writer = RegistryWriter(registry)
    names = [f"tutor-test-b{n:03d}" for n in range(learners)]
    try:
        for context in ("backend", "frontend"):
            tiny_image(writer, f"{SOURCE}/poll-{context}")
        copies = [(f"{SOURCE}/poll-{c}", f"{name}/poll-{c}") for name in names for c in ("backend", "frontend")]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda pair: writer.copy(pair[0], TAG, pair[1]), copies))
    finally:
        writer.close()
    for name in names:
        for context in ("backend", "frontend"):
            registry.set_public(f"{name}/poll-{context}")
    return names


def serve(learners: int, rate: int, delay: float) -> None:
    """The registry, its classroom and the proxy; one JSON line with the proxy's host, then the
    proxy's counters for every line read from stdin, until stdin closes."""
    from tests.fixtures.rate_limit_proxy import RateLimitProxy

    with token_registry() as registry:
        classroom(registry, learners)
        proxy = RateLimitProxy(registry.host)
        proxy.limit_rate(rate, 1.0, retry_after=1)
        proxy.delay = delay
        print(json.dumps({"host": proxy.host}), flush=True)
        for _ in sys.stdin:
            print(json.dumps({"requests": proxy.requests, "limited": proxy.limited, "cpu": time.process_time()}),
                  flush=True)
        proxy.close()


class Service:
    def __init__(self, learners: int, rate: int, delay: float) -> None:
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve", str(learners), "--rate", str(rate),
                                      "--delay", str(delay)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise Unavailable(f"the registry did not start: {self.proc.stderr.read()[-1500:]}")
        self.host = json.loads(line)["host"]

    def counters(self) -> tuple[int, int, float]:
        """Requests seen, requests answered 429, and the CPU seconds of the proxy and token server."""
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        found = json.loads(self.proc.stdout.readline())
        return found["requests"], found["limited"], found["cpu"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--learners", default="10,50,200")
    parser.add_argument("--delay", type=float, default=0.02, help="seconds the proxy waits before each answer")
    parser.add_argument("--rate", type=int, default=60, help="requests per second before the proxy answers 429")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(n) for n in args.learners.split(",")]
    os.environ["DOCKER_CONFIG"] = str(scratch("dt-bench-docker-"))  # no stored logins
    if args.serve:
        serve(args.serve, args.rate, args.delay)
        return 0
    header(f"roster against a local registry, {args.delay * 1000:g} ms per answer, rate limited to {args.rate} "
           "requests/s (Retry-After: 1)")
    from tutor.lesson import get_lesson
    from tutor.probes.roster import DEFAULT_PARALLEL, Learner, RateGate, RosterCheck
    from tutor.probes.runner import Timeouts

    try:
        service = Service(max(sizes), args.rate, args.delay)
    except Unavailable as why:
        print(f"  skipped: {why}")
        return 0
    names = [f"tutor-test-b{n:03d}" for n in range(max(sizes))]
    lesson = get_lesson(None)
    seen: dict[str, list[tuple[int, int, int, float, float]]] = {}
    gave_up: dict[str, int] = {}  # learners the roster gave up on (still rate limited at its bound), last sample
    lowest: dict[str, int] = {}  # the fewest requests in flight the roster slowed down to, last sample

    def check(learners: int, parallel: int, name: str) -> float:
        roster = RosterCheck(lesson, {"registry": service.host, "tag": TAG}, Timeouts(request=10),
                             parallel=parallel, gate=RateGate())
        requests, limited, served = service.counters()
        started, cpu = time.perf_counter(), time.process_time()
        rows = asyncio.run(roster.check_all([Learner(n) for n in names[:learners]]))
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
        # Every learner has both images public: anything else is a fault, except a 429 that
        # outlasted the roster's time bound (counted and shown: it is a figure of this benchmark).
        limited_rows = [r for r in rows if any(i.outcome == "rate-limited" for i in r.items)]
        bad = [r for r in rows if r.status != "passed" and r not in limited_rows]
        if bad:
            raise RuntimeError(f"{len(bad)} learners not passed, e.g. {bad[0].username}: {bad[0].reason}")
        gave_up[name] = len(limited_rows)
        lowest[name] = roster.gate.lowest
        after = service.counters()
        seen.setdefault(name, []).append((after[0] - requests, after[1] - limited, roster.gate.waits, cpu,
                                          after[2] - served))
        return took

    growth = {}
    try:
        for learners in sizes:
            print(f"  {learners} learners:")
            at_once, alone = f"at once (parallel={DEFAULT_PARALLEL})", "one at a time (baseline)"
            runs = {alone: functools.partial(check, learners, 1, f"{learners} {alone}"),
                    at_once: functools.partial(check, learners, DEFAULT_PARALLEL, f"{learners} {at_once}")}
            results = alternate(runs,
                                args.runs, warm=learners == sizes[0])
            report(results, alone, {at_once: ">= 10x faster, i.e. <= 0.10x"} if learners == 200 else {})
            for how in (alone, at_once):
                requests, limited, waits, cpu, served = seen[f"{learners} {how}"][-1]
                print(f"    {how}: {requests} requests, {limited} answered 429, {waits} Retry-After waits; CPU per "
                      f"learner: {cpu * 1000 / learners:.0f} ms checking, {served * 1000 / learners:.0f} ms in the "
                      f"proxy and token server; in flight at least {lowest[f'{learners} {how}']}; "
                      f"{gave_up[f'{learners} {how}']} learners given up on (still rate limited)")
            print(f"    at once is {median(results[alone]) / median(results[at_once]):.1f}x faster")
            growth[learners] = median(results[at_once])
    finally:
        service.close()
    first = sizes[0]
    print("  growth, at once: " + ", ".join(f"{n} learners {growth[n]:.2f} s ({growth[n] / growth[first]:.1f}x "
                                            f"{first})" for n in sizes))
    print(f"  medians of {args.runs} alternating runs each")
    return 0


if __name__ == "__main__":
    sys.exit(main())
