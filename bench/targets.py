"""The key pages of the page benchmark (bench/run_pages.py), and the records they are shown for.

The records are chosen by the same rule at every scale, each the heaviest of its kind, so a
page is measured where it has the most to show: the DAS with the most applications, the provider
with the most applications that still has a draft, the submitted application with the most
answers, the agreement with the most KPI values. Needs an application context (portal models).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from portal.extensions import db
from portal.models import (
    Answer,
    Application,
    ApplicationState,
    Das,
    FrameworkAgreement,
    Lot,
    Product,
    Role,
    StaffAssignment,
    TariffSheet,
    User,
)
from portal.models.catalogue import das_authority
from portal.models.kpis import KpiValue

PUBLIC, PROVIDER, REVIEWER, MANAGER = "public", "provider", "reviewer", "manager"


@dataclass(frozen=True)
class Page:
    name: str
    role: str
    url: str


@dataclass(frozen=True)
class Targets:
    das_slug: str
    provider_email: str
    reviewer_email: str
    manager_email: str
    draft_id: int
    in_review_id: int
    agreement_id: int
    sheet_id: int
    kpi_values_of_agreement: int
    # The waiting-time register (issue 23): a municipality of the DAS and a product of its first
    # lot, for the filtered national search.
    municipality_id: int
    product_param: str

    def pages(self) -> list[Page]:
        """`/healthz` first: every figure is a ratio to it."""
        slug = self.das_slug
        return [
            Page("healthz", PUBLIC, "/healthz"),
            Page("public DAS page", PUBLIC, f"/das/{slug}"),
            Page("provider dashboard", PROVIDER, "/aanbieder/"),
            Page(
                "application form",
                PROVIDER,
                f"/aanbieder/aanmeldingen/{self.draft_id}/geschiktheidseisen",
            ),
            Page("reviewer queue", REVIEWER, "/beoordeling/"),
            Page("application review", REVIEWER, f"/beoordeling/aanmeldingen/{self.in_review_id}"),
            Page("contract register", MANAGER, "/contracten/"),
            # The DAS overview over every agreement's KPI values (issue 21: read by the
            # current-value flag, with its charts and the region's own KPIs).
            Page("DAS overview", MANAGER, f"/contracten/das/{slug}/overzicht"),
            Page("KPI per agreement", MANAGER, f"/contracten/{self.agreement_id}/kpi"),
            Page("tariff sheet", PUBLIC, f"/das/{slug}/tarieven/{self.sheet_id}"),
            Page("OCDS release package", PUBLIC, f"/das/{slug}/ocds.json"),
            # The national waiting-time register, and filtered as a referrer searches it; the
            # contract managers' overview of who has not updated (issue 23).
            Page("waiting register", PUBLIC, "/wachttijden"),
            Page(
                "waiting register filtered",
                PUBLIC,
                f"/wachttijden?gemeente={self.municipality_id}&product={self.product_param}"
                "&aanname=1",
            ),
            Page("waiting times overview", MANAGER, f"/contracten/das/{slug}/wachttijden?alle=1"),
        ]


def _first(statement: sa.Select) -> int:
    found = db.session.scalar(statement.limit(1))
    if found is None:
        raise LookupError(f"nothing found for the benchmark: {statement}")
    return int(found)


def choose() -> Targets:
    das_id = _first(
        sa.select(Application.das_id)
        .group_by(Application.das_id)
        .order_by(sa.func.count().desc(), Application.das_id)
    )
    das = db.session.get(Das, das_id)
    assert das is not None
    drafts = (
        sa.select(Application.organisation_id)
        .where(Application.state == ApplicationState.DRAFT, Application.das_id == das_id)
        .scalar_subquery()
    )
    organisation_id = _first(
        sa.select(Application.organisation_id)
        .where(Application.organisation_id.in_(drafts))
        .group_by(Application.organisation_id)
        .order_by(sa.func.count().desc(), Application.organisation_id)
    )
    draft_id = _first(
        sa.select(Application.id).where(
            Application.organisation_id == organisation_id,
            Application.das_id == das_id,
            Application.state == ApplicationState.DRAFT,
        )
    )
    provider = _first(
        sa.select(User.id).where(User.organisation_id == organisation_id).order_by(User.id)
    )
    in_review_id = _first(
        sa.select(Application.id)
        .join(Answer, Answer.application_id == Application.id)
        .where(Application.das_id == das_id, Application.state == ApplicationState.SUBMITTED)
        .group_by(Application.id)
        .order_by(sa.func.count().desc(), Application.id)
    )
    agreement_id = _first(
        sa.select(KpiValue.agreement_id)
        .join(FrameworkAgreement, FrameworkAgreement.id == KpiValue.agreement_id)
        .where(FrameworkAgreement.das_id == das_id)
        .group_by(KpiValue.agreement_id)
        .order_by(sa.func.count().desc(), KpiValue.agreement_id)
    )
    kpi_values = db.session.scalar(
        sa.select(sa.func.count()).where(KpiValue.agreement_id == agreement_id)
    )
    sheet_id = _first(
        sa.select(TariffSheet.id).where(TariffSheet.das_id == das_id).order_by(TariffSheet.id)
    )

    municipality_id = _first(
        sa.select(das_authority.c.authority_id)
        .where(das_authority.c.das_id == das_id)
        .order_by(das_authority.c.authority_id)
    )
    product = db.session.execute(
        sa.select(Product.ijw_category, Product.code)
        .join(Lot, Lot.id == Product.lot_id)
        .where(Lot.das_id == das_id)
        .order_by(Lot.position, Lot.id, Product.id)
        .limit(1)
    ).one()

    def staff(role: Role) -> str:
        user_id = _first(
            sa.select(User.id)
            .join(StaffAssignment, StaffAssignment.user_id == User.id)
            .where(StaffAssignment.das_id == das_id, User.role == role)
            .order_by(User.id)
        )
        return db.session.get(User, user_id).email

    return Targets(
        das_slug=das.slug,
        provider_email=db.session.get(User, provider).email,
        reviewer_email=staff(Role.REVIEWER),
        manager_email=staff(Role.CONTRACT_MANAGER),
        draft_id=draft_id,
        in_review_id=in_review_id,
        agreement_id=agreement_id,
        sheet_id=sheet_id,
        kpi_values_of_agreement=int(kpi_values or 0),
        municipality_id=municipality_id,
        product_param=f"{product[0]}-{product[1]}",
    )
