"""The assessment report of a decided application, for the staff who see the application."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.infra.storage import send_stored
from portal.review import bp
from portal.services import ServiceError, assessment_report, ownership, review


# The endpoint is review.assessment_report; the function is named apart from the service module.
@bp.route("/aanmeldingen/<int:application_id>/beoordelingsrapport", endpoint="assessment_report")
def assessment_report_pdf(application_id: int) -> Response:
    """The report (PDF) once the decision is final; 404 before. Who declared a conflict of
    interest on the application reads none of it (403), as with the decision letter."""
    application = ownership.staff_application(application_id, current_user)
    try:
        review.refuse_if_conflicted(application, current_user)
    except ServiceError:
        abort(403)
    found = assessment_report.report_of(application)
    if found is None:
        abort(404)
    return send_stored(
        assessment_report.key_for(found), mimetype="application/pdf", download_name=found.filename
    )
