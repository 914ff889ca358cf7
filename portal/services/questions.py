"""Questions and answers on a DAS (nota van inlichtingen, issue 20).

A provider's user asks a question about a published DAS; the DAS's staff answer it (at once, or
as a draft published later), merge a duplicate into another question, and correct a published
answer: a correction is a new revision, the earlier texts stay readable. The public page shows
the answered questions without the asker's name or organisation. The asker (and the askers of
the duplicates merged into it) get a mail when the answer is published or corrected, queued in
the same transaction; staff get no mail per question (their task list counts the open ones:
`Question.das_id == das.id, Question.state == QuestionState.OPEN`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from portal.domain import questions as rules
from portal.extensions import db
from portal.infra import mail
from portal.models import (
    Das,
    DasState,
    Question,
    QuestionRevision,
    QuestionState,
    QuestionSubject,
    User,
)
from portal.services import ServiceError, transaction
from portal.services.audit import record
from portal.services.ownership import require_provider, require_reviewer

#: A provider asks about the announcement of a DAS that is published and not ended.
ASKING_STATES = (DasState.OPEN, DasState.CLOSED)

#: How often asking takes the next number when another question took the one it read.
_NUMBER_ATTEMPTS = 3

#: The staff's list: what each filter shows.
STAFF_FILTERS: dict[str, tuple[QuestionState, ...]] = {
    "open": (QuestionState.OPEN,),
    "answered": (QuestionState.ANSWERED,),
    "merged": (QuestionState.MERGED,),
    "all": (QuestionState.OPEN, QuestionState.ANSWERED, QuestionState.MERGED),
}


#: The refusal of each problem with a question's or an answer's text: the page shows it at the
#: text field.
QUESTION_TEXT_REFUSALS = {
    rules.TextProblem.EMPTY: "question_empty",
    rules.TextProblem.TOO_SHORT: "question_too_short",
    rules.TextProblem.TOO_LONG: "question_too_long",
    rules.TextProblem.CONTROL_CHARACTERS: "question_control_characters",
}
ANSWER_TEXT_REFUSALS = {
    rules.TextProblem.EMPTY: "answer_empty",
    rules.TextProblem.TOO_SHORT: "answer_too_short",
    rules.TextProblem.TOO_LONG: "answer_too_long",
    rules.TextProblem.CONTROL_CHARACTERS: "answer_control_characters",
}
TEXT_REFUSALS = frozenset({*QUESTION_TEXT_REFUSALS.values(), *ANSWER_TEXT_REFUSALS.values()})


def _question_text(text: str) -> str:
    problem = rules.question_problem(text)
    if problem is not None:
        raise ServiceError(
            QUESTION_TEXT_REFUSALS[problem],
            minimum=rules.MIN_QUESTION_LENGTH,
            maximum=rules.MAX_QUESTION_LENGTH,
        )
    return rules.normalised(text)


def _answer_text(text: str) -> str:
    problem = rules.answer_problem(text)
    if problem is not None:
        raise ServiceError(ANSWER_TEXT_REFUSALS[problem], maximum=rules.MAX_ANSWER_LENGTH)
    return rules.normalised(text)


# --- reading ----------------------------------------------------------------------------------


def for_organisation(das_id: int, organisation_id: int) -> list[Question]:
    """The organisation's own questions about a DAS, newest first, with their answers."""
    return list(
        db.session.scalars(
            db.select(Question)
            .where(Question.das_id == das_id, Question.organisation_id == organisation_id)
            .options(selectinload(Question.merged_into))
            .order_by(Question.number.desc())
        )
    )


@dataclass(frozen=True)
class StaffList:
    questions: list[Question]
    counts: dict[QuestionState, int]


def for_staff(das_id: int, shown: str) -> StaffList:
    """The DAS's questions for its staff: the open ones first (oldest first: they wait longest),
    then the rest by number; with the count per state, for the filters."""
    states = STAFF_FILTERS.get(shown, STAFF_FILTERS["open"])
    waiting_first = sa.case((Question.state == QuestionState.OPEN, 0), else_=1)
    found = db.session.scalars(
        db.select(Question)
        .where(Question.das_id == das_id, Question.state.in_(states))
        .options(joinedload(Question.organisation), selectinload(Question.merged_into))
        .order_by(waiting_first, Question.number)
    )
    counts = dict.fromkeys(QuestionState, 0)
    for state, count in db.session.execute(
        db.select(Question.state, sa.func.count())
        .where(Question.das_id == das_id)
        .group_by(Question.state)
    ):
        counts[state] = count
    return StaffList(list(found), counts)


def question_of(das: Das, question_id: int) -> Question | None:
    """A question about this DAS (loaded through the staff's DAS check first), or None."""
    return db.session.scalar(
        db.select(Question)
        .where(Question.id == question_id, Question.das_id == das.id)
        .options(
            joinedload(Question.organisation),
            joinedload(Question.asked_by),
            selectinload(Question.revisions),
            selectinload(Question.merged_into),
        )
    )


def merge_targets(question: Question) -> list[Question]:
    """The questions of the same DAS a duplicate may be merged into."""
    return list(
        db.session.scalars(
            db.select(Question)
            .where(
                Question.das_id == question.das_id,
                Question.id != question.id,
                Question.state != QuestionState.MERGED,
            )
            .order_by(Question.number)
        )
    )


def duplicates_of(question: Question) -> list[Question]:
    return list(
        db.session.scalars(
            db.select(Question)
            .where(Question.merged_into_id == question.id)
            .order_by(Question.number)
        )
    )


@dataclass(frozen=True)
class SubjectGroup:
    subject: QuestionSubject
    questions: list[Question]


def published(das_id: int) -> list[SubjectGroup]:
    """The answered questions of a DAS grouped by subject (in QuestionSubject's order), each
    group by number. Nothing of the asker is loaded: the page cannot show what it lacks."""
    found = db.session.scalars(
        db.select(Question)
        .where(Question.das_id == das_id, Question.state == QuestionState.ANSWERED)
        .options(selectinload(Question.revisions))
        .order_by(Question.number)
    )
    groups: dict[QuestionSubject, list[Question]] = {}
    for question in found:
        groups.setdefault(question.subject, []).append(question)
    return [SubjectGroup(s, groups[s]) for s in QuestionSubject if s in groups]


def published_count(das_id: int) -> int:
    return int(
        db.session.scalar(
            db.select(sa.func.count())
            .select_from(Question)
            .where(Question.das_id == das_id, Question.state == QuestionState.ANSWERED)
        )
        or 0
    )


# --- writing ----------------------------------------------------------------------------------


@transaction
def ask(das: Das, actor: User, subject: QuestionSubject, text: str, now: datetime) -> Question:
    """A provider's user asks a question about a published DAS."""
    organisation_id = require_provider(actor)
    if das.state not in ASKING_STATES:
        raise ServiceError("not_found")
    clean = _question_text(text)
    # Numbers are unique per DAS (a constraint). Two questions asked at the same moment read the
    # same highest number; the second insert then fails on the constraint, in a savepoint, and
    # takes the next number.
    for attempt in range(_NUMBER_ATTEMPTS):
        last = db.session.scalar(
            db.select(sa.func.max(Question.number)).where(Question.das_id == das.id)
        )
        question = Question(
            das_id=das.id,
            number=(last or 0) + 1,
            organisation_id=organisation_id,
            asked_by_id=actor.id,
            asked_at=now,
            subject=subject,
            text=clean,
            state=QuestionState.OPEN,
        )
        try:
            with db.session.begin_nested():
                db.session.add(question)
        except IntegrityError:
            if attempt == _NUMBER_ATTEMPTS - 1:
                raise
            continue
        break
    record(
        "question.asked",
        question,
        actor,
        organisation_id=organisation_id,
        das_id=das.id,
        number=question.number,
    )
    db.session.commit()
    return question


def _require_staff(question: Question, actor: User) -> None:
    require_reviewer(actor, question.das_id)


@transaction
def save_answer(
    question: Question,
    actor: User,
    text: str,
    subject: QuestionSubject,
    *,
    publish: bool,
    now: datetime,
) -> Question:
    """Staff answer an open question: published at once, or kept as a draft to publish later.
    The subject may be corrected with it."""
    _require_staff(question, actor)
    if question.state is QuestionState.MERGED:
        raise ServiceError("question_merged")
    if question.state is QuestionState.ANSWERED:
        raise ServiceError("question_already_answered")
    clean = _answer_text(text)
    question.subject = subject
    if not publish:
        question.draft_answer = clean
        record(
            "question.draft_saved",
            question,
            actor,
            organisation_id=question.organisation_id,
            das_id=question.das_id,
        )
        db.session.commit()
        return question
    question.draft_answer = None
    question.answer = clean
    question.answered_at = now
    question.state = QuestionState.ANSWERED
    question.revisions.append(QuestionRevision(text=clean, published_at=now, published_by=actor))
    record(
        "question.answered",
        question,
        actor,
        organisation_id=question.organisation_id,
        das_id=question.das_id,
        subject=subject.value,
    )
    _tell_askers(question, [question, *duplicates_of(question)], corrected=False)
    db.session.commit()
    return question


@transaction
def correct(question: Question, actor: User, text: str, now: datetime) -> Question:
    """Staff correct a published answer: a new revision; the public page says it was corrected
    and keeps the earlier text readable. The askers are told."""
    _require_staff(question, actor)
    if question.state is not QuestionState.ANSWERED:
        raise ServiceError("question_not_answered")
    clean = _answer_text(text)
    if clean == question.answer:
        raise ServiceError("answer_unchanged")
    question.answer = clean
    question.corrected_at = now
    question.revisions.append(QuestionRevision(text=clean, published_at=now, published_by=actor))
    db.session.flush()
    record(
        "question.corrected",
        question,
        actor,
        organisation_id=question.organisation_id,
        das_id=question.das_id,
        revision=len(question.revisions),
    )
    _tell_askers(question, [question, *duplicates_of(question)], corrected=True)
    db.session.commit()
    return question


@transaction
def merge(question: Question, target_id: int, actor: User, now: datetime) -> Question:
    """Staff merge a duplicate into another question of the same DAS: it is answered there.
    Its asker is told when that answer is published (at once, if it already is)."""
    _require_staff(question, actor)
    if question.state is not QuestionState.OPEN:
        raise ServiceError("question_not_open")
    target = db.session.get(Question, target_id)
    if target is None or target.das_id != question.das_id:
        raise ServiceError("merge_target_unknown")
    if target.id == question.id:
        raise ServiceError("merge_into_itself")
    if target.state is QuestionState.MERGED:
        raise ServiceError("merge_target_merged")
    question.state = QuestionState.MERGED
    question.merged_into_id = target.id
    question.merged_into = target
    question.draft_answer = None
    record(
        "question.merged",
        question,
        actor,
        organisation_id=question.organisation_id,
        das_id=question.das_id,
        into=target.id,
    )
    if target.state is QuestionState.ANSWERED:
        _tell_askers(target, [question], corrected=False)
    db.session.commit()
    return question


def _tell_askers(answered: Question, asked: Iterable[Question], *, corrected: bool) -> None:
    """Mail each asker (once, however many of their questions this answers) that the answer to
    their question is published or corrected, with a link to their questions page."""
    das = db.session.get(Das, answered.das_id)
    assert das is not None
    told: set[int] = set()
    for question in asked:
        asker = question.asked_by
        if asker.id in told or not asker.is_active_account:
            continue
        told.add(asker.id)
        subject = (
            _l("Antwoord op uw vraag gecorrigeerd: %(das)s", das=das.name)
            if corrected
            else _l("Antwoord op uw vraag: %(das)s", das=das.name)
        )
        mail.queue(
            asker.email,
            subject,
            "question_answered",
            user=asker,
            das=das,
            question=question,
            answered=answered,
            corrected=corrected,
            link=mail.link("supplier.das_questions", slug=das.slug) + f"#vraag-{question.number}",
        )
