"""Accounts: registration with e-mail verification, passwords, and colleagues.

Each function owns its transaction; mail goes out after the commit (portal.infra.mail).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Protocol, TypeVar

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db
from portal.infra import mail, tokens
from portal.models import Invitation, Organisation, OrganisationRole, Role, SizeClass, User
from portal.services import ServiceError, api_tokens
from portal.services.audit import record
from portal.services.ownership import require_organisation_admin


@dataclass(frozen=True)
class Registration:
    legal_name: str
    kvk_number: str
    size_class: SizeClass
    user_name: str
    email: str
    password: str


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _email_taken(email: str) -> bool:
    return db.session.scalar(db.select(User.id).where(User.email == email)) is not None


@cache
def _dummy_hash(method: str) -> str:
    # Made the way User.set_password makes a hash, so checking against it costs the same.
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def _same_work_as_a_password_check(password: str) -> None:
    """Spend the time a real password check takes, where there is no account to check: an
    answer that comes ten times faster tells an outsider the address has no account."""
    check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)


def register_provider(data: Registration) -> User:
    """The organisation and its first user, who becomes its administrator. The account can be
    used once the e-mail address is confirmed (send_verification).

    An address that already has an account raises `email_taken` after the same work as a new
    registration; the caller answers as for a new one and mails the owner instead
    (send_registration_notice), so registering does not tell who has an account."""
    email = normalise_email(data.email)
    if _email_taken(email):
        _same_work_as_a_password_check(data.password)
        raise ServiceError("email_taken")
    if (
        db.session.scalar(
            db.select(Organisation.id).where(Organisation.kvk_number == data.kvk_number)
        )
        is not None
    ):
        raise ServiceError("kvk_taken")
    organisation = Organisation(
        legal_name=data.legal_name.strip(), kvk_number=data.kvk_number, size_class=data.size_class
    )
    user = User(
        email=email,
        name=data.user_name.strip(),
        role=Role.PROVIDER,
        organisation=organisation,
        organisation_role=OrganisationRole.ADMIN,
        is_signatory=True,
    )
    user.set_password(data.password)
    db.session.add_all([organisation, user])
    record("organisation.registered", organisation, user)
    record("user.registered", user, user, organisation_id=None)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with this address and password, if the account may log in. Every answer costs
    one password check, known address or not (no account probing by timing)."""
    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    if user is None:
        _same_work_as_a_password_check(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def logged_in(user: User, now: datetime) -> None:
    """The password step succeeded: the time is kept with the account (the data export lists
    it)."""
    user.last_login_at = now
    db.session.commit()


def choose_language(user: User, locale: str) -> None:
    """The language of the user's pages and mail, kept for their next visit."""
    if user.locale != locale:
        user.locale = locale
        db.session.commit()


# --- e-mail verification -------------------------------------------------------------------


def send_verification(user: User) -> bool:
    token = tokens.make(
        tokens.VERIFY_EMAIL,
        {
            "user": user.id,
            "email": user.email,
            "fp": tokens.password_fingerprint(user.password_hash),
        },
    )
    queued = mail.queue(
        user.email,
        _l("Bevestig uw e-mailadres voor het DAS-portaal"),
        "verify_email",
        user=user,
        link=mail.link("auth.verify_email", token=token),
        hours=current_app.config["EMAIL_VERIFICATION_MAX_AGE"] // 3600,
    )
    db.session.commit()  # the outbox row; a job sends it
    return queued


def verify_email(token: str, now: datetime) -> User:
    """Confirm the address the link was mailed to; nothing more. The link signs no one in (the
    user logs in with the password, and staff with the second step), works once
    (`email_already_verified` afterwards) and dies with a password change (`link_used`)."""
    try:
        payload = tokens.read(
            tokens.VERIFY_EMAIL, token, current_app.config["EMAIL_VERIFICATION_MAX_AGE"]
        )
    except tokens.InvalidToken as error:
        raise ServiceError("link_expired" if error.expired else "link_invalid") from error
    user = db.session.get(User, payload["user"])
    if user is None or user.email != payload["email"] or not user.is_active:
        raise ServiceError("link_invalid")
    if user.email_verified_at is not None:
        raise ServiceError("email_already_verified")
    if tokens.password_fingerprint(user.password_hash) != payload.get("fp"):
        raise ServiceError("link_used")
    user.email_verified_at = now
    record("user.email_verified", user, user, organisation_id=user.organisation_id)
    db.session.commit()
    return user


def send_registration_notice(email: str) -> bool:
    """Someone registered with an address that already has an account: nothing was made, and
    the owner hears of it (the page answered as for a new registration)."""
    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    if user is None:
        return False
    queued = mail.queue(
        user.email,
        _l("Registratie met uw e-mailadres op het DAS-portaal"),
        "registration_existing_account",
        user=user,
        login_link=mail.link("auth.login"),
        reset_link=mail.link("auth.forgot_password"),
    )
    db.session.commit()  # the outbox row; a job sends it
    return queued


def unverified_user(email: str) -> User | None:
    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    if user is None or user.is_verified or not user.is_active:
        return None
    return user


# --- passwords -----------------------------------------------------------------------------


def send_password_reset(email: str) -> None:
    """Mail a reset link if the account exists; say nothing either way (no account probing)."""
    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_active:
        return
    token = tokens.make(
        tokens.RESET_PASSWORD,
        {"user": user.id, "fp": tokens.password_fingerprint(user.password_hash)},
    )
    mail.queue(
        user.email,
        _l("Nieuw wachtwoord instellen voor het DAS-portaal"),
        "reset_password",
        user=user,
        link=mail.link("auth.reset_password", token=token),
        minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )
    db.session.commit()  # the outbox row; a job sends it


def user_for_reset(token: str) -> User:
    try:
        payload = tokens.read(
            tokens.RESET_PASSWORD, token, current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
    except tokens.InvalidToken as error:
        raise ServiceError("link_expired" if error.expired else "link_invalid") from error
    user = db.session.get(User, payload["user"])
    if (
        user is None
        or not user.is_active
        or tokens.password_fingerprint(user.password_hash) != payload["fp"]
    ):
        # The password changed since the link was made: the link has been used.
        raise ServiceError("link_used")
    return user


def reset_password(token: str, new_password: str, now: datetime) -> User:
    user = user_for_reset(token)
    user.set_password(new_password)
    if user.email_verified_at is None:
        user.email_verified_at = now  # they read mail sent to this address
    record("user.password_reset", user, user, organisation_id=user.organisation_id)
    db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not user.check_password(current_password):
        raise ServiceError("wrong_password")
    user.set_password(new_password)
    record("user.password_changed", user, user, organisation_id=user.organisation_id)
    db.session.commit()


# --- colleagues ----------------------------------------------------------------------------


def colleagues(organisation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            db.select(User).where(User.organisation_id == organisation_id).order_by(User.name)
        )
    )


def open_invitations(organisation_id: int) -> list[Invitation]:
    return list(
        db.session.scalars(
            db.select(Invitation)
            .where(
                Invitation.organisation_id == organisation_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .order_by(Invitation.created_at.desc())
        )
    )


def _open_invitation(organisation_id: int, email: str) -> Invitation | None:
    return db.session.scalar(
        db.select(Invitation)
        .where(
            Invitation.organisation_id == organisation_id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .order_by(Invitation.id)
        .limit(1)
    )


def invite(
    admin: User, email: str, organisation_role: OrganisationRole, is_signatory: bool
) -> Invitation:
    """Invite a colleague. One open invitation per address and organisation: inviting the same
    address again sends that invitation again, with the role now chosen.

    The administrator sees the same whether or not the address has an account at another
    organisation (no account probing): the invitation is recorded and listed either way; the
    owner of an existing account is mailed why it cannot be used instead of a link. Only a
    colleague already in the list is refused."""
    organisation_id = require_organisation_admin(admin)
    email = normalise_email(email)
    owner = db.session.scalar(db.select(User).where(User.email == email))
    if owner is not None and owner.organisation_id == organisation_id:
        raise ServiceError("already_colleague")
    invitation = _open_invitation(organisation_id, email)
    action = "invitation.resent"
    if invitation is None:
        action = "invitation.sent"
        invitation = Invitation(
            organisation_id=organisation_id, email=email, invited_by_id=admin.id
        )
        db.session.add(invitation)
    invitation.organisation_role = organisation_role
    invitation.is_signatory = is_signatory
    record(
        action,
        invitation,
        admin,
        organisation_id=organisation_id,
        email=email,
        role=organisation_role.value,
        signatory=is_signatory,
    )
    db.session.flush()  # the invitation's id, for the link
    organisation = admin.organisation
    assert organisation is not None  # require_organisation_admin: the administrator of one
    subject = _l(
        "Uitnodiging voor het DAS-portaal van %(organisation)s",
        organisation=organisation.display_name,
    )
    if owner is not None:
        mail.queue(
            email,
            subject,
            "invitation_existing_account",
            user=owner,
            admin=admin,
            organisation=organisation,
            reset_link=mail.link("auth.forgot_password"),
        )
    else:
        token = tokens.make(tokens.INVITATION, {"invitation": invitation.id, "email": email})
        mail.queue(
            email,
            subject,
            "invitation",
            admin=admin,
            organisation=organisation,
            link=mail.link("auth.accept_invitation", token=token),
            days=current_app.config["INVITATION_MAX_AGE"] // 86400,
        )
    db.session.commit()
    return invitation


class _OpenInvitation(Protocol):
    email: str

    @property
    def is_open(self) -> bool: ...


InvitationT = TypeVar("InvitationT", bound=_OpenInvitation)


def read_invitation(purpose: str, token: str, model: type[InvitationT]) -> InvitationT:
    """The open invitation a mailed link names: refused when the link is forged, expired, for
    another address, or used or revoked already. Colleagues' and staff invitations alike."""
    try:
        payload = tokens.read(purpose, token, current_app.config["INVITATION_MAX_AGE"])
    except tokens.InvalidToken as error:
        raise ServiceError("link_expired" if error.expired else "link_invalid") from error
    invitation = db.session.get(model, payload["invitation"])
    if invitation is None or invitation.email != payload["email"]:
        raise ServiceError("link_invalid")
    if not invitation.is_open:
        raise ServiceError("link_used")
    return invitation


def invitation_for(token: str) -> Invitation:
    return read_invitation(tokens.INVITATION, token, Invitation)


def accept_invitation(token: str, name: str, password: str, now: datetime) -> User:
    invitation = invitation_for(token)
    if _email_taken(invitation.email):
        raise ServiceError("email_taken")
    user = User(
        email=invitation.email,
        name=name.strip(),
        role=Role.PROVIDER,
        organisation_id=invitation.organisation_id,
        organisation_role=invitation.organisation_role,
        is_signatory=invitation.is_signatory,
        email_verified_at=now,
    )
    user.set_password(password)
    invitation.accepted_at = now
    db.session.add(user)
    record("invitation.accepted", invitation, user, organisation_id=invitation.organisation_id)
    db.session.commit()
    return user


def revoke_invitation(admin: User, invitation_id: int, now: datetime) -> None:
    organisation_id = require_organisation_admin(admin)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != organisation_id:
        raise ServiceError("not_found")
    if invitation.is_open:
        invitation.revoked_at = now
        record("invitation.revoked", invitation, admin, organisation_id=organisation_id)
        db.session.commit()


def remove_colleague(admin: User, colleague_id: int, now: datetime) -> User:
    """Take away a colleague's access. The account stays (the audit trail names it) but cannot
    log in, and the API tokens it made (which act in its name) are revoked. The last
    administrator cannot be removed."""
    organisation_id = require_organisation_admin(admin)
    colleague = db.session.get(User, colleague_id)
    if colleague is None or colleague.organisation_id != organisation_id:
        raise ServiceError("not_found")
    if colleague.id == admin.id:
        raise ServiceError("cannot_remove_self")
    colleague.is_active_account = False
    record("user.access_removed", colleague, admin, organisation_id=organisation_id)
    api_tokens.revoke_tokens_of(colleague, admin, now)
    db.session.commit()
    return colleague
