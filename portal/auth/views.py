"""Signing in and out, and a provider's registration."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from portal.auth.access import public, signed_in
from portal.auth.forms import LoginForm, RegisterForm
from portal.extensions import db
from portal.messages import message_for
from portal.models import Role, SizeClass
from portal.services import ServiceError
from portal.services.registration import Registration, authenticate, register_provider
from portal.timeutil import now

bp = Blueprint("auth", __name__)


def home_for(role: Role) -> str:
    return {
        Role.PROVIDER: url_for("supplier.dashboard"),
        Role.REVIEWER: url_for("review.queue"),
        Role.CONTRACT_MANAGER: url_for("contracts.register"),
        Role.ADMINISTRATOR: url_for("admin.home"),
    }[role]


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return None
    return target


@bp.route("/inloggen", methods=["GET", "POST"])
@public
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(home_for(current_user.role))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            form.email.errors = list(form.email.errors) + [
                _("Het e-mailadres of het wachtwoord klopt niet.")
            ]
        else:
            user.last_login_at = now()
            db.session.commit()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or home_for(user.role))
    return render_template("auth/login.html", form=form)


@bp.route("/uitloggen", methods=["POST"])
@signed_in
def logout() -> Response:
    logout_user()
    flash(_("U bent uitgelogd."), "success")
    return redirect(url_for("public.home"))


@bp.route("/registreren", methods=["GET", "POST"])
@public
def register() -> str | Response:
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = register_provider(
                Registration(
                    legal_name=form.legal_name.data or "",
                    kvk_number=form.kvk_number.data or "",
                    size_class=SizeClass(form.size_class.data),
                    user_name=form.name.data or "",
                    email=form.email.data or "",
                    password=form.password.data or "",
                )
            )
        except ServiceError as error:
            field = form.kvk_number if error.code == "kvk_taken" else form.email
            field.errors = list(field.errors) + [message_for(error)]
        else:
            login_user(user)
            flash(_("Uw organisatie is geregistreerd. Welkom!"), "success")
            return redirect(url_for("supplier.dashboard"))
    return render_template("auth/register.html", form=form)
