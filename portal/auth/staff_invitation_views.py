"""Accepting an invitation to work on a DAS as a member of staff (issue 19)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.auth import bp
from portal.auth.access import public
from portal.auth.forms import AcceptInvitationForm
from portal.extensions import limiter
from portal.infra.timeutil import now
from portal.pages.messages import message_for
from portal.services import ServiceError, staff


def _address_limit() -> str:
    return str(current_app.config["ACCOUNT_LIMIT_PER_ADDRESS"])


@bp.route("/uitnodiging/medewerker/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_address_limit, methods=["POST"])
def accept_staff_invitation(token: str) -> str | Response | tuple[str, int]:
    try:
        invitation = staff.invitation_for(token)
    except ServiceError as error:
        return render_template("auth/link_problem.html", message=message_for(error), form=None), 400
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            staff.accept(token, form.name.data or "", form.password.data or "", now())
        except ServiceError as error:
            return render_template(
                "auth/link_problem.html", message=message_for(error), form=None
            ), 400
        # The link made the account; logging in (with the second step) is still the password's.
        flash(
            _(
                "Uw account is aangemaakt. Log in met uw e-mailadres en wachtwoord; daarna stelt "
                "u de tweestapsverificatie in."
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/accept_staff_invitation.html", form=form, invitation=invitation)
