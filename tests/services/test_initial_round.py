"""The initial round in the services (seed 003 §6.2; dir. 2014/24 art. 34(2), (5)): an
application of the round is due on the joint decision date, one after it on the usual working
days; a clarification does not move the joint date; the round's agreements start on the term
start."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from portal.extensions import db
from portal.models import LotOutcome, Role
from portal.services import agreements, calendar, review
from tests import factories
from tests.factories import at

CLOSES = date(2025, 3, 31)
DECISION = date(2025, 7, 1)


@pytest.fixture()
def das(app: Flask):
    calendar.ensure_statutory_holidays(range(2025, 2028))
    db.session.commit()
    das = factories.DasFactory(first_round_closes_on=CLOSES, joint_decision_on=DECISION)
    return das


def test_an_application_of_the_round_is_due_on_the_joint_decision_date(das) -> None:
    provider = factories.ProviderUserFactory()
    application = factories.submitted_application(das, provider, date(2025, 3, 10))
    assert application.review_deadline == DECISION
    # The closing day itself still belongs to the round.
    late = factories.submitted_application(das, factories.ProviderUserFactory(), CLOSES)
    assert late.review_deadline == DECISION


def test_an_application_after_the_closing_date_gets_the_working_days(das) -> None:
    received = date(2025, 4, 1)
    application = factories.submitted_application(das, factories.ProviderUserFactory(), received)
    expected = calendar.review_deadline(received, das.review_working_days)
    assert application.review_deadline == expected
    assert expected < DECISION  # ten working days, not the joint date


def test_without_a_round_nothing_changes(app: Flask) -> None:
    calendar.ensure_statutory_holidays(range(2026, 2028))
    das = factories.DasFactory()
    received = date(2026, 3, 2)
    application = factories.submitted_application(das, factories.ProviderUserFactory(), received)
    assert application.review_deadline == calendar.review_deadline(received, 10)


def test_a_clarification_does_not_move_the_joint_decision_date(das) -> None:
    provider = factories.ProviderUserFactory()
    application = factories.submitted_application(das, provider, date(2025, 3, 10))
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    review.declare_conflict(application, reviewer, False, "", at(date(2025, 3, 11)))
    clarification = review.ask_clarification(
        application, reviewer, "Stuur het certificaat opnieuw.", ["G1"], date(2025, 4, 30),
        at(date(2025, 3, 12)),
    )  # fmt: skip
    review.answer_clarification(
        application, clarification, provider, "Bijgevoegd.", [], at(date(2025, 4, 25))
    )
    db.session.refresh(application)
    assert application.review_deadline == DECISION
    # A reviewer who recomputes it on any day gets the same date.
    assert review.recompute_deadline(application, date(2025, 5, 1)) == DECISION


def test_agreements_of_the_round_start_on_the_term_start(das) -> None:
    provider = factories.ProviderUserFactory()
    application = factories.submitted_application(das, provider, date(2025, 3, 10))
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    factories.decide(
        application,
        {al.lot_id: review.LotDecision(LotOutcome.ADMITTED, "") for al in application.lots},
        reviewer,
        at(DECISION),
    )
    agreement = agreements.agreement_of(das.id, provider.organisation_id)
    assert agreement is not None
    assert agreement.start_date == das.term_start == date(2026, 1, 1)
    assert agreement.end_date == das.common_end_date
    assert {al.admitted_on for al in agreement.lots} == {DECISION}


def test_late_applications_still_count_working_days_after_the_round_is_decided(das) -> None:
    received = date(2025, 9, 1)
    application = factories.submitted_application(das, factories.ProviderUserFactory(), received)
    assert application.review_deadline == calendar.review_deadline(received, 10)
