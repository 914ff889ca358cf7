"""Contract management pages: KPI definitions, the DAS overview (totals, market concentration,
contract-talk selection, SROI) and the dashboard per provider. Same blueprint and role
check as the contract register."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal.auth.access import role_required
from portal.contracts import bp, forms
from portal.domain import contract_management as rules
from portal.domain import money
from portal.infra.timeutil import local_date, now
from portal.models import ContractTalk, Das, KpiDefinition, ReportingPeriod, Role, TalkKind
from portal.models.labels import label
from portal.pages.messages import message_for
from portal.pages.money import format_money
from portal.pages.params import decimal_arg, id_arg, year_arg
from portal.pages.svg import bar_chart, line_chart
from portal.pages.views_common import table_download
from portal.services import ServiceError, kpis, ownership, paging


def _editing(das: Das) -> KpiDefinition | None:
    """The definition named by ?kpi=, when one is being changed."""
    editing_id = id_arg("kpi")
    return ownership.kpi_definition_of(das, editing_id) if editing_id else None


def _definitions_page(
    das: Das, form: forms.KpiDefinitionForm, editing: KpiDefinition | None
) -> str:
    return render_template(
        "contracts/kpi_definitions.html",
        das=das,
        form=form,
        editing=editing,
        definitions=kpis.definitions_of(das.id),
    )


@bp.route("/das/<slug>/kpis")
def kpi_definitions(slug: str) -> str:
    das = ownership.staff_das(slug, current_user)
    editing = _editing(das)
    form = forms.KpiDefinitionForm(formdata=None, obj=editing)
    if editing:
        form.higher_is_better.data = "1" if editing.higher_is_better else "0"
        form.period.data = editing.period.value
        form.region_specific.data = editing.region_specific
        form.target_for_region.data = editing.target_for_region
    return _definitions_page(das, form, editing)


@bp.route("/das/<slug>/kpis", methods=["POST"])
@role_required(Role.ADMINISTRATOR)
def save_kpi_definition(slug: str) -> str | Response:
    das = ownership.staff_das(slug, current_user)
    editing = _editing(das)
    form = forms.KpiDefinitionForm()
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
                region_specific=bool(form.region_specific.data),
                target_for_region=bool(form.target_for_region.data),
            )
        except ServiceError as error:
            field = form.target_for_region if error.code.startswith("region_") else form.threshold
            field.errors = list(field.errors) + [message_for(error)]
        else:
            flash(_("De KPI is opgeslagen."), "success")
            return redirect(url_for("contracts.kpi_definitions", slug=slug))
    return _definitions_page(das, form, editing)


@bp.route("/das/<slug>/kpis/standaard", methods=["POST"])
@role_required(Role.ADMINISTRATOR)
def add_default_kpis(slug: str) -> Response:
    das = ownership.staff_das(slug, current_user)
    if not FlaskForm().validate_on_submit():
        abort(400)
    kpis.ensure_default_kpis(current_user, das)
    flash(_("De standaard-KPI's zijn toegevoegd."), "success")
    return redirect(url_for("contracts.kpi_definitions", slug=slug))


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


def _term_years(das: Das) -> range:
    """The years the overview offers: from the DAS's term start to its current common end date
    (an option exercised adds years)."""
    return range(das.term_start.year, das.common_end_date.year + 1)


def _overview(
    slug: str, with_sroi: bool = True
) -> tuple[Das, kpis.DasOverview, tuple[Decimal, Decimal]]:
    das = ownership.staff_das(slug, current_user)
    today = local_date(now())
    years = _term_years(das)
    # A year outside the DAS's term has no figures: the year nearest today within it instead.
    default = min(max(today.year, years.start), years.stop - 1)
    year = year_arg("jaar", default)
    if year not in years:
        year = default
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
        talks_top_n=das.talks_top_n,
    )
    query = {k: v for k, v in request.args.items() if k != "pagina"}
    return _render_overview(das, data, weights, query, settings)


def _render_overview(
    das: Das,
    data: kpis.DasOverview,
    weights: tuple[Decimal, Decimal],
    query: dict[str, str],
    settings_form: forms.ManagementSettingsForm,
) -> str:
    # The social-return table has a row per live agreement: paged in SQL; the
    # exports stay whole.
    sroi_rows = kpis.sroi_page(
        das,
        data.year,
        local_date(now()),
        paging.page_number(request.args.get("pagina")),
        current_app.config["PER_PAGE"],
    )
    today = local_date(now())
    selected = kpis.selected_providers(das.id, data.year, today)
    region = kpis.region_series(das, data.year)
    return render_template(
        "contracts/overview.html",
        das=das,
        data=data,
        region=region,
        charts=_overview_charts(das, data, region),
        flag_alert=rules.KpiFlag.ALERT,
        flag_below=rules.KpiFlag.BELOW_TARGET,
        flag_ok=rules.KpiFlag.OK,
        weights=weights,
        query=query,
        sroi_rows=sroi_rows,
        settings_form=settings_form,
        selected=selected,
        selected_ids={s.selection.agreement_id for s in selected},
        years=_term_years(das),
        market=kpis.market_history(das, data.year),
    )


def _overview_charts(
    das: Das, data: kpis.DasOverview, region: list[kpis.RegionSeries]
) -> dict[str, Markup]:
    """The overview's charts, each shown beside the table of its numbers: turnover per lot and
    per municipality, and each region-specific KPI per year against its target."""
    lots = [
        (f"{lot.code}. {lot.name}", data.turnover_cents_per_lot.get(lot.id, 0)) for lot in das.lots
    ]
    authorities = [
        (a.name, data.turnover_cents_per_authority.get(a.id, 0)) for a in das.authorities
    ]
    charts = {
        "lots": bar_chart(
            _("Omzet per perceel in %(year)s", year=data.year),
            [name for name, _c in lots],
            [Decimal(cents) for _n, cents in lots],
            [format_money(cents) for _n, cents in lots],
        ),
        "authorities": bar_chart(
            _("Omzet per gemeente in %(year)s", year=data.year),
            [name for name, _c in authorities],
            [Decimal(cents) for _n, cents in authorities],
            [format_money(cents) for _n, cents in authorities],
        ),
    }
    for series in region:
        known = [y for y in series.years if y.total is not None]
        for_region = series.definition.target_for_region
        charts[f"region-{series.definition.id}"] = line_chart(
            _("%(name)s per jaar", name=series.definition.name),
            [str(y.year) for y in known],
            [y.total for y in known if y.total is not None],
            series.definition.target if for_region else None,
            series.definition.threshold if for_region else None,
        )
    return charts


@bp.route(
    "/das/<slug>/overzicht/<any(gesprekken, percelen, gemeenten, sroi):table>.<any(csv, xlsx):kind>"
)
def overview_export(slug: str, table: str, kind: str) -> Response:
    das, data, _weights_ = _overview(slug)
    if table == "gesprekken":
        header = ["rang", "aanbieder", "clienten", "omzet_eur", "score", "geselecteerd"]
        selected = {
            s.selection.agreement_id
            for s in kpis.selected_providers(das.id, data.year, local_date(now()))
        }
        rows = [
            [
                i,
                a.organisation.legal_name,
                r.clients,
                money.plain_amount(r.turnover_cents),
                f"{r.score:.3f}",  # for another program: a decimal point, as the amounts
                _("ja") if a.id in selected else _("nee"),
            ]
            for i, (a, r) in enumerate(data.ranking, start=1)
        ]
    elif table == "percelen":
        header = ["perceel", "omzet_eur"]
        rows = [
            [
                f"{lot.code}. {lot.name}",
                money.plain_amount(data.turnover_cents_per_lot.get(lot.id, 0)),
            ]
            for lot in das.lots
        ]
    elif table == "gemeenten":
        header = ["gemeente", "cbs", "omzet_eur"]
        rows = [
            [
                a.name,
                a.cbs_code or "",
                money.plain_amount(data.turnover_cents_per_authority.get(a.id, 0)),
            ]
            for a in das.authorities
        ]
    elif table == "sroi":
        header = ["aanbieder", "verplichting_eur", "gerealiseerd_eur", "status"]
        rows = [
            [
                a.organisation.legal_name,
                "" if o is None else money.plain_amount(o),
                money.plain_amount(d),
                label(s),
            ]
            for a, o, d, s in data.sroi
        ]
    else:
        abort(404)
    return table_download(f"{table}-{das.reference}-{data.year}", kind, [header, *rows])


def _dashboard(agreement_id: int, **overrides: object) -> str:
    found = ownership.staff_agreement(agreement_id, current_user)
    today = local_date(now())
    series = kpis.provider_dashboard(found, today, current_app.config["KPI_DUE_DAYS"])
    charts = {
        s.definition.id: line_chart(
            _("%(name)s per periode", name=s.definition.name),
            [rules.period_label(start, s.definition.period.value) for start, _v, _f in s.points],
            [value for _s, value, _f in s.points],
            # A target for the region is not a line for one provider's figures.
            None if s.definition.target_for_region else s.definition.target,
            None if s.definition.target_for_region else s.definition.threshold,
        )
        for s in series
    }
    correction = forms.CorrectionForm(formdata=None)
    correction.kpi.choices = [SelectChoice(s.definition.id, s.definition.name) for s in series]
    selection = kpis.selection_of(found, today.year)
    context: dict[str, object] = {
        "agreement": found,
        "today": today,
        "action_overdue": rules.action_overdue,
        "series": series,
        "charts": charts,
        "talks": kpis.talks_of(found),
        "talk_form": forms.TalkForm(formdata=None, held_on=today),
        "report_form": forms.TalkReportForm(formdata=None, held_on=today),
        "report_talk_id": None,
        "done_form": forms.ActionDoneForm(formdata=None, done_on=today),
        "selection": selection,
        "selection_form": forms.SelectionForm(
            formdata=None, reason=selection.reason if selection else ""
        ),
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
    refused = overrides.get("correction_form")
    if isinstance(refused, forms.CorrectionForm):  # the form as typed, with this page's choices
        refused.kpi.choices = correction.kpi.choices
    return render_template("contracts/dashboard.html", **context)


@bp.route("/<int:agreement_id>/kpi")
def dashboard(agreement_id: int) -> str:
    return _dashboard(agreement_id)


@bp.route("/das/<slug>/instellingen", methods=["POST"])
@role_required(Role.ADMINISTRATOR)
def management_settings(slug: str) -> str | Response:
    das = ownership.staff_das(slug, current_user)
    form = forms.ManagementSettingsForm()
    if form.validate_on_submit():
        kpis.save_settings(current_user, das, form.talks_top_n.data)
        flash(_("De instellingen zijn opgeslagen."), "success")
        return redirect(url_for("contracts.overview", slug=slug))
    _das_, data, weights = _overview(slug, with_sroi=False)
    return _render_overview(das, data, weights, {}, form)


@bp.route("/<int:agreement_id>/kpi/<any(cijfers, gesprekken):table>.<any(csv, xlsx):kind>")
def dashboard_export(agreement_id: int, table: str, kind: str) -> Response:
    found = ownership.staff_agreement(agreement_id, current_user)
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
        header = ["datum", "soort", "status", "deelnemers", "afspraken", "acties", "open_acties"]
        rows = [
            [
                t.held_on.isoformat(),
                label(t.kind),
                label(t.status),
                t.participants,
                t.agreements_made,
                "; ".join(
                    _(
                        "%(action)s (%(owner)s, gereed op %(due)s, %(state)s)",
                        action=a.description,
                        owner=a.owner,
                        due=a.due_on.strftime("%d-%m-%Y"),
                        state=_("afgerond op %(date)s", date=a.done_on.strftime("%d-%m-%Y"))
                        if a.done_on
                        else _("open"),
                    )
                    for a in t.actions
                ),
                sum(1 for a in t.actions if a.done_on is None),
            ]
            for t in kpis.talks_of(found)
        ]
    else:
        abort(404)
    return table_download(f"{table}-{found.reference}", kind, [header, *rows])


@bp.route("/<int:agreement_id>/gesprekken", methods=["POST"])
def log_talk(agreement_id: int) -> str | Response:
    found = ownership.staff_agreement(agreement_id, current_user)
    form = forms.TalkForm()
    if not form.validate_on_submit():
        return _dashboard(agreement_id, talk_form=form)
    today = local_date(now())
    try:
        talk = kpis.log_talk(
            current_user,
            found,
            TalkKind(form.kind.data),
            form.held_on.data,
            form.participants.data or "",
            form.agreements_made.data or "",
            _typed_actions(form, ("", "_2", "_3")),
            today,
        )
    except ServiceError as error:
        return _dashboard(agreement_id, talk_form=form, error_message=message_for(error))
    if talk.status is rules.TalkStatus.PLANNED:
        flash(_("Het gesprek is gepland."), "success")
    else:
        flash(_("Het gesprek is vastgelegd."), "success")
    return redirect(url_for("contracts.dashboard", agreement_id=agreement_id, _anchor="gesprekken"))


def _typed_actions(
    form: forms.TalkForm | forms.TalkReportForm, suffixes: tuple[str, ...]
) -> list[tuple[str, str, date]]:
    """The follow-up actions typed in a talk's form; one without a due date is due in four
    weeks (a talk's actions are short-term by nature)."""
    actions = []
    for suffix in suffixes:
        description = (form[f"action{suffix}"].data or "").strip()
        if description:
            actions.append(
                (
                    description,
                    form[f"action_owner{suffix}"].data or "",
                    form[f"action_due{suffix}"].data or local_date(now()) + timedelta(days=28),
                )
            )
    return actions


def _talk_of(agreement_id: int, talk_id: int) -> ContractTalk:
    talk = next(
        (
            t
            for t in kpis.talks_of(ownership.staff_agreement(agreement_id, current_user))
            if t.id == talk_id
        ),
        None,
    )
    if talk is None:
        abort(404)
    return talk


@bp.route("/<int:agreement_id>/gesprekken/<int:talk_id>/verslag", methods=["POST"])
def talk_report(agreement_id: int, talk_id: int) -> str | Response:
    talk = _talk_of(agreement_id, talk_id)
    form = forms.TalkReportForm()
    if not form.validate_on_submit():
        return _dashboard(agreement_id, report_form=form, report_talk_id=talk_id)
    try:
        kpis.enter_report(
            current_user,
            talk,
            form.held_on.data,
            form.agreements_made.data or "",
            _typed_actions(form, ("", "_2")),
            local_date(now()),
        )
    except ServiceError as error:
        return _dashboard(
            agreement_id,
            report_form=form,
            report_talk_id=talk_id,
            error_message=message_for(error),
        )
    flash(_("Het verslag van het gesprek is vastgelegd."), "success")
    return redirect(url_for("contracts.dashboard", agreement_id=agreement_id, _anchor="gesprekken"))


@bp.route("/<int:agreement_id>/acties/<int:action_id>/afgerond", methods=["POST"])
def action_done(agreement_id: int, action_id: int) -> str | Response:
    found = ownership.staff_agreement(agreement_id, current_user)
    action = next((a for t in kpis.talks_of(found) for a in t.actions if a.id == action_id), None)
    if action is None:
        abort(404)
    form = forms.ActionDoneForm()
    if not form.validate_on_submit():
        return _dashboard(agreement_id, done_form=form)
    try:
        kpis.complete_action(current_user, action, form.done_on.data, local_date(now()))
    except ServiceError as error:
        return _dashboard(agreement_id, done_form=form, error_message=message_for(error))
    flash(_("De actie is afgerond."), "success")
    return redirect(url_for("contracts.dashboard", agreement_id=agreement_id, _anchor="gesprekken"))


@bp.route("/<int:agreement_id>/selectie", methods=["POST"])
def select_for_talks(agreement_id: int) -> str | Response:
    """Select the provider for this year's contract talks, or (with `opheffen`) undo it."""
    found = ownership.staff_agreement(agreement_id, current_user)
    year = local_date(now()).year
    form = forms.SelectionForm()
    if "opheffen" in request.form:
        if not FlaskForm().validate_on_submit():
            abort(400)
        kpis.unselect_for_talks(current_user, found, year)
        flash(
            _("De aanbieder is niet meer geselecteerd voor de gesprekken van %(year)s.", year=year),
            "success",
        )
        return redirect(
            url_for("contracts.dashboard", agreement_id=agreement_id, _anchor="selectie")
        )
    if not form.validate_on_submit():
        return _dashboard(agreement_id, selection_form=form)
    try:
        kpis.select_for_talks(current_user, found, year, form.reason.data or "", now())
    except ServiceError as error:
        return _dashboard(agreement_id, selection_form=form, error_message=message_for(error))
    flash(_("De aanbieder is geselecteerd voor de gesprekken van %(year)s.", year=year), "success")
    return redirect(url_for("contracts.dashboard", agreement_id=agreement_id, _anchor="selectie"))


@bp.route("/<int:agreement_id>/kpi/correctie", methods=["POST"])
@role_required(Role.CONTRACT_MANAGER, Role.ADMINISTRATOR)
def correct_kpi(agreement_id: int) -> str | Response:
    found = ownership.staff_agreement(agreement_id, current_user)
    form = forms.CorrectionForm()
    form.kpi.choices = [SelectChoice(d.id, d.name) for d in kpis.definitions_of(found.das_id)]
    if not form.validate_on_submit():
        return _dashboard(agreement_id, correction_form=form)
    definition = ownership.kpi_definition_of(found.das, form.kpi.data)
    try:
        start = rules.parse_period(form.period.data or "", definition.period.value)
    except ValueError:
        form.period.errors = [
            _(
                "Deze periode past niet bij %(kpi)s: schrijf bijvoorbeeld 2027-K1, 2027-H1 of "
                "2027.",
                kpi=definition.name,
            )
        ]
        return _dashboard(agreement_id, correction_form=form)
    try:
        kpis.report(
            current_user,
            found,
            [kpis.Figure(definition, start, form.value.data)],
            form.reason.data or "",
            local_date(now()),
            now(),
        )
    except ServiceError as error:
        return _dashboard(agreement_id, correction_form=form, error_message=message_for(error))
    flash(_("De correctie is vastgelegd; de eerdere waarde blijft in de historie."), "success")
    return redirect(url_for("contracts.dashboard", agreement_id=agreement_id))
