"""Accepted kinds of evidence are recognised by their content, whatever their name."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from flask import Flask

from portal.models import EvidenceType
from portal.services import ServiceError, evidence
from tests import factories


def _zip(entries: list[tuple[str, str]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = _zip(
    [
        ("[Content_Types].xml", "<Types/>"),
        ("_rels/.rels", "<Relationships/>"),
        ("word/document.xml", "<w:document/>"),
    ]
)
ODT = _zip(
    [
        ("mimetype", "application/vnd.oasis.opendocument.text"),
        ("content.xml", "<office:document-content/>"),
    ]
)
PNG = factories.PNG_BYTES
JPEG = factories.JPEG_BYTES
XLSX = _zip([("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook/>")])
PLAIN_ZIP = _zip([("readme.txt", "hallo")])


def store(user, content: bytes, name: str):
    return factories.upload_pdf(
        user, EvidenceType.OTHER, date(2026, 10, 1), content=content, filename=name
    )


@pytest.mark.parametrize(
    ("content", "name", "mime"),
    [
        (factories.PDF_BYTES, "bewijs.pdf", "application/pdf"),
        (PNG, "scan.png", "image/png"),
        (JPEG, "foto.jpg", "image/jpeg"),
        (
            DOCX,
            "beleid.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (ODT, "beleid.odt", "application/vnd.oasis.opendocument.text"),
        (factories.PDF_BYTES, "Verklaring Gemeente Roermond (getekend) é.pdf", "application/pdf"),
    ],
)
def test_accepted(app: Flask, content: bytes, name: str, mime: str) -> None:
    user = factories.ProviderUserFactory()
    document = store(user, content, name)
    assert document.content_type == mime
    assert document.filename == name


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (XLSX, "tabel.pdf"),
        (PLAIN_ZIP, "archief.docx"),
        (b"%!PS-Adobe-3.0", "document.pdf"),
        (b"just text", "tekst.pdf"),
    ],
)
def test_refused(app: Flask, content: bytes, name: str) -> None:
    user = factories.ProviderUserFactory()
    with pytest.raises(ServiceError) as refused:
        store(user, content, name)
    assert refused.value.code == "upload_wrong_type"


def test_same_file_twice_is_stored_once(app: Flask) -> None:
    import os

    user = factories.ProviderUserFactory()
    first = store(user, factories.PDF_BYTES, "a.pdf")
    second = store(user, factories.PDF_BYTES, "b.pdf")
    assert first.sha256 == second.sha256 and first.id != second.id
    files = [f for _root, _dirs, names in os.walk(app.config["EVIDENCE_DIR"]) for f in names]
    assert files == [first.sha256]


def test_end_date_before_issue_date_is_refused(app: Flask) -> None:
    user = factories.ProviderUserFactory()
    with pytest.raises(ServiceError) as refused:
        evidence.store_upload(
            user.organisation,
            user,
            evidence.Upload(
                stream=io.BytesIO(factories.PDF_BYTES),
                filename="polis.pdf",
                evidence_type=EvidenceType.INSURANCE_POLICY,
                issued_on=date(2026, 10, 1),
                expires_on=date(2026, 9, 30),
            ),
        )
    assert refused.value.code == "upload_expires_before_issue"
