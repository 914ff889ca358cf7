"""The message pages (issue 20): the thread with the complaint period, posting with the form
kept on a refusal, a double click, unread counts on the linking pages, downloads only for the
parties."""

from __future__ import annotations

import io
import re
from datetime import date
from unittest import mock

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import LotOutcome, Message, Role
from portal.services import review
from tests import factories
from tests.factories import at
from tests.support.app import login

DECIDED_ON = date(2027, 3, 2)


@pytest.fixture()
def world(app: Flask):
    das = factories.DasFactory()
    provider = factories.ProviderUserFactory()
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    application = factories.submitted_application(das, provider, date(2027, 3, 1))
    factories.decide(
        application,
        {al.lot_id: review.LotDecision(LotOutcome.REJECTED, "Nee") for al in application.lots},
        reviewer,
        at(DECIDED_ON, 9),
    )
    db.session.commit()
    return das, provider, reviewer, application


def _key(page: str) -> str:
    found = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page)
    assert found, "no submission key in the form"
    return found.group(1)


def _now(day: date):
    return mock.patch("portal.pages.threads.now", return_value=at(day))


def test_the_provider_sees_the_period_and_files_a_complaint(client: FlaskClient, world) -> None:
    _das, provider, reviewer, application = world
    login(client, provider)
    url = f"/aanbieder/aanmeldingen/{application.id}/berichten"
    with _now(date(2027, 3, 10)):
        page = client.get(url).get_data(as_text=True)
        assert "U kunt tot en met 22 maart 2027 een klacht indienen." in page
        assert "burgerlijke rechter" in page and "Algemene wet bestuursrecht" in page
        response = client.post(
            url, data={"kind": "klacht", "body": "Oneens", "submission_key": _key(page)}
        )
    assert response.status_code == 302
    complaint = db.session.scalars(db.select(Message)).one()
    assert complaint.is_late is False
    # The application page links the thread; the reviewer's page counts it as new.
    assert f"{url}" in client.get(f"/aanbieder/aanmeldingen/{application.id}").get_data(
        as_text=True
    )
    login(client, reviewer)
    review_page = client.get(f"/beoordeling/aanmeldingen/{application.id}").get_data(as_text=True)
    assert "1 nieuw" in review_page
    thread = client.get(f"/beoordeling/aanmeldingen/{application.id}/berichten").get_data(
        as_text=True
    )
    assert "binnen de termijn ingediend" in thread and "Beantwoorden en afhandelen" in thread


def test_after_the_period_a_complaint_is_recorded_late(client: FlaskClient, world) -> None:
    _das, provider, _reviewer, application = world
    login(client, provider)
    url = f"/aanbieder/aanmeldingen/{application.id}/berichten"
    with _now(date(2027, 3, 23)):
        page = client.get(url).get_data(as_text=True)
        assert "De termijn voor een klacht liep tot en met 22 maart 2027." in page
        client.post(url, data={"kind": "klacht", "body": "Te laat", "submission_key": _key(page)})
        page = client.get(url).get_data(as_text=True)
    assert "te laat ingediend" in page
    assert db.session.scalars(db.select(Message)).one().is_late is True


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Schrijf uw bericht."),
        ("Hallo\x07daar", "Uw bericht bevat stuurtekens"),
        ("x" * 5001, "Uw bericht is te lang"),
    ],
)
def test_bad_text_keeps_the_form(client: FlaskClient, world, body: str, error: str) -> None:
    _das, provider, _reviewer, application = world
    login(client, provider)
    url = f"/aanbieder/aanmeldingen/{application.id}/berichten"
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"body": body, "submission_key": _key(page)})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert error in text
    assert db.session.scalar(db.select(db.func.count(Message.id))) == 0


def test_a_refused_attachment_keeps_the_text(client: FlaskClient, world) -> None:
    _das, provider, _reviewer, application = world
    login(client, provider)
    url = f"/aanbieder/aanmeldingen/{application.id}/berichten"
    page = client.get(url).get_data(as_text=True)
    response = client.post(
        url,
        data={
            "body": "Mijn getypte tekst",
            "submission_key": _key(page),
            "attachments": (io.BytesIO(b"<html></html>"), "brief.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Mijn getypte tekst" in text and "Dit soort bestand kunnen we niet aannemen" in text
    assert db.session.scalar(db.select(db.func.count(Message.id))) == 0


def test_a_double_click_makes_one_message(client: FlaskClient, world) -> None:
    _das, provider, _reviewer, application = world
    login(client, provider)
    url = f"/aanbieder/aanmeldingen/{application.id}/berichten"
    data = {"body": "Eén keer", "submission_key": _key(client.get(url).get_data(as_text=True))}
    assert client.post(url, data=data).status_code == 302
    assert client.post(url, data=data).status_code == 302
    assert db.session.scalar(db.select(db.func.count(Message.id))) == 1


def test_attachments_only_for_the_parties(client: FlaskClient, world) -> None:
    das, provider, reviewer, application = world
    login(client, provider)
    url = f"/aanbieder/aanmeldingen/{application.id}/berichten"
    page = client.get(url).get_data(as_text=True)
    client.post(
        url,
        data={
            "body": "Bijlage",
            "submission_key": _key(page),
            "attachments": (io.BytesIO(factories.PDF_BYTES), "polis.pdf"),
        },
        content_type="multipart/form-data",
    )
    attachment = db.session.scalars(db.select(Message)).one().attachments[0]
    own = f"{url}/bijlagen/{attachment.id}"
    assert client.get(own).data == factories.PDF_BYTES
    login(client, factories.ProviderUserFactory())
    assert client.get(own).status_code == 404
    staff_url = f"/beoordeling/aanmeldingen/{application.id}/berichten/bijlagen/{attachment.id}"
    login(client, reviewer)
    assert client.get(staff_url).data == factories.PDF_BYTES
    conflicted = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(conflicted, das)
    review.declare_conflict(application, conflicted, True, "Familie", at(date(2027, 3, 3)))
    login(client, conflicted)
    assert client.get(staff_url).status_code == 403
    assert client.get(f"/beoordeling/aanmeldingen/{application.id}/berichten").status_code == 403
