"""Every mistake the linter knows, one broken lesson each; then a lesson of 500 steps and one of 5 MB.

Each case edits one line of a valid lesson (tests/fixtures/lessons/sweep-base.md). The sweep
checks three things: `docker-tutor lint` names the file and the line; every place in the
parser and linter that reports a problem was reached by some case (so a new check cannot be
added without a broken lesson here); and the app refuses what it cannot read, or opens what it
can and says where the author's mistakes are. The big lessons must lint and open and be usable
to their last step.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from tests.faults.test_lessons_faults import tutor
from tests.ui.conftest import write_settings
from tutor.lesson import errors
from tutor.lesson.lint import lint_file, lint_text

ROOT = Path(__file__).resolve().parents[2]
BASE = (ROOT / "tests" / "fixtures" / "lessons" / "sweep-base.md").read_text()
LESSON = ROOT / "tutor" / "lesson"
MISCONCEPTION = '[[misconception]]\nid = "banned"\nlabel = "k8s bans latest"\nphrasings = ["banned"]\n'
MISCONCEPTION += 'correction = "It does not."\n'
RUBRIC = BASE[BASE.index("```rubric"):BASE.index("```\n", BASE.index("```rubric") + 3) + 4]
DEEP = "[" * 4000 + "]" * 4000

# name: (the text to replace in the base lesson, its replacement, text on the line the problem is
# reported at, what the message says). Replacements are made once, at the first occurrence.
CASES: dict[str, tuple[str, str, str, str]] = {
    # front matter
    "no-front-matter": ("+++\nid", "id", "id = ", "a lesson starts with a '+++' line"),
    "no-closing-fence": ('tag = "v1"\n+++', 'tag = "v1"\n', "+++", "no closing '+++' line"),
    "front-matter-toml": ('title = "A lesson', 'title = "A lesson\n', 'title = "A lesson', "malformed front matter"),
    "front-matter-deep": ("order = 91", f"order = 91\nextra = {DEEP}", "extra = ", "nested too deeply"),
    "unknown-front-key": ("order = 91", "order = 91\nauthor = \"me\"", "author = ", "unknown key 'author'"),
    "title-not-text": ('title = "A lesson for the sweep"', "title = 5", "title = 5", "'title' must be a string"),
    "variables-not-table": ("[variables]\nusername = \"\"\ntag = \"v1\"", "variables = 3", "variables = 3",
                            "'variables' must be a table"),
    "variable-shape": ('tag = "v1"', "tag = 1", "tag = 1", "variable 'tag' must be a string default"),
    "order-not-number": ("order = 91", 'order = "x"', "order = ", "'order' must be a whole number"),
    "no-title": ('title = "A lesson for the sweep"\n', "", "+++", "front matter has no 'title'"),
    "derived-variable": ('tag = "v1"', 'tag = "v1"\nregistry_name = "x"', "registry_name", "is derived by the tutor"),
    "reserved-variable": ('tag = "v1"', 'tag = "v1"\nelse = "x"', "else = ", "is a word of conditional text"),
    "lesson-id-style": ('id = "sweep"', 'id = "Sweep_1"', 'id = "Sweep_1"', "lesson id 'Sweep_1': use lowercase"),
    "lesson-id-empty": ('id = "sweep"', 'id = ""', 'id = ""', "lesson id is empty"),
    # structure
    "second-title": ("## Concepts", "# Another title\n\n## Concepts", "# Another title", "one '#' title"),
    "title-in-a-section": ("## Steps", "## Steps\n\n# Another title", "# Another title", "one '#' title"),
    "unknown-section": ("## Concepts", "## Extras\n\nx\n\n## Concepts", "## Extras", "unknown section 'Extras'"),
    "hint-attributes": ("{#fails}", "{#fails =}", "#### Hint", "malformed attributes: write {#id}"),
    "hint-outside-step": ("A tag names a build.", "A tag names a build.\n\n#### Hint: where? {#h}\n\nx",
                          "#### Hint: where", "a hint belongs inside a step"),
    "step-attributes": ("{#push}", "{#push =x}", "### Push it", "malformed attributes: write {#id} (and"),
    "missing-step-id": ("### Push it {#push}", "### Push it", "### Push it", "missing id: give this step an id"),
    "duplicate-step-id": ("{#push}", "{#build}", "### Push it", "duplicate step id 'build' (first at line"),
    "step-id-style": ("{#push}", "{#Push_It}", "### Push it", "step id 'Push_It': use lowercase"),
    "unknown-attribute": ("{#push}", "{#push colour=red}", "### Push it", "unknown attribute 'colour'"),
    "unknown-class": ("{#push}", "{#push .fast}", "### Push it", "unknown attribute '.fast'"),
    "missing-verify-item": ("verify=local}", "verify=locall}", "### Build it", "missing verify item 'locall'"),
    # blocks
    "block-parameters": ("```action kind=push repository=app", "```action kind=push repository",
                         "```action kind=push", "malformed parameter 'repository': write key=value"),
    "unknown-action-kind": ("kind=push repository=app", "kind=pusj repository=app", "kind=pusj",
                            "unknown action kind 'pusj'"),
    "action-parameter": ("kind=push repository=app", "kind=push repository=app colour=red", "colour=red",
                         "unknown parameter 'colour' for action push"),
    "action-port": ("kind=build repository=app context=.", "kind=run repository=app publish=abc", "publish=abc",
                    "publish 'abc' is not a port mapping"),
    "invalid-image": ("kind=push repository=app", "kind=push repository=App_UP", "repository=App_UP",
                      "names an invalid image: repository name must be lowercase"),
    "action-outside-step": ("A tag names a build.", "A tag names a build.\n\n```action kind=push repository=app\n```",
                            "```action", "an action belongs inside a step or a hint"),
    "rubric-outside-question": ("Look at the output.", "Look at the output.\n\n```rubric\n```",
                                "```rubric", "a rubric belongs inside a quiz question"),
    "verify-outside-verify": ("Look at the output.", "Look at the output.\n\n```verify probe=local-images\n```",
                              "```verify", "a verify block belongs under a '###' heading in '## Verify'"),
    # quiz
    "unknown-question-kind": ("{#why}", "{#why kind=essay}", "### Why not", "unknown question kind 'essay'"),
    "text-without-rubric": ("{#why}\n\nAnswer in words.\n\n" + RUBRIC, "{#why kind=text}\n\nAnswer in words.\n",
                            "### Why not", "text question 'why' has no rubric"),
    "choice-without-choices": (RUBRIC, "", "### Why not", "choice question 'why' has no choices"),
    "choice-with-rubric": ("{#why}", "{#why kind=choice}", "```rubric", "has a rubric it never uses"),
    "no-correct-option": ("- [x] `{tag}`", "- [ ] `{tag}`", "- [ ] `{tag}`", "has no correct option"),
    "option-without-why": ("  Why: it moves.\n", "", "- [ ] `latest`", "needs a 'Why:' line"),
    "option-without-checkbox": ("- [ ] `latest`", "- `latest`", "- `latest`", "every choice starts with [ ]"),
    "second-choice-list": ("  Why: it moves.\n", "  Why: it moves.\n\nOr:\n\n- [x] a\n- [ ] b\n  Why: no.\n",
                           "- [x] a", "has a second list of choices"),
    "no-explanation": ("#### Explanation\n\nBecause.\n", "", "### Which tag?", "has no '#### Explanation'"),
    "second-rubric": ("#### Explanation\n\nIt moves.", RUBRIC + "\n#### Explanation\n\nIt moves.",
                      None, "question 'why' has a second rubric"),
    "rubric-parameters": ("```rubric", "```rubric weight=2", "```rubric", "a rubric block takes no parameters"),
    "rubric-toml": ('label = "latest moves"', 'label = "latest moves', 'label = "latest moves', "malformed rubric"),
    "rubric-deep": ("required = 1", f"required = 1\nx = {DEEP}", "x = [", "malformed rubric: arrays or tables"),
    "rubric-key": ("required = 1", "required = 1\npoints = 3", "```rubric", "unknown rubric key 'points'"),
    "rubric-required": ("required = 1", "required = 0", "```rubric", "'required' must be a whole number"),
    # A misconception written as a plain TOML value instead of a [[misconception]] table.
    "rubric-not-table": (RUBRIC, RUBRIC.replace(MISCONCEPTION, "").replace("required = 1", 'required = 1\nmisconception = "x"'),
                         "```rubric",
                         "write each rubric misconception as a [[misconception]] table"),
    "concept-key": ('id = "moves"', 'id = "moves"\nweight = 2', "[[concept]]", "unknown rubric concept key 'weight'"),
    "phrasings-type": ('phrasings = ["moves"]', 'phrasings = "moves"', "[[concept]]", "'phrasings' must be a list"),
    "partial-type": ('id = "moves"', 'id = "moves"\npartial = "yes"', "[[concept]]", "'partial' must be true or"),
    "concept-label": ('label = "latest moves"\n', "", "[[concept]]", "rubric concept needs a label"),
    "concept-phrasings": ('phrasings = ["moves"]\n', "", "[[concept]]", "rubric concept needs phrasings"),
    "misconception-correction": ('correction = "It does not."\n', "", "[[misconception]]",
                                 "rubric misconception needs a correction"),
    "required-too-many": ("required = 1", "required = 2", "```rubric", "rubric requires 2 concepts but lists 1"),
    # verify, checklist, variables, conditions
    "missing-probe": ("```verify probe=local-images", "```verify probe=local-imagez", "```verify",
                      "links to a missing probe 'local-imagez'"),
    "probe-parameter": ("probe=local-images repositories=app\n```", "probe=local-images repositories=app colour=red\n```",
                        "colour=red", "unknown parameter 'colour' for probe local-images"),
    "probe-repositories": ("{#exists probe=local-images repositories=app}", "{#exists probe=registry-images}",
                           "{#exists", "probe registry-images needs repository="),
    "checklist-heading": ("- [ ] I picked", "### An item\n\n- [ ] I picked", "### An item",
                          "checklist items are task-list entries"),
    "checklist-attributes": ("{#picked question=which-tag}", "{#picked question=which-tag =}", "{#picked",
                             "malformed attributes: write {#id probe=... question=...}"),
    "checklist-class": ("{#picked question=which-tag}", "{#picked .x question=which-tag}", "{#picked",
                        "unknown attribute '.x'"),
    "checklist-probe-parameters": ("{#exists probe=local-images repositories=app}", "{#exists repositories=app}",
                                   "{#exists", "probe parameters (repositories) without probe=KIND"),
    "checklist-nothing": ("{#picked question=which-tag}", "{#picked}", "{#picked", "has nothing to tick it"),
    "checklist-question": ("question=which-tag}", "question=nope}", "{#picked", "links to a missing question 'nope'"),
    "unknown-variable": ("Look at the output.", "Look at {outptu}.", "Look at {outptu}", "unknown variable '{outptu}'"),
    "unclosed-condition": ("Because.", "Because {if hub}.", "Because {if hub}", "{if hub} is not closed"),
}


def broken(name: str) -> str:
    old, new, _, _ = CASES[name]
    assert old in BASE, name
    return BASE.replace(old, new, 1)


def expected_line(name: str, text: str) -> int:
    needle = CASES[name][2]
    lines = text.split("\n")
    if needle is None:  # the second of two identical blocks: its fence line
        return [i for i, line in enumerate(lines, 1) if line == "```rubric"][1]
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_the_base_lesson_is_clean():
    assert lint_text(BASE) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_mistake_is_reported_on_its_line(name):
    text = broken(name)
    found = [(p.line, p.message) for p in lint_text(text, Path(f"{name}.md"))]
    line, message = expected_line(name, text), CASES[name][3]
    assert any(at == line and message in said for at, said in found), (line, message, found)


def _reporting_sites() -> set[tuple[str, int]]:
    """Every call in the parser and linter that reports a problem: self.add, self.problem, the
    front matter's problem() and every LessonError raised (file name, line)."""
    sites = set()
    for module in ("lint.py", "parser.py", "rubric_text.py", "frontmatter.py"):
        tree = ast.parse((LESSON / module).read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called_on_self = isinstance(func, ast.Attribute) and func.attr in ("add", "problem") and \
                isinstance(func.value, ast.Name) and func.value.id == "self"
            if called_on_self or isinstance(func, ast.Name) and func.id in ("LessonError", "problem"):
                sites.add((module, node.lineno))
    return sites


def test_every_check_the_linter_knows_has_a_broken_lesson_here(monkeypatch, tmp_path):
    """Records, for each Problem and LessonError made while the cases are linted, the line of the
    parser or linter that reported it (the real code runs unchanged), and compares with the source."""
    reached: set[tuple[str, int]] = set()
    funnels = {"add", "problem", "__init__", "as_problem", "__str__"}

    def record() -> None:
        frame = sys._getframe(2)
        while frame is not None:
            path = Path(frame.f_code.co_filename)
            if path.parent == LESSON and path.name in ("lint.py", "parser.py", "rubric_text.py", "frontmatter.py") and \
                    frame.f_code.co_name not in funnels:
                reached.add((path.name, frame.f_lineno))
                return
            frame = frame.f_back

    problem_init, error_init = errors.Problem.__init__, errors.LessonError.__init__

    def problem(self, *args, **kwargs):
        record()
        problem_init(self, *args, **kwargs)

    def lesson_error(self, *args, **kwargs):
        record()
        error_init(self, *args, **kwargs)

    monkeypatch.setattr(errors.Problem, "__init__", problem)
    monkeypatch.setattr(errors.LessonError, "__init__", lesson_error)
    for name in CASES:
        lint_text(broken(name), Path(f"{name}.md"))
    # The two ways a file cannot be read at all: missing, and not UTF-8.
    from tutor.lesson.parser import load_lesson

    (tmp_path / "latin1.md").write_bytes(BASE.replace("Intro.", "Intro \xe9.").encode("latin-1"))
    for path in (tmp_path / "missing.md", tmp_path / "latin1.md"):
        with pytest.raises(errors.LessonError):
            load_lesson(path)
    missing = _reporting_sites() - reached
    assert not missing, f"reporting sites no case reaches (add a broken lesson for each): {sorted(missing)}"


def test_lint_names_file_and_line_for_every_case_in_one_run(tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    for number, name in enumerate(sorted(CASES), 10):
        (folder / f"{number}-{name}.md").write_text(broken(name).replace('id = "sweep"', f'id = "s{number}"'))
    result = tutor(tmp_path, "lint", str(folder))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    for number, name in enumerate(sorted(CASES), 10):
        text = (folder / f"{number}-{name}.md").read_text()
        where = f"{number}-{name}.md:{expected_line(name, text)}: "
        assert any(where in line and CASES[name][3] in line for line in result.stdout.split("\n")), name
    assert "\x1b" not in result.stdout


def test_the_app_refuses_a_lesson_it_cannot_read_and_names_the_line(tmp_path):
    path = tmp_path / "lessons" / "20-broken.md"
    path.parent.mkdir()
    text = broken("front-matter-toml")
    path.write_text(text)
    result = tutor(tmp_path, "--lesson", str(path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{path}:{expected_line('front-matter-toml', text)}: malformed front matter" in result.stderr
    assert "docker-tutor lint" in result.stderr


async def test_the_app_opens_a_lesson_with_mistakes_and_says_where_they_are(tmp_path):
    from tutor.app import TutorApp
    from tutor.session import Session

    folder = tmp_path / "lessons"
    folder.mkdir()
    path = folder / "21-typo.md"
    text = broken("unknown-variable")
    path.write_text(text)
    session = Session.open("21-typo", write_settings(tmp_path, username="learner"), (str(folder),), state_dir=tmp_path / "state")
    app = TutorApp(session)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        said = " ".join(str(n.message) for n in app._notifications)
        assert f"21-typo.md:{expected_line('unknown-variable', text)}" in said
        assert "unknown variable" in said and "docker-tutor lint" in said
        assert app.screen.query_one("Outline") is not None  # the rest of the lesson is there


def big_lesson(steps: int, filler: int = 0) -> str:
    """A valid lesson of ``steps`` steps, each with an action, a hint and ``filler`` bytes of prose."""
    head, _, _ = BASE.partition("## Steps")
    _, _, tail = BASE.partition("## Quiz")
    prose = ("Layers already on the registry are not uploaded again. " * (filler // 56 + 1))[:filler]
    body = [head, "## Steps\n"]
    for number in range(1, steps + 1):
        body.append(f"### Step number {number} {{#s{number}}}\n\n{prose}\n\n"
                    f"```action kind=push repository=app{number}\n```\n\n"
                    f"#### Hint: Stuck on {number}? {{#h{number}}}\n\nRead the output of step {number}.\n")
    return "\n".join(body) + "\n## Quiz" + tail


@pytest.mark.parametrize("steps, filler", [(500, 0), (500, 10_100)], ids=["500-steps", "5-MB"])
async def test_a_huge_lesson_lints_opens_and_reaches_its_last_step(tmp_path, steps, filler):
    from tutor.app import TutorApp
    from tutor.session import Session

    folder = tmp_path / "lessons"
    folder.mkdir()
    text = big_lesson(steps, filler)
    if filler:
        assert len(text.encode()) >= 5_000_000
    path = folder / "30-huge.md"
    path.write_text(text)
    assert lint_file(path) == []
    # A mistake near the end is found on its own line among thousands.
    wrong = text.replace("repository=app437\n", "repository=App437\n")
    (folder / "31-huge-broken.md").write_text(wrong.replace('id = "sweep"', 'id = "huge-broken"'))
    problems = lint_file(folder / "31-huge-broken.md")
    line = wrong.split("\n").index("```action kind=push repository=App437") + 1
    assert [(p.line, "invalid image" in p.message) for p in problems] == [(line, True)]

    session = Session.open("30-huge", write_settings(tmp_path, username="learner"), (str(folder),), state_dir=tmp_path / "state")
    assert len(session.lesson.steps) == steps
    app = TutorApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.goto("step", f"s{steps}")
        await pilot.pause()
        await pilot.pause()
        shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert f"Step number {steps}" in shown
        assert f"app{steps}" in shown  # its command, for the learner's names
