"""The ESPD documents the portal issues (issue 22): a DAS's ESPD request and a submitted
application's ESPD response. Both validate against the UBL 2.4 schemas; the request holds each
criterion as the EU taxonomy defines it; the response, read back by the portal's own reader and
mapped onto the same DAS, gives back every answer and the organisation (the round trip)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from lxml import etree

from portal.domain import espd as espd_domain
from portal.domain.espd import (
    OWN_CRITERION_LIST,
    AnswerFacts,
    CriterionFacts,
    Party,
    RequestFacts,
    ResponseFacts,
)
from portal.extensions import db
from portal.infra import espd as espd_list
from portal.infra import espd_build, espd_xml
from portal.models import (
    AuthorityKind,
    ContractingAuthority,
    CriterionKind,
    CriterionOrigin,
    DasChange,
    SizeClass,
)
from portal.services import ServiceError, applications, calendar, espd_export
from tests import factories

NS = espd_build.NS
DAY = date(2027, 3, 1)
# The EU taxonomy's UUIDs (ESPD-EDM 4.1.0, portal/data/espd/ESPD-Request.example.xml).
EU_UUIDS = {
    "fraud": "297d2323-3ede-424e-94bc-a91561e6f320",
    "bankruptcy": "d3732c09-7d62-4edc-a172-241da6636e7c",
    "tax-pay": "b61bbeb7-690e-4a40-bc68-d6d4ecfaa3d4",
    "socsec-pay": "7d85e333-bbab-49c0-be8d-c36d71a72f5e",
    "nati-ground": "63adb07d-db1b-4ef0-a14e-a99785cf8cf6",
    "qu-certif-indep": "d726bac9-e153-4e75-bfca-c5385587766d",
}
NATIONAL_TITLE = "Verklaring omtrent het gedrag (jeugdhulp)"


@pytest.fixture()
def das(app: Flask):
    """The factory DAS (fraud, bankruptcy and two criteria without ESPD codes) with a ground of
    two codes, a national ground, an ESPD selection criterion and a criterion of its own."""
    calendar.ensure_statutory_holidays(range(2026, 2029))
    authority = ContractingAuthority(name="Gemeente Roermond", kind=AuthorityKind.MUNICIPALITY)
    db.session.add(authority)
    db.session.flush()
    das = factories.DasFactory(reference="JZ-2027/1", lead_authority_id=authority.id)
    for position, (kind, code, origin, codes, title, question) in enumerate(
        [
            (
                CriterionKind.EXCLUSION,
                "U7",
                CriterionOrigin.ESPD,
                "tax-pay socsec-pay",
                "Belastingen en premies",
                "Belastingen of premies niet betaald?",
            ),
            (
                CriterionKind.EXCLUSION,
                "U9",
                CriterionOrigin.NATIONAL,
                "",
                NATIONAL_TITLE,
                "Kunt u geen VOG overleggen?",
            ),
            (
                CriterionKind.SUITABILITY,
                "G2",
                CriterionOrigin.ESPD,
                "qu-certif-indep",
                "Certificaat",
                "Heeft u een HKZ-certificaat?",
            ),
            (
                CriterionKind.SUITABILITY,
                "G3",
                CriterionOrigin.OWN,
                "",
                "Eigen eis <regio & co>",
                "Werkt u met de meldcode?",
            ),
        ],
        start=10,
    ):
        factories.add_criterion(
            das,
            code,
            kind,
            origin=origin,
            espd_codes=codes,
            title=title,
            question=question,
            position=position,
        )
    db.session.commit()
    db.session.refresh(das)
    return das


def criteria_of(root: etree._Element) -> list[etree._Element]:
    return root.findall("cac:TenderingCriterion", NS)


def by_code(root: etree._Element) -> dict[str, list[etree._Element]]:
    found: dict[str, list[etree._Element]] = {}
    for criterion in criteria_of(root):
        found.setdefault(criterion.findtext("cbc:CriterionTypeCode", namespaces=NS), []).append(
            criterion
        )
    return found


def property_ids(root: etree._Element) -> list[str]:
    return [
        p.findtext("cbc:ID", namespaces=NS)
        for p in root.iter(f"{{{espd_build.CAC}}}TenderingCriterionProperty")
    ]


def value_types(criterion: etree._Element) -> list[str]:
    return [
        p.findtext("cbc:ValueDataTypeCode", namespaces=NS)
        for p in criterion.iter(f"{{{espd_build.CAC}}}TenderingCriterionProperty")
    ]


def has_self_cleaning(criterion: etree._Element) -> bool:
    return any(
        "self-cleaning" in (p.findtext("cbc:Description", namespaces=NS) or "").lower()
        and p.findtext("cbc:ValueDataTypeCode", namespaces=NS) == "INDICATOR"
        for p in criterion.iter(f"{{{espd_build.CAC}}}TenderingCriterionProperty")
    )


# --- the request ------------------------------------------------------------------------------


def test_the_request_is_valid_and_names_each_criterion_as_the_eu_taxonomy_does(das) -> None:
    data = espd_export.request_for(das)
    assert espd_xml.schema_errors(data, "request") == []
    root = etree.fromstring(data)
    assert etree.QName(root).localname == "QualificationApplicationRequest"
    assert root.findtext("cbc:ProfileExecutionID", namespaces=NS) == "ESPD-EDMv4.1.0"
    assert root.findtext("cbc:ContractFolderID", namespaces=NS) == "JZ-2027/1"
    assert (
        root.findtext("cac:ContractingParty/cac:Party/cac:PartyName/cbc:Name", namespaces=NS)
        == "Gemeente Roermond"
    )
    assert [
        lot.findtext("cbc:ID", namespaces=NS)
        for lot in root.findall("cac:ProcurementProjectLot", NS)
    ] == ["1", "2"]

    found = by_code(root)
    # One criterion per EU code (U7 is two), the national ground, and one per own criterion.
    assert Counter({code: len(v) for code, v in found.items()}) == Counter(
        {
            "fraud": 1,
            "bankruptcy": 1,
            "tax-pay": 1,
            "socsec-pay": 1,
            "nati-ground": 1,
            "qu-certif-indep": 1,
            "G1": 1,
            "G3": 1,
            "G4": 1,
        }
    )
    for code, uuid in EU_UUIDS.items():
        assert found[code][0].findtext("cbc:ID", namespaces=NS) == uuid
        assert espd_build.taxonomy_uuid(code) == uuid

    national = found["nati-ground"][0]
    assert national.findtext("cbc:Name", namespaces=NS) == NATIONAL_TITLE
    assert national.findtext("cbc:Description", namespaces=NS) == "Kunt u geen VOG overleggen?"

    own = found["G3"][0]
    type_code = own.find("cbc:CriterionTypeCode", NS)
    assert type_code is not None and type_code.get("listID") == OWN_CRITERION_LIST
    assert own.findtext("cbc:Name", namespaces=NS) == "Eigen eis <regio & co>"
    assert own.findtext("cbc:Description", namespaces=NS) == "Werkt u met de meldcode?"
    assert value_types(own) == ["INDICATOR", "DESCRIPTION"]  # a suitability criterion
    for criteria in found.values():
        for criterion in criteria:
            assert "DESCRIPTION" in value_types(criterion)  # room for the explanation
    # Every exclusion ground can say what was done to restore reliability, also where the
    # taxonomy asks nothing of the kind (taxes, bankruptcy) and for the national ground.
    for code in ("fraud", "bankruptcy", "tax-pay", "socsec-pay", "nati-ground"):
        assert has_self_cleaning(found[code][0]), code
    assert not has_self_cleaning(found["qu-certif-indep"][0])
    assert len(property_ids(root)) == len(set(property_ids(root)))


def test_the_request_keeps_its_uuid_until_a_change_notice(das) -> None:
    first = etree.fromstring(espd_export.request_for(das)).findtext("cbc:UUID", namespaces=NS)
    assert etree.fromstring(espd_export.request_for(das)).findtext("cbc:UUID", namespaces=NS) == (
        first
    )
    db.session.add(
        DasChange(
            das_id=das.id,
            version=2,
            summary="Eis aangepast",
            published_at=datetime(2027, 2, 1, 9, tzinfo=UTC),
        )
    )
    db.session.commit()
    root = etree.fromstring(espd_export.request_for(das))
    assert root.findtext("cbc:UUID", namespaces=NS) != first
    assert root.findtext("cbc:IssueDate", namespaces=NS) == "2027-02-01"
    other = factories.DasFactory()
    assert etree.fromstring(espd_export.request_for(other)).findtext(
        "cbc:UUID", namespaces=NS
    ) not in (first, root.findtext("cbc:UUID", namespaces=NS))


# --- every EU criterion, written and read back (no database) ---------------------------------


def every_offered_criterion() -> tuple[CriterionFacts, ...]:
    return tuple(
        CriterionFacts(
            code=f"C{number}",
            kind="exclusion" if entry.type is espd_list.EspdType.EXCLUSION else "suitability",
            origin="national" if entry.code == "nati-ground" else "espd",
            espd_codes=(entry.code,),
            title=f"Grond {number}" if entry.code == "nati-ground" else entry.nl,
            question=f"Vraag {number}?",
        )
        for number, entry in enumerate(
            (e for e in espd_list.entries().values() if e.offered), start=1
        )
    )


def test_every_eu_criterion_writes_and_reads_back_its_answer() -> None:
    """Each of the taxonomy's grounds and criteria, answered yes with an explanation (and, for an
    exclusion ground, self-cleaning), comes back from the reader as it was given."""
    criteria = every_offered_criterion()
    assert len(criteria) > 50
    facts = RequestFacts(
        reference="ALL-1",
        name="Alles",
        description="",
        buyer_name="Regio",
        lots=(),
        criteria=criteria,
        issued_on=date(2027, 1, 1),
        document_uuid="2f0b7a8e-6c59-4d8f-9a71-0f3c4b2d9e11",
    )
    assert espd_xml.schema_errors(espd_build.request_xml(facts), "request") == []
    answers = tuple(
        AnswerFacts(
            c.code,
            True,
            f"Uitleg bij {c.code}: <b>&amp;</b>\x0b\x00 regel",
            f"Maatregelen {c.code}" if c.kind == "exclusion" else "",
        )
        for c in criteria
    )
    data = espd_build.response_xml(
        ResponseFacts(
            request=facts,
            party=Party(name="Aanbieder"),
            answers=answers,
            reference="ALL-1-000001",
            submitted_at=datetime(2027, 3, 1, 9, tzinfo=UTC),
            document_uuid="7c1e7b77-2c1d-4a4e-9a8e-1b1a7f0e2d33",
        )
    )
    assert espd_xml.schema_errors(data, "response") == []
    assert len(property_ids(etree.fromstring(data))) == len(
        set(property_ids(etree.fromstring(data)))
    )
    # An explanation is never written as the name of an entity relied upon.
    root = etree.fromstring(data)
    asked = {
        p.findtext("cbc:ID", namespaces=NS): p.findtext("cbc:Description", namespaces=NS)
        for p in root.iter(f"{{{espd_build.CAC}}}TenderingCriterionProperty")
    }
    answered = {
        asked[r.findtext("cbc:ValidatedCriterionPropertyID", namespaces=NS)]
        for r in root.findall("cac:TenderingCriterionResponse", NS)
        if r.find("cac:ResponseValue/cbc:Description", NS) is not None
    }
    assert "Name of the entity" not in answered
    document = espd_xml.read_response(data)
    assert len(document.answers) == len(criteria)
    for criterion, read in zip(criteria, document.answers, strict=True):
        assert read.code == criterion.espd_codes[0]
        assert read.value is True, criterion.espd_codes
        # The characters XML 1.0 forbids are gone, the markup is text.
        assert read.explanation == f"Uitleg bij {criterion.code}: <b>&amp;</b> regel"
        expected = f"Maatregelen {criterion.code}" if criterion.kind == "exclusion" else ""
        assert read.self_cleaning == expected, criterion.espd_codes


def test_two_national_grounds_answer_apart() -> None:
    criteria = tuple(
        CriterionFacts(code, "exclusion", "national", (), title, "Vraag?")
        for code, title in (("N1", "Eerste grond"), ("N2", "Tweede grond"))
    )
    facts = RequestFacts("N-1", "N", "", "Regio", (), criteria, date(2027, 1, 1), "x")
    data = espd_build.response_xml(
        ResponseFacts(
            facts,
            Party(name="A"),
            (AnswerFacts("N1", True, "een"), AnswerFacts("N2", False, "twee")),
            "N-1-1",
            datetime(2027, 3, 1, tzinfo=UTC),
            "y",
        )
    )
    assert espd_xml.schema_errors(data, "response") == []
    read = espd_xml.read_response(data).answers
    assert [(a.code, a.name, a.value, a.explanation) for a in read] == [
        ("nati-ground", "Eerste grond", True, "een"),
        ("nati-ground", "Tweede grond", False, "twee"),
    ]


# --- the response -----------------------------------------------------------------------------


def declare(das, user, answers: dict[str, applications.AnswerInput]):
    """A complete application with some answers given otherwise, submitted on DAY."""
    application = factories.complete_draft(das, user, DAY)
    by_code = {c.code: c for c in das.criteria}
    applications.save_answers(
        application, {by_code[code].id: given for code, given in answers.items()}, user
    )
    applications.submit(application, user, factories.at(DAY, 9))
    return application


ANSWERS = {
    "U1": applications.AnswerInput(
        True,
        "Een medewerker is in 2024 veroordeeld.",
        "Hij is ontslagen; er is een nieuw protocol.",
    ),
    "U7": applications.AnswerInput(
        True, "Een naheffing uit 2025.", "Betalingsregeling getroffen en nagekomen."
    ),
    "U9": applications.AnswerInput(True, "Eén VOG ontbrak.", "Alle VOG's zijn nu aanwezig."),
    "G3": applications.AnswerInput(False, "Wij voeren de meldcode in per 1 mei."),
}


@pytest.fixture()
def provider(app: Flask):
    user = factories.ProviderUserFactory()
    organisation = user.organisation
    organisation.legal_name = "Jeugdhulp De Linde B.V."
    organisation.kvk_number = "12345678"
    organisation.vat_number = "NL123456782B01"
    organisation.size_class = SizeClass.SMALL
    organisation.email = "info@delinde.nl"
    organisation.phone = "0475-123456"
    db.session.commit()
    return user


def test_a_draft_has_no_response(das, provider) -> None:
    draft = factories.complete_draft(das, provider, DAY)
    with pytest.raises(ServiceError) as refused:
        espd_export.response_for(draft)
    assert refused.value.code == "espd_not_submitted"


def test_the_response_is_valid_and_holds_the_party_and_the_answers(das, provider) -> None:
    application = declare(das, provider, ANSWERS)
    data = espd_export.response_for(application)
    assert espd_xml.schema_errors(data, "response") == []
    assert len(data) < 400_000  # the taxonomy's criteria, not the whole taxonomy
    root = etree.fromstring(data)
    assert etree.QName(root).localname == "QualificationApplicationResponse"
    assert root.findtext("cbc:ContractFolderID", namespaces=NS) == "JZ-2027/1"
    assert root.findtext("cbc:IssueDate", namespaces=NS) == "2027-03-01"
    assert root.findtext("cbc:IssueTime", namespaces=NS) == "10:00:00+01:00"  # 9:00 UTC
    party = root.find("cac:EconomicOperatorParty/cac:Party", NS)
    assert party.findtext("cac:PartyName/cbc:Name", namespaces=NS) == "Jeugdhulp De Linde B.V."
    identifiers = {
        (i.get("schemeAgencyID"), i.get("schemeID"), i.text)
        for i in party.findall("cac:PartyIdentification/cbc:ID", NS)
    }
    assert identifiers == {("KVK", "0106", "12345678"), ("VIES", None, "NL123456782B01")}
    assert party.findtext("cbc:IndustryClassificationCode", namespaces=NS) == "small"
    assert party.findtext("cac:PostalAddress/cbc:CityName", namespaces=NS) == "Roermond"
    assert party.findtext("cac:Contact/cbc:ElectronicMail", namespaces=NS) == "info@delinde.nl"
    texts = {
        r.findtext("cac:ResponseValue/cbc:Description", namespaces=NS)
        for r in root.findall("cac:TenderingCriterionResponse", NS)
    }
    assert {"Een naheffing uit 2025.", "Betalingsregeling getroffen en nagekomen."} <= texts
    # The same document each time it is downloaded.
    assert espd_export.response_for(application) == data


def test_the_response_says_what_was_submitted_not_what_is_true_today(das, provider) -> None:
    application = declare(das, provider, ANSWERS)
    provider.organisation.legal_name = "Nieuwe naam B.V."
    db.session.commit()
    document = espd_xml.read_response(espd_export.response_for(application))
    assert document.party.name == "Jeugdhulp De Linde B.V."


def test_round_trip_reproduces_the_declaration(das, provider) -> None:
    """Exported, read back and mapped onto the same DAS: every answer, its explanation and
    self-cleaning, and the organisation, as submitted."""
    application = declare(das, provider, ANSWERS)
    document = espd_xml.read_response(espd_export.response_for(application))
    filled, not_mapped = espd_domain.map_answers(
        espd_export.criterion_facts(das.criteria), document, das.reference
    )
    assert not_mapped == []
    submitted = {
        answer.criterion.code: (answer.value, answer.explanation, answer.self_cleaning)
        for answer in application.answers
    }
    assert {f.criterion_code: (f.value, f.explanation, f.self_cleaning) for f in filled} == (
        submitted
    )
    # What the test set apart is among it, the rest answered the passing way.
    assert submitted["U7"] == (True, ANSWERS["U7"].explanation, ANSWERS["U7"].self_cleaning)
    assert submitted["G3"] == (False, ANSWERS["G3"].explanation, "")
    assert submitted["U2"] == (False, "", "")
    assert next(f for f in filled if f.criterion_code == "U7").from_codes == (
        "tax-pay",
        "socsec-pay",
    )

    party = document.party
    assert (party.name, party.kvk_number, party.vat_number) == (
        "Jeugdhulp De Linde B.V.",
        "12345678",
        "NL123456782B01",
    )
    assert (party.street_address, party.postcode, party.city, party.country) == (
        "Markt 1",
        "6041 EL",
        "Roermond",
        "NLD",
    )
    assert party.size_class == SizeClass.SMALL.value
    assert (party.email, party.phone) == ("info@delinde.nl", "0475-123456")


def test_an_own_criterion_does_not_map_onto_another_das(das, provider) -> None:
    application = declare(das, provider, ANSWERS)
    document = espd_xml.read_response(espd_export.response_for(application))
    other = factories.DasFactory()
    filled, _ = espd_domain.map_answers(
        espd_export.criterion_facts(other.criteria), document, other.reference
    )
    # The other DAS's G1 and G4 are its own criteria: this document's G1 and G4 are not theirs.
    assert {f.criterion_code for f in filled} == {"U1", "U2"}
