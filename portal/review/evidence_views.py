"""Evidence for reviewers: downloads, and (issue 18) viewing beside the answer.

Per application and document: the viewer (the document's facts and a preview), the pictures of
its pages, and its download. Each loads the application as staff may see it and the document as
evidence of that application (portal.services.ownership.evidence_of): a document of another
application is not found, a reviewer who declared a conflict of interest is refused. The viewer
and the download record who opened what (the four-eyes view, the assessment report); the
pictures do not, as the viewer that shows them has.
"""

from __future__ import annotations

import io

from flask import abort, render_template, send_file
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.infra.pdf_preview import PreviewFailed
from portal.infra.storage import inline_headers, send_stored, send_stored_inline
from portal.infra.timeutil import now
from portal.models import Application, EvidenceDocument
from portal.pages import views_common
from portal.review import bp
from portal.services import ServiceError, espd_export, evidence, evidence_views, ownership


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


def _evidence(application_id: int, document_id: int) -> tuple[Application, EvidenceDocument]:
    application = ownership.staff_application(application_id, current_user)
    try:
        return application, ownership.evidence_of(application, document_id, current_user)
    except ServiceError:  # a conflict of interest declared on this application
        abort(403)


@bp.route("/aanmeldingen/<int:application_id>/documenten/<int:document_id>")
def evidence_viewer(application_id: int, document_id: int) -> str:
    application, document = _evidence(application_id, document_id)
    evidence_views.open_evidence(application, document, current_user, now())
    return render_template(
        "review/evidence.html",
        application=application,
        document=document,
        preview=evidence_views.preview_of(document),
        uploader=evidence_views.uploader_of(document),
        views=evidence_views.views_of(application).get(document.id, []),
    )


@bp.route("/aanmeldingen/<int:application_id>/documenten/<int:document_id>/downloaden")
def evidence_download(application_id: int, document_id: int) -> Response:
    application, document = _evidence(application_id, document_id)
    evidence_views.open_evidence(application, document, current_user, now())
    return send_stored(
        evidence.key_for(document.sha256),
        mimetype=evidence.served_type(document),
        download_name=evidence.served_name(document),
    )


@bp.route("/aanmeldingen/<int:application_id>/documenten/<int:document_id>/voorbeeld/<int:page>")
def evidence_preview(application_id: int, document_id: int, page: int) -> Response:
    """Page `page` of the document as a picture: an image as it is (page 1), a PDF's page drawn
    on the server. Shown inline, sandboxed, never sniffed; nothing else is shown inline."""
    _, document = _evidence(application_id, document_id)
    served_type = evidence.served_type(document)
    if served_type in evidence_views.IMAGE_TYPES:
        if page != 1:
            abort(404)
        return send_stored_inline(
            evidence.key_for(document.sha256),
            mimetype=served_type,
            download_name=evidence.served_name(document),
        )
    try:
        picture = evidence_views.page_image(document, page)
    except PreviewFailed:
        abort(404)
    stem = evidence.served_name(document).rsplit(".", 1)[0]
    return inline_headers(
        send_file(
            io.BytesIO(picture),
            mimetype="image/png",
            download_name=f"{stem}-{page}.png",
            conditional=False,
        )
    )


@bp.route("/aanmeldingen/<int:application_id>/espd.xml")
def application_espd(application_id: int) -> Response:
    """The application as an ESPD (UEA) response, as it was submitted (issue 22): for whoever may
    open the application, refused to one who declared a conflict of interest on it."""
    application = ownership.staff_application(application_id, current_user)
    try:
        content = espd_export.response_for_staff(application, current_user)
    except ServiceError:  # a conflict of interest declared on this application
        abort(403)
    return views_common.download(
        content,
        "application/xml; charset=utf-8",
        espd_export.response_filename(application),
    )
