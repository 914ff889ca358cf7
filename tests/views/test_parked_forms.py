"""Nothing typed is lost when a session or its form token has run out (portal/web/parking.py).

Before: a form sent after the idle time-out or the maximum session age sent its user to log in
and dropped what they typed; so did a session whose record on the server had run out (the
blueprint's role check answered); and a form with an expired or missing token got the bare 400
page. Now the form is kept for whoever typed it, they are told so, and after logging in the page
shows it filled in, to check and save with the page's own button. Nothing is saved for them.
"""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.datastructures import MultiDict

from portal.extensions import db
from portal.infra.timeutil import as_utc, local_date, now
from portal.models import Clarification, Organisation, ParkedForm, Role, User, UserSession
from portal.services import parked_forms, privacy_purge
from tests import factories
from tests.support.app import IsolatedClient, login

PROFILE = "/aanbieder/organisatie"
ORIGIN = {"Origin": "http://localhost"}
KEPT_NOTICE = "wat u had ingevuld is bewaard"
RESTORED_NOTICE = "Wij hebben ingevuld wat u eerder typte. Controleer het en sla het op."
TOO_OLD_NOTICE = "Dit formulier was te lang geopend en is niet verwerkt."


class _FormValues(HTMLParser):
    """What a browser would send for the page's form whose action is `action`: the values shown
    in its inputs, ticked boxes and textareas (the page's own save button, clicked)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.values: MultiDict[str, str] = MultiDict()
        self.textarea: str | None = None
        self.found = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "form" and attr.get("method") == "post" and not self.found:
            self.inside = (attr.get("action") or self.action) == self.action
            self.found = self.inside
        elif self.inside and tag == "input" and attr.get("name"):
            kind = attr.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in attr:
                return
            self.values.add(attr["name"] or "", attr.get("value") or "")
        elif self.inside and tag == "textarea":
            self.textarea = attr.get("name")
            self.values.add(self.textarea or "", "")

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.values.setlist(self.textarea, [self.values[self.textarea] + data])

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            if self.textarea and self.values[self.textarea].startswith("\n"):
                self.values.setlist(self.textarea, [self.values[self.textarea][1:]])
            self.textarea = None
        elif tag == "form":
            self.inside = False


def form_on(page: str, action: str) -> MultiDict[str, str]:
    parser = _FormValues(action)
    parser.feed(page)
    assert parser.found, f"no form sending to {action}"
    return parser.values


def kept_rows() -> list[ParkedForm]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(ParkedForm).order_by(ParkedForm.id)))


def typed_profile(client: IsolatedClient) -> MultiDict[str, str]:
    """The profile form as its page shows it, with a new trade name and city typed in."""
    values = form_on(client.get(PROFILE).get_data(as_text=True), PROFILE)
    values["trade_name"] = "De Bron Jeugdhulp"
    values["city"] = "Weert"
    return values


def log_in_to(client: IsolatedClient, user: User, target: str) -> Any:
    """Log in through the form with `next`, as the log-in page sent there does."""
    response = client.post(
        f"/inloggen?next={target}", data={"email": user.email, "password": factories.PASSWORD}
    )
    if response.status_code == 302 and response.location.startswith("/inloggen/code"):
        response = client.post("/inloggen/code", data={"code": factories.current_code(user)})
    assert response.status_code == 302 and response.location == target
    return response


def organisation_of(user: User) -> Organisation:
    db.session.expire_all()
    organisation = db.session.get(Organisation, user.organisation_id)
    assert organisation is not None
    return organisation


def age_server_session(user: User, idle: timedelta) -> None:
    """What idling amounts to on the server: the session's record was last seen `idle` ago."""
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(last_seen_at=now() - idle, created_at=now() - idle)
    )
    db.session.commit()


@pytest.fixture()
def provider(app: Flask) -> User:
    user = factories.ProviderUserFactory(organisation__trade_name="")
    db.session.commit()
    return user


@pytest.fixture()
def csrf_on(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Form tokens checked, as in production (the suite switches them off)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def signed_in_with_tokens_checked(app: Flask, user: User) -> IsolatedClient:
    """A browser signed in (the log-in helper sends no tokens), from now on sending forms whose
    tokens are checked (the `csrf_on` fixture puts the setting back afterwards)."""
    client = IsolatedClient(app)
    app.config["WTF_CSRF_ENABLED"] = False
    login(client, user)
    app.config["WTF_CSRF_ENABLED"] = True
    return client


# --- the idle time-out and the maximum age ----------------------------------------------------


def test_a_form_sent_after_the_idle_time_out_is_kept_and_saved_after_log_in(
    app: Flask, provider: User
) -> None:
    client = IsolatedClient(app)
    login(client, provider)
    typed = typed_profile(client)
    with client.session_transaction() as session:
        session["seen_at"] -= 31 * 60

    response = client.post(PROFILE, data=typed)

    assert response.status_code == 303
    assert response.location == f"/inloggen?next={PROFILE}"
    assert organisation_of(provider).trade_name == ""  # nothing applied
    [row] = kept_rows()
    assert row.user_id == provider.id and row.browser_key is None and row.path == PROFILE
    assert ["trade_name", "De Bron Jeugdhulp"] in row.fields
    assert client.get_cookie("das_parked") is not None  # pages look for it while it waits
    page = client.get(response.location).get_data(as_text=True)
    assert "U was te lang niet actief en bent uitgelogd. Log opnieuw in; " + KEPT_NOTICE in page
    assert client.get(PROFILE).status_code == 302  # signed out for good

    log_in_to(client, provider, PROFILE)
    page = client.get(PROFILE).get_data(as_text=True)
    assert RESTORED_NOTICE in page
    assert 'value="De Bron Jeugdhulp"' in page and 'value="Weert"' in page
    assert "Er is een probleem" not in page  # shown, not validated
    assert kept_rows() == []  # handed back once
    assert organisation_of(provider).trade_name == ""  # still nothing saved

    # One click on the page's own button saves it.
    response = client.post(PROFILE, data=form_on(page, PROFILE))
    assert response.status_code == 302
    organisation = organisation_of(provider)
    assert (organisation.trade_name, organisation.city) == ("De Bron Jeugdhulp", "Weert")
    page = client.get(PROFILE).get_data(as_text=True)
    assert RESTORED_NOTICE not in page
    assert client.get_cookie("das_parked") is None  # no hint left: no more look-ups


def test_a_form_sent_after_the_session_record_ran_out_is_kept(app: Flask, provider: User) -> None:
    """The cookie's own clock says the session is fresh, the server's record has idled out: the
    user loader refuses the cookie and the page's access decision answers."""
    client = IsolatedClient(app)
    login(client, provider)
    typed = typed_profile(client)
    age_server_session(provider, timedelta(hours=2))

    response = client.post(PROFILE, data=typed)

    assert response.status_code == 303 and response.location.startswith("/inloggen?next=")
    [row] = kept_rows()
    assert row.user_id == provider.id and row.path == PROFILE
    assert KEPT_NOTICE in client.get(response.location).get_data(as_text=True)
    log_in_to(client, provider, PROFILE)
    assert 'value="De Bron Jeugdhulp"' in client.get(PROFILE).get_data(as_text=True)


def test_a_form_sent_after_the_maximum_session_age_is_kept(app: Flask, provider: User) -> None:
    client = IsolatedClient(app)
    login(client, provider)
    typed = typed_profile(client)
    with client.session_transaction() as session:
        session["auth_at"] -= 13 * 3600

    response = client.post(PROFILE, data=typed)

    assert response.status_code == 303 and response.location.startswith("/inloggen")
    assert [row.user_id for row in kept_rows()] == [provider.id]
    log_in_to(client, provider, PROFILE)
    page = client.get(PROFILE).get_data(as_text=True)
    assert RESTORED_NOTICE in page and 'value="Weert"' in page


def test_a_session_that_was_logged_out_keeps_nothing(app: Flask, provider: User) -> None:
    """A copy of a cookie whose session was ended (log-out) names no one: nothing is kept, and a
    stranger cannot plant a form for the user that way."""
    client = IsolatedClient(app)
    login(client, provider)
    typed = typed_profile(client)
    name = app.config["SESSION_COOKIE_NAME"]
    copy = IsolatedClient(app)
    copy.set_cookie(name, client.get_cookie(name).value)
    client.post("/uitloggen")

    response = copy.post(PROFILE, data=typed)

    assert response.status_code == 302 and response.location.startswith("/inloggen")
    assert kept_rows() == []


def test_staff_come_back_through_the_second_step_to_a_form_sent_elsewhere(app: Flask) -> None:
    """A reviewer's request for clarification is sent to an address of its own; it is kept for
    the page it was on (the Referer), and the two-step log-in returns there."""
    from datetime import UTC, date, datetime

    from portal.services import applications, calendar

    calendar.ensure_statutory_holidays(range(2026, 2029))
    das = factories.DasFactory()
    provider = factories.ProviderUserFactory()
    application = factories.complete_draft(das, provider, date(2026, 12, 1))
    applications.submit(application, provider, datetime(2026, 12, 18, 9, tzinfo=UTC))
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    db.session.commit()
    client = IsolatedClient(app)
    login(client, reviewer)
    page_url = f"/beoordeling/aanmeldingen/{application.id}"
    client.post(f"{page_url}/belangenconflict", data={"has_conflict": "no"})
    due = (date.today() + timedelta(days=14)).isoformat()
    question = "Uw KvK-uittreksel is onleesbaar. Stuur een nieuw exemplaar."
    with client.session_transaction() as session:
        session["seen_at"] -= 31 * 60

    response = client.post(
        f"{page_url}/herstelverzoek",
        data={"question": question, "criteria": ["G4"], "reply_due_on": due},
        headers={"Referer": f"http://localhost{page_url}"},
    )

    assert response.status_code == 303
    [row] = kept_rows()
    assert row.path == page_url and row.user_id == reviewer.id
    log_in_to(client, reviewer, page_url)  # the password, then the code
    page = client.get(page_url).get_data(as_text=True)
    assert RESTORED_NOTICE in page and question in page
    assert f'value="{due}"' in page
    values = form_on(page, f"{page_url}/herstelverzoek")
    assert values.getlist("criteria") == ["G4"]
    assert client.post(f"{page_url}/herstelverzoek", data=values).status_code == 302
    assert db.session.scalar(db.select(Clarification.question)) == question


# --- form tokens -------------------------------------------------------------------------------


def test_an_expired_form_token_while_signed_in_shows_the_form_again(
    app: Flask, provider: User, csrf_on: None
) -> None:
    client = signed_in_with_tokens_checked(app, provider)
    typed = typed_profile(client)
    typed["csrf_token"] = "verlopen"

    response = client.post(PROFILE, data=typed, headers=ORIGIN)

    assert response.status_code == 303 and response.location == PROFILE
    [row] = kept_rows()
    assert row.user_id == provider.id
    assert "csrf_token" not in {name for name, _value in row.fields}
    page = client.get(PROFILE).get_data(as_text=True)
    assert TOO_OLD_NOTICE in page and RESTORED_NOTICE in page
    assert 'value="De Bron Jeugdhulp"' in page
    assert client.post(PROFILE, data=form_on(page, PROFILE)).status_code == 302
    assert organisation_of(provider).trade_name == "De Bron Jeugdhulp"


def test_a_bad_token_from_another_site_is_refused_and_kept_nowhere(
    app: Flask, provider: User, csrf_on: None
) -> None:
    """A forged form (another site's page posting here) must not fill in the user's page."""
    client = signed_in_with_tokens_checked(app, provider)
    typed = typed_profile(client)
    typed["csrf_token"] = "verlopen"
    for headers in ({"Origin": "https://elders.example"}, {}, {"Sec-Fetch-Site": "cross-site"}):
        response = client.post(PROFILE, data=typed, headers=headers)
        assert response.status_code == 400
        assert "Formulier verlopen" in response.get_data(as_text=True)
    assert kept_rows() == []


def test_registration_with_an_expired_token_is_kept_without_the_passwords(
    app: Flask, csrf_on: None
) -> None:
    visitor = IsolatedClient(app)
    visitor.get("/registreren")
    typed = {**factories.REGISTRATION, "csrf_token": "verlopen"}

    response = visitor.post("/registreren", data=typed, headers=ORIGIN)

    assert response.status_code == 303 and response.location == "/registreren"
    [row] = kept_rows()
    assert row.user_id is None and row.browser_key and row.path == "/registreren"
    names = {name for name, _value in row.fields}
    assert names == {"legal_name", "kvk_number", "size_class", "name", "email"}
    assert factories.REGISTRATION["password"] not in str(row.fields)
    assert db.session.scalar(db.select(User).where(User.email == "anna@debron.nl")) is None

    page = visitor.get("/registreren").get_data(as_text=True)
    assert TOO_OLD_NOTICE in page and RESTORED_NOTICE in page
    assert 'value="Praktijk De Bron"' in page and 'value="anna@debron.nl"' in page
    assert factories.REGISTRATION["password"] not in page
    assert kept_rows() == []
    # Another browser gets nothing, and neither does this one a second time.
    assert RESTORED_NOTICE not in IsolatedClient(app).get("/registreren").get_data(as_text=True)
    assert RESTORED_NOTICE not in visitor.get("/registreren").get_data(as_text=True)

    values = form_on(page, "/registreren")
    for name in ("password", "password_repeat"):
        values.setlist(name, [factories.REGISTRATION["password"]])
    assert visitor.post("/registreren", data=values).status_code == 302
    assert db.session.scalar(db.select(User).where(User.email == "anna@debron.nl")) is not None


def test_log_in_and_password_pages_are_never_kept(
    app: Flask, provider: User, csrf_on: None
) -> None:
    visitor = IsolatedClient(app)
    response = visitor.post(
        "/inloggen",
        data={"email": provider.email, "password": factories.PASSWORD, "csrf_token": "x"},
        headers=ORIGIN,
    )
    assert response.status_code == 400
    client = signed_in_with_tokens_checked(app, provider)
    response = client.post(
        "/account/wachtwoord",
        data={
            "current_password": factories.PASSWORD,
            "password": "een-nieuw-lang-wachtwoord",
            "password_repeat": "een-nieuw-lang-wachtwoord",
        },
        headers=ORIGIN,
    )
    assert response.status_code == 400
    assert kept_rows() == []


# --- whose it is, how long, how much -------------------------------------------------------------


def test_another_user_on_the_same_browser_gets_nothing(app: Flask, provider: User) -> None:
    colleague = factories.ProviderUserFactory(organisation=provider.organisation)
    db.session.commit()
    browser = IsolatedClient(app)
    login(browser, provider)
    typed = typed_profile(browser)
    with browser.session_transaction() as session:
        session["seen_at"] -= 31 * 60
    assert browser.post(PROFILE, data=typed).status_code == 303

    # A colleague of the same organisation logs in on this browser and opens the same page.
    log_in_to(browser, colleague, PROFILE)
    page = browser.get(PROFILE).get_data(as_text=True)
    assert RESTORED_NOTICE not in page and "De Bron Jeugdhulp" not in page
    assert [row.user_id for row in kept_rows()] == [provider.id]  # still waiting for its owner

    browser.post("/uitloggen")
    log_in_to(browser, provider, PROFILE)
    assert 'value="De Bron Jeugdhulp"' in browser.get(PROFILE).get_data(as_text=True)


def test_kept_forms_expire_and_the_privacy_purge_deletes_them(app: Flask, provider: User) -> None:
    client = IsolatedClient(app)
    login(client, provider)
    typed = typed_profile(client)
    with client.session_transaction() as session:
        session["seen_at"] -= 31 * 60
    client.post(PROFILE, data=typed)
    [row] = kept_rows()
    assert as_utc(row.expires_at) - as_utc(row.created_at) == timedelta(hours=24)
    row.expires_at = now() - timedelta(minutes=1)
    db.session.commit()

    log_in_to(client, provider, PROFILE)
    page = client.get(PROFILE).get_data(as_text=True)
    assert RESTORED_NOTICE not in page and "De Bron Jeugdhulp" not in page

    other = factories.ProviderUserFactory()
    db.session.commit()
    fresh = parked_forms.Owner.user(other.id)
    assert parked_forms.park(fresh, PROFILE, [("city", "Weert")], now(), timedelta(hours=24))
    privacy_purge.purge(local_date(now()) + timedelta(days=1), 7)
    assert [r.user_id for r in kept_rows()] == [other.id]  # the expired one is gone
    privacy_purge.purge(local_date(now()) + timedelta(days=2), 7)
    assert kept_rows() == []


def test_a_form_too_large_to_keep_is_not_kept_and_the_user_is_told_so(
    app: Flask, provider: User
) -> None:
    client = IsolatedClient(app)
    login(client, provider)
    typed = typed_profile(client)
    typed["trade_name"] = "x" * (parked_forms.MAX_BYTES + 1)
    with client.session_transaction() as session:
        session["seen_at"] -= 31 * 60

    response = client.post(PROFILE, data=typed)

    assert response.location.startswith("/inloggen")
    assert kept_rows() == []
    page = client.get(response.location).get_data(as_text=True)
    assert "U was een tijd niet actief en bent uitgelogd" in page and KEPT_NOTICE not in page


def test_what_is_never_kept(app: Flask) -> None:
    fields = parked_forms.fields_to_keep(
        [
            ("csrf_token", "t"),
            ("password", "geheim"),
            ("current_password", "geheim"),
            ("nieuw_wachtwoord", "geheim"),
            ("postcode", "6041 EL"),
            ("agb_code", "12345678"),
            ("documents", "1"),
            ("documents", "2"),
        ]
    )
    assert fields == [
        ["postcode", "6041 EL"],
        ["agb_code", "12345678"],
        ["documents", "1"],
        ["documents", "2"],
    ]
    assert parked_forms.fields_to_keep([("naam", "a\x00b")]) is None
    many = [(f"f{n}", "") for n in range(parked_forms.MAX_FIELDS + 1)]
    assert parked_forms.fields_to_keep(many) is None


# --- forms built with data of their own --------------------------------------------------------


def test_a_reply_to_a_clarification_comes_back_with_its_ticked_documents(app: Flask) -> None:
    """The reply form is built with the documents already linked (data=); what was typed and
    ticked wins over them, once."""
    from datetime import UTC, date, datetime

    from portal.services import applications, calendar, review

    calendar.ensure_statutory_holidays(range(2026, 2029))
    das = factories.DasFactory()
    provider = factories.ProviderUserFactory()
    application = factories.complete_draft(das, provider, date(2026, 12, 1))
    applications.submit(application, provider, datetime(2026, 12, 18, 9, tzinfo=UTC))
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    review.declare_conflict(application, reviewer, False, "", now())
    asked = review.ask_clarification(
        application,
        reviewer,
        "Stuur een nieuw uittreksel.",
        ["G4"],
        local_date(now()) + timedelta(days=14),
        now(),
    )
    extract = factories.upload_pdf(
        provider, factories.EvidenceType.KVK_EXTRACT, date.today(), content=b"%PDF-1.4 nieuw"
    )
    db.session.commit()
    reply_url = f"/aanbieder/aanmeldingen/{application.id}/vragen/{asked.id}"
    client = IsolatedClient(app)
    login(client, provider)
    assert "Bijgevoegd" not in client.get(reply_url).get_data(as_text=True)
    age_server_session(provider, timedelta(hours=3))

    response = client.post(reply_url, data={"answer": "Bijgevoegd.", "documents": [extract.id]})

    assert response.status_code == 303
    log_in_to(client, provider, reply_url)
    page = client.get(reply_url).get_data(as_text=True)
    assert RESTORED_NOTICE in page and "Bijgevoegd." in page
    values = form_on(page, reply_url)
    assert values.getlist("documents") == [str(extract.id)]
    assert client.post(reply_url, data=values).status_code == 302
    db.session.expire_all()
    answered = db.session.get(Clarification, asked.id)
    assert answered is not None and answered.answer == "Bijgevoegd."
    assert [d.id for d in answered.documents] == [extract.id]


def test_the_answers_form_takes_the_kept_values_over_its_data(app: Flask) -> None:
    """`answers_form` builds its class per application and fills it with `data=`: the kept
    values still win, on the page they were kept for, for their owner only."""
    from datetime import date

    from flask import session

    from portal.models import CriterionKind
    from portal.pages import parked
    from portal.supplier.forms import answers_form

    das = factories.DasFactory()
    db.session.commit()
    criteria = das.criteria_of(CriterionKind.EXCLUSION)
    first = criteria[0]
    page = "/aanbieder/aanmeldingen/1/uitsluitingsgronden"
    token = "een-browser"
    kept = [(f"c{first.id}_value", "ja"), (f"c{first.id}_explanation", "In 2024, hersteld.")]
    assert parked_forms.park(
        parked_forms.Owner.browser(token), page, kept, now(), timedelta(hours=1)
    )
    stored = {f"c{first.id}_value": "nee", f"c{first.id}_explanation": "Eerder."}

    def form_on_page(path: str, browser_token: str) -> Any:
        # A request of its own, as in production (and IsolatedClient): its own `g`.
        with app.app_context(), app.test_request_context(path):
            session[parked.BROWSER_TOKEN_KEY] = browser_token
            form = answers_form(criteria, [], stored, date.today())
            return form, parked.restored()

    form, restored = form_on_page("/aanbieder/aanmeldingen/2/uitsluitingsgronden", token)
    assert not restored and form[f"c{first.id}_value"].data == "nee"
    form, restored = form_on_page(page, "een-andere-browser")
    assert not restored and form[f"c{first.id}_value"].data == "nee"
    form, restored = form_on_page(page, token)
    assert restored
    assert form[f"c{first.id}_value"].data == "ja"
    assert form[f"c{first.id}_explanation"].data == "In 2024, hersteld."
    assert form.errors == {}
    form, restored = form_on_page(page, token)  # handed back once
    assert not restored and form[f"c{first.id}_value"].data == "nee"
