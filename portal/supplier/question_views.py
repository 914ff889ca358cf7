"""The provider's questions about a DAS's announcement (nota van inlichtingen, issue 20): ask
one, and read the organisation's own questions with their state and answers."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.infra.timeutil import now
from portal.models import QuestionSubject
from portal.pages.messages import message_for
from portal.services import ServiceError, ownership, questions
from portal.supplier import bp
from portal.supplier.question_forms import QuestionForm


@bp.route("/das/<slug>/vragen", methods=["GET", "POST"])
def das_questions(slug: str) -> str | Response:
    # A published DAS, open or closed: a draft or an ended one is not found.
    das = ownership.open_das(slug)
    organisation_id = ownership.organisation_id_of(current_user)
    form = QuestionForm()
    error_message = None
    if form.validate_on_submit():
        try:
            question = questions.ask(
                das, current_user, QuestionSubject(form.subject.data), form.text.data or "", now()
            )
        except ServiceError as error:
            if error.code in questions.TEXT_REFUSALS:
                form.text.errors = [message_for(error)]
            else:
                error_message = message_for(error)
        else:
            flash(
                _(
                    "Uw vraag is verstuurd als vraag %(number)s. U krijgt een e-mail zodra het "
                    "antwoord is gepubliceerd.",
                    number=question.number,
                ),
                "success",
            )
            return redirect(url_for("supplier.das_questions", slug=das.slug))
    return render_template(
        "supplier/questions.html",
        das=das,
        form=form,
        error_message=error_message,
        own_questions=questions.for_organisation(das.id, organisation_id),
    )
