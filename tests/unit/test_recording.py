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
    events = recording.replay("done")
    assert replayed_lines(events) == ["two", "note: the cache was used", "three", "four"]
    assert events[-1] == ev.Succeeded("Built alice/app:v1")
    assert not any(isinstance(event, ev.CommandLine) for event in events)


def test_each_layer_keeps_its_latest_state_in_first_seen_order():
    recording = Recording(max_lines=10)
    for event in (ev.LayerProgress("aaa", "preparing"), ev.LayerProgress("bbb", "preparing"),
                  ev.LayerProgress("aaa", "pushing", 5, 10), ev.LayerProgress("bbb", "exists"),
                  ev.LayerProgress("aaa", "pushed", 10, 10)):
        recording.add(event)
    layers = [event for event in recording.replay("failed") if isinstance(event, ev.LayerProgress)]
    assert [(layer.layer, layer.status) for layer in layers] == [("aaa", "pushed"), ("bbb", "exists")]


def test_the_outcome_is_shown_only_while_it_is_still_the_steps_status():
    failure = ev.Failed(hints.hint("unknown", detail="boom"))
    recording = Recording(max_lines=10)
    recording.add(ev.Output(("denied",)))
    recording.add(failure)
    assert recording.replay("failed")[-1] == failure
    marked_done = recording.replay("done")  # marked done by hand afterwards
    assert failure not in marked_done and replayed_lines(marked_done) == ["denied"]
    assert recording.replay("todo") == []  # the step was reset


def test_a_next_action_forgets_the_previous_outcome():
    recording = Recording(max_lines=10)
    recording.add(ev.Succeeded("Built alice/poll-backend:v1"))
    recording.add(ev.CommandLine("docker build -t alice/poll-frontend:v1 frontend"))
    recording.add(ev.Output(("Step 1/3",)))
    assert not any(isinstance(event, ev.Succeeded) for event in recording.replay("done"))
