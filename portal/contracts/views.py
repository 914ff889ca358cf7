"""Contract management: the register of framework agreements."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from sqlalchemy.orm import joinedload, selectinload

from portal.auth.access import protect_blueprint
from portal.extensions import db
from portal.models import FrameworkAgreement, Role

bp = Blueprint("contracts", __name__, url_prefix="/contracten")
protect_blueprint(bp, [Role.CONTRACT_MANAGER, Role.ADMINISTRATOR])


@bp.route("/")
def register() -> str:
    page = max(request.args.get("pagina", 1, type=int) or 1, 1)
    per_page = current_app.config["PER_PAGE"]
    query = db.select(FrameworkAgreement)
    total = db.session.scalar(query.with_only_columns(db.func.count())) or 0
    agreements = db.session.scalars(
        query.options(
            joinedload(FrameworkAgreement.organisation),
            joinedload(FrameworkAgreement.das),
            selectinload(FrameworkAgreement.lots),
        )
        .order_by(FrameworkAgreement.start_date.desc(), FrameworkAgreement.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    pages = max((total + per_page - 1) // per_page, 1)
    return render_template(
        "contracts/register.html", agreements=agreements, total=total, page=page, pages=pages
    )
