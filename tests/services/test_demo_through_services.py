"""The demo loader makes its two DAS instances through the services the pages use (issue 19,
"Done when"): every lot, product, criterion, staff assignment, tariff sheet and the terms leave
the audit event their page leaves, and the configuration passes the publish checklist."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from flask import Flask
from sqlalchemy import ColumnElement

from portal.devdata.demo import load_demo
from portal.domain import das_life_cycle
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Criterion,
    CriterionOrigin,
    Das,
    DasState,
    Lot,
    PrivacyRole,
    Product,
    StaffAssignment,
    TariffSheet,
)
from portal.services import das_setup

TODAY = date(2026, 11, 22)


def _events(das: Das) -> Counter[str]:
    return Counter(
        db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.das_id == das.id))
    )


def _count(model: type, *where: ColumnElement[bool]) -> int:
    return int(db.session.scalar(db.select(db.func.count()).select_from(model).where(*where)) or 0)


def test_each_demo_das_is_recorded_by_the_services_and_passes_the_checklist(app: Flask) -> None:
    load_demo(TODAY)
    load_demo(TODAY)  # a second run finds everything and makes nothing twice
    made = db.session.scalars(db.select(Das).order_by(Das.slug)).all()
    assert [d.state for d in made] == [DasState.OPEN, DasState.OPEN]
    for das in made:
        facts = das_setup.facts_of(das, TODAY)
        assert das_life_cycle.publish_checklist(facts, TODAY) == []
        # Its publication date passed the checklist then too (the demo publishes in 2025).
        assert das.published_at is not None
        published_on = das.published_at.date()
        assert (
            das_life_cycle.publish_checklist(das_setup.facts_of(das, published_on), published_on)
            == []
        )

        events = _events(das)
        lots = _count(Lot, Lot.das_id == das.id)
        products = _count(
            Product, Product.lot_id.in_(db.select(Lot.id).where(Lot.das_id == das.id))
        )
        criteria = _count(Criterion, Criterion.das_id == das.id)
        staff = _count(StaffAssignment, StaffAssignment.das_id == das.id)
        assert lots and products and criteria and staff
        assert events["lot.saved"] == lots
        assert events["product.created"] == products
        assert events["criterion.added"] == criteria
        assert events["staff.assigned"] == staff == 3
        assert events["das.terms_saved"] == 1
        assert events["index_weights.saved"] == 1
        assert events["tariff_sheet.published"] == _count(TariffSheet, TariffSheet.das_id == das.id)
        assert events["das.created"] == events["das.authorities_set"] == 1
        assert events["das.published"] == 1
        # Saved as a concept: no change notice.
        assert das_setup.change_notices(das) == []


def test_the_demo_criteria_name_their_origin(app: Flask) -> None:
    load_demo(TODAY)
    for das in db.session.scalars(db.select(Das)):
        origins = {c.code: c.origin for c in das.criteria}
        # Seed 003 §4.7 "Berichtenverkeer": the region's own criterion, no ESPD code.
        assert origins.pop("G3") is CriterionOrigin.OWN
        assert set(origins.values()) == {CriterionOrigin.ESPD}
        assert all(c.espd_codes for c in das.criteria if c.code != "G3")
        g3 = next(c for c in das.criteria if c.code == "G3")
        assert g3.espd_codes == "" and not g3.evidence_required


def test_the_demo_terms_follow_seed_003(app: Flask) -> None:
    load_demo(TODAY)
    ml = db.session.scalar(db.select(Das).where(Das.reference == "ML-AJW"))
    parkstad = db.session.scalar(db.select(Das).where(Das.reference == "PS-DYS"))
    assert ml is not None and parkstad is not None
    # Tariffs at 2024 prices, first indexed on 1 January 2025 (seed 003 §4.6): 2024 is the first
    # contract year although the term starts in 2026, and 2025 carries 2024's after-calculation.
    assert (ml.tariff_base_year, ml.first_index_year) == (2024, 2024)
    sheet_2025 = db.session.scalar(
        db.select(TariffSheet).where(TariffSheet.das_id == ml.id, TariffSheet.year == 2025)
    )
    assert sheet_2025 is not None and sheet_2025.index_total == Decimal("4.957")
    assert (parkstad.tariff_base_year, parkstad.first_index_year) == (2026, 2026)
    # The privacy role decides the processing agreement (seed 003 §5.2).
    assert (ml.privacy_role, ml.requires_processing_agreement) == (PrivacyRole.PROCESSOR, True)
    assert (parkstad.privacy_role, parkstad.requires_processing_agreement) == (
        PrivacyRole.INDEPENDENT_CONTROLLER,
        False,
    )
    assert (ml.sroi_threshold_cents, ml.sroi_percent, ml.sroi_reference_year) == (
        250_000_00,
        Decimal(5),
        None,
    )
