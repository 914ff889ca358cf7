"""The reviewers' queue page, and assigning several of its applications at once."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal.extensions import db
from portal.infra.timeutil import local_date, now
from portal.models import ApplicationState, Das, User
from portal.models.labels import label
from portal.pages.messages import message_for
from portal.pages.views_common import staff_das_and_lot_choices
from portal.review import bp, queue_forms
from portal.services import ownership, paging, review_queue
from portal.services.review import IN_REVIEW

# What the queue's address may carry; anything else is dropped from its links.
QUERY_KEYS = (
    "q",
    "das",
    "lot",
    "state",
    "reviewer",
    "mine",
    "to_confirm",
    "answered",
    "sort",
    "order",
)


def _filter_form(
    args: MultiDict[str, str],
) -> tuple[queue_forms.QueueFilterForm, review_queue.QueueFilters, Sequence[Das]]:
    reviewers = db.session.scalars(
        db.select(User)
        .where(User.role.in_(ownership.REVIEWER_ROLES), User.is_active_account.is_(True))
        .order_by(User.name)
    ).all()
    form = queue_forms.QueueFilterForm(args)
    das_list = staff_das_and_lot_choices(current_user, form.das, form.lot)
    form.state.choices = [SelectChoice("", _("Alle"))] + [
        SelectChoice(s.value, label(s)) for s in IN_REVIEW
    ]
    form.reviewer.choices = [
        SelectChoice(-1, _("Iedereen")),
        SelectChoice(0, _("Niemand toegewezen")),
    ] + [SelectChoice(u.id, u.name) for u in reviewers]
    form.validate()
    state = form.state.data if form.state.data in {s.value for s in IN_REVIEW} else None
    sort = args.get("sort", "")
    filters = review_queue.QueueFilters(
        das_id=form.das.data or None if not form.das.errors else None,
        lot_id=form.lot.data or None if not form.lot.errors else None,
        state=ApplicationState(state) if state else None,
        reviewer_id=None
        if form.reviewer.errors or form.reviewer.data in (None, -1)
        else form.reviewer.data,
        search="" if form.q.errors else (form.q.data or "").strip(),
        mine=bool(form.mine.data),
        to_confirm=bool(form.to_confirm.data),
        answered=bool(form.answered.data),
        sort=review_queue.QueueSort(sort)
        if sort in {s.value for s in review_queue.QueueSort}
        else review_queue.QueueSort.DEADLINE,
        descending=args.get("order") == "desc",
    )
    return form, filters, das_list


def _query(args: MultiDict[str, str]) -> dict[str, str]:
    """The queue's own parameters from an address, for its links (paging, sorting, back)."""
    return {key: args[key] for key in QUERY_KEYS if args.get(key)}


def _assign_form(rows: list[review_queue.QueueRow]) -> queue_forms.BulkAssignForm:
    form = queue_forms.BulkAssignForm(formdata=None)
    das_ids = sorted({row.application.das_id for row in rows})
    form.assignee.choices = _assignee_choices(das_ids)
    return form


def _assignee_choices(das_ids: list[int]) -> list[SelectChoice]:
    # 0 is "nobody chosen yet": the form's DataRequired refuses it with its own sentence.
    return [SelectChoice(0, _("Kies een beoordelaar"))] + [
        SelectChoice(u.id, u.name) for u in review_queue.assignable_reviewers(das_ids)
    ]


@bp.route("/")
def queue() -> str:
    page = paging.page_number(request.args.get("pagina"))
    per_page = current_app.config["PER_PAGE"]
    form, filters, das_list = _filter_form(request.args)
    found = review_queue.queue(
        current_user,
        local_date(now()),
        current_app.config["AT_RISK_WORKING_DAYS"],
        page,
        per_page,
        filters,
    )
    return render_template(
        "review/queue.html",
        rows=paging.page_of(found.rows, found.total, page, per_page),
        total=found.total,
        in_queue=found.in_queue,
        narrowed=filters.narrows,
        filters=filters,
        form=form,
        assign_form=_assign_form(found.rows),
        query=_query(request.args),
        back=request.query_string.decode(errors="replace"),
        das_list=das_list,
    )


@bp.route("/toewijzen", methods=["POST"])
def assign_many() -> Response:
    """Assign the chosen rows, then back to the queue as it was (filters, sorting, page)."""
    back = url_for("review.queue", **_back(request.form.get("back", "")))  # type: ignore[arg-type]
    form = queue_forms.BulkAssignForm()
    das_ids = ownership.visible_das_ids(current_user)
    if das_ids is None:
        das_ids = list(db.session.scalars(db.select(Das.id)))
    form.assignee.choices = _assignee_choices(das_ids)
    if not form.validate_on_submit():
        for field in (form.applications, form.assignee):
            for error in field.errors:
                flash(str(error), "error")
        if not form.applications.errors and not form.assignee.errors:
            flash(_("Kies een beoordelaar uit de lijst."), "error")
        return redirect(back)
    assignee = db.session.get(User, form.assignee.data)
    if assignee is None:  # chosen from the list, and gone since
        flash(_("Kies een beoordelaar uit de lijst."), "error")
        return redirect(back)
    result = review_queue.assign_many(form.applications.data or [], assignee, current_user)
    _report(result)
    return redirect(back)


def _back(raw: str) -> dict[str, str]:
    """The queue's parameters from the query string the form was sent from (only its own keys,
    and url_for builds the address: the form cannot send anyone elsewhere)."""
    pairs = MultiDict(parse_qsl(raw[:2000]))
    kept = _query(pairs)
    if pairs.get("pagina", "").isdigit():
        kept["pagina"] = pairs["pagina"]
    return kept


def _report(result: review_queue.BulkAssignment) -> None:
    """Say which applications were assigned, which already were, and which not and why."""
    name = result.assignee.name
    if result.assigned:
        flash(
            ngettext(
                "Toegewezen aan %(name)s: %(references)s.",
                "Toegewezen aan %(name)s (%(num)d aanmeldingen): %(references)s.",
                len(result.assigned),
                name=name,
                references=", ".join(a.reference or "" for a in result.assigned),
            ),
            "success",
        )
    if result.already:
        flash(
            _(
                "Al toegewezen aan %(name)s, niets gewijzigd: %(references)s.",
                name=name,
                references=", ".join(a.reference or "" for a in result.already),
            ),
            "info",
        )
    for refusal in result.refused:
        flash(
            _(
                "Niet toegewezen: %(reference)s (%(organisation)s). %(reason)s",
                reference=refusal.application.reference,
                organisation=refusal.application.organisation.legal_name,
                reason=message_for(refusal.error),
            ),
            "error",
        )
    if result.not_found:
        flash(
            ngettext(
                "%(num)d gekozen aanmelding bestaat niet (meer) of is niet voor u.",
                "%(num)d gekozen aanmeldingen bestaan niet (meer) of zijn niet voor u.",
                result.not_found,
            ),
            "error",
        )
