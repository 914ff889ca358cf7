"""The ESPD documents the portal issues (issue 22): a published DAS's ESPD request (its exclusion
grounds and selection criteria) and a submitted application's ESPD response, written by
portal.infra.espd_build. Read-only.

The response is built from the application's snapshot (written at submission), so it says what
was declared then, under the criteria as they stood, and not today's organisation details. Both
documents keep their UUID while they stay the same: the request's is named after the DAS's
reference and its published version (a change notice makes a new one), the response's after the
application and its moment of submission."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from portal.domain.espd import (
    AnswerFacts,
    CriterionFacts,
    Party,
    RequestFacts,
    ResponseFacts,
)
from portal.extensions import db
from portal.infra import espd_build
from portal.infra.timeutil import local_date
from portal.models import Application, Criterion, Das, DasChange, User
from portal.services import ServiceError, review

#: The namespace of the documents' UUIDs (uuid5): the same DAS version or submission always gets
#: the same UUID, and no two get the same one.
UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:das-portaal:espd")
#: The organisations the portal admits are Dutch (a KvK number is required).
COUNTRY = "NLD"


def _codes(espd_codes: str | None) -> tuple[str, ...]:
    """The criterion's ESPD codes as portal.domain.grounds reads them."""
    return tuple(c for c in (espd_codes or "").replace(",", " ").lower().split() if c)


def _buyer(das: Das) -> str:
    if das.lead_authority is not None:
        return das.lead_authority.name
    return ", ".join(a.name for a in das.authorities) or das.name


def _published_version(das: Das) -> tuple[int, datetime | None]:
    """The DAS's published version (1, or the latest change notice's) and when it came out."""
    latest = db.session.execute(
        db.select(DasChange.version, DasChange.published_at)
        .where(DasChange.das_id == das.id)
        .order_by(DasChange.version.desc())
        .limit(1)
    ).first()
    if latest is None:
        return 1, das.published_at
    return int(latest.version), latest.published_at


def _request_facts(
    das: Das, criteria: tuple[CriterionFacts, ...], lots: tuple[tuple[str, str], ...]
) -> RequestFacts:
    version, published_at = _published_version(das)
    issued: date = local_date(published_at or das.published_at or das.created_at)
    return RequestFacts(
        reference=das.reference,
        name=das.name,
        description=das.summary,
        buyer_name=_buyer(das),
        lots=lots,
        criteria=criteria,
        issued_on=issued,
        document_uuid=str(uuid.uuid5(UUID_NAMESPACE, f"request:{das.reference}:{version}")),
    )


def criterion_facts(criteria: Iterable[Criterion]) -> tuple[CriterionFacts, ...]:
    """A DAS's criteria as the ESPD names them (also what an imported response maps onto)."""
    return tuple(
        CriterionFacts(
            code=c.code,
            kind=c.kind.value,
            origin=c.origin.value,
            espd_codes=_codes(c.espd_codes),
            title=c.title,
            question=c.question,
        )
        for c in criteria
    )


def request_for(das: Das) -> bytes:
    """The DAS's ESPD request: its criteria and lots as they stand."""
    lots = tuple((lot.code, lot.name) for lot in das.lots)
    return espd_build.request_xml(_request_facts(das, criterion_facts(das.criteria), lots))


def _party(organisation: dict[str, Any]) -> Party:
    def text(name: str) -> str | None:
        value = organisation.get(name)
        return str(value) if value else None

    has_address = any(text(n) for n in ("street_address", "postcode", "city"))
    return Party(
        name=text("legal_name") or "",
        kvk_number=text("kvk_number"),
        vat_number=text("vat_number"),
        street_address=text("street_address"),
        postcode=text("postcode"),
        city=text("city"),
        country=COUNTRY if has_address else None,
        size_class=text("size_class"),
        email=text("email"),
        phone=text("phone"),
    )


def response_for(application: Application) -> bytes:
    """The application's ESPD response, as it was submitted (its snapshot). A draft has none."""
    snapshot = application.snapshot
    if application.is_draft or not snapshot:
        raise ServiceError("espd_not_submitted")
    answers = snapshot.get("answers", [])
    criteria = tuple(
        CriterionFacts(
            code=a["code"],
            kind=a["kind"],
            origin=a.get("origin", "espd"),
            espd_codes=_codes(a.get("espd_codes")),
            title=a["title"],
            question=a["question"],
        )
        for a in answers
    )
    lots = tuple((lot["code"], lot["name"]) for lot in snapshot.get("lots", []))
    submitted_at = application.received_at or datetime.fromisoformat(snapshot["submitted_at"])
    reference = application.reference or str(application.id)
    facts = ResponseFacts(
        request=_request_facts(application.das, criteria, lots),
        party=_party(snapshot.get("organisation", {})),
        answers=tuple(
            AnswerFacts(
                criterion_code=a["code"],
                value=a.get("value"),
                explanation=a.get("explanation") or "",
                self_cleaning=a.get("self_cleaning") or "",
            )
            for a in answers
        ),
        reference=reference,
        submitted_at=submitted_at,
        document_uuid=str(
            uuid.uuid5(UUID_NAMESPACE, f"response:{reference}:{snapshot['submitted_at']}")
        ),
        lots=tuple(code for code, _ in lots),
    )
    return espd_build.response_xml(facts)


def response_for_staff(application: Application, staff: User) -> bytes:
    """The response as a reviewer downloads it: refused (`own_conflict`) to one who declared a
    conflict of interest on the application, like the rest of it (review.refuse_if_conflicted)."""
    review.refuse_if_conflicted(application, staff)
    return response_for(application)


def _safe(name: str) -> str:
    """A reference as a file name: letters, digits, dot, hyphen and underscore only."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "document"


def request_filename(das: Das) -> str:
    return f"espd-verzoek-{_safe(das.reference)}.xml"


def response_filename(application: Application) -> str:
    return f"espd-{_safe(application.reference or str(application.id))}.xml"
