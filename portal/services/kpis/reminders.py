"""Reminders to report KPI figures: due soon, and late (`flask kpi-reminders`). Each reminder is
recorded per report (`ReportReminder`), so the late-reports list shows what was sent, and a job
run twice on one day mails once."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from portal.domain import contract_management as rules
from portal.extensions import db
from portal.models import (
    AgreementState,
    FrameworkAgreement,
    ReminderReason,
    ReportReminder,
)
from portal.services.kpis.dashboards import provider_dashboard
from portal.services.recipients import provider_recipients


def kpi_reminders(today: date, due_days: int, warn_days: int = 7) -> int:
    """Remind providers of KPI reports due within `warn_days`, and of those overdue (run daily;
    a reminder goes out on the day a period becomes due-soon and on the day it becomes late, the
    day after its due date, so nobody is mailed every day). Returns the number of mails sent."""
    from portal.infra import mail

    already = set(
        db.session.execute(
            db.select(
                ReportReminder.agreement_id,
                ReportReminder.definition_id,
                ReportReminder.period_start,
                ReportReminder.reason,
            ).where(ReportReminder.sent_on == today)
        ).tuples()
    )
    sent = 0
    for agreement in db.session.scalars(
        db.select(FrameworkAgreement).where(FrameworkAgreement.state == AgreementState.LIVE)
    ):
        series = provider_dashboard(agreement, today, due_days)
        soon: list[tuple[str, date]] = []
        late: list[tuple[str, date]] = []
        for s in series:
            period = s.definition.period.value
            reported = {start for start, _v, _f in s.points}
            for start in rules.completed_periods(agreement.start_date, today, period):
                if start in reported:
                    continue
                due = rules.kpi_due_date(start, period, due_days)
                label = f"{s.definition.name} {rules.period_label(start, period)}"
                if due - timedelta(days=warn_days) == today:
                    reason, found = ReminderReason.DUE_SOON, soon
                elif due + timedelta(days=1) == today:  # the first day it is late
                    reason, found = ReminderReason.LATE, late
                else:
                    continue
                if (agreement.id, s.definition.id, start, reason) in already:
                    continue
                found.append((label, due))
                db.session.add(
                    ReportReminder(
                        agreement_id=agreement.id,
                        report=rules.ReportKind.KPI,
                        definition_id=s.definition.id,
                        period_start=start,
                        reason=reason,
                        sent_on=today,
                    )
                )
        if not soon and not late:
            continue
        for user in provider_recipients(agreement.organisation_id, reporters=True):
            mail.queue(
                user.email,
                _l("Cijfers melden: %(das)s", das=agreement.das.name),
                "kpi_reminder",
                user=user,
                agreement=agreement,
                soon=soon,
                late=late,
                link=mail.link("supplier.kpi_report", agreement_id=agreement.id),
            )
            sent += 1
        db.session.commit()  # this agreement's reminders and their mails
    return sent
