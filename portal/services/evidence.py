"""Evidence files: kept in the store (portal/infra/storage.py) under their SHA-256, outside the web root.

A refused upload stores nothing: the bytes go to a local temporary file first (read and hashed in
chunks), and only a fully read, accepted file is published to the store, in the same step that
adds its row.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO, BinaryIO

import filetype
import sqlalchemy as sa
from flask import current_app

from portal.domain import evidence as rules
from portal.extensions import db
from portal.infra.storage import OCTET_STREAM, LocalStorage, content_key, get_storage, scratch_dir
from portal.models import (
    Criterion,
    Das,
    DasState,
    EvidenceDocument,
    EvidenceType,
    MessageAttachment,
    Organisation,
    PendingUpload,
    User,
)
from portal.services import ServiceError
from portal.services.audit import record
from portal.services.ownership import require_provider_of

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
# The documents a provider proves things with, and nothing else: PDF above all
# (certificates, extracts, policies, declarations), scans and photos as JPEG or PNG, and
# letters written in Word or LibreOffice Writer (DOCX, ODT). Nothing that runs and nothing a
# browser shows as a page. Both the sniffed content and the name's extension must be on this
# list, and agree; per type the extensions its name may end in, the first one given to a name
# without an extension.
ACCEPTED_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": ("pdf",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    DOCX: ("docx",),
    ODT: ("odt",),
}
ACCEPTED_EXTENSIONS = frozenset(e for extensions in ACCEPTED_TYPES.values() for e in extensions)
# What a ZIP-based document must contain besides what `filetype` looks at in its first bytes.
_ZIP_PARTS = {DOCX: ("[Content_Types].xml", "word/document.xml"), ODT: ("content.xml",)}
# Characters Windows does not allow in a name; ':' would also name an NTFS stream.
_RESERVED = re.compile(r'[<>:"|?*]+')
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Upload:
    stream: BinaryIO
    filename: str
    evidence_type: EvidenceType
    issued_on: date
    expires_on: date | None


# Evidence keys: `ab/abcdef…` at the top of the store (letters and the rest have folders).
EVIDENCE_KEY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}")
# Attachments of messages (services/messages.py) are kept in the same store, in their own folder.
MESSAGE_KEY = re.compile(r"messages/[0-9a-f]{2}/[0-9a-f]{64}")
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
    """Refuse names with path parts; keep the rest readable (accents included). Invisible and
    control characters go (a right-to-left override can make "cod.pdf.exe" look like
    "cod.exe.pdf"), characters Windows reserves become "_", and trailing dots and spaces go,
    as Windows drops them when saving ("x.hta." is saved as "x.hta")."""
    if not name or "/" in name or "\\" in name or name in {".", ".."} or "\x00" in name:
        raise ServiceError("upload_bad_name")
    cleaned = unicodedata.normalize("NFC", "".join(ch for ch in name if ch.isprintable()))
    cleaned = _RESERVED.sub("_", cleaned).strip().rstrip(". ").lstrip(".").strip()
    if not cleaned:
        raise ServiceError("upload_bad_name")
    stem, dot, extension = cleaned.rpartition(".")
    if dot and stem and len(extension) <= 16:  # the extension survives the cut to 255
        return f"{stem[: 254 - len(extension)].rstrip()}.{extension}"
    return cleaned[:255]


def extension_of(name: str) -> str | None:
    """The extension as a file manager reads it, in lower case; None when the name has none.
    A suffix without letters ("verklaring-v1.2") or with spaces is no extension."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or not suffix.isalnum() or suffix.isdigit():
        return None
    return suffix.lower()


def check_extension(filename: str) -> None:
    """Refuse a name whose extension is not one of the accepted documents', before reading a
    byte of the file."""
    extension = extension_of(filename)
    if extension is not None and extension not in ACCEPTED_EXTENSIONS:
        raise ServiceError("upload_extension_not_allowed", extension=extension[:16])


def name_for_content(filename: str, mime: str) -> str:
    """The name kept and served: the given one when its extension fits the content, with the
    content's extension added when it has none. A PNG called .pdf is refused."""
    extension = extension_of(filename)
    if extension is None:
        return f"{filename[: 250 - len(ACCEPTED_TYPES[mime][0])]}.{ACCEPTED_TYPES[mime][0]}"
    if extension not in ACCEPTED_TYPES[mime]:
        check_extension(filename)
        raise ServiceError(
            "upload_name_mismatch",
            kind=ACCEPTED_TYPES[mime][0].upper(),
            extension=ACCEPTED_TYPES[mime][0],
        )
    return filename


def served_type(document: EvidenceDocument) -> str:
    """The Content-Type a download goes out with: the sniffed type, and never anything a
    browser would show as a page (a row from before the allow-list could say otherwise)."""
    return document.content_type if document.content_type in ACCEPTED_TYPES else OCTET_STREAM


def served_name(document: EvidenceDocument) -> str:
    """The name a download is saved under: its extension always matches its content, also for
    a row kept before names were checked ("certificaat.hta" is saved as "certificaat.hta.pdf")."""
    try:
        name = clean_filename(document.filename)
    except ServiceError:
        name = f"document-{document.id}"
    extensions = ACCEPTED_TYPES.get(document.content_type)
    if extensions is None:
        return name if extension_of(name) is None else f"{name}.bin"
    if extension_of(name) in extensions:
        return name
    return f"{name}.{extensions[0]}"


def _spool(stream: IO[bytes], limit: int) -> tuple[str, str, int, bytes]:
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
    mime = str(kind.mime)
    if mime in _ZIP_PARTS and not _is_document_zip(tmp_path, _ZIP_PARTS[mime]):
        raise ServiceError("upload_wrong_type")
    return mime


def _is_document_zip(path: str, parts: tuple[str, ...]) -> bool:
    """`filetype` judges a ZIP by a name in its first entries; a real DOCX or ODT also opens
    as a ZIP and holds its document. Only the directory is read, nothing is unpacked."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return all(part in names for part in parts)


@dataclass(frozen=True)
class Received:
    """A file that passed every check of its own, waiting in the scratch directory to be
    published (as a document, or as a pending upload) or discarded."""

    tmp_path: str
    sha256: str
    size: int
    content_type: str
    filename: str


def receive(stream: IO[bytes], filename: str) -> Received:
    """Read and check an uploaded file: its name, size, content and that name and content agree.
    A refused file leaves nothing behind (ServiceError says why). The caller publishes the result
    (store_received, pending_uploads.keep) or discards it."""
    name = clean_filename(filename)
    check_extension(name)
    tmp_path, sha256, size, head = _spool(stream, int(current_app.config["EVIDENCE_MAX_BYTES"]))
    try:
        if size == 0:
            raise ServiceError("upload_empty")
        mime = _sniff(tmp_path, head)
        name = name_for_content(name, mime)
    except BaseException:
        discard_received(tmp_path)
        raise
    return Received(tmp_path, sha256, size, mime, name)


def discard_received(tmp_path: str) -> None:
    if os.path.exists(tmp_path):
        os.unlink(tmp_path)


def publish(sha256: str, tmp_path: str | None) -> bool:
    """Put the bytes in the store under their hash, or mark the stored copy fresh, so
    remove_orphans leaves it alone until its row is committed (also when it was an orphan an
    earlier, interrupted upload left behind). True when this call created the stored file (to be
    deleted again if the row is not committed). Without a local copy, the stored one must exist:
    FileNotFoundError otherwise."""
    storage = get_storage()
    key = key_for(sha256)
    try:
        storage.touch(key)
    except FileNotFoundError:
        if tmp_path is None:
            raise
        storage.put_file(key, tmp_path)
        return True
    return False


def add_document(
    organisation: Organisation,
    user: User,
    *,
    sha256: str,
    filename: str,
    content_type: str,
    size: int,
    evidence_type: EvidenceType,
    issued_on: date,
    expires_on: date | None,
) -> EvidenceDocument:
    """The row of a published file, and its audit event (the caller commits)."""
    if expires_on is not None and expires_on < issued_on:
        raise ServiceError("upload_expires_before_issue")
    document = EvidenceDocument(
        organisation_id=organisation.id,
        sha256=sha256,
        filename=filename,
        content_type=content_type,
        size_bytes=size,
        evidence_type=evidence_type,
        issued_on=issued_on,
        expires_on=expires_on,
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
    return document


def store_received(
    organisation: Organisation,
    user: User,
    received: Received,
    evidence_type: EvidenceType,
    issued_on: date,
    expires_on: date | None,
) -> EvidenceDocument:
    """Publish a received file as one of the organisation's documents. The scratch copy goes."""
    require_provider_of(user, organisation.id)
    created = False
    try:
        created = publish(received.sha256, received.tmp_path)
        document = add_document(
            organisation,
            user,
            sha256=received.sha256,
            filename=received.filename,
            content_type=received.content_type,
            size=received.size,
            evidence_type=evidence_type,
            issued_on=issued_on,
            expires_on=expires_on,
        )
        db.session.commit()
        return document
    except BaseException:
        db.session.rollback()
        if created:
            get_storage().delete(key_for(received.sha256))
        raise
    finally:
        discard_received(received.tmp_path)


def store_upload(organisation: Organisation, user: User, upload: Upload) -> EvidenceDocument:
    require_provider_of(user, organisation.id)
    filename = clean_filename(upload.filename)
    check_extension(filename)
    received = receive(upload.stream, filename)
    return store_received(
        organisation, user, received, upload.evidence_type, upload.issued_on, upload.expires_on
    )


def max_age_for_type(evidence_type: EvidenceType) -> int | None:
    """The age limit a document of this kind is held to at upload outside any one criterion:
    the strictest of its kind's own rule and of every open DAS's criteria asking for it."""
    # A criterion counts this kind as its preferred one or as one of the others (a JSON list:
    # compared here rather than in SQL, the same on SQLite and PostgreSQL).
    rows = db.session.execute(
        db.select(
            Criterion.max_evidence_age_months,
            Criterion.evidence_type,
            Criterion.extra_evidence_types,
        )
        .join(Das, Das.id == Criterion.das_id)
        .where(
            Das.state == DasState.OPEN,
            Criterion.evidence_type.is_not(None),
            Criterion.max_evidence_age_months.is_not(None),
        )
    ).tuples()
    limits = [
        limit
        for limit, preferred, extra in rows
        if preferred is evidence_type or evidence_type.value in (extra or ())
    ]
    return rules.strictest_max_age(evidence_type.value, limits)


def remove_orphans(min_age_seconds: float = 3600) -> list[str]:
    """Delete what interrupted uploads left behind: temporary files in the scratch directory, and
    stored files without a row (the process died between publishing the file and the commit: the
    order that risks a file without a row rather than a row without a file). Only files untouched
    for `min_age_seconds`, so uploads in progress keep theirs. A pending upload's file is kept
    while its row is (portal.services.pending_uploads); expired pending rows are removed first.
    Returns where the removed files were (paths, or s3:// URLs)."""
    cutoff = time.time() - min_age_seconds
    _remove_expired_pending(datetime.now(UTC))
    removed = _remove_old_temporaries(scratch_dir(), cutoff)
    storage = get_storage()
    old = [
        stored.key
        for stored in storage.list()
        if (EVIDENCE_KEY.fullmatch(stored.key) or MESSAGE_KEY.fullmatch(stored.key))
        and stored.modified.timestamp() <= cutoff
    ]
    for batch in _batches(old, SWEEP_BATCH):
        # Evidence is `ab/abcdef…`; a message's attachment `messages/ab/abcdef…`.
        named = {key.rsplit("/", 1)[1]: key for key in batch if EVIDENCE_KEY.fullmatch(key)}
        attached = {key.rsplit("/", 1)[1]: key for key in batch if MESSAGE_KEY.fullmatch(key)}
        kept = set(
            db.session.scalars(
                db.select(EvidenceDocument.sha256).where(EvidenceDocument.sha256.in_(named))
            )
        ) | set(
            db.session.scalars(
                db.select(PendingUpload.sha256).where(PendingUpload.sha256.in_(named))
            )
        )
        kept_attached = set(
            db.session.scalars(
                db.select(MessageAttachment.sha256).where(MessageAttachment.sha256.in_(attached))
            )
        )
        orphans = [(sha, key) for sha, key in named.items() if sha not in kept] + [
            (sha, key) for sha, key in attached.items() if sha not in kept_attached
        ]
        for _sha256, key in orphans:
            # Checked again just before: an upload of the same content may have adopted it.
            if _stored_untouched_since(key, cutoff):
                storage.delete(key)
                removed.append(storage.location(key))
    return removed


def _remove_expired_pending(now: datetime) -> None:
    """Pending uploads nobody came back for: their rows go here, their files (when no document
    shares them) in the sweep that follows, once they are old enough."""
    db.session.execute(
        sa.delete(PendingUpload).where(
            PendingUpload.created_at <= now - rules.PENDING_UPLOAD_LIFETIME
        ),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


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
