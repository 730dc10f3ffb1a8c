"""The real lesson's text questions, each with labelled answers the grader must get right.

Every text question has at least four correct answers in different wordings and four
incorrect ones, among them a negated correct answer and a stated misconception.
"""

from __future__ import annotations

import re

import pytest

from tutor.lesson import get_lesson
from tutor.quiz.grader import grade

LESSON = get_lesson("04")

# question id -> (answer, expected verdict, misconception id expected or None)
LABELLED: dict[str, list[tuple[str, str, str | None]]] = {
    "latest-in-k8s": [
        ("Because latest is ambiguous: you can't tell which version is actually running.", "correct", None),
        ("latest moves every time someone pushes, so two nodes can end up running different code.", "correct", None),
        ("The LATEST tag gets overwritten on each push, which makes rollbacks impossible.", "correct", None),
        ("With latest there's no fixed version, so you cannot reproduce a deployment or roll back to it.", "correct", None),
        ("Its a mutabel tag: it points to diferent images over time.", "correct", None),
        ("You never know which build is running, and rolling back is impossible.", "correct", None),
        # The right words in a wrong claim.
        ("With latest you can roll back easily and always reproduce the same build.", "incorrect", None),
        ("Kubernetes doesn't support the latest tag.", "incorrect", "k8s-rejects-latest"),
        ("Latest is always the newest version, so you always get the newest release.", "incorrect", "latest-is-newest"),
        ("It is not ambiguous and it doesn't change over time, latest is perfectly clear.", "incorrect", None),
        ("latest", "incorrect", None),
        ("", "incorrect", None),
    ],
    "push-twice": [
        # The tag's move alone is one of the two ideas (the choice form has two right options).
        ("The second push overwrites v1: the tag now points to the new image.", "partly", None),
        ("v1 gets reassigned to the new build, so anyone pulling v1 from now on gets the new code.", "partly", None),
        ("v1 gets reassigned to the new build; a node that already pulled v1 keeps running the old code.",
         "correct", None),
        ("The old image is replaced under the same tag, and nodes that already have v1 keep the old one.",
         "correct", None),
        ("the tag moves to the newer image", "partly", None),
        ("It is overwritten, v1 now means the second build; my k3s node with IfNotPresent still runs the old one.",
         "correct", None),
        ("- registry: v1 = new image\n- nodes that cached v1: old code until they pull again", "correct", None),
        ("The second push fails because v1 already exists.", "incorrect", "second-push-fails"),
        ("The registry keeps both and pulling v1 gives you both images.", "incorrect", "keeps-both"),
        ("Nothing is overwritten; the old v1 stays.", "incorrect", None),
        ("It doesn't replace anything.", "incorrect", None),
    ],
    "layer-upload": [
        ("No, only the changed layers are uploaded; the rest already exists on the registry.", "correct", None),
        ("No. Docker skips the layers the registry already has, so only the new layers go up.", "correct", None),
        ("Not every time: it never re-uploads shared base layers, only the layers that changed.", "correct", None),
        ("No, layers that already exist are skipped (Layer already exists), so only a few MB travel.", "correct", None),
        ("Yes, the whole 500 MB goes up every time.", "incorrect", "whole-every-time"),
        ("No, only a line-by-line diff of the changed files is sent.", "incorrect", "diff-of-source"),
        ("It does not skip any layer, everything is sent again.", "incorrect", None),
        ("layers", "incorrect", None),
    ],
    "build-vs-push": [
        ("docker build creates the image locally from the Dockerfile, and docker push uploads it to the registry.",
         "correct", None),
        ("Build makes an image on your machine; push sends the image to Docker Hub so others can pull it.",
         "correct", None),
        ("docker build packages the code into an image. docker push copies the image to the registry.", "correct", None),
        ("Building produces an image from the Dockerfile on my laptop, pushing publishes it to a registry like "
         "Docker Hub.", "correct", None),
        ("docker build uploads the image to docker hub and docker push runs it.", "incorrect", "build-uploads"),
        ("docker push builds the image on the server and docker build publishes it.", "incorrect", None),
        ("build doesn't create an image locally and push does not upload anything", "incorrect", None),
        ("They are the same command.", "incorrect", None),
    ],
    "always-with-latest": [
        ("Without Always the node keeps its cached copy of latest; with Always it pulls every time the pod starts.",
         "correct", None),
        ("Otherwise the node already has the image and won't pull the new one; Always checks the registry at each "
         "start.", "correct", None),
        ("With IfNotPresent the node would keep running a stale latest; Always makes it fetch a fresh copy every "
         "time it starts.", "correct", None),
        ("So the pod gets the most recent image instead of an old version sitting in the local cache.", "correct", None),
        ("Because Always makes latest safe to use in production.", "incorrect", "always-makes-latest-safe"),
        ("Always is faster, it saves bandwidth.", "incorrect", "always-is-faster"),
        ("The node never caches images and never keeps an old copy, so it makes no difference.", "incorrect", None),
        ("It doesn't pull every time, and the node does not keep a cached copy.", "incorrect", None),
        ("speed", "incorrect", None),
    ],
    "pull-failure": [
        ("The pod never starts: it shows ErrImagePull and then ImagePullBackOff.", "correct", None),
        ("The container can't start, and Kubernetes keeps retrying with longer delays.", "correct", None),
        ("It gets stuck in ImagePullBackOff while the kubelet tries again and again.", "correct", None),
        ("The pod stays pending and kubectl get pods shows image pull back-off.", "correct", None),
        ("Kubernetes just uses my local image instead.", "incorrect", "falls-back-to-laptop"),
        ("The whole cluster crashes.", "incorrect", "cluster-crashes"),
        ("The pod starts anyway; nothing is stuck and it does not retry.", "incorrect", None),
        ("error", "incorrect", None),
    ],
    "explain-naming": [
        ("ghcr.io is the registry, then comes the username (the namespace), then the repository poll-backend, "
         "and v1 after the colon is the tag.", "correct", None),
        ("Registry host / account / image name : version", "correct", None),
        ("First the server where it is stored, then the owner, then the repo, and the tag picks the version.",
         "correct", None),
        ("It's registry/namespace/repository:tag, with docker.io as the default registry and latest as the "
         "default tag.", "correct", None),
        ("The registry, the user, the repository and the tag, where the tag is a unique id that never changes.",
         "incorrect", "tag-is-fingerprint"),
        ("ghcr.io is the registry, the first part can be anything you like, poll-backend is the repository and "
         "v1 is the tag.", "incorrect", "namespace-is-free"),
        ("There is no registry, no namespace and no tag in it; it's just one name.", "incorrect", None),
        ("It's just a name.", "incorrect", None),
    ],
    "private-repo": [
        ("The node could no longer pull the image: the pull fails with access denied unless the node has "
         "credentials.", "correct", None),
        ("Pulls without logging in are refused, so k3s needs credentials in registries.yaml or the pod needs "
         "an imagePullSecret.", "correct", None),
        ("The node gets unauthorized and the pod ends in ImagePullBackOff until I give k3s a token.", "correct", None),
        ("Anonymous pulls are denied; I'd have to set up an image pull secret so Kubernetes can authenticate.",
         "correct", None),
        ("Nothing would happen, private only hides it from search.", "incorrect", "private-only-hides"),
        ("I couldn't push to it any more.", "incorrect", "owner-cannot-push"),
        ("The pull doesn't fail and no credentials are needed.", "incorrect", None),
        ("You need credentials but the node can still pull it.", "incorrect", "private-only-hides"),
    ],
}

CASES = [(qid, answer, expected, wrong) for qid, rows in LABELLED.items() for answer, expected, wrong in rows]


def test_every_text_question_has_enough_labelled_answers():
    text_questions = {q.id for q in LESSON.quiz if q.kind == "text"}
    assert text_questions == set(LABELLED)
    for qid, rows in LABELLED.items():
        verdicts = [expected for _, expected, _ in rows]
        assert verdicts.count("correct") >= 4, qid
        assert verdicts.count("incorrect") >= 4, qid
        assert any(wrong for _, _, wrong in rows), f"{qid}: no stated misconception"
        assert any(re.search(r"\b(not|no|never)\b|n't", a.lower()) for a, e, _ in rows if e == "incorrect"), \
            f"{qid}: no negated answer"


@pytest.mark.parametrize("qid,answer,expected,wrong", CASES, ids=[f"{c[0]}:{c[1][:40]}" for c in CASES])
def test_labelled_answer(qid, answer, expected, wrong):
    verdict = grade(LESSON.question(qid), answer)
    explain = f"found={[i.id for i in verdict.found]} wrong={[m.id for m in verdict.misconceptions]}"
    assert verdict.verdict == expected, explain
    if wrong:
        assert wrong in [m.id for m in verdict.misconceptions]
        assert all(m.correction for m in verdict.misconceptions)
    if expected == "correct":
        assert verdict.score == 1.0 and verdict.found and not verdict.misconceptions
    else:
        assert verdict.score < 1.0


def test_found_ideas_carry_the_answers_own_words():
    answer = "With latest there's no fixed version, so you cannot reproduce a deployment or roll back to it."
    verdict = grade(LESSON.question("latest-in-k8s"), answer)
    for idea in verdict.found:
        assert idea.evidence and idea.evidence.lower() in answer.lower()
        assert idea.label


def test_partly_names_the_missed_ideas():
    verdict = grade(LESSON.question("build-vs-push"), "docker push uploads the image to Docker Hub.")
    assert verdict.verdict == "partly"
    assert 0 < verdict.score < 1
    assert [i.id for i in verdict.found] == ["push-uploads"]
    assert [i.id for i in verdict.missed] == ["build-makes-image"]
    assert "Missing" in verdict.summary()
