"""The provider keeps its waiting-time register (issue 23): one row per lot for the whole region,
filled in from what counts now, and rows per municipality, subregion or product where the wait
differs. "Ongewijzigd bevestigen" confirms every entry in one step (the monthly reminder)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.domain import waiting_times as rules
from portal.domain.text import has_control_characters
from portal.infra.timeutil import as_utc, local_date, now
from portal.models import (
    AgreementState,
    ContractingAuthority,
    FrameworkAgreement,
    Lot,
    Product,
    WaitingTime,
)
from portal.pages import parked
from portal.pages.messages import message_for
from portal.services import Problem, ServiceError, ownership, waiting_times
from portal.supplier import bp
from portal.supplier.waiting_forms import ConfirmWaitingTimesForm, WaitingTimesForm

# Empty rows offered for a new municipality, subregion or product (more after saving).
NEW_ROWS = 2
# The form's names for the entry's fields, as the service's problems name them.
FIELD_NAMES = {
    "weeks_to_intake": "intake",
    "weeks_to_treatment": "treatment",
    "accepts_new_clients": "accepts",
    "note": "note",
    "lot_id": "scope",
    "product_id": "scope",
    "authority_id": "authority",
}


@dataclass(frozen=True)
class Row:
    """One row of the form: a lot for the whole region (`lot…`), an entry per municipality,
    subregion or product that counts now (`entry…`), or an empty one to add (`new…`)."""

    prefix: str
    lot: Lot | None
    product: Product | None
    authority: ContractingAuthority | None
    current: WaitingTime | None

    @property
    def is_new(self) -> bool:
        return self.lot is None

    @property
    def is_detail(self) -> bool:
        return self.current is not None and self.prefix.startswith("entry")


def _rows(agreement: FrameworkAgreement, entries: list[WaitingTime]) -> list[Row]:
    whole = {e.lot_id: e for e in entries if e.product_id is None and e.authority_id is None}
    lots = waiting_times.current_lots(agreement)
    rows = [Row(f"lot{lot.id}", lot, None, None, whole.get(lot.id)) for lot in lots]
    rows += [
        Row(f"entry{e.id}", e.lot, e.product, e.authority, e)
        for e in entries
        if e.product_id is not None or e.authority_id is not None
    ]
    rows += [Row(f"new{n}", None, None, None, None) for n in range(1, NEW_ROWS + 1)]
    return rows


def _scope_choices(agreement: FrameworkAgreement, today: date) -> list[tuple[str, str]]:
    """A new row is for a whole lot or one of its products."""
    choices: list[tuple[str, str]] = []
    for lot in waiting_times.current_lots(agreement):
        choices.append(
            (f"lot:{lot.id}", _("Perceel %(code)s %(name)s", code=lot.code, name=lot.name))
        )
        choices += [
            (f"product:{p.id}", f"– {p.code} {p.name}")
            for p in waiting_times.offered_products(lot, today)
        ]
    return choices


def _typed_from(rows: list[Row]) -> dict[str, str]:
    """What the form shows at first: the entries that count now."""
    typed: dict[str, str] = {}
    for row in rows:
        entry = row.current
        if entry is None:
            continue
        typed[f"{row.prefix}-intake"] = str(entry.weeks_to_intake)
        typed[f"{row.prefix}-treatment"] = str(entry.weeks_to_treatment)
        typed[f"{row.prefix}-accepts"] = "ja" if entry.accepts_new_clients else "nee"
        typed[f"{row.prefix}-note"] = entry.note
    return typed


# The fields of each row (the row's prefix, a dash, then one of these).
ROW_FIELDS = ("intake", "treatment", "accepts", "note", "scope", "authority", "remove")


def _kept_typing(rows: list[Row]) -> dict[str, str] | None:
    """What the provider typed in a form that was kept when their session or its form token ran
    out (portal/pages/parked.py), to show again as typed; None when nothing was kept."""
    names = [f"{row.prefix}-{name}" for row in rows for name in ROW_FIELDS]
    kept = parked.formdata_for(names)
    if kept is None:
        return None
    return {name: kept.get(name, "").strip() for name in names if name in kept}


def _page(agreement: FrameworkAgreement, **overrides: object) -> str:
    moment = now()
    today = local_date(moment)
    entries = waiting_times.current_entries(agreement)
    rows = _rows(agreement, entries)
    kept = _kept_typing(rows) if "typed" not in overrides else None
    context: dict[str, object] = {
        "agreement": agreement,
        "live": agreement.state is AgreementState.LIVE,
        "rows": rows,
        "entries": entries,
        "scope_choices": _scope_choices(agreement, today),
        "authorities": waiting_times.served_authorities(agreement),
        "typed": _typed_from(rows) if kept is None else kept,
        "errors": {},
        "error_message": None,
        "outdated": {
            e.id: rules.outdated_since(as_utc(e.reported_at))
            for e in entries
            if rules.is_outdated(as_utc(e.reported_at), moment)
        },
        "last_reported": waiting_times.last_reported(entries),
        "max_weeks": rules.MAX_WEEKS,
        "form": WaitingTimesForm(formdata=None),
        "confirm_form": ConfirmWaitingTimesForm(formdata=None),
    }
    context.update(overrides)
    return render_template("supplier/waiting_times.html", **context)


def _weeks(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else None


def _read(
    agreement: FrameworkAgreement, rows: list[Row]
) -> tuple[dict[str, str], dict[str, str], list[tuple[str, waiting_times.EntryInput]], list[int]]:
    """The typed rows: what was typed (to show again), the errors by field, the entries to
    store with their row's prefix, and the ids of entries to withdraw."""
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    entries: list[tuple[str, waiting_times.EntryInput]] = []
    withdraw: list[int] = []
    for row in rows:
        p = row.prefix
        for name in ("intake", "treatment", "accepts", "note", "scope", "authority"):
            typed[f"{p}-{name}"] = request.form.get(f"{p}-{name}", "").strip()
        if row.is_detail and request.form.get(f"{p}-remove"):
            typed[f"{p}-remove"] = "y"
            assert row.current is not None
            withdraw.append(row.current.id)
            continue
        intake, treatment = typed[f"{p}-intake"], typed[f"{p}-treatment"]
        note, accepts = typed[f"{p}-note"], typed[f"{p}-accepts"] or "ja"
        if row.is_new:
            blank = not (typed[f"{p}-scope"] or intake or treatment or note)
        else:
            # A lot never reported may stay empty; an entry that counts is changed, not cleared.
            blank = row.current is None and not (intake or treatment or note)
        if blank:
            continue
        before = len(errors)
        lot_id = product_id = authority_id = None
        if row.is_new:
            kind, _sep, number = typed[f"{p}-scope"].partition(":")
            if kind not in ("lot", "product") or not number.isdigit():
                errors[f"{p}-scope"] = _("Kies een perceel of product.")
            elif kind == "lot":
                lot_id = int(number)
            else:
                product = next(
                    (
                        prod
                        for lot in waiting_times.current_lots(agreement)
                        for prod in lot.products
                        if prod.id == int(number)
                    ),
                    None,
                )
                if product is None:
                    errors[f"{p}-scope"] = _("Kies een perceel of product.")
                else:
                    lot_id, product_id = product.lot_id, product.id
            chosen = typed[f"{p}-authority"]
            if chosen and not chosen.isdigit():
                errors[f"{p}-authority"] = _("Kies een gemeente of subregio.")
            elif chosen:
                authority_id = int(chosen)
        else:
            assert row.lot is not None
            lot_id = row.lot.id
            product_id = row.product.id if row.product else None
            authority_id = row.authority.id if row.authority else None
        weeks = {}
        for name, raw in (("intake", intake), ("treatment", treatment)):
            weeks[name] = _weeks(raw)
            if weeks[name] is None:
                errors[f"{p}-{name}"] = _(
                    "Vul een heel aantal weken in, bijvoorbeeld 6 (0 als er geen wachttijd is)."
                )
        if accepts not in ("ja", "nee"):
            errors[f"{p}-accepts"] = _("Kies ja of nee.")
        if has_control_characters(note.replace("\r", "").replace("\n", "")):
            errors[f"{p}-note"] = _("De toelichting bevat tekens die wij niet kunnen opslaan.")
        if len(errors) > before or lot_id is None:
            continue
        intake_weeks, treatment_weeks = weeks["intake"], weeks["treatment"]
        assert intake_weeks is not None and treatment_weeks is not None
        entries.append(
            (
                p,
                waiting_times.EntryInput(
                    lot_id,
                    product_id,
                    authority_id,
                    intake_weeks,
                    treatment_weeks,
                    accepts == "ja",
                    note,
                ),
            )
        )
    return typed, errors, entries, withdraw


def _place(
    problems: list[Problem], entries: list[tuple[str, waiting_times.EntryInput]]
) -> dict[str, str]:
    """The service's problems at the fields of the rows they are about."""
    errors: dict[str, str] = {}
    for problem in problems:
        index = problem.params.get("entry")
        if not isinstance(index, int) or not 0 <= index < len(entries):
            continue
        prefix = entries[index][0]
        field = FIELD_NAMES.get(str(problem.params.get("field")), "intake")
        if field in ("scope", "authority") and not prefix.startswith("new"):
            field = "intake"  # a fixed row's lot or area is not typed: say it at its first field
        errors.setdefault(f"{prefix}-{field}", message_for(problem))
    return errors


@bp.route(
    "/overeenkomsten/<int:agreement_id>/wachttijden",
    methods=["GET", "POST"],
    endpoint="waiting_times",
)
def waiting_times_page(agreement_id: int) -> str | Response:
    agreement = ownership.own_agreement(agreement_id, current_user)
    if request.method == "GET":
        return _page(agreement)
    if not WaitingTimesForm().validate_on_submit():
        abort(400)
    rows = _rows(agreement, waiting_times.current_entries(agreement))
    typed, errors, entries, withdraw = _read(agreement, rows)
    refused: dict[str, object] = {"typed": typed}
    # Every mistake at once: the service's checks on what could be read, beside what could not.
    problems = waiting_times.entry_problems(agreement, [e for _p, e in entries], local_date(now()))
    errors = {**_place(problems, entries), **errors}
    if errors:
        return _page(agreement, **refused, errors=errors)
    try:
        waiting_times.update(
            current_user, agreement, [e for _p, e in entries], now(), withdraw=withdraw
        )
    except ServiceError as error:
        if error.code == "waiting_times_refused":
            found = error.params.get("problems")
            placed = _place(list(found) if isinstance(found, list) else [], entries)
            return _page(agreement, **refused, errors=placed, error_message=message_for(error))
        return _page(agreement, **refused, error_message=message_for(error))
    flash(_("Uw wachttijden zijn opgeslagen."), "success")
    return redirect(url_for("supplier.waiting_times", agreement_id=agreement.id))


@bp.route("/overeenkomsten/<int:agreement_id>/wachttijden/bevestigen", methods=["POST"])
def waiting_times_confirm(agreement_id: int) -> str | Response:
    agreement = ownership.own_agreement(agreement_id, current_user)
    if not ConfirmWaitingTimesForm().validate_on_submit():
        abort(400)
    try:
        count = waiting_times.confirm(current_user, agreement, now())
    except ServiceError as error:
        return _page(agreement, error_message=message_for(error))
    flash(
        _("U heeft bevestigd dat uw wachttijden niet zijn veranderd (%(n)s).", n=count),
        "success",
    )
    return redirect(url_for("supplier.waiting_times", agreement_id=agreement.id))
