"""Signing in and out, and a provider's registration."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from portal.auth.access import public, signed_in
from portal.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    EmailForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from portal.extensions import db
from portal.messages import message_for
from portal.models import Role, SizeClass
from portal.services import ServiceError, accounts
from portal.services.accounts import Registration, authenticate, register_provider
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
        elif not user.is_verified:
            form.email.errors = list(form.email.errors) + [
                _(
                    "U heeft uw e-mailadres nog niet bevestigd. Klik op de link in de e-mail "
                    "die wij u stuurden, of vraag hieronder een nieuwe aan."
                )
            ]
            return render_template(
                "auth/login.html", form=form, resend=EmailForm(formdata=None, email=user.email)
            )
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
            sent = accounts.send_verification(user)
            session["registered_email"] = user.email
            if not sent:
                flash(
                    _("De e-mail kon niet worden verstuurd. Vraag hieronder een nieuwe aan."),
                    "error",
                )
            return redirect(url_for("auth.check_email"))
    return render_template("auth/register.html", form=form)


@bp.route("/registreren/controleer-uw-e-mail")
@public
def check_email() -> str:
    email = session.get("registered_email", "")
    return render_template(
        "auth/check_email.html", email=email, form=EmailForm(formdata=None, email=email)
    )


@bp.route("/e-mail-bevestigen/<token>")
@public
def verify_email(token: str) -> str | Response:
    try:
        user = accounts.verify_email(token, now())
    except ServiceError as error:
        return render_template(
            "auth/link_problem.html", message=message_for(error), form=EmailForm(formdata=None)
        ), 400
    login_user(user)
    flash(_("Uw e-mailadres is bevestigd. Welkom!"), "success")
    return redirect(home_for(user.role))


@bp.route("/e-mail-bevestigen", methods=["POST"])
@public
def resend_verification() -> Response:
    form = EmailForm()
    if form.validate_on_submit():
        user = accounts.unverified_user(form.email.data or "")
        if user is not None:
            accounts.send_verification(user)
        session["registered_email"] = accounts.normalise_email(form.email.data or "")
        flash(
            _(
                "Als dit adres bij ons bekend is en nog niet bevestigd, is er een nieuwe e-mail "
                "onderweg."
            ),
            "info",
        )
    return redirect(url_for("auth.check_email"))


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@public
def forgot_password() -> str | Response:
    form = EmailForm()
    if form.validate_on_submit():
        accounts.send_password_reset(form.email.data or "")
        flash(
            _(
                "Als er een account met dit e-mailadres is, ontvangt u binnen enkele minuten een "
                "e-mail met een link om een nieuw wachtwoord in te stellen."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> str | Response | tuple[str, int]:
    try:
        accounts.user_for_reset(token)
    except ServiceError as error:
        return render_template(
            "auth/link_problem.html",
            message=message_for(error),
            form=EmailForm(formdata=None),
            reset=True,
        ), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data or "", now())
        except ServiceError as error:
            return render_template(
                "auth/link_problem.html",
                message=message_for(error),
                form=EmailForm(formdata=None),
                reset=True,
            ), 400
        flash(_("Uw wachtwoord is gewijzigd. Log in met uw nieuwe wachtwoord."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/account/wachtwoord", methods=["GET", "POST"])
@signed_in
def change_password() -> str | Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, form.current_password.data or "", form.password.data or ""
            )
        except ServiceError as error:
            form.current_password.errors = list(form.current_password.errors) + [message_for(error)]
        else:
            flash(_("Uw wachtwoord is gewijzigd."), "success")
            return redirect(home_for(current_user.role))
    return render_template("auth/change_password.html", form=form)


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str) -> str | Response | tuple[str, int]:
    try:
        invitation = accounts.invitation_for(token)
    except ServiceError as error:
        return render_template("auth/link_problem.html", message=message_for(error), form=None), 400
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = accounts.accept_invitation(
                token, form.name.data or "", form.password.data or "", now()
            )
        except ServiceError as error:
            return render_template(
                "auth/link_problem.html", message=message_for(error), form=None
            ), 400
        login_user(user)
        flash(
            _(
                "Welkom! U heeft nu toegang tot het portaal van %(org)s.",
                org=user.organisation.display_name,
            ),
            "success",
        )
        return redirect(url_for("supplier.dashboard"))
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation)
