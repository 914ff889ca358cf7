"""The provider's own lists that grow year after year: its evidence documents and its
applications a page at a time, and the documents about to lapse found in SQL, not by loading
every document the organisation ever uploaded.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import joinedload

from portal.domain import evidence as rules
from portal.extensions import db
from portal.models import Application, EvidenceDocument, EvidenceType
from portal.services.evidence import DocumentValidity, validity_of
from portal.services.paging import Page, paginate

# Month arithmetic in SQL differs per database; the candidates are taken a few days wider and
# the exact rule (portal.domain.evidence) decides.
_MARGIN = timedelta(days=4)


def documents_page(
    organisation_id: int, today: date, warning_days: int, number: int, per_page: int
) -> Page[DocumentValidity]:
    """One page of the organisation's documents, the latest upload first, each with the last
    day it counts."""
    found = paginate(
        sa.select(EvidenceDocument)
        .where(EvidenceDocument.organisation_id == organisation_id)
        .order_by(EvidenceDocument.uploaded_at.desc(), EvidenceDocument.id.desc()),
        number,
        per_page,
    )
    return Page(
        [validity_of(d, today, warning_days) for d in found.items],
        found.total,
        found.number,
        found.per_page,
    )


def expiring_documents(
    organisation_id: int, today: date, warning_days: int
) -> list[DocumentValidity]:
    """The documents still valid today that stop counting within `warning_days`: by their own
    end date, or by the age limit of their kind. Only candidates are loaded."""
    horizon = today + timedelta(days=warning_days)
    near_end: list[sa.ColumnElement[bool]] = [EvidenceDocument.expires_on.between(today, horizon)]
    for kind, months in rules.DEFAULT_MAX_AGE_MONTHS.items():
        # issued_on + months falls in [today, horizon]  <=>  issued_on in [today, horizon] - months
        near_end.append(
            sa.and_(
                EvidenceDocument.evidence_type == EvidenceType(kind),
                EvidenceDocument.issued_on.between(
                    today - relativedelta(months=months) - _MARGIN,
                    horizon - relativedelta(months=months) + _MARGIN,
                ),
            )
        )
    candidates = db.session.scalars(
        sa.select(EvidenceDocument)
        .where(EvidenceDocument.organisation_id == organisation_id, sa.or_(*near_end))
        .order_by(EvidenceDocument.uploaded_at.desc(), EvidenceDocument.id.desc())
    )
    rows = [validity_of(d, today, warning_days) for d in candidates]
    return sorted((r for r in rows if r.expires_soon), key=lambda r: r.valid_until or today)


def applications_page(organisation_id: int, number: int, per_page: int) -> Page[Application]:
    """One page of the organisation's applications, the latest first (a new one per DAS and per
    updated declaration)."""
    return paginate(
        sa.select(Application)
        .options(joinedload(Application.das))  # each row names its DAS
        .where(Application.organisation_id == organisation_id)
        .order_by(Application.created_at.desc(), Application.id.desc()),
        number,
        per_page,
    )
