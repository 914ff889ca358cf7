"""The provider's side of a lump-sum agreement (seed 000): the ceiling per year and reporting the
audited result of a year, held against the 3% valve. Rules: services/lump_sums.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal.infra.timeutil import local_date, now
from portal.models import FrameworkAgreement
from portal.pages.messages import message_for
from portal.services import ServiceError, lump_sums, ownership
from portal.supplier import bp
from portal.supplier.lump_sum_forms import ResultForm


@bp.route("/overeenkomsten/<int:agreement_id>/lumpsum", methods=["GET", "POST"])
def lump_sum(agreement_id: int) -> str | Response:
    agreement: FrameworkAgreement = ownership.own_agreement(agreement_id, current_user)
    state = lump_sums.state_of(agreement)
    today = local_date(now())
    form = ResultForm() if request.method == "POST" else ResultForm(formdata=None)
    form.year.choices = [SelectChoice(year, str(year)) for year in state.years_to_report(today)]
    if request.method == "POST" and form.validate_on_submit():
        try:
            result = lump_sums.report_result(
                current_user,
                agreement,
                form.year.data,
                form.result_cents(),
                form.auditor.data or "",
                now(),
                today,
            )
        except ServiceError as error:
            form.year.errors = [message_for(error)]
        else:
            if result.within_valve:
                flash(
                    _(
                        "Het resultaat over %(year)s is gemeld. Het valt binnen 3%% van het "
                        "plafondbedrag: dat is geen reden om de overeenkomst te wijzigen.",
                        year=result.year,
                    ),
                    "success",
                )
            else:
                flash(
                    _(
                        "Het resultaat over %(year)s is gemeld. Het valt buiten 3%% van het "
                        "plafondbedrag: de contractmanager neemt contact met u op om een "
                        "wijziging te bespreken.",
                        year=result.year,
                    ),
                    "success",
                )
            return redirect(url_for("supplier.lump_sum", agreement_id=agreement.id))
    return render_template("supplier/lump_sum.html", agreement=agreement, state=state, form=form)
