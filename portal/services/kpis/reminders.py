"""Reminders to report KPI figures: due soon, and late (`flask kpi-reminders`)."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from portal.domain import contract_management as rules
from portal.extensions import db
from portal.models import (
    AgreementState,
    FrameworkAgreement,
)
from portal.services.kpis.dashboards import provider_dashboard
from portal.services.recipients import provider_recipients


def kpi_reminders(today: date, due_days: int, warn_days: int = 7) -> int:
    """Remind providers of KPI reports due within `warn_days`, and of those overdue (run daily;
    a reminder goes out on the day a period becomes due-soon and on the day it becomes late, so
    nobody is mailed every day). Returns the number of mails sent."""
    from portal.infra import mail

    sent = 0
    for agreement in db.session.scalars(
        db.select(FrameworkAgreement).where(FrameworkAgreement.state == AgreementState.LIVE)
    ):
        series = provider_dashboard(agreement, today, due_days)
        soon, late = [], []
        for s in series:
            reported = {start for start, _v, _f in s.points}
            for start in rules.completed_periods(
                agreement.start_date, today, s.definition.period.value
            ):
                due = rules.next_period(start, s.definition.period.value) + timedelta(days=due_days)
                label = (
                    f"{s.definition.name} {rules.period_label(start, s.definition.period.value)}"
                )
                if start in reported:
                    continue
                if due - timedelta(days=warn_days) == today:
                    soon.append((label, due))
                elif due == today:
                    late.append((label, due))
        if not soon and not late:
            continue
        for user in provider_recipients(agreement.organisation_id, reporters=True):
            mail.send(
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
    return sent
