"""The lesson's words follow the chosen registry: derived variables, {if ...} text, and the whole
milestone rendered for Docker Hub and for a plain registry on loopback."""

from __future__ import annotations

import re

import pytest

from tutor.lesson import load_lesson, render
from tutor.lesson.export import outline
from tutor.lesson.registries import describe
from tutor.lesson.variables import names_in
from tutor.paths import lessons_dir

HUB = {"username": "alice", "registry": "docker.io", "tag": "v1", "project_dir": "/src/poll"}
LOCAL = {**HUB, "registry": "127.0.0.1:5000"}
HUB_WORDS = re.compile(r"docker hub|hub\.docker\.com", re.IGNORECASE)
# Concepts that compare registries or explain docker.io as the default: Docker Hub is their subject.
COMPARISONS = ("why-registry", "image-reference")


@pytest.fixture(scope="module")
def lesson():
    return load_lesson(lessons_dir() / "04-push-to-registry.md")


# -- derived variables -------------------------------------------------------------------------

@pytest.mark.parametrize("registry, name, web, prefix", [
    ("docker.io", "Docker Hub", "hub.docker.com", "alice"),
    ("index.docker.io", "Docker Hub", "hub.docker.com", "alice"),
    ("", "Docker Hub", "hub.docker.com", "alice"),
    ("ghcr.io", "GitHub Container Registry", "github.com", "ghcr.io/alice"),
    ("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "Amazon ECR", "console.aws.amazon.com",
     "123456789012.dkr.ecr.eu-west-1.amazonaws.com/alice"),
    ("127.0.0.1:5000", "the registry at 127.0.0.1:5000", "", "127.0.0.1:5000/alice"),
])
def test_derived_variables_follow_the_registry(lesson, registry, name, web, prefix):
    values = lesson.values({"username": "alice", "registry": registry})
    assert (values["registry_name"], values["registry_web"], values["image_prefix"]) == (name, web, prefix)
    # The prefix names exactly what the push command is given.
    push = next(a for a in lesson.actions() if a.id == "push-backend")
    assert push.image(values) == f"{prefix}/poll-backend:v1"
    assert values["registry_prefix"] + "alice" == prefix


def test_repositories_page_exists_only_where_the_registry_has_a_site(lesson):
    assert lesson.values(HUB)["repositories_url"] == "https://hub.docker.com/repositories/alice"
    assert lesson.values({**HUB, "registry": "ghcr.io"})["repositories_url"].startswith("https://github.com/alice")
    assert lesson.values(LOCAL)["repositories_url"] == ""


def test_derived_values_cannot_be_set_and_follow_a_changed_username(lesson):
    values = lesson.values({**LOCAL, "registry_name": "Acme registry", "image_prefix": "x"})
    assert values["registry_name"] == "the registry at 127.0.0.1:5000" and values["image_prefix"] == "127.0.0.1:5000/alice"
    # A roster check reuses one learner's values for another: nothing of the first may stay behind.
    other = lesson.values({**values, "username": "bob"})
    assert other["image_prefix"] == "127.0.0.1:5000/bob"
    assert other["repositories_url"] == ""


def test_an_unset_username_stays_visible_in_derived_names(lesson):
    values = lesson.values({"registry": "127.0.0.1:5000"})
    assert values["image_prefix"] == "127.0.0.1:5000/{username}"
    assert lesson.missing(values) == ["username"]
    assert render("`{image_prefix}/app`", values) == "`127.0.0.1:5000/{username}/app`"


def test_render_fills_derived_variables_even_from_bare_values():
    # Callers pass settings straight through; the derived names must not need Lesson.values first.
    assert render("{registry_name}: {image_prefix}/app", LOCAL) == "the registry at 127.0.0.1:5000: 127.0.0.1:5000/alice/app"
    assert render("[{registry_prefix}]", HUB) == "[]"  # empty on Docker Hub, and that is not a gap


# -- conditional text --------------------------------------------------------------------------

@pytest.mark.parametrize("values, expected", [
    (HUB, "Log in to Docker Hub with a token from hub.docker.com."),
    ({**HUB, "registry": "ghcr.io"}, "Log in to GitHub Container Registry with a token from github.com."),
    (LOCAL, "Log in to the registry at 127.0.0.1:5000 with the password you were given."),
])
def test_conditions_pick_the_branch_for_the_registry(values, expected):
    text = "Log in to {registry_name} with {if web}a token from {registry_web}{else}the password you were given{end}."
    assert render(text, values) == expected


def test_conditions_nest_and_negate():
    text = "{if not hub}{registry}: {if web}site{else}no site{end}{else}hub{end}"
    assert [render(text, v) for v in (HUB, {**HUB, "registry": "ghcr.io"}, LOCAL)] == [
        "hub", "ghcr.io: site", "127.0.0.1:5000: no site"]


def test_a_line_holding_only_tags_leaves_no_blank_line():
    text = ("before\n{if hub}\n  image: {image_prefix}/app\n{else}{if web}\n  web\n{end}\n"
            "  image: {image_prefix}/app\n{end}\nafter")
    assert render(text, HUB) == "before\n  image: alice/app\nafter"
    assert render(text, LOCAL) == "before\n  image: 127.0.0.1:5000/alice/app\nafter"


def test_doubled_braces_and_templates_are_left_alone():
    text = "{{if hub}} {{else}} {{end}} {{.Repository}} {a: 1} {if nope}x{end}y"
    # Doubled braces: {{else}} is the escape for a literal {else}; an unknown condition is false (lint says so).
    assert render(text, HUB) == "{{if hub}} {else} {end} {{.Repository}} {a: 1} y"
    assert [name for _, name in names_in("{if hub}{username}{else}{end}")] == ["username"]


# -- the milestone, rendered for each registry --------------------------------------------------

def rendered_pieces(lesson, values) -> list[tuple[str, str]]:
    """(where, text) for every piece the tutor shows, commands, pages and images included."""
    starts = sorted((item.line, item.id) for item in (*lesson.concepts, *lesson.steps, *lesson.quiz, *lesson.verify))

    def owner(line: int) -> str:  # the concept, step, question or verify item a line belongs to
        return max(((start, ident) for start, ident in starts if start <= line), default=(0, "intro"))[1]

    phrasings = {p for q in lesson.quiz if q.rubric for e in (*q.rubric.concepts, *q.rubric.misconceptions)
                 for p in e.phrasings}
    pieces = [(owner(line), lesson.render(text, values)) for text, line in lesson.texts()]
    for action in lesson.actions():
        pieces += [(action.id, action.command(values) or ""), (action.id, action.url(values) or ""),
                   (action.id, action.image(values) or "")]
    probes = [c.probe for v in lesson.verify for c in v.checks] + [c.probe for c in lesson.checklist if c.probe]
    for probe in probes:
        pieces += [(f"probe {probe.kind}", text) for text in probe.commands(values) + probe.urls(values) + probe.images(values)]
    pieces.append(("lesson show", outline(lesson, values)))
    return [(where, text) for where, text in pieces if text.strip() and text not in phrasings]


@pytest.mark.parametrize("values", [HUB, LOCAL], ids=["docker.io", "127.0.0.1:5000"])
def test_nothing_is_left_unfilled(lesson, values):
    for where, text in rendered_pieces(lesson, values):
        assert not list(names_in(text)), (where, text)
        assert not re.search(r"\{if |\{else\}|\{end\}", text), (where, text)


def test_a_plain_registry_hears_nothing_of_docker_hub_outside_the_comparisons(lesson):
    for where, text in rendered_pieces(lesson, LOCAL):
        if where in COMPARISONS or where == "lesson show":
            continue
        assert not HUB_WORDS.search(text), (where, text)
    shown = outline(lesson, LOCAL)
    assert not HUB_WORDS.search(shown.split("\nSteps\n", 1)[1]), "steps, quiz, verify and checklist as listed"


def test_every_image_of_a_plain_registry_is_fully_qualified(lesson):
    # The comparison table and the ghcr.io question name other registries on purpose.
    skip = {"image-reference", "explain-naming", "lesson show"}  # the outline repeats pieces checked here
    names = re.compile(r"(\S*?)\b(?:alice|myapp)/poll-(?:backend|frontend)")
    seen = 0
    for where, text in rendered_pieces(lesson, LOCAL):
        if where in skip:
            continue
        for found in names.finditer(text):
            seen += 1
            assert found.group(1).lstrip("`'\"(").endswith("127.0.0.1:5000/"), (where, text)
    assert seen >= 20  # commands, pod spec, expected output, the hint's wrong push ...
    concepts = {c.id: lesson.render(c.body, LOCAL) for c in lesson.concepts}
    assert "image: 127.0.0.1:5000/alice/poll-backend:v1" in concepts["pull-policies"]
    expected = lesson.render(lesson.verify_item("local").checks[0].expected, LOCAL)
    assert [line.split()[0] for line in expected.splitlines()] == [
        "127.0.0.1:5000/alice/poll-backend", "127.0.0.1:5000/alice/poll-frontend"]


def test_a_plain_registry_is_checked_through_its_api_not_a_web_page(lesson):
    step = lesson.step("verify-hub")
    action = step.actions[0]
    assert action.url(lesson.values(LOCAL)) is None and step.verify == "hub"
    text = lesson.render(action.text, LOCAL)
    text = " ".join(text.split())
    assert "no web page for the registry at 127.0.0.1:5000" in text and "press **v**" in text and "API" in text
    account = lesson.step("account")
    assert account.actions[0].url(lesson.values(LOCAL)) is None
    assert "no sign-up page" in lesson.render(account.actions[0].text, LOCAL)
    assert lesson.render(lesson.verify_item("hub").title, LOCAL) == "Both repositories are on the registry at 127.0.0.1:5000"


def test_docker_hub_keeps_every_fact_of_the_milestone(lesson):
    values = lesson.values(HUB)
    titles = [lesson.render(s.title, values) for s in lesson.steps]
    assert titles[1] == "Log in to Docker Hub" and titles[4] == "Check your repositories on Docker Hub"
    assert "Docker Hub" in titles[0]
    sign_up = lesson.step("account").actions[0]
    assert sign_up.url(values) == "https://hub.docker.com/signup"
    assert "sign up; the free plan" in lesson.render(sign_up.text, values)
    assert lesson.step("verify-hub").actions[0].url(values) == "https://hub.docker.com/repositories/alice"
    assert "Sign in at hub.docker.com" in lesson.render(lesson.step("verify-hub").actions[0].text, values)
    login = lesson.render(lesson.step("login").hints[0].body, values)
    for fact in ("shown on hub.docker.com", "Account Settings → Security", "two-factor authentication"):
        assert fact in login
    concepts = {c.id: " ".join(lesson.render(c.body, values).split()) for c in lesson.concepts}
    assert "For this project we use **Docker Hub**" in concepts["why-registry"]
    assert "Docker Hub only lets you push into your own namespace" in concepts["image-reference"]
    assert "image: alice/poll-backend:v1" in concepts["pull-policies"]
    denied = lesson.render(lesson.step("push").hints[0].body, values)
    assert "your own Docker Hub username" in denied and "docker push myapp/poll-backend:v1" in denied
    checklist = {c.id: lesson.render(c.text, values) for c in lesson.checklist}
    assert checklist["images-on-hub"] == "Both images are visible on Docker Hub."
    assert "on Docker Hub were private" in checklist["private-repo"]
    assert lesson.render(lesson.question("private-repo").prompt, values).endswith("on Docker Hub were private?")


def test_lesson_show_json_carries_the_derived_values(capsys):
    import json

    from tutor.cli import main

    assert main(["lesson", "show", "--json", "--var", "username=alice", "--var", "registry=127.0.0.1:5000"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["derived_variables"]["image_prefix"] == "127.0.0.1:5000/alice"
    checklist = {c["id"]: c["text"] for c in data["checklist"]}
    assert checklist["images-on-hub"] == "Both images are visible on the registry at 127.0.0.1:5000."
    assert not HUB_WORDS.search(json.dumps([s for s in data["steps"]]))
    # Derived names are not settable by hand.
    assert main(["lesson", "show", "--var", "registry_name=Acme"]) == 2
    assert "has no variable registry_name" in capsys.readouterr().err


def test_registry_facts_have_token_advice_for_each_kind():
    for registry in ("docker.io", "ghcr.io", "123456789012.dkr.ecr.eu-west-1.amazonaws.com", "127.0.0.1:5000"):
        facts = describe(registry)
        assert facts.token_help and facts.name
        assert ("hub.docker.com" in facts.token_help) == facts.hub
    assert "--region eu-west-1" in describe("123456789012.dkr.ecr.eu-west-1.amazonaws.com").token_help
    # What the login field asks for: tokens only where the registry issues them.
    assert describe("docker.io").secret == describe("ghcr.io").secret == "password or access token"
    assert describe("127.0.0.1:5000").secret == "password"


def test_a_registry_with_only_passwords_is_never_told_to_use_a_token(lesson):
    """An htpasswd registry has no tokens: its steps and hints ask for the password."""
    for where, text in rendered_pieces(lesson, LOCAL):
        if where in COMPARISONS or where == "lesson show":
            continue
        assert not re.search(r"\btoken\b", text, re.IGNORECASE), (where, text)
    login = lesson.render(lesson.step("login").actions[0].text, LOCAL)
    assert login == "Enter your password for the registry at 127.0.0.1:5000 when asked."
    assert "access token" in lesson.render(lesson.step("login").actions[0].text, HUB)
    assert "access token" in lesson.render(lesson.step("login").actions[0].text, {**HUB, "registry": "ghcr.io"})


@pytest.mark.parametrize("values, own", [
    (HUB, "your own backend, `alice/poll-backend:v1`, has no host in front, so Docker sends it to `docker.io`"),
    (LOCAL, "your own backend, `127.0.0.1:5000/alice/poll-backend:v1`, has the same four parts, with "
            "`127.0.0.1:5000` as its host"),
    ({**HUB, "registry": "ghcr.io", "tag": "v2"}, "your own backend, `ghcr.io/alice/poll-backend:v2`, has the same"),
])
def test_the_naming_questions_example_is_tied_to_the_learners_own_name(lesson, values, own):
    """Question 7 reads a ghcr.io name (its rubric's follow-ups name ghcr.io); its explanation says so and
    shows the learner's own image on the registry they chose."""
    question = lesson.question("explain-naming")
    explanation = " ".join(lesson.render(question.explanation, values).split())
    assert "The example is on GitHub's registry; " + own in explanation
