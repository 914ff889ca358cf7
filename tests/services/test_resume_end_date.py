"""Issue 21: an agreement that goes back to running ends on the DAS's current common end date
(seed 003 §4.1: every running agreement ends on the common end date), recorded as a variation."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from portal.extensions import db
from portal.models import AgreementState, AgreementVariation, Role, VariationKind
from portal.services import agreements, calendar
from tests import factories
from tests.factories import admit, at


@pytest.fixture()
def setting(app: Flask):
    calendar.ensure_statutory_holidays(range(2026, 2030))
    db.session.commit()
    das = factories.DasFactory()
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    return das, admin


def _end_date_variations(agreement_id: int) -> list[AgreementVariation]:
    return list(
        db.session.scalars(
            db.select(AgreementVariation)
            .where(
                AgreementVariation.agreement_id == agreement_id,
                AgreementVariation.kind == VariationKind.END_DATE,
            )
            .order_by(AgreementVariation.id)
        )
    )


@pytest.mark.parametrize(
    ("live", "back_to"),
    [(True, AgreementState.LIVE), (False, AgreementState.AWAITING_SIGNATURE)],
    ids=["signed", "unsigned"],
)
def test_resumed_after_option_one_ends_on_the_new_common_end_date(
    setting, live: bool, back_to: AgreementState
) -> None:
    das, admin = setting
    agreement = admit(das, factories.ProviderUserFactory(), date(2027, 3, 15), live=live)
    agreements.change_state(admin, agreement, AgreementState.SUSPENDED, "Klacht", date(2028, 1, 5))
    assert agreements.exercise_option(admin, das, date(2029, 6, 1), at(date(2029, 6, 1))) == date(
        2032, 12, 31
    )
    assert agreement.end_date == date(2029, 12, 31)  # suspended: left alone by the option

    agreements.change_state(admin, agreement, AgreementState.LIVE, "Opgelost", date(2029, 9, 1))

    assert agreement.state is back_to
    assert agreement.end_date == date(2032, 12, 31) == das.common_end_date
    [variation] = _end_date_variations(agreement.id)
    assert variation.effective_on == date(2029, 9, 1)
    assert "31-12-2029" in variation.description and "31-12-2032" in variation.description
    history = agreements.end_date_history(das.id, agreement.id)
    assert [(c.old_end, c.new_end) for c in history] == [(date(2029, 12, 31), date(2032, 12, 31))]


def test_resumed_without_an_option_meanwhile_records_no_variation(setting) -> None:
    das, admin = setting
    agreement = admit(das, factories.ProviderUserFactory(), date(2027, 3, 15), live=True)
    agreements.change_state(admin, agreement, AgreementState.SUSPENDED, "Klacht", date(2028, 1, 5))
    agreements.change_state(admin, agreement, AgreementState.LIVE, "Opgelost", date(2028, 2, 1))
    assert agreement.end_date == date(2029, 12, 31)
    assert _end_date_variations(agreement.id) == []
