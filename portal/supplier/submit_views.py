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
from portal.models import Application, CriterionKind
from portal.pages import carried as carried_texts
from portal.pages.messages import gap_message, message_for
from portal.services import (
    ServiceError,
    applications,
    reuse,
)
from portal.supplier import bp
from portal.supplier.application_views import _draft_or_redirect, _sections
from portal.supplier.forms import (
    SubmitForm,
)


def _declared(application: Application, kind: CriterionKind) -> list[dict[str, object]]:
    """Each criterion of one kind with the draft's answer, in the DAS's order."""
    return [
        {"criterion": criterion, "answer": application.answer_for(criterion)}
        for criterion in application.das.criteria_of(kind)
    ]


def _lot_names(application: Application) -> str:
    lots = sorted(application.lots, key=lambda al: al.lot.position)
    return ", ".join(f"{al.lot.code}. {al.lot.name}" for al in lots)


@bp.route("/aanmeldingen/<int:application_id>/indienen", methods=["GET", "POST"])
def submit(application_id: int) -> str | Response:
    application = _draft_or_redirect(application_id)
    if isinstance(application, Response):
        return application
    to_confirm = applications.reused_documents(application)
    form = SubmitForm()
    form.confirmation_needed = bool(to_confirm)
    # Answers carried unchanged from another DAS or an ESPD: the provider confirms it checked them.
    form.carried_needed = reuse.needs_confirmation(application)
    if to_confirm:
        form.covers_new_lots.label.text = _(
            "Ik bevestig dat %(documents)s ook gelden voor de zorg in %(lots)s.",
            documents=", ".join(d.filename for d in to_confirm),
            lots=_lot_names(application),
        )
    error_message = None
    if form.validate_on_submit():
        try:
            applications.submit(
                application,
                current_user,
                now(),
                covers_new_lots=bool(to_confirm) and bool(form.covers_new_lots.data),
                carried_checked=form.carried_needed and bool(form.carried_checked.data),
            )
        except ServiceError as error:
            if error.code == "application_not_draft":
                # The other click or tab got there first: that submission stands.
                return redirect(url_for("supplier.application", application_id=application.id))
            if error.code == "reused_documents_unconfirmed":
                form.covers_new_lots.errors = [message_for(error)]
            elif error.code == "carried_answers_unconfirmed":
                form.carried_needed = True
                form.carried_checked.errors = [message_for(error)]
            else:
                error_message = message_for(error)
        else:
            flash(_("Uw aanmelding is ingediend."), "success")
            return redirect(url_for("supplier.application", application_id=application.id))
    decisions = applications.earlier_decisions(application)
    carried = reuse.carried_over(application)
    previous_id = application.previous_application_id
    grounds = [
        application.answer_for(c) for c in application.das.criteria_of(CriterionKind.EXCLUSION)
    ]
    return render_template(
        "supplier/submit.html",
        application=application,
        form=form,
        sections=_sections(application),
        criteria_by_code={c.code: c for c in application.das.criteria},
        gap_message=gap_message,
        error_message=error_message,
        exclusion=_declared(application, CriterionKind.EXCLUSION),
        # "Nee" to every ground is declared as one statement.
        none_applies=bool(grounds) and all(a is not None and a.value is False for a in grounds),
        suitability=_declared(application, CriterionKind.SUITABILITY),
        decisions=decisions,
        previous_decision=next(
            (d for d in decisions.values() if d.application_id == previous_id), None
        ),
        to_confirm=to_confirm,
        carried_needed=form.carried_needed,
        carried_summary=carried_texts.summary_text(carried),
        carried_texts=carried_texts.answer_texts(carried),
        carried_rows=[
            {"criterion": c, "answer": application.answer_for(c)}
            for c in application.das.criteria
            if c.id in carried.by_criterion
        ],
    )
