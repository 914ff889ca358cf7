"""A DAS's criteria set up by an administrator (issue 19): from the ESPD list, national or own;
the evidence that counts; copying from another DAS; every refusal, and what a published DAS
allows (a rewording, as a change notice; an application keeps what it answered)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask

from portal.domain import criteria as rules
from portal.extensions import db
from portal.infra import espd
from portal.models import (
    AuditEvent,
    Criterion,
    CriterionKind,
    CriterionOrigin,
    DasChange,
    DasState,
    EvidenceDocument,
    EvidenceType,
    Role,
)
from portal.services import ServiceError, applications, criteria_setup, evidence
from portal.services.criteria_setup import CriterionInput, CriterionRefused
from portal.supplier.forms import answers_form
from tests import factories

NOW = datetime(2026, 11, 20, 10, tzinfo=UTC)


def _admin():
    return factories.UserFactory(role=Role.ADMINISTRATOR)


def _concept(**kwargs):
    return factories.DasFactory(state=DasState.DRAFT, with_requirements=False, **kwargs)


def _suitability(**changes) -> CriterionInput:
    given = CriterionInput(
        kind=CriterionKind.SUITABILITY,
        origin=CriterionOrigin.ESPD,
        code="G1",
        espd_codes="indem-insu",
        title="Verzekering",
        question="Heeft uw organisatie een beroeps- en bedrijfsaansprakelijkheidsverzekering?",
        evidence_types=(EvidenceType.INSURANCE_POLICY, EvidenceType.OTHER),
        evidence_required=True,
    )
    return CriterionInput(**{**given.__dict__, **changes})


def _refused(call) -> dict[str, str]:
    with pytest.raises(CriterionRefused) as refused:
        call()
    return {field: problem.code for field, problem in refused.value.problems.items()}


# --- the ESPD list -------------------------------------------------------------------------


def test_the_shipped_list_is_the_reference_list_with_every_code_typed() -> None:
    from pathlib import Path

    reference = Path(__file__).parents[3] / "shared" / "reference" / "espd" / "Criterion.gc"
    if reference.exists():  # the shared reference sits beside the checkout
        assert reference.read_bytes() == espd.CODE_LIST.read_bytes()
    entries = espd.entries()
    assert len(entries) == 64
    fraud = entries["fraud"]
    assert (fraud.type, fraud.group, fraud.nl, fraud.en) == (
        espd.EspdType.EXCLUSION,
        espd.EspdGroup.CONVICTIONS,
        "Fraude",
        "Fraud",
    )
    assert entries["indem-insu"].type is espd.EspdType.SELECTION
    assert entries["sme"].type is espd.EspdType.OTHER
    exclusion = [e.code for e in espd.offered(espd.EspdType.EXCLUSION)]
    selection = [e.code for e in espd.offered(espd.EspdType.SELECTION)]
    # 24 exclusion grounds and 31 selection criteria of ESPD-EDM, less the older spellings.
    assert len(exclusion) == 24 and len(selection) == 31
    assert "misinterpr" not in exclusion and "misrepresent" in exclusion
    assert not set(exclusion) & set(selection)
    assert espd.label("fraud", "en") == "Fraud" and espd.label("onbekend", "nl") == "onbekend"


@pytest.mark.parametrize(
    ("kind", "existing", "expected"),
    [
        ("exclusion", [], "U1"),
        ("exclusion", ["U1", "U2", "G1"], "U3"),
        ("exclusion", ["U1", "U7"], "U8"),  # a gap stays a gap
        ("suitability", ["U1", "G1", "G2", "GX"], "G3"),
    ],
)
def test_suggested_code(kind: str, existing: list[str], expected: str) -> None:
    assert rules.suggested_code(kind, existing) == expected


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        (["kvk_uittreksel"], 6),
        (["gedragsverklaring_aanbesteden"], 24),
        (["kvk_uittreksel", "verklaring_betalingsgedrag"], 6),  # the limit they share
        (["kvk_uittreksel", "gedragsverklaring_aanbesteden"], None),
        (["verzekeringspolis"], None),  # it has its own end date
    ],
)
def test_default_max_age(types: list[str], expected: int | None) -> None:
    assert rules.default_max_age(types) == expected


def test_a_draft_from_the_espd_list_takes_its_dutch_label(app: Flask) -> None:
    das = _concept()
    draft = criteria_setup.draft_for(das, CriterionKind.EXCLUSION, "bankruptcy")
    assert (draft.code, draft.title, draft.origin) == ("U1", "Faillissement", CriterionOrigin.ESPD)
    assert "faillissement" in draft.question and draft.question.endswith("?")
    national = criteria_setup.draft_for(das, CriterionKind.SUITABILITY, "nationaal")
    assert (national.code, national.origin, national.title) == ("G1", CriterionOrigin.NATIONAL, "")
    # A selection code is no exclusion ground: the draft keeps it, saving refuses it.
    wrong = criteria_setup.draft_for(das, CriterionKind.EXCLUSION, "indem-insu")
    assert (wrong.espd_codes, wrong.title) == ("indem-insu", "")


# --- adding ----------------------------------------------------------------------------------


def test_add_from_the_list_national_and_own(app: Flask) -> None:
    das, admin = _concept(), _admin()
    ground = criteria_setup.add_criterion(
        admin,
        das,
        CriterionInput(
            kind=CriterionKind.EXCLUSION,
            origin=CriterionOrigin.ESPD,
            code="u1",
            espd_codes="tax-pay, socsec-pay tax-pay",
            title="Betaling van belastingen en sociale premies",
            question="Heeft uw organisatie belastingen of premies niet betaald?",
            evidence_types=(EvidenceType.TAX_STATEMENT,),
        ),
    )
    assert (ground.code, ground.espd_codes, ground.passing_answer) == (
        "U1",
        "tax-pay socsec-pay",
        False,
    )
    assert ground.max_evidence_age_months == 6  # the kind's own limit, DOMAIN.md
    national = criteria_setup.add_criterion(
        admin,
        das,
        CriterionInput(
            kind=CriterionKind.EXCLUSION,
            origin=CriterionOrigin.NATIONAL,
            code="U2",
            espd_codes="",
            title="Gedragsverklaring Aanbesteden",
            question="Kan uw organisatie geen Gedragsverklaring Aanbesteden overleggen?",
            evidence_types=(EvidenceType.GEDRAGSVERKLARING,),
        ),
    )
    assert (national.origin, national.max_evidence_age_months) == (CriterionOrigin.NATIONAL, 24)
    insured = criteria_setup.add_criterion(admin, das, _suitability(max_evidence_age_months=12))
    assert insured.passing_answer is True
    assert insured.evidence_type is EvidenceType.INSURANCE_POLICY  # the preferred one
    assert insured.evidence_types == [EvidenceType.INSURANCE_POLICY, EvidenceType.OTHER]
    assert insured.max_evidence_age_months == 12
    own = criteria_setup.add_criterion(
        admin,
        das,
        _suitability(
            origin=CriterionOrigin.OWN,
            code="G2",
            espd_codes="",
            title="Gezinshuizen",
            evidence_types=(),
            evidence_required=False,
        ),
    )
    assert (own.evidence_type, own.extra_evidence_types, own.max_evidence_age_months) == (
        None,
        [],
        None,
    )
    db.session.refresh(das)
    assert [c.code for c in das.criteria] == ["U1", "U2", "G1", "G2"]
    assert (
        db.session.scalar(db.select(db.func.count()).where(AuditEvent.action == "criterion.added"))
        == 4
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"evidence_types": ()}, {"evidence_types": "evidence_type_missing"}),
        ({"code": "U1"}, {"code": "criterion_code_taken"}),
        ({"code": "u1"}, {"code": "criterion_code_taken"}),  # the same code, typed small
        ({"code": ""}, {"code": "criterion_code_missing"}),
        ({"code": "1 & 2"}, {"code": "criterion_code_format"}),
        ({"espd_codes": "fraude"}, {"espd_codes": "espd_code_unknown"}),
        ({"espd_codes": "misinterpr"}, {"espd_codes": "espd_code_unknown"}),  # older spelling
        ({"espd_codes": "sme"}, {"espd_codes": "espd_code_unknown"}),  # not a criterion
        ({"espd_codes": "fraud"}, {"espd_codes": "espd_code_not_selection"}),
        ({"espd_codes": ""}, {"espd_codes": "espd_code_missing"}),
        ({"max_evidence_age_months": 0}, {"max_evidence_age_months": "max_age_not_positive"}),
        ({"max_evidence_age_months": -3}, {"max_evidence_age_months": "max_age_not_positive"}),
        ({"max_evidence_age_months": 2**40}, {"max_evidence_age_months": "max_age_too_large"}),
        (
            {"title": " ", "question": ""},
            {"title": "criterion_title_missing", "question": "criterion_question_missing"},
        ),
        ({"title": "x" * 201}, {"title": "criterion_title_too_long"}),
    ],
)
def test_add_refusals_name_the_field(app: Flask, changes: dict, expected: dict) -> None:
    das, admin = _concept(), _admin()
    criteria_setup.add_criterion(
        admin,
        das,
        CriterionInput(
            kind=CriterionKind.EXCLUSION,
            origin=CriterionOrigin.ESPD,
            code="U1",
            espd_codes="fraud",
            title="Fraude",
            question="Veroordeeld voor fraude?",
        ),
    )
    assert (
        _refused(lambda: criteria_setup.add_criterion(admin, das, _suitability(**changes)))
        == expected
    )
    db.session.refresh(das)
    assert [c.code for c in das.criteria] == ["U1"]  # nothing half-written


def test_an_exclusion_ground_asks_no_evidence_on_the_form(app: Flask) -> None:
    das, admin = _concept(), _admin()
    given = CriterionInput(
        kind=CriterionKind.EXCLUSION,
        origin=CriterionOrigin.ESPD,
        code="U1",
        espd_codes="indem-insu",
        title="Fraude",
        question="?",
        evidence_types=(EvidenceType.GEDRAGSVERKLARING,),
        evidence_required=True,
    )
    assert _refused(lambda: criteria_setup.add_criterion(admin, das, given)) == {
        "espd_codes": "espd_code_not_exclusion",
        "evidence_required": "exclusion_evidence_on_request",
    }


def test_only_an_administrator_sets_criteria(app: Flask) -> None:
    das = _concept()
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    with pytest.raises(ServiceError) as refused:
        criteria_setup.add_criterion(reviewer, das, _suitability())
    assert refused.value.code == "not_found"


# --- changing, removing, reordering ---------------------------------------------------------


def test_update_remove_and_move_in_a_concept(app: Flask) -> None:
    das, admin = _concept(), _admin()
    first = criteria_setup.add_criterion(admin, das, _suitability())
    second = criteria_setup.add_criterion(
        admin, das, _suitability(code="G2", espd_codes="trade-regist", title="KvK")
    )
    assert criteria_setup.update_criterion(admin, first, _suitability(), NOW) is False
    assert criteria_setup.update_criterion(
        admin, first, _suitability(title="Verzekeringen", evidence_types=(EvidenceType.OTHER,)), NOW
    )
    assert (first.title, first.evidence_types) == ("Verzekeringen", [EvidenceType.OTHER])
    # The code of another criterion is taken, also when editing.
    assert _refused(
        lambda: criteria_setup.update_criterion(admin, second, _suitability(code="G1"), NOW)
    ) == {"code": "criterion_code_taken"}
    assert criteria_setup.move_criterion(admin, second, up=True)
    assert [c.code for c in das.criteria] == ["G2", "G1"]
    assert criteria_setup.move_criterion(admin, second, up=True) is False  # first already
    criteria_setup.remove_criterion(admin, first)
    db.session.refresh(das)
    assert [c.code for c in das.criteria] == ["G2"]
    assert db.session.get(Criterion, first.id) is None


def test_a_criterion_with_answers_is_not_removed(app: Flask) -> None:
    das = factories.DasFactory()  # open, with criteria
    provider = factories.ProviderUserFactory()
    factories.complete_draft(das, provider, date(2026, 11, 1))
    admin = _admin()
    criterion = das.criteria[0]
    with pytest.raises(ServiceError) as refused:
        criteria_setup.remove_criterion(admin, criterion)
    assert (refused.value.code, refused.value.params) == (
        "criterion_has_answers",
        {"criterion_code": "U1", "count": 1},
    )
    # Even back in a concept (a test's shortcut), the answers keep it.
    das.state = DasState.DRAFT
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        criteria_setup.remove_criterion(admin, criterion)
    assert refused.value.code == "criterion_has_answers"
    assert db.session.get(Criterion, criterion.id) is not None


def test_a_published_das_takes_a_rewording_as_a_change_notice_only(app: Flask) -> None:
    das = factories.DasFactory(published_at=datetime(2026, 1, 1, tzinfo=UTC))
    provider = factories.ProviderUserFactory()
    draft = factories.complete_draft(das, provider, date(2026, 11, 1))
    applications.submit(draft, provider, datetime(2026, 11, 2, 9, tzinfo=UTC))
    admin = _admin()
    ground = das.criteria[0]
    before = CriterionInput(
        kind=ground.kind,
        origin=ground.origin,
        code=ground.code,
        espd_codes=ground.espd_codes,
        title=ground.title,
        question=ground.question,
    )
    # Adding, removing, moving and copying wait for a concept.
    for call in (
        lambda: criteria_setup.add_criterion(admin, das, _suitability(code="G9")),
        lambda: criteria_setup.move_criterion(admin, das.criteria[1], up=True),
        lambda: criteria_setup.copy_criteria(admin, das, factories.DasFactory(), replace=True),
    ):
        with pytest.raises(ServiceError) as refused:
            call()
        assert refused.value.code == "criteria_published"
    # The rule itself is fixed; a rewording needs a summary.
    reworded = CriterionInput(**{**before.__dict__, "question": "Bent u veroordeeld voor fraude?"})
    assert _refused(
        lambda: criteria_setup.update_criterion(
            admin, ground, CriterionInput(**{**before.__dict__, "code": "U9"}), NOW, "Code"
        )
    ) == {"code": "criterion_rule_fixed"}
    assert _refused(lambda: criteria_setup.update_criterion(admin, ground, reworded, NOW)) == {
        "change_summary": "change_summary_required"
    }
    assert ground.question == "Veroordeeld voor fraude?"
    assert criteria_setup.update_criterion(admin, ground, reworded, NOW, "Vraag U1 verduidelijkt.")
    notice = db.session.scalars(db.select(DasChange).where(DasChange.das_id == das.id)).one()
    assert notice.summary == "Vraag U1 verduidelijkt."
    assert notice.changes == {
        "U1 question": ["Veroordeeld voor fraude?", "Bent u veroordeeld voor fraude?"]
    }
    # The submitted application keeps the question it answered, with the rule of the time.
    db.session.refresh(draft)
    kept = next(a for a in draft.snapshot["answers"] if a["code"] == "U1")
    assert kept["question"] == "Veroordeeld voor fraude?"
    g1 = next(a for a in draft.snapshot["answers"] if a["code"] == "G1")
    assert (g1["evidence_types"], g1["evidence_required"], g1["passing_answer"]) == (
        ["kwaliteitscertificaat"],
        True,
        True,
    )
    # A closed DAS takes no change at all.
    das.state = DasState.CLOSED
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        criteria_setup.update_criterion(admin, ground, before, NOW, "Terug")
    assert refused.value.code == "criteria_published"


# --- copying ---------------------------------------------------------------------------------


def test_copy_every_criterion_from_another_das(app: Flask) -> None:
    source = factories.DasFactory()  # four criteria
    source.criteria[2].extra_evidence_types = ["overig"]
    db.session.commit()
    das, admin = _concept(), _admin()
    assert criteria_setup.copy_sources(das) == [source]
    assert criteria_setup.copy_criteria(admin, das, source) == 4
    db.session.refresh(das)
    assert [(c.code, c.title, c.evidence_types) for c in das.criteria] == [
        (c.code, c.title, c.evidence_types) for c in source.criteria
    ]
    assert all(c.das_id == das.id for c in das.criteria)
    assert len(source.criteria) == 4  # the source keeps its own
    # A second copy would replace them: only when the administrator confirms it.
    other = factories.DasFactory()
    other.criteria[0].title = "Fraude (ander)"
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        criteria_setup.copy_criteria(admin, das, other)
    assert (refused.value.code, refused.value.params) == ("criteria_exist", {"count": 4})
    assert criteria_setup.copy_criteria(admin, das, other, replace=True) == 4
    db.session.refresh(das)
    assert das.criteria[0].title == "Fraude (ander)"
    assert db.session.scalar(db.select(db.func.count()).select_from(Criterion)) == 12


def test_copy_refusals(app: Flask) -> None:
    das, admin = _concept(), _admin()
    empty = _concept()
    for source, code in ((das, "copy_from_itself"), (empty, "copy_source_empty")):
        with pytest.raises(ServiceError) as refused:
            criteria_setup.copy_criteria(admin, das, source)
        assert refused.value.code == code


# --- the evidence types that count, where providers meet them ---------------------------------


def test_a_document_of_any_type_that_counts_is_offered(app: Flask) -> None:
    das, admin = _concept(), _admin()
    criterion = criteria_setup.add_criterion(
        admin, das, _suitability(evidence_types=(EvidenceType.INSURANCE_POLICY, EvidenceType.OTHER))
    )
    provider = factories.ProviderUserFactory()
    other = factories.upload_pdf(provider, EvidenceType.OTHER, date(2026, 11, 1))
    kvk = factories.upload_pdf(provider, EvidenceType.KVK_EXTRACT, date(2026, 11, 1))
    documents = db.session.scalars(db.select(EvidenceDocument)).all()
    with app.test_request_context():
        form = answers_form([criterion], documents, {}, date(2026, 11, 2))
        offered = [choice.value for choice in form[f"c{criterion.id}_documents"].choices]
    assert offered == [other.id] and kvk.id not in offered


def test_an_extra_type_counts_for_the_age_limit_at_upload(app: Flask) -> None:
    das, admin = _concept(), _admin()
    criteria_setup.add_criterion(
        admin,
        das,
        _suitability(
            evidence_types=(EvidenceType.INSURANCE_POLICY, EvidenceType.ANNUAL_ACCOUNTS),
            max_evidence_age_months=18,
        ),
    )
    assert evidence.max_age_for_type(EvidenceType.ANNUAL_ACCOUNTS) is None  # a concept: not yet
    das.state = DasState.OPEN
    db.session.commit()
    assert evidence.max_age_for_type(EvidenceType.ANNUAL_ACCOUNTS) == 18
