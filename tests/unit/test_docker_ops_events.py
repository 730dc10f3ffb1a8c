"""The plumbing under the docker actions: batching, line splitting, layer tallies, the CLI
equivalents, the thread-to-asyncio bridge and the one-result guarantee (no engine needed)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import time

import pytest

from tutor.docker_ops import docker_config
from tutor.docker_ops import commandline
from tutor.docker_ops import credentials, humanize
from tutor.docker_ops.action import ActionFailed, docker_action, pump
from tutor.docker_ops.batching import LineSplitter, OutputBatcher
from tutor.docker_ops.engine import ThreadStream
from tutor.docker_ops.events import CommandLine, Failed, LayerProgress, Notice, Output, Succeeded
from tutor.docker_ops.images import rows_for, table
from tutor.docker_ops.layers import LayerTracker, thin_progress
from tutor.hints import hint


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_events_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Output(("a",)).lines = ()  # type: ignore[misc]


def test_batcher_releases_full_batches_at_once_and_the_rest_after_a_short_wait():
    clock = FakeClock()
    batcher = OutputBatcher(max_lines=500, max_delay=0.05, clock=clock)
    full = [out for n in range(1200) if (out := batcher.add_line(str(n)))]
    assert [len(out.lines) for out in full] == [500, 500]
    assert full[1].lines[0] == "500"
    assert batcher.pending == 200 and batcher.take() == []
    assert batcher.due_in() == pytest.approx(0.05)
    clock.now += 0.03
    assert batcher.due_in() == pytest.approx(0.02) and batcher.take() == []
    clock.now += 0.02
    (rest,) = batcher.take()
    assert rest.lines[-1] == "1199" and batcher.pending == 0 and batcher.due_in() is None
    assert batcher.flush() is None


def test_batcher_add_and_take_split_a_burst_into_full_batches():
    clock = FakeClock()
    batcher = OutputBatcher(max_lines=3, max_delay=1, clock=clock)
    batcher.add(["a", "b", "c", "d"])
    assert batcher.due_in() == 0.0
    (first,) = batcher.take()
    assert first.lines == ("a", "b", "c") and batcher.flush() == Output(("d",))


def test_line_splitter_carries_partial_lines_and_keeps_the_last_redraw():
    splitter = LineSplitter()
    assert list(splitter.feed("one\ntw")) == ["one"]
    assert list(splitter.feed("o\r\nthree")) == ["two"]
    assert list(splitter.feed(" 10%\r 50%\r100%\n")) == ["100%"]
    assert list(splitter.feed("")) == [] and list(splitter.feed("tail")) == []
    assert splitter.finish() == ["tail"] and splitter.finish() == []


def test_line_splitter_finish_returns_the_unterminated_line():
    splitter = LineSplitter()
    assert list(splitter.feed("a\nb")) == ["a"]
    assert splitter.finish() == ["b"] and splitter.finish() == []


def push_stream() -> list[dict]:
    """The shape docker's push stream has: statuses per layer, progress, then the aux digest."""
    items = [{"status": "The push refers to repository [docker.io/alice/poll-backend]"}]
    for layer in "abcd":
        items.append({"status": "Preparing", "progressDetail": {}, "id": layer})
    items += [
        {"status": "Waiting", "progressDetail": {}, "id": "a"},
        {"status": "Layer already exists", "progressDetail": {}, "id": "b"},
        {"status": "Mounted from alice/poll-frontend", "progressDetail": {}, "id": "c"},
        {"status": "Layer already exists", "progressDetail": {}, "id": "d"},
        {"status": "Pushing", "progressDetail": {"current": 600_000, "total": 1_200_000}, "id": "a"},
        {"status": "Pushing", "progressDetail": {"current": 1_250_000, "total": 1_200_000}, "id": "a"},
        {"status": "Pushed", "progressDetail": {}, "id": "a"},
        {"status": "v1: digest: sha256:abc size: 1149"},
        {"progressDetail": {}, "aux": {"Tag": "v1", "Digest": "sha256:abc", "Size": 1149}},
    ]
    return items


def test_push_tally_counts_reused_and_uploaded_layers():
    tracker = LayerTracker("push")
    items = push_stream()
    early = tracker.handle_chunk(items[:-3])
    # Of two byte updates for one layer in one chunk only the newer one is passed on.
    assert [e.current for e in early if isinstance(e, LayerProgress) and e.status == "pushing"] == [1_250_000]
    events = early + tracker.handle_chunk(items[-3:])
    statuses = [(e.layer, e.status) for e in events if isinstance(e, LayerProgress)]
    assert ("c", "mounted") in statuses and ("b", "exists") in statuses and ("a", "pushed") in statuses
    assert "v1: digest: sha256:abc size: 1149" in events
    summary, details = tracker.push_summary()
    assert summary == "3 of 4 layers were already on the registry; uploaded 1.2 MB"
    assert details == {"layers": 4, "layers_uploaded": 1, "layers_reused": 3, "layers_mounted": 1,
                       "bytes_uploaded": 1_200_000}
    assert tracker.digest == "sha256:abc" and tracker.manifest_size == 1149 and tracker.error is None


def test_push_errors_in_the_stream_are_kept_not_raised():
    tracker = LayerTracker("push")
    tracker.handle_chunk([{"errorDetail": {"message": "denied: requested access to the resource is denied"},
                           "error": "denied: requested access to the resource is denied"}])
    assert tracker.error == "denied: requested access to the resource is denied"


def test_pull_statuses_map_to_layer_states():
    tracker = LayerTracker("pull")
    items = [{"status": "Pulling from alice/poll-backend", "id": "v1"}]
    for status in ("Pulling fs layer", "Waiting", "Verifying Checksum", "Download complete", "Extracting",
                   "Pull complete"):
        items.append({"status": status, "progressDetail": {}, "id": "a"})
    items += [{"status": "Already exists", "progressDetail": {}, "id": "b"},
              {"status": "Downloading", "progressDetail": {"current": 10, "total": 20}, "id": "c"},
              {"status": "Pull complete", "progressDetail": {}, "id": "c"},
              {"status": "Digest: sha256:def"}]
    events = [tracker.handle(item) for item in items]
    flat = [e for batch in events for e in batch]
    assert flat[0] == "v1: Pulling from alice/poll-backend"
    assert [e.status for e in flat if isinstance(e, LayerProgress) and e.layer == "a"] == [
        "preparing", "waiting", "verifying", "complete", "extracting", "pulled"]
    summary, details = tracker.pull_summary()
    assert details["layers_downloaded"] == 2 and details["layers_reused"] == 1 and details["bytes_downloaded"] == 10
    assert tracker.digest == "sha256:def"


def test_thin_progress_keeps_order_and_the_newest_update_per_layer():
    events = [LayerProgress("a", "pushing", 1, 9), "line", LayerProgress("b", "pushing", 1, 9),
              LayerProgress("a", "pushing", 5, 9), LayerProgress("a", "pushed")]
    assert thin_progress(events) == ["line", LayerProgress("b", "pushing", 1, 9), LayerProgress("a", "pushed")]


def test_command_lines_use_the_cli_vocabulary_and_never_a_secret():
    assert commandline.login("docker.io", "alice") == "docker login -u alice --password-stdin"
    assert commandline.login("127.0.0.1:5000", "alice") == "docker login -u alice --password-stdin 127.0.0.1:5000"
    assert commandline.build("alice/poll:v1", "my app") == "docker build -t alice/poll:v1 'my app'"
    assert commandline.build("a/b:v1", ".", "Dockerfile.dev") == "docker build -t a/b:v1 -f Dockerfile.dev ."
    assert commandline.images("poll") == "docker images | grep poll"
    assert commandline.run("a/b:v1", 3000, 3000) == "docker run -p 3000:3000 a/b:v1"
    assert commandline.run("a/b:v1", 8080, 80, "127.0.0.1") == "docker run -p 127.0.0.1:8080:80 a/b:v1"
    assert commandline.tag("a:v1", "b/a:v1") == "docker tag a:v1 b/a:v1"
    assert commandline.push("x;rm -rf ~") == "docker push 'x;rm -rf ~'"


@pytest.mark.parametrize("size, text", [(0, "0B"), (999, "999B"), (1985583, "1.99MB"), (150_300_000, "150MB"),
                                        (4_860_000, "4.86MB"), (1_234_567_890, "1.23GB")])
def test_sizes_read_like_docker_images(size, text):
    assert humanize.size(size) == text


@pytest.mark.parametrize("seconds, text", [(0.5, "Less than a second"), (1, "1 second"), (45, "45 seconds"),
                                           (90, "About a minute"), (150, "2 minutes"), (3600, "About an hour"),
                                           (5 * 3600, "5 hours"), (3 * 86400, "3 days"), (15 * 86400, "2 weeks"),
                                           (90 * 86400, "3 months"), (800 * 86400, "2 years")])
def test_ages_read_like_docker_images(seconds, text):
    assert humanize.age(1000.0, 1000.0 + seconds) == f"{text} ago"


def test_image_rows_are_filtered_like_grep_and_printed_like_docker():
    found = [
        {"Id": "sha256:" + "a" * 64, "RepoTags": ["alice/poll-backend:v1", "alice/poll-backend:v2"],
         "Created": 1000, "Size": 150_300_000},
        {"Id": "sha256:" + "b" * 64, "RepoTags": ["alice/poll-frontend:v1"], "Created": 2000, "Size": 25_000_000},
        {"Id": "sha256:" + "c" * 64, "RepoTags": ["nginx:latest"], "Created": 3000, "Size": 1},
        {"Id": "sha256:" + "d" * 64, "RepoTags": None, "Created": 4000, "Size": 1},
    ]
    rows = rows_for(found, "poll", now=2120)
    assert [(r.repository, r.tag) for r in rows] == [
        ("alice/poll-frontend", "v1"), ("alice/poll-backend", "v1"), ("alice/poll-backend", "v2")]
    assert rows[0].image_id == "b" * 12 and rows[0].created == "2 minutes ago" and rows[1].size == "150MB"
    lines = table(rows)
    assert lines[0].split() == ["REPOSITORY", "TAG", "IMAGE", "ID", "CREATED", "SIZE"]
    assert lines[1] == "alice/poll-frontend   v1    bbbbbbbbbbbb   2 minutes ago    25MB"
    assert len(rows_for(found, None, now=5000)) == 5  # the untagged image shows as <none>


def test_registry_keys_and_stored_credentials(tmp_path, monkeypatch):
    assert {credentials.registry_key(r) for r in (None, "", "docker.io", "https://index.docker.io/v1/",
                                                   "registry-1.docker.io")} == {"docker.io"}
    assert credentials.registry_key("HTTPS://Ghcr.io/") == "ghcr.io"
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    config = tmp_path / "config.json"
    assert docker_config.storage("docker.io").kind == "none"
    config.write_text(json.dumps({"auths": {"https://index.docker.io/v1/": {"auth": "YTpi"}}}))
    assert docker_config.storage("docker.io").kind == "plaintext"
    assert "unencrypted" in docker_config.storage_notice(docker_config.storage("docker.io"))
    assert "access token" in docker_config.storage_notice(docker_config.storage("docker.io"))
    # A registry with passwords only (the practice registry, a plain one) gets no token advice.
    assert "access token" not in docker_config.storage_notice(docker_config.storage("docker.io"), tokens=False)
    config.write_text(json.dumps({"auths": {"ghcr.io": {}}, "credHelpers": {"ghcr.io": "gcloud"}}))
    found = docker_config.storage("ghcr.io")
    assert (found.kind, found.helper) == ("helper", "gcloud")
    assert "docker-credential-gcloud" in docker_config.storage_notice(found)
    assert "access token" not in docker_config.storage_notice(found, tokens=False)
    assert docker_config.storage("docker.io").kind == "none"


def test_session_credentials_live_in_memory_only():
    credentials.remember("127.0.0.1:5000", "alice", "s3cret")
    try:
        assert credentials.session_auth("127.0.0.1:5000") == {"username": "alice", "password": "s3cret"}
        assert credentials.known_username("127.0.0.1:5000") == "alice"
    finally:
        credentials.forget()
    assert credentials.session_auth("127.0.0.1:5000") is None


# --- the thread bridge and pump ---------------------------------------------------------------


async def test_thread_stream_hands_items_over_in_chunks():
    stream = ThreadStream(None, lambda: iter(range(10_000)))
    chunks, seen = 0, []
    while (items := await stream.next_chunk()) is not None:
        chunks += 1
        seen.extend(items)
    assert seen == list(range(10_000)) and chunks < 10_000


async def test_thread_stream_bounds_what_waits_and_cancel_stops_the_worker():
    produced = 0

    def produce():
        nonlocal produced
        for n in range(1_000_000):
            produced += 1
            yield n

    stream = ThreadStream(None, produce, max_pending=100)
    await asyncio.sleep(0.2)  # the consumer reads nothing meanwhile
    assert produced <= 101
    stream.cancel()
    stream.thread.join(2)
    assert not stream.thread.is_alive() and produced <= 102


async def test_thread_stream_raises_the_workers_error_and_times_out_quietly():
    def produce():
        yield 1
        time.sleep(0.3)
        raise RuntimeError("engine went away")

    stream = ThreadStream(None, produce)
    assert await stream.next_chunk() == [1]
    assert await stream.next_chunk(timeout=0.01) == []
    with pytest.raises(RuntimeError, match="engine went away"):
        await stream.next_chunk()


async def test_pump_keeps_lines_before_the_event_that_followed_them():
    items = ["a", "b", Notice("between"), "c"]
    stream = ThreadStream(None, lambda: iter(items))
    events = [e async for e in pump(stream, OutputBatcher(), lambda chunk: chunk, lambda: ["end"])]
    assert events == [Output(("a", "b")), Notice("between"), Output(("c", "end"))]


async def test_pump_batches_a_flood_of_lines():
    stream = ThreadStream(None, lambda: (f"line {n}" for n in range(20_000)))
    events = [e async for e in pump(stream, OutputBatcher(), lambda chunk: chunk)]
    assert sum(len(e.lines) for e in events) == 20_000 and len(events) <= 20_000 / 400


async def test_cancelling_the_consumer_cancels_the_stream():
    gate = threading.Event()

    def produce():
        yield "first"
        gate.wait(5)  # a stream that has gone quiet
        yield "never"

    stream = ThreadStream(None, produce)

    async def consume():
        async for _ in pump(stream, OutputBatcher(max_delay=0), lambda chunk: chunk):
            pass

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    gate.set()
    stream.thread.join(2)
    assert not stream.thread.is_alive()


# --- one result per action ---------------------------------------------------------------------


@docker_action("build")
async def _raises(action, error):
    yield CommandLine("docker build -t x .")
    raise error


@docker_action("build")
async def _two_results(action):
    yield CommandLine("docker build -t x .")
    yield Succeeded("first")
    yield Succeeded("second")


@docker_action("build")
async def _no_result(action):
    yield CommandLine("docker build -t x .")


@docker_action("build")
async def _waits(action, started: asyncio.Event):
    yield CommandLine("docker build -t x .")
    started.set()
    await asyncio.sleep(30)
    yield Succeeded("too late")


async def test_every_failure_becomes_exactly_one_failed_event():
    events = [e async for e in _raises(RuntimeError("boom"))]
    assert events[0] == CommandLine("docker build -t x .")
    assert len(events) == 2 and events[1].hint.code == "unknown" and "boom" in events[1].hint.what
    chosen = hint("disk_full")
    events = [e async for e in _raises(ActionFailed(chosen, ["last line"]))]
    assert events[1] == Failed(chosen, ("last line",))
    assert [e async for e in _two_results()][1:] == [Succeeded("first")]
    assert isinstance([e async for e in _no_result()][-1], Failed)


async def test_a_cancelled_action_raises_instead_of_reporting():
    started = asyncio.Event()
    events = []

    async def consume():
        async for event in _waits(started):
            events.append(event)

    task = asyncio.create_task(consume())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert events == [CommandLine("docker build -t x .")]
