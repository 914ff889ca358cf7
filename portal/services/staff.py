"""A DAS's staff: inviting reviewers, contract managers and administrators, and revoking access
(issue 19).

An invitation is a signed, expiring link by mail (the mechanism of organisation invitations,
portal.services.accounts); following it makes the account and the assignment to the DAS. A member
of staff who already has an account with the same role is given the DAS at once, without a new
account. Revoking deletes the assignment, so the very next request of that user for the DAS is
refused (portal.services.ownership reads the assignments on every request). Staff set up their
second step at their first log-in, as every member of staff does (User.needs_two_factor).

An administrator sees every DAS (Role.ADMINISTRATOR); the assignment of one invited for a DAS
records who asked for them, and their access ends only with their account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.infra import mail, tokens
from portal.models import STAFF_ROLES, Das, Role, StaffAssignment, StaffInvitation, User
from portal.services import ServiceError, transaction
from portal.services.accounts import normalise_email, read_invitation
from portal.services.audit import record
from portal.services.ownership import require_administrator

STAFF_INVITATION = "staff-invitation"  # the token's purpose: a link of another kind never fits


@dataclass(frozen=True)
class StaffList:
    members: list[User]  # assigned to this DAS, by name
    invitations: list[StaffInvitation]  # open, newest first


def staff_of(das: Das) -> StaffList:
    members = list(
        db.session.scalars(
            db.select(User)
            .join(StaffAssignment, StaffAssignment.user_id == User.id)
            .where(StaffAssignment.das_id == das.id)
            .order_by(User.name, User.id)
        )
    )
    invitations = list(
        db.session.scalars(
            db.select(StaffInvitation)
            .where(
                StaffInvitation.das_id == das.id,
                StaffInvitation.accepted_at.is_(None),
                StaffInvitation.revoked_at.is_(None),
            )
            .order_by(StaffInvitation.created_at.desc(), StaffInvitation.id.desc())
        )
    )
    return StaffList(members, invitations)


def _assigned(user_id: int, das_id: int) -> bool:
    return db.session.get(StaffAssignment, (user_id, das_id)) is not None


@dataclass(frozen=True)
class Invited:
    """What inviting did: an invitation mailed, or an existing member of staff given the DAS."""

    invitation: StaffInvitation | None
    assigned: User | None


@transaction
def invite(admin: User, das: Das, email: str, role: Role) -> Invited:
    """Invite someone to work on this DAS with `role`. An account of staff with that role is
    given the DAS at once (and told by mail); an account with another role, or a provider's, is
    refused: an account has one role. Inviting an address with an open invitation for this DAS
    sends it again, with the role now chosen."""
    require_administrator(admin)
    if role not in STAFF_ROLES:
        raise ServiceError("staff_role_unknown")
    email = normalise_email(email)
    owner = db.session.scalar(db.select(User).where(User.email == email))
    if owner is not None:
        return Invited(None, _assign_existing(admin, das, owner, role))
    invitation = db.session.scalar(
        db.select(StaffInvitation)
        .where(
            StaffInvitation.das_id == das.id,
            StaffInvitation.email == email,
            StaffInvitation.accepted_at.is_(None),
            StaffInvitation.revoked_at.is_(None),
        )
        .order_by(StaffInvitation.id)
        .limit(1)
    )
    action = "staff_invitation.resent"
    if invitation is None:
        action = "staff_invitation.sent"
        invitation = StaffInvitation(das_id=das.id, email=email, invited_by_id=admin.id)
        db.session.add(invitation)
    invitation.role = role
    record(action, invitation, admin, das_id=das.id, email=email, role=role.value)
    db.session.flush()  # the invitation's id, for the link
    token = tokens.make(STAFF_INVITATION, {"invitation": invitation.id, "email": email})
    mail.queue(
        email,
        _l("Uitnodiging voor het DAS-portaal: %(das)s", das=das.name),
        "staff_invitation",
        admin=admin,
        das=das,
        role=role,
        link=mail.link("auth.accept_staff_invitation", token=token),
        days=current_app.config["INVITATION_MAX_AGE"] // 86400,
    )
    db.session.commit()
    return Invited(invitation, None)


def _assign_existing(admin: User, das: Das, owner: User, role: Role) -> User:
    if not owner.is_staff:
        raise ServiceError("staff_email_is_provider")
    if owner.role is not role:
        raise ServiceError("staff_other_role", role=owner.role)
    if not owner.is_active:
        raise ServiceError("staff_account_inactive")
    if _assigned(owner.id, das.id):
        raise ServiceError("staff_already_assigned")
    db.session.add(StaffAssignment(user_id=owner.id, das_id=das.id))
    record("staff.assigned", das, admin, das_id=das.id, user_id=owner.id, role=role.value)
    mail.queue(
        owner.email,
        _l("U heeft toegang tot %(das)s in het DAS-portaal", das=das.name),
        "staff_assigned",
        user=owner,
        admin=admin,
        das=das,
        link=mail.link("auth.login"),
    )
    db.session.commit()
    return owner


def invitation_for(token: str) -> StaffInvitation:
    return read_invitation(STAFF_INVITATION, token, StaffInvitation)


@transaction
def accept(token: str, name: str, password: str, now: datetime) -> User:
    """Make the account the invitation is for, with its role and the DAS. The address is
    verified (the link was mailed to it); the second step is set up at the first log-in."""
    invitation = invitation_for(token)
    if db.session.scalar(db.select(User.id).where(User.email == invitation.email)) is not None:
        raise ServiceError("email_taken")
    user = User(
        email=invitation.email,
        name=name.strip(),
        role=invitation.role,
        email_verified_at=now,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    db.session.add(StaffAssignment(user_id=user.id, das_id=invitation.das_id))
    invitation.accepted_at = now
    record("staff_invitation.accepted", invitation, user, das_id=invitation.das_id)
    db.session.commit()
    return user


@transaction
def revoke_invitation(admin: User, das: Das, invitation_id: int, now: datetime) -> None:
    require_administrator(admin)
    invitation = db.session.get(StaffInvitation, invitation_id)
    if invitation is None or invitation.das_id != das.id:
        raise ServiceError("not_found")
    if invitation.is_open:
        invitation.revoked_at = now
        record("staff_invitation.revoked", invitation, admin, das_id=das.id)
        db.session.commit()


@transaction
def revoke_access(admin: User, das: Das, user_id: int) -> User:
    """End a member of staff's access to this DAS at once. An administrator's access is not
    per DAS (they see every one): refused."""
    require_administrator(admin)
    assignment = db.session.get(StaffAssignment, (user_id, das.id))
    user = db.session.get(User, user_id)
    if assignment is None or user is None:
        raise ServiceError("not_found")
    if user.role is Role.ADMINISTRATOR:
        raise ServiceError("staff_administrator_sees_all")
    db.session.delete(assignment)
    record("staff.revoked", das, admin, das_id=das.id, user_id=user.id, role=user.role.value)
    db.session.commit()
    return user
