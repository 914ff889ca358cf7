"""What a provider reads before applying (issue 19): the public announcement of a DAS with
everything its settings say, and the model agreement as a PDF preview.

Read-only: nothing here writes to the database. The preview PDF is kept in the document store
under the hash of its HTML, so the same settings are drawn once, not on every download."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy.orm import joinedload, selectinload

from portal.domain import evidence, initial_round
from portal.extensions import db
from portal.infra.storage import get_storage
from portal.models import (
    ContractingAuthority,
    Das,
    DasChange,
    DasState,
    Lot,
    Tariff,
    TariffSheet,
)
from portal.services import agreements, documents

#: States in which a DAS is announced to the public. An ended DAS stays readable: its awards
#: and agreements are public record (seed 003 §4.5).
PUBLISHED_STATES = (DasState.OPEN, DasState.CLOSED, DasState.ENDED)
PREVIEWS = "previews"


def published_das(slug: str) -> Das | None:
    """The announced DAS with what its page shows, loaded in a fixed number of queries."""
    return db.session.scalar(
        db.select(Das)
        .where(Das.slug == slug, Das.state.in_(PUBLISHED_STATES))
        .options(
            joinedload(Das.lead_authority),
            selectinload(Das.authorities).joinedload(ContractingAuthority.parent),
            selectinload(Das.lots).selectinload(Lot.products),
            selectinload(Das.criteria),
        )
    )


def authorities_by_subregion(das: Das) -> dict[str, list[ContractingAuthority]]:
    """The municipalities grouped by their subregion ("" for those without one), by name."""
    groups: dict[str, list[ContractingAuthority]] = {}
    for authority in das.authorities:
        groups.setdefault(authority.parent.name if authority.parent else "", []).append(authority)
    return dict(sorted(groups.items()))


@dataclass(frozen=True)
class TariffsShown:
    """The tariff sheet the announcement shows, and whether this year's is still pending."""

    year: int  # the current year
    sheet: TariffSheet | None  # the sheet in force: this year's, or else the latest before it
    sheets: list[TariffSheet]  # the sheet in force per year (corrections replace), newest first
    amounts: dict[int, int]  # product id -> cents, of `sheet`

    @property
    def pending(self) -> bool:
        """This year's sheet is not published yet, so an earlier year's is shown."""
        return self.sheet is not None and self.sheet.year < self.year


def tariffs_shown(das_id: int, today: date) -> TariffsShown:
    """Two queries: the DAS's sheets (one a year, and corrections) and the shown one's tariffs.
    A correction replaces its year's sheet (the last published for a year counts)."""
    sheets = list(
        db.session.scalars(
            db.select(TariffSheet)
            .where(TariffSheet.das_id == das_id)
            .order_by(TariffSheet.year.desc(), TariffSheet.id.desc())
        )
    )
    per_year: dict[int, TariffSheet] = {}
    for s in sheets:
        per_year.setdefault(s.year, s)  # the newest of a year: a correction replaces
    sheet = next((s for s in per_year.values() if s.year <= today.year), None)
    amounts: dict[int, int] = {}
    if sheet is not None:
        amounts = {
            product_id: cents
            for product_id, cents in db.session.execute(
                db.select(Tariff.product_id, Tariff.amount_cents).where(Tariff.sheet_id == sheet.id)
            )
        }
    return TariffsShown(today.year, sheet, list(per_year.values()), amounts)


def changes_of(das_id: int) -> list[DasChange]:
    """The change notices (rectificaties) of the announcement, newest first."""
    return list(
        db.session.scalars(
            db.select(DasChange)
            .where(DasChange.das_id == das_id)
            .order_by(DasChange.version.desc(), DasChange.id.desc())
        )
    )


def max_evidence_ages(das: Das) -> dict[int, dict[str, int | None]]:
    """Per criterion, per evidence type that counts, the oldest a document may be in months
    (the type's own limit and the criterion's, the strictest; None: no limit by age)."""
    return {
        c.id: {
            t.value: evidence.strictest_max_age(t.value, [c.max_evidence_age_months])
            for t in c.evidence_types
        }
        for c in das.criteria
    }


def round_state(das: Das, today: date) -> Literal["open", "closed"] | None:
    return initial_round.round_state(today, das.first_round_closes_on)


# --- the model agreement -----------------------------------------------------------------


def model_agreement_html(das: Das, today: date) -> str:
    """The agreement a provider admitted today would sign, with every lot and product of the
    DAS, the tariffs in force and the terms as set, with placeholders for the provider
    (portal.services.agreements draws up the real ones from the same template)."""
    return agreements.agreement_document(das, None, das.lots, today=today)


def model_agreement_pdf(das: Das, today: date) -> bytes:
    """The model agreement as a PDF; drawn once per distinct text and then read from the store
    (it is public: a download must not cost a rendering each time)."""
    html = model_agreement_html(das, today)
    key = documents.key_for(hashlib.sha256(html.encode()).hexdigest(), PREVIEWS)
    storage = get_storage()
    if storage.exists(key):
        return storage.read_bytes(key)
    content = documents.render_pdf(html)
    storage.put_bytes(key, content)
    return content
