"""The provider's pages: dashboard, starting an application, clarifications, letters,
agreements."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal.domain.next_step import next_step
from portal.infra.storage import send_stored
from portal.infra.timeutil import local_date, now
from portal.models import (
    ApplicationState,
    Das,
    FrameworkAgreement,
)
from portal.models.labels import label
from portal.pages import carried as carried_texts
from portal.pages import views_common
from portal.pages.messages import message_for
from portal.pages.pending import document_pending
from portal.pages.status import application_status
from portal.services import (
    ServiceError,
    agreements,
    applications,
    contact_point,
    declarations,
    evidence,
    letters,
    lump_sums,
    messages,
    ownership,
    paging,
    provider_lists,
    reuse,
    review,
    waiting_times,
)
from portal.services import dashboard as dashboard_facts
from portal.services.documents import DocumentPending
from portal.supplier import bp
from portal.supplier.forms import (
    ClarificationReplyForm,
    SignForm,
)

# The dashboard shows several lists; its applications a short page at a time.
DASHBOARD_PER_PAGE = 10


def _org_id() -> int:
    return ownership.organisation_id_of(current_user)


def _open_das() -> list[Das]:
    """The open DAS instances, once per request (the dashboard and the contact block)."""
    if "open_das" not in g:
        g.open_das = contact_point.open_das_list()
    return list(g.open_das)


@bp.context_processor
def contact_das() -> dict[str, object]:
    """The DAS whose contact point the page shows (base.html): the DAS of the application or
    agreement in the path, or the DAS named by its slug; on pages about no DAS in particular,
    the open ones. Someone else's id finds nothing (the organisation is part of the query)."""
    if not current_user.is_authenticated or current_user.organisation_id is None:
        return {}
    args = request.view_args or {}
    organisation_id = current_user.organisation_id
    if "application_id" in args:
        found = contact_point.das_of_application(args["application_id"], organisation_id)
        return {"contact_das": [found] if found else []}
    if "agreement_id" in args:
        found = contact_point.das_of_agreement(args["agreement_id"], organisation_id)
        return {"contact_das": [found] if found else []}
    if "slug" in args:
        found = contact_point.das_by_slug(args["slug"])
        return {"contact_das": [found] if found else []}
    return {"contact_das": _open_das()}


@bp.route("/")
def dashboard() -> str:
    open_das = _open_das()
    today = local_date(now())
    organisation = current_user.organisation
    agreement_list, register_due = waiting_times.dashboard_agreements(_org_id(), now())
    applications_page = provider_lists.applications_page(
        _org_id(),
        paging.page_number(request.args.get("aanmeldingen")),
        DASHBOARD_PER_PAGE,
    )
    outcomes = dashboard_facts.lot_outcomes(
        a.id for a in applications_page if a.state is ApplicationState.DECIDED
    )
    return render_template(
        "supplier/dashboard.html",
        open_das=open_das,
        next_step=next_step(
            dashboard_facts.provider_facts(organisation, agreement_list, open_das, today)
        ),
        applications=applications_page,
        statuses={
            a.id: application_status(a.state, outcomes.get(a.id, ())) for a in applications_page
        },
        agreements=agreement_list,
        unread=messages.unread_for_organisation(_org_id()),
        declaration_requests=declarations.open_requests_of(_org_id()),
        expiring=provider_lists.expiring_documents(
            _org_id(), today, current_app.config["EXPIRY_WARNING_DAYS"]
        ),
        waiting_times_due=register_due,
    )


@bp.route("/das/<slug>/verklaring-bijwerken", methods=["POST"])
def update_declaration(slug: str) -> Response:
    das = ownership.open_das(slug)
    try:
        application = applications.start_application(das, current_user, update=True)
    except ServiceError as error:
        flash(message_for(error), "error")
        return redirect(url_for("supplier.dashboard"))
    return redirect(url_for("supplier.application", application_id=application.id))


@bp.route("/das/<slug>/aanmelden", methods=["POST"])
def start(slug: str) -> Response:
    das = ownership.open_das(slug)
    try:
        application = applications.start_application(das, current_user)
    except ServiceError as error:
        flash(message_for(error), "error")
        return redirect(url_for("supplier.dashboard"))
    carried = reuse.carried_over(application) if not application.lots else None
    if carried:
        # The declaration came along from another region (issue 22): choosing lots is what is
        # left to begin with; the summary says what came along, the submit page lists it.
        flash(carried_texts.summary_text(carried), "info")
        return redirect(url_for("supplier.lots", application_id=application.id))
    return redirect(url_for("supplier.application", application_id=application.id))


@bp.route(
    "/aanmeldingen/<int:application_id>/vragen/<int:clarification_id>", methods=["GET", "POST"]
)
def clarification(application_id: int, clarification_id: int) -> str | Response:
    application = ownership.own_application(application_id, current_user)
    found = ownership.clarification_of(application, clarification_id)
    documents = evidence.documents_of(_org_id())
    form = ClarificationReplyForm(data={"documents": [d.id for d in found.documents]})
    form.documents.choices = [
        SelectChoice(d.id, f"{d.filename} ({label(d.evidence_type)}, {d.issued_on:%d-%m-%Y})")
        for d in documents
    ]
    error_message = None
    if found.is_open and form.validate_on_submit():
        try:
            review.answer_clarification(
                application,
                found,
                current_user,
                form.answer.data or "",
                list(form.documents.data or []),
                now(),
            )
        except ServiceError as error:
            error_message = message_for(error)
        else:
            flash(_("Uw antwoord is verstuurd. De beoordeling gaat verder."), "success")
            return redirect(url_for("supplier.application", application_id=application.id))
    return render_template(
        "supplier/clarification.html",
        application=application,
        clarification=found,
        form=form,
        error_message=error_message,
    )


@bp.route("/aanmeldingen/<int:application_id>/besluitbrief")
def letter(application_id: int) -> Response:
    application = ownership.own_application(application_id, current_user)
    found = letters.letter_of(application)
    if found is None:
        abort(404)
    if not found.is_rendered:
        return document_pending()
    return send_stored(
        letters.key_for(found), mimetype="application/pdf", download_name=found.filename
    )


def _agreement_page(
    found: FrameworkAgreement, form: SignForm | None = None, error_message: str | None = None
) -> str:
    return render_template(
        "supplier/agreement.html",
        agreement=found,
        form=form or SignForm(formdata=None),
        variations=agreements.variations_of(found),
        end_dates=agreements.end_date_history(found.das_id, found.id),
        products=agreements.products_of(found),
        unread_messages=messages.unread_count(found, for_staff=False),
        lump_sum=lump_sums.state_of(found),
        action_form=FlaskForm(),
        error_message=error_message,
    )


@bp.route("/overeenkomsten/<int:agreement_id>")
def agreement(agreement_id: int) -> str:
    return _agreement_page(ownership.own_agreement(agreement_id, current_user))


@bp.route("/overeenkomsten/<int:agreement_id>/ondertekenen", methods=["POST"])
def sign(agreement_id: int) -> str | Response:
    found = ownership.own_agreement(agreement_id, current_user)
    form = SignForm()
    if form.validate_on_submit():
        try:
            agreements.sign(
                found, current_user, form.password.data or "", request.remote_addr or "", now()
            )
        except ServiceError as error:
            if error.code == "wrong_password":
                form.password.errors = list(form.password.errors) + [message_for(error)]
                return _agreement_page(found, form)
            return _agreement_page(found, form, message_for(error))
        flash(
            _("U heeft de raamovereenkomst ondertekend. De gemeenten ondertekenen nu mee."),
            "success",
        )
        return redirect(url_for("supplier.agreement", agreement_id=found.id))
    return _agreement_page(found, form)


@bp.route("/overeenkomsten/<int:agreement_id>/pdf")
def agreement_pdf(agreement_id: int) -> Response:
    found = ownership.own_agreement(agreement_id, current_user)
    try:
        content, filename = agreements.document(found)
    except DocumentPending:
        return document_pending()
    except ServiceError:
        abort(404)
    return views_common.download(content, "application/pdf", filename)


@bp.route(
    "/overeenkomsten/<int:agreement_id>/wijzigingen/<int:variation_id>/accepteren", methods=["POST"]
)
def accept_variation(agreement_id: int, variation_id: int) -> str | Response:
    found = ownership.own_agreement(agreement_id, current_user)
    variation = ownership.variation_of(found, variation_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        agreements.accept_variation(current_user, variation, now())
    except ServiceError as error:
        return _agreement_page(found, error_message=message_for(error))
    flash(_("U heeft de wijziging geaccepteerd."), "success")
    return redirect(url_for("supplier.agreement", agreement_id=found.id))
