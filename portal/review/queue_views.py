"""The reviewers' queue page."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from portal.extensions import db
from portal.infra.timeutil import local_date, now
from portal.models import ApplicationState, User
from portal.models.labels import label
from portal.pages.views_common import staff_das_and_lot_choices
from portal.review import bp, queue_forms
from portal.services import ownership, paging, review_queue
from portal.services.review import IN_REVIEW


def _filter_form() -> tuple[queue_forms.QueueFilterForm, review_queue.QueueFilters]:
    reviewers = db.session.scalars(
        db.select(User)
        .where(User.role.in_(ownership.REVIEWER_ROLES), User.is_active_account.is_(True))
        .order_by(User.name)
    ).all()
    form = queue_forms.QueueFilterForm(request.args)
    staff_das_and_lot_choices(current_user, form.das, form.lot)
    form.state.choices = [SelectChoice("", _("Alle"))] + [
        SelectChoice(s.value, label(s)) for s in IN_REVIEW
    ]
    form.reviewer.choices = [
        SelectChoice(-1, _("Iedereen")),
        SelectChoice(0, _("Niemand toegewezen")),
    ] + [SelectChoice(u.id, u.name) for u in reviewers]
    form.validate()
    state = form.state.data if form.state.data in {s.value for s in IN_REVIEW} else None
    filters = review_queue.QueueFilters(
        das_id=form.das.data or None if not form.das.errors else None,
        lot_id=form.lot.data or None if not form.lot.errors else None,
        state=ApplicationState(state) if state else None,
        reviewer_id=None
        if form.reviewer.errors or form.reviewer.data in (None, -1)
        else form.reviewer.data,
    )
    return form, filters


@bp.route("/")
def queue() -> str:
    page = paging.page_number(request.args.get("pagina"))
    per_page = current_app.config["PER_PAGE"]
    form, filters = _filter_form()
    rows, total = review_queue.queue(
        current_user,
        local_date(now()),
        current_app.config["AT_RISK_WORKING_DAYS"],
        page,
        per_page,
        filters,
    )
    query = {k: v for k, v in request.args.items() if k != "pagina"}
    return render_template(
        "review/queue.html",
        rows=paging.page_of(rows, total, page, per_page),
        total=total,
        form=form,
        query=query,
    )
