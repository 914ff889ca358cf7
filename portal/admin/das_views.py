"""A DAS's life on the administrator's pages: the list, a new DAS, its settings page with every
part and the publish checklist, its basics and authorities, and publishing, closing and ending
it (issue 19). Access: the admin blueprint's role check (administrators only)."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.admin import bp
from portal.admin.das_forms import AuthoritiesForm, BasicsForm, NewDasForm, PublishForm, StateForm
from portal.domain.das_life_cycle import Missing, Part
from portal.infra.timeutil import local_date, now
from portal.models import DasState
from portal.pages.forms import PortalForm
from portal.pages.messages import SERVICE_MESSAGES, message_for
from portal.services import ServiceError, das_setup, ownership
from portal.services.contact_point import ContactPoint

# What each missing part is called on the checklist, and the page that fixes it.
CHECKLIST: dict[Part, tuple[Any, str]] = {
    Part.BASICS: (_l("Naam, omschrijving, CPV-code en een geldige looptijd"), "admin.das_basics"),
    Part.AUTHORITIES: (_l("De deelnemende gemeenten"), "admin.das_authorities"),
    Part.LEAD_AUTHORITY: (_l("De penvoerende gemeente"), "admin.das_authorities"),
    Part.LOTS: (_l("Ten minste één perceel met een product"), "catalogue.products"),
    Part.EXCLUSION_GROUNDS: (_l("Uitsluitingsgronden"), "admin.das_criteria"),
    Part.SUITABILITY_CRITERIA: (_l("Geschiktheidseisen"), "admin.das_criteria"),
    Part.EVIDENCE_TYPES: (
        _l("Een soort bewijsstuk bij elke eis die bewijs verplicht stelt"),
        "admin.das_criteria",
    ),
    Part.CONTACT_POINT: (_l("Het contactpunt voor aanbieders"), "admin.contact_point_form"),
    Part.SROI: (_l("De SROI-voorwaarden"), "admin.das_terms"),
    Part.INDEXATION: (
        _l("De indexering: gewichten (samen 100%) en het eerste contractjaar"),
        "admin.das_terms",
    ),
    Part.CLIENT_ALLOCATION: (_l("De wijze van toewijzing van cliënten"), "admin.das_terms"),
    Part.PRIVACY: (_l("De privacyrol van de aanbieder"), "admin.das_terms"),
    Part.REVIEWER: (_l("Ten minste één beoordelaar"), "admin.das_staff"),
    Part.BASE_TARIFFS: (
        _l("Tarieven voor het eerste jaar van de looptijd of het lopende jaar"),
        "catalogue.base_tariffs",
    ),
    Part.INITIAL_ROUND: (
        _l("Een eerste ronde die past bij de publicatiedatum"),
        "admin.das_basics",
    ),
}


def link(endpoint: str, **values: Any) -> str | None:
    """The page's address, or None while that page does not exist (a part built elsewhere)."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def _checklist_rows(slug: str, missing: list[Missing]) -> list[dict[str, Any]]:
    rows = []
    for item in missing:
        text, endpoint = CHECKLIST[item.part]
        # Criterion codes as they are; a problem code as its sentence.
        details = [
            message_for(ServiceError(code)) if code in SERVICE_MESSAGES else code
            for code in item.details
        ]
        rows.append({"text": text, "href": link(endpoint, slug=slug), "details": details})
    return rows


def _show_problems(form: PortalForm, error: ServiceError) -> None:
    """Each problem at its field; the form keeps what was typed."""
    problems: dict[str, list[Any]] = dict(error.params.get("problems") or {})  # type: ignore[call-overload]
    for name, found in problems.items():
        field = getattr(form, name, None)
        if field is None:
            continue
        field.errors = list(field.errors) + [message_for(problem) for problem in found]


def _basics(form: BasicsForm) -> das_setup.Basics:
    return das_setup.Basics(
        name=form.name.data or "",
        slug=form.slug.data or "",
        reference=form.reference.data or "",
        summary=form.summary.data or "",
        scope=form.scope.data or "",
        how_to_apply=form.how_to_apply.data or "",
        cpv_code=form.cpv_code.data or "",
        extra_cpv_codes=form.extra_cpv_codes.data or "",
        term_start=form.term_start.data,
        initial_end_date=form.initial_end_date.data,
        extension_options_total=form.extension_options_total.data or 0,
        extension_option_years=form.extension_option_years.data or 0,
        review_working_days=form.review_working_days.data,
        four_eyes=bool(form.four_eyes.data),
        first_round_closes_on=form.first_round_closes_on.data,
        joint_decision_on=form.joint_decision_on.data,
    )


@bp.route("/das-overzicht")
def das_list() -> str:
    return render_template("admin/das_list.html", das_list=das_setup.all_das())


@bp.route("/das/nieuw", methods=["GET", "POST"])
def das_new() -> str | Response:
    # Seed 003 §4.1 as the starting point: 1-1-2026 to 31-12-2029, twice three years.
    form = NewDasForm(
        data={
            "cpv_code": "85000000-9",
            "extension_options_total": 2,
            "extension_option_years": 3,
            "review_working_days": 10,
        }
    )
    if form.validate_on_submit():
        try:
            das = das_setup.create_das(
                current_user,
                _basics(form),
                ContactPoint(
                    form.contact_name.data or "",
                    form.contact_email.data or "",
                    form.contact_phone.data or "",
                ),
                now(),
            )
        except ServiceError as error:
            _show_problems(form, error)
        else:
            flash(_l("Het aankoopsysteem is aangemaakt als concept."), "success")
            return redirect(url_for("admin.das_settings", slug=das.slug))
    return render_template("admin/das_basics.html", form=form, das=None)


@bp.route("/das/<slug>/instellingen")
def das_settings(slug: str) -> str:
    das = ownership.staff_das(slug, current_user)
    today = local_date(now())
    missing = das_setup.checklist(das, today) if das.state is DasState.DRAFT else []
    return render_template(
        "admin/das_settings.html",
        das=das,
        missing=_checklist_rows(das.slug, missing),
        missing_parts={item.part for item in missing},
        parts=Part,
        link=link,
        notices=das_setup.change_notices(das),
        publish_form=PublishForm(),
        state_form=StateForm(),
        running=das_setup.running_agreements(das, today) if das.state is DasState.CLOSED else 0,
    )


@bp.route("/das/<slug>/basisgegevens", methods=["GET", "POST"])
def das_basics(slug: str) -> str | Response:
    das = ownership.staff_das(slug, current_user)
    form = BasicsForm(data=vars(das_setup.basics_of(das)) | {"change_summary": ""})
    if form.validate_on_submit():
        try:
            result = das_setup.update_basics(
                current_user, das, _basics(form), form.change_summary.data or "", now()
            )
        except ServiceError as error:
            if error.code != das_setup.SETTINGS_REFUSED:
                flash(message_for(error), "error")
            _show_problems(form, error)
        else:
            if result is False:
                flash(_l("Er was niets gewijzigd."), "info")
            elif result is None:
                flash(_l("De basisgegevens zijn opgeslagen."), "success")
            else:
                flash(_l("Opgeslagen; het wijzigingsbericht staat op de aankondiging."), "success")
            return redirect(url_for("admin.das_settings", slug=das.slug))
    return render_template(
        "admin/das_basics.html",
        form=form,
        das=das,
        agreements=das_setup.agreement_count(das),
    )


@bp.route("/das/<slug>/gemeenten", methods=["GET", "POST"])
def das_authorities(slug: str) -> str | Response:
    das = ownership.staff_das(slug, current_user)
    form = AuthoritiesForm(
        data={
            "municipalities": das_setup.authority_lines_of(das),
            "lead": das.lead_authority.name if das.lead_authority else "",
        }
    )
    if form.validate_on_submit():
        try:
            result = das_setup.set_authorities(
                current_user,
                das,
                form.municipalities.data or "",
                form.lead.data or "",
                form.change_summary.data or "",
                now(),
            )
        except ServiceError as error:
            if error.code != das_setup.SETTINGS_REFUSED:
                flash(message_for(error), "error")
            _show_problems(form, error)
        else:
            if result is False:
                flash(_l("Er was niets gewijzigd."), "info")
            else:
                flash(_l("De gemeenten zijn opgeslagen."), "success")
            return redirect(url_for("admin.das_settings", slug=das.slug))
    return render_template("admin/das_authorities.html", form=form, das=das)


@bp.route("/das/<slug>/publiceren", methods=["POST"])
def das_publish(slug: str) -> Response:
    das = ownership.staff_das(slug, current_user)
    form = PublishForm()
    if not form.validate_on_submit():
        flash(_l("Vink aan dat u het aankoopsysteem wilt publiceren."), "error")
        return redirect(url_for("admin.das_settings", slug=das.slug))
    try:
        das_setup.publish(current_user, das, now())
    except ServiceError as error:
        flash(message_for(error), "error")
    else:
        flash(_l("Het aankoopsysteem is gepubliceerd."), "success")
    return redirect(url_for("admin.das_settings", slug=das.slug))


def _state_change(slug: str, change: Any, done: Any) -> Response:
    das = ownership.staff_das(slug, current_user)
    form = StateForm()
    if not form.validate_on_submit():
        flash(_l("Geef de reden op."), "error")
        return redirect(url_for("admin.das_settings", slug=das.slug))
    try:
        change(current_user, das, form.reason.data or "", now())
    except ServiceError as error:
        flash(message_for(error), "error")
    else:
        flash(done, "success")
    return redirect(url_for("admin.das_settings", slug=das.slug))


@bp.route("/das/<slug>/sluiten", methods=["POST"])
def das_close(slug: str) -> Response:
    return _state_change(
        slug, das_setup.close, _l("Het aankoopsysteem is gesloten voor nieuwe aanmeldingen.")
    )


@bp.route("/das/<slug>/beeindigen", methods=["POST"])
def das_end(slug: str) -> Response:
    return _state_change(slug, das_setup.end, _l("Het aankoopsysteem is beëindigd."))
