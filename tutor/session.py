"""One learner's working set: the lesson, their settings and their saved progress.

The app builds one at start-up and the screens share it; every change to progress is
saved at once (atomically, by the store).
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.atomic_files import NotOverwritten, clean_leftovers
from tutor.lesson import Lesson, Step, VerifyItem, get_lesson
from tutor.progress import Progress
from tutor.states import CheckStatus, StepState
from tutor.store import ProgressStore, Settings, load_settings, save_settings, settings_path, tutor_config_dir

if TYPE_CHECKING:
    from tutor.practice.ready import PracticeReady
    from tutor.probes.runner import Runner


@dataclass
class Session:
    lesson: Lesson
    settings: Settings
    progress: Progress
    store: ProgressStore
    settings_file: Path
    warnings: list[str] = field(default_factory=list)
    on_save_error: Callable[[str], None] | None = None  # the app shows these; nothing is lost in memory
    settings_unreadable: bool = False  # the settings file could not be read: never saved over
    _reported: set[str] = field(default_factory=set, repr=False)  # save failures already said
    _merges_shown: int = field(default=0, repr=False)  # the store's merges refresh_progress has told of
    # open(lesson_later=True) on a first start: the lesson's name and folders, read by load_lesson.
    _lesson_later: tuple[str | None, tuple[str, ...]] | None = field(default=None, repr=False)

    @classmethod
    def open(cls, lesson: str | None = None, config: str | Path | None = None, lessons_dirs: tuple[str, ...] = (),
             state_dir: Path | None = None, *, lesson_later: bool = False) -> Session:
        """Load everything; unreadable settings or progress become warnings, never a crash.

        With lesson_later, a first start (no username yet) leaves the lesson and its progress unread
        until load_lesson: the first-run form needs neither, and parsing the lesson is about a third
        of such a start (docs/performance.md)."""
        from tutor.lesson.cache import clean_cache_leftovers

        path = settings_path(config)
        store = ProgressStore(state_dir)
        # Saves a kill -9 interrupted left temporary files beside their targets: this is the next start.
        clean_leftovers(path.parent, path.name)
        clean_leftovers(tutor_config_dir(), "known_hosts")  # the tutor's own trusted node keys
        store.clean_leftovers()
        clean_cache_leftovers()
        settings = load_settings(path)
        # The lesson and its progress are read by load_lesson: now, or once a first start's form is saved.
        session = cls(Lesson(id="", title="", order=0), settings.value, Progress(lesson=""), store, path,
                      [settings.warning] if settings.warning else [], settings_unreadable=settings.unreadable)
        session._lesson_later = (lesson, lessons_dirs)
        if not (lesson_later and session.first_run):
            session.load_lesson()
        return session

    @property
    def lesson_pending(self) -> bool:
        """A first start opened with lesson_later, its lesson not read yet (load_lesson)."""
        return self._lesson_later is not None

    def load_lesson(self) -> list[str]:
        """The lesson and its progress a first start left unread (open's lesson_later), read now; the
        warnings they bring (progress unreadable, lint), for the app to show. LessonError when the
        lesson cannot be read."""
        if self._lesson_later is None:
            return []
        name, dirs = self._lesson_later
        self.lesson = get_lesson(name, dirs)
        self._lesson_later = None
        progress = self.store.load(self.lesson.id)
        self.progress = progress.value
        warnings = [w for w in (progress.warning, lint_warning(self.lesson)) if w]
        self.warnings.extend(warnings)
        return warnings

    @property
    def first_run(self) -> bool:
        return not self.settings.username

    def values(self) -> dict[str, str]:
        return self.lesson.values(self.settings.variables())

    def render(self, text: str) -> str:
        return self.lesson.render(text, self.settings.variables())

    def save_progress(self) -> bool:
        try:
            self.store.save(self.progress)
        except OSError as exc:
            self._save_failed(_not_saved("Progress", self.store.path(self.lesson.id), exc))
            return False
        self._reported.clear()
        return True

    def save_settings(self, settings: Settings) -> bool:
        settings = settings.shown()  # a pasted escape sequence stays text everywhere it is shown
        self.settings = settings  # in use from now on, saved or not
        try:
            if self.settings_unreadable:
                raise NotOverwritten(f"{self.settings_file} is left as it is, since it could not be read when the "
                                     "tutor started and saving over it could lose the settings it holds. The new "
                                     "settings are used while the tutor runs.")
            save_settings(settings, self.settings_file)
        except OSError as exc:
            self._save_failed(_not_saved("Settings", self.settings_file, exc))
            return False
        self._reported.clear()
        return True

    def _save_failed(self, message: str) -> None:
        if self.on_save_error is None:
            raise OSError(message)
        if message not in self._reported:  # every change saves: say a lasting problem once, not each time
            self._reported.add(message)
            self.on_save_error(message)

    def reset_lesson(self) -> None:
        # In place, and timed: another tutor's copy merged in later cannot bring the records back.
        self.progress.reset_all()
        self.save_progress()

    def record_practice_setup(self, ready: PracticeReady | None) -> list[str]:
        """The settings' practice registry made the learner's account and logged docker in
        (tutor/practice/ready.PracticeReady): the lesson's account step (the step of manual actions just
        before the login step) and its login step are done, by the tutor, for the names now in
        the settings. The ids of the steps recorded; none when the settings name another account."""
        if ready is None or (self.settings.registry, self.settings.username) != (ready.address, ready.username):
            return []
        steps = self.lesson.steps
        login = next((n for n, s in enumerate(steps) if any(a.kind == "login" for a in s.actions)), None)
        if login is None:
            return []
        notes: dict[str, str] = {}  # step id -> what the tutor did
        account = steps[login - 1] if login > 0 else None
        if account is not None and account.actions and all(a.kind == "manual" for a in account.actions):
            notes[account.id] = (f"The tutor made your account {ready.username} on the practice registry when you "
                              "chose it in the settings." if ready.made else
                              f"Your account {ready.username} on the practice registry was made by the tutor "
                              "earlier; the settings found it there.")
        if ready.logged_in:
            notes[steps[login].id] = (f"The tutor logged your docker in to {ready.address} as {ready.username} "
                                   "when you chose the practice registry in the settings.")
        done = [step for step in steps if step.id in notes and self.step_state(step) != StepState.DONE]
        for step in done:
            self.record_step(step, StepState.DONE, notes[step.id])
        return [step.id for step in done]

    def refresh_progress(self) -> bool:
        """Take in what another tutor process (watch, do, check) saved meanwhile; True when a
        record changed, so marks shown from it should be drawn again, also when one of our own saves
        merged them in since the last call. A stat when nothing did."""
        changed = self.store.refresh(self.progress)
        merged, self._merges_shown = self.store.merges != self._merges_shown, self.store.merges
        return changed or merged

    # --- what a step's or a Verify item's mark says -----------------------------------------

    def step_commands(self, step: Step) -> list[str]:
        """The docker commands `r` would run for ``step`` with the learner's current values."""
        values = self.values()
        return [c for c in (a.command(values) for a in step.actions if a.kind != "manual") if c]

    def step_fingerprint(self, step: Step) -> list[str]:
        """What a step's mark is about: its commands, or for a step done by hand and checked by
        the tutor, the images its check looks for (the username, registry or tag are in both)."""
        commands = self.step_commands(step)
        item = self.lesson.verify_item(step.verify) if not commands and step.verify else None
        return commands or (self.verify_images(item) if item is not None else [])

    def record_step(self, step: Step, status: str, detail: str = "") -> None:
        """Save how ``step`` went, with what it went with (a mark belongs to its commands). A
        success with other names is kept beside a later try, so going back to those names
        finds the step done again."""
        fingerprint = self.step_fingerprint(step)
        before = self.progress.steps.get(step.id, {})
        done = before if before.get("status") == StepState.DONE else before.get("done_before")
        self.progress.set_step(step.id, status, detail, commands=fingerprint)
        if status != StepState.DONE and isinstance(done, dict) and done.get("commands") not in (None, fingerprint):
            self.progress.steps[step.id]["done_before"] = {k: done[k] for k in ("status", "at", "detail", "commands")
                                                           if k in done}
        self.save_progress()

    def step_state(self, step: Step) -> str:
        """The saved status, or ``stale`` when it was reached with other commands than today's
        (the username, registry or tag changed since: the images it made are not these)."""
        saved = self.step_record(step)
        status = saved.get("status", StepState.TODO)
        recorded = saved.get("commands")
        if recorded is not None and recorded != self.step_fingerprint(step):
            # Done (or failed) for other names says nothing about these: a done one is marked
            # stale, a failure no longer stands against the new commands.
            return {StepState.DONE: StepState.STALE, StepState.FAILED: StepState.TODO}.get(status, status)
        return status

    def step_record(self, step: Step) -> dict[str, Any]:
        """The step's saved record for today's names: the latest try, or the success with these
        very names that a later try with other names was made beside."""
        saved = self.progress.steps.get(step.id, {})
        kept = saved.get("done_before")
        fingerprint = self.step_fingerprint(step)
        if isinstance(kept, dict) and saved.get("commands") != fingerprint and kept.get("commands") == fingerprint:
            return kept
        return saved

    def verify_images(self, item: VerifyItem) -> list[str]:
        values = self.values()
        return [ref for check in item.checks for ref in check.probe.images(values)]

    def record_verify(self, item: VerifyItem, status: str, reason: str, next_step: str = "") -> None:
        """``next_step``: the failure hint's advice, shown again when the learner comes back to the item."""
        evidence: dict[str, Any] = {"images": self.verify_images(item)}
        if next_step:
            evidence["next_step"] = next_step
        self.progress.set_check(verify_key(item.id), status, reason, evidence)
        self.save_progress()

    def check_record(self, item_id: str) -> dict[str, Any]:
        """A checklist item's saved result, or {} when it was checked for other images than the
        ones the learner's settings name now (a check of someone else's images proves nothing)."""
        record = self.progress.checklist.get(item_id) or {}
        item = self.lesson.checklist_item(item_id)
        checked = _images_of(record)
        if item is None or item.probe is None or checked is None:
            return record
        return record if checked == set(item.probe.images(self.values())) else {}

    def verify_state(self, item: VerifyItem) -> dict[str, Any]:
        """The latest result for a Verify item: its own check from the lesson screen, or a
        checklist item that runs the same probe on the same images (the checklist proves it too);
        results for other images than today's do not count."""
        values, images = self.values(), set(self.verify_images(item))
        probes = {(c.probe.kind, tuple(c.probe.images(values))) for c in item.checks}
        own = self.progress.checklist.get(verify_key(item.id)) or {}
        checked = _images_of(own)
        records = [own] if checked is None or checked == images else []
        for linked in self.lesson.checklist:
            if linked.probe is not None and linked.question is None and \
                    (linked.probe.kind, tuple(linked.probe.images(values))) in probes:
                records.append(self.check_record(linked.id))
        found = [r for r in records if r]
        return max(found, key=lambda r: r.get("at") or 0) if found else {"status": CheckStatus.TODO}


def _not_saved(what: str, path: Path, exc: OSError) -> str:
    """Why a save failed, in words, and that nothing saved before was lost (atomic writes)."""
    if isinstance(exc, NotOverwritten):
        return f"{what} could not be saved: {exc}"
    causes = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "your disk quota is used up",
              errno.EROFS: "its folder is on a read-only file system", errno.EACCES: "its folder is not writable",
              errno.EPERM: "its folder is not writable"}
    cause = causes.get(exc.errno or 0, exc.strerror or str(exc))
    fix = {errno.ENOSPC: "free some space", errno.EDQUOT: "free some space"}.get(exc.errno or 0,
                                                                                  f"make {path.parent} writable")
    return (f"{what} could not be saved to {path}: {cause}. What was saved before is intact, and your changes "
            f"are kept while the tutor runs: {fix} and they are saved with your next change.")


def _images_of(record: dict[str, Any]) -> set[str] | None:
    """The images a saved check was made for (None: not said, as in older files or a quiz item).
    A hand-edited file may hold anything there: what is not a list or map of names says nothing."""
    evidence = record.get("evidence")
    checked = evidence.get("images") if isinstance(evidence, dict) else None
    if isinstance(checked, (list, dict)) and all(isinstance(ref, str) for ref in checked):
        return set(checked)
    return None


def verify_key(item_id: str) -> str:
    """Where a Verify item's own check is saved among the checklist states."""
    return f"verify:{item_id}"


def checks_runner(session: Session) -> tuple[Runner, str]:
    """A probe runner for the learner's settings, and a warning when the node set there is unusable."""
    from tutor.probes.node import target_from_settings
    from tutor.probes.runner import CheckContext, Runner

    warning = ""
    try:
        node = target_from_settings(session.settings.node)
    except ValueError as exc:
        node, warning = None, f"The node in your settings is not usable: {exc}"
    context = CheckContext(values=session.values(), node=node, progress=session.progress,
                           no_node_reason="No EC2 node is set: add its host, user and key in the settings (s).")
    return Runner(session.lesson, context), warning


def lint_warning(lesson: Lesson) -> str:
    """What the app says on opening a lesson lint finds mistakes in: the parts that are fine work,
    and the author learns where to look before a learner meets the broken part."""
    if not lesson.lint:
        return ""
    from tutor.visible import visible

    first, count = lesson.lint[0], len(lesson.lint)
    where = f"{lesson.source}:{first.line}" if lesson.source else f"line {first.line}"
    more = f" and {count - 1} more" if count > 1 else ""
    return (f"This lesson has {count} mistake{'s' if count > 1 else ''} an author should fix ({where}: "
            f"{visible(first.message)}{more}). Run `docker-tutor lint {lesson.source or ''}` to list them; "
            "the rest of the lesson works.")
