"""Evidence for reviewers: downloads, and (issue 18) viewing beside the answer."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.infra.storage import send_stored
from portal.review import bp
from portal.services import ServiceError, evidence, ownership


@bp.route("/documenten/<int:document_id>")
def download(document_id: int) -> Response:
    try:
        document = ownership.staff_document(document_id, current_user)
    except ServiceError:  # a conflict of interest declared on an application it belongs to
        abort(403)
    return send_stored(
        evidence.key_for(document.sha256),
        mimetype=evidence.served_type(document),
        download_name=evidence.served_name(document),
    )
