"""Contract management pages: KPI definitions, the DAS overview (totals, market concentration,
contract-talk selection, SROI) and the dashboard per provider (issue 7). Same blueprint and role
check as the contract register."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal.auth.access import role_required
from portal.contracts import forms
from portal.contracts.views import _agreement, _das, bp
from portal.domain import contract_management as rules
from portal.extensions import db
from portal.messages import amount_too_large, message_for
from portal.models import KpiDefinition, ReportingPeriod, Role, TalkKind
from portal.params import decimal_arg, id_arg, year_arg
from portal.services import ServiceError, kpis, paging
from portal.svg import line_chart
from portal.timeutil import local_date, now
from portal.views_common import table_download


@bp.route("/das/<slug>/kpis", methods=["GET", "POST"])
def kpi_definitions(slug: str) -> str | Response:
    das = _das(slug)
    editing_id = id_arg("kpi")
    editing = db.session.get(KpiDefinition, editing_id) if editing_id else None
    if editing is not None and editing.das_id != das.id:
        abort(404)
    form = (
        forms.KpiDefinitionForm(obj=editing)
        if request.method == "GET" and editing
        else forms.KpiDefinitionForm()
    )
    if request.method == "GET" and editing:
        form.higher_is_better.data = "1" if editing.higher_is_better else "0"
        form.period.data = editing.period.value
    if request.method == "POST":
        if current_user.role is not Role.ADMINISTRATOR:
            abort(403)
        if request.form.get("defaults") == "1" and form.csrf_token.validate(form):
            kpis.ensure_default_kpis(das)
            db.session.commit()
            flash(_("De standaard-KPI's zijn toegevoegd."), "success")
            return redirect(url_for("contracts.kpi_definitions", slug=slug))
        if form.validate_on_submit():
            try:
                kpis.save_definition(
                    current_user,
                    das,
                    editing,
                    form.code.data or "",
                    form.name.data or "",
                    form.unit.data or "",
                    form.higher_is_better.data == "1",
                    form.target.data,
                    form.threshold.data,
                    ReportingPeriod(form.period.data),
                )
            except ServiceError as error:
                form.threshold.errors = list(form.threshold.errors) + [message_for(error)]
            else:
                flash(_("De KPI is opgeslagen."), "success")
                return redirect(url_for("contracts.kpi_definitions", slug=slug))
    return render_template(
        "contracts/kpi_definitions.html",
        das=das,
        form=form,
        editing=editing,
        definitions=kpis.definitions_of(das.id),
    )


# A weight is a relative figure; a thousand to one is already more than anyone needs.
MAX_WEIGHT = Decimal(1000)


def _weights() -> tuple[Decimal, Decimal]:
    """The weights of clients and turnover in the concentration figures: finite, 0 to 1000,
    not both 0 (anything else counts both once)."""
    clients = decimal_arg("gewicht_clienten", Decimal(1), minimum=Decimal(0), maximum=MAX_WEIGHT)
    turnover = decimal_arg("gewicht_omzet", Decimal(1), minimum=Decimal(0), maximum=MAX_WEIGHT)
    if clients + turnover == 0:
        return Decimal(1), Decimal(1)
    return clients, turnover


def _overview(slug: str, with_sroi: bool = True):  # type: ignore[no-untyped-def]
    das = _das(slug)
    today = local_date(now())
    year = year_arg("jaar", today.year)
    clients_weight, turnover_weight = _weights()
    return (
        das,
        kpis.das_overview(das, year, today, clients_weight, turnover_weight, with_sroi),
        (clients_weight, turnover_weight),
    )


@bp.route("/das/<slug>/overzicht")
def overview(slug: str) -> str:
    das, data, weights = _overview(slug, with_sroi=False)
    settings = forms.ManagementSettingsForm(
        formdata=None,
        sroi_threshold=f"{das.sroi_threshold_cents // 100},{das.sroi_threshold_cents % 100:02d}",
        sroi_percent=das.sroi_percent,
        talks_top_n=das.talks_top_n,
    )
    query = {k: v for k, v in request.args.items() if k != "pagina"}
    return _render_overview(das, data, weights, query, settings)


def _render_overview(das, data, weights, query, settings_form) -> str:  # type: ignore[no-untyped-def]
    # The social-return table has a row per live agreement: paged in SQL (issue 10); the
    # exports stay whole.
    sroi_rows = kpis.sroi_page(
        das,
        data.year,
        local_date(now()),
        paging.page_number(request.args.get("pagina")),
        current_app.config["PER_PAGE"],
    )
    return render_template(
        "contracts/overview.html",
        das=das,
        data=data,
        weights=weights,
        query=query,
        sroi_rows=sroi_rows,
        settings_form=settings_form,
    )


@bp.route(
    "/das/<slug>/overzicht/<any(gesprekken, percelen, gemeenten, sroi):table>.<any(csv, xlsx):kind>"
)
def overview_export(slug: str, table: str, kind: str) -> Response:
    das, data, _weights_ = _overview(slug)
    if table == "gesprekken":
        header = ["rang", "aanbieder", "clienten", "omzet_eur", "score"]
        rows = [
            [
                i,
                a.organisation.legal_name,
                r.clients,
                f"{r.turnover_cents / 100:.2f}",
                f"{r.score:.3f}",
            ]
            for i, (a, r) in enumerate(data.ranking, start=1)
        ]
    elif table == "percelen":
        header = ["perceel", "omzet_eur"]
        rows = [
            [f"{lot.code}. {lot.name}", f"{data.turnover_per_lot.get(lot.id, 0):.2f}"]
            for lot in das.lots
        ]
    elif table == "gemeenten":
        header = ["gemeente", "cbs", "omzet_eur"]
        rows = [
            [a.name, a.cbs_code or "", f"{data.turnover_per_authority.get(a.id, 0):.2f}"]
            for a in das.authorities
        ]
    elif table == "sroi":
        header = ["aanbieder", "verplichting_eur", "gerealiseerd_eur", "status"]
        rows = [
            [
                a.organisation.legal_name,
                "" if o is None else f"{o / 100:.2f}",
                f"{d / 100:.2f}",
                s.value,
            ]
            for a, o, d, s in data.sroi
        ]
    else:
        abort(404)
    return table_download(f"{table}-{das.reference}-{data.year}", kind, [header, *rows])


def _dashboard(agreement_id: int, **overrides: object) -> str:
    found = _agreement(agreement_id)
    today = local_date(now())
    series = kpis.provider_dashboard(found, today, current_app.config["KPI_DUE_DAYS"])
    charts = {
        s.definition.id: line_chart(
            _("%(name)s per periode", name=s.definition.name),
            [rules.period_label(start, s.definition.period.value) for start, _v, _f in s.points],
            [value for _s, value, _f in s.points],
            s.definition.target,
            s.definition.threshold,
        )
        for s in series
    }
    correction = forms.CorrectionForm(formdata=None)
    correction.kpi.choices = [SelectChoice(s.definition.id, s.definition.name) for s in series]
    context: dict[str, object] = {
        "agreement": found,
        "series": series,
        "charts": charts,
        "talks": kpis.talks_of(found),
        "talk_form": forms.TalkForm(formdata=None, held_on=today),
        "correction_form": correction,
        "sroi": kpis.sroi_reports_of(found),
        "corrections": kpis.corrections_page(
            found,
            paging.page_number(request.args.get("correcties")),
            current_app.config["PER_PAGE"],
        ),
        "period_label": rules.period_label,
        "error_message": None,
    }
    context.update(overrides)
    if "correction_form" in overrides:
        overrides["correction_form"].kpi.choices = correction.kpi.choices  # type: ignore[attr-defined]
    return render_template("contracts/dashboard.html", **context)


@bp.route("/<int:agreement_id>/kpi")
def dashboard(agreement_id: int) -> str:
    return _dashboard(agreement_id)


@bp.route("/das/<slug>/instellingen", methods=["POST"])
@role_required(Role.ADMINISTRATOR)
def management_settings(slug: str) -> str | Response:
    das = _das(slug)
    form = forms.ManagementSettingsForm()
    if form.validate_on_submit():
        from portal.services import tariffs

        try:
            threshold = tariffs.parse_amount(form.sroi_threshold.data or "")
        except tariffs.AmountTooLarge:
            form.sroi_threshold.errors = [amount_too_large()]
        except ValueError:
            form.sroi_threshold.errors = [_("Schrijf een bedrag, bijvoorbeeld 250.000,00.")]
        else:
            kpis.save_settings(
                current_user, das, threshold, form.sroi_percent.data, form.talks_top_n.data
            )
            flash(_("De instellingen zijn opgeslagen."), "success")
            return redirect(url_for("contracts.overview", slug=slug))
    _das_, data, weights = _overview(slug, with_sroi=False)
    return _render_overview(das, data, weights, {}, form)


@bp.route("/<int:agreement_id>/kpi/<any(cijfers, gesprekken):table>.<any(csv, xlsx):kind>")
def dashboard_export(agreement_id: int, table: str, kind: str) -> Response:
    found = _agreement(agreement_id)
    if table == "cijfers":
        header = [
            "kpi",
            "periode",
            "perceel",
            "gemeente",
            "waarde",
            "gemeld_op",
            "gemeld_door",
            "reden",
        ]
        rows = [
            [
                v.definition.code,
                rules.period_label(v.period_start, v.definition.period.value),
                v.lot_id or "",
                v.authority_id or "",
                f"{v.value}",
                local_date(v.reported_at).isoformat(),
                v.reported_by.name,
                v.reason,
            ]
            for v in kpis.values_of(found)
        ]
    elif table == "gesprekken":
        header = ["datum", "soort", "deelnemers", "afspraken", "acties"]
        rows = [
            [
                t.held_on.isoformat(),
                t.kind.value,
                t.participants,
                t.agreements_made,
                "; ".join(
                    f"{a.description} ({a.owner}, {a.due_on.isoformat()})" for a in t.actions
                ),
            ]
            for t in kpis.talks_of(found)
        ]
    else:
        abort(404)
    return table_download(f"{table}-{found.reference}", kind, [header, *rows])


@bp.route("/<int:agreement_id>/gesprekken", methods=["POST"])
def log_talk(agreement_id: int) -> str | Response:
    found = _agreement(agreement_id)
    form = forms.TalkForm()
    if not form.validate_on_submit():
        return _dashboard(agreement_id, talk_form=form)
    actions = []
    for suffix in ("", "_2", "_3"):
        description = (form[f"action{suffix}"].data or "").strip()
        if description:
            actions.append(
                (
                    description,
                    form[f"action_owner{suffix}"].data or "",
                    form[f"action_due{suffix}"].data or local_date(now()),
                )
            )
    try:
        kpis.log_talk(
            current_user,
            found,
            TalkKind(form.kind.data),
            form.held_on.data,
            form.participants.data or "",
            form.agreements_made.data or "",
            actions,
        )
    except ServiceError as error:
        return _dashboard(agreement_id, talk_form=form, error_message=message_for(error))
    flash(_("Het gesprek is vastgelegd."), "success")
    return redirect(url_for("contracts.dashboard", agreement_id=agreement_id))


@bp.route("/<int:agreement_id>/kpi/correctie", methods=["POST"])
@role_required(Role.CONTRACT_MANAGER, Role.ADMINISTRATOR)
def correct_kpi(agreement_id: int) -> str | Response:
    found = _agreement(agreement_id)
    form = forms.CorrectionForm()
    form.kpi.choices = [SelectChoice(d.id, d.name) for d in kpis.definitions_of(found.das_id)]
    if not form.validate_on_submit():
        return _dashboard(agreement_id, correction_form=form)
    definition = db.session.get(KpiDefinition, form.kpi.data)
    try:
        start = rules.parse_period(form.period.data or "", definition.period.value)
        value = Decimal((form.value.data or "").replace(",", "."))
        if not value.is_finite():  # NaN and Infinity parse, but are no figures
            raise InvalidOperation(form.value.data)
    except (ValueError, InvalidOperation):
        return _dashboard(
            agreement_id,
            correction_form=form,
            error_message=_("Controleer de periode en de waarde."),
        )
    try:
        kpis.report(
            current_user,
            found,
            [kpis.Figure(definition, start, value)],
            form.reason.data or "",
            local_date(now()),
            now(),
        )
    except ServiceError as error:
        return _dashboard(agreement_id, correction_form=form, error_message=message_for(error))
    flash(_("De correctie is vastgelegd; de eerdere waarde blijft in de historie."), "success")
    return redirect(url_for("contracts.dashboard", agreement_id=agreement_id))
