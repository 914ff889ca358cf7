"""A DAS's terms (issue 19): refusals, a published DAS's revised SROI rule, what running agreements
fix, the agreement text and the submission snapshot."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from pypdf import PdfReader

from portal.domain import das_terms as rules
from portal.extensions import db
from portal.models import (
    AgreementVariation,
    Das,
    DasState,
    PrivacyRole,
    ReportingPeriod,
    Role,
    SroiRuleChange,
    VariationKind,
)
from portal.services import ServiceError, agreements, calendar, das_terms, kpis
from tests import factories
from tests.factories import admit, at

TODAY = date(2026, 11, 20)

TERMS = rules.Terms(
    ova_percent=Decimal(85),
    ppc_percent=Decimal(15),
    first_index_year=2027,
    sroi=rules.SroiRule(300_000_00, Decimal("4.5"), 2026),
    allocation_who_chooses="Ouders kiezen met de toegang.",
    allocation_request="Via een 301-bericht van de gemeente.",
    allocation_no_capacity="Binnen vijf werkdagen melden; de ouders kiezen opnieuw.",
    privacy_role="joint_controllers",
    privacy_text="Aanvullend: gegevens blijven in de EU.",
)


@pytest.fixture()
def setting(app: Flask):
    calendar.ensure_statutory_holidays(range(2026, 2031))
    db.session.commit()
    das = factories.DasFactory(state=DasState.DRAFT)
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    return das, admin


def save(admin, das: Das, terms: rules.Terms = TERMS, today: date = TODAY) -> list[str]:
    return das_terms.save_terms(admin, das, terms, at(today), today)


def test_a_draft_das_takes_its_terms_as_typed(setting) -> None:
    das, admin = setting
    changed = save(admin, das)
    db.session.refresh(das)
    assert das.ova_weight == Decimal("0.85") and das.ppc_weight == Decimal("0.15")
    assert das.first_index_year == 2027
    assert (das.sroi_threshold_cents, das.sroi_percent, das.sroi_reference_year) == (
        300_000_00,
        Decimal("4.5"),
        2026,
    )
    assert das.privacy_role is PrivacyRole.JOINT_CONTROLLERS
    assert das.requires_processing_agreement is False
    assert das.allocation_request == "Via een 301-bericht van de gemeente."
    assert {"ova_percent", "privacy_role", "sroi_percent"} <= set(changed)
    assert save(admin, das) == []  # the same again changes nothing

    save(admin, das, replace(TERMS, privacy_role="processor"))
    assert das.requires_processing_agreement is True


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        (
            {"ova_percent": Decimal(80), "ppc_percent": Decimal(10)},
            "ppc_percent",
            "weights_not_hundred",
        ),
        (
            {"ova_percent": Decimal(120), "ppc_percent": Decimal(-20)},
            "ova_percent",
            "weight_percent_out_of_range",
        ),
        ({"sroi": rules.SroiRule(1, Decimal(101))}, "sroi_percent", "percent_out_of_range"),
        ({"sroi": rules.SroiRule(1, Decimal(5), 2024)}, "sroi_reference_year", "year_outside_term"),
        ({"sroi": rules.SroiRule(1, Decimal(5), 2036)}, "sroi_reference_year", "year_outside_term"),
        ({"first_index_year": 2019}, "first_index_year", "year_outside_term"),
        ({"allocation_request": "   "}, "allocation_request", "allocation_text_missing"),
        ({"privacy_role": ""}, "privacy_role", "privacy_role_missing"),
        ({"privacy_role": "owner"}, "privacy_role", "privacy_role_missing"),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_saved(setting, change, field, code) -> None:
    das, admin = setting
    before = (das.ova_weight, das.sroi_percent, das.allocation_request, das.privacy_role)
    with pytest.raises(das_terms.TermsRefused) as refused:
        save(admin, das, replace(TERMS, **change))
    assert refused.value.problems[field].code == code
    db.session.refresh(das)
    assert (das.ova_weight, das.sroi_percent, das.allocation_request, das.privacy_role) == before


def test_the_last_year_of_the_term_counts_every_option(setting) -> None:
    das, admin = setting  # 2026 to 2029, twice three years: 2035 is the last possible year
    save(admin, das, replace(TERMS, sroi=rules.SroiRule(1, Decimal(5), 2035)))
    assert das.sroi_reference_year == 2035


def test_only_an_administrator_saves_terms(setting) -> None:
    das, _admin = setting
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    with pytest.raises(ServiceError) as refused:
        save(reviewer, das)
    assert refused.value.code == "not_found"


def test_a_published_das_revises_its_sroi_rule_from_next_year(setting) -> None:
    das, admin = setting
    save(admin, das)
    das.state = DasState.OPEN
    db.session.commit()
    revised = replace(TERMS, sroi=rules.SroiRule(200_000_00, Decimal(3), None))
    changed = save(admin, das, revised)
    assert "sroi_rule" in changed
    db.session.refresh(das)
    # The rule as published holds this year; the revision from 1 January next year.
    assert (das.sroi_threshold_cents, das.sroi_percent) == (300_000_00, Decimal("4.5"))
    assert das_terms.sroi_rule_of(das, 2026) == rules.SroiRule(300_000_00, Decimal("4.5"), 2026)
    assert das_terms.sroi_rule_of(das, 2027) == rules.SroiRule(200_000_00, Decimal(3), None)
    change = db.session.scalar(db.select(SroiRuleChange).where(SroiRuleChange.das_id == das.id))
    assert change.from_year == 2027 and change.decided_by_id == admin.id
    # Revising again in the same year replaces the planned revision, not the published rule.
    save(admin, das, replace(TERMS, sroi=rules.SroiRule(210_000_00, Decimal(3), None)))
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(SroiRuleChange)
            .where(SroiRuleChange.das_id == das.id)
        )
        == 1
    )
    assert das_terms.sroi_rule_of(das, 2030).threshold_cents == 210_000_00
    view = das_terms.terms_of(das, TODAY)
    assert view.sroi_now.threshold_cents == 300_000_00 and view.sroi_next_year == 2027


def test_the_sroi_obligation_follows_the_rule_of_its_year() -> None:
    published = rules.SroiRule(250_000_00, Decimal(5))
    revised = rules.SroiRule(100_000_00, Decimal(2))
    assert rules.sroi_rule_for(2026, published, [(2027, revised)]) is published
    assert rules.sroi_rule_for(2027, published, [(2027, revised)]) is revised
    assert rules.sroi_rule_for(2031, published, [(2029, published), (2027, revised)]) is published
    assert revised.measured_year(2027) == 2026
    assert rules.SroiRule(1, Decimal(1), 2025).measured_year(2028) == 2025


def test_running_agreements_fix_weights_and_privacy_role_and_vary_on_texts(setting) -> None:
    das, admin = setting
    save(admin, das)
    das.state = DasState.OPEN
    db.session.commit()
    provider = factories.ProviderUserFactory()
    agreement = admit(das, provider, date(2026, 12, 1), live=True)
    later = date(2026, 12, 10)

    with pytest.raises(das_terms.TermsRefused) as refused:
        save(admin, das, replace(TERMS, ova_percent=Decimal(80), ppc_percent=Decimal(20)), later)
    assert refused.value.problems["ova_percent"].code == "terms_fixed_by_agreements"
    with pytest.raises(das_terms.TermsRefused) as refused:
        save(admin, das, replace(TERMS, privacy_role="processor"), later)
    assert refused.value.problems["privacy_role"].code == "terms_fixed_by_agreements"
    db.session.refresh(das)
    assert das.ova_weight == Decimal("0.85") and das.privacy_role is PrivacyRole.JOINT_CONTROLLERS

    save(
        admin,
        das,
        replace(
            TERMS,
            allocation_no_capacity="Binnen drie werkdagen melden.",
            sroi=rules.SroiRule(200_000_00, Decimal(3), None),
        ),
        later,
    )
    variations = db.session.scalars(
        db.select(AgreementVariation)
        .where(
            AgreementVariation.agreement_id == agreement.id,
            AgreementVariation.kind == VariationKind.TERMS,
        )
        .order_by(AgreementVariation.effective_on)
    ).all()
    assert [v.effective_on for v in variations] == [later, date(2027, 1, 1)]
    assert "geen plek" in variations[0].description
    assert "vanaf 2027" in variations[1].description and "200.000" in variations[1].description
    assert das.allocation_no_capacity == "Binnen drie werkdagen melden."


def _define_kpis(admin, das: Das) -> None:
    kpis.save_definition(
        admin,
        das,
        None,
        "GEZINSHUIS",
        "Aantal gezinshuizen",
        "gezinshuizen",
        True,
        Decimal(20),
        Decimal(16),
        ReportingPeriod.YEAR,
    )


def test_the_snapshot_keeps_the_terms_an_application_was_made_under(setting) -> None:
    das, admin = setting
    save(admin, das)
    _define_kpis(admin, das)
    das.state = DasState.OPEN
    db.session.commit()
    provider = factories.ProviderUserFactory()
    application = factories.submitted_application(das, provider, date(2026, 12, 1))
    terms = application.snapshot["terms"]
    assert terms["indexation"]["ova_weight"].startswith("0.85")
    assert (
        terms["sroi"]["threshold_cents"] == 300_000_00 and terms["sroi"]["reference_year"] == 2026
    )
    assert terms["privacy"] == {
        "role": "joint_controllers",
        "text": "Aanvullend: gegevens blijven in de EU.",
        "requires_processing_agreement": False,
    }
    assert terms["allocation"]["request"] == "Via een 301-bericht van de gemeente."
    assert [(k["code"], k["target"]) for k in terms["kpis"]] == [("GEZINSHUIS", "20.00")]
    # A later change of the terms does not change what was applied under.
    save(admin, das, replace(TERMS, allocation_request="Anders."), date(2026, 12, 2))
    db.session.refresh(application)
    assert application.snapshot["terms"]["allocation"]["request"] == (
        "Via een 301-bericht van de gemeente."
    )


def _pdf_text(content: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.real_pdf  # reads the PDF
def test_the_agreement_states_the_configured_terms(setting) -> None:
    das, admin = setting
    save(admin, das)
    _define_kpis(admin, das)
    das.state = DasState.OPEN
    db.session.commit()
    provider = factories.ProviderUserFactory()
    agreement = admit(das, provider, date(2026, 12, 1))
    content, _name = agreements.document(agreement)
    text = " ".join(_pdf_text(content).split())
    assert "85% OVA" in text and "15% PPC" in text
    assert "90% OVA" not in text
    assert "Aantal gezinshuizen" in text and "20 gezinshuizen" in text
    assert "€ 300.000,00" in text and "4,5%" in text and "in 2026" in text
    assert "Via een 301-bericht van de gemeente." in text
    assert "Binnen vijf werkdagen melden; de ouders kiezen opnieuw." in text
    assert "artikel 26 AVG" in text and "gegevens blijven in de EU" in text
    assert "verwerker van de gemeenten" not in text  # not the processor's text


@pytest.mark.real_pdf  # reads the PDF
def test_the_model_agreement_has_placeholders_for_the_provider(setting) -> None:
    das, admin = setting
    save(admin, das, replace(TERMS, privacy_role="processor"))
    text = " ".join(_pdf_text(agreements.model_agreement_pdf(das, None, das.lots)).split())
    assert "[naam van de jeugdhulpaanbieder]" in text
    assert "01-01-2026" in text and "31-12-2029" in text
    assert "verwerker van de gemeenten" in text and "Bijlage: verwerkersovereenkomst" in text
    assert das.lots[0].name in text
