"""A provider's application: start, fill in, check for completeness, submit exactly once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.domain import eligibility
from portal.extensions import db
from portal.infra import mail
from portal.infra.timeutil import local_date
from portal.models import (
    AgreementLot,
    Answer,
    Application,
    ApplicationKind,
    ApplicationLot,
    ApplicationState,
    CriterionKind,
    Das,
    DeclarationRequest,
    EvidenceDocument,
    FrameworkAgreement,
    LotOutcome,
    Product,
    SizeClass,
    User,
    application_product,
)
from portal.services import ServiceError, calendar, rows_changed
from portal.services.audit import record
from portal.services.organisations import PROFILE_FIELDS
from portal.services.ownership import require_provider, require_provider_of

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


def admitted_lot_ids(das: Das, organisation_id: int) -> set[int]:
    """The lots the organisation is admitted for now (ended admissions do not count)."""
    # One query, however many agreements; "current" is AgreementLot.is_current: not ended.
    return set(
        db.session.scalars(
            db.select(AgreementLot.lot_id)
            .join(FrameworkAgreement, FrameworkAgreement.id == AgreementLot.agreement_id)
            .where(
                FrameworkAgreement.das_id == das.id,
                FrameworkAgreement.organisation_id == organisation_id,
                AgreementLot.ended_on.is_(None),
            )
        )
    )


def latest_decided(das: Das, organisation_id: int) -> Application | None:
    return db.session.scalar(
        db.select(Application)
        .where(
            Application.das_id == das.id,
            Application.organisation_id == organisation_id,
            Application.state == ApplicationState.DECIDED,
        )
        .order_by(Application.decided_at.desc(), Application.id.desc())
        .limit(1)
    )


def start_application(das: Das, user: User, update: bool = False) -> Application:
    """Start a draft, or return the organisation's draft for this DAS if there already is one.

    A provider that applied before starts from its previous answers: after a rejection it tries
    again with the same products and answers to correct; once admitted it applies for further
    lots without re-entering its declaration and evidence; with `update` it renews its
    declaration and evidence for the lots it is admitted for."""
    require_provider(user)
    if not das.is_open:
        raise ServiceError("das_not_open")
    assert user.organisation_id is not None
    existing = open_application(das, user.organisation_id)
    if existing is not None:
        if existing.is_draft:
            return existing
        raise ServiceError("application_in_review")
    admitted = admitted_lot_ids(das, user.organisation_id)
    if update and not admitted:
        raise ServiceError("nothing_to_update")
    if not update and admitted and admitted >= {lot.id for lot in das.lots}:
        raise ServiceError("all_lots_admitted")
    previous = latest_decided(das, user.organisation_id)
    if update:
        kind = ApplicationKind.UPDATE
    elif admitted:
        kind = ApplicationKind.MORE_LOTS
    elif previous is not None:
        kind = ApplicationKind.RENEWED
    else:
        kind = ApplicationKind.INITIAL
    application = Application(
        das=das,
        organisation_id=user.organisation_id,
        created_by=user,
        kind=kind,
        previous_application=previous,
    )
    if previous is not None:
        _copy_answers(previous, application)
        if kind is ApplicationKind.RENEWED:
            application.products = list(previous.products)
            application.lots = [ApplicationLot(lot_id=al.lot_id) for al in previous.lots]
    if kind is ApplicationKind.UPDATE:
        application.lots = [ApplicationLot(lot_id=lot_id) for lot_id in sorted(admitted)]
        application.products = _products_delivered(das, user.organisation_id, admitted)
    db.session.add(application)
    record(
        "application.started",
        application,
        user,
        organisation_id=user.organisation_id,
        das_id=das.id,
        kind=kind.value,
        previous=previous.id if previous is not None else None,
    )
    db.session.commit()
    return application


def _products_delivered(das: Das, organisation_id: int, lot_ids: set[int]) -> list[Product]:
    """The products chosen in the organisation's admitted applications, in the given lots."""
    chosen = db.session.scalars(
        db.select(Product)
        .join(application_product, application_product.c.product_id == Product.id)
        .join(Application, Application.id == application_product.c.application_id)
        .join(ApplicationLot, ApplicationLot.application_id == Application.id)
        .where(
            Application.das_id == das.id,
            Application.organisation_id == organisation_id,
            ApplicationLot.lot_id == Product.lot_id,
            ApplicationLot.outcome == LotOutcome.ADMITTED,
            Product.lot_id.in_(lot_ids),
        )
        .distinct()
        .order_by(Product.code)
    )
    return list(chosen)


def _copy_answers(source: Application, target: Application) -> None:
    for answer in source.answers:
        target.answers.append(
            Answer(
                criterion_id=answer.criterion_id,
                value=answer.value,
                explanation=answer.explanation,
                self_cleaning=answer.self_cleaning,
                documents=list(answer.documents),
            )
        )


def _require_draft(application: Application) -> None:
    if not application.is_draft:
        raise ServiceError("application_not_draft")


def save_products(application: Application, product_ids: Iterable[int], user: User) -> None:
    """Choose the products to deliver; the lots applied for are the lots of those products."""
    require_provider_of(user, application.organisation_id)
    _require_draft(application)
    if application.kind is ApplicationKind.UPDATE:
        raise ServiceError("update_has_fixed_lots")
    products = {p.id: p for lot in application.das.lots for p in lot.products}
    wanted = set(product_ids)
    if not wanted <= products.keys():
        raise ServiceError("unknown_product")
    lot_ids = {products[i].lot_id for i in wanted}
    if lot_ids & admitted_lot_ids(application.das, application.organisation_id):
        raise ServiceError("lot_already_admitted")
    application.products = [products[i] for i in sorted(wanted)]
    current = {al.lot_id: al for al in application.lots}
    for lot_id in current.keys() - lot_ids:
        application.lots.remove(current[lot_id])
    for lot_id in sorted(lot_ids - current.keys()):
        application.lots.append(ApplicationLot(lot_id=lot_id))
    record(
        "application.products_saved",
        application,
        user,
        organisation_id=application.organisation_id,
        products=sorted(wanted),
        lots=sorted(lot_ids),
    )
    db.session.commit()


def save_answers(application: Application, answers: Mapping[int, AnswerInput], user: User) -> None:
    """Store answers to the given criteria; a draft may be saved half-filled at any time."""
    require_provider_of(user, application.organisation_id)
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
    require_provider_of(user, application.organisation_id)
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
    snapshot = build_snapshot(application, user, now)
    changed = rows_changed(
        sa.update(Application)
        .where(Application.id == application.id, Application.state == ApplicationState.DRAFT)
        .values(
            state=ApplicationState.SUBMITTED,
            reference=reference,
            received_at=now,
            review_deadline=deadline,
            submitted_by_id=user.id,
            snapshot=snapshot,
            updated_at=now,
            version_id=Application.version_id + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if changed != 1:
        db.session.rollback()
        raise ServiceError("application_not_draft")
    for request in open_declaration_requests(application.das_id, application.organisation_id):
        request.answered_by_application_id = application.id
        request.answered_at = now
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
    mail.send(
        user.email,
        _l("Ontvangstbevestiging aanmelding %(reference)s", reference=reference),
        "receipt",
        user=user,
        application=application,
        link=mail.link("supplier.application", application_id=application.id),
    )
    return application


def open_declaration_requests(das_id: int, organisation_id: int) -> list[DeclarationRequest]:
    return list(
        db.session.scalars(
            db.select(DeclarationRequest).where(
                DeclarationRequest.das_id == das_id,
                DeclarationRequest.organisation_id == organisation_id,
                DeclarationRequest.answered_at.is_(None),
            )
        )
    )


def build_snapshot(application: Application, user: User, now: datetime) -> dict[str, Any]:
    """The read-only copy of what is submitted. Evidence files are immutable and stored under
    their hash, so naming the hash freezes the file too."""
    organisation = application.organisation
    return {
        "submitted_at": now.isoformat(),
        "declared_by": {"name": user.name, "email": user.email},
        "organisation": {
            name: (value.value if isinstance(value, SizeClass) else value)
            for name in PROFILE_FIELDS
            for value in [getattr(organisation, name)]
        },
        "lots": [
            {"id": al.lot.id, "code": al.lot.code, "name": al.lot.name}
            for al in sorted(application.lots, key=lambda al: al.lot.position)
        ],
        "products": [{"id": p.id, "code": p.code, "name": p.name} for p in application.products],
        "answers": [
            {
                "code": c.code,
                "kind": c.kind.value,
                "title": c.title,
                "question": c.question,
                "value": a.value if a else None,
                "explanation": a.explanation if a else "",
                "self_cleaning": a.self_cleaning if a else "",
                "documents": [
                    {
                        "id": d.id,
                        "filename": d.filename,
                        "sha256": d.sha256,
                        "type": d.evidence_type.value,
                        "issued_on": d.issued_on.isoformat(),
                        "expires_on": d.expires_on.isoformat() if d.expires_on else None,
                    }
                    for d in (a.documents if a else [])
                ],
            }
            for c in application.das.criteria
            for a in [application.answer_for(c)]
        ],
    }


def applications_of(organisation_id: int) -> list[Application]:
    return list(
        db.session.scalars(
            db.select(Application)
            .where(Application.organisation_id == organisation_id)
            .order_by(Application.created_at.desc(), Application.id.desc())
        )
    )
