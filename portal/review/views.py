"""The reviewer's pages: the queue and the assessment of one application."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal.domain.evidence import requested_evidence_due_on
from portal.extensions import db
from portal.infra.timeutil import local_date, now
from portal.models import (
    Application,
    ApplicationKind,
    ApplicationState,
    ConflictDeclaration,
    LotOutcome,
    ReviewMark,
    User,
)
from portal.pages import carried as carried_texts
from portal.pages.messages import message_for
from portal.review import bp, forms
from portal.services import (
    ServiceError,
    applications,
    assessment_report,
    declarations,
    evidence_views,
    letters,
    messages,
    organisations,
    ownership,
    paging,
    review,
)
from portal.services import reverification as reverification_service
from portal.services.audit import events_for

# Each change is a few table rows: a shorter page keeps the assessment page readable.
PROFILE_CHANGES_PER_PAGE = 10


def _seen_version(raw: str | None) -> int:
    try:
        return int(raw or 0)
    except ValueError:
        return 0


def _page(application: Application, **overrides: Any) -> str:
    """The assessment page with all its forms; a refused form is passed in to keep its input.
    Who declared a conflict of interest sees only what the queue shows, and that they did."""
    conflicts = db.session.scalars(
        db.select(ConflictDeclaration).where(ConflictDeclaration.application_id == application.id)
    ).all()
    # The signed-in reviewer's own declaration, from the list just loaded.
    own_conflict = next((c.has_conflict for c in conflicts if c.user_id == current_user.id), None)
    if own_conflict:
        return render_template(
            "review/conflicted.html",
            application=application,
            error_message=overrides.get("error_message"),
        )
    criteria = application.das.criteria
    marks = review.pre_marks(application)
    assessed = review.assessments_of(application)
    clarifications = review.clarifications_of(application)
    # No rubber stamp: a verdict starts chosen only where the rule may choose it.
    standings = review.standings(
        application, marks=marks, assessed=assessed, clarifications=clarifications
    )
    assessment_data: dict[str, object] = {}
    for criterion in criteria:
        done = assessed.get(criterion.id)
        start_with = standings[criterion.id].start_with
        assessment_data[f"c{criterion.id}_mark"] = start_with.value if start_with else None
        assessment_data[f"c{criterion.id}_reason"] = done.reason if done else ""
    notes = review.notes_of(application, current_user, conflicted=bool(own_conflict))
    note_form = forms.NoteForm(formdata=None)
    decision_data: dict[str, object] = {"version": application.version_id}
    for al in application.lots:
        if al.outcome is not LotOutcome.PENDING:
            decision_data[f"lot{al.lot_id}_outcome"] = al.outcome.value
            decision_data[f"lot{al.lot_id}_reason"] = al.reason
    today = local_date(now())
    decided = application.state is ApplicationState.DECIDED
    clarification_form = forms.ClarificationForm(
        formdata=None, reply_due_on=requested_evidence_due_on(today)
    )
    assign_form = forms.AssignForm(formdata=None, assignee=application.assigned_reviewer_id)
    assign_form.assignee.choices = [
        SelectChoice(u.id, u.name) for u in review.reviewers_for(application.das_id)
    ]
    context: dict[str, Any] = {
        "application": application,
        "marks": marks,
        "assessed": assessed,
        "conflict": own_conflict,
        "conflicts": conflicts,
        "clarifications": clarifications,
        "standings": standings,
        "unsettled_ids": [key for key, found in standings.items() if not found.settled],
        "days_left": review.working_days_left(application, today),
        "notes": notes,
        "views": evidence_views.views_of(application),
        # Each clarification and note at the row of each criterion it is about.
        "clarifications_about": {
            c.code: [q for q in clarifications if c.code in q.criterion_codes] for c in criteria
        },
        "notes_about": {
            key: [n for n in notes if n.criterion_id == key]
            for key in {n.criterion_id for n in notes}
        },
        "note_form": note_form,
        # Where each submitted answer was carried from, as the snapshot recorded it (issue 22).
        "carried_from": {
            str(a.get("code")): carried_texts.snapshot_answer_text(a.get("reused_from"))
            for a in (application.snapshot or {}).get("answers") or ()
        },
        "carried_summary": carried_texts.snapshot_summary_text(application.snapshot),
        "timeline": events_for(
            application,
            paging.page_number(request.args.get("tijdlijn")),
            current_app.config["PER_PAGE"],
        ),
        "profile_changes": organisations.profile_changes(
            application.organisation_id,
            paging.page_number(request.args.get("wijzigingen")),
            PROFILE_CHANGES_PER_PAGE,
        ),
        # Only a decided application has a letter and a report, and only there is an update
        # asked for: an application in review spends no queries on them.
        "letter": letters.letter_of(application) if decided else None,
        "unread_messages": messages.unread_count(application, for_staff=True),
        "report": assessment_report.report_of(application) if decided else None,
        "can_request_update": decided
        and bool(applications.admitted_lot_ids(application.das, application.organisation_id)),
        # An open request for an update matters on the decided application it was asked on
        # and on the update that answers it; in other reviews it is not shown.
        "open_requests": applications.open_declaration_requests(
            application.das_id, application.organisation_id
        )
        if decided or application.kind is ApplicationKind.UPDATE
        else [],
        "conflict_form": forms.ConflictForm(formdata=None),
        "assign_form": assign_form,
        "extend_form": forms.ExtendForm(formdata=None),
        "assessment_form": forms.assessment_form(criteria, assessment_data),
        "clarification_form": clarification_form,
        "decision_form": forms.decision_form(application.lots, decision_data),
        "confirm_form": forms.ConfirmForm(formdata=None, version=application.version_id),
        "return_form": forms.ReturnForm(formdata=None, version=application.version_id),
        "request_form": forms.DeclarationRequestForm(
            formdata=None, due_on=requested_evidence_due_on(today)
        ),
        "error_message": None,
    }
    context["clarification_form"].criteria.choices = [
        SelectChoice(c.code, f"{c.code}. {c.title}") for c in criteria
    ]
    note_choices = [SelectChoice("", _("De hele aanmelding"))] + [
        SelectChoice(c.code, f"{c.code}. {c.title}") for c in criteria
    ]
    note_form.about.choices = note_choices
    context.update(overrides)
    context["note_form"].about.choices = note_choices
    if "clarification_form" in overrides:
        overrides["clarification_form"].criteria.choices = [
            SelectChoice(c.code, f"{c.code}. {c.title}") for c in criteria
        ]
    return render_template("review/application.html", **context)


def _refused(application_id: int, error: ServiceError, **forms_: Any) -> str:
    return _page(
        ownership.staff_application(application_id, current_user),
        error_message=message_for(error),
        **forms_,
    )


def _done(application: Application, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("review.application", application_id=application.id))


@bp.route("/aanmeldingen/<int:application_id>")
def application(application_id: int) -> str:
    return _page(ownership.staff_application(application_id, current_user))


@bp.route("/aanmeldingen/<int:application_id>/belangenconflict", methods=["POST"])
def declare_conflict(application_id: int) -> str | Response:
    application = ownership.staff_application(application_id, current_user)
    form = forms.ConflictForm()
    if not form.validate_on_submit():
        return _page(application, conflict_form=form)
    try:
        review.declare_conflict(
            application, current_user, form.has_conflict.data == "yes", form.note.data or "", now()
        )
    except ServiceError as error:
        return _refused(application_id, error, conflict_form=form)
    return _done(application, _("Uw verklaring is vastgelegd."))


@bp.route("/aanmeldingen/<int:application_id>/toewijzen", methods=["POST"])
def assign(application_id: int) -> str | Response:
    application = ownership.staff_application(application_id, current_user)
    take = request.form.get("take") == "1"
    form = forms.AssignForm()
    form.assignee.choices = [
        SelectChoice(u.id, u.name) for u in review.reviewers_for(application.das_id)
    ]
    if not take and not form.validate_on_submit():
        return _page(application, assign_form=form)
    if take and not FlaskForm().validate_on_submit():
        abort(400)
    assignee = current_user if take else db.session.get(User, form.assignee.data)
    if assignee is None:  # chosen from the list, and gone since
        abort(404)
    try:
        review.assign(application, assignee, current_user)
    except ServiceError as error:
        return _refused(application_id, error, assign_form=form)
    return _done(application, _("De aanmelding is toegewezen aan %(name)s.", name=assignee.name))


@bp.route("/aanmeldingen/<int:application_id>/verlengen", methods=["POST"])
def extend(application_id: int) -> str | Response:
    application = ownership.staff_application(application_id, current_user)
    form = forms.ExtendForm()
    if not form.validate_on_submit():
        return _page(application, extend_form=form)
    try:
        deadline = review.extend_deadline(
            application, current_user, int(form.working_days.data), form.reason.data or "", now()
        )
    except ServiceError as error:
        return _refused(application_id, error, extend_form=form)
    return _done(
        application, _("De termijn is verlengd tot %(date)s.", date=deadline.strftime("%d-%m-%Y"))
    )


@bp.route("/aanmeldingen/<int:application_id>/beoordelen", methods=["POST"])
def assess(application_id: int) -> str | Response:
    application = ownership.staff_application(application_id, current_user)
    form = forms.assessment_form(application.das.criteria, {})
    if not form.validate_on_submit():
        return _page(application, assessment_form=form)
    # Only the criteria given a verdict: the others stay open (the page says which).
    marks = {
        c.id: review.MarkInput(
            ReviewMark(form[f"c{c.id}_mark"].data), form[f"c{c.id}_reason"].data or ""
        )
        for c in application.das.criteria
        if form[f"c{c.id}_mark"].data in ("pass", "fail")
    }
    try:
        review.assess(application, current_user, marks, now())
    except ServiceError as error:
        return _refused(application_id, error, assessment_form=form)
    return _done(application, _("De beoordeling per eis is opgeslagen."))


@bp.route("/aanmeldingen/<int:application_id>/notities", methods=["POST"])
def add_note(application_id: int) -> str | Response:
    application = ownership.staff_application(application_id, current_user)
    form = forms.NoteForm()
    form.about.choices = [SelectChoice("", "")] + [
        SelectChoice(c.code, c.code) for c in application.das.criteria
    ]
    if not form.validate_on_submit():
        return _page(application, note_form=form)
    try:
        review.add_note(application, current_user, form.text.data or "", form.about.data, now())
    except ServiceError as error:
        return _refused(application_id, error, note_form=form)
    flash(_("Uw notitie is opgeslagen. De aanbieder ziet haar niet."), "success")
    anchor = f"eis-{form.about.data}" if form.about.data else "notities"
    return redirect(url_for("review.application", application_id=application.id, _anchor=anchor))


@bp.route("/aanmeldingen/<int:application_id>/herstelverzoek", methods=["POST"])
def ask_clarification(application_id: int) -> str | Response:
    application = ownership.staff_application(application_id, current_user)
    form = forms.ClarificationForm()
    form.criteria.choices = [SelectChoice(c.code, c.code) for c in application.das.criteria]
    if not form.validate_on_submit():
        return _page(application, clarification_form=form)
    try:
        review.ask_clarification(
            application,
            current_user,
            form.question.data or "",
            list(form.criteria.data or []),
            form.reply_due_on.data,
            now(),
        )
    except ServiceError as error:
        return _refused(application_id, error, clarification_form=form)
    return _done(
        application, _("Het herstelverzoek is verstuurd. De termijn staat stil tot het antwoord.")
    )


@bp.route("/aanmeldingen/<int:application_id>/besluit", methods=["POST"])
def propose(application_id: int) -> str | Response:
    application = ownership.staff_application(application_id, current_user)
    form = forms.decision_form(application.lots, {})
    if not form.validate_on_submit():
        return _page(application, decision_form=form)
    if not current_user.check_password(form.password.data or ""):
        form.password.errors = [message_for(ServiceError("wrong_password"))]
        return _page(application, decision_form=form)
    decisions = {
        al.lot_id: review.LotDecision(
            LotOutcome(form[f"lot{al.lot_id}_outcome"].data),
            form[f"lot{al.lot_id}_reason"].data or "",
        )
        for al in application.lots
    }
    try:
        review.propose_decision(
            application, decisions, current_user, now(), _seen_version(form.version.data)
        )
    except ServiceError as error:
        current = ownership.staff_application(application_id, current_user)
        if error.code == "reason_required":
            for lot_id, decision in decisions.items():
                field = form[f"lot{lot_id}_reason"]
                if decision.outcome is LotOutcome.REJECTED and not decision.reason.strip():
                    field.errors = list(field.errors) + [message_for(error)]
        form.version.data = str(current.version_id)  # the next try is against what is there now
        return _page(current, decision_form=form, error_message=message_for(error))
    if application.state is ApplicationState.DECIDED:
        return _done(application, _("Het besluit is vastgelegd en aan de aanbieder verstuurd."))
    return _done(application, _("Het besluit wacht op bevestiging door een tweede beoordelaar."))


@bp.route("/aanmeldingen/<int:application_id>/bevestigen", methods=["POST"])
def confirm(application_id: int) -> str | Response:
    application = ownership.staff_application(application_id, current_user)
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        return _page(application, confirm_form=form)
    if not current_user.check_password(form.password.data or ""):
        form.password.errors = [message_for(ServiceError("wrong_password"))]
        return _page(application, confirm_form=form)
    try:
        review.confirm_decision(application, current_user, now(), _seen_version(form.version.data))
    except ServiceError as error:
        return _refused(application_id, error)
    return _done(application, _("Het besluit is bevestigd en aan de aanbieder verstuurd."))


@bp.route("/aanmeldingen/<int:application_id>/terugsturen", methods=["POST"])
def return_decision(application_id: int) -> str | Response:
    application = ownership.staff_application(application_id, current_user)
    form = forms.ReturnForm()
    if not form.validate_on_submit():
        return _page(application, return_form=form)
    try:
        review.return_decision(
            application,
            current_user,
            form.reason.data or "",
            now(),
            _seen_version(form.version.data),
        )
    except ServiceError as error:
        return _refused(application_id, error, return_form=form)
    return _done(application, _("Het besluit is teruggestuurd."))


@bp.route("/aanmeldingen/<int:application_id>/actuele-verklaring", methods=["POST"])
def request_declaration(application_id: int) -> str | Response:
    application = ownership.staff_application(application_id, current_user)
    form = forms.DeclarationRequestForm()
    if not form.validate_on_submit():
        return _page(application, request_form=form)
    try:
        declarations.request_update(
            current_user, application, form.message.data or "", form.due_on.data, now()
        )
    except ServiceError as error:
        return _refused(application_id, error, request_form=form)
    return _done(application, _("Het verzoek is verstuurd naar de aanbieder."))


def _reverification_rows(today: date) -> paging.Page[reverification_service.ReverificationRow]:
    return reverification_service.due_page(
        current_user,
        today,
        paging.page_number(request.args.get("pagina")),
        current_app.config["PER_PAGE"],
    )


@bp.route("/herbeoordeling")
def reverification() -> str:
    today = local_date(now())
    return render_template(
        "review/reverification.html",
        rows=_reverification_rows(today),
        today=today,
        form=forms.SuspendForm(formdata=None),
    )


@bp.route("/overeenkomsten/<int:agreement_id>/opschorten", methods=["POST"])
def suspend(agreement_id: int) -> str | Response:
    agreement = ownership.staff_agreement(agreement_id, current_user)
    form = forms.SuspendForm()
    today = local_date(now())
    error_message = None
    if form.validate_on_submit():
        try:
            reverification_service.suspend_admission(
                current_user, agreement, form.reason.data or "", now(), today
            )
        except ServiceError as error:
            error_message = message_for(error)
        else:
            flash(
                _(
                    "De toelating van %(name)s is opgeschort.",
                    name=agreement.organisation.legal_name,
                ),
                "success",
            )
            return redirect(url_for("review.reverification"))
    return render_template(
        "review/reverification.html",
        rows=_reverification_rows(today),
        today=today,
        form=form,
        error_message=error_message,
        failed_agreement_id=agreement.id,
    )
