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
from portal.pages.money import format_figure
from portal.pages.views_common import read_spreadsheet
from portal.services import ServiceError, kpis, ownership
from portal.supplier import bp
from portal.supplier.forms import KpiUploadForm, SroiForm


def _field(definition_id: int, start: date) -> str:
    return f"kpi{definition_id}_{start.isoformat()}"


def _year(agreement: FrameworkAgreement, today: date) -> tuple[list[int], int | None]:
    """The years the provider may report for, and the one asked (?jaar=, else the latest)."""
    years = kpis.report_years(agreement, today)
    asked = request.values.get("jaar", "")
    year = int(asked) if asked.isdigit() and int(asked) in years else None
    return years, year if year is not None else (years[0] if years else None)


def _page(agreement: FrameworkAgreement, **overrides: object) -> str:
    today = local_date(now())
    series = kpis.provider_dashboard(agreement, today, current_app.config["KPI_DUE_DAYS"])
    years, year = _year(agreement, today)
    sheet = kpis.year_sheet(agreement, year, today) if year is not None else []
    context = {
        "agreement": agreement,
        "series": series,
        "years": years,
        "year": year,
        "sheet": sheet,
        "field_name": _field,
        "period_label": rules.period_label,
        "upload_form": KpiUploadForm(formdata=None),
        # What the form shows: the figures that count, as the provider writes them.
        "typed": {
            _field(row.definition.id, cell.period_start): format_figure(cell.current)
            for row in sheet
            for cell in row.cells
            if cell.open and cell.current is not None
        },
        "cell_errors": {},
        "reason_error": None,
        "row_errors": [],
        "error_message": None,
    }
    context.update(overrides)
    return render_template("supplier/kpi.html", **context)


@bp.route("/overeenkomsten/<int:agreement_id>/kpi", methods=["GET", "POST"])
def kpi_report(agreement_id: int) -> str | Response:
    """One form for a year: every KPI's quarters, half years and the year side by side. A cell
    left empty, or unchanged, is not reported (the rest may follow later); a changed figure is a
    correction and needs a reason. Nothing is stored while any cell is refused."""
    agreement = ownership.own_agreement(agreement_id, current_user)
    if request.method == "GET":
        return _page(agreement)
    from flask_wtf import FlaskForm

    if not FlaskForm().validate_on_submit():
        abort(400)
    today = local_date(now())
    _years, year = _year(agreement, today)
    if year is None or request.form.get("jaar") != str(year):
        # The form names a year it offers: anything else was not typed in it.
        return _page(agreement, error_message=_("Kies een jaar uit de lijst."))
    typed: dict[str, str] = {}
    cell_errors: dict[str, str] = {}
    figures = []
    for row in kpis.year_sheet(agreement, year, today):
        for cell in row.cells:
            if not cell.open:
                continue
            name = _field(row.definition.id, cell.period_start)
            raw = typed[name] = request.form.get(name, "").strip()
            if not raw:
                continue
            try:
                value = read_figure(raw)
            except ValueError as error:
                cell_errors[name] = str(error)
                continue
            if cell.current is not None and value == cell.current:
                continue  # shown as reported, left as it was
            problem = kpis.check_figure(agreement, row.definition, cell.period_start, value, today)
            if problem:
                cell_errors[name] = message_for(problem)
                continue
            figures.append(kpis.Figure(row.definition, cell.period_start, value))
    reason = request.form.get("reason", "")
    refused: dict[str, object] = {"typed": typed, "cell_errors": cell_errors}
    if cell_errors:
        return _page(agreement, **refused)
    if not figures:
        return _page(
            agreement,
            **refused,
            error_message=_("Vul ten minste één nieuw of gewijzigd cijfer in."),
        )
    try:
        kpis.report(current_user, agreement, figures, reason, today, now())
    except ServiceError as error:
        if error.code == "correction_reason_required":
            return _page(agreement, **refused, reason_error=message_for(error))
        return _page(agreement, **refused, error_message=message_for(error))
    flash(
        _("Uw cijfers over %(year)s zijn opgeslagen (%(n)s).", year=year, n=len(figures)),
        "success",
    )
    return redirect(url_for("supplier.kpi_report", agreement_id=agreement.id, jaar=year))


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
        obligations=kpis.yearly_obligations(agreement, today),
    )
