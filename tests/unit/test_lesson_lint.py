"""Lint finds each kind of mistake, on the line it is on; the CLI prints file:line: message."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.lesson.lint import lint_file, lint_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lessons"
HEAD = '+++\nid = "t"\ntitle = "T"\norder = 1\n[variables]\nusername = ""\ntag = "v1"\n+++\n'


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing ``needle``, so expectations follow the fixture."""
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path.name}")


# fixture, the text on the offending line, and what the message must say
CASES = [
    ("unknown-action-kind.md", "kind=bild", "unknown action kind 'bild'"),
    ("unknown-action-param.md", "colour=blue", "unknown parameter 'colour' for action push"),
    ("missing-id.md", "### Build it", "missing id: give this step an id"),
    ("duplicate-id.md", "### Build it again", "duplicate step id 'build' (first at line"),
    ("choice-no-correct.md", "- [ ] `latest`", "choice question 'which-tag' has no correct option"),
    ("text-no-rubric.md", "### Explain tags.", "text question 'explain-tags' has no rubric"),
    ("checklist-missing-probe.md", "{#online", "links to a missing probe 'registry-imagez'"),
    ("checklist-missing-question.md", "{#tags", "links to a missing question 'explain-tags'"),
    ("unknown-variable.md", "{regsitry}", "unknown variable '{regsitry}'"),
    ("malformed-front-matter.md", 'title = "A broken', "malformed front matter"),
    ("front-matter-bad-order.md", 'order = "four"', "malformed front matter: 'order' must be a whole number"),
    ("no-front-matter.md", "# A lesson someone forgot", "malformed front matter"),
    ("unknown-condition.md", "{if gitlab}", "unknown condition 'gitlab' in {if gitlab} (conditions: hub, web, practice)"),
    ("unguarded-web.md", "{registry_web}", "{registry_web} is empty when the registry has no web site"),
    ("derived-declared.md", 'registry_name = "My registry"', "variable 'registry_name' is derived by the tutor"),
]


def test_the_base_fixture_is_clean():
    assert lint_file(FIXTURES / "ok.md") == []


@pytest.mark.parametrize("name, needle, message", CASES, ids=[c[0] for c in CASES])
def test_each_error_kind_on_its_line(name, needle, message):
    path = FIXTURES / name
    problems = lint_file(path)
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert problem.path == path
    assert problem.line == line_of(path, needle)
    assert message in problem.message


def test_many_problems_in_one_lesson_are_all_reported_in_line_order():
    body = textwrap.dedent("""
        ## Extras

        Ignored.

        ## Concepts

        ### Tags {#tags}

        ```action kind=push repository=app
        ```

        ## Steps

        ### Push {#Push}

        ```action kind=push repository=Poll-App
        ```

        ```action kind=build repository=app
        ```

        ## Quiz

        ### Q {#q}

        ```rubric
        [[concept]]
        id = "a"
        label = "A"
        phrasings = ["a"
        ```

        ### R {#r}

        - [x] right
        - [ ] wrong without a reason

        #### Explanation

        Done.

        ## Checklist

        - [ ] Nothing ticks me. {#lonely}
        """)
    text = HEAD + body
    lines = text.split("\n")
    found = [(p.line, p.message) for p in lint_text(text)]

    def at(needle: str) -> int:
        return next(i for i, line in enumerate(lines, 1) if needle in line)

    expected = [
        (at("## Extras"), "unknown section 'Extras'"),
        (at("kind=push repository=app"), "an action belongs inside a step or a hint"),
        (at("### Push"), "step id 'Push': use lowercase letters"),
        (at("repository=Poll-App"), "names an invalid image: repository name must be lowercase"),
        (at("kind=build repository=app"), "action build needs the parameter context=..."),
        (at("### Q {#q}"), "has no '#### Explanation'"),
        (at('phrasings = ["a"'), "malformed rubric"),
        (at("- [ ] wrong"), "wrong option (b) of 'r' needs a 'Why:' line"),
        (at("{#lonely}"), "has nothing to tick it"),
    ]
    for line, fragment in expected:
        assert any(at == line and fragment in m for at, m in found), (line, fragment, found)
    assert len(found) == len(expected), found
    assert [at for at, _ in found] == sorted(at for at, _ in found)


def test_a_condition_split_by_an_action_is_reported_at_both_ends():
    path = FIXTURES / "unclosed-condition.md"
    found = [(p.line, p.message) for p in lint_file(path)]
    assert found == [
        (line_of(path, "{if hub}"), found[0][1]),
        (line_of(path, "{end}"), "{end} without an {if ...} before it in the same text"),
    ]
    assert found[0][1].startswith("{if hub} is not closed: add {end}") and "an action" in found[0][1]


def test_conditional_text_mistakes_on_their_lines():
    body = textwrap.dedent("""
        ## Steps

        ### Look {if hub}on Docker Hub{else}around{else}again{end} {#look}

        {if}Nothing to test.{end}

        {if not web}
        No site.
        {else}
        Sign in at {registry_web}.
        {end}

        ```action kind=manual url="{if web}https://{registry_web}{end}"
        {if hub}Docker Hub.{end}
        ```

        Literal braces stay literal: {{if hub}} {{end}} {{.Repository}}.

        ## Checklist

        - [ ] It is on {registry_name}{if hub}, the free plan{end}. {#on-it probe=registry-images repository=app}
        - [ ] Not closed {if web}here. {#open probe=registry-images repository=app}
        """)
    text = HEAD + body
    lines = text.split("\n")
    found = [(p.line, p.message) for p in lint_text(text)]

    def at(needle: str) -> int:
        return next(i for i, line in enumerate(lines, 1) if needle in line)

    # The guarded {registry_web}s, the balanced checklist entry and the doubled braces are fine.
    unclosed = next(m for _, m in found if m.startswith("{if web} is not closed"))
    assert found == [
        (at("### Look"), "{if hub} has a second {else}"),
        (at("{if}Nothing"), "{end} without an {if ...} before it in the same text"),
        (at("{if}Nothing"), "{if} needs a condition: {if hub}, {if not web} (conditions: hub, web, practice)"),
        (at("Not closed"), unclosed),
    ]


@pytest.mark.parametrize("name", ["if", "else", "end"])
def test_condition_words_are_not_variable_names(name):
    text = HEAD.replace('tag = "v1"', f'tag = "v1"\n{name} = "x"') + "\n## Steps\n\n### S {#s}\n\nText.\n"
    assert [p.message for p in lint_text(text)] == [
        f"'{name}' is a word of conditional text ({{if ...}}, {{else}}, {{end}}), not a variable name"]


def test_cli_lints_the_bundled_lessons_by_default(capsys):
    assert main(["lint"]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "no problems" in err


def test_cli_prints_file_line_message_and_exits_1(capsys, tmp_path, monkeypatch):
    for name in ("ok.md", "unknown-action-kind.md", "duplicate-id.md"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "ok.md", "."]) == 1
    out, err = capsys.readouterr()
    kind_line = line_of(tmp_path / "unknown-action-kind.md", "kind=bild")
    dup_line = line_of(tmp_path / "duplicate-id.md", "### Build it again")
    assert out.splitlines() == [
        f"duplicate-id.md:{dup_line}: duplicate step id 'build' (first at line {dup_line - 4})",
        f"unknown-action-kind.md:{kind_line}: unknown action kind 'bild' "
        "(kinds: login, build, tag, push, images, rmi, pull, run, manual)",
    ]
    assert "2 problems" in err


def test_cli_lints_an_extra_lessons_folder(capsys, tmp_path):
    shutil.copy(FIXTURES / "text-no-rubric.md", tmp_path / "09-extra.md")
    assert main(["lint", "--lessons", str(tmp_path)]) == 1
    out, _ = capsys.readouterr()
    assert out.startswith(f"{tmp_path / '09-extra.md'}:") and "has no rubric" in out


def test_cli_reports_a_missing_path_without_traceback(capsys, tmp_path):
    assert main(["lint", str(tmp_path / "nope.md")]) == 2
    _, err = capsys.readouterr()
    assert "no such file or folder" in err and "Traceback" not in err
