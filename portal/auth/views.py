"""Signing in and out, and a provider's registration."""

from __future__ import annotations

import math

import segno
from flask import (
    after_this_request,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from portal.auth import bp
from portal.auth import sessions as auth_sessions
from portal.auth.access import public, signed_in
from portal.auth.devices import remember_device, trusted_device
from portal.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    CodeForm,
    EmailForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from portal.extensions import db, limiter
from portal.infra.timeutil import now
from portal.models import Role, SizeClass, User
from portal.pages.messages import message_for
from portal.pages.params import safe_local_path
from portal.services import ServiceError, accounts, dashboard, login_throttle, user_sessions
from portal.services import two_factor as two_factor_service
from portal.services.accounts import Registration, authenticate, register_provider


def _clear_session() -> None:
    """Forget everything in the session but the chosen language (no session fixation)."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def start_session(user: User) -> None:
    """A fresh session for the user: a new session cookie (no fixation), timed from now and
    recorded on the server, so that log-out ends it. The browser becomes a known device for
    the account (services/login_throttle.py)."""
    _clear_session()
    session.permanent = True
    auth_sessions.begin(user)
    login_user(user)
    session["auth_at"] = session["seen_at"] = now().timestamp()
    email = user.email
    after_this_request(lambda response: remember_device(response, email))


PENDING_SECONDS = 300  # the second step must follow the password within five minutes


def _second_step(user: User, target: str | None) -> Response:
    """The password was right; the session is not signed in until the second step is."""
    _clear_session()
    session["pending_user"] = user.get_id()
    session["pending_at"] = now().timestamp()
    if target:
        session["pending_next"] = target
    endpoint = "auth.two_factor" if user.totp_confirmed_at else "auth.two_factor_setup"
    return redirect(url_for(endpoint))


def _pending_user() -> User | None:
    session_id = session.get("pending_user")
    if not session_id or now().timestamp() - session.get("pending_at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, int(session_id.partition(":")[0]))
    if user is None or not user.is_active or user.get_id() != session_id:
        return None
    return user


def _pending_key() -> str:
    return "second-step:" + str(session.get("pending_user", "")).partition(":")[0]


def _restart() -> Response:
    flash(_("Log opnieuw in; de tweede stap moet binnen vijf minuten volgen."), "info")
    return redirect(url_for("auth.login"))


def _finish_second_step(user: User) -> Response:
    target = session.get("pending_next")
    start_session(user)
    return redirect(target or home_for(user.role))


def home_for(role: Role) -> str:
    return {
        Role.PROVIDER: url_for("supplier.dashboard"),
        Role.REVIEWER: url_for("review.queue"),
        Role.CONTRACT_MANAGER: url_for("contracts.register"),
        Role.ADMINISTRATOR: url_for("admin.home"),
    }[role]


def _first_landing(user: User, first_log_in: bool) -> str | None:
    """Where a log-in without a `next` goes when it is not the home page: the organisation's
    details, on a new provider's first log-in (saving them leads on to the dashboard)."""
    if dashboard.lands_on_profile(user, first_log_in):
        return url_for("supplier.profile")
    return None


def _failed(response: Response) -> bool:
    return response.status_code != 302


def _address_limit() -> str:
    return current_app.config["ACCOUNT_LIMIT_PER_ADDRESS"]


def _locked_out(form: LoginForm, seconds: int) -> Response:
    """Refused before the password is checked: the page says how long, and what else works."""
    minutes = math.ceil(seconds / 60)
    form.email.errors = list(form.email.errors) + [
        ngettext(
            "Te veel pogingen om in te loggen. Probeer het over %(num)d minuut opnieuw. Op een "
            "apparaat waarop u eerder inlogde, kunt u wel inloggen; of stel via ‘Wachtwoord "
            "vergeten?’ een nieuw wachtwoord in.",
            "Te veel pogingen om in te loggen. Probeer het over %(num)d minuten opnieuw. Op een "
            "apparaat waarop u eerder inlogde, kunt u wel inloggen; of stel via ‘Wachtwoord "
            "vergeten?’ een nieuw wachtwoord in.",
            minutes,
        )
    ]
    response = make_response(render_template("auth/login.html", form=form), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.route("/inloggen", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(home_for(current_user.role))
    form = LoginForm()
    if request.method == "GET" and session.get("login_email"):
        form.email.data = session["login_email"]
    if form.validate_on_submit():
        email = form.email.data or ""
        # Wrong passwords lock out clients this account does not know; a browser that logged
        # in to it before gets through on a count of its own (services/login_throttle.py).
        attempt = login_throttle.Attempt(email, request.remote_addr or "", trusted_device(email))
        rules = login_throttle.policy(current_app.config)
        wait = login_throttle.wait_seconds(attempt, rules)
        if wait:
            return _locked_out(form, wait)
        user = authenticate(email, form.password.data or "")
        if user is None:
            login_throttle.failed(attempt, rules)
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
            login_throttle.succeeded(attempt)
            first_time = user.last_login_at is None
            accounts.logged_in(user, now())
            target = safe_local_path(request.args.get("next")) or _first_landing(user, first_time)
            if user.needs_two_factor:
                return _second_step(user, target)
            start_session(user)
            return redirect(target or home_for(user.role))
    return render_template("auth/login.html", form=form)


@bp.route("/uitloggen", methods=["POST"])
@signed_in
def logout() -> Response:
    auth_sessions.end_current()
    logout_user()
    _clear_session()
    flash(_("U bent uitgelogd."), "success")
    return redirect(url_for("public.home"))


@bp.route("/registreren", methods=["GET", "POST"])
@public
@limiter.limit(_address_limit, methods=["POST"])
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
            if error.code != "email_taken":
                form.kvk_number.errors = list(form.kvk_number.errors) + [message_for(error)]
                return render_template("auth/register.html", form=form)
            # The same answer as for a new account; the owner of the address hears of it.
            sent = accounts.send_registration_notice(form.email.data or "")
        else:
            sent = accounts.send_verification(user)
        session["registered_email"] = accounts.normalise_email(form.email.data or "")
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
def verify_email(token: str) -> str | Response | tuple[str, int]:
    """Confirms the address, and nothing more: no link starts a session on its own (whoever
    could forge or intercept one would be signed in). The user logs in next."""
    try:
        user = accounts.verify_email(token, now())
    except ServiceError as error:
        if error.code == "email_already_verified":
            flash(message_for(error), "info")
            return redirect(url_for("auth.login"))
        return render_template(
            "auth/link_problem.html", message=message_for(error), form=EmailForm(formdata=None)
        ), 400
    # The next step of one path: the log-in page, with the confirmed address filled in (the
    # session only remembers it for the form; nobody is signed in).
    session["login_email"] = user.email
    flash(_("Uw e-mailadres is bevestigd. Log in met uw wachtwoord."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/e-mail-bevestigen", methods=["POST"])
@public
@limiter.limit(_address_limit, methods=["POST"])
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
@limiter.limit(_address_limit, methods=["POST"])
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
@limiter.limit(_address_limit, methods=["POST"])
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
            user = accounts.reset_password(token, form.password.data or "", now())
        except ServiceError as error:
            return render_template(
                "auth/link_problem.html",
                message=message_for(error),
                form=EmailForm(formdata=None),
                reset=True,
            ), 400
        # Every session of the account ends; the mailed link proves the mailbox, so the
        # lock-out after wrong passwords is lifted (the owner's way in from a new device).
        user_sessions.end_all(user, now())
        login_throttle.unlock_account(user.email)
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
            user = current_user._get_current_object()
            user_sessions.end_all(user, now())
            start_session(user)  # this session goes on in a new one; every other one has ended
            flash(_("Uw wachtwoord is gewijzigd. U bent op andere apparaten uitgelogd."), "success")
            return redirect(home_for(current_user.role))
    return render_template("auth/change_password.html", form=form)


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_address_limit, methods=["POST"])
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
        # The link made the account; logging in is still the password's job.
        organisation = user.organisation
        assert organisation is not None  # an invitation is to an organisation
        flash(
            _(
                "Uw account bij %(org)s is aangemaakt. Log in met uw e-mailadres en wachtwoord.",
                org=organisation.display_name,
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation)


# Wrong codes count per account across both second-step pages: no six-digit guessing.
second_step_limit = limiter.shared_limit(
    lambda: current_app.config["SECOND_STEP_FAILURES_PER_ACCOUNT"],
    scope="second-step",
    key_func=_pending_key,
    methods=["POST"],
    deduct_when=_failed,
)


@bp.route("/inloggen/code", methods=["GET", "POST"])
@public
@second_step_limit
def two_factor() -> str | Response:
    user = _pending_user()
    if user is None:
        return _restart()
    if user.totp_confirmed_at is None:
        return redirect(url_for("auth.two_factor_setup"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            two_factor_service.verify(user, form.code.data or "", now())
        except ServiceError as error:
            form.code.errors = list(form.code.errors) + [message_for(error)]
        else:
            return _finish_second_step(user)
    return render_template("auth/two_factor.html", form=form)


@bp.route("/inloggen/tweestapsverificatie", methods=["GET", "POST"])
@public
@second_step_limit
def two_factor_setup() -> str | Response:
    user = _pending_user()
    if user is None:
        return _restart()
    if user.totp_confirmed_at is not None:
        return redirect(url_for("auth.two_factor"))
    form = CodeForm()
    codes = confirmed_codes(user, form)
    if codes is not None:
        target = session.get("pending_next") or home_for(user.role)
        start_session(user)
        return render_template("auth/recovery_codes.html", codes=codes, target=target)
    return render_two_factor_setup(user, form)


def confirmed_codes(user: User, form: CodeForm) -> list[str] | None:
    """Two-step verification switched on with the posted code: the recovery codes to show once;
    None when nothing was posted or the code was wrong (the error is on the form)."""
    if not form.validate_on_submit():
        return None
    try:
        return two_factor_service.confirm(user, form.code.data or "", now())
    except ServiceError as error:
        form.code.errors = list(form.code.errors) + [message_for(error)]
        return None


def render_two_factor_setup(user: User, form: CodeForm) -> str:
    """The set-up page: the pending secret as a QR code and as text. The secret lives on the
    user's row (two_factor.pending_secret), never in the session cookie."""
    secret = two_factor_service.pending_secret(user)
    uri = two_factor_service.provisioning_uri(user, secret)
    # segno draws the QR code as SVG paths: no text from the user ends up in the markup.
    qr = Markup(segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff"))  # nosec B704
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render_template(
        "auth/two_factor_setup.html", form=form, qr=qr, secret=grouped, staff=user.is_staff
    )
