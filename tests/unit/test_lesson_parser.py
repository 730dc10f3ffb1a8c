"""The Markdown lesson format: sections, items, blocks in order, quiz parts, variables."""

from __future__ import annotations

import textwrap

import pytest

from tutor.lesson import LessonError, parse_lesson, render
from tutor.lesson.parser import split_attrs

HEAD = '+++\nid = "t"\ntitle = "T"\norder = 1\n[variables]\nusername = ""\ntag = "v1"\n+++\n'


def parse(body: str):
    return parse_lesson(HEAD + textwrap.dedent(body))


def source_line(body: str, number: int) -> str:
    """Line ``number`` (1-based) of the lesson ``parse(body)`` reads."""
    return (HEAD + textwrap.dedent(body)).split("\n")[number - 1]


STEP = """
        ## Steps

        ### Build {#build}

        First the backend.

        ```action kind=build id=b1 repository=poll-backend context=backend
        The backend.
        ```

        Then the frontend.

        ```action kind=build repository=poll-frontend context=frontend
        ```

        #### Hint: It fails? {#fails}

        Look at the log.

        ```action kind=images filter=poll
        ```

        #### Hint: Still? {#still}

        Ask.

        #### Afterwards

        Back in the step.
        """


def test_step_keeps_prose_actions_and_hints_in_order():
    lesson = parse(STEP)
    step = lesson.steps[0]
    kinds = [b if isinstance(b, str) else b.id for b in step.blocks]
    assert kinds == ["First the backend.", "b1", "Then the frontend.", "build-2", "#### Afterwards\n\nBack in the step."]
    assert step.actions[0].text == "The backend."
    assert [(h.id, h.title) for h in step.hints] == [("fails", "It fails?"), ("still", "Still?")]
    assert step.hints[0].body == "Look at the log." and step.hints[0].actions[0].id == "fails-1"
    assert step.hints[1].body == "Ask."
    assert source_line(STEP, step.line) == "### Build {#build}"
    assert source_line(STEP, step.actions[0].line).startswith("```action kind=build id=b1")
    assert source_line(STEP, step.hints[1].line) == "#### Hint: Still? {#still}"


QUESTION = """
        ## Quiz

        ### Why tags? {#why}

        Think about nodes.

        ```rubric
        required = 1

        [[concept]]
        id = "fixed"
        label = "fixed build"
        phrasings = ["same build", "fixed"]

        [[misconception]]
        id = "needed"
        label = "docker needs one"
        phrasings = ["needs a tag"]
        correction = "It uses latest."
        ```

        Or pick:

        - [x] One build.
        - [ ] Docker needs it.
          Why: it uses
          `latest`.
        - [x] Rollbacks.

        #### Explanation

        Because **tags** name builds.
        """


def test_quiz_question_parts():
    q = parse(QUESTION).quiz[0]
    assert (q.id, q.prompt, q.kind, q.kinds, q.body) == ("why", "Why tags?", "text", ["text", "choice"],
                                                         "Think about nodes.")
    assert q.rubric.required == 1 and q.rubric.needed == 1
    assert [(c.id, c.phrasings) for c in q.rubric.concepts] == [("fixed", ["same build", "fixed"])]
    assert source_line(QUESTION, q.rubric.concepts[0].line) == "[[concept]]"
    assert q.rubric.misconceptions[0].correction == "It uses latest."
    assert source_line(QUESTION, q.rubric.misconceptions[0].line) == "[[misconception]]"
    assert source_line(QUESTION, q.choice.options[1].line) == "- [ ] Docker needs it."
    assert q.choice.prompt == "Or pick:"
    assert [(o.key, o.text, o.correct, o.why) for o in q.choice.options] == [
        ("a", "One build.", True, ""), ("b", "Docker needs it.", False, "it uses `latest`."), ("c", "Rollbacks.", True, "")]
    assert q.choice.correct == ["a", "c"] and q.choice.multiple
    assert q.explanation == "Because **tags** name builds."


def test_choice_question_without_rubric_and_rubric_defaults_to_all_concepts():
    lesson = parse("""
        ## Quiz

        ### Pick {#pick}

        - [ ] no
          Why: wrong
        - [x] yes

        ### Explain {#explain}

        ```rubric
        [[concept]]
        id = "a"
        label = "A"
        phrasings = ["a"]

        [[concept]]
        id = "b"
        label = "B"
        phrasings = ["b"]
        ```
        """)
    pick, explain = lesson.quiz
    assert (pick.kind, pick.kinds, pick.rubric) == ("choice", ["choice"], None)
    assert (explain.kind, explain.kinds, explain.choice) == ("text", ["text"], None)
    assert explain.rubric.needed == 2


SECTIONS = """
        # Title

        Welcome.

        ## Concepts

        ### Tags {#tags}

        | a | b |
        |---|---|
        | 1 | 2 |

        #### A sub-heading stays in the body

        ## Verify

        Check these.

        ### Local {#local}

        ```verify probe=local-images filter=poll
        {username}/poll-backend   {tag}
        ```

        ## Checklist

        - [ ] Explained. {#explained question=q}
        - [ ] Online. {#online probe=node-pull repositories=a,b}
        """


def test_concepts_verify_checklist_and_intros():
    lesson = parse(SECTIONS)
    assert lesson.intro == "Welcome."
    assert lesson.section_intros == {"verify": "Check these."}
    assert "| 1 | 2 |" in lesson.concepts[0].body and "#### A sub-heading" in lesson.concepts[0].body
    check = lesson.verify[0].checks[0]
    assert (check.id, check.probe.kind, check.probe.params) == ("local-1", "local-images", {"filter": "poll"})
    assert check.expected == "{username}/poll-backend   {tag}"
    explained, online = lesson.checklist
    assert (explained.text, explained.question, explained.probe) == ("Explained.", "q", None)
    assert (online.probe.kind, online.probe.params) == ("node-pull", {"repositories": "a,b"})
    assert source_line(SECTIONS, online.line).startswith("- [ ] Online.")


def test_heading_attributes():
    assert split_attrs("Build {#build}") == ("Build", {"id": "build", "classes": [], "params": {}})
    assert split_attrs("Try {#try .optional kind=text}") == (
        "Try", {"id": "try", "classes": ["optional"], "params": {"kind": "text"}})
    # A trailing variable is text, not attributes.
    assert split_attrs("Hello {username}") == ("Hello {username}", {"id": "", "classes": [], "params": {}})
    assert split_attrs('Bad {#x "unclosed}')[1] is None


def test_render_fills_known_values_and_leaves_the_rest():
    values = {"username": "alice", "tag": ""}
    assert render("{username}/app:{tag}", values) == "alice/app:{tag}"
    assert render("{{username}} {{.Repository}} {a: 1} {nope}", values) == "{username} {{.Repository}} {a: 1} {nope}"


def test_lesson_values_layer_overrides_over_defaults():
    lesson = parse("Intro.\n")
    values = lesson.values({"username": "bob", "tag": ""})
    assert {name: values[name] for name in lesson.variables} == {"username": "bob", "tag": "v1"}
    # The derived variables come with them, computed from the registry (Docker Hub when undeclared).
    assert (values["registry_name"], values["image_prefix"]) == ("Docker Hub", "bob")
    assert lesson.render("{username}:{tag}", {"username": "bob"}) == "bob:v1"
    assert lesson.missing(lesson.values()) == ["username"]


@pytest.mark.parametrize("text, line, fragment", [
    ("# no front matter\n", 1, "starts with a '+++' line"),
    ('+++\nid = "x"\n', 1, "no closing '+++'"),
    ('+++\nid = "x"\ntitle = = "y"\n+++\n', 3, "malformed front matter"),
])
def test_unreadable_front_matter_raises_with_its_line(text, line, fragment):
    with pytest.raises(LessonError) as caught:
        parse_lesson(text)
    assert caught.value.line == line and fragment in caught.value.message


def test_load_lesson_reports_a_missing_file(tmp_path):
    from tutor.lesson import load_lesson

    with pytest.raises(LessonError, match="no such lesson file"):
        load_lesson(tmp_path / "nope.md")
