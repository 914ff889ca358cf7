"""Documents still waiting for the job that renders them (decision letters, assessment reports,
agreements: services/documents.py), and the sweep that gives each one a job again.

A render job is enqueued when the change that calls for the document commits. If the queue was
unreachable at that moment, or the job was lost, the row stays pending; the schedule runs
`sweep` every few minutes and enqueues a job for every document pending longer than GRACE. A
job that finds its document rendered does nothing, so a second job for one document is harmless.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.extensions import db
from portal.models import AssessmentReport, DecisionLetter, FrameworkAgreement
from portal.services import agreements, assessment_report, letters

# Long enough for the job enqueued at the commit to have run (it starts within seconds).
GRACE = timedelta(minutes=5)


def sweep(moment: datetime) -> int:
    """Enqueue a render job for every document recorded before `moment - GRACE` and still not
    rendered. Returns how many."""
    before = moment - GRACE
    letter_ids = db.session.scalars(
        db.select(DecisionLetter.id).where(
            DecisionLetter.rendered_at.is_(None), DecisionLetter.created_at <= before
        )
    ).all()
    report_ids = db.session.scalars(
        db.select(AssessmentReport.id).where(
            AssessmentReport.rendered_at.is_(None), AssessmentReport.created_at <= before
        )
    ).all()
    # An agreement keeps no moment for its pending PDF: every pending one gets a job (a job
    # enqueued twice renders once).
    agreement_ids = db.session.scalars(
        db.select(FrameworkAgreement.id).where(FrameworkAgreement.document_pending.is_(True))
    ).all()
    db.session.commit()
    for letter_id in letter_ids:
        letters.render_letter.enqueue(letter_id)
    for report_id in report_ids:
        assessment_report.render_report.enqueue(report_id)
    for agreement_id in agreement_ids:
        agreements.render_agreement.enqueue(agreement_id)
    return len(letter_ids) + len(report_ids) + len(agreement_ids)
