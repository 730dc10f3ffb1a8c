"""Following the learner's own terminal work: the engine's events, turned into the lesson's steps.

The learner types ``docker build``, ``tag`` and ``push`` in their own shell. For each
engine event about one of the lesson's images (named from the settings exactly as the
Verify probes name them), the Verify item that proves the matching step is checked again
and the step's mark is saved through the session, as ``v`` would. Bursts collapse: a
Verify item waits until its events pause (at most ``longest`` seconds) and runs one check
at a time; events during a check cause one more check after it. Names that look like the
lesson's images but are not (no namespace, someone else's, ``latest``) get a hint with the
right command. The node's check is never run from here: SSH is slow and costs the node.

Nothing here imports Textual; the app and ``docker-tutor watch`` both consume
:meth:`Follower.updates`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tutor import hints, reference
from tutor.docker_ops.follow import FOLLOWING, Connection, ConnectionState, EngineEvent, EngineEvents
from tutor.follow_names import full_name, parse_name, what_happened, wrong_name
from tutor.lesson import Step, VerifyItem

QUIET = 0.25  # seconds without a new event before a Verify item is checked
LONGEST = 1.5  # seconds a burst of events may hold a check back at most
OWN_WORK_GRACE = 1.5  # seconds after the tutor's own action during which its events are its own
LOCAL_KINDS = ("local-images",)
REMOTE_KINDS = ("registry-images", "repo-visibility")
NOT_FOLLOWED = ("node-pull",)  # checked when the learner asks: SSH is slow and costs the node
# What an engine event can change, by the probe kinds that look at it.
EVENT_PROBES = {"tag": LOCAL_KINDS, "pull": LOCAL_KINDS, "import": LOCAL_KINDS, "load": LOCAL_KINDS,
                "push": REMOTE_KINDS}



class UpdateKind(StrEnum):
    DONE = "done"  # the step is done now (ticked)
    NOT_YET = "not-yet"  # the check ran and the step is not complete yet (nothing was un-ticked)
    UNDONE = "undone"  # a step that was done is not any more
    UNCHECKED = "unchecked"  # the check could not look (registry unreachable ...): the mark is unchanged
    MISTAKE = "mistake"  # a name that is not the lesson's: the hint says what to run
    SEEN = "seen"  # something the learner did that no check looks at (a container started)
    STATUS = "status"  # following on, or the engine connection lost and retried: see Update.connection


DONE, NOT_YET, UNDONE, UNCHECKED, MISTAKE, SEEN, STATUS = UpdateKind


@dataclass
class Update:
    kind: UpdateKind
    text: str
    step_id: str = ""  # the step the note belongs at ("" for STATUS)
    hint: hints.FailureHint | None = None
    state: str = ""  # the step's state after it (done, failed, todo ...), for its mark
    verify_id: str = ""  # the Verify item that was checked, if any
    changed: bool = False  # the step's state is not what it was before this update
    connection: ConnectionState | None = None  # STATUS only: following, or lost (the engine does not answer)


@dataclass
class _Watch:
    """One Verify item the follower re-checks, the steps it proves, and the images it looks at."""

    item: VerifyItem
    steps: list[Step]
    local: set[str]  # full image names its local-images probes look for
    remote: set[str]  # ... and its registry probes


@dataclass
class _Lane:
    """One Verify item's queue: events waiting, and the one check that may run."""

    events: list[EngineEvent] = field(default_factory=list)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task | None = None
    runs: int = 0



class Follower:
    """Follows the engine for one session; ``updates()`` yields what the learner should see."""

    def __init__(self, session: Any, *, engine: EngineEvents | None = None, quiet: float = QUIET,
                 longest: float = LONGEST, busy: Callable[[], bool] | None = None) -> None:
        self.session = session
        self.engine = engine or EngineEvents()
        self.quiet, self.longest = quiet, longest
        self.busy = busy  # True while the tutor runs a step itself: those events are its own
        self._lanes: dict[str, _Lane] = {}
        self._out: asyncio.Queue[Update] = asyncio.Queue()
        self._said: set[tuple[str, str, str]] = set()  # mistakes already pointed out (name, image id, problem)
        self._on_registry: dict[str, dict[str, set[str]]] = {}  # registry -> image -> its layers known there
        self._pulled: dict[str, int] = {}  # image -> when the learner last pulled it (the test pull's proof)
        self._own_until = 0  # engine time (ns) up to which events belong to the tutor's own run
        self.connection: Connection | None = None

    # --- what the lesson's images are --------------------------------------------------------

    def watches(self) -> list[_Watch]:
        values, lesson = self.session.values(), self.session.lesson
        found = []
        for item in lesson.verify:
            kinds = {check.probe.kind for check in item.checks}
            if not kinds or kinds & set(NOT_FOLLOWED):
                continue
            local: set[str] = set()
            remote: set[str] = set()
            for check in item.checks:
                names = {f for f in map(full_name, check.probe.images(values)) if f}
                (local if check.probe.kind in LOCAL_KINDS else remote).update(names)
            steps = [s for s in lesson.steps if s.verify == item.id]
            found.append(_Watch(item, steps, local, remote))
        return found

    def followed_steps(self) -> list[Step]:
        """The steps a check here can tick, in the lesson's order."""
        ids = {s.id for w in self.watches() for s in w.steps}
        return [s for s in self.session.lesson.steps if s.id in ids]

    def expected(self) -> list[reference.ImageRef]:
        values = self.session.values()
        refs: dict[str, reference.ImageRef] = {}
        for step in self.session.lesson.steps:
            for action in step.actions:
                ref = action.image(values)
                parsed = parse_name(ref) if ref else None
                if parsed is not None:
                    refs.setdefault(parsed.full, parsed)
        return list(refs.values())

    def pending(self) -> int:
        """Updates made and not yet taken (a check's updates for several steps come together)."""
        return self._out.qsize()

    def probe_runs(self, verify_id: str) -> int:
        lane = self._lanes.get(verify_id)
        return lane.runs if lane is not None else 0

    # --- running ---------------------------------------------------------------------------

    async def updates(self, check_first: bool = False) -> AsyncIterator[Update]:
        """Updates until cancelled; ``check_first``: check every followed item once at the start."""
        reader = asyncio.create_task(self._read(), name="follow-engine")
        watcher = (asyncio.create_task(self._watch_own_work(self.busy), name="follow-own-work")
                   if self.busy else None)
        if check_first:
            for watch in self.watches():
                self._queue(watch.item.id, None)
        try:
            while True:
                if reader.done() and self._out.empty():
                    reader.result()  # a crash in the reader is a bug: raise it here
                    return
                yield await self._out.get()
        finally:
            self.engine.close()
            for task in [reader, watcher, *(lane.task for lane in self._lanes.values())]:
                if task is not None and not task.done():
                    task.cancel()

    async def _watch_own_work(self, busy: Callable[[], bool]) -> None:
        while True:
            if busy():
                self._own_until = time.time_ns() + int(OWN_WORK_GRACE * 1e9)
            await asyncio.sleep(0.2)

    async def _read(self) -> None:
        async for item in self.engine.stream():
            if isinstance(item, Connection):
                self.connection = item
                self._out.put_nowait(Update(STATUS, self.status_text(), connection=item.state))
                continue
            if (self.busy is not None and self.busy()) or item.time_ns <= self._own_until:
                continue  # the tutor's own run: the lesson screen records it itself
            self.on_event(item)

    def status_text(self) -> str:
        state = self.connection
        if state is None:
            return "Following your terminal: connecting to Docker…"
        if state.state == FOLLOWING:
            return "Following your terminal"
        return f"Docker not answering ({state.detail}): trying again in {state.retry_in:g} s"

    def on_event(self, event: EngineEvent) -> None:
        """Route one engine event: checks to queue, mistakes to point out, things to note."""
        if self.session.lesson.missing(self.session.values()):
            return  # no username yet (the first-run form is open): no image of the lesson has a name
        if event.type == "container":
            self._container(event)
            return
        if event.action in ("tag", "push") and event.name:
            self._mistake(event)
        if event.action == "pull" and event.name and (pulled := full_name(event.name)):
            self._pulled[pulled] = event.time_ns
        full = full_name(event.name) if event.name else None
        kinds = EVENT_PROBES.get(event.action, ())
        if full is None or not kinds:
            return  # a removal names only an image id: it does not undo a build that was done
        for watch in self.watches():
            names = watch.local if kinds == LOCAL_KINDS else watch.remote
            if full in names:
                self._queue(watch.item.id, event)

    def _queue(self, verify_id: str, event: EngineEvent | None) -> None:
        lane = self._lanes.setdefault(verify_id, _Lane())
        if event is not None:
            lane.events.append(event)
        else:
            lane.events.append(EngineEvent("start", "start", "", "", time.time_ns()))
        lane.wake.set()
        if lane.task is None or lane.task.done():
            lane.task = asyncio.create_task(self._lane(verify_id, lane), name=f"follow-{verify_id}")

    async def _lane(self, verify_id: str, lane: _Lane) -> None:
        """Wait for a pause in the events, check once, and again only if more came meanwhile."""
        while lane.events:
            started = time.monotonic()
            while True:
                lane.wake.clear()
                left = self.longest - (time.monotonic() - started)
                if left <= 0:
                    break
                try:
                    async with asyncio.timeout(min(self.quiet, left)):
                        await lane.wake.wait()
                except TimeoutError:
                    break  # quiet: the burst is over
            events, lane.events = lane.events, []
            watch = next((w for w in self.watches() if w.item.id == verify_id), None)
            if watch is None:
                return  # the settings changed and this item is not followed any more
            lane.runs += 1
            for update in await self._check(watch, events):
                self._out.put_nowait(update)

    # --- one check ---------------------------------------------------------------------------

    async def _check(self, watch: _Watch, events: list[EngineEvent]) -> list[Update]:
        from tutor.lesson import ChecklistItem
        from tutor.probes.runner import worst
        from tutor.session import checks_runner

        runner, _warning = checks_runner(self.session)  # the node is not used: its item is never followed
        results = [await runner.evaluate(ChecklistItem(check.id, watch.item.title, check.line, probe=check.probe))
                   for check in watch.item.checks]
        status = worst(r.status for r in results)
        reasons = " ".join(r.reason for r in results if r.reason)
        hint = next((r.hint for r in results if r.hint is not None), None)
        seen = what_happened(events)
        if status == "error":  # the tutor could not look: say so, change nothing
            return [Update(UNCHECKED, f"{seen}the tutor could not check it: {reasons}", s.id, hint,
                           self.session.step_state(s), watch.item.id) for s in watch.steps]
        self.session.record_verify(watch.item, status, reasons)
        layers = await self._layers(watch, results, events) if status == "passed" else ""
        updates = []
        for step in watch.steps:
            before = self.session.step_state(step)
            if status == "passed":
                kind, text = DONE, f"{seen}{reasons}{layers}"
                self.session.record_step(step, "done", text)  # the pane shows it as the step's result
            elif before == "done":
                self.session.record_step(step, "failed", reasons)
                kind, text = UNDONE, f"{seen}the step is not done any more: {reasons}"
            else:
                kind, text = NOT_YET, f"{seen}not done yet: {reasons}"
            after = self.session.step_state(step)
            updates.append(Update(kind, text, step.id, None if status == "passed" else hint, after, watch.item.id,
                                  changed=after != before))
        return updates

    async def _layers(self, watch: _Watch, results: list, events: list[EngineEvent]) -> str:
        """For a push: how many of the image's layers were on the registry before it.

        The engine's push event carries no layer counts, so this says only what the tutor saw
        itself: the local image's layers, and those of the images it had confirmed on that
        registry (the very image, by digest, as the local one) before this push.
        """
        pushed = {p.short for p in (parse_name(e.name) for e in events if e.action == "push") if p is not None}
        confirmed = [(p, i) for r in results for i in r.images if (p := parse_name(i.ref)) is not None and i.ok
                     and "same" in str(i.evidence.get("local", ""))]
        for parsed, _ in confirmed:  # there before this push: their layers were there too
            known = self._on_registry.setdefault(parsed.registry, {})
            if parsed.short not in pushed and parsed.short not in known:
                known[parsed.short] = set(await _local_layers(parsed.short))
        sentences = []
        for parsed, _ in confirmed:
            if parsed.short not in pushed:
                continue
            layers = await _local_layers(parsed.short)
            if not layers:
                continue
            known = self._on_registry.setdefault(parsed.registry, {})
            sources = [name for name, there in known.items() if there & set(layers)]
            shared = [layer for layer in layers if any(layer in known[name] for name in sources)]
            count = f"{len(layers)} layer{'s' if len(layers) != 1 else ''}"
            if sources:
                verb = "was" if len(shared) == 1 else "were"
                where = ", ".join("your earlier push of it" if name == parsed.short else name
                                  for name in sorted(sources))
                sentences.append(f"{parsed.short} has {count}, {len(shared)} of them {verb} already there "
                                 f"({where})")
            else:
                sentences.append(f"{parsed.short} has {count}")
            known[parsed.short] = set(layers)
        return (" " + "; ".join(sentences) + ".") if sentences else ""

    # --- what else the events say --------------------------------------------------------------

    def _step_for(self, kinds: tuple[str, ...], target: reference.ImageRef | None) -> Step | None:
        values = self.session.values()
        for step in self.session.lesson.steps:
            for action in step.actions:
                if action.kind in kinds:
                    ref = action.image(values)
                    parsed = parse_name(ref) if ref else None
                    if target is None or (parsed is not None and parsed.full == target.full):
                        return step
        return None

    def _mistake(self, event: EngineEvent) -> None:
        found = wrong_name(event.name, self.expected())
        if found is None:
            return
        problem, target = found
        key = (event.name, event.image_id if event.action == "tag" else "push", problem)
        if key in self._said:
            return  # one word per mistake: a burst of the same tag says it once
        self._said.add(key)
        values = self.session.values()
        hint = hints.follow_wrong_name(problem, event.name, target.short, pushed=event.action == "push",
                                       username=values.get("username", ""), registry=target.registry,
                                       tag=values.get("tag", ""))
        kinds = ("push",) if event.action == "push" else ("build", "tag")
        step = self._step_for(kinds, target) or self._step_for(kinds, None)
        self._out.put_nowait(Update(MISTAKE, hint.what, step.id if step else "", hint,
                                    self.session.step_state(step) if step else ""))

    def _container(self, event: EngineEvent) -> None:
        target = parse_name(event.name) if event.name else None
        if target is None or target.full not in {e.full for e in self.expected()}:
            return
        step = self._step_for(("run",), target)
        if step is None:
            return
        pulled = self._pulled.get(target.full, 0)
        if event.action == "start" and pulled and not step.verify and \
                any(a.kind == "pull" for a in step.actions):
            # The step's proof is a pull from the registry and a container of what came back.
            before = self.session.step_state(step)
            text = (f"You pulled {target.short} from the registry and started a container from it in your "
                    "terminal: the registry's copy of your image starts.")
            self.session.record_step(step, "done", text)
            after = self.session.step_state(step)
            self._out.put_nowait(Update(DONE, text, step.id, state=after, changed=after != before))
            return
        verb = "started a container from" if event.action == "start" else "stopped the container of"
        self._out.put_nowait(Update(SEEN, f"You {verb} {target.short} in your terminal.", step.id,
                                    state=self.session.step_state(step)))



async def _local_layers(ref: str) -> list[str]:
    """The local image's layer digests (uncompressed), [] when the engine does not know it."""

    def inspect() -> list[str]:
        from tutor.docker_ops.engine import connect

        client = connect(timeout=10)
        try:
            return list((client.api.inspect_image(ref).get("RootFS") or {}).get("Layers") or [])
        finally:
            client.close()

    try:
        return await asyncio.to_thread(inspect)
    except Exception:  # noqa: BLE001 - no engine or no image: nothing to say about layers
        return []
