"""Evidence files: streamed to disk under their SHA-256, outside the web root.

A refused upload stores nothing: the bytes go to a temporary file first, and only a fully read,
accepted file is moved into place, in the same step that adds its row.
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

import filetype
from flask import current_app

from portal.domain import evidence as rules
from portal.extensions import db
from portal.models import EvidenceDocument, EvidenceType, Organisation, User
from portal.services import ServiceError
from portal.services.audit import record

# What we accept, by sniffed content (never by the name the browser sends).
ACCEPTED_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.oasis.opendocument.text": "odt",
}
CHUNK = 64 * 1024
# What a name's extension says a file is: Python's built-in table plus our own kinds, never the
# host's /etc/mime.types, so every server judges a name the same way.
_NAMES = mimetypes.MimeTypes()
for _mime, _extension in ACCEPTED_TYPES.items():
    _NAMES.add_type(_mime, f".{_extension}")


@dataclass(frozen=True)
class Upload:
    stream: BinaryIO
    filename: str
    evidence_type: EvidenceType
    issued_on: date
    expires_on: date | None


def evidence_dir() -> str:
    return str(current_app.config["EVIDENCE_DIR"])


def path_for(sha256: str) -> str:
    return os.path.join(evidence_dir(), sha256[:2], sha256)


def clean_filename(name: str) -> str:
    """Refuse names with path parts; keep the rest readable (accents included)."""
    if not name or "/" in name or "\\" in name or name in {".", ".."} or "\x00" in name:
        raise ServiceError("upload_bad_name")
    cleaned = "".join(ch for ch in name if ch.isprintable()).strip()
    if not cleaned:
        raise ServiceError("upload_bad_name")
    return cleaned[:255]


def _spool(stream: BinaryIO, limit: int) -> tuple[str, str, int, bytes]:
    """Copy the stream to a temporary file, hashing as we go and stopping past the limit."""
    os.makedirs(os.path.join(evidence_dir(), "tmp"), exist_ok=True)
    handle, tmp_path = tempfile.mkstemp(dir=os.path.join(evidence_dir(), "tmp"))
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise ServiceError("upload_too_large", limit_mb=limit // (1024 * 1024))
                if len(head) < 8192:
                    head += chunk[: 8192 - len(head)]
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        os.unlink(tmp_path)
        raise
    return tmp_path, digest.hexdigest(), size, head


def _sniff(tmp_path: str, head: bytes) -> str:
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ACCEPTED_TYPES:
        # Office formats are zip files; their kind shows only further in.
        with open(tmp_path, "rb") as f:
            kind = filetype.guess(f.read(262144))
    if kind is None or kind.mime not in ACCEPTED_TYPES:
        raise ServiceError("upload_wrong_type")
    return str(kind.mime)


def _check_name_agrees(filename: str, mime: str) -> None:
    """A file is never kept under a name that makes the user's computer open it as something
    else (a PDF called .html, a PNG called .pdf). A name without an extension we know is fine."""
    named, encoding = _NAMES.guess_type(filename, strict=False)
    if named is not None and (named != mime or encoding is not None):
        raise ServiceError(
            "upload_name_mismatch",
            kind=ACCEPTED_TYPES[mime].upper(),
            extension=ACCEPTED_TYPES[mime],
        )


def store_upload(organisation: Organisation, user: User, upload: Upload) -> EvidenceDocument:
    filename = clean_filename(upload.filename)
    if upload.expires_on is not None and upload.expires_on < upload.issued_on:
        raise ServiceError("upload_expires_before_issue")
    tmp_path, sha256, size, head = _spool(
        upload.stream, int(current_app.config["EVIDENCE_MAX_BYTES"])
    )
    final_path = path_for(sha256)
    created = False
    try:
        if size == 0:
            raise ServiceError("upload_empty")
        mime = _sniff(tmp_path, head)
        _check_name_agrees(filename, mime)
        os.makedirs(os.path.dirname(final_path), exist_ok=True)
        if not os.path.exists(final_path):
            os.replace(tmp_path, final_path)
            created = True
        else:
            # Fresh again, so remove_orphans leaves it alone until this row is committed, even if
            # it was an orphan an earlier, interrupted upload left behind.
            os.utime(final_path)
        document = EvidenceDocument(
            organisation_id=organisation.id,
            sha256=sha256,
            filename=filename,
            content_type=mime,
            size_bytes=size,
            evidence_type=upload.evidence_type,
            issued_on=upload.issued_on,
            expires_on=upload.expires_on,
            uploaded_by_id=user.id,
        )
        db.session.add(document)
        record(
            "evidence.uploaded",
            document,
            user,
            organisation_id=organisation.id,
            filename=filename,
            sha256=sha256,
        )
        db.session.commit()
        return document
    except BaseException:
        db.session.rollback()
        if created:
            os.unlink(final_path)
        raise
    finally:
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)


def remove_orphans(min_age_seconds: float = 3600) -> list[str]:
    """Delete what interrupted uploads left in EVIDENCE_DIR: temporary files, and stored files
    without a row (the process died between moving the file into place and the commit: the order
    that risks a file without a row rather than a row without a file). Only files untouched for
    `min_age_seconds`, so uploads in progress keep theirs. Returns the paths removed."""
    root = evidence_dir()
    cutoff = time.time() - min_age_seconds
    folders = [os.path.join(root, "tmp")] + [
        os.path.join(root, name) for name in _listdir(root) if len(name) == 2
    ]
    old = [
        os.path.join(folder, name)
        for folder in folders
        for name in _listdir(folder)
        if _untouched_since(os.path.join(folder, name), cutoff)
    ]
    named = {os.path.basename(path) for path in old}
    kept = set(
        db.session.scalars(
            db.select(EvidenceDocument.sha256).where(EvidenceDocument.sha256.in_(named))
        )
    )
    removed = []
    for path in old:
        in_tmp = os.path.dirname(path) == folders[0]
        # Checked again just before: an upload of the same content may have adopted the file.
        if (in_tmp or os.path.basename(path) not in kept) and _untouched_since(path, cutoff):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
                removed.append(path)
    return removed


def _listdir(folder: str) -> list[str]:
    return os.listdir(folder) if os.path.isdir(folder) else []


def _untouched_since(path: str, cutoff: float) -> bool:
    try:
        return os.path.isfile(path) and os.path.getmtime(path) <= cutoff
    except FileNotFoundError:  # removed meanwhile by the upload it belonged to
        return False


def documents_of(organisation_id: int) -> list[EvidenceDocument]:
    return list(
        db.session.scalars(
            db.select(EvidenceDocument)
            .where(EvidenceDocument.organisation_id == organisation_id)
            .order_by(EvidenceDocument.uploaded_at.desc(), EvidenceDocument.id.desc())
        )
    )


@dataclass(frozen=True)
class DocumentValidity:
    document: EvidenceDocument
    valid_until: date | None
    expired: bool
    expires_soon: bool


def documents_with_validity(
    organisation_id: int, today: date, warning_days: int
) -> list[DocumentValidity]:
    """Each document with the last day it counts (its end date, or its age limit for the kinds
    that have one) and whether that day is near."""
    result = []
    for document in documents_of(organisation_id):
        last_day = rules.valid_until(
            document.issued_on,
            document.expires_on,
            rules.DEFAULT_MAX_AGE_MONTHS.get(document.evidence_type.value),
        )
        result.append(
            DocumentValidity(
                document,
                last_day,
                last_day is not None and last_day < today,
                rules.expires_soon(last_day, today, warning_days),
            )
        )
    return result


def expiring_documents(
    organisation_id: int, today: date, warning_days: int
) -> list[DocumentValidity]:
    return [
        d for d in documents_with_validity(organisation_id, today, warning_days) if d.expires_soon
    ]
