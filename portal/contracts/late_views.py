"""The late KPI and SROI reports of a DAS's providers, one list for its contract managers, with
the reminders sent and a reminder to send now. Same blueprint and role check as the register."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.contracts import bp, forms
from portal.domain import contract_management as rules
from portal.infra.timeutil import local_date, now
from portal.pages.messages import message_for
from portal.services import ServiceError, kpis, ownership, paging


def _kind(form: forms.LateFilterForm) -> rules.ReportKind | None:
    value = form.soort.data if form.validate() else ""
    return rules.ReportKind(value) if value in {k.value for k in rules.ReportKind} else None


@bp.route("/das/<slug>/te-laat")
def late_reports(slug: str) -> str:
    das = ownership.staff_das(slug, current_user)
    form = forms.LateFilterForm(request.args)
    rows = kpis.late_reports_page(
        das,
        local_date(now()),
        current_app.config["KPI_DUE_DAYS"],
        _kind(form),
        paging.page_number(request.args.get("pagina")),
        current_app.config["PER_PAGE"],
    )
    query = {k: v for k, v in request.args.items() if k != "pagina"}
    return render_template(
        "contracts/late_reports.html",
        das=das,
        form=form,
        rows=rows,
        query=query,
        remind_form=forms.RemindForm(formdata=None),
    )


@bp.route("/<int:agreement_id>/herinneren", methods=["POST"])
def remind_late(agreement_id: int) -> Response:
    """Post/redirect/get back to the list the button was on (its filters and page kept)."""
    found = ownership.staff_agreement(agreement_id, current_user)
    form = forms.RemindForm()
    back = url_for(
        "contracts.late_reports",
        slug=found.das.slug,
        soort=request.args.get("soort") or None,
        pagina=request.args.get("pagina") or None,
    )
    if not form.validate_on_submit() or form.report.data not in {k.value for k in rules.ReportKind}:
        flash(_("Kies een rapportage uit de lijst."), "error")
        return redirect(back)
    report = rules.ReportKind(form.report.data)
    definition = (
        ownership.kpi_definition_of(found.das, form.definition.data)
        if report is rules.ReportKind.KPI and form.definition.data
        else None
    )
    try:
        sent = kpis.remind_now(
            current_user,
            found,
            report,
            definition,
            form.period.data,
            local_date(now()),
            now(),
            current_app.config["KPI_DUE_DAYS"],
        )
    except ServiceError as error:
        flash(message_for(error), "error")
        return redirect(back)
    flash(
        _(
            "De herinnering is verstuurd aan %(n)s persoon/personen van %(name)s.",
            n=sent,
            name=found.organisation.legal_name,
        ),
        "success",
    )
    return redirect(back)
