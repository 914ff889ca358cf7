"""The signed-in user's own account, for providers and staff alike: where they are signed in,
signing out elsewhere, and two-step verification (same blueprint as signing in)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from portal.auth import bp
from portal.auth import sessions as auth_sessions
from portal.auth.access import role_required, signed_in
from portal.auth.devices import device_name
from portal.auth.forms import CodeForm, DailyDigestForm, PasswordCheckForm
from portal.auth.views import confirmed_codes, render_two_factor_setup
from portal.infra.timeutil import now
from portal.models import STAFF_ROLES, User
from portal.pages.messages import message_for
from portal.services import ServiceError, staff_tasks, user_sessions
from portal.services import two_factor as two_factor_service


def _user() -> User:
    return current_user._get_current_object()


def _account_page(password_form: PasswordCheckForm) -> str:
    user = _user()
    token = auth_sessions.current_token()
    sessions = [
        {
            "id": record.id,
            "device": device_name(record.user_agent),
            "address": record.ip_address,
            "started": record.created_at,
            "seen": record.last_seen_at,
            "current": user_sessions.is_current(record, token),
        }
        for record in user_sessions.active(user, now(), auth_sessions.lifetime())
    ]
    return render_template(
        "auth/account.html",
        sessions=sessions,
        password_form=password_form,
        action_form=FlaskForm(),
        codes_left=two_factor_service.recovery_codes_left(user) if user.totp_confirmed_at else 0,
        # Shown to staff only (the template); the POST has its own decision (daily_digest).
        digest_form=DailyDigestForm(formdata=None, wants_daily_digest=user.wants_daily_digest),
    )


@bp.route("/account")
@signed_in
def account() -> str:
    return _account_page(PasswordCheckForm(formdata=None))


@bp.route("/account/dagelijks-overzicht", methods=["POST"])
@role_required(*STAFF_ROLES)
def daily_digest() -> Response:
    """A member of staff turns the daily mail of their tasks on or off."""
    form = DailyDigestForm()
    if not form.validate_on_submit():
        abort(400)
    wanted = bool(form.wants_daily_digest.data)
    staff_tasks.choose_daily_digest(_user(), wanted)
    if wanted:
        flash(_("U krijgt elke werkdag een overzicht van uw taken."), "success")
    else:
        flash(_("U krijgt geen dagelijks overzicht van uw taken meer."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/sessies/uitloggen", methods=["POST"])
@signed_in
def end_other_sessions() -> Response:
    """ "Log out on all devices": every session of this user ends but this one."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    ended = user_sessions.end_all(_user(), now(), keep=auth_sessions.current_token())
    if ended:
        flash(_("U bent uitgelogd op alle andere apparaten."), "success")
    else:
        flash(_("U was nergens anders ingelogd."), "info")
    return redirect(url_for("auth.account"))


@bp.route("/account/sessies/<int:session_id>/uitloggen", methods=["POST"])
@signed_in
def end_session(session_id: int) -> Response:
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        user_sessions.end_one(_user(), session_id, now())
    except ServiceError:
        abort(404)
    flash(_("Dat apparaat is uitgelogd."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/tweestapsverificatie", methods=["GET", "POST"])
@signed_in
def account_two_factor_setup() -> str | Response:
    """A signed-in user turns two-step verification on (providers; staff have it from their
    first log-in). The next log-in asks for a code."""
    user = _user()
    if user.totp_confirmed_at is not None:
        flash(_("Verificatie in twee stappen staat al aan."), "info")
        return redirect(url_for("auth.account"))
    form = CodeForm()
    codes = confirmed_codes(user, form)
    if codes is not None:
        return render_template(
            "auth/recovery_codes.html", codes=codes, target=url_for("auth.account")
        )
    return render_two_factor_setup(user, form)


@bp.route("/account/tweestapsverificatie/uitzetten", methods=["POST"])
@signed_in
def disable_two_factor() -> str | Response:
    """Turning the second step off asks for the password: a session left open on someone
    else's screen must not be enough to weaken the account."""
    form = PasswordCheckForm()
    if form.validate_on_submit():
        try:
            two_factor_service.disable(_user(), form.password.data or "", now())
        except ServiceError as error:
            if error.code != "wrong_password":
                flash(message_for(error), "error")
                return redirect(url_for("auth.account"))
            form.password.errors = list(form.password.errors) + [_("Dit wachtwoord klopt niet.")]
        else:
            flash(_("Verificatie in twee stappen staat uit."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(form)
