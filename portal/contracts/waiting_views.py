"""The waiting-time register for contract managers (issue 23): how a provider's waiting times
moved (beside its KPIs), and which providers of a DAS have not updated theirs."""

from __future__ import annotations

from decimal import Decimal

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.contracts import bp
from portal.infra.timeutil import local_date, now
from portal.pages.svg import line_chart
from portal.services import ownership, paging
from portal.services import waiting_register as register


def _chart_title(series: register.Series) -> str:
    area = series.authority.name if series.authority else _("alle gemeenten")
    what = (
        f"{series.product.code} {series.product.name}"
        if series.product
        else _("perceel %(code)s", code=series.lot.code)
    )
    return _("Weken tot intake: %(what)s, %(area)s", what=what, area=area)


@bp.route("/<int:agreement_id>/wachttijden")
def waiting_times(agreement_id: int) -> str:
    found = ownership.staff_agreement(agreement_id, current_user)
    series = register.history(found)
    charts = {
        index: line_chart(
            _chart_title(s),
            [local_date(r.reported_at).strftime("%d-%m-%Y") for r in s.reports],
            [Decimal(r.weeks_to_intake) for r in s.reports],
        )
        for index, s in enumerate(series)
        if len(s.reports) > 1
    }
    return render_template(
        "contracts/waiting_times.html",
        agreement=found,
        series=series,
        charts=charts,
        now=now(),
    )


@bp.route("/das/<slug>/wachttijden")
def waiting_times_overview(slug: str) -> str:
    das = ownership.staff_das(slug, current_user)
    everyone = request.args.get("alle") == "1"
    states = register.update_states(
        das,
        now(),
        paging.page_number(request.args.get("pagina")),
        current_app.config["PER_PAGE"],
        everyone=everyone,
    )
    return render_template(
        "contracts/waiting_overview.html",
        das=das,
        states=states,
        everyone=everyone,
        query={"alle": "1"} if everyone else {},
    )
