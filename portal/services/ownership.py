"""Which objects a user may see, and who may act on them: one home for both walls.

The first wall loads. A provider sees its own organisation's objects; staff see what belongs to a
DAS they are assigned to (an administrator every DAS). Anything else is "not found" (404), exactly
as an object that does not exist, so a view that loads through here cannot forget the check and
a stranger learns nothing by guessing ids (the Flask tutorial's `get_post`; Digital Marketplace
loads a supplier's objects by supplier id in the same way).

The second wall is the services' own: a use case that changes data asks `require_*` here whether
the actor may do it, whatever page or command called it (STYLE.md, "a guard hidden in a view body
is no guard"). A refusal is ServiceError("not_found"): the same answer as the first wall gives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, joinedload, selectinload
from werkzeug.exceptions import NotFound

from portal.errors import ServiceError
from portal.extensions import db
from portal.models import (
    AgreementVariation,
    Answer,
    Application,
    ApplicationLot,
    ApplicationState,
    Clarification,
    ConflictDeclaration,
    Criterion,
    Das,
    DasState,
    EvidenceDocument,
    FrameworkAgreement,
    KpiDefinition,
    Lot,
    Product,
    Role,
    StaffAssignment,
    User,
    answer_evidence,
    clarification_document,
)

T = TypeVar("T")

# Who reviews applications, and who manages contracts (each within the DAS they may see).
REVIEWER_ROLES = frozenset({Role.REVIEWER, Role.ADMINISTRATOR})
CONTRACT_ROLES = frozenset({Role.CONTRACT_MANAGER, Role.ADMINISTRATOR})


def _found(obj: T | None) -> T:
    if obj is None:
        raise NotFound()
    return obj


def _part(model: type[T], part_id: int, belongs: Callable[[T], bool]) -> T:
    """A part of a parent that was itself loaded through an ownership check: the row by id, and
    "not found" unless it belongs to that parent (an id of someone else's is not revealed)."""
    found = db.session.get(model, part_id)
    if found is None or not belongs(found):
        raise NotFound()
    return found


# --- a provider's own objects ---------------------------------------------------------------


def organisation_id_of(provider: User) -> int:
    """The provider's organisation. A provider account always has one (the role check and a
    database constraint); anyone else has none to load objects of."""
    if provider.role is not Role.PROVIDER or provider.organisation_id is None:
        raise NotFound()
    return int(provider.organisation_id)


def own_application(application_id: int, provider: User) -> Application:
    return _found(
        db.session.scalar(
            db.select(Application)
            .where(
                Application.id == application_id,
                Application.organisation_id == organisation_id_of(provider),
            )
            .options(
                selectinload(Application.lots),
                # Joined, not a query of its own: that one only runs when there are answers, so
                # an unanswered draft's page would cost a query less than an answered one's.
                selectinload(Application.answers).joinedload(Answer.documents),
            )
        )
    )


def own_document(document_id: int, provider: User) -> EvidenceDocument:
    return _found(
        db.session.scalar(
            db.select(EvidenceDocument).where(
                EvidenceDocument.id == document_id,
                EvidenceDocument.organisation_id == organisation_id_of(provider),
            )
        )
    )


def own_agreement(agreement_id: int, provider: User) -> FrameworkAgreement:
    return _found(
        db.session.scalar(
            db.select(FrameworkAgreement).where(
                FrameworkAgreement.id == agreement_id,
                FrameworkAgreement.organisation_id == organisation_id_of(provider),
            )
        )
    )


def clarification_of(application: Application, clarification_id: int) -> Clarification:
    """A question asked about this application (loaded through own_application first)."""
    return _part(Clarification, clarification_id, lambda c: c.application_id == application.id)


def variation_of(agreement: FrameworkAgreement, variation_id: int) -> AgreementVariation:
    """A change to this agreement (loaded through own_agreement first)."""
    return _part(AgreementVariation, variation_id, lambda v: v.agreement_id == agreement.id)


def open_das(slug: str) -> Das:
    """A published DAS a provider may ask to apply to: an open one, or a closed one, whose
    refusal (portal.services.applications, "das_closed") then says it is closed."""
    return _found(
        db.session.scalar(
            db.select(Das).where(Das.slug == slug, Das.state.in_((DasState.OPEN, DasState.CLOSED)))
        )
    )


# --- what a member of staff may see ---------------------------------------------------------


def visible_das_ids(staff: User) -> list[int] | None:
    """The DAS instances a member of staff works on; None for an administrator (every DAS)."""
    if staff.role is Role.ADMINISTRATOR:
        return None
    if not staff.is_staff:
        return []
    return list(
        db.session.scalars(
            db.select(StaffAssignment.das_id).where(StaffAssignment.user_id == staff.id)
        )
    )


def in_visible_das(staff: User, das_id: InstrumentedAttribute[int]) -> sa.ColumnElement[bool]:
    """The scope of `visible_das_ids` as a condition on a DAS id column, for the caller's own
    statement: a subquery, not a query of its own (the header's task count runs on every page)."""
    if staff.role is Role.ADMINISTRATOR:
        return sa.true()
    if not staff.is_staff:
        return sa.false()
    return das_id.in_(db.select(StaffAssignment.das_id).where(StaffAssignment.user_id == staff.id))


def may_see_das(staff: User, das_id: int) -> bool:
    das_ids = visible_das_ids(staff)
    return das_ids is None or das_id in das_ids


def staff_das(slug: str, staff: User) -> Das:
    das = db.session.scalar(db.select(Das).where(Das.slug == slug))
    if das is None or not may_see_das(staff, das.id):
        raise NotFound()
    return das


def staff_agreement(agreement_id: int, staff: User) -> FrameworkAgreement:
    found = db.session.get(FrameworkAgreement, agreement_id)
    if found is None or not may_see_das(staff, found.das_id):
        raise NotFound()
    return found


def staff_application(application_id: int, staff: User) -> Application:
    """A submitted application of a DAS the member of staff may see (never a draft)."""
    query = (
        db.select(Application)
        .where(Application.id == application_id, Application.state != ApplicationState.DRAFT)
        # Everything the review page shows of the application itself, in a fixed number of
        # queries however many answers, documents and lots it has.
        .options(
            joinedload(Application.lots).joinedload(ApplicationLot.lot),
            # The documents joined to the answers, not a query of their own (as own_application).
            selectinload(Application.answers).joinedload(Answer.documents),
            joinedload(Application.das),
            joinedload(Application.organisation),
            joinedload(Application.assigned_reviewer),
        )
        .where(in_visible_das(staff, Application.das_id))
    )
    return _found(db.session.execute(query).unique().scalar_one_or_none())


def staff_document(document_id: int, staff: User) -> EvidenceDocument:
    """Staff see a document only when it is evidence in a submitted application they may see:
    attached to an answer or to a reply to a clarification; otherwise it is not found. Refused
    (`own_conflict`) when they declared a conflict of interest on an application it is evidence
    in."""
    via_answer = (
        db.select(Application.id)
        .join(Answer, Answer.application_id == Application.id)
        .join(answer_evidence, answer_evidence.c.answer_id == Answer.id)
        .where(answer_evidence.c.document_id == document_id)
    )
    via_reply = (
        db.select(Application.id)
        .join(Clarification, Clarification.application_id == Application.id)
        .join(clarification_document, clarification_document.c.clarification_id == Clarification.id)
        .where(clarification_document.c.document_id == document_id)
    )
    query = db.select(Application.id).where(
        Application.id.in_(via_answer.union(via_reply).scalar_subquery()),
        Application.state != ApplicationState.DRAFT,
    )
    das_ids = visible_das_ids(staff)
    if das_ids is not None:
        query = query.where(Application.das_id.in_(das_ids))
    if db.session.scalar(query.limit(1)) is None:
        raise NotFound()
    conflicted = db.select(ConflictDeclaration.id).where(
        ConflictDeclaration.user_id == staff.id,
        ConflictDeclaration.has_conflict.is_(True),
        ConflictDeclaration.application_id.in_(via_answer.union(via_reply).scalar_subquery()),
    )
    if db.session.scalar(conflicted.limit(1)) is not None:
        raise ServiceError("own_conflict")
    return _found(db.session.get(EvidenceDocument, document_id))


def evidence_of(application: Application, document_id: int, staff: User) -> EvidenceDocument:
    """A document that is evidence of this application (loaded through staff_application
    first): attached to one of its answers or to a reply to one of its clarifications. Any other
    document, of this provider or another, is not found. Refused (`own_conflict`) when the member
    of staff declared a conflict of interest on this application (issue 18)."""
    attached = any(d.id == document_id for a in application.answers for d in a.documents)
    if not attached:
        attached = (
            db.session.scalar(
                db.select(clarification_document.c.document_id)
                .join(Clarification, Clarification.id == clarification_document.c.clarification_id)
                .where(
                    Clarification.application_id == application.id,
                    clarification_document.c.document_id == document_id,
                )
                .limit(1)
            )
            is not None
        )
    if not attached:
        raise NotFound()
    conflicted = db.select(ConflictDeclaration.id).where(
        ConflictDeclaration.application_id == application.id,
        ConflictDeclaration.user_id == staff.id,
        ConflictDeclaration.has_conflict.is_(True),
    )
    if db.session.scalar(conflicted.limit(1)) is not None:
        raise ServiceError("own_conflict")
    return _found(db.session.get(EvidenceDocument, document_id))


def lot_of(das: Das, lot_id: int) -> Lot:
    """A lot of this DAS (loaded through staff_das first)."""
    return _found(next((lot for lot in das.lots if lot.id == lot_id), None))


def criterion_of(das: Das, criterion_id: int) -> Criterion:
    """A criterion of this DAS (loaded through staff_das first)."""
    return _found(next((c for c in das.criteria if c.id == criterion_id), None))


def product_of(das: Das, product_id: int) -> Product:
    """A product in a lot of this DAS."""
    return _part(Product, product_id, lambda p: p.lot.das_id == das.id)


def kpi_definition_of(das: Das, definition_id: int) -> KpiDefinition:
    """A KPI defined for this DAS."""
    return _part(KpiDefinition, definition_id, lambda d: d.das_id == das.id)


# --- the services' second wall: who may act -------------------------------------------------


def require_administrator(actor: User) -> None:
    if actor.role is not Role.ADMINISTRATOR:
        raise ServiceError("not_found")


def require_staff(actor: User, roles: frozenset[Role], das_id: int) -> None:
    """The actor has one of `roles` and works on this DAS (an administrator works on every one)."""
    if actor.role not in roles or not may_see_das(actor, das_id):
        raise ServiceError("not_found")


def require_reviewer(actor: User, das_id: int) -> None:
    require_staff(actor, REVIEWER_ROLES, das_id)


def require_contract_manager(actor: User, das_id: int) -> None:
    require_staff(actor, CONTRACT_ROLES, das_id)


def require_provider(actor: User) -> int:
    """The actor is a provider's user; their organisation's id."""
    if actor.role is not Role.PROVIDER or actor.organisation_id is None:
        raise ServiceError("not_found")
    return int(actor.organisation_id)


def require_provider_of(actor: User, organisation_id: int) -> None:
    """The actor is a provider's user of this organisation."""
    if require_provider(actor) != organisation_id:
        raise ServiceError("not_found")


def require_organisation_admin(actor: User) -> int:
    """The actor administers a provider's organisation (its colleagues, profile and data);
    their organisation's id."""
    if not actor.is_organisation_admin or actor.organisation_id is None:
        raise ServiceError("not_organisation_admin")
    return int(actor.organisation_id)
