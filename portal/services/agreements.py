"""Framework agreements: drawn up when lots are admitted."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from portal.domain import contract_dates
from portal.extensions import db
from portal.models import (
    AgreementLot,
    AgreementState,
    Application,
    FrameworkAgreement,
    User,
)
from portal.services.audit import record


def agreement_of(das_id: int, organisation_id: int) -> FrameworkAgreement | None:
    return db.session.scalar(
        db.select(FrameworkAgreement).where(
            FrameworkAgreement.das_id == das_id,
            FrameworkAgreement.organisation_id == organisation_id,
        )
    )


def admit_lots(
    application: Application, lot_ids: Iterable[int], admission_date: date, actor: User
) -> FrameworkAgreement:
    """Add admitted lots to the provider's agreement for this DAS, drawing one up if needed.

    Part of the caller's transaction (the decision); does not commit."""
    das = application.das
    agreement = agreement_of(das.id, application.organisation_id)
    if agreement is None:
        start, end = contract_dates.agreement_period(
            admission_date, das.term_start, das.common_end_date
        )
        agreement = FrameworkAgreement(
            das=das,
            organisation_id=application.organisation_id,
            reference=f"RO-{das.reference}-{application.organisation_id:05d}",
            # Signing in the portal comes with the agreements issue; until then an agreement
            # is live from its start date as soon as the admission is decided.
            state=AgreementState.LIVE,
            start_date=start,
            end_date=end,
        )
        db.session.add(agreement)
        record(
            "agreement.created",
            agreement,
            actor,
            organisation_id=application.organisation_id,
            das_id=das.id,
            start_date=start.isoformat(),
            end_date=end.isoformat(),
        )
    present = {al.lot_id: al for al in agreement.lots}
    added = [
        lot_id for lot_id in lot_ids if lot_id not in present or not present[lot_id].is_current
    ]
    for lot_id in added:
        if lot_id in present:  # admitted again after an earlier admission ended
            agreement_lot = present[lot_id]
            agreement_lot.ended_on = None
            agreement_lot.end_reason = ""
            agreement_lot.admitted_on = admission_date
            agreement_lot.application_id = application.id
        else:
            agreement.lots.append(
                AgreementLot(
                    lot_id=lot_id, admitted_on=admission_date, application_id=application.id
                )
            )
    if added:
        record(
            "agreement.lots_added",
            agreement,
            actor,
            organisation_id=application.organisation_id,
            das_id=das.id,
            lots=added,
        )
    return agreement


def end_lots(
    application: Application, lot_ids: Iterable[int], ended_on: date, reason: str, actor: User
) -> None:
    """End the admission for these lots (an updated declaration was rejected). Part of the
    caller's transaction."""
    agreement = agreement_of(application.das_id, application.organisation_id)
    if agreement is None:
        return
    ended = []
    for agreement_lot in agreement.lots:
        if agreement_lot.lot_id in set(lot_ids) and agreement_lot.is_current:
            agreement_lot.ended_on = ended_on
            agreement_lot.end_reason = reason
            ended.append(agreement_lot.lot_id)
    if ended:
        record(
            "agreement.lots_ended",
            agreement,
            actor,
            organisation_id=application.organisation_id,
            das_id=application.das_id,
            lots=ended,
            reason=reason,
        )


def agreements_of(organisation_id: int) -> list[FrameworkAgreement]:
    return list(
        db.session.scalars(
            db.select(FrameworkAgreement)
            .where(FrameworkAgreement.organisation_id == organisation_id)
            .order_by(FrameworkAgreement.start_date)
        )
    )
