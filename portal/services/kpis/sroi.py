"""Social return (SROI): a provider's realised amounts, and each agreement's obligation and
status for a year. Rules: portal.domain.contract_management (the obligation) and
portal.domain.das_terms (which rule holds for a year, and whose turnover it is measured on: a
revision applies from the year after it was decided, seed 003 §4.4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import contains_eager

from portal.domain import contract_management as rules
from portal.domain import das_terms as terms_rules
from portal.domain import money
from portal.extensions import db
from portal.models import (
    Das,
    EvidenceDocument,
    FrameworkAgreement,
    Organisation,
    SroiReport,
    SroiTurnover,
    User,
)
from portal.services import ServiceError, das_terms
from portal.services.audit import record
from portal.services.kpis.definitions import TURNOVER
from portal.services.kpis.figures import LIVE_STATES, sums_query
from portal.services.ownership import (
    require_provider_of,
)
from portal.services.paging import Page, paginate

SroiRow = tuple[FrameworkAgreement, int | None, int, rules.SroiStatus]


@dataclass(frozen=True)
class SroiRules:
    """A DAS's SROI rule for every year, read once: the rule as published and its revisions
    (portal.services.das_terms). A page that needs the rule of several years asks this, not the
    database per year."""

    published: terms_rules.SroiRule
    revisions: tuple[tuple[int, terms_rules.SroiRule], ...]

    def for_year(self, year: int) -> terms_rules.SroiRule:
        return terms_rules.sroi_rule_for(year, self.published, self.revisions)


def sroi_rules_of(das: Das) -> SroiRules:
    """One query, however many years are asked of it."""
    return SroiRules(
        das_terms.published_sroi_rule(das),
        tuple(
            (
                change.from_year,
                terms_rules.SroiRule(
                    change.threshold_cents, Decimal(change.percent), change.reference_year
                ),
            )
            for change in das_terms.sroi_revisions(das.id)
        ),
    )


def sroi_row(
    rule: terms_rules.SroiRule,
    agreement: FrameworkAgreement,
    measured_turnover: Decimal | None,
    realised_cents: int | None,
    today: date,
    year: int,
) -> SroiRow:
    """The obligation of `year` under `rule`, measured on the turnover of the rule's measured
    year (`rule.measured_year(year)`), what was realised, and the status."""
    obligation = rules.sroi_obligation(
        money.cents_of(measured_turnover or Decimal(0)), rule.threshold_cents, rule.percent
    )
    done = int(realised_cents or 0)
    return agreement, obligation, done, rules.sroi_status(obligation, done, today, year)


@dataclass(frozen=True)
class SroiPage(Page[SroiRow]):
    """A page of the social-return table with the rule its obligations were computed by."""

    rule: terms_rules.SroiRule = terms_rules.SroiRule(0, Decimal(0))
    year: int = 0
    # Per agreement on the page the turnover its obligation is measured on (cents; None: none
    # known), and the agreements whose figure the contract managers entered (SroiTurnover).
    measured_cents: dict[int, int | None] = field(default_factory=dict)
    entered: frozenset[int] = frozenset()

    @property
    def measured_year(self) -> int:
        return self.rule.measured_year(self.year)


def sroi_page(das: Das, year: int, today: date, number: int, per_page: int) -> SroiPage:
    """One page of the social-return table: the live agreements by the turnover the year's
    obligation is measured on (the year before, or the rule's fixed reference year), highest
    first (the obligation grows with it; below the threshold there is none), then by name. The
    turnover is the reference turnover the contract managers entered for that year
    (portal.services.kpis.sroi_turnover), else the one the provider reported. The same order as
    `das_overview(...).sroi`, sorted and cut in SQL, so a page costs the same however many
    agreements there are."""
    rule = das_terms.sroi_rule_of(das, year)
    measured = rule.measured_year(year)
    turnover = sums_query(
        das.id, TURNOVER, date(measured, 1, 1), date(measured + 1, 1, 1)
    ).subquery()
    entered = (
        db.select(SroiTurnover.agreement_id, SroiTurnover.amount_cents)
        .where(SroiTurnover.year == measured)
        .subquery()
    )
    realised = (
        db.select(SroiReport.agreement_id, db.func.sum(SroiReport.amount_cents).label("total"))
        .where(SroiReport.year == year)
        .group_by(SroiReport.agreement_id)
        .subquery()
    )
    measured_cents = db.func.coalesce(entered.c.amount_cents, turnover.c.total * 100)
    query = (
        db.select(FrameworkAgreement, turnover.c.total, entered.c.amount_cents, realised.c.total)
        .join(Organisation, Organisation.id == FrameworkAgreement.organisation_id)
        .outerjoin(turnover, turnover.c.agreement_id == FrameworkAgreement.id)
        .outerjoin(entered, entered.c.agreement_id == FrameworkAgreement.id)
        .outerjoin(realised, realised.c.agreement_id == FrameworkAgreement.id)
        .options(contains_eager(FrameworkAgreement.organisation))
        .where(FrameworkAgreement.das_id == das.id, FrameworkAgreement.state.in_(LIVE_STATES))
        .order_by(
            # Below the threshold there is no obligation: those rows follow, by name.
            db.case((measured_cents > rule.threshold_cents, measured_cents), else_=0).desc(),
            Organisation.legal_name,
            FrameworkAgreement.id,
        )
    )
    found = paginate(query, number, per_page, scalars=False)
    rows = []
    cents: dict[int, int | None] = {}
    entered_ids = set()
    for agreement, total, entered_cents, done in found.items:
        if entered_cents is not None:
            euros: Decimal | None = money.euros_of(int(entered_cents))
            entered_ids.add(agreement.id)
        else:
            euros = None if total is None else Decimal(total)
        cents[agreement.id] = None if euros is None else money.cents_of(euros)
        rows.append(sroi_row(rule, agreement, euros, done, today, year))
    return SroiPage(
        rows,
        found.total,
        found.number,
        found.per_page,
        rule=rule,
        year=year,
        measured_cents=cents,
        entered=frozenset(entered_ids),
    )


def report_sroi(
    user: User,
    agreement: FrameworkAgreement,
    year: int,
    activity: str,
    amount_cents: int,
    pso_level: str,
    now: datetime,
    document_id: int | None = None,
) -> SroiReport:
    require_provider_of(user, agreement.organisation_id)
    if not activity.strip():
        raise ServiceError("sroi_activity_required")
    if amount_cents <= 0:
        raise ServiceError("sroi_amount_positive")
    if document_id is not None:
        document = db.session.get(EvidenceDocument, document_id)
        if document is None or document.organisation_id != agreement.organisation_id:
            raise ServiceError("unknown_document")
    row = SroiReport(
        agreement_id=agreement.id,
        year=year,
        activity=activity.strip(),
        amount_cents=amount_cents,
        pso_level=pso_level.strip(),
        document_id=document_id,
        reported_at=now,
        reported_by_id=user.id,
    )
    db.session.add(row)
    record(
        "sroi.reported",
        agreement,
        user,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        year=year,
        amount_cents=amount_cents,
    )
    db.session.commit()
    return row


def sroi_reports_of(agreement: FrameworkAgreement) -> list[SroiReport]:
    return list(
        db.session.scalars(
            db.select(SroiReport)
            .where(SroiReport.agreement_id == agreement.id)
            .order_by(SroiReport.year.desc(), SroiReport.id)
        )
    )
