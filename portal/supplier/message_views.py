"""The provider's side of the message threads (issue 20): on an application (with complaints
against its decision) and on an agreement. Only the provider's own organisation finds them
(portal.services.ownership); the rest is portal.pages.threads."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.models import Application, FrameworkAgreement
from portal.pages import threads
from portal.services import ownership
from portal.supplier import bp


def _application(application_id: int) -> tuple[Application, threads.Place]:
    application = ownership.own_application(application_id, current_user)
    if application.is_draft:  # nobody to write to before it is submitted
        abort(404)
    place = threads.Place(
        "supplier.application_messages",
        {"application_id": application.id},
        "supplier/messages.html",
    )
    return application, place


def _agreement(agreement_id: int) -> tuple[FrameworkAgreement, threads.Place]:
    agreement = ownership.own_agreement(agreement_id, current_user)
    place = threads.Place(
        "supplier.agreement_messages", {"agreement_id": agreement.id}, "supplier/messages.html"
    )
    return agreement, place


@bp.route("/aanmeldingen/<int:application_id>/berichten", methods=["GET", "POST"])
def application_messages(application_id: int) -> str | Response:
    application, place = _application(application_id)
    return threads.post(application, place) if _posted() else threads.page(application, place)


@bp.route("/overeenkomsten/<int:agreement_id>/berichten", methods=["GET", "POST"])
def agreement_messages(agreement_id: int) -> str | Response:
    agreement, place = _agreement(agreement_id)
    return threads.post(agreement, place) if _posted() else threads.page(agreement, place)


@bp.route("/aanmeldingen/<int:application_id>/berichten/bijlagen/<int:attachment_id>")
def application_attachment(application_id: int, attachment_id: int) -> Response:
    application, _place = _application(application_id)
    return threads.attachment(application, attachment_id)


@bp.route("/overeenkomsten/<int:agreement_id>/berichten/bijlagen/<int:attachment_id>")
def agreement_attachment(agreement_id: int, attachment_id: int) -> Response:
    agreement, _place = _agreement(agreement_id)
    return threads.attachment(agreement, attachment_id)


def _posted() -> bool:
    return request.method == "POST"
