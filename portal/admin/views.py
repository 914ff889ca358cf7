"""The administrator's overview of the DAS instances on the portal."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.auth.access import protect_blueprint
from portal.extensions import db
from portal.models import Application, ApplicationState, Das, FrameworkAgreement, Role

bp = Blueprint("admin", __name__, url_prefix="/beheer")
protect_blueprint(bp, [Role.ADMINISTRATOR])


@bp.route("/")
def home() -> str:
    das_list = db.session.scalars(db.select(Das).order_by(Das.name)).all()
    app_counts = dict(
        db.session.execute(
            db.select(Application.das_id, db.func.count())
            .where(Application.state != ApplicationState.DRAFT)
            .group_by(Application.das_id)
        )
        .tuples()
        .all()
    )
    agreement_counts = dict(
        db.session.execute(
            db.select(FrameworkAgreement.das_id, db.func.count()).group_by(
                FrameworkAgreement.das_id
            )
        )
        .tuples()
        .all()
    )
    return render_template(
        "admin/home.html",
        das_list=das_list,
        app_counts=app_counts,
        agreement_counts=agreement_counts,
    )
