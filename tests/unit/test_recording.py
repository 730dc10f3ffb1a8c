"""A step's last run, replayed: bounded output with notes in place, latest layer states, the outcome."""

from __future__ import annotations

from tutor import hints
from tutor.docker_ops import events as ev
from tutor.docker_ops.recording import Recording


def replayed_lines(events) -> list[str]:
    return [line for event in events if isinstance(event, ev.Output) for line in event.lines]


def test_output_is_bounded_and_notes_keep_their_place():
    recording = Recording(max_lines=4)
    recording.add(ev.CommandLine("docker build -t alice/app:v1 ."))
    recording.add(ev.Output(("one", "two")))
    recording.add(ev.Notice("the cache was used"))
    recording.add(ev.Output(("three", "four")))
    recording.add(ev.Succeeded("Built alice/app:v1"))
    recording.finish("after the run")
    events = recording.replay("after the run")
    assert replayed_lines(events) == ["two", "note: the cache was used", "three", "four"]
    assert events[-1] == ev.Succeeded("Built alice/app:v1")
    assert events[0] == ev.CommandLine("docker build -t alice/app:v1 .")  # the output's own command
    assert recording.commands == ["docker build -t alice/app:v1 ."]


def test_each_layer_keeps_its_latest_state_in_first_seen_order():
    recording = Recording(max_lines=10)
    for event in (ev.LayerProgress("aaa", "preparing"), ev.LayerProgress("bbb", "preparing"),
                  ev.LayerProgress("aaa", "pushing", 5, 10), ev.LayerProgress("bbb", "exists"),
                  ev.LayerProgress("aaa", "pushed", 10, 10)):
        recording.add(event)
    layers = [event for event in recording.replay(None) if isinstance(event, ev.LayerProgress)]
    assert [(layer.layer, layer.status) for layer in layers] == [("aaa", "pushed"), ("bbb", "exists")]


def test_the_verdict_is_shown_only_while_the_saved_step_is_what_the_run_left():
    failure = ev.Failed(hints.hint("unknown", detail="boom"))
    recording = Recording(max_lines=10)
    recording.add(ev.Output(("denied",)))
    recording.add(failure)
    after_run = {"status": "done", "detail": "Pushed earlier", "at": "10:00"}  # a re-run of a done step failed
    recording.finish(dict(after_run))
    assert recording.replay(dict(after_run))[-1] == failure
    marked_done = recording.replay({"status": "done", "detail": "Marked done by you.", "at": "10:05"})
    assert failure not in marked_done and replayed_lines(marked_done) == ["denied"]


def test_each_outcome_stays_with_its_own_command():
    recording = Recording(max_lines=10)
    for event in (ev.CommandLine("docker build -t alice/poll-backend:v1 backend"), ev.Output(("backend step",)),
                  ev.Succeeded("Built alice/poll-backend:v1"),
                  ev.CommandLine("docker build -t alice/poll-frontend:v1 frontend"), ev.Output(("Step 1/3",))):
        recording.add(event)
    recording.finish("after the run")
    replayed = recording.replay("after the run")
    # The backend's verdict comes right after the backend's output; the frontend's command has none yet.
    assert replayed == [ev.CommandLine("docker build -t alice/poll-backend:v1 backend"), ev.Output(("backend step",)),
                        ev.Succeeded("Built alice/poll-backend:v1"),
                        ev.CommandLine("docker build -t alice/poll-frontend:v1 frontend"), ev.Output(("Step 1/3",))]
    assert recording.verdict_replayed("after the run") and not recording.verdict_replayed("changed by hand")


def test_the_line_bound_drops_the_oldest_lines_of_any_command():
    recording = Recording(max_lines=3)
    recording.add(ev.CommandLine("one"))
    recording.add(ev.Output(("a", "b")))
    recording.add(ev.CommandLine("two"))
    recording.add(ev.Output(("c", "d")))
    assert replayed_lines(recording.replay(None)) == ["b", "c", "d"]


def test_the_default_keeps_the_tail_of_a_huge_build():
    recording = Recording()
    recording.add(ev.Output(tuple(f"line {n}" for n in range(100_000))))
    lines = replayed_lines(recording.replay(None))
    assert lines[-1] == "line 99999" and 0 < len(lines) <= 5000
