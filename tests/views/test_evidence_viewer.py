"""Evidence seen without downloading it (issue 18), and who opened what.

A reviewer opens a piece of evidence of an application in the viewer: a PNG or JPEG is shown as
it is, a PDF as pictures of its first ten pages drawn on the server, a DOCX or ODT not at all
(only the download). Pictures go out inline from the portal's own origin, sandboxed and never
sniffed. Opening the viewer or the download records a DocumentView (one per reviewer, `times`
counts the looks), which the second reviewer and the assessment report read.

The attacks: a document of another application (of this provider, of another organisation) asked
through this application's address; a reviewer who declared a conflict of interest; a provider,
a reviewer of another DAS, a visitor; a stored file of a type a browser would run. Each is
refused, and no view is recorded.
"""

from __future__ import annotations

import functools
import io
import zipfile
from datetime import UTC, date, datetime

import pytest
import weasyprint
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from PIL import Image

from portal.extensions import db
from portal.infra import pdf_preview
from portal.models import (
    Clarification,
    DocumentView,
    EvidenceDocument,
    EvidenceType,
    Role,
)
from portal.services import evidence_views, review
from tests import factories
from tests.support.app import login

AT = datetime(2026, 12, 18, 9, tzinfo=UTC)


@functools.cache
def twelve_page_pdf() -> bytes:
    """A real PDF of twelve pages, each with a heading in black on white."""
    pages = "".join(
        f'<h1 style="page-break-after: always; font-size: 60pt">Pagina {n}</h1>'
        for n in range(1, 13)
    )
    return bytes(weasyprint.HTML(string=f"<html><body>{pages}</body></html>").write_pdf())


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def docx_bytes() -> bytes:
    """The same bytes on every call: the entries carry a fixed time, not the clock's (a call on
    each side of a two-second step made different files)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in ("[Content_Types].xml", "_rels/.rels", "word/document.xml"):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), "<x/>")
    return out.getvalue()


class Case:
    """A submitted application in a DAS with its reviewer signed in, and a reply to a question
    that brought a PDF, a photo and a Word document."""

    def __init__(self, client: FlaskClient) -> None:
        self.das = factories.DasFactory()
        self.provider = factories.ProviderUserFactory()
        self.application = factories.submitted_application(
            self.das, self.provider, date(2026, 12, 18)
        )
        self.reviewer = factories.UserFactory(role=Role.REVIEWER, name="Anna de Vries")
        factories.assign(self.reviewer, self.das)
        self.pdf = self.upload(twelve_page_pdf(), "polis.pdf")
        self.photo = self.upload(png_bytes(), "foto.png")
        self.letter = self.upload(docx_bytes(), "brief.docx")
        # A document of the provider's own that is evidence of no application at all.
        self.unused = self.upload(factories.PDF_BYTES, "los.pdf")
        clarification = Clarification(
            application_id=self.application.id,
            asked_by_id=self.reviewer.id,
            reply_due_on=date(2027, 1, 8),
            question="Graag de nieuwe polis.",
            asked_at=AT,
            answered_at=AT,
            answer="Zie bijlagen.",
        )
        clarification.documents.extend([self.pdf, self.photo, self.letter])
        db.session.add(clarification)
        db.session.commit()
        # The answers' own evidence: the factory's one-line "PDF", which PDFium cannot open.
        self.answer_document = next(d for a in self.application.answers for d in a.documents)
        self.client = client
        login(client, self.reviewer)

    def upload(self, content: bytes, filename: str) -> EvidenceDocument:
        return factories.upload_pdf(
            self.provider,
            EvidenceType.QUALITY_CERTIFICATE,
            date(2026, 12, 1),
            content=content,
            filename=filename,
        )

    def url(self, document: EvidenceDocument, tail: str = "", application=None) -> str:
        application_id = (application or self.application).id
        return f"/beoordeling/aanmeldingen/{application_id}/documenten/{document.id}{tail}"


@pytest.fixture()
def case(app: Flask, client: FlaskClient) -> Case:
    return Case(client)


def views() -> list[tuple[int, int, int, int]]:
    return [
        (v.application_id, v.document_id, v.user_id, v.times)
        for v in db.session.scalars(db.select(DocumentView).order_by(DocumentView.id))
    ]


def assert_inline_and_sandboxed(response) -> None:
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert "sandbox" in policy.split(";")[0]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy


# --- what the viewer shows ----------------------------------------------------------------------


def test_a_pdf_is_shown_as_pictures_of_its_first_ten_pages(case: Case) -> None:
    page = case.client.get(case.url(case.pdf)).get_data(as_text=True)
    assert "polis.pdf" in page
    assert "Kwaliteitscertificaat" in page or "kwaliteitscertificaat" in page.lower()
    assert "01-12-2026" in page  # issued on
    assert "de eerste 10 van de 12 pagina" in page
    for number in range(1, 11):
        assert case.url(case.pdf, f"/voorbeeld/{number}") in page
    assert case.url(case.pdf, "/voorbeeld/11") not in page
    assert case.url(case.pdf, "/downloaden") in page
    # The way back without JavaScript.
    assert f'href="/beoordeling/aanmeldingen/{case.application.id}"' in page


def test_a_page_picture_is_drawn_from_the_pdf_and_sandboxed(case: Case) -> None:
    response = case.client.get(case.url(case.pdf, "/voorbeeld/3"))
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert_inline_and_sandboxed(response)
    picture = Image.open(io.BytesIO(response.data)).convert("L")
    assert picture.width == pdf_preview.WIDTH
    assert picture.height > picture.width  # an A4 page, upright
    # The heading is drawn: dark pixels on the white page.
    darkest, _ = picture.getextrema()
    assert isinstance(darkest, int) and darkest < 80
    # Beyond the tenth page, and before the first, there is no picture: the download has them.
    assert case.client.get(case.url(case.pdf, "/voorbeeld/11")).status_code == 404
    assert case.client.get(case.url(case.pdf, "/voorbeeld/0")).status_code == 404


def test_an_image_is_shown_as_it_is_inline_and_sandboxed(case: Case) -> None:
    page = case.client.get(case.url(case.photo)).get_data(as_text=True)
    assert case.url(case.photo, "/voorbeeld/1") in page
    response = case.client.get(case.url(case.photo, "/voorbeeld/1"))
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data == png_bytes()
    assert_inline_and_sandboxed(response)
    assert case.client.get(case.url(case.photo, "/voorbeeld/2")).status_code == 404


def test_a_word_document_is_not_previewed_only_downloaded(case: Case) -> None:
    page = case.client.get(case.url(case.letter)).get_data(as_text=True)
    assert "/voorbeeld/" not in page
    assert "Van een Word- of OpenDocument-bestand wordt geen voorbeeld getoond" in page
    assert case.client.get(case.url(case.letter, "/voorbeeld/1")).status_code == 404
    download = case.client.get(case.url(case.letter, "/downloaden"))
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.data == docx_bytes()


def test_a_pdf_that_cannot_be_drawn_is_offered_for_download(case: Case) -> None:
    page = case.client.get(case.url(case.answer_document)).get_data(as_text=True)
    assert "Van deze PDF kan geen voorbeeld worden getoond" in page
    assert "/voorbeeld/" not in page
    assert case.client.get(case.url(case.answer_document, "/voorbeeld/1")).status_code == 404


def test_a_file_a_browser_would_run_is_never_shown_inline(case: Case) -> None:
    """A row from before the allow-list that says the file is a web page: the viewer shows no
    preview and the picture route has none; the download goes out as an attachment of no type
    a browser renders."""
    case.photo.content_type = "text/html"
    db.session.commit()
    assert "/voorbeeld/" not in case.client.get(case.url(case.photo)).get_data(as_text=True)
    assert case.client.get(case.url(case.photo, "/voorbeeld/1")).status_code == 404
    download = case.client.get(case.url(case.photo, "/downloaden"))
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.mimetype == "application/octet-stream"


def test_the_preview_gives_up_on_a_file_too_large_or_too_slow(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf_preview, "MAX_BYTES", 1000)
    assert evidence_views.preview_of(case.pdf).kind is evidence_views.PreviewKind.NONE
    monkeypatch.setattr(pdf_preview, "MAX_BYTES", 20 * 1024 * 1024)
    monkeypatch.setattr(pdf_preview, "SECONDS", 0.001)  # the child is killed before it answers
    with pytest.raises(pdf_preview.PreviewFailed):
        pdf_preview.render_page(twelve_page_pdf(), 1)
    assert case.client.get(case.url(case.pdf, "/voorbeeld/1")).status_code == 404
    assert "geen voorbeeld" in case.client.get(case.url(case.pdf)).get_data(as_text=True)


# --- who opened what ------------------------------------------------------------------------------


def test_opening_is_recorded_once_per_reviewer_and_counted(app: Flask, case: Case) -> None:
    app_id, doc_id = case.application.id, case.pdf.id
    case.client.get(case.url(case.pdf))
    assert views() == [(app_id, doc_id, case.reviewer.id, 1)]
    case.client.get(case.url(case.pdf))
    case.client.get(case.url(case.pdf, "/downloaden"))
    assert views() == [(app_id, doc_id, case.reviewer.id, 3)]
    # The pictures of its pages are part of the look the viewer recorded, not looks of their own.
    case.client.get(case.url(case.pdf, "/voorbeeld/1"))
    assert views() == [(app_id, doc_id, case.reviewer.id, 3)]

    second = factories.UserFactory(role=Role.REVIEWER, name="Bram Tweede")
    factories.assign(second, case.das)
    other = app.test_client()
    login(other, second)
    page = other.get(case.url(case.pdf)).get_data(as_text=True)
    assert views() == [(app_id, doc_id, case.reviewer.id, 3), (app_id, doc_id, second.id, 1)]
    assert "Anna de Vries" in page and "Bram Tweede" in page and "(3 keer)" in page


def test_the_old_download_records_nothing(case: Case) -> None:
    """`review.download` does not know the application; the grid links to the application's."""
    assert case.client.get(f"/beoordeling/documenten/{case.pdf.id}").status_code == 200
    assert views() == []


def test_the_grid_macro_says_who_opened_each_document(app: Flask, case: Case) -> None:
    macro = (
        '{% from "review/_evidence.html" import evidence_link %}'
        "{{ evidence_link(application, document, views) }}"
    )
    with app.test_request_context():
        unopened = render_template_string(
            macro, application=case.application, document=case.pdf, views=[]
        )
    assert "Nog door niemand geopend" in unopened
    assert f'href="{case.url(case.pdf)}"' in unopened
    assert "data-evidence-panel" in unopened
    case.client.get(case.url(case.pdf))
    with app.test_request_context():
        opened = render_template_string(
            macro,
            application=case.application,
            document=case.pdf,
            views=evidence_views.views_of(case.application)[case.pdf.id],
        )
    assert "Geopend door Anna de Vries, " in opened
    assert "Nog door niemand" not in opened


# --- the attacks ----------------------------------------------------------------------------------

ADDRESSES = ("", "/downloaden", "/voorbeeld/1")


def assert_refused(client: FlaskClient, urls: list[str], status: int) -> None:
    for address in urls:
        response = client.get(address)
        if status == 302:
            assert response.status_code == 302 and response.location.startswith("/inloggen")
        else:
            assert response.status_code == status, address
    assert views() == []


def test_a_document_of_another_application_is_not_found(case: Case) -> None:
    other_provider = factories.ProviderUserFactory()
    other = factories.submitted_application(case.das, other_provider, date(2026, 12, 18))
    foreign = next(d for a in other.answers for d in a.documents)
    # Another organisation's evidence, asked through this application's address; and this
    # provider's document that is evidence of nothing.
    urls = [case.url(d, tail) for d in (foreign, case.unused) for tail in ADDRESSES]
    assert_refused(case.client, urls, 404)
    # A document of this application, asked through the other application's address.
    assert_refused(case.client, [case.url(case.pdf, t, other) for t in ADDRESSES], 404)
    # Through its own application it opens.
    assert case.client.get(case.url(foreign, application=other)).status_code == 200


def test_a_document_of_this_providers_other_application_is_not_found(case: Case) -> None:
    """The same organisation, another application (a draft for a second DAS): its evidence is
    not this application's, and a draft is not the reviewers' to see at all."""
    second_das = factories.DasFactory()
    factories.assign(case.reviewer, second_das)
    draft = factories.complete_draft(second_das, case.provider, date(2026, 12, 18))
    theirs = next(d for a in draft.answers for d in a.documents)
    assert_refused(case.client, [case.url(theirs, t) for t in ADDRESSES], 404)
    assert_refused(case.client, [case.url(theirs, t, draft) for t in ADDRESSES], 404)


def test_a_reviewer_with_a_conflict_of_interest_is_refused(case: Case) -> None:
    review.declare_conflict(case.application, case.reviewer, True, "Mijn zus werkt daar", AT)
    urls = [case.url(d, t) for d in (case.pdf, case.photo) for t in ADDRESSES]
    assert_refused(case.client, urls, 403)


def test_a_reviewer_of_another_das_does_not_find_it(app: Flask, case: Case) -> None:
    elsewhere = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(elsewhere, factories.DasFactory())
    login(case.client, elsewhere)
    assert_refused(case.client, [case.url(case.pdf, t) for t in ADDRESSES], 404)


def test_the_provider_and_a_visitor_are_refused(app: Flask, case: Case) -> None:
    urls = [case.url(case.photo, t) for t in ADDRESSES]
    login(case.client, case.provider)
    assert_refused(case.client, urls, 403)
    assert_refused(app.test_client(), urls, 302)


def test_a_contract_manager_of_the_das_is_refused(app: Flask, case: Case) -> None:
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, case.das)
    login(case.client, manager)
    assert_refused(case.client, [case.url(case.pdf, t) for t in ADDRESSES], 403)


def test_an_administrator_may_look_and_is_recorded(app: Flask, case: Case) -> None:
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    login(case.client, admin)
    assert case.client.get(case.url(case.photo)).status_code == 200
    assert views() == [(case.application.id, case.photo.id, admin.id, 1)]
