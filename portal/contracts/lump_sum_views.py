"""A lump-sum agreement for the contract manager (seed 000): the ceiling per year and its
history, indexing the next year, the provider's audited results and the reviews beyond the 3%
valve. Rules: services/lump_sums.py."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.contracts import bp
from portal.contracts.lump_sum_forms import CeilingForm, IndexCeilingForm, ReviewForm
from portal.infra.timeutil import now
from portal.models import FrameworkAgreement
from portal.pages.messages import message_for
from portal.services import ServiceError, lump_sums, ownership


def _page(agreement: FrameworkAgreement, **overrides: object) -> str:
    state = lump_sums.state_of(agreement)
    context: dict[str, object] = {
        "agreement": agreement,
        "state": state,
        "next_index": lump_sums.next_index(agreement, state),
        "ceiling_form": CeilingForm(formdata=None),
        "index_form": IndexCeilingForm(formdata=None),
        "review_forms": {
            r.id: ReviewForm(formdata=None, prefix=f"r{r.id}") for r in state.open_reviews
        },
        "error_message": None,
    }
    context.update(overrides)
    return render_template("contracts/lump_sum.html", **context)


def _done(agreement: FrameworkAgreement, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("contracts.lump_sum", agreement_id=agreement.id))


@bp.route("/<int:agreement_id>/lumpsum")
def lump_sum(agreement_id: int) -> str:
    return _page(ownership.staff_agreement(agreement_id, current_user))


@bp.route("/<int:agreement_id>/lumpsum/plafond", methods=["POST"])
def agree_ceiling(agreement_id: int) -> str | Response:
    agreement = ownership.staff_agreement(agreement_id, current_user)
    form = CeilingForm()
    if not form.validate_on_submit():
        return _page(agreement, ceiling_form=form)
    try:
        lump_sums.agree_ceiling(
            current_user, agreement, form.year.data, form.amount.data, form.reason.data or "", now()
        )
    except ServiceError as error:
        field = form.reason if error.code == "ceiling_revision_needs_reason" else form.year
        if error.code == "ceiling_not_positive":
            field = form.amount
        field.errors = [message_for(error)]
        return _page(agreement, ceiling_form=form)
    return _done(agreement, _("Het plafondbedrag is vastgelegd en staat bij de wijzigingen."))


@bp.route("/<int:agreement_id>/lumpsum/indexeren", methods=["POST"])
def index_ceiling(agreement_id: int) -> str | Response:
    agreement = ownership.staff_agreement(agreement_id, current_user)
    form = IndexCeilingForm()
    if not form.validate_on_submit():
        abort(400)
    year = form.year.data or ""
    try:
        if not (year.isascii() and year.isdigit() and len(year) == 4):  # not the one offered
            raise ServiceError("ceiling_not_next_year")
        lump_sums.index_ceiling(current_user, agreement, int(year), now())
    except ServiceError as error:
        return _page(agreement, error_message=message_for(error))
    return _done(agreement, _("Het plafondbedrag van %(year)s is geïndexeerd.", year=year))


@bp.route("/<int:agreement_id>/lumpsum/resultaten/<int:result_id>/afhandelen", methods=["POST"])
def close_lump_sum_review(agreement_id: int, result_id: int) -> str | Response:
    agreement = ownership.staff_agreement(agreement_id, current_user)
    result = lump_sums.result_of(agreement, result_id)
    if result is None:
        abort(404)
    state = lump_sums.state_of(agreement)
    forms = {r.id: ReviewForm(formdata=None, prefix=f"r{r.id}") for r in state.open_reviews}
    form = ReviewForm(prefix=f"r{result.id}")
    forms[result.id] = form
    if not form.validate_on_submit():
        return _page(agreement, review_forms=forms)
    try:
        lump_sums.close_review(current_user, result, form.note.data or "", now())
    except ServiceError as error:
        if error.code == "review_not_open":
            return _page(agreement, error_message=message_for(error))
        form.note.errors = [message_for(error)]
        return _page(agreement, review_forms=forms)
    return _done(
        agreement,
        _("De beoordeling van het resultaat over %(year)s is vastgelegd.", year=result.year),
    )
