"""What a provider does next, and how a decided application reads (portal.domain.next_step)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain.next_step import (
    AgreementToSign,
    DecisionSummary,
    Draft,
    OpenClarification,
    OpenDas,
    ProviderFacts,
    StepKind,
    Verdict,
    decision_summary,
    next_step,
    profile_gaps,
)

QUESTION = OpenClarification(1, 10, "Jeugdhulp", date(2026, 3, 20))
LATER_QUESTION = OpenClarification(2, 11, "Wonen", date(2026, 4, 1))
AGREEMENT = AgreementToSign(5, "ML-AJW-000001", "Jeugdhulp")
DRAFT = Draft(3, "Jeugdhulp", 1, 3)
DAS = OpenDas("jeugdhulp", "Jeugdhulp")


@pytest.mark.parametrize(
    ("facts", "kind"),
    [
        (ProviderFacts(), StepKind.NOTHING),
        (ProviderFacts(das_to_apply=(DAS,)), StepKind.START_APPLICATION),
        (ProviderFacts(drafts=(DRAFT,), das_to_apply=(DAS,)), StepKind.CONTINUE_DRAFT),
        (
            ProviderFacts(profile_gaps=("city",), drafts=(DRAFT,), das_to_apply=(DAS,)),
            StepKind.COMPLETE_PROFILE,
        ),
        (
            ProviderFacts(profile_gaps=("city",), agreements_to_sign=(AGREEMENT,)),
            StepKind.SIGN_AGREEMENT,
        ),
        (
            ProviderFacts(
                profile_gaps=("city",),
                agreements_to_sign=(AGREEMENT,),
                clarifications=(QUESTION,),
                drafts=(DRAFT,),
                das_to_apply=(DAS,),
            ),
            StepKind.ANSWER_CLARIFICATION,
        ),
    ],
)
def test_the_next_step_goes_by_what_others_wait_for_first(
    facts: ProviderFacts, kind: StepKind
) -> None:
    assert next_step(facts).kind is kind


def test_the_next_step_carries_what_the_panel_names() -> None:
    assert next_step(ProviderFacts(clarifications=(LATER_QUESTION, QUESTION))).clarification == (
        QUESTION
    )  # the earliest reply date first
    assert next_step(ProviderFacts(drafts=(DRAFT,))).draft == DRAFT
    assert next_step(ProviderFacts(das_to_apply=(DAS,))).das_to_apply == (DAS,)
    assert next_step(ProviderFacts(profile_gaps=("city", "postcode"))).profile_gaps == (
        "city",
        "postcode",
    )


@pytest.mark.parametrize(
    ("outcomes", "summary"),
    [
        ([("1", "admitted")], DecisionSummary(Verdict.ADMITTED, ("1",), ())),
        ([("1", "admitted"), ("2", "admitted")], DecisionSummary(Verdict.ADMITTED, ("1", "2"))),
        ([("1", "rejected")], DecisionSummary(Verdict.REJECTED, (), ("1",))),
        ([("A", "admitted"), ("B", "rejected")], DecisionSummary(Verdict.MIXED, ("A",), ("B",))),
        ([("1", "admitted"), ("2", "pending")], DecisionSummary(Verdict.PENDING, ("1",), ())),
        ([], DecisionSummary(Verdict.PENDING)),
    ],
)
def test_decision_summary(outcomes: list[tuple[str, str]], summary: DecisionSummary) -> None:
    assert decision_summary(outcomes) == summary


def test_profile_gaps_name_the_empty_required_fields_in_form_order() -> None:
    full = {
        "legal_name": "De Bron",
        "kvk_number": "69599084",
        "street_address": "Markt 1",
        "postcode": "6041 EL",
        "city": "Roermond",
        "signatory_name": "A. de Vries",
        "signatory_role": "Eigenaar",
    }
    assert profile_gaps(full) == ()
    assert profile_gaps({**full, "city": "  ", "postcode": None}) == ("postcode", "city")
    assert profile_gaps({"legal_name": "De Bron", "kvk_number": "69599084"}) == (
        "street_address",
        "postcode",
        "city",
        "signatory_name",
        "signatory_role",
    )
