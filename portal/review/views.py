"""The reviewer's pages: the queue and the assessment of one application."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.auth.access import protect_blueprint
from portal.extensions import db
from portal.messages import message_for
from portal.models import EvidenceDocument, LotOutcome, Role
from portal.review.forms import decision_form
from portal.services import ServiceError, evidence, review
from portal.services.audit import events_for
from portal.timeutil import local_date, now

bp = Blueprint("review", __name__, url_prefix="/beoordeling")
protect_blueprint(bp, [Role.REVIEWER, Role.ADMINISTRATOR])


@bp.route("/")
def queue() -> str:
    page = max(request.args.get("pagina", 1, type=int) or 1, 1)
    per_page = current_app.config["PER_PAGE"]
    rows, total = review.queue(current_user, local_date(now()),
                               current_app.config["AT_RISK_WORKING_DAYS"], page, per_page)
    pages = max((total + per_page - 1) // per_page, 1)
    return render_template("review/queue.html", rows=rows, total=total, page=page, pages=pages)


def _load(application_id: int):  # type: ignore[no-untyped-def]
    application = review.get_for_review(application_id, current_user)
    if application is None:
        abort(404)
    return application


@bp.route("/aanmeldingen/<int:application_id>", methods=["GET", "POST"])
def application(application_id: int) -> str | Response:
    app_ = _load(application_id)
    data: dict[str, object] = {"version": app_.version_id}
    for al in app_.lots:
        if al.outcome is not LotOutcome.PENDING:
            data[f"lot{al.lot_id}_outcome"] = al.outcome.value
            data[f"lot{al.lot_id}_reason"] = al.reason
    form = decision_form(app_.lots, data)
    error_message = None
    if form.validate_on_submit():
        decisions = {
            al.lot_id: review.LotDecision(
                LotOutcome(form[f"lot{al.lot_id}_outcome"].data),
                form[f"lot{al.lot_id}_reason"].data or "",
            )
            for al in app_.lots
        }
        try:
            seen = int(form.version.data or 0)
            review.decide(app_, decisions, current_user, now(), seen)
        except (ServiceError, ValueError) as error:
            error_message = message_for(error) if isinstance(error, ServiceError) else None
            if isinstance(error, ServiceError) and error.code == "reason_required":
                for al in app_.lots:
                    reason_field = form[f"lot{al.lot_id}_reason"]
                    if decisions[al.lot_id].outcome is LotOutcome.REJECTED and not \
                            (reason_field.data or "").strip():
                        reason_field.errors = list(reason_field.errors) + [error_message]
            db.session.rollback()
            app_ = _load(application_id)
        else:
            flash(_("Het besluit is vastgelegd."), "success")
            return redirect(url_for("review.application", application_id=app_.id))
    return render_template(
        "review/application.html",
        application=app_,
        form=form,
        marks=review.pre_marks(app_),
        timeline=events_for(app_),
        error_message=error_message,
    )


@bp.route("/documenten/<int:document_id>")
def download(document_id: int) -> Response:
    document = db.session.get(EvidenceDocument, document_id)
    if document is None:
        abort(404)
    return send_document(document)


def send_document(document: EvidenceDocument) -> Response:
    from flask import send_file

    return send_file(evidence.path_for(document.sha256), mimetype=document.content_type,
                     as_attachment=True, download_name=document.filename)
