"""The assessment report (beoordelingsrapport) of a decided application: a PDF with every
criterion's answer, pre-assessment, verdict, reason, reviewer and date; the evidence considered
and who opened it; the clarifications; the decision per lot with the four-eyes confirmation; and
the conflict declarations. Recorded once, when the decision is final (review._finalise), rendered
by a job once the decision has committed (as the decision letter: services/letters.py), stored
under its hash beside the decision letter (services/documents.py) and listed in the official
report (services/reports.py): the decision letter tells the provider what failed, the report
records everything.

Two things are deliberately not in it:
- Notes between the reviewers (ReviewNote). They are working notes of the internal deliberation;
  the report is part of the official record, and what motivates each verdict is its reason. The
  report's introduction says so.
- The provider's own declaration on an exclusion ground (answer, explanation, measures). It is
  criminal-law data that the privacy purge deletes after the retention period
  (services/privacy_purge.py), while the report, like the decision letter, is kept in the
  municipalities' archive: printing it here would keep what the purge removes. The verdict and
  its reason, which the archive keeps anyway (the assessment rows stay), are printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.infra import jobs
from portal.infra.timeutil import as_utc
from portal.infra.timeutil import now as current_time
from portal.models import (
    Application,
    ApplicationState,
    Assessment,
    AssessmentReport,
    Clarification,
    ConflictDeclaration,
    Criterion,
    CriterionKind,
    DocumentView,
    EvidenceDocument,
    User,
)
from portal.services import documents, transaction
from portal.services.audit import record
from portal.services.evidence_views import views_of

# How much of a SHA-256 the report prints: enough to tell documents apart and to find one back.
SHORT_HASH = 12


@dataclass(frozen=True)
class ConsideredDocument:
    document: EvidenceDocument
    short_hash: str
    views: list[DocumentView]  # who opened it on this application, first look first


@dataclass(frozen=True)
class CriterionLine:
    criterion: Criterion
    answer_value: bool | None  # None: not answered, or an exclusion ground (not reproduced)
    explanation: str
    declaration_withheld: bool  # an exclusion ground: the declaration stays out (see above)
    # The reviewer's verdict; its auto_mark is the rule's pre-assessment it started from.
    assessment: Assessment | None
    documents: list[ConsideredDocument]
    # The clarifications that asked about this criterion, as numbered in the report (from 1).
    clarification_numbers: list[int]


@dataclass(frozen=True)
class LotLine:
    code: str
    name: str
    outcome: str  # LotOutcome value
    reason: str
    proposed_by: User | None
    proposed_at: datetime | None
    confirmed_by: User | None
    confirmed_at: datetime | None


@dataclass
class ReportContent:
    """Everything the report prints, gathered once (a fixed number of queries)."""

    application: Application
    four_eyes: bool
    criteria: list[CriterionLine] = field(default_factory=list)
    clarifications: list[Clarification] = field(default_factory=list)
    lots: list[LotLine] = field(default_factory=list)
    conflicts: list[ConflictDeclaration] = field(default_factory=list)


def _short(sha256: str) -> str:
    return sha256[:SHORT_HASH]


def _assessments(application: Application) -> dict[int, Assessment]:
    return {
        a.criterion_id: a
        for a in db.session.scalars(
            db.select(Assessment)
            .options(joinedload(Assessment.assessed_by))
            .where(Assessment.application_id == application.id)
        )
    }


def _clarifications(application: Application) -> list[Clarification]:
    return list(
        db.session.scalars(
            db.select(Clarification)
            .options(
                joinedload(Clarification.asked_by),
                joinedload(Clarification.answered_by),
                selectinload(Clarification.documents),
            )
            .where(Clarification.application_id == application.id)
            .order_by(Clarification.asked_at, Clarification.id)
        )
    )


def content_of(application: Application, as_of: datetime | None = None) -> ReportContent:
    """The report's content for a decided (or, in a test, any submitted) application. The
    pre-assessment is the rule's mark each assessment was saved against (Assessment.auto_mark):
    what the reviewer confirmed or overrode. With `as_of` (the decision's moment: the report is
    rendered by a job after it), evidence first opened and conflicts declared after it stay
    out: they were not part of the decision."""
    content = ReportContent(application, four_eyes=application.das.four_eyes)
    assessed = _assessments(application)
    views = views_of(application)
    cut = as_utc(as_of) if as_of is not None else None
    if cut is not None:
        views = {
            document_id: [v for v in seen if as_utc(v.first_viewed_at) <= cut]
            for document_id, seen in views.items()
        }
    content.clarifications = _clarifications(application)
    asked_about: dict[str, list[int]] = {}
    for number, clarification in enumerate(content.clarifications, start=1):
        for code in clarification.criterion_codes:
            asked_about.setdefault(code, []).append(number)
    for criterion in application.das.criteria:
        answer = application.answer_for(criterion)
        withheld = criterion.kind is CriterionKind.EXCLUSION
        content.criteria.append(
            CriterionLine(
                criterion=criterion,
                answer_value=None if withheld or answer is None else answer.value,
                explanation="" if withheld or answer is None else answer.explanation,
                declaration_withheld=withheld,
                assessment=assessed.get(criterion.id),
                documents=[
                    ConsideredDocument(d, _short(d.sha256), views.get(d.id, []))
                    for d in (answer.documents if answer else [])
                ],
                clarification_numbers=asked_about.get(criterion.code, []),
            )
        )
    user_ids = {
        i
        for al in application.lots
        for i in (al.decided_by_id, al.confirmed_by_id)
        if i is not None
    }
    users = {u.id: u for u in db.session.scalars(db.select(User).where(User.id.in_(user_ids)))}
    for al in application.lots:
        content.lots.append(
            LotLine(
                code=al.lot.code,
                name=al.lot.name,
                outcome=al.outcome.value,
                reason=al.reason,
                proposed_by=users.get(al.decided_by_id) if al.decided_by_id else None,
                proposed_at=al.decided_at,
                confirmed_by=users.get(al.confirmed_by_id) if al.confirmed_by_id else None,
                confirmed_at=al.confirmed_at,
            )
        )
    content.conflicts = list(
        db.session.scalars(
            db.select(ConflictDeclaration)
            .options(joinedload(ConflictDeclaration.user))
            .where(ConflictDeclaration.application_id == application.id)
            .order_by(ConflictDeclaration.declared_at, ConflictDeclaration.id)
        )
    )
    if cut is not None:
        content.conflicts = [c for c in content.conflicts if as_utc(c.declared_at) <= cut]
    return content


def render_html(application: Application, now: datetime) -> str:
    """The report as HTML, the PDF's source. Always in Dutch: it is part of the official
    record, whatever the reviewer's interface language."""
    with force_locale("nl"):
        return render_template(
            "letters/assessment_report.html", report=content_of(application, now), now=now
        )


def write_report(application: Application, now: datetime) -> AssessmentReport:
    """Record the report of the decision taken `now`, to be rendered once the decision commits
    (the render_report job); adds its row to the caller's transaction (the decision's). One
    report per application (a unique key)."""
    report = AssessmentReport(
        application_id=application.id,
        filename=f"beoordelingsrapport-{application.reference}.pdf",
        created_at=now,
    )
    db.session.add(report)
    db.session.flush()
    jobs.after_commit(render_report, report.id)
    return report


@transaction
def render(report_id: int, now: datetime) -> bool:
    """Render a recorded report from the decision as committed, dated the decision's day,
    store it and fill its row (`now` is when), with the audit event that records its hash, in
    one transaction. A report rendered already is left alone (a retried job): False."""
    report = db.session.get(AssessmentReport, report_id)
    if report is None or report.is_rendered:
        db.session.rollback()
        return False
    application = db.session.get_one(Application, report.application_id)
    sha256 = documents.store_pdf(
        render_html(application, as_utc(report.created_at)), documents.LETTERS
    )
    if not documents.fill_once(
        AssessmentReport,
        report.id,
        AssessmentReport.rendered_at.is_(None),
        sha256=sha256,
        rendered_at=now,
    ):
        db.session.rollback()  # another run of the job filled it meanwhile
        return False
    # The decision's confirmer wrote it, as when the report was rendered with the decision.
    confirmer_id = next((al.confirmed_by_id for al in application.lots if al.confirmed_by_id), None)
    record(
        "assessment_report.written",
        application,
        db.session.get(User, confirmer_id) if confirmer_id else None,
        organisation_id=application.organisation_id,
        das_id=application.das_id,
        sha256=sha256,
    )
    db.session.commit()
    return True


@jobs.task(retries=5)
def render_report(report_id: int) -> None:
    render(report_id, current_time())


def report_of(application: Application) -> AssessmentReport | None:
    """The report of a decided application; None before the decision (without a query: the
    review page asks for it on every look)."""
    if application.state is not ApplicationState.DECIDED:
        return None
    return db.session.scalar(
        db.select(AssessmentReport).where(AssessmentReport.application_id == application.id)
    )


def reports_of(application_ids: list[int]) -> dict[int, AssessmentReport]:
    """The reports of these applications, by application id (one query, for lists)."""
    if not application_ids:
        return {}
    return {
        r.application_id: r
        for r in db.session.scalars(
            db.select(AssessmentReport).where(AssessmentReport.application_id.in_(application_ids))
        )
    }


def key_for(report: AssessmentReport) -> str:
    """Where the report is in the store (beside the decision letters)."""
    return documents.key_for(report.sha256, documents.LETTERS)


def read(report: AssessmentReport) -> bytes:
    """The stored PDF; DocumentPending before the job has rendered it, DocumentChanged when the
    store holds other bytes than were recorded."""
    if not report.is_rendered:
        raise documents.DocumentPending()
    return documents.read(report.sha256, documents.LETTERS)
