"""What waits for a member of staff, as the pages say it: the headings of the task page (also used
by the task mails), the link where each task is done, and the count in the site header."""

from __future__ import annotations

from flask import g, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.services import staff_tasks
from portal.services.ownership import REVIEWER_ROLES
from portal.services.staff_tasks import Task, TaskKind

HEADINGS = {
    TaskKind.OVERDUE: _l("Beoordelingstermijn verstreken"),
    TaskKind.DEADLINE_SOON: _l("Beoordelingstermijn verloopt binnen twee werkdagen"),
    TaskKind.UNASSIGNED: _l("Aanmeldingen zonder beoordelaar"),
    TaskKind.TO_ASSESS: _l("Aan u toegewezen, nog geen besluit voorgesteld"),
    TaskKind.ANSWERED: _l("Herstelverzoek beantwoord, opnieuw te beoordelen"),
    TaskKind.TO_CONFIRM: _l("Voorstel van een collega, wacht op de tweede beoordelaar"),
    TaskKind.COMPLAINTS: _l("Klachten in behandeling"),
    TaskKind.MESSAGES: _l("Ongelezen berichten van aanbieders"),
    TaskKind.QUESTIONS: _l("Vragen over de aankondiging zonder gepubliceerd antwoord"),
    TaskKind.COUNTERSIGN: _l("Overeenkomsten die wachten op medeondertekening"),
    TaskKind.LATE_REPORTS: _l("Te late KPI- en SROI-rapportages"),
    TaskKind.LUMP_SUM_REVIEW: _l("Lumpsumresultaten buiten het ventiel van 3%"),
}


def heading(kind: TaskKind) -> str:
    return str(HEADINGS[kind])


def task_url(task: Task) -> str:
    endpoint, values = staff_tasks.where(task)
    return url_for(endpoint, **values)


def my_tasks_endpoint() -> str:
    """Reviewers (and administrators) find their tasks under Beoordelen, contract managers under
    Contracten; both pages list every task the person has."""
    return "review.my_tasks" if current_user.role in REVIEWER_ROLES else "contracts.my_tasks"


def header_count() -> int:
    """The signed-in member of staff's task count, once per request (one query)."""
    if not current_user.is_authenticated or not current_user.is_staff:
        return 0
    if "staff_task_count" not in g:
        g.staff_task_count = staff_tasks.count_for(current_user._get_current_object())
    count: int = g.staff_task_count
    return count
