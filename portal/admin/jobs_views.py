"""Background work for administrators (issue 20): failing jobs, the periodic jobs' last runs and
the mail outbox, with "opnieuw proberen" for a mail that could not be delivered."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from portal.admin import bp
from portal.infra.timeutil import now
from portal.pages.messages import message_for
from portal.services import ServiceError, outbox


@bp.route("/achtergrondtaken")
def jobs() -> str:
    return render_template("admin/jobs.html", overview=outbox.overview(), action_form=FlaskForm())


@bp.route("/achtergrondtaken/mails/<int:mail_id>/opnieuw", methods=["POST"])
def retry_mail(mail_id: int) -> Response:
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        outbox.retry_mail(current_user, mail_id, now())
    except ServiceError as error:
        if error.code == "not_found":
            abort(404)
        flash(message_for(error), "error")
    else:
        flash(_l("De e-mail staat weer in de wachtrij en wordt zo verstuurd."), "success")
    return redirect(url_for("admin.jobs"))
