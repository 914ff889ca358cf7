"""A terms change on a published DAS is a change notice (rectificatie, issue 19): dated, on the
public page, naming each setting changed in Dutch with what it was and what it becomes. A concept
announces nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.domain import das_terms as rules
from portal.extensions import db
from portal.models import DasChange, DasState, PrivacyRole, Role
from portal.services import calendar, das_setup, das_terms
from tests import factories
from tests.factories import at

TODAY = date(2026, 11, 20)

TERMS = rules.Terms(
    ova_percent=Decimal(90),
    ppc_percent=Decimal(10),
    first_index_year=2026,
    sroi=rules.SroiRule(250_000_00, Decimal(5)),
    allocation_who_chooses="Ouders kiezen met de toegang.",
    allocation_request="Via een 301-bericht van de gemeente.",
    allocation_no_capacity="Binnen vijf werkdagen melden; de ouders kiezen opnieuw.",
    privacy_role="independent_controller",
    privacy_text="",
)


@pytest.fixture()
def published(app: Flask):
    """A DAS published with TERMS (version 1 of its announcement), no agreements yet."""
    calendar.ensure_statutory_holidays(range(2025, 2031))
    db.session.commit()
    das = factories.DasFactory(state=DasState.DRAFT)
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    das_terms.save_terms(admin, das, TERMS, at(date(2025, 9, 1)), date(2025, 9, 1))
    das.state = DasState.OPEN
    das.published_at = at(date(2025, 10, 1))
    db.session.commit()
    return das, admin


def test_a_concept_announces_no_change(app: Flask) -> None:
    das = factories.DasFactory(state=DasState.DRAFT)
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    das_terms.save_terms(admin, das, TERMS, at(TODAY), TODAY)
    das_terms.save_terms(
        admin,
        das,
        replace(TERMS, ova_percent=Decimal(80), ppc_percent=Decimal(20)),
        at(TODAY),
        TODAY,
    )
    assert das_setup.change_notices(das) == []


def test_a_published_das_terms_change_is_a_dated_notice_in_dutch(published) -> None:
    das, admin = published
    changed = das_terms.save_terms(
        admin,
        das,
        replace(
            TERMS,
            ova_percent=Decimal("87.5"),
            ppc_percent=Decimal("12.5"),
            first_index_year=2027,
            sroi=rules.SroiRule(300_000_00, Decimal("4.5"), 2026),
            allocation_request="De gemeente belt de aanbieder.",
            privacy_role="joint_controllers",
            privacy_text="Gegevens blijven in de EU.",
        ),
        at(TODAY),
        TODAY,
    )
    assert set(changed) == {
        "ova_percent",
        "first_index_year",
        "sroi_rule",
        "allocation_request",
        "privacy_role",
        "privacy_text",
    }
    [notice] = das_setup.change_notices(das)
    assert notice.version == 2 and notice.published_by_id == admin.id
    assert notice.published_at.date() == TODAY
    assert notice.changes == {
        "Indexatie: gewichten van OVA en PPC": ["90% OVA en 10% PPC", "87,5% OVA en 12,5% PPC"],
        "Indexatie: eerste contractjaar": ["2026", "2027"],
        "Social return vanaf 2027": [
            "boven een omzet van €\xa0250.000,00 (excl. btw) 5% van de omzet van het voorafgaande "
            "jaar",
            "boven een omzet van €\xa0300.000,00 (excl. btw) 4,5% van de omzet van 2026",
        ],
        "Wijze toewijzing cliënten: hoe een jeugdhulpaanbieder wordt gevraagd": [
            "Via een 301-bericht van de gemeente.",
            "De gemeente belt de aanbieder.",
        ],
        "Privacy: rol van de jeugdhulpaanbieder": [
            "zelfstandig verwerkingsverantwoordelijke",
            "gezamenlijk verwerkingsverantwoordelijken",
        ],
        "Privacy: aanvullende afspraken": ["", "Gegevens blijven in de EU."],
    }
    assert notice.summary.startswith("De voorwaarden van het aankoopsysteem zijn gewijzigd: ")
    assert "social return vanaf 2027" in notice.summary

    # The same terms again change nothing and announce nothing.
    assert das_terms.save_terms(admin, das, _as_saved(das), at(TODAY), TODAY) == []
    assert len(das_setup.change_notices(das)) == 1


def _as_saved(das) -> rules.Terms:
    return rules.Terms(
        ova_percent=Decimal(das.ova_weight) * 100,
        ppc_percent=Decimal(das.ppc_weight) * 100,
        first_index_year=das.first_index_year,
        sroi=das_terms.sroi_rule_of(das, TODAY.year + 1),
        allocation_who_chooses=das.allocation_who_chooses,
        allocation_request=das.allocation_request,
        allocation_no_capacity=das.allocation_no_capacity,
        privacy_role=das.privacy_role.value,
        privacy_text=das.privacy_text,
    )


def test_a_summary_given_is_kept_and_the_notice_is_public(published, client: FlaskClient) -> None:
    das, admin = published
    das_terms.save_terms(
        admin,
        das,
        replace(TERMS, privacy_role=PrivacyRole.PROCESSOR.value),
        at(TODAY),
        TODAY,
        change_summary="Na overleg met de privacy officers is de aanbieder verwerker.",
    )
    notice = db.session.scalar(db.select(DasChange).where(DasChange.das_id == das.id))
    assert notice is not None
    assert notice.summary == "Na overleg met de privacy officers is de aanbieder verwerker."
    page = client.get(f"/das/{das.slug}").get_data(as_text=True)
    assert "Na overleg met de privacy officers is de aanbieder verwerker." in page
    assert "Privacy: rol van de jeugdhulpaanbieder" in page
    assert "zelfstandig verwerkingsverantwoordelijke" in page


def test_a_refused_terms_change_announces_nothing(published) -> None:
    das, admin = published
    with pytest.raises(das_terms.TermsRefused):
        das_terms.save_terms(
            admin,
            das,
            replace(TERMS, privacy_role="", allocation_request="Anders."),
            at(TODAY),
            TODAY,
        )
    db.session.rollback()
    assert das_setup.change_notices(das) == []
