"""A reviewer asks an admitted provider for an updated declaration and evidence."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.infra import mail
from portal.models import Application, DeclarationRequest, User
from portal.services import ServiceError, transaction
from portal.services.applications import admitted_lot_ids, open_declaration_requests
from portal.services.audit import record
from portal.services.ownership import require_reviewer
from portal.services.recipients import provider_recipients
from portal.services.review import conflicted_with_provider


@transaction
def request_update(
    reviewer: User, application: Application, message: str, due_on: date, now: datetime
) -> DeclarationRequest:
    require_reviewer(reviewer, application.das_id)
    if conflicted_with_provider(reviewer, application.das_id, application.organisation_id):
        raise ServiceError("own_conflict")
    if not message.strip():
        raise ServiceError("message_required")
    if due_on <= now.date():
        raise ServiceError("due_date_in_past")
    if not admitted_lot_ids(application.das, application.organisation_id):
        raise ServiceError("nothing_to_update")
    if open_declaration_requests(application.das_id, application.organisation_id):
        raise ServiceError("declaration_already_requested")
    request = DeclarationRequest(
        das_id=application.das_id,
        organisation_id=application.organisation_id,
        requested_by_id=reviewer.id,
        requested_at=now,
        due_on=due_on,
        message=message.strip(),
    )
    db.session.add(request)
    record(
        "declaration.requested",
        request,
        reviewer,
        organisation_id=application.organisation_id,
        das_id=application.das_id,
        due_on=due_on.isoformat(),
    )
    for user in provider_recipients(application.organisation_id):
        mail.queue(
            user.email,
            _l("Verzoek om een actuele verklaring: %(das)s", das=application.das.name),
            "declaration_request",
            user=user,
            request=request,
            das=application.das,
            link=mail.link("supplier.dashboard"),
        )
    db.session.commit()
    return request


def open_requests_of(organisation_id: int) -> list[DeclarationRequest]:
    return list(
        db.session.scalars(
            db.select(DeclarationRequest)
            .where(
                DeclarationRequest.organisation_id == organisation_id,
                DeclarationRequest.answered_at.is_(None),
            )
            .order_by(DeclarationRequest.due_on)
        )
    )
