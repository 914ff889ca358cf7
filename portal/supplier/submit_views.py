"""Checking and submitting an application."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.infra.timeutil import now
from portal.pages.messages import gap_message, message_for
from portal.services import (
    ServiceError,
    applications,
)
from portal.supplier import bp
from portal.supplier.application_views import _draft_or_redirect, _sections
from portal.supplier.forms import (
    SubmitForm,
)


@bp.route("/aanmeldingen/<int:application_id>/indienen", methods=["GET", "POST"])
def submit(application_id: int) -> str | Response:
    application = _draft_or_redirect(application_id)
    if isinstance(application, Response):
        return application
    form = SubmitForm()
    error_message = None
    if form.validate_on_submit():
        try:
            applications.submit(application, current_user, now())
        except ServiceError as error:
            if error.code == "application_not_draft":
                # The other click or tab got there first: that submission stands.
                return redirect(url_for("supplier.application", application_id=application.id))
            error_message = message_for(error)
        else:
            flash(_("Uw aanmelding is ingediend."), "success")
            return redirect(url_for("supplier.application", application_id=application.id))
    return render_template(
        "supplier/submit.html",
        application=application,
        form=form,
        sections=_sections(application),
        criteria_by_code={c.code: c for c in application.das.criteria},
        gap_message=gap_message,
        error_message=error_message,
    )
