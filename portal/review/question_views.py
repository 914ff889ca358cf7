"""The questions on a DAS for its staff (nota van inlichtingen, issue 20): the list, open
first; answering one (as a draft, or published at once); merging a duplicate; correcting a
published answer. Reviewers and administrators of the DAS (the blueprint's role check, then
the DAS's staff check); the services check both again."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.infra.timeutil import now
from portal.models import Das, Question, QuestionState, QuestionSubject
from portal.pages.messages import message_for
from portal.review import bp
from portal.review.question_forms import AnswerForm, CorrectionForm, MergeForm
from portal.services import ServiceError, ownership, questions


@bp.route("/das/<slug>/vragen")
def das_questions(slug: str) -> str:
    das = ownership.staff_das(slug, current_user)
    shown = request.args.get("toon", "open")
    if shown not in questions.STAFF_FILTERS:
        shown = "open"
    return render_template(
        "review/questions.html",
        das=das,
        shown=shown,
        found=questions.for_staff(das.id, shown),
        QuestionState=QuestionState,
    )


def _load(slug: str, question_id: int) -> tuple[Das, Question]:
    das = ownership.staff_das(slug, current_user)
    question = questions.question_of(das, question_id)
    if question is None:
        abort(404)
    return das, question


def _page(
    das: Das,
    question: Question,
    *,
    answer_form: AnswerForm | None = None,
    correction_form: CorrectionForm | None = None,
    merge_form: MergeForm | None = None,
    error_message: str | None = None,
) -> str:
    if answer_form is None:
        answer_form = AnswerForm(
            formdata=None,
            data={"subject": question.subject.value, "answer": question.draft_answer or ""},
        )
    if correction_form is None:
        correction_form = CorrectionForm(formdata=None, data={"answer": question.answer or ""})
    targets = questions.merge_targets(question)
    if merge_form is None:
        merge_form = MergeForm(formdata=None)
    merge_form.target.choices = [(0, _("Kies een vraag"))] + [
        (t.id, _("Vraag %(number)s", number=t.number) + f": {t.text[:80]}") for t in targets
    ]
    # The error summary is of the form that was sent (the one with errors).
    sent = next((f for f in (answer_form, correction_form, merge_form) if f.errors), None)
    return render_template(
        "review/question.html",
        das=das,
        question=question,
        answer_form=answer_form,
        correction_form=correction_form,
        merge_form=merge_form,
        sent=sent,
        duplicates=questions.duplicates_of(question),
        error_message=error_message,
    )


def _refused(error: ServiceError, field: object) -> str | None:
    """A refusal of the text goes to its field (which keeps what was typed); any other is for
    the top of the page."""
    if error.code in questions.TEXT_REFUSALS:
        field.errors = [message_for(error)]  # type: ignore[attr-defined]
        return None
    return message_for(error)


@bp.route("/das/<slug>/vragen/<int:question_id>", methods=["GET", "POST"])
def das_question(slug: str, question_id: int) -> str | Response:
    das, question = _load(slug, question_id)
    if request.method == "GET":
        return _page(das, question)
    form = AnswerForm()
    error_message = None
    if form.validate_on_submit():
        publish = not form.save_draft.data
        try:
            questions.save_answer(
                question,
                current_user,
                form.answer.data or "",
                QuestionSubject(form.subject.data),
                publish=publish,
                now=now(),
            )
        except ServiceError as error:
            error_message = _refused(error, form.answer)
        else:
            flash(
                _("Het antwoord is gepubliceerd. De vrager krijgt een e-mail.")
                if publish
                else _("Het concept-antwoord is opgeslagen. Het is nog niet gepubliceerd."),
                "success",
            )
            return redirect(url_for("review.das_question", slug=das.slug, question_id=question.id))
    return _page(das, question, answer_form=form, error_message=error_message)


@bp.route("/das/<slug>/vragen/<int:question_id>/corrigeren", methods=["POST"])
def correct_question(slug: str, question_id: int) -> str | Response:
    das, question = _load(slug, question_id)
    form = CorrectionForm()
    error_message = None
    if form.validate_on_submit():
        try:
            questions.correct(question, current_user, form.answer.data or "", now())
        except ServiceError as error:
            error_message = _refused(error, form.answer)
        else:
            flash(_("De correctie is gepubliceerd. De vrager krijgt een e-mail."), "success")
            return redirect(url_for("review.das_question", slug=das.slug, question_id=question.id))
    return _page(das, question, correction_form=form, error_message=error_message)


@bp.route("/das/<slug>/vragen/<int:question_id>/samenvoegen", methods=["POST"])
def merge_question(slug: str, question_id: int) -> str | Response:
    das, question = _load(slug, question_id)
    form = MergeForm()
    error_message = None
    if form.validate_on_submit():
        try:
            questions.merge(question, form.target.data or 0, current_user, now())
        except ServiceError as error:
            error_message = message_for(error)
        else:
            flash(_("De vraag is samengevoegd."), "success")
            return redirect(url_for("review.das_questions", slug=das.slug))
    return _page(das, question, merge_form=form, error_message=error_message)
