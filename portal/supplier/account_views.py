"""The provider's organisation profile and colleagues (same blueprint, same role check)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from portal.auth.access import organisation_admin_required
from portal.extensions import limiter
from portal.infra.timeutil import now
from portal.models import OrganisationRole, SizeClass
from portal.pages.messages import message_for
from portal.services import ServiceError, accounts, dashboard, organisations
from portal.services import two_factor as two_factor_service
from portal.supplier import bp
from portal.supplier.account_forms import InviteForm, ProfileForm, TwoFactorPolicyForm


def _profile_form() -> ProfileForm:
    current = organisations.profile_of(current_user.organisation)
    data = {name: getattr(current, name) for name in organisations.PROFILE_FIELDS}
    data["size_class"] = current.size_class.value
    return ProfileForm(data=data)


def _profile_page(form: ProfileForm) -> str:
    return render_template(
        "supplier/profile.html",
        form=form,
        editable=current_user.is_organisation_admin,
        gaps=dashboard.profile_gaps(current_user.organisation),
    )


@bp.route("/organisatie")
def profile() -> str:
    """Every colleague reads the profile; its administrator changes it (save_profile)."""
    return _profile_page(_profile_form())


@bp.route("/organisatie", methods=["POST"])
@organisation_admin_required
def save_profile() -> str | Response:
    form = _profile_form()
    if form.validate_on_submit():
        values = {name: form[name].data for name in organisations.PROFILE_FIELDS}
        values["size_class"] = SizeClass(values["size_class"])
        try:
            changes = organisations.update_profile(current_user, organisations.Profile(**values))
        except ServiceError as error:
            form.kvk_number.errors = list(form.kvk_number.errors) + [message_for(error)]
        else:
            if changes:
                flash(_("De gegevens van uw organisatie zijn opgeslagen."), "success")
            else:
                flash(_("Er was niets gewijzigd."), "info")
            # One path: on to the next step, which the dashboard names at its top.
            return redirect(url_for("supplier.dashboard"))
    return _profile_page(form)


def _not_inviting() -> bool:
    return not getattr(current_user, "is_organisation_admin", False)


def _inviting_organisation() -> str:
    return f"invitations-from:{current_user.organisation_id}"


def _invited_address() -> str:
    return "invitations-to:" + accounts.normalise_email(request.form.get("email") or "")


def _sent(response: Response) -> bool:
    return response.status_code == 302


# Invitations count when they are sent: per organisation, and per invited address over all
# organisations, so no one mails an address again and again through invitations.
@bp.route("/collegas", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["INVITATION_LIMIT_PER_ORGANISATION"],
    key_func=_inviting_organisation,
    methods=["POST"],
    deduct_when=_sent,
    exempt_when=_not_inviting,
)
@limiter.limit(
    lambda: current_app.config["INVITATION_LIMIT_PER_ADDRESS"],
    key_func=_invited_address,
    methods=["POST"],
    deduct_when=_sent,
    exempt_when=_not_inviting,
)
def colleagues() -> str | Response:
    form = InviteForm()
    if form.validate_on_submit():
        try:
            accounts.invite(
                current_user,
                form.email.data or "",
                OrganisationRole(form.organisation_role.data),
                bool(form.is_signatory.data),
            )
        except ServiceError as error:
            form.email.errors = list(form.email.errors) + [message_for(error)]
        else:
            flash(
                _("De uitnodiging is verstuurd naar %(email)s.", email=form.email.data), "success"
            )
            return redirect(url_for("supplier.colleagues"))
    organisation_id = current_user.organisation_id
    return render_template(
        "supplier/colleagues.html",
        form=form,
        users=accounts.colleagues(organisation_id),
        invitations=accounts.open_invitations(organisation_id),
        manage=current_user.is_organisation_admin,
        action_form=FlaskForm(),
        policy_form=TwoFactorPolicyForm(
            formdata=None, required=current_user.organisation.requires_two_factor
        ),
    )


@bp.route("/collegas/<int:user_id>/intrekken", methods=["POST"])
def remove_colleague(user_id: int) -> Response:
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        colleague = accounts.remove_colleague(current_user, user_id, now())
    except ServiceError as error:
        if error.code == "not_found":
            abort(404)
        flash(message_for(error), "error")
    else:
        flash(_("De toegang van %(name)s is ingetrokken.", name=colleague.name), "success")
    return redirect(url_for("supplier.colleagues"))


@bp.route("/collegas/uitnodigingen/<int:invitation_id>/intrekken", methods=["POST"])
def revoke_invitation(invitation_id: int) -> Response:
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        accounts.revoke_invitation(current_user, invitation_id, now())
    except ServiceError as error:
        if error.code == "not_found":
            abort(404)
        flash(message_for(error), "error")
    else:
        flash(_("De uitnodiging is ingetrokken."), "success")
    return redirect(url_for("supplier.colleagues"))


@bp.route("/collegas/tweestapsverificatie", methods=["POST"])
def two_factor_policy() -> Response:
    """The organisation's administrator requires two-step verification of every colleague."""
    form = TwoFactorPolicyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = two_factor_service.require_for_organisation(
            current_user, bool(form.required.data)
        )
    except ServiceError as error:
        flash(message_for(error), "error")
    else:
        if not changed:
            flash(_("Er was niets gewijzigd."), "info")
        elif form.required.data:
            flash(
                _(
                    "Verificatie in twee stappen is nu verplicht. Collega's die het nog niet "
                    "gebruiken, stellen het in bij de volgende keer dat zij inloggen."
                ),
                "success",
            )
        else:
            flash(_("Verificatie in twee stappen is niet langer verplicht."), "success")
    return redirect(url_for("supplier.colleagues"))
