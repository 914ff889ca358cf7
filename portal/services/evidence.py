"""Evidence files: kept in the store (portal/storage.py) under their SHA-256, outside the web root.

A refused upload stores nothing: the bytes go to a local temporary file first (read and hashed in
chunks), and only a fully read, accepted file is published to the store, in the same step that
adds its row.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import BinaryIO

import filetype
from flask import current_app

from portal.domain import evidence as rules
from portal.extensions import db
from portal.models import EvidenceDocument, EvidenceType, Organisation, User
from portal.services import ServiceError
from portal.services.audit import record
from portal.storage import LocalStorage, content_key, get_storage, scratch_dir

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


# Evidence keys: `ab/abcdef…` at the top of the store (letters and the rest have folders).
EVIDENCE_KEY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}")
SWEEP_BATCH = 500


def key_for(sha256: str) -> str:
    return content_key(sha256)


def path_for(sha256: str) -> str:
    """The file's path in a local store (LocalStorage only: for operators and tests)."""
    storage = get_storage()
    if not isinstance(storage, LocalStorage):
        raise RuntimeError("path_for needs the local store (STORAGE_BACKEND=local)")
    return storage.path(key_for(sha256))


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
    handle, tmp_path = tempfile.mkstemp(dir=scratch_dir())
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
    storage = get_storage()
    key = key_for(sha256)
    created = False
    try:
        if size == 0:
            raise ServiceError("upload_empty")
        mime = _sniff(tmp_path, head)
        _check_name_agrees(filename, mime)
        try:
            # Fresh again, so remove_orphans leaves it alone until this row is committed, even
            # if it was an orphan an earlier, interrupted upload left behind.
            storage.touch(key)
        except FileNotFoundError:
            storage.put_file(key, tmp_path)
            created = True
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
            storage.delete(key)
        raise
    finally:
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)


def remove_orphans(min_age_seconds: float = 3600) -> list[str]:
    """Delete what interrupted uploads left behind: temporary files in the scratch directory, and
    stored files without a row (the process died between publishing the file and the commit: the
    order that risks a file without a row rather than a row without a file). Only files untouched
    for `min_age_seconds`, so uploads in progress keep theirs. Returns where the removed files
    were (paths, or s3:// URLs)."""
    cutoff = time.time() - min_age_seconds
    removed = _remove_old_temporaries(scratch_dir(), cutoff)
    storage = get_storage()
    old = [
        stored.key
        for stored in storage.list()
        if EVIDENCE_KEY.fullmatch(stored.key) and stored.modified.timestamp() <= cutoff
    ]
    for batch in _batches(old, SWEEP_BATCH):
        named = {key.split("/")[1]: key for key in batch}
        kept = set(
            db.session.scalars(
                db.select(EvidenceDocument.sha256).where(EvidenceDocument.sha256.in_(named))
            )
        )
        for sha256, key in named.items():
            # Checked again just before: an upload of the same content may have adopted it.
            if sha256 not in kept and _stored_untouched_since(key, cutoff):
                storage.delete(key)
                removed.append(storage.location(key))
    return removed


def _remove_old_temporaries(folder: str, cutoff: float) -> list[str]:
    removed = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        try:
            if os.path.isfile(path) and os.path.getmtime(path) <= cutoff:
                os.unlink(path)
                removed.append(path)
        except FileNotFoundError:  # removed meanwhile by the upload it belonged to
            continue
    return removed


def _stored_untouched_since(key: str, cutoff: float) -> bool:
    try:
        return get_storage().info(key).modified <= datetime.fromtimestamp(cutoff, UTC)
    except FileNotFoundError:
        return False


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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


def validity_of(document: EvidenceDocument, today: date, warning_days: int) -> DocumentValidity:
    """The document with the last day it counts (its end date, or its age limit for the kinds
    that have one), whether that day has passed and whether it is near."""
    last_day = rules.valid_until(
        document.issued_on,
        document.expires_on,
        rules.DEFAULT_MAX_AGE_MONTHS.get(document.evidence_type.value),
    )
    return DocumentValidity(
        document,
        last_day,
        last_day is not None and last_day < today,
        rules.expires_soon(last_day, today, warning_days),
    )
