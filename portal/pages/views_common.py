"""Small pieces several blueprints' views share: filter choices for staff, file downloads."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response
from wtforms import Field, SelectChoice, SelectField

from portal.extensions import db
from portal.infra import spreadsheets
from portal.models import Das, Lot, User
from portal.pages.messages import message_for
from portal.services import ServiceError, ownership


def staff_das_and_lot_choices(
    user: User, das_field: SelectField, lot_field: SelectField
) -> Sequence[Das]:
    """Fill a filter form's DAS and lot choices with what this staff member may see; returns
    those DAS instances."""
    das_ids = ownership.visible_das_ids(user)
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
    return das_list


def download(content: bytes, mimetype: str, filename: str) -> Response:
    """A file served as an attachment (never rendered inline; nosniff is set for every page)."""
    # A type that names its charset is sent as it is: `mimetype=` would add a second one.
    response = (
        Response(content, content_type=mimetype)
        if "charset=" in mimetype
        else Response(content, mimetype=mimetype)
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_download(name: str, kind: str, rows: Sequence[Sequence[object]]) -> Response:
    """A table (header first) as a CSV or Excel attachment, written by portal.infra.spreadsheets so
    that no cell is a formula."""
    if kind == "csv":
        return download(spreadsheets.csv_bytes(rows), spreadsheets.CSV_MIMETYPE, f"{name}.csv")
    builder = spreadsheets.XlsxBuilder()
    for number, row in enumerate(rows):
        builder.row(row, bold=number == 0)
    return download(builder.getvalue(), spreadsheets.XLSX_MIMETYPE, f"{name}.xlsx")


def read_spreadsheet(field: Field) -> list[list[str]] | None:
    """The rows of the spreadsheet uploaded in a file field; or None, with the reason on the
    field, when it cannot be read or is beyond portal.infra.spreadsheets' limits (refused before it
    was parsed: the page answers 422)."""
    try:
        return spreadsheets.read_rows(field.data)
    except ServiceError as error:
        field.errors = [message_for(error)]
        return None
