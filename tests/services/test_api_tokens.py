"""API tokens (issue 23): made and revoked by the organisation's administrator only, stored as a
hash, shown once; a token works only while it is live and its maker still administers the
organisation it belongs to; its last use is written at most once a minute."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from portal.extensions import db
from portal.infra.timeutil import as_utc
from portal.models import ApiScope, ApiToken, AuditEvent, OrganisationRole
from portal.services import ServiceError, accounts, api_tokens
from tests import factories

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
IP = "192.0.2.7"


def refusal(call: Callable[[], object]) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call()
    return caught.value


def stored() -> ApiToken:
    db.session.expire_all()
    token = db.session.scalar(db.select(ApiToken))
    assert token is not None
    return token


def test_a_new_token_is_shown_once_and_stored_as_its_hash_only(app: Flask) -> None:
    admin = factories.ProviderUserFactory()
    db.session.commit()
    issued = api_tokens.create(admin, "  Zorgsysteem   Noord ", [ApiScope.SROI, ApiScope.KPI], NOW)
    secret = issued.secret
    assert secret.startswith("dasp_") and len(secret) == len("dasp_") + 43  # 32 bytes, base64
    token = stored()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12]
    assert token.name == "Zorgsysteem Noord"
    assert token.scopes == ["kpi", "sroi"]  # sorted, as values
    assert token.organisation_id == admin.organisation_id and token.created_by_id == admin.id
    # Nowhere in the row, nor in the audit trail, is the secret (or the part after the prefix).
    row = json.dumps({c.name: str(getattr(token, c.name)) for c in ApiToken.__table__.columns})
    assert secret not in row and secret[12:] not in row
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "api_token.created"))
    assert event is not None
    assert event.object_id == token.id and event.actor_id == admin.id
    assert event.organisation_id == admin.organisation_id
    assert event.details == {"scopes": ["kpi", "sroi"]}
    assert secret[5:] not in json.dumps(event.details) + str(event.object_id)
    # Two tokens never share a secret.
    other = api_tokens.create(admin, "Tweede", [ApiScope.KPI], NOW)
    assert other.secret != secret


def test_only_the_organisations_administrator_makes_and_revokes_tokens(app: Flask) -> None:
    admin = factories.ProviderUserFactory()
    contributor = factories.ProviderUserFactory(organisation=admin.organisation, contributor=True)
    reviewer = factories.UserFactory()
    db.session.commit()
    for user in (contributor, reviewer):
        with pytest.raises(ServiceError) as caught:
            api_tokens.create(user, "Naam", [ApiScope.KPI], NOW)
        assert caught.value.code == "not_organisation_admin"
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0
    token = api_tokens.create(admin, "Naam", [ApiScope.KPI], NOW).token
    error = refusal(lambda: api_tokens.revoke(contributor, token.id, NOW))
    assert error.code == "not_organisation_admin"
    assert stored().revoked_at is None


def test_another_organisations_administrator_cannot_revoke_a_token(app: Flask) -> None:
    admin = factories.ProviderUserFactory()
    stranger = factories.ProviderUserFactory()
    db.session.commit()
    token = api_tokens.create(admin, "Naam", [ApiScope.KPI], NOW).token
    assert refusal(lambda: api_tokens.revoke(stranger, token.id, NOW)).code == "not_found"
    assert refusal(lambda: api_tokens.revoke(admin, token.id + 1000, NOW)).code == "not_found"
    assert stored().revoked_at is None
    assert api_tokens.tokens_of(stranger.organisation) == []


@pytest.mark.parametrize(
    ("name", "scopes", "code"),
    [
        ("", [ApiScope.KPI], "api_token_name_missing"),
        ("   ", [ApiScope.KPI], "api_token_name_missing"),
        ("x" * 101, [ApiScope.KPI], "api_token_name_too_long"),
        ("Naam", [], "api_token_no_scopes"),
        ("Naam", ["admin"], "api_token_unknown_scope"),
    ],
)
def test_a_token_needs_a_name_and_a_scope(app: Flask, name: str, scopes: list, code: str) -> None:
    admin = factories.ProviderUserFactory()
    db.session.commit()
    assert refusal(lambda: api_tokens.create(admin, name, scopes, NOW)).code == code
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == 0


def test_names_are_unique_among_the_live_tokens_of_one_organisation(app: Flask) -> None:
    admin = factories.ProviderUserFactory()
    colleague_admin = factories.ProviderUserFactory(organisation=admin.organisation)
    elsewhere = factories.ProviderUserFactory()
    db.session.commit()
    first = api_tokens.create(admin, "Zorgsysteem", [ApiScope.KPI], NOW).token
    # Another administrator of the same organisation, another spelling of the same name.
    error = refusal(
        lambda: api_tokens.create(colleague_admin, "  zorgSYSTEEM ", [ApiScope.SROI], NOW)
    )
    assert error.code == "api_token_name_taken" and error.params == {"name": "zorgSYSTEEM"}
    # Another organisation may use it; a revoked token frees the name.
    api_tokens.create(elsewhere, "Zorgsysteem", [ApiScope.KPI], NOW)
    api_tokens.revoke(admin, first.id, NOW)
    again = api_tokens.create(colleague_admin, "Zorgsysteem", [ApiScope.SROI], NOW)
    assert again.token.id != first.id


def test_an_organisation_holds_a_limited_number_of_live_tokens(app: Flask) -> None:
    admin = factories.ProviderUserFactory()
    db.session.commit()
    tokens = [
        api_tokens.create(admin, f"Sleutel {n}", [ApiScope.KPI], NOW).token
        for n in range(api_tokens.MAX_LIVE_TOKENS)
    ]
    error = refusal(lambda: api_tokens.create(admin, "Eén te veel", [ApiScope.KPI], NOW))
    assert error.code == "api_token_limit"
    api_tokens.revoke(admin, tokens[0].id, NOW)
    api_tokens.create(admin, "Eén te veel", [ApiScope.KPI], NOW)


def test_revoking_is_recorded_once_and_the_token_stops_working(app: Flask) -> None:
    admin = factories.ProviderUserFactory()
    db.session.commit()
    issued = api_tokens.create(admin, "Naam", [ApiScope.WAITING_TIMES], NOW)
    assert api_tokens.authenticate(issued.secret, NOW, IP) is not None
    later = NOW + timedelta(hours=1)
    api_tokens.revoke(admin, issued.token.id, later)
    api_tokens.revoke(admin, issued.token.id, later + timedelta(hours=1))  # again: nothing new
    token = stored()
    assert as_utc(token.revoked_at) == later and token.revoked_by_id == admin.id
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "api_token.revoked")
    ).all()
    assert [(e.object_id, e.details) for e in events] == [(token.id, {"scopes": ["waiting_times"]})]
    assert api_tokens.authenticate(issued.secret, later, IP) is None


def test_authenticate_finds_the_live_token_with_its_creator_and_organisation(app: Flask) -> None:
    admin = factories.ProviderUserFactory()
    db.session.commit()
    issued = api_tokens.create(admin, "Naam", [ApiScope.KPI], NOW)
    token_id, admin_id, organisation_id = issued.token.id, admin.id, admin.organisation_id
    db.session.expunge_all()
    token = api_tokens.authenticate(issued.secret, NOW, IP)
    assert token is not None and token.id == token_id
    assert token.created_by.id == admin_id and token.organisation.id == organisation_id
    assert token.last_used_ip == IP and as_utc(token.last_used_at) == NOW


@pytest.mark.parametrize(
    "guess",
    [
        "",
        "dasp_",
        "Bearer",
        "dasp_" + "A" * 43,  # well formed, unknown
        "x" * 10_000,  # not hashed at all
    ],
)
def test_authenticate_refuses_unknown_secrets(app: Flask, guess: str) -> None:
    admin = factories.ProviderUserFactory()
    db.session.commit()
    issued = api_tokens.create(admin, "Naam", [ApiScope.KPI], NOW)
    assert api_tokens.authenticate(guess, NOW, IP) is None
    # Nor does the prefix, the stored hash, or the secret with one character changed work.
    assert api_tokens.authenticate(issued.token.prefix, NOW, IP) is None
    assert api_tokens.authenticate(issued.token.token_hash, NOW, IP) is None
    changed = issued.secret[:-1] + ("A" if issued.secret[-1] != "A" else "B")
    assert api_tokens.authenticate(changed, NOW, IP) is None
    assert api_tokens.authenticate(issued.secret + " ", NOW, IP) is None


def test_a_token_stops_working_when_its_maker_is_removed(app: Flask) -> None:
    """The API acts in its maker's name: a maker who lost access takes the token with them. The
    removal revokes it (the list says so), and authenticate refuses it even had it not."""
    owner = factories.ProviderUserFactory()
    maker = factories.ProviderUserFactory(organisation=owner.organisation)
    db.session.commit()
    issued = api_tokens.create(maker, "Naam", [ApiScope.KPI], NOW)
    kept = api_tokens.create(owner, "Andere", [ApiScope.KPI], NOW)
    accounts.remove_colleague(owner, maker.id, NOW + timedelta(days=1))
    assert api_tokens.authenticate(issued.secret, NOW + timedelta(days=1), IP) is None
    assert api_tokens.authenticate(kept.secret, NOW + timedelta(days=1), IP) is not None
    db.session.expire_all()
    revoked = db.session.get(ApiToken, issued.token.id)
    assert revoked is not None and revoked.revoked_by_id == owner.id
    event = db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.action == "api_token.revoked", AuditEvent.object_id == revoked.id
        )
    )
    assert event is not None and event.details["reason"] == "creator_removed"


@pytest.mark.parametrize("change", ["deactivated", "contributor", "moved", "staff"])
def test_authenticate_refuses_a_token_whose_maker_no_longer_administers_the_organisation(
    app: Flask, change: str
) -> None:
    """Written straight into the database, as no page does all of these: authenticate is the
    wall, whatever path took the maker's standing away."""
    from portal.models import Role

    maker = factories.ProviderUserFactory()
    elsewhere = factories.OrganisationFactory()
    db.session.commit()
    issued = api_tokens.create(maker, "Naam", [ApiScope.KPI], NOW)
    assert api_tokens.authenticate(issued.secret, NOW, IP) is not None
    if change == "deactivated":
        maker.is_active_account = False
    elif change == "contributor":
        maker.organisation_role = OrganisationRole.CONTRIBUTOR
    elif change == "moved":
        maker.organisation_id = elsewhere.id
    else:
        maker.role, maker.organisation_id, maker.organisation_role = Role.REVIEWER, None, None
    db.session.commit()
    assert api_tokens.authenticate(issued.secret, NOW, IP) is None


def test_the_last_use_is_written_at_most_once_a_minute(app: Flask) -> None:
    admin = factories.ProviderUserFactory()
    db.session.commit()
    issued = api_tokens.create(admin, "Naam", [ApiScope.KPI], NOW)
    assert stored().last_used_at is None
    api_tokens.authenticate(issued.secret, NOW, "192.0.2.1")
    api_tokens.authenticate(issued.secret, NOW + timedelta(seconds=59), "192.0.2.2")
    token = stored()
    assert as_utc(token.last_used_at) == NOW and token.last_used_ip == "192.0.2.1"
    api_tokens.authenticate(issued.secret, NOW + timedelta(seconds=60), "2001:db8::1")
    token = stored()
    assert as_utc(token.last_used_at) == NOW + timedelta(seconds=60)
    assert token.last_used_ip == "2001:db8::1"


def test_tokens_of_lists_live_tokens_first_newest_first(app: Flask) -> None:
    admin = factories.ProviderUserFactory()
    stranger = factories.ProviderUserFactory()
    db.session.commit()
    old = api_tokens.create(admin, "Oud", [ApiScope.KPI], NOW).token
    new = api_tokens.create(admin, "Nieuw", [ApiScope.KPI], NOW + timedelta(days=1)).token
    revoked = api_tokens.create(admin, "Weg", [ApiScope.KPI], NOW + timedelta(days=2)).token
    api_tokens.create(stranger, "Niet van ons", [ApiScope.KPI], NOW)
    api_tokens.revoke(admin, revoked.id, NOW + timedelta(days=3))
    listed = api_tokens.tokens_of(admin.organisation)
    assert [t.id for t in listed] == [new.id, old.id, revoked.id]


def test_two_administrators_making_a_token_of_one_name_at_once_get_one(app: Flask) -> None:
    """Each thread has its own app context, so its own session and connection; they call the
    service at the same moment (a barrier). Runs on SQLite and on PostgreSQL."""
    import threading

    from portal.models import User

    attempts = 4
    first = factories.ProviderUserFactory()
    admins = [first] + [
        factories.ProviderUserFactory(organisation=first.organisation) for _ in range(attempts - 1)
    ]
    db.session.commit()
    ids = [admin.id for admin in admins]
    barrier = threading.Barrier(attempts)
    results: list[str] = []

    def attempt(user_id: int) -> None:
        with app.app_context():
            user = db.session.get(User, user_id)
            try:
                barrier.wait()
                api_tokens.create(user, "Zorgsysteem", [ApiScope.KPI], NOW)
                results.append("ok")
            except ServiceError as error:
                results.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(user_id,)) for user_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["api_token_name_taken"] * (attempts - 1) + ["ok"], results
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 1
