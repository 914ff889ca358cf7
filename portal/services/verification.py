"""Is this a genuine, unchanged document the portal issued, and which one? (issue 24)

Anyone may ask (the public page public.verify_document, `flask documents verify FILE`). A file is
genuine when it carries our seal, intact, covering the whole file (portal/infra/seal.py) and its
SHA-256 is the hash of a document the portal stored (every issued document is stored by the hash
of the sealed file: services/documents.py). Both, because each catches what the other cannot:
the seal says who issued it and that it was not changed, also for a document the register does
not know; the hash catches a change in the few bytes the seal leaves out (its own signature's
padding) and names the document.

Which document is told with what its holder already knows and nothing more: the kind, the DAS,
the reference and the date; never the provider's name, the outcome or another organisation's
data. A question by fingerprint (SHA-256) or reference tells the same.
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from portal.extensions import db
from portal.infra import seal
from portal.infra.storage import get_storage
from portal.infra.timeutil import as_utc
from portal.models import (
    Application,
    AssessmentReport,
    Das,
    DecisionLetter,
    FrameworkAgreement,
    TariffSheet,
)
from portal.services import documents

SHA256 = re.compile(r"[0-9a-f]{64}")


class Outcome(enum.StrEnum):
    GENUINE = "genuine"  # our seal, unchanged, and a document the portal issued
    CHANGED = "changed"  # sealed by us, but changed since (or not the file that was issued)
    OTHER_SEAL = "other_seal"  # sealed, but not with our seal
    NOT_SEALED = "not_sealed"  # a PDF without a seal
    NOT_PDF = "not_pdf"  # not a readable PDF
    UNKNOWN = "unknown"  # a fingerprint or reference the portal did not issue


class Kind(enum.StrEnum):
    DECISION_LETTER = "decision_letter"
    ASSESSMENT_REPORT = "assessment_report"
    AGREEMENT = "agreement"  # as drawn up, before both signatures
    SIGNED_AGREEMENT = "signed_agreement"  # signed and countersigned
    TARIFF_SHEET = "tariff_sheet"
    OFFICIAL_REPORT = "official_report"


@dataclass(frozen=True)
class IssuedDocument:
    kind: Kind
    sha256: str
    das_name: str = ""
    reference: str = ""  # the application's, agreement's or DAS's reference
    issued_at: datetime | date | None = None
    year: int | None = None  # a tariff sheet's year


@dataclass(frozen=True)
class Verification:
    outcome: Outcome
    documents: tuple[IssuedDocument, ...] = ()
    sealed_by: str = ""
    sealed_at: datetime | None = None

    @property
    def genuine(self) -> bool:
        return self.outcome is Outcome.GENUINE


_VERDICTS = {
    seal.Verdict.CHANGED: Outcome.CHANGED,
    seal.Verdict.OTHER_SEAL: Outcome.OTHER_SEAL,
    seal.Verdict.NOT_SEALED: Outcome.NOT_SEALED,
    seal.Verdict.NOT_PDF: Outcome.NOT_PDF,
}


def verify_file(content: bytes) -> Verification:
    """The verdict on an uploaded file (read only: nothing is stored)."""
    checked = seal.check(content, documents.seal_key())
    if not checked.genuine:
        return Verification(_VERDICTS[checked.verdict], (), checked.signer, checked.signed_at)
    found = issued_with(hashlib.sha256(content).hexdigest())
    if found is None:
        # Our seal, intact, but not a file the portal issued: a byte the seal leaves out changed.
        return Verification(Outcome.CHANGED, (), checked.signer, checked.signed_at)
    return Verification(Outcome.GENUINE, (found,), checked.signer, checked.signed_at)


def verify_reference(text: str) -> Verification:
    """The documents issued with this fingerprint (SHA-256) or under this reference (an
    application's or an agreement's)."""
    text = text.strip()
    if SHA256.fullmatch(text.lower()):
        found = issued_with(text.lower())
        return Verification(Outcome.GENUINE, (found,)) if found else Verification(Outcome.UNKNOWN)
    issued = issued_under(text)
    return Verification(Outcome.GENUINE, issued) if issued else Verification(Outcome.UNKNOWN)


def issued_with(sha256: str) -> IssuedDocument | None:
    """The document the portal issued as the file with this SHA-256, if any."""
    if not sha256:
        return None
    row = db.session.execute(
        sa.select(DecisionLetter.created_at, Application.reference, Das.name)
        .join(Application, Application.id == DecisionLetter.application_id)
        .join(Das, Das.id == Application.das_id)
        .where(DecisionLetter.sha256 == sha256)
    ).first()
    if row:
        return IssuedDocument(Kind.DECISION_LETTER, sha256, row.name, row.reference or "", row[0])
    row = db.session.execute(
        sa.select(AssessmentReport.created_at, Application.reference, Das.name)
        .join(Application, Application.id == AssessmentReport.application_id)
        .join(Das, Das.id == Application.das_id)
        .where(AssessmentReport.sha256 == sha256)
    ).first()
    if row:
        return IssuedDocument(Kind.ASSESSMENT_REPORT, sha256, row.name, row.reference or "", row[0])
    agreement = db.session.execute(
        sa.select(FrameworkAgreement, Das.name)
        .join(Das, Das.id == FrameworkAgreement.das_id)
        .where(
            sa.or_(
                FrameworkAgreement.document_sha256 == sha256,
                FrameworkAgreement.signed_document_sha256 == sha256,
            )
        )
    ).first()
    if agreement:
        return _agreement_document(agreement[0], agreement[1], sha256)
    sheet = db.session.execute(
        sa.select(TariffSheet.published_at, TariffSheet.year, Das.name, Das.reference)
        .join(Das, Das.id == TariffSheet.das_id)
        .where(TariffSheet.pdf_sha256 == sha256)
    ).first()
    if sheet:
        return IssuedDocument(
            Kind.TARIFF_SHEET, sha256, sheet.name, sheet.reference, sheet[0], sheet.year
        )
    # Official reports are drawn up on request and kept by their hash alone (no row).
    if get_storage().exists(documents.key_for(sha256, documents.OFFICIAL_REPORTS)):
        return IssuedDocument(Kind.OFFICIAL_REPORT, sha256)
    return None


def issued_under(reference: str) -> tuple[IssuedDocument, ...]:
    """The documents issued under an application's or an agreement's reference."""
    if not reference or len(reference) > 40:
        return ()
    found: list[IssuedDocument] = []
    for letter_or_report, kind in (
        (DecisionLetter, Kind.DECISION_LETTER),
        (AssessmentReport, Kind.ASSESSMENT_REPORT),
    ):
        for row in db.session.execute(
            sa.select(letter_or_report.sha256, letter_or_report.created_at, Das.name)
            .join(Application, Application.id == letter_or_report.application_id)
            .join(Das, Das.id == Application.das_id)
            .where(Application.reference == reference, letter_or_report.sha256 != "")
        ):
            found.append(IssuedDocument(kind, row.sha256, row.name, reference, row.created_at))
    for agreement, das_name in db.session.execute(
        sa.select(FrameworkAgreement, Das.name)
        .join(Das, Das.id == FrameworkAgreement.das_id)
        .where(FrameworkAgreement.reference == reference)
    ):
        for sha256 in (agreement.document_sha256, agreement.signed_document_sha256):
            if sha256:
                found.append(_agreement_document(agreement, das_name, sha256))
    return tuple(found)


def _agreement_document(
    agreement: FrameworkAgreement, das_name: str, sha256: str
) -> IssuedDocument:
    if sha256 == agreement.signed_document_sha256:
        signed_at = agreement.authority_signed_at
        return IssuedDocument(
            Kind.SIGNED_AGREEMENT,
            sha256,
            das_name,
            agreement.reference,
            as_utc(signed_at) if signed_at else None,
        )
    return IssuedDocument(
        Kind.AGREEMENT, sha256, das_name, agreement.reference, as_utc(agreement.created_at)
    )
