"""The documents of a decided application, for the staff who see the application: the decision
letter the provider got, and the assessment report behind it. Who declared a conflict of interest
on the application reads neither (403); before the decision there is none (404); in the moment
between the decision and the job that renders it, a page says it is being made (202)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.infra.storage import send_stored
from portal.models import Application, AssessmentReport, DecisionLetter
from portal.pages.pending import document_pending
from portal.review import bp
from portal.services import ServiceError, assessment_report, letters, ownership, review

Document = TypeVar("Document", DecisionLetter, AssessmentReport)


def _decision_pdf(
    application_id: int,
    find: Callable[[Application], Document | None],
    key_for: Callable[[Document], str],
) -> Response:
    application = ownership.staff_application(application_id, current_user)
    try:
        review.refuse_if_conflicted(application, current_user)
    except ServiceError:
        abort(403)
    found = find(application)
    if found is None:
        abort(404)
    if not found.is_rendered:
        return document_pending()
    return send_stored(key_for(found), mimetype="application/pdf", download_name=found.filename)


@bp.route("/aanmeldingen/<int:application_id>/besluitbrief")
def letter(application_id: int) -> Response:
    return _decision_pdf(application_id, letters.letter_of, letters.key_for)


# The endpoint is review.assessment_report; the function is named apart from the service module.
@bp.route("/aanmeldingen/<int:application_id>/beoordelingsrapport", endpoint="assessment_report")
def assessment_report_pdf(application_id: int) -> Response:
    return _decision_pdf(application_id, assessment_report.report_of, assessment_report.key_for)
