"""One provider profile across regions (issue 22): a new application to a DAS starts from the
organisation's latest valid declaration to other DAS instances, per ground, with the documents that
still count there; the provider confirms what was carried before submitting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import event

from portal.extensions import db
from portal.models import (
    ApplicationState,
    AuditEvent,
    Criterion,
    CriterionKind,
    CriterionOrigin,
    Das,
    EvidenceType,
    LotOutcome,
    ReuseSource,
    ReviewMark,
)
from portal.services import ServiceError, applications, calendar, reuse, review
from tests import factories
from tests.factories import at

TODAY = date(2027, 6, 1)
NOW = at(TODAY, 8)


@dataclass(frozen=True)
class C:
    """A criterion to add to a DAS."""

    code: str
    espd_codes: str = ""
    kind: CriterionKind = CriterionKind.EXCLUSION
    origin: CriterionOrigin = CriterionOrigin.ESPD
    title: str = ""
    evidence_type: EvidenceType | None = None
    extra_types: list[str] = field(default_factory=list)
    max_age: int | None = None


def make_das(name: str, criteria: list[C]) -> Das:
    das = factories.DasFactory(name=name, with_requirements=False)
    from portal.models import IjwUnit, Lot, Product

    lot = Lot(das_id=das.id, code="1", name="Begeleiding", position=1)
    lot.products.append(
        Product(code="45A01", name="Begeleiding", ijw_category="45", unit=IjwUnit.HOUR)
    )
    db.session.add(lot)
    for position, c in enumerate(criteria, start=1):
        factories.add_criterion(
            das,
            c.code,
            c.kind,
            espd_codes=c.espd_codes,
            origin=c.origin,
            title=c.title or f"Grond {c.code}",
            question=f"Vraag {c.code}?",
            position=position,
            evidence_type=c.evidence_type,
            extra_evidence_types=c.extra_types,
            evidence_required=c.evidence_type is not None,
            max_evidence_age_months=c.max_age,
        )
    db.session.commit()
    db.session.refresh(das)
    return das


def criterion(das: Das, code: str) -> Criterion:
    return next(c for c in das.criteria if c.code == code)


@pytest.fixture()
def provider(app: Flask):
    calendar.ensure_statutory_holidays(range(2026, 2029))
    db.session.commit()
    return factories.ProviderUserFactory()


def declare(
    das: Das,
    user,
    day: date,
    answers: dict[str, tuple[bool, str, str]] | None = None,
    documents: dict[str, list[int]] | None = None,
    submit: bool = True,
):
    """An application to `das` with every criterion answered the passing way (or as given:
    value, explanation, self-cleaning), documents as given, submitted at 9 on `day`."""
    draft = applications.start_application(das, user, now=at(day, 8))
    applications.save_products(draft, [p.id for lot in das.lots for p in lot.products], user)
    given = {}
    for c in das.criteria:
        value, explanation, self_cleaning = (answers or {}).get(c.code, (c.passing_answer, "", ""))
        given[c.id] = applications.AnswerInput(
            value, explanation, self_cleaning, tuple((documents or {}).get(c.code, ()))
        )
    applications.save_answers(draft, given, user)
    if submit:
        applications.submit(draft, user, at(day, 9), carried_checked=True)
    return draft


def judge(application, fail: set[str], when: datetime) -> None:
    reviewer = factories.UserFactory()
    factories.assign(reviewer, application.das)
    review.declare_conflict(application, reviewer, False, "", when)
    review.assess(
        application,
        reviewer,
        {
            c.id: review.MarkInput(ReviewMark.FAIL, "Voldoet niet")
            if c.code in fail
            else review.MarkInput(ReviewMark.PASS, "Beoordeeld")
            for c in application.das.criteria
        },
        when,
    )


def start(das: Das, user):
    return applications.start_application(das, user, now=NOW)


def carried(application, code: str):
    return application.answer_for(criterion(application.das, code))


@pytest.mark.parametrize(
    ("source", "target", "carried_over"),
    [
        (C("U1", "fraud"), C("X1", "fraud"), True),
        # A "no" to "taxes or social premiums unpaid" answers "taxes unpaid" ...
        (C("U7", "tax-pay socsec-pay"), C("X1", "tax-pay"), True),
        # ... not the other way round.
        (C("U7", "tax-pay"), C("X1", "tax-pay socsec-pay"), False),
        (
            C("U9", "nati-ground", origin=CriterionOrigin.NATIONAL, title="Bibob-weigering"),
            C("X1", "nati-ground", origin=CriterionOrigin.NATIONAL, title="BIBOB weigering"),
            True,
        ),
        (
            C("U9", "nati-ground", origin=CriterionOrigin.NATIONAL, title="Bibob-weigering"),
            C("X1", "nati-ground", origin=CriterionOrigin.NATIONAL, title="Integriteitstoets"),
            False,
        ),
        # A region's own criterion is its own, even under the same title.
        (
            C("G9", kind=CriterionKind.SUITABILITY, origin=CriterionOrigin.OWN, title="Vestiging"),
            C("G9", kind=CriterionKind.SUITABILITY, origin=CriterionOrigin.OWN, title="Vestiging"),
            False,
        ),
        # An exclusion ground does not answer a suitability criterion with the same code.
        (C("U1", "fraud"), C("X1", "fraud", kind=CriterionKind.SUITABILITY), False),
    ],
)
def test_what_carries_over(provider, source: C, target: C, carried_over: bool) -> None:
    first = make_das("Regio Noord", [source])
    second = make_das("Regio Zuid", [target])
    value = source.kind is CriterionKind.SUITABILITY
    earlier = declare(first, provider, date(2027, 5, 3), {source.code: (value, "Toelichting", "")})
    draft = start(second, provider)
    answer = carried(draft, target.code)
    if not carried_over:
        assert answer is None
        return
    assert answer is not None
    assert (answer.value, answer.explanation) == (value, "Toelichting")
    assert answer.reused_source is ReuseSource.OTHER_DAS
    assert answer.reused_from_application == earlier
    assert answer.reused_at is not None and answer.is_reused


def test_value_explanation_and_self_cleaning_carry(provider) -> None:
    first = make_das("Regio Noord", [C("U1", "fraud"), C("U2", "bankruptcy")])
    second = make_das("Regio Zuid", [C("A", "bankruptcy"), C("B", "fraud"), C("Z", "corruption")])
    earlier = declare(
        first,
        provider,
        date(2027, 5, 3),
        {"U1": (True, "Veroordeeld in 2019.", "Nieuw bestuur, compliance officer.")},
    )
    draft = start(second, provider)
    b = carried(draft, "B")
    assert (b.value, b.explanation, b.self_cleaning) == (
        True,
        "Veroordeeld in 2019.",
        "Nieuw bestuur, compliance officer.",
    )
    assert carried(draft, "A").value is False
    assert carried(draft, "Z") is None  # only this DAS asks it
    event = db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.action == "application.started", AuditEvent.object_id == draft.id
        )
    )
    assert event.details["carried_from"] == [earlier.id]


def test_a_failing_answer_is_not_carried_an_older_passing_one_is(provider) -> None:
    old_das = make_das("Regio West", [C("U1", "fraud")])
    new_das = make_das("Regio Noord", [C("U1", "fraud"), C("U2", "bankruptcy")])
    target = make_das("Regio Zuid", [C("X1", "fraud"), C("X2", "bankruptcy")])
    older = declare(old_das, provider, date(2027, 4, 1), {"U1": (True, "Oud", "Maatregelen")})
    newer = declare(new_das, provider, date(2027, 5, 1), {"U1": (True, "Nieuw", "")})
    judge(newer, {"U1"}, at(date(2027, 5, 10)))
    draft = start(target, provider)
    x1 = carried(draft, "X1")
    assert x1.reused_from_application == older and x1.explanation == "Oud"
    assert carried(draft, "X2").reused_from_application == newer  # that one passed


def test_the_newest_declaration_wins(provider) -> None:
    north = make_das("Regio Noord", [C("U1", "fraud")])
    west = make_das("Regio West", [C("U1", "fraud")])
    target = make_das("Regio Zuid", [C("X1", "fraud")])
    declare(north, provider, date(2027, 3, 1), {"U1": (False, "Maart", "")})
    newest = declare(west, provider, date(2027, 5, 1), {"U1": (False, "Mei", "")})
    declare(north, factories.ProviderUserFactory(), date(2027, 5, 20))  # someone else's
    draft = start(target, provider)
    assert carried(draft, "X1").reused_from_application == newest
    assert carried(draft, "X1").explanation == "Mei"


def test_drafts_and_withdrawn_applications_are_no_source(provider) -> None:
    north = make_das("Regio Noord", [C("U1", "fraud")])
    west = make_das("Regio West", [C("U1", "fraud")])
    target = make_das("Regio Zuid", [C("X1", "fraud")])
    declare(north, provider, date(2027, 5, 1), submit=False)
    withdrawn = declare(west, provider, date(2027, 5, 2))
    withdrawn.state = ApplicationState.WITHDRAWN
    db.session.commit()
    assert carried(start(target, provider), "X1") is None


def test_the_same_das_reuse_wins(provider) -> None:
    """After a rejection in this DAS the new draft starts from this DAS's own answers, even when
    a newer declaration to another DAS answers the same ground."""
    target = make_das("Regio Zuid", [C("X1", "fraud"), C("X2", "bankruptcy")])
    other = make_das("Regio Noord", [C("U1", "fraud"), C("U2", "bankruptcy")])
    mine = declare(target, provider, date(2027, 3, 1), {"X1": (False, "Eigen", "")})
    reviewer = factories.UserFactory()
    factories.assign(reviewer, target)
    factories.decide(
        mine,
        {al.lot_id: review.LotDecision(LotOutcome.REJECTED, "Nee") for al in mine.lots},
        reviewer,
        at(date(2027, 3, 2)),
    )
    declare(other, provider, date(2027, 5, 1), {"U1": (False, "Ander", "")})
    draft = start(target, provider)
    x1 = carried(draft, "X1")
    assert x1.reused_source is ReuseSource.EARLIER_APPLICATION and x1.explanation == "Eigen"
    assert carried(draft, "X2").reused_source is ReuseSource.EARLIER_APPLICATION


@pytest.mark.parametrize(
    ("evidence_type", "issued_on", "expires_on", "stays_behind"),
    [
        (EvidenceType.KVK_EXTRACT, TODAY - timedelta(days=60), None, False),
        # The target asks for at most 3 months; the source allowed 6.
        (EvidenceType.KVK_EXTRACT, TODAY - timedelta(days=100), None, True),
        # Another kind than the target accepts.
        (EvidenceType.ANNUAL_ACCOUNTS, TODAY - timedelta(days=60), None, True),
        # Ended since.
        (EvidenceType.KVK_EXTRACT, TODAY - timedelta(days=60), TODAY - timedelta(days=1), True),
    ],
)
def test_documents_come_along_only_where_they_still_count(
    provider, evidence_type, issued_on, expires_on, stays_behind
) -> None:
    source = C(
        "G1",
        "registered",
        kind=CriterionKind.SUITABILITY,
        evidence_type=EvidenceType.KVK_EXTRACT,
        extra_types=[EvidenceType.ANNUAL_ACCOUNTS.value],
        max_age=6,
    )
    target = C(
        "G4",
        "registered",
        kind=CriterionKind.SUITABILITY,
        evidence_type=EvidenceType.KVK_EXTRACT,
        max_age=3,
    )
    first = make_das("Regio Noord", [source])
    second = make_das("Regio Zuid", [target])
    document = factories.upload_pdf(provider, evidence_type, issued_on, expires_on)
    declare(first, provider, issued_on + timedelta(days=1), documents={"G1": [document.id]})
    answer = carried(start(second, provider), "G4")
    assert answer is not None and answer.value is True  # the answer itself always comes
    assert answer.documents == ([] if stays_behind else [document])


def test_confirmation_before_submitting(provider) -> None:
    first = make_das("Regio Noord", [C("U1", "fraud"), C("U2", "bankruptcy")])
    second = make_das("Regio Zuid", [C("X1", "fraud"), C("X2", "bankruptcy")])
    earlier = declare(first, provider, date(2027, 5, 3))
    draft = start(second, provider)
    applications.save_products(draft, [p.id for lot in second.lots for p in lot.products], provider)
    assert reuse.needs_confirmation(draft)
    with pytest.raises(ServiceError) as refused:
        applications.submit(draft, provider, at(TODAY, 10))
    assert refused.value.code == "carried_answers_unconfirmed"
    db.session.refresh(draft)
    assert draft.is_draft and draft.snapshot is None

    applications.submit(draft, provider, at(TODAY, 10), carried_checked=True)
    snapshot = draft.snapshot
    assert snapshot is not None
    assert snapshot["carried_confirmation"]["criteria"] == ["X1", "X2"]
    x1 = next(a for a in snapshot["answers"] if a["code"] == "X1")
    assert x1["reused_from"] == {
        "source": "other_das",
        "application_id": earlier.id,
        "reference": earlier.reference,
        "reused_at": x1["reused_from"]["reused_at"],
        "das_name": "Regio Noord",
        "das_slug": first.slug,
        "submitted_on": "2027-05-03",
    }
    event = db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.action == "application.submitted", AuditEvent.object_id == draft.id
        )
    )
    assert event.details["carried_answers_checked"]["criteria"] == ["X1", "X2"]
    # A second click finds nothing left to submit.
    with pytest.raises(ServiceError) as again:
        applications.submit(draft, provider, at(TODAY, 10), carried_checked=True)
    assert again.value.code == "application_not_draft"


def test_changed_answers_need_no_confirmation(provider) -> None:
    first = make_das("Regio Noord", [C("U1", "fraud")])
    second = make_das("Regio Zuid", [C("X1", "fraud")])
    declare(first, provider, date(2027, 5, 3))
    draft = start(second, provider)
    applications.save_products(draft, [p.id for lot in second.lots for p in lot.products], provider)
    x1 = criterion(second, "X1")
    applications.save_answers(
        draft, {x1.id: applications.AnswerInput(False, "Zelf nagekeken")}, provider
    )
    assert not draft.answer_for(x1).is_reused
    assert not reuse.needs_confirmation(draft)
    applications.submit(draft, provider, at(TODAY, 10))
    assert "carried_confirmation" not in draft.snapshot


def test_what_was_carried_and_from_where(provider) -> None:
    first = make_das(
        "Regio Noord",
        [C("U1", "fraud"), C("U2", "bankruptcy"), C("G1", "registered", CriterionKind.SUITABILITY)],
    )
    second = make_das(
        "Regio Zuid",
        [
            C("X1", "fraud"),
            C("X2", "bankruptcy"),
            C("X3", "corruption"),
            C("G1", "registered", CriterionKind.SUITABILITY),
            C("G2", "", CriterionKind.SUITABILITY, CriterionOrigin.OWN, "Vestiging"),
        ],
    )
    earlier = declare(first, provider, date(2027, 5, 3))
    draft = start(second, provider)
    summary = reuse.carried_over(draft)
    assert summary.exclusion == (2, 3) and summary.suitability == (1, 2)
    (source,) = summary.sources
    assert (source.das_name, source.reference, source.on) == (
        "Regio Noord",
        earlier.reference,
        date(2027, 5, 3),
    )
    assert set(summary.by_criterion) == {criterion(second, c).id for c in ("X1", "X2", "G1")}


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_queries_do_not_grow_with_criteria_or_applications(provider) -> None:
    codes = ["fraud", "corruption", "bankruptcy", "tax-pay", "socsec-pay", "terr-offence"]

    def selects(size: int) -> int:
        user = factories.ProviderUserFactory()
        sources = [
            make_das(f"Bron {size}-{n}", [C(f"U{i}", code) for i, code in enumerate(codes[:size])])
            for n in range(size)
        ]
        for n, das in enumerate(sources):
            declare(das, user, date(2027, 5, 1) + timedelta(days=n))
        target = make_das(f"Doel {size}", [C(f"X{i}", code) for i, code in enumerate(codes[:size])])
        db.session.expire_all()
        target = db.session.get(Das, target.id)
        assert target is not None
        _ = target.criteria, user.organisation_id
        with counting() as statements:
            draft = start(target, user)
        assert len([a for a in draft.answers if a.is_reused]) == size
        return len(statements)

    assert selects(2) == selects(6)
