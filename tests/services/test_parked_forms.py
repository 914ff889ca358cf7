"""Kept forms (portal/services/parked_forms.py): one per owner and page, for that owner only,
handed back once, gone when expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask

from portal.extensions import db
from portal.models import ParkedForm
from portal.services import parked_forms
from portal.services.parked_forms import Owner
from tests import factories

START = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
DAY = timedelta(hours=24)
PAGE = "/aanbieder/organisatie"


def test_one_per_owner_and_page_the_newest_wins(app: Flask) -> None:
    user = factories.ProviderUserFactory()
    db.session.commit()
    mine, browser = Owner.user(user.id), Owner.browser("token")
    assert parked_forms.park(mine, PAGE, [("city", "Weert")], START, DAY)
    assert parked_forms.park(mine, PAGE, [("city", "Venlo")], START, DAY)
    assert parked_forms.park(browser, PAGE, [("city", "Roermond")], START, DAY)
    assert parked_forms.park(mine, PAGE + "?tab=2", [("city", "Echt")], START, DAY)

    assert db.session.scalar(db.select(db.func.count()).select_from(ParkedForm)) == 3
    kept = parked_forms.waiting(mine, PAGE, START)
    assert kept is not None and kept.fields == [("city", "Venlo")]
    stored = db.session.scalar(
        db.select(ParkedForm.browser_key).where(ParkedForm.user_id.is_(None))
    )
    assert stored != "token" and len(stored or "") == 64  # only the token's hash is kept
    assert parked_forms.waiting(Owner.browser("another"), PAGE, START) is None
    assert parked_forms.waiting(Owner.user(user.id + 1), PAGE, START) is None


def test_handed_back_once_and_never_after_it_expired(app: Flask) -> None:
    owner = Owner.browser("token")
    assert parked_forms.park(owner, PAGE, [("city", "Weert")], START, DAY)
    assert parked_forms.park(owner, "/registreren", [("name", "Anna")], START, DAY)
    kept = parked_forms.waiting(owner, PAGE, START)
    assert kept is not None

    first = parked_forms.consume(owner, kept, START)
    second = parked_forms.consume(owner, kept, START)  # another tab, a moment later
    assert (first.handed, first.more_waiting) == (True, True)
    assert (second.handed, second.more_waiting) == (False, True)

    assert parked_forms.waiting(owner, "/registreren", START + DAY) is None
    assert parked_forms.delete_expired(START + DAY) == 1
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(ParkedForm)) == 0


def test_nothing_to_keep_keeps_nothing(app: Flask) -> None:
    owner = Owner.browser("token")
    assert not parked_forms.park(owner, PAGE, [("csrf_token", "x"), ("password", "y")], START, DAY)
    assert not parked_forms.park(owner, "https://elders.example/", [("a", "b")], START, DAY)
    assert not parked_forms.park(owner, "/" + "x" * 1000, [("a", "b")], START, DAY)
    assert db.session.scalar(db.select(db.func.count()).select_from(ParkedForm)) == 0
