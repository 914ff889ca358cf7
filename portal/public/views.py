"""What anyone can see: the DAS announcements and the admitted providers."""

from __future__ import annotations

import json
from datetime import date, datetime

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from portal.auth.access import public
from portal.config import open_data_configured
from portal.extensions import db
from portal.infra import spreadsheets
from portal.infra.links import external_url
from portal.infra.timeutil import as_utc, local_date, now
from portal.models import Das, DasState, Lot, TariffSheet
from portal.pages import glossary as glossary_terms
from portal.pages.params import id_arg
from portal.pages.views_common import download
from portal.public import bp
from portal.services import (
    announcement,
    das_terms,
    espd_export,
    ocds,
    paging,
    public_register,
    questions,
    tariffs,
)

# The home page lists the systems one can still read about and join; an ended one stays at its
# address (announcement.PUBLISHED_STATES).
LISTED_STATES = (DasState.OPEN, DasState.CLOSED)


def published_das_list() -> list[Das]:
    return list(
        db.session.scalars(
            db.select(Das)
            .where(Das.state.in_(LISTED_STATES))
            .options(selectinload(Das.authorities), selectinload(Das.lots))
            .order_by(Das.term_start, Das.name)
        )
    )


@bp.route("/")
@public
def home() -> str:
    das_list = published_das_list()
    return render_template(
        "public/home.html", featured=das_list[0] if das_list else None, das_list=das_list
    )


@bp.route("/healthz")
@public
def healthz() -> tuple[str, int, dict[str, str]]:
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.route("/toegankelijkheid")
@public
def accessibility() -> str:
    return render_template(
        "public/accessibility.html",
        statement_date=date.fromisoformat(current_app.config["ACCESSIBILITY_STATEMENT_DATE"]),
    )


@bp.route("/privacy")
@public
def privacy() -> str:
    return render_template("public/privacy.html")


@bp.route("/begrippen")
@public
def glossary() -> str:
    """The words of procurement and youth care in plain Dutch (portal/pages/glossary.py)."""
    return render_template("public/glossary.html", terms=glossary_terms.TERMS)


@bp.route("/das/<slug>")
@public
def das_detail(slug: str) -> str:
    """The announcement: everything a provider reads before applying (issue 19)."""
    das = announcement.published_das(slug)
    if das is None:
        abort(404)
    today = local_date(now())
    # The providers themselves are on their own, paged pages (a region has hundreds): here only counts.
    return render_template(
        "public/das.html",
        das=das,
        today=today,
        admitted_per_lot=public_register.admitted_per_lot(das.id),
        provider_count=public_register.admitted_providers(das.id),
        subregions=announcement.authorities_by_subregion(das),
        tariffs=announcement.tariffs_shown(das.id, today),
        terms=das_terms.terms_of(das, today),
        changes=announcement.changes_of(das.id),
        round_state=announcement.round_state(das, today),
        max_ages=announcement.max_evidence_ages(das),
        question_count=questions.published_count(das.id),
        open_data=open_data_configured(current_app.config),
    )


@bp.route("/das/<slug>/modelovereenkomst.pdf")
@public
def model_agreement(slug: str) -> Response:
    """The model agreement as a PDF preview, for a sample provider ("[naam aanbieder]")."""
    das = _published_das(slug)
    content = announcement.model_agreement_pdf(das, local_date(now()))
    return download(content, "application/pdf", f"modelovereenkomst-{das.reference}.pdf")


@bp.route("/das/<slug>/espd-verzoek.xml")
@public
def das_espd_request(slug: str) -> Response:
    """The DAS's ESPD request (UEA): its exclusion grounds and selection criteria, as a UBL 2.4
    QualificationApplicationRequest a provider can open in its own ESPD software (issue 22)."""
    das = announcement.published_das(slug)
    if das is None:
        abort(404)
    return download(
        espd_export.request_for(das),
        "application/xml; charset=utf-8",
        espd_export.request_filename(das),
    )


def _published_das(slug: str) -> Das:
    das = db.session.scalar(
        db.select(Das)
        .where(Das.slug == slug, Das.state.in_(announcement.PUBLISHED_STATES))
        .options(selectinload(Das.lots).selectinload(Lot.products))
    )
    if das is None:
        abort(404)
    return das


def _admissions(slug: str, order: str, template: str) -> str:
    das = _published_das(slug)
    lot_id = id_arg("perceel")
    lot = next((lot for lot in das.lots if lot.id == lot_id), None)  # another DAS's lot: all
    rows = public_register.admissions_page(
        das.id,
        lot.id if lot else None,
        order,
        paging.page_number(request.args.get("pagina")),
        current_app.config["PER_PAGE"],
    )
    return render_template(
        template, das=das, lot=lot, rows=rows, query={"perceel": lot.id} if lot else {}
    )


@bp.route("/das/<slug>/aanbieders")
@public
def providers(slug: str) -> str:
    """The admitted providers, alphabetical, optionally of one lot."""
    return _admissions(slug, public_register.BY_NAME, "public/providers.html")


@bp.route("/das/<slug>/gunningen")
@public
def award_notices(slug: str) -> str:
    """The admissions as award notices, newest first, grouped per quarter on the page."""
    return _admissions(slug, public_register.BY_DATE, "public/award_notices.html")


@bp.route("/das/<slug>/producten")
@public
def products(slug: str) -> str:
    """Product descriptions and the tariffs in force, the same for every provider."""
    das = _published_das(slug)
    today = local_date(now())
    sheet = tariffs.sheet_for_today(das.id, today.year)
    amounts = {t.product_id: t.amount_cents for t in sheet.tariffs} if sheet else {}
    return render_template(
        "public/products.html", das=das, sheet=sheet, amounts=amounts, today=today
    )


@bp.route("/das/<slug>/tarieven")
@public
def tariff_sheets(slug: str) -> str:
    das = _published_das(slug)
    sheets = tariffs.sheets_page(
        das.id, paging.page_number(request.args.get("pagina")), current_app.config["PER_PAGE"]
    )
    return render_template("public/tariff_sheets.html", das=das, sheets=sheets)


def _sheet(das: Das, sheet_id: int) -> TariffSheet:
    sheet = db.session.get(TariffSheet, sheet_id)
    if sheet is None or sheet.das_id != das.id:
        abort(404)
    return sheet


@bp.route("/das/<slug>/tarieven/<int:sheet_id>")
@public
def tariff_sheet(slug: str, sheet_id: int) -> str:
    das = _published_das(slug)
    sheet = _sheet(das, sheet_id)
    rows = sorted(sheet.tariffs, key=lambda t: (t.product.lot.position, t.product.code))
    superseded_by = db.session.scalar(
        db.select(TariffSheet).where(TariffSheet.corrects_id == sheet.id)
    )
    return render_template(
        "public/tariff_sheet.html", das=das, sheet=sheet, rows=rows, superseded_by=superseded_by
    )


def _open_data_not_configured() -> Response:
    """No release under the placeholder ocid prefix outside development (a production server
    refuses to start without a registered one: portal.config.ocds_prefix_problems)."""
    return Response(
        json.dumps(
            {"error": _("Open data (OCDS) is voor dit portaal nog niet ingericht.")},
            ensure_ascii=False,
        ),
        status=503,
        mimetype="application/json",
    )


@bp.route("/das/<slug>/ocds.json")
@public
def ocds_release_package(slug: str) -> Response:
    """The DAS as an OCDS release package, at a stable URL."""
    das = _published_das(slug)
    if not open_data_configured(current_app.config):
        return _open_data_not_configured()
    package = ocds.release_package(
        das, external_url("public.ocds_release_package", slug=slug), now()
    )
    response = Response(
        # Compact: hundreds of awards at national scale, and the C encoder is only used
        # without indentation (several times faster). Tools pretty-print it for reading.
        json.dumps(package, ensure_ascii=False, separators=(",", ":")),
        mimetype="application/json",
    )
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data
    return response


def _since(raw: str | None) -> datetime | None:
    """The `since` of the releases endpoint: an ISO 8601 date-time (UTC when it names no offset)."""
    if not raw:
        return None
    try:
        return as_utc(datetime.fromisoformat(raw.strip()))
    except ValueError:
        abort(400)


@bp.route("/das/<slug>/ocds/releases.json")
@public
def ocds_releases(slug: str) -> Response:
    """The DAS's events as OCDS releases, oldest first, a page at a time (issue 23)."""
    das = _published_das(slug)
    if not open_data_configured(current_app.config):
        return _open_data_not_configured()
    since_raw = request.args.get("since")
    since = _since(since_raw)
    page = paging.page_number(request.args.get("pagina"))
    found, more = ocds.releases_page(das, since, page, now())
    query = {"since": since_raw} if since_raw else {}
    package = ocds.package(
        found, external_url("public.ocds_releases", slug=slug, pagina=page, **query), now()
    )
    if more:
        package["links"] = {
            "next": external_url("public.ocds_releases", slug=slug, pagina=page + 1, **query)
        }
    response = Response(
        json.dumps(package, ensure_ascii=False, separators=(",", ":")),
        mimetype="application/json",
    )
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data
    return response


@bp.route("/das/<slug>/ocds/record.json")
@public
def ocds_record(slug: str) -> Response:
    """The DAS as an OCDS record package: its releases and the compiled release (issue 23)."""
    das = _published_das(slug)
    if not open_data_configured(current_app.config):
        return _open_data_not_configured()
    package = ocds.record_package(das, external_url("public.ocds_record", slug=slug), now())
    response = Response(
        json.dumps(package, ensure_ascii=False, separators=(",", ":")),
        mimetype="application/json",
    )
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data
    return response


DOWNLOADS = {
    "csv": spreadsheets.CSV_MIMETYPE,
    "xlsx": spreadsheets.XLSX_MIMETYPE,
    "pdf": "application/pdf",
}


@bp.route("/das/<slug>/tarieven/<int:sheet_id>.<any(csv, xlsx, pdf):kind>")
@public
def tariff_sheet_file(slug: str, sheet_id: int, kind: str) -> Response:
    das = _published_das(slug)
    sheet = _sheet(das, sheet_id)
    if kind not in DOWNLOADS:
        abort(404)
    content = tariffs.read_file(sheet, kind)
    return download(
        content, DOWNLOADS[kind], f"tarieven-{das.reference}-{sheet.year}-{sheet.id}.{kind}"
    )
