"""The provider's download of all data the portal holds about its organisation (same blueprint,
same role check)."""

from __future__ import annotations

from flask import current_app, send_file
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.auth.access import organisation_admin_required
from portal.infra.timeutil import now
from portal.services import privacy_export
from portal.supplier import bp


@bp.route("/organisatie/gegevens-downloaden")
# The archive holds declarations about criminal convictions of the organisation's directors and
# the accounts of every colleague: only the organisation's administrator, who manages those
# colleagues and answers for the organisation, may take all of it away at once.
@organisation_admin_required
def export_data() -> Response:
    export = privacy_export.export_organisation(
        current_user,
        now(),
        int(current_app.config["RETENTION_YEARS"]),
        str(current_app.config["PRIVACY_OFFICER_EMAIL"]),
    )
    response = send_file(
        export.file,
        mimetype="application/zip",
        as_attachment=True,
        download_name=export.filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
