"""The contract managers' side of the message thread of an agreement (issue 20). Staff of the
agreement's DAS only (portal.services.ownership)."""

from __future__ import annotations

from flask import request
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.contracts import bp
from portal.models import FrameworkAgreement
from portal.pages import threads
from portal.services import ownership


def _agreement(agreement_id: int) -> tuple[FrameworkAgreement, threads.Place]:
    agreement = ownership.staff_agreement(agreement_id, current_user)
    place = threads.Place(
        "contracts.agreement_messages", {"agreement_id": agreement.id}, "contracts/messages.html"
    )
    return agreement, place


@bp.route("/<int:agreement_id>/berichten", methods=["GET", "POST"])
def agreement_messages(agreement_id: int) -> str | Response:
    agreement, place = _agreement(agreement_id)
    if request.method == "POST":
        return threads.post(agreement, place)
    return threads.page(agreement, place)


@bp.route("/<int:agreement_id>/berichten/bijlagen/<int:attachment_id>")
def message_attachment(agreement_id: int, attachment_id: int) -> Response:
    agreement, _place = _agreement(agreement_id)
    return threads.attachment(agreement, attachment_id)
