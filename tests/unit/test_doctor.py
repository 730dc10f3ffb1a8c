"""The doctor's pure parts: FROM lines, ratelimit headers, where free space can be measured, the table."""

from __future__ import annotations

import io
import socket

import pytest

from tutor.commands import doctor as command
from tutor.probes import doctor
from tutor.probes.doctor import Finding, base_images, parse_ratelimit
from tutor.states import DoctorStatus


def test_from_lines_skip_scratch_and_stages_and_fill_build_arguments():
    text = """# syntax=docker/dockerfile:1
ARG NODE=20 \\
    FLAVOUR
ARG REGISTRY="ghcr.io"
FROM --platform=$BUILDPLATFORM node:${NODE}-alpine AS build
RUN echo FROM inside a RUN is not an instruction
FROM build AS test
FROM scratch
from nginx:1.27-alpine
FROM $REGISTRY/acme/tools:1
FROM node:${NODE}-alpine
FROM ${FLAVOUR}
FROM python:${PY:-3.12}-slim
"""
    found = base_images(text)
    assert found.images == ["node:20-alpine", "nginx:1.27-alpine", "ghcr.io/acme/tools:1", "python:3.12-slim"]
    assert found.unresolved == ["${FLAVOUR}"]


def test_the_sample_apps_dockerfiles_need_the_two_images_the_readme_names():
    from tutor.lesson import get_lesson
    from tutor.paths import assets_dir

    lesson = get_lesson("04")
    setup = doctor.setup_for(lesson, lesson.values({"project_dir": str(assets_dir() / "sample-app")}))
    needed = [image for context in setup.contexts for image in base_images(context.path.read_text()).images]
    assert [c.label for c in setup.contexts] == ["backend/Dockerfile", "frontend/Dockerfile"]
    assert needed == ["node:20-alpine", "nginx:1.27-alpine"]


@pytest.mark.parametrize("value, expected", [
    ("100;w=21600", (100, 21600)),
    ("76;w=21600", (76, 21600)),
    ("100, 100;w=21600", (100, 21600)),
    (" 0 ; w = 60", (0, 60)),
    ("5000", (5000, None)),
    ("", (None, None)),
    (None, (None, None)),
    ("unlimited", (None, None)),
])
def test_ratelimit_headers(value, expected):
    assert parse_ratelimit(value) == expected


def test_free_space_is_measured_only_for_an_engine_on_this_machine(tmp_path):
    here = socket.gethostname()
    assert doctor.free_space(str(tmp_path), here, "unix:///run/docker.sock") > 0
    assert doctor.free_space(str(tmp_path), "", "unix:///run/docker.sock") > 0  # an engine without a name
    assert doctor.free_space(str(tmp_path), "docker-desktop", "unix:///run/docker.sock") is None  # its VM's disk
    assert doctor.free_space(str(tmp_path), here, "tcp://10.0.0.5:2376") is None
    assert doctor.free_space(str(tmp_path / "absent"), here, "unix:///run/docker.sock") is None


def test_ready_only_when_every_check_ran_and_passed():
    ok, warn = Finding("engine", DoctorStatus.OK, "fine"), Finding("login", DoctorStatus.WARN, "fine, but")
    assert doctor.ready([ok, warn])
    assert not doctor.ready([ok, Finding("disk", DoctorStatus.SKIPPED, "not checked")])
    assert not doctor.ready([ok, Finding("disk", DoctorStatus.FAIL, "full")])


def test_the_table_keeps_commands_whole_and_says_what_failed(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    findings = [
        Finding("engine", DoctorStatus.OK, "Docker 27.0 answers at unix:///var/run/docker.sock."),
        Finding("base-images", DoctorStatus.FAIL, "Not in your local images: nginx:1.27-alpine for frontend/Dockerfile.",
                "While there is a network, pull it: `docker pull nginx:1.27-alpine`; after that none."),
        Finding("disk", DoctorStatus.SKIPPED, "Not checked: no engine."),
    ]
    command.print_findings({"registry": "Docker Hub"}, findings, ready=False, width=80)
    text = out.getvalue()
    assert "`docker pull nginx:1.27-alpine`" in text  # never split across lines
    assert [line.split()[:2] for line in text.splitlines() if line.startswith("  ") and line[2] != " "] == [
        ["ok", "engine"], ["FAIL", "base-images"], ["skip", "disk"]]
    assert "1 check failed (base-images); 1 check could not run" in text.replace("\n", " ")
    assert all(len(line) <= 80 for line in text.splitlines())
