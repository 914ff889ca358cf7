"""The reviewers' side of the message thread of an application (issue 20): reading and writing,
attachments, and closing a complaint with a reply. Staff of the application's DAS only
(portal.services.ownership); who declared a conflict of interest is refused (403), as for the
application's evidence."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.models import Application
from portal.pages import threads
from portal.review import bp
from portal.services import ownership, review


def _application(application_id: int) -> tuple[Application, threads.Place]:
    application = ownership.staff_application(application_id, current_user)
    if review.conflict_of(application, current_user):
        abort(403)
    place = threads.Place(
        "review.application_messages",
        {"application_id": application.id},
        "review/messages.html",
    )
    return application, place


@bp.route("/aanmeldingen/<int:application_id>/berichten", methods=["GET", "POST"])
def application_messages(application_id: int) -> str | Response:
    application, place = _application(application_id)
    if request.method == "POST":
        return threads.post(application, place)
    return threads.page(application, place)


@bp.route(
    "/aanmeldingen/<int:application_id>/berichten/<int:message_id>/afhandelen", methods=["POST"]
)
def close_complaint(application_id: int, message_id: int) -> str | Response:
    application, place = _application(application_id)
    return threads.close(application, message_id, place)


@bp.route("/aanmeldingen/<int:application_id>/berichten/bijlagen/<int:attachment_id>")
def message_attachment(application_id: int, attachment_id: int) -> Response:
    application, _place = _application(application_id)
    return threads.attachment(application, attachment_id)
