"""The API's endpoints. Each reads the body (portal/api/reading.py), turns the codes software
knows (KPI codes, lot and product codes, CBS codes) into the portal's rows, and calls the same
service as the form, in the name of the token's creator and inside `through_api_token`, so the
audit trail has the form's event with the token's id."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from flask import Response, current_app, jsonify
from sqlalchemy.orm import selectinload

from portal.api import bp
from portal.api.idempotency import idempotent
from portal.api.problems import FieldError, Invalid
from portal.api.reading import Fields, json_body, refuse_if
from portal.auth.access import api_token, api_token_required, public
from portal.domain import contract_management as rules
from portal.domain import money
from portal.domain import waiting_times as waiting_rules
from portal.extensions import db
from portal.infra.timeutil import as_utc, local_date, now
from portal.models import (
    AgreementLot,
    ApiScope,
    ContractingAuthority,
    Das,
    FrameworkAgreement,
    KpiDefinition,
    Lot,
    WaitingTime,
)
from portal.services import Problem, ServiceError, kpis, waiting_times
from portal.services.audit import through_api_token

SPEC = Path(__file__).resolve().parent.parent / "data" / "openapi" / "api-v1.json"


@cache
def _description() -> str:
    return json.dumps(json.loads(SPEC.read_text(encoding="utf-8")), ensure_ascii=False)


@bp.get("/openapi.json")
@public
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API, for anyone (it holds no data)."""
    return current_app.response_class(_description(), mimetype="application/json")


def _own_agreement(agreement_id: int) -> FrameworkAgreement:
    """The token's organisation's agreement; another organisation's is not found (404)."""
    agreement = db.session.scalar(
        db.select(FrameworkAgreement).where(
            FrameworkAgreement.id == agreement_id,
            FrameworkAgreement.organisation_id == api_token().organisation_id,
        )
    )
    if agreement is None:
        raise ServiceError("not_found")
    return agreement


def _authority(authority: ContractingAuthority | None) -> dict[str, Any] | None:
    if authority is None:
        return None
    return {"name": authority.name, "kind": authority.kind.value, "cbs_code": authority.cbs_code}


def _agreement(
    agreement: FrameworkAgreement, today: Any, definitions: list[KpiDefinition]
) -> dict[str, Any]:
    lots = sorted(
        (al.lot for al in agreement.lots if al.is_current), key=lambda lot: (lot.position, lot.id)
    )
    return {
        "id": agreement.id,
        "reference": agreement.reference,
        "state": agreement.state.value,
        "start_date": agreement.start_date.isoformat(),
        "end_date": agreement.end_date.isoformat(),
        "das": {"slug": agreement.das.slug, "name": agreement.das.name},
        "lots": [
            {
                "code": lot.code,
                "name": lot.name,
                "products": [
                    {
                        "code": product.code,
                        "name": product.name,
                        "ijw_category": product.ijw_category,
                        "unit": product.unit.value,
                    }
                    for product in waiting_times.offered_products(lot, today)
                ],
            }
            for lot in lots
        ],
        "authorities": [
            {
                **(_authority(authority) or {}),
                "subregion": authority.parent.name if authority.parent else None,
            }
            for authority in _authorities(agreement.das)
        ],
        "kpis": [
            {
                "code": definition.code,
                "name": definition.name,
                "unit": definition.unit,
                "period": definition.period.value,
                "min_value": _figure(definition.min_value),
                "max_value": _figure(definition.max_value),
                "region_specific": definition.region_specific,
            }
            for definition in definitions
        ],
    }


def _authorities(das: Das) -> list[ContractingAuthority]:
    """The DAS's municipalities and the subregions grouping them, subregions first, each by
    name: what waiting_times.served_authorities gives, from the relationships the list loaded
    for every agreement at once (that function asks the database per agreement)."""
    found = {a.id: a for a in das.authorities}
    found.update({a.parent.id: a.parent for a in das.authorities if a.parent is not None})
    return sorted(found.values(), key=lambda a: (a.kind.value != "subregion", a.name))


def _figure(value: Decimal | None) -> str | None:
    return None if value is None else format(Decimal(value), "f")


@bp.get("/agreements")
@api_token_required()
def agreements() -> Response:
    """The organisation's framework agreements with what a report names: the lots and their
    products, the municipalities and subregions, the KPIs."""
    found = db.session.scalars(
        db.select(FrameworkAgreement)
        .where(FrameworkAgreement.organisation_id == api_token().organisation_id)
        .options(
            selectinload(FrameworkAgreement.lots)
            .selectinload(AgreementLot.lot)
            .selectinload(Lot.products),
            selectinload(FrameworkAgreement.das)
            .selectinload(Das.authorities)
            .selectinload(ContractingAuthority.parent),
        )
        .order_by(FrameworkAgreement.start_date, FrameworkAgreement.id)
    ).all()
    today = local_date(now())
    # The KPIs are the DAS's, in the order kpis.definitions_of gives them; one query.
    definitions: dict[int, list[KpiDefinition]] = {a.das_id: [] for a in found}
    for definition in db.session.scalars(
        db.select(KpiDefinition)
        .where(KpiDefinition.das_id.in_(definitions))
        .order_by(KpiDefinition.position, KpiDefinition.id)
    ):
        definitions[definition.das_id].append(definition)
    return jsonify({"agreements": [_agreement(a, today, definitions[a.das_id]) for a in found]})


# --- KPI figures ------------------------------------------------------------------------------

FIGURE_FIELDS = {"kpi", "period", "value", "lot", "municipality"}
# Where a figure's problem points (services.kpis.parse_rows names no column).
FIGURE_PROBLEM_FIELDS = {
    "unknown_kpi": "kpi",
    "period_does_not_fit": "period",
    "period_not_over": "period",
    "agreement_not_yet_running": "period",
    "not_a_number": "value",
    "figure_not_storable": "value",
    "figure_below_minimum": "value",
    "figure_above_maximum": "value",
    "lot_not_in_agreement": "lot",
    "authority_not_in_das": "municipality",
}


@bp.post("/agreements/<int:agreement_id>/kpi-values")
@api_token_required(ApiScope.KPI)
@idempotent
def report_kpi_values(agreement_id: int) -> Response:
    """KPI figures, read as the spreadsheet upload reads its rows (services.kpis.parse_rows), so
    the API refuses what the form refuses, in the same words; then reported as the form does."""
    agreement = _own_agreement(agreement_id)
    errors: list[FieldError] = []
    body = Fields(json_body(), "", errors, {"figures", "reason"})
    reason = body.text("reason", required=False) or ""
    rows = [["kpi", "periode", "waarde", "perceel", "gemeente"]]
    pointers = []
    for pointer, item in body.items("figures"):
        figure = Fields(item, pointer, errors, FIGURE_FIELDS)
        row = [
            figure.text("kpi"),
            figure.text("period"),
            figure.figure("value"),
            figure.text("lot", required=False) or "",
            figure.text("municipality", required=False) or "",
        ]
        if None not in row:
            rows.append([str(cell) for cell in row])
            pointers.append(pointer)
    if body.is_object and "figures" in body.data and not body.data["figures"] and not errors:
        errors.append(FieldError("/figures", Problem("api_field_required")))
    refuse_if(errors)
    today = local_date(now())
    figures, row_errors = kpis.parse_rows(agreement, rows, today)
    refuse_if(
        [
            FieldError(
                _at(
                    pointers[error.row - 2] if error.row >= 2 else "/figures",
                    FIGURE_PROBLEM_FIELDS.get(error.problem.code),
                ),
                error.problem,
            )
            for error in row_errors
        ]
    )
    token = api_token()
    with through_api_token(token.id):
        try:
            kpis.report(token.created_by, agreement, figures, reason, today, now())
        except ServiceError as error:
            if error.code == "correction_reason_required":
                raise Invalid([FieldError("/reason", Problem(error.code))]) from error
            raise
    lots = {al.lot_id: al.lot.code for al in agreement.lots}
    authorities = {a.id: a for a in agreement.das.authorities}
    stored = [
        {
            "kpi": f.definition.code,
            "period": rules.period_label(f.period_start, f.definition.period.value),
            "period_start": f.period_start.isoformat(),
            "value": _figure(f.value),
            "lot": lots.get(f.lot_id) if f.lot_id else None,
            "municipality": (
                authorities[f.authority_id].cbs_code or authorities[f.authority_id].name
            )
            if f.authority_id
            else None,
        }
        for f in figures
    ]
    return _created({"stored": len(stored), "figures": stored})


def _at(pointer: str, name: str | None) -> str:
    return f"{pointer}/{name}" if name else pointer


def _created(body: dict[str, Any], status: int = 201) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


# --- social return ------------------------------------------------------------------------------

SROI_FIELDS = {"year", "activity", "amount_cents", "pso_level"}
SROI_PROBLEM_FIELDS = {
    "sroi_activity_required": "/activity",
    "sroi_amount_positive": "/amount_cents",
}


@bp.post("/agreements/<int:agreement_id>/sroi-reports")
@api_token_required(ApiScope.SROI)
@idempotent
def report_sroi(agreement_id: int) -> Response:
    """One social-return activity, as the SROI form reports it (amount in cents)."""
    agreement = _own_agreement(agreement_id)
    errors: list[FieldError] = []
    body = Fields(json_body(), "", errors, SROI_FIELDS)
    year = body.integer("year")
    activity = body.text("activity", required=False)
    amount_cents = body.integer("amount_cents")
    pso_level = body.text("pso_level", required=False) or ""
    if "activity" not in body.data and body.is_object:
        body.fail("activity", "api_field_required")
    today = local_date(now())
    first, last = agreement.start_date.year, today.year
    if year is not None and not first <= year <= last:
        body.fail("year", "sroi_year_outside", first=first, last=last)
    if amount_cents is not None and amount_cents > money.MAX_CENTS:
        # What the form's amount field says of an amount beyond the columns.
        body.fail(
            "amount_cents",
            "amount_above_maximum",
            text=str(amount_cents),
            maximum=money.Amount(money.MAX_CENTS),
        )
    refuse_if(errors)
    assert year is not None and amount_cents is not None  # refused above otherwise
    token = api_token()
    with through_api_token(token.id):
        try:
            row = kpis.report_sroi(
                token.created_by, agreement, year, activity or "", amount_cents, pso_level, now()
            )
        except ServiceError as error:
            if error.code in SROI_PROBLEM_FIELDS:
                raise Invalid(
                    [FieldError(SROI_PROBLEM_FIELDS[error.code], Problem(error.code))]
                ) from error
            raise
    return _created(
        {
            "id": row.id,
            "year": row.year,
            "activity": row.activity,
            "amount_cents": row.amount_cents,
            "pso_level": row.pso_level,
            "reported_at": as_utc(row.reported_at).isoformat(),
        }
    )


# --- the waiting-time register ---------------------------------------------------------------

ENTRY_FIELDS = {
    "lot",
    "product",
    "municipality",
    "subregion",
    "weeks_to_intake",
    "weeks_to_treatment",
    "accepts_new_clients",
    "note",
}


def _entry(entry: WaitingTime, moment: Any) -> dict[str, Any]:
    authority = entry.authority
    reported_at = as_utc(entry.reported_at)
    return {
        "lot": entry.lot.code,
        "product": entry.product.code if entry.product else None,
        "municipality": authority.cbs_code
        if authority and authority.kind.value == "municipality"
        else None,
        "subregion": authority.name if authority and authority.kind.value == "subregion" else None,
        "weeks_to_intake": entry.weeks_to_intake,
        "weeks_to_treatment": entry.weeks_to_treatment,
        "accepts_new_clients": entry.accepts_new_clients,
        "note": entry.note,
        "confirmed_unchanged": entry.confirmed_unchanged,
        "reported_at": reported_at.isoformat(),
        "outdated": waiting_rules.is_outdated(reported_at, moment),
    }


def _register(agreement: FrameworkAgreement, status: int = 200) -> Response:
    moment = now()
    return _created(
        {"entries": [_entry(e, moment) for e in waiting_times.current_entries(agreement)]}, status
    )


@bp.get("/agreements/<int:agreement_id>/waiting-times")
@api_token_required(ApiScope.WAITING_TIMES)
def waiting_times_register(agreement_id: int) -> Response:
    """The entries that count now."""
    return _register(_own_agreement(agreement_id))


# Where a register problem points (services.waiting_times names the EntryInput field).
ENTRY_PROBLEM_FIELDS = {
    "lot_id": "lot",
    "product_id": "product",
    "weeks_to_intake": "weeks_to_intake",
    "weeks_to_treatment": "weeks_to_treatment",
    "note": "note",
}


@bp.post("/agreements/<int:agreement_id>/waiting-times")
@api_token_required(ApiScope.WAITING_TIMES)
@idempotent
def update_waiting_times(agreement_id: int) -> Response:
    """Entries to store, all or nothing, as the provider's form stores them; each becomes the
    current one of its lot, product and municipality or subregion."""
    agreement = _own_agreement(agreement_id)
    errors: list[FieldError] = []
    body = Fields(json_body(), "", errors, {"entries"})
    today = local_date(now())
    lots = {lot.code.upper(): lot for lot in waiting_times.current_lots(agreement)}
    authorities = waiting_times.served_authorities(agreement)
    municipalities = {
        key.upper(): a
        for a in authorities
        if a.kind.value == "municipality"
        for key in (a.cbs_code, a.name)
        if key
    }
    subregions = {a.name.upper(): a for a in authorities if a.kind.value == "subregion"}
    entries: list[waiting_times.EntryInput] = []
    pointers: list[tuple[str, str]] = []
    for pointer, item in body.items("entries"):
        fields = Fields(item, pointer, errors, ENTRY_FIELDS)
        lot_code = fields.text("lot")
        product_code = fields.text("product", required=False)
        municipality = fields.text("municipality", required=False)
        subregion = fields.text("subregion", required=False)
        intake = fields.integer("weeks_to_intake")
        treatment = fields.integer("weeks_to_treatment")
        accepts = fields.boolean("accepts_new_clients")
        note = fields.text("note", required=False) or ""
        lot = lots.get((lot_code or "").strip().upper())
        if lot_code is not None and lot is None:
            fields.fail("lot", "lot_not_in_agreement", lot=lot_code)
        product_id = None
        if lot is not None and product_code is not None:
            products = {p.code.upper(): p for p in waiting_times.offered_products(lot, today)}
            product = products.get(product_code.strip().upper())
            if product is None:
                fields.fail("product", "api_unknown_product", product=product_code, lot=lot.code)
            else:
                product_id = product.id
        authority_id = None
        if municipality is not None and subregion is not None:
            fields.fail("subregion", "api_municipality_and_subregion")
        elif municipality is not None:
            found = municipalities.get(municipality.strip().upper())
            if found is None:
                fields.fail("municipality", "authority_not_in_das", authority=municipality)
            else:
                authority_id = found.id
        elif subregion is not None:
            found = subregions.get(subregion.strip().upper())
            if found is None:
                fields.fail("subregion", "api_unknown_subregion", subregion=subregion)
            else:
                authority_id = found.id
        if lot is not None and intake is not None and treatment is not None and accepts is not None:
            entries.append(
                waiting_times.EntryInput(
                    lot.id, product_id, authority_id, intake, treatment, accepts, note
                )
            )
            pointers.append((pointer, "subregion" if subregion is not None else "municipality"))
    if body.is_object and "entries" in body.data and not body.data["entries"] and not errors:
        errors.append(FieldError("/entries", Problem("api_field_required")))
    refuse_if(errors)
    token = api_token()
    with through_api_token(token.id):
        try:
            waiting_times.update(token.created_by, agreement, entries, now(), token.id)
        except ServiceError as error:
            problems = error.params.get("problems")
            if error.code != "waiting_times_refused" or not isinstance(problems, list):
                raise
            raise Invalid([_entry_error(p, pointers) for p in problems]) from error
    return _register(agreement, 201)


def _entry_error(problem: Problem, pointers: list[tuple[str, str]]) -> FieldError:
    number = problem.params.get("entry")
    if not isinstance(number, int) or not 0 <= number < len(pointers):
        return FieldError("/entries", problem)
    pointer, authority_field = pointers[number]
    name = str(problem.params.get("field", ""))
    field = authority_field if name == "authority_id" else ENTRY_PROBLEM_FIELDS.get(name)
    return FieldError(_at(pointer, field), problem)


@bp.post("/agreements/<int:agreement_id>/waiting-times/confirm")
@api_token_required(ApiScope.WAITING_TIMES)
@idempotent
def confirm_waiting_times(agreement_id: int) -> Response:
    """Every current entry still holds (the monthly reminder's question): confirmed as today's."""
    agreement = _own_agreement(agreement_id)
    errors: list[FieldError] = []
    Fields(json_body(optional=True), "", errors, set())
    refuse_if(errors)
    token = api_token()
    with through_api_token(token.id):
        confirmed = waiting_times.confirm(token.created_by, agreement, now(), token.id)
    return _created({"confirmed": confirmed}, 200)
