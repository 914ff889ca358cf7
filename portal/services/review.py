"""The reviewer's work: the queue and its deadlines, assignment and conflicts of interest,
assessment of every answer, clarification, and the four-eyes decision per lot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal.domain import initial_round, working_days
from portal.domain.assessment import CriterionFacts, SavedVerdict, Standing, standing
from portal.domain.eligibility import Mark, pre_mark
from portal.extensions import db
from portal.infra import mail
from portal.infra.timeutil import as_utc, local_date
from portal.models import (
    AgreementState,
    Application,
    ApplicationKind,
    ApplicationState,
    Assessment,
    AutoMark,
    Clarification,
    ConflictDeclaration,
    Criterion,
    EvidenceDocument,
    LotOutcome,
    ReviewMark,
    ReviewNote,
    Role,
    StaffAssignment,
    User,
)
from portal.services import (
    Problem,
    ServiceError,
    agreements,
    assessment_report,
    calendar,
    letters,
    transaction,
)
from portal.services import refuses_stale as _refuses_stale
from portal.services.applications import answer_facts
from portal.services.audit import record
from portal.services.ownership import require_provider_of, require_reviewer
from portal.services.recipients import provider_recipients

IN_REVIEW = (ApplicationState.SUBMITTED, ApplicationState.CLARIFICATION)

refuses_stale = _refuses_stale("application_changed")


# --- who may be assigned ----------------------------------------------------------------


def reviewers_for(das_id: int) -> list[User]:
    """Who may be assigned an application of this DAS."""
    return list(
        db.session.scalars(
            db.select(User)
            .outerjoin(StaffAssignment, StaffAssignment.user_id == User.id)
            .where(
                User.is_active_account.is_(True),
                sa.or_(
                    User.role == Role.ADMINISTRATOR,
                    sa.and_(User.role == Role.REVIEWER, StaffAssignment.das_id == das_id),
                ),
            )
            .distinct()
            .order_by(User.name)
        )
    )


# --- deadlines ----------------------------------------------------------------------------


def pauses_of(application: Application, today: date) -> list[tuple[date, date]]:
    """Clarification pauses as (asked on, answered on); an open one runs until today."""
    return [
        (
            local_date(c.asked_at),
            local_date(c.answered_at) if c.answered_at else today,
        )
        for c in clarifications_of(application)
    ]


def recompute_deadline(application: Application, today: date) -> date:
    assert application.received_at is not None
    received_on = local_date(application.received_at)
    pauses = pauses_of(application, today)
    holidays = calendar.holidays_between(received_on, received_on + timedelta(days=400))
    deadline = initial_round.review_deadline(  # an initial round's: the joint decision date
        received_on,
        application.das.first_round_closes_on,
        application.das.joint_decision_on,
        working_days.review_deadline_with_pauses(
            received_on, holidays, application.review_working_days, pauses
        ),
    )
    application.review_deadline = deadline
    return deadline


@transaction
@refuses_stale
def extend_deadline(
    application: Application, user: User, total_working_days: int, reason: str, now: datetime
) -> date:
    """Extend the review period to `total_working_days` (at most 15, dir. 2014/24 art. 34(5))."""
    require_reviewer(user, application.das_id)
    _require_in_review(application)
    refuse_if_conflicted(application, user)
    if not reason.strip():
        raise ServiceError("extension_reason_required")
    if total_working_days > working_days.MAX_REVIEW_WORKING_DAYS:
        raise ServiceError("extension_beyond_maximum")
    if total_working_days <= application.review_working_days:
        raise ServiceError("extension_not_longer")
    old = application.review_deadline
    application.review_working_days = total_working_days
    application.extension_reason = reason.strip()
    deadline = recompute_deadline(application, local_date(now))
    record(
        "application.extended",
        application,
        user,
        organisation_id=application.organisation_id,
        das_id=application.das_id,
        working_days=total_working_days,
        reason=reason.strip(),
        old_deadline=old.isoformat() if old else None,
        new_deadline=deadline.isoformat(),
    )
    _commit()
    return deadline


def working_days_left(application: Application, today: date) -> int | None:
    """Working days from today to the review deadline (negative: overdue); None while the clock
    is paused for a clarification or there is no deadline."""
    deadline = application.review_deadline
    if application.state is ApplicationState.CLARIFICATION or deadline is None:
        return None
    first, last = min(today, deadline), max(today, deadline)
    holidays = calendar.holidays_between(first, last)
    return working_days.working_days_between(today, deadline, holidays)


# --- assignment and conflicts ---------------------------------------------------------------


def _require_in_review(application: Application) -> None:
    if application.state not in IN_REVIEW:
        raise ServiceError("application_not_in_review")


@transaction
@refuses_stale
def assign(application: Application, assignee: User, actor: User) -> None:
    require_reviewer(actor, application.das_id)
    _require_in_review(application)
    refuse_if_conflicted(application, actor)
    if assignee not in reviewers_for(application.das_id):
        raise ServiceError("not_a_reviewer_of_this_das")
    if conflict_of(application, assignee) is True:
        raise ServiceError("reviewer_has_conflict")
    application.assigned_reviewer_id = assignee.id
    record(
        "application.assigned",
        application,
        actor,
        organisation_id=application.organisation_id,
        das_id=application.das_id,
        assignee=assignee.name,
    )
    _commit()


@transaction
def declare_conflict(
    application: Application, user: User, has_conflict: bool, note: str, now: datetime
) -> None:
    require_reviewer(user, application.das_id)
    if db.session.scalar(
        db.select(ConflictDeclaration.id).where(
            ConflictDeclaration.application_id == application.id,
            ConflictDeclaration.user_id == user.id,
        )
    ):
        raise ServiceError("conflict_already_declared")
    db.session.add(
        ConflictDeclaration(
            application_id=application.id,
            user_id=user.id,
            has_conflict=has_conflict,
            note=note.strip(),
            declared_at=now,
        )
    )
    if has_conflict and application.assigned_reviewer_id == user.id:
        application.assigned_reviewer_id = None
    record(
        "conflict.declared",
        application,
        user,
        organisation_id=application.organisation_id,
        das_id=application.das_id,
        has_conflict=has_conflict,
    )
    _commit()


def conflict_of(application: Application, user: User) -> bool | None:
    """True: a conflict; False: declared none; None: not declared yet."""
    return db.session.scalar(
        db.select(ConflictDeclaration.has_conflict).where(
            ConflictDeclaration.application_id == application.id,
            ConflictDeclaration.user_id == user.id,
        )
    )


def refuse_if_conflicted(application: Application, user: User) -> None:
    """A conflict of interest binds everything: who declared one on an application
    does nothing with it any more (assign it, extend its term, ask, assess, decide, confirm,
    ask for an update) and reads nothing of it beyond what the queue shows (its answers,
    evidence, questions, decisions, letter and timeline). Declaring no conflict is not needed
    for this; for assessing and deciding it is (_require_no_conflict)."""
    if conflict_of(application, user):
        raise ServiceError("own_conflict")


def conflicted_application_ids(user: User, application_ids: list[int]) -> set[int]:
    """Which of these applications the user declared a conflict of interest on."""
    return set(
        db.session.scalars(
            db.select(ConflictDeclaration.application_id).where(
                ConflictDeclaration.user_id == user.id,
                ConflictDeclaration.has_conflict.is_(True),
                ConflictDeclaration.application_id.in_(application_ids),
            )
        )
    )


def conflicted_with_provider(user: User, das_id: int, organisation_id: int) -> bool:
    """Whether the user declared a conflict of interest on any application of this provider
    in this DAS: then they act on none of its admission either (an update request, a
    suspension)."""
    return (
        db.session.scalar(
            db.select(ConflictDeclaration.id)
            .join(Application, Application.id == ConflictDeclaration.application_id)
            .where(
                ConflictDeclaration.user_id == user.id,
                ConflictDeclaration.has_conflict.is_(True),
                Application.das_id == das_id,
                Application.organisation_id == organisation_id,
            )
            .limit(1)
        )
        is not None
    )


def _require_no_conflict(application: Application, user: User) -> None:
    declared = conflict_of(application, user)
    if declared is None:
        raise ServiceError("declare_conflict_first")
    if declared:
        raise ServiceError("reviewer_has_conflict")


# --- assessment ------------------------------------------------------------------------------


def pre_marks(application: Application) -> dict[str, Mark]:
    """The rules' verdict per criterion code, judged on the day the application was received."""
    assert application.received_at is not None
    on = local_date(application.received_at)
    return {facts.code: pre_mark(facts, on) for facts in answer_facts(application)}


def assessments_of(application: Application) -> dict[int, Assessment]:
    return {
        a.criterion_id: a
        for a in db.session.scalars(
            db.select(Assessment).where(Assessment.application_id == application.id)
        )
    }


def standings(
    application: Application,
    *,
    marks: Mapping[str, Mark] | None = None,
    assessed: Mapping[int, Assessment] | None = None,
    clarifications: list[Clarification] | None = None,
) -> dict[int, Standing]:
    """Per criterion id, where it stands (portal.domain.assessment): the verdict its control
    starts with and why it still needs an explicit assessment. A page that loaded the marks,
    assessments or clarifications already passes them in."""
    marks = pre_marks(application) if marks is None else marks
    assessed = assessments_of(application) if assessed is None else assessed
    clarifications = clarifications_of(application) if clarifications is None else clarifications
    found = {}
    for criterion in application.das.criteria:
        about = [c for c in clarifications if criterion.code in c.criterion_codes]
        # New evidence: a clarification about it answered. During review only a reply attaches
        # documents to an answer (answer_clarification), so its time is when they came; an
        # upload's own date says nothing (a document may be uploaded long before it is used).
        arrived = [as_utc(c.answered_at) for c in about if c.answered_at is not None]
        saved = assessed.get(criterion.id)
        found[criterion.id] = standing(
            CriterionFacts(
                code=criterion.code,
                pre_mark=marks[criterion.code],
                open_clarification=any(c.is_open for c in about),
                evidence_since=max(arrived, default=None),
                saved=SavedVerdict(Mark(saved.mark.value), as_utc(saved.assessed_at))
                if saved is not None
                else None,
            )
        )
    return found


def still_to_assess(
    application: Application, found: Mapping[int, Standing] | None = None
) -> list[Problem]:
    """The criteria that need an explicit assessment before a proposal, each as "code, title,
    why" for the refusal's message."""
    found = standings(application) if found is None else found
    return [
        Problem(
            "criterion_to_assess",
            criterion=criterion.code,
            title=criterion.title,
            why=Problem(f"attention_{found[criterion.id].needs}"),
        )
        for criterion in application.das.criteria
        if not found[criterion.id].settled
    ]


@dataclass(frozen=True)
class MarkInput:
    mark: ReviewMark
    reason: str = ""


@transaction
def assess(
    application: Application, user: User, marks: Mapping[int, MarkInput], now: datetime
) -> None:
    """Confirm or override the rule's mark per criterion. A fail or an override needs a reason;
    a "needs judgement" mark is always the reviewer's call. Only the criteria given are saved:
    a criterion left open is not an error here, the proposal refuses while one is
    (still_to_assess)."""
    require_reviewer(user, application.das_id)
    _require_in_review(application)
    _require_no_conflict(application, user)
    if application.decision_proposed_at is not None:
        raise ServiceError("decision_already_proposed")
    if not marks:
        raise ServiceError("no_verdict_given")
    criteria = {c.id: c for c in application.das.criteria}
    automatic = pre_marks(application)
    existing = assessments_of(application)
    missing_reason = []
    for criterion_id, given in marks.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise ServiceError("unknown_criterion")
        auto = AutoMark(automatic[criterion.code].value)
        if (
            given.mark is ReviewMark.FAIL or auto.value != given.mark.value
        ) and not given.reason.strip():
            missing_reason.append(criterion.code)
    if missing_reason:
        raise ServiceError("mark_reason_required", codes=", ".join(missing_reason))
    # A verdict that still counts and is given again unchanged keeps who gave it and when: the
    # second reviewer sees who really assessed what.
    found = standings(application, marks=automatic, assessed=existing)
    marks = {
        criterion_id: given
        for criterion_id, given in marks.items()
        if not (
            criterion_id in existing
            and found[criterion_id].settled
            and existing[criterion_id].mark is given.mark
            and existing[criterion_id].reason == given.reason.strip()
        )
    }
    if not marks:
        return
    for criterion_id, given in marks.items():
        code = criteria[criterion_id].code
        auto = AutoMark(automatic[code].value)
        assessment = existing.get(criterion_id)
        if assessment is None:
            assessment = Assessment(application_id=application.id, criterion_id=criterion_id)
            db.session.add(assessment)
        assessment.auto_mark = auto
        assessment.mark = given.mark
        assessment.reason = given.reason.strip()
        assessment.assessed_by_id = user.id
        assessment.assessed_at = now
    record(
        "application.assessed",
        application,
        user,
        organisation_id=application.organisation_id,
        das_id=application.das_id,
        marks={criteria[i].code: m.mark.value for i, m in marks.items()},
    )
    _commit()


# --- notes between reviewers -------------------------------------------------------------------


def notes_of(
    application: Application, user: User, conflicted: bool | None = None
) -> list[ReviewNote]:
    """The notes between the reviewers of this application, oldest first. Never the provider's
    to read; nor a reviewer's who declared a conflict of interest. A page that loaded the
    reader's declaration passes `conflicted`, and one who may see the application as staff
    (portal.services.ownership.staff_application) is asked nothing more."""
    if conflicted is None:
        require_reviewer(user, application.das_id)
        refuse_if_conflicted(application, user)
    elif conflicted or user.role not in (Role.REVIEWER, Role.ADMINISTRATOR):
        raise ServiceError("own_conflict")
    return list(
        db.session.scalars(
            db.select(ReviewNote)
            .options(joinedload(ReviewNote.author))
            .where(ReviewNote.application_id == application.id)
            .order_by(ReviewNote.written_at, ReviewNote.id)
        )
    )


@transaction
def add_note(
    application: Application, user: User, text: str, criterion_code: str, now: datetime
) -> ReviewNote:
    """A note for the other reviewers, about one criterion (its code) or the whole application
    (an empty code). The audit trail says that a note was written and about what, never its
    text: the provider's privacy export lists the events of its applications."""
    require_reviewer(user, application.das_id)
    refuse_if_conflicted(application, user)
    if not text.strip():
        raise ServiceError("note_required")
    criterion_id = None
    if criterion_code:
        criterion = criteria_by_code(application).get(criterion_code)
        if criterion is None:
            raise ServiceError("unknown_criterion")
        criterion_id = criterion.id
    note = ReviewNote(
        application_id=application.id,
        criterion_id=criterion_id,
        author_id=user.id,
        text=text.strip(),
        written_at=now,
    )
    db.session.add(note)
    record(
        "review.note_written",
        application,
        user,
        organisation_id=application.organisation_id,
        das_id=application.das_id,
        criterion=criterion_code or None,
    )
    _commit()
    return note


# --- clarification ---------------------------------------------------------------------------


def clarifications_of(application: Application) -> list[Clarification]:
    return list(
        db.session.scalars(
            db.select(Clarification)
            # The pages list each answer's documents: one more query, not one per question.
            .options(joinedload(Clarification.asked_by), selectinload(Clarification.documents))
            .where(Clarification.application_id == application.id)
            .order_by(Clarification.asked_at, Clarification.id)
        )
    )


@transaction
@refuses_stale
def ask_clarification(
    application: Application,
    user: User,
    question: str,
    criterion_codes: list[str],
    reply_due_on: date,
    now: datetime,
) -> Clarification:
    require_reviewer(user, application.das_id)
    if application.state is not ApplicationState.SUBMITTED:
        raise ServiceError("application_not_in_review")
    _require_no_conflict(application, user)
    if not question.strip():
        raise ServiceError("question_required")
    if reply_due_on <= local_date(now):
        raise ServiceError("due_date_in_past")
    known = {c.code for c in application.das.criteria}
    if not set(criterion_codes) <= known:
        raise ServiceError("unknown_criterion")
    clarification = Clarification(
        application_id=application.id,
        asked_by_id=user.id,
        asked_at=now,
        reply_due_on=reply_due_on,
        question=question.strip(),
        criterion_codes=criterion_codes,
    )
    db.session.add(clarification)
    application.state = ApplicationState.CLARIFICATION
    record(
        "clarification.asked",
        application,
        user,
        organisation_id=application.organisation_id,
        das_id=application.das_id,
        criteria=criterion_codes,
        reply_due_on=reply_due_on.isoformat(),
    )
    db.session.flush()  # the clarification's id, for the link
    for recipient in provider_recipients(application.organisation_id):
        mail.queue(
            recipient.email,
            _l("Vraag over uw aanmelding %(reference)s", reference=application.reference),
            "clarification_asked",
            user=recipient,
            application=application,
            clarification=clarification,
            link=mail.link(
                "supplier.clarification",
                application_id=application.id,
                clarification_id=clarification.id,
            ),
        )
    _commit()
    return clarification


@transaction
@refuses_stale
def answer_clarification(
    application: Application,
    clarification: Clarification,
    user: User,
    answer: str,
    document_ids: list[int],
    now: datetime,
) -> None:
    """The provider's reply. New evidence is attached to the reply and to the answers the
    question was about, so the rules judge it; the clock runs again from the next day."""
    require_provider_of(user, application.organisation_id)
    if clarification.application_id != application.id or not clarification.is_open:
        raise ServiceError("clarification_closed")
    if not answer.strip() and not document_ids:
        raise ServiceError("reply_required")
    documents = list(
        db.session.scalars(
            db.select(EvidenceDocument).where(
                EvidenceDocument.id.in_(document_ids),
                EvidenceDocument.organisation_id == application.organisation_id,
            )
        )
    )
    if len(documents) != len(set(document_ids)):
        raise ServiceError("unknown_document")
    clarification.answer = answer.strip()
    clarification.answered_at = now
    clarification.answered_by_id = user.id
    clarification.documents = documents
    for criterion in application.das.criteria:
        if criterion.code in clarification.criterion_codes and criterion.evidence_required:
            existing = application.answer_for(criterion)
            if existing is not None:
                existing.documents = list(existing.documents) + [
                    d for d in documents if d not in existing.documents
                ]
    if not any(c.is_open for c in clarifications_of(application) if c is not clarification):
        application.state = ApplicationState.SUBMITTED
    recompute_deadline(application, local_date(now))
    record(
        "clarification.answered",
        application,
        user,
        organisation_id=application.organisation_id,
        das_id=application.das_id,
        documents=[d.id for d in documents],
        new_deadline=application.review_deadline.isoformat()
        if application.review_deadline
        else None,
    )
    _commit()


# --- decisions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LotDecision:
    outcome: LotOutcome
    reason: str


@transaction
@refuses_stale
def propose_decision(
    application: Application,
    decisions: Mapping[int, LotDecision],
    reviewer: User,
    now: datetime,
    seen_version: int,
) -> Application:
    """Record the decision per lot. Where the DAS requires four eyes it waits for a second
    reviewer's confirmation; otherwise it takes effect at once.

    `seen_version` is the version the reviewer looked at: if someone else changed the
    application since, the decision is refused rather than laid over theirs."""
    require_reviewer(reviewer, application.das_id)
    if application.version_id != seen_version:
        raise ServiceError("application_changed")
    if application.state is not ApplicationState.SUBMITTED:
        raise ServiceError("application_not_in_review")
    if application.decision_proposed_at is not None:
        raise ServiceError("decision_already_proposed")
    _require_no_conflict(application, reviewer)
    applied = {al.lot_id: al for al in application.lots}
    if set(decisions) != set(applied):
        raise ServiceError("decide_every_lot")
    # No rubber stamp: every criterion assessed, and again after new evidence about it.
    to_assess = still_to_assess(application)
    if to_assess:
        raise ServiceError("assess_these_first", criteria=to_assess)
    assessed = assessments_of(application)
    any_failed = any(a.mark is ReviewMark.FAIL for a in assessed.values())
    for decision in decisions.values():
        if decision.outcome is LotOutcome.PENDING:
            raise ServiceError("decide_every_lot")
        if decision.outcome is LotOutcome.REJECTED and not decision.reason.strip():
            raise ServiceError("reason_required")
        if decision.outcome is LotOutcome.ADMITTED and any_failed:
            raise ServiceError("admit_with_failed_criteria")
    for lot_id, decision in decisions.items():
        application_lot = applied[lot_id]
        application_lot.outcome = decision.outcome
        application_lot.reason = decision.reason.strip()
        application_lot.decided_by_id = reviewer.id
        application_lot.decided_at = now
    application.decision_proposed_by_id = reviewer.id
    application.decision_proposed_at = now
    record(
        "decision.proposed",
        application,
        reviewer,
        organisation_id=application.organisation_id,
        das_id=application.das_id,
        lots={str(k): v.outcome.value for k, v in decisions.items()},
    )
    if not application.das.four_eyes:
        return _finalise(application, reviewer, now)
    _commit()
    return application


@transaction
@refuses_stale
def confirm_decision(
    application: Application, reviewer: User, now: datetime, seen_version: int
) -> Application:
    """The second reviewer confirms the proposed decision; nobody confirms their own."""
    require_reviewer(reviewer, application.das_id)
    if application.version_id != seen_version:
        raise ServiceError("application_changed")
    if (
        application.state is not ApplicationState.SUBMITTED
        or application.decision_proposed_at is None
    ):
        raise ServiceError("nothing_to_confirm")
    if application.decision_proposed_by_id == reviewer.id:
        raise ServiceError("own_decision")
    _require_no_conflict(application, reviewer)
    record(
        "decision.confirmed",
        application,
        reviewer,
        organisation_id=application.organisation_id,
        das_id=application.das_id,
        proposed_by=application.decision_proposed_by_id,
    )
    return _finalise(application, reviewer, now)


@transaction
@refuses_stale
def return_decision(
    application: Application, reviewer: User, reason: str, now: datetime, seen_version: int
) -> None:
    """The second reviewer sends the proposal back; the lots are open again."""
    require_reviewer(reviewer, application.das_id)
    if application.version_id != seen_version:
        raise ServiceError("application_changed")
    if (
        application.decision_proposed_at is None
        or application.state is not ApplicationState.SUBMITTED
    ):
        raise ServiceError("nothing_to_confirm")
    if application.decision_proposed_by_id == reviewer.id:
        raise ServiceError("own_decision")
    if not reason.strip():
        raise ServiceError("return_reason_required")
    _require_no_conflict(application, reviewer)
    for application_lot in application.lots:
        application_lot.outcome = LotOutcome.PENDING
        application_lot.reason = ""
        application_lot.decided_by_id = None
        application_lot.decided_at = None
    application.decision_proposed_by_id = None
    application.decision_proposed_at = None
    record(
        "decision.returned",
        application,
        reviewer,
        organisation_id=application.organisation_id,
        das_id=application.das_id,
        reason=reason.strip(),
    )
    _commit()


def _finalise(application: Application, confirmer: User, now: datetime) -> Application:
    admission_date = local_date(now)
    for application_lot in application.lots:
        application_lot.confirmed_by_id = confirmer.id
        application_lot.confirmed_at = now
        record(
            f"lot.{application_lot.outcome.value}",
            application,
            confirmer,
            organisation_id=application.organisation_id,
            das_id=application.das_id,
            lot_id=application_lot.lot_id,
            reason=application_lot.reason,
        )
    application.state = ApplicationState.DECIDED
    application.decided_at = now
    admitted = [al.lot_id for al in application.lots if al.outcome is LotOutcome.ADMITTED]
    if admitted:
        agreements.admit_lots(application, admitted, admission_date, confirmer)
    if application.kind is ApplicationKind.UPDATE:
        agreement = agreements.agreement_of(application.das_id, application.organisation_id)
        if admitted and agreement is not None and agreement.state is AgreementState.SUSPENDED:
            # The update that was asked for has come and is accepted: the admission resumes.
            agreement.state = (
                AgreementState.LIVE
                if agreement.authority_signed_at
                else AgreementState.AWAITING_SIGNATURE
            )
            agreements.follow_common_end_date(agreement, admission_date, confirmer)
            record(
                "agreement.resumed",
                agreement,
                confirmer,
                organisation_id=application.organisation_id,
                das_id=application.das_id,
                state=agreement.state.value,
            )
        # A rejected update of the declaration ends the admission for that lot.
        for application_lot in application.lots:
            if application_lot.outcome is LotOutcome.REJECTED:
                agreements.end_lots(
                    application,
                    [application_lot.lot_id],
                    admission_date,
                    application_lot.reason,
                    confirmer,
                )
    record(
        "application.decided",
        application,
        confirmer,
        organisation_id=application.organisation_id,
        das_id=application.das_id,
    )
    # Recorded with the decision, rendered (and the letter mailed) by jobs once it commits.
    letters.write_decision_letter(application, now)
    assessment_report.write_report(application, now)
    _commit()
    return application


def decide(
    application: Application,
    decisions: Mapping[int, LotDecision],
    reviewer: User,
    now: datetime,
    seen_version: int,
) -> Application:
    """Propose and, where a second reviewer is needed, leave it for them (see propose_decision)."""
    return propose_decision(application, decisions, reviewer, now, seen_version)


def _commit() -> None:
    try:
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise ServiceError("application_changed") from error


def criteria_by_code(application: Application) -> dict[str, Criterion]:
    return {c.code: c for c in application.das.criteria}
