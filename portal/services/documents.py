"""Documents kept by their content: decision letters, agreements and tariff sheets.

A PDF is drawn from HTML with WeasyPrint, and every document is stored once under its SHA-256
(`letters/ab/abcdef…`, portal/infra/storage.py); the row that names it keeps the hash, so reading
it back checks that the store still holds what was drawn up. A document that no longer matches
is refused with one error, whatever kind of document it is.

Decision letters, assessment reports and agreements are rendered by jobs (issue 20): the change
that calls for the document records its row as pending and commits without waiting for
WeasyPrint; the job renders the row as committed, stores the PDF and fills the row with `fill_once`,
so a retried or doubled job fills it (and mails it) once. Until then a reader gets
DocumentPending: the pages say that the document is being made.
"""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal.errors import ServiceError
from portal.infra import archival_pdf, seal
from portal.infra.storage import content_key, get_storage
from portal.services import rows_changed

LETTERS = "letters"
AGREEMENTS = "agreements"
TARIFF_SHEETS = "sheets"
# Official reports (proces-verbaal) are drawn up on request and kept here as issued, so the
# verification page knows them (services/verification.py).
OFFICIAL_REPORTS = "reports"


class DocumentChanged(ServiceError):
    """The store holds something else than the document whose hash was recorded."""

    def __init__(self) -> None:
        super().__init__("document_changed")


class DocumentPending(ServiceError):
    """The document is recorded but a job has not yet rendered it: ask again in a minute."""

    def __init__(self) -> None:
        super().__init__("document_pending")


def fill_once(model: Any, row_id: int, pending: Any, **values: Any) -> bool:
    """Record a rendered document on its row if it is still `pending` (a condition on the row),
    in the caller's transaction. One UPDATE guarded by that condition: of two runs of a job (a
    retry, a second worker) only one fills the row, and only that one may go on to mail it; on
    PostgreSQL the second waits for the first's row lock and then finds nothing pending. True
    when this run filled it."""
    return rows_changed(sa.update(model).where(model.id == row_id, pending).values(**values)) == 1


def render_pdf(html: str) -> bytes:
    """The PDF of a rendered template (WeasyPrint; images and styles relative to the portal):
    archival PDF/A-2b and tagged for PDF/UA-1, with the template's language and title
    (portal/infra/archival_pdf.py). The same HTML gives the same bytes, so the same hash."""
    return archival_pdf.render(html, base_url=current_app.root_path)


def seal_key() -> seal.SealKey:
    """The contracting authority's seal (portal/infra/seal.py): the PKCS#12 of the settings in
    production, the demo chain in instance/ in development and tests; read once per app."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    key = app.extensions.get("seal_key")
    if key is None:
        path = app.config.get("SEAL_PKCS12_PATH") or ""
        if path:
            key = seal.load_pkcs12(path, app.config.get("SEAL_PKCS12_PASSWORD") or "")
        else:
            key = seal.demo_key(app.instance_path)
        app.extensions["seal_key"] = key
    return key  # type: ignore[no-any-return]


def issue_pdf(html: str) -> bytes:
    """The PDF of `html` as the portal issues it: rendered (render_pdf) and sealed with the
    contracting authority's seal, PAdES (B-T with a timestamp when SEAL_TIMESTAMP_URL is set).
    The seal carries its moment, so the same HTML no longer gives the same bytes; what is stored
    and whose hash is recorded is the sealed file."""
    return seal.seal_pdf(
        render_pdf(html), seal_key(), current_app.config.get("SEAL_TIMESTAMP_URL") or ""
    )


def issue_and_keep(html: str, folder: str) -> bytes:
    """Issue `html` as a sealed PDF, keep it in the store by its hash, and return it."""
    content = issue_pdf(html)
    store(content, folder)
    return content


def key_for(sha256: str, folder: str) -> str:
    """Where a document is in the store: `folder/ab/abcdef…`."""
    return content_key(sha256, folder)


def store(content: bytes, folder: str) -> str:
    """Store `content` under its hash (once: the same content is the same file); its SHA-256."""
    sha256 = hashlib.sha256(content).hexdigest()
    storage = get_storage()
    if not storage.exists(key_for(sha256, folder)):
        storage.put_bytes(key_for(sha256, folder), content)
    return sha256


def store_pdf(html: str, folder: str) -> str:
    """Issue `html` as a sealed PDF and store it by its hash; the (sealed file's) SHA-256 to
    record."""
    return store(issue_pdf(html), folder)


def read(sha256: str, folder: str) -> bytes:
    """The stored document with this hash; DocumentChanged when the store holds other bytes."""
    content = get_storage().read_bytes(key_for(sha256, folder))
    if hashlib.sha256(content).hexdigest() != sha256:
        raise DocumentChanged()
    return content
