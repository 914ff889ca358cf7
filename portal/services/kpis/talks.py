"""Contract talks: a contract manager's record of a talk with a provider, with its actions."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import (
    ContractTalk,
    FrameworkAgreement,
    TalkAction,
    TalkKind,
    User,
)
from portal.services import ServiceError
from portal.services.audit import record
from portal.services.ownership import (
    require_contract_manager,
)


def log_talk(
    user: User,
    agreement: FrameworkAgreement,
    kind: TalkKind,
    held_on: date,
    participants: str,
    agreements_made: str,
    actions: list[tuple[str, str, date]],
) -> ContractTalk:
    require_contract_manager(user, agreement.das_id)
    if not participants.strip():
        raise ServiceError("participants_required")
    talk = ContractTalk(
        agreement_id=agreement.id,
        kind=kind,
        held_on=held_on,
        participants=participants.strip(),
        agreements_made=agreements_made.strip(),
        created_by_id=user.id,
    )
    for description, owner, due_on in actions:
        talk.actions.append(TalkAction(description=description, owner=owner, due_on=due_on))
    db.session.add(talk)
    record(
        "talk.logged",
        agreement,
        user,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        kind=kind.value,
        held_on=held_on.isoformat(),
    )
    db.session.commit()
    return talk


def talks_of(agreement: FrameworkAgreement) -> list[ContractTalk]:
    return list(
        db.session.scalars(
            db.select(ContractTalk)
            .options(selectinload(ContractTalk.actions))  # listed with each talk
            .where(ContractTalk.agreement_id == agreement.id)
            .order_by(ContractTalk.held_on.desc())
        )
    )
