"""A question answered and published (issue 20): a provider asks about the announcement, a
reviewer of the DAS answers and publishes, the public page shows the answer without the asker's
name, and the asker got a mail. Every page is checked by axe-core."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import Role
from tests import factories
from tests.support.browser import log_in

pytestmark = pytest.mark.only_postgresql

QUESTION = "Mag een onderaannemer de kwaliteitseisen voor ons aantonen?"
ANSWER = "Ja, als u de onderaannemer in uw aanmelding noemt en zijn certificaat bijvoegt."


@pytest.fixture()
def world(app: Flask):
    das = factories.DasFactory(name="Jeugdhulp Testregio")
    asker = factories.ProviderUserFactory()
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    db.session.commit()
    return das, asker, reviewer


def _mail_to(mailbox, address: str, seconds: float = 10):
    """The mail to `address`, waiting for it: it is sent once the transaction commits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := mailbox.to(address):
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address}")


def test_a_question_answered_and_published(world, live_server: str, new_page, mailbox) -> None:
    das, asker, reviewer = world

    # The provider reads the announcement, follows the link and asks.
    provider: Page = new_page()
    log_in(provider, live_server, asker.email)
    provider.goto(f"{live_server}/das/{das.slug}")
    provider.get_by_role("link", name="Stel een vraag over deze aankondiging").click()
    expect(provider.get_by_role("heading", level=1)).to_have_text("Vragen over de aankondiging")
    # Sent without a subject: refused, and the text is kept.
    provider.get_by_label("Uw vraag").fill(QUESTION)
    provider.get_by_role("button", name="Vraag versturen").click()
    expect(provider.get_by_role("alert")).to_contain_text("Kies waar uw vraag over gaat.")
    expect(provider.get_by_label("Uw vraag")).to_have_value(QUESTION)
    provider.get_by_label("Geschiktheidseisen en bewijs").check()
    provider.get_by_role("button", name="Vraag versturen").click()
    expect(provider.get_by_text("Uw vraag is verstuurd als vraag 1.")).to_be_visible()
    expect(provider.get_by_text("Nog niet beantwoord.")).to_be_visible()

    # The reviewer finds it among the open questions and publishes an answer.
    staff: Page = new_page()
    log_in(staff, live_server, reviewer.email)
    staff.goto(f"{live_server}/beoordeling/das/{das.slug}/vragen")
    expect(staff.get_by_role("cell", name=asker.organisation.legal_name)).to_be_visible()
    staff.get_by_role("link", name="Vraag 1").click()
    staff.get_by_label("Antwoord", exact=True).fill(ANSWER)
    staff.get_by_role("button", name="Antwoord publiceren").click()
    expect(staff.get_by_text("Het antwoord is gepubliceerd.")).to_be_visible()
    expect(staff.get_by_role("heading", name="Antwoord corrigeren")).to_be_visible()

    # Anyone reads it on the public page, without the asker's name or organisation.
    public: Page = new_page()
    public.goto(f"{live_server}/das/{das.slug}")
    expect(public.get_by_text("1 vraag van aanbieders is beantwoord.")).to_be_visible()
    public.get_by_role("link", name="Lees de vragen en antwoorden").click()
    expect(
        public.get_by_role("heading", level=2, name="Geschiktheidseisen en bewijs")
    ).to_be_visible()
    expect(public.get_by_text(QUESTION)).to_be_visible()
    expect(public.get_by_text(ANSWER)).to_be_visible()
    content = public.content()
    for secret in (asker.name, asker.email, asker.organisation.legal_name):
        assert secret not in content

    # The asker got a mail with the answer and a link to their questions.
    mail = _mail_to(mailbox, asker.email).get_content()
    assert ANSWER in mail
    assert f"{live_server}/aanbieder/das/{das.slug}/vragen#vraag-1" in mail
    provider.goto(f"{live_server}/aanbieder/das/{das.slug}/vragen#vraag-1")
    provider.reload()  # the same page as before: going to its #vraag-1 alone loads nothing
    expect(provider.get_by_text("Beantwoord", exact=True)).to_be_visible()
    expect(provider.get_by_text(ANSWER)).to_be_visible()
