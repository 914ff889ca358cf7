"""The provider reports KPI figures (form or file) and social return."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal.domain import contract_management as rules
from portal.infra.timeutil import local_date, now
from portal.models import FrameworkAgreement
from portal.pages.forms import read_figure
from portal.pages.messages import message_for, row_messages
from portal.pages.views_common import read_spreadsheet
from portal.services import ServiceError, kpis, ownership
from portal.supplier import bp
from portal.supplier.forms import KpiUploadForm, SroiForm


def _quarters(agreement: FrameworkAgreement, today: date) -> list[date]:
    return list(reversed(rules.completed_periods(agreement.start_date, today, "quarter")))


def _page(agreement: FrameworkAgreement, **overrides: object) -> str:
    today = local_date(now())
    series = kpis.provider_dashboard(agreement, today, current_app.config["KPI_DUE_DAYS"])
    context = {
        "agreement": agreement,
        "series": series,
        "quarters": _quarters(agreement, today),
        "period_label": rules.period_label,
        "upload_form": KpiUploadForm(formdata=None),
        "typed": {},
        "row_errors": [],
        "error_message": None,
        "chosen_quarter": None,
    }
    context.update(overrides)
    return render_template("supplier/kpi.html", **context)


@bp.route("/overeenkomsten/<int:agreement_id>/kpi", methods=["GET", "POST"])
def kpi_report(agreement_id: int) -> str | Response:
    """One quarter at a time: a half-year or year KPI is asked when its period has ended."""
    agreement = ownership.own_agreement(agreement_id, current_user)
    if request.method == "GET":
        return _page(agreement)
    from flask_wtf import FlaskForm

    if not FlaskForm().validate_on_submit():
        abort(400)
    today = local_date(now())
    quarters = {q.isoformat(): q for q in _quarters(agreement, today)}
    chosen = quarters.get(request.form.get("quarter", ""))
    typed = {
        d.id: request.form.get(f"kpi{d.id}", "").strip()
        for d in kpis.definitions_of(agreement.das_id)
    }
    reason = request.form.get("reason", "")
    if chosen is None:
        return _page(agreement, typed=typed, error_message=_("Kies een afgelopen kwartaal."))
    figures, problems = [], []
    for definition in kpis.definitions_of(agreement.das_id):
        raw = typed[definition.id]
        if not raw:
            continue
        try:
            value = read_figure(raw)
        except ValueError as error:
            problems.append(f"{definition.name}: {error}")
            continue
        start = rules.period_start_of(chosen, definition.period.value)
        figures.append(kpis.Figure(definition, start, value))
    if problems or not figures:
        return _page(
            agreement,
            typed=typed,
            chosen_quarter=chosen,
            error_message=" ".join(problems) or _("Vul ten minste één cijfer in."),
        )
    try:
        kpis.report(current_user, agreement, figures, reason, today, now())
    except ServiceError as error:
        return _page(
            agreement, typed=typed, chosen_quarter=chosen, error_message=message_for(error)
        )
    flash(_("Uw cijfers zijn opgeslagen."), "success")
    return redirect(url_for("supplier.kpi_report", agreement_id=agreement.id))


@bp.route("/overeenkomsten/<int:agreement_id>/kpi/bestand", methods=["POST"])
def kpi_upload(agreement_id: int) -> str | Response | tuple[str, int]:
    agreement = ownership.own_agreement(agreement_id, current_user)
    form = KpiUploadForm()
    if not form.validate_on_submit():
        return _page(agreement, upload_form=form)
    today = local_date(now())
    rows = read_spreadsheet(form.file)
    if rows is None:
        return _page(agreement, upload_form=form), 422
    figures, errors = kpis.parse_rows(agreement, rows, today)
    if errors:
        return _page(agreement, upload_form=form, row_errors=row_messages(errors))
    try:
        kpis.report(current_user, agreement, figures, form.reason.data or "", today, now())
    except ServiceError as error:
        return _page(agreement, upload_form=form, error_message=message_for(error))
    flash(_("%(n)s cijfers zijn ingelezen.", n=len(figures)), "success")
    return redirect(url_for("supplier.kpi_report", agreement_id=agreement.id))


@bp.route("/overeenkomsten/<int:agreement_id>/sroi", methods=["GET", "POST"])
def sroi(agreement_id: int) -> str | Response:
    agreement = ownership.own_agreement(agreement_id, current_user)
    today = local_date(now())
    form = SroiForm()
    form.year.choices = [
        SelectChoice(y, str(y)) for y in range(today.year, agreement.start_date.year - 1, -1)
    ]
    from portal.models.labels import label
    from portal.services import evidence

    form.document.choices = [SelectChoice(0, _("geen"))] + [
        SelectChoice(d.id, f"{d.filename} ({label(d.evidence_type)})")
        for d in evidence.documents_of(ownership.organisation_id_of(current_user))
    ]
    error_message = None
    if form.validate_on_submit():
        try:
            kpis.report_sroi(
                current_user,
                agreement,
                form.year.data,
                form.activity.data or "",
                form.amount.data,
                form.pso_level.data or "",
                now(),
                form.document.data or None,
            )
        except ServiceError as error:
            error_message = message_for(error)
        else:
            flash(_("Uw social-returnactiviteit is vastgelegd."), "success")
            return redirect(url_for("supplier.sroi", agreement_id=agreement.id))
    return render_template(
        "supplier/sroi.html",
        agreement=agreement,
        form=form,
        reports=kpis.sroi_reports_of(agreement),
        error_message=error_message,
        sroi_rules=kpis.sroi_rules_of(agreement.das),
        sroi_year=today.year,
    )
