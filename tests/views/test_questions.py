"""The pages of the nota van inlichtingen (issue 20): a provider asks, staff answer, merge and
correct, and the public page shows the answers without the asker's name or organisation."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import DasState, Question, QuestionState, QuestionSubject, Role
from portal.services import questions
from tests import factories
from tests.support.app import login

TEXT = "Mag een onderaannemer de kwaliteitseisen voor ons aantonen?"


@pytest.fixture()
def world(app: Flask):
    das = factories.DasFactory()
    asker = factories.ProviderUserFactory()
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    db.session.commit()
    return das, asker, reviewer


def _client(app: Flask, user) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_a_provider_asks_and_sees_the_question_on_its_page(app: Flask, world) -> None:
    das, asker, _reviewer = world
    client = _client(app, asker)
    page = client.get(f"/aanbieder/das/{das.slug}/vragen")
    assert page.status_code == 200
    assert "Procedure en planning" in _text(page)
    response = client.post(
        f"/aanbieder/das/{das.slug}/vragen", data={"subject": "suitability", "text": TEXT}
    )
    assert response.status_code == 302
    shown = _text(client.get(response.location))
    assert "vraag 1" in shown and TEXT in shown and "Nog niet beantwoord" in shown
    assert db.session.scalar(db.select(Question.state)) is QuestionState.OPEN


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"subject": "suitability", "text": "Te kort"}, "Uw vraag is te kort"),
        ({"subject": "suitability", "text": "x" * 4001}, "Uw vraag is te lang"),
        ({"subject": "suitability", "text": "Een vraag met \x01 erin"}, "stuurtekens"),
        ({"text": TEXT}, "Kies waar uw vraag over gaat."),
        ({"subject": "nonsense", "text": TEXT}, "Kies waar uw vraag over gaat."),
    ],
)
def test_a_refused_question_keeps_what_was_typed(app: Flask, world, data, message) -> None:
    das, asker, _reviewer = world
    response = _client(app, asker).post(f"/aanbieder/das/{das.slug}/vragen", data=data)
    assert response.status_code == 200
    page = _text(response)
    assert message in page or message.replace("'", "&#39;") in page
    assert 'class="error-summary"' in page
    assert data["text"][:12] in page  # what was typed is in the form again
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 0


def test_a_provider_sees_only_its_own_organisations_questions(app: Flask, world) -> None:
    das, asker, _reviewer = world
    questions.ask(
        das,
        factories.ProviderUserFactory(),
        QuestionSubject.OTHER,
        "Een vraag van een andere aanbieder, geheim?",
        factories.at(date(2026, 11, 20)),
    )
    page = _text(_client(app, asker).get(f"/aanbieder/das/{das.slug}/vragen"))
    assert "geheim" not in page
    assert "nog geen vragen" in page


def test_no_question_page_for_a_das_in_preparation(app: Flask) -> None:
    das = factories.DasFactory(state=DasState.DRAFT)
    client = _client(app, factories.ProviderUserFactory())
    assert client.get(f"/aanbieder/das/{das.slug}/vragen").status_code == 404
    assert client.get(f"/das/{das.slug}/vragen-en-antwoorden").status_code == 404


def _asked(das, asker, text: str = TEXT) -> Question:
    return questions.ask(
        das, asker, QuestionSubject.SUITABILITY, text, factories.at(date(2026, 11, 20))
    )


def test_staff_answer_as_draft_then_publish(app: Flask, world, mailbox) -> None:
    das, asker, reviewer = world
    question = _asked(das, asker)
    client = _client(app, reviewer)
    listing = _text(client.get(f"/beoordeling/das/{das.slug}/vragen"))
    # Staff see who asked.
    assert asker.organisation.legal_name in listing and "Vraag 1" in listing
    url = f"/beoordeling/das/{das.slug}/vragen/{question.id}"
    assert client.get(url).status_code == 200
    response = client.post(
        url, data={"subject": "procedure", "answer": "Ja, dat mag.", "save_draft": "1"}
    )
    assert response.status_code == 302
    db.session.refresh(question)
    assert question.state is QuestionState.OPEN and question.draft_answer == "Ja, dat mag."
    assert "Ja, dat mag." in _text(client.get(url))  # the draft, in the form
    assert "Ja, dat mag." not in _text(
        app.test_client().get(f"/das/{das.slug}/vragen-en-antwoorden")
    )
    response = client.post(
        url, data={"subject": "procedure", "answer": "Ja, dat mag.", "publish": "1"}
    )
    assert response.status_code == 302
    db.session.refresh(question)
    assert question.state is QuestionState.ANSWERED
    assert question.subject is QuestionSubject.PROCEDURE
    assert "Ja, dat mag." in mailbox.last_to(asker.email).get_content()


def test_an_empty_answer_is_shown_again_with_its_error(app: Flask, world) -> None:
    das, asker, reviewer = world
    question = _asked(das, asker)
    response = _client(app, reviewer).post(
        f"/beoordeling/das/{das.slug}/vragen/{question.id}",
        data={"subject": "procedure", "answer": "  ", "publish": "1"},
    )
    assert response.status_code == 200
    assert "Schrijf het antwoord." in _text(response)


def test_the_public_page_shows_answers_without_the_asker(app: Flask, world) -> None:
    das, asker, reviewer = world
    question = _asked(das, asker)
    _asked(das, asker, "Een vraag die nog open staat, nog geheim?")
    questions.save_answer(
        question,
        reviewer,
        "Nee.",
        QuestionSubject.SUITABILITY,
        publish=True,
        now=factories.at(date(2026, 11, 21)),
    )
    questions.correct(
        question, reviewer, "Ja, onder voorwaarden.", factories.at(date(2026, 11, 24))
    )
    public = app.test_client()
    page = _text(public.get(f"/das/{das.slug}/vragen-en-antwoorden"))
    assert TEXT in page and "Ja, onder voorwaarden." in page
    assert "Geschiktheidseisen en bewijs" in page  # grouped by subject
    assert "Gecorrigeerd op 24-11-2026" in page
    assert re.search(r"<details>.*Nee\..*</details>", page, re.S)  # the earlier text
    assert "Gesteld op 20-11-2026" in page and "Beantwoord op 21-11-2026" in page
    assert "nog geheim" not in page
    for secret in (asker.name, asker.email, asker.organisation.legal_name):
        assert secret not in page
    # The announcement names the count and links here; a provider gets the link to ask.
    detail = _text(public.get(f"/das/{das.slug}"))
    assert "1 vraag van aanbieders is beantwoord." in detail
    assert f"/das/{das.slug}/vragen-en-antwoorden" in detail
    assert f"/aanbieder/das/{das.slug}/vragen" not in detail
    as_provider = _text(_client(app, asker).get(f"/das/{das.slug}"))
    assert f"/aanbieder/das/{das.slug}/vragen" in as_provider


def test_staff_merge_a_duplicate_and_correct_an_answer(app: Flask, world) -> None:
    das, asker, reviewer = world
    target = _asked(das, asker)
    duplicate = _asked(das, factories.ProviderUserFactory(), "Mag een onderaannemer dat ook?")
    client = _client(app, reviewer)
    base = f"/beoordeling/das/{das.slug}/vragen"
    response = client.post(f"{base}/{duplicate.id}/samenvoegen", data={"target": "0"})
    assert response.status_code == 200
    assert "Kies de vraag waarmee u deze samenvoegt." in _text(response)
    response = client.post(f"{base}/{duplicate.id}/samenvoegen", data={"target": target.id})
    assert response.status_code == 302
    merged = _text(client.get(f"{base}?toon=merged"))
    assert "samengevoegd met vraag 1" in merged
    questions.save_answer(
        target,
        reviewer,
        "Ja.",
        QuestionSubject.SUITABILITY,
        publish=True,
        now=factories.at(date(2026, 11, 21)),
    )
    response = client.post(f"{base}/{target.id}/corrigeren", data={"answer": "Ja, mits genoemd."})
    assert response.status_code == 302
    db.session.refresh(target)
    assert target.answer == "Ja, mits genoemd." and len(target.revisions) == 2
    page = _text(client.get(f"{base}/{target.id}"))
    assert "Gecorrigeerd op" in page and "Eerdere tekst" in page


def test_staff_of_another_das_do_not_find_the_questions(app: Flask, world) -> None:
    das, asker, _reviewer = world
    question = _asked(das, asker)
    elsewhere = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(elsewhere, factories.DasFactory())
    client = _client(app, elsewhere)
    base = f"/beoordeling/das/{das.slug}/vragen"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/{question.id}").status_code == 404
    response = client.post(
        f"{base}/{question.id}", data={"subject": "other", "answer": "Ja", "publish": "1"}
    )
    assert response.status_code == 404
    db.session.refresh(question)
    assert question.state is QuestionState.OPEN
    # A question of another DAS under this DAS's address is not found either.
    other = factories.DasFactory()
    reviewer_here = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer_here, other)
    response = _client(app, reviewer_here).get(
        f"/beoordeling/das/{other.slug}/vragen/{question.id}"
    )
    assert response.status_code == 404


def test_the_ocds_tender_lists_the_nota_once_an_answer_is_published(app: Flask, world) -> None:
    from tests.views.test_ocds_tender import tender_of

    das, asker, reviewer = world
    question = _asked(das, asker)
    client = app.test_client()
    kinds = [d["documentType"] for d in tender_of(client, das.slug)["documents"]]
    assert "clarifications" not in kinds
    questions.save_answer(
        question,
        reviewer,
        "Ja.",
        QuestionSubject.OTHER,
        publish=True,
        now=factories.at(date(2026, 11, 21)),
    )
    documents = {d["documentType"]: d for d in tender_of(client, das.slug)["documents"]}
    assert documents["clarifications"]["url"].endswith(f"/das/{das.slug}/vragen-en-antwoorden")


def test_a_nul_in_the_slug_is_not_found(app: Flask, world) -> None:
    """The 404 page of a provider's page must not look the slug up either (its contact point):
    PostgreSQL cannot compare text with NUL, and the page was a server error."""
    _das, asker, _reviewer = world
    client = _client(app, asker)
    for url in ("/aanbieder/das/a%00b/vragen", "/das/a%00b/vragen-en-antwoorden"):
        assert client.get(url).status_code == 404


def test_reviewers_reach_the_questions_of_their_das_from_the_queue(app: Flask, world) -> None:
    das, _asker, reviewer = world
    other = factories.DasFactory()
    db.session.commit()
    page = _text(_client(app, reviewer).get("/beoordeling/"))
    assert f'href="/beoordeling/das/{das.slug}/vragen"' in page
    assert f"/das/{other.slug}/vragen" not in page
