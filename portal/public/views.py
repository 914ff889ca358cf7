"""What anyone can see: the DAS announcements and the admitted providers."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy.orm import selectinload

from portal.auth.access import public
from portal.extensions import db
from portal.models import AgreementState, Das, DasState, FrameworkAgreement, Lot

bp = Blueprint("public", __name__)

PUBLISHED_STATES = (DasState.OPEN, DasState.CLOSED)
# Agreements that make a provider "admitted" in the public register.
REGISTER_STATES = (AgreementState.LIVE, AgreementState.AWAITING_SIGNATURE)


def published_das_list() -> list[Das]:
    return list(
        db.session.scalars(
            db.select(Das)
            .where(Das.state.in_(PUBLISHED_STATES))
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


@bp.route("/das/<slug>")
@public
def das_detail(slug: str) -> str:
    das = db.session.scalar(
        db.select(Das)
        .where(Das.slug == slug, Das.state.in_(PUBLISHED_STATES))
        .options(
            selectinload(Das.authorities),
            selectinload(Das.lots).selectinload(Lot.products),
            selectinload(Das.criteria),
        )
    )
    if das is None:
        abort(404)
    agreements = db.session.scalars(
        db.select(FrameworkAgreement)
        .where(FrameworkAgreement.das_id == das.id, FrameworkAgreement.state.in_(REGISTER_STATES))
        .options(
            selectinload(FrameworkAgreement.organisation), selectinload(FrameworkAgreement.lots)
        )
    ).all()
    providers_by_lot: dict[int, list[str]] = {lot.id: [] for lot in das.lots}
    for agreement in agreements:
        for agreement_lot in agreement.lots:
            if not agreement_lot.is_current:
                continue
            providers_by_lot.setdefault(agreement_lot.lot_id, []).append(
                agreement.organisation.display_name
            )
    for names in providers_by_lot.values():
        names.sort(key=str.casefold)
    subregions: dict[str, list[str]] = {}
    for authority in das.authorities:
        group = authority.parent.name if authority.parent else ""
        subregions.setdefault(group, []).append(authority.name)
    return render_template(
        "public/das.html",
        das=das,
        providers_by_lot=providers_by_lot,
        provider_count=len(agreements),
        subregions=dict(sorted(subregions.items())),
    )
