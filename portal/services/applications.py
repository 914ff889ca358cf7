"""A provider's application: start, fill in, check for completeness, submit exactly once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from portal.domain import eligibility
from portal.extensions import db
from portal.models import (
    Answer,
    Application,
    ApplicationLot,
    ApplicationState,
    CriterionKind,
    Das,
    EvidenceDocument,
    User,
)
from portal.services import ServiceError, calendar
from portal.services.audit import record
from portal.timeutil import local_date

OPEN_STATES = (ApplicationState.DRAFT, ApplicationState.SUBMITTED, ApplicationState.CLARIFICATION)


@dataclass(frozen=True)
class AnswerInput:
    value: bool | None
    explanation: str = ""
    self_cleaning: str = ""
    document_ids: tuple[int, ...] = ()


def open_application(das: Das, organisation_id: int) -> Application | None:
    return db.session.scalar(
        db.select(Application).where(
            Application.das_id == das.id,
            Application.organisation_id == organisation_id,
            Application.state.in_(OPEN_STATES),
        )
    )


def start_application(das: Das, user: User) -> Application:
    """Start a draft, or return the organisation's draft for this DAS if there already is one."""
    if not das.is_open:
        raise ServiceError("das_not_open")
    assert user.organisation_id is not None
    existing = open_application(das, user.organisation_id)
    if existing is not None:
        if existing.is_draft:
            return existing
        raise ServiceError("application_in_review")
    application = Application(das=das, organisation_id=user.organisation_id, created_by=user)
    db.session.add(application)
    record(
        "application.started",
        application,
        user,
        organisation_id=user.organisation_id,
        das_id=das.id,
    )
    db.session.commit()
    return application


def _require_draft(application: Application) -> None:
    if not application.is_draft:
        raise ServiceError("application_not_draft")


def save_lots(application: Application, lot_ids: Iterable[int], user: User) -> None:
    _require_draft(application)
    valid = {lot.id for lot in application.das.lots}
    wanted = set(lot_ids)
    if not wanted <= valid:
        raise ServiceError("unknown_lot")
    current = {al.lot_id: al for al in application.lots}
    for lot_id in current.keys() - wanted:
        application.lots.remove(current[lot_id])
    for lot_id in sorted(wanted - current.keys()):
        application.lots.append(ApplicationLot(lot_id=lot_id))
    record(
        "application.lots_saved",
        application,
        user,
        organisation_id=application.organisation_id,
        lots=sorted(wanted),
    )
    db.session.commit()


def save_answers(application: Application, answers: Mapping[int, AnswerInput], user: User) -> None:
    """Store answers to the given criteria; a draft may be saved half-filled at any time."""
    _require_draft(application)
    criteria = {c.id: c for c in application.das.criteria}
    own_documents = {
        d.id: d
        for d in db.session.scalars(
            db.select(EvidenceDocument).where(
                EvidenceDocument.organisation_id == application.organisation_id
            )
        )
    }
    for criterion_id, given in answers.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise ServiceError("unknown_criterion")
        if not set(given.document_ids) <= own_documents.keys():
            raise ServiceError("unknown_document")
        answer = application.answer_for(criterion)
        if answer is None:
            answer = Answer(criterion=criterion)
            application.answers.append(answer)
        answer.value = given.value
        answer.explanation = given.explanation.strip()
        answer.self_cleaning = given.self_cleaning.strip()
        answer.documents = [own_documents[i] for i in given.document_ids]
    record(
        "application.answers_saved",
        application,
        user,
        organisation_id=application.organisation_id,
        criteria=sorted(answers),
    )
    db.session.commit()


def answer_facts(application: Application) -> list[eligibility.AnswerFacts]:
    """Every criterion of the DAS with this application's answer, as plain values."""
    facts = []
    for criterion in application.das.criteria:
        answer = application.answer_for(criterion)
        facts.append(
            eligibility.AnswerFacts(
                code=criterion.code,
                is_exclusion=criterion.kind is CriterionKind.EXCLUSION,
                passing_answer=criterion.passing_answer,
                evidence_required=criterion.evidence_required,
                max_age_months=criterion.max_evidence_age_months,
                answer=answer.value if answer else None,
                explanation=answer.explanation if answer else "",
                self_cleaning=answer.self_cleaning if answer else "",
                documents=tuple(
                    eligibility.DocumentFacts(d.issued_on, d.expires_on)
                    for d in (answer.documents if answer else [])
                ),
            )
        )
    return facts


def missing_items(application: Application, on: date) -> list[eligibility.Missing]:
    return eligibility.completeness(len(application.lots), answer_facts(application), on)


def submit(application: Application, user: User, now: datetime) -> Application:
    """Submit a complete draft. Exactly one of two simultaneous submissions succeeds: the state
    changes with a conditional UPDATE, so the second finds no draft left."""
    if not user.may_submit:
        raise ServiceError("not_allowed_to_submit")
    _require_draft(application)
    if not application.das.is_open:
        raise ServiceError("das_not_open")
    received_on = local_date(now)
    if missing_items(application, received_on):
        raise ServiceError("application_incomplete")
    deadline = calendar.review_deadline(received_on, application.das.review_working_days)
    reference = f"{application.das.reference}-{application.id:06d}"
    result = db.session.execute(
        sa.update(Application)
        .where(Application.id == application.id, Application.state == ApplicationState.DRAFT)
        .values(
            state=ApplicationState.SUBMITTED,
            reference=reference,
            received_at=now,
            review_deadline=deadline,
            submitted_by_id=user.id,
            updated_at=now,
            version_id=Application.version_id + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise ServiceError("application_not_draft")
    record(
        "application.submitted",
        application,
        user,
        organisation_id=application.organisation_id,
        das_id=application.das_id,
        reference=reference,
        review_deadline=deadline.isoformat(),
    )
    db.session.commit()
    db.session.refresh(application)
    return application


def applications_of(organisation_id: int) -> list[Application]:
    return list(
        db.session.scalars(
            db.select(Application)
            .where(Application.organisation_id == organisation_id)
            .order_by(Application.created_at.desc(), Application.id.desc())
        )
    )
