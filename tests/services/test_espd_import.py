"""Importing an ESPD (UEA) response into a draft (portal.services.espd_import, issue 22): what it
fills, what it keeps, what it refuses (storing nothing), and the organisation data it proposes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask

from portal.extensions import db
from portal.infra import espd_xml
from portal.models import (
    Answer,
    Application,
    ApplicationState,
    AuditEvent,
    Criterion,
    CriterionKind,
    EspdImport,
    EvidenceType,
    LotOutcome,
    ReuseSource,
    Role,
    SizeClass,
)
from portal.services import (
    ServiceError,
    applications,
    espd_import,
    privacy_export,
    privacy_purge,
    review,
)
from tests import factories

DATA = Path(__file__).parent.parent / "data" / "espd"
SMALL = (DATA / "response-nl-small.xml").read_bytes()
KVK = "12345678"  # the KvK number the small response names
NOW = datetime(2027, 3, 1, 10, tzinfo=UTC)
RESPONSE_NS = b"urn:oasis:names:specification:ubl:schema:xsd:QualificationApplicationResponse-2"

XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    b'<QualificationApplicationResponse xmlns="' + RESPONSE_NS + b'">&x;'
    b"</QualificationApplicationResponse>"
)
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']>\n<QualificationApplicationResponse xmlns="'
    + RESPONSE_NS
    + b'">&lol9;</QualificationApplicationResponse>'
)

#: Every refusal of the issue: (name, file, refusal code).
REFUSED = [
    ("empty", b"", "espd_empty"),
    ("not_xml", factories.PDF_BYTES, "espd_not_xml"),
    (
        "other_document",
        b'<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:'
        b'Invoice-2"><ID>1</ID></Invoice>',
        "espd_wrong_document",
    ),
    (
        "request",
        (Path(espd_xml.__file__).parent.parent / "data/espd/ESPD-Request.example.xml").read_bytes(),
        "espd_request_not_response",
    ),
    ("draft_version", SMALL.replace(b"ESPD-EDMv4.1.0", b"ESPD-EDMv1.0.2"), "espd_draft_version"),
    (
        "unknown_namespace",
        SMALL.replace(RESPONSE_NS, RESPONSE_NS[:-1] + b"9"),
        "espd_unknown_namespace",
    ),
    (
        "schema_invalid",
        SMALL.replace(
            b"<cbc:CopyIndicator>false</cbc:CopyIndicator>",
            b"<cbc:CopyIndicator>misschien</cbc:CopyIndicator>",
        ),
        "espd_schema_invalid",
    ),
    ("too_large", b"<a>" + b"x" * espd_xml.MAX_BYTES + b"</a>", "espd_too_large"),
    ("xxe", XXE, "espd_hostile"),
    ("billion_laughs", BILLION_LAUGHS, "espd_hostile"),
]


def with_tax_ground(das) -> Criterion:
    """A ground asked with two ESPD codes (as U7 of the demo): taxes or social premiums."""
    criterion = factories.add_criterion(
        das,
        "U3",
        espd_codes="tax-pay socsec-pay",
        title="Belastingen en premies",
        question="Belastingen of premies niet betaald?",
        position=3,
    )
    db.session.commit()
    db.session.refresh(das)
    return criterion


@pytest.fixture()
def draft(app: Flask) -> Application:
    das = factories.DasFactory()
    with_tax_ground(das)
    organisation = factories.OrganisationFactory(kvk_number=KVK)
    user = factories.ProviderUserFactory(organisation=organisation)
    return applications.start_application(das, user)


def answer(application: Application, code: str) -> Answer | None:
    db.session.expire_all()
    found = db.session.get(Application, application.id)
    assert found is not None
    criterion = next(c for c in found.das.criteria if c.code == code)
    return found.answer_for(criterion)


def state(application: Application) -> list[tuple[object, ...]]:
    db.session.expire_all()
    return [
        (a.criterion_id, a.value, a.explanation, a.self_cleaning, a.reused_source)
        for a in db.session.scalars(
            db.select(Answer).where(Answer.application_id == application.id).order_by(Answer.id)
        )
    ]


def imports() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(EspdImport)) or 0


def test_fills_the_exclusion_grounds_with_self_cleaning(draft: Application) -> None:
    user = draft.created_by
    result = espd_import.import_response(user, draft, "uea.xml", SMALL, NOW)

    fraud = answer(draft, "U1")
    assert fraud is not None and fraud.value is True
    assert "valsheid in geschrift" in fraud.explanation
    assert "compliance officer" in fraud.self_cleaning
    assert fraud.reused_source is ReuseSource.ESPD
    assert fraud.reused_from_espd_id == result.id
    assert fraud.reused_at is not None and fraud.documents == []
    taxes = answer(draft, "U3")
    assert taxes is not None and taxes.value is False and taxes.reused_source is ReuseSource.ESPD
    assert answer(draft, "U2") is None  # bankruptcy: the document does not answer it

    assert result.filename == "uea.xml"
    assert result.document_uuid == "3f2c8a4e-6d1b-4c55-9e0a-7b1d2f4a9c31"
    assert result.issue_date == date(2026, 10, 1)
    assert result.procedure == "TN-2026-0042"
    assert result.contracting_party == "Gemeente Voorbeeldstad"
    assert result.edm_version
    assert len(result.sha256) == 64
    summary = result.summary
    filled = {row["criterion"]: row for row in summary["filled"]}
    assert filled["U1"]["value"] is True and filled["U1"]["from_codes"] == ["fraud"]
    assert sorted(filled["U3"]["from_codes"]) == ["socsec-pay", "tax-pay"]
    not_mapped = {(row["code"], row["reason"]) for row in summary["not_mapped"]}
    assert ("crime-org", "not_asked") in not_mapped
    assert ("U2", "not_answered") in not_mapped
    assert summary["kept"] == []
    assert summary["organisation"]["name"] == "Jeugdzorg De Linde B.V."
    assert summary["organisation"]["kvk_number"] == KVK


def test_an_answer_the_provider_typed_is_kept(draft: Application) -> None:
    user = draft.created_by
    fraud = next(c for c in draft.das.criteria if c.code == "U1")
    applications.save_answers(
        draft, {fraud.id: applications.AnswerInput(False, explanation="Zelf ingevuld")}, user
    )
    result = espd_import.import_response(user, draft, "uea.xml", SMALL, NOW)

    kept = answer(draft, "U1")
    assert kept is not None
    assert (kept.value, kept.explanation, kept.reused_source) == (False, "Zelf ingevuld", None)
    assert result.summary["kept"] == [
        {"criterion": "U1", "value": False, "espd_value": True, "same": False}
    ]
    assert "U1" not in {row["criterion"] for row in result.summary["filled"]}
    # The ground it did not touch is filled all the same.
    taxes = answer(draft, "U3")
    assert taxes is not None and taxes.reused_source is ReuseSource.ESPD


def test_a_carried_answer_is_replaced_and_keeps_documents_only_with_the_same_answer(
    draft: Application,
) -> None:
    user = draft.created_by
    document = factories.upload_pdf(user, EvidenceType.QUALITY_CERTIFICATE, NOW.date())
    by_code = {c.code: c for c in draft.das.criteria}
    earlier = factories.DasFactory()
    source = applications.start_application(earlier, user)
    for code, value in (("U1", False), ("U3", False)):
        draft.answers.append(
            Answer(
                criterion=by_code[code],
                value=value,
                explanation="Eerder",
                documents=[document],
                reused_source=ReuseSource.OTHER_DAS,
                reused_from_application=source,
                reused_at=NOW,
            )
        )
    db.session.commit()

    result = espd_import.import_response(user, draft, "uea.xml", SMALL, NOW)

    fraud = answer(draft, "U1")  # was "no", the document says "yes": its documents go
    assert fraud is not None and fraud.value is True and fraud.documents == []
    assert fraud.reused_source is ReuseSource.ESPD and fraud.reused_from_application_id is None
    taxes = answer(draft, "U3")  # "no" both times: the document still backs it
    assert taxes is not None and [d.id for d in taxes.documents] == [document.id]
    assert taxes.explanation == "" and taxes.reused_from_espd_id == result.id
    assert result.summary["kept"] == []


def test_another_organisations_kvk_number_is_refused_and_nothing_is_stored(app: Flask) -> None:
    das = factories.DasFactory()
    user = factories.ProviderUserFactory(
        organisation=factories.OrganisationFactory(kvk_number="87654321")
    )
    application = applications.start_application(das, user)
    before = state(application)

    with pytest.raises(ServiceError) as refused:
        espd_import.import_response(user, application, "uea.xml", SMALL, NOW)

    assert refused.value.code == "espd_other_organisation"
    assert imports() == 0
    assert state(application) == before


@pytest.mark.parametrize(("name", "data", "code"), REFUSED, ids=[r[0] for r in REFUSED])
def test_each_refusal_stores_nothing(draft: Application, name: str, data: bytes, code: str) -> None:
    user = draft.created_by
    fraud = next(c for c in draft.das.criteria if c.code == "U1")
    applications.save_answers(draft, {fraud.id: applications.AnswerInput(None)}, user)
    before = state(draft)
    events = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))

    with pytest.raises(ServiceError) as refused:
        espd_import.import_response(user, draft, f"{name}.xml", data, NOW)

    assert refused.value.code == code
    assert imports() == 0
    assert state(draft) == before
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == events


def test_a_schema_refusal_says_where(draft: Application) -> None:
    data = dict((r[0], r[1]) for r in REFUSED)["schema_invalid"]
    with pytest.raises(ServiceError) as refused:
        espd_import.import_response(draft.created_by, draft, "uea.xml", data, NOW)
    assert refused.value.code == "espd_schema_invalid"
    assert "misschien" in str(refused.value.params["detail"])


def test_only_the_organisations_users_and_only_into_a_draft(draft: Application) -> None:
    stranger = factories.ProviderUserFactory()
    with pytest.raises(ServiceError) as refused:
        espd_import.import_response(stranger, draft, "uea.xml", SMALL, NOW)
    assert refused.value.code == "not_found"
    draft.state = ApplicationState.SUBMITTED
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        espd_import.import_response(draft.created_by, draft, "uea.xml", SMALL, NOW)
    assert refused.value.code == "application_not_draft"
    assert imports() == 0


def test_the_same_file_twice_is_one_import(draft: Application) -> None:
    user = draft.created_by
    first = espd_import.import_response(user, draft, "uea.xml", SMALL, NOW)
    again = espd_import.import_response(user, draft, "uea.xml", SMALL, NOW.replace(minute=5))
    assert again.id == first.id
    assert imports() == 1
    # Long after, the same file is a new import (and fills what is still carried from the first).
    later = espd_import.import_response(user, draft, "uea.xml", SMALL, NOW.replace(hour=14))
    assert later.id != first.id
    fraud = answer(draft, "U1")
    assert fraud is not None and fraud.reused_from_espd_id == later.id


def test_the_import_is_audited_with_ids_and_counts_only(draft: Application) -> None:
    result = espd_import.import_response(draft.created_by, draft, "uea.xml", SMALL, NOW)
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "espd.imported"))
    assert event is not None
    assert (event.object_type, event.object_id) == ("espd_import", result.id)
    assert event.organisation_id == draft.organisation_id and event.das_id == draft.das_id
    assert event.details == {
        "application_id": draft.id,
        "filled": 2,
        "kept": 0,
        "not_mapped": len(result.summary["not_mapped"]),
    }


def test_the_organisation_data_that_differ_are_proposed_and_adopted(draft: Application) -> None:
    user = draft.created_by
    result = espd_import.import_response(user, draft, "uea.xml", SMALL, NOW)
    organisation = draft.organisation
    proposals = {p.field: p for p in espd_import.organisation_proposal(result, organisation)}
    # The factory's organisation: Markt 1, 6041 EL Roermond, micro; its KvK number is the same.
    assert proposals["street_address"].proposed == "Lindelaan 12"
    assert proposals["street_address"].current == "Markt 1"
    assert proposals["postcode"].proposed == "3511 AB"
    assert proposals["size_class"].proposed == "small"
    assert "kvk_number" not in proposals

    changes = espd_import.adopt(user, result, ["street_address", "postcode", "city"])

    db.session.expire_all()
    assert (organisation.street_address, organisation.postcode, organisation.city) == (
        "Lindelaan 12",
        "3511 AB",
        "Utrecht",
    )
    assert organisation.size_class is SizeClass.MICRO  # not chosen
    assert set(changes) == {"street_address", "postcode", "city"}
    actions = db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["espd.organisation_adopted", "organisation.updated"]
    left = {p.field for p in espd_import.organisation_proposal(result, organisation)}
    assert not left & {"street_address", "postcode", "city"}


def test_adopting_refuses_the_kvk_number_a_bad_value_and_a_colleague(draft: Application) -> None:
    user = draft.created_by
    result = espd_import.import_response(user, draft, "uea.xml", SMALL, NOW)
    with pytest.raises(ServiceError) as refused:
        espd_import.adopt(user, result, ["kvk_number"])
    assert refused.value.code == "espd_field_not_adoptable"

    result.summary = {**result.summary, "organisation": {"postcode": "ABCD 12"}}
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        espd_import.adopt(user, result, ["postcode"])
    assert refused.value.code == "espd_value_invalid"
    assert refused.value.params["field"] == "postcode"
    assert refused.value.params["problem"] == "postcode"
    db.session.expire_all()
    assert draft.organisation.postcode == "6041 EL"

    colleague = factories.ProviderUserFactory(organisation=draft.organisation, contributor=True)
    with pytest.raises(ServiceError) as refused:
        espd_import.adopt(colleague, result, ["city"])
    assert refused.value.code == "not_organisation_admin"


def test_the_privacy_export_holds_the_import(draft: Application) -> None:
    result = espd_import.import_response(draft.created_by, draft, "uea.xml", SMALL, NOW)
    data = privacy_export.organisation_data(draft.organisation, {})
    [exported] = data["espd_imports"]
    assert exported["id"] == result.id and exported["sha256"] == result.sha256
    assert exported["summary"]["filled"] == result.summary["filled"]
    assert "espd.imported" in {e["action"] for e in data["audit_events"]}


def test_the_privacy_purge_takes_the_import_with_the_declaration(draft: Application) -> None:
    """A rejected provider's import goes with its declarations, also while an answer that stays
    (a suitability criterion) still names it."""
    user = draft.created_by
    result = espd_import.import_response(user, draft, "uea.xml", SMALL, NOW)
    das = draft.das
    applications.save_products(draft, [p.id for lot in das.lots for p in lot.products], user)
    answers = {}
    for criterion in das.criteria:
        if criterion.code in ("U1", "U3"):
            continue  # as imported
        documents: tuple[int, ...] = ()
        if criterion.evidence_required:
            assert criterion.evidence_type is not None
            documents = (factories.upload_pdf(user, criterion.evidence_type, NOW.date()).id,)
        answers[criterion.id] = applications.AnswerInput(
            criterion.passing_answer, document_ids=documents
        )
    applications.save_answers(draft, answers, user)
    suitability = next(a for a in draft.answers if a.criterion.kind is CriterionKind.SUITABILITY)
    suitability.reused_source = ReuseSource.ESPD
    suitability.reused_from_espd_id = result.id
    db.session.commit()
    applications.submit(draft, user, NOW, carried_checked=True)
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    factories.decide(
        draft,
        {
            al.lot_id: review.LotDecision(LotOutcome.REJECTED, "Niet aangetoond")
            for al in draft.lots
        },
        reviewer,
        NOW.replace(day=2),
    )

    [plan] = privacy_purge.purge(date(2037, 12, 31), 7)

    assert plan.counts()["espd_imports"] == 1
    assert imports() == 0
    db.session.expire_all()
    kept = db.session.get(Answer, suitability.id)
    assert kept is not None and kept.reused_from_espd_id is None
