"""Nothing typed is lost in Chromium: a provider types into the organisation profile, the session
runs out (idle by its own clock, or its record on the server idled out) or the form's token is no
longer valid; they are told so, log in again where needed, land on the same page with what they
typed filled in, and one click on the page's own button saves it (portal/web/parking.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page, expect

from portal.auth import sessions as auth_sessions
from portal.extensions import db
from portal.infra import timeutil
from portal.models import Organisation, ParkedForm, User, UserSession
from portal.web import parking, register
from tests import factories
from tests.support.browser import log_in

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql

RESTORED = "Wij hebben ingevuld wat u eerder typte. Controleer het en sla het op."
SAVED = "De gegevens van uw organisatie zijn opgeslagen."


class Clock:
    """The live server's clock for sessions (same process, other thread): moved forward to
    make a session idle without waiting half an hour."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def now(self) -> datetime:
        return timeutil.now() + self.ahead


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    clock = Clock()
    for module in (parking, register, auth_sessions):
        monkeypatch.setattr(module, "now", clock.now)
    yield clock


@pytest.fixture()
def provider(app: Flask) -> User:
    user = factories.ProviderUserFactory(organisation__trade_name="")
    db.session.commit()
    return user


def open_profile_and_type(page: Page, base: str, provider: User) -> None:
    log_in(page, base, provider.email)
    page.get_by_role("link", name="Gegevens").click()
    page.get_by_label("Handelsnaam (als die anders is)").fill("De Bron Jeugdhulp")
    page.get_by_label("Plaats").fill("Weert")


def saved_profile(provider: User) -> tuple[str | None, str | None]:
    db.session.expire_all()
    organisation = db.session.get(Organisation, provider.organisation_id)
    assert organisation is not None
    return organisation.trade_name, organisation.city


def log_in_again_and_save(page: Page, provider: User) -> None:
    """The log-in page says the form was kept; after logging in, the profile shows it filled in,
    nothing is saved yet, and the page's own button saves it."""
    expect(page.get_by_role("status").first).to_contain_text(
        "U was te lang niet actief en bent uitgelogd. Log opnieuw in; wat u had ingevuld is "
        "bewaard."
    )
    page.get_by_label("E-mailadres").fill(provider.email)
    page.get_by_label("Wachtwoord").fill(factories.PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gegevens van uw organisatie")
    expect(page.get_by_role("status").first).to_have_text(RESTORED)
    expect(page.get_by_label("Handelsnaam (als die anders is)")).to_have_value("De Bron Jeugdhulp")
    expect(page.get_by_label("Plaats")).to_have_value("Weert")
    assert saved_profile(provider) == ("", "Roermond")
    page.get_by_role("button", name="Gegevens opslaan").click()
    expect(page.get_by_role("status").first).to_have_text(SAVED)
    assert saved_profile(provider) == ("De Bron Jeugdhulp", "Weert")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ParkedForm)) == 0


def test_idle_by_the_session_clock_then_saving(
    app: Flask, live_server: str, page: Page, provider: User, clock: Clock
) -> None:
    open_profile_and_type(page, live_server, provider)
    clock.ahead = timedelta(minutes=31)  # the user went for coffee
    page.get_by_role("button", name="Gegevens opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")
    clock.ahead = timedelta(0)
    log_in_again_and_save(page, provider)


def test_idle_on_the_server_then_saving(
    app: Flask, live_server: str, page: Page, provider: User
) -> None:
    """The session's record on the server idled out (what idling amounts to there): the cookie
    opens nothing any more, but still says whose form it is."""
    open_profile_and_type(page, live_server, provider)
    two_hours_ago = timeutil.now() - timedelta(hours=2)
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == provider.id)
        .values(last_seen_at=two_hours_ago, created_at=two_hours_ago)
    )
    db.session.commit()
    page.get_by_role("button", name="Gegevens opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")
    log_in_again_and_save(page, provider)


def test_an_expired_form_token_then_saving(
    app: Flask, live_server: str, page: Page, provider: User
) -> None:
    open_profile_and_type(page, live_server, provider)
    page.locator('form[action="/aanbieder/organisatie"] input[name="csrf_token"]').evaluate(
        "(input) => { input.value = 'verlopen'; }"
    )
    page.get_by_role("button", name="Gegevens opslaan").click()

    # Still signed in: the same page, filled in again, and nothing saved yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Gegevens van uw organisatie")
    expect(page.get_by_role("status").first).to_contain_text(
        "Dit formulier was te lang geopend en is niet verwerkt. Er is nog niets opgeslagen."
    )
    expect(page.get_by_role("status").nth(1)).to_have_text(RESTORED)
    expect(page.get_by_label("Handelsnaam (als die anders is)")).to_have_value("De Bron Jeugdhulp")
    assert saved_profile(provider) == ("", "Roermond")
    page.get_by_role("button", name="Gegevens opslaan").click()
    expect(page.get_by_role("status").first).to_have_text(SAVED)
    assert saved_profile(provider) == ("De Bron Jeugdhulp", "Weert")
