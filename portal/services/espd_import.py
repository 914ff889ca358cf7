"""Importing an ESPD (UEA) response into a draft application (issue 22): read the document
(portal.infra.espd_xml), map its answers onto the DAS's criteria (portal.domain.espd.map_answers),
fill the draft where that takes nothing the provider typed, and record what was done
(EspdImport). The organisation data the document holds are proposed, never written unasked:
`organisation_proposal` says what differs, `adopt` writes the fields the provider chose through
the organisation's profile update.

What an import fills, and what it keeps:
- a criterion the draft has no answer to (or an empty one) gets the document's answer;
- an answer still exactly as carried over (from an earlier application, another DAS or an
  earlier import) is replaced by the document's answer: nobody typed it;
- an answer the provider gave or changed itself is kept, and listed as "kept" (with whether the
  document says the same), so typed work is never overwritten.
A filled answer is marked as carried over from this import. The ESPD carries no documents; a
replaced carried answer keeps its documents only when its yes/no stays the same (the documents
backed that answer; whether they are recent enough is checked on submitting, as always).

The file itself is not kept; a refused file leaves nothing behind (no row, no answer changed).
The same file sent twice for the same draft within DUPLICATE_WINDOW (a double click, a reload)
gives the first import back instead of a second one."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm.exc import StaleDataError

from portal.domain import identifiers
from portal.domain.espd import Filled, NotMapped, Party, Refusal, map_answers
from portal.extensions import db
from portal.infra import espd_xml
from portal.models import (
    Answer,
    Application,
    Criterion,
    EspdImport,
    Organisation,
    ReuseSource,
    SizeClass,
    User,
)
from portal.services import ServiceError, organisations, transaction
from portal.services.audit import record
from portal.services.espd_export import criterion_facts
from portal.services.evidence import clean_filename
from portal.services.ownership import require_organisation_admin, require_provider_of

#: Within this time the same file for the same draft is the same import (a double submit).
DUPLICATE_WINDOW = timedelta(minutes=10)

#: The profile fields an ESPD may propose, in the profile page's order. The KvK number is only
#: checked (an import naming another KvK number is refused), never adopted.
PROPOSED_FIELDS = (
    "legal_name", "kvk_number", "vat_number", "street_address", "postcode", "city",
    "size_class", "email", "phone",
)  # fmt: skip
READ_ONLY_FIELDS = frozenset({"kvk_number"})
# The longest value each free-text field takes (as the profile form says).
MAX_LENGTHS = {"legal_name": 200, "street_address": 200, "city": 100, "phone": 30, "email": 254}


def _digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def _filename(name: str) -> str:
    """The name as the provider knows it (no path parts), or a plain one when it is unusable."""
    base = re.split(r"[\\/]", name or "")[-1]
    try:
        return clean_filename(base)
    except ServiceError:
        return "espd.xml"


def recent_import(application_id: int, sha256: str, now: datetime) -> EspdImport | None:
    """The import of the same file into the same draft within DUPLICATE_WINDOW, if any."""
    return db.session.scalar(
        db.select(EspdImport)
        .where(
            EspdImport.application_id == application_id,
            EspdImport.sha256 == sha256,
            EspdImport.imported_at >= now - DUPLICATE_WINDOW,
        )
        .order_by(EspdImport.id.desc())
        .limit(1)
    )


def import_response(
    user: User, application: Application, filename: str, data: bytes, now: datetime
) -> EspdImport:
    """Read an uploaded ESPD response and fill the draft with it (see the module's docstring).

    Refusals are ServiceError with the Refusal's code (espd_not_xml, ...; `detail` in the
    parameters where the reader gave one, such as the schema's complaint) or
    application_not_draft; nothing is stored then. Two requests with the same file at once:
    the second finds the draft changed and gives the first's import back."""
    require_provider_of(user, application.organisation_id)
    if not application.is_draft:
        raise ServiceError("application_not_draft")
    if len(data) > espd_xml.MAX_BYTES:  # before hashing or reading it
        raise ServiceError(Refusal.TOO_LARGE.value)
    sha256 = hashlib.sha256(data).hexdigest()
    application_id = application.id
    existing = recent_import(application_id, sha256, now)
    if existing is not None:
        return existing
    try:
        return _import(user, application, filename, data, sha256, now)
    except StaleDataError as error:
        # Someone else changed the draft between our read and our write: most likely the same
        # file sent twice at once. Give that import back; anything else is a changed draft.
        db.session.rollback()
        existing = recent_import(application_id, sha256, now)
        if existing is not None:
            return existing
        raise ServiceError("application_changed") from error


@transaction
def _import(
    user: User, application: Application, filename: str, data: bytes, sha256: str, now: datetime
) -> EspdImport:
    try:
        document = espd_xml.read_response(data)
    except espd_xml.EspdRefused as refused:
        params = {"detail": refused.detail} if refused.detail else {}
        raise ServiceError(refused.refusal.value, **params) from refused
    organisation = application.organisation
    named = _digits(document.party.kvk_number)
    if named and named != _digits(organisation.kvk_number):
        raise ServiceError(Refusal.OTHER_ORGANISATION.value)
    criteria = list(application.das.criteria)
    filled, not_mapped = map_answers(criterion_facts(criteria), document, application.das.reference)
    espd_import = EspdImport(
        organisation_id=organisation.id,
        application_id=application.id,
        imported_by_id=user.id,
        imported_at=now,
        filename=_filename(filename),
        sha256=sha256,
        document_uuid=document.uuid[:200],
        issue_date=document.issue_date,
        edm_version=document.edm_version[:40],
        contracting_party=document.contracting_party[:300],
        procedure=document.procedure[:300],
        summary={},
    )
    db.session.add(espd_import)
    by_code = {c.code: c for c in criteria}
    filled_rows, kept_rows = _fill(application, by_code, filled, espd_import, now)
    espd_import.summary = {
        "filled": filled_rows,
        "kept": kept_rows,
        "not_mapped": [_not_mapped_row(n) for n in not_mapped],
        "organisation": _party_row(document.party),
    }
    # The draft's version goes up: a second import of the same file at the same moment finds
    # it changed (StaleDataError above) instead of filling the draft twice.
    application.updated_at = now
    record(
        "espd.imported",
        espd_import,
        user,
        organisation_id=organisation.id,
        das_id=application.das_id,
        application_id=application.id,
        filled=len(filled_rows),
        kept=len(kept_rows),
        not_mapped=len(not_mapped),
    )
    db.session.commit()
    return espd_import


def _is_empty(answer: Answer) -> bool:
    return (
        answer.value is None
        and not answer.explanation
        and not answer.self_cleaning
        and not answer.documents
    )


def _fill(
    application: Application,
    criteria: dict[str, Criterion],
    filled: list[Filled],
    espd_import: EspdImport,
    now: datetime,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    filled_rows: list[dict[str, Any]] = []
    kept_rows: list[dict[str, Any]] = []
    for given in filled:
        criterion = criteria[given.criterion_code]
        answer = application.answer_for(criterion)
        if answer is not None and not answer.is_reused and not _is_empty(answer):
            kept_rows.append(
                {
                    "criterion": criterion.code,
                    "value": answer.value,
                    "espd_value": given.value,
                    "same": answer.value == given.value
                    and answer.explanation == given.explanation
                    and answer.self_cleaning == given.self_cleaning,
                }
            )
            continue
        documents = (
            list(answer.documents)
            if answer is not None and answer.is_reused and answer.value == given.value
            else []
        )
        if answer is None:
            answer = Answer(criterion=criterion)
            application.answers.append(answer)
        answer.value = given.value
        answer.explanation = given.explanation
        answer.self_cleaning = given.self_cleaning
        answer.documents = documents
        answer.reused_source = ReuseSource.ESPD
        answer.reused_from_application = None
        answer.reused_from_espd = espd_import
        answer.reused_at = now
        filled_rows.append(
            {
                "criterion": criterion.code,
                "value": given.value,
                "from_codes": list(given.from_codes),
                "documents_kept": len(documents),
            }
        )
    return filled_rows, kept_rows


def _not_mapped_row(item: NotMapped) -> dict[str, Any]:
    return {"code": item.code, "reason": item.reason.value, "criterion": item.criterion_code}


def _party_row(party: Party) -> dict[str, str]:
    names = (
        "name", "kvk_number", "vat_number", "street_address", "postcode", "city", "country",
        "size_class", "size_code", "email", "phone", "website",
    )  # fmt: skip
    return {
        name: value.strip()
        for name in names
        for value in [getattr(party, name)]
        if isinstance(value, str) and value.strip()
    }


# --- the organisation's data ---------------------------------------------------------------


@dataclass(frozen=True)
class FieldProposal:
    """A profile field whose value in the document differs from the profile's."""

    field: str
    current: str | None
    proposed: str
    adoptable: bool  # False: only a check (the KvK number)


def _document_value(party: dict[str, str], field: str) -> str | None:
    return party.get("name") if field == "legal_name" else party.get(field)


def _compared(field: str, value: str | None) -> str:
    """A value as compared: without case, spacing or punctuation where those mean nothing."""
    plain = (value or "").strip()
    if field in ("kvk_number", "phone"):
        return _digits(plain)
    if field in ("vat_number", "postcode"):
        return re.sub(r"[\s.\-]", "", plain).upper()
    if field == "email":
        return plain.lower()
    return " ".join(plain.split())


def organisation_proposal(
    espd_import: EspdImport, organisation: Organisation
) -> list[FieldProposal]:
    """Per profile field, the document's value where it differs from the organisation's."""
    party = espd_import.summary.get("organisation") or {}
    proposals = []
    for field in PROPOSED_FIELDS:
        proposed = _document_value(party, field)
        if not proposed:
            continue
        current = getattr(organisation, field)
        current_text = current.value if isinstance(current, SizeClass) else current
        if _compared(field, proposed) == _compared(field, current_text):
            continue
        proposals.append(
            FieldProposal(field, current_text, proposed, field not in READ_ONLY_FIELDS)
        )
    return proposals


def _checked(field: str, value: str) -> str:
    """The value as the profile takes it, or ServiceError("espd_value_invalid") naming the field
    and what is wrong (`problem`: an identifiers code, "length", "email" or "size")."""
    try:
        if field == "vat_number":
            return identifiers.vat_number(value)
        if field == "postcode":
            return identifiers.dutch_postcode(value)
    except identifiers.InvalidIdentifier as error:
        raise ServiceError("espd_value_invalid", field=field, problem=error.code) from error
    if field == "size_class":
        if value not in {s.value for s in SizeClass}:
            raise ServiceError("espd_value_invalid", field=field, problem="size")
        return value
    if field == "email":
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError as error:
            raise ServiceError("espd_value_invalid", field=field, problem="email") from error
    limit = MAX_LENGTHS.get(field)
    if limit is not None and len(value) > limit:
        raise ServiceError("espd_value_invalid", field=field, problem="length", max=limit)
    return value


@transaction
def adopt(
    user: User, espd_import: EspdImport, fields: Collection[str]
) -> dict[str, tuple[object, object]]:
    """Write the chosen fields' values from the document into the organisation's profile,
    through its profile update (the organisation's administrator only, the same checks, the
    same record of old and new values). Returns the changes."""
    organisation_id = require_organisation_admin(user)
    if espd_import.organisation_id != organisation_id:
        raise ServiceError("not_found")
    organisation = user.organisation
    assert organisation is not None
    proposals = {p.field: p for p in organisation_proposal(espd_import, organisation)}
    chosen = list(dict.fromkeys(fields))
    if not chosen:
        raise ServiceError("espd_nothing_chosen")
    values: dict[str, Any] = {}
    for field in chosen:
        proposal = proposals.get(field)
        if proposal is None or not proposal.adoptable:
            raise ServiceError("espd_field_not_adoptable")
        values[field] = _checked(field, proposal.proposed)
    if "size_class" in values:
        values["size_class"] = SizeClass(str(values["size_class"]))
    profile = replace(organisations.profile_of(organisation), **values)
    record(
        "espd.organisation_adopted",
        espd_import,
        user,
        organisation_id=organisation_id,
        fields=sorted(values),
    )
    changes = organisations.update_profile(user, profile)
    db.session.commit()  # the record above, also when the profile had nothing to change
    return changes


# --- what the pages show ---------------------------------------------------------------------


def import_of(application: Application, import_id: int) -> EspdImport | None:
    """An import into this application (loaded through ownership.own_application first)."""
    found = db.session.get(EspdImport, import_id)
    if found is None or found.application_id != application.id:
        return None
    return found
