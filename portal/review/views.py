"""The reviewer's pages: the queue and the assessment of one application."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from portal.auth.access import protect_blueprint
from portal.extensions import db
from portal.messages import message_for
from portal.models import LotOutcome, Role
from portal.review.forms import DeclarationRequestForm, decision_form
from portal.services import (
    ServiceError,
    applications,
    declarations,
    evidence,
    organisations,
    review,
)
from portal.services.audit import events_for
from portal.timeutil import local_date, now

# DOMAIN.md: requested evidence is due within 14 calendar days.
DECLARATION_DUE_DAYS = 14

bp = Blueprint("review", __name__, url_prefix="/beoordeling")
protect_blueprint(bp, [Role.REVIEWER, Role.ADMINISTRATOR])


@bp.route("/")
def queue() -> str:
    page = max(request.args.get("pagina", 1, type=int) or 1, 1)
    per_page = current_app.config["PER_PAGE"]
    rows, total = review.queue(
        current_user, local_date(now()), current_app.config["AT_RISK_WORKING_DAYS"], page, per_page
    )
    pages = max((total + per_page - 1) // per_page, 1)
    return render_template("review/queue.html", rows=rows, total=total, page=page, pages=pages)


def _seen_version(raw: str | None) -> int:
    try:
        return int(raw or 0)
    except ValueError:
        return 0


def _load(application_id: int):  # type: ignore[no-untyped-def]
    application = review.get_for_review(application_id, current_user)
    if application is None:
        abort(404)
    return application


@bp.route("/aanmeldingen/<int:application_id>/actuele-verklaring", methods=["POST"])
def request_declaration(application_id: int) -> str | Response:
    app_ = _load(application_id)
    form = DeclarationRequestForm()
    if form.validate_on_submit():
        try:
            declarations.request_update(
                current_user, app_, form.message.data or "", form.due_on.data, now()
            )
        except ServiceError as error:
            form.message.errors = list(form.message.errors) + [message_for(error)]
        else:
            flash(_("Het verzoek is verstuurd naar de aanbieder."), "success")
            return redirect(url_for("review.application", application_id=app_.id))
    return application(application_id, request_form=form)


@bp.route("/aanmeldingen/<int:application_id>", methods=["GET", "POST"])
def application(application_id: int, request_form: FlaskForm | None = None) -> str | Response:
    app_ = _load(application_id)
    data: dict[str, object] = {"version": app_.version_id}
    for al in app_.lots:
        if al.outcome is not LotOutcome.PENDING:
            data[f"lot{al.lot_id}_outcome"] = al.outcome.value
            data[f"lot{al.lot_id}_reason"] = al.reason
    form = decision_form(app_.lots, data)
    error_message = None
    if request_form is None and form.validate_on_submit():
        decisions = {
            al.lot_id: review.LotDecision(
                LotOutcome(form[f"lot{al.lot_id}_outcome"].data),
                form[f"lot{al.lot_id}_reason"].data or "",
            )
            for al in app_.lots
        }
        try:
            review.decide(app_, decisions, current_user, now(), _seen_version(form.version.data))
        except ServiceError as error:
            db.session.rollback()
            error_message = message_for(error)
            if error.code == "reason_required":
                for lot_id, decision in decisions.items():
                    reason = form[f"lot{lot_id}_reason"]
                    if decision.outcome is LotOutcome.REJECTED and not decision.reason.strip():
                        reason.errors = list(reason.errors) + [error_message]
            app_ = _load(application_id)
            form.version.data = str(app_.version_id)  # the next try is against what is there now
        else:
            flash(_("Het besluit is vastgelegd."), "success")
            return redirect(url_for("review.application", application_id=app_.id))
    return render_template(
        "review/application.html",
        application=app_,
        form=form,
        marks=review.pre_marks(app_),
        profile_changes=organisations.profile_changes(app_.organisation_id),
        request_form=request_form
        or DeclarationRequestForm(
            formdata=None, due_on=local_date(now()) + timedelta(days=DECLARATION_DUE_DAYS)
        ),
        can_request_update=bool(applications.admitted_lot_ids(app_.das, app_.organisation_id)),
        open_requests=applications.open_declaration_requests(app_.das_id, app_.organisation_id),
        timeline=events_for(app_),
        error_message=error_message,
    )


@bp.route("/documenten/<int:document_id>")
def download(document_id: int) -> Response:
    document = review.get_document_for_staff(document_id, current_user)
    if document is None:
        abort(404)
    return send_file(
        evidence.path_for(document.sha256),
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.filename,
    )
