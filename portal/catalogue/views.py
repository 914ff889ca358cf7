"""The administrator's catalogue and tariffs: products, base tariffs, index figures,
indexation with preview, published sheets and lump sums."""

from __future__ import annotations

from decimal import Decimal

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal.catalogue import bp, forms
from portal.domain import money
from portal.infra.timeutil import local_date, now
from portal.models import Das, IjwUnit, ProductVariant, TariffSheet
from portal.pages.forms import read_amount
from portal.pages.messages import message_for, row_messages
from portal.pages.views_common import read_spreadsheet
from portal.services import RowError, ServiceError, catalogue, ownership, paging, tariffs


@bp.route("/<slug>/catalogus")
def products(slug: str) -> str:
    das = ownership.staff_das(slug, current_user)
    return render_template(
        "catalogue/products.html", das=das, today=local_date(now()), action_form=FlaskForm()
    )


def _product_form(das: Das, **kwargs: object) -> forms.ProductForm:
    form = forms.ProductForm(**kwargs)
    form.lot.choices = [SelectChoice(lot.id, f"{lot.code}. {lot.name}") for lot in das.lots]
    return form


def _product_input(form: forms.ProductForm) -> catalogue.ProductInput:
    return catalogue.ProductInput(
        lot_id=form.lot.data,
        code=form.code.data or "",
        name=form.name.data or "",
        ijw_category=form.ijw_category.data or "",
        unit=IjwUnit(form.unit.data),
        variant=ProductVariant(form.variant.data) if form.variant.data else None,
        description=form.description.data or "",
        valid_from=form.valid_from.data,
        valid_to=form.valid_to.data,
    )


@bp.route("/<slug>/percelen/nieuw", methods=["GET", "POST"])
@bp.route("/<slug>/percelen/<int:lot_id>", methods=["GET", "POST"])
def lot_form(slug: str, lot_id: int | None = None) -> str | Response:
    das = ownership.staff_das(slug, current_user)
    lot = None if lot_id is None else ownership.lot_of(das, lot_id)
    form = forms.LotForm(obj=lot)
    if form.validate_on_submit():
        try:
            catalogue.save_lot(
                current_user,
                das,
                form.code.data or "",
                form.name.data or "",
                form.description.data or "",
                lot,
            )
        except ServiceError as error:
            form.code.errors = list(form.code.errors) + [message_for(error)]
        else:
            flash(_("Het perceel is opgeslagen."), "success")
            return redirect(url_for("catalogue.products", slug=slug))
    return render_template("catalogue/lot_form.html", das=das, form=form, lot=lot)


@bp.route("/<slug>/producten/nieuw", methods=["GET", "POST"])
def new_product(slug: str) -> str | Response:
    das = ownership.staff_das(slug, current_user)
    form = _product_form(das)
    if form.validate_on_submit():
        try:
            catalogue.create_product(current_user, das, _product_input(form))
        except ServiceError as error:
            form.code.errors = list(form.code.errors) + [message_for(error)]
        else:
            flash(_("Het product is toegevoegd."), "success")
            return redirect(url_for("catalogue.products", slug=slug))
    return render_template("catalogue/product_form.html", das=das, form=form, product=None)


@bp.route("/<slug>/producten/<int:product_id>", methods=["GET", "POST"])
def edit_product(slug: str, product_id: int) -> str | Response:
    das = ownership.staff_das(slug, current_user)
    product = ownership.product_of(das, product_id)
    form = _product_form(
        das,
        data={
            "lot": product.lot_id,
            "code": product.code,
            "name": product.name,
            "ijw_category": product.ijw_category,
            "unit": product.unit.value,
            "variant": product.variant.value if product.variant else "",
            "description": product.description,
            "valid_from": product.valid_from,
            "valid_to": product.valid_to,
        },
    )
    if form.validate_on_submit():
        try:
            catalogue.update_product(current_user, das, product, _product_input(form))
        except ServiceError as error:
            form.code.errors = list(form.code.errors) + [message_for(error)]
        else:
            flash(_("Het product is opgeslagen."), "success")
            return redirect(url_for("catalogue.products", slug=slug))
    return render_template("catalogue/product_form.html", das=das, form=form, product=product)


@bp.route("/<slug>/producten/<int:product_id>/beeindigen", methods=["POST"])
def retire_product(slug: str, product_id: int) -> Response:
    das = ownership.staff_das(slug, current_user)
    product = ownership.product_of(das, product_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        catalogue.retire_product(current_user, das, product, local_date(now()))
    except ServiceError as error:
        flash(message_for(error), "error")
    else:
        flash(
            _("Product %(code)s is beëindigd. Het blijft in de historie staan.", code=product.code),
            "success",
        )
    return redirect(url_for("catalogue.products", slug=slug))


def _confirm_base(
    das: Das,
    year: int,
    amounts: dict[int, int],
    note: str,
    seen: TariffSheet | None,
) -> str:
    """The confirmation step before base tariffs are published (and mailed): what will be
    published and to whom; the amounts travel in hidden fields to `base_tariffs`."""
    form = forms.BaseTariffForm(
        formdata=None,
        data={
            "year": year,
            "correction_note": note,
            "seen_sheet": "" if seen is None else str(seen.id),
        },
    )
    return render_template(
        "catalogue/base_tariffs_confirm.html",
        das=das,
        form=form,
        year=year,
        rows=tariffs.base_preview(das, year, amounts),
        plain={pid: money.plain_amount(cents) for pid, cents in amounts.items()},
        note=note,
        existing=seen,
        recipients=tariffs.publication_recipients(das),
    )


@bp.route("/<slug>/tarieven", methods=["GET", "POST"])
def tariff_admin(slug: str) -> str | Response | tuple[str, int]:
    das = ownership.staff_das(slug, current_user)
    form = forms.ImportForm(year=das.tariff_base_year or local_date(now()).year)
    errors: list[RowError] = []
    submitted = form.validate_on_submit()
    rows = read_spreadsheet(form.file) if submitted else None
    if rows is not None:
        amounts, errors = tariffs.parse_tariff_rows(das, rows)
        if not errors:
            # Nothing is published yet: the file's tariffs go to the confirmation step.
            note = form.correction_note.data or ""
            existing = tariffs.current_sheet(das.id, form.year.data)
            return _confirm_base(
                das, form.year.data, amounts, note, existing if note.strip() else None
            )
    return render_template(
        "catalogue/tariffs.html",
        das=das,
        form=form,
        row_errors=row_messages(errors),
        error_message=None,
        sheets=tariffs.sheets_page(
            das.id, paging.page_number(request.args.get("pagina")), current_app.config["PER_PAGE"]
        ),
        latest_year=tariffs.latest_year(das.id),
    ), (422 if submitted and rows is None else 200)


@bp.route("/<slug>/basistarieven", methods=["GET", "POST"])
def base_tariffs(slug: str) -> str | Response:
    """Enter the base year's tariffs by hand, one field per product; publishing asks for a
    confirmation first (it mails every provider with a live agreement)."""
    das = ownership.staff_das(slug, current_user)
    form = forms.BaseTariffForm(year=das.tariff_base_year or local_date(now()).year)
    products = tariffs.products_of(das)
    typed = {p.id: request.form.get(f"p{p.id}", "") for p in products}
    field_errors: dict[int, str] = {}
    error_message = None
    if form.validate_on_submit() and "wijzigen" not in request.form:
        amounts = {}
        for product in products:
            try:
                amounts[product.id] = read_amount(typed[product.id], example_cents=10_496)
            except ValueError as error:
                field_errors[product.id] = str(error)
        note = form.correction_note.data or ""
        seen = tariffs.sheet_of(das, form.seen_sheet.data)
        if not field_errors and form.confirmed.data != "ja":
            return _confirm_base(das, form.year.data, amounts, note, seen)
        if not field_errors:
            try:
                tariffs.publish_base(
                    current_user, das, form.year.data, amounts, now(), corrects=seen, note=note
                )
            except ServiceError as error:
                error_message = message_for(error)
            else:
                flash(
                    _("De basistarieven voor %(year)s zijn gepubliceerd.", year=form.year.data),
                    "success",
                )
                return redirect(url_for("catalogue.tariff_admin", slug=slug))
    return render_template(
        "catalogue/base_tariffs.html",
        das=das,
        form=form,
        products=products,
        typed=typed,
        field_errors=field_errors,
        error_message=error_message,
    )


FIGURE_NAMES = {
    "ova_prognosis": _l("OVA-prognose"),
    "ppc_prognosis": _l("PPC-prognose"),
    "ova_definitive": _l("OVA definitief"),
    "ppc_definitive": _l("PPC definitief"),
}


def _percent(value: Decimal) -> str:
    return format_decimal(value, format="0.00#")


def _saved_message(year: int, changes: list[tariffs.FigureChange]) -> str:
    """Say what changed: "OVA-prognose 2026 opgeslagen: 3,10%", or that nothing did."""
    if not changes:
        return _("Er is niets veranderd aan de indexcijfers van %(year)s.", year=year)
    parts = [
        _(
            "%(figure)s %(year)s opgeslagen: %(value)s%%",
            figure=FIGURE_NAMES[c.figure],
            year=year,
            value=_percent(c.new),
        )
        if c.new is not None
        else _(
            "%(figure)s %(year)s gewist (was %(value)s%%)",
            figure=FIGURE_NAMES[c.figure],
            year=year,
            value=_percent(c.old) if c.old is not None else "–",
        )
        for c in changes
    ]
    return "; ".join(parts) + "."


def _chosen_year(form: forms.FiguresForm) -> int | None:
    if request.method == "POST":
        return form.year.data if not form.year.errors else None
    raw = request.args.get("jaar", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None


@bp.route("/<slug>/indexcijfers", methods=["GET", "POST"])
def index_figures(slug: str) -> str | Response:
    """The OVA and PPC figures per year. Choosing a year (?jaar=2025) loads its stored figures
    into the form; a blank field keeps a stored figure, a figure is erased only by ticking its
    'wis' box."""
    das = ownership.staff_das(slug, current_user)
    form = forms.FiguresForm()
    weights_form = forms.WeightsForm(
        formdata=None,
        data={
            "ova_weight": Decimal(das.ova_weight) * 100,
            "first_index_year": das.first_index_year,
        },
    )
    error_message = None
    needs_confirmation = False
    if request.form.get("form") == "weights":
        weights_form = forms.WeightsForm()
        if weights_form.validate_on_submit() and weights_form.ova_weight.data is not None:
            try:
                tariffs.save_weights(
                    current_user,
                    das,
                    weights_form.ova_weight.data,
                    weights_form.first_index_year.data,
                )
            except ServiceError as error:
                error_message = message_for(error)
            else:
                flash(_("De weging is opgeslagen."), "success")
                return redirect(url_for("catalogue.index_figures", slug=slug))
        elif weights_form.ova_weight.data is None and not weights_form.ova_weight.errors:
            weights_form.ova_weight.errors = [_("Vul het gewicht van de OVA in.")]
        form = forms.FiguresForm(formdata=None)
    elif form.validate_on_submit():
        try:
            changes = tariffs.save_figures(
                current_user,
                das,
                tariffs.FiguresInput(
                    form.year.data,
                    form.ova_prognosis.data,
                    form.ppc_prognosis.data,
                    form.ova_definitive.data,
                    form.ppc_definitive.data,
                ),
                bool(form.confirm.data),
                clear=form.cleared(),
            )
        except ServiceError as error:
            error_message = message_for(error)
            needs_confirmation = error.code == "figure_implausible"
        else:
            flash(_saved_message(form.year.data, changes), "success")
            return redirect(
                url_for(
                    "catalogue.index_figures", slug=slug, jaar=form.year.data, _anchor="cijfers"
                )
            )
    elif request.method == "GET":
        year = _chosen_year(form)
        row = tariffs.figures_for_year(das.id, year) if year else None
        form = forms.FiguresForm(
            formdata=None,
            data={"year": year, **{k: getattr(row, k) for k in FIGURE_NAMES if row is not None}},
        )
    year = _chosen_year(form)
    stored = tariffs.figures_for_year(das.id, year) if year else None
    return render_template(
        "catalogue/index_figures.html",
        das=das,
        form=form,
        weights_form=weights_form,
        rows=tariffs.index_figure_rows(das.id),
        stored=stored,
        error_message=error_message,
        needs_confirmation=needs_confirmation,
    )


@bp.route("/<slug>/indexeren/<int:year>", methods=["GET", "POST"])
def indexation(slug: str, year: int) -> str | Response:
    """The indexed tariffs of `year`: a preview (GET), a confirmation step showing what will be
    published and who will be mailed (POST without `confirmed`), then publication."""
    das = ownership.staff_das(slug, current_user)
    form = forms.PublishForm()
    error_message = None
    try:
        computed = tariffs.preview(das, year)
    except ServiceError as error:
        computed = None
        error_message = message_for(error)
    existing = tariffs.current_sheet(das.id, year)
    confirming = False
    if computed is not None and form.validate_on_submit():
        seen = tariffs.sheet_of(das, form.seen_sheet.data)
        note = form.correction_note.data or ""
        if seen is not None and not note.strip():
            error_message = message_for(ServiceError("correction_note_required"))
        elif form.confirmed.data != "ja":
            confirming = True
        else:
            try:
                sheet = tariffs.publish_year(
                    current_user, das, year, now(), corrects=seen, note=note
                )
            except ServiceError as error:
                error_message = message_for(error)
            else:
                flash(_("De tarieven voor %(year)s zijn gepubliceerd.", year=sheet.year), "success")
                return redirect(url_for("public.tariff_sheet", slug=slug, sheet_id=sheet.id))
    if not form.seen_sheet.data and existing is not None and not confirming:
        form.seen_sheet.data = str(existing.id)
    return render_template(
        "catalogue/indexation.html",
        das=das,
        year=year,
        preview=computed,
        form=form,
        error_message=error_message,
        existing=existing,
        confirming=confirming,
        recipients=tariffs.publication_recipients(das) if confirming else None,
    )


@bp.route("/<slug>/lumpsums", methods=["GET", "POST"])
def lump_sums(slug: str) -> str | Response:
    das = ownership.staff_das(slug, current_user)
    form = forms.LumpSumForm()
    form.authority.choices = [SelectChoice(a.id, a.name) for a in das.authorities]
    if form.validate_on_submit():
        try:
            tariffs.save_lump_sum(
                current_user, das, form.authority.data, form.base_year.data, form.amount.data
            )
        except ServiceError as error:
            form.authority.errors = [message_for(error)]
        else:
            flash(_("Het budget is opgeslagen."), "success")
            return redirect(url_for("catalogue.lump_sums", slug=slug))
    return render_template(
        "catalogue/lump_sums.html", das=das, form=form, lump_sums=tariffs.lump_sums_of(das)
    )
