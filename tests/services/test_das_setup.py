"""Setting up and running a DAS (issue 19): create, authorities, the state machine with the
publish checklist, change notices, and every refusal the issue names."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask

from portal.domain.das_life_cycle import Part, State
from portal.extensions import db
from portal.models import (
    AuditEvent,
    AuthorityKind,
    ContractingAuthority,
    Das,
    DasChange,
    DasState,
    PrivacyRole,
    Role,
)
from portal.services import ServiceError, applications, das_setup, tariffs
from portal.services.contact_point import ContactPoint
from tests import factories

NOW = datetime(2026, 11, 20, 10, tzinfo=UTC)

SEED_003 = das_setup.Basics(
    name="Jeugdhulp Midden-Limburg",
    slug="jeugdhulp-midden-limburg",
    reference="ML-2026",
    summary="Ambulante jeugdhulp en wonen.",
    scope="Tweedelijns jeugdhulp.",
    how_to_apply="Meld u aan.",
    cpv_code="85000000-9",
    extra_cpv_codes="85311300-5",
    term_start=date(2026, 1, 1),
    initial_end_date=date(2029, 12, 31),
    extension_options_total=2,
    extension_option_years=3,
    review_working_days=10,
    four_eyes=True,
)
CONTACT = ContactPoint("Inkoopteam Jeugd", "inkoop@example.nl", "")


def admin() -> Any:
    return factories.UserFactory(role=Role.ADMINISTRATOR)


def problems_of(error: pytest.ExceptionInfo[ServiceError]) -> dict[str, list[str]]:
    assert error.value.code == das_setup.SETTINGS_REFUSED
    problems: dict[str, list[Any]] = error.value.params["problems"]  # type: ignore[assignment]
    return {field: [p.code for p in found] for field, found in problems.items()}


def test_states_match_the_model() -> None:
    assert {s.value for s in State} == {s.value for s in DasState}


def test_create_a_concept(app: Flask) -> None:
    das = das_setup.create_das(admin(), SEED_003, CONTACT, NOW)
    assert das.state is DasState.DRAFT
    assert (das.slug, das.term_start, das.extension_options_total) == (
        "jeugdhulp-midden-limburg",
        date(2026, 1, 1),
        2,
    )
    assert das.contact_name == "Inkoopteam Jeugd"
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "das.created"))


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"slug": "das-0"}, "slug", "slug_taken"),  # the factory's DAS
        ({"reference": "T-TAKEN"}, "reference", "reference_taken"),
        ({"slug": "Jeugd Hulp"}, "slug", "slug_form"),
        ({"initial_end_date": date(2025, 12, 31)}, "initial_end_date", "term_inverted"),
        ({"extension_option_years": 0}, "extension_option_years", "option_ends_before_term"),
        ({"review_working_days": 16}, "review_working_days", "review_days_out_of_range"),
        ({"cpv_code": "85000000"}, "cpv_code", "cpv_form"),
        ({"extra_cpv_codes": "85311300-5 jeugd"}, "extra_cpv_codes", "extra_cpv_form"),
        ({"name": " "}, "name", "name_required"),
        (
            {"first_round_closes_on": date(2025, 3, 1), "joint_decision_on": date(2025, 2, 1)},
            "joint_decision_on",
            "round_decision_not_after_closing",
        ),
    ],
)
def test_create_refuses_bad_input(
    app: Flask, change: dict[str, Any], field: str, code: str
) -> None:
    factories.DasFactory(slug="das-0", reference="T-TAKEN", with_requirements=False)
    with pytest.raises(ServiceError) as refused:
        das_setup.create_das(admin(), replace(SEED_003, **change), CONTACT, NOW)
    assert code in problems_of(refused)[field]
    assert db.session.scalar(db.select(db.func.count()).select_from(Das)) == 1


def test_authorities_from_the_cbs_list(app: Flask) -> None:
    das = das_setup.create_das(admin(), SEED_003, CONTACT, NOW)
    # Roermond is already there (another DAS's): its row is shared, found by CBS code.
    roermond = ContractingAuthority(
        name="Roermond", kind=AuthorityKind.MUNICIPALITY, cbs_code="GM0957"
    )
    db.session.add(roermond)
    db.session.commit()
    das_setup.set_authorities(
        admin(),
        das,
        "GM0957; Midden-Limburg Oost\nweert ; Midden-Limburg West\n988\n1640",
        "Roermond",
        "",
        NOW,
    )
    assert sorted(a.cbs_code for a in das.authorities) == ["GM0957", "GM0988", "GM1640"]
    assert das.lead_authority_id == roermond.id
    assert roermond.parent is not None and roermond.parent.name == "Midden-Limburg Oost"
    assert roermond.parent.kind is AuthorityKind.SUBREGION
    weert = next(a for a in das.authorities if a.cbs_code == "GM0988")
    assert (weert.name, weert.parent.name) == ("Weert", "Midden-Limburg West")
    # The page shows the list back as "GM0957 Roermond; subregion": saved again, nothing changes.
    shown = das_setup.authority_lines_of(das)
    assert "GM0957 Roermond; Midden-Limburg Oost" in shown
    assert das_setup.set_authorities(admin(), das, shown, "Roermond", "", NOW) is False
    # A code and a name that disagree is no municipality.
    with pytest.raises(ServiceError):
        das_setup.set_authorities(admin(), das, "GM0957 Weert", "Weert", "", NOW)


def test_authorities_refused_line_by_line(app: Flask) -> None:
    das = das_setup.create_das(admin(), SEED_003, CONTACT, NOW)
    with pytest.raises(ServiceError) as refused:
        das_setup.set_authorities(
            admin(), das, "Roermond\nNergenshuizen\n\nGM9999", "Roermond", "", NOW
        )
    problems = refused.value.params["problems"]["municipalities"]  # type: ignore[index]
    assert [(p.code, p.params["line"], p.params["text"]) for p in problems] == [
        ("unknown_municipality", 2, "Nergenshuizen"),
        ("unknown_municipality", 4, "GM9999"),
    ]
    assert das.authorities == []
    with pytest.raises(ServiceError) as refused:
        das_setup.set_authorities(admin(), das, "Roermond\nWeert", "Venlo", "", NOW)
    assert problems_of(refused) == {"lead": ["lead_not_among"]}


def ready_concept() -> Das:
    """A concept with every required part: the publish checklist is empty."""
    das = factories.DasFactory(state=DasState.DRAFT)
    administrator = admin()
    das_setup.set_authorities(administrator, das, "Roermond\nWeert", "Roermond", "", NOW)
    das.contact_name = "Inkoopteam"
    das.allocation_who_chooses = "De toegang kiest samen met de jeugdige."
    das.allocation_request = "Per e-mail."
    das.allocation_no_capacity = "De volgende aanbieder."
    das.privacy_role = PrivacyRole.PROCESSOR
    das.first_index_year = 2026
    db.session.commit()
    factories.assign(factories.UserFactory(role=Role.REVIEWER), das)
    tariffs.publish_base(
        administrator, das, 2026, {p.id: 10_000 for lot in das.lots for p in lot.products}, NOW
    )
    return das


def test_publishing_is_refused_with_the_checklist(app: Flask) -> None:
    das = das_setup.create_das(admin(), SEED_003, ContactPoint(), NOW)
    with pytest.raises(ServiceError) as refused:
        das_setup.publish(admin(), das, NOW)
    assert refused.value.code == "publish_incomplete"
    assert [m.part for m in refused.value.params["missing"]] == [  # type: ignore[attr-defined]
        Part.AUTHORITIES,
        Part.LEAD_AUTHORITY,
        Part.LOTS,
        Part.EXCLUSION_GROUNDS,
        Part.SUITABILITY_CRITERIA,
        Part.CONTACT_POINT,
        Part.INDEXATION,
        Part.CLIENT_ALLOCATION,
        Part.PRIVACY,
        Part.REVIEWER,
        Part.BASE_TARIFFS,
    ]
    db.session.refresh(das)
    assert das.state is DasState.DRAFT and das.published_at is None


def test_a_criterion_requiring_evidence_needs_its_type(app: Flask) -> None:
    das = ready_concept()
    das.criteria[-1].evidence_required, das.criteria[-1].evidence_type = True, None
    db.session.commit()
    missing = das_setup.checklist(das, NOW.date())
    assert [(m.part, m.details) for m in missing] == [
        (Part.EVIDENCE_TYPES, (das.criteria[-1].code,))
    ]


def test_the_life_cycle(app: Flask) -> None:
    das = ready_concept()
    administrator = admin()
    das_setup.publish(administrator, das, NOW)
    assert das.state is DasState.OPEN and das.published_at is not None
    with pytest.raises(ServiceError) as refused:
        das_setup.publish(administrator, das, NOW)
    assert refused.value.code == "das_state_change_not_allowed"
    # Ending needs closing first.
    with pytest.raises(ServiceError):
        das_setup.end(administrator, das, "Looptijd voorbij", NOW)
    with pytest.raises(ServiceError) as refused:
        das_setup.close(administrator, das, " ", NOW)
    assert refused.value.code == "state_reason_required"
    das_setup.close(administrator, das, "Voldoende aanbieders", NOW)
    assert das.state is DasState.CLOSED and das.closed_at is not None
    das_setup.end(administrator, das, "Geen lopende overeenkomsten", NOW)
    assert das.state is DasState.ENDED and das.ended_at is not None
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"das.published", "das.closed", "das.ended"} <= actions


def test_a_closed_das_takes_no_new_applications_but_agreements_go_on(app: Flask) -> None:
    das = factories.DasFactory()
    agreement = factories.admit(das, factories.ProviderUserFactory(), date(2027, 3, 1), live=True)
    draft_owner = factories.ProviderUserFactory()
    draft = applications.start_application(das, draft_owner)
    das_setup.close(admin(), das, "Genoeg aanbieders", NOW)
    with pytest.raises(ServiceError) as refused:
        applications.start_application(das, factories.ProviderUserFactory())
    assert refused.value.code == "das_closed"
    # A draft begun before closing is not submitted any more either.
    with pytest.raises(ServiceError) as refused:
        applications.submit(draft, draft_owner, NOW)
    assert refused.value.code == "das_closed"
    db.session.refresh(agreement)
    assert agreement.state.value == "live" and agreement.end_date == das.common_end_date
    # It ends only once no agreement runs, or after the common end date.
    with pytest.raises(ServiceError) as refused:
        das_setup.end(admin(), das, "Klaar", NOW)
    assert refused.value.code == "agreements_still_running"
    das_setup.end(admin(), das, "Looptijd voorbij", datetime(2030, 1, 2, 9, tzinfo=UTC))
    assert das.state is DasState.ENDED


def test_changes_after_publication_are_versioned(app: Flask) -> None:
    das = ready_concept()
    administrator = admin()
    das_setup.publish(administrator, das, NOW)
    changed = replace(das_setup.basics_of(das), review_working_days=12, name="Nieuwe naam")
    with pytest.raises(ServiceError) as refused:
        das_setup.update_basics(administrator, das, changed, "", NOW)
    assert problems_of(refused) == {"change_summary": ["change_summary_required"]}
    notice = das_setup.update_basics(administrator, das, changed, "Langere termijn", NOW)
    assert isinstance(notice, DasChange)
    assert (notice.version, notice.summary) == (2, "Langere termijn")
    assert notice.changes["Naam"][1] == "Nieuwe naam"
    assert notice.changes["Beoordelingstermijn in werkdagen"] == ["10", "12"]
    second = das_setup.set_authorities(
        administrator, das, "Roermond\nWeert\nLeudal", "Roermond", "Leudal doet mee", NOW
    )
    assert isinstance(second, DasChange) and second.version == 3
    assert "Leudal" in (second.changes["Gemeenten"][1] or "")
    # Nothing changed: no notice.
    assert das_setup.update_basics(administrator, das, das_setup.basics_of(das), "x", NOW) is False
    # The slug is in the announcement's address: fixed after publication.
    with pytest.raises(ServiceError) as refused:
        das_setup.update_basics(
            administrator, das, replace(das_setup.basics_of(das), slug="nieuw"), "Adres", NOW
        )
    assert problems_of(refused) == {"slug": ["slug_fixed_after_publication"]}
    assert db.session.scalar(db.select(db.func.count()).select_from(DasChange)) == 2


def test_the_term_is_fixed_once_an_agreement_exists(app: Flask) -> None:
    das = factories.DasFactory()
    factories.admit(das, factories.ProviderUserFactory(), date(2027, 3, 1))
    das.published_at = NOW
    db.session.commit()
    later = replace(
        das_setup.basics_of(das), initial_end_date=date(2030, 12, 31), extension_options_total=3
    )
    with pytest.raises(ServiceError) as refused:
        das_setup.update_basics(admin(), das, later, "Langer", NOW)
    assert problems_of(refused) == {
        "extension_options_total": ["term_fixed_by_agreements"],
        "initial_end_date": ["term_fixed_by_agreements"],
    }
    db.session.refresh(das)
    assert das.initial_end_date == date(2029, 12, 31)


def test_only_administrators(app: Flask) -> None:
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    with pytest.raises(ServiceError) as refused:
        das_setup.create_das(reviewer, SEED_003, CONTACT, NOW)
    assert refused.value.code == "not_found"
    das = factories.DasFactory(state=DasState.DRAFT)
    factories.assign(reviewer, das)
    with pytest.raises(ServiceError):
        das_setup.publish(reviewer, das, NOW)


def test_the_demo_is_made_through_the_services(app: Flask) -> None:
    from portal.devdata.demo import load_demo

    load_demo(date(2026, 11, 22))
    load_demo(date(2026, 11, 22))  # idempotent
    made = db.session.scalars(db.select(Das).order_by(Das.slug)).all()
    assert [(d.slug, d.state) for d in made] == [
        ("ambulante-jeugdhulp-en-wonen-midden-limburg", DasState.OPEN),
        ("dyslexiezorg-parkstad", DasState.OPEN),
    ]
    actions = list(db.session.scalars(db.select(AuditEvent.action)))
    assert actions.count("das.created") == 2
    assert actions.count("das.authorities_set") == 2
    assert actions.count("das.published") == 2
    ml = made[0]
    # Its initial round is over: closed and decided before the demo's today.
    assert ml.first_round_closes_on is not None and ml.joint_decision_on is not None
    assert ml.first_round_closes_on < ml.joint_decision_on < date(2026, 11, 22)
    assert len(ml.authorities) == 7 and ml.lead_authority.name == "Roermond"
    assert all(das_setup.checklist(d, date(2026, 11, 22)) == [] for d in made)
