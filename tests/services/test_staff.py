"""A DAS's staff (issue 19): invitations by signed link, an existing member of staff given another
DAS, revoking access, and the audit trail of each."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from werkzeug.exceptions import NotFound

from portal.extensions import db
from portal.infra import tokens
from portal.models import AuditEvent, Role, StaffAssignment, StaffInvitation, User
from portal.services import ServiceError, ownership, staff
from tests import factories

NOW = datetime(2026, 11, 20, 10, tzinfo=UTC)


@pytest.fixture()
def setting(app: Flask):
    das = factories.DasFactory()
    other = factories.DasFactory()
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    return das, other, admin


def _token(mailbox, address: str) -> str:
    link = mailbox.link_in(mailbox.last_to(address))
    return link.rstrip("/").rsplit("/", 1)[1]


def _actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_an_invited_reviewer_makes_an_account_for_this_das_only(setting, mailbox) -> None:
    das, other, admin = setting
    invited = staff.invite(admin, das, " Ria@Regio.NL ", Role.REVIEWER)
    assert invited.invitation is not None and invited.assigned is None
    assert [i.email for i in staff.staff_of(das).invitations] == ["ria@regio.nl"]
    token = _token(mailbox, "ria@regio.nl")

    user = staff.accept(token, "Ria Jansen", "een-lang-wachtwoord", NOW)
    assert user.role is Role.REVIEWER and user.organisation_id is None
    assert user.is_verified and user.totp_confirmed_at is None
    assert user.needs_two_factor  # set up at the first log-in, as for all staff
    assert ownership.visible_das_ids(user) == [das.id]
    assert staff.staff_of(das).members == [user] and staff.staff_of(das).invitations == []
    with pytest.raises(ServiceError) as refused:
        staff.accept(token, "Nog eens", "een-lang-wachtwoord", NOW)
    assert refused.value.code == "link_used"
    assert _actions()[-2:] == ["staff_invitation.sent", "staff_invitation.accepted"]


def test_a_link_of_another_kind_or_changed_is_refused(setting, mailbox) -> None:
    das, _other, admin = setting
    invitation = staff.invite(admin, das, "piet@regio.nl", Role.CONTRACT_MANAGER).invitation
    assert invitation is not None
    # An organisation invitation's token for the same id does not open a staff invitation.
    foreign = tokens.make(
        tokens.INVITATION, {"invitation": invitation.id, "email": "piet@regio.nl"}
    )
    for bad in (foreign, _token(mailbox, "piet@regio.nl") + "x"):
        with pytest.raises(ServiceError) as refused:
            staff.invitation_for(bad)
        assert refused.value.code == "link_invalid"


def test_an_expired_link_is_refused(setting, mailbox, app: Flask, monkeypatch) -> None:
    das, _other, admin = setting
    staff.invite(admin, das, "oud@regio.nl", Role.REVIEWER)
    token = _token(mailbox, "oud@regio.nl")
    monkeypatch.setitem(app.config, "INVITATION_MAX_AGE", -1)
    with pytest.raises(ServiceError) as refused:
        staff.invitation_for(token)
    assert refused.value.code == "link_expired"


def test_a_revoked_invitation_cannot_be_accepted(setting, mailbox) -> None:
    das, other, admin = setting
    invitation = staff.invite(admin, das, "kees@regio.nl", Role.REVIEWER).invitation
    assert invitation is not None
    token = _token(mailbox, "kees@regio.nl")
    with pytest.raises(ServiceError):  # not this DAS's invitation
        staff.revoke_invitation(admin, other, invitation.id, NOW)
    staff.revoke_invitation(admin, das, invitation.id, NOW)
    with pytest.raises(ServiceError) as refused:
        staff.accept(token, "Kees", "een-lang-wachtwoord", NOW)
    assert refused.value.code == "link_used"
    assert db.session.scalar(db.select(User).where(User.email == "kees@regio.nl")) is None
    assert "staff_invitation.revoked" in _actions()


def test_an_existing_member_of_staff_gets_another_das_without_a_new_account(
    setting, mailbox
) -> None:
    das, other, admin = setting
    reviewer = factories.UserFactory(role=Role.REVIEWER, email="bert@regio.nl")
    factories.assign(reviewer, other)
    invited = staff.invite(admin, das, "BERT@regio.nl", Role.REVIEWER)
    assert invited.assigned == reviewer and invited.invitation is None
    assert sorted(ownership.visible_das_ids(reviewer) or []) == sorted([das.id, other.id])
    assert db.session.scalar(db.select(db.func.count()).select_from(StaffInvitation)) == 0
    assert "toegang" in mailbox.body(mailbox.last_to("bert@regio.nl"))
    assert _actions()[-1] == "staff.assigned"
    with pytest.raises(ServiceError) as refused:
        staff.invite(admin, das, "bert@regio.nl", Role.REVIEWER)
    assert refused.value.code == "staff_already_assigned"


@pytest.mark.parametrize(
    ("existing", "role", "code"),
    [
        ("provider", Role.REVIEWER, "staff_email_is_provider"),
        ("contract_manager", Role.REVIEWER, "staff_other_role"),
        ("reviewer", Role.PROVIDER, "staff_role_unknown"),
    ],
)
def test_an_account_has_one_role(setting, existing, role, code) -> None:
    das, _other, admin = setting
    if existing == "provider":
        factories.ProviderUserFactory(email="x@regio.nl")
    else:
        factories.UserFactory(role=Role(existing), email="x@regio.nl")
    with pytest.raises(ServiceError) as refused:
        staff.invite(admin, das, "x@regio.nl", role)
    assert refused.value.code == code
    assert db.session.scalar(db.select(db.func.count()).select_from(StaffAssignment)) == 0


def test_only_an_administrator_invites_and_revokes(setting) -> None:
    das, _other, _admin = setting
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    with pytest.raises(ServiceError) as refused:
        staff.invite(reviewer, das, "nieuw@regio.nl", Role.ADMINISTRATOR)
    assert refused.value.code == "not_found"
    colleague = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(colleague, das)
    with pytest.raises(ServiceError):
        staff.revoke_access(reviewer, das, colleague.id)
    assert ownership.may_see_das(colleague, das.id)


def test_revoking_ends_access_at_once(setting) -> None:
    das, other, admin = setting
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    factories.assign(reviewer, other)
    assert ownership.staff_das(das.slug, reviewer) == das
    staff.revoke_access(admin, das, reviewer.id)
    with pytest.raises(NotFound):
        ownership.staff_das(das.slug, reviewer)
    assert ownership.staff_das(other.slug, reviewer) == other  # the other DAS stays
    assert _actions()[-1] == "staff.revoked"
    with pytest.raises(ServiceError) as refused:  # nothing left to revoke
        staff.revoke_access(admin, das, reviewer.id)
    assert refused.value.code == "not_found"


def test_an_administrators_access_is_not_per_das(setting) -> None:
    das, _other, admin = setting
    colleague = factories.UserFactory(role=Role.ADMINISTRATOR)
    factories.assign(colleague, das)
    with pytest.raises(ServiceError) as refused:
        staff.revoke_access(admin, das, colleague.id)
    assert refused.value.code == "staff_administrator_sees_all"
