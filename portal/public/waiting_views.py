"""The public waiting-time register (issue 23): referrers find an admitted provider that can take
a young person now, by municipality and product, shortest wait first; the same rows as CSV and
JSON for open-data users."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.auth.access import public
from portal.infra import spreadsheets
from portal.infra.timeutil import local_date, now
from portal.pages.params import id_arg
from portal.pages.views_common import download
from portal.public import bp
from portal.services import paging
from portal.services import waiting_register as register

# The JSON download's format; documented on the page (templates/public/waiting_register.html).
JSON_VERSION = "1.0"


def _filters() -> tuple[register.Filters, dict[str, Any]]:
    """The search from the query string, and the same as URL values for the pager and the
    downloads (only the filters that were understood)."""
    municipality_id = id_arg("gemeente")
    product = register.ProductKey.parse(request.args.get("product"))
    accepting_only = request.args.get("aanname") == "1"
    query: dict[str, Any] = {}
    if municipality_id:
        query["gemeente"] = municipality_id
    if product:
        query["product"] = product.param
    if accepting_only:
        query["aanname"] = "1"
    return register.Filters(municipality_id, product, accepting_only), query


def _json_fields() -> list[tuple[tuple[str, ...], str]]:
    """The fields of each entry of the JSON download (`_json_row`), as the page documents them."""
    return [
        (("provider",), _("de aanbieder: name, email, phone, city")),
        (("das",), _("het aankoopsysteem (de regio): name, slug")),
        (("lot",), _("het perceel: code, name")),
        (
            ("product",),
            _("het product (code, name), of null als de opgave voor het hele perceel geldt"),
        ),
        (
            ("area",),
            _(
                "de gemeente of subregio (name, kind: municipality of subregion), of null voor "
                "alle gemeenten van de regio"
            ),
        ),
        (
            ("weeks_to_intake", "weeks_to_treatment"),
            _("de wachttijd in weken tot de intake en tot de start van de behandeling"),
        ),
        (("accepts_new_clients",), _("true als de aanbieder nieuwe cliënten aanneemt")),
        (("note",), _("de toelichting van de aanbieder")),
        (
            ("last_updated", "outdated"),
            _(
                "wanneer de opgave het laatst is bijgewerkt of bevestigd (ISO 8601), en of dat "
                "langer dan 30 dagen geleden is"
            ),
        ),
    ]


@bp.route("/wachttijden")
@public
def waiting_register() -> str:
    filters, query = _filters()
    municipalities = register.municipalities()
    products = register.products()
    rows = register.search(
        filters,
        now(),
        paging.page_number(request.args.get("pagina")),
        current_app.config["PER_PAGE"],
    )
    return render_template(
        "public/waiting_register.html",
        filters=filters,
        query=query,
        municipalities=municipalities,
        products=products,
        municipality=next((m for m in municipalities if m.id == filters.municipality_id), None),
        product=next((p for p in products if p.key == filters.product), None),
        rows=rows,
        json_fields=_json_fields(),
    )


CSV_HEADER = [
    "aanbieder",
    "e_mail",
    "telefoon",
    "plaats",
    "aankoopsysteem",
    "perceel",
    "perceelnaam",
    "productcode",
    "productnaam",
    "gemeente_of_subregio",
    "weken_tot_intake",
    "weken_tot_behandeling",
    "neemt_nieuwe_clienten_aan",
    "toelichting",
    "laatst_bijgewerkt",
    "verouderd",
]


def _json_row(row: register.RegisterRow) -> dict[str, Any]:
    return {
        "provider": {
            "name": row.provider,
            "email": row.email,
            "phone": row.phone,
            "city": row.city,
        },
        "das": {"name": row.das_name, "slug": row.das_slug},
        "lot": {"code": row.lot_code, "name": row.lot_name},
        "product": {"code": row.product_code, "name": row.product_name}
        if row.product_code
        else None,
        "area": {"name": row.authority_name, "kind": row.authority_kind.value}
        if row.authority_name and row.authority_kind
        else None,
        "weeks_to_intake": row.weeks_to_intake,
        "weeks_to_treatment": row.weeks_to_treatment,
        "accepts_new_clients": row.accepts_new_clients,
        "note": row.note,
        "last_updated": row.reported_at.isoformat(),
        "outdated": row.outdated,
    }


@bp.route("/wachttijden.<any(csv, json):kind>")
@public
def waiting_register_export(kind: str) -> Response:
    filters, query = _filters()
    moment = now()
    rows = register.export(filters, moment)
    filename = f"wachttijden-{local_date(moment).isoformat()}.{kind}"
    if kind == "csv":
        table: list[list[object]] = [list(CSV_HEADER)]
        table.extend(
            [
                r.provider,
                r.email,
                r.phone,
                r.city,
                r.das_name,
                r.lot_code,
                r.lot_name,
                r.product_code or "",
                r.product_name or "",
                r.authority_name or "",
                r.weeks_to_intake,
                r.weeks_to_treatment,
                "ja" if r.accepts_new_clients else "nee",
                r.note,
                local_date(r.reported_at).isoformat(),
                "ja" if r.outdated else "nee",
            ]
            for r in rows
        )
        response = download(spreadsheets.csv_bytes(table), spreadsheets.CSV_MIMETYPE, filename)
    else:
        document = {
            "version": JSON_VERSION,
            "generated_at": moment.isoformat(),
            "filters": query,
            "entries": [_json_row(r) for r in rows],
        }
        response = download(
            json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(),
            "application/json",
            filename,
        )
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data
    return response
