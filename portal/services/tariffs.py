"""Tariffs: base tariffs (entered or imported), index figures, the indexation preview, and
publication of immutable tariff sheets. Rules: portal.domain.indexation."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from portal.domain import indexation, money
from portal.extensions import db
from portal.infra import mail, spreadsheets
from portal.models import (
    AgreementState,
    AgreementVariation,
    Das,
    FrameworkAgreement,
    IndexFigure,
    LumpSum,
    Organisation,
    Product,
    Tariff,
    TariffSheet,
    User,
    VariationKind,
)
from portal.services import Problem, RowError, ServiceError, documents, transaction
from portal.services.audit import record, sheet_files
from portal.services.ownership import require_administrator
from portal.services.paging import Page, paginate
from portal.services.recipients import provider_recipients

# --- reading ---------------------------------------------------------------------------------


def products_of(das: Das, year: int | None = None) -> list[Product]:
    """The DAS's products, in lot order; with `year`, without those retired before it. A
    product that starts later still gets tariffs, so the yearly chain reaches its first year."""
    products = [p for lot in das.lots for p in lot.products]
    if year is None:
        return products
    return [p for p in products if p.valid_to is None or p.valid_to.year >= year]


def sheets_of(das_id: int) -> list[TariffSheet]:
    return list(
        db.session.scalars(
            db.select(TariffSheet)
            .where(TariffSheet.das_id == das_id)
            .order_by(TariffSheet.year.desc(), TariffSheet.id.desc())
        )
    )


def sheets_page(das_id: int, number: int, per_page: int) -> Page[TariffSheet]:
    """One page of the DAS's tariff sheets, newest year first, corrections above what they
    correct (a sheet per year and per correction: the list grows every year)."""
    return paginate(
        db.select(TariffSheet)
        .where(TariffSheet.das_id == das_id)
        .order_by(TariffSheet.year.desc(), TariffSheet.id.desc()),
        number,
        per_page,
    )


def latest_year(das_id: int) -> int | None:
    """The last year the DAS has published tariffs for."""
    return db.session.scalar(
        db.select(db.func.max(TariffSheet.year)).where(TariffSheet.das_id == das_id)
    )


def current_sheet(das_id: int, year: int) -> TariffSheet | None:
    """The sheet in force for a year: the last published for it (a correction replaces)."""
    return db.session.scalar(
        db.select(TariffSheet)
        .where(TariffSheet.das_id == das_id, TariffSheet.year == year)
        .order_by(TariffSheet.id.desc())
        .limit(1)
    )


def sheet_for_today(das_id: int, year: int) -> TariffSheet | None:
    """The tariffs in force in `year`: that year's sheet, or else the latest before it."""
    return db.session.scalar(
        db.select(TariffSheet)
        .where(TariffSheet.das_id == das_id, TariffSheet.year <= year)
        .order_by(TariffSheet.year.desc(), TariffSheet.id.desc())
        .limit(1)
    )


def figures_of(das_id: int) -> dict[int, indexation.YearFigures]:
    return {
        f.year: indexation.YearFigures(
            f.year, f.ova_prognosis, f.ppc_prognosis, f.ova_definitive, f.ppc_definitive
        )
        for f in db.session.scalars(db.select(IndexFigure).where(IndexFigure.das_id == das_id))
    }


def figures_for_year(das_id: int, year: int) -> IndexFigure | None:
    return db.session.scalar(
        db.select(IndexFigure).where(IndexFigure.das_id == das_id, IndexFigure.year == year)
    )


def index_figure_rows(das_id: int) -> list[IndexFigure]:
    return list(
        db.session.scalars(
            db.select(IndexFigure).where(IndexFigure.das_id == das_id).order_by(IndexFigure.year)
        )
    )


def weights_of(das: Das) -> indexation.Weights:
    return indexation.Weights(Decimal(das.ova_weight), Decimal(das.ppc_weight))


# --- base tariffs ----------------------------------------------------------------------------


def parse_tariff_rows(das: Das, rows: list[list[str]]) -> tuple[dict[int, int], list[RowError]]:
    """Rows of (product code, tariff[, unit]) with a header row first. Every wrong row is
    reported; the caller imports nothing if there is any, so a file is never half imported."""
    errors: list[RowError] = []
    if not rows:
        return {}, [RowError(1, Problem("file_empty"))]
    header = [c.strip().lower() for c in rows[0]]
    try:
        code_col = next(i for i, c in enumerate(header) if c in ("productcode", "code"))
        amount_col = next(i for i, c in enumerate(header) if c in ("tarief", "bedrag"))
    except StopIteration:
        return {}, [RowError(1, Problem("tariff_file_columns"))]
    unit_col = next((i for i, c in enumerate(header) if c in ("eenheid", "unit")), None)
    products = {p.code.upper(): p for p in products_of(das)}
    amounts: dict[int, int] = {}
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = [str(c).strip() if c is not None else "" for c in row]
        if not any(cells):
            continue
        code = cells[code_col].upper() if code_col < len(cells) else ""
        raw = cells[amount_col] if amount_col < len(cells) else ""
        if not code:
            errors.append(RowError(number, Problem("product_code_missing")))
            continue
        product = products.get(code)
        if product is None:
            errors.append(RowError(number, Problem("unknown_product_code", product_code=code)))
            continue
        if code in seen:
            errors.append(
                RowError(
                    number, Problem("product_code_repeated", product_code=code, row=seen[code])
                )
            )
            continue
        seen[code] = number
        if unit_col is not None and unit_col < len(cells) and cells[unit_col]:
            unit = cells[unit_col].lstrip("0") or "0"
            if unit != product.unit.value.lstrip("0"):
                errors.append(
                    RowError(
                        number,
                        Problem(
                            "unit_mismatch",
                            unit=cells[unit_col],
                            product_code=code,
                            expected=product.unit.value,
                        ),
                    )
                )
                continue
        try:
            amounts[product.id] = money.parse_amount(raw)
        except money.AmountTooLarge:
            errors.append(
                RowError(
                    number,
                    Problem(
                        "amount_above_maximum", text=raw, maximum=money.Amount(money.MAX_CENTS)
                    ),
                )
            )
        except money.NotAnAmount:
            errors.append(RowError(number, Problem("not_an_amount", text=raw)))
    missing = [p.code for p in products_of(das) if p.id not in amounts and p.code not in seen]
    if missing and not errors:
        errors.append(
            RowError(len(rows) + 1, Problem("tariffs_missing_for", product_codes=missing))
        )
    return amounts, errors


@transaction
def publish_base(
    admin: User,
    das: Das,
    year: int,
    amounts: Mapping[int, int],
    now: datetime,
    corrects: TariffSheet | None = None,
    note: str = "",
) -> TariffSheet:
    """Publish the base year's tariffs (set by the municipalities, seed 003 §4.2)."""
    require_administrator(admin)
    products = products_of(das, year)
    if {p.id for p in products} - amounts.keys():
        raise ServiceError("tariff_missing")
    if any(v < 0 for v in amounts.values()):
        raise ServiceError("tariff_negative")
    _check_correction(das, year, corrects, note)
    sheet = TariffSheet(
        das_id=das.id,
        year=year,
        is_base=True,
        ova_weight=das.ova_weight,
        ppc_weight=das.ppc_weight,
        published_by_id=admin.id,
        published_at=now,
        corrects_id=corrects.id if corrects else None,
        version=corrects.version + 1 if corrects else 1,
        correction_note=note.strip(),
    )
    for product in products:
        sheet.tariffs.append(Tariff(product_id=product.id, amount_cents=amounts[product.id]))
    das.tariff_base_year = das.tariff_base_year or year
    return _publish(admin, das, sheet)


@dataclass(frozen=True)
class BaseRow:
    product: Product
    old_cents: int | None  # in the sheet this one corrects
    new_cents: int


def base_preview(das: Das, year: int, amounts: Mapping[int, int]) -> list[BaseRow]:
    """What publishing these base tariffs would publish, next to the sheet in force for the
    year if there is one (then it is a correction)."""
    existing = current_sheet(das.id, year)
    old = {t.product_id: t.amount_cents for t in existing.tariffs} if existing else {}
    return [
        BaseRow(p, old.get(p.id), amounts[p.id]) for p in products_of(das, year) if p.id in amounts
    ]


def sheet_of(das: Das, sheet_id: str | None) -> TariffSheet | None:
    """A sheet of this DAS by the id a form carried back; None for none or another DAS's."""
    if not sheet_id or not sheet_id.isdigit() or len(sheet_id) > 12:
        return None
    sheet = db.session.get(TariffSheet, int(sheet_id))
    return sheet if sheet is not None and sheet.das_id == das.id else None


# --- index figures ---------------------------------------------------------------------------


FIGURES = ("ova_prognosis", "ppc_prognosis", "ova_definitive", "ppc_definitive")


@dataclass(frozen=True)
class FiguresInput:
    """What the administrator typed for a year; None where a field was left blank."""

    year: int
    ova_prognosis: Decimal | None
    ppc_prognosis: Decimal | None
    ova_definitive: Decimal | None
    ppc_definitive: Decimal | None


@dataclass(frozen=True)
class FigureChange:
    figure: str  # one of FIGURES
    old: Decimal | None
    new: Decimal | None  # None: explicitly cleared


@transaction
def save_figures(
    admin: User,
    das: Das,
    given: FiguresInput,
    confirmed: bool,
    clear: Collection[str] = (),
) -> list[FigureChange]:
    """Store a year's index figures. A blank field keeps the stored figure (issue 18: a form
    saved with blank fields once erased the 2025 prognosis); a figure is erased only when named in
    `clear`. Returns what changed, so the page can say it; nothing changed, nothing recorded."""
    require_administrator(admin)
    typed = {k: getattr(given, k) for k in FIGURES}
    if unknown := set(clear) - set(FIGURES):
        raise ValueError(f"no such figure: {sorted(unknown)}")
    if any(typed[k] is not None for k in clear):
        raise ServiceError("figure_clear_and_given")
    if not confirmed and any(
        v is not None and not indexation.is_plausible(v) for v in typed.values()
    ):
        raise ServiceError("figure_implausible")
    row = db.session.scalar(
        db.select(IndexFigure).where(IndexFigure.das_id == das.id, IndexFigure.year == given.year)
    )
    stored: dict[str, Decimal | None] = {
        k: None if row is None else getattr(row, k) for k in FIGURES
    }
    wanted = {
        k: None if k in clear else stored[k] if typed[k] is None else typed[k] for k in FIGURES
    }
    changes = [FigureChange(k, stored[k], wanted[k]) for k in FIGURES if wanted[k] != stored[k]]
    if not changes:
        return []
    if row is None:
        row = IndexFigure(das_id=das.id, year=given.year)
        db.session.add(row)
    for change in changes:
        setattr(row, change.figure, change.new)
    row.updated_by_id = admin.id

    def text(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    record(
        "index_figures.saved",
        das,
        admin,
        das_id=das.id,
        year=given.year,
        old={k: text(stored[k]) for k in FIGURES},
        new={k: text(wanted[k]) for k in FIGURES},
        cleared=sorted(c.figure for c in changes if c.new is None),
    )
    db.session.commit()
    return changes


def save_weights(admin: User, das: Das, ova_percent: Decimal, first_index_year: int | None) -> None:
    require_administrator(admin)
    if not Decimal(0) <= ova_percent <= Decimal(100):
        raise ServiceError("weight_out_of_range")
    das.ova_weight = ova_percent / 100
    das.ppc_weight = 1 - das.ova_weight
    das.first_index_year = first_index_year
    record(
        "index_weights.saved",
        das,
        admin,
        das_id=das.id,
        ova=str(ova_percent),
        first_index_year=first_index_year,
    )
    db.session.commit()


# --- indexation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewRow:
    product: Product
    old_cents: int
    new_cents: int


@dataclass(frozen=True)
class Preview:
    year: int
    source: TariffSheet
    index: indexation.IndexBreakdown
    rows: list[PreviewRow]


@dataclass(frozen=True)
class RecipientGroup:
    organisation: str
    addresses: int


def publication_recipients(das: Das) -> list[RecipientGroup]:
    """Who a published tariff sheet is mailed to: each provider with a live agreement and how
    many of its addresses (the same people `_notify_providers` mails), by name."""
    organisations = {
        o.id: o
        for o in db.session.scalars(
            db.select(Organisation)
            .join(FrameworkAgreement, FrameworkAgreement.organisation_id == Organisation.id)
            .where(
                FrameworkAgreement.das_id == das.id,
                FrameworkAgreement.state == AgreementState.LIVE,
            )
        )
    }
    counts = dict.fromkeys(organisations, 0)
    for user in provider_recipients(organisations):
        if user.organisation_id is not None:
            counts[user.organisation_id] += 1
    groups = [RecipientGroup(organisations[i].display_name, n) for i, n in counts.items()]
    return sorted(groups, key=lambda g: g.organisation.lower())


def preview(das: Das, year: int) -> Preview:
    """Year `year`'s tariffs from those of year-1, before anything is published. Corrections
    year-1's sheet could not include yet are carried into this index (domain.indexation)."""
    source = current_sheet(das.id, year - 1)
    if source is None:
        raise ServiceError("no_tariffs_for_previous_year", year=year - 1)
    first_year = das.first_index_year or (das.tariff_base_year or year - 1) + 1
    try:
        index = indexation.index_for_year(
            year, figures_of(das.id), weights_of(das), first_year, source.outstanding
        )
    except indexation.MissingFigure as error:
        raise ServiceError("index_figure_missing", figure=error.figure, year=error.year) from error
    old = {t.product_id: t.amount_cents for t in source.tariffs}
    rows = [
        PreviewRow(p, old[p.id], indexation.apply_index(old[p.id], index.total))
        for p in products_of(das, year)
        if p.id in old
    ]
    return Preview(year, source, index, rows)


@transaction
def publish_year(
    admin: User,
    das: Das,
    year: int,
    now: datetime,
    corrects: TariffSheet | None = None,
    note: str = "",
) -> TariffSheet:
    require_administrator(admin)
    computed = preview(das, year)
    _check_correction(das, year, corrects, note)
    sheet = TariffSheet(
        das_id=das.id,
        year=year,
        prognosis_part=computed.index.prognosis_part,
        correction_part=computed.index.correction_part,
        index_total=computed.index.total,
        corrected_years=" ".join(map(str, computed.index.corrected_years)),
        outstanding_years=" ".join(map(str, computed.index.outstanding_years)),
        ova_weight=das.ova_weight,
        ppc_weight=das.ppc_weight,
        published_by_id=admin.id,
        published_at=now,
        corrects_id=corrects.id if corrects else None,
        version=corrects.version + 1 if corrects else 1,
        correction_note=note.strip(),
    )
    for row in computed.rows:
        sheet.tariffs.append(
            Tariff(
                product_id=row.product.id, amount_cents=row.new_cents, previous_cents=row.old_cents
            )
        )
    return _publish(admin, das, sheet)


def _check_correction(das: Das, year: int, corrects: TariffSheet | None, note: str) -> None:
    """A year's first sheet, or a correction of the sheet in force. The caller names the sheet
    the administrator saw (`corrects`), so a second click on the same confirmation finds that a
    sheet was published since and is refused, not published (and mailed) twice."""
    existing = current_sheet(das.id, year)
    if existing is not None and corrects is None:
        raise ServiceError("sheet_exists", year=year)
    if (
        corrects is not None
        and existing is not None
        and existing.id != corrects.id
        and (corrects.das_id, corrects.year) == (das.id, year)
    ):
        raise ServiceError("sheet_exists", year=year)
    if corrects is not None:
        # Only the sheet in force can be corrected (there may be none yet for `year`).
        if (
            existing is None
            or corrects.id != existing.id
            or corrects.das_id != das.id
            or corrects.year != year
        ):
            raise ServiceError("correct_the_current_sheet")
        if not note.strip():
            raise ServiceError("correction_note_required")


def _publish(admin: User, das: Das, sheet: TariffSheet) -> TariffSheet:
    db.session.add(sheet)
    try:
        db.session.flush()
    except IntegrityError as error:
        # Two requests passed the check at once (a double click): (DAS, year, version) is unique.
        raise ServiceError("sheet_exists", year=sheet.year) from error
    files = {"csv": sheet_csv(sheet), "xlsx": sheet_xlsx(sheet), "pdf": sheet_pdf(sheet)}
    for kind, content in files.items():
        setattr(sheet, f"{kind}_sha256", documents.store(content, documents.TARIFF_SHEETS))
    _vary_live_agreements(das, sheet)
    record(
        "tariff_sheet.published",
        sheet,
        admin,
        das_id=das.id,
        year=sheet.year,
        index=str(sheet.index_total),
        prognosis=str(sheet.prognosis_part),
        correction=str(sheet.correction_part),
        corrected_years=list(sheet.corrected),
        outstanding_years=list(sheet.outstanding),
        version=sheet.version,
        corrects=sheet.corrects_id,
        # What was published, so `flask audit verify` can hold the sheet to it.
        amounts={str(t.product_id): t.amount_cents for t in sheet.tariffs},
        files=sheet_files(sheet),
    )
    _notify_providers(das, sheet)  # into the outbox, with the publication
    db.session.commit()
    return sheet


def _vary_live_agreements(das: Das, sheet: TariffSheet) -> None:
    """A published tariff sheet is a variation of every live agreement. Part of the caller's
    transaction."""
    for agreement in db.session.scalars(
        db.select(FrameworkAgreement).where(
            FrameworkAgreement.das_id == das.id, FrameworkAgreement.state == AgreementState.LIVE
        )
    ):
        kind = "basistarieven" if sheet.is_base else f"index {sheet.index_total}%"
        correction = " (correctie)" if sheet.corrects_id else ""
        db.session.add(
            AgreementVariation(
                agreement_id=agreement.id,
                kind=VariationKind.TARIFFS,
                effective_on=date(sheet.year, 1, 1),
                description=f"Tarieven {sheet.year}{correction}: {kind}.",
            )
        )


def _notify_providers(das: Das, sheet: TariffSheet) -> None:
    agreements = db.session.scalars(
        db.select(FrameworkAgreement).where(
            FrameworkAgreement.das_id == das.id, FrameworkAgreement.state == AgreementState.LIVE
        )
    )
    for user in provider_recipients(a.organisation_id for a in agreements):
        mail.queue(
            user.email,
            _l("Tarieven %(year)s gepubliceerd: %(das)s", year=sheet.year, das=das.name),
            "tariff_sheet",
            user=user,
            das=das,
            sheet=sheet,
            link=mail.link("public.tariff_sheet", slug=das.slug, sheet_id=sheet.id),
        )


# --- sheet files -----------------------------------------------------------------------------


def _rows(sheet: TariffSheet) -> list[tuple[Product, Tariff]]:
    return [
        (t.product, t)
        for t in sorted(sheet.tariffs, key=lambda t: (t.product.lot.position, t.product.code))
    ]


SHEET_CSV_HEADER = [
    "perceel",
    "productcode",
    "product",
    "eenheid",
    "tarief_eur",
    "vorig_tarief_eur",
    "jaar",
]


def sheet_csv(sheet: TariffSheet) -> bytes:
    rows = [
        [
            product.lot.code,
            product.code,
            product.name,
            product.unit.value,
            money.plain_amount(tariff.amount_cents),
            "" if tariff.previous_cents is None else money.plain_amount(tariff.previous_cents),
            sheet.year,
        ]
        for product, tariff in _rows(sheet)
    ]
    return spreadsheets.csv_bytes([SHEET_CSV_HEADER, *rows])


def sheet_xlsx(sheet: TariffSheet) -> bytes:
    builder = spreadsheets.XlsxBuilder()
    builder.sheet(f"Tarieven {sheet.year}")
    builder.row([f"Tarieven {sheet.year}", sheet_title(sheet)])
    builder.row(
        [
            "Index",
            float(sheet.index_total),
            "Prognose",
            float(sheet.prognosis_part),
            "Nacalculatie",
            float(sheet.correction_part),
            *_breakdown_cells(sheet),
        ]
    )
    builder.row([])
    builder.row(
        ["Perceel", "Productcode", "Product", "Eenheid", "Tarief", "Vorig tarief"], bold=True
    )
    euro = '"€" #,##0.00'
    for product, tariff in _rows(sheet):
        builder.row(
            [
                product.lot.code,
                product.code,
                product.name,
                product.unit.value,
                money.euros_of(tariff.amount_cents),
                None if tariff.previous_cents is None else money.euros_of(tariff.previous_cents),
            ],
            number_formats={5: euro, 6: euro},
        )
    return builder.getvalue()


def _breakdown_cells(sheet: TariffSheet) -> list[str]:
    """Which corrections the index includes and which are carried (issue 18), after the index
    figures on the sheet's second row, so the table below does not move."""
    cells = []
    if sheet.corrected:
        cells += ["Nacalculatie over", ", ".join(map(str, sheet.corrected))]
    if sheet.outstanding:
        cells += [
            "Openstaande nacalculatie",
            ", ".join(map(str, sheet.outstanding)),
            "Verrekening in",
            str(sheet.year + 1),
        ]
    return cells


def sheet_title(sheet: TariffSheet) -> str:
    das = db.session.get(Das, sheet.das_id)
    return das.name if das else ""


def sheet_pdf(sheet: TariffSheet) -> bytes:
    """The published sheet as a sealed PDF (documents.issue_pdf), a public record."""
    das = db.session.get(Das, sheet.das_id)
    return documents.issue_pdf(
        render_template("letters/tariff_sheet.html", sheet=sheet, das=das, rows=_rows(sheet))
    )


def read_file(sheet: TariffSheet, kind: str) -> bytes:
    return documents.read(getattr(sheet, f"{kind}_sha256"), documents.TARIFF_SHEETS)


# --- lump sums -------------------------------------------------------------------------------


def lump_sums_of(das: Das) -> list[tuple[LumpSum, list[indexation.BudgetYear], str | None]]:
    """Each lump sum with its indexed series up to the last year that can be computed."""
    figures = figures_of(das.id)
    weights = weights_of(das)
    result = []
    for lump in db.session.scalars(db.select(LumpSum).where(LumpSum.das_id == das.id)):
        first_year = das.first_index_year or lump.base_year + 1
        series: list[indexation.BudgetYear] = []
        problem = None
        amount = lump.base_cents
        year = lump.base_year + 1
        carried: tuple[int, ...] = ()
        while year <= max(figures, default=lump.base_year):
            try:
                index = indexation.index_for_year(year, figures, weights, first_year, carried)
            except indexation.MissingFigure as error:
                problem = f"{error.figure} {error.year}"
                break
            carried = index.outstanding_years
            amount = indexation.apply_index(amount, index.total)
            series.append(indexation.BudgetYear(year, index, amount))
            year += 1
        result.append((lump, series, problem))
    return result


def save_lump_sum(
    admin: User, das: Das, authority_id: int, base_year: int, base_cents: int
) -> LumpSum:
    require_administrator(admin)
    if authority_id not in {a.id for a in das.authorities}:
        raise ServiceError("unknown_authority")
    lump = db.session.scalar(
        db.select(LumpSum).where(LumpSum.das_id == das.id, LumpSum.authority_id == authority_id)
    )
    if lump is None:
        lump = LumpSum(
            das_id=das.id, authority_id=authority_id, base_year=base_year, base_cents=base_cents
        )
        db.session.add(lump)
    else:
        lump.base_year, lump.base_cents = base_year, base_cents
    record(
        "lump_sum.saved",
        das,
        admin,
        das_id=das.id,
        authority=authority_id,
        base_year=base_year,
        base_cents=base_cents,
    )
    db.session.commit()
    return lump
