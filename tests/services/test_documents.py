"""Documents kept by their content (services/documents.py): stored once under their hash, and
refused with one error when the store no longer holds what was drawn up."""

from __future__ import annotations

import hashlib
import io

import pytest
from flask import Flask
from pypdf import PdfReader

from portal.infra.storage import get_storage
from portal.services import ServiceError, documents


def test_a_document_is_stored_once_under_its_hash(app: Flask) -> None:
    content = b"tarieven;2027\n"
    sha256 = documents.store(content, documents.TARIFF_SHEETS)
    assert sha256 == hashlib.sha256(content).hexdigest()
    key = documents.key_for(sha256, documents.TARIFF_SHEETS)
    assert key.startswith(f"{documents.TARIFF_SHEETS}/{sha256[:2]}/")
    assert documents.store(content, documents.TARIFF_SHEETS) == sha256  # the same file again
    assert documents.read(sha256, documents.TARIFF_SHEETS) == content


def test_a_changed_document_is_refused(app: Flask) -> None:
    sha256 = documents.store(b"besluit", documents.LETTERS)
    get_storage().put_bytes(documents.key_for(sha256, documents.LETTERS), b"vervalst")
    with pytest.raises(documents.DocumentChanged) as refused:
        documents.read(sha256, documents.LETTERS)
    assert isinstance(refused.value, ServiceError)  # the user is told, in their language
    assert refused.value.code == "document_changed"


def test_the_same_html_is_the_same_pdf_and_other_html_another(app: Flask) -> None:
    # The rendering is the same for the same HTML; the sealed file carries its moment of sealing
    # (issue 24), and what is stored under a hash reads back as that file.
    assert documents.render_pdf("<p>Raamovereenkomst A</p>") == documents.render_pdf(
        "<p>Raamovereenkomst A</p>"
    )
    assert documents.render_pdf("<p>Raamovereenkomst B</p>") != documents.render_pdf(
        "<p>Raamovereenkomst A</p>"
    )
    first = documents.store_pdf("<p>Raamovereenkomst A</p>", documents.AGREEMENTS)
    assert documents.read(first, documents.AGREEMENTS).startswith(b"%PDF")


@pytest.mark.real_pdf  # reads the PDF
def test_a_pdf_is_drawn_from_the_html(app: Flask) -> None:
    with app.test_request_context():
        sha256 = documents.store_pdf("<h1>Besluit DAS-2027-001</h1>", documents.LETTERS)
    content = documents.read(sha256, documents.LETTERS)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "DAS-2027-001" in text
