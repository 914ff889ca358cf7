"""Privacy: a provider's download of all the data the portal holds on its organisation, as a ZIP
with a README, the data as JSON and the evidence files. The purge after the retention period is
services/privacy_purge.py."""

from __future__ import annotations

import enum
import json
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import sqlalchemy as sa

from portal.extensions import db
from portal.infra.storage import get_storage
from portal.infra.timeutil import AMSTERDAM, as_utc, local_date
from portal.models import (
    AgreementVariation,
    ApiToken,
    Application,
    AuditEvent,
    Clarification,
    DeclarationRequest,
    EspdImport,
    EvidenceDocument,
    FrameworkAgreement,
    Invitation,
    KpiValue,
    Organisation,
    Question,
    SroiReport,
    User,
)
from portal.services import evidence, messages
from portal.services.audit import record
from portal.services.ownership import require_organisation_admin

#: Kept in memory up to this size, then on disk (the evidence alone may be hundreds of MB).
SPOOL_BYTES = 8 * 1024 * 1024
COPY_CHUNK = 1024 * 1024

#: Internal steps of the reviewers that say something about the reviewers, not the provider.
STAFF_ONLY_ACTIONS = frozenset({"conflict.declared", "application.assigned"})

README = """\
Gegevens van {name} (KvK {kvk}) in het DAS-portaal
Samengesteld op {when} op verzoek van {user}.

Dit archief bevat alle gegevens die het DAS-portaal over uw organisatie bewaart.

data.json
  De gegevens zelf, in JSON (UTF-8):
  - organisation: de gegevens van uw organisatie;
  - users: de accounts van uw medewerkers (zonder wachtwoorden; die bewaren wij alleen
    als onomkeerbare hash);
  - invitations: uitnodigingen aan collega's;
  - applications: uw aanmeldingen per aankoopsysteem, met de gekozen percelen en het besluit
    per perceel met de motivering, uw antwoorden op de uitsluitingsgronden en
    geschiktheidseisen, de vragen van de beoordelaars (herstelverzoeken) met uw antwoorden,
    en de vastgelegde kopie van wat u heeft ingediend;
  - declaration_requests: verzoeken om een actuele verklaring;
  - espd_imports: de UEA's (ESPD's) die u heeft ingelezen, met wat eruit is overgenomen
    (het bestand zelf bewaren wij niet);
  - evidence: uw bewijsstukken, met de plaats van elk bestand in dit archief;
  - agreements: uw raamovereenkomsten met de percelen en de wijzigingen;
  - kpi_values: de prestatiecijfers die u heeft doorgegeven;
  - sroi_reports: uw verslagen over social return;
  - questions: de vragen van uw organisatie over de aankondiging van een aankoopsysteem, met
    de gepubliceerde antwoorden;
  - api_tokens: de API-sleutels van uw organisatie: naam, begin, wat ze mogen en wanneer
    en vanaf welk IP-adres ze het laatst zijn gebruikt (de sleutels zelf bewaren wij niet);
  - audit_events: het logboek van wat er met deze gegevens is gebeurd. Handelingen van
    medewerkers van de gemeenten staan erin zonder hun naam.
  Datums staan als JJJJ-MM-DD, tijdstippen in UTC.

evidence/
  Elk bewijsstuk dat uw organisatie heeft geüpload, onder de oorspronkelijke bestandsnaam
  (tekens die niet in een bestandsnaam horen zijn vervangen; namen die vaker voorkomen
  hebben een volgnummer). Een bewijsstuk dat na de bewaartermijn is verwijderd, staat er
  niet meer in.

Bewaartermijn: verklaringen en bewijsstukken van afgewezen aanbieders en van aanbieders van
wie de overeenkomst is beëindigd, bewaren wij tot {years} jaar na het einde van het
aankoopsysteem. Besluiten, raamovereenkomsten en het proces-verbaal horen bij het archief
van de gemeenten.

Dit archief bevat gegevens over strafrechtelijke veroordelingen. Bewaar het veilig en deel
het niet verder dan nodig. Vragen? Mail de functionaris gegevensbescherming: {privacy_email}.
"""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _columns(obj: Any, *names: str) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def safe_filename(name: str, fallback: str = "document") -> str:
    """A file name that is harmless in a ZIP on any system: no path parts, no control or reserved
    characters, no leading dots, at most 100 characters (keeping the extension)."""
    cleaned = unicodedata.normalize("NFC", name)
    cleaned = _UNSAFE.sub("_", cleaned).strip().lstrip(".").strip()
    if not cleaned:
        cleaned = fallback
    stem, dot, extension = cleaned.rpartition(".")
    if not dot or not stem or len(extension) > 10:
        stem, extension = cleaned, ""
    limit = 100 - (len(extension) + 1 if extension else 0)
    stem = stem[:limit].rstrip() or fallback
    return f"{stem}.{extension}" if extension else stem


def unique_names(names: Iterable[str]) -> list[str]:
    """Number repeated names the way file managers do: a.pdf, a (2).pdf, a (3).pdf."""
    taken: set[str] = set()
    result = []
    for name in names:
        stem, dot, extension = name.rpartition(".")
        if not dot or not stem:
            stem, extension = name, ""
        candidate, number = name, 1
        while candidate.lower() in taken:
            number += 1
            candidate = f"{stem} ({number}).{extension}" if extension else f"{stem} ({number})"
        taken.add(candidate.lower())
        result.append(candidate)
    return result


def _staff_or_colleague(user_id: int | None, own_user_ids: set[int], names: dict[int, str]) -> Any:
    if user_id is None:
        return None
    if user_id in own_user_ids:
        return {"user_id": user_id, "name": names.get(user_id, "")}
    return {"staff": True}  # the municipality's staff appear without their name


def _scalars(query: Any) -> list[Any]:
    return list(db.session.scalars(query))


def organisation_data(
    organisation: Organisation, evidence_paths: dict[int, str | None]
) -> dict[str, Any]:
    """Everything the portal holds about one organisation, as plain JSON values.

    ``evidence_paths`` maps each evidence document to its place in the archive (None when its
    file is gone)."""
    org_id = organisation.id
    users = _scalars(db.select(User).where(User.organisation_id == org_id).order_by(User.id))
    own_ids = {u.id for u in users}
    names = {u.id: u.name for u in users}

    def who(user_id: int | None) -> Any:
        return _staff_or_colleague(user_id, own_ids, names)

    applications = _scalars(
        db.select(Application).where(Application.organisation_id == org_id).order_by(Application.id)
    )
    application_ids = [a.id for a in applications]
    clarifications: dict[int, list[Clarification]] = defaultdict(list)
    for clarification in _scalars(
        db.select(Clarification)
        .where(Clarification.application_id.in_(application_ids))
        .order_by(Clarification.asked_at, Clarification.id)
    ):
        clarifications[clarification.application_id].append(clarification)

    documents = _scalars(
        db.select(EvidenceDocument)
        .where(EvidenceDocument.organisation_id == org_id)
        .order_by(EvidenceDocument.id)
    )
    agreements = _scalars(
        db.select(FrameworkAgreement)
        .where(FrameworkAgreement.organisation_id == org_id)
        .order_by(FrameworkAgreement.id)
    )
    agreement_ids = [a.id for a in agreements]
    invitations = _scalars(
        db.select(Invitation).where(Invitation.organisation_id == org_id).order_by(Invitation.id)
    )
    requests = _scalars(
        db.select(DeclarationRequest)
        .where(DeclarationRequest.organisation_id == org_id)
        .order_by(DeclarationRequest.id)
    )

    # The organisation's questions about a DAS's announcement (issue 20), with their answers.
    own_questions = _scalars(
        db.select(Question).where(Question.organisation_id == org_id).order_by(Question.id)
    )
    # The ESPD (UEA) responses it imported (issue 22): what was read from them, not the file.
    espd_imports = _scalars(
        db.select(EspdImport).where(EspdImport.organisation_id == org_id).order_by(EspdImport.id)
    )
    # Its API tokens (issue 23): names, scopes and use, never a secret or its hash.
    tokens = _scalars(
        db.select(ApiToken).where(ApiToken.organisation_id == org_id).order_by(ApiToken.id)
    )

    own_objects = {
        *(("question", q.id) for q in own_questions),
        *(("espd_import", i.id) for i in espd_imports),
        *(("api_token", t.id) for t in tokens),
        ("organisation", org_id),
        *(("user", i) for i in own_ids),
        *(("application", i) for i in application_ids),
        *(("evidence_document", d.id) for d in documents),
        *(("framework_agreement", i) for i in agreement_ids),
        *(("invitation", i.id) for i in invitations),
        *(("declaration_request", r.id) for r in requests),
        *(("clarification", c.id) for cs in clarifications.values() for c in cs),
    }
    candidate_events = _scalars(
        db.select(AuditEvent)
        .where(
            sa.or_(
                AuditEvent.organisation_id == org_id,
                sa.and_(AuditEvent.object_type == "user", AuditEvent.object_id.in_(own_ids)),
                sa.and_(AuditEvent.object_type == "organisation", AuditEvent.object_id == org_id),
            )
        )
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    events = [
        e
        for e in candidate_events
        if (e.object_type, e.object_id) in own_objects and e.action not in STAFF_ONLY_ACTIONS
    ]

    return {
        "format": "das-portaal-export/1",
        "organisation": _columns(
            organisation,
            "id",
            "legal_name",
            "trade_name",
            "kvk_number",
            "branch_number",
            "agb_code",
            "vat_number",
            "iban",
            "street_address",
            "postcode",
            "city",
            "size_class",
            "email",
            "phone",
            "signatory_name",
            "signatory_role",
            "created_at",
            "updated_at",
        ),
        "users": [
            _columns(
                u,
                "id",
                "name",
                "email",
                "organisation_role",
                "is_signatory",
                "is_active_account",
                "email_verified_at",
                "created_at",
                "last_login_at",
                "locale",
            )
            for u in users
        ],
        "invitations": [
            {
                **_columns(i, "id", "email", "organisation_role", "is_signatory", "created_at"),
                **_columns(i, "accepted_at", "revoked_at"),
                "invited_by": who(i.invited_by_id),
            }
            for i in invitations
        ],
        "applications": [_application_data(a, clarifications[a.id], who) for a in applications],
        # Messages and complaints on its applications and agreements (issue 20).
        "messages": messages.export_of(org_id, who),
        "declaration_requests": [
            {
                **_columns(r, "id", "requested_at", "due_on", "message", "answered_at"),
                "das": r.das.reference,
                "answered_by_application_id": r.answered_by_application_id,
            }
            for r in requests
        ],
        "espd_imports": [
            {
                **_columns(
                    i,
                    "id",
                    "application_id",
                    "imported_at",
                    "filename",
                    "sha256",
                    "document_uuid",
                    "issue_date",
                    "edm_version",
                    "contracting_party",
                    "procedure",
                    "summary",
                ),
                "imported_by": who(i.imported_by_id),
            }
            for i in espd_imports
        ],
        "evidence": [
            {
                **_columns(
                    d,
                    "id",
                    "filename",
                    "content_type",
                    "size_bytes",
                    "sha256",
                    "evidence_type",
                    "issued_on",
                    "expires_on",
                    "uploaded_at",
                ),
                "uploaded_by": who(d.uploaded_by_id),
                "file_in_archive": evidence_paths.get(d.id),
            }
            for d in documents
        ],
        "agreements": [_agreement_data(a, who) for a in agreements],
        "kpi_values": [
            {
                **_columns(v, "id", "agreement_id", "period_start", "lot_id", "value", "reason"),
                "kpi": v.definition.code,
                "kpi_name": v.definition.name,
                "authority_id": v.authority_id,
                "reported_at": v.reported_at,
                "reported_by": who(v.reported_by_id),
            }
            for v in _scalars(
                db.select(KpiValue)
                .where(KpiValue.agreement_id.in_(agreement_ids))
                .order_by(KpiValue.id)
            )
        ],
        "sroi_reports": [
            {
                **_columns(
                    s,
                    "id",
                    "agreement_id",
                    "year",
                    "activity",
                    "amount_cents",
                    "pso_level",
                    "document_id",
                    "reported_at",
                ),
                "reported_by": who(s.reported_by_id),
            }
            for s in _scalars(
                db.select(SroiReport)
                .where(SroiReport.agreement_id.in_(agreement_ids))
                .order_by(SroiReport.id)
            )
        ],
        "api_tokens": [
            {
                **_columns(t, "id", "name", "prefix", "scopes", "created_at"),
                **_columns(t, "last_used_at", "last_used_ip", "revoked_at"),
                "created_by": who(t.created_by_id),
                "revoked_by": who(t.revoked_by_id),
            }
            for t in tokens
        ],
        "questions": [
            {
                **_columns(q, "id", "number", "subject", "text", "asked_at", "state", "answer"),
                **_columns(q, "answered_at", "corrected_at"),
                "das": q.das.reference,
                "asked_by": who(q.asked_by_id),
            }
            for q in own_questions
        ],
        "audit_events": [
            {
                **_columns(e, "occurred_at", "action", "object_type", "object_id", "details"),
                "actor": who(e.actor_id),
            }
            for e in events
        ],
    }


Who = Callable[[int | None], Any]


def _application_data(
    application: Application, clarifications: list[Clarification], who: Who
) -> dict[str, Any]:
    return {
        **_columns(
            application,
            "id",
            "reference",
            "state",
            "kind",
            "created_at",
            "received_at",
            "review_deadline",
            "review_working_days",
            "extension_reason",
            "decided_at",
            "previous_application_id",
        ),
        "das": {"reference": application.das.reference, "name": application.das.name},
        "created_by": who(application.created_by_id),
        "submitted_by": who(application.submitted_by_id),
        "lots": [
            {
                "code": al.lot.code,
                "name": al.lot.name,
                "outcome": al.outcome,
                "reason": al.reason,
                "decided_at": al.decided_at,
                "confirmed_at": al.confirmed_at,
            }
            for al in sorted(application.lots, key=lambda al: al.lot.position)
        ],
        "products": [{"code": p.code, "name": p.name} for p in application.products],
        "answers": [
            {
                "criterion": a.criterion.code,
                "kind": a.criterion.kind,
                "title": a.criterion.title,
                "question": a.criterion.question,
                "value": a.value,
                "explanation": a.explanation,
                "self_cleaning": a.self_cleaning,
                "document_ids": [d.id for d in a.documents],
                "updated_at": a.updated_at,
            }
            for a in sorted(application.answers, key=lambda a: a.criterion.position)
        ],
        "clarifications": [
            {
                **_columns(
                    c,
                    "id",
                    "asked_at",
                    "reply_due_on",
                    "question",
                    "criterion_codes",
                    "answered_at",
                    "answer",
                ),
                "answered_by": who(c.answered_by_id),
                "document_ids": [d.id for d in c.documents],
            }
            for c in clarifications
        ],
        "submitted_snapshot": application.snapshot,
    }


def _agreement_data(agreement: FrameworkAgreement, who: Who) -> dict[str, Any]:
    variations = _scalars(
        db.select(AgreementVariation)
        .where(AgreementVariation.agreement_id == agreement.id)
        .order_by(AgreementVariation.effective_on, AgreementVariation.id)
    )
    return {
        **_columns(
            agreement,
            "id",
            "reference",
            "state",
            "start_date",
            "end_date",
            "created_at",
            "provider_signed_name",
            "provider_signed_role",
            "provider_signed_at",
            "authority_signed_at",
            "state_reason",
            "state_changed_on",
        ),
        "das": {"reference": agreement.das.reference, "name": agreement.das.name},
        "provider_signed_by": who(agreement.provider_signed_by_id),
        "lots": [
            {
                "code": al.lot.code,
                "name": al.lot.name,
                "admitted_on": al.admitted_on,
                "application_id": al.application_id,
                "ended_on": al.ended_on,
                "end_reason": al.end_reason,
            }
            for al in sorted(agreement.lots, key=lambda al: al.lot.position)
        ],
        "variations": [
            {
                **_columns(v, "id", "kind", "description", "effective_on", "created_at"),
                "accepted_at": v.accepted_at,
                "accepted_by": who(v.accepted_by_id),
            }
            for v in variations
        ],
    }


@dataclass(frozen=True)
class Export:
    file: IO[bytes]
    filename: str
    documents: int


def export_organisation(
    user: User, now: datetime, retention_years: int, privacy_email: str
) -> Export:
    """A ZIP of everything about the user's own organisation (data.json, evidence/, README.txt),
    in a spooled temporary file the caller sends and closes. Records the download. Only the
    organisation's administrator: the archive holds declarations about criminal convictions of
    its directors and the accounts of every colleague."""
    require_organisation_admin(user)
    organisation = user.organisation
    assert organisation is not None  # provider users always have one (a DB constraint)
    documents = _scalars(
        db.select(EvidenceDocument)
        .where(EvidenceDocument.organisation_id == organisation.id)
        .order_by(EvidenceDocument.id)
    )
    storage = get_storage()
    present = [d for d in documents if storage.exists(evidence.key_for(d.sha256))]
    arcnames = unique_names(
        "evidence/" + safe_filename(evidence.served_name(d), f"document-{d.id}") for d in present
    )
    paths: dict[int, str | None] = {d.id: None for d in documents}
    paths.update({d.id: name for d, name in zip(present, arcnames, strict=True)})
    data = organisation_data(organisation, paths)

    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the caller closes it)
    try:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "README.txt",
                README.format(
                    name=organisation.legal_name,
                    kvk=organisation.kvk_number,
                    when=now.strftime("%d-%m-%Y %H:%M UTC"),
                    user=user.name,
                    years=retention_years,
                    privacy_email=privacy_email,
                ),
            )
            archive.writestr(
                "data.json",
                json.dumps(data, default=_plain, ensure_ascii=False, indent=2, sort_keys=False),
            )
            for document, arcname in zip(present, arcnames, strict=True):
                # Streamed from the store into the archive, a chunk at a time.
                entry = zipfile.ZipInfo(
                    arcname,
                    as_utc(document.uploaded_at).astimezone(AMSTERDAM).timetuple()[:6],
                )
                entry.compress_type = zipfile.ZIP_DEFLATED
                with (
                    storage.open(evidence.key_for(document.sha256)) as source,
                    archive.open(entry, "w") as target,
                ):
                    shutil.copyfileobj(source, target, COPY_CHUNK)
        spool.seek(0)
        record(
            "organisation.data_exported",
            organisation,
            user,
            organisation_id=organisation.id,
            documents=len(present),
        )
        db.session.commit()
    except BaseException:
        spool.close()
        db.session.rollback()
        raise
    filename = f"gegevens-{organisation.kvk_number}-{local_date(now).isoformat()}.zip"
    return Export(spool, filename, len(present))
