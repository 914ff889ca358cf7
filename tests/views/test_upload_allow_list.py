"""The upload allow-list.

The attack: a PDF named `kwaliteitscertificaat.hta` (or .cmd, .scr, .xhtml) was stored and
served under that name, so whoever downloaded it saved a file Windows would run. Now a provider
uploads only the documents evidence needs: PDF, PNG, JPEG, DOCX and ODT, judged by the name's
extension and by the content together; a name without an extension gets the content's; a
refused upload stores nothing; a download is always an attachment whose name ends in the
content's extension, with a Content-Type that is never one a browser renders.
"""

from __future__ import annotations

import io
import os
import zipfile
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import EvidenceDocument, EvidenceType, Role, User
from portal.services import ServiceError, applications
from tests import factories
from tests.support.app import login


def _zip(entries: list[tuple[str, str]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue()


PDF = factories.PDF_BYTES
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
DOCX = _zip(
    [("[Content_Types].xml", "<Types/>"), ("_rels/.rels", "<R/>"), ("word/document.xml", "<w/>")]
)
ODT = _zip([("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<o/>")])
XLSX = _zip([("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook/>")])
# What `filetype` calls a DOCX from its first bytes, but holds no Word document: a web page.
FAKE_DOCX = _zip([("[Content_Types].xml", "<Types/>"), ("word/x.html", "<script>x</script>")])

ACCEPTED = [
    # (name sent, content, name kept)
    ("kwaliteitscertificaat.pdf", PDF, "kwaliteitscertificaat.pdf"),
    ("KWALITEITSCERTIFICAAT.PDF", PDF, "KWALITEITSCERTIFICAAT.PDF"),
    ("scan.Png", PNG, "scan.Png"),
    ("foto.jpg", JPEG, "foto.jpg"),
    ("foto.JPEG", JPEG, "foto.JPEG"),
    ("beleid.docx", DOCX, "beleid.docx"),
    ("beleid.odt", ODT, "beleid.odt"),
    ("x.hta.pdf", PDF, "x.hta.pdf"),  # Windows goes by the last extension: a PDF
    ("zonder-extensie", PDF, "zonder-extensie.pdf"),
    ("verklaring-v1.2", PDF, "verklaring-v1.2.pdf"),  # ".2" is a version, not an extension
    ("scan zonder extensie", PNG, "scan zonder extensie.png"),
    ("polis.pdf.", PDF, "polis.pdf"),  # Windows drops trailing dots and spaces
    ("polis.pdf \u200b", PDF, "polis.pdf"),
    ("polis:2026.pdf", PDF, "polis_2026.pdf"),  # ':' would name an NTFS stream
]

REFUSED = [
    # (name sent, content, why)
    ("kwaliteitscertificaat.hta", PDF, "upload_extension_not_allowed"),
    ("kwaliteitscertificaat.cmd", PDF, "upload_extension_not_allowed"),
    ("kwaliteitscertificaat.scr", PDF, "upload_extension_not_allowed"),
    ("kwaliteitscertificaat.xhtml", PDF, "upload_extension_not_allowed"),
    ("kwaliteitscertificaat.HTA", PDF, "upload_extension_not_allowed"),
    ("kwaliteitscertificaat.Cmd", PDF, "upload_extension_not_allowed"),
    ("x.pdf.hta", PDF, "upload_extension_not_allowed"),
    ("x.hta.", PDF, "upload_extension_not_allowed"),  # saved by Windows as x.hta
    ("x.hta  ", PDF, "upload_extension_not_allowed"),
    ("x.hta\u202e", PDF, "upload_extension_not_allowed"),  # an invisible override dropped
    ("setup.exe", PDF, "upload_extension_not_allowed"),
    ("pagina.html", HTML, "upload_extension_not_allowed"),
    ("afbeelding.svg", SVG, "upload_extension_not_allowed"),
    ("tabel.xlsx", XLSX, "upload_extension_not_allowed"),  # no spreadsheets as evidence
    ("x.hta.pdf", HTML, "upload_wrong_type"),
    ("pagina.pdf", HTML, "upload_wrong_type"),
    ("afbeelding.png", SVG, "upload_wrong_type"),
    ("tabel.docx", XLSX, "upload_wrong_type"),
    ("brief.docx", FAKE_DOCX, "upload_wrong_type"),
    ("zonder-extensie", HTML, "upload_wrong_type"),
    ("scan.pdf", PNG, "upload_name_mismatch"),
    ("foto.png", JPEG, "upload_name_mismatch"),
    ("brief.odt", DOCX, "upload_name_mismatch"),
]


def store(user, name: str, content: bytes) -> EvidenceDocument:
    return factories.upload_pdf(
        user, EvidenceType.OTHER, date(2026, 10, 1), content=content, filename=name
    )


def stored_files(app: Flask) -> list[str]:
    return [f for _root, _dirs, files in os.walk(app.config["EVIDENCE_DIR"]) for f in files]


@pytest.mark.parametrize(("name", "content", "kept"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_accepted(app: Flask, name: str, content: bytes, kept: str) -> None:
    document = store(factories.ProviderUserFactory(), name, content)
    assert document.filename == kept


@pytest.mark.parametrize(("name", "content", "code"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_and_nothing_stored(app: Flask, name: str, content: bytes, code: str) -> None:
    user = factories.ProviderUserFactory()
    with pytest.raises(ServiceError) as refused:
        store(user, name, content)
    assert refused.value.code == code
    assert db.session.scalar(db.select(db.func.count()).select_from(EvidenceDocument)) == 0
    assert stored_files(app) == []


def test_the_upload_page_names_the_allowed_types(app: Flask, client: FlaskClient) -> None:
    login(client, factories.ProviderUserFactory())
    response = client.post(
        "/aanbieder/documenten",
        data={
            "file": (io.BytesIO(PDF), "kwaliteitscertificaat.hta"),
            "evidence_type": "kwaliteitscertificaat",
            "issued_on": "2026-10-01",
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bestanden met de extensie .hta nemen we niet aan" in page
    assert "Upload een PDF, PNG, JPEG, DOCX of ODT" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(EvidenceDocument)) == 0
    assert stored_files(app) == []


def _reviewer_sees(app: Flask, document: EvidenceDocument) -> FlaskClient:
    """A signed-in reviewer of a submitted application with `document` among its evidence."""
    provider = db.session.get(User, document.uploaded_by_id)
    das = factories.DasFactory()
    application = factories.complete_draft(das, provider, date(2027, 3, 1))
    answer = next(a for a in application.answers if a.documents)
    answer.documents = [document]
    db.session.commit()
    applications.submit(application, provider, datetime(2027, 3, 1, 9, tzinfo=UTC))
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    client = app.test_client()
    login(client, reviewer)
    return client


@pytest.mark.parametrize(
    ("filename", "content_type", "served_name", "served_type"),
    [
        ("verklaring.pdf", "application/pdf", "verklaring.pdf", "application/pdf"),
        # Rows kept before the allow-list: the name gets the content's extension, and a type
        # a browser would render goes out as a plain download.
        ("kwaliteitscertificaat.hta", "application/pdf", "kwaliteitscertificaat.hta.pdf", "application/pdf"),
        ("pagina.html", "text/html", "pagina.html.bin", "application/octet-stream"),
        ("tekening.svg", "image/svg+xml", "tekening.svg.bin", "application/octet-stream"),
    ],
)  # fmt: skip
def test_downloads_are_attachments_with_a_safe_name_and_type(
    app: Flask,
    client: FlaskClient,
    filename: str,
    content_type: str,
    served_name: str,
    served_type: str,
) -> None:
    provider = factories.ProviderUserFactory()
    document = store(provider, "verklaring.pdf", PDF)
    document.filename, document.content_type = filename, content_type  # as an old row may be
    db.session.commit()
    login(client, provider)
    for who, response in [
        ("provider", client.get(f"/aanbieder/documenten/{document.id}")),
        ("reviewer", _reviewer_sees(app, document).get(f"/beoordeling/documenten/{document.id}")),
    ]:
        assert response.status_code == 200, who
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;"), who
        assert (
            f'filename="{served_name}"' in disposition or f"filename={served_name}" in disposition
        )
        assert response.mimetype == served_type, who
        assert "html" not in response.headers["Content-Type"], who
        assert response.headers["X-Content-Type-Options"] == "nosniff"
