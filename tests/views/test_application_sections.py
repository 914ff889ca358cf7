"""The draft's sections (issue 17): uploads where they are asked, refused at the door with the
date that would do, a refused upload kept as pending, one statement for the exclusion grounds,
one path through the sections, and saving before leaving by any link."""

from __future__ import annotations

import io
import os
import re
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.infra.timeutil import local_date, now
from portal.models import (
    Answer,
    Application,
    Criterion,
    CriterionKind,
    EvidenceDocument,
    EvidenceType,
    PendingUpload,
)
from portal.services import calendar
from tests import factories
from tests.support.app import login


def today() -> date:
    return local_date(now())


@pytest.fixture()
def draft(app: Flask, client: FlaskClient):
    """A DAS with 13 exclusion grounds and G1 (certificate) and G4 (KvK extract, 6 months), a
    logged-in provider and its draft: (das, user, application, base URL)."""
    calendar.ensure_statutory_holidays(range(2025, 2030))
    db.session.commit()
    das = factories.DasFactory()
    db.session.add_all(
        Criterion(
            das_id=das.id,
            kind=CriterionKind.EXCLUSION,
            code=f"U{n}",
            title=f"Grond {n}",
            question=f"Grond {n}?",
            passing_answer=False,
            position=n,
        )
        for n in range(3, 14)
    )
    for criterion in das.criteria:
        if criterion.kind is CriterionKind.SUITABILITY:
            criterion.position += 20
    db.session.commit()
    db.session.refresh(das)
    user = factories.ProviderUserFactory()
    login(client, user)
    client.post(f"/aanbieder/das/{das.slug}/aanmelden")
    application = db.session.scalar(db.select(Application))
    return das, user, application, f"/aanbieder/aanmeldingen/{application.id}"


def criterion(das, code: str) -> Criterion:
    return next(c for c in das.criteria if c.code == code)


def evidence_files(app: Flask) -> list[str]:
    found: list[str] = []
    for root, _dirs, files in os.walk(app.config["EVIDENCE_DIR"]):
        found.extend(os.path.join(root, f) for f in files)
    return found


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def suitability(client, base, fields: dict, files: dict | None = None):
    data = dict(fields)
    for name, (content, filename) in (files or {}).items():
        data[name] = (io.BytesIO(content), filename)
    return client.post(f"{base}/geschiktheidseisen", data=data, content_type="multipart/form-data")


def answer_of(application: Application, c: Criterion) -> Answer | None:
    db.session.expire_all()
    return db.session.scalar(
        db.select(Answer).where(
            Answer.application_id == application.id, Answer.criterion_id == c.id
        )
    )


def test_an_upload_on_the_criterion_is_attached_to_its_answer(app, client, draft) -> None:
    das, user, application, base = draft
    g1 = criterion(das, "G1")
    response = suitability(
        client,
        base,
        {f"c{g1.id}_value": "ja", f"c{g1.id}_issued_on": "2026-06-01"},
        {f"c{g1.id}_file": (factories.PDF_BYTES, "certificaat.pdf")},
    )
    assert response.status_code == 302
    document = db.session.scalar(db.select(EvidenceDocument))
    # The kind comes from the criterion: no choice asked.
    assert document.evidence_type is EvidenceType.QUALITY_CERTIFICATE
    assert document.filename == "certificaat.pdf"
    assert [d.id for d in answer_of(application, g1).documents] == [document.id]
    assert count(PendingUpload) == 0


def test_the_one_fitting_document_is_ticked_and_two_are_not(app, client, draft) -> None:
    das, user, application, base = draft
    g1, g4 = criterion(das, "G1"), criterion(das, "G4")
    cert = factories.upload_pdf(
        user, EvidenceType.QUALITY_CERTIFICATE, today() - timedelta(days=30)
    )
    kvk = factories.upload_pdf(
        user,
        EvidenceType.KVK_EXTRACT,
        today() - timedelta(days=10),
        content=factories.PDF_BYTES + b"1",
    )
    factories.upload_pdf(
        user,
        EvidenceType.KVK_EXTRACT,
        today() - timedelta(days=20),
        content=factories.PDF_BYTES + b"2",
    )
    page = client.get(f"{base}/geschiktheidseisen").get_data(as_text=True)

    def ticked(c: Criterion, document: EvidenceDocument) -> bool:
        tag = re.search(
            rf'<input[^>]*name="c{c.id}_documents"[^>]*value="{document.id}"[^>]*>', page
        )
        assert tag, "the document is offered"
        return "checked" in tag.group(0)

    assert ticked(g1, cert)
    assert not ticked(g4, kvk)  # two KvK extracts fit: the provider chooses
    # Saving as shown attaches it.
    suitability(client, base, {f"c{g1.id}_value": "ja", f"c{g1.id}_documents": str(cert.id)})
    assert [d.id for d in answer_of(application, g1).documents] == [cert.id]


def test_a_yes_without_evidence_says_what_is_missing(app, client, draft) -> None:
    das, user, application, base = draft
    g1 = criterion(das, "G1")
    response = suitability(client, base, {f"c{g1.id}_value": "ja"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Uw antwoorden zijn opgeslagen, maar dit onderdeel is nog niet compleet" in page
    assert "G1 Kwaliteitsborging: Voeg een bewijsstuk toe." in page
    assert answer_of(application, g1).value is True  # saved anyway


def test_a_future_issue_date_is_refused_with_the_date_that_would_do(app, client, draft) -> None:
    das, user, application, base = draft
    g1 = criterion(das, "G1")
    tomorrow = today() + timedelta(days=1)
    page = suitability(
        client,
        base,
        {f"c{g1.id}_value": "ja", f"c{g1.id}_issued_on": tomorrow.isoformat()},
        {f"c{g1.id}_file": (factories.PDF_BYTES, "certificaat.pdf")},
    ).get_data(as_text=True)
    assert "De datum van afgifte ligt in de toekomst" in page
    assert f"op of voor {today():%d-%m-%Y}" in page
    assert count(EvidenceDocument) == 0
    assert answer_of(application, g1).value is True  # the answer is saved all the same


def test_a_too_old_extract_is_refused_with_the_date_that_would_do(app, client, draft) -> None:
    das, user, application, base = draft
    g4 = criterion(das, "G4")
    earliest = today() - relativedelta(months=6)
    page = suitability(
        client,
        base,
        {
            f"c{g4.id}_value": "ja",
            f"c{g4.id}_issued_on": (earliest - timedelta(days=1)).isoformat(),
        },
        {f"c{g4.id}_file": (factories.PDF_BYTES, "kvk.pdf")},
    ).get_data(as_text=True)
    assert (
        "Een uittreksel KvK mag hoogstens 6 maanden oud zijn op de dag van indienen: kies een "
        f"document van op of na {earliest:%d-%m-%Y}." in page
    )
    assert count(EvidenceDocument) == 0
    # On the limit itself it is taken.
    suitability(
        client,
        base,
        {f"c{g4.id}_value": "ja", f"c{g4.id}_issued_on": earliest.isoformat()},
        {f"c{g4.id}_file": (factories.PDF_BYTES, "kvk.pdf")},
    )
    assert count(EvidenceDocument) == 1


def test_a_refused_upload_is_kept_and_used_on_the_next_save(app, client, draft) -> None:
    das, user, application, base = draft
    g4 = criterion(das, "G4")
    page = suitability(
        client,
        base,
        {f"c{g4.id}_value": "ja", f"c{g4.id}_issued_on": ""},
        {f"c{g4.id}_file": (factories.PDF_BYTES, "kvk.pdf")},
    ).get_data(as_text=True)
    assert "Ontvangen: kvk.pdf. U hoeft het bestand niet opnieuw te kiezen." in page
    assert "Vul de datum van afgifte in" in page
    pending = db.session.scalar(db.select(PendingUpload))
    assert (pending.organisation_id, pending.user_id) == (user.organisation_id, user.id)
    assert f'name="c{g4.id}_pending" type="hidden" value="{pending.id}"' in page
    assert count(EvidenceDocument) == 0
    sha256 = pending.sha256

    # The sweep of interrupted uploads leaves a pending file alone.
    from portal.services import evidence

    assert evidence.remove_orphans(min_age_seconds=0) == []
    assert len(evidence_files(app)) == 1

    # Corrected, without choosing the file again.
    response = suitability(
        client,
        base,
        {
            f"c{g4.id}_value": "ja",
            f"c{g4.id}_issued_on": today().isoformat(),
            f"c{g4.id}_pending": str(pending.id),
        },
    )
    assert response.status_code == 302
    document = db.session.scalar(db.select(EvidenceDocument))
    assert (document.filename, document.sha256) == ("kvk.pdf", sha256)
    assert document.evidence_type is EvidenceType.KVK_EXTRACT
    assert [d.id for d in answer_of(application, g4).documents] == [document.id]
    assert count(PendingUpload) == 0


def test_a_pending_upload_is_nobody_else_s(app, client, draft) -> None:
    das, user, application, base = draft
    g4 = criterion(das, "G4")
    suitability(
        client,
        base,
        {f"c{g4.id}_value": "ja", f"c{g4.id}_issued_on": "2001-01-01"},
        {f"c{g4.id}_file": (factories.PDF_BYTES, "kvk.pdf")},
    )
    pending = db.session.scalar(db.select(PendingUpload))
    # Another organisation forges the id into its own draft.
    stranger = factories.ProviderUserFactory()
    login(client, stranger)
    client.post(f"/aanbieder/das/{das.slug}/aanmelden")
    theirs = db.session.scalar(
        db.select(Application).where(Application.organisation_id == stranger.organisation_id)
    )
    fields = {
        f"c{g4.id}_value": "ja",
        f"c{g4.id}_issued_on": today().isoformat(),
        f"c{g4.id}_pending": str(pending.id),
    }
    page = suitability(client, f"/aanbieder/aanmeldingen/{theirs.id}", fields).get_data(
        as_text=True
    )
    assert "Het eerder ontvangen bestand is niet meer beschikbaar" in page
    assert "kvk.pdf" not in page
    assert count(EvidenceDocument) == 0
    assert not answer_of(theirs, g4).documents
    # The same for the documents page, and for a colleague of the uploader.
    colleague = factories.ProviderUserFactory(organisation=user.organisation, contributor=True)
    login(client, colleague)
    page = client.post(
        "/aanbieder/documenten",
        data={
            "evidence_type": "kvk_uittreksel",
            "issued_on": today().isoformat(),
            "pending": str(pending.id),
        },
    ).get_data(as_text=True)
    assert "Het eerder ontvangen bestand is niet meer beschikbaar" in page
    assert count(EvidenceDocument) == 0
    assert db.session.get(PendingUpload, pending.id) is not None  # still the uploader's


def test_expired_pending_uploads_are_swept(app, client, draft) -> None:
    das, user, application, base = draft
    g4 = criterion(das, "G4")
    suitability(
        client,
        base,
        {f"c{g4.id}_value": "ja", f"c{g4.id}_issued_on": ""},
        {f"c{g4.id}_file": (factories.PDF_BYTES, "kvk.pdf")},
    )
    pending = db.session.scalar(db.select(PendingUpload))
    pending.created_at = now() - timedelta(days=1, minutes=1)
    db.session.commit()
    pending_id = pending.id
    page = suitability(
        client,
        base,
        {f"c{g4.id}_issued_on": today().isoformat(), f"c{g4.id}_pending": str(pending_id)},
    ).get_data(as_text=True)
    assert "Het eerder ontvangen bestand is niet meer beschikbaar" in page

    from portal.services import evidence

    assert len(evidence.remove_orphans(min_age_seconds=0)) == 1
    assert count(PendingUpload) == 0
    assert evidence_files(app) == []


@pytest.mark.parametrize(
    ("content", "filename", "reason"),
    [
        (
            b"MZ\x90\x00 this is an executable",
            "certificaat.pdf",
            "Dit soort bestand kunnen we niet aannemen",
        ),
        (b"", "leeg.pdf", "Het bestand is leeg"),
        (
            factories.PDF_BYTES,
            "certificaat.exe",
            "Bestanden met de extensie .exe nemen we niet aan",
        ),
    ],
)
def test_a_refused_file_stores_nothing_and_says_why(
    app, client, draft, content, filename, reason
) -> None:
    das, user, application, base = draft
    g1 = criterion(das, "G1")
    page = suitability(
        client,
        base,
        {f"c{g1.id}_value": "ja", f"c{g1.id}_issued_on": "2026-06-01"},
        {f"c{g1.id}_file": (content, filename)},
    ).get_data(as_text=True)
    assert "Het bestand is niet bewaard: " + reason in page
    assert "Ontvangen:" not in page
    assert count(EvidenceDocument) == 0
    assert count(PendingUpload) == 0
    assert evidence_files(app) == []
    assert 'value="2026-06-01"' in page  # the date typed is kept


def test_the_documents_page_refuses_at_the_door_and_keeps_the_file(app, client, draft) -> None:
    das, user, application, base = draft
    earliest = today() - relativedelta(months=6)
    page = client.post(
        "/aanbieder/documenten",
        data={
            "file": (io.BytesIO(factories.PDF_BYTES), "kvk.pdf"),
            "evidence_type": "kvk_uittreksel",
            "issued_on": (earliest - timedelta(days=1)).isoformat(),
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert f"kies een document van op of na {earliest:%d-%m-%Y}" in page
    assert "Ontvangen: kvk.pdf" in page
    pending = db.session.scalar(db.select(PendingUpload))
    response = client.post(
        "/aanbieder/documenten",
        data={
            "evidence_type": "kvk_uittreksel",
            "issued_on": earliest.isoformat(),
            "pending": str(pending.id),
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(db.select(EvidenceDocument.filename)) == "kvk.pdf"
    assert count(PendingUpload) == 0


def test_the_documents_page_takes_the_strictest_limit_of_an_open_das(app, client, draft) -> None:
    das, user, application, base = draft
    criterion(das, "G1").max_evidence_age_months = 12
    db.session.commit()
    page = client.post(
        "/aanbieder/documenten",
        data={
            "file": (io.BytesIO(factories.PDF_BYTES), "cert.pdf"),
            "evidence_type": "kwaliteitscertificaat",
            "issued_on": (today() - relativedelta(months=13)).isoformat(),
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Een kwaliteitscertificaat mag hoogstens 12 maanden oud zijn" in page
    assert count(EvidenceDocument) == 0


def test_none_of_the_grounds_applies_in_one_statement(app, client, draft) -> None:
    das, user, application, base = draft
    grounds = das.criteria_of(CriterionKind.EXCLUSION)
    assert len(grounds) == 13
    page = client.get(f"{base}/uitsluitingsgronden").get_data(as_text=True)
    assert "Geen van deze uitsluitingsgronden is op onze organisatie van toepassing" in page
    assert "U13. Grond 13" in page  # listed for reading
    response = client.post(f"{base}/uitsluitingsgronden", data={"statement": "geen"})
    assert response.status_code == 302
    db.session.expire_all()
    answers = [answer_of(application, c) for c in grounds]
    assert [a.value for a in answers] == [False] * 13
    # The draft opens with the statement chosen.
    page = client.get(f"{base}/uitsluitingsgronden").get_data(as_text=True)
    assert re.search(
        r'<input[^>]*checked[^>]*value="geen"|<input[^>]*value="geen"[^>]*checked', page
    )


def test_a_ground_that_applies_is_answered_with_self_cleaning(app, client, draft) -> None:
    das, user, application, base = draft
    grounds = das.criteria_of(CriterionKind.EXCLUSION)
    u2 = criterion(das, "U2")
    data = {f"c{c.id}_value": "nee" for c in grounds}
    data |= {
        "statement": "wel",
        f"c{u2.id}_value": "ja",
        f"c{u2.id}_explanation": "Surseance in 2025, opgeheven.",
        f"c{u2.id}_self_cleaning": "Nieuwe financiering.",
    }
    client.post(f"{base}/uitsluitingsgronden", data=data)
    answer = answer_of(application, u2)
    assert (answer.value, answer.explanation, answer.self_cleaning) == (
        True,
        "Surseance in 2025, opgeheven.",
        "Nieuwe financiering.",
    )
    assert [answer_of(application, c).value for c in grounds].count(False) == 12
    page = client.get(f"{base}/uitsluitingsgronden").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="wel"|<input[^>]*value="wel"[^>]*checked', page)


def test_save_and_continue_goes_to_the_next_section_that_is_not_complete(
    app, client, draft
) -> None:
    das, user, application, base = draft
    overview = client.get(base).get_data(as_text=True)
    assert overview.count("Niet begonnen") == 3
    assert "Kan nog niet" in overview
    product = das.lots[0].products[0]
    response = client.post(f"{base}/percelen", data={"products": [str(product.id)], "ga": "verder"})
    assert response.location == f"{base}/uitsluitingsgronden"
    # With the exclusion grounds complete, saving the lots skips them.
    client.post(f"{base}/uitsluitingsgronden", data={"statement": "geen"})
    response = client.post(f"{base}/percelen", data={"products": [str(product.id)]})
    assert response.location == f"{base}/geschiktheidseisen"
    # The secondary button goes to the overview.
    response = client.post(
        f"{base}/percelen", data={"products": [str(product.id)], "ga": "overzicht"}
    )
    assert response.location == base
    # The last section leads to checking and submitting.
    g1, g4 = criterion(das, "G1"), criterion(das, "G4")
    response = suitability(
        client,
        base,
        {
            f"c{g1.id}_value": "ja",
            f"c{g1.id}_issued_on": today().isoformat(),
            f"c{g4.id}_value": "ja",
            f"c{g4.id}_issued_on": today().isoformat(),
        },
        {
            f"c{g1.id}_file": (factories.PDF_BYTES, "cert.pdf"),
            f"c{g4.id}_file": (factories.PDF_BYTES + b"4", "kvk.pdf"),
        },
    )
    assert response.location == f"{base}/indienen"
    overview = client.get(base).get_data(as_text=True)
    assert overview.count("Compleet") >= 3 and "Kan nog niet" not in overview


@pytest.mark.parametrize(
    ("volgende", "followed"),
    [
        ("/aanbieder/profiel?x=1", True),
        ("//evil.example/", False),
        ("https://evil.example/", False),
        ("/\\evil.example/", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_a_followed_link_saves_then_goes_only_to_a_local_path(
    app, client, draft, volgende, followed
) -> None:
    das, user, application, base = draft
    g1 = criterion(das, "G1")
    response = suitability(client, base, {f"c{g1.id}_value": "ja", "volgende": volgende})
    assert response.status_code == 302
    assert answer_of(application, g1).value is True  # saved first
    if followed:
        assert response.location == volgende
    else:
        assert response.location == f"{base}/indienen"  # on along the path, within the portal
        assert "evil" not in response.location
