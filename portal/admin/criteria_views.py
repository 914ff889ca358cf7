"""A DAS's exclusion grounds and suitability criteria (issue 19): chosen from the ESPD criterion
list, a national ground or the region's own; their evidence rules; copied from another DAS."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal.admin import bp
from portal.admin.criteria_forms import (
    KIND_SLUGS,
    SLUG_OF_KIND,
    CopyCriteriaForm,
    CriterionForm,
    source_choices,
)
from portal.extensions import db
from portal.infra import espd
from portal.infra.timeutil import now
from portal.models import Answer, Criterion, CriterionKind, CriterionOrigin, Das, DasState
from portal.pages.messages import message_for
from portal.services import ServiceError, criteria_setup, ownership


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "nl"


def _settings_url(das: Das) -> str:
    """The DAS's settings hub, or the overview while the hub is not there."""
    try:
        return url_for("admin.das_settings", slug=das.slug)
    except BuildError:
        return url_for("admin.home")


def _answered(das: Das) -> dict[int, int]:
    """Criterion id -> how many answers name it: one query for the whole list."""
    return dict(
        db.session.execute(
            db.select(Answer.criterion_id, db.func.count())
            .join(Criterion, Criterion.id == Answer.criterion_id)
            .where(Criterion.das_id == das.id)
            .group_by(Answer.criterion_id)
        )
        .tuples()
        .all()
    )


@bp.route("/das/<slug>/eisen")
def das_criteria(slug: str) -> str:
    das = ownership.staff_das(slug, current_user)
    language = _language()
    return render_template(
        "admin/criteria.html",
        das=das,
        concept=das.state is DasState.DRAFT,
        exclusion=das.criteria_of(CriterionKind.EXCLUSION),
        suitability=das.criteria_of(CriterionKind.SUITABILITY),
        sources={kind: source_choices(kind, language) for kind in CriterionKind},
        kind_slugs=SLUG_OF_KIND,
        answered=_answered(das),
        espd_label=lambda code: espd.label(code, language),
        action_form=FlaskForm(),
        back_url=_settings_url(das),
    )


def _input(
    form: CriterionForm, kind: CriterionKind, origin: CriterionOrigin
) -> criteria_setup.CriterionInput:
    return criteria_setup.CriterionInput(
        kind=kind,
        origin=origin,
        code=form.code.data or "",
        espd_codes=form.espd_codes.data or "",
        title=form.title.data or "",
        question=form.question.data or "",
        guidance=form.guidance.data or "",
        evidence_types=form.chosen_types(),
        evidence_required=bool(form.evidence_required.data)
        if kind is CriterionKind.SUITABILITY
        else False,
        max_evidence_age_months=form.max_evidence_age_months.data,
    )


def _show_problems(form: CriterionForm, refused: criteria_setup.CriterionRefused) -> None:
    for name, problem in refused.problems.items():
        field = form[name]
        field.errors = list(field.errors) + [message_for(problem)]


def _criterion_page(
    das: Das,
    form: CriterionForm,
    kind: CriterionKind,
    origin: CriterionOrigin,
    criterion: Criterion | None,
    problem: str | None = None,
) -> str:
    if kind is CriterionKind.EXCLUSION:
        del form.evidence_required  # asked on request, never on the application form
    if das.state is DasState.DRAFT:
        del form.change_summary  # a concept's changes are not announced
    return render_template(
        "admin/criterion_form.html",
        das=das,
        form=form,
        kind=kind,
        origin=origin,
        criterion=criterion,
        problem=problem,
        espd_label=lambda code: espd.label(code, _language()),
    )


@bp.route("/das/<slug>/eisen/nieuw", methods=["GET", "POST"])
def new_criterion(slug: str) -> str | Response:
    """A new criterion; `soort` and `bron` (an ESPD code, "nationaal" or "eigen") in the URL
    choose what the form starts with."""
    das = ownership.staff_das(slug, current_user)
    kind = KIND_SLUGS.get(request.args.get("soort", ""))
    if kind is None:
        abort(404)
    draft = criteria_setup.draft_for(das, kind, request.args.get("bron", "").strip())
    form = CriterionForm(
        data={
            "code": draft.code,
            "espd_codes": draft.espd_codes,
            "title": draft.title,
            "question": draft.question,
            "guidance": draft.guidance,
            "evidence_required": kind is CriterionKind.SUITABILITY,
        }
    )
    problem = None
    if das.state is not DasState.DRAFT:
        problem = message_for(ServiceError("criteria_published"))
    if form.validate_on_submit():
        try:
            criterion = criteria_setup.add_criterion(
                current_user, das, _input(form, kind, draft.origin)
            )
        except criteria_setup.CriterionRefused as refused:
            _show_problems(form, refused)
        except ServiceError as error:
            problem = message_for(error)
        else:
            flash(_l("Eis %(code)s is toegevoegd.", code=criterion.code), "success")
            return redirect(url_for("admin.das_criteria", slug=slug) + f"#eis-{criterion.code}")
    return _criterion_page(das, form, kind, draft.origin, None, problem)


@bp.route("/das/<slug>/eisen/<int:criterion_id>", methods=["GET", "POST"])
def edit_criterion(slug: str, criterion_id: int) -> str | Response:
    das = ownership.staff_das(slug, current_user)
    criterion = ownership.criterion_of(das, criterion_id)
    form = CriterionForm(
        data={
            "code": criterion.code,
            "espd_codes": criterion.espd_codes,
            "title": criterion.title,
            "question": criterion.question,
            "guidance": criterion.guidance,
            "evidence_types": [t.value for t in criterion.evidence_types],
            "evidence_required": criterion.evidence_required,
            "max_evidence_age_months": criterion.max_evidence_age_months,
        }
    )
    problem = None
    if das.state not in (DasState.DRAFT, DasState.OPEN):
        problem = message_for(ServiceError("criteria_published"))
    if form.validate_on_submit():
        try:
            changed = criteria_setup.update_criterion(
                current_user,
                criterion,
                _input(form, criterion.kind, criterion.origin),
                now(),
                form.change_summary.data or "",
            )
        except criteria_setup.CriterionRefused as refused:
            _show_problems(form, refused)
        except ServiceError as error:
            problem = message_for(error)
        else:
            if changed:
                flash(_l("Eis %(code)s is opgeslagen.", code=criterion.code), "success")
            else:
                flash(_l("Er was niets gewijzigd."), "info")
            return redirect(url_for("admin.das_criteria", slug=slug) + f"#eis-{criterion.code}")
    return _criterion_page(das, form, criterion.kind, criterion.origin, criterion, problem)


@bp.route("/das/<slug>/eisen/<int:criterion_id>/verwijderen", methods=["POST"])
def remove_criterion(slug: str, criterion_id: int) -> Response:
    das = ownership.staff_das(slug, current_user)
    criterion = ownership.criterion_of(das, criterion_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    code = criterion.code
    try:
        criteria_setup.remove_criterion(current_user, criterion)
    except ServiceError as error:
        flash(message_for(error), "error")
    else:
        flash(_l("Eis %(code)s is verwijderd.", code=code), "success")
    return redirect(url_for("admin.das_criteria", slug=slug))


@bp.route("/das/<slug>/eisen/<int:criterion_id>/verplaatsen", methods=["POST"])
def move_criterion(slug: str, criterion_id: int) -> Response:
    das = ownership.staff_das(slug, current_user)
    criterion = ownership.criterion_of(das, criterion_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        criteria_setup.move_criterion(
            current_user, criterion, up=request.form.get("richting") != "omlaag"
        )
    except ServiceError as error:
        flash(message_for(error), "error")
    return redirect(url_for("admin.das_criteria", slug=slug) + f"#eis-{criterion.code}")


@bp.route("/das/<slug>/eisen/overnemen", methods=["GET", "POST"])
def copy_criteria(slug: str) -> str | Response:
    """Copy every criterion of another DAS as a starting point (a concept DAS only)."""
    das = ownership.staff_das(slug, current_user)
    sources = criteria_setup.copy_sources(das)
    form = CopyCriteriaForm()
    form.source.choices = [SelectChoice("", _l("Kies…"))] + [
        SelectChoice(s.id, f"{s.name} ({len(s.criteria)})") for s in sources
    ]
    problem = None
    if das.state is not DasState.DRAFT:
        problem = message_for(ServiceError("criteria_published"))
    if form.validate_on_submit():
        source = next((s for s in sources if s.id == form.source.data), None)
        if source is None:
            form.source.errors = list(form.source.errors) + [
                str(_l("Kies een aankoopsysteem uit de lijst."))
            ]
        else:
            try:
                copied = criteria_setup.copy_criteria(
                    current_user, das, source, replace=bool(form.replace.data)
                )
            except ServiceError as error:
                target = form.replace if error.code == "criteria_exist" else form.source
                target.errors = list(target.errors) + [message_for(error)]
            else:
                flash(
                    ngettext(
                        "%(num)s eis overgenomen van %(name)s.",
                        "%(num)s eisen overgenomen van %(name)s.",
                        copied,
                        name=source.name,
                    ),
                    "success",
                )
                return redirect(url_for("admin.das_criteria", slug=slug))
    return render_template(
        "admin/criteria_copy.html", das=das, form=form, sources=sources, problem=problem
    )
