"""How an ESPD response's answers map onto a DAS's criteria (portal.domain.espd.map_answers,
issue 22): by ESPD code, by a national ground's name, by the DAS's own code within the same
procedure; what cannot be mapped says why."""

from __future__ import annotations

import pytest

from portal.domain.espd import (
    NATIONAL_GROUND,
    OPERATOR_DATA_CODES,
    CodeAnswer,
    CriterionFacts,
    Filled,
    NotMapped,
    Party,
    ResponseDocument,
    map_answers,
)
from portal.domain.espd import NotMappedReason as R
from portal.infra.espd import EspdType, entries

E, S = "exclusion", "suitability"
DAS = "DAS-2026-07"


def criterion(
    code: str, codes: str = "", kind: str = E, origin: str = "espd", title: str = ""
) -> CriterionFacts:
    return CriterionFacts(
        code=code,
        kind=kind,
        origin=origin,
        espd_codes=tuple(codes.split()),
        title=title or code,
        question="?",
    )


def answer(
    code: str,
    value: bool | None,
    explanation: str = "",
    self_cleaning: str = "",
    name: str = "",
    own: bool = False,
) -> CodeAnswer:
    return CodeAnswer(code, own, name or code, value, explanation, self_cleaning)


def document(*answers: CodeAnswer, procedure: str = "TN-1") -> ResponseDocument:
    return ResponseDocument(
        uuid="u",
        issue_date=None,
        edm_version="ESPD-EDMv4.1.0",
        contracting_party="Gemeente",
        procedure=procedure,
        party=Party(name="Aanbieder"),
        answers=answers,
    )


def mapped(
    criteria: list[CriterionFacts], *answers: CodeAnswer, procedure: str = "TN-1"
) -> tuple[dict[str, Filled], list[NotMapped]]:
    filled, not_mapped = map_answers(criteria, document(*answers, procedure=procedure), DAS)
    assert len({f.criterion_code for f in filled}) == len(filled)
    return {f.criterion_code: f for f in filled}, not_mapped


# --- one code ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, False])
def test_a_single_code_carries_its_answer_and_texts(value: bool) -> None:
    filled, not_mapped = mapped(
        [criterion("U3", "fraud")], answer("fraud", value, "Toelichting", "Maatregelen")
    )
    assert filled == {
        "U3": Filled("U3", value, "Toelichting", "Maatregelen", from_codes=("fraud",))
    }
    assert not_mapped == []


def test_codes_compare_without_case() -> None:
    filled, _ = mapped([criterion("U3", "Fraud")], answer("fraud", False))
    assert filled["U3"].value is False


def test_a_criterion_the_document_does_not_answer() -> None:
    filled, not_mapped = mapped([criterion("U3", "fraud")], answer("corruption", False))
    assert filled == {}
    assert not_mapped == [
        NotMapped("U3", R.NOT_ANSWERED, "U3"),
        NotMapped("corruption", R.NOT_ASKED),
    ]


# --- several codes: exclusion "yes" when any is, suitability "yes" when all are ----------------

U7 = criterion("U7", "tax-pay socsec-pay")
G5 = criterion("G5", "gen-year-to indem-insu", kind=S)


@pytest.mark.parametrize(
    ("criterion_facts", "answers", "value", "not_mapped"),
    [
        (U7, [("tax-pay", False), ("socsec-pay", False)], False, []),
        (U7, [("tax-pay", False), ("socsec-pay", True)], True, []),
        (U7, [("tax-pay", True), ("socsec-pay", True)], True, []),
        # One code answered "yes" decides an exclusion ground; the other need not be there.
        (U7, [("tax-pay", True)], True, []),
        # One code answered "no": the other could still make it "yes".
        (U7, [("socsec-pay", False)], None, [NotMapped("tax-pay", R.PARTLY, "U7")]),
        # An answer without yes/no counts as missing.
        (
            U7,
            [("tax-pay", False), ("socsec-pay", None)],
            None,
            [NotMapped("socsec-pay", R.NO_YES_NO, "U7")],
        ),
        (U7, [("tax-pay", None), ("socsec-pay", True)], True, []),
        (G5, [("gen-year-to", True), ("indem-insu", True)], True, []),
        # An EU selection criterion's "no" says the operator relies on others' capacities (the
        # question is "Does the EO fulfil the criteria by itself?"), not that it fails: not
        # filled, each such code listed.
        (
            G5,
            [("gen-year-to", True), ("indem-insu", False)],
            None,
            [NotMapped("indem-insu", R.RELIES_ON_OTHERS, "G5")],
        ),
        (
            G5,
            [("gen-year-to", False), ("indem-insu", False)],
            None,
            [
                NotMapped("gen-year-to", R.RELIES_ON_OTHERS, "G5"),
                NotMapped("indem-insu", R.RELIES_ON_OTHERS, "G5"),
            ],
        ),
        # A suitability criterion answered in part is not filled, whatever the part says.
        (G5, [("gen-year-to", True)], None, [NotMapped("indem-insu", R.PARTLY, "G5")]),
        (G5, [("indem-insu", False)], None, [NotMapped("indem-insu", R.RELIES_ON_OTHERS, "G5")]),
        # Amounts only (no main yes/no): nothing to fill.
        (
            G5,
            [("gen-year-to", None), ("indem-insu", None)],
            None,
            [
                NotMapped("gen-year-to", R.NO_YES_NO, "G5"),
                NotMapped("indem-insu", R.NO_YES_NO, "G5"),
            ],
        ),
        (G5, [], None, [NotMapped("G5", R.NOT_ANSWERED, "G5")]),
    ],
)
def test_several_codes(
    criterion_facts: CriterionFacts,
    answers: list[tuple[str, bool | None]],
    value: bool | None,
    not_mapped: list[NotMapped],
) -> None:
    filled, unmapped = mapped([criterion_facts], *(answer(c, v) for c, v in answers))
    assert unmapped == not_mapped
    if value is None:
        assert filled == {}
    else:
        assert filled[criterion_facts.code].value is value
        read = {c for c, v in answers if v is not None}
        assert set(filled[criterion_facts.code].from_codes) == read


def test_the_same_text_under_several_codes_is_given_once() -> None:
    filled, _ = mapped(
        [U7],
        answer("tax-pay", True, "Naheffing 2024", "Betalingsregeling"),
        answer("socsec-pay", True, "Naheffing 2024", "Betalingsregeling"),
    )
    assert filled["U7"].explanation == "Naheffing 2024"
    assert filled["U7"].self_cleaning == "Betalingsregeling"
    assert filled["U7"].from_codes == ("tax-pay", "socsec-pay")


def test_different_texts_are_joined_in_the_criterions_order() -> None:
    filled, _ = mapped(
        [U7], answer("socsec-pay", True, "Premies"), answer("tax-pay", True, "Belasting")
    )
    assert filled["U7"].explanation == "Belasting\n\nPremies"


def test_one_answer_serves_two_criteria() -> None:
    filled, not_mapped = mapped(
        [U7, criterion("X1", "tax-pay")], answer("tax-pay", False), answer("socsec-pay", False)
    )
    assert filled["U7"].value is False and filled["X1"].value is False
    assert not_mapped == []


# --- national grounds --------------------------------------------------------------------------

BIBOB = criterion("N1", "", origin="national", title="Wet Bibob-toets")
CATCH_ALL = criterion("U14", NATIONAL_GROUND, title="Zuiver nationale uitsluitingsgronden")


def test_a_national_ground_by_its_name() -> None:
    filled, not_mapped = mapped(
        [BIBOB],
        answer(NATIONAL_GROUND, False, name="WET BIBOB toets"),
        answer(NATIONAL_GROUND, True, "Iets anders", name="Wet integriteit"),
    )
    assert filled == {"N1": Filled("N1", False, "", "", from_codes=(NATIONAL_GROUND,))}
    assert not_mapped == [NotMapped(NATIONAL_GROUND, R.NOT_ASKED)]


def test_a_national_ground_named_otherwise_is_not_answered() -> None:
    filled, not_mapped = mapped([BIBOB], answer(NATIONAL_GROUND, False, name="Wet Bibob"))
    assert filled == {}
    assert not_mapped == [
        NotMapped("N1", R.NOT_ANSWERED, "N1"),
        NotMapped(NATIONAL_GROUND, R.NOT_ASKED),
    ]


def test_a_national_ground_with_the_bucket_code_is_still_matched_by_name() -> None:
    national = criterion("N1", NATIONAL_GROUND, origin="national", title="Wet Bibob-toets")
    filled, _ = mapped([national], answer(NATIONAL_GROUND, True, name="Wet Bibob-toets"))
    assert filled["N1"].value is True


def test_the_catch_all_takes_the_eu_answer() -> None:
    filled, not_mapped = mapped(
        [CATCH_ALL],
        answer(NATIONAL_GROUND, False, "Geen", name="Purely national exclusion grounds"),
    )
    assert filled["U14"] == Filled("U14", False, "Geen", "", from_codes=(NATIONAL_GROUND,))
    assert not_mapped == []


def test_the_catch_all_takes_what_the_named_grounds_leave() -> None:
    filled, not_mapped = mapped(
        [BIBOB, CATCH_ALL],
        answer(NATIONAL_GROUND, True, "Bibob-advies", name="Wet Bibob-toets"),
        answer(NATIONAL_GROUND, False, name="Purely national exclusion grounds"),
    )
    assert filled["N1"].value is True
    assert filled["U14"].value is False  # the Bibob "yes" is N1's, not the catch-all's
    assert not_mapped == []


def test_the_catch_all_is_yes_when_any_other_national_ground_is() -> None:
    filled, _ = mapped(
        [CATCH_ALL],
        answer(NATIONAL_GROUND, False, name="Purely national exclusion grounds"),
        answer(NATIONAL_GROUND, True, "Sanctielijst", name="Wet integriteit"),
    )
    assert filled["U14"].value is True
    assert filled["U14"].explanation == "Sanctielijst"


def test_a_national_answer_without_yes_no() -> None:
    _, not_mapped = mapped([BIBOB], answer(NATIONAL_GROUND, None, name="Wet Bibob-toets"))
    assert not_mapped == [NotMapped(NATIONAL_GROUND, R.NO_YES_NO, "N1")]


# --- the DAS's own criteria ------------------------------------------------------------------

G3 = criterion("G3", "", kind=S, origin="own", title="Berichtenverkeer iJW")


def test_an_own_criterion_from_the_same_das() -> None:
    filled, not_mapped = mapped([G3], answer("G3", True, "Via VECOZO", own=True), procedure=DAS)
    assert filled == {"G3": Filled("G3", True, "Via VECOZO", "", from_codes=("G3",))}
    assert not_mapped == []


def test_an_own_criterion_of_another_procedure_is_never_taken() -> None:
    filled, not_mapped = mapped(
        [G3], answer("G3", True, own=True), answer("G9", True, own=True), procedure="DAS-2026-08"
    )
    assert filled == {}
    assert not_mapped == [
        NotMapped("G3", R.NOT_ANSWERED, "G3"),
        NotMapped("G3", R.OWN_OF_OTHER),
        NotMapped("G9", R.OWN_OF_OTHER),
    ]


def test_an_own_code_the_das_no_longer_asks() -> None:
    _, not_mapped = mapped(
        [G3], answer("G3", True, own=True), answer("G8", False, own=True), procedure=DAS
    )
    assert not_mapped == [NotMapped("G8", R.NOT_ASKED)]


def test_an_own_code_never_answers_an_eu_code_of_the_same_name() -> None:
    filled, not_mapped = mapped(
        [criterion("U3", "fraud")], answer("fraud", True, own=True), procedure=DAS
    )
    assert filled == {}
    assert NotMapped("fraud", R.NOT_ASKED) in not_mapped


# --- what is not asked ---------------------------------------------------------------------


def test_codes_not_asked_are_listed_once_and_operator_data_not_at_all() -> None:
    _, not_mapped = mapped(
        [criterion("U3", "fraud")],
        answer("fraud", False),
        answer("sme", True),
        answer("relied", False),
        answer("eo-group", False),
        answer("corruption", False),
        answer("corruption", True),
        answer("gen-year-to", None),
    )
    assert not_mapped == [
        NotMapped("corruption", R.NOT_ASKED),
        NotMapped("gen-year-to", R.NOT_ASKED),
    ]


def test_the_operator_data_codes_are_the_eu_lists_other_codes() -> None:
    others = {code for code, entry in entries().items() if entry.type is EspdType.OTHER}
    assert others == OPERATOR_DATA_CODES


def test_a_whole_das() -> None:
    """The demo DAS's shape against a document that answers part of it."""
    criteria = [
        criterion("U1", "crime-org"),
        criterion("U3", "fraud"),
        U7,
        criterion("U9", "bankruptcy insolvency"),
        criterion("G1", "qu-certif-indep", kind=S),
        G3,
    ]
    filled, not_mapped = mapped(
        criteria,
        answer("crime-org", False),
        answer("fraud", True, "Veroordeling 2023", "Nieuwe bestuurder"),
        answer("tax-pay", False),
        answer("socsec-pay", False),
        answer("bankruptcy", False),
        answer("sme", True),
        answer("qu-certif-indep", True),
        answer("envir-law", False),
    )
    assert {code: f.value for code, f in filled.items()} == {
        "U1": False,
        "U3": True,
        "U7": False,
        "G1": True,
    }
    assert filled["U3"].self_cleaning == "Nieuwe bestuurder"
    assert not_mapped == [
        NotMapped("insolvency", R.PARTLY, "U9"),
        NotMapped("G3", R.NOT_ANSWERED, "G3"),
        NotMapped("envir-law", R.NOT_ASKED),
    ]


def test_a_criterion_without_espd_code_is_the_das_own() -> None:
    """The writer issues a criterion without ESPD code under the DAS's own list."""
    codeless = criterion("G4", "", kind=S, origin="espd", title="Verantwoorde bedrijfsvoering")
    filled, not_mapped = mapped([codeless], answer("G4", True, own=True), procedure=DAS)
    assert filled["G4"].value is True and not_mapped == []
    _, elsewhere = mapped([codeless], answer("G4", True, own=True), procedure="TN-1")
    assert elsewhere == [NotMapped("G4", R.NOT_ANSWERED, "G4"), NotMapped("G4", R.OWN_OF_OTHER)]
