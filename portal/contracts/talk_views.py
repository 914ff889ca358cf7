"""A DAS's year of contract talks (seed 003 §2.4): the providers selected for the year by
clients and turnover, the talks planned and held with one or several providers, the outcome per
provider, and the years before. Same blueprint and role check as the contract register."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal.contracts import bp, forms, talk_forms
from portal.domain import contract_management as rules
from portal.infra.timeutil import local_date, now
from portal.models import ContractTalk, Das, TalkKind
from portal.pages.messages import message_for
from portal.pages.params import int_arg, year_arg
from portal.services import ServiceError, kpis, ownership


def _term_years(das: Das) -> range:
    """The years of the DAS's term, to its current common end date."""
    return range(das.term_start.year, das.common_end_date.year + 1)


def _year(das: Das) -> int:
    years = _term_years(das)
    today = local_date(now())
    default = min(max(today.year, years.start), years.stop - 1)
    year = year_arg("jaar", default)
    return year if year in years else default


def _base_year(year: int) -> int:
    """The figures the ranking uses: the year before by default (the last whole year), or the
    year itself (what has been reported so far)."""
    base = int_arg("basis", year - 1)
    return base if base in (year - 1, year) else year - 1


def _page(das: Das, year: int, **overrides: object) -> str:
    today = local_date(now())
    base_year = _base_year(year)
    live = kpis.providers_for_talks(das.id)
    candidates = kpis.talk_candidates(das, year, base_year, live)
    selection_form = talk_forms.YearSelectionForm(
        formdata=None,
        selected=[c.agreement.id for c in candidates if c.selection is not None],
        reason=_("Top %(n)s op cliënten en omzet (%(year)s)", n=das.talks_top_n, year=base_year),
    )
    selection_form.selected.choices = [
        SelectChoice(c.agreement.id, c.agreement.organisation.legal_name) for c in candidates
    ]
    talk_form = talk_forms.GroupTalkForm(formdata=None, held_on=today)
    talk_form.providers.choices = [SelectChoice(a.id, a.organisation.legal_name) for a in live]
    context: dict[str, object] = {
        "das": das,
        "year": year,
        "base_year": base_year,
        "years": _term_years(das),
        "today": today,
        "candidates": candidates,
        "selection_form": selection_form,
        "talk_form": talk_form,
        "talks": kpis.talks_in_year(das.id, year),
        "history": kpis.talk_history(das.id, _term_years(das)),
        "outcome_form": talk_forms.OutcomeForm(formdata=None),
        "outcome_key": None,
        "report_form": forms.TalkReportForm(formdata=None, held_on=today),
        "report_talk_id": None,
        "error_message": None,
    }
    context.update(overrides)
    for key in ("selection_form", "talk_form"):  # a refused form keeps this page's choices
        refused = context[key]
        if isinstance(refused, talk_forms.YearSelectionForm):
            refused.selected.choices = selection_form.selected.choices
        elif isinstance(refused, talk_forms.GroupTalkForm):
            refused.providers.choices = talk_form.providers.choices
    return render_template("contracts/talks.html", **context)


@bp.route("/das/<slug>/gesprekken")
def talks(slug: str) -> str:
    das = ownership.staff_das(slug, current_user)
    return _page(das, _year(das))


def _back(das: Das, year: int, anchor: str) -> Response:
    return redirect(url_for("contracts.talks", slug=das.slug, jaar=year, _anchor=anchor))


@bp.route("/das/<slug>/gesprekken/selectie", methods=["POST"])
def talk_selection(slug: str) -> str | Response:
    das = ownership.staff_das(slug, current_user)
    year = _year(das)
    form = talk_forms.YearSelectionForm()
    form.selected.choices = [
        SelectChoice(c.agreement.id, "") for c in kpis.talk_candidates(das, year, _base_year(year))
    ]
    if not form.validate_on_submit():
        return _page(das, year, selection_form=form)
    chosen = [ownership.staff_agreement(a_id, current_user) for a_id in form.selected.data or []]
    try:
        added, removed = kpis.set_selection(
            current_user, das, year, chosen, form.reason.data or "", now()
        )
    except ServiceError as error:
        form.reason.errors = [message_for(error)]
        return _page(das, year, selection_form=form)
    flash(
        _(
            "De selectie voor %(year)s is opgeslagen: %(added)s toegevoegd, %(removed)s "
            "verwijderd.",
            year=year,
            added=added,
            removed=removed,
        ),
        "success",
    )
    return _back(das, year, "selectie")


@bp.route("/das/<slug>/gesprekken/nieuw", methods=["POST"])
def log_group_talk(slug: str) -> str | Response:
    das = ownership.staff_das(slug, current_user)
    year = _year(das)
    form = talk_forms.GroupTalkForm()
    form.providers.choices = [SelectChoice(a.id, "") for a in kpis.providers_for_talks(das.id)]
    if not form.validate_on_submit():
        return _page(das, year, talk_form=form)
    today = local_date(now())
    chosen = [ownership.staff_agreement(a_id, current_user) for a_id in form.providers.data or []]
    description = (form.action.data or "").strip()
    actions = (
        [
            (
                description,
                form.action_owner.data or "",
                form.action_due.data or today + timedelta(days=28),
            )
        ]
        if description
        else []
    )
    try:
        talk = kpis.log_group_talk(
            current_user,
            das,
            chosen,
            TalkKind(form.kind.data),
            form.held_on.data,
            form.topic.data or "",
            form.participants.data or "",
            form.agreements_made.data or "",
            {},
            actions,
            today,
        )
    except ServiceError as error:
        return _page(das, year, talk_form=form, error_message=message_for(error))
    if talk.status is rules.TalkStatus.PLANNED:
        flash(_("Het gesprek is gepland; de aanbieders staan erbij als uitgenodigd."), "success")
    else:
        flash(_("Het gesprek is vastgelegd."), "success")
    return _back(das, talk.held_on.year, f"gesprek-{talk.id}")


def _talk(das: Das, talk_id: int) -> ContractTalk:
    talk = kpis.talk_of_das(das.id, talk_id)
    if talk is None:
        abort(404)
    return talk


@bp.route("/das/<slug>/gesprekken/<int:talk_id>/verslag", methods=["POST"])
def group_talk_report(slug: str, talk_id: int) -> str | Response:
    das = ownership.staff_das(slug, current_user)
    talk = _talk(das, talk_id)
    form = forms.TalkReportForm()
    year = talk.held_on.year
    if not form.validate_on_submit():
        return _page(das, year, report_form=form, report_talk_id=talk_id)
    today = local_date(now())
    description = (form.action.data or "").strip()
    actions = (
        [(description, form.action_owner.data or "", form.action_due.data or today + timedelta(28))]
        if description
        else []
    )
    try:
        kpis.enter_report(
            current_user,
            talk,
            form.held_on.data,
            form.agreements_made.data or "",
            actions,
            today,
        )
    except ServiceError as error:
        return _page(
            das, year, report_form=form, report_talk_id=talk_id, error_message=message_for(error)
        )
    flash(_("Het verslag van het gesprek is vastgelegd."), "success")
    return _back(das, talk.held_on.year, f"gesprek-{talk.id}")


@bp.route("/das/<slug>/gesprekken/<int:talk_id>/uitkomst/<int:agreement_id>", methods=["POST"])
def talk_outcome(slug: str, talk_id: int, agreement_id: int) -> str | Response:
    das = ownership.staff_das(slug, current_user)
    talk = _talk(das, talk_id)
    form = talk_forms.OutcomeForm()
    key = f"{talk_id}-{agreement_id}"
    if not form.validate_on_submit():
        return _page(das, talk.held_on.year, outcome_form=form, outcome_key=key)
    try:
        kpis.record_outcome(current_user, talk, agreement_id, form.outcome.data or "")
    except ServiceError as error:
        return _page(
            das,
            talk.held_on.year,
            outcome_form=form,
            outcome_key=key,
            error_message=message_for(error),
        )
    flash(_("De uitkomst is vastgelegd."), "success")
    return _back(das, talk.held_on.year, f"gesprek-{talk.id}")
