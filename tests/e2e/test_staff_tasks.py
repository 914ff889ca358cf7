"""A reviewer's task list after a submission, in Chromium (issue 20): the provider submits, the
reviewer logs in and sees "Mijn taken (1)" in the header, finds the application under "waiting for
a reviewer" and follows the link to it. axe audits every page the test leaves (`new_page`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import Application, ApplicationState, Role
from portal.services import calendar
from tests import factories
from tests.support.browser import log_in

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql


def test_a_submission_waits_in_the_reviewers_task_list(
    app: Flask, live_server: str, new_page: Callable[[], Page]
) -> None:
    calendar.ensure_statutory_holidays(range(2026, 2029))
    db.session.commit()
    das = factories.DasFactory()
    provider = factories.ProviderUserFactory(organisation__legal_name="Kompas Gezinshulp")
    draft = factories.complete_draft(das, provider, date.today())
    reviewer = factories.UserFactory(role=Role.REVIEWER, name="Bram Eerste")
    factories.assign(reviewer, das)

    # The provider submits.
    page = new_page()
    log_in(page, live_server, provider.email)
    page.goto(f"{live_server}/aanbieder/aanmeldingen/{draft.id}/indienen")
    page.get_by_label(re.compile("Ik verklaar dat de antwoorden")).check()
    page.get_by_role("button", name="Aanmelding indienen").click()
    expect(page.get_by_role("status").first).to_contain_text("Uw aanmelding is ingediend.")
    expect(page.get_by_role("link", name=re.compile("Mijn taken"))).to_have_count(0)
    db.session.expire_all()
    application = db.session.get(Application, draft.id)
    assert application is not None and application.state is ApplicationState.SUBMITTED

    # The reviewer sees it waiting, in the header's text (not a colour) and on the list.
    staff_page = new_page()
    log_in(staff_page, live_server, reviewer.email)
    tasks_link = staff_page.get_by_role("link", name="Mijn taken (1)")
    expect(tasks_link).to_be_visible()
    tasks_link.click()
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Mijn taken")
    expect(staff_page.get_by_text("1 taak wacht op u.")).to_be_visible()
    waiting = staff_page.locator(
        "section", has=staff_page.get_by_role("heading", name="Aanmeldingen zonder beoordelaar (1)")
    )
    link = waiting.get_by_role("link", name=re.compile(re.escape(application.reference or "")))
    expect(link).to_contain_text("Kompas Gezinshulp")
    link.click()
    staff_page.wait_for_url(f"{live_server}/beoordeling/aanmeldingen/{application.id}")
    expect(staff_page.get_by_role("heading", level=1)).to_contain_text("Kompas Gezinshulp")
