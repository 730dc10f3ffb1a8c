"""Run a lesson's checklist: every probe at once, each within its own time bound.

Items are yielded as they finish (the total time is close to the slowest probe's).
An item linked to a quiz question reads the learner's last saved answer; an item whose
inputs are missing (no username, no node) is ``skipped`` with the reason. One item can
be run again on its own with :meth:`Runner.run_item`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from tutor import hints
from tutor.lesson.model import ChecklistItem, Lesson, Probe
from tutor.lesson.variables import names_in
from tutor.probes import local, node, registry
from tutor.probes.results import CheckResult, ImageResult
from tutor.states import CheckStatus, RegistryOutcome, Verdict

REGISTRY_KINDS = frozenset({"registry-images", "repo-visibility"})
HOST_KEY_EVIDENCE = ("fingerprint", "key_type", "public_key", "known_hosts_host", "known_hosts_port",
                     "tutor_known_hosts")
QUIZ_VERDICTS: dict[str, CheckStatus] = {Verdict.CORRECT: CheckStatus.PASSED, Verdict.PARTLY: CheckStatus.FAILED,
                                        Verdict.INCORRECT: CheckStatus.FAILED}
# Registry outcomes whose reason speaks of the registry as a whole (it cannot be reached, it is rate limiting).
_REGISTRY_WIDE = frozenset({RegistryOutcome.UNREACHABLE, RegistryOutcome.RATE_LIMITED})
# Worst first: what a combined item reports when its parts disagree.
_SEVERITY = (CheckStatus.FAILED, CheckStatus.ERROR, CheckStatus.RUNNING, CheckStatus.SKIPPED, CheckStatus.PASSED)


@dataclass
class Timeouts:
    request: float = 10.0  # one HTTP call to a registry, or the SSH connection
    local: float = 30.0  # asking the Docker engine
    pull: float = node.DEFAULT_PULL_TIMEOUT  # one `crictl pull` on the node

    def bound(self, kind: str) -> float:
        """The most one probe of ``kind`` may take, all its steps included."""
        if kind == "node-pull":
            return self.request + self.pull + 3 * node.COMMAND_TIMEOUT + 5
        if kind == "local-images":
            return self.local + 5
        return 4 * self.request + 5  # anonymous HEAD, token, authenticated HEAD, and a GET for stale


@dataclass
class CheckContext:
    values: dict[str, str]  # the lesson's variables, filled: username, registry, tag ...
    node: node.NodeTarget | None = None
    progress: Any | None = None  # store.Progress: quiz answers
    timeouts: Timeouts = field(default_factory=Timeouts)
    compare_local: bool = True  # registry items also compare with the local image (stale)
    credentials: Any = registry.AUTO
    skip_kinds: dict[str, str] = field(default_factory=dict)  # probe kind -> why it is not run here
    no_node_reason: str = "No node is configured: give one with --node USER@HOST or in the tutor's settings."
    no_progress_reason: str = ""  # why quiz answers are not looked at ("" : they are)


def worst(statuses: Iterable[str]) -> CheckStatus:
    found = set(statuses)
    return next((s for s in _SEVERITY if s in found), CheckStatus.SKIPPED)


def _names(images: list[ImageResult]) -> str:
    refs = [i.ref for i in images]
    return refs[0] if len(refs) == 1 else ", ".join(refs[:-1]) + " and " + refs[-1]


class Runner:
    def __init__(self, lesson: Lesson, context: CheckContext, http: Any | None = None) -> None:
        self.lesson = lesson
        self.context = context
        self.http = http  # an httpx.AsyncClient to share (the roster passes one)
        self._locals: asyncio.Task | None = None
        self._tokens: dict = {}  # bearer tokens shared by this runner's registry probes
        # The dict of tokens the next run starts from, instead of an empty one (the roster hands
        # a few learners checked together one dict, so that one token request serves them all).
        self.tokens: dict | None = None
        # Kept while a run lasts (the values are fixed then; each is asked of an item several times):
        self._refs: dict[int, list[str]] | None = None  # id(probe) -> its images
        self._missing: dict[str, str | None] = {}  # item id -> why it cannot run here

    # --- what will run -------------------------------------------------------------------

    def refs(self, probe: Probe) -> list[str]:
        if self._refs is None:
            return probe.images(self.context.values)
        found = self._refs.get(id(probe))
        if found is None:
            found = self._refs[id(probe)] = probe.images(self.context.values)
        return list(found)

    def registry_refs(self, items: Iterable[ChecklistItem] | None = None) -> list[str]:
        """The images the registry probes of ``items`` (all the lesson's) that can run here look at."""
        return [ref for item in (self.lesson.checklist if items is None else items)
                if item.probe is not None and item.probe.kind in REGISTRY_KINDS and self.missing_inputs(item) is None
                for ref in self.refs(item.probe)]

    def missing_inputs(self, item: ChecklistItem) -> str | None:
        """Why the item cannot run here, or None."""
        if self._refs is None:
            return self._missing_inputs(item)
        if item.id not in self._missing:
            self._missing[item.id] = self._missing_inputs(item)
        return self._missing[item.id]

    def _missing_inputs(self, item: ChecklistItem) -> str | None:
        probe = item.probe
        if probe is not None:
            if probe.kind in self.context.skip_kinds:
                return self.context.skip_kinds[probe.kind]
            params = probe.resolved(self.context.values)
            unset = sorted({name for value in params.values() for _, name in names_in(value)})
            if unset:
                flags = {"username": "--user", "tag": "--tag", "registry": "--registry"}
                how = ", ".join(f"{name} ({flags[name]})" if name in flags else name for name in unset)
                return f"Not checked: no value for {how}; set it in the tutor's settings or on the command line."
            if not self.refs(probe):
                return "Not checked: the lesson names no image for this item."
            if probe.kind == "node-pull" and self.context.node is None:
                return self.context.no_node_reason
        if item.question is not None and probe is None and self.context.no_progress_reason:
            return self.context.no_progress_reason
        return None

    def render(self, text: str) -> str:
        """The lesson's text with its variables filled: the context's values over the lesson's defaults."""
        return self.lesson.render(text, self.context.values)

    def text(self, item: ChecklistItem) -> str:
        return self.render(item.text)

    def plan(self) -> list[CheckResult]:
        """Every item as it stands before running: ``skipped`` with why, or ``running``."""
        planned = []
        for item in self.lesson.checklist:
            why = self.missing_inputs(item)
            base = CheckResult(item.id, CheckStatus.RUNNING, "running", "Checking…", text=self.text(item),
                               kind=_kind(item))
            planned.append(replace(base, status=CheckStatus.SKIPPED, outcome="missing-input", reason=why) if why
                           else base)
        return planned

    # --- running ---------------------------------------------------------------------------

    async def run(self, only: Iterable[str] | None = None) -> AsyncIterator[CheckResult]:
        """Results as they finish; skipped items first, at once."""
        wanted = set(only) if only is not None else None
        items = [i for i in self.lesson.checklist if wanted is None or i.id in wanted]
        shared = self.http
        # Tokens expire (minutes): each run fetches its own, or starts from the one it was given.
        self._tokens, self.tokens = (self.tokens if self.tokens is not None else {}), None
        self._refs, self._missing = {}, {}
        runnable = [i for i in items if i.probe is not None and self.missing_inputs(i) is None]
        registry.share_token_scopes(self._tokens, self.registry_refs(runnable))
        async with registry.http_client(shared, self.context.timeouts.request) as http:
            self.http = http
            pending = set()
            for item in items:
                if not any(item is r for r in runnable):
                    yield await self.evaluate(item)
                else:
                    pending.add(asyncio.create_task(self.evaluate(item), name=f"check-{item.id}"))
            try:
                for finished in asyncio.as_completed(pending):
                    yield await finished
            finally:
                for task in pending:
                    task.cancel()
                if self._locals is not None and not self._locals.done():
                    self._locals.cancel()
                self._locals = None
                self.http = shared
                self._refs, self._missing = None, {}

    async def run_all(self, only: Iterable[str] | None = None) -> list[CheckResult]:
        """Every result, in the lesson's order."""
        found = {r.item_id: r async for r in self.run(only)}
        return [found[i.id] for i in self.lesson.checklist if i.id in found]

    async def run_item(self, item_id: str) -> CheckResult:
        if self.lesson.checklist_item(item_id) is None:
            raise KeyError(f"no checklist item {item_id!r} in lesson {self.lesson.id}")
        results = await self.run_all([item_id])
        return results[0]

    async def evaluate(self, item: ChecklistItem) -> CheckResult:
        started = time.monotonic()
        why = self.missing_inputs(item)
        if why:
            return CheckResult(item.id, CheckStatus.SKIPPED, "missing-input", why, text=self.text(item),
                               kind=_kind(item))
        parts = []
        if item.probe is not None:
            parts.append(await self._bounded(item, item.probe))
        if item.question is not None and not (parts and self.context.no_progress_reason):
            parts.append(self.quiz(item))  # without quiz answers to read, an item with a probe is its probe
        result = parts[0] if len(parts) == 1 else _combine(item, parts)
        result.text = self.text(item)
        result.duration = time.monotonic() - started
        return result

    async def _bounded(self, item: ChecklistItem, probe: Probe) -> CheckResult:
        bound = self.context.timeouts.bound(probe.kind)
        try:
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation (the
            # learner leaving the checklist) that races with the probe finishing.
            async with asyncio.timeout(bound):
                return await self.probe(item, probe)
        except TimeoutError:
            return CheckResult(item.id, CheckStatus.ERROR, "timeout",
                               f"The check did not finish within {bound:g} seconds.",
                               hints.hint("unknown", detail=f"{probe.kind} probe timed out"), text=item.text,
                               kind=probe.kind)
        except Exception as exc:  # noqa: BLE001 - one broken probe must not take the others down
            return CheckResult(item.id, CheckStatus.ERROR, "probe-crashed",
                               f"The check itself failed: {type(exc).__name__}: {exc}",
                               hints.hint("unknown", detail=str(exc)), text=item.text, kind=probe.kind)

    async def probe(self, item: ChecklistItem, probe: Probe) -> CheckResult:
        refs = self.refs(probe)
        timeouts = self.context.timeouts
        if probe.kind == "local-images":
            images = await local.probe_local_images(refs, timeouts.local)
            return _summarise(item, probe.kind, images, "in your local images")
        if probe.kind in REGISTRY_KINDS:
            locals_ = await self.local_images(refs) if probe.kind == "registry-images" else {}
            images = await asyncio.gather(*(
                registry.probe_image(ref, http=self.http, timeout=timeouts.request,
                                     credentials=self.context.credentials, local=locals_.get(_short(ref)),
                                     tokens=self._tokens)
                for ref in refs))
            if probe.kind == "repo-visibility":
                images = [_visibility(i) for i in images]
                where = "public: a node can pull them without credentials"
                if images and all(_login_only(i) for i in images):
                    label = registry.registry_label(_parse(refs[0]))
                    where = (f"on {label}, which lets nobody pull without logging in: every repository there is "
                             "private to anonymous users and none can be made public. Your login can pull them; "
                             f"your node needs credentials for {label} too (/etc/rancher/k3s/registries.yaml, or "
                             "an imagePullSecret for pods)")
                return _summarise(item, probe.kind, images, where)
            where = registry.registry_label(_parse(refs[0])) if refs else "the registry"
            return _summarise(item, probe.kind, images, f"on {where}")
        if probe.kind == "node-pull":
            assert self.context.node is not None  # without one, missing_inputs skipped the item
            target = replace(self.context.node, pull_timeout=timeouts.pull, connect_timeout=timeouts.request)
            report = await node.check_node(target, refs, platforms=self._platforms)
            result = _summarise(item, probe.kind, report.pulls, f"pulled by the node {target.label}",
                                node=report.evidence)
            if report.outcome != "ok":
                result.outcome, result.reason, result.hint = report.outcome, report.reason, report.hint
                # What the UI needs to show and trust a host key, at the top where it looks.
                result.evidence.update({key: report.evidence[key] for key in HOST_KEY_EVIDENCE
                                        if key in report.evidence})
            return result
        return CheckResult(item.id, CheckStatus.ERROR, "unknown-probe",
                           f"The tutor has no probe called {probe.kind!r}.",
                           text=item.text, kind=probe.kind)

    async def _platforms(self, image) -> list[str]:
        return await registry.image_platforms(image, http=self.http, timeout=self.context.timeouts.request,
                                              credentials=self.context.credentials)

    async def local_images(self, refs: list[str]) -> dict[str, local.LocalImage]:
        """The lesson's local images, asked once per run and shared by every item that needs them."""
        if not self.context.compare_local:
            return {}
        if self._locals is None:
            every = sorted({ref for item in self.lesson.checklist if item.probe is not None
                            and self.missing_inputs(item) is None for ref in self.refs(item.probe)})
            self._locals = asyncio.ensure_future(self._inspect(every))
        found = await asyncio.shield(self._locals)
        return {key: value for key, value in found.items() if key in {_short(r) for r in refs}}

    async def _inspect(self, refs: list[str]) -> dict[str, local.LocalImage]:
        parsed = []
        for ref in refs:
            try:
                parsed.append(_parse(ref))
            except ValueError:
                continue
        try:
            return await local.inspect_images(parsed, self.context.timeouts.local)
        except local.EngineUnavailable:
            return {}  # no engine: the registry items simply skip the stale comparison

    def quiz(self, item: ChecklistItem) -> CheckResult:
        qid = item.question or ""
        question = self.lesson.question(qid)
        prompt = self.render(question.prompt) if question is not None else ""
        base = CheckResult(item.id, CheckStatus.SKIPPED, "not-answered", "", text=item.text, kind="quiz",
                           evidence={"question": qid})
        if question is None:
            return replace(base, status=CheckStatus.ERROR, outcome="no-such-question",
                           reason=f"The lesson links this item to a question {qid!r} it does not have.")
        if self.context.no_progress_reason:
            return replace(base, reason=self.context.no_progress_reason)
        attempt = self.context.progress.last_attempt(qid) if self.context.progress is not None else None
        if not attempt:
            return replace(base, reason=f"Not answered yet: answer \u201c{prompt}\u201d in the quiz.")
        verdict = str(attempt.get("verdict", ""))
        base.evidence.update(verdict=verdict, score=attempt.get("score"), at=attempt.get("at"))
        status = QUIZ_VERDICTS.get(verdict, CheckStatus.FAILED)
        if status == CheckStatus.PASSED:
            return replace(base, status=CheckStatus.PASSED, outcome="answered-correctly",
                           reason=f"You answered \u201c{prompt}\u201d correctly.")
        word = {"partly": "partly right"}.get(verdict, "not right")
        return replace(base, status=CheckStatus.FAILED, outcome=f"answered-{verdict or 'unknown'}",
                       reason=f"Your last answer to \u201c{prompt}\u201d was {word}: try it again in the quiz.")


def _kind(item: ChecklistItem) -> str:
    kinds = ([item.probe.kind] if item.probe is not None else []) + (["quiz"] if item.question else [])
    return "+".join(kinds)


def _parse(ref: str):
    from tutor import reference

    return reference.parse(ref)


def _short(ref: str) -> str:
    try:
        return _parse(ref).short
    except ValueError:
        return ref


def _login_only(image: ImageResult) -> bool:
    """Found with the learner's login on a registry that lets nobody in anonymously (htpasswd)."""
    return image.outcome == RegistryOutcome.PRIVATE and image.evidence.get("anonymous_access") == "none"


def _visibility(image: ImageResult) -> ImageResult:
    """For repo-visibility only ``public`` passes: a private repository needs node credentials. On a
    registry where everyone must log in, private is all there is: there the learner's own login pulling
    the image passes (nothing can be made public), and the reason says what the node needs."""
    if image.outcome == RegistryOutcome.PUBLIC or _login_only(image):
        return image
    if image.outcome == RegistryOutcome.PRIVATE:
        return replace(image, ok=False, reason=f"{image.ref} is private: a node without credentials cannot pull it.",
                       hint=hints.from_registry(RegistryOutcome.PRIVATE, ref=image.ref))
    return image


def _summarise(item: ChecklistItem, kind: str, images: list[ImageResult], where: str,
               **evidence: Any) -> CheckResult:
    details = {image.ref: {"outcome": image.outcome, "reason": image.reason, **image.evidence} for image in images}
    waits = [i.retry_after for i in images if i.retry_after is not None]
    result = CheckResult(item.id, CheckStatus.PASSED, "", "", text=item.text, kind=kind, images=list(images),
                         evidence={"images": details, **evidence}, retry_after=max(waits) if waits else None)
    if not images:
        return replace(result, status=CheckStatus.ERROR, outcome="no-images", reason="There was no image to check.")
    failing = [i for i in images if not i.ok]
    if not failing:
        outcomes = sorted({i.outcome for i in images})
        result.outcome = outcomes[0] if len(outcomes) == 1 else "+".join(outcomes)
        extra = ""
        if kind == "registry-images":
            extra = " (" + ", ".join(f"{i.ref}: {i.outcome}" for i in images) + ")"
        verb = "is" if len(images) == 1 else "are"
        if kind == "node-pull":
            result.reason = f"{_names(images)} {verb} {where}."
        else:
            result.reason = f"{_names(images)} {verb} {where}{extra}."
        return result
    first = min(failing, key=lambda i: _SEVERITY.index(i.status))
    result.status = first.status
    result.outcome = first.outcome
    others = [i for i in failing if i is not first]
    if others and first.outcome in _REGISTRY_WIDE and all(i.outcome == first.outcome for i in others):
        # The reason is about the registry, not one image: "the same goes for IMAGE" would read as the image refusing.
        result.reason = f"{first.reason} So {_names(failing)} could not be checked."
    elif others and all(i.outcome == first.outcome for i in others):
        result.reason = f"{first.reason} The same goes for {_names(others)}."
    elif others:
        result.reason = f"{first.reason} Also " + ", ".join(f"{i.ref}: {i.outcome}" for i in others) + "."
    else:
        result.reason = first.reason
    result.hint = first.hint
    return result


def _combine(item: ChecklistItem, parts: list[CheckResult]) -> CheckResult:
    """A probe and a quiz answer together: the item passes when both do."""
    status = worst(p.status for p in parts)
    lead = next(p for p in parts if p.status == status)
    evidence = {p.kind: p.evidence for p in parts}
    images = [image for p in parts for image in p.images]
    reason = " ".join(p.reason for p in parts if p.reason)
    return CheckResult(item.id, status, lead.outcome, reason, lead.hint, evidence, item.text, _kind(item), images,
                       retry_after=next((p.retry_after for p in parts if p.retry_after is not None), None))
