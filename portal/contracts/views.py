"""Contract management: the register of framework agreements, countersigning, suspension and
ending, extension options and the official report."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal.auth.access import role_required
from portal.contracts import bp, forms
from portal.extensions import db
from portal.infra import spreadsheets
from portal.infra.timeutil import local_date, now
from portal.models import AgreementState, Das, FrameworkAgreement, Role
from portal.models.labels import label
from portal.pages.messages import message_for
from portal.pages.pending import document_pending
from portal.pages.views_common import download, staff_das_and_lot_choices
from portal.services import (
    ServiceError,
    agreements,
    documents,
    lump_sums,
    messages,
    ownership,
    paging,
    reports,
)
from portal.services.audit import events_for


def _filters() -> tuple[forms.RegisterFilterForm, reports.RegisterFilters]:
    form = forms.RegisterFilterForm(request.args)
    staff_das_and_lot_choices(current_user, form.das, form.lot)
    form.state.choices = [SelectChoice("", _("Alle"))] + [
        SelectChoice(s.value, label(s)) for s in AgreementState
    ]
    form.validate()
    state = form.state.data if form.state.data in {s.value for s in AgreementState} else None
    return form, reports.RegisterFilters(
        das_ids=ownership.visible_das_ids(current_user),
        das_id=None if form.das.errors else (form.das.data or None),
        lot_id=None if form.lot.errors else (form.lot.data or None),
        state=AgreementState(state) if state else None,
        ends_before=None if form.ends_before.errors else form.ends_before.data,
    )


@bp.route("/")
def register() -> str:
    page = paging.page_number(request.args.get("pagina"))
    per_page = current_app.config["PER_PAGE"]
    form, filters = _filters()
    rows, total = reports.register_page(filters, page, per_page)
    query = {k: v for k, v in request.args.items() if k != "pagina"}
    das_ids = ownership.visible_das_ids(current_user)
    das_query = db.select(Das).order_by(Das.name)
    if das_ids is not None:
        das_query = das_query.where(Das.id.in_(das_ids))
    return render_template(
        "contracts/register.html",
        das_list=db.session.scalars(das_query).all(),
        agreements=paging.page_of(rows, total, page, per_page),
        total=total,
        form=form,
        query=query,
    )


@bp.route("/export.<any(csv, xlsx):kind>")
def export(kind: str) -> Response:
    _form, filters = _filters()
    today, due_days = local_date(now()), current_app.config["KPI_DUE_DAYS"]
    if kind == "csv":
        content = reports.register_csv(filters, today, due_days)
        mimetype = spreadsheets.CSV_MIMETYPE
    else:
        content = reports.register_xlsx(filters, today, due_days)
        mimetype = spreadsheets.XLSX_MIMETYPE
    return download(content, mimetype, f"contractregister.{kind}")


def _detail(found: FrameworkAgreement, **overrides: object) -> str:
    context: dict[str, object] = {
        "agreement": found,
        "variations": agreements.variations_of(found),
        "end_dates": agreements.end_date_history(found.das_id, found.id),
        "timeline": events_for(
            found,
            paging.page_number(request.args.get("tijdlijn")),
            current_app.config["PER_PAGE"],
        ),
        "countersign_form": forms.CountersignForm(formdata=None),
        "state_form": forms.StateForm(formdata=None, on=local_date(now())),
        "unread_messages": messages.unread_count(found, for_staff=True),
        "lump_sum": lump_sums.state_of(found),
        "error_message": None,
    }
    context.update(overrides)
    return render_template("contracts/agreement.html", **context)


@bp.route("/<int:agreement_id>")
def agreement(agreement_id: int) -> str:
    return _detail(ownership.staff_agreement(agreement_id, current_user))


@bp.route("/<int:agreement_id>/pdf")
def agreement_pdf(agreement_id: int) -> Response:
    found = ownership.staff_agreement(agreement_id, current_user)
    try:
        content, filename = agreements.document(found)
    except documents.DocumentPending:
        return document_pending()
    except ServiceError:
        abort(404)
    return download(content, "application/pdf", filename)


@bp.route("/<int:agreement_id>/medeondertekenen", methods=["POST"])
@role_required(Role.ADMINISTRATOR)
def countersign(agreement_id: int) -> str | Response:
    found = ownership.staff_agreement(agreement_id, current_user)
    form = forms.CountersignForm()
    if not form.validate_on_submit():
        return _detail(found, countersign_form=form)
    try:
        agreements.countersign(
            found, current_user, form.password.data or "", request.remote_addr or "", now()
        )
    except ServiceError as error:
        return _detail(found, countersign_form=form, error_message=message_for(error))
    flash(_("De overeenkomst is medeondertekend en loopt nu."), "success")
    return redirect(url_for("contracts.agreement", agreement_id=agreement_id))


@bp.route("/<int:agreement_id>/status", methods=["POST"])
@role_required(Role.ADMINISTRATOR)
def change_state(agreement_id: int) -> str | Response:
    found = ownership.staff_agreement(agreement_id, current_user)
    form = forms.StateForm()
    if not form.validate_on_submit():
        return _detail(found, state_form=form)
    try:
        agreements.change_state(
            current_user,
            found,
            AgreementState(form.state.data),
            form.reason.data or "",
            form.on.data,
        )
    except ServiceError as error:
        return _detail(found, state_form=form, error_message=message_for(error))
    flash(_("De status is gewijzigd en de aanbieder is ingelicht."), "success")
    return redirect(url_for("contracts.agreement", agreement_id=agreement_id))


def _options_page(das: Das, form: forms.OptionForm, error_message: str | None = None) -> str:
    return render_template(
        "contracts/options.html",
        das=das,
        form=form,
        history=agreements.end_date_history(das.id),
        error_message=error_message,
    )


@bp.route("/das/<slug>/opties")
def options(slug: str) -> str:
    das = ownership.staff_das(slug, current_user)
    return _options_page(das, forms.OptionForm(formdata=None, decision_date=local_date(now())))


@bp.route("/das/<slug>/opties", methods=["POST"])
@role_required(Role.ADMINISTRATOR)
def exercise_option(slug: str) -> str | Response:
    """Exercising an option moves every live agreement's end date: the administrator's, with
    the password asked again."""
    das = ownership.staff_das(slug, current_user)
    form = forms.OptionForm(decision_date=local_date(now()))
    if not form.validate_on_submit():
        return _options_page(das, form)
    if not current_user.check_password(form.password.data or ""):
        form.password.errors = [message_for(ServiceError("wrong_password"))]
        return _options_page(das, form)
    try:
        new_end = agreements.exercise_option(current_user, das, form.decision_date.data, now())
    except ServiceError as error:
        return _options_page(das, form, message_for(error))
    flash(
        _(
            "De optie is gelicht. De gemeenschappelijke einddatum is nu %(date)s.",
            date=new_end.strftime("%d-%m-%Y"),
        ),
        "success",
    )
    return redirect(url_for("contracts.options", slug=slug))


@bp.route("/das/<slug>/proces-verbaal")
def official_report(slug: str) -> str | Response:
    das = ownership.staff_das(slug, current_user)
    form = forms.ReportForm(request.args)
    if not request.args or not form.validate():
        if not request.args:
            form = forms.ReportForm(formdata=None, start=das.term_start, end=local_date(now()))
        return render_template("contracts/report_form.html", das=das, form=form)
    report = reports.official_report(das, form.start.data, form.end.data)
    html = render_template(
        "letters/official_report.html", report=report, das=das, made_on=local_date(now())
    )
    return download(
        # Sealed and kept as issued: a public record anyone can check (public.verify_document).
        documents.issue_and_keep(html, documents.OFFICIAL_REPORTS),
        "application/pdf",
        f"proces-verbaal-{das.reference}-{form.start.data:%Y%m%d}-{form.end.data:%Y%m%d}.pdf",
    )
