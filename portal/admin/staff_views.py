"""A DAS's staff: who has access, inviting, and revoking access (issue 19)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from portal.admin import bp
from portal.admin.staff_forms import StaffInviteForm
from portal.infra.timeutil import now
from portal.models import Das, Role
from portal.models.labels import label
from portal.pages.messages import message_for
from portal.services import ServiceError, ownership, staff


def _page(das: Das, form: StaffInviteForm) -> str:
    return render_template(
        "admin/staff.html",
        das=das,
        form=form,
        staff=staff.staff_of(das),
        action_form=FlaskForm(),
    )


@bp.route("/das/<slug>/medewerkers", methods=["GET", "POST"])
def das_staff(slug: str) -> str | Response:
    das = ownership.staff_das(slug, current_user)
    form = StaffInviteForm()
    if form.validate_on_submit():
        try:
            invited = staff.invite(current_user, das, form.email.data or "", Role(form.role.data))
        except ServiceError as error:
            role = error.params.get("role")
            if isinstance(role, Role):  # the role's name in the reader's language
                error = ServiceError(error.code, role=label(role).lower())
            form.email.errors = list(form.email.errors) + [message_for(error)]
        else:
            if invited.assigned is not None:
                flash(
                    _(
                        "%(name)s heeft nu toegang tot dit aankoopsysteem en kreeg daarover een "
                        "e-mail.",
                        name=invited.assigned.name,
                    ),
                    "success",
                )
            else:
                flash(
                    _("De uitnodiging is verstuurd naar %(email)s.", email=form.email.data),
                    "success",
                )
            return redirect(url_for("admin.das_staff", slug=slug))
    return _page(das, form)


@bp.route("/das/<slug>/medewerkers/<int:user_id>/intrekken", methods=["POST"])
def revoke_staff_access(slug: str, user_id: int) -> Response:
    das = ownership.staff_das(slug, current_user)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        user = staff.revoke_access(current_user, das, user_id)
    except ServiceError as error:
        if error.code == "not_found":
            abort(404)
        flash(message_for(error), "error")
    else:
        flash(_("De toegang van %(name)s is ingetrokken.", name=user.name), "success")
    return redirect(url_for("admin.das_staff", slug=slug))


@bp.route("/das/<slug>/uitnodigingen/<int:invitation_id>/intrekken", methods=["POST"])
def revoke_staff_invitation(slug: str, invitation_id: int) -> Response:
    das = ownership.staff_das(slug, current_user)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        staff.revoke_invitation(current_user, das, invitation_id, now())
    except ServiceError as error:
        if error.code == "not_found":
            abort(404)
        flash(message_for(error), "error")
    else:
        flash(_("De uitnodiging is ingetrokken."), "success")
    return redirect(url_for("admin.das_staff", slug=slug))
