"""The administrator's overview of the DAS instances on the portal."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, EmailField, StringField
from wtforms.validators import Email, InputRequired, Length, Optional

from portal.admin import bp
from portal.extensions import db
from portal.infra.timeutil import local_date, now
from portal.models import Application, ApplicationState, Das, FrameworkAgreement
from portal.pages.forms import PortalForm
from portal.pages.messages import message_for
from portal.pages.params import year_arg
from portal.services import ServiceError, calendar, contact_point, ownership


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


class ContactPointForm(PortalForm):
    name = StringField(
        _l("Naam of afdeling"),
        description=_l("Bijvoorbeeld: Inkoopteam Jeugd Midden-Limburg."),
        validators=[
            Optional(),
            Length(max=200, message=_l("Dit veld mag hoogstens %(max)d tekens zijn.")),
        ],
    )
    email = EmailField(
        _l("E-mailadres"),
        validators=[
            Optional(),
            Length(max=254, message=_l("Dit veld mag hoogstens %(max)d tekens zijn.")),
            Email(
                _l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
                check_deliverability=False,
            ),
        ],
    )
    phone = StringField(
        _l("Telefoonnummer"),
        validators=[
            Optional(),
            Length(max=30, message=_l("Dit veld mag hoogstens %(max)d tekens zijn.")),
        ],
    )


@bp.route("/das/<slug>/contactpunt", methods=["GET", "POST"])
def contact_point_form(slug: str) -> str | Response:
    """Where providers turn with questions about this DAS: shown on every provider page of it."""
    das = ownership.staff_das(slug, current_user)
    current = contact_point.contact_point_of(das)
    form = ContactPointForm(
        data={"name": current.name, "email": current.email, "phone": current.phone}
    )
    if form.validate_on_submit():
        changed = contact_point.set_contact_point(
            current_user,
            das,
            contact_point.ContactPoint(
                form.name.data or "", form.email.data or "", form.phone.data or ""
            ),
        )
        if changed:
            flash(_l("Het contactpunt is opgeslagen."), "success")
        else:
            flash(_l("Er was niets gewijzigd."), "info")
        return redirect(url_for("admin.home"))
    return render_template("admin/contact_point.html", das=das, form=form)
