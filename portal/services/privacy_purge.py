"""Privacy: the scheduled purge of the declarations and evidence of rejected and ended providers
(portal.domain.retention). A provider's download of its data is services/privacy_export.py.

The purge deletes exclusion-ground answers, the evidence links of every answer and clarification
reply, the declarations copied into the submitted snapshot, the record of ESPD (UEA) responses
imported into those applications, and the evidence documents no retained record uses any more.
Decisions per lot, assessments, decision letters and assessment reports (which print no
exclusion-ground declaration: services/assessment_report.py), agreements, KPI figures, SROI
reports and the official report belong to the municipalities' archive and stay. Files leave
the store (portal/infra/storage.py) only after the transaction has committed, so a failed purge
leaves no row without its file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa

from portal.domain import retention
from portal.extensions import db
from portal.infra.storage import get_storage
from portal.infra.timeutil import AMSTERDAM
from portal.models import (
    AgreementState,
    Answer,
    Application,
    ApplicationState,
    Clarification,
    CriterionKind,
    Das,
    EspdImport,
    EvidenceDocument,
    FrameworkAgreement,
    LotOutcome,
    Organisation,
    SroiReport,
    answer_evidence,
    clarification_document,
)
from portal.services import evidence, parked_forms
from portal.services.audit import record


def _scalars(query: Any) -> list[Any]:
    return list(db.session.scalars(query))


@dataclass
class OrganisationPurge:
    """What the purge removes (or, in a dry run, would remove) for one organisation."""

    organisation_id: int
    organisation_name: str
    das_references: list[str] = field(default_factory=list)
    standings: list[str] = field(default_factory=list)
    application_ids: list[int] = field(default_factory=list)
    declaration_ids: list[int] = field(default_factory=list)  # exclusion-ground answers
    answer_link_count: int = 0
    clarification_link_count: int = 0
    snapshot_ids: list[int] = field(default_factory=list)  # snapshots that still hold answers
    document_ids: list[int] = field(default_factory=list)
    # ESPD imports into these applications (issue 22): what they record of the declaration
    # (the yes/no per ground) goes with it.
    espd_import_ids: list[int] = field(default_factory=list)
    file_shas: list[str] = field(default_factory=list)
    files_removed: int = 0

    @property
    def has_work(self) -> bool:
        return bool(
            self.declaration_ids
            or self.answer_link_count
            or self.clarification_link_count
            or self.snapshot_ids
            or self.document_ids
            or self.espd_import_ids
        )

    def counts(self) -> dict[str, int]:
        return {
            "declarations": len(self.declaration_ids),
            "answer_evidence_links": self.answer_link_count,
            "clarification_evidence_links": self.clarification_link_count,
            "snapshots": len(self.snapshot_ids),
            "documents": len(self.document_ids),
            "espd_imports": len(self.espd_import_ids),
            "files": len(self.file_shas),
        }


def _agreement_ended(agreement: FrameworkAgreement, today: date) -> bool:
    return agreement.state is AgreementState.ENDED or agreement.end_date < today


def _facts(
    applications: list[Application], agreement: FrameworkAgreement | None, today: date
) -> retention.ProviderFacts:
    outcomes = {al.outcome for a in applications for al in a.lots}
    decided_rejections = any(
        al.outcome is LotOutcome.REJECTED
        for a in applications
        if a.state is ApplicationState.DECIDED
        for al in a.lots
    )
    return retention.ProviderFacts(
        any_admitted_lot=LotOutcome.ADMITTED in outcomes,
        any_rejected_lot=decided_rejections,
        any_pending_review=any(
            a.state in (ApplicationState.SUBMITTED, ApplicationState.CLARIFICATION)
            for a in applications
        ),
        agreement_ended=None if agreement is None else _agreement_ended(agreement, today),
    )


def _snapshot_document_ids(snapshot: dict[str, Any] | None) -> set[int]:
    if not snapshot:
        return set()
    return {
        int(d["id"])
        for answer in snapshot.get("answers", [])
        for d in answer.get("documents", [])
        if "id" in d
    }


def _snapshot_holds_declarations(snapshot: dict[str, Any] | None) -> bool:
    if not snapshot:
        return False
    return any(
        answer.get("documents")
        or (
            answer.get("kind") == CriterionKind.EXCLUSION.value
            and (
                answer.get("value") is not None
                or answer.get("explanation")
                or answer.get("self_cleaning")
            )
        )
        for answer in snapshot.get("answers", [])
    )


def _scrubbed(snapshot: dict[str, Any], today: date) -> dict[str, Any]:
    """The snapshot without the declarations on exclusion grounds and without evidence."""
    answers = []
    for answer in snapshot.get("answers", []):
        answer = {**answer, "documents": []}
        if answer.get("kind") == CriterionKind.EXCLUSION.value:
            answer.update(value=None, explanation="", self_cleaning="")
        answers.append(answer)
    return {**snapshot, "answers": answers, "purged_on": today.isoformat()}


def plan_purge(today: date, years: int) -> list[OrganisationPurge]:
    """What is due for deletion on ``today``: for every DAS whose common end date lies more than
    ``years`` years back, the rejected and ended providers (portal.domain.retention)."""
    due = [
        das
        for das in _scalars(db.select(Das).order_by(Das.id))
        if retention.purge_due(das.common_end_date, today, years)
    ]
    plans: dict[int, OrganisationPurge] = {}
    for das in due:
        by_org: dict[int, list[Application]] = defaultdict(list)
        for application in _scalars(
            db.select(Application).where(Application.das_id == das.id).order_by(Application.id)
        ):
            by_org[application.organisation_id].append(application)
        for org_id, applications in by_org.items():
            agreement = db.session.scalar(
                db.select(FrameworkAgreement).where(
                    FrameworkAgreement.das_id == das.id,
                    FrameworkAgreement.organisation_id == org_id,
                )
            )
            standing = retention.standing(_facts(applications, agreement, today))
            if not retention.is_purgeable(standing):
                continue
            plan = plans.get(org_id)
            if plan is None:
                organisation = db.session.get(Organisation, org_id)
                assert organisation is not None
                plan = plans[org_id] = OrganisationPurge(org_id, organisation.display_name)
            plan.das_references.append(das.reference)
            plan.standings.append(standing.value)
            plan.application_ids.extend(a.id for a in applications)

    purged_application_ids = set(_all_purged_applications(plans))
    for plan in plans.values():
        _fill(plan, purged_application_ids)
    return [p for p in plans.values() if p.has_work]


def _all_purged_applications(plans: dict[int, OrganisationPurge]) -> Iterable[int]:
    for plan in plans.values():
        yield from plan.application_ids


def _fill(plan: OrganisationPurge, purged_application_ids: set[int]) -> None:
    """Count the rows and files behind one organisation's plan. A document goes only when no
    record that stays (another DAS's answer, snapshot or clarification, an SROI report) uses it."""
    application_ids = plan.application_ids
    answers = _scalars(db.select(Answer).where(Answer.application_id.in_(application_ids)))
    plan.declaration_ids = [a.id for a in answers if a.criterion.kind is CriterionKind.EXCLUSION]
    answer_ids = [a.id for a in answers]
    answer_links = db.session.execute(
        db.select(answer_evidence.c.document_id).where(answer_evidence.c.answer_id.in_(answer_ids))
    ).all()
    plan.answer_link_count = len(answer_links)
    clarification_ids = _scalars(
        db.select(Clarification.id).where(Clarification.application_id.in_(application_ids))
    )
    clarification_links = db.session.execute(
        db.select(clarification_document.c.document_id).where(
            clarification_document.c.clarification_id.in_(clarification_ids)
        )
    ).all()
    plan.clarification_link_count = len(clarification_links)
    applications = _scalars(db.select(Application).where(Application.id.in_(application_ids)))
    plan.snapshot_ids = [a.id for a in applications if _snapshot_holds_declarations(a.snapshot)]
    plan.espd_import_ids = _scalars(
        db.select(EspdImport.id).where(EspdImport.application_id.in_(application_ids))
    )

    candidates = {row.document_id for row in answer_links} | {
        row.document_id for row in clarification_links
    }
    for application in applications:
        candidates |= _snapshot_document_ids(application.snapshot)
    candidates = set(
        _scalars(
            db.select(EvidenceDocument.id).where(
                EvidenceDocument.id.in_(candidates),
                EvidenceDocument.organisation_id == plan.organisation_id,
            )
        )
    )
    still_used = _documents_used_elsewhere(plan.organisation_id, purged_application_ids)
    plan.document_ids = sorted(candidates - still_used)

    shas = set(
        _scalars(
            db.select(EvidenceDocument.sha256).where(EvidenceDocument.id.in_(plan.document_ids))
        )
    )
    shared = set(
        _scalars(
            db.select(EvidenceDocument.sha256).where(
                EvidenceDocument.sha256.in_(shas), EvidenceDocument.id.not_in(plan.document_ids)
            )
        )
    )
    plan.file_shas = sorted(shas - shared)


def _documents_used_elsewhere(organisation_id: int, purged: set[int]) -> set[int]:
    """The organisation's documents that records outside the purge refer to."""
    own_applications = _scalars(
        db.select(Application).where(Application.organisation_id == organisation_id)
    )
    kept = [a for a in own_applications if a.id not in purged]
    kept_ids = [a.id for a in kept]
    used = set(
        _scalars(
            db.select(answer_evidence.c.document_id)
            .join(Answer, Answer.id == answer_evidence.c.answer_id)
            .where(Answer.application_id.in_(kept_ids))
        )
    )
    used |= set(
        _scalars(
            db.select(clarification_document.c.document_id)
            .join(Clarification, Clarification.id == clarification_document.c.clarification_id)
            .where(Clarification.application_id.in_(kept_ids))
        )
    )
    used |= set(
        _scalars(db.select(SroiReport.document_id).where(SroiReport.document_id.is_not(None)))
    )
    for application in kept:
        used |= _snapshot_document_ids(application.snapshot)
    return used


def purge(today: date, years: int, *, dry_run: bool = False) -> list[OrganisationPurge]:
    """Delete what :func:`plan_purge` selects, in one transaction, then the files no row uses
    any more. A dry run only reports. One audit event per purged organisation."""
    plans = plan_purge(today, years)
    if dry_run:
        db.session.rollback()
        return plans
    try:
        for plan in plans:
            _execute(plan, today)
            organisation = db.session.get(Organisation, plan.organisation_id)
            record(
                "organisation.privacy_purged",
                organisation,
                None,
                organisation_id=plan.organisation_id,
                das=plan.das_references,
                retention_years=years,
                on=today.isoformat(),
                **plan.counts(),
            )
        # Forms kept after a session ran out (services/parked_forms.py) whose time is up.
        parked_forms.delete_expired(datetime.combine(today, time.min, AMSTERDAM))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    # Only now that the rows are gone for good do the files go; a file another row took up in
    # the meantime (the same bytes uploaded again) stays.
    storage = get_storage()
    for plan in plans:
        for sha in plan.file_shas:
            if db.session.scalar(
                db.select(EvidenceDocument.id).where(EvidenceDocument.sha256 == sha).limit(1)
            ):
                continue
            key = evidence.key_for(sha)
            if storage.exists(key):
                storage.delete(key)
                plan.files_removed += 1
    return plans


def _execute(plan: OrganisationPurge, today: date) -> None:
    application_ids = plan.application_ids
    answer_ids = _scalars(db.select(Answer.id).where(Answer.application_id.in_(application_ids)))
    db.session.execute(
        sa.delete(answer_evidence).where(answer_evidence.c.answer_id.in_(answer_ids))
    )
    clarification_ids = _scalars(
        db.select(Clarification.id).where(Clarification.application_id.in_(application_ids))
    )
    db.session.execute(
        sa.delete(clarification_document).where(
            clarification_document.c.clarification_id.in_(clarification_ids)
        )
    )
    db.session.execute(
        sa.delete(Answer)
        .where(Answer.id.in_(plan.declaration_ids))
        .execution_options(synchronize_session=False)
    )
    # The answers that stay (suitability) no longer name the imports that go.
    db.session.execute(
        sa.update(Answer)
        .where(Answer.reused_from_espd_id.in_(plan.espd_import_ids))
        .values(reused_from_espd_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.delete(EspdImport)
        .where(EspdImport.id.in_(plan.espd_import_ids))
        .execution_options(synchronize_session=False)
    )
    for application_id in plan.snapshot_ids:
        application = db.session.get(Application, application_id)
        assert application is not None and application.snapshot is not None
        application.snapshot = _scrubbed(application.snapshot, today)
    db.session.flush()
    db.session.execute(
        sa.delete(EvidenceDocument)
        .where(EvidenceDocument.id.in_(plan.document_ids))
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


def summary(plans: list[OrganisationPurge], *, dry_run: bool) -> str:
    """The command's Dutch report."""
    if not plans:
        return "Niets te verwijderen: geen afgewezen of beëindigde aanbieders na de bewaartermijn."
    verb = "Zou verwijderen" if dry_run else "Verwijderd"
    lines = []
    for plan in plans:
        counts = plan.counts()
        files = counts["files"] if dry_run else plan.files_removed
        lines.append(
            f"- {plan.organisation_name} ({', '.join(plan.das_references)}; "
            f"{', '.join(_STANDING_NL[s] for s in plan.standings)}): "
            f"{counts['declarations']} verklaring(en) op uitsluitingsgronden, "
            f"{counts['answer_evidence_links'] + counts['clarification_evidence_links']} "
            f"koppeling(en) met bewijs, {counts['snapshots']} vastgelegde kopie(ën) geschoond, "
            f"{counts['documents']} bewijsstuk(ken), {files} bestand(en)."
        )
    head = (
        f"{verb} bij {len(plans)} organisatie(s):"
        if not dry_run
        else f"Proefdraai, er is niets gewijzigd. {verb} bij {len(plans)} organisatie(s):"
    )
    return "\n".join([head, *lines])


_STANDING_NL = {
    retention.Standing.REJECTED.value: "afgewezen",
    retention.Standing.ENDED.value: "overeenkomst beëindigd",
}
