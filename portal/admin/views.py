"""The administrator's overview of the DAS instances on the portal."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, StringField
from wtforms.validators import InputRequired, Length

from portal.admin import bp
from portal.extensions import db
from portal.infra.timeutil import local_date, now
from portal.models import Application, ApplicationState, Das, FrameworkAgreement
from portal.pages.forms import PortalForm
from portal.pages.messages import message_for
from portal.pages.params import year_arg
from portal.services import ServiceError, calendar


@bp.route("/")
def home() -> str:
    das_list = db.session.scalars(db.select(Das).order_by(Das.name)).all()
    application_counts = dict(
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
        application_counts=application_counts,
        agreement_counts=agreement_counts,
    )


class EquatedDayForm(PortalForm):
    day = DateField(_l("Datum"), validators=[InputRequired(_l("Kies de datum."))])
    name = StringField(
        _l("Omschrijving"),
        validators=[
            InputRequired(_l("Geef de dag een naam.")),
            # The column holds 100 characters; PostgreSQL refuses more (SQLite does not).
            Length(max=100, message=_l("Dit veld mag hoogstens %(max)d tekens zijn.")),
        ],
    )


@bp.route("/feestdagen", methods=["GET", "POST"])
def holidays() -> str | Response:
    """The working-day calendar: statutory holidays and days equated by royal decree."""
    year = year_arg("jaar", local_date(now()).year)
    form = EquatedDayForm()
    if form.validate_on_submit():
        try:
            calendar.add_equated_day(current_user, form.day.data, form.name.data or "")
        except ServiceError as error:
            form.day.errors = list(form.day.errors) + [message_for(error)]
        else:
            flash(_l("De dag is toegevoegd; termijnen houden er voortaan rekening mee."), "success")
            return redirect(url_for("admin.holidays", jaar=form.day.data.year))
    return render_template(
        "admin/holidays.html",
        year=year,
        form=form,
        holidays=calendar.holidays_of_year(year),
        action_form=FlaskForm(),
    )


@bp.route("/feestdagen/<day>/verwijderen", methods=["POST"])
def remove_holiday(day: str) -> Response:
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        abort(404)
    try:
        calendar.remove_equated_day(current_user, parsed)
    except ServiceError as error:
        if error.code == "not_found":
            abort(404)
        flash(message_for(error), "error")
    else:
        flash(_l("De dag is verwijderd."), "success")
    return redirect(url_for("admin.holidays", jaar=parsed.year))
