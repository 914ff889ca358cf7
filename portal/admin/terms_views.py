"""A DAS's terms page: KPIs (kept on the KPI definitions page), indexation, SROI, client
allocation and the privacy arrangement (issue 19)."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.admin import bp
from portal.admin.terms_forms import TermsForm
from portal.domain import das_terms as rules
from portal.infra.timeutil import local_date, now
from portal.models import Das
from portal.pages.messages import message_for
from portal.services import das_terms as terms_service
from portal.services import ownership


def _initial(das: Das) -> dict[str, object]:
    """The form as the DAS stands; empty allocation texts get the suggestion after seed 003."""
    data: dict[str, object] = {
        "ova_percent": (Decimal(das.ova_weight) * 100).normalize(),
        "ppc_percent": (Decimal(das.ppc_weight) * 100).normalize(),
        "first_index_year": das.first_index_year,
        "sroi_threshold": das.sroi_threshold_cents,
        "sroi_percent": Decimal(das.sroi_percent).normalize(),
        "sroi_reference_year": das.sroi_reference_year,
        "privacy_role": das.privacy_role.value if das.privacy_role else None,
        "privacy_text": das.privacy_text,
    }
    for name in terms_service.ALLOCATION_FIELDS:
        data[name] = getattr(das, name) or terms_service.allocation_suggestion(name)
    return data


def _terms(form: TermsForm) -> rules.Terms:
    return rules.Terms(
        ova_percent=form.ova_percent.data,
        ppc_percent=form.ppc_percent.data,
        first_index_year=form.first_index_year.data,
        sroi=rules.SroiRule(
            form.sroi_threshold.data, form.sroi_percent.data, form.sroi_reference_year.data
        ),
        allocation_who_chooses=form.allocation_who_chooses.data or "",
        allocation_request=form.allocation_request.data or "",
        allocation_no_capacity=form.allocation_no_capacity.data or "",
        privacy_role=form.privacy_role.data or "",
        privacy_text=form.privacy_text.data or "",
    )


@bp.route("/das/<slug>/voorwaarden", methods=["GET", "POST"])
def das_terms(slug: str) -> str | Response:
    das = ownership.staff_das(slug, current_user)
    today = local_date(now())
    form = TermsForm(data=_initial(das))
    suggested = [name for name in terms_service.ALLOCATION_FIELDS if not getattr(das, name)]
    if form.validate_on_submit():
        try:
            changed = terms_service.save_terms(current_user, das, _terms(form), now(), today)
        except terms_service.TermsRefused as refused:
            for name, problem in refused.problems.items():
                field = form[name]
                field.errors = list(field.errors) + [message_for(problem)]
        else:
            if changed:
                flash(_l("De voorwaarden zijn opgeslagen."), "success")
            else:
                flash(_l("Er was niets gewijzigd."), "info")
            return redirect(url_for("admin.das_terms", slug=slug))
    return render_template(
        "admin/terms.html",
        das=das,
        form=form,
        terms=terms_service.terms_of(das, today),
        suggested=suggested,
        today=today,
    )
