"""A provider's application: start, fill in, check for completeness, submit exactly once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager

from portal.domain import eligibility, initial_round
from portal.extensions import db
from portal.infra import mail
from portal.infra.timeutil import local_date
from portal.infra.timeutil import now as current_time
from portal.models import (
    AgreementLot,
    Answer,
    Application,
    ApplicationKind,
    ApplicationLot,
    ApplicationState,
    Assessment,
    CriterionKind,
    Das,
    DasState,
    DeclarationRequest,
    EvidenceDocument,
    FrameworkAgreement,
    Lot,
    LotOutcome,
    Product,
    ReuseSource,
    ReviewMark,
    SizeClass,
    User,
    answer_evidence,
    application_product,
)
from portal.services import ServiceError, calendar, das_terms, reuse, rows_changed
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


def start_application(
    das: Das, user: User, update: bool = False, now: datetime | None = None
) -> Application:
    """Start a draft, or return the organisation's draft for this DAS if there already is one.

    A provider that applied before starts from its previous answers: after a rejection it tries
    again with the same products and answers to correct; once admitted it applies for further
    lots without re-entering its declaration and evidence; with `update` it renews its
    declaration and evidence for the lots it is admitted for. Carried answers are marked as
    reused (see _copy_answers). Every criterion still unanswered then starts from the
    organisation's latest valid declaration to another DAS (issue 22, reuse.carry_from_other_das)."""
    require_provider(user)
    if not das.is_open and not (update and das.state is DasState.CLOSED):
        # Closed (issue 19): no new applications or drafts; running agreements go on, and with
        # them the admitted providers' updates of their declaration.
        raise ServiceError("das_closed" if das.state is DasState.CLOSED else "das_not_open")
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
    moment = now or current_time()
    if previous is not None:
        _copy_answers(previous, application, moment)
        if kind is ApplicationKind.RENEWED:
            application.products = list(previous.products)
            application.lots = [ApplicationLot(lot_id=al.lot_id) for al in previous.lots]
    if kind is ApplicationKind.UPDATE:
        application.lots = [ApplicationLot(lot_id=lot_id) for lot_id in sorted(admitted)]
        application.products = _products_delivered(das, user.organisation_id, admitted)
    carried_from = reuse.carry_from_other_das(application, moment)
    db.session.add(application)
    record(
        "application.started",
        application,
        user,
        organisation_id=user.organisation_id,
        das_id=das.id,
        kind=kind.value,
        previous=previous.id if previous is not None else None,
        **({"carried_from": carried_from} if carried_from else {}),
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


def _failed_criterion_ids(application_ids: Iterable[int]) -> dict[int, set[int]]:
    """Per application, the criteria its reviewers judged failing."""
    failed: dict[int, set[int]] = {}
    for application_id, criterion_id in db.session.execute(
        db.select(Assessment.application_id, Assessment.criterion_id).where(
            Assessment.application_id.in_(list(application_ids)),
            Assessment.mark == ReviewMark.FAIL,
        )
    ):
        failed.setdefault(application_id, set()).add(criterion_id)
    return failed


def _copy_answers(source: Application, target: Application, now: datetime) -> None:
    """Carry every answer over, marked as reused from `source`. The documents of a criterion
    the reviewers judged failing stay behind: the provider has to choose (or upload) again, and
    the draft shows why (earlier_decisions)."""
    failed = _failed_criterion_ids([source.id]).get(source.id, set())
    for answer in source.answers:
        target.answers.append(
            Answer(
                criterion_id=answer.criterion_id,
                value=answer.value,
                explanation=answer.explanation,
                self_cleaning=answer.self_cleaning,
                documents=[] if answer.criterion_id in failed else list(answer.documents),
                reused_source=ReuseSource.EARLIER_APPLICATION,
                reused_from_application=source,
                reused_at=now,
            )
        )


def _set_answer(
    answer: Answer,
    value: bool | None,
    explanation: str,
    self_cleaning: str,
    documents: list[EvidenceDocument],
) -> None:
    """Give an answer its content. Any change (value, explanation, self-cleaning or documents)
    makes it the provider's own: it is no longer marked as reused. Every writer of an answer's
    content goes through here."""
    changed = (
        answer.value != value
        or answer.explanation != explanation
        or answer.self_cleaning != self_cleaning
        or sorted(d.id for d in answer.documents) != sorted(d.id for d in documents)
    )
    if not changed:
        return
    answer.value = value
    answer.explanation = explanation
    answer.self_cleaning = self_cleaning
    answer.documents = documents
    answer.reused_source = None
    answer.reused_from_application = None
    answer.reused_from_espd = None
    answer.reused_at = None


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
            answer = Answer(criterion=criterion, explanation="", self_cleaning="", documents=[])
            application.answers.append(answer)
        _set_answer(
            answer,
            given.value,
            given.explanation.strip(),
            given.self_cleaning.strip(),
            [own_documents[i] for i in dict.fromkeys(given.document_ids)],
        )
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


def sections_of(application: Application, on: date) -> tuple[eligibility.Section, ...]:
    """The draft's task list: each section with what it still misses and its status."""
    criteria = application.das.criteria
    kind_of_id = {c.id: c.kind.value for c in criteria}
    started = {"lots"} if application.products else set()
    started |= {
        kind_of_id[a.criterion_id]
        for a in application.answers
        if a.value is not None or a.explanation or a.documents
    }
    return eligibility.sections(
        missing_items(application, on), {c.code: c.kind.value for c in criteria}, started
    )


# --- what was decided before ---------------------------------------------------------------


@dataclass(frozen=True)
class EarlierLotOutcome:
    lot_code: str
    lot_name: str
    outcome: LotOutcome
    reason: str


@dataclass(frozen=True)
class EarlierDecision:
    """The decision on an earlier application, seen from one criterion of a draft."""

    application_id: int
    reference: str
    submitted_on: date
    decided_on: date
    verdict: ReviewMark | None  # the reviewers' verdict on this criterion (None: not assessed)
    reason: str  # the reviewers' reason for that verdict, where they gave one
    lots: tuple[EarlierLotOutcome, ...]
    reused: bool  # the draft's answer is still the one carried over from there, unchanged
    # The documents given for this criterion then: not to be offered by default again when the
    # criterion was judged failing.
    document_ids: tuple[int, ...] = ()

    @property
    def outcome(self) -> LotOutcome | None:
        """ADMITTED or REJECTED when every lot had that outcome; None when they differ."""
        outcomes = {lot.outcome for lot in self.lots}
        return outcomes.pop() if len(outcomes) == 1 else None

    @property
    def rejected(self) -> bool:
        return self.verdict is ReviewMark.FAIL

    @property
    def needs_attention(self) -> bool:
        """Judged failing before, and not changed since."""
        return self.rejected and self.reused


def earlier_decisions(application: Application) -> dict[int, EarlierDecision]:
    """Per criterion id of the draft, the decision on the earlier application its answer comes
    from: the application the answer was reused from while it is unchanged, otherwise the one
    the draft started from. Criteria without a decided earlier application are left out.
    A fixed number of queries, however many criteria."""
    sources: dict[int, Application] = {}
    for criterion in application.das.criteria:
        answer = application.answer_for(criterion)
        # An answer carried from another DAS was decided on there, on another criterion.
        source = (
            answer.reused_from_application
            if answer is not None
            and answer.reused_source is ReuseSource.EARLIER_APPLICATION
            and answer.reused_from_application
            else application.previous_application
        )
        if (
            source is not None
            and source.state is ApplicationState.DECIDED
            and source.reference
            and source.received_at is not None
            and source.decided_at is not None
        ):
            sources[criterion.id] = source
    if not sources:
        return {}
    source_ids = {source.id for source in sources.values()}
    assessments = {
        (a.application_id, a.criterion_id): a
        for a in db.session.scalars(
            db.select(Assessment).where(Assessment.application_id.in_(source_ids))
        )
    }
    lots_of: dict[int, list[EarlierLotOutcome]] = {source_id: [] for source_id in source_ids}
    for al in db.session.scalars(
        db.select(ApplicationLot)
        .join(Lot, Lot.id == ApplicationLot.lot_id)
        .where(ApplicationLot.application_id.in_(source_ids))
        .options(contains_eager(ApplicationLot.lot))
        .order_by(Lot.position)
    ):
        lots_of[al.application_id].append(
            EarlierLotOutcome(al.lot.code, al.lot.name, al.outcome, al.reason)
        )
    documents_of: dict[tuple[int, int], list[int]] = {}
    for application_id, criterion_id, document_id in db.session.execute(
        db.select(Answer.application_id, Answer.criterion_id, answer_evidence.c.document_id)
        .join(answer_evidence, answer_evidence.c.answer_id == Answer.id)
        .where(Answer.application_id.in_(source_ids))
        .order_by(answer_evidence.c.document_id)
    ):
        documents_of.setdefault((application_id, criterion_id), []).append(document_id)
    decisions = {}
    for criterion_id, source in sources.items():
        assessment = assessments.get((source.id, criterion_id))
        answer = next((a for a in application.answers if a.criterion_id == criterion_id), None)
        assert source.reference and source.received_at and source.decided_at
        decisions[criterion_id] = EarlierDecision(
            application_id=source.id,
            reference=source.reference,
            submitted_on=local_date(source.received_at),
            decided_on=local_date(source.decided_at),
            verdict=assessment.mark if assessment else None,
            reason=assessment.reason if assessment else "",
            lots=tuple(lots_of[source.id]),
            reused=answer is not None
            and answer.reused_source is ReuseSource.EARLIER_APPLICATION
            and answer.reused_from_application_id == source.id,
            document_ids=tuple(documents_of.get((source.id, criterion_id), ())),
        )
    return decisions


def reused_documents(application: Application) -> list[EvidenceDocument]:
    """For more lots: the documents of this draft that were declared in the application it
    started from. The provider confirms that each covers the new lots before submitting (Kompas
    was rejected because a certificate did not cover the care offered)."""
    previous_id = application.previous_application_id
    if application.kind is not ApplicationKind.MORE_LOTS or previous_id is None:
        return []
    earlier = set(
        db.session.scalars(
            db.select(answer_evidence.c.document_id)
            .join(Answer, Answer.id == answer_evidence.c.answer_id)
            .where(Answer.application_id == previous_id)
        )
    )
    found = {d.id: d for a in application.answers for d in a.documents if d.id in earlier}
    return sorted(found.values(), key=lambda d: (d.filename, d.id))


def submit(
    application: Application,
    user: User,
    now: datetime,
    covers_new_lots: bool = False,
    carried_checked: bool = False,
) -> Application:
    """Submit a complete draft. Exactly one of two simultaneous submissions succeeds: the state
    changes with a conditional UPDATE, so the second finds no draft left.

    A draft for more lots that reuses documents needs `covers_new_lots`: the provider's
    confirmation that those documents cover the new lots; it is kept in the audit event and the
    snapshot. A draft that still holds answers carried unchanged from another DAS or an ESPD
    needs `carried_checked`: the provider's word that it checked them and that they and their
    documents are right and current (issue 22); the snapshot records it."""
    require_provider_of(user, application.organisation_id)
    if not user.may_submit:
        raise ServiceError("not_allowed_to_submit")
    _require_draft(application)
    closed = application.das.state is DasState.CLOSED
    if not application.das.is_open and not (closed and application.kind is ApplicationKind.UPDATE):
        raise ServiceError("das_closed" if closed else "das_not_open")
    received_on = local_date(now)
    if missing_items(application, received_on):
        raise ServiceError("application_incomplete")
    to_confirm = reused_documents(application)
    if to_confirm and not covers_new_lots:
        raise ServiceError("reused_documents_unconfirmed")
    carried = sorted(
        (a for a in application.answers if a.reused_source in reuse.CONFIRMED_SOURCES),
        key=lambda a: a.criterion.position,
    )
    if carried and not carried_checked:
        raise ServiceError("carried_answers_unconfirmed")
    confirmation = (
        {
            "documents": sorted(d.id for d in to_confirm),
            "lots": sorted(al.lot.code for al in application.lots),
        }
        if to_confirm
        else None
    )
    carried_confirmation = (
        {
            "confirmed_at": now.isoformat(),
            "criteria": [a.criterion.code for a in carried],
        }
        if carried
        else None
    )
    das = application.das
    deadline = initial_round.review_deadline(
        received_on,
        das.first_round_closes_on,
        das.joint_decision_on,
        calendar.review_deadline(received_on, das.review_working_days),
    )
    reference = f"{application.das.reference}-{application.id:06d}"
    snapshot = build_snapshot(application, user, now, confirmation, carried_confirmation)
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
        **({"reused_documents_cover_lots": confirmation} if confirmation else {}),
        **({"carried_answers_checked": carried_confirmation} if carried_confirmation else {}),
    )
    db.session.flush()
    db.session.refresh(application)  # the values the UPDATE above wrote, for the mail
    mail.queue(
        user.email,
        _l("Ontvangstbevestiging aanmelding %(reference)s", reference=reference),
        "receipt",
        user=user,
        application=application,
        link=mail.link("supplier.application", application_id=application.id),
    )
    db.session.commit()
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


def build_snapshot(
    application: Application,
    user: User,
    now: datetime,
    reuse_confirmation: dict[str, Any] | None = None,
    carried_confirmation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The read-only copy of what is submitted. Evidence files are immutable and stored under
    their hash, so naming the hash freezes the file too. Answers say where they were reused
    from; `reuse_confirmation` is the provider's word that reused documents cover new lots,
    `carried_confirmation` that it checked the answers carried from another DAS or an ESPD."""
    organisation = application.organisation
    confirmed = set(reuse_confirmation["documents"]) if reuse_confirmation else set()
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
                # The rule as it stood when submitted (the criteria may change by a notice).
                "guidance": c.guidance,
                "origin": c.origin.value,
                "espd_codes": c.espd_codes,
                "passing_answer": c.passing_answer,
                "evidence_types": [t.value for t in c.evidence_types],
                "evidence_required": c.evidence_required,
                "max_evidence_age_months": c.max_evidence_age_months,
                "value": a.value if a else None,
                "explanation": a.explanation if a else "",
                "self_cleaning": a.self_cleaning if a else "",
                "reused_from": _reused_from(a) if a else None,
                "documents": [
                    {
                        "id": d.id,
                        "filename": d.filename,
                        "sha256": d.sha256,
                        "type": d.evidence_type.value,
                        "issued_on": d.issued_on.isoformat(),
                        "expires_on": d.expires_on.isoformat() if d.expires_on else None,
                        **({"covers_new_lots_confirmed": True} if d.id in confirmed else {}),
                    }
                    for d in (a.documents if a else [])
                ],
            }
            for c in application.das.criteria
            for a in [application.answer_for(c)]
        ],
        "terms": terms_snapshot(application.das, local_date(now)),
        **({"reuse_confirmation": reuse_confirmation} if reuse_confirmation else {}),
        **({"carried_confirmation": carried_confirmation} if carried_confirmation else {}),
    }


def terms_snapshot(das: Das, today: date) -> dict[str, Any]:
    """The DAS's terms an application is made under (issue 19): a later change of them does not
    change what this provider applied for."""
    terms = das_terms.terms_of(das, today)
    rule = terms.sroi_now
    return {
        "indexation": {
            "ova_weight": str(das.ova_weight),
            "ppc_weight": str(das.ppc_weight),
            "first_index_year": das.first_index_year,
        },
        "sroi": {
            "threshold_cents": rule.threshold_cents,
            "percent": str(rule.percent),
            "reference_year": rule.reference_year,
            **(
                {
                    "next_from_year": terms.sroi_next_year,
                    "next_percent": str(terms.sroi_next.percent),
                    "next_threshold_cents": terms.sroi_next.threshold_cents,
                    "next_reference_year": terms.sroi_next.reference_year,
                }
                if terms.sroi_next is not None
                else {}
            ),
        },
        "allocation": {
            "who_chooses": das.allocation_who_chooses,
            "request": das.allocation_request,
            "no_capacity": das.allocation_no_capacity,
        },
        "privacy": {
            "role": das.privacy_role.value if das.privacy_role else None,
            "text": das.privacy_text,
            "requires_processing_agreement": das.requires_processing_agreement,
        },
        "kpis": [
            {
                "code": k.code,
                "name": k.name,
                "unit": k.unit,
                "target": str(k.target),
                "higher_is_better": k.higher_is_better,
                "period": k.period.value,
            }
            for k in terms.kpis
        ],
    }


def _reused_from(answer: Answer) -> dict[str, Any] | None:
    source = answer.reused_from_application
    if not answer.is_reused:
        return None
    return {
        "source": answer.reused_source.value if answer.reused_source else None,
        "application_id": source.id if source else None,
        "reference": source.reference if source else None,
        "reused_at": answer.reused_at.isoformat() if answer.reused_at else None,
        # Another DAS (its name, slug and the day submitted) or an ESPD (its import, file name,
        # document UUID and issue date).
        **reuse.provenance_of(answer),
    }


def applications_of(organisation_id: int) -> list[Application]:
    return list(
        db.session.scalars(
            db.select(Application)
            .where(Application.organisation_id == organisation_id)
            .order_by(Application.created_at.desc(), Application.id.desc())
        )
    )
