"""A non-editable install ships the lessons and assets with the package."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """Build the wheel without network and install it, without dependencies, in a scratch venv."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(work / "dist"), str(ROOT)], check=True, cwd=work)
    wheel = next((work / "dist").glob("docker_tutor-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                    "--quiet", "--no-deps", str(wheel)], check=True)
    # Dependencies come from the test venv, after the scratch venv's own site-packages.
    site = Path(subprocess.check_output([str(venv / "bin" / "python"), "-c",
                                         "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    (site / "_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def test_console_script_reports_version(installed):
    from tutor import __version__

    out = subprocess.run([str(installed / "bin" / "docker-tutor"), "--version"], capture_output=True, text=True,
                         cwd=installed, check=True)
    assert out.stdout.strip() == f"docker-tutor {__version__}"


def test_bundled_folders_are_found_inside_the_install(installed):
    code = ("import tutor, tutor.paths as p; "
            "print(tutor.__file__); print(p.lessons_dir()); print(p.assets_dir()); "
            "print(sorted(x.name for x in p.lessons_dir().glob('*.md')))")
    out = subprocess.run([str(installed / "bin" / "python"), "-c", code], capture_output=True, text=True,
                         cwd=installed, check=True).stdout.splitlines()
    package_file, lessons, assets, lesson_files = out
    assert Path(package_file).is_relative_to(installed)
    assert Path(lessons).is_relative_to(installed) and Path(lessons).is_dir()
    assert Path(assets).is_relative_to(installed) and Path(assets).is_dir()
    assert (Path(assets) / "sample-app" / "backend").is_dir()
    assert not (Path(assets) / "screenshots").exists(), "the README's pictures are not part of the install"
    expected = sorted(p.name for p in (ROOT / "lessons").glob("*.md"))
    assert eval(lesson_files) == expected  # noqa: S307 - our own repr of a list of names


def test_the_wheel_ships_its_lessons_parsed(installed, tmp_path):
    # A first start (empty cache) in the install takes the lesson the build parsed: no markdown-it.
    code = ("import sys; from pathlib import Path; import tutor.paths as p; from tutor.lesson.cache import cached_lesson; "
            "lessons = sorted(p.lessons_dir().glob('*.md')); "
            "assert all(Path(str(md) + '.parsed').is_file() for md in lessons), lessons; "
            f"assert all(cached_lesson(md, Path({str(tmp_path)!r})).steps for md in lessons); "
            "print(sorted(m for m in sys.modules if m.startswith('markdown_it')))")
    out = subprocess.run([str(installed / "bin" / "python"), "-c", code], capture_output=True, text=True,
                         cwd=installed, check=True).stdout
    assert out.strip() == "[]"
