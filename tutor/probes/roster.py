"""Check a whole class: one row per learner from a CSV roster (``username`` and optional ``node``).

Learners are checked a few at a time over one shared HTTP client whose requests share one
rate budget (RateGate): when a registry answers 429, no request goes out until its
Retry-After has passed, and fewer requests are in flight at once from then on (growing back
while the registry keeps answering). Rate-limited items are checked again until the roster's
total time bound would be passed; a learner still rate limited then says that the roster gave up.
Only what can be seen from the instructor's machine is checked: the registry and the
nodes. Local images and quiz answers live on each learner's machine and are skipped.
"""

from __future__ import annotations

import asyncio
import csv
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor import reference
from tutor.lesson.model import Lesson
from tutor.probes import node as node_probe
from tutor.probes import registry
from tutor.probes.results import CheckResult
from tutor.probes.runner import CheckContext, Runner, Timeouts, worst
from tutor.states import CheckStatus

DEFAULT_PARALLEL = 32  # a learner mostly waits for answers; a 429 brings the requests in flight down
MAX_RETRIES = 50  # checks of one learner's rate-limited items again; the time bound usually ends it first
MAX_WAIT = 120.0  # never wait longer than this for one Retry-After
DEFAULT_WAIT = 2.0  # a 429 that does not say how long
TOTAL_BOUND = 300.0  # seconds: after this, rate-limited items are not asked again
TOKEN_GROUP = 8  # learners whose pull scopes one token request asks for together (16 scopes)
TOKEN_FRESH = 20.0  # seconds a group's tokens are handed on (registry tokens last 60 s or more)
REQUESTS_PER_LEARNER = 2  # requests one learner has in flight at once (its two images; two items share them)


class RosterError(ValueError):
    """The roster file cannot be used; the message names the line."""


@dataclass
class Learner:
    username: str
    node: str = ""
    line: int = 0


@dataclass
class RosterRow:
    username: str
    node: str
    status: CheckStatus  # the worst of its items
    items: list[CheckResult] = field(default_factory=list)
    retries: int = 0

    @property
    def reason(self) -> str:
        """The first failing item's reason, for the one-line table."""
        bad = next((i for i in self.items if i.ran and i.status != CheckStatus.PASSED), None)
        return f"{bad.item_id}: {bad.reason}" if bad else ""

    def to_dict(self) -> dict[str, Any]:
        return {"username": self.username, "node": self.node or None, "status": self.status,
                "retries": self.retries, "items": [i.to_dict() for i in self.items]}


def read_roster(path: str | Path, registry_host: str = "docker.io") -> list[Learner]:
    """Learners from a CSV with a header row: ``username`` (required) and ``node`` (optional).

    Usernames are checked by the rules of ``registry_host`` (Docker IDs on Docker Hub)."""
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RosterError(f"{path}: no such roster file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"{path}: cannot be read ({exc})") from None
    rows = csv.DictReader(text.splitlines())
    columns = [c.strip().lower() for c in rows.fieldnames or []]
    if "username" not in columns:
        raise RosterError(f"{path}: the first line must name the columns, with 'username' (and optionally 'node')")
    learners: list[Learner] = []
    seen: set[str] = set()
    for row in rows:
        number = rows.line_num  # the file's line (blank lines are skipped by the reader)
        data = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        name = data.get("username", "")
        if not name and not any(data.values()):
            continue  # blank line
        problem = reference.validate_username(name, registry=registry_host)
        if problem:
            raise RosterError(f"{path}:{number}: {problem}")
        if name in seen:
            raise RosterError(f"{path}:{number}: {name} is listed twice")
        spec = data.get("node", "")
        if spec:
            try:
                node_probe.parse_node_spec(spec)
            except ValueError as err:
                raise RosterError(f"{path}:{number}: {err}") from None
        seen.add(name)
        learners.append(Learner(name, spec, number))
    if not learners:
        raise RosterError(f"{path}: no learners listed")
    return learners


class RateGate:
    """One roster's rate budget: a shared 'not before' time (a 429 seen by one request pauses
    every request) and how many requests may be in flight at once (halved by a 429, one more
    after each run of answers that were not 429, up to ``ceiling``)."""

    def __init__(self, ceiling: int = DEFAULT_PARALLEL * REQUESTS_PER_LEARNER) -> None:
        self.resume_at = 0.0
        self.waits = 0  # 429s answered with a pause
        self.ceiling = max(1, ceiling)
        self.limit = self.ceiling
        self.lowest = self.ceiling  # the fewest in flight it came down to (for the benchmark)
        self.active = 0
        self._good = 0
        self._freed: asyncio.Event | None = None

    def hold(self, seconds: float | None) -> None:
        seconds = min(MAX_WAIT, seconds if seconds is not None else DEFAULT_WAIT)
        self.resume_at = max(self.resume_at, time.monotonic() + seconds)
        self.waits += 1

    def slow_down(self, seconds: float | None) -> None:
        """A 429: everyone pauses, and fewer requests go out at once afterwards."""
        if time.monotonic() >= self.resume_at:  # the 429s of requests already out when it paused count once
            self.limit = max(1, self.limit // 2)
            self.lowest = min(self.lowest, self.limit)
        self.hold(seconds)
        self._good = 0

    def answered(self) -> None:
        self._good += 1
        if self._good >= self.limit and self.limit < self.ceiling:
            self.limit += 1
            self._good = 0

    async def wait(self, longest: float | None = None) -> None:
        """Until the registry's Retry-After has passed (at most ``longest`` seconds)."""
        delay = self.resume_at - time.monotonic()
        if longest is not None:
            delay = min(delay, longest)
        if delay > 0:
            await asyncio.sleep(delay)

    @asynccontextmanager
    async def slot(self, longest: float | None = None) -> AsyncIterator[None]:
        """One request's turn: after the pause, and while fewer than ``limit`` are in flight."""
        await self.wait(longest)
        while self.active >= self.limit:
            self._freed = self._freed or asyncio.Event()
            await self._freed.wait()
        self.active += 1
        try:
            yield
        finally:
            self.active -= 1
            if self._freed is not None:
                self._freed.set()
                self._freed = None


def paced_transport(gate: RateGate, inner: Any, longest_pause: float) -> Any:
    """An httpx transport that sends through ``gate``: every request waits for its turn, and a
    429 slows everyone down. A pause longer than ``longest_pause`` (one probe's own bound) is not
    waited inside a request: that request goes out, and the roster asks its item again later."""
    import httpx

    class Paced(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            async with gate.slot(longest_pause):
                response = await inner.handle_async_request(request)
            if response.status_code == 429:
                gate.slow_down(registry.retry_after_seconds(response.headers.get("Retry-After")))
            else:
                gate.answered()
            return response

        async def aclose(self) -> None:
            await inner.aclose()

    return Paced()


@dataclass
class RosterCheck:
    lesson: Lesson
    values: dict[str, str]  # registry, tag ... (username comes from each row)
    timeouts: Timeouts = field(default_factory=Timeouts)
    identity: str = ""
    known_hosts: str = ""
    parallel: int = DEFAULT_PARALLEL
    max_retries: int = MAX_RETRIES
    credentials: Any = registry.AUTO
    gate: RateGate = field(default_factory=RateGate)

    bound: float = TOTAL_BOUND  # seconds for the whole roster before rate-limited items are left as they are
    deadline: float = 0.0  # set when the rows start

    async def rows(self, learners: list[Learner]) -> AsyncIterator[RosterRow]:
        """One row per learner, as each finishes."""
        self.deadline = time.monotonic() + self.bound
        self.gate.ceiling = self.gate.limit = self.gate.lowest = max(1, self.parallel * REQUESTS_PER_LEARNER)
        # A pool per origin as large as the requests that may be in flight: the registry's HEADs
        # and the token service's answers each keep their connections alive for the next learner.
        transport = paced_transport(self.gate, registry.origin_pools(self.gate.ceiling),
                                    longest_pause=self.timeouts.request)
        async with registry.new_client(self.timeouts.request, transport=transport) as http:
            await self.meet_challenges(learners, http)
            slots = asyncio.Semaphore(max(1, self.parallel))
            groups = TokenGroups(self, learners, http)

            async def one(index: int) -> RosterRow:
                async with slots:
                    return await self.check(learners[index], http, groups.runner(index))

            tasks = [asyncio.create_task(one(index)) for index in range(len(learners))]
            try:
                for finished in asyncio.as_completed(tasks):
                    yield await finished
            finally:
                for task in tasks:
                    task.cancel()

    async def check_all(self, learners: list[Learner]) -> list[RosterRow]:
        """Every row, in the roster's order."""
        found = {row.username: row async for row in self.rows(learners)}
        return [found[learner.username] for learner in learners]

    def context(self, learner: Learner) -> CheckContext:
        target = None
        if learner.node:
            user, host, port = node_probe.parse_node_spec(learner.node)
            target = node_probe.NodeTarget(host, port, user, self.identity, self.known_hosts,
                                           connect_timeout=self.timeouts.request, pull_timeout=self.timeouts.pull)
        return CheckContext(
            values=self.lesson.values({**self.values, "username": learner.username}), node=target,
            timeouts=self.timeouts, compare_local=False, credentials=self.credentials,
            skip_kinds={"local-images": "Not checked in a roster: local images are on the learner's own machine."},
            no_node_reason="Not checked: the roster gives no node for this learner.",
            no_progress_reason="Not checked in a roster: quiz answers are on the learner's own machine.",
        )

    async def meet_challenges(self, learners: list[Learner], http: Any) -> None:
        """One ``GET /v2/`` to each registry the first learner's items look at, before any learner:
        otherwise the first learners checked at once would each meet the registry's challenge
        (an anonymous request answered 401, two requests more each). Bounded by the request
        timeout; a registry that does not answer is left to each learner's own check to report."""
        if not learners:
            return
        origins = set()
        for ref in Runner(self.lesson, self.context(learners[0])).registry_refs():
            try:
                origins.add(registry.api_base(reference.parse(ref).api_registry))
            except reference.ImageNameError:
                continue
        api = registry.RegistryApi(http)
        try:
            async with asyncio.timeout(self.timeouts.request):
                await asyncio.gather(*(api.learn_challenge(origin) for origin in sorted(origins)))
        except TimeoutError:
            pass

    async def check(self, learner: Learner, http: Any, runner: Runner | None = None) -> RosterRow:
        runner = runner or Runner(self.lesson, self.context(learner), http=http)
        await self.gate.wait()
        started = time.monotonic()
        results = {r.item_id: r for r in await runner.run_all()}
        retries = 0
        while True:
            limited = [r for r in results.values() if r.outcome == "rate-limited"]
            if not limited:
                break
            # The transport already paused for the 429s it saw; the longest Retry-After still counts.
            for result in limited:
                if result.retry_after is not None:
                    self.gate.resume_at = max(self.gate.resume_at,
                                              time.monotonic() + min(MAX_WAIT, result.retry_after))
            if retries >= self.max_retries or max(self.gate.resume_at, time.monotonic()) >= self.deadline:
                took = time.monotonic() - started
                for result in limited:
                    result.reason += (f" The roster gave up on this item after {retries + 1} tries in {took:.0f} "
                                      f"seconds (its bound is {self.bound:.0f} seconds): check this learner again "
                                      "later.")
                break
            retries += 1
            await self.gate.wait()
            for again in await runner.run_all([r.item_id for r in limited]):
                results[again.item_id] = again
        ordered = [results[i.id] for i in self.lesson.checklist if i.id in results]
        ran = [r.status for r in ordered if r.ran]
        status = worst(ran) if ran else CheckStatus.SKIPPED
        return RosterRow(learner.username, learner.node, status, ordered, retries)


class TokenGroups:
    """Learners taken ``TOKEN_GROUP`` at a time in the roster's order, each group's runners made
    when its first learner starts and handed one dict of tokens: the group's first token request
    asks for every pull scope of the group, and the others find their token there (one token
    request for 8 learners instead of one each). A learner that starts more than
    ``TOKEN_FRESH`` seconds after its group's first (after long Retry-After pauses) asks its own,
    so that no token near its expiry is used; a learner's retries always ask their own."""

    def __init__(self, roster: RosterCheck, learners: list[Learner], http: Any) -> None:
        self.roster, self.learners, self.http = roster, learners, http
        self.groups: dict[int, tuple[float, dict, list[Runner]]] = {}

    def runner(self, index: int) -> Runner:
        number, place = divmod(index, TOKEN_GROUP)
        if number not in self.groups:
            members = self.learners[number * TOKEN_GROUP:(number + 1) * TOKEN_GROUP]
            runners = [Runner(self.roster.lesson, self.roster.context(member), http=self.http) for member in members]
            tokens: dict = {}
            registry.share_token_scopes(tokens, [ref for runner in runners for ref in runner.registry_refs()])
            self.groups[number] = (time.monotonic(), tokens, runners)
        started, tokens, runners = self.groups[number]
        runner = runners[place]
        if time.monotonic() - started < TOKEN_FRESH:
            runner.tokens = tokens
        if place == len(runners) - 1:
            del self.groups[number]  # the group's last learner: nobody else needs its runners
        return runner


def summary_columns(lesson: Lesson) -> list[str]:
    return ["username", "node", "status"] + [item.id for item in lesson.checklist] + ["reason"]


def row_cells(row: RosterRow) -> list[str]:
    return [row.username, row.node, row.status] + [r.status for r in row.items] + [row.reason]
