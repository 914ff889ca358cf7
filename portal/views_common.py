"""Small pieces several blueprints' views share: filter choices for staff, file downloads."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response
from wtforms import SelectChoice, SelectField

from portal.extensions import db
from portal.models import Das, Lot, User


def staff_das_and_lot_choices(user: User, das_field: SelectField, lot_field: SelectField) -> None:
    """Fill a filter form's DAS and lot choices with what this staff member may see."""
    from portal.services.review import visible_das_ids

    das_ids = visible_das_ids(user)
    das_query = db.select(Das).order_by(Das.name)
    if das_ids is not None:
        das_query = das_query.where(Das.id.in_(das_ids))
    das_list = db.session.scalars(das_query).all()
    lots = db.session.scalars(
        db.select(Lot)
        .where(Lot.das_id.in_([d.id for d in das_list]))
        .options(joinedload(Lot.das))
        .order_by(Lot.das_id, Lot.position)
    ).all()
    das_field.choices = [SelectChoice(0, _("Alle"))] + [
        SelectChoice(d.id, d.name) for d in das_list
    ]
    lot_field.choices = [SelectChoice(0, _("Alle"))] + [
        SelectChoice(lot.id, f"{lot.das.reference} {lot.code}. {lot.name}") for lot in lots
    ]


def download(content: bytes, mimetype: str, filename: str) -> Response:
    """A file served as an attachment (never rendered inline; nosniff is set for every page)."""
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
