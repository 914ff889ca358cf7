"""The SROI reference-turnover page of a DAS (issue 21): the obligations of a year with the
turnover they are measured on, a form to enter one provider's turnover and an import of a file of
them. Same blueprint and role check as the contract register: the DAS's contract managers and
the administrators."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import contains_eager
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal.contracts import bp
from portal.contracts.sroi_forms import TurnoverForm, TurnoverImportForm
from portal.extensions import db
from portal.infra.timeutil import local_date, now
from portal.models import Das, FrameworkAgreement, Organisation
from portal.pages.messages import message_for, row_messages
from portal.pages.params import year_arg
from portal.pages.views_common import read_spreadsheet, table_download
from portal.services import ServiceError, kpis, ownership, paging
from portal.services.kpis.figures import LIVE_STATES


def _agreements(das: Das) -> list[FrameworkAgreement]:
    """The DAS's running agreements by provider name, for the form's choice."""
    return list(
        db.session.scalars(
            db.select(FrameworkAgreement)
            .join(Organisation, Organisation.id == FrameworkAgreement.organisation_id)
            .options(contains_eager(FrameworkAgreement.organisation))
            .where(FrameworkAgreement.das_id == das.id, FrameworkAgreement.state.in_(LIVE_STATES))
            .order_by(Organisation.legal_name, FrameworkAgreement.id)
        )
    )


def _year(das: Das) -> int:
    """The year whose obligations are shown (?jaar=): within the DAS's term."""
    first, last = das.term_start.year, das.common_end_date.year
    return min(max(year_arg("jaar", local_date(now()).year), first), last)


def _with_choices(form: TurnoverForm, das: Das, agreements: list[FrameworkAgreement]) -> None:
    form.agreement.choices = [SelectChoice(0, _("Kies een aanbieder"))] + [
        SelectChoice(a.id, a.organisation.legal_name) for a in agreements
    ]
    form.year.choices = [
        SelectChoice(y, str(y)) for y in reversed(kpis.turnover_years(das, local_date(now())))
    ]


def _page(
    das: Das,
    form: TurnoverForm | None = None,
    import_form: TurnoverImportForm | None = None,
    **overrides: object,
) -> str:
    today = local_date(now())
    year = _year(das)
    if form is None:
        form = TurnoverForm(formdata=None, year=today.year - 1)
        _with_choices(form, das, _agreements(das))
    context: dict[str, object] = {
        "das": das,
        "year": year,
        "years": range(das.term_start.year, das.common_end_date.year + 1),
        "rows": kpis.sroi_page(
            das,
            year,
            today,
            paging.page_number(request.args.get("pagina")),
            current_app.config["PER_PAGE"],
        ),
        "form": form,
        "import_form": import_form or TurnoverImportForm(formdata=None),
        "example": kpis.EXAMPLE_ROWS,
        "row_errors": [],
        "error_message": None,
    }
    context.update(overrides)
    return render_template("contracts/sroi_turnover.html", **context)


@bp.route("/das/<slug>/sroi-omzet", methods=["GET", "POST"])
def sroi_turnover(slug: str) -> str | Response:
    das = ownership.staff_das(slug, current_user)
    if request.method == "GET":
        return _page(das)
    agreements = _agreements(das)
    form = TurnoverForm()
    _with_choices(form, das, agreements)
    chosen = {a.id: a for a in agreements}.get(form.agreement.data or 0)
    if form.validate_on_submit():
        if chosen is None:
            form.agreement.errors = [_("Kies een aanbieder.")]
        else:
            try:
                kpis.save_turnover(
                    current_user, chosen, form.year.data, form.amount.data, local_date(now()), now()
                )
            except ServiceError as error:
                form.year.errors = [message_for(error)]
            else:
                flash(
                    _(
                        "De omzet van %(provider)s over %(year)s is vastgelegd.",
                        provider=chosen.organisation.legal_name,
                        year=form.year.data,
                    ),
                    "success",
                )
                return redirect(url_for("contracts.sroi_turnover", slug=slug, jaar=_year(das)))
    return _page(das, form=form)


@bp.route("/das/<slug>/sroi-omzet/import", methods=["POST"])
def sroi_turnover_import(slug: str) -> str | Response | tuple[str, int]:
    das = ownership.staff_das(slug, current_user)
    form = TurnoverImportForm()
    if not form.validate_on_submit():
        return _page(das, import_form=form)
    rows = read_spreadsheet(form.file)
    if rows is None:
        return _page(das, import_form=form), 422
    try:
        result = kpis.import_turnover(current_user, das, rows, local_date(now()), now())
    except ServiceError as error:
        return _page(das, import_form=form, error_message=message_for(error))
    if result.errors:
        return _page(das, import_form=form, row_errors=row_messages(result.errors))
    flash(_("%(n)s omzetten zijn ingelezen.", n=result.stored), "success")
    return redirect(url_for("contracts.sroi_turnover", slug=slug, jaar=_year(das)))


@bp.route("/das/<slug>/sroi-omzet/voorbeeld.csv")
def sroi_turnover_example(slug: str) -> Response:
    """The layout of the import as a file to fill in."""
    das = ownership.staff_das(slug, current_user)
    return table_download(f"sroi-omzet-{das.reference}-voorbeeld", "csv", kpis.EXAMPLE_ROWS)
