"""What a DAS asks its providers to report: KPI definitions (the national outcome set by
default) and the contract-management settings (SROI threshold and share, talks per year)."""

from __future__ import annotations

from decimal import Decimal

from portal.extensions import db
from portal.models import (
    Das,
    KpiDefinition,
    ReportingPeriod,
    User,
)
from portal.services import ServiceError
from portal.services.audit import record
from portal.services.ownership import (
    require_administrator,
)

CLIENTS, TURNOVER = "CLIENTS", "TURNOVER"


# The national outcome set and seed 003 (DOMAIN.md "Contract management").
DEFAULT_KPIS = [
    (CLIENTS, "Cliënten in zorg", "aantal", True, "1", "0", "quarter", "0", None),
    (TURNOVER, "Omzet excl. btw", "euro", True, "0", "0", "quarter", "0", None),
    ("DROPOUT", "Uitval (voortijdig beëindigd)", "%", False, "10", "20", "quarter", "0", "100"),
    ("SATISFACTION", "Cliënttevredenheid", "cijfer 1-10", True, "7.5", "6", "half_year", "1",
     "10"),
    ("GOALS", "Doelrealisatie", "%", True, "70", "50", "half_year", "0", "100"),
    ("WAITING", "Gemiddelde wachttijd", "dagen", False, "28", "42", "quarter", "0", None),
]  # fmt: skip


def definitions_of(das_id: int) -> list[KpiDefinition]:
    return list(
        db.session.scalars(
            db.select(KpiDefinition)
            .where(KpiDefinition.das_id == das_id)
            .order_by(KpiDefinition.position, KpiDefinition.id)
        )
    )


def ensure_default_kpis(admin: User, das: Das) -> list[str]:
    """Add the national outcome set's KPIs the DAS does not define yet; the codes added."""
    require_administrator(admin)
    existing = {d.code for d in definitions_of(das.id)}
    added = []
    for position, (code, name, unit, higher, target, threshold, period, low, high) in enumerate(
        DEFAULT_KPIS, start=1
    ):
        if code not in existing:
            db.session.add(
                KpiDefinition(
                    das_id=das.id,
                    code=code,
                    name=name,
                    unit=unit,
                    higher_is_better=higher,
                    target=Decimal(target),
                    threshold=Decimal(threshold),
                    period=ReportingPeriod(period),
                    min_value=Decimal(low) if low else None,
                    max_value=Decimal(high) if high else None,
                    position=position,
                )
            )
            added.append(code)
    if added:
        record("kpi.defaults_added", das, admin, das_id=das.id, codes=added)
    db.session.commit()
    return added


def save_definition(
    admin: User,
    das: Das,
    definition: KpiDefinition | None,
    code: str,
    name: str,
    unit: str,
    higher_is_better: bool,
    target: Decimal,
    threshold: Decimal,
    period: ReportingPeriod,
    region_specific: bool = False,
    target_for_region: bool = False,
) -> KpiDefinition:
    """A KPI of the national set or of the region's own (seed 002); a region's target may be one
    for the region as a whole (the sum over the providers: "Streefcijfer 2022 = 20" gezinshuizen),
    which only a region-specific KPI has."""
    require_administrator(admin)
    if target_for_region and not region_specific:
        raise ServiceError("region_target_needs_region_kpi")
    code = code.strip().upper()
    if any(d.code == code and d is not definition for d in definitions_of(das.id)):
        raise ServiceError("kpi_code_taken", kpi_code=code)
    if (higher_is_better and threshold > target) or (not higher_is_better and threshold < target):
        raise ServiceError("threshold_beyond_target")
    if definition is None:
        definition = KpiDefinition(das_id=das.id, position=len(definitions_of(das.id)) + 1)
        db.session.add(definition)
    definition.code, definition.name, definition.unit = code, name.strip(), unit.strip()
    definition.higher_is_better, definition.target, definition.threshold = (
        higher_is_better,
        target,
        threshold,
    )
    definition.period = period
    definition.region_specific, definition.target_for_region = region_specific, target_for_region
    record(
        "kpi.defined",
        das,
        admin,
        das_id=das.id,
        code=code,
        region_specific=region_specific,
        target_for_region=target_for_region,
    )
    db.session.commit()
    return definition


def save_settings(admin: User, das: Das, talks_top_n: int) -> None:
    """The contract manager's own setting: how many providers the talk selection holds. The SROI
    rule is not here: it is a term of the DAS (services.das_terms.save_terms), so that a
    published DAS's change is a revision from the next year, never a silent rewrite."""
    require_administrator(admin)
    das.talks_top_n = talks_top_n
    record("management_settings.saved", das, admin, das_id=das.id, talks_top_n=talks_top_n)
    db.session.commit()
